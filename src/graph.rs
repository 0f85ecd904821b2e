//! The dependency graph of cache types (PROTOCOL section 5).
//!
//! `DEPENDENCIES[X]` lists the types X is built from. Invalidating T clears T and then,
//! transitively, every type whose list contains a cleared type. The graph is read from the
//! deployment's own `server/src/cache.ts` when one is found, so the tool never drifts from
//! the server it talks to.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt;
use std::path::{Path, PathBuf};

use oxc_allocator::Allocator;
use oxc_ast::AstKind;
use oxc_ast::ast::{BindingPattern, Expression};
use oxc_ast_visit::Visit;
use oxc_span::{GetSpan, Span};

use crate::ts::{self, Loc, Value};

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
    #[error("{path}:{line}:{column}: {message}")]
    Parse {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
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
    /// Singular aliases (`post`) and the type each names (`posts`), in type order.
    aliases: Vec<(String, String)>,
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
        let graph = Graph::unchecked(entries, source);
        if let Some(cycle) = find_cycle(&graph.entries) {
            return Err(GraphError::Cycle { cycle });
        }
        Ok(graph)
    }

    /// Builds a graph without looking for cycles, for a checker that reports a cycle as one
    /// finding among others; its names and aliases are sound, its cascades may not be.
    pub fn unchecked(entries: Vec<(String, Vec<String>)>, source: GraphSource) -> Graph {
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
        let aliases = types
            .iter()
            .filter_map(|t| singular(t).map(|s| (s, t.clone())))
            .filter(|(s, _)| !seen.contains(s))
            .collect();
        Graph {
            entries,
            types,
            aliases,
            source,
        }
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

    /// Singular aliases and the type each names (`("post", "posts")`), derived from the
    /// type names by the usual English rules; a type that is its own singular has none.
    pub fn aliases(&self) -> &[(String, String)] {
        &self.aliases
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

    /// Resolves a user-typed name: exact, then case-insensitive, then singular aliases
    /// (`post` -> `posts`, `category` -> `categories`; see [`Graph::aliases`]). Unknown names carry the
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
        let alias = self.aliases.iter().find(|(a, _)| a.as_str() == trimmed);
        let canonical = find(&lower).or_else(|| {
            alias
                .or_else(|| self.aliases.iter().find(|(a, _)| a.eq_ignore_ascii_case(&lower)))
                .map(|(_, t)| t.clone())
        });
        if let Some(t) = canonical {
            return Ok(Resolved {
                canonical: t,
                alias: Some(trimmed.to_string()),
            });
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
        column: e.column(),
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
        column: 1,
        message: "expected an object mapping each type to the list of types it is built from".into(),
    })?;
    let mut out = Vec::new();
    for (k, v) in obj {
        let list = v.as_array().ok_or_else(|| GraphError::Parse {
            path: path.to_string(),
            line: 1,
            column: 1,
            message: format!("`{k}` must map to an array of type names"),
        })?;
        let deps = list
            .iter()
            .map(|d| {
                d.as_str().map(str::to_string).ok_or_else(|| GraphError::Parse {
                    path: path.to_string(),
                    line: 1,
                    column: 1,
                    message: format!("`{k}` lists a value that is not a string: {d}"),
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        out.push((k.clone(), deps));
    }
    Ok(out)
}

/// One declared entry of `DEPENDENCIES`, with where its names are written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclaredEntry {
    pub name: String,
    pub loc: Loc,
    pub deps: Vec<(String, Loc)>,
}

/// Extracts `DEPENDENCIES ... = { key: ['a', 'b'], ... }` from TypeScript source.
pub fn parse_ts(text: &str, path: &str) -> Result<Vec<(String, Vec<String>)>, GraphError> {
    Ok(read_ts(text, Path::new(path))?
        .into_iter()
        .map(|e| (e.name, e.deps.into_iter().map(|(d, _)| d).collect()))
        .collect())
}

/// Reads the `DEPENDENCIES` declaration of a TypeScript file: a class property (static or
/// not) or a variable of that name, whose value is statically known: literals, `as const`,
/// `satisfies`, string constants and enums of the file (or imported from relative paths),
/// spreads of constant objects and arrays. Anything else is an error naming line and column.
pub fn read_ts(text: &str, path: &Path) -> Result<Vec<DeclaredEntry>, GraphError> {
    let display = path.display().to_string();
    let err = |pos: ts::Pos, message: String| GraphError::Parse {
        path: display.clone(),
        line: pos.line,
        column: pos.column,
        message,
    };
    let alloc = Allocator::default();
    let program = ts::parse(&alloc, path, text).map_err(|e| err(e.pos, format!("syntax error: {}", e.message)))?;
    let mut find = FindDependencies::default();
    find.visit_program(&program);
    let Some((decl_span, value)) = find.found else {
        return Err(err(
            ts::Pos { line: 1, column: 1 },
            "no `DEPENDENCIES = { ... }` declaration found".into(),
        ));
    };
    let loader = ts::Loader::new(None);
    let env = ts::Env::new(&loader, path, text, &program, vec![path.to_path_buf()]);
    let decl = env.loc(decl_span);
    let Some(value) = value else {
        return Err(err(
            decl.pos,
            format!("DEPENDENCIES (line {}) is declared without a value", decl.pos.line),
        ));
    };
    let item = env.eval(value);
    let entries = match item.value {
        Value::Object(entries) => entries,
        Value::Unknown(why) => {
            return Err(err(
                item.loc.pos,
                format!("DEPENDENCIES must be known without running the code, but it uses {why}"),
            ));
        }
        other => {
            let (at, _) = other.first_unknown(&item.loc).unwrap_or((&item.loc, ""));
            return Err(err(
                at.pos,
                format!(
                    "expected `{{` opening the DEPENDENCIES object, found {}",
                    other.describe()
                ),
            ));
        }
    };
    let mut out = Vec::with_capacity(entries.len());
    for (key, list) in entries {
        let name = key.name;
        let items = match list.value {
            Value::Array(items) => items,
            other => {
                return Err(err(
                    list.loc.pos,
                    format!(
                        "expected `[` starting the list of `{}`, found {}",
                        ts::escape(&name),
                        other.describe()
                    ),
                ));
            }
        };
        let mut deps = Vec::with_capacity(items.len());
        for i in items {
            match i.value {
                Value::Str(s) => deps.push((s, i.loc)),
                other => {
                    return Err(err(
                        i.loc.pos,
                        format!(
                            "expected a quoted type name in the list of `{}`, found {}",
                            ts::escape(&name),
                            other.describe()
                        ),
                    ));
                }
            }
        }
        out.push(DeclaredEntry {
            name,
            loc: key.loc,
            deps,
        });
    }
    Ok(out)
}

/// The first declaration named `DEPENDENCIES`: its span and value.
#[derive(Default)]
struct FindDependencies<'a> {
    found: Option<(Span, Option<&'a Expression<'a>>)>,
}

impl<'a> Visit<'a> for FindDependencies<'a> {
    fn enter_node(&mut self, kind: AstKind<'a>) {
        if self.found.is_some() {
            return;
        }
        match kind {
            AstKind::PropertyDefinition(p) if !p.computed && p.key.static_name().as_deref() == Some("DEPENDENCIES") => {
                self.found = Some((p.key.span(), p.value.as_ref()));
            }
            AstKind::VariableDeclarator(d) => {
                if let BindingPattern::BindingIdentifier(id) = &d.id
                    && id.name == "DEPENDENCIES"
                {
                    self.found = Some((id.span, d.init.as_ref()));
                }
            }
            _ => {}
        }
    }
}

/// The singular of a type name by the usual English rules (`categories` -> `category`,
/// `posts` -> `post`), or None when the name is its own singular (`feed`, `auth`).
pub fn singular(name: &str) -> Option<String> {
    let s = pluralizer::pluralize(name, 1, false);
    (s != name && !s.is_empty()).then_some(s)
}

/// The first cycle among declared entries, as a path that ends where it starts.
pub fn find_cycle(entries: &[(String, Vec<String>)]) -> Option<Vec<String>> {
    // Depth-first search with an explicit path; the first back edge closes the cycle.
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Active,
        Done,
    }
    let deps = |t: &str| -> &[String] {
        entries
            .iter()
            .find(|(k, _)| k == t)
            .map(|(_, v)| v.as_slice())
            .unwrap_or(&[])
    };
    let mut marks: BTreeMap<&str, Mark> = BTreeMap::new();
    fn visit<'a>(
        deps: &dyn Fn(&str) -> &'a [String],
        t: &'a str,
        marks: &mut BTreeMap<&'a str, Mark>,
        path: &mut Vec<&'a str>,
    ) -> Option<Vec<String>> {
        marks.insert(t, Mark::Active);
        path.push(t);
        for d in deps(t) {
            match marks.get(d.as_str()).copied().unwrap_or(Mark::New) {
                Mark::Active => {
                    let start = path.iter().position(|p| *p == d).unwrap_or(0);
                    let mut cycle: Vec<String> = path[start..].iter().map(|s| s.to_string()).collect();
                    cycle.push(d.clone());
                    return Some(cycle);
                }
                Mark::New => {
                    if let Some(c) = visit(deps, d, marks, path) {
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
    for (t, _) in entries {
        if marks.get(t.as_str()).copied().unwrap_or(Mark::New) == Mark::New
            && let Some(c) = visit(&deps, t, &mut marks, &mut Vec::new())
        {
            return Some(c);
        }
    }
    None
}

/// The whole graph.
#[derive(Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GraphReport {
    pub source: String,
    pub types: Vec<String>,
    pub dependencies: serde_json::Map<String, serde_json::Value>,
    pub cascades: serde_json::Map<String, serde_json::Value>,
}

/// The whole graph, for `graph --json` and its table.
pub fn graph_report(graph: &Graph) -> GraphReport {
    let list = |v: Vec<String>| serde_json::Value::Array(v.into_iter().map(serde_json::Value::String).collect());
    GraphReport {
        source: graph.source.to_string(),
        types: graph.types().to_vec(),
        dependencies: graph
            .entries()
            .iter()
            .map(|(k, v)| (k.clone(), list(v.clone())))
            .collect(),
        cascades: graph
            .types()
            .iter()
            .map(|t| (t.clone(), list(graph.cascade(t))))
            .collect(),
    }
}

/// The answer for one type.
#[derive(Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TypeReport {
    pub source: String,
    #[serde(rename = "type")]
    pub type_name: String,
    /// The name as typed, when it was an alias.
    pub alias: Option<String>,
    /// Everything the type is built from, transitively.
    pub invalidated_by: Vec<String>,
    /// What invalidating the type clears, in clearing order (the type first).
    pub clears: Vec<String>,
    pub invalidated_by_tree: TreeNode,
    pub clears_tree: TreeNode,
}

pub fn type_report(graph: &Graph, t: &str, alias: Option<String>) -> TypeReport {
    TypeReport {
        source: graph.source.to_string(),
        type_name: t.to_string(),
        alias,
        invalidated_by: graph.invalidated_by(t),
        clears: graph.cascade(t),
        invalidated_by_tree: graph.dependency_tree(t),
        clears_tree: graph.dependent_tree(t),
    }
}

impl crate::hint::Hint for GraphError {
    fn hint(&self) -> Option<String> {
        Some(match self {
            GraphError::UnknownType { suggestion, known, .. } => match suggestion {
                Some(s) => format!("did you mean `{s}`? Known types: {}", known.join(", ")),
                None => format!("known types: {}", known.join(", ")),
            },
            GraphError::Cycle { .. } => {
                "a type cannot depend on itself, directly or through others: remove one edge of the cycle".into()
            }
            GraphError::Parse { .. } if self.to_string().contains("nested more than") => {
                "flatten the expression there (a constant per level), or point --graph at the real cache.ts".into()
            }
            GraphError::Parse { .. } => {
                "the file must declare `DEPENDENCIES: Record<string, string[]> = { type: ['dep', ...], ... }` \
from literals, string constants and enums, `as const` and spreads of constant objects or arrays"
                    .into()
            }
            GraphError::Io { .. } => "check the path given to --graph".into(),
        })
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
    fn built_in_aliases_follow_english_rules_and_match_the_protocol() {
        let g = Graph::built_in();
        let mut aliases: Vec<&str> = g.aliases().iter().map(|(a, _)| a.as_str()).collect();
        aliases.sort();
        assert_eq!(aliases, ["category", "page", "picture", "post", "translation", "type"]);
        for (plural, one) in [
            ("profiles", "profile"),
            ("entries", "entry"),
            ("boxes", "box"),
            ("news", ""),
        ] {
            assert_eq!(singular(plural).unwrap_or_default(), one, "{plural}");
        }
        assert_eq!(singular("feed"), None);
        assert_eq!(singular("auth"), None);
        // A new type gets its alias too.
        let g = Graph::new(vec![("profiles".into(), vec![])], GraphSource::BuiltIn).unwrap();
        assert_eq!(g.resolve("profile").unwrap().canonical, "profiles");
    }

    #[test]
    fn ts_reader_follows_constants_spreads_and_type_operators() {
        let src = r#"
const POSTS = 'posts' as const;
enum Kind { Pages = "pages" }
const MEDIA = ['categories', 'pictures'] as const;
const BASE = { [POSTS]: [...MEDIA] } satisfies Record<string, readonly string[]>;
export const DEPENDENCIES: Record<string, readonly string[]> = {
  ...BASE,
  [Kind.Pages]: [...MEDIA, `translations`], // comment
  /* block */ feed: [POSTS, Kind.Pages, MEDIA[0]],
} as const;
"#;
        let e = read_ts(src, Path::new("cache.ts")).unwrap();
        let names: Vec<&str> = e.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["posts", "pages", "feed"]);
        let feed: Vec<&str> = e[2].deps.iter().map(|(d, _)| d.as_str()).collect();
        assert_eq!(feed, ["posts", "pages", "categories"]);
        // Where `feed` is declared, and where its first dependency is written.
        assert_eq!((e[2].loc.pos.line, e[2].loc.pos.column), (9, 15));
        assert_eq!((e[2].deps[0].1.pos.line, e[2].deps[0].1.pos.column), (9, 22));
    }

    #[test]
    fn ts_reader_names_what_is_not_static() {
        let src = "const base = load();\nclass C {\n  static DEPENDENCIES = {\n    ...base,\n  };\n}\n";
        match parse_ts(src, "x.ts") {
            Err(GraphError::Parse {
                line, column, message, ..
            }) => {
                assert_eq!((line, column), (4, 5), "{message}");
                assert!(message.contains("load()"), "{message}");
            }
            other => panic!("{other:?}"),
        }
        match parse_ts("class C {\n  static DEPENDENCIES = { posts: [`a${x}`] };\n}\n", "x.ts") {
            Err(GraphError::Parse {
                line, column, message, ..
            }) => {
                assert_eq!((line, column), (2, 35), "{message}");
                assert!(message.contains("template"), "{message}");
            }
            other => panic!("{other:?}"),
        }
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
