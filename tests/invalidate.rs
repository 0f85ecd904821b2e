//! `polycache invalidate` against real `polycache serve` nodes on loopback ports.

mod common;

use common::tmp;

use std::time::{Duration, Instant};

use common::free_port;
use common::node::{EMAIL, Mode, Node, NodeConfig, PASSWORD, client};
use serde_json::Value;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).to_string()
}

/// Runs a client command; returns (exit code, stdout, stderr).
fn run(args: &[&str]) -> (i32, String, String) {
    let dir = tmp();
    let out = client(dir.path()).args(args).output().expect("run polycache");
    (out.status.code().unwrap_or(-1), text(&out.stdout), text(&out.stderr))
}

fn json(stdout: &str) -> Value {
    serde_json::from_str(stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{stdout}"))
}

/// The result rows of `invalidate --json`, by target name.
fn row<'a>(report: &'a Value, target: &str, kind: &str) -> &'a Value {
    report["results"]
        .as_array()
        .and_then(|rows| rows.iter().find(|r| r["target"] == target && r["type"] == kind))
        .unwrap_or_else(|| panic!("no row for {target}/{kind} in {report:#}"))
}

/// Three nodes, and the `--mirrors` value naming the last two.
fn local_and_two_mirrors() -> (Node, Node, Node, String) {
    let local = Node::memory();
    let a = Node::memory();
    let b = Node::memory();
    let mirrors = format!("{},{}", a.base, b.base);
    (local, a, b, mirrors)
}

/// `invalidate ARGS... --mirror --json` from `local` to `mirrors`; asserts exit 0.
fn invalidate_mirror_json(local: &Node, mirrors: &str, args: &[&str]) -> Value {
    let mut all = vec![
        "--json",
        "invalidate",
        "--url",
        local.base.as_str(),
        "--mirrors",
        mirrors,
        "--mirror",
    ];
    all.extend_from_slice(args);
    let (code, stdout, stderr) = run(&all);
    assert_eq!(code, 0, "{stdout}{stderr}");
    json(&stdout)
}

fn name(node: &Node) -> String {
    format!("127.0.0.1:{}", node.port)
}

#[test]
fn invalidating_locally_clears_the_cascade_on_the_server() {
    let node = Node::memory();
    let before = node.entry_types();
    assert!(before.contains(&"pictures".to_string()), "{before:?}");
    let (code, stdout, stderr) = run(&["invalidate", "picture", "--url", &node.base]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    // The table shows what the server said it cleared, in its order.
    assert!(stdout.contains("pictures, posts, pages, feed"), "{stdout}");
    assert!(stdout.contains("1 of 1 invalidations succeeded"), "{stdout}");
    let after = node.entry_types();
    for gone in ["pictures", "posts", "pages", "feed"] {
        assert!(!after.contains(&gone.to_string()), "{gone} still cached: {after:?}");
    }
    for kept in ["categories", "translations", "types", "auth"] {
        assert!(after.contains(&kept.to_string()), "{kept} was cleared: {after:?}");
    }
    let done = node.invalidations();
    assert_eq!(done.len(), 1);
    assert_eq!(
        done[0]["mirror"], false,
        "the local default must not ask for a broadcast"
    );
}

#[test]
fn mirror_invalidates_local_and_every_mirror_directly_with_mirror_false() {
    let (local, a, b, mirrors) = local_and_two_mirrors();
    let report = invalidate_mirror_json(&local, &mirrors, &["posts", "types"]);
    assert_eq!(report["ok"], true);
    assert_eq!(report["results"].as_array().map(Vec::len), Some(6));
    for target in ["local".to_string(), name(&a), name(&b)] {
        let r = row(&report, &target, "types");
        assert_eq!(r["status"], 200);
        assert_eq!(
            r["invalidated"],
            serde_json::json!(["types", "categories", "posts", "pages", "feed"])
        );
        assert_eq!(row(&report, &target, "posts")["mirrored"], false);
    }
    for node in [&local, &a, &b] {
        let left = node.entry_types();
        for gone in ["types", "categories", "posts", "pages", "feed"] {
            assert!(
                !left.contains(&gone.to_string()),
                "{}: {gone} left in {left:?}",
                node.base
            );
        }
        let done = node.invalidations();
        assert_eq!(done.len(), 2, "{}", node.base);
        assert!(done.iter().all(|l| l["mirror"] == false), "{done:?}");
    }
}

#[test]
fn a_dead_mirror_gives_exit_3_and_is_named_while_the_others_succeed() {
    let local = Node::memory();
    let up = Node::memory();
    let dead = format!("http://127.0.0.1:{}", free_port());
    let mirrors = format!("{},{dead}", up.base);
    let (code, stdout, stderr) = run(&[
        "invalidate",
        "--url",
        &local.base,
        "--mirrors",
        &mirrors,
        "feed",
        "--mirror",
        "--retries",
        "1",
    ]);
    assert_eq!(code, 3, "{stdout}{stderr}");
    let dead_name = dead.trim_start_matches("http://");
    let dead_line = stdout
        .lines()
        .find(|l| l.contains(dead_name) && l.contains("failed"))
        .unwrap_or_else(|| panic!("no failed row for {dead_name}:\n{stdout}"));
    assert!(dead_line.contains("cannot reach"), "{dead_line}");
    // The failure names the URL it tried and points at its hint, which is under the table.
    assert!(stdout.contains(&format!("{dead}/api/")), "{stdout}");
    assert!(dead_line.trim_end_matches([' ', '│']).ends_with("[1]"), "{dead_line}");
    assert!(
        stdout.contains("[1] check that this mirror is up, or fix its entry in CACHE_MIRRORS"),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("1 of 3 invalidations failed: {dead_name}")),
        "{stdout}"
    );
    for node in [&local, &up] {
        assert!(
            stdout
                .lines()
                .any(|l| l.contains(&node_name(node, &local)) && l.contains("ok 200")),
            "{stdout}"
        );
        assert!(!node.entry_types().contains(&"feed".to_string()));
    }
}

fn node_name(node: &Node, local: &Node) -> String {
    if node.port == local.port {
        "local".to_string()
    } else {
        name(node)
    }
}

#[test]
fn a_wrong_password_everywhere_exits_4_and_never_shows_the_password() {
    let local = Node::memory();
    let mirror = Node::memory();
    let wrong = "Wr0ng-pa55word-that-must-not-leak";
    let dir = tmp();
    for json_flag in [false, true] {
        let mut cmd = client(dir.path());
        cmd.env("SERVICE_PASSWORD", wrong);
        if json_flag {
            cmd.arg("--json");
        }
        let out = cmd
            .args(["invalidate", "--url", &local.base, "--mirrors", &mirror.base])
            .args(["posts", "--mirror", "--verify", "--verify-timeout", "1s"])
            .output()
            .expect("run");
        let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
        assert_eq!(out.status.code(), Some(4), "{stdout}{stderr}");
        assert!(stdout.contains(&format!("invalid credentials for {EMAIL}")), "{stdout}");
        for secret in [wrong, PASSWORD] {
            assert!(
                !stdout.contains(secret) && !stderr.contains(secret),
                "secret leaked:\n{stdout}{stderr}"
            );
        }
    }
    assert!(local.invalidations().is_empty() && mirror.invalidations().is_empty());
    assert!(local.entry_types().contains(&"posts".to_string()));
}

#[test]
fn a_503_that_recovers_on_retry_succeeds() {
    let node = Node::start(&NodeConfig::new(Mode::Memory).args(&["--inject-503", "2"]));
    let (code, stdout, stderr) = run(&["--json", "invalidate", "posts", "--url", &node.base, "--retries", "2"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let report = json(&stdout);
    let r = row(&report, "local", "posts");
    assert_eq!(r["ok"], true);
    assert_eq!(r["attempts"], 3, "two 503s, then success: {r:#}");
    assert_eq!(node.invalidations().len(), 1);
    assert!(!node.entry_types().contains(&"posts".to_string()));
}

#[test]
fn a_503_that_outlasts_the_retries_fails_with_its_status() {
    let node = Node::start(&NodeConfig::new(Mode::Memory).args(&["--inject-503", "5"]));
    let (code, stdout, stderr) = run(&[
        "invalidate",
        "post",
        "--id",
        "42",
        "--url",
        &node.base,
        "--retries",
        "1",
    ]);
    assert_eq!(code, 1, "the only target failed: {stdout}{stderr}");
    assert!(stdout.contains("failed 503 (2 tries)"), "{stdout}");
    // The error cell says what went wrong, not the target and the status again; the type
    // cell shows the entity id that was sent.
    assert!(stdout.contains("┆ injected failure (--inject-503) [1]"), "{stdout}");
    assert!(!stdout.contains("local failed (503)"), "{stdout}");
    assert!(stdout.contains("┆ posts id=42 ┆"), "{stdout}");
    assert!(node.invalidations().is_empty());
}

#[test]
fn a_4xx_answer_is_not_retried() {
    // The client's graph knows `widgets`, the server's does not: the server answers 400.
    let node = Node::memory();
    let dir = tmp();
    let graph = dir.path().join("graph.json");
    std::fs::write(&graph, r#"{"posts": ["pictures"], "widgets": []}"#).expect("write graph");
    let out = client(dir.path())
        .args(["--json", "invalidate", "widgets", "--url", &node.base, "--graph"])
        .arg(&graph)
        .args(["--retries", "3"])
        .output()
        .expect("run");
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}{}", text(&out.stderr));
    let report = json(&stdout);
    let r = row(&report, "local", "widgets");
    assert_eq!(r["status"], 400);
    assert_eq!(r["attempts"], 1, "{r:#}");
}

#[test]
fn dry_run_prints_the_requests_and_sends_nothing() {
    let local = Node::memory();
    let mirror = Node::memory();
    let before = (local.entry_types(), mirror.entry_types());
    let (code, stdout, stderr) = run(&[
        "invalidate",
        "--url",
        &local.base,
        "--mirrors",
        &mirror.base,
        "category",
        "--mirror",
        "--id",
        "7",
        "--dry-run",
    ]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    for url in [&local.base, &mirror.base] {
        assert!(stdout.contains(&format!("POST {url}/api/cache/invalidate")), "{stdout}");
    }
    assert!(stdout.contains("Authorization: Bearer ••••"), "{stdout}");
    assert!(
        stdout.contains(r#"{"type":"categories","mirror":false,"id":"7"}"#),
        "{stdout}"
    );
    assert!(
        stdout.contains("clears (graph): categories, posts, pages, feed"),
        "{stdout}"
    );
    assert!(!stdout.contains(PASSWORD) && !stderr.contains(PASSWORD));
    // Checked on the servers: nothing cleared, nothing logged, no event streamed.
    assert_eq!((local.entry_types(), mirror.entry_types()), before);
    for node in [&local, &mirror] {
        // Nothing but the node's own `node started`.
        assert!(
            node.log_lines().iter().all(|l| l["msg"] == "node started"),
            "{:?}",
            node.log_lines()
        );
        assert_eq!(node.blocking_health()["lastEventId"], "0");
    }
}

#[test]
fn via_server_lets_the_local_server_broadcast_to_its_mirrors() {
    let mirror = Node::memory();
    let local = Node::start(&NodeConfig::new(Mode::Memory).mirrors(&[&mirror.base]));
    let (code, stdout, stderr) = run(&["--json", "invalidate", "pages", "--url", &local.base, "--via-server"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let report = json(&stdout);
    assert_eq!(
        report["results"].as_array().map(Vec::len),
        Some(1),
        "only local is asked"
    );
    assert_eq!(row(&report, "local", "pages")["mirrored"], true);
    // The broadcast is asynchronous: wait for the mirror to log it.
    let start = Instant::now();
    while mirror.invalidations().is_empty() && start.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(50));
    }
    let done = mirror.invalidations();
    assert_eq!(done.len(), 1, "the mirror never got the broadcast");
    assert_eq!(done[0]["mirror"], false);
    assert!(!mirror.entry_types().contains(&"pages".to_string()));
}

#[test]
fn verify_reports_propagation_on_every_target() {
    let (local, a, b, mirrors) = local_and_two_mirrors();
    let report = invalidate_mirror_json(&local, &mirrors, &["post", "--verify"]);
    for target in ["local".to_string(), name(&a), name(&b)] {
        let v = &row(&report, &target, "posts")["verify"];
        assert_eq!(v["seen"], true, "{target}: {v}");
        assert!(v["propagationMs"].is_u64(), "{target}: {v}");
        assert_eq!(v["eventId"], "1", "{target}: {v}");
    }
    // The human table has the extra columns.
    let (code, stdout, _) = run(&["invalidate", "posts", "--url", &local.base, "--verify"]);
    assert_eq!(code, 0);
    assert!(
        stdout.contains("on stream") && stdout.contains("propagation"),
        "{stdout}"
    );
    assert!(stdout.contains("yes #2"), "{stdout}");
}

#[test]
fn verify_fails_a_target_that_accepts_but_never_streams() {
    let local = Node::memory();
    let silent = Node::start(&NodeConfig::new(Mode::Memory).arg("--no-notify"));
    let (code, stdout, stderr) = run(&[
        "invalidate",
        "--url",
        &local.base,
        "--mirrors",
        &silent.base,
        "pages",
        "--mirror",
        "--verify",
        "--verify-timeout",
        "1s",
    ]);
    assert_eq!(code, 3, "{stdout}{stderr}");
    let silent_line = stdout
        .lines()
        .find(|l| l.contains(&name(&silent)))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(
        silent_line.contains("ok 200"),
        "the server did accept it: {silent_line}"
    );
    assert!(
        silent_line.contains("accepted, but no app-update for pages within 1.0s"),
        "{silent_line}"
    );
    assert!(
        stdout.lines().any(|l| l.contains("local") && l.contains("yes #1")),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("1 of 2 invalidations failed: {}", name(&silent))),
        "{stdout}"
    );
    // The silent node did clear its cache: only the announcement is missing.
    assert_eq!(silent.invalidations().len(), 1);
}

#[test]
fn unknown_types_are_refused_before_anything_is_sent() {
    let node = Node::memory();
    let (code, _, stderr) = run(&["invalidate", "postz", "--url", &node.base]);
    assert_eq!(code, 2);
    assert!(stderr.contains("did you mean `posts`?"), "{stderr}");
    assert!(node.log_lines().iter().all(|l| l["msg"] == "node started"));
}

#[test]
fn the_token_cache_keeps_the_login_between_runs_in_a_private_file_without_the_password() {
    let node = Node::memory();
    let dir = tmp();
    let cache_dir = dir.path().join("tokens");
    client(dir.path())
        .env("POLYCACHE_TOKEN_CACHE", &cache_dir)
        .args(["invalidate", "posts", "--url", &node.base])
        .assert()
        .success();
    let file = cache_dir.join("tokens.json");
    let stored = std::fs::read_to_string(&file).expect("token file written");
    assert!(
        stored.contains(&format!("{}/api/auth/login {EMAIL}", node.base)),
        "{stored}"
    );
    assert!(!stored.contains(PASSWORD), "the password is never stored");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).expect("metadata").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // A second run needs no login: even a wrong password goes unused.
    let out = client(dir.path())
        .env("POLYCACHE_TOKEN_CACHE", &cache_dir)
        .env("SERVICE_PASSWORD", "Wr0ng-but-unused")
        .args(["invalidate", "pages", "--url", &node.base])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert_eq!(node.invalidations().len(), 2);
    // Without the cache the wrong password is used, and refused.
    client(dir.path())
        .env("SERVICE_PASSWORD", "Wr0ng-but-unused")
        .args(["invalidate", "pages", "--url", &node.base])
        .assert()
        .code(4);
}

#[test]
fn verify_without_a_stream_to_watch_is_a_failure_that_says_why() {
    // The client looks for the stream at a path this server does not serve.
    let node = Node::memory();
    let dir = tmp();
    let out = client(dir.path())
        .env("POLYCACHE_STREAM_PATH", "/api/no-such-stream")
        .args([
            "invalidate",
            "--url",
            &node.base,
            "posts",
            "--verify",
            "--verify-timeout",
            "1s",
        ])
        .output()
        .expect("run");
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("ok 200"),
        "the invalidation itself went through: {stdout}"
    );
    assert!(
        stdout.contains("no stream to watch: the server answered HTTP 404"),
        "{stdout}"
    );
}

#[test]
fn via_server_verify_checks_the_relay_on_every_mirror_stream() {
    let mirror = Node::memory();
    let local = Node::start(&NodeConfig::new(Mode::Memory).mirrors(&[&mirror.base]));
    let args = |url: &str| {
        vec![
            "--json".to_string(),
            "invalidate".to_string(),
            "--url".to_string(),
            url.to_string(),
            "--mirrors".to_string(),
            mirror.base.clone(),
            "pages".to_string(),
            "--via-server".to_string(),
            "--verify".to_string(),
            "--verify-timeout".to_string(),
            "3s".to_string(),
        ]
    };
    let a = args(&local.base);
    let (code, stdout, stderr) = run(&a.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(code, 0, "{stdout}{stderr}");
    let report = json(&stdout);
    assert_eq!(report["results"].as_array().map(Vec::len), Some(2), "{report:#}");
    assert_eq!(row(&report, "local", "pages")["verify"]["seen"], true);
    let relay = row(&report, &name(&mirror), "pages");
    assert_eq!(relay["relayed"], true, "{relay}");
    assert_eq!(relay["ok"], true, "{relay}");
    assert!(relay["verify"]["eventId"].is_string(), "{relay}");

    // A local server that does not relay: accepted locally, never heard on the mirror.
    let lonely = Node::memory();
    let a = args(&lonely.base);
    let (code, stdout, stderr) = run(&a.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(code, 3, "some succeeded: {stdout}{stderr}");
    let report = json(&stdout);
    let relay = row(&report, &name(&mirror), "pages");
    assert_eq!(relay["ok"], false);
    assert!(
        relay["verify"]["error"]
            .as_str()
            .unwrap_or_default()
            .contains("no app-update"),
        "{relay}"
    );
}

#[test]
fn targets_named_in_polycache_names_are_shown_by_name() {
    let local = Node::memory();
    let mirror = Node::memory();
    let dir = tmp();
    let names = format!("production={}", mirror.base);
    let out = client(dir.path())
        .env("POLYCACHE_NAMES", &names)
        .args([
            "--json",
            "invalidate",
            "--url",
            &local.base,
            "--mirrors",
            &mirror.base,
            "posts",
            "--mirror",
        ])
        .output()
        .expect("run");
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    let report = json(&stdout);
    assert_eq!(row(&report, "production", "posts")["base"], mirror.base.as_str());
    let out = client(dir.path())
        .env("POLYCACHE_NAMES", &names)
        .args([
            "doctor",
            "--url",
            &local.base,
            "--mirrors",
            &mirror.base,
            "--stream-timeout",
            "1s",
        ])
        .output()
        .expect("run");
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("server production") && stdout.contains("login production"),
        "{stdout}"
    );
    // A bad entry is a configuration error that names it.
    let out = client(dir.path())
        .env("POLYCACHE_NAMES", "production")
        .args(["config"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("POLYCACHE_NAMES"), "{}", text(&out.stderr));
}

/// Ctrl-C (or SIGTERM) while one target is done and another hangs: the report still comes,
/// saying which target cleared and which was interrupted, and the exit code is 130.
#[test]
fn an_interrupted_run_reports_what_each_target_did() {
    let hang = common::peer::Peer::hanging();
    for (signal, json) in [("-INT", true), ("-TERM", false)] {
        let local = Node::memory();
        let dir = tempfile::tempdir().unwrap();
        let mut args = vec![
            "invalidate",
            "posts",
            "--mirror",
            "--url",
            &local.base,
            "--mirrors",
            &hang.base,
        ];
        if json {
            args.insert(0, "--json");
        }
        let mut cmd = common::clean_command(dir.path());
        cmd.args(&args)
            .env("SERVICE_EMAIL", EMAIL)
            .env("SERVICE_PASSWORD", PASSWORD);
        let mut run = common::process::Background::start(cmd, dir.path().join("out"), dir.path().join("err"));
        let start = Instant::now();
        while local.entry_types().contains(&"posts".to_string()) {
            assert!(start.elapsed() < Duration::from_secs(10), "local never cleared");
            std::thread::sleep(Duration::from_millis(20));
        }
        std::thread::sleep(Duration::from_millis(200));
        let sent = std::process::Command::new("kill")
            .args([signal, &run.pid().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
        assert_eq!(run.wait(), 130, "{}", run.stderr_text());
        let out = run.stdout_text();
        if json {
            let report: Value = serde_json::from_str(&out).expect("the --json report");
            let results = report["results"].as_array().unwrap();
            let of = |base: &str| results.iter().find(|r| r["base"] == base).cloned().unwrap();
            assert_eq!(of(&local.base)["ok"], true, "{report}");
            let hung = of(&hang.base);
            assert_eq!(hung["ok"], false);
            assert!(hung["error"].as_str().unwrap().contains("interrupted before"), "{hung}");
        } else {
            assert!(out.contains("interrupted before"), "{out}");
            assert!(
                run.stderr_text().contains("may or may not have cleared"),
                "{}",
                run.stderr_text()
            );
        }
    }
}
