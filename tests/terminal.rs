//! What a person sees: every table-printing command run in a real pseudo-terminal (made by
//! util-linux `script`), colour on as a terminal gets it by default, and the screen
//! checked the way an eye would: in every table, the column separators of every row stand
//! in the same display columns. Colour codes that count as width break exactly this.

mod common;

use common::tmp;

use std::process::{Command, Stdio};

use common::node::{Mode, Node, NodeConfig, PASSWORD};
use common::services::RedisServer;
use common::{bin, inherited_settings};
use unicode_width::UnicodeWidthChar;

/// Runs polycache with `args` in a pseudo-terminal of `cols` columns (`None`: a terminal
/// nobody sized, as `script` makes it), colour left to polycache's own detection. Returns
/// what the terminal received, colour codes and all.
fn in_pty(cwd: &std::path::Path, cols: Option<u16>, env: &[(&str, &str)], args: &[&str]) -> String {
    let out = pty_command(cwd, cols, env, args)
        .output()
        .expect("util-linux `script` must be installed");
    String::from_utf8_lossy(&out.stdout).to_string()
}

/// The `script` command of [`in_pty`]; no pager setting of the caller's environment comes
/// through.
fn pty_command(cwd: &std::path::Path, cols: Option<u16>, env: &[(&str, &str)], args: &[&str]) -> Command {
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
        .env_remove("PAGER")
        .env_remove("LESS")
        .env_remove("LV")
        .stdin(Stdio::null());
    for k in inherited_settings() {
        cmd.env_remove(k);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
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

#[test]
fn config_and_graph_tables_line_up_on_a_colour_terminal() {
    let dir = tmp();
    for cols in [Some(150), Some(60), None] {
        let out = in_pty(dir.path(), cols, &[], &["graph"]);
        assert_tables_aligned(&format!("graph at {cols:?} columns"), &out, 1);
    }
    for cols in [Some(150), None] {
        let out = in_pty(dir.path(), cols, &[], &["config"]);
        assert_tables_aligned(&format!("config at {cols:?} columns"), &out, 1);
    }
    // At 60 columns config's paths and URLs cannot fit whole in a table: records instead.
    let narrow = strip_ansi(&in_pty(dir.path(), Some(60), &[], &["config"]));
    assert!(
        narrow.contains("variable: POLYCACHE_URL") && narrow.contains("value:    http://localhost:3333"),
        "{narrow}"
    );
    // A terminal of unknown size does not squeeze cells to a character per line.
    let screen = strip_ansi(&in_pty(dir.path(), None, &[], &["config"]));
    assert!(
        screen.contains("POLYCACHE_URL") && screen.contains("http://localhost:3333"),
        "{screen}"
    );
}

#[test]
fn invalidate_and_doctor_tables_line_up_on_a_colour_terminal() {
    let node = Node::memory();
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
    let node = Node::start(&NodeConfig::new(Mode::Redis(&redis)));
    drop(node); // its demo data stays in Redis
    let dir = tmp();
    let env = [("REDIS_URL", redis.url())];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let out = in_pty(dir.path(), Some(150), &env, &["redis", "stats"]);
    assert_tables_aligned("redis stats", &out, 1);
    let out = in_pty(dir.path(), Some(150), &env, &["redis", "keys"]);
    assert_tables_aligned("redis keys", &out, 1);
    // A hash is shown as a table of its fields; a deletion as a table of types.
    let port = redis.url().rsplit(':').next().unwrap().to_string();
    let hset = Command::new("redis-cli")
        .args([
            "-p",
            &port,
            "hset",
            "cache:posts:h",
            "title",
            "A \u{1b}[31mred\u{1b}[0m title",
            "n",
            "7",
        ])
        .output()
        .unwrap();
    assert!(hset.status.success());
    let out = in_pty(dir.path(), Some(150), &env, &["redis", "get", "cache:posts:h"]);
    assert_tables_aligned("redis get (hash)", &out, 1);
    let out = in_pty(
        dir.path(),
        Some(150),
        &env,
        &["redis", "del", "--type", "pictures", "--cascade", "--yes"],
    );
    assert_tables_aligned("redis del", &out, 1);

    let log = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/cache.json");
    let out = in_pty(dir.path(), Some(150), &[], &["logs", "--stats", log]);
    assert_tables_aligned("logs --stats", &out, 2);
}

/// `check` draws no table: each finding is `file:line:col: kind`, its message, and the
/// source line with carets under the finding. On a colour terminal of 60 and 150 columns
/// the carets stand under the token at the finding's column, and no line is wider than the
/// terminal (a long source line is cut around the finding, with `…`).
#[test]
fn check_underlines_the_right_column_and_fits_the_terminal() {
    let dir = tmp();
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
    let long = format!(
        "import {{ appCache }} from '../cache.js';\nconst padding = '{}'; appCache.notify('postz'); const more = '{}';\n",
        "x".repeat(120),
        "y".repeat(120)
    );
    std::fs::write(tree.path().join("server/src/products/long.ts"), &long).unwrap();
    let root = tree.path().to_string_lossy().to_string();
    let header = regex::Regex::new(r"^(\S+):(\d+):(\d+): ").unwrap();
    let width = |s: &str| s.chars().map(|c| c.width().unwrap_or(0)).sum::<usize>();
    for cols in [60usize, 150] {
        let raw = in_pty(dir.path(), Some(cols as u16), &[], &["check", "--root", &root]);
        let screen = strip_ansi(&raw);
        assert!(
            raw.contains('\x1b'),
            "{cols}: no colour reached the terminal:\n{screen}"
        );
        let lines: Vec<&str> = screen.lines().collect();
        for l in &lines {
            assert!(
                width(l) <= cols,
                "{cols}: a line wider than the terminal: {l:?}\n{screen}"
            );
        }
        let mut checked = 0;
        for (i, l) in lines.iter().enumerate() {
            let Some(c) = header.captures(l) else { continue };
            let (file, n, col) = (&c[1], &c[2], c[3].parse::<usize>().unwrap());
            let gutter = format!("{n} | ");
            let src = (i + 1..lines.len())
                .find(|&j| lines[j].starts_with(&gutter))
                .unwrap_or_else(|| panic!("{cols}: no excerpt under {l:?}:\n{screen}"));
            let shown: Vec<char> = lines[src][gutter.len()..].chars().collect();
            let carets = &lines[src + 1][gutter.len()..];
            let at = width(&carets[..carets.find('^').expect(carets)]);
            let len = carets.matches('^').count();
            // The characters under the carets, by display column.
            let (mut x, mut under) = (0, String::new());
            for ch in &shown {
                if x >= at && x < at + len {
                    under.push(*ch);
                }
                x += ch.width().unwrap_or(0);
            }
            let text = std::fs::read_to_string(tree.path().join(file)).unwrap();
            let line: String = text.lines().nth(n.parse::<usize>().unwrap() - 1).unwrap().to_string();
            let from_col: String = line.chars().skip(col - 1).collect();
            assert!(
                !under.is_empty() && from_col.starts_with(under.trim_end_matches('…')),
                "{cols}: carets under {under:?}, but {file}:{n}:{col} is {from_col:?}\n{screen}"
            );
            checked += 1;
        }
        assert_eq!(checked, 3, "{cols}: findings with an excerpt:\n{screen}");
        // The 290-character line is shown cut, both ends.
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("2 | …") && l.ends_with('…') && l.contains("notify('postz')")),
            "{cols}: the long line is not cut around its finding:\n{screen}"
        );
    }
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

/// [`in_pty`] at 150 columns, with the exit code; a run that has not ended after 30 s (a
/// pager waiting for a key) is killed and fails the test.
fn in_pty_status(cwd: &std::path::Path, env: &[(&str, &str)], args: &[&str]) -> (String, Option<i32>) {
    let mut child = pty_command(cwd, Some(150), env, args)
        .stdout(Stdio::piped())
        .spawn()
        .expect("util-linux `script` must be installed");
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = std::io::Read::read_to_end(&mut stdout, &mut buf);
        buf
    });
    let start = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > std::time::Duration::from_secs(30) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{args:?} still running after 30 s");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let out = reader.join().unwrap();
    (String::from_utf8_lossy(&out).to_string(), status.code())
}

/// A pager that keeps what it is given in `pager.sh.got` and the LESS it saw in
/// `pager.sh.less`, beside itself, and shows nothing.
fn recording_pager(dir: &std::path::Path) -> String {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join("pager.sh");
    std::fs::write(
        &path,
        "#!/bin/sh\nprintf '%s' \"$LESS\" > \"$0.less\"\ncat > \"$0.got\"\n",
    )
    .unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path.display().to_string()
}

#[test]
fn logs_goes_through_the_pager_on_a_terminal() {
    let dir = tmp();
    let pager = recording_pager(dir.path());
    let got = dir.path().join("pager.sh.got");
    let less = dir.path().join("pager.sh.less");
    let log = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/cache.json");
    // What the pager must receive: the coloured lines, as a terminal gets them.
    let out = common::polycache(dir.path())
        .args(["logs", "--utc", "--color", "always", log])
        .output()
        .unwrap();
    let coloured = out.stdout;
    assert!(coloured.contains(&b'\x1b'));

    let (screen, code) = in_pty_status(dir.path(), &[("PAGER", &pager)], &["logs", "--utc", log]);
    assert_eq!(code, Some(0), "{screen}");
    assert_eq!(std::fs::read(&got).expect("the pager ran"), coloured);
    assert_eq!(std::fs::read_to_string(&less).unwrap(), "FRX", "LESS for the pager");
    assert!(!strip_ansi(&screen).contains("cache invalidated"), "{screen}");

    // POLYCACHE_PAGER comes before PAGER; a LESS of the user's is kept.
    std::fs::remove_file(&got).unwrap();
    let (_, code) = in_pty_status(
        dir.path(),
        &[("PAGER", "false"), ("POLYCACHE_PAGER", &pager), ("LESS", "-i")],
        &["logs", "--utc", log],
    );
    assert_eq!(code, Some(0));
    assert_eq!(std::fs::read(&got).expect("POLYCACHE_PAGER ran"), coloured);
    assert_eq!(std::fs::read_to_string(&less).unwrap(), "-i");
}

#[test]
fn no_pager_when_asked_or_when_the_output_is_not_for_reading_on_the_terminal() {
    let dir = tmp();
    let pager = recording_pager(dir.path());
    let got = dir.path().join("pager.sh.got");
    let log = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/cache.json");
    for (env, args) in [
        (vec![("PAGER", pager.as_str())], vec!["logs", "--no-pager", log]),
        (
            vec![("PAGER", pager.as_str()), ("POLYCACHE_PAGER", "")],
            vec!["logs", log],
        ),
        (
            vec![("PAGER", pager.as_str()), ("POLYCACHE_PAGER", "cat")],
            vec!["logs", log],
        ),
        (vec![("PAGER", "cat")], vec!["logs", log]),
        (vec![("PAGER", pager.as_str())], vec!["logs", "--json", log]),
    ] {
        let (screen, code) = in_pty_status(dir.path(), &env, &args);
        assert_eq!(code, Some(0), "{env:?} {args:?}: {screen}");
        assert!(!got.exists(), "{env:?} {args:?}: the pager ran");
        assert!(
            strip_ansi(&screen).contains("cache invalidated"),
            "{env:?} {args:?}: {screen}"
        );
    }
    // Straight to the terminal, the lines are coloured as they are for the pager.
    let (screen, _) = in_pty_status(dir.path(), &[], &["logs", "--no-pager", log]);
    assert!(screen.contains("\x1b[2m2026-11-26"), "{screen}");
    // Not a terminal: nothing changes.
    let out = common::polycache(dir.path())
        .env("PAGER", &pager)
        .env_remove("POLYCACHE_PAGER")
        .args(["logs", log])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("cache invalidated"));
    assert!(!got.exists(), "the pager ran without a terminal");
}

#[test]
fn a_pager_quit_before_the_end_is_not_an_error() {
    let dir = tmp();
    // Far more than a pipe holds, so that polycache is still writing when the pager quits.
    let log = dir.path().join("big.json");
    let mut text = String::new();
    for i in 0..20_000 {
        text.push_str(&format!("{{\"level\":30,\"time\":{i},\"msg\":\"entry {i}\"}}\n"));
    }
    std::fs::write(&log, text).unwrap();
    let log = log.display().to_string();
    let (screen, code) = in_pty_status(dir.path(), &[("PAGER", "head -n 2")], &["logs", "--utc", &log]);
    assert_eq!(code, Some(0), "{screen}");
    let screen = strip_ansi(&screen);
    assert_eq!(screen.trim_end().lines().count(), 2, "{screen}");
    assert!(screen.contains("entry 1") && !screen.contains("entry 2\n"), "{screen}");
    assert!(!screen.contains("error"), "{screen}");
}

#[test]
fn the_default_pager_shows_a_short_log_and_returns() {
    // No PAGER: less -R with LESS=FRX, which quits at once when the log fits the screen
    // (or, where less is not installed, no pager at all): the lines are on the terminal
    // either way, and the run ends by itself.
    let dir = tmp();
    let log = dir.path().join("short.json");
    std::fs::write(
        &log,
        "{\"level\":30,\"time\":0,\"msg\":\"first\"}\n{\"level\":50,\"time\":1,\"msg\":\"second\"}\n",
    )
    .unwrap();
    let (screen, code) = in_pty_status(dir.path(), &[], &["logs", "--utc", &log.display().to_string()]);
    assert_eq!(code, Some(0), "{screen}");
    let screen = strip_ansi(&screen);
    assert!(screen.contains("1970-01-01 00:00:00.000 INFO  first"), "{screen}");
    assert!(screen.contains("1970-01-01 00:00:00.001 ERROR second"), "{screen}");
}

/// A pager that cannot start (`PAGER=nonexistent`: the shell exits 127) loses nothing: the
/// output comes to the terminal after a warning that names it.
#[test]
fn a_pager_that_cannot_start_gives_the_output_back() {
    let dir = tmp();
    let log = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/cache.json");
    let (screen, code) = in_pty_status(dir.path(), &[("PAGER", "nonexistent-pager")], &["logs", "--utc", log]);
    assert_eq!(code, Some(0), "{screen}");
    let text = strip_ansi(&screen);
    assert!(
        text.contains("warning: the pager `nonexistent-pager` could not start (exit 127)"),
        "{text}"
    );
    let lines = text.lines().filter(|l| l.contains("cache invalidated")).count();
    let want = std::fs::read_to_string(log)
        .unwrap()
        .lines()
        .filter(|l| l.contains("\"cache invalidated\""))
        .count();
    assert!(want > 0);
    assert_eq!(lines, want, "every line reached the terminal: {text}");
}

/// Colour by the ecosystem's rules, the same for polycache's output and for clap's help:
/// CLICOLOR_FORCE colours a pipe, NO_COLOR wins over it, TERM=dumb and CLICOLOR=0 turn a
/// terminal's colour off, `--color never --help` has no escape sequence.
#[test]
fn colour_follows_clicolor_no_color_term_and_the_flag() {
    let dir = tmp();
    let has_esc = |s: &[u8]| s.contains(&0x1b);
    let piped = |env: &[(&str, &str)], args: &[&str]| {
        let mut cmd = common::clean_command(dir.path());
        cmd.env_remove("NO_COLOR").args(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.output().unwrap().stdout
    };
    assert!(
        has_esc(&piped(&[("CLICOLOR_FORCE", "1")], &["graph", "feed"])),
        "CLICOLOR_FORCE colours a pipe"
    );
    assert!(!has_esc(&piped(
        &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")],
        &["graph", "feed"]
    )));
    assert!(
        !has_esc(&piped(&[], &["graph", "feed"])),
        "a pipe has no colour by default"
    );

    let tty = |env: &[(&str, &str)], args: &[&str]| in_pty(dir.path(), Some(100), env, args);
    assert!(tty(&[], &["graph", "feed"]).contains('\x1b'), "a terminal gets colour");
    for env in [[("TERM", "dumb")], [("CLICOLOR", "0")]] {
        let out = tty(&env, &["graph", "feed"]);
        assert!(!out.contains("\x1b["), "{env:?}: {out:?}");
    }
    assert!(
        tty(&[], &["--help"]).contains("\x1b["),
        "help is coloured on a terminal"
    );
    let help = tty(&[], &["--color", "never", "--help"]);
    assert!(!help.contains("\x1b["), "{help:?}");
    let help = tty(&[("TERM", "dumb")], &["--help"]);
    assert!(!help.contains("\x1b["), "{help:?}");
}

/// The words in the tables of a screen (the text of every row, box characters removed).
fn table_words(screen: &str) -> std::collections::BTreeSet<String> {
    strip_ansi(screen)
        .lines()
        .filter(|l| l.contains('│'))
        .flat_map(|l| {
            l.split(|c: char| SEP.contains(c) || c.is_whitespace())
                .filter(|w| !w.is_empty())
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect()
}

/// At 80 columns no table cuts a word (`picture`/`s,`, `producti`/`on`): every word a table
/// shows there is one it shows at 200 columns; empty columns are not drawn; a table that
/// cannot fit without cutting a word is shown as records (one `header: value` block per row).
#[test]
fn tables_never_cut_a_word_at_80_columns_and_become_records_when_they_cannot_fit() {
    let dir = tmp();
    let wide = in_pty(dir.path(), Some(200), &[], &["demo"]);
    let narrow = in_pty(dir.path(), Some(80), &[], &["demo"]);
    let (wide_words, narrow_words) = (table_words(&wide), table_words(&narrow));
    let cut: Vec<&String> = narrow_words
        .iter()
        .filter(|w| !wide_words.contains(*w) && w.chars().any(char::is_alphanumeric))
        .collect();
    // Timings differ between runs: only words, not durations, must match.
    let cut: Vec<&&String> = cut
        .iter()
        .filter(|w| !w.ends_with("ms") && !w.starts_with('#'))
        .collect();
    assert!(
        cut.is_empty(),
        "words cut at 80 columns: {cut:?}\n{}",
        strip_ansi(&narrow)
    );
    let screen = strip_ansi(&narrow);
    assert!(screen.contains("pictures,"), "{screen}");
    assert!(
        !screen.contains("┆ error"),
        "an empty error column is not drawn:\n{screen}"
    );
    assert_tables_aligned("demo at 80", &narrow, 2);

    let tiny = strip_ansi(&in_pty(dir.path(), Some(60), &[], &["demo"]));
    assert!(
        tiny.contains("cleared:     pictures, posts, pages, feed"),
        "the invalidation table as records at 60 columns:\n{tiny}"
    );
}

/// The words of a screen as a person reads them: split at spaces and box lines, a header's
/// trailing `:` (records) dropped. Durations and clock times are left out: they differ
/// between runs.
fn screen_words(screen: &str) -> std::collections::BTreeSet<String> {
    let duration = regex::Regex::new(r"^([<~]?[0-9.,]+(µs|ms|s|m|h)\)?,?|\d\d:\d\d:\d\d(\.\d+)?)$").unwrap();
    screen
        .lines()
        .flat_map(|l| {
            l.split(|c: char| SEP.contains(c) || BOX.contains(c) || c.is_whitespace() || "─═".contains(c))
                .map(|w| w.trim_end_matches(':').to_string())
                .collect::<Vec<_>>()
        })
        .filter(|w| w.chars().any(char::is_alphanumeric) && !duration.is_match(w))
        .collect()
}

/// Every table of a screen aligned (none required: a table may have become records).
fn tables_aligned(what: &str, raw: &str) {
    assert_tables_aligned(what, raw, 0);
}

/// Runs `args` at 200, 120, 80 and 60 columns with colour on and checks what a person sees
/// at each: no line longer than the terminal (the terminal would wrap it wherever the edge
/// falls, inside a word), every table aligned (or shown as records), and no word, number or
/// URL that is not also on the 200-column screen (a cut `picture`/`s,` makes two words that
/// are not). `same` lists words that may differ between runs besides durations (ids, ports).
fn fits_every_width(what: &str, run: &dyn Fn(u16) -> String, varies: &dyn Fn(&str) -> bool) {
    let wide = run(200);
    tables_aligned(&format!("{what} at 200"), &wide);
    let wide_words = screen_words(&strip_ansi(&wide));
    for cols in [120u16, 80, 60] {
        let raw = run(cols);
        let screen = strip_ansi(&raw);
        assert!(raw.contains('\x1b'), "{what} at {cols}: no colour:\n{screen}");
        for line in screen.lines() {
            let width: usize = line.chars().map(|c| c.width().unwrap_or(0)).sum();
            assert!(
                width <= cols as usize,
                "{what} at {cols} columns: a line of {width} columns, which the terminal cuts:\n{line}\n\nwhole screen:\n{screen}"
            );
        }
        tables_aligned(&format!("{what} at {cols}"), &raw);
        let cut: Vec<String> = screen_words(&screen)
            .into_iter()
            .filter(|w| !wide_words.contains(w) && !varies(w))
            .collect();
        assert!(
            cut.is_empty(),
            "{what} at {cols} columns: words not on the wide screen (cut?): {cut:?}\n{screen}\n\nat 200:\n{}",
            strip_ansi(&wide)
        );
    }
}

#[test]
fn graph_config_check_and_logs_fit_every_width() {
    let dir = tmp();
    let no_change = |_: &str| false;
    for args in [vec!["graph"], vec!["graph", "pictures"], vec!["config"]] {
        fits_every_width(
            &args.join(" "),
            &|cols| in_pty(dir.path(), Some(cols), &[], &args),
            &no_change,
        );
    }
    let log = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/cache.json");
    fits_every_width(
        "logs --stats",
        &|cols| in_pty(dir.path(), Some(cols), &[], &["logs", "--stats", "--utc", log]),
        &no_change,
    );
    let tree = tmp();
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/platform");
    for layer in ["clean", "alias-mismatch", "stale-in-browsers"] {
        common::copy_tree(&fixtures.join(layer), tree.path());
    }
    let root = tree.path().to_string_lossy().to_string();
    // A source line wider than the terminal is cut by check itself, around the finding,
    // and says so with `…` (`mirrors…`): those pieces are not on the wide screen by design.
    fits_every_width(
        "check",
        &|cols| in_pty(dir.path(), Some(cols), &[], &["check", "--root", &root]),
        &|w: &str| w.starts_with('…') || w.ends_with('…'),
    );
}

#[test]
fn invalidate_doctor_and_redis_fit_every_width() {
    let redis = RedisServer::start();
    let node = Node::start(&NodeConfig::new(Mode::Redis(&redis)));
    let dir = tmp();
    let redis_url = redis.url();
    let env = [
        ("SERVICE_EMAIL", common::node::EMAIL),
        ("SERVICE_PASSWORD", PASSWORD),
        ("REDIS_URL", redis_url.as_str()),
    ];
    // The same node each time: only durations and event ids (`#6`) differ between runs.
    let no_change = |w: &str| w.starts_with('#');
    let base = node.base.clone();
    fits_every_width(
        "invalidate",
        &|cols| {
            in_pty(
                dir.path(),
                Some(cols),
                &env,
                &["invalidate", "pictures", "--url", &base],
            )
        },
        &no_change,
    );
    fits_every_width(
        "invalidate --verify",
        &|cols| {
            in_pty(
                dir.path(),
                Some(cols),
                &env,
                &["invalidate", "pictures", "--url", &base, "--verify"],
            )
        },
        &no_change,
    );
    // A mirror that refuses connections: an error row, a hint under the table.
    let dead = format!("http://127.0.0.1:{}", common::free_port());
    fits_every_width(
        "invalidate with an error",
        &|cols| {
            in_pty(
                dir.path(),
                Some(cols),
                &env,
                &[
                    "invalidate",
                    "posts",
                    "--mirror",
                    "--url",
                    &base,
                    "--mirrors",
                    &dead,
                    "--retries",
                    "0",
                ],
            )
        },
        &no_change,
    );
    // A stream that stays silent past --stream-timeout: a warning row and its hint.
    fits_every_width(
        "doctor",
        &|cols| {
            in_pty(
                dir.path(),
                Some(cols),
                &env,
                &[
                    "doctor",
                    "--url",
                    &base,
                    "--mirrors",
                    &dead,
                    "--stream-timeout",
                    "200ms",
                ],
            )
        },
        &no_change,
    );
    for args in [vec!["redis", "stats"], vec!["redis", "keys"]] {
        fits_every_width(
            &args.join(" "),
            &|cols| in_pty(dir.path(), Some(cols), &env, &args),
            &no_change,
        );
    }
}

#[test]
fn demo_fits_every_width() {
    let dir = tmp();
    // Each run starts its own nodes: ports, directories and times differ between runs.
    let varies = |w: &str| w.chars().any(|c| c.is_ascii_digit());
    fits_every_width("demo", &|cols| in_pty(dir.path(), Some(cols), &[], &["demo"]), &varies);
}

/// A progress bar shows for work that lasts (a target that takes 1.5 s to answer) and is
/// gone when the table comes; work of a few milliseconds shows none (no flash).
#[test]
fn a_progress_bar_shows_only_for_work_that_lasts() {
    let fast = Node::memory();
    let mut cfg = NodeConfig::new(Mode::Memory);
    cfg.extra_args = vec!["--delay-ms".into(), "1500".into()];
    let slow = Node::start(&cfg);
    let dir = tmp();
    let env = [("SERVICE_EMAIL", common::node::EMAIL), ("SERVICE_PASSWORD", PASSWORD)];
    let bar = "invalidating [";
    // A run that took less than 300 ms in all (the pty and the process start included) shows
    // no bar. On a machine so loaded that a run takes longer, the bar is right to show: such a
    // run says nothing, and the next is tried.
    let mut fast_runs = 0;
    for _ in 0..10 {
        let start = std::time::Instant::now();
        let out = in_pty(
            dir.path(),
            Some(100),
            &env,
            &["invalidate", "posts", "--url", &fast.base],
        );
        let took = start.elapsed();
        assert!(strip_ansi(&out).contains("ok 200"), "{out:?}");
        if took < std::time::Duration::from_millis(300) {
            assert!(!out.contains(bar), "a bar flashed for a run of {took:?}:\n{out:?}");
            fast_runs += 1;
            if fast_runs == 3 {
                break;
            }
        }
    }
    assert!(
        fast_runs > 0,
        "no run took less than 300 ms: the machine is too loaded to tell"
    );
    let out = in_pty(
        dir.path(),
        Some(100),
        &env,
        &["invalidate", "posts", "--url", &slow.base],
    );
    assert!(out.contains(bar), "no bar while waiting 1.5 s:\n{out:?}");
    let screen = strip_ansi(&out);
    assert!(!screen.contains(bar), "the bar stayed on screen:\n{screen}");
    assert!(screen.contains("ok 200"), "{screen}");
}

/// Ctrl-C in the middle of `invalidate` on a terminal (one target cleared, one hanging): the
/// progress bar that was showing is cleared, the table says what each target did, and the
/// exit code is 130.
#[test]
fn ctrl_c_mid_invalidate_clears_the_bar_and_shows_the_table() {
    let hang = common::peer::Peer::hanging();
    let local = Node::memory();
    let dir = tmp();
    let env = [("SERVICE_EMAIL", common::node::EMAIL), ("SERVICE_PASSWORD", PASSWORD)];
    let mut cmd = pty_command(
        dir.path(),
        Some(120),
        &env,
        &[
            "invalidate",
            "posts",
            "--mirror",
            "--url",
            &local.base,
            "--mirrors",
            &hang.base,
        ],
    );
    let mut child = cmd.stdout(Stdio::piped()).spawn().expect("script");
    // What the terminal receives, read as it comes.
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let reader = {
        let (seen, mut stdout) = (seen.clone(), child.stdout.take().unwrap());
        std::thread::spawn(move || {
            use std::io::Read;
            let mut buf = [0u8; 4096];
            while let Ok(n) = stdout.read(&mut buf) {
                if n == 0 {
                    break;
                }
                seen.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        })
    };
    let shown = |what: &str| String::from_utf8_lossy(&seen.lock().unwrap()).contains(what);
    // The local node cleared, the mirror hanging, and the bar on screen (after 300 ms).
    assert!(
        common::eventually(std::time::Duration::from_secs(10), || !local
            .entry_types()
            .contains(&"posts".to_string())
            && shown("invalidating [")),
        "local never cleared, or no bar"
    );
    let port = hang.base.rsplit(':').next().unwrap().to_string();
    // As Ctrl-C does: SIGINT to polycache itself (not to `script` around it).
    let sent = Command::new("pkill")
        .args([
            "-INT",
            "-f",
            &format!("^\\S*polycache invalidate posts .*127.0.0.1:{port}"),
        ])
        .status()
        .unwrap();
    assert!(sent.success(), "no polycache process to interrupt");
    let status = child.wait().unwrap();
    reader.join().unwrap();
    let raw = String::from_utf8_lossy(&seen.lock().unwrap()).into_owned();
    let screen = strip_ansi(&raw);
    assert!(!screen.contains("invalidating ["), "the bar stayed:\n{screen}");
    assert!(screen.contains("interrupted before it answered"), "{screen}");
    assert!(screen.contains("ok 200"), "{screen}");
    assert_eq!(status.code(), Some(130), "{screen}");
}

/// Ctrl-C as a person presses it, in tmux: the terminal echoes `^C` and sends SIGINT. The
/// progress bar (drawn to the full width by indicatif, the cursor left at the edge) must
/// still be cleared: the echo used to wrap onto a new line, and clearing the bar cleared
/// that line instead, leaving the bar above the report.
#[test]
fn a_real_ctrl_c_leaves_no_progress_bar_on_screen() {
    let hang = common::peer::Peer::hanging();
    let local = Node::memory();
    let dir = tmp();
    let tmux = common::tmux::Tmux::start(
        dir.path(),
        (60, 30),
        true,
        &[("SERVICE_EMAIL", common::node::EMAIL), ("SERVICE_PASSWORD", PASSWORD)],
    );
    let run = format!(
        "{} invalidate posts --mirror --url {} --mirrors {}; echo exited-$?",
        bin().display(),
        local.base,
        hang.base
    );
    tmux.send(&[&run, "Enter"]);
    tmux.wait("the bar", |s| s.contains("invalidating ["));
    tmux.send(&["C-c"]);
    let screen = tmux.wait("the end", |s| s.contains("exited-130"));
    assert!(screen.contains("interrupted before it answered"), "{screen}");
    assert!(!screen.contains("invalidating ["), "the bar stayed:\n{screen}");
}
