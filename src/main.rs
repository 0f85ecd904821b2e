use std::process::ExitCode;

/// The command line, with clap's own help and errors coloured by the same rules as the rest
/// of the output (`--color`, NO_COLOR, CLICOLOR, CLICOLOR_FORCE, TERM=dumb).
fn parse(terminal: polycache::output::Terminal) -> polycache::cli::Cli {
    use clap::{CommandFactory, FromArgMatches};
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let mut choice = polycache::style::ColorChoice::Auto;
    for (i, a) in args.iter().enumerate() {
        let value = match a.to_str() {
            Some("--color") => args.get(i + 1).and_then(|v| v.to_str()),
            Some(s) => s.strip_prefix("--color="),
            None => None,
        };
        match value {
            Some("always") => choice = polycache::style::ColorChoice::Always,
            Some("never") => choice = polycache::style::ColorChoice::Never,
            Some("auto") => choice = polycache::style::ColorChoice::Auto,
            _ => {}
        }
    }
    let command = polycache::cli::Cli::command().color(polycache::style::Style::clap_choice(choice, terminal.stdout));
    let matches = command.get_matches_from(args);
    polycache::cli::Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
}

fn main() -> ExitCode {
    // The work runs on a thread with a stack sized for the deepest TypeScript polycache
    // reads (`ts::MAX_NESTING`); the main thread's is the system's (often 8 MiB).
    let worker = std::thread::Builder::new()
        .name("polycache".into())
        .stack_size(polycache::ts::STACK_SIZE)
        .spawn(|| {
            let terminal = polycache::output::Terminal::detect();
            polycache::run(parse(terminal), terminal)
        });
    match worker.map(|w| w.join()) {
        Ok(Ok(code)) => ExitCode::from(code),
        // A panic was already reported by the panic hook.
        Ok(Err(_)) => ExitCode::from(101),
        Err(e) => {
            eprintln!("error: cannot start: {e}");
            ExitCode::from(1)
        }
    }
}
