//! The SSE hub (PROTOCOL section 4): numbered events, a replay buffer for `Last-Event-ID`,
//! and fan-out to many clients through one bounded broadcast ring. A client that falls a
//! whole ring behind is disconnected (it can reconnect with `Last-Event-ID` and replay),
//! so one slow reader never stalls the others nor grows memory.

use std::collections::VecDeque;
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
