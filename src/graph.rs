//! The dependency graph of cache types (PROTOCOL section 5).
//!
//! `DEPENDENCIES[X]` lists the types X is built from. Invalidating T clears T and then,
//! transitively, every type whose list contains a cleared type. The graph is read from the
//! deployment's own `server/src/cache.ts` when one is found, so the tool never drifts from
//! the server it talks to.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt;
use std::path::{Path, PathBuf};

/// Where a graph came from; printed with every graph so the user knows what they read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GraphSource {
    /// The platform's default graph compiled into polycache.
    BuiltIn,
    /// A file named with `--graph`.
    Flag(PathBuf),
    /// A `server/src/cache.ts` found by searching up from the working directory.
    Discovered(PathBuf),
}

impl fmt::Display for GraphSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GraphSource::BuiltIn => f.write_str("built-in default"),
            GraphSource::Flag(p) => write!(f, "{} (--graph)", p.display()),
            GraphSource::Discovered(p) => write!(f, "{} (found from the working directory)", p.display()),
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum GraphError {
    #[error("unknown type `{name}`")]
    UnknownType {
        name: String,
        suggestion: Option<String>,
        known: Vec<String>,
    },
    #[error("the dependency graph has a cycle: {}", .cycle.join(" -> "))]
    Cycle { cycle: Vec<String> },
    #[error("{path}:{line}: {message}")]
    Parse { path: String, line: usize, message: String },
    #[error("cannot read graph file {path}: {message}")]
    Io { path: String, message: String },
}

/// The result of resolving a name the user typed to a canonical type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    pub canonical: String,
    /// The name as typed, when it was an alias (`post` for `posts`).
    pub alias: Option<String>,
}

/// A validated (acyclic) dependency graph.
#[derive(Debug, Clone)]
pub struct Graph {
    /// Declared entries in file order: type -> what it is built from.
    entries: Vec<(String, Vec<String>)>,
    /// Every type: declared keys first (in order), then types only named as dependencies.
    types: Vec<String>,
    pub source: GraphSource,
}

const BUILT_IN: &[(&str, &[&str])] = &[
    ("posts", &["categories", "pictures"]),
    ("pages", &["categories", "pictures", "translations"]),
    ("categories", &["types"]),
    ("translations", &[]),
    ("feed", &["posts", "pages", "categories"]),
    ("auth", &[]),
];

impl Graph {
    /// The platform's default graph.
    pub fn built_in() -> Graph {
        let entries = BUILT_IN
            .iter()
            .map(|(k, v)| (k.to_string(), v.iter().map(|s| s.to_string()).collect()))
            .collect();
        Graph::new(entries, GraphSource::BuiltIn).expect("the built-in graph is acyclic")
    }

    /// Builds a graph from declared entries, rejecting cycles.
    pub fn new(entries: Vec<(String, Vec<String>)>, source: GraphSource) -> Result<Graph, GraphError> {
        let mut types: Vec<String> = Vec::new();
        let mut seen = BTreeSet::new();
        for (k, _) in &entries {
            if seen.insert(k.clone()) {
                types.push(k.clone());
            }
        }
        for (_, deps) in &entries {
            for d in deps {
                if seen.insert(d.clone()) {
                    types.push(d.clone());
                }
            }
        }
        let graph = Graph { entries, types, source };
        if let Some(cycle) = graph.find_cycle() {
            return Err(GraphError::Cycle { cycle });
        }
        Ok(graph)
    }

    /// Loads the graph by the rules of PROTOCOL section 5: `--graph FILE`, else
    /// `server/src/cache.ts` found searching up from `cwd`, else the built-in default.
    pub fn load(flag: Option<&Path>, cwd: &Path) -> Result<Graph, GraphError> {
        if let Some(path) = flag {
            return Graph::from_file(path, GraphSource::Flag(path.to_path_buf()));
        }
        if let Some(path) = discover(cwd) {
            return Graph::from_file(&path, GraphSource::Discovered(path.clone()));
        }
        Ok(Graph::built_in())
    }

    /// Reads a `.ts` (TypeScript `DEPENDENCIES` declaration) or `.json` graph file.
    pub fn from_file(path: &Path, source: GraphSource) -> Result<Graph, GraphError> {
        let text = std::fs::read_to_string(path).map_err(|e| GraphError::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        let display = path.display().to_string();
        let is_json = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("json"));
        let entries = if is_json {
            parse_json(&text, &display)?
        } else {
            parse_ts(&text, &display)?
        };
        Graph::new(entries, source)
    }

    /// Every known type, declared ones first.
    pub fn types(&self) -> &[String] {
        &self.types
    }

    /// The declared entries, in file order.
    pub fn entries(&self) -> &[(String, Vec<String>)] {
        &self.entries
    }

    /// What `t` is built from, directly.
    pub fn dependencies(&self, t: &str) -> &[String] {
        self.entries
            .iter()
            .find(|(k, _)| k == t)
            .map(|(_, v)| v.as_slice())
            .unwrap_or(&[])
    }

    /// The types built from `t`, directly, in declaration order.
    pub fn dependents(&self, t: &str) -> Vec<&str> {
        self.entries
            .iter()
            .filter(|(_, deps)| deps.iter().any(|d| d == t))
            .map(|(k, _)| k.as_str())
            .collect()
    }

    /// Resolves a user-typed name: exact, then case-insensitive, then singular/plural
    /// aliases (`post` -> `posts`, `category` -> `categories`). Unknown names carry the
    /// closest known type by edit distance as a suggestion.
    pub fn resolve(&self, name: &str) -> Result<Resolved, GraphError> {
        let trimmed = name.trim();
        let lower = trimmed.to_ascii_lowercase();
        let find = |cand: &str| self.types.iter().find(|t| t.eq_ignore_ascii_case(cand)).cloned();
        if let Some(t) = self.types.iter().find(|t| t.as_str() == trimmed) {
            return Ok(Resolved {
                canonical: t.clone(),
                alias: None,
            });
        }
        let mut candidates = vec![lower.clone(), format!("{lower}s"), format!("{lower}es")];
        if let Some(stem) = lower.strip_suffix('y') {
            candidates.push(format!("{stem}ies"));
        }
        for cand in candidates {
            if let Some(t) = find(&cand) {
                return Ok(Resolved {
                    canonical: t,
                    alias: Some(trimmed.to_string()),
                });
            }
        }
        let suggestion = self
            .types
            .iter()
            .map(|t| (edit_distance(&lower, t), t))
            .filter(|(d, t)| *d <= (t.len().max(lower.len()) / 2).max(2))
            .min_by_key(|(d, _)| *d)
            .map(|(_, t)| t.clone());
        Err(GraphError::UnknownType {
            name: trimmed.to_string(),
            suggestion,
            known: self.types.clone(),
        })
    }

    /// What invalidating `t` clears, in clearing order: `t` first, then every type built
    /// from a cleared type, each one only after everything it is built from that is also
    /// cleared (a topological order), nearer types and earlier declarations first.
    pub fn cascade(&self, t: &str) -> Vec<String> {
        // Breadth-first: the set to clear and each type's distance from `t`.
        let mut depth: BTreeMap<String, usize> = BTreeMap::from([(t.to_string(), 0)]);
        let mut queue = VecDeque::from([t.to_string()]);
        while let Some(cur) = queue.pop_front() {
            let d = depth[&cur];
            for dep in self.dependents(&cur) {
                if !depth.contains_key(dep) {
                    depth.insert(dep.to_string(), d + 1);
                    queue.push_back(dep.to_string());
                }
            }
        }
        let index = |n: &str| self.types.iter().position(|x| x == n).unwrap_or(usize::MAX);
        let mut order = Vec::with_capacity(depth.len());
        let mut done: BTreeSet<String> = BTreeSet::new();
        while order.len() < depth.len() {
            // Ready: not done, and every cleared type it is built from is done already.
            let next = depth
                .iter()
                .filter(|(n, _)| !done.contains(*n))
                .filter(|(n, _)| {
                    n.as_str() == t
                        || self
                            .dependencies(n)
                            .iter()
                            .all(|d| d == t || !depth.contains_key(d) || done.contains(d))
                })
                .min_by_key(|(n, d)| (**d, index(n)))
                .map(|(n, _)| n.clone());
            let Some(next) = next else { break }; // unreachable in an acyclic graph
            done.insert(next.clone());
            order.push(next);
        }
        order
    }

    /// Every type `t` is built from, transitively (what invalidates it), breadth-first.
    pub fn invalidated_by(&self, t: &str) -> Vec<String> {
        let mut order = Vec::new();
        let mut seen: BTreeSet<String> = BTreeSet::from([t.to_string()]);
        let mut queue = VecDeque::from([t.to_string()]);
        while let Some(cur) = queue.pop_front() {
            for d in self.dependencies(&cur) {
                if seen.insert(d.clone()) {
                    order.push(d.clone());
                    queue.push_back(d.clone());
                }
            }
        }
        order
    }

    /// The tree of what `t` is built from (children = dependencies).
    pub fn dependency_tree(&self, t: &str) -> TreeNode {
        self.tree(t, &mut BTreeSet::new(), &|g, n| {
            g.dependencies(n).iter().map(String::as_str).collect()
        })
    }

    /// The tree of what invalidating `t` clears (children = dependents).
    pub fn dependent_tree(&self, t: &str) -> TreeNode {
        self.tree(t, &mut BTreeSet::new(), &|g, n| g.dependents(n))
    }

    fn tree<'a>(
        &'a self,
        t: &str,
        expanded: &mut BTreeSet<String>,
        children: &dyn Fn(&'a Graph, &str) -> Vec<&'a str>,
    ) -> TreeNode {
        // A node that appears twice is expanded only the first time, so that the tree
        // stays small on wide graphs; the repeat is marked.
        if !expanded.insert(t.to_string()) {
            return TreeNode {
                name: t.to_string(),
                repeated: true,
                children: vec![],
            };
        }
        let kids = children(self, t);
        TreeNode {
            name: t.to_string(),
            repeated: false,
            children: kids.into_iter().map(|c| self.tree(c, expanded, children)).collect(),
        }
    }

    fn find_cycle(&self) -> Option<Vec<String>> {
        // Depth-first search with an explicit path; the first back edge closes the cycle.
        #[derive(Clone, Copy, PartialEq)]
        enum Mark {
            New,
            Active,
            Done,
        }
        let mut marks: BTreeMap<&str, Mark> = self.types.iter().map(|t| (t.as_str(), Mark::New)).collect();
        fn visit<'a>(
            g: &'a Graph,
            t: &'a str,
            marks: &mut BTreeMap<&'a str, Mark>,
            path: &mut Vec<&'a str>,
        ) -> Option<Vec<String>> {
            marks.insert(t, Mark::Active);
            path.push(t);
            for d in g.dependencies(t) {
                match marks.get(d.as_str()).copied().unwrap_or(Mark::New) {
                    Mark::Active => {
                        let start = path.iter().position(|p| *p == d).unwrap_or(0);
                        let mut cycle: Vec<String> = path[start..].iter().map(|s| s.to_string()).collect();
                        cycle.push(d.clone());
                        return Some(cycle);
                    }
                    Mark::New => {
                        if let Some(c) = visit(g, d, marks, path) {
                            return Some(c);
                        }
                    }
                    Mark::Done => {}
                }
            }
            path.pop();
            marks.insert(t, Mark::Done);
            None
        }
        for t in &self.types {
            if marks.get(t.as_str()) == Some(&Mark::New)
                && let Some(c) = visit(self, t, &mut marks, &mut Vec::new())
            {
                return Some(c);
            }
        }
        None
    }
}

/// A node of a rendered tree.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TreeNode {
    pub name: String,
    /// True when this type was already expanded elsewhere in the same tree.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub repeated: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<TreeNode>,
}

/// Looks for `server/src/cache.ts` in `cwd` and each of its ancestors.
pub fn discover(cwd: &Path) -> Option<PathBuf> {
    cwd.ancestors()
        .map(|dir| dir.join("server").join("src").join("cache.ts"))
        .find(|p| p.is_file())
}

/// Levenshtein distance, for "did you mean" suggestions.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

fn parse_json(text: &str, path: &str) -> Result<Vec<(String, Vec<String>)>, GraphError> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| GraphError::Parse {
        path: path.to_string(),
        line: e.line(),
        message: format!("invalid JSON: {e}"),
    })?;
    // Accept either the bare map or `{"dependencies": {...}}` (the shape `graph --format json` prints).
    let map = match value.get("dependencies") {
        Some(inner) if inner.is_object() => inner,
        _ => &value,
    };
    let obj = map.as_object().ok_or_else(|| GraphError::Parse {
        path: path.to_string(),
        line: 1,
        message: "expected an object mapping each type to the list of types it is built from".into(),
    })?;
    let mut out = Vec::new();
    for (k, v) in obj {
        let list = v.as_array().ok_or_else(|| GraphError::Parse {
            path: path.to_string(),
            line: 1,
            message: format!("`{k}` must map to an array of type names"),
        })?;
        let deps = list
            .iter()
            .map(|d| {
                d.as_str().map(str::to_string).ok_or_else(|| GraphError::Parse {
                    path: path.to_string(),
                    line: 1,
                    message: format!("`{k}` lists a value that is not a string: {d}"),
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        out.push((k.clone(), deps));
    }
    Ok(out)
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Str(String),
    Punct(char),
}

/// A tiny TypeScript lexer: enough to read an object literal of string arrays, skipping
/// comments and whitespace and tracking line numbers for errors.
struct Lexer<'a> {
    chars: std::iter::Peekable<std::str::CharIndices<'a>>,
    line: usize,
    path: &'a str,
}

impl<'a> Lexer<'a> {
    fn new(text: &'a str, line: usize, path: &'a str) -> Self {
        Lexer {
            chars: text.char_indices().peekable(),
            line,
            path,
        }
    }

    fn err(&self, message: impl Into<String>) -> GraphError {
        GraphError::Parse {
            path: self.path.to_string(),
            line: self.line,
            message: message.into(),
        }
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.chars.next().map(|(_, c)| c)?;
        if c == '\n' {
            self.line += 1;
        }
        Some(c)
    }

    fn peek(&mut self) -> Option<char> {
        self.chars.peek().map(|(_, c)| *c)
    }

    /// The next token with its line, or None at the end of input.
    fn next_token(&mut self) -> Result<Option<(Tok, usize)>, GraphError> {
        loop {
            let Some(c) = self.peek() else { return Ok(None) };
            if c.is_whitespace() {
                self.bump();
                continue;
            }
            if c == '/' {
                self.bump();
                match self.peek() {
                    Some('/') => {
                        while let Some(c) = self.bump() {
                            if c == '\n' {
                                break;
                            }
                        }
                        continue;
                    }
                    Some('*') => {
                        let start = self.line;
                        self.bump();
                        let mut prev = '\0';
                        loop {
                            match self.bump() {
                                Some('/') if prev == '*' => break,
                                Some(c) => prev = c,
                                None => {
                                    return Err(GraphError::Parse {
                                        path: self.path.to_string(),
                                        line: start,
                                        message: "unterminated block comment".into(),
                                    });
                                }
                            }
                        }
                        continue;
                    }
                    _ => return Ok(Some((Tok::Punct('/'), self.line))),
                }
            }
            let line = self.line;
            if c == '"' || c == '\'' || c == '`' {
                self.bump();
                let mut s = String::new();
                loop {
                    match self.bump() {
                        None => {
                            return Err(GraphError::Parse {
                                path: self.path.to_string(),
                                line,
                                message: "unterminated string".into(),
                            });
                        }
                        Some('\\') => match self.bump() {
                            Some(e) => s.push(e),
                            None => return Err(self.err("unterminated string")),
                        },
                        Some('\n') if c != '`' => return Err(self.err("newline inside a string")),
                        Some('$') if c == '`' && self.peek() == Some('{') => {
                            return Err(self.err("template expressions (${...}) are not supported in type names"));
                        }
                        Some(ch) if ch == c => break,
                        Some(ch) => s.push(ch),
                    }
                }
                return Ok(Some((Tok::Str(s), line)));
            }
            if c.is_alphanumeric() || c == '_' || c == '$' {
                let mut s = String::new();
                while let Some(c) = self.peek() {
                    if c.is_alphanumeric() || c == '_' || c == '$' {
                        s.push(c);
                        self.bump();
                    } else {
                        break;
                    }
                }
                return Ok(Some((Tok::Ident(s), line)));
            }
            self.bump();
            return Ok(Some((Tok::Punct(c), line)));
        }
    }
}

/// Extracts `DEPENDENCIES ... = { key: ['a', 'b'], ... }` from TypeScript source.
pub fn parse_ts(text: &str, path: &str) -> Result<Vec<(String, Vec<String>)>, GraphError> {
    // Find the declaration: the identifier DEPENDENCIES outside comments and strings,
    // followed (after an optional type annotation) by `=` and `{`.
    let mut lx = Lexer::new(text, 1, path);
    let decl_line;
    loop {
        match lx.next_token()? {
            None => {
                return Err(GraphError::Parse {
                    path: path.to_string(),
                    line: 1,
                    message: "no `DEPENDENCIES = { ... }` declaration found".into(),
                });
            }
            Some((Tok::Ident(id), line)) if id == "DEPENDENCIES" => {
                decl_line = line;
                break;
            }
            Some(_) => {}
        }
    }
    // Skip the type annotation up to `=`; a `;` first means a declaration without a value.
    loop {
        match lx.next_token()? {
            Some((Tok::Punct('='), _)) => break,
            Some((Tok::Punct(';'), line)) | Some((Tok::Punct('}'), line)) => {
                return Err(GraphError::Parse {
                    path: path.to_string(),
                    line,
                    message: format!("DEPENDENCIES (line {decl_line}) is declared without a value"),
                });
            }
            Some(_) => {}
            None => return Err(lx.err("unexpected end of file after DEPENDENCIES")),
        }
    }
    let expect = |lx: &mut Lexer, want: char, what: &str| -> Result<(), GraphError> {
        match lx.next_token()? {
            Some((Tok::Punct(c), _)) if c == want => Ok(()),
            Some((t, line)) => Err(GraphError::Parse {
                path: path.to_string(),
                line,
                message: format!("expected {what}, found {}", describe(&t)),
            }),
            None => Err(lx.err(format!("expected {what}, found the end of the file"))),
        }
    };
    expect(&mut lx, '{', "`{` opening the DEPENDENCIES object")?;
    let mut entries: Vec<(String, Vec<String>)> = Vec::new();
    loop {
        let (key, key_line) = match lx.next_token()? {
            Some((Tok::Punct('}'), _)) => break,
            Some((Tok::Ident(k), l)) | Some((Tok::Str(k), l)) => (k, l),
            Some((t, line)) => {
                return Err(GraphError::Parse {
                    path: path.to_string(),
                    line,
                    message: format!("expected a type name or `}}`, found {}", describe(&t)),
                });
            }
            None => return Err(lx.err("unterminated DEPENDENCIES object")),
        };
        expect(&mut lx, ':', &format!("`:` after `{key}`"))?;
        expect(&mut lx, '[', &format!("`[` starting the list of `{key}`"))?;
        let mut deps = Vec::new();
        loop {
            match lx.next_token()? {
                Some((Tok::Punct(']'), _)) => break,
                Some((Tok::Str(s), _)) => {
                    deps.push(s);
                    match lx.next_token()? {
                        Some((Tok::Punct(','), _)) => {}
                        Some((Tok::Punct(']'), _)) => break,
                        Some((t, line)) => {
                            return Err(GraphError::Parse {
                                path: path.to_string(),
                                line,
                                message: format!("expected `,` or `]` in the list of `{key}`, found {}", describe(&t)),
                            });
                        }
                        None => return Err(lx.err(format!("unterminated list of `{key}`"))),
                    }
                }
                Some((t, line)) => {
                    return Err(GraphError::Parse {
                        path: path.to_string(),
                        line,
                        message: format!(
                            "expected a quoted type name in the list of `{key}`, found {}",
                            describe(&t)
                        ),
                    });
                }
                None => return Err(lx.err(format!("unterminated list of `{key}`"))),
            }
        }
        if entries.iter().any(|(k, _)| *k == key) {
            return Err(GraphError::Parse {
                path: path.to_string(),
                line: key_line,
                message: format!("`{key}` is declared twice"),
            });
        }
        entries.push((key, deps));
        match lx.next_token()? {
            Some((Tok::Punct(','), _)) => {}
            Some((Tok::Punct('}'), _)) => break,
            Some((t, line)) => {
                return Err(GraphError::Parse {
                    path: path.to_string(),
                    line,
                    message: format!(
                        "expected `,` or `}}` after the list of `{}`, found {}",
                        entries.last().map(|e| e.0.as_str()).unwrap_or(""),
                        describe(&t)
                    ),
                });
            }
            None => return Err(lx.err("unterminated DEPENDENCIES object")),
        }
    }
    Ok(entries)
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::Ident(s) => format!("`{s}`"),
        Tok::Str(s) => format!("the string \"{s}\""),
        Tok::Punct(c) => format!("`{c}`"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_cascades_match_the_protocol() {
        let g = Graph::built_in();
        assert_eq!(g.cascade("pictures"), ["pictures", "posts", "pages", "feed"]);
        assert_eq!(g.cascade("types"), ["types", "categories", "posts", "pages", "feed"]);
        assert_eq!(g.cascade("feed"), ["feed"]);
        let mut by = g.invalidated_by("feed");
        by.sort();
        assert_eq!(
            by,
            ["categories", "pages", "pictures", "posts", "translations", "types"]
        );
    }

    #[test]
    fn singular_aliases_resolve_to_plural() {
        let g = Graph::built_in();
        for (typed, canon) in [
            ("post", "posts"),
            ("category", "categories"),
            ("picture", "pictures"),
            ("type", "types"),
            ("Posts", "posts"),
        ] {
            let r = g.resolve(typed).unwrap();
            assert_eq!(r.canonical, canon, "{typed}");
            assert_eq!(r.alias.as_deref(), Some(typed));
        }
        assert_eq!(g.resolve("feed").unwrap().alias, None);
    }

    #[test]
    fn unknown_type_suggests_nearest() {
        let g = Graph::built_in();
        match g.resolve("postz") {
            Err(GraphError::UnknownType { suggestion, .. }) => assert_eq!(suggestion.as_deref(), Some("posts")),
            other => panic!("{other:?}"),
        }
        match g.resolve("zzzzzzzzzz") {
            Err(GraphError::UnknownType { suggestion, .. }) => assert_eq!(suggestion, None),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn cycle_is_reported_with_its_path() {
        let e = Graph::new(
            vec![
                ("a".into(), vec!["b".into()]),
                ("b".into(), vec!["c".into()]),
                ("c".into(), vec!["a".into()]),
            ],
            GraphSource::BuiltIn,
        )
        .unwrap_err();
        assert_eq!(
            e,
            GraphError::Cycle {
                cycle: vec!["a".into(), "b".into(), "c".into(), "a".into()]
            }
        );
    }

    #[test]
    fn ts_reader_handles_real_typescript() {
        let src = r#"
import { createClient } from 'redis';
// DEPENDENCIES = { nope: [] } in a comment is ignored
export class AppCache {
    private static instance: AppCache;
    /* block comment with { braces } and 'quotes' */
    private static DEPENDENCIES: Record<string, string[]> = {
        'posts': ['categories', "pictures"], // Changing a picture invalidates posts
        pages: [`categories`, 'pictures', 'translations',],

        "categories": ['types'],
        /* none */ translations: [],
        'feed': ['posts', 'pages', 'categories'],
        auth: [],
    };
    private ttl = 3600;
}
"#;
        let e = parse_ts(src, "cache.ts").unwrap();
        assert_eq!(e.len(), 6);
        assert_eq!(
            e[1],
            (
                "pages".to_string(),
                vec!["categories".to_string(), "pictures".into(), "translations".into()]
            )
        );
        assert_eq!(e[3], ("translations".to_string(), vec![]));
    }

    #[test]
    fn ts_reader_errors_name_the_line() {
        let src = "class A {\n  static DEPENDENCIES = {\n    posts: ['a', b],\n  };\n}\n";
        match parse_ts(src, "x.ts") {
            Err(GraphError::Parse { line, message, .. }) => {
                assert_eq!(line, 3);
                assert!(message.contains("`b`"), "{message}");
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            parse_ts("const x = 1;", "x.ts"),
            Err(GraphError::Parse { line: 1, .. })
        ));
    }

    #[test]
    fn trees_mark_repeats() {
        let g = Graph::built_in();
        let t = g.dependent_tree("pictures");
        assert_eq!(t.children.len(), 2);
        assert_eq!(t.children[0].children[0].name, "feed");
        assert!(!t.children[0].children[0].repeated);
        assert!(t.children[1].children[0].repeated);
    }
}
