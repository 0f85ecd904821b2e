//! The model of `polycache top`: everything the screen shows, fed with [`Input`]s and told
//! the time explicitly, so that tests replay a scene to the millisecond. Nothing here
//! does I/O; the runtime (`commands/top.rs`) feeds it and [`super::draw`] shows it.

use std::collections::{BTreeMap, VecDeque};

use serde::Serialize;

use crate::escape;
use crate::graph::Graph;

/// The windows of the invalidation counts, in milliseconds: 1, 5 and 15 minutes.
pub const WINDOWS_MS: [i64; 3] = [60_000, 300_000, 900_000];
/// Propagation figures cover this long.
pub const PROPAGATION_MS: i64 = 300_000;
/// A mirror event matches a local one of the same type at most this much later; a local
/// invalidation not seen on a mirror within it is marked as missed there.
pub const MATCH_MS: i64 = 10_000;
/// Log lines kept.
pub const LOG_LINES: usize = 50;
/// Propagation samples kept per mirror (for the sparkline).
const SAMPLES: usize = 240;

/// What a target is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum TargetKind {
    Local,
    Mirror,
    Bus,
}

/// The state of one target's stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase", tag = "state")]
pub enum StreamState {
    /// Not answered yet.
    Connecting,
    Live {
        since_ms: i64,
    },
    Reconnecting {
        since_ms: i64,
        reason: String,
        attempt: u32,
    },
    Down {
        since_ms: i64,
        reason: String,
    },
}

/// One target: the local server, a mirror, or the bus.
#[derive(Debug, Clone)]
pub struct TargetState {
    pub name: String,
    pub base: String,
    pub kind: TargetKind,
    pub link: StreamState,
    pub last_event_id: Option<String>,
    pub last_event_ms: Option<i64>,
    /// Arrival times of the events of the last 15 minutes.
    events: VecDeque<i64>,
    pub rtt_ms: Option<u64>,
    pub clients: Option<u64>,
    pub health_error: Option<String>,
}

/// Something that happened, as the runtime reports it; text from outside is raw here
/// and escaped as it enters the model.
#[derive(Debug, Clone)]
pub enum Input {
    Connected {
        target: usize,
    },
    Event {
        target: usize,
        /// The stream id, when the event had one.
        event_id: Option<String>,
        /// The entity type, when the event was an invalidation.
        kind: Option<String>,
        /// The entity id as shown (`42`, or empty for null).
        entity: Option<String>,
        action: Option<String>,
    },
    /// A stream dropped; the runtime retries.
    Disconnected {
        target: usize,
        reason: String,
        attempt: u32,
    },
    /// A stream gave up.
    Failed {
        target: usize,
        reason: String,
    },
    Health {
        target: usize,
        rtt_ms: u64,
        clients: Option<u64>,
        error: Option<String>,
    },
    /// One line of the log panel, as `logs` formats it (already escaped).
    Log(String),
    Redis(Result<Vec<RedisRow>, String>),
    /// What an invalidation from the `i` key did, one line per target.
    Report(Vec<String>),
    /// A target found while running (the bus, named by the local node's health); it
    /// takes the next index.
    AddTarget(TargetState),
}

/// Keys and memory of one type in Redis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RedisRow {
    #[serde(rename = "type")]
    pub kind: String,
    pub keys: u64,
    pub memory: u64,
}

/// The Redis panel's contents.
#[derive(Debug, Clone, Default)]
pub struct RedisPanel {
    pub rows: Vec<RedisRow>,
    pub at_ms: Option<i64>,
    pub error: Option<String>,
}

/// One type's invalidations, per target.
#[derive(Debug, Clone)]
pub struct TypeState {
    pub name: String,
    /// Arrival times per target (index as in [`State::targets`]), last 15 minutes.
    seen: Vec<VecDeque<i64>>,
    pub last_ms: i64,
    pub last_action: Option<String>,
    pub last_entity: Option<String>,
    /// What invalidating it clears, from the graph.
    pub clears: Vec<String>,
    /// When a local invalidation of it was last missed, per target.
    missed_ms: Vec<Option<i64>>,
}

impl TypeState {
    /// Invalidations seen on `target` within each of [`WINDOWS_MS`] before `now`.
    pub fn counts(&self, target: usize, now: i64) -> [usize; 3] {
        let seen = &self.seen[target];
        WINDOWS_MS.map(|w| seen.iter().rev().take_while(|&&t| now - t < w).count())
    }

    /// Whether a local invalidation of this type did not reach `target` within the
    /// 15-minute window.
    pub fn missed(&self, target: usize, now: i64) -> bool {
        self.missed_ms[target].is_some_and(|t| now - t < WINDOWS_MS[2])
    }

    pub fn total(&self, now: i64) -> usize {
        (0..self.seen.len()).map(|t| self.counts(t, now)[2]).sum()
    }
}

/// The propagation delays measured to one mirror.
#[derive(Debug, Clone, Default)]
pub struct Propagation {
    /// Local invalidations not yet seen on this mirror, per type: their times.
    pending: BTreeMap<String, VecDeque<i64>>,
    /// Invalidations this mirror showed before the local stream did (both were sent to
    /// directly, `invalidate --mirror`), per type: their times.
    early: BTreeMap<String, VecDeque<i64>>,
    /// (when seen on the mirror, delay in ms).
    samples: VecDeque<(i64, u64)>,
}

/// p50, p99 and max of the last five minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Figures {
    pub count: usize,
    pub p50_ms: u64,
    pub p99_ms: u64,
    pub max_ms: u64,
}

impl Propagation {
    fn sample(&mut self, at: i64, delay_ms: u64) {
        if self.samples.len() == SAMPLES {
            self.samples.pop_front();
        }
        self.samples.push_back((at, delay_ms));
    }

    pub fn figures(&self, now: i64) -> Option<Figures> {
        let mut d: Vec<u64> = self.recent(now).collect();
        if d.is_empty() {
            return None;
        }
        d.sort_unstable();
        let at = |q: f64| d[(((d.len() - 1) as f64) * q).round() as usize];
        Some(Figures {
            count: d.len(),
            p50_ms: at(0.5),
            p99_ms: at(0.99),
            max_ms: d[d.len() - 1],
        })
    }

    /// The delays of the last five minutes, oldest first.
    pub fn recent(&self, now: i64) -> impl Iterator<Item = u64> + '_ {
        self.samples
            .iter()
            .filter(move |(t, _)| now - t < PROPAGATION_MS)
            .map(|&(_, d)| d)
    }
}

/// How the invalidations table is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Sort {
    /// Most recently seen first.
    #[default]
    Recent,
    /// Most invalidations in 15 minutes first.
    Count,
    Name,
}

impl Sort {
    pub fn next(self) -> Sort {
        match self {
            Sort::Recent => Sort::Count,
            Sort::Count => Sort::Name,
            Sort::Name => Sort::Recent,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Sort::Recent => "recent",
            Sort::Count => "count",
            Sort::Name => "name",
        }
    }
}

/// What covers the screen on top of the panels.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Overlay {
    #[default]
    None,
    Help,
    /// The cascade of the selected type.
    Cascade(String),
    /// `i`: waiting for y or n.
    Confirm(String),
    /// The invalidation of a type is under way.
    Sending(String),
    /// What it did.
    Report(Vec<String>),
}

/// Everything `top` shows.
#[derive(Debug, Clone)]
pub struct State {
    pub targets: Vec<TargetState>,
    types: BTreeMap<String, TypeState>,
    /// Per target, for mirrors only.
    propagation: Vec<Propagation>,
    pub log: Option<VecDeque<String>>,
    pub redis: Option<RedisPanel>,
    graph: Graph,
    pub now_ms: i64,
    pub paused: bool,
    pub sort: Sort,
    pub filter: String,
    /// `/` was pressed: keys go to the filter.
    pub editing_filter: bool,
    /// The selected type's name.
    pub selected: Option<String>,
    pub overlay: Overlay,
    /// Something changed since the last draw.
    pub dirty: bool,
}

impl TargetState {
    pub fn new(name: &str, base: &str, kind: TargetKind) -> TargetState {
        TargetState {
            name: escape::text(name).into_owned(),
            base: escape::text(base).into_owned(),
            kind,
            link: StreamState::Connecting,
            last_event_id: None,
            last_event_ms: None,
            events: VecDeque::new(),
            rtt_ms: None,
            clients: None,
            health_error: None,
        }
    }

    /// Events in the last minute.
    pub fn per_minute(&self, now: i64) -> usize {
        self.events
            .iter()
            .rev()
            .take_while(|&&t| now - t < WINDOWS_MS[0])
            .count()
    }
}

impl State {
    /// A model of these targets (the local server first), with the panels that apply.
    pub fn new(targets: Vec<TargetState>, graph: Graph, log: bool, redis: bool, now_ms: i64) -> State {
        let n = targets.len();
        State {
            targets,
            types: BTreeMap::new(),
            propagation: vec![Propagation::default(); n],
            log: log.then(VecDeque::new),
            redis: redis.then(RedisPanel::default),
            graph,
            now_ms,
            paused: false,
            sort: Sort::default(),
            filter: String::new(),
            editing_filter: false,
            selected: None,
            overlay: Overlay::None,
            dirty: true,
        }
    }

    pub fn graph(&self) -> &Graph {
        &self.graph
    }

    /// Adds a target once the model runs (the bus, found by the first health answer);
    /// returns its index.
    pub fn add_target(&mut self, t: TargetState) -> usize {
        self.targets.push(t);
        self.propagation.push(Propagation::default());
        for ty in self.types.values_mut() {
            ty.seen.push(VecDeque::new());
            ty.missed_ms.push(None);
        }
        self.dirty = true;
        self.targets.len() - 1
    }

    /// The clock moves on: windows slide, unmatched invalidations become misses.
    pub fn tick(&mut self, now_ms: i64) {
        if now_ms / 1000 != self.now_ms / 1000 {
            self.dirty = true;
        }
        self.now_ms = now_ms;
        self.expire();
    }

    /// Applies one input at `now_ms`. While paused, the screen stands still but the model
    /// keeps counting, so nothing is lost when it resumes.
    pub fn apply(&mut self, input: Input, now_ms: i64) {
        self.now_ms = self.now_ms.max(now_ms);
        let now = self.now_ms;
        match input {
            Input::Connected { target } => {
                if let Some(t) = self.targets.get_mut(target) {
                    t.link = StreamState::Live { since_ms: now };
                }
            }
            Input::Disconnected {
                target,
                reason,
                attempt,
            } => {
                if let Some(t) = self.targets.get_mut(target) {
                    let since_ms = match &t.link {
                        StreamState::Reconnecting { since_ms, .. } | StreamState::Down { since_ms, .. } => *since_ms,
                        _ => now,
                    };
                    let reason = escape::text(&reason).into_owned();
                    // The first drop may be a blip; a reconnect that fails again means
                    // the server is down (the runtime keeps trying).
                    t.link = if attempt >= 2 {
                        StreamState::Down { since_ms, reason }
                    } else {
                        StreamState::Reconnecting {
                            since_ms,
                            reason,
                            attempt,
                        }
                    };
                }
            }
            Input::Failed { target, reason } => {
                if let Some(t) = self.targets.get_mut(target) {
                    t.link = StreamState::Down {
                        since_ms: now,
                        reason: escape::text(&reason).into_owned(),
                    };
                }
            }
            Input::Health {
                target,
                rtt_ms,
                clients,
                error,
            } => {
                if let Some(t) = self.targets.get_mut(target) {
                    t.rtt_ms = Some(rtt_ms).filter(|_| error.is_none());
                    t.clients = clients;
                    t.health_error = error.map(|e| escape::text(&e).into_owned());
                }
            }
            Input::Event {
                target,
                event_id,
                kind,
                entity,
                action,
            } => self.event(target, event_id, kind, entity, action, now),
            Input::Log(line) => {
                if let Some(log) = &mut self.log {
                    if log.len() == LOG_LINES {
                        log.pop_front();
                    }
                    // Formatted as `logs` does, so already escaped; escaping again
                    // changes nothing then, and guards any other source.
                    log.push_back(escape::text(&line).into_owned());
                }
            }
            Input::Redis(r) => {
                if let Some(p) = &mut self.redis {
                    match r {
                        Ok(rows) => {
                            p.rows = rows;
                            p.error = None;
                        }
                        Err(e) => p.error = Some(escape::text(&e).into_owned()),
                    }
                    p.at_ms = Some(now);
                }
            }
            Input::AddTarget(t) => {
                self.add_target(t);
            }
            Input::Report(lines) => {
                self.overlay = Overlay::Report(lines.iter().map(|l| escape::text(l).into_owned()).collect());
            }
        }
        self.expire();
        self.dirty = true;
    }

    fn event(
        &mut self,
        target: usize,
        event_id: Option<String>,
        kind: Option<String>,
        entity: Option<String>,
        action: Option<String>,
        now: i64,
    ) {
        let n = self.targets.len();
        let Some(t) = self.targets.get_mut(target) else {
            return;
        };
        if let Some(id) = event_id {
            t.last_event_id = Some(escape::text(&id).into_owned());
        }
        t.last_event_ms = Some(now);
        t.events.push_back(now);
        // An event proves the stream is live, whatever was said before.
        if !matches!(t.link, StreamState::Live { .. }) {
            t.link = StreamState::Live { since_ms: now };
        }
        let local = t.kind == TargetKind::Local;
        let Some(kind) = kind else {
            return;
        };
        let name = match self.graph.resolve(&kind) {
            Ok(r) => r.canonical,
            Err(_) => escape::text(&kind).into_owned(),
        };
        let clears = self.graph.cascade(&name);
        let ty = self.types.entry(name.clone()).or_insert_with(|| TypeState {
            name: name.clone(),
            seen: vec![VecDeque::new(); n],
            last_ms: now,
            last_action: None,
            last_entity: None,
            clears,
            missed_ms: vec![None; n],
        });
        ty.seen[target].push_back(now);
        ty.last_ms = now;
        ty.last_action = action.map(|a| escape::text(&a).into_owned());
        ty.last_entity = entity.map(|e| escape::text(&e).into_owned());
        if self.selected.is_none() {
            self.selected = Some(name.clone());
        }
        if local {
            for (i, p) in self.propagation.iter_mut().enumerate() {
                if self.targets[i].kind != TargetKind::Mirror {
                    continue;
                }
                // The mirror was told first: it counts as no delay.
                match p.early.get_mut(&name).and_then(VecDeque::pop_front) {
                    Some(_) => p.sample(now, 0),
                    None => p.pending.entry(name.clone()).or_default().push_back(now),
                }
            }
        } else if self.targets[target].kind == TargetKind::Mirror {
            let p = &mut self.propagation[target];
            match p.pending.get_mut(&name).and_then(VecDeque::pop_front) {
                Some(sent) => p.sample(now, now.saturating_sub(sent).max(0) as u64),
                None => p.early.entry(name.clone()).or_default().push_back(now),
            }
        }
    }

    /// Drops what fell out of the windows and marks local invalidations that no mirror
    /// showed within [`MATCH_MS`].
    fn expire(&mut self) {
        let now = self.now_ms;
        let keep = |q: &mut VecDeque<i64>| {
            while q.front().is_some_and(|&t| now - t >= WINDOWS_MS[2]) {
                q.pop_front();
            }
        };
        for t in &mut self.targets {
            keep(&mut t.events);
        }
        for ty in self.types.values_mut() {
            ty.seen.iter_mut().for_each(keep);
        }
        for (i, p) in self.propagation.iter_mut().enumerate() {
            for (name, q) in &mut p.pending {
                let mut late = None;
                while q.front().is_some_and(|&t| now - t > MATCH_MS) {
                    late = q.pop_front();
                }
                if let Some(at) = late
                    && let Some(ty) = self.types.get_mut(name)
                {
                    ty.missed_ms[i] = Some(at);
                    self.dirty = true;
                }
            }
            for q in p.early.values_mut() {
                while q.front().is_some_and(|&t| now - t > MATCH_MS) {
                    q.pop_front();
                }
            }
            while p.samples.front().is_some_and(|&(t, _)| now - t >= PROPAGATION_MS) {
                p.samples.pop_front();
            }
        }
    }

    /// The types the table shows: filtered, in the chosen order.
    pub fn rows(&self) -> Vec<&TypeState> {
        let now = self.now_ms;
        let filter = self.filter.to_lowercase();
        let mut rows: Vec<&TypeState> = self
            .types
            .values()
            .filter(|t| filter.is_empty() || t.name.to_lowercase().contains(&filter))
            .collect();
        match self.sort {
            Sort::Recent => rows.sort_by(|a, b| b.last_ms.cmp(&a.last_ms).then(a.name.cmp(&b.name))),
            Sort::Count => rows.sort_by(|a, b| b.total(now).cmp(&a.total(now)).then(a.name.cmp(&b.name))),
            Sort::Name => {}
        }
        rows
    }

    /// The mirrors' propagation figures, in target order.
    pub fn propagation(&self) -> Vec<(usize, Option<Figures>, Vec<u64>)> {
        self.targets
            .iter()
            .enumerate()
            .filter(|(_, t)| t.kind == TargetKind::Mirror)
            .map(|(i, _)| {
                let p = &self.propagation[i];
                (i, p.figures(self.now_ms), p.recent(self.now_ms).collect())
            })
            .collect()
    }

    /// Moves the selection up (`-1`) or down (`1`) the visible rows.
    pub fn select(&mut self, step: isize) {
        let names: Vec<String> = self.rows().iter().map(|t| t.name.clone()).collect();
        if names.is_empty() {
            self.selected = None;
            return;
        }
        let at = self.selected.as_ref().and_then(|s| names.iter().position(|n| n == s));
        let next = match at {
            None => 0,
            Some(i) => (i as isize + step).clamp(0, names.len() as isize - 1) as usize,
        };
        self.selected = Some(names[next].clone());
        self.dirty = true;
    }

    /// The selected type, when it is among the visible rows.
    pub fn selected_row(&self) -> Option<usize> {
        let s = self.selected.as_ref()?;
        self.rows().iter().position(|t| &t.name == s)
    }

    /// The snapshot `--once` prints.
    pub fn snapshot(&self) -> Snapshot {
        let now = self.now_ms;
        let time = |ms: i64| {
            chrono::DateTime::from_timestamp_millis(ms)
                .unwrap_or_default()
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
        };
        Snapshot {
            time: time(now),
            targets: self
                .targets
                .iter()
                .map(|t| TargetSnapshot {
                    name: t.name.clone(),
                    url: t.base.clone(),
                    kind: t.kind,
                    link: t.link.clone(),
                    last_event_id: t.last_event_id.clone(),
                    last_event_age_ms: t.last_event_ms.map(|e| now.saturating_sub(e).max(0) as u64),
                    events_per_minute: t.per_minute(now),
                    health_ms: t.rtt_ms,
                    clients: t.clients,
                    health_error: t.health_error.clone(),
                })
                .collect(),
            types: self
                .rows()
                .iter()
                .map(|ty| TypeSnapshot {
                    name: ty.name.clone(),
                    targets: self
                        .targets
                        .iter()
                        .enumerate()
                        .map(|(i, t)| {
                            let [m1, m5, m15] = ty.counts(i, now);
                            TypeCounts {
                                target: t.name.clone(),
                                last1m: m1,
                                last5m: m5,
                                last15m: m15,
                                missed: ty.missed(i, now),
                            }
                        })
                        .collect(),
                    last_action: ty.last_action.clone(),
                    last_id: ty.last_entity.clone(),
                    clears: ty.clears.clone(),
                })
                .collect(),
            propagation: self
                .propagation()
                .into_iter()
                .map(|(i, f, _)| PropagationSnapshot {
                    mirror: self.targets[i].name.clone(),
                    figures: f,
                })
                .collect(),
            log: self.log.as_ref().map(|l| l.iter().cloned().collect()),
            redis: self.redis.as_ref().map(|r| RedisSnapshot {
                types: r.rows.clone(),
                error: r.error.clone(),
            }),
        }
    }
}

/// `top --once --json` (docs/json/top.schema.json).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Snapshot {
    pub time: String,
    pub targets: Vec<TargetSnapshot>,
    pub types: Vec<TypeSnapshot>,
    pub propagation: Vec<PropagationSnapshot>,
    /// The last warnings and errors of the log; null when CACHE_LOG is not readable.
    pub log: Option<Vec<String>>,
    /// Null when REDIS_URL is not set.
    pub redis: Option<RedisSnapshot>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TargetSnapshot {
    pub name: String,
    pub url: String,
    pub kind: TargetKind,
    pub link: StreamState,
    pub last_event_id: Option<String>,
    pub last_event_age_ms: Option<u64>,
    pub events_per_minute: usize,
    pub health_ms: Option<u64>,
    pub clients: Option<u64>,
    pub health_error: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TypeSnapshot {
    #[serde(rename = "type")]
    pub name: String,
    pub targets: Vec<TypeCounts>,
    pub last_action: Option<String>,
    pub last_id: Option<String>,
    pub clears: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TypeCounts {
    pub target: String,
    pub last1m: usize,
    pub last5m: usize,
    pub last15m: usize,
    /// A local invalidation of the type did not reach this target.
    pub missed: bool,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PropagationSnapshot {
    pub mirror: String,
    #[serde(flatten)]
    pub figures: Option<Figures>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RedisSnapshot {
    pub types: Vec<RedisRow>,
    pub error: Option<String>,
}
