//! `polycache completions` and `polycache man`: shell completion scripts and man pages,
//! generated from the clap definitions so they never drift from the CLI.

use std::path::Path;

use clap::CommandFactory;
use clap::builder::{PossibleValue, PossibleValuesParser};
use clap_complete::{Generator, Shell};

use super::Context;
use crate::cli::{Cli, CompletionsArgs, ManArgs};
use crate::error::Failure;
use crate::graph::Graph;
use crate::output::Outcome;

/// `polycache completions [SHELL] [--dir DIR]`: the scripts complete the type names of the
/// graph found as every command finds it.
pub fn run(ctx: &Context, args: &CompletionsArgs) -> Result<Outcome, Failure> {
    let graph = ctx.graph()?;
    Ok(match (&args.dir, args.shell) {
        (Some(dir), _) => wrote(write_all(dir, &graph)?),
        (None, Some(shell)) => Outcome::raw(generate(shell, &graph)),
        (None, None) => Outcome::streamed(),
    })
}

/// `polycache man [--dir DIR]`.
pub fn run_man(_ctx: &Context, args: &ManArgs) -> Result<Outcome, Failure> {
    Ok(match &args.dir {
        Some(dir) => wrote(write_man_pages(dir)?),
        None => Outcome::raw(man_page()),
    })
}

fn wrote(paths: Vec<String>) -> Outcome {
    paths
        .into_iter()
        .fold(Outcome::streamed(), |o, p| o.tell(format!("wrote {p}")))
}

/// Every shell polycache ships completions for.
pub const SHELLS: [Shell; 5] = [Shell::Bash, Shell::Zsh, Shell::Fish, Shell::PowerShell, Shell::Elvish];

/// The completion script for `shell`, completing the type names (and aliases) of `graph`
/// wherever a command takes a type.
pub fn generate(shell: Shell, graph: &Graph) -> Vec<u8> {
    let mut cmd = with_types(Cli::command(), graph);
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut cmd, "polycache", &mut buf);
    buf
}

/// The CLI with the graph's types as the possible values of every TYPE argument. Only the
/// scripts see it: parsing keeps its own check of type names, with "did you mean".
fn with_types(cmd: clap::Command, graph: &Graph) -> clap::Command {
    // The names go into shell code: only plain words (a graph file is not trusted to be one).
    let plain = |name: &str| {
        !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
    };
    let mut values: Vec<PossibleValue> = graph
        .types()
        .iter()
        .filter(|t| plain(t))
        .map(|t| {
            let clears: Vec<String> = graph.cascade(t).into_iter().filter(|c| plain(c)).collect();
            PossibleValue::new(t.clone()).help(format!("clears {}", clears.join(", ")))
        })
        .collect();
    values.extend(
        graph
            .aliases()
            .iter()
            .filter(|(a, t)| plain(a) && plain(t))
            .map(|(a, t)| PossibleValue::new(a.clone()).help(format!("alias of {t}"))),
    );
    let types = PossibleValuesParser::new(values);
    let set = |arg: &'static str| {
        let types = types.clone();
        move |c: clap::Command| c.mut_arg(arg, |a| a.value_parser(types))
    };
    cmd.mut_subcommand("invalidate", set("types"))
        .mut_subcommand("graph", set("type"))
        .mut_subcommand("tail", set("types"))
        .mut_subcommand("redis", |r| {
            r.mut_subcommand("keys", set("type")).mut_subcommand("del", set("type"))
        })
}

/// The conventional file name of `shell`'s script (`polycache.bash`, `_polycache`, ...).
pub fn file_name(shell: Shell) -> String {
    shell.file_name("polycache")
}

/// Writes every shell's script into `dir`, each through a temporary file and a rename so
/// that an interrupted run never leaves a half-written script. Returns the paths written.
pub fn write_all(dir: &Path, graph: &Graph) -> Result<Vec<String>, Failure> {
    std::fs::create_dir_all(dir).map_err(|e| Failure::error(format!("cannot create {}: {e}", dir.display())))?;
    let mut written = Vec::new();
    for shell in SHELLS {
        let path = dir.join(file_name(shell));
        let tmp = dir.join(format!(".{}.tmp", file_name(shell)));
        std::fs::write(&tmp, generate(shell, graph))
            .and_then(|_| std::fs::rename(&tmp, &path))
            .map_err(|e| Failure::error(format!("cannot write {}: {e}", path.display())))?;
        written.push(path.display().to_string());
    }
    Ok(written)
}

/// The command as the man pages describe it: with the release's version only (the commit
/// in `--version` would make every build's pages differ).
fn man_command() -> clap::Command {
    Cli::command().version(env!("CARGO_PKG_VERSION"))
}

/// The main man page, in roff.
pub fn man_page() -> Vec<u8> {
    let mut buf = Vec::new();
    // Rendering into a Vec cannot fail.
    let _ = clap_mangen::Man::new(man_command()).render(&mut buf);
    buf
}

/// Writes `polycache.1` and one page per subcommand (`polycache-graph.1`, ...) into `dir`.
pub fn write_man_pages(dir: &Path) -> Result<Vec<String>, Failure> {
    std::fs::create_dir_all(dir).map_err(|e| Failure::error(format!("cannot create {}: {e}", dir.display())))?;
    // Render into a fresh temporary directory first, then move the pages in, so that a
    // failure never leaves a mix of old and half-written pages.
    let staging = dir.join(".staging.tmp");
    let _ = std::fs::remove_dir_all(&staging);
    std::fs::create_dir_all(&staging)
        .and_then(|_| clap_mangen::generate_to(man_command(), &staging))
        .map_err(|e| Failure::error(format!("cannot write man pages into {}: {e}", dir.display())))?;
    let mut written = Vec::new();
    let entries =
        std::fs::read_dir(&staging).map_err(|e| Failure::error(format!("cannot list {}: {e}", staging.display())))?;
    let mut names: Vec<_> = entries.filter_map(|e| e.ok()).map(|e| e.file_name()).collect();
    names.sort();
    for name in names {
        let to = dir.join(&name);
        std::fs::rename(staging.join(&name), &to)
            .map_err(|e| Failure::error(format!("cannot write {}: {e}", to.display())))?;
        written.push(to.display().to_string());
    }
    let _ = std::fs::remove_dir_all(&staging);
    Ok(written)
}
