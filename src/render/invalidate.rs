//! `polycache invalidate` for people: the result table and the dry-run plan.

use std::time::Duration;

use comfy_table::{Cell, Color};

use std::collections::BTreeMap;

use crate::check::browser::{BrowserHalf, WithBrowsers};
use crate::client::run::{DryRun, RunReport};
use crate::duration::human;
use crate::hint::Hint;
use crate::output::Render;
use crate::style::Style;

/// The result table, with the summary line under it.
impl Render for RunReport {
    fn human(&self, style: Style) -> String {
        table(self, style)
    }
}

fn table(report: &RunReport, style: Style) -> String {
    let mut header = vec!["target", "type", "status", "cleared", "latency"];
    if report.verified {
        header.extend(["on stream", "propagation"]);
    }
    header.push("error");
    let mut t = super::table(style, &header);
    if style.color {
        // Colour goes through comfy-table's own cell styling: ANSI codes inside the text
        // would be counted as width and split when a cell wraps.
        t.enforce_styling();
    }
    let paint = |text: String, good: bool| {
        let cell = Cell::new(text);
        match (style.color, good) {
            (false, _) => cell,
            (true, true) => cell.fg(Color::Green),
            (true, false) => cell.fg(Color::Red),
        }
    };
    let mut notes = super::Notes::default();
    for r in &report.results {
        let o = &r.outcome;
        let mut status = match o.status {
            _ if r.relayed => "relayed".to_string(),
            _ if matches!(o.error, Some(crate::client::InvalidateError::Interrupted { .. })) => {
                "interrupted".to_string()
            }
            Some(s) if o.is_ok() => format!("ok {s}"),
            None if o.is_ok() => "ok".to_string(),
            Some(s) => format!("failed {s}"),
            None => "failed".to_string(),
        };
        if o.attempts > 1 {
            status.push_str(&format!(" ({} tries)", o.attempts));
        }
        let kind = match &report.id {
            Some(id) => format!("{} id={}", r.kind, crate::escape::text(id)),
            None => r.kind.clone(),
        };
        let mut row = vec![
            Cell::new(&o.target),
            Cell::new(kind),
            paint(status, r.ok || (o.is_ok() && !r.relayed)),
            Cell::new(o.invalidated.join(", ")),
            Cell::new(if o.attempts == 0 { "-".into() } else { human(o.latency) }),
        ];
        let mut error = match &o.error {
            // The target and the status have their own columns.
            Some(e) => notes.mark(&e.detail(), e.hint().as_deref()),
            None => String::new(),
        };
        if report.verified {
            match &r.verify {
                Some(v) if v.seen => {
                    let id = v.event_id.as_deref().map(|i| format!(" #{i}")).unwrap_or_default();
                    row.push(paint(format!("yes{id}"), true));
                    let ms = v.propagation_ms.map(|ms| human(Duration::from_millis(ms)));
                    row.push(Cell::new(ms.unwrap_or_default()));
                }
                Some(v) => {
                    row.push(paint("no".into(), false));
                    row.push(Cell::new("-"));
                    error = v.error.clone().unwrap_or_default();
                }
                None => {
                    row.push(Cell::new("-"));
                    row.push(Cell::new("-"));
                }
            }
        }
        row.push(Cell::new(error));
        t.add_row(row);
    }
    let failed: Vec<&str> = report
        .results
        .iter()
        .filter(|r| !r.ok)
        .map(|r| r.outcome.target.as_str())
        .collect();
    let mut out = format!("{}\n{}", super::show(t), notes.text(style));
    let total = report.results.len();
    if failed.is_empty() {
        out.push_str(&style.green(&format!("{total} of {total} invalidations succeeded")));
    } else {
        let mut names = failed.clone();
        names.dedup();
        out.push_str(&style.red(&format!(
            "{} of {total} invalidations failed: {}",
            failed.len(),
            names.join(", ")
        )));
    }
    out.push('\n');
    if report.via_server {
        let mirrored = report.results.iter().any(|r| r.outcome.mirrored == Some(true));
        out.push_str(&style.dim(if mirrored {
            "the local server broadcasts to its own mirrors (mirrored: true)\n"
        } else {
            "the local server did not report broadcasting to mirrors\n"
        }));
    }
    out
}

impl Render for DryRun {
    fn human(&self, s: Style) -> String {
        dry_run_text(self, s, &BTreeMap::new())
    }
}

/// The dry run with what browsers do on each type's event.
impl Render for WithBrowsers<DryRun> {
    fn human(&self, s: Style) -> String {
        dry_run_text(&self.inner, s, &self.browsers)
    }
}

fn dry_run_text(d: &DryRun, s: Style, browsers: &BTreeMap<String, BrowserHalf>) -> String {
    let mut out = format!(
        "{}\n{} {}\n",
        s.yellow("dry run: nothing is sent (no login either)"),
        s.dim("auth:"),
        d.auth
    );
    for (i, p) in d.requests.iter().enumerate() {
        if i == 0 || d.requests[i - 1].base != p.base {
            out.push_str(&format!(
                "\n{} {}\n",
                s.bold(&p.target),
                s.dim(&format!("({})", p.base))
            ));
        }
        out.push_str(&format!("  {} {}\n", p.method, p.url));
        if let Some(headers) = p.headers.as_object() {
            for (k, v) in headers {
                out.push_str(&format!("  {k}: {}\n", v.as_str().unwrap_or_default()));
            }
        }
        out.push_str(&format!(
            "  {}\n  {} {}\n",
            serde_json::to_string(&p.body).unwrap_or_default(),
            s.dim("clears (graph):"),
            p.cascade.join(", ")
        ));
        if let Some(b) = browsers.get(&p.body.type_name) {
            out.push_str(&format!("  {}\n", super::graph::browser_line(b, &p.body.type_name, &s)));
        }
        if let Some(r) = &p.refused {
            out.push_str(&format!("  {} {r}\n", s.red("would be refused:")));
        }
    }
    if d.via_server {
        out.push_str(&format!(
            "\n{}\n",
            s.dim("mirror: true: the local server broadcasts on to its own CACHE_MIRRORS")
        ));
    }
    out
}
