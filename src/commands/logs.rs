//! `polycache logs [FILE...]`: the cache log, readable, filtered, followed or summed up.

use std::fs::File;
use std::io::{self, BufReader};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use super::Context;
use crate::cli::LogsArgs;
use crate::error::Failure;
use crate::escape;
use crate::logs::filter::{self, FieldMatch, Filter, FilterError};
use crate::logs::format::Formatter;
use crate::logs::{Engine, Label, Output, Tally, follow, read};
use crate::logs::{decompress, seek};
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
    let result = produce(&ctx.out, &engine, args, &files, &mut emit);
    let tally = match result {
        Ok(t) => t,
        Err(Produce::Io(e)) if write_failed && e.kind() == io::ErrorKind::BrokenPipe => return Ok(Outcome::streamed()),
        Err(Produce::Io(e)) if write_failed => return Err(Failure::error(format!("cannot write the output: {e}"))),
        Err(Produce::Io(e)) => {
            let what = match files.as_slice() {
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
            ctx.out.note(&format!("no entry matched the filters{grep}"));
        }
        let not_json = tally.not_json.saturating_sub(tally.cut);
        if matches!(engine.output, Output::Json) && not_json > 0 {
            ctx.out
                .note(&format!("{not_json} line(s) were not JSON objects and were left out"));
        }
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
    // Every input is read through its decompressor when its first bytes say so.
    let reader = |path: &str| -> Result<Box<dyn io::BufRead + Send>, Failure> {
        let plain: Box<dyn io::BufRead + Send> = if path == "-" {
            Box::new(BufReader::with_capacity(1 << 20, io::stdin()))
        } else {
            Box::new(BufReader::with_capacity(1 << 20, open(path)?))
        };
        decompress::open(plain).map_err(|e| io_failure(if path == "-" { "standard input" } else { path }, e))
    };
    // A compressed file cannot be seeked (nor followed): it is read as a stream. (Only a
    // regular file is looked at here: opening a pipe would wait for its writer.)
    let compressed = |path: &str| {
        path != "-"
            && std::fs::metadata(path).is_ok_and(|m| m.is_file())
            && decompress::format_of_file(Path::new(path)).is_ok_and(|f| f != decompress::Format::Plain)
    };
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
        let stop = ctrl_c_flag();
        // `logs --follow | head -1`: the reader is gone; stop at once, not at the next line.
        crate::pipe::watch(Arc::clone(&stop));
        let mut notice = |text: &str| out.note(&escape::text(text));
        tally.merge(follow::follow(
            engine,
            Path::new(path),
            start,
            &stop,
            emit,
            &mut notice,
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
        } else if files[0] == "-" {
            read::tail_stream(engine, reader("-")?, n).map_err(|e| io_failure("standard input", e))?
        } else if is_stream(&files[0]) || compressed(&files[0]) {
            read::tail_stream(engine, reader(&files[0])?, n).map_err(|e| io_failure(&files[0], e))?
        } else {
            let mut f = open(&files[0])?;
            read::tail_file(engine, &mut f, n).map_err(|e| io_failure(&files[0], e))?
        };
        return Ok(read::emit_lines(engine, &lines, &cuts, emit)?);
    }

    if files.len() > 1 {
        let readers = files.iter().map(|f| reader(f)).collect::<Result<Vec<_>, _>>()?;
        return Ok(read::merge(engine, readers, &labels, emit)?);
    }
    let path = &files[0];
    if path == "-" {
        let stdin = reader("-")?;
        if stdin_is_file() {
            return Ok(read::scan(engine, stdin, threads, emit)?);
        }
        // A pipe or a terminal: show lines as they come.
        return Ok(read::stream(engine, stdin, emit)?);
    }
    if compressed(path) {
        return Ok(read::scan(engine, reader(path)?, threads, emit)?);
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

/// A flag set when Ctrl-C arrives, so `--follow` can flush and exit cleanly.
fn ctrl_c_flag() -> Arc<AtomicBool> {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build();
        if let Ok(rt) = rt
            && rt.block_on(tokio::signal::ctrl_c()).is_ok()
        {
            flag.store(true, Ordering::Relaxed);
        }
    });
    stop
}

/// The `--stats` summary as tables.
/// How many entries `--follow` shows of what the file already holds (`-n N` for another).
const FOLLOW_TAIL: usize = 10;
