//! Cross-origin rules (PROTOCOL section 4): which pages on other origins may read what.
//!
//! A frontend is served from another origin than the node as soon as its dev server runs
//! on another port. Browsers then only hand it an answer that carries
//! `Access-Control-Allow-Origin`, and close an `EventSource` for good after one such
//! failure. So:
//!
//! - the public routes (the stream, health, the entries listing, the page) answer every
//!   origin, and allow `Last-Event-ID` (a reconnecting `EventSource` sends it, which makes
//!   a cross-origin reconnect preflighted);
//! - the authenticated routes (login, invalidate, seeding an entry) answer only the
//!   configured origins (`--cors-origin`, `POLYCACHE_CORS_ORIGINS`), preflight included;
//! - a configured origin may send credentials (`withCredentials`) anywhere: the node
//!   echoes it and adds `Access-Control-Allow-Credentials: true`. Another origin's
//!   credentialed request to a public route is refused by the browser, as it should be.

use std::time::Duration;

use axum::http::{HeaderName, HeaderValue, Method, header};
use tower_http::cors::{AllowCredentials, AllowOrigin, CorsLayer};

/// How long a browser may cache a preflight answer.
const MAX_AGE: Duration = Duration::from_secs(600);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("CORS origin `{origin}` {reason}")]
pub struct OriginError {
    pub origin: String,
    pub reason: &'static str,
}

/// Checks one configured origin and returns it as a browser sends it
/// (`scheme://host[:port]`, lowercase, no trailing slash).
pub fn parse_origin(raw: &str) -> Result<String, OriginError> {
    let bad = |reason| OriginError {
        origin: raw.to_string(),
        reason,
    };
    let t = raw.trim();
    if t == "*" {
        return Err(bad(
            "is a wildcard: the public routes already answer every origin; list the origins that may use the authenticated API",
        ));
    }
    let (scheme, rest) = t
        .split_once("://")
        .ok_or_else(|| bad("has no scheme: write it as a browser sends it, e.g. http://localhost:5173"))?;
    let scheme = scheme.to_ascii_lowercase();
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    if scheme != "http" && scheme != "https" {
        return Err(bad("must use http or https"));
    }
    if rest.is_empty() {
        return Err(bad("has no host"));
    }
    if rest.contains(['/', '?', '#', '@', ' ', ',']) {
        return Err(bad(
            "must be only scheme://host[:port] (no path, query or credentials), e.g. http://localhost:5173",
        ));
    }
    let origin = format!("{scheme}://{}", rest.to_ascii_lowercase());
    HeaderValue::from_str(&origin).map_err(|_| bad("is not a valid header value"))?;
    Ok(origin)
}

/// Parses a comma-separated list (the setting) into origins, dropping duplicates.
pub fn parse_origins<'a>(entries: impl IntoIterator<Item = &'a str>) -> Result<Vec<String>, OriginError> {
    let mut out: Vec<String> = Vec::new();
    for e in entries.into_iter().flat_map(|e| e.split(',')).map(str::trim) {
        if e.is_empty() {
            continue;
        }
        let o = parse_origin(e)?;
        if !out.contains(&o) {
            out.push(o);
        }
    }
    Ok(out)
}

fn header_values(origins: &[String]) -> Vec<HeaderValue> {
    origins.iter().filter_map(|o| HeaderValue::from_str(o).ok()).collect()
}

/// The stream, health, entries listing and page: every origin may read them.
pub fn public(origins: &[String]) -> CorsLayer {
    let trusted = header_values(origins);
    CorsLayer::new()
        .allow_origin(AllowOrigin::mirror_request())
        .allow_credentials(AllowCredentials::predicate(move |origin, _| trusted.contains(origin)))
        .allow_methods([Method::GET, Method::HEAD])
        .allow_headers([
            HeaderName::from_static("last-event-id"),
            header::CACHE_CONTROL,
            header::ACCEPT,
        ])
        .max_age(MAX_AGE)
}

/// Login, invalidation and seeding: only the configured origins.
pub fn api(origins: &[String]) -> CorsLayer {
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(header_values(origins)))
        .allow_credentials(true)
        .allow_methods([Method::POST, Method::PUT])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            HeaderName::from_static(crate::protocol::APIKEY_HEADER),
        ])
        .max_age(MAX_AGE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_normalised_and_bad_ones_named() {
        assert_eq!(parse_origin("http://localhost:5173/").unwrap(), "http://localhost:5173");
        assert_eq!(
            parse_origin(" HTTPS://App.Example.com ").unwrap(),
            "https://app.example.com"
        );
        for (bad, why) in [
            ("localhost:5173", "has no scheme"),
            ("ftp://x.example", "http or https"),
            ("http://x.example/app", "no path"),
            ("*", "wildcard"),
            ("http://", "no host"),
        ] {
            let e = parse_origin(bad).unwrap_err();
            assert!(e.to_string().contains(why), "{bad}: {e}");
            assert!(e.to_string().contains(&format!("`{bad}`")), "{e}");
        }
        assert_eq!(
            parse_origins(["http://a.test, http://b.test:8080", "http://a.test/"]).unwrap(),
            ["http://a.test", "http://b.test:8080"]
        );
        assert!(parse_origins(["http://a.test,nope"]).is_err());
    }
}
