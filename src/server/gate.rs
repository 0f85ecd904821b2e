//! What every connection the node accepts must do in bounded time, shared by the plain
//! accept loop (`conn.rs`) and the TLS one (`tls.rs`).
//!
//! - A connection that sends nothing for [`HEAD_TIMEOUT`] is closed; so is one whose
//!   request head (the first, or the next on a keep-alive connection) is not complete by
//!   then, and one whose body stalls for [`BODY_TIMEOUT`] between frames (the router's
//!   layer, `routes.rs`).
//! - Out of file descriptors (`accept` fails with EMFILE/ENFILE), the node closes the
//!   oldest connection that has not yet sent a whole request head, so that a request that
//!   means it (a health probe, an invalidation) still gets in while idle connections pile up.
//!   Connections that sent a request (streams, keep-alive clients) are never closed for this.

use std::collections::VecDeque;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::task::{Context, Poll};
use std::time::Duration;

use hyper_util::rt::{TokioExecutor, TokioTimer};
use hyper_util::server::conn::auto;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::Notify;

/// Time allowed to send a request head (from the connection, or from the end of the
/// previous response on a keep-alive connection).
pub const HEAD_TIMEOUT: Duration = Duration::from_secs(10);
/// The longest pause allowed between two frames of a request body.
pub const BODY_TIMEOUT: Duration = Duration::from_secs(10);

/// The connections still waiting for their first whole request head, oldest first.
#[derive(Default)]
pub struct Gate {
    waiting: Mutex<VecDeque<Weak<Slot>>>,
}

/// One accepted connection's place at the gate.
#[derive(Default)]
pub struct Slot {
    head_done: AtomicBool,
    evict: Notify,
}

impl Gate {
    /// Registers a connection just accepted.
    pub fn admit(&self) -> Arc<Slot> {
        let slot = Arc::new(Slot::default());
        let mut q = self.waiting.lock().unwrap_or_else(|p| p.into_inner());
        while q.front().is_some_and(|w| w.upgrade().is_none_or(|s| s.done())) {
            q.pop_front();
        }
        if q.len() > 1024 && q.len().is_multiple_of(1024) {
            q.retain(|w| w.upgrade().is_some_and(|s| !s.done()));
        }
        q.push_back(Arc::downgrade(&slot));
        slot
    }

    /// Closes the oldest connection still waiting for its first request head; whether
    /// there was one.
    pub fn evict_oldest(&self) -> bool {
        let mut q = self.waiting.lock().unwrap_or_else(|p| p.into_inner());
        while let Some(w) = q.pop_front() {
            if let Some(s) = w.upgrade().filter(|s| !s.done()) {
                s.evict.notify_one();
                return true;
            }
        }
        false
    }
}

impl Slot {
    /// The connection sent a whole request head: it is no longer idle.
    pub fn head_done(&self) {
        self.head_done.store(true, Ordering::Relaxed);
    }

    fn done(&self) -> bool {
        self.head_done.load(Ordering::Relaxed)
    }

    /// Completes when the gate closes this connection.
    pub async fn evicted(&self) {
        self.evict.notified().await;
    }
}

/// Whether an accept error means the process (or the system) is out of file descriptors.
pub fn out_of_fds(e: &io::Error) -> bool {
    matches!(e.raw_os_error(), Some(23 | 24)) // ENFILE, EMFILE
}

/// hyper's connection builder with the node's timeouts: a request head within
/// [`HEAD_TIMEOUT`] on HTTP/1; on HTTP/2, a ping every 20 s answered within 10 s.
pub fn http_builder() -> auto::Builder<TokioExecutor> {
    let mut b = auto::Builder::new(TokioExecutor::new());
    b.http1().timer(TokioTimer::new()).header_read_timeout(HEAD_TIMEOUT);
    b.http2()
        .timer(TokioTimer::new())
        .keep_alive_interval(Duration::from_secs(20))
        .keep_alive_timeout(HEAD_TIMEOUT);
    b
}

/// A connection's stream that tells its [`Slot`] when the first request head has been read
/// (the first blank line), so that the gate knows it is no longer idle.
pub struct Watched<T> {
    inner: T,
    slot: Arc<Slot>,
    /// How much of `\r\n\r\n` the bytes read so far end with.
    matched: u8,
}

impl<T> Watched<T> {
    pub fn new(inner: T, slot: Arc<Slot>) -> Watched<T> {
        Watched {
            inner,
            slot,
            matched: 0,
        }
    }

    fn scan(&mut self, bytes: &[u8]) {
        if self.slot.done() {
            return;
        }
        for &b in bytes {
            let expected = if self.matched.is_multiple_of(2) { b'\r' } else { b'\n' };
            self.matched = if b == expected {
                self.matched + 1
            } else if b == b'\r' {
                1
            } else {
                0
            };
            if self.matched == 4 {
                self.slot.head_done();
                return;
            }
        }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Watched<T> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let r = Pin::new(&mut self.inner).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = r {
            self.scan(&buf.filled()[before..]);
        }
        r
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Watched<T> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_head_is_done_at_the_first_blank_line_across_reads() {
        let gate = Gate::default();
        let slot = gate.admit();
        let mut w = Watched::new((), slot.clone());
        w.scan(b"GET / HTTP/1.1\r\nHost: x\r");
        assert!(!slot.done());
        w.scan(b"\n\r");
        assert!(!slot.done());
        w.scan(b"\n");
        assert!(slot.done());
        // Done connections are not evicted; a waiting one is.
        let waiting = gate.admit();
        assert!(gate.evict_oldest());
        assert!(!gate.evict_oldest());
        drop(waiting);
    }
}
