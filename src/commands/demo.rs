//! `polycache demo`: the whole cache flow, once, with nothing but this binary (the
//! walkthrough is [`crate::demo`], its text [`crate::render::demo`]).

use super::Context;
use crate::cli::DemoArgs;
use crate::demo::{Demo, Rehearsal};
use crate::error::{Failure, exit};
use crate::output::Outcome;
use crate::render::demo as text;
use crate::signals::Signals;

/// Runs the walkthrough, narrating each step as it completes; the summary is the result.
/// Ctrl-C or SIGTERM during the walkthrough stops it: the nodes stop and their files go,
/// the summary says where it stopped, and the exit code is 130.
pub fn run(ctx: &Context, args: &DemoArgs) -> Result<Outcome, Failure> {
    crate::runtime()?.block_on(async {
        // Listening from the start: a signal that comes while the nodes start is seen by
        // the walkthrough's first look, instead of killing the process half-way.
        let mut signals = Signals::install();
        let st = ctx.out.style();
        let rehearsal = Rehearsal {
            delay: std::time::Duration::from_millis(args.delay_ms),
        };
        let demo = Demo::start(rehearsal).await?;
        let place = demo.place();
        ctx.out.say(&text::intro(&place, st))?;
        let summary = demo
            .walk(
                ctx.out.trace(),
                async {
                    signals.recv().await;
                },
                &mut |step| {
                    let _ = ctx.out.say(&text::step(step, st));
                },
            )
            .await
            .keeping(args.keep);
        let code = if summary.interrupted {
            exit::INTERRUPTED
        } else if summary.ok {
            exit::OK
        } else {
            exit::ERROR
        };
        if !args.keep || summary.interrupted {
            // Interrupted, nothing is kept: the walkthrough did not get to its commands.
            let stopped = demo.stop(false).await;
            let outcome = Outcome::show(summary).code(code);
            return Ok(match stopped {
                Ok(()) => outcome,
                Err(e) => outcome.warn(e),
            });
        }
        // --keep: the summary now, then the nodes stay up until Ctrl-C (or SIGTERM).
        ctx.out.emit(&summary)?;
        ctx.out.say(&text::running(&place, st))?;
        signals.recv().await;
        ctx.out.say(&format!("\n{}\n", st.dim("stopping the nodes")))?;
        let outcome = Outcome::streamed().code(code);
        Ok(match demo.stop(true).await {
            Ok(()) => outcome,
            Err(e) => outcome.warn(e),
        })
    })
}
