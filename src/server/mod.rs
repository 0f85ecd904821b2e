//! `polycache serve`: the reference Polymech cache node (the server side of PROTOCOL.md).
//!
//! One [`AppState`] shared by small axum handlers (in [`routes`]). The cache lives in a
//! [`store::CacheStore`] (memory or Redis); invalidations clear the cascade from the graph,
//! notify the SSE [`stream::Hub`], log to the pino file ([`log::LogWriter`]) and broadcast
//! to the node's own mirrors through the shared [`crate::client`] module, in a spawned task
//! so the HTTP answer never waits for a mirror.

pub mod auth;
mod broadcasts;
pub mod bus;
mod conn;
pub mod cors;
pub mod faults;
mod frame;
mod gate;
mod guard;
pub mod limits;
pub mod log;
pub mod metrics;
pub mod page;
mod probes;
mod routes;
mod sse;
pub mod store;
pub mod stream;
pub mod tls;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::watch;

use crate::client::{AuthError, Credentials, Invalidator, Target};
use crate::config::Settings;
use crate::graph::Graph;
use crate::log_fields;
use crate::protocol::{ENTRIES_PATH, HEALTH_PATH, Paths, SUPABASE_TOKEN_PATH};
use auth::Keys;
use log::LogWriter;
use store::{CacheStore, CacheStoreError};
use stream::Hub;

/// Largest request body accepted (larger ones get 413).
pub const BODY_LIMIT: usize = 64 * 1024;

/// Where the node keeps its cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreKind {
    Memory,
    Redis,
}

/// Everything `serve` needs besides the settings.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub bind: String,
    pub port: u16,
    pub store: StoreKind,
    pub dev: bool,
    pub demo_data: bool,
    /// `GET /api/cache/entries` without a token (`--public-entries`; always with `--dev`).
    pub public_entries: bool,
    pub ping_interval: Duration,
    /// Let the mirror broadcast send credentials over plain http to non-loopback mirrors.
    pub allow_insecure: bool,
    /// Keep the stream's events (ids, replay buffer) in this file across restarts.
    pub state_file: Option<PathBuf>,
    /// Number events from this id instead of from the clock (without `--state`).
    pub first_event_id: Option<u64>,
    /// Share invalidations with the other instances through a Redis Stream at REDIS_URL
    /// (PROTOCOL section 8); `None` for a node on its own.
    pub bus: Option<BusOptions>,
    /// Deliberate failures for rehearsals (hidden flags).
    pub faults: faults::FaultOptions,
    /// How long a stopping node waits for mirror broadcasts in flight before it abandons
    /// them (each abandoned one is logged).
    pub shutdown_grace: Duration,
    /// Origins whose pages may use the authenticated API (and send credentials), from
    /// `--cors-origin` or POLYCACHE_CORS_ORIGINS; the public routes answer every origin.
    pub cors_origins: Vec<String>,
    /// The reconnect delay the stream's opening `retry:` line asks browsers to use.
    pub sse_retry: Duration,
    /// Who may read `/metrics`.
    pub metrics: metrics::Access,
    /// How long to keep serving, not ready, after the stop signal.
    pub drain: Duration,
    /// Stream clients at most, in total and per address.
    pub max_clients: Option<usize>,
    pub max_clients_per_ip: Option<usize>,
    /// Proxies whose X-Forwarded-For names the client.
    pub trust_proxy: Vec<std::net::IpAddr>,
    /// Serve HTTPS (HTTP/2 and HTTP/1.1 by ALPN) instead of plain HTTP.
    pub tls: Option<tls::TlsSource>,
}

/// The default of [`ServeOptions::shutdown_grace`].
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);
/// `serve --bus redis`.
#[derive(Debug, Clone)]
pub struct BusOptions {
    /// `XADD ... MAXLEN ~ N`.
    pub maxlen: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("JWT_SECRET is not set; the node cannot sign or verify tokens")]
    NoSecret,
    #[error("POLYCACHE_LOG_LEVEL `{value}` is not a pino level")]
    LogLevel { value: String },
    #[error("cannot listen on {addr}: {message}")]
    Bind { addr: String, message: String },
    #[error(transparent)]
    Store(#[from] CacheStoreError),
    #[error("cannot use the state file {path}: {message}")]
    State { path: PathBuf, message: String },
    #[error("cannot open the cache log {path}: {message}")]
    Log { path: PathBuf, message: String },
    #[error(transparent)]
    Mirrors(crate::config::ConfigError),
    #[error(transparent)]
    Cors(#[from] cors::OriginError),
    #[error(transparent)]
    CaCert(crate::client::CaError),
    #[error(transparent)]
    Tls(#[from] tls::TlsError),
    #[error(transparent)]
    Bus(#[from] crate::bus::BusError),
    #[error("--state and --bus cannot be used together: on the bus, the Redis stream keeps the events")]
    StateWithBus,
    #[error("{name} `{value}` cannot be served: {reason}")]
    BadPath {
        name: &'static str,
        value: String,
        reason: &'static str,
    },
}

/// What the startup banner shows.
#[derive(Debug, Clone)]
pub struct Started {
    pub addr: SocketAddr,
    pub store: &'static str,
    pub graph: String,
    pub mirrors: Vec<String>,
    /// The account `--dev` created (its password is meant to be shown once).
    pub dev_account: Option<Credentials>,
    pub accounts: Vec<String>,
    pub log_file: PathBuf,
    pub demo_entries: usize,
    pub paths: Paths,
    pub warnings: Vec<String>,
    /// The origins allowed on the authenticated API.
    pub cors_origins: Vec<String>,
    /// Set when the node serves HTTPS.
    pub tls: Option<TlsStarted>,
    /// On the bus: the stream key, this node's id, and whether Redis is a cluster.
    pub bus: Option<BusStarted>,
}

/// What the banner says about HTTPS.
#[derive(Debug, Clone)]
pub struct TlsStarted {
    /// The protocols offered by ALPN.
    pub alpn: Vec<&'static str>,
    /// The certificate file, or the names a `--self-signed` certificate covers.
    pub certificate: String,
    /// `--self-signed`: the throwaway authority's certificate (PEM, public), for clients
    /// to trust.
    pub dev_ca_pem: Option<String>,
}

#[derive(Debug, Clone)]
pub struct BusStarted {
    pub key: String,
    pub node: String,
    pub url: String,
    pub cluster: bool,
}

impl Started {
    /// `http://ADDR` or `https://ADDR`.
    pub fn base_url(&self) -> String {
        let scheme = if self.tls.is_some() { "https" } else { "http" };
        format!("{scheme}://{}", self.addr)
    }
}

/// Shared by every handler.
pub struct AppState {
    pub store: CacheStore,
    pub graph: Graph,
    pub keys: Keys,
    pub hub: Hub,
    /// `--bus redis`: the node's side of the bus.
    pub bus: Option<Arc<bus::NodeBus>>,
    pub log: Arc<LogWriter>,
    pub mirrors: Arc<Vec<Target>>,
    /// The mirror broadcaster, or why the node cannot log in to its mirrors.
    pub broadcaster: Result<Arc<Invalidator>, AuthError>,
    pub ping_interval: Duration,
    /// Sent as the stream's opening `retry:` line.
    pub sse_retry: Duration,
    /// `GET /`, rendered once.
    pub page: page::Page,
    pub faults: faults::Faults,
    pub started: Instant,
    shutdown: watch::Sender<bool>,
    broadcasts: Arc<broadcasts::Broadcasts>,
    shutdown_grace: Duration,
    /// The light path's writers (see [`sse::Fanout`]).
    fanout: sse::Fanout,
    pub metrics: metrics::Metrics,
    /// Who may read `/metrics`.
    pub metrics_access: metrics::Access,
    /// Whether `GET /api/cache/entries` answers without the admin token.
    pub public_entries: bool,
    pub limits: Arc<limits::Limits>,
    /// The stop signal came: `/readyz` says 503 while the node drains.
    draining: std::sync::atomic::AtomicBool,
    drain: Duration,
}

/// A bound, ready node: call [`Server::run`] to serve.
impl AppState {
    /// Whether the node was told to stop.
    pub fn stopping(&self) -> bool {
        *self.shutdown.borrow() || self.draining.load(std::sync::atomic::Ordering::Relaxed)
    }
}

pub struct Server {
    listener: tokio::net::TcpListener,
    state: Arc<AppState>,
    tls: Option<Arc<rustls::ServerConfig>>,
    pub started: Started,
}

impl Server {
    /// Builds the state (store, keys, log, mirrors) and binds the listener.
    pub async fn bind(settings: &Settings, graph: Graph, opts: &ServeOptions) -> Result<Server, ServeError> {
        let mut warnings = Vec::new();
        let secret = match settings.jwt_secret() {
            Some(s) => s.as_bytes().to_vec(),
            None if opts.dev => auth::random_hex(32).into_bytes(),
            None => return Err(ServeError::NoSecret),
        };
        let mut accounts: Vec<Credentials> = settings
            .accounts()
            .into_iter()
            .map(|(email, pw)| Credentials::new(email, pw))
            .collect();
        let dev_account = opts
            .dev
            .then(|| Credentials::new("dev@polycache.local", auth::random_hex(12)));
        accounts.extend(dev_account.clone());
        if accounts.is_empty() {
            warnings.push(
                "no account configured (SERVICE_EMAIL/SERVICE_PASSWORD or TEST_EMAIL/TEST_PASSWORD): every login will be refused"
                    .to_string(),
            );
        }
        let paths = Paths {
            auth: checked_path("POLYCACHE_AUTH_PATH", settings.auth_path())?,
            invalidate: checked_path("POLYCACHE_INVALIDATE_PATH", settings.invalidate_path())?,
            stream: checked_path("POLYCACHE_STREAM_PATH", settings.stream_path())?,
        };
        let mut seen = vec![ENTRIES_PATH, HEALTH_PATH, SUPABASE_TOKEN_PATH];
        for (name, p) in [
            ("POLYCACHE_AUTH_PATH", &paths.auth),
            ("POLYCACHE_INVALIDATE_PATH", &paths.invalidate),
            ("POLYCACHE_STREAM_PATH", &paths.stream),
        ] {
            if seen.contains(&p.as_str()) {
                return Err(ServeError::BadPath {
                    name,
                    value: p.clone(),
                    reason: "another endpoint already uses that path",
                });
            }
            seen.push(p);
        }

        if opts.bus.is_some() && opts.state_file.is_some() {
            return Err(ServeError::StateWithBus);
        }
        let log_path = PathBuf::from(settings.cache_log());
        let min_level = log::level_named(settings.log_level()).ok_or_else(|| ServeError::LogLevel {
            value: settings.log_level().to_string(),
        })?;
        let log = LogWriter::open_at(&log_path, min_level).map_err(|e| ServeError::Log {
            path: log_path.clone(),
            message: e.to_string(),
        })?;

        let store = match opts.store {
            StoreKind::Memory => CacheStore::memory(settings.cache_prefix()),
            StoreKind::Redis => {
                let url = settings.redis_url();
                let shown = crate::config::redact_url_password(url);
                CacheStore::redis(url, &shown, settings.cache_prefix()).await?
            }
        };
        let demo_entries = if opts.demo_data {
            store.fill_demo(&graph).await?
        } else {
            0
        };

        // A node's "local" is itself, so its mirrors are parsed against its own address
        // (a mirror naming this very node is dropped) rather than against POLYCACHE_URL.
        let own = format!("http://{}:{}", opts.bind, opts.port);
        let (parsed, mirror_warnings) = settings.mirrors_from(&own).map_err(ServeError::Mirrors)?;
        warnings.extend(mirror_warnings);
        let mirrors: Vec<Target> = parsed.iter().map(|m| Target::mirror(m)).collect();
        let http = crate::client::http_for(settings).map_err(ServeError::CaCert)?;
        let broadcaster = Invalidator::from_settings(http, settings, opts.allow_insecure).map(Arc::new);
        if let (Err(e), false) = (&broadcaster, mirrors.is_empty()) {
            warnings.push(format!(
                "mirrors are configured but the broadcast cannot log in to them: {e}"
            ));
        }

        let cors_origins = match opts.cors_origins.is_empty() {
            false => cors::parse_origins(opts.cors_origins.iter().map(String::as_str))?,
            true => cors::parse_origins(settings.cors_origins())?,
        };
        let tls = opts.tls.as_ref().map(|t| tls::Tls::load(t, &opts.bind)).transpose()?;

        let addr_text = format!("{}:{}", opts.bind, opts.port);
        let bind_err = |message: String| ServeError::Bind {
            addr: addr_text.clone(),
            message,
        };
        let ip: std::net::IpAddr = opts
            .bind
            .trim_matches(|c| c == '[' || c == ']')
            .parse()
            .map_err(|_| bind_err("not an IP address".into()))?;
        let listener = tokio::net::TcpListener::bind(SocketAddr::new(ip, opts.port))
            .await
            .map_err(|e| bind_err(e.to_string()))?;
        let addr = listener.local_addr().map_err(|e| bind_err(e.to_string()))?;

        let node_bus = match &opts.bus {
            None => None,
            Some(b) => {
                let bus = crate::bus::Bus::open(settings.redis_url(), settings.cache_prefix(), b.maxlen).await?;
                let nb = bus::NodeBus::connect(bus, bus::node_id(addr.port())).await?;
                Some(Arc::new(nb))
            }
        };
        let mut started = Started {
            addr,
            store: store.kind(),
            graph: graph.source.to_string(),
            mirrors: mirrors.iter().map(|m| m.base.clone()).collect(),
            dev_account,
            accounts: accounts.iter().map(|a| a.email.clone()).collect(),
            log_file: log_path,
            demo_entries,
            paths,
            warnings,
            cors_origins,
            tls: tls.as_ref().map(|t| TlsStarted {
                alpn: tls::ALPN.to_vec(),
                certificate: t.describe.clone(),
                dev_ca_pem: t.dev_ca_pem.clone(),
            }),
            bus: node_bus.as_ref().map(|nb| BusStarted {
                key: nb.bus.key.clone(),
                node: nb.node.clone(),
                url: nb.bus.url.clone(),
                cluster: nb.bus.is_cluster(),
            }),
        };
        let mut skipped = Vec::new();
        let hub = match &opts.state_file {
            // On the bus the stream holds the history: the hub's buffer starts mid-stream.
            None if node_bus.is_some() => {
                let hub = Hub::new();
                hub.mark_trimmed();
                hub
            }
            None => match opts.first_event_id {
                Some(n) => Hub::starting_at(n),
                None => Hub::starting_from_clock(),
            },
            Some(path) => Hub::with_state(path, &mut skipped).map_err(|e| ServeError::State {
                path: path.clone(),
                message: e.to_string(),
            })?,
        };
        // A torn line in the state file (a crash mid-append) is skipped, said on stderr
        // (with the banner's warnings) and in the log.
        for w in skipped {
            log.write(log::level::WARN, &w, log_fields! {"module" => "stream"});
            started.warnings.push(w);
        }
        let (shutdown, _) = watch::channel(false);
        let page = page::Page::render(&started.paths.stream, &graph);
        let state = Arc::new(AppState {
            store,
            graph,
            keys: Keys::new(&secret, accounts),
            hub,
            bus: node_bus,
            log: Arc::new(log),
            mirrors: Arc::new(mirrors),
            broadcaster,
            ping_interval: opts.ping_interval,
            sse_retry: opts.sse_retry,
            page,
            faults: faults::Faults::new(&opts.faults),
            started: Instant::now(),
            shutdown,
            broadcasts: Arc::default(),
            shutdown_grace: opts.shutdown_grace,
            fanout: sse::Fanout::default(),
            metrics: metrics::Metrics::new(),
            metrics_access: opts.metrics,
            public_entries: opts.public_entries || opts.dev,
            draining: std::sync::atomic::AtomicBool::new(false),
            drain: opts.drain,
            limits: Arc::new(limits::Limits::new(
                opts.trust_proxy.clone(),
                opts.max_clients,
                opts.max_clients_per_ip,
            )),
        });
        Ok(Server {
            listener,
            state,
            tls: tls.map(|t| t.config),
            started,
        })
    }

    /// Serves until `signal` completes, then closes open streams, lets in-flight mirror
    /// broadcasts finish (up to the shutdown grace period, logging each mirror invalidation
    /// it abandons) and flushes the log.
    pub async fn run(self, signal: impl std::future::Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
        let state = self.state.clone();
        let app = routes::router(self.state.clone(), &self.started.paths, &self.started.cors_origins);
        let reader = state.bus.clone().map(|nb| tokio::spawn(bus::run(state.clone(), nb)));
        let stopper = state.clone();
        tokio::spawn(async move {
            signal.await;
            // Not ready first, for as long as asked, so that balancers stop sending here.
            if !stopper.drain.is_zero() {
                stopper.draining.store(true, std::sync::atomic::Ordering::Relaxed);
                stopper.log.info(
                    "draining: /readyz answers 503 until the node stops",
                    log_fields! {"module" => "serve", "drainMs" => stopper.drain.as_millis() as u64},
                );
                tokio::time::sleep(stopper.drain).await;
            }
            stopper.shutdown.send_replace(true);
        });
        state.log.info(
            "node started",
            log_fields! {
                "module" => "serve",
                "version" => env!("CARGO_PKG_VERSION"),
                "commit" => crate::COMMIT,
                "address" => self.started.addr.to_string(),
                "store" => self.started.store,
                "bus" => state.bus.as_ref().map(|nb| nb.bus.key.clone()),
                "tls" => self.tls.is_some(),
            },
        );
        // SIGHUP: open the log file again (logrotate's `postrotate`).
        #[cfg(unix)]
        if let Ok(mut hup) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()) {
            let st = state.clone();
            tokio::spawn(async move {
                while hup.recv().await.is_some() {
                    match st.log.reopen() {
                        Ok(()) => st.log.info("log file reopened", log_fields! {"module" => "serve"}),
                        Err(e) => eprintln!(
                            "warning: cannot reopen the log file {}: {e}; still writing to the old one",
                            st.log.path().display()
                        ),
                    }
                }
            });
        }
        // Plain HTTP goes through the node's own accept loop, which writes SSE bodies
        // without hyper's per-connection buffers (a few KiB per idle client instead of
        // ~23); HTTPS goes through the TLS accept loop, where rustls holds its own buffers.
        let result = match self.tls {
            None => {
                conn::serve(
                    self.listener,
                    app,
                    &self.started.paths.stream,
                    state.shutdown.subscribe(),
                )
                .await
            }
            Some(config) => {
                let mut stopped = state.shutdown.subscribe();
                let signal = async move {
                    let _ = stopped.wait_for(|s| *s).await;
                };
                tls::serve(self.listener, app, config, signal).await
            }
        };
        if let Some(r) = reader {
            let _ = tokio::time::timeout(Duration::from_secs(3), r).await;
        }
        let running = state.broadcasts.len();
        if running > 0 {
            let grace_ms = state.shutdown_grace.as_millis() as u64;
            state.log.info(
                "stopping: waiting for mirror broadcasts in flight",
                log_fields! {"module" => "mirror", "broadcasts" => running, "graceMs" => grace_ms},
            );
        }
        for a in state.broadcasts.drain(state.shutdown_grace).await {
            state.log.write(
                log::level::WARN,
                "mirror invalidation abandoned at shutdown",
                log_fields! {
                    "module" => "mirror",
                    "type" => a.type_name,
                    "target" => a.target,
                    "status" => serde_json::Value::Null,
                    "reason" => "the node stopped before the mirror answered",
                    "durationMs" => a.running_for.as_millis() as u64,
                    "graceMs" => state.shutdown_grace.as_millis() as u64,
                },
            );
        }
        state.log.info(
            "node stopped",
            log_fields! {"module" => "serve", "uptimeMs" => state.started.elapsed().as_millis() as u64},
        );
        state.log.sync();
        result
    }
}

fn checked_path(name: &'static str, value: &str) -> Result<String, ServeError> {
    let bad = |reason| ServeError::BadPath {
        name,
        value: value.to_string(),
        reason,
    };
    if !value.starts_with('/') || value.len() < 2 {
        return Err(bad("it must start with `/` and name a path"));
    }
    if value.contains(['{', '}', '*', '?', '#', ' ']) {
        return Err(bad("it must be a plain path without `{`, `}`, `*`, `?`, `#` or spaces"));
    }
    Ok(value.trim_end_matches('/').to_string())
}

impl crate::hint::Hint for ServeError {
    fn hint(&self) -> Option<String> {
        Some(match self {
            ServeError::NoSecret => "set JWT_SECRET (for example `JWT_SECRET=$(openssl rand -hex 32)`) in the environment or .env, or pass --dev for a throwaway secret and account".into(),
            ServeError::Bind { .. } => "pick another --port, or stop the process that holds this one".into(),
            ServeError::Store(_) => {
                "start redis-server or point REDIS_URL (or --redis-url) at it, or use --store memory".into()
            }
            ServeError::State { .. } => "point --state at a writable file (it is created if missing)".into(),
            ServeError::Log { .. } => "point CACHE_LOG (or --log-file) at a writable path".into(),
            ServeError::Mirrors(e) => return e.hint(),
            ServeError::Cors(_) => {
                "give each origin as a browser sends it, e.g. --cors-origin http://localhost:5173".into()
            }
            ServeError::Tls(_) => "give --tls-cert the PEM certificate (chain) and --tls-key its PEM private key; for a local try, use --dev --self-signed".into(),
            ServeError::CaCert(e) => return e.hint(),
            ServeError::Bus(_) => "start redis-server or point REDIS_URL (or --redis-url) at the deployment's Redis; the bus needs it at startup".into(),
            ServeError::StateWithBus => "drop --state (or --bus)".into(),
            ServeError::LogLevel { .. } => "use trace, debug, info, warn, error or fatal".into(),
            ServeError::BadPath { name, .. } => format!("set {name} to a path such as /api/cache/invalidate"),
        })
    }
}
