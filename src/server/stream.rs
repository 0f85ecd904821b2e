//! The SSE hub (PROTOCOL section 4): numbered events, a replay buffer for `Last-Event-ID`,
//! and fan-out to many clients through one bounded broadcast ring. A client that falls a
//! whole ring behind is disconnected (it can reconnect with `Last-Event-ID` and replay),
//! so one slow reader never stalls the others nor grows memory.
//!
//! The replay buffer holds several rings' worth ([`REPLAY`] > [`LAG`]), so the reconnect of
//! a dropped reader can always be replayed. A `Last-Event-ID` older than what is held, or
//! one this node never issued, is a gap: the subscriber is told so (a `stream-reset`
//! event, [`Gap`]) before it gets what is held.

use std::collections::VecDeque;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use tokio::sync::{broadcast, watch};

/// Events kept for `Last-Event-ID` replays: four times what a reader may lag, so that a
/// reader dropped for lagging (and whatever it had in flight) is still within the buffer
/// when it reconnects.
pub const REPLAY: usize = 4 * LAG;

/// Events a client may fall behind before it is dropped.
pub const LAG: usize = 1024;

pub use crate::protocol::STREAM_RESET;
use crate::protocol::StreamReset;

/// One event, already serialized. `id` is what goes on the SSE `id:` line: a number on a
/// single node, a Redis stream entry id on the bus (PROTOCOL sections 4 and 8); `None` for
/// an event that must not move a client's `Last-Event-ID`.
///
/// Its wire bytes are encoded once, by the first client that sends it, and shared by every
/// other (see [`HubEvent::frame`]): a node with thousands of clients does not format
/// the same event thousands of times.
#[derive(Debug, Clone)]
pub struct HubEvent {
    pub id: Option<String>,
    pub name: String,
    pub data: String,
    /// The order of `id`, parsed once.
    order: Option<(u64, u64)>,
    /// Its place among the events the hub sent live (1, 2, ...); 0 for one it did not.
    seq: u64,
    /// The event as an HTTP/1.1 chunk (`{len:x}\r\n{event}\r\n`), made on first use.
    wire: OnceLock<Box<[u8]>>,
}

impl PartialEq for HubEvent {
    fn eq(&self, other: &HubEvent) -> bool {
        (&self.id, &self.name, &self.data) == (&other.id, &other.name, &other.data)
    }
}

impl Eq for HubEvent {}

impl HubEvent {
    pub fn new(id: Option<String>, name: impl Into<String>, data: String) -> HubEvent {
        HubEvent {
            order: id.as_deref().and_then(order_of),
            id,
            name: name.into(),
            data,
            seq: 0,
            wire: OnceLock::new(),
        }
    }

    /// Its place among the events the hub sent live (see [`Subscription::seq`]).
    pub fn seq(&self) -> u64 {
        self.seq
    }

    /// The order of the event's id (see [`order_of`]); `None` for an unnumbered event.
    pub fn order(&self) -> Option<(u64, u64)> {
        self.order
    }

    /// The event's SSE bytes (`event:`, `data:`, `id:` lines and a blank line), exactly as
    /// axum's `sse::Event` writes them.
    pub fn bytes(&self) -> &[u8] {
        let frame = self.frame();
        let head = frame.iter().position(|b| *b == b'\n').map_or(0, |i| i + 1);
        &frame[head..frame.len() - 2]
    }

    /// The same bytes as one HTTP/1.1 chunk, encoded once for every client.
    pub fn frame(&self) -> &[u8] {
        self.wire.get_or_init(|| {
            let mut event = Vec::with_capacity(self.name.len() + self.data.len() + 64);
            super::frame::encode(&mut event, &self.name, &self.data, self.id.as_deref());
            super::frame::chunk(&event).into_boxed_slice()
        })
    }
}

/// The order of an event id: `17` is (17, 0), a stream entry id `1764643200000-3` is
/// (1764643200000, 3). `None` for anything else: such an id was never issued here.
pub fn order_of(id: &str) -> Option<(u64, u64)> {
    let id = id.trim();
    match id.split_once('-') {
        Some((ms, seq)) => Some((ms.parse().ok()?, seq.parse().ok()?)),
        None => Some((id.parse().ok()?, 0)),
    }
}

pub struct Hub {
    tx: broadcast::Sender<Arc<HubEvent>>,
    /// The seq of the newest event sent, for those who write to many clients at once.
    head: watch::Sender<u64>,
    state: Mutex<HubState>,
}

struct HubState {
    next_id: u64,
    /// The seq of the newest event sent live.
    seq: u64,
    /// The order of the newest event sent with an id.
    head: Option<(u64, u64)>,
    replay: VecDeque<Arc<HubEvent>>,
    /// Whether events older than the oldest held were ever dropped from `replay` (or, on
    /// the bus, published before this node started).
    trimmed: bool,
    /// `serve --state FILE`: the events, kept across restarts.
    persist: Option<Persist>,
}

/// What a new subscriber gets: a gap notice when events it asked for are gone, the events
/// it missed, then the live feed.
pub struct Subscription {
    pub gap: Option<Gap>,
    pub missed: Vec<Arc<HubEvent>>,
    pub live: broadcast::Receiver<Arc<HubEvent>>,
    /// The seq of the last event sent before `live` was subscribed: the first one it
    /// receives is `seq + 1`, and so on without a hole.
    pub seq: u64,
}

/// Events a reconnecting client asked for that cannot be replayed: its `Last-Event-ID` is
/// older than the oldest event held, or was never issued here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gap {
    /// The `Last-Event-ID` the client sent, as sent.
    pub last_event_id: String,
    /// The oldest event held (the first one replayed), if any.
    pub oldest: Option<String>,
    /// The newest event issued, if any: where a client that gets nothing else resumes.
    pub head: Option<String>,
}

impl Gap {
    /// The `stream-reset` event: `{"reason":"gap","lastEventId":..,"oldest":..}`. It carries
    /// an `id:` only when no replayed event follows it (the newest id issued, `0` before
    /// the first), so that the client's next `Last-Event-ID` is one this server knows
    /// rather than the lost one again.
    pub fn event(&self, replayed: bool) -> HubEvent {
        let data = StreamReset::gap(self.last_event_id.clone(), self.oldest.clone()).data();
        HubEvent::new(
            (!replayed).then(|| self.head.clone().unwrap_or_else(|| "0".into())),
            STREAM_RESET,
            data,
        )
    }
}

impl Default for Hub {
    fn default() -> Hub {
        Hub::new()
    }
}

impl Hub {
    pub fn new() -> Hub {
        let (tx, _) = broadcast::channel(LAG);
        Hub {
            tx,
            head: watch::Sender::new(0),
            state: Mutex::new(HubState {
                next_id: 1,
                seq: 0,
                head: None,
                replay: VecDeque::with_capacity(REPLAY),
                trimmed: false,
                persist: None,
            }),
        }
    }

    /// A hub for a node without `--state`: its ids start from the clock (microseconds since
    /// the Unix epoch), above any id a previous run of the node could have issued (one
    /// that issued fewer events than microseconds passed between the two starts), so that
    /// an id from before a restart is never taken for one of this run: it is a gap.
    pub fn starting_from_clock() -> Hub {
        let micros = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_micros() as u64)
            .unwrap_or(1);
        Hub::starting_at(micros)
    }

    /// A hub whose first id is `first` (`serve --first-event-id`); every id below it is a
    /// gap (another run's).
    pub fn starting_at(first: u64) -> Hub {
        let hub = Hub::new();
        {
            let mut st = hub.lock();
            st.next_id = first.max(1);
            st.trimmed = first > 1;
        }
        hub
    }

    /// Numbers, remembers and sends one event; returns its id.
    pub fn publish(&self, name: &str, data: String) -> String {
        let mut st = self.lock();
        let id = st.next_id.to_string();
        st.next_id += 1;
        let ev = self.numbered(&mut st, HubEvent::new(Some(id.clone()), name, data));
        st.push(&ev);
        if let Some(mut p) = st.persist.take() {
            p.record(&ev, &st.replay);
            st.persist = Some(p);
        }
        // Sent under the lock so ids reach every receiver in order; no receivers is fine.
        self.send(&st, ev);
        id
    }

    /// Remembers and sends an event that already has its id (a bus entry). Ids must come
    /// in increasing order; an id at or below the newest one sent is ignored (false).
    pub fn publish_with_id(&self, id: &str, name: &str, data: String) -> bool {
        let Some(order) = order_of(id) else { return false };
        let mut st = self.lock();
        if st.head.is_some_and(|h| order <= h) {
            return false;
        }
        let ev = self.numbered(&mut st, HubEvent::new(Some(id.to_string()), name, data));
        st.push(&ev);
        self.send(&st, ev);
        true
    }

    /// Sends an event without an id to the connected clients only (nothing to replay).
    pub fn notify_unnumbered(&self, name: &str, data: String) {
        let mut st = self.lock();
        let ev = self.numbered(&mut st, HubEvent::new(None, name, data));
        self.send(&st, ev);
    }

    /// Marks the buffer as not holding everything before its oldest event (a bus node
    /// joins a stream that already has a history).
    pub fn mark_trimmed(&self) {
        self.lock().trimmed = true;
    }

    /// The stream this node follows was reset under it (on the bus: deleted, replaced, or
    /// Redis came back without it), after `last`: nothing held before is worth replaying,
    /// every id issued before is a gap from now on, and the connected clients are told
    /// with a `stream-reset` (so that they refetch what the lost entries invalidated).
    pub fn reset_stream(&self, last: &str) {
        let mut st = self.lock();
        st.replay.clear();
        st.trimmed = true;
        st.head = None;
        let data = StreamReset::gap(last, None).data();
        let ev = self.numbered(&mut st, HubEvent::new(None, STREAM_RESET, data));
        self.send(&st, ev);
    }

    /// Subscribes; with `last_id` (a `Last-Event-ID`), first returns the held events after
    /// it, and a [`Gap`] when it is older than what is held or was never issued here.
    pub fn subscribe(&self, last_id: Option<&str>) -> Subscription {
        self.subscribe_inner(last_id, false)
    }

    /// Subscribes a client whose `Last-Event-ID` is known to be a gap (the bus said so):
    /// the `stream-reset`, then everything held.
    pub fn subscribe_gap(&self, last_id: &str) -> Subscription {
        self.subscribe_inner(Some(last_id), true)
    }

    fn subscribe_inner(&self, last_id: Option<&str>, force_gap: bool) -> Subscription {
        let st = self.lock();
        let (gap, missed) = match last_id {
            None => (None, Vec::new()),
            Some(sent) => {
                let oldest = st.replay.front().and_then(|e| e.order());
                let head = st.head;
                let gap = force_gap
                    || match (order_of(sent), oldest) {
                        // An id this node never issued (garbage, or newer than its newest).
                        (None, _) => true,
                        (Some(o), _) if head.is_none_or(|h| o > h) && o != (0, 0) => true,
                        // Older than the oldest held, with events dropped in between: a gap
                        // unless it is the very id just before the oldest held.
                        (Some(o), Some(first)) => o < first && st.trimmed && !just_before(o, first),
                        (Some(_), None) => false,
                    };
                let after = order_of(sent).unwrap_or((0, 0));
                let missed: Vec<_> = if gap {
                    st.replay.iter().cloned().collect()
                } else {
                    st.replay
                        .iter()
                        .filter(|e| e.order().is_some_and(|o| o > after))
                        .cloned()
                        .collect()
                };
                let gap = gap.then(|| Gap {
                    last_event_id: sent.to_string(),
                    oldest: st.replay.front().and_then(|e| e.id.clone()),
                    head: st.replay.back().and_then(|e| e.id.clone()),
                });
                (gap, missed)
            }
        };
        Subscription {
            gap,
            missed,
            live: self.tx.subscribe(),
            seq: st.seq,
        }
    }

    /// The seq of the newest event sent live, watched: it changes after every send.
    pub fn head(&self) -> watch::Receiver<u64> {
        self.head.subscribe()
    }

    /// Gives the next event to send its seq (under the lock).
    fn numbered(&self, st: &mut HubState, mut ev: HubEvent) -> Arc<HubEvent> {
        st.seq += 1;
        ev.seq = st.seq;
        Arc::new(ev)
    }

    /// Sends an event numbered by [`Hub::numbered`] (under the lock, so seqs go out in order).
    fn send(&self, st: &HubState, ev: Arc<HubEvent>) {
        let _ = self.tx.send(ev);
        self.head.send_replace(st.seq);
    }

    pub fn clients(&self) -> usize {
        self.tx.receiver_count()
    }

    /// How many events were sent live so far (each once, whatever the clients).
    pub fn sent(&self) -> u64 {
        self.lock().seq
    }

    /// The id of the last event sent with an id, if any.
    pub fn last_id(&self) -> Option<String> {
        self.lock().replay.back().and_then(|e| e.id.clone())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HubState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Whether `a` is the id right before `b` on a single node (17 then 18).
fn just_before(a: (u64, u64), b: (u64, u64)) -> bool {
    a.1 == 0 && b.1 == 0 && a.0.checked_add(1) == Some(b.0)
}

impl HubState {
    fn push(&mut self, ev: &Arc<HubEvent>) {
        if self.replay.len() == REPLAY {
            self.replay.pop_front();
            self.trimmed = true;
        }
        self.head = ev.order().or(self.head);
        self.replay.push_back(ev.clone());
    }
}

impl Hub {
    /// A hub whose events survive a restart: ids continue where they stopped and the
    /// replay buffer is reloaded, so a client reconnecting with `Last-Event-ID` after the
    /// node was killed and started again still gets what it missed. Every event is
    /// appended to `path` (NDJSON) as it is published; the file is compacted to the replay
    /// buffer at startup and whenever it holds twice as many lines.
    ///
    /// A line that is not a saved event (a torn last line: the node was killed mid-write,
    /// perhaps inside a UTF-8 character) is skipped, not fatal; `skipped` gets a warning
    /// for each.
    pub fn with_state(path: &Path, skipped: &mut Vec<String>) -> std::io::Result<Hub> {
        let hub = Hub::new();
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(e),
        };
        let mut st = hub.lock();
        for saved in saved_events(path, &bytes, skipped) {
            st.next_id = st.next_id.max(saved.id.saturating_add(1));
            let ev = Arc::new(HubEvent::new(Some(saved.id.to_string()), saved.name, saved.data));
            st.push(&ev);
        }
        // Events before the first one kept were dropped by an earlier compaction.
        if st.replay.front().is_some_and(|e| e.order() != Some((1, 0))) {
            st.trimmed = true;
        }
        let mut p = Persist {
            path: path.to_path_buf(),
            file: None,
            lines: 0,
        };
        p.rewrite(&st.replay)?;
        st.persist = Some(p);
        drop(st);
        Ok(hub)
    }
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Saved {
    id: u64,
    name: String,
    data: String,
}

struct Persist {
    path: PathBuf,
    file: Option<std::fs::File>,
    lines: usize,
}

impl Persist {
    /// Appends one event (best effort: a full disk must not stop the node from serving).
    fn record(&mut self, ev: &HubEvent, replay: &VecDeque<Arc<HubEvent>>) {
        if self.lines >= 2 * REPLAY {
            let _ = self.rewrite(replay);
            return; // the rewrite already holds `ev`
        }
        if let Some(f) = self.file.as_mut() {
            let _ = writeln!(f, "{}", saved_line(ev));
            self.lines += 1;
        }
    }

    /// Replaces the file with the replay buffer (write to a temp file, then rename).
    fn rewrite(&mut self, replay: &VecDeque<Arc<HubEvent>>) -> std::io::Result<()> {
        let tmp = self.path.with_extension("tmp");
        let mut text = String::new();
        for ev in replay {
            text.push_str(&saved_line(ev));
            text.push('\n');
        }
        std::fs::write(&tmp, text)?;
        std::fs::rename(&tmp, &self.path)?;
        self.file = Some(std::fs::OpenOptions::new().append(true).open(&self.path)?);
        self.lines = replay.len();
        Ok(())
    }
}

/// The events of a state file, skipping (with a warning each) lines that do not parse.
fn saved_events(path: &Path, bytes: &[u8], skipped: &mut Vec<String>) -> Vec<Saved> {
    let mut out = Vec::new();
    for (n, line) in bytes.split(|b| *b == b'\n').enumerate() {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match serde_json::from_slice::<Saved>(line) {
            Ok(s) => out.push(s),
            Err(e) => skipped.push(format!(
                "the state file {} has a damaged line {} ({} bytes; {e}), probably a write cut short by a crash: skipped it",
                path.display(),
                n + 1,
                line.len(),
            )),
        }
    }
    out
}

fn saved_line(ev: &HubEvent) -> String {
    let id = ev.order().map(|(n, _)| n).unwrap_or(0);
    serde_json::to_string(&Saved {
        id,
        name: ev.name.to_string(),
        data: ev.data.to_string(),
    })
    .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(events: &[Arc<HubEvent>]) -> Vec<u64> {
        events.iter().map(|e| e.order().unwrap().0).collect()
    }

    #[test]
    fn replay_holds_more_than_a_reader_may_lag() {
        let hub = Hub::new();
        let n = REPLAY as u64 + 500;
        for i in 0..n {
            hub.publish("app-update", format!("{i}"));
        }
        assert_eq!(hub.last_id().as_deref(), Some(n.to_string().as_str()));
        let s = hub.subscribe(Some(&(n - 10).to_string()));
        assert!(s.gap.is_none());
        assert_eq!(ids(&s.missed), (n - 9..=n).collect::<Vec<_>>());
        // A reader dropped for lagging is at most LAG behind: still replayable, no gap.
        let s = hub.subscribe(Some(&(n - LAG as u64 - 1).to_string()));
        assert!(s.gap.is_none());
        assert_eq!(s.missed.len(), LAG + 1);
        // The id just before the oldest held: nothing lost.
        let s = hub.subscribe(Some("500"));
        assert!(s.gap.is_none());
        assert_eq!(s.missed.len(), REPLAY);
        assert!(hub.subscribe(None).missed.is_empty());
    }

    #[test]
    fn an_id_older_than_the_buffer_or_never_issued_is_a_gap() {
        let hub = Hub::new();
        for i in 0..REPLAY + 10 {
            hub.publish("app-update", format!("{i}"));
        }
        let s = hub.subscribe(Some("3"));
        let gap = s.gap.expect("a gap");
        assert_eq!(gap.last_event_id, "3");
        assert_eq!(gap.oldest.as_deref(), Some("11"));
        assert_eq!(s.missed.len(), REPLAY);
        let ev = gap.event(true);
        assert_eq!(ev.name, STREAM_RESET);
        assert_eq!(ev.id, None);
        let data: serde_json::Value = serde_json::from_str(&ev.data).unwrap();
        assert_eq!(
            data,
            serde_json::json!({"reason": "gap", "lastEventId": "3", "oldest": "11"})
        );
        for never in ["99999", "abc", "1764643200000-0"] {
            let s = hub.subscribe(Some(never));
            assert!(s.gap.is_some(), "{never:?}");
            assert_eq!(s.missed.len(), REPLAY, "{never:?}");
        }
        // A node that holds nothing: the reset carries an id, so the client stops sending
        // the lost one.
        let empty = Hub::new();
        let s = empty.subscribe(Some("42"));
        assert!(s.missed.is_empty());
        assert_eq!(s.gap.unwrap().event(false).id.as_deref(), Some("0"));
        assert!(empty.subscribe(Some("0")).gap.is_none());
    }

    #[test]
    fn bus_ids_are_ordered_and_never_sent_twice() {
        let hub = Hub::new();
        assert!(hub.publish_with_id("1764643200000-0", "app-update", "a".into()));
        assert!(hub.publish_with_id("1764643200000-1", "app-update", "b".into()));
        assert!(!hub.publish_with_id("1764643200000-1", "app-update", "b".into()));
        assert!(!hub.publish_with_id("1764643199999-5", "app-update", "old".into()));
        assert!(hub.publish_with_id("1764643200001-0", "app-update", "c".into()));
        let s = hub.subscribe(Some("1764643200000-0"));
        assert!(s.gap.is_none());
        assert_eq!(s.missed.iter().map(|e| e.data.as_str()).collect::<Vec<_>>(), ["b", "c"]);
        assert_eq!(order_of("17"), Some((17, 0)));
        assert_eq!(order_of("1-x"), None);
    }

    #[test]
    fn state_file_keeps_ids_and_replay_across_restarts() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events.ndjson");
        let hub = Hub::with_state(&path, &mut Vec::new()).unwrap();
        for i in 0..3 {
            hub.publish("app-update", format!("{i}"));
        }
        drop(hub);
        // A torn last line, as after a kill in mid-write.
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .and_then(|mut f| f.write_all(b"{\"id\":4,\"name\":\"caf\xc3"))
            .unwrap();
        let mut skipped = Vec::new();
        let hub = Hub::with_state(&path, &mut skipped).unwrap();
        assert_eq!(skipped.len(), 1, "{skipped:?}");
        assert!(skipped[0].contains("line 4"), "{skipped:?}");
        assert_eq!(hub.last_id().as_deref(), Some("3"));
        let s = hub.subscribe(Some("1"));
        assert!(s.gap.is_none());
        assert_eq!(ids(&s.missed), [2, 3]);
        assert_eq!(hub.publish("app-update", "x".into()), "4");
    }

    #[tokio::test]
    async fn a_lagging_receiver_is_told_so() {
        let hub = Hub::new();
        let mut s = hub.subscribe(None);
        for _ in 0..LAG + 5 {
            hub.publish("app-update", "{}".into());
        }
        assert!(matches!(
            s.live.recv().await,
            Err(broadcast::error::RecvError::Lagged(_))
        ));
    }
}
