//! The invalidation bus (PROTOCOL section 8): several instances of one deployment share
//! invalidations through one Redis Stream, `{CACHE_PREFIX}bus`.
//!
//! This module is the layout and the Redis calls, shared by the node (`serve --bus redis`,
//! which appends and reads), `tail --bus` (which reads), `doctor` (which measures) and
//! `redis stats` (which tells the bus keys apart from the cache's). It works against a
//! standalone Redis and a Redis Cluster alike: the stream is one key, so one hash slot, and
//! every call names that one key (or the node table beside it).
//!
//! Beside the stream, each node keeps one field of the hash `{CACHE_PREFIX}bus:nodes`
//! up to date (its last-read entry id and the time it was seen), so that `doctor` can show
//! which nodes are alive and how far behind the stream's head each one is.

use std::time::Duration;

use redis::streams::{StreamId, StreamRangeReply, StreamReadReply};
use redis::{FromRedisValue, RedisError, Value};
use serde::{Deserialize, Serialize};

use crate::config::redact_url_password;
use crate::protocol::{ACTION_UPDATE, AppUpdate, BUS_KEY, MAX_ID_BYTES, MAX_TYPE_BYTES, bus_field};
use crate::store::StoreError;
use crate::store::link::Link;

/// Entries kept in the stream (`XADD ... MAXLEN ~ N`) unless told otherwise.
pub const DEFAULT_MAXLEN: u64 = 10_000;

/// A node that has not written its heartbeat for this long is not counted as alive.
pub const ALIVE: Duration = Duration::from_secs(60);

/// How often a node writes its heartbeat.
pub const HEARTBEAT: Duration = Duration::from_secs(5);

/// The stream's key: `{CACHE_PREFIX}bus`.
pub fn stream_key(prefix: &str) -> String {
    format!("{prefix}{BUS_KEY}")
}

/// The node table's key: `{CACHE_PREFIX}bus:nodes`.
pub fn nodes_key(prefix: &str) -> String {
    format!("{prefix}{BUS_KEY}:nodes")
}

/// Whether a key is one of the bus's own (not a cache entry).
pub fn is_bus_key(key: &[u8], prefix: &str) -> bool {
    key == stream_key(prefix).as_bytes() || key == nodes_key(prefix).as_bytes()
}

#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum BusError {
    #[error("REDIS_URL `{url}` is not a valid Redis URL: {reason}")]
    BadUrl { url: String, reason: String },
    #[error("the bus at {url} is unreachable: {detail}")]
    Redis { url: String, detail: String },
}

/// One invalidation on the bus (the fields of PROTOCOL section 8, plus the entry id).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    /// The stream entry id (`1764643200000-0`); empty before the entry is appended.
    pub event_id: String,
    pub node: String,
    #[serde(rename = "type")]
    pub type_name: String,
    /// The entity id: a string, a number or null.
    pub id: serde_json::Value,
    pub action: String,
    /// The cascade, in clearing order.
    pub cleared: Vec<String>,
    /// Epoch milliseconds when the publishing node appended it.
    pub time: i64,
}

impl Entry {
    /// The SSE `data` of the entry's `app-update` (PROTOCOL section 4).
    pub fn sse_data(&self) -> String {
        AppUpdate {
            kind: self.type_name.clone(),
            id: self.id.clone(),
            action: Some(self.action.clone()),
        }
        .data()
    }

    /// Reads a stream entry, or says why it is not a bus entry another writer could have
    /// meant (PROTOCOL section 8): `type` is required; `node`, `id`, `action`, `cleared` and
    /// `time` may be missing (defaults) but not malformed; every field is UTF-8 and within
    /// [`MAX_FIELD_BYTES`], names within [`MAX_NAME_BYTES`], `cleared` within
    /// [`MAX_CLEARED`] names. Readers skip what this refuses and move past it.
    pub fn from_stream(s: &StreamId) -> Result<Entry, String> {
        let text = |k: &str| -> Result<Option<String>, String> {
            let raw = match s.map.get(k) {
                None => return Ok(None),
                Some(Value::BulkString(b)) => b.clone(),
                Some(Value::SimpleString(t)) => t.clone().into_bytes(),
                Some(Value::Int(n)) => n.to_string().into_bytes(),
                Some(_) => return Err(format!("`{k}` is not a string")),
            };
            if raw.len() > MAX_FIELD_BYTES {
                return Err(format!(
                    "`{k}` is {} bytes, over the {MAX_FIELD_BYTES}-byte limit",
                    raw.len()
                ));
            }
            String::from_utf8(raw)
                .map(Some)
                .map_err(|_| format!("`{k}` is not UTF-8"))
        };
        let type_name = text(bus_field::TYPE)?.ok_or("no `type` field")?;
        check_name("type", &type_name)?;
        let cleared = match text(bus_field::CLEARED)? {
            None => vec![type_name.clone()],
            Some(c) => {
                let names: Vec<String> =
                    serde_json::from_str(&c).map_err(|_| "`cleared` is not a JSON array of names".to_string())?;
                if names.len() > MAX_CLEARED {
                    return Err(format!(
                        "`cleared` names {} types, over the limit of {MAX_CLEARED}",
                        names.len()
                    ));
                }
                for n in &names {
                    check_name("cleared", n)?;
                }
                // Each type is cleared once, in the order first named.
                let mut seen = std::collections::HashSet::new();
                names.into_iter().filter(|n| seen.insert(n.clone())).collect()
            }
        };
        let id = match text(bus_field::ID)? {
            None => serde_json::Value::Null,
            Some(v) => match serde_json::from_str(&v) {
                Ok(serde_json::Value::String(s)) if s.len() > MAX_ID_BYTES => {
                    return Err(format!("`id` is over {MAX_ID_BYTES} bytes"));
                }
                Ok(v @ (serde_json::Value::Null | serde_json::Value::String(_) | serde_json::Value::Number(_))) => v,
                _ => return Err("`id` is not a JSON string, number or null".into()),
            },
        };
        let action = text(bus_field::ACTION)?.unwrap_or_else(|| ACTION_UPDATE.into());
        if !ACTIONS.contains(&action.as_str()) {
            return Err(format!("`action` is not one of {}", ACTIONS.join(", ")));
        }
        let node = text(bus_field::NODE)?.unwrap_or_default();
        if node.len() > MAX_NAME_BYTES || node.chars().any(char::is_control) {
            return Err("`node` is too long or holds control characters".into());
        }
        let time = match text(bus_field::TIME)? {
            None => 0,
            Some(t) => t.trim().parse().map_err(|_| "`time` is not a number".to_string())?,
        };
        Ok(Entry {
            event_id: s.id.clone(),
            node,
            type_name,
            id,
            action,
            cleared,
            time,
        })
    }
}

/// The largest field a bus entry may have; larger entries are skipped.
pub const MAX_FIELD_BYTES: usize = 64 * 1024;
/// The longest type or node name on the bus (the same as an invalidation request's).
pub const MAX_NAME_BYTES: usize = MAX_TYPE_BYTES;
/// The most types one entry's `cleared` may name.
pub const MAX_CLEARED: usize = 1024;
/// The actions an entry may carry.
const ACTIONS: [&str; 3] = ["create", "update", "delete"];

/// A type name from the bus: non-empty, short, no whitespace or control characters.
fn check_name(field: &str, n: &str) -> Result<(), String> {
    if n.is_empty() || n.len() > MAX_NAME_BYTES || n.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!(
            "`{field}` holds a name that is empty, over {MAX_NAME_BYTES} bytes or has spaces or control characters"
        ));
    }
    Ok(())
}

/// What one read of the stream found: the valid entries, the ones skipped (id and why),
/// and the id of the last entry read, valid or not, so the reader moves past both.
#[derive(Debug, Clone, Default)]
pub struct Batch {
    pub entries: Vec<Entry>,
    pub skipped: Vec<(String, String)>,
    pub last: Option<String>,
}

impl Batch {
    fn of<'a>(ids: impl Iterator<Item = &'a StreamId>) -> Batch {
        let mut b = Batch::default();
        for s in ids {
            b.last = Some(s.id.clone());
            match Entry::from_stream(s) {
                Ok(e) => b.entries.push(e),
                Err(why) => b.skipped.push((s.id.clone(), why)),
            }
        }
        b
    }
}

/// What a node writes in the node table (`{CACHE_PREFIX}bus:nodes`, one field per node).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeStatus {
    pub node: String,
    /// The last entry id the node has read and applied.
    pub last_id: String,
    /// Epoch milliseconds of the heartbeat.
    pub seen: i64,
    /// SSE clients connected to it.
    #[serde(default)]
    pub clients: u64,
}

/// The stream's facts (`XINFO STREAM`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StreamInfo {
    pub length: u64,
    pub first_id: Option<String>,
    pub last_generated_id: String,
    pub entries_added: u64,
}

impl StreamInfo {
    /// Whether an entry after `id` is no longer in the stream (trimmed), or `id` was never
    /// issued by it (newer than its newest, or older than its oldest while nothing was ever
    /// trimmed: another stream's): a reader resuming after `id` has a gap.
    pub fn gap_after(&self, id: &str) -> bool {
        let Some(o) = order(id) else { return true };
        if order(&self.last_generated_id).is_some_and(|head| o > head) {
            return true;
        }
        match self.first_id.as_deref().and_then(order) {
            // Before the oldest entry: trimmed since, or (nothing ever trimmed) never in
            // this stream at all: another stream's, before Redis restarted empty.
            Some(first) => o < first && o != (0, 0),
            // Empty stream: everything ever added was trimmed (or deleted).
            None => self.entries_added > 0 && order(&self.last_generated_id).is_some_and(|head| o < head),
        }
    }
}

/// `ms-seq` as a pair; plain numbers as (n, 0).
pub fn order(id: &str) -> Option<(u64, u64)> {
    match id.trim().split_once('-') {
        Some((ms, seq)) => Some((ms.parse().ok()?, seq.parse().ok()?)),
        None => Some((id.trim().parse().ok()?, 0)),
    }
}

/// One connection to the bus's Redis (a server, or a cluster routed by key): the one kind
/// of [`crate::store::link`].
pub use crate::store::link::Conn;

/// The bus's Redis and key names; [`Bus::connect_conn`] opens connections to it.
#[derive(Clone)]
pub struct Bus {
    link: Link,
    /// REDIS_URL with its password masked.
    pub url: String,
    pub key: String,
    pub nodes_key: String,
    pub maxlen: u64,
}

impl Bus {
    /// Checks the URL and finds out whether it names a cluster (one short connection).
    pub async fn open(url: &str, prefix: &str, maxlen: u64) -> Result<Bus, BusError> {
        let link = Link::open(url).await.map_err(|e| match e {
            StoreError::BadUrl { url, reason } => BusError::BadUrl { url, reason },
            other => BusError::Redis {
                url: redact_url_password(url),
                detail: other.detail(),
            },
        })?;
        Ok(Bus {
            url: link.url.clone(),
            link,
            key: stream_key(prefix),
            nodes_key: nodes_key(prefix),
            maxlen,
        })
    }

    pub fn is_cluster(&self) -> bool {
        self.link.is_cluster()
    }

    /// A new connection. Blocking reads need one of their own: `response_timeout` must
    /// exceed their BLOCK time.
    pub async fn connect_conn(&self, response_timeout: Duration) -> Result<Conn, BusError> {
        self.link.connect(response_timeout).await.map_err(|e| BusError::Redis {
            url: self.url.clone(),
            detail: e.detail(),
        })
    }

    /// The error for a Redis failure, with any echoed password masked.
    pub fn err(&self, e: &RedisError) -> BusError {
        BusError::Redis {
            url: self.url.clone(),
            detail: self.link.detail(e),
        }
    }

    /// Appends an entry (`XADD key MAXLEN ~ N * field value ...`); returns its id.
    pub async fn append(&self, conn: &mut Conn, e: &Entry) -> Result<String, BusError> {
        let mut cmd = redis::cmd("XADD");
        cmd.arg(&self.key)
            .arg("MAXLEN")
            .arg("~")
            .arg(self.maxlen)
            .arg("*")
            .arg(bus_field::NODE)
            .arg(&e.node)
            .arg(bus_field::TYPE)
            .arg(&e.type_name)
            .arg(bus_field::ID)
            .arg(e.id.to_string())
            .arg(bus_field::ACTION)
            .arg(&e.action)
            .arg(bus_field::CLEARED)
            .arg(serde_json::to_string(&e.cleared).unwrap_or_else(|_| "[]".into()))
            .arg(bus_field::TIME)
            .arg(e.time);
        conn.query(&cmd).await.map_err(|err| self.err(&err))
    }

    /// Entries after `after`, waiting up to `block` for the first (`XREAD BLOCK`).
    pub async fn read(&self, conn: &mut Conn, after: &str, block: Duration, count: usize) -> Result<Batch, BusError> {
        let mut cmd = redis::cmd("XREAD");
        cmd.arg("COUNT")
            .arg(count)
            .arg("BLOCK")
            .arg(block.as_millis() as u64)
            .arg("STREAMS")
            .arg(&self.key)
            .arg(after);
        let reply: Option<StreamReadReply> = conn.query(&cmd).await.map_err(|e| self.err(&e))?;
        Ok(reply
            .map(|r| Batch::of(r.keys.iter().flat_map(|k| k.ids.iter())))
            .unwrap_or_default())
    }

    /// Up to `count` entries after `after` (exclusive), oldest first (`XRANGE`).
    pub async fn range_after(&self, conn: &mut Conn, after: &str, count: usize) -> Result<Batch, BusError> {
        let start = if after == "0" || after == "0-0" {
            "-".to_string()
        } else {
            format!("({after}")
        };
        let mut cmd = redis::cmd("XRANGE");
        cmd.arg(&self.key).arg(start).arg("+").arg("COUNT").arg(count);
        let reply: StreamRangeReply = conn.query(&cmd).await.map_err(|e| self.err(&e))?;
        Ok(Batch::of(reply.ids.iter()))
    }

    /// The newest entries, newest last (`XREVRANGE + - COUNT n`).
    pub async fn latest(&self, conn: &mut Conn, count: usize) -> Result<Vec<Entry>, BusError> {
        let mut cmd = redis::cmd("XREVRANGE");
        cmd.arg(&self.key).arg("+").arg("-").arg("COUNT").arg(count);
        let reply: StreamRangeReply = conn.query(&cmd).await.map_err(|e| self.err(&e))?;
        let mut v: Vec<Entry> = reply.ids.iter().filter_map(|s| Entry::from_stream(s).ok()).collect();
        v.reverse();
        Ok(v)
    }

    /// `XINFO STREAM`; a stream that does not exist yet is an empty one.
    pub async fn info(&self, conn: &mut Conn) -> Result<StreamInfo, BusError> {
        let mut cmd = redis::cmd("XINFO");
        cmd.arg("STREAM").arg(&self.key);
        let v: Value = match conn.query::<Value>(&cmd).await {
            Ok(v) => v,
            Err(e) if e.to_string().contains("no such key") => {
                return Ok(StreamInfo {
                    last_generated_id: "0-0".into(),
                    ..StreamInfo::default()
                });
            }
            Err(e) => return Err(self.err(&e)),
        };
        let pairs: Vec<(String, Value)> = match v {
            Value::Array(items) => items
                .chunks(2)
                .filter_map(|c| match c {
                    [k, v] => String::from_redis_value(k.clone()).ok().map(|k| (k, v.clone())),
                    _ => None,
                })
                .collect(),
            Value::Map(m) => m
                .into_iter()
                .filter_map(|(k, v)| String::from_redis_value(k).ok().map(|k| (k, v)))
                .collect(),
            _ => Vec::new(),
        };
        let get = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
        let num = |name: &str| get(name).and_then(|v| u64::from_redis_value(v).ok()).unwrap_or(0);
        let first_id = match get("first-entry") {
            Some(Value::Array(e)) => e.first().and_then(|id| String::from_redis_value(id.clone()).ok()),
            _ => None,
        };
        Ok(StreamInfo {
            length: num("length"),
            first_id,
            last_generated_id: get("last-generated-id")
                .and_then(|v| String::from_redis_value(v).ok())
                .unwrap_or_else(|| "0-0".into()),
            entries_added: num("entries-added"),
        })
    }

    /// Records a node's heartbeat in the node table.
    pub async fn heartbeat(&self, conn: &mut Conn, status: &NodeStatus) -> Result<(), BusError> {
        let text = serde_json::to_string(status).unwrap_or_default();
        let mut cmd = redis::cmd("HSET");
        cmd.arg(&self.nodes_key).arg(&status.node).arg(text);
        conn.query::<Value>(&cmd).await.map_err(|e| self.err(&e))?;
        Ok(())
    }

    /// Removes a node from the node table (it stops).
    pub async fn forget(&self, conn: &mut Conn, node: &str) -> Result<(), BusError> {
        let mut cmd = redis::cmd("HDEL");
        cmd.arg(&self.nodes_key).arg(node);
        conn.query::<Value>(&cmd).await.map_err(|e| self.err(&e))?;
        Ok(())
    }

    /// Every node of the table, oldest heartbeat last.
    pub async fn nodes(&self, conn: &mut Conn) -> Result<Vec<NodeStatus>, BusError> {
        let mut cmd = redis::cmd("HGETALL");
        cmd.arg(&self.nodes_key);
        let map: std::collections::HashMap<String, String> = conn.query(&cmd).await.map_err(|e| self.err(&e))?;
        let mut v: Vec<NodeStatus> = map.values().filter_map(|t| serde_json::from_str(t).ok()).collect();
        v.sort_by(|a, b| b.seen.cmp(&a.seen).then(a.node.cmp(&b.node)));
        Ok(v)
    }

    /// How many entries follow `id` in the stream (capped at `cap`): a node's lag.
    pub async fn count_after(&self, conn: &mut Conn, id: &str, cap: usize) -> Result<u64, BusError> {
        Ok(self.range_ids_after(conn, id, cap).await? as u64)
    }

    async fn range_ids_after(&self, conn: &mut Conn, after: &str, cap: usize) -> Result<usize, BusError> {
        let start = if order(after).is_some() && after != "0-0" && after != "0" {
            format!("({after}")
        } else {
            "-".to_string()
        };
        let mut cmd = redis::cmd("XRANGE");
        cmd.arg(&self.key).arg(start).arg("+").arg("COUNT").arg(cap);
        let v: Value = conn.query(&cmd).await.map_err(|e| self.err(&e))?;
        Ok(match v {
            Value::Array(a) => a.len(),
            _ => 0,
        })
    }
}

/// Epoch milliseconds now.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaps_are_told_from_the_stream_facts() {
        let info = StreamInfo {
            length: 3,
            first_id: Some("100-0".into()),
            last_generated_id: "102-0".into(),
            entries_added: 3,
        };
        assert!(!info.gap_after("0-0"), "nothing trimmed: everything is there");
        assert!(!info.gap_after("101-0"));
        assert!(info.gap_after("103-0"), "never issued");
        assert!(info.gap_after("garbage"));
        let trimmed = StreamInfo {
            entries_added: 50,
            ..info.clone()
        };
        assert!(trimmed.gap_after("99-0"));
        assert!(!trimmed.gap_after("100-0"));
        assert!(!trimmed.gap_after("102-0"));
    }

    #[test]
    fn entries_are_checked_and_cleared_names_counted_once() {
        let entry = |fields: &[(&str, &str)]| StreamId {
            id: "1-0".into(),
            map: fields
                .iter()
                .map(|(k, v)| (k.to_string(), Value::BulkString(v.as_bytes().to_vec())))
                .collect(),
            ..Default::default()
        };
        let e = Entry::from_stream(&entry(&[
            ("type", "posts"),
            ("cleared", r#"["posts","feed","posts","feed"]"#),
        ]))
        .unwrap();
        assert_eq!(e.cleared, ["posts", "feed"]);
        assert_eq!(e.action, "update");
        assert_eq!(e.id, serde_json::Value::Null);
        for (fields, why) in [
            (vec![("foo", "bar")], "no `type` field"),
            (vec![("type", "a b")], "`type` holds a name"),
            (vec![("type", "posts"), ("id", r#"{"a":1}"#)], "`id` is not"),
            (
                vec![("type", "posts"), ("action", "del\nete")],
                "`action` is not one of",
            ),
            (vec![("type", "posts"), ("time", "soon")], "`time` is not a number"),
        ] {
            let err = Entry::from_stream(&entry(&fields)).unwrap_err();
            assert!(err.starts_with(why), "{fields:?}: {err}");
        }
    }

    #[test]
    fn bus_keys_sit_beside_the_cache_keys() {
        assert_eq!(stream_key("cache:"), "cache:bus");
        assert!(is_bus_key(b"cache:bus:nodes", "cache:"));
        assert!(!is_bus_key(b"cache:posts:list", "cache:"));
    }
}

/// What following the bus reports, in order (for `tail --bus`).
#[derive(Debug, Clone)]
pub enum BusNotice {
    /// Reading; `after` is the id reading resumes after (`$`: only new entries).
    Connected {
        after: String,
        reconnect: bool,
    },
    Entry(Entry),
    /// An entry that is not a valid invalidation was read and passed over.
    Skipped {
        id: String,
        reason: String,
    },
    /// Redis dropped or refused; the next attempt is in `retry_in`.
    Disconnected {
        reason: String,
        retry_in: Duration,
    },
    /// The stream no longer holds what followed `after` (trimmed, or Redis came back empty).
    Gap {
        after: String,
        oldest: Option<String>,
    },
}

/// Follows the stream straight from Redis, from after `since` (or from now), reconnecting
/// on its own, until the receiver is dropped. Run it as a task.
pub async fn follow(bus: Bus, since: Option<String>, tx: tokio::sync::mpsc::Sender<BusNotice>) {
    let mut after = since;
    let mut reconnect = false;
    let mut attempt: u32 = 0;
    loop {
        let connected = async {
            let mut conn = bus.connect_conn(Duration::from_secs(10)).await?;
            let info = bus.info(&mut conn).await?;
            Ok::<_, BusError>((conn, info))
        };
        let (mut conn, info) = match connected.await {
            Ok(c) => c,
            Err(e) => {
                attempt = attempt.saturating_add(1);
                let retry_in =
                    crate::backoff::Backoff::new(Duration::from_millis(250), Duration::from_secs(4)).delay(attempt);
                let n = BusNotice::Disconnected {
                    reason: e.to_string(),
                    retry_in,
                };
                if tx.send(n).await.is_err() {
                    return;
                }
                tokio::time::sleep(retry_in).await;
                continue;
            }
        };
        attempt = 0;
        let from = after.clone().unwrap_or_else(|| info.last_generated_id.clone());
        if after.is_some() && info.gap_after(&from) {
            let gap = BusNotice::Gap {
                after: from.clone(),
                oldest: info.first_id.clone(),
            };
            if tx.send(gap).await.is_err() {
                return;
            }
        }
        let shown = after.clone().unwrap_or_else(|| "$".into());
        if tx
            .send(BusNotice::Connected {
                after: shown,
                reconnect,
            })
            .await
            .is_err()
        {
            return;
        }
        reconnect = true;
        let mut last = if after.is_some() && info.gap_after(&from) {
            "0-0".to_string()
        } else {
            from
        };
        loop {
            let read = tokio::select! {
                _ = tx.closed() => return,
                r = bus.read(&mut conn, &last, Duration::from_secs(2), 1000) => r,
            };
            match read {
                Ok(batch) => {
                    for (id, reason) in batch.skipped {
                        if tx.send(BusNotice::Skipped { id, reason }).await.is_err() {
                            return;
                        }
                    }
                    for e in batch.entries {
                        if tx.send(BusNotice::Entry(e)).await.is_err() {
                            return;
                        }
                    }
                    if let Some(l) = batch.last {
                        last = l;
                        after = Some(last.clone());
                    }
                }
                Err(e) => {
                    let n = BusNotice::Disconnected {
                        reason: e.to_string(),
                        retry_in: Duration::from_millis(250),
                    };
                    if tx.send(n).await.is_err() {
                        return;
                    }
                    tokio::time::sleep(Duration::from_millis(250)).await;
                    break;
                }
            }
        }
    }
}
