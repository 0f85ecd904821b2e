//! The SSE hub (PROTOCOL section 4): numbered events, a replay buffer for `Last-Event-ID`,
//! and fan-out to many clients through one bounded broadcast ring. A client that falls a
//! whole ring behind is disconnected (it can reconnect with `Last-Event-ID` and replay),
//! so one slow reader never stalls the others nor grows memory.

use std::collections::VecDeque;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use tokio::sync::broadcast;

/// Events kept for `Last-Event-ID` replays.
pub const REPLAY: usize = 1000;

/// Events a client may fall behind before it is dropped.
pub const LAG: usize = 1024;

/// One event, already serialized.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamEvent {
    pub id: u64,
    pub name: String,
    pub data: String,
}

pub struct Hub {
    tx: broadcast::Sender<Arc<StreamEvent>>,
    state: Mutex<HubState>,
}

struct HubState {
    next_id: u64,
    replay: VecDeque<Arc<StreamEvent>>,
    /// `serve --state FILE`: the events, kept across restarts.
    persist: Option<Persist>,
}

/// What a new subscriber gets: the events it missed, then the live feed.
pub struct Subscription {
    pub missed: Vec<Arc<StreamEvent>>,
    pub live: broadcast::Receiver<Arc<StreamEvent>>,
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
            state: Mutex::new(HubState {
                next_id: 1,
                replay: VecDeque::with_capacity(REPLAY),
                persist: None,
            }),
        }
    }

    /// Numbers, remembers and sends one event; returns its id.
    pub fn publish(&self, name: &str, data: String) -> u64 {
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let ev = Arc::new(StreamEvent {
            id: st.next_id,
            name: name.to_string(),
            data,
        });
        st.next_id += 1;
        if st.replay.len() == REPLAY {
            st.replay.pop_front();
        }
        st.replay.push_back(ev.clone());
        if let Some(mut p) = st.persist.take() {
            p.record(&ev, &st.replay);
            st.persist = Some(p);
        }
        // Sent under the lock so ids reach every receiver in order; no receivers is fine.
        let _ = self.tx.send(ev.clone());
        ev.id
    }

    /// Subscribes; with `last_id`, first returns the held events after it.
    pub fn subscribe(&self, last_id: Option<u64>) -> Subscription {
        let st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let missed = match last_id {
            Some(last) => st.replay.iter().filter(|e| e.id > last).cloned().collect(),
            None => Vec::new(),
        };
        Subscription {
            missed,
            live: self.tx.subscribe(),
        }
    }

    pub fn clients(&self) -> usize {
        self.tx.receiver_count()
    }

    /// The id of the last event sent (0 before the first).
    pub fn last_id(&self) -> u64 {
        self.state.lock().map(|s| s.next_id - 1).unwrap_or(0)
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
        let mut st = hub.state.lock().unwrap_or_else(|p| p.into_inner());
        for saved in saved_events(path, &bytes, skipped) {
            if st.replay.len() == REPLAY {
                st.replay.pop_front();
            }
            st.next_id = st.next_id.max(saved.id + 1);
            st.replay.push_back(Arc::new(StreamEvent {
                id: saved.id,
                name: saved.name,
                data: saved.data,
            }));
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
    fn record(&mut self, ev: &StreamEvent, replay: &VecDeque<Arc<StreamEvent>>) {
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
    fn rewrite(&mut self, replay: &VecDeque<Arc<StreamEvent>>) -> std::io::Result<()> {
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

fn saved_line(ev: &StreamEvent) -> String {
    serde_json::json!({"id": ev.id, "name": ev.name, "data": ev.data}).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replay_holds_the_last_thousand() {
        let hub = Hub::new();
        for i in 0..1500 {
            hub.publish("app-update", format!("{i}"));
        }
        assert_eq!(hub.last_id(), 1500);
        let s = hub.subscribe(Some(1490));
        assert_eq!(
            s.missed.iter().map(|e| e.id).collect::<Vec<_>>(),
            (1491..=1500).collect::<Vec<_>>()
        );
        let s = hub.subscribe(Some(0));
        assert_eq!(s.missed.len(), REPLAY);
        assert_eq!(s.missed[0].id, 501);
        assert!(hub.subscribe(None).missed.is_empty());
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
        assert_eq!(hub.last_id(), 3);
        assert_eq!(
            hub.subscribe(Some(1)).missed.iter().map(|e| e.id).collect::<Vec<_>>(),
            [2, 3]
        );
        assert_eq!(hub.publish("app-update", "x".into()), 4);
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
