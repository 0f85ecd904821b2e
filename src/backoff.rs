//! One backoff for every reconnect and retry (the client's retries, `tail`'s streams, the
//! bus readers of `tail --bus` and of a node, `redis watch`): exponential from a base,
//! doubling up to a cap, with jitter, so that a hundred clients dropped by one restart do
//! not come back in the same millisecond. backon's exponential backoff does the arithmetic.

use std::time::Duration;

use backon::{BackoffBuilder, ExponentialBuilder};

/// How long to wait before each new attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// The first wait.
    pub base: Duration,
    /// No wait is longer than this (before jitter).
    pub max: Duration,
}

/// The waits of one run of failures, for `next()` after each; start a new one when an
/// attempt succeeds.
pub type Delays = backon::ExponentialBackoff;

impl Backoff {
    pub const fn new(base: Duration, max: Duration) -> Backoff {
        Backoff { base, max }
    }

    /// The waits: `base`, `2·base`, `4·base`, ... capped at `max`, each plus a random part
    /// of up to itself (so a wait of `d` is between `d` and `2d`), without end.
    pub fn delays(&self) -> Delays {
        ExponentialBuilder::new()
            .with_min_delay(self.base)
            .with_max_delay(self.max.max(self.base))
            .with_factor(2.0)
            .with_jitter()
            .without_max_times()
            .build()
    }

    /// The wait before attempt `n` of a run (1 for the first retry).
    pub fn delay(&self, attempt: u32) -> Duration {
        let n = attempt.clamp(1, 64) as usize;
        self.delays().nth(n - 1).unwrap_or(self.max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_up_to_the_cap_with_jitter_of_up_to_themselves() {
        let b = Backoff::new(Duration::from_millis(100), Duration::from_secs(1));
        for _ in 0..50 {
            let waits: Vec<Duration> = b.delays().take(8).collect();
            for (i, w) in waits.iter().enumerate() {
                let d = Duration::from_millis(100 * (1u64 << i)).min(Duration::from_secs(1));
                assert!(*w >= d && *w <= d * 2, "wait {i}: {w:?} not in [{d:?}, {:?}]", d * 2);
            }
        }
        // Jitter: a hundred clients do not all wait the same.
        let firsts: std::collections::BTreeSet<Duration> = (0..100).map(|_| b.delay(1)).collect();
        assert!(firsts.len() > 10, "{firsts:?}");
        // Never overflows, whatever the attempt.
        assert!(b.delay(u32::MAX) <= Duration::from_secs(2));
        assert!(b.delay(0) >= Duration::from_millis(100));
    }
}
