//! What the benchmarks that drive a real `polycache serve` share: the node's account, and the
//! client that invalidates on it the way `invalidate` does (one login, no retries, so a
//! failure is counted instead of hidden).

use std::sync::Arc;

use polycache::client::{AuthConfig, Authenticator, Credentials, Invalidator, RetryPolicy};

pub const EMAIL: &str = "bench@polycache.local";
pub const PASSWORD: &str = "bench-password";

/// An invalidator that logs in with the bench account and never retries.
pub fn invalidator(http: &reqwest::Client) -> Invalidator {
    let auth = Authenticator::new(
        http.clone(),
        AuthConfig::Login {
            auth_path: "/api/auth/login".into(),
            credentials: Credentials::new(EMAIL, PASSWORD),
        },
        false,
    );
    Invalidator::new(http.clone(), Arc::new(auth), "/api/cache/invalidate").with_retry(RetryPolicy::none())
}
