//! polycache as a TypeScript team installs it: the npm packages built from this binary by
//! `scripts/npm-pack.sh`, packed with `npm pack`, installed from the tarballs into a
//! throwaway project with no network (`npm install --offline`), and run through `npx`.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The platform package of the machine the tests run on.
const TARGET: &str = if cfg!(target_arch = "aarch64") {
    "linux-arm64-gnu"
} else {
    "linux-x64-gnu"
};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn run(cmd: &mut Command) -> Output {
    cmd.output()
        .expect("node and npm must be installed (.ci/run installs them)")
}

/// Packs the packages into `dir/dist` and installs `which` of them into `dir/project`.
fn install(dir: &Path, which: &[&str]) -> PathBuf {
    let dist = dir.join("dist");
    let out = run(Command::new("bash")
        .arg(root().join("scripts/npm-pack.sh"))
        .arg(env!("CARGO_BIN_EXE_polycache"))
        .arg(&dist)
        .arg(TARGET));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let project = dir.join("project");
    std::fs::create_dir_all(&project).unwrap();
    std::fs::write(
        project.join("package.json"),
        r#"{"name":"app","version":"1.0.0","private":true}"#,
    )
    .unwrap();
    let version = env!("CARGO_PKG_VERSION");
    let tarballs: Vec<PathBuf> = which.iter().map(|n| dist.join(format!("{n}-{version}.tgz"))).collect();
    let out = run(Command::new("npm")
        .args(["install", "--offline", "--no-audit", "--no-fund", "--cache"])
        .arg(dir.join("npm-cache"))
        .args(&tarballs)
        .current_dir(&project));
    assert!(
        out.status.success(),
        "npm install: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    project
}

fn npx(project: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(project.join("node_modules/.bin/polycache"));
    cmd.args(args).current_dir(project).env("NO_COLOR", "1");
    for k in common::inherited_settings() {
        cmd.env_remove(k);
    }
    cmd
}

#[test]
fn the_npm_package_runs_the_binary_with_arguments_streams_exit_codes_and_signals() {
    let dir = tempfile::tempdir().unwrap();
    let platform = format!("polycache-cli-{TARGET}");
    let project = install(dir.path(), &["polycache", &platform]);

    let out = run(Command::new("npx")
        .args(["--offline", "polycache", "--version"])
        .current_dir(&project));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let version = String::from_utf8_lossy(&out.stdout);
    assert!(
        version.starts_with(&format!("polycache {} (", env!("CARGO_PKG_VERSION"))),
        "{version}"
    );

    let out = run(&mut npx(&project, &["graph", "feed"]));
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("feed"));

    // A usage error's exit code and stderr come through as they are.
    let out = run(&mut npx(
        &project,
        &["invalidate", "postz", "--url", "http://127.0.0.1:9"],
    ));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("did you mean `posts`?"));

    // SIGTERM to the shim reaches the node, which stops as it does by itself.
    let port = common::free_port();
    let mut serve = npx(&project, &["serve", "--dev", "--port", &port.to_string()]);
    let mut child = serve.stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    assert!(
        common::wait_for_port(port, Duration::from_secs(20)),
        "serve did not start"
    );
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(start.elapsed() < Duration::from_secs(15), "the node did not stop");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(0), "the node stopped cleanly, and the shim with it");
    assert!(!common::wait_for_port(port, Duration::from_millis(200)));
}

#[test]
fn a_missing_platform_package_names_the_platform_and_the_other_ways() {
    let dir = tempfile::tempdir().unwrap();
    let project = install(dir.path(), &["polycache"]);
    let out = run(&mut npx(&project, &["--version"]));
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("@polycache/cli-{TARGET}")) && err.contains("is not installed") && err.contains(".deb"),
        "{err}"
    );
}
