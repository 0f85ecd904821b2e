//! `polycache logs [FILE...]`: the cache log, readable, filtered, followed or summed up.

use std::fs::File;
use std::io::{self, BufReader};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use super::Context;
use crate::cli::LogsArgs;
use crate::error::Failure;
use crate::escape;
use crate::logs::filter::{self, FieldMatch, Filter, FilterError};
use crate::logs::format::Formatter;
use crate::logs::{Engine, Label, Output, Tally, follow, read};
use crate::logs::{decompress, rotated, seek};
use crate::output::{Outcome, Printer};

impl From<FilterError> for Failure {
    fn from(e: FilterError) -> Failure {
        let hint = match &e {
            FilterError::Field { .. } => "write it as --field key=value, e.g. --field module=mirror",
            FilterError::Time { .. } => "use 30s, 15m, 2h, 7d, epoch ms, or a timestamp like 2026-01-31T12:00:00Z",
            FilterError::Regex { .. } => "see https://docs.rs/regex for the syntax; quote the pattern in the shell",
            FilterError::Level { .. } => "use trace, debug, info, warn, error, fatal, or a number such as 40",
        };
        Failure::usage(e.to_string()).with_hint(hint)
    }
}

/// The filters the flags ask for.
pub fn build_filter(args: &LogsArgs, now_ms: i64) -> Result<Filter, FilterError> {
    let mut f = Filter::default();
    if args.errors {
        f.min_level = Some(crate::logs::parse::ERROR);
    }
    if let Some(l) = &args.level {
        let l = filter::parse_level(l)?;
        f.min_level = Some(f.min_level.map_or(l, |m| m.max(l)));
    }
    if let Some(s) = &args.since {
        f.since = Some(filter::parse_time("--since", s, now_ms)?);
    }
    if let Some(u) = &args.until {
        f.until = Some(filter::parse_time("--until", u, now_ms)?);
    }
    if let Some(g) = &args.grep {
        f.grep = Some(filter::parse_regex(g)?);
    }
    for field in &args.field {
        f.fields.push(FieldMatch::parse(field)?);
    }
    if args.mirror {
        f.fields.push(FieldMatch::new("module", "mirror"));
    }
    Ok(f)
}

fn io_failure(what: &str, e: io::Error) -> Failure {
    Failure::error(format!("cannot read {what}: {e}"))
        .with_hint("pass the log file as FILE, or set CACHE_LOG (or --log-file); `-` reads standard input")
}

/// Opens a log file to read, refusing a directory plainly (reading one fails later with
/// a bare "Is a directory").
fn open(path: &str) -> Result<File, Failure> {
    if std::fs::metadata(path).is_ok_and(|m| m.is_dir()) {
        return Err(directory_failure(path));
    }
    File::open(path).map_err(|e| io_failure(path, e))
}

fn directory_failure(path: &str) -> Failure {
    let example = Path::new(path).join("cache.json");
    Failure::error(format!("cannot read {path}: it is a directory"))
        .with_hint(format!("pass the log file inside it, e.g. {}", example.display()))
}

/// Whether `path` is something other than a regular file (a pipe, a device), which can be
/// read once from its start but not seeked.
fn is_stream(path: &str) -> bool {
    path == "-" || std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir())
}

pub fn run(ctx: &Context, args: &LogsArgs) -> Result<Outcome, Failure> {
    let now = chrono::Utc::now().timestamp_millis();
    let filter = build_filter(args, now)?;
    let output = if args.stats {
        Output::Stats
    } else if ctx.out.json() {
        Output::Json
    } else {
        Output::Pretty(Formatter {
            style: ctx.out.style(),
            utc: args.utc,
        })
    };
    let engine = Engine { filter, output };
    let files: Vec<String> = if args.files.is_empty() {
        vec![ctx.settings.cache_log().to_string()]
    } else {
        args.files.clone()
    };
    let set = rotated_set(ctx, args, &files)?;
    if !args.follow && (args.limits.count.is_some() || args.limits.timeout.is_some()) {
        return Err(Failure::usage("--count and --timeout limit --follow")
            .with_hint("add --follow, or use --tail N for the last entries"));
    }
    if args.follow && files.len() > 1 {
        return Err(Failure::usage("--follow reads one file").with_hint("follow each file in its own terminal"));
    }

    // Readable lines on a terminal go through a pager, as git's do; not those of a file
    // followed or of a pipe that stays open, which come as they are written.
    let live = files.iter().any(|f| is_stream(f) && !(f == "-" && stdin_is_file()));
    let page = !args.no_pager && !args.follow && !live && matches!(engine.output, Output::Pretty(_));
    let mut lock = ctx.out.paged(page);
    // Errors of `emit` are writing errors; any other I/O error came from reading.
    let mut write_failed = false;
    let mut emit = |b: &[u8]| -> io::Result<()> {
        if b.is_empty() {
            return Ok(());
        }
        // Each piece goes out as it is made (one write per piece, as stdout's own line
        // buffering did): `--follow` shows lines as they come.
        lock.write(b)
            .and_then(|_| lock.flush())
            .inspect_err(|_| write_failed = true)
    };
    // The file of a rotated set being read, to name in a reading error.
    let mut reading = String::new();
    let result = match &set {
        Some(set) => produce_rotated(&ctx.out, &engine, args, set, &mut reading, &mut emit),
        None => produce(&ctx.out, &engine, args, &files, &mut emit),
    };
    let tally = match result {
        Ok(t) => t,
        Err(Produce::Io(e)) if write_failed && e.kind() == io::ErrorKind::BrokenPipe => return Ok(Outcome::streamed()),
        Err(Produce::Io(e)) if write_failed => return Err(Failure::error(format!("cannot write the output: {e}"))),
        Err(Produce::Io(e)) => {
            let what = match files.as_slice() {
                _ if !reading.is_empty() => reading,
                [one] if one == "-" => "standard input".to_string(),
                [one] => one.clone(),
                many => many.join(", "),
            };
            return Err(io_failure(&what, e));
        }
        Err(Produce::Failure(f)) => return Err(f),
    };
    lock.finish()?;
    if let Some(stats) = &tally.stats {
        let mut report = stats.report();
        report.utc = args.utc;
        for m in &mut report.mirrors {
            m.name = ctx.settings.name_of(&m.target).map(str::to_string);
        }
        return Ok(Outcome::show(report));
    } else {
        // A followed file says so as it happens; other inputs sum up at the end.
        let followed_file = args.follow && files[0] != "-" && !is_stream(&files[0]);
        if tally.cut > 0 && !followed_file {
            ctx.out.note(&format!(
                "{} line(s) too long to hold (over {} MiB from a pipe, {} MiB from a file) were cut short{}",
                tally.cut,
                read::LINE_CAP >> 20,
                read::SCAN_LINE_CAP >> 20,
                if matches!(engine.output, Output::Json) {
                    " and left out"
                } else {
                    ""
                }
            ));
        }
        // Filters that matched nothing: a word instead of silence.
        if tally.shown == 0 && !engine.filter.is_empty() && !args.follow {
            let grep = if args.grep.is_some() {
                " (--grep looks at the msg field only; --field KEY=VALUE matches others)"
            } else {
                ""
            };
            ctx.out.note(&format!("no entry matched {}{grep}", filters_given(args)));
        }
        let not_json = tally.not_json.saturating_sub(tally.cut);
        if matches!(engine.output, Output::Json) && not_json > 0 {
            ctx.out
                .note(&format!("{not_json} line(s) were not JSON objects and were left out"));
        }
    }
    if let Some(shown) = tally.fell_short {
        let n = args.limits.count.unwrap_or_default();
        return Ok(Outcome::streamed()
            .code(crate::error::exit::ERROR)
            .tell(format!("--timeout came before --count {n}: {shown} of {n} entries")));
    }
    Ok(Outcome::streamed())
}

enum Produce {
    Io(io::Error),
    Failure(Failure),
}

impl From<io::Error> for Produce {
    fn from(e: io::Error) -> Produce {
        Produce::Io(e)
    }
}

impl From<Failure> for Produce {
    fn from(f: Failure) -> Produce {
        Produce::Failure(f)
    }
}

/// Reads the inputs the way the flags ask, streaming output to `emit`.
fn produce(
    out: &Printer,
    engine: &Engine,
    args: &LogsArgs,
    files: &[String],
    emit: &mut read::Emit,
) -> Result<Tally, Produce> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(16);
    if args.follow && compressed(&files[0]) {
        return Err(Failure::usage(format!("cannot follow {}: it is compressed", files[0]))
            .with_hint("follow the live (uncompressed) log; rotated, compressed ones are read without --follow")
            .into());
    }

    if args.follow && files[0] != "-" && is_stream(&files[0]) {
        // A pipe has no size and no position to come back to: it is read as its lines
        // arrive, until its writers close it.
        let path = &files[0];
        if args.tail.is_some() {
            return Err(Failure::usage(format!(
                "cannot seek {path}: it is a pipe, not a file, so --tail cannot read its end"
            ))
            .with_hint("drop --tail to show what comes through the pipe, or follow the log file itself")
            .into());
        }
        out.note(&format!(
            "{path} is a pipe: showing its lines as they come until its writers close it"
        ));
        return Ok(read::stream(engine, open(path)?, emit)?);
    }

    if args.follow && files[0] != "-" {
        let path = &files[0];
        let mut tally = Tally::for_engine(engine);
        let mut start = 0;
        // Like `tail -f`: the last few entries, then what comes; --from-start reads it all.
        let tail = match (args.tail, args.from_start) {
            (Some(n), _) => Some(n),
            (None, true) => None,
            (None, false) => Some(FOLLOW_TAIL),
        };
        if let Some(n) = tail {
            let mut f = open(path)?;
            start = f.metadata().map_err(|e| io_failure(path, e))?.len();
            let (lines, cuts) = read::tail_file(engine, &mut f, n).map_err(|e| io_failure(path, e))?;
            tally.merge(read::emit_lines(engine, &lines, &cuts, emit)?);
        } else {
            // Fail early and plainly when the file is not there.
            open(path)?;
        }
        tally.merge(follow_live(
            out,
            engine,
            Path::new(path),
            start,
            args.limits.limits(),
            emit,
        )?);
        return Ok(tally);
    }

    // Several files: each line says which one it came from.
    let labels = match engine.output {
        Output::Stats => Vec::new(),
        _ if files.len() > 1 => Label::for_files(files, out.style()),
        _ => Vec::new(),
    };
    if let Some(n) = args.tail {
        let (lines, cuts) = if files.len() > 1 {
            let readers = files.iter().map(|f| reader(f)).collect::<Result<Vec<_>, _>>()?;
            let (lines, cuts, sources) =
                read::merge_tail(engine, readers, n).map_err(|e| io_failure("the inputs", e))?;
            let marks: Vec<&Label> = sources.iter().filter_map(|&i| labels.get(i)).collect();
            return Ok(read::emit_lines_from(engine, &lines, &cuts, &marks, emit)?);
        } else {
            tail_one(engine, &files[0], n)?
        };
        return Ok(read::emit_lines(engine, &lines, &cuts, emit)?);
    }

    if files.len() > 1 {
        let readers = files.iter().map(|f| reader(f)).collect::<Result<Vec<_>, _>>()?;
        return Ok(read::merge(engine, readers, &labels, emit)?);
    }
    read_one(out, engine, &files[0], threads, emit)
}

/// Follows the live file from byte `start` until Ctrl-C, SIGTERM, a closed stdout, or the
/// limits of `--count` and `--timeout` (the exit rule of [`crate::follow`]: the deadline
/// before `--count` entries is a failure).
fn follow_live(
    out: &Printer,
    engine: &Engine,
    path: &Path,
    start: u64,
    limits: crate::follow::FollowLimits,
    emit: &mut read::Emit,
) -> Result<Tally, Produce> {
    // Ctrl-C or SIGTERM: flush what was read and exit cleanly.
    let stop = Arc::new(AtomicBool::new(false));
    crate::signals::raise_on_signal(Arc::clone(&stop));
    // `logs --follow | head -1`: the reader is gone; stop at once, not at the next line.
    crate::pipe::watch(Arc::clone(&stop));
    let timed_out = Arc::new(AtomicBool::new(false));
    if let Some(after) = limits.timeout {
        let (stop, timed_out) = (Arc::clone(&stop), Arc::clone(&timed_out));
        std::thread::spawn(move || {
            std::thread::sleep(after);
            timed_out.store(true, std::sync::atomic::Ordering::SeqCst);
            stop.store(true, std::sync::atomic::Ordering::SeqCst);
        });
    }
    let mut notice = |text: &str| out.note(&escape::text(text));
    let mut tally = follow::follow(engine, path, start, &stop, limits.count, emit, &mut notice)?;
    let counted = limits.count.is_some_and(|n| tally.shown >= n);
    if timed_out.load(std::sync::atomic::Ordering::SeqCst)
        && !counted
        && crate::follow::Stop::TimedOut.fell_short(&limits)
    {
        tally.fell_short = Some(tally.shown);
    }
    Ok(tally)
}

/// The rotated set to read, oldest first, when `--rotated` or a directory as FILE asks for
/// one.
fn rotated_set(ctx: &Context, args: &LogsArgs, files: &[String]) -> Result<Option<Vec<String>>, Failure> {
    let dir = match files {
        [one] if one != "-" && std::fs::metadata(one).is_ok_and(|m| m.is_dir()) => Some(one.as_str()),
        _ => None,
    };
    if !args.rotated && dir.is_none() {
        return Ok(None);
    }
    let live = match (dir, files) {
        (Some(dir), _) => {
            let bases = rotated::bases_in(Path::new(dir)).map_err(|e| io_failure(dir, e))?;
            // Where several logs share the directory, CACHE_LOG's name picks one.
            let configured = Path::new(ctx.settings.cache_log())
                .file_name()
                .map(|n| n.to_string_lossy().into_owned());
            let base = match bases.as_slice() {
                [] => {
                    return Err(Failure::error(format!("cannot read {dir}: it holds no log file"))
                        .with_hint("pass the directory that holds cache.json and its rotated files"));
                }
                [one] => one.clone(),
                many => match configured.filter(|c| many.contains(c)) {
                    Some(c) => c,
                    None => {
                        let names: Vec<String> = many.iter().map(|b| escape::text(b).into_owned()).collect();
                        return Err(
                            Failure::usage(format!("{dir} holds several logs: {}", names.join(", "))).with_hint(
                                format!(
                                    "name one with its rotated files: polycache logs --rotated {}",
                                    Path::new(dir).join(&many[0]).display()
                                ),
                            ),
                        );
                    }
                },
            };
            Path::new(dir).join(base)
        }
        (None, [one]) if one != "-" => Path::new(one).to_path_buf(),
        _ => {
            return Err(
                Failure::usage("--rotated reads one log and its rotated files").with_hint(
                    "give the live log (or its directory) once, e.g. polycache logs --rotated server/logs/cache.json",
                ),
            );
        }
    };
    let shown = live.display().to_string();
    let set = rotated::set_of(&live).map_err(|e| io_failure(&shown, e))?;
    if set.is_empty() {
        return Err(io_failure(&shown, io::Error::from(io::ErrorKind::NotFound))
            .with_hint("neither the log nor rotated files of it (cache.json.1, cache.1.json, ...) are there; check CACHE_LOG or the path"));
    }
    Ok(Some(
        set.into_iter().map(|p| p.to_string_lossy().into_owned()).collect(),
    ))
}

/// A time as `-v` shows it.
fn when(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms).map_or_else(
        || ms.to_string(),
        |t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
    )
}

/// Reads a rotated set (oldest first) as one log: the files whose time range meets
/// `--since`/`--until`, each as it would be read alone, one after the other.
fn produce_rotated(
    out: &Printer,
    engine: &Engine,
    args: &LogsArgs,
    set: &[String],
    reading: &mut String,
    emit: &mut read::Emit,
) -> Result<Tally, Produce> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(16);
    let paths: Vec<std::path::PathBuf> = set.iter().map(std::path::PathBuf::from).collect();
    let plan = rotated::plan(&paths, engine.filter.since, engine.filter.until)
        .map_err(|(p, e)| io_failure(&p.display().to_string(), e))?;
    let read: Vec<&str> = set
        .iter()
        .zip(&plan)
        .filter(|(_, m)| m.decision == rotated::Decision::Read)
        .map(|(p, _)| p.as_str())
        .collect();
    if out.verbose() > 0 {
        let mut unopened = 0;
        for (path, m) in set.iter().zip(&plan) {
            let path = escape::text(path);
            out.note(&match m.decision {
                rotated::Decision::Read => format!("{path}: read"),
                rotated::Decision::Before { ends, opened: false } => {
                    unopened += 1;
                    format!(
                        "{path}: skipped, not opened: it ends by {} (where a newer file starts), before --since",
                        when(ends)
                    )
                }
                rotated::Decision::Before { ends, opened: true } => {
                    format!("{path}: skipped: its last entry ({}) is before --since", when(ends))
                }
                rotated::Decision::After { starts } => {
                    format!("{path}: skipped: its first entry ({}) is after --until", when(starts))
                }
            });
        }
        out.note(&format!(
            "rotated set: {} file(s), {} read, {} skipped ({unopened} not opened)",
            set.len(),
            read.len(),
            set.len() - read.len()
        ));
    }
    let live = &set[set.len() - 1];
    if args.follow && compressed(live) {
        return Err(Failure::usage(format!("cannot follow {live}: it is compressed"))
            .with_hint("follow the live (uncompressed) log; rotated, compressed ones are read without --follow")
            .into());
    }
    // Where following starts: the live file as it is now.
    let start = if args.follow {
        open(live)?.metadata().map_err(|e| io_failure(live, e))?.len()
    } else {
        0
    };
    let tail = match (args.tail, args.follow, args.from_start) {
        (Some(n), _, _) => Some(n),
        (None, true, false) => Some(FOLLOW_TAIL),
        _ => None,
    };
    let mut tally = Tally::for_engine(engine);
    match tail {
        // The last n across the set: the newest files first, each asked for what is missing.
        Some(n) => {
            let mut parts = Vec::new();
            let mut found = 0;
            for path in read.iter().rev() {
                if found >= n {
                    break;
                }
                (*path).clone_into(reading);
                let (lines, cuts) = tail_one(engine, path, n - found)?;
                found += lines.len();
                parts.push((lines, cuts));
            }
            let (mut lines, mut cuts) = (Vec::with_capacity(found), read::Cuts::new());
            for (l, c) in parts.into_iter().rev() {
                cuts.extend(c.into_iter().map(|(i, more)| (i + lines.len(), more)));
                lines.extend(l);
            }
            tally.merge(read::emit_lines(engine, &lines, &cuts, emit)?);
        }
        None => {
            // With --follow, the live file itself is read by the follower from its start.
            for path in read.iter().filter(|p| !args.follow || **p != live.as_str()) {
                (*path).clone_into(reading);
                tally.merge(read_one(out, engine, path, threads, emit)?);
            }
        }
    }
    live.clone_into(reading);
    if args.follow {
        let from = if tail.is_some() { start } else { 0 };
        tally.merge(follow_live(
            out,
            engine,
            Path::new(live),
            from,
            args.limits.limits(),
            emit,
        )?);
    }
    Ok(tally)
}

/// Every input is read through its decompressor when its first bytes say so.
fn reader(path: &str) -> Result<Box<dyn io::BufRead + Send>, Failure> {
    let plain: Box<dyn io::BufRead + Send> = if path == "-" {
        Box::new(BufReader::with_capacity(1 << 20, io::stdin()))
    } else {
        Box::new(BufReader::with_capacity(1 << 20, open(path)?))
    };
    decompress::open(plain).map_err(|e| io_failure(if path == "-" { "standard input" } else { path }, e))
}

/// Whether `path` is a regular file that is compressed. A compressed file cannot be seeked
/// (nor followed): it is read as a stream. (Only a regular file is looked at here: opening a
/// pipe would wait for its writer.)
fn compressed(path: &str) -> bool {
    path != "-"
        && std::fs::metadata(path).is_ok_and(|m| m.is_file())
        && decompress::format_of_file(Path::new(path)).is_ok_and(|f| f != decompress::Format::Plain)
}

/// The last `n` matching lines of one input: a plain file read backwards from its end, any
/// other read through.
fn tail_one(engine: &Engine, path: &str, n: usize) -> Result<(Vec<Vec<u8>>, read::Cuts), Failure> {
    if path == "-" {
        read::tail_stream(engine, reader("-")?, n).map_err(|e| io_failure("standard input", e))
    } else if is_stream(path) || compressed(path) {
        read::tail_stream(engine, reader(path)?, n).map_err(|e| io_failure(path, e))
    } else {
        let mut f = open(path)?;
        read::tail_file(engine, &mut f, n).map_err(|e| io_failure(path, e))
    }
}

/// One input read whole: standard input (on every core when it is a file, else line by
/// line as it comes), a compressed file through its decompressor, a plain file from where
/// `--since` finds its start.
fn read_one(
    out: &Printer,
    engine: &Engine,
    path: &str,
    threads: usize,
    emit: &mut read::Emit,
) -> Result<Tally, Produce> {
    if path == "-" {
        let stdin = reader("-")?;
        if stdin_is_file() {
            return Ok(read::scan(engine, stdin, threads, emit)?);
        }
        // A pipe or a terminal: show lines as they come.
        return Ok(read::stream(engine, stdin, emit)?);
    }
    if compressed(path) {
        let file = BufReader::with_capacity(1 << 20, open(path)?);
        let decoded = decompress::open_read(file).map_err(|e| io_failure(path, e))?;
        return Ok(read::scan(engine, decoded, threads, emit)?);
    }
    let mut file = open(path)?;
    // --since: start near the first line of that time instead of at the file's start.
    if let Some(since) = engine.filter.since {
        use std::io::{Seek, SeekFrom};
        match seek::start(&mut file, since).map_err(|e| io_failure(path, e))? {
            Ok(at) => {
                if at > 0 && out.verbose() > 0 {
                    out.note(&format!("{}: --since starts reading at byte {at}", escape::text(path)));
                }
                file.seek(SeekFrom::Start(at)).map_err(|e| io_failure(path, e))?;
            }
            Err(why) => {
                if out.verbose() > 0 {
                    out.note(&format!("{}: {why}: reading it whole", escape::text(path)));
                }
                file.seek(SeekFrom::Start(0)).map_err(|e| io_failure(path, e))?;
            }
        }
    }
    Ok(read::scan(engine, file, threads, emit)?)
}

/// Whether standard input is a regular file (`< cache.json`), which can be read in big
/// chunks on every core, rather than a pipe whose lines must go out as they arrive.
#[cfg(unix)]
fn stdin_is_file() -> bool {
    use std::os::fd::AsFd;
    io::stdin()
        .as_fd()
        .try_clone_to_owned()
        .map(File::from)
        .and_then(|f| f.metadata())
        .is_ok_and(|m| m.is_file())
}

/// Elsewhere standard input is read as a pipe: lines as they arrive, on one core.
#[cfg(not(unix))]
fn stdin_is_file() -> bool {
    false
}

/// The `--stats` summary as tables.
/// How many entries `--follow` shows of what the file already holds (`-n N` for another).
const FOLLOW_TAIL: usize = 10;

/// The filters of a run as they were typed, for the word said when nothing matched:
/// `--errors --since 2h --grep 'lamp'`.
fn filters_given(args: &LogsArgs) -> String {
    let quoted = |v: &str| crate::escape::text(v).into_owned();
    let mut f: Vec<String> = Vec::new();
    if args.errors {
        f.push("--errors".into());
    }
    if let Some(l) = &args.level {
        f.push(format!("--level {}", quoted(l)));
    }
    if let Some(t) = &args.since {
        f.push(format!("--since {}", quoted(t)));
    }
    if let Some(t) = &args.until {
        f.push(format!("--until {}", quoted(t)));
    }
    if let Some(g) = &args.grep {
        f.push(format!("--grep '{}'", quoted(g)));
    }
    for kv in &args.field {
        f.push(format!("--field {}", quoted(kv)));
    }
    if args.mirror {
        f.push("--mirror".into());
    }
    if f.is_empty() {
        "the filters".into()
    } else {
        f.join(" ")
    }
}
