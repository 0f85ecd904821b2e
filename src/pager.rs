//! A pager for long output on a terminal, as git and hl do: the output is piped through
//! `$POLYCACHE_PAGER`, else `$PAGER`, else `less -R`, with `LESS=FRX` unless `LESS` is set
//! (quit at once when the output fits one screen, pass colour through, leave the screen as
//! it was). An empty value or `cat` means no pager.
//!
//! Written on `std::process` rather than taken from a crate: the pager crates either fork
//! and hand the terminal to the pager as the parent process (so the exit code becomes the
//! pager's) or are pagers themselves; this is a child process with a pipe.
//!
//! [`Paged`] starts the pager at the first byte written, so a command that fails before
//! writing anything prints its error on the plain terminal. Dropping it closes the pipe and
//! waits until the user quits the pager. A pager quit before the end is not an error: the
//! writes fail with a broken pipe, which callers take as the reader having had enough.

use std::ffi::OsString;
use std::io::{self, Write};
use std::process::{Child, ChildStdin, Command, Stdio};

/// The pager to run, as the environment asks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choice {
    /// The default: `less -R`, run directly (none when it is not installed).
    Less,
    /// A command line from `POLYCACHE_PAGER` or `PAGER`, run by the shell.
    Command(String),
}

/// The pager `env` asks for, or `None` for none. `POLYCACHE_PAGER` comes first, then
/// `PAGER`; a set variable that is empty (or only blanks) or `cat` turns paging off.
pub fn choose(env: impl Fn(&str) -> Option<OsString>) -> Option<Choice> {
    for name in ["POLYCACHE_PAGER", "PAGER"] {
        if let Some(v) = env(name) {
            let v = v.to_string_lossy().trim().to_string();
            return match v.as_str() {
                "" | "cat" => None,
                _ => Some(Choice::Command(v)),
            };
        }
    }
    Some(Choice::Less)
}

/// A running pager, reading what is written to it.
pub struct Pager {
    child: Child,
    input: Option<ChildStdin>,
    /// What was written to it, kept (up to [`KEEP`]) until it is known to run: a pager
    /// command that does not exist (`PAGER=nonexistent`: the shell exits 127) read none of
    /// it, and it goes to standard output instead of being lost.
    kept: Option<Vec<u8>>,
    /// How the pager was asked for, for the warning.
    name: String,
}

/// What is kept for a pager that may not have started: beyond this it surely read some.
const KEEP: usize = 4 << 20;

impl Pager {
    /// Starts `choice`, its standard input a pipe, the terminal its output. `LESS` defaults
    /// to `FRX` (and `LV` to `-c`) for it, as git does. While it runs, Ctrl-C is left to the
    /// pager (less uses it to stop a search): polycache does not die under it and leave it
    /// fighting the shell for the terminal.
    pub fn spawn(choice: &Choice) -> io::Result<Pager> {
        let mut cmd = match choice {
            Choice::Less => {
                let mut c = Command::new("less");
                c.arg("-R");
                c
            }
            Choice::Command(line) => shell(line),
        };
        if std::env::var_os("LESS").is_none() {
            cmd.env("LESS", "FRX");
        }
        if std::env::var_os("LV").is_none() {
            cmd.env("LV", "-c");
        }
        let mut child = cmd.stdin(Stdio::piped()).spawn()?;
        let input = child.stdin.take();
        ignore_interrupts();
        let name = match choice {
            Choice::Less => "less -R".to_string(),
            Choice::Command(line) => line.clone(),
        };
        Ok(Pager {
            child,
            input,
            kept: Some(Vec::new()),
            name,
        })
    }

    /// When the pager never ran (its shell said 126 or 127: not found, not executable):
    /// what was written to it, and the warning to give.
    fn never_ran(&mut self) -> Option<(Vec<u8>, String)> {
        let status = self.child.try_wait().ok().flatten()?;
        let code = status.code().filter(|c| matches!(c, 126 | 127))?;
        let kept = self.kept.take()?;
        Some((
            kept,
            format!(
                "the pager `{}` could not start (exit {code}): the output follows here; set PAGER (or POLYCACHE_PAGER) to a pager that exists, or to `cat`",
                crate::escape::text(&self.name)
            ),
        ))
    }
}

#[cfg(unix)]
fn shell(line: &str) -> Command {
    let mut c = Command::new("sh");
    c.arg("-c").arg(line);
    c
}

#[cfg(not(unix))]
fn shell(line: &str) -> Command {
    let mut words = line.split_whitespace();
    let mut c = Command::new(words.next().unwrap_or("more"));
    c.args(words);
    c
}

/// From now on, SIGINT no longer ends the process (it reaches the pager, in the same
/// process group, which decides). The handler is registered before this returns.
fn ignore_interrupts() {
    let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
        return;
    };
    #[cfg(unix)]
    let registered = {
        let _guard = rt.enter();
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())
    };
    // The runtime lives (and ends) on its own thread, never inside a caller's async code.
    #[cfg(unix)]
    std::thread::spawn(move || {
        if let Ok(mut interrupts) = registered {
            rt.block_on(async { while interrupts.recv().await.is_some() {} });
        }
    });
    #[cfg(not(unix))]
    std::thread::spawn(move || rt.block_on(async { while tokio::signal::ctrl_c().await.is_ok() {} }));
}

impl Write for Pager {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = match &mut self.input {
            Some(i) => i.write(buf)?,
            None => return Err(io::ErrorKind::BrokenPipe.into()),
        };
        if let Some(k) = &mut self.kept {
            if k.len() + n > KEEP {
                self.kept = None;
            } else {
                k.extend_from_slice(&buf[..n]);
            }
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.input {
            Some(i) => i.flush(),
            None => Ok(()),
        }
    }
}

impl Drop for Pager {
    /// Ends the pager's input and waits for the user to quit it.
    fn drop(&mut self) {
        drop(self.input.take());
        let _ = self.child.wait();
    }
}

/// Standard output, or the pager once something is written when one was chosen.
pub struct Paged {
    waiting: Option<Choice>,
    pager: Option<Pager>,
    stdout: io::StdoutLock<'static>,
}

impl Paged {
    /// Standard output, paged as the environment asks when `page` (which the
    /// [`Printer`](crate::output::Printer) gives only when stdout is a terminal).
    pub fn new(page: bool) -> Paged {
        let stdout = io::stdout();
        let waiting = match page {
            true => choose(|k| std::env::var_os(k)),
            false => None,
        };
        Paged {
            waiting,
            pager: None,
            stdout: stdout.lock(),
        }
    }

    fn target(&mut self) -> &mut dyn Write {
        if let Some(choice) = self.waiting.take() {
            // A pager that cannot start (none installed): straight to the terminal.
            self.pager = Pager::spawn(&choice).ok();
        }
        match &mut self.pager {
            Some(p) => p,
            None => &mut self.stdout,
        }
    }

    /// A pager that never ran: what it was given goes to standard output, with a warning,
    /// and standard output takes over. Whether that happened.
    fn rescue(&mut self) -> bool {
        let Some((kept, warning)) = self.pager.as_mut().and_then(Pager::never_ran) else {
            return false;
        };
        if let Some(mut p) = self.pager.take() {
            p.input.take();
            let _ = p.child.wait();
        }
        eprintln!("warning: {warning}");
        let _ = self.stdout.write_all(&kept);
        true
    }
}

impl Drop for Paged {
    fn drop(&mut self) {
        // The pager ends here (its input closes, then it is waited for); one that never
        // ran gives its output back.
        if let Some(p) = self.pager.as_mut() {
            p.input.take();
            let _ = p.child.wait();
        }
        self.rescue();
        let _ = self.stdout.flush();
    }
}

impl Write for Paged {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        match self.target().write(buf) {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe && self.pager.is_some() => {
                // Give the shell a moment to be reaped, then see whether it ever ran.
                if let Some(p) = self.pager.as_mut() {
                    p.input.take();
                    let _ = p.child.wait();
                }
                if self.rescue() { self.stdout.write(buf) } else { Err(e) }
            }
            r => r,
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.pager {
            Some(p) => p.flush(),
            None => self.stdout.flush(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<OsString> {
        let vars: Vec<(String, String)> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |k| vars.iter().find(|(n, _)| n == k).map(|(_, v)| OsString::from(v))
    }

    #[test]
    fn the_environment_chooses_the_pager() {
        assert_eq!(choose(env(&[])), Some(Choice::Less));
        assert_eq!(choose(env(&[("PAGER", "most")])), Some(Choice::Command("most".into())));
        assert_eq!(
            choose(env(&[("PAGER", "most"), ("POLYCACHE_PAGER", "less -S")])),
            Some(Choice::Command("less -S".into()))
        );
        for off in ["", " ", "cat", " cat "] {
            assert_eq!(
                choose(env(&[("POLYCACHE_PAGER", off), ("PAGER", "most")])),
                None,
                "{off:?}"
            );
            assert_eq!(choose(env(&[("PAGER", off)])), None, "{off:?}");
        }
    }
}
