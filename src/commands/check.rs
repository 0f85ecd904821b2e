//! `polycache check`: the platform's checklist for cache types, verified from its source.

use super::Context;
use crate::check::{self, CheckError, Options};
use crate::cli::{CheckArgs, CheckFormat};
use crate::error::{Failure, exit};
use crate::graph::GraphError;
use crate::output::Outcome;
use crate::render::check as render;

pub fn run(ctx: &Context, args: &CheckArgs) -> Result<Outcome, Failure> {
    // Two outputs asked at once: say so rather than drop one.
    if ctx.out.json() && args.format != CheckFormat::Human {
        let f = match args.format {
            CheckFormat::Compact => "compact",
            CheckFormat::Github => "github",
            _ => "sarif",
        };
        return Err(
            Failure::usage(format!("--json and --format {f} ask for two different outputs")).with_hint(format!(
                "drop --json to get {f}, or drop --format to get the JSON report"
            )),
        );
    }
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
    let code = if !report.unreadable.is_empty() {
        exit::ERROR
    } else if !report.findings.is_empty() {
        exit::PARTIAL
    } else {
        exit::OK
    };
    let machine = |text: String| Outcome::raw(text.into_bytes()).tell(render::summary_line(&report));
    let outcome = match args.format {
        CheckFormat::Human => return Ok(Outcome::show(report).code(code)),
        CheckFormat::Compact => machine(render::compact(&report)),
        CheckFormat::Github => machine(render::github(&report)),
        CheckFormat::Sarif => machine(render::sarif(&report)),
    };
    Ok(outcome.code(code))
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
