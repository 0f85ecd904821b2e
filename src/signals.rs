//! Ctrl-C (SIGINT) and SIGTERM, the one way every command listens for them: `serve` to stop
//! cleanly, the follow driver to end a stream, `invalidate` and `redis del` to report what
//! was done before the stop.
//!
//! The handlers are registered when [`Signals::install`] is called, not when a future is
//! first polled: a signal that comes between the two would otherwise kill the process by
//! its default action (a `serve` stopped as soon as its port answered died that way).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Which signal came.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// SIGINT: Ctrl-C at a terminal.
    Interrupt,
    /// SIGTERM: a service manager, `kill`, `timeout(1)`.
    Terminate,
}

impl Signal {
    pub fn name(self) -> &'static str {
        match self {
            Signal::Interrupt => "SIGINT",
            Signal::Terminate => "SIGTERM",
        }
    }
}

/// SIGINT and SIGTERM, listened to from the moment this is made. Must be made inside a
/// tokio runtime.
pub struct Signals {
    #[cfg(unix)]
    int: Option<tokio::signal::unix::Signal>,
    #[cfg(unix)]
    term: Option<tokio::signal::unix::Signal>,
}

impl Signals {
    pub fn install() -> Signals {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Signals {
                int: signal(SignalKind::interrupt()).ok(),
                term: signal(SignalKind::terminate()).ok(),
            }
        }
        #[cfg(not(unix))]
        Signals {}
    }

    /// The next signal to come.
    pub async fn recv(&mut self) -> Signal {
        #[cfg(unix)]
        {
            async fn one(s: &mut Option<tokio::signal::unix::Signal>) {
                let got = match s {
                    Some(s) => s.recv().await.is_some(),
                    None => false,
                };
                if !got {
                    std::future::pending::<()>().await;
                }
            }
            tokio::select! {
                _ = one(&mut self.int) => Signal::Interrupt,
                _ = one(&mut self.term) => Signal::Terminate,
            }
        }
        #[cfg(not(unix))]
        {
            if tokio::signal::ctrl_c().await.is_err() {
                std::future::pending::<()>().await;
            }
            Signal::Interrupt
        }
    }
}

/// For work that looks between its steps instead of awaiting a signal (`logs --follow`
/// polls its file, `redis del` deletes in batches): `stop` is set by the first Ctrl-C or
/// SIGTERM. The handlers are registered before this returns; a thread of its own waits for
/// them, so this works inside a runtime or outside one.
pub fn raise_on_signal(stop: Arc<AtomicBool>) {
    let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
        return;
    };
    let mut signals = {
        let _inside = rt.enter();
        Signals::install()
    };
    std::thread::spawn(move || {
        rt.block_on(signals.recv());
        stop.store(true, Ordering::SeqCst);
    });
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    /// A SIGTERM that comes before anything waits for it is still caught (it would have
    /// ended the test process otherwise), as SIGTERM, and raises a stop flag.
    #[tokio::test]
    async fn a_signal_sent_before_the_wait_is_caught_and_named() {
        let mut signals = Signals::install();
        unsafe { libc::raise(libc::SIGTERM) };
        let got = tokio::time::timeout(std::time::Duration::from_secs(5), signals.recv()).await;
        assert_eq!(got.ok(), Some(Signal::Terminate));
        let flag = Arc::new(AtomicBool::new(false));
        raise_on_signal(Arc::clone(&flag));
        assert!(!flag.load(Ordering::SeqCst));
        unsafe { libc::raise(libc::SIGTERM) };
        let start = std::time::Instant::now();
        while !flag.load(Ordering::SeqCst) && start.elapsed() < std::time::Duration::from_secs(5) {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        assert!(flag.load(Ordering::SeqCst));
    }
}
