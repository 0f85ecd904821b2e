//! The node's HTTP handlers. Every error is a JSON `{"error": ...}` with the right status;
//! nothing here panics on outside input.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{DefaultBodyLimit, Extension, Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use serde_json::Value;

use super::guard::{ApiError, authorize, error};
use super::limits::Peer;
use super::log::level;
use super::sse::Feed;
use super::store::{CacheStoreError, MAX_TTL_SECS};
use super::stream::{HubEvent, Subscription};
use super::{AppState, BODY_LIMIT, cors};
use crate::graph::GraphError;
use crate::log_fields;
use crate::protocol::{
    APP_UPDATE, AppUpdate, ENTRIES_PATH, EntriesAnswer, ErrorAnswer, HEALTH_PATH, HealthAnswer, InvalidateAnswer,
    InvalidateRequest, LoginAnswer, LoginRequest, Paths, PutEntryAnswer, SUPABASE_PASSWORD_GRANT, SUPABASE_TOKEN_PATH,
};

type Shared = State<Arc<AppState>>;

pub(super) fn router(state: Arc<AppState>, paths: &Paths, cors_origins: &[String]) -> Router {
    // Two groups with their own CORS rules (see `cors`); each layer answers its routes'
    // preflight `OPTIONS`, so a browser never sees a 405 there.
    let public = Router::new()
        .route("/", get(page))
        .route(&paths.stream, get(stream))
        .route(HEALTH_PATH, get(health))
        .route(ENTRIES_PATH, get(entries))
        .route(super::probes::METRICS_PATH, get(super::probes::metrics))
        .route(super::probes::LIVEZ_PATH, get(super::probes::livez))
        .route(super::probes::READYZ_PATH, get(super::probes::readyz))
        .method_not_allowed_fallback(method_not_allowed)
        .layer(cors::public(cors_origins));
    let api = Router::new()
        .route(&paths.auth, post(login))
        .route(SUPABASE_TOKEN_PATH, post(supabase_token))
        .route(&paths.invalidate, post(invalidate))
        .route(&format!("{ENTRIES_PATH}/{{type}}/{{*rest}}"), put(put_entry))
        .method_not_allowed_fallback(method_not_allowed)
        .layer(cors::api(cors_origins));
    public
        .merge(api)
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        // A body that stalls (half sent, then nothing) ends the request instead of holding
        // the connection.
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(
            super::gate::BODY_TIMEOUT,
        ))
        .layer(axum::middleware::from_fn_with_state(state.clone(), super::guard::guard))
        .with_state(state)
}

async fn page(State(state): Shared) -> Response {
    state.page.response()
}

type Answer = Result<Response, ApiError>;

async fn not_found() -> ApiError {
    error(StatusCode::NOT_FOUND, "no such endpoint")
}

async fn method_not_allowed() -> ApiError {
    error(StatusCode::METHOD_NOT_ALLOWED, "method not allowed on this endpoint")
}

/// The body as JSON, or the response to send instead (413 too large, 400 malformed).
fn json_body(body: Result<Bytes, BytesRejection>) -> Result<serde_json::Map<String, Value>, ApiError> {
    let bytes = body.map_err(|r| {
        let status = r.status();
        let msg = if status == StatusCode::PAYLOAD_TOO_LARGE {
            format!("request body larger than {} KiB", BODY_LIMIT / 1024)
        } else {
            "cannot read the request body".to_string()
        };
        error(status, msg)
    })?;
    if bytes.is_empty() {
        return Err(error(StatusCode::BAD_REQUEST, "missing JSON body"));
    }
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(error(StatusCode::BAD_REQUEST, "the body must be a JSON object")),
        Err(e) => Err(error(StatusCode::BAD_REQUEST, format!("malformed JSON body: {e}"))),
    }
}

/// A login body, or 400.
fn login_fields(body: Result<Bytes, BytesRejection>) -> Result<LoginRequest, ApiError> {
    serde_json::from_value(Value::Object(json_body(body)?)).map_err(|_| {
        error(
            StatusCode::BAD_REQUEST,
            "the body must have string fields `email` and `password`",
        )
    })
}

/// Checks credentials and issues a token; `shape` builds the success body from it. Failed
/// attempts are counted per client address and per account: beyond the limits the answer
/// is 429 with `Retry-After`, without the password being checked.
fn issue(
    state: &AppState,
    client: Option<std::net::IpAddr>,
    login: &LoginRequest,
    shape: impl FnOnce(String) -> LoginAnswer,
) -> Answer {
    let (email, password) = (login.email.as_str(), login.password.as_str());
    if let Err(wait) = state.limits.login_allowed(client, email) {
        state.metrics.login_limited();
        let body = ErrorAnswer {
            error: format!("too many failed logins: try again in {} s", wait.secs()),
        };
        return Ok((
            StatusCode::TOO_MANY_REQUESTS,
            [(axum::http::header::RETRY_AFTER, wait.secs().to_string())],
            axum::Json(body),
        )
            .into_response());
    }
    let checked = state.keys.check(email, password);
    state.metrics.login(checked.is_some());
    if checked.is_none()
        && let Some(wait) = state.limits.login_failed(client, email)
    {
        // Once per refusal window, not once per refused attempt.
        state.log.write(
            level::WARN,
            "failed logins limited: further attempts are refused for a while",
            log_fields! {
                "module" => "auth",
                "client" => client.map(|c| c.to_string()),
                "email" => crate::escape::text(email).into_owned(),
                "retryAfterS" => wait.secs(),
                "status" => 429,
            },
        );
    }
    let account = checked.ok_or_else(|| {
        ApiError(
            StatusCode::UNAUTHORIZED,
            "invalid credentials".into(),
            Some(email.into()),
        )
    })?;
    let token = state
        .keys
        .issue(account)
        .map_err(|_| error(StatusCode::INTERNAL_SERVER_ERROR, "cannot sign the token"))?;
    Ok(axum::Json(shape(token)).into_response())
}

/// The client's address (see [`super::limits::Limits::client`]).
fn client_of(state: &AppState, peer: Option<Extension<Peer>>, headers: &HeaderMap) -> Option<std::net::IpAddr> {
    state.limits.client(peer.map(|Extension(p)| p), headers)
}

async fn login(
    State(state): Shared,
    peer: Option<Extension<Peer>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Answer {
    let login = login_fields(body)?;
    let client = client_of(&state, peer, &headers);
    issue(&state, client, &login, |token| {
        LoginAnswer::login(token, super::auth::TOKEN_TTL_SECS)
    })
}

/// The Supabase-shaped login, for clients configured with SUPABASE_URL.
async fn supabase_token(
    State(state): Shared,
    peer: Option<Extension<Peer>>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
    body: Result<Bytes, BytesRejection>,
) -> Answer {
    let password_grant = q
        .as_deref()
        .unwrap_or("")
        .split('&')
        .any(|kv| kv == SUPABASE_PASSWORD_GRANT);
    if !password_grant {
        return Err(error(StatusCode::BAD_REQUEST, "only grant_type=password is supported"));
    }
    let login = login_fields(body)?;
    let client = client_of(&state, peer, &headers);
    issue(&state, client, &login, |token| {
        LoginAnswer::supabase(token, super::auth::TOKEN_TTL_SECS)
    })
}

fn unknown_type(e: GraphError) -> ApiError {
    let msg = match &e {
        GraphError::UnknownType {
            suggestion: Some(s),
            known,
            ..
        } => format!("{e}; did you mean `{s}`? Known types: {}", known.join(", ")),
        GraphError::UnknownType { known, .. } => format!("{e}; known types: {}", known.join(", ")),
        _ => e.to_string(),
    };
    error(StatusCode::BAD_REQUEST, msg)
}

async fn invalidate(State(state): Shared, headers: HeaderMap, body: Result<Bytes, BytesRejection>) -> Answer {
    let answer = invalidate_inner(&state, headers, body).await;
    // Successes are counted with their type where they happen; refusals here, by status.
    if let Err(ApiError(status, message, _)) = &answer {
        let outcome = match *status {
            _ if message.starts_with("unknown type") => "unknown_type",
            StatusCode::BAD_REQUEST => "bad_request",
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => "unauthorized",
            StatusCode::NOT_FOUND => "unknown_type",
            StatusCode::INTERNAL_SERVER_ERROR => "store_error",
            _ => "failed",
        };
        state.metrics.invalidation("", outcome, 0);
    }
    answer
}

async fn invalidate_inner(state: &Arc<AppState>, headers: HeaderMap, body: Result<Bytes, BytesRejection>) -> Answer {
    let start = Instant::now();
    let account = authorize(state, &headers)?;
    if !state.faults.delay.is_zero() {
        tokio::time::sleep(state.faults.delay).await;
    }
    if state.faults.take_failure() {
        return Err(error(
            StatusCode::SERVICE_UNAVAILABLE,
            "injected failure (--inject-503)",
        ));
    }
    let InvalidateRequest {
        type_name: requested,
        mirror,
        id,
    } = InvalidateRequest::try_from(json_body(body)?).map_err(|why| error(StatusCode::BAD_REQUEST, why))?;
    let id = id.unwrap_or(Value::Null);
    let canonical = state.graph.resolve(&requested).map_err(unknown_type)?.canonical;
    let cascade = state.graph.cascade(&canonical);
    let mut cleared = 0u64;
    for t in &cascade {
        match state.store.clear_type(t).await {
            Ok(n) => cleared += n,
            Err(e) => {
                state.metrics.store_error();
                state.log.error(
                    "cache invalidation failed",
                    &e,
                    log_fields! {"module" => "cache", "type" => t, "status" => 500},
                );
                return Err(error(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    format!("cannot clear `{t}`: {e}"),
                ));
            }
        }
    }
    let data = AppUpdate::update(canonical.as_str(), id.clone()).data();
    let mut queued = false;
    let event_id = match &state.bus {
        // On the bus the entry id is the event id; the node's reader announces it.
        Some(nb) => match nb.publish(state, nb.entry(&canonical, &id, &cascade)).await {
            super::bus::Published::Appended(id) => Some(id),
            super::bus::Published::Queued => {
                queued = true;
                None
            }
        },
        // `--no-notify` rehearses a node that clears its cache but never tells its visitors.
        None => (!state.faults.no_notify).then(|| state.hub.publish(APP_UPDATE, data)),
    };
    let mirrored = mirror && !state.mirrors.is_empty();
    state.log.info(
        "cache invalidated",
        log_fields! {
            "module" => "cache",
            "type" => canonical,
            "requested" => requested,
            "invalidated" => cascade,
            "keys" => cleared,
            "eventId" => event_id,
            "busQueued" => state.bus.as_ref().map(|_| queued),
            "mirror" => mirror,
            "account" => account,
            "status" => 200,
            "durationMs" => millis(start.elapsed()),
        },
    );
    state.metrics.invalidation(&canonical, "ok", cascade.len());
    if mirrored {
        broadcast(state, &canonical, &id);
    }
    Ok(axum::Json(InvalidateAnswer::ok(canonical, cascade, mirrored)).into_response())
}

/// Sends the invalidation on to every mirror with `mirror: false`, in the background.
fn broadcast(state: &Arc<AppState>, type_name: &str, id: &Value) {
    let targets = state.mirrors.iter().map(|m| m.base.clone()).collect();
    let ticket = state.broadcasts.start(type_name, targets);
    let state = state.clone();
    let mut req = InvalidateRequest::new(type_name, false);
    if !id.is_null() {
        req = req.with_id(id.clone());
    }
    tokio::spawn(async move {
        let invalidator = match &state.broadcaster {
            Ok(i) => i.clone(),
            Err(e) => {
                for m in state.mirrors.iter() {
                    state.metrics.mirror(&m.base, false, Duration::ZERO);
                    let fields = log_fields! {"module" => "mirror", "type" => req.type_name, "target" => m.base, "status" => Value::Null, "durationMs" => 0};
                    state.log.error("mirror invalidation failed", e, fields);
                    ticket.done(&m.base);
                }
                return;
            }
        };
        let mirrors = state.mirrors.clone();
        // The same fan-out as `polycache invalidate`: each outcome is logged as it comes.
        invalidator
            .fan_out(&mirrors, std::slice::from_ref(&req), |i, o| {
                let fields = log_fields! {
                    "module" => "mirror",
                    "type" => req.type_name,
                    "target" => mirrors[i].base,
                    "status" => o.status,
                    "attempts" => o.attempts,
                    "invalidated" => o.invalidated,
                    "durationMs" => millis(o.latency),
                };
                state.metrics.mirror(&mirrors[i].base, o.error.is_none(), o.latency);
                match &o.error {
                    None => state.log.write(level::INFO, "mirror invalidated", fields),
                    Some(e) => state.log.error("mirror invalidation failed", e, fields),
                }
                ticket.done(&mirrors[i].base);
            })
            .await;
    });
}

/// A duration in milliseconds, to the microsecond, for the log's `durationMs`.
fn millis(d: Duration) -> f64 {
    (d.as_secs_f64() * 1_000_000.0).round() / 1000.0
}

async fn stream(State(state): Shared, peer: Option<Extension<Peer>>, headers: HeaderMap) -> Response {
    let client = client_of(&state, peer, &headers);
    let slot = match super::limits::open_stream(&state.limits, client, state.hub.clients()) {
        Ok(slot) => slot,
        Err(wait) => {
            state.metrics.stream_refused();
            let body = ErrorAnswer {
                error: "too many stream clients: try again later".into(),
            };
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                [(axum::http::header::RETRY_AFTER, wait.secs().to_string())],
                axum::Json(body),
            )
                .into_response();
        }
    };
    // Ids are opaque (PROTOCOL section 4): whatever the client sends is looked up as sent;
    // an empty header means none.
    let last = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let sub = match (&state.bus, last) {
        (Some(nb), Some(sent)) => bus_replay(&state, nb, sent).await,
        _ => state.hub.subscribe(last),
    };
    state.metrics.connection(!sub.missed.is_empty(), sub.gap.is_some());
    let reset = sub.gap.map(|g| Arc::new(g.event(!sub.missed.is_empty())));
    Feed {
        retry: state.sse_retry,
        // Never an id twice nor backwards: the replay may overlap the live feed on the bus.
        newest: sub.missed.last().and_then(|e| e.order()),
        first: reset.into_iter().chain(sub.missed).collect(),
        live: sub.live,
        seq: sub.seq,
        stop: state.shutdown.subscribe(),
        ping: state.ping_interval.max(Duration::from_millis(10)),
        state: state.clone(),
        slot: Some(slot),
    }
    .into_response()
}

/// A bus node's replay: from the stream itself (any node's events, even those from before
/// this node started), or from what the node holds while Redis is unreachable. A gap (an
/// id that is not a stream id, or that the stream cannot replay from) is answered from
/// what the node holds, without reading the stream.
async fn bus_replay(state: &AppState, nb: &super::bus::NodeBus, sent: &str) -> Subscription {
    if crate::bus::order(sent).is_none() {
        return state.hub.subscribe_gap(sent);
    }
    // Subscribed first, so nothing falls between the replay and the live feed.
    let live = state.hub.subscribe(None);
    match nb.replay(sent).await {
        Ok(Some(entries)) => {
            let missed = entries
                .into_iter()
                .map(|e| {
                    let data = e.sse_data();
                    Arc::new(HubEvent::new(Some(e.event_id), APP_UPDATE, data))
                })
                .collect();
            Subscription {
                gap: None,
                missed,
                ..live
            }
        }
        Ok(None) => state.hub.subscribe_gap(sent),
        Err(_) => state.hub.subscribe(Some(sent)),
    }
}

/// The node's health, with the store probed: a store that does not answer makes it a 503
/// with `ok: false` and `storeError`, never a cheerful `ok: true`.
async fn health(State(state): Shared) -> Response {
    let probe = state.store.probe().await;
    let status = if probe.is_ok() {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = HealthAnswer {
        ok: probe.is_ok(),
        version: env!("CARGO_PKG_VERSION").to_string(),
        store: state.store.kind().to_string(),
        graph: state.graph.source.to_string(),
        mirrors: state.mirrors.iter().map(|m| m.base.clone()).collect(),
        clients: state.hub.clients() as u64,
        last_event_id: state.hub.last_id().unwrap_or_else(|| "0".to_string()),
        bus: state.bus.as_ref().map(|nb| nb.health()),
        uptime_ms: state.started.elapsed().as_millis() as u64,
        store_error: probe.err().map(|e| e.to_string()),
    };
    (status, axum::Json(body)).into_response()
}

/// Sandbox extension: every cached key by type. It lists the whole cache, so it needs the
/// admin token unless the node is `--dev` or `--public-entries`.
async fn entries(State(state): Shared, headers: HeaderMap) -> Answer {
    if !state.public_entries {
        authorize(&state, &headers)?;
    }
    let entries = state
        .store
        .entries()
        .await
        .map_err(|e| error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    Ok(axum::Json(EntriesAnswer { entries }).into_response())
}

/// Sandbox extension: seeds one entry (`PUT /api/cache/entries/{type}/{rest}?ttl=SECS`,
/// any JSON body as the value; authenticated).
async fn put_entry(
    State(state): Shared,
    headers: HeaderMap,
    path: Result<Path<(String, String)>, PathRejection>,
    RawQuery(q): RawQuery,
    body: Result<Bytes, BytesRejection>,
) -> Answer {
    authorize(&state, &headers)?;
    // A path that does not decode (bad UTF-8 in `%xx`) gets the same JSON error as the rest.
    let Path((type_name, rest)) = path.map_err(|e| {
        error(
            StatusCode::BAD_REQUEST,
            format!("the entry path must be /api/cache/entries/{{type}}/{{rest}} in UTF-8: {e}"),
        )
    })?;
    let canonical = state.graph.resolve(&type_name).map_err(unknown_type)?.canonical;
    let ttl = q
        .as_deref()
        .unwrap_or("")
        .split('&')
        .find_map(|kv| kv.strip_prefix("ttl="))
        .map(|v| v.parse::<u64>());
    let ttl = match ttl {
        None => 3600,
        Some(Ok(n)) if (1..=MAX_TTL_SECS).contains(&n) => n,
        Some(_) => {
            return Err(error(
                StatusCode::BAD_REQUEST,
                format!("`ttl` must be a whole number of seconds from 1 to {MAX_TTL_SECS} (ten years)"),
            ));
        }
    };
    let value = Value::Object(json_body(body)?);
    let key = state
        .store
        .put(&canonical, &rest, &value, Duration::from_secs(ttl))
        .await
        .map_err(|e| match e {
            CacheStoreError::TtlOutOfRange { .. } => error(StatusCode::BAD_REQUEST, e.to_string()),
            _ => error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
        })?;
    state.log.info(
        "cache entry stored",
        log_fields! {"module" => "cache", "type" => canonical, "key" => key, "status" => 200},
    );
    Ok(axum::Json(PutEntryAnswer {
        success: true,
        key,
        ttl,
    })
    .into_response())
}
