//! `polycache redis stats|keys|get|del|watch`: glue between the flags, the Redis store
//! (`crate::store`) and the output.

use std::collections::BTreeMap;
use std::io::{BufRead, IsTerminal, Write};

use futures::StreamExt;
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use serde_json::{Value as Json, json};

use super::Context;
use crate::cli::{RedisArgs, RedisCommand, RedisDelArgs, RedisGetArgs, RedisKeysArgs, RedisWatchArgs};
use crate::error::{Failure, exit};
use crate::graph::Graph;
use crate::render::{self, Style};
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
        return Err(Failure::usage(format!(
            "refusing to delete the keys of `{}` without confirmation: there is no terminal to ask on",
            d.r#type
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
async fn scan_all(ctx: &Context, store: &Store, pattern: &str) -> Result<Vec<ScannedKey>, Failure> {
    let what = format!("scanning {pattern}");
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
        let name = if g.type_name == "total" {
            st.bold("total")
        } else if g.keys == 0 {
            st.dim(&g.type_name)
        } else {
            st.cyan(&g.type_name)
        };
        t.add_row(vec![
            name,
            g.keys.to_string(),
            fmt_bytes(g.memory),
            g.largest_key.clone().unwrap_or_else(|| "-".into()),
            g.largest_bytes.map(fmt_bytes).unwrap_or_else(|| "-".into()),
            opt_ttl(g.ttl.min_ms),
            opt_ttl(g.ttl.median_ms),
            opt_ttl(g.ttl.max_ms),
            g.no_ttl.to_string(),
        ]);
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
    let pattern = match (&a.pattern, &group) {
        (Some(p), _) if p.starts_with(prefix) => p.clone(),
        (Some(p), _) => format!("{}{p}", glob_escape(prefix)),
        (None, Some(g)) if g != OTHER => format!("{}{}:*", glob_escape(prefix), glob_escape(g)),
        _ => store.prefix_pattern(),
    };
    let mut found = scan_all(ctx, store, &pattern).await?;
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
        out.push_str(&format!("no keys match {} on {}\n", report.pattern, report.url));
    } else {
        let mut t = render::table(st, &["key", "type", "ttl", "memory", "encoding"]);
        for k in &report.keys {
            t.add_row(vec![
                k.name(),
                k.kind.clone().unwrap_or_else(|| "-".into()),
                ttl_cell(k),
                k.memory.map(fmt_bytes).unwrap_or_else(|| "-".into()),
                k.encoding.clone().unwrap_or_else(|| "-".into()),
            ]);
        }
        out.push_str(&t.to_string());
        out.push('\n');
        if report.shown < report.total {
            out.push_str(&st.dim(&format!(
                "showing the first {} of {} keys matching {} (--limit 0 for all)\n",
                report.shown, report.total, report.pattern
            )));
        } else {
            out.push_str(&st.dim(&format!(
                "{} matching {}\n",
                keys_n(report.total as u64),
                report.pattern
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

async fn get(ctx: &Context, store: &Store, a: &RedisGetArgs) -> Result<u8, Failure> {
    let mut key = a.key.clone();
    let prefix = store.prefix();
    if !key.starts_with(prefix) && !store.exists(key.as_bytes()).await? {
        let with = format!("{prefix}{key}");
        if store.exists(with.as_bytes()).await? {
            key = with;
        }
    }
    let fetched = store.fetch(key.as_bytes(), a.max_bytes).await?;
    let kind = fetched.info.kind.clone().unwrap_or_default();
    let Some(value) = &fetched.value else {
        let exact = if fetched.size >= 1024 {
            format!(" ({} bytes)", fetched.size)
        } else {
            String::new()
        };
        return Err(Failure::error(format!(
            "`{key}` is a {kind} of {}{exact}, over --max-bytes {}; not read",
            fmt_bytes(fetched.size),
            fmt_bytes(a.max_bytes)
        ))
        .with_hint(format!(
            "raise the guard (--max-bytes {}), or read a part with redis-cli (GETRANGE, LRANGE, HSCAN, SSCAN, ZRANGE)",
            fetched.size
        )));
    };
    if ctx.global.json {
        crate::print(&render::json(&get_json(&key, &fetched, value)))?;
        return Ok(exit::OK);
    }
    let st = ctx.style;
    let enc = fetched.info.encoding.clone().unwrap_or_else(|| "-".into());
    eprintln!(
        "{}  {kind} ({enc})  {}  value {}",
        st.bold(&key),
        match fetched.info.ttl_ms {
            Some(_) => format!("ttl {}", ttl_cell(&fetched.info)),
            None => ttl_cell(&fetched.info),
        },
        fmt_bytes(fetched.size)
    );
    crate::print(&value_text(value, st))?;
    Ok(exit::OK)
}

/// A string value as JSON when it is JSON, else as a string (binary bytes escaped).
fn json_or_text(b: &[u8]) -> Json {
    serde_json::from_slice(b).unwrap_or_else(|_| Json::String(show_bytes(b)))
}

fn show_bytes(b: &[u8]) -> String {
    match std::str::from_utf8(b) {
        Ok(s) => s.to_string(),
        Err(_) => b.escape_ascii().to_string(),
    }
}

fn get_json(key: &str, f: &Fetched, value: &KeyValue) -> Json {
    let v = match value {
        KeyValue::String(b) => json_or_text(b),
        KeyValue::Hash(pairs) => Json::Object(pairs.iter().map(|(k, v)| (show_bytes(k), json_or_text(v))).collect()),
        KeyValue::List(items) | KeyValue::Set(items) => Json::Array(items.iter().map(|i| json_or_text(i)).collect()),
        KeyValue::Zset(items) => Json::Array(
            items
                .iter()
                .map(|(m, s)| json!({"member": json_or_text(m), "score": s}))
                .collect(),
        ),
        KeyValue::Other(t) => Json::String(format!("({t}: not shown)")),
    };
    json!({
        "key": key,
        "redis_type": f.info.kind,
        "ttl_ms": f.info.ttl_ms,
        "persistent": f.info.persistent,
        "encoding": f.info.encoding,
        "size": f.size,
        "value": v,
    })
}

fn value_text(value: &KeyValue, st: Style) -> String {
    let pretty = |b: &[u8]| match serde_json::from_slice::<Json>(b) {
        Ok(j @ (Json::Object(_) | Json::Array(_))) => serde_json::to_string_pretty(&j).unwrap_or_default(),
        _ => show_bytes(b),
    };
    let mut out = match value {
        KeyValue::String(b) => pretty(b),
        KeyValue::Hash(pairs) => {
            let mut t = render::table(st, &["field", "value"]);
            for (k, v) in pairs {
                t.add_row(vec![show_bytes(k), pretty(v)]);
            }
            t.to_string()
        }
        KeyValue::List(items) => {
            let mut t = render::table(st, &["index", "item"]);
            for (i, v) in items.iter().enumerate() {
                t.add_row(vec![i.to_string(), pretty(v)]);
            }
            t.to_string()
        }
        KeyValue::Set(items) => {
            let mut t = render::table(st, &["member"]);
            for v in items {
                t.add_row(vec![pretty(v)]);
            }
            t.to_string()
        }
        KeyValue::Zset(items) => {
            let mut t = render::table(st, &["score", "member"]);
            for (m, s) in items {
                t.add_row(vec![s.to_string(), pretty(m)]);
            }
            t.to_string()
        }
        KeyValue::Other(t) => format!("(a {t}: polycache shows strings, hashes, lists, sets and sorted sets)"),
    };
    out.push('\n');
    out
}

#[derive(Serialize)]
struct DelReport<'a> {
    url: &'a str,
    dry_run: bool,
    types: Vec<String>,
    keys: BTreeMap<String, Vec<String>>,
    removed: BTreeMap<String, u64>,
    total: u64,
}

async fn del(ctx: &Context, graph: &Graph, store: &Store, a: &RedisDelArgs) -> Result<u8, Failure> {
    let t = graph.resolve(&a.r#type)?.canonical;
    let types = if a.cascade { graph.cascade(&t) } else { vec![t] };
    let prefix = store.prefix().as_bytes();
    let mut found = scan_all(ctx, store, &store.prefix_pattern()).await?;
    found.retain(|k| types.contains(&group_name(&k.key, prefix)));
    let mut keys: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for k in &found {
        keys.entry(group_name(&k.key, prefix))
            .or_default()
            .push(String::from_utf8_lossy(&k.key).into_owned());
    }
    let mut report = DelReport {
        url: store.url(),
        dry_run: a.dry_run,
        types: types.clone(),
        keys,
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
                types.join(", "),
                report.url
            );
            for t in &types {
                let ks = report.keys.get(t).map(Vec::as_slice).unwrap_or(&[]);
                out.push_str(&format!("{} ({})\n", st.cyan(t), ks.len()));
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
            types.join(", "),
            report.url
        );
        let mut tab = render::table(st, &["type", "removed"]);
        for t in &types {
            tab.add_row(vec![
                st.cyan(t),
                report.removed.get(t).copied().unwrap_or(0).to_string(),
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
        .map(|t| format!("{t} {}", report.keys.get(t).map_or(0, Vec::len)))
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
    if let Some(off) = checks.iter().find(|c| c.current.is_some() && !c.sufficient) {
        if !a.enable_notifications {
            return Err(crate::store::StoreError::NotificationsOff {
                url: store.url().to_string(),
                current: off.current.clone().unwrap_or_default(),
            }
            .into());
        }
        for (node, before, after) in store.enable_notifications().await? {
            eprintln!(
                "{} notify-keyspace-events on {node}: `{before}` -> `{after}`",
                st.yellow("changed:")
            );
        }
    }
    for c in checks.iter().filter(|c| c.current.is_none()) {
        eprintln!(
            "{} cannot read notify-keyspace-events on {} (CONFIG not allowed); events show only if notifications are on",
            st.yellow("warning:"),
            c.node
        );
    }
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
            let event = format!("{:<8}", ev.event);
            let event = match ev.event.as_str() {
                "set" | "hset" | "lpush" | "rpush" | "sadd" | "zadd" => st.green(&event),
                "del" | "unlink" => st.red(&event),
                "expired" | "evicted" => st.yellow(&event),
                "expire" => st.blue(&event),
                _ => event,
            };
            format!("{}  {event}  {:<12}  {}\n", st.dim(&ev.time), ev.type_name, ev.key)
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

/// `312 B`, `4.1 KiB`, `12.0 MiB`.
pub fn fmt_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < UNITS.len() {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

/// `850ms`, `42s`, `59m 12s`, `3h 5m`, `2d 4h`.
pub fn fmt_ttl(ms: i64) -> String {
    if ms < 1000 {
        return format!("{ms}ms");
    }
    let s = ms / 1000;
    let (d, h, m, s) = (s / 86_400, s % 86_400 / 3600, s % 3600 / 60, s % 60);
    match (d, h, m) {
        (0, 0, 0) => format!("{s}s"),
        (0, 0, _) => format!("{m}m {s}s"),
        (0, _, _) => format!("{h}h {m}m"),
        _ => format!("{d}d {h}h"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_ttls_read_well() {
        assert_eq!(fmt_bytes(312), "312 B");
        assert_eq!(fmt_bytes(4200), "4.1 KiB");
        assert_eq!(fmt_bytes(1 << 20), "1.0 MiB");
        assert_eq!(fmt_ttl(850), "850ms");
        assert_eq!(fmt_ttl(42_000), "42s");
        assert_eq!(fmt_ttl(3_552_000), "59m 12s");
        assert_eq!(fmt_ttl(11_100_000), "3h 5m");
        assert_eq!(fmt_ttl(187_200_000), "2d 4h");
    }
}
