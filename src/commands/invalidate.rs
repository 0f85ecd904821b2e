//! `polycache invalidate TYPE...`: ask one or many servers to clear types, concurrently,
//! optionally checking on each server's stream that its visitors were told.
//!
//! The run itself (login-first fan-out, retries, deadlines, verification) is
//! [`crate::client::run`]; this file turns the flags into a plan and the report into an
//! exit code.

use std::sync::Arc;

use super::Context;
use crate::check::browser::WithBrowsers;
use crate::cli::InvalidateArgs;
use crate::client::run::{self, Plan, Policy, RunProgress, RunReport};
use crate::client::{AuthConfig, AuthError, Target};
use crate::config::Settings;
use crate::error::{Failure, exit};
use crate::graph::Graph;
use crate::output::{Outcome, Printer};

/// The plan the flags ask for: types resolved through the graph, targets selected.
pub fn plan(settings: &Settings, graph: &Graph, args: &InvalidateArgs) -> Result<Plan, Failure> {
    let mut kinds: Vec<String> = Vec::new();
    for t in &args.types {
        let canonical = graph.resolve(t)?.canonical;
        if !kinds.contains(&canonical) {
            kinds.push(canonical);
        }
    }
    if args.targets.mirror && !args.via_server && settings.mirrors.is_empty() {
        return Err(
            Failure::usage("--mirror was given, but no mirrors are configured (CACHE_MIRRORS is empty)").with_hint(
                "set CACHE_MIRRORS in .env (or pass --mirrors URL,...); `polycache config` shows what is set",
            ),
        );
    }
    let targets: Vec<Arc<Target>> = if args.via_server {
        vec![Arc::new(Target::from_settings_local(settings))]
    } else {
        crate::client::target::select(settings, &args.targets.only, args.targets.mirror)?
            .into_iter()
            .map(Arc::new)
            .collect()
    };
    // With --via-server the local server relays to its mirrors: --verify watches their
    // streams too.
    let relays = if args.via_server && args.verify {
        Target::from_settings_mirrors(settings)
            .into_iter()
            .map(Arc::new)
            .collect()
    } else {
        Vec::new()
    };
    Ok(Plan {
        targets,
        kinds,
        id: args.id.clone(),
        via_server: args.via_server,
        verify: args.verify.then_some(args.verify_timeout),
        relays,
        stream_path: settings.stream_path().to_string(),
    })
}

pub fn run(ctx: &Context, args: &InvalidateArgs) -> Result<Outcome, Failure> {
    let graph = ctx.graph()?;
    let plan = plan(&ctx.settings, &graph, args)?;
    if args.dry_run {
        let cascade = |k: &str| graph.cascade(k);
        let auth = AuthConfig::from_settings(&ctx.settings);
        let dry = plan.dry_run(&auth, ctx.settings.invalidate_path(), &cascade, args.allow_insecure);
        // What browsers do on each type's event, when the invalidator is found.
        let browsers = match ctx.browsers(&args.invalidator, &graph)? {
            Some(b) => dry
                .requests
                .iter()
                .map(|p| &p.body.type_name)
                // The plan's types are canonical already.
                .map(|t| (t.clone(), b.half_received(&graph, t, t)))
                .collect(),
            None => Default::default(),
        };
        return Ok(Outcome::show(WithBrowsers { inner: dry, browsers }));
    }
    let (report, interrupted) = crate::runtime()?.block_on(send(&ctx.settings, &ctx.out, graph, &plan, args))?;
    if interrupted {
        // What each target did before the stop, and 130 as a shell reports Ctrl-C.
        return Ok(Outcome::show(report)
            .code(exit::INTERRUPTED)
            .hint("interrupted: the targets marked so may or may not have cleared; run it again to be sure"));
    }
    let code = exit_code(&report);
    let outcome = Outcome::show(report).code(code);
    Ok(match code {
        exit::USAGE => outcome.hint(
            "credentials are never sent over plain http:// to another machine: use https://, or pass --allow-insecure on a trusted network",
        ),
        exit::AUTH => outcome.hint(
            "every target refused the login; check SERVICE_EMAIL/SERVICE_PASSWORD (or POLYCACHE_TOKEN) with `polycache config`",
        ),
        _ => outcome,
    })
}

/// Runs a plan with the settings' client, login and the flags' policies, with a progress
/// bar from the printer. Ctrl-C or SIGTERM stops it: the report then says what each target
/// did so far (the rest interrupted), and the flag is true.
pub async fn send(
    settings: &Settings,
    out: &Printer,
    graph: Graph,
    plan: &Plan,
    args: &InvalidateArgs,
) -> Result<(RunReport, bool), Failure> {
    let mut signals = crate::signals::Signals::install();
    // One HTTP client for the logins, the invalidations and the --verify streams.
    let http = crate::client::http_for(settings)?;
    let policy = Policy {
        retries: args.retries,
        concurrency: args.concurrency as usize,
        deadline: args.timeout,
        allow_insecure: args.allow_insecure,
    };
    let invalidator = run::invalidator(&http, settings, &policy, out.trace()).map_err(auth_failure)?;
    let bar = out.progress(plan.jobs().len() as u64, "invalidating");
    let answered = std::sync::Mutex::new(Vec::new());
    let progress = |p| match p {
        RunProgress::Sent { target, outcome } => {
            answered
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push((target, outcome));
            bar.inc(1);
        }
        RunProgress::Watching => bar.set_message("watching the streams"),
    };
    let run = plan.execute(&invalidator, &http, &graph, &progress);
    let result = tokio::select! {
        report = run => (report, false),
        _ = signals.recv() => {
            let answered = answered.lock().unwrap_or_else(|p| p.into_inner()).clone();
            (plan.interrupted(&answered), true)
        }
    };
    bar.finish();
    Ok(result)
}

/// 0 when everything succeeded; 2 when every target was refused as plain http to another
/// machine; 4 when authentication failed everywhere; 3 when some succeeded and some failed;
/// 1 when nothing succeeded.
pub fn exit_code(report: &RunReport) -> u8 {
    if report.ok {
        exit::OK
    } else if report.results.iter().all(|r| r.outcome.is_insecure()) {
        exit::USAGE
    } else if report.results.iter().all(|r| r.outcome.is_auth_failure()) {
        exit::AUTH
    } else if report.results.iter().any(|r| r.ok) {
        exit::PARTIAL
    } else {
        exit::ERROR
    }
}

fn auth_failure(e: AuthError) -> Failure {
    use crate::hint::Hint;
    let code = if matches!(e, AuthError::UnsafeTokenCache(_)) {
        exit::USAGE
    } else {
        exit::AUTH
    };
    let failure = Failure::new(code, e.to_string());
    match e.hint() {
        Some(h) => failure.with_hint(h),
        None => failure,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::run::{Row, Verification};
    use crate::client::{InsecureError, InvalidateError, InvalidateOutcome};

    fn row(target: &str, error: Option<InvalidateError>, verified: Option<bool>) -> Row {
        let outcome = InvalidateOutcome {
            status: error.is_none().then_some(200),
            error,
            ..InvalidateOutcome::new(&Target::mirror(target))
        };
        let verify = verified.map(|seen| Verification {
            seen,
            event_id: None,
            propagation_ms: None,
            error: None,
        });
        Row {
            kind: "posts".into(),
            ok: outcome.is_ok() && verify.as_ref().is_none_or(|v| v.seen),
            relayed: false,
            outcome,
            verify,
        }
    }

    fn report(results: Vec<Row>) -> RunReport {
        RunReport {
            ok: results.iter().all(|r| r.ok),
            via_server: false,
            id: None,
            results,
            verified: false,
        }
    }

    fn rejected() -> Option<InvalidateError> {
        Some(InvalidateError::Auth(AuthError::Rejected {
            target: "t".into(),
            status: 401,
            email: "e".into(),
        }))
    }

    fn insecure(t: &str) -> Option<InvalidateError> {
        Some(InvalidateError::Auth(AuthError::Insecure(InsecureError {
            target: t.into(),
            base: format!("http://{t}"),
        })))
    }

    fn down() -> Option<InvalidateError> {
        Some(InvalidateError::Network {
            target: "t".into(),
            message: "connection refused".into(),
        })
    }

    #[test]
    fn exit_codes_follow_the_documented_rules() {
        assert_eq!(exit_code(&report(vec![row("a:1", None, None)])), exit::OK);
        assert_eq!(exit_code(&report(vec![row("a:1", None, Some(true))])), exit::OK);
        // Accepted but never streamed: a failure, and nothing else succeeded.
        assert_eq!(exit_code(&report(vec![row("a:1", None, Some(false))])), exit::ERROR);
        assert_eq!(
            exit_code(&report(vec![
                row("a:1", None, Some(false)),
                row("b:1", None, Some(true))
            ])),
            exit::PARTIAL
        );
        // 1 of 1 failed is no partial success.
        assert_eq!(exit_code(&report(vec![row("a:1", down(), None)])), exit::ERROR);
        assert_eq!(
            exit_code(&report(vec![row("a:1", None, None), row("b:1", down(), None)])),
            exit::PARTIAL
        );
        assert_eq!(
            exit_code(&report(vec![
                row("a:1", rejected(), None),
                row("b:1", rejected(), None)
            ])),
            exit::AUTH
        );
        // Refused here and there for different reasons: not "auth everywhere", and nothing
        // succeeded.
        assert_eq!(
            exit_code(&report(vec![row("a:1", rejected(), None), row("b:1", down(), None)])),
            exit::ERROR
        );
        assert_eq!(
            exit_code(&report(vec![
                row("a:1", insecure("a:1"), None),
                row("b:1", insecure("b:1"), None)
            ])),
            exit::USAGE
        );
        assert_eq!(
            exit_code(&report(vec![row("a:1", insecure("a:1"), None), row("b:1", None, None)])),
            exit::PARTIAL
        );
    }
}
