//! The node's cache: in memory, or in Redis with the sandbox's key layout
//! `{CACHE_PREFIX}{type}:{rest}` (PROTOCOL section 7). Values are JSON strings with a TTL.

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use redis::aio::{ConnectionManager, ConnectionManagerConfig};

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
pub enum StoreError {
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
pub enum Store {
    Memory(MemoryStore),
    Redis(RedisStore),
}

pub struct MemoryStore {
    prefix: String,
    entries: Mutex<BTreeMap<String, (String, Instant)>>,
}

pub struct RedisStore {
    prefix: String,
    /// Reconnects by itself (with backoff) when Redis restarts or drops the connection:
    /// a command that finds the connection broken fails, and the next one gets a new one.
    conn: ConnectionManager,
}

/// How the store's connection heals: retries from 100 ms doubling to 2 s, a connect
/// attempt bounded at 3 s and every command at 10 s.
fn manager_config() -> ConnectionManagerConfig {
    ConnectionManagerConfig::new()
        .set_min_delay(Duration::from_millis(100))
        .set_max_delay(Duration::from_secs(2))
        .set_number_of_retries(4)
        .set_connection_timeout(Some(Duration::from_secs(3)))
        .set_response_timeout(Some(Duration::from_secs(10)))
}

impl Store {
    pub fn memory(prefix: &str) -> Store {
        Store::Memory(MemoryStore {
            prefix: prefix.to_string(),
            entries: Mutex::new(BTreeMap::new()),
        })
    }

    /// Connects to Redis; `shown_url` is the URL with its password masked, for errors.
    pub async fn redis(url: &str, shown_url: &str, prefix: &str) -> Result<Store, StoreError> {
        let connect = |e: redis::RedisError| StoreError::Connect {
            url: shown_url.to_string(),
            message: e.to_string(),
        };
        let client = redis::Client::open(url).map_err(connect)?;
        let fut = ConnectionManager::new_with_config(client, manager_config());
        let mut conn = tokio::time::timeout(Duration::from_secs(5), fut)
            .await
            .map_err(|_| StoreError::Connect {
                url: shown_url.to_string(),
                message: "timed out after 5 s".into(),
            })?
            .map_err(connect)?;
        redis::cmd("PING")
            .query_async::<String>(&mut conn)
            .await
            .map_err(connect)?;
        Ok(Store::Redis(RedisStore {
            prefix: prefix.to_string(),
            conn,
        }))
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Store::Memory(_) => "memory",
            Store::Redis(_) => "redis",
        }
    }

    fn prefix(&self) -> &str {
        match self {
            Store::Memory(m) => &m.prefix,
            Store::Redis(r) => &r.prefix,
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
    ) -> Result<String, StoreError> {
        let key = self.key(type_name, rest);
        let text = value.to_string();
        let out_of_range = || StoreError::TtlOutOfRange { secs: ttl.as_secs() };
        if ttl.as_secs() > MAX_TTL_SECS {
            return Err(out_of_range());
        }
        match self {
            Store::Memory(m) => {
                let expires = Instant::now().checked_add(ttl).ok_or_else(out_of_range)?;
                m.map().insert(key.clone(), (text, expires));
            }
            Store::Redis(r) => {
                let mut conn = r.conn.clone();
                redis::cmd("SET")
                    .arg(&key)
                    .arg(text)
                    .arg("EX")
                    .arg(ttl.as_secs().max(1))
                    .query_async::<()>(&mut conn)
                    .await
                    .map_err(cmd_err)?;
            }
        }
        Ok(key)
    }

    /// Deletes every entry of a type; returns how many were removed.
    pub async fn clear_type(&self, type_name: &str) -> Result<u64, StoreError> {
        let start = format!("{}{type_name}:", self.prefix());
        match self {
            Store::Memory(m) => {
                let mut map = m.map();
                let before = map.len();
                map.retain(|k, _| !k.starts_with(&start));
                Ok((before - map.len()) as u64)
            }
            Store::Redis(r) => {
                let mut conn = r.conn.clone();
                let keys = scan(&mut conn, &format!("{}*", glob_escape(&start))).await?;
                let mut removed = 0;
                for chunk in keys.chunks(500) {
                    removed += redis::cmd("UNLINK")
                        .arg(chunk)
                        .query_async::<u64>(&mut conn)
                        .await
                        .map_err(cmd_err)?;
                }
                Ok(removed)
            }
        }
    }

    /// Every live key under the prefix, grouped by type (sorted).
    pub async fn entries(&self) -> Result<BTreeMap<String, Vec<String>>, StoreError> {
        let keys: Vec<Vec<u8>> = match self {
            Store::Memory(m) => {
                let now = Instant::now();
                let mut map = m.map();
                map.retain(|_, (_, exp)| *exp > now);
                map.keys().map(|k| k.clone().into_bytes()).collect()
            }
            Store::Redis(r) => {
                let mut conn = r.conn.clone();
                let mut keys = scan(&mut conn, &format!("{}*", glob_escape(&r.prefix))).await?;
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
    pub async fn probe(&self) -> Result<(), StoreError> {
        match self {
            Store::Memory(m) => {
                drop(m.map());
                Ok(())
            }
            Store::Redis(r) => {
                let mut conn = r.conn.clone();
                let cmd = redis::cmd("PING");
                let ping = cmd.query_async::<String>(&mut conn);
                match tokio::time::timeout(Duration::from_secs(2), ping).await {
                    Ok(r) => r.map(drop).map_err(cmd_err),
                    Err(_) => Err(StoreError::Command("PING got no answer within 2 s".into())),
                }
            }
        }
    }

    /// A few entries for every type of the graph: `{type}:list`, `{type}:id:1`, `{type}:id:2`.
    pub async fn fill_demo(&self, graph: &Graph) -> Result<usize, StoreError> {
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

/// Every key matching `pattern`, as bytes: Redis keys are binary, and one that is not UTF-8
/// must still be found and cleared.
async fn scan(conn: &mut ConnectionManager, pattern: &str) -> Result<Vec<Vec<u8>>, StoreError> {
    let mut cursor: u64 = 0;
    let mut keys = Vec::new();
    loop {
        let (next, batch): (u64, Vec<Vec<u8>>) = redis::cmd("SCAN")
            .arg(cursor)
            .arg("MATCH")
            .arg(pattern)
            .arg("COUNT")
            .arg(1000)
            .query_async(conn)
            .await
            .map_err(cmd_err)?;
        keys.extend(batch);
        if next == 0 {
            break;
        }
        cursor = next;
    }
    keys.sort();
    keys.dedup();
    Ok(keys)
}

fn cmd_err(e: redis::RedisError) -> StoreError {
    StoreError::Command(e.to_string())
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
        let s = Store::memory("cache:");
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
        let s = Store::memory("cache:");
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
        if let Store::Memory(m) = &s {
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                let _held = m.map();
                panic!("a handler panicked while holding the lock");
            }));
            assert!(m.entries.is_poisoned());
        }
        assert_eq!(s.clear_type("posts").await.unwrap(), 1);
        s.probe().await.unwrap();
        if let Store::Memory(m) = &s {
            assert!(!m.entries.is_poisoned());
        }
    }

    #[test]
    fn glob_metacharacters_are_escaped() {
        assert_eq!(glob_escape("c*a[che]:"), "c\\*a\\[che\\]:");
    }
}
