use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = polycache::cli::Cli::parse();
    match polycache::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(failure) => {
            eprintln!("{failure}");
            ExitCode::from(failure.code)
        }
    }
}
