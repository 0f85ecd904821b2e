//! What `contrib/` ships for operators, checked by the tools that run it: the systemd unit
//! with `systemd-analyze verify`, the nginx snippet with `nginx -t`.

mod common;

use std::path::PathBuf;
use std::process::Command;

fn contrib(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("contrib").join(name)
}

#[test]
fn the_systemd_unit_verifies_and_is_hardened() {
    let unit = std::fs::read_to_string(contrib("polycache.service")).unwrap();
    for directive in [
        "DynamicUser=yes",
        "ProtectSystem=strict",
        "NoNewPrivileges=yes",
        "StateDirectory=polycache",
        "EnvironmentFile=-/etc/polycache/serve.env",
        "Restart=on-failure",
        "ExecReload=/bin/kill -HUP $MAINPID",
    ] {
        assert!(unit.contains(directive), "{directive} missing");
    }
    // Verified with the binary where the unit expects it: this build's.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("polycache.service");
    std::fs::write(
        &path,
        unit.replace("/usr/bin/polycache", common::bin().to_str().unwrap()),
    )
    .unwrap();
    let out = Command::new("systemd-analyze")
        .args(["verify", "--man=no"])
        .arg(&path)
        .output()
        .expect("systemd-analyze (Debian's systemd package; .ci/run installs it)");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(!err.contains("polycache.service"), "{err}");
}

#[test]
fn the_nginx_snippet_passes_nginx_t() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display();
    let conf = dir.path().join("nginx.conf");
    std::fs::write(
        &conf,
        format!(
            "pid {d}/nginx.pid;\nerror_log {d}/error.log;\nevents {{}}\nhttp {{\n    access_log off;\n    client_body_temp_path {d}; proxy_temp_path {d}; fastcgi_temp_path {d}; uwsgi_temp_path {d}; scgi_temp_path {d};\n    include {};\n}}\n",
            contrib("nginx-polycache.conf").display()
        ),
    )
    .unwrap();
    let out = Command::new("nginx")
        .arg("-t")
        .arg("-p")
        .arg(dir.path())
        .arg("-c")
        .arg(&conf)
        .output()
        .expect("nginx (.ci/run installs it)");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && err.contains("syntax is ok"), "{err}");
}

/// The release workflow (which only GitHub can run) passes actionlint: its syntax, the
/// expressions, the runner labels and the actions' versions. `.ci/run` puts actionlint on
/// the PATH.
#[test]
fn the_release_workflow_passes_actionlint() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = std::process::Command::new("actionlint")
        .arg(".github/workflows/release.yml")
        .current_dir(root)
        .output()
        .expect("actionlint must be on the PATH (.ci/run fetches it)");
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
