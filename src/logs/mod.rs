//! Reading the cache log (pino NDJSON, PROTOCOL section 6): parse, filter, format, read
//! (parallel, tail, merge), follow (rotation), stats.
//!
//! The [`Engine`] decides what one line becomes (nothing, a pretty line, the line itself,
//! or a count in [`Stats`]); the readers feed it lines and hand the bytes it writes to a
//! callback, in file order. Nothing here prints.

pub mod filter;
pub mod follow;
pub mod format;
pub mod parse;
pub mod read;
pub mod stats;

use filter::Filter;
use format::{FormatState, Formatter};
use parse::{Parsed, Scratch};
use stats::Stats;

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
        if let (Some(s), Some(o)) = (&mut self.stats, other.stats) {
            s.merge(o);
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
