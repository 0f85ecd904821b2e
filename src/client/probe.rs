//! Probes of a server, for `doctor` and `demo`: its health, whether its stream answers
//! and what it says first, and the cache entries a sandbox node holds. Each probe says
//! what it found; judging it is the caller's business.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::mpsc;

use super::stream::{FollowOptions, Notice, follow};
use super::target::Target;
use super::trace::{self, Trace};
use crate::protocol::HealthAnswer;

pub use crate::protocol::{ENTRIES_PATH, HEALTH_PATH};

/// The answer to `GET /api/health`.
#[derive(Debug, Clone)]
pub struct Health {
    pub status: u16,
    /// The body, when it is the protocol's health answer.
    pub answer: Option<HealthAnswer>,
    /// The `error` of a JSON body, when there is one (an error body is no health answer).
    pub error: Option<String>,
    pub elapsed: Duration,
}

impl Health {
    /// Why the server says it is not ok (`{"ok": false, ...}`), if it says so.
    pub fn not_ok(&self) -> Option<String> {
        let a = self.answer.as_ref().filter(|a| !a.ok)?;
        Some(
            a.store_error
                .clone()
                .or_else(|| self.error.clone())
                .unwrap_or_else(|| "no reason given".to_string()),
        )
    }
}

/// `GET {target}/api/health` within `timeout`.
pub async fn health(
    http: &reqwest::Client,
    trace: &Trace,
    target: &Target,
    timeout: Duration,
) -> Result<Health, trace::SendError> {
    let start = Instant::now();
    let r = trace::send(trace, http.get(target.url(HEALTH_PATH)).timeout(timeout)).await?;
    Ok(Health {
        status: r.status.as_u16(),
        answer: serde_json::from_slice(&r.body).ok(),
        error: serde_json::from_slice::<crate::protocol::ErrorAnswer>(&r.body)
            .ok()
            .map(|e| e.error),
        elapsed: start.elapsed(),
    })
}

/// `GET {target}{path}` as an event stream: the status it answers with, and how fast
/// (the body is not read).
pub async fn stream_status(
    http: &reqwest::Client,
    trace: &Trace,
    target: &Target,
    path: &str,
    timeout: Duration,
) -> Result<(u16, Duration), reqwest::Error> {
    let start = Instant::now();
    let r = trace::send_stream(
        trace,
        http.get(target.url(path))
            .header(reqwest::header::ACCEPT, "text/event-stream")
            .timeout(timeout),
    )
    .await?;
    Ok((r.status().as_u16(), start.elapsed()))
}

/// What a stream said first.
#[derive(Debug, Clone, PartialEq)]
pub enum FirstSign {
    /// A comment (`: connected`, `: ping`), as sent.
    Comment { text: String, after: Duration },
    /// An event.
    Event {
        name: String,
        id: Option<String>,
        after: Duration,
    },
    /// The stream could not be opened.
    Failed { reason: String },
    /// It opened and ended before saying anything.
    Ended,
    /// Nothing within the wait; `opened` says whether it was open.
    Silent { opened: Option<Duration> },
}

/// Opens the stream at `path` and waits up to `wait` for its first bytes: a comment (serve
/// opens with `: connected`, then pings) or an event. No reconnects.
pub async fn first_sign(
    http: &reqwest::Client,
    trace: &Trace,
    target: &Arc<Target>,
    path: &str,
    wait: Duration,
) -> FirstSign {
    let opts = FollowOptions {
        trace: trace.clone(),
        path: path.to_string(),
        reconnect: false,
        retry_initial: false,
        idle_timeout: wait + Duration::from_secs(1),
        ..FollowOptions::default()
    };
    let (tx, mut rx) = mpsc::channel(16);
    let task = tokio::spawn(follow(http.clone(), Arc::clone(target), opts, tx));
    let start = Instant::now();
    let deadline = tokio::time::Instant::now() + wait;
    let mut opened = None;
    let sign = loop {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some(Notice::Connected { .. })) => opened = Some(start.elapsed()),
            Ok(Some(Notice::Heartbeat { comment, .. })) => {
                break FirstSign::Comment {
                    text: comment,
                    after: start.elapsed(),
                };
            }
            Ok(Some(Notice::Event(e))) => {
                break FirstSign::Event {
                    name: e.event,
                    id: e.id,
                    after: start.elapsed(),
                };
            }
            Ok(Some(Notice::Failed { reason, .. })) => break FirstSign::Failed { reason },
            Ok(Some(Notice::Disconnected { .. })) => {}
            Ok(None) => break FirstSign::Ended,
            Err(_) => break FirstSign::Silent { opened },
        }
    };
    drop(rx);
    task.abort();
    sign
}

/// How many entries a sandbox node holds per type (`GET /api/cache/entries`, whose
/// `entries` maps a type to its keys), or why they cannot be read.
pub async fn entry_counts(
    http: &reqwest::Client,
    target: &Target,
    timeout: Duration,
) -> Result<std::collections::BTreeMap<String, usize>, String> {
    let resp = http
        .get(target.url(ENTRIES_PATH))
        .timeout(timeout)
        .send()
        .await
        .map_err(|e| super::trace::describe_reqwest(&e))?;
    if !resp.status().is_success() {
        return Err(format!("HTTP {}", resp.status().as_u16()));
    }
    let body = trace::read_capped(resp).await.map_err(|e| e.describe())?;
    let body: crate::protocol::EntriesAnswer =
        serde_json::from_slice(&body).map_err(|e| format!("the answer is not an entries body ({e})"))?;
    Ok(body.entries.into_iter().map(|(k, v)| (k, v.len())).collect())
}
