//! Client-side harness: real `polycache serve` nodes on loopback ports (restartable on the
//! same port), polycache client commands pointed at them, and background commands such
//! as `tail` whose output is read while they run.
#![allow(dead_code)]

use std::fs::File;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::{bin, free_port, polycache};

pub const SECRET: &str = "client-test-secret-8d1e";
pub const EMAIL: &str = "svc@client.test";
pub const PASSWORD: &str = "client-Pa55word-q7Wv";

/// A running `polycache serve`, killed on drop.
pub struct ServeNode {
    pub port: u16,
    pub base: String,
    pub dir: tempfile::TempDir,
    args: Vec<String>,
    child: Option<Child>,
}

impl ServeNode {
    /// A node with demo data and the given extra `serve` arguments.
    pub fn start(args: &[&str]) -> ServeNode {
        let mut dir = tempfile::tempdir().expect("tempdir");
        for _ in 0..5 {
            let port = free_port();
            let mut node = ServeNode {
                port,
                base: format!("http://127.0.0.1:{port}"),
                dir,
                args: args.iter().map(|s| s.to_string()).collect(),
                child: None,
            };
            if node.spawn() {
                return node;
            }
            dir = std::mem::replace(&mut node.dir, tempfile::tempdir().expect("tempdir"));
        }
        panic!("polycache serve did not start on any free port");
    }

    fn spawn(&mut self) -> bool {
        let out = File::create(self.dir.path().join("serve.out")).expect("stdout file");
        let err = File::create(self.dir.path().join("serve.err")).expect("stderr file");
        let mut cmd = Command::new(bin());
        cmd.current_dir(self.dir.path())
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("NO_COLOR", "1")
            .env("JWT_SECRET", SECRET)
            .env("SERVICE_EMAIL", EMAIL)
            .env("SERVICE_PASSWORD", PASSWORD)
            .env("CACHE_LOG", self.log_path())
            .args(["serve", "--port", &self.port.to_string(), "--demo-data"])
            .args(&self.args)
            .stdin(Stdio::null())
            .stdout(Stdio::from(out))
            .stderr(Stdio::from(err));
        let mut child = cmd.spawn().expect("spawn polycache serve");
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(10) {
            if let Ok(Some(_)) = child.try_wait() {
                return false;
            }
            if get(self.port, "/api/health").is_some_and(|(status, _)| status == 200) {
                self.child = Some(child);
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = child.kill();
        let _ = child.wait();
        false
    }

    /// Kills the process (no graceful shutdown: like a crash or `kill -9`).
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Starts the node again on the same port with the same arguments.
    pub fn restart(&mut self) {
        self.kill();
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(10) {
            if self.spawn() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("polycache serve did not come back on port {}", self.port);
    }

    pub fn log_path(&self) -> PathBuf {
        self.dir.path().join("cache.json")
    }

    /// The cache log, one parsed object per line.
    pub fn log_lines(&self) -> Vec<Value> {
        std::fs::read_to_string(self.log_path())
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).expect("log line is JSON"))
            .collect()
    }

    /// The invalidations this node logged as done.
    pub fn invalidations(&self) -> Vec<Value> {
        self.log_lines()
            .into_iter()
            .filter(|l| l["msg"] == "cache invalidated")
            .collect()
    }

    /// The type groups that still hold entries (`GET /api/cache/entries`).
    pub fn entry_types(&self) -> Vec<String> {
        let (status, body) = get(self.port, "/api/cache/entries").expect("entries endpoint");
        assert_eq!(status, 200, "{body}");
        let v: Value = serde_json::from_str(&body).expect("entries JSON");
        v["entries"]
            .as_object()
            .map(|m| {
                m.iter()
                    .filter(|(_, keys)| keys.as_array().is_some_and(|a| !a.is_empty()))
                    .map(|(k, _)| k.clone())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// `GET /api/health` as JSON.
    pub fn health(&self) -> Value {
        let (_, body) = get(self.port, "/api/health").expect("health endpoint");
        serde_json::from_str(&body).expect("health JSON")
    }

    /// Waits until `n` SSE clients are connected.
    pub fn wait_clients(&self, n: u64) {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(10) {
            if self.health()["clients"].as_u64().is_some_and(|c| c >= n) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("{} never had {n} stream clients", self.base);
    }
}

impl Drop for ServeNode {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A plain HTTP/1.1 GET on loopback: (status, body). None when nothing answers.
pub fn get(port: u16, path: &str) -> Option<(u16, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(s, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").ok()?;
    let mut raw = String::new();
    s.read_to_string(&mut raw).ok()?;
    let (head, body) = raw.split_once("\r\n\r\n")?;
    let status = head.split_whitespace().nth(1)?.parse().ok()?;
    Some((status, body.to_string()))
}

/// A polycache client command with the service account of the test nodes.
pub fn client(cwd: &Path) -> assert_cmd::Command {
    let mut cmd = polycache(cwd);
    cmd.env("SERVICE_EMAIL", EMAIL).env("SERVICE_PASSWORD", PASSWORD);
    cmd
}

/// A polycache command running in the background, its output going to files that can be
/// read while it runs. Killed on drop.
pub struct Background {
    child: Child,
    pub stdout: PathBuf,
    pub stderr: PathBuf,
}

impl Background {
    pub fn spawn(cwd: &Path, args: &[&str]) -> Background {
        let stdout = cwd.join(format!("bg-{}.out", free_port()));
        let stderr = stdout.with_extension("err");
        let mut cmd = Command::new(bin());
        cmd.current_dir(cwd)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("NO_COLOR", "1")
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::from(File::create(&stdout).expect("stdout file")))
            .stderr(Stdio::from(File::create(&stderr).expect("stderr file")));
        Background {
            child: cmd.spawn().expect("spawn polycache"),
            stdout,
            stderr,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
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
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(30) {
            if let Ok(Some(s)) = self.child.try_wait() {
                return s.code().unwrap_or(-1);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!(
            "still running after 30 s\nstdout:\n{}\nstderr:\n{}",
            self.stdout_text(),
            self.stderr_text()
        );
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
