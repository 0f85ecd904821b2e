//! One client's SSE stream (PROTOCOL section 4): the opening, the replay, the live feed and
//! the heartbeats, on either of two paths that put the same bytes on the wire.
//!
//! - Over hyper (HTTP/2, TLS, or a connection that did not open with the stream request):
//!   axum's `Sse` body, an `sse::Event` per event and a keep-alive timer per client.
//! - On the light path of `conn` (plain HTTP/1.x), [`write`]: each event's bytes are encoded
//!   once for all clients (cached in the [`HubEvent`]), and the clients that are caught
//!   up are written by one task per runtime worker ([`Fanout`]) rather than each by its own
//!   task: an event costs one `write` per client and little else, where waking, polling
//!   and putting back to sleep thousands of tasks (each with its own keep-alive timer reset
//!   and a fresh `Event`) cost as much again. Each client keeps a task that watches for the
//!   node's stop, the client hanging up and the heartbeat (which fires once the last write
//!   is an interval old, as axum's does), and that takes over a client the shard cannot
//!   write to at once.
//!
//! The handler returns the [`Feed`] in a [`LightFeed`] response extension as well as in the
//! body: whichever path takes it first serves the client.

use std::convert::Infallible;
use std::io;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::Duration;

use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use tokio::net::TcpStream;
use tokio::sync::{Notify, broadcast, watch};
use tokio::time::Instant;

use super::AppState;
#[cfg(test)]
use super::frame::chunk;
use super::frame::push_chunk;
use super::stream::HubEvent;

/// The heartbeat: a comment, which `EventSource` ignores.
pub const PING: &[u8] = b": ping\n\n";

/// The light path sends the opening and the replay in writes of about this size.
const BATCH: usize = 16 * 1024;

/// The stream's opening, as axum's `Event::default().retry(retry).comment("connected")`:
/// the reconnect delay for browsers, and a comment so that `open` fires at once.
pub fn opening(retry: Duration) -> Vec<u8> {
    let mut out = b"retry: ".to_vec();
    let (secs, millis) = (retry.as_secs(), retry.subsec_millis());
    if secs > 0 {
        out.extend_from_slice(format!("{secs}{millis:03}").as_bytes());
    } else {
        out.extend_from_slice(millis.to_string().as_bytes());
    }
    out.extend_from_slice(b"\n: connected\n\n");
    out
}

/// Everything one client is sent: the opening, then `first` (a `stream-reset` and the
/// replayed events), then the live events that are newer than the newest replayed one,
/// with a heartbeat after `ping` without a write, until the node stops (`stop`) or the
/// client falls a whole ring behind.
pub struct Feed {
    pub retry: Duration,
    pub first: Vec<Arc<HubEvent>>,
    pub live: broadcast::Receiver<Arc<HubEvent>>,
    /// The seq of the last event sent before `live` was subscribed.
    pub seq: u64,
    /// The order of the newest event sent: never an id twice nor backwards (the replay may
    /// overlap the live feed on the bus).
    pub newest: Option<(u64, u64)>,
    pub stop: watch::Receiver<bool>,
    pub ping: Duration,
    /// The node (its hub and fan-out, for the light path).
    pub state: Arc<AppState>,
    /// The client's place under the stream limits, given back when the stream ends.
    pub slot: Option<super::limits::StreamSlot>,
}

/// Whether a live event goes out, given the newest sent so far (updated).
fn keep(ev: &HubEvent, newest: &mut Option<(u64, u64)>) -> bool {
    // After a reset of the stream (see `Hub::reset_stream`) ids start again, lower.
    if ev.id.is_none() && ev.name == crate::protocol::STREAM_RESET {
        *newest = None;
        return true;
    }
    let keep = match (ev.order(), *newest) {
        (Some(o), Some(n)) => o > n,
        _ => true,
    };
    if keep && ev.order().is_some() {
        *newest = ev.order();
    }
    keep
}

/// The response extension that hands a stream's [`Feed`] to the light path.
#[derive(Clone)]
pub struct LightFeed(Arc<Mutex<Option<Feed>>>);

impl LightFeed {
    /// The feed, unless the body already took it (or another caller did).
    pub fn take(&self) -> Option<Feed> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).take()
    }
}

impl Feed {
    /// The stream's response: axum's `Sse` body (used over hyper), and the same feed in a
    /// [`LightFeed`] extension for the light path. The body takes the feed on its first
    /// poll; a light path that took it first never polls the body.
    pub fn into_response(self) -> Response {
        let keep_alive = KeepAlive::new().interval(self.ping).text(crate::protocol::PING);
        let opening = Event::default().retry(self.retry).comment("connected");
        let slot = LightFeed(Arc::new(Mutex::new(Some(self))));
        let taken = slot.clone();
        let events = futures::stream::once(async move { taken.take() })
            .filter_map(std::future::ready)
            .flat_map(Feed::events);
        let events = futures::stream::once(std::future::ready(Ok(opening))).chain(events);
        let mut response = Sse::new(events).keep_alive(keep_alive).into_response();
        response.extensions_mut().insert(slot);
        response
    }

    /// The events after the opening, as axum events, for hyper.
    fn events(self) -> impl futures::Stream<Item = Result<Event, Infallible>> + Send {
        let Feed {
            first,
            live,
            mut newest,
            mut stop,
            slot,
            ..
        } = self;
        let live = futures::stream::unfold(live, |mut rx| async move {
            // Lagged (a slow client) or closed: end this client's stream.
            rx.recv().await.ok().map(|ev| (ev, rx))
        })
        .filter(move |ev| std::future::ready(keep(ev, &mut newest)));
        futures::stream::iter(first)
            .chain(live)
            .map(|ev| Ok::<_, Infallible>(sse_event(&ev)))
            .take_until(async move {
                let _ = stop.wait_for(|s| *s).await;
            })
            // The stream limits' slot goes with the stream.
            .inspect(move |_| {
                let _ = &slot;
            })
    }
}

fn sse_event(ev: &HubEvent) -> Event {
    let e = Event::default().event(&ev.name).data(&ev.data);
    match &ev.id {
        Some(id) => e.id(id),
        None => e,
    }
}

/// The light clients of a node that are caught up, in one shard per runtime worker. Each
/// shard has one task that, when the hub sends an event, writes it to every client of the
/// shard: no task per client is woken, polled and put back to sleep for each event.
///
/// A client whose socket does not take an event whole (a slow reader), that fell a ring
/// behind or whose write failed is handed back to its own task, which finishes the write,
/// catches up from its receiver and hands it back to the shard, or ends it.
#[derive(Default)]
pub struct Fanout {
    shards: OnceLock<Vec<Arc<Shard>>>,
    next: AtomicUsize,
}

#[derive(Default)]
struct Shard {
    /// Clients registered since the shard's last round.
    incoming: Mutex<Vec<Weak<Client>>>,
}

/// Clients a shard writes to before it lets other tasks of its worker run.
const ROUND: usize = 256;

impl Fanout {
    /// The shard for a new client (the shards and their tasks start with the first one).
    fn shard(&self, state: &Arc<AppState>) -> Arc<Shard> {
        let shards = self.shards.get_or_init(|| {
            let workers = tokio::runtime::Handle::current().metrics().num_workers();
            (0..workers.max(1))
                .map(|_| {
                    let shard = Arc::new(Shard::default());
                    tokio::spawn(shard.clone().run(state.hub.head(), state.shutdown.subscribe()));
                    shard
                })
                .collect()
        });
        shards[self.next.fetch_add(1, Ordering::Relaxed) % shards.len()].clone()
    }
}

impl Shard {
    /// Adds a client for the next round. Clients that come and go while no event is sent
    /// are dropped from the list now and then, so that it does not grow without end.
    fn register(&self, client: &Arc<Client>) {
        let mut incoming = self.incoming.lock().unwrap_or_else(|p| p.into_inner());
        if incoming.len() >= 1024 && incoming.len().is_power_of_two() {
            incoming.retain(|c| c.strong_count() > 0);
        }
        incoming.push(Arc::downgrade(client));
    }

    async fn run(self: Arc<Shard>, mut head: watch::Receiver<u64>, mut stop: watch::Receiver<bool>) {
        let mut clients: Vec<Weak<Client>> = Vec::new();
        loop {
            tokio::select! {
                r = head.changed() => if r.is_err() { return },
                _ = stop.wait_for(|s| *s) => return,
            }
            let upto = *head.borrow_and_update();
            clients.append(&mut self.incoming.lock().unwrap_or_else(|p| p.into_inner()));
            let mut i = 0;
            let mut written = 0;
            while i < clients.len() {
                // A client whose task ended is gone (its socket closed with it).
                let Some(c) = clients[i].upgrade() else {
                    clients.swap_remove(i);
                    continue;
                };
                i += 1;
                let step = {
                    let mut cur = c.cursor();
                    if cur.owner != Owner::Shard {
                        continue;
                    }
                    let step = cur.pump(&c.tcp, c.chunked, upto);
                    if step != Step::CaughtUp {
                        cur.owner = Owner::Client(step);
                    }
                    step
                };
                if step != Step::CaughtUp {
                    c.wake.notify_one();
                }
                drop(c);
                written += 1;
                if written % ROUND == 0 {
                    tokio::task::yield_now().await;
                }
            }
        }
    }
}

/// One light client, shared by its task and its shard.
struct Client {
    tcp: TcpStream,
    chunked: bool,
    cursor: Mutex<Cursor>,
    /// Tells the client's task that the shard handed the client back.
    wake: Notify,
}

impl Client {
    fn cursor(&self) -> std::sync::MutexGuard<'_, Cursor> {
        self.cursor.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Where a client is in the live feed, and who writes to it.
struct Cursor {
    live: broadcast::Receiver<Arc<HubEvent>>,
    /// The seq of the last event taken from `live`.
    seq: u64,
    newest: Option<(u64, u64)>,
    /// When the last bytes went out: the heartbeat is due `ping` later.
    last: Instant,
    owner: Owner,
    /// The end of a write the socket did not take whole, for the client's task to finish.
    rest: Vec<u8>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Owner {
    /// Caught up: the shard writes.
    Shard,
    /// The client's task writes (catching up, finishing a write, or ending the stream).
    Client(Step),
}

/// What writing the events at hand came to.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Step {
    CaughtUp,
    /// The socket did not take everything: the rest is in `Cursor::rest`.
    Blocked,
    /// The client fell a whole ring behind (or the hub closed): the stream ends.
    Ended,
    /// A write failed: the client is gone.
    Gone,
}

impl Cursor {
    /// Writes the live events up to seq `upto` (all there are with `u64::MAX`), without
    /// waiting: stops at the first write the socket does not take whole.
    fn pump(&mut self, tcp: &TcpStream, chunked: bool, upto: u64) -> Step {
        while self.seq < upto {
            let ev = match self.live.try_recv() {
                Ok(ev) => ev,
                Err(broadcast::error::TryRecvError::Empty) => break,
                // Lagged (a slow client) or closed: end this client's stream.
                Err(_) => return Step::Ended,
            };
            self.seq = ev.seq();
            if !keep(&ev, &mut self.newest) {
                continue;
            }
            let step = self.put(tcp, if chunked { ev.frame() } else { ev.bytes() });
            if step != Step::CaughtUp {
                return step;
            }
        }
        Step::CaughtUp
    }

    /// Writes `bytes` now, as far as the socket takes them; keeps the rest.
    fn put(&mut self, tcp: &TcpStream, mut bytes: &[u8]) -> Step {
        self.last = Instant::now();
        loop {
            match tcp.try_write(bytes) {
                Ok(n) if n == bytes.len() => return Step::CaughtUp,
                Ok(0) => return Step::Gone,
                Ok(n) => bytes = &bytes[n..],
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    self.rest.extend_from_slice(bytes);
                    return Step::Blocked;
                }
                Err(_) => return Step::Gone,
            }
        }
    }
}

/// The light path: writes `head` (the response head), then the feed to `tcp`, each event
/// as one HTTP/1.1 chunk when `chunked`, else as is (HTTP/1.0, where the body ends with
/// the connection). Returns the socket when the stream ended normally (the node stops, or
/// the client fell a whole ring behind), for the caller to write the last chunk; `None`
/// when the client is gone.
pub async fn write(tcp: TcpStream, head: Vec<u8>, feed: Feed, chunked: bool) -> Option<TcpStream> {
    let Feed {
        retry,
        first,
        live,
        seq,
        newest,
        mut stop,
        ping,
        state,
        slot: _slot,
    } = feed;
    // The head, the opening and the replay, in a few writes.
    let mut out = head;
    if chunked {
        push_chunk(&mut out, &opening(retry));
    } else {
        out.extend_from_slice(&opening(retry));
    }
    // The replay goes out unless the node stops first (a client that does not read it
    // must not hold up the shutdown).
    let replay = async {
        for ev in &first {
            if out.len() >= BATCH {
                send(&tcp, &out).await.ok()?;
                out.clear();
            }
            out.extend_from_slice(if chunked { ev.frame() } else { ev.bytes() });
        }
        send(&tcp, &out).await.ok()
    };
    tokio::select! {
        sent = replay => sent?,
        _ = stop.wait_for(|s| *s) => return None,
    }
    drop(first);

    let client = Arc::new(Client {
        tcp,
        chunked,
        cursor: Mutex::new(Cursor {
            live,
            seq,
            newest,
            last: Instant::now(),
            // Its task catches up first (what came during the replay), then hands it over.
            owner: Owner::Client(Step::Blocked),
            rest: Vec::new(),
        }),
        wake: Notify::new(),
    });
    state.fanout.shard(&state).register(&client);
    drop(state);
    let done = watch_client(&client, &mut stop, ping).await;
    // The shard holds the client only for the moment it writes to it (never again once
    // its task took it back): wait for that moment to pass, to own the socket again.
    let mut client = client;
    let tcp = loop {
        match Arc::try_unwrap(client) {
            Ok(c) => break c.tcp,
            Err(c) => {
                client = c;
                tokio::task::yield_now().await;
            }
        }
    };
    done.then_some(tcp)
}

/// The client's side: catches up and hands the client to its shard, takes it back when
/// the shard cannot write, and watches for the node's stop, the client hanging up and the
/// heartbeat. True when the stream ended normally, false when the client is gone.
async fn watch_client(c: &Client, stop: &mut watch::Receiver<bool>, ping: Duration) -> bool {
    let stopped = async {
        let _ = stop.wait_for(|s| *s).await;
    };
    let readable = c.tcp.readable();
    let woken = c.wake.notified();
    let heartbeat = tokio::time::sleep_until(Instant::now() + ping);
    tokio::pin!(stopped, readable, woken, heartbeat);
    let mut probe = [0u8; 64];
    loop {
        // The client is this task's: finish a write, catch up, hand it over (or end it).
        let owner = c.cursor().owner;
        if let Owner::Client(step) = owner {
            match step {
                Step::Ended => return true,
                Step::Gone => return false,
                Step::Blocked | Step::CaughtUp => {}
            }
            // As a write in progress did before: the node's stop waits for it to finish.
            let rest = std::mem::take(&mut c.cursor().rest);
            let mut at = 0;
            while at < rest.len() {
                match c.tcp.try_write(&rest[at..]) {
                    Ok(0) => return false,
                    Ok(n) => at += n,
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                        tokio::select! {
                            r = c.tcp.writable() => if r.is_err() { return false },
                            r = &mut readable => match r.map(|_| c.tcp.try_read(&mut probe)) {
                                Ok(Err(e)) if e.kind() == io::ErrorKind::WouldBlock => readable.set(c.tcp.readable()),
                                _ => return false,
                            },
                            // The node stops while a client does not read: it is not waited for.
                            _ = &mut stopped => return false,
                        }
                    }
                    Err(_) => return false,
                }
            }
            drop(rest);
            let mut cur = c.cursor();
            cur.owner = match cur.pump(&c.tcp, c.chunked, u64::MAX) {
                // Under the lock: the shard's next round sees it, and writes what comes next.
                Step::CaughtUp => Owner::Shard,
                step => Owner::Client(step),
            };
            continue;
        }
        tokio::select! {
            biased;
            _ = &mut stopped => {
                // Ends after the last write that began (the shard writes no more).
                let rest = {
                    let mut cur = c.cursor();
                    cur.owner = Owner::Client(Step::Ended);
                    std::mem::take(&mut cur.rest)
                };
                return send_before_stop(&c.tcp, &rest).await;
            }
            _ = &mut woken => woken.set(c.wake.notified()),
            r = &mut readable => {
                match r.map(|_| c.tcp.try_read(&mut probe)) {
                    // Not readable after all: wait again.
                    Ok(Err(e)) if e.kind() == io::ErrorKind::WouldBlock => readable.set(c.tcp.readable()),
                    // Closed, or bytes the client should not send: stop.
                    _ => {
                        c.cursor().owner = Owner::Client(Step::Gone);
                        return false;
                    }
                }
            }
            _ = &mut heartbeat => {
                let mut cur = c.cursor();
                let due = cur.last + ping;
                if cur.owner == Owner::Shard && Instant::now() >= due {
                    let beat: &[u8] = if c.chunked { b"8\r\n: ping\n\n\r\n" } else { PING };
                    if let step @ (Step::Blocked | Step::Gone) = cur.put(&c.tcp, beat) {
                        cur.owner = Owner::Client(step);
                    }
                }
                let next = cur.last + ping;
                drop(cur);
                heartbeat.as_mut().reset(next);
            }
        }
    }
}

/// How long a stopping node waits for a client to take what was being written to it.
const STOP_WRITE: Duration = Duration::from_secs(1);

/// Writes the end of a stream as the node stops: true when the client took it within
/// [`STOP_WRITE`] (a client that does not read does not hold up the shutdown).
pub async fn send_before_stop(tcp: &TcpStream, buf: &[u8]) -> bool {
    matches!(tokio::time::timeout(STOP_WRITE, send(tcp, buf)).await, Ok(Ok(())))
}

/// Writes all of `buf`: at once when the socket takes it (nearly always), else as it
/// drains.
pub async fn send(tcp: &TcpStream, mut buf: &[u8]) -> io::Result<()> {
    while !buf.is_empty() {
        match tcp.try_write(buf) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => buf = &buf[n..],
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => tcp.writable().await?,
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    /// What axum's `Sse` body sends for these events (opening and all).
    async fn axum_bytes(retry: Duration, events: &[HubEvent]) -> Vec<u8> {
        let opening = Event::default().retry(retry).comment("connected");
        let all: Vec<_> = std::iter::once(opening)
            .chain(events.iter().map(sse_event))
            .map(Ok::<_, Infallible>)
            .collect();
        let body = Sse::new(futures::stream::iter(all)).into_response().into_body();
        body.collect().await.unwrap().to_bytes().to_vec()
    }

    fn ours(retry: Duration, events: &[HubEvent]) -> Vec<u8> {
        let mut out = opening(retry);
        for ev in events {
            out.extend_from_slice(ev.bytes());
        }
        out
    }

    #[tokio::test]
    async fn the_light_path_sends_axums_bytes() {
        let events = [
            HubEvent::new(Some("7".into()), "app-update", r#"{"type":"feed","id":7}"#.into()),
            HubEvent::new(Some("1764643200000-3".into()), "app-update", "{}".into()),
            HubEvent::new(None, "app-update", r#"{"type":"x"}"#.into()),
            HubEvent::new(Some("0".into()), "stream-reset", r#"{"reason":"gap"}"#.into()),
            HubEvent::new(None, "odd", "a\nb\rc\r\nd\n".into()),
            HubEvent::new(Some("9".into()), "empty", String::new()),
            HubEvent::new(Some("10".into()), "app-update", "é ü 🦀 \u{0}".into()),
        ];
        for retry in [
            Duration::from_millis(3000),
            Duration::from_millis(2500),
            Duration::from_millis(1005),
            Duration::from_millis(1050),
            Duration::from_millis(250),
            Duration::from_millis(0),
            Duration::from_secs(120),
        ] {
            assert_eq!(
                String::from_utf8_lossy(&ours(retry, &events)),
                String::from_utf8_lossy(&axum_bytes(retry, &events).await),
                "{retry:?}"
            );
        }
        // The ping, as axum's keep-alive `text("ping")` writes it.
        let ka = Sse::new(futures::stream::pending::<Result<Event, Infallible>>())
            .keep_alive(KeepAlive::new().interval(Duration::from_millis(1)).text("ping"))
            .into_response()
            .into_body();
        let mut ka = std::pin::pin!(ka);
        let frame = ka.frame().await.unwrap().unwrap().into_data().unwrap();
        assert_eq!(&frame[..], PING);
        // The chunk forms.
        let ev = &events[0];
        let body = ev.bytes();
        assert_eq!(
            ev.frame(),
            [format!("{:x}\r\n", body.len()).as_bytes(), body, b"\r\n"].concat()
        );
        assert_eq!(chunk(PING), b"8\r\n: ping\n\n\r\n");
    }
}
