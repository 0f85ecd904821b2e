//! The README and docs/ show real output, and this test keeps it so: every synopsis block is
//! the command's `-h` as it is, and every example of a command whose output depends on nothing
//! but this checkout (`graph` with the built-in graph, `logs` on the fixture log) is run and
//! compared. A change to the output fails here until the pages show it:
//! `POLYCACHE_BLESS=1 cargo test --test docs` writes the real output into them.

mod common;

use std::path::{Path, PathBuf};

use common::clean_command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn pages() -> Vec<PathBuf> {
    let mut pages = vec![root().join("README.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(root().join("docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    pages.extend(docs);
    pages
}

/// Runs polycache with `args` in `cwd` as the pages show it: no colour, 100 columns, stderr
/// after stdout (the pages show a command's error under it).
fn run(cwd: &Path, args: &[String]) -> String {
    let out = clean_command(cwd)
        .args(args)
        .env("COLUMNS", "100")
        .env("TZ", "UTC")
        .output()
        .expect("run polycache");
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    text
}

/// The words of a shell line, for the simple lines the pages run (quotes, no expansion).
fn words(line: &str) -> Option<Vec<String>> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut any = false;
    for c in line.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => cur.push(c),
            None if c == '\'' || c == '"' => {
                quote = Some(c);
                any = true;
            }
            None if c.is_whitespace() => {
                if any || !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            None if "|;&<>$`#".contains(c) => return None,
            None => cur.push(c),
        }
    }
    if quote.is_some() {
        return None;
    }
    if any || !cur.is_empty() {
        out.push(cur);
    }
    Some(out)
}

/// Where an example runs, when its output depends on nothing but this checkout: `graph`
/// in an empty directory (the built-in graph), `logs` on the fixture log from the checkout.
fn reproducible(args: &[String], empty: &Path) -> Option<PathBuf> {
    match args.first().map(String::as_str) {
        Some("graph") if !args.iter().any(|a| a.starts_with("--graph") || a == "--invalidator") => {
            Some(empty.to_path_buf())
        }
        Some("logs")
            if args.iter().any(|a| a.starts_with("tests/fixtures/"))
                && !args.iter().any(|a| a == "-f" || a == "--follow") =>
        {
            Some(root())
        }
        _ => None,
    }
}

/// One page checked (or, blessing, rewritten): the list of examples that differ.
fn check_page(page: &Path, empty: &Path, bless: bool, checked: &mut usize) -> Vec<String> {
    let text = std::fs::read_to_string(page).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let mut out: Vec<String> = Vec::new();
    let mut wrong = Vec::new();
    let name = page.strip_prefix(root()).unwrap().display().to_string();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        out.push(line.to_string());
        i += 1;
        if !line.starts_with("```") {
            continue;
        }
        // A fenced block: its lines up to the closing fence.
        let start = i;
        while i < lines.len() && lines[i] != "```" {
            i += 1;
        }
        let block: Vec<&str> = lines[start..i].to_vec();
        let replaced = if let Some(usage) = block.iter().find(|l| l.starts_with("Usage: polycache")) {
            // A synopsis: the command's -h.
            let args: Vec<String> = usage
                .trim_start_matches("Usage: polycache")
                .split_whitespace()
                .take_while(|w| !w.starts_with('[') && !w.starts_with('<'))
                .map(str::to_string)
                .chain(std::iter::once("-h".to_string()))
                .collect();
            *checked += 1;
            let real = run(empty, &args);
            Some(real.trim_end().lines().map(str::to_string).collect::<Vec<_>>())
        } else {
            examples(&block, empty, checked)
        };
        match replaced {
            Some(new) if new.iter().map(String::as_str).ne(block.iter().copied()) => {
                let at = start + 1;
                wrong.push(format!(
                    "{name}:{at}: the block differs from the real output:\n--- page\n{}\n--- real\n{}",
                    block.join("\n"),
                    new.join("\n")
                ));
                out.extend(new);
            }
            _ => out.extend(block.iter().map(|l| l.to_string())),
        }
        // The closing fence.
        if i < lines.len() {
            out.push(lines[i].to_string());
            i += 1;
        }
    }
    if bless && !wrong.is_empty() {
        let mut new = out.join("\n");
        new.push('\n');
        std::fs::write(page, new).unwrap();
    }
    wrong
}

/// A block of `$ polycache ...` examples with their output: the block as the real runs
/// give it, when every example in it can be reproduced; `None` otherwise.
fn examples(block: &[&str], empty: &Path, checked: &mut usize) -> Option<Vec<String>> {
    let starts: Vec<usize> = (0..block.len()).filter(|&k| block[k].starts_with("$ ")).collect();
    if starts.is_empty() || starts[0] != 0 {
        return None;
    }
    let mut new = Vec::new();
    for &k in &starts {
        let args = words(block[k].trim_start_matches("$ "))?;
        let (first, rest) = args.split_first()?;
        if first != "polycache" {
            return None;
        }
        let cwd = reproducible(rest, empty)?;
        *checked += 1;
        new.push(block[k].to_string());
        new.extend(run(&cwd, rest).trim_end().lines().map(str::to_string));
    }
    Some(new)
}

#[test]
fn every_synopsis_and_reproducible_example_in_the_docs_is_real_output() {
    let empty = common::tmp();
    let bless = std::env::var_os("POLYCACHE_BLESS").is_some();
    let mut checked = 0;
    let mut wrong = Vec::new();
    for page in pages() {
        wrong.extend(check_page(&page, empty.path(), bless, &mut checked));
    }
    // The pages hold a synopsis per command and examples of graph and logs: a parser that
    // found none would check nothing.
    assert!(checked >= 20, "only {checked} blocks found to check");
    assert!(
        wrong.is_empty() || bless,
        "{} example(s) differ from real output (POLYCACHE_BLESS=1 cargo test --test docs writes \
         the real output into the pages):\n\n{}",
        wrong.len(),
        wrong.join("\n\n")
    );
}
