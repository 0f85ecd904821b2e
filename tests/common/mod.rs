//! The shared test harness: real processes on loopback ports, cleaned up on drop.
//!
//! Each test binary includes this module (`mod common;`) and uses what it needs:
//!
//! - [`node`]: `polycache serve` nodes. [`node::NodeConfig`] says how to start one (store,
//!   mirrors, heartbeat, extra flags and environment); [`node::Node`] is the running node,
//!   restartable on its port, with its log, output, health and entries at hand. Also the
//!   test accounts ([`node::EMAIL`], [`node::PASSWORD`], ...) and [`node::client`], a
//!   polycache client command that logs in with them.
//! - [`process`]: [`process::Reaped`], the one wrapper for a child process, killed and
//!   reaped when dropped (also when an assertion fails half-way), and
//!   [`process::Background`], a polycache command running in the background whose output
//!   is read while it runs (`tail`, `serve --json`, ...).
//! - [`api`]: talking to a node over HTTP: a reqwest client, JSON posts, a plain GET, and an
//!   SSE reader.
//! - [`services`]: what nodes run against: `redis-server`, a Redis Cluster, nginx.
//! - [`peer`]: misbehaving HTTP peers written in a few lines.
//! - [`rss`]: the peak memory of a child process.
//!
//! The functions below start the polycache binary itself with a clean environment.
#![allow(dead_code)]

pub mod api;
pub mod node;
pub mod peer;
pub mod process;
pub mod rss;
pub mod services;
pub mod tmux;

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// The polycache binary built for this test run.
pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_polycache"))
}

/// A `std::process::Command` for the polycache binary with a clean, predictable
/// environment: no inherited POLYCACHE_/CACHE_/REDIS_ settings (see
/// [`inherited_settings`]), no colour, and a working directory of the caller's choosing so
/// that no stray `.env` is read. Every polycache process the harness starts is made here.
pub fn clean_command(cwd: &Path) -> Command {
    let mut cmd = Command::new(bin());
    cmd.current_dir(cwd).env("NO_COLOR", "1");
    for k in inherited_settings() {
        cmd.env_remove(k);
    }
    cmd
}

/// [`clean_command`] as an `assert_cmd::Command`, for commands run to completion.
pub fn polycache(cwd: &Path) -> assert_cmd::Command {
    assert_cmd::Command::from_std(clean_command(cwd))
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

/// A small deterministic generator (xorshift) for property tests: seeded from `var` when
/// set, else from the clock, and the seed printed, so a failing case can be replayed.
pub struct Rng(u64);

impl Rng {
    pub fn seeded(var: &str) -> Rng {
        let seed = std::env::var(var).ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
                | 1
        });
        eprintln!("{var}={seed}");
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// A temporary directory, removed when dropped.
pub fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("tempdir")
}

/// Two `#[tokio::test]`s of one async scenario `fn(Mode)`: on a node with the memory store,
/// and on one with a real `redis-server` of its own.
///
/// With a fourth name, also on a node whose store is a Redis Cluster of three masters.
#[macro_export]
macro_rules! both_stores {
    ($scenario:ident, $memory:ident, $redis:ident, $cluster:ident) => {
        both_stores!($scenario, $memory, $redis);

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $cluster() {
            let cluster = common::services::RedisCluster::start(3);
            $scenario(common::node::Mode::Cluster(&cluster)).await;
        }
    };
    ($scenario:ident, $memory:ident, $redis:ident) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $memory() {
            $scenario(common::node::Mode::Memory).await;
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $redis() {
            let redis = common::services::RedisServer::start();
            $scenario(common::node::Mode::Redis(&redis)).await;
        }
    };
}

/// Waits until `condition` holds, checking every 20 ms, for at most `timeout`; whether it
/// came to hold. For what a test can only poll (a file written, a count reached).
pub fn eventually(timeout: Duration, mut condition: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        if condition() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Copies a directory tree (files and directories only).
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let dest = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &dest);
        } else {
            std::fs::copy(entry.path(), dest).unwrap();
        }
    }
}

/// A temporary platform checkout: the clean fixture tree of `tests/fixtures/platform`, with
/// each overlay's files laid over it in order.
pub fn platform_tree(overlays: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/platform");
    for part in std::iter::once("clean").chain(overlays.iter().copied()) {
        copy_tree(&fixtures.join(part), dir.path());
    }
    dir
}
