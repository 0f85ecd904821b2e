//! Login (PROTOCOL section 2), token reuse until shortly before expiry, and redaction.
//!
//! Three ways to get a token, chosen from the settings:
//! - `POLYCACHE_TOKEN`: a ready JWT, used as is for every target;
//! - `SUPABASE_URL` + `SUPABASE_ANON_KEY`: one Supabase password login serves every target;
//! - otherwise `POST {target}{POLYCACHE_AUTH_PATH}` on each target with the service account
//!   (or the test account).
//!
//! Neither the password nor the token ever appears in a `Debug`, `Display` or error text.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Mutex;

use super::target::{InsecureError, Target};
pub use super::token::{Token, jwt_exp};
use super::trace::describe_reqwest;
use crate::config::Settings;
use crate::protocol::{APIKEY_HEADER, LoginAnswer, LoginRequest, SUPABASE_PASSWORD_GRANT, SUPABASE_TOKEN_PATH};

/// An email and password. The password prints as `••••`.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub email: String,
    password: String,
}

impl Credentials {
    pub fn new(email: impl Into<String>, password: impl Into<String>) -> Credentials {
        Credentials {
            email: email.into(),
            password: password.into(),
        }
    }

    /// The raw password, for the login body and nothing else.
    pub fn expose_password(&self) -> &str {
        &self.password
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Credentials {{ email: {:?}, password: •••• }}", self.email)
    }
}

/// How tokens are obtained.
#[derive(Debug, Clone)]
pub enum AuthConfig {
    /// `POLYCACHE_TOKEN`: skip login.
    Token(Token),
    /// `POST {target}{auth_path}` on each target.
    Login {
        auth_path: String,
        credentials: Credentials,
    },
    /// One Supabase password login for every target.
    Supabase {
        url: String,
        anon_key: Token,
        credentials: Credentials,
    },
}

impl AuthConfig {
    /// Picks the mode from the settings (PROTOCOL section 1).
    pub fn from_settings(settings: &Settings) -> Result<AuthConfig, AuthError> {
        if let Some(t) = settings.token() {
            return Ok(AuthConfig::Token(Token::new(t)));
        }
        let credentials = settings
            .credentials()
            .map(|(e, p)| Credentials::new(e, p))
            .ok_or(AuthError::NoCredentials)?;
        match settings.supabase() {
            Some((url, key)) => Ok(AuthConfig::Supabase {
                url: crate::config::normalize_base(url),
                anon_key: Token::new(key),
                credentials,
            }),
            None => Ok(AuthConfig::Login {
                auth_path: settings.auth_path().to_string(),
                credentials,
            }),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error(
        "no credentials: set SERVICE_EMAIL and SERVICE_PASSWORD (or TEST_EMAIL and TEST_PASSWORD), or POLYCACHE_TOKEN"
    )]
    NoCredentials,
    #[error("login to {target} was rejected ({status}): invalid credentials for {email}")]
    Rejected { target: String, status: u16, email: String },
    #[error("{target} rejected the token (401): {message}")]
    TokenRejected { target: String, message: String },
    #[error(transparent)]
    Insecure(#[from] InsecureError),
    #[error("cannot reach {target} to log in: {message}")]
    Network { target: String, message: String },
    #[error("unexpected login answer from {target}: {message}")]
    BadResponse { target: String, message: String },
    /// A 3xx: the password is not sent on (see [`super::http`]).
    #[error("login to {target} {message}")]
    Redirected { target: String, message: String },
    /// The server's certificate was refused: asking again would not change it.
    #[error("cannot log in to {target}: {message}")]
    Tls { target: String, message: String },
    #[error(transparent)]
    UnsafeTokenCache(#[from] super::token_cache::UnsafeDir),
    /// The whole exchange with the target ran out of time while logging in.
    #[error("{target}: no answer within {after} while logging in (--timeout)")]
    Deadline { target: String, after: String },
}

impl crate::hint::Hint for AuthError {
    fn hint(&self) -> Option<String> {
        Some(match self {
            AuthError::NoCredentials => {
                "put them in .env, or export them; `polycache config` shows what is set".to_string()
            }
            AuthError::Rejected { .. } => "check SERVICE_EMAIL/SERVICE_PASSWORD (or TEST_EMAIL/TEST_PASSWORD); \
                                           `polycache config` shows where they come from"
                .to_string(),
            AuthError::TokenRejected { .. } => {
                "POLYCACHE_TOKEN was refused: unset it to log in with the service account, or set a fresh one"
                    .to_string()
            }
            AuthError::Insecure(_) => {
                "use an https:// URL, or pass --allow-insecure if the network is trusted".to_string()
            }
            AuthError::Network { target, .. } | AuthError::Deadline { target, .. } => {
                super::Target::reach_hint(target).to_string()
            }
            AuthError::BadResponse { .. } | AuthError::Redirected { .. } => {
                "check the server's URL (its base, without /api) and the login settings with \
                 `polycache config` (POLYCACHE_AUTH_PATH, SUPABASE_URL)"
                    .to_string()
            }
            AuthError::Tls { .. } => {
                "the server's certificate was refused (see why): fix it on the server, or trust it with --cacert FILE"
                    .to_string()
            }
            AuthError::UnsafeTokenCache(u) => format!(
                "make it private (chmod 700 {}), or point POLYCACHE_TOKEN_CACHE at a directory of your own",
                u.dir
            ),
        })
    }
}

/// Logs in and caches tokens per (auth endpoint, account) until 60 s before they expire.
#[derive(Debug)]
pub struct Authenticator {
    http: reqwest::Client,
    config: AuthConfig,
    allow_insecure: bool,
    cache: std::sync::Mutex<HashMap<(String, String), TokenSlot>>,
    /// `POLYCACHE_TOKEN_CACHE`: tokens kept on disk between runs.
    disk: Option<super::token_cache::DiskTokens>,
    /// `-v`: the login requests, secrets masked.
    trace: super::Trace,
}

/// The cached token of one (login endpoint, account), locked while a login is under way.
type TokenSlot = Arc<Mutex<Option<Token>>>;

/// A cached token is reused until this long before its `exp`.
pub const EXPIRY_MARGIN: Duration = Duration::from_secs(60);

impl Authenticator {
    pub fn new(http: reqwest::Client, config: AuthConfig, allow_insecure: bool) -> Authenticator {
        Authenticator {
            http,
            config,
            allow_insecure,
            cache: std::sync::Mutex::new(HashMap::new()),
            disk: None,
            trace: super::Trace::off(),
        }
    }

    /// Traces each login request (`-v`).
    pub fn with_trace(mut self, trace: super::Trace) -> Authenticator {
        self.trace = trace;
        self
    }

    /// Also keeps tokens in `disk` between runs (read before logging in, written after).
    pub fn with_disk_cache(mut self, disk: Option<super::token_cache::DiskTokens>) -> Authenticator {
        self.disk = disk;
        self
    }

    pub fn from_settings(
        http: reqwest::Client,
        settings: &Settings,
        allow_insecure: bool,
    ) -> Result<Authenticator, AuthError> {
        Ok(Authenticator::new(
            http,
            AuthConfig::from_settings(settings)?,
            allow_insecure,
        ))
    }

    pub fn config(&self) -> &AuthConfig {
        &self.config
    }

    /// Whether a rejected token may be replaced by logging in again (false for
    /// `POLYCACHE_TOKEN`, which is fixed).
    pub fn can_refresh(&self) -> bool {
        !matches!(self.config, AuthConfig::Token(_))
    }

    /// A token to send to `target`: cached when still fresh, else from a new login.
    pub async fn token_for(&self, target: &Target) -> Result<Token, AuthError> {
        target.check_secure(self.allow_insecure)?;
        let (login_url, credentials, apikey, login_target) = match &self.config {
            AuthConfig::Token(t) => return Ok(t.clone()),
            AuthConfig::Login { auth_path, credentials } => (target.url(auth_path), credentials, None, target.clone()),
            AuthConfig::Supabase {
                url,
                anon_key,
                credentials,
            } => {
                let supabase = Target::new(url, "supabase");
                supabase.check_secure(self.allow_insecure)?;
                let u = supabase_login_url(&supabase);
                (u, credentials, Some(anon_key), supabase)
            }
        };
        let key = (login_url.clone(), credentials.email.clone());
        // One slot per (endpoint, account): concurrent requests for the same endpoint wait
        // for one login (Supabase mode logs in once for every target), while logins to
        // different targets proceed in parallel, so one slow target never holds up another.
        let slot = {
            let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
            cache.entry(key).or_default().clone()
        };
        let mut slot = slot.lock().await;
        if let Some(t) = slot.as_ref().filter(|t| t.fresh_for(EXPIRY_MARGIN)) {
            return Ok(t.clone());
        }
        if let Some(t) = self
            .disk
            .as_ref()
            .and_then(|d| d.get(&login_url, &credentials.email, EXPIRY_MARGIN))
        {
            *slot = Some(t.clone());
            return Ok(t);
        }
        let token = login(&self.http, &self.trace, &login_target, &login_url, credentials, apikey).await?;
        *slot = Some(token.clone());
        if let Some(d) = &self.disk {
            // A cache: failing to write it only costs a login next time.
            let _ = d.put(&login_url, &credentials.email, &token);
        }
        Ok(token)
    }

    /// Drops the cached token used for `target` (after the target answered 401).
    pub async fn forget(&self, target: &Target) {
        let url = match &self.config {
            AuthConfig::Token(_) => return,
            AuthConfig::Login { auth_path, .. } => target.url(auth_path),
            AuthConfig::Supabase { url, .. } => supabase_login_url(&Target::new(url, "supabase")),
        };
        self.cache
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .retain(|(u, _), _| *u != url);
        if let Some(d) = &self.disk {
            let _ = d.remove(&url);
        }
    }
}

/// The Supabase password login of PROTOCOL section 1.
fn supabase_login_url(supabase: &Target) -> String {
    supabase.url(&format!("{SUPABASE_TOKEN_PATH}?{SUPABASE_PASSWORD_GRANT}"))
}

/// One login: `POST url` with `{email, password}` (and `apikey` for Supabase).
pub async fn login(
    http: &reqwest::Client,
    trace: &super::Trace,
    target: &Target,
    url: &str,
    credentials: &Credentials,
    apikey: Option<&Token>,
) -> Result<Token, AuthError> {
    let body = LoginRequest {
        email: credentials.email.clone(),
        password: credentials.expose_password().to_string(),
    };
    let mut req = http.post(url).timeout(super::REQUEST_TIMEOUT).json(&body);
    if let Some(k) = apikey {
        req = req.header(APIKEY_HEADER, k.expose());
    }
    let resp = super::trace::send(trace, req).await.map_err(|e| match e {
        super::trace::SendError::Http(h) if is_certificate_error(&h) => AuthError::Tls {
            target: target.name.clone(),
            message: describe_reqwest(&h),
        },
        super::trace::SendError::TooLarge { .. } => AuthError::BadResponse {
            target: target.name.clone(),
            message: format!("the login answer from {url}: {e}"),
        },
        e => AuthError::Network {
            target: target.name.clone(),
            message: format!("{url}: {}", e.describe()),
        },
    })?;
    let status = resp.status;
    if status == reqwest::StatusCode::UNAUTHORIZED
        || status == reqwest::StatusCode::FORBIDDEN
        || (apikey.is_some() && status == reqwest::StatusCode::BAD_REQUEST)
    {
        return Err(AuthError::Rejected {
            target: target.name.clone(),
            status: status.as_u16(),
            email: credentials.email.clone(),
        });
    }
    if status.is_redirection() {
        return Err(AuthError::Redirected {
            target: target.name.clone(),
            message: super::redirect_error(status.as_u16(), resp.headers.get(reqwest::header::LOCATION)),
        });
    }
    if matches!(status.as_u16(), 404 | 405 | 501) {
        return Err(AuthError::BadResponse {
            target: target.name.clone(),
            message: format!(
                "HTTP {} from {url}: not a Polymech login endpoint (check POLYCACHE_AUTH_PATH)",
                status.as_u16()
            ),
        });
    }
    if !status.is_success() {
        return Err(AuthError::BadResponse {
            target: target.name.clone(),
            message: format!("HTTP {status} from {url}"),
        });
    }
    let answer: LoginAnswer = serde_json::from_slice(&resp.body).map_err(|e| AuthError::BadResponse {
        target: target.name.clone(),
        message: format!("the body is not the expected JSON: {e}"),
    })?;
    match answer.into_token() {
        Some(t) => Ok(Token::new(t)),
        None => Err(AuthError::BadResponse {
            target: target.name.clone(),
            message: "the answer has neither `token` nor `access_token`".into(),
        }),
    }
}

/// Whether the request failed because the server's certificate was refused (never worth
/// a retry).
pub(crate) fn is_certificate_error(e: &reqwest::Error) -> bool {
    super::tls::describe_certificate_error(e).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::token::now_secs;

    fn jwt(claims: serde_json::Value) -> String {
        crate::jwt::install();
        jsonwebtoken::encode(
            &jsonwebtoken::Header::default(),
            &claims,
            &jsonwebtoken::EncodingKey::from_secret(b"k"),
        )
        .unwrap()
    }

    #[test]
    fn exp_is_read_without_a_key() {
        let t = jwt(serde_json::json!({"sub": "a", "exp": 2_000_000_000u64}));
        assert_eq!(jwt_exp(&t), Some(2_000_000_000));
        assert_eq!(jwt_exp("not.a.jwt"), None);
        assert_eq!(jwt_exp(""), None);
        assert_eq!(jwt_exp(&jwt(serde_json::json!({"sub": "a"}))), None);
    }

    #[test]
    fn tokens_are_reused_until_a_minute_before_expiry() {
        let soon = Token::new(jwt(serde_json::json!({"exp": now_secs() + 30})));
        let later = Token::new(jwt(serde_json::json!({"exp": now_secs() + 600})));
        let past = Token::new(jwt(serde_json::json!({"exp": now_secs() - 10})));
        assert!(!soon.fresh_for(EXPIRY_MARGIN));
        assert!(later.fresh_for(EXPIRY_MARGIN));
        assert!(!past.fresh_for(EXPIRY_MARGIN));
        assert!(Token::new("opaque").fresh_for(EXPIRY_MARGIN));
    }

    #[test]
    fn secrets_never_print() {
        let t = Token::new("eyJsecret-token");
        let c = Credentials::new("svc@example.com", "hunter2-pass");
        let cfg = AuthConfig::Login {
            auth_path: "/api/auth/login".into(),
            credentials: c.clone(),
        };
        let text = format!("{t} {t:?} {c:?} {cfg:?}");
        assert!(!text.contains("eyJsecret-token"), "{text}");
        assert!(!text.contains("hunter2-pass"), "{text}");
        assert!(text.contains("svc@example.com"));
        let e = AuthError::Rejected {
            target: "local".into(),
            status: 401,
            email: c.email.clone(),
        };
        assert!(!e.to_string().contains("hunter2-pass"));
    }

    #[tokio::test]
    async fn insecure_targets_are_refused_before_any_request() {
        let auth = Authenticator::new(reqwest::Client::new(), AuthConfig::Token(Token::new("t")), false);
        let e = auth
            .token_for(&Target::mirror("http://example.invalid"))
            .await
            .unwrap_err();
        assert!(matches!(e, AuthError::Insecure(_)));
        assert!(e.to_string().contains("--allow-insecure"));
    }
}
