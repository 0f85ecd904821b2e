//! `--mirror | --only URL...`: which servers a command talks to.

use crate::cli::TargetArgs;
use crate::config::{Settings, parse_mirrors};
use crate::error::Failure;

/// The base URLs to talk to, local first: the local server alone by default; with
/// `--mirror` the local server and every mirror; with `--only` exactly the URLs given
/// (validated like `CACHE_MIRRORS` entries, duplicates dropped).
pub fn select(settings: &Settings, args: &TargetArgs) -> Result<Vec<String>, Failure> {
    if !args.only.is_empty() {
        let (urls, _duplicates) = parse_mirrors(&args.only.join(","), "").map_err(|e| {
            Failure::usage(e.to_string().replace("CACHE_MIRRORS entry", "--only"))
                .with_hint("give a base URL such as http://127.0.0.1:3333 or https://service.polymech.info")
        })?;
        return Ok(urls);
    }
    let mut out = vec![crate::config::normalize_base(settings.url())];
    if args.mirror {
        out.extend(settings.mirrors.iter().cloned());
    }
    Ok(out)
}
