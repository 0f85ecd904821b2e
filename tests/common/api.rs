//! Talking to a node over HTTP: a reqwest client, JSON posts, a plain GET for tests that
//! run without a runtime, and a reader of Server-Sent Events.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use serde_json::Value;

/// A reqwest client with a 20 s timeout.
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

/// A plain HTTP/1.1 GET on loopback: (status, body). None when nothing answers.
pub fn get(port: u16, path: &str) -> Option<(u16, String)> {
    request(port, "GET", path, &[], "")
}

/// One plain HTTP/1.1 request (with extra header lines and a body), status and body.
pub fn request(port: u16, method: &str, path: &str, headers: &[String], body: &str) -> Option<(u16, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
    for h in headers {
        head.push_str(h);
        head.push_str("\r\n");
    }
    if !body.is_empty() {
        head.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    write!(s, "{head}\r\n{body}").ok()?;
    let mut raw = String::new();
    s.read_to_string(&mut raw).ok()?;
    let (head, body) = raw.split_once("\r\n\r\n")?;
    let status = head.split_whitespace().nth(1)?.parse().ok()?;
    Some((status, body.to_string()))
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
