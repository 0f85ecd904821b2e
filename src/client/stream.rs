//! The SSE subscription (PROTOCOL section 4): `GET {target}{POLYCACHE_STREAM_PATH}`, parsed by
//! eventsource-client and carried by the process's one reqwest client.
//!
//! Reconnecting is done here, not by the crate: the crate retries silently, while a person
//! watching a stream wants to hear "disconnected" and "resumed from id 17", and a script
//! wants to know that a resume carried `Last-Event-ID`. So the crate is told not to
//! reconnect, and [`follow`] rebuilds the subscription with the last id it saw, with an
//! exponential backoff (or the server's `retry:` hint), announcing each step as a
//! [`Notice`]. Events, heartbeats (`: ping` comments, which the crate does expose) and
//! unknown event names are all passed on as typed values through a channel; nothing here
//! prints.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use eventsource_client::{self as es, Client as _};
use futures::{StreamExt, TryStreamExt};
use launchdarkly_sdk_transport::{ByteStream, HttpTransport, ResponseFuture, TransportError};
use tokio::sync::mpsc;

use super::target::Target;
use super::trace::describe_reqwest;
use crate::protocol::PING;
/// The data of the events a stream brings, and the name of the one that announces a gap.
pub use crate::protocol::{AppUpdate, STREAM_RESET, StreamReset};

/// One event as received from one target.
#[derive(Debug, Clone)]
pub struct StreamEvent {
    pub target: Arc<Target>,
    /// The SSE event name (`app-update`, or anything else the server sends; `message` when
    /// the server named none).
    pub event: String,
    /// The SSE `id:` line, when there was one.
    pub id: Option<String>,
    /// The raw `data:` payload.
    pub data: String,
    /// `data` read as `{type, id, action}`, when it has that shape (whatever the event name).
    pub update: Option<AppUpdate>,
    /// Wall-clock time of arrival, for display.
    pub received: chrono::DateTime<chrono::Utc>,
    /// Monotonic time of arrival, for measuring propagation.
    pub received_at: Instant,
}

impl StreamEvent {
    /// The data of a `stream-reset` (every field optional, ids as strings); `None` for any
    /// other event.
    pub fn reset(&self) -> Option<StreamReset> {
        (self.event == STREAM_RESET).then(|| StreamReset::parse(&self.data))
    }
}

/// What a subscription reports, in the order it happens.
#[derive(Debug, Clone)]
pub enum Notice {
    /// The stream is open. `resumed_from` is the `Last-Event-ID` that was sent, if any;
    /// `reconnect` is false for the first connection.
    Connected {
        target: Arc<Target>,
        resumed_from: Option<String>,
        reconnect: bool,
    },
    Event(StreamEvent),
    /// A comment line (`: ping`), the server's heartbeat; `count` is this target's total.
    /// `opening` marks the comment a server sends as a stream opens (`: connected`, before
    /// any event or ping): first bytes, but not a heartbeat, so not counted.
    Heartbeat {
        target: Arc<Target>,
        comment: String,
        count: u64,
        opening: bool,
    },
    /// The stream dropped (or a reconnect attempt failed); the next attempt is in `retry_in`.
    Disconnected {
        target: Arc<Target>,
        reason: String,
        attempt: u32,
        retry_in: Duration,
    },
    /// The subscription gave up: the first connection failed (and `retry_initial` is off),
    /// or the stream dropped with reconnecting off.
    Failed {
        target: Arc<Target>,
        reason: String,
    },
}

impl Notice {
    pub fn target(&self) -> &Arc<Target> {
        match self {
            Notice::Connected { target, .. }
            | Notice::Heartbeat { target, .. }
            | Notice::Disconnected { target, .. }
            | Notice::Failed { target, .. } => target,
            Notice::Event(e) => &e.target,
        }
    }
}

/// How a subscription behaves.
#[derive(Debug, Clone)]
pub struct FollowOptions {
    /// The SSE path, appended to the target's base URL.
    pub path: String,
    /// Sent as `Last-Event-ID` on the first connection (`tail --since-id`).
    pub last_event_id: Option<String>,
    /// Reconnect after the stream drops.
    pub reconnect: bool,
    /// Keep retrying when the very first connection fails, instead of giving up.
    pub retry_initial: bool,
    /// First reconnect delay; doubled per failed attempt up to `backoff_max`, with jitter
    /// ([`crate::backoff`]).
    pub backoff: Duration,
    pub backoff_max: Duration,
    /// A stream silent for this long is treated as dropped (the server pings every 15 s).
    pub idle_timeout: Duration,
    /// `-v`: each (re)connection's request and the head of its answer.
    pub trace: super::Trace,
}

impl Default for FollowOptions {
    fn default() -> FollowOptions {
        FollowOptions {
            path: crate::protocol::STREAM_PATH.to_string(),
            last_event_id: None,
            reconnect: true,
            retry_initial: false,
            backoff: Duration::from_millis(250),
            backoff_max: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(45),
            trace: super::Trace::off(),
        }
    }
}

/// The shortest reconnect delay a server's `retry:` hint can ask for.
pub const MIN_RETRY: Duration = Duration::from_millis(100);

/// Follows one target's stream until the receiver is dropped or the subscription gives up,
/// sending every [`Notice`] to `tx`. Run it as a task; drop the receiver to stop it.
pub async fn follow(http: reqwest::Client, target: Arc<Target>, opts: FollowOptions, tx: mpsc::Sender<Notice>) {
    let url = target.url(&opts.path);
    let transport = ReqwestTransport {
        http,
        trace: opts.trace.clone(),
    };
    let mut last_id = opts.last_event_id.clone();
    let mut connected_once = false;
    let mut attempt: u32 = 0;
    let mut heartbeats: u64 = 0;
    let mut server_retry: Option<Duration> = None;
    loop {
        let reason = match es::ClientBuilder::for_url(&url) {
            Err(e) => {
                let _ = tx
                    .send(Notice::Failed {
                        target,
                        reason: format!("invalid stream URL {url}: {e}"),
                    })
                    .await;
                return;
            }
            Ok(builder) => {
                let mut builder = builder.reconnect(es::ReconnectOptions::reconnect(false).build());
                if let Some(id) = &last_id {
                    builder = builder.last_event_id(id.clone());
                }
                let mut events = builder.build_with_transport(transport.clone()).stream();
                let mut first_frame = true;
                loop {
                    let next = tokio::select! {
                        _ = tx.closed() => return,
                        n = tokio::time::timeout(opts.idle_timeout, events.next()) => n,
                    };
                    let notice = match next {
                        Err(_) => break format!("no data for {}", crate::duration::human(opts.idle_timeout)),
                        Ok(None) => break "the stream ended".to_string(),
                        Ok(Some(Err(e))) => break describe(&e),
                        Ok(Some(Ok(es::SSE::Connected(_)))) => {
                            let n = Notice::Connected {
                                target: Arc::clone(&target),
                                resumed_from: last_id.clone(),
                                reconnect: connected_once,
                            };
                            connected_once = true;
                            n
                        }
                        Ok(Some(Ok(es::SSE::Comment(c)))) => {
                            // The backoff starts over once a connection carried something:
                            // one that fails before its first frame keeps doubling it.
                            attempt = 0;
                            let comment = c.trim().to_string();
                            let opening = std::mem::take(&mut first_frame) && comment != PING;
                            if !opening {
                                heartbeats += 1;
                            }
                            Notice::Heartbeat {
                                target: Arc::clone(&target),
                                comment,
                                count: heartbeats,
                                opening,
                            }
                        }
                        Ok(Some(Ok(es::SSE::Event(ev)))) => {
                            first_frame = false;
                            attempt = 0;
                            if ev.id.as_deref().is_some_and(|id| !id.is_empty()) {
                                last_id.clone_from(&ev.id);
                            }
                            // The server's `retry:` hint, with a floor: `retry: 0` would be a
                            // reconnect loop.
                            if let Some(ms) = ev.retry {
                                server_retry = Some(Duration::from_millis(ms).max(MIN_RETRY));
                            }
                            Notice::Event(event_from(&target, ev))
                        }
                    };
                    if tx.send(notice).await.is_err() {
                        return;
                    }
                }
            }
        };
        if !connected_once && !opts.retry_initial || connected_once && !opts.reconnect {
            let _ = tx.send(Notice::Failed { target, reason }).await;
            return;
        }
        attempt = attempt.saturating_add(1);
        let retry_in =
            crate::backoff::Backoff::new(server_retry.unwrap_or(opts.backoff), opts.backoff_max).delay(attempt);
        let sent = tx
            .send(Notice::Disconnected {
                target: Arc::clone(&target),
                reason,
                attempt,
                retry_in,
            })
            .await;
        if sent.is_err() {
            return;
        }
        tokio::select! {
            _ = tx.closed() => return,
            _ = tokio::time::sleep(retry_in) => {}
        }
    }
}

/// Follows several targets at once, merged into one channel in arrival order. The tasks
/// stop when the returned receiver is dropped.
pub fn follow_all(http: &reqwest::Client, targets: &[Arc<Target>], opts: &FollowOptions) -> mpsc::Receiver<Notice> {
    let (tx, rx) = mpsc::channel(1024);
    for t in targets {
        tokio::spawn(follow(http.clone(), Arc::clone(t), opts.clone(), tx.clone()));
    }
    rx
}

fn event_from(target: &Arc<Target>, ev: es::Event) -> StreamEvent {
    let update = serde_json::from_str::<AppUpdate>(&ev.data).ok();
    StreamEvent {
        target: Arc::clone(target),
        event: ev.event_type,
        id: ev.id,
        data: ev.data,
        update,
        received: chrono::Utc::now(),
        received_at: Instant::now(),
    }
}

/// One line for a stream error, with the underlying cause (e.g. "connection refused").
fn describe(e: &es::Error) -> String {
    match e {
        es::Error::UnexpectedResponse(r, _) if r.status() == 404 => {
            "the server answered HTTP 404: no stream at that path (check POLYCACHE_STREAM_PATH)".to_string()
        }
        es::Error::UnexpectedResponse(r, _) => format!("the server answered HTTP {}", r.status()),
        es::Error::Eof => "the server closed the stream".to_string(),
        es::Error::UnexpectedEof => "the server closed the stream in the middle of an event".to_string(),
        es::Error::Transport(t) => match t.inner().downcast_ref::<reqwest::Error>() {
            Some(e) => describe_reqwest(e),
            None => t.inner().to_string(),
        },
        es::Error::TimedOut => "timed out".to_string(),
        other => other.to_string(),
    }
}

/// eventsource-client brings no HTTP client of its own in this build: it is handed this
/// adapter so that the stream shares the process's reqwest client (its TLS setup, user
/// agent and connection pool).
#[derive(Clone)]
struct ReqwestTransport {
    http: reqwest::Client,
    trace: super::Trace,
}

/// A stream lives for as long as the user watches it; the client's total timeout must not
/// cut it. Dead streams are detected by [`FollowOptions::idle_timeout`] instead.
const STREAM_LIFETIME: Duration = Duration::from_secs(100 * 365 * 86_400);

impl HttpTransport for ReqwestTransport {
    fn request(&self, request: http::Request<Option<Bytes>>) -> ResponseFuture {
        let (parts, body) = request.into_parts();
        let mut req = self
            .http
            .request(parts.method, parts.uri.to_string())
            .headers(parts.headers)
            .timeout(STREAM_LIFETIME);
        if let Some(b) = body {
            req = req.body(b);
        }
        // reqwest's futures and body streams are Send but not Sync, which the transport
        // trait demands; a task and a channel in between satisfy it.
        let (head_tx, head_rx) = tokio::sync::oneshot::channel();
        let trace = self.trace.clone();
        tokio::spawn(async move {
            let resp = match super::trace::send_stream(&trace, req).await {
                Ok(r) => r,
                Err(e) => {
                    let _ = head_tx.send(Err(TransportError::new(e)));
                    return;
                }
            };
            let status = resp.status();
            let headers = resp.headers().clone();
            let (body_tx, body_rx) = futures::channel::mpsc::channel::<Result<Bytes, TransportError>>(16);
            let body: ByteStream = Box::pin(body_rx);
            let mut out = http::Response::new(body);
            *out.status_mut() = status;
            *out.headers_mut() = headers;
            if head_tx.send(Ok(out)).is_err() {
                return;
            }
            let mut chunks = resp.bytes_stream().map_err(TransportError::new);
            let mut body_tx = body_tx;
            let mut budget = EventBudget::default();
            use futures::SinkExt;
            while let Some(chunk) = chunks.next().await {
                if let Ok(c) = &chunk
                    && let Err(e) = budget.feed(c)
                {
                    // Ends this connection; following reconnects (with its backoff).
                    let _ = body_tx.send(Err(TransportError::new(e))).await;
                    return;
                }
                if body_tx.send(chunk).await.is_err() {
                    return; // the subscriber went away
                }
            }
        });
        Box::pin(async move {
            head_rx
                .await
                .unwrap_or_else(|_| Err(TransportError::new(std::io::Error::other("the request task ended"))))
        })
    }
}

/// The largest SSE event (all its lines) a stream may send: 1 MiB. The protocol's events
/// are a few hundred bytes; a peer that sends one line without end is cut off here, before
/// the parser buffers it.
pub const MAX_EVENT: usize = 1 << 20;

/// Counts the bytes of the event being received (since the last blank line).
#[derive(Default)]
struct EventBudget {
    event: usize,
    line: usize,
    after_cr: bool,
}

impl EventBudget {
    fn feed(&mut self, chunk: &[u8]) -> Result<(), std::io::Error> {
        for &b in chunk {
            match b {
                b'\n' if self.after_cr => self.after_cr = false,
                b'\n' | b'\r' => {
                    if self.line == 0 {
                        self.event = 0; // a blank line ends the event
                    }
                    self.line = 0;
                    self.after_cr = b == b'\r';
                }
                _ => {
                    self.after_cr = false;
                    self.line += 1;
                    self.event += 1;
                }
            }
            if self.event > MAX_EVENT {
                return Err(std::io::Error::other(
                    "the stream sent an event over the 1 MiB limit (a line without end?): not a Polymech stream",
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_event_budget_counts_from_the_last_blank_line() {
        let mut b = EventBudget::default();
        let line = vec![b'x'; MAX_EVENT / 2 + 1];
        b.feed(b"data: ").unwrap();
        b.feed(&line).unwrap();
        b.feed(b"\r\n\r\n").unwrap();
        b.feed(&line).unwrap();
        b.feed(b"\n").unwrap();
        b.feed(&line).unwrap_err();
        let mut b = EventBudget::default();
        for _ in 0..4 {
            b.feed(&line).unwrap();
            b.feed(b"\n\n").unwrap();
        }
    }

    #[test]
    fn only_a_stream_reset_reads_as_one() {
        let event = |name: &str, data: &str| StreamEvent {
            target: Arc::new(Target::mirror("http://127.0.0.1:4001")),
            event: name.to_string(),
            id: Some("9".to_string()),
            data: data.to_string(),
            update: None,
            received: chrono::Utc::now(),
            received_at: Instant::now(),
        };
        let reset = event(STREAM_RESET, r#"{"reason":"gap","lastEventId":"3","oldest":null}"#).reset();
        assert_eq!(reset, Some(StreamReset::gap("3", None)));
        assert_eq!(event(STREAM_RESET, "garbage").reset(), Some(StreamReset::default()));
        assert_eq!(event("app-update", r#"{"reason":"gap"}"#).reset(), None);
    }

    #[test]
    fn app_update_reads_every_id_shape() {
        let u: AppUpdate = serde_json::from_str(r#"{"type":"post","id":"42","action":"update"}"#).unwrap();
        assert_eq!(u.kind, "post");
        assert_eq!(u.id, serde_json::json!("42"));
        let u: AppUpdate = serde_json::from_str(r#"{"type":"posts","id":7}"#).unwrap();
        assert_eq!(u.id, serde_json::json!(7));
        assert_eq!(u.action, None);
        let u: AppUpdate = serde_json::from_str(r#"{"type":"feed","id":null,"action":"delete"}"#).unwrap();
        assert!(u.id.is_null());
        assert!(serde_json::from_str::<AppUpdate>(r#"{"hello":1}"#).is_err());
    }
}
