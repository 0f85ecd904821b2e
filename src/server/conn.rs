//! The node's accept loop.
//!
//! Every connection is served by hyper through axum's router, as `axum::serve` would, with
//! one exception: a connection whose first request is `GET {stream path}`. hyper keeps an
//! 8 KiB read buffer and an 8 KiB write buffer for each HTTP/1 connection for as long as it
//! lives, which for an idle SSE client is forever: two thirds of what each of thousands of
//! clients costs. Such a connection is read here (its head only, into a small buffer), its
//! request is still answered by the same router (so the stream route, its headers and any
//! layer apply unchanged), and the response is written here: the stream by
//! [`super::sse::write`], with no buffer kept between events, anything else a layer may
//! answer instead chunk by chunk. Anything else (another path, a second request on a
//! keep-alive connection, HTTP/2) goes to hyper.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use bytes::Bytes;
use http_body_util::BodyExt;
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

use super::gate::{Gate, HEAD_TIMEOUT, Slot, Watched, http_builder, out_of_fds};
use super::limits::Peer;
use super::sse::{self, LightFeed};

/// The router, with the connection's peer address on every request (for the limits).
pub(super) fn with_peer(
    app: Router,
    peer: Option<Peer>,
) -> impl tower::Service<
    http::Request<hyper::body::Incoming>,
    Response = axum::response::Response,
    Error = std::convert::Infallible,
    Future = impl Send,
> + Clone
+ Send
+ 'static {
    use tower::ServiceExt;
    app.map_request(move |mut req: http::Request<hyper::body::Incoming>| {
        if let Some(p) = peer {
            req.extensions_mut().insert(p);
        }
        req
    })
}

/// The longest request head read on the light path (longer ones are answered 431).
const HEAD_LIMIT: usize = 16 * 1024;

/// Serves until `stop` turns true, then lets open connections finish (streams end with
/// the node's shutdown signal) for up to 10 s.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    stream_path: &str,
    mut stop: watch::Receiver<bool>,
) -> std::io::Result<()> {
    let graceful = GracefulShutdown::new();
    let light = Arc::new(());
    let gate = Arc::new(Gate::default());
    let builder = http_builder();
    let prefix: Arc<[u8]> = format!("GET {stream_path}").into_bytes().into();
    loop {
        let tcp = tokio::select! {
            r = listener.accept() => match r {
                Ok((tcp, _)) => tcp,
                // Out of file descriptors: close the oldest idle connection to make room.
                Err(e) if out_of_fds(&e) && gate.evict_oldest() => {
                    tokio::task::yield_now().await;
                    continue;
                }
                // Other failures: wait a little rather than spin.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                }
            },
            _ = stopped(&mut stop) => break,
        };
        let slot = gate.admit();
        let peer = tcp.peer_addr().ok().map(|a| Peer(a.ip()));
        let _ = tcp.set_nodelay(true);
        // Only a connection that turned out to be a stream counts as one: a client may open
        // a connection and never use it (a pool that raced a connect against a connection
        // it got back), and shutdown must not wait for it to say something.
        let (app, prefix, watcher, light, mut quit, builder) = (
            app.clone(),
            prefix.clone(),
            graceful.watcher(),
            Arc::downgrade(&light),
            stop.clone(),
            builder.clone(),
        );
        tokio::spawn(async move {
            let work = async {
                let opening = tokio::select! {
                    s = opens_stream(&tcp, &prefix) => s,
                    _ = stopped(&mut quit) => return,
                };
                match opening {
                    Opening::Silent => {}
                    Opening::Stream => {
                        let Some(_token) = light.upgrade() else { return };
                        light_stream(tcp, app, &slot, peer).await;
                    }
                    Opening::Other => {
                        let service = TowerToHyperService::new(with_peer(app, peer));
                        let io = TokioIo::new(Watched::new(tcp, slot.clone()));
                        let conn = builder.serve_connection_with_upgrades(io, service).into_owned();
                        let _ = watcher.watch(conn).await;
                    }
                }
            };
            tokio::select! {
                _ = work => {}
                _ = slot.evicted() => {}
            }
        });
    }
    drop(listener);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let _ = tokio::time::timeout_at(deadline, graceful.shutdown()).await;
    while Arc::strong_count(&light) > 1 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    Ok(())
}

async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await;
}

/// What a connection's first bytes say.
enum Opening {
    /// `GET {stream path}` followed by ` ` or `?`: the light path.
    Stream,
    /// Anything else: hyper.
    Other,
    /// Nothing (or only the start of the stream's request line) within [`HEAD_TIMEOUT`], or
    /// closed: dropped.
    Silent,
}

/// Peeks at the connection's first bytes (nothing is consumed, so hyper sees the whole
/// request otherwise).
async fn opens_stream(tcp: &TcpStream, prefix: &[u8]) -> Opening {
    let mut buf = [0u8; 256];
    let want = (prefix.len() + 1).min(buf.len());
    let peek = async {
        // A request line arriving in pieces: peeked again after a pause that doubles (the
        // bytes stay in the socket, so readiness cannot say when more came).
        let mut pause = Duration::from_millis(5);
        loop {
            let n = tcp.peek(&mut buf).await.ok()?;
            if n == 0 {
                return None;
            }
            if n >= want || !prefix.starts_with(&buf[..n.min(prefix.len())]) {
                return Some(n);
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_millis(250));
        }
    };
    match tokio::time::timeout(HEAD_TIMEOUT, peek).await {
        Ok(Some(n)) if n >= want && buf.starts_with(prefix) && matches!(buf[prefix.len()], b' ' | b'?') => {
            Opening::Stream
        }
        Ok(Some(_)) => Opening::Other,
        _ => Opening::Silent,
    }
}

/// Reads the request head, asks the router, writes the response head and then every body
/// chunk as it comes (chunked encoding), until the body ends or the client goes away.
async fn light_stream(mut tcp: TcpStream, app: Router, slot: &Slot, peer: Option<Peer>) {
    let mut head = Vec::with_capacity(1024);
    let read = async {
        let mut chunk = [0u8; 1024];
        loop {
            let n = tcp.read(&mut chunk).await.ok()?;
            if n == 0 {
                return None;
            }
            // Only the new bytes (and the three before them) can complete the blank line.
            let from = head.len().saturating_sub(3);
            head.extend_from_slice(&chunk[..n]);
            if let Some(end) = head[from..].windows(4).position(|w| w == b"\r\n\r\n") {
                slot.head_done();
                return Some(from + end + 4);
            }
            if head.len() > HEAD_LIMIT {
                return Some(0);
            }
        }
    };
    let end = match tokio::time::timeout(HEAD_TIMEOUT, read).await {
        Ok(Some(end)) => end,
        _ => return,
    };
    if end == 0 || end < head.len() {
        // Too long, or a pipelined request behind this one: not for the light path.
        let status = if end == 0 {
            "431 Request Header Fields Too Large"
        } else {
            "400 Bad Request"
        };
        let _ = tcp
            .write_all(format!("HTTP/1.1 {status}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n").as_bytes())
            .await;
        return;
    }
    let Some((mut request, chunked)) = parse_head(&head[..end]) else {
        let _ = tcp
            .write_all(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
            .await;
        return;
    };
    drop(head);
    if let Some(p) = peer {
        request.extensions_mut().insert(p);
    }
    let service = TowerToHyperService::new(app);
    let response = match hyper::service::Service::call(&service, request).await {
        Ok(r) => r,
        Err(e) => match e {},
    };
    let (parts, mut body) = response.into_parts();
    let mut out = format!(
        "HTTP/1.{} {} {}\r\n",
        u8::from(chunked),
        parts.status.as_u16(),
        parts.status.canonical_reason().unwrap_or("")
    )
    .into_bytes();
    for (name, value) in &parts.headers {
        if name == http::header::CONTENT_LENGTH
            || name == http::header::TRANSFER_ENCODING
            || name == http::header::CONNECTION
        {
            continue;
        }
        out.extend_from_slice(name.as_str().as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    // HTTP/1.0 (nginx's default towards upstreams) knows no chunks: the body then ends
    // when the connection closes.
    if chunked {
        out.extend_from_slice(b"transfer-encoding: chunked\r\n");
    }
    out.extend_from_slice(b"connection: close\r\n\r\n");
    // The stream itself, unless a layer answered instead (then its body is written below).
    if let Some(feed) = parts.extensions.get::<LightFeed>().and_then(LightFeed::take) {
        drop((parts, body));
        if let Some(tcp) = sse::write(tcp, out, feed, chunked).await {
            finish(tcp, chunked).await;
        }
        return;
    }
    if sse::send(&tcp, &out).await.is_err() {
        return;
    }
    drop(out);
    let mut probe = [0u8; 64];
    loop {
        let frame = tokio::select! {
            f = body.frame() => f,
            // The client hung up (or sent something it should not have): stop.
            _ = tcp.read(&mut probe) => return,
        };
        let data: Bytes = match frame {
            Some(Ok(f)) => match f.into_data() {
                Ok(d) if !d.is_empty() => d,
                _ => continue,
            },
            Some(Err(_)) | None => break,
        };
        // One write per event (the socket has no Nagle delay to merge several).
        let written = if chunked {
            sse::send(&tcp, &super::frame::chunk(&data)).await
        } else {
            sse::send(&tcp, &data).await
        };
        if written.is_err() {
            return;
        }
    }
    finish(tcp, chunked).await;
}

/// Ends a body that ended: the last chunk, then the connection.
async fn finish(mut tcp: TcpStream, chunked: bool) {
    if chunked {
        let _ = sse::send_before_stop(&tcp, b"0\r\n\r\n").await;
    }
    let _ = tcp.shutdown().await;
}

/// The request of a head (`GET ... HTTP/1.x` and its headers), with an empty body, and
/// whether the response may be chunked (HTTP/1.1).
fn parse_head(head: &[u8]) -> Option<(http::Request<axum::body::Body>, bool)> {
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut req = httparse::Request::new(&mut headers);
    match req.parse(head) {
        Ok(httparse::Status::Complete(_)) => {}
        _ => return None,
    }
    let (version, chunked) = match req.version? {
        1 => (http::Version::HTTP_11, true),
        _ => (http::Version::HTTP_10, false),
    };
    let mut builder = http::Request::builder()
        .method(req.method?)
        .uri(req.path?)
        .version(version);
    for h in req.headers.iter() {
        builder = builder.header(h.name, h.value);
    }
    builder.body(axum::body::Body::empty()).ok().map(|r| (r, chunked))
}
