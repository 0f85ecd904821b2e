//! `polycache graph [TYPE]`: the dependency cascade of a type, or the whole graph, as a
//! tree, Graphviz dot, Mermaid or JSON.

use super::Context;
use crate::check::browser::Cascade;
use crate::cli::{GraphArgs, GraphFormat};
use crate::error::Failure;
use crate::graph::{graph_report, type_report};
use crate::output::Outcome;
use crate::render::graph::{dot, mermaid, stale_names};

pub fn run(ctx: &Context, args: &GraphArgs) -> Result<Outcome, Failure> {
    let graph = ctx.graph()?;
    let focus = match &args.r#type {
        Some(t) => Some(graph.resolve(t)?),
        None => None,
    };
    let focus_name = focus.as_ref().map(|r| r.canonical.as_str());
    // Two drawings asked at once: say so rather than drop one.
    if ctx.out.json() && matches!(args.format, GraphFormat::Dot | GraphFormat::Mermaid) {
        let f = if args.format == GraphFormat::Dot {
            "dot"
        } else {
            "mermaid"
        };
        return Err(
            Failure::usage(format!("--json and --format {f} ask for two different outputs"))
                .with_hint(format!("drop --json to get {f}, or drop --format to get JSON")),
        );
    }
    // The browser half, for a TYPE: what browsers reset, which cleared types they keep.
    let browsers = match &focus {
        Some(r) => ctx
            .browsers(&args.invalidator, &graph)?
            .map(|b| b.half(&graph, &r.canonical)),
        None => None,
    };
    let stale = stale_names(browsers.as_ref());
    // --format json is JSON too.
    Ok(match (args.format, &focus) {
        (GraphFormat::Dot, _) if !ctx.out.json() => Outcome::raw(dot(&graph, focus_name, &stale).into_bytes()),
        (GraphFormat::Mermaid, _) if !ctx.out.json() => Outcome::raw(mermaid(&graph, focus_name, &stale).into_bytes()),
        (format, Some(r)) => {
            let report = Cascade {
                server: type_report(&graph, &r.canonical, r.alias.clone()),
                browsers,
            };
            Outcome::show(report).as_json(format == GraphFormat::Json)
        }
        (format, None) => Outcome::show(graph_report(&graph)).as_json(format == GraphFormat::Json),
    })
}
