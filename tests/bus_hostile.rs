//! The bus when another writer puts garbage on it: entries written straight into the
//! stream with `XADD` on a real redis-server, between valid ones. Every reader (the nodes,
//! `tail --bus`) logs a bad entry once, counts it, moves past it and applies the rest.

mod common;

use std::time::{Duration, Instant};

use common::Rng;
use common::api::{SseReader, http};
use common::node::{Node, bus_node};
use common::process::Background;
use common::services::RedisServer;
use serde_json::{Value, json};

fn conn(url: &str) -> redis::Connection {
    redis::Client::open(url)
        .and_then(|c| c.get_connection())
        .expect("connect to the test redis-server")
}

/// `XADD cache:bus <id> field value ...`; the entry id, or the refusal.
fn xadd(c: &mut redis::Connection, id: &str, fields: &[(&[u8], &[u8])]) -> Result<String, redis::RedisError> {
    let mut cmd = redis::cmd("XADD");
    cmd.arg("cache:bus").arg(id);
    for (k, v) in fields {
        cmd.arg(*k).arg(*v);
    }
    cmd.query(c)
}

/// How many XREAD calls the server has answered (`INFO commandstats`).
fn xread_calls(c: &mut redis::Connection) -> u64 {
    let info: String = redis::cmd("INFO").arg("commandstats").query(c).unwrap();
    info.lines()
        .find_map(|l| l.strip_prefix("cmdstat_xread:calls="))
        .and_then(|rest| rest.split(',').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

fn skipped_lines(n: &Node) -> usize {
    n.log_lines()
        .iter()
        .filter(|l| l["msg"] == "bus entry skipped: not a valid invalidation")
        .count()
}

fn valid(type_name: &str, id: i64) -> Vec<(Vec<u8>, Vec<u8>)> {
    vec![
        (b"node".to_vec(), b"another-writer".to_vec()),
        (b"type".to_vec(), type_name.as_bytes().to_vec()),
        (b"id".to_vec(), id.to_string().into_bytes()),
        (b"action".to_vec(), b"update".to_vec()),
        (b"cleared".to_vec(), json!([type_name]).to_string().into_bytes()),
        (b"time".to_vec(), b"1764643200000".to_vec()),
    ]
}

fn add(c: &mut redis::Connection, id: &str, fields: &[(Vec<u8>, Vec<u8>)]) -> Result<String, redis::RedisError> {
    let f: Vec<(&[u8], &[u8])> = fields.iter().map(|(k, v)| (k.as_slice(), v.as_slice())).collect();
    xadd(c, id, &f)
}

/// The next app-update on a stream within `wait`, or None.
async fn next_update(r: &mut SseReader, wait: Duration) -> Option<(Option<String>, Value)> {
    let (name, id, data) = tokio::time::timeout(wait, r.next_event(wait + Duration::from_secs(5)))
        .await
        .ok()??;
    assert_eq!(name, "app-update", "{data}");
    Some((id, data))
}

/// Two nodes on a bus in a fresh Redis, and a stream client of the second.
struct Bus {
    redis: RedisServer,
    url: String,
    a: Node,
    b: Node,
    http: reqwest::Client,
    rb: SseReader,
}

impl Bus {
    async fn start() -> Bus {
        let redis = RedisServer::start();
        let url = redis.url();
        let a = bus_node(&url);
        let b = bus_node(&url);
        let rb = SseReader::open(&b.url("/api/stream"), None).await;
        Bus {
            redis,
            url,
            a,
            b,
            http: http(),
            rb,
        }
    }
}

/// `XADD cache:bus * foo bar` used to put every node in a busy loop (XREAD re-read the bad
/// entry forever): now each node logs it once, counts it in health, reads on, and applies
/// the next valid entry.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malformed_bus_entry_is_skipped_once_without_a_busy_loop() {
    let Bus {
        redis: _redis,
        url,
        a,
        b,
        http,
        mut rb,
    } = Bus::start().await;
    let mut c = conn(&url);

    let before = xread_calls(&mut c);
    let bad = xadd(&mut c, "*", &[(b"foo", b"bar")]).unwrap();
    tokio::time::sleep(Duration::from_secs(3)).await;
    let calls = xread_calls(&mut c) - before;
    eprintln!("XREAD calls in 3 s with a malformed entry, 2 nodes: {calls}");
    assert!(calls < 40, "{calls} XREAD calls in 3 s: a busy loop");

    let good = add(&mut c, "*", &valid("posts", 7)).unwrap();
    let (id, data) = next_update(&mut rb, Duration::from_secs(10))
        .await
        .expect("the valid entry");
    assert_eq!(id.as_deref(), Some(good.as_str()));
    assert_eq!(data["type"], "posts");
    for n in [&a, &b] {
        let h = n.health(&http).await;
        assert_eq!(h["bus"]["skipped"], 1, "{h}");
        assert_eq!(h["bus"]["lastId"], good.as_str(), "{h}");
        assert_eq!(skipped_lines(n), 1, "{}", n.log_text());
        let line = n
            .log_lines()
            .into_iter()
            .find(|l| l["msg"] == "bus entry skipped: not a valid invalidation")
            .unwrap();
        assert_eq!(line["eventId"], bad.as_str());
        assert_eq!(line["error"], "no `type` field");
    }
}

/// `tail --bus` warns about a bad entry and goes on to the next.
#[test]
fn tail_bus_warns_about_a_bad_entry_and_goes_on() {
    let redis = RedisServer::start();
    let url = redis.url();
    let mut c = conn(&url);
    let bad = xadd(&mut c, "*", &[(b"type", b"po sts")]).unwrap();
    add(&mut c, "*", &valid("pages", 3)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut tail = Background::spawn(
        dir.path(),
        &[
            "--json",
            "tail",
            "--redis-url",
            &url,
            "--bus",
            "--since-id",
            "0-0",
            "--count",
            "1",
            "--timeout",
            "20s",
        ],
    );
    assert_eq!(tail.wait(), 0, "{}", tail.stderr_text());
    let err = tail.stderr_text();
    assert!(
        err.contains(&format!("skipped bus entry {bad}: not a valid invalidation")),
        "{err}"
    );
    let out = tail.stdout_text();
    let line: Value = serde_json::from_str(out.lines().next().expect("one entry")).expect("NDJSON");
    assert_eq!(line["type"], "pages");
}

/// One entry that is not a valid invalidation, of one of many shapes.
fn garbage(rng: &mut Rng) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut e = valid("posts", rng.below(1000) as i64);
    let set = |e: &mut Vec<(Vec<u8>, Vec<u8>)>, k: &str, v: Vec<u8>| {
        e.retain(|(f, _)| f != k.as_bytes());
        e.push((k.as_bytes().to_vec(), v));
    };
    match rng.below(12) {
        0 => e.retain(|(f, _)| f != b"type"),
        1 => set(&mut e, "type", b"two words".to_vec()),
        2 => set(&mut e, "type", vec![b'x'; 70_000]),
        3 => set(&mut e, "type", b"bad\xff\xfe".to_vec()),
        4 => set(&mut e, "cleared", b"not json".to_vec()),
        5 => set(&mut e, "cleared", json!(vec!["posts"; 2000]).to_string().into_bytes()),
        6 => set(&mut e, "id", br#"{"a":1}"#.to_vec()),
        7 => set(&mut e, "action", b"del\nete".to_vec()),
        8 => set(&mut e, "time", b"yesterday".to_vec()),
        9 => set(&mut e, "node", b"evil\x1b[2J".to_vec()),
        10 => set(&mut e, "cleared", json!(["posts", ""]).to_string().into_bytes()),
        _ => set(&mut e, "id", vec![b'7'; 70_000]),
    }
    e
}

/// Random entries between valid ones, some with ids set ahead of the clock: every valid
/// entry reaches the other node's SSE clients exactly once, in order, with its entry id;
/// every bad one is logged once; no busy loop.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fuzzed_bus_entries_between_valid_ones_deliver_each_valid_one_exactly_once() {
    let mut rng = Rng::seeded("BUS_FUZZ_SEED");
    let Bus {
        redis: _redis,
        url,
        a,
        b,
        http,
        mut rb,
    } = Bus::start().await;
    let mut ra = SseReader::open(&a.url("/api/stream"), None).await;
    let mut c = conn(&url);
    let types = ["posts", "pages", "feed", "translations"];
    let cases = 400;
    let mut sent = Vec::new();
    let mut bad = 0;
    let start = Instant::now();
    for i in 0..cases {
        // Now and then an explicit id ahead of the clock: later `*` ids follow it.
        let id = if rng.below(40) == 0 {
            let ms = chrono_ms() + rng.below(3000);
            format!("{ms}-{}", rng.below(5))
        } else {
            "*".to_string()
        };
        let fields = if rng.below(3) == 0 {
            let t = types[rng.below(types.len() as u64) as usize];
            let f = valid(t, i);
            sent.push((None, t));
            f
        } else {
            bad += 1;
            garbage(&mut rng)
        };
        match add(&mut c, &id, &fields) {
            Ok(eid) => {
                if let Some(last) = sent.last_mut().filter(|s| s.0.is_none()) {
                    last.0 = Some(eid);
                }
            }
            // An explicit id at or below the head is refused by Redis: nothing was added.
            Err(e) if e.to_string().contains("equal or smaller") => {
                if sent.last().is_some_and(|s| s.0.is_none()) {
                    sent.pop();
                } else {
                    bad -= 1;
                }
            }
            Err(e) => panic!("XADD: {e}"),
        }
    }
    // The last entry is a bad one: a reader that does not move past it loops on it.
    add(&mut c, "*", &garbage(&mut rng)).unwrap();
    bad += 1;
    eprintln!(
        "{cases} cases: {} valid, {bad} bad, written in {} ms",
        sent.len(),
        start.elapsed().as_millis()
    );
    for (name, r) in [("a", &mut ra), ("b", &mut rb)] {
        for (i, (id, t)) in sent.iter().enumerate() {
            let (got, data) = next_update(r, Duration::from_secs(20))
                .await
                .unwrap_or_else(|| panic!("node {name}: valid entry {i} of {} never arrived", sent.len()));
            assert_eq!(got.as_deref(), id.as_deref(), "node {name}, entry {i}");
            assert_eq!(data["type"], *t, "node {name}, entry {i}");
        }
        assert!(
            next_update(r, Duration::from_secs(1)).await.is_none(),
            "node {name} delivered more than the valid entries"
        );
    }
    // Idle now: each node's XREAD blocks 2 s at a time.
    let before = xread_calls(&mut c);
    tokio::time::sleep(Duration::from_secs(3)).await;
    let calls = xread_calls(&mut c) - before;
    eprintln!("XREAD calls in 3 idle s after the last (bad) entry, 2 nodes: {calls}");
    assert!(calls < 40, "{calls} XREAD calls in 3 s: a busy loop");
    for n in [&a, &b] {
        let h = n.health(&http).await;
        assert_eq!(h["bus"]["skipped"], bad, "{h}");
        assert_eq!(skipped_lines(n), bad as usize);
        assert_eq!(h["ok"], true, "{h}");
    }
}

fn chrono_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

fn cmd_calls(c: &mut redis::Connection, name: &str) -> u64 {
    let info: String = redis::cmd("INFO").arg("commandstats").query(c).unwrap();
    let prefix = format!("cmdstat_{name}:calls=");
    info.lines()
        .find_map(|l| l.strip_prefix(prefix.as_str()))
        .and_then(|rest| rest.split(',').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// Logs in to `node` and invalidates `type_name`.
async fn invalidate(http: &reqwest::Client, node: &Node, type_name: &str) {
    let token = node.login(http).await;
    let (status, body) = node
        .invalidate(http, Some(&token), &json!({"type": type_name, "mirror": false}))
        .await;
    assert_eq!(status, 200, "{body}");
}

/// The next event of any name within `wait`: (name, id, data).
async fn next_event(r: &mut SseReader, wait: Duration) -> (String, Option<String>, Value) {
    tokio::time::timeout(wait, r.next_event(wait + Duration::from_secs(5)))
        .await
        .expect("an event in time")
        .expect("stream open")
}

/// An entry id far ahead (`9999999999999-0`), then `DEL cache:bus`: new entries have lower
/// ids, which used to be waited for forever (nodes silent, health green). Now the node
/// sees the stream went back, tells its clients (`stream-reset`) and reads on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_whose_ids_went_back_is_read_again_and_clients_are_told() {
    let Bus {
        redis: _redis,
        url,
        a,
        b,
        http,
        mut rb,
    } = Bus::start().await;
    let mut c = conn(&url);
    let ahead = add(&mut c, "9999999999999-0", &valid("posts", 1)).unwrap();
    let (id, _) = next_update(&mut rb, Duration::from_secs(10))
        .await
        .expect("the entry ahead");
    assert_eq!(id.as_deref(), Some(ahead.as_str()));
    let _: () = redis::cmd("DEL").arg("cache:bus").query(&mut c).unwrap();
    let start = Instant::now();
    invalidate(&http, &a, "pages").await;
    let (name, id, data) = next_event(&mut rb, Duration::from_secs(10)).await;
    assert_eq!(name, "stream-reset", "{data}");
    assert_eq!(id, None);
    assert_eq!(data["lastEventId"], ahead.as_str());
    let (name, id, data) = next_event(&mut rb, Duration::from_secs(10)).await;
    eprintln!(
        "delivered {} ms after the stream went back",
        start.elapsed().as_millis()
    );
    assert_eq!(
        (name.as_str(), data["type"].as_str()),
        ("app-update", Some("pages")),
        "{data}"
    );
    let fresh = id.expect("an entry id");
    assert!(fresh.as_str() < ahead.as_str());
    for n in [&a, &b] {
        // Each node notices on its own idle tick (every 2 s).
        let start = Instant::now();
        loop {
            let h = n.health(&http).await;
            if h["bus"]["lastId"] == fresh.as_str() {
                break;
            }
            assert!(start.elapsed() < Duration::from_secs(10), "{h}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let warned = n
            .log_lines()
            .iter()
            .filter(|l| {
                l["msg"]
                    .as_str()
                    .is_some_and(|m| m.starts_with("the bus stream no longer holds"))
            })
            .count();
        assert_eq!(warned, 1, "{}", n.log_text());
    }
}

/// Redis restarted empty: an id of the old stream is a gap on every node (the new stream
/// never issued it), even once the new stream has entries with higher ids.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_id_from_before_redis_came_back_empty_is_a_gap() {
    let Bus {
        mut redis,
        url: _url,
        a,
        b,
        http,
        mut rb,
    } = Bus::start().await;
    invalidate(&http, &a, "posts").await;
    let (old, _) = next_update(&mut rb, Duration::from_secs(10))
        .await
        .expect("the first entry");
    let old = old.expect("an entry id");
    redis.restart();
    // The nodes reconnect by themselves and tell their clients the stream was reset.
    let (name, _, data) = next_event(&mut rb, Duration::from_secs(15)).await;
    assert_eq!(name, "stream-reset", "{data}");
    assert_eq!(data["lastEventId"], old.as_str());
    // A new entry on the new stream (whose ids are higher than the old one's).
    let start = Instant::now();
    while a.health(&http).await["bus"]["connected"] != true {
        assert!(start.elapsed() < Duration::from_secs(15), "the bus never came back");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    invalidate(&http, &a, "pages").await;
    let (fresh, _) = next_update(&mut rb, Duration::from_secs(10))
        .await
        .expect("the new entry");
    assert!(fresh.as_deref() > Some(old.as_str()));
    for n in [&a, &b] {
        let mut r = SseReader::open(&n.url("/api/stream"), Some(&old)).await;
        let (name, _, data) = next_event(&mut r, Duration::from_secs(10)).await;
        assert_eq!(name, "stream-reset", "{data}");
        assert_eq!(data["lastEventId"], old.as_str());
    }
}

/// A `Last-Event-ID` that is not a stream id, or one above the stream's head, gets its
/// `stream-reset` from what the node holds: the stream is not read for it (a garbage id on
/// 500 connections used to cost 7.6 s of node CPU reading the whole stream each time).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage_last_event_ids_do_not_read_the_stream() {
    let redis = RedisServer::start();
    let url = redis.url();
    let a = bus_node(&url);
    let http = http();
    let mut c = conn(&url);
    for i in 0..200 {
        add(&mut c, "*", &valid("posts", i)).unwrap();
    }
    invalidate(&http, &a, "pages").await;
    let before = cmd_calls(&mut c, "xrange");
    for id in ["garbage", "99999999999999-0", "-1"] {
        for _ in 0..20 {
            let mut r = SseReader::open(&a.url("/api/stream"), Some(id)).await;
            let (name, _, data) = next_event(&mut r, Duration::from_secs(10)).await;
            assert_eq!(name, "stream-reset", "{id}: {data}");
        }
    }
    assert_eq!(cmd_calls(&mut c, "xrange"), before, "the stream was read for a gap");
}

/// `FLUSHALL` empties Redis under a running bus (an operator's mistake, a Redis restarted
/// without persistence): the nodes carry on, the next invalidation on one reaches the other
/// node's clients, and health stays ok.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bus_carries_on_after_flushall() {
    let Bus {
        redis: _redis,
        url,
        a,
        b,
        http,
        mut rb,
    } = Bus::start().await;
    invalidate(&http, &a, "posts").await;
    let (_, data) = next_update(&mut rb, Duration::from_secs(10)).await.expect("posts");
    assert_eq!(data["type"], "posts");
    let mut c = conn(&url);
    let _: () = redis::cmd("FLUSHALL").query(&mut c).unwrap();
    invalidate(&http, &a, "pages").await;
    // A reset first is fine (the node may see the stream as gone back); the invalidation
    // itself must arrive.
    let start = Instant::now();
    loop {
        let (name, _, data) = next_event(&mut rb, Duration::from_secs(10)).await;
        if name == "app-update" {
            assert_eq!(data["type"], "pages", "{data}");
            break;
        }
        assert_eq!(name, "stream-reset", "{data}");
        assert!(start.elapsed() < Duration::from_secs(10));
    }
    for n in [&a, &b] {
        let h = n.health(&http).await;
        assert_eq!(h["ok"], true, "{h}");
    }
}
