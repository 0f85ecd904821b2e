//! One invalidation request (PROTOCOL section 3), with retries, and the concurrent fan-out
//! over many targets.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::{Duration, Instant};

use futures::StreamExt;
use serde::Serialize;

use super::auth::{AuthError, Authenticator};
use super::target::Target;
pub use crate::protocol::InvalidateRequest;
use crate::protocol::{ErrorAnswer, InvalidateAnswer};

/// How many targets are contacted at once by [`Invalidator::fan_out`] unless set otherwise.
pub const DEFAULT_CONCURRENCY: usize = 16;

/// Retries for connect errors, timeouts and 5xx answers (never for 4xx).
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Total attempts, at least 1.
    pub attempts: u32,
    /// Delay before the second attempt; doubled for each further one.
    pub base_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> RetryPolicy {
        RetryPolicy {
            attempts: 3,
            base_delay: Duration::from_millis(200),
        }
    }
}

impl RetryPolicy {
    pub fn none() -> RetryPolicy {
        RetryPolicy {
            attempts: 1,
            base_delay: Duration::ZERO,
        }
    }

    /// The wait before retry `attempt`: the one backoff of [`crate::backoff`], from
    /// `base_delay` up to 10 s (the per-target deadline bounds a run anyway).
    fn delay(&self, attempt: u32) -> Duration {
        crate::backoff::Backoff::new(self.base_delay, Duration::from_secs(10)).delay(attempt)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidateError {
    /// Could not get a token, or the target answered 401.
    #[error(transparent)]
    Auth(#[from] AuthError),
    /// A 4xx other than 401: the request itself is wrong (unknown type, malformed body).
    #[error("{target} refused the request ({status}): {message}")]
    Rejected {
        target: String,
        status: u16,
        message: String,
    },
    /// A 5xx after every retry.
    #[error("{target} failed ({status}): {message}")]
    Server {
        target: String,
        status: u16,
        message: String,
    },
    /// Connect error or timeout after every retry.
    #[error("cannot reach {target}: {message}")]
    Network { target: String, message: String },
    /// A 2xx whose body is not the protocol's answer (`{"success": true, ...}`).
    #[error("unexpected answer from {target}: {message}")]
    BadResponse { target: String, message: String },
    /// A 3xx: the token is not sent on (see [`super::http`]).
    #[error("{target} {message}")]
    Redirected { target: String, message: String },
    /// The deadline of the whole exchange with the target passed during `step`.
    #[error("{target}: no answer within {after} while {step} (--timeout)")]
    Deadline {
        target: String,
        step: &'static str,
        after: String,
    },
    /// The run was stopped (Ctrl-C, SIGTERM) before the target answered: it may or may
    /// not have cleared its cache.
    #[error("interrupted before {target} answered: it may or may not have cleared")]
    Interrupted { target: String },
}

impl crate::hint::Hint for InvalidateError {
    fn hint(&self) -> Option<String> {
        match self {
            InvalidateError::Auth(e) => e.hint(),
            InvalidateError::Rejected { status: 404, .. } => Some(
                "check the server's URL (its base, without /api) and POLYCACHE_INVALIDATE_PATH with `polycache config`"
                    .into(),
            ),
            InvalidateError::Rejected { .. } => None,
            InvalidateError::Server { .. } => {
                Some("the server failed: its cache log says why (`polycache logs --errors` there)".into())
            }
            InvalidateError::Network { target, .. } | InvalidateError::Deadline { target, .. } => {
                Some(super::Target::reach_hint(target).into())
            }
            InvalidateError::BadResponse { .. } => {
                Some("is this a Polymech server? check its URL (the base, without /api)".into())
            }
            InvalidateError::Redirected { .. } => {
                Some("use the URL it redirects to (the token is not sent on to another address)".into())
            }
            InvalidateError::Interrupted { .. } => None,
        }
    }
}

impl InvalidateError {
    /// The error without the target's name and the status, for a table whose columns
    /// show them already.
    pub fn detail(&self) -> String {
        match self {
            InvalidateError::Rejected { message, .. } | InvalidateError::Server { message, .. } => message.clone(),
            InvalidateError::Network { message, .. } => format!("cannot reach {message}"),
            InvalidateError::BadResponse { message, .. } => format!("unexpected answer: {message}"),
            InvalidateError::Redirected { message, .. } => message.clone(),
            InvalidateError::Deadline { step, after, .. } => {
                format!("no answer within {after} while {step} (--timeout)")
            }
            InvalidateError::Interrupted { .. } => {
                "interrupted before it answered: it may or may not have cleared".to_string()
            }
            InvalidateError::Auth(e) => e.to_string(),
        }
    }
}

/// What happened at one target.
#[derive(Debug, Clone, Serialize)]
pub struct InvalidateOutcome {
    /// The target's display name (`local`, `host:port`).
    pub target: String,
    pub base: String,
    /// The last HTTP status received, if any.
    pub status: Option<u16>,
    /// The cascade the target cleared, in its order.
    pub invalidated: Vec<String>,
    /// What the target said about broadcasting on.
    pub mirrored: Option<bool>,
    #[serde(rename = "latencyMs", serialize_with = "ser_ms")]
    pub latency: Duration,
    pub attempts: u32,
    #[serde(serialize_with = "ser_err")]
    pub error: Option<InvalidateError>,
}

impl InvalidateOutcome {
    /// Nothing happened yet at `target`: no attempt, no status, no error.
    pub fn new(target: &Target) -> InvalidateOutcome {
        InvalidateOutcome {
            target: target.name.clone(),
            base: target.base.clone(),
            status: None,
            invalidated: Vec::new(),
            mirrored: None,
            latency: Duration::ZERO,
            attempts: 0,
            error: None,
        }
    }

    pub fn is_ok(&self) -> bool {
        self.error.is_none()
    }

    /// True when the failure is about authentication: no credentials, login refused, or
    /// the target answered 401 (callers exit 4). Not for the insecure-http refusal, nor for
    /// a login that timed out, was redirected or got a strange answer.
    pub fn is_auth_failure(&self) -> bool {
        matches!(
            &self.error,
            Some(InvalidateError::Auth(
                AuthError::NoCredentials | AuthError::Rejected { .. } | AuthError::TokenRejected { .. }
            ))
        )
    }

    /// True when nothing was sent because credentials would have gone over plain http to
    /// another machine (a usage error: pass `--allow-insecure` or use https).
    pub fn is_insecure(&self) -> bool {
        matches!(self.error, Some(InvalidateError::Auth(AuthError::Insecure(_))))
    }
}

fn ser_ms<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(d.as_millis().min(u64::MAX as u128) as u64)
}

fn ser_err<S: serde::Serializer>(e: &Option<InvalidateError>, s: S) -> Result<S::Ok, S::Error> {
    match e {
        Some(e) => s.serialize_str(&e.to_string()),
        None => s.serialize_none(),
    }
}

/// Sends invalidations: holds the HTTP client, the authenticator and the policies.
#[derive(Debug, Clone)]
pub struct Invalidator {
    http: reqwest::Client,
    auth: Arc<Authenticator>,
    invalidate_path: String,
    pub retry: RetryPolicy,
    pub concurrency: usize,
    /// The deadline for everything one target is asked by [`invalidate_one`](Self::invalidate_one):
    /// the login, the request and its retries.
    pub deadline: Duration,
    /// `-v`: each request and answer, secrets masked.
    trace: super::Trace,
}

enum Attempt {
    Done(u16, InvalidateAnswer),
    Unauthorized(String),
    Fatal(InvalidateError, Option<u16>),
    Retry(InvalidateError, Option<u16>),
}

impl Invalidator {
    pub fn new(http: reqwest::Client, auth: Arc<Authenticator>, invalidate_path: impl Into<String>) -> Invalidator {
        Invalidator {
            http,
            auth,
            invalidate_path: invalidate_path.into(),
            retry: RetryPolicy::default(),
            concurrency: DEFAULT_CONCURRENCY,
            deadline: super::DEFAULT_DEADLINE,
            trace: super::Trace::off(),
        }
    }

    /// The invalidator the commands use: tokens per the settings (POLYCACHE_TOKEN, Supabase
    /// or login at POLYCACHE_AUTH_PATH) and POLYCACHE_INVALIDATE_PATH.
    pub fn from_settings(
        http: reqwest::Client,
        settings: &crate::config::Settings,
        allow_insecure: bool,
    ) -> Result<Invalidator, AuthError> {
        let auth = Authenticator::from_settings(http.clone(), settings, allow_insecure)?;
        Ok(Invalidator::new(http, Arc::new(auth), settings.invalidate_path()))
    }

    pub fn with_retry(mut self, retry: RetryPolicy) -> Invalidator {
        self.retry = retry;
        self
    }

    pub fn with_concurrency(mut self, n: usize) -> Invalidator {
        self.concurrency = n.max(1);
        self
    }

    /// Traces each invalidation request (`-v`); give the authenticator the same trace for
    /// the logins.
    pub fn with_trace(mut self, trace: super::Trace) -> Invalidator {
        self.trace = trace;
        self
    }

    /// Sets the deadline of one target's whole exchange (login, request, retries).
    pub fn with_deadline(mut self, t: Duration) -> Invalidator {
        self.deadline = t;
        self
    }

    pub fn authenticator(&self) -> &Arc<Authenticator> {
        &self.auth
    }

    /// One invalidation at one target, retried per the policy, within the deadline. Never
    /// panics, never errs: the outcome says what happened.
    pub async fn invalidate_one(&self, target: &Target, req: &InvalidateRequest) -> InvalidateOutcome {
        self.invalidate_by(target, req, tokio::time::Instant::now() + self.deadline)
            .await
    }

    /// [`invalidate_one`](Self::invalidate_one) with the deadline given: a caller that
    /// logged in first passes the deadline that started with that login, so that one
    /// target's whole exchange fits in it.
    pub async fn invalidate_by(
        &self,
        target: &Target,
        req: &InvalidateRequest,
        deadline: tokio::time::Instant,
    ) -> InvalidateOutcome {
        let start = Instant::now();
        let mut outcome = InvalidateOutcome::new(target);
        let step = AtomicU8::new(STEP_LOGIN);
        let run = self.run(target, req, deadline, &step, &mut outcome);
        let timed_out = tokio::time::timeout_at(deadline, run).await.is_err()
            // A request's own timeout can win the race with the deadline when the process
            // was not scheduled for a moment: it is the same deadline, said the same way.
            || (tokio::time::Instant::now() >= deadline
                && matches!(outcome.error, Some(InvalidateError::Network { .. })));
        if timed_out {
            outcome.status = None;
            outcome.error = Some(InvalidateError::Deadline {
                target: target.name.clone(),
                step: STEPS[usize::from(step.load(Ordering::Relaxed)).min(STEPS.len() - 1)],
                after: crate::duration::human(self.deadline),
            });
        }
        outcome.latency = start.elapsed();
        outcome
    }

    async fn run(
        &self,
        target: &Target,
        req: &InvalidateRequest,
        deadline: tokio::time::Instant,
        step: &AtomicU8,
        outcome: &mut InvalidateOutcome,
    ) {
        let attempts = self.retry.attempts.max(1);
        let mut relogged = false;
        loop {
            outcome.attempts += 1;
            step.store(STEP_LOGIN, Ordering::Relaxed);
            let attempt = match self.auth.token_for(target).await {
                Ok(token) => {
                    step.store(STEP_REQUEST, Ordering::Relaxed);
                    self.attempt(target, req, token.expose()).await
                }
                // Not reaching the login endpoint is a network failure, retried as such.
                Err(AuthError::Network { target, message }) => {
                    Attempt::Retry(InvalidateError::Network { target, message }, None)
                }
                Err(e) => Attempt::Fatal(e.into(), None),
            };
            match attempt {
                Attempt::Done(status, answer) => {
                    outcome.status = Some(status);
                    outcome.invalidated = answer.invalidated;
                    outcome.mirrored = answer.mirrored;
                    outcome.error = None;
                    return;
                }
                Attempt::Unauthorized(message) => {
                    outcome.status = Some(401);
                    // A cached token may have been revoked or the server's secret rotated:
                    // log in again once before giving up.
                    if !relogged && self.auth.can_refresh() {
                        relogged = true;
                        self.auth.forget(target).await;
                        outcome.attempts -= 1;
                        continue;
                    }
                    outcome.error = Some(InvalidateError::Auth(AuthError::TokenRejected {
                        target: target.name.clone(),
                        message,
                    }));
                    return;
                }
                Attempt::Fatal(e, status) => {
                    outcome.status = status;
                    outcome.error = Some(e);
                    return;
                }
                Attempt::Retry(e, status) => {
                    outcome.status = status;
                    outcome.error = Some(e);
                    let delay = self.retry.delay(outcome.attempts);
                    // A retry that could not finish before the deadline is not started:
                    // the last real error says more than "no answer in time".
                    if outcome.attempts >= attempts || tokio::time::Instant::now() + delay >= deadline {
                        return;
                    }
                    step.store(STEP_WAIT, Ordering::Relaxed);
                    tokio::time::sleep(delay).await;
                }
            }
        }
    }

    async fn attempt(&self, target: &Target, req: &InvalidateRequest, token: &str) -> Attempt {
        let name = || target.name.clone();
        let request = self
            .http
            .post(target.url(&self.invalidate_path))
            .timeout(self.deadline)
            .bearer_auth(token)
            .json(req);
        let sent = super::trace::send(&self.trace, request).await;
        let resp = match sent {
            Ok(r) => r,
            // Over the body budget: asking again would only read another megabyte.
            Err(e @ super::trace::SendError::TooLarge { .. }) => {
                let err = InvalidateError::BadResponse {
                    target: name(),
                    message: e.to_string(),
                };
                return Attempt::Fatal(err, None);
            }
            Err(e) => {
                let err = InvalidateError::Network {
                    target: name(),
                    message: format!("{}: {}", target.url(&self.invalidate_path), e.describe()),
                };
                // A refused certificate stays refused: no retry.
                if let super::trace::SendError::Http(h) = &e
                    && super::auth::is_certificate_error(h)
                {
                    return Attempt::Fatal(err, None);
                }
                return Attempt::Retry(err, None);
            }
        };
        let status = resp.status.as_u16();
        if resp.status.is_redirection() {
            let message = super::redirect_error(status, resp.headers.get(reqwest::header::LOCATION));
            return Attempt::Fatal(
                InvalidateError::Redirected {
                    target: name(),
                    message,
                },
                Some(status),
            );
        }
        let body = resp.body;
        let message = || error_message(&body, status);
        match status {
            // Anything but the protocol's `"success": true` in a 2xx is a failure.
            200..=299 => match serde_json::from_slice::<InvalidateAnswer>(&body) {
                Ok(a) if a.success => Attempt::Done(status, a),
                Ok(a) => Attempt::Fatal(
                    InvalidateError::BadResponse {
                        target: name(),
                        message: match a.error {
                            Some(e) => format!("answered {status} but says it failed: {}", crate::escape::text(&e)),
                            None => format!("answered {status} without `\"success\": true`: {}", excerpt(&body)),
                        },
                    },
                    Some(status),
                ),
                Err(_) => Attempt::Fatal(
                    InvalidateError::BadResponse {
                        target: name(),
                        message: format!(
                            "answered {status} with a body that is not the protocol's `{{\"success\": true, ...}}`: {}",
                            excerpt(&body)
                        ),
                    },
                    Some(status),
                ),
            },
            401 => Attempt::Unauthorized(message()),
            500..=599 => Attempt::Retry(
                InvalidateError::Server {
                    target: name(),
                    status,
                    message: message(),
                },
                Some(status),
            ),
            _ => Attempt::Fatal(
                InvalidateError::Rejected {
                    target: name(),
                    status,
                    message: message(),
                },
                Some(status),
            ),
        }
    }

    /// The one fan-out, used by `polycache invalidate` and by the mirror broadcast of
    /// `polycache serve`: every target at once (at most `concurrency` together), each on its
    /// own: log in, then send `requests` one after another in the order given, so that its
    /// stream announces them in that order too. A wrong password costs one attempt per
    /// target, and the latencies measure the invalidations, not the login. One deadline
    /// covers a target's whole exchange, starting with its login, so a target that hangs
    /// never holds up another. `on_done` hears of each outcome as it comes; the result is in
    /// target order, then request order.
    pub async fn fan_out<T, F>(&self, targets: &[T], requests: &[InvalidateRequest], on_done: F) -> Vec<Sent>
    where
        T: AsRef<Target> + Sync,
        F: Fn(usize, &InvalidateOutcome) + Sync,
    {
        // Futures made here, by a method rather than a closure, so the spawned broadcast
        // task that awaits this stays `Send` for any lifetime of the targets.
        let jobs: Vec<_> = targets
            .iter()
            .enumerate()
            .map(|(ti, t)| self.one_target(ti, t.as_ref(), requests, &on_done))
            .collect();
        let per_target: Vec<Vec<Sent>> = futures::stream::iter(jobs)
            .buffer_unordered(self.concurrency.max(1))
            .collect()
            .await;
        let mut all: Vec<Sent> = per_target.into_iter().flatten().collect();
        all.sort_by_key(|s| (s.target, s.request));
        all
    }

    /// One target of [`fan_out`](Self::fan_out): its login, then its requests in order.
    async fn one_target<F>(&self, ti: usize, target: &Target, requests: &[InvalidateRequest], on_done: &F) -> Vec<Sent>
    where
        F: Fn(usize, &InvalidateOutcome) + Sync,
    {
        let deadline = tokio::time::Instant::now() + self.deadline;
        let login = match tokio::time::timeout_at(deadline, self.auth.token_for(target)).await {
            Ok(token) => token.map(|_| ()),
            Err(_) => Err(AuthError::Deadline {
                target: target.name.clone(),
                after: crate::duration::human(self.deadline),
            }),
        };
        let mut out = Vec::with_capacity(requests.len());
        for (ri, req) in requests.iter().enumerate() {
            let started = Instant::now();
            let outcome = match &login {
                // Unreachable at login time: the invalidation retries the login.
                Err(e) if !matches!(e, AuthError::Network { .. }) => InvalidateOutcome {
                    error: Some(InvalidateError::Auth(e.clone())),
                    ..InvalidateOutcome::new(target)
                },
                _ => self.invalidate_by(target, req, deadline).await,
            };
            on_done(ti, &outcome);
            out.push(Sent {
                target: ti,
                request: ri,
                started,
                outcome,
            });
        }
        out
    }
}

/// One invalidation sent by [`Invalidator::fan_out`].
#[derive(Debug, Clone)]
pub struct Sent {
    /// Index into the targets.
    pub target: usize,
    /// Index into the requests.
    pub request: usize,
    /// When this request started (after the target's login).
    pub started: Instant,
    pub outcome: InvalidateOutcome,
}

/// The `error` field of a JSON error body, else the start of the body, else the status.
fn error_message(body: &[u8], status: u16) -> String {
    if let Ok(e) = serde_json::from_slice::<ErrorAnswer>(body) {
        return crate::escape::text(&e.error).into_owned();
    }
    if body.trim_ascii().is_empty() {
        format!("HTTP {status}")
    } else {
        excerpt(body)
    }
}

/// The start of a body, on one line, control characters escaped: for messages.
fn excerpt(body: &[u8]) -> String {
    const MAX: usize = 120;
    let text = String::from_utf8_lossy(body);
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out: String = flat.chars().take(MAX).collect();
    if flat.chars().count() > MAX {
        out.push('…');
    }
    if out.is_empty() {
        return "(empty body)".to_string();
    }
    crate::escape::text(&out).into_owned()
}

const STEP_LOGIN: u8 = 0;
const STEP_REQUEST: u8 = 1;
const STEP_WAIT: u8 = 2;
/// What [`Invalidator::invalidate_by`] was doing, by the numbers above.
const STEPS: [&str; 3] = ["logging in", "sending the invalidation", "waiting to retry"];

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn insecure_targets_are_not_auth_failures_and_get_no_request() {
        let auth = Arc::new(Authenticator::new(
            reqwest::Client::new(),
            super::super::AuthConfig::Token(super::super::Token::new("t")),
            false,
        ));
        let inv = Invalidator::new(reqwest::Client::new(), auth, crate::protocol::INVALIDATE_PATH);
        let o = inv
            .invalidate_one(
                &Target::mirror("http://staging.example.invalid"),
                &InvalidateRequest::new("posts", false),
            )
            .await;
        assert!(o.is_insecure() && !o.is_auth_failure());
        assert_eq!((o.attempts, o.status), (1, None));
    }

    #[test]
    fn backoff_doubles() {
        let p = RetryPolicy {
            attempts: 4,
            base_delay: Duration::from_millis(100),
        };
        for (attempt, ms) in [(1, 100), (2, 200), (3, 400)] {
            let (d, w) = (Duration::from_millis(ms), p.delay(attempt));
            assert!(w >= d && w <= 2 * d, "retry {attempt}: {w:?}");
        }
        assert_eq!(RetryPolicy::none().delay(1), Duration::ZERO);
    }

    #[test]
    fn error_bodies_are_summarised() {
        assert_eq!(error_message(br#"{"error":"unknown type"}"#, 400), "unknown type");
        assert_eq!(error_message(b"", 502), "HTTP 502");
        assert_eq!(error_message(b"Bad Gateway", 502), "Bad Gateway");
    }
}
