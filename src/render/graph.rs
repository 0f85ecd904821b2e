//! `polycache graph` for people: the tree of one type, the table of all, dot and Mermaid.

use std::collections::BTreeSet;

use crate::check::browser::{BrowserHalf, Cascade};
use crate::escape;
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

/// The server's tree with the stale types marked, then what browsers reset.
impl Render for Cascade {
    fn human(&self, st: Style) -> String {
        let stale = stale_names(self.browsers.as_ref());
        let mut out = super::tree_text_marked(&self.server, st, &|n| stale.contains(n));
        if let Some(b) = &self.browsers {
            out.push('\n');
            out.push_str(&browser_text(b, &self.server.type_name, st));
        }
        out
    }
}

/// The types a browser half calls stale.
pub fn stale_names(b: Option<&BrowserHalf>) -> BTreeSet<String> {
    b.map(|b| b.stale.iter().map(|s| s.type_name.clone()).collect())
        .unwrap_or_default()
}

/// What browsers reset on the event for `t`, and what they keep.
fn browser_text(b: &BrowserHalf, t: &str, st: Style) -> String {
    // The type's name came from a file: shown escaped, as every outside text is.
    let t = &*escape::text(t);
    let mut lines: Vec<(String, &str)> = Vec::new();
    match (&b.handled_as, b.line) {
        (Some(name), Some(line)) => {
            let name = escape::text(name);
            let via = if name == t {
                String::new()
            } else {
                format!(" (as its alias `{name}`)")
            };
            let what = resets_text(b);
            lines.push((
                format!(
                    "{}{via}: {what} ({}:{line})",
                    st.bold(&format!("browsers receiving {t} reset")),
                    escape::text(&b.file)
                ),
                "  ",
            ));
        }
        _ => lines.push((
            format!(
                "{} {}",
                st.bold(&format!("browsers receiving {t} reset nothing:")),
                st.red(&format!("{} has no case for `{t}`", escape::text(&b.file)))
            ),
            "  ",
        )),
    }
    if b.open {
        lines.push((
            st.dim("a call there may reset any key (no key, a predicate or a variable): nothing is called stale"),
            "",
        ));
    } else if b.stale.is_empty() {
        lines.push((
            format!("{} browsers reset every type the server clears", st.green("✓")),
            "  ",
        ));
    } else {
        lines.push((
            st.bold(&st.red("stale in browsers (the server clears them, browsers keep them):")),
            "  ",
        ));
        for s in &b.stale {
            let at = if s.file == b.file {
                format!("line {}", s.line)
            } else {
                format!("{}:{}", escape::text(&s.file), s.line)
            };
            lines.push((
                format!(
                    "  {} {}: browsers keep {}, reset by its own case ({at})",
                    st.red("✗"),
                    escape::text(&s.type_name),
                    keys_list(&s.missing)
                ),
                "    ",
            ));
        }
    }
    lines
        .into_iter()
        .map(|(l, indent)| st.wrap(&l, indent) + "\n")
        .collect()
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

/// Query keys as one list, escaped.
fn keys_list(keys: &[String]) -> String {
    keys.iter().map(|k| escape::text(k)).collect::<Vec<_>>().join(", ")
}

/// What a case resets: its literal keys, and that some are known only at run time; `nothing`.
fn resets_text(b: &BrowserHalf) -> String {
    let mut what = keys_list(&b.resets);
    if b.dynamic {
        what.push_str(if what.is_empty() { "" } else { ", " });
        what.push_str("keys known only at run time");
    }
    if what.is_empty() {
        what = "nothing".into();
    }
    what
}

/// One line: the keys browsers reset on an event named `sent`, and the types they keep.
pub fn browser_line(b: &BrowserHalf, sent: &str, s: &Style) -> String {
    let mut line = match &b.handled_as {
        Some(_) => s.dim(&format!("browsers reset {}", resets_text(b))),
        None => s.yellow(&format!(
            "browsers reset nothing: {} has no case for `{}`",
            escape::text(&b.file),
            escape::text(sent)
        )),
    };
    if b.open {
        line.push_str(&s.dim(" (and maybe any key)"));
    } else if !b.stale.is_empty() {
        let names: Vec<String> = b
            .stale
            .iter()
            .map(|t| escape::text(&t.type_name).into_owned())
            .collect();
        line.push_str(&s.yellow(&format!("; stale in browsers: {}", names.join(", "))));
    }
    line
}

/// Graphviz dot of the whole graph. Edges point the way invalidation flows: from a type to
/// what is built from it. The focused type and its cascade are filled; the types of the
/// cascade that browsers keep (`stale`) get a red dashed border and say so.
pub fn dot(graph: &Graph, focus: Option<&str>, stale: &BTreeSet<String>) -> String {
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
            " [style=\"rounded,filled,bold\", fillcolor=\"#f4a261\", penwidth=2]".to_string()
        } else if stale.contains(t) {
            format!(
                " [style=\"rounded,filled,dashed\", fillcolor=\"#ffe8a3\", color=\"#d62828\", penwidth=2, label={}]",
                quote(&format!("{t}\nstale in browsers"))
            )
        } else if cleared.contains(t) {
            " [style=\"rounded,filled\", fillcolor=\"#ffe8a3\"]".to_string()
        } else {
            String::new()
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

/// A Mermaid flowchart of the whole graph, in the same direction as [`dot`], with the same
/// marks.
pub fn mermaid(graph: &Graph, focus: Option<&str>, stale: &BTreeSet<String>) -> String {
    // Node ids are positional so that any type name is a valid Mermaid id.
    let id = |t: &str| format!("n{}", graph.types().iter().position(|x| x == t).unwrap_or(0));
    let mut out = String::from("flowchart LR\n");
    for t in graph.types() {
        let note = if stale.contains(t) {
            "<br/>stale in browsers"
        } else {
            ""
        };
        out.push_str(&format!("  {}[\"{}{note}\"]\n", id(t), t.replace('"', "#quot;")));
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
        let stale: Vec<String> = graph
            .types()
            .iter()
            .filter(|t| stale.contains(*t))
            .map(|t| id(t))
            .collect();
        if !stale.is_empty() {
            out.push_str("  classDef stale fill:#ffe8a3,stroke:#d62828,stroke-width:2px,stroke-dasharray:5 3\n");
            out.push_str(&format!("  class {} stale\n", stale.join(",")));
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
        let d = dot(&g, Some("pictures"), &BTreeSet::new());
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
        let m = mermaid(&g, Some("types"), &BTreeSet::new());
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
