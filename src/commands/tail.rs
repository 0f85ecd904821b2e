//! `polycache tail`: follow the SSE stream of one or more targets and print one line (or
//! one JSON object) per event, merged in arrival order. Subscription, reconnects and
//! `Last-Event-ID` live in `client::stream`; this file filters, counts and renders.

use std::cell::RefCell;
use std::collections::HashMap;
use std::io::Write;
use std::rc::Rc;
use std::sync::Arc;

use serde_json::{Value, json};

use super::{Context, targets};
use crate::bus;
use crate::cli::TailArgs;
use crate::client::Target;
use crate::client::stream::{FollowOptions, Notice, STREAM_RESET, StreamEvent, follow_all};
use crate::duration::human;
use crate::error::{Failure, exit};
use crate::graph::Graph;
use crate::render::Style;

pub fn run(ctx: &Context, args: &TailArgs) -> Result<u8, Failure> {
    let graph = ctx.graph()?;
    let wanted = args
        .types
        .iter()
        .map(|t| graph.resolve(t).map(|r| r.canonical))
        .collect::<Result<Vec<_>, _>>()?;
    if args.bus {
        let view = BusView {
            graph,
            wanted,
            json: ctx.global.json,
            style: ctx.style,
        };
        return crate::runtime()?.block_on(watch_bus(ctx, args, &view));
    }
    let targets: Vec<Arc<Target>> = targets::select(&ctx.settings, &args.targets)?
        .into_iter()
        .map(Arc::new)
        .collect();
    let opts = FollowOptions {
        path: ctx.settings.stream_path().to_string(),
        last_event_id: args.since_id.clone(),
        ..FollowOptions::default()
    };
    let view = View {
        graph,
        wanted,
        // Several targets: each line names its target, padded so the columns line up.
        target_width: if targets.len() > 1 {
            targets.iter().map(|t| t.name.chars().count()).max().unwrap_or(0)
        } else {
            0
        },
        json: ctx.global.json,
        verbose: ctx.global.verbose > 0,
        style: ctx.style,
        known: RefCell::default(),
    };
    let http = crate::client::http_for(&ctx.settings)?;
    crate::runtime()?.block_on(watch(http, targets, opts, args, &view))
}

/// How events are filtered and shown.
pub struct View {
    pub graph: Graph,
    /// Canonical types to keep; empty keeps everything.
    pub wanted: Vec<String>,
    /// Width of the target column; 0 when following one target (no column).
    pub target_width: usize,
    pub json: bool,
    pub verbose: bool,
    pub style: Style,
    /// Type name as streamed -> canonical type and cascade (None: not in the graph).
    pub known: RefCell<HashMap<String, Option<Rc<Known>>>>,
}

/// What the graph says about one streamed type name.
#[derive(Debug)]
pub struct Known {
    pub canonical: String,
    pub cascade: Vec<String>,
}

async fn watch(
    http: reqwest::Client,
    targets: Vec<Arc<Target>>,
    opts: FollowOptions,
    args: &TailArgs,
    view: &View,
) -> Result<u8, Failure> {
    let mut rx = follow_all(&http, &targets, &opts);
    let deadline = tokio::time::sleep(args.timeout.unwrap_or(std::time::Duration::MAX / 4));
    tokio::pin!(deadline);
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    let mut out = std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout());
    let mut shown: u64 = 0;
    let mut heartbeats: u64 = 0;
    let mut gaps: u64 = 0;
    let mut failed = 0usize;
    let mut connected = false;
    let summary = |shown: u64, heartbeats: u64, gaps: u64| {
        if view.verbose {
            eprintln!(
                "{}",
                view.style.dim(&format!(
                    "{} {}, {} {}, {} {}",
                    shown,
                    plural(shown, "event"),
                    heartbeats,
                    plural(heartbeats, "heartbeat"),
                    gaps,
                    plural(gaps, "gap")
                ))
            );
        }
    };
    loop {
        let first = tokio::select! {
            n = rx.recv() => n,
            _ = &mut deadline, if args.timeout.is_some() => {
                flush(&mut out)?;
                summary(shown, heartbeats, gaps);
                let waited = human(args.timeout.unwrap_or_default());
                if !connected {
                    let names: Vec<String> = targets.iter().map(|t| t.base.clone()).collect();
                    return Err(Failure::error(format!(
                        "never connected to {} within {waited}: no stream was opened",
                        names.join(", ")
                    ))
                    .with_hint("the server accepted no connection or never answered the stream request; check POLYCACHE_URL (`polycache config`) and that the server is up"));
                }
                return match args.count {
                    Some(n) => Err(Failure::error(format!("timed out after {waited}: {shown} of {n} events arrived"))
                        .with_hint("raise --timeout, or check with `polycache tail -v` that the server streams")),
                    None => Ok(exit::OK),
                };
            }
            _ = &mut ctrl_c => {
                flush(&mut out)?;
                summary(shown, heartbeats, gaps);
                return Ok(exit::OK);
            }
        };
        let Some(first) = first else {
            flush(&mut out)?;
            return Err(Failure::error("every stream ended"));
        };
        // Handle everything already queued before flushing: one write for a burst.
        let mut next = Some(first);
        while let Some(notice) = next {
            match notice {
                Notice::Event(ev) if ev.event == STREAM_RESET => {
                    // A gap is shown whatever the filters, and is not an event for --count.
                    gaps += 1;
                    let line = if view.json {
                        view.json_line_gap(&ev, gaps)
                    } else {
                        view.gap_line(&ev)
                    };
                    if let Err(e) = writeln!(out, "{line}") {
                        return closed_stdout(e);
                    }
                }
                Notice::Event(ev) => {
                    if !view.keeps(&ev) {
                        next = rx.try_recv().ok();
                        continue;
                    }
                    let line = if view.json { view.json_line(&ev) } else { view.line(&ev) };
                    if let Err(e) = writeln!(out, "{line}") {
                        return closed_stdout(e);
                    }
                    shown += 1;
                    if args.count.is_some_and(|n| shown >= n) {
                        flush(&mut out)?;
                        summary(shown, heartbeats, gaps);
                        return Ok(exit::OK);
                    }
                }
                // The stream's opening comment is not a heartbeat.
                Notice::Heartbeat { opening: true, .. } => {}
                Notice::Heartbeat {
                    target, comment, count, ..
                } => {
                    heartbeats += 1;
                    if view.verbose {
                        flush(&mut out)?;
                        eprintln!(
                            "{}",
                            view.style.dim(&format!(
                                "{} {}heartbeat `{comment}` ({count} from this target)",
                                now(),
                                view.target_prefix(&target)
                            ))
                        );
                    }
                }
                Notice::Connected {
                    target,
                    resumed_from,
                    reconnect,
                } => {
                    flush(&mut out)?;
                    connected = true;
                    let url = target.url(&opts.path);
                    let msg = match (reconnect, resumed_from) {
                        (false, None) => format!("following {url}"),
                        (false, Some(id)) => format!("following {url}, replaying after id {id}"),
                        (true, Some(id)) => format!("resumed {url} from id {id} (Last-Event-ID)"),
                        (true, None) => format!("reconnected to {url} (no event seen before, nothing to resume)"),
                    };
                    eprintln!("{}", view.style.dim(&msg));
                }
                Notice::Disconnected {
                    target,
                    reason,
                    attempt,
                    retry_in,
                } => {
                    flush(&mut out)?;
                    let what = if attempt == 1 {
                        "disconnected from"
                    } else {
                        "still cannot reach"
                    };
                    eprintln!(
                        "{} {what} {}: {reason}; reconnecting in {} (attempt {attempt})",
                        view.style.yellow("warning:"),
                        target.base,
                        human(retry_in)
                    );
                }
                Notice::Failed { target, reason } => {
                    flush(&mut out)?;
                    failed += 1;
                    let message = format!("cannot follow {} ({}): {reason}", target.name, target.base);
                    if failed == targets.len() {
                        return Err(Failure::error(message).with_hint(
                            "is the server running? Check POLYCACHE_URL (`polycache config`), --url or --only",
                        ));
                    }
                    eprintln!("{} {message}", view.style.red("error:"));
                }
            }
            next = rx.try_recv().ok();
        }
        flush(&mut out)?;
    }
}

/// `tail --bus`: how entries are filtered and shown.
struct BusView {
    graph: Graph,
    wanted: Vec<String>,
    json: bool,
    style: Style,
}

impl BusView {
    fn keeps(&self, e: &bus::Entry) -> bool {
        self.wanted.is_empty()
            || self
                .graph
                .resolve(&e.type_name)
                .is_ok_and(|r| self.wanted.contains(&r.canonical))
    }

    /// Time, node, entry id, type, entity id, action, and the cascade the node cleared.
    fn line(&self, e: &bus::Entry) -> String {
        let s = &self.style;
        let time = chrono::Local::now().format("%H:%M:%S%.3f");
        let mut line = format!(
            "{} {} {} {}",
            s.dim(&time.to_string()),
            s.blue(&clean(&e.node)),
            s.dim(&format!("#{}", clean(&e.event_id))),
            s.bold(&clean(&e.type_name))
        );
        if !e.id.is_null() {
            line.push_str(&format!(" id={}", clean(&plain(&e.id))));
        }
        line.push(' ');
        line.push_str(&clean(&e.action));
        let cleared: Vec<String> = e.cleared.iter().map(|c| clean(c)).collect();
        line.push_str(&s.dim(&format!(" -> cleared {}", cleared.join(", "))));
        line
    }

    fn json_line(&self, e: &bus::Entry) -> String {
        let time = chrono::DateTime::from_timestamp_millis(e.time)
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true));
        json!({
            "received": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            "eventId": e.event_id,
            "node": e.node,
            "type": e.type_name,
            "id": e.id,
            "action": e.action,
            "cleared": e.cleared,
            "time": time,
            "delayMs": (bus::now_ms() - e.time).max(0),
        })
        .to_string()
    }
}

async fn watch_bus(ctx: &Context, args: &TailArgs, view: &BusView) -> Result<u8, Failure> {
    let settings = &ctx.settings;
    let b = bus::Bus::open(settings.redis_url(), settings.cache_prefix(), bus::DEFAULT_MAXLEN)
        .await
        .map_err(|e| {
            Failure::error(e.to_string())
                .with_hint("point REDIS_URL (or --redis-url) at the deployment's Redis, and CACHE_PREFIX at its prefix")
        })?;
    let key = b.key.clone();
    let url = b.url.clone();
    let (tx, mut rx) = tokio::sync::mpsc::channel(1024);
    tokio::spawn(bus::follow(b, args.since_id.clone(), tx));
    let deadline = tokio::time::sleep(args.timeout.unwrap_or(std::time::Duration::MAX / 4));
    tokio::pin!(deadline);
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    let mut out = std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout());
    let mut shown: u64 = 0;
    let mut gaps: u64 = 0;
    loop {
        let notice = tokio::select! {
            n = rx.recv() => n,
            _ = &mut deadline, if args.timeout.is_some() => {
                flush(&mut out)?;
                let waited = human(args.timeout.unwrap_or_default());
                return match args.count {
                    Some(n) => Err(Failure::error(format!("timed out after {waited}: {shown} of {n} entries arrived"))
                        .with_hint("raise --timeout, or check with `polycache doctor` that the nodes are on the bus")),
                    None => Ok(exit::OK),
                };
            }
            _ = &mut ctrl_c => {
                flush(&mut out)?;
                return Ok(exit::OK);
            }
        };
        let Some(notice) = notice else {
            flush(&mut out)?;
            return Err(Failure::error("the bus reader stopped"));
        };
        match notice {
            bus::Notice::Connected { after, reconnect } => {
                flush(&mut out)?;
                let what = if reconnect { "reconnected to" } else { "following" };
                let from = if after == "$" {
                    "new entries".to_string()
                } else {
                    format!("entries after {}", clean(&after))
                };
                eprintln!("{}", view.style.dim(&format!("{what} the bus {key} on {url}: {from}")));
            }
            bus::Notice::Disconnected { reason, retry_in } => {
                flush(&mut out)?;
                eprintln!(
                    "{} {reason}; reconnecting in {}",
                    view.style.yellow("warning:"),
                    human(retry_in)
                );
            }
            bus::Notice::Gap { after, oldest } => {
                gaps += 1;
                let line = if view.json {
                    json!({"event": "stream-reset", "gap": true, "lastEventId": after, "oldest": oldest, "gaps": gaps})
                        .to_string()
                } else {
                    view.style.yellow(&format!(
                        "gap: the stream no longer holds what followed #{}; reading from #{}",
                        clean(&after),
                        oldest.as_deref().map(clean).unwrap_or_else(|| "the next entry".into())
                    ))
                };
                if let Err(e) = writeln!(out, "{line}") {
                    return closed_stdout(e);
                }
            }
            bus::Notice::Entry(e) => {
                if !view.keeps(&e) {
                    continue;
                }
                let line = if view.json { view.json_line(&e) } else { view.line(&e) };
                if let Err(e) = writeln!(out, "{line}") {
                    return closed_stdout(e);
                }
                shown += 1;
                if args.count.is_some_and(|n| shown >= n) {
                    flush(&mut out)?;
                    return Ok(exit::OK);
                }
                if rx.is_empty() {
                    flush(&mut out)?;
                }
            }
        }
    }
}

fn flush(out: &mut impl Write) -> Result<(), Failure> {
    match out.flush() {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::error(format!("cannot write to stdout: {e}"))),
    }
}

/// `polycache tail | head -3` closes the pipe: that is the reader being done, not an error.
fn closed_stdout(e: std::io::Error) -> Result<u8, Failure> {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        Ok(exit::OK)
    } else {
        Err(Failure::error(format!("cannot write to stdout: {e}")))
    }
}

fn now() -> String {
    chrono::Local::now().format("%H:%M:%S%.3f").to_string()
}

impl View {
    /// The canonical type of an event's data, when the graph knows it.
    /// The canonical type of an event's data and its cascade, when the graph knows the
    /// type; computed once per type name (a stream repeats a handful of types).
    fn known(&self, ev: &StreamEvent) -> Option<Rc<Known>> {
        let kind = &ev.update.as_ref()?.kind;
        if let Some(k) = self.known.borrow().get(kind) {
            return k.clone();
        }
        let k = self.graph.resolve(kind).ok().map(|r| {
            Rc::new(Known {
                cascade: self.graph.cascade(&r.canonical),
                canonical: r.canonical,
            })
        });
        self.known.borrow_mut().insert(kind.clone(), k.clone());
        k
    }

    fn canonical(&self, ev: &StreamEvent) -> Option<String> {
        self.known(ev).map(|k| k.canonical.clone())
    }

    pub fn keeps(&self, ev: &StreamEvent) -> bool {
        self.wanted.is_empty() || self.canonical(ev).is_some_and(|c| self.wanted.contains(&c))
    }

    fn cascade(&self, ev: &StreamEvent) -> Option<Vec<String>> {
        self.known(ev).map(|k| k.cascade.clone())
    }

    fn target_prefix(&self, target: &Target) -> String {
        if self.target_width > 0 {
            let name = format!("{:<w$}", target.name, w = self.target_width);
            format!("{} ", self.style.blue(&name))
        } else {
            String::new()
        }
    }

    /// One human line: time, target, event, stream id, type, entity id, action, cascade.
    pub fn line(&self, ev: &StreamEvent) -> String {
        let s = &self.style;
        let time = ev.received.with_timezone(&chrono::Local).format("%H:%M:%S%.3f");
        let name = if ev.event == "app-update" {
            s.cyan(&ev.event)
        } else {
            s.magenta(&ev.event)
        };
        let mut line = format!("{} {}{name}", s.dim(&time.to_string()), self.target_prefix(&ev.target));
        if let Some(id) = &ev.id {
            line.push_str(&s.dim(&format!(" #{id}")));
        }
        match &ev.update {
            Some(u) => {
                line.push(' ');
                line.push_str(&s.bold(&u.kind));
                if !u.id.is_null() {
                    line.push_str(&format!(" id={}", plain(&u.id)));
                }
                if let Some(a) = &u.action {
                    line.push(' ');
                    line.push_str(a);
                }
                match self.cascade(ev) {
                    Some(c) => line.push_str(&s.dim(&format!(" -> clears {}", c.join(", ")))),
                    None => line.push_str(&s.yellow(" (type not in the graph)")),
                }
            }
            None => {
                line.push(' ');
                line.push_str(&ev.data.replace('\n', "\\n"));
            }
        }
        line
    }

    /// One NDJSON object: receive time and target first, then the event. Event ids are
    /// strings, as the server sent them (they are opaque: PROTOCOL section 4).
    pub fn json_line(&self, ev: &StreamEvent) -> String {
        let data = serde_json::from_str::<Value>(&ev.data).unwrap_or_else(|_| Value::from(ev.data.as_str()));
        let obj = match &ev.update {
            Some(u) => json!({
                "received": ev.received.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                "target": ev.target.name,
                "base": ev.target.base,
                "event": ev.event,
                "eventId": ev.id,
                "type": u.kind,
                "canonicalType": self.canonical(ev),
                "id": u.id,
                "action": u.action,
                "cascade": self.cascade(ev),
                "data": data,
            }),
            None => json!({
                "received": ev.received.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                "target": ev.target.name,
                "base": ev.target.base,
                "event": ev.event,
                "eventId": ev.id,
                "data": data,
            }),
        };
        obj.to_string()
    }

    /// A `stream-reset` as one human line: which events are lost and where replay resumes.
    pub fn gap_line(&self, ev: &StreamEvent) -> String {
        let s = &self.style;
        let time = ev.received.with_timezone(&chrono::Local).format("%H:%M:%S%.3f");
        let g = Reset::of(ev);
        let sent = g.last_event_id.as_deref().map(clean).unwrap_or_else(|| "?".into());
        let resumes = match g.oldest.as_deref() {
            Some(o) => format!("replaying from #{}", clean(o)),
            None => "it holds none".to_string(),
        };
        format!(
            "{} {}{} {}",
            s.dim(&time.to_string()),
            self.target_prefix(&ev.target),
            s.yellow(&ev.event),
            s.yellow(&format!(
                "gap: events after #{sent} are no longer held by the server ({}); {resumes}",
                g.reason.as_deref().map(clean).unwrap_or_else(|| "gap".into())
            ))
        )
    }

    /// A `stream-reset` as one NDJSON object, with the running count of gaps.
    pub fn json_line_gap(&self, ev: &StreamEvent, gaps: u64) -> String {
        let data = serde_json::from_str::<Value>(&ev.data).unwrap_or_else(|_| Value::from(ev.data.as_str()));
        let g = Reset::of(ev);
        json!({
            "received": ev.received.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            "target": ev.target.name,
            "base": ev.target.base,
            "event": ev.event,
            "eventId": ev.id,
            "gap": true,
            "reason": g.reason,
            "lastEventId": g.last_event_id,
            "oldest": g.oldest,
            "gaps": gaps,
            "data": data,
        })
        .to_string()
    }
}

/// The data of a `stream-reset` (PROTOCOL section 4); every field optional, ids as strings.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct Reset {
    reason: Option<String>,
    #[serde(default, deserialize_with = "id_string")]
    last_event_id: Option<String>,
    #[serde(default, deserialize_with = "id_string")]
    oldest: Option<String>,
}

impl Reset {
    fn of(ev: &StreamEvent) -> Reset {
        serde_json::from_str(&ev.data).unwrap_or_default()
    }
}

/// An id given as a string or a number, read as a string.
fn id_string<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match <Option<Value> as serde::Deserialize>::deserialize(d)? {
        Some(Value::String(s)) => Some(s),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    })
}

/// Control characters of a server-sent string, escaped for the terminal.
fn clean(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

fn plural(n: u64, word: &str) -> String {
    if n == 1 { word.to_string() } else { format!("{word}s") }
}

/// A JSON value without quotes around strings.
fn plain(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::stream::AppUpdate;

    fn event(name: &str, data: &str) -> StreamEvent {
        StreamEvent {
            target: Arc::new(Target::mirror("http://127.0.0.1:4001")),
            event: name.to_string(),
            id: Some("9".to_string()),
            data: data.to_string(),
            update: serde_json::from_str::<AppUpdate>(data).ok(),
            received: chrono::Utc::now(),
            received_at: std::time::Instant::now(),
        }
    }

    fn view(target_width: usize, wanted: &[&str]) -> View {
        View {
            graph: Graph::built_in(),
            wanted: wanted.iter().map(|s| s.to_string()).collect(),
            target_width,
            json: false,
            verbose: false,
            style: Style::plain(),
            known: RefCell::default(),
        }
    }

    #[test]
    fn unknown_event_names_are_shown_with_their_data() {
        let v = view(0, &[]);
        let ev = event("deploy-finished", "release 12\nok");
        assert!(v.keeps(&ev));
        assert!(
            v.line(&ev).ends_with("deploy-finished #9 release 12\\nok"),
            "{}",
            v.line(&ev)
        );
        let j: serde_json::Value = serde_json::from_str(&v.json_line(&ev)).unwrap();
        assert_eq!(j["event"], "deploy-finished");
        assert_eq!(j["data"], "release 12\nok");
    }

    #[test]
    fn types_outside_the_graph_are_flagged_and_several_targets_named() {
        let v = view(16, &[]);
        let line = v.line(&event("app-update", r#"{"type":"widgets","id":3,"action":"delete"}"#));
        assert!(
            line.contains("127.0.0.1:4001   app-update #9 widgets id=3 delete (type not in the graph)"),
            "{line}"
        );
    }

    #[test]
    fn the_type_filter_drops_other_types_and_untyped_events() {
        let v = view(0, &["posts"]);
        assert!(v.keeps(&event("app-update", r#"{"type":"post","id":null,"action":"update"}"#)));
        assert!(!v.keeps(&event("app-update", r#"{"type":"pages","id":null,"action":"update"}"#)));
        assert!(!v.keeps(&event("deploy-finished", "x")));
    }
}
