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

/// The module of a source file: `src/client/auth.rs` is `client::auth`, a `mod.rs` its
/// directory, `lib.rs` the root (``).
fn module_of(rel: &str) -> String {
    let path = rel.trim_start_matches("src/").trim_end_matches(".rs");
    let mut parts: Vec<&str> = path.split('/').collect();
    if parts.last() == Some(&"mod") || parts == ["lib"] || parts == ["main"] {
        parts.pop();
    }
    parts.join("::")
}

/// Which modules each module of `src/` uses (not counting its unit tests): every
/// `crate::a::b` path and every `super::x` one, each taken to the longest module it names.
/// A child's `super::` paths into its own parent are the parent's shared types, not an
/// arrow (Rust's way of writing one module in several files).
fn imports() -> std::collections::BTreeMap<String, std::collections::BTreeSet<String>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let files: Vec<(String, String)> = sources()
        .into_iter()
        .map(|(p, t)| {
            // Doc links (`[`Printer`](crate::output::Printer)`) are not imports.
            let code: String = code(&t)
                .lines()
                .filter(|l| !l.trim_start().starts_with("//"))
                .collect::<Vec<_>>()
                .join("\n");
            (module_of(&p.strip_prefix(root).unwrap().display().to_string()), code)
        })
        .collect();
    let known: std::collections::BTreeSet<String> = files.iter().map(|(m, _)| m.clone()).collect();
    let longest = |segs: &[&str]| -> Option<String> {
        (1..=segs.len())
            .rev()
            .map(|k| segs[..k].join("::"))
            .find(|c| known.contains(c))
    };
    let path_re = regex::Regex::new(r"\b(crate|super)::((?:[a-z_][a-z0-9_]*::)*[a-z_][a-z0-9_]*|\{)").unwrap();
    let group_re = regex::Regex::new(r"(?s)\b(crate|super)::\{(.*?)\};").unwrap();
    let mut out = std::collections::BTreeMap::new();
    for (m, text) in &files {
        let parent: Vec<&str> = {
            let mut p: Vec<&str> = m.split("::").filter(|s| !s.is_empty()).collect();
            p.pop();
            p
        };
        let mut targets = std::collections::BTreeSet::new();
        let mut add = |base: &str, path: &str| {
            let mut segs: Vec<&str> = match base {
                "crate" => Vec::new(),
                _ => parent.clone(),
            };
            segs.extend(
                path.split("::")
                    .map(str::trim)
                    .filter(|s| !s.is_empty() && *s != "self"),
            );
            if let Some(t) = longest(&segs)
                && &t != m
                && !(base == "super" && t == parent.join("::"))
            {
                targets.insert(t);
            }
        };
        for c in path_re.captures_iter(text) {
            if &c[2] != "{" {
                add(&c[1], &c[2]);
            }
        }
        for c in group_re.captures_iter(text) {
            // `use crate::{a::b, c::{d, e}}`: the first segment of each item is enough for
            // the module, and nested groups name items of it.
            let mut depth = 0;
            let mut item = String::new();
            for ch in c[2].chars().chain([',']) {
                match ch {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        let path = item.split("::{").next().unwrap_or("").to_string();
                        add(&c[1], &path);
                        item.clear();
                        continue;
                    }
                    _ => {}
                }
                if depth == 0 {
                    item.push(ch);
                }
            }
        }
        out.insert(m.clone(), targets);
    }
    out
}

/// The circles of the import drawing: each strongly connected set of more than one module.
fn circles(g: &std::collections::BTreeMap<String, std::collections::BTreeSet<String>>) -> Vec<Vec<String>> {
    // Two modules are in one circle when each reaches the other.
    let reach = |from: &str| {
        let mut seen = std::collections::BTreeSet::new();
        let mut todo = vec![from.to_string()];
        while let Some(n) = todo.pop() {
            for t in g.get(&n).into_iter().flatten() {
                if seen.insert(t.clone()) {
                    todo.push(t.clone());
                }
            }
        }
        seen
    };
    let all: std::collections::BTreeMap<&String, std::collections::BTreeSet<String>> =
        g.keys().map(|m| (m, reach(m))).collect();
    let mut done = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    for m in g.keys() {
        if done.contains(m) {
            continue;
        }
        let set: Vec<String> = g
            .keys()
            .filter(|o| *o == m || (all[m].contains(*o) && all[*o].contains(m)))
            .cloned()
            .collect();
        done.extend(set.iter().cloned());
        if set.len() > 1 {
            out.push(set);
        }
    }
    out
}

/// The import drawing of `src/` has no circle. `cargo test --test house -- --nocapture
/// import_drawing` prints the drawing (one line per module: what it uses).
#[test]
fn the_import_drawing_has_no_circle() {
    let g = imports();
    for (m, uses) in &g {
        let name = if m.is_empty() { "lib" } else { m };
        println!("{name} -> {}", uses.iter().cloned().collect::<Vec<_>>().join(", "));
    }
    let found = circles(&g);
    assert!(
        found.is_empty(),
        "circles in the import drawing:\n{}",
        found.iter().map(|c| c.join(" <-> ")).collect::<Vec<_>>().join("\n")
    );
}

/// No arrow from the library up to the layers above it: the command line (`cli`), the
/// commands, the printer (`output`, `pager`), the text for people (`render`) and the
/// exit-code `Failure` (`error`) use the library, never the other way round; and no command
/// imports another. `style` (colour on or off) is a leaf everyone may use. There is no
/// exception: a walkthrough that narrates as it runs (`demo`) hands typed steps to its
/// command, which prints them with `render`; errors say their hints through [`Hint`] and
/// `error.rs` makes the `Failure`.
#[test]
fn the_library_never_imports_the_layers_above_it() {
    let upper = |m: &str| {
        let top = m.split("::").next().unwrap_or("");
        m.is_empty() || ["cli", "commands", "output", "pager", "render", "error", "main"].contains(&top)
    };
    let mut found = Vec::new();
    for (m, uses) in imports() {
        for t in &uses {
            let command_to_command = m.starts_with("commands::") && t.starts_with("commands::") && t != "commands";
            if (!upper(&m) && upper(t)) || command_to_command {
                found.push(format!("{m} -> {t}"));
            }
        }
    }
    assert!(found.is_empty(), "arrows up the layers:\n{}", found.join("\n"));
}

/// Each error enum of the library says what to do about itself (`impl Hint`), once; the
/// edge (`error.rs`) only picks the exit code, and no hint text is written there.
#[test]
fn hints_live_beside_their_errors() {
    let error = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/error.rs")).unwrap();
    let code = code(&error);
    assert!(!code.contains(".with_hint("), "error.rs writes a hint itself");
    for e in [
        "GraphError",
        "ConfigError",
        "CaError",
        "StoreError",
        "ServeError",
        "AuthError",
        "InvalidateError",
        "DemoError",
    ] {
        let found = uses(&format!("Hint for {e}"), &|_| false);
        assert_eq!(found.len(), 1, "{e}: {found:?}");
    }
}

/// One way to Redis: only `store/link.rs` opens connections (the CLI's `redis`, a node's
/// store and the bus all go through it); `redis watch` subscribes on the clients it gives.
#[test]
fn only_the_link_opens_redis_connections() {
    let mut found = Vec::new();
    for needle in [
        "Client::open",
        "get_multiplexed",
        "ConnectionManager::new",
        "ClusterClient::",
        "get_async_connection",
    ] {
        found.extend(uses(needle, &|f| f == "src/store/link.rs"));
    }
    assert!(
        found.is_empty(),
        "Redis connections opened outside store/link.rs:\n{}",
        found.join("\n")
    );
}

/// No two public types of `src/` share a name: `grep 'struct Report'` finds one type, and a
/// reader never has to ask which `Store` an import means.
#[test]
fn public_type_names_are_unique() {
    let re = regex::Regex::new(r"(?m)^\s*pub (?:struct|enum|type|trait) ([A-Z][A-Za-z0-9]*)").unwrap();
    let mut seen: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (path, text) in sources() {
        for c in re.captures_iter(code(&text)) {
            seen.entry(c[1].to_string())
                .or_default()
                .push(path.strip_prefix(root).unwrap().display().to_string());
        }
    }
    let twice: Vec<String> = seen
        .into_iter()
        .filter(|(_, files)| files.len() > 1)
        .map(|(name, files)| format!("{name}: {}", files.join(", ")))
        .collect();
    assert!(
        twice.is_empty(),
        "public types with the same name:\n{}",
        twice.join("\n")
    );
}

/// The crate builds for Windows too (the npm package and the release ship a Windows
/// binary): every Unix-only call (`std::os::unix`, `std::os::fd`, `tokio::signal::unix`,
/// `libc::`) sits under `#[cfg(unix)]`
/// (an item, a block or the one statement after the attribute), with an alternative for
/// other platforms beside it.
#[test]
fn unix_only_calls_are_behind_cfg_unix() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut found = Vec::new();
    for (path, text) in sources() {
        let rel = path.strip_prefix(root).unwrap().display().to_string();
        // One flag per open brace: whether what it opened is Unix-only.
        let mut scopes: Vec<bool> = Vec::new();
        let mut pending = false;
        let mut after_attr = false;
        for (n, line) in text.lines().enumerate() {
            let t = line.trim();
            if t.starts_with("//") {
                continue;
            }
            let unix_attr = t.starts_with("#[cfg(") && t.contains("unix") && !t.contains("not(unix)");
            let in_unix = pending || after_attr || scopes.iter().any(|&u| u);
            let unix_only = ["::unix::", "std::os::fd", "libc::"].iter().any(|u| t.contains(u));
            if unix_only && !in_unix {
                found.push(format!("{rel}:{}: {t}", n + 1));
            }
            for c in t.chars() {
                match c {
                    '{' => {
                        scopes.push(pending);
                        pending = false;
                    }
                    '}' => {
                        scopes.pop();
                    }
                    _ => {}
                }
            }
            if unix_attr {
                pending = true;
                after_attr = true;
            } else if !t.is_empty() && !t.starts_with("#[") {
                after_attr = false;
                // An attribute on a statement without a block ends with that statement.
                if t.ends_with(';') && pending && !t.contains('{') {
                    pending = false;
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "Unix-only calls outside #[cfg(unix)]:\n{}",
        found.join("\n")
    );
}
