//! `polycache invalidate TYPE...`: ask one or many servers to clear types, concurrently,
//! optionally checking on each server's stream that its visitors were told.
//!
//! The HTTP work (login, one request with retries) is `client::{auth, invalidate}`, the
//! stream watching is `client::verify`; this file plans the requests, runs them with a
//! progress bar, and renders the table or JSON.

use std::io::IsTerminal;
use std::sync::Arc;
use std::time::{Duration, Instant};

use comfy_table::{Cell, Color};
use futures::StreamExt;
use serde::Serialize;

use super::{Context, targets};
use crate::cli::InvalidateArgs;
use crate::client::token_cache::DiskTokens;
use crate::client::verify::{Canonicalize, Watch};
use crate::client::{
    AuthConfig, AuthError, Authenticator, InvalidateError, InvalidateOutcome, InvalidateRequest, Invalidator,
    RetryPolicy, Target,
};
use crate::duration::human;
use crate::error::{Failure, exit};
use crate::graph::Graph;
use crate::render::{self, Style};

/// One request of the plan: a type at a target.
#[derive(Debug, Clone)]
struct Job {
    target: usize,
    kind: String,
}

/// What `--verify` found for one (target, type).
#[derive(Debug, Clone, Serialize)]
pub struct Verification {
    pub seen: bool,
    #[serde(rename = "eventId")]
    pub event_id: Option<String>,
    /// From sending the request to the event on the target's stream.
    #[serde(rename = "propagationMs")]
    pub propagation_ms: Option<u64>,
    pub error: Option<String>,
}

/// One line of the result table.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    #[serde(rename = "type")]
    pub kind: String,
    pub ok: bool,
    /// Not asked by polycache: a mirror the local server relayed to (`--via-server
    /// --verify`), checked on its stream only.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub relayed: bool,
    #[serde(flatten)]
    pub outcome: InvalidateOutcome,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verify: Option<Verification>,
}

#[derive(Debug, Serialize)]
pub struct Report {
    pub ok: bool,
    #[serde(rename = "viaServer")]
    pub via_server: bool,
    pub results: Vec<Row>,
}

/// The types resolved through the graph, the targets, and one job per (target, type).
struct Prepared {
    graph: Graph,
    targets: Vec<Arc<Target>>,
    jobs: Vec<Job>,
}

fn prepare(ctx: &Context, args: &InvalidateArgs) -> Result<Prepared, Failure> {
    let graph = ctx.graph()?;
    let mut kinds: Vec<String> = Vec::new();
    for t in &args.types {
        let canonical = graph.resolve(t)?.canonical;
        if !kinds.contains(&canonical) {
            kinds.push(canonical);
        }
    }
    if args.targets.mirror && !args.via_server && ctx.settings.mirrors.is_empty() {
        return Err(
            Failure::usage("--mirror was given, but no mirrors are configured (CACHE_MIRRORS is empty)").with_hint(
                "set CACHE_MIRRORS in .env (or pass --mirrors URL,...); `polycache config` shows what is set",
            ),
        );
    }
    let targets: Vec<Arc<Target>> = if args.via_server {
        vec![Arc::new(Target::from_settings_local(&ctx.settings))]
    } else {
        targets::select(&ctx.settings, &args.targets)?
            .into_iter()
            .map(Arc::new)
            .collect()
    };
    let jobs: Vec<Job> = (0..targets.len())
        .flat_map(|target| {
            kinds.iter().map(move |k| Job {
                target,
                kind: k.clone(),
            })
        })
        .collect();
    Ok(Prepared { graph, targets, jobs })
}

/// The request a job sends.
fn request_for(args: &InvalidateArgs, job: &Job) -> InvalidateRequest {
    let req = InvalidateRequest::new(job.kind.clone(), args.via_server);
    match &args.id {
        Some(id) => req.with_id(serde_json::Value::String(id.clone())),
        None => req,
    }
}

pub fn run(ctx: &Context, args: &InvalidateArgs) -> Result<u8, Failure> {
    if args.bus {
        return Err(Failure::usage(
            "invalidations are not written to the bus directly: a node clears its own store, appends the entry and notifies its clients, and the other nodes apply it from there; an entry written by hand would clear no store of the node that should have written it",
        )
        .with_hint(format!(
            "send it to any node of the deployment (or its load balancer): `polycache invalidate {} --url URL`; watch it spread with `polycache tail --bus`",
            args.types.join(" ")
        )));
    }
    if args.dry_run {
        let p = prepare(ctx, args)?;
        let request = |job: &Job| request_for(args, job);
        let plan = dry_run(ctx, args, &p.graph, &p.targets, &p.jobs, &request);
        crate::print(&plan)?;
        return Ok(exit::OK);
    }
    let report = crate::runtime()?.block_on(send(ctx, args))?;
    if ctx.global.json {
        crate::print(&render::json(&report))?;
    } else {
        crate::print(&table(&report, args, ctx.style))?;
    }
    let code = exit_code(&report);
    let hint = match code {
        exit::USAGE => Some(
            "credentials are never sent over plain http:// to another machine: use https://, or pass --allow-insecure on a trusted network",
        ),
        exit::AUTH => Some(
            "every target refused the login; check SERVICE_EMAIL/SERVICE_PASSWORD (or POLYCACHE_TOKEN) with `polycache config`",
        ),
        _ => None,
    };
    if let Some(h) = hint
        && !ctx.global.json
    {
        eprintln!("{} {h}", ctx.style.yellow("hint:"));
    }
    Ok(code)
}

/// Runs the invalidations of `args` (not `--dry-run`) and returns the report, for `run`
/// and for other commands that invalidate as part of their work (`demo`).
pub async fn send(ctx: &Context, args: &InvalidateArgs) -> Result<Report, Failure> {
    let Prepared { graph, targets, jobs } = prepare(ctx, args)?;
    let request = |job: &Job| request_for(args, job);
    // One HTTP client for the logins, the invalidations and the --verify streams.
    let http = crate::client::http_for(&ctx.settings)?;
    let auth = Authenticator::from_settings(http.clone(), &ctx.settings, args.allow_insecure)
        .map_err(auth_failure)?
        .with_disk_cache(DiskTokens::from_setting(ctx.settings.get("POLYCACHE_TOKEN_CACHE")))
        .with_trace(render::trace(ctx.style, ctx.global.verbose));
    let plan = Plan {
        graph,
        targets: &targets,
        jobs: &jobs,
        request: &request,
    };
    Ok(execute(ctx, args, http, auth, plan).await)
}

/// 0 when everything succeeded; 2 when every target was refused as plain http to another
/// machine; 4 when authentication failed everywhere; 3 when some succeeded and some failed;
/// 1 when nothing succeeded.
pub fn exit_code(report: &Report) -> u8 {
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
    let hint = match &e {
        AuthError::NoCredentials => "put them in .env, or export them; `polycache config` shows what is set",
        AuthError::Insecure(_) => "use an https:// URL, or pass --allow-insecure if the network is trusted",
        _ => "check SERVICE_EMAIL/SERVICE_PASSWORD (or POLYCACHE_TOKEN) with `polycache config`",
    };
    Failure::new(exit::AUTH, e.to_string()).with_hint(hint)
}

/// What to send where.
struct Plan<'a> {
    graph: Graph,
    targets: &'a [Arc<Target>],
    jobs: &'a [Job],
    request: &'a (dyn Fn(&Job) -> InvalidateRequest + Sync),
}

async fn execute(
    ctx: &Context,
    args: &InvalidateArgs,
    http: reqwest::Client,
    auth: Authenticator,
    plan: Plan<'_>,
) -> Report {
    let Plan {
        graph,
        targets,
        jobs,
        request,
    } = plan;
    let concurrency = args.concurrency as usize;
    // With --via-server the local server relays to its mirrors: --verify watches their
    // streams too (after the local one, so job indices stay valid).
    let relays: Vec<Arc<Target>> = if args.via_server && args.verify {
        Target::from_settings_mirrors(&ctx.settings)
            .into_iter()
            .map(Arc::new)
            .collect()
    } else {
        Vec::new()
    };
    let watched: Vec<Arc<Target>> = targets.iter().chain(&relays).cloned().collect();
    let watch = if args.verify {
        let canonicalize: Canonicalize = Arc::new(move |name: &str| graph.resolve(name).ok().map(|r| r.canonical));
        let ready = args.verify_timeout.max(Duration::from_secs(1));
        Some(Watch::start(&http, &watched, ctx.settings.stream_path(), ready, canonicalize).await)
    } else {
        None
    };
    let auth = Arc::new(auth);
    let invalidator = Invalidator::new(http, Arc::clone(&auth), ctx.settings.invalidate_path())
        .with_retry(RetryPolicy {
            attempts: args.retries.saturating_add(1),
            base_delay: Duration::from_millis(200),
        })
        .with_concurrency(concurrency)
        .with_deadline(args.timeout)
        .with_trace(render::trace(ctx.style, ctx.global.verbose));

    let progress = progress_bar(ctx, jobs.len());
    // Every target at once, each on its own: log in, then send its types one after
    // another, in the order given, so its stream announces them in that order too. A wrong
    // password costs one attempt per target, and the latencies measure the invalidation,
    // not the login. One deadline covers a target's whole exchange, starting with its
    // login, so a target that hangs never holds up another.
    progress.set_message("invalidating");
    let progress_ref = &progress;
    let per_target: Vec<Vec<(usize, Instant, InvalidateOutcome)>> = futures::stream::iter(0..targets.len())
        .map(|ti| {
            let target = &targets[ti];
            let (invalidator, auth) = (&invalidator, &auth);
            async move {
                let deadline = tokio::time::Instant::now() + args.timeout;
                let login = match tokio::time::timeout_at(deadline, auth.token_for(target)).await {
                    Ok(token) => token.map(|_| ()),
                    Err(_) => Err(AuthError::Deadline {
                        target: target.name.clone(),
                        after: human(args.timeout),
                    }),
                };
                let mut out = Vec::new();
                for (n, job) in jobs.iter().enumerate().filter(|(_, j)| j.target == ti) {
                    let start = Instant::now();
                    let outcome = match &login {
                        // Unreachable at login time: the invalidation retries the login.
                        Err(e) if !matches!(e, AuthError::Network { .. }) => failed_login(target, e.clone()),
                        _ => invalidator.invalidate_by(target, &request(job), deadline).await,
                    };
                    progress_ref.inc(1);
                    out.push((n, start, outcome));
                }
                out
            }
        })
        .buffer_unordered(concurrency)
        .collect()
        .await;
    let mut done: Vec<(usize, Instant, InvalidateOutcome)> = per_target.into_iter().flatten().collect();
    done.sort_by_key(|(n, _, _)| *n);

    let verifications: Vec<Option<Verification>> = match &watch {
        None => vec![None; done.len()],
        Some(watch) => {
            progress.set_message("watching the streams");
            futures::future::join_all(done.iter().map(|(n, start, outcome)| {
                let job = &jobs[*n];
                async move {
                    if !outcome.is_ok() {
                        return None;
                    }
                    Some(verify_one(watch, job, *start, args.verify_timeout).await)
                }
            }))
            .await
        }
    };
    // The relay: each mirror's stream must announce each type the local server accepted.
    let relayed: Vec<Row> = match &watch {
        Some(watch) if !relays.is_empty() => {
            let checks = relays.iter().enumerate().flat_map(|(ri, mirror)| {
                done.iter().filter(|(_, _, o)| o.is_ok()).map(move |(n, start, _)| {
                    let job = Job {
                        target: targets.len() + ri,
                        kind: jobs[*n].kind.clone(),
                    };
                    async move {
                        let verify = verify_one(watch, &job, *start, args.verify_timeout).await;
                        Row {
                            kind: job.kind,
                            ok: verify.seen,
                            relayed: true,
                            outcome: InvalidateOutcome::new(mirror),
                            verify: Some(verify),
                        }
                    }
                })
            });
            futures::future::join_all(checks).await
        }
        _ => Vec::new(),
    };
    progress.finish_and_clear();
    let mut results: Vec<Row> = done
        .into_iter()
        .zip(verifications)
        .map(|((n, _, outcome), verify)| Row {
            kind: jobs[n].kind.clone(),
            ok: outcome.is_ok() && verify.as_ref().is_none_or(|v| v.seen),
            relayed: false,
            outcome,
            verify,
        })
        .collect();
    results.extend(relayed);
    Report {
        ok: results.iter().all(|r| r.ok),
        via_server: args.via_server,
        results,
    }
}

async fn verify_one(watch: &Watch, job: &Job, start: Instant, timeout: Duration) -> Verification {
    let deadline = Instant::now() + timeout;
    match watch.wait_for(job.target, &job.kind, deadline).await {
        Some(s) => Verification {
            seen: true,
            event_id: s.event_id,
            propagation_ms: Some(s.at.saturating_duration_since(start).as_millis() as u64),
            error: None,
        },
        None => Verification {
            seen: false,
            event_id: None,
            propagation_ms: None,
            error: Some(match watch.down(job.target) {
                Some(why) => format!("no stream to watch: {why}"),
                None => format!("accepted, but no app-update for {} within {}", job.kind, human(timeout)),
            }),
        },
    }
}

fn failed_login(target: &Target, e: AuthError) -> InvalidateOutcome {
    InvalidateOutcome {
        error: Some(InvalidateError::Auth(e)),
        ..InvalidateOutcome::new(target)
    }
}

/// A bar on a terminal; nothing when stderr is not one or with `--json`.
fn progress_bar(ctx: &Context, len: usize) -> indicatif::ProgressBar {
    if ctx.global.json || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len as u64);
    if let Ok(style) = indicatif::ProgressStyle::with_template("{spinner} {msg} [{bar:30}] {pos}/{len} {elapsed}") {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.enable_steady_tick(Duration::from_millis(100));
    bar
}

/// The result table, with the summary line under it.
pub fn table(report: &Report, args: &InvalidateArgs, style: Style) -> String {
    let mut header = vec!["target", "type", "status", "cleared", "latency"];
    if args.verify {
        header.extend(["on stream", "propagation"]);
    }
    header.push("error");
    let mut t = render::table(style, &header);
    if style.color {
        // Colour goes through comfy-table's own cell styling: ANSI codes inside the text
        // would be counted as width and split when a cell wraps.
        t.enforce_styling();
    }
    let paint = |text: String, good: bool| {
        let cell = Cell::new(text);
        match (style.color, good) {
            (false, _) => cell,
            (true, true) => cell.fg(Color::Green),
            (true, false) => cell.fg(Color::Red),
        }
    };
    for r in &report.results {
        let o = &r.outcome;
        let mut status = match o.status {
            _ if r.relayed => "relayed".to_string(),
            Some(s) if o.is_ok() => format!("ok {s}"),
            None if o.is_ok() => "ok".to_string(),
            Some(s) => format!("failed {s}"),
            None => "failed".to_string(),
        };
        if o.attempts > 1 {
            status.push_str(&format!(" ({} tries)", o.attempts));
        }
        let mut row = vec![
            Cell::new(&o.target),
            Cell::new(&r.kind),
            paint(status, r.ok || (o.is_ok() && !r.relayed)),
            Cell::new(o.invalidated.join(", ")),
            Cell::new(if o.attempts == 0 { "-".into() } else { human(o.latency) }),
        ];
        let mut error = o.error.as_ref().map(|e| e.to_string()).unwrap_or_default();
        if args.verify {
            match &r.verify {
                Some(v) if v.seen => {
                    let id = v.event_id.as_deref().map(|i| format!(" #{i}")).unwrap_or_default();
                    row.push(paint(format!("yes{id}"), true));
                    let ms = v.propagation_ms.map(|ms| human(Duration::from_millis(ms)));
                    row.push(Cell::new(ms.unwrap_or_default()));
                }
                Some(v) => {
                    row.push(paint("no".into(), false));
                    row.push(Cell::new("-"));
                    error = v.error.clone().unwrap_or_default();
                }
                None => {
                    row.push(Cell::new("-"));
                    row.push(Cell::new("-"));
                }
            }
        }
        row.push(Cell::new(error));
        t.add_row(row);
    }
    let failed: Vec<&str> = report
        .results
        .iter()
        .filter(|r| !r.ok)
        .map(|r| r.outcome.target.as_str())
        .collect();
    let mut out = format!("{t}\n");
    let total = report.results.len();
    if failed.is_empty() {
        out.push_str(&style.green(&format!("{total} of {total} invalidations succeeded")));
    } else {
        let mut names = failed.clone();
        names.dedup();
        out.push_str(&style.red(&format!(
            "{} of {total} invalidations failed: {}",
            failed.len(),
            names.join(", ")
        )));
    }
    out.push('\n');
    if report.via_server {
        let mirrored = report.results.iter().any(|r| r.outcome.mirrored == Some(true));
        out.push_str(&style.dim(if mirrored {
            "the local server broadcasts to its own mirrors (mirrored: true)\n"
        } else {
            "the local server did not report broadcasting to mirrors\n"
        }));
    }
    out
}

/// The request each target would get, and what it would clear; nothing is sent.
#[derive(Debug, Serialize)]
struct PlannedRequest {
    target: String,
    method: &'static str,
    url: String,
    headers: serde_json::Value,
    body: InvalidateRequest,
    /// The cascade according to the local graph (the server's answer may differ).
    cascade: Vec<String>,
    /// Why the real run would refuse to send credentials there.
    refused: Option<String>,
}

fn dry_run(
    ctx: &Context,
    args: &InvalidateArgs,
    graph: &Graph,
    targets: &[Arc<Target>],
    jobs: &[Job],
    request: &dyn Fn(&Job) -> InvalidateRequest,
) -> String {
    let s = ctx.style;
    let auth = match AuthConfig::from_settings(&ctx.settings) {
        Ok(AuthConfig::Token(_)) => "POLYCACHE_TOKEN (no login)".to_string(),
        Ok(AuthConfig::Login { auth_path, credentials }) => {
            format!(
                "POST {{target}}{auth_path} as {} (password ••••), one login per target",
                credentials.email
            )
        }
        Ok(AuthConfig::Supabase { url, credentials, .. }) => format!(
            "POST {url}/auth/v1/token?grant_type=password as {} (password ••••), one token for every target",
            credentials.email
        ),
        Err(e) => format!("none: {e}"),
    };
    let planned: Vec<PlannedRequest> = jobs
        .iter()
        .map(|job| {
            let t = &targets[job.target];
            PlannedRequest {
                target: t.name.clone(),
                method: "POST",
                url: t.url(ctx.settings.invalidate_path()),
                headers: serde_json::json!({"Authorization": "Bearer ••••", "Content-Type": "application/json"}),
                body: request(job),
                cascade: graph.cascade(&job.kind),
                refused: t.check_secure(args.allow_insecure).err().map(|e| e.to_string()),
            }
        })
        .collect();
    if ctx.global.json {
        return render::json(&serde_json::json!({"dryRun": true, "auth": auth, "requests": planned}));
    }
    let mut out = format!(
        "{}\n{} {auth}\n",
        s.yellow("dry run: nothing is sent (no login either)"),
        s.dim("auth:")
    );
    for (i, p) in planned.iter().enumerate() {
        let t = &targets[jobs[i].target];
        if i == 0 || jobs[i - 1].target != jobs[i].target {
            out.push_str(&format!("\n{} {}\n", s.bold(&t.name), s.dim(&format!("({})", t.base))));
        }
        out.push_str(&format!("  {} {}\n", p.method, p.url));
        if let Some(headers) = p.headers.as_object() {
            for (k, v) in headers {
                out.push_str(&format!("  {k}: {}\n", v.as_str().unwrap_or_default()));
            }
        }
        out.push_str(&format!(
            "  {}\n  {} {}\n",
            serde_json::to_string(&p.body).unwrap_or_default(),
            s.dim("clears (graph):"),
            p.cascade.join(", ")
        ));
        if let Some(r) = &p.refused {
            out.push_str(&format!("  {} {r}\n", s.red("would be refused:")));
        }
    }
    if args.via_server {
        out.push_str(&format!(
            "\n{}\n",
            s.dim("mirror: true: the local server broadcasts on to its own CACHE_MIRRORS")
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::InsecureError;

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

    fn report(results: Vec<Row>) -> Report {
        Report {
            ok: results.iter().all(|r| r.ok),
            via_server: false,
            results,
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
