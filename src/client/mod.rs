//! The shared client module: the one place that talks HTTP to a Polymech server.
//!
//! `polycache invalidate`, `polycache tail` and the mirror broadcast of `polycache serve`
//! all go through here, so login, token reuse, the insecure-http guard and retries behave
//! the same everywhere. Hold ONE [`reqwest::Client`] per process (from [`http`]) and pass
//! it around: it owns the connection pool.

pub mod auth;
pub mod invalidate;
pub mod probe;
pub mod run;
pub mod stream;
pub mod target;
pub mod tls;
pub mod token;
pub mod token_cache;
pub mod trace;
pub mod verify;

use std::time::Duration;

pub use auth::{AuthConfig, AuthError, Authenticator, Credentials, Token};
pub use invalidate::{
    DEFAULT_CONCURRENCY, InvalidateError, InvalidateOutcome, InvalidateRequest, Invalidator, RetryPolicy, Sent,
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

/// The process's HTTP client: rustls, HTTP/2 over https, a short connect timeout,
/// `polycache/<version>` agent, and redirects never followed.
///
/// No total timeout is set on the client itself, so that long-lived SSE streams can use it;
/// one-shot requests (login, invalidate) run under a deadline of their own.
///
/// Redirects: a login carries a password and an invalidation a token, and a redirect would
/// send them on to wherever the `Location` points (a 307 re-POSTs the body), around the
/// rule that keeps credentials off plain http. So no request of this client follows one:
/// callers report a 3xx as the target's failure, naming the `Location` ([`redirect_error`]).
///
/// Building fails only when the TLS backend cannot start; that is an error, never a fallback
/// to a client that would follow redirects or drop `--cacert`.
pub fn http() -> Result<reqwest::Client, CaError> {
    builder().build().map_err(build_error)
}

fn build_error(e: reqwest::Error) -> CaError {
    CaError::Client {
        message: trace::describe_reqwest(&e),
    }
}

/// The words for a 3xx answer to a request that carried credentials: the status, where it
/// pointed (masked and escaped: it came from outside), and what to do.
pub fn redirect_error(status: u16, location: Option<&reqwest::header::HeaderValue>) -> String {
    let to = location
        .map(|l| crate::config::redact_url_password(&String::from_utf8_lossy(l.as_bytes())))
        .map(|l| crate::escape::text(&l).into_owned())
        .unwrap_or_else(|| "nowhere (no Location header)".to_string());
    format!(
        "answered {status}, a redirect to {to}; credentials never follow a redirect: point the URL at the final address"
    )
}

fn builder() -> reqwest::ClientBuilder {
    // HTTP/2 is negotiated by ALPN over https (one connection carries every stream and
    // request to a server); plain http stays HTTP/1.1.
    reqwest::Client::builder()
        .user_agent(USER_AGENT)
        .connect_timeout(CONNECT_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
}

/// A private certificate authority that cannot be used.
#[derive(Debug, Clone, thiserror::Error)]
pub enum CaError {
    #[error("cannot read the CA certificate {path} (POLYCACHE_CACERT / --cacert): {message}")]
    Read { path: String, message: String },
    #[error("{path} (POLYCACHE_CACERT / --cacert) holds no PEM certificate (`-----BEGIN CERTIFICATE-----`)")]
    Empty { path: String },
    /// The HTTP client itself could not start (its TLS backend).
    #[error("cannot start the HTTP client: {message}")]
    Client { message: String },
}

/// [`http`], also trusting the certificate authority of POLYCACHE_CACERT (`--cacert`)
/// beside the built-in roots: a private CA such as `serve --dev --self-signed`'s. There is
/// no way to turn certificate checks off.
pub fn http_for(settings: &crate::config::Settings) -> Result<reqwest::Client, CaError> {
    let mut b = builder();
    if let Some(path) = settings.cacert() {
        let config = tls::config_trusting(read_ca(path)?).map_err(|e| CaError::Read {
            path: path.to_string(),
            message: e.to_string(),
        })?;
        b = b.use_preconfigured_tls(config);
    }
    b.build().map_err(build_error)
}

fn read_ca(path: &str) -> Result<Vec<rustls_pki_types::CertificateDer<'static>>, CaError> {
    use rustls_pki_types::pem::PemObject;
    let pem = std::fs::read(path).map_err(|e| CaError::Read {
        path: path.to_string(),
        message: e.to_string(),
    })?;
    let empty = || CaError::Empty { path: path.to_string() };
    if !pem.windows(27).any(|w| w == b"-----BEGIN CERTIFICATE-----") {
        return Err(empty());
    }
    match rustls_pki_types::CertificateDer::pem_slice_iter(&pem).collect::<Result<Vec<_>, _>>() {
        Ok(certs) if !certs.is_empty() => Ok(certs),
        Ok(_) => Err(empty()),
        Err(e) => Err(CaError::Read {
            path: path.to_string(),
            message: e.to_string(),
        }),
    }
}

impl crate::hint::Hint for CaError {
    fn hint(&self) -> Option<String> {
        Some(match self {
            CaError::Client { .. } => {
                "the TLS library could not start; this build of polycache cannot make requests here".into()
            }
            _ => "point --cacert (POLYCACHE_CACERT) at the authority's PEM certificate, such as the CA file `polycache serve --dev --self-signed` prints".into(),
        })
    }
}
