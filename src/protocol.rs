//! The wire contract of PROTOCOL.md, spelled once for the client (`client/`) and the
//! reference server (`server/`): endpoint paths, event and header names, and every request
//! and response body as a serde type.
//!
//! The server serialises these types and the client deserialises the same ones, so the two
//! sides cannot drift apart. Field order is the order on the wire.
//!
//! Reading is lenient where the client reads servers it did not write: unknown fields are
//! ignored (the real platform may add some), and a field the client never acts on reads as
//! absent when it has an unexpected type instead of making the whole body unreadable. What
//! the client does act on keeps its type: a login answer's token is a string, an
//! invalidation answer is a success only with `"success": true`.
//!
//! The paths are defaults: a deployment may configure others (PROTOCOL section 1), so code
//! that talks to a server takes its paths from the settings, not from here.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

// ---- Paths (PROTOCOL section 1) -------------------------------------------------------

/// Login endpoint (section 2); the default of `POLYCACHE_AUTH_PATH`.
pub const AUTH_PATH: &str = "/api/auth/login";
/// Invalidation endpoint (section 3); the default of `POLYCACHE_INVALIDATE_PATH`.
pub const INVALIDATE_PATH: &str = "/api/cache/invalidate";
/// SSE endpoint (section 4); the default of `POLYCACHE_STREAM_PATH`.
pub const STREAM_PATH: &str = "/api/stream";
/// The node's health, public like the stream (section 4, CORS); an extension of the
/// sandbox that a real deployment may lack. Answers [`HealthAnswer`].
pub const HEALTH_PATH: &str = "/api/health";
/// The sandbox's extension that lists entries ([`EntriesAnswer`]) and, under
/// `{ENTRIES_PATH}/{type}/{rest}`, seeds one ([`PutEntryAnswer`]).
pub const ENTRIES_PATH: &str = "/api/cache/entries";
/// The Supabase password login (section 1), relative to `SUPABASE_URL`.
pub const SUPABASE_TOKEN_PATH: &str = "/auth/v1/token";
/// The query the Supabase login needs (section 1).
pub const SUPABASE_PASSWORD_GRANT: &str = "grant_type=password";

/// The configurable endpoint paths a node answers (section 1): [`AUTH_PATH`],
/// [`INVALIDATE_PATH`] and [`STREAM_PATH`] unless configured otherwise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paths {
    pub auth: String,
    pub invalidate: String,
    pub stream: String,
}

// ---- Headers (PROTOCOL sections 1 and 3) ----------------------------------------------

/// The header that carries `SUPABASE_ANON_KEY` on a Supabase login (section 1). Lower case,
/// as HTTP/2 sends header names.
pub const APIKEY_HEADER: &str = "apikey";

// ---- Stream (PROTOCOL section 4) ------------------------------------------------------

/// The event that announces an invalidated type; its data is an [`AppUpdate`].
pub const APP_UPDATE: &str = "app-update";
/// The event that announces a gap in a replay; its data is a [`StreamReset`].
pub const STREAM_RESET: &str = "stream-reset";
/// The text of the heartbeat comment (`: ping`).
pub const PING: &str = "ping";
/// The `action` of an invalidation's [`AppUpdate`] (the others are `create` and `delete`).
pub const ACTION_UPDATE: &str = "update";
/// The `reason` of a [`StreamReset`] for events no longer held.
pub const RESET_GAP: &str = "gap";

// ---- Bus (PROTOCOL section 8) ---------------------------------------------------------

/// The bus stream's key after `CACHE_PREFIX`: `cache:bus` by default.
pub const BUS_KEY: &str = "bus";

/// The field names of a bus entry (section 8).
pub mod bus_field {
    /// The publishing instance's id.
    pub const NODE: &str = "node";
    /// The canonical type invalidated.
    pub const TYPE: &str = "type";
    /// The entity id as JSON (`null` when none).
    pub const ID: &str = "id";
    /// `create`, `update` or `delete`.
    pub const ACTION: &str = "action";
    /// The cascade as a JSON array, in clearing order.
    pub const CLEARED: &str = "cleared";
    /// Epoch milliseconds.
    pub const TIME: &str = "time";
}

// ---- Bodies ---------------------------------------------------------------------------

/// The body of a login (section 2): `{"email": "...", "password": "..."}`. The password
/// prints as `••••`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

impl fmt::Debug for LoginRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LoginRequest {{ email: {:?}, password: •••• }}", self.email)
    }
}

/// The answer to a login (section 2): `{"token": "<jwt>", "expires_in": 3600}`, or the
/// Supabase shape `{"access_token": "<jwt>", "token_type": "bearer", "expires_in": 3600}`.
/// The tokens print as `••••`.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginAnswer {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient")]
    pub token_type: Option<String>,
    /// Seconds the token lives (the client reads the JWT's `exp` instead).
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient")]
    pub expires_in: Option<u64>,
}

impl LoginAnswer {
    /// The answer of `POST {AUTH_PATH}`.
    pub fn login(token: String, expires_in: u64) -> LoginAnswer {
        LoginAnswer {
            token: Some(token),
            expires_in: Some(expires_in),
            ..LoginAnswer::default()
        }
    }

    /// The answer of the Supabase-shaped login.
    pub fn supabase(token: String, expires_in: u64) -> LoginAnswer {
        LoginAnswer {
            access_token: Some(token),
            token_type: Some("bearer".to_string()),
            expires_in: Some(expires_in),
            ..LoginAnswer::default()
        }
    }

    /// The token: `token`, else `access_token`; `None` when neither is a non-empty string.
    pub fn into_token(self) -> Option<String> {
        self.token.or(self.access_token).filter(|t| !t.is_empty())
    }
}

impl fmt::Debug for LoginAnswer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mask = |t: &Option<String>| t.as_ref().map(|_| "••••");
        f.debug_struct("LoginAnswer")
            .field("token", &mask(&self.token))
            .field("access_token", &mask(&self.access_token))
            .field("token_type", &self.token_type)
            .field("expires_in", &self.expires_in)
            .finish()
    }
}

/// The body of an invalidation (section 3): `{"type": "posts", "mirror": false}`, with an
/// optional `id`.
///
/// Reading it applies the protocol's rules, with the words a 400 answer gives: `type` is a
/// non-blank string, `mirror` a boolean (absent or null: `true`), `id` a string, a number
/// or null (null is the same as absent).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "Map<String, Value>")]
pub struct InvalidateRequest {
    #[serde(rename = "type")]
    pub type_name: String,
    /// Whether the receiver broadcasts on to its own mirrors; always `false` towards a mirror.
    pub mirror: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<Value>,
}

impl InvalidateRequest {
    pub fn new(type_name: impl Into<String>, mirror: bool) -> InvalidateRequest {
        InvalidateRequest {
            type_name: type_name.into(),
            mirror,
            id: None,
        }
    }

    pub fn with_id(mut self, id: Value) -> InvalidateRequest {
        self.id = Some(id);
        self
    }
}

/// The longest type name an invalidation may carry (a 400 beyond it, a skipped bus entry).
pub const MAX_TYPE_BYTES: usize = 256;
/// The longest entity id (as text: a string's bytes, or a number's digits).
pub const MAX_ID_BYTES: usize = 1024;

impl TryFrom<Map<String, Value>> for InvalidateRequest {
    /// Why the body is not an invalidation, for a 400 answer.
    type Error = &'static str;

    fn try_from(mut m: Map<String, Value>) -> Result<InvalidateRequest, &'static str> {
        let type_name = match m.remove("type") {
            Some(Value::String(s)) if s.len() > MAX_TYPE_BYTES => return Err("`type` is longer than 256 bytes"),
            Some(Value::String(s)) if !s.trim().is_empty() => s,
            Some(Value::String(_)) | None | Some(Value::Null) => return Err("missing `type`"),
            Some(_) => return Err("`type` must be a string"),
        };
        let mirror = match m.get("mirror") {
            None | Some(Value::Null) => true,
            Some(Value::Bool(b)) => *b,
            Some(_) => return Err("`mirror` must be true or false"),
        };
        let id = match m.remove("id") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if s.len() > MAX_ID_BYTES => return Err("`id` is longer than 1024 bytes"),
            Some(v @ (Value::String(_) | Value::Number(_))) => Some(v),
            Some(_) => return Err("`id` must be a string, a number or null"),
        };
        Ok(InvalidateRequest { type_name, mirror, id })
    }
}

/// The answer to an invalidation (section 3):
/// `{"success": true, "type": "posts", "invalidated": ["posts", "feed"], "mirrored": false}`.
///
/// Only `"success": true` is a success: a missing or false `success` is a failure, whose
/// `error` says why when the server gives one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvalidateAnswer {
    #[serde(default)]
    pub success: bool,
    /// The canonical type the server invalidated.
    #[serde(
        rename = "type",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient"
    )]
    pub type_name: Option<String>,
    /// The cascade, in the order the server cleared it.
    #[serde(default)]
    pub invalidated: Vec<String>,
    /// Whether the server broadcasts on to its own mirrors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mirrored: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl InvalidateAnswer {
    /// A successful invalidation of `type_name`.
    pub fn ok(type_name: impl Into<String>, invalidated: Vec<String>, mirrored: bool) -> InvalidateAnswer {
        InvalidateAnswer {
            success: true,
            type_name: Some(type_name.into()),
            invalidated,
            mirrored: Some(mirrored),
            error: None,
        }
    }
}

/// The data of an `app-update` event (section 4): `{"type": "post", "id": "42", "action":
/// "update"}`. The same data goes with a bus entry's event (section 8).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppUpdate {
    #[serde(rename = "type")]
    pub kind: String,
    /// The entity id: a string, a number or null.
    #[serde(default)]
    pub id: Value,
    /// `create`, `update` or `delete`; other servers may leave it out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
}

impl AppUpdate {
    /// The `app-update` of an invalidation.
    pub fn update(kind: impl Into<String>, id: Value) -> AppUpdate {
        AppUpdate {
            kind: kind.into(),
            id,
            action: Some(ACTION_UPDATE.to_string()),
        }
    }

    /// The event's `data:` line.
    pub fn data(&self) -> String {
        to_json(self)
    }
}

/// The data of a `stream-reset` event (section 4): `{"reason": "gap", "lastEventId": "<sent>",
/// "oldest": "<id>"}`; `oldest` is null when the server holds nothing. Ids are read as
/// strings whether sent as strings or numbers; every field may be missing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StreamReset {
    #[serde(default, deserialize_with = "lenient")]
    pub reason: Option<String>,
    /// The `Last-Event-ID` the client sent.
    #[serde(default, deserialize_with = "id_string")]
    pub last_event_id: Option<String>,
    /// The oldest event the server holds, the first one replayed.
    #[serde(default, deserialize_with = "id_string")]
    pub oldest: Option<String>,
}

impl StreamReset {
    /// The reset for a gap after `last_event_id`.
    pub fn gap(last_event_id: impl Into<String>, oldest: Option<String>) -> StreamReset {
        StreamReset {
            reason: Some(RESET_GAP.to_string()),
            last_event_id: Some(last_event_id.into()),
            oldest,
        }
    }

    /// Reads an event's `data:`; anything unreadable is a reset that says nothing.
    pub fn parse(data: &str) -> StreamReset {
        serde_json::from_str(data).unwrap_or_default()
    }

    /// The event's `data:` line.
    pub fn data(&self) -> String {
        to_json(self)
    }
}

/// `GET {HEALTH_PATH}` (the sandbox's extension): the node's state, with its store probed.
/// `ok` is false (and the status 503) when the store does not answer, with `storeError`.
///
/// Only `ok` is required to read a body as a health answer; other fields read as their
/// empty value when missing or of another type.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HealthAnswer {
    pub ok: bool,
    #[serde(default, deserialize_with = "lenient")]
    pub version: String,
    /// `memory` or `redis`.
    #[serde(default, deserialize_with = "lenient")]
    pub store: String,
    /// Where the dependency graph came from.
    #[serde(default, deserialize_with = "lenient")]
    pub graph: String,
    #[serde(default, deserialize_with = "lenient")]
    pub mirrors: Vec<String>,
    /// SSE clients connected.
    #[serde(default, deserialize_with = "lenient")]
    pub clients: u64,
    /// The newest event id, `"0"` before the first.
    #[serde(default, deserialize_with = "lenient")]
    pub last_event_id: String,
    /// The node's side of the bus (section 8); null when it is on none.
    #[serde(default, deserialize_with = "lenient")]
    pub bus: Option<BusHealth>,
    #[serde(default, deserialize_with = "lenient")]
    pub uptime_ms: u64,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient")]
    pub store_error: Option<String>,
}

/// The `bus` part of [`HealthAnswer`] (section 8).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BusHealth {
    #[serde(default, deserialize_with = "lenient")]
    pub connected: bool,
    /// The stream's key.
    #[serde(default, deserialize_with = "lenient")]
    pub key: String,
    /// This node's id on the bus.
    #[serde(default, deserialize_with = "lenient")]
    pub node: String,
    /// Whether Redis is a cluster.
    #[serde(default, deserialize_with = "lenient")]
    pub cluster: bool,
    /// The last entry id read (and applied).
    #[serde(default, deserialize_with = "lenient")]
    pub last_id: String,
    /// Other nodes' entries applied.
    #[serde(default, deserialize_with = "lenient")]
    pub applied: u64,
    /// Own invalidations appended.
    #[serde(default, deserialize_with = "lenient")]
    pub published: u64,
    /// Own invalidations queued while Redis is unreachable.
    #[serde(default, deserialize_with = "lenient")]
    pub pending: u64,
    /// Entries read that were not valid invalidations, skipped.
    #[serde(default, deserialize_with = "lenient")]
    pub skipped: u64,
    /// Why the bus is down (null while connected).
    #[serde(default, deserialize_with = "lenient")]
    pub error: Option<String>,
    /// How long the bus has been down (null while connected).
    #[serde(default, deserialize_with = "lenient")]
    pub down_for_ms: Option<u64>,
}

/// `GET {ENTRIES_PATH}` (the sandbox's extension): every entry key, grouped by type.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntriesAnswer {
    pub entries: BTreeMap<String, Vec<String>>,
}

/// `PUT {ENTRIES_PATH}/{type}/{rest}?ttl=SECS` (the sandbox's extension): the key stored
/// and its time to live in seconds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PutEntryAnswer {
    #[serde(default)]
    pub success: bool,
    pub key: String,
    pub ttl: u64,
}

/// `GET /readyz`: `{"ready": true}`, or 503 with `{"ready": false, "reason": "..."}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadyAnswer {
    pub ready: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Every error answer (sections 2 and 3): `{"error": "..."}` with a 4xx or 5xx status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorAnswer {
    pub error: String,
}

// ---- Reading helpers ------------------------------------------------------------------

/// A field read as its default when it has another type than expected (or is null).
fn lenient<'de, D: Deserializer<'de>, T: DeserializeOwned + Default>(d: D) -> Result<T, D::Error> {
    Ok(T::deserialize(Value::deserialize(d)?).unwrap_or_default())
}

/// An id given as a string or a number, read as a string; anything else as none.
fn id_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::String(s)) => Some(s),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    })
}

/// These bodies hold strings, numbers and JSON values only, which always serialise.
fn to_json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Serialises `v`, checks it is exactly `wire`, and that reading `wire` gives `v` back.
    fn round_trip<T>(v: &T, wire: &str)
    where
        T: Serialize + DeserializeOwned + PartialEq + fmt::Debug,
    {
        assert_eq!(serde_json::to_string(v).unwrap(), wire);
        assert_eq!(&serde_json::from_str::<T>(wire).unwrap(), v);
    }

    /// Reads an example as PROTOCOL.md writes it and checks that it says the same thing
    /// once written back.
    fn reads_example<T: Serialize + DeserializeOwned>(example: &str) {
        let v: T = serde_json::from_str(example).unwrap();
        let doc: Value = serde_json::from_str(example).unwrap();
        assert_eq!(serde_json::to_value(&v).unwrap(), doc, "{example}");
    }

    #[test]
    fn the_protocols_examples_read_and_write_back_unchanged() {
        reads_example::<LoginRequest>(r#"{"email": "...", "password": "..."}"#);
        reads_example::<LoginAnswer>(r#"{"token": "<jwt>", "expires_in": 3600}"#);
        reads_example::<ErrorAnswer>(r#"{"error": "invalid credentials"}"#);
        reads_example::<InvalidateRequest>(r#"{"type": "posts", "mirror": false}"#);
        reads_example::<InvalidateAnswer>(
            r#"{"success": true, "type": "posts", "invalidated": ["posts", "feed"], "mirrored": false}"#,
        );
        reads_example::<AppUpdate>(r#"{"type":"post","id":"42","action":"update"}"#);
        reads_example::<StreamReset>(r#"{"reason": "gap", "lastEventId": "<sent>", "oldest": "<id>"}"#);
    }

    #[test]
    fn login_bodies_match_section_2() {
        round_trip(
            &LoginRequest {
                email: "svc@example.com".into(),
                password: "pw".into(),
            },
            r#"{"email":"svc@example.com","password":"pw"}"#,
        );
        round_trip(
            &LoginAnswer::login("eyJ.a.b".into(), 3600),
            r#"{"token":"eyJ.a.b","expires_in":3600}"#,
        );
        round_trip(
            &LoginAnswer::supabase("eyJ.a.b".into(), 3600),
            r#"{"access_token":"eyJ.a.b","token_type":"bearer","expires_in":3600}"#,
        );
        round_trip(
            &ErrorAnswer {
                error: "invalid credentials".into(),
            },
            r#"{"error":"invalid credentials"}"#,
        );
    }

    #[test]
    fn a_login_answer_gives_its_token_whichever_shape_and_ignores_the_rest() {
        let read = |s: &str| serde_json::from_str::<LoginAnswer>(s).map(LoginAnswer::into_token);
        assert_eq!(read(r#"{"token":"t1"}"#).unwrap().as_deref(), Some("t1"));
        assert_eq!(
            read(r#"{"access_token":"t2","user":{"id":1}}"#).unwrap().as_deref(),
            Some("t2")
        );
        // Fields the client does not use never make the answer unreadable.
        assert_eq!(
            read(r#"{"token":"t3","expires_in":"soon","token_type":7}"#)
                .unwrap()
                .as_deref(),
            Some("t3")
        );
        assert_eq!(read(r#"{"token":""}"#).unwrap(), None);
        assert_eq!(read(r#"{"expires_in":3600}"#).unwrap(), None);
        // The token itself must be a string.
        assert!(read(r#"{"token":42}"#).is_err());
    }

    #[test]
    fn secrets_in_bodies_never_print() {
        let req = LoginRequest {
            email: "svc@example.com".into(),
            password: "hunter2-pass".into(),
        };
        let answer = LoginAnswer::supabase("eyJsecret-token".into(), 3600);
        let text = format!(
            "{req:?} {answer:?} {:?}",
            LoginAnswer::login("eyJsecret-token".into(), 1)
        );
        assert!(
            !text.contains("hunter2-pass") && !text.contains("eyJsecret-token"),
            "{text}"
        );
        assert!(text.contains("svc@example.com") && text.contains("bearer"), "{text}");
    }

    #[test]
    fn invalidate_request_matches_section_3() {
        round_trip(
            &InvalidateRequest::new("posts", false),
            r#"{"type":"posts","mirror":false}"#,
        );
        round_trip(
            &InvalidateRequest::new("post", true).with_id(json!("42")),
            r#"{"type":"post","mirror":true,"id":"42"}"#,
        );
        round_trip(
            &InvalidateRequest::new("post", true).with_id(json!(42)),
            r#"{"type":"post","mirror":true,"id":42}"#,
        );
    }

    #[test]
    fn invalidate_request_reading_applies_the_protocols_rules() {
        let read = |s: &str| serde_json::from_str::<InvalidateRequest>(s).map_err(|e| e.to_string());
        // `mirror` defaults to true; a null id is no id; other fields are ignored.
        assert_eq!(
            read(r#"{"type":"posts","id":null,"extra":1}"#).unwrap(),
            InvalidateRequest::new("posts", true)
        );
        assert_eq!(
            read(r#"{"type":"posts","mirror":null}"#).unwrap(),
            InvalidateRequest::new("posts", true)
        );
        for (body, why) in [
            (r#"{}"#, "missing `type`"),
            (r#"{"type":"  "}"#, "missing `type`"),
            (r#"{"type":null}"#, "missing `type`"),
            (r#"{"type":["posts"]}"#, "`type` must be a string"),
            (r#"{"type":"posts","mirror":"no"}"#, "`mirror` must be true or false"),
            (
                r#"{"type":"posts","id":{"a":1}}"#,
                "`id` must be a string, a number or null",
            ),
            (
                r#"{"type":"posts","id":[1]}"#,
                "`id` must be a string, a number or null",
            ),
        ] {
            let e = read(body).unwrap_err();
            assert!(e.starts_with(why), "{body}: {e}");
        }
    }

    #[test]
    fn invalidate_answer_matches_section_3() {
        round_trip(
            &InvalidateAnswer::ok("posts", vec!["posts".into(), "feed".into()], false),
            r#"{"success":true,"type":"posts","invalidated":["posts","feed"],"mirrored":false}"#,
        );
    }

    #[test]
    fn only_success_true_is_a_successful_invalidate_answer() {
        let read = |s: &str| serde_json::from_str::<InvalidateAnswer>(s).unwrap();
        let failed = read(r#"{"success":false,"error":"cache is read-only"}"#);
        assert!(!failed.success);
        assert_eq!(failed.error.as_deref(), Some("cache is read-only"));
        assert!(!read(r#"{"ok":true}"#).success);
        assert!(!read(r#"{"invalidated":["posts"]}"#).success);
        // A foreign server may say less, or more.
        let terse = read(r#"{"success":true}"#);
        assert!(terse.success && terse.invalidated.is_empty() && terse.mirrored.is_none());
        let chatty = read(r#"{"success":true,"type":{"name":"posts"},"invalidated":["posts"],"took":3}"#);
        assert!(chatty.success);
        assert_eq!(
            (chatty.type_name, chatty.invalidated),
            (None, vec!["posts".to_string()])
        );
        // The cascade it reports must be a list of names.
        assert!(serde_json::from_str::<InvalidateAnswer>(r#"{"success":true,"invalidated":"posts"}"#).is_err());
    }

    #[test]
    fn stream_event_data_matches_section_4() {
        round_trip(
            &AppUpdate::update("post", json!("42")),
            r#"{"type":"post","id":"42","action":"update"}"#,
        );
        assert_eq!(
            AppUpdate::update("feed", Value::Null).data(),
            r#"{"type":"feed","id":null,"action":"update"}"#
        );
        let u: AppUpdate = serde_json::from_str(r#"{"type":"posts","id":7,"source":"cms"}"#).unwrap();
        assert_eq!((u.id, u.action), (json!(7), None));
        assert!(serde_json::from_str::<AppUpdate>(r#"{"hello":1}"#).is_err());

        round_trip(
            &StreamReset::gap("5", Some("17".into())),
            r#"{"reason":"gap","lastEventId":"5","oldest":"17"}"#,
        );
        round_trip(
            &StreamReset::gap("1764643200000-0", None),
            r#"{"reason":"gap","lastEventId":"1764643200000-0","oldest":null}"#,
        );
        // Ids as numbers are read as strings; garbage reads as a reset that says nothing.
        let r = StreamReset::parse(r#"{"reason":"gap","lastEventId":5,"oldest":17,"x":true}"#);
        assert_eq!(
            (r.last_event_id.as_deref(), r.oldest.as_deref()),
            (Some("5"), Some("17"))
        );
        assert_eq!(StreamReset::parse("not json"), StreamReset::default());
    }

    /// The reset the node's hub sends is this type's, byte for byte.
    #[test]
    fn the_hubs_stream_reset_is_this_body() {
        let gap = crate::server::stream::Gap {
            last_event_id: "3".into(),
            oldest: Some("9".into()),
            head: Some("12".into()),
        };
        let ev = gap.event(true);
        assert_eq!(ev.name, STREAM_RESET);
        assert_eq!(ev.data, StreamReset::gap("3", Some("9".into())).data());
        let gap = crate::server::stream::Gap { oldest: None, ..gap };
        assert_eq!(gap.event(false).data, StreamReset::gap("3", None).data());
    }

    #[test]
    fn health_answer_keeps_its_shape() {
        let h = HealthAnswer {
            ok: false,
            version: "0.1.0".into(),
            store: "redis".into(),
            graph: "built-in".into(),
            mirrors: vec!["http://127.0.0.1:4001".into()],
            clients: 2,
            last_event_id: "0".into(),
            bus: Some(BusHealth {
                connected: false,
                key: "cache:bus".into(),
                node: "h:3333:1".into(),
                cluster: false,
                last_id: "0-0".into(),
                applied: 1,
                published: 2,
                pending: 3,
                skipped: 0,
                error: Some("refused".into()),
                down_for_ms: Some(1500),
            }),
            uptime_ms: 10,
            store_error: Some("connection refused".into()),
        };
        round_trip(
            &h,
            concat!(
                r#"{"ok":false,"version":"0.1.0","store":"redis","graph":"built-in","#,
                r#""mirrors":["http://127.0.0.1:4001"],"clients":2,"lastEventId":"0","#,
                r#""bus":{"connected":false,"key":"cache:bus","node":"h:3333:1","cluster":false,"#,
                r#""lastId":"0-0","applied":1,"published":2,"pending":3,"skipped":0,"error":"refused","downForMs":1500},"#,
                r#""uptimeMs":10,"storeError":"connection refused"}"#
            ),
        );
        // A healthy node off the bus: `bus` is null and `storeError` absent.
        let healthy = HealthAnswer {
            ok: true,
            bus: None,
            store_error: None,
            ..h
        };
        let wire = serde_json::to_string(&healthy).unwrap();
        assert!(wire.contains(r#""bus":null"#) && !wire.contains("storeError"), "{wire}");
        // Another server's health: only `ok` counts.
        let other: HealthAnswer = serde_json::from_str(r#"{"ok":true,"clients":"many","db":"up"}"#).unwrap();
        assert!(other.ok && other.clients == 0 && other.bus.is_none());
        assert!(serde_json::from_str::<HealthAnswer>(r#"{"status":"up"}"#).is_err());
    }

    #[test]
    fn entries_bodies_keep_their_shape() {
        let mut entries = BTreeMap::new();
        entries.insert("posts".to_string(), vec!["cache:posts:list".to_string()]);
        round_trip(
            &EntriesAnswer { entries },
            r#"{"entries":{"posts":["cache:posts:list"]}}"#,
        );
        round_trip(
            &PutEntryAnswer {
                success: true,
                key: "cache:posts:id:1".into(),
                ttl: 60,
            },
            r#"{"success":true,"key":"cache:posts:id:1","ttl":60}"#,
        );
    }
}
