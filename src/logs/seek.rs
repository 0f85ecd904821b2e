//! `--since` on a regular file without reading what comes before: pino lines are in time
//! order (nearly: several writers interleave), so the first line at or after a time is found
//! by binary search over byte offsets, reading one line at each probe. The search backs off
//! [`WINDOW`] before the time asked, so that lines written up to that much out of order are
//! still read; the reader then filters as it does on a full scan, and the output is the same.
//! A file that a sample shows out of order is read whole.

use std::io::{self, Read, Seek, SeekFrom};

use super::parse::{Parsed, Scratch};

/// How far out of order lines may be and still be found.
pub const WINDOW: i64 = 60_000;
/// The search stops once the range is this small (then reading is cheaper than probing).
const SPAN: u64 = 256 * 1024;
/// How much one probe reads at most to find a whole line with a time.
const PROBE: usize = 1 << 20;
/// Points sampled to tell a file in time order from one that is not.
const SAMPLES: u64 = 16;

/// Where reading may start for `--since since`: a line start (0 for the whole file). `Err`
/// with the reason when the file cannot be searched and is read whole.
pub fn start<F: Read + Seek>(file: &mut F, since: i64) -> io::Result<Result<u64, &'static str>> {
    let len = file.seek(SeekFrom::End(0))?;
    if len <= SPAN {
        return Ok(Ok(0));
    }
    let mut scratch = Scratch::default();
    // A sample of times across the file must go up (within the window).
    let mut last: Option<i64> = None;
    for i in 0..=SAMPLES {
        let at = len / SAMPLES * i;
        if let Some((_, t)) = timed_line_after(file, at.min(len.saturating_sub(1)), &mut scratch)? {
            if last.is_some_and(|l| t < l - WINDOW) {
                return Ok(Err("the file is not in time order"));
            }
            last = Some(t);
        }
    }
    let target = since.saturating_sub(WINDOW);
    // Invariant: every line wholly before `lo` is older than `target`.
    let (mut lo, mut hi) = (0u64, len);
    while hi - lo > SPAN {
        let mid = lo + (hi - lo) / 2;
        match timed_line_after(file, mid, &mut scratch)? {
            Some((_, t)) if t < target => lo = mid,
            // At or after the target, or no time found near: search the left half.
            _ => hi = mid,
        }
    }
    if lo == 0 {
        return Ok(Ok(0));
    }
    // The line containing `lo` may straddle it: start at the next line.
    Ok(Ok(next_line_start(file, lo)?.unwrap_or(0)))
}

/// The first line starting after `at` that has a time: its start and its time.
fn timed_line_after<F: Read + Seek>(file: &mut F, at: u64, scratch: &mut Scratch) -> io::Result<Option<(u64, i64)>> {
    file.seek(SeekFrom::Start(at))?;
    let mut buf = vec![0u8; PROBE];
    let mut n = 0;
    while n < buf.len() {
        match file.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    let buf = &buf[..n];
    // From offset 0 a line starts at once; elsewhere after the first newline.
    let mut pos = if at == 0 {
        0
    } else {
        match memchr::memchr(b'\n', buf) {
            Some(i) => i + 1,
            None => return Ok(None),
        }
    };
    while pos < buf.len() {
        let Some(end) = memchr::memchr(b'\n', &buf[pos..]).map(|e| pos + e) else {
            return Ok(None); // a line longer than the probe, or a torn last line
        };
        if let Ok(line) = std::str::from_utf8(&buf[pos..end])
            && let Parsed::Record(r) = scratch.parse(line)
            && let Some(t) = r.time
        {
            return Ok(Some((at + pos as u64, t)));
        }
        pos = end + 1;
    }
    Ok(None)
}

/// The start of the first line after `at` (`None` when there is none within a probe).
fn next_line_start<F: Read + Seek>(file: &mut F, at: u64) -> io::Result<Option<u64>> {
    file.seek(SeekFrom::Start(at))?;
    let mut buf = vec![0u8; 64 * 1024];
    let mut offset = at;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            return Ok(None);
        }
        if let Some(i) = memchr::memchr(b'\n', &buf[..n]) {
            return Ok(Some(offset + i as u64 + 1));
        }
        offset += n as u64;
        if offset - at > PROBE as u64 {
            return Ok(None);
        }
    }
}
