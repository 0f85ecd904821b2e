//! Rotated sets: the live log and its rotated siblings read as one log, oldest first.
//!
//! Two naming schemes are known, by the file names beside the live log (`cache.json`):
//!
//! - logrotate's: `cache.json.1`, `cache.json.2.gz`, ...: the higher the number, the older;
//! - pino-roll's: `cache.1.json`, `cache.2.json`, ...: the higher the number, the newer (the
//!   highest is the one being written, and there may be no `cache.json` at all).
//!
//! Either may carry a compression suffix (`.gz`, `.zst`, `.xz`, `.bz2`); what a file holds is
//! told by its first bytes when it is read, as for any log. The order is pino-roll's files,
//! then logrotate's, then the live file.
//!
//! With `--since`/`--until`, a file whose time range lies outside the window is skipped:
//! its range runs from its first line's time to its last line's (a plain file, read
//! backwards from its end) or to the first line of the next newer file (a compressed one,
//! which cannot be read backwards). Files are looked at newest first, so that once one ends
//! before `--since`, the older ones are not even opened. Lines may be up to
//! [`seek::WINDOW`] out of order, as `--since`'s binary search allows.

use std::ffi::OsStr;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use super::decompress::{self, Format};
use super::parse::{Parsed, Scratch};
use super::seek::WINDOW;

/// Compression suffixes a rotated file may carry after its name.
const SUFFIXES: [&str; 5] = ["gz", "zst", "zstd", "xz", "bz2"];

/// How much of a file's start (decompressed) or end is looked at for a line with a time.
const LOOK: u64 = 1 << 20;

/// A file's place in its set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Rank {
    /// pino-roll's `cache.N.json`: N ascending is oldest first.
    PinoRoll(u64),
    /// logrotate's `cache.json.N[.gz]`: N descending is oldest first (stored as its
    /// complement so that the derived order is oldest first).
    Logrotate(std::cmp::Reverse<u64>),
    /// The live file itself.
    Live,
}

/// `name` split as a file of the set of the live file `base` (e.g. `cache.json`).
fn rank(name: &str, base: &str) -> Option<Rank> {
    if name == base {
        return Some(Rank::Live);
    }
    let number = |s: &str| -> Option<u64> {
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    // Without a compression suffix, then with one.
    let mut plain = vec![name];
    if let Some((head, ext)) = name.rsplit_once('.')
        && SUFFIXES.contains(&ext)
    {
        plain.push(head);
    }
    for n in plain {
        // logrotate: base.N
        if let Some(rest) = n.strip_prefix(base).and_then(|r| r.strip_prefix('.'))
            && let Some(k) = number(rest)
        {
            return Some(Rank::Logrotate(std::cmp::Reverse(k)));
        }
        // pino-roll: stem.N.ext, base being stem.ext
        if let Some((stem, ext)) = base.rsplit_once('.')
            && let Some(rest) = n.strip_prefix(stem).and_then(|r| r.strip_prefix('.'))
            && let Some(k) = rest
                .strip_suffix(ext)
                .and_then(|r| r.strip_suffix('.'))
                .and_then(number)
        {
            return Some(Rank::PinoRoll(k));
        }
    }
    None
}

/// The set of the live log `live` (which need not exist): every file beside it that is
/// `live` itself or one of its rotated siblings, oldest first.
pub fn set_of(live: &Path) -> io::Result<Vec<PathBuf>> {
    let dir = match live.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let Some(base) = live.file_name().and_then(OsStr::to_str) else {
        return Ok(Vec::new());
    };
    let mut found: Vec<(Rank, PathBuf)> = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if let Some(r) = rank(name, base) {
            // Joined to the live path's own directory, so paths read as the user gave them.
            found.push((r, live.with_file_name(name)));
        }
    }
    found.sort();
    Ok(found.into_iter().map(|(_, p)| p).collect())
}

/// The live logs whose sets a directory holds, sorted: the names its numbered files are
/// rotated siblings of (`cache.json` for `cache.json.1` or `cache.2.json`), or, when none is
/// numbered, the name of each file in it.
pub fn bases_in(dir: &Path) -> io::Result<Vec<String>> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        if let Some(name) = entry.file_name().to_str() {
            names.push(name.to_string());
        }
    }
    let mut bases: Vec<String> = Vec::new();
    for name in &names {
        let unsuffixed = match name.rsplit_once('.') {
            Some((head, ext)) if SUFFIXES.contains(&ext) => head,
            _ => name.as_str(),
        };
        // logrotate's base.N, else pino-roll's stem.N.ext.
        let base = unsuffixed.rsplit_once('.').and_then(|(head, last)| {
            if last.bytes().all(|b| b.is_ascii_digit()) {
                Some(head.to_string())
            } else {
                let (stem, _) = head.rsplit_once('.')?;
                Some(format!("{stem}.{last}"))
            }
        });
        if let Some(b) = base
            && rank(name, &b).is_some()
            && !bases.contains(&b)
        {
            bases.push(b);
        }
    }
    if bases.is_empty() {
        bases = names;
    }
    bases.sort();
    Ok(bases)
}

/// What is done with one file of the set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Read it.
    Read,
    /// Its lines all come before `--since`: they end by this time (its last line's, or the
    /// first of the next newer file). `opened`: whether its first (and last) line had to be
    /// read to know; a file older than one already known to end before the window is not
    /// opened at all.
    Before { ends: i64, opened: bool },
    /// Its lines all come after `--until`: its first line has this time.
    After { starts: i64 },
}

/// One file of the set and what is done with it.
#[derive(Debug, Clone)]
pub struct Member {
    pub path: PathBuf,
    pub decision: Decision,
}

/// Decides which files of `set` (oldest first) may hold lines within `since`..=`until`. An
/// error names the file it came from.
pub fn plan(set: &[PathBuf], since: Option<i64>, until: Option<i64>) -> Result<Vec<Member>, (PathBuf, io::Error)> {
    let mut out: Vec<Member> = Vec::with_capacity(set.len());
    let mut scratch = Scratch::default();
    // The first time of the nearest newer file that has one: where this one ends, at most.
    let mut next_first: Option<i64> = None;
    for path in set.iter().rev() {
        let ends_before = |end: Option<i64>| match (since, end) {
            (Some(s), Some(e)) => e.saturating_add(WINDOW) < s,
            _ => false,
        };
        if ends_before(next_first) {
            out.push(Member {
                path: path.clone(),
                decision: Decision::Before {
                    ends: next_first.unwrap_or_default(),
                    opened: false,
                },
            });
            continue;
        }
        if since.is_none() && until.is_none() {
            out.push(Member {
                path: path.clone(),
                decision: Decision::Read,
            });
            continue;
        }
        let (first, last) = range(path, &mut scratch).map_err(|e| (path.clone(), e))?;
        let end = last.or(next_first);
        let decision = if ends_before(end) {
            Decision::Before {
                ends: end.unwrap_or_default(),
                opened: true,
            }
        } else if let (Some(u), Some(f)) = (until, first)
            && f.saturating_sub(WINDOW) > u
        {
            Decision::After { starts: f }
        } else {
            Decision::Read
        };
        out.push(Member {
            path: path.clone(),
            decision,
        });
        if first.is_some() {
            next_first = first;
        }
    }
    out.reverse();
    Ok(out)
}

/// The time of a file's first line that has one (decompressed, looking at most [`LOOK`]
/// bytes in), and for a plain file, of its last one (read from its end).
fn range(path: &Path, scratch: &mut Scratch) -> io::Result<(Option<i64>, Option<i64>)> {
    let format = decompress::format_of_file(path)?;
    let reader = decompress::open(BufReader::with_capacity(64 * 1024, File::open(path)?))?;
    let first = first_time(reader.take(LOOK), scratch)?;
    let last = match format {
        Format::Plain => last_time(&mut File::open(path)?, scratch)?,
        _ => None,
    };
    Ok((first, last))
}

/// The time of the first line of `reader` that has one.
fn first_time<R: BufRead>(mut reader: R, scratch: &mut Scratch) -> io::Result<Option<i64>> {
    let mut line = Vec::new();
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line)? == 0 {
            return Ok(None);
        }
        if let Some(t) = time_of(&line, scratch) {
            return Ok(Some(t));
        }
    }
}

/// The time of the last whole line of a file that has one, within its last [`LOOK`] bytes.
fn last_time<F: Read + Seek>(file: &mut F, scratch: &mut Scratch) -> io::Result<Option<i64>> {
    let len = file.seek(SeekFrom::End(0))?;
    let start = len.saturating_sub(LOOK);
    file.seek(SeekFrom::Start(start))?;
    let mut buf = Vec::new();
    file.take(LOOK).read_to_end(&mut buf)?;
    // From the middle of a file, the first piece may be part of a line.
    let from = if start == 0 {
        0
    } else {
        memchr::memchr(b'\n', &buf).map_or(buf.len(), |i| i + 1)
    };
    Ok(buf[from..]
        .split(|&b| b == b'\n')
        .rev()
        .find_map(|l| time_of(l, scratch)))
}

fn time_of(line: &[u8], scratch: &mut Scratch) -> Option<i64> {
    match std::str::from_utf8(line.trim_ascii()).map(|t| scratch.parse(t)) {
        Ok(Parsed::Record(r)) => r.time,
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_schemes_are_ranked_oldest_first() {
        let mut names = [
            "cache.json",
            "cache.json.1",
            "cache.json.2.gz",
            "cache.json.10.xz",
            "cache.2.json",
            "cache.1.json",
            "cache.11.json.zst",
        ]
        .map(|n| (rank(n, "cache.json").unwrap(), n));
        names.sort();
        assert_eq!(
            names.map(|(_, n)| n),
            [
                "cache.1.json",
                "cache.2.json",
                "cache.11.json.zst",
                "cache.json.10.xz",
                "cache.json.2.gz",
                "cache.json.1",
                "cache.json",
            ]
        );
        for other in [
            "cache.jsonx",
            "cache.json.1x",
            "other.json.1",
            "cache.json.gz",
            "cache..json",
            "cache.json.-1",
        ] {
            assert_eq!(rank(other, "cache.json"), None, "{other}");
        }
    }
}
