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
    // Hints go under the table, each distinct one once and numbered.
    let mut notes = super::Notes::default();
    let mut t = super::table(st, &["", "check", "detail"]);
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
        let detail = notes.mark(&c.detail, c.hint.as_deref());
        t.add_row(vec![mark, Cell::new(&c.check), Cell::new(detail)]);
    }
    let notes = notes.text(st);
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
    format!("{}\n{notes}{line}\n", super::show(t))
}
