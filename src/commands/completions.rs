//! `polycache completions`: shell completion scripts generated from the clap definitions.

use std::path::Path;

use clap::CommandFactory;
use clap_complete::{Generator, Shell};

use crate::cli::Cli;
use crate::error::Failure;

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
