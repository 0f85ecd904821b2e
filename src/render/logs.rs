//! `polycache logs --stats` for people.

use crate::escape;
use crate::logs::stats::LogReport;
use crate::output::Render;
use crate::style::Style;

impl Render for LogReport {
    fn human(&self, style: Style) -> String {
        stats_text(self, style)
    }
}

fn stats_text(r: &LogReport, style: Style) -> String {
    let mut out = String::new();
    if r.entries == 0 {
        out.push_str(&match r.not_json {
            0 => "nothing to count: the log has no entries\n".to_string(),
            n => format!("nothing to count: the log has no entries, only {n} line(s) that are not JSON\n"),
        });
        return out;
    }
    let time = |ms: Option<i64>| ms.map(|t| crate::logs::format::human_time(t, r.utc));
    let span = match (time(r.span.first_ms), time(r.span.last_ms)) {
        (Some(f), Some(l)) => format!(" from {f} to {l}"),
        _ => String::new(),
    };
    out.push_str(&format!(
        "{} entries{span}; {} line(s) not JSON\n\n",
        r.entries, r.not_json
    ));
    let mut t = super::table(style, &["level", "entries"]);
    for l in &r.levels {
        t.add_row(vec![escape::text(&l.level).into_owned(), l.count.to_string()]);
    }
    out.push_str(&format!("{}\n\n", super::show(t)));
    let mut t = super::table(style, &["module", "entries"]);
    for m in &r.modules {
        t.add_row(vec![escape::text(&m.module).into_owned(), m.count.to_string()]);
    }
    out.push_str(&format!("{}\n", super::show(t)));
    if r.mirrors.is_empty() {
        out.push_str("\nno mirror entries\n");
        return out;
    }
    let mut t = super::table(
        style,
        &[
            "mirror target",
            "ok",
            "failed",
            "p50 ms",
            "p95 ms",
            "max ms",
            "first",
            "last",
        ],
    );
    for m in &r.mirrors {
        let d = |f: fn(&crate::logs::stats::Durations) -> f64| {
            m.duration_ms.as_ref().map_or("-".into(), |d| f(d).to_string())
        };
        let shown = match &m.name {
            Some(n) => format!("{} ({})", escape::text(n), escape::text(&m.target)),
            None => escape::text(&m.target).into_owned(),
        };
        t.add_row(vec![
            shown,
            m.successes.to_string(),
            m.failures.to_string(),
            d(|d| d.p50),
            d(|d| d.p95),
            d(|d| d.max),
            time(m.span.first_ms).unwrap_or_default(),
            time(m.span.last_ms).unwrap_or_default(),
        ]);
    }
    out.push_str(&format!("\n{}\n", super::show(t)));
    for m in &r.mirrors {
        for e in &m.errors {
            out.push_str(&format!(
                "{} {}: {}× {}\n",
                style.red("failed"),
                m.name.as_deref().map_or_else(|| escape::text(&m.target), escape::text),
                e.count,
                escape::text(&e.message)
            ));
        }
    }
    out
}
