//! Shell completion completes cache type names: those of the graph polycache would use
//! (`--graph FILE`, a `server/src/cache.ts` found from the working directory, or the
//! built-in one). The bash script is run in a real bash, as a shell would call it.

mod common;

use common::tmp;

use std::path::Path;
use std::process::Command;

use common::polycache;

/// `polycache completions SHELL ARGS...` run in `cwd`: the script.
fn script(cwd: &Path, shell: &str, args: &[&str]) -> String {
    let out = polycache(cwd)
        .args(["completions", shell])
        .args(args)
        .output()
        .expect("run polycache");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("UTF-8 script")
}

/// What bash offers for `line` (the word being completed is its last word, possibly
/// empty), with the completion function of the `script` loaded, sorted.
fn bash_complete(script: &str, line: &str) -> Vec<String> {
    let dir = tmp();
    let file = dir.path().join("polycache.bash");
    std::fs::write(&file, script).unwrap();
    let mut words: Vec<&str> = line.split(' ').collect();
    if line.ends_with(' ') {
        words.pop();
        words.push("");
    }
    let cword = words.len() - 1;
    let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    let program = format!(
        "source '{}'\nCOMP_WORDS=({})\nCOMP_CWORD={cword}\nCOMP_LINE='{line}'\nCOMP_POINT=${{#COMP_LINE}}\n\
         _polycache polycache '{}' '{}'\nprintf '%s\\n' \"${{COMPREPLY[@]}}\"\n",
        file.display(),
        quoted.join(" "),
        words[cword],
        words[cword - 1],
    );
    let out = Command::new("bash")
        .args(["--norc", "--noprofile", "-c", &program])
        .output()
        .expect("bash must be installed");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut offered: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    offered.sort();
    offered
}

#[test]
fn bash_completes_the_built_in_types_and_aliases() {
    let dir = tmp();
    let bash = script(dir.path(), "bash", &[]);
    assert_eq!(
        bash_complete(&bash, "polycache invalidate pic"),
        ["picture", "pictures"]
    );
    assert_eq!(
        bash_complete(&bash, "polycache graph tra"),
        ["translation", "translations"]
    );
    assert_eq!(bash_complete(&bash, "polycache tail --type fe"), ["feed"]);
    assert_eq!(
        bash_complete(&bash, "polycache redis keys --type ca"),
        ["categories", "category"]
    );
    assert_eq!(bash_complete(&bash, "polycache redis del --type au"), ["auth"]);
    // Several types in one invalidation: the next one completes too.
    assert_eq!(bash_complete(&bash, "polycache invalidate posts pa"), ["page", "pages"]);
    // Options still complete where an option is typed.
    assert!(bash_complete(&bash, "polycache invalidate --ver").contains(&"--verify".to_string()));
}

#[test]
fn a_cache_ts_found_from_the_working_directory_brings_its_types() {
    // A checkout whose cache.ts declares `profiles`, completed from a directory below it.
    let root = tmp();
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/platform/not-handled/server/src/cache.ts"
    );
    std::fs::create_dir_all(root.path().join("server/src")).unwrap();
    std::fs::copy(fixture, root.path().join("server/src/cache.ts")).unwrap();
    let below = root.path().join("web/src");
    std::fs::create_dir_all(&below).unwrap();

    let bash = script(&below, "bash", &[]);
    assert_eq!(
        bash_complete(&bash, "polycache invalidate prof"),
        ["profile", "profiles"]
    );
    let zsh = script(&below, "zsh", &[]);
    assert!(zsh.contains(r#"profiles\:"clears profiles""#), "{zsh}");
    assert!(zsh.contains(r#"profile\:"alias of profiles""#), "{zsh}");

    // Elsewhere the built-in graph has no such type.
    let elsewhere = tmp();
    let bash = script(elsewhere.path(), "bash", &[]);
    assert!(bash_complete(&bash, "polycache invalidate prof").is_empty());
    assert!(!script(elsewhere.path(), "zsh", &[]).contains("profiles"));
}

#[test]
fn a_graph_file_given_with_graph_replaces_the_types() {
    let dir = tmp();
    let graph = dir.path().join("graph.json");
    std::fs::write(&graph, r#"{"gadgets": [], "widgets": ["gadgets"]}"#).unwrap();
    let graph = graph.display().to_string();

    let zsh = script(dir.path(), "zsh", &["--graph", &graph]);
    for value in [
        r#"gadgets\:"clears gadgets, widgets""#,
        r#"gadget\:"alias of gadgets""#,
        r#"widgets\:"clears widgets""#,
    ] {
        assert!(zsh.contains(value), "{value} missing:\n{zsh}");
    }
    assert!(!zsh.contains("pictures"), "the built-in types are not offered:\n{zsh}");
    let bash = script(dir.path(), "bash", &["--graph", &graph]);
    assert_eq!(bash_complete(&bash, "polycache graph g"), ["gadget", "gadgets"]);
    assert_eq!(
        bash_complete(&bash, "polycache invalidate gadgets w"),
        ["widget", "widgets"]
    );

    // The same in the scripts --dir writes (powershell and elvish complete no values).
    let out = dir.path().join("out");
    polycache(dir.path())
        .args(["completions", "--dir"])
        .arg(&out)
        .args(["--graph", &graph])
        .assert()
        .success();
    for name in ["polycache.bash", "_polycache", "polycache.fish"] {
        let text = std::fs::read_to_string(out.join(name)).unwrap();
        assert!(text.contains("gadgets"), "{name}:\n{text}");
    }
}

#[test]
fn names_that_are_not_plain_words_never_reach_the_script() {
    let dir = tmp();
    let graph = dir.path().join("graph.json");
    std::fs::write(&graph, r#"{"posts": [], "a$(touch pwned)": ["posts"]}"#).unwrap();
    let graph = graph.display().to_string();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let text = script(dir.path(), shell, &["--graph", &graph]);
        assert!(!text.contains("touch"), "{shell}:\n{text}");
        if ["bash", "zsh", "fish"].contains(&shell) {
            assert!(text.contains("posts"), "{shell}:\n{text}");
        }
    }
}

#[test]
fn type_names_are_still_checked_when_parsing_with_a_suggestion() {
    // The completions offer values; the command line itself keeps its own check.
    let dir = tmp();
    let out = polycache(dir.path())
        .args(["invalidate", "postz", "--dry-run"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("did you mean `posts`?"), "{stderr}");
    assert!(!stderr.contains("possible values"), "{stderr}");
}
