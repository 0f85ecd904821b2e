//! The peak memory of a running child process, from the kernel's own account of it.
//!
//! `VmHWM` of /proc/PID/status is the high-water mark of the process's resident memory
//! since it started its program. (`ru_maxrss` from `wait4` would not do: it also counts
//! the memory of the test process the child was forked from, before its exec.)

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

/// The peak resident memory of `pid` so far, in bytes; `None` once it has exited.
pub fn peak(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kib * 1024)
}

/// Reads the peak of `pid` every few milliseconds until the process ends or the sampler is
/// dropped; [`Sampler::max`] is the highest seen (the peak is a high-water mark, so the
/// last reading before the exit is within a few milliseconds of the true one).
pub struct Sampler {
    max: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
}

impl Sampler {
    pub fn start(pid: u32) -> Sampler {
        let max = Arc::new(AtomicU64::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (m, s) = (Arc::clone(&max), Arc::clone(&stop));
        std::thread::spawn(move || {
            while !s.load(Ordering::Relaxed) {
                match peak(pid) {
                    Some(p) => m.fetch_max(p, Ordering::Relaxed),
                    None => return,
                };
                std::thread::sleep(Duration::from_millis(2));
            }
        });
        Sampler { max, stop }
    }

    pub fn max(&self) -> u64 {
        self.max.load(Ordering::Relaxed)
    }
}

impl Drop for Sampler {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}
