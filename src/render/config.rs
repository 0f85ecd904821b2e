//! `polycache config` for people.

use crate::config::ConfigReport;
use crate::output::Render;
use crate::style::Style;

impl Render for ConfigReport {
    fn human(&self, st: Style) -> String {
        let report = self;
        let mut out = String::new();
        match &report.env_file {
            Some(p) => out.push_str(&format!("{} {}\n", st.bold(".env:"), p)),
            None => out.push_str(&format!(
                "{} none found (searched from {} up to the repository root, or the home directory)\n",
                st.bold(".env:"),
                report.searched_from.display()
            )),
        }
        let mut t = super::table(st, &["variable", "value", "source"]);
        for row in &report.settings {
            let value = if row.set {
                comfy_table::Cell::new(&row.value)
            } else {
                super::dim_cell(st, &row.value)
            };
            t.add_row(vec![
                comfy_table::Cell::new(row.name),
                value,
                // The .env's path is the heading above: `.env` here keeps every row short.
                comfy_table::Cell::new(match &row.source {
                    crate::config::Source::DotEnv(_) => ".env".to_string(),
                    other => other.to_string(),
                }),
            ]);
        }
        out.push_str(&super::show(t));
        out.push('\n');
        if !report.mirrors.is_empty() {
            out.push_str(&format!("{} {}\n", st.bold("mirrors:"), report.mirrors.join(", ")));
        }
        for w in &report.warnings {
            out.push_str(&format!("{} {w}\n", st.yellow("warning:")));
        }
        out
    }
}
