//! `polycache doctor` for people: one row per check, then the count.

use comfy_table::{Cell, Color};

use crate::doctor::{Check, DoctorReport, Status};
use crate::output::Render;
use crate::style::Style;

impl Render for DoctorReport {
    fn human(&self, st: Style) -> String {
        table(&self.checks, st)
    }
}

fn table(checks: &[Check], st: Style) -> String {
    // The hint column only when some row has a hint.
    let hints = checks.iter().any(|c| c.hint.is_some());
    let header: &[&str] = if hints {
        &["", "check", "detail", "hint"]
    } else {
        &["", "check", "detail"]
    };
    let mut t = super::table(st, header);
    if st.color {
        // Colour through comfy-table's cell styling, so it never counts as width.
        t.enforce_styling();
    }
    for c in checks {
        let (mark, colour) = match c.status {
            Status::Pass => ("✓", Color::Green),
            Status::Warn => ("!", Color::Yellow),
            Status::Fail => ("✗", Color::Red),
        };
        let mut mark = Cell::new(mark);
        if st.color {
            mark = mark.fg(colour);
        }
        let mut row = vec![mark, Cell::new(&c.check), Cell::new(&c.detail)];
        if hints {
            row.push(Cell::new(c.hint.as_deref().unwrap_or_default()));
        }
        t.add_row(row);
    }
    let count = |s: Status| checks.iter().filter(|c| c.status == s).count();
    let (passed, warned, failed) = (count(Status::Pass), count(Status::Warn), count(Status::Fail));
    let mut line = format!("{passed} passed");
    if warned > 0 {
        line.push_str(&format!(", {warned} to look at"));
    }
    if failed > 0 {
        line.push_str(&format!(", {failed} failed"));
    }
    let line = if failed > 0 { st.red(&line) } else { st.green(&line) };
    format!("{}\n{line}\n", super::show(t))
}
