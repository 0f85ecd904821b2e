//! Every byte from outside has a budget: peers that answer without end (a login, an
//! invalidation, a mirror's answer to `serve`'s broadcast, an SSE line) are cut off at a
//! documented limit with a named error, and the process stays small. Each test measures the
//! peak resident memory of the real process (`VmHWM`).

mod common;

use std::time::{Duration, Instant};

use common::node::{EMAIL, Mode, Node, NodeConfig, PASSWORD};
use common::peer::{Peer, Reply};
use common::process::Background;
use common::rss::Sampler;
use serde_json::{Value, json};

/// Well above what the process needs, far below what an unbounded read reaches in seconds
/// (gigabytes, before the limits).
const PEAK_LIMIT: u64 = 150 << 20;

fn endless_json() -> Reply {
    Reply::Endless {
        status: 200,
        content_type: "application/json".into(),
        prefix: r#"{"success":true,"token":""#.into(),
    }
}

/// A peer whose login answers without end, or (`login_ok`) whose login is fine and whose
/// invalidation answers without end.
fn endless_peer(login_ok: bool) -> Peer {
    Peer::start(move |req| {
        if login_ok && req.path.ends_with("/auth/login") {
            Reply::json(200, json!({"token": "opaque-token", "expires_in": 3600}))
        } else {
            endless_json()
        }
    })
}

/// Runs `polycache ARGS` with the service account, sampling its peak memory; returns
/// (exit code, stdout, stderr, peak bytes, time taken).
fn run_sampled(args: &[&str]) -> (i32, String, String, u64, Duration) {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = common::clean_command(dir.path());
    cmd.args(args)
        .env("SERVICE_EMAIL", EMAIL)
        .env("SERVICE_PASSWORD", PASSWORD);
    let start = Instant::now();
    let mut bg = Background::start(cmd, dir.path().join("out"), dir.path().join("err"));
    let sampler = Sampler::start(bg.pid());
    let code = bg.wait();
    let took = start.elapsed();
    (code, bg.stdout_text(), bg.stderr_text(), sampler.max(), took)
}

fn mib(b: u64) -> f64 {
    b as f64 / 1048576.0
}

#[test]
fn invalidate_cuts_off_an_endless_login_answer_and_an_endless_invalidation_answer() {
    for login_ok in [false, true] {
        let peer = endless_peer(login_ok);
        let (code, stdout, stderr, peak, took) = run_sampled(&[
            "--json",
            "invalidate",
            "posts",
            "--only",
            &peer.base,
            "--timeout",
            "10s",
        ]);
        let step = if login_ok { "invalidation" } else { "login" };
        eprintln!(
            "invalidate against an endless {step} answer: peak {:.1} MiB, {took:?}",
            mib(peak)
        );
        assert_eq!(code, 1, "{stdout}{stderr}");
        let report: Value = serde_json::from_str(&stdout).expect("--json report");
        let error = report["results"][0]["error"].as_str().unwrap_or_default().to_string();
        assert!(error.contains("over the 1 MiB limit"), "{error}");
        assert!(peak < PEAK_LIMIT, "peak {:.1} MiB", mib(peak));
        assert!(
            took < Duration::from_secs(5),
            "cut off at the limit, not the deadline: {took:?}"
        );
        // Over budget is not retried: one login (and one invalidation).
        assert_eq!(peer.received().len(), if login_ok { 2 } else { 1 });
    }
}

#[test]
fn tail_cuts_off_an_endless_sse_line() {
    let peer = Peer::start(|_| Reply::Endless {
        status: 200,
        content_type: "text/event-stream".into(),
        prefix: "event: app-update\ndata: ".into(),
    });
    let (code, stdout, stderr, peak, _) = run_sampled(&["tail", "--only", &peer.base, "--timeout", "4s"]);
    eprintln!("tail against an endless data: line: peak {:.1} MiB", mib(peak));
    assert!(peak < PEAK_LIMIT, "peak {:.1} MiB", mib(peak));
    assert!(stderr.contains("over the 1 MiB limit"), "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert_eq!(code, 0, "the stream opened: --timeout ends it as usual");
    // It reconnects with its backoff, not in a tight loop.
    let tries = peer.received().len();
    assert!((1..20).contains(&tries), "{tries} connections in 4 s");
}

#[test]
fn serve_cuts_off_an_endless_mirror_answer_during_its_broadcast() {
    for login_ok in [false, true] {
        let mirror = endless_peer(login_ok);
        let node = Node::start(&NodeConfig::new(Mode::Memory).mirrors(&[&mirror.base]));
        let sampler = Sampler::start(node.pid());
        let dir = tempfile::tempdir().unwrap();
        let out = common::node::client(dir.path())
            .args(["invalidate", "pages", "--via-server", "--url", &node.base])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        let start = Instant::now();
        let line = loop {
            let found = node
                .log_lines()
                .into_iter()
                .find(|l| l["msg"] == "mirror invalidation failed");
            if let Some(l) = found {
                break l;
            }
            assert!(start.elapsed() < Duration::from_secs(15), "{}", node.log_text());
            std::thread::sleep(Duration::from_millis(50));
        };
        let peak = sampler.max();
        eprintln!(
            "serve broadcasting to a mirror with an endless {} answer: peak {:.1} MiB",
            if login_ok { "invalidation" } else { "login" },
            mib(peak)
        );
        assert!(peak < PEAK_LIMIT, "peak {:.1} MiB", mib(peak));
        assert!(line.to_string().contains("over the 1 MiB limit"), "{line}");
        assert_eq!(node.blocking_health()["ok"], true);
    }
}

/// `tail` follows a server's `retry:` hint, with a 100 ms floor: a peer that says
/// `retry: 0` and closes after each event gets about ten reconnects a second, not thousands
/// (6,508 in 10 s before the floor); `retry: 1000` gets about one a second.
#[test]
fn tail_follows_the_retry_hint_with_a_floor() {
    for (retry, range) in [(0u64, 8..=40), (1000, 2..=5)] {
        let peer = Peer::start(move |_| Reply::Respond {
            status: 200,
            headers: vec![("Content-Type".into(), "text/event-stream".into())],
            body: format!("retry: {retry}\nevent: app-update\ndata: {{\"type\":\"posts\"}}\n\n"),
        });
        let (code, stdout, stderr, _, _) = run_sampled(&["tail", "--only", &peer.base, "--timeout", "3s"]);
        let n = peer.received().len();
        eprintln!("retry: {retry} -> {n} connections in 3 s");
        assert_eq!(code, 0, "{stderr}");
        assert!(stdout.contains("posts"), "{stdout}");
        assert!(range.contains(&n), "retry: {retry}: {n} connections in 3 s");
    }
}
