//! The node's cache: in memory, or in Redis with the sandbox's key layout
//! `{CACHE_PREFIX}{type}:{rest}` (PROTOCOL section 7). Values are JSON strings with a TTL.

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::store::link::{Conn, Link};

use crate::graph::Graph;

/// The group of keys that do not follow the layout (one definition, shared with `redis stats`).
pub use crate::store::OTHER;
use crate::store::{glob_escape, group_name};

/// TTL of the entries `--demo-data` creates.
pub const DEMO_TTL: Duration = Duration::from_secs(24 * 3600);

/// Longest TTL an entry may have (ten years): every store can represent it, where
/// `u64::MAX` seconds overflows an `Instant` and Redis refuses it as "invalid expire time".
pub const MAX_TTL_SECS: u64 = 10 * 365 * 24 * 3600;

#[derive(Debug, thiserror::Error)]
pub enum CacheStoreError {
    #[error("cannot connect to Redis at {url}: {message}")]
    Connect { url: String, message: String },
    #[error("Redis command failed: {0}")]
    Command(String),
    #[error("a TTL of {secs} s is out of range: use 1 to {MAX_TTL_SECS} seconds")]
    TtlOutOfRange { secs: u64 },
}

/// The value of a demo entry: `{"demo": true, "type": "posts", "key": "list"}`.
#[derive(serde::Serialize)]
struct DemoValue<'a> {
    demo: bool,
    #[serde(rename = "type")]
    kind: &'a str,
    key: &'a str,
}

/// Where the cache lives.
pub enum CacheStore {
    Memory(MemoryStore),
    Redis(Box<RedisStore>),
}

pub struct MemoryStore {
    prefix: String,
    entries: Mutex<BTreeMap<String, (String, Instant)>>,
}

pub struct RedisStore {
    prefix: String,
    /// The one way to Redis ([`crate::store::link`]): a single server or a cluster, whose
    /// masters a SCAN visits one by one.
    link: Link,
    /// Heals by itself when Redis restarts or drops it: a command that finds it broken
    /// fails, and the next one gets a new one (a cluster connection follows its slots).
    conn: Conn,
}

impl CacheStore {
    pub fn memory(prefix: &str) -> CacheStore {
        CacheStore::Memory(MemoryStore {
            prefix: prefix.to_string(),
            entries: Mutex::new(BTreeMap::new()),
        })
    }

    /// Connects to Redis (a server or a cluster); `shown_url` is the URL with its password
    /// masked, for errors.
    pub async fn redis(url: &str, shown_url: &str, prefix: &str) -> Result<CacheStore, CacheStoreError> {
        let connect = |e: crate::store::StoreError| CacheStoreError::Connect {
            url: shown_url.to_string(),
            message: e.detail(),
        };
        let link = Link::open(url).await.map_err(connect)?;
        let mut conn = link.healing().await.map_err(connect)?;
        conn.query::<String>(&redis::cmd("PING"))
            .await
            .map_err(|e| connect(link.err(&e)))?;
        Ok(CacheStore::Redis(Box::new(RedisStore {
            prefix: prefix.to_string(),
            link,
            conn,
        })))
    }

    pub fn kind(&self) -> &'static str {
        match self {
            CacheStore::Memory(_) => "memory",
            CacheStore::Redis(_) => "redis",
        }
    }

    fn prefix(&self) -> &str {
        match self {
            CacheStore::Memory(m) => &m.prefix,
            CacheStore::Redis(r) => &r.prefix,
        }
    }

    /// The full key of an entry.
    pub fn key(&self, type_name: &str, rest: &str) -> String {
        format!("{}{type_name}:{rest}", self.prefix())
    }

    /// Stores `value` (serialized as a JSON string) under `{prefix}{type}:{rest}`.
    pub async fn put(
        &self,
        type_name: &str,
        rest: &str,
        value: &serde_json::Value,
        ttl: Duration,
    ) -> Result<String, CacheStoreError> {
        let key = self.key(type_name, rest);
        let text = value.to_string();
        let out_of_range = || CacheStoreError::TtlOutOfRange { secs: ttl.as_secs() };
        if ttl.as_secs() > MAX_TTL_SECS {
            return Err(out_of_range());
        }
        match self {
            CacheStore::Memory(m) => {
                let expires = Instant::now().checked_add(ttl).ok_or_else(out_of_range)?;
                m.map().insert(key.clone(), (text, expires));
            }
            CacheStore::Redis(r) => {
                let mut conn = r.conn.clone();
                conn.query::<()>(
                    redis::cmd("SET")
                        .arg(&key)
                        .arg(text)
                        .arg("EX")
                        .arg(ttl.as_secs().max(1)),
                )
                .await
                .map_err(cmd_err)?;
            }
        }
        Ok(key)
    }

    /// Deletes every entry of a type; returns how many were removed.
    pub async fn clear_type(&self, type_name: &str) -> Result<u64, CacheStoreError> {
        let start = format!("{}{type_name}:", self.prefix());
        match self {
            CacheStore::Memory(m) => {
                let mut map = m.map();
                let before = map.len();
                map.retain(|k, _| !k.starts_with(&start));
                Ok((before - map.len()) as u64)
            }
            CacheStore::Redis(r) => {
                let mut conn = r.conn.clone();
                let keys = scan(&mut conn, &r.link.masters, &format!("{}*", glob_escape(&start))).await?;
                let mut removed = 0;
                // On a cluster, redis-rs splits a multi-key UNLINK by slot and sums the counts.
                for chunk in keys.chunks(500) {
                    removed += conn
                        .query::<u64>(redis::cmd("UNLINK").arg(chunk))
                        .await
                        .map_err(cmd_err)?;
                }
                Ok(removed)
            }
        }
    }

    /// Every live key under the prefix, grouped by type (sorted).
    pub async fn entries(&self) -> Result<BTreeMap<String, Vec<String>>, CacheStoreError> {
        let keys: Vec<Vec<u8>> = match self {
            CacheStore::Memory(m) => {
                let now = Instant::now();
                let mut map = m.map();
                map.retain(|_, (_, exp)| *exp > now);
                map.keys().map(|k| k.clone().into_bytes()).collect()
            }
            CacheStore::Redis(r) => {
                let mut conn = r.conn.clone();
                let mut keys = scan(&mut conn, &r.link.masters, &format!("{}*", glob_escape(&r.prefix))).await?;
                keys.sort();
                keys
            }
        };
        let prefix = self.prefix();
        let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for k in keys {
            // A key that is not UTF-8 is shown escaped, as `redis keys` shows it.
            out.entry(group_name(&k, prefix.as_bytes()))
                .or_default()
                .push(crate::escape::key_json(&k));
        }
        Ok(out)
    }

    /// Checks that the store answers (for `/api/health`): Redis must answer PING within 2 s.
    pub async fn probe(&self) -> Result<(), CacheStoreError> {
        match self {
            CacheStore::Memory(m) => {
                drop(m.map());
                Ok(())
            }
            CacheStore::Redis(r) => {
                let mut conn = r.conn.clone();
                let cmd = redis::cmd("PING");
                let ping = conn.query::<String>(&cmd);
                match tokio::time::timeout(Duration::from_secs(2), ping).await {
                    Ok(r) => r.map(drop).map_err(cmd_err),
                    Err(_) => Err(CacheStoreError::Command("PING got no answer within 2 s".into())),
                }
            }
        }
    }

    /// A few entries for every type of the graph: `{type}:list`, `{type}:id:1`, `{type}:id:2`.
    pub async fn fill_demo(&self, graph: &Graph) -> Result<usize, CacheStoreError> {
        let mut n = 0;
        for t in graph.types() {
            for rest in ["list", "id:1", "id:2"] {
                let value = serde_json::to_value(DemoValue {
                    demo: true,
                    kind: t,
                    key: rest,
                })
                .unwrap_or_default();
                self.put(t, rest, &value, DEMO_TTL).await?;
                n += 1;
            }
        }
        Ok(n)
    }
}

/// Every key matching `pattern` on every master, as bytes: Redis keys are binary, and one
/// that is not UTF-8 must still be found and cleared.
async fn scan(conn: &mut Conn, masters: &[String], pattern: &str) -> Result<Vec<Vec<u8>>, CacheStoreError> {
    let mut keys = Vec::new();
    for master in masters {
        let mut cursor: u64 = 0;
        loop {
            let mut cmd = redis::cmd("SCAN");
            cmd.arg(cursor).arg("MATCH").arg(pattern).arg("COUNT").arg(1000);
            let (next, batch): (u64, Vec<Vec<u8>>) = conn.on_master(master, cmd).await.map_err(cmd_err)?;
            keys.extend(batch);
            if next == 0 {
                break;
            }
            cursor = next;
        }
    }
    keys.sort();
    keys.dedup();
    Ok(keys)
}

fn cmd_err(e: redis::RedisError) -> CacheStoreError {
    CacheStoreError::Command(e.to_string())
}

impl MemoryStore {
    /// The entries. A panic elsewhere while the lock was held cannot leave the store
    /// unusable: every change to the map is a single call that leaves it consistent, so a
    /// poisoned lock is recovered (and cleared) rather than failing every later request.
    fn map(&self) -> MutexGuard<'_, BTreeMap<String, (String, Instant)>> {
        self.entries.lock().unwrap_or_else(|poisoned| {
            self.entries.clear_poison();
            poisoned.into_inner()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn memory_store_groups_and_clears_by_type() {
        let s = CacheStore::memory("cache:");
        s.fill_demo(&Graph::built_in()).await.unwrap();
        let e = s.entries().await.unwrap();
        assert_eq!(e["posts"], ["cache:posts:id:1", "cache:posts:id:2", "cache:posts:list"]);
        assert_eq!(s.clear_type("posts").await.unwrap(), 3);
        let e = s.entries().await.unwrap();
        assert!(!e.contains_key("posts"));
        assert!(e.contains_key("pages"));
    }

    #[tokio::test]
    async fn out_of_range_ttl_is_refused_and_a_poisoned_lock_is_recovered() {
        let s = CacheStore::memory("cache:");
        let v = serde_json::json!({});
        let e = s
            .put("posts", "x", &v, Duration::from_secs(u64::MAX))
            .await
            .unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("TTL") && msg.contains("1 to 315360000"), "{msg}");
        assert!(!msg.contains("Redis"), "the memory store is not Redis: {msg}");
        s.put("posts", "x", &v, Duration::from_secs(MAX_TTL_SECS))
            .await
            .unwrap();
        if let CacheStore::Memory(m) = &s {
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                let _held = m.map();
                panic!("a handler panicked while holding the lock");
            }));
            assert!(m.entries.is_poisoned());
        }
        assert_eq!(s.clear_type("posts").await.unwrap(), 1);
        s.probe().await.unwrap();
        if let CacheStore::Memory(m) = &s {
            assert!(!m.entries.is_poisoned());
        }
    }

    #[test]
    fn glob_metacharacters_are_escaped() {
        assert_eq!(glob_escape("c*a[che]:"), "c\\*a\\[che\\]:");
    }
}
