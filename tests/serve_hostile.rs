//! `polycache serve` under hostile and unlucky conditions: refused requests leave a trace,
//! out-of-range input is a 400 that never breaks the store, health tells the truth, a torn
//! state file does not stop the node, shutdown accounts for mirror broadcasts in flight,
//! and only tokens this node issued for accounts it knows are accepted. Real node
//! processes on loopback ports, a real redis-server, real files.

mod common;

use std::time::{Duration, Instant};

use common::api::{SseReader, http, post_json};
use common::clean_command;
use common::node::{EMAIL, Mode, Node, NodeConfig, PASSWORD, SECRET};
use common::services::RedisServer;
use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(10);

fn sigterm(node: &Node) {
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &node.pid().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
}

/// A token signed with the node's own secret, with these claims.
fn mint(claims: Value) -> String {
    polycache::jwt::install();
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(SECRET.as_bytes()),
    )
    .unwrap()
}

fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

// ---------------------------------------------------------------------------------------
// refused requests and failed logins leave a trace

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_requests_and_failed_logins_are_logged_at_warn_without_secrets() {
    let node = Node::start(&NodeConfig::new(Mode::Memory));
    let http = http();
    let wrong_password = "wrong-password-Qm7";
    let (status, _) = post_json(
        &http,
        &node.url("/api/auth/login"),
        None,
        &json!({"email": "intruder@polycache.test", "password": wrong_password}),
    )
    .await;
    assert_eq!(status, 401);
    let (status, _) = post_json(
        &http,
        &node.url("/auth/v1/token?grant_type=password"),
        None,
        &json!({"email": EMAIL, "password": wrong_password}),
    )
    .await;
    assert_eq!(status, 401);
    let forged = mint(json!({"sub": EMAIL, "iat": now_secs(), "exp": now_secs() + 600, "iss": "elsewhere"}));
    let (status, _) = node.invalidate(&http, Some(&forged), &json!({"type": "posts"})).await;
    assert_eq!(status, 401);
    let (status, _) = node.invalidate(&http, None, &json!({"type": "posts"})).await;
    assert_eq!(status, 401);
    let token = node.login(&http).await;
    let (status, _) = node.invalidate(&http, Some(&token), &json!({"type": "postz"})).await;
    assert_eq!(status, 400);
    let status = http.get(node.url("/api/no-such-thing")).send().await.unwrap().status();
    assert_eq!(status, 404);
    // A path that does not decode is refused with a JSON error like the rest.
    let resp = http
        .put(node.url("/api/cache/entries/posts/%ff%fe"))
        .bearer_auth(&token)
        .json(&json!({"v": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let v: Value = resp.json().await.expect("a JSON error");
    assert!(v["error"].as_str().is_some_and(|e| e.contains("UTF-8")), "{v}");

    let text = node.log_text();
    let warns: Vec<Value> = node.log_lines().into_iter().filter(|l| l["level"] == 40).collect();
    let find = |route: &str, status: u16| {
        warns
            .iter()
            .find(|l| l["route"] == route && l["status"] == status)
            .unwrap_or_else(|| panic!("no warn line for {status} {route} in:\n{text}"))
            .clone()
    };
    let login = find("/api/auth/login", 401);
    assert_eq!(login["msg"], "login refused");
    assert_eq!(login["email"], "intruder@polycache.test");
    assert_eq!(login["reason"], "invalid credentials");
    assert_eq!(login["method"], "POST");
    assert_eq!(find("/auth/v1/token", 401)["email"], EMAIL);
    let forged_line = warns
        .iter()
        .find(|l| l["route"] == "/api/cache/invalidate" && l["reason"].as_str().is_some_and(|r| r.contains("`iss`")))
        .unwrap_or_else(|| panic!("no warn line for the forged token in:\n{text}"));
    assert_eq!(forged_line["status"], 401);
    assert!(warns.iter().any(|l| {
        l["status"] == 401
            && l["reason"]
                .as_str()
                .is_some_and(|r| r.contains("missing Authorization"))
    }));
    let bad_type = find("/api/cache/invalidate", 400);
    assert!(
        bad_type["reason"].as_str().unwrap().contains("did you mean `posts`"),
        "{bad_type}"
    );
    assert_eq!(find("/api/no-such-thing", 404)["reason"], "no such endpoint");
    assert!(
        find("/api/cache/entries/posts/%ff%fe", 400)["reason"]
            .as_str()
            .unwrap()
            .contains("UTF-8")
    );
    for secret in [wrong_password, PASSWORD, SECRET, &forged, &token] {
        assert!(!text.contains(secret), "the log holds a password or token:\n{text}");
    }
}

// ---------------------------------------------------------------------------------------
// out-of-range input is a 400 and never breaks the store

async fn huge_ttl_scenario(mode: Mode<'_>) {
    let node = Node::start(&NodeConfig::new(mode));
    let http = http();
    let token = node.login(&http).await;
    let put = |ttl: &str| {
        http.put(node.url(&format!("/api/cache/entries/posts/x?ttl={ttl}")))
            .bearer_auth(&token)
            .json(&json!({"v": 1}))
            .send()
    };
    for ttl in [
        "9223372036854775807",
        "18446744073709551615",
        "18446744073709551616",
        "315360001",
        "-1",
        "0",
        "1e9",
    ] {
        let resp = put(ttl).await.unwrap();
        assert_eq!(resp.status(), 400, "ttl={ttl}");
        let v: Value = resp.json().await.unwrap();
        let msg = v["error"].as_str().unwrap_or_default();
        assert!(
            msg.contains("`ttl`") && msg.contains("from 1 to 315360000"),
            "ttl={ttl}: {msg}"
        );
    }
    // The store is still usable: seeding, listing and invalidating work, health is ok.
    let resp = put("315360000").await.unwrap();
    assert_eq!(resp.status(), 200);
    let (status, body) = node.invalidate(&http, Some(&token), &json!({"type": "posts"})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["invalidated"], json!(["posts", "feed"]));
    let entries = node.entries(&http).await;
    assert!(!entries.contains_key("posts"), "{entries:?}");
    assert_eq!(entries["pages"].as_array().map(Vec::len), Some(3));
    let health = node.health(&http).await;
    assert_eq!(health["ok"], true, "{health}");
}

both_stores!(
    huge_ttl_scenario,
    out_of_range_ttl_is_a_400_and_the_store_stays_usable,
    out_of_range_ttl_is_a_400_and_the_store_stays_usable_redis
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_says_so_when_the_store_stops_answering() {
    let redis = RedisServer::start();
    let cfg = NodeConfig::new(Mode::Redis(&redis));
    let node = Node::start(&cfg);
    let http = http();
    assert_eq!(node.health(&http).await["ok"], true);
    drop(cfg);
    drop(redis);
    let resp = http.get(node.url("/api/health")).send().await.unwrap();
    assert_eq!(resp.status(), 503);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["ok"], false, "{v}");
    assert_eq!(v["store"], "redis");
    assert!(v["storeError"].as_str().is_some_and(|e| !e.is_empty()), "{v}");
}

// ---------------------------------------------------------------------------------------
// a torn state file

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_torn_last_line_in_the_state_file_is_skipped_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("events.ndjson");
    // Two events, then a third cut inside the two-byte UTF-8 character `é`.
    let mut bytes = Vec::new();
    for id in 1..=2 {
        let data = json!({"type": "posts", "id": id, "action": "update"}).to_string();
        bytes.extend(
            json!({"id": id, "name": "app-update", "data": data})
                .to_string()
                .into_bytes(),
        );
        bytes.push(b'\n');
    }
    bytes.extend_from_slice(b"{\"id\":3,\"name\":\"app-update\",\"data\":\"{\\\"type\\\":\\\"caf\xc3");
    std::fs::write(&state, &bytes).unwrap();
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "the file is cut inside a character"
    );

    let node = Node::start(
        &NodeConfig::new(Mode::Memory)
            .arg("--state")
            .arg(state.to_str().unwrap()),
    );
    let stderr = node.stderr_text();
    assert!(
        stderr.contains("warning:") && stderr.contains("damaged line 3") && stderr.contains("skipped"),
        "{stderr}"
    );
    let line = node
        .wait_log("about the damaged state line", |l| {
            l["level"] == 40 && l["msg"].as_str().is_some_and(|m| m.contains("damaged line 3"))
        })
        .await;
    assert_eq!(line["module"], "stream");
    // The intact events are kept: a reconnecting client still gets them, and ids go on.
    let mut sse = SseReader::open(&node.url("/api/stream"), Some("1")).await;
    let (name, id, _) = sse.next_event(WAIT).await.expect("the replayed event");
    assert_eq!((name.as_str(), id.as_deref()), ("app-update", Some("2")));
    let http = http();
    let token = node.login(&http).await;
    let (status, _) = node
        .invalidate(&http, Some(&token), &json!({"type": "posts", "mirror": false}))
        .await;
    assert_eq!(status, 200);
    let (_, id, _) = sse.next_event(WAIT).await.expect("the live event");
    assert_eq!(id.as_deref(), Some("3"));
}

// ---------------------------------------------------------------------------------------
// shutdown with mirror broadcasts in flight

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_names_every_mirror_invalidation_it_abandons() {
    // A mirror that takes a minute to answer an invalidation.
    let slow = Node::start(&NodeConfig::new(Mode::Memory).arg("--delay-ms").arg("60000"));
    let mut node = Node::start(
        &NodeConfig::new(Mode::Memory)
            .mirrors(&[&slow.base])
            .arg("--shutdown-grace")
            .arg("1s"),
    );
    let http = http();
    let token = node.login(&http).await;
    let (status, body) = node.invalidate(&http, Some(&token), &json!({"type": "posts"})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["mirrored"], true);
    // Give the broadcast time to log in to the mirror and post (it is pending either way).
    tokio::time::sleep(Duration::from_millis(500)).await;
    let start = Instant::now();
    sigterm(&node);
    let status = node.wait_exit(WAIT).expect("the node did not exit after SIGTERM");
    let took = start.elapsed();
    assert_eq!(status.code(), Some(0));
    assert!(
        took < Duration::from_secs(5),
        "the grace period is 1 s, exit took {took:?}"
    );
    let text = node.log_text();
    let line = node
        .log_lines()
        .into_iter()
        .find(|l| l["msg"] == "mirror invalidation abandoned at shutdown")
        .unwrap_or_else(|| panic!("no line names the abandoned mirror invalidation:\n{text}"));
    assert_eq!(line["level"], 40);
    assert_eq!(line["target"], json!(slow.base));
    assert_eq!(line["type"], "posts");
    assert_eq!(line["graceMs"], 1000);
    assert!(text.contains("waiting for mirror broadcasts in flight"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_lets_a_slow_mirror_broadcast_finish_within_the_grace_period() {
    let slow = Node::start(&NodeConfig::new(Mode::Memory).arg("--delay-ms").arg("1500"));
    let mut node = Node::start(&NodeConfig::new(Mode::Memory).mirrors(&[&slow.base]));
    let http = http();
    let token = node.login(&http).await;
    let (status, body) = node.invalidate(&http, Some(&token), &json!({"type": "pages"})).await;
    assert_eq!(status, 200, "{body}");
    sigterm(&node);
    let status = node.wait_exit(WAIT).expect("the node did not exit after SIGTERM");
    assert_eq!(status.code(), Some(0));
    let text = node.log_text();
    assert!(
        node.log_lines()
            .iter()
            .any(|l| l["msg"] == "mirror invalidated" && l["target"] == json!(slow.base) && l["status"] == 200),
        "the broadcast did not finish:\n{text}"
    );
    assert!(!text.contains("abandoned"), "{text}");
    // The mirror really received it.
    slow.wait_log("for the mirrored invalidation", |l| {
        l["msg"] == "cache invalidated" && l["type"] == "pages"
    })
    .await;
}

// ---------------------------------------------------------------------------------------
// JWT claims

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_need_this_nodes_issuer_a_known_account_and_to_be_in_force() {
    let node = Node::start(&NodeConfig::new(Mode::Memory));
    let http = http();
    let now = now_secs();
    let good = json!({"sub": EMAIL, "iat": now, "exp": now + 600, "iss": "polycache-serve"});
    let with = |k: &str, v: Value| {
        let mut c = good.clone();
        c[k] = v;
        mint(c)
    };
    let without = |k: &str| {
        let mut c = good.clone();
        c.as_object_mut().unwrap().remove(k);
        mint(c)
    };
    let mut stream = SseReader::open(&node.url("/api/stream"), None).await;
    for (what, token, says) in [
        ("a foreign issuer", with("iss", "another-service".into()), "`iss`"),
        ("no issuer", without("iss"), "`iss`"),
        (
            "an unknown account",
            with("sub", "nobody@polycache.test".into()),
            "`sub`",
        ),
        ("a future nbf", with("nbf", (now + 600).into()), "`nbf`"),
        ("an expired token", with("exp", (now - 10).into()), "expired"),
        ("no exp", without("exp"), "invalid token"),
    ] {
        let (status, body) = node
            .invalidate(&http, Some(&token), &json!({"type": "posts", "mirror": false}))
            .await;
        assert_eq!(status, 401, "{what}: {body}");
        let msg = body["error"].as_str().unwrap_or_default();
        assert!(msg.contains(says), "{what}: {msg}");
        assert!(!msg.contains(&token), "{what}: the error echoes the token");
    }
    assert_eq!(
        node.entries(&http).await["posts"].as_array().map(Vec::len),
        Some(3),
        "a refused token changed the store"
    );
    // A token that is in force (nbf in the past) from this node's issuer works.
    let (status, body) = node
        .invalidate(
            &http,
            Some(&with("nbf", (now - 5).into())),
            &json!({"type": "posts", "mirror": false}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (_, id, data) = stream.next_event(WAIT).await.expect("one event");
    assert_eq!((id.as_deref(), &data["type"]), (Some("1"), &json!("posts")));
}

// ---------------------------------------------------------------------------------------
// wording

#[test]
fn serve_help_says_the_dev_password_goes_to_a_private_env_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = clean_command(dir.path()).args(["serve", "--help"]).output().unwrap();
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(!help.contains("printed on the banner"), "{help}");
    assert!(help.contains("env file only you can read (mode 0600"), "{help}");
    assert!(help.contains("--shutdown-grace"), "{help}");
}

/// An `id` over 1,024 bytes or a `type` over 256 is a 400 naming the field: 5,000
/// invalidations with a 65 KB id grew a node to 306 MB and made one `Last-Event-ID: 1`
/// replay 266 MB; at the limits, what a node keeps and replays is bounded.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ids_and_types_over_their_limits_are_refused() {
    let node = Node::memory();
    let http = http();
    let token = node.login(&http).await;
    let long_id = "i".repeat(1025);
    let (status, body) = node
        .invalidate(
            &http,
            Some(&token),
            &json!({"type": "posts", "id": long_id, "mirror": false}),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"], "`id` is longer than 1024 bytes");
    let (status, body) = node
        .invalidate(&http, Some(&token), &json!({"type": "p".repeat(257), "mirror": false}))
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"], "`type` is longer than 256 bytes");
    // At the limit it is an invalidation like any other.
    let (status, body) = node
        .invalidate(
            &http,
            Some(&token),
            &json!({"type": "posts", "id": "i".repeat(1024), "mirror": false}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
}

/// Without `--state` a node numbers events from the clock: after a restart, an id of the
/// previous run is a gap (`stream-reset`), never taken for another event of the new run
/// (a client resuming with `Last-Event-ID: 3` used to get #4.. and silently miss #1-#3).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ids_never_repeat_across_restarts_without_state() {
    let mut node = Node::start(&NodeConfig::new(Mode::Memory).clock_ids());
    let http = http();
    let mut r = SseReader::open(&node.url("/api/stream"), None).await;
    let token = node.login(&http).await;
    for t in ["posts", "pages", "feed"] {
        let (status, body) = node
            .invalidate(&http, Some(&token), &json!({"type": t, "mirror": false}))
            .await;
        assert_eq!(status, 200, "{body}");
    }
    let mut old = Vec::new();
    for _ in 0..3 {
        let (_, id, _) = r.next_event(WAIT).await.expect("an event");
        old.push(id.expect("an id").parse::<u64>().expect("a number"));
    }
    assert_eq!(old[1], old[0] + 1, "consecutive within a run");
    assert!(old[0] > 1_000_000_000_000_000, "from the clock: {old:?}");
    drop(r);
    node.restart();
    let token = node.login(&http).await;
    let (status, body) = node
        .invalidate(&http, Some(&token), &json!({"type": "categories", "mirror": false}))
        .await;
    assert_eq!(status, 200, "{body}");
    let mut again = SseReader::open(&node.url("/api/stream"), Some(&old[0].to_string())).await;
    let (name, _, data) = again.next_event(WAIT).await.expect("an event");
    assert_eq!(name, "stream-reset", "{data}");
    let (name, id, data) = again.next_event(WAIT).await.expect("an event");
    assert_eq!(
        (name.as_str(), data["type"].as_str()),
        ("app-update", Some("categories"))
    );
    let new: u64 = id.expect("an id").parse().unwrap();
    assert!(new > old[2], "{new} after {old:?}");
}

/// SIGTERM with stream clients that do not read: the node stops within about a second
/// instead of waiting its whole grace (11.2 s before) for writes that never drain. Each
/// client asks for a replay of everything held (`Last-Event-ID: 1`), more than the kernel
/// buffers take, and reads none of it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_does_not_wait_for_stream_clients_that_do_not_read() {
    use futures::StreamExt;
    use tokio::io::AsyncWriteExt;
    let mut node = Node::memory();
    let http = http();
    let token = node.login(&http).await;
    let big = json!({"type": "feed", "id": "x".repeat(1024), "mirror": false});
    let statuses: Vec<u16> = futures::stream::iter(0..4500)
        .map(|_| node.invalidate(&http, Some(&token), &big))
        .buffer_unordered(8)
        .map(|r| r.0)
        .collect()
        .await;
    assert!(statuses.iter().all(|s| *s == 200));
    let mut stuck = Vec::new();
    for _ in 0..3 {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.set_recv_buffer_size(2048).unwrap();
        let mut s = socket
            .connect(std::net::SocketAddr::from(([127, 0, 0, 1], node.port)))
            .await
            .unwrap();
        s.write_all(b"GET /api/stream HTTP/1.1\r\nHost: x\r\nLast-Event-ID: 1\r\n\r\n")
            .await
            .unwrap();
        stuck.push(s);
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let start = Instant::now();
    sigterm(&node);
    let status = node.wait_exit(Duration::from_secs(15));
    let took = start.elapsed();
    eprintln!(
        "stopped {} ms after SIGTERM with 3 clients that do not read",
        took.as_millis()
    );
    assert!(status.is_some(), "still running 15 s after SIGTERM");
    assert!(took < Duration::from_secs(4), "took {took:?}");
    drop(stuck);
}

/// The log an operator runs: a `node started` line first (version, commit, address,
/// store), SIGHUP after logrotate moved the file makes the node write to a new one with no
/// line lost, and SIGTERM ends with `node stopped`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_reopens_the_log_after_a_rotation_and_start_and_stop_are_logged() {
    let mut node = Node::memory();
    let http = http();
    let token = node.login(&http).await;
    let invalidate = |t: &'static str| {
        let (http, token, node) = (http.clone(), token.clone(), &node);
        async move {
            let (status, _) = node
                .invalidate(&http, Some(&token), &json!({"type": t, "mirror": false}))
                .await;
            assert_eq!(status, 200);
        }
    };
    invalidate("posts").await;
    let first = node.log_lines().into_iter().next().expect("a first line");
    assert_eq!(first["msg"], "node started", "{first}");
    assert_eq!(first["store"], "memory");
    assert!(first["commit"].is_string() && first["version"].is_string(), "{first}");
    // logrotate: move the file away, then SIGHUP.
    let rotated = node.log.with_extension("json.1");
    std::fs::rename(&node.log, &rotated).unwrap();
    invalidate("pages").await; // still into the moved file: nothing is lost
    let hup = std::process::Command::new("kill")
        .args(["-HUP", &node.pid().to_string()])
        .status()
        .unwrap();
    assert!(hup.success());
    let start = Instant::now();
    while !node.log.exists() {
        assert!(start.elapsed() < WAIT, "no new log file after SIGHUP");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    invalidate("feed").await;
    sigterm(&node);
    assert!(node.wait_exit(WAIT).is_some());
    let old = common::node::read_ndjson(&rotated);
    let new = common::node::read_ndjson(&node.log);
    let types = |lines: &[Value]| -> Vec<String> {
        lines
            .iter()
            .filter(|l| l["msg"] == "cache invalidated")
            .map(|l| l["type"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    assert_eq!(types(&old), ["posts", "pages"]);
    assert_eq!(types(&new), ["feed"]);
    assert_eq!(new[0]["msg"], "log file reopened");
    assert_eq!(new.last().unwrap()["msg"], "node stopped");
}

/// `--log-file -`: the pino lines go to standard output (one process, one stream, as
/// containers expect), after the banner.
#[test]
fn the_log_can_go_to_standard_output() {
    let dir = tempfile::tempdir().unwrap();
    let port = common::free_port();
    let mut cmd = clean_command(dir.path());
    cmd.args(["serve", "--dev", "--port", &port.to_string(), "--log-file", "-"]);
    let mut node = common::process::Background::start(cmd, dir.path().join("out"), dir.path().join("err"));
    assert!(common::wait_for_port(port, Duration::from_secs(10)));
    let start = Instant::now();
    while !node.stdout_text().contains("\"msg\":\"node started\"") {
        assert!(start.elapsed() < WAIT, "{}", node.stdout_text());
        std::thread::sleep(Duration::from_millis(20));
    }
    let line = node
        .stdout_text()
        .lines()
        .find(|l| l.contains("node started"))
        .map(|l| serde_json::from_str::<Value>(l).expect("a pino line"))
        .unwrap();
    assert_eq!(line["level"], 30);
    assert!(!dir.path().join("-").exists(), "no file named -");
    node.process().kill_and_wait();
}
