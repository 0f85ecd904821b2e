//! Reading the cache log (pino NDJSON, PROTOCOL section 6): parse, filter, format, read
//! (parallel, tail, merge), follow (rotation), stats.
//!
//! The [`Engine`] decides what one line becomes (nothing, a pretty line, the line itself,
//! or a count in [`Stats`]); the readers feed it lines and hand the bytes it writes to a
//! callback, in file order. Nothing here prints.

pub mod decompress;
pub mod filter;
pub mod follow;
pub mod format;
pub mod parse;
pub mod read;
pub mod rotated;
pub mod seek;
pub mod stats;

use filter::Filter;
use format::{FormatState, Formatter};
use parse::{Parsed, Scratch};
use stats::Stats;
use unicode_width::UnicodeWidthStr;

use crate::style::Style;

/// What matching entries become.
#[derive(Debug, Clone, Copy)]
pub enum Output {
    /// One readable line each (and the err's stack).
    Pretty(Formatter),
    /// The line itself, unchanged; lines that are not JSON are only counted.
    Json,
    /// Nothing per line: counts in [`Tally::stats`].
    Stats,
}

/// The filters and the output form, shared by every reading thread.
#[derive(Debug)]
pub struct Engine {
    pub filter: Filter,
    pub output: Output,
}

/// Per-thread reusable state: nothing is allocated per line once these have grown.
#[derive(Debug, Default)]
pub struct Worker {
    parse: Scratch,
    format: FormatState,
    text: String,
}

/// What a run saw.
#[derive(Debug, Default)]
pub struct Tally {
    /// Entries that passed the filters (JSON objects).
    pub shown: u64,
    /// Lines that were not JSON objects (among those looked at).
    pub not_json: u64,
    /// Lines too long to hold whole ([`read::LINE_CAP`]), shown cut (counted in `not_json`
    /// too).
    pub cut: u64,
    pub stats: Option<Stats>,
    /// `--follow` stopped by its `--timeout` before `--count` entries came (exit 1): how
    /// many the follower had shown.
    pub fell_short: Option<u64>,
}

impl Tally {
    pub fn for_engine(engine: &Engine) -> Tally {
        Tally {
            stats: matches!(engine.output, Output::Stats).then(Stats::default),
            ..Tally::default()
        }
    }

    pub fn merge(&mut self, other: Tally) {
        self.shown += other.shown;
        self.not_json += other.not_json;
        self.cut += other.cut;
        self.fell_short = self.fell_short.or(other.fell_short);
        if let (Some(s), Some(o)) = (&mut self.stats, other.stats) {
            s.merge(o);
        }
    }
}

/// Which file a line came from, when several are merged: a short name in front of each
/// readable line, and a `file` field in each JSON line.
#[derive(Debug, Clone)]
pub struct Label {
    /// The name, dimmed and padded to the widest label, and a space.
    head: Vec<u8>,
    /// Spaces as wide as `head`, in front of the lines that continue an entry (its stack).
    indent: Vec<u8>,
    /// `"file":"PATH"`, the path as given.
    json: Vec<u8>,
}

impl Label {
    /// The labels of `files` (paths as given, `-` for standard input), in their order: each
    /// file's name, or its whole path where two files share a name; `stdin` for `-`.
    pub fn for_files(files: &[String], style: Style) -> Vec<Label> {
        let name = |f: &str| -> String {
            if f == "-" {
                return "stdin".to_string();
            }
            std::path::Path::new(f)
                .file_name()
                .map_or_else(|| f.to_string(), |n| n.to_string_lossy().into_owned())
        };
        let names: Vec<String> = files.iter().map(|f| name(f)).collect();
        let unique = names.iter().enumerate().all(|(i, n)| !names[..i].contains(n));
        let shown: Vec<String> = files
            .iter()
            .zip(&names)
            .map(|(f, n)| crate::escape::text(if unique || f == "-" { n } else { f }).into_owned())
            .collect();
        let width = shown.iter().map(|s| s.width()).max().unwrap_or(0);
        files
            .iter()
            .zip(&shown)
            .map(|(file, s)| {
                let mut head = Vec::new();
                style.paint_into(&mut head, "2", s.as_bytes());
                head.resize(head.len() + width - s.width() + 1, b' ');
                let mut json = b"\"file\":".to_vec();
                json.extend_from_slice(serde_json::Value::from(file.as_str()).to_string().as_bytes());
                Label {
                    head,
                    indent: vec![b' '; width + 1],
                    json,
                }
            })
            .collect()
    }

    /// Marks what the engine appended to `out` from `start` on (one entry's output) as
    /// coming from this file.
    fn mark(&self, output: Output, start: usize, out: &mut Vec<u8>) {
        if out.len() <= start {
            return;
        }
        match output {
            // In place, last line first, so that nothing is allocated per entry.
            Output::Pretty(_) => {
                let old_end = out.len();
                let lines = 1 + memchr::memchr_iter(b'\n', &out[start..old_end - 1]).count();
                let mut shift = self.head.len() + (lines - 1) * self.indent.len();
                out.resize(old_end + shift, 0);
                let mut end = old_end;
                while end > start {
                    let line_start = memchr::memrchr(b'\n', &out[start..end - 1]).map_or(start, |i| start + i + 1);
                    out.copy_within(line_start..end, line_start + shift);
                    let prefix = if line_start == start { &self.head } else { &self.indent };
                    shift -= prefix.len();
                    out[line_start + shift..line_start + shift + prefix.len()].copy_from_slice(prefix);
                    end = line_start;
                }
            }
            // The line as it was, with `file` added last (where a parser that meets the key
            // twice, should the entry have its own, takes this one).
            Output::Json => {
                let Some(close) = out[start..].iter().rposition(|&b| b == b'}') else {
                    return;
                };
                let close = start + close;
                let comma: &[u8] = if out[start..close].trim_ascii() == b"{" {
                    b""
                } else {
                    b","
                };
                let old_end = out.len();
                let n = comma.len() + self.json.len();
                out.resize(old_end + n, 0);
                out.copy_within(close..old_end, close + n);
                out[close..close + comma.len()].copy_from_slice(comma);
                out[close + comma.len()..close + n].copy_from_slice(&self.json);
            }
            Output::Stats => {}
        }
    }
}

/// A line without its newline, a trailing `\r`, or surrounding blanks.
fn trim(line: &[u8]) -> &[u8] {
    line.trim_ascii()
}

impl Engine {
    /// The line trimmed and parsed, or `None` when it is blank or the prefilter rejects it.
    fn look<'a>(&self, line: &'a [u8], sc: &'a mut Scratch) -> Option<(&'a [u8], Parsed<'a>)> {
        let trimmed = trim(line);
        if trimmed.is_empty() || !self.filter.prefilter(trimmed) {
            return None;
        }
        let parsed = match std::str::from_utf8(trimmed) {
            Ok(text) => sc.parse(text),
            Err(_) => Parsed::Raw,
        };
        Some((trimmed, parsed))
    }

    /// Handles one line (without its newline): appends its output to `out`.
    pub fn line(&self, line: &[u8], w: &mut Worker, out: &mut Vec<u8>, tally: &mut Tally) {
        let Some((trimmed, parsed)) = self.look(line, &mut w.parse) else {
            return;
        };
        match parsed {
            Parsed::Raw => {
                tally.not_json += 1;
                if let Some(s) = &mut tally.stats {
                    s.not_json += 1;
                }
                if let Output::Pretty(f) = self.output
                    && self.filter.accepts_raw(trimmed)
                {
                    f.raw(trimmed, out);
                }
            }
            Parsed::Record(rec) => {
                if !self.filter.accepts(&rec, &mut w.text) {
                    return;
                }
                tally.shown += 1;
                match self.output {
                    Output::Pretty(f) => f.record(&rec, &mut w.format, out),
                    Output::Json => {
                        out.extend_from_slice(line);
                        out.push(b'\n');
                    }
                    Output::Stats => {
                        if let Some(s) = &mut tally.stats {
                            s.add(&rec, &mut w.text);
                        }
                    }
                }
            }
        }
    }

    /// [`Engine::line`], its output marked with the file it came from.
    pub fn line_from(&self, line: &[u8], label: Option<&Label>, w: &mut Worker, out: &mut Vec<u8>, tally: &mut Tally) {
        let start = out.len();
        self.line(line, w, out, tally);
        if let Some(l) = label {
            l.mark(self.output, start, out);
        }
    }

    /// [`Engine::cut`], its output marked with the file it came from.
    pub fn cut_from(&self, head: &[u8], more: u64, label: Option<&Label>, out: &mut Vec<u8>, tally: &mut Tally) {
        let start = out.len();
        self.cut(head, more, out, tally);
        if let Some(l) = label {
            l.mark(self.output, start, out);
        }
    }

    /// Handles a line too long to hold: its first bytes and how many more there were. It
    /// cannot be parsed; the pretty form shows its start and its length.
    pub fn cut(&self, head: &[u8], more: u64, out: &mut Vec<u8>, tally: &mut Tally) {
        tally.not_json += 1;
        tally.cut += 1;
        if let Some(s) = &mut tally.stats {
            s.not_json += 1;
        }
        let trimmed = head.trim_ascii_start();
        if let Output::Pretty(f) = self.output
            && self.filter.accepts_raw(trimmed)
        {
            // Room for it at once: growing by doubling would hold two copies for a moment.
            out.reserve(trimmed.len() + 64);
            f.cut(trimmed, more, out);
        }
    }

    /// Whether a line too long to hold (its first bytes) counts as a matching entry: only
    /// in the pretty form, which shows it cut, as a raw line.
    pub fn matches_cut(&self, head: &[u8]) -> bool {
        matches!(self.output, Output::Pretty(_)) && self.filter.accepts_raw(head.trim_ascii_start())
    }

    /// Whether a line counts as a matching entry (for `--tail`): a JSON object that passes
    /// the filters, or, in the pretty form, a raw line that [`Filter::accepts_raw`].
    pub fn matches(&self, line: &[u8], w: &mut Worker) -> bool {
        let Some((trimmed, parsed)) = self.look(line, &mut w.parse) else {
            return false;
        };
        match parsed {
            Parsed::Raw => matches!(self.output, Output::Pretty(_)) && self.filter.accepts_raw(trimmed),
            Parsed::Record(rec) => self.filter.accepts(&rec, &mut w.text),
        }
    }

    /// The time of a line, for merging files (quick look first, then a parse).
    pub fn time_of(&self, line: &[u8], w: &mut Worker) -> Option<i64> {
        let trimmed = trim(line);
        if let (_, Some(t)) = filter::quick_head(trimmed) {
            return Some(t);
        }
        match std::str::from_utf8(trimmed).map(|t| w.parse.parse(t)) {
            Ok(Parsed::Record(r)) => r.time,
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(output: Output, labels: &[Label], lines: &[(&str, usize)]) -> String {
        let engine = Engine {
            filter: Filter::default(),
            output,
        };
        let (mut w, mut out, mut tally) = (Worker::default(), Vec::new(), Tally::for_engine(&engine));
        for (line, from) in lines {
            engine.line_from(line.as_bytes(), labels.get(*from), &mut w, &mut out, &mut tally);
        }
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn json_lines_get_the_file_last_even_when_empty_or_padded() {
        let labels = Label::for_files(&["a.json".into(), "dir/b \"x\".json".into()], Style::plain());
        let out = run(
            Output::Json,
            &labels,
            &[("{}", 0), (" { } ", 1), (r#"{"msg":"m","file":"own"}  "#, 0)],
        );
        assert_eq!(
            out,
            "{\"file\":\"a.json\"}\n { \"file\":\"dir/b \\\"x\\\".json\"} \n{\"msg\":\"m\",\"file\":\"own\",\"file\":\"a.json\"}  \n"
        );
    }

    #[test]
    fn readable_lines_get_the_name_and_the_lines_under_them_its_width() {
        let labels = Label::for_files(&["-".into(), "cache.json".into()], Style::plain());
        let err = r#"{"level":50,"time":0,"msg":"boom","err":{"type":"Error","message":"m","stack":"Error: m\n    at f (x.js:1:1)"}}"#;
        let out = run(
            Output::Pretty(Formatter {
                style: Style::plain(),
                utc: true,
            }),
            &labels,
            &[("not json", 0), (err, 1)],
        );
        let indent = " ".repeat("cache.json ".len());
        assert_eq!(
            out,
            format!(
                "stdin      not json\ncache.json 1970-01-01 00:00:00.000 ERROR boom\n\
                 {indent}  Error: m\n{indent}      at f (x.js:1:1)\n"
            )
        );
    }
}
