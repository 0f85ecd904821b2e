//! The mirror broadcasts in flight, so that shutdown can wait for them for a bounded grace
//! period and then name, in the log, every mirror whose invalidation it abandons.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// The registry: one entry per running broadcast, listing the mirrors not yet answered.
#[derive(Debug, Default)]
pub(crate) struct Broadcasts {
    next: AtomicU64,
    running: Mutex<BTreeMap<u64, Running>>,
}

#[derive(Debug, Clone)]
struct Running {
    type_name: String,
    started: Instant,
    pending: Vec<String>,
}

/// One mirror invalidation given up at shutdown.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Abandoned {
    pub type_name: String,
    pub target: String,
    pub running_for: Duration,
}

/// A running broadcast; it leaves the registry when dropped (finished, or its task ended).
pub(crate) struct Ticket {
    id: u64,
    registry: Arc<Broadcasts>,
}

impl Broadcasts {
    fn lock(&self) -> MutexGuard<'_, BTreeMap<u64, Running>> {
        self.running.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Registers a broadcast of `type_name` to `targets` (their display names).
    pub(crate) fn start(self: &Arc<Self>, type_name: &str, targets: Vec<String>) -> Ticket {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let running = Running {
            type_name: type_name.to_string(),
            started: Instant::now(),
            pending: targets,
        };
        self.lock().insert(id, running);
        Ticket {
            id,
            registry: self.clone(),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.lock().len()
    }

    /// Waits until every broadcast has finished or `grace` has passed; returns the mirror
    /// invalidations still unanswered then (empty when everything finished).
    pub(crate) async fn drain(&self, grace: Duration) -> Vec<Abandoned> {
        let deadline = Instant::now() + grace;
        while self.len() > 0 && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let running = self.lock();
        running
            .values()
            .flat_map(|r| {
                r.pending.iter().map(|t| Abandoned {
                    type_name: r.type_name.clone(),
                    target: t.clone(),
                    running_for: r.started.elapsed(),
                })
            })
            .collect()
    }
}

impl Ticket {
    /// `target` has answered (or failed): it is no longer pending.
    pub(crate) fn done(&self, target: &str) {
        if let Some(r) = self.registry.lock().get_mut(&self.id)
            && let Some(i) = r.pending.iter().position(|t| t == target)
        {
            r.pending.remove(i);
        }
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        self.registry.lock().remove(&self.id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn unanswered_mirrors_are_named_after_the_grace_period() {
        let reg = Arc::new(Broadcasts::default());
        let finished = reg.start("posts", vec!["http://a".into()]);
        let stuck = reg.start("pages", vec!["http://b".into(), "http://c".into()]);
        finished.done("http://a");
        drop(finished);
        stuck.done("http://b");
        let left = reg.drain(Duration::from_millis(50)).await;
        assert_eq!(left.len(), 1);
        assert_eq!(
            (left[0].type_name.as_str(), left[0].target.as_str()),
            ("pages", "http://c")
        );
        drop(stuck);
        assert!(reg.drain(Duration::from_secs(5)).await.is_empty());
    }
}
