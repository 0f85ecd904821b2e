//! The README's examples are real runs: this test builds the world the README describes (a
//! local node on Redis that mirrors to `production`, both pinging every second, the README's
//! `.env`, a platform checkout), runs each example in it, and compares what it printed with
//! the README. Ports, directories, times and durations differ from run to run and are
//! compared as placeholders; everything else (rows, words, exit codes, hints) must match.
//! `POLYCACHE_BLESS=1 cargo test --test readme` writes the real output into the README
//! (ports and directories shown as the README's).
//!
//! Not run here: `top` (a full-screen capture) and the rotated-logs example (its files are
//! the ones of docs/logs.md).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use common::node::{EMAIL, Mode, Node, NodeConfig, PASSWORD};
use common::process::Background;
use common::services::RedisServer;
use common::{bin, copy_tree, inherited_settings};
use regex::Regex;

/// The README's names for what this run picked: (real, shown).
type Shown = Vec<(String, String)>;

fn readme() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")
}

/// Runs an example's shell line in `cwd` (`sh -c`, so that `; echo "exit $?"` and `| jq`
/// work as in the README), polycache being this build. Stdout, then stderr.
fn run(cwd: &Path, line: &str) -> String {
    let dir = bin().parent().unwrap().to_path_buf();
    let path = format!("{}:{}", dir.display(), std::env::var("PATH").unwrap_or_default());
    let mut cmd = Command::new("sh");
    cmd.args(["-c", &format!("{line} 2>&1")])
        .current_dir(cwd)
        .env("PATH", path)
        .env("NO_COLOR", "1")
        .env("TZ", "UTC")
        .env_remove("COLUMNS");
    for k in inherited_settings() {
        cmd.env_remove(k);
    }
    let out = cmd.output().expect("run sh");
    String::from_utf8_lossy(&out.stdout).trim_end().to_string()
}

/// What varies between runs, as placeholders; table borders and padding dropped (a
/// duration one digit longer widens its column); ports and directories as the README
/// names them.
fn normalize(text: &str, shown: &Shown, sort: bool) -> Vec<String> {
    let mut text = show_as(text, shown);
    let masks = [
        (r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d+)?Z?( UTC)?", "<time>"),
        (r"\b\d\d:\d\d:\d\d\.\d{3}\b", "<time>"),
        (r"<1ms", "<duration>"),
        (r"\b\d+(\.\d+)?(µs|ms|s)\b", "<duration>"),
        (r"\(in \d+h \d+m\)", "(in <duration>)"),
        (r"\b\d+ B\b", "<size>"),
    ];
    for (re, with) in masks {
        text = Regex::new(re).unwrap().replace_all(&text, with).into_owned();
    }
    let boxes = Regex::new(r"[│┆┌┐└┘├┤┬┴┼╞╡╪═─]+").unwrap();
    let spaces = Regex::new(r" {2,}").unwrap();
    let mut lines: Vec<String> = text
        .lines()
        .map(|l| spaces.replace_all(boxes.replace_all(l, " ").trim(), " ").into_owned())
        .filter(|l| !l.is_empty())
        .collect();
    if sort {
        lines.sort();
    }
    lines
}

/// `text` with each real port and directory replaced by the README's name for it; in a
/// table row the cell keeps its width (the name is padded), so the borders stay aligned.
fn show_as(text: &str, shown: &Shown) -> String {
    text.lines()
        .map(|line| {
            let mut line = line.to_string();
            for (real, as_shown) in shown {
                while let Some(at) = line.find(real.as_str()) {
                    line.replace_range(at..at + real.len(), as_shown);
                    let short = real.chars().count().saturating_sub(as_shown.chars().count());
                    if short > 0
                        && let Some(sep) = line[at..].find(['┆', '│']).map(|i| at + i)
                    {
                        line.insert_str(sep, &" ".repeat(short));
                    }
                }
            }
            line
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The README's output of the example `line` (the lines after it up to the next `$ ` line
/// or the end of its block).
fn shown_output(readme: &str, line: &str) -> Option<(usize, usize)> {
    let lines: Vec<&str> = readme.lines().collect();
    let at = lines.iter().position(|l| *l == format!("$ {line}"))?;
    let end = (at + 1..lines.len())
        .find(|&i| lines[i].starts_with("$ ") || lines[i].starts_with("```"))
        .unwrap_or(lines.len());
    Some((at + 1, end))
}

struct Check {
    line: String,
    real: String,
    sort: bool,
}

fn compare(checks: &[Check], shown: &Shown) {
    let path = readme();
    let text = std::fs::read_to_string(&path).unwrap();
    let bless = std::env::var_os("POLYCACHE_BLESS").is_some();
    let mut wrong = Vec::new();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    // From the last example up, so that replacing one keeps the others' line numbers.
    let mut found: Vec<(usize, usize, &Check)> = checks
        .iter()
        .map(|c| {
            let (from, to) =
                shown_output(&text, &c.line).unwrap_or_else(|| panic!("README.md has no example `$ {}`", c.line));
            (from, to, c)
        })
        .collect();
    found.sort_by_key(|(from, _, _)| std::cmp::Reverse(*from));
    for (from, to, c) in found {
        let page = lines[from..to].join("\n");
        if normalize(&page, shown, c.sort) != normalize(&c.real, shown, c.sort) {
            let real = show_as(&c.real, shown);
            let (a, b) = (normalize(&page, shown, c.sort), normalize(&c.real, shown, c.sort));
            let first = a
                .iter()
                .zip(&b)
                .position(|(x, y)| x != y)
                .unwrap_or(a.len().min(b.len()));
            wrong.push(format!(
                "README.md:{}: `$ {}` differs from a real run (first at compared line {first}: {:?} / {:?}):\n--- README\n{page}\n--- real\n{real}",
                from,
                c.line,
                a.get(first),
                b.get(first)
            ));
            lines.splice(from..to, real.lines().map(str::to_string));
        }
    }
    if bless && !wrong.is_empty() {
        std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    }
    assert!(
        bless || wrong.is_empty(),
        "{} README example(s) differ from real runs (POLYCACHE_BLESS=1 cargo test --test readme \
         writes the real output):\n\n{}",
        wrong.len(),
        wrong.join("\n\n")
    );
}

fn port_of(base: &str) -> String {
    base.rsplit(':').next().unwrap().to_string()
}

/// The README's world: `production` (memory) and `local` (Redis, mirroring to production),
/// both pinging every second, and a directory with the README's `.env`.
#[test]
fn the_readme_examples_are_real_runs() {
    let redis = RedisServer::start();
    let mut production = Node::start(&NodeConfig {
        ping_interval: Some("1s"),
        ..NodeConfig::new(Mode::Memory)
    });
    let local = Node::start(&NodeConfig {
        ping_interval: Some("1s"),
        ..NodeConfig::new(Mode::Redis(&redis)).mirrors(&[&production.base])
    });
    let root = common::tmp();
    let cli = root.path().join("cli");
    std::fs::create_dir_all(&cli).unwrap();
    let env = format!(
        "POLYCACHE_URL={}\nCACHE_MIRRORS={}\nPOLYCACHE_NAMES=production={}\nSERVICE_EMAIL={EMAIL}\nSERVICE_PASSWORD={PASSWORD}\nREDIS_URL={}\nCACHE_LOG={}\n",
        local.base,
        production.base,
        production.base,
        redis.url(),
        local.log.display()
    );
    std::fs::write(cli.join(".env"), env).unwrap();
    let shown: Shown = vec![
        (local.log.display().to_string(), "../nodes/logs/a.json".into()),
        (root.path().display().to_string(), "/tmp/readme".into()),
        (format!("127.0.0.1:{}", port_of(&local.base)), "127.0.0.1:4333".into()),
        (
            format!("127.0.0.1:{}", port_of(&production.base)),
            "127.0.0.1:4334".into(),
        ),
        (format!("127.0.0.1:{}", port_of(&redis.url())), "127.0.0.1:6391".into()),
        (EMAIL.into(), "svc@example.com".into()),
    ];
    let mut checks = Vec::new();
    let example = |checks: &mut Vec<Check>, line: &str, sort: bool, cwd: &Path| {
        checks.push(Check {
            line: line.to_string(),
            real: run(cwd, line),
            sort,
        });
    };

    // Everything up: doctor, then the stream followed during two invalidations.
    example(&mut checks, "polycache doctor", false, &cli);
    let tail_line = "polycache tail --mirror --count 4 --timeout 20s";
    let tail_args: Vec<&str> = tail_line.split(' ').skip(1).collect();
    let mut tail = Background::spawn(&cli, &tail_args);
    assert!(
        common::eventually(Duration::from_secs(10), || tail
            .stderr_text()
            .matches("following")
            .count()
            == 2),
        "{}",
        tail.stderr_text()
    );
    example(
        &mut checks,
        "polycache invalidate pictures --mirror --verify",
        false,
        &cli,
    );
    let post = common::clean_command(&cli)
        .args(["invalidate", "post", "--id", "42", "--mirror"])
        .output()
        .unwrap();
    assert!(post.status.success(), "{}", String::from_utf8_lossy(&post.stderr));
    assert_eq!(tail.wait(), 0, "{}", tail.stderr_text());
    // The order of the two streams' lines is their arrival order: compared sorted.
    checks.push(Check {
        line: tail_line.into(),
        real: format!("{}\n{}", tail.stderr_text().trim_end(), tail.stdout_text().trim_end()),
        sort: true,
    });

    // The mirror down: a partial run, the local node's failed broadcast in its log, doctor.
    production.kill();
    example(
        &mut checks,
        "polycache invalidate feed --mirror --retries 1; echo \"exit $?\"",
        false,
        &cli,
    );
    assert!(!run(&cli, "polycache invalidate feed --via-server").is_empty());
    assert!(
        common::eventually(Duration::from_secs(20), || local
            .log_text()
            .contains("mirror invalidation failed")),
        "{}",
        local.log_text()
    );
    example(&mut checks, "polycache logs --errors", false, &cli);
    // Waiting for the next error while the same broadcast is made again.
    let wait_line = "polycache logs --follow --errors -n 0 --count 1 --timeout 30s";
    let wait_args: Vec<&str> = wait_line.split(' ').skip(1).collect();
    let mut wait = Background::spawn(&cli, &wait_args);
    let fds = format!("/proc/{}/fd", wait.pid());
    assert!(
        common::eventually(Duration::from_secs(10), || {
            std::fs::read_dir(&fds)
                .map(|d| {
                    d.flatten()
                        .any(|e| std::fs::read_link(e.path()).is_ok_and(|p| p == local.log))
                })
                .unwrap_or(false)
        }),
        "logs --follow never opened the log"
    );
    assert!(!run(&cli, "polycache invalidate feed --via-server").is_empty());
    assert_eq!(wait.wait(), 0, "{}", wait.stderr_text());
    checks.push(Check {
        line: wait_line.into(),
        real: format!("{}{}", wait.stdout_text(), wait.stderr_text())
            .trim_end()
            .to_string(),
        sort: false,
    });
    example(
        &mut checks,
        "polycache doctor --json | jq -c '.checks[] | select(.status != \"pass\") | {status, check, hint}'",
        false,
        &cli,
    );
    production.restart();

    // The platform's checkout: check finds the alias mismatches; graph shows both halves.
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/platform");
    let checkout = root.path().join("polymech");
    for layer in ["clean", "alias-mismatch"] {
        copy_tree(&fixtures.join(layer), &checkout);
    }
    example(&mut checks, "polycache check", false, &checkout);
    example(&mut checks, "polycache check --format compact", false, &checkout);
    let stale = root.path().join("stale");
    for layer in ["clean", "stale-in-browsers"] {
        copy_tree(&fixtures.join(layer), &stale);
    }
    let line = "cd /tmp/polymech && polycache graph pictures";
    checks.push(Check {
        line: line.into(),
        real: run(&stale, "polycache graph pictures"),
        sort: false,
    });
    let mut shown = shown;
    shown.insert(0, (stale.display().to_string(), "/tmp/polymech".into()));
    compare(&checks, &shown);
}
