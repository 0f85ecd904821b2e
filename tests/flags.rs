//! A command offers only the flags it uses: a settings flag given to a command that would
//! ignore it is a usage error naming the flag, and each command still takes, and honours,
//! the flags it reads.

mod common;

use common::tmp;

use common::{free_port, polycache};
use serde_json::Value;

/// Runs polycache in `dir`; returns the exit code, stdout and stderr.
fn run(dir: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    let out = polycache(dir).args(args).output().expect("run polycache");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_flag_the_command_does_not_use_is_a_usage_error_naming_it() {
    let dir = tmp();
    for (args, flag) in [
        (&["demo", "--graph", "x.json"][..], "--graph"),
        (&["graph", "--redis-url", "redis://127.0.0.1:1"][..], "--redis-url"),
        (&["config", "--graph", "x.json"][..], "--graph"),
        (&["logs", "--url", "http://127.0.0.1:1"][..], "--url"),
        (&["redis", "stats", "--log-file", "x.json"][..], "--log-file"),
        (
            &["invalidate", "posts", "--redis-url", "redis://127.0.0.1:1"][..],
            "--redis-url",
        ),
        (&["serve", "--url", "http://127.0.0.1:1"][..], "--url"),
        (&["check", "--mirrors", "http://127.0.0.1:1"][..], "--mirrors"),
    ] {
        let (code, stdout, stderr) = run(dir.path(), args);
        assert_eq!(code, 2, "{args:?}: {stdout}{stderr}");
        assert!(
            stderr.contains(&format!("unexpected argument '{flag}'")),
            "{args:?}: {stderr}"
        );
        assert!(stdout.is_empty(), "{args:?} ran anyway: {stdout}");
    }
}

#[test]
fn settings_flags_come_after_the_command_that_takes_them() {
    let dir = tmp();
    // Before the command they belong to no command: refused, with the place they go.
    let (code, _, stderr) = run(dir.path(), &["--url", "http://127.0.0.1:1", "invalidate", "posts"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("'--url'") && stderr.contains("invalidate --url"),
        "{stderr}"
    );
    // The global flags still go anywhere, before the command or after it.
    std::fs::write(dir.path().join("my.env"), "POLYCACHE_URL=http://127.0.0.1:4321\n").unwrap();
    for args in [
        &["--json", "--env-file", "my.env", "config", "--color", "never", "-v"][..],
        &["config", "--env-file", "my.env", "--json"][..],
    ] {
        let (code, stdout, stderr) = run(dir.path(), args);
        assert_eq!(code, 0, "{args:?}: {stderr}");
        let report: Value = serde_json::from_str(&stdout).expect("--json is honoured");
        assert_eq!(report["settings"][0]["value"], "http://127.0.0.1:4321", "{report:#}");
        assert!(
            report["envFile"].as_str().is_some_and(|p| p.ends_with("my.env")),
            "{report:#}"
        );
    }
}

#[test]
fn invalidate_takes_url_and_graph() {
    let dir = tmp();
    let graph = dir.path().join("graph.json");
    std::fs::write(&graph, r#"{"posts": [], "widgets": ["posts"]}"#).unwrap();
    let url = format!("http://127.0.0.1:{}", free_port());
    let graph_arg = graph.display().to_string();
    let (code, stdout, stderr) = run(
        dir.path(),
        &[
            "--json",
            "invalidate",
            "posts",
            "--dry-run",
            "--url",
            &url,
            "--graph",
            &graph_arg,
        ],
    );
    assert_eq!(code, 0, "{stdout}{stderr}");
    let plan: Value = serde_json::from_str(&stdout).expect("JSON");
    let request = &plan["requests"][0];
    assert_eq!(request["url"], format!("{url}/api/cache/invalidate"), "{plan:#}");
    // The cascade is the graph file's (built in, posts clears feed).
    assert_eq!(request["cascade"], serde_json::json!(["posts", "widgets"]), "{plan:#}");
}

#[test]
fn redis_takes_its_flags_before_or_after_the_subcommand() {
    let dir = tmp();
    let port = free_port();
    let url = format!("redis://127.0.0.1:{port}");
    for args in [
        &["redis", "stats", "--redis-url", &url, "--cache-prefix", "x:"][..],
        &["redis", "--redis-url", &url, "keys"][..],
    ] {
        let (code, stdout, stderr) = run(dir.path(), args);
        assert_eq!(code, 1, "{args:?}: {stdout}{stderr}");
        assert!(
            stderr.contains(&format!("cannot connect to Redis at {url}")),
            "{args:?}: the flag's Redis is the one tried: {stderr}"
        );
    }
}

#[test]
fn logs_takes_log_file_and_graph_takes_graph() {
    let dir = tmp();
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/cache.json");
    let (code, stdout, stderr) = run(dir.path(), &["logs", "--utc", "--errors", "--log-file", fixture]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("ERROR cache/feed  cache read failed"), "{stdout}");

    let graph = dir.path().join("graph.json");
    std::fs::write(&graph, r#"{"gadgets": [], "feed": ["gadgets"]}"#).unwrap();
    let (code, stdout, stderr) = run(
        dir.path(),
        &["graph", "gadgets", "--graph", &graph.display().to_string()],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("feed") && stdout.contains("(--graph)"), "{stdout}");
}

#[test]
fn doctor_and_config_take_every_settings_flag() {
    let dir = tmp();
    let url = format!("http://127.0.0.1:{}", free_port());
    let redis = format!("redis://127.0.0.1:{}", free_port());
    let log = dir.path().join("no-such-log.json").display().to_string();
    let (code, stdout, stderr) = run(
        dir.path(),
        &[
            "--json",
            "doctor",
            "--url",
            &url,
            "--redis-url",
            &redis,
            "--log-file",
            &log,
            "--timeout",
            "2s",
            "--stream-timeout",
            "1s",
        ],
    );
    assert_eq!(code, 3, "{stdout}{stderr}");
    let report: Value = serde_json::from_str(&stdout).expect("JSON");
    let detail = |check: &str| {
        report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["check"] == check)
            .unwrap_or_else(|| panic!("no {check} row: {report:#}"))["detail"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    assert!(detail("server local").contains(&url), "{report:#}");
    assert!(detail("redis").contains(&redis), "{report:#}");
    assert!(detail("log").contains("no-such-log.json"), "{report:#}");

    let (code, stdout, stderr) = run(
        dir.path(),
        &[
            "--json",
            "config",
            "--url",
            &url,
            "--mirrors",
            "https://mirror.example",
            "--cacert",
            "ca.pem",
            "--redis-url",
            &redis,
            "--cache-prefix",
            "p:",
            "--log-file",
            &log,
        ],
    );
    assert_eq!(code, 0, "{stdout}{stderr}");
    let report: Value = serde_json::from_str(&stdout).expect("JSON");
    for (name, flag) in [
        ("POLYCACHE_URL", "--url"),
        ("CACHE_MIRRORS", "--mirrors"),
        ("POLYCACHE_CACERT", "--cacert"),
        ("REDIS_URL", "--redis-url"),
        ("CACHE_PREFIX", "--cache-prefix"),
        ("CACHE_LOG", "--log-file"),
    ] {
        let row = report["settings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == name)
            .unwrap_or_else(|| panic!("no {name}: {report:#}"));
        assert_eq!(
            row["source"],
            serde_json::json!({"kind": "flag", "detail": flag}),
            "{name} should come from {flag}: {row}"
        );
    }
}

#[test]
fn help_lists_each_group_under_its_heading_and_only_where_it_applies() {
    let dir = tmp();
    let help = |args: &[&str]| {
        let (code, stdout, stderr) = run(dir.path(), args);
        assert_eq!(code, 0, "{stderr}");
        stdout
    };
    // A heading's lines, up to the next heading or the text after the options (in the
    // short layout or the long one, where each option's help is a paragraph of its own).
    let section = |text: &str, heading: &str| -> String {
        text.split_once(&format!("{heading}:\n"))
            .map(|(_, rest)| {
                rest.lines()
                    .take_while(|l| l.is_empty() || l.starts_with(' '))
                    .collect::<Vec<_>>()
                    .join("\n")
            })
            .unwrap_or_default()
    };
    let top = help(&["--help"]);
    let global = section(&top, "Global options");
    for flag in ["--env-file", "--json", "--color", "--verbose"] {
        assert!(global.contains(flag), "{flag} is global:\n{top}");
    }
    for flag in [
        "--url",
        "--mirrors",
        "--redis-url",
        "--cache-prefix",
        "--log-file",
        "--cacert",
        "--graph",
    ] {
        assert!(!top.contains(flag), "{flag} is no global flag:\n{top}");
    }

    let invalidate = help(&["invalidate", "--help"]);
    let server = section(&invalidate, "Server options");
    assert!(
        server.contains("--url") && server.contains("--mirrors") && server.contains("--cacert"),
        "{invalidate}"
    );
    assert!(
        section(&invalidate, "Graph options").contains("--graph"),
        "{invalidate}"
    );
    assert!(
        !invalidate.contains("--redis-url") && !invalidate.contains("--log-file"),
        "{invalidate}"
    );

    let stats = help(&["redis", "stats", "--help"]);
    assert!(section(&stats, "Redis options").contains("--redis-url"), "{stats}");
    assert!(!stats.contains("--url "), "{stats}");

    let logs = help(&["logs", "--help"]);
    assert!(section(&logs, "Log options").contains("--log-file"), "{logs}");

    let demo = help(&["demo", "--help"]);
    for flag in [
        "--url",
        "--redis-url",
        "--log-file",
        "--graph",
        "Server options",
        "Graph options",
    ] {
        assert!(!demo.contains(flag), "demo offers {flag}:\n{demo}");
    }
    assert!(section(&demo, "Global options").contains("--json"), "{demo}");
}

/// Outside a git checkout the `.env` of a parent directory is found too, and a relative
/// path in it (CACHE_LOG) is relative to the `.env`'s directory, not to where polycache
/// runs: `logs` from a subdirectory reads the project's log.
#[test]
fn a_parent_dotenv_is_found_outside_a_checkout_and_its_paths_are_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("project");
    let deep = project.join("src/components");
    std::fs::create_dir_all(&deep).unwrap();
    std::fs::create_dir_all(project.join("server/logs")).unwrap();
    std::fs::write(project.join(".env"), "CACHE_LOG=server/logs/cache.json\n").unwrap();
    std::fs::write(
        project.join("server/logs/cache.json"),
        "{\"level\":50,\"time\":1790000000000,\"msg\":\"the project's own line\"}\n",
    )
    .unwrap();
    let out = polycache(&deep).args(["--json", "config"]).output().unwrap();
    let config: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let row = config["settings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "CACHE_LOG")
        .unwrap()
        .clone();
    let want = project.join("server/logs/cache.json");
    assert_eq!(row["value"], want.display().to_string(), "{row}");
    let out = polycache(&deep)
        .args(["logs", "--no-pager", "--errors"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("the project's own line"));
}

/// `--json` with `--format dot` (or mermaid) asks for two outputs: a usage error that says
/// so, not a silently dropped flag.
#[test]
fn json_and_a_drawing_format_together_are_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    for f in ["dot", "mermaid"] {
        let out = polycache(dir.path())
            .args(["--json", "graph", "feed", "--format", f])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(&format!("--json and --format {f}")), "{err}");
        assert!(out.stdout.is_empty());
    }
}

/// `invalidate --bus` is no flag: help and completions never offer it, and someone who
/// guesses it is told why invalidations are not written to the bus directly. A zero `--timeout` is a usage error
/// instead of a stream that "never connected".
#[test]
fn flags_that_cannot_work_are_not_offered() {
    let dir = tmp();
    let help = polycache(dir.path()).args(["invalidate", "--help"]).output().unwrap();
    assert!(!String::from_utf8_lossy(&help.stdout).contains("--bus"));
    let bash = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/completions/polycache.bash")).unwrap();
    let invalidate_opts = bash
        .lines()
        .skip_while(|l| !l.contains("polycache__subcmd__invalidate)"))
        .find(|l| l.contains("opts=\""))
        .unwrap_or_default()
        .to_string();
    assert!(
        !invalidate_opts.is_empty() && !invalidate_opts.contains("--bus"),
        "{invalidate_opts}"
    );
    polycache(dir.path())
        .args(["invalidate", "posts", "--bus"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("not written to the bus directly"));
    // A flag of another command says which commands take it, not clap's `-- --url` tip.
    polycache(dir.path())
        .args(["logs", "--url", "http://127.0.0.1:1"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("`--url` is a flag of `polycache doctor`"))
        .stderr(predicates::str::contains("not of `polycache logs`"))
        .stderr(predicates::prelude::PredicateBooleanExt::not(
            predicates::str::contains("-- --url"),
        ));
    for cmd in [&["tail", "--timeout", "0"][..], &["redis", "watch", "--timeout", "0s"]] {
        polycache(dir.path())
            .args(cmd)
            .assert()
            .code(2)
            .stderr(predicates::str::contains("--timeout"));
    }
    // A count of nothing would end before it began; a count past u64 is named, not wrapped.
    for cmd in [
        &["tail", "--count", "0"][..],
        &["logs", "-f", "--count", "0"],
        &["logs", "-f", "--count", "99999999999999999999"],
    ] {
        polycache(dir.path())
            .args(cmd)
            .assert()
            .code(2)
            .stderr(predicates::str::contains("--count"));
    }
}

/// `-h` fits a terminal: every command's short help is at most 35 lines at 80 columns, each
/// option on one line, and it ends by pointing at `--help`, which still lists every flag
/// (with the examples) that the short help leaves out.
#[test]
fn short_help_fits_a_terminal_and_help_has_the_rest() {
    let dir = tmp();
    let help = |args: Vec<&str>| {
        let out = polycache(dir.path())
            .args(&args)
            .env("COLUMNS", "80")
            .output()
            .expect("run polycache");
        assert!(out.status.success(), "{args:?}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    // The commands as `--help` lists them, and redis's own.
    let names = |text: &str| -> Vec<String> {
        text.split_once("Commands:\n")
            .map(|(_, rest)| rest.split("\n\n").next().unwrap_or_default())
            .unwrap_or_default()
            .lines()
            .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
            .filter_map(|l| l.split_whitespace().next())
            .filter(|n| *n != "help")
            .map(str::to_string)
            .collect()
    };
    let mut commands: Vec<Vec<String>> = vec![vec![]];
    for name in names(&help(vec!["--help"])) {
        commands.push(vec![name.clone()]);
        for sub in names(&help(vec![name.as_str(), "--help"])) {
            commands.push(vec![name.clone(), sub]);
        }
    }
    assert!(commands.len() >= 18, "{commands:?}");
    for cmd in &commands {
        let mut args: Vec<&str> = cmd.iter().map(String::as_str).collect();
        args.push("-h");
        let short = help(args.clone());
        let lines = short.lines().count();
        assert!(lines <= 35, "`{}` is {lines} lines:\n{short}", args.join(" "));
        assert!(short.lines().all(|l| l.chars().count() <= 80), "{short}");
        args.pop();
        args.push("--help");
        let long = help(args.clone());
        let flags = |text: &str| -> std::collections::BTreeSet<String> {
            text.split_whitespace()
                .filter(|w| w.starts_with("--") && w.len() > 2)
                .map(|w| w.trim_end_matches([',', '.', ')', '`', ':', ';']).to_string())
                .collect()
        };
        let missing: Vec<String> = flags(&short).difference(&flags(&long)).cloned().collect();
        assert!(missing.is_empty(), "`{}` lacks {missing:?}", args.join(" "));
        if !cmd.is_empty() {
            assert!(short.trim_end().ends_with("--help"), "{short}");
            assert!(long.contains("Examples:"), "`{}`:\n{long}", args.join(" "));
            assert!(flags(&long).len() >= flags(&short).len());
        }
    }
    // What the short help of serve leaves out is in its --help.
    let serve = help(vec!["serve", "-h"]);
    let serve_long = help(vec!["serve", "--help"]);
    for flag in [
        "--drain",
        "--max-clients-per-ip",
        "--trust-proxy",
        "--bus-maxlen",
        "--first-event-id",
    ] {
        assert!(!serve.contains(flag) && serve_long.contains(flag), "{flag}");
    }
}

/// A bad base URL is named as the user typed it (the flag, not the variable behind it), and
/// the hint writes the fix; a base URL that ends in `/api` (which would ask for
/// `/api/api/...`) gets a warning naming the base that was meant.
#[test]
fn url_mistakes_are_named_as_typed_and_the_fix_is_written_out() {
    let dir = tmp();
    let (code, _, err) = run(dir.path(), &["invalidate", "posts", "--url", "127.0.0.1:5133"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--url `127.0.0.1:5133` is not a valid base URL"), "{err}");
    assert!(err.contains("hint: write it as http://127.0.0.1:5133"), "{err}");
    let (code, _, err) = run(dir.path(), &["config", "--url", "127.0.0.1:5133"]);
    assert_ne!(code, 0, "{err}");
    let env_file = dir.path().join("x.env");
    std::fs::write(&env_file, "POLYCACHE_URL=127.0.0.1:5133\n").unwrap();
    let (_, _, err) = run(
        dir.path(),
        &[
            "--env-file",
            env_file.to_str().unwrap(),
            "invalidate",
            "posts",
            "--dry-run",
        ],
    );
    assert!(err.contains("POLYCACHE_URL `127.0.0.1:5133`"), "{err}");

    let (code, out, err) = run(
        dir.path(),
        &["invalidate", "posts", "--dry-run", "--url", "http://127.0.0.1:5133/api"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("--url http://127.0.0.1:5133/api ends in /api")
            && err.contains("did you mean http://127.0.0.1:5133?"),
        "{err}"
    );
    assert!(
        out.contains("/api/api/cache/invalidate"),
        "the dry run shows what would be asked: {out}"
    );
}
