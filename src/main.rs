use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // The work runs on a thread with a stack sized for the deepest TypeScript polycache
    // reads (`ts::MAX_NESTING`); the main thread's is the system's (often 8 MiB).
    let worker = std::thread::Builder::new()
        .name("polycache".into())
        .stack_size(polycache::ts::STACK_SIZE)
        .spawn(|| polycache::run(polycache::cli::Cli::parse()));
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
