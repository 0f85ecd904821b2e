//! The shared client module: the one place that talks HTTP to a Polymech server.
//!
//! `polycache invalidate`, `polycache tail` and the mirror broadcast of `polycache serve`
//! all go through here, so login, token reuse, the insecure-http guard and retries behave
//! the same everywhere. Hold ONE [`reqwest::Client`] per process (from [`http`]) and pass
//! it around: it owns the connection pool.

pub mod auth;
pub mod invalidate;
pub mod stream;
pub mod target;
pub mod token_cache;
pub mod trace;
pub mod verify;

use std::time::Duration;

pub use auth::{AuthConfig, AuthError, Authenticator, Credentials, Token};
pub use invalidate::{
    DEFAULT_CONCURRENCY, InvalidateError, InvalidateOutcome, InvalidateRequest, Invalidator, RetryPolicy,
};
pub use target::{InsecureError, Target};
pub use trace::Trace;

/// `polycache/<version>`, sent as the User-Agent of every request.
pub const USER_AGENT: &str = concat!("polycache/", env!("CARGO_PKG_VERSION"));

/// How long to wait for a TCP/TLS connection before giving up on a target: short, and
/// apart from the deadline of the whole exchange.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

/// The longest a single request (not a stream) may take end to end.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The default deadline for everything one target is asked in one run (login, the
/// invalidations, their retries): `invalidate --timeout`.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(10);

/// The process's HTTP client: rustls, a short connect timeout, `polycache/<version>` agent,
/// and redirects never followed.
///
/// No total timeout is set on the client itself, so that long-lived SSE streams can use it;
/// one-shot requests (login, invalidate) run under a deadline of their own.
///
/// Redirects: a login carries a password and an invalidation a token, and a redirect would
/// send them on to wherever the `Location` points (a 307 re-POSTs the body), around the
/// rule that keeps credentials off plain http. So no request of this client follows one:
/// callers report a 3xx as the target's failure, naming the `Location` ([`redirect_error`]).
pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .user_agent(USER_AGENT)
        .connect_timeout(CONNECT_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        // Building only fails when the TLS backend cannot initialise; the default client
        // then reports the same problem on first use instead of at startup.
        .unwrap_or_else(|_| reqwest::Client::new())
}

/// The words for a 3xx answer to a request that carried credentials: the status, where it
/// pointed (masked and escaped: it came from outside), and what to do.
pub fn redirect_error(status: u16, location: Option<&reqwest::header::HeaderValue>) -> String {
    let to = location
        .map(|l| crate::config::redact_url_password(&String::from_utf8_lossy(l.as_bytes())))
        .map(|l| escape_text(&l))
        .unwrap_or_else(|| "nowhere (no Location header)".to_string());
    format!(
        "answered {status}, a redirect to {to}; credentials never follow a redirect: point the URL at the final address"
    )
}

/// Text from outside (a server's message, a header) with control characters escaped, so
/// that it cannot move the cursor, retitle the terminal or forge a line.
pub fn escape_text(s: &str) -> String {
    if !s.chars().any(char::is_control) {
        return s.to_string();
    }
    s.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}
