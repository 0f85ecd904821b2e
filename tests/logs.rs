//! Whole-binary tests of `polycache logs` over real pino output.
//!
//! `tests/fixtures/cache.json` was written by the real `pino` package
//! (`tests/fixtures/make-pino-log.js`); expectations are computed here from that file with
//! serde_json, independently of the code under test.

mod common;

use common::tmp;

use std::collections::BTreeMap;
use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::process::Reaped;
use common::{clean_command, polycache};
use serde_json::Value;

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cache.json")
}

/// Every line of the fixture, with its JSON when it is an object.
fn fixture_lines() -> Vec<(String, Option<serde_json::Map<String, Value>>)> {
    let text = fs::read_to_string(fixture()).expect("fixture");
    text.lines()
        .map(|l| {
            let obj = serde_json::from_str::<Value>(l).ok().and_then(|v| match v {
                Value::Object(m) => Some(m),
                _ => None,
            });
            (l.to_string(), obj)
        })
        .collect()
}

fn level(m: &serde_json::Map<String, Value>) -> u64 {
    match &m["level"] {
        Value::Number(n) => n.as_u64().unwrap(),
        Value::String(s) => match s.as_str() {
            "trace" => 10,
            "debug" => 20,
            "info" => 30,
            "warn" => 40,
            "error" => 50,
            "fatal" => 60,
            other => panic!("unknown level {other}"),
        },
        other => panic!("level {other}"),
    }
}

fn time(m: &serde_json::Map<String, Value>) -> i64 {
    match &m["time"] {
        Value::Number(n) => n.as_i64().unwrap(),
        Value::String(s) => chrono::DateTime::parse_from_rfc3339(s).unwrap().timestamp_millis(),
        other => panic!("time {other}"),
    }
}

/// The fixture's JSON lines that satisfy `keep`, as `--json` must print them.
fn expected(keep: impl Fn(&serde_json::Map<String, Value>) -> bool) -> String {
    let mut out = String::new();
    for (line, obj) in fixture_lines() {
        if let Some(m) = obj
            && keep(&m)
        {
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}

/// `polycache logs FLAG ARGS... FIXTURE`, its stdout.
fn logs_with(flag: &str, args: &[&str]) -> String {
    let dir = tmp();
    let out = polycache(dir.path())
        .arg("logs")
        .arg(flag)
        .args(args)
        .arg(fixture())
        .assert()
        .success();
    String::from_utf8(out.get_output().stdout.clone()).unwrap()
}

fn logs_json(args: &[&str]) -> String {
    logs_with("--json", args)
}

/// The readable form, in UTC so the output does not depend on the machine's zone.
fn logs_pretty(args: &[&str]) -> String {
    logs_with("--utc", args)
}

fn str_field<'a>(m: &'a serde_json::Map<String, Value>, k: &str) -> Option<&'a str> {
    m.get(k).and_then(Value::as_str)
}

#[test]
fn fixture_has_what_the_tests_rely_on() {
    let lines = fixture_lines();
    let levels: std::collections::BTreeSet<u64> = lines.iter().filter_map(|(_, o)| o.as_ref().map(level)).collect();
    assert_eq!(levels.into_iter().collect::<Vec<_>>(), vec![10, 20, 30, 40, 50, 60]);
    assert!(
        lines
            .iter()
            .any(|(_, o)| o.as_ref().is_some_and(|m| m.contains_key("err")))
    );
    assert_eq!(
        lines.iter().filter(|(_, o)| o.is_none()).count(),
        2,
        "a garbage and a truncated line"
    );
    assert!(lines.last().unwrap().1.is_none(), "the last line is truncated");
}

#[test]
fn pretty_output_matches_the_snapshot() {
    let got = logs_pretty(&[]);
    let snap = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cache.pretty.txt");
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        fs::write(&snap, &got).unwrap();
    }
    let want = fs::read_to_string(&snap).unwrap_or_default();
    assert!(
        got == want,
        "pretty output differs from tests/fixtures/cache.pretty.txt; if the change is intended, \
         regenerate with `UPDATE_SNAPSHOTS=1 cargo test --test logs pretty_output_matches_the_snapshot`\n\
         --- got ---\n{got}\n--- want ---\n{want}"
    );
    // The snapshot is readable: no colour, errors with their stacks, raw lines kept.
    assert!(!got.contains('\x1b'));
    assert!(got.contains("\n  Error: connect ETIMEDOUT 203.0.113.9:443 code=ETIMEDOUT\n      at connect ("));
    assert!(got.contains("\ngarbage: not json at all\n"));
}

#[test]
fn errors_shows_exactly_the_error_and_fatal_entries() {
    assert_eq!(logs_json(&["--errors"]), expected(|m| level(m) >= 50));
    let pretty = logs_pretty(&["--errors"]);
    let heads: Vec<&str> = pretty.lines().filter(|l| l.starts_with("20")).collect();
    assert_eq!(heads.len(), 4, "{pretty}");
    assert!(
        heads
            .iter()
            .all(|l| l[24..].starts_with("ERROR") || l[24..].starts_with("FATAL"))
    );
    assert!(!pretty.contains("garbage"), "raw lines have no level: {pretty}");
}

#[test]
fn level_warn_includes_string_levels() {
    let got = logs_json(&["--level", "warn"]);
    assert_eq!(got, expected(|m| level(m) >= 40));
    assert!(
        got.contains(r#""level":"warn""#),
        "the ISO/string-level entry counts: {got}"
    );
}

#[test]
fn fields_combine() {
    let got = logs_json(&["--field", "module=mirror", "--field", "type=posts"]);
    let want = expected(|m| str_field(m, "module") == Some("mirror") && str_field(m, "type") == Some("posts"));
    assert_eq!(got, want);
    assert_eq!(want.lines().count(), 7);
    // Numbers match their text.
    assert_eq!(
        logs_json(&["--field", "status=502"]),
        expected(|m| m.get("status").and_then(Value::as_u64) == Some(502))
    );
}

#[test]
fn mirror_is_module_mirror() {
    let want = expected(|m| str_field(m, "module") == Some("mirror"));
    assert_eq!(logs_json(&["--mirror"]), want);
    assert_eq!(want.lines().count(), 12);
}

#[test]
fn grep_matches_msg_only() {
    let want = expected(|m| str_field(m, "msg").is_some_and(|s| s.contains("invalidation failed")));
    assert_eq!(logs_json(&["--grep", "invalidation f[a-z]+"]), want);
    assert_eq!(want.lines().count(), 2);
    // `mirror-eu` appears in targets, never in a msg.
    assert_eq!(logs_json(&["--grep", "mirror-eu"]), "");
}

#[test]
fn since_and_until_take_timestamps() {
    let times: Vec<i64> = fixture_lines()
        .iter()
        .filter_map(|(_, o)| o.as_ref().map(time))
        .collect();
    let (a, b) = (times[4], times[12]);
    let want = expected(|m| (a..=b).contains(&time(m)));
    assert_eq!(want.lines().count(), 9);
    assert_eq!(logs_json(&["--since", &a.to_string(), "--until", &b.to_string()]), want);
    let iso = |ms: i64| {
        chrono::DateTime::from_timestamp_millis(ms)
            .unwrap()
            .format("%Y-%m-%dT%H:%M:%S%.3fZ")
            .to_string()
    };
    assert_eq!(logs_json(&["--since", &iso(a), "--until", &iso(b)]), want);
    // A duration back from now: 100 years covers the whole fixture.
    let all = expected(|_| true);
    let recent = logs_json(&["--since", "5200w"]);
    assert_eq!(recent, all);
}

#[test]
fn since_takes_a_duration_back_from_now() {
    let dir = tmp();
    let p = dir.path().join("recent.json");
    let now = chrono::Utc::now().timestamp_millis();
    let old = format!(
        "{{\"level\":30,\"time\":{},\"msg\":\"an hour ago\"}}\n",
        now - 3_600_000
    );
    let new = format!(
        "{{\"level\":30,\"time\":{},\"msg\":\"ten minutes ago\"}}\n",
        now - 600_000
    );
    fs::write(&p, format!("{old}{new}")).unwrap();
    let out = polycache(dir.path())
        .args(["logs", "--json", "--since", "30m"])
        .arg(&p)
        .assert()
        .success();
    assert_eq!(String::from_utf8(out.get_output().stdout.clone()).unwrap(), new);
    let out = polycache(dir.path())
        .args(["logs", "--json", "--until", "0.5h"])
        .arg(&p)
        .assert()
        .success();
    assert_eq!(String::from_utf8(out.get_output().stdout.clone()).unwrap(), old);
}

#[test]
fn tail_gives_the_last_matching_entries() {
    let all = expected(|_| true);
    let last3: Vec<&str> = all
        .lines()
        .rev()
        .take(3)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    assert_eq!(logs_json(&["--tail", "3"]), format!("{}\n", last3.join("\n")));
    let fatal = logs_pretty(&["--errors", "--tail", "1"]);
    assert!(fatal.contains(" FATAL giving up "), "{fatal}");
    assert_eq!(fatal.lines().filter(|l| l.starts_with("20")).count(), 1, "{fatal}");
    // In the readable form raw lines are entries too.
    let pretty = logs_pretty(&["--tail", "2"]);
    assert!(pretty.ends_with("cache warmed\n{\"level\":30,\"time\":1795689479730,\"pid\":13210,\"msg\":\"cache wri\n"));
}

#[test]
fn json_prints_lines_unchanged_and_counts_the_rest() {
    let dir = tmp();
    let out = polycache(dir.path())
        .args(["logs", "--json"])
        .arg(fixture())
        .assert()
        .success();
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert_eq!(stdout, expected(|_| true));
    let stderr = String::from_utf8_lossy(&out.get_output().stderr);
    assert!(stderr.contains("2 line(s) were not JSON objects"), "{stderr}");
}

#[test]
fn stats_figures_come_from_the_fixture() {
    let dir = tmp();
    let out = polycache(dir.path())
        .args(["logs", "--stats", "--json"])
        .arg(fixture())
        .assert()
        .success();
    let report: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let lines = fixture_lines();
    let objs: Vec<_> = lines.iter().filter_map(|(_, o)| o.as_ref()).collect();
    assert_eq!(report["entries"], objs.len() as u64);
    assert_eq!(report["notJson"], 2);
    let mut by_level: BTreeMap<String, u64> = BTreeMap::new();
    for m in &objs {
        let name = ["trace", "debug", "info", "warn", "error", "fatal"][(level(m) / 10 - 1) as usize];
        *by_level.entry(name.to_string()).or_default() += 1;
    }
    for l in report["levels"].as_array().unwrap() {
        assert_eq!(l["count"], by_level[l["level"].as_str().unwrap()], "{l}");
    }
    assert_eq!(report["levels"].as_array().unwrap().len(), by_level.len());

    // Per mirror target, nearest-rank percentiles over durationMs.
    let mut durations: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    let mut failures: BTreeMap<String, u64> = BTreeMap::new();
    for m in objs.iter().filter(|m| str_field(m, "module") == Some("mirror")) {
        let t = str_field(m, "target").unwrap().to_string();
        durations
            .entry(t.clone())
            .or_default()
            .push(m["durationMs"].as_f64().unwrap());
        if level(m) >= 50 {
            *failures.entry(t).or_default() += 1;
        }
    }
    let mirrors = report["mirrors"].as_array().unwrap();
    assert_eq!(mirrors.len(), 2);
    for r in mirrors {
        let t = r["target"].as_str().unwrap();
        let mut d = durations[t].clone();
        d.sort_by(f64::total_cmp);
        let rank = |p: f64| d[((p * d.len() as f64).ceil() as usize).max(1) - 1];
        assert_eq!(r["durationMs"]["p50"].as_f64().unwrap(), rank(0.5), "{t}");
        assert_eq!(r["durationMs"]["p95"].as_f64().unwrap(), rank(0.95), "{t}");
        assert_eq!(r["durationMs"]["max"].as_f64().unwrap(), *d.last().unwrap(), "{t}");
        assert_eq!(r["failures"], failures[t], "{t}");
    }
    let us = mirrors
        .iter()
        .find(|m| m["target"] == "https://mirror-us.polymech.test")
        .unwrap();
    assert_eq!(us["successes"], 3);
    assert_eq!(us["errors"][0]["message"], "connect ETIMEDOUT 203.0.113.9:443");

    // The table form says the same.
    let out = polycache(dir.path())
        .args(["logs", "--stats"])
        .arg(fixture())
        .assert()
        .success();
    let text = String::from_utf8_lossy(&out.get_output().stdout);
    assert!(text.contains("https://mirror-us.polymech.test"), "{text}");
    assert!(text.contains("1× connect ETIMEDOUT 203.0.113.9:443"), "{text}");
}

#[test]
fn garbage_and_truncated_lines_are_shown_raw_never_fatal() {
    let dir = tmp();
    let p = dir.path().join("bad.json");
    let mut bytes = b"\x00\xff binary \x1b[31m\n".to_vec();
    bytes.extend_from_slice(b"[1,2,3]\n{\"level\":30,\"time\":1700000000000,\"msg\":\"fine\"}\n{\"level\":");
    fs::write(&p, bytes).unwrap();
    let out = polycache(dir.path()).args(["logs", "--utc"]).arg(&p).assert().success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert_eq!(
        text,
        "\\x00\\xff binary \\x1b[31m\n[1,2,3]\n2023-11-14 22:13:20.000 INFO  fine\n{\"level\":\n"
    );
}

/// Control sequences in any field of an entry (and in lines that are not JSON) are shown
/// escaped: nothing from the file reaches the terminal as a control character. With colour
/// on, the only escape sequences are polycache's own colours.
#[test]
fn control_characters_from_the_log_are_escaped_everywhere() {
    let dir = tmp();
    let p = dir.path().join("hostile.json");
    let lines = [
        r#"{"level":30,"time":1700000000000,"msg":"title \u001b]0;PWNED\u0007 set"}"#,
        r#"{"level":50,"time":1700000000001,"module":"mir\u001b[2Jror","type":"po\u009bsts","target":"https://m\r\u001b[1A","status":"5\u00070","durationMs":"1\u001b","msg":"x","ke\u001by":"v\u001b[31m","clean":"ok","err":{"type":"E\u001b","message":"bad\u0007","stack":"E\u001b: bad\u0007\n    at \u001b[8m(x.js:1:2)\u202e"}}"#,
        "not json \x1b]0;PWNED\x07 \u{9b}31m",
    ];
    let content = lines.join("\n") + "\n";
    fs::write(&p, content.replace("\\x1b", "\x1b").replace("\\x07", "\x07")).unwrap();
    for colour in ["never", "always"] {
        let out = polycache(dir.path())
            .args(["logs", "--utc", "--color", colour])
            .arg(&p)
            .assert()
            .success();
        let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
        // Every ESC left is the start of a colour (SGR) polycache wrote.
        let mut rest = text.as_str();
        while let Some(i) = rest.find('\u{1b}') {
            let seq = &rest[i + 1..];
            let end = seq.find('m').expect("an SGR sequence");
            assert!(
                seq.starts_with('[') && seq[1..end].bytes().all(|b| b.is_ascii_digit() || b == b';'),
                "a control sequence from the file reached the output: {text:?}"
            );
            rest = &seq[end..];
        }
        assert!(
            !text.chars().any(|c| c.is_control() && c != '\n' && c != '\u{1b}') && !text.contains('\u{202e}'),
            "{text:?}"
        );
        if colour == "never" {
            assert!(text.contains("INFO  title \\x1b]0;PWNED\\x07 set"), "{text}");
            assert!(
                text.contains("mir\\x1b[2Jror/po\\u{9b}sts → https://m\\r\\x1b[1A 5\\x070"),
                "{text}"
            );
            assert!(text.contains("ke\\x1by=\"v\\u001b[31m\" clean=ok"), "{text}");
            assert!(text.contains("E\\x1b: bad\\x07"), "{text}");
            assert!(text.contains("at \\x1b[8m(x.js:1:2)\\u{202e}"), "{text}");
            assert!(text.contains("not json \\x1b]0;PWNED\\x07 \\u{9b}31m"), "{text}");
            assert_eq!(text.lines().count(), 5, "{text}");
        }
    }
    // The --stats tables name modules and targets from the file: escaped too.
    let out = polycache(dir.path())
        .args(["logs", "--stats"])
        .arg(&p)
        .assert()
        .success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(!text.chars().any(|c| c.is_control() && c != '\n'), "{text:?}");
    assert!(text.contains("mir\\x1b[2Jror"), "{text}");
    // --json stays exact: the lines as written (JSON escapes them itself).
    let out = polycache(dir.path())
        .args(["logs", "--json"])
        .arg(&p)
        .assert()
        .success();
    assert_eq!(
        String::from_utf8(out.get_output().stdout.clone()).unwrap(),
        format!("{}\n{}\n", lines[0], lines[1])
    );
}

#[test]
fn a_ten_megabyte_line_works() {
    let dir = tmp();
    let p = dir.path().join("big.json");
    let big = "x".repeat(10 << 20);
    let mut content = String::new();
    for i in 0..3 {
        content.push_str(&format!("{{\"level\":30,\"time\":{i},\"msg\":\"before {i}\"}}\n"));
    }
    let long = format!("{{\"level\":50,\"time\":5,\"msg\":\"huge\",\"blob\":\"{big}\"}}\n");
    content.push_str(&long);
    content.push_str("{\"level\":30,\"time\":6,\"msg\":\"after\"}\n");
    fs::write(&p, &content).unwrap();
    let out = polycache(dir.path())
        .args(["logs", "--json"])
        .arg(&p)
        .assert()
        .success();
    assert!(out.get_output().stdout == content.as_bytes());
    let out = polycache(dir.path())
        .args(["logs", "--json", "--errors"])
        .arg(&p)
        .assert()
        .success();
    assert!(out.get_output().stdout == long.as_bytes());
    let out = polycache(dir.path())
        .args(["logs", "--tail", "2", "--utc"])
        .arg(&p)
        .assert()
        .success();
    let text = String::from_utf8_lossy(&out.get_output().stdout);
    assert!(text.starts_with("1970-01-01 00:00:00.005 ERROR huge  blob=xxxx"));
    assert!(text.ends_with("xxx\n1970-01-01 00:00:00.006 INFO  after\n"));
}

#[test]
fn a_file_of_many_chunks_keeps_its_order() {
    // Larger than one read chunk, so it is processed by several threads.
    let dir = tmp();
    let p = dir.path().join("many.json");
    let mut content = String::new();
    let mut errors = String::new();
    for i in 0..120_000 {
        let lvl = if i % 97 == 0 { 50 } else { 30 };
        let line = format!(
            "{{\"level\":{lvl},\"time\":{},\"pid\":1,\"hostname\":\"h\",\"module\":\"cache\",\"msg\":\"entry {i}\"}}\n",
            1_700_000_000_000i64 + i
        );
        if lvl == 50 {
            errors.push_str(&line);
        }
        content.push_str(&line);
    }
    assert!(content.len() > 8 << 20);
    fs::write(&p, &content).unwrap();
    let out = polycache(dir.path())
        .args(["logs", "--json"])
        .arg(&p)
        .assert()
        .success();
    assert!(
        out.get_output().stdout == content.as_bytes(),
        "order or content changed"
    );
    let out = polycache(dir.path())
        .args(["logs", "--json", "--errors"])
        .arg(&p)
        .assert()
        .success();
    assert!(out.get_output().stdout == errors.as_bytes());
    let out = polycache(dir.path()).args(["logs", "--utc"]).arg(&p).assert().success();
    let text = String::from_utf8_lossy(&out.get_output().stdout);
    assert_eq!(text.lines().count(), 120_000);
    assert!(text.lines().last().unwrap().ends_with("entry 119999"));
}

#[test]
fn two_files_are_merged_by_time() {
    let dir = tmp();
    let (a, b) = (dir.path().join("a.json"), dir.path().join("b.json"));
    let json: Vec<String> = fixture_lines()
        .into_iter()
        .filter(|(_, o)| o.is_some())
        .map(|(l, _)| l)
        .collect();
    let (mut fa, mut fb) = (String::new(), String::new());
    for (i, l) in json.iter().enumerate() {
        let f = if i % 3 == 0 { &mut fa } else { &mut fb };
        f.push_str(l);
        f.push('\n');
    }
    fs::write(&a, fa).unwrap();
    fs::write(&b, fb).unwrap();
    // Each line as written, with the file it came from added last.
    let with_file = |i: usize, l: &str| {
        let file = if i.is_multiple_of(3) { &a } else { &b };
        let file = Value::from(file.display().to_string());
        format!("{},\"file\":{file}}}\n", l.strip_suffix('}').unwrap())
    };
    let out = polycache(dir.path())
        .args(["logs", "--json"])
        .arg(&b)
        .arg(&a)
        .assert()
        .success();
    assert_eq!(
        String::from_utf8(out.get_output().stdout.clone()).unwrap(),
        json.iter()
            .enumerate()
            .map(|(i, l)| with_file(i, l))
            .collect::<String>()
    );
    // And the last entries of the merge.
    let out = polycache(dir.path())
        .args(["logs", "--json", "--tail", "1"])
        .arg(&a)
        .arg(&b)
        .assert()
        .success();
    assert_eq!(
        String::from_utf8(out.get_output().stdout.clone()).unwrap(),
        with_file(json.len() - 1, json.last().unwrap())
    );
}

#[test]
fn merged_lines_say_which_file_they_came_from() {
    let dir = tmp();
    fs::create_dir_all(dir.path().join("old")).unwrap();
    let entries: Vec<String> = fixture_lines()
        .into_iter()
        .filter(|(_, o)| o.is_some())
        .map(|(l, _)| l)
        .collect();
    // Every third entry in the rotated file; one of them has a `file` field of its own.
    let paths = ["cache.json", "old/cache.1.json"];
    let mut texts = [String::new(), String::new()];
    let mut from = Vec::new();
    let mut all = String::new();
    for (i, l) in entries.iter().enumerate() {
        let f = usize::from(i.is_multiple_of(3));
        let l = match i {
            3 => l.replacen("{", r#"{"file":"upload.png","#, 1),
            _ => l.clone(),
        };
        texts[f].push_str(&format!("{l}\n"));
        all.push_str(&format!("{l}\n"));
        from.push(f);
    }
    for (p, t) in paths.iter().zip(&texts) {
        fs::write(dir.path().join(p), t).unwrap();
    }
    fs::write(dir.path().join("all.json"), &all).unwrap();
    let run = |args: &[&str]| {
        let out = polycache(dir.path()).arg("logs").args(args).assert().success();
        String::from_utf8(out.get_output().stdout.clone()).unwrap()
    };

    // Readable: the same lines as from one file, each entry after its file's name (padded
    // to the longest) and the lines under an entry (an err's stack) indented as far.
    let single = run(&["--utc", "all.json"]);
    let merged = run(&["--utc", paths[0], paths[1]]);
    let labels = ["cache.json  ", "cache.1.json"];
    assert_eq!(merged.lines().count(), single.lines().count(), "{merged}");
    let mut entry = 0;
    for (m, s) in merged.lines().zip(single.lines()) {
        if s.starts_with(' ') {
            assert_eq!(m, format!("{}{s}", " ".repeat(13)));
        } else {
            assert_eq!(m, format!("{} {s}", labels[from[entry]]));
            entry += 1;
        }
    }
    assert_eq!(entry, entries.len());
    assert!(
        merged.contains("\n             ") && !merged.contains('\x1b'),
        "{merged}"
    );
    // The name is dim where colour is on.
    let coloured = run(&["--utc", "--color", "always", paths[0], paths[1]]);
    for head in [
        "\x1b[2mcache.json\x1b[0m   \x1b[2m2026-",
        "\x1b[2mcache.1.json\x1b[0m \x1b[2m2026-",
    ] {
        assert!(coloured.contains(head), "{head:?} in {coloured:?}");
    }

    // JSON: each line as written, `file` (the path as given) added last; a parser taking
    // the last of a key met twice reads ours.
    let merged = run(&["--json", paths[0], paths[1]]);
    let lines: Vec<&str> = merged.lines().collect();
    assert_eq!(lines.len(), entries.len());
    for (i, line) in lines.iter().enumerate() {
        let written = all.lines().nth(i).unwrap();
        let file = paths[from[i]];
        assert_eq!(
            *line,
            format!("{},\"file\":\"{file}\"}}", written.strip_suffix('}').unwrap())
        );
        let v: Value = serde_json::from_str(line).unwrap();
        assert_eq!(v["file"], file, "{line}");
    }

    // Two files of the same name are told apart by their paths; standard input is `stdin`.
    fs::create_dir_all(dir.path().join("eu")).unwrap();
    fs::write(dir.path().join("eu/cache.json"), &texts[1]).unwrap();
    let merged = run(&["--utc", "--tail", "2", "cache.json", "eu/cache.json"]);
    let names: Vec<&str> = merged
        .lines()
        .filter(|l| !l.starts_with(' '))
        .map(|l| l.split(' ').next().unwrap())
        .collect();
    assert_eq!(names, ["cache.json", "eu/cache.json"], "{merged}");
    let out = polycache(dir.path())
        .args(["logs", "--utc", "--tail", "1", "-", "cache.json"])
        .write_stdin(texts[1].clone())
        .assert()
        .success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(text.starts_with("stdin      2026-"), "{text}");

    // One file: no label, no field.
    assert_eq!(run(&["--utc", "all.json"]), single);
    assert!(!single.contains("all.json"));
    assert!(!run(&["--json", "all.json"]).contains("\"file\":\"all.json\""));
}

#[test]
fn stdin_is_read_with_a_dash() {
    let dir = tmp();
    let out = polycache(dir.path())
        .args(["logs", "--utc", "-"])
        .write_stdin(fs::read(fixture()).unwrap())
        .assert()
        .success();
    assert_eq!(
        String::from_utf8(out.get_output().stdout.clone()).unwrap(),
        logs_pretty(&[])
    );
    let out = polycache(dir.path())
        .args(["logs", "--json", "--tail", "1", "--errors", "-"])
        .write_stdin(fs::read(fixture()).unwrap())
        .assert()
        .success();
    assert_eq!(
        String::from_utf8(out.get_output().stdout.clone()).unwrap(),
        expected(|m| level(m) == 60)
    );
}

#[test]
fn a_pipe_is_shown_as_it_comes() {
    // `tail -f cache.json | polycache logs -`: each line shows up while the pipe stays open.
    let dir = tmp();
    let mut child = Reaped::spawn(
        clean_command(dir.path())
            .args(["logs", "--json", "-"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null()),
        "spawn polycache",
    );
    let mut stdin = child.stdin.take().unwrap();
    let seen = collect(child.stdout.take().unwrap());
    let json: Vec<String> = fixture_lines()
        .into_iter()
        .filter(|(_, o)| o.is_some())
        .map(|(l, _)| l)
        .collect();
    for (i, line) in json.iter().take(3).enumerate() {
        writeln!(stdin, "{line}").unwrap();
        stdin.flush().unwrap();
        wait_for(&seen, i + 1);
    }
    drop(stdin);
    assert!(child.wait().unwrap().success());
    assert_eq!(*seen.lock().unwrap(), json[..3].to_vec());
}

#[test]
fn default_file_is_cache_log() {
    let dir = tmp();
    fs::create_dir_all(dir.path().join("server/logs")).unwrap();
    fs::copy(fixture(), dir.path().join("server/logs/cache.json")).unwrap();
    let out = polycache(dir.path()).args(["logs", "--json"]).assert().success();
    assert_eq!(
        String::from_utf8(out.get_output().stdout.clone()).unwrap(),
        expected(|_| true)
    );
    polycache(dir.path())
        .args(["logs", "--log-file", "missing.json"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("missing.json"));
}

#[test]
fn colour_only_when_asked() {
    let out = logs_pretty(&["--color", "always", "--errors"]);
    assert!(out.contains("\x1b[31mERROR\x1b[0m"), "{out}");
}

#[test]
fn bad_filters_are_usage_errors_naming_the_input() {
    let dir = tmp();
    for (args, needle) in [
        (vec!["--field", "nokey"], "nokey"),
        (vec!["--since", "yesterday"], "yesterday"),
        (vec!["--until", "5x"], "5x"),
        (vec!["--grep", "(unclosed"], "(unclosed"),
        (vec!["--level", "loud"], "loud"),
    ] {
        polycache(dir.path())
            .arg("logs")
            .args(&args)
            .arg(fixture())
            .assert()
            .code(2)
            .stderr(predicates::str::contains(needle));
    }
}

/// `polycache ARGS FILE` in `dir`, stdout and stderr piped, killed and reaped on drop.
fn logs_child(dir: &Path, args: &[&str], file: &Path) -> Reaped {
    Reaped::spawn(
        clean_command(dir)
            .args(args)
            .arg(file)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped()),
        "spawn polycache",
    )
}

/// Lines the child printed so far, gathered by a thread.
fn collect(stdout: std::process::ChildStdout) -> Arc<Mutex<Vec<String>>> {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = Arc::clone(&seen);
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            s.lock().unwrap().push(line);
        }
    });
    seen
}

fn wait_for(seen: &Arc<Mutex<Vec<String>>>, count: usize) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if seen.lock().unwrap().len() >= count {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let seen = seen.lock().unwrap();
    panic!(
        "timed out waiting for {count} lines; got {}, the last: {:?}",
        seen.len(),
        seen.last()
    );
}

#[test]
fn follow_survives_rotation_and_truncation() {
    let dir = tmp();
    let p = dir.path().join("cache.json");
    fs::write(&p, "").unwrap();
    let mut child = logs_child(dir.path(), &["logs", "--follow", "--from-start", "--json"], &p);
    let seen = collect(child.stdout.take().unwrap());
    let line = |i: usize| {
        format!(
            "{{\"level\":30,\"time\":{},\"msg\":\"line {i}\"}}",
            1_700_000_000_000i64 + i as i64
        )
    };
    let mut written = Vec::new();
    let append = |path: &Path, i: usize, written: &mut Vec<String>| {
        let mut f = fs::OpenOptions::new().append(true).create(true).open(path).unwrap();
        writeln!(f, "{}", line(i)).unwrap();
        written.push(line(i));
    };

    // Appends, one of them written in two halves.
    for i in 0..4 {
        append(&p, i, &mut written);
    }
    {
        let mut f = fs::OpenOptions::new().append(true).open(&p).unwrap();
        let l = line(4);
        f.write_all(&l.as_bytes()[..10]).unwrap();
        f.flush().unwrap();
        std::thread::sleep(Duration::from_millis(250));
        writeln!(f, "{}", &l[10..]).unwrap();
        written.push(l);
    }
    wait_for(&seen, 5);

    // Rotation: the file is renamed away (a last line lands in it), a new one is created.
    let old = dir.path().join("cache.json.1");
    fs::rename(&p, &old).unwrap();
    append(&old, 5, &mut written);
    fs::write(&p, "").unwrap();
    for i in 6..9 {
        append(&p, i, &mut written);
    }
    wait_for(&seen, 9);

    // Truncation: the same file cut to nothing and written again.
    let f = fs::OpenOptions::new().write(true).open(&p).unwrap();
    f.set_len(0).unwrap();
    drop(f);
    for i in 9..11 {
        append(&p, i, &mut written);
    }
    wait_for(&seen, 11);
    std::thread::sleep(Duration::from_millis(300));

    // Ctrl-C ends it cleanly.
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    let code = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if Instant::now() > deadline {
            panic!("--follow did not stop on SIGINT");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(code.success(), "{code:?}");
    let mut got = seen.lock().unwrap().clone();
    let mut want = written.clone();
    got.sort();
    want.sort();
    assert_eq!(got, want, "every line exactly once");
}

/// Reading errors are named as such, with the path: a directory without logs, or among
/// several files, is refused plainly, and a pipe (FIFO) is read as its lines come rather
/// than failing to seek.
#[test]
fn a_directory_or_a_pipe_is_named_plainly() {
    let dir = tmp();
    let logs = dir.path().join("logs");
    fs::create_dir(&logs).unwrap();
    let out = polycache(dir.path()).arg("logs").arg(&logs).assert().code(1);
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(
        err.contains(&format!("cannot read {}: it holds no log file", logs.display())),
        "{err}"
    );
    assert!(!err.contains("write"), "{err}");
    let out = polycache(dir.path())
        .arg("logs")
        .arg(fixture())
        .arg(&logs)
        .assert()
        .code(1);
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(
        err.contains(&format!("cannot read {}: it is a directory", logs.display())),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "hint: pass the log file inside it, e.g. {}",
            logs.join("cache.json").display()
        )),
        "{err}"
    );
    assert!(!err.contains("write"), "{err}");

    let fifo = dir.path().join("pipe");
    assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    // --tail needs the end of a file: refused at once, without waiting for a writer.
    polycache(dir.path())
        .args(["logs", "--follow", "--tail", "2"])
        .arg(&fifo)
        .timeout(Duration::from_secs(10))
        .assert()
        .code(2)
        .stderr(predicates::str::contains(format!(
            "cannot seek {}: it is a pipe",
            fifo.display()
        )));
    let mut child = logs_child(dir.path(), &["logs", "--follow", "--from-start", "--json"], &fifo);
    let lines: Vec<String> = (0..3)
        .map(|i| format!("{{\"level\":30,\"time\":{i},\"msg\":\"piped {i}\"}}"))
        .collect();
    {
        let mut w = fs::OpenOptions::new().write(true).open(&fifo).unwrap();
        for l in &lines {
            writeln!(w, "{l}").unwrap();
        }
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            Instant::now() < deadline,
            "--follow on a pipe did not end when the pipe closed"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stdout = String::new();
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stdout.take().unwrap(), &mut stdout).unwrap();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(status.success(), "{status:?} {stderr}");
    assert_eq!(stdout, lines.join("\n") + "\n", "{stderr}");
    assert!(stderr.contains("is a pipe"), "{stderr}");
}

/// Sends SIGINT and waits for a clean exit.
fn interrupt(child: &mut Reaped) {
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(s) = child.try_wait().unwrap() {
            assert!(s.success(), "{s:?}");
            return;
        }
        assert!(Instant::now() < deadline, "--follow did not stop on SIGINT");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A file truncated and written again past the old position between two polls: every new
/// line is shown (none skipped by reading on from the old position), and stderr says what
/// happened.
#[test]
fn follow_sees_a_truncation_that_regrew_past_the_old_position() {
    let dir = tmp();
    let p = dir.path().join("cache.json");
    let line = |generation: usize, i: usize| {
        format!(
            "{{\"level\":30,\"time\":{},\"msg\":\"generation {generation} line {i} {}\"}}",
            1_700_000_000_000i64 + i as i64,
            "x".repeat(i % 17)
        )
    };
    let old: String = (1..=400).map(|i| line(1, i) + "\n").collect();
    fs::write(&p, &old).unwrap();
    let mut child = logs_child(dir.path(), &["logs", "--follow", "--from-start", "--json"], &p);
    let seen = collect(child.stdout.take().unwrap());
    let errors = collect_err(child.stderr.take().unwrap());
    wait_for(&seen, 400);
    // Cut and written again in one go (microseconds, well within one poll), longer than
    // before: reading on from the old position would skip the new lines 1 to ~400.
    let new: String = (1..=598).map(|i| line(2, i) + "\n").collect();
    assert!(new.len() > old.len());
    {
        let mut f = fs::File::create(&p).unwrap();
        f.write_all(new.as_bytes()).unwrap();
    }
    wait_for(&seen, 400 + 598);
    std::thread::sleep(Duration::from_millis(300));
    interrupt(&mut child);
    let got = seen.lock().unwrap().clone();
    let want: Vec<String> = old.lines().chain(new.lines()).map(str::to_string).collect();
    assert_eq!(got.len(), want.len());
    assert!(got == want, "every line once, in order");
    let errors = errors.lock().unwrap().join("\n");
    assert!(
        errors.contains("was truncated") && errors.contains("reading it again from its start"),
        "{errors}"
    );
}

/// Lines of stderr, gathered by a thread.
fn collect_err(stderr: std::process::ChildStderr) -> Arc<Mutex<Vec<String>>> {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = Arc::clone(&seen);
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            s.lock().unwrap().push(line);
        }
    });
    seen
}

/// Bytes the process has read so far (`rchar` of /proc/PID/io).
fn bytes_read(pid: u32) -> u64 {
    fs::read_to_string(format!("/proc/{pid}/io"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("rchar: ").map(|v| v.trim().parse().unwrap_or(0)))
        })
        .unwrap_or(0)
}

/// A 64 MiB line without its newline under --follow: memory stays far below the line's
/// size (it is held cut to 4 MiB), and once its newline comes it is shown cut, with the
/// count of the bytes left out, and the next line after it.
#[test]
fn follow_holds_a_huge_unterminated_line_in_bounded_memory() {
    const LINE: usize = 64 << 20;
    let dir = tmp();
    let p = dir.path().join("cache.json");
    let mut content = b"{\"level\":30,\"time\":1,\"msg\":\"before\"}\n{\"level\":30,\"msg\":\"".to_vec();
    content.resize(LINE, b'y');
    fs::write(&p, &content).unwrap();
    let mut child = Reaped::spawn(
        clean_command(dir.path())
            .args(["logs", "--follow", "--from-start", "--utc"])
            .arg(&p)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped()),
        "spawn polycache",
    );
    let seen = collect(child.stdout.take().unwrap());
    let errors = collect_err(child.stderr.take().unwrap());
    let pid = child.id();
    let deadline = Instant::now() + Duration::from_secs(30);
    while bytes_read(pid) < content.len() as u64 {
        assert!(Instant::now() < deadline, "the file was not read");
        std::thread::sleep(Duration::from_millis(20));
    }
    // The newline arrives, then a last entry.
    {
        let mut f = fs::OpenOptions::new().append(true).open(&p).unwrap();
        f.write_all(b"\"}\n{\"level\":30,\"time\":2,\"msg\":\"after\"}\n")
            .unwrap();
    }
    wait_for(&seen, 3);
    let peak = common::rss::peak(pid).expect("the process runs");
    interrupt(&mut child);
    let lines = seen.lock().unwrap().clone();
    eprintln!(
        "peak RSS following a {} MiB line: {:.1} MiB",
        LINE >> 20,
        peak as f64 / 1048576.0
    );
    assert!(peak < 40 << 20, "peak RSS {peak} bytes for a {LINE}-byte line");
    assert_eq!(lines[0], "1970-01-01 00:00:00.001 INFO  before");
    let total = content.len() + 2 - "{\"level\":30,\"time\":1,\"msg\":\"before\"}\n".len();
    let more = total - (4 << 20);
    assert!(
        lines[1].starts_with("{\"level\":30,\"msg\":\"yyyy"),
        "{}",
        &lines[1][..40]
    );
    assert!(
        lines[1].ends_with(&format!("yyyy … (+{more} bytes)")),
        "{}",
        &lines[1][lines[1].len() - 60..]
    );
    assert_eq!(lines[2], "1970-01-01 00:00:00.002 INFO  after");
    let errors = errors.lock().unwrap().join("\n");
    assert!(
        errors.contains("1 line(s) longer than 4 MiB shown cut to their first 4 MiB"),
        "{errors}"
    );
}

/// A pipe read with `-` holds a long line cut too: its start is shown with the count of
/// the bytes left out, and the lines around it are whole.
#[test]
fn a_long_line_from_a_pipe_is_shown_cut() {
    let dir = tmp();
    let mut input = b"{\"level\":30,\"time\":1,\"msg\":\"before\"}\n".to_vec();
    let long_start = input.len();
    input.extend_from_slice(b"{\"level\":30,\"msg\":\"");
    input.resize(long_start + (5 << 20), b'z');
    input.extend_from_slice(b"\"}\n{\"level\":30,\"time\":2,\"msg\":\"after\"}\n");
    let long_len = input.len() - long_start - b"\n{\"level\":30,\"time\":2,\"msg\":\"after\"}\n".len();
    let out = polycache(dir.path())
        .args(["logs", "--utc", "-"])
        .write_stdin(input)
        .assert()
        .success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0], "1970-01-01 00:00:00.001 INFO  before");
    assert!(lines[1].ends_with(&format!("zzz … (+{} bytes)", long_len - (4 << 20))));
    assert_eq!(
        lines[1].len(),
        (4 << 20) + format!(" … (+{} bytes)", long_len - (4 << 20)).len()
    );
    assert_eq!(lines[2], "1970-01-01 00:00:00.002 INFO  after");
    let err = String::from_utf8_lossy(&out.get_output().stderr);
    assert!(
        err.contains("1 line(s) too long to hold (over 4 MiB from a pipe"),
        "{err}"
    );
}

/// Reading a file (not following it), a line longer than 16 MiB is held cut too, read
/// forwards or backwards (`--tail`): memory stays below the line's size, and the line is
/// shown cut with the count of the bytes left out, between whole neighbours; `--json`
/// leaves it out and says so.
#[test]
fn a_huge_line_in_a_file_is_read_in_bounded_memory() {
    const LINE: usize = 96 << 20;
    let dir = tmp();
    let p = dir.path().join("cache.json");
    let before = b"{\"level\":30,\"time\":1,\"msg\":\"before\"}\n";
    let after = b"\n{\"level\":30,\"time\":2,\"msg\":\"after\"}\n";
    let mut content = before.to_vec();
    content.extend_from_slice(b"{\"level\":30,\"msg\":\"");
    content.resize(before.len() + LINE, b'w');
    content.extend_from_slice(after);
    fs::write(&p, &content).unwrap();
    drop(content);
    let more = LINE - (16 << 20);
    for (json, tail) in [(false, false), (true, false), (false, true)] {
        let mut cmd = clean_command(dir.path());
        cmd.args(["logs", "--utc"]);
        if json {
            cmd.arg("--json");
        }
        if tail {
            // Read backwards from the end: the long line is found, not held.
            cmd.args(["--tail", "2"]);
        }
        let mut child = Reaped::spawn(
            cmd.arg(&p).stdout(Stdio::piped()).stderr(Stdio::piped()),
            "spawn polycache",
        );
        let sampler = common::rss::Sampler::start(child.id());
        let seen = collect(child.stdout.take().unwrap());
        let errors = collect_err(child.stderr.take().unwrap());
        assert!(child.wait().unwrap().success());
        let peak = sampler.max();
        eprintln!(
            "peak RSS reading a file with a {} MiB line: {:.1} MiB",
            LINE >> 20,
            peak as f64 / 1048576.0
        );
        // Well below the line's size (it was held two or three times over before).
        assert!(peak < 64 << 20, "peak RSS {peak} bytes for a {LINE}-byte line");
        std::thread::sleep(Duration::from_millis(100));
        let lines = seen.lock().unwrap().clone();
        let errors = errors.lock().unwrap().join("\n");
        assert!(errors.contains("1 line(s) too long to hold"), "{errors}");
        if tail {
            assert_eq!(lines.len(), 2);
            assert!(lines[0].starts_with("{\"level\":30,\"msg\":\"www"));
            assert!(lines[0].ends_with(&format!("www … (+{more} bytes)")));
            assert_eq!(lines[1], "1970-01-01 00:00:00.002 INFO  after");
        } else if json {
            assert_eq!(lines.len(), 2);
            assert!(errors.contains("were cut short and left out"), "{errors}");
        } else {
            assert_eq!(lines.len(), 3);
            assert_eq!(lines[0], "1970-01-01 00:00:00.001 INFO  before");
            assert!(lines[1].starts_with("{\"level\":30,\"msg\":\"www"));
            assert!(
                lines[1].ends_with(&format!("www … (+{more} bytes)")),
                "{}",
                &lines[1][lines[1].len() - 40..]
            );
            assert_eq!(lines[2], "1970-01-01 00:00:00.002 INFO  after");
        }
    }
}

/// Files merged by time hold a long line cut too, in order among the others.
#[test]
fn merged_files_hold_a_long_line_cut() {
    let dir = tmp();
    let a = dir.path().join("a.json");
    let b = dir.path().join("b.json");
    let mut long = b"{\"level\":30,\"time\":2,\"msg\":\"".to_vec();
    long.resize(20 << 20, b'v');
    let more = long.len() + 2 - (16 << 20);
    let mut content = b"{\"level\":30,\"time\":1,\"msg\":\"a1\"}\n".to_vec();
    content.extend_from_slice(&long);
    content.extend_from_slice(b"\"}\n{\"level\":30,\"time\":5,\"msg\":\"a5\"}\n");
    fs::write(&a, content).unwrap();
    fs::write(&b, "{\"level\":30,\"time\":3,\"msg\":\"b3\"}\n").unwrap();
    for tail in [None, Some("2")] {
        let mut cmd = polycache(dir.path());
        cmd.args(["logs", "--utc"]);
        if let Some(n) = tail {
            cmd.args(["--tail", n]);
        }
        let out = cmd.arg(&a).arg(&b).assert().success();
        let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let cut = lines
            .iter()
            .position(|l| l.ends_with(&format!("vvv … (+{more} bytes)")));
        match tail {
            None => {
                assert_eq!(lines.len(), 4);
                assert_eq!(lines[0], "a.json 1970-01-01 00:00:00.001 INFO  a1");
                assert_eq!(cut, Some(1));
                assert!(lines[1].starts_with("a.json "), "{}", &lines[1][..40]);
                assert_eq!(lines[2], "b.json 1970-01-01 00:00:00.003 INFO  b3");
            }
            Some(_) => {
                assert_eq!(lines.len(), 2);
                assert_eq!(lines[0], "b.json 1970-01-01 00:00:00.003 INFO  b3");
            }
        }
        assert_eq!(lines.last(), Some(&"a.json 1970-01-01 00:00:00.005 INFO  a5"));
    }
}

#[test]
fn a_null_status_is_not_printed_and_an_empty_log_says_there_is_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("cache.json");
    std::fs::write(
        &log,
        "{\"level\":50,\"time\":1795689479549,\"module\":\"mirror\",\"msg\":\"mirror failed\",\"target\":\"https://m\",\"status\":null}\n",
    )
    .unwrap();
    let out = polycache(dir.path()).arg("logs").arg(&log).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("→ https://m  mirror failed") && !text.contains("null"),
        "{text}"
    );
    let empty = dir.path().join("empty.json");
    std::fs::write(&empty, "").unwrap();
    let out = polycache(dir.path())
        .args(["logs", "--stats"])
        .arg(&empty)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text, "nothing to count: the log has no entries\n");
}

#[test]
fn stats_name_the_mirrors_polycache_names_names() {
    let dir = tempfile::tempdir().unwrap();
    let log = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/cache.json");
    let out = polycache(dir.path())
        .env("POLYCACHE_NAMES", "eu=https://mirror-eu.polymech.test")
        .args(["logs", "--stats", log])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("eu (https://mirror-eu.polymech.test)"), "{text}");
    assert!(text.contains("failed eu: 1× upstream answered 502"), "{text}");
    let out = polycache(dir.path())
        .env("POLYCACHE_NAMES", "eu=https://mirror-eu.polymech.test")
        .args(["--json", "logs", "--stats", log])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let eu = v["mirrors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "eu")
        .expect("named");
    assert_eq!(eu["target"], "https://mirror-eu.polymech.test");
}

#[test]
fn follow_starts_with_the_last_entries_like_tail_f() {
    let dir = tmp();
    let p = dir.path().join("cache.json");
    let line = |i: usize| {
        format!(
            "{{\"level\":30,\"time\":{},\"msg\":\"line {i}\"}}",
            1_700_000_000_000i64 + i as i64
        )
    };
    let old: String = (1..=30).map(|i| line(i) + "\n").collect();
    fs::write(&p, &old).unwrap();
    for (args, first, count) in [
        (vec!["logs", "--follow", "--json"], 21, 10),
        (vec!["logs", "-f", "-n", "3", "--json"], 28, 3),
        (vec!["logs", "--follow", "--from-start", "--json"], 1, 30),
    ] {
        let mut child = logs_child(dir.path(), &args, &p);
        let seen = collect(child.stdout.take().unwrap());
        wait_for(&seen, count);
        // Then what is appended.
        let mut f = fs::OpenOptions::new().append(true).open(&p).unwrap();
        writeln!(f, "{}", line(99)).unwrap();
        drop(f);
        wait_for(&seen, count + 1);
        std::thread::sleep(Duration::from_millis(200));
        interrupt(&mut child);
        let got = seen.lock().unwrap().clone();
        let want: Vec<String> = (first..=30).chain([99]).map(line).collect();
        assert_eq!(got, want, "{args:?}");
        // Put the file back as it was for the next run.
        fs::write(&p, &old).unwrap();
    }
}

/// Compressed logs read as the plain one, recognised by their first bytes (not their
/// names): gzip with two members (as `cat a.gz b.gz` makes, by the gzip program), zstd (by
/// the zstd program), xz and bzip2 with two streams each (made with the crates), each from
/// a file and from standard input; every form of output agrees with the plain file's, and
/// merging compressed halves agrees with merging the plain halves.
#[test]
fn compressed_logs_read_like_the_plain_one() {
    let dir = tmp();
    let plain = fs::read(fixture()).unwrap();
    let cut = plain.len() / 2 + plain[plain.len() / 2..].iter().position(|b| *b == b'\n').unwrap() + 1;
    let gzip = |bytes: &[u8]| -> Vec<u8> {
        let mut child = Command::new("gzip")
            .arg("-c")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("gzip");
        let mut stdin = child.stdin.take().unwrap();
        let bytes = bytes.to_vec();
        let feeder = std::thread::spawn(move || stdin.write_all(&bytes));
        let out = child.wait_with_output().unwrap();
        feeder.join().unwrap().unwrap();
        out.stdout
    };
    let xz = |bytes: &[u8]| -> Vec<u8> {
        let mut e = liblzma::write::XzEncoder::new(Vec::new(), 6);
        e.write_all(bytes).unwrap();
        e.finish().unwrap()
    };
    let bzip2 = |bytes: &[u8]| -> Vec<u8> {
        let mut e = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::best());
        e.write_all(bytes).unwrap();
        e.finish().unwrap()
    };
    let two = |f: &dyn Fn(&[u8]) -> Vec<u8>| -> Vec<u8> {
        let mut v = f(&plain[..cut]);
        v.extend(f(&plain[cut..]));
        v
    };
    let zst = dir.path().join("cache.log");
    let st = Command::new("zstd")
        .args(["-q", "-f", "-o"])
        .arg(&zst)
        .arg(fixture())
        .status()
        .expect("zstd must be installed (.ci/run installs it)");
    assert!(st.success());
    // Misleading names on purpose: the first bytes decide.
    let mut inputs: Vec<(&str, PathBuf)> = vec![("zstd", zst)];
    for (name, file, bytes) in [
        ("gzip", "cache.json.1", two(&gzip)),
        ("xz", "cache.json.gz", two(&xz)),
        ("bzip2", "cache.2.json", two(&bzip2)),
    ] {
        let p = dir.path().join(file);
        fs::write(&p, bytes).unwrap();
        inputs.push((name, p));
    }
    let run = |args: &[&str], input: &Path, stdin: Option<Vec<u8>>| -> String {
        let mut cmd = polycache(dir.path());
        cmd.args(["logs", "--no-pager", "--utc"]).args(args);
        match stdin {
            Some(bytes) => {
                cmd.arg("-").write_stdin(bytes);
            }
            None => {
                cmd.arg(input);
            }
        }
        let out = cmd.output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    for args in [
        &[][..],
        &["--errors"][..],
        &["--tail", "3"][..],
        &["--grep", "mirror"][..],
        &[
            "--since",
            "2026-11-26T10:37:59.650Z",
            "--until",
            "2026-11-26T10:37:59.700Z",
        ][..],
        &["--json", "--mirror"][..],
        &["--json", "--stats"][..],
    ] {
        let want = run(args, &fixture(), None);
        assert!(!want.is_empty(), "{args:?}");
        for (name, p) in &inputs {
            assert_eq!(run(args, p, None), want, "{name} {args:?}");
            assert_eq!(
                run(args, p, Some(fs::read(p).unwrap())),
                want,
                "{name} on stdin {args:?}"
            );
        }
    }
    // Merged: the plain halves, and the same halves compressed in two forms.
    let (a, b) = (dir.path().join("a.json"), dir.path().join("b.json"));
    fs::write(&a, &plain[..cut]).unwrap();
    fs::write(&b, &plain[cut..]).unwrap();
    let (axz, bbz) = (dir.path().join("a.xz"), dir.path().join("b.bz2"));
    fs::write(&axz, xz(&plain[..cut])).unwrap();
    fs::write(&bbz, bzip2(&plain[cut..])).unwrap();
    let merged = |x: &Path, y: &Path, tail: &[&str]| {
        let out = polycache(dir.path())
            .args(["--json", "logs"])
            .args(tail)
            .arg(x)
            .arg(y)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        // The file field names the file: compare without it.
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| {
                let mut v: serde_json::Map<String, Value> = serde_json::from_str(l).unwrap();
                v.remove("file");
                serde_json::to_string(&v).unwrap()
            })
            .collect::<Vec<_>>()
    };
    for tail in [&[][..], &["--tail", "4"][..]] {
        let want = merged(&a, &b, tail);
        assert!(!want.is_empty());
        assert_eq!(merged(&axz, &bbz, tail), want, "{tail:?}");
    }
    let out = polycache(dir.path())
        .args(["logs", "--follow"])
        .arg(&inputs[1].1)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("it is compressed"));
}

/// `--since` on a file finds its start by binary search (reading a line per probe) instead
/// of reading the whole file; the output must be exactly the full scan's. Random files with
/// lines up to 2 s out of order, lines without a time, lines that are not JSON, a huge line
/// and a torn last line; many random `--since`/`--until` pairs, each compared with the same
/// file read from a pipe (which cannot seek, so it is read whole). A file in random order
/// falls back to reading it whole, with the same output.
#[test]
fn since_by_seeking_gives_exactly_the_full_scans_output() {
    let mut rng = common::Rng::seeded("LOGS_SEEK_SEED");
    let dir = tmp();
    let t0: i64 = 1_790_000_000_000;
    let mut cases = 0;
    for shuffled in [false, false, true] {
        // ~2 MB: big enough to be searched, small enough to scan many times.
        let mut lines: Vec<String> = Vec::new();
        let mut t = t0;
        for i in 0..12_000u64 {
            t += rng.below(400) as i64;
            let jitter = rng.below(2000) as i64; // up to 2 s out of order
            let line = match rng.below(100) {
                0 => "not json at all".to_string(),
                1 => format!("{{\"level\":30,\"msg\":\"no time {i}\"}}"),
                2 if i == 5000 => format!(
                    "{{\"level\":30,\"time\":{},\"msg\":\"{}\"}}",
                    t - jitter,
                    "x".repeat(3 << 20)
                ),
                _ => format!(
                    "{{\"level\":{},\"time\":{},\"pid\":1,\"hostname\":\"h\",\"module\":\"cache\",\"type\":\"posts\",\"msg\":\"line {i}\"}}",
                    [30, 40, 50][rng.below(3) as usize],
                    t - jitter
                ),
            };
            lines.push(line);
        }
        if shuffled {
            for i in (1..lines.len()).rev() {
                let j = rng.below(i as u64 + 1) as usize;
                lines.swap(i, j);
            }
        }
        let mut text = lines.join("\n");
        text.push_str("\n{\"level\":30,\"time\":17"); // torn last line
        let path = dir.path().join(format!("log-{shuffled}-{cases}.json"));
        fs::write(&path, &text).unwrap();
        let end = t;
        for _ in 0..12 {
            let since = t0 + rng.below((end - t0 + 20_000) as u64) as i64 - 10_000;
            let until = (rng.below(3) == 0).then(|| since + rng.below(600_000) as i64);
            let mut args = vec![
                "logs".to_string(),
                "--no-pager".into(),
                "--utc".into(),
                "--since".into(),
                since.to_string(),
            ];
            if let Some(u) = until {
                args.extend(["--until".to_string(), u.to_string()]);
            }
            let seeked = polycache(dir.path()).args(&args).arg(&path).output().unwrap();
            let piped = polycache(dir.path())
                .args(&args)
                .arg("-")
                .write_stdin(text.clone())
                .output()
                .unwrap();
            assert!(seeked.status.success());
            assert_eq!(
                String::from_utf8_lossy(&seeked.stdout),
                String::from_utf8_lossy(&piped.stdout),
                "{args:?} (replay with the LOGS_SEEK_SEED printed above)"
            );
            cases += 1;
        }
    }
    eprintln!("{cases} cases");
}

/// Filters that match nothing say so instead of printing nothing, and `--grep` says what it
/// looks at.
#[test]
fn filters_that_match_nothing_say_so() {
    let dir = tmp();
    let out = polycache(dir.path())
        .args(["logs", "--no-pager", "--grep", "lamp", "--level", "warn"])
        .arg(fixture())
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    // The note names the filters as they were typed.
    assert!(
        err.contains("no entry matched --level warn --grep 'lamp'") && err.contains("msg field only"),
        "{err}"
    );
    let out = polycache(dir.path())
        .args(["logs", "--no-pager", "--since", "2000-01-01", "--until", "2000-01-02"])
        .arg(fixture())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no entry matched --since 2000-01-01 --until 2000-01-02") && !err.contains("msg field"),
        "{err}"
    );
    let out = polycache(dir.path())
        .args(["logs", "--no-pager", "--errors"])
        .arg(fixture())
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&out.stderr).contains("no entry matched"));
}

/// A rotated set in either naming scheme is read as one log in time order, whatever each
/// file's compression; with `--since`/`--until`, files outside the window are skipped: the
/// oldest one is a dangling link (opening it fails) and the one after `--until` is a
/// compressed file cut short after its first line (reading it through fails), and neither
/// causes an error when the window leaves them out, while both do when it does not.
#[test]
fn rotated_sets_read_in_time_order_and_skip_files_outside_the_window() {
    use std::io::Write as _;
    const DAY: i64 = 86_400_000;
    const HOUR: i64 = 3_600_000;
    let t0: i64 = 1_795_000_000_000;
    // Day d's lines, d = 0 the oldest; every third an error.
    let line = |d: i64, i: i64| {
        format!(
            r#"{{"level":{},"time":{},"pid":7,"msg":"day {d} hour {i}"}}"#,
            if i % 3 == 0 { 50 } else { 30 },
            t0 + d * DAY + i * HOUR
        )
    };
    let day = |d: i64| -> Vec<u8> { (0..24).map(|i| line(d, i) + "\n").collect::<String>().into_bytes() };
    let gz = |b: &[u8]| {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(b).unwrap();
        e.finish().unwrap()
    };
    let xz = |b: &[u8]| {
        let mut e = liblzma::write::XzEncoder::new(Vec::new(), 1);
        e.write_all(b).unwrap();
        e.finish().unwrap()
    };
    let bz = |b: &[u8]| {
        let mut e = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
        e.write_all(b).unwrap();
        e.finish().unwrap()
    };
    let zst = |b: &[u8]| zstd::encode_all(b, 1).unwrap();
    // Day 3's file: its first line whole (one gzip member), the rest cut short.
    let cut_short = || {
        let bytes = day(3);
        let first = bytes.iter().position(|b| *b == b'\n').unwrap() + 1;
        let mut v = gz(&bytes[..first]);
        let rest = gz(&bytes[first..]);
        v.extend_from_slice(&rest[..rest.len() / 2]);
        v
    };
    let expect = |keep: &dyn Fn(i64, i64) -> bool| -> String {
        (0..6)
            .flat_map(|d| (0..24).map(move |i| (d, i)))
            .filter(|&(d, i)| keep(d, i))
            .map(|(d, i)| line(d, i) + "\n")
            .collect()
    };
    let when = |ms: i64| chrono::DateTime::from_timestamp_millis(ms).unwrap().to_rfc3339();
    // (scheme, name of each day's file 0..=5 with its bytes, the live file to name)
    type Files = Vec<(String, Vec<u8>)>;
    let schemes: Vec<(&str, Files)> = vec![
        (
            "logrotate",
            vec![
                ("cache.json.5.gz".into(), gz(&day(0))),
                ("cache.json.4.xz".into(), xz(&day(1))),
                ("cache.json.3".into(), bz(&day(2))),
                ("cache.json.2.gz".into(), cut_short()),
                ("cache.json.1".into(), day(4)),
                ("cache.json".into(), day(5)),
            ],
        ),
        (
            "pino-roll",
            vec![
                ("cache.1.json".into(), zst(&day(0))),
                ("cache.2.json".into(), day(1)),
                ("cache.3.json.bz2".into(), bz(&day(2))),
                ("cache.4.json.gz".into(), cut_short()),
                ("cache.5.json".into(), xz(&day(4))),
                ("cache.6.json".into(), day(5)),
            ],
        ),
    ];
    for (scheme, files) in schemes {
        let dir = tmp();
        let logs = dir.path().join("logs");
        fs::create_dir(&logs).unwrap();
        for (name, bytes) in &files {
            fs::write(logs.join(name), bytes).unwrap();
        }
        let live = logs.join("cache.json");
        let run = |args: &[&str], target: &Path| {
            polycache(dir.path())
                .args(["--json", "logs"])
                .args(args)
                .arg(target)
                .output()
                .unwrap()
        };
        let ok = |args: &[&str], target: &Path| -> (String, String) {
            let out = run(args, target);
            assert!(
                out.status.success(),
                "{scheme} {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            (
                String::from_utf8(out.stdout).unwrap(),
                String::from_utf8(out.stderr).unwrap(),
            )
        };
        // Whole and whole: day 3's file is cut short, so reading everything fails, naming it.
        let out = run(&["--rotated"], &live);
        assert_eq!(out.status.code(), Some(1), "{scheme}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(&files[3].0),
            "{scheme}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        // Up to day 2: day 3's file is after --until (only its first line is read).
        let until = t0 + 2 * DAY + 23 * HOUR;
        let (got, _) = ok(&["--rotated", "--until", &until.to_string()], &live);
        assert_eq!(got, expect(&|d, _| d <= 2), "{scheme}: --until");
        // A directory as FILE is its set.
        let (got, _) = ok(&["--until", &until.to_string()], &logs);
        assert_eq!(got, expect(&|d, _| d <= 2), "{scheme}: directory");
        // Day 0's file becomes a link to nothing: opening it would fail.
        fs::remove_file(logs.join(&files[0].0)).unwrap();
        std::os::unix::fs::symlink(dir.path().join("gone"), logs.join(&files[0].0)).unwrap();
        let out = run(&["--rotated", "--until", &until.to_string()], &live);
        assert_eq!(out.status.code(), Some(1), "{scheme}: the dangling link is read");
        // Days 1.5 to 2.5: day 0 is not opened, day 3 not read through, days 4 and 5 skipped.
        let (since, until) = (t0 + DAY + 12 * HOUR, t0 + 2 * DAY + 12 * HOUR);
        let (got, notes) = ok(
            &[
                "-v",
                "--rotated",
                "--since",
                &since.to_string(),
                "--until",
                &until.to_string(),
            ],
            &live,
        );
        let in_window = |d: i64, i: i64| (since..=until).contains(&(t0 + d * DAY + i * HOUR));
        assert_eq!(got, expect(&in_window), "{scheme}: window");
        assert!(!got.is_empty());
        assert!(
            notes.contains(&format!("{}: skipped, not opened", files[0].0)),
            "{scheme}: {notes}"
        );
        assert!(notes.contains(&format!("{}: read", files[1].0)), "{scheme}: {notes}");
        assert!(notes.contains(&format!("{}: read", files[2].0)), "{scheme}: {notes}");
        assert!(
            notes.contains(&format!(
                "{}: skipped: its first entry ({}) is after --until",
                files[3].0,
                when(t0 + 3 * DAY).replace("+00:00", ".000Z")
            )),
            "{scheme}: {notes}"
        );
        assert!(
            notes.contains("6 file(s), 2 read, 4 skipped (1 not opened)"),
            "{scheme}: {notes}"
        );
        // The errors of the last 5 across the set, from days 4 and 5, day 3 left out by --since.
        let (got, _) = ok(
            &[
                "--rotated",
                "--errors",
                "--tail",
                "12",
                "--since",
                &(t0 + 4 * DAY).to_string(),
            ],
            &live,
        );
        let errors_from_4 = expect(&|d, i| d >= 4 && i % 3 == 0);
        assert_eq!(got.lines().count(), 12, "{scheme}");
        let want: Vec<&str> = errors_from_4.lines().skip(4).collect();
        assert_eq!(got.lines().collect::<Vec<_>>(), want, "{scheme}: --tail");
    }
}

/// `--follow --rotated` starts with the last entries across the set (here two come from the
/// newest rotated file, compressed, and one from the live file), then shows what is
/// appended to the live file.
#[test]
fn follow_rotated_starts_across_the_set_then_follows_the_live_file() {
    use std::io::Write as _;
    let dir = tmp();
    let line = |i: i64| {
        format!(
            r#"{{"level":30,"time":{},"msg":"line {i}"}}"#,
            1_795_000_000_000 + i * 1000
        )
    };
    let text = |r: std::ops::Range<i64>| r.map(|i| line(i) + "\n").collect::<String>();
    fs::write(dir.path().join("cache.json.2"), text(0..5)).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(text(5..10).as_bytes()).unwrap();
    fs::write(dir.path().join("cache.json.1.gz"), gz.finish().unwrap()).unwrap();
    let live = dir.path().join("cache.json");
    fs::write(&live, text(10..11)).unwrap();
    let mut child = logs_child(dir.path(), &["--json", "logs", "--rotated", "-f", "-n", "3"], &live);
    let seen = collect(child.stdout.take().unwrap());
    wait_for(&seen, 3);
    let mut f = fs::OpenOptions::new().append(true).open(&live).unwrap();
    writeln!(f, "{}", line(11)).unwrap();
    drop(f);
    wait_for(&seen, 4);
    interrupt(&mut child);
    let got = seen.lock().unwrap().clone();
    assert_eq!(got, (8..12).map(line).collect::<Vec<_>>());
}

/// SIGTERM (a service manager, `timeout 60 polycache logs -f`) ends `--follow` as Ctrl-C
/// does: what was read is shown, exit 0, instead of dying by the signal.
#[test]
fn follow_ends_cleanly_on_sigterm() {
    let dir = tmp();
    let log = dir.path().join("cache.json");
    fs::write(&log, "{\"level\":30,\"time\":1764547200000,\"msg\":\"first\"}\n").unwrap();
    let mut follow =
        common::process::Background::spawn(dir.path(), &["logs", "--follow", "--utc", log.to_str().unwrap()]);
    let lines = follow.wait_lines(1);
    assert!(lines[0].contains("first"), "{lines:?}");
    assert!(follow.process().signal("TERM"));
    assert_eq!(follow.wait(), 0, "{}", follow.stderr_text());
}

/// `logs --follow` takes the follow driver's limits and exit rule, as `tail` does: with
/// `--count N` it stops after exactly N new entries (exit 0), even when more came in one
/// write; `--timeout` before the count is reached exits 1 and says so; without `--follow`
/// the limits are a usage error.
#[test]
fn follow_stops_at_its_count_or_its_timeout() {
    let dir = tmp();
    let log = dir.path().join("cache.json");
    fs::write(&log, "").unwrap();
    let entry = |n: u32| format!("{{\"level\":30,\"time\":1764547200000,\"msg\":\"entry {n}\"}}\n");
    let path = log.to_str().unwrap().to_string();
    let mut follow = common::process::Background::spawn(
        dir.path(),
        &["logs", "--follow", "--utc", "--count", "2", "--timeout", "20s", &path],
    );
    // Once it has the file open (what is there then is the backlog, not counted), three
    // entries in one write.
    let fds = format!("/proc/{}/fd", follow.pid());
    assert!(
        common::eventually(Duration::from_secs(10), || {
            fs::read_dir(&fds)
                .map(|d| d.flatten().any(|e| fs::read_link(e.path()).is_ok_and(|p| p == log)))
                .unwrap_or(false)
        }),
        "the log was never opened"
    );
    fs::write(&log, format!("{}{}{}", entry(1), entry(2), entry(3))).unwrap();
    assert_eq!(follow.wait(), 0, "{}", follow.stderr_text());
    let out = follow.stdout_text();
    assert!(out.contains("entry 1") && out.contains("entry 2"), "{out}");
    assert!(!out.contains("entry 3"), "one entry past the count: {out}");

    // The three entries already there are shown first and not counted.
    let mut short = common::process::Background::spawn(
        dir.path(),
        &["logs", "--follow", "--count", "5", "--timeout", "1s", &path],
    );
    assert_eq!(short.wait(), 1, "{}", short.stderr_text());
    assert!(short.stdout_text().contains("entry 3"), "{}", short.stdout_text());
    assert!(
        short
            .stderr_text()
            .contains("--timeout came before --count 5: 0 of 5 entries"),
        "{}",
        short.stderr_text()
    );
    let out = polycache(dir.path())
        .args(["logs", "--count", "1", &path])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--count and --timeout limit --follow"));
}
