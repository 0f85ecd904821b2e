//! One follow driver for every command that streams until it is stopped (`tail`,
//! `tail --bus`, `redis watch`): the deadline of `--timeout`, the count of `--count`,
//! Ctrl-C, SIGTERM and a reader that went away (`| head -1`), raced against the next item
//! of whatever is followed. The command keeps only what is its own: what an item is and how
//! it is shown. `logs --follow` polls a file instead of awaiting a stream: it takes the same
//! [`FollowLimits`] and [`Stop::fell_short`] rule through a stop flag.
//!
//! The exit rule, the same everywhere ([`Stop::fell_short`]): stopped by `--count`, Ctrl-C,
//! SIGTERM or a closed pipe, exit 0; by `--timeout`, exit 0 without `--count` and 1 when
//! `--count` was given and not reached; the followed source ending is the command's error.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

/// `--count` and `--timeout`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FollowLimits {
    pub count: Option<u64>,
    pub timeout: Option<Duration>,
}

/// Why following stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// `--count` items were shown.
    Counted,
    /// `--timeout` passed.
    TimedOut,
    /// Ctrl-C.
    Interrupted,
    /// SIGTERM.
    Terminated,
    /// Standard output's reader went away.
    ReaderGone,
    /// What was followed ended by itself.
    Ended,
}

impl Stop {
    /// Whether this stop is a failure by the exit rule: the deadline passed before `--count`
    /// was reached, or the source ended.
    pub fn fell_short(self, limits: &FollowLimits) -> bool {
        match self {
            Stop::TimedOut => limits.count.is_some(),
            Stop::Ended => true,
            Stop::Counted | Stop::Interrupted | Stop::Terminated | Stop::ReaderGone => false,
        }
    }
}

type Waiting = Pin<Box<dyn Future<Output = ()> + Send>>;

/// One run of following: create it when following starts.
pub struct Follow {
    pub limits: FollowLimits,
    /// Items shown so far (what `--count` counts).
    pub shown: u64,
    deadline: Option<Pin<Box<tokio::time::Sleep>>>,
    signals: crate::signals::Signals,
    closed: Waiting,
}

impl Follow {
    /// Starts the clock of `--timeout` and listens for Ctrl-C, SIGTERM and a closed pipe.
    pub fn new(limits: FollowLimits) -> Follow {
        Follow {
            limits,
            shown: 0,
            deadline: limits.timeout.map(|t| Box::pin(tokio::time::sleep(t))),
            signals: crate::signals::Signals::install(),
            closed: Box::pin(crate::pipe::closed()),
        }
    }

    /// The next item of `source` (`None` from it means it ended), or why following stops
    /// before it comes.
    pub async fn next<T>(&mut self, source: impl Future<Output = Option<T>>) -> Result<T, Stop> {
        let deadline = async {
            match self.deadline.as_mut() {
                Some(d) => d.await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            item = source => item.ok_or(Stop::Ended),
            _ = deadline => Err(Stop::TimedOut),
            signal = self.signals.recv() => Err(match signal {
                crate::signals::Signal::Interrupt => Stop::Interrupted,
                crate::signals::Signal::Terminate => Stop::Terminated,
            }),
            _ = &mut self.closed => Err(Stop::ReaderGone),
        }
    }

    /// One more item was shown: `Err(Stop::Counted)` once `--count` of them were.
    pub fn count(&mut self) -> Result<(), Stop> {
        self.shown += 1;
        match self.limits.count {
            Some(n) if self.shown >= n => Err(Stop::Counted),
            _ => Ok(()),
        }
    }

    /// Whether `stop` is a failure by the exit rule.
    pub fn fell_short(&self, stop: Stop) -> bool {
        stop.fell_short(&self.limits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn items_come_until_the_count_then_it_stops() {
        let mut f = Follow::new(FollowLimits {
            count: Some(2),
            timeout: None,
        });
        assert_eq!(f.next(async { Some(1) }).await, Ok(1));
        assert_eq!(f.count(), Ok(()));
        assert_eq!(f.count(), Err(Stop::Counted));
        assert!(!f.fell_short(Stop::Counted));
    }

    #[tokio::test]
    async fn the_deadline_stops_a_source_that_says_nothing() {
        let limits = FollowLimits {
            count: Some(5),
            timeout: Some(Duration::from_millis(30)),
        };
        let mut f = Follow::new(limits);
        let never = std::future::pending::<Option<u8>>();
        assert_eq!(f.next(never).await, Err(Stop::TimedOut));
        // With --count not reached, a timeout is a failure; without --count it is the end.
        assert!(f.fell_short(Stop::TimedOut));
        assert!(!Stop::TimedOut.fell_short(&FollowLimits { count: None, ..limits }));
    }

    #[tokio::test]
    async fn a_source_that_ends_is_a_stop_of_its_own() {
        let mut f = Follow::new(FollowLimits::default());
        assert_eq!(f.next(async { None::<u8> }).await, Err(Stop::Ended));
        assert!(f.fell_short(Stop::Ended));
        assert!(!f.fell_short(Stop::Interrupted) && !f.fell_short(Stop::ReaderGone));
    }
}
