//! `polycache check`: the design note's checklist for a mirrored cache type, verified from
//! the platform's source instead of by hand.
//!
//! 1. every `appCache.invalidate(...)` / `appCache.notify(...)` in the server names a type of
//!    the graph or an alias ([`calls`]);
//! 2. `StreamInvalidator.tsx` handles every type and its singular alias, and nothing the graph
//!    does not know ([`invalidator`]);
//! 3. a type and its alias reset the same React Query keys there;
//! 4. the graph has no cycle and no dependency that looks like a misspelt type;
//! 5. browsers receiving a type's `app-update` reset the query keys of every type the server
//!    clears with it ([`browser`]).
//!
//! Nothing here prints: [`run`] returns a [`CheckReport`].

pub mod browser;
pub mod calls;
pub mod invalidator;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::graph::{self, DeclaredEntry, Graph, GraphError, GraphSource};
use crate::ts::{self, Loc, Pos};

/// Where the platform's files are.
#[derive(Debug, Clone)]
pub struct Options {
    /// The checkout; paths in findings are shown relative to it.
    pub root: PathBuf,
    /// The file that declares `DEPENDENCIES` (or a `.json` graph).
    pub graph: PathBuf,
    /// The server's sources, searched for `appCache` calls.
    pub server_dir: PathBuf,
    /// The component that turns `app-update` events into React Query resets.
    pub invalidator: PathBuf,
}

impl Options {
    /// The layout of the platform under `root`.
    pub fn for_root(root: &Path) -> Options {
        let server_dir = root.join("server").join("src");
        Options {
            root: root.to_path_buf(),
            graph: server_dir.join("cache.ts"),
            server_dir,
            invalidator: root.join("src").join("components").join("StreamInvalidator.tsx"),
        }
    }
}

/// Why `check` could not run at all.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error("no server/src/cache.ts in {} or any directory above it", .from.display())]
    NoRoot { from: PathBuf },
    #[error(transparent)]
    Graph(#[from] GraphError),
    #[error("cannot read {path}: {message}")]
    Invalidator { path: String, message: String },
    #[error("cannot read the server directory {path}: {message}")]
    ServerDir { path: String, message: String },
}

/// What a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Kind {
    /// A call names a type that is neither a type of the graph nor an alias.
    UnknownType,
    /// A type (or its alias) that StreamInvalidator does not handle.
    NotHandled,
    /// A name StreamInvalidator handles that the graph does not know.
    UnknownHandled,
    /// A type and its alias reset different query keys.
    AliasMismatch,
    /// Invalidating a type clears another on the server, whose query keys browsers
    /// receiving the first do not reset.
    StaleInBrowsers,
    /// The graph has a cycle.
    Cycle,
    /// A dependency that is no declared type but looks like one (an alias, a typo).
    UnknownDependency,
    /// A call whose type is known only at run time (listed, not counted as a finding).
    NotCheckable,
    /// A file that could not be read or parsed.
    Unreadable,
}

impl Kind {
    pub fn label(self) -> &'static str {
        match self {
            Kind::UnknownType => "unknown type",
            Kind::NotHandled => "not handled",
            Kind::UnknownHandled => "unknown name",
            Kind::AliasMismatch => "alias mismatch",
            Kind::StaleInBrowsers => "stale in browsers",
            Kind::Cycle => "cycle",
            Kind::UnknownDependency => "unknown dependency",
            Kind::NotCheckable => "not checkable",
            Kind::Unreadable => "unreadable",
        }
    }

    /// The name in `--json` (`unknownType`), which SARIF and `--format compact` use too.
    pub fn id(self) -> &'static str {
        match self {
            Kind::UnknownType => "unknownType",
            Kind::NotHandled => "notHandled",
            Kind::UnknownHandled => "unknownHandled",
            Kind::AliasMismatch => "aliasMismatch",
            Kind::StaleInBrowsers => "staleInBrowsers",
            Kind::Cycle => "cycle",
            Kind::UnknownDependency => "unknownDependency",
            Kind::NotCheckable => "notCheckable",
            Kind::Unreadable => "unreadable",
        }
    }

    /// What this kind of finding says, in one sentence (a SARIF rule's description).
    pub fn description(self) -> &'static str {
        match self {
            Kind::UnknownType => {
                "An appCache.invalidate or appCache.notify call names neither a type of the graph nor an alias."
            }
            Kind::NotHandled => "A type, or its singular alias, that StreamInvalidator does not handle.",
            Kind::UnknownHandled => "A name StreamInvalidator handles that the graph does not know.",
            Kind::AliasMismatch => "A type and its alias reset different React Query keys.",
            Kind::StaleInBrowsers => {
                "Invalidating a type clears others on the server whose query keys browsers receiving its event keep."
            }
            Kind::Cycle => "The dependency graph has a cycle.",
            Kind::UnknownDependency => "A dependency that is no declared type but looks like one (an alias, a typo).",
            Kind::NotCheckable => "A call whose type is known only at run time.",
            Kind::Unreadable => "A file that could not be read or parsed.",
        }
    }

    /// Every kind, in order.
    pub const ALL: [Kind; 9] = [
        Kind::UnknownType,
        Kind::NotHandled,
        Kind::UnknownHandled,
        Kind::AliasMismatch,
        Kind::StaleInBrowsers,
        Kind::Cycle,
        Kind::UnknownDependency,
        Kind::NotCheckable,
        Kind::Unreadable,
    ];
}

/// One thing to fix (or to know), and where.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    /// Relative to the root when under it.
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub kind: Kind,
    pub message: String,
    /// The lines it points at, as the file has them, for an excerpt (not in `--json`).
    #[serde(skip)]
    pub excerpt: Option<Excerpt>,
    /// What the parser points at, for a syntax error (made into the excerpt's marks).
    #[serde(skip)]
    pub labels: Vec<ts::SyntaxLabel>,
}

/// The source lines of a finding, and what on them it is about.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Excerpt {
    /// The number of the first of `lines`.
    pub first_line: usize,
    /// From the first mark's line to the last's, without line breaks; not escaped.
    pub lines: Vec<String>,
    /// The finding's own mark first: its token (the string, name or bracket at its column),
    /// or what a syntax error's labels point at.
    pub marks: Vec<Mark>,
}

/// A place on a line of an [`Excerpt`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Mark {
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
    /// Characters, at least 1.
    pub width: usize,
    pub label: Option<String>,
    /// The finding's own place (else a related one, such as where a bracket was opened).
    pub primary: bool,
}

/// The outcome of a check.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckReport {
    pub root: String,
    pub graph: String,
    pub server_dir: String,
    pub invalidator: String,
    pub types: Vec<String>,
    /// `{ "alias": "post", "type": "posts" }` for every singular alias.
    pub aliases: Vec<Alias>,
    /// Server files read (those that mention `appCache` are parsed).
    pub files_scanned: usize,
    /// `appCache.invalidate` / `appCache.notify` calls found.
    pub call_sites: usize,
    /// Names StreamInvalidator handles, sorted.
    pub handled: Vec<String>,
    /// What to fix: exit code 3 when not empty.
    pub findings: Vec<Finding>,
    /// Calls whose type is known only at run time.
    pub not_checkable: Vec<Finding>,
    /// Files that could not be read or parsed: exit code 1 when not empty.
    pub unreadable: Vec<Finding>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Alias {
    pub alias: String,
    #[serde(rename = "type")]
    pub type_name: String,
}

/// The checkout to check: `--root`, else the nearest directory above `cwd` that has
/// `server/src/cache.ts`.
pub fn find_root(cwd: &Path) -> Result<PathBuf, CheckError> {
    graph::discover(cwd)
        .and_then(|cache| cache.parent()?.parent()?.parent().map(Path::to_path_buf))
        .ok_or_else(|| CheckError::NoRoot {
            from: cwd.to_path_buf(),
        })
}

/// Runs every check.
pub fn run(opts: &Options) -> Result<CheckReport, CheckError> {
    let rel = |p: &Path| relative(&opts.root, p);
    let mut findings = Vec::new();

    // 4. The graph: read with positions, cycles and unknown dependencies as findings.
    let (graph, declared) = load_graph(&opts.graph)?;
    let graph_problems = graph_findings(&declared, &rel);
    // A dependency reported as a misspelt type is not a type for the other checks: one
    // mistake, one finding.
    let misspelt: BTreeSet<&str> = graph_problems
        .iter()
        .filter(|(f, _)| f.kind == Kind::UnknownDependency)
        .map(|(_, name)| name.as_str())
        .collect();
    let graph = if misspelt.is_empty() {
        graph
    } else {
        let entries = graph
            .entries()
            .iter()
            .map(|(k, deps)| {
                let kept = deps.iter().filter(|d| !misspelt.contains(d.as_str())).cloned();
                (k.clone(), kept.collect())
            })
            .collect();
        Graph::unchecked(entries, graph.source.clone())
    };
    findings.extend(graph_problems.iter().map(|(f, _)| f.clone()));

    // 1. The server's calls.
    let loader = ts::Loader::new(Some(opts.root.clone()));
    let scan =
        calls::scan(&opts.server_dir, &graph, &rel(&opts.graph), &loader).map_err(|e| CheckError::ServerDir {
            path: opts.server_dir.display().to_string(),
            message: e.to_string(),
        })?;
    let mut not_checkable = Vec::new();
    let mut unreadable = Vec::new();
    // A finding as the report holds it: its file relative to the root.
    let reported = |f: Located| Finding {
        file: rel(&f.loc.file),
        line: f.loc.pos.line,
        column: f.loc.pos.column,
        kind: f.kind,
        message: f.message,
        excerpt: None,
        labels: f.labels,
    };
    for f in scan.findings {
        let kind = f.kind;
        let finding = reported(f);
        match kind {
            Kind::NotCheckable => not_checkable.push(finding),
            Kind::Unreadable => unreadable.push(finding),
            _ => findings.push(finding),
        }
    }

    // 2 and 3. The invalidator.
    let text = std::fs::read_to_string(&opts.invalidator).map_err(|e| CheckError::Invalidator {
        path: opts.invalidator.display().to_string(),
        message: e.to_string(),
    })?;
    let mut handled = BTreeSet::new();
    match invalidator::analyse(&opts.invalidator, &text, &graph, &loader) {
        Err(e) => unreadable.push(Finding {
            file: rel(&opts.invalidator),
            line: e.pos.line,
            column: e.pos.column,
            kind: Kind::Unreadable,
            message: format!("syntax error: {}", e.message),
            excerpt: None,
            labels: e.labels,
        }),
        Ok(analysis) => {
            handled.extend(analysis.handled.iter().map(|h| h.name.clone()));
            let declared_at = |t: &str| type_loc(&declared, t, &opts.graph);
            let (inv, gf) = (rel(&opts.invalidator), rel(&opts.graph));
            // A cycle makes every cascade on it meaningless: it is the one finding then.
            let cyclic = findings.iter().any(|f: &Finding| f.kind == Kind::Cycle);
            let drift = if cyclic {
                Vec::new()
            } else {
                browser::Browsers::new(&analysis, &opts.invalidator, &opts.root).findings(&graph)
            };
            for f in invalidator::findings(&analysis, &graph, &inv, &gf, &declared_at)
                .into_iter()
                .chain(drift)
            {
                findings.push(reported(f));
            }
        }
    }

    findings.sort();
    findings.dedup();
    not_checkable.sort();
    unreadable.sort();
    let mut sources = Sources::default();
    for f in findings.iter_mut().chain(&mut not_checkable).chain(&mut unreadable) {
        f.excerpt = sources.excerpt(&opts.root, f);
    }
    Ok(CheckReport {
        root: opts.root.display().to_string(),
        graph: rel(&opts.graph),
        server_dir: rel(&opts.server_dir),
        invalidator: rel(&opts.invalidator),
        types: graph.types().to_vec(),
        aliases: graph
            .aliases()
            .iter()
            .map(|(a, t)| Alias {
                alias: a.clone(),
                type_name: t.clone(),
            })
            .collect(),
        files_scanned: scan.files,
        call_sites: scan.calls,
        handled: handled.into_iter().collect(),
        findings,
        not_checkable,
        unreadable,
    })
}

/// The files findings are in, each read once, as lines.
#[derive(Default)]
struct Sources {
    files: std::collections::HashMap<String, Option<Vec<String>>>,
}

impl Sources {
    fn excerpt(&mut self, root: &Path, f: &Finding) -> Option<Excerpt> {
        let lines = self.files.entry(f.file.clone()).or_insert_with(|| {
            // `file` is relative to the root, or absolute when outside it.
            let text = std::fs::read_to_string(root.join(&f.file)).ok()?;
            Some(text.lines().map(str::to_string).collect())
        });
        let lines = lines.as_ref()?;
        let line = |n: usize| lines.get(n.checked_sub(1)?);
        let mut marks: Vec<Mark> = f
            .labels
            .iter()
            .filter(|l| line(l.pos.line).is_some())
            .map(|l| Mark {
                line: l.pos.line,
                column: l.pos.column,
                width: l.width,
                label: l.text.clone(),
                primary: l.primary,
            })
            .collect();
        marks.sort_by_key(|m| !m.primary);
        if marks.is_empty() {
            marks.push(Mark {
                line: f.line,
                column: f.column,
                width: token_width(line(f.line)?, f.column),
                label: None,
                primary: true,
            });
        }
        let first = marks.iter().map(|m| m.line).min()?;
        let last = marks.iter().map(|m| m.line).max()?;
        Some(Excerpt {
            first_line: first,
            lines: (first..=last).map(|n| line(n).cloned()).collect::<Option<_>>()?,
            marks,
        })
    }
}

/// How many characters from `column` (1-based, in characters) the token there takes: a
/// quoted string up to its closing quote, a name, else one character.
fn token_width(line: &str, column: usize) -> usize {
    let rest: Vec<char> = line.chars().skip(column.saturating_sub(1)).collect();
    let Some(&first) = rest.first() else {
        return 1;
    };
    let name = |c: &char| c.is_alphanumeric() || *c == '_' || *c == '$';
    if matches!(first, '\'' | '"' | '`') {
        let mut escaped = false;
        for (i, &c) in rest.iter().enumerate().skip(1) {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                c if c == first => return i + 1,
                _ => {}
            }
        }
        rest.len()
    } else if name(&first) {
        rest.iter().take_while(|c| name(c)).count()
    } else {
        1
    }
}

/// A finding before its path is made relative.
#[derive(Debug, Clone)]
pub struct Located {
    pub loc: Loc,
    pub kind: Kind,
    pub message: String,
    /// What the parser points at, for a syntax error.
    pub labels: Vec<ts::SyntaxLabel>,
}

/// The graph and its declared entries (with positions; none for a JSON graph).
fn load_graph(path: &Path) -> Result<(Graph, Vec<DeclaredEntry>), CheckError> {
    let source = GraphSource::Flag(path.to_path_buf());
    if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("json")) {
        let g = Graph::from_file(path, source)?;
        return Ok((g, Vec::new()));
    }
    let text = std::fs::read_to_string(path).map_err(|e| GraphError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    })?;
    let declared = graph::read_ts(&text, path)?;
    let entries = declared
        .iter()
        .map(|e| (e.name.clone(), e.deps.iter().map(|(d, _)| d.clone()).collect()))
        .collect();
    Ok((Graph::unchecked(entries, source), declared))
}

/// Where a type is declared (its key), else where it is first named as a dependency.
fn type_loc(declared: &[DeclaredEntry], t: &str, graph_file: &Path) -> Loc {
    declared
        .iter()
        .find(|e| e.name == t)
        .map(|e| e.loc.clone())
        .or_else(|| {
            declared
                .iter()
                .flat_map(|e| e.deps.iter())
                .find(|(d, _)| d == t)
                .map(|(_, l)| l.clone())
        })
        .unwrap_or_else(|| Loc {
            file: graph_file.into(),
            pos: Pos { line: 1, column: 1 },
        })
}

/// Cycles and dependencies that are no declared type but look like one, each with the
/// name it is about.
fn graph_findings(declared: &[DeclaredEntry], rel: &dyn Fn(&Path) -> String) -> Vec<(Finding, String)> {
    let mut out = Vec::new();
    let at = |loc: &Loc, kind: Kind, message: String| Finding {
        file: rel(&loc.file),
        line: loc.pos.line,
        column: loc.pos.column,
        kind,
        message,
        excerpt: None,
        labels: Vec::new(),
    };
    let entries: Vec<(String, Vec<String>)> = declared
        .iter()
        .map(|e| (e.name.clone(), e.deps.iter().map(|(d, _)| d.clone()).collect()))
        .collect();
    if let Some(cycle) = graph::find_cycle(&entries) {
        // Reported where the edge that closes the cycle is written.
        let n = cycle.len();
        let (from, to) = (&cycle[n.saturating_sub(2)], &cycle[n - 1]);
        let loc = declared
            .iter()
            .find(|e| &e.name == from)
            .and_then(|e| e.deps.iter().find(|(d, _)| d == to))
            .map(|(_, l)| l.clone());
        if let Some(loc) = loc {
            out.push((
                at(
                    &loc,
                Kind::Cycle,
                format!(
                    "the dependency graph has a cycle: {}; remove one of its edges (a type cannot be built from itself)",
                    cycle.iter().map(|c| ts::escape(c)).collect::<Vec<_>>().join(" -> ")
                    ),
                ),
                to.clone(),
            ));
        }
    }
    let keys: Vec<&str> = declared.iter().map(|e| e.name.as_str()).collect();
    for e in declared {
        for (d, loc) in &e.deps {
            if keys.contains(&d.as_str()) {
                continue;
            }
            if let Some(near) = near_type(d, &keys) {
                out.push((
                    at(
                        loc,
                        Kind::UnknownDependency,
                        format!(
                            "`{}` (in the list of `{}`) is not a declared type; did you mean `{near}`?",
                            ts::escape(d),
                            ts::escape(&e.name)
                        ),
                    ),
                    d.clone(),
                ));
            }
        }
    }
    out
}

/// A declared type that `name` is probably meant to be: its alias, another case, or one
/// or two letters off. Types named only as dependencies (`pictures`) are valid as they
/// are, so only a near miss of a declared key is reported.
fn near_type<'k>(name: &str, keys: &[&'k str]) -> Option<&'k str> {
    let lower = name.to_ascii_lowercase();
    keys.iter()
        .find(|k| k.eq_ignore_ascii_case(name) || graph::singular(k).is_some_and(|s| s.eq_ignore_ascii_case(name)))
        .or_else(|| {
            keys.iter()
                .map(|k| (graph::edit_distance(&lower, k), k))
                .filter(|(d, k)| *d == 1 || (*d == 2 && k.len() >= 8))
                .min_by_key(|(d, _)| *d)
                .map(|(_, k)| k)
        })
        .copied()
}

/// "did you mean" among the types and aliases of the graph.
pub fn suggest(name: &str, graph: &Graph) -> Option<String> {
    let lower = name.to_ascii_lowercase();
    let names = graph
        .types()
        .iter()
        .map(String::as_str)
        .chain(graph.aliases().iter().map(|(a, _)| a.as_str()));
    names
        .map(|n| (graph::edit_distance(&lower, n), n))
        .filter(|(d, n)| *d <= (n.len().max(lower.len()) / 3).max(2))
        .min_by_key(|(d, _)| *d)
        .map(|(_, n)| n.to_string())
}

/// `p` relative to `root` when under it, else as given.
pub fn relative(root: &Path, p: &Path) -> String {
    p.strip_prefix(root)
        .ok()
        .filter(|r| !r.as_os_str().is_empty())
        .unwrap_or(p)
        .display()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_types_are_aliases_cases_and_typos_of_declared_keys() {
        let keys = ["posts", "categories", "feed"];
        assert_eq!(near_type("post", &keys), Some("posts"));
        assert_eq!(near_type("Posts", &keys), Some("posts"));
        assert_eq!(near_type("categores", &keys), Some("categories"));
        assert_eq!(near_type("pictures", &keys), None);
        assert_eq!(near_type("types", &keys), None);
    }

    #[test]
    fn the_token_at_a_column_is_a_string_a_name_or_one_character() {
        let line = r#"  await appCache.notify('cat\'s', { id }); x"#;
        assert_eq!(token_width(line, 9), "appCache".len());
        assert_eq!(token_width(line, 25), r"'cat\'s'".len());
        assert_eq!(token_width(line, 24), 1, "a bracket");
        assert_eq!(token_width(line, 200), 1, "past the end");
        assert_eq!(token_width("  'open", 3), 5, "unclosed: to the end");
    }

    #[test]
    fn kind_ids_are_the_json_names() {
        for k in Kind::ALL {
            assert_eq!(serde_json::to_value(k).unwrap(), k.id());
        }
    }

    #[test]
    fn suggestions_come_from_types_and_aliases() {
        let g = Graph::built_in();
        assert_eq!(suggest("postz", &g).as_deref(), Some("posts"));
        assert_eq!(suggest("categry", &g).as_deref(), Some("category"));
        assert_eq!(suggest("zzzzzz", &g), None);
    }
}
