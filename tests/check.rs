//! Whole-binary tests of `polycache check` on the platform fixtures: a clean tree, and the
//! clean tree with one kind of mistake laid over it (tests/fixtures/platform/<kind>/).

mod common;

use std::fs;
use std::path::Path;

use common::polycache;
use predicates::prelude::*;
use serde_json::Value;

/// A temporary platform checkout: the clean tree, with `overlay`'s files over it.
fn tree(overlay: Option<&str>) -> tempfile::TempDir {
    common::platform_tree(overlay.as_slice())
}

/// Runs `check --json` in `dir`; returns the exit code and the report.
fn check_json(dir: &Path) -> (i32, Value) {
    let out = polycache(dir).args(["check", "--json"]).output().unwrap();
    let report =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code().unwrap_or(-1), report)
}

/// `file:line:column kind: message`, one per finding of the list.
fn lines(report: &Value, list: &str) -> Vec<String> {
    report[list]
        .as_array()
        .unwrap_or_else(|| panic!("no {list} in {report}"))
        .iter()
        .map(|f| {
            format!(
                "{}:{}:{} {}: {}",
                f["file"].as_str().unwrap(),
                f["line"],
                f["column"],
                f["kind"].as_str().unwrap(),
                f["message"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn clean_tree_reports_nothing() {
    let dir = tree(None);
    let (code, r) = check_json(dir.path());
    assert_eq!(code, 0, "{r}");
    assert_eq!(lines(&r, "findings"), Vec::<String>::new());
    assert_eq!(lines(&r, "notCheckable"), Vec::<String>::new());
    assert_eq!(lines(&r, "unreadable"), Vec::<String>::new());
    assert_eq!(r["callSites"], 14);
    assert_eq!(r["filesScanned"], 10);
    let handled: Vec<&str> = r["handled"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(
        handled,
        [
            "auth",
            "categories",
            "category",
            "feed",
            "page",
            "pages",
            "picture",
            "pictures",
            "post",
            "posts",
            "translation",
            "translations",
            "type",
            "types"
        ]
    );
    polycache(dir.path())
        .arg("check")
        .assert()
        .code(0)
        .stdout(predicate::str::starts_with(
            "✓ nothing to fix: 8 types and 6 aliases from server/src/cache.ts; 14 appCache calls in 10 files under server/src; \
14 names handled in src/components/StreamInvalidator.tsx\n",
        ));
}

#[test]
fn calls_with_a_type_the_graph_does_not_know_are_findings() {
    let dir = tree(Some("unknown-type"));
    let (code, r) = check_json(dir.path());
    assert_eq!(code, 3, "{r}");
    assert_eq!(
        lines(&r, "findings"),
        [
            "server/src/products/categories/routes.ts:11:21 unknownType: `appCache.notify('categroy', ...)`: not a type of the graph nor an alias; did you mean `category`?",
            "server/src/products/comments/routes.ts:12:31 unknownType: `appCache.invalidate('comments')`: not a type of the graph nor an alias; if it is a new type, add it to DEPENDENCIES in server/src/cache.ts (known: posts, pages, categories, translations, feed, auth, pictures, types)",
            "server/src/products/comments/routes.ts:13:21 unknownType: `appCache.notify('comment', ...)`: not a type of the graph nor an alias; if it is a new type, add it to DEPENDENCIES in server/src/cache.ts (known: posts, pages, categories, translations, feed, auth, pictures, types)",
        ]
    );
}

#[test]
fn calls_whose_type_is_known_only_at_run_time_are_listed_not_failed() {
    let dir = tree(Some("not-checkable"));
    let (code, r) = check_json(dir.path());
    assert_eq!(code, 0, "{r}");
    assert_eq!(lines(&r, "findings"), Vec::<String>::new());
    assert_eq!(
        lines(&r, "notCheckable"),
        [
            "server/src/products/serving/index.ts:10:31 notCheckable: `appCache.invalidate(type, ...)`: the type is `type`, which is not a constant of this file",
            "server/src/products/serving/index.ts:11:21 notCheckable: `appCache.notify(type, ...)`: the type is `type`, which is not a constant of this file",
        ]
    );
    polycache(dir.path())
        .arg("check")
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "not checkable (the type is known only at run time):",
        ))
        .stdout(predicate::str::contains("✓ nothing to fix"));
}

#[test]
fn types_and_aliases_the_invalidator_does_not_handle_are_findings() {
    let dir = tree(Some("not-handled"));
    let (code, r) = check_json(dir.path());
    assert_eq!(code, 3, "{r}");
    assert_eq!(
        lines(&r, "findings"),
        [
            "server/src/cache.ts:26:9 notHandled: `auth` is not handled by src/components/StreamInvalidator.tsx: its app-update resets nothing in the browser",
            "server/src/cache.ts:27:9 notHandled: neither `profiles` (sent by mirrors) nor its alias `profile` (notified by CRUD routes) is handled by src/components/StreamInvalidator.tsx",
            "src/components/StreamInvalidator.tsx:44:22 notHandled: `translations` is handled here but not its alias `translation`, the singular that CRUD routes notify: map both to the same query keys",
        ]
    );
}

#[test]
fn names_the_graph_does_not_know_are_findings_in_the_invalidator() {
    let dir = tree(Some("unknown-handled"));
    let (code, r) = check_json(dir.path());
    assert_eq!(code, 3, "{r}");
    assert_eq!(
        lines(&r, "findings"),
        [
            "src/components/StreamInvalidator.tsx:48:22 unknownHandled: `comments` is handled here but is neither a type of the graph nor an alias; add it to DEPENDENCIES in server/src/cache.ts, or remove it here",
            "src/components/StreamInvalidator.tsx:49:22 unknownHandled: `comment` is handled here but is neither a type of the graph nor an alias; add it to DEPENDENCIES in server/src/cache.ts, or remove it here",
            // In the array StreamInvalidator imports through `@/lib/cacheTypes`, a re-export.
            "src/lib/cache/types.ts:2:45 unknownHandled: `blog-posts` is handled here but is neither a type of the graph nor an alias; add it to DEPENDENCIES in server/src/cache.ts, or remove it here",
        ]
    );
}

#[test]
fn an_alias_that_resets_other_keys_than_its_type_is_a_finding() {
    let dir = tree(Some("alias-mismatch"));
    let (code, r) = check_json(dir.path());
    assert_eq!(code, 3, "{r}");
    assert_eq!(
        lines(&r, "findings"),
        [
            "src/components/StreamInvalidator.tsx:14:5 aliasMismatch: `type` resets [\"types\"] but `types` (line 13) resets [\"categories\"], [\"feed\"], [\"pages\"], [\"posts\"], [\"types\"]: map both to the same query keys",
            "src/components/StreamInvalidator.tsx:38:22 aliasMismatch: `page` resets [\"pages\"] but `pages` (line 34) resets [\"feed\"], [\"pages\"]: map both to the same query keys",
        ]
    );
}

/// The browser half of the cascade: each case for a type must also reset the keys of every
/// type the server clears with it. The overlay drops them in five shapes: a `switch` case that
/// forgets what is built from pictures (direct and transitive), a map of handlers (`types`
/// reaches categories, posts, pages and the feed), a helper function (`translations`), and a
/// type handled only by its alias (`page`).
#[test]
fn types_the_server_clears_but_browsers_keep_are_stale_in_browsers() {
    let dir = tree(Some("stale-in-browsers"));
    let (code, r) = check_json(dir.path());
    assert_eq!(code, 3, "{r}");
    let call = |k: &str| format!("[\"{k}\"]");
    assert_eq!(
        lines(&r, "findings"),
        [
            format!(
                "src/components/StreamInvalidator.tsx:13:5 staleInBrowsers: invalidating `types` clears `categories`, `posts`, \
                 `pages` and `feed` on the server, but browsers receiving `types` do not reset [\"feed\"], [\"pages\"], [\"posts\"] \
                 (the keys of `categories` at line 11, `posts` at src/lib/cache/types.ts:2, `pages` at line 34, `feed` at line 46): \
                 add queryClient.invalidateQueries calls for {}, {} and {} to the `types` case",
                call("feed"),
                call("pages"),
                call("posts")
            ),
            "src/components/StreamInvalidator.tsx:34:22 notHandled: `page` is handled here but not `pages`, the plural that mirrors \
             send: map both to the same query keys"
                .to_string(),
            format!(
                "src/components/StreamInvalidator.tsx:34:22 staleInBrowsers: invalidating `pages` clears `feed` on the server, but \
                 browsers receiving `page` do not reset [\"feed\"] (the keys of `feed` at line 46): add queryClient.invalidateQueries calls for {} to the `page` case",
                call("feed")
            ),
            format!(
                "src/components/StreamInvalidator.tsx:37:22 staleInBrowsers: invalidating `pictures` clears `posts`, `pages` and \
                 `feed` on the server, but browsers receiving `pictures` do not reset [\"feed\"], [\"pages\"] (the keys of `posts` at \
                 src/lib/cache/types.ts:2, `pages` at line 34, `feed` at line 46): add queryClient.invalidateQueries calls for {} and {} to the `pictures` case",
                call("feed"),
                call("pages")
            ),
            format!(
                "src/components/StreamInvalidator.tsx:42:22 staleInBrowsers: invalidating `translations` clears `pages` and `feed` on \
                 the server, but browsers receiving `translations` do not reset [\"feed\"], [\"pages\"] (the keys of `pages` at line \
                 34, `feed` at line 46): add queryClient.invalidateQueries calls for {} and {} to the `translations` case",
                call("feed"),
                call("pages")
            ),
        ]
    );
    // Adding the calls it names makes the pictures case clean: the fix in words is the fix.
    let file = dir.path().join("src/components/StreamInvalidator.tsx");
    let add = |k: &str| format!("queryClient.invalidateQueries({{ queryKey: {} }});", call(k));
    let text = fs::read_to_string(&file).unwrap().replacen(
        "queryClient.invalidateQueries({ queryKey: ['posts'] });\n                    break;",
        &format!(
            "queryClient.invalidateQueries({{ queryKey: ['posts'] }}); {} {}\n                    break;",
            add("feed"),
            add("pages")
        ),
        1,
    );
    fs::write(&file, text).unwrap();
    let (_, r) = check_json(dir.path());
    let left = lines(&r, "findings");
    assert_eq!(left.len(), 4, "{left:#?}");
    assert!(left.iter().all(|l| !l.contains("`pictures` clears")), "{left:#?}");
}

#[test]
fn a_cycle_in_the_graph_is_a_finding_where_it_closes() {
    let dir = tree(Some("cycle"));
    let (code, r) = check_json(dir.path());
    assert_eq!(code, 3, "{r}");
    assert_eq!(
        lines(&r, "findings"),
        [
            "server/src/cache.ts:24:26 cycle: the dependency graph has a cycle: pages -> translations -> pages; remove one of its edges (a type cannot be built from itself)"
        ]
    );
}

#[test]
fn a_dependency_that_is_a_misspelt_or_singular_type_is_a_finding() {
    let dir = tree(Some("unknown-dependency"));
    let (code, r) = check_json(dir.path());
    assert_eq!(code, 3, "{r}");
    assert_eq!(
        lines(&r, "findings"),
        [
            "server/src/cache.ts:25:18 unknownDependency: `post` (in the list of `feed`) is not a declared type; did you mean `posts`?",
            "server/src/cache.ts:25:35 unknownDependency: `categorie` (in the list of `feed`) is not a declared type; did you mean `categories`?",
        ]
    );
}

/// Runs `check` with `args` in `dir`, piped: exit code, stdout, stderr.
fn check_text(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = polycache(dir).arg("check").args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

/// Under the line `header` of the human output: the source line shown after `N | `, and
/// where its carets are (characters from the start of that source text, and how many).
fn excerpt_under(text: &str, header: &str, line: usize) -> (String, usize, usize) {
    let lines: Vec<&str> = text.lines().collect();
    let at = lines
        .iter()
        .position(|l| *l == header)
        .unwrap_or_else(|| panic!("no line {header:?} in:\n{text}"));
    let gutter = format!("{line} | ");
    let src = (at..lines.len())
        .find(|&i| lines[i].starts_with(&gutter))
        .unwrap_or_else(|| panic!("no excerpt of line {line} under {header:?}:\n{text}"));
    assert!(
        lines[at + 1..src]
            .iter()
            .all(|l| !l.contains(": ") || l.starts_with("  ")),
        "the excerpt belongs to the next finding:\n{text}"
    );
    let source = lines[src][gutter.len()..].to_string();
    // The caret line has the same gutter width, with `|` and no number.
    let carets = &lines[src + 1][gutter.len()..];
    let start = carets.chars().position(|c| c == '^').expect(carets);
    let len = carets.chars().filter(|&c| c == '^').count();
    (source, start, len)
}

/// The line `n` (1-based) of a file of the tree.
fn file_line(dir: &Path, file: &str, n: usize) -> String {
    let text = fs::read_to_string(dir.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
    text.lines()
        .nth(n - 1)
        .unwrap_or_else(|| panic!("{file} has no line {n}"))
        .to_string()
}

/// A linter's layout: `file:line:col: kind`, the message, then the source line with the
/// finding underlined at its column; a summary that counts findings and files.
#[test]
fn each_finding_shows_its_source_line_underlined_at_its_column() {
    let dir = tree(Some("unknown-type"));
    let (code, text, _) = check_text(dir.path(), &[]);
    assert_eq!(code, 3, "{text}");
    let (source, start, len) = excerpt_under(
        &text,
        "server/src/products/categories/routes.ts:11:21: unknown type",
        11,
    );
    assert_eq!(
        source,
        file_line(dir.path(), "server/src/products/categories/routes.ts", 11)
    );
    assert_eq!(start, 20, "under column 21:\n{text}");
    assert_eq!(&source[start..start + len], "'categroy'", "{text}");
    assert!(
        text.contains(
            "\n  `appCache.notify('categroy', ...)`: not a type of the graph nor an alias; did you mean `category`?\n"
        ),
        "{text}"
    );
    let (source, start, len) = excerpt_under(&text, "server/src/products/comments/routes.ts:12:31: unknown type", 12);
    assert_eq!(&source[start..start + len], "COMMENTS", "{text}");
    assert!(text.ends_with(
        "✗ 3 findings in 2 files (8 types and 6 aliases from server/src/cache.ts; 16 appCache calls in 11 files under server/src; 14 names handled in src/components/StreamInvalidator.tsx)\n"
    ), "{text}");
}

/// A file with a syntax error is counted in the summary and shown like a finding: its
/// error at its line and column, with the line.
#[test]
fn a_file_that_does_not_parse_is_counted_and_shown_with_its_error() {
    let dir = tree(Some("cycle"));
    fs::write(
        dir.path().join("server/src/products/broken.ts"),
        "import { appCache } from '../cache.js';\nexport async function f() {\n  await appCache.invalidate('posts'\n}\n",
    )
    .unwrap();
    let (code, text, _) = check_text(dir.path(), &[]);
    assert_eq!(code, 1, "{text}");
    let (source, start, len) = excerpt_under(&text, "server/src/products/broken.ts:4:1: unreadable", 4);
    assert_eq!((source.as_str(), start, len), ("}", 0, 1), "{text}");
    assert!(
        text.contains("\n  syntax error: Expected `,` or `)` but found `}`\n"),
        "{text}"
    );
    assert!(
        text.contains("\n  | ^ `,` or `)` expected\n"),
        "the parser's label:\n{text}"
    );
    // The parser's other label: where the bracket was opened, on line 3.
    let lines: Vec<&str> = text.lines().collect();
    let three = lines.iter().position(|l| l.starts_with("3 | ")).expect(&text);
    let paren = lines[three].find('(').unwrap();
    assert_eq!(
        lines[three + 1],
        format!("  |{}- Opened here", " ".repeat(paren - 3)),
        "{text}"
    );
    let summary = text.lines().last().unwrap();
    assert!(
        summary.starts_with("✗ 1 finding in 1 file, 1 file unreadable ("),
        "{text}"
    );
}

#[test]
fn a_file_that_does_not_parse_is_unreadable_with_its_position() {
    let dir = tree(None);
    fs::write(
        dir.path().join("server/src/products/broken.ts"),
        "import { appCache } from '../cache.js';\nexport async function f() {\n  await appCache.invalidate('posts'\n}\n",
    )
    .unwrap();
    let (code, r) = check_json(dir.path());
    assert_eq!(code, 1, "{r}");
    let unreadable = lines(&r, "unreadable");
    assert_eq!(unreadable.len(), 1, "{unreadable:?}");
    assert!(
        unreadable[0].starts_with("server/src/products/broken.ts:4:1 unreadable: syntax error: "),
        "{unreadable:?}"
    );
    let (_, text, _) = check_text(dir.path(), &[]);
    assert!(text.ends_with("\n✗ 1 file unreadable (8 types and 6 aliases from server/src/cache.ts; 14 appCache calls in 11 files under server/src; 14 names handled in src/components/StreamInvalidator.tsx)\n"), "{text}");
}

/// Control characters of the platform's files reach neither the message nor the excerpt
/// as they are: the terminal would obey them.
#[test]
fn control_characters_from_files_are_shown_escaped() {
    let dir = tree(None);
    fs::write(
        dir.path().join("server/src/products/odd.ts"),
        "import { appCache } from '../cache.js';\nappCache.invalidate('po\\u001b[2Jsts'); /* \u{1b}]0;title\u{7} */\n",
    )
    .unwrap();
    for format in ["human", "compact", "github"] {
        let (code, text, _) = check_text(dir.path(), &["--format", format]);
        assert_eq!(code, 3, "{text}");
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{7}'),
            "{format}: {text:?}"
        );
        assert!(
            text.contains("appCache.invalidate('po\\u{1b}[2Jsts')"),
            "{format}: {text}"
        );
    }
    let (_, text, _) = check_text(dir.path(), &[]);
    let (source, start, len) = excerpt_under(&text, "server/src/products/odd.ts:2:21: unknown type", 2);
    assert_eq!(
        source, r"appCache.invalidate('po\u001b[2Jsts'); /* \x1b]0;title\x07 */",
        "{text}"
    );
    assert_eq!(&source[start..start + len], r"'po\u001b[2Jsts'", "{text}");
}

/// `--format compact`: one `file:line:col: kind: message` line per finding, each pointing at
/// a real line and column of the tree; the summary alone on stderr.
#[test]
fn compact_lines_point_at_real_lines_of_the_files() {
    let dir = common::platform_tree(&["unknown-type", "not-checkable"]);
    let (_, r) = check_json(dir.path());
    let (code, text, err) = check_text(dir.path(), &["--format", "compact"]);
    assert_eq!(code, 3, "{text}{err}");
    let re = regex::Regex::new(r"^([^:]+):(\d+):(\d+): ([a-zA-Z]+): (.+)$").unwrap();
    let mut seen = Vec::new();
    for line in text.lines() {
        let c = re
            .captures(line)
            .unwrap_or_else(|| panic!("not file:line:col: kind: message: {line:?}"));
        let (file, n, col) = (&c[1], c[2].parse::<usize>().unwrap(), c[3].parse::<usize>().unwrap());
        let source = file_line(dir.path(), file, n);
        assert!(
            col >= 1 && col <= source.chars().count(),
            "{line}: column {col} of {source:?}"
        );
        seen.push(format!("{file}:{n}:{col} {}: {}", &c[4], &c[5]));
    }
    let mut want = lines(&r, "findings");
    want.extend(lines(&r, "notCheckable"));
    want.sort();
    seen.sort();
    assert_eq!(seen, want);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("✗ 3 findings in 2 files ("), "{err}");
}

/// Undoes GitHub's escaping of workflow command values.
fn github_unescape(s: &str) -> String {
    s.replace("%0A", "\n")
        .replace("%0D", "\r")
        .replace("%3A", ":")
        .replace("%2C", ",")
        .replace("%25", "%")
}

/// `--format github`: workflow commands by GitHub's grammar, with `%`, `:`, `,` and line
/// breaks in a file name and in messages escaped, so that Actions annotates the right line.
#[test]
fn github_commands_follow_the_grammar_and_escape_values() {
    let dir = tree(Some("not-handled"));
    let odd = "src/components/Stream,Inv:50%\nalidator.tsx";
    fs::rename(
        dir.path().join("src/components/StreamInvalidator.tsx"),
        dir.path().join(odd),
    )
    .unwrap();
    let out = polycache(dir.path())
        .args(["check", "--json", "--invalidator", odd])
        .output()
        .unwrap();
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let (code, text, _) = check_text(dir.path(), &["--invalidator", odd, "--format", "github"]);
    assert_eq!(code, 3, "{text}");
    let re =
        regex::Regex::new(r"^::(error|notice) file=([^,:\r\n]*),line=(\d+),col=(\d+),title=([^,:\r\n]*)::([^\r\n]*)$")
            .unwrap();
    let escapes = regex::Regex::new(r"%(?:25|0D|0A|3A|2C)").unwrap();
    let mut seen = Vec::new();
    for line in text.lines() {
        let c = re
            .captures(line)
            .unwrap_or_else(|| panic!("not a workflow command: {line:?}"));
        for value in [&c[2], &c[5], &c[6]] {
            assert!(!escapes.replace_all(value, "").contains('%'), "a bare % in {value:?}");
        }
        assert_eq!(&c[1], "error");
        seen.push(format!(
            "{}:{}:{} {}: {}",
            github_unescape(&c[2]),
            &c[3],
            &c[4],
            github_unescape(&c[5]).replace(' ', ""),
            github_unescape(&c[6])
        ));
    }
    // The same findings as --json, with the title the kind's label.
    let want: Vec<String> = lines(&r, "findings")
        .iter()
        .map(|l| l.replacen(" notHandled:", " nothandled:", 1))
        .collect();
    assert_eq!(seen, want);
    assert!(
        text.contains("file=src/components/Stream%2CInv%3A50%25%0Aalidator.tsx,line=44,col=22,"),
        "{text}"
    );
    assert!(
        text.contains("is not handled by src/components/Stream,Inv:50%25%0Aalidator.tsx: its"),
        "{text}"
    );
}

/// The official SARIF 2.1.0 schema (OASIS, vendored: no network in tests).
fn sarif_schema() -> jsonschema::Validator {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sarif-schema-2.1.0.json");
    let schema: Value = serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
    jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `--format sarif`: a log valid by the official schema, whose results are the findings at
/// files that exist under ROOT, and the exit code of the findings.
#[test]
fn sarif_is_valid_by_the_official_schema_and_points_at_the_files() {
    let dir = common::platform_tree(&["unknown-type", "not-checkable"]);
    fs::write(
        dir.path().join("server/src/products/a b%.ts"),
        "import { appCache } from '../cache.js';\nappCache.notify('postz');\n",
    )
    .unwrap();
    let (_, r) = check_json(dir.path());
    let (code, text, err) = check_text(dir.path(), &["--format", "sarif"]);
    assert_eq!(code, 3, "{err}");
    let log: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    let schema = sarif_schema();
    // The schema is applied, not skipped: a level SARIF does not have fails it.
    let mut bad = log.clone();
    bad["runs"][0]["results"][0]["level"] = "fatal".into();
    assert!(!schema.is_valid(&bad), "the schema accepts anything");
    let errors: Vec<String> = schema
        .iter_errors(&log)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}\n{log:#}");

    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "polycache");
    assert_eq!(run["tool"]["driver"]["version"], env!("CARGO_PKG_VERSION"));
    let rules: Vec<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    let base = url::Url::parse(run["originalUriBaseIds"]["ROOT"]["uri"].as_str().unwrap()).unwrap();
    assert_eq!(
        base.to_file_path().unwrap().canonicalize().unwrap(),
        dir.path().canonicalize().unwrap()
    );
    let mut seen = Vec::new();
    for result in run["results"].as_array().unwrap() {
        let id = result["ruleId"].as_str().unwrap();
        assert_eq!(rules[result["ruleIndex"].as_u64().unwrap() as usize], id);
        let loc = &result["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uriBaseId"], "ROOT");
        let uri = loc["artifactLocation"]["uri"].as_str().unwrap();
        let path = base.join(uri).unwrap().to_file_path().unwrap();
        let file = path.strip_prefix(dir.path()).unwrap().display().to_string();
        let (n, col) = (
            loc["region"]["startLine"].as_u64().unwrap(),
            loc["region"]["startColumn"].as_u64().unwrap(),
        );
        let source = file_line(dir.path(), &file, n as usize);
        assert!(col as usize <= source.chars().count(), "{file}:{n}:{col}");
        let level = if id == "notCheckable" { "note" } else { "error" };
        assert_eq!(result["level"], level);
        seen.push(format!(
            "{file}:{n}:{col} {id}: {}",
            result["message"]["text"].as_str().unwrap()
        ));
    }
    assert!(text.contains("\"uri\": \"server/src/products/a%20b%25.ts\""), "{text}");
    let mut want = lines(&r, "findings");
    want.extend(lines(&r, "notCheckable"));
    want.sort();
    seen.sort();
    assert_eq!(seen, want);

    // Two outputs at once is a usage error that names both flags.
    let (code, text, err) = check_text(dir.path(), &["--json", "--format", "sarif"]);
    assert_eq!((code, text.as_str()), (2, ""), "{err}");
    assert!(err.contains("--json and --format sarif"), "{err}");
}

#[test]
fn the_root_is_found_from_a_subdirectory_or_named() {
    let dir = tree(Some("cycle"));
    let (code, r) = check_json(&dir.path().join("src/components"));
    assert_eq!((code, lines(&r, "findings").len()), (3, 1), "{r}");

    let elsewhere = tempfile::tempdir().unwrap();
    polycache(elsewhere.path())
        .args(["check", "--root"])
        .arg(dir.path())
        .assert()
        .code(3)
        .stdout(predicate::str::contains("server/src/cache.ts:24:26: cycle\n"));
    polycache(elsewhere.path())
        .arg("check")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no server/src/cache.ts in"))
        .stderr(predicate::str::contains("--root DIR"));
}

#[test]
fn another_layout_is_checked_with_flags() {
    let dir = tree(Some("not-handled"));
    let root = dir.path();
    fs::rename(root.join("server"), root.join("api")).unwrap();
    fs::create_dir_all(root.join("web")).unwrap();
    fs::rename(
        root.join("src/components/StreamInvalidator.tsx"),
        root.join("web/Invalidator.tsx"),
    )
    .unwrap();
    let out = polycache(root)
        .args([
            "check",
            "--json",
            "--root",
            ".",
            "--server-dir",
            "api/src",
            "--invalidator",
            "web/Invalidator.tsx",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let files: Vec<String> = lines(&r, "findings")
        .iter()
        .map(|l| l.split(' ').next().unwrap().to_string())
        .collect();
    assert_eq!(
        files,
        [
            "api/src/cache.ts:26:9",
            "api/src/cache.ts:27:9",
            "web/Invalidator.tsx:44:22"
        ]
    );

    // Without the flags the layout is not found.
    polycache(root)
        .args(["check", "--root", "."])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("cache.ts"));
}

#[test]
fn graph_reads_the_platform_cache_ts_with_spreads_of_constants() {
    let dir = tree(None);
    polycache(dir.path())
        .args(["graph", "pictures"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "invalidating pictures clears (in clearing order): pictures, posts, pages, feed",
        ));
    // A value that only run time knows is an error naming file:line:column.
    let cache = dir.path().join("server/src/cache.ts");
    let text = fs::read_to_string(&cache).unwrap();
    fs::write(
        &cache,
        text.replace("'categories': ['types'],", "'categories': [process.env.TYPES],"),
    )
    .unwrap();
    polycache(dir.path())
        .args(["graph"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("server/src/cache.ts:23:24: expected a quoted type name in the list of `categories`, found `process.env.TYPES`"));
}

/// `graph TYPE` shows both halves: what the server clears, and beside it what browsers reset
/// on that event, with the types they keep marked; found from a subdirectory as cache.ts is,
/// or named with --invalidator from anywhere. JSON, dot and Mermaid carry the same.
#[test]
fn graph_shows_what_browsers_reset_and_marks_what_they_keep() {
    let dir = tree(Some("stale-in-browsers"));
    let out = polycache(&dir.path().join("src/components"))
        .args(["graph", "pictures"])
        .assert()
        .success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    for line in [
        "├── posts  ✗ stale in browsers",
        "│   └── feed  ✗ stale in browsers",
        "└── pages  ✗ stale in browsers",
        "browsers receiving pictures reset: [\"pictures\"], [\"posts\"] (src/components/StreamInvalidator.tsx:37)",
        "  ✗ posts: browsers keep [\"feed\"], reset by its own case (src/lib/cache/types.ts:2)",
        "  ✗ pages: browsers keep [\"pages\"], reset by its own case (line 34)",
        "  ✗ feed: browsers keep [\"feed\"], reset by its own case (line 46)",
    ] {
        assert!(text.lines().any(|l| l == line), "no line {line:?} in:\n{text}");
    }

    // The alias-only case stands for its type; JSON says which name handled it.
    let out = polycache(dir.path())
        .args(["graph", "pages", "--json"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["browsers"]["handledAs"], "page", "{v:#}");
    assert_eq!(v["browsers"]["line"], 34);
    assert_eq!(v["browsers"]["stale"][0]["type"], "feed");
    assert_eq!(v["browsers"]["stale"][0]["missing"], serde_json::json!(["[\"feed\"]"]));

    // dot and Mermaid mark the same types.
    let dot = polycache(dir.path())
        .args(["graph", "pictures", "--format", "dot"])
        .output()
        .unwrap();
    let dot = String::from_utf8_lossy(&dot.stdout).to_string();
    for t in ["posts", "pages", "feed"] {
        assert!(
            dot.contains(&format!("\"{t}\" [style=\"rounded,filled,dashed\"")),
            "{t}:\n{dot}"
        );
    }
    assert!(!dot.contains("\"pictures\" [style=\"rounded,filled,dashed\""), "{dot}");
    let mmd = polycache(dir.path())
        .args(["graph", "translations", "--format", "mermaid"])
        .output()
        .unwrap();
    let mmd = String::from_utf8_lossy(&mmd.stdout).to_string();
    assert!(mmd.contains("class n1,n4 stale"), "{mmd}");

    // A consistent tree: nothing kept; --invalidator from outside the tree.
    let clean = tree(None);
    let elsewhere = tempfile::tempdir().unwrap();
    let out = polycache(elsewhere.path())
        .args(["graph", "pictures", "--graph"])
        .arg(clean.path().join("server/src/cache.ts"))
        .arg("--invalidator")
        .arg(clean.path().join("src/components/StreamInvalidator.tsx"))
        .assert()
        .success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(text.contains("✓ browsers reset every type the server clears"), "{text}");
    assert!(!text.contains("stale in browsers"), "{text}");

    // A named invalidator that cannot be read is an error that names it.
    polycache(elsewhere.path())
        .args(["graph", "pictures", "--invalidator", "nope.tsx"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("nope.tsx"));
}

/// Files that come and go while `check` runs (an editor's temporary files, a checkout in
/// progress) are not "unreadable": a file deleted between the directory walk and its read is
/// no longer part of the tree. Another thread creates and deletes files mentioning appCache
/// all through twenty runs; no run reports one.
#[test]
fn files_deleted_while_check_runs_are_not_unreadable() {
    let dir = tree(None);
    let churn = dir.path().join("server/src/churn");
    fs::create_dir_all(&churn).unwrap();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let churner = {
        let (stop, churn) = (stop.clone(), churn.clone());
        std::thread::spawn(move || {
            let mut n = 0u64;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let path = churn.join(format!("tmp{}.ts", (n / 2) % 64));
                if n.is_multiple_of(2) {
                    let _ = fs::write(&path, "// appCache: a draft\nexport const x = 1;\n");
                } else {
                    let _ = fs::remove_file(&path);
                }
                n += 1;
            }
            n
        })
    };
    for _ in 0..20 {
        let (code, report) = check_json(dir.path());
        assert_eq!(code, 0, "{report}");
        assert!(lines(&report, "unreadable").is_empty(), "{report}");
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    assert!(churner.join().unwrap() > 100, "the files did not churn");
}
