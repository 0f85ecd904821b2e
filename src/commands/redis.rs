//! `polycache redis stats|keys|get|del|watch`: glue between the flags, the Redis store
//! (`crate::store`) and the output.

use std::collections::BTreeMap;
use std::io::{BufRead, IsTerminal, Write};

use futures::StreamExt;
use indicatif::{ProgressBar, ProgressStyle};
use serde::{Deserialize, Serialize};
use serde_json::{Value as Json, json};

use super::Context;
use crate::cli::{RedisArgs, RedisCommand, RedisDelArgs, RedisGetArgs, RedisKeysArgs, RedisWatchArgs};
use crate::error::{Failure, exit};
use crate::escape;
use crate::graph::Graph;
use crate::render::{self, Style, fmt_bytes, fmt_ttl};
use crate::store::{
    Fetched, Fields, KeyInfo, KeyValue, OTHER, ScannedKey, StatsBuilder, StatsReport, Store, glob_escape, group_name,
};

pub fn run(ctx: &Context, args: &RedisArgs) -> Result<u8, Failure> {
    // Refuse before connecting: there is nothing to ask the user on.
    if let RedisCommand::Del(d) = &args.command
        && !d.yes
        && !d.dry_run
        && !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal())
    {
        let what = match &d.r#type {
            Some(t) => format!("the keys of `{t}`"),
            None => format!("{} named key(s)", d.keys.len()),
        };
        return Err(Failure::usage(format!(
            "refusing to delete {what} without confirmation: there is no terminal to ask on"
        ))
        .with_hint("add --yes to delete without asking, or --dry-run to list what would be deleted"));
    }
    let graph = ctx.graph()?;
    // One thread: the Redis server is the bottleneck of a scan (one core of work per
    // page), and a second client thread would only compete with it for the CPU when
    // Redis runs on the same machine; one client thread keeps up with it.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::error(format!("cannot start the async runtime: {e}")))?;
    rt.block_on(async {
        let store = Store::connect(ctx.settings.redis_url(), ctx.settings.cache_prefix()).await?;
        match &args.command {
            RedisCommand::Stats => stats(ctx, &graph, &store).await,
            RedisCommand::Keys(a) => keys(ctx, &graph, &store, a).await,
            RedisCommand::Get(a) => get(ctx, &store, a).await,
            RedisCommand::Del(a) => del(ctx, &graph, &store, a).await,
            RedisCommand::Watch(a) => watch(ctx, &store, a).await,
        }
    })
}

/// A progress bar on stderr while scanning, only on a terminal and never with --json.
/// Its position is the part of the keyspace SCAN has covered (from the cursor).
fn progress(ctx: &Context, what: &str) -> Option<ProgressBar> {
    if ctx.global.json || !std::io::stderr().is_terminal() {
        return None;
    }
    let pb = ProgressBar::new(1000);
    pb.set_style(
        ProgressStyle::with_template("{bar:24} {percent:>3}% {msg} {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    pb.set_message(what.to_string());
    pb.enable_steady_tick(std::time::Duration::from_millis(120));
    Some(pb)
}

fn tick(pb: &Option<ProgressBar>, what: &str, n: usize, part: f64) {
    if let Some(pb) = pb {
        pb.set_position((part * 1000.0) as u64);
        pb.set_message(format!("{what}: {n} keys"));
    }
}

/// Every key matching `pattern`, sorted, with a progress bar.
async fn scan_all(ctx: &Context, store: &Store, pattern: &[u8]) -> Result<Vec<ScannedKey>, Failure> {
    let what = format!("scanning {}", escape::bytes(pattern));
    let pb = progress(ctx, &what);
    let mut keys = Vec::new();
    store
        .scan(pattern, |page, part| {
            keys.extend(page);
            tick(&pb, &what, keys.len(), part);
        })
        .await?;
    if let Some(pb) = pb {
        pb.finish_and_clear();
    }
    // SCAN may return a key twice when the table is resized mid-scan.
    keys.sort();
    keys.dedup();
    Ok(keys)
}

async fn stats(ctx: &Context, graph: &Graph, store: &Store) -> Result<u8, Failure> {
    let pattern = store.prefix_pattern();
    let what = format!("scanning {pattern}");
    let pb = progress(ctx, &what);
    let mut builder = StatsBuilder::new(store.prefix());
    let mut seen = 0;
    let fields = Fields {
        ttl: true,
        memory: true,
        ..Fields::default()
    };
    store
        .scan_described(&pattern, fields, |page, part| {
            seen += page.len();
            builder.add(&page);
            tick(&pb, &what, seen, part);
        })
        .await?;
    if let Some(pb) = pb {
        pb.finish_and_clear();
    }
    let mut bus = builder.take_bus();
    if let Some(stream) = bus.iter_mut().find(|k| k.key == crate::bus::stream_key(store.prefix())) {
        stream.entries = bus_length(ctx, store.prefix()).await;
    }
    let (types, total) = builder.finish(graph.types());
    let report = StatsReport {
        url: store.url().to_string(),
        prefix: store.prefix().to_string(),
        cluster: store.is_cluster(),
        nodes: store.node_addrs(),
        graph: graph.source.to_string(),
        types,
        total,
        bus,
    };
    crate::print(&if ctx.global.json {
        render::json(&report)
    } else {
        stats_text(&report, ctx.style)
    })?;
    Ok(exit::OK)
}

/// The bus stream's length (XLEN through the bus module, which routes on a cluster).
async fn bus_length(ctx: &Context, prefix: &str) -> Option<u64> {
    let b = crate::bus::Bus::open(ctx.settings.redis_url(), prefix, crate::bus::DEFAULT_MAXLEN)
        .await
        .ok()?;
    let mut conn = b.connect_conn(std::time::Duration::from_secs(5)).await.ok()?;
    b.info(&mut conn).await.ok().map(|i| i.length)
}

fn where_line(st: Style, url: &str, prefix: &str, nodes: &[String], cluster: bool) -> String {
    let nodes = if cluster {
        let nodes: Vec<_> = nodes.iter().map(|n| escape::text(n)).collect();
        format!(" (cluster, {} masters: {})", nodes.len(), nodes.join(", "))
    } else {
        String::new()
    };
    format!("{} {url}{nodes}  {} {prefix}\n", st.bold("redis:"), st.bold("prefix:"))
}

fn stats_text(r: &StatsReport, st: Style) -> String {
    let mut out = where_line(st, &r.url, &r.prefix, &r.nodes, r.cluster);
    let mut t = render::table(
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
    for g in r.types.iter().chain(std::iter::once(&r.total)) {
        let type_name = escape::text(&g.type_name);
        let name = if g.type_name == "total" {
            let cell = comfy_table::Cell::new("total");
            if st.color {
                cell.add_attribute(comfy_table::Attribute::Bold)
            } else {
                cell
            }
        } else if g.keys == 0 {
            render::dim_cell(st, &type_name)
        } else {
            render::styled(st, &type_name, Some(comfy_table::Color::Cyan))
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
    out.push_str(&t.to_string());
    out.push('\n');
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

/// `--type T` as a canonical group name: a graph type (aliases resolved) or `(other)`.
fn group_filter(graph: &Graph, t: &str) -> Result<String, Failure> {
    if t.trim() == OTHER || t.trim() == "other" {
        return Ok(OTHER.to_string());
    }
    Ok(graph.resolve(t)?.canonical)
}

#[derive(Serialize)]
struct KeysReport<'a> {
    url: &'a str,
    pattern: String,
    total: usize,
    shown: usize,
    keys: Vec<KeyInfo>,
}

async fn keys(ctx: &Context, graph: &Graph, store: &Store, a: &RedisKeysArgs) -> Result<u8, Failure> {
    let group = a.r#type.as_deref().map(|t| group_filter(graph, t)).transpose()?;
    let prefix = store.prefix();
    // The pattern may name bytes that are not UTF-8 as keys are printed (`\xff`).
    let typed = a.pattern.as_deref().map(escape::parse_pattern);
    let pattern: Vec<u8> = match (&typed, &group) {
        (Some(p), _) if p.starts_with(prefix.as_bytes()) => p.clone(),
        (Some(p), _) => [glob_escape(prefix).as_bytes(), p].concat(),
        (None, Some(g)) if g != OTHER => format!("{}{}:*", glob_escape(prefix), glob_escape(g)).into_bytes(),
        _ => store.prefix_pattern().into_bytes(),
    };
    let mut found = scan_all(ctx, store, &pattern).await?;
    let pattern = escape::bytes(&pattern).into_owned();
    if let Some(g) = &group {
        found.retain(|k| &group_name(&k.key, prefix.as_bytes()) == g);
    }
    let total = found.len();
    if a.limit > 0 {
        found.truncate(a.limit);
    }
    let mut described = store.describe(&found, Fields::ALL).await?;
    described.sort_by(|x, y| x.key.cmp(&y.key));
    let report = KeysReport {
        url: store.url(),
        pattern,
        total,
        shown: described.len(),
        keys: described,
    };
    if ctx.global.json {
        crate::print(&render::json(&report))?;
        return Ok(exit::OK);
    }
    let st = ctx.style;
    let mut out = String::new();
    if report.keys.is_empty() {
        out.push_str(&format!(
            "no keys match {} on {}\n",
            escape::text(&report.pattern),
            report.url
        ));
    } else {
        let mut t = render::table(st, &["key", "type", "ttl", "memory", "encoding"]);
        for k in &report.keys {
            t.add_row(vec![
                k.name(),
                escape::text(k.kind.as_deref().unwrap_or("-")).into_owned(),
                ttl_cell(k),
                k.memory.map(fmt_bytes).unwrap_or_else(|| "-".into()),
                escape::text(k.encoding.as_deref().unwrap_or("-")).into_owned(),
            ]);
        }
        out.push_str(&t.to_string());
        out.push('\n');
        if report.shown < report.total {
            out.push_str(&st.dim(&format!(
                "showing the first {} of {} keys matching {} (--limit 0 for all)\n",
                report.shown,
                report.total,
                escape::text(&report.pattern)
            )));
        } else {
            out.push_str(&st.dim(&format!(
                "{} matching {}\n",
                keys_n(report.total as u64),
                escape::text(&report.pattern)
            )));
        }
    }
    crate::print(&out)?;
    Ok(exit::OK)
}

fn ttl_cell(k: &KeyInfo) -> String {
    match (k.ttl_ms, k.persistent) {
        (Some(ms), _) => fmt_ttl(ms),
        (None, true) => "no ttl".into(),
        (None, false) => "-".into(),
    }
}

/// The key `get` names: the escaped form of the argument ([`escape::parse_key`]) or the
/// argument as typed, each as it is or with CACHE_PREFIX, whichever exists first.
async fn resolve_key(store: &Store, arg: &str) -> Result<Vec<u8>, Failure> {
    let prefix = store.prefix().as_bytes();
    let parsed = escape::parse_key(arg);
    let mut forms = vec![parsed.clone()];
    if arg.as_bytes() != parsed.as_slice() {
        forms.push(arg.as_bytes().to_vec());
    }
    for form in &forms {
        if store.exists(form).await? {
            return Ok(form.clone());
        }
        if !form.starts_with(prefix) {
            let with = [prefix, form].concat();
            if store.exists(&with).await? {
                return Ok(with);
            }
        }
    }
    Ok(parsed)
}

async fn get(ctx: &Context, store: &Store, a: &RedisGetArgs) -> Result<u8, Failure> {
    let key = resolve_key(store, &a.key).await?;
    let shown = escape::key(&key).into_owned();
    let fetched = store.fetch(&key, a.max_bytes).await?;
    let kind = fetched.info.kind.clone().unwrap_or_default();
    if fetched.value.is_none() && !fetched.streamed {
        let exact = if fetched.size >= 1024 {
            format!(" ({} bytes)", fetched.size)
        } else {
            String::new()
        };
        return Err(Failure::error(format!(
            "`{shown}` is a {} of {}{exact}, over --max-bytes {}; not read",
            escape::text(&kind),
            fmt_bytes(fetched.size),
            fmt_bytes(a.max_bytes)
        ))
        .with_hint(format!(
            "raise the guard (--max-bytes {}), or read a part with redis-cli (GETRANGE, LRANGE, HSCAN, SSCAN, ZRANGE)",
            fetched.size
        )));
    }
    if !ctx.global.json {
        let st = ctx.style;
        let enc = escape::text(fetched.info.encoding.as_deref().unwrap_or("-")).into_owned();
        eprintln!(
            "{}  {} ({enc})  {}  value {}",
            st.bold(&shown),
            escape::text(&kind),
            match fetched.info.ttl_ms {
                Some(_) => format!("ttl {}", ttl_cell(&fetched.info)),
                None => ttl_cell(&fetched.info),
            },
            fmt_bytes(fetched.size)
        );
    }
    match &fetched.value {
        Some(value) if ctx.global.json => crate::print(&render::json(&get_json(&fetched, json_value(value))))?,
        Some(value) => crate::print(&value_text(value, ctx.style))?,
        None => stream_value(ctx, store, &fetched).await?,
    }
    Ok(exit::OK)
}

/// Whether a string value is valid JSON, read in pieces: the pieces go to a parser on a
/// thread of its own, which keeps nothing but its nesting.
async fn string_is_json(store: &Store, f: &Fetched) -> Result<bool, Failure> {
    struct Pieces {
        rx: std::sync::mpsc::Receiver<Vec<u8>>,
        cur: Vec<u8>,
        at: usize,
    }
    impl std::io::Read for Pieces {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            while self.at == self.cur.len() {
                match self.rx.recv() {
                    Ok(next) => (self.cur, self.at) = (next, 0),
                    Err(_) => return Ok(0),
                }
            }
            let n = buf.len().min(self.cur.len() - self.at);
            buf[..n].copy_from_slice(&self.cur[self.at..self.at + n]);
            self.at += n;
            Ok(n)
        }
    }
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<u8>>(2);
    let parser = std::thread::spawn(move || {
        let pieces = std::io::BufReader::new(Pieces {
            rx,
            cur: Vec::new(),
            at: 0,
        });
        let mut de = serde_json::Deserializer::from_reader(pieces);
        serde::de::IgnoredAny::deserialize(&mut de).is_ok() && de.end().is_ok()
    });
    // A parser that has seen enough (an error) drops its end: reading stops.
    let read = store.read_string(&f.key, f.size, |p| tx.send(p.to_vec()).is_ok()).await;
    drop(tx);
    let valid = parser.join().unwrap_or(false);
    read?;
    Ok(valid)
}

/// Shows a string too large to hold, as it is read: pretty JSON or escaped text, or with
/// --json the JSON document with the value written raw (valid JSON) or as a JSON string.
async fn stream_value(ctx: &Context, store: &Store, f: &Fetched) -> Result<(), Failure> {
    let mut head = Vec::new();
    store
        .read_string(&f.key, f.size.min(64), |p| {
            head.extend_from_slice(p);
            true
        })
        .await?;
    let first = head.iter().copied().find(|b| !b.is_ascii_whitespace());
    let candidate = match first {
        Some(b'{' | b'[') => true,
        Some(b'"' | b'-' | b'0'..=b'9' | b't' | b'f' | b'n') => ctx.global.json,
        _ => false,
    };
    let is_json = candidate && string_is_json(store, f).await?;

    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
    let mut failed: Option<std::io::Error> = None;
    let mut buf = Vec::with_capacity(1 << 20);
    let mut write = |buf: &mut Vec<u8>, failed: &mut Option<std::io::Error>| {
        if failed.is_none()
            && let Err(e) = out.write_all(buf)
        {
            *failed = Some(e);
        }
        buf.clear();
        failed.is_none()
    };
    if ctx.global.json {
        // The document `get --json` prints for a small value, its value written last.
        let doc = render::json(&get_json(f, Json::Null));
        let open = doc
            .trim_end()
            .strip_suffix("null\n}")
            .or_else(|| doc.trim_end().strip_suffix("null}"));
        buf.extend_from_slice(open.unwrap_or("{\n  \"value\": ").as_bytes());
        let mut as_string = (!is_json).then(crate::store::show::JsonString::default);
        if as_string.is_some() {
            buf.push(b'"');
        }
        store
            .read_string(&f.key, f.size, |p| {
                match &mut as_string {
                    Some(s) => s.push(&mut buf, p),
                    None => buf.extend_from_slice(p),
                }
                write(&mut buf, &mut failed)
            })
            .await?;
        if let Some(s) = &mut as_string {
            s.finish(&mut buf);
            buf.push(b'"');
        }
        buf.extend_from_slice(b"\n}\n");
    } else if is_json {
        let mut pretty = crate::store::show::JsonPretty::default();
        store
            .read_string(&f.key, f.size, |p| {
                pretty.push(&mut buf, p);
                write(&mut buf, &mut failed)
            })
            .await?;
        buf.push(b'\n');
    } else {
        let mut text = escape::Stream::new(true);
        store
            .read_string(&f.key, f.size, |p| {
                text.push(&mut buf, p);
                write(&mut buf, &mut failed)
            })
            .await?;
        text.finish(&mut buf);
        buf.push(b'\n');
    }
    write(&mut buf, &mut failed);
    if failed.is_none()
        && let Err(e) = out.flush()
    {
        failed = Some(e);
    }
    match failed {
        Some(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(Failure::error(format!("cannot write to stdout: {e}")))
        }
        _ => Ok(()),
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

fn get_json(f: &Fetched, value: Json) -> Json {
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
            let mut t = render::table(st, &["field", "value"]);
            for (k, v) in pairs {
                t.add_row(vec![escape::bytes(k).into_owned(), cell(v)]);
            }
            t.to_string()
        }
        KeyValue::List(items) => {
            let mut t = render::table(st, &["index", "item"]);
            for (i, v) in items.iter().enumerate() {
                t.add_row(vec![i.to_string(), cell(v)]);
            }
            t.to_string()
        }
        KeyValue::Set(items) => {
            let mut t = render::table(st, &["member"]);
            for v in items {
                t.add_row(vec![cell(v)]);
            }
            t.to_string()
        }
        KeyValue::Zset(items) => {
            let mut t = render::table(st, &["score", "member"]);
            for (m, s) in items {
                t.add_row(vec![s.to_string(), cell(m)]);
            }
            t.to_string()
        }
        KeyValue::Other(t) => format!(
            "(a {}: polycache shows strings, hashes, lists, sets and sorted sets)",
            escape::text(t)
        ),
    };
    out.push('\n');
    out
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DelReport<'a> {
    url: &'a str,
    dry_run: bool,
    types: Vec<String>,
    keys: BTreeMap<String, Vec<String>>,
    /// The keys as shown on a terminal ([`escape::key`]).
    #[serde(skip)]
    shown: BTreeMap<String, Vec<String>>,
    removed: BTreeMap<String, u64>,
    total: u64,
}

/// The keys KEY... name (each resolved as `get` does); none is deleted when one is missing.
async fn named_keys(store: &Store, args: &[String]) -> Result<Vec<ScannedKey>, Failure> {
    let mut found = Vec::with_capacity(args.len());
    let mut missing = Vec::new();
    for arg in args {
        let key = resolve_key(store, arg).await?;
        if store.exists(&key).await? {
            found.push(store.locate(&key).await?);
        } else {
            missing.push(escape::key(&key).into_owned());
        }
    }
    if !missing.is_empty() {
        return Err(Failure::error(format!(
            "no such key: {}; nothing deleted",
            missing.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
        ))
        .with_hint("name keys as `polycache redis keys` prints them (`\\xff` for a byte that is not UTF-8)"));
    }
    found.sort();
    found.dedup();
    Ok(found)
}

async fn del(ctx: &Context, graph: &Graph, store: &Store, a: &RedisDelArgs) -> Result<u8, Failure> {
    let prefix = store.prefix().as_bytes();
    let (types, found) = match &a.r#type {
        Some(t) => {
            let t = graph.resolve(t)?.canonical;
            let types = if a.cascade { graph.cascade(&t) } else { vec![t] };
            let mut found = scan_all(ctx, store, store.prefix_pattern().as_bytes()).await?;
            found.retain(|k| types.contains(&group_name(&k.key, prefix)));
            (types, found)
        }
        None => {
            let found = named_keys(store, &a.keys).await?;
            let mut types: Vec<String> = found.iter().map(|k| group_name(&k.key, prefix)).collect();
            types.sort();
            types.dedup();
            (types, found)
        }
    };
    let mut keys: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut shown: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for k in &found {
        let group = group_name(&k.key, prefix);
        keys.entry(group.clone()).or_default().push(escape::key_json(&k.key));
        shown.entry(group).or_default().push(escape::key(&k.key).into_owned());
    }
    let types_shown = types.iter().map(|t| escape::text(t)).collect::<Vec<_>>().join(", ");
    let mut report = DelReport {
        url: store.url(),
        dry_run: a.dry_run,
        types: types.clone(),
        keys,
        shown,
        removed: BTreeMap::new(),
        total: found.len() as u64,
    };
    let st = ctx.style;
    if a.dry_run {
        crate::print(&if ctx.global.json {
            render::json(&report)
        } else {
            let mut out = format!(
                "dry run: would delete {} of {} from {} (nothing deleted)\n",
                keys_n(report.total),
                types_shown,
                report.url
            );
            for t in &types {
                let ks = report.shown.get(t).map(Vec::as_slice).unwrap_or(&[]);
                out.push_str(&format!("{} ({})\n", st.cyan(&escape::text(t)), ks.len()));
                for k in ks {
                    out.push_str(&format!("  {k}\n"));
                }
            }
            out
        })?;
        return Ok(exit::OK);
    }
    if found.is_empty() {
        report.removed = types.iter().map(|t| (t.clone(), 0)).collect();
    } else {
        if !a.yes && !confirm(&report, &types)? {
            eprintln!("nothing deleted");
            return Ok(exit::OK);
        }
        let removed = store.unlink(&found).await?;
        report.removed = types
            .iter()
            .map(|t| (t.clone(), removed.get(t).copied().unwrap_or(0)))
            .collect();
    }
    report.total = report.removed.values().sum();
    crate::print(&if ctx.global.json {
        render::json(&report)
    } else {
        let mut out = format!(
            "deleted {} of {} from {}\n",
            keys_n(report.total),
            types_shown,
            report.url
        );
        let mut tab = render::table(st, &["type", "removed"]);
        for t in &types {
            tab.add_row(vec![
                render::styled(st, &escape::text(t), Some(comfy_table::Color::Cyan)),
                comfy_table::Cell::new(report.removed.get(t).copied().unwrap_or(0)),
            ]);
        }
        out.push_str(&tab.to_string());
        out.push('\n');
        out
    })?;
    Ok(exit::OK)
}

/// Asks y/N on the terminal.
fn confirm(report: &DelReport, types: &[String]) -> Result<bool, Failure> {
    let counts: Vec<String> = types
        .iter()
        .map(|t| format!("{} {}", escape::text(t), report.keys.get(t).map_or(0, Vec::len)))
        .collect();
    eprint!(
        "delete {} ({}) from {}? [y/N] ",
        keys_n(report.total),
        counts.join(", "),
        report.url
    );
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| Failure::error(format!("cannot read the answer: {e}")))?;
    Ok(matches!(line.trim(), "y" | "Y" | "yes" | "YES" | "Yes"))
}

async fn watch(ctx: &Context, store: &Store, a: &RedisWatchArgs) -> Result<u8, Failure> {
    let st = ctx.style;
    let checks = store.check_notifications().await?;
    let mut changed = Vec::new();
    if let Some(off) = checks.iter().find(|c| c.current.is_some() && !c.sufficient) {
        if !a.enable_notifications {
            return Err(crate::store::StoreError::NotificationsOff {
                url: store.url().to_string(),
                current: escape::text(off.current.as_deref().unwrap_or_default()).into_owned(),
            }
            .into());
        }
        changed = store.enable_notifications().await?;
        for (node, before, after) in &changed {
            eprintln!(
                "{} notify-keyspace-events on {}: `{}` -> `{}`",
                st.yellow("changed:"),
                escape::text(node),
                escape::text(before),
                escape::text(after)
            );
        }
    }
    for c in checks.iter().filter(|c| c.current.is_none()) {
        eprintln!(
            "{} cannot read notify-keyspace-events on {} (CONFIG not allowed); events show only if notifications are on",
            st.yellow("warning:"),
            escape::text(&c.node)
        );
    }
    let watched = follow_events(ctx, store, a).await;
    // What --enable-notifications changed is put back, whatever ended the watch.
    if !changed.is_empty() {
        let failed = store.restore_notifications(&changed).await;
        for (node, before, after) in &changed {
            match failed.iter().find(|(n, _)| n == node) {
                None => eprintln!(
                    "{} notify-keyspace-events on {}: `{}` -> `{}`",
                    st.dim("restored:"),
                    escape::text(node),
                    escape::text(after),
                    escape::text(before)
                ),
                Some((_, why)) => eprintln!(
                    "{} cannot restore notify-keyspace-events on {} to `{}`: {}",
                    st.yellow("warning:"),
                    escape::text(node),
                    escape::text(before),
                    escape::text(why)
                ),
            }
        }
    }
    watched
}

/// Prints the keyspace events until --count, --timeout, Ctrl-C or a closed pipe.
async fn follow_events(ctx: &Context, store: &Store, a: &RedisWatchArgs) -> Result<u8, Failure> {
    let st = ctx.style;
    let mut events = store.subscribe().await?;
    eprintln!(
        "watching {} on {} (Ctrl-C to stop)",
        store.keyspace_pattern(),
        store.url()
    );
    let deadline = a.timeout.map(|d| tokio::time::Instant::now() + d);
    let mut seen = 0u64;
    loop {
        if a.count.is_some_and(|c| seen >= c) {
            break;
        }
        let next = async {
            match deadline {
                Some(d) => tokio::time::timeout_at(d, events.next()).await.ok().flatten(),
                None => events.next().await,
            }
        };
        let ev = tokio::select! {
            ev = next => ev,
            _ = tokio::signal::ctrl_c() => None,
        };
        let Some(ev) = ev else { break };
        seen += 1;
        let line = if ctx.global.json {
            format!("{}\n", serde_json::to_string(&ev).unwrap_or_default())
        } else {
            let event = format!("{:<8}", escape::text(&ev.event));
            let event = match ev.event.as_str() {
                "set" | "hset" | "lpush" | "rpush" | "sadd" | "zadd" => st.green(&event),
                "del" | "unlink" => st.red(&event),
                "expired" | "evicted" => st.yellow(&event),
                "expire" => st.blue(&event),
                _ => event,
            };
            format!(
                "{}  {event}  {:<12}  {}\n",
                st.dim(&ev.time),
                escape::text(&ev.type_name),
                escape::key(&ev.key_bytes)
            )
        };
        crate::print(&line)?;
    }
    eprintln!("{seen} events");
    Ok(exit::OK)
}

/// `1 key`, `7 keys`.
fn keys_n(n: u64) -> String {
    if n == 1 { "1 key".into() } else { format!("{n} keys") }
}
