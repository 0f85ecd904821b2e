//! `--follow`: poll the file for new lines, surviving rotation, truncation and rewrites.
//!
//! Each poll reads what was appended since the last one. Then the path is checked:
//!
//! - another file there (another inode: the old one was renamed away and a new one
//!   created): the old handle is read to its end and the new file from its start;
//! - a file shorter than what was read: it was truncated; reading starts again at 0;
//! - a file as long or longer, whose first bytes or whose bytes just before the position
//!   read differ from what was read there: it was truncated and written again past the old
//!   position within one poll (or rewritten in place); reading starts again at 0, so the
//!   new lines before the old position are not skipped.
//!
//! Each of these is said through `notice` (stderr), with what cannot be known: lines
//! written to the old content after the last poll and before it was cut were never seen.
//! A line is handed on only once its newline has arrived, so none is lost or doubled; a
//! line longer than [`LINE_CAP`] is shown cut, so memory stays bounded.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use super::read::{LINE_CAP, Partial};
use super::{Engine, Tally, Worker};

/// How often the file is looked at.
pub const POLL: Duration = Duration::from_millis(100);

/// Bytes compared at the head of the file and just before the position read.
const PRINT: usize = 4096;

struct Open {
    file: File,
    ino: u64,
    dev: u64,
    /// Bytes read so far from this file.
    pos: u64,
    /// The first `min(pos, PRINT)` bytes of the file, as read.
    head: Vec<u8>,
    /// The last `min(pos, PRINT)` bytes read, ending at `pos`.
    tail: Vec<u8>,
}

/// What tells one file from another at the same path (rotation): inode and device on Unix;
/// elsewhere nothing (a rotation is then seen when the file shrinks).
#[cfg(unix)]
fn identity(meta: &std::fs::Metadata) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    (meta.ino(), meta.dev())
}

#[cfg(not(unix))]
fn identity(_meta: &std::fs::Metadata) -> (u64, u64) {
    (0, 0)
}

/// Reads at an offset without moving a shared position.
#[cfg(unix)]
fn read_at(file: &File, buf: &mut [u8], at: u64) -> io::Result<usize> {
    std::os::unix::fs::FileExt::read_at(file, buf, at)
}

#[cfg(windows)]
fn read_at(file: &File, buf: &mut [u8], at: u64) -> io::Result<usize> {
    std::os::windows::fs::FileExt::seek_read(file, buf, at)
}

#[cfg(not(any(unix, windows)))]
fn read_at(_file: &File, _buf: &mut [u8], _at: u64) -> io::Result<usize> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "--follow is not supported on this platform",
    ))
}

fn open(path: &Path) -> io::Result<Open> {
    let file = File::open(path)?;
    let meta = file.metadata()?;
    let (ino, dev) = identity(&meta);
    Ok(Open {
        file,
        ino,
        dev,
        pos: 0,
        head: Vec::new(),
        tail: Vec::new(),
    })
}

/// `len` bytes of `file` at `at` (fewer at its end).
fn bytes_at(file: &File, at: u64, len: usize) -> io::Result<Vec<u8>> {
    let mut buf = vec![0u8; len];
    let mut got = 0;
    while got < len {
        match read_at(file, &mut buf[got..], at + got as u64) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    buf.truncate(got);
    Ok(buf)
}

impl Open {
    /// Moves to `pos` and takes the fingerprints of what lies before it.
    fn start_at(&mut self, pos: u64) -> io::Result<()> {
        self.pos = self.file.seek(SeekFrom::Start(pos))?;
        self.head = bytes_at(&self.file, 0, (self.pos as usize).min(PRINT))?;
        let n = (self.pos as usize).min(PRINT);
        self.tail = bytes_at(&self.file, self.pos - n as u64, n)?;
        Ok(())
    }

    /// Records `data`, just read at the old `pos`.
    fn advance(&mut self, data: &[u8]) {
        if self.head.len() < PRINT && self.head.len() as u64 == self.pos {
            let take = (PRINT - self.head.len()).min(data.len());
            self.head.extend_from_slice(&data[..take]);
        }
        if data.len() >= PRINT {
            self.tail.clear();
            self.tail.extend_from_slice(&data[data.len() - PRINT..]);
        } else {
            self.tail.extend_from_slice(data);
            let over = self.tail.len().saturating_sub(PRINT);
            self.tail.drain(..over);
        }
        self.pos += data.len() as u64;
    }

    /// Whether the bytes before `pos` are still those that were read.
    fn unchanged(&self) -> io::Result<bool> {
        if bytes_at(&self.file, 0, self.head.len())? != self.head {
            return Ok(false);
        }
        let at = self.pos - self.tail.len() as u64;
        Ok(bytes_at(&self.file, at, self.tail.len())? == self.tail)
    }
}

/// Follows `path` from byte `start` until `stop` is set (Ctrl-C, SIGTERM, `--timeout`),
/// `limit` entries were shown (`--count`) or `emit` fails. What happens to the file
/// (truncation, rewrite, a line cut short) is told to `notice`.
pub fn follow(
    engine: &Engine,
    path: &Path,
    start: u64,
    stop: &AtomicBool,
    limit: Option<u64>,
    emit: &mut dyn FnMut(&[u8]) -> io::Result<()>,
    notice: &mut dyn FnMut(&str),
) -> io::Result<Tally> {
    let mut st = State {
        engine,
        buf: vec![0u8; 1 << 20],
        partial: Partial::default(),
        w: Worker::default(),
        out: Vec::new(),
        tally: Tally::for_engine(engine),
        limit,
    };
    let mut cur: Option<Open> = None;
    let mut first = true;
    let shown = path.display();

    while !stop.load(Ordering::Relaxed) && !st.counted() {
        if cur.is_none() {
            match open(path) {
                Ok(mut o) => {
                    if first && start > 0 {
                        o.start_at(start)?;
                    }
                    cur = Some(o);
                }
                Err(e) if e.kind() == io::ErrorKind::NotFound && !first => {}
                Err(e) => return Err(e),
            }
            first = false;
        }
        if let Some(o) = &mut cur {
            // The file is looked at before reading on: bytes read at the old position of
            // a file written again would be the middle of its new content.
            match std::fs::metadata(path) {
                Ok(meta) if identity(&meta) != (o.ino, o.dev) => {
                    // Rotated: finish the old file, then start the new one from its start.
                    st.drain(o, emit)?;
                    st.flush_partial();
                    cur = None;
                    continue;
                }
                Ok(meta) if meta.len() < o.pos => {
                    notice(&format!(
                        "{shown} was truncated (from {} to {} bytes): reading it again from its start; \
                         lines written to it just before it was cut were not seen",
                        o.pos,
                        meta.len()
                    ));
                    st.flush_partial();
                    o.start_at(0)?;
                }
                Ok(_) if !o.unchanged()? => {
                    notice(&format!(
                        "{shown} was truncated and written again past the old end ({} bytes) between two \
                         looks: reading it again from its start; lines written to it just before it was cut \
                         were not seen",
                        o.pos
                    ));
                    st.flush_partial();
                    o.start_at(0)?;
                }
                Ok(_) => {}
                // Renamed away and not yet replaced: keep the old handle until a new file appears.
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
            let cut_before = st.tally.cut;
            st.drain(o, emit)?;
            if st.tally.cut > cut_before {
                let what = match engine.output {
                    super::Output::Json => "left out (--json prints whole entries only)".to_string(),
                    _ => format!("shown cut to their first {} MiB", LINE_CAP >> 20),
                };
                notice(&format!(
                    "{} line(s) longer than {} MiB {what}",
                    st.tally.cut - cut_before,
                    LINE_CAP >> 20,
                ));
            }
        }
        if !st.out.is_empty() {
            emit(&st.out)?;
            st.out.clear();
        }
        std::thread::sleep(POLL);
    }
    st.flush_partial();
    emit(&st.out)?;
    Ok(st.tally)
}

/// What reading keeps between polls.
struct State<'e> {
    engine: &'e Engine,
    buf: Vec<u8>,
    /// The line whose newline has not arrived yet.
    partial: Partial,
    w: Worker,
    out: Vec<u8>,
    tally: Tally,
    /// `--count`: stop once this many entries were shown.
    limit: Option<u64>,
}

impl State<'_> {
    /// Reads what is new in `o` and runs the complete lines through the engine.
    fn drain(&mut self, o: &mut Open, emit: &mut dyn FnMut(&[u8]) -> io::Result<()>) -> io::Result<()> {
        loop {
            let n = match o.file.read(&mut self.buf) {
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if n == 0 {
                return Ok(());
            }
            o.advance(&self.buf[..n]);
            let data = &self.buf[..n];
            match self.limit {
                None => super::read::feed(
                    self.engine,
                    data,
                    &mut self.partial,
                    &mut self.w,
                    &mut self.out,
                    &mut self.tally,
                ),
                // With `--count`, a line at a time, so that no entry past the count is shown.
                Some(_) => {
                    for line in data.split_inclusive(|&b| b == b'\n') {
                        super::read::feed(
                            self.engine,
                            line,
                            &mut self.partial,
                            &mut self.w,
                            &mut self.out,
                            &mut self.tally,
                        );
                        if self.counted() {
                            return Ok(());
                        }
                    }
                }
            }
            // Hand the output on as it grows: a file read from its start may be large.
            if self.out.len() >= 1 << 20 {
                emit(&self.out)?;
                self.out.clear();
            }
        }
    }

    /// Whether `--count` entries were shown.
    fn counted(&self) -> bool {
        self.limit.is_some_and(|n| self.tally.shown >= n)
    }

    /// A line cut short by rotation or truncation is handed on as it is.
    fn flush_partial(&mut self) {
        self.partial
            .flush(self.engine, &mut self.w, &mut self.out, &mut self.tally);
    }
}
