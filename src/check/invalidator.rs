//! What `StreamInvalidator.tsx` handles: the names of cache types it reacts to, and the
//! React Query keys each one resets.
//!
//! An expression is "the event's type" when it is a name, or a property, whose name
//! contains `type` or `entity` (`type`, `event.type`, `data?.entityType`). The shapes read:
//!
//! - `switch (type) { case 'posts': case 'post': ... }` (cases that fall through share the
//!   statements up to the `break`);
//! - `if (type === 'posts' || type === 'post') { ... }`;
//! - `if (POST_TYPES.includes(type)) { ... }` (an array or `new Set` of names), and
//!   `if (type in KEYS) { ... }` (an object's keys);
//! - `HANDLERS[type]` or `HANDLERS.get(type)` on an object literal or `new Map` whose keys
//!   are names and whose values are handlers (functions) or query keys;
//!
//! with every name and map taken through constants, enums, `as const` and imports. A site
//! counts only when at least one of its names is a type or alias of the graph, so that a
//! `switch` on something else (an SSE event name, a content type) is not read as one.
//!
//! What a name resets: the `queryKey` of every `invalidateQueries`, `resetQueries`,
//! `refetchQueries`, `removeQueries` and `cancelQueries` call in its handler (and in the
//! functions of the file it calls), or the query keys a map gives it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use oxc_allocator::Allocator;
use oxc_ast::AstKind;
use oxc_ast::ast::{Argument, BinaryOperator, Expression, Statement, SwitchStatement};
use oxc_ast_visit::Visit;
use oxc_span::{GetSpan, Span};

use super::{Kind, Located, suggest};
use crate::graph::Graph;
use crate::ts::{self, CallSite, Env, Item, Loader, Loc, SyntaxError, Value};

/// The React Query methods that reset what a key names.
const QUERY_METHODS: [&str; 5] = [
    "invalidateQueries",
    "resetQueries",
    "refetchQueries",
    "removeQueries",
    "cancelQueries",
];

/// The query keys a handler resets.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Resets {
    /// Fully literal keys, as canonical text (`["posts"]`).
    pub literal: BTreeSet<String>,
    /// Whether some key is known only at run time (`['post', id]`).
    pub dynamic: bool,
    /// Whether some call may reset any key: no argument (every query), a `predicate`, or a
    /// key that is not even an array.
    pub open: bool,
}

/// One name handled at one place.
#[derive(Debug, Clone)]
pub struct Handled {
    pub name: String,
    pub loc: Loc,
    pub resets: Resets,
}

#[derive(Debug, Default)]
pub struct Analysis {
    pub handled: Vec<Handled>,
}

/// Reads the invalidator and what it handles.
pub fn analyse(path: &Path, text: &str, graph: &Graph, loader: &Loader) -> Result<Analysis, SyntaxError> {
    let alloc = Allocator::default();
    let program = ts::parse(&alloc, path, text)?;
    let env = Env::new(loader, path, text, &program, vec![path.to_path_buf()]);
    let mut sites = Sites {
        env: &env,
        groups: Vec::new(),
    };
    sites.visit_program(&program);
    let known = |n: &str| graph.types().iter().any(|t| t == n) || graph.aliases().iter().any(|(a, _)| a == n);
    let mut handled = Vec::new();
    for group in sites.groups {
        if group.iter().any(|h| known(&h.name)) {
            handled.extend(group);
        }
    }
    Ok(Analysis { handled })
}

/// Each name handled: where it is first handled, and everything it resets anywhere.
pub fn per_name(analysis: &Analysis) -> BTreeMap<String, (Loc, Resets)> {
    let mut by_name: BTreeMap<String, (Loc, Resets)> = BTreeMap::new();
    for h in &analysis.handled {
        let slot = by_name
            .entry(h.name.clone())
            .or_insert_with(|| (h.loc.clone(), Resets::default()));
        if h.loc < slot.0 {
            slot.0 = h.loc.clone();
        }
        slot.1.literal.extend(h.resets.literal.iter().cloned());
        slot.1.dynamic |= h.resets.dynamic;
        slot.1.open |= h.resets.open;
    }
    by_name
}

/// Types and aliases not handled, names handled that the graph does not know, and
/// aliases that reset other keys than their type.
pub fn findings(
    analysis: &Analysis,
    graph: &Graph,
    invalidator: &str,
    graph_file: &str,
    declared_at: &dyn Fn(&str) -> Loc,
) -> Vec<Located> {
    let by_name = per_name(analysis);
    let mut out = Vec::new();
    let mut push = |loc: Loc, kind: Kind, message: String| {
        out.push(Located {
            loc,
            kind,
            message,
            labels: Vec::new(),
        })
    };
    for t in graph.types() {
        let alias = graph.aliases().iter().find(|(_, ty)| ty == t).map(|(a, _)| a.as_str());
        let on_type = by_name.get(t.as_str());
        let on_alias = alias.and_then(|a| by_name.get(a));
        let t_ = ts::escape(t);
        match (on_type, alias, on_alias) {
            (None, None, _) => push(
                declared_at(t),
                Kind::NotHandled,
                format!("`{t_}` is not handled by {invalidator}: its app-update resets nothing in the browser"),
            ),
            (None, Some(a), None) => push(
                declared_at(t),
                Kind::NotHandled,
                format!(
                    "neither `{t_}` (sent by mirrors) nor its alias `{}` (notified by CRUD routes) is handled by {invalidator}",
                    ts::escape(a)
                ),
            ),
            (None, Some(a), Some((loc, _))) => push(
                loc.clone(),
                Kind::NotHandled,
                format!(
                    "`{}` is handled here but not `{t_}`, the plural that mirrors send: map both to the same query keys",
                    ts::escape(a)
                ),
            ),
            (Some((loc, _)), Some(a), None) => push(
                loc.clone(),
                Kind::NotHandled,
                format!(
                    "`{t_}` is handled here but not its alias `{}`, the singular that CRUD routes notify: map both to the same query keys",
                    ts::escape(a)
                ),
            ),
            (Some((tloc, tr)), Some(a), Some((aloc, ar))) => {
                if !tr.literal.is_empty() && !ar.literal.is_empty() && tr.literal != ar.literal {
                    push(
                        aloc.clone(),
                        Kind::AliasMismatch,
                        format!(
                            "`{}` resets {} but `{t_}` (line {}) resets {}: map both to the same query keys",
                            ts::escape(a),
                            keys_text(&ar.literal),
                            tloc.pos.line,
                            keys_text(&tr.literal)
                        ),
                    );
                }
            }
            (Some(_), None, _) => {}
        }
    }
    let mut seen = BTreeSet::new();
    for h in &analysis.handled {
        let known = graph.types().contains(&h.name) || graph.aliases().iter().any(|(a, _)| *a == h.name);
        if known || !seen.insert((h.name.clone(), h.loc.clone())) {
            continue;
        }
        let hint = match suggest(&h.name, graph) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!("add it to DEPENDENCIES in {graph_file}, or remove it here"),
        };
        push(
            h.loc.clone(),
            Kind::UnknownHandled,
            format!(
                "`{}` is handled here but is neither a type of the graph nor an alias; {hint}",
                ts::escape(&h.name)
            ),
        );
    }
    out
}

fn keys_text(keys: &BTreeSet<String>) -> String {
    keys.iter().map(|k| ts::escape(k)).collect::<Vec<_>>().join(", ")
}

struct Sites<'e, 'a, 'l> {
    env: &'e Env<'a, 'l>,
    groups: Vec<Vec<Handled>>,
}

impl<'a> Visit<'a> for Sites<'_, 'a, '_> {
    fn enter_node(&mut self, kind: AstKind<'a>) {
        let group = match kind {
            AstKind::SwitchStatement(sw) if is_type_expr(&sw.discriminant) => self.switch(sw),
            AstKind::IfStatement(s) => {
                let names = self.names_in_test(&s.test);
                if names.is_empty() {
                    return;
                }
                let resets = self.resets_of_calls(&self.env.calls_in_statements([&s.consequent]), 0);
                with_resets(names, &resets)
            }
            AstKind::ComputedMemberExpression(m) if is_type_expr(&m.expression) => self.map(&m.object),
            AstKind::CallExpression(c) => match (c.callee.get_inner_expression(), first_arg(&c.arguments)) {
                (Expression::StaticMemberExpression(m), Some(arg)) if m.property.name == "get" && is_type_expr(arg) => {
                    self.map(&m.object)
                }
                _ => return,
            },
            _ => return,
        };
        if !group.is_empty() {
            self.groups.push(group);
        }
    }
}

fn first_arg<'x, 'a>(args: &'x [Argument<'a>]) -> Option<&'x Expression<'a>> {
    args.first().and_then(Argument::as_expression)
}

fn with_resets(names: Vec<(String, Loc)>, resets: &Resets) -> Vec<Handled> {
    names
        .into_iter()
        .map(|(name, loc)| Handled {
            name,
            loc,
            resets: resets.clone(),
        })
        .collect()
}

impl<'a> Sites<'_, 'a, '_> {
    fn switch(&self, sw: &SwitchStatement<'a>) -> Vec<Handled> {
        let mut out = Vec::new();
        for (i, case) in sw.cases.iter().enumerate() {
            let Some(test) = &case.test else { continue };
            let Value::Str(name) = self.env.eval(test).value else {
                continue;
            };
            // The statements this case runs: its own and those it falls through to.
            let mut stmts: Vec<&Statement<'a>> = Vec::new();
            for next in &sw.cases[i..] {
                stmts.extend(next.consequent.iter());
                if next.consequent.last().is_some_and(exits) {
                    break;
                }
            }
            let resets = self.resets_of_calls(&self.env.calls_in_statements(stmts), 0);
            out.push(Handled {
                name,
                loc: self.env.loc(test.span()),
                resets,
            });
        }
        out
    }

    /// The names an `if` test compares the event's type with.
    fn names_in_test(&self, e: &Expression<'a>) -> Vec<(String, Loc)> {
        match e.get_inner_expression() {
            Expression::LogicalExpression(l) => {
                let mut v = self.names_in_test(&l.left);
                v.extend(self.names_in_test(&l.right));
                v
            }
            Expression::BinaryExpression(b)
                if matches!(b.operator, BinaryOperator::StrictEquality | BinaryOperator::Equality) =>
            {
                let other = if is_type_expr(&b.left) {
                    &b.right
                } else if is_type_expr(&b.right) {
                    &b.left
                } else {
                    return Vec::new();
                };
                match self.env.eval(other).value {
                    Value::Str(s) => vec![(s, self.env.loc(other.span()))],
                    _ => Vec::new(),
                }
            }
            Expression::BinaryExpression(b) if b.operator == BinaryOperator::In && is_type_expr(&b.left) => {
                match self.env.eval(&b.right).value {
                    Value::Object(entries) => entries.into_iter().map(|(k, _)| (k.name, k.loc)).collect(),
                    _ => Vec::new(),
                }
            }
            Expression::CallExpression(c) => match (c.callee.get_inner_expression(), first_arg(&c.arguments)) {
                (Expression::StaticMemberExpression(m), Some(arg))
                    if matches!(m.property.name.as_str(), "includes" | "has") && is_type_expr(arg) =>
                {
                    match self.env.eval(&m.object).value {
                        Value::Array(items) => items
                            .into_iter()
                            .filter_map(|i| match i.value {
                                Value::Str(s) => Some((s, i.loc)),
                                _ => None,
                            })
                            .collect(),
                        Value::Object(entries) => entries.into_iter().map(|(k, _)| (k.name, k.loc)).collect(),
                        _ => Vec::new(),
                    }
                }
                _ => Vec::new(),
            },
            _ => Vec::new(),
        }
    }

    /// A map indexed by the event's type: each key a name, its value what it resets.
    fn map(&self, object: &Expression<'a>) -> Vec<Handled> {
        let Value::Object(entries) = self.env.eval(object).value else {
            return Vec::new();
        };
        entries
            .into_iter()
            .map(|(k, v)| Handled {
                name: k.name,
                loc: k.loc,
                resets: self.resets_of_value(&v, 0),
            })
            .collect()
    }

    fn resets_of_value(&self, v: &Item, depth: usize) -> Resets {
        let mut r = Resets::default();
        match &v.value {
            Value::Function(calls) => return self.resets_of_calls(calls, depth),
            Value::Array(items) if !items.is_empty() && items.iter().all(|i| matches!(i.value, Value::Array(_))) => {
                for i in items {
                    add_key(&mut r, i);
                }
            }
            Value::Object(entries) => match entries.iter().find(|(k, _)| k.name == "queryKey") {
                Some((_, key)) => add_key(&mut r, key),
                None => add_key(&mut r, v),
            },
            _ => add_key(&mut r, v),
        }
        r
    }

    fn resets_of_calls(&self, calls: &[CallSite], depth: usize) -> Resets {
        let mut r = Resets::default();
        for c in calls {
            let method = c.callee.rsplit('.').next().unwrap_or("");
            if QUERY_METHODS.contains(&method) {
                match c.args.first() {
                    Some(Item {
                        value: Value::Object(entries),
                        ..
                    }) => match entries.iter().find(|(k, _)| k.name == "queryKey") {
                        Some((_, key)) => add_key(&mut r, key),
                        None => r.open = true,
                    },
                    Some(
                        key @ Item {
                            value: Value::Array(_), ..
                        },
                    ) => add_key(&mut r, key),
                    _ => r.open = true,
                }
            } else if depth < 4 && !c.callee.contains(['.', '(', '[']) {
                // A helper of this file (`invalidatePosts()`): what it resets counts too.
                if let Value::Function(inner) = self.env.lookup(&c.callee, Span::default()).value {
                    let more = self.resets_of_calls(&inner, depth + 1);
                    r.literal.extend(more.literal);
                    r.dynamic |= more.dynamic;
                    r.open |= more.open;
                }
            }
        }
        r
    }
}

/// A key: literal, an array with a part known only at run time (dynamic), or something that
/// is not an array at all (may be any key: open).
fn add_key(r: &mut Resets, key: &Item) {
    match key.value.literal_text() {
        Some(text) => {
            r.literal.insert(text);
        }
        None if matches!(key.value, Value::Array(_)) => r.dynamic = true,
        None => r.open = true,
    }
}

/// Whether a statement ends a `case` (so the next case does not run after it).
fn exits(s: &Statement) -> bool {
    match s {
        Statement::BreakStatement(_)
        | Statement::ReturnStatement(_)
        | Statement::ThrowStatement(_)
        | Statement::ContinueStatement(_) => true,
        Statement::BlockStatement(b) => b.body.last().is_some_and(exits),
        _ => false,
    }
}

/// Whether an expression is the event's type: a name or property containing `type` or
/// `entity` (`type`, `event.type`, `data?.entityType`).
fn is_type_expr(e: &Expression) -> bool {
    let name = match e.get_inner_expression() {
        Expression::Identifier(id) => id.name.as_str(),
        Expression::StaticMemberExpression(m) => m.property.name.as_str(),
        Expression::ChainExpression(c) => match c.expression.as_member_expression() {
            Some(m) => m.static_property_name().unwrap_or(""),
            None => "",
        },
        _ => "",
    };
    let lower = name.to_ascii_lowercase();
    lower.contains("type") || lower.contains("entity")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Name -> (line, literal keys, dynamic) of what a TSX source handles, on the built-in graph.
    fn handled(src: &str) -> Vec<(String, usize, Vec<String>, bool)> {
        let graph = Graph::built_in();
        let loader = Loader::new(None);
        let a = analyse(Path::new("StreamInvalidator.tsx"), src, &graph, &loader).unwrap();
        let mut v: Vec<_> = a
            .handled
            .into_iter()
            .map(|h| {
                (
                    h.name,
                    h.loc.pos.line,
                    h.resets.literal.into_iter().collect(),
                    h.resets.dynamic,
                )
            })
            .collect();
        v.sort();
        v
    }

    fn names(src: &str) -> Vec<String> {
        handled(src).into_iter().map(|h| h.0).collect()
    }

    #[test]
    fn equality_tests_and_sets_are_read_in_if_statements() {
        let src = "const MEDIA = new Set(['pictures', 'picture']);\n\
            export function onUpdate(qc: any, e: { type: string; action: string }) {\n\
              if (e.type === 'posts' || 'post' === e.type) { qc.invalidateQueries({ queryKey: ['posts'] }); }\n\
              if (MEDIA.has(e.type)) qc.refetchQueries({ queryKey: ['pictures'] });\n\
              if (e.action === 'delete') qc.clear();\n\
            }\n";
        assert_eq!(
            handled(src),
            [
                ("picture".into(), 1, vec!["[\"pictures\"]".into()], false),
                ("pictures".into(), 1, vec!["[\"pictures\"]".into()], false),
                ("post".into(), 3, vec!["[\"posts\"]".into()], false),
                ("posts".into(), 3, vec!["[\"posts\"]".into()], false),
            ]
        );
    }

    #[test]
    fn maps_of_handlers_follow_helpers_and_mark_keys_known_only_at_run_time() {
        let src = "const refreshFeed = (qc: any) => qc.invalidateQueries({ queryKey: ['feed'] });\n\
            const HANDLERS = new Map([\n\
              ['pages', (qc: any, id?: string) => { qc.invalidateQueries({ queryKey: ['page', id] }); refreshFeed(qc); }],\n\
              ['page', (qc: any) => refreshFeed(qc)],\n\
            ]);\n\
            export const onUpdate = (qc: any, entityType: string) => HANDLERS.get(entityType)?.(qc);\n";
        assert_eq!(
            handled(src),
            [
                ("page".into(), 4, vec!["[\"feed\"]".into()], false),
                ("pages".into(), 3, vec!["[\"feed\"]".into()], true),
            ]
        );
    }

    #[test]
    fn the_keys_of_an_object_tested_with_in_are_handled() {
        let src = "const KEYS = { feed: [['feed']], auth: [['session']] } as const;\n\
            export function f(qc: any, type: string) {\n\
              if (type in KEYS) { qc.invalidateQueries({ queryKey: ['everything'] }); }\n\
            }\n";
        assert_eq!(
            handled(src),
            [
                ("auth".into(), 1, vec!["[\"everything\"]".into()], false),
                ("feed".into(), 1, vec!["[\"everything\"]".into()], false),
            ]
        );
    }

    #[test]
    fn switches_on_other_things_are_not_read_as_the_type() {
        // An SSE event name switch and a content-type switch: no name is a cache type.
        let src = "export function f(event: { type: string }, contentType: string) {\n\
              switch (event.type) { case 'app-update': break; case 'connected': break; }\n\
              switch (contentType) { case 'text/html': break; }\n\
              switch (event.type) { case 'feed': break; case 'comments': break; }\n\
            }\n";
        assert_eq!(names(src), ["comments", "feed"]);
    }

    #[test]
    fn enum_cases_fall_through_to_the_shared_statements() {
        let src = "enum T { Posts = 'posts', Post = 'post', Feed = 'feed' }\n\
            export function f(qc: any, type: string) {\n\
              switch (type) {\n\
                case T.Posts:\n\
                case T.Post:\n\
                  qc.invalidateQueries({ queryKey: ['posts'] });\n\
                case T.Feed: {\n\
                  qc.invalidateQueries({ queryKey: ['feed'] });\n\
                  break;\n\
                }\n\
              }\n\
            }\n";
        let h = handled(src);
        assert_eq!(h[0], ("feed".into(), 7, vec!["[\"feed\"]".into()], false));
        assert_eq!(h[1].2, ["[\"feed\"]", "[\"posts\"]"]);
        assert_eq!(
            h[2],
            (
                "posts".into(),
                4,
                vec!["[\"feed\"]".into(), "[\"posts\"]".into()],
                false
            )
        );
    }
}
