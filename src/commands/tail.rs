//! `polycache tail`: follow the SSE stream of one or more targets and print one line (or
//! one JSON object) per event, merged in arrival order. Subscription, reconnects and
//! `Last-Event-ID` live in `client::stream`; this file filters, counts and renders.

use std::cell::RefCell;
use std::sync::Arc;

use super::Context;
use crate::bus;
use crate::cli::TailArgs;
use crate::client::Target;
use crate::client::stream::{FollowOptions, Notice, STREAM_RESET, follow_all};
use crate::duration::human;
use crate::error::{Failure, exit};
use crate::follow::{Follow, Stop};
use crate::output::{Outcome, Printer, Sink};
use crate::render::stream::{BusGap, BusShown, BusView, ShownEvent, ShownGap, View, clean};

/// Follows the streams (or the bus), printing each event as it comes.
pub fn run(ctx: &Context, args: &TailArgs) -> Result<Outcome, Failure> {
    follow(ctx, args).map(|code| Outcome::streamed().code(code))
}

fn follow(ctx: &Context, args: &TailArgs) -> Result<u8, Failure> {
    let graph = ctx.graph()?;
    let wanted = args
        .types
        .iter()
        .map(|t| graph.resolve(t).map(|r| r.canonical))
        .collect::<Result<Vec<_>, _>>()?;
    if args.bus {
        let view = BusView { graph, wanted };
        return crate::runtime()?.block_on(watch_bus(ctx, args, &view));
    }
    let targets: Vec<Arc<Target>> =
        crate::client::target::select(&ctx.settings, &args.targets.only, args.targets.mirror)?
            .into_iter()
            .map(Arc::new)
            .collect();
    let opts = FollowOptions {
        path: ctx.settings.stream_path().to_string(),
        last_event_id: args.since_id.clone(),
        trace: ctx.out.trace(),
        ..FollowOptions::default()
    };
    // What browsers reset is shown with -v and carried in --json only: plain tail does not
    // read the platform's TypeScript at start.
    let browsers = if ctx.out.verbose() > 0 || ctx.out.json() || args.invalidator.invalidator.is_some() {
        ctx.browsers(&args.invalidator, &graph)?
    } else {
        None
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
        verbose: ctx.out.verbose() > 0,
        style: ctx.out.style(),
        browsers,
        known: RefCell::default(),
    };
    let http = crate::client::http_for(&ctx.settings)?;
    crate::runtime()?.block_on(watch(http, targets, opts, args, &view, &ctx.out))
}

async fn watch(
    http: reqwest::Client,
    targets: Vec<Arc<Target>>,
    opts: FollowOptions,
    args: &TailArgs,
    view: &View,
    printer: &Printer,
) -> Result<u8, Failure> {
    let mut rx = follow_all(&http, &targets, &opts);
    let mut follow = Follow::new(args.follow.limits());
    let mut out = printer.sink();
    let mut heartbeats: u64 = 0;
    let mut gaps: u64 = 0;
    let mut failed = 0usize;
    let mut connected = false;
    let summary = |shown: u64, heartbeats: u64, gaps: u64| {
        if view.verbose {
            printer.status(&format!(
                "{} {}, {} {}, {} {}",
                shown,
                plural(shown, "event"),
                heartbeats,
                plural(heartbeats, "heartbeat"),
                gaps,
                plural(gaps, "gap")
            ));
        }
    };
    // Why following stopped, and what that means (the one rule of `crate::follow`).
    let stopped = |stop: Stop, out: &mut Sink, follow: &Follow, connected: bool, heartbeats, gaps| {
        flush(out)?;
        if stop == Stop::ReaderGone {
            // `tail | head -1`: the reader is gone; end now, quietly.
            return Ok(exit::OK);
        }
        summary(follow.shown, heartbeats, gaps);
        if stop == Stop::TimedOut && !connected {
            let names: Vec<String> = targets.iter().map(|t| t.base.clone()).collect();
            return Err(Failure::error(format!(
                "never connected to {} within {}: no stream was opened",
                names.join(", "),
                human(follow.limits.timeout.unwrap_or_default())
            ))
            .with_hint("the server accepted no connection or never answered the stream request; check POLYCACHE_URL (`polycache config`) and that the server is up"));
        }
        ending(
            stop,
            follow,
            "events",
            "raise --timeout, or check with `polycache tail -v` that the server streams",
            "every stream ended",
        )
    };
    loop {
        let first = match follow.next(rx.recv()).await {
            Ok(n) => n,
            Err(stop) => return stopped(stop, &mut out, &follow, connected, heartbeats, gaps),
        };
        // Handle everything already queued before flushing: one write for a burst.
        let mut next = Some(first);
        while let Some(notice) = next {
            match notice {
                Notice::Event(ev) if ev.event == STREAM_RESET => {
                    // A gap is shown whatever the filters, and is not an event for --count.
                    gaps += 1;
                    if let Err(e) = out.item(&ShownGap(view, &ev, gaps)) {
                        return closed_stdout(e);
                    }
                }
                Notice::Event(ev) => {
                    if !view.keeps(&ev) {
                        next = rx.try_recv().ok();
                        continue;
                    }
                    if let Err(e) = out.item(&ShownEvent(view, &ev)) {
                        return closed_stdout(e);
                    }
                    if let Err(stop) = follow.count() {
                        return stopped(stop, &mut out, &follow, connected, heartbeats, gaps);
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
                        printer.status(&format!(
                            "{} {}heartbeat `{comment}` ({count} from this target)",
                            now(),
                            view.target_prefix(&target)
                        ));
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
                    printer.status(&msg);
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
                    printer.warn(&format!(
                        "{what} {}: {reason}; reconnecting in {} (attempt {attempt})",
                        target.base,
                        human(retry_in)
                    ));
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
                    printer.error(&message);
                }
            }
            next = rx.try_recv().ok();
        }
        flush(&mut out)?;
    }
}

async fn watch_bus(ctx: &Context, args: &TailArgs, view: &BusView) -> Result<u8, Failure> {
    let printer = &ctx.out;
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
    let mut follow = Follow::new(args.follow.limits());
    let mut out = printer.sink();
    let mut gaps: u64 = 0;
    let stopped = |stop: Stop, out: &mut Sink, follow: &Follow| {
        flush(out)?;
        ending(
            stop,
            follow,
            "entries",
            "raise --timeout, or check with `polycache doctor` that the nodes are on the bus",
            "the bus reader stopped",
        )
    };
    loop {
        let notice = match follow.next(rx.recv()).await {
            Ok(n) => n,
            Err(stop) => return stopped(stop, &mut out, &follow),
        };
        match notice {
            bus::BusNotice::Connected { after, reconnect } => {
                flush(&mut out)?;
                let what = if reconnect { "reconnected to" } else { "following" };
                let from = if after == "$" {
                    "new entries".to_string()
                } else {
                    format!("entries after {}", clean(&after))
                };
                printer.status(&format!("{what} the bus {key} on {url}: {from}"));
            }
            bus::BusNotice::Disconnected { reason, retry_in } => {
                flush(&mut out)?;
                printer.warn(&format!("{reason}; reconnecting in {}", human(retry_in)));
            }
            bus::BusNotice::Skipped { id, reason } => {
                flush(&mut out)?;
                printer.warn(&format!(
                    "skipped bus entry {}: not a valid invalidation ({})",
                    clean(&id),
                    clean(&reason)
                ));
            }
            bus::BusNotice::Gap { after, oldest } => {
                gaps += 1;
                if let Err(e) = out.item(&BusGap { after, oldest, gaps }) {
                    return closed_stdout(e);
                }
                flush(&mut out)?;
            }
            bus::BusNotice::Entry(e) => {
                if !view.keeps(&e) {
                    continue;
                }
                if let Err(e) = out.item(&BusShown(view, &e)) {
                    return closed_stdout(e);
                }
                if let Err(stop) = follow.count() {
                    return stopped(stop, &mut out, &follow);
                }
                if rx.is_empty() {
                    flush(&mut out)?;
                }
            }
        }
    }
}

/// The exit of a follow that stopped, by the rule of [`crate::follow`]: `what` the items are
/// called, the `hint` when --timeout came before --count, and the error when the source
/// `ended`.
fn ending(stop: Stop, follow: &Follow, what: &str, hint: &str, ended: &str) -> Result<u8, Failure> {
    if !follow.fell_short(stop) {
        return Ok(exit::OK);
    }
    Err(match (stop, follow.limits.count) {
        (Stop::TimedOut, Some(n)) => Failure::error(format!(
            "timed out after {}: {} of {n} {what} arrived",
            human(follow.limits.timeout.unwrap_or_default()),
            follow.shown
        ))
        .with_hint(hint),
        _ => Failure::error(ended),
    })
}

fn flush(out: &mut Sink) -> Result<(), Failure> {
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

fn plural(n: u64, word: &str) -> String {
    if n == 1 { word.to_string() } else { format!("{word}s") }
}
