//! The server's `appCache.invalidate(type, ...)` and `appCache.notify(type, ...)` calls.
//!
//! Every `.ts` file under the server directory is read, in parallel; only those that
//! mention `appCache` are parsed. A call's first argument is evaluated statically (a
//! literal, a constant of the file or one it imports); a name that is neither a type of the
//! graph nor an alias is a finding, and a value known only at run time is listed as not
//! checkable.

use std::path::{Path, PathBuf};

use oxc_allocator::Allocator;
use oxc_ast::AstKind;
use oxc_ast::ast::{Argument, CallExpression, Expression};
use oxc_ast_visit::Visit;
use oxc_span::GetSpan;
use rayon::prelude::*;

use super::{Kind, Located, suggest};
use crate::graph::Graph;
use crate::ts::{self, Env, Loader, Loc, Pos, Value};

/// What the scan found.
#[derive(Debug, Default)]
pub struct Scan {
    pub files: usize,
    pub calls: usize,
    pub findings: Vec<Located>,
}

/// The methods whose first argument is a cache type.
const METHODS: [&str; 2] = ["invalidate", "notify"];

/// Scans every server source file under `dir`.
pub fn scan(dir: &Path, graph: &Graph, graph_file: &str, loader: &Loader) -> std::io::Result<Scan> {
    let mut files = Vec::new();
    walk(dir, &mut files)?;
    files.sort();
    let finder = memchr::memmem::Finder::new(b"appCache");
    let per_file: Vec<(usize, Vec<Located>)> = files
        .par_iter()
        .map(|path| {
            let text = match std::fs::read(path) {
                Ok(bytes) => bytes,
                // Deleted between the walk and the read (an editor's temporary file, a
                // checkout in progress): it is not part of the tree any more.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return (0, Vec::new()),
                Err(e) => return (0, vec![unreadable(path, Pos { line: 1, column: 1 }, e.to_string())]),
            };
            if finder.find(&text).is_none() {
                return (0, Vec::new());
            }
            match String::from_utf8(text) {
                Ok(text) => check_file(path, &text, graph, graph_file, loader),
                Err(_) => (
                    0,
                    vec![unreadable(path, Pos { line: 1, column: 1 }, "not UTF-8 text".into())],
                ),
            }
        })
        .collect();
    let mut scan = Scan {
        files: files.len(),
        ..Scan::default()
    };
    for (calls, findings) in per_file {
        scan.calls += calls;
        scan.findings.extend(findings);
    }
    Ok(scan)
}

fn unreadable(path: &Path, pos: Pos, message: String) -> Located {
    Located {
        loc: Loc { file: path.into(), pos },
        kind: Kind::Unreadable,
        message,
        labels: Vec::new(),
    }
}

/// Server sources: `.ts`, `.mts`, `.cts` and `.tsx`, not declarations (`.d.ts`), not in
/// `node_modules` or hidden directories.
fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let ty = entry.file_type()?;
        if ty.is_dir() {
            if name != "node_modules" && !name.starts_with('.') {
                walk(&entry.path(), out)?;
            }
        } else if ty.is_file()
            && [".ts", ".mts", ".cts", ".tsx"].iter().any(|e| name.ends_with(e))
            && !name.ends_with(".d.ts")
        {
            out.push(entry.path());
        }
    }
    Ok(())
}

/// The calls of one file and what is wrong with them.
pub fn check_file(path: &Path, text: &str, graph: &Graph, graph_file: &str, loader: &Loader) -> (usize, Vec<Located>) {
    let alloc = Allocator::default();
    let program = match ts::parse(&alloc, path, text) {
        Ok(p) => p,
        Err(e) => {
            let mut found = unreadable(path, e.pos, format!("syntax error: {}", e.message));
            found.labels = e.labels;
            return (0, vec![found]);
        }
    };
    let mut found = Found::default();
    found.visit_program(&program);
    if found.calls.is_empty() {
        return (0, Vec::new());
    }
    let env = Env::new(loader, path, text, &program, vec![path.to_path_buf()]);
    let mut out = Vec::new();
    for (method, call) in &found.calls {
        let Some(arg) = call.arguments.first().and_then(Argument::as_expression) else {
            out.push(Located {
                loc: env.loc(call.span),
                kind: Kind::NotCheckable,
                message: format!("`appCache.{method}()` is called without a type"),
                labels: Vec::new(),
            });
            continue;
        };
        let item = env.eval(arg);
        let loc = env.loc(arg.span());
        match &item.value {
            Value::Str(name) => {
                if graph.types().contains(name) || graph.aliases().iter().any(|(a, _)| a == name) {
                    continue;
                }
                let hint = match suggest(name, graph) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!(
                        "if it is a new type, add it to DEPENDENCIES in {graph_file} (known: {})",
                        graph.types().join(", ")
                    ),
                };
                out.push(Located {
                    loc,
                    kind: Kind::UnknownType,
                    message: format!(
                        "`appCache.{method}('{}'{})`: not a type of the graph nor an alias; {hint}",
                        ts::escape(name),
                        if call.arguments.len() > 1 { ", ..." } else { "" }
                    ),
                    labels: Vec::new(),
                });
            }
            other => out.push(Located {
                loc,
                kind: Kind::NotCheckable,
                message: format!(
                    "`appCache.{method}({}{})`: the type is {}",
                    env.snippet(arg.span()),
                    if call.arguments.len() > 1 { ", ..." } else { "" },
                    match other {
                        Value::Unknown(why) => why.clone(),
                        v => v.describe(),
                    }
                ),
                labels: Vec::new(),
            }),
        }
    }
    (found.calls.len(), out)
}

#[derive(Default)]
struct Found<'a> {
    calls: Vec<(&'static str, &'a CallExpression<'a>)>,
}

impl<'a> Visit<'a> for Found<'a> {
    fn enter_node(&mut self, kind: AstKind<'a>) {
        if let AstKind::CallExpression(call) = kind
            && let Expression::StaticMemberExpression(m) = call.callee.get_inner_expression()
            && let Some(method) = METHODS.iter().find(|n| m.property.name == **n)
            && is_app_cache(&m.object)
        {
            self.calls.push((method, call));
        }
    }
}

/// `appCache`, `this.appCache`, `deps.appCache`.
fn is_app_cache(e: &Expression) -> bool {
    match e.get_inner_expression() {
        Expression::Identifier(id) => id.name == "appCache",
        Expression::StaticMemberExpression(m) => m.property.name == "appCache",
        _ => false,
    }
}
