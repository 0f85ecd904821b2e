//! Whether standard output's reader went away (`polycache tail | head -1`): a stream that
//! writes only when events come would otherwise notice at its next write, maybe hours later.
//! As GNU `tail -f` does, the pipe is polled: its write end reports an error (POLLERR) once
//! nobody can read it.

use std::time::Duration;

/// How often the pipe is looked at.
const EVERY: Duration = Duration::from_millis(250);

/// Whether standard output is a pipe (or socket) whose reader has gone.
#[cfg(unix)]
pub fn stdout_closed() -> bool {
    let mut fds = [libc::pollfd {
        fd: 1,
        events: 0,
        revents: 0,
    }];
    // SAFETY: one valid pollfd, a zero timeout.
    let n = unsafe { libc::poll(fds.as_mut_ptr(), 1, 0) };
    n > 0 && fds[0].revents & (libc::POLLERR | libc::POLLHUP) != 0
}

#[cfg(not(unix))]
pub fn stdout_closed() -> bool {
    false
}

/// Completes once standard output's reader has gone (never when it is a terminal or a file).
pub async fn closed() {
    if !is_pipe() {
        return std::future::pending().await;
    }
    loop {
        if stdout_closed() {
            return;
        }
        tokio::time::sleep(EVERY).await;
    }
}

/// Sets `flag` once standard output's reader has gone (for the loops that are not async).
pub fn watch(flag: std::sync::Arc<std::sync::atomic::AtomicBool>) {
    if !is_pipe() {
        return;
    }
    std::thread::spawn(move || {
        while !stdout_closed() {
            std::thread::sleep(EVERY);
        }
        flag.store(true, std::sync::atomic::Ordering::Relaxed);
    });
}

#[cfg(unix)]
fn is_pipe() -> bool {
    use std::os::fd::AsFd;
    use std::os::unix::fs::FileTypeExt;
    std::io::stdout()
        .as_fd()
        .try_clone_to_owned()
        .map(std::fs::File::from)
        .and_then(|f| f.metadata())
        .is_ok_and(|m| m.file_type().is_fifo() || m.file_type().is_socket())
}

#[cfg(not(unix))]
fn is_pipe() -> bool {
    false
}
