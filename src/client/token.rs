//! A bearer token that never prints itself, and what the client reads of it (its expiry).

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A bearer token. Prints as `••••`; call [`Token::expose`] only to build a header.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(Arc<str>);

impl Token {
    pub fn new(s: impl Into<String>) -> Token {
        Token(Arc::from(s.into()))
    }

    /// The raw token, for the `Authorization` header and nothing else.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The `exp` claim (seconds since the epoch), read without verifying the signature.
    pub fn expires_at(&self) -> Option<u64> {
        jwt_exp(&self.0)
    }

    /// Whether the token can still be used `margin` from now (true when it has no `exp`).
    pub fn fresh_for(&self, margin: Duration) -> bool {
        match self.expires_at() {
            Some(exp) => now_secs() + margin.as_secs() < exp,
            None => true,
        }
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(••••)")
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("••••")
    }
}

/// The `exp` claim of a JWT, read WITHOUT verifying the signature (the client has no key;
/// it only uses this to decide when to log in again).
pub fn jwt_exp(token: &str) -> Option<u64> {
    jsonwebtoken::dangerous::insecure_decode_claims::<ExpClaim>(token)
        .ok()
        .and_then(|c| c.exp)
}

/// Seconds since the Unix epoch (0 if the clock is before it).
pub(crate) fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

#[derive(serde::Deserialize)]
struct ExpClaim {
    exp: Option<u64>,
}
