//! How results look: tables and colour for people, JSON for scripts. Nothing here prints:
//! these functions build text that the [`Printer`](crate::output::Printer) writes.

use comfy_table::{Attribute, Cell, Color, ColumnConstraint, ContentArrangement, Table, Width, presets};
use unicode_width::UnicodeWidthStr;

pub use crate::duration::fmt_ttl;
pub use crate::style::{ColorChoice, Style};
pub use crate::units::fmt_bytes;

pub mod check;
mod config;
pub mod demo;
mod doctor;
pub mod graph;
mod invalidate;
mod logs;
pub mod redis;
pub mod sarif;
pub mod serve;
pub mod stream;
mod top;

/// A table in the house style, with the given header.
///
/// Colour goes through comfy-table's own cell styling (never ANSI codes inside the text,
/// which it would count as width): the header is bold when `style.color`, and
/// [`styled`] gives a body cell a colour or an attribute the same way.
///
/// Width: on a terminal the table fits its width (or `COLUMNS`, when set); where the width
/// is unknown or absurd (a pseudo-terminal of size 0, as `script` makes, or no terminal at
/// all) cells are never wrapped, rather than squeezed to one character per line.
pub fn table(style: Style, header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_style(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(
            header
                .iter()
                .map(|h| styled(style, h, None).add_attribute(Attribute::Bold)),
        );
    // comfy-table never asks the terminal itself: the width and colour come in `style`.
    t.force_no_tty();
    if style.color {
        t.enforce_styling();
    }
    match style.width {
        Some(w) => {
            t.set_width(w);
        }
        None => {
            t.set_content_arrangement(ContentArrangement::Disabled);
        }
    }
    t
}

/// A table built with [`table`] as text, never splitting a word, number, URL or command:
/// each column is at least as wide as its longest token (cells wrap only at spaces), a
/// column with nothing in its body is not drawn, and a table that cannot fit its width that
/// way is shown as records instead, one block of `header: value` lines per row (as psql's
/// `\x auto` does).
pub fn show(mut t: Table) -> String {
    let text = |cells: std::slice::Iter<'_, Cell>| -> Vec<String> { cells.map(Cell::content).collect() };
    let header = t.header().map(|h| text(h.cell_iter())).unwrap_or_default();
    let rows: Vec<Vec<String>> = t.row_iter().map(|r| text(r.cell_iter())).collect();
    let columns = rows.iter().map(Vec::len).chain([header.len()]).max().unwrap_or(0);
    let longest_token = |s: &str| s.split_whitespace().map(UnicodeWidthStr::width).max().unwrap_or(0);
    let mut widths = vec![0usize; columns];
    let mut filled = vec![rows.is_empty(); columns];
    for row in std::iter::once(&header).chain(&rows) {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(longest_token(cell));
        }
    }
    for row in &rows {
        for (i, cell) in row.iter().enumerate() {
            filled[i] |= !cell.trim().is_empty();
        }
    }
    let mut need = 1;
    for (i, column) in t.column_iter_mut().enumerate() {
        if !filled.get(i).copied().unwrap_or(true) {
            column.set_constraint(ColumnConstraint::Hidden);
            continue;
        }
        let w = widths.get(i).copied().unwrap_or(0) + usize::from(column.padding_width());
        need += w + 1;
        column.set_constraint(ColumnConstraint::LowerBoundary(Width::Fixed(
            u16::try_from(w).unwrap_or(u16::MAX),
        )));
    }
    match t.width() {
        Some(width) if need > usize::from(width) => records(&header, &rows, &filled),
        _ => format!("{t}"),
    }
}

/// Rows as blocks of `header: value` lines, values aligned, empty values and empty columns
/// left out; a blank line between blocks.
fn records(header: &[String], rows: &[Vec<String>], filled: &[bool]) -> String {
    let name_width = header.iter().map(|h| h.width()).max().unwrap_or(0);
    let mut out = String::new();
    for (n, row) in rows.iter().enumerate() {
        if n > 0 {
            out.push('\n');
        }
        for (i, value) in row.iter().enumerate() {
            if !filled.get(i).copied().unwrap_or(true) || value.trim().is_empty() {
                continue;
            }
            let name = header.get(i).map_or("", String::as_str);
            let pad = " ".repeat(name_width.saturating_sub(name.width()));
            // Continuation lines of a value keep its column.
            let indent = " ".repeat(name_width + 2);
            let value = value.lines().collect::<Vec<_>>().join(&format!("\n{indent}"));
            out.push_str(&format!("{name}:{pad} {value}\n"));
        }
    }
    out.trim_end_matches('\n').to_string()
}

/// Hints under a table instead of in a column: each distinct one once, numbered, and the
/// row's cell points at its number (`... [2]`).
#[derive(Debug, Default)]
pub struct Notes(Vec<String>);

impl Notes {
    /// `text`, pointing at `hint`'s number when there is a hint.
    pub fn mark(&mut self, text: &str, hint: Option<&str>) -> String {
        let Some(h) = hint.filter(|h| !h.is_empty()) else {
            return text.to_string();
        };
        let n = match self.0.iter().position(|x| x == h) {
            Some(i) => i + 1,
            None => {
                self.0.push(h.to_string());
                self.0.len()
            }
        };
        format!("{text} [{n}]")
    }

    /// The numbered hints, one per line, fitted to the terminal.
    pub fn text(&self, st: Style) -> String {
        self.0
            .iter()
            .enumerate()
            .map(|(i, h)| format!("{}\n", st.wrap(&format!("[{}] {h}", i + 1), "    ")))
            .collect()
    }
}

/// A body cell, coloured through comfy-table's styling when `style.color` (plain otherwise).
pub fn styled(style: Style, text: &str, color: Option<Color>) -> Cell {
    let mut cell = Cell::new(text);
    if style.color
        && let Some(c) = color
    {
        cell = cell.fg(c);
    }
    cell
}

/// A body cell shown dim when `style.color` (unset values, placeholders).
pub fn dim_cell(style: Style, text: &str) -> Cell {
    let cell = Cell::new(text);
    if style.color {
        cell.add_attribute(Attribute::Dim)
    } else {
        cell
    }
}

/// The tree form of one type: what it is built from and what invalidating it clears.
pub fn tree_text(r: &crate::graph::TypeReport, st: Style) -> String {
    tree_text_marked(r, st, &|_| false)
}

/// [`tree_text`], with the cleared types `stale` says so marked "stale in browsers".
pub fn tree_text_marked(r: &crate::graph::TypeReport, st: Style, stale: &dyn Fn(&str) -> bool) -> String {
    let mut out = String::new();
    if let Some(a) = &r.alias {
        out.push_str(&format!(
            "{}\n",
            st.dim(&format!("`{a}` is an alias of `{}`", r.type_name))
        ));
    }
    out.push_str(&format!("{} {}\n", st.bold("type:"), st.cyan(&r.type_name)));
    out.push_str(&format!("{} {}\n\n", st.bold("graph:"), r.source));

    // The two headings are prose: fitted to the terminal, continuation lines indented.
    let line = |head: String, rest: String| format!("{}\n", st.wrap(&format!("{}{rest}", st.bold(&head)), "  "));
    let by = format!("{} is invalidated by", r.type_name);
    if r.invalidated_by.is_empty() {
        out.push_str(&line(by, ": nothing (it is built from no other type)".into()));
    } else {
        out.push_str(&line(by, format!(": {}", r.invalidated_by.join(", "))));
        draw_tree(&r.invalidated_by_tree, st, &|_| false, &mut out);
    }
    out.push('\n');

    let clears = format!("invalidating {} clears", r.type_name);
    if r.clears.len() == 1 {
        out.push_str(&line(
            clears,
            format!(": only {} (nothing is built from it)", r.type_name),
        ));
    } else {
        out.push_str(&line(clears, format!(" (in clearing order): {}", r.clears.join(", "))));
        draw_tree(&r.clears_tree, st, stale, &mut out);
    }
    out
}

/// Draws a tree with box-drawing branches; a repeated node is marked instead of expanded,
/// and a node `stale` says so is marked "stale in browsers".
fn draw_tree(root: &crate::graph::TreeNode, st: Style, stale: &dyn Fn(&str) -> bool, out: &mut String) {
    out.push_str(&format!("{}\n", st.cyan(&root.name)));
    fn walk(node: &crate::graph::TreeNode, prefix: &str, st: Style, stale: &dyn Fn(&str) -> bool, out: &mut String) {
        for (i, child) in node.children.iter().enumerate() {
            let last = i + 1 == node.children.len();
            let branch = if last { "└── " } else { "├── " };
            let mut mark = if child.repeated {
                st.dim(" (see above)")
            } else {
                String::new()
            };
            if !child.repeated && stale(&child.name) {
                mark.push_str(&st.red("  ✗ stale in browsers"));
            }
            out.push_str(&format!("{prefix}{branch}{}{mark}\n", child.name));
            let next = format!("{prefix}{}", if last { "    " } else { "│   " });
            walk(child, &next, st, stale, out);
        }
    }
    walk(root, "", st, stale, out);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_ttls_read_well() {
        assert_eq!(fmt_bytes(312), "312 B");
        assert_eq!(fmt_bytes(4200), "4.1 KiB");
        assert_eq!(fmt_bytes(1 << 20), "1.0 MiB");
        assert_eq!(fmt_ttl(850), "850ms");
        assert_eq!(fmt_ttl(42_000), "42s");
        assert_eq!(fmt_ttl(3_552_000), "59m 12s");
        assert_eq!(fmt_ttl(11_100_000), "3h 5m");
        assert_eq!(fmt_ttl(187_200_000), "2d 4h");
    }
}
