//! Harness for `polycache serve`: real node processes on free loopback ports, killed on
//! drop, with helpers for login, invalidation, entries and SSE reading.
#![allow(dead_code)]

use std::fs::File;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::Value;

use super::{RedisServer, bin, free_port, wait_for_port};

pub const SECRET: &str = "serve-test-secret-4f9c2b";
pub const EMAIL: &str = "svc@polycache.test";
pub const PASSWORD: &str = "svc-password-Zq8r1";
pub const TEST_EMAIL: &str = "tester@polycache.test";
pub const TEST_PASSWORD: &str = "tester-password-Xk2";

/// Which store a scenario runs against.
#[derive(Clone, Copy)]
pub enum Mode<'a> {
    Memory,
    Redis(&'a RedisServer),
}

/// How to start one node.
#[derive(Clone)]
pub struct NodeConfig<'a> {
    pub mode: Mode<'a>,
    /// Redis database number, so that several nodes on one redis-server keep separate stores.
    pub redis_db: u8,
    pub mirrors: Vec<String>,
    pub demo_data: bool,
    pub ping_interval: Option<&'a str>,
    pub extra_args: Vec<String>,
    pub env: Vec<(String, String)>,
    pub with_secret: bool,
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
        }
    }

    pub fn mirrors(mut self, m: &[&str]) -> Self {
        self.mirrors = m.iter().map(|s| s.to_string()).collect();
        self
    }

    pub fn db(mut self, n: u8) -> Self {
        self.redis_db = n;
        self
    }

    pub fn ping(mut self, p: &'a str) -> Self {
        self.ping_interval = Some(p);
        self
    }

    pub fn arg(mut self, a: &str) -> Self {
        self.extra_args.push(a.to_string());
        self
    }

    pub fn env(mut self, k: &str, v: &str) -> Self {
        self.env.push((k.to_string(), v.to_string()));
        self
    }
}

/// A running `polycache serve`.
pub struct Node {
    pub port: u16,
    pub base: String,
    pub log: PathBuf,
    pub stdout: PathBuf,
    pub stderr: PathBuf,
    child: Child,
    pub dir: tempfile::TempDir,
}

/// A `std::process::Command` for polycache with the same clean environment as
/// [`super::polycache`].
pub fn clean_command(cwd: &std::path::Path) -> Command {
    let mut cmd = Command::new(bin());
    cmd.current_dir(cwd).env("NO_COLOR", "1");
    for k in super::inherited_settings() {
        cmd.env_remove(k);
    }
    cmd
}

impl Node {
    pub fn start(cfg: &NodeConfig) -> Node {
        let dir = tempfile::tempdir().expect("tempdir");
        let log = dir.path().join("server/logs/cache.json");
        let stdout = dir.path().join("stdout.txt");
        let stderr = dir.path().join("stderr.txt");
        for _ in 0..5 {
            let port = free_port();
            let mut cmd = clean_command(dir.path());
            cmd.args(["serve", "--port", &port.to_string(), "--bind", "127.0.0.1"])
                .env("SERVICE_EMAIL", EMAIL)
                .env("SERVICE_PASSWORD", PASSWORD)
                .env("TEST_EMAIL", TEST_EMAIL)
                .env("TEST_PASSWORD", TEST_PASSWORD)
                .env("CACHE_LOG", &log)
                .stdout(Stdio::from(File::create(&stdout).expect("stdout file")))
                .stderr(Stdio::from(File::create(&stderr).expect("stderr file")));
            if cfg.with_secret {
                cmd.env("JWT_SECRET", SECRET);
            }
            if let Mode::Redis(r) = cfg.mode {
                cmd.args(["--store", "redis"])
                    .env("REDIS_URL", format!("{}/{}", r.url(), cfg.redis_db));
            }
            if cfg.demo_data {
                cmd.arg("--demo-data");
            }
            if !cfg.mirrors.is_empty() {
                cmd.args(["--mirrors", &cfg.mirrors.join(",")]);
            }
            if let Some(p) = cfg.ping_interval {
                cmd.args(["--ping-interval", p]);
            }
            cmd.args(&cfg.extra_args);
            for (k, v) in &cfg.env {
                cmd.env(k, v);
            }
            let mut child = cmd.spawn().expect("spawn polycache serve");
            let base = format!("http://127.0.0.1:{port}");
            // The banner is printed after the listener is bound: wait for it, or for an exit.
            let mut up = false;
            for _ in 0..500 {
                if let Ok(Some(_)) = child.try_wait() {
                    break;
                }
                if std::fs::read_to_string(&stdout).is_ok_and(|s| s.contains("listening on")) {
                    up = wait_for_port(port, Duration::from_secs(5));
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            if up {
                return Node {
                    port,
                    base,
                    log,
                    stdout,
                    stderr,
                    child,
                    dir,
                };
            }
            let _ = child.kill();
            let _ = child.wait();
            let err = std::fs::read_to_string(&stderr).unwrap_or_default();
            if !err.contains("cannot listen") {
                panic!("polycache serve did not start:\n{err}");
            }
        }
        panic!("polycache serve did not start on any free port");
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Kills the process (no graceful shutdown: like a crash or `kill -9`).
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Waits for the process to exit by itself (after a signal); None on timeout.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<std::process::ExitStatus> {
        let start = std::time::Instant::now();
        while start.elapsed() < timeout {
            if let Ok(Some(s)) = self.child.try_wait() {
                return Some(s);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    /// Every line of the cache log, parsed (panics on a line that is not a JSON object).
    pub fn log_lines(&self) -> Vec<Value> {
        read_ndjson(&self.log)
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub fn stdout_text(&self) -> String {
        std::fs::read_to_string(&self.stdout).unwrap_or_default()
    }

    pub fn stderr_text(&self) -> String {
        std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }

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

    pub async fn invalidate(&self, http: &reqwest::Client, token: Option<&str>, body: &Value) -> (u16, Value) {
        post_json(http, &self.url("/api/cache/invalidate"), token, body).await
    }

    /// `GET /api/cache/entries` -> type -> keys.
    pub async fn entries(&self, http: &reqwest::Client) -> serde_json::Map<String, Value> {
        let v: Value = http
            .get(self.url("/api/cache/entries"))
            .send()
            .await
            .expect("entries request")
            .json()
            .await
            .expect("entries JSON");
        v["entries"].as_object().cloned().expect("entries object")
    }

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
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn read_ndjson(path: &std::path::Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .enumerate()
        .map(|(i, l)| match serde_json::from_str::<Value>(l) {
            Ok(v @ Value::Object(_)) => v,
            _ => panic!("line {} of {} is not a JSON object: {l}", i + 1, path.display()),
        })
        .collect()
}

pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .expect("client")
}

/// POSTs JSON; returns status and body (Null when the body is not JSON).
pub async fn post_json(http: &reqwest::Client, url: &str, token: Option<&str>, body: &Value) -> (u16, Value) {
    let mut req = http.post(url).json(body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await.expect("request");
    let status = resp.status().as_u16();
    let bytes = resp.bytes().await.unwrap_or_default();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

/// One SSE frame: an event (with name, id, data) or a comment.
#[derive(Debug, Clone, PartialEq)]
pub enum Frame {
    Event {
        name: String,
        id: Option<String>,
        data: String,
    },
    Comment(String),
}

/// Reads SSE frames from a streaming response.
pub struct SseReader {
    resp: reqwest::Response,
    buf: Vec<u8>,
    pending: std::collections::VecDeque<Frame>,
}

impl SseReader {
    /// Opens the stream (optionally with `Last-Event-ID`) and checks the content type.
    pub async fn open(url: &str, last_event_id: Option<&str>) -> SseReader {
        let http = reqwest::Client::new();
        let mut req = http.get(url).header("accept", "text/event-stream");
        if let Some(id) = last_event_id {
            req = req.header("last-event-id", id);
        }
        let resp = req.send().await.expect("stream request");
        assert_eq!(resp.status(), 200);
        let ct = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        assert!(ct.starts_with("text/event-stream"), "content-type {ct}");
        SseReader {
            resp,
            buf: Vec::new(),
            pending: Default::default(),
        }
    }

    /// The next frame; None when the server closed the stream. Panics after `timeout`.
    pub async fn next_frame(&mut self, timeout: Duration) -> Option<Frame> {
        tokio::time::timeout(timeout, self.next_inner())
            .await
            .expect("timed out waiting for an SSE frame")
    }

    async fn next_inner(&mut self) -> Option<Frame> {
        loop {
            if let Some(f) = self.pending.pop_front() {
                return Some(f);
            }
            while let Some(pos) = find_blank(&self.buf) {
                let block: Vec<u8> = self.buf.drain(..pos.1).collect();
                let text = String::from_utf8_lossy(&block[..pos.0]).to_string();
                self.pending.extend(parse_block(&text));
            }
            if !self.pending.is_empty() {
                continue;
            }
            match self.resp.chunk().await {
                Ok(Some(c)) => self.buf.extend_from_slice(&c),
                _ => return None,
            }
        }
    }

    /// The next event (skipping comments).
    pub async fn next_event(&mut self, timeout: Duration) -> Option<(String, Option<String>, Value)> {
        loop {
            match self.next_frame(timeout).await? {
                Frame::Event { name, id, data } => {
                    let v = serde_json::from_str(&data).unwrap_or(Value::String(data));
                    return Some((name, id, v));
                }
                Frame::Comment(_) => continue,
            }
        }
    }
}

/// (end of block, end of separator) of the first blank line.
fn find_blank(buf: &[u8]) -> Option<(usize, usize)> {
    let s = buf;
    (0..s.len()).find_map(|i| {
        if s[i..].starts_with(b"\n\n") {
            Some((i, i + 2))
        } else if s[i..].starts_with(b"\r\n\r\n") {
            Some((i, i + 4))
        } else {
            None
        }
    })
}

fn parse_block(text: &str) -> Vec<Frame> {
    let mut out = Vec::new();
    let (mut name, mut id, mut data): (Option<String>, Option<String>, Vec<String>) = (None, None, Vec::new());
    for line in text.lines() {
        if let Some(c) = line.strip_prefix(':') {
            out.push(Frame::Comment(c.trim().to_string()));
            continue;
        }
        let (field, value) = line
            .split_once(':')
            .map(|(f, v)| (f, v.strip_prefix(' ').unwrap_or(v)))
            .unwrap_or((line, ""));
        match field {
            "event" => name = Some(value.to_string()),
            "id" => id = Some(value.to_string()),
            "data" => data.push(value.to_string()),
            _ => {}
        }
    }
    if name.is_some() || !data.is_empty() {
        out.push(Frame::Event {
            name: name.unwrap_or_else(|| "message".into()),
            id,
            data: data.join("\n"),
        });
    }
    out
}

/// A JWT signed with the test secret and an `exp` in the past.
pub fn expired_token(secret: &str) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    let claims = serde_json::json!({"sub": EMAIL, "iat": now - 7200, "exp": now - 3600, "iss": "polycache-serve"});
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(secret.as_bytes()),
    )
    .expect("encode")
}
