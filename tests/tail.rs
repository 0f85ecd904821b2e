//! `polycache tail` against real `polycache serve` nodes on loopback ports.

mod common;

use common::tmp;

use common::node::{Mode, Node, NodeConfig, client};
use common::process::Background;
use serde_json::Value;

/// Invalidates `types` on `url` (and the mirrors, when given) and asserts success.
fn invalidate(url: &str, mirrors: Option<&str>, types: &[&str]) {
    let dir = tmp();
    let mut cmd = client(dir.path());
    cmd.args(["invalidate", "--url", url]);
    if let Some(m) = mirrors {
        cmd.args(["--mirrors", m, "--mirror"]);
    }
    cmd.args(types).assert().success();
}

/// `polycache tail --url NODE [flags...] ARGS...` in the background, once the node sees it.
fn tail(node: &Node, dir: &std::path::Path, flags: &[&str], args: &[&str]) -> Background {
    let mut all = vec!["tail", "--url", node.base.as_str()];
    all.extend_from_slice(flags);
    all.extend_from_slice(args);
    let bg = Background::spawn(dir, &all);
    node.wait_clients(1);
    bg
}

/// A line without its time, with runs of spaces (column padding) squeezed to one.
fn words(line: &str) -> String {
    line.split_whitespace().skip(1).collect::<Vec<_>>().join(" ")
}

/// `#N` stream ids in tail's human lines, in order.
fn ids(lines: &[String]) -> Vec<u64> {
    lines
        .iter()
        .filter_map(|l| l.split_whitespace().find_map(|w| w.strip_prefix('#')?.parse().ok()))
        .collect()
}

#[test]
fn tail_count_prints_events_with_their_cascade_and_exits_0() {
    let node = Node::memory();
    let dir = tmp();
    let mut tail = tail(&node, dir.path(), &[], &["--count", "2", "--timeout", "30s"]);
    invalidate(&node.base, None, &["post", "translations"]);
    assert_eq!(tail.wait(), 0, "{}", tail.stderr_text());
    let out = tail.stdout_text();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(
        lines[0].contains("app-update #1 posts update -> clears posts, feed"),
        "{out}"
    );
    assert!(
        lines[1].contains("app-update #2 translations update -> clears translations, pages, feed"),
        "{out}"
    );
    // One target: no target column.
    assert!(!out.contains("local"), "{out}");
    assert!(
        tail.stderr_text()
            .contains(&format!("following {}/api/stream", node.base))
    );
}

#[test]
fn tail_survives_a_restart_and_resumes_with_last_event_id_losing_nothing() {
    // --state keeps ids and the replay buffer across the restart (a kill, not a shutdown).
    let mut node = Node::start(&NodeConfig::new(Mode::Memory).args(&["--state", "events.ndjson"]));
    let dir = tmp();
    let mut tail = tail(&node, dir.path(), &[], &["--count", "5", "--timeout", "60s"]);
    invalidate(&node.base, None, &["posts", "pages"]);
    tail.wait_lines(2);
    node.kill();
    node.restart();
    // Published right after the restart: whether tail has reconnected yet or not, it must
    // get these, live or replayed after `Last-Event-ID: 2`.
    invalidate(&node.base, None, &["feed", "types", "auth"]);
    assert_eq!(tail.wait(), 0, "{}", tail.stderr_text());
    let lines: Vec<String> = tail.stdout_text().lines().map(str::to_string).collect();
    assert_eq!(
        ids(&lines),
        [1, 2, 3, 4, 5],
        "every event exactly once, in order: {lines:#?}"
    );
    let err = tail.stderr_text();
    assert!(err.contains(&format!("disconnected from {}", node.base)), "{err}");
    assert!(err.contains("from id 2 (Last-Event-ID)"), "{err}");
}

#[test]
fn since_id_replays_what_the_server_still_holds() {
    let node = Node::memory();
    invalidate(&node.base, None, &["posts", "pages", "feed"]);
    let dir = tmp();
    let out = client(dir.path())
        .args([
            "tail",
            "--url",
            &node.base,
            "--since-id",
            "1",
            "--count",
            "2",
            "--timeout",
            "20s",
        ])
        .output()
        .expect("run tail");
    assert_eq!(out.status.code(), Some(0));
    let lines: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(ids(&lines), [2, 3], "{lines:#?}");
    assert!(lines[0].contains("pages") && lines[1].contains("feed"));
    assert!(String::from_utf8_lossy(&out.stderr).contains("replaying after id 1"));
}

#[test]
fn tail_prints_a_gap_the_server_announces_and_counts_it_in_json() {
    let node = Node::memory();
    invalidate(&node.base, None, &["posts", "pages"]);
    let dir = tmp();
    // Id 57 was never issued by this node (as after a restart without --state).
    let run = |json: bool| {
        let mut cmd = client(dir.path());
        if json {
            cmd.arg("--json");
        }
        let out = cmd
            .args([
                "tail",
                "--url",
                &node.base,
                "--type",
                "pages",
                "--since-id",
                "57",
                "--count",
                "1",
                "--timeout",
                "20s",
            ])
            .output()
            .expect("run tail");
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    let out = run(false);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines.len(),
        2,
        "the gap (whatever --type), then the one pages event: {out}"
    );
    assert!(
        words(lines[0]).starts_with(
            "stream-reset gap: events after #57 are no longer held by the server (gap); replaying from #1"
        ),
        "{out}"
    );
    assert!(lines[1].contains("app-update #2 pages"), "{out}");

    let out = run(true);
    let objects: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(objects.len(), 2, "{out}");
    let gap = &objects[0];
    assert_eq!(gap["event"], "stream-reset");
    assert_eq!(gap["gap"], true);
    assert_eq!(gap["gaps"], 1);
    assert_eq!(gap["lastEventId"], "57");
    assert_eq!(gap["oldest"], "1");
    assert_eq!(objects[1]["eventId"], "2");
}

#[test]
fn tail_json_prints_one_parseable_object_per_line() {
    let node = Node::memory();
    let dir = tmp();
    let mut tail = tail(&node, dir.path(), &["--json"], &["--count", "3", "--timeout", "30s"]);
    let id_dir = tmp();
    client(id_dir.path())
        .args(["invalidate", "posts", "--url", &node.base, "--id", "42"])
        .assert()
        .success();
    invalidate(&node.base, None, &["pictures", "auth"]);
    assert_eq!(tail.wait(), 0, "{}", tail.stderr_text());
    let out = tail.stdout_text();
    let objects: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("line is not JSON ({e}): {l}")))
        .collect();
    assert_eq!(objects.len(), 3, "{out}");
    let first = &objects[0];
    assert_eq!(first["event"], "app-update");
    assert_eq!(first["target"], "local");
    assert_eq!(first["base"], node.base);
    assert_eq!(first["eventId"], "1", "ids are strings: {first}");
    assert_eq!(first["canonicalType"], "posts");
    assert_eq!(first["type"], "posts");
    assert_eq!(first["id"], "42");
    assert_eq!(first["action"], "update");
    assert_eq!(first["cascade"], serde_json::json!(["posts", "feed"]));
    assert!(first["received"].as_str().is_some_and(|t| t.ends_with('Z')), "{first}");
    assert_eq!(
        objects[1]["cascade"],
        serde_json::json!(["pictures", "posts", "pages", "feed"])
    );
    assert_eq!(objects[2]["type"], "auth");
}

#[test]
fn tail_mirror_merges_every_stream_and_names_the_target() {
    let local = Node::memory();
    let mirror = Node::memory();
    let dir = tmp();
    let mut tail = tail(
        &local,
        dir.path(),
        &["--mirrors", &mirror.base],
        &["--mirror", "--count", "2", "--timeout", "30s"],
    );
    mirror.wait_clients(1);
    invalidate(&local.base, Some(&mirror.base), &["categories"]);
    assert_eq!(tail.wait(), 0, "{}", tail.stderr_text());
    let out = tail.stdout_text();
    let mirror_name = format!("127.0.0.1:{}", mirror.port);
    assert!(
        out.lines()
            .any(|l| words(l).starts_with("local app-update #1 categories")),
        "{out}"
    );
    assert!(
        out.lines()
            .any(|l| words(l).starts_with(&format!("{mirror_name} app-update #1 categories"))),
        "{out}"
    );
}

#[test]
fn tail_type_filter_keeps_only_that_type_aliases_included() {
    let node = Node::memory();
    let dir = tmp();
    let mut tail = tail(
        &node,
        dir.path(),
        &[],
        &["--type", "page", "--count", "1", "--timeout", "30s"],
    );
    invalidate(&node.base, None, &["posts", "feed", "pages"]);
    assert_eq!(tail.wait(), 0);
    let out = tail.stdout_text();
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(out.contains("#3 pages"), "{out}");
}

#[test]
fn tail_timeout_before_count_exits_1() {
    let node = Node::memory();
    let dir = tmp();
    let out = client(dir.path())
        .args(["tail", "--url", &node.base, "--count", "1", "--timeout", "500ms"])
        .output()
        .expect("run tail");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("timed out after 500ms: 0 of 1 events arrived"), "{err}");
}

#[test]
fn heartbeats_are_counted_and_shown_with_verbose() {
    let node = Node::start(&NodeConfig::new(Mode::Memory).ping("100ms"));
    let dir = tmp();
    let out = client(dir.path())
        .args(["-v", "tail", "--url", &node.base, "--timeout", "1s"])
        .output()
        .expect("run tail");
    assert_eq!(out.status.code(), Some(0), "a timeout without --count is a normal end");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("heartbeat `ping` (2 from this target)"), "{err}");
    assert!(err.contains("0 events, "), "{err}");
    assert!(out.stdout.is_empty(), "heartbeats never go to stdout");
    // Without -v they are not shown: the same stream (it says it followed it), the same
    // second of pings, no heartbeat line.
    let out = client(dir.path())
        .args(["tail", "--url", &node.base, "--timeout", "1s"])
        .output()
        .expect("run tail");
    assert_eq!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("following {}/api/stream", node.base)), "{err}");
    assert!(!err.contains("heartbeat"), "{err}");
}

#[test]
fn tail_of_a_server_that_is_not_there_fails_with_a_hint() {
    let dir = tmp();
    let port = common::free_port();
    let out = client(dir.path())
        .args(["tail", "--url", &format!("http://127.0.0.1:{port}")])
        .output()
        .expect("run tail");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot follow local"), "{err}");
    assert!(err.contains("is the server running?"), "{err}");
}

#[test]
fn tail_mirror_keeps_following_the_live_targets_when_one_is_down() {
    let local = Node::memory();
    let dead = format!("http://127.0.0.1:{}", common::free_port());
    let dir = tmp();
    let mut tail = tail(
        &local,
        dir.path(),
        &["--mirrors", &dead],
        &["--mirror", "--count", "1", "--timeout", "30s"],
    );
    invalidate(&local.base, None, &["auth"]);
    assert_eq!(tail.wait(), 0, "{}", tail.stderr_text());
    assert!(
        tail.stdout_text()
            .lines()
            .any(|l| words(l).starts_with("local app-update #1 auth")),
        "{}",
        tail.stdout_text()
    );
    let err = tail.stderr_text();
    let dead_name = dead.trim_start_matches("http://");
    assert!(err.contains(&format!("error: cannot follow {dead_name}")), "{err}");
}

#[test]
fn ctrl_c_and_sigterm_end_tail_cleanly_with_its_summary() {
    // Ctrl-C at a terminal, SIGTERM from a service manager or `timeout(1)`: the same end.
    for signal in ["INT", "TERM"] {
        let node = Node::memory();
        let dir = tmp();
        let mut tail = tail(&node, dir.path(), &["-v"], &[]);
        invalidate(&node.base, None, &["posts"]);
        tail.wait_lines(1);
        let sent = std::process::Command::new("kill")
            .args([format!("-{signal}"), tail.pid().to_string()])
            .status()
            .expect("run kill");
        assert!(sent.success());
        assert_eq!(tail.wait(), 0, "{signal}: {}", tail.stderr_text());
        assert!(
            tail.stderr_text().contains("1 event, 0 heartbeats"),
            "{signal}: {}",
            tail.stderr_text()
        );
    }
}

/// `tail | head -1`: once `head` has its line and exits, tail ends within a second or so,
/// without waiting for another event to fail writing (as GNU `tail -f` does).
#[test]
fn tail_ends_soon_after_its_reader_goes_away() {
    let node = Node::memory();
    let dir = tmp();
    let line = format!(
        "'{}' tail --url '{}' --timeout 60s | head -n 1",
        common::bin().display(),
        node.base
    );
    let mut sh = std::process::Command::new("sh");
    sh.args(["-c", &line]).current_dir(dir.path());
    for k in common::inherited_settings() {
        sh.env_remove(k);
    }
    let child = sh.stdout(std::process::Stdio::piped()).spawn().unwrap();
    // One event for head; then nothing more comes.
    std::thread::sleep(std::time::Duration::from_millis(800));
    invalidate(&node.base, None, &["posts"]);
    let start = std::time::Instant::now();
    let out = child.wait_with_output().unwrap();
    let took = start.elapsed();
    eprintln!("tail ended {} ms after head took its line", took.as_millis());
    assert!(String::from_utf8_lossy(&out.stdout).contains("posts"));
    assert!(took < std::time::Duration::from_secs(5), "took {took:?}");
}

/// With -v inside the platform's checkout, each event says what browsers reset on it and
/// which types the server cleared that they keep; --json carries the same; the dry run too.
#[test]
fn tail_verbose_and_the_dry_run_say_what_browsers_reset_and_keep() {
    let node = Node::memory();
    let tree = common::platform_tree(&["stale-in-browsers"]);
    let mut human = tail(&node, tree.path(), &["-v"], &["--count", "2", "--timeout", "30s"]);
    let mut json = tail(&node, tree.path(), &["--json"], &["--count", "1", "--timeout", "30s"]);
    node.wait_clients(2);
    invalidate(&node.base, None, &["pictures", "auth"]);
    assert_eq!(human.wait(), 0, "{}", human.stderr_text());
    let out = human.stdout_text();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 4, "{out}");
    assert!(
        lines[0].contains("pictures update -> clears pictures, posts, pages, feed"),
        "{out}"
    );
    // Under the event, aligned with it: the keys reset, then what stays stale.
    assert_eq!(
        lines[1].trim_start(),
        "browsers reset [\"pictures\"], [\"posts\"]; stale in browsers: posts, pages, feed",
        "{out}"
    );
    assert!(lines[1].starts_with(&" ".repeat(13)), "{out}");
    assert_eq!(lines[3].trim_start(), "browsers reset [\"session\"]", "{out}");

    assert_eq!(json.wait(), 0, "{}", json.stderr_text());
    let v: Value = serde_json::from_str(json.stdout_text().trim()).unwrap();
    assert_eq!(v["browsers"]["handledAs"], "pictures", "{v:#}");
    let stale: Vec<&str> = v["browsers"]["stale"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["type"].as_str().unwrap())
        .collect();
    assert_eq!(stale, ["posts", "pages", "feed"]);

    // The dry run: one line per request.
    let out = client(tree.path())
        .args(["invalidate", "translations", "--dry-run", "--url", &node.base])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.lines()
            .any(|l| l == "  browsers reset [\"translations\"]; stale in browsers: pages, feed"),
        "{text}"
    );
}
