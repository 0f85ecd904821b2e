//! `polycache check` as linters show it: for people, each finding as `file:line:col`, its
//! kind and message, and the source line with the finding underlined (annotate-snippets,
//! rustc's renderer); for tools, one line per finding (`--format compact`), GitHub Actions
//! workflow commands (`--format github`) or SARIF 2.1.0 (`--format sarif`).

use std::path::{Component, Path, PathBuf};

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

use super::sarif;
use crate::check::{CheckReport, Finding, Kind};
use crate::output::Render;
use crate::style::Style;

/// The findings, what could not be checked, the files that could not be read, then a
/// summary.
impl Render for CheckReport {
    fn human(&self, st: Style) -> String {
        text(self, st)
    }
}

fn text(r: &CheckReport, st: Style) -> String {
    let mut out = String::new();
    for f in &r.findings {
        finding(&mut out, f, st);
    }
    if !r.not_checkable.is_empty() {
        out.push_str(&format!(
            "{}\n\n",
            st.yellow("not checkable (the type is known only at run time):")
        ));
        for f in &r.not_checkable {
            finding(&mut out, f, st);
        }
    }
    for f in &r.unreadable {
        finding(&mut out, f, st);
    }
    let (mark, line) = summary(r);
    let mark = if r.findings.is_empty() && r.unreadable.is_empty() {
        st.green(mark)
    } else {
        st.red(mark)
    };
    out.push_str(&st.wrap(&format!("{mark} {line}"), "  "));
    out.push('\n');
    out
}

/// `✓ nothing to fix: ...` or `✗ 3 findings in 2 files, 1 file unreadable (...)`: the mark
/// and the rest of the line.
fn summary(r: &CheckReport) -> (&'static str, String) {
    let checked = format!(
        "{} types and {} aliases from {}; {} appCache calls in {} files under {}; {} names handled in {}",
        r.types.len(),
        r.aliases.len(),
        crate::ts::escape(&r.graph),
        r.call_sites,
        r.files_scanned,
        crate::ts::escape(&r.server_dir),
        r.handled.len(),
        crate::ts::escape(&r.invalidator)
    );
    if r.findings.is_empty() && r.unreadable.is_empty() {
        return ("✓", format!("nothing to fix: {checked}"));
    }
    let mut parts = Vec::new();
    if !r.findings.is_empty() {
        let files: std::collections::BTreeSet<&str> = r.findings.iter().map(|f| f.file.as_str()).collect();
        parts.push(format!(
            "{} in {}",
            plural(r.findings.len(), "finding"),
            plural(files.len(), "file")
        ));
    }
    if !r.unreadable.is_empty() {
        let files: std::collections::BTreeSet<&str> = r.unreadable.iter().map(|f| f.file.as_str()).collect();
        parts.push(format!("{} unreadable", plural(files.len(), "file")));
    }
    ("✗", format!("{} ({checked})", parts.join(", ")))
}

/// The summary as one plain line, for stderr beside a machine format.
pub fn summary_line(r: &CheckReport) -> String {
    let (mark, line) = summary(r);
    format!("{mark} {line}")
}

/// One finding: `file:line:col: kind`, the message under it (fitted to the terminal), and
/// the source line with the finding underlined.
fn finding(out: &mut String, f: &Finding, st: Style) {
    let (level, kind) = match f.kind {
        Kind::NotCheckable => (Level::WARNING, st.yellow(f.kind.label())),
        _ => (Level::ERROR, st.red(f.kind.label())),
    };
    let at = format!("{}:{}:{}", crate::ts::escape(&f.file), f.line, f.column);
    out.push_str(&format!("{}: {kind}\n", st.bold(&at)));
    // Fitted to the terminal; unlike paths, a token wider than it (a long string) is split.
    let message = format!("  {}", crate::escape::text(&f.message));
    match st.width {
        Some(w) => out.push_str(&textwrap::fill(
            &message,
            textwrap::Options::new(usize::from(w))
                .subsequent_indent("  ")
                .word_separator(textwrap::WordSeparator::AsciiSpace),
        )),
        None => out.push_str(&message),
    }
    out.push('\n');
    if let Some(excerpt) = excerpt(f, st, level) {
        out.push_str(&excerpt);
        out.push('\n');
    }
    out.push('\n');
}

/// How wide an excerpt's line may be when the output is no terminal.
const PIPED_ROOM: usize = 1000;

/// The lines of `f` with its token underlined (and, for a syntax error, the parser's other
/// labels), as rustc shows them. Control characters of the file are escaped and tabs are four
/// spaces; a line wider than the terminal (or than [`PIPED_ROOM`] when piped) is cut to a
/// window around its first mark, with `…` where text was left out.
fn excerpt(f: &Finding, st: Style, level: Level<'_>) -> Option<String> {
    let ex = f.excerpt.as_ref()?;
    let last_line = ex.first_line + ex.lines.len().saturating_sub(1);
    // Piped, lines are whole up to a generous width (a minified file's line is not).
    let room = st
        .width
        .map_or(PIPED_ROOM, usize::from)
        .saturating_sub(last_line.to_string().len() + 3);
    let mut text = String::new();
    let mut spans: Vec<(std::ops::Range<usize>, &crate::check::Mark)> = Vec::new();
    for (i, line) in ex.lines.iter().enumerate() {
        let n = ex.first_line + i;
        if i > 0 {
            text.push('\n');
        }
        let shown: Vec<String> = line
            .chars()
            .map(|c| match c {
                '\t' => "    ".to_string(),
                c if crate::escape::hostile(c) => crate::escape::text(c.encode_utf8(&mut [0; 4])).into_owned(),
                c => c.to_string(),
            })
            .collect();
        let count = shown.len();
        let marks: Vec<_> = ex.marks.iter().filter(|m| m.line == n).collect();
        let range = |m: &crate::check::Mark| {
            let first = m.column.saturating_sub(1).min(count);
            first..(first + m.width.max(1)).min(count)
        };
        let (a, b) = match marks.first() {
            Some(m) => window(&shown, range(m), room),
            None => window(&shown, 0..0, room),
        };
        if a > 0 {
            text.push('…');
        }
        let mut at = vec![None; count + 1];
        for (j, piece) in shown.iter().enumerate().take(b).skip(a) {
            at[j] = Some(text.len());
            text.push_str(piece);
        }
        let end_of_window = text.len();
        let offset = |j: usize| {
            if j >= b {
                end_of_window
            } else {
                at[j].unwrap_or(end_of_window)
            }
        };
        if b < count {
            text.push('…');
        }
        for m in marks {
            let r = range(m);
            let (start, end) = (offset(r.start.max(a)), offset(r.end.max(a)));
            spans.push((start..end.max(start), m));
        }
    }
    let snippet = Snippet::source(text.as_str())
        .line_start(ex.first_line)
        .annotations(spans.into_iter().map(|(r, m)| {
            let kind = if m.primary {
                AnnotationKind::Primary
            } else {
                AnnotationKind::Context
            };
            kind.span(r).label(m.label.as_deref().map(crate::escape::text))
        }));
    let renderer = if st.color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    // The lines are cut here already: the renderer must not cut them again.
    let shown = renderer
        .term_width(usize::MAX >> 8)
        .render(&[Group::with_level(level).element(snippet)]);
    Some(shown.trim_end_matches('\n').to_string())
}

/// Which pieces of a line `[a, b)` fit `room` columns (with a `…` for each side cut) and
/// show the finding at `span`: from the line's start when the finding fits that way, else
/// a little before it, as much as fits after it, and more before when the end of the line
/// is reached. The whole line when it fits.
fn window(shown: &[String], span: std::ops::Range<usize>, room: usize) -> (usize, usize) {
    use unicode_width::UnicodeWidthStr;
    let n = shown.len();
    let room = room.max(10);
    let width = |a: usize, b: usize| shown[a..b].iter().map(|s| s.width()).sum::<usize>();
    if width(0, n) <= room {
        return (0, n);
    }
    let first = span.start;
    let mut a = if width(0, span.end.max(first + 1).min(n)) < room {
        0
    } else {
        first
    };
    while a > 0 && width(a - 1, first) < (room / 4).min(12) {
        a -= 1;
    }
    let mut b = a;
    while b < n && width(a, b + 1) + usize::from(a > 0) + usize::from(b + 1 < n) <= room {
        b += 1;
    }
    while b == n && a > 0 && width(a - 1, n) + usize::from(a > 1) <= room {
        a -= 1;
    }
    (a, b.max((a + 1).min(n)))
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// Every finding, unreadable file and call not checkable, in file order: what the machine
/// formats list.
fn all(r: &CheckReport) -> Vec<&Finding> {
    let mut all: Vec<&Finding> = r.findings.iter().chain(&r.unreadable).chain(&r.not_checkable).collect();
    all.sort_by(|a, b| (&a.file, a.line, a.column, a.kind).cmp(&(&b.file, b.line, b.column, b.kind)));
    all
}

/// `--format compact`: `file:line:col: kind: message`, one line each (as gcc and eslint's
/// compact formatter write them); the kind is its JSON name.
pub fn compact(r: &CheckReport) -> String {
    let mut out = String::new();
    for f in all(r) {
        out.push_str(&format!(
            "{}:{}:{}: {}: {}\n",
            crate::escape::text(&f.file),
            f.line,
            f.column,
            f.kind.id(),
            crate::escape::text(&f.message)
        ));
    }
    out
}

/// `--format github`: one workflow command each, which GitHub Actions shows as an
/// annotation on the line: `::error` for findings and unreadable files, `::notice` for calls
/// not checkable.
pub fn github(r: &CheckReport) -> String {
    let mut out = String::new();
    for f in all(r) {
        let command = if f.kind == Kind::NotCheckable {
            "notice"
        } else {
            "error"
        };
        out.push_str(&format!(
            "::{command} file={},line={},col={},title={}::{}\n",
            github_property(&f.file),
            f.line,
            f.column,
            github_property(f.kind.label()),
            github_data(&f.message)
        ));
    }
    out
}

/// A workflow command's message, escaped as GitHub's toolkit does (`escapeData`).
fn github_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// A workflow command's property value, escaped as GitHub's toolkit does (`escapeProperty`).
fn github_property(s: &str) -> String {
    github_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// `--format sarif`: a SARIF 2.1.0 log of one run, paths relative to `ROOT` (the checkout).
pub fn sarif(r: &CheckReport) -> String {
    let rules: Vec<sarif::Rule> = Kind::ALL
        .iter()
        .map(|k| sarif::Rule {
            id: k.id().to_string(),
            name: k.label().to_string(),
            short_description: sarif::Message::new(k.description()),
            default_configuration: sarif::Configuration { level: level(*k) },
        })
        .collect();
    // The root without `.` parts (`--root .`), as a directory URL ending in `/`.
    let root: PathBuf = Path::new(&r.root)
        .components()
        .filter(|c| !matches!(c, Component::CurDir))
        .collect();
    let root_url = url::Url::from_directory_path(&root).ok();
    let results = all(r)
        .into_iter()
        .map(|f| sarif::Result {
            rule_id: f.kind.id().to_string(),
            rule_index: Kind::ALL.iter().position(|k| *k == f.kind).unwrap_or(0),
            level: level(f.kind),
            message: sarif::Message::new(&f.message),
            locations: vec![sarif::Location {
                physical_location: sarif::PhysicalLocation {
                    artifact_location: artifact(root_url.as_ref(), &root, &f.file),
                    region: sarif::Region {
                        start_line: f.line,
                        start_column: f.column,
                    },
                },
            }],
        })
        .collect();
    let log = sarif::Log::new(sarif::Run {
        tool: sarif::Tool {
            driver: sarif::Driver {
                name: "polycache".into(),
                version: env!("CARGO_PKG_VERSION").into(),
                rules,
            },
        },
        original_uri_base_ids: root_url
            .iter()
            .map(|u| {
                (
                    sarif::ROOT.to_string(),
                    sarif::ArtifactLocation {
                        uri: u.to_string(),
                        uri_base_id: None,
                    },
                )
            })
            .collect(),
        column_kind: sarif::ColumnKind::UnicodeCodePoints,
        results,
    });
    crate::output::json(&log)
}

fn level(k: Kind) -> sarif::Level {
    match k {
        Kind::NotCheckable => sarif::Level::Note,
        _ => sarif::Level::Error,
    }
}

/// A file of a finding: relative to `ROOT` (percent-encoded) when under it, else its own
/// `file:` URL.
fn artifact(root_url: Option<&url::Url>, root: &Path, file: &str) -> sarif::ArtifactLocation {
    let absolute = root.join(file);
    let file_url = url::Url::from_file_path(&absolute).ok();
    if let (Some(base), Some(u)) = (root_url, &file_url)
        && Path::new(file).is_relative()
        && let Some(rel) = base.make_relative(u)
    {
        return sarif::ArtifactLocation {
            uri: rel,
            uri_base_id: Some(sarif::ROOT.to_string()),
        };
    }
    sarif::ArtifactLocation {
        uri: file_url.map_or_else(|| file.to_string(), |u| u.to_string()),
        uri_base_id: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pieces(s: &str) -> Vec<String> {
        s.chars().map(String::from).collect()
    }

    #[test]
    fn a_long_line_is_cut_to_a_window_around_the_finding() {
        let line = pieces(&format!("{}TARGET{}", "a".repeat(100), "b".repeat(100)));
        let (a, b) = window(&line, 100..106, 40);
        assert!(a <= 100 && b >= 106, "{a}..{b}");
        assert_eq!(b - a + 2, 40, "fills the room with a `…` each side");
        // Near the end: the window ends with the line and starts earlier.
        let (a, b) = window(&line, 200..206, 40);
        assert_eq!((b, b - a + 1), (206, 40));
        // Near the start: from the start.
        assert_eq!(window(&line, 3..5, 40), (0, 39));
        // A line that fits is whole.
        assert_eq!(window(&pieces("short"), 2..3, 40), (0, 5));
    }

    #[test]
    fn workflow_command_values_are_escaped_as_the_toolkit_does() {
        assert_eq!(github_data("50% a:b,c\r\nd"), "50%25 a:b,c%0D%0Ad");
        assert_eq!(github_property("50% a:b,c\r\nd"), "50%25 a%3Ab%2Cc%0D%0Ad");
    }
}
