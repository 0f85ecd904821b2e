//! `serve --bus redis`: the node's side of the invalidation bus (PROTOCOL section 8).
//!
//! An invalidation the node receives is cleared from its store and appended to the stream;
//! the node's one reader (a blocking `XREAD` on a connection of its own, from the last id it
//! read) then hands every entry, its own included, to the SSE hub in stream order with the
//! entry id as the SSE `id:`, and clears other nodes' entries from its store. So every node
//! numbers events alike, and a client can resume on any of them.
//!
//! When Redis is gone the node keeps serving: its own invalidations clear its store and
//! reach its own clients at once (without an `id:`, so their `Last-Event-ID` stays on the
//! stream), and wait in a queue; health, the log and `doctor` say the bus is down. On
//! reconnect the queue is appended (those entries are not announced to this node's clients
//! a second time) and reading resumes after the last id read: nothing the stream holds is
//! lost, nothing is applied twice.

use std::collections::{HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::AppState;
use super::log::level;
use crate::bus::{Bus, BusError, Conn, Entry, NodeStatus, StreamInfo, now_ms};
use crate::log_fields;
use crate::protocol::{ACTION_UPDATE, APP_UPDATE, BusHealth};

/// How long one `XREAD` blocks before it is issued again.
const BLOCK: Duration = Duration::from_secs(2);
/// Entries read per `XREAD`.
const BATCH: usize = 1000;
/// Invalidations kept while Redis is unreachable; older ones are dropped (and logged).
const QUEUE: usize = 10_000;
/// The longest wait between two reconnect attempts.
const BACKOFF_MAX: Duration = Duration::from_secs(2);
/// Time allowed to one XADD/XRANGE from a request.
const CALL_TIMEOUT: Duration = Duration::from_secs(2);

/// The node's bus: its connection for appends and replays, its state, its queue.
pub struct NodeBus {
    pub bus: Bus,
    /// This node's id on the bus (`host:port:pid`).
    pub node: String,
    writer: Mutex<Option<Conn>>,
    status: Mutex<Status>,
    /// Own invalidations not yet appended (Redis was unreachable).
    pending: Mutex<VecDeque<Entry>>,
    /// Own entries appended late, already announced to this node's clients.
    late: Mutex<HashSet<String>>,
}

#[derive(Debug, Clone)]
struct Status {
    connected: bool,
    error: Option<String>,
    down_since: Option<Instant>,
    /// The last entry id read (and applied).
    last_id: String,
    applied: u64,
    published: u64,
    /// Entries read that were not valid invalidations (skipped, logged).
    skipped: u64,
    /// When the last applied entry was appended (epoch ms), for the lag.
    last_applied_ms: Option<i64>,
}

/// What publishing an invalidation came to.
pub enum Published {
    /// Appended: the entry id, which the reader will announce.
    Appended(String),
    /// Redis is unreachable: announced to this node's clients, queued for the bus.
    Queued,
}

impl NodeBus {
    /// Connects (startup fails when Redis is unreachable) and starts at the stream's head.
    pub async fn connect(bus: Bus, node: String) -> Result<NodeBus, BusError> {
        let mut conn = bus.connect_conn(Duration::from_secs(5)).await?;
        let info = bus.info(&mut conn).await?;
        Ok(NodeBus {
            bus,
            node,
            writer: Mutex::new(Some(conn)),
            status: Mutex::new(Status {
                connected: true,
                error: None,
                down_since: None,
                last_id: info.last_generated_id,
                applied: 0,
                published: 0,
                skipped: 0,
                last_applied_ms: None,
            }),
            pending: Mutex::new(VecDeque::new()),
            late: Mutex::new(HashSet::new()),
        })
    }

    fn status(&self) -> std::sync::MutexGuard<'_, Status> {
        self.status.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn writer(&self) -> Option<Conn> {
        self.writer.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn set_writer(&self, c: Option<Conn>) {
        *self.writer.lock().unwrap_or_else(|p| p.into_inner()) = c;
    }

    /// A new entry of this node, not yet appended.
    pub fn entry(&self, type_name: &str, id: &Value, cleared: &[String]) -> Entry {
        Entry {
            event_id: String::new(),
            node: self.node.clone(),
            type_name: type_name.to_string(),
            id: id.clone(),
            action: ACTION_UPDATE.to_string(),
            cleared: cleared.to_vec(),
            time: now_ms(),
        }
    }

    /// Appends an own invalidation, or queues it when Redis is unreachable.
    pub async fn publish(&self, state: &AppState, entry: Entry) -> Published {
        if let Some(mut conn) = self.writer().filter(|_| self.status().connected) {
            match tokio::time::timeout(CALL_TIMEOUT, self.bus.append(&mut conn, &entry)).await {
                Ok(Ok(id)) => {
                    self.status().published += 1;
                    state.metrics.bus_published();
                    return Published::Appended(id);
                }
                Ok(Err(e)) => self.down(state, &e.to_string()),
                Err(_) => self.down(state, "XADD timed out"),
            }
        }
        let data = entry.sse_data();
        let mut q = self.pending.lock().unwrap_or_else(|p| p.into_inner());
        if q.len() >= QUEUE
            && let Some(old) = q.pop_front()
        {
            state.log.write(
                level::ERROR,
                "bus queue full: an invalidation was dropped before it reached the other nodes",
                log_fields! {"module" => "bus", "type" => old.type_name, "status" => Value::Null},
            );
        }
        q.push_back(entry);
        drop(q);
        if !state.faults.no_notify {
            state.hub.notify_unnumbered(APP_UPDATE, data);
        }
        Published::Queued
    }

    /// Marks the bus down (once per outage in the log).
    fn down(&self, state: &AppState, why: &str) {
        self.set_writer(None);
        let mut st = self.status();
        st.error = Some(why.to_string());
        if st.connected {
            state.metrics.bus_outage();
            st.connected = false;
            st.down_since = Some(Instant::now());
            let last = st.last_id.clone();
            drop(st);
            state.log.write(
                level::ERROR,
                "bus unreachable: serving this node's clients alone, invalidations are queued",
                log_fields! {"module" => "bus", "error" => why, "lastId" => last, "status" => Value::Null},
            );
        }
    }

    /// The `bus` object of `/api/health`.
    pub fn health(&self) -> BusHealth {
        let st = self.status().clone();
        let pending = self.pending.lock().map(|q| q.len()).unwrap_or(0);
        BusHealth {
            connected: st.connected,
            key: self.bus.key.clone(),
            node: self.node.clone(),
            cluster: self.bus.is_cluster(),
            last_id: st.last_id,
            applied: st.applied,
            published: st.published,
            pending: pending as u64,
            skipped: st.skipped,
            error: st.error,
            down_for_ms: st.down_since.map(|t| t.elapsed().as_millis() as u64),
        }
    }

    pub fn connected(&self) -> bool {
        self.status().connected
    }

    /// Now minus the time the last applied entry was appended, in seconds.
    pub fn lag_seconds(&self) -> Option<f64> {
        let t = self.status().last_applied_ms.filter(|t| *t > 0)?;
        Some((now_ms() - t) as f64 / 1000.0)
    }

    /// The entries after `after`, for a reconnecting SSE client; `None` when the stream
    /// cannot replay from there (a gap: trimmed, or an id it never issued). A gap is not
    /// read from the stream: the caller answers it from what the node holds.
    pub async fn replay(&self, after: &str) -> Result<Option<Vec<Entry>>, BusError> {
        let mut conn = self
            .writer()
            .filter(|_| self.connected())
            .ok_or_else(|| BusError::Redis {
                url: self.bus.url.clone(),
                detail: "not connected".into(),
            })?;
        let call = async {
            let info = self.bus.info(&mut conn).await?;
            if info.gap_after(after) {
                return Ok(None);
            }
            let batch = self
                .bus
                .range_after(&mut conn, after, (self.bus.maxlen as usize).saturating_mul(2))
                .await?;
            Ok(Some(batch.entries))
        };
        tokio::time::timeout(CALL_TIMEOUT * 2, call).await.unwrap_or_else(|_| {
            Err(BusError::Redis {
                url: self.bus.url.clone(),
                detail: "XRANGE timed out".into(),
            })
        })
    }
}

/// The node's reader: connects (again and again while Redis is away), appends what was
/// queued, reads from the last id and applies. Runs until shutdown.
pub async fn run(state: Arc<AppState>, nb: Arc<NodeBus>) {
    let mut stop = state.shutdown.subscribe();
    let mut attempt: u32 = 0;
    let heartbeat = tokio::spawn(heartbeats(state.clone(), nb.clone()));
    loop {
        if *stop.borrow() {
            break;
        }
        let connected = async {
            let reader = nb.bus.connect_conn(BLOCK + Duration::from_secs(5)).await?;
            let writer = match nb.writer() {
                Some(w) if nb.connected() => w,
                _ => nb.bus.connect_conn(Duration::from_secs(5)).await?,
            };
            Ok::<_, BusError>((reader, writer))
        };
        let (mut reader, mut writer) = match connected.await {
            Ok(c) => c,
            Err(e) => {
                nb.down(&state, &e.to_string());
                attempt = attempt.saturating_add(1);
                let wait = crate::backoff::Backoff::new(Duration::from_millis(100), BACKOFF_MAX).delay(attempt);
                tokio::select! {
                    _ = stop.wait_for(|s| *s) => break,
                    _ = tokio::time::sleep(wait) => continue,
                }
            }
        };
        attempt = 0;
        if let Err(e) = catch_up(&state, &nb, &mut writer).await {
            nb.down(&state, &e.to_string());
            continue;
        }
        nb.set_writer(Some(writer));
        loop {
            let after = nb.status().last_id.clone();
            let read = tokio::select! {
                _ = stop.wait_for(|s| *s) => None,
                r = nb.bus.read(&mut reader, &after, BLOCK, BATCH) => Some(r),
            };
            match read {
                None => break,
                Some(Ok(batch)) if batch.last.is_none() => {
                    // Idle: is the stream still the one read so far? (Deleted and written
                    // again, ids moved backwards: XREAD after the last id would wait forever.)
                    if let Err(e) = check_stream(&state, &nb, &mut reader).await {
                        nb.down(&state, &e.to_string());
                        break;
                    }
                }
                Some(Ok(batch)) => {
                    let read_some = batch.last.is_some();
                    for (id, why) in &batch.skipped {
                        skip(&state, &nb, id, why);
                    }
                    for e in batch.entries {
                        apply(&state, &nb, e).await;
                    }
                    // Past the last entry read, valid or not: a bad entry is read once.
                    if let Some(last) = batch.last {
                        nb.status().last_id = last;
                    }
                    // The node table shows how far this node has read, without waiting
                    // for the next periodic heartbeat.
                    if read_some {
                        tokio::spawn(beat(state.clone(), nb.clone()));
                    }
                }
                Some(Err(e)) => {
                    nb.down(&state, &e.to_string());
                    break;
                }
            }
        }
    }
    heartbeat.abort();
    if let Some(mut w) = nb.writer() {
        let _ = tokio::time::timeout(Duration::from_secs(1), nb.bus.forget(&mut w, &nb.node)).await;
    }
}

/// After a (re)connection: says so, appends what was queued, and resets when the stream no
/// longer holds what followed the last id read (see [`reset`]).
async fn catch_up(state: &AppState, nb: &NodeBus, writer: &mut Conn) -> Result<(), BusError> {
    let info = nb.bus.info(writer).await?;
    let last = nb.status().last_id.clone();
    if info.gap_after(&last) && last != "0-0" {
        reset(state, nb, &last, &info);
    }
    loop {
        let next = nb.pending.lock().unwrap_or_else(|p| p.into_inner()).front().cloned();
        let Some(entry) = next else { break };
        let id = nb.bus.append(writer, &entry).await?;
        nb.late.lock().unwrap_or_else(|p| p.into_inner()).insert(id.clone());
        nb.pending.lock().unwrap_or_else(|p| p.into_inner()).pop_front();
        nb.status().published += 1;
        state.log.write(
            level::INFO,
            "queued invalidation appended to the bus",
            log_fields! {"module" => "bus", "type" => entry.type_name, "eventId" => id, "status" => Value::Null},
        );
    }
    let mut st = nb.status();
    if !st.connected {
        let down_ms = st.down_since.map(|t| t.elapsed().as_millis() as u64);
        st.connected = true;
        st.error = None;
        st.down_since = None;
        drop(st);
        state.log.write(
            level::INFO,
            "bus reconnected: catching up from the last id read",
            log_fields! {"module" => "bus", "lastId" => last, "downMs" => down_ms, "status" => Value::Null},
        );
    }
    Ok(())
}

/// Checks the stream's facts against the last id read; resets when they do not follow.
async fn check_stream(state: &AppState, nb: &NodeBus, conn: &mut Conn) -> Result<(), BusError> {
    let last = nb.status().last_id.clone();
    if last == "0-0" {
        return Ok(());
    }
    let info = tokio::time::timeout(CALL_TIMEOUT, nb.bus.info(conn))
        .await
        .unwrap_or_else(|_| {
            Err(BusError::Redis {
                url: nb.bus.url.clone(),
                detail: "XINFO timed out".into(),
            })
        })?;
    if info.gap_after(&last) {
        reset(state, nb, &last, &info);
    }
    Ok(())
}

/// The stream no longer holds what followed the last id read: trimmed while the node was
/// away, or not the stream it read at all (deleted, replaced, Redis came back empty, ids
/// that moved backwards). Reads it from its start, and tells this node's clients to
/// refetch (`stream-reset`): invalidations may have been lost.
fn reset(state: &AppState, nb: &NodeBus, last: &str, info: &StreamInfo) {
    nb.status().last_id = "0-0".to_string();
    state.hub.reset_stream(last);
    state.metrics.live_reset();
    state.log.write(
        level::WARN,
        "the bus stream no longer holds what followed the last id read (trimmed, deleted, or Redis came back empty): reading it from its start, clients are told to refetch",
        log_fields! {
            "module" => "bus",
            "lastId" => last,
            "oldest" => info.first_id,
            "newest" => info.last_generated_id,
            "status" => Value::Null,
        },
    );
}

/// An entry that is not a valid invalidation (another writer's, or damaged): logged once,
/// counted in health, and passed over.
fn skip(state: &AppState, nb: &NodeBus, id: &str, why: &str) {
    nb.status().skipped += 1;
    state.metrics.bus_skipped();
    state.log.write(
        level::WARN,
        "bus entry skipped: not a valid invalidation",
        log_fields! {"module" => "bus", "eventId" => id, "error" => why, "status" => Value::Null},
    );
}

/// One entry read from the stream: other nodes' are cleared from the store; every one is
/// announced to this node's clients with its entry id (own entries appended late were
/// announced already).
async fn apply(state: &AppState, nb: &NodeBus, e: Entry) {
    nb.status().last_id = e.event_id.clone();
    let own = e.node == nb.node;
    if own {
        let announced = nb.late.lock().unwrap_or_else(|p| p.into_inner()).remove(&e.event_id);
        if !announced && !state.faults.no_notify {
            state.hub.publish_with_id(&e.event_id, APP_UPDATE, e.sse_data());
        }
        return;
    }
    let start = Instant::now();
    let mut keys = 0u64;
    let mut failed = None;
    for t in &e.cleared {
        match state.store.clear_type(t).await {
            Ok(n) => keys += n,
            Err(err) => failed = Some((t.clone(), err)),
        }
    }
    if !state.faults.no_notify {
        state.hub.publish_with_id(&e.event_id, APP_UPDATE, e.sse_data());
    }
    {
        let mut st = nb.status();
        st.applied += 1;
        st.last_applied_ms = Some(e.time);
    }
    state.metrics.bus_applied();
    if failed.is_some() {
        state.metrics.store_error();
    }
    match failed {
        None => state.log.write(
            level::INFO,
            "bus invalidation applied",
            log_fields! {
                "module" => "bus",
                "type" => e.type_name,
                "from" => e.node,
                "eventId" => e.event_id,
                "invalidated" => e.cleared,
                "keys" => keys,
                "status" => 200,
                "durationMs" => start.elapsed().as_secs_f64() * 1000.0,
            },
        ),
        Some((t, err)) => state.log.error(
            "bus invalidation failed",
            &err,
            log_fields! {"module" => "bus", "type" => t, "from" => e.node, "eventId" => e.event_id, "status" => 500},
        ),
    }
}

/// Writes the node's heartbeat (last id read, clients) every few seconds while connected.
async fn heartbeats(state: Arc<AppState>, nb: Arc<NodeBus>) {
    loop {
        beat(state.clone(), nb.clone()).await;
        tokio::time::sleep(crate::bus::HEARTBEAT).await;
    }
}

async fn beat(state: Arc<AppState>, nb: Arc<NodeBus>) {
    if let Some(mut w) = nb.writer().filter(|_| nb.connected()) {
        let status = NodeStatus {
            node: nb.node.clone(),
            last_id: nb.status().last_id.clone(),
            seen: now_ms(),
            clients: state.hub.clients() as u64,
        };
        let _ = tokio::time::timeout(CALL_TIMEOUT, nb.bus.heartbeat(&mut w, &status)).await;
    }
}

/// This node's id on the bus: `host:port:pid`.
pub fn node_id(port: u16) -> String {
    format!("{}:{port}:{}", super::log::hostname(), std::process::id())
}
