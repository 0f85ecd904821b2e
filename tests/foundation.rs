//! Whole-binary tests of the foundation: graph, config, completions.

mod common;

use common::tmp;

use std::fs;

use common::polycache;
use common::process::Reaped;
use predicates::prelude::*;

#[test]
fn graph_feed_shows_both_directions() {
    let dir = tmp();
    let out = polycache(dir.path()).args(["graph", "feed"]).assert().success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(
        text.contains("feed is invalidated by: posts, pages, categories, pictures, translations, types"),
        "{text}"
    );
    assert!(text.contains("invalidating feed clears: only feed"), "{text}");
    assert!(text.contains("graph: built-in default"), "{text}");
}

#[test]
fn graph_pictures_cascade_in_clearing_order() {
    let dir = tmp();
    polycache(dir.path())
        .args(["graph", "pictures"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "invalidating pictures clears (in clearing order): pictures, posts, pages, feed",
        ));
}

#[test]
fn graph_alias_resolves_and_says_so() {
    let dir = tmp();
    polycache(dir.path())
        .args(["graph", "post"])
        .assert()
        .success()
        .stdout(predicate::str::contains("`post` is an alias of `posts`"))
        .stdout(predicate::str::contains("type: posts"));
}

#[test]
fn graph_unknown_type_is_a_usage_error_with_suggestion() {
    let dir = tmp();
    polycache(dir.path())
        .args(["graph", "postz"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown type `postz`"))
        .stderr(predicate::str::contains("did you mean `posts`?"));
}

#[test]
fn graph_dot_renders_with_graphviz() {
    let dir = tmp();
    let out = polycache(dir.path())
        .args(["graph", "pictures", "--format", "dot"])
        .assert()
        .success();
    let dot_src = out.get_output().stdout.clone();
    let mut dot = Reaped::spawn(
        std::process::Command::new("dot")
            .arg("-Tsvg")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped()),
        "graphviz `dot` must be installed (apt-get install graphviz); .ci/run installs it",
    );
    std::io::Write::write_all(&mut dot.stdin.take().expect("stdin"), &dot_src).expect("write to dot");
    let svg = dot.wait_with_output().expect("dot output");
    assert!(
        svg.status.success(),
        "dot failed: {}",
        String::from_utf8_lossy(&svg.stderr)
    );
    let svg = String::from_utf8_lossy(&svg.stdout);
    assert!(svg.contains("<svg"), "{svg}");
    for t in ["pictures", "posts", "pages", "feed", "auth"] {
        assert!(svg.contains(&format!(">{t}</text>")), "{t} missing from the drawing");
    }
}

#[test]
fn graph_json_and_mermaid_are_valid() {
    let dir = tmp();
    let out = polycache(dir.path())
        .args(["graph", "types", "--json"])
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).expect("valid JSON");
    assert_eq!(v["type"], "types");
    assert_eq!(
        v["clears"],
        serde_json::json!(["types", "categories", "posts", "pages", "feed"])
    );

    let out = polycache(dir.path())
        .args(["graph", "--format", "json"])
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).expect("valid JSON");
    assert_eq!(
        v["dependencies"]["feed"],
        serde_json::json!(["posts", "pages", "categories"])
    );
    // The whole-graph JSON is itself a graph file polycache reads back.
    let file = dir.path().join("graph.json");
    fs::write(&file, &out.get_output().stdout).unwrap();
    polycache(dir.path())
        .args(["graph", "pictures", "--graph"])
        .arg(&file)
        .assert()
        .success()
        .stdout(predicate::str::contains("pictures, posts, pages, feed"));

    let out = polycache(dir.path())
        .args(["graph", "pictures", "--format", "mermaid"])
        .assert()
        .success();
    let m = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(m.starts_with("flowchart LR\n"));
    for line in m.lines().skip(1) {
        let ok = line.starts_with("  n") || line.starts_with("  classDef ") || line.starts_with("  class ");
        assert!(ok, "unexpected mermaid line: {line}");
    }
}

const CACHE_TS: &str = r#"import { createClient, RedisClientType } from 'redis';
import { logger } from './logger';

/**
 * AppCache: { the server-side cache }.
 */
export class AppCache {
    private static instance: AppCache;
    private client?: RedisClientType;

    // What each type is built from; a change to any of these invalidates it.
    private static DEPENDENCIES: Record<string, string[]> = {
        'posts': ['categories', 'pictures'], // Changing a picture/category invalidates posts
        'pages': ['categories', 'pictures', 'translations'],
        categories: ["types"],
        /* nothing */
        'translations': [],

        'feed': ['posts', 'pages', 'categories', `comments`],
        'comments': ['posts',],
        'auth': [],
    };

    public async invalidate(type: string, preventMirror = false) {
        const deps = AppCache.DEPENDENCIES[type] ?? [];
        logger.info({ type, deps }, 'invalidate');
    }
}
"#;

#[test]
fn cache_ts_is_discovered_from_a_subdirectory_and_followed() {
    let dir = tmp();
    let src = dir.path().join("server/src");
    fs::create_dir_all(&src).unwrap();
    fs::write(src.join("cache.ts"), CACHE_TS).unwrap();
    let sub = dir.path().join("src/components");
    fs::create_dir_all(&sub).unwrap();

    polycache(&sub)
        .args(["graph", "comments"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "server/src/cache.ts (found from the working directory)",
        ))
        .stdout(predicate::str::contains(
            "invalidating comments clears (in clearing order): comments, feed",
        ));
    polycache(&sub)
        .args(["graph", "pictures"])
        .assert()
        .success()
        .stdout(predicate::str::contains("pictures, posts, pages, comments, feed"));

    // Editing the server's graph changes what polycache says.
    fs::write(
        src.join("cache.ts"),
        CACHE_TS.replace("'comments': ['posts',],", "'comments': [],"),
    )
    .unwrap();
    polycache(&sub)
        .args(["graph", "pictures"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "(in clearing order): pictures, posts, pages, feed\n",
        ));
}

#[test]
fn cache_ts_errors_give_the_line_and_cycles_the_path() {
    let dir = tmp();
    let src = dir.path().join("server/src");
    fs::create_dir_all(&src).unwrap();
    fs::write(
        src.join("cache.ts"),
        CACHE_TS.replace("categories: [\"types\"],", "categories: [types],"),
    )
    .unwrap();
    polycache(dir.path())
        .args(["graph", "posts"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("cache.ts:15:"))
        .stderr(predicate::str::contains("found `types`"));

    fs::write(
        src.join("cache.ts"),
        CACHE_TS.replace("'translations': [],", "'translations': ['feed'],"),
    )
    .unwrap();
    polycache(dir.path())
        .args(["graph"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("cycle: "))
        .stderr(predicate::str::contains("translations -> feed"));
}

#[test]
fn config_shows_sources_and_never_a_secret() {
    let dir = tmp();
    fs::create_dir(dir.path().join(".git")).unwrap();
    fs::write(
        dir.path().join(".env"),
        "SERVICE_EMAIL=svc@example.com\nSERVICE_PASSWORD=dotenv-pass-9f3k\nCACHE_MIRRORS=\"https://a.example/, https://b.example\"\nREDIS_URL=redis://:redis-pass-77x@127.0.0.1:6379\n",
    )
    .unwrap();
    let sub = dir.path().join("deep/er");
    fs::create_dir_all(&sub).unwrap();
    let out = polycache(&sub)
        .env("POLYCACHE_TOKEN", "env-token-abc123")
        .env("JWT_SECRET", "jwt-secret-q1w2")
        .args(["config", "--url", "http://127.0.0.1:4000"])
        .assert()
        .success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    for secret in [
        "dotenv-pass-9f3k",
        "env-token-abc123",
        "jwt-secret-q1w2",
        "redis-pass-77x",
    ] {
        assert!(!text.contains(secret), "secret {secret} leaked:\n{text}");
    }
    let row = |name: &str| text.lines().find(|l| l.contains(name)).unwrap_or_default().to_string();
    assert!(row("POLYCACHE_URL ").contains("http://127.0.0.1:4000") && row("POLYCACHE_URL ").contains("flag --url"));
    assert!(row("SERVICE_PASSWORD").contains("••••") && row("SERVICE_PASSWORD").contains(".env"));
    // The .env's path is said once, in the heading, not on every row it set.
    let path = dir.path().join(".env").display().to_string();
    assert_eq!(text.matches(&path).count(), 1, "{text}");
    assert!(text.starts_with(&format!(".env: {path}")), "{text}");
    assert!(row("POLYCACHE_TOKEN").contains("••••") && row("POLYCACHE_TOKEN").contains("env"));
    assert!(row("TEST_PASSWORD").contains("(unset)"));
    assert!(row("CACHE_PREFIX").contains("default"));
    assert!(text.contains("mirrors: https://a.example, https://b.example"), "{text}");

    let out = polycache(&sub)
        .env("JWT_SECRET", "jwt-secret-q1w2")
        .args(["config", "--json"])
        .assert()
        .success();
    let raw = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(!raw.contains("jwt-secret-q1w2") && !raw.contains("dotenv-pass-9f3k") && !raw.contains("redis-pass-77x"));
    let v: serde_json::Value = serde_json::from_str(&raw).expect("valid JSON");
    let jwt = v["settings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "JWT_SECRET")
        .unwrap();
    assert_eq!(jwt["value"], "••••");
    assert_eq!(jwt["source"]["kind"], "env");
}

#[test]
fn bad_mirror_entry_is_named() {
    let dir = tmp();
    polycache(dir.path())
        .args(["config", "--mirrors", "https://ok.example,service.polymech.info"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("`service.polymech.info` has no scheme"))
        .stderr(predicate::str::contains("https://service.polymech.info"));
}

#[test]
fn committed_completions_match_the_cli() {
    let dir = tmp();
    polycache(dir.path())
        .args(["completions", "--dir"])
        .arg(dir.path())
        .assert()
        .success();
    let committed = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("completions");
    for name in [
        "polycache.bash",
        "_polycache",
        "polycache.fish",
        "_polycache.ps1",
        "polycache.elv",
    ] {
        let fresh = fs::read_to_string(dir.path().join(name)).unwrap();
        let old = fs::read_to_string(committed.join(name)).unwrap_or_default();
        assert!(
            fresh == old,
            "completions/{name} is out of date: run `cargo run -- completions --dir completions` and commit"
        );
    }
}

#[test]
fn committed_man_pages_match_the_cli() {
    let dir = tmp();
    polycache(dir.path())
        .args(["man", "--dir"])
        .arg(dir.path())
        .assert()
        .success();
    let committed = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("man");
    let list = |d: &std::path::Path| {
        let mut v: Vec<String> = fs::read_dir(d)
            .map(|r| {
                r.filter_map(|e| e.ok())
                    .map(|e| e.file_name().to_string_lossy().to_string())
                    .collect()
            })
            .unwrap_or_default();
        v.sort();
        v
    };
    let fresh = list(dir.path());
    assert!(fresh.contains(&"polycache.1".to_string()) && fresh.contains(&"polycache-graph.1".to_string()));
    assert_eq!(
        list(&committed),
        fresh,
        "man/ is out of date: run `cargo run -- man --dir man` and commit"
    );
    for name in fresh {
        assert!(
            fs::read(dir.path().join(&name)).unwrap() == fs::read(committed.join(&name)).unwrap(),
            "man/{name} is out of date: run `cargo run -- man --dir man` and commit"
        );
    }
}

/// `polycache --version` tells two builds apart: `polycache VERSION (COMMIT YYYY-MM-DD)`.
#[test]
fn version_names_the_commit_and_the_build_date() {
    let dir = tempfile::tempdir().unwrap();
    let out = polycache(dir.path()).arg("--version").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let rest = text
        .trim_end()
        .strip_prefix(&format!("polycache {} (", env!("CARGO_PKG_VERSION")))
        .and_then(|r| r.strip_suffix(')'))
        .unwrap_or_else(|| panic!("{text:?}"));
    let (commit, date) = rest.split_once(' ').unwrap_or_else(|| panic!("{text:?}"));
    assert!(
        commit == "unknown" || (commit.len() >= 7 && commit.bytes().all(|b| b.is_ascii_hexdigit())),
        "{commit}"
    );
    let parts: Vec<&str> = date.split('-').collect();
    assert!(
        parts.len() == 3 && parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit())) && parts[0].len() == 4,
        "{date}"
    );
}
