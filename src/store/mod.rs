//! Redis inspection for the server-side cache (PROTOCOL section 7): scan, describe keys,
//! group them by type, read one value, delete safely, watch keyspace events.
//!
//! Everything goes through one SCAN pass per master (never KEYS), with the per-key calls
//! (TYPE, PTTL, MEMORY USAGE, OBJECT ENCODING) sent as pipelines of one batch per SCAN page,
//! several pages in flight at once, so that a million keys cost about a thousand round trips
//! instead of millions.
//!
//! A Redis Cluster is detected with `INFO cluster` and every master is scanned over its own
//! connection: a cluster-aware client routes by key, but SCAN is per node, and the keys a
//! node returns live on that node, so the per-key pipelines go to the same connection.

pub mod link;
pub mod show;
mod stats;
mod watch;

use std::collections::BTreeMap;
use std::time::Duration;

use futures::{StreamExt, TryFutureExt, TryStreamExt};
use redis::aio::MultiplexedConnection;
use redis::{Client, RedisError, Value};

pub use stats::{BusKey, GroupStats, StatsBuilder, StatsReport, TtlSummary};
pub use watch::{KeyEvent, KeyEvents, NotificationCheck};

/// The group name of keys that do not follow `{prefix}{type}:{rest}`.
pub const OTHER: &str = "(other)";

/// Keys asked for per SCAN call; each page becomes one pipeline of per-key calls.
const SCAN_COUNT: usize = 1000;
/// Pipelines in flight per node while scanning.
const IN_FLIGHT: usize = 8;
/// Keys per UNLINK command.
const UNLINK_BATCH: usize = 500;
/// Strings longer than this are not read whole by [`Store::fetch`]: they are read in
/// pieces with [`Store::read_string`] and shown as they come.
pub const STREAM_ABOVE: u64 = 1 << 20;
/// Bytes per GETRANGE when a string is read in pieces.
const PIECE: u64 = 1 << 20;
use link::CONNECT_TIMEOUT;
const RESPONSE_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum StoreError {
    #[error("REDIS_URL `{url}` is not a valid Redis URL: {reason}")]
    BadUrl { url: String, reason: String },
    #[error("cannot connect to Redis at {url}: connection refused")]
    Refused { url: String },
    #[error("Redis at {url} did not answer in time ({} s to connect, {} s per reply)", CONNECT_TIMEOUT.as_secs(), RESPONSE_TIMEOUT.as_secs())]
    Timeout { url: String },
    #[error("Redis at {url} refused the credentials: {detail}")]
    Auth { url: String, detail: String },
    #[error("Redis at {url}: {detail}")]
    Io { url: String, detail: String },
    #[error("TLS with Redis at {url} failed: {detail}")]
    Tls { url: String, detail: String },
    #[error("Redis at {url} answered with an error: {detail}")]
    Server { url: String, detail: String },
    #[error("key `{key}` does not exist")]
    NoSuchKey { key: String },
    #[error("keyspace notifications are off on {url} (notify-keyspace-events is `{current}`)")]
    NotificationsOff { url: String, current: String },
}

impl StoreError {
    /// The words after "cannot connect to ... at URL:" (the URL is said already).
    pub fn detail(&self) -> String {
        match self {
            StoreError::Refused { .. } => "connection refused".to_string(),
            StoreError::Timeout { .. } => "timed out connecting".to_string(),
            StoreError::Auth { detail, .. }
            | StoreError::Io { detail, .. }
            | StoreError::Tls { detail, .. }
            | StoreError::Server { detail, .. } => detail.clone(),
            other => other.to_string(),
        }
    }

    /// Classifies a redis-rs error; `url` is already redacted, and any password the error
    /// text might echo is scrubbed.
    pub(crate) fn from_redis(e: &RedisError, url: &str, password: Option<&str>) -> StoreError {
        let scrub = |s: String| match password {
            Some(p) if !p.is_empty() => s.replace(p, "••••"),
            _ => s,
        };
        // The server's words are shown: control characters in them are escaped.
        let text =
            crate::escape::text(&scrub(e.to_string()).split_whitespace().collect::<Vec<_>>().join(" ")).into_owned();
        let code = e.code().unwrap_or("");
        let url = url.to_string();
        if e.kind() == redis::ErrorKind::AuthenticationFailed
            || matches!(code, "NOAUTH" | "WRONGPASS")
            || text.contains("NOAUTH")
            || text.contains("WRONGPASS")
        {
            let detail = if text.contains("NOAUTH") {
                "the server requires a password (NOAUTH)".to_string()
            } else {
                // redis-rs reports a failed AUTH (WRONGPASS, or a password the server
                // does not expect) without the server's words.
                "wrong username or password".to_string()
            };
            return StoreError::Auth { url, detail };
        }
        if e.is_connection_refusal() {
            return StoreError::Refused { url };
        }
        if e.is_timeout() {
            return StoreError::Timeout { url };
        }
        // An answer cut off in the middle: the connection dropped (Redis restarted, a proxy
        // or a timeout closed it), not a server that speaks another protocol.
        if e.kind() == redis::ErrorKind::Parse && text.contains("Unexpected end of input") {
            return StoreError::Io {
                url,
                detail: "the connection closed in the middle of an answer (Redis restarted or dropped it, or a proxy cut it): try again".to_string(),
            };
        }
        if e.kind() == redis::ErrorKind::Parse {
            return StoreError::Io {
                url,
                detail: "the answer is not the Redis protocol (wrong port, or a TLS server reached with redis://?)"
                    .to_string(),
            };
        }
        if ["certificate", "TLS", "tls", "PEM"].iter().any(|w| text.contains(w)) {
            return StoreError::Tls { url, detail: text };
        }
        if e.is_io_error() || e.is_connection_dropped() {
            return StoreError::Io { url, detail: text };
        }
        StoreError::Server { url, detail: text }
    }
}

/// The group (cache type) of a key: the segment after the prefix, when the key has the
/// shape `{prefix}{type}:{rest}` with a non-empty type and rest; `None` means `(other)`.
pub fn group_of<'k>(key: &'k [u8], prefix: &[u8]) -> Option<&'k str> {
    let rest = key.strip_prefix(prefix)?;
    let colon = memchr::memchr(b':', rest)?;
    if colon == 0 || colon + 1 == rest.len() {
        return None;
    }
    std::str::from_utf8(&rest[..colon]).ok()
}

/// The group name of a key, `(other)` included.
pub fn group_name(key: &[u8], prefix: &[u8]) -> String {
    group_of(key, prefix).unwrap_or(OTHER).to_string()
}

/// Escapes the glob metacharacters of a literal so that it can start a SCAN MATCH pattern.
pub fn glob_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Which per-key facts to fetch.
#[derive(Debug, Clone, Copy, Default)]
pub struct Fields {
    pub kind: bool,
    pub ttl: bool,
    pub memory: bool,
    pub encoding: bool,
}

impl Fields {
    pub const ALL: Fields = Fields {
        kind: true,
        ttl: true,
        memory: true,
        encoding: true,
    };
}

/// One key and what was asked about it. `None` means "not asked" or "the server would not
/// say" (e.g. MEMORY disabled by a managed provider).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyInfo {
    #[serde(serialize_with = "ser_key")]
    pub key: Vec<u8>,
    #[serde(skip)]
    pub node: usize,
    #[serde(rename = "redisType")]
    pub kind: Option<String>,
    /// Milliseconds left; `None` with `persistent` = no TTL.
    pub ttl_ms: Option<i64>,
    pub persistent: bool,
    pub memory: Option<u64>,
    pub encoding: Option<String>,
}

fn ser_key<S: serde::Serializer>(k: &[u8], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&crate::escape::key_json(k))
}

impl KeyInfo {
    /// The key as shown on a terminal and typed back ([`crate::escape::key`]).
    pub fn name(&self) -> String {
        crate::escape::key(&self.key).into_owned()
    }
}

/// A key as SCAN returned it, with the master it lives on.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ScannedKey {
    pub key: Vec<u8>,
    pub node: usize,
}

/// A master: its address and a multiplexed connection to it.
#[derive(Clone)]
struct Node {
    addr: String,
    client: Client,
    conn: MultiplexedConnection,
}

/// A connected Redis (one server, or every master of a cluster).
pub struct Store {
    link: link::Link,
    prefix: String,
    nodes: Vec<Node>,
}

/// The value of one key, decoded by Redis type.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(tag = "redisType", content = "value", rename_all = "lowercase")]
pub enum KeyValue {
    String(Vec<u8>),
    Hash(Vec<(Vec<u8>, Vec<u8>)>),
    List(Vec<Vec<u8>>),
    Set(Vec<Vec<u8>>),
    Zset(Vec<(Vec<u8>, f64)>),
    Other(String),
}

/// `get`'s answer: the key's facts and either its value or the reason it was not read.
#[derive(Debug, Clone)]
pub struct Fetched {
    pub info: KeyInfo,
    /// Bytes the value takes: STRLEN for strings, MEMORY USAGE for the rest.
    pub size: u64,
    /// `None` when `size` is over the guard, or when the value is a string to read in
    /// pieces (`streamed`).
    pub value: Option<KeyValue>,
    /// A string within the guard but over [`STREAM_ABOVE`]: read it with
    /// [`Store::read_string`].
    pub streamed: bool,
    /// The key, exactly (a key need not be UTF-8).
    pub key: Vec<u8>,
}

/// Keys removed, per group, by [`Store::unlink`].
pub type Removed = BTreeMap<String, u64>;

impl Store {
    /// Connects, authenticates and finds the masters to scan (through [`link`], the one
    /// way polycache reaches Redis), one multiplexed connection to each.
    pub async fn connect(url: &str, prefix: &str) -> Result<Store, StoreError> {
        let link = link::Link::open(url).await?;
        let mut nodes = Vec::new();
        for addr in &link.masters {
            let client = if link.is_cluster() {
                link.master_client(addr)?
            } else {
                link.client().clone()
            };
            let conn = link.single(&client, RESPONSE_TIMEOUT).await?;
            nodes.push(Node {
                addr: addr.clone(),
                client,
                conn,
            });
        }
        Ok(Store {
            link,
            prefix: prefix.to_string(),
            nodes,
        })
    }

    async fn open(&self, client: &Client) -> Result<MultiplexedConnection, StoreError> {
        self.link.single(client, RESPONSE_TIMEOUT).await
    }

    fn err(&self, e: &RedisError) -> StoreError {
        self.link.err(e)
    }

    /// The URL with its password redacted, for messages.
    pub fn url(&self) -> &str {
        &self.link.url
    }
    pub fn prefix(&self) -> &str {
        &self.prefix
    }
    pub fn db(&self) -> i64 {
        self.link.db
    }
    pub fn is_cluster(&self) -> bool {
        self.link.is_cluster()
    }
    /// The masters scanned, as `host:port`.
    pub fn node_addrs(&self) -> Vec<String> {
        self.nodes.iter().map(|n| n.addr.clone()).collect()
    }

    /// The SCAN MATCH pattern of every cache key.
    pub fn prefix_pattern(&self) -> String {
        format!("{}*", glob_escape(&self.prefix))
    }

    /// One SCAN pass over `pattern` on every master, pages of about [`SCAN_COUNT`] keys
    /// handed to `on_page` as they arrive (keys only, nothing described), with the part of
    /// the keyspace scanned so far (0 to 1).
    pub async fn scan(
        &self,
        pattern: impl AsRef<[u8]>,
        mut on_page: impl FnMut(Vec<ScannedKey>, f64),
    ) -> Result<(), StoreError> {
        let pattern = pattern.as_ref();
        let n = self.nodes.len() as f64;
        for (i, node) in self.nodes.iter().enumerate() {
            let mut pages = std::pin::pin!(self.pages(i, node.conn.clone(), pattern));
            while let Some((page, done)) = pages.try_next().await? {
                on_page(page, (i as f64 + done) / n);
            }
        }
        Ok(())
    }

    /// The SCAN pages of one node as a stream, each with the part of the node's keyspace
    /// scanned so far.
    fn pages<'a>(
        &'a self,
        index: usize,
        conn: MultiplexedConnection,
        pattern: &'a [u8],
    ) -> impl futures::Stream<Item = Result<(Vec<ScannedKey>, f64), StoreError>> + 'a {
        futures::stream::try_unfold(Some(0u64), move |cursor| {
            let mut conn = conn.clone();
            async move {
                let Some(cursor) = cursor else { return Ok(None) };
                let (next, keys): (String, Vec<Vec<u8>>) = redis::cmd("SCAN")
                    .arg(cursor)
                    .arg("MATCH")
                    .arg(pattern)
                    .arg("COUNT")
                    .arg(SCAN_COUNT)
                    .query_async(&mut conn)
                    .await
                    .map_err(|e| self.err(&e))?;
                let next: u64 = next.parse().map_err(|_| StoreError::Server {
                    url: self.link.url.clone(),
                    detail: format!("SCAN returned a cursor that is not a number: {next}"),
                })?;
                let page = keys.into_iter().map(|key| ScannedKey { key, node: index }).collect();
                Ok(Some(((page, scanned_part(next)), (next != 0).then_some(next))))
            }
        })
    }

    /// One SCAN pass over `pattern` with the per-key facts of `fields` fetched page by
    /// page; described pages go to `on_page`. Keys that vanished between SCAN and the
    /// pipeline are dropped.
    ///
    /// SCAN runs on a connection of its own and reads ahead into a bounded queue, while
    /// up to [`IN_FLIGHT`] pipelines per node describe earlier pages on the main
    /// connection: the cursor's round trips are strictly sequential, so they must not
    /// wait behind the pipelines, and the server always has work queued.
    pub async fn scan_described(
        &self,
        pattern: &str,
        fields: Fields,
        mut on_page: impl FnMut(Vec<KeyInfo>, f64),
    ) -> Result<(), StoreError> {
        let mut scan_conns = Vec::with_capacity(self.nodes.len());
        for node in &self.nodes {
            scan_conns.push(self.open(&node.client).await?);
        }
        type Page = (usize, (Vec<ScannedKey>, f64));
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Result<Page, StoreError>>(4 * IN_FLIGHT);
        let produce = async move {
            let streams = scan_conns
                .into_iter()
                .enumerate()
                .map(|(i, conn)| self.pages(i, conn, pattern.as_bytes()).map_ok(move |p| (i, p)).boxed());
            let mut all = futures::stream::select_all(streams);
            while let Some(page) = all.next().await {
                let failed = page.is_err();
                if tx.send(page).await.is_err() || failed {
                    break;
                }
            }
        };
        // `rx` moves in, so that a failing consumer drops it and unblocks the producer.
        let consume = async move {
            let pages = futures::stream::poll_fn(|cx| rx.poll_recv(cx));
            let mut described = std::pin::pin!(
                pages
                    .map_ok(|(i, (page, done))| {
                        self.describe_on(&self.nodes[i], page, fields)
                            .map_ok(move |d| (i, d, done))
                    })
                    .try_buffer_unordered(IN_FLIGHT * self.nodes.len())
            );
            // Per node, the furthest part scanned whose page has been described.
            let mut parts = vec![0f64; self.nodes.len()];
            while let Some((i, page, done)) = described.try_next().await? {
                parts[i] = parts[i].max(done);
                on_page(page, parts.iter().sum::<f64>() / parts.len() as f64);
            }
            Ok::<(), StoreError>(())
        };
        let ((), result) = tokio::join!(produce, consume);
        result
    }

    /// Describes keys (from [`Store::scan`]), in pipelines of at most [`SCAN_COUNT`] keys.
    pub async fn describe(&self, keys: &[ScannedKey], fields: Fields) -> Result<Vec<KeyInfo>, StoreError> {
        let mut out = Vec::with_capacity(keys.len());
        for (i, node) in self.nodes.iter().enumerate() {
            let mine: Vec<ScannedKey> = keys.iter().filter(|k| k.node == i).cloned().collect();
            let chunks: Vec<Vec<ScannedKey>> = mine.chunks(SCAN_COUNT).map(<[_]>::to_vec).collect();
            let described: Vec<Vec<KeyInfo>> = futures::stream::iter(chunks)
                .map(|c| self.describe_on(node, c, fields))
                .buffered(IN_FLIGHT)
                .try_collect()
                .await?;
            out.extend(described.into_iter().flatten());
        }
        Ok(out)
    }

    async fn describe_on(
        &self,
        node: &Node,
        keys: Vec<ScannedKey>,
        fields: Fields,
    ) -> Result<Vec<KeyInfo>, StoreError> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let mut pipe = redis::pipe();
        pipe.ignore_errors();
        for k in &keys {
            if fields.kind {
                pipe.cmd("TYPE").arg(&k.key);
            }
            // PTTL is always asked: -2 tells that the key vanished meanwhile.
            pipe.cmd("PTTL").arg(&k.key);
            if fields.memory {
                pipe.cmd("MEMORY").arg("USAGE").arg(&k.key);
            }
            if fields.encoding {
                pipe.cmd("OBJECT").arg("ENCODING").arg(&k.key);
            }
        }
        let mut conn = node.conn.clone();
        let values: Vec<Value> = pipe.query_async(&mut conn).await.map_err(|e| self.err(&e))?;
        let mut it = values.into_iter();
        let mut out = Vec::with_capacity(keys.len());
        for k in keys {
            let kind = if fields.kind { it.next().and_then(text) } else { None };
            let pttl = it.next().and_then(int);
            let memory = if fields.memory {
                it.next().and_then(int).and_then(|m| u64::try_from(m).ok())
            } else {
                None
            };
            let encoding = if fields.encoding {
                it.next().and_then(text)
            } else {
                None
            };
            let (ttl_ms, persistent) = match pttl {
                Some(-2) => continue,
                Some(-1) => (None, true),
                Some(ms) => (Some(ms), false),
                None => (None, false),
            };
            if kind.as_deref() == Some("none") {
                continue;
            }
            out.push(KeyInfo {
                key: k.key,
                node: k.node,
                kind,
                ttl_ms,
                persistent,
                memory,
                encoding,
            });
        }
        Ok(out)
    }

    /// Deletes keys with UNLINK (the memory is freed in the background), in batches of
    /// [`UNLINK_BATCH`]; returns how many were really removed, per group. On a cluster each
    /// key is its own command (keys of one batch may hash to different slots).
    ///
    /// `go_on` is asked after each batch with the keys it removed: `false` stops before the
    /// next one (Ctrl-C), and the keys removed so far are returned with `completed: false`.
    pub async fn unlink(
        &self,
        keys: &[ScannedKey],
        go_on: &mut dyn FnMut(u64) -> bool,
    ) -> Result<(Removed, bool), StoreError> {
        let prefix = self.prefix.as_bytes();
        let mut removed = Removed::new();
        let mut by: BTreeMap<(usize, String), Vec<&[u8]>> = BTreeMap::new();
        for k in keys {
            by.entry((k.node, group_name(&k.key, prefix))).or_default().push(&k.key);
        }
        for ((node, group), keys) in by {
            let mut conn = self.nodes[node].conn.clone();
            let count = removed.entry(group).or_insert(0);
            for batch in keys.chunks(UNLINK_BATCH) {
                let n: u64 = if self.link.is_cluster() {
                    let mut pipe = redis::pipe();
                    for k in batch {
                        pipe.cmd("UNLINK").arg(*k);
                    }
                    let each: Vec<u64> = pipe.query_async(&mut conn).await.map_err(|e| self.err(&e))?;
                    each.iter().sum()
                } else {
                    redis::cmd("UNLINK")
                        .arg(batch)
                        .query_async(&mut conn)
                        .await
                        .map_err(|e| self.err(&e))?
                };
                *count += n;
                if !go_on(n) {
                    return Ok((removed, false));
                }
            }
        }
        Ok((removed, true))
    }

    /// Reads one key: its facts, its size, and its value when the size is within
    /// `max_bytes`. On a cluster the key is looked up on the master that owns it.
    pub async fn fetch(&self, key: &[u8], max_bytes: u64) -> Result<Fetched, StoreError> {
        let node = self.owner(key).await?;
        let scanned = ScannedKey {
            key: key.to_vec(),
            node,
        };
        let info = self
            .describe(std::slice::from_ref(&scanned), Fields::ALL)
            .await?
            .pop()
            .ok_or_else(|| StoreError::NoSuchKey {
                key: crate::escape::key(key).into_owned(),
            })?;
        let mut conn = self.nodes[node].conn.clone();
        let kind = info.kind.clone().unwrap_or_default();
        let size: u64 = if kind == "string" {
            self.q(&mut conn, redis::cmd("STRLEN").arg(key)).await?
        } else {
            info.memory.unwrap_or(0)
        };
        if size > max_bytes || (kind == "string" && size > STREAM_ABOVE) {
            return Ok(Fetched {
                info,
                size,
                value: None,
                streamed: size <= max_bytes,
                key: key.to_vec(),
            });
        }
        let value = match kind.as_str() {
            "string" => KeyValue::String(self.q(&mut conn, redis::cmd("GET").arg(key)).await?),
            "hash" => {
                let mut v: Vec<(Vec<u8>, Vec<u8>)> = self.q(&mut conn, redis::cmd("HGETALL").arg(key)).await?;
                v.sort();
                KeyValue::Hash(v)
            }
            "list" => KeyValue::List(self.q(&mut conn, redis::cmd("LRANGE").arg(key).arg(0).arg(-1)).await?),
            "set" => {
                let mut v: Vec<Vec<u8>> = self.q(&mut conn, redis::cmd("SMEMBERS").arg(key)).await?;
                v.sort();
                KeyValue::Set(v)
            }
            "zset" => KeyValue::Zset(
                self.q(
                    &mut conn,
                    redis::cmd("ZRANGE").arg(key).arg(0).arg(-1).arg("WITHSCORES"),
                )
                .await?,
            ),
            other => KeyValue::Other(other.to_string()),
        };
        Ok(Fetched {
            info,
            size,
            value: Some(value),
            streamed: false,
            key: key.to_vec(),
        })
    }

    /// Reads the first `size` bytes of a string in pieces (GETRANGE), handing each to
    /// `piece` as it arrives; stops early when `piece` returns false. Only one piece is
    /// held at a time.
    pub async fn read_string(
        &self,
        key: &[u8],
        size: u64,
        mut piece: impl FnMut(&[u8]) -> bool,
    ) -> Result<(), StoreError> {
        let node = self.owner(key).await?;
        let mut conn = self.nodes[node].conn.clone();
        let mut at = 0u64;
        while at < size {
            let last = (at + PIECE).min(size) - 1;
            let bytes: Vec<u8> = self
                .q(&mut conn, redis::cmd("GETRANGE").arg(key).arg(at).arg(last))
                .await?;
            if bytes.is_empty() || !piece(&bytes) {
                break;
            }
            at += bytes.len() as u64;
        }
        Ok(())
    }

    async fn q<T: redis::FromRedisValue>(
        &self,
        conn: &mut MultiplexedConnection,
        cmd: &redis::Cmd,
    ) -> Result<T, StoreError> {
        cmd.query_async(conn).await.map_err(|e| self.err(&e))
    }

    /// The index of the master holding `key`: the only node, or on a cluster the one the
    /// first node's MOVED answer points to.
    async fn owner(&self, key: &[u8]) -> Result<usize, StoreError> {
        if !self.link.is_cluster() {
            return Ok(0);
        }
        let mut conn = self.nodes[0].conn.clone();
        match redis::cmd("EXISTS").arg(key).query_async::<u64>(&mut conn).await {
            Ok(_) => Ok(0),
            Err(e) => match e.redirect_node() {
                Some((addr, _)) => Ok(self.nodes.iter().position(|n| n.addr == addr).unwrap_or(0)),
                None => Err(self.err(&e)),
            },
        }
    }

    /// `key` with the master that holds it, for [`Store::unlink`].
    pub async fn locate(&self, key: &[u8]) -> Result<ScannedKey, StoreError> {
        Ok(ScannedKey {
            key: key.to_vec(),
            node: self.owner(key).await?,
        })
    }

    /// Whether `key` exists (used to resolve a key given without the prefix).
    pub async fn exists(&self, key: &[u8]) -> Result<bool, StoreError> {
        let node = self.owner(key).await?;
        let mut conn = self.nodes[node].conn.clone();
        let n: u64 = self.q(&mut conn, redis::cmd("EXISTS").arg(key)).await?;
        Ok(n > 0)
    }
}

/// The masters in `CLUSTER NODES` output, as (host, port, is-the-node-we-asked). A node
/// that does not know its own address yet (`:7000@17000`) is given `default_host`.
pub fn cluster_masters(nodes: &str, default_host: &str) -> Vec<(String, u16, bool)> {
    let mut out = Vec::new();
    for line in nodes.lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        if fields.len() < 8 {
            continue;
        }
        let flags: Vec<&str> = fields[2].split(',').collect();
        if !flags.contains(&"master") || flags.iter().any(|f| f.starts_with("fail") || *f == "noaddr") {
            continue;
        }
        let addr = fields[1].split(['@', ',']).next().unwrap_or("");
        let Some((host, port)) = addr.rsplit_once(':') else {
            continue;
        };
        let Ok(port) = port.parse::<u16>() else { continue };
        let host = if host.is_empty() { default_host } else { host };
        out.push((host.to_string(), port, flags.contains(&"myself")));
    }
    out
}

/// The part of a node's keyspace a SCAN has covered when the server hands back `cursor`.
/// Redis increments the cursor in reversed bit order (so that a table resize mid-scan
/// misses nothing), so the cursor with its bits reversed, over 2^64, is the part of the
/// hash table's buckets already visited, whatever the table's size.
pub fn scanned_part(cursor: u64) -> f64 {
    if cursor == 0 {
        1.0
    } else {
        cursor.reverse_bits() as f64 / 18_446_744_073_709_551_616.0
    }
}

fn int(v: Value) -> Option<i64> {
    match v {
        Value::Int(i) => Some(i),
        _ => None,
    }
}

fn text(v: Value) -> Option<String> {
    match v {
        Value::SimpleString(s) => Some(s),
        Value::BulkString(b) => Some(String::from_utf8_lossy(&b).into_owned()),
        Value::Okay => Some("OK".into()),
        _ => None,
    }
}

impl crate::hint::Hint for StoreError {
    fn hint(&self) -> Option<String> {
        Some(match self {
            StoreError::BadUrl { .. } => {
                "write REDIS_URL (or --redis-url) as redis://[user:password@]host[:port][/db], or rediss://... for TLS".into()
            }
            StoreError::Refused { .. } => {
                "is redis-server running there? Point REDIS_URL or --redis-url at the cache's Redis".into()
            }
            StoreError::Timeout { .. } => {
                "check the host and port, a firewall, and TLS: a TLS-only server needs rediss://, a plain one redis://".into()
            }
            StoreError::Auth { .. } => {
                "put the password in the URL: redis://:PASSWORD@host:port, or redis://USER:PASSWORD@host:port for an ACL user".into()
            }
            StoreError::Io { detail, .. } if detail.contains("in the middle of an answer") => {
                "run it again; if it keeps happening, look at redis-server's log and any proxy's timeouts".into()
            }
            StoreError::Io { .. } => "check REDIS_URL; a TLS server needs rediss://, a plain one redis://".into(),
            StoreError::Tls { .. } => {
                "rediss:// trusts the system's CA store; for a private CA set SSL_CERT_FILE=/path/to/ca.pem".into()
            }
            StoreError::Server { .. } => {
                "a managed Redis may disable commands polycache uses (SCAN, MEMORY, CONFIG, UNLINK)".into()
            }
            StoreError::NoSuchKey { .. } => "list the keys with `polycache redis keys [PATTERN]`".into(),
            StoreError::NotificationsOff { url, .. } => format!(
                "enable them with `redis-cli -u {url} CONFIG SET notify-keyspace-events KEA`, \
or let polycache do it: `polycache redis watch --enable-notifications`"
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_follow_the_layout() {
        let p = b"cache:";
        assert_eq!(group_of(b"cache:posts:list", p), Some("posts"));
        assert_eq!(group_of(b"cache:pages:slug:about", p), Some("pages"));
        assert_eq!(group_of(b"cache:weird", p), None);
        assert_eq!(group_of(b"cache::x", p), None);
        assert_eq!(group_of(b"cache:posts:", p), None);
        assert_eq!(group_of(b"session:abc", p), None);
        assert_eq!(group_name(b"cache:weird", p), OTHER);
    }

    #[test]
    fn scan_cursor_tells_the_part_scanned() {
        // A table of 8 buckets visits them in the order 0, 4, 2, 6, 1, 5, 3, 7.
        // The cursor handed back after bucket 0 is 4: 1 of 8 visited.
        assert_eq!(scanned_part(4), 0.125);
        assert_eq!(scanned_part(2), 0.25);
        assert_eq!(scanned_part(6), 0.375);
        assert_eq!(scanned_part(7), 0.875);
        assert_eq!(scanned_part(0), 1.0);
    }

    #[test]
    fn prefix_is_escaped_for_match() {
        assert_eq!(glob_escape("c*[x]?:"), "c\\*\\[x\\]\\?:");
    }

    #[test]
    fn cluster_nodes_lists_masters_only() {
        let out = "\
07c3 127.0.0.1:30004@31004,host slave e7d1 0 1426238317239 4 connected
67ed 127.0.0.1:30002@31002 master - 0 1426238316232 2 connected 5461-10922
e7d1 :30001@31001 myself,master - 0 0 1 connected 0-5460
6ec2 127.0.0.1:30005@31005 master,fail - 0 1426238316232 5 disconnected
";
        assert_eq!(
            cluster_masters(out, "10.0.0.1"),
            vec![
                ("127.0.0.1".to_string(), 30002, false),
                ("10.0.0.1".to_string(), 30001, true)
            ]
        );
    }
}
