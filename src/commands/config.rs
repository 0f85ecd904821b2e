//! `polycache config`: every setting, its value (secrets masked) and its source.

use serde::Serialize;

use super::Context;
use crate::config::ConfigRow;
use crate::render;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfigReport {
    pub env_file: Option<String>,
    pub settings: Vec<ConfigRow>,
    pub mirrors: Vec<String>,
    pub warnings: Vec<String>,
}

pub fn run(ctx: &Context) -> ConfigReport {
    let s = &ctx.settings;
    ConfigReport {
        env_file: s.env_file.as_ref().map(|p| p.display().to_string()),
        settings: s.rows(),
        mirrors: s.mirrors.clone(),
        warnings: s.warnings.clone(),
    }
}

pub fn render(report: &ConfigReport, ctx: &Context) -> String {
    if ctx.global.json {
        return render::json(report);
    }
    let st = ctx.style;
    let mut out = String::new();
    match &report.env_file {
        Some(p) => out.push_str(&format!("{} {}\n", st.bold(".env:"), p)),
        None => out.push_str(&format!(
            "{} none found (searched from {} up to the repository root)\n",
            st.bold(".env:"),
            ctx.cwd.display()
        )),
    }
    let mut t = render::table(st, &["variable", "value", "source"]);
    for row in &report.settings {
        let value = if row.set {
            comfy_table::Cell::new(&row.value)
        } else {
            render::dim_cell(st, &row.value)
        };
        t.add_row(vec![
            comfy_table::Cell::new(row.name),
            value,
            comfy_table::Cell::new(row.source.to_string()),
        ]);
    }
    out.push_str(&t.to_string());
    out.push('\n');
    if !report.mirrors.is_empty() {
        out.push_str(&format!("{} {}\n", st.bold("mirrors:"), report.mirrors.join(", ")));
    }
    for w in &report.warnings {
        out.push_str(&format!("{} {w}\n", st.yellow("warning:")));
    }
    out
}
