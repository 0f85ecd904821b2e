//! TypeScript and TSX source read with a real parser (oxc): positions as line:column, and
//! the values of what a file declares statically.
//!
//! A value is statically known when it is written with literals (strings, templates without
//! `${...}`, arrays, objects, `+` of strings), through `as const`, `satisfies`, `!`, type
//! assertions and parentheses, from `const` declarations and string enums of the file, from
//! spreads of those, and from constants imported from other files of the project (relative
//! paths, `@/` for `<root>/src/`, `.js` written for `.ts`, `index` files, re-exports).
//! Anything else evaluates to [`Value::Unknown`], which says what it is and where, so that a
//! caller can either report it or skip it.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use oxc_allocator::Allocator;
use oxc_ast::AstKind;
use oxc_ast::ast::{
    Argument, ArrayExpressionElement, ArrowFunctionExpression, BinaryOperator, BindingPattern, CallExpression,
    Declaration, ExportDefaultDeclarationKind, Expression, Function, ImportDeclarationSpecifier, ObjectPropertyKind,
    Program, PropertyKey, Statement, TSEnumDeclaration, TSEnumMemberName, VariableDeclarationKind,
};
use oxc_ast_visit::Visit;
use oxc_parser::Parser;
use oxc_span::{GetSpan, SourceType, Span};

/// A 1-based line and column (in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
}

/// A position in a file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Loc {
    pub file: Arc<Path>,
    pub pos: Pos,
}

impl fmt::Display for Loc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file.display(), self.pos.line, self.pos.column)
    }
}

/// Byte offsets of line starts, to turn a span into a line and column.
#[derive(Debug, Clone)]
pub struct Lines {
    starts: Vec<usize>,
}

impl Lines {
    pub fn new(text: &str) -> Lines {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        Lines { starts }
    }

    /// The position of byte `offset` of `text`.
    pub fn pos(&self, text: &str, offset: u32) -> Pos {
        let offset = (offset as usize).min(text.len());
        let line = self.starts.partition_point(|s| *s <= offset).max(1);
        let start = self.starts[line - 1];
        let column = text.get(start..offset).map_or(offset - start, |s| s.chars().count()) + 1;
        Pos { line, column }
    }
}

/// Why a file could not be parsed: the first syntax error and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub pos: Pos,
    pub message: String,
    /// The parser's labels (`` `,` or `)` expected ``, `Opened here`), the primary one at `pos`.
    pub labels: Vec<SyntaxLabel>,
}

/// A place the parser points at in a syntax error.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct SyntaxLabel {
    pub pos: Pos,
    /// Characters from `pos`, at least 1 and not past the end of its line.
    pub width: usize,
    pub text: Option<String>,
    pub primary: bool,
}

/// The deepest nesting of brackets (`(`, `[`, `{`) a file may have. The parser and the
/// evaluator recurse once or more per level; real code stays below a few dozen, and every
/// thread that parses has a stack sized for this limit ([`STACK_SIZE`]).
pub const MAX_NESTING: usize = 1000;

/// The stack of every thread that may parse TypeScript (the main thread, the check pool,
/// the runtime's workers): ample for [`MAX_NESTING`] levels, reserved, not committed.
pub const STACK_SIZE: usize = 64 << 20;

/// Where the brackets of `text` first nest deeper than [`MAX_NESTING`], if they do. Counted
/// on the raw text (brackets in strings and comments too): it can only over-count, so a
/// file it passes is within the limit.
fn too_deep(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, b) in text.bytes().enumerate() {
        match b {
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Some(i);
                }
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// Parses TypeScript (or TSX, by the file's extension).
pub fn parse<'a>(alloc: &'a Allocator, path: &Path, text: &'a str) -> Result<Program<'a>, SyntaxError> {
    if let Some(offset) = too_deep(text) {
        return Err(SyntaxError {
            pos: Lines::new(text).pos(text, offset as u32),
            message: format!(
                "brackets nested more than {MAX_NESTING} levels deep here: polycache does not read files nested this deep"
            ),
            labels: Vec::new(),
        });
    }
    let source_type = SourceType::from_path(path).unwrap_or_else(|_| SourceType::ts());
    let ret = Parser::new(alloc, text, source_type).parse();
    if let Some(d) = ret.diagnostics.errors().next() {
        let lines = Lines::new(text);
        let first = d.labels.iter().position(|l| l.primary()).unwrap_or(0);
        let labels: Vec<SyntaxLabel> = d
            .labels
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let start = (l.offset() as usize).min(text.len());
                let end = (start + l.len() as usize).min(text.len());
                let on_line = text.get(start..end).unwrap_or("").split('\n').next().unwrap_or("");
                SyntaxLabel {
                    pos: lines.pos(text, l.offset()),
                    width: on_line.chars().count().max(1),
                    text: l.label().map(str::to_string),
                    primary: i == first,
                }
            })
            .collect();
        return Err(SyntaxError {
            pos: labels.get(first).map_or(Pos { line: 1, column: 1 }, |l| l.pos),
            message: d.message.to_string(),
            labels,
        });
    }
    if ret.panicked {
        return Err(SyntaxError {
            pos: Pos { line: 1, column: 1 },
            message: "the parser gave up on this file".into(),
            labels: Vec::new(),
        });
    }
    Ok(ret.program)
}

/// A statically evaluated value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Str(String),
    Array(Vec<Item>),
    /// Keys in order; a later key of the same name (from a spread) replaces the earlier one.
    Object(Vec<(Key, Item)>),
    /// A function: the calls written in its body, for callers that look at what it does.
    Function(Vec<CallSite>),
    /// Not known before the program runs; says what it is (`` `type`, a variable ``).
    Unknown(String),
}

/// A value and where it is written.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub value: Value,
    pub loc: Loc,
}

/// An object key and where it is written.
#[derive(Debug, Clone, PartialEq)]
pub struct Key {
    pub name: String,
    pub loc: Loc,
}

/// A call written in source: the callee as a dotted path (`queryClient.invalidateQueries`)
/// and its arguments, evaluated.
#[derive(Debug, Clone, PartialEq)]
pub struct CallSite {
    pub callee: String,
    pub args: Vec<Item>,
    pub loc: Loc,
}

impl Value {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The first part that is not statically known, with where it is, if any.
    pub fn first_unknown<'v>(&'v self, at: &'v Loc) -> Option<(&'v Loc, &'v str)> {
        match self {
            Value::Unknown(why) => Some((at, why)),
            Value::Array(items) => items.iter().find_map(|i| i.value.first_unknown(&i.loc)),
            Value::Object(entries) => entries.iter().find_map(|(_, i)| i.value.first_unknown(&i.loc)),
            Value::Str(_) | Value::Function(_) => None,
        }
    }

    /// A short description for messages: `"posts"`, `an array`, ...
    pub fn describe(&self) -> String {
        match self {
            Value::Str(s) => format!("the string \"{}\"", escape(s)),
            Value::Array(_) => "an array".into(),
            Value::Object(_) => "an object".into(),
            Value::Function(_) => "a function".into(),
            Value::Unknown(why) => why.clone(),
        }
    }

    /// A canonical text of a fully static value (for comparing query keys), or None.
    pub fn literal_text(&self) -> Option<String> {
        match self {
            Value::Str(s) => Some(serde_json::Value::String(s.clone()).to_string()),
            Value::Array(items) => {
                let parts: Option<Vec<String>> = items.iter().map(|i| i.value.literal_text()).collect();
                Some(format!("[{}]", parts?.join(", ")))
            }
            Value::Object(entries) => {
                let parts: Option<Vec<String>> = entries
                    .iter()
                    .map(|(k, i)| i.value.literal_text().map(|v| format!("{}: {v}", k.name)))
                    .collect();
                Some(format!("{{ {} }}", parts?.join(", ")))
            }
            Value::Function(_) | Value::Unknown(_) => None,
        }
    }
}

/// Control characters (and backslashes) of text from a file, escaped for display.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.extend(c.escape_default()),
            c => out.push(c),
        }
    }
    out
}

/// Reads and evaluates the exports of other files, each once; shared by threads.
#[derive(Default)]
pub struct Loader {
    /// The project root: `@/x` means `<root>/src/x`.
    root: Option<PathBuf>,
    cache: Mutex<HashMap<PathBuf, Arc<HashMap<String, Item>>>>,
}

/// How deep constants may refer to constants (and files import files) before giving up.
const MAX_DEPTH: usize = 32;

impl Loader {
    pub fn new(root: Option<PathBuf>) -> Loader {
        Loader {
            root,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// The file an import specifier names, when it is a file of this project.
    pub fn resolve(&self, from: &Path, spec: &str) -> Option<PathBuf> {
        let base = if spec.starts_with("./") || spec.starts_with("../") {
            from.parent()?.join(spec)
        } else if let Some(rest) = spec.strip_prefix("@/") {
            self.root.as_ref()?.join("src").join(rest)
        } else {
            return None;
        };
        let s = base.to_string_lossy().into_owned();
        let stem = [".js", ".jsx", ".mjs"]
            .iter()
            .find_map(|e| s.strip_suffix(e))
            .unwrap_or(&s)
            .to_string();
        let candidates = [
            s.clone(),
            format!("{stem}.ts"),
            format!("{stem}.tsx"),
            format!("{stem}.mts"),
            format!("{s}/index.ts"),
            format!("{s}/index.tsx"),
        ];
        candidates
            .into_iter()
            .map(|c| normalize(Path::new(&c)))
            .find(|p| p.is_file())
    }

    /// Every export of `path` that is a value, evaluated (unknown parts as [`Value::Unknown`]).
    fn exports(&self, path: &Path, visiting: &[PathBuf]) -> Arc<HashMap<String, Item>> {
        if let Some(e) = self.cache.lock().ok().and_then(|c| c.get(path).cloned()) {
            return e;
        }
        if visiting.len() > MAX_DEPTH || visiting.iter().any(|v| v == path) {
            return Arc::new(HashMap::new());
        }
        let mut stack = visiting.to_vec();
        stack.push(path.to_path_buf());
        let exports = Arc::new(self.read_exports(path, &stack));
        if let Ok(mut c) = self.cache.lock() {
            c.insert(path.to_path_buf(), exports.clone());
        }
        exports
    }

    fn read_exports(&self, path: &Path, stack: &[PathBuf]) -> HashMap<String, Item> {
        let mut out = HashMap::new();
        let Ok(text) = std::fs::read_to_string(path) else {
            return out;
        };
        let alloc = Allocator::default();
        let Ok(program) = parse(&alloc, path, &text) else {
            return out;
        };
        let env = Env::new(self, path, &text, &program, stack.to_vec());
        for stmt in &program.body {
            match stmt {
                Statement::ExportNamedDeclaration(e) => {
                    for s in &e.specifiers {
                        let local = s.local.name();
                        out.insert(s.exported.name().to_string(), env.lookup(&local, s.local.span()));
                    }
                }
                Statement::ExportDeclaration(e) => match &e.declaration {
                    Declaration::VariableDeclaration(v) => {
                        for d in &v.declarations {
                            if let (BindingPattern::BindingIdentifier(id), Some(init)) = (&d.id, &d.init) {
                                out.insert(id.name.to_string(), env.eval(init));
                            }
                        }
                    }
                    Declaration::TSEnumDeclaration(en) => {
                        out.insert(en.id.name.to_string(), env.eval_enum(en));
                    }
                    _ => {}
                },
                Statement::ExportFromDeclaration(e) => {
                    if let Some(file) = self.resolve(path, &e.source.value) {
                        let theirs = self.exports(&file, stack);
                        for s in &e.specifiers {
                            let name = s.local.name();
                            if let Some(v) = theirs.get(name.as_str()) {
                                out.insert(s.exported.name().to_string(), v.clone());
                            }
                        }
                    }
                }
                Statement::ExportAllDeclaration(e) => {
                    if let Some(file) = self.resolve(path, &e.source.value) {
                        let theirs = self.exports(&file, stack);
                        match &e.exported {
                            Some(ns) => {
                                let loc = env.loc(e.span);
                                out.insert(ns.name().to_string(), namespace(&theirs, loc));
                            }
                            None => {
                                for (k, v) in theirs.iter() {
                                    out.entry(k.clone()).or_insert_with(|| v.clone());
                                }
                            }
                        }
                    }
                }
                Statement::ExportDefaultDeclaration(e) => {
                    if let Some(expr) = e.declaration.as_expression() {
                        out.insert("default".into(), env.eval(expr));
                    } else if let ExportDefaultDeclarationKind::Identifier(id) = &e.declaration {
                        out.insert("default".into(), env.lookup(&id.name, id.span));
                    }
                }
                _ => {}
            }
        }
        out
    }
}

/// `a/./b/../c` as `a/c`, without touching the file system, so that a file reached by two
/// import paths has one name.
fn normalize(p: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if matches!(out.components().next_back(), Some(Component::Normal(_))) {
                    out.pop();
                } else {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// The exports of a module as one object (`import * as K`, `export * as K`).
fn namespace(exports: &HashMap<String, Item>, loc: Loc) -> Item {
    let mut entries: Vec<(Key, Item)> = exports
        .iter()
        .map(|(k, v)| {
            (
                Key {
                    name: k.clone(),
                    loc: v.loc.clone(),
                },
                v.clone(),
            )
        })
        .collect();
    entries.sort_by(|a, b| a.0.name.cmp(&b.0.name));
    Item {
        value: Value::Object(entries),
        loc,
    }
}

enum Import {
    Named { source: String, name: String },
    Namespace { source: String },
}

/// What one file declares, for evaluating its expressions.
pub struct Env<'a, 'l> {
    loader: &'l Loader,
    file: Arc<Path>,
    text: &'a str,
    lines: Lines,
    consts: HashMap<&'a str, &'a Expression<'a>>,
    enums: HashMap<&'a str, &'a TSEnumDeclaration<'a>>,
    /// `function name() {}` declarations, for following helpers.
    functions: HashMap<&'a str, &'a Function<'a>>,
    imports: HashMap<&'a str, Import>,
    stack: Vec<PathBuf>,
    depth: std::cell::Cell<usize>,
}

impl<'a, 'l> Env<'a, 'l> {
    /// The declarations of `program`: `const`s at any depth (a top-level one wins over a
    /// local one of the same name, else the first in the file), string enums, and imports.
    pub fn new(loader: &'l Loader, path: &Path, text: &'a str, program: &'a Program<'a>, stack: Vec<PathBuf>) -> Self {
        let mut collect = Collect::default();
        for stmt in &program.body {
            let decl = match stmt {
                Statement::VariableDeclaration(v) => Some(&**v),
                Statement::ExportDeclaration(e) => match &e.declaration {
                    Declaration::VariableDeclaration(v) => Some(&**v),
                    _ => None,
                },
                _ => None,
            };
            if let Some(v) = decl {
                collect.enter_node(AstKind::VariableDeclaration(v));
            }
        }
        collect.visit_program(program);
        Env {
            loader,
            file: Arc::from(path),
            text,
            lines: Lines::new(text),
            consts: collect.consts,
            enums: collect.enums,
            functions: collect.functions,
            imports: collect.imports,
            stack,
            depth: std::cell::Cell::new(0),
        }
    }

    pub fn file(&self) -> &Arc<Path> {
        &self.file
    }

    pub fn loc(&self, span: Span) -> Loc {
        Loc {
            file: self.file.clone(),
            pos: self.lines.pos(self.text, span.start),
        }
    }

    fn item(&self, value: Value, span: Span) -> Item {
        Item {
            value,
            loc: self.loc(span),
        }
    }

    /// The value of a name used at `span`.
    pub fn lookup(&self, name: &str, span: Span) -> Item {
        if let Some(expr) = self.consts.get(name) {
            if self.depth.get() > MAX_DEPTH {
                return self.item(Value::Unknown(format!("`{name}`, which refers to itself")), span);
            }
            self.depth.set(self.depth.get() + 1);
            let v = self.eval(expr);
            self.depth.set(self.depth.get() - 1);
            return v;
        }
        if let Some(en) = self.enums.get(name) {
            return self.eval_enum(en);
        }
        if let Some(f) = self.functions.get(name) {
            return self.item(Value::Function(self.calls_in_function(f)), f.span);
        }
        let unknown = |why: String| self.item(Value::Unknown(why), span);
        match self.imports.get(name) {
            Some(Import::Named { source, name: imported }) => match self.loader.resolve(&self.file, source) {
                Some(file) => match self.loader.exports(&file, &self.stack).get(imported.as_str()) {
                    Some(v) => v.clone(),
                    None => unknown(format!(
                        "`{name}`, imported from '{}', which does not export it as a constant",
                        escape(source)
                    )),
                },
                None => unknown(format!(
                    "`{name}`, imported from '{}', which is not a file of this project",
                    escape(source)
                )),
            },
            Some(Import::Namespace { source }) => match self.loader.resolve(&self.file, source) {
                Some(file) => namespace(&self.loader.exports(&file, &self.stack), self.loc(span)),
                None => unknown(format!(
                    "`{name}`, imported from '{}', which is not a file of this project",
                    escape(source)
                )),
            },
            None => unknown(format!("`{}`, which is not a constant of this file", escape(name))),
        }
    }

    fn eval_enum(&self, en: &TSEnumDeclaration<'a>) -> Item {
        let entries = en
            .body
            .members
            .iter()
            .map(|m| {
                let name = match &m.id {
                    TSEnumMemberName::Identifier(id) => id.name.to_string(),
                    TSEnumMemberName::String(s) => s.value.to_string(),
                    other => self
                        .text
                        .get(other.span().start as usize..other.span().end as usize)
                        .unwrap_or("")
                        .to_string(),
                };
                let value = match &m.initializer {
                    Some(init) => self.eval(init),
                    None => self.item(
                        Value::Unknown(format!("`{name}`, an enum member without a string value")),
                        m.span,
                    ),
                };
                (
                    Key {
                        name,
                        loc: self.loc(m.id.span()),
                    },
                    value,
                )
            })
            .collect();
        self.item(Value::Object(entries), en.span)
    }

    /// Evaluates an expression as far as it is statically known.
    pub fn eval(&self, expr: &Expression<'a>) -> Item {
        let span = expr.span();
        let expr = expr.get_inner_expression();
        let unknown = |why: String| self.item(Value::Unknown(why), span);
        match expr {
            Expression::StringLiteral(s) => self.item(Value::Str(s.value.to_string()), span),
            Expression::TemplateLiteral(t) => {
                let mut out = String::new();
                for (i, q) in t.quasis.iter().enumerate() {
                    out.push_str(q.value.cooked.as_deref().unwrap_or(&q.value.raw));
                    if let Some(e) = t.expressions.get(i) {
                        match self.eval(e).value {
                            Value::Str(s) => out.push_str(&s),
                            _ => {
                                return unknown(format!(
                                    "a template with `${{{}}}`, which is not a constant",
                                    self.snippet(e.span())
                                ));
                            }
                        }
                    }
                }
                self.item(Value::Str(out), span)
            }
            Expression::BinaryExpression(b) if b.operator == BinaryOperator::Addition => {
                // `a + b + c` is a left-deep chain, walked in a loop rather than recursively:
                // a chain of thousands of terms is flat text (no brackets) yet as deep as long.
                let mut rights = vec![&b.right];
                let mut left = &b.left;
                while let Expression::BinaryExpression(inner) = left.without_parentheses()
                    && inner.operator == BinaryOperator::Addition
                {
                    rights.push(&inner.right);
                    left = &inner.left;
                }
                let mut out = match self.eval(left).value {
                    Value::Str(s) => s,
                    _ => return unknown(format!("`{}`, which is not made of constants", self.snippet(span))),
                };
                for r in rights.into_iter().rev() {
                    match self.eval(r).value {
                        Value::Str(s) => out.push_str(&s),
                        _ => return unknown(format!("`{}`, which is not made of constants", self.snippet(span))),
                    }
                }
                self.item(Value::Str(out), span)
            }
            Expression::Identifier(id) => {
                let mut v = self.lookup(&id.name, id.span);
                // A string named by a constant is reported where it is used.
                if matches!(v.value, Value::Str(_) | Value::Unknown(_)) {
                    v.loc = self.loc(span);
                }
                v
            }
            Expression::ArrayExpression(a) => {
                let mut items = Vec::new();
                for el in &a.elements {
                    match el {
                        ArrayExpressionElement::SpreadElement(s) => match self.eval(&s.argument) {
                            Item {
                                value: Value::Array(more),
                                ..
                            } => items.extend(more),
                            other => items.push(Item {
                                value: Value::Unknown(format!("a spread of {}", other.value.describe())),
                                loc: self.loc(s.span),
                            }),
                        },
                        ArrayExpressionElement::Elision(_) => {}
                        other => {
                            if let Some(e) = other.as_expression() {
                                items.push(self.eval(e));
                            }
                        }
                    }
                }
                self.item(Value::Array(items), span)
            }
            Expression::ObjectExpression(o) => {
                let mut entries: Vec<(Key, Item)> = Vec::new();
                let mut written: HashMap<String, Pos> = HashMap::new();
                for p in &o.properties {
                    match p {
                        ObjectPropertyKind::SpreadProperty(s) => match self.eval(&s.argument) {
                            Item {
                                value: Value::Object(more),
                                ..
                            } => {
                                for (k, v) in more {
                                    insert(&mut entries, k, v);
                                }
                            }
                            other => {
                                let why = format!("a spread of {}", other.value.describe());
                                return self.item(Value::Unknown(why), s.span);
                            }
                        },
                        ObjectPropertyKind::ObjectProperty(p) => {
                            let key_loc = self.loc(p.key.span());
                            let name = match (&p.key, p.computed) {
                                (key, false) => key.static_name().map(|n| n.to_string()),
                                (PropertyKey::PrivateIdentifier(_), true) => None,
                                (key, true) => key.as_expression().and_then(|e| match self.eval(e).value {
                                    Value::Str(s) => Some(s),
                                    _ => None,
                                }),
                            };
                            let Some(name) = name else {
                                let why = format!("the key `{}`, which is not a constant", self.snippet(p.key.span()));
                                return self.item(Value::Unknown(why), p.key.span());
                            };
                            if let Some(first) = written.get(&name) {
                                return self.item(
                                    Value::Unknown(format!(
                                        "`{}` declared twice in one object (first at line {})",
                                        escape(&name),
                                        first.line
                                    )),
                                    p.key.span(),
                                );
                            }
                            written.insert(name.clone(), key_loc.pos);
                            let value = self.eval(&p.value);
                            insert(&mut entries, Key { name, loc: key_loc }, value);
                        }
                    }
                }
                self.item(Value::Object(entries), span)
            }
            Expression::StaticMemberExpression(m) => {
                let object = self.eval(&m.object);
                self.member(object, &m.property.name, span)
            }
            Expression::ComputedMemberExpression(m) => {
                let object = self.eval(&m.object);
                if let (Value::Array(items), Expression::NumericLiteral(n)) =
                    (&object.value, m.expression.get_inner_expression())
                {
                    let found = (n.value.fract() == 0.0 && n.value >= 0.0)
                        .then(|| items.get(n.value as usize))
                        .flatten();
                    return match found {
                        Some(v) => v.clone(),
                        None => unknown(format!("`{}`, past the end of the array", self.snippet(span))),
                    };
                }
                match self.eval(&m.expression).value {
                    Value::Str(k) => self.member(object, &k, span),
                    _ => unknown(format!(
                        "`{}`, indexed by a value known only at run time",
                        self.snippet(span)
                    )),
                }
            }
            Expression::ArrowFunctionExpression(f) => self.item(Value::Function(self.calls_in_arrow(f)), span),
            Expression::FunctionExpression(f) => self.item(Value::Function(self.calls_in_function(f)), span),
            Expression::CallExpression(c) if is_object_freeze(c) => {
                match c.arguments.first().and_then(Argument::as_expression) {
                    Some(e) => self.eval(e),
                    None => unknown("`Object.freeze()` of nothing".into()),
                }
            }
            Expression::NewExpression(n) if matches!(&n.callee, Expression::Identifier(id) if id.name == "Set") => {
                // `new Set([...])` holds the array's strings.
                match n.arguments.first().and_then(Argument::as_expression) {
                    Some(e) => self.eval(e),
                    None => self.item(Value::Array(Vec::new()), span),
                }
            }
            Expression::NewExpression(n) if matches!(&n.callee, Expression::Identifier(id) if id.name == "Map") => {
                // `new Map([[key, value], ...])` is an object keyed by strings.
                let Some(arg) = n.arguments.first().and_then(Argument::as_expression) else {
                    return self.item(Value::Object(Vec::new()), span);
                };
                let Value::Array(pairs) = self.eval(arg).value else {
                    return unknown(format!(
                        "`{}`, a Map of entries known only at run time",
                        self.snippet(span)
                    ));
                };
                let mut entries = Vec::new();
                for pair in pairs {
                    match pair.value {
                        Value::Array(kv) if kv.len() == 2 => {
                            let mut kv = kv.into_iter();
                            let (Some(k), Some(v)) = (kv.next(), kv.next()) else {
                                continue;
                            };
                            match k.value {
                                Value::Str(name) => insert(&mut entries, Key { name, loc: k.loc }, v),
                                _ => return unknown("a Map whose keys are not all constants".into()),
                            }
                        }
                        _ => return unknown("a Map whose entries are not all `[key, value]` pairs".into()),
                    }
                }
                self.item(Value::Object(entries), span)
            }
            Expression::NumericLiteral(_) | Expression::BooleanLiteral(_) | Expression::NullLiteral(_) => {
                unknown(format!("`{}`, which is not a string", self.snippet(span)))
            }
            _ => unknown(format!("`{}`, which is known only at run time", self.snippet(span))),
        }
    }

    fn member(&self, object: Item, key: &str, span: Span) -> Item {
        match object.value {
            Value::Object(entries) => match entries.into_iter().rev().find(|(k, _)| k.name == key) {
                Some((_, mut v)) => {
                    if matches!(v.value, Value::Str(_)) {
                        v.loc = self.loc(span);
                    }
                    v
                }
                None => self.item(
                    Value::Unknown(format!("`{}`, a key the object does not have", self.snippet(span))),
                    span,
                ),
            },
            Value::Unknown(_) => self.item(
                Value::Unknown(format!("`{}`, which is known only at run time", self.snippet(span))),
                span,
            ),
            other => self.item(
                Value::Unknown(format!(
                    "`{}`: {} has no key `{key}`",
                    self.snippet(span),
                    other.describe()
                )),
                span,
            ),
        }
    }

    /// The source text of a span, shortened to one line, control characters escaped.
    pub fn snippet(&self, span: Span) -> String {
        let s = self.text.get(span.start as usize..span.end as usize).unwrap_or("");
        let first = s.lines().next().unwrap_or("");
        let mut out: String = first.chars().take(60).collect();
        if out.len() < s.len() {
            out.push_str("...");
        }
        escape(&out)
    }

    /// Every call written in `f`'s body (nested functions included).
    pub fn calls_in_arrow(&self, f: &ArrowFunctionExpression<'a>) -> Vec<CallSite> {
        let mut c = Calls {
            env: self,
            out: Vec::new(),
        };
        c.visit_arrow_function_body(&f.body);
        c.out
    }

    pub fn calls_in_function(&self, f: &Function<'a>) -> Vec<CallSite> {
        let mut c = Calls {
            env: self,
            out: Vec::new(),
        };
        if let Some(body) = &f.body {
            c.visit_function_body(body);
        }
        c.out
    }

    /// Every call written in these statements (nested functions included).
    pub fn calls_in_statements<'s>(&self, stmts: impl IntoIterator<Item = &'s Statement<'a>>) -> Vec<CallSite>
    where
        'a: 's,
    {
        let mut c = Calls {
            env: self,
            out: Vec::new(),
        };
        for s in stmts {
            c.visit_statement(s);
        }
        c.out
    }

    /// Every call written in this expression.
    pub fn calls_in_expression(&self, e: &Expression<'a>) -> Vec<CallSite> {
        let mut c = Calls {
            env: self,
            out: Vec::new(),
        };
        c.visit_expression(e);
        c.out
    }

    /// A call as a [`CallSite`].
    pub fn call_site(&self, call: &CallExpression<'a>) -> CallSite {
        CallSite {
            callee: callee_path(&call.callee),
            args: call
                .arguments
                .iter()
                .map(|a| match a.as_expression() {
                    Some(e) => self.eval(e),
                    None => self.item(Value::Unknown("a spread argument".into()), a.span()),
                })
                .collect(),
            loc: self.loc(call.span),
        }
    }
}

fn is_object_freeze(c: &CallExpression) -> bool {
    callee_path(&c.callee) == "Object.freeze"
}

/// Inserts or replaces (by name) an object entry, as a later key or spread does in JS.
fn insert(entries: &mut Vec<(Key, Item)>, k: Key, v: Item) {
    match entries.iter_mut().find(|(old, _)| old.name == k.name) {
        Some(slot) => *slot = (k, v),
        None => entries.push((k, v)),
    }
}

/// `a.b.c` for a chain of names; other parts are written `(...)`, `[...]` or `this`.
pub fn callee_path(e: &Expression) -> String {
    match e.get_inner_expression() {
        Expression::Identifier(id) => id.name.to_string(),
        Expression::ThisExpression(_) => "this".into(),
        Expression::StaticMemberExpression(m) => format!("{}.{}", callee_path(&m.object), m.property.name),
        Expression::ComputedMemberExpression(m) => format!("{}[...]", callee_path(&m.object)),
        Expression::CallExpression(c) => format!("{}()", callee_path(&c.callee)),
        Expression::ChainExpression(c) => match c.expression.as_member_expression() {
            Some(m) => match m.static_property_name() {
                Some(p) => format!("{}.{p}", callee_path(m.object())),
                None => format!("{}[...]", callee_path(m.object())),
            },
            None => "(...)".into(),
        },
        _ => "(...)".into(),
    }
}

#[derive(Default)]
struct Collect<'a> {
    consts: HashMap<&'a str, &'a Expression<'a>>,
    functions: HashMap<&'a str, &'a Function<'a>>,
    enums: HashMap<&'a str, &'a TSEnumDeclaration<'a>>,
    imports: HashMap<&'a str, Import>,
}

impl<'a> Visit<'a> for Collect<'a> {
    fn enter_node(&mut self, kind: AstKind<'a>) {
        match kind {
            AstKind::VariableDeclaration(v) if v.kind == VariableDeclarationKind::Const => {
                for d in &v.declarations {
                    if let (BindingPattern::BindingIdentifier(id), Some(init)) = (&d.id, &d.init) {
                        self.consts.entry(id.name.as_str()).or_insert(init);
                    }
                }
            }
            AstKind::TSEnumDeclaration(en) => {
                self.enums.entry(en.id.name.as_str()).or_insert(en);
            }
            AstKind::Function(f) if f.is_declaration() => {
                if let Some(id) = &f.id {
                    self.functions.entry(id.name.as_str()).or_insert(f);
                }
            }
            AstKind::ImportDeclaration(it) => {
                let source = it.source.value.to_string();
                for s in it.specifiers.iter().flatten() {
                    let (local, import) = match s {
                        ImportDeclarationSpecifier::ImportSpecifier(s) => (
                            s.local.name.as_str(),
                            Import::Named {
                                source: source.clone(),
                                name: s.imported.name().to_string(),
                            },
                        ),
                        ImportDeclarationSpecifier::ImportDefaultSpecifier(s) => (
                            s.local.name.as_str(),
                            Import::Named {
                                source: source.clone(),
                                name: "default".into(),
                            },
                        ),
                        ImportDeclarationSpecifier::ImportNamespaceSpecifier(s) => {
                            (s.local.name.as_str(), Import::Namespace { source: source.clone() })
                        }
                    };
                    self.imports.insert(local, import);
                }
            }
            _ => {}
        }
    }
}

struct Calls<'e, 'a, 'l> {
    env: &'e Env<'a, 'l>,
    out: Vec<CallSite>,
}

impl<'a> Visit<'a> for Calls<'_, 'a, '_> {
    fn visit_call_expression(&mut self, it: &CallExpression<'a>) {
        self.out.push(self.env.call_site(it));
        oxc_ast_visit::walk::walk_call_expression(self, it);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval_const(src: &str, name: &str) -> Value {
        let alloc = Allocator::default();
        let path = Path::new("x.ts");
        let program = parse(&alloc, path, src).unwrap();
        let loader = Loader::new(None);
        let env = Env::new(&loader, path, src, &program, Vec::new());
        env.lookup(name, Span::new(0, 0)).value
    }

    fn strs(v: &Value) -> Vec<String> {
        match v {
            Value::Array(items) => items
                .iter()
                .map(|i| i.value.as_str().unwrap_or("?").to_string())
                .collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn constants_spreads_and_as_const_are_followed() {
        let src = "const P = 'po' + `sts`;\nconst BASE = [P, 'pages'] as const;\n\
                   export const ALL = [...BASE, /* c */ 'feed'] satisfies readonly string[];\n";
        assert_eq!(strs(&eval_const(src, "ALL")), ["posts", "pages", "feed"]);
    }

    #[test]
    fn enums_and_objects_are_read_by_member() {
        let src =
            "enum T { Posts = 'posts' }\nconst K = { a: T.Posts, ['b']: `x` } as const;\nconst V = [K.a, K['b']];";
        assert_eq!(strs(&eval_const(src, "V")), ["posts", "x"]);
    }

    #[test]
    fn unknown_parts_say_what_and_where() {
        let src = "function f(type: string) {\n  const X = ['a', type];\n}\n";
        let v = eval_const(src, "X");
        let Value::Array(items) = v else { panic!() };
        assert_eq!(items[1].loc.pos, Pos { line: 2, column: 19 });
        assert!(
            matches!(&items[1].value, Value::Unknown(w) if w.contains("`type`")),
            "{items:?}"
        );
    }

    #[test]
    fn a_top_level_constant_wins_over_a_local_one() {
        let src = "function f() { const K = 'local'; }\nconst K = 'top';\nconst V = [K];";
        assert_eq!(strs(&eval_const(src, "V")), ["top"]);
    }

    #[test]
    fn syntax_errors_have_a_position() {
        let alloc = Allocator::default();
        let e = parse(&alloc, Path::new("x.ts"), "const a = 1;\nconst = ;\n").unwrap_err();
        assert_eq!(e.pos.line, 2);
    }

    #[test]
    fn columns_count_characters() {
        let text = "é = 'x'\n  ab";
        let l = Lines::new(text);
        assert_eq!(l.pos(text, 3), Pos { line: 1, column: 3 });
        assert_eq!(l.pos(text, 11), Pos { line: 2, column: 3 });
    }

    #[test]
    fn paths_are_normalized_lexically() {
        assert_eq!(
            normalize(Path::new("/r/src/lib/./cache/../x.ts")),
            Path::new("/r/src/lib/x.ts")
        );
        assert_eq!(normalize(Path::new("../a/./b")), Path::new("../a/b"));
    }

    #[test]
    fn escape_shows_control_characters() {
        assert_eq!(escape("a\u{1b}[31mb\n"), "a\\u{1b}[31mb\\n");
    }
}
