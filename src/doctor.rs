//! The checks of `polycache doctor`: every piece polycache depends on, checked in order,
//! one row each.
//!
//! The checks reuse the pieces the commands use (settings, the client's login and probes,
//! the store module, the graph, the logs module), so a green doctor means the commands
//! will work. Independent checks run at the same time; rows come out in a fixed order.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::client::probe::{self, FirstSign, HEALTH_PATH};
use crate::client::trace::describe_reqwest;
use crate::client::{AuthConfig, AuthError, Authenticator, Target, Trace};
use crate::config::{ConfigError, Settings, parse_mirrors, redact_url_password};
use crate::duration::fmt_ttl;
use crate::duration::human;
use crate::graph::Graph;
use crate::hint::Hint;
use crate::logs::filter::Filter;
use crate::logs::{Engine, Output};
use crate::protocol::HealthAnswer;
use crate::store::Store;
use crate::units::fmt_bytes;

/// How a check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    /// Worth a look, but nothing is broken (does not fail the run).
    Warn,
    Fail,
}

/// One row of the report.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub status: Status,
    pub check: String,
    pub detail: String,
    pub hint: Option<String>,
}

impl Check {
    fn pass(check: impl Into<String>, detail: impl Into<String>) -> Check {
        Check {
            status: Status::Pass,
            check: check.into(),
            detail: detail.into(),
            hint: None,
        }
    }

    fn warn(check: impl Into<String>, detail: impl Into<String>, hint: impl Into<String>) -> Check {
        Check {
            status: Status::Warn,
            hint: Some(hint.into()),
            ..Check::pass(check, detail)
        }
    }

    fn fail(check: impl Into<String>, detail: impl Into<String>, hint: impl Into<String>) -> Check {
        Check {
            status: Status::Fail,
            hint: Some(hint.into()),
            ..Check::pass(check, detail)
        }
    }

    /// A failed check from an error: its message, and the hint it gives (or `fallback`).
    fn failed(check: impl Into<String>, e: &dyn Hint, fallback: &str) -> Check {
        let hint = e.hint().unwrap_or_else(|| fallback.to_string());
        Check::fail(check, e.to_string(), hint)
    }
}

/// Every check, and whether none failed.
#[derive(Debug, Serialize)]
pub struct DoctorReport {
    pub ok: bool,
    pub checks: Vec<Check>,
}

/// What the checks look at.
pub struct Inputs<'a> {
    pub settings: &'a Settings,
    /// What loading the settings ran into.
    pub problems: &'a [ConfigError],
    /// Whether the env file was named with `--env-file`.
    pub env_file_flag: bool,
    /// Where the search for `.env` (and the graph) started.
    pub cwd: &'a Path,
    /// The graph file given with `--graph`.
    pub graph_file: Option<&'a Path>,
    /// The `-v` request trace.
    pub trace: Trace,
    /// The longest wait for each server, login and Redis.
    pub timeout: Duration,
    /// The longest wait for a stream's first bytes.
    pub stream_timeout: Duration,
}

/// Runs every check, in the documented order.
pub async fn run(inputs: &Inputs<'_>) -> DoctorReport {
    let checks = checks(inputs).await;
    DoctorReport {
        ok: !checks.iter().any(|c| c.status == Status::Fail),
        checks,
    }
}

async fn checks(inputs: &Inputs<'_>) -> Vec<Check> {
    let settings = inputs.settings;
    let problems = inputs.problems;
    let mut out = vec![env_check(inputs)];
    let (mirror_checks, mirrors) = mirror_checks(settings);
    out.extend(mirror_checks);

    let mut targets = Vec::new();
    let local_bad = problems.iter().find(|p| {
        matches!(
            p,
            ConfigError::BadUrl {
                name: "POLYCACHE_URL",
                ..
            } | ConfigError::UrlCredentials {
                name: "POLYCACHE_URL",
                ..
            }
        )
    });
    if let Some(p) = local_bad {
        out.push(Check::failed("server local", p, ""));
    } else {
        targets.push(Arc::new(Target::from_settings_local(settings)));
    }
    targets.extend(mirrors.iter().map(|m| Arc::new(Target::named(settings, m))));

    let http = match crate::client::http_for(settings) {
        Ok(h) => h,
        Err(e) => {
            // The checks still run, trusting only the built-in roots.
            out.push(Check::failed("cacert", &e, ""));
            match crate::client::http() {
                Ok(h) => h,
                Err(e) => {
                    out.push(Check::failed("http", &e, ""));
                    return out;
                }
            }
        }
    };
    // No disk token cache: the point is to see a login work now.
    let trace = inputs.trace.clone();
    let auth = Authenticator::from_settings(http.clone(), settings, false).map(|a| a.with_trace(trace.clone()));
    // Each server's health is asked once: its row here, its `bus` part in the bus rows.
    let reaches = futures::future::join_all(
        targets
            .iter()
            .map(|t| reach(&http, &trace, t, settings, inputs.timeout)),
    );
    let reaches = futures::FutureExt::shared(reaches);
    let per_target = futures::future::join_all(targets.iter().map(|t| {
        let (http, auth, trace) = (&http, &auth, &trace);
        async move {
            tokio::join!(
                login(auth, t, inputs.timeout),
                stream(http, trace, t, settings, inputs.stream_timeout),
            )
        }
    }));
    let graph_check = graph_check(inputs);
    let log_path = inputs.cwd.join(settings.cache_log());
    let log_shown = settings.cache_log().to_string();
    let log_task = tokio::task::spawn_blocking(move || log_check(&log_path, &log_shown));
    let (reaches_for_bus, targets_ref) = (reaches.clone(), &targets);
    let bus = async move {
        let healths: Vec<Option<HealthAnswer>> = reaches_for_bus.await.into_iter().map(|(_, h)| h).collect();
        bus_checks(&healths, targets_ref, settings, inputs.timeout).await
    };
    let (reached, per_target, redis, bus) = tokio::join!(reaches, per_target, redis_check(settings), bus);
    out.extend(reached.into_iter().map(|(r, _)| r));
    out.extend(per_target.iter().map(|(l, _)| l.clone()));
    out.extend(per_target.iter().map(|(_, s)| s.clone()));
    out.push(redis);
    out.extend(bus);
    out.push(graph_check);
    out.push(log_task.await.unwrap_or_else(|e| {
        Check::fail(
            "log",
            format!("the log check stopped: {e}"),
            "run `polycache logs --errors --since 1h` to read the log directly",
        )
    }));
    out
}

fn env_check(inputs: &Inputs<'_>) -> Check {
    let problems = inputs.problems;
    if let Some(ConfigError::EnvFile { .. }) = problems.first() {
        return Check::failed(".env", &problems[0], "");
    }
    match &inputs.settings.env_file {
        Some(p) if inputs.env_file_flag => Check::pass(".env", format!("{} (--env-file)", p.display())),
        Some(p) => Check::pass(".env", format!("found {}", p.display())),
        None => Check::warn(
            ".env",
            format!(
                "none found from {} up to the repository root (or the home directory); settings come from the environment and defaults",
                inputs.cwd.display()
            ),
            "put the settings in .env (see `polycache config`), or name a file with --env-file",
        ),
    }
}

/// One row per CACHE_MIRRORS problem (or one row saying all is well), and the mirrors
/// that are usable.
fn mirror_checks(settings: &Settings) -> (Vec<Check>, Vec<String>) {
    const NAME: &str = "CACHE_MIRRORS";
    let local = settings.url();
    let mut rows = Vec::new();
    let mut valid = Vec::new();
    for entry in settings.mirror_entries() {
        match parse_mirrors(entry, local) {
            Ok(_) => valid.push(entry),
            Err(e) => rows.push(Check::failed(NAME, &e, "")),
        }
    }
    // Each entry is valid on its own: now drop duplicates and the local server.
    let (mirrors, warnings) = parse_mirrors(&valid.join(","), local).unwrap_or_default();
    for w in warnings {
        rows.push(Check::warn(NAME, w, "remove that entry from CACHE_MIRRORS"));
    }
    if rows.is_empty() {
        rows.push(Check::pass(
            NAME,
            match mirrors.len() {
                0 => "none configured: only the local server is used".to_string(),
                n => format!("{n} valid: {}", mirrors.join(", ")),
            },
        ));
    }
    (rows, mirrors)
}

/// The hint for a failure to reach `target` that `detail` describes.
fn fix_for(target: &Target, detail: &str) -> &'static str {
    if detail.contains("TLS: ") {
        "the server's certificate was refused (see why): fix it on the server, or trust it with --cacert FILE"
    } else {
        where_to_fix(target)
    }
}

fn where_to_fix(target: &Target) -> &'static str {
    Target::reach_hint(&target.name)
}

/// `GET /api/health`, else the stream endpoint: does anything answer, and how fast.
async fn reach(
    http: &reqwest::Client,
    trace: &Trace,
    target: &Target,
    settings: &Settings,
    timeout: Duration,
) -> (Check, Option<HealthAnswer>) {
    let name = format!("server {}", target.name);
    let health = match probe::health(http, trace, target, timeout).await {
        Ok(h) => h,
        Err(e) => {
            let detail = e.describe();
            let check = Check::fail(name, format!("{}: {detail}", target.base), fix_for(target, &detail));
            return (check, None);
        }
    };
    let status = health.status;
    // A node that answers but says its store is down is not healthy, whatever else works.
    if let Some(why) = health.not_ok() {
        let check = Check::fail(
            name,
            format!(
                "{}: GET {HEALTH_PATH} {status} says it is not ok: {}",
                target.base,
                crate::escape::text(&why)
            ),
            "the server runs but its cache store does not answer: check its Redis (REDIS_URL on the server)",
        );
        return (check, health.answer);
    }
    if (200..300).contains(&status) {
        let check = Check::pass(
            name,
            format!(
                "{}: GET {HEALTH_PATH} {status} in {}",
                target.base,
                human(health.elapsed)
            ),
        );
        return (check, health.answer);
    }
    (
        stream_probe(http, trace, target, settings, timeout, name, status).await,
        health.answer,
    )
}

/// No healthy `GET /api/health`: not every deployment has the sandbox's health endpoint,
/// and the stream is public too.
async fn stream_probe(
    http: &reqwest::Client,
    trace: &Trace,
    target: &Target,
    settings: &Settings,
    timeout: Duration,
    name: String,
    status: u16,
) -> Check {
    let path = settings.stream_path();
    match probe::stream_status(http, trace, target, path, timeout).await {
        Ok((code, took)) if (200..300).contains(&code) => Check::pass(
            name,
            format!(
                "{}: no {HEALTH_PATH} ({status}), GET {path} {code} in {}",
                target.base,
                human(took)
            ),
        ),
        Ok((code, _)) => Check::fail(
            name,
            format!("{}: GET {HEALTH_PATH} {status}, GET {path} {code}", target.base),
            "is this a Polymech server? Check the URL and POLYCACHE_STREAM_PATH",
        ),
        Err(e) => Check::fail(
            name,
            format!("{}: {}", target.base, describe_reqwest(&e)),
            where_to_fix(target),
        ),
    }
}

/// Logs in (or checks POLYCACHE_TOKEN) and shows when the token expires, never the token.
async fn login(auth: &Result<Authenticator, AuthError>, target: &Target, timeout: Duration) -> Check {
    let name = format!("login {}", target.name);
    let auth = match auth {
        Ok(a) => a,
        Err(e) => {
            return Check::fail(name, e.to_string(), e.hint().unwrap_or_default());
        }
    };
    let how = match auth.config() {
        AuthConfig::Token(_) => "POLYCACHE_TOKEN".to_string(),
        AuthConfig::Login { credentials, .. } => format!("as {}", credentials.email),
        AuthConfig::Supabase { credentials, .. } => format!("as {} through Supabase", credentials.email),
    };
    let token = match tokio::time::timeout(timeout, auth.token_for(target)).await {
        Err(_) => {
            return Check::fail(
                name,
                format!("no answer within {}", human(timeout)),
                where_to_fix(target),
            );
        }
        Ok(Err(e)) => {
            let hint = match &e {
                AuthError::Network { .. } => where_to_fix(target).to_string(),
                AuthError::Insecure(_) => "use an https:// URL for this server".to_string(),
                e => e.hint().unwrap_or_default(),
            };
            return Check::fail(name, e.to_string(), hint);
        }
        Ok(Ok(t)) => t,
    };
    let now = chrono::Utc::now().timestamp();
    match token.expires_at().map(|e| e as i64) {
        None => Check::pass(name, format!("{how}: the token has no expiry")),
        Some(exp) if exp <= now => Check::fail(
            name,
            format!("{how}: the token expired at {}", stamp(exp)),
            "POLYCACHE_TOKEN has expired: unset it to log in, or set a fresh one",
        ),
        Some(exp) => Check::pass(
            name,
            format!(
                "{how}: token valid until {} (in {})",
                stamp(exp),
                fmt_ttl((exp - now) * 1000)
            ),
        ),
    }
}

fn stamp(epoch_secs: i64) -> String {
    chrono::DateTime::from_timestamp(epoch_secs, 0)
        .map(|t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string())
        .unwrap_or_else(|| epoch_secs.to_string())
}

/// Opens the stream and waits for its first bytes: a comment (serve opens with
/// `: connected`, then pings) or an event.
async fn stream(
    http: &reqwest::Client,
    trace: &Trace,
    target: &Arc<Target>,
    settings: &Settings,
    wait: Duration,
) -> Check {
    let name = format!("stream {}", target.name);
    match probe::first_sign(http, trace, target, settings.stream_path(), wait).await {
        FirstSign::Comment { text, after } => {
            // Shown as sent, control characters made visible, at most 40 of them.
            let what: String = text
                .chars()
                .take(40)
                .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
                .collect();
            Check::pass(name, format!("`: {what}` after {}", human(after)))
        }
        FirstSign::Event { name: event, id, after } => {
            let id = id.map(|i| format!(" #{}", crate::escape::text(&i))).unwrap_or_default();
            Check::pass(
                name,
                format!("{}{id} after {}", crate::escape::text(&event), human(after)),
            )
        }
        FirstSign::Failed { reason } => {
            // An HTTP answer means the server is there but the path is wrong.
            let hint = if reason.contains("answered HTTP") {
                "check POLYCACHE_STREAM_PATH and that the server streams (`polycache tail -v`)"
            } else {
                fix_for(target, &reason)
            };
            Check::fail(
                name,
                format!("GET {}: {reason}", target.url(settings.stream_path())),
                hint,
            )
        }
        FirstSign::Ended => Check::fail(name, "the stream ended", "check the server's log"),
        FirstSign::Silent { opened: Some(at) } => Check::warn(
            name,
            format!(
                "open after {}, but no heartbeat or event within {}",
                human(at),
                human(wait)
            ),
            "servers ping every 15 s by default: rerun with --stream-timeout 20s to see one",
        ),
        FirstSign::Silent { opened: None } => Check::fail(
            name,
            format!("did not open within {}", human(wait)),
            where_to_fix(target),
        ),
    }
}

/// Connects to REDIS_URL and counts the keys under CACHE_PREFIX (one SCAN pass).
async fn redis_check(settings: &Settings) -> Check {
    let url = settings.redis_url();
    let prefix = settings.cache_prefix();
    let start = Instant::now();
    let store = match Store::connect(url, prefix).await {
        Ok(s) => s,
        Err(e) => return Check::failed("redis", &e, ""),
    };
    let mut keys = 0usize;
    match store.scan(&store.prefix_pattern(), |page, _| keys += page.len()).await {
        Ok(()) => Check::pass(
            "redis",
            format!(
                "{}: {keys} {} under `{prefix}` (in {})",
                redact_url_password(url),
                if keys == 1 { "key" } else { "keys" },
                human(start.elapsed())
            ),
        ),
        Err(e) => Check::failed("redis", &e, ""),
    }
}

/// The bus (PROTOCOL section 8), when in use: each target's own view (its health's `bus`:
/// connected or not, queued invalidations), then the stream seen from REDIS_URL: its length,
/// the nodes seen in the last minute and how far each is behind the head. No row at all
/// when no target is on a bus and Redis holds no bus stream.
async fn bus_checks(
    healths: &[Option<HealthAnswer>],
    targets: &[Arc<Target>],
    settings: &Settings,
    timeout: Duration,
) -> Vec<Check> {
    let mut out = Vec::new();
    let mut on_bus = false;
    for (t, h) in targets.iter().zip(healths) {
        let Some(b) = h.as_ref().and_then(|h| h.bus.as_ref()) else {
            continue;
        };
        on_bus = true;
        let name = format!("bus {}", t.name);
        // The node's own words: escaped for the terminal.
        let node = crate::escape::text(&b.node);
        if b.connected {
            out.push(Check::pass(
                name,
                format!(
                    "{}: node {node} connected to {}, read up to {}",
                    t.base,
                    crate::escape::text(&b.key),
                    crate::escape::text(&b.last_id)
                ),
            ));
        } else {
            let down = b
                .down_for_ms
                .map(|ms| format!(" for {}", human(Duration::from_millis(ms))))
                .unwrap_or_default();
            out.push(Check::fail(
                name,
                format!(
                    "{}: node {node} has lost the bus{down} ({}); it serves its own clients alone, {} {} queued",
                    t.base,
                    crate::escape::text(b.error.as_deref().unwrap_or("no reason given")),
                    b.pending,
                    if b.pending == 1 { "invalidation" } else { "invalidations" },
                ),
                "bring the node's Redis back (or fix its REDIS_URL): it reconnects by itself, appends what it queued and catches up",
            ));
        }
    }
    let url = settings.redis_url();
    let bus = match crate::bus::Bus::open(url, settings.cache_prefix(), crate::bus::DEFAULT_MAXLEN).await {
        Ok(b) => b,
        Err(e) if on_bus => {
            out.push(Check::fail(
                "bus",
                e.to_string(),
                "start Redis or point REDIS_URL at the deployment's Redis",
            ));
            return out;
        }
        Err(_) => return out,
    };
    let report = async {
        let mut conn = bus.connect_conn(timeout).await?;
        let info = bus.info(&mut conn).await?;
        let nodes = bus.nodes(&mut conn).await?;
        let mut lags = Vec::new();
        for n in &nodes {
            lags.push(bus.count_after(&mut conn, &n.last_id, 10_001).await?);
        }
        Ok::<_, crate::bus::BusError>((info, nodes, lags))
    };
    let (info, nodes, lags) = match tokio::time::timeout(timeout, report).await {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => {
            out.push(Check::fail(
                "bus",
                e.to_string(),
                "check that Redis answers (`polycache redis stats`)",
            ));
            return out;
        }
        Err(_) => {
            out.push(Check::fail(
                "bus",
                format!("{} did not answer in time", bus.url),
                "check that Redis answers",
            ));
            return out;
        }
    };
    if !on_bus && info.length == 0 && nodes.is_empty() {
        return out;
    }
    let now = crate::bus::now_ms();
    let alive: Vec<String> = nodes
        .iter()
        .zip(&lags)
        .filter(|(n, _)| now - n.seen <= crate::bus::ALIVE.as_millis() as i64)
        .map(|(n, lag)| {
            let lag = if *lag > 10_000 {
                "over 10000".to_string()
            } else {
                lag.to_string()
            };
            format!(
                "{} (lag {lag}, seen {} ago)",
                n.node,
                human(Duration::from_millis((now - n.seen).max(0) as u64))
            )
        })
        .collect();
    let detail = format!(
        "{} on {}: {} {}, head {}; {} {} seen in the last minute{}{}",
        bus.key,
        bus.url,
        info.length,
        if info.length == 1 { "entry" } else { "entries" },
        info.last_generated_id,
        alive.len(),
        if alive.len() == 1 { "node" } else { "nodes" },
        if alive.is_empty() { "" } else { ": " },
        alive.join(", ")
    );
    let behind = nodes
        .iter()
        .zip(&lags)
        .any(|(n, lag)| now - n.seen <= crate::bus::ALIVE.as_millis() as i64 && *lag > 100);
    out.push(if alive.is_empty() {
        Check::warn(
            "bus",
            detail,
            "no node has written a heartbeat in the last minute: are the `serve --bus redis` nodes running?",
        )
    } else if behind {
        Check::warn(
            "bus",
            detail,
            "a node is more than 100 entries behind the head: is it overloaded or cut off from Redis?",
        )
    } else {
        Check::pass("bus", detail)
    });
    out
}

fn graph_check(inputs: &Inputs<'_>) -> Check {
    match Graph::load(inputs.graph_file, inputs.cwd) {
        Ok(g) => Check::pass("graph", graph_detail(&g)),
        Err(e) => Check::failed(
            "graph",
            &e,
            "fix the graph file, or remove it to use the built-in default",
        ),
    }
}

fn graph_detail(g: &Graph) -> String {
    format!("{}: {} types, acyclic", g.source, g.types().len())
}

/// The log exists, how big it is, and how many errors it holds from the last hour.
fn log_check(path: &Path, shown: &str) -> Check {
    let hint = "set CACHE_LOG (or --log-file) to the server's cache log (the server writes it as it runs)";
    let meta = match std::fs::metadata(path) {
        Ok(m) if m.is_file() => m,
        Ok(_) => return Check::fail("log", format!("{shown} is not a file"), hint),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Check::fail("log", format!("{shown} does not exist"), hint);
        }
        Err(e) => return Check::fail("log", format!("cannot read {shown}: {e}"), hint),
    };
    let size = fmt_bytes(meta.len());
    let now = chrono::Utc::now().timestamp_millis();
    let engine = Engine {
        filter: Filter {
            min_level: Some(crate::logs::parse::ERROR),
            since: Some(now - 3_600_000),
            ..Filter::default()
        },
        output: Output::Json,
    };
    // Keep only the latest error line: the count is in the tally.
    let mut last: Vec<u8> = Vec::new();
    let mut emit = |b: &[u8]| -> std::io::Result<()> {
        let trimmed = b.trim_ascii_end();
        if let Some(line) = trimmed.rsplit(|c| *c == b'\n').next().filter(|l| !l.is_empty()) {
            last.clear();
            last.extend_from_slice(line);
        }
        Ok(())
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let tally = match std::fs::File::open(path).and_then(|f| crate::logs::read::scan(&engine, f, threads, &mut emit)) {
        Ok(t) => t,
        Err(e) => return Check::fail("log", format!("cannot read {shown}: {e}"), hint),
    };
    match tally.shown {
        0 => Check::pass("log", format!("{shown}: {size}, no errors in the last hour")),
        n => Check::warn(
            "log",
            format!(
                "{shown}: {size}, {n} {} in the last hour; latest: {}",
                if n == 1 { "error" } else { "errors" },
                summary(&last)
            ),
            "read them with `polycache logs --errors --since 1h`",
        ),
    }
}

/// `msg: err.message` of a pino line.
fn summary(line: &[u8]) -> String {
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(line) else {
        return String::from_utf8_lossy(line).chars().take(120).collect();
    };
    let msg = v.get("msg").and_then(|m| m.as_str()).unwrap_or("(no msg)");
    match v.pointer("/err/message").and_then(|m| m.as_str()) {
        Some(e) => format!("{msg}: {e}"),
        None => msg.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::LoadOptions;

    fn settings(mirrors: &str) -> Settings {
        let (s, _) = Settings::load_lenient_with_env(&LoadOptions::default(), |k| match k {
            "POLYCACHE_URL" => Some("http://127.0.0.1:3333".into()),
            "CACHE_MIRRORS" => Some(mirrors.into()),
            _ => None,
        });
        s
    }

    #[test]
    fn every_bad_mirror_entry_is_its_own_failed_row_and_the_good_ones_are_kept() {
        let (rows, mirrors) = mirror_checks(&settings(
            "https://a.example, b.example, ftp://c.example, https://a.example/, http://127.0.0.1:3333",
        ));
        assert_eq!(mirrors, ["https://a.example"]);
        let fails: Vec<&Check> = rows.iter().filter(|r| r.status == Status::Fail).collect();
        assert_eq!(fails.len(), 2, "{rows:?}");
        assert!(fails[0].detail.contains("`b.example` has no scheme"));
        assert_eq!(fails[0].hint.as_deref(), Some("write it as https://b.example"));
        assert!(fails[1].detail.contains("`ftp://c.example`"));
        let warns: Vec<&Check> = rows.iter().filter(|r| r.status == Status::Warn).collect();
        assert_eq!(warns.len(), 2, "a duplicate and the local server: {rows:?}");
    }

    #[test]
    fn clean_mirrors_make_one_passing_row() {
        let (rows, mirrors) = mirror_checks(&settings("https://a.example,https://b.example"));
        assert_eq!(mirrors.len(), 2);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].status, Status::Pass);
        assert_eq!(rows[0].detail, "2 valid: https://a.example, https://b.example");
        let (rows, _) = mirror_checks(&settings(""));
        assert_eq!(rows[0].detail, "none configured: only the local server is used");
    }
}
