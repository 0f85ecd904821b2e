//! `polycache graph [TYPE]`: the dependency cascade of a type, or the whole graph, as a
//! tree, Graphviz dot, Mermaid or JSON.

use super::Context;
use crate::cli::{GraphArgs, GraphFormat};
use crate::error::Failure;
use crate::graph::{graph_report, type_report};
use crate::output::Outcome;
use crate::render::graph::{dot, mermaid};

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
    // --format json is JSON too.
    Ok(match (args.format, &focus) {
        (GraphFormat::Dot, _) if !ctx.out.json() => Outcome::raw(dot(&graph, focus_name).into_bytes()),
        (GraphFormat::Mermaid, _) if !ctx.out.json() => Outcome::raw(mermaid(&graph, focus_name).into_bytes()),
        (format, Some(r)) => {
            Outcome::show(type_report(&graph, &r.canonical, r.alias.clone())).as_json(format == GraphFormat::Json)
        }
        (format, None) => Outcome::show(graph_report(&graph)).as_json(format == GraphFormat::Json),
    })
}
