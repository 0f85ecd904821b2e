//! `polycache serve` as a real browser sees it: headless Chromium (Debian's `chromium`),
//! pages on another loopback origin using `EventSource` and `fetch` as a frontend does,
//! HTTPS/HTTP2 with the `--dev --self-signed` certificate trusted by the browser profile,
//! and the node's own page at `/`. Each test starts its own browser and nodes, which are
//! killed on drop, also when an assertion fails.

#[path = "../common/mod.rs"]
mod common;
mod harness;

use std::time::{Duration, Instant};

use common::node::{EMAIL, Mode, Node, NodeConfig, PASSWORD};
use harness::{Chromium, Origin, dev_account, dev_ca, dev_env_file, https_client, invalidate, tls_node};
use serde_json::{Value, json};

/// A page that opens `n` EventSources to `node` (both from the query string) and records
/// what each sees; the test reads `window.seen` over DevTools.
const STREAM_PAGE: &str = r#"<!doctype html>
<title>stream test page</title>
<script>
const q = new URLSearchParams(location.search);
const NODE = q.get("node");
const N = Number(q.get("n") || "1");
const CREDENTIALS = q.get("credentials") === "1";
window.seen = { opens: [], errors: [], events: [] };
for (let i = 0; i < N; i++) {
  seen.opens.push(0); seen.errors.push(0); seen.events.push([]);
  const source = new EventSource(NODE + "/api/stream", { withCredentials: CREDENTIALS });
  window.sources = (window.sources || []).concat([source]);
  source.onopen = () => { seen.opens[i] += 1; };
  source.onerror = () => { seen.errors[i] += 1; };
  source.addEventListener("app-update", (ev) => {
    seen.events[i].push({ id: ev.lastEventId, type: JSON.parse(ev.data).type });
  });
}
// A frontend's authenticated call: preflighted (JSON body, Authorization).
window.api = async (path, body, token) => {
  try {
    const headers = { "content-type": "application/json" };
    if (token) headers.authorization = "Bearer " + token;
    const r = await fetch(NODE + path, { method: "POST", headers, body: JSON.stringify(body) });
    return { status: r.status, body: await r.json() };
  } catch (e) {
    return { blocked: String(e) };
  }
};
</script>
"#;

const OPEN_STREAMS: &str = "seen.opens.filter((n) => n > 0).length";

fn page_url(origin: &Origin, node: &str, n: usize) -> String {
    format!("{}?node={node}&n={n}", origin.url())
}

/// The same page, its EventSource created `withCredentials`.
fn credentialed_page_url(origin: &Origin, node: &str) -> String {
    format!("{}?node={node}&n=1&credentials=1", origin.url())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_on_another_origin_follows_the_stream_across_a_node_restart() {
    let origin = Origin::serve(STREAM_PAGE.to_string());
    let stranger = Origin::serve(STREAM_PAGE.to_string());
    let state = tempfile::tempdir().unwrap();
    let state_file = state.path().join("events.ndjson").display().to_string();
    // A 3 s reconnect hint: time enough to restart the node and send an event while the
    // browser is away.
    let mut node = Node::start(&NodeConfig::new(Mode::Memory).args(&[
        "--state",
        &state_file,
        "--sse-retry",
        "3s",
        "--cors-origin",
        &origin.origin(),
    ]));
    let browser = Chromium::start();
    let mut tab = browser.tab().await;
    // `withCredentials`, as a frontend that sends cookies does: a listed origin may.
    tab.navigate(&credentialed_page_url(&origin, &node.base)).await;
    tab.wait_for(
        &format!("{OPEN_STREAMS} === 1"),
        Duration::from_secs(10),
        "the stream opens",
        "seen",
    )
    .await;

    // The configured origin may log in and invalidate from the page (preflighted calls).
    let login = tab
        .eval(&format!(
            "api('/api/auth/login', {{email: '{EMAIL}', password: '{PASSWORD}'}})"
        ))
        .await;
    assert_eq!(login["status"], 200, "{login}");
    let token = login["body"]["token"].as_str().expect("token").to_string();
    let inv = tab
        .eval(&format!(
            "api('/api/cache/invalidate', {{type: 'posts', mirror: false}}, '{token}')"
        ))
        .await;
    assert_eq!(inv["status"], 200, "{inv}");
    let http = reqwest::Client::new();
    assert_eq!(invalidate(&http, &node.base, EMAIL, PASSWORD, "pages").await, 200);
    tab.wait_for(
        "seen.events[0].length === 2",
        Duration::from_secs(10),
        "two events",
        "seen",
    )
    .await;

    // The node goes away; the browser notices, and retries by itself after `retry:`.
    node.kill();
    tab.wait_for(
        "seen.errors[0] >= 1",
        Duration::from_secs(10),
        "the browser sees the drop",
        "seen",
    )
    .await;
    node.restart();
    // An event sent while the browser is away: only a Last-Event-ID replay brings it.
    assert_eq!(invalidate(&http, &node.base, EMAIL, PASSWORD, "categories").await, 200);
    assert_eq!(
        node.blocking_health()["clients"],
        0,
        "the browser reconnected before the event was sent; the replay is not tested"
    );
    tab.wait_for(
        "seen.events[0].length === 3",
        Duration::from_secs(15),
        "the replayed event",
        "seen",
    )
    .await;
    assert_eq!(node.blocking_health()["clients"], 1);
    assert_eq!(invalidate(&http, &node.base, EMAIL, PASSWORD, "feed").await, 200);
    tab.wait_for(
        "seen.events[0].length === 4",
        Duration::from_secs(10),
        "the live event",
        "seen",
    )
    .await;
    // Nothing more arrives (no duplicate from the replay).
    tokio::time::sleep(Duration::from_millis(300)).await;
    let seen = tab.eval("seen").await;
    assert_eq!(
        seen["events"][0],
        json!([
            {"id": "1", "type": "posts"},
            {"id": "2", "type": "pages"},
            {"id": "3", "type": "categories"},
            {"id": "4", "type": "feed"},
        ]),
        "every event exactly once, in order: {seen}"
    );
    assert_eq!(seen["opens"][0], 2, "opened, then reopened by itself: {seen}");

    // Another origin still reads the public stream and health, but not the API.
    tab.navigate(&page_url(&stranger, &node.base, 1)).await;
    tab.wait_for(
        &format!("{OPEN_STREAMS} === 1"),
        Duration::from_secs(10),
        "the stream opens",
        "seen",
    )
    .await;
    let health = tab
        .eval(&format!("fetch('{}/api/health').then((r) => r.json())", node.base))
        .await;
    assert_eq!(health["ok"], true, "{health}");
    let login = tab
        .eval(&format!(
            "api('/api/auth/login', {{email: '{EMAIL}', password: '{PASSWORD}'}})"
        ))
        .await;
    assert!(
        login["blocked"].as_str().is_some(),
        "an unlisted origin used the API: {login}"
    );
    // ... nor send credentials to the stream: the browser refuses it and gives up.
    tab.navigate(&credentialed_page_url(&stranger, &node.base)).await;
    tab.wait_for(
        "seen.errors[0] >= 1 && sources[0].readyState === EventSource.CLOSED",
        Duration::from_secs(10),
        "a credentialed stream from an unlisted origin is refused",
        "seen",
    )
    .await;
    assert_eq!(tab.eval("seen.opens[0]").await, 0);
}

/// Opens 20 EventSources in one page against `node`, waits up to `wait` and returns how
/// many opened and how long the last one took.
async fn open_twenty(tab: &mut harness::Tab, origin: &Origin, node: &str, wait: Duration) -> (u64, Duration) {
    tab.navigate(&page_url(origin, node, 20)).await;
    let start = Instant::now();
    let mut last = 0;
    let mut at = Duration::ZERO;
    while start.elapsed() < wait {
        let open = tab.eval(OPEN_STREAMS).await.as_u64().unwrap_or(0);
        if open > last {
            (last, at) = (open, start.elapsed());
        }
        if open == 20 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    (last, at)
}

/// Whether a `fetch` of `/api/health` from the page finishes within `ms`.
async fn health_answers_within(tab: &mut harness::Tab, node: &str, ms: u64) -> bool {
    let js = format!(
        "Promise.race([fetch('{node}/api/health').then((r) => r.text()).then(() => true), new Promise((r) => setTimeout(() => r(false), {ms}))])"
    );
    tab.eval(&js).await == json!(true)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_streams_in_one_page_all_open_over_http2_and_hear_the_next_invalidation() {
    let origin = Origin::serve(STREAM_PAGE.to_string());
    let node = tls_node(&[]);
    assert!(node.base.starts_with("https://127.0.0.1:"), "{}", node.base);
    let browser = Chromium::start_trusting(&[&dev_ca(&node)]);
    let mut tab = browser.tab().await;

    let (open, took) = open_twenty(&mut tab, &origin, &node.base, Duration::from_secs(10)).await;
    assert_eq!(open, 20, "over HTTP/2 every stream opens");
    assert!(
        health_answers_within(&mut tab, &node.base, 2000).await,
        "a fetch beside 20 streams"
    );
    assert_eq!(
        tab.eval("seen.errors.reduce((a, b) => a + b, 0)").await,
        0,
        "no stream failed"
    );

    // The CLI trusts the same CA (POLYCACHE_CACERT in the dev env file), also over HTTP/2.
    let dir = tempfile::tempdir().unwrap();
    let out = common::polycache(dir.path())
        .args([
            "--env-file",
            &dev_env_file(&node).display().to_string(),
            "invalidate",
            "posts",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    tab.wait_for(
        "seen.events.every((e) => e.length === 1 && e[0].type === 'posts')",
        Duration::from_secs(10),
        "all 20 streams hear the invalidation",
        "seen",
    )
    .await;

    // The node's own page over HTTPS, as the browser negotiated it (a same-origin page
    // may read its protocol; another origin's may not).
    tab.navigate(&node.url("/")).await;
    let protocol = tab
        .eval("performance.getEntriesByType('navigation')[0].nextHopProtocol")
        .await;
    assert_eq!(protocol, "h2", "the browser and the node speak HTTP/2");

    // The same page over plain HTTP/1.1: the browser's 6 connections per host.
    let plain = Node::memory();
    let (open_h1, _) = open_twenty(&mut tab, &origin, &plain.base, Duration::from_secs(3)).await;
    let health_h1 = health_answers_within(&mut tab, &plain.base, 2000).await;
    println!(
        "20 EventSources in one page: HTTP/2 {open} open (all within {took:?}), fetch beside them answered; \
         HTTP/1.1 {open_h1} open after 3 s, fetch beside them {}",
        if health_h1 {
            "answered"
        } else {
            "still waiting after 2 s"
        }
    );
    assert!(
        open_h1 < 20,
        "HTTP/1.1 is expected to cap the page (6 per host), saw {open_h1}"
    );
}

#[test]
fn the_cli_trusts_the_dev_ca_only_when_told_and_tails_over_https() {
    let node = tls_node(&[]);
    let dir = tempfile::tempdir().unwrap();
    let env = dev_env_file(&node).display().to_string();
    let (email, password) = dev_account(&dev_env_file(&node));

    // Without --cacert the certificate is refused: nothing turns the check off.
    let out = common::polycache(dir.path())
        .env("SERVICE_EMAIL", &email)
        .env("SERVICE_PASSWORD", &password)
        .args(["invalidate", "posts", "--url", &node.base, "--retries", "0"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("TLS: the server's certificate is signed by an authority this machine does not trust"),
        "{text}"
    );
    let out = common::polycache(dir.path())
        .args(["tail", "--url", &node.base, "--timeout", "5s"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("signed by an authority this machine does not trust") && err.contains("--cacert"),
        "{err}"
    );

    // A --cacert that is not a certificate is named, with the fix.
    let bogus = dir.path().join("not-a-ca.pem");
    std::fs::write(&bogus, "hello").unwrap();
    let out = common::polycache(dir.path())
        .args(["tail", "--url", &node.base, "--cacert", &bogus.display().to_string()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("not-a-ca.pem") && err.contains("holds no PEM certificate"),
        "{err}"
    );

    // With the CA (the dev env file names it), tail follows the HTTPS stream.
    let mut tail = common::process::Background::spawn(
        dir.path(),
        &["--env-file", &env, "tail", "--count", "1", "--timeout", "20s"],
    );
    let start = Instant::now();
    while !tail.stderr_text().contains("following") && start.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = common::polycache(dir.path())
        .args(["--env-file", &env, "invalidate", "pictures"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(tail.wait(), 0, "{}", tail.stderr_text());
    assert!(tail.stdout_text().contains("app-update"), "{}", tail.stdout_text());
}

#[test]
fn the_dev_certificate_files_are_private_and_gone_when_the_node_stops() {
    let node = tls_node(&[]);
    let (ca, env) = (dev_ca(&node), dev_env_file(&node));
    for f in [&ca, &env] {
        let mode = std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(f).unwrap().permissions());
        assert_eq!(mode & 0o777, 0o600, "{}", f.display());
    }
    let pem = std::fs::read_to_string(&ca).unwrap();
    assert!(pem.contains("BEGIN CERTIFICATE") && !pem.contains("PRIVATE KEY"));
    let env_text = std::fs::read_to_string(&env).unwrap();
    assert!(env_text.contains(&format!("POLYCACHE_URL={}", node.base)), "{env_text}");
    assert!(
        env_text.contains(&format!("POLYCACHE_CACERT={}", ca.display())),
        "{env_text}"
    );
    drop(node); // SIGTERM
    assert!(!ca.exists() && !env.exists(), "the dev files outlived the node");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_at_root_renders_and_shows_an_invalidation_within_a_second() {
    let node = Node::memory();
    let browser = Chromium::start();
    let mut tab = browser.tab().await;
    tab.navigate(&format!("{}/", node.base)).await;
    let show = "document.body.innerText";
    // The node locks its entries (no --dev): the page asks for the token, shows none.
    tab.wait_for(
        "document.getElementById('status').textContent === 'open' && !document.getElementById('unlock').hidden && document.querySelectorAll('#entries tr.entry').length === 0",
        Duration::from_secs(10),
        "the page connects and asks for the token",
        show,
    )
    .await;
    let http = reqwest::Client::new();
    let token = node.login(&http).await;
    tab.eval(
        "document.getElementById('token').value = 'not-a-token'; document.getElementById('unlock').requestSubmit(); 1",
    )
    .await;
    tab.wait_for(
        "document.getElementById('unlock-error').textContent === 'that token was refused'",
        Duration::from_secs(10),
        "a wrong token is refused",
        show,
    )
    .await;
    tab.eval(&format!(
        "document.getElementById('token').value = '{token}'; document.getElementById('unlock').requestSubmit(); 1"
    ))
    .await;
    tab.wait_for(
        "document.getElementById('unlock').hidden && document.querySelectorAll('#entries tr.entry').length > 0 && document.getElementById('clients').textContent === '1'",
        Duration::from_secs(10),
        "with the token the page lists entries and clients",
        show,
    )
    .await;
    let pictures_before = tab
        .eval("document.querySelector('#entries tr[data-type=pictures]').cells[1].textContent")
        .await;
    assert_eq!(pictures_before, "3", "--demo-data puts 3 entries per type");

    let sent_ms = epoch_ms();
    let sent = Instant::now();
    let status = http
        .post(format!("{}/api/cache/invalidate", node.base))
        .bearer_auth(&token)
        .json(&json!({"type": "picture", "id": 42, "mirror": false}))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 200);
    tab.wait_for(
        "document.querySelector('#events tr.event[data-id=\"1\"]') !== null",
        Duration::from_secs(5),
        "the invalidation on the page",
        show,
    )
    .await;
    // An upper bound (it includes this test's polling), and the page's own stamp.
    let seen_after = sent.elapsed();
    let stamped = tab
        .eval("Number(document.querySelector('#events tr.event').dataset.received)")
        .await
        .as_u64()
        .unwrap_or(0);
    println!(
        "GET / showed the invalidation {} ms after it was sent (row stamped by the page), seen by the test after {seen_after:?}",
        stamped.saturating_sub(sent_ms)
    );
    assert!(seen_after < Duration::from_secs(1), "took {seen_after:?}");

    let row: Vec<Value> = serde_json::from_value(
        tab.eval("[...document.querySelector('#events tr.event').cells].map((c) => c.textContent)")
            .await,
    )
    .unwrap();
    let texts: Vec<&str> = row.iter().filter_map(Value::as_str).collect();
    assert_eq!(
        texts[1..],
        [
            "app-update",
            "1",
            "pictures",
            "42",
            "update",
            "pictures → posts → pages → feed"
        ],
        "{texts:?}"
    );
    // The entries are refetched: the cascade's types are empty now, the others kept.
    tab.wait_for(
        "['pictures', 'posts', 'pages', 'feed'].every((t) => document.querySelector(`#entries tr[data-type=${t}]`).cells[1].textContent === '0') && document.querySelector('#entries tr[data-type=types]').cells[1].textContent === '3'",
        Duration::from_secs(5),
        "the entries are refetched",
        show,
    )
    .await;

    let png = tab.screenshot().await;
    assert!(
        png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 10_000,
        "{} bytes",
        png.len()
    );
    let file = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("serve-page.png");
    std::fs::write(&file, &png).unwrap();
    println!("screenshot: {}", file.display());
}

fn epoch_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_over_https_answers_with_http2_and_cors_to_the_cli_client() {
    let node = tls_node(&["--cors-origin", "http://127.0.0.1:5173"]);
    let http = https_client(&dev_ca(&node));
    let r = http
        .get(node.url("/api/stream"))
        .header("origin", "http://127.0.0.1:9")
        .send()
        .await
        .unwrap();
    assert_eq!(r.version(), reqwest::Version::HTTP_2);
    assert_eq!(r.headers()["access-control-allow-origin"], "http://127.0.0.1:9");
    assert!(r.headers().get("access-control-allow-credentials").is_none());
    let mut body = r.bytes_stream();
    let first = tokio::time::timeout(Duration::from_secs(2), futures::StreamExt::next(&mut body))
        .await
        .expect("first bytes at once")
        .unwrap()
        .unwrap();
    assert_eq!(&first[..], b"retry: 2000\n: connected\n\n");
    // A listed origin may send credentials to the public routes too.
    let listed = http
        .get(node.url("/api/health"))
        .header("origin", "http://127.0.0.1:5173")
        .send()
        .await
        .unwrap();
    assert_eq!(listed.headers()["access-control-allow-origin"], "http://127.0.0.1:5173");
    assert_eq!(listed.headers()["access-control-allow-credentials"], "true");
    // Preflight of the API: the listed origin with credentials, another without.
    let preflight = |origin: &'static str| {
        http.request(reqwest::Method::OPTIONS, node.url("/api/cache/invalidate"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "authorization,content-type")
            .send()
    };
    let ok = preflight("http://127.0.0.1:5173").await.unwrap();
    assert_eq!(ok.status(), 200);
    assert_eq!(ok.headers()["access-control-allow-origin"], "http://127.0.0.1:5173");
    assert_eq!(ok.headers()["access-control-allow-credentials"], "true");
    let no = preflight("http://127.0.0.1:9").await.unwrap();
    assert!(no.headers().get("access-control-allow-origin").is_none());
    let (email, password) = dev_account(&dev_env_file(&node));
    assert_eq!(invalidate(&http, &node.base, &email, &password, "feed").await, 200);
    // The open HTTP/2 stream gets the event, and SIGTERM ends it and the node cleanly.
    let mut rest = Vec::new();
    while !String::from_utf8_lossy(&rest).contains("event: app-update") {
        let chunk = tokio::time::timeout(Duration::from_secs(5), futures::StreamExt::next(&mut body))
            .await
            .expect("the event on the open stream")
            .expect("stream open")
            .unwrap();
        rest.extend_from_slice(&chunk);
    }
    let mut node = node;
    let status = node.stop();
    assert_eq!(
        status.and_then(|s| s.code()),
        Some(0),
        "SIGTERM with an open HTTP/2 stream"
    );
    // Whatever was still buffered, then the end (no hang).
    let ended = tokio::time::timeout(Duration::from_secs(5), async {
        while let Some(Ok(_)) = futures::StreamExt::next(&mut body).await {}
    })
    .await;
    assert!(ended.is_ok(), "the stream did not end after the node stopped");
}

#[test]
fn serve_refuses_bad_tls_files_and_origins_and_says_how_to_fix_them() {
    let dir = tempfile::tempdir().unwrap();
    let make = |name: &str| {
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = rcgen::CertificateParams::new(vec!["localhost".to_string()])
            .unwrap()
            .self_signed(&key)
            .unwrap();
        let (c, k) = (
            dir.path().join(format!("{name}.crt")),
            dir.path().join(format!("{name}.key")),
        );
        std::fs::write(&c, cert.pem()).unwrap();
        std::fs::write(&k, key.serialize_pem()).unwrap();
        (c.display().to_string(), k.display().to_string())
    };
    let (a_crt, _) = make("a");
    let (_, b_key) = make("b");
    let serve = |args: &[&str]| {
        let out = common::polycache(dir.path())
            .args(["serve", "--dev", "--port", "0"])
            .args(args)
            .timeout(Duration::from_secs(20))
            .output()
            .unwrap();
        (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
    };
    let (code, err) = serve(&["--tls-cert", &a_crt, "--tls-key", &b_key]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("b.key") && err.contains("does not belong to the certificate") && err.contains("a.crt"),
        "{err}"
    );
    assert!(err.contains("hint:") && !err.contains("PRIVATE KEY"), "{err}");

    let (code, err) = serve(&["--cors-origin", "localhost:5173"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("`localhost:5173` has no scheme"), "{err}");
    assert!(err.contains("--cors-origin http://localhost:5173"), "{err}");

    // --self-signed is a development tool only.
    let out = common::polycache(dir.path())
        .args(["serve", "--self-signed", "--port", "0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--dev"));
}
