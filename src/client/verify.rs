//! `invalidate --verify`: watch every target's stream while invalidating, and tell for each
//! (target, type) whether and when the target announced the change to its visitors.
//!
//! A server can accept an invalidation (200) and still fail to notify its SSE clients;
//! browsers then keep stale pages. Watching the same stream the browsers watch is the
//! only way to see that, so the subscription is opened (and confirmed open) before
//! anything is sent, and sightings are recorded as they arrive, even before the HTTP
//! answer comes back.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::Notify;

use super::stream::{FollowOptions, Notice, follow_all};
use super::target::Target;
use crate::protocol::APP_UPDATE;

/// Maps a type name as streamed (`post`) to the name it is compared by (`posts`); `None`
/// for names that match nothing.
pub type Canonicalize = Arc<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// The first `app-update` of a type seen on a target's stream.
#[derive(Debug, Clone, PartialEq)]
pub struct Sighting {
    pub at: Instant,
    /// The SSE id of the event.
    pub event_id: Option<String>,
}

#[derive(Default)]
struct Seen {
    /// (target index, canonical type) -> first sighting.
    sightings: HashMap<(usize, String), Sighting>,
    /// Target index -> why its stream is unavailable (cleared when it comes back).
    down: HashMap<usize, String>,
}

/// Live subscriptions to a set of targets' streams. Dropping it closes them.
pub struct Watch {
    seen: Arc<Mutex<Seen>>,
    changed: Arc<Notify>,
    collector: tokio::task::JoinHandle<()>,
}

impl Watch {
    /// Subscribes to every target and returns once each stream is open or has failed, or
    /// `ready_timeout` has passed (a target still connecting then counts as down).
    pub async fn start(
        http: &reqwest::Client,
        targets: &[Arc<Target>],
        path: &str,
        ready_timeout: Duration,
        canonicalize: Canonicalize,
    ) -> Watch {
        let opts = FollowOptions {
            path: path.to_string(),
            ..FollowOptions::default()
        };
        let mut rx = follow_all(http, targets, &opts);
        let index = |t: &Arc<Target>| targets.iter().position(|x| Arc::ptr_eq(x, t));
        let mut seen = Seen::default();
        let mut pending: Vec<bool> = vec![true; targets.len()];
        let deadline = tokio::time::Instant::now() + ready_timeout;
        while pending.iter().any(|p| *p) {
            let notice = match tokio::time::timeout_at(deadline, rx.recv()).await {
                Ok(Some(n)) => n,
                Ok(None) | Err(_) => break,
            };
            let Some(i) = index(notice.target()) else { continue };
            match notice {
                Notice::Connected { .. } => pending[i] = false,
                Notice::Failed { reason, .. } => {
                    pending[i] = false;
                    seen.down.insert(i, reason);
                }
                _ => {}
            }
        }
        for (i, p) in pending.iter().enumerate() {
            if *p {
                seen.down.insert(i, "the stream did not open in time".to_string());
            }
        }
        let seen = Arc::new(Mutex::new(seen));
        let changed = Arc::new(Notify::new());
        let targets: Vec<Arc<Target>> = targets.to_vec();
        let collector = {
            let seen = Arc::clone(&seen);
            let changed = Arc::clone(&changed);
            tokio::spawn(async move {
                while let Some(notice) = rx.recv().await {
                    let Some(i) = targets.iter().position(|x| Arc::ptr_eq(x, notice.target())) else {
                        continue;
                    };
                    let mut s = seen.lock().unwrap_or_else(|p| p.into_inner());
                    match notice {
                        Notice::Event(ev) if ev.event == APP_UPDATE => {
                            let Some(kind) = ev.update.as_ref().and_then(|u| canonicalize(&u.kind)) else {
                                continue;
                            };
                            s.sightings.entry((i, kind)).or_insert(Sighting {
                                at: ev.received_at,
                                event_id: ev.id,
                            });
                        }
                        Notice::Connected { .. } => {
                            s.down.remove(&i);
                        }
                        Notice::Failed { reason, .. } => {
                            s.down.insert(i, reason);
                        }
                        _ => continue,
                    }
                    drop(s);
                    changed.notify_waiters();
                }
            })
        };
        Watch {
            seen,
            changed,
            collector,
        }
    }

    /// Why target `i`'s stream is unavailable, if it is.
    pub fn down(&self, i: usize) -> Option<String> {
        self.lock().down.get(&i).cloned()
    }

    /// Waits until target `i` streamed an `app-update` of `kind` (canonical), or `deadline`.
    pub async fn wait_for(&self, i: usize, kind: &str, deadline: Instant) -> Option<Sighting> {
        let key = (i, kind.to_string());
        loop {
            // Register interest before looking, so a sighting between the look and the
            // wait is not missed.
            let notified = self.changed.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if let Some(s) = self.lock().sightings.get(&key) {
                return Some(s.clone());
            }
            let now = Instant::now();
            if now >= deadline {
                return None;
            }
            let _ = tokio::time::timeout(deadline - now, notified).await;
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Seen> {
        self.seen.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        self.collector.abort();
    }
}
