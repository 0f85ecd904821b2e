//! `GET /metrics`: the node's Prometheus metrics (OpenMetrics text, `prometheus-client`).
//!
//! Counters are counted where things happen (routes, the bus reader, the mirror
//! broadcast); what is a state rather than an event (clients connected, events sent, bus
//! lag) is read from the node when the metrics are asked for. Label values are bounded:
//! types are the graph's canonical names (a type the graph does not know counts as
//! `unknown`), targets are the configured mirrors.

use std::sync::atomic::{AtomicU64, Ordering};

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::{Registry, Unit};

/// Who may read `/metrics` (`serve --metrics`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Access {
    /// Anyone who can reach the node (the default: it holds no secrets).
    #[default]
    Public,
    /// Only with a token of this node's accounts (`Authorization: Bearer`).
    Token,
    /// Not served (404).
    Off,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct TypeOutcome {
    r#type: String,
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Outcome {
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct TargetOutcome {
    target: String,
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Target {
    target: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Build {
    version: String,
    commit: String,
}

/// The node's metrics.
pub struct Metrics {
    registry: Registry,
    invalidations: Family<TypeOutcome, Counter>,
    cascade: Histogram,
    logins: Family<Outcome, Counter>,
    connections: Counter,
    streams_refused: Counter,
    replays: Counter,
    resets: Counter,
    mirror: Family<TargetOutcome, Counter>,
    mirror_latency: Family<Target, Histogram>,
    bus_published: Counter,
    bus_applied: Counter,
    bus_skipped: Counter,
    bus_outages: Counter,
    store_errors: Counter,
    // Read from the node when asked.
    clients: Gauge,
    events: Counter,
    events_seen: AtomicU64,
    bus_lag: Gauge<f64, std::sync::atomic::AtomicU64>,
}

impl Default for Metrics {
    fn default() -> Metrics {
        Metrics::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut r = Registry::with_prefix("polycache");
        let invalidations = Family::<TypeOutcome, Counter>::default();
        r.register(
            "invalidations",
            "Invalidations received, by canonical type and outcome (ok, bad_request, unauthorized, unknown_type, store_error, failed)",
            invalidations.clone(),
        );
        let cascade = Histogram::new([1.0, 2.0, 3.0, 5.0, 8.0, 13.0, 21.0]);
        r.register(
            "cascade_types",
            "Types cleared per invalidation (the cascade's size)",
            cascade.clone(),
        );
        let logins = Family::<Outcome, Counter>::default();
        r.register("logins", "Logins, by outcome (ok, rejected, limited)", logins.clone());
        let connections = Counter::default();
        r.register("sse_connections", "Stream connections opened", connections.clone());
        let streams_refused = Counter::default();
        r.register(
            "sse_refused",
            "Stream connections refused by --max-clients or --max-clients-per-ip (503)",
            streams_refused.clone(),
        );
        let replays = Counter::default();
        r.register(
            "sse_replays",
            "Stream connections that resumed with Last-Event-ID and were replayed missed events",
            replays.clone(),
        );
        let resets = Counter::default();
        r.register(
            "sse_stream_resets",
            "stream-reset events sent (a Last-Event-ID that cannot be replayed from, a stream reset under the node)",
            resets.clone(),
        );
        let clients = Gauge::default();
        r.register("sse_clients", "Stream clients connected now", clients.clone());
        let events = Counter::default();
        r.register(
            "sse_events",
            "Events sent to the stream (each once, whatever the number of clients)",
            events.clone(),
        );
        let mirror = Family::<TargetOutcome, Counter>::default();
        r.register(
            "mirror_invalidations",
            "Invalidations this node sent on to its mirrors, by mirror and outcome (ok, failed)",
            mirror.clone(),
        );
        let mirror_latency =
            Family::<Target, Histogram>::new_with_constructor(|| Histogram::new(exponential_buckets(0.005, 2.0, 12)));
        r.register_with_unit(
            "mirror_invalidation_duration",
            "Time a mirror took to answer an invalidation (retries included)",
            Unit::Seconds,
            mirror_latency.clone(),
        );
        let bus_published = Counter::default();
        r.register(
            "bus_published",
            "Own invalidations appended to the bus",
            bus_published.clone(),
        );
        let bus_applied = Counter::default();
        r.register(
            "bus_applied",
            "Other nodes' invalidations applied from the bus",
            bus_applied.clone(),
        );
        let bus_skipped = Counter::default();
        r.register(
            "bus_skipped",
            "Bus entries skipped: not valid invalidations",
            bus_skipped.clone(),
        );
        let bus_outages = Counter::default();
        r.register(
            "bus_outages",
            "Times the bus's Redis became unreachable",
            bus_outages.clone(),
        );
        let bus_lag = Gauge::<f64, std::sync::atomic::AtomicU64>::default();
        r.register_with_unit(
            "bus_lag",
            "Now minus the time the last applied bus entry was appended",
            Unit::Seconds,
            bus_lag.clone(),
        );
        let store_errors = Counter::default();
        r.register(
            "store_errors",
            "Store operations that failed (clearing a type)",
            store_errors.clone(),
        );
        let build = Family::<Build, Gauge>::default();
        build
            .get_or_create(&Build {
                version: env!("CARGO_PKG_VERSION").to_string(),
                commit: crate::COMMIT.to_string(),
            })
            .set(1);
        r.register("build", "The running build: version and commit (value 1)", build);
        Metrics {
            registry: r,
            invalidations,
            cascade,
            logins,
            connections,
            streams_refused,
            replays,
            resets,
            mirror,
            mirror_latency,
            bus_published,
            bus_applied,
            bus_skipped,
            bus_outages,
            store_errors,
            clients,
            events,
            events_seen: AtomicU64::new(0),
            bus_lag,
        }
    }

    pub fn invalidation(&self, type_name: &str, outcome: &str, cascade: usize) {
        self.invalidations
            .get_or_create(&TypeOutcome {
                r#type: type_name.to_string(),
                outcome: outcome.to_string(),
            })
            .inc();
        if outcome == "ok" {
            self.cascade.observe(cascade as f64);
        }
    }

    /// A login refused by the failed-login limits (429).
    pub fn login_limited(&self) {
        self.logins
            .get_or_create(&Outcome {
                outcome: "limited".to_string(),
            })
            .inc();
    }

    /// A stream refused by the client limits (503).
    pub fn stream_refused(&self) {
        self.streams_refused.inc();
    }

    pub fn login(&self, ok: bool) {
        let outcome = if ok { "ok" } else { "rejected" };
        self.logins
            .get_or_create(&Outcome {
                outcome: outcome.to_string(),
            })
            .inc();
    }

    /// A stream connection: whether it was replayed events, and whether it got a reset.
    pub fn connection(&self, replayed: bool, reset: bool) {
        self.connections.inc();
        if replayed {
            self.replays.inc();
        }
        if reset {
            self.resets.inc();
        }
    }

    /// A reset sent live to the connected clients (counted once).
    pub fn live_reset(&self) {
        self.resets.inc();
    }

    pub fn mirror(&self, target: &str, ok: bool, latency: std::time::Duration) {
        let outcome = if ok { "ok" } else { "failed" };
        self.mirror
            .get_or_create(&TargetOutcome {
                target: target.to_string(),
                outcome: outcome.to_string(),
            })
            .inc();
        self.mirror_latency
            .get_or_create(&Target {
                target: target.to_string(),
            })
            .observe(latency.as_secs_f64());
    }

    pub fn bus_published(&self) {
        self.bus_published.inc();
    }

    pub fn bus_applied(&self) {
        self.bus_applied.inc();
    }

    pub fn bus_skipped(&self) {
        self.bus_skipped.inc();
    }

    pub fn bus_outage(&self) {
        self.bus_outages.inc();
    }

    pub fn store_error(&self) {
        self.store_errors.inc();
    }

    /// The exposition, with the node's present state read in first: clients connected,
    /// events sent so far (the hub's count), the bus lag (`None` off the bus or before
    /// the first entry applied).
    pub fn render(&self, clients: usize, events_sent: u64, bus_lag: Option<f64>) -> String {
        self.clients.set(clients as i64);
        let seen = self.events_seen.swap(events_sent, Ordering::Relaxed);
        self.events.inc_by(events_sent.saturating_sub(seen));
        if let Some(lag) = bus_lag {
            self.bus_lag.set(lag.max(0.0));
        }
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}

/// The content type of [`Metrics::render`]'s text.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// The content type of [`prometheus_text`].
pub const PROMETHEUS_CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// The same metrics in Prometheus's older text format, for readers that do not ask for
/// OpenMetrics (`curl`, `promtool check metrics`, older scrapers): a counter family is
/// named with its `_total` suffix, and the `# UNIT` and `# EOF` lines go.
pub fn prometheus_text(openmetrics: &str) -> String {
    let mut out = String::with_capacity(openmetrics.len());
    let mut help: Option<&str> = None;
    for line in openmetrics.lines() {
        if line == "# EOF" || line.starts_with("# UNIT ") {
            continue;
        }
        if line.starts_with("# HELP ") {
            help = Some(line);
            continue;
        }
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').unwrap_or((rest, "untyped"));
            let family = if kind == "counter" {
                format!("{name}_total")
            } else {
                name.to_string()
            };
            if let Some(h) = help.take() {
                let text = h
                    .strip_prefix("# HELP ")
                    .and_then(|r| r.split_once(' '))
                    .map_or("", |(_, t)| t);
                out.push_str(&format!("# HELP {family} {text}\n"));
            }
            out.push_str(&format!("# TYPE {family} {kind}\n"));
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}
