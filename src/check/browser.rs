//! The browser half of the cascade: what browsers reset when an `app-update` for a type
//! arrives, set against what the server clears for it.
//!
//! The server sends one `app-update` for the type it was asked to invalidate (PROTOCOL
//! section 3), although it clears the type's whole cascade. So a browser stays fresh only when
//! the invalidator's case for `T` also resets the query keys of every type `T`'s cascade
//! reaches. The keys that stand for a type `U` are the literal ones `U`'s own case resets
//! (its plural's case, else its alias's); a key is covered when the case for `T` resets it or a
//! prefix of it (React Query matches keys by prefix). A type `U` whose keys are not all
//! covered is *stale in browsers* on `T`. Nothing is said when `T`'s case resets keys known
//! only at run time without a key to go by (a predicate, a variable, no argument), or when `U`
//! has no case of its own (that is `notHandled`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::invalidator::{self, Analysis, Resets};
use super::{Kind, Located};
use crate::graph::Graph;
use crate::ts::{self, Loader, Loc, SyntaxError};

/// The invalidator, read once: each name it handles, where first, and what it resets anywhere.
#[derive(Debug, Clone)]
pub struct Browsers {
    by_name: BTreeMap<String, (Loc, Resets)>,
    /// The invalidator.
    path: PathBuf,
    /// Paths in answers are relative to it.
    root: PathBuf,
}

/// Why the invalidator could not be read.
#[derive(Debug, thiserror::Error)]
pub enum BrowsersError {
    #[error("cannot read {path}: {message}")]
    Io { path: String, message: String },
    #[error("{path}:{line}:{column}: syntax error: {message}")]
    Syntax {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
}

/// What browsers do on the `app-update` for one type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BrowserHalf {
    /// The file of the case (relative to the root), else the invalidator's.
    pub file: String,
    /// The name whose case handles the event (the type, else its singular alias); none when
    /// neither is handled.
    pub handled_as: Option<String>,
    /// Line and column of that case.
    pub line: Option<usize>,
    pub column: Option<usize>,
    /// The literal query keys reset, as canonical text (`["posts"]`), sorted.
    pub resets: Vec<String>,
    /// Some key has a part known only at run time (`['post', id]`).
    pub dynamic: bool,
    /// Some call may reset any key (no argument, a predicate, a variable): nothing is called
    /// stale then.
    pub open: bool,
    /// Types the server clears whose keys browsers keep.
    pub stale: Vec<StaleType>,
}

/// A type the server clears on the event whose query keys browsers do not reset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StaleType {
    #[serde(rename = "type")]
    pub type_name: String,
    /// The keys of its own case that the event's case does not reset.
    pub missing: Vec<String>,
    /// Where its own case is.
    pub file: String,
    pub line: usize,
}

impl Browsers {
    /// Reads and analyses the invalidator. `root` (the platform's checkout) resolves `@/`
    /// imports, and paths in answers are relative to it.
    pub fn load(path: &Path, root: &Path, graph: &Graph) -> Result<Browsers, BrowsersError> {
        let text = std::fs::read_to_string(path).map_err(|e| BrowsersError::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        let loader = Loader::new(Some(root.to_path_buf()));
        let analysis =
            invalidator::analyse(path, &text, graph, &loader).map_err(|e: SyntaxError| BrowsersError::Syntax {
                path: path.display().to_string(),
                line: e.pos.line,
                column: e.pos.column,
                message: e.message,
            })?;
        Ok(Browsers::new(&analysis, path, root))
    }

    pub fn new(analysis: &Analysis, path: &Path, root: &Path) -> Browsers {
        Browsers {
            by_name: invalidator::per_name(analysis),
            path: path.to_path_buf(),
            root: root.to_path_buf(),
        }
    }

    fn rel(&self, p: &Path) -> String {
        super::relative(&self.root, p)
    }

    /// The case that stands for type `t`: its own, else its singular alias's.
    fn case_of<'b>(&'b self, graph: &Graph, t: &str) -> Option<(&'b str, &'b Loc, &'b Resets)> {
        let alias = graph.aliases().iter().find(|(_, ty)| ty == t).map(|(a, _)| a.as_str());
        [Some(t), alias]
            .into_iter()
            .flatten()
            .find_map(|n| self.by_name.get_key_value(n))
            .map(|(n, (loc, r))| (n.as_str(), loc, r))
    }

    /// What browsers do on the `app-update` for `t`, against what the server clears for it:
    /// the case of `t`, else of its alias (the event a mirror or a CRUD route sends).
    pub fn half(&self, graph: &Graph, t: &str) -> BrowserHalf {
        self.half_with(graph, t, self.case_of(graph, t))
    }

    /// What browsers do on an event that names `t` as `sent` (`post` for `posts`): only the
    /// case of that exact name runs.
    pub fn half_received(&self, graph: &Graph, t: &str, sent: &str) -> BrowserHalf {
        let case = self
            .by_name
            .get_key_value(sent)
            .map(|(n, (loc, r))| (n.as_str(), loc, r));
        self.half_with(graph, t, case)
    }

    fn half_with(&self, graph: &Graph, t: &str, case: Option<(&str, &Loc, &Resets)>) -> BrowserHalf {
        let empty = Resets::default();
        let resets = case.map(|(_, _, r)| r).unwrap_or(&empty);
        let mut stale = Vec::new();
        if !resets.open {
            // The type itself too: an event sent under its alias may run another case.
            for u in &graph.cascade(t) {
                let Some((_, uloc, own)) = self.case_of(graph, u) else {
                    continue;
                };
                let missing: Vec<String> = own
                    .literal
                    .iter()
                    .filter(|k| !resets.literal.iter().any(|p| covers(p, k)))
                    .cloned()
                    .collect();
                if !missing.is_empty() {
                    stale.push(StaleType {
                        type_name: u.clone(),
                        missing,
                        file: self.rel(&uloc.file),
                        line: uloc.pos.line,
                    });
                }
            }
        }
        BrowserHalf {
            file: self.rel(case.map_or(self.path.as_path(), |(_, l, _)| &*l.file)),
            handled_as: case.map(|(n, _, _)| n.to_string()),
            line: case.map(|(_, l, _)| l.pos.line),
            column: case.map(|(_, l, _)| l.pos.column),
            resets: resets.literal.iter().cloned().collect(),
            dynamic: resets.dynamic,
            open: resets.open,
            stale,
        }
    }

    /// `staleInBrowsers` findings: for every type with a case of its own whose cascade
    /// reaches types whose keys that case does not reset, one finding at the case, with the
    /// calls to add.
    pub fn findings(&self, graph: &Graph) -> Vec<Located> {
        let mut out = Vec::new();
        for t in graph.types() {
            let Some((name, loc, _)) = self.case_of(graph, t) else {
                continue;
            };
            let half = self.half(graph, t);
            if half.stale.is_empty() {
                continue;
            }
            let here = self.rel(&loc.file);
            let types: Vec<String> = half
                .stale
                .iter()
                .map(|s| format!("`{}`", ts::escape(&s.type_name)))
                .collect();
            let missing: BTreeSet<&String> = half.stale.iter().flat_map(|s| &s.missing).collect();
            let keys = missing.iter().map(|k| ts::escape(k)).collect::<Vec<_>>();
            let whose = half
                .stale
                .iter()
                .map(|s| {
                    let at = if s.file == here {
                        format!("line {}", s.line)
                    } else {
                        format!("{}:{}", s.file, s.line)
                    };
                    format!("`{}` at {at}", ts::escape(&s.type_name))
                })
                .collect::<Vec<_>>();

            let name = ts::escape(name);
            out.push(Located {
                loc: loc.clone(),
                kind: Kind::StaleInBrowsers,
                message: format!(
                    "invalidating `{t}` clears {types} on the server, but browsers receiving `{name}` do not reset {keys} \
                     (the keys of {whose}): add queryClient.invalidateQueries calls for {calls} to the `{name}` case",
                    t = ts::escape(t),
                    types = and_list(&types),
                    keys = keys.join(", "),
                    whose = whose.join(", "),
                    calls = and_list(&keys),
                ),
                labels: Vec::new(),
            });
        }
        out
    }
}

/// Looks for `src/components/StreamInvalidator.tsx` in `cwd` and each of its ancestors, as
/// the graph's `server/src/cache.ts` is looked for; returns it and the checkout it is in.
pub fn discover(cwd: &Path) -> Option<(PathBuf, PathBuf)> {
    cwd.ancestors().find_map(|dir| {
        let file = dir.join("src").join("components").join("StreamInvalidator.tsx");
        file.is_file().then(|| (file, dir.to_path_buf()))
    })
}

/// The checkout of an invalidator named by a flag: the directory above its nearest `src`
/// (where `@/` imports point), else its own directory.
pub fn root_of(file: &Path) -> PathBuf {
    let dir = file.parent().unwrap_or(Path::new("."));
    dir.ancestors()
        .find(|d| d.file_name().is_some_and(|n| n == "src"))
        .and_then(Path::parent)
        .unwrap_or(dir)
        .to_path_buf()
}

/// `graph TYPE` with both halves: what the server clears, and what browsers reset.
#[derive(Debug, Serialize)]
pub struct Cascade {
    #[serde(flatten)]
    pub server: crate::graph::TypeReport,
    /// Present when the invalidator was found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub browsers: Option<BrowserHalf>,
}

/// A result with the browser half of each type it names: `invalidate --dry-run`.
#[derive(Debug, Serialize)]
pub struct WithBrowsers<T> {
    #[serde(flatten)]
    pub inner: T,
    /// By type; empty (and left out) when no invalidator was found.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub browsers: BTreeMap<String, BrowserHalf>,
}

/// `a`, `a and b`, `a, b and c`.
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// Whether resetting key `p` resets key `k`: the same key, or a prefix of it (`["pages"]`
/// resets `["pages", "list"]`; `[]` resets every key). Keys are canonical text.
pub fn covers(p: &str, k: &str) -> bool {
    if p == k || p == "[]" {
        return true;
    }
    match p.strip_suffix(']') {
        Some(open) => k.strip_prefix(open).is_some_and(|rest| rest.starts_with(", ")),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_covered_by_itself_and_its_prefixes() {
        assert!(covers(r#"["pages"]"#, r#"["pages"]"#));
        assert!(covers(r#"["pages"]"#, r#"["pages", "list"]"#));
        assert!(covers("[]", r#"["feed"]"#));
        assert!(!covers(r#"["pages"]"#, r#"["pagesx"]"#));
        assert!(!covers(r#"["page"]"#, r#"["pages"]"#));
        assert!(!covers(r#"["pages", "list"]"#, r#"["pages"]"#));
    }

    fn browsers(src: &str) -> (Graph, Browsers) {
        let graph = Graph::built_in();
        let loader = Loader::new(None);
        let a = invalidator::analyse(Path::new("StreamInvalidator.tsx"), src, &graph, &loader).unwrap();
        let b = Browsers::new(&a, Path::new("S.tsx"), Path::new(""));
        (graph, b)
    }

    #[test]
    fn the_cascade_is_set_against_the_case() {
        // Built-in graph: pictures clears posts, pages and feed.
        let src = "export function f(qc: any, type: string) {\n\
              switch (type) {\n\
                case 'pictures': qc.invalidateQueries({ queryKey: ['pictures'] }); qc.invalidateQueries({ queryKey: ['posts'] }); break;\n\
                case 'posts': qc.invalidateQueries({ queryKey: ['posts', 'list'] }); break;\n\
                case 'page': qc.invalidateQueries({ queryKey: ['pages'] }); qc.invalidateQueries({ queryKey: ['feed'] }); break;\n\
                case 'feed': qc.invalidateQueries({ queryKey: ['feed'] }); break;\n\
              }\n\
            }\n";
        let (g, b) = browsers(src);
        let half = b.half(&g, "pictures");
        assert_eq!(half.handled_as.as_deref(), Some("pictures"));
        assert_eq!(half.line, Some(3));
        let stale: Vec<_> = half
            .stale
            .iter()
            .map(|s| (s.type_name.as_str(), s.missing.clone(), s.line))
            .collect();
        // posts' own key is under ['posts']: covered. pages (alias case) and feed are not.
        assert_eq!(
            stale,
            [
                ("pages", vec![r#"["feed"]"#.to_string(), r#"["pages"]"#.to_string()], 5),
                ("feed", vec![r#"["feed"]"#.to_string()], 6)
            ]
        );
        // A type that is not handled: no case, resets nothing, everything its cascade
        // reaches with a case of its own is stale.
        let types = b.half(&g, "types");
        assert_eq!(types.handled_as, None);
        assert_eq!(
            types.stale.iter().map(|s| s.type_name.as_str()).collect::<Vec<_>>(),
            ["posts", "pages", "feed"]
        );
        // Findings only for types with a case of their own.
        let f = b.findings(&g);
        assert!(f.iter().all(|l| l.kind == Kind::StaleInBrowsers));
        // pictures (pages, feed) and posts (feed).
        assert_eq!(f.len(), 2);
        let pictures = f.iter().find(|l| l.message.contains("`pictures` clears")).unwrap();
        assert_eq!(
            pictures.message,
            "invalidating `pictures` clears `pages` and `feed` on the server, but browsers receiving `pictures` do not \
             reset [\"feed\"], [\"pages\"] (the keys of `pages` at line 5, `feed` at line 6): add \
             queryClient.invalidateQueries calls for [\"feed\"] and [\"pages\"] to the `pictures` case"
        );
        assert_eq!(pictures.loc.pos.line, 3);
    }

    #[test]
    fn a_case_that_may_reset_anything_is_not_called_stale() {
        let src = "export function f(qc: any, type: string) {\n\
              switch (type) {\n\
                case 'pictures': qc.invalidateQueries(); break;\n\
                case 'posts': qc.invalidateQueries({ predicate: (q: any) => true }); break;\n\
                case 'feed': qc.invalidateQueries({ queryKey: ['feed'] }); break;\n\
              }\n\
            }\n";
        let (g, b) = browsers(src);
        assert!(b.half(&g, "pictures").open);
        assert!(b.half(&g, "pictures").stale.is_empty());
        assert!(b.half(&g, "posts").stale.is_empty());
    }

    #[test]
    fn names_from_the_files_are_escaped_in_findings() {
        // A type whose name carries a terminal escape (from a hostile cache.ts) and a key too.
        let graph = Graph::unchecked(
            vec![("a\u{1b}[2J".into(), vec![]), ("b".into(), vec!["a\u{1b}[2J".into()])],
            crate::graph::GraphSource::BuiltIn,
        );
        let src = "export function f(qc: any, type: string) {\n\
              switch (type) {\n\
                case 'a\\u001b[2J': qc.invalidateQueries({ queryKey: ['a'] }); break;\n\
                case 'b': qc.invalidateQueries({ queryKey: ['b\\u0007'] }); break;\n\
              }\n\
            }\n";
        let loader = Loader::new(None);
        let a = invalidator::analyse(Path::new("S.tsx"), src, &graph, &loader).unwrap();
        let f = Browsers::new(&a, Path::new("S.tsx"), Path::new("")).findings(&graph);
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(!f[0].message.chars().any(|c| c.is_control()), "{:?}", f[0].message);
        assert!(f[0].message.contains("\\u{1b}[2J"), "{:?}", f[0].message);
    }
}
