//! polycache: inspect and control the Polymech platform's cache.
//!
//! Everything the commands do is library code that tests can call without a process;
//! `main.rs` parses arguments, calls [`run`], and maps the result to an exit code.

pub mod backoff;
pub mod bus;
pub mod check;
pub mod cli;
pub mod client;
pub mod commands;
pub mod config;
pub mod demo;
pub mod doctor;
pub mod duration;
pub mod error;
pub mod escape;
pub mod follow;
pub mod graph;
pub mod hint;
pub mod jwt;
pub mod logs;
pub mod output;
pub mod pager;
pub mod pipe;
pub mod protocol;
pub mod render;
pub mod server;
pub mod signals;
pub mod store;
pub mod style;
pub mod top;
pub mod ts;
pub mod units;

/// The commit this binary was built from (see `build.rs`), or `unknown`.
pub const COMMIT: &str = env!("POLYCACHE_COMMIT");

/// The day this binary was built (`SOURCE_DATE_EPOCH` when set), `YYYY-MM-DD`.
pub const BUILD_DATE: &str = env!("POLYCACHE_BUILD_DATE");

/// `polycache --version`: the version, the commit and the build date.
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (",
    env!("POLYCACHE_COMMIT"),
    " ",
    env!("POLYCACHE_BUILD_DATE"),
    ")"
);

use std::path::Path;

use cli::{Cli, Command};
use commands::Context;
use config::{LoadOptions, Settings};
use error::Failure;
use output::Printer;

/// Runs one parsed command line and returns its exit code; a failure is reported on
/// stderr by the run's one [`Printer`].
pub fn run(cli: Cli, terminal: output::Terminal) -> u8 {
    jwt::install();
    // `check` parses on rayon's threads: the same stack as the main work (see `ts`). Built
    // once per process; a second call (tests run several commands) keeps the first pool.
    let _ = rayon::ThreadPoolBuilder::new()
        .stack_size(ts::STACK_SIZE)
        .build_global();
    let out = Printer::new(cli.global.color, cli.global.json, cli.global.verbose, terminal);
    match dispatch(cli, out.clone()) {
        Ok(code) => code,
        Err(f) => {
            out.failure(&f);
            f.code
        }
    }
}

fn dispatch(cli: Cli, out: Printer) -> Result<u8, Failure> {
    let cwd = std::env::current_dir().map_err(|e| Failure::error(format!("cannot read the working directory: {e}")))?;
    let opts = LoadOptions {
        env_file: cli.global.env_file.clone(),
        cwd: cwd.clone(),
        flags: cli.command.overrides(),
    };
    // `doctor` reports bad settings as failed checks instead of stopping at the first.
    let (settings, problems) = match cli.command {
        Command::Doctor(_) | Command::Check(_) => Settings::load_lenient(&opts),
        _ => (Settings::load(&opts)?, Vec::new()),
    };
    let ctx = Context {
        settings,
        global: cli.global,
        graph_file: cli.command.graph_file().map(Path::to_path_buf),
        out,
        cwd,
    };
    // `config` and `doctor` list the warnings themselves; `serve` judges its mirrors
    // against its own address, not POLYCACHE_URL, and says so itself; `demo` reads none.
    if !ctx.out.json()
        && !matches!(
            cli.command,
            Command::Config(_) | Command::Serve(_) | Command::Demo(_) | Command::Doctor(_) | Command::Check(_)
        )
    {
        for w in &ctx.settings.warnings {
            ctx.out.warn(w);
        }
    }
    let outcome = match cli.command {
        Command::Config(_) => commands::config::run(&ctx),
        Command::Graph(args) => commands::graph::run(&ctx, &args),
        Command::Check(args) => commands::check::run(&ctx, &args),
        Command::Tail(args) => commands::tail::run(&ctx, &args),
        Command::Top(args) => commands::top::run(&ctx, &args),
        Command::Invalidate(args) => commands::invalidate::run(&ctx, &args),
        Command::Redis(args) => commands::redis::run(&ctx, &args),
        Command::Serve(args) => commands::serve::run(&ctx, &args),
        Command::Logs(args) => commands::logs::run(&ctx, &args),
        Command::Demo(args) => commands::demo::run(&ctx, &args),
        Command::Doctor(args) => commands::doctor::run(&ctx, &args, &problems),
        Command::Completions(args) => commands::completions::run(&ctx, &args),
        Command::Man(args) => commands::completions::run_man(&ctx, &args),
    }?;
    ctx.out.finish(outcome)
}

/// A multi-threaded tokio runtime for the commands that talk to the network.
pub fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(ts::STACK_SIZE)
        .build()
        .map_err(|e| Failure::error(format!("cannot start the async runtime: {e}")))
}
