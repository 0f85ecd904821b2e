//! `--mirror | --only URL...`: which servers a command talks to.

use crate::cli::TargetArgs;
use crate::client::Target;
use crate::config::{Settings, normalize_base, parse_mirrors};
use crate::error::Failure;

/// The servers to talk to, local first: the local server alone by default; with
/// `--mirror` the local server and every mirror; with `--only` exactly the URLs given
/// (validated like `CACHE_MIRRORS` entries, duplicates dropped; the local URL keeps its
/// name `local`).
pub fn select(settings: &Settings, args: &TargetArgs) -> Result<Vec<Target>, Failure> {
    let local = Target::from_settings_local(settings);
    if !args.only.is_empty() {
        let (urls, _duplicates) = parse_mirrors(&args.only.join(","), "").map_err(|e| {
            Failure::usage(e.to_string().replace("CACHE_MIRRORS entry", "--only"))
                .with_hint("give a base URL such as http://127.0.0.1:3333 or https://service.polymech.info")
        })?;
        return Ok(urls
            .iter()
            .map(|u| {
                if normalize_base(u).eq_ignore_ascii_case(&local.base) {
                    local.clone()
                } else {
                    Target::named(settings, u)
                }
            })
            .collect());
    }
    let mut out = vec![local];
    if args.mirror {
        out.extend(Target::from_settings_mirrors(settings));
    }
    Ok(out)
}
