//! `polycache doctor` against real parts: `polycache serve` nodes, a real redis-server and
//! the node's real cache log; then the same setup broken in several places at once.

mod common;

use std::path::Path;

use common::node::{EMAIL, Mode, Node, NodeConfig, PASSWORD};
use common::services::RedisServer;
use common::{free_port, polycache};
use serde_json::Value;

/// Writes the `.env` doctor finds in `dir`.
fn write_env(dir: &Path, local: &Node, mirrors: &str, password: &str, redis: &str) {
    let text = format!(
        "POLYCACHE_URL={}\nCACHE_MIRRORS=\"{mirrors}\"\nSERVICE_EMAIL={EMAIL}\nSERVICE_PASSWORD={password}\nREDIS_URL={redis}\nCACHE_LOG={}\n",
        local.base,
        local.log.display()
    );
    std::fs::write(dir.join(".env"), text).unwrap();
}

/// The row of the table whose check column is `check`.
fn row<'a>(stdout: &'a str, check: &str) -> &'a str {
    stdout
        .lines()
        .find(|l| l.split('┆').nth(1).is_some_and(|c| c.trim() == check))
        .unwrap_or_else(|| panic!("no row `{check}` in:\n{stdout}"))
}

/// The hint a row points at: its detail ends with `[n]`, and `[n] hint` follows the table.
fn hint_of<'a>(stdout: &'a str, row: &str) -> &'a str {
    let detail = row.split('┆').nth(2).unwrap_or("").trim_end_matches(['│', ' ']);
    let Some(n) = detail.rsplit_once('[').and_then(|(_, n)| n.strip_suffix(']')) else {
        return "";
    };
    let note = format!("[{n}] ");
    stdout.lines().find_map(|l| l.strip_prefix(note.as_str())).unwrap_or("")
}

fn mark(row: &str) -> &str {
    row.trim_start_matches('│').split('┆').next().unwrap_or("").trim()
}

fn doctor(dir: &Path, extra: &[&str]) -> (i32, String, String) {
    let out = polycache(dir).arg("doctor").args(extra).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A redis-server, a mirror node (memory), a local node on that Redis mirroring to the
/// mirror, both pinging every 200 ms, and a directory for the `.env`.
fn setup() -> (RedisServer, Node, Node, tempfile::TempDir) {
    let redis = RedisServer::start();
    let mirror = Node::start(&NodeConfig::new(Mode::Memory).ping("200ms"));
    let local = Node::start(
        &NodeConfig::new(Mode::Redis(&redis))
            .ping("200ms")
            .mirrors(&[&mirror.base]),
    );
    (redis, mirror, local, tempfile::tempdir().unwrap())
}

#[test]
fn doctor_is_all_green_against_a_node_a_mirror_redis_and_the_log() {
    let (redis, mirror, local, dir) = setup();
    write_env(
        dir.path(),
        &local,
        &mirror.base,
        PASSWORD,
        &format!("{}/0", redis.url()),
    );
    // Something in the log, as on a live server.
    let inv = polycache(dir.path()).args(["invalidate", "posts"]).output().unwrap();
    assert!(inv.status.success(), "{}", String::from_utf8_lossy(&inv.stderr));

    let (code, stdout, stderr) = doctor(dir.path(), &[]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    let m = mirror.base.trim_start_matches("http://");
    let env = dir.path().join(".env");
    let expected = [
        (".env".to_string(), format!("found {}", env.display())),
        ("CACHE_MIRRORS".into(), format!("1 valid: {}", mirror.base)),
        (
            "server local".into(),
            format!("{}: GET /api/health 200 in ", local.base),
        ),
        (
            format!("server {m}"),
            format!("{}: GET /api/health 200 in ", mirror.base),
        ),
        ("login local".into(), format!("as {EMAIL}: token valid until ")),
        (format!("login {m}"), format!("as {EMAIL}: token valid until ")),
        // serve opens every stream with a comment: no wait for the first heartbeat.
        ("stream local".into(), "`: connected` after ".into()),
        (format!("stream {m}"), "`: connected` after ".into()),
        // --demo-data put 3 entries for each of 8 types; posts and feed were invalidated.
        ("redis".into(), format!("{}/0: 18 keys under `cache:`", redis.url())),
        ("graph".into(), "built-in default: 8 types, acyclic".into()),
        ("log".into(), format!("{}: ", local.log.display())),
    ];
    let rows: Vec<&str> = stdout.lines().filter(|l| l.contains('┆')).skip(1).collect();
    assert_eq!(rows.len(), expected.len(), "{stdout}");
    for (r, (check, detail)) in rows.iter().zip(&expected) {
        assert_eq!(mark(r), "✓", "{check}:\n{stdout}");
        assert_eq!(r.split('┆').nth(1).unwrap().trim(), check, "order:\n{stdout}");
        assert!(
            r.contains(detail.as_str()),
            "`{check}` should say `{detail}`:\n{stdout}"
        );
    }
    assert!(row(&stdout, "log").contains("no errors in the last hour"), "{stdout}");
    assert!(stdout.contains("11 passed"), "{stdout}");
    assert!(!stdout.contains(PASSWORD) && !stderr.contains(PASSWORD));
    assert!(!stdout.contains("eyJ"), "a token was printed:\n{stdout}");

    let out = polycache(dir.path()).args(["doctor", "--json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["ok"], true);
    assert_eq!(v["checks"].as_array().unwrap().len(), 11);
    assert!(v["checks"].as_array().unwrap().iter().all(|c| c["status"] == "pass"));
}

#[test]
fn doctor_names_each_failure_with_its_hint_and_exits_3() {
    let (redis, mirror, local, dir) = setup();
    let redis_url = format!("{}/0", redis.url());
    let mirror_base = mirror.base.clone();
    let m = mirror_base.trim_start_matches("http://").to_string();

    // One mirror down, Redis stopped: an invalidation now leaves an error in the log.
    drop(mirror);
    drop(redis);
    write_env(dir.path(), &local, &mirror_base, PASSWORD, &redis_url);
    let inv = polycache(dir.path()).args(["invalidate", "posts"]).output().unwrap();
    assert_eq!(
        inv.status.code(),
        Some(1),
        "nothing succeeded: {}",
        String::from_utf8_lossy(&inv.stdout)
    );
    // And a wrong password, plus a mirror entry without a scheme.
    let wrong = "not-the-password-7Hq";
    write_env(
        dir.path(),
        &local,
        &format!("{mirror_base}, service.polymech.info"),
        wrong,
        &redis_url,
    );

    let (code, stdout, stderr) = doctor(dir.path(), &[]);
    assert_eq!(code, 3, "{stdout}\n{stderr}");
    let failures = [
        (
            "CACHE_MIRRORS",
            "entry `service.polymech.info` has no scheme",
            "write it as https://service.polymech.info",
        ),
        (
            &format!("server {m}") as &str,
            "Connection refused",
            "check that this mirror is up, or fix its entry in CACHE_MIRRORS",
        ),
        (
            "login local",
            &format!("invalid credentials for {EMAIL}"),
            "check SERVICE_EMAIL/SERVICE_PASSWORD",
        ),
        (
            &format!("login {m}"),
            "Connection refused",
            "check that this mirror is up",
        ),
        (
            &format!("stream {m}"),
            "Connection refused",
            "check that this mirror is up",
        ),
        ("redis", "cannot connect to Redis at", "redis-server"),
        // The local node answers, but its store is the stopped Redis: its health says so.
        ("server local", "says it is not ok", "its cache store does not answer"),
    ];
    for (check, detail, hint) in failures {
        let r = row(&stdout, check);
        assert_eq!(mark(r), "✗", "{check}:\n{stdout}");
        assert!(r.contains(detail), "`{check}` should say `{detail}`:\n{stdout}");
        assert!(
            hint_of(&stdout, r).contains(hint),
            "`{check}` should hint `{hint}`:\n{stdout}"
        );
    }
    // What still works is still green.
    for check in ["stream local", "graph", ".env"] {
        assert_eq!(mark(row(&stdout, check)), "✓", "{check}:\n{stdout}");
    }
    // The failed invalidation's error is counted, as something to look at.
    let log = row(&stdout, "log");
    assert_eq!(mark(log), "!", "{stdout}");
    // One error line per attempt: the client retries a 500.
    let errors = local
        .log_lines()
        .iter()
        .filter(|l| l["level"].as_u64() >= Some(50))
        .count();
    assert!(errors >= 1);
    let said = format!(
        "{errors} error{} in the last hour; latest: cache invalidation failed",
        if errors == 1 { "" } else { "s" }
    );
    assert!(log.contains(&said), "`{said}`:\n{stdout}");
    assert!(
        hint_of(&stdout, log).contains("polycache logs --errors --since 1h"),
        "{stdout}"
    );
    // Each hint is said once under the table, however many rows point at it.
    let mirror_hint = "check that this mirror is up";
    assert_eq!(stdout.matches(mirror_hint).count(), 1, "{stdout}");
    assert!(stdout.contains("7 failed"), "{stdout}");
    assert!(
        !stdout.contains(wrong) && !stderr.contains(wrong),
        "the wrong password was printed"
    );

    let out = polycache(dir.path()).args(["doctor", "--json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(!String::from_utf8_lossy(&out.stdout).contains(wrong));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["ok"], false);
    let failed: Vec<&Value> = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == "fail")
        .collect();
    assert_eq!(failed.len(), 7);
    assert!(failed.iter().all(|c| c["hint"].as_str().is_some_and(|h| !h.is_empty())));
}

/// A server that answers every request with the head of an event stream, then nothing.
fn silent_stream_server() -> u16 {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for mut conn in listener.incoming().flatten() {
            let mut buf = [0u8; 4096];
            let _ = conn.read(&mut buf);
            let _ = conn.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n\r\n");
            held.push(conn); // kept open, silent, until the test process ends
        }
    });
    port
}

#[test]
fn doctor_warns_when_a_stream_opens_but_stays_silent_and_fails_a_missing_env_file() {
    let redis = RedisServer::start();
    // A default node (15 s heartbeat) still passes a short --stream-timeout: its stream
    // opens with `: connected`.
    let local = Node::start(&NodeConfig::new(Mode::Memory));
    let dir = tempfile::tempdir().unwrap();
    write_env(dir.path(), &local, "", PASSWORD, &redis.url());
    let (_, stdout, _) = doctor(dir.path(), &["--stream-timeout", "1s"]);
    let r = row(&stdout, "stream local");
    assert_eq!(mark(r), "✓", "{stdout}");
    assert!(r.contains("`: connected` after "), "{stdout}");
    assert!(row(&stdout, "CACHE_MIRRORS").contains("none configured"), "{stdout}");

    // A server whose stream opens but sends nothing within --stream-timeout.
    let silent = silent_stream_server();
    let (_, stdout, _) = doctor(
        dir.path(),
        &[
            "--stream-timeout",
            "300ms",
            "--url",
            &format!("http://127.0.0.1:{silent}"),
        ],
    );
    let r = row(&stdout, "stream local");
    assert_eq!(mark(r), "!", "{stdout}");
    assert!(r.contains("but no heartbeat or event within 300ms"), "{stdout}");
    assert!(hint_of(&stdout, r).contains("--stream-timeout 20s"), "{stdout}");

    // A named env file that is not there is a failed check, not an abort.
    let port = free_port();
    let (code, stdout, _) = doctor(
        dir.path(),
        &[
            "--env-file",
            "missing.env",
            "--url",
            &format!("http://127.0.0.1:{port}"),
        ],
    );
    assert_eq!(code, 3, "{stdout}");
    let r = row(&stdout, ".env");
    assert_eq!(mark(r), "✗", "{stdout}");
    assert!(r.contains("cannot read env file missing.env"), "{stdout}");
    assert!(
        hint_of(&stdout, r).contains("check the path given to --env-file"),
        "{stdout}"
    );
    assert_eq!(mark(row(&stdout, "server local")), "✗", "{stdout}");
}

#[test]
fn a_node_whose_store_is_down_fails_the_server_row_whatever_else_answers() {
    let redis = RedisServer::start();
    let local = Node::start(&NodeConfig::new(Mode::Redis(&redis)));
    drop(redis); // the node keeps answering HTTP, but its store is gone
    let dir = tempfile::tempdir().unwrap();
    let out = polycache(dir.path())
        .env("SERVICE_EMAIL", EMAIL)
        .env("SERVICE_PASSWORD", PASSWORD)
        .args(["--json", "doctor", "--url", &local.base, "--stream-timeout", "1s"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(3), "{v:#}");
    let row = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == "server local")
        .cloned()
        .unwrap_or_default();
    assert_eq!(row["status"], "fail", "{v:#}");
    let detail = row["detail"].as_str().unwrap_or_default();
    assert!(detail.contains("says it is not ok"), "{detail}");
    assert!(row["hint"].as_str().unwrap_or_default().contains("Redis"), "{row}");
}
