//! A real terminal for tests of what a person sees and types: a tmux server of its own,
//! keys sent as a person presses them (Ctrl-C included, which the terminal echoes and turns
//! into SIGINT for the foreground process), the screen read back.

use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

pub struct Tmux {
    socket: String,
    session: String,
}

impl Tmux {
    fn cmd(&self) -> Command {
        let mut c = Command::new("tmux");
        c.args(["-L", &self.socket]);
        c
    }

    /// A shell of `size` (columns, rows) in `dir`, with the clean environment of the
    /// harness; colour as a terminal gets it by default, or NO_COLOR.
    pub fn start(dir: &Path, size: (u16, u16), color: bool, env: &[(&str, &str)]) -> Tmux {
        static N: AtomicUsize = AtomicUsize::new(0);
        let t = Tmux {
            socket: format!("polycache-{}-{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed)),
            session: "test".into(),
        };
        let (cols, rows) = (size.0.to_string(), size.1.to_string());
        let mut c = t.cmd();
        c.args([
            "-f",
            "/dev/null",
            "new-session",
            "-d",
            "-s",
            &t.session,
            "-x",
            &cols,
            "-y",
            &rows,
        ]);
        c.args(["-c", &dir.display().to_string()]);
        for k in super::inherited_settings() {
            c.env_remove(k);
        }
        if color {
            c.env_remove("NO_COLOR").env("TERM", "xterm-256color");
        } else {
            c.env("NO_COLOR", "1");
        }
        for (k, v) in env {
            c.env(k, v);
        }
        // A plain shell: no user rc files.
        c.args(["sh"]);
        assert!(c.status().unwrap().success(), "tmux did not start");
        // The session's environment is the server's at its start.
        t
    }

    /// The shell's terminal is as it was before top: echo on, canonical mode (not raw).
    pub fn assert_terminal_restored(&self, when: &str) {
        self.send(&[
            "clear; stty -a | tr ' ' '\\n' | grep -x -e -icanon -e icanon -e echo -e -echo",
            "Enter",
        ]);
        let s = self.wait("stty", |s| {
            s.lines().any(|l| l.trim() == "icanon" || l.trim() == "-icanon")
        });
        assert!(s.lines().any(|l| l.trim() == "echo"), "echo is off {when}:\n{s}");
        assert!(
            s.lines().any(|l| l.trim() == "icanon"),
            "the terminal is left raw {when}:\n{s}"
        );
    }

    pub fn send(&self, keys: &[&str]) {
        let mut c = self.cmd();
        c.args(["send-keys", "-t", &self.session]);
        c.args(keys);
        assert!(c.status().unwrap().success());
    }

    pub fn capture(&self) -> String {
        let out = self
            .cmd()
            .args(["capture-pane", "-p", "-t", &self.session])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Waits (up to 20 s) for the screen to satisfy `ok`.
    pub fn wait(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let s = self.capture();
            if ok(&s) {
                return s;
            }
            if start.elapsed() > Duration::from_secs(20) {
                panic!("the screen never showed {what}:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd().args(["kill-server"]).status();
    }
}
