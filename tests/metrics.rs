//! The node as operators watch it: a real Prometheus server (Debian's `prometheus`) scrapes
//! `GET /metrics` of a real node on loopback, `promtool check metrics` accepts the text, and
//! the probes tell a live node from a ready one while a real Redis pauses.

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::api::http;
use common::node::{Mode, Node, NodeConfig};
use common::process::Reaped;
use common::services::RedisServer;
use common::{free_port, wait_for_port};
use serde_json::{Value, json};

/// A Prometheus server scraping `target` (host:port) every second, killed on drop.
struct Prometheus {
    port: u16,
    _child: Reaped,
    _dir: tempfile::TempDir,
}

impl Prometheus {
    fn start(target: &str) -> Prometheus {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("prometheus.yml");
        std::fs::write(
            &config,
            format!(
                "global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: polycache\n    scrape_interval: 1s\n    static_configs:\n      - targets: ['{target}']\n"
            ),
        )
        .unwrap();
        let port = free_port();
        let child = Reaped::spawn(
            Command::new("prometheus")
                .arg(format!("--config.file={}", config.display()))
                .arg(format!("--storage.tsdb.path={}", dir.path().join("data").display()))
                .arg(format!("--web.listen-address=127.0.0.1:{port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null()),
            "prometheus must be installed (apt-get install prometheus); .ci/run installs it",
        );
        assert!(wait_for_port(port, Duration::from_secs(30)), "prometheus did not start");
        Prometheus {
            port,
            _child: child,
            _dir: dir,
        }
    }

    /// The value of an instant query's first series, once it equals `want` (polls 40 s).
    async fn wait_value(&self, http: &reqwest::Client, query: &str, want: f64) {
        let start = Instant::now();
        let mut last = Value::Null;
        while start.elapsed() < Duration::from_secs(40) {
            let url = format!("http://127.0.0.1:{}/api/v1/query", self.port);
            if let Ok(r) = http.get(&url).query(&[("query", query)]).send().await
                && let Ok(v) = r.json::<Value>().await
            {
                let value = v["data"]["result"][0]["value"][1]
                    .as_str()
                    .and_then(|s| s.parse::<f64>().ok());
                if value == Some(want) {
                    return;
                }
                last = v;
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        panic!("Prometheus never saw {query} = {want}; last answer: {last}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prometheus_scrapes_the_counters_and_the_mirror_latency() {
    let mirror = Node::memory();
    let node = Node::start(&NodeConfig::new(Mode::Memory).mirrors(&[&mirror.base]));
    let http = http();
    let token = node.login(&http).await;
    for _ in 0..3 {
        let (status, body) = node.invalidate(&http, Some(&token), &json!({"type": "posts"})).await;
        assert_eq!(status, 200, "{body}");
    }
    let (status, _) = node.invalidate(&http, Some(&token), &json!({"type": "nope"})).await;
    assert_ne!(status, 200);
    let (status, _) = common::api::post_json(
        &http,
        &node.url("/api/auth/login"),
        None,
        &json!({"email": common::node::EMAIL, "password": "wrong"}),
    )
    .await;
    assert_eq!(status, 401);

    // The text passes promtool, and names what happened.
    let text = http
        .get(node.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let mut check = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("promtool (Debian's prometheus package)");
    use std::io::Write;
    check.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    let out = check.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "promtool: {}{}\n{text}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("polycache_build{version=\""), "{text}");

    let prom = Prometheus::start(&format!("127.0.0.1:{}", node.port));
    prom.wait_value(
        &http,
        r#"polycache_invalidations_total{type="posts",outcome="ok"}"#,
        3.0,
    )
    .await;
    prom.wait_value(&http, r#"polycache_invalidations_total{outcome="unknown_type"}"#, 1.0)
        .await;
    prom.wait_value(&http, r#"polycache_logins_total{outcome="rejected"}"#, 1.0)
        .await;
    let target = &mirror.base;
    prom.wait_value(
        &http,
        &format!(r#"polycache_mirror_invalidations_total{{target="{target}",outcome="ok"}}"#),
        3.0,
    )
    .await;
    prom.wait_value(
        &http,
        &format!(r#"polycache_mirror_invalidation_duration_seconds_count{{target="{target}"}}"#),
        3.0,
    )
    .await;
    prom.wait_value(&http, "polycache_sse_events_total", 3.0).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readyz_follows_redis_while_livez_stays_up() {
    let redis = RedisServer::start();
    let node = Node::start(&NodeConfig::new(Mode::Redis(&redis)));
    let http = http();
    let status = |path: &'static str| {
        let http = http.clone();
        let url = node.url(path);
        async move { http.get(url).send().await.map(|r| r.status().as_u16()).unwrap_or(0) }
    };
    assert_eq!(status("/livez").await, 200);
    assert_eq!(status("/readyz").await, 200);
    let mut c = redis::Client::open(redis.url()).unwrap().get_connection().unwrap();
    let _: () = redis::cmd("CLIENT")
        .arg("PAUSE")
        .arg(4000)
        .arg("ALL")
        .query(&mut c)
        .unwrap();
    let start = Instant::now();
    assert_eq!(status("/readyz").await, 503, "not ready while Redis pauses");
    assert!(start.elapsed() < Duration::from_secs(2), "a probe answers fast");
    assert_eq!(status("/livez").await, 200, "alive all the same");
    let _: () = redis::cmd("CLIENT").arg("UNPAUSE").query(&mut c).unwrap();
    let start = Instant::now();
    while status("/readyz").await != 200 {
        assert!(start.elapsed() < Duration::from_secs(10), "never ready again");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// `--drain 2s`: after SIGTERM the node keeps serving with `/readyz` 503 (a balancer takes it
/// out), then stops.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readyz_is_503_while_the_node_drains() {
    let mut node = Node::start(&NodeConfig::new(Mode::Memory).args(&["--drain", "2s"]));
    let http = http();
    let ready = |http: reqwest::Client, url: String| async move {
        http.get(url).send().await.map(|r| r.status().as_u16()).unwrap_or(0)
    };
    assert_eq!(ready(http.clone(), node.url("/readyz")).await, 200);
    let start = Instant::now();
    let killed = Command::new("kill")
        .args(["-TERM", &node.pid().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        ready(http.clone(), node.url("/readyz")).await,
        503,
        "not ready while draining"
    );
    assert_eq!(ready(http.clone(), node.url("/livez")).await, 200, "still serving");
    assert!(node.wait_exit(Duration::from_secs(15)).is_some());
    let took = start.elapsed();
    assert!(
        took >= Duration::from_secs(2) && took < Duration::from_secs(8),
        "{took:?}"
    );
}
