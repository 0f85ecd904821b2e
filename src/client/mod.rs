//! The shared client: the one place that talks HTTP to a Polymech server.

pub mod stream;

use std::time::Duration;

use crate::error::Failure;

/// The process's HTTP client (rustls, connect timeout, `polycache/<version>` user agent).
pub fn http() -> Result<reqwest::Client, Failure> {
    reqwest::Client::builder()
        .user_agent(concat!("polycache/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(Duration::from_secs(10))
        .build()
        .map_err(|e| Failure::error(format!("cannot build the HTTP client: {e}")))
}
