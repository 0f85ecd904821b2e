//! Whole-binary tests of `polycache redis ...` against a real redis-server on a free
//! loopback port, with keys written in the PROTOCOL section 7 layout plus foreign keys.

mod common;

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::polycache;
use common::process::Reaped;
use common::services::RedisServer;
use predicates::prelude::*;
use serde_json::Value as Json;

fn conn(url: &str) -> redis::Connection {
    redis::Client::open(url)
        .and_then(|c| c.get_connection())
        .expect("connect to the test redis-server")
}

fn cmd<T: redis::FromRedisValue>(c: &mut redis::Connection, args: &[&str]) -> T {
    let mut cmd = redis::cmd(args[0]);
    for a in &args[1..] {
        cmd.arg(*a);
    }
    cmd.query(c).unwrap_or_else(|e| panic!("{args:?}: {e}"))
}

const POST_1: &str = r#"{"id":1,"title":"Hello","tags":["a","b"]}"#;

/// The cache keys the tests write, in the PROTOCOL layout (plus `cache:weird`, which is
/// under the prefix but outside the layout).
const CACHE_KEYS: &[&str] = &[
    "cache:posts:list",
    "cache:posts:id:1",
    "cache:posts:id:2",
    "cache:pages:slug:about",
    "cache:pictures:id:9",
    "cache:feed:home",
    "cache:categories:all",
    "cache:translations:de",
    "cache:weird",
];

/// Writes the layout: strings with and without TTL, a hash, and foreign keys.
fn seed(c: &mut redis::Connection) {
    let _: () = cmd(c, &["SET", "cache:posts:list", r#"[{"id":1},{"id":2}]"#, "EX", "3600"]);
    let _: () = cmd(c, &["SET", "cache:posts:id:1", POST_1, "EX", "600"]);
    let _: () = cmd(c, &["SET", "cache:posts:id:2", r#"{"id":2,"title":"World"}"#]); // no TTL
    let _: () = cmd(
        c,
        &["SET", "cache:pages:slug:about", r#"{"slug":"about"}"#, "EX", "1200"],
    );
    let _: () = cmd(
        c,
        &[
            "SET",
            "cache:pictures:id:9",
            r#"{"id":9,"url":"/p/9.jpg"}"#,
            "EX",
            "300",
        ],
    );
    let _: () = cmd(c, &["SET", "cache:feed:home", r#"{"items":[1,2,3]}"#, "EX", "60"]);
    let _: () = cmd(c, &["SET", "cache:categories:all", r#"["news","howto"]"#, "EX", "7200"]);
    let _: () = cmd(
        c,
        &["HSET", "cache:translations:de", "hello", "hallo", "bye", "tschüss"],
    );
    let _: () = cmd(c, &["SET", "cache:weird", "1"]);
    // Foreign keys: not under the prefix, never touched or counted.
    let _: () = cmd(c, &["SET", "session:abc", "user-1"]);
    let _: () = cmd(c, &["SET", "cachet:posts:id:1", "not ours"]);
}

fn setup() -> (RedisServer, redis::Connection, tempfile::TempDir) {
    let server = RedisServer::start();
    let mut c = conn(&server.url());
    seed(&mut c);
    (server, c, tempfile::tempdir().expect("tempdir"))
}

fn run_json(dir: &std::path::Path, url: &str, args: &[&str]) -> Json {
    let out = polycache(dir)
        .args(["--json", "redis", "--redis-url", url])
        .args(args)
        .assert()
        .success();
    serde_json::from_slice(&out.get_output().stdout).expect("--json prints JSON")
}

fn all_keys(c: &mut redis::Connection) -> BTreeSet<String> {
    let keys: Vec<String> = cmd(c, &["KEYS", "*"]); // fine in a test over a dozen keys
    keys.into_iter().collect()
}

#[test]
fn stats_groups_by_type_lists_empty_known_types_and_ignores_foreign_keys() {
    let (server, _c, dir) = setup();
    let r = run_json(dir.path(), &server.url(), &["stats"]);
    let types = r["types"].as_array().expect("types");
    let get = |name: &str| {
        types
            .iter()
            .find(|t| t["type"] == name)
            .unwrap_or_else(|| panic!("no line for {name}: {r:#}"))
    };
    for (name, keys) in [
        ("posts", 3),
        ("pages", 1),
        ("pictures", 1),
        ("feed", 1),
        ("categories", 1),
        ("translations", 1),
        ("(other)", 1),
    ] {
        assert_eq!(get(name)["keys"], keys, "{name}: {r:#}");
    }
    // Known to the graph, no keys: listed with 0.
    for name in ["types", "auth"] {
        assert_eq!(get(name)["keys"], 0, "{name}");
        assert_eq!(get(name)["known"], true, "{name}");
        assert_eq!(get(name)["memory"], 0, "{name}");
    }
    assert_eq!(get("(other)")["largestKey"], "cache:weird");
    // session:abc and cachet:... are not under the prefix.
    assert_eq!(r["total"]["keys"], CACHE_KEYS.len());
    assert!(!r.to_string().contains("session:abc") && !r.to_string().contains("cachet:"));

    let posts = get("posts");
    assert_eq!(posts["noTtl"], 1);
    let (min, max) = (
        posts["ttl"]["minMs"].as_i64().unwrap(),
        posts["ttl"]["maxMs"].as_i64().unwrap(),
    );
    assert!(min > 0 && min <= 600_000, "{min}");
    assert!(max > 600_000 && max <= 3_600_000, "{max}");
    assert!(posts["memory"].as_u64().unwrap() > 0);
    assert!(
        ["cache:posts:list", "cache:posts:id:1", "cache:posts:id:2"].contains(&posts["largestKey"].as_str().unwrap())
    );
    let sum: u64 = types.iter().map(|t| t["memory"].as_u64().unwrap()).sum();
    assert_eq!(r["total"]["memory"].as_u64().unwrap(), sum);
    assert_eq!(r["total"]["noTtl"], 3); // posts:id:2, translations:de, weird
}

#[test]
fn stats_table_names_the_types() {
    let (server, _c, dir) = setup();
    polycache(dir.path())
        .args(["redis", "--redis-url", &server.url(), "stats"])
        .assert()
        .success()
        .stdout(predicate::str::contains("cache:pictures:id:9"))
        .stdout(predicate::str::is_match(r"│ types\s+┆ 0 ").unwrap())
        .stdout(predicate::str::contains("(other)"))
        .stdout(predicate::str::contains("session:abc").not())
        // The total is a line under the table, not a row that reads as one more type.
        .stdout(predicate::str::is_match(r"│ total\s+┆").unwrap().not())
        .stdout(predicate::str::is_match(r"\ntotal: \d+ keys in [0-9.]+ (B|KiB); the largest cache:").unwrap());
}

#[test]
fn keys_of_a_type_are_exactly_that_type_sorted_and_aliases_work() {
    let (server, _c, dir) = setup();
    let r = run_json(dir.path(), &server.url(), &["keys", "--type", "posts"]);
    let names: Vec<&str> = r["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["key"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["cache:posts:id:1", "cache:posts:id:2", "cache:posts:list"]);
    let first = &r["keys"][0];
    assert_eq!(first["redisType"], "string");
    assert_eq!(first["encoding"], "embstr");
    assert!(first["ttlMs"].as_i64().unwrap() > 0);
    assert_eq!(r["keys"][1]["persistent"], true);

    // The singular alias, as a table.
    let out = polycache(dir.path())
        .args(["redis", "--redis-url", &server.url(), "keys", "--type", "post"])
        .assert()
        .success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    let order: Vec<usize> = names.iter().map(|n| text.find(n).expect(n)).collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{text}");
    assert!(
        !text.contains("cache:pages") && text.contains("3 keys of --type post matching cache:posts:*"),
        "{text}"
    );

    // A pattern relative to the prefix, and --limit.
    let r = run_json(dir.path(), &server.url(), &["keys", "p*", "--limit", "2"]);
    assert_eq!(r["total"], 5); // pages, pictures, posts x3; not session:abc or cachet:*
    assert_eq!(r["shown"], 2);
    assert_eq!(r["keys"][0]["key"], "cache:pages:slug:about");
    assert_eq!(r["keys"][1]["key"], "cache:pictures:id:9");

    // Keys outside the layout.
    let r = run_json(dir.path(), &server.url(), &["keys", "--type", "(other)"]);
    assert_eq!(r["keys"][0]["key"], "cache:weird");
    assert_eq!(r["total"], 1);
    // The summary names the filter, not only the pattern it scanned.
    polycache(dir.path())
        .args(["redis", "--redis-url", &server.url(), "keys", "--type", "(other)"])
        .assert()
        .success()
        .stdout(predicate::str::contains("1 key of --type (other) matching cache:*"));
}

#[test]
fn get_pretty_prints_json_hashes_natively_and_guards_size() {
    let (server, _c, dir) = setup();
    let url = server.url();
    let expected = serde_json::to_string_pretty(&serde_json::from_str::<Json>(POST_1).unwrap()).unwrap() + "\n";
    // The prefix is added when the key does not exist as typed.
    for key in ["cache:posts:id:1", "posts:id:1"] {
        polycache(dir.path())
            .args(["redis", "--redis-url", &url, "get", key])
            .assert()
            .success()
            .stdout(expected.clone())
            .stderr(predicate::str::contains("cache:posts:id:1  string (embstr)  ttl "));
    }
    polycache(dir.path())
        .args(["redis", "--redis-url", &url, "get", "cache:translations:de"])
        .assert()
        .success()
        .stdout(predicate::str::is_match(r"│ hello\s+┆ hallo").unwrap())
        .stdout(predicate::str::contains("tschüss"));
    let r = run_json(dir.path(), &url, &["get", "cache:translations:de"]);
    assert_eq!(r["value"], serde_json::json!({"bye": "tschüss", "hello": "hallo"}));

    // Over the guard: says how big, prints no value, exit 1.
    polycache(dir.path())
        .args([
            "redis",
            "--redis-url",
            &url,
            "get",
            "cache:posts:id:1",
            "--max-bytes",
            "16",
        ])
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains(format!("is a string of {} B", POST_1.len())))
        .stderr(predicate::str::contains("over --max-bytes 16 B"))
        .stderr(predicate::str::contains(format!("(--max-bytes {})", POST_1.len())));
    polycache(dir.path())
        .args(["redis", "--redis-url", &url, "get", "cache:nope:1"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("key `cache:nope:1` does not exist"));
}

#[test]
fn del_cascade_dry_run_deletes_nothing_then_the_real_run_removes_exactly_those() {
    let (server, mut c, dir) = setup();
    let url = server.url();
    let before = all_keys(&mut c);
    let r = run_json(
        dir.path(),
        &url,
        &["del", "--type", "picture", "--cascade", "--dry-run"],
    );
    assert_eq!(r["dryRun"], true);
    assert_eq!(r["types"], serde_json::json!(["pictures", "posts", "pages", "feed"]));
    let doomed: BTreeSet<String> = r["keys"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|v| v.as_array().unwrap().iter().map(|k| k.as_str().unwrap().to_string()))
        .collect();
    let expected: BTreeSet<String> = [
        "cache:pictures:id:9",
        "cache:posts:list",
        "cache:posts:id:1",
        "cache:posts:id:2",
        "cache:pages:slug:about",
        "cache:feed:home",
    ]
    .map(String::from)
    .into();
    assert_eq!(doomed, expected);
    assert_eq!(all_keys(&mut c), before, "a dry run deletes nothing");
    let dbsize: u64 = cmd(&mut c, &["DBSIZE"]);
    assert_eq!(dbsize, before.len() as u64);

    polycache(dir.path())
        .args([
            "redis",
            "--redis-url",
            &url,
            "del",
            "--type",
            "picture",
            "--cascade",
            "--yes",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "deleted 6 keys of pictures, posts, pages, feed",
        ))
        .stdout(predicate::str::is_match(r"│ posts\s+┆ 3 ").unwrap());
    let after = all_keys(&mut c);
    assert_eq!(after, before.difference(&expected).cloned().collect::<BTreeSet<_>>());
    assert!(after.contains("session:abc") && after.contains("cache:categories:all") && after.contains("cache:weird"));

    // Afterwards stats shows the cleared types at 0.
    let r = run_json(dir.path(), &url, &["stats"]);
    for t in r["types"].as_array().unwrap() {
        if expected
            .iter()
            .any(|k| k.starts_with(&format!("cache:{}:", t["type"].as_str().unwrap())))
        {
            assert_eq!(t["keys"], 0, "{t}");
        }
    }
}

#[test]
fn del_without_a_terminal_and_without_yes_refuses() {
    let (server, mut c, dir) = setup();
    let before = all_keys(&mut c);
    polycache(dir.path())
        .args(["redis", "--redis-url", &server.url(), "del", "--type", "posts"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("refusing to delete"))
        .stderr(predicate::str::contains("--yes"));
    assert_eq!(all_keys(&mut c), before);
    // Without --cascade only the type itself goes.
    let r = run_json(dir.path(), &server.url(), &["del", "--type", "posts", "--yes"]);
    assert_eq!(r["removed"], serde_json::json!({"posts": 3}));
    assert!(all_keys(&mut c).contains("cache:feed:home"));
}

#[test]
fn unknown_type_is_a_usage_error() {
    let (server, _c, dir) = setup();
    polycache(dir.path())
        .args([
            "redis",
            "--redis-url",
            &server.url(),
            "del",
            "--type",
            "postz",
            "--dry-run",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean `posts`?"));
}

#[test]
fn wrong_password_is_one_clear_line_without_the_password() {
    let server = RedisServer::start_with(&["--requirepass", "right-horse-battery"]);
    let dir = tempfile::tempdir().unwrap();
    let bad = format!("redis://:wrong-staple-42@127.0.0.1:{}", server.port);
    let out = polycache(dir.path())
        .env("REDIS_URL", &bad)
        .args(["redis", "stats"])
        .assert()
        .code(4);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(
        err.starts_with(&format!(
            "error: Redis at redis://:••••@127.0.0.1:{} refused the credentials",
            server.port
        )),
        "{err}"
    );
    assert_eq!(err.lines().count(), 2, "one line and a hint: {err}");
    assert!(err.contains("hint: put the password in the URL"), "{err}");
    assert!(
        !err.contains("wrong-staple-42") && !err.contains("right-horse-battery"),
        "{err}"
    );
    assert!(!err.contains("panicked") && !err.contains("backtrace"));

    // No password at all: NOAUTH, same exit code.
    polycache(dir.path())
        .args(["redis", "--redis-url", &server.url(), "keys"])
        .assert()
        .code(4)
        .stderr(predicate::str::contains("requires a password (NOAUTH)"));

    // The right password works.
    let good = format!("redis://:right-horse-battery@127.0.0.1:{}", server.port);
    polycache(dir.path())
        .env("REDIS_URL", &good)
        .args(["redis", "stats"])
        .assert()
        .success()
        .stdout(predicate::str::contains("right-horse-battery").not());
}

#[test]
fn connection_refused_is_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    let port = common::free_port();
    polycache(dir.path())
        .args(["redis", "--redis-url", &format!("redis://:pw-77@127.0.0.1:{port}"), "stats"])
        .assert()
        .code(1)
        .stderr(format!(
            "error: cannot connect to Redis at redis://:••••@127.0.0.1:{port}: connection refused\n  hint: is redis-server running there? Point REDIS_URL or --redis-url at the cache's Redis\n"
        ));
}

/// `redis watch --json --enable-notifications --count 2`, stdout piped.
fn spawn_watch(dir: &std::path::Path, url: &str) -> Reaped {
    Reaped::spawn(
        common::clean_command(dir)
            .args(["--json", "redis", "--redis-url", url, "watch"])
            .args(["--enable-notifications", "--count", "2", "--timeout", "30s"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null()),
        "spawn polycache",
    )
}

/// Waits until the server has `n` pattern subscriptions (the watcher is listening).
fn wait_for_patterns(c: &mut redis::Connection, n: u64) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(15) {
        let numpat: u64 = cmd(c, &["PUBSUB", "NUMPAT"]);
        if numpat >= n {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("the watcher never subscribed");
}

#[test]
fn watch_needs_notifications_and_then_sees_a_set_and_a_del() {
    let (server, mut c, dir) = setup();
    // Off by default: explain how to enable, change nothing, exit 1.
    polycache(dir.path())
        .args([
            "redis",
            "--redis-url",
            &server.url(),
            "watch",
            "--count",
            "1",
            "--timeout",
            "5s",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("keyspace notifications are off"))
        .stderr(predicate::str::contains("CONFIG SET notify-keyspace-events KEA"));
    let flags: Vec<String> = cmd(&mut c, &["CONFIG", "GET", "notify-keyspace-events"]);
    assert_eq!(flags[1], "");

    let mut child = spawn_watch(dir.path(), &server.url());
    wait_for_patterns(&mut c, 1);
    let _: () = cmd(&mut c, &["SET", "session:zzz", "not under the prefix"]);
    let _: () = cmd(&mut c, &["SET", "cache:posts:id:77", "{}"]);
    let _: () = cmd(&mut c, &["DEL", "cache:posts:id:77"]);
    let lines: Vec<Json> = BufReader::new(child.stdout.take().unwrap())
        .lines()
        .map(|l| serde_json::from_str(&l.unwrap()).unwrap())
        .collect();
    assert!(child.wait().unwrap().success());
    let seen: Vec<(&str, &str, &str)> = lines
        .iter()
        .map(|e| {
            (
                e["event"].as_str().unwrap(),
                e["type"].as_str().unwrap(),
                e["key"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("set", "posts", "cache:posts:id:77"),
            ("del", "posts", "cache:posts:id:77")
        ]
    );
    // The setting --enable-notifications changed is put back when the watch ends.
    let flags: Vec<String> = cmd(&mut c, &["CONFIG", "GET", "notify-keyspace-events"]);
    assert_eq!(flags[1], "", "restored after the watch: {flags:?}");
}

/// The first of `keys` that lives on `node`.
fn first_key_on(node: &RedisServer, keys: &[String]) -> String {
    let mut c = conn(&node.url());
    keys.iter()
        .find(|k| owns(&mut c, k))
        .cloned()
        .expect("a key on each master")
}

/// Whether the node `c` is connected to holds `key` (EXISTS answers MOVED otherwise).
fn owns(c: &mut redis::Connection, key: &str) -> bool {
    redis::cmd("EXISTS").arg(key).query::<u64>(c).is_ok_and(|n| n == 1)
}

/// Two masters on free ports, slots split between them, joined with CLUSTER MEET.
fn start_cluster() -> (RedisServer, RedisServer) {
    let start = || {
        let bus = common::free_port().to_string();
        RedisServer::start_with(&["--cluster-enabled", "yes", "--cluster-port", &bus])
    };
    let (a, b) = (start(), start());
    let mut ca = conn(&a.url());
    let mut cb = conn(&b.url());
    let _: () = cmd(&mut ca, &["CLUSTER", "ADDSLOTSRANGE", "0", "8191"]);
    let _: () = cmd(&mut cb, &["CLUSTER", "ADDSLOTSRANGE", "8192", "16383"]);
    let bus_b: String = {
        let v: Vec<String> = cmd(&mut cb, &["CONFIG", "GET", "cluster-port"]);
        v[1].clone()
    };
    let _: () = cmd(&mut ca, &["CLUSTER", "MEET", "127.0.0.1", &b.port.to_string(), &bus_b]);
    let start = Instant::now();
    loop {
        let ia: String = cmd(&mut ca, &["CLUSTER", "INFO"]);
        let ib: String = cmd(&mut cb, &["CLUSTER", "INFO"]);
        let ok = |s: &str| s.contains("cluster_state:ok") && s.contains("cluster_known_nodes:2");
        if ok(&ia) && ok(&ib) {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(20), "cluster did not form: {ia}");
        std::thread::sleep(Duration::from_millis(50));
    }
    (a, b)
}

#[test]
fn cluster_every_master_is_scanned_watched_and_deleted_from() {
    let (a, b) = start_cluster();
    let dir = tempfile::tempdir().unwrap();
    let cluster = redis::cluster::ClusterClient::new(vec![a.url()]).expect("cluster client");
    let mut cc = cluster.get_connection().expect("cluster connection");
    let keys: Vec<String> = (0..40).map(|i| format!("cache:posts:id:{i}")).collect();
    for k in &keys {
        let _: () = redis::cmd("SET")
            .arg(k)
            .arg("{}")
            .arg("EX")
            .arg(100)
            .query(&mut cc)
            .unwrap();
    }
    let _: () = redis::cmd("SET")
        .arg("cache:feed:home")
        .arg("{}")
        .query(&mut cc)
        .unwrap();
    let on_a: u64 = cmd(&mut conn(&a.url()), &["DBSIZE"]);
    let on_b: u64 = cmd(&mut conn(&b.url()), &["DBSIZE"]);
    assert!(on_a > 0 && on_b > 0, "keys spread over both masters: {on_a} {on_b}");

    let r = run_json(dir.path(), &a.url(), &["stats"]);
    assert_eq!(r["cluster"], true);
    assert_eq!(r["nodes"].as_array().unwrap().len(), 2);
    let posts = r["types"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["type"] == "posts")
        .unwrap();
    assert_eq!(posts["keys"], 40);

    // A key on either master can be read.
    for k in [
        "cache:posts:id:0",
        "cache:posts:id:1",
        "cache:posts:id:2",
        "cache:posts:id:3",
    ] {
        let r = run_json(dir.path(), &b.url(), &["get", k]);
        assert_eq!(r["value"], serde_json::json!({}));
    }

    // watch subscribes on every master: events from both arrive.
    let mut child = spawn_watch(dir.path(), &a.url());
    wait_for_patterns(&mut conn(&a.url()), 1);
    wait_for_patterns(&mut conn(&b.url()), 1);
    let (on_a, on_b) = (first_key_on(&a, &keys), first_key_on(&b, &keys));
    for k in [&on_a, &on_b] {
        let _: () = redis::cmd("DEL").arg(k).query(&mut cc).unwrap();
    }
    let seen: BTreeSet<String> = BufReader::new(child.stdout.take().unwrap())
        .lines()
        .map(|l| {
            serde_json::from_str::<Json>(&l.unwrap()).unwrap()["key"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert!(child.wait().unwrap().success());
    assert_eq!(seen, BTreeSet::from([on_a, on_b]));

    let r = run_json(dir.path(), &a.url(), &["del", "--type", "posts", "--yes"]);
    assert_eq!(r["removed"]["posts"], 38);
    let left: u64 = cmd::<u64>(&mut conn(&a.url()), &["DBSIZE"]) + cmd::<u64>(&mut conn(&b.url()), &["DBSIZE"]);
    assert_eq!(left, 1, "only cache:feed:home is left");
}

/// A CA, a server certificate for 127.0.0.1 signed by it, and an unrelated CA, made
/// with the openssl CLI.
fn make_certs(dir: &std::path::Path) {
    let run = |args: &[&str]| {
        let ok = std::process::Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("openssl must be installed (.ci/run installs it)")
            .success();
        assert!(ok, "openssl {args:?}");
    };
    run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=polycache test CA",
    ]);
    run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "other.key",
        "-out",
        "other.pem",
        "-days",
        "2",
        "-subj",
        "/CN=another CA",
    ]);
    std::fs::write(
        dir.join("ext.cnf"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    run(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=127.0.0.1",
    ]);
    run(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.pem",
        "-days",
        "2",
        "-extfile",
        "ext.cnf",
    ]);
}

#[test]
fn rediss_urls_speak_tls_and_an_untrusted_certificate_is_one_clear_line() {
    let certs = tempfile::tempdir().unwrap();
    make_certs(certs.path());
    let tls_port = common::free_port();
    let p = |f: &str| certs.path().join(f).display().to_string();
    let (cert, key, ca) = (p("server.pem"), p("server.key"), p("ca.pem"));
    let server = RedisServer::start_with(&[
        "--tls-port",
        &tls_port.to_string(),
        "--tls-cert-file",
        &cert,
        "--tls-key-file",
        &key,
        "--tls-ca-cert-file",
        &ca,
        "--tls-auth-clients",
        "no",
    ]);
    assert!(common::wait_for_port(tls_port, Duration::from_secs(5)));
    let _: () = cmd(&mut conn(&server.url()), &["SET", "cache:posts:id:1", POST_1]);
    let dir = tempfile::tempdir().unwrap();
    let url = format!("rediss://127.0.0.1:{tls_port}");
    let r = polycache(dir.path())
        .env("SSL_CERT_FILE", &ca)
        .args(["--json", "redis", "--redis-url", &url, "keys"])
        .assert()
        .success();
    let r: Json = serde_json::from_slice(&r.get_output().stdout).unwrap();
    assert_eq!(r["keys"][0]["key"], "cache:posts:id:1");

    // Trusting another CA only, the certificate is not trusted.
    polycache(dir.path())
        .env("SSL_CERT_FILE", p("other.pem"))
        .args(["redis", "--redis-url", &url, "keys"])
        .assert()
        .code(1)
        .stderr(predicate::str::starts_with(format!(
            "error: TLS with Redis at {url} failed"
        )))
        .stderr(predicate::str::contains("SSL_CERT_FILE"));
}

/// End to end: a `polycache serve --store redis` node clears the cascade of `pictures`
/// from Redis, and `redis stats` sees exactly those types emptied.
#[tokio::test]
async fn after_invalidating_pictures_on_serve_stats_shows_the_cascade_emptied() {
    use common::node::{Mode, Node, NodeConfig};
    let redis = RedisServer::start();
    let node = Node::start(&NodeConfig::new(Mode::Redis(&redis))); // --demo-data: keys for every type
    let dir = tempfile::tempdir().unwrap();
    let keys_of = |r: &Json| -> std::collections::BTreeMap<String, u64> {
        r["types"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| (t["type"].as_str().unwrap().to_string(), t["keys"].as_u64().unwrap()))
            .collect()
    };
    let before = keys_of(&run_json(dir.path(), &redis.url(), &["stats"]));
    assert!(
        before.values().all(|n| *n > 0),
        "demo data fills every type: {before:?}"
    );

    // The real command, as an admin would run it (`picture` is an alias of `pictures`).
    let out = common::polycache(dir.path())
        .env("SERVICE_EMAIL", common::node::EMAIL)
        .env("SERVICE_PASSWORD", common::node::PASSWORD)
        .args(["invalidate", "picture", "--verify", "--url", &node.url("")])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("pictures, posts, pages, feed"), "{text}");
    assert!(!text.contains(common::node::PASSWORD), "the password leaked: {text}");

    let after = keys_of(&run_json(dir.path(), &redis.url(), &["stats"]));
    for (t, n) in &after {
        if ["pictures", "posts", "pages", "feed"].contains(&t.as_str()) {
            assert_eq!(*n, 0, "{t} emptied: {after:?}");
        } else {
            assert_eq!(*n, before[t], "{t} untouched: {after:?}");
        }
    }
}

fn set_bytes(c: &mut redis::Connection, key: &[u8], value: &[u8]) {
    let () = redis::cmd("SET").arg(key).arg(value).query(c).expect("SET");
}

fn exists_bytes(c: &mut redis::Connection, key: &[u8]) -> bool {
    redis::cmd("EXISTS").arg(key).query::<u64>(c).expect("EXISTS") == 1
}

/// Whether `text` holds a control character other than the newlines that end its lines.
fn has_controls(text: &str) -> bool {
    text.chars().any(|c| c.is_control() && c != '\n')
}

/// Key names, values and types holding control sequences are shown escaped: `keys` keeps
/// one row per key (a key with `\n` or `\r\n` does not split its row), the `get` header
/// and value send nothing that drives the terminal; `--json` stays exact.
#[test]
fn control_characters_in_keys_and_values_are_escaped() {
    let (server, mut c, dir) = setup();
    let url = server.url();
    let hostile: [&[u8]; 4] = [
        b"cache:evil:nul\x00esc\x1b]0;PWNED\x07",
        b"cache:evil:line\nbreak",
        b"cache:evil:crlf\r\nrow",
        "cache:evil:c1\u{9b}31m\u{202e}".as_bytes(),
    ];
    for k in hostile {
        set_bytes(&mut c, k, b"{\"title\":\"a\\u001b]0;x\\u0007\"}");
    }
    set_bytes(&mut c, b"cache:evil:text", b"plain \x1b[2J text\nsecond line \x9b");
    let out = polycache(dir.path())
        .args(["redis", "--redis-url", &url, "keys", "evil:*"])
        .assert()
        .success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(!has_controls(&text), "{text:?}");
    for shown in [
        "cache:evil:nul\\x00esc\\x1b]0;PWNED\\x07",
        "cache:evil:line\\nbreak",
        "cache:evil:crlf\\r\\nrow",
        "cache:evil:c1\\xc2\\x9b31m\\xe2\\x80\\xae",
    ] {
        let rows = text.lines().filter(|l| l.contains(shown)).count();
        assert_eq!(rows, 1, "{shown} in one row: {text}");
    }
    // Top border, header, its rule, 5 rows, bottom border, summary.
    assert_eq!(text.lines().count(), 3 + 5 + 2, "{text}");

    let out = polycache(dir.path())
        .args([
            "redis",
            "--redis-url",
            &url,
            "get",
            "cache:evil:nul\\x00esc\\x1b]0;PWNED\\x07",
        ])
        .assert()
        .success();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.get_output().stdout).into_owned(),
        String::from_utf8_lossy(&out.get_output().stderr).into_owned(),
    );
    assert!(
        !has_controls(&stdout) && !has_controls(&stderr),
        "{stdout:?} {stderr:?}"
    );
    assert!(
        stderr.starts_with("cache:evil:nul\\x00esc\\x1b]0;PWNED\\x07  string"),
        "{stderr}"
    );
    assert_eq!(stdout, "{\n  \"title\": \"a\\u001b]0;x\\u0007\"\n}\n");
    let out = polycache(dir.path())
        .args(["redis", "--redis-url", &url, "get", "cache:evil:text"])
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert_eq!(stdout, "plain \\x1b[2J text\nsecond line \\x9b\n");

    // JSON is exact: the key's own characters, escaped by JSON.
    let r = run_json(dir.path(), &url, &["keys", "evil:*"]);
    let names: BTreeSet<&str> = r["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["key"].as_str().unwrap())
        .collect();
    assert!(names.contains("cache:evil:line\nbreak"), "{r:#}");
    assert!(names.contains("cache:evil:nul\u{0}esc\u{1b}]0;PWNED\u{7}"), "{r:#}");
}

/// A key that is not UTF-8 is printed by `keys` in an escaped form that `get` and `del`
/// accept back, byte for byte; so is a key holding a backslash.
#[test]
fn keys_that_are_not_utf8_round_trip_through_the_command_line() {
    let (server, mut c, dir) = setup();
    let url = server.url();
    let binary: &[u8] = b"cache:bin:\xff\xfe:1";
    let slash: &[u8] = b"cache:bin:a\\xff";
    set_bytes(&mut c, binary, b"\"binary\"");
    set_bytes(&mut c, slash, b"\"slash\"");
    let out = polycache(dir.path())
        .args(["redis", "--redis-url", &url, "keys", "bin:*"])
        .assert()
        .success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(text.contains("cache:bin:\\xff\\xfe:1"), "{text}");
    assert!(text.contains("cache:bin:a\\\\xff"), "{text}");
    // `--json` gives the same form for the key that is not UTF-8, and the exact text of
    // the other.
    let r = run_json(dir.path(), &url, &["keys", "bin:*"]);
    let names: BTreeSet<&str> = r["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["key"].as_str().unwrap())
        .collect();
    assert_eq!(names, BTreeSet::from(["cache:bin:\\xff\\xfe:1", "cache:bin:a\\xff"]));

    // The printed forms work as patterns too: `\xNN` is a byte, `\\` a backslash.
    for (pattern, only) in [
        ("bin:\\xff*", "cache:bin:\\xff\\xfe:1"),
        ("cache:bin:a\\\\xff", "cache:bin:a\\xff"),
    ] {
        let r = run_json(dir.path(), &url, &["keys", pattern]);
        let names: Vec<&str> = r["keys"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["key"].as_str().unwrap())
            .collect();
        assert_eq!(names, vec![only], "{pattern}");
    }

    for (arg, value) in [
        ("cache:bin:\\xff\\xfe:1", "\"binary\"\n"),
        ("bin:\\xff\\xfe:1", "\"binary\"\n"),
        ("cache:bin:a\\\\xff", "\"slash\"\n"),
    ] {
        polycache(dir.path())
            .args(["redis", "--redis-url", &url, "get", arg])
            .assert()
            .success()
            .stdout(value);
    }
    let out = polycache(dir.path())
        .args([
            "redis",
            "--redis-url",
            &url,
            "del",
            "--dry-run",
            "cache:bin:\\xff\\xfe:1",
        ])
        .assert()
        .success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(
        text.contains("would delete 1 key") && text.contains("  cache:bin:\\xff\\xfe:1\n"),
        "{text}"
    );
    assert!(exists_bytes(&mut c, binary));
    polycache(dir.path())
        .args(["redis", "--redis-url", &url, "del", "--yes", "cache:bin:\\xff\\xfe:1"])
        .assert()
        .success()
        .stdout(predicate::str::contains("deleted 1 key"));
    assert!(!exists_bytes(&mut c, binary), "the key that is not UTF-8 is gone");
    assert!(exists_bytes(&mut c, slash), "the other is untouched");
    // A missing key is named, and nothing is deleted.
    polycache(dir.path())
        .args([
            "redis",
            "--redis-url",
            &url,
            "del",
            "--yes",
            "cache:bin:a\\\\xff",
            "cache:bin:\\x00",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "no such key: `cache:bin:\\x00`; nothing deleted",
        ));
    assert!(exists_bytes(&mut c, slash));
}

/// Runs `polycache redis get ARGS...` and returns its peak resident memory, the bytes it
/// wrote to stdout (counted, not kept: only the first and last 64 are), and its status.
fn get_peak(dir: &std::path::Path, url: &str, args: &[&str]) -> (u64, u64, Vec<u8>, Vec<u8>) {
    let mut child = Reaped::spawn(
        common::clean_command(dir)
            .args(["redis", "--redis-url", url, "get", "--max-bytes", "100M"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null()),
        "spawn polycache",
    );
    let sampler = common::rss::Sampler::start(child.id());
    let mut stdout = child.stdout.take().unwrap();
    let (mut total, mut head, mut tail) = (0u64, Vec::new(), Vec::new());
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = std::io::Read::read(&mut stdout, &mut buf).unwrap();
        if n == 0 {
            break;
        }
        total += n as u64;
        if head.len() < 64 {
            head.extend_from_slice(&buf[..n.min(64 - head.len())]);
        }
        tail.extend_from_slice(&buf[..n]);
        let over = tail.len().saturating_sub(64);
        tail.drain(..over);
    }
    let peak = sampler.max();
    assert!(child.wait().unwrap().success());
    (peak, total, head, tail)
}

/// A 64 MiB value is read in pieces and shown as it comes: the process stays far below
/// the value's size (it held the value several times over before), as pretty JSON and as
/// text; --json streams the same document as for a small value.
#[test]
fn get_of_a_large_value_streams_in_bounded_memory() {
    const SIZE: usize = 64 << 20;
    let (server, mut c, dir) = setup();
    let url = server.url();
    let mut json = b"{\"blob\":\"".to_vec();
    json.resize(SIZE - 2, b'j');
    json.extend_from_slice(b"\"}");
    set_bytes(&mut c, b"cache:big:json", &json);
    drop(json);
    let mut text = b"plain \x1b text ".to_vec();
    text.resize(SIZE, b't');
    set_bytes(&mut c, b"cache:big:text", &text);
    drop(text);
    let ceiling = 40u64 << 20;
    let mib = |b: u64| b as f64 / 1048576.0;

    let (peak, total, head, tail) = get_peak(dir.path(), &url, &["cache:big:json"]);
    eprintln!(
        "redis get of a {} MiB JSON value: peak RSS {:.1} MiB",
        SIZE >> 20,
        mib(peak)
    );
    assert!(peak < ceiling, "peak RSS {:.1} MiB", mib(peak));
    assert_eq!(
        total,
        SIZE as u64 + 6,
        "indented: three newlines, two spaces, a space after the colon"
    );
    assert!(head.starts_with(b"{\n  \"blob\": \"jjj"));
    assert!(tail.ends_with(b"jjj\"\n}\n"));

    let (peak, total, head, tail) = get_peak(dir.path(), &url, &["cache:big:text"]);
    eprintln!(
        "redis get of a {} MiB text value: peak RSS {:.1} MiB",
        SIZE >> 20,
        mib(peak)
    );
    assert!(peak < ceiling, "peak RSS {:.1} MiB", mib(peak));
    assert_eq!(total, SIZE as u64 + 3 + 1, "ESC shown as \\x1b, then a newline");
    assert!(head.starts_with(b"plain \\x1b text ttt"));
    assert!(tail.ends_with(b"ttt\n"));

    // --json: a value over 1 MiB is streamed into the same document as a small one.
    let mut json = b"{\"blob\":\"".to_vec();
    json.resize((2 << 20) - 2, b'j');
    json.extend_from_slice(b"\"}");
    set_bytes(&mut c, b"cache:big:json", &json);
    set_bytes(&mut c, b"cache:big:text", b"\xff\"quoted\"\x1b");
    let r = run_json(dir.path(), &url, &["get", "cache:big:json", "--max-bytes", "10M"]);
    assert_eq!(r["value"], serde_json::from_slice::<Json>(&json).unwrap());
    assert_eq!(r["size"], 2 << 20);
    assert_eq!(r["key"], "cache:big:json");
    let mut text = b"\xff\"quoted\"\x1b".to_vec();
    text.resize(2 << 20, b't');
    set_bytes(&mut c, b"cache:big:text", &text);
    let r = run_json(dir.path(), &url, &["get", "cache:big:text", "--max-bytes", "10M"]);
    let value = r["value"].as_str().unwrap();
    assert!(
        value.starts_with("\\xff\"quoted\"\u{1b}ttt") && value.len() == (2 << 20) + 3,
        "{}",
        &value[..20]
    );
}

/// `redis watch` shows keys from keyspace events escaped too, in the form `get` accepts.
#[test]
fn watch_shows_hostile_and_binary_keys_escaped() {
    let (server, mut c, dir) = setup();
    let child = Reaped::spawn(
        common::clean_command(dir.path())
            .args(["redis", "--redis-url", &server.url(), "watch"])
            .args(["--enable-notifications", "--count", "2", "--timeout", "30s"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null()),
        "spawn polycache",
    );
    wait_for_patterns(&mut c, 1);
    set_bytes(&mut c, b"cache:posts:\x1b]0;PWNED\x07\r\n", b"1");
    set_bytes(&mut c, b"cache:posts:\xff\xfe", b"2");
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).expect("UTF-8 output");
    assert!(!has_controls(&text), "{text:?}");
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(
        text.contains("posts         cache:posts:\\x1b]0;PWNED\\x07\\r\\n\n"),
        "{text}"
    );
    assert!(text.contains("cache:posts:\\xff\\xfe"), "{text}");
}

/// A Redis connection that drops in the middle of an answer (a loopback server that speaks
/// the protocol, then cuts its SCAN reply short) is said as such, with what to do; it used
/// to read as "not the Redis protocol (wrong port, or a TLS server...)".
#[test]
fn a_connection_dropped_mid_answer_is_named_as_such() {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut c) = conn else { return };
            std::thread::spawn(move || {
                let mut buf = [0u8; 65536];
                loop {
                    let Ok(n) = c.read(&mut buf) else { return };
                    if n == 0 {
                        return;
                    }
                    let got = String::from_utf8_lossy(&buf[..n]).to_ascii_uppercase();
                    if got.contains("SCAN") {
                        // Half an answer, then the connection closes.
                        let _ = c.write_all(b"*2\r\n$1\r\n0\r\n*3\r\n$5\r\nab");
                        return;
                    }
                    let n = got.matches('*').count().max(1);
                    let _ = c.write_all(&b"+OK\r\n".repeat(n));
                }
            });
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let out = polycache(dir.path())
        .args(["redis", "keys", "--redis-url", &format!("redis://127.0.0.1:{port}")])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("the connection closed in the middle of an answer"),
        "{err}"
    );
    assert!(!err.contains("not the Redis protocol"), "{err}");
}

/// `redis watch` heals when Redis restarts under it: it says so, subscribes again, and the
/// events after the restart come through (it used to end as if done, exit 0).
#[test]
fn redis_watch_subscribes_again_after_a_restart() {
    let mut redis = RedisServer::start_with(&["--notify-keyspace-events", "KEA"]);
    let url = redis.url();
    let dir = tempfile::tempdir().unwrap();
    let mut watch = common::process::Background::spawn(
        dir.path(),
        &[
            "--json",
            "redis",
            "watch",
            "--redis-url",
            &url,
            "--count",
            "2",
            "--timeout",
            "40s",
        ],
    );
    let start = Instant::now();
    while !watch.stderr_text().contains("watching") {
        assert!(start.elapsed() < Duration::from_secs(10), "{}", watch.stderr_text());
        std::thread::sleep(Duration::from_millis(20));
    }
    let _: () = cmd(&mut conn(&url), &["SET", "cache:posts:before", "1"]);
    watch.wait_lines(1);
    redis.restart();
    let start = Instant::now();
    while !watch.stderr_text().contains("again (events while disconnected") {
        assert!(start.elapsed() < Duration::from_secs(15), "{}", watch.stderr_text());
        std::thread::sleep(Duration::from_millis(50));
    }
    let _: () = cmd(&mut conn(&url), &["SET", "cache:posts:after", "2"]);
    assert_eq!(watch.wait(), 0, "{}", watch.stderr_text());
    let out = watch.stdout_text();
    assert!(
        out.contains("cache:posts:before") && out.contains("cache:posts:after"),
        "{out}"
    );
    assert!(
        watch.stderr_text().contains("subscribing again"),
        "{}",
        watch.stderr_text()
    );
}

/// `redis watch` follows the one exit rule of every streaming command: --timeout before
/// --count is a failure that says how many came (tail says the same); without --count it
/// is the end, exit 0.
#[test]
fn watch_fails_when_the_timeout_comes_before_the_count() {
    let (server, _c, dir) = setup();
    polycache(dir.path())
        .args(["redis", "--redis-url", &server.url(), "watch", "--enable-notifications"])
        .args(["--count", "5", "--timeout", "1s"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("timed out after 1.0s: 0 of 5 events arrived"));
    polycache(dir.path())
        .args(["redis", "--redis-url", &server.url(), "watch", "--enable-notifications"])
        .args(["--timeout", "500ms"])
        .assert()
        .code(0)
        .stderr(predicate::str::contains("0 events"));
}

/// Ctrl-C (or SIGTERM) during a deletion stops after the batch under way and reports what
/// was deleted: exit 130, the count matching what is really gone, the rest still there.
/// Redis holds writes (CLIENT PAUSE WRITE) so that the signal lands while a batch waits, and
/// lets them go once the signal is sent.
#[test]
fn an_interrupted_del_reports_what_it_deleted_and_exits_130() {
    for (signal, json) in [("INT", false), ("TERM", true)] {
        let server = RedisServer::start();
        let mut c = conn(&server.url());
        let mut pipe = redis::pipe();
        for i in 0..3000 {
            pipe.cmd("SET").arg(format!("cache:posts:id:{i}")).arg("v").ignore();
        }
        pipe.query::<()>(&mut c).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let _: String = cmd(&mut c, &["CLIENT", "PAUSE", "20000", "WRITE"]);
        let mut command = common::clean_command(dir.path());
        command.args(["redis", "del", "--type", "posts", "--yes", "--redis-url", &server.url()]);
        if json {
            command.arg("--json");
        }
        let mut del = Reaped::spawn(command.stdout(Stdio::piped()).stderr(Stdio::piped()), "polycache");
        // The first UNLINK waits for the pause: the deletion is under way.
        assert!(
            common::eventually(Duration::from_secs(10), || {
                let list: String = cmd(&mut c, &["CLIENT", "LIST"]);
                list.lines().any(|l| l.contains("cmd=unlink") && l.contains("flags=b"))
            }),
            "the deletion never started"
        );
        assert!(del.signal(signal));
        // Then the batch under way may finish. The handler's flag cannot be watched from
        // here: half a second is its time to be raised.
        std::thread::sleep(Duration::from_millis(500));
        let _: String = cmd(&mut c, &["CLIENT", "UNPAUSE"]);
        let out = del.wait_with_output().unwrap();
        let (stdout, stderr) = (
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
        );
        assert_eq!(out.status.code(), Some(130), "{stdout}{stderr}");
        let left: u64 = cmd(&mut c, &["DBSIZE"]);
        assert!(left > 0 && left < 3000, "{left} keys left");
        let gone = 3000 - left;
        if json {
            let report: Json = serde_json::from_str(&stdout).unwrap();
            assert_eq!(report["interrupted"], true, "{report}");
            assert_eq!(report["total"], gone, "{report}");
            assert_eq!(report["removed"]["posts"], gone, "{report}");
        } else {
            assert!(
                stdout.contains(&format!("interrupted: deleted {gone} keys of the 3000 found")),
                "{stdout}"
            );
            assert!(stdout.contains("the others are still there"), "{stdout}");
        }
    }
}
