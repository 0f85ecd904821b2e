//! The Debian package as a server's administrator gets it: built with cargo-deb from this
//! build, its contents listed, installed with `dpkg -i` (the tests run as root in CI), the
//! installed binary, completion and unit checked, and removed again.

mod common;

use std::path::PathBuf;
use std::process::Command;

fn run(cmd: &mut Command) -> (bool, String) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[test]
fn the_deb_installs_the_binary_man_pages_completions_and_unit_and_removes_cleanly() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    // This build's binary (the dev profile the tests built), packed as the release would be.
    let (ok, out) = run(Command::new("cargo")
        .args(["deb", "--no-build", "--no-strip", "--profile", "dev", "--output"])
        .arg(dir.path())
        .current_dir(&root));
    assert!(ok, "cargo deb (cargo install cargo-deb; .ci/run does): {out}");
    let deb = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "deb"))
        .expect("a .deb");

    let (ok, listing) = run(Command::new("dpkg-deb").arg("-c").arg(&deb));
    assert!(ok, "{listing}");
    for path in [
        "./usr/bin/polycache",
        "./usr/share/man/man1/polycache-logs.1",
        "./usr/share/man/man1/polycache.1",
        "./usr/share/bash-completion/completions/polycache",
        "./usr/share/zsh/vendor-completions/_polycache",
        "./usr/share/fish/vendor_completions.d/polycache.fish",
        "./usr/lib/systemd/system/polycache.service",
        "./usr/share/doc/polycache/copyright",
    ] {
        assert!(listing.contains(path), "{path} not in the package:\n{listing}");
    }

    let (already, _) = run(Command::new("dpkg").args(["-s", "polycache"]));
    assert!(
        !already,
        "a polycache package is installed on this machine already: not touching it"
    );
    let (ok, out) = run(Command::new("dpkg").arg("-i").arg(&deb));
    assert!(ok, "dpkg -i (needs root): {out}");
    let checks = std::panic::catch_unwind(|| {
        let (ok, version) = run(Command::new("/usr/bin/polycache").arg("--version"));
        assert!(
            ok && version.starts_with(&format!("polycache {} (", env!("CARGO_PKG_VERSION"))),
            "{version}"
        );
        assert!(!version.contains("(unknown "), "the commit is named: {version}");
        // man finds the installed page of a subcommand.
        let (ok, page) = run(Command::new("man").args(["-w", "polycache-logs"]));
        assert!(
            ok && page.trim().starts_with("/usr/share/man/man1/polycache-logs.1"),
            "man -w polycache-logs: {page}"
        );
        // bash completes `polycache inv` from the installed file.
        let program = "source /usr/share/bash-completion/completions/polycache\n\
                       COMP_WORDS=(polycache inv); COMP_CWORD=1; COMP_LINE='polycache inv'; COMP_POINT=13\n\
                       _polycache polycache inv polycache\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n";
        let (ok, words) = run(Command::new("bash").args(["--norc", "--noprofile", "-c", program]));
        assert!(ok && words.lines().any(|w| w == "invalidate"), "{words}");
    });
    let (removed, out) = run(Command::new("dpkg").args(["-r", "polycache"]));
    assert!(removed, "{out}");
    assert!(!std::path::Path::new("/usr/bin/polycache").exists());
    if let Err(e) = checks {
        std::panic::resume_unwind(e);
    }
}

/// The crate package as crates.io would get it: `cargo package --locked` says no warning,
/// holds what a build needs (sources, the lock file, the licences) and none of the fixtures,
/// docs or benchmark data.
#[test]
fn the_crate_package_is_clean_and_holds_what_a_build_needs() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new("cargo")
        .args(["package", "--locked", "--no-verify", "--allow-dirty"])
        .env("CARGO_TARGET_DIR", dir.path())
        .current_dir(&root)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(!stderr.contains("warning"), "{stderr}");
    let list = Command::new("cargo")
        .args(["package", "--locked", "--list", "--allow-dirty"])
        .current_dir(&root)
        .output()
        .unwrap();
    let files = String::from_utf8_lossy(&list.stdout);
    for needed in ["Cargo.lock", "LICENSE-MIT", "LICENSE-APACHE", "src/main.rs", "build.rs"] {
        assert!(files.lines().any(|f| f == needed), "{needed} missing:\n{files}");
    }
    assert!(
        !files
            .lines()
            .any(|f| f.starts_with("tests/fixtures/") || f.starts_with("docs/")),
        "{files}"
    );
}
