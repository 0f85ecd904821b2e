//! polycache: inspect and control the Polymech platform's cache.
//!
//! Everything the commands do is library code that tests can call without a process;
//! `main.rs` parses arguments, calls [`run`], and maps the result to an exit code.

pub mod bus;
pub mod check;
pub mod cli;
pub mod client;
pub mod commands;
pub mod config;
pub mod duration;
pub mod error;
pub mod escape;
pub mod graph;
pub mod logs;
pub mod pager;
pub mod render;
pub mod server;
pub mod store;
pub mod ts;

use std::io::Write;
use std::path::Path;

use cli::{Cli, Command};
use commands::Context;
use config::{LoadOptions, Settings};
use error::{Failure, exit};
use render::Style;

/// Runs one parsed command line; returns the exit code, or the failure to report.
pub fn run(cli: Cli) -> Result<u8, Failure> {
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
    let style = Style::detect(cli.global.color);
    let ctx = Context {
        settings,
        global: cli.global,
        graph_file: cli.command.graph_file().map(Path::to_path_buf),
        style,
        cwd,
    };
    // `config` and `doctor` list the warnings themselves; `serve` judges its mirrors
    // against its own address, not POLYCACHE_URL, and says so itself; `demo` reads none.
    if !ctx.global.json
        && !matches!(
            cli.command,
            Command::Config(_) | Command::Serve(_) | Command::Demo(_) | Command::Doctor(_) | Command::Check(_)
        )
    {
        for w in &ctx.settings.warnings {
            eprintln!("{} {w}", style.yellow("warning:"));
        }
    }
    match cli.command {
        Command::Config(_) => {
            let report = commands::config::run(&ctx);
            print(&commands::config::render(&report, &ctx))?;
            Ok(exit::OK)
        }
        Command::Graph(args) => {
            print(&commands::graph::run(&ctx, &args)?)?;
            Ok(exit::OK)
        }
        Command::Check(args) => commands::check::run(&ctx, &args),
        Command::Tail(args) => commands::tail::run(&ctx, &args),
        Command::Invalidate(args) => commands::invalidate::run(&ctx, &args),
        Command::Redis(args) => commands::redis::run(&ctx, &args),
        Command::Serve(args) => commands::serve::run(&ctx, &args),
        Command::Logs(args) => commands::logs::run(&ctx, &args),
        Command::Demo(args) => commands::demo::run(&ctx, &args),
        Command::Doctor(args) => commands::doctor::run(&ctx, &args, &problems),
        Command::Completions(args) => {
            let graph = ctx.graph()?;
            if let Some(dir) = &args.dir {
                for p in commands::completions::write_all(dir, &graph)? {
                    eprintln!("wrote {p}");
                }
            } else if let Some(shell) = args.shell {
                std::io::stdout()
                    .write_all(&commands::completions::generate(shell, &graph))
                    .map_err(|e| Failure::error(format!("cannot write to stdout: {e}")))?;
            }
            Ok(exit::OK)
        }
        Command::Man(args) => {
            match &args.dir {
                Some(dir) => {
                    for p in commands::completions::write_man_pages(dir)? {
                        eprintln!("wrote {p}");
                    }
                }
                None => std::io::stdout()
                    .write_all(&commands::completions::man_page())
                    .map_err(|e| Failure::error(format!("cannot write to stdout: {e}")))?,
            }
            Ok(exit::OK)
        }
    }
}

/// A multi-threaded tokio runtime for the commands that talk to the network.
pub fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::error(format!("cannot start the async runtime: {e}")))
}

/// Writes to stdout; a closed pipe (`polycache ... | head`) is not an error.
pub fn print(s: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    match out.write_all(s.as_bytes()).and_then(|_| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(Failure::error(format!("cannot write to stdout: {e}")))
        }
        _ => Ok(()),
    }
}
