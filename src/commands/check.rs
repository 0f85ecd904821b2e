//! `polycache check`: the platform's checklist for cache types, verified from its source.

use std::collections::BTreeMap;

use super::Context;
use crate::check::{self, CheckError, Finding, Options, Report};
use crate::cli::CheckArgs;
use crate::error::{Failure, exit};
use crate::graph::GraphError;
use crate::render::{self, Style};

pub fn run(ctx: &Context, args: &CheckArgs) -> Result<u8, Failure> {
    let root = match (&args.root, &args.server_dir) {
        (Some(r), _) => ctx.cwd.join(r),
        (None, Some(_)) => check::find_root(&ctx.cwd).unwrap_or_else(|_| ctx.cwd.clone()),
        (None, None) => check::find_root(&ctx.cwd).map_err(failure)?,
    };
    let mut opts = Options::for_root(&root);
    if let Some(dir) = &args.server_dir {
        opts.server_dir = ctx.cwd.join(dir);
        opts.graph = opts.server_dir.join("cache.ts");
    }
    if let Some(file) = &args.invalidator {
        opts.invalidator = ctx.cwd.join(file);
    }
    if let Some(file) = &ctx.graph_file {
        opts.graph = ctx.cwd.join(file);
    }
    let report = check::run(&opts).map_err(failure)?;
    crate::print(&if ctx.global.json {
        render::json(&report)
    } else {
        text(&report, ctx.style)
    })?;
    Ok(if !report.unreadable.is_empty() {
        exit::ERROR
    } else if !report.findings.is_empty() {
        exit::PARTIAL
    } else {
        exit::OK
    })
}

fn failure(e: CheckError) -> Failure {
    let message = e.to_string();
    match e {
        CheckError::NoRoot { .. } => Failure::error(message).with_hint(
            "run it inside the platform's checkout, or give --root DIR (or --server-dir DIR and --invalidator FILE)",
        ),
        CheckError::Graph(GraphError::Io { .. }) => {
            Failure::error(message).with_hint("the graph is ROOT/server/src/cache.ts; give --server-dir or --graph")
        }
        CheckError::Graph(g) => Failure::from(g),
        CheckError::Invalidator { .. } => Failure::error(message)
            .with_hint("give the component that handles app-update events with --invalidator FILE"),
        CheckError::ServerDir { .. } => {
            Failure::error(message).with_hint("give the server's sources with --server-dir DIR")
        }
    }
}

/// Findings grouped by file, one table each; then what could not be checked; then a summary.
pub fn text(r: &Report, st: Style) -> String {
    let mut out = String::new();
    section(&mut out, &r.findings, st, false);
    if !r.not_checkable.is_empty() {
        out.push_str(&format!(
            "{}\n",
            st.yellow("not checkable (the type is known only at run time):")
        ));
        section(&mut out, &r.not_checkable, st, true);
    }
    if !r.unreadable.is_empty() {
        out.push_str(&format!("{}\n", st.red("unreadable:")));
        section(&mut out, &r.unreadable, st, false);
    }
    let checked = format!(
        "{} types and {} aliases from {}; {} appCache calls in {} files under {}; {} names handled in {}",
        r.types.len(),
        r.aliases.len(),
        r.graph,
        r.call_sites,
        r.files_scanned,
        r.server_dir,
        r.handled.len(),
        r.invalidator
    );
    if r.findings.is_empty() && r.unreadable.is_empty() {
        out.push_str(&format!("{} nothing to fix: {checked}\n", st.green("✓")));
    } else {
        let files: std::collections::BTreeSet<&str> = r.findings.iter().map(|f| f.file.as_str()).collect();
        out.push_str(&format!(
            "{} {} in {} ({checked})\n",
            st.red("✗"),
            plural(r.findings.len(), "finding"),
            plural(files.len(), "file"),
        ));
    }
    out
}

/// `plain_kind`: the rows are not findings (not checkable): a dim `-` instead of the kind.
fn section(out: &mut String, findings: &[Finding], st: Style, plain_kind: bool) {
    let mut by_file: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in findings {
        by_file.entry(f.file.as_str()).or_default().push(f);
    }
    for (file, list) in by_file {
        out.push_str(&format!("{}\n", st.bold(&crate::ts::escape(file))));
        let mut t = render::table(st, &["line:col", "kind", "finding"]);
        for f in list {
            // Colour through comfy-table's cell styling, never inside the text.
            let kind = if plain_kind {
                render::dim_cell(st, "-")
            } else {
                render::styled(st, f.kind.label(), Some(comfy_table::Color::Red))
            };
            t.add_row(vec![
                comfy_table::Cell::new(format!("{}:{}", f.line, f.column)),
                kind,
                comfy_table::Cell::new(&f.message),
            ]);
        }
        out.push_str(&t.to_string());
        out.push_str("\n\n");
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}
