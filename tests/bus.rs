//! `serve --bus redis` (PROTOCOL section 8): several real nodes sharing invalidations through
//! a real Redis Stream (a redis-server, or a 3-master Redis Cluster), behind a real nginx
//! load balancer; and the commands that look at the bus (`tail --bus`, `doctor`,
//! `redis stats`, `invalidate --bus`).

mod common;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use common::api::{SseReader, http, post_json};
use common::node::{EMAIL, Mode, Node, NodeConfig, PASSWORD, bus_node};
use common::process::Background;
use common::services::{Balancer, RedisCluster, RedisServer};
use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(15);

/// Logs in and invalidates `type` through `base` (the balancer); returns the answer body.
async fn invalidate_via(http: &reqwest::Client, base: &str, type_name: &str) -> Value {
    let (status, body) = post_json(
        http,
        &format!("{base}/api/auth/login"),
        None,
        &json!({"email": EMAIL, "password": PASSWORD}),
    )
    .await;
    assert_eq!(status, 200, "login through {base}: {body}");
    let token = body["token"].as_str().expect("token").to_string();
    let (status, body) = post_json(
        http,
        &format!("{base}/api/cache/invalidate"),
        Some(&token),
        &json!({"type": type_name, "mirror": false}),
    )
    .await;
    assert_eq!(status, 200, "invalidate {type_name} through {base}: {body}");
    body
}

/// The next app-update on a stream: (id, type). Fails on anything else but comments.
async fn next_update(r: &mut SseReader) -> (Option<String>, String) {
    let (name, id, data) = r.next_event(WAIT).await.expect("stream open");
    assert_eq!(name, "app-update", "{data}");
    (id, data["type"].as_str().unwrap_or_default().to_string())
}

/// How many times each node logged applying the entry `id` (its own invalidation, or
/// another node's from the bus).
fn applications(nodes: &[&Node], id: &str) -> Vec<usize> {
    nodes
        .iter()
        .map(|n| {
            n.log_lines()
                .iter()
                .filter(|l| {
                    l["eventId"] == id && (l["msg"] == "cache invalidated" || l["msg"] == "bus invalidation applied")
                })
                .count()
        })
        .collect()
}

/// The types `GET /api/cache/entries` lists.
async fn types_left(http: &reqwest::Client, node: &Node) -> Vec<String> {
    node.entries(http).await.keys().cloned().collect()
}

async fn wait_until(what: &str, mut f: impl AsyncFnMut() -> bool) {
    let start = Instant::now();
    while start.elapsed() < WAIT {
        if f().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting until {what}");
}

/// Three nodes on the bus behind nginx: every invalidation reaches every node's clients and
/// store exactly once; a `tail` through the balancer survives the death of its node.
async fn balanced_scenario(redis_url: &str) {
    let mut nodes = vec![bus_node(redis_url), bus_node(redis_url), bus_node(redis_url)];
    let lb = Balancer::start(&nodes.iter().map(|n| n.port).collect::<Vec<_>>());
    let http = http();
    let mut readers = Vec::new();
    for n in &nodes {
        readers.push(SseReader::open(&n.url("/api/stream"), None).await);
    }
    let dir = tempfile::tempdir().unwrap();
    let lb_base = lb.base();
    let mut tail = Background::spawn(
        dir.path(),
        &["--json", "tail", "--url", &lb_base, "--count", "4", "--timeout", "60s"],
    );
    // Which node did the balancer give the tail to? The one with two clients.
    let mut on = None;
    wait_until("the tail is connected", async || {
        for (i, n) in nodes.iter().enumerate() {
            if n.health(&http).await["clients"] == 2 {
                on = Some(i);
                return true;
            }
        }
        false
    })
    .await;
    let on = on.expect("the node the tail is on");

    let answer = invalidate_via(&http, &lb_base, "posts").await;
    assert_eq!(answer["invalidated"], json!(["posts", "feed"]));
    let mut first_id = None;
    for r in readers.iter_mut() {
        let (id, t) = next_update(r).await;
        assert_eq!(t, "posts");
        let id = id.expect("an entry id");
        assert!(id.contains('-'), "the SSE id is the stream entry id: {id}");
        assert_eq!(first_id.get_or_insert(id.clone()), &id, "one id across the deployment");
    }
    let first_id = first_id.unwrap();
    let all: Vec<&Node> = nodes.iter().collect();
    wait_until("every node logged the invalidation", async || {
        applications(&all, &first_id).iter().all(|n| *n >= 1)
    })
    .await;
    assert_eq!(
        applications(&all, &first_id),
        [1, 1, 1],
        "each store cleared exactly once"
    );
    for n in &nodes {
        let left = types_left(&http, n).await;
        assert!(
            !left.contains(&"posts".to_string()) && !left.contains(&"feed".to_string()),
            "{}: {left:?}",
            n.base
        );
        assert!(left.contains(&"pages".to_string()), "{}: {left:?}", n.base);
    }

    // The tail's node dies; the balancer sends its reconnect (and new requests) elsewhere.
    nodes[on].kill();
    readers.remove(on);
    for t in ["pages", "types", "auth"] {
        invalidate_via(&http, &lb_base, t).await;
    }
    for r in readers.iter_mut() {
        let got: Vec<String> = [next_update(r).await, next_update(r).await, next_update(r).await]
            .into_iter()
            .map(|(_, t)| t)
            .collect();
        assert_eq!(got, ["pages", "types", "auth"]);
    }
    assert_eq!(tail.wait(), 0, "{}", tail.stderr_text());
    let events: Vec<Value> = tail
        .stdout_text()
        .lines()
        .map(|l| serde_json::from_str(l).expect("NDJSON"))
        .collect();
    let types: Vec<&str> = events.iter().map(|e| e["type"].as_str().unwrap_or("?")).collect();
    assert_eq!(
        types,
        ["posts", "pages", "types", "auth"],
        "every event exactly once: {events:#?}"
    );
    let ids: Vec<&str> = events
        .iter()
        .map(|e| e["eventId"].as_str().expect("string ids"))
        .collect();
    let mut unique = ids.clone();
    unique.dedup();
    assert_eq!(unique.len(), 4, "{ids:?}");
    assert_eq!(ids[0], first_id);
    let err = tail.stderr_text();
    assert!(
        err.contains(&format!("resumed {lb_base}/api/stream from id {first_id}")),
        "{err}"
    );
    assert!(!err.contains("gap"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_nodes_behind_nginx_share_invalidations_and_a_tail_survives_its_node() {
    let redis = RedisServer::start();
    balanced_scenario(&redis.url()).await;
    // The stream holds the four entries, with the fields of PROTOCOL section 8.
    let mut c = redis::Client::open(redis.url()).unwrap().get_connection().unwrap();
    let len: u64 = redis::cmd("XLEN").arg("cache:bus").query(&mut c).unwrap();
    assert_eq!(len, 4);
    let v: Vec<(String, BTreeMap<String, String>)> = redis::cmd("XRANGE")
        .arg("cache:bus")
        .arg("-")
        .arg("+")
        .arg("COUNT")
        .arg(1)
        .query(&mut c)
        .unwrap();
    let fields: Vec<&str> = v[0].1.keys().map(String::as_str).collect();
    assert_eq!(fields, ["action", "cleared", "id", "node", "time", "type"]);
    assert_eq!(v[0].1["cleared"], r#"["posts","feed"]"#);
    assert_eq!(v[0].1["id"], "null");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_on_a_three_master_redis_cluster() {
    let cluster = RedisCluster::start(3);
    balanced_scenario(&cluster.url()).await;
}

/// Lines of a node's log with this message and type.
fn logged(node: &Node, msg: &str, type_name: &str) -> Vec<Value> {
    node.log_lines()
        .into_iter()
        .filter(|l| l["msg"] == msg && l["type"] == type_name)
        .collect()
}

fn doctor(node: &Node, redis_url: &str) -> Vec<Value> {
    let dir = tempfile::tempdir().unwrap();
    let out = common::polycache(dir.path())
        .args(["--json", "doctor", "--url", &node.base, "--redis-url", redis_url])
        .args(["--timeout", "3s", "--stream-timeout", "1s"])
        .output()
        .expect("run doctor");
    let v: Value = serde_json::from_slice(&out.stdout).expect("doctor JSON");
    v["checks"].as_array().cloned().unwrap_or_default()
}

fn row<'a>(checks: &'a [Value], name: &str) -> &'a Value {
    checks
        .iter()
        .find(|c| c["check"] == name)
        .unwrap_or_else(|| panic!("no `{name}` row: {checks:#?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_killed_and_restarted_under_running_nodes_loses_nothing_and_applies_nothing_twice() {
    let mut redis = RedisServer::start_with(&["--appendonly", "yes", "--appendfsync", "always"]);
    let a = bus_node(&redis.url());
    let b = bus_node(&redis.url());
    let http = http();
    let mut ra = SseReader::open(&a.url("/api/stream"), None).await;
    let mut rb = SseReader::open(&b.url("/api/stream"), None).await;
    invalidate_via(&http, &a.base, "posts").await;
    let (id_a, _) = next_update(&mut ra).await;
    let (id_b, _) = next_update(&mut rb).await;
    assert_eq!(id_a, id_b);

    redis.kill();
    for n in [&a, &b] {
        wait_until("the node sees the bus down", async || {
            n.health(&http).await["bus"]["connected"] == false
        })
        .await;
        assert_eq!(n.health(&http).await["ok"], true, "it keeps serving");
    }
    let checks = doctor(&a, &redis.url());
    let local = row(&checks, "bus local");
    assert_eq!(local["status"], "fail", "{local}");
    assert!(
        local["detail"].as_str().unwrap().contains("has lost the bus"),
        "{local}"
    );
    assert!(
        a.log_lines()
            .iter()
            .any(|l| l["msg"].as_str().is_some_and(|m| m.starts_with("bus unreachable"))),
        "{}",
        a.log_text()
    );

    // Each node still serves its own clients: cleared, announced at once (without an id,
    // so the clients' Last-Event-ID stays on the stream), queued for the bus.
    invalidate_via(&http, &a.base, "pages").await;
    invalidate_via(&http, &b.base, "auth").await;
    assert_eq!(next_update(&mut ra).await, (None, "pages".into()));
    assert_eq!(next_update(&mut rb).await, (None, "auth".into()));
    assert_eq!(a.health(&http).await["bus"]["pending"], 1);
    assert!(!types_left(&http, &a).await.contains(&"pages".to_string()));
    assert!(
        types_left(&http, &b).await.contains(&"pages".to_string()),
        "b has not heard yet"
    );
    assert!(
        types_left(&http, &a).await.contains(&"auth".to_string()),
        "a has not heard yet"
    );

    redis.restart();
    for n in [&a, &b] {
        wait_until("the node is back on the bus", async || {
            let h = n.health(&http).await;
            h["bus"]["connected"] == true && h["bus"]["pending"] == 0
        })
        .await;
    }
    // Each hears the other's queued invalidation from the stream, once, with its entry id.
    let (id, t) = next_update(&mut ra).await;
    assert_eq!((t.as_str(), id.is_some()), ("auth", true));
    let (id, t) = next_update(&mut rb).await;
    assert_eq!((t.as_str(), id.is_some()), ("pages", true));
    for (n, other) in [(&a, "auth"), (&b, "pages")] {
        let left = types_left(&http, n).await;
        assert!(
            !left.contains(&"pages".to_string()) && !left.contains(&"auth".to_string()),
            "{left:?}"
        );
        assert_eq!(
            logged(n, "bus invalidation applied", other).len(),
            1,
            "{}",
            n.log_text()
        );
    }
    for (n, own) in [(&a, "pages"), (&b, "auth")] {
        assert_eq!(logged(n, "cache invalidated", own).len(), 1);
        assert_eq!(
            logged(n, "bus invalidation applied", own).len(),
            0,
            "own entry applied twice"
        );
        assert_eq!(logged(n, "queued invalidation appended to the bus", own).len(), 1);
    }
    // The entry from before the outage is still in the stream and was not applied again.
    let id = id_a.unwrap();
    for n in [&a, &b] {
        let again = n.log_lines().iter().filter(|l| l["eventId"] == id.as_str()).count();
        assert_eq!(again, 1, "{}", n.log_text());
    }
    // And life goes on: the next invalidation reaches both, exactly once.
    invalidate_via(&http, &b.base, "types").await;
    assert_eq!(next_update(&mut ra).await.1, "types");
    assert_eq!(next_update(&mut rb).await.1, "types");
    let checks = doctor(&a, &redis.url());
    assert_eq!(row(&checks, "bus local")["status"], "pass");
    let bus = row(&checks, "bus");
    assert_eq!(bus["status"], "pass", "{bus}");
    let detail = bus["detail"].as_str().unwrap();
    assert!(
        detail.contains("cache:bus on redis://127.0.0.1") && detail.contains("4 entries"),
        "{detail}"
    );
    assert!(detail.contains("2 nodes seen in the last minute"), "{detail}");
    assert!(detail.contains("(lag 0"), "{detail}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tail_bus_follows_redis_and_invalidate_bus_and_redis_stats_know_the_bus() {
    let redis = RedisServer::start();
    let url = redis.url();
    let a = bus_node(&url);
    let b = bus_node(&url);
    let http = http();
    let node_a = a.health(&http).await["bus"]["node"].as_str().unwrap().to_string();
    let node_b = b.health(&http).await["bus"]["node"].as_str().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let mut tail = Background::spawn(
        dir.path(),
        &[
            "--json",
            "tail",
            "--redis-url",
            &url,
            "--bus",
            "--count",
            "2",
            "--timeout",
            "30s",
        ],
    );
    wait_until("tail --bus follows", async || {
        tail.stderr_text().contains("following the bus cache:bus")
    })
    .await;
    invalidate_via(&http, &a.base, "posts").await;
    invalidate_via(&http, &b.base, "translations").await;
    assert_eq!(tail.wait(), 0, "{}", tail.stderr_text());
    let lines: Vec<Value> = tail
        .stdout_text()
        .lines()
        .map(|l| serde_json::from_str(l).expect("NDJSON"))
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["node"], node_a.as_str());
    assert_eq!(lines[0]["type"], "posts");
    assert_eq!(lines[0]["cleared"], json!(["posts", "feed"]));
    assert_eq!(lines[1]["node"], node_b.as_str());
    assert_eq!(lines[1]["cleared"], json!(["translations", "pages", "feed"]));
    assert!(lines[1]["eventId"].as_str().is_some_and(|i| i.contains('-')));
    assert!(lines[1]["time"].as_str().is_some_and(|t| t.ends_with('Z')));
    assert!(lines[1]["delayMs"].is_u64());

    // Human lines, replayed from the start of the stream.
    let out = common::polycache(dir.path())
        .args([
            "tail",
            "--redis-url",
            &url,
            "--bus",
            "--since-id",
            "0-0",
            "--count",
            "2",
            "--timeout",
            "10s",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    let first = text.lines().next().unwrap_or_default();
    assert!(
        first.contains(&node_a) && first.contains(" posts update -> cleared posts, feed"),
        "{text}"
    );

    // Invalidations go through a node, never straight onto the bus.
    let out = common::polycache(dir.path())
        .args(["invalidate", "posts", "--bus"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("not written to the bus directly") && err.contains("send it to any node"),
        "{err}"
    );

    // redis stats shows the bus apart from the cache's keys.
    let out = common::polycache(dir.path())
        .args(["--json", "redis", "stats", "--redis-url", &url])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["total"]["keys"], 0, "bus keys are not cache keys: {v}");
    assert_eq!(v["bus"][0]["key"], "cache:bus");
    assert_eq!(v["bus"][0]["entries"], 2);
    assert_eq!(v["bus"][1]["key"], "cache:bus:nodes");
    let out = common::polycache(dir.path())
        .args(["redis", "stats", "--redis-url", &url])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("bus: cache:bus ("), "{text}");
    assert!(!text.contains("\n│ bus "), "{text}");
}

/// A reconnect whose entries were trimmed from the stream gets a `stream-reset` first, then
/// what the stream holds; one whose entries are all there gets exactly them, from any node.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resume_on_another_node_is_replayed_from_the_stream_or_told_of_the_trim() {
    let redis = RedisServer::start();
    let node = |_| {
        Node::start(
            &NodeConfig::new(Mode::Memory)
                .arg("--bus")
                .arg("redis")
                .arg("--bus-maxlen")
                .arg("100")
                .env("REDIS_URL", &redis.url()),
        )
    };
    let (a, b) = (node(0), node(1));
    let http = http();
    let mut ra = SseReader::open(&a.url("/api/stream"), None).await;
    invalidate_via(&http, &a.base, "posts").await;
    invalidate_via(&http, &a.base, "pages").await;
    let (first, _) = next_update(&mut ra).await;
    let (second, _) = next_update(&mut ra).await;
    let first = first.unwrap();
    // Resumed on the other node, which issued nothing itself: replayed from the stream.
    let mut rb = SseReader::open(&b.url("/api/stream"), Some(&first)).await;
    assert_eq!(next_update(&mut rb).await, (second.clone(), "pages".to_string()));

    // Enough entries for MAXLEN ~ 100 to trim the first ones.
    let token = a.login(&http).await;
    for _ in 0..300 {
        a.invalidate(&http, Some(&token), &json!({"type": "auth", "mirror": false}))
            .await;
    }
    let mut c = redis::Client::open(redis.url()).unwrap().get_connection().unwrap();
    let len: u64 = redis::cmd("XLEN").arg("cache:bus").query(&mut c).unwrap();
    assert!(len < 302, "the stream was trimmed: {len}");
    let mut rb = SseReader::open(&b.url("/api/stream"), Some(&first)).await;
    let (name, id, data) = rb.next_event(WAIT).await.expect("a reset");
    assert_eq!(name, "stream-reset", "{data}");
    assert_eq!(id, None);
    assert_eq!(data["lastEventId"], first.as_str());
    let oldest = data["oldest"].as_str().expect("the oldest held").to_string();
    let (id, _) = next_update(&mut rb).await;
    assert_eq!(
        id.as_deref(),
        Some(oldest.as_str()),
        "then what the stream holds, from its oldest"
    );
    // An id no node issued is a gap too.
    let mut rb = SseReader::open(&b.url("/api/stream"), Some("99999999999999-0")).await;
    assert_eq!(rb.next_event(WAIT).await.expect("a reset").0, "stream-reset");
}

#[test]
fn a_bus_node_needs_its_redis_at_startup_and_keeps_no_state_file() {
    let dir = tempfile::tempdir().unwrap();
    let port = common::free_port().to_string();
    let out = common::polycache(dir.path())
        .args(["serve", "--dev", "--port", &port, "--bus", "redis"])
        .args(["--redis-url", "redis://:hunter2@127.0.0.1:1"])
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("the bus at redis://") && err.contains("127.0.0.1:1"),
        "{err}"
    );
    assert!(err.contains("REDIS_URL"), "a hint: {err}");
    assert!(!err.contains("hunter2"), "{err}");
    let out = common::polycache(dir.path())
        .args([
            "serve", "--dev", "--port", &port, "--bus", "redis", "--state", "s.ndjson",
        ])
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--state and --bus cannot be used together"));
}
