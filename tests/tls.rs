//! HTTPS as users set it up: a certificate made with the first recipe everyone finds,
//! `openssl req -x509 ...` (self-signed, marked CA:TRUE), served by a real node. Pinned with
//! `--cacert` it is accepted as curl accepts it; any other certificate problem is said in
//! words, once (never retried).

mod common;

use std::path::Path;
use std::process::Command;

use common::node::{Mode, Node, NodeConfig, client};
use serde_json::Value;

/// `openssl req -x509` for localhost and 127.0.0.1: (certificate, key).
fn openssl_cert(dir: &Path, name: &str) -> (String, String) {
    let cert = dir.join(format!("{name}.pem"));
    let key = dir.join(format!("{name}.key"));
    let st = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=localhost",
        ])
        .args(["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .expect("openssl must be installed (.ci/run installs it)");
    assert!(st.status.success(), "{}", String::from_utf8_lossy(&st.stderr));
    let text = std::fs::read_to_string(&cert).unwrap();
    assert!(!text.is_empty());
    (cert.display().to_string(), key.display().to_string())
}

fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = client(dir).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_pinned_openssl_certificate_is_accepted_and_other_problems_are_said_in_words() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = openssl_cert(dir.path(), "server");
    let (other, _) = openssl_cert(dir.path(), "other");
    let text = Command::new("openssl")
        .args(["x509", "-noout", "-text", "-in", &cert])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&text.stdout).contains("CA:TRUE"),
        "the recipe makes a CA:TRUE certificate"
    );
    let node = Node::start(&NodeConfig::new(Mode::Memory).args(&["--tls-cert", &cert, "--tls-key", &key]));
    assert!(node.base.starts_with("https://"), "{}", node.base);

    // Pinned: invalidation (login, then the request) and doctor's stream check work.
    let (code, stdout, stderr) = run(
        dir.path(),
        &["--json", "invalidate", "posts", "--url", &node.base, "--cacert", &cert],
    );
    assert_eq!(code, 0, "{stdout}{stderr}");
    let localhost = node.base.replace("127.0.0.1", "localhost");
    let (code, stdout, stderr) = run(
        dir.path(),
        &["invalidate", "posts", "--url", &localhost, "--cacert", &cert],
    );
    assert_eq!(code, 0, "by name too: {stdout}{stderr}");

    // Another certificate pinned, or none: refused in words, once.
    for (args, words) in [
        (
            vec!["--cacert", other.as_str()],
            "marked as a certificate authority (CA:TRUE)",
        ),
        (vec![], "pass that very certificate with --cacert FILE"),
    ] {
        let mut all = vec!["--json", "invalidate", "posts", "--url", &node.base];
        all.extend(args.iter().copied());
        let (code, stdout, stderr) = run(dir.path(), &all);
        assert_eq!(code, 1, "{stdout}{stderr}");
        let report: Value = serde_json::from_str(&stdout).expect("--json report");
        let result = &report["results"][0];
        let error = result["error"].as_str().unwrap_or_default();
        assert!(error.contains("TLS: ") && error.contains(words), "{error}");
        assert!(!error.contains("OtherError"), "{error}");
        let attempts = result["attempts"].as_u64().unwrap_or(99);
        assert!(attempts <= 1, "certificate errors are not retried: {result}");
    }
}
