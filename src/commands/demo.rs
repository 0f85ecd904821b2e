//! `polycache demo`: the whole cache flow, once, with nothing but this binary (the
//! walkthrough is [`crate::demo`], its text [`crate::render::demo`]).

use super::Context;
use crate::cli::DemoArgs;
use crate::demo::Demo;
use crate::error::{Failure, exit};
use crate::output::Outcome;
use crate::render::demo as text;

/// Runs the walkthrough, narrating each step as it completes; the summary is the result.
pub fn run(ctx: &Context, args: &DemoArgs) -> Result<Outcome, Failure> {
    crate::runtime()?.block_on(async {
        let st = ctx.out.style();
        let demo = Demo::start().await?;
        let place = demo.place();
        ctx.out.say(&text::intro(&place, st))?;
        let summary = demo
            .walk(ctx.out.trace(), &mut |step| {
                let _ = ctx.out.say(&text::step(step, st));
            })
            .await
            .keeping(args.keep);
        let code = if summary.ok { exit::OK } else { exit::ERROR };
        if !args.keep {
            let stopped = demo.stop(false).await;
            let outcome = Outcome::show(summary).code(code);
            return Ok(match stopped {
                Ok(()) => outcome,
                Err(e) => outcome.warn(e),
            });
        }
        // --keep: the summary now, then the nodes stay up until Ctrl-C.
        ctx.out.emit(&summary)?;
        ctx.out.say(&text::running(&place, st))?;
        let _ = tokio::signal::ctrl_c().await;
        ctx.out.say(&format!("\n{}\n", st.dim("stopping the nodes")))?;
        let outcome = Outcome::streamed().code(code);
        Ok(match demo.stop(true).await {
            Ok(()) => outcome,
            Err(e) => outcome.warn(e),
        })
    })
}
