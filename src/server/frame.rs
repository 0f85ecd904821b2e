//! The bytes of the SSE wire format (PROTOCOL section 4) and of HTTP/1.1 chunked encoding:
//! each event is encoded once (by its [`HubEvent`](super::stream::HubEvent)) and written
//! as it is to every client.

/// Writes an event as axum's `sse::Event::default().event(name).data(data).id(id)` does:
/// `event: NAME`, the data split into one `data: ` line at each `\n` or `\r` (none for
/// empty data), `id: ID` when there is one, then a blank line.
pub fn encode(out: &mut Vec<u8>, name: &str, data: &str, id: Option<&str>) {
    out.extend_from_slice(b"event: ");
    out.extend_from_slice(name.as_bytes());
    out.push(b'\n');
    if !data.is_empty() {
        out.extend_from_slice(b"data: ");
        let data = data.as_bytes();
        let mut last = 0;
        for at in memchr::memchr2_iter(b'\n', b'\r', data) {
            out.extend_from_slice(&data[last..=at]);
            out.extend_from_slice(b"data: ");
            last = at + 1;
        }
        out.extend_from_slice(&data[last..]);
        out.push(b'\n');
    }
    if let Some(id) = id {
        out.extend_from_slice(b"id: ");
        out.extend_from_slice(id.as_bytes());
        out.push(b'\n');
    }
    out.push(b'\n');
}

/// `bytes` as one HTTP/1.1 chunk.
pub fn chunk(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + 12);
    push_chunk(&mut out, bytes);
    out
}

pub fn push_chunk(out: &mut Vec<u8>, bytes: &[u8]) {
    use std::io::Write;
    let _ = write!(out, "{:x}\r\n", bytes.len());
    out.extend_from_slice(bytes);
    out.extend_from_slice(b"\r\n");
}
