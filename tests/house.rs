//! The house rules of docs/architecture.md that a grep can prove: each job is done in one
//! place. A rule broken here names the file and line that broke it.

use std::path::{Path, PathBuf};

/// Every `.rs` file under `src/`, with its text.
fn sources() -> Vec<(PathBuf, String)> {
    fn walk(dir: &Path, out: &mut Vec<(PathBuf, String)>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let text = std::fs::read_to_string(&p).unwrap();
                out.push((p, text));
            }
        }
    }
    let mut out = Vec::new();
    walk(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut out);
    out.sort();
    out
}

/// The code of a file without its unit tests (everything from `#[cfg(test)]` on).
fn code(text: &str) -> &str {
    text.find("#[cfg(test)]").map_or(text, |i| &text[..i])
}

/// `file:line: text` of every line of code outside `allowed` that contains `needle`.
fn uses(needle: &str, allowed: &dyn Fn(&str) -> bool) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut found = Vec::new();
    for (path, text) in sources() {
        let rel = path.strip_prefix(root).unwrap().display().to_string();
        if allowed(&rel) {
            continue;
        }
        for (n, line) in code(&text).lines().enumerate() {
            if line.contains(needle) && !line.trim_start().starts_with("//") {
                found.push(format!("{rel}:{}: {}", n + 1, line.trim()));
            }
        }
    }
    found
}

/// Settings are read by name only in config.rs; everything else asks a typed accessor
/// (`settings.cacert()`, `settings.mirrors_from(..)`), so a variable is parsed once.
#[test]
fn settings_are_read_by_name_only_in_config() {
    let found = uses("settings.get(\"", &|f| f == "src/config.rs");
    assert!(
        found.is_empty(),
        "string-keyed settings outside config.rs:\n{}",
        found.join("\n")
    );
}

/// One place asks whether a stream is a terminal and how wide it is: `Terminal::detect` in
/// output.rs, at the start of a run. The Printer, the tables, the pager and prompts are given
/// the answer.
#[test]
fn one_place_asks_the_terminal() {
    let asks = |needle: &str| uses(needle, &|f| f == "src/output.rs");
    let mut found = asks("is_terminal");
    found.extend(asks("IsTerminal"));
    found.extend(asks("COLUMNS"));
    found.extend(asks("terminal::size"));
    assert!(
        found.is_empty(),
        "the terminal asked outside output.rs:\n{}",
        found.join("\n")
    );
    let output = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/output.rs")).unwrap();
    let detect = code(&output);
    let at = detect.find("pub fn detect()").expect("Terminal::detect");
    let rest = &detect[at..];
    let body = &rest[..rest.find("\n    }\n").unwrap()];
    assert_eq!(
        detect.matches("is_terminal()").count(),
        body.matches("is_terminal()").count(),
        "is_terminal() outside Terminal::detect"
    );
}

/// The server and the demo build their JSON from typed values (the protocol's bodies, the
/// demo's step data), never from `json!` literals that drift from the types the client reads.
#[test]
fn no_json_literals_in_the_server_or_the_demo() {
    let found = uses("json!", &|f| !(f.starts_with("src/server/") || f == "src/demo.rs"));
    assert!(found.is_empty(), "json! literals:\n{}", found.join("\n"));
}
