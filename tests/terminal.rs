//! What a person sees: every table-printing command run in a real pseudo-terminal (made by
//! util-linux `script`), colour on as a terminal gets it by default, and the screen
//! checked the way an eye would: in every table, the column separators of every row stand
//! in the same display columns. Colour codes that count as width break exactly this.

mod common;

use std::process::{Command, Stdio};

use common::node::{PASSWORD, ServeNode};
use common::{RedisServer, bin, inherited_settings};
use unicode_width::UnicodeWidthChar;

/// Runs polycache with `args` in a pseudo-terminal of `cols` columns (`None`: a terminal
/// nobody sized, as `script` makes it), colour left to polycache's own detection. Returns
/// what the terminal received, colour codes and all.
fn in_pty(cwd: &std::path::Path, cols: Option<u16>, env: &[(&str, &str)], args: &[&str]) -> String {
    let mut line = String::new();
    if let Some(c) = cols {
        line.push_str(&format!("stty cols {c} rows 50; "));
    }
    line.push_str("exec");
    for a in std::iter::once(bin().to_string_lossy().to_string()).chain(args.iter().map(|a| a.to_string())) {
        line.push_str(&format!(" '{}'", a.replace('\'', r"'\''")));
    }
    let mut cmd = Command::new("script");
    cmd.args(["-qefc", &line, "/dev/null"])
        .current_dir(cwd)
        .env_remove("NO_COLOR")
        .env_remove("COLUMNS")
        .env("TERM", "xterm-256color")
        .stdin(Stdio::null());
    for k in inherited_settings() {
        cmd.env_remove(k);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("util-linux `script` must be installed");
    String::from_utf8_lossy(&out.stdout).to_string()
}

/// The screen as a person reads it: escape sequences (CSI such as colours, OSC such as
/// titles) removed, and of each line only what was written after its last carriage return
/// (a progress bar that cleared its line leaves nothing behind).
fn strip_ansi(s: &str) -> String {
    let re = regex::Regex::new(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)").unwrap();
    re.replace_all(s, "")
        .lines()
        .map(|l| l.split('\r').rfind(|seg| !seg.is_empty()).unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

const BOX: &str = "┌├╞└│╪┼┬┴┐┤╡┘";
const SEP: &str = "│┆┬┴┼╪┌┐└┘├┤╞╡";

/// Display columns of the separators on one line.
fn separators(line: &str) -> Vec<usize> {
    let mut cols = Vec::new();
    let mut col = 0;
    for ch in line.chars() {
        if SEP.contains(ch) {
            cols.push(col);
        }
        col += ch.width().unwrap_or(0);
    }
    cols
}

/// Asserts that the screen holds at least `want` tables and that each is aligned.
fn assert_tables_aligned(what: &str, raw: &str, want: usize) {
    let screen = strip_ansi(raw);
    assert!(
        raw.contains('\x1b'),
        "{what}: no colour reached the terminal:\n{screen}"
    );
    // A table starts with its top border; trees (`├── posts`) are not tables.
    let mut tables: Vec<Vec<&str>> = Vec::new();
    let mut cur: Vec<&str> = Vec::new();
    for line in screen.lines() {
        let first = line.trim_start().chars().next();
        if first == Some('┌') || (!cur.is_empty() && first.is_some_and(|c| BOX.contains(c))) {
            cur.push(line);
        } else if !cur.is_empty() {
            tables.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        tables.push(cur);
    }
    assert!(
        tables.len() >= want,
        "{what}: {} table(s), expected {want}:\n{screen}",
        tables.len()
    );
    for t in &tables {
        let first = separators(t[0]);
        assert!(first.len() >= 3, "{what}: a table of one column?\n{}", t.join("\n"));
        for row in t {
            assert_eq!(
                separators(row),
                first,
                "{what}: misaligned row\n  {}\n  {row}\nwhole screen:\n{screen}",
                t[0]
            );
        }
        assert!(
            t.len() < 60,
            "{what}: a table of {} lines, cells squeezed?\n{screen}",
            t.len()
        );
    }
}

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("tempdir")
}

#[test]
fn config_and_graph_tables_line_up_on_a_colour_terminal() {
    let dir = tmp();
    for cols in [Some(150), Some(60), None] {
        let out = in_pty(dir.path(), cols, &[], &["config"]);
        assert_tables_aligned(&format!("config at {cols:?} columns"), &out, 1);
        let out = in_pty(dir.path(), cols, &[], &["graph"]);
        assert_tables_aligned(&format!("graph at {cols:?} columns"), &out, 1);
    }
    // A terminal of unknown size does not squeeze cells to a character per line.
    let screen = strip_ansi(&in_pty(dir.path(), None, &[], &["config"]));
    assert!(
        screen.contains("POLYCACHE_URL") && screen.contains("http://localhost:3333"),
        "{screen}"
    );
}

#[test]
fn invalidate_and_doctor_tables_line_up_on_a_colour_terminal() {
    let node = ServeNode::start(&[]);
    let dir = tmp();
    let env = [("SERVICE_EMAIL", common::node::EMAIL), ("SERVICE_PASSWORD", PASSWORD)];
    let out = in_pty(
        dir.path(),
        Some(150),
        &env,
        &["invalidate", "posts", "--url", &node.base],
    );
    assert_tables_aligned("invalidate", &out, 1);
    assert!(strip_ansi(&out).contains("ok 200"), "{}", strip_ansi(&out));
    let out = in_pty(
        dir.path(),
        Some(150),
        &env,
        &["doctor", "--url", &node.base, "--stream-timeout", "2s"],
    );
    assert_tables_aligned("doctor", &out, 1);
    assert!(!out.contains(PASSWORD));
}

#[test]
fn redis_and_logs_tables_line_up_on_a_colour_terminal() {
    let redis = RedisServer::start();
    let node = ServeNode::start(&["--store", "redis", "--redis-url", &redis.url()]);
    drop(node); // its demo data stays in Redis
    let dir = tmp();
    let env = [("REDIS_URL", redis.url())];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let out = in_pty(dir.path(), Some(150), &env, &["redis", "stats"]);
    assert_tables_aligned("redis stats", &out, 1);
    let out = in_pty(dir.path(), Some(150), &env, &["redis", "keys"]);
    assert_tables_aligned("redis keys", &out, 1);

    let log = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/cache.json");
    let out = in_pty(dir.path(), Some(150), &[], &["logs", "--stats", log]);
    assert_tables_aligned("logs --stats", &out, 2);

    // check, on a platform tree with findings (a coloured kind in every row).
    let tree = tempfile::tempdir().unwrap();
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/platform");
    for layer in ["clean", "alias-mismatch"] {
        let status = Command::new("cp")
            .arg("-r")
            .arg(format!("{}/.", fixtures.join(layer).display()))
            .arg(tree.path())
            .status()
            .unwrap();
        assert!(status.success());
    }
    let root = tree.path().to_string_lossy().to_string();
    let out = in_pty(dir.path(), Some(150), &[], &["check", "--root", &root]);
    assert_tables_aligned("check", &out, 1);
}

#[test]
fn demo_tables_line_up_on_a_colour_terminal() {
    let dir = tmp();
    let out = in_pty(dir.path(), Some(150), &[], &["demo"]);
    assert_tables_aligned("demo", &out, 2);
}

#[test]
fn help_starts_with_demo_and_doctor_and_keeps_global_flags_apart() {
    let dir = tmp();
    let out = common::polycache(dir.path()).arg("--help").output().expect("run");
    let help = String::from_utf8_lossy(&out.stdout);
    let commands: Vec<&str> = help
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .filter(|l| l.starts_with("  ") && !l.starts_with("    "))
        .take(2)
        .map(|l| l.split_whitespace().next().unwrap_or_default())
        .collect();
    assert_eq!(commands, ["demo", "doctor"], "{help}");
    assert!(help.contains("Start here"), "{help}");
    let out = common::polycache(dir.path())
        .args(["invalidate", "--help"])
        .output()
        .expect("run");
    let help = String::from_utf8_lossy(&out.stdout);
    let (own, global) = help.split_once("Global options:").unwrap_or_else(|| panic!("{help}"));
    assert!(own.contains("--timeout") && !own.contains("--env-file"), "{help}");
    assert!(global.contains("--env-file") && global.contains("--json"), "{help}");
}
