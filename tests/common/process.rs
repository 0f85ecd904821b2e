//! Child processes that never outlive their test: [`Reaped`] wraps every child the tests
//! start (nodes, background commands, redis-server, nginx, Chromium, one-off commands) and
//! kills and reaps it on drop, also when an assertion fails half-way. [`Background`] is a
//! polycache command running in the background, its output going to files that can be
//! read while it runs.
#![allow(dead_code)]

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use super::clean_command;

/// A child process, killed (SIGKILL) and reaped when dropped. Derefs to the
/// `std::process::Child`, for its pipes, `try_wait` and `wait`.
///
/// Two variants of the drop, chosen when wrapping:
/// - [`Reaped::kill_group_on_drop`] for a child started as the leader of its own process
///   group (`process_group(0)`): the whole group is killed, children of the child included.
/// - [`Reaped::sigterm_on_drop`] for a child that must shut down the way it does for a
///   person (removing its files, stopping its workers): SIGTERM first, SIGKILL only if it
///   is still there after the grace period.
pub struct Reaped {
    /// `None` only once [`Reaped::wait_with_output`] has taken it.
    child: Option<Child>,
    group: bool,
    grace: Option<Duration>,
}

impl Reaped {
    pub fn new(child: Child) -> Reaped {
        Reaped {
            child: Some(child),
            group: false,
            grace: None,
        }
    }

    /// Spawns `cmd`; panics with `what` (say, how to install the program) when it cannot.
    pub fn spawn(cmd: &mut Command, what: &str) -> Reaped {
        match cmd.spawn() {
            Ok(child) => Reaped::new(child),
            Err(e) => panic!("{what}: {e}"),
        }
    }

    /// On drop, kills the whole process group the child leads.
    pub fn kill_group_on_drop(mut self) -> Reaped {
        self.group = true;
        self
    }

    /// On drop, sends SIGTERM and gives the child `grace` to exit before killing it.
    pub fn sigterm_on_drop(mut self, grace: Duration) -> Reaped {
        self.grace = Some(grace);
        self
    }

    pub fn pid(&self) -> u32 {
        self.id()
    }

    /// Whether the child has exited (it is reaped if so).
    pub fn exited(&mut self) -> bool {
        !matches!(self.try_wait(), Ok(None))
    }

    /// Sends a signal (`"TERM"`, `"INT"`, ...) with `kill(1)`, unless the child has exited;
    /// true when it was sent.
    pub fn signal(&mut self, name: &str) -> bool {
        if self.exited() {
            return false;
        }
        Command::new("kill")
            .args([format!("-{name}"), self.pid().to_string()])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }

    /// Waits up to `timeout` for the child to exit by itself; None if it is still running.
    pub fn wait_timeout(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let start = Instant::now();
        loop {
            if let Ok(Some(s)) = self.try_wait() {
                return Some(s);
            }
            if start.elapsed() >= timeout {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// SIGTERM, as a person's Ctrl-C; the exit status, or None when it was still running
    /// after `grace` and had to be killed.
    pub fn stop(&mut self, grace: Duration) -> Option<ExitStatus> {
        if let Ok(Some(s)) = self.try_wait() {
            return Some(s);
        }
        self.signal("TERM");
        let status = self.wait_timeout(grace);
        if status.is_none() {
            self.kill_and_wait();
        }
        status
    }

    /// Kills the child (like a crash or `kill -9`; its process group too with
    /// [`Reaped::kill_group_on_drop`]) and reaps it. Does nothing once it has exited.
    pub fn kill_and_wait(&mut self) {
        let group = self.group;
        let Some(child) = self.child.as_mut() else { return };
        if group && matches!(child.try_wait(), Ok(None)) {
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", child.id())])
                .stderr(Stdio::null())
                .status();
        }
        let _ = child.kill();
        let _ = child.wait();
    }

    /// Reads the child's piped output to the end and waits for it (`Child::wait_with_output`).
    pub fn wait_with_output(mut self) -> std::io::Result<Output> {
        self.child.take().expect("the child").wait_with_output()
    }
}

impl std::ops::Deref for Reaped {
    type Target = Child;
    fn deref(&self) -> &Child {
        self.child.as_ref().expect("the child")
    }
}

impl std::ops::DerefMut for Reaped {
    fn deref_mut(&mut self) -> &mut Child {
        self.child.as_mut().expect("the child")
    }
}

impl Drop for Reaped {
    fn drop(&mut self) {
        if self.child.is_none() {
            return;
        }
        if let Some(grace) = self.grace {
            self.stop(grace);
        }
        self.kill_and_wait();
    }
}

/// A polycache command running in the background, its output going to files that can be
/// read while it runs. Killed on drop.
pub struct Background {
    child: Reaped,
    pub stdout: PathBuf,
    pub stderr: PathBuf,
}

impl Background {
    /// `polycache ARGS...` in `cwd` ([`clean_command`]), stdin closed, output to files in
    /// `cwd`.
    pub fn spawn(cwd: &Path, args: &[&str]) -> Background {
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let stdout = cwd.join(format!("bg-{n}.out"));
        let stderr = stdout.with_extension("err");
        let mut cmd = clean_command(cwd);
        cmd.args(args);
        Background::start(cmd, stdout, stderr)
    }

    /// Starts `cmd` with stdin closed and its stdout and stderr written to these files.
    pub fn start(mut cmd: Command, stdout: PathBuf, stderr: PathBuf) -> Background {
        cmd.stdin(Stdio::null())
            .stdout(Stdio::from(File::create(&stdout).expect("stdout file")))
            .stderr(Stdio::from(File::create(&stderr).expect("stderr file")));
        Background {
            child: Reaped::spawn(&mut cmd, "spawn polycache"),
            stdout,
            stderr,
        }
    }

    /// The process, to signal, stop or kill it.
    pub fn process(&mut self) -> &mut Reaped {
        &mut self.child
    }

    pub fn pid(&self) -> u32 {
        self.child.pid()
    }

    pub fn stdout_text(&self) -> String {
        std::fs::read_to_string(&self.stdout).unwrap_or_default()
    }

    pub fn stderr_text(&self) -> String {
        std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }

    /// Waits until stdout has at least `n` lines.
    pub fn wait_lines(&self, n: usize) -> Vec<String> {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(20) {
            let lines: Vec<String> = self.stdout_text().lines().map(str::to_string).collect();
            if lines.len() >= n {
                return lines;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!(
            "fewer than {n} lines after 20 s\nstdout:\n{}\nstderr:\n{}",
            self.stdout_text(),
            self.stderr_text()
        );
    }

    /// Waits for the exit code (panics after 30 s).
    pub fn wait(&mut self) -> i32 {
        match self.child.wait_timeout(Duration::from_secs(30)) {
            Some(s) => s.code().unwrap_or(-1),
            None => panic!(
                "still running after 30 s\nstdout:\n{}\nstderr:\n{}",
                self.stdout_text(),
                self.stderr_text()
            ),
        }
    }
}
