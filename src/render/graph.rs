//! `polycache graph` for people: the tree of one type, the table of all, dot and Mermaid.

use std::collections::BTreeSet;

use crate::graph::{Graph, GraphReport, TypeReport};
use crate::output::Render;
use crate::style::Style;

impl Render for GraphReport {
    fn human(&self, st: Style) -> String {
        whole_text(self, st)
    }
}

impl Render for TypeReport {
    fn human(&self, st: Style) -> String {
        super::tree_text(self, st)
    }
}

fn whole_text(graph: &GraphReport, st: Style) -> String {
    let mut out = format!("{} {}\n", st.bold("graph:"), graph.source);
    let mut t = super::table(st, &["type", "built from", "invalidating it clears"]);
    for ty in &graph.types {
        let deps = strings(graph.dependencies.get(ty));
        let built = if deps.is_empty() {
            super::dim_cell(st, "-")
        } else {
            comfy_table::Cell::new(deps.join(", "))
        };
        t.add_row(vec![
            super::styled(st, ty, Some(comfy_table::Color::Cyan)),
            built,
            comfy_table::Cell::new(strings(graph.cascades.get(ty)).join(", ")),
        ]);
    }
    out.push_str(&super::show(t));
    out.push('\n');
    out
}

/// The strings of a JSON array (the report keeps the graph as JSON maps).
fn strings(v: Option<&serde_json::Value>) -> Vec<&str> {
    v.and_then(|v| v.as_array())
        .map(|a| a.iter().filter_map(|x| x.as_str()).collect())
        .unwrap_or_default()
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
    use crate::graph::type_report;

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
        let text = super::super::tree_text(&type_report(&g, "pictures", None), Style::plain());
        assert!(
            text.contains("invalidating pictures clears (in clearing order): pictures, posts, pages, feed"),
            "{text}"
        );
        assert!(text.contains("pictures is invalidated by: nothing"), "{text}");
    }
}
