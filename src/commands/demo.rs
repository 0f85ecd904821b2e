//! `polycache demo`: the whole cache flow, once, with nothing but this binary (the
//! walkthrough is [`crate::demo`]).

use super::Context;
use crate::cli::DemoArgs;
use crate::demo::Demo;
use crate::error::{Failure, exit};

pub fn run(ctx: &Context, args: &DemoArgs) -> Result<u8, Failure> {
    crate::runtime()?.block_on(async {
        let st = ctx.out.style();
        let demo = Demo::start().await?;
        ctx.out.say(&demo.intro(st))?;
        let summary = demo
            .walk(st, ctx.out.trace(), &mut |step| {
                let _ = ctx.out.say(&step.text(st));
            })
            .await
            .keeping(args.keep);
        ctx.out.emit(&summary)?;
        if args.keep {
            ctx.out.say(&demo.running(st))?;
            let _ = tokio::signal::ctrl_c().await;
            ctx.out.say(&format!("\n{}\n", st.dim("stopping the nodes")))?;
        }
        if let Err(e) = demo.stop(args.keep).await {
            ctx.out.warn(&e);
        }
        Ok(if summary.ok { exit::OK } else { exit::ERROR })
    })
}
