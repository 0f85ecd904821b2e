//! How `polycache top` looks: one function, [`draw`], from a [`State`] to a ratatui frame.
//! Tables are laid out by [`fit`]: each column as wide as its widest cell, and the columns
//! that do not fit left out whole (the least useful first), so no word is ever cut.

use std::time::Duration;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Padding, Paragraph, Row, Sparkline, Table, Wrap};
use unicode_width::UnicodeWidthStr;

use super::model::{Overlay, State, StreamState, TargetKind};
use crate::duration::human;

/// Colour on or off, decided by `style.rs`'s rules (NO_COLOR, --color) before drawing.
#[derive(Debug, Clone, Copy)]
pub struct Theme {
    pub color: bool,
}

impl Theme {
    fn fg(self, c: Color) -> Style {
        if self.color { Style::new().fg(c) } else { Style::new() }
    }
    fn bold(self) -> Style {
        if self.color {
            Style::new().add_modifier(Modifier::BOLD)
        } else {
            Style::new()
        }
    }
    /// The selected row: reversed, which reads without colour too.
    fn selected(self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }
}

/// The keys, for the help overlay and the README.
pub const KEYS: &[(&str, &str)] = &[
    ("q, Ctrl-C", "quit"),
    ("p", "pause / resume the screen (counting goes on)"),
    ("↑ ↓", "select a type"),
    ("Enter", "show the selected type's cascade"),
    ("/", "filter types (Enter or Esc ends)"),
    ("s", "sort: recent, count, name"),
    ("i", "invalidate the selected type (asks y/n)"),
    ("?", "this help"),
];

/// Draws the whole screen.
pub fn draw(frame: &mut Frame, state: &State, theme: Theme) {
    let area = frame.area();
    let mirrors = state.targets.iter().filter(|t| t.kind == TargetKind::Mirror).count();
    let bottom = if state.log.is_some() || state.redis.is_some() {
        // A few lines for the log and Redis, more on a tall screen.
        (area.height / 4).clamp(4, 12)
    } else {
        0
    };
    let prop = if mirrors > 0 { mirrors as u16 + 2 } else { 0 };
    let [head, targets, types, propagation, lower, foot] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(state.targets.len() as u16 + 2),
        Constraint::Min(3),
        Constraint::Length(prop),
        Constraint::Length(bottom),
        Constraint::Length(1),
    ])
    .areas(area);
    header(frame, head, state, theme);
    targets_panel(frame, targets, state, theme);
    types_panel(frame, types, state, theme);
    if prop > 0 {
        propagation_panel(frame, propagation, state, theme);
    }
    if bottom > 0 {
        match (&state.log, &state.redis) {
            (Some(_), Some(_)) => {
                let [l, r] = Layout::horizontal([Constraint::Percentage(60), Constraint::Percentage(40)]).areas(lower);
                log_panel(frame, l, state, theme);
                redis_panel(frame, r, state, theme);
            }
            (Some(_), None) => log_panel(frame, lower, state, theme),
            _ => redis_panel(frame, lower, state, theme),
        }
    }
    footer(frame, foot, state, theme);
    overlay(frame, area, state, theme);
}

fn header(frame: &mut Frame, area: Rect, state: &State, theme: Theme) {
    let time = chrono::DateTime::from_timestamp_millis(state.now_ms)
        .map(|t| t.with_timezone(&chrono::Local).format("%H:%M:%S").to_string())
        .unwrap_or_default();
    let mut spans = vec![
        Span::styled("polycache top", theme.bold()),
        Span::raw(format!("  {time}")),
    ];
    if state.paused {
        spans.push(Span::styled("  PAUSED", theme.fg(Color::Yellow)));
    }
    spans.push(Span::raw(format!("  sort: {}", state.sort.label())));
    if !state.filter.is_empty() || state.editing_filter {
        spans.push(Span::raw(format!("  filter: {}", state.filter)));
        if state.editing_filter {
            spans.push(Span::raw("_"));
        }
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn footer(frame: &mut Frame, area: Rect, _state: &State, theme: Theme) {
    let text = "q quit  p pause  ↑↓ select  Enter cascade  / filter  s sort  i invalidate  ? help";
    frame.render_widget(
        Paragraph::new(fit_words(text, area.width)).style(theme.fg(Color::DarkGray)),
        area,
    );
}

/// As many whole words of `text` as fit in `width` columns.
fn fit_words(text: &str, width: u16) -> String {
    let mut out = String::new();
    for part in text.split("  ") {
        let next = if out.is_empty() {
            part.to_string()
        } else {
            format!("{out}  {part}")
        };
        if next.width() > width as usize {
            break;
        }
        out = next;
    }
    out
}

fn panel(title: &str, theme: Theme) -> Block<'_> {
    Block::new()
        .borders(Borders::TOP)
        .title(Span::styled(format!(" {title} "), theme.bold()))
}

/// A column of a table: its header, its cells, and whether it may be left out when the
/// screen is narrow (those to the right go first).
struct Column {
    header: String,
    cells: Vec<Span<'static>>,
    optional: bool,
}

impl Column {
    fn new(header: impl Into<String>, cells: Vec<Span<'static>>, optional: bool) -> Column {
        Column {
            header: header.into(),
            cells,
            optional,
        }
    }
    fn width(&self) -> u16 {
        let w = self.cells.iter().map(|c| c.width()).max().unwrap_or(0);
        w.max(self.header.width()) as u16
    }
}

/// The columns that fit in `width`, each as wide as its widest cell: optional columns are
/// dropped from the right until the rest fit; a cell is never cut.
fn fit(columns: Vec<Column>, width: u16) -> Vec<(Column, u16)> {
    let mut cols: Vec<(Column, u16)> = columns
        .into_iter()
        .map(|c| {
            let w = c.width();
            (c, w)
        })
        .collect();
    let total = |cols: &[(Column, u16)]| -> u32 {
        cols.iter().map(|(_, w)| u32::from(*w)).sum::<u32>() + cols.len().saturating_sub(1) as u32
    };
    while total(&cols) > u32::from(width) {
        match cols.iter().rposition(|(c, _)| c.optional) {
            Some(i) => {
                cols.remove(i);
            }
            None => break,
        }
    }
    cols
}

fn table_of(cols: Vec<(Column, u16)>, selected: Option<usize>, theme: Theme) -> Table<'static> {
    let rows = cols.first().map(|(c, _)| c.cells.len()).unwrap_or(0);
    let widths: Vec<Constraint> = cols.iter().map(|(_, w)| Constraint::Length(*w)).collect();
    let header = Row::new(cols.iter().map(|(c, _)| Span::raw(c.header.clone()))).style(theme.bold());
    let body: Vec<Row> = (0..rows)
        .map(|r| {
            let row = Row::new(cols.iter().map(|(c, _)| c.cells[r].clone()));
            if selected == Some(r) {
                row.style(theme.selected())
            } else {
                row
            }
        })
        .collect();
    Table::new(body, widths).header(header).column_spacing(1)
}

fn ms(v: u64) -> String {
    human(Duration::from_millis(v))
}

fn age(now: i64, then: i64) -> String {
    ms(now.saturating_sub(then).max(0) as u64)
}

fn targets_panel(frame: &mut Frame, area: Rect, state: &State, theme: Theme) {
    let now = state.now_ms;
    let block = panel("targets", theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let t = &state.targets;
    let link = |l: &StreamState| -> Span<'static> {
        match l {
            StreamState::Connecting => Span::styled("connecting", theme.fg(Color::Yellow)),
            StreamState::Live { .. } => Span::styled("live", theme.fg(Color::Green)),
            StreamState::Reconnecting { since_ms, .. } => {
                Span::styled(format!("reconnecting {}", age(now, *since_ms)), theme.fg(Color::Yellow))
            }
            StreamState::Down { .. } => Span::styled("down", theme.fg(Color::Red)),
        }
    };
    let reason = |l: &StreamState, err: &Option<String>| -> Span<'static> {
        match l {
            StreamState::Reconnecting { reason, .. } | StreamState::Down { reason, .. } => Span::raw(reason.clone()),
            _ => Span::raw(err.clone().unwrap_or_default()),
        }
    };
    let cols = vec![
        Column::new("target", t.iter().map(|t| Span::raw(t.name.clone())).collect(), false),
        Column::new("stream", t.iter().map(|t| link(&t.link)).collect(), false),
        Column::new(
            "last id",
            t.iter()
                .map(|t| Span::raw(t.last_event_id.clone().unwrap_or_else(|| "-".into())))
                .collect(),
            true,
        ),
        Column::new(
            "age",
            t.iter()
                .map(|t| Span::raw(t.last_event_ms.map(|e| age(now, e)).unwrap_or_else(|| "-".into())))
                .collect(),
            true,
        ),
        Column::new(
            "ev/min",
            t.iter().map(|t| Span::raw(t.per_minute(now).to_string())).collect(),
            true,
        ),
        Column::new(
            "health",
            t.iter()
                .map(|t| Span::raw(t.rtt_ms.map(ms).unwrap_or_else(|| "-".into())))
                .collect(),
            true,
        ),
        Column::new(
            "clients",
            t.iter()
                .map(|t| Span::raw(t.clients.map(|c| c.to_string()).unwrap_or_else(|| "-".into())))
                .collect(),
            true,
        ),
        Column::new("", t.iter().map(|t| reason(&t.link, &t.health_error)).collect(), true),
    ];
    frame.render_widget(table_of(fit(cols, inner.width), None, theme), inner);
}

fn types_panel(frame: &mut Frame, area: Rect, state: &State, theme: Theme) {
    let now = state.now_ms;
    let block = panel("invalidations (1m/5m/15m)", theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let rows = state.rows();
    if rows.is_empty() {
        let text = if state.filter.is_empty() {
            "no invalidation seen yet"
        } else {
            "no type matches the filter"
        };
        frame.render_widget(Paragraph::new(text).style(theme.fg(Color::DarkGray)), inner);
        return;
    }
    let mut cols = vec![Column::new(
        "type",
        rows.iter().map(|r| Span::raw(r.name.clone())).collect(),
        false,
    )];
    for (i, t) in state.targets.iter().enumerate() {
        let cells = rows
            .iter()
            .map(|r| {
                let [a, b, c] = r.counts(i, now);
                if r.missed(i, now) {
                    Span::styled(format!("{a}/{b}/{c} missed"), theme.fg(Color::Red))
                } else {
                    Span::raw(format!("{a}/{b}/{c}"))
                }
            })
            .collect();
        // The local target's counts always show; the others as space allows.
        cols.push(Column::new(t.name.clone(), cells, i > 0));
    }
    cols.push(Column::new(
        "last",
        rows.iter()
            .map(|r| Span::raw(r.last_action.clone().unwrap_or_default()))
            .collect(),
        true,
    ));
    cols.push(Column::new(
        "id",
        rows.iter()
            .map(|r| Span::raw(r.last_entity.clone().unwrap_or_default()))
            .collect(),
        true,
    ));
    cols.push(Column::new(
        "clears",
        rows.iter().map(|r| Span::raw(r.clears.join(" "))).collect(),
        true,
    ));
    // Scroll so that the selected row stays on screen.
    let selected = state.selected_row();
    let visible = inner.height.saturating_sub(1) as usize;
    let skip = match selected {
        Some(s) if visible > 0 && s >= visible => s + 1 - visible,
        _ => 0,
    };
    let cols: Vec<Column> = cols
        .into_iter()
        .map(|mut c| {
            c.cells = c.cells.into_iter().skip(skip).collect();
            c
        })
        .collect();
    let table = table_of(fit(cols, inner.width), selected.map(|s| s - skip), theme);
    frame.render_widget(table, inner);
}

fn propagation_panel(frame: &mut Frame, area: Rect, state: &State, theme: Theme) {
    let block = panel("propagation from local (5m)", theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let p = state.propagation();
    let figure = |f: Option<u64>| Span::raw(f.map(ms).unwrap_or_else(|| "-".into()));
    let cols = vec![
        Column::new(
            "mirror",
            p.iter()
                .map(|(i, _, _)| Span::raw(state.targets[*i].name.clone()))
                .collect(),
            false,
        ),
        Column::new(
            "n",
            p.iter()
                .map(|(_, f, _)| Span::raw(f.map_or(0, |f| f.count).to_string()))
                .collect(),
            false,
        ),
        Column::new(
            "p50",
            p.iter().map(|(_, f, _)| figure(f.map(|f| f.p50_ms))).collect(),
            false,
        ),
        Column::new(
            "p99",
            p.iter().map(|(_, f, _)| figure(f.map(|f| f.p99_ms))).collect(),
            true,
        ),
        Column::new(
            "max",
            p.iter().map(|(_, f, _)| figure(f.map(|f| f.max_ms))).collect(),
            true,
        ),
    ];
    let cols = fit(cols, inner.width);
    let used: u16 = cols.iter().map(|(_, w)| w + 1).sum();
    frame.render_widget(table_of(cols, None, theme), inner);
    // A sparkline per mirror, on its row, in the room left on the right.
    let x = inner.x + used + 1;
    if x + 4 < inner.right() {
        for (row, (_, _, samples)) in p.iter().enumerate() {
            let y = inner.y + 1 + row as u16;
            if y >= inner.bottom() {
                break;
            }
            let width = inner.right() - x;
            let tail: Vec<u64> = samples.iter().rev().take(width as usize).rev().copied().collect();
            let rect = Rect::new(x, y, width, 1);
            frame.render_widget(Sparkline::default().data(&tail).style(theme.fg(Color::Cyan)), rect);
        }
    }
}

fn log_panel(frame: &mut Frame, area: Rect, state: &State, theme: Theme) {
    let block = panel("log: warnings and errors", theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let Some(log) = &state.log else { return };
    if log.is_empty() {
        frame.render_widget(Paragraph::new("none").style(theme.fg(Color::DarkGray)), inner);
        return;
    }
    // The newest lines that fit, each wrapped (at spaces) rather than cut at the edge.
    let width = usize::from(inner.width.max(1));
    let mut room = usize::from(inner.height);
    let mut shown = 0;
    for l in log.iter().rev() {
        let rows = l.width().div_ceil(width).max(1);
        if rows > room {
            break;
        }
        room -= rows;
        shown += 1;
    }
    let lines: Vec<Line> = log
        .iter()
        .skip(log.len() - shown.max(1))
        .map(|l| Line::raw(l.clone()))
        .collect();
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

fn redis_panel(frame: &mut Frame, area: Rect, state: &State, theme: Theme) {
    let block = panel("redis", theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let Some(r) = &state.redis else { return };
    if let Some(e) = &r.error {
        frame.render_widget(
            Paragraph::new(e.clone())
                .wrap(Wrap { trim: true })
                .style(theme.fg(Color::Red)),
            inner,
        );
        return;
    }
    if r.at_ms.is_none() {
        frame.render_widget(Paragraph::new("scanning…").style(theme.fg(Color::DarkGray)), inner);
        return;
    }
    let cols = vec![
        Column::new(
            "type",
            r.rows.iter().map(|r| Span::raw(r.kind.clone())).collect(),
            false,
        ),
        Column::new(
            "keys",
            r.rows.iter().map(|r| Span::raw(r.keys.to_string())).collect(),
            false,
        ),
        Column::new(
            "memory",
            r.rows
                .iter()
                .map(|r| Span::raw(crate::units::fmt_bytes(r.memory)))
                .collect(),
            true,
        ),
    ];
    frame.render_widget(table_of(fit(cols, inner.width), None, theme), inner);
}

/// A box in the middle of the screen, as large as its lines (within the screen).
fn popup(frame: &mut Frame, area: Rect, title: &str, lines: Vec<Line<'static>>, theme: Theme) {
    let w = lines
        .iter()
        .map(|l| l.width())
        .max()
        .unwrap_or(0)
        .max(title.width() + 4) as u16
        + 4;
    let h = lines.len() as u16 + 2;
    let w = w.min(area.width);
    let h = h.min(area.height);
    let rect = Rect::new(area.x + (area.width - w) / 2, area.y + (area.height - h) / 2, w, h);
    frame.render_widget(Clear, rect);
    let block = Block::bordered()
        .padding(Padding::horizontal(1))
        .title(Span::styled(format!(" {title} "), theme.bold()));
    frame.render_widget(Paragraph::new(lines).block(block).wrap(Wrap { trim: false }), rect);
}

fn overlay(frame: &mut Frame, area: Rect, state: &State, theme: Theme) {
    match &state.overlay {
        Overlay::None => {}
        Overlay::Help => {
            let w = KEYS.iter().map(|(k, _)| k.width()).max().unwrap_or(0);
            let lines = KEYS
                .iter()
                .map(|(k, what)| Line::raw(format!("{k:<w$}  {what}")))
                .collect();
            popup(frame, area, "keys", lines, theme);
        }
        Overlay::Cascade(t) => {
            let g = state.graph();
            let clears = g.cascade(t);
            let by = g.invalidated_by(t);
            let mut lines = vec![Line::raw(format!("invalidating {t} clears:"))];
            lines.extend(clears.iter().map(|c| Line::raw(format!("  {c}"))));
            if !by.is_empty() {
                lines.push(Line::raw(format!("{t} is cleared by: {}", by.join(" "))));
            }
            lines.push(Line::raw("Enter or Esc closes"));
            popup(frame, area, "cascade", lines, theme);
        }
        Overlay::Confirm(t) => {
            let lines = vec![
                Line::raw(format!("invalidate {t} on every target?")),
                Line::raw(format!("clears: {}", state.graph().cascade(t).join(" "))),
                Line::raw("y yes, n no"),
            ];
            popup(frame, area, "invalidate", lines, theme);
        }
        Overlay::Sending(t) => popup(
            frame,
            area,
            "invalidate",
            vec![Line::raw(format!("invalidating {t}…"))],
            theme,
        ),
        Overlay::Report(lines) => {
            let mut l: Vec<Line> = lines.iter().map(|l| Line::raw(l.clone())).collect();
            l.push(Line::raw("any key closes"));
            popup(frame, area, "invalidate", l, theme);
        }
    }
}
