//! `polycache redis` for people and scripts: stats, keys, values, deletions and keyspace
//! events.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Value as Json, json};

use super::{fmt_bytes, fmt_ttl};
use crate::escape;
use crate::output::{Line, Render};
use crate::store::{Fetched, KeyInfo, KeyValue, StatsReport};
use crate::style::Style;

fn where_line(st: Style, url: &str, prefix: &str, nodes: &[String], cluster: bool) -> String {
    let nodes = if cluster {
        let nodes: Vec<_> = nodes.iter().map(|n| escape::text(n)).collect();
        format!(" (cluster, {} masters: {})", nodes.len(), nodes.join(", "))
    } else {
        String::new()
    };
    format!("{} {url}{nodes}  {} {prefix}\n", st.bold("redis:"), st.bold("prefix:"))
}

impl Render for StatsReport {
    fn human(&self, st: Style) -> String {
        stats_text(self, st)
    }
}

fn stats_text(r: &StatsReport, st: Style) -> String {
    let mut out = where_line(st, &r.url, &r.prefix, &r.nodes, r.cluster);
    let mut t = super::table(
        st,
        &[
            "type",
            "keys",
            "memory",
            "largest key",
            "largest",
            "ttl min",
            "ttl median",
            "ttl max",
            "no ttl",
        ],
    );
    let opt_ttl = |v: Option<i64>| v.map(fmt_ttl).unwrap_or_else(|| "-".into());
    for g in &r.types {
        let type_name = escape::text(&g.type_name);
        let name = if g.keys == 0 {
            super::dim_cell(st, &type_name)
        } else {
            super::styled(st, &type_name, Some(comfy_table::Color::Cyan))
        };
        let mut row = vec![name];
        row.extend(
            [
                g.keys.to_string(),
                fmt_bytes(g.memory),
                g.largest_key_shown.clone().unwrap_or_else(|| "-".into()),
                g.largest_bytes.map(fmt_bytes).unwrap_or_else(|| "-".into()),
                opt_ttl(g.ttl.min_ms),
                opt_ttl(g.ttl.median_ms),
                opt_ttl(g.ttl.max_ms),
                g.no_ttl.to_string(),
            ]
            .map(comfy_table::Cell::new),
        );
        t.add_row(row);
    }
    out.push_str(&super::show(t));
    out.push('\n');
    // The total under the table, not a row that would read as one more type.
    let g = &r.total;
    let largest = match (&g.largest_key_shown, g.largest_bytes) {
        (Some(k), Some(b)) => format!("; the largest {k} ({})", fmt_bytes(b)),
        _ => String::new(),
    };
    out.push_str(&format!(
        "{} {} in {}{largest}; {} without a ttl\n",
        st.bold("total:"),
        keys_n(g.keys),
        fmt_bytes(g.memory),
        g.no_ttl
    ));
    if !r.bus.is_empty() {
        let keys: Vec<String> = r
            .bus
            .iter()
            .map(|k| {
                let entries = k.entries.map(|n| format!(", {n} entries")).unwrap_or_default();
                format!("{} ({}{entries})", k.key, fmt_bytes(k.memory))
            })
            .collect();
        out.push_str(&format!(
            "{} {} (the invalidation bus, not cache entries: counted in no type nor the total)\n",
            st.bold("bus:"),
            keys.join(", ")
        ));
    }
    out.push_str(&st.dim(&format!("graph: {}\n", r.graph)));
    out
}

/// `redis keys`: the keys matching a pattern, described.
#[derive(Serialize)]
pub struct KeysReport {
    pub url: String,
    pub pattern: String,
    /// `--type`, as given: the summary names it (the pattern alone does not say it).
    #[serde(skip)]
    pub type_filter: Option<String>,
    pub total: usize,
    pub shown: usize,
    pub keys: Vec<KeyInfo>,
}

impl Render for KeysReport {
    fn human(&self, st: Style) -> String {
        let report = self;
        let mut out = String::new();
        let of_type = report
            .type_filter
            .as_deref()
            .map(|t| format!(" of --type {}", escape::text(t)))
            .unwrap_or_default();
        if report.keys.is_empty() {
            out.push_str(&format!(
                "no keys{of_type} match {} on {}\n",
                escape::text(&report.pattern),
                report.url
            ));
            return out;
        }
        let mut t = super::table(st, &["key", "type", "ttl", "memory", "encoding"]);
        for k in &report.keys {
            t.add_row(vec![
                k.name(),
                escape::text(k.kind.as_deref().unwrap_or("-")).into_owned(),
                ttl_cell(k),
                k.memory.map(fmt_bytes).unwrap_or_else(|| "-".into()),
                escape::text(k.encoding.as_deref().unwrap_or("-")).into_owned(),
            ]);
        }
        out.push_str(&super::show(t));
        out.push('\n');
        if report.shown < report.total {
            out.push_str(&st.dim(&format!(
                "showing the first {} of {} keys{of_type} matching {} (--limit 0 for all)\n",
                report.shown,
                report.total,
                escape::text(&report.pattern)
            )));
        } else {
            out.push_str(&st.dim(&format!(
                "{}{of_type} matching {}\n",
                keys_n(report.total as u64),
                escape::text(&report.pattern)
            )));
        }
        out
    }
}

/// `redis get` of a value small enough to hold (its `value` is read): the JSON document, or
/// the value shown.
pub struct GetHead(pub Fetched);

impl Serialize for GetHead {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let value = self.0.value.as_ref().map(json_value).unwrap_or(Json::Null);
        get_json(&self.0, value).serialize(s)
    }
}

impl Render for GetHead {
    fn human(&self, st: Style) -> String {
        match &self.0.value {
            Some(v) => value_text(v, st),
            None => String::new(),
        }
    }
}

fn types_shown(r: &DelReport) -> String {
    r.types.iter().map(|t| escape::text(t)).collect::<Vec<_>>().join(", ")
}

/// The dry run of `redis del`.
impl Render for DelReport {
    fn human(&self, st: Style) -> String {
        let report = self;
        let mut out = format!(
            "dry run: would delete {} of {} from {} (nothing deleted)\n",
            keys_n(report.total),
            types_shown(report),
            report.url
        );
        for t in &report.types {
            let ks = report.shown.get(t).map(Vec::as_slice).unwrap_or(&[]);
            out.push_str(&format!("{} ({})\n", st.cyan(&escape::text(t)), ks.len()));
            for k in ks {
                out.push_str(&format!("  {k}\n"));
            }
        }
        out
    }
}

/// What `redis del` deleted.
pub struct Deleted(pub DelReport);

impl Serialize for Deleted {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl Render for Deleted {
    fn human(&self, st: Style) -> String {
        let report = &self.0;
        let mut out = if report.interrupted {
            st.yellow(&format!(
                "interrupted: deleted {} of the {} found of {} from {}; the others are still there\n",
                keys_n(report.total),
                report.found,
                types_shown(report),
                report.url
            ))
        } else {
            format!(
                "deleted {} of {} from {}\n",
                keys_n(report.total),
                types_shown(report),
                report.url
            )
        };
        let mut tab = super::table(st, &["type", "removed"]);
        for t in &report.types {
            tab.add_row(vec![
                super::styled(st, &escape::text(t), Some(comfy_table::Color::Cyan)),
                comfy_table::Cell::new(report.removed.get(t).copied().unwrap_or(0)),
            ]);
        }
        out.push_str(&super::show(tab));
        out.push('\n');
        out
    }
}

/// A keyspace event of `redis watch`.
pub struct ShownKey<'a>(pub &'a crate::store::KeyEvent);

impl Line for ShownKey<'_> {
    fn ndjson(&self) -> String {
        serde_json::to_string(self.0).unwrap_or_default()
    }
    fn human(&self, st: Style) -> String {
        let ev = self.0;
        let event = format!("{:<8}", escape::text(&ev.event));
        let event = match ev.event.as_str() {
            "set" | "hset" | "lpush" | "rpush" | "sadd" | "zadd" => st.green(&event),
            "del" | "unlink" => st.red(&event),
            "expired" | "evicted" => st.yellow(&event),
            "expire" => st.blue(&event),
            _ => event,
        };
        format!(
            "{}  {event}  {:<12}  {}",
            st.dim(&ev.time),
            escape::text(&ev.type_name),
            escape::key(&ev.key_bytes)
        )
    }
}

/// `redis del`: what was (or, with --dry-run, would be) deleted.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DelReport {
    pub url: String,
    pub dry_run: bool,
    pub types: Vec<String>,
    pub keys: BTreeMap<String, Vec<String>>,
    /// The keys as shown on a terminal ([`escape::key`]).
    #[serde(skip)]
    pub shown: BTreeMap<String, Vec<String>>,
    pub removed: BTreeMap<String, u64>,
    pub total: u64,
    /// Ctrl-C or SIGTERM stopped the deletion: `removed` is what was deleted before it.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub interrupted: bool,
    /// How many keys were found to delete (shown when interrupted).
    #[serde(skip)]
    pub found: u64,
}

pub fn ttl_cell(k: &KeyInfo) -> String {
    match (k.ttl_ms, k.persistent) {
        (Some(ms), _) => fmt_ttl(ms),
        (None, true) => "no ttl".into(),
        (None, false) => "-".into(),
    }
}

/// Whether a value is valid JSON (checked without building it).
fn is_json(b: &[u8]) -> bool {
    let mut de = serde_json::Deserializer::from_slice(b);
    serde::de::IgnoredAny::deserialize(&mut de).is_ok() && de.end().is_ok()
}

/// A string value as JSON when it is JSON, else as a string (bytes that are not UTF-8
/// written as `\xNN`).
fn json_or_text(b: &[u8]) -> Json {
    serde_json::from_slice(b).unwrap_or_else(|_| Json::String(json_text(b)))
}

fn json_text(b: &[u8]) -> String {
    match std::str::from_utf8(b) {
        Ok(s) => s.to_string(),
        Err(_) => {
            let mut out = Vec::with_capacity(b.len() + 8);
            escape::push_bytes_raw(&mut out, b);
            String::from_utf8_lossy(&out).into_owned()
        }
    }
}

fn json_value(value: &KeyValue) -> Json {
    match value {
        KeyValue::String(b) => json_or_text(b),
        KeyValue::Hash(pairs) => Json::Object(pairs.iter().map(|(k, v)| (json_text(k), json_or_text(v))).collect()),
        KeyValue::List(items) | KeyValue::Set(items) => Json::Array(items.iter().map(|i| json_or_text(i)).collect()),
        KeyValue::Zset(items) => Json::Array(
            items
                .iter()
                .map(|(m, s)| json!({"member": json_or_text(m), "score": s}))
                .collect(),
        ),
        KeyValue::Other(t) => Json::String(format!("({t}: not shown)")),
    }
}

pub fn get_json(f: &Fetched, value: Json) -> Json {
    json!({
        "key": escape::key_json(&f.key),
        "redisType": f.info.kind,
        "ttlMs": f.info.ttl_ms,
        "persistent": f.info.persistent,
        "encoding": f.info.encoding,
        "size": f.size,
        "value": value,
    })
}

/// A value for the terminal: JSON objects and arrays indented, anything else as text with
/// its control characters escaped (`one_line`: newlines too, for a table cell).
fn shown_value(b: &[u8], one_line: bool) -> String {
    let mut out = Vec::with_capacity(b.len() + 16);
    let first = b.iter().copied().find(|c| !c.is_ascii_whitespace());
    if matches!(first, Some(b'{' | b'[')) && is_json(b) {
        crate::store::show::JsonPretty::default().push(&mut out, b);
    } else {
        escape::push_bytes(&mut out, b, !one_line);
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn value_text(value: &KeyValue, st: Style) -> String {
    let cell = |b: &[u8]| shown_value(b, true);
    let mut out = match value {
        KeyValue::String(b) => shown_value(b, false),
        KeyValue::Hash(pairs) => {
            let mut t = super::table(st, &["field", "value"]);
            for (k, v) in pairs {
                t.add_row(vec![escape::bytes(k).into_owned(), cell(v)]);
            }
            super::show(t)
        }
        KeyValue::List(items) => {
            let mut t = super::table(st, &["index", "item"]);
            for (i, v) in items.iter().enumerate() {
                t.add_row(vec![i.to_string(), cell(v)]);
            }
            super::show(t)
        }
        KeyValue::Set(items) => {
            let mut t = super::table(st, &["member"]);
            for v in items {
                t.add_row(vec![cell(v)]);
            }
            super::show(t)
        }
        KeyValue::Zset(items) => {
            let mut t = super::table(st, &["score", "member"]);
            for (m, s) in items {
                t.add_row(vec![s.to_string(), cell(m)]);
            }
            super::show(t)
        }
        KeyValue::Other(t) => format!(
            "(a {}: polycache shows strings, hashes, lists, sets and sorted sets)",
            escape::text(t)
        ),
    };
    out.push('\n');
    out
}

/// `1 key`, `7 keys`.
pub fn keys_n(n: u64) -> String {
    if n == 1 { "1 key".into() } else { format!("{n} keys") }
}
