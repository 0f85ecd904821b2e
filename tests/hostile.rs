//! What polycache does when the world misbehaves: peers that redirect, hang or lie, and
//! URLs that carry what they should not. Each test names the misbehaving peer it builds
//! (a few lines of loopback server, `common::peer`) and asserts what a user relies on.

mod common;

use std::time::{Duration, Instant};

use common::node::{EMAIL, Mode, Node, NodeConfig, PASSWORD, client};
use common::peer::{Peer, Reply};
use common::process::Background;
use common::{free_port, polycache};
use serde_json::{Value, json};

const TOKEN_LIKE: &str = "opaque-test-token-Vq7Lm2";

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).to_string()
}

/// Runs a client command (service account set); returns (exit code, stdout, stderr).
fn run(args: &[&str]) -> (i32, String, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = client(dir.path()).args(args).output().expect("run polycache");
    (out.status.code().unwrap_or(-1), text(&out.stdout), text(&out.stderr))
}

/// A peer that plays a Polymech server whose invalidation answers with `answer`.
fn server_answering(answer: impl Fn() -> Reply + Send + Sync + 'static) -> Peer {
    Peer::start(move |req| {
        if req.path.ends_with("/auth/login") {
            Reply::json(200, json!({"token": TOKEN_LIKE, "expires_in": 3600}))
        } else {
            answer()
        }
    })
}

#[test]
fn a_login_answered_with_a_redirect_never_sends_the_password_on() {
    // Where a hostile proxy would like the password to go: it records what it gets.
    let sink = server_answering(|| Reply::json(200, json!({"success": true, "invalidated": ["posts"]})));
    let to = format!("{}/api/auth/login", sink.base);
    let redirector = Peer::start(move |_| Reply::redirect(307, &to));

    let (code, stdout, stderr) = run(&["invalidate", "posts", "--only", &redirector.base]);
    assert_eq!(code, 1, "nothing succeeded: exit 1\n{stdout}{stderr}");
    assert!(
        sink.received().is_empty(),
        "the redirect was followed: {:?}",
        sink.received()
    );
    let asked = redirector.received();
    assert_eq!(asked.len(), 1, "one login, no retry of a redirect: {asked:?}");
    assert!(
        stdout.contains("307") && stdout.contains(&format!("redirect to {}/api/auth/login", sink.base)),
        "{stdout}"
    );
    assert!(!stdout.contains("ok 200"), "{stdout}");
    assert!(!format!("{stdout}{stderr}").contains(PASSWORD));
}

#[test]
fn an_invalidation_answered_with_a_redirect_never_sends_the_token_on() {
    let sink = server_answering(|| Reply::json(200, json!({"success": true, "invalidated": ["posts"]})));
    let to = format!("{}/api/cache/invalidate", sink.base);
    let redirector = Peer::start(move |req| {
        if req.path.ends_with("/auth/login") {
            Reply::json(200, json!({"token": TOKEN_LIKE}))
        } else {
            Reply::redirect(308, &to)
        }
    });
    let (code, stdout, stderr) = run(&["--json", "invalidate", "posts", "--only", &redirector.base]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(
        sink.received().is_empty(),
        "the token followed the redirect: {:?}",
        sink.received()
    );
    let report: Value = serde_json::from_str(&stdout).expect("json");
    let row = &report["results"][0];
    assert_eq!(row["ok"], false);
    assert_eq!(row["status"], 308);
    assert!(row["error"].as_str().unwrap_or_default().contains("redirect"), "{row}");
    assert!(!stdout.contains(TOKEN_LIKE) && !stderr.contains(TOKEN_LIKE));
}

#[test]
fn serve_never_follows_a_redirect_with_its_mirror_broadcast() {
    let sink = server_answering(|| Reply::json(200, json!({"success": true, "invalidated": ["pages"]})));
    let to = sink.base.clone();
    let redirector = Peer::start(move |req| Reply::redirect(307, &format!("{to}{}", req.path)));
    let local = Node::start(&NodeConfig::new(Mode::Memory).mirrors(&[&redirector.base]));
    let (code, stdout, stderr) = run(&["invalidate", "pages", "--via-server", "--url", &local.base]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let start = Instant::now();
    while redirector.received().is_empty() && start.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(50));
    }
    // Give a follow-up request (which must not come) the time to arrive.
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(redirector.received().len(), 1, "{:?}", redirector.received());
    assert!(
        sink.received().is_empty(),
        "the broadcast followed the redirect: {:?}",
        sink.received()
    );
}

#[test]
fn credentials_inside_urls_are_refused_and_never_echoed() {
    let secret = "Url-Passw0rd-k9";
    let mirrors = format!("http://127.0.0.1:9,http://svc:{secret}@127.0.0.1:{}", free_port());
    let dir = tempfile::tempdir().expect("tempdir");
    let runs: &[&[&str]] = &[
        &["config"],
        &["--json", "config"],
        &["doctor"],
        &["--json", "doctor"],
        &["invalidate", "posts", "--mirror", "--dry-run"],
        &["--json", "invalidate", "posts", "--mirror"],
        &["tail", "--mirror", "--timeout", "1s"],
    ];
    for args in runs {
        let out = polycache(dir.path())
            .env("CACHE_MIRRORS", &mirrors)
            .args(*args)
            .timeout(Duration::from_secs(30))
            .output()
            .expect("run");
        let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
        assert!(!all.contains(secret), "{args:?} printed the password:\n{all}");
        if args.contains(&"doctor") {
            assert!(all.contains("credentials"), "{args:?}: doctor names the problem\n{all}");
        } else {
            assert_eq!(out.status.code(), Some(2), "{args:?}: a configuration error\n{all}");
            assert!(
                all.contains("carries credentials") && all.contains("svc:••••@127.0.0.1"),
                "{args:?}\n{all}"
            );
            assert!(
                all.contains("SERVICE_EMAIL"),
                "{args:?}: says where credentials belong\n{all}"
            );
        }
    }
    // serve refuses to start with it, and says so without the password.
    let mut node = Background::spawn(
        dir.path(),
        &[
            "serve",
            "--mirrors",
            &mirrors,
            "--dev",
            "--port",
            &free_port().to_string(),
        ],
    );
    let code = node.wait();
    let all = format!("{}{}", node.stdout_text(), node.stderr_text());
    assert_ne!(code, 0, "{all}");
    assert!(!all.contains(secret) && all.contains("credentials"), "{all}");
}

#[test]
fn base_urls_with_a_query_a_fragment_or_a_bad_port_are_configuration_errors() {
    let peer = server_answering(|| Reply::json(200, json!({"success": true})));
    for (url, words) in [
        (format!("{}/x?y#z", peer.base), "query"),
        (format!("{}/x#frag", peer.base), "fragment"),
        ("http://127.0.0.1:99999".to_string(), "1 to 65535"),
        ("http://".to_string(), "no host"),
        ("javascript:alert(1)".to_string(), "scheme `javascript`"),
    ] {
        let (code, stdout, stderr) = run(&["invalidate", "posts", "--url", &url]);
        assert_eq!(code, 2, "{url}: {stdout}{stderr}");
        // The error names what was typed: the flag.
        assert!(
            stderr.contains(words) && stderr.contains(&format!("--url `{url}`")),
            "{url}: {stderr}"
        );
        assert!(!stderr.contains(PASSWORD), "{stderr}");
    }
    assert!(peer.received().is_empty(), "nothing is sent to a malformed base URL");
    // A path prefix is a base URL like any other: endpoints are appended to it.
    let (code, stdout, stderr) = run(&["invalidate", "posts", "--url", &format!("{}/prefix/", peer.base)]);
    let paths: Vec<String> = peer.received().iter().map(|r| r.path.clone()).collect();
    assert_eq!(
        paths,
        ["/prefix/api/auth/login", "/prefix/api/cache/invalidate"],
        "{stdout}{stderr}"
    );
    assert_eq!(code, 0, "{stdout}{stderr}");
}

#[test]
fn a_2xx_that_is_not_the_protocols_success_is_a_failure() {
    let cases: [(Reply, &str); 3] = [
        (
            Reply::json(200, json!({"success": false, "error": "cache is read-only"})),
            "cache is read-only",
        ),
        (
            Reply::html(200, "<html><body>Welcome to nginx!</body></html>"),
            "<html><body>Welcome to nginx!",
        ),
        (Reply::json(200, json!({"ok": true})), "success"),
    ];
    for (reply, words) in cases {
        let reply = std::sync::Mutex::new(Some(reply));
        let peer = server_answering(move || {
            reply
                .lock()
                .unwrap()
                .take()
                .unwrap_or_else(|| Reply::json(500, json!({"error": "asked twice"})))
        });
        let (code, stdout, stderr) = run(&["invalidate", "posts", "--only", &peer.base]);
        assert_eq!(code, 1, "{stdout}{stderr}");
        let line = stdout.lines().find(|l| l.contains("posts")).unwrap_or_default();
        assert!(line.contains("failed") && !line.contains("ok 2"), "{stdout}");
        assert!(stdout.contains(words), "{words}: {stdout}");
        assert!(stdout.contains("1 of 1 invalidations failed"), "{stdout}");
    }
}

#[test]
fn nothing_succeeding_exits_1_and_some_succeeding_exits_3() {
    // The node first: a port picked and released could be handed to it afterwards.
    let node = Node::memory();
    let dead = format!("http://127.0.0.1:{}", free_port());
    let (code, stdout, stderr) = run(&["invalidate", "posts", "--only", &dead, "--retries", "0"]);
    assert_eq!(code, 1, "1 of 1 failed is not 'partial'\n{stdout}{stderr}");
    let (code, stdout, stderr) = run(&[
        "invalidate",
        "posts",
        "--only",
        &format!("{},{dead}", node.base),
        "--retries",
        "0",
    ]);
    assert_eq!(code, 3, "{stdout}{stderr}");
}

#[test]
fn a_hanging_mirror_is_reported_within_the_default_deadline_while_the_healthy_one_succeeds() {
    let local = Node::memory();
    let hang = Peer::hanging();
    let start = Instant::now();
    let (code, stdout, stderr) = run(&[
        "invalidate",
        "posts",
        "--mirror",
        "--url",
        &local.base,
        "--mirrors",
        &hang.base,
    ]);
    let took = start.elapsed();
    eprintln!("hanging mirror reported after {took:?}");
    assert_eq!(code, 3, "{stdout}{stderr}");
    assert!(
        took < Duration::from_secs(11),
        "the default deadline is 10 s; took {took:?}"
    );
    let hang_name = hang.base.trim_start_matches("http://");
    let row = stdout.lines().find(|l| l.contains(hang_name)).unwrap_or_default();
    assert!(
        row.contains("failed") && row.contains("no answer") && row.contains("logging in"),
        "{stdout}"
    );
    assert!(
        stdout.lines().any(|l| l.contains("local") && l.contains("ok 200")),
        "{stdout}"
    );
    assert!(!local.entry_types().contains(&"posts".to_string()));
}

#[test]
fn the_deadline_names_the_step_that_hung() {
    // Logs in at once, then never answers the invalidation.
    let peer = server_answering(|| Reply::Hang);
    let (code, stdout, stderr) = run(&[
        "--json",
        "invalidate",
        "posts",
        "--only",
        &peer.base,
        "--timeout",
        "1500ms",
    ]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    let report: Value = serde_json::from_str(&stdout).expect("json");
    let error = report["results"][0]["error"].as_str().unwrap_or_default().to_string();
    assert!(
        error.contains("sending the invalidation") && error.contains("1.5s"),
        "{error}"
    );
    // One login, one invalidation: the deadline is for the whole exchange, not per try.
    assert_eq!(peer.received().len(), 2, "{:?}", peer.received());
}

#[test]
fn tail_that_never_connects_says_so_and_fails() {
    let hang = Peer::hanging();
    let (code, stdout, stderr) = run(&["tail", "--only", &hang.base, "--timeout", "2s"]);
    assert_ne!(code, 0, "{stdout}{stderr}");
    assert!(
        stderr.contains("never connected") && stderr.contains(hang.base.trim_start_matches("http://")),
        "{stderr}"
    );
    assert!(stdout.is_empty());
}

#[test]
fn the_account_email_but_never_the_password_reaches_the_login_target_only() {
    // The login body goes to the target itself, and nowhere else: a sanity check of the
    // recorder that the redirect tests rely on.
    let peer = server_answering(|| Reply::json(200, json!({"success": true, "invalidated": ["posts"]})));
    let (code, stdout, stderr) = run(&["invalidate", "posts", "--only", &peer.base]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let got = peer.received();
    assert!(got[0].body.contains(EMAIL) && got[0].body.contains(PASSWORD));
    assert_eq!(
        got[1].header("authorization"),
        Some(format!("Bearer {TOKEN_LIKE}").as_str())
    );
}

#[test]
fn verbose_traces_each_request_and_never_a_secret() {
    let node = Node::memory();
    let (code, _stdout, stderr) = run(&["-v", "invalidate", "posts", "--url", &node.base]);
    assert_eq!(code, 0, "{stderr}");
    for line in [
        format!("> POST {}/api/auth/login", node.base),
        format!("> POST {}/api/cache/invalidate", node.base),
        "> authorization: Bearer ••••".to_string(),
        "< 200 (".to_string(),
    ] {
        assert!(stderr.contains(&line), "missing `{line}` in\n{stderr}");
    }
    assert!(!stderr.contains("\"success\""), "-v shows no bodies:\n{stderr}");
    assert!(!stderr.contains(PASSWORD) && !stderr.contains("eyJ"), "{stderr}");

    let (code, _stdout, stderr) = run(&["-vv", "invalidate", "posts", "--url", &node.base]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains(&format!("\"email\":\"{EMAIL}\"")),
        "-vv shows bodies:\n{stderr}"
    );
    assert!(
        stderr.contains("\"password\":\"••••\"") && stderr.contains("\"token\":\"••••\""),
        "{stderr}"
    );
    assert!(stderr.contains("\"success\":true"), "{stderr}");
    assert!(!stderr.contains(PASSWORD) && !stderr.contains("eyJ"), "{stderr}");

    let (_, _, stderr) = run(&["-v", "doctor", "--url", &node.base, "--stream-timeout", "1s"]);
    assert!(stderr.contains(&format!("> GET {}/api/health", node.base)), "{stderr}");
    assert!(stderr.contains(&format!("> GET {}/api/stream", node.base)), "{stderr}");
    assert!(!stderr.contains(PASSWORD) && !stderr.contains("eyJ"), "{stderr}");

    // tail: the stream's request, with the id it resumes from, and the head of the answer.
    let (code, _, stderr) = run(&[
        "-v",
        "tail",
        "--url",
        &node.base,
        "--since-id",
        "7",
        "--timeout",
        "300ms",
    ]);
    assert_eq!(code, 0, "{stderr}");
    for line in [
        format!("> GET {}/api/stream", node.base),
        "> last-event-id: 7".to_string(),
        "< 200 (".to_string(),
        "< content-type: text/event-stream".to_string(),
    ] {
        assert!(stderr.contains(&line), "missing `{line}` in\n{stderr}");
    }
    // Without -v, none of it.
    let (_, _, stderr) = run(&["tail", "--url", &node.base, "--timeout", "300ms"]);
    assert!(!stderr.contains("> GET"), "{stderr}");
}

/// A token cache directory other users may write to is refused before anything is sent:
/// they could swap the file or plant links in it.
#[cfg(unix)]
#[test]
fn a_token_cache_directory_others_may_write_to_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let local = Node::memory();
    let dir = tempfile::tempdir().unwrap();
    let shared = dir.path().join("shared");
    std::fs::create_dir(&shared).unwrap();
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o777)).unwrap();
    let out = client(dir.path())
        .env("POLYCACHE_TOKEN_CACHE", &shared)
        .args(["invalidate", "posts", "--url", &local.base])
        .output()
        .unwrap();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("is writable by other users (mode 777)") && stderr.contains("chmod 700"),
        "{stderr}"
    );
    assert!(
        local.entry_types().contains(&"posts".to_string()),
        "nothing was invalidated"
    );
    assert!(
        std::fs::read_dir(&shared).unwrap().next().is_none(),
        "nothing was written there"
    );
}
