//! CPU of `polycache top` on a real terminal (tmux): idle, then under 50 invalidations a
//! second. Two nodes (local relaying to a mirror); top follows both, asks their health and
//! redraws; its user + system time is read from /proc over each phase.
//!
//! `cargo bench --bench top` (60 s per phase), or `cargo bench --bench top -- 20` for
//! shorter phases. Needs tmux.

mod common;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{EMAIL, PASSWORD};
use polycache::client::{InvalidateRequest, Target};

struct Node(Child);

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

struct Tmux(String);

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux").args(["-L", &self.0, "kill-server"]).status();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

fn serve(dir: &std::path::Path, name: &str, port: u16, mirrors: Option<&str>) -> Node {
    let mut c = Command::new(env!("CARGO_BIN_EXE_polycache"));
    c.current_dir(dir)
        .args(["serve", "--bind", "127.0.0.1", "--port", &port.to_string()])
        .env("JWT_SECRET", "bench-secret-bench-secret-bench-secret")
        .env("SERVICE_EMAIL", EMAIL)
        .env("SERVICE_PASSWORD", PASSWORD)
        .env("CACHE_LOG", dir.join(format!("{name}.json")))
        .env_remove("CACHE_MIRRORS")
        .env_remove("POLYCACHE_TOKEN")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if let Some(m) = mirrors {
        c.args(["--mirrors", m]);
    }
    Node(c.spawn().expect("spawn polycache serve"))
}

/// User + system CPU of `pid`, in clock ticks.
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // The fields after the command name (which is in parentheses).
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = rest.split_whitespace().collect();
    let n = |i: usize| f.get(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    n(11) + n(12)
}

fn ticks_per_second() -> f64 {
    // SAFETY: sysconf has no preconditions.
    let t = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if t > 0 { t as f64 } else { 100.0 }
}

fn main() {
    let secs: u64 = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(60);
    let dir = tempfile::tempdir().expect("tempdir");
    let (lp, mp) = (free_port(), free_port());
    let local_base = format!("http://127.0.0.1:{lp}");
    let mirror_base = format!("http://127.0.0.1:{mp}");
    let _mirror = serve(dir.path(), "mirror", mp, None);
    let _local = serve(dir.path(), "local", lp, Some(&mirror_base));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let http = polycache::client::http().expect("HTTP client");
    rt.block_on(async {
        let deadline = Instant::now() + Duration::from_secs(10);
        for base in [&local_base, &mirror_base] {
            while http.get(format!("{base}/api/health")).send().await.is_err() {
                assert!(Instant::now() < deadline, "the nodes did not start");
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    });

    let tmux = Tmux(format!("polycache-top-bench-{}", std::process::id()));
    let pidfile = dir.path().join("top.pid");
    let script = format!(
        "echo $$ > {}; exec {} top",
        pidfile.display(),
        env!("CARGO_BIN_EXE_polycache")
    );
    let ok = Command::new("tmux")
        .args([
            "-L",
            &tmux.0,
            "-f",
            "/dev/null",
            "new-session",
            "-d",
            "-x",
            "100",
            "-y",
            "30",
        ])
        .env("POLYCACHE_URL", &local_base)
        .env("CACHE_MIRRORS", &mirror_base)
        .env("CACHE_LOG", dir.path().join("local.json"))
        .args(["sh", "-c", &script])
        .status()
        .expect("tmux")
        .success();
    assert!(ok, "tmux did not start");
    let deadline = Instant::now() + Duration::from_secs(10);
    let pid: u32 = loop {
        if let Some(p) = std::fs::read_to_string(&pidfile)
            .ok()
            .and_then(|s| s.trim().parse().ok())
        {
            break p;
        }
        assert!(Instant::now() < deadline, "top did not start");
        std::thread::sleep(Duration::from_millis(20));
    };
    // Settle: connections open, first health answers.
    std::thread::sleep(Duration::from_secs(3));
    let hz = ticks_per_second();

    let t0 = cpu_ticks(pid);
    let start = Instant::now();
    std::thread::sleep(Duration::from_secs(secs));
    let idle = (cpu_ticks(pid) - t0) as f64 / hz / start.elapsed().as_secs_f64() * 100.0;

    let inv = common::invalidator(&http);
    let target = Target::local(&local_base);
    let types = ["posts", "pages", "feed", "categories", "pictures"];
    let t0 = cpu_ticks(pid);
    let start = Instant::now();
    let (sent, failed) = rt.block_on(async {
        let mut tick = tokio::time::interval(Duration::from_millis(20));
        let (mut sent, mut failed) = (0u64, 0u64);
        while start.elapsed() < Duration::from_secs(secs) {
            tick.tick().await;
            // mirror: true: the local node relays each one to the mirror, as in production.
            let req = InvalidateRequest::new(types[(sent % 5) as usize], true);
            if !inv.invalidate_one(&target, &req).await.is_ok() {
                failed += 1;
            }
            sent += 1;
        }
        (sent, failed)
    });
    let elapsed = start.elapsed().as_secs_f64();
    let busy = (cpu_ticks(pid) - t0) as f64 / hz / elapsed * 100.0;
    let alive = std::path::Path::new(&format!("/proc/{pid}")).exists();

    println!("polycache top on a 100x30 tmux terminal, two nodes (local relaying to a mirror)");
    println!("  idle for {secs} s:                     {idle:.2}% of one core");
    println!(
        "  {:.0} invalidations/s for {secs} s:      {busy:.2}% of one core ({sent} sent, {failed} failed)",
        sent as f64 / elapsed
    );
    println!("  top still running at the end: {alive}");
}
