//! Every wait of `serve` has a bound: connections that send nothing, half a request head
//! or half a body are closed after 10 s, and a node out of file descriptors (600 idle
//! connections at `ulimit -n 512`) still answers `/api/health`, over HTTP and HTTPS, by
//! closing the oldest connection that never sent a request.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, Instant};

use common::node::{Mode, Node, NodeConfig};

/// Writes `sent`, then waits for the node to close the connection; how long that took
/// (panics after 20 s) and what the node answered.
fn closed_after(port: u16, sent: &[u8]) -> (Duration, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let start = Instant::now();
    s.write_all(sent).unwrap();
    let mut got = Vec::new();
    let r = s.read_to_end(&mut got);
    let took = start.elapsed();
    assert!(
        r.is_ok() || took < Duration::from_secs(19),
        "still open after {took:?} having sent {:?}",
        String::from_utf8_lossy(sent)
    );
    (took, String::from_utf8_lossy(&got).into_owned())
}

#[test]
fn connections_that_stall_are_closed_after_ten_seconds() {
    let node = Node::memory();
    let port = node.port;
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("nothing", Vec::new()),
        ("half a head", b"GET /api/health HTTP/1.1\r\nHost: x\r\n".to_vec()),
        ("half the stream's request line", b"GET /api/str".to_vec()),
        ("half a stream head", b"GET /api/stream HTTP/1.1\r\nHost: x\r\n".to_vec()),
        (
            "half a body",
            b"POST /api/cache/invalidate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"type\":".to_vec(),
        ),
        (
            "a keep-alive connection gone quiet",
            b"GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n".to_vec(),
        ),
    ];
    let handles: Vec<_> = cases
        .into_iter()
        .map(|(what, sent)| std::thread::spawn(move || (what, closed_after(port, &sent))))
        .collect();
    for h in handles {
        let (what, (took, answer)) = h.join().unwrap();
        eprintln!("{what}: closed after {took:?}");
        assert!(
            took >= Duration::from_secs(9) && took < Duration::from_secs(15),
            "{what}: closed after {took:?}: {answer}"
        );
        if what.starts_with("a keep-alive") {
            assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        }
    }
    assert_eq!(node.blocking_health()["ok"], true);
}

/// Lowers the running node's open-file limit.
fn limit_files(pid: u32, n: u32) {
    let st = Command::new("prlimit")
        .args(["--pid", &pid.to_string(), &format!("--nofile={n}:{n}")])
        .status()
        .expect("prlimit (util-linux) must be installed");
    assert!(st.success());
}

/// Opens `n` connections that never send a byte (and keeps them open).
fn idle_connections(port: u16, n: usize) -> Vec<TcpStream> {
    (0..n)
        .filter_map(|_| TcpStream::connect(("127.0.0.1", port)).ok())
        .collect()
}

#[test]
fn health_answers_with_600_idle_connections_at_ulimit_512() {
    let node = Node::memory();
    limit_files(node.pid(), 512);
    let idle = idle_connections(node.port, 600);
    std::thread::sleep(Duration::from_millis(500));
    let start = Instant::now();
    let (status, body) = common::api::get(node.port, "/api/health").expect("health answered");
    let took = start.elapsed();
    eprintln!(
        "health with {} idle connections at ulimit -n 512: {status} in {took:?}",
        idle.len()
    );
    assert_eq!(status, 200, "{body}");
    assert!(took < Duration::from_secs(3), "{took:?}");
    drop(idle);
}

#[tokio::test(flavor = "multi_thread")]
async fn https_health_answers_with_600_idle_connections_at_ulimit_512() {
    let node = Node::start(
        &NodeConfig::new(Mode::Memory)
            .without_secret_and_accounts()
            .args(&["--dev", "--self-signed", "--json"])
            .sigterm_on_drop(),
    );
    limit_files(node.pid(), 512);
    let idle = idle_connections(node.port, 600);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let http = reqwest::Client::builder()
        .danger_accept_invalid_certs(true)
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let start = Instant::now();
    let r = http
        .get(node.url("/api/health"))
        .send()
        .await
        .expect("health over https");
    eprintln!(
        "https health with {} idle connections at ulimit -n 512: {} in {:?}",
        idle.len(),
        r.status(),
        start.elapsed()
    );
    assert_eq!(r.status(), 200);
    drop(idle);
}

/// 20 wrong logins from one address: the first ones are 401, then 429 with Retry-After
/// (without the password being checked); a login from another loopback address still
/// succeeds at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_logins_from_one_address_are_limited_and_others_are_not() {
    use common::node::{EMAIL, PASSWORD};
    let node = Node::memory();
    let http = common::api::http();
    let mut statuses = Vec::new();
    let mut retry_after = None;
    for _ in 0..20 {
        let r = http
            .post(node.url("/api/auth/login"))
            .json(&serde_json::json!({"email": EMAIL, "password": "wrong"}))
            .send()
            .await
            .unwrap();
        statuses.push(r.status().as_u16());
        if r.status() == 429 {
            retry_after = r
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
        }
    }
    assert_eq!(&statuses[..10], &[401; 10], "{statuses:?}");
    assert!(statuses[10..].iter().all(|s| *s == 429), "{statuses:?}");
    let secs: u64 = retry_after.expect("Retry-After").parse().unwrap();
    assert!((1..=10).contains(&secs), "{secs}");
    // The right password from this address waits too; from another address it works.
    let other = reqwest::Client::builder()
        .local_address(std::net::IpAddr::from([127, 0, 0, 2]))
        .build()
        .unwrap();
    let r = other
        .post(node.url("/api/auth/login"))
        .json(&serde_json::json!({"email": EMAIL, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let limited = node
        .log_lines()
        .iter()
        .filter(|l| {
            l["msg"]
                .as_str()
                .is_some_and(|m| m.starts_with("failed logins limited"))
        })
        .count();
    assert_eq!(limited, 1, "said once per window: {}", node.log_text());
}

/// `--max-clients-per-ip 5`: the sixth stream from one address is refused with 503 and
/// Retry-After; the five keep their events; a slot comes back when a stream ends.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streams_beyond_the_per_address_cap_are_refused_and_the_others_keep_their_events() {
    use common::api::SseReader;
    let node = Node::start(&NodeConfig::new(Mode::Memory).args(&["--max-clients-per-ip", "5"]));
    let mut readers = Vec::new();
    for _ in 0..5 {
        readers.push(SseReader::open(&node.url("/api/stream"), None).await);
    }
    let http = common::api::http();
    let r = http.get(node.url("/api/stream")).send().await.unwrap();
    assert_eq!(r.status(), 503);
    assert!(r.headers().get("retry-after").is_some());
    let token = node.login(&http).await;
    let (status, _) = node
        .invalidate(
            &http,
            Some(&token),
            &serde_json::json!({"type": "posts", "mirror": false}),
        )
        .await;
    assert_eq!(status, 200);
    for r in readers.iter_mut() {
        let (name, _, data) = r.next_event(Duration::from_secs(10)).await.expect("an event");
        assert_eq!((name.as_str(), data["type"].as_str()), ("app-update", Some("posts")));
    }
    drop(readers.pop());
    let start = Instant::now();
    loop {
        let r = http.get(node.url("/api/stream")).send().await.unwrap();
        if r.status() == 200 {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(10), "the slot never came back");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
