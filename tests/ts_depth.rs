//! TypeScript nested deeper than anyone writes it is refused with a clear error, never a
//! crash: brackets deeper than 1,000 levels are a syntax error naming where, and long flat
//! chains (`"a" + "a" + ...`, `!!!...1`) are read without recursing per term.

mod common;

use std::path::Path;

use common::polycache;

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

fn nested(open: &str, close: &str, n: usize) -> String {
    format!("{}\"posts\"{}", open.repeat(n), close.repeat(n))
}

#[test]
fn deeply_nested_cache_ts_is_a_syntax_error_for_graph_dry_run_and_completions() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "export const DEPENDENCIES = {{ posts: [{}] }};\n",
        nested("(", ")", 10_000)
    );
    let graph = write(dir.path(), "server/src/cache.ts", &text);
    for args in [
        vec!["graph", "--graph", &graph],
        vec!["invalidate", "posts", "--dry-run", "--graph", &graph],
    ] {
        let out = polycache(dir.path()).args(&args).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{args:?} (a signal kills with no code): {err}"
        );
        assert!(
            err.contains("cache.ts:1:") && err.contains("nested more than 1000 levels deep"),
            "{args:?}: {err}"
        );
    }
    // Completions read the graph found from the working directory (for type names).
    let out = polycache(dir.path()).args(["completions", "bash"]).output().unwrap();
    assert!(out.status.code().is_some(), "completions were killed by a signal");
}

#[test]
fn long_flat_chains_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let concat = vec!["\"p\""; 100_000].join(" + ");
    let text = format!("export const DEPENDENCIES = {{ posts: [{concat}], pages: [] }};\n");
    let graph = write(dir.path(), "cache.ts", &text);
    let out = polycache(dir.path())
        .args(["--json", "graph", "--graph", &graph])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains(&"p".repeat(1000)), "the concatenation was evaluated");
}

#[test]
fn check_reports_a_deeply_nested_server_file_and_goes_on() {
    let dir = common::platform_tree(&[]);
    let root = dir.path();
    let calls = format!(
        "import {{ appCache }} from './cache';\nexport const s = {};\nappCache.invalidate('posts');\n",
        nested("f(", ")", 20_000)
    );
    write(root, "server/src/deep.ts", &calls);
    let unary = format!(
        "import {{ appCache }} from './cache';\nexport const s = {}1;\nappCache.invalidate('posts');\n",
        "!".repeat(100_000)
    );
    write(root, "server/src/unary.ts", &unary);
    let out = polycache(root)
        .args(["--json", "check", "--root", "."])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_str(&stdout).expect("--json report");
    let findings = report["unreadable"].as_array().expect("unreadable").clone();
    let deep: Vec<_> = findings.iter().filter(|f| f.to_string().contains("deep.ts")).collect();
    assert_eq!(deep.len(), 1, "{findings:?}");
    assert!(deep[0].to_string().contains("nested more than 1000 levels deep"));
    assert!(
        !findings.iter().any(|f| f.to_string().contains("unary.ts")),
        "a long unary chain is read: {findings:?}"
    );
}
