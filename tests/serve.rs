//! Whole-binary tests of `polycache serve`: real node processes on loopback ports, real
//! HTTP and SSE, and the same scenarios against the memory store and a real redis-server.

mod common;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use common::api::{Frame, SseReader, http, post_json};
use common::clean_command;
use common::node::{
    EMAIL, Mode, Node, NodeConfig, PASSWORD, SECRET, TEST_EMAIL, TEST_PASSWORD, expired_token, read_ndjson,
};
use common::process::Reaped;
use common::services::RedisServer;
use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(10);

fn keys_of(entries: &serde_json::Map<String, Value>, t: &str) -> usize {
    entries.get(t).and_then(|v| v.as_array()).map(|a| a.len()).unwrap_or(0)
}

fn types_with_entries(entries: &serde_json::Map<String, Value>) -> BTreeSet<String> {
    entries
        .iter()
        .filter(|(_, v)| v.as_array().is_some_and(|a| !a.is_empty()))
        .map(|(k, _)| k.clone())
        .collect()
}

// ---------------------------------------------------------------------------------------
// login

async fn login_scenario(mode: Mode<'_>) {
    let node = Node::start(&NodeConfig::new(mode));
    let http = http();
    let login = node.url("/api/auth/login");

    let (status, body) = post_json(&http, &login, None, &json!({"email": EMAIL, "password": PASSWORD})).await;
    assert_eq!(status, 200, "{body}");
    let token = body["token"].as_str().expect("token");
    assert_eq!(token.split('.').count(), 3, "a JWT");
    assert_eq!(body["expires_in"], 3600);
    let exp = polycache::client::auth::jwt_exp(token).expect("exp claim");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    assert!(exp > now + 3500 && exp <= now + 3600, "exp in one hour");

    // The test account works too; the Supabase-shaped path answers `access_token`.
    let (status, _) = post_json(
        &http,
        &login,
        None,
        &json!({"email": TEST_EMAIL, "password": TEST_PASSWORD}),
    )
    .await;
    assert_eq!(status, 200);
    let supa = node.url("/auth/v1/token?grant_type=password");
    let (status, body) = post_json(&http, &supa, None, &json!({"email": EMAIL, "password": PASSWORD})).await;
    assert_eq!(status, 200, "{body}");
    assert!(body["access_token"].as_str().is_some_and(|t| t.split('.').count() == 3));

    for bad in [
        json!({"email": EMAIL, "password": "wrong"}),
        json!({"email": "nobody@polycache.test", "password": PASSWORD}),
        json!({"email": EMAIL, "password": TEST_PASSWORD}),
    ] {
        let (status, body) = post_json(&http, &login, None, &bad).await;
        assert_eq!(status, 401, "{bad}");
        assert_eq!(body, json!({"error": "invalid credentials"}));
        let (status, _) = post_json(&http, &supa, None, &bad).await;
        assert_eq!(status, 401);
    }
    let (status, body) = post_json(&http, &login, None, &json!({"email": EMAIL})).await;
    assert_eq!(status, 400);
    assert!(body["error"].as_str().is_some());
}

both_stores!(
    login_scenario,
    login_works_and_bad_credentials_get_401,
    login_works_and_bad_credentials_get_401_redis,
    login_works_and_bad_credentials_get_401_cluster
);

// ---------------------------------------------------------------------------------------
// refused invalidations change nothing

async fn refused_scenario(mode: Mode<'_>) {
    let node = Node::start(&NodeConfig::new(mode));
    let http = http();
    let before = node.entries(&http).await;
    assert_eq!(keys_of(&before, "posts"), 3, "demo data: {before:?}");
    let mut stream = SseReader::open(&node.url("/api/stream"), None).await;

    let other_secret = {
        let claims = json!({"sub": EMAIL, "exp": 4_000_000_000u64});
        polycache::jwt::install();
        jsonwebtoken::encode(
            &jsonwebtoken::Header::default(),
            &claims,
            &jsonwebtoken::EncodingKey::from_secret(b"not-the-node-secret"),
        )
        .unwrap()
    };
    let expired = expired_token(SECRET);
    let body = json!({"type": "posts", "mirror": false});
    let cases: [(&str, Option<&str>); 4] = [
        ("no token", None),
        ("garbage token", Some("not-a-jwt")),
        ("token signed with another secret", Some(&other_secret)),
        ("expired token", Some(&expired)),
    ];
    for (what, token) in cases {
        let (status, answer) = node.invalidate(&http, token, &body).await;
        assert_eq!(status, 401, "{what}: {answer}");
        assert!(answer["error"].as_str().is_some(), "{what}: JSON error");
        if what == "expired token" {
            assert_eq!(answer["error"], "token expired");
        }
    }
    // A malformed Authorization header is refused too.
    let resp = http
        .post(node.url("/api/cache/invalidate"))
        .header("authorization", format!("Basic {expired}"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);

    assert_eq!(
        node.entries(&http).await,
        before,
        "a refused invalidation changed the store"
    );
    assert_eq!(
        node.health(&http).await["lastEventId"],
        "0",
        "a refused invalidation notified SSE clients"
    );
    // The first thing the stream carries is the first accepted invalidation, not a refused one.
    let token = node.login(&http).await;
    let (status, _) = node
        .invalidate(&http, Some(&token), &json!({"type": "auth", "mirror": false}))
        .await;
    assert_eq!(status, 200);
    let (_, id, data) = stream.next_event(WAIT).await.expect("event");
    assert_eq!((id.as_deref(), data["type"].as_str()), (Some("1"), Some("auth")));
    assert!(
        !node.log_text().contains("\"posts\""),
        "a refused invalidation was logged as done"
    );
}

both_stores!(
    refused_scenario,
    invalidation_without_valid_token_gets_401_and_changes_nothing,
    invalidation_without_valid_token_gets_401_and_changes_nothing_redis,
    invalidation_without_valid_token_gets_401_and_changes_nothing_cluster
);

// ---------------------------------------------------------------------------------------
// the cascade

async fn cascade_scenario(mode: Mode<'_>) {
    let node = Node::start(&NodeConfig::new(mode));
    let http = http();
    let before = node.entries(&http).await;
    let all: BTreeSet<String> = [
        "auth",
        "categories",
        "feed",
        "pages",
        "pictures",
        "posts",
        "translations",
        "types",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(types_with_entries(&before), all);

    let token = node.login(&http).await;
    // `picture` is the singular alias CRUD routes use.
    let (status, body) = node
        .invalidate(&http, Some(&token), &json!({"type": "picture", "mirror": false}))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        json!({"success": true, "type": "pictures", "invalidated": ["pictures", "posts", "pages", "feed"], "mirrored": false})
    );
    let after = node.entries(&http).await;
    let left: BTreeSet<String> = ["auth", "categories", "translations", "types"]
        .into_iter()
        .map(String::from)
        .collect();
    assert_eq!(types_with_entries(&after), left, "{after:?}");
    for t in &left {
        assert_eq!(keys_of(&after, t), 3, "{t} must be untouched");
    }

    // `types` clears types, categories, posts, pages, feed (posts etc. are gone already).
    let (_, body) = node.invalidate(&http, Some(&token), &json!({"type": "types"})).await;
    assert_eq!(
        body["invalidated"],
        json!(["types", "categories", "posts", "pages", "feed"])
    );
    let after = node.entries(&http).await;
    let left: BTreeSet<String> = ["auth", "translations"].into_iter().map(String::from).collect();
    assert_eq!(types_with_entries(&after), left);

    // The cache log records the action.
    let line = node
        .wait_log("for the pictures invalidation", |l| {
            l["module"] == "cache" && l["type"] == "pictures"
        })
        .await;
    assert_eq!(line["level"], 30);
    assert_eq!(line["invalidated"], json!(["pictures", "posts", "pages", "feed"]));
    assert_eq!(line["keys"], 12);
    assert!(line["durationMs"].is_number() && line["status"] == 200);
}

both_stores!(
    cascade_scenario,
    pictures_clears_pictures_posts_pages_and_feed,
    pictures_clears_pictures_posts_pages_and_feed_redis,
    pictures_clears_pictures_posts_pages_and_feed_cluster
);

// ---------------------------------------------------------------------------------------
// SSE

async fn sse_scenario(mode: Mode<'_>) {
    let node = Node::start(&NodeConfig::new(mode).ping("200ms"));
    let http = http();
    let token = node.login(&http).await;
    let mut a = SseReader::open(&node.url("/api/stream"), None).await;
    let mut b = SseReader::open(&node.url("/api/stream"), None).await;

    let (status, _) = node
        .invalidate(
            &http,
            Some(&token),
            &json!({"type": "post", "id": "42", "mirror": false}),
        )
        .await;
    assert_eq!(status, 200);
    for s in [&mut a, &mut b] {
        let (name, id, data) = s.next_event(WAIT).await.expect("an event");
        assert_eq!(name, "app-update");
        assert_eq!(id.as_deref(), Some("1"));
        assert_eq!(data, json!({"type": "posts", "id": "42", "action": "update"}));
    }
    // Numeric ids pass through; a missing id is null; ids grow by one.
    node.invalidate(&http, Some(&token), &json!({"type": "pages", "id": 7, "mirror": false}))
        .await;
    node.invalidate(&http, Some(&token), &json!({"type": "feed", "mirror": false}))
        .await;
    let (_, id, data) = a.next_event(WAIT).await.unwrap();
    assert_eq!(
        (id.as_deref(), &data),
        (Some("2"), &json!({"type": "pages", "id": 7, "action": "update"}))
    );
    let (_, id, data) = a.next_event(WAIT).await.unwrap();
    assert_eq!(
        (id.as_deref(), &data),
        (Some("3"), &json!({"type": "feed", "id": null, "action": "update"}))
    );

    // The heartbeat is a `: ping` comment.
    loop {
        match a.next_frame(WAIT).await.expect("stream open") {
            Frame::Comment(c) => {
                assert_eq!(c, "ping");
                break;
            }
            Frame::Event { .. } => continue,
        }
    }

    // Reconnect with Last-Event-ID: the missed events come first, in order.
    drop(b);
    node.invalidate(&http, Some(&token), &json!({"type": "categories", "mirror": false}))
        .await;
    let mut again = SseReader::open(&node.url("/api/stream"), Some("1")).await;
    let mut got = Vec::new();
    for _ in 0..3 {
        let (_, id, data) = again.next_event(WAIT).await.expect("replayed event");
        got.push((id.unwrap_or_default(), data["type"].as_str().unwrap_or("").to_string()));
    }
    let want: Vec<(String, String)> = [("2", "pages"), ("3", "feed"), ("4", "categories")]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    assert_eq!(got, want);
    // ...and then live events.
    node.invalidate(&http, Some(&token), &json!({"type": "auth", "mirror": false}))
        .await;
    let (_, id, _) = again.next_event(WAIT).await.unwrap();
    assert_eq!(id.as_deref(), Some("5"));
}

both_stores!(
    sse_scenario,
    sse_clients_receive_app_update_and_replay_after_last_event_id,
    sse_clients_receive_app_update_and_replay_after_last_event_id_redis,
    sse_clients_receive_app_update_and_replay_after_last_event_id_cluster
);

// ---------------------------------------------------------------------------------------
// mirrors

async fn chain_scenario(mode: Mode<'_>) {
    let c = Node::start(&NodeConfig::new(mode).db(3));
    let b = Node::start(&NodeConfig::new(mode).db(2).mirrors(&[&c.base]));
    let a = Node::start(&NodeConfig::new(mode).db(1).mirrors(&[&b.base]));
    let http = http();
    let token = a.login(&http).await;

    let (status, body) = a
        .invalidate(&http, Some(&token), &json!({"type": "posts", "id": 9, "mirror": true}))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["mirrored"], true);
    assert_eq!(keys_of(&a.entries(&http).await, "posts"), 0);

    // A logs B's answer once B has finished; B received mirror:false, so it did not go on.
    let line = a
        .wait_log("for the mirror result", |l| {
            l["module"] == "mirror" && l["target"] == json!(b.base)
        })
        .await;
    assert_eq!(line["level"], 30, "{line}");
    assert_eq!(line["status"], 200);
    assert_eq!(line["invalidated"], json!(["posts", "feed"]));
    let b_line = b.wait_log("for B's invalidation", |l| l["module"] == "cache").await;
    assert_eq!(b_line["mirror"], false, "A must send mirror:false: {b_line}");
    assert_eq!(keys_of(&b.entries(&http).await, "posts"), 0, "B cleared posts");
    assert_eq!(keys_of(&b.entries(&http).await, "feed"), 0, "B cleared feed");
    assert!(
        !b.log_text().contains("\"module\":\"mirror\""),
        "B broadcast on: {}",
        b.log_text()
    );
    assert_eq!(keys_of(&c.entries(&http).await, "posts"), 3, "C must not receive it");
    assert_eq!(c.health(&http).await["lastEventId"], "0");

    // The B -> C link itself works: an invalidation on B with mirror:true reaches C.
    let token_b = b.login(&http).await;
    let (_, body) = b
        .invalidate(&http, Some(&token_b), &json!({"type": "translations"}))
        .await;
    assert_eq!(body["mirrored"], true);
    c.wait_log("for C's invalidation", |l| {
        l["module"] == "cache" && l["type"] == "translations"
    })
    .await;
    assert_eq!(keys_of(&c.entries(&http).await, "translations"), 0);
    assert_eq!(keys_of(&c.entries(&http).await, "posts"), 3);
}

both_stores!(
    chain_scenario,
    mirror_false_stops_at_the_first_mirror,
    mirror_false_stops_at_the_first_mirror_redis,
    mirror_false_stops_at_the_first_mirror_cluster
);

async fn dead_mirror_scenario(mode: Mode<'_>) {
    // A mirror that refuses connections, and one that accepts but never answers.
    // The hole is bound first: a port picked and released before it could be handed to it
    // again, and the two mirrors would be one.
    let hole = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let hole_port = hole.local_addr().unwrap().port();
    let hole_url = format!("http://127.0.0.1:{hole_port}");
    let dead_port = std::iter::repeat_with(common::free_port)
        .find(|p| *p != hole_port)
        .unwrap();
    let dead = format!("http://127.0.0.1:{dead_port}");
    let a = Node::start(&NodeConfig::new(mode).mirrors(&[&dead, &hole_url]));
    let http = http();
    let token = a.login(&http).await;

    let start = Instant::now();
    let (status, body) = a.invalidate(&http, Some(&token), &json!({"type": "posts"})).await;
    let latency = start.elapsed();
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["mirrored"], true);
    // The answer came back while the silent mirror still holds its request open: no
    // mirror outcome for it can be in the log yet (it takes the 10 s deadline).
    assert!(
        !a.log_text().contains(&format!("\"target\":\"{hole_url}\"")),
        "the answer waited for the silent mirror"
    );
    eprintln!("invalidate with a dead and a silent mirror answered in {latency:?}");

    let line = a
        .wait_log("for the dead mirror's error", |l| {
            l["module"] == "mirror" && l["target"] == json!(dead)
        })
        .await;
    assert_eq!(line["level"], 50, "{line}");
    assert_eq!(line["err"]["type"], "Error");
    let msg = line["err"]["message"].as_str().unwrap_or("");
    assert!(msg.contains("cannot reach"), "{msg}");
    assert!(line["err"]["stack"].as_str().is_some());
    assert_eq!(line["attempts"], 3, "connect errors are retried");
    assert_eq!(line["type"], "posts");

    // The whole log is NDJSON with pino's fields, and holds no secret.
    let text = a.log_text();
    for l in read_ndjson(&a.log) {
        for field in ["level", "time", "pid", "hostname", "msg"] {
            assert!(l.get(field).is_some(), "{field} missing in {l}");
        }
        assert!(l["time"].as_u64().is_some_and(|t| t > 1_600_000_000_000));
    }
    for secret in [PASSWORD, TEST_PASSWORD, SECRET, &token] {
        assert!(!text.contains(secret), "the log leaks a secret");
        assert!(!a.stdout_text().contains(secret) && !a.stderr_text().contains(secret));
    }
    drop(hole);
}

both_stores!(
    dead_mirror_scenario,
    dead_mirror_is_logged_as_error_and_does_not_hold_the_answer,
    dead_mirror_is_logged_as_error_and_does_not_hold_the_answer_redis,
    dead_mirror_is_logged_as_error_and_does_not_hold_the_answer_cluster
);

// ---------------------------------------------------------------------------------------
// bad input, seeding, startup, shutdown

async fn bad_input_scenario(mode: Mode<'_>) {
    let node = Node::start(&NodeConfig::new(mode));
    let http = http();
    let token = node.login(&http).await;
    let inv = node.url("/api/cache/invalidate");
    let raw = |body: Vec<u8>| {
        http.post(&inv)
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    let check = |resp: reqwest::Response, want: u16| async move {
        assert_eq!(resp.status().as_u16(), want);
        let v: Value = resp.json().await.expect("a JSON error body");
        v["error"].as_str().expect("an error message").to_string()
    };
    check(raw(b"{\"type\":".to_vec()).await.unwrap(), 400).await;
    check(raw(b"[1,2]".to_vec()).await.unwrap(), 400).await;
    check(raw(Vec::new()).await.unwrap(), 400).await;
    check(raw(b"{\"mirror\":false}".to_vec()).await.unwrap(), 400).await;
    check(raw(b"{\"type\":42}".to_vec()).await.unwrap(), 400).await;
    check(
        raw(b"{\"type\":\"posts\",\"mirror\":\"yes\"}".to_vec()).await.unwrap(),
        400,
    )
    .await;
    // On its own connection: the node answers 413 without reading the rest and closes it.
    let big = reqwest::Client::new()
        .post(&inv)
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(vec![b' '; 200 * 1024])
        .send()
        .await
        .unwrap();
    check(big, 413).await;
    let msg = check(raw(b"{\"type\":\"postz\"}".to_vec()).await.unwrap(), 400).await;
    assert!(msg.contains("did you mean `posts`"), "{msg}");
    check(http.get(&inv).send().await.unwrap(), 405).await;
    check(http.delete(node.url("/api/health")).send().await.unwrap(), 405).await;
    check(http.get(node.url("/api/nothing-here")).send().await.unwrap(), 404).await;
    assert_eq!(
        keys_of(&node.entries(&http).await, "posts"),
        3,
        "bad requests changed the store"
    );

    // Seeding an entry (sandbox extension) needs a token.
    let put = node.url("/api/cache/entries/post/slug:hello?ttl=60");
    let resp = http.put(&put).json(&json!({"title": "hello"})).send().await.unwrap();
    assert_eq!(resp.status(), 401);
    let resp = http
        .put(&put)
        .bearer_auth(&token)
        .json(&json!({"title": "hello"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["key"], "cache:posts:slug:hello");
    assert!(
        node.entries(&http).await["posts"]
            .as_array()
            .unwrap()
            .contains(&json!("cache:posts:slug:hello"))
    );
    assert_eq!(node.health(&http).await["ok"], true, "the node survived");
}

both_stores!(
    bad_input_scenario,
    bad_input_gets_json_errors_and_never_breaks_the_node,
    bad_input_gets_json_errors_and_never_breaks_the_node_redis,
    bad_input_gets_json_errors_and_never_breaks_the_node_cluster
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_store_uses_the_protocol_key_layout() {
    let redis = RedisServer::start();
    let node = Node::start(&NodeConfig::new(Mode::Redis(&redis)).env("CACHE_PREFIX", "sandbox:"));
    let client = redis::Client::open(redis.url()).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let mut keys: Vec<String> = redis::cmd("KEYS").arg("*").query_async(&mut conn).await.unwrap();
    keys.sort();
    assert_eq!(keys.len(), 24, "{keys:?}");
    assert!(keys.contains(&"sandbox:posts:id:1".to_string()) && keys.contains(&"sandbox:feed:list".to_string()));
    let value: String = redis::cmd("GET")
        .arg("sandbox:posts:list")
        .query_async(&mut conn)
        .await
        .unwrap();
    assert!(serde_json::from_str::<Value>(&value).is_ok(), "values are JSON strings");
    let ttl: i64 = redis::cmd("TTL")
        .arg("sandbox:posts:list")
        .query_async(&mut conn)
        .await
        .unwrap();
    assert!(ttl > 0, "values have a TTL");
    // An unrelated key under another prefix survives an invalidation.
    let _: () = redis::cmd("SET")
        .arg("other:posts:list")
        .arg("1")
        .query_async(&mut conn)
        .await
        .unwrap();

    let http = http();
    let token = node.login(&http).await;
    node.invalidate(&http, Some(&token), &json!({"type": "posts"})).await;
    let mut keys: Vec<String> = redis::cmd("KEYS").arg("*posts*").query_async(&mut conn).await.unwrap();
    keys.sort();
    assert_eq!(keys, ["other:posts:list"]);
}

#[test]
fn serve_refuses_to_start_without_a_jwt_secret() {
    let dir = tempfile::tempdir().unwrap();
    let out = clean_command(dir.path())
        .args(["serve", "--port", &common::free_port().to_string()])
        .env("CACHE_LOG", dir.path().join("log.json"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("JWT_SECRET is not set"), "{err}");
    assert!(err.contains("--dev"), "{err}");
    assert!(out.stdout.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dev_mode_prints_a_working_account_and_never_the_secret() {
    let mut cfg = NodeConfig::new(Mode::Memory).arg("--dev");
    cfg.with_secret = false;
    let node = Node::start(&cfg);
    let banner = node.stdout_text();
    // The password is not on the banner: it is in a private env file the banner names.
    let env_file = banner
        .split_whitespace()
        .find(|w| w.ends_with(".env"))
        .expect("the banner names the dev env file")
        .to_string();
    let meta = std::fs::metadata(&env_file).expect("dev env file exists");
    #[cfg(unix)]
    assert_eq!(
        std::os::unix::fs::PermissionsExt::mode(&meta.permissions()) & 0o777,
        0o600
    );
    let env_text = std::fs::read_to_string(&env_file).unwrap();
    let password = env_text
        .lines()
        .find_map(|l| l.strip_prefix("SERVICE_PASSWORD="))
        .expect("password in the env file")
        .to_string();
    assert!(!banner.contains(&password), "the banner shows the dev password");
    assert!(banner.contains("dev@polycache.local"));
    let http = http();
    let (status, body) = post_json(
        &http,
        &node.url("/api/auth/login"),
        None,
        &json!({"email": "dev@polycache.local", "password": password}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let token = body["token"].as_str().unwrap();
    let (status, _) = node.invalidate(&http, Some(token), &json!({"type": "feed"})).await;
    assert_eq!(status, 200);
    // Only the banner on stdout: the invalidation went to the log, not the terminal.
    assert_eq!(node.stdout_text(), banner);
    assert!(!banner.contains(token));
    assert!(node.stderr_text().is_empty(), "{}", node.stderr_text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_closes_open_streams_and_exits_cleanly() {
    let mut node = Node::start(&NodeConfig::new(Mode::Memory));
    let http = http();
    let token = node.login(&http).await;
    let mut stream = SseReader::open(&node.url("/api/stream"), None).await;
    node.invalidate(&http, Some(&token), &json!({"type": "posts", "mirror": false}))
        .await;
    assert!(stream.next_event(WAIT).await.is_some());
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &node.pid().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    // The stream ends (the server closed it) instead of hanging.
    assert!(stream.next_frame(WAIT).await.is_none(), "the stream was not closed");
    let status = node.wait_exit(WAIT).expect("the node did not exit after SIGTERM");
    assert_eq!(status.code(), Some(0));
    let lines = node.log_lines();
    assert!(lines.iter().any(|l| l["type"] == "posts"), "the log lost a line");
    // The person at the terminal is told what is happening, then that it is over.
    let err = node.stderr_text();
    assert!(err.contains("SIGTERM: stopping: closing the streams"), "{err}");
    assert!(err.trim_end().ends_with("stopped"), "{err}");
}

/// The stream as nginx asks for it by default (HTTP/1.0 towards upstreams: no chunks, the
/// body ends with the connection), next to a keep-alive connection that asks for other
/// routes and then the stream (served by hyper): both carry the same events.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_stream_answers_http_1_0_and_keep_alive_clients_alike() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let node = Node::start(&NodeConfig::new(Mode::Memory));
    let http = http();
    let token = node.login(&http).await;
    let mut old = tokio::net::TcpStream::connect(("127.0.0.1", node.port)).await.unwrap();
    old.write_all(b"GET /api/stream HTTP/1.0\r\nAccept: text/event-stream\r\n\r\n")
        .await
        .unwrap();
    let mut kept = tokio::net::TcpStream::connect(("127.0.0.1", node.port)).await.unwrap();
    kept.write_all(b"GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut buf = vec![0u8; 4096];
    let n = kept.read(&mut buf).await.unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
    kept.write_all(b"GET /api/stream HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    for _ in 0..100 {
        if node.health(&http).await["clients"] == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    node.invalidate(
        &http,
        Some(&token),
        &json!({"type": "posts", "id": "7", "mirror": false}),
    )
    .await;
    for (name, s, chunked) in [("HTTP/1.0", &mut old, false), ("keep-alive", &mut kept, true)] {
        let mut text = String::new();
        while !text.contains("\"id\":\"7\"") {
            let n = tokio::time::timeout(WAIT, s.read(&mut buf))
                .await
                .expect("an event")
                .unwrap();
            assert!(n > 0, "{name}: closed early: {text}");
            text.push_str(&String::from_utf8_lossy(&buf[..n]));
        }
        assert!(text.contains("event: app-update"), "{name}: {text}");
        if name == "HTTP/1.0" {
            assert!(text.starts_with("HTTP/1.0 200 OK\r\n"), "{text}");
            assert!(text.contains("content-type: text/event-stream"), "{text}");
        }
        assert_eq!(text.contains("transfer-encoding: chunked"), chunked, "{name}: {text}");
    }
}

/// The body of a chunked HTTP/1.1 response read so far: the chunks decoded (checking their
/// framing), and whether the last chunk came.
fn dechunk(raw: &[u8]) -> (String, bool) {
    let Some(head) = raw.windows(4).position(|w| w == b"\r\n\r\n") else {
        return (String::new(), false);
    };
    let head_end = head + 4;
    let (mut at, mut body) = (head_end, Vec::new());
    while let Some(eol) = raw[at..].windows(2).position(|w| w == b"\r\n") {
        let size = usize::from_str_radix(std::str::from_utf8(&raw[at..at + eol]).unwrap(), 16)
            .unwrap_or_else(|_| panic!("a chunk size at byte {at}: {:?}", String::from_utf8_lossy(&raw[at..])));
        if size == 0 {
            return (String::from_utf8(body).unwrap(), true);
        }
        let data = at + eol + 2;
        if raw.len() < data + size + 2 {
            break;
        }
        assert_eq!(&raw[data + size..data + size + 2], b"\r\n", "a chunk ends with CRLF");
        body.extend_from_slice(&raw[data..data + size]);
        at = data + size + 2;
    }
    (String::from_utf8(body).unwrap(), false)
}

/// The ids of the `id:` lines of an SSE body.
fn body_ids(body: &str) -> Vec<u64> {
    body.lines()
        .filter_map(|l| l.strip_prefix("id: "))
        .map(|id| id.parse().unwrap())
        .collect()
}

/// A client that stops reading (its socket full, a write left half done) gets every event,
/// in order and in whole chunks, once it reads again, while the other clients are served
/// meanwhile; one that stays away for more than a ring (1024 events) is ended with the last
/// chunk, after a run of events without a hole, and can resume from there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_reader_is_caught_up_and_one_a_ring_behind_is_ended() {
    use futures::StreamExt;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let node = Node::start(&NodeConfig::new(Mode::Memory));
    let http = http();
    let token = node.login(&http).await;
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(2048).unwrap();
    let mut slow = socket
        .connect(std::net::SocketAddr::from(([127, 0, 0, 1], node.port)))
        .await
        .unwrap();
    slow.write_all(b"GET /api/stream HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut quick = SseReader::open(&node.url("/api/stream"), None).await;
    let quick = tokio::spawn(async move { next_ids(&mut quick, 600 + AWAY).await });
    for _ in 0..100 {
        if node.health(&http).await["clients"] == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // More than the two socket buffers hold: the node cannot write them all now.
    invalidate_many(&node, &http, &token, 600).await;
    let mut raw = Vec::new();
    let mut buf = vec![0u8; 4096];
    while body_ids(&dechunk(&raw).0).len() < 600 {
        let n = tokio::time::timeout(WAIT, slow.read(&mut buf))
            .await
            .expect("more events")
            .unwrap();
        assert!(n > 0, "closed early");
        raw.extend_from_slice(&buf[..n]);
    }
    let (body, ended) = dechunk(&raw);
    assert!(!ended);
    assert!(body.starts_with("retry: "), "{body}");
    assert_eq!(body_ids(&body), (1..=600).collect::<Vec<_>>());
    // Away for more than a ring and more than the socket buffers hold (events with the
    // longest id allowed, 1 KiB; thousands, as the kernel buffers grow): dropped, after
    // events without a hole.
    const AWAY: usize = 5000;
    let big = json!({"type": "feed", "id": "x".repeat(1024), "mirror": false});
    let statuses: Vec<u16> = futures::stream::iter(0..AWAY)
        .map(|_| node.invalidate(&http, Some(&token), &big))
        .buffer_unordered(8)
        .map(|r| r.0)
        .collect()
        .await;
    assert!(statuses.iter().all(|s| *s == 200));
    let all = 600 + AWAY as u64;
    assert_eq!(
        quick.await.unwrap(),
        (1..=all).collect::<Vec<_>>(),
        "the others were served meanwhile"
    );
    loop {
        let n = tokio::time::timeout(WAIT, slow.read(&mut buf))
            .await
            .expect("the end")
            .unwrap();
        if n == 0 {
            break;
        }
        raw.extend_from_slice(&buf[..n]);
    }
    let (body, ended) = dechunk(&raw);
    assert!(ended, "the stream ends with the last chunk");
    let ids = body_ids(&body);
    let last = *ids.last().unwrap();
    assert!((600..all).contains(&last), "{last}");
    assert_eq!(ids, (1..=last).collect::<Vec<_>>());
    let mut again = SseReader::open(&node.url("/api/stream"), Some(&last.to_string())).await;
    assert_eq!(
        next_ids(&mut again, (all - last) as usize).await,
        (last + 1..=all).collect::<Vec<_>>()
    );
}

// ---------------------------------------------------------------------------------------
// the shared client module against real nodes

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_fan_out_reports_per_target_outcomes() {
    use polycache::client::{
        AuthConfig, Authenticator, Credentials, InvalidateRequest, Invalidator, RetryPolicy, Target, Token,
    };
    use std::sync::Arc;

    let one = Node::start(&NodeConfig::new(Mode::Memory));
    let two = Node::start(&NodeConfig::new(Mode::Memory));
    let dead = format!("http://127.0.0.1:{}", common::free_port());
    let targets = vec![
        Target::local(&one.base),
        Target::mirror(&dead),
        Target::mirror(&two.base),
    ];
    let http = polycache::client::http().expect("HTTP client");
    let login = |email: &str, pw: &str| AuthConfig::Login {
        auth_path: "/api/auth/login".into(),
        credentials: Credentials::new(email, pw),
    };
    let auth = Arc::new(Authenticator::new(http.clone(), login(EMAIL, PASSWORD), false));
    let inv = Invalidator::new(http.clone(), auth, "/api/cache/invalidate").with_retry(RetryPolicy {
        attempts: 2,
        base_delay: Duration::from_millis(50),
    });
    let heard = std::sync::Mutex::new(Vec::new());
    let sent = inv
        .fan_out(&targets, &[InvalidateRequest::new("category", false)], |i, _| {
            heard.lock().unwrap().push(i)
        })
        .await;
    // Every outcome is heard as it comes, and the result is in target order.
    let mut heard = heard.into_inner().unwrap();
    heard.sort();
    assert_eq!(heard, [0, 1, 2]);
    assert_eq!(sent.iter().map(|s| s.target).collect::<Vec<_>>(), [0, 1, 2]);
    let out: Vec<_> = sent.into_iter().map(|s| s.outcome).collect();
    assert_eq!(out.len(), 3);
    assert_eq!(out[0].target, "local");
    assert!(out[0].is_ok(), "{:?}", out[0].error);
    assert_eq!(out[0].invalidated, ["categories", "posts", "pages", "feed"]);
    assert_eq!(out[0].status, Some(200));
    assert!(!out[1].is_ok() && !out[1].is_auth_failure());
    assert_eq!(out[1].attempts, 2);
    assert!(out[1].error.as_ref().unwrap().to_string().contains("cannot reach"));
    assert!(out[2].is_ok());
    assert_eq!(keys_of(&two.entries(&reqwest::Client::new()).await, "categories"), 0);

    // Wrong password: an authentication failure (exit 4 for the commands), nothing cleared.
    let bad = Invalidator::new(
        http.clone(),
        Arc::new(Authenticator::new(http.clone(), login(EMAIL, "wrong"), false)),
        "/api/cache/invalidate",
    );
    let o = bad
        .invalidate_one(&Target::local(&one.base), &InvalidateRequest::new("auth", false))
        .await;
    assert!(o.is_auth_failure(), "{:?}", o.error);
    assert!(!format!("{:?} {}", o, o.error.as_ref().unwrap()).contains("wrong"));
    assert_eq!(keys_of(&one.entries(&reqwest::Client::new()).await, "auth"), 3);

    // POLYCACHE_TOKEN mode with an expired token: the target's 401 is an auth failure.
    let fixed = Invalidator::new(
        http.clone(),
        Arc::new(Authenticator::new(
            http.clone(),
            AuthConfig::Token(Token::new(expired_token(SECRET))),
            false,
        )),
        "/api/cache/invalidate",
    );
    let o = fixed
        .invalidate_one(&Target::local(&one.base), &InvalidateRequest::new("auth", false))
        .await;
    assert!(o.is_auth_failure());
    assert_eq!(o.status, Some(401));

    // Supabase mode: one login at SUPABASE_URL serves every target.
    let supa = Authenticator::new(
        http.clone(),
        AuthConfig::Supabase {
            url: one.base.clone(),
            anon_key: Token::new("anon"),
            credentials: Credentials::new(EMAIL, PASSWORD),
        },
        false,
    );
    let t1 = supa.token_for(&Target::local(&one.base)).await.unwrap();
    let via_supabase = Invalidator::new(http.clone(), Arc::new(supa), "/api/cache/invalidate");
    let o = via_supabase
        .invalidate_one(&Target::mirror(&two.base), &InvalidateRequest::new("auth", false))
        .await;
    assert!(o.is_ok(), "{:?}", o.error);
    assert_eq!(o.invalidated, ["auth"]);
    assert_eq!(t1.to_string(), "••••");
}

// ---------------------------------------------------------------------------------------
// many clients

/// Every one of many SSE clients receives every event, in order, without gaps (the
/// figures for 200 clients x 1000 invalidations come from `benches/sse_fanout.rs`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_sse_clients_each_receive_every_invalidation() {
    const CLIENTS: usize = 100;
    const EVENTS: usize = 300;
    let node = Node::start(&NodeConfig::new(Mode::Memory));
    let http = http();
    let token = node.login(&http).await;
    let mut readers = Vec::new();
    for _ in 0..CLIENTS {
        readers.push(SseReader::open(&node.url("/api/stream"), None).await);
    }
    assert_eq!(node.health(&http).await["clients"], CLIENTS);
    let tasks: Vec<_> = readers
        .into_iter()
        .map(|mut r| {
            tokio::spawn(async move {
                let mut ids = Vec::with_capacity(EVENTS);
                while ids.len() < EVENTS {
                    match r.next_event(Duration::from_secs(30)).await {
                        Some((_, id, _)) => ids.push(id.and_then(|i| i.parse::<usize>().ok()).unwrap_or(0)),
                        None => break,
                    }
                }
                ids
            })
        })
        .collect();
    let sent: Vec<_> = (0..EVENTS)
        .map(|i| {
            let (http, node, token) = (&http, &node, &token);
            async move {
                node.invalidate(http, Some(token), &json!({"type": "feed", "id": i, "mirror": false}))
                    .await
                    .0
            }
        })
        .collect();
    use futures::StreamExt;
    let statuses: Vec<u16> = futures::stream::iter(sent).buffer_unordered(8).collect().await;
    assert!(statuses.iter().all(|s| *s == 200));
    let want: Vec<usize> = (1..=EVENTS).collect();
    for t in tasks {
        assert_eq!(t.await.unwrap(), want, "a client missed or reordered events");
    }
}

// ---------------------------------------------------------------------------------------
// replay gaps (PROTOCOL section 4)

/// Sends `n` invalidations of `feed`, eight at a time.
async fn invalidate_many(node: &Node, http: &reqwest::Client, token: &str, n: usize) {
    use futures::StreamExt;
    let statuses: Vec<u16> = futures::stream::iter(0..n)
        .map(|i| async move {
            node.invalidate(http, Some(token), &json!({"type": "feed", "id": i, "mirror": false}))
                .await
                .0
        })
        .buffer_unordered(8)
        .collect()
        .await;
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
}

/// The ids of the next `n` events (failing on a stream-reset among them).
async fn next_ids(r: &mut SseReader, n: usize) -> Vec<u64> {
    let mut ids = Vec::with_capacity(n);
    while ids.len() < n {
        let (name, id, data) = r.next_event(WAIT).await.expect("stream open");
        assert_eq!(name, "app-update", "unexpected {name}: {data}");
        ids.push(id.and_then(|i| i.parse().ok()).expect("a numeric id"));
    }
    ids
}

/// A client that lagged more than a broadcast ring (1024 events, after which the node drops
/// it) must still be replayable: the node holds more than that, and says nothing of a gap.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reader_more_than_a_ring_behind_is_replayed_in_full() {
    let node = Node::start(&NodeConfig::new(Mode::Memory));
    let http = http();
    let token = node.login(&http).await;
    invalidate_many(&node, &http, &token, 1100).await;
    let mut r = SseReader::open(&node.url("/api/stream"), Some("0")).await;
    assert_eq!(next_ids(&mut r, 1100).await, (1..=1100).collect::<Vec<_>>());
    let mut r = SseReader::open(&node.url("/api/stream"), Some("50")).await;
    assert_eq!(next_ids(&mut r, 1050).await, (51..=1100).collect::<Vec<_>>());
}

/// A `Last-Event-ID` the node never issued (it restarted without --state, or the id came
/// from another server) is announced with `stream-reset` before what the node holds.
#[tokio::test]
async fn an_id_the_node_never_issued_is_announced_as_a_gap_before_the_replay() {
    let node = Node::start(&NodeConfig::new(Mode::Memory));
    let http = http();
    let token = node.login(&http).await;
    invalidate_many(&node, &http, &token, 3).await;
    for sent in ["57", "1764643200000-0", "not-an-id"] {
        let mut r = SseReader::open(&node.url("/api/stream"), Some(sent)).await;
        let (name, id, data) = r.next_event(WAIT).await.expect("a reset");
        assert_eq!(name, "stream-reset", "{sent}: {data}");
        assert_eq!(id, None, "{sent}: events follow, so the reset moves no cursor");
        assert_eq!(data, json!({"reason": "gap", "lastEventId": sent, "oldest": "1"}));
        assert_eq!(next_ids(&mut r, 3).await, [1, 2, 3], "{sent}");
    }
    // Ids the node did issue replay without a reset.
    let mut r = SseReader::open(&node.url("/api/stream"), Some("1")).await;
    assert_eq!(next_ids(&mut r, 2).await, [2, 3]);

    // A node that holds nothing yet gives the reset an id, so that the client's next
    // reconnect sends one the node knows.
    let fresh = Node::start(&NodeConfig::new(Mode::Memory));
    let mut r = SseReader::open(&fresh.url("/api/stream"), Some("12")).await;
    let (name, id, data) = r.next_event(WAIT).await.expect("a reset");
    assert_eq!((name.as_str(), id.as_deref()), ("stream-reset", Some("0")));
    assert_eq!(data, json!({"reason": "gap", "lastEventId": "12", "oldest": null}));
    let mut r = SseReader::open(&fresh.url("/api/stream"), Some("0")).await;
    let token = fresh.login(&http).await;
    invalidate_many(&fresh, &http, &token, 1).await;
    assert_eq!(next_ids(&mut r, 1).await, [1], "`0` is no gap");
}

#[test]
fn unreachable_redis_is_a_clear_error_without_the_password() {
    let dir = tempfile::tempdir().unwrap();
    let dead = common::free_port();
    let out = clean_command(dir.path())
        .args(["serve", "--store", "redis", "--port", &common::free_port().to_string()])
        .env("JWT_SECRET", SECRET)
        .env("REDIS_URL", format!("redis://:hunter2-redis@127.0.0.1:{dead}/0"))
        .env("CACHE_LOG", dir.path().join("log.json"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("cannot connect to Redis at redis://:••••@127.0.0.1:{dead}/0")),
        "{err}"
    );
    assert!(err.contains("--store memory"), "{err}");
    assert!(!err.contains("hunter2-redis"), "{err}");
    assert!(out.stdout.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_banner_tells_scripts_where_a_port_zero_node_listens() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().unwrap();
    let mut child = Reaped::spawn(
        clean_command(dir.path())
            .args(["--json", "serve", "--port", "0", "--demo-data"])
            .env("JWT_SECRET", SECRET)
            .env("SERVICE_EMAIL", EMAIL)
            .env("SERVICE_PASSWORD", PASSWORD)
            .env("CACHE_LOG", dir.path().join("log.json"))
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null()),
        "spawn polycache serve",
    );
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let banner: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"));
    let port = banner["port"].as_u64().unwrap_or(0);
    assert!(port > 0, "{line}");
    assert_eq!(banner["listening"], format!("http://127.0.0.1:{port}"));
    assert_eq!(banner["demoEntries"], 24);
    assert_eq!(banner["accounts"], json!([EMAIL]));
    assert!(!line.contains(SECRET) && !line.contains(PASSWORD));
    let health: Value = reqwest::get(format!("http://127.0.0.1:{port}/api/health"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["ok"], true);
}

/// Every serve setting of a container or a unit file can come from the environment
/// (POLYCACHE_PORT, POLYCACHE_BIND, POLYCACHE_STORE, POLYCACHE_STATE, ...), a flag still
/// wins, and `config` says where each came from; a bad value names its variable.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_settings_come_from_the_environment() {
    let redis = RedisServer::start();
    let dir = tempfile::tempdir().unwrap();
    let port = common::free_port();
    let state = dir.path().join("events.ndjson");
    let env = [
        ("POLYCACHE_PORT", port.to_string()),
        ("POLYCACHE_BIND", "127.0.0.1".to_string()),
        ("POLYCACHE_STORE", "redis".to_string()),
        ("POLYCACHE_STATE", state.display().to_string()),
        ("REDIS_URL", redis.url()),
        ("JWT_SECRET", common::node::SECRET.to_string()),
        ("CACHE_LOG", dir.path().join("log.json").display().to_string()),
    ];
    let mut cmd = clean_command(dir.path());
    cmd.arg("serve").envs(env.iter().map(|(k, v)| (*k, v.as_str())));
    cmd.stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    let _node = Reaped::spawn(&mut cmd, "spawn polycache serve");
    assert!(
        common::wait_for_port(port, Duration::from_secs(10)),
        "not listening on POLYCACHE_PORT"
    );
    let health: Value = http()
        .get(format!("http://127.0.0.1:{port}/api/health"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["store"], "redis", "{health}");
    assert!(state.exists(), "POLYCACHE_STATE names the state file");

    let out = clean_command(dir.path())
        .args(["--json", "config"])
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .output()
        .unwrap();
    let config: Value = serde_json::from_slice(&out.stdout).unwrap();
    for name in ["POLYCACHE_PORT", "POLYCACHE_STORE", "POLYCACHE_STATE"] {
        let row = config["settings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == name)
            .unwrap_or_else(|| panic!("{name} in config"));
        assert_eq!(row["source"]["kind"], "env", "{row}");
    }

    let out = clean_command(dir.path())
        .args(["serve", "--dev"])
        .env("POLYCACHE_PORT", "99999")
        .env("CACHE_LOG", dir.path().join("log2.json"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("POLYCACHE_PORT (or --port) is `99999`"), "{err}");
}

/// `GET /api/cache/entries` lists every cached key: it needs the admin token unless the node
/// is `--dev` or `--public-entries`; the PUT always does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_entries_need_the_token_unless_the_node_says_they_are_public() {
    let http = http();
    let locked = Node::start(&NodeConfig::new(Mode::Memory));
    let url = locked.url("/api/cache/entries");
    let answer = http.get(&url).send().await.unwrap();
    assert_eq!(answer.status(), 401);
    let body: Value = answer.json().await.unwrap();
    assert!(body["error"].as_str().unwrap().contains("Bearer"), "{body}");
    let token = locked.login(&http).await;
    let answer = http.get(&url).bearer_auth(&token).send().await.unwrap();
    assert_eq!(answer.status(), 200);
    let body: Value = answer.json().await.unwrap();
    assert_eq!(body["entries"]["posts"].as_array().map(Vec::len), Some(3), "{body}");

    let public = Node::start(&NodeConfig::new(Mode::Memory).arg("--public-entries"));
    let answer = http.get(public.url("/api/cache/entries")).send().await.unwrap();
    assert_eq!(answer.status(), 200);
    let put = http
        .put(public.url("/api/cache/entries/posts/x?ttl=60"))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), 401, "the PUT still needs the token");

    let dev = Node::start(&NodeConfig::new(Mode::Memory).without_secret_and_accounts().arg("--dev"));
    let answer = http.get(dev.url("/api/cache/entries")).send().await.unwrap();
    assert_eq!(answer.status(), 200, "a --dev node is a sandbox");
}

/// `--log-level` (or POLYCACHE_LOG_LEVEL) drops the lines below it: at `warn` an invalidation
/// leaves no info line, a refused one still leaves its warning; `config` shows where the
/// setting came from.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_log_level_drops_the_lines_below_it() {
    let http = http();
    let node = Node::start(&NodeConfig::new(Mode::Memory).env("POLYCACHE_LOG_LEVEL", "warn"));
    let token = node.login(&http).await;
    let (status, _) = node.invalidate(&http, Some(&token), &json!({"type": "posts"})).await;
    assert_eq!(status, 200);
    let (status, _) = node.invalidate(&http, None, &json!({"type": "posts"})).await;
    assert_eq!(status, 401);
    let line = node.wait_log("for the refusal", |l| l["level"] == 40).await;
    assert_eq!(line["status"], 401, "{line}");
    let levels: Vec<u64> = node
        .log_text()
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter_map(|l| l["level"].as_u64())
        .collect();
    assert!(
        !levels.is_empty() && levels.iter().all(|&l| l >= 40),
        "{}",
        node.log_text()
    );

    let dir = common::tmp();
    let out = clean_command(dir.path())
        .args(["config", "--json"])
        .env("POLYCACHE_LOG_LEVEL", "error")
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let row = v["settings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "POLYCACHE_LOG_LEVEL")
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        (row["value"].as_str(), row["source"]["kind"].as_str()),
        (Some("error"), Some("env")),
        "{v}"
    );
    let bad = clean_command(dir.path())
        .args(["serve", "--log-level", "loud"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2), "{}", String::from_utf8_lossy(&bad.stderr));
}

/// A service manager may stop the node the moment its port answers (a unit restarted in a
/// loop, a health probe that gives up): the node stops cleanly then too, with exit code 0,
/// instead of being killed by the signal before it listens for it.
#[test]
fn sigterm_as_soon_as_the_port_answers_stops_the_node_cleanly() {
    let dir = common::tmp();
    for round in 0..8 {
        let port = common::free_port();
        let mut cmd = clean_command(dir.path());
        cmd.args(["serve", "--dev", "--port", &port.to_string()])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        let mut node = Reaped::spawn(&mut cmd, "polycache serve");
        let start = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(start.elapsed() < WAIT, "serve did not start");
            std::thread::sleep(Duration::from_millis(1));
        }
        assert!(node.signal("TERM"));
        let status = node.wait_timeout(WAIT).expect("the node did not stop after SIGTERM");
        assert_eq!(status.code(), Some(0), "round {round}: {status:?}");
    }
}
