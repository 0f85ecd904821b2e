//! Deliberate misbehaviour, for rehearsing failures against a real node: the hidden
//! `serve` flags `--inject-503 N`, `--no-notify` and `--delay-ms N`.
//!
//! The client's retries, its `--verify` check and its concurrency are promises about how
//! it copes with servers that fail, forget to notify, or are slow; these switches make a
//! real `polycache serve` do exactly that, so the tests and benchmarks exercise the real
//! HTTP path instead of a mock. All are off by default and hidden from `--help`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// What to break, as given on the command line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FaultOptions {
    /// Answer the first N invalidations with 503 (before touching the cache).
    pub fail_first: u64,
    /// Clear the cache and answer 200, but never publish the `app-update`.
    pub no_notify: bool,
    /// Wait this long before answering each invalidation.
    pub delay: Duration,
}

/// The live switches of one node.
#[derive(Debug, Default)]
pub struct Faults {
    failures_left: AtomicU64,
    pub no_notify: bool,
    pub delay: Duration,
}

impl Faults {
    pub fn new(opts: &FaultOptions) -> Faults {
        Faults {
            failures_left: AtomicU64::new(opts.fail_first),
            no_notify: opts.no_notify,
            delay: opts.delay,
        }
    }

    /// True while injected failures remain; each call uses one up.
    pub fn take_failure(&self) -> bool {
        self.failures_left
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn injected_failures_run_out() {
        let f = Faults::new(&FaultOptions {
            fail_first: 2,
            ..FaultOptions::default()
        });
        assert!(f.take_failure());
        assert!(f.take_failure());
        assert!(!f.take_failure());
        assert!(!f.take_failure());
    }
}
