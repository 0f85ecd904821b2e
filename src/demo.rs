//! The walkthrough of `polycache demo`: the whole cache flow, once, with nothing but this
//! binary.
//!
//! Two reference nodes ([`crate::server`]) run in this process on free loopback ports,
//! "local" mirroring to "production", each with a memory store of demo entries, a cache
//! log in a temporary directory and the same throwaway account. The walkthrough then uses
//! the real pieces the commands use: the graph, the invalidation run of `invalidate
//! --mirror --verify` ([`crate::client::run`]), the stream follower
//! ([`crate::client::stream`]), the entries probe, `invalidate --via-server`, and the log
//! read like `logs --mirror` ([`crate::logs`]). Every step is checked against what the
//! nodes really did, and handed to the caller as it completes: a typed [`Step`] with its
//! figures and what its narration shows (the text is the caller's, `render::demo`).
//!
//! The account's password never reaches the output: it lives in the nodes' settings and in
//! an env file of mode 0600 that the "do it by hand" commands name with `--env-file`.

use std::collections::BTreeMap;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio::sync::{mpsc, watch};

use crate::client::probe;
use crate::client::run::{self, Plan, Policy, RunReport};
use crate::client::stream::{FollowOptions, Notice, StreamEvent, follow_all};
use crate::client::{AuthError, CaError, Target, Trace};
use crate::config::{ConfigError, LoadOptions, Settings};
use crate::duration::human;
use crate::graph::{Graph, TypeReport};
use crate::logs::filter::{FieldMatch, Filter};
use crate::logs::{Engine, Output};
use crate::protocol::{APP_UPDATE, ENTRIES_PATH};
use crate::server::auth::random_hex;
use crate::server::faults::FaultOptions;
use crate::server::{ServeError, ServeOptions, Server, StoreKind};

/// The throwaway account both nodes accept.
const EMAIL: &str = "demo@polycache.local";
/// The type the walkthrough invalidates on both nodes.
const TYPE: &str = "pictures";
/// The type the local node is asked to broadcast to production itself.
pub const VIA_SERVER_TYPE: &str = "translations";
/// The longest the demo waits for anything (a stream event, a log line).
pub const WAIT: Duration = Duration::from_secs(5);
/// How many steps the walkthrough has.
pub const STEPS: usize = 6;

/// Why the demo could not start.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("cannot create the demo directory {}: {source}", path.display())]
    Dir { path: PathBuf, source: std::io::Error },
    #[error("cannot write {}: {source}", path.display())]
    EnvFile { path: PathBuf, source: std::io::Error },
    /// A node could not start.
    #[error(transparent)]
    Node(#[from] ServeError),
    /// The settings of a node, or of the env file, were refused.
    #[error(transparent)]
    Settings(#[from] ConfigError),
    #[error(transparent)]
    Client(#[from] CaError),
}

impl crate::hint::Hint for DemoError {
    fn hint(&self) -> Option<String> {
        match self {
            DemoError::Dir { .. } => Some("set TMPDIR to a writable directory".into()),
            DemoError::EnvFile { .. } => None,
            DemoError::Node(e) => e.hint(),
            DemoError::Settings(e) => e.hint(),
            DemoError::Client(e) => e.hint(),
        }
    }
}

/// One step of the walkthrough: what `--json` reports, and what its narration shows.
#[derive(Debug, Serialize)]
pub struct Step {
    pub n: usize,
    pub title: String,
    pub ok: bool,
    /// What was checked (after ✓), or why it failed (after ✗).
    pub check: String,
    /// The figures behind the step.
    pub data: StepData,
    /// What the narration shows above the check line, besides `data`.
    #[serde(skip)]
    pub narration: Narration,
}

/// The figures behind a step (`demo --json`'s `data`), one shape per step; `null` for a
/// step that could not run.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum StepData {
    None,
    /// Step 1: the graph's answer.
    Graph {
        #[serde(rename = "type")]
        type_name: &'static str,
        clears: Vec<String>,
        source: String,
    },
    /// Entry counts by type on each node.
    Entries {
        local: Counts,
        production: Counts,
    },
    /// The invalidation's report, as `invalidate --json` prints it.
    Invalidation(RunReport),
    /// The `app-update` seen on each stream.
    Events(Vec<EventFigure>),
    /// The counts after the invalidation, and which types were cleared and kept.
    Cleared {
        local: Counts,
        production: Counts,
        cleared: Vec<String>,
        kept: Vec<String>,
    },
    /// The broadcast through the local node.
    ViaServer {
        #[serde(skip_serializing_if = "Option::is_none")]
        report: Option<RunReport>,
        #[serde(rename = "relayMs", skip_serializing_if = "Option::is_none")]
        relay_ms: Option<f64>,
        #[serde(rename = "mirrorLogLines", skip_serializing_if = "Option::is_none")]
        mirror_log_lines: Option<u64>,
    },
}

/// What a step's narration shows besides its [`StepData`] (nothing for a step that could
/// not run).
#[derive(Debug)]
pub enum Narration {
    Nothing,
    /// Step 1: the tree of `polycache graph TYPE`.
    Tree(Box<TypeReport>),
    /// Step 2: the graph's types, in its order (the rows of the table).
    Before {
        types: Vec<String>,
    },
    /// Step 3: the report in `data`, as `invalidate` prints it.
    Report,
    /// Step 4: the events that arrived, in the order of `data`, shown as `tail --mirror`
    /// shows them (with the graph, and the width of the target column).
    Events {
        graph: Graph,
        target_width: usize,
        events: Vec<StreamEvent>,
    },
    /// Step 5: the graph's types and the counts before, beside the counts in `data`.
    After {
        types: Vec<String>,
        local: Counts,
        production: Counts,
    },
    /// Step 6: the report in `data`, the relay time, production's entries of the type
    /// (before → after) and the local node's mirror entries.
    ViaServer {
        relay: Option<Duration>,
        entries: Option<(usize, usize)>,
        log_path: PathBuf,
        /// The mirror entries as the log holds them (NDJSON), when it could be read.
        log: Option<String>,
    },
}

/// One `app-update` of step 4.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EventFigure {
    pub target: String,
    pub event_id: Option<String>,
    pub propagation_ms: Option<u64>,
}

/// The two nodes' base URLs.
#[derive(Debug, Serialize)]
pub struct NodeUrls {
    pub local: String,
    pub production: String,
}

/// The end of the walkthrough: every step, and how to repeat it by hand. Its JSON is
/// `demo --json`; people read the verdict and the commands.
#[derive(Debug, Serialize)]
pub struct Summary {
    pub ok: bool,
    /// A signal stopped the walkthrough before its last step; `steps` are those finished.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub interrupted: bool,
    #[serde(rename = "elapsedMs")]
    pub elapsed_ms: u64,
    pub nodes: NodeUrls,
    pub dir: String,
    #[serde(rename = "envFile")]
    pub env_file: String,
    pub steps: Vec<Step>,
    pub commands: Vec<String>,
    /// What the by-hand text names: the env file, and whether the nodes stay up.
    #[serde(skip)]
    pub by_hand: ByHand,
}

/// The env file the by-hand commands use, and whether the nodes stay up after the demo
/// (`--keep`).
#[derive(Debug)]
pub struct ByHand {
    pub env_file: PathBuf,
    pub keep: bool,
}

/// Where the nodes run, for the lines before the first step and after the summary.
#[derive(Debug)]
pub struct Place {
    /// The nodes' names, as tables and streams show them.
    pub local_name: String,
    pub production_name: String,
    pub local: String,
    pub production: String,
    pub env_file: PathBuf,
    pub local_log: PathBuf,
    pub email: &'static str,
    /// How long both nodes took to start.
    pub up_in: Duration,
}

/// The demo: two nodes running in this process, and the settings a user would drive them
/// with.
pub struct Demo {
    nodes: Nodes,
    dir: PathBuf,
    graph: Graph,
    settings: Settings,
    started: Instant,
    up_in: Duration,
    http: reqwest::Client,
}

/// Rehearsal faults of both nodes (`demo --delay-ms`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Rehearsal {
    /// How long each node waits before answering each invalidation.
    pub delay: Duration,
}

impl Demo {
    /// Starts both nodes in a new private temporary directory.
    pub async fn start(rehearsal: Rehearsal) -> Result<Demo, DemoError> {
        let started = Instant::now();
        let graph = Graph::built_in();
        let dir = make_dir()?;
        let nodes = Nodes::start(&dir, &graph, rehearsal).await?;
        // The walkthrough talks to the nodes exactly as a user would with the env file.
        let settings = client_settings(&nodes)?;
        let http = crate::client::http()?;
        Ok(Demo {
            nodes,
            dir,
            graph,
            settings,
            started,
            up_in: started.elapsed(),
            http,
        })
    }

    /// What runs where: the lines before the first step (and, with `--keep`, after the
    /// summary).
    pub fn place(&self) -> Place {
        let local = Target::from_settings_local(&self.settings);
        let production = Target::named(&self.settings, &self.nodes.production);
        Place {
            local_name: local.name.clone(),
            production_name: production.name.clone(),
            local: self.nodes.local.clone(),
            production: self.nodes.production.clone(),
            env_file: self.nodes.env_file.clone(),
            local_log: self.nodes.local_log.clone(),
            email: EMAIL,
            up_in: self.up_in,
        }
    }

    /// Walks through the flow; `on_step` hears of each step as it completes. When `stop`
    /// completes first (a signal), the walk ends there: the summary holds the steps
    /// finished and says it was interrupted.
    pub async fn walk(&self, trace: Trace, stop: impl Future<Output = ()>, on_step: &mut dyn FnMut(&Step)) -> Summary {
        let mut narrator = Narrator {
            steps: Vec::new(),
            on_step,
        };
        let interrupted = {
            let steps = self.steps(&trace, &mut narrator);
            tokio::pin!(steps);
            tokio::select! {
                biased;
                () = stop => true,
                () = &mut steps => false,
            }
        };
        let nodes = &self.nodes;
        let steps = narrator.steps;
        Summary {
            ok: !interrupted && steps.iter().all(|s| s.ok),
            interrupted,
            elapsed_ms: self.started.elapsed().as_millis() as u64,
            nodes: NodeUrls {
                local: nodes.local.clone(),
                production: nodes.production.clone(),
            },
            dir: self.dir.display().to_string(),
            env_file: nodes.env_file.display().to_string(),
            steps,
            commands: by_hand(nodes),
            by_hand: ByHand {
                env_file: nodes.env_file.clone(),
                keep: false,
            },
        }
    }

    /// The six steps, each handed to `narrator` as it completes.
    async fn steps(&self, trace: &Trace, narrator: &mut Narrator<'_>) {
        let (nodes, graph, settings) = (&self.nodes, &self.graph, &self.settings);
        let local = Arc::new(Target::from_settings_local(settings));
        let production = Arc::new(Target::named(settings, &nodes.production));
        let http = self.http.clone();
        let mut streams = Streams::open(&http, settings, vec![local.clone(), production.clone()]).await;

        narrator.say(step_graph(graph));
        let before = Entries::fetch(&http, &local, &production).await;
        narrator.say(step_entries_before(graph, &before));
        let report = invalidate(&http, settings, graph, TYPE, false, trace).await;
        let measured = Measured::of(report.as_ref().ok());
        narrator.say(step_invalidate(graph, report));
        let deadline = Instant::now() + WAIT;
        let arrived = [
            streams.wait_update(&local, TYPE, deadline).await,
            streams.wait_update(&production, TYPE, deadline).await,
        ];
        narrator.say(step_events(graph, &streams, arrived, &measured));
        let after = Entries::fetch(&http, &local, &production).await;
        narrator.say(step_entries_after(graph, &before, &after));
        let via = invalidate(&http, settings, graph, VIA_SERVER_TYPE, true, trace).await;
        let deadline = Instant::now() + WAIT;
        let via_events = [
            streams.wait_update(&local, VIA_SERVER_TYPE, deadline).await,
            streams.wait_update(&production, VIA_SERVER_TYPE, deadline).await,
        ];
        let mirror_log = wait_mirror_log(&nodes.local_log).await;
        let last = Entries::fetch(&http, &local, &production).await;
        narrator.say(step_via_server(ViaServer {
            report: via,
            events: &via_events,
            after: &after,
            last: &last,
            log: mirror_log,
            log_path: &nodes.local_log,
        }));
    }

    /// Stops both nodes gracefully; unless `keep`, removes the directory (it holds a
    /// throwaway account and the logs). An error says what could not be removed.
    pub async fn stop(self, keep: bool) -> Result<(), String> {
        self.nodes.stop().await;
        if keep {
            return Ok(());
        }
        std::fs::remove_dir_all(&self.dir).map_err(|e| format!("cannot remove {}: {e}", self.dir.display()))
    }
}

impl Summary {
    /// Whether the by-hand text says the nodes are still running (`--keep`).
    pub fn keeping(mut self, keep: bool) -> Summary {
        self.by_hand.keep = keep;
        self
    }

    /// The step the walkthrough was at when it was interrupted.
    pub fn interrupted_at(&self) -> Option<usize> {
        self.interrupted.then(|| self.steps.len() + 1)
    }
}

/// One invalidation run of the walkthrough, as `invalidate TYPE --verify` (`--mirror`, or
/// `--via-server`) runs it with the env file's settings.
async fn invalidate(
    http: &reqwest::Client,
    settings: &Settings,
    graph: &Graph,
    kind: &str,
    via_server: bool,
    trace: &Trace,
) -> Result<RunReport, AuthError> {
    let local = Arc::new(Target::from_settings_local(settings));
    let mirrors: Vec<Arc<Target>> = Target::from_settings_mirrors(settings)
        .into_iter()
        .map(Arc::new)
        .collect();
    let plan = Plan {
        targets: if via_server {
            vec![local]
        } else {
            std::iter::once(local).chain(mirrors.iter().cloned()).collect()
        },
        kinds: vec![kind.to_string()],
        id: None,
        via_server,
        verify: Some(WAIT),
        relays: if via_server { mirrors } else { Vec::new() },
        stream_path: settings.stream_path().to_string(),
    };
    let invalidator = run::invalidator(http, settings, &Policy::default(), trace.clone())?;
    Ok(plan.execute(&invalidator, http, graph, &|_| {}).await)
}

/// A private directory for the env file and the logs (removed after the run unless
/// `--keep`, which keeps it so the env file can drive the running nodes).
fn make_dir() -> Result<PathBuf, DemoError> {
    let dir = std::env::temp_dir().join(format!("polycache-demo-{}", random_hex(4)));
    let fail = |source: std::io::Error| DemoError::Dir {
        path: dir.clone(),
        source,
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
    async fn start(dir: &Path, graph: &Graph, rehearsal: Rehearsal) -> Result<Nodes, DemoError> {
        let password = random_hex(12);
        let opts = ServeOptions {
            bind: "127.0.0.1".into(),
            port: 0,
            store: StoreKind::Memory,
            dev: false,
            demo_data: true,
            // A sandbox: its entries are the point of the walkthrough (and of its curl line).
            public_entries: true,
            ping_interval: Duration::from_secs(15),
            allow_insecure: false,
            state_file: None,
            // Throwaway nodes on fresh ports, for one run: ids from 1 read best.
            first_event_id: Some(1),
            bus: None,
            faults: FaultOptions {
                delay: rehearsal.delay,
                ..FaultOptions::default()
            },
            shutdown_grace: crate::server::SHUTDOWN_GRACE,
            drain: Duration::ZERO,
            cors_origins: Vec::new(),
            sse_retry: Duration::from_secs(2),
            metrics: Default::default(),
            max_clients: None,
            max_clients_per_ip: None,
            trust_proxy: Vec::new(),
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
fn node_settings(dir: &Path, vars: Vec<(&'static str, String)>) -> Result<Settings, DemoError> {
    let opts = LoadOptions {
        env_file: None,
        cwd: dir.to_path_buf(),
        flags: Vec::new(),
    };
    Ok(Settings::load_with_env(&opts, |k| {
        vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone())
    })?)
}

/// The demo's env file, only its owner can read.
fn write_env_file(path: &Path, vars: &[(&str, &str)]) -> Result<(), DemoError> {
    crate::config::write_env_file(
        path,
        "polycache demo: a throwaway account on two nodes that live as long as `polycache demo --keep`.",
        vars,
    )
    .map_err(|source| DemoError::EnvFile {
        path: path.to_path_buf(),
        source,
    })
}

/// A word as a POSIX shell reads it back.
pub fn shell_quote(v: &str) -> String {
    if !v.is_empty() && v.chars().all(|c| c.is_ascii_alphanumeric() || "/._-:@,=".contains(c)) {
        v.to_string()
    } else {
        format!("'{}'", v.replace('\'', "'\\''"))
    }
}

/// The settings the walkthrough's invalidations run with: the env file's, nothing else.
fn client_settings(nodes: &Nodes) -> Result<Settings, DemoError> {
    let dir = nodes.env_file.parent().unwrap_or(Path::new(".")).to_path_buf();
    let opts = LoadOptions {
        env_file: Some(nodes.env_file.clone()),
        cwd: dir,
        flags: Vec::new(),
    };
    Ok(Settings::load_with_env(&opts, |_| None)?)
}

/// Numbers each step, hands it on as it completes, and keeps it for the summary.
struct Narrator<'a> {
    steps: Vec<Step>,
    on_step: &'a mut dyn FnMut(&Step),
}

impl Narrator<'_> {
    fn say(&mut self, mut step: Step) {
        step.n = self.steps.len() + 1;
        (self.on_step)(&step);
        self.steps.push(step);
    }
}

fn step(title: impl Into<String>, ok: bool, check: impl Into<String>, data: StepData, narration: Narration) -> Step {
    Step {
        n: 0,
        title: title.into(),
        ok,
        check: check.into(),
        data,
        narration,
    }
}

fn step_graph(graph: &Graph) -> Step {
    let report = crate::graph::type_report(graph, TYPE, None);
    let clears = report.clears.clone();
    let ok = clears.first().map(String::as_str) == Some(TYPE) && clears.len() > 1;
    let check = format!(
        "invalidating {TYPE} clears {} types: {}",
        clears.len(),
        clears.join(", ")
    );
    let data = StepData::Graph {
        type_name: TYPE,
        clears,
        source: report.source.clone(),
    };
    step(
        format!("the graph: what invalidating {TYPE} clears"),
        ok,
        check,
        data,
        Narration::Tree(Box::new(report)),
    )
}

/// Entry counts by type on one node.
pub type Counts = BTreeMap<String, usize>;

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
    probe::entry_counts(http, target, WAIT).await
}

/// How many entries of type `t` a node has.
pub fn count(m: &Counts, t: &str) -> usize {
    m.get(t).copied().unwrap_or(0)
}

fn step_entries_before(graph: &Graph, before: &Entries) -> Step {
    let title = "the cache entries on each node, before";
    let (l, p) = match before.both() {
        Ok(x) => x,
        Err(e) => return step(title, false, e, StepData::None, Narration::Nothing),
    };
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
    step(
        title,
        ok,
        check,
        StepData::Entries {
            local: l.clone(),
            production: p.clone(),
        },
        Narration::Before {
            types: graph.types().to_vec(),
        },
    )
}

/// The demo's name of a target: the local node is `local`, the only mirror `production`.
fn who(target_name: &str) -> &'static str {
    if target_name == "local" { "local" } else { "production" }
}

fn step_invalidate(graph: &Graph, report: Result<RunReport, AuthError>) -> Step {
    let title = format!("polycache invalidate {TYPE} --mirror --verify");
    let report = match report {
        Ok(r) => r,
        Err(e) => return step(title, false, e.to_string(), StepData::None, Narration::Nothing),
    };
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
    step(title, ok, check, StepData::Invalidation(report), Narration::Report)
}

/// The propagation `--verify` measured in step 3, per target: (base URL, event id, ms).
struct Measured(Vec<(String, Option<String>, Option<u64>)>);

impl Measured {
    fn of(report: Option<&RunReport>) -> Measured {
        Measured(
            report
                .map(|r| {
                    r.results
                        .iter()
                        .filter_map(|row| {
                            let v = row.verify.as_ref()?;
                            Some((row.outcome.base.clone(), v.event_id.clone(), v.propagation_ms))
                        })
                        .collect()
                })
                .unwrap_or_default(),
        )
    }

    /// The propagation measured for this event: from sending to its arrival.
    fn of_event(&self, ev: &StreamEvent) -> Option<u64> {
        self.0
            .iter()
            .find(|(base, _, _)| *base == ev.target.base)
            .filter(|(_, id, _)| *id == ev.id)
            .and_then(|(_, _, ms)| *ms)
    }
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
            Arc::ptr_eq(&e.target, target) && e.event == APP_UPDATE && e.update.as_ref().is_some_and(|u| u.kind == kind)
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
}

fn step_events(graph: &Graph, streams: &Streams, arrived: [Option<StreamEvent>; 2], measured: &Measured) -> Step {
    let title = "the app-update events on both streams (what `polycache tail --mirror` shows)";
    let mut figures = Vec::new();
    let mut data = Vec::new();
    let mut events = Vec::new();
    let mut missing = Vec::new();
    for (i, ev) in arrived.into_iter().enumerate() {
        let name = if i == 0 { "local" } else { "production" };
        let Some(ev) = ev else {
            missing.push(name);
            continue;
        };
        let prop = measured.of_event(&ev);
        let id = ev.id.as_deref().map(|i| format!(" #{i}")).unwrap_or_default();
        figures.push(match prop {
            Some(ms) => format!("{name}{id} after {}", human(Duration::from_millis(ms))),
            None => format!("{name}{id}"),
        });
        data.push(EventFigure {
            target: ev.target.base.clone(),
            event_id: ev.id.clone(),
            propagation_ms: prop,
        });
        events.push(ev);
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
    step(
        title,
        ok,
        check,
        StepData::Events(data),
        Narration::Events {
            graph: graph.clone(),
            target_width: streams.width,
            events,
        },
    )
}

fn step_entries_after(graph: &Graph, before: &Entries, after: &Entries) -> Step {
    let title = "the cache entries on each node, after";
    let ((lb, pb), (la, pa)) = match (before.both(), after.both()) {
        (Ok(b), Ok(a)) => (b, a),
        (Err(e), _) | (_, Err(e)) => return step(title, false, e, StepData::None, Narration::Nothing),
    };
    let cascade = graph.cascade(TYPE);
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
        StepData::Cleared {
            local: la.clone(),
            production: pa.clone(),
            cleared: gone.iter().map(|g| g.to_string()).collect(),
            kept: kept.iter().map(|k| k.to_string()).collect(),
        },
        Narration::After {
            types: graph.types().to_vec(),
            local: lb.clone(),
            production: pb.clone(),
        },
    )
}

/// What step 6 saw.
struct ViaServer<'a> {
    report: Result<RunReport, AuthError>,
    events: &'a [Option<StreamEvent>; 2],
    after: &'a Entries,
    last: &'a Entries,
    log: Result<(u64, String), String>,
    log_path: &'a Path,
}

fn step_via_server(v: ViaServer) -> Step {
    let title = format!("polycache invalidate {VIA_SERVER_TYPE} --via-server: the local node broadcasts");
    let mut problems = Vec::new();
    let report = match v.report {
        Ok(r) => {
            if !r.ok {
                problems.push("the local node did not take the invalidation".to_string());
            }
            if !r.results.iter().any(|row| row.outcome.mirrored == Some(true)) {
                problems.push("the local node did not answer mirrored: true".to_string());
            }
            Some(r)
        }
        Err(e) => {
            problems.push(e.to_string());
            None
        }
    };
    let mut relay = None;
    match v.events {
        [Some(l), Some(p)] => relay = Some(p.received_at.saturating_duration_since(l.received_at)),
        [_, None] => problems.push(format!(
            "production never announced {VIA_SERVER_TYPE} within {}",
            human(WAIT)
        )),
        [None, _] => problems.push(format!("local never announced {VIA_SERVER_TYPE}")),
    }
    let mut entries = None;
    match (v.after.both(), v.last.both()) {
        (Ok((_, before)), Ok((_, now))) => {
            let (b, n) = (count(before, VIA_SERVER_TYPE), count(now, VIA_SERVER_TYPE));
            entries = Some((b, n));
            if n != 0 || b == 0 {
                problems.push(format!("production still has {n} {VIA_SERVER_TYPE} entries (had {b})"));
            }
        }
        (Err(e), _) | (_, Err(e)) => problems.push(e),
    }
    let (mirror_log_lines, log) = match v.log {
        Ok((n, lines)) => (Some(n), Some(lines)),
        Err(e) => {
            problems.push(e);
            (None, None)
        }
    };
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
    step(
        title,
        ok,
        check,
        StepData::ViaServer {
            report,
            relay_ms: relay.map(|d| d.as_secs_f64() * 1000.0),
            mirror_log_lines,
        },
        Narration::ViaServer {
            relay,
            entries,
            log_path: v.log_path.to_path_buf(),
            log,
        },
    )
}

/// Waits for the local node's log to hold its mirror entry (the broadcast runs after the
/// answer), then reads the mirror entries as `logs --mirror` does: (count, the entries as
/// the log holds them).
async fn wait_mirror_log(path: &Path) -> Result<(u64, String), String> {
    let deadline = Instant::now() + WAIT;
    loop {
        let (n, lines) = mirror_lines(path)?;
        if n > 0 || Instant::now() >= deadline {
            return if n > 0 {
                Ok((n, lines))
            } else {
                Err(format!("no mirror entry in {} within {}", path.display(), human(WAIT)))
            };
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn mirror_lines(path: &Path) -> Result<(u64, String), String> {
    let mut filter = Filter::default();
    filter.fields.push(FieldMatch::new("module", "mirror"));
    let engine = Engine {
        filter,
        output: Output::Json,
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

/// How a person runs this very binary: `polycache` when that name on the PATH is it, else
/// its path (a build run as `target/release/polycache demo`, which `polycache` would not
/// find, or would find as another version).
fn invocation() -> String {
    let exe = format!("polycache{}", std::env::consts::EXE_SUFFIX);
    let me = std::env::current_exe().ok();
    let on_path = std::env::var_os("PATH")
        .and_then(|dirs| std::env::split_paths(&dirs).map(|d| d.join(&exe)).find(|p| p.is_file()));
    let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    match (me, on_path) {
        (Some(me), Some(found)) if same(&me, &found) => "polycache".to_string(),
        (Some(me), _) => shell_quote(&me.display().to_string()),
        (None, _) => "polycache".to_string(),
    }
}

/// The same flow, by hand, against the two nodes: the account comes from the env file.
fn by_hand(nodes: &Nodes) -> Vec<String> {
    let env = shell_quote(&nodes.env_file.display().to_string());
    let pc = format!("{} --env-file {env}", invocation());
    vec![
        format!("{pc} graph {TYPE}"),
        format!("{pc} tail --mirror"),
        format!("{pc} invalidate {TYPE} --mirror --verify"),
        format!("{pc} invalidate {VIA_SERVER_TYPE} --via-server"),
        format!("{pc} logs --mirror"),
        format!("curl -s {}{ENTRIES_PATH}", nodes.production),
    ]
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
    }
}
