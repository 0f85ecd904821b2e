use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    ExitCode::from(polycache::run(polycache::cli::Cli::parse()))
}
