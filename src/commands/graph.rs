//! `polycache graph [TYPE]`: the dependency cascade of a type, or the whole graph, as a
//! tree, Graphviz dot, Mermaid or JSON.

use std::collections::BTreeSet;

use serde::Serialize;

use super::Context;
use crate::cli::{GraphArgs, GraphFormat};
use crate::error::Failure;
use crate::graph::{Graph, type_report};
use crate::render::{self, Style, tree_text};

/// The whole graph.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GraphReport {
    pub source: String,
    pub types: Vec<String>,
    pub dependencies: serde_json::Map<String, serde_json::Value>,
    pub cascades: serde_json::Map<String, serde_json::Value>,
}

pub fn run(ctx: &Context, args: &GraphArgs) -> Result<String, Failure> {
    let graph = ctx.graph()?;
    let format = if ctx.global.json {
        GraphFormat::Json
    } else {
        args.format
    };
    let focus = match &args.r#type {
        Some(t) => Some(graph.resolve(t)?),
        None => None,
    };
    let focus_name = focus.as_ref().map(|r| r.canonical.as_str());
    Ok(match format {
        GraphFormat::Dot => dot(&graph, focus_name),
        GraphFormat::Mermaid => mermaid(&graph, focus_name),
        GraphFormat::Json => match &focus {
            Some(r) => render::json(&type_report(&graph, &r.canonical, r.alias.clone())),
            None => render::json(&graph_report(&graph)),
        },
        GraphFormat::Tree => match &focus {
            Some(r) => tree_text(&type_report(&graph, &r.canonical, r.alias.clone()), ctx.style),
            None => whole_text(&graph, ctx.style),
        },
    })
}

pub fn graph_report(graph: &Graph) -> GraphReport {
    let list = |v: Vec<String>| serde_json::Value::Array(v.into_iter().map(serde_json::Value::String).collect());
    GraphReport {
        source: graph.source.to_string(),
        types: graph.types().to_vec(),
        dependencies: graph
            .entries()
            .iter()
            .map(|(k, v)| (k.clone(), list(v.clone())))
            .collect(),
        cascades: graph
            .types()
            .iter()
            .map(|t| (t.clone(), list(graph.cascade(t))))
            .collect(),
    }
}

fn whole_text(graph: &Graph, st: Style) -> String {
    let mut out = format!("{} {}\n", st.bold("graph:"), graph.source);
    let mut t = render::table(st, &["type", "built from", "invalidating it clears"]);
    for ty in graph.types() {
        let deps = graph.dependencies(ty);
        let built = if deps.is_empty() {
            render::dim_cell(st, "-")
        } else {
            comfy_table::Cell::new(deps.join(", "))
        };
        t.add_row(vec![
            render::styled(st, ty, Some(comfy_table::Color::Cyan)),
            built,
            comfy_table::Cell::new(graph.cascade(ty).join(", ")),
        ]);
    }
    out.push_str(&t.to_string());
    out.push('\n');
    out
}

fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Graphviz dot of the whole graph. Edges point the way invalidation flows: from a type to
/// what is built from it. The focused type and its cascade are filled.
pub fn dot(graph: &Graph, focus: Option<&str>) -> String {
    let cleared: BTreeSet<String> = focus
        .map(|f| graph.cascade(f).into_iter().collect())
        .unwrap_or_default();
    let title = match focus {
        Some(f) => format!("invalidating {f} clears {}", graph.cascade(f).join(", ")),
        None => format!("polycache dependency graph ({})", graph.source),
    };
    let mut out = String::from("digraph polycache {\n  rankdir=LR;\n");
    out.push_str(&format!("  label={};\n  labelloc=t;\n", quote(&title)));
    out.push_str("  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n");
    for t in graph.types() {
        let attrs = if Some(t.as_str()) == focus {
            " [style=\"rounded,filled,bold\", fillcolor=\"#f4a261\", penwidth=2]"
        } else if cleared.contains(t) {
            " [style=\"rounded,filled\", fillcolor=\"#ffe8a3\"]"
        } else {
            ""
        };
        out.push_str(&format!("  {}{attrs};\n", quote(t)));
    }
    for (ty, deps) in graph.entries() {
        for d in deps {
            let hot = cleared.contains(d) && cleared.contains(ty);
            let attrs = if hot { " [color=\"#e76f51\", penwidth=2]" } else { "" };
            out.push_str(&format!("  {} -> {}{attrs};\n", quote(d), quote(ty)));
        }
    }
    out.push_str("}\n");
    out
}

/// A Mermaid flowchart of the whole graph, in the same direction as [`dot`].
pub fn mermaid(graph: &Graph, focus: Option<&str>) -> String {
    // Node ids are positional so that any type name is a valid Mermaid id.
    let id = |t: &str| format!("n{}", graph.types().iter().position(|x| x == t).unwrap_or(0));
    let mut out = String::from("flowchart LR\n");
    for t in graph.types() {
        out.push_str(&format!("  {}[\"{}\"]\n", id(t), t.replace('"', "#quot;")));
    }
    for (ty, deps) in graph.entries() {
        for d in deps {
            out.push_str(&format!("  {} --> {}\n", id(d), id(ty)));
        }
    }
    if let Some(f) = focus {
        let rest: Vec<String> = graph.cascade(f).iter().skip(1).map(|t| id(t)).collect();
        out.push_str("  classDef target fill:#f4a261,stroke:#333,stroke-width:2px\n");
        out.push_str(&format!("  class {} target\n", id(f)));
        if !rest.is_empty() {
            out.push_str("  classDef cleared fill:#ffe8a3,stroke:#333\n");
            out.push_str(&format!("  class {} cleared\n", rest.join(",")));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_highlights_the_cascade() {
        let g = Graph::built_in();
        let d = dot(&g, Some("pictures"));
        assert!(d.starts_with("digraph polycache {"));
        assert!(d.contains("\"pictures\" [style=\"rounded,filled,bold\""));
        assert!(d.contains("\"feed\" [style=\"rounded,filled\""));
        assert!(d.contains("\"auth\";"));
        assert!(d.contains("\"pictures\" -> \"posts\" [color="));
        assert!(d.contains("\"types\" -> \"categories\";"));
    }

    #[test]
    fn mermaid_declares_every_node_and_edge() {
        let g = Graph::built_in();
        let m = mermaid(&g, Some("types"));
        let edges = g.entries().iter().map(|(_, d)| d.len()).sum::<usize>();
        assert_eq!(m.matches(" --> ").count(), edges);
        assert!(m.contains("class n"));
    }

    #[test]
    fn tree_text_of_pictures() {
        let g = Graph::built_in();
        let text = tree_text(&type_report(&g, "pictures", None), Style::plain());
        assert!(
            text.contains("invalidating pictures clears (in clearing order): pictures, posts, pages, feed"),
            "{text}"
        );
        assert!(text.contains("pictures is invalidated by: nothing"), "{text}");
    }
}
