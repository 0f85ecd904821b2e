//! `--follow`: poll the file for new lines, surviving rotation.
//!
//! Each poll reads what was appended since the last one. Then the path is checked: another
//! file there (another inode: the old one was renamed away and a new one created) means
//! the old handle is read to its end and the new file is read from its start; a file
//! shorter than what was read means it was truncated, and reading starts again at 0. A
//! line is handed on only once its newline has arrived, so none is lost or doubled.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use super::{Engine, Tally, Worker};

/// How often the file is looked at.
pub const POLL: Duration = Duration::from_millis(100);

struct Open {
    file: File,
    ino: u64,
    dev: u64,
    /// Bytes read so far from this file.
    pos: u64,
}

fn open(path: &Path) -> io::Result<Open> {
    let file = File::open(path)?;
    let meta = file.metadata()?;
    Ok(Open {
        file,
        ino: meta.ino(),
        dev: meta.dev(),
        pos: 0,
    })
}

/// Follows `path` from byte `start` until `stop` is set (Ctrl-C) or `emit` fails.
pub fn follow(
    engine: &Engine,
    path: &Path,
    start: u64,
    stop: &AtomicBool,
    emit: &mut dyn FnMut(&[u8]) -> io::Result<()>,
) -> io::Result<Tally> {
    let mut tally = Tally::for_engine(engine);
    let mut w = Worker::default();
    let mut out: Vec<u8> = Vec::new();
    // Bytes of a line whose newline has not arrived yet.
    let mut partial: Vec<u8> = Vec::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut cur: Option<Open> = None;
    let mut first = true;

    while !stop.load(Ordering::Relaxed) {
        if cur.is_none() {
            match open(path) {
                Ok(mut o) => {
                    if first && start > 0 {
                        o.pos = o.file.seek(SeekFrom::Start(start))?;
                    }
                    cur = Some(o);
                }
                Err(e) if e.kind() == io::ErrorKind::NotFound && !first => {}
                Err(e) => return Err(e),
            }
            first = false;
        }
        if let Some(o) = &mut cur {
            drain(engine, o, &mut buf, &mut partial, &mut w, &mut out, &mut tally)?;
            match std::fs::metadata(path) {
                Ok(meta) if meta.ino() != o.ino || meta.dev() != o.dev => {
                    // Rotated: finish the old file, then start the new one from its start.
                    drain(engine, o, &mut buf, &mut partial, &mut w, &mut out, &mut tally)?;
                    flush_partial(engine, &mut partial, &mut w, &mut out, &mut tally);
                    cur = None;
                    continue;
                }
                Ok(meta) if meta.len() < o.pos => {
                    // Truncated: what was there is gone; read again from the start.
                    flush_partial(engine, &mut partial, &mut w, &mut out, &mut tally);
                    o.pos = o.file.seek(SeekFrom::Start(0))?;
                    continue;
                }
                Ok(_) => {}
                // Renamed away and not yet replaced: keep the old handle until a new file appears.
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        if !out.is_empty() {
            emit(&out)?;
            out.clear();
        }
        std::thread::sleep(POLL);
    }
    flush_partial(engine, &mut partial, &mut w, &mut out, &mut tally);
    emit(&out)?;
    Ok(tally)
}

/// Reads what is new in `o` and runs the complete lines through the engine.
fn drain(
    engine: &Engine,
    o: &mut Open,
    buf: &mut [u8],
    partial: &mut Vec<u8>,
    w: &mut Worker,
    out: &mut Vec<u8>,
    tally: &mut Tally,
) -> io::Result<()> {
    loop {
        let n = o.file.read(buf)?;
        if n == 0 {
            return Ok(());
        }
        o.pos += n as u64;
        super::read::feed(engine, &buf[..n], partial, w, out, tally);
    }
}

/// A line cut short by rotation or truncation is handed on as it is (shown as raw text).
fn flush_partial(engine: &Engine, partial: &mut Vec<u8>, w: &mut Worker, out: &mut Vec<u8>, tally: &mut Tally) {
    if !partial.is_empty() {
        engine.line(partial, w, out, tally);
        partial.clear();
    }
}
