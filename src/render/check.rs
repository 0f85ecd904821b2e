//! `polycache check` for people: a table of findings per file, then a summary.

use std::collections::BTreeMap;

use crate::check::{CheckReport, Finding};
use crate::output::Render;
use crate::style::Style;

/// Findings grouped by file, one table each; then what could not be checked; then a summary.
impl Render for CheckReport {
    fn human(&self, st: Style) -> String {
        text(self, st)
    }
}

fn text(r: &CheckReport, st: Style) -> String {
    let mut out = String::new();
    section(&mut out, &r.findings, st, false);
    if !r.not_checkable.is_empty() {
        out.push_str(&format!(
            "{}\n",
            st.yellow("not checkable (the type is known only at run time):")
        ));
        section(&mut out, &r.not_checkable, st, true);
    }
    if !r.unreadable.is_empty() {
        out.push_str(&format!("{}\n", st.red("unreadable:")));
        section(&mut out, &r.unreadable, st, false);
    }
    let checked = format!(
        "{} types and {} aliases from {}; {} appCache calls in {} files under {}; {} names handled in {}",
        r.types.len(),
        r.aliases.len(),
        r.graph,
        r.call_sites,
        r.files_scanned,
        r.server_dir,
        r.handled.len(),
        r.invalidator
    );
    if r.findings.is_empty() && r.unreadable.is_empty() {
        out.push_str(&format!("{} nothing to fix: {checked}\n", st.green("✓")));
    } else {
        let files: std::collections::BTreeSet<&str> = r.findings.iter().map(|f| f.file.as_str()).collect();
        out.push_str(&format!(
            "{} {} in {} ({checked})\n",
            st.red("✗"),
            plural(r.findings.len(), "finding"),
            plural(files.len(), "file"),
        ));
    }
    out
}

/// `plain_kind`: the rows are not findings (not checkable): a dim `-` instead of the kind.
fn section(out: &mut String, findings: &[Finding], st: Style, plain_kind: bool) {
    let mut by_file: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in findings {
        by_file.entry(f.file.as_str()).or_default().push(f);
    }
    for (file, list) in by_file {
        out.push_str(&format!("{}\n", st.bold(&crate::ts::escape(file))));
        let mut t = super::table(st, &["line:col", "kind", "finding"]);
        for f in list {
            // Colour through comfy-table's cell styling, never inside the text.
            let kind = if plain_kind {
                super::dim_cell(st, "-")
            } else {
                super::styled(st, f.kind.label(), Some(comfy_table::Color::Red))
            };
            t.add_row(vec![
                comfy_table::Cell::new(format!("{}:{}", f.line, f.column)),
                kind,
                comfy_table::Cell::new(&f.message),
            ]);
        }
        out.push_str(&super::show(t));
        out.push_str("\n\n");
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}
