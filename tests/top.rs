//! `polycache top`: the model fed with a scene and drawn on ratatui's TestBackend; the
//! binary refusing a pipe and printing `--once`; and the live screen in tmux against two
//! real nodes.

mod common;

use std::path::Path;
use std::process::Command;

use common::node::{Mode, Node, NodeConfig, client};
use common::tmux::Tmux;
use polycache::graph::Graph;
use polycache::top::model::{Input, Overlay, State, TargetKind, TargetState};
use polycache::top::{Theme, draw};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::Value;

const T0: i64 = 1_764_643_200_000;
const LONG: &str = "a_forty_character_type_name_for_the_top0";

fn event(target: usize, id: &str, kind: &str, entity: Option<&str>) -> Input {
    Input::Event {
        target,
        event_id: Some(id.to_string()),
        kind: Some(kind.to_string()),
        entity: entity.map(str::to_string),
        action: Some("update".to_string()),
    }
}

/// local, production (which sees everything, 120 ms late) and staging (which misses
/// `pages`, then drops and reconnects with a reason carrying an escape sequence).
fn scene() -> State {
    assert_eq!(LONG.len(), 40);
    let targets = vec![
        TargetState::new("local", "http://127.0.0.1:3333", TargetKind::Local),
        TargetState::new("production", "https://service.polymech.info", TargetKind::Mirror),
        TargetState::new("staging", "https://staging.polymech.info", TargetKind::Mirror),
    ];
    let mut s = State::new(targets, Graph::built_in(), true, true, T0);
    for t in 0..3 {
        s.apply(Input::Connected { target: t }, T0);
        s.apply(
            Input::Health {
                target: t,
                rtt_ms: 12 + t as u64,
                clients: Some(3),
                error: None,
            },
            T0 + 10,
        );
    }
    s.apply(event(0, "41", "post", Some("42")), T0 + 1_000);
    s.apply(event(1, "7", "posts", Some("42")), T0 + 1_120);
    s.apply(event(2, "9", "posts", Some("42")), T0 + 1_200);
    s.apply(event(0, "42", "pages", None), T0 + 2_000);
    s.apply(event(1, "8", "pages", None), T0 + 2_300);
    s.apply(event(0, "43", LONG, Some("a\u{1b}[31mred")), T0 + 3_000);
    s.apply(event(1, "9", LONG, Some("a\u{1b}[31mred")), T0 + 3_050);
    s.apply(event(2, "10", LONG, Some("a\u{1b}[31mred")), T0 + 3_100);
    s.apply(
        Input::Disconnected {
            target: 2,
            reason: "the server said \u{1b}[2Jgone".to_string(),
            attempt: 1,
        },
        T0 + 4_000,
    );
    s.apply(
        Input::Log("12:00:00.000 ERROR mirror production: HTTP 502".to_string()),
        T0 + 4_100,
    );
    s.apply(
        Input::Redis(Ok(vec![polycache::top::model::RedisRow {
            kind: "posts".into(),
            keys: 12,
            memory: 4096,
        }])),
        T0 + 4_200,
    );
    // Staging never showed `pages`: past the match window it is marked missed.
    s.tick(T0 + 20_000);
    s
}

fn screen(state: &State, w: u16, h: u16) -> Vec<String> {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| draw(f, state, Theme { color: false })).unwrap();
    let buf = t.backend().buffer().clone();
    (0..h)
        .map(|y| (0..w).map(|x| buf[(x, y)].symbol().to_string()).collect::<String>())
        .collect()
}

fn line_with<'a>(lines: &'a [String], word: &str) -> &'a str {
    lines
        .iter()
        .find(|l| l.split_whitespace().any(|w| w == word))
        .unwrap_or_else(|| panic!("no line with `{word}`:\n{}", lines.join("\n")))
}

fn no_control(lines: &[String]) {
    for l in lines {
        assert!(
            !l.chars().any(|c| c.is_control()),
            "a control character on screen: {l:?}"
        );
    }
}

#[test]
fn the_scene_at_80x24_keeps_whole_words_and_marks_what_staging_missed() {
    let s = scene();
    let lines = screen(&s, 80, 24);
    let text = lines.join("\n");
    no_control(&lines);
    assert!(lines.iter().all(|l| l.chars().count() == 80));
    // Targets: live, live, reconnecting since the drop 16 s ago.
    assert!(line_with(&lines, "local").contains("live"), "{text}");
    let staging = line_with(&lines, "staging");
    assert!(staging.contains("reconnecting 16s"), "{text}");
    // The 40-character type is whole, with the local counts beside it.
    let long = line_with(&lines, LONG);
    assert!(long.contains(&format!("{LONG} 1/1/1")), "{text}");
    // pages: seen locally and on production, missed on staging (the column fits here or
    // is left out whole; never cut).
    let pages = line_with(&lines, "pages");
    assert!(pages.contains("1/1/1"), "{text}");
    if pages.contains("missed") {
        assert!(pages.contains("0/0/0 missed"), "{text}");
    }
    // Propagation to production: three matches, 120 ms median.
    let prod = lines.iter().rfind(|l| l.starts_with("production")).unwrap();
    assert!(prod.contains("3 120ms"), "{text}");
    // The log line, and the key line that fits 80 columns whole.
    assert!(text.contains("ERROR mirror production: HTTP 502"), "{text}");
    assert!(lines[23].trim_end().ends_with("invalidate"), "{text}");
    for word in ["reconnectin", "productio", "invalidat"] {
        assert!(
            !lines.iter().any(|l| l.split_whitespace().any(|w| w == word)),
            "{word}: {text}"
        );
    }
}

#[test]
fn the_scene_at_200x50_shows_every_column_and_escapes_server_text() {
    let s = scene();
    let lines = screen(&s, 200, 50);
    let text = lines.join("\n");
    no_control(&lines);
    // Every target column and the optional ones fit.
    let pages = line_with(&lines, "pages");
    assert!(pages.contains("0/0/0 missed"), "{text}");
    let posts = line_with(&lines, "posts");
    assert!(posts.contains("update 42"), "{text}");
    assert!(posts.contains("posts feed"), "{text}");
    // The entity id and the reason came with an escape sequence: shown escaped.
    assert!(text.contains("a\\x1b[31mred"), "{text}");
    assert!(text.contains("the server said \\x1b[2Jgone"), "{text}");
    // Health and clients per target, the Redis panel.
    assert!(line_with(&lines, "local").contains("12ms"), "{text}");
    assert!(text.contains("4.0 KiB"), "{text}");
    // Staging's propagation: two matches, posts 200 ms and the long type 100 ms late.
    let staging = lines.iter().rfind(|l| l.starts_with("staging")).unwrap();
    assert!(staging.contains("2 200ms 200ms 200ms"), "{text}");
    let production = lines.iter().rfind(|l| l.starts_with("production")).unwrap();
    assert!(production.contains("3 120ms 300ms 300ms"), "{text}");
}

#[test]
fn keys_of_the_model_select_filter_and_sort() {
    let mut s = scene();
    s.selected = None;
    s.select(1);
    // Most recent first: the long type.
    assert_eq!(s.selected.as_deref(), Some(LONG));
    s.select(1);
    assert_eq!(s.selected.as_deref(), Some("pages"));
    s.filter = "post".into();
    assert_eq!(s.rows().len(), 1);
    s.select(-1);
    assert_eq!(s.selected.as_deref(), Some("posts"));
    s.overlay = Overlay::Cascade("posts".into());
    let text = screen(&s, 80, 24).join("\n");
    assert!(text.contains("invalidating posts clears:"), "{text}");
    assert!(text.contains("feed"), "{text}");
    s.filter.clear();
    s.sort = polycache::top::model::Sort::Name;
    let names: Vec<&str> = s.rows().iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, [LONG, "pages", "posts"]);
}

#[test]
fn a_failed_reconnect_reads_as_down_and_an_event_as_live_again() {
    let mut s = scene();
    s.apply(
        Input::Disconnected {
            target: 1,
            reason: "connection refused".into(),
            attempt: 2,
        },
        T0 + 21_000,
    );
    let text = screen(&s, 200, 50).join("\n");
    assert!(line_with(&screen(&s, 200, 50), "production").contains("down"), "{text}");
    assert!(text.contains("connection refused"), "{text}");
    s.apply(Input::Connected { target: 1 }, T0 + 22_000);
    assert!(line_with(&screen(&s, 200, 50), "production").contains("live"));
}

#[test]
fn top_refuses_a_pipe_and_points_at_tail_json() {
    let dir = tempfile::tempdir().unwrap();
    let out = common::polycache(dir.path()).arg("top").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not a terminal"), "{err}");
    assert!(err.contains("tail --json"), "{err}");
    // --json is for the snapshot only.
    let out = common::polycache(dir.path()).args(["--json", "top"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--json goes with --once"));
}

fn validate(doc: &Value) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/json/top.schema.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let v = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = v
        .iter_errors(doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}\n{doc:#}");
}

#[test]
fn once_json_matches_its_schema_with_a_live_node_and_a_dead_mirror() {
    let node = Node::memory();
    let dir = tempfile::tempdir().unwrap();
    let dead = format!("http://127.0.0.1:{}", common::free_port());
    let out = client(dir.path())
        .args([
            "--json",
            "top",
            "--once",
            "--wait",
            "2s",
            "--url",
            &node.base,
            "--mirrors",
            &dead,
        ])
        .env("CACHE_LOG", &node.log)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    validate(&doc);
    assert_eq!(doc["targets"][0]["link"]["state"], "live", "{doc:#}");
    // The node reports its SSE clients (top itself may not be counted yet: the health
    // answer and the stream race).
    assert!(doc["targets"][0]["clients"].is_u64(), "{doc:#}");
    assert_ne!(doc["targets"][1]["link"]["state"], "live", "{doc:#}");
    assert!(doc["targets"][1]["healthError"].is_string(), "{doc:#}");
    assert!(doc["log"].is_array(), "{doc:#}");
    assert!(doc["redis"].is_null(), "{doc:#}");
    // And the model's own snapshot of a full scene.
    validate(&serde_json::to_value(scene().snapshot()).unwrap());
}

#[test]
fn once_prints_tables_without_json() {
    let node = Node::memory();
    let dir = tempfile::tempdir().unwrap();
    let out = client(dir.path())
        .args(["top", "--once", "--wait", "2s", "--url", &node.base])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("local"), "{text}");
    assert!(text.contains("live"), "{text}");
    assert!(text.contains("no invalidation seen"), "{text}");
}

#[test]
fn once_shows_the_bus_and_the_redis_keys_of_a_node_on_redis() {
    let redis = common::services::RedisServer::start();
    let node = Node::start(&NodeConfig::new(Mode::Redis(&redis)).arg("--bus").arg("redis"));
    let dir = tempfile::tempdir().unwrap();
    let url = format!("{}/0", redis.url());
    client(dir.path())
        .args(["invalidate", "pages", "--url", &node.base])
        .assert()
        .success();
    let out = client(dir.path())
        .args([
            "--json",
            "top",
            "--once",
            "--wait",
            "5s",
            "--url",
            &node.base,
            "--redis-url",
            &url,
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    validate(&doc);
    let bus = doc["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["kind"] == "bus")
        .unwrap_or_else(|| panic!("no bus target: {doc:#}"));
    assert_eq!(bus["link"]["state"], "live", "{doc:#}");
    assert!(bus["name"].as_str().unwrap().contains("cache:bus"), "{doc:#}");
    // The demo data the node wrote: keys per type, with their memory.
    let types = doc["redis"]["types"].as_array().unwrap();
    let posts = types
        .iter()
        .find(|t| t["type"] == "posts")
        .unwrap_or_else(|| panic!("no posts keys: {doc:#}"));
    assert!(posts["keys"].as_u64().unwrap() > 0, "{doc:#}");
    assert!(posts["memory"].as_u64().unwrap() > 0, "{doc:#}");
}

#[test]
fn colour_is_drawn_only_when_the_theme_says_so() {
    let s = scene();
    for color in [false, true] {
        let mut t = Terminal::new(TestBackend::new(80, 24)).unwrap();
        t.draw(|f| draw(f, &s, Theme { color })).unwrap();
        let buf = t.backend().buffer().clone();
        let coloured = buf.content().iter().any(|c| c.fg != ratatui::style::Color::Reset);
        assert_eq!(coloured, color);
    }
}

// ---- the live screen in tmux ----

fn row<'a>(screen: &'a str, first: &str) -> Option<&'a str> {
    screen.lines().find(|l| l.split_whitespace().next() == Some(first))
}

#[test]
fn top_in_tmux_follows_two_nodes_and_restores_the_terminal() {
    let mut mirror = Node::memory();
    let local = Node::start(&NodeConfig::new(Mode::Memory).mirrors(&[&mirror.base]));
    let dir = tempfile::tempdir().unwrap();
    let bin = common::bin().display().to_string();
    let names = format!("production={}", mirror.base);
    let tmux = Tmux::start(
        dir.path(),
        (100, 30),
        false,
        &[
            ("POLYCACHE_URL", &local.base),
            ("CACHE_MIRRORS", &mirror.base),
            ("POLYCACHE_NAMES", &names),
            ("CACHE_LOG", &local.log.display().to_string()),
            ("SERVICE_EMAIL", common::node::EMAIL),
            ("SERVICE_PASSWORD", common::node::PASSWORD),
        ],
    );
    let run = format!("{bin} top; echo top-exited-$?");
    tmux.send(&[&run, "Enter"]);
    tmux.wait("both targets live", |s| {
        row(s, "local").is_some_and(|l| l.contains("live")) && row(s, "production").is_some_and(|l| l.contains("live"))
    });
    local.wait_clients(1);
    mirror.wait_clients(1);

    // The local node relays to the mirror: posts on both, and a propagation figure.
    client(dir.path())
        .args(["invalidate", "posts", "--via-server", "--url", &local.base])
        .assert()
        .success();
    tmux.wait("posts on both targets with a propagation figure", |s| {
        let posts = row(s, "posts").unwrap_or("");
        let prop = s.lines().rfind(|l| l.starts_with("production")).unwrap_or("");
        posts.matches("1/1/1").count() == 2 && prop.split_whitespace().nth(1) == Some("1")
    });

    // i on the selected type (posts, the only one), y: the invalidate run and its report.
    tmux.send(&["i"]);
    tmux.wait("the question", |s| s.contains("invalidate posts on every target?"));
    tmux.send(&["y"]);
    tmux.wait("the report", |s| s.contains("2 of 2 invalidations succeeded"));
    tmux.send(&["x"]);
    tmux.wait("posts twice on both", |s| {
        row(s, "posts").unwrap_or("").matches("2/2/2").count() == 2
    });

    // The mirror dies: down; it comes back: live.
    mirror.kill();
    tmux.wait("the mirror down", |s| {
        row(s, "production").is_some_and(|l| l.contains("down"))
    });
    mirror.restart();
    tmux.wait("the mirror live again", |s| {
        row(s, "production").is_some_and(|l| l.contains("live"))
    });

    // q: exit 0, and the terminal as it was.
    tmux.send(&["q"]);
    tmux.wait("top's exit status", |s| s.contains("top-exited-0"));
    tmux.assert_terminal_restored("after q");

    // The same after SIGTERM.
    tmux.send(&["clear", "Enter"]);
    let pidfile = dir.path().join("top.pid");
    // In the foreground (a background job may not touch the terminal): the shell that
    // writes its pid becomes top.
    let run = format!(
        "sh -c 'echo $$ > {}; exec {bin} top'; echo top-exited-$?",
        pidfile.display()
    );
    tmux.send(&[&run, "Enter"]);
    tmux.wait("top again", |s| row(s, "local").is_some_and(|l| l.contains("live")));
    let pid = std::fs::read_to_string(&pidfile).unwrap().trim().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    tmux.wait("top's exit status after SIGTERM", |s| s.contains("top-exited-0"));
    tmux.assert_terminal_restored("after SIGTERM");
}
