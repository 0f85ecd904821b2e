//! `redis watch`: keyspace notifications (`__keyspace@<db>__:{prefix}*`) of every master.

use std::pin::Pin;

use futures::{Stream, StreamExt};
use serde::Serialize;

use super::{OTHER, Store, StoreError, glob_escape, group_of};

/// What a master's `notify-keyspace-events` allows.
#[derive(Debug, Clone, Serialize)]
pub struct NotificationCheck {
    pub node: String,
    /// The current flags; `None` when CONFIG GET is not allowed (managed Redis).
    pub current: Option<String>,
    /// Keyspace events (K) for generic (g), string ($) and expired (x) events, or all (A).
    pub sufficient: bool,
}

/// One keyspace event under the prefix.
#[derive(Debug, Clone, Serialize)]
pub struct KeyEvent {
    pub time: String,
    pub event: String,
    #[serde(rename = "type")]
    pub type_name: String,
    pub key: String,
    /// The key's bytes (a key need not be UTF-8).
    #[serde(skip)]
    pub key_bytes: Vec<u8>,
}

/// The live events, merged from every master.
pub type KeyEvents = Pin<Box<dyn Stream<Item = KeyEvent> + Send>>;

/// Whether `flags` (a `notify-keyspace-events` value) delivers what `watch` shows.
pub fn flags_sufficient(flags: &str) -> bool {
    let has = |c| flags.contains(c);
    has('K') && (has('A') || (has('g') && has('$') && has('x')))
}

/// `flags` with what `watch` needs added, keeping what was there.
pub fn flags_enabled(flags: &str) -> String {
    let mut out = flags.to_string();
    for c in ['K', 'A'] {
        if !out.contains(c) {
            out.push(c);
        }
    }
    out
}

impl Store {
    /// Reads `notify-keyspace-events` on every master.
    pub async fn check_notifications(&self) -> Result<Vec<NotificationCheck>, StoreError> {
        let mut out = Vec::new();
        for node in &self.nodes {
            let mut conn = node.conn.clone();
            let got: Result<Vec<String>, _> = redis::cmd("CONFIG")
                .arg("GET")
                .arg("notify-keyspace-events")
                .query_async(&mut conn)
                .await;
            let current = match got {
                Ok(v) => Some(v.get(1).cloned().unwrap_or_default()),
                Err(e) if e.is_io_error() || e.is_connection_refusal() => return Err(self.err(&e)),
                Err(_) => None,
            };
            out.push(NotificationCheck {
                node: node.addr.clone(),
                sufficient: current.as_deref().is_some_and(flags_sufficient),
                current,
            });
        }
        Ok(out)
    }

    /// Adds `KA` to `notify-keyspace-events` where it is insufficient; returns the
    /// (node, before, after) of each change.
    pub async fn enable_notifications(&self) -> Result<Vec<(String, String, String)>, StoreError> {
        let mut changed = Vec::new();
        for (check, node) in self.check_notifications().await?.into_iter().zip(&self.nodes) {
            if check.sufficient {
                continue;
            }
            let before = check.current.unwrap_or_default();
            let after = flags_enabled(&before);
            let mut conn = node.conn.clone();
            let () = redis::cmd("CONFIG")
                .arg("SET")
                .arg("notify-keyspace-events")
                .arg(&after)
                .query_async(&mut conn)
                .await
                .map_err(|e| self.err(&e))?;
            changed.push((node.addr.clone(), before, after));
        }
        Ok(changed)
    }

    /// Puts back `notify-keyspace-events` as [`enable_notifications`](Self::enable_notifications)
    /// found it: `changed` is what that returned. Best effort per node; returns the nodes
    /// that could not be restored, with the reason.
    pub async fn restore_notifications(&self, changed: &[(String, String, String)]) -> Vec<(String, String)> {
        let mut failed = Vec::new();
        for (addr, before, _) in changed {
            let Some(node) = self.nodes.iter().find(|n| &n.addr == addr) else {
                continue;
            };
            let mut conn = node.conn.clone();
            let set: Result<(), _> = redis::cmd("CONFIG")
                .arg("SET")
                .arg("notify-keyspace-events")
                .arg(before)
                .query_async(&mut conn)
                .await;
            if let Err(e) = set {
                failed.push((addr.clone(), self.err(&e).to_string()));
            }
        }
        failed
    }

    /// The keyspace channel pattern of the cache keys in this database.
    pub fn keyspace_pattern(&self) -> String {
        format!("__keyspace@{}__:{}*", self.link.db, glob_escape(&self.prefix))
    }

    /// Subscribes on every master; the subscription is confirmed when this returns.
    pub async fn subscribe(&self) -> Result<KeyEvents, StoreError> {
        let pattern = self.keyspace_pattern();
        let channel_prefix = format!("__keyspace@{}__:", self.link.db);
        let mut streams = Vec::new();
        for node in &self.nodes {
            let client = node.client.clone();
            let mut pubsub = match tokio::time::timeout(super::CONNECT_TIMEOUT, client.get_async_pubsub()).await {
                Ok(r) => r.map_err(|e| self.err(&e))?,
                Err(_) => {
                    return Err(StoreError::Timeout {
                        url: self.link.url.clone(),
                    });
                }
            };
            pubsub.psubscribe(&pattern).await.map_err(|e| self.err(&e))?;
            streams.push(pubsub.into_on_message());
        }
        let prefix = self.prefix.clone().into_bytes();
        let events = futures::stream::select_all(streams).filter_map(move |msg| {
            let channel: Vec<u8> = msg.get_channel().unwrap_or_default();
            let event: String = msg.get_payload().unwrap_or_default();
            let key_bytes = channel
                .strip_prefix(channel_prefix.as_bytes())
                .unwrap_or(&channel)
                .to_vec();
            let key = crate::escape::key_json(&key_bytes);
            let type_name = group_of(&key_bytes, &prefix).unwrap_or(OTHER).to_string();
            let time = chrono::Local::now().format("%H:%M:%S%.3f").to_string();
            futures::future::ready(Some(KeyEvent {
                time,
                event,
                type_name,
                key,
                key_bytes,
            }))
        });
        Ok(Box::pin(events))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn which_flags_are_enough() {
        assert!(!flags_sufficient(""));
        assert!(!flags_sufficient("Ex"));
        assert!(!flags_sufficient("Kg"));
        assert!(flags_sufficient("KEA"));
        assert!(flags_sufficient("Kg$x"));
        assert_eq!(flags_enabled(""), "KA");
        assert_eq!(flags_enabled("Ex"), "ExKA");
    }
}
