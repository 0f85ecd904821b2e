//! `polycache graph [TYPE]`: the dependency cascade of a type, or the whole graph, as a
//! tree, Graphviz dot, Mermaid or JSON.

use super::Context;
use crate::cli::{GraphArgs, GraphFormat};
use crate::error::{Failure, exit};
use crate::graph::{graph_report, type_report};
use crate::render::graph::{dot, mermaid};

pub fn run(ctx: &Context, args: &GraphArgs) -> Result<u8, Failure> {
    let graph = ctx.graph()?;
    let focus = match &args.r#type {
        Some(t) => Some(graph.resolve(t)?),
        None => None,
    };
    let focus_name = focus.as_ref().map(|r| r.canonical.as_str());
    let json = args.format == GraphFormat::Json;
    match (args.format, &focus) {
        (GraphFormat::Dot, _) if !ctx.out.json() => ctx.out.raw(dot(&graph, focus_name).as_bytes())?,
        (GraphFormat::Mermaid, _) if !ctx.out.json() => ctx.out.raw(mermaid(&graph, focus_name).as_bytes())?,
        (_, Some(r)) => ctx
            .out
            .emit_as(&type_report(&graph, &r.canonical, r.alias.clone()), json)?,
        (_, None) => ctx.out.emit_as(&graph_report(&graph), json)?,
    }
    Ok(exit::OK)
}
