//! Real headless Chromium (Debian's `chromium`, never a download) driven over the Chrome
//! DevTools Protocol, a loopback origin that serves the test pages, and `polycache serve`
//! over HTTPS with its `--dev --self-signed` certificate. Everything is killed on drop,
//! also when an assertion fails.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use crate::common::node::{Mode, Node, NodeConfig};
use crate::common::process::Reaped;

/// The flags every test browser runs with. Without the background-networking ones,
/// Chromium stalls on a closed network trying to reach Google's services.
const FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--window-size=1280,900",
    "--remote-debugging-port=0",
];

/// A headless Chromium with a fresh profile (and a fresh HOME, whose NSS database decides
/// which certificate authorities it trusts), killed on drop with its whole process group
/// (the browser and its renderer, GPU and zygote children).
pub struct Chromium {
    child: Reaped,
    pub dir: tempfile::TempDir,
    port: u16,
}

impl Chromium {
    pub fn start() -> Chromium {
        Chromium::start_trusting(&[])
    }

    /// Starts with the given PEM certificate authorities trusted in the profile's NSS
    /// database (made with `certutil`), as a developer trusts a local CA: no flag that
    /// turns certificate checks off.
    pub fn start_trusting(cas: &[&Path]) -> Chromium {
        let dir = tempfile::tempdir().expect("tempdir");
        let home = dir.path().join("home");
        let nssdb = home.join(".pki/nssdb");
        std::fs::create_dir_all(&nssdb).expect("nssdb dir");
        if !cas.is_empty() {
            let db = format!("sql:{}", nssdb.display());
            certutil(&["-d", &db, "-N", "--empty-password"]);
            for (i, ca) in cas.iter().enumerate() {
                let path = ca.display().to_string();
                certutil(&[
                    "-d",
                    &db,
                    "-A",
                    "-t",
                    "C,,",
                    "-n",
                    &format!("polycache-test-ca-{i}"),
                    "-i",
                    &path,
                ]);
            }
        }
        let profile = dir.path().join("profile");
        let mut cmd = Command::new("chromium");
        cmd.args(FLAGS)
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg("about:blank")
            .env("HOME", &home)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::from(
                std::fs::File::create(dir.path().join("chromium.err")).expect("stderr file"),
            ));
        std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
        let child = Reaped::spawn(
            &mut cmd,
            "chromium must be installed (apt-get install chromium); .ci/run installs it",
        )
        .kill_group_on_drop();
        let mut browser = Chromium { child, dir, port: 0 };
        // Chromium writes the port it picked into the profile once it listens.
        let active = profile.join("DevToolsActivePort");
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(30) {
            if let Some(port) = std::fs::read_to_string(&active)
                .ok()
                .and_then(|t| t.lines().next().and_then(|l| l.trim().parse().ok()))
            {
                browser.port = port;
                return browser;
            }
            if let Ok(Some(status)) = browser.child.try_wait() {
                panic!("chromium exited ({status}):\n{}", browser.stderr_text());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("chromium did not open its DevTools port:\n{}", browser.stderr_text());
    }

    pub fn stderr_text(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("chromium.err")).unwrap_or_default()
    }

    /// Connects to the browser's first tab.
    pub async fn tab(&self) -> Tab {
        let list: Value = reqwest::get(format!("http://127.0.0.1:{}/json/list", self.port))
            .await
            .expect("DevTools /json/list")
            .json()
            .await
            .expect("DevTools JSON");
        let ws = list
            .as_array()
            .and_then(|a| a.iter().find(|t| t["type"] == "page"))
            .and_then(|t| t["webSocketDebuggerUrl"].as_str())
            .unwrap_or_else(|| panic!("no page target in {list}"))
            .to_string();
        let (socket, _) = tokio_tungstenite::connect_async(&ws).await.expect("DevTools websocket");
        Tab { socket, next_id: 0 }
    }
}

fn certutil(args: &[&str]) {
    let out = Command::new("certutil")
        .args(args)
        .output()
        .expect("certutil must be installed (apt-get install libnss3-tools); .ci/run installs it");
    assert!(
        out.status.success(),
        "certutil {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// One tab, spoken to over the DevTools Protocol.
pub struct Tab {
    socket: tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
    next_id: u64,
}

impl Tab {
    /// Calls a DevTools method and returns its result (events in between are skipped).
    pub async fn call(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let msg = json!({"id": id, "method": method, "params": params}).to_string();
        self.socket.send(Message::text(msg)).await.expect("DevTools send");
        let wait = async {
            while let Some(msg) = self.socket.next().await {
                let Ok(Message::Text(text)) = msg else { continue };
                let v: Value = serde_json::from_str(&text).expect("DevTools JSON");
                if v["id"] == id {
                    if let Some(e) = v.get("error") {
                        panic!("{method} failed: {e}");
                    }
                    return v["result"].clone();
                }
            }
            panic!("the DevTools connection closed during {method}");
        };
        tokio::time::timeout(Duration::from_secs(20), wait)
            .await
            .unwrap_or_else(|_| panic!("no answer to {method} within 20 s"))
    }

    /// Loads `url` and returns once its document has loaded (not the previous one's).
    pub async fn navigate(&mut self, url: &str) {
        self.eval("window.__previous = true").await;
        let r = self.call("Page.navigate", json!({"url": url})).await;
        assert!(r.get("errorText").is_none(), "navigating to {url}: {r}");
        self.wait_for(
            "window.__previous === undefined && document.readyState === 'complete'",
            Duration::from_secs(10),
            &format!("loading {url}"),
            "location.href",
        )
        .await;
    }

    /// Evaluates an expression in the page (promises awaited) and returns its value.
    pub async fn eval(&mut self, expression: &str) -> Value {
        self.try_eval(expression)
            .await
            .unwrap_or_else(|e| panic!("`{expression}` threw: {e}"))
    }

    async fn try_eval(&mut self, expression: &str) -> Result<Value, Value> {
        let r = self
            .call(
                "Runtime.evaluate",
                json!({"expression": expression, "returnByValue": true, "awaitPromise": true}),
            )
            .await;
        match r.get("exceptionDetails") {
            Some(e) => Err(e.clone()),
            None => Ok(r["result"]["value"].clone()),
        }
    }

    /// Polls `expression` every 10 ms until it is true; the time it took, or a panic with
    /// `what` and the value of `show` after `timeout`.
    pub async fn wait_for(&mut self, expression: &str, timeout: Duration, what: &str, show: &str) -> Duration {
        let start = Instant::now();
        loop {
            // An exception (the page's script has not run yet) counts as not yet.
            if self.try_eval(expression).await == Ok(json!(true)) {
                return start.elapsed();
            }
            if start.elapsed() > timeout {
                let seen = self.try_eval(show).await.unwrap_or_else(|e| e);
                panic!("{what}: not within {timeout:?}; the page has {seen}");
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// A PNG of the viewport.
    pub async fn screenshot(&mut self) -> Vec<u8> {
        use base64::Engine;
        let r = self.call("Page.captureScreenshot", json!({"format": "png"})).await;
        base64::engine::general_purpose::STANDARD
            .decode(r["data"].as_str().expect("screenshot data"))
            .expect("base64 PNG")
    }
}

/// A loopback web server that answers every GET with one HTML page: another origin than
/// the node's, as a frontend's dev server is. Stops on drop.
pub struct Origin {
    pub port: u16,
    stop: Arc<AtomicBool>,
}

impl Origin {
    pub fn serve(html: String) -> Origin {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind origin");
        listener.set_nonblocking(true).expect("nonblocking");
        let port = listener.local_addr().expect("addr").port();
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        std::thread::spawn(move || {
            while !stopped.load(Ordering::SeqCst) {
                let Ok((mut conn, _)) = listener.accept() else {
                    std::thread::sleep(Duration::from_millis(10));
                    continue;
                };
                let _ = conn.set_nonblocking(false);
                let _ = conn.set_read_timeout(Some(Duration::from_secs(2)));
                let mut head = Vec::new();
                let mut buf = [0u8; 2048];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match conn.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let (status, body) = if head.starts_with(b"GET / ") || head.starts_with(b"GET /?") {
                    ("200 OK", html.as_str())
                } else {
                    ("404 Not Found", "")
                };
                let _ = write!(
                    conn,
                    "HTTP/1.1 {status}\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\ncache-control: no-store\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        Origin { port, stop }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }

    pub fn origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Origin {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

/// `polycache serve --dev --self-signed --json`: HTTPS and HTTP/2 on a free loopback
/// port, with its own throwaway account and secret, its files (dev env file, CA
/// certificate) in the node's temporary directory. Stopped with SIGTERM on drop, so that
/// it removes its files the way it does for a person.
pub fn tls_node(extra: &[&str]) -> Node {
    Node::start(
        &NodeConfig::new(Mode::Memory)
            .without_secret_and_accounts()
            .args(&["--dev", "--self-signed", "--json"])
            .args(extra)
            .sigterm_on_drop(),
    )
}

/// The development CA certificate a [`tls_node`] made.
pub fn dev_ca(node: &Node) -> PathBuf {
    banner_path(node, "/tls/caFile")
}

/// The dev env file (URL, account, CA) a [`tls_node`] wrote.
pub fn dev_env_file(node: &Node) -> PathBuf {
    banner_path(node, "/dev/envFile")
}

fn banner_path(node: &Node, pointer: &str) -> PathBuf {
    let banner = node.json_banner();
    let path = banner.pointer(pointer).and_then(Value::as_str);
    PathBuf::from(path.unwrap_or_else(|| panic!("no {pointer} in the banner: {banner}")))
}

/// A reqwest client that trusts the node's development CA (and nothing turned off).
pub fn https_client(ca: &Path) -> reqwest::Client {
    let pem = std::fs::read(ca).expect("CA file");
    reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(&pem).expect("CA PEM"))
        .timeout(Duration::from_secs(20))
        .build()
        .expect("client")
}

/// Logs in with `email`/`password` and asks for an invalidation of `type_name`; returns
/// the answer's status.
pub async fn invalidate(http: &reqwest::Client, base: &str, email: &str, password: &str, type_name: &str) -> u16 {
    let login: Value = http
        .post(format!("{base}/api/auth/login"))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .expect("login request")
        .json()
        .await
        .expect("login JSON");
    let token = login["token"].as_str().unwrap_or_else(|| panic!("no token: {login}"));
    http.post(format!("{base}/api/cache/invalidate"))
        .bearer_auth(token)
        .json(&json!({"type": type_name, "mirror": false}))
        .send()
        .await
        .expect("invalidate request")
        .status()
        .as_u16()
}

/// `SERVICE_EMAIL` and `SERVICE_PASSWORD` from a dev env file.
pub fn dev_account(env_file: &Path) -> (String, String) {
    let text = std::fs::read_to_string(env_file).expect("dev env file");
    let get = |k: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{k}=")))
            .unwrap_or_else(|| panic!("{k} not in {}", env_file.display()))
            .to_string()
    };
    (get("SERVICE_EMAIL"), get("SERVICE_PASSWORD"))
}
