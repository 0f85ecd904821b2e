//! Shared test harness: real processes on loopback ports, cleaned up on drop.
#![allow(dead_code)]

pub mod node;
pub mod peer;

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The polycache binary built for this test run.
pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_polycache"))
}

/// A `Command` for the polycache binary with a clean, predictable environment: no
/// inherited POLYCACHE_/CACHE_/REDIS_ settings, no colour, and a working directory of
/// the caller's choosing so that no stray `.env` is read.
pub fn polycache(cwd: &std::path::Path) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::new(bin());
    cmd.current_dir(cwd).env("NO_COLOR", "1");
    for k in inherited_settings() {
        cmd.env_remove(k);
    }
    cmd
}

/// The variables of the test process's environment that polycache would read as settings.
pub fn inherited_settings() -> impl Iterator<Item = String> {
    std::env::vars().map(|(k, _)| k).filter(|k| {
        ["POLYCACHE_", "CACHE_", "REDIS_", "SERVICE_", "TEST_", "SUPABASE_"]
            .iter()
            .any(|p| k.starts_with(p))
            || k == "JWT_SECRET"
    })
}

/// A free TCP port on 127.0.0.1 (bound then released; good enough for tests).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("no free loopback port")
}

/// Waits until something accepts TCP connections on the port.
pub fn wait_for_port(port: u16, timeout: Duration) -> bool {
    let start = Instant::now();
    while start.elapsed() < timeout {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

/// A real `redis-server` on a free loopback port, without persistence, killed on drop.
/// Panics (failing the test, never skipping it) when redis-server is not installed:
/// `.ci/run` installs it.
pub struct RedisServer {
    pub port: u16,
    child: Child,
    _dir: tempfile::TempDir,
}

impl RedisServer {
    pub fn start() -> RedisServer {
        RedisServer::start_with(&[])
    }

    /// Starts with extra arguments, e.g. `["--requirepass", "pw"]`.
    pub fn start_with(extra: &[&str]) -> RedisServer {
        let mut dir = tempfile::tempdir().expect("tempdir");
        for _ in 0..5 {
            let port = free_port();
            let child = Command::new("redis-server")
                .args([
                    "--port",
                    &port.to_string(),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                ])
                .arg("--dir")
                .arg(dir.path())
                .args(extra)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("redis-server must be installed (apt-get install redis-server); .ci/run installs it");
            let server = RedisServer { port, child, _dir: dir };
            if wait_for_port(port, Duration::from_secs(5)) {
                return server;
            }
            drop(server); // kills the child; the port was probably taken meanwhile
            dir = tempfile::tempdir().expect("tempdir");
        }
        panic!("redis-server did not start");
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
pub mod rss;
pub mod serve;
