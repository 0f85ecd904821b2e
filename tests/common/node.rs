//! `polycache serve` nodes: real processes on loopback ports, each in its own temporary
//! directory, killed on drop.
//!
//! [`NodeConfig`] says how to start one; [`Node::start`] starts it (on a port the system
//! picks: `--port 0`, read back from the banner) and [`Node::restart`] starts it again on
//! the same port. A node runs with the test accounts below and demo data unless its
//! configuration says otherwise.
//!
//! ```ignore
//! let node = Node::memory();
//! let mirror = Node::start(&NodeConfig::new(Mode::Memory).ping("200ms"));
//! let local = Node::start(&NodeConfig::new(Mode::Redis(&redis)).mirrors(&[&mirror.base]));
//! ```
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::ExitStatus;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::api::{get, post_json, request};
use super::process::Background;
use super::services::RedisServer;
use super::{clean_command, polycache};

/// The nodes' JWT secret.
pub const SECRET: &str = "serve-test-secret-4f9c2b";
/// The service account every node knows (`SERVICE_EMAIL`/`SERVICE_PASSWORD`).
pub const EMAIL: &str = "svc@polycache.test";
pub const PASSWORD: &str = "svc-password-Zq8r1";
/// A second account (`TEST_EMAIL`/`TEST_PASSWORD`).
pub const TEST_EMAIL: &str = "tester@polycache.test";
pub const TEST_PASSWORD: &str = "tester-password-Xk2";

/// How long a node may take to print its banner.
const STARTUP: Duration = Duration::from_secs(20);

/// Which store a node runs against.
#[derive(Clone, Copy)]
pub enum Mode<'a> {
    Memory,
    /// `--store redis` with `REDIS_URL` pointing at this server (database
    /// [`NodeConfig::db`]).
    Redis(&'a RedisServer),
    /// `--store redis` with `REDIS_URL` pointing at one master of this cluster.
    Cluster(&'a super::services::RedisCluster),
}

/// How to start one node: a builder. By default: the given store, demo data, the test
/// accounts and secret, the default heartbeat, no mirrors.
#[derive(Clone)]
pub struct NodeConfig<'a> {
    pub mode: Mode<'a>,
    /// Redis database number, so that several nodes on one redis-server keep separate stores.
    pub redis_db: u8,
    pub mirrors: Vec<String>,
    /// `--demo-data`: three entries for each type.
    pub demo_data: bool,
    pub ping_interval: Option<&'a str>,
    /// More `serve` arguments, after the ones above.
    pub extra_args: Vec<String>,
    /// More environment, after the ones above.
    pub env: Vec<(String, String)>,
    /// `JWT_SECRET` is [`SECRET`] (a `--dev` node makes its own without it).
    pub with_secret: bool,
    /// The test accounts ([`EMAIL`], [`TEST_EMAIL`]) are set (a `--dev` node makes its
    /// own throwaway account without them).
    pub with_accounts: bool,
    /// Dropping the node sends SIGTERM first, so that it shuts down as it does for a person
    /// (removing its `--dev` files); otherwise it is killed.
    pub sigterm_on_drop: bool,
    /// `--first-event-id 1` (unless `--state` or `--bus` number the events), so that tests
    /// read ids as 1, 2, ...; [`NodeConfig::clock_ids`] leaves the numbering to the node.
    pub fixed_ids: bool,
}

impl<'a> NodeConfig<'a> {
    pub fn new(mode: Mode<'a>) -> NodeConfig<'a> {
        NodeConfig {
            mode,
            redis_db: 0,
            mirrors: Vec::new(),
            demo_data: true,
            ping_interval: None,
            extra_args: Vec::new(),
            env: Vec::new(),
            with_secret: true,
            with_accounts: true,
            sigterm_on_drop: false,
            fixed_ids: true,
        }
    }

    /// Event ids as a node numbers them by default: from the clock.
    pub fn clock_ids(mut self) -> Self {
        self.fixed_ids = false;
        self
    }

    /// `--mirrors A,B,...`
    pub fn mirrors(mut self, m: &[&str]) -> Self {
        self.mirrors = m.iter().map(|s| s.to_string()).collect();
        self
    }

    pub fn db(mut self, n: u8) -> Self {
        self.redis_db = n;
        self
    }

    /// `--ping-interval`
    pub fn ping(mut self, p: &'a str) -> Self {
        self.ping_interval = Some(p);
        self
    }

    /// One more `serve` argument.
    pub fn arg(mut self, a: &str) -> Self {
        self.extra_args.push(a.to_string());
        self
    }

    /// More `serve` arguments.
    pub fn args(mut self, args: &[&str]) -> Self {
        self.extra_args.extend(args.iter().map(|s| s.to_string()));
        self
    }

    pub fn env(mut self, k: &str, v: &str) -> Self {
        self.env.push((k.to_string(), v.to_string()));
        self
    }

    /// No `JWT_SECRET` and no test accounts: for `--dev`, which makes its own.
    pub fn without_secret_and_accounts(mut self) -> Self {
        self.with_secret = false;
        self.with_accounts = false;
        self
    }

    /// See [`NodeConfig::sigterm_on_drop`].
    pub fn sigterm_on_drop(mut self) -> Self {
        self.sigterm_on_drop = true;
        self
    }
}

/// A running `polycache serve`, in its own temporary directory (its working directory,
/// `TMPDIR` and log), killed on drop.
pub struct Node {
    pub port: u16,
    /// `http://127.0.0.1:PORT` (`https://` with TLS), as the banner says.
    pub base: String,
    /// The cache log (`CACHE_LOG`).
    pub log: PathBuf,
    /// Where the node's stdout and stderr go (rewritten by a restart).
    pub stdout: PathBuf,
    pub stderr: PathBuf,
    pub dir: tempfile::TempDir,
    /// How to start it again.
    launcher: Launcher,
    sigterm_on_drop: bool,
    process: Background,
}

impl Node {
    /// Whether the node asks for the admin token before it lists its entries (every node
    /// but a `--dev` or `--public-entries` one).
    pub fn entries_locked(&self) -> bool {
        !self
            .launcher
            .args
            .iter()
            .any(|a| a == "--dev" || a == "--public-entries")
    }

    pub fn start(cfg: &NodeConfig) -> Node {
        let dir = tempfile::tempdir().expect("tempdir");
        let log = dir.path().join("server/logs/cache.json");
        let mut args: Vec<String> = ["serve", "--bind", "127.0.0.1"].map(String::from).to_vec();
        let mut env: Vec<(String, String)> = vec![
            ("CACHE_LOG".into(), log.display().to_string()),
            ("TMPDIR".into(), dir.path().display().to_string()),
        ];
        if cfg.with_accounts {
            for (k, v) in [
                ("SERVICE_EMAIL", EMAIL),
                ("SERVICE_PASSWORD", PASSWORD),
                ("TEST_EMAIL", TEST_EMAIL),
                ("TEST_PASSWORD", TEST_PASSWORD),
            ] {
                env.push((k.into(), v.into()));
            }
        }
        if cfg.with_secret {
            env.push(("JWT_SECRET".into(), SECRET.into()));
        }
        match cfg.mode {
            Mode::Redis(r) => {
                args.extend(["--store".into(), "redis".into()]);
                env.push(("REDIS_URL".into(), format!("{}/{}", r.url(), cfg.redis_db)));
            }
            Mode::Cluster(c) => {
                args.extend(["--store".into(), "redis".into()]);
                env.push(("REDIS_URL".into(), c.url()));
                // A cluster has one database: nodes that would each have their own get a
                // prefix of their own instead.
                if cfg.redis_db != 0 {
                    env.push(("CACHE_PREFIX".into(), format!("cache{}:", cfg.redis_db)));
                }
            }
            Mode::Memory => {}
        }
        if cfg.demo_data {
            args.push("--demo-data".into());
        }
        if !cfg.mirrors.is_empty() {
            args.extend(["--mirrors".into(), cfg.mirrors.join(",")]);
        }
        if let Some(p) = cfg.ping_interval {
            args.extend(["--ping-interval".into(), p.into()]);
        }
        args.extend(cfg.extra_args.iter().cloned());
        if cfg.fixed_ids && !cfg.extra_args.iter().any(|a| a == "--state" || a == "--bus") {
            args.extend(["--first-event-id".into(), "1".into()]);
        }
        env.extend(cfg.env.iter().cloned());

        let launcher = Launcher {
            dir: dir.path().to_path_buf(),
            args,
            env,
            stdout: dir.path().join("stdout.txt"),
            stderr: dir.path().join("stderr.txt"),
        };
        let (process, base) = match launcher.launch(0) {
            Ok(up) => up,
            Err(why) => panic!("polycache serve did not start: {why}"),
        };
        Node {
            port: port_of(&base),
            base,
            log,
            stdout: launcher.stdout.clone(),
            stderr: launcher.stderr.clone(),
            dir,
            launcher,
            sigterm_on_drop: cfg.sigterm_on_drop,
            process,
        }
    }

    /// A node with the default configuration on the memory store.
    pub fn memory() -> Node {
        Node::start(&NodeConfig::new(Mode::Memory))
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn pid(&self) -> u32 {
        self.process.pid()
    }

    /// Kills the process (no graceful shutdown: like a crash or `kill -9`).
    pub fn kill(&mut self) {
        self.process.process().kill_and_wait();
    }

    /// Starts the node again (after [`Node::kill`], or kills it first) on the same port,
    /// with the same configuration and directory.
    pub fn restart(&mut self) {
        self.kill();
        let start = Instant::now();
        loop {
            // The port may not be free again at once.
            match self.launcher.launch(self.port) {
                Ok((process, _)) => {
                    self.process = process;
                    return;
                }
                Err(why) if start.elapsed() > Duration::from_secs(10) => {
                    panic!("polycache serve did not come back on port {}: {why}", self.port)
                }
                Err(_) => std::thread::sleep(Duration::from_millis(100)),
            }
        }
    }

    /// SIGTERM, as a person's Ctrl-C; the exit status, or None (killed) after 5 s.
    pub fn stop(&mut self) -> Option<ExitStatus> {
        self.process.process().stop(Duration::from_secs(5))
    }

    /// Waits for the process to exit by itself (after a signal); None on timeout.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        self.process.process().wait_timeout(timeout)
    }

    /// Every line of the cache log, parsed (panics on a line that is not a JSON object).
    pub fn log_lines(&self) -> Vec<Value> {
        read_ndjson(&self.log)
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// The invalidations this node logged as done.
    pub fn invalidations(&self) -> Vec<Value> {
        self.log_lines()
            .into_iter()
            .filter(|l| l["msg"] == "cache invalidated")
            .collect()
    }

    pub fn stdout_text(&self) -> String {
        self.process.stdout_text()
    }

    pub fn stderr_text(&self) -> String {
        self.process.stderr_text()
    }

    /// The banner of a node started with `--json`, parsed.
    pub fn json_banner(&self) -> Value {
        let text = self.stdout_text();
        let line = text.lines().next().unwrap_or_default();
        serde_json::from_str(line).unwrap_or_else(|e| panic!("no JSON banner ({e}): {text}"))
    }

    // --- over HTTP, from async tests -----------------------------------------------------

    /// Logs in with the service account; the token.
    pub async fn login(&self, http: &reqwest::Client) -> String {
        let (status, body) = post_json(
            http,
            &self.url("/api/auth/login"),
            None,
            &serde_json::json!({"email": EMAIL, "password": PASSWORD}),
        )
        .await;
        assert_eq!(status, 200, "login failed: {body}");
        body["token"].as_str().expect("token in login answer").to_string()
    }

    /// `POST /api/cache/invalidate`: status and body.
    pub async fn invalidate(&self, http: &reqwest::Client, token: Option<&str>, body: &Value) -> (u16, Value) {
        post_json(http, &self.url("/api/cache/invalidate"), token, body).await
    }

    /// `GET /api/cache/entries` -> type -> keys.
    /// `GET /api/cache/entries`, with the admin token when the node asks for it (every
    /// node but a `--dev` or `--public-entries` one).
    pub async fn entries(&self, http: &reqwest::Client) -> serde_json::Map<String, Value> {
        let url = self.url("/api/cache/entries");
        let mut request = http.get(&url);
        if self.entries_locked() {
            request = request.bearer_auth(self.login(http).await);
        }
        let answer = request.send().await.expect("entries request");
        let v: Value = answer.json().await.expect("entries JSON");
        v["entries"].as_object().cloned().expect("entries object")
    }

    /// `GET /api/health` as JSON.
    pub async fn health(&self, http: &reqwest::Client) -> Value {
        http.get(self.url("/api/health"))
            .send()
            .await
            .expect("health request")
            .json()
            .await
            .expect("health JSON")
    }

    /// Polls the log until a line satisfies `pred` (panics after 15 s).
    pub async fn wait_log(&self, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
        for _ in 0..750 {
            if let Some(l) = self.log_lines().into_iter().find(|l| pred(l)) {
                return l;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("no log line {what} in {}:\n{}", self.log.display(), self.log_text());
    }

    // --- over plain HTTP, from tests without a runtime -----------------------------------

    /// `GET /api/health` as JSON.
    pub fn blocking_health(&self) -> Value {
        let (_, body) = get(self.port, "/api/health").expect("health endpoint");
        serde_json::from_str(&body).expect("health JSON")
    }

    /// The type groups that still hold entries (`GET /api/cache/entries`).
    pub fn entry_types(&self) -> Vec<String> {
        let mut headers = Vec::new();
        if self.entries_locked() {
            // The node locks its entries: log in as the service account first (a login that
            // works leaves no line in the node's log).
            let login = serde_json::json!({"email": EMAIL, "password": PASSWORD}).to_string();
            let (_, answer) = request(self.port, "POST", "/api/auth/login", &[], &login).expect("login");
            let token: Value = serde_json::from_str(&answer).expect("login JSON");
            headers.push(format!(
                "Authorization: Bearer {}",
                token["token"].as_str().expect("token")
            ));
        }
        let (status, body) = request(self.port, "GET", "/api/cache/entries", &headers, "").expect("entries endpoint");
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

    /// Waits until `n` SSE clients are connected.
    pub fn wait_clients(&self, n: u64) {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(10) {
            if self.blocking_health()["clients"].as_u64().is_some_and(|c| c >= n) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("{} never had {n} stream clients", self.base);
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        // Before the directory goes: the node may still be writing to it.
        if self.sigterm_on_drop {
            self.stop();
        }
        self.kill();
    }
}

/// What starts a node's process: `polycache ARGS --port PORT` in `dir` with `env`, its
/// output to the two files.
struct Launcher {
    dir: PathBuf,
    /// `serve ...` without `--port`.
    args: Vec<String>,
    env: Vec<(String, String)>,
    stdout: PathBuf,
    stderr: PathBuf,
}

impl Launcher {
    /// Starts the process and waits for its banner: the process and the base URL it says
    /// it listens on, or why it did not start.
    fn launch(&self, port: u16) -> Result<(Background, String), String> {
        let mut cmd = clean_command(&self.dir);
        cmd.args(&self.args).args(["--port", &port.to_string()]);
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        let mut process = Background::start(cmd, self.stdout.clone(), self.stderr.clone());
        // The banner is printed once the listener is bound: wait for it, or for an exit.
        let start = Instant::now();
        while start.elapsed() < STARTUP {
            if let Some(base) = listening(&process.stdout_text()) {
                return Ok((process, base));
            }
            if process.process().exited() {
                return Err(process.stderr_text());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Err(format!(
            "no banner after {STARTUP:?}\nstdout:\n{}\nstderr:\n{}",
            process.stdout_text(),
            process.stderr_text()
        ))
    }
}

/// The base URL of a banner: `... listening on URL`, or `{"listening": URL, ...}` with
/// `--json`. None until the banner's first line is complete.
fn listening(stdout: &str) -> Option<String> {
    let (first, _) = stdout.split_once('\n')?;
    if let Ok(v) = serde_json::from_str::<Value>(first) {
        return v["listening"].as_str().map(str::to_string);
    }
    let (_, rest) = first.split_once(" listening on ")?;
    rest.split_whitespace().next().map(str::to_string)
}

fn port_of(base: &str) -> u16 {
    base.rsplit(':')
        .next()
        .and_then(|p| p.trim_end_matches('/').parse().ok())
        .unwrap_or_else(|| panic!("no port in {base}"))
}

/// A node on the bus at `redis_url` (memory store, heartbeat every 300 ms).
pub fn bus_node(redis_url: &str) -> Node {
    Node::start(
        &NodeConfig::new(Mode::Memory)
            .ping("300ms")
            .arg("--bus")
            .arg("redis")
            .env("REDIS_URL", redis_url),
    )
}

/// A polycache client command ([`polycache`]) with the service account of the test nodes.
pub fn client(cwd: &Path) -> assert_cmd::Command {
    let mut cmd = polycache(cwd);
    cmd.env("SERVICE_EMAIL", EMAIL).env("SERVICE_PASSWORD", PASSWORD);
    cmd
}

/// Every line of an NDJSON file, parsed (panics on a line that is not a JSON object).
pub fn read_ndjson(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .enumerate()
        .map(|(i, l)| match serde_json::from_str::<Value>(l) {
            Ok(v @ Value::Object(_)) => v,
            _ => panic!("line {} of {} is not a JSON object: {l}", i + 1, path.display()),
        })
        .collect()
}

/// A JWT signed with `secret` for the service account, with an `exp` in the past.
pub fn expired_token(secret: &str) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    let claims = serde_json::json!({"sub": EMAIL, "iat": now - 7200, "exp": now - 3600, "iss": "polycache-serve"});
    polycache::jwt::install();
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(secret.as_bytes()),
    )
    .expect("encode")
}
