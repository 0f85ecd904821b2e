//! `polycache demo`: the whole cache flow, once, with nothing but this binary.
//!
//! Two reference nodes ([`crate::server`]) run in this process on free loopback ports,
//! "local" mirroring to "production", each with a memory store of demo entries, a cache
//! log in a temporary directory and the same throwaway account. The walkthrough then uses
//! the real pieces the commands use: the graph, `invalidate --mirror --verify`
//! ([`super::invalidate::send`]), the stream follower ([`crate::client::stream`]) rendered
//! like `tail`, the entries endpoint, `invalidate --via-server`, and the log read like
//! `logs --mirror` ([`crate::logs`]). Every step is checked against what the nodes really
//! did, and narrated as it completes.
//!
//! The account's password never reaches the output: it lives in the nodes' settings and in
//! an env file of mode 0600 that the "do it by hand" commands name with `--env-file`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::{Value, json};
use tokio::sync::{mpsc, watch};

use super::Context;
use super::invalidate::{self, Report};
use super::tail::View;
use crate::cli::{DemoArgs, InvalidateArgs, TargetArgs};
use crate::client::Target;
use crate::client::stream::{FollowOptions, Notice, StreamEvent, follow_all};
use crate::config::{LoadOptions, Settings};
use crate::duration::human;
use crate::error::{Failure, exit};
use crate::graph::Graph;
use crate::logs::filter::{FieldMatch, Filter};
use crate::logs::format::Formatter;
use crate::logs::{Engine, Output};
use crate::render::{self, Style};
use crate::server::auth::random_hex;
use crate::server::{ENTRIES_PATH, ServeOptions, Server, StoreKind};

/// The throwaway account both nodes accept.
const EMAIL: &str = "demo@polycache.local";
/// The type the walkthrough invalidates on both nodes.
const TYPE: &str = "pictures";
/// The type the local node is asked to broadcast to production itself.
const VIA_SERVER_TYPE: &str = "translations";
/// The longest the demo waits for anything (a stream event, a log line).
const WAIT: Duration = Duration::from_secs(5);

/// One step of the walkthrough, as narrated and as `--json` reports it.
#[derive(Debug, Serialize)]
pub struct Step {
    pub n: usize,
    pub title: String,
    pub ok: bool,
    /// What was checked (after ✓), or why it failed (after ✗).
    pub check: String,
    /// The figures behind the step.
    pub data: Value,
    /// The narration shown above the check line.
    #[serde(skip)]
    pub text: String,
}

/// The `--json` summary.
#[derive(Debug, Serialize)]
struct Summary<'a> {
    ok: bool,
    #[serde(rename = "elapsedMs")]
    elapsed_ms: u64,
    nodes: Value,
    dir: String,
    #[serde(rename = "envFile")]
    env_file: String,
    steps: &'a [Step],
    commands: Vec<String>,
}

pub fn run(ctx: &Context, args: &DemoArgs) -> Result<u8, Failure> {
    crate::runtime()?.block_on(demo(ctx, args))
}

async fn demo(ctx: &Context, args: &DemoArgs) -> Result<u8, Failure> {
    let started = Instant::now();
    let st = ctx.style;
    let json = ctx.global.json;
    let graph = Graph::built_in();
    let dir = make_dir()?;
    let nodes = Nodes::start(&dir, &graph).await?;
    let up_in = started.elapsed();
    // The walkthrough talks to the nodes exactly as a user would with the env file.
    let client = client_context(ctx, &nodes)?;
    let local = Arc::new(Target::from_settings_local(&client.settings));
    let production = Arc::new(Target::named(&client.settings, &nodes.production));
    if !json {
        crate::print(&intro(&nodes, &local, &production, up_in, st))?;
    }
    let http = crate::client::http();
    let mut streams = Streams::open(&http, &client.settings, vec![local.clone(), production.clone()]).await;
    let mut narrator = Narrator {
        style: st,
        json,
        steps: Vec::new(),
    };

    narrator.say(step_graph(&graph, st));
    let before = Entries::fetch(&http, &local, &production).await;
    narrator.say(step_entries_before(&graph, &before, st));
    let verify_args = invalidate_args(TYPE, false);
    let report = invalidate::send(&client, &verify_args).await;
    narrator.say(step_invalidate(&graph, &report, &verify_args, st));
    let deadline = Instant::now() + WAIT;
    let arrived = [
        streams.wait_update(&local, TYPE, deadline).await,
        streams.wait_update(&production, TYPE, deadline).await,
    ];
    narrator.say(step_events(&graph, &streams, &arrived, report.as_ref().ok(), st));
    let after = Entries::fetch(&http, &local, &production).await;
    narrator.say(step_entries_after(&graph, &before, &after, st));
    let via_args = invalidate_args(VIA_SERVER_TYPE, true);
    let via = invalidate::send(&client, &via_args).await;
    let deadline = Instant::now() + WAIT;
    let via_events = [
        streams.wait_update(&local, VIA_SERVER_TYPE, deadline).await,
        streams.wait_update(&production, VIA_SERVER_TYPE, deadline).await,
    ];
    let mirror_log = wait_mirror_log(&nodes.local_log, st).await;
    let last = Entries::fetch(&http, &local, &production).await;
    narrator.say(step_via_server(ViaServer {
        report: &via,
        args: &via_args,
        events: &via_events,
        after: &after,
        last: &last,
        log: &mirror_log,
        log_path: &nodes.local_log,
        style: st,
    }));
    drop(streams);

    let commands = by_hand(&nodes);
    let failed: Vec<&Step> = narrator.steps.iter().filter(|s| !s.ok).collect();
    let ok = failed.is_empty();
    let elapsed = started.elapsed();
    if json {
        let summary = Summary {
            ok,
            elapsed_ms: elapsed.as_millis() as u64,
            nodes: json!({"local": nodes.local, "production": nodes.production}),
            dir: dir.display().to_string(),
            env_file: nodes.env_file.display().to_string(),
            steps: &narrator.steps,
            commands: commands.clone(),
        };
        crate::print(&render::json(&summary))?;
    } else {
        let total = narrator.steps.len();
        let verdict = if ok {
            st.green(&format!("✓ all {total} steps checked out in {}", human(elapsed)))
        } else {
            let names: Vec<String> = failed.iter().map(|s| format!("{}. {}", s.n, s.title)).collect();
            st.red(&format!(
                "✗ {} of {total} steps failed: {}",
                failed.len(),
                names.join("; ")
            ))
        };
        crate::print(&format!(
            "{verdict}\n\n{}",
            by_hand_text(&nodes, &commands, args.keep, st)
        ))?;
    }
    if args.keep {
        if !json {
            crate::print(&format!(
                "{} local {} · production {} · log {}\n{}\n",
                st.bold("nodes running:"),
                st.cyan(&nodes.local),
                st.cyan(&nodes.production),
                nodes.local_log.display(),
                st.dim("press Ctrl-C to stop them")
            ))?;
        }
        let _ = tokio::signal::ctrl_c().await;
        if !json {
            crate::print(&format!("\n{}\n", st.dim("stopping the nodes")))?;
        }
    }
    let env_file = nodes.env_file.clone();
    nodes.stop().await;
    // The directory holds a throwaway account and the logs: gone with the demo, unless the
    // user asked to keep the nodes (and so the env file they are driven with).
    if !args.keep
        && let Some(dir) = env_file.parent()
        && let Err(e) = std::fs::remove_dir_all(dir)
    {
        eprintln!("{} cannot remove {}: {e}", st.yellow("warning:"), dir.display());
    }
    Ok(if ok { exit::OK } else { exit::ERROR })
}

/// A private directory for the env file and the logs (removed after the run unless
/// `--keep`, which keeps it so the env file can drive the running nodes).
fn make_dir() -> Result<PathBuf, Failure> {
    let dir = std::env::temp_dir().join(format!("polycache-demo-{}", random_hex(4)));
    let fail = |e: std::io::Error| {
        Failure::error(format!("cannot create the demo directory {}: {e}", dir.display()))
            .with_hint("set TMPDIR to a writable directory")
    };
    std::fs::create_dir_all(&dir).map_err(fail)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).map_err(fail)?;
    }
    Ok(dir)
}

/// The two nodes, running as tasks of this process.
struct Nodes {
    local: String,
    production: String,
    local_log: PathBuf,
    env_file: PathBuf,
    stop: watch::Sender<bool>,
    tasks: Vec<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl Nodes {
    async fn start(dir: &Path, graph: &Graph) -> Result<Nodes, Failure> {
        let password = random_hex(12);
        let opts = ServeOptions {
            bind: "127.0.0.1".into(),
            port: 0,
            store: StoreKind::Memory,
            dev: false,
            demo_data: true,
            ping_interval: Duration::from_secs(15),
            allow_insecure: false,
            state_file: None,
            bus: None,
            faults: Default::default(),
            shutdown_grace: crate::server::SHUTDOWN_GRACE,
            cors_origins: Vec::new(),
            sse_retry: Duration::from_secs(2),
            tls: None,
        };
        let account = |log: PathBuf| {
            vec![
                ("JWT_SECRET", random_hex(32)),
                ("SERVICE_EMAIL", EMAIL.to_string()),
                ("SERVICE_PASSWORD", password.clone()),
                ("CACHE_LOG", log.display().to_string()),
            ]
        };
        let production_log = dir.join("production").join("cache.json");
        let production = Server::bind(&node_settings(dir, account(production_log))?, graph.clone(), &opts).await?;
        let production_url = format!("http://{}", production.started.addr);
        let local_log = dir.join("local").join("cache.json");
        let mut vars = account(local_log.clone());
        vars.push(("CACHE_MIRRORS", production_url.clone()));
        let local = Server::bind(&node_settings(dir, vars)?, graph.clone(), &opts).await?;
        let local_url = format!("http://{}", local.started.addr);

        let env_file = dir.join("demo.env");
        // Tables and streams call the mirror `production`, as an operator's setup would.
        let names = format!("production={production_url}");
        write_env_file(
            &env_file,
            &[
                ("POLYCACHE_URL", local_url.as_str()),
                ("CACHE_MIRRORS", production_url.as_str()),
                ("POLYCACHE_NAMES", names.as_str()),
                ("SERVICE_EMAIL", EMAIL),
                ("SERVICE_PASSWORD", password.as_str()),
                ("CACHE_LOG", &local_log.display().to_string()),
            ],
        )?;

        let (stop, _) = watch::channel(false);
        let tasks = [production, local]
            .into_iter()
            .map(|server| {
                let mut rx = stop.subscribe();
                tokio::spawn(server.run(async move {
                    let _ = rx.wait_for(|stopped| *stopped).await;
                }))
            })
            .collect();
        Ok(Nodes {
            local: local_url,
            production: production_url,
            local_log,
            env_file,
            stop,
            tasks,
        })
    }

    /// Stops both nodes gracefully (they close their streams and flush their logs).
    async fn stop(self) {
        self.stop.send_replace(true);
        for t in self.tasks {
            let _ = tokio::time::timeout(Duration::from_secs(10), t).await;
        }
    }
}

/// A node's settings from explicit variables only: the user's environment and any `.env`
/// play no part in the demo.
fn node_settings(dir: &Path, vars: Vec<(&'static str, String)>) -> Result<Settings, Failure> {
    let opts = LoadOptions {
        env_file: None,
        cwd: dir.to_path_buf(),
        flags: Vec::new(),
    };
    Ok(Settings::load_with_env(&opts, |k| {
        vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone())
    })?)
}

/// Writes `KEY=value` lines to a new file only its owner can read.
fn write_env_file(path: &Path, vars: &[(&str, &str)]) -> Result<(), Failure> {
    use std::io::Write;
    let mut text = String::from(
        "# polycache demo: a throwaway account on two nodes that live as long as `polycache demo --keep`.\n",
    );
    for (k, v) in vars {
        text.push_str(&format!("{k}={}\n", env_quote(v)));
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .map_err(|e| Failure::error(format!("cannot write {}: {e}", path.display())))
}

/// A value as dotenv reads it back: bare when plain, else double-quoted.
fn env_quote(v: &str) -> String {
    if v.chars().all(|c| c.is_ascii_alphanumeric() || "/._-:@,".contains(c)) {
        v.to_string()
    } else {
        format!("\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

/// A word as a POSIX shell reads it back.
fn shell_quote(v: &str) -> String {
    if !v.is_empty() && v.chars().all(|c| c.is_ascii_alphanumeric() || "/._-:@,=".contains(c)) {
        v.to_string()
    } else {
        format!("'{}'", v.replace('\'', "'\\''"))
    }
}

/// The context the walkthrough's invalidations run with: the env file's settings, the
/// built-in graph, and no progress bar.
fn client_context(ctx: &Context, nodes: &Nodes) -> Result<Context, Failure> {
    let dir = nodes.env_file.parent().unwrap_or(Path::new(".")).to_path_buf();
    let opts = LoadOptions {
        env_file: Some(nodes.env_file.clone()),
        cwd: dir.clone(),
        flags: Vec::new(),
    };
    let settings = Settings::load_with_env(&opts, |_| None)?;
    let mut global = ctx.global.clone();
    global.json = true;
    Ok(Context {
        settings,
        global,
        graph_file: None,
        style: ctx.style,
        cwd: dir,
    })
}

fn invalidate_args(kind: &str, via_server: bool) -> InvalidateArgs {
    InvalidateArgs {
        types: vec![kind.to_string()],
        targets: TargetArgs {
            mirror: !via_server,
            only: Vec::new(),
        },
        id: None,
        via_server,
        dry_run: false,
        verify: true,
        verify_timeout: WAIT,
        concurrency: 64,
        retries: 2,
        timeout: crate::client::DEFAULT_DEADLINE,
        allow_insecure: false,
        bus: false,
        server: Default::default(),
        graph_file: Default::default(),
    }
}

fn intro(nodes: &Nodes, local: &Target, production: &Target, up_in: Duration, st: Style) -> String {
    format!(
        "{}\n  {:<11} {} (mirrors to production)\n  {:<11} {}\n  {:<11} {}\n  {:<11} {}\n  {:<11} memory, demo entries; account {EMAIL} (password in the env file only)\n",
        st.bold(&format!(
            "polycache demo: two cache nodes on this machine, up in {}",
            human(up_in)
        )),
        local.name,
        st.cyan(&nodes.local),
        production.name,
        st.cyan(&nodes.production),
        "env file",
        nodes.env_file.display(),
        "log",
        nodes.local_log.display(),
        "store",
    )
}

/// Prints each step as it completes (unless `--json`) and keeps it for the summary.
struct Narrator {
    style: Style,
    json: bool,
    steps: Vec<Step>,
}

impl Narrator {
    fn say(&mut self, mut step: Step) {
        step.n = self.steps.len() + 1;
        if !self.json {
            let st = self.style;
            let mark = if step.ok {
                st.green(&format!("✓ {}", step.check))
            } else {
                st.red(&format!("✗ {}", step.check))
            };
            let mut text = step.text.clone();
            if !text.is_empty() && !text.ends_with('\n') {
                text.push('\n');
            }
            let _ = crate::print(&format!(
                "\n{}\n{text}{mark}\n",
                st.bold(&format!("{}. {}", step.n, step.title))
            ));
        }
        self.steps.push(step);
    }
}

fn step(title: impl Into<String>, ok: bool, check: impl Into<String>, text: String, data: Value) -> Step {
    Step {
        n: 0,
        title: title.into(),
        ok,
        check: check.into(),
        data,
        text,
    }
}

fn step_graph(graph: &Graph, st: Style) -> Step {
    let report = crate::graph::type_report(graph, TYPE, None);
    let clears = report.clears.clone();
    let ok = clears.first().map(String::as_str) == Some(TYPE) && clears.len() > 1;
    let check = format!(
        "invalidating {TYPE} clears {} types: {}",
        clears.len(),
        clears.join(", ")
    );
    let text = render::tree_text(&report, st);
    step(
        format!("the graph: what invalidating {TYPE} clears"),
        ok,
        check,
        text,
        json!({"type": TYPE, "clears": clears, "source": report.source}),
    )
}

/// Entry counts by type on one node.
type Counts = BTreeMap<String, usize>;

/// Entry counts by type on both nodes, or why they could not be read.
struct Entries {
    local: Result<Counts, String>,
    production: Result<Counts, String>,
}

impl Entries {
    async fn fetch(http: &reqwest::Client, local: &Target, production: &Target) -> Entries {
        let (local, production) = tokio::join!(entry_counts(http, local), entry_counts(http, production));
        Entries { local, production }
    }

    fn both(&self) -> Result<(&Counts, &Counts), String> {
        match (&self.local, &self.production) {
            (Ok(l), Ok(p)) => Ok((l, p)),
            (Err(e), _) => Err(format!("cannot list the local node's entries: {e}")),
            (_, Err(e)) => Err(format!("cannot list production's entries: {e}")),
        }
    }
}

async fn entry_counts(http: &reqwest::Client, target: &Target) -> Result<Counts, String> {
    let resp = http
        .get(target.url(ENTRIES_PATH))
        .timeout(WAIT)
        .send()
        .await
        .map_err(|e| crate::client::auth::describe_reqwest(&e))?;
    if !resp.status().is_success() {
        return Err(format!("HTTP {}", resp.status().as_u16()));
    }
    let body: Value = resp.json().await.map_err(|e| e.to_string())?;
    let map = body
        .get("entries")
        .and_then(Value::as_object)
        .ok_or("the answer has no `entries` object")?;
    Ok(map
        .iter()
        .map(|(k, v)| (k.clone(), v.as_array().map_or(0, Vec::len)))
        .collect())
}

fn count(m: &Counts, t: &str) -> usize {
    m.get(t).copied().unwrap_or(0)
}

fn step_entries_before(graph: &Graph, before: &Entries, st: Style) -> Step {
    let title = "the cache entries on each node, before";
    let (l, p) = match before.both() {
        Ok(x) => x,
        Err(e) => return step(title, false, e, String::new(), Value::Null),
    };
    let mut t = render::table(st, &["type", "local", "production"]);
    for ty in graph.types() {
        t.add_row(vec![ty.clone(), count(l, ty).to_string(), count(p, ty).to_string()]);
    }
    let empty: Vec<&String> = graph
        .types()
        .iter()
        .filter(|ty| count(l, ty) == 0 || count(p, ty) == 0)
        .collect();
    let (lt, pt) = (l.values().sum::<usize>(), p.values().sum::<usize>());
    let (ok, check) = if empty.is_empty() {
        (
            true,
            format!(
                "{lt} entries on local, {pt} on production: every one of the {} types is cached on both",
                graph.types().len()
            ),
        )
    } else {
        (
            false,
            format!(
                "no entries for {} on one of the nodes",
                empty.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
            ),
        )
    };
    step(title, ok, check, format!("{t}\n"), json!({"local": l, "production": p}))
}

/// The demo's name of a target: the local node is `local`, the only mirror `production`.
fn who(target_name: &str) -> &'static str {
    if target_name == "local" { "local" } else { "production" }
}

fn step_invalidate(graph: &Graph, report: &Result<Report, Failure>, args: &InvalidateArgs, st: Style) -> Step {
    let title = format!("polycache invalidate {TYPE} --mirror --verify");
    let report = match report {
        Ok(r) => r,
        Err(f) => return step(title, false, f.message.clone(), String::new(), Value::Null),
    };
    let text = invalidate::table(report, args, st);
    let expected = graph.cascade(TYPE);
    let wrong: Vec<String> = report
        .results
        .iter()
        .filter(|r| r.ok && r.outcome.invalidated != expected)
        .map(|r| {
            format!(
                "{} cleared {}",
                who(&r.outcome.target),
                r.outcome.invalidated.join(", ")
            )
        })
        .collect();
    let failed: Vec<String> = report
        .results
        .iter()
        .filter(|r| !r.ok)
        .map(|r| {
            let why = r
                .verify
                .as_ref()
                .and_then(|v| v.error.clone())
                .or_else(|| r.outcome.error.as_ref().map(|e| e.to_string()))
                .unwrap_or_default();
            format!("{}: {why}", who(&r.outcome.target))
        })
        .collect();
    let figures: Vec<String> = report
        .results
        .iter()
        .map(|r| {
            let prop = r
                .verify
                .as_ref()
                .and_then(|v| v.propagation_ms)
                .map(|ms| format!(", on its stream after {}", human(Duration::from_millis(ms))))
                .unwrap_or_default();
            format!("{} in {}{prop}", who(&r.outcome.target), human(r.outcome.latency))
        })
        .collect();
    let (ok, check) = if !failed.is_empty() {
        (false, failed.join("; "))
    } else if !wrong.is_empty() || report.results.len() != 2 {
        (
            false,
            format!(
                "expected both nodes to clear {}: {}",
                expected.join(", "),
                wrong.join("; ")
            ),
        )
    } else {
        (
            true,
            format!("both nodes cleared {} ({})", expected.join(", "), figures.join("; ")),
        )
    };
    step(
        title,
        ok,
        check,
        text,
        serde_json::to_value(report).unwrap_or(Value::Null),
    )
}

/// Both nodes' streams, followed from the start of the walkthrough.
struct Streams {
    rx: mpsc::Receiver<Notice>,
    events: Vec<StreamEvent>,
    /// Why a stream could not be opened.
    down: Vec<String>,
    width: usize,
}

impl Streams {
    /// Subscribes to every target and waits until each stream is open (or failed).
    async fn open(http: &reqwest::Client, settings: &Settings, targets: Vec<Arc<Target>>) -> Streams {
        let opts = FollowOptions {
            path: settings.stream_path().to_string(),
            ..FollowOptions::default()
        };
        let mut rx = follow_all(http, &targets, &opts);
        let mut pending = targets.len();
        let mut down = Vec::new();
        let deadline = tokio::time::Instant::now() + WAIT;
        while pending > 0 {
            match tokio::time::timeout_at(deadline, rx.recv()).await {
                Ok(Some(Notice::Connected { .. })) => pending -= 1,
                Ok(Some(Notice::Failed { target, reason })) => {
                    pending -= 1;
                    down.push(format!("{}: {reason}", target.name));
                }
                Ok(Some(_)) => {}
                Ok(None) | Err(_) => {
                    down.push("a stream did not open in time".to_string());
                    break;
                }
            }
        }
        let width = targets.iter().map(|t| t.name.chars().count()).max().unwrap_or(0);
        Streams {
            rx,
            events: Vec::new(),
            down,
            width,
        }
    }

    /// The `app-update` of `kind` that `target` streamed, waiting for it until `deadline`.
    async fn wait_update(&mut self, target: &Arc<Target>, kind: &str, deadline: Instant) -> Option<StreamEvent> {
        let is_it = |e: &StreamEvent| {
            Arc::ptr_eq(&e.target, target)
                && e.event == "app-update"
                && e.update.as_ref().is_some_and(|u| u.kind == kind)
        };
        loop {
            if let Some(e) = self.events.iter().find(|e| is_it(e)) {
                return Some(e.clone());
            }
            match tokio::time::timeout_at(deadline.into(), self.rx.recv()).await {
                Ok(Some(Notice::Event(e))) => self.events.push(e),
                Ok(Some(_)) => {}
                Ok(None) | Err(_) => return None,
            }
        }
    }

    /// Renders events the way `tail --mirror` does.
    fn view(&self, graph: &Graph, st: Style) -> View {
        View {
            graph: graph.clone(),
            wanted: Vec::new(),
            target_width: self.width,
            json: false,
            verbose: false,
            style: st,
            known: Default::default(),
        }
    }
}

fn step_events(
    graph: &Graph,
    streams: &Streams,
    arrived: &[Option<StreamEvent>; 2],
    report: Option<&Report>,
    st: Style,
) -> Step {
    let title = "the app-update events on both streams (what `polycache tail --mirror` shows)";
    let view = streams.view(graph, st);
    let mut text = String::new();
    let mut figures = Vec::new();
    let mut data = Vec::new();
    let mut missing = Vec::new();
    for (i, ev) in arrived.iter().enumerate() {
        let name = if i == 0 { "local" } else { "production" };
        let Some(ev) = ev else {
            missing.push(name);
            continue;
        };
        // The propagation --verify measured for this target: from sending to this event.
        let prop = report.and_then(|r| {
            r.results
                .iter()
                .find(|row| row.outcome.base == ev.target.base)
                .and_then(|row| row.verify.as_ref())
                .filter(|v| v.event_id == ev.id)
                .and_then(|v| v.propagation_ms)
        });
        let prop_text = prop.map(|ms| human(Duration::from_millis(ms)));
        text.push_str(&view.line(ev));
        if let Some(p) = &prop_text {
            text.push_str(&st.dim(&format!("   propagation {p}")));
        }
        text.push('\n');
        let id = ev.id.as_deref().map(|i| format!(" #{i}")).unwrap_or_default();
        figures.push(match &prop_text {
            Some(p) => format!("{name}{id} after {p}"),
            None => format!("{name}{id}"),
        });
        data.push(json!({"target": ev.target.base, "eventId": ev.id, "propagationMs": prop}));
    }
    let (ok, check) = if missing.is_empty() {
        (
            true,
            format!("app-update {TYPE} arrived on both streams ({})", figures.join(", ")),
        )
    } else {
        let mut why = format!(
            "no app-update {TYPE} on {} within {}",
            missing.join(" and "),
            human(WAIT)
        );
        if !streams.down.is_empty() {
            why.push_str(&format!(" ({})", streams.down.join("; ")));
        }
        (false, why)
    };
    step(title, ok, check, text, Value::Array(data))
}

fn step_entries_after(graph: &Graph, before: &Entries, after: &Entries, st: Style) -> Step {
    let title = "the cache entries on each node, after";
    let ((lb, pb), (la, pa)) = match (before.both(), after.both()) {
        (Ok(b), Ok(a)) => (b, a),
        (Err(e), _) | (_, Err(e)) => return step(title, false, e, String::new(), Value::Null),
    };
    let cascade = graph.cascade(TYPE);
    let mut t = render::table(st, &["type", "local", "production", ""]);
    let mut wrong = Vec::new();
    let gone: Vec<&str> = cascade.iter().map(String::as_str).collect();
    let mut kept = Vec::new();
    for ty in graph.types() {
        let cleared = cascade.contains(ty);
        for (node, b, a) in [("local", lb, la), ("production", pb, pa)] {
            let expected = if cleared { 0 } else { count(b, ty) };
            if count(a, ty) != expected {
                wrong.push(format!("{ty} on {node}: {} entries, expected {expected}", count(a, ty)));
            }
        }
        if !cleared {
            kept.push(ty.as_str());
        }
        t.add_row(vec![
            ty.clone(),
            format!("{} → {}", count(lb, ty), count(la, ty)),
            format!("{} → {}", count(pb, ty), count(pa, ty)),
            if cleared { "cleared" } else { "kept" }.to_string(),
        ]);
    }
    let (ok, check) = if wrong.is_empty() {
        (
            true,
            format!(
                "{} gone on both nodes; {} still cached",
                gone.join(", "),
                kept.join(", ")
            ),
        )
    } else {
        (false, wrong.join("; "))
    };
    step(
        title,
        ok,
        check,
        format!("{t}\n"),
        json!({"local": la, "production": pa, "cleared": gone, "kept": kept}),
    )
}

/// What step 6 saw.
struct ViaServer<'a> {
    report: &'a Result<Report, Failure>,
    args: &'a InvalidateArgs,
    events: &'a [Option<StreamEvent>; 2],
    after: &'a Entries,
    last: &'a Entries,
    log: &'a Result<(u64, String), String>,
    log_path: &'a Path,
    style: Style,
}

fn step_via_server(v: ViaServer) -> Step {
    let st = v.style;
    let title = format!("polycache invalidate {VIA_SERVER_TYPE} --via-server: the local node broadcasts");
    let mut text = String::new();
    let mut problems = Vec::new();
    let mut data = serde_json::Map::new();
    match v.report {
        Ok(r) => {
            text.push_str(&invalidate::table(r, v.args, st));
            if !r.ok {
                problems.push("the local node did not take the invalidation".to_string());
            }
            if !r.results.iter().any(|row| row.outcome.mirrored == Some(true)) {
                problems.push("the local node did not answer mirrored: true".to_string());
            }
            data.insert("report".into(), serde_json::to_value(r).unwrap_or(Value::Null));
        }
        Err(f) => problems.push(f.message.clone()),
    }
    let mut relay = None;
    match v.events {
        [Some(l), Some(p)] => {
            let d = p.received_at.saturating_duration_since(l.received_at);
            relay = Some(d);
            text.push_str(&format!(
                "local announced {VIA_SERVER_TYPE} on its stream, production {} later (relayed by the local node)\n",
                human(d)
            ));
            data.insert("relayMs".into(), json!(d.as_secs_f64() * 1000.0));
        }
        [_, None] => problems.push(format!(
            "production never announced {VIA_SERVER_TYPE} within {}",
            human(WAIT)
        )),
        [None, _] => problems.push(format!("local never announced {VIA_SERVER_TYPE}")),
    }
    match (v.after.both(), v.last.both()) {
        (Ok((_, before)), Ok((_, now))) => {
            let (b, n) = (count(before, VIA_SERVER_TYPE), count(now, VIA_SERVER_TYPE));
            text.push_str(&format!("production's {VIA_SERVER_TYPE} entries: {b} → {n}\n"));
            if n != 0 || b == 0 {
                problems.push(format!("production still has {n} {VIA_SERVER_TYPE} entries (had {b})"));
            }
        }
        (Err(e), _) | (_, Err(e)) => problems.push(e),
    }
    text.push_str(&format!(
        "\n{}\n",
        st.bold(&format!(
            "the local node's log, as `polycache logs --mirror` shows it ({}):",
            v.log_path.display()
        ))
    ));
    match v.log {
        Ok((n, lines)) => {
            text.push_str(lines);
            data.insert("mirrorLogLines".into(), json!(n));
        }
        Err(e) => problems.push(e.clone()),
    }
    let (ok, check) = if problems.is_empty() {
        let relay = relay.map(|d| format!(" {} later", human(d))).unwrap_or_default();
        (
            true,
            format!(
                "local answered mirrored: true, production cleared {VIA_SERVER_TYPE}{relay}, and local's log has the mirror entry"
            ),
        )
    } else {
        (false, problems.join("; "))
    };
    step(title, ok, check, text, Value::Object(data))
}

/// Waits for the local node's log to hold its mirror entry (the broadcast runs after the
/// answer), then renders the mirror entries as `logs --mirror` does: (count, text).
async fn wait_mirror_log(path: &Path, st: Style) -> Result<(u64, String), String> {
    let deadline = Instant::now() + WAIT;
    loop {
        let (n, text) = mirror_lines(path, st)?;
        if n > 0 || Instant::now() >= deadline {
            return if n > 0 {
                Ok((n, text))
            } else {
                Err(format!("no mirror entry in {} within {}", path.display(), human(WAIT)))
            };
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn mirror_lines(path: &Path, st: Style) -> Result<(u64, String), String> {
    let mut filter = Filter::default();
    filter.fields.push(FieldMatch::new("module", "mirror"));
    let engine = Engine {
        filter,
        output: Output::Pretty(Formatter { style: st, utc: false }),
    };
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut out = Vec::new();
    let mut emit = |b: &[u8]| -> std::io::Result<()> {
        out.extend_from_slice(b);
        Ok(())
    };
    let tally = crate::logs::read::scan(&engine, file, 1, &mut emit)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    Ok((tally.shown, String::from_utf8_lossy(&out).into_owned()))
}

/// The same flow, by hand, against the two nodes: the account comes from the env file.
fn by_hand(nodes: &Nodes) -> Vec<String> {
    let env = shell_quote(&nodes.env_file.display().to_string());
    let pc = format!("polycache --env-file {env}");
    vec![
        format!("{pc} graph {TYPE}"),
        format!("{pc} tail --mirror"),
        format!("{pc} invalidate {TYPE} --mirror --verify"),
        format!("{pc} invalidate {VIA_SERVER_TYPE} --via-server"),
        format!("{pc} logs --mirror"),
        format!("curl -s {}{ENTRIES_PATH}", nodes.production),
    ]
}

fn by_hand_text(nodes: &Nodes, commands: &[String], keep: bool, st: Style) -> String {
    let mut out = format!(
        "{}\n{}\n",
        st.bold("Do it by hand"),
        st.dim(&format!(
            "(the account is in {}, readable only by you; no password is printed)",
            nodes.env_file.display()
        ))
    );
    let notes = ["", "   # in a second terminal", "", "", "", ""];
    for (c, note) in commands.iter().zip(notes) {
        out.push_str(&format!("  {c}{}\n", st.dim(note)));
    }
    if !keep {
        out.push_str(&st.dim(
            "the nodes stop when the demo ends: run `polycache demo --keep` to keep them up and use the env file it names\n",
        ));
    }
    let dir = nodes.env_file.parent().unwrap_or(Path::new("."));
    out.push_str(&st.dim(&if keep {
        format!(
            "the env file and both logs stay in {} (rm -r {} removes them)\n",
            dir.display(),
            shell_quote(&dir.display().to_string())
        )
    } else {
        format!(
            "the env file and both logs in {} are removed when the demo ends (--keep keeps them)\n",
            dir.display()
        )
    }));
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_round_trips_odd_paths() {
        assert_eq!(
            shell_quote("/tmp/polycache-demo-1a2b/demo.env"),
            "/tmp/polycache-demo-1a2b/demo.env"
        );
        assert_eq!(shell_quote("/tmp/my dir/it's.env"), "'/tmp/my dir/it'\\''s.env'");
        assert_eq!(env_quote("http://127.0.0.1:1"), "http://127.0.0.1:1");
        assert_eq!(env_quote("/a b/\"c\""), "\"/a b/\\\"c\\\"\"");
    }
}
