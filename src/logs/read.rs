//! Reading lines fast: big reads split at newlines and processed on every core with the
//! output kept in file order; `--tail` read backwards from the end; several files merged
//! by time. Memory is bounded by the chunk size times the chunks in flight, whatever the
//! file size (a single line longer than a chunk makes its chunk longer, no more).

use std::collections::{BTreeMap, VecDeque};
use std::io::{self, BufRead, Read, Seek, SeekFrom};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use super::{Engine, Label, Tally, Worker};

/// Bytes read per chunk.
pub const CHUNK: usize = 2 << 20;
/// Output is handed over once this much has piled up (sequential paths).
const FLUSH: usize = 1 << 20;

/// Where the output bytes go, in order. An error stops the run and is returned.
pub type Emit<'a> = dyn FnMut(&[u8]) -> io::Result<()> + 'a;

/// The most of one line [`scan`] holds: a longer line is read on to its newline without
/// being kept, and shown cut with the count of the bytes left out.
pub const SCAN_LINE_CAP: usize = 16 << 20;

/// Lines of a chunk that were cut: where each ends in the chunk, and the bytes left out.
pub type Cuts = Vec<(usize, u64)>;

/// Runs every line of `chunk` through the engine; the lines ending at an offset in `cuts`
/// were cut short.
fn run_lines(
    engine: &Engine,
    chunk: &[u8],
    cuts: &[(usize, u64)],
    w: &mut Worker,
    out: &mut Vec<u8>,
    tally: &mut Tally,
) {
    let mut cuts = cuts.iter().peekable();
    let mut one = |line: &[u8], end: usize, w: &mut Worker, out: &mut Vec<u8>, tally: &mut Tally| match cuts
        .next_if(|(at, _)| *at == end)
    {
        Some((_, more)) => engine.cut(line, *more, out, tally),
        None => engine.line(line, w, out, tally),
    };
    let mut start = 0;
    for nl in memchr::memchr_iter(b'\n', chunk) {
        one(&chunk[start..nl], nl, w, out, tally);
        start = nl + 1;
    }
    if start < chunk.len() {
        one(&chunk[start..], chunk.len(), w, out, tally);
    }
}

/// The most of one line held while its newline has not arrived (`--follow`, a pipe): a
/// longer line is shown cut to this, with the count of the bytes left out.
pub const LINE_CAP: usize = 4 << 20;

/// The start of a line whose newline has not arrived yet: at most [`LINE_CAP`] bytes are
/// kept, the rest only counted.
#[derive(Debug, Default)]
pub struct Partial {
    bytes: Vec<u8>,
    /// Bytes of this line left out past the cap.
    dropped: u64,
}

impl Partial {
    fn push(&mut self, piece: &[u8]) {
        let room = LINE_CAP.saturating_sub(self.bytes.len()).min(piece.len());
        self.bytes.extend_from_slice(&piece[..room]);
        self.dropped += (piece.len() - room) as u64;
    }

    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty() && self.dropped == 0
    }

    /// Hands the line held to the engine (as it is, or cut) and forgets it.
    pub fn flush(&mut self, engine: &Engine, w: &mut Worker, out: &mut Vec<u8>, tally: &mut Tally) {
        if self.dropped > 0 {
            engine.cut(&self.bytes, self.dropped, out, tally);
        } else if !self.bytes.is_empty() {
            engine.line(&self.bytes, w, out, tally);
        }
        self.bytes.clear();
        self.dropped = 0;
        if self.bytes.capacity() > 1 << 20 {
            self.bytes = Vec::new();
        }
    }
}

/// Feeds a piece of input (cut anywhere) to the engine: complete lines go through at once,
/// the bytes after the last newline wait in `partial` for the rest of their line.
pub(super) fn feed(
    engine: &Engine,
    mut piece: &[u8],
    partial: &mut Partial,
    w: &mut Worker,
    out: &mut Vec<u8>,
    tally: &mut Tally,
) {
    while let Some(nl) = memchr::memchr(b'\n', piece) {
        if partial.is_empty() {
            engine.line(&piece[..nl], w, out, tally);
        } else {
            partial.push(&piece[..nl]);
            partial.flush(engine, w, out, tally);
        }
        piece = &piece[nl + 1..];
    }
    partial.push(piece);
}

/// Reads a stream as its data arrives (a pipe that stays open, `tail -f log | polycache logs
/// -`): the lines of each read are handed on at once, on this thread.
pub fn stream<R: Read>(engine: &Engine, mut reader: R, emit: &mut Emit) -> io::Result<Tally> {
    let mut tally = Tally::for_engine(engine);
    let mut w = Worker::default();
    let mut buf = vec![0u8; 1 << 20];
    let mut partial = Partial::default();
    let mut out = Vec::new();
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        feed(engine, &buf[..n], &mut partial, &mut w, &mut out, &mut tally);
        emit(&out)?;
        out.clear();
    }
    partial.flush(engine, &mut w, &mut out, &mut tally);
    emit(&out)?;
    Ok(tally)
}

/// Fills `buf` (which already holds `buf.len()` carried bytes) up to a chunk ending at a
/// newline. Returns the end of the last complete line, and whether the input ended. A line
/// longer than [`SCAN_LINE_CAP`] keeps only its start; it is noted in `cuts`.
fn fill<R: Read>(reader: &mut R, buf: &mut Vec<u8>, cuts: &mut Cuts) -> io::Result<(usize, bool)> {
    cuts.clear();
    loop {
        let before = buf.len();
        let n = reader.by_ref().take(CHUNK as u64).read_to_end(buf)?;
        if n == 0 {
            return Ok((buf.len(), true));
        }
        if let Some(p) = memchr::memrchr(b'\n', &buf[before..]) {
            return Ok((before + p + 1, false));
        }
        // No newline in what was read: a long line; read on, holding at most the cap of it.
        let line_start = memchr::memrchr(b'\n', &buf[..before]).map_or(0, |i| i + 1);
        if buf.len() - line_start > SCAN_LINE_CAP {
            let cut_at = line_start + SCAN_LINE_CAP;
            let mut more = (buf.len() - cut_at) as u64;
            buf.truncate(cut_at);
            let mut scratch = vec![0u8; 1 << 16];
            loop {
                let n = match reader.read(&mut scratch) {
                    Ok(n) => n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(e),
                };
                if n == 0 {
                    cuts.push((cut_at, more));
                    return Ok((buf.len(), true));
                }
                if let Some(p) = memchr::memchr(b'\n', &scratch[..n]) {
                    more += p as u64;
                    cuts.push((cut_at, more));
                    buf.extend_from_slice(&scratch[p..n]);
                    break;
                }
                more += n as u64;
            }
            if let Some(p) = memchr::memrchr(b'\n', &buf[cut_at..]) {
                return Ok((cut_at + p + 1, false));
            }
        }
    }
}

/// Reads `reader` to its end, processing chunks on `threads` threads, and hands the output
/// to `emit` in input order.
pub fn scan<R: Read>(engine: &Engine, mut reader: R, threads: usize, emit: &mut Emit) -> io::Result<Tally> {
    let mut first = Vec::with_capacity(CHUNK + 4096);
    let mut cuts = Cuts::new();
    let (end, eof) = fill(&mut reader, &mut first, &mut cuts)?;
    if eof || threads <= 1 {
        // Small input (or one thread): no threads to start.
        let mut tally = Tally::for_engine(engine);
        let mut w = Worker::default();
        let mut out = Vec::with_capacity(FLUSH * 2);
        let mut buf = first;
        let (mut end, mut eof) = (end, eof);
        loop {
            run_lines(engine, &buf[..end], &cuts, &mut w, &mut out, &mut tally);
            emit(&out)?;
            out.clear();
            if eof {
                return Ok(tally);
            }
            buf.drain(..end);
            (end, eof) = fill(&mut reader, &mut buf, &mut cuts)?;
        }
    }
    // The chunk filled last, waiting to be handed out; its tail is carried into the next.
    let mut filled = Some((first, end, eof, cuts));
    parallel(engine, threads, emit, |free| {
        let Some((buf, end, eof, cuts)) = filled.take() else {
            return Ok(None);
        };
        if !eof {
            let mut next = free.pop().unwrap_or_else(|| Vec::with_capacity(CHUNK + 4096));
            next.clear();
            next.extend_from_slice(&buf[end..]);
            let mut next_cuts = Cuts::new();
            let (e, f) = fill(&mut reader, &mut next, &mut next_cuts)?;
            filled = Some((next, e, f, next_cuts));
        }
        Ok(Some((buf, end, cuts)))
    })
}

/// A chunk for a worker: its input (lines up to `end`) and a buffer for its output.
struct Job {
    seq: u64,
    input: Vec<u8>,
    end: usize,
    cuts: Cuts,
    output: Vec<u8>,
}

/// A processed chunk.
struct Done {
    seq: u64,
    input: Vec<u8>,
    output: Vec<u8>,
    tally: Tally,
}

/// Processes the chunks that `next` produces on `threads` workers, at most two per worker in
/// flight, and hands their output to `emit` in order. `next` gets the read buffers that are
/// free again, to reuse.
fn parallel(
    engine: &Engine,
    threads: usize,
    emit: &mut Emit,
    mut next: impl FnMut(&mut Vec<Vec<u8>>) -> io::Result<Option<(Vec<u8>, usize, Cuts)>>,
) -> io::Result<Tally> {
    let max_in_flight = threads * 2;
    std::thread::scope(|s| -> io::Result<Tally> {
        let (job_tx, job_rx) = mpsc::sync_channel::<Job>(max_in_flight);
        let job_rx = Arc::new(Mutex::new(job_rx));
        let (done_tx, done_rx) = mpsc::channel::<Done>();
        for _ in 0..threads {
            let job_rx = Arc::clone(&job_rx);
            let done_tx = done_tx.clone();
            s.spawn(move || {
                let mut w = Worker::default();
                loop {
                    let job = match job_rx.lock() {
                        Ok(rx) => rx.recv(),
                        Err(_) => return,
                    };
                    let Ok(mut job) = job else { return };
                    let mut tally = Tally::for_engine(engine);
                    job.output.clear();
                    // Room for the output of a typical chunk, so buffers do not double past it.
                    job.output.reserve_exact(job.end + job.end / 4);
                    run_lines(
                        engine,
                        &job.input[..job.end],
                        &job.cuts,
                        &mut w,
                        &mut job.output,
                        &mut tally,
                    );
                    let done = Done {
                        seq: job.seq,
                        input: job.input,
                        output: job.output,
                        tally,
                    };
                    if done_tx.send(done).is_err() {
                        return;
                    }
                }
            });
        }
        drop(done_tx);

        let mut c = Collector {
            pending: BTreeMap::new(),
            next_write: 0,
            in_flight: 0,
            free_inputs: Vec::new(),
            free_outputs: Vec::new(),
            tally: Tally::for_engine(engine),
            failure: None,
        };
        let mut seq = 0u64;
        while c.failure.is_none() {
            let (input, end, cuts) = match next(&mut c.free_inputs) {
                Ok(Some(chunk)) => chunk,
                Ok(None) => break,
                Err(e) => {
                    c.failure = Some(e);
                    break;
                }
            };
            let job = Job {
                seq,
                input,
                end,
                cuts,
                output: c.free_outputs.pop().unwrap_or_default(),
            };
            seq += 1;
            c.wait(&done_rx, max_in_flight - 1, emit);
            if job_tx.send(job).is_ok() {
                c.in_flight += 1;
            }
        }
        drop(job_tx);
        c.wait(&done_rx, 0, emit);
        match c.failure {
            Some(e) => Err(e),
            None => Ok(c.tally),
        }
    })
}

/// Puts processed chunks back in order, writes them, and recycles their buffers.
struct Collector {
    pending: BTreeMap<u64, Done>,
    next_write: u64,
    /// Chunks sent to the workers and not yet written.
    in_flight: usize,
    free_inputs: Vec<Vec<u8>>,
    free_outputs: Vec<Vec<u8>>,
    tally: Tally,
    failure: Option<io::Error>,
}

impl Collector {
    /// Waits for chunks until at most `limit` are in flight, writing those next in order. A
    /// chunk is in flight until it is written: one slow chunk holds back the ones after it
    /// (kept in `pending`), and they count too, which is what bounds memory.
    fn wait(&mut self, done_rx: &mpsc::Receiver<Done>, limit: usize, emit: &mut Emit) {
        while self.in_flight > limit {
            let Ok(done) = done_rx.recv() else { return };
            self.pending.insert(done.seq, done);
            while let Some(d) = self.pending.remove(&self.next_write) {
                if self.failure.is_none()
                    && let Err(e) = emit(&d.output)
                {
                    self.failure = Some(e);
                }
                self.tally.merge(d.tally);
                self.free_inputs.push(d.input);
                self.free_outputs.push(d.output);
                self.next_write += 1;
                self.in_flight -= 1;
            }
        }
    }
}

/// The last `n` matching lines of a seekable file, read backwards from the end in blocks:
/// a large file is not read whole. Returns them in file order, with the lines that were
/// cut (longer than [`SCAN_LINE_CAP`]: only their start is kept) as (index, bytes left out).
pub fn tail_file<F: Read + Seek>(engine: &Engine, file: &mut F, n: usize) -> io::Result<(Vec<Vec<u8>>, Cuts)> {
    const BLOCK: u64 = 256 * 1024;
    let mut found: Vec<Vec<u8>> = Vec::new();
    let mut cuts = Cuts::new();
    if n == 0 {
        return Ok((found, cuts));
    }
    let mut w = Worker::default();
    let mut pos = file.seek(SeekFrom::End(0))?;
    // Bytes after `pos` that begin before the earliest newline seen so far: a line whose
    // start is not read yet.
    let mut carry: Vec<u8> = Vec::new();
    let mut data: Vec<u8> = Vec::new();
    while found.len() < n {
        let start = pos.saturating_sub(BLOCK);
        data.clear();
        data.resize((pos - start) as usize, 0);
        file.seek(SeekFrom::Start(start))?;
        file.read_exact(&mut data)?;
        data.extend_from_slice(&carry);
        pos = start;
        // Complete lines are those after the first newline (all of them at the start).
        let first_line_start = if pos == 0 {
            0
        } else {
            match memchr::memchr(b'\n', &data) {
                Some(i) => i + 1,
                None if data.len() > SCAN_LINE_CAP => {
                    // A line too long to hold: find its start without keeping it, then
                    // read its first bytes.
                    let end = pos + data.len() as u64;
                    // What was gathered of the line is let go.
                    data = Vec::new();
                    carry = Vec::new();
                    let line_start = loop {
                        if pos == 0 {
                            break 0;
                        }
                        let start = pos.saturating_sub(BLOCK);
                        data.clear();
                        data.resize((pos - start) as usize, 0);
                        file.seek(SeekFrom::Start(start))?;
                        file.read_exact(&mut data)?;
                        pos = start;
                        if let Some(i) = memchr::memrchr(b'\n', &data) {
                            carry.clear();
                            carry.extend_from_slice(&data[..i]);
                            break start + i as u64 + 1;
                        }
                    };
                    let mut head = vec![0u8; ((end - line_start) as usize).min(SCAN_LINE_CAP)];
                    file.seek(SeekFrom::Start(line_start))?;
                    file.read_exact(&mut head)?;
                    if engine.matches_cut(&head) {
                        cuts.push((found.len(), end - line_start - head.len() as u64));
                        found.push(head);
                    }
                    if line_start == 0 {
                        break;
                    }
                    continue;
                }
                None => {
                    std::mem::swap(&mut carry, &mut data);
                    continue;
                }
            }
        };
        let region = &data[first_line_start..];
        let mut cut = region.len();
        while found.len() < n {
            let line_start = memchr::memrchr(b'\n', &region[..cut]).map_or(0, |i| i + 1);
            let line = &region[line_start..cut];
            if engine.matches(line, &mut w) {
                found.push(line.to_vec());
            }
            if line_start == 0 {
                break;
            }
            cut = line_start - 1;
        }
        if pos == 0 {
            break;
        }
        // The partial line at the front, without the newline that ends it.
        carry.clear();
        carry.extend_from_slice(&data[..first_line_start - 1]);
    }
    found.reverse();
    let last = found.len().saturating_sub(1);
    for c in &mut cuts {
        c.0 = last - c.0;
    }
    cuts.reverse();
    Ok((found, cuts))
}

/// The last `n` matching lines of a stream that cannot seek (or of merged files): read
/// forward, keeping only `n`.
pub fn tail_stream<R: BufRead>(engine: &Engine, mut reader: R, n: usize) -> io::Result<(Vec<Vec<u8>>, Cuts)> {
    let mut ring: VecDeque<(Vec<u8>, u64)> = VecDeque::with_capacity(n.min(1 << 16));
    let mut w = Worker::default();
    let mut line = Vec::new();
    if n == 0 {
        return Ok((Vec::new(), Cuts::new()));
    }
    while let Some(more) = read_line_capped(&mut reader, &mut line, LINE_CAP)? {
        let matched = match more {
            0 => engine.matches(&line, &mut w),
            _ => engine.matches_cut(&line),
        };
        if matched {
            let mut slot = if ring.len() == n {
                ring.pop_front().map(|(l, _)| l).unwrap_or_default()
            } else {
                Vec::new()
            };
            slot.clear();
            slot.extend_from_slice(&line);
            ring.push_back((slot, more));
        }
    }
    Ok(split_cuts(ring))
}

/// Lines with the bytes each left out, as the lines and the [`Cuts`] among them.
fn split_cuts(lines: impl IntoIterator<Item = (Vec<u8>, u64)>) -> (Vec<Vec<u8>>, Cuts) {
    let mut cuts = Cuts::new();
    let lines = lines
        .into_iter()
        .enumerate()
        .map(|(i, (l, more))| {
            if more > 0 {
                cuts.push((i, more));
            }
            l
        })
        .collect();
    (lines, cuts)
}

/// Reads one line into `line` (without its newline), keeping at most `cap` bytes of it.
/// Returns `None` at the end of the input, else how many bytes of the line were left out.
fn read_line_capped<R: BufRead + ?Sized>(reader: &mut R, line: &mut Vec<u8>, cap: usize) -> io::Result<Option<u64>> {
    line.clear();
    let mut more = 0u64;
    let mut any = false;
    loop {
        let buf = match reader.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buf.is_empty() {
            return Ok(any.then_some(more));
        }
        any = true;
        let (take, done) = match memchr::memchr(b'\n', buf) {
            Some(i) => (i, true),
            None => (buf.len(), false),
        };
        let room = cap.saturating_sub(line.len()).min(take);
        line.extend_from_slice(&buf[..room]);
        more += (take - room) as u64;
        reader.consume(if done { take + 1 } else { take });
        if done {
            return Ok(Some(more));
        }
    }
}

/// Runs already-collected lines through the engine; those listed in `cuts` (index, bytes
/// left out) were cut short.
pub fn emit_lines(engine: &Engine, lines: &[Vec<u8>], cuts: &[(usize, u64)], emit: &mut Emit) -> io::Result<Tally> {
    emit_lines_from(engine, lines, cuts, &[], emit)
}

/// [`emit_lines`], each line marked with its file's label (`labels[i]` for `lines[i]`;
/// none when `labels` is empty).
pub fn emit_lines_from(
    engine: &Engine,
    lines: &[Vec<u8>],
    cuts: &[(usize, u64)],
    labels: &[&Label],
    emit: &mut Emit,
) -> io::Result<Tally> {
    let mut tally = Tally::for_engine(engine);
    let mut w = Worker::default();
    let mut out = Vec::new();
    let mut cuts = cuts.iter().peekable();
    for (i, l) in lines.iter().enumerate() {
        let label = labels.get(i).copied();
        match cuts.next_if(|(at, _)| *at == i) {
            Some((_, more)) => engine.cut_from(l, *more, label, &mut out, &mut tally),
            None => engine.line_from(l, label, &mut w, &mut out, &mut tally),
        }
        if out.len() >= FLUSH {
            emit(&out)?;
            out.clear();
        }
    }
    emit(&out)?;
    Ok(tally)
}

/// Several inputs merged by time into one stream of lines (a k-way merge; lines without a
/// time stay right after the line before them in their file).
pub struct Merge<'e> {
    engine: &'e Engine,
    sources: Vec<Source>,
    w: Worker,
}

struct Source {
    reader: Box<dyn BufRead + Send>,
    line: Vec<u8>,
    /// Bytes of `line` left out past [`SCAN_LINE_CAP`].
    more: u64,
    /// `None`: this source is exhausted.
    key: Option<i64>,
}

impl<'e> Merge<'e> {
    pub fn new(engine: &'e Engine, readers: Vec<Box<dyn BufRead + Send>>) -> io::Result<Merge<'e>> {
        let mut m = Merge {
            engine,
            sources: readers
                .into_iter()
                .map(|reader| Source {
                    reader,
                    line: Vec::new(),
                    more: 0,
                    key: None,
                })
                .collect(),
            w: Worker::default(),
        };
        for i in 0..m.sources.len() {
            m.advance(i)?;
        }
        Ok(m)
    }

    fn advance(&mut self, i: usize) -> io::Result<()> {
        let s = &mut self.sources[i];
        let Some(more) = read_line_capped(&mut s.reader, &mut s.line, SCAN_LINE_CAP)? else {
            s.key = None;
            return Ok(());
        };
        s.more = more;
        // Lines without a time go out at once, next to their neighbours.
        s.key = Some(self.engine.time_of(&s.line, &mut self.w).unwrap_or(i64::MIN));
        Ok(())
    }

    /// Calls `f` with each line in time order, the bytes of it left out (0 when whole), and
    /// the index of its input.
    pub fn for_each(mut self, mut f: impl FnMut(&[u8], u64, usize) -> io::Result<()>) -> io::Result<()> {
        loop {
            let next = self
                .sources
                .iter()
                .enumerate()
                .filter_map(|(i, s)| s.key.map(|k| (k, i)))
                .min();
            let Some((_, i)) = next else { return Ok(()) };
            f(&self.sources[i].line, self.sources[i].more, i)?;
            self.advance(i)?;
        }
    }
}

/// Merges `readers` by time and runs the lines through the engine, each marked with the
/// label of its reader (`labels[i]` for `readers[i]`; none when `labels` is empty).
pub fn merge(
    engine: &Engine,
    readers: Vec<Box<dyn BufRead + Send>>,
    labels: &[Label],
    emit: &mut Emit,
) -> io::Result<Tally> {
    let mut tally = Tally::for_engine(engine);
    let mut w = Worker::default();
    let mut out = Vec::with_capacity(FLUSH * 2);
    Merge::new(engine, readers)?.for_each(|line, more, i| {
        let label = labels.get(i);
        match more {
            0 => engine.line_from(line, label, &mut w, &mut out, &mut tally),
            _ => engine.cut_from(line, more, label, &mut out, &mut tally),
        }
        if out.len() >= FLUSH {
            emit(&out)?;
            out.clear();
        }
        Ok(())
    })?;
    emit(&out)?;
    Ok(tally)
}

/// The last `n` matching lines of merged inputs, and the index of the input of each.
pub fn merge_tail(
    engine: &Engine,
    readers: Vec<Box<dyn BufRead + Send>>,
    n: usize,
) -> io::Result<(Vec<Vec<u8>>, Cuts, Vec<usize>)> {
    let mut ring: VecDeque<(Vec<u8>, u64, usize)> = VecDeque::new();
    let mut w = Worker::default();
    Merge::new(engine, readers)?.for_each(|line, more, i| {
        let matched = match more {
            0 => engine.matches(line, &mut w),
            _ => engine.matches_cut(line),
        };
        if n > 0 && matched {
            if ring.len() == n {
                ring.pop_front();
            }
            ring.push_back((line.to_vec(), more, i));
        }
        Ok(())
    })?;
    let sources = ring.iter().map(|(_, _, i)| *i).collect();
    let (lines, cuts) = split_cuts(ring.into_iter().map(|(l, more, _)| (l, more)));
    Ok((lines, cuts, sources))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logs::{Output, filter::Filter};

    fn json_engine() -> Engine {
        Engine {
            filter: Filter::default(),
            output: Output::Json,
        }
    }

    fn lines(n: usize) -> Vec<u8> {
        let mut v = Vec::new();
        for i in 0..n {
            v.extend_from_slice(format!("{{\"level\":30,\"time\":{i},\"msg\":\"m{i}\"}}\n").as_bytes());
        }
        v
    }

    #[test]
    fn parallel_scan_keeps_order() {
        let data = lines(300_000);
        let mut out = Vec::new();
        let t = scan(&json_engine(), &data[..], 2, &mut |b: &[u8]| {
            out.extend_from_slice(b);
            Ok(())
        })
        .unwrap();
        assert_eq!(t.shown, 300_000);
        assert!(out == data, "output differs from input");
    }

    #[test]
    fn tail_reads_back_across_blocks() {
        let data = lines(50_000);
        let (last, _) = tail_file(&json_engine(), &mut io::Cursor::new(&data), 3).unwrap();
        let want: Vec<Vec<u8>> = (49_997..50_000)
            .map(|i| format!("{{\"level\":30,\"time\":{i},\"msg\":\"m{i}\"}}").into_bytes())
            .collect();
        assert_eq!(last, want);
        let (all, _) = tail_file(&json_engine(), &mut io::Cursor::new(&data), 60_000).unwrap();
        assert_eq!(all.len(), 50_000);
    }
}
