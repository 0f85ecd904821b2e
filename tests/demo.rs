//! `polycache demo`: the real binary runs the whole walkthrough against its two in-process
//! nodes; every step must check out, the figures must be real, and the throwaway password
//! must never reach the output.

mod common;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::polycache;
use common::process::Reaped;

const STEPS: [&str; 6] = [
    "1. the graph: what invalidating pictures clears",
    "2. the cache entries on each node, before",
    "3. polycache invalidate pictures --mirror --verify",
    "4. the app-update events on both streams",
    "5. the cache entries on each node, after",
    "6. polycache invalidate translations --via-server: the local node broadcasts",
];

/// The env file the demo names on its `env file` line.
fn env_file_of(stdout: &str) -> PathBuf {
    let line = stdout
        .lines()
        .find_map(|l| l.trim_start().strip_prefix("env file"))
        .unwrap_or_else(|| panic!("no `env file` line in:\n{stdout}"));
    PathBuf::from(line.trim())
}

fn env_value(path: &Path, key: &str) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{key}=")))
        .unwrap_or_else(|| panic!("{key} missing from {}:\n{text}", path.display()))
        .trim_matches('"')
        .to_string()
}

#[test]
fn demo_walks_through_every_step_and_exits_0_without_printing_the_password() {
    let tmp = tempfile::tempdir().unwrap();
    let out = polycache(tmp.path())
        .env("TMPDIR", tmp.path())
        .arg("demo")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "stdout:\n{stdout}\nstderr:\n{stderr}");

    // Each step is narrated, in order, and ends with its ✓ line.
    let mut at = 0;
    for title in STEPS {
        let i = stdout[at..]
            .find(title)
            .unwrap_or_else(|| panic!("step `{title}` missing or out of order:\n{stdout}"));
        at += i + title.len();
    }
    let checks: Vec<&str> = stdout.lines().filter(|l| l.starts_with("✓ ")).collect();
    assert_eq!(checks.len(), 7, "six step checks and the verdict:\n{stdout}");
    assert!(!stdout.contains('✗'), "{stdout}");
    assert!(checks[6].starts_with("✓ all 6 steps checked out in "), "{stdout}");

    // Real figures from the real nodes.
    assert!(stdout.contains("✓ invalidating pictures clears 4 types: pictures, posts, pages, feed"));
    assert!(stdout.contains("✓ 24 entries on local, 24 on production"), "{stdout}");
    assert_eq!(
        stdout.matches("┆ ok 200 ┆ pictures, posts, pages, feed ┆").count(),
        2,
        "{stdout}"
    );
    assert!(stdout.contains("2 of 2 invalidations succeeded"));
    assert_eq!(
        stdout
            .matches("app-update #1 pictures update -> clears pictures, posts, pages, feed")
            .count(),
        2
    );
    assert!(
        stdout.contains("✓ app-update pictures arrived on both streams (local #1 after "),
        "{stdout}"
    );
    assert!(
        stdout.contains("│ posts        ┆ 3 → 0 ┆ 3 → 0      ┆ cleared │"),
        "{stdout}"
    );
    assert!(
        stdout.contains("│ categories   ┆ 3 → 3 ┆ 3 → 3      ┆ kept    │"),
        "{stdout}"
    );
    assert!(stdout.contains(
        "✓ pictures, posts, pages, feed gone on both nodes; categories, translations, auth, types still cached"
    ));
    assert!(stdout.contains("the local server broadcasts to its own mirrors (mirrored: true)"));
    assert!(stdout.contains("production's translations entries: 3 → 0"), "{stdout}");
    // The mirror is named as an operator names it (POLYCACHE_NAMES in the demo's env file).
    assert!(stdout.contains("│ production ┆ pictures ┆ ok 200"), "{stdout}");
    assert!(
        stdout.contains("mirror invalidated"),
        "the logs --mirror line:\n{stdout}"
    );
    assert!(
        stdout.contains("invalidated=[\"translations\",\"pages\",\"feed\"]"),
        "{stdout}"
    );

    // The by-hand commands name the env file, which only its owner can read.
    let env = env_file_of(&stdout);
    assert!(
        env.starts_with(tmp.path()),
        "the demo directory honours TMPDIR: {}",
        env.display()
    );
    assert!(stdout.contains(&format!(
        "polycache --env-file {} invalidate pictures --mirror --verify",
        env.display()
    )));
    // Nor does a token: the nodes' JWTs all start with the same header.
    assert!(
        !stdout.contains("eyJ") && !stderr.contains("eyJ"),
        "a token leaked:\n{stdout}\n{stderr}"
    );
    // The throwaway account and the logs are gone with the demo (--keep keeps them).
    assert!(!env.exists(), "{} is left behind", env.display());
    assert!(!env.parent().unwrap().exists());
}

#[test]
fn demo_json_reports_every_step() {
    let tmp = tempfile::tempdir().unwrap();
    let out = polycache(tmp.path())
        .env("TMPDIR", tmp.path())
        .args(["demo", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    assert_eq!(v["ok"], true);
    let steps = v["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 6);
    for (i, s) in steps.iter().enumerate() {
        assert_eq!(s["n"], i + 1);
        assert_eq!(s["ok"], true, "{s}");
    }
    assert_eq!(steps[2]["data"]["results"].as_array().unwrap().len(), 2);
    assert_eq!(steps[2]["data"]["results"][0]["verify"]["seen"], true);
    assert_eq!(steps[4]["data"]["local"]["categories"], 3);
    assert!(steps[4]["data"]["local"].get("pictures").is_none());
    let env = PathBuf::from(v["envFile"].as_str().unwrap());
    assert!(!env.exists(), "removed after the run without --keep");
    assert!(v["commands"][0].as_str().unwrap().contains("--env-file"));
}

#[test]
fn demo_keep_leaves_nodes_that_the_printed_commands_reach_until_ctrl_c() {
    let tmp = tempfile::tempdir().unwrap();
    let stdout_path = tmp.path().join("demo.out");
    let mut child = Reaped::spawn(
        common::clean_command(tmp.path())
            .env("TMPDIR", tmp.path())
            .args(["demo", "--keep"])
            .stdin(Stdio::null())
            .stdout(Stdio::from(std::fs::File::create(&stdout_path).unwrap()))
            .stderr(Stdio::null()),
        "spawn polycache demo",
    );
    let start = Instant::now();
    let text = loop {
        let text = std::fs::read_to_string(&stdout_path).unwrap_or_default();
        if text.contains("press Ctrl-C to stop them") {
            break text;
        }
        if start.elapsed() > Duration::from_secs(30) || child.try_wait().unwrap().is_some() {
            panic!("demo --keep did not reach its waiting state:\n{text}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let env = env_file_of(&text);
    // The env file is private, and neither its password nor a token was printed.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&env).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "env file mode");
    }
    let password = env_value(&env, "SERVICE_PASSWORD");
    assert!(password.len() >= 16, "a generated password: {password:?}");
    assert!(!text.contains(&password), "the password leaked");
    assert!(!text.contains("eyJ"), "a token leaked:\n{text}");
    // The log the demo showed is the real file it names.
    let log = env_value(&env, "CACHE_LOG");
    let log_text = std::fs::read_to_string(&log).unwrap();
    assert!(log_text.contains("\"module\":\"mirror\""), "{log_text}");
    assert!(!log_text.contains(&password));
    // The printed command, run by hand, reaches both nodes with the env file's account.
    let out = polycache(tmp.path())
        .args([
            "--env-file",
            env.to_str().unwrap(),
            "invalidate",
            "categories",
            "--mirror",
            "--verify",
        ])
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&out.stdout);
    let stopped = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(stopped.success());
    assert_eq!(
        out.status.code(),
        Some(0),
        "{shown}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(shown.contains("2 of 2 invalidations succeeded"), "{shown}");
    assert_eq!(shown.matches("categories, posts, pages, feed").count(), 2, "{shown}");
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > Duration::from_secs(20) {
            panic!("demo --keep did not stop on SIGINT");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(0));
    assert!(env.exists(), "--keep keeps the env file after the nodes stop");
}

/// The ports of the nodes the demo names (`http://127.0.0.1:PORT`), in order.
fn ports_in(text: &str) -> Vec<u16> {
    let mut ports: Vec<u16> = Vec::new();
    for piece in text.split("http://127.0.0.1:").skip(1) {
        let digits: String = piece.chars().take_while(char::is_ascii_digit).collect();
        let port = digits.parse().unwrap();
        if !ports.contains(&port) {
            ports.push(port);
        }
    }
    ports
}

/// Ctrl-C (or SIGTERM) in the middle of the walkthrough: the steps finished so far stay on
/// screen, the summary says where it stopped (with `--json`, the partial report says
/// `interrupted`), both nodes stop, their files go, and the exit code is 130. Both nodes
/// are told to hold every invalidation (the hidden rehearsal flag), so the signal comes
/// while step 3 waits for their answers.
#[test]
fn an_interrupted_demo_stops_its_nodes_and_says_where_it_stopped() {
    for (signal, json) in [("-INT", false), ("-TERM", true)] {
        let tmp = tempfile::tempdir().unwrap();
        let tmpdir = tmp.path().join("tmp");
        std::fs::create_dir(&tmpdir).unwrap();
        let mut cmd = common::clean_command(tmp.path());
        cmd.env("TMPDIR", &tmpdir);
        if json {
            // No narration with --json: -v's trace (stderr) shows step 3's requests.
            cmd.args(["--json", "-v"]);
        }
        cmd.args(["demo", "--delay-ms", "60000"]);
        let mut run = common::process::Background::start(cmd, tmp.path().join("out"), tmp.path().join("err"));
        let under_way = || {
            if json {
                run.stderr_text().contains("/api/cache/invalidate")
            } else {
                run.stdout_text().contains("✓ 24 entries on local, 24 on production")
            }
        };
        assert!(
            common::eventually(Duration::from_secs(20), under_way),
            "the walkthrough never reached step 3:\n{}\n{}",
            run.stdout_text(),
            run.stderr_text()
        );
        let sent = std::process::Command::new("kill")
            .args([signal, &run.pid().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
        // Well before the nodes would answer (60 s) or the invalidation time out (10 s).
        let started = Instant::now();
        assert_eq!(
            run.wait(),
            130,
            "{signal}: {}\n{}",
            run.stdout_text(),
            run.stderr_text()
        );
        assert!(
            started.elapsed() < Duration::from_secs(8),
            "{signal}: took {:?}",
            started.elapsed()
        );
        let out = run.stdout_text();
        let ports = if json {
            let v: serde_json::Value = serde_json::from_str(&out).expect("the --json report");
            assert_eq!(v["interrupted"], true, "{v}");
            assert_eq!(v["ok"], false, "{v}");
            let steps = v["steps"].as_array().unwrap();
            assert_eq!(steps.len(), 2, "steps 1 and 2 finished: {v}");
            assert!(steps.iter().all(|s| s["ok"] == true), "{v}");
            ports_in(&format!("{} {}", v["nodes"]["local"], v["nodes"]["production"]))
        } else {
            // The finished steps are on screen, the one under way is not, and the last
            // line says where it stopped.
            assert!(out.contains(STEPS[0]) && out.contains(STEPS[1]), "{out}");
            assert!(!out.contains(STEPS[2]), "{out}");
            let last = out.lines().rev().find(|l| !l.trim().is_empty()).unwrap();
            assert!(
                last.starts_with("✗ interrupted at step 3 of 6, after 2 finished; both nodes stopped"),
                "{out}"
            );
            assert!(!out.contains("Do it by hand"), "{out}");
            let intro = out.split("1. the graph").next().unwrap();
            ports_in(intro)
        };
        // Both nodes are gone, and so are the env file and the logs.
        assert_eq!(ports.len(), 2, "{out}");
        for port in ports {
            assert!(
                std::net::TcpStream::connect(("127.0.0.1", port)).is_err(),
                "{signal}: a node still answers on {port}"
            );
        }
        let left: Vec<_> = std::fs::read_dir(&tmpdir).unwrap().map(|e| e.unwrap().path()).collect();
        assert!(left.is_empty(), "{signal}: left behind: {left:?}");
    }
}

/// The by-hand commands name the binary as a person can run it: `polycache` when that
/// name on the PATH is this binary, else this binary's path (a build run from
/// `target/`, which `polycache` would not find).
#[test]
fn the_by_hand_commands_name_the_binary_that_runs() {
    let dir = tempfile::tempdir().unwrap();
    let bin_dir = common::bin().parent().unwrap().to_path_buf();
    let run = |path: &str| {
        let out = polycache(dir.path())
            .args(["--json", "demo"])
            .env("PATH", path)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        v["commands"][0].as_str().unwrap().to_string()
    };
    let on_path = format!("{}:/usr/bin:/bin", bin_dir.display());
    assert!(run(&on_path).starts_with("polycache --env-file "));
    let off_path = run("/usr/bin:/bin");
    assert!(
        off_path.starts_with(&format!("{} --env-file ", common::bin().display())),
        "{off_path}"
    );
}
