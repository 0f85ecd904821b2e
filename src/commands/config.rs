//! `polycache config`: every setting, its value (secrets masked) and its source.

use super::Context;
use crate::config::ConfigReport;
use crate::error::Failure;
use crate::output::Outcome;

pub fn run(ctx: &Context) -> Result<Outcome, Failure> {
    let s = &ctx.settings;
    Ok(Outcome::show(ConfigReport {
        env_file: s.env_file.as_ref().map(|p| p.display().to_string()),
        settings: s.rows(),
        mirrors: s.mirrors.clone(),
        warnings: s.warnings.clone(),
        searched_from: ctx.cwd.clone(),
    }))
}
