//! `polycache doctor`: every piece polycache depends on, checked in order, one row each
//! (the checks are [`crate::doctor`]).

use super::Context;
use crate::cli::DoctorArgs;
use crate::config::ConfigError;
use crate::doctor::{Inputs, run as check_all};
use crate::error::{Failure, exit};
use crate::output::Outcome;

/// Runs the checks; `problems` are what loading the settings ran into.
pub fn run(ctx: &Context, args: &DoctorArgs, problems: &[ConfigError]) -> Result<Outcome, Failure> {
    let inputs = Inputs {
        settings: &ctx.settings,
        problems,
        env_file_flag: ctx.global.env_file.is_some(),
        cwd: &ctx.cwd,
        graph_file: ctx.graph_file.as_deref(),
        trace: ctx.out.trace(),
        timeout: args.timeout,
        stream_timeout: args.stream_timeout,
    };
    let report = crate::runtime()?.block_on(check_all(&inputs));
    let code = if report.ok { exit::OK } else { exit::PARTIAL };
    Ok(Outcome::show(report).code(code))
}
