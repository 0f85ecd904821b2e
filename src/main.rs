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
    let matches = match command.clone().try_get_matches_from(&args) {
        Ok(m) => m,
        Err(e) => {
            // A flag of another subcommand: say which takes it, not clap's `-- --url` tip.
            if e.kind() == clap::error::ErrorKind::UnknownArgument
                && let Some(clap::error::ContextValue::String(flag)) = e.get(clap::error::ContextKind::InvalidArg)
                && let Some((at, sub)) = args
                    .iter()
                    .enumerate()
                    .skip(1)
                    .filter_map(|(i, a)| Some((i, a.to_str()?)))
                    .find(|(_, a)| command.find_subcommand(a).is_some())
                // Only a flag after its subcommand: one before any is clap's to explain.
                && args[at..].iter().any(|a| a.to_str().is_some_and(|a| a.split('=').next() == Some(flag.as_str())))
                && let Some(hint) = polycache::cli::unknown_flag_hint(&command, sub, flag)
            {
                eprintln!("error: unexpected argument '{flag}' for `polycache {sub}`\n  hint: {hint}");
                std::process::exit(2);
            }
            e.exit()
        }
    };
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
