//! One middleware around every route: a panic in a handler becomes a 500 JSON answer (the
//! node keeps serving), and every refused request leaves a warn line in the cache log with
//! its status, route and reason, plus the claimed email of a failed login. Passwords,
//! tokens and bodies are never logged.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures::FutureExt;

use super::AppState;
use super::log::{LogWriter, level};
use crate::log_fields;
use crate::protocol::ErrorAnswer;

/// Why a request was refused: set by the handler on its error answer, read here.
#[derive(Debug, Clone)]
pub(crate) struct Refusal {
    pub reason: String,
    /// The email a failed login claimed (never the password).
    pub email: Option<String>,
}

/// Longest route or email written to the log (outside input is cut, not copied whole).
const FIELD_MAX: usize = 200;

pub(crate) async fn guard(State(state): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    watch(&state.log, req, next).await
}

async fn watch(log: &LogWriter, req: Request, next: Next) -> Response {
    let method = req.method().to_string();
    let route = cut(req.uri().path());
    let response = match AssertUnwindSafe(next.run(req)).catch_unwind().await {
        Ok(r) => r,
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic".into());
            log.write(
                level::ERROR,
                "request handler panicked",
                log_fields! {"module" => "http", "method" => method, "route" => route, "status" => 500, "reason" => cut(&what)},
            );
            let body = ErrorAnswer {
                error: "internal error while handling this request; the node is still serving".into(),
            };
            return (StatusCode::INTERNAL_SERVER_ERROR, axum::Json(body)).into_response();
        }
    };
    let status = response.status();
    if status.is_client_error() {
        let refusal = response.extensions().get::<Refusal>();
        let reason = refusal
            .map(|r| r.reason.clone())
            .unwrap_or_else(|| status.canonical_reason().unwrap_or("refused").to_lowercase());
        let mut fields = log_fields! {
            "module" => "http",
            "method" => method,
            "route" => route,
            "status" => status.as_u16(),
            "reason" => reason,
        };
        if let Some(email) = refusal.and_then(|r| r.email.as_deref()) {
            fields.insert("email".into(), cut(email).into());
        }
        let msg = if status == StatusCode::UNAUTHORIZED && refusal.is_some_and(|r| r.email.is_some()) {
            "login refused"
        } else {
            "request refused"
        };
        log.write(level::WARN, msg, fields);
    }
    response
}

fn cut(s: &str) -> String {
    if s.len() <= FIELD_MAX {
        return s.to_string();
    }
    let mut end = FIELD_MAX;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} bytes)", &s[..end], s.len())
}

/// A JSON error answer: `{"error": message}` with its status; the third field is the
/// email a refused login claimed, for the log line (see [`super::guard`]).
pub(super) struct ApiError(pub(super) StatusCode, pub(super) String, pub(super) Option<String>);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorAnswer { error: self.1.clone() };
        let mut r = (self.0, axum::Json(body)).into_response();
        r.extensions_mut().insert(Refusal {
            reason: self.1,
            email: self.2,
        });
        r
    }
}

pub(super) fn error(status: StatusCode, message: impl Into<String>) -> ApiError {
    ApiError(status, message.into(), None)
}

/// The verified account behind the `Authorization: Bearer` header, or 401.
pub(super) fn authorize(state: &AppState, headers: &HeaderMap) -> Result<String, ApiError> {
    let value = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| error(StatusCode::UNAUTHORIZED, "missing Authorization: Bearer token"))?;
    let token = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            error(
                StatusCode::UNAUTHORIZED,
                "the Authorization header must be `Bearer <token>`",
            )
        })?;
    state
        .keys
        .verify(token)
        .map(|c| c.sub)
        .map_err(|why| error(StatusCode::UNAUTHORIZED, why))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::routing::get;

    async fn boom() -> &'static str {
        panic!("overflow when adding duration to instant")
    }

    #[tokio::test]
    async fn a_panicking_handler_is_a_500_and_the_server_keeps_serving() {
        let dir = tempfile::tempdir().unwrap();
        let log = Arc::new(LogWriter::open(&dir.path().join("cache.json")).unwrap());
        let logger = log.clone();
        let app = axum::Router::new()
            .route("/boom", get(boom))
            .route("/ok", get(|| async { "fine" }))
            .layer(axum::middleware::from_fn(move |req: Request, next: Next| {
                let log = logger.clone();
                async move { watch(&log, req, next).await }
            }));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        let http = reqwest::Client::new();
        for _ in 0..2 {
            let resp = http.get(format!("{base}/boom")).send().await.unwrap();
            assert_eq!(resp.status(), 500);
            let v: serde_json::Value = resp.json().await.unwrap();
            assert!(v["error"].as_str().unwrap().contains("still serving"), "{v}");
        }
        let resp = http.get(format!("{base}/ok")).send().await.unwrap();
        assert_eq!(resp.status(), 200);
        let text = std::fs::read_to_string(log.path()).unwrap();
        let line: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
        assert_eq!(line["level"], 50);
        assert_eq!(line["msg"], "request handler panicked");
        assert_eq!(line["route"], "/boom");
        assert_eq!(line["status"], 500);
        assert!(line["reason"].as_str().unwrap().contains("overflow"), "{line}");
    }
}
