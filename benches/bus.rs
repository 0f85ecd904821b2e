//! The invalidation bus under load: three `serve --bus redis` nodes on one redis-server,
//! many idle SSE clients on each, invalidations sent round-robin to the nodes over HTTP.
//! Prints, per phase: whether every client got every event exactly once, the delay from
//! sending the HTTP request to the SSE delivery on the other nodes (p50, p99, max), the
//! node memory per connected client (RSS growth / clients), the CPU time each process used
//! while the invalidations ran, and how busy the whole machine was meanwhile (the figures
//! mean little on a machine that other work shares).
//!
//! Phase 1: 3 nodes x 1,000 clients, 1,000 invalidations. Phase 2: 10,000 clients on one
//! node, invalidations sent to the nodes in turn (those sent to the node itself are not
//! counted).
//!
//! `cargo bench --bench bus`, or `cargo bench --bench bus -- CLIENTS EVENTS BIG_CLIENTS
//! BIG_EVENTS RATE` (defaults 1000 1000 10000 300 10; RATE in invalidations per second; 0
//! clients skips a phase). `POLYCACHE_BENCH_BIN=path` runs another build of the node with
//! the same client, to compare two builds.
//!
//! The clients are read by one thread per core, each with its own `epoll`: the bench shares
//! the cores with what it measures, and a task per client would cost the nodes' CPU.

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use memchr::memmem;

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
    let rate = args.get(4).copied().unwrap_or(10).max(1);
    let nofile = raise_nofile();
    println!("open files limit: {nofile}");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(run(clients, events, big_clients, big_events, rate));
}

/// The node binary: this build's, or `POLYCACHE_BENCH_BIN` (to compare two builds with the
/// same bench client).
fn node_binary() -> std::path::PathBuf {
    std::env::var_os("POLYCACHE_BENCH_BIN")
        .map(Into::into)
        .unwrap_or_else(|| env!("CARGO_BIN_EXE_polycache").into())
}

struct Cluster {
    redis: Proc,
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
        let child = Command::new(node_binary())
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
        redis: Proc(redis),
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

/// One idle SSE client: a raw HTTP/1.1 GET, then the events as they come.
struct Client {
    stream: mio::net::TcpStream,
    node: usize,
    /// The bytes of an event cut across two reads (rare: each event is one write).
    pending: Vec<u8>,
    seen: Seen,
    done: bool,
}

/// What the readers need to know.
struct Readers {
    nodes: usize,
    events: usize,
    sent: Arc<Vec<AtomicU64>>,
    t0: Instant,
    deadline: Instant,
}

/// One reader thread (there is one per core): opens its clients (`(port, node)` each),
/// then reads them all from one `epoll` until each has `events` events or the deadline
/// passes. A delay is taken as soon as a read returns, before the bytes are looked at.
/// The clients share the cores with the nodes they measure: no task per client, no timer
/// per read, one warm read buffer.
fn reader(clients: Vec<(u16, usize)>, r: Arc<Readers>) -> Vec<Seen> {
    use std::io::{Read, Write};
    let mut poll = mio::Poll::new().expect("epoll");
    let mut conns: Vec<Client> = Vec::with_capacity(clients.len());
    let req = b"GET /api/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n";
    for (port, node) in clients {
        let mut s = loop {
            match std::net::TcpStream::connect(("127.0.0.1", port)) {
                Ok(s) => break s,
                Err(_) => std::thread::sleep(Duration::from_millis(50)),
            }
        };
        s.write_all(req).expect("request");
        s.set_nonblocking(true).expect("nonblocking");
        let mut stream = mio::net::TcpStream::from_std(s);
        let token = mio::Token(conns.len());
        poll.registry()
            .register(&mut stream, token, mio::Interest::READABLE)
            .expect("register");
        conns.push(Client {
            stream,
            node,
            pending: Vec::new(),
            seen: Seen {
                delays: Vec::with_capacity(r.events),
                ..Seen::default()
            },
            done: false,
        });
    }
    let blank = memmem::Finder::new(b"\n\n");
    let reset = memmem::Finder::new(b"stream-reset");
    let id_key = memmem::Finder::new(b"\"id\":");
    // Takes the events at the start of `data` (a block ending with a blank line each);
    // returns how many bytes it took.
    let take = |c: &mut Seen, node: usize, data: &[u8], now: u64| -> usize {
        let mut start = 0;
        while let Some(pos) = blank.find(&data[start..]) {
            let block = &data[start..start + pos];
            start += pos + 2;
            if reset.find(block).is_some() {
                c.resets += 1;
            }
            let Some(at) = id_key.find(block) else { continue };
            let digits = &block[at + 5..];
            let len = digits.iter().take_while(|c| c.is_ascii_digit()).count();
            let Some(i) = std::str::from_utf8(&digits[..len])
                .ok()
                .and_then(|d| d.parse::<usize>().ok())
            else {
                continue;
            };
            c.count += 1;
            c.sum += i as u64;
            if i % r.nodes != node
                && let Some(t) = r.sent.get(i)
            {
                let t = t.load(Ordering::Relaxed);
                c.delays.push(now.saturating_sub(t) as u32);
            }
        }
        start
    };
    let mut buf = vec![0u8; 16 * 1024];
    let mut events = mio::Events::with_capacity(1024);
    let mut left = conns.len();
    while left > 0 && Instant::now() < r.deadline {
        if poll.poll(&mut events, Some(Duration::from_secs(1))).is_err() {
            continue;
        }
        for ev in events.iter() {
            let c = &mut conns[ev.token().0];
            if c.done {
                continue;
            }
            // Until the socket is drained: a read shorter than the buffer drained it
            // (epoll says so again when more comes).
            loop {
                let n = match c.stream.read(&mut buf) {
                    Ok(0) => {
                        c.done = true;
                        break;
                    }
                    Ok(n) => n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
                    Err(_) => {
                        c.done = true;
                        break;
                    }
                };
                let now = r.t0.elapsed().as_micros() as u64;
                if c.pending.is_empty() {
                    let took = take(&mut c.seen, c.node, &buf[..n], now);
                    c.pending.extend_from_slice(&buf[took..n]);
                } else {
                    c.pending.extend_from_slice(&buf[..n]);
                    let took = take(&mut c.seen, c.node, &c.pending, now);
                    c.pending.drain(..took);
                }
                if c.seen.count as usize >= r.events {
                    c.done = true;
                }
                if c.done || n < buf.len() {
                    break;
                }
            }
            if c.done {
                left -= 1;
            }
        }
    }
    conns.into_iter().map(|c| c.seen).collect()
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
    let nodes = c.nodes.len();
    // Connecting (up to 120 s), then the invalidations, then 120 s for the stragglers.
    let limit = Duration::from_secs(250) + Duration::from_secs_f64(events as f64 / rate as f64);
    let readers = Arc::new(Readers {
        nodes,
        events,
        sent: sent.clone(),
        t0,
        deadline: Instant::now() + limit,
    });
    // `reader` attributes event i to node i % nodes; send_to must agree (checked below).
    // The clients of every node are dealt out to the reader threads in turn.
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let mut dealt: Vec<Vec<(u16, usize)>> = vec![Vec::new(); threads];
    let mut k = 0;
    for (node, n) in per_node.iter().enumerate() {
        for _ in 0..*n {
            dealt[k % threads].push((c.nodes[node].1, node));
            k += 1;
        }
    }
    let tasks: Vec<_> = dealt
        .into_iter()
        .map(|clients| {
            let r = readers.clone();
            std::thread::spawn(move || reader(clients, r))
        })
        .collect();
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
    let cpu_before = cpu_now(c);
    let busy_before = machine_busy_ms();
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
    let joined = tokio::task::spawn_blocking(move || {
        tasks
            .into_iter()
            .flat_map(|t| t.join().expect("reader thread"))
            .collect::<Vec<Seen>>()
    })
    .await
    .expect("readers");
    for s in joined {
        if s.count == events as u64 && s.sum == want_sum {
            complete += 1;
        }
        resets += s.resets;
        all.extend(s.delays);
    }
    let done = start.elapsed();
    let cpu_after = cpu_now(c);
    let busy = machine_busy_ms() - busy_before;
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
    let used: Vec<f64> = cpu_after.iter().zip(&cpu_before).map(|(a, b)| a - b).collect();
    let per = |ms: f64| ms / events.max(1) as f64;
    let n = c.nodes.len();
    println!(
        "CPU time while they ran: nodes {} ms ({:.2} ms per invalidation, all nodes), redis-server {:.0} ms, bench client {:.0} ms ({:.2} ms per invalidation)",
        used[..n]
            .iter()
            .map(|ms| format!("{ms:.0}"))
            .collect::<Vec<_>>()
            .join(" + "),
        per(used[..n].iter().sum()),
        used[n],
        used[n + 1],
        per(used[n + 1]),
    );
    // The machine may be shared: what everything else ran meanwhile, in cores.
    let ours: f64 = used.iter().sum();
    println!(
        "the whole machine meanwhile: {:.2} cores busy on average, {:.2} of them not this benchmark ({:.0} ms of CPU in {:.1} s, {:.0} ms of it ours)",
        busy / 1000.0 / done.as_secs_f64(),
        (busy - ours).max(0.0) / 1000.0 / done.as_secs_f64(),
        busy,
        done.as_secs_f64(),
        ours
    );
}

/// CPU time (ms) the whole machine spent busy so far: every core, every process, from the
/// first line of /proc/stat (all but idle and iowait).
fn machine_busy_ms() -> f64 {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let ticks: Vec<f64> = stat
        .lines()
        .next()
        .unwrap_or("")
        .split_whitespace()
        .skip(1)
        .filter_map(|v| v.parse().ok())
        .collect();
    let total: f64 = ticks.iter().take(8).sum();
    let idle = ticks.get(3).copied().unwrap_or(0.0) + ticks.get(4).copied().unwrap_or(0.0);
    (total - idle) * 1000.0 / clock_ticks() as f64
}

/// CPU time (user + system, ms) used so far by each node, redis-server and this process.
fn cpu_now(c: &Cluster) -> Vec<f64> {
    let mut pids: Vec<u32> = c.nodes.iter().map(|(p, _)| p.0.id()).collect();
    pids.push(c.redis.0.id());
    pids.push(std::process::id());
    pids.into_iter().map(cpu_ms).collect()
}

/// A process's user + system CPU time in ms, from /proc/PID/stat (0 when unreadable).
fn cpu_ms(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // The fields after the command name (which may hold spaces) start after the last ')'.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // utime and stime: fields 14 and 15 of the line, the 12th and 13th from the state.
    (ticks(11) + ticks(12)) * 1000.0 / clock_ticks() as f64
}

/// The kernel's clock ticks per second (`getconf CLK_TCK`), 100 unless it says otherwise.
fn clock_ticks() -> u64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100)
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
    if clients > 0 {
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
    if big_clients > 0 {
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
