//! The one place that writes to the terminal.
//!
//! A [`Printer`] is built once per run from `--json`, `--color`, `-v` and whether stdout
//! and stderr are terminals. Commands hand it typed results ([`Render`]) or stream typed
//! items ([`Line`]) through a [`Sink`]; it alone decides JSON or text, colour, where
//! progress bars, the pager and the `-v` request trace go, and that a closed pipe (`| head`)
//! ends output quietly instead of failing. No other module writes to stdout or stderr.

use std::io::{self, BufWriter, IsTerminal, Write};
use std::time::Duration;

use serde::Serialize;

use crate::error::Failure;
use crate::style::{ColorChoice, Style};

/// A command's result: serialisable for `--json`, and renderable for people.
pub trait Render: Serialize {
    /// The text a person reads, ending with a newline.
    fn human(&self, style: Style) -> String;
}

/// One item of a stream (an SSE event, a log entry, a keyspace event): one NDJSON object
/// with `--json`, one line of text otherwise.
pub trait Line {
    /// The item as one JSON object, without a newline.
    fn ndjson(&self) -> String;
    /// The item as one line of text, without a newline.
    fn human(&self, style: Style) -> String;
}

/// A result whatever its type: the object-safe side of [`Render`], which the [`Outcome`] of
/// a command carries to the printer.
pub trait Shown {
    fn json_text(&self) -> String;
    fn human_text(&self, style: Style) -> String;
}

impl<T: Render> Shown for T {
    fn json_text(&self) -> String {
        json(self)
    }
    fn human_text(&self, style: Style) -> String {
        self.human(style)
    }
}

/// What a command ends with: the result the printer shows (if it did not stream its output
/// already), the exit code, and a hint for people.
#[must_use]
pub struct Outcome {
    result: Option<Box<dyn Shown>>,
    raw: Option<Vec<u8>>,
    as_json: bool,
    told: Vec<String>,
    warned: Vec<String>,
    hint: Option<String>,
    code: u8,
}

impl Outcome {
    /// A result, as JSON with `--json` and as text otherwise; exit code 0.
    pub fn show(result: impl Render + 'static) -> Outcome {
        Outcome {
            result: Some(Box::new(result)),
            ..Outcome::streamed()
        }
    }

    /// Bytes shown as they are, `--json` or not (a completion script, Graphviz dot).
    pub fn raw(bytes: Vec<u8>) -> Outcome {
        Outcome {
            raw: Some(bytes),
            ..Outcome::streamed()
        }
    }

    /// Nothing left to show: the command streamed its items through a [`Sink`].
    pub fn streamed() -> Outcome {
        Outcome {
            result: None,
            raw: None,
            as_json: false,
            told: Vec::new(),
            warned: Vec::new(),
            hint: None,
            code: crate::error::exit::OK,
        }
    }

    /// The exit code.
    pub fn code(mut self, code: u8) -> Outcome {
        self.code = code;
        self
    }

    /// JSON even without `--json`: the command's own flag asked for it (`graph --format json`).
    pub fn as_json(mut self, json: bool) -> Outcome {
        self.as_json = json;
        self
    }

    /// What to do next, for people (not with `--json`), on stderr after the result.
    pub fn hint(mut self, hint: impl Into<String>) -> Outcome {
        self.hint = Some(hint.into());
        self
    }

    /// A line on stderr about what was done (`wrote FILE`).
    pub fn tell(mut self, line: impl Into<String>) -> Outcome {
        self.told.push(line.into());
        self
    }

    /// A warning on stderr after the result (something left undone that does not fail it).
    pub fn warn(mut self, warning: impl Into<String>) -> Outcome {
        self.warned.push(warning.into());
        self
    }
}

/// Pretty JSON for `--json`, with a trailing newline.
pub fn json<T: Serialize + ?Sized>(value: &T) -> String {
    let mut s = serde_json::to_string_pretty(value).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
}

/// What this process's standard streams are: found once, by [`Terminal::detect`] (the only
/// code that asks), and handed to the [`Printer`] and to clap's colour choice.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Terminal {
    pub stdin: bool,
    pub stdout: bool,
    pub stderr: bool,
    /// The width tables and prose fit on stdout: `COLUMNS` when set, else the terminal's;
    /// `None` when stdout is not a terminal or its width is unknown or absurd (a
    /// pseudo-terminal nobody sized).
    pub width: Option<u16>,
}

/// Below this many columns a terminal's width is taken as unknown.
const MIN_WIDTH: u16 = 20;

impl Terminal {
    /// Asks the operating system, once per run.
    pub fn detect() -> Terminal {
        let stdout = io::stdout().is_terminal();
        let width = match stdout {
            false => None,
            true => std::env::var("COLUMNS")
                .ok()
                .and_then(|c| c.trim().parse::<u16>().ok())
                .filter(|&c| c > 0)
                .or_else(|| comfy_table::Table::new().width())
                .filter(|&w| w >= MIN_WIDTH),
        };
        Terminal {
            stdin: io::stdin().is_terminal(),
            stdout,
            stderr: io::stderr().is_terminal(),
            width,
        }
    }
}

/// Owns stdout and stderr for one run.
#[derive(Debug, Clone)]
pub struct Printer {
    style: Style,
    err: Style,
    json: bool,
    verbose: u8,
    terminal: Terminal,
}

impl Printer {
    /// The printer for this run's flags and the terminals found at its start.
    pub fn new(color: ColorChoice, json: bool, verbose: u8, terminal: Terminal) -> Printer {
        Printer {
            style: Style::for_stream(color, terminal.stdout).with_width(terminal.width),
            // Prose on stderr is fitted to the same terminal when stderr is one.
            err: Style::for_stream(color, terminal.stderr).with_width(terminal.width.filter(|_| terminal.stderr)),
            json,
            verbose,
            terminal,
        }
    }

    /// No colour, no JSON, no trace, no terminal: for tests of rendering.
    pub fn plain() -> Printer {
        Printer {
            style: Style::plain(),
            err: Style::plain(),
            json: false,
            verbose: 0,
            terminal: Terminal::default(),
        }
    }

    /// The terminals of this run (a prompt needs stdin and stderr to be one).
    pub fn terminal(&self) -> Terminal {
        self.terminal
    }

    /// The colour of stdout, for text built before it is handed back here.
    pub fn style(&self) -> Style {
        self.style
    }

    /// The colour of stderr.
    pub fn err_style(&self) -> Style {
        self.err
    }

    /// Whether `--json` was given (commands that must choose *what* to compute ask this;
    /// how to print is decided by [`Printer::emit`] and [`Sink::item`]).
    pub fn json(&self) -> bool {
        self.json
    }

    pub fn verbose(&self) -> u8 {
        self.verbose
    }

    /// Shows what a command ended with, and returns its exit code.
    pub fn finish(&self, o: Outcome) -> Result<u8, Failure> {
        if let Some(raw) = &o.raw {
            self.raw(raw)?;
        }
        if let Some(r) = &o.result {
            self.show(r.as_ref(), o.as_json)?;
        }
        for line in &o.told {
            self.tell(line);
        }
        for w in &o.warned {
            self.warn(w);
        }
        if let Some(h) = &o.hint {
            self.hint(h);
        }
        Ok(o.code)
    }

    /// A result shown before the command ends (`demo --keep`'s summary, before it waits):
    /// pretty JSON with `--json`, its human form otherwise.
    pub fn emit<T: Render + 'static>(&self, result: &T) -> Result<(), Failure> {
        self.show(result, false)
    }

    /// The one choice between JSON (`--json`, or the command's own `as_json`) and text.
    fn show(&self, result: &dyn Shown, as_json: bool) -> Result<(), Failure> {
        let text = if self.json || as_json {
            result.json_text()
        } else {
            self.style.fit(&result.human_text(self.style))
        };
        self.raw(text.as_bytes())
    }

    /// Text for people only (a narration, a banner); nothing with `--json`.
    pub fn say(&self, text: &str) -> Result<(), Failure> {
        if self.json {
            Ok(())
        } else {
            self.raw(self.style.fit(text).as_bytes())
        }
    }

    /// Bytes to stdout as they are (a completion script, a raw value). A closed pipe is
    /// not an error.
    pub fn raw(&self, bytes: &[u8]) -> Result<(), Failure> {
        let mut out = io::stdout().lock();
        match out.write_all(bytes).and_then(|_| out.flush()) {
            Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
                Err(Failure::error(format!("cannot write to stdout: {e}")))
            }
            _ => Ok(()),
        }
    }

    /// A buffered stdout for a stream of items.
    pub fn sink(&self) -> Sink {
        self.sink_to(Box::new(io::stdout()))
    }

    /// Like [`Printer::sink`], through a pager (`$PAGER`, else `less -R`) when `page` is
    /// asked, the output is text and stdout is a terminal ([`crate::pager`]); the pager
    /// starts with the first byte written and is waited for when the sink is dropped.
    pub fn paged(&self, page: bool) -> Sink {
        self.sink_to(Box::new(crate::pager::Paged::new(
            page && !self.json && self.terminal.stdout,
        )))
    }

    fn sink_to(&self, to: Box<dyn Write>) -> Sink {
        Sink {
            out: BufWriter::with_capacity(64 * 1024, to),
            style: self.style,
            json: self.json,
            closed: false,
        }
    }

    /// A line of prose on stderr, fitted to the terminal when stderr is one.
    fn err_line(&self, line: &str) {
        eprintln!("{}", self.err.fit(line));
    }

    /// `warning: ...` on stderr.
    pub fn warn(&self, message: &str) {
        self.err_line(&format!("{} {message}", self.err.yellow("warning:")));
    }

    /// A plain line on stderr (what was done: `wrote FILE`).
    pub fn tell(&self, message: &str) {
        self.err_line(message);
    }

    /// A line on stderr about the output that follows (a key's type and size), for people
    /// only: nothing with `--json`, whose document says it all.
    pub fn about(&self, message: &str) {
        if !self.json {
            eprintln!("{message}");
        }
    }

    /// `note: ...` on stderr: something worth knowing about the output.
    pub fn note(&self, message: &str) {
        eprintln!("note: {message}");
    }

    /// `hint: ...` on stderr: what to do next (not with `--json`, whose readers parse).
    pub fn hint(&self, message: &str) {
        if !self.json {
            self.err_line(&format!("{} {message}", self.err.yellow("hint:")));
        }
    }

    /// A line about what is happening (connecting, reconnecting), dim on stderr.
    pub fn status(&self, message: &str) {
        self.err_line(&self.err.dim(message));
    }

    /// An error that does not end the run (a stream that failed among several).
    pub fn error(&self, message: &str) {
        self.err_line(&format!("{} {message}", self.err.red("error:")));
    }

    /// Text to stderr as it is, without a newline (a question before reading an answer).
    pub fn prompt(&self, text: &str) {
        let mut err = io::stderr().lock();
        let _ = err.write_all(text.as_bytes()).and_then(|_| err.flush());
    }

    /// The failure that ends the run, with its hint.
    pub fn failure(&self, f: &Failure) {
        self.err_line(&format!("{} {}", self.err.red("error:"), f.message));
        if let Some(h) = &f.hint {
            self.err_line(&format!("  {} {h}", self.err.yellow("hint:")));
        }
    }

    /// A progress bar of `len` steps on stderr: only on a terminal, never with `--json`.
    pub fn progress(&self, len: u64, message: &str) -> Progress {
        self.bar(
            len,
            "{spinner} {msg} [{bar:30}] {pos}/{len} {elapsed}",
            Some("=> "),
            message,
        )
    }

    /// A bar for a fraction of the work done (a SCAN's share of the keyspace).
    pub fn fraction(&self, message: &str) -> Progress {
        self.bar(1000, "{bar:24} {percent:>3}% {msg} {elapsed}", None, message)
    }

    /// A bar drawn from `template` on stderr once the work has lasted a moment; hidden where
    /// it must not show.
    fn bar(&self, len: u64, template: &str, chars: Option<&str>, message: &str) -> Progress {
        if self.json || !self.terminal.stderr {
            return Progress(indicatif::ProgressBar::hidden());
        }
        let bar = indicatif::ProgressBar::with_draw_target(Some(len), indicatif::ProgressDrawTarget::hidden());
        if let Ok(style) = indicatif::ProgressStyle::with_template(template) {
            bar.set_style(match chars {
                Some(c) => style.progress_chars(c),
                None => style,
            });
        }
        bar.set_message(message.to_string());
        bar.enable_steady_tick(Duration::from_millis(100));
        Progress::shown_later(bar)
    }

    /// The `-v` request trace: dim lines on stderr (off without `-v`).
    pub fn trace(&self) -> crate::client::Trace {
        if self.verbose == 0 {
            return crate::client::Trace::off();
        }
        let style = self.err;
        crate::client::Trace::new(self.verbose, move |line| {
            eprintln!("{}", style.dim(line));
        })
    }
}

/// Standard error as a bar is drawn on it, a few columns narrower than the terminal.
/// indicatif pads its line to the full width and leaves the cursor at the edge, so the `^C`
/// a terminal echoes for Ctrl-C wrapped onto a new line, and clearing the bar then cleared
/// that line instead: the bar stayed on screen above the report.
#[derive(Debug)]
struct BarTerm(console::Term);

impl indicatif::TermLike for BarTerm {
    fn width(&self) -> u16 {
        self.0.size().1.saturating_sub(3).max(1)
    }
    fn height(&self) -> u16 {
        self.0.size().0
    }
    fn move_cursor_up(&self, n: usize) -> io::Result<()> {
        self.0.move_cursor_up(n)
    }
    fn move_cursor_down(&self, n: usize) -> io::Result<()> {
        self.0.move_cursor_down(n)
    }
    fn move_cursor_right(&self, n: usize) -> io::Result<()> {
        self.0.move_cursor_right(n)
    }
    fn move_cursor_left(&self, n: usize) -> io::Result<()> {
        self.0.move_cursor_left(n)
    }
    fn write_line(&self, s: &str) -> io::Result<()> {
        self.0.write_line(s)
    }
    fn write_str(&self, s: &str) -> io::Result<()> {
        self.0.write_str(s)
    }
    fn clear_line(&self) -> io::Result<()> {
        self.0.clear_line()
    }
    fn flush(&self) -> io::Result<()> {
        self.0.flush()
    }
}

/// A progress bar handed out by the [`Printer`] (hidden where it must not show).
pub struct Progress(indicatif::ProgressBar);

/// Work shorter than this shows no bar: a bar that flashes for a millisecond is noise.
const PROGRESS_AFTER: Duration = Duration::from_millis(300);

impl Progress {
    /// `bar`, drawn on stderr only once the work has lasted [`PROGRESS_AFTER`].
    fn shown_later(bar: indicatif::ProgressBar) -> Progress {
        let later = bar.clone();
        std::thread::spawn(move || {
            std::thread::sleep(PROGRESS_AFTER);
            if !later.is_finished() {
                later.set_draw_target(indicatif::ProgressDrawTarget::term_like(Box::new(BarTerm(
                    console::Term::stderr(),
                ))));
            }
        });
        Progress(bar)
    }

    pub fn inc(&self, n: u64) {
        self.0.inc(n);
    }

    /// Sets how much is done, from 0.0 to 1.0 (a [`Printer::fraction`] bar).
    pub fn set_fraction(&self, part: f64) {
        self.0.set_position((part.clamp(0.0, 1.0) * 1000.0) as u64);
    }

    pub fn set_message(&self, message: &str) {
        self.0.set_message(message.to_string());
    }

    pub fn finish(&self) {
        self.0.finish_and_clear();
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.0.finish_and_clear();
    }
}

/// Buffered stdout for a stream of items. Once the reader has gone (a closed pipe), every
/// write is refused with [`io::ErrorKind::BrokenPipe`] and [`Sink::closed`] turns true, so
/// the producer stops.
pub struct Sink {
    out: BufWriter<Box<dyn Write>>,
    style: Style,
    json: bool,
    closed: bool,
}

impl Sink {
    /// One item, as NDJSON or a line of text (buffered: [`Sink::flush`] when a burst is
    /// written, so a follower sees it at once).
    pub fn item<T: Line + ?Sized>(&mut self, item: &T) -> io::Result<()> {
        let mut text = if self.json {
            item.ndjson()
        } else {
            item.human(self.style)
        };
        text.push('\n');
        self.write(text.as_bytes())
    }

    /// Bytes already formatted, buffered.
    pub fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        if self.closed {
            return Err(io::ErrorKind::BrokenPipe.into());
        }
        self.out.write_all(bytes).inspect_err(|e| self.note(e))
    }

    pub fn flush(&mut self) -> io::Result<()> {
        if self.closed {
            return Err(io::ErrorKind::BrokenPipe.into());
        }
        self.out.flush().inspect_err(|e| self.note(e))
    }

    /// The end of the stream: a closed pipe is fine, another write error is a failure.
    pub fn finish(mut self) -> Result<(), Failure> {
        match self.flush() {
            Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
                Err(Failure::error(format!("cannot write to stdout: {e}")))
            }
            _ => Ok(()),
        }
    }

    fn note(&mut self, e: &io::Error) {
        if e.kind() == io::ErrorKind::BrokenPipe {
            self.closed = true;
        }
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        if !self.closed {
            let _ = self.out.flush();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;
    use std::rc::Rc;

    /// An in-memory stdout, shared with the test.
    #[derive(Clone, Default)]
    struct Buf(Rc<RefCell<Vec<u8>>>);

    impl Write for Buf {
        fn write(&mut self, b: &[u8]) -> io::Result<usize> {
            self.0.borrow_mut().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// A reader that went away after `left` bytes.
    struct Closing {
        left: usize,
    }

    impl Write for Closing {
        fn write(&mut self, b: &[u8]) -> io::Result<usize> {
            if self.left == 0 {
                return Err(io::ErrorKind::BrokenPipe.into());
            }
            let n = b.len().min(self.left);
            self.left -= n;
            Ok(n)
        }
        fn flush(&mut self) -> io::Result<()> {
            if self.left == 0 {
                return Err(io::ErrorKind::BrokenPipe.into());
            }
            Ok(())
        }
    }

    struct Item(&'static str);

    impl Line for Item {
        fn ndjson(&self) -> String {
            format!("{{\"item\":\"{}\"}}", self.0)
        }
        fn human(&self, style: Style) -> String {
            style.bold(self.0)
        }
    }

    fn printer(color: ColorChoice, json: bool, terminal: Terminal) -> Printer {
        Printer::new(color, json, 0, terminal)
    }

    const TTY_80: Terminal = Terminal {
        stdin: true,
        stdout: true,
        stderr: true,
        width: Some(80),
    };

    #[test]
    fn the_terminal_given_decides_width_and_colour_of_each_stream() {
        let p = printer(ColorChoice::Always, false, Terminal::default());
        assert!(p.style().color && p.err_style().color);
        assert_eq!(p.style().width, None, "piped: tables are not fitted");
        let p = printer(ColorChoice::Never, false, TTY_80);
        assert!(!p.style().color && !p.err_style().color);
        assert_eq!(p.style().width, Some(80));
        assert_eq!(
            p.err_style().width,
            Some(80),
            "prose on a terminal's stderr is fitted too"
        );
        let p = printer(
            ColorChoice::Never,
            false,
            Terminal {
                stderr: false,
                ..TTY_80
            },
        );
        assert_eq!(p.err_style().width, None, "stderr to a file: not fitted");
        let p = printer(ColorChoice::Never, false, TTY_80);
        assert_eq!(p.terminal(), TTY_80);
        assert_eq!(Printer::plain().terminal(), Terminal::default());
    }

    #[test]
    fn a_sink_writes_lines_or_ndjson_in_the_style_of_stdout() {
        for (json, color, want) in [
            (false, ColorChoice::Never, "a\nb\n"),
            (false, ColorChoice::Always, "\u{1b}[1ma\u{1b}[0m\n\u{1b}[1mb\u{1b}[0m\n"),
            (true, ColorChoice::Always, "{\"item\":\"a\"}\n{\"item\":\"b\"}\n"),
        ] {
            let buf = Buf::default();
            let mut sink = printer(color, json, TTY_80).sink_to(Box::new(buf.clone()));
            sink.item(&Item("a")).unwrap();
            sink.item(&Item("b")).unwrap();
            sink.finish().unwrap();
            assert_eq!(String::from_utf8(buf.0.borrow().clone()).unwrap(), want, "json {json}");
        }
    }

    #[test]
    fn a_closed_reader_stops_the_sink_quietly() {
        let mut sink = printer(ColorChoice::Never, false, Terminal::default()).sink_to(Box::new(Closing { left: 3 }));
        sink.item(&Item("first")).unwrap(); // buffered
        assert!(sink.flush().is_err());
        assert!(sink.closed, "the reader is gone");
        let again = sink.item(&Item("more")).unwrap_err();
        assert_eq!(again.kind(), io::ErrorKind::BrokenPipe);
        // The end of a stream whose reader went away is not a failure.
        assert!(sink.finish().is_ok());
    }
}
