//! The SSE stream and the bus for people and for scripts: how `tail` (and `demo`) show an
//! event, a gap and a bus entry, as a line of text or one NDJSON object.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use serde_json::{Value, json};

use crate::bus;
use crate::check::browser::{BrowserHalf, Browsers};
use crate::client::Target;
use crate::client::stream::StreamEvent;
use crate::graph::Graph;
use crate::output::Line;
use crate::protocol::{APP_UPDATE, STREAM_RESET, StreamReset};
use crate::style::Style;

/// How events are filtered and shown.
pub struct View {
    pub graph: Graph,
    /// Canonical types to keep; empty keeps everything.
    pub wanted: Vec<String>,
    /// Width of the target column; 0 when following one target (no column).
    pub target_width: usize,
    pub verbose: bool,
    pub style: Style,
    /// The platform's StreamInvalidator, when found: what browsers reset on each event.
    pub browsers: Option<Browsers>,
    /// Type name as streamed -> canonical type and cascade (None: not in the graph).
    pub known: RefCell<HashMap<String, Option<Rc<KnownType>>>>,
}

/// What the graph (and the invalidator) say about one streamed type name.
#[derive(Debug)]
pub struct KnownType {
    pub canonical: String,
    pub cascade: Vec<String>,
    /// What browsers do on an event of that name.
    pub browser: Option<BrowserHalf>,
}

/// An event as `tail` shows it.
pub struct ShownEvent<'a>(pub &'a View, pub &'a StreamEvent);

impl Line for ShownEvent<'_> {
    fn ndjson(&self) -> String {
        self.0.json_line(self.1)
    }
    fn human(&self, _: Style) -> String {
        self.0.line(self.1)
    }
}

/// A `stream-reset` as `tail` shows it, with the running count of gaps.
pub struct ShownGap<'a>(pub &'a View, pub &'a StreamEvent, pub u64);

impl Line for ShownGap<'_> {
    fn ndjson(&self) -> String {
        self.0.json_line_gap(self.1, self.2)
    }
    fn human(&self, _: Style) -> String {
        self.0.gap_line(self.1)
    }
}

/// A bus entry as `tail --bus` shows it.
pub struct BusShown<'a>(pub &'a BusView, pub &'a bus::Entry);

impl Line for BusShown<'_> {
    fn ndjson(&self) -> String {
        self.0.json_line(self.1)
    }
    fn human(&self, style: Style) -> String {
        self.0.line(self.1, style)
    }
}

/// The bus no longer holds what followed `after`: reading resumes at `oldest`.
pub struct BusGap {
    pub after: String,
    pub oldest: Option<String>,
    pub gaps: u64,
}

impl Line for BusGap {
    fn ndjson(&self) -> String {
        json!({"event": STREAM_RESET, "gap": true, "lastEventId": self.after, "oldest": self.oldest, "gaps": self.gaps})
            .to_string()
    }
    fn human(&self, style: Style) -> String {
        style.yellow(&format!(
            "gap: the stream no longer holds what followed #{}; reading from #{}",
            clean(&self.after),
            self.oldest
                .as_deref()
                .map(clean)
                .unwrap_or_else(|| "the next entry".into())
        ))
    }
}

/// `tail --bus`: how entries are filtered and shown.
pub struct BusView {
    pub graph: Graph,
    pub wanted: Vec<String>,
}

impl BusView {
    pub fn keeps(&self, e: &bus::Entry) -> bool {
        self.wanted.is_empty()
            || self
                .graph
                .resolve(&e.type_name)
                .is_ok_and(|r| self.wanted.contains(&r.canonical))
    }

    /// Time, node, entry id, type, entity id, action, and the cascade the node cleared.
    pub fn line(&self, e: &bus::Entry, s: Style) -> String {
        let s = &s;
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

    pub fn json_line(&self, e: &bus::Entry) -> String {
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

impl View {
    /// The canonical type of an event's data, when the graph knows it.
    /// The canonical type of an event's data and its cascade, when the graph knows the
    /// type; computed once per type name (a stream repeats a handful of types).
    fn known(&self, ev: &StreamEvent) -> Option<Rc<KnownType>> {
        let kind = &ev.update.as_ref()?.kind;
        if let Some(k) = self.known.borrow().get(kind) {
            return k.clone();
        }
        let k = self.graph.resolve(kind).ok().map(|r| {
            Rc::new(KnownType {
                cascade: self.graph.cascade(&r.canonical),
                browser: self
                    .browsers
                    .as_ref()
                    .map(|b| b.half_received(&self.graph, &r.canonical, kind)),
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

    fn target_prefix_width(&self) -> usize {
        if self.target_width > 0 {
            self.target_width + 1
        } else {
            0
        }
    }

    pub fn target_prefix(&self, target: &Target) -> String {
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
        let name = if ev.event == APP_UPDATE {
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
                if self.verbose
                    && let Some(b) = self.known(ev).and_then(|k| k.browser.clone())
                {
                    // Under the event, aligned with its name: what browsers do with it.
                    let indent = " ".repeat(13 + self.target_prefix_width());
                    line.push('\n');
                    line.push_str(&indent);
                    line.push_str(&super::graph::browser_line(&b, &u.kind, s));
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
        let mut obj = obj;
        if let (Some(b), Some(map)) = (self.known(ev).and_then(|k| k.browser.clone()), obj.as_object_mut()) {
            map.insert("browsers".into(), json!(b));
        }
        obj.to_string()
    }

    /// A `stream-reset` as one human line: which events are lost and where replay resumes.
    pub fn gap_line(&self, ev: &StreamEvent) -> String {
        let s = &self.style;
        let time = ev.received.with_timezone(&chrono::Local).format("%H:%M:%S%.3f");
        let g = StreamReset::parse(&ev.data);
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
        let g = StreamReset::parse(&ev.data);
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

/// Control characters of a server-sent string, escaped for the terminal.
pub fn clean(s: &str) -> String {
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
    use std::sync::Arc;

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
            verbose: false,
            style: Style::plain(),
            browsers: None,
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
