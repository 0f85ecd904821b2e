//! `-v` and `-vv`: each request and its answer, like `curl -v`, with secrets masked.
//!
//! `-v` shows the method, URL, request headers, status, time and response headers; `-vv`
//! adds the bodies. `Authorization`, cookies and `apikey` are masked, and so are the
//! `password`, `token` and `access_token` fields of JSON bodies: the trace is safe to paste
//! into an issue. The library never prints: a [`Trace`] hands finished lines to a sink that
//! the printer gives it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use reqwest::header::HeaderMap;

/// What receives the finished trace lines.
type Sink = Arc<dyn Fn(&str) + Send + Sync>;

/// Where trace lines go, and how much is traced (0 off, 1 headers, 2 and up bodies too).
#[derive(Clone, Default)]
pub struct Trace {
    level: u8,
    sink: Option<Sink>,
}

impl std::fmt::Debug for Trace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Trace(level {})", self.level)
    }
}

/// Headers whose values are never shown.
const SECRET_HEADERS: &[&str] = &["authorization", "cookie", "set-cookie", "apikey", "proxy-authorization"];
/// JSON fields whose values are never shown.
const SECRET_FIELDS: &[&str] = &["password", "token", "access_token", "refresh_token", "id_token"];
/// At most this much of a body is shown with `-vv`.
const MAX_BODY: usize = 2048;

impl Trace {
    /// No tracing.
    pub fn off() -> Trace {
        Trace::default()
    }

    /// Traces at `level` (the number of `-v`), handing each line to `sink`.
    pub fn new(level: u8, sink: impl Fn(&str) + Send + Sync + 'static) -> Trace {
        Trace {
            level,
            sink: Some(Arc::new(sink)),
        }
    }

    pub fn enabled(&self) -> bool {
        self.level > 0 && self.sink.is_some()
    }

    fn emit(&self, line: &str) {
        if let Some(sink) = &self.sink {
            sink(line);
        }
    }

    fn request(&self, req: &reqwest::Request) {
        if !self.enabled() {
            return;
        }
        self.emit(&format!(
            "> {} {}",
            req.method(),
            crate::escape::text(req.url().as_str())
        ));
        self.headers('>', req.headers());
        if self.level >= 2
            && let Some(body) = req.body().and_then(|b| b.as_bytes())
        {
            self.body('>', body);
        }
    }

    fn response(&self, status: u16, headers: &HeaderMap, elapsed: Duration, body: &[u8]) {
        if !self.enabled() {
            return;
        }
        self.emit(&format!("< {status} ({})", crate::duration::human(elapsed)));
        self.headers('<', headers);
        if self.level >= 2 {
            self.body('<', body);
        }
    }

    fn failure(&self, e: &reqwest::Error, elapsed: Duration) {
        if self.enabled() {
            self.emit(&format!(
                "< no answer after {}: {}",
                crate::duration::human(elapsed),
                describe_reqwest(e)
            ));
        }
    }

    fn headers(&self, dir: char, headers: &HeaderMap) {
        for (name, value) in headers {
            let shown = if SECRET_HEADERS.contains(&name.as_str()) {
                match value.to_str().ok().and_then(|v| v.split_once(' ')) {
                    Some((scheme, _)) if name == "authorization" => format!("{scheme} ••••"),
                    _ => "••••".to_string(),
                }
            } else {
                crate::escape::bytes(value.as_bytes()).into_owned()
            };
            self.emit(&format!("{dir} {name}: {shown}"));
        }
    }

    fn body(&self, dir: char, body: &[u8]) {
        if body.is_empty() {
            return;
        }
        let text = match serde_json::from_slice::<serde_json::Value>(body) {
            Ok(mut v) => {
                mask_json(&mut v);
                v.to_string()
            }
            Err(_) => String::from_utf8_lossy(body).to_string(),
        };
        let mut shown: String = text.chars().take(MAX_BODY).collect();
        if text.len() > shown.len() {
            shown.push_str(&format!("… ({} bytes in all)", body.len()));
        }
        self.emit(&format!("{dir} {}", crate::escape::text(&shown)));
    }
}

/// Replaces the values of secret fields, at any depth.
fn mask_json(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, val) in map.iter_mut() {
                if SECRET_FIELDS.contains(&k.to_ascii_lowercase().as_str()) {
                    *val = serde_json::Value::String("••••".into());
                } else {
                    mask_json(val);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(mask_json),
        _ => {}
    }
}

/// Sends the request of a stream and returns its response with the body unread, tracing
/// the request and the head of the answer (`-vv` adds no body: the events are the output).
pub async fn send_stream(trace: &Trace, builder: reqwest::RequestBuilder) -> Result<reqwest::Response, reqwest::Error> {
    let (client, request) = builder.build_split();
    let request = request?;
    trace.request(&request);
    let start = Instant::now();
    let result = client.execute(request).await;
    match &result {
        Ok(r) => trace.response(r.status().as_u16(), r.headers(), start.elapsed(), b""),
        Err(e) => trace.failure(e, start.elapsed()),
    }
    result
}

/// A whole answer: status, headers and the body read to the end.
#[derive(Debug)]
pub struct Answer {
    pub status: reqwest::StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// The largest answer body read from a peer (login, invalidation, health, entries): 1 MiB.
/// The protocol's answers are a few hundred bytes; a peer that sends more (or without end)
/// is cut off with [`SendError::TooLarge`] instead of growing the process.
pub const MAX_ANSWER: usize = 1 << 20;

/// Why a one-shot request got no usable answer.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error(transparent)]
    Http(#[from] reqwest::Error),
    #[error("the answer's body is over the 1 MiB limit (the peer sent {read} bytes and more): not a Polymech answer")]
    TooLarge { read: usize },
}

impl SendError {
    /// The error in words, for a table or a log line.
    pub fn describe(&self) -> String {
        match self {
            SendError::Http(e) => describe_reqwest(e),
            e @ SendError::TooLarge { .. } => e.to_string(),
        }
    }
}

/// Reads a body to its end, or fails as soon as it passes [`MAX_ANSWER`].
pub async fn read_capped(mut resp: reqwest::Response) -> Result<Bytes, SendError> {
    if let Some(len) = resp.content_length().filter(|&l| l > MAX_ANSWER as u64) {
        return Err(SendError::TooLarge { read: len as usize });
    }
    let mut body = bytes::BytesMut::new();
    while let Some(chunk) = resp.chunk().await? {
        if body.len() + chunk.len() > MAX_ANSWER {
            return Err(SendError::TooLarge {
                read: body.len() + chunk.len(),
            });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// Sends a one-shot request and reads its answer whole (up to [`MAX_ANSWER`]), tracing both.
/// The one way login, invalidation and probe requests are sent, so `-v` sees every one.
pub async fn send(trace: &Trace, builder: reqwest::RequestBuilder) -> Result<Answer, SendError> {
    let (client, request) = builder.build_split();
    let request = request?;
    trace.request(&request);
    let start = Instant::now();
    let result = async {
        let resp = client.execute(request).await?;
        let status = resp.status();
        let headers = resp.headers().clone();
        let body = read_capped(resp).await?;
        Ok::<_, SendError>(Answer { status, headers, body })
    }
    .await;
    match &result {
        Ok(a) => trace.response(a.status.as_u16(), &a.headers, start.elapsed(), &a.body),
        Err(SendError::Http(e)) => trace.failure(e, start.elapsed()),
        Err(e) if trace.enabled() => trace.emit(&format!(
            "< cut off after {}: {e}",
            crate::duration::human(start.elapsed())
        )),
        Err(_) => {}
    }
    result
}

/// A reqwest error in words, without the URL's query (which never holds secrets here,
/// but keeps messages short).
pub(crate) fn describe_reqwest(e: &reqwest::Error) -> String {
    if let Some(words) = super::tls::describe_certificate_error(e) {
        return format!("TLS: {words}");
    }
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "connection failed"
    } else if e.is_decode() {
        "cannot decode the body"
    } else {
        "request failed"
    };
    let mut source = std::error::Error::source(e);
    let mut detail = String::new();
    while let Some(s) = source {
        detail = s.to_string();
        source = s.source();
    }
    if detail.is_empty() {
        kind.to_string()
    } else {
        format!("{kind}: {detail}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[test]
    fn secrets_are_masked_in_headers_and_bodies() {
        let lines = Arc::new(Mutex::new(Vec::<String>::new()));
        let sink = Arc::clone(&lines);
        let trace = Trace::new(2, move |l| sink.lock().unwrap().push(l.to_string()));
        let req = reqwest::Client::new()
            .post("http://127.0.0.1:1/api/auth/login")
            .bearer_auth("tok-Secret-1")
            .header("cookie", "sid=cookie-Secret-2")
            .json(&serde_json::json!({"email": "a@b.c", "password": "pw-Secret-3", "nested": {"token": "t-Secret-4"}}))
            .build()
            .unwrap();
        trace.request(&req);
        let text = lines.lock().unwrap().join("\n");
        assert!(text.contains("> POST http://127.0.0.1:1/api/auth/login"), "{text}");
        assert!(text.contains("authorization: Bearer ••••"), "{text}");
        assert!(text.contains("a@b.c"), "{text}");
        for secret in ["tok-Secret-1", "cookie-Secret-2", "pw-Secret-3", "t-Secret-4"] {
            assert!(!text.contains(secret), "{secret} in\n{text}");
        }
    }

    #[test]
    fn one_v_shows_no_bodies() {
        let lines = Arc::new(Mutex::new(Vec::<String>::new()));
        let sink = Arc::clone(&lines);
        let trace = Trace::new(1, move |l| sink.lock().unwrap().push(l.to_string()));
        trace.response(200, &HeaderMap::new(), Duration::from_millis(3), br#"{"success":true}"#);
        assert_eq!(*lines.lock().unwrap(), ["< 200 (3ms)"]);
    }
}
