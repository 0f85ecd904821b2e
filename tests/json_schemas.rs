//! The JSON contract of PROTOCOL section 9, checked on real output: every `--json` document
//! and NDJSON line validates against its schema in `docs/json/`, and every key polycache
//! writes is camelCase (keys that are data, such as type names, are plain words too).

mod common;

use std::path::Path;

use common::node::{EMAIL, Mode, Node, NodeConfig, PASSWORD, client};
use serde_json::Value;

fn schema(name: &str) -> jsonschema::Validator {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("docs/json/{name}.schema.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let schema: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every object key, at any depth, except under the keys named in `data` (maps keyed by
/// user data such as Redis hash fields).
fn keys<'a>(v: &'a Value, data: &[&str], out: &mut Vec<&'a str>) {
    match v {
        Value::Object(map) => {
            for (k, x) in map {
                out.push(k);
                if !data.contains(&k.as_str()) {
                    keys(x, data, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|x| keys(x, data, out)),
        _ => {}
    }
}

fn camel(k: &str) -> bool {
    let mut chars = k.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase()) && chars.all(|c| c.is_ascii_alphanumeric())
}

/// Validates one document against `name`'s schema and the key convention.
fn check(name: &str, doc: &Value, data: &[&str]) {
    let v = schema(name);
    let errors: Vec<String> = v
        .iter_errors(doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{name}: {errors:#?}\n{doc:#}");
    let mut all = Vec::new();
    keys(doc, data, &mut all);
    let bad: Vec<&&str> = all.iter().filter(|k| !camel(k)).collect();
    assert!(bad.is_empty(), "{name}: keys that are not camelCase: {bad:?}");
}

fn run_json(cmd: &mut assert_cmd::Command) -> Value {
    let out = cmd.output().expect("run polycache");
    let stdout = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "not one JSON document ({e}):\n{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

#[test]
fn config_graph_and_dry_runs_match_their_schemas() {
    let dir = tempfile::tempdir().unwrap();
    check(
        "config",
        &run_json(common::polycache(dir.path()).args(["--json", "config"])),
        &[],
    );
    check(
        "graph",
        &run_json(common::polycache(dir.path()).args(["--json", "graph"])),
        &[],
    );
    check(
        "graph",
        &run_json(common::polycache(dir.path()).args(["--json", "graph", "feed"])),
        &[],
    );
    check(
        "invalidate",
        &run_json(client(dir.path()).args(["--json", "invalidate", "posts", "--id", "42", "--dry-run"])),
        &["headers"],
    );
}

#[test]
fn invalidate_and_doctor_match_their_schemas_on_a_real_node() {
    let local = Node::memory();
    let mirror = Node::memory();
    let dir = tempfile::tempdir().unwrap();
    let doc = run_json(client(dir.path()).args([
        "--json",
        "invalidate",
        "--url",
        &local.base,
        "--mirrors",
        &mirror.base,
        "posts",
        "--mirror",
        "--verify",
    ]));
    assert_eq!(doc["ok"], true, "{doc:#}");
    check("invalidate", &doc, &[]);
    let doc = run_json(client(dir.path()).args([
        "--json",
        "invalidate",
        "--url",
        &local.base,
        "--mirrors",
        &mirror.base,
        "pages",
        "--via-server",
        "--verify",
    ]));
    check("invalidate", &doc, &[]);
    let doc = run_json(client(dir.path()).args(["--json", "doctor", "--url", &local.base, "--stream-timeout", "1s"]));
    check("doctor", &doc, &[]);
    assert!(!doc.to_string().contains(PASSWORD) && doc.to_string().contains(EMAIL));
}

#[test]
fn demo_matches_its_schema() {
    let dir = tempfile::tempdir().unwrap();
    let doc = run_json(
        common::polycache(dir.path())
            .env("TMPDIR", dir.path())
            .args(["--json", "demo"]),
    );
    // Each step's `data` is that step's own material (entry counts keyed by type, ...).
    check("demo", &doc, &["data"]);
}

#[test]
fn redis_logs_and_check_match_their_schemas() {
    let redis = common::services::RedisServer::start();
    drop(Node::start(&NodeConfig::new(Mode::Redis(&redis)))); // its demo data stays
    let dir = tempfile::tempdir().unwrap();
    let with_redis = |args: &[&str]| {
        let mut cmd = common::polycache(dir.path());
        cmd.env("REDIS_URL", redis.url()).args(args);
        run_json(&mut cmd)
    };
    let stats = with_redis(&["--json", "redis", "stats"]);
    assert!(stats["total"]["keys"].as_u64().unwrap_or(0) > 0, "{stats:#}");
    check("redis-stats", &stats, &[]);
    check("redis-keys", &with_redis(&["--json", "redis", "keys"]), &[]);
    // A value is the application's data, keyed as it likes.
    check(
        "redis-get",
        &with_redis(&["--json", "redis", "get", "cache:posts:list"]),
        &["value"],
    );
    // Keys of `keys`/`removed` are type names (and `(other)`).
    check(
        "redis-del",
        &with_redis(&["--json", "redis", "del", "--type", "picture", "--cascade", "--dry-run"]),
        &["keys", "removed"],
    );

    let log = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/cache.json");
    check(
        "logs-stats",
        &run_json(common::polycache(dir.path()).args(["--json", "logs", "--stats", log])),
        &[],
    );

    let platform = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/platform/clean");
    let clean = run_json(common::polycache(dir.path()).args(["--json", "check", "--root", platform]));
    check("check", &clean, &[]);
    // And with findings: the clean tree with the files of a broken one laid over it.
    let tree = common::platform_tree(&["unknown-type", "stale-in-browsers"]);
    let found = run_json(
        common::polycache(dir.path())
            .args(["--json", "check", "--root"])
            .arg(tree.path()),
    );
    let kinds: Vec<&str> = found["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"unknownType") && kinds.contains(&"staleInBrowsers"),
        "{found:#}"
    );
    check("check", &found, &[]);
    // graph TYPE with the browser half, found from the tree.
    for t in ["pictures", "auth"] {
        let both = run_json(common::polycache(tree.path()).args(["--json", "graph", t]));
        assert!(both["browsers"].is_object(), "{both:#}");
        check("graph", &both, &[]);
    }
}

#[test]
fn merged_log_lines_match_their_schema_and_name_their_file() {
    let dir = tempfile::tempdir().unwrap();
    let log = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/cache.json");
    let other = dir.path().join("other.json");
    std::fs::write(&other, "{\"level\":30,\"time\":1795689479500,\"msg\":\"other\"}\n").unwrap();
    let out = common::polycache(dir.path())
        .args(["--json", "logs", log, "other.json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let lines: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("NDJSON"))
        .collect();
    assert!(lines.len() > 20);
    for line in &lines {
        // The entries' nested objects are the application's data.
        check("logs", line, &["config", "redis", "req", "res", "err"]);
        assert!(line["file"] == log || line["file"] == "other.json", "{line}");
    }
    assert_eq!(lines[0]["file"], "other.json");
}

#[test]
fn tail_lines_match_their_schema_with_ids_as_strings() {
    let node = Node::memory();
    // Inside a platform checkout, so that lines carry what browsers reset.
    let dir = common::platform_tree(&["stale-in-browsers"]);
    // An id the node never issued: a gap first, then the next invalidation.
    let tail = common::process::Background::spawn(
        dir.path(),
        &[
            "--json",
            "tail",
            "--url",
            &node.base,
            "--since-id",
            "999",
            "--count",
            "1",
            "--timeout",
            "20s",
        ],
    );
    node.wait_clients(1);
    let out = client(dir.path())
        .args(["invalidate", "posts", "--url", &node.base])
        .output()
        .unwrap();
    assert!(out.status.success());
    let lines = tail.wait_lines(2);
    let docs: Vec<Value> = lines.iter().map(|l| serde_json::from_str(l).expect("NDJSON")).collect();
    assert_eq!(docs[0]["gap"], true, "{docs:#?}");
    assert_eq!(docs[1]["eventId"], "1", "{docs:#?}");
    assert!(docs[1]["browsers"]["stale"].is_array(), "{docs:#?}");
    for d in &docs {
        check("tail", d, &["data"]);
    }
    // The dry run with the browser half of each type.
    let dry = run_json(client(dir.path()).args([
        "--json",
        "invalidate",
        "pictures",
        "page",
        "--dry-run",
        "--url",
        &node.base,
    ]));
    assert!(
        dry["browsers"]["pictures"].is_object() && dry["browsers"]["pages"].is_object(),
        "{dry:#}"
    );
    check("invalidate", &dry, &["headers"]);
}

#[test]
fn the_serve_banner_matches_its_schema() {
    let dir = tempfile::tempdir().unwrap();
    let port = common::free_port().to_string();
    let mut node = common::process::Background::spawn(dir.path(), &["--json", "serve", "--dev", "--port", &port]);
    let line = node.wait_lines(1).remove(0);
    let doc: Value = serde_json::from_str(&line).expect("one JSON line");
    check("serve", &doc, &[]);
    assert!(!line.contains("password"), "{line}");
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &node.pid().to_string()])
        .status();
    node.wait();
}

/// Waits until `what` holds, for up to 20 s.
fn wait_for(what: &str, mut ok: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !ok() {
        assert!(std::time::Instant::now() < deadline, "timed out waiting: {what}");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// A background polycache with REDIS_URL set (settings by the environment, so the test
/// does not depend on where a flag goes).
fn with_redis(dir: &Path, url: &str, args: &[&str]) -> common::process::Background {
    let out = dir.join(format!("{}.out", args.join("-").replace(['/', ' '], "_")));
    let mut cmd = common::clean_command(dir);
    cmd.env("REDIS_URL", url).args(args);
    common::process::Background::start(cmd, out.clone(), out.with_extension("err"))
}

#[test]
fn the_streams_of_redis_watch_tail_bus_and_logs_match_their_schemas() {
    let redis = common::services::RedisServer::start();
    let dir = tempfile::tempdir().unwrap();

    // redis watch: one keyspace event per line.
    let mut watch = with_redis(
        dir.path(),
        &redis.url(),
        &[
            "--json",
            "redis",
            "watch",
            "--enable-notifications",
            "--count",
            "2",
            "--timeout",
            "20s",
        ],
    );
    wait_for("redis watch subscribes", || watch.stderr_text().contains("watching"));
    let port = redis.url().rsplit(':').next().unwrap().to_string();
    for args in [["set", "cache:posts:list", "[]"], ["del", "cache:posts:list", ""]] {
        let args: Vec<&str> = args.into_iter().filter(|a| !a.is_empty()).collect();
        let ok = std::process::Command::new("redis-cli")
            .args(["-p", &port])
            .args(&args)
            .output()
            .unwrap();
        assert!(ok.status.success());
    }
    assert_eq!(watch.wait(), 0, "{}", watch.stderr_text());
    let events: Vec<Value> = watch
        .stdout_text()
        .lines()
        .map(|l| serde_json::from_str(l).expect("NDJSON"))
        .collect();
    assert_eq!(events.len(), 2, "{events:#?}");
    assert_eq!(events[0]["event"], "set");
    assert_eq!(events[1]["event"], "del");
    for e in &events {
        check("redis-watch", e, &[]);
    }

    // tail --bus: an entry of a bus node.
    let node = Node::start(&NodeConfig::new(Mode::Redis(&redis)).args(&["--bus", "redis"]));
    let mut tail = with_redis(
        dir.path(),
        &format!("{}/0", redis.url()),
        &["--json", "tail", "--bus", "--count", "1", "--timeout", "20s"],
    );
    wait_for("tail --bus follows", || {
        tail.stderr_text().contains("following the bus")
    });
    let out = client(dir.path())
        .env("POLYCACHE_URL", &node.base)
        .args(["invalidate", "posts"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(tail.wait(), 0, "{}", tail.stderr_text());
    let entry: Value = serde_json::from_str(tail.stdout_text().trim()).expect("one NDJSON line");
    assert_eq!(entry["type"], "posts", "{entry:#}");
    check("tail-bus", &entry, &[]);

    // logs --json: the node's own log, entry by entry.
    let log = node.log.clone();
    let out = common::polycache(dir.path())
        .args(["--json", "logs"])
        .arg(&log)
        .output()
        .unwrap();
    assert!(out.status.success());
    let lines: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("NDJSON"))
        .collect();
    assert!(lines.iter().any(|l| l["msg"] == "cache invalidated"), "{lines:#?}");
    // The entries are the server's own words: their keys are pino's and the server's.
    let v = schema("logs");
    for l in &lines {
        assert!(v.is_valid(l), "{l:#}");
    }
}
