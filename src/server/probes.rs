//! What operators and their tools ask a node: `GET /metrics` (Prometheus), `GET /livez`
//! (the process serves) and `GET /readyz` (it can do its job: store and bus reachable, not
//! stopping). `/api/health` stays the one for people and `doctor`.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::metrics::{Access, CONTENT_TYPE, PROMETHEUS_CONTENT_TYPE};
use crate::protocol::ReadyAnswer;

pub const METRICS_PATH: &str = "/metrics";
pub const LIVEZ_PATH: &str = "/livez";
pub const READYZ_PATH: &str = "/readyz";

/// How long `/readyz` waits for the store to answer: a probe must answer fast, and a store
/// slower than this is not ready.
const READY_TIMEOUT: Duration = Duration::from_secs(1);

pub async fn metrics(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    match state.metrics_access {
        Access::Off => {
            return (
                StatusCode::NOT_FOUND,
                "metrics are off on this node (serve --metrics off)\n",
            )
                .into_response();
        }
        Access::Token => {
            if let Err(e) = super::guard::authorize(&state, &headers) {
                return e.into_response();
            }
        }
        Access::Public => {}
    }
    let lag = state.bus.as_ref().and_then(|nb| nb.lag_seconds());
    let body = state.metrics.render(state.hub.clients(), state.hub.sent(), lag);
    // OpenMetrics to whoever asks for it (Prometheus does), the classic text otherwise.
    let openmetrics = headers
        .get(header::ACCEPT)
        .and_then(|a| a.to_str().ok())
        .is_some_and(|a| a.contains("application/openmetrics-text"));
    if openmetrics {
        ([(header::CONTENT_TYPE, CONTENT_TYPE)], body).into_response()
    } else {
        (
            [(header::CONTENT_TYPE, PROMETHEUS_CONTENT_TYPE)],
            super::metrics::prometheus_text(&body),
        )
            .into_response()
    }
}

/// 200 while the process answers requests at all.
pub async fn livez() -> Response {
    (StatusCode::OK, "ok\n").into_response()
}

/// 200 `{"ready": true}` when the node can do its job; else 503 with the reason.
pub async fn readyz(State(state): State<Arc<AppState>>) -> Response {
    let not_ready = |reason: String| {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(ReadyAnswer {
                ready: false,
                reason: Some(reason),
            }),
        )
            .into_response()
    };
    if state.stopping() {
        return not_ready("the node is shutting down".into());
    }
    match tokio::time::timeout(READY_TIMEOUT, state.store.probe()).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => return not_ready(format!("store: {e}")),
        Err(_) => {
            return not_ready(format!(
                "store: no answer within {}",
                crate::duration::human(READY_TIMEOUT)
            ));
        }
    }
    if let Some(nb) = &state.bus
        && !nb.connected()
    {
        return not_ready("bus: Redis is unreachable (invalidations are queued)".into());
    }
    axum::Json(ReadyAnswer {
        ready: true,
        reason: None,
    })
    .into_response()
}
