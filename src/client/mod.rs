//! The shared client module: the one place that talks HTTP to a Polymech server.
//!
//! `polycache invalidate`, `polycache tail` and the mirror broadcast of `polycache serve`
//! all go through here, so login, token reuse, the insecure-http guard and retries behave
//! the same everywhere. Hold ONE [`reqwest::Client`] per process (from [`http`]) and pass
//! it around: it owns the connection pool.

pub mod auth;
pub mod invalidate;
pub mod target;

use std::time::Duration;

pub use auth::{AuthConfig, AuthError, Authenticator, Credentials, Token};
pub use invalidate::{
    DEFAULT_CONCURRENCY, InvalidateError, InvalidateOutcome, InvalidateRequest, Invalidator, RetryPolicy,
};
pub use target::{InsecureError, Target};

/// `polycache/<version>`, sent as the User-Agent of every request.
pub const USER_AGENT: &str = concat!("polycache/", env!("CARGO_PKG_VERSION"));

/// How long to wait for a TCP/TLS connection before giving up on a target.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// The longest a single request (not a stream) may take end to end.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The process's HTTP client: rustls, 5 s connect timeout, `polycache/<version>` agent.
///
/// No total timeout is set on the client itself, so that long-lived SSE streams can use it;
/// one-shot requests (login, invalidate) set [`REQUEST_TIMEOUT`] per request.
pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .user_agent(USER_AGENT)
        .connect_timeout(CONNECT_TIMEOUT)
        .build()
        // Building only fails when the TLS backend cannot initialise; the default client
        // then reports the same problem on first use instead of at startup.
        .unwrap_or_else(|_| reqwest::Client::new())
}
