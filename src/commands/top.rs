//! `polycache top`: glue. Tasks feed one channel of [`Input`]s: the targets' streams
//! (`client::stream`), their health (`client::probe`), the log's warnings and errors
//! (`logs::follow`), Redis stats (`store`); keys come from crossterm's event stream; a tick
//! redraws when something changed, at most four times a second. The model and the drawing
//! are `crate::top`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crossterm::event::{Event, EventStream, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use futures::StreamExt;
use tokio::sync::mpsc;

use super::Context;
use crate::cli::TopArgs;
use crate::client::Target;
use crate::client::stream::{FollowOptions, Notice, follow_all};
use crate::config::Source;
use crate::error::{Failure, exit};
use crate::output::{Outcome, Render};
use crate::top::model::{Input, Overlay, RedisRow, State, TargetKind, TargetState};
use crate::top::{Theme, draw};

/// The shortest time between two draws.
const FRAME: Duration = Duration::from_millis(250);

pub fn run(ctx: &Context, args: &TopArgs) -> Result<Outcome, Failure> {
    let graph = ctx.graph()?;
    if ctx.out.json() && !args.once {
        return Err(Failure::usage("--json goes with --once: the live screen is for people")
            .with_hint("`polycache top --once --json` prints one snapshot; `polycache tail --mirror --json` streams the events"));
    }
    if !args.once && !ctx.out.terminal().stdout {
        return Err(Failure::usage("top draws a full screen, and stdout is not a terminal")
            .with_hint("for scripts and pipes use `polycache tail --json` (or `tail --mirror --json`), or `polycache top --once` for one snapshot"));
    }
    let settings = &ctx.settings;
    let mut targets = vec![Arc::new(Target::from_settings_local(settings))];
    targets.extend(Target::from_settings_mirrors(settings).into_iter().map(Arc::new));
    let log_path = settings.cache_log().to_string();
    let log = std::fs::metadata(&log_path).is_ok_and(|m| m.is_file()) && std::fs::File::open(&log_path).is_ok();
    let redis = settings
        .value("REDIS_URL")
        .is_some_and(|v| !matches!(v.source, Source::Default | Source::Unset));
    let rows = targets
        .iter()
        .enumerate()
        .map(|(i, t)| {
            TargetState::new(
                &t.name,
                &t.base,
                if i == 0 { TargetKind::Local } else { TargetKind::Mirror },
            )
        })
        .collect();
    let state = State::new(rows, graph, log, redis, now_ms());
    let http = crate::client::http_for(settings)?;
    let rt = crate::runtime()?;
    rt.block_on(async {
        let (tx, rx) = mpsc::channel(4096);
        let stop = Arc::new(AtomicBool::new(false));
        feed_streams(&http, &targets, settings.stream_path(), tx.clone());
        let bus = Redis {
            url: settings.redis_url().to_string(),
            prefix: settings.cache_prefix().to_string(),
        };
        feed_health(&http, &targets, args.health_every, bus, tx.clone());
        if log {
            feed_log(log_path, Arc::clone(&stop), tx.clone());
        }
        if redis {
            feed_redis(ctx, args.redis_every, tx.clone());
        }
        let result = if args.once {
            Ok(once(state, rx, args.wait, &targets).await)
        } else {
            screen(ctx, state, rx, tx, &http, &targets).await
        };
        stop.store(true, Ordering::Relaxed);
        result
    })
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Each target's stream, reconnected for as long as top runs.
fn feed_streams(http: &reqwest::Client, targets: &[Arc<Target>], path: &str, tx: mpsc::Sender<Input>) {
    let opts = FollowOptions {
        path: path.to_string(),
        retry_initial: true,
        backoff_max: Duration::from_secs(2),
        ..FollowOptions::default()
    };
    let mut rx = follow_all(http, targets, &opts);
    let targets = targets.to_vec();
    tokio::spawn(async move {
        while let Some(n) = rx.recv().await {
            let target = targets.iter().position(|t| Arc::ptr_eq(t, n.target())).unwrap_or(0);
            let input = match n {
                Notice::Connected { .. } => Input::Connected { target },
                Notice::Heartbeat { .. } => continue,
                Notice::Event(ev) => {
                    if ev.event == crate::client::stream::STREAM_RESET {
                        continue;
                    }
                    let u = ev.update.as_ref();
                    Input::Event {
                        target,
                        event_id: ev.id.clone(),
                        kind: u.map(|u| u.kind.clone()),
                        entity: u.and_then(|u| match &u.id {
                            serde_json::Value::Null => None,
                            serde_json::Value::String(s) => Some(s.clone()),
                            other => Some(other.to_string()),
                        }),
                        action: u.and_then(|u| u.action.clone()),
                    }
                }
                Notice::Disconnected { reason, attempt, .. } => Input::Disconnected {
                    target,
                    reason,
                    attempt,
                },
                Notice::Failed { reason, .. } => Input::Failed { target, reason },
            };
            if tx.send(input).await.is_err() {
                return;
            }
        }
    });
}

/// Where the bus lives, should the local node say it is on one.
struct Redis {
    url: String,
    prefix: String,
}

/// Each target's `GET /api/health`, every `every`. The local node's first answer that
/// names a bus adds the bus as a target (before that answer is passed on, so that
/// `--once` waits for the bus too).
fn feed_health(http: &reqwest::Client, targets: &[Arc<Target>], every: Duration, bus: Redis, tx: mpsc::Sender<Input>) {
    let bus_index = targets.len();
    let mut bus = Some(bus);
    for (i, t) in targets.iter().enumerate() {
        let (http, t, tx) = (http.clone(), Arc::clone(t), tx.clone());
        let mut bus = if i == 0 { bus.take() } else { None };
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                let trace = crate::client::Trace::off();
                let start = std::time::Instant::now();
                let input =
                    match crate::client::probe::health(&http, &trace, &t, every.min(Duration::from_secs(5))).await {
                        Ok(h) => {
                            if let Some(key) = h.answer.as_ref().and_then(|a| a.bus.as_ref()).map(|b| b.key.clone())
                                && let Some(redis) = bus.take()
                            {
                                follow_bus(redis, key, bus_index, tx.clone()).await;
                            }
                            Input::Health {
                                target: i,
                                rtt_ms: h.elapsed.as_millis() as u64,
                                clients: h.answer.as_ref().map(|a| a.clients),
                                error: h.not_ok().or_else(|| {
                                    (h.status >= 400).then(|| format!("health answered HTTP {}", h.status))
                                }),
                            }
                        }
                        Err(e) => Input::Health {
                            target: i,
                            rtt_ms: start.elapsed().as_millis() as u64,
                            clients: None,
                            error: Some(e.to_string()),
                        },
                    };
                if tx.send(input).await.is_err() {
                    return;
                }
            }
        });
    }
}

/// The bus (PROTOCOL section 8), read straight from Redis as `tail --bus` does, as one
/// more target at index `index`: added now, followed by a task of its own.
async fn follow_bus(redis: Redis, key: String, index: usize, tx: mpsc::Sender<Input>) {
    let name = format!("bus {key}");
    let shown = crate::config::redact_url_password(&redis.url);
    if tx
        .send(Input::AddTarget(TargetState::new(&name, &shown, TargetKind::Bus)))
        .await
        .is_err()
    {
        return;
    }
    tokio::spawn(async move {
        let b = match crate::bus::Bus::open(&redis.url, &redis.prefix, crate::bus::DEFAULT_MAXLEN).await {
            Ok(b) => b,
            Err(e) => {
                let _ = tx
                    .send(Input::Failed {
                        target: index,
                        reason: e.to_string(),
                    })
                    .await;
                return;
            }
        };
        let (btx, mut brx) = mpsc::channel(1024);
        tokio::spawn(crate::bus::follow(b, None, btx));
        while let Some(n) = brx.recv().await {
            let input = match n {
                crate::bus::BusNotice::Connected { .. } => Input::Connected { target: index },
                crate::bus::BusNotice::Entry(e) => Input::Event {
                    target: index,
                    event_id: Some(e.event_id),
                    kind: Some(e.type_name),
                    entity: match e.id {
                        serde_json::Value::Null => None,
                        serde_json::Value::String(s) => Some(s),
                        other => Some(other.to_string()),
                    },
                    action: Some(e.action),
                },
                crate::bus::BusNotice::Disconnected { reason, .. } => Input::Disconnected {
                    target: index,
                    reason,
                    attempt: 1,
                },
                crate::bus::BusNotice::Skipped { .. } | crate::bus::BusNotice::Gap { .. } => continue,
            };
            if tx.send(input).await.is_err() {
                return;
            }
        }
    });
}

/// The log's last warnings and errors, then the new ones, formatted as `logs` does.
fn feed_log(path: String, stop: Arc<AtomicBool>, tx: mpsc::Sender<Input>) {
    use crate::logs::filter::Filter;
    use crate::logs::format::Formatter;
    use crate::logs::{Engine, Output, follow, read};
    tokio::task::spawn_blocking(move || {
        let engine = Engine {
            filter: Filter {
                min_level: Some(40),
                ..Filter::default()
            },
            output: Output::Pretty(Formatter {
                style: crate::style::Style::plain(),
                utc: false,
            }),
        };
        let mut emit = |bytes: &[u8]| -> std::io::Result<()> {
            for line in String::from_utf8_lossy(bytes).lines() {
                if !line.trim().is_empty() && tx.blocking_send(Input::Log(line.to_string())).is_err() {
                    return Err(std::io::Error::from(std::io::ErrorKind::BrokenPipe));
                }
            }
            Ok(())
        };
        let Ok(mut f) = std::fs::File::open(&path) else { return };
        let start = f.metadata().map(|m| m.len()).unwrap_or(0);
        if let Ok((lines, cuts)) = read::tail_file(&engine, &mut f, crate::top::model::LOG_LINES) {
            let _ = read::emit_lines(&engine, &lines, &cuts, &mut emit);
        }
        let _ = follow::follow(
            &engine,
            std::path::Path::new(&path),
            start,
            &stop,
            None,
            &mut emit,
            &mut |_| {},
        );
    });
}

/// Redis keys and memory per type, every `every`, in the background.
fn feed_redis(ctx: &Context, every: Duration, tx: mpsc::Sender<Input>) {
    use crate::store::StatsBuilder;
    use crate::store::{Fields, Store};
    let url = ctx.settings.redis_url().to_string();
    let prefix = ctx.settings.cache_prefix().to_string();
    let known: Vec<String> = ctx.graph().map(|g| g.types().to_vec()).unwrap_or_default();
    tokio::spawn(async move {
        let mut store: Option<Store> = None;
        loop {
            let result = async {
                if store.is_none() {
                    store = Some(Store::connect(&url, &prefix).await.map_err(|e| e.to_string())?);
                }
                let s = store.as_ref().ok_or_else(String::new)?;
                let mut b = StatsBuilder::new(s.prefix());
                let fields = Fields {
                    memory: true,
                    ..Fields::default()
                };
                s.scan_described(&s.prefix_pattern(), fields, |page, _| b.add(&page))
                    .await
                    .map_err(|e| e.to_string())?;
                let _ = b.take_bus();
                let (types, _) = b.finish(&known);
                Ok::<_, String>(
                    types
                        .into_iter()
                        .filter(|t| t.keys > 0)
                        .map(|t| RedisRow {
                            kind: t.type_name,
                            keys: t.keys,
                            memory: t.memory,
                        })
                        .collect(),
                )
            }
            .await;
            if result.is_err() {
                store = None;
            }
            if tx.send(Input::Redis(result)).await.is_err() {
                return;
            }
            tokio::time::sleep(every).await;
        }
    });
}

/// `--once`: the first answers (or `wait`), then one snapshot.
async fn once(mut state: State, mut rx: mpsc::Receiver<Input>, wait: Duration, targets: &[Arc<Target>]) -> Outcome {
    let deadline = tokio::time::sleep(wait);
    tokio::pin!(deadline);
    let mut healthy = vec![false; targets.len()];
    let mut redis_seen = state.redis.is_none();
    loop {
        let settled = healthy.iter().all(|h| *h)
            && redis_seen
            && state
                .targets
                .iter()
                .all(|t| !matches!(t.link, crate::top::model::StreamState::Connecting));
        if settled {
            break;
        }
        tokio::select! {
            _ = &mut deadline => break,
            i = rx.recv() => match i {
                None => break,
                Some(i) => {
                    match &i {
                        Input::Health { target, .. } => if let Some(h) = healthy.get_mut(*target) { *h = true },
                        Input::Redis(_) => redis_seen = true,
                        _ => {}
                    }
                    state.apply(i, now_ms());
                }
            }
        }
    }
    // What already arrived (the log's tail) goes in too.
    while let Ok(i) = rx.try_recv() {
        state.apply(i, now_ms());
    }
    state.tick(now_ms());
    Outcome::show(state.snapshot())
}

/// The live screen, until q, Ctrl-C or SIGTERM.
async fn screen(
    ctx: &Context,
    mut state: State,
    mut rx: mpsc::Receiver<Input>,
    tx: mpsc::Sender<Input>,
    http: &reqwest::Client,
    targets: &[Arc<Target>],
) -> Result<Outcome, Failure> {
    let theme = Theme {
        color: ctx.out.style().color,
    };
    // ratatui's own init: raw mode, the alternate screen, and a panic hook that restores
    // the terminal before the panic message.
    let mut terminal = ratatui::try_init().map_err(|e| Failure::error(format!("cannot set up the terminal: {e}")))?;
    let result = async {
        let mut keys = EventStream::new();
        let mut tick = tokio::time::interval(FRAME);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        #[cfg(unix)]
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .map_err(|e| Failure::error(format!("cannot watch for SIGTERM: {e}")))?;
        #[cfg(unix)]
        let mut hup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())
            .map_err(|e| Failure::error(format!("cannot watch for SIGHUP: {e}")))?;
        let mut frozen: Option<State> = None;
        loop {
            if state.dirty {
                // Paused: the data as it was, the keys' effects as they are.
                if let Some(f) = frozen.as_mut().filter(|_| state.paused) {
                    f.overlay = state.overlay.clone();
                    f.selected = state.selected.clone();
                    f.filter = state.filter.clone();
                    f.editing_filter = state.editing_filter;
                    f.sort = state.sort;
                }
                let shown = frozen.as_ref().filter(|_| state.paused).unwrap_or(&state);
                terminal
                    .draw(|f| draw(f, shown, theme))
                    .map_err(|e| Failure::error(format!("cannot draw: {e}")))?;
                state.dirty = false;
            }
            #[cfg(unix)]
            let signalled = async {
                tokio::select! {
                    _ = term.recv() => {},
                    _ = hup.recv() => {},
                }
            };
            #[cfg(not(unix))]
            let signalled = std::future::pending::<()>();
            tokio::select! {
                _ = signalled => return Ok(exit::OK),
                _ = tick.tick() => state.tick(now_ms()),
                i = rx.recv() => {
                    if let Some(i) = i {
                        state.apply(i, now_ms());
                        // A burst is taken whole before the next draw.
                        while let Ok(i) = rx.try_recv() {
                            state.apply(i, now_ms());
                        }
                    }
                    // Not more often than a frame: the next draw waits for the tick.
                    if state.dirty {
                        tick.reset();
                        tick.tick().await;
                    }
                }
                k = keys.next() => match k {
                    None | Some(Err(_)) => return Ok(exit::OK),
                    Some(Ok(Event::Key(k))) if k.kind != KeyEventKind::Release => {
                        if key(ctx, &mut state, &mut frozen, k, &tx, http, targets) {
                            return Ok(exit::OK);
                        }
                    }
                    Some(Ok(Event::Resize(..))) => state.dirty = true,
                    Some(Ok(_)) => {}
                }
            }
        }
    }
    .await;
    ratatui::try_restore().map_err(|e| Failure::error(format!("cannot restore the terminal: {e}")))?;
    result.map(|code| Outcome::streamed().code(code))
}

/// One key press; true to quit.
fn key(
    ctx: &Context,
    state: &mut State,
    frozen: &mut Option<State>,
    k: KeyEvent,
    tx: &mpsc::Sender<Input>,
    http: &reqwest::Client,
    targets: &[Arc<Target>],
) -> bool {
    state.dirty = true;
    if k.code == KeyCode::Char('c') && k.modifiers.contains(KeyModifiers::CONTROL) {
        return true;
    }
    if state.editing_filter {
        match k.code {
            KeyCode::Enter | KeyCode::Esc => state.editing_filter = false,
            KeyCode::Backspace => {
                state.filter.pop();
            }
            KeyCode::Char(c) if !c.is_control() => state.filter.push(c),
            _ => {}
        }
        return false;
    }
    match (&state.overlay, k.code) {
        (Overlay::Confirm(t), KeyCode::Char('y' | 'Y')) => {
            let t = t.clone();
            state.overlay = Overlay::Sending(t.clone());
            invalidate(ctx, t, tx.clone(), http.clone(), targets.to_vec());
        }
        (Overlay::Confirm(_), _) => state.overlay = Overlay::None,
        (Overlay::Sending(_), KeyCode::Char('q')) => return true,
        (Overlay::Sending(_), _) => {}
        (Overlay::Help | Overlay::Cascade(_) | Overlay::Report(_), _) => state.overlay = Overlay::None,
        (Overlay::None, code) => match code {
            KeyCode::Char('q') => return true,
            KeyCode::Char('p') => {
                state.paused = !state.paused;
                *frozen = state.paused.then(|| state.clone());
            }
            KeyCode::Up => state.select(-1),
            KeyCode::Down => state.select(1),
            KeyCode::Char('s') => state.sort = state.sort.next(),
            KeyCode::Char('/') => state.editing_filter = true,
            KeyCode::Char('?') => state.overlay = Overlay::Help,
            KeyCode::Esc => state.filter.clear(),
            KeyCode::Enter => {
                if let Some(t) = state.selected.clone() {
                    state.overlay = Overlay::Cascade(t);
                }
            }
            KeyCode::Char('i') => {
                if let Some(t) = state.selected.clone() {
                    state.overlay = Overlay::Confirm(t);
                }
            }
            _ => {}
        },
    }
    false
}

/// `i`, confirmed: the same run as `polycache invalidate TYPE --mirror`, its report shown
/// as that command's table.
fn invalidate(ctx: &Context, kind: String, tx: mpsc::Sender<Input>, http: reqwest::Client, targets: Vec<Arc<Target>>) {
    use crate::client::run::{self, Plan, Policy};
    let settings = ctx.settings.clone();
    let graph = ctx.graph().unwrap_or_else(|_| crate::graph::Graph::built_in());
    let style = crate::style::Style::plain();
    tokio::spawn(async move {
        let plan = Plan {
            targets,
            kinds: vec![kind],
            id: None,
            via_server: false,
            verify: None,
            relays: Vec::new(),
            stream_path: settings.stream_path().to_string(),
        };
        let lines = match run::invalidator(&http, &settings, &Policy::default(), crate::client::Trace::off()) {
            Err(e) => vec![e.to_string()],
            Ok(inv) => {
                let report = plan.execute(&inv, &http, &graph, &|_| {}).await;
                report.human(style).lines().map(str::to_string).collect()
            }
        };
        let _ = tx.send(Input::Report(lines)).await;
    });
}
