//! The invalidation bus under load: three `serve --bus redis` nodes on one redis-server,
//! many idle SSE clients on each, invalidations sent round-robin to the nodes over HTTP.
//! Prints, per phase: whether every client got every event exactly once, the delay from
//! sending the HTTP request to the SSE delivery on the other nodes (p50, p99, max), and the
//! node memory per connected client (RSS growth / clients).
//!
//! Phase 1: 3 nodes x 1,000 clients, 1,000 invalidations. Phase 2: 10,000 clients on one
//! node, invalidations sent to another.
//!
//! `cargo bench --bench bus`, or `cargo bench --bench bus -- CLIENTS EVENTS BIG_CLIENTS
//! BIG_EVENTS RATE` (defaults 1000 1000 10000 300 100; RATE in invalidations per second).

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

const EMAIL: &str = "bench@polycache.local";
const PASSWORD: &str = "bench-password";

struct Proc(Child);

impl Drop for Proc {
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

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next().and_then(|n| n.parse().ok()))
        .unwrap_or(0)
}

/// Raises this process's open-file limit to its hard limit (children inherit it): every
/// SSE client is a socket here and one on a node.
fn raise_nofile() -> u64 {
    let limits = std::fs::read_to_string("/proc/self/limits").unwrap_or_default();
    let hard = limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .and_then(|l| l.split_whitespace().nth(4).and_then(|h| h.parse::<u64>().ok()))
        .unwrap_or(1024);
    let _ = Command::new("prlimit")
        .args([
            "--pid",
            &std::process::id().to_string(),
            &format!("--nofile={hard}:{hard}"),
        ])
        .status();
    hard
}

fn main() {
    let args: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let clients = args.first().copied().unwrap_or(1000);
    let events = args.get(1).copied().unwrap_or(1000);
    let big_clients = args.get(2).copied().unwrap_or(10_000);
    let big_events = args.get(3).copied().unwrap_or(300);
    let rate = args.get(4).copied().unwrap_or(100).max(1);
    let nofile = raise_nofile();
    println!("open files limit: {nofile}");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(run(clients, events, big_clients, big_events, rate));
}

struct Cluster {
    _redis: Proc,
    nodes: Vec<(Proc, u16)>,
    _dir: tempfile::TempDir,
}

fn start(n: usize) -> Cluster {
    let dir = tempfile::tempdir().expect("tempdir");
    let rport = free_port();
    let redis = Command::new("redis-server")
        .args([
            "--port",
            &rport.to_string(),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ])
        .stdout(Stdio::null())
        .spawn()
        .expect("redis-server must be installed");
    std::thread::sleep(Duration::from_millis(300));
    let mut nodes = Vec::new();
    for i in 0..n {
        let port = free_port();
        let child = Command::new(env!("CARGO_BIN_EXE_polycache"))
            .current_dir(dir.path())
            .args([
                "serve",
                "--port",
                &port.to_string(),
                "--bus",
                "redis",
                "--ping-interval",
                "15s",
            ])
            .env("JWT_SECRET", "bench-secret")
            .env("SERVICE_EMAIL", EMAIL)
            .env("SERVICE_PASSWORD", PASSWORD)
            .env("REDIS_URL", format!("redis://127.0.0.1:{rport}"))
            .env("CACHE_LOG", dir.path().join(format!("cache-{i}.json")))
            .env_remove("CACHE_MIRRORS")
            .env_remove("POLYCACHE_TOKEN")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn polycache serve");
        nodes.push((Proc(child), port));
    }
    Cluster {
        _redis: Proc(redis),
        nodes,
        _dir: dir,
    }
}

/// What one client saw.
#[derive(Default)]
struct Seen {
    count: u64,
    sum: u64,
    resets: u64,
    /// Delays (µs) of events sent to another node than this client's.
    delays: Vec<u32>,
}

/// One idle SSE client: a raw HTTP/1.1 GET, then reads events until `events` arrived.
async fn client(
    port: u16,
    node: usize,
    nodes: usize,
    events: usize,
    sent: Arc<Vec<AtomicU64>>,
    t0: Instant,
    connected: Arc<AtomicU64>,
) -> Seen {
    let mut seen = Seen::default();
    let mut s = loop {
        match tokio::net::TcpStream::connect(("127.0.0.1", port)).await {
            Ok(s) => break s,
            Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    };
    let req = "GET /api/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n";
    if s.write_all(req.as_bytes()).await.is_err() {
        return seen;
    }
    connected.fetch_add(1, Ordering::Relaxed);
    let mut buf = vec![0u8; 8192];
    let mut pending: Vec<u8> = Vec::new();
    while (seen.count as usize) < events {
        let n = match tokio::time::timeout(Duration::from_secs(120), s.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) | Err(_) => break,
            Ok(Ok(n)) => n,
        };
        let now = t0.elapsed().as_micros() as u64;
        pending.extend_from_slice(&buf[..n]);
        let mut start = 0;
        while let Some(pos) = find(&pending[start..], b"\n\n") {
            let block = &pending[start..start + pos];
            start += pos + 2;
            if find(block, b"stream-reset").is_some() {
                seen.resets += 1;
            }
            let Some(at) = find(block, b"\"id\":") else { continue };
            let digits: String = block[at + 5..]
                .iter()
                .take_while(|c| c.is_ascii_digit())
                .map(|c| *c as char)
                .collect();
            let Ok(i) = digits.parse::<usize>() else { continue };
            seen.count += 1;
            seen.sum += i as u64;
            if i % nodes != node
                && let Some(t) = sent.get(i)
            {
                let t = t.load(Ordering::Relaxed);
                seen.delays.push(now.saturating_sub(t) as u32);
            }
        }
        pending.drain(..start);
    }
    seen
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

async fn login(http: &reqwest::Client, port: u16) -> String {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let r = http
            .post(format!("http://127.0.0.1:{port}/api/auth/login"))
            .json(&serde_json::json!({"email": EMAIL, "password": PASSWORD}))
            .send()
            .await;
        if let Ok(r) = r
            && let Ok(v) = r.json::<serde_json::Value>().await
            && let Some(t) = v["token"].as_str()
        {
            return t.to_string();
        }
        assert!(Instant::now() < deadline, "node on port {port} did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Connects `per_node[k]` clients to node k, sends `events` invalidations (event i to node
/// `send_to(i)`, which must be i % nodes) at `rate` per second, and prints the figures.
async fn phase(
    title: &str,
    c: &Cluster,
    per_node: &[usize],
    events: usize,
    rate: usize,
    send_to: &dyn Fn(usize) -> usize,
) {
    println!("\n== {title}");
    println!("load average before: {}", loadavg());
    let http = reqwest::Client::new();
    let mut tokens = Vec::new();
    for (_, port) in &c.nodes {
        tokens.push(login(&http, *port).await);
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_before: Vec<u64> = c.nodes.iter().map(|(p, _)| rss_kib(p.0.id())).collect();
    let t0 = Instant::now();
    let sent: Arc<Vec<AtomicU64>> = Arc::new((0..events).map(|_| AtomicU64::new(0)).collect());
    let connected = Arc::new(AtomicU64::new(0));
    let nodes = c.nodes.len();
    let mut tasks = Vec::new();
    // `client` attributes event i to node i % nodes; send_to must agree (checked below).
    for (k, n) in per_node.iter().enumerate() {
        for _ in 0..*n {
            let port = c.nodes[k].1;
            tasks.push(tokio::spawn(client(
                port,
                k,
                nodes,
                events,
                sent.clone(),
                t0,
                connected.clone(),
            )));
        }
    }
    let total: usize = per_node.iter().sum();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let on_nodes = clients_on_nodes(&http, c).await;
        if on_nodes >= total as u64 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "only {on_nodes} of {total} clients connected"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let rss_after: Vec<u64> = c.nodes.iter().map(|(p, _)| rss_kib(p.0.id())).collect();
    for (k, n) in per_node.iter().enumerate() {
        if *n > 0 {
            let delta = rss_after[k].saturating_sub(rss_before[k]);
            println!(
                "node {k}: {n} idle clients, RSS {} -> {} KiB: {:.1} KiB per client",
                rss_before[k],
                rss_after[k],
                delta as f64 / *n as f64
            );
        }
    }
    let interval = Duration::from_micros(1_000_000 / rate as u64);
    let start = Instant::now();
    for i in 0..events {
        let k = send_to(i);
        assert_eq!(k % nodes, i % nodes, "event i goes to node i % nodes");
        let next = start + interval * i as u32;
        tokio::time::sleep_until(next.into()).await;
        sent[i].store(t0.elapsed().as_micros() as u64, Ordering::Relaxed);
        let (http, token, port) = (http.clone(), tokens[k].clone(), c.nodes[k].1);
        tokio::spawn(async move {
            let r = http
                .post(format!("http://127.0.0.1:{port}/api/cache/invalidate"))
                .bearer_auth(token)
                .json(&serde_json::json!({"type": "feed", "id": i, "mirror": false}))
                .send()
                .await;
            if !r.is_ok_and(|r| r.status().is_success()) {
                eprintln!("invalidation {i} failed");
            }
        });
    }
    let sending = start.elapsed();
    let mut all = Vec::new();
    let (mut complete, mut resets) = (0usize, 0u64);
    let want_sum: u64 = (0..events as u64).sum();
    for t in tasks {
        let s = t.await.expect("client task");
        if s.count == events as u64 && s.sum == want_sum {
            complete += 1;
        }
        resets += s.resets;
        all.extend(s.delays);
    }
    let done = start.elapsed();
    all.sort_unstable();
    let pct = |p: f64| {
        all.get(((all.len() as f64 * p) as usize).min(all.len().saturating_sub(1)))
            .map(|us| *us as f64 / 1000.0)
            .unwrap_or(f64::NAN)
    };
    println!("load average after: {}", loadavg());
    println!(
        "{events} invalidations at {rate}/s (sent in {:.1} s, all delivered after {:.1} s) to {total} clients",
        sending.as_secs_f64(),
        done.as_secs_f64()
    );
    println!(
        "every event exactly once: {complete} of {total} clients{}",
        if resets > 0 {
            format!(" ({resets} stream-resets)")
        } else {
            String::new()
        }
    );
    println!(
        "delay from HTTP request to SSE delivery on the other nodes ({} deliveries): p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        all.len(),
        pct(0.50),
        pct(0.99),
        all.last().map(|us| *us as f64 / 1000.0).unwrap_or(f64::NAN)
    );
}

/// The 1, 5 and 15 minute load averages: the figures mean little on a busy machine.
fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

/// SSE clients connected, summed over the nodes' health.
async fn clients_on_nodes(http: &reqwest::Client, c: &Cluster) -> u64 {
    let mut n = 0;
    for (_, port) in &c.nodes {
        if let Ok(r) = http.get(format!("http://127.0.0.1:{port}/api/health")).send().await
            && let Ok(v) = r.json::<serde_json::Value>().await
        {
            n += v["clients"].as_u64().unwrap_or(0);
        }
    }
    n
}

async fn run(clients: usize, events: usize, big_clients: usize, big_events: usize, rate: usize) {
    println!(
        "bus benchmark: {} cores, polycache {}",
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        env!("CARGO_PKG_VERSION")
    );
    {
        let c = start(3);
        phase(
            &format!("3 nodes x {clients} clients, {events} invalidations round-robin"),
            &c,
            &[clients, clients, clients],
            events,
            rate,
            &|i| i % 3,
        )
        .await;
    }
    {
        // Node 0 holds every client; invalidations go to nodes 1 and 2 (events whose
        // i % 3 == 0 are sent to node 0 itself and are not counted as "other node").
        let c = start(3);
        phase(
            &format!("{big_clients} clients on one node, {big_events} invalidations round-robin"),
            &c,
            &[big_clients, 0, 0],
            big_events,
            rate,
            &|i| i % 3,
        )
        .await;
    }
}
