//! Showing a value read from Redis, piece by piece: JSON indented as it streams, text with
//! its control characters escaped, JSON strings for `--json`. Nothing here holds more than
//! the piece at hand, so a value of any size is shown in bounded memory.

use serde::Deserialize;

use super::{Fetched, Store, StoreError};
use crate::escape;

/// Indents valid JSON as serde_json's pretty printer does (two spaces, `": "`, `{}` and
/// `[]` when empty), from pieces cut anywhere. Inside strings, characters that would drive
/// a terminal (DEL, C1 controls, direction overrides) are written as `\uXXXX` escapes,
/// which keeps the text valid JSON with the same meaning.
#[derive(Debug, Default)]
pub struct JsonPretty {
    depth: usize,
    in_string: bool,
    escaped: bool,
    /// After `{` or `[`: the line break waits to see whether the container is empty.
    open: bool,
    /// The bytes of a multi-byte character inside a string, until it is complete.
    seq: Vec<u8>,
}

impl JsonPretty {
    fn newline(&self, out: &mut Vec<u8>) {
        out.push(b'\n');
        for _ in 0..self.depth {
            out.extend_from_slice(b"  ");
        }
    }

    /// Appends the indented form of the next piece of the value.
    pub fn push(&mut self, out: &mut Vec<u8>, mut piece: &[u8]) {
        while let Some((&b, rest)) = piece.split_first() {
            if self.in_string {
                // Plain text inside a string goes through in one copy.
                if self.seq.is_empty() && !self.escaped {
                    let plain = piece
                        .iter()
                        .position(|&c| c == b'"' || c == b'\\' || !(0x20..0x7f).contains(&c))
                        .unwrap_or(piece.len());
                    if plain > 0 {
                        out.extend_from_slice(&piece[..plain]);
                        piece = &piece[plain..];
                        continue;
                    }
                }
                self.string_byte(out, b);
                piece = rest;
                continue;
            }
            piece = rest;
            match b {
                b' ' | b'\t' | b'\n' | b'\r' => {}
                b'{' | b'[' => {
                    if self.open {
                        self.newline(out);
                    }
                    out.push(b);
                    self.depth += 1;
                    self.open = true;
                }
                b'}' | b']' => {
                    self.depth = self.depth.saturating_sub(1);
                    if !self.open {
                        self.newline(out);
                    }
                    self.open = false;
                    out.push(b);
                }
                b',' => {
                    out.push(b',');
                    self.newline(out);
                }
                b':' => out.extend_from_slice(b": "),
                _ => {
                    if self.open {
                        self.open = false;
                        self.newline(out);
                    }
                    if b == b'"' {
                        self.in_string = true;
                    }
                    out.push(b);
                }
            }
        }
    }

    fn string_byte(&mut self, out: &mut Vec<u8>, b: u8) {
        if !self.seq.is_empty() || b >= 0x80 {
            self.seq.push(b);
            let need = match self.seq[0] {
                0xf0.. => 4,
                0xe0.. => 3,
                _ => 2,
            };
            if self.seq.len() < need {
                return;
            }
            match std::str::from_utf8(&self.seq).ok().and_then(|s| s.chars().next()) {
                Some(c) if escape::hostile(c) => out.extend_from_slice(format!("\\u{:04x}", c as u32).as_bytes()),
                _ => out.extend_from_slice(&self.seq),
            }
            self.seq.clear();
            return;
        }
        if self.escaped {
            self.escaped = false;
        } else if b == b'\\' {
            self.escaped = true;
        } else if b == b'"' {
            self.in_string = false;
        }
        if b == 0x7f || b < 0x20 {
            out.extend_from_slice(format!("\\u{b:04x}").as_bytes());
        } else {
            out.push(b);
        }
    }
}

/// Writes a value that is not JSON as a JSON string, from pieces cut anywhere: `"` and `\`
/// escaped, control characters as `\u00XX`, bytes that are not UTF-8 as the text `\xNN`.
#[derive(Debug)]
pub struct JsonString {
    text: Vec<u8>,
    stream: escape::Stream,
}

impl Default for JsonString {
    fn default() -> JsonString {
        JsonString {
            text: Vec::new(),
            stream: escape::Stream::raw(),
        }
    }
}

impl JsonString {
    pub fn push(&mut self, out: &mut Vec<u8>, piece: &[u8]) {
        self.text.clear();
        self.stream.push(&mut self.text, piece);
        push_json_chars(out, &self.text);
    }

    pub fn finish(&mut self, out: &mut Vec<u8>) {
        self.text.clear();
        self.stream.finish(&mut self.text);
        push_json_chars(out, &self.text);
    }
}

/// `text` is UTF-8 (bytes that were not are already `\xNN` text).
fn push_json_chars(out: &mut Vec<u8>, text: &[u8]) {
    for &b in text {
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b if b < 0x20 => out.extend_from_slice(format!("\\u{b:04x}").as_bytes()),
            b => out.push(b),
        }
    }
}

/// Whether a string value is valid JSON, read in pieces: the pieces go to a parser on a
/// thread of its own, which keeps nothing but its nesting.
async fn string_is_json(store: &Store, f: &Fetched) -> Result<bool, StoreError> {
    struct Pieces {
        rx: std::sync::mpsc::Receiver<Vec<u8>>,
        cur: Vec<u8>,
        at: usize,
    }
    impl std::io::Read for Pieces {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            while self.at == self.cur.len() {
                match self.rx.recv() {
                    Ok(next) => (self.cur, self.at) = (next, 0),
                    Err(_) => return Ok(0),
                }
            }
            let n = buf.len().min(self.cur.len() - self.at);
            buf[..n].copy_from_slice(&self.cur[self.at..self.at + n]);
            self.at += n;
            Ok(n)
        }
    }
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<u8>>(2);
    let parser = std::thread::spawn(move || {
        let pieces = std::io::BufReader::new(Pieces {
            rx,
            cur: Vec::new(),
            at: 0,
        });
        let mut de = serde_json::Deserializer::from_reader(pieces);
        serde::de::IgnoredAny::deserialize(&mut de).is_ok() && de.end().is_ok()
    });
    // A parser that has seen enough (an error) drops its end: reading stops.
    let read = store.read_string(&f.key, f.size, |p| tx.send(p.to_vec()).is_ok()).await;
    drop(tx);
    let valid = parser.join().unwrap_or(false);
    read?;
    Ok(valid)
}

/// Shows a string value too large to hold, as it is read: pretty JSON or escaped text, or,
/// given `json_open` (the `--json` document up to its `value`), the value written raw
/// (when it is valid JSON) or as a JSON string, and the document closed. Each piece goes
/// to `write`, which says whether to go on.
pub async fn stream_string(
    store: &Store,
    f: &Fetched,
    json_open: Option<&str>,
    write: &mut dyn FnMut(&[u8]) -> bool,
) -> Result<(), StoreError> {
    let mut head = Vec::new();
    store
        .read_string(&f.key, f.size.min(64), |p| {
            head.extend_from_slice(p);
            true
        })
        .await?;
    let first = head.iter().copied().find(|b| !b.is_ascii_whitespace());
    let candidate = match first {
        Some(b'{' | b'[') => true,
        Some(b'"' | b'-' | b'0'..=b'9' | b't' | b'f' | b'n') => json_open.is_some(),
        _ => false,
    };
    let is_json = candidate && string_is_json(store, f).await?;

    let mut buf = Vec::with_capacity(1 << 20);
    let mut flush = |buf: &mut Vec<u8>| {
        let more = write(buf);
        buf.clear();
        more
    };
    if let Some(open) = json_open {
        buf.extend_from_slice(open.as_bytes());
        let mut as_string = (!is_json).then(JsonString::default);
        if as_string.is_some() {
            buf.push(b'"');
        }
        store
            .read_string(&f.key, f.size, |p| {
                match &mut as_string {
                    Some(s) => s.push(&mut buf, p),
                    None => buf.extend_from_slice(p),
                }
                flush(&mut buf)
            })
            .await?;
        if let Some(s) = &mut as_string {
            s.finish(&mut buf);
            buf.push(b'"');
        }
        buf.extend_from_slice(b"\n}\n");
    } else if is_json {
        let mut pretty = JsonPretty::default();
        store
            .read_string(&f.key, f.size, |p| {
                pretty.push(&mut buf, p);
                flush(&mut buf)
            })
            .await?;
        buf.push(b'\n');
    } else {
        let mut text = escape::Stream::new(true);
        store
            .read_string(&f.key, f.size, |p| {
                text.push(&mut buf, p);
                flush(&mut buf)
            })
            .await?;
        text.finish(&mut buf);
        buf.push(b'\n');
    }
    flush(&mut buf);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indents_like_serde_in_any_pieces() {
        let src = r#" {"id":1,"title":"He said \"hi\" , [ok]","tags":["a","b"],"empty":{},"none":[ ],"n":{"x":[1,{"y":null}]}}"#;
        let v: serde_json::Value = serde_json::from_str(src).unwrap();
        let want = serde_json::to_string_pretty(&v).unwrap();
        for cut in [1, 2, 7, src.len()] {
            let mut p = JsonPretty::default();
            let mut out = Vec::new();
            for piece in src.as_bytes().chunks(cut) {
                p.push(&mut out, piece);
            }
            assert_eq!(String::from_utf8(out).unwrap(), want, "pieces of {cut}");
        }
    }

    #[test]
    fn hostile_characters_in_strings_become_json_escapes() {
        let src = "[\"a\u{7f}b\u{9b}c\u{202e}d→é\"]";
        let mut p = JsonPretty::default();
        let mut out = Vec::new();
        for piece in src.as_bytes().chunks(1) {
            p.push(&mut out, piece);
        }
        let shown = String::from_utf8(out).unwrap();
        assert_eq!(shown, "[\n  \"a\\u007fb\\u009bc\\u202ed→é\"\n]");
        let back: Vec<String> = serde_json::from_str(&shown).unwrap();
        assert_eq!(back, vec!["a\u{7f}b\u{9b}c\u{202e}d→é".to_string()]);
    }

    #[test]
    fn text_becomes_a_json_string() {
        let src = b"line \"1\"\n\x1b\xff\\ \xc3";
        for cut in [1, 3, src.len()] {
            let mut j = JsonString::default();
            let mut out = b"\"".to_vec();
            for piece in src.chunks(cut) {
                j.push(&mut out, piece);
            }
            j.finish(&mut out);
            out.push(b'"');
            let s: String = serde_json::from_slice(&out).unwrap();
            assert_eq!(s, "line \"1\"\n\u{1b}\\xff\\ \\xc3", "pieces of {cut}");
        }
    }
}
