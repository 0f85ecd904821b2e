//! `polycache redis stats|keys|get|del|watch`: glue between the flags, the Redis store
//! (`crate::store`) and the output.

use std::collections::BTreeMap;
use std::io::BufRead;

use futures::StreamExt;
use serde_json::Value as Json;

use super::Context;
use crate::cli::{RedisArgs, RedisCommand, RedisDelArgs, RedisGetArgs, RedisKeysArgs, RedisWatchArgs};
use crate::error::Failure;
use crate::escape;
use crate::follow::{Follow, Stop};
use crate::graph::Graph;
use crate::output::{Outcome, Progress};
use crate::render::fmt_bytes;
use crate::render::redis::{DelReport, Deleted, GetHead, KeysReport, ShownKey, get_json, keys_n, ttl_cell};
use crate::store::{Fetched, Fields, OTHER, ScannedKey, StatsBuilder, StatsReport, Store, glob_escape, group_name};

pub fn run(ctx: &Context, args: &RedisArgs) -> Result<Outcome, Failure> {
    // Refuse before connecting: there is nothing to ask the user on.
    if let RedisCommand::Del(d) = &args.command
        && !d.yes
        && !d.dry_run
        && !(ctx.out.terminal().stdin && ctx.out.terminal().stderr)
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

/// A bar on stderr while scanning (from the printer: only on a terminal, never with
/// --json). Its position is the part of the keyspace SCAN has covered (from the cursor).
fn tick(pb: &Progress, what: &str, n: usize, part: f64) {
    pb.set_fraction(part);
    pb.set_message(&format!("{what}: {n} keys"));
}

/// Every key matching `pattern`, sorted, with a progress bar.
async fn scan_all(ctx: &Context, store: &Store, pattern: &[u8]) -> Result<Vec<ScannedKey>, Failure> {
    let what = format!("scanning {}", escape::bytes(pattern));
    let pb = ctx.out.fraction(&what);
    let mut keys = Vec::new();
    store
        .scan(pattern, |page, part| {
            keys.extend(page);
            tick(&pb, &what, keys.len(), part);
        })
        .await?;
    pb.finish();
    // SCAN may return a key twice when the table is resized mid-scan.
    keys.sort();
    keys.dedup();
    Ok(keys)
}

async fn stats(ctx: &Context, graph: &Graph, store: &Store) -> Result<Outcome, Failure> {
    let pattern = store.prefix_pattern();
    let what = format!("scanning {pattern}");
    let pb = ctx.out.fraction(&what);
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
    pb.finish();
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
    Ok(Outcome::show(report))
}

/// The bus stream's length (XLEN through the bus module, which routes on a cluster).
async fn bus_length(ctx: &Context, prefix: &str) -> Option<u64> {
    let b = crate::bus::Bus::open(ctx.settings.redis_url(), prefix, crate::bus::DEFAULT_MAXLEN)
        .await
        .ok()?;
    let mut conn = b.connect_conn(std::time::Duration::from_secs(5)).await.ok()?;
    b.info(&mut conn).await.ok().map(|i| i.length)
}

/// `--type T` as a canonical group name: a graph type (aliases resolved) or `(other)`.
fn group_filter(graph: &Graph, t: &str) -> Result<String, Failure> {
    if t.trim() == OTHER || t.trim() == "other" {
        return Ok(OTHER.to_string());
    }
    Ok(graph.resolve(t)?.canonical)
}

async fn keys(ctx: &Context, graph: &Graph, store: &Store, a: &RedisKeysArgs) -> Result<Outcome, Failure> {
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
    Ok(Outcome::show(KeysReport {
        url: store.url().to_string(),
        pattern,
        type_filter: a.r#type.clone(),
        total,
        shown: described.len(),
        keys: described,
    }))
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

async fn get(ctx: &Context, store: &Store, a: &RedisGetArgs) -> Result<Outcome, Failure> {
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
    let enc = escape::text(fetched.info.encoding.as_deref().unwrap_or("-")).into_owned();
    ctx.out.about(&format!(
        "{}  {} ({enc})  {}  value {}",
        ctx.out.err_style().bold(&shown),
        escape::text(&kind),
        match fetched.info.ttl_ms {
            Some(_) => format!("ttl {}", ttl_cell(&fetched.info)),
            None => ttl_cell(&fetched.info),
        },
        fmt_bytes(fetched.size)
    ));
    if fetched.value.is_some() {
        return Ok(Outcome::show(GetHead(fetched)));
    }
    stream_value(ctx, store, &fetched).await?;
    Ok(Outcome::streamed())
}

/// Shows a string too large to hold, as it is read ([`crate::store::show::stream_string`]),
/// through the printer's sink; with --json inside the document a small value would get.
async fn stream_value(ctx: &Context, store: &Store, f: &Fetched) -> Result<(), Failure> {
    let open = ctx.out.json().then(|| {
        // The document `get --json` prints for a small value, its value written last.
        let doc = crate::output::json(&get_json(f, Json::Null));
        let open = doc
            .trim_end()
            .strip_suffix("null\n}")
            .or_else(|| doc.trim_end().strip_suffix("null}"))
            .map(str::to_string);
        open.unwrap_or_else(|| "{\n  \"value\": ".to_string())
    });
    let mut out = ctx.out.sink();
    let mut failed: Option<std::io::Error> = None;
    crate::store::show::stream_string(store, f, open.as_deref(), &mut |piece| {
        if failed.is_none()
            && let Err(e) = out.write(piece)
        {
            failed = Some(e);
        }
        failed.is_none()
    })
    .await?;
    match failed {
        Some(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(Failure::error(format!("cannot write to stdout: {e}")))
        }
        _ => out.finish(),
    }
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

async fn del(ctx: &Context, graph: &Graph, store: &Store, a: &RedisDelArgs) -> Result<Outcome, Failure> {
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
    let mut report = DelReport {
        url: store.url().to_string(),
        dry_run: a.dry_run,
        types: types.clone(),
        keys,
        shown,
        removed: BTreeMap::new(),
        total: found.len() as u64,
        interrupted: false,
        found: found.len() as u64,
    };
    if a.dry_run {
        return Ok(Outcome::show(report));
    }
    if found.is_empty() {
        report.removed = types.iter().map(|t| (t.clone(), 0)).collect();
    } else {
        if !a.yes && !confirm(ctx, &report, &types)? {
            return Ok(Outcome::streamed().tell("nothing deleted"));
        }
        // Ctrl-C or SIGTERM stops after the batch under way: what was deleted is reported.
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        crate::signals::raise_on_signal(std::sync::Arc::clone(&stop));
        let bar = ctx.out.progress(found.len() as u64, "deleting");
        let (removed, completed) = store
            .unlink(&found, &mut |n| {
                bar.inc(n);
                !stop.load(std::sync::atomic::Ordering::SeqCst)
            })
            .await?;
        bar.finish();
        report.interrupted = !completed;
        report.removed = types
            .iter()
            .map(|t| (t.clone(), removed.get(t).copied().unwrap_or(0)))
            .collect();
    }
    report.total = report.removed.values().sum();
    let code = if report.interrupted {
        crate::error::exit::INTERRUPTED
    } else {
        crate::error::exit::OK
    };
    Ok(Outcome::show(Deleted(report)).code(code))
}

/// Asks y/N on the terminal.
fn confirm(ctx: &Context, report: &DelReport, types: &[String]) -> Result<bool, Failure> {
    let counts: Vec<String> = types
        .iter()
        .map(|t| format!("{} {}", escape::text(t), report.keys.get(t).map_or(0, Vec::len)))
        .collect();
    ctx.out.prompt(&format!(
        "delete {} ({}) from {}? [y/N] ",
        keys_n(report.total),
        counts.join(", "),
        report.url
    ));
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| Failure::error(format!("cannot read the answer: {e}")))?;
    Ok(matches!(line.trim(), "y" | "Y" | "yes" | "YES" | "Yes"))
}

async fn watch(ctx: &Context, store: &Store, a: &RedisWatchArgs) -> Result<Outcome, Failure> {
    let st = ctx.out.err_style();
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
            ctx.out.tell(&format!(
                "{} notify-keyspace-events on {}: `{}` -> `{}`",
                st.yellow("changed:"),
                escape::text(node),
                escape::text(before),
                escape::text(after)
            ));
        }
    }
    for c in checks.iter().filter(|c| c.current.is_none()) {
        ctx.out.warn(&format!(
            "cannot read notify-keyspace-events on {} (CONFIG not allowed); events show only if notifications are on",
            escape::text(&c.node)
        ));
    }
    let watched = follow_events(ctx, store, a).await;
    // What --enable-notifications changed is put back, whatever ended the watch.
    if !changed.is_empty() {
        let failed = store.restore_notifications(&changed).await;
        for (node, before, after) in &changed {
            match failed.iter().find(|(n, _)| n == node) {
                None => ctx.out.tell(&format!(
                    "{} notify-keyspace-events on {}: `{}` -> `{}`",
                    st.dim("restored:"),
                    escape::text(node),
                    escape::text(after),
                    escape::text(before)
                )),
                Some((_, why)) => ctx.out.warn(&format!(
                    "cannot restore notify-keyspace-events on {} to `{}`: {}",
                    escape::text(node),
                    escape::text(before),
                    escape::text(why)
                )),
            }
        }
    }
    watched
}

/// Subscribes again after the connection dropped, with the one backoff (250 ms doubling to
/// 4 s, with jitter), saying so; why following stopped when it stopped first (Ctrl-C,
/// SIGTERM, a closed pipe, the deadline).
async fn resubscribe(ctx: &Context, store: &Store, follow: &mut Follow) -> Result<crate::store::KeyEvents, Stop> {
    ctx.out.warn(&format!(
        "the connection to {} closed (Redis restarted or dropped it): subscribing again",
        store.url()
    ));
    let mut delays =
        crate::backoff::Backoff::new(std::time::Duration::from_millis(250), std::time::Duration::from_secs(4)).delays();
    loop {
        let wait = delays.next().unwrap_or(std::time::Duration::from_secs(4));
        follow
            .next(async {
                tokio::time::sleep(wait).await;
                Some(())
            })
            .await?;
        if let Ok(events) = store.subscribe().await {
            // A restarted Redis forgets a notify-keyspace-events set with CONFIG SET.
            let off = store
                .check_notifications()
                .await
                .map(|checks| checks.iter().any(|c| c.current.is_some() && !c.sufficient))
                .unwrap_or(false);
            ctx.out.tell(&format!(
                "watching {} on {} again (events while disconnected were not seen)",
                store.keyspace_pattern(),
                store.url()
            ));
            if off {
                ctx.out.warn("keyspace notifications are off on the server now (it restarted without them): no events will come until they are on again (--enable-notifications, or notify-keyspace-events in redis.conf)");
            }
            return Ok(events);
        }
    }
}

/// Prints the keyspace events until --count, --timeout, Ctrl-C, SIGTERM or a closed pipe,
/// by the one rule of [`crate::follow`].
async fn follow_events(ctx: &Context, store: &Store, a: &RedisWatchArgs) -> Result<Outcome, Failure> {
    let mut events = store.subscribe().await?;
    ctx.out.tell(&format!(
        "watching {} on {} (Ctrl-C to stop)",
        store.keyspace_pattern(),
        store.url()
    ));
    let mut out = ctx.out.sink();
    let mut follow = Follow::new(a.follow.limits());
    let stop = loop {
        let ev = match follow.next(events.next()).await {
            Ok(ev) => ev,
            // The subscription ended: Redis restarted or dropped the connection. Heal.
            Err(Stop::Ended) => match resubscribe(ctx, store, &mut follow).await {
                Ok(again) => {
                    events = again;
                    continue;
                }
                Err(stop) => break stop,
            },
            Err(stop) => break stop,
        };
        if out.item(&ShownKey(&ev)).and_then(|_| out.flush()).is_err() {
            break Stop::ReaderGone;
        }
        if let Err(stop) = follow.count() {
            break stop;
        }
    };
    out.finish()?;
    if let (true, Some(n)) = (follow.fell_short(stop), follow.limits.count) {
        return Err(Failure::error(format!(
            "timed out after {}: {} of {n} events arrived",
            crate::duration::human(follow.limits.timeout.unwrap_or_default()),
            follow.shown
        ))
        .with_hint("raise --timeout, or check that the keys change under CACHE_PREFIX (`polycache redis keys`)"));
    }
    Ok(Outcome::streamed().tell(format!("{} events", follow.shown)))
}
