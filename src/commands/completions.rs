//! `polycache completions` and `polycache man`: shell completion scripts and man pages,
//! generated from the clap definitions so they never drift from the CLI.

use std::path::Path;

use clap::CommandFactory;
use clap_complete::{Generator, Shell};

use super::Context;
use crate::cli::{Cli, CompletionsArgs, ManArgs};
use crate::error::{Failure, exit};

/// `polycache completions [SHELL] [--dir DIR]`.
pub fn run(ctx: &Context, args: &CompletionsArgs) -> Result<u8, Failure> {
    if let Some(dir) = &args.dir {
        for p in write_all(dir)? {
            ctx.out.tell(&format!("wrote {p}"));
        }
    } else if let Some(shell) = args.shell {
        ctx.out.raw(&generate(shell))?;
    }
    Ok(exit::OK)
}

/// `polycache man [--dir DIR]`.
pub fn run_man(ctx: &Context, args: &ManArgs) -> Result<u8, Failure> {
    match &args.dir {
        Some(dir) => {
            for p in write_man_pages(dir)? {
                ctx.out.tell(&format!("wrote {p}"));
            }
        }
        None => ctx.out.raw(&man_page())?,
    }
    Ok(exit::OK)
}

/// Every shell polycache ships completions for.
pub const SHELLS: [Shell; 5] = [Shell::Bash, Shell::Zsh, Shell::Fish, Shell::PowerShell, Shell::Elvish];

/// The completion script for `shell`.
pub fn generate(shell: Shell) -> Vec<u8> {
    let mut cmd = Cli::command();
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut cmd, "polycache", &mut buf);
    buf
}

/// The conventional file name of `shell`'s script (`polycache.bash`, `_polycache`, ...).
pub fn file_name(shell: Shell) -> String {
    shell.file_name("polycache")
}

/// Writes every shell's script into `dir`, each through a temporary file and a rename so
/// that an interrupted run never leaves a half-written script. Returns the paths written.
pub fn write_all(dir: &Path) -> Result<Vec<String>, Failure> {
    std::fs::create_dir_all(dir).map_err(|e| Failure::error(format!("cannot create {}: {e}", dir.display())))?;
    let mut written = Vec::new();
    for shell in SHELLS {
        let path = dir.join(file_name(shell));
        let tmp = dir.join(format!(".{}.tmp", file_name(shell)));
        std::fs::write(&tmp, generate(shell))
            .and_then(|_| std::fs::rename(&tmp, &path))
            .map_err(|e| Failure::error(format!("cannot write {}: {e}", path.display())))?;
        written.push(path.display().to_string());
    }
    Ok(written)
}

/// The main man page, in roff.
pub fn man_page() -> Vec<u8> {
    let mut buf = Vec::new();
    // Rendering into a Vec cannot fail.
    let _ = clap_mangen::Man::new(Cli::command()).render(&mut buf);
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
        .and_then(|_| clap_mangen::generate_to(Cli::command(), &staging))
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
