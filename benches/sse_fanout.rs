//! SSE fan-out of `polycache serve`: N clients on one node each receive all of M
//! invalidations. Prints clients, events, time, deliveries per second and anything missing;
//! then a slow-reader phase shows a client that never reads is dropped while the node's
//! memory stays bounded.
//!
//! `cargo bench --bench sse_fanout` (defaults 200 clients, 1000 events), or
//! `cargo bench --bench sse_fanout -- 500 2000`.

mod common;

use std::io::{Read, Write};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use common::{EMAIL, PASSWORD};
use futures::StreamExt;
use polycache::client::{InvalidateRequest, Invalidator, Target};

struct Node(Child);

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

fn rss_kib(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.split_whitespace().next().and_then(|n| n.parse().ok()))
        .unwrap_or(0)
}

fn main() {
    let args: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let clients = args.first().copied().unwrap_or(200);
    let events = args.get(1).copied().unwrap_or(1000);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(run(clients, events));
}

async fn run(clients: usize, events: usize) {
    let dir = tempfile::tempdir().expect("tempdir");
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_polycache"))
        .current_dir(dir.path())
        .args(["serve", "--port", &port.to_string(), "--ping-interval", "1s"])
        .env("JWT_SECRET", "bench-secret")
        .env("SERVICE_EMAIL", EMAIL)
        .env("SERVICE_PASSWORD", PASSWORD)
        .env("CACHE_LOG", dir.path().join("cache.json"))
        .env_remove("CACHE_MIRRORS")
        .env_remove("POLYCACHE_TOKEN")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn polycache serve");
    let pid = child.id();
    let _node = Node(child);
    let base = format!("http://127.0.0.1:{port}");
    let http = polycache::client::http().expect("HTTP client");
    let deadline = Instant::now() + Duration::from_secs(10);
    while http.get(format!("{base}/api/health")).send().await.is_err() {
        assert!(Instant::now() < deadline, "the node did not start");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // N subscribers, each counting the distinct event ids it receives.
    let received: Arc<Vec<AtomicU64>> = Arc::new((0..clients).map(|_| AtomicU64::new(0)).collect());
    let mut tasks = Vec::new();
    for i in 0..clients {
        let received = received.clone();
        let url = format!("{base}/api/stream");
        let stream_http = reqwest::Client::new();
        tasks.push(tokio::spawn(async move {
            let Ok(resp) = stream_http.get(url).send().await else {
                return;
            };
            let mut body = resp.bytes_stream();
            let mut seen = vec![false; events + 1];
            let mut partial = Vec::new();
            let mut count = 0;
            while let Some(Ok(chunk)) = body.next().await {
                partial.extend_from_slice(&chunk);
                let mut start = 0;
                while let Some(nl) = memchr::memchr(b'\n', &partial[start..]) {
                    let line = &partial[start..start + nl];
                    if let Some(id) = line.strip_prefix(b"id: ")
                        && let Some(n) = std::str::from_utf8(id).ok().and_then(|s| s.parse::<usize>().ok())
                        && n <= events
                        && !seen[n]
                    {
                        seen[n] = true;
                        count += 1;
                        received[i].store(count, Ordering::Relaxed);
                    }
                    start += nl + 1;
                }
                partial.drain(..start);
                if count as usize == events {
                    break;
                }
            }
        }));
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let h: serde_json::Value = http
            .get(format!("{base}/api/health"))
            .send()
            .await
            .expect("health")
            .json()
            .await
            .expect("health JSON");
        if h["clients"].as_u64().unwrap_or(0) as usize >= clients {
            break;
        }
        assert!(Instant::now() < deadline, "not every client connected: {h}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    let inv = common::invalidator(&http);
    let target = Target::local(&base);
    let types = ["posts", "pages", "feed", "categories", "pictures"];
    let start = Instant::now();
    let failures: usize = futures::stream::iter(0..events)
        .map(|i| {
            let req = InvalidateRequest::new(types[i % types.len()], false).with_id(serde_json::json!(i));
            let (inv, target) = (&inv, &target);
            async move { inv.invalidate_one(target, &req).await.is_ok() }
        })
        .buffer_unordered(8)
        .filter(|ok| futures::future::ready(!ok))
        .count()
        .await;
    let sent = start.elapsed();
    let wait_until = Instant::now() + Duration::from_secs(60);
    while received.iter().any(|r| (r.load(Ordering::Relaxed) as usize) < events) && Instant::now() < wait_until {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let all = start.elapsed();
    let delivered: u64 = received.iter().map(|r| r.load(Ordering::Relaxed)).sum();
    let missing = (clients * events) as u64 - delivered;
    let complete = received
        .iter()
        .filter(|r| r.load(Ordering::Relaxed) as usize == events)
        .count();
    for t in tasks {
        t.abort();
    }
    println!(
        "sse fan-out: polycache serve {} (memory store)",
        env!("CARGO_PKG_VERSION")
    );
    println!("  clients:                {clients}");
    println!("  invalidations:          {events} ({failures} failed), 8 in flight");
    println!(
        "  sent in:                {:.3} s  ({:.0} invalidations/s)",
        sent.as_secs_f64(),
        events as f64 / sent.as_secs_f64()
    );
    println!(
        "  all delivered in:       {:.3} s  ({:.0} events/s delivered)",
        all.as_secs_f64(),
        delivered as f64 / all.as_secs_f64()
    );
    println!("  clients with every event: {complete}/{clients}");
    println!("  missing events:         {missing}");
    println!("  node peak RSS:          {} KiB", rss_kib(pid, "VmHWM:"));

    slow_reader(&base, pid, &inv, &target).await;
}

/// A client that connects and never reads: the node must drop it once it falls a whole
/// broadcast ring behind, while its own memory stays flat.
async fn slow_reader(base: &str, pid: u32, inv: &Invalidator, target: &Target) {
    let addr = base.trim_start_matches("http://").to_string();
    let mut sock = std::net::TcpStream::connect(&addr).expect("connect");
    sock.set_read_timeout(Some(Duration::from_secs(5))).ok();
    // `Connection: close`, so that the end of the response is the end of the connection.
    write!(
        sock,
        "GET /api/stream HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\nConnection: close\r\n\r\n"
    )
    .expect("request");
    tokio::time::sleep(Duration::from_millis(200)).await;
    let rss_before = rss_kib(pid, "VmRSS:");
    // 1 KiB ids, so that the socket buffers between the node and the reader fill quickly.
    let n = 20_000;
    let pad = "x".repeat(1000);
    let start = Instant::now();
    futures::stream::iter(0..n)
        .map(|i| {
            let id = format!("{i}-{pad}");
            async move {
                let req = InvalidateRequest::new("feed", false).with_id(serde_json::json!(id));
                inv.invalidate_one(target, &req).await.is_ok()
            }
        })
        .buffer_unordered(16)
        .for_each(|_| async {})
        .await;
    let elapsed = start.elapsed();
    let rss_after = rss_kib(pid, "VmRSS:");
    // Drain what the kernel buffered: the stream must end (the node closed it) rather
    // than carry all events.
    let mut total = 0usize;
    let mut buf = vec![0u8; 1 << 16];
    let closed = loop {
        match sock.read(&mut buf) {
            Ok(0) => break true,
            Ok(k) => total += k,
            Err(_) => break false,
        }
    };
    println!(
        "slow reader (never reads while {n} invalidations are sent, {:.1} s):",
        elapsed.as_secs_f64()
    );
    println!("  dropped by the node:    {}", if closed { "yes" } else { "NO" });
    println!(
        "  bytes it had buffered:  {} KiB (all {n} events: ~{} KiB)",
        total / 1024,
        n * 1080 / 1024
    );
    println!("  node RSS before/after:  {rss_before} / {rss_after} KiB");
}
