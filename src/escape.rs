//! Showing what came from outside (log fields, key names, values, server messages) on a
//! terminal without letting it drive the terminal.
//!
//! A control character (C0, DEL, C1) or a bidirectional-text override in such text could
//! set the window title, move the cursor, rewrite earlier lines or reorder what is shown.
//! Every such character is written as an escape instead:
//!
//! - [`push`] / [`text`]: one line of text; `\n`, `\r`, `\t` and `\x1b`-style escapes for
//!   ASCII controls, `\u{9b}`-style for the others. Backslashes stay as they are.
//! - [`push_lines`]: the same, but newlines and tabs are kept (a value shown on its own).
//! - [`key`] / [`parse_key`]: a Redis key name as a command-line argument, exact both ways:
//!   bytes that are not UTF-8 or are controls become `\xNN`, a backslash becomes `\\`, and
//!   [`parse_key`] turns that form back into the same bytes.
//!
//! JSON output needs none of this: serde writes control characters as `\u00XX`.

use std::borrow::Cow;

/// Whether `c` must not reach a terminal as it is: a control character, or a character
/// that changes the direction or the lines of the text around it.
pub fn hostile(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{2028}' | '\u{2029}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
        )
}

/// Whether a byte may start one of the [`hostile`] characters in UTF-8 (a quick test that
/// lets clean text through untouched).
#[inline]
fn suspect(b: u8) -> bool {
    b < 0x20 || b == 0x7f || b == 0xc2 || b == 0xd8 || b == 0xe2
}

/// Whether `s` holds nothing to escape (a quick look at the bytes first).
fn clean(s: &[u8]) -> bool {
    if !s.iter().any(|&b| suspect(b)) {
        return true;
    }
    match std::str::from_utf8(s) {
        Ok(t) => !t.chars().any(hostile),
        Err(_) => false,
    }
}

fn push_char_escape(out: &mut Vec<u8>, c: char, keep_lines: bool) {
    match c {
        '\n' if keep_lines => out.push(b'\n'),
        '\t' if keep_lines => out.push(b'\t'),
        '\n' => out.extend_from_slice(b"\\n"),
        '\r' => out.extend_from_slice(b"\\r"),
        '\t' => out.extend_from_slice(b"\\t"),
        c if (c as u32) < 0x80 => out.extend_from_slice(format!("\\x{:02x}", c as u32).as_bytes()),
        c => out.extend_from_slice(format!("\\u{{{:x}}}", c as u32).as_bytes()),
    }
}

fn push_str(out: &mut Vec<u8>, s: &str, keep_lines: bool) {
    if clean(s.as_bytes()) {
        out.extend_from_slice(s.as_bytes());
        return;
    }
    let mut start = 0;
    for (i, c) in s.char_indices() {
        if hostile(c) {
            out.extend_from_slice(&s.as_bytes()[start..i]);
            push_char_escape(out, c, keep_lines);
            start = i + c.len_utf8();
        }
    }
    out.extend_from_slice(&s.as_bytes()[start..]);
}

/// Appends one line of outside text with its control characters escaped.
pub fn push(out: &mut Vec<u8>, s: &str) {
    push_str(out, s, false);
}

/// Appends outside text shown on its own: newlines and tabs are kept, other control
/// characters escaped.
pub fn push_lines(out: &mut Vec<u8>, s: &str) {
    push_str(out, s, true);
}

/// Appends bytes that may not be UTF-8 (a raw line, a value): invalid bytes as `\xNN`.
pub fn push_bytes(out: &mut Vec<u8>, b: &[u8], keep_lines: bool) {
    for chunk in b.utf8_chunks() {
        push_str(out, chunk.valid(), keep_lines);
        for &x in chunk.invalid() {
            out.extend_from_slice(format!("\\x{x:02x}").as_bytes());
        }
    }
}

/// Appends bytes with only what is not UTF-8 changed (to the text `\xNN`): for output
/// that escapes the rest its own way (a JSON string).
pub fn push_bytes_raw(out: &mut Vec<u8>, b: &[u8]) {
    for chunk in b.utf8_chunks() {
        out.extend_from_slice(chunk.valid().as_bytes());
        for &x in chunk.invalid() {
            out.extend_from_slice(format!("\\x{x:02x}").as_bytes());
        }
    }
}

/// One line of outside text, escaped (borrowed when there was nothing to escape).
pub fn text(s: &str) -> Cow<'_, str> {
    if clean(s.as_bytes()) {
        return Cow::Borrowed(s);
    }
    let mut out = Vec::with_capacity(s.len() + 8);
    push(&mut out, s);
    Cow::Owned(String::from_utf8(out).unwrap_or_default())
}

/// Outside bytes shown as one line: not UTF-8 as `\xNN`, controls escaped.
pub fn bytes(b: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(b) {
        Ok(s) => text(s),
        Err(_) => {
            let mut out = Vec::with_capacity(b.len() + 8);
            push_bytes(&mut out, b, false);
            Cow::Owned(String::from_utf8(out).unwrap_or_default())
        }
    }
}

/// A key name in the form the command line accepts back ([`parse_key`]): printable UTF-8
/// as it is, `\` as `\\`, newline, CR and tab as `\n`, `\r`, `\t`, and every other control
/// character or byte that is not UTF-8 as `\xNN` (one per byte).
pub fn key(k: &[u8]) -> Cow<'_, str> {
    if let Ok(s) = std::str::from_utf8(k)
        && clean(k)
        && !k.contains(&b'\\')
    {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(k.len() + 8);
    let hex = |out: &mut String, bytes: &[u8]| {
        for b in bytes {
            out.push_str(&format!("\\x{b:02x}"));
        }
    };
    for chunk in k.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                c if hostile(c) => hex(&mut out, c.encode_utf8(&mut [0; 4]).as_bytes()),
                c => out.push(c),
            }
        }
        hex(&mut out, chunk.invalid());
    }
    Cow::Owned(out)
}

/// A key name for JSON output: the exact text when it is UTF-8 (serde escapes what needs
/// it), else the [`key`] form, which `redis get` accepts back.
pub fn key_json(k: &[u8]) -> String {
    match std::str::from_utf8(k) {
        Ok(s) => s.to_string(),
        Err(_) => key(k).into_owned(),
    }
}

/// The bytes of a key written in the [`key`] form: `\xNN` is the byte NN, `\\` a
/// backslash, `\n`, `\r`, `\t` those characters. A backslash that starts none of these is
/// kept as it is, so a key typed with a lone backslash still means what it says.
pub fn parse_key(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    let hexval = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    while i < b.len() {
        if b[i] == b'\\' {
            match b.get(i + 1) {
                Some(b'\\') => {
                    out.push(b'\\');
                    i += 2;
                    continue;
                }
                Some(b'n') => {
                    out.push(b'\n');
                    i += 2;
                    continue;
                }
                Some(b'r') => {
                    out.push(b'\r');
                    i += 2;
                    continue;
                }
                Some(b't') => {
                    out.push(b'\t');
                    i += 2;
                    continue;
                }
                Some(b'x') => {
                    if let (Some(h), Some(l)) = (
                        b.get(i + 2).copied().and_then(hexval),
                        b.get(i + 3).copied().and_then(hexval),
                    ) {
                        out.push(h << 4 | l);
                        i += 4;
                        continue;
                    }
                }
                _ => {}
            }
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

/// The bytes of a Redis glob pattern written with the escapes of the [`key`] form:
/// `\xNN` is the byte NN (backslash-escaped when it is a glob character), `\n`, `\r`,
/// `\t` those characters; every other backslash keeps its glob meaning. So a key as
/// printed, used as a pattern, matches that key (`\\` is the glob for a backslash).
pub fn parse_pattern(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let hexval = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' {
            let byte = match b.get(i + 1) {
                Some(b'n') => Some((b'\n', 2)),
                Some(b'r') => Some((b'\r', 2)),
                Some(b't') => Some((b'\t', 2)),
                Some(b'x') => match (
                    b.get(i + 2).copied().and_then(hexval),
                    b.get(i + 3).copied().and_then(hexval),
                ) {
                    (Some(h), Some(l)) => Some((h << 4 | l, 4)),
                    _ => None,
                },
                Some(&next) => {
                    // A glob escape: kept, with the character it escapes.
                    out.extend_from_slice(&[b'\\', next]);
                    i += 2;
                    continue;
                }
                None => None,
            };
            if let Some((byte, used)) = byte {
                if matches!(byte, b'*' | b'?' | b'[' | b']' | b'\\') {
                    out.push(b'\\');
                }
                out.push(byte);
                i += used;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

/// Escapes a byte stream that arrives in pieces cut anywhere (a value read in chunks):
/// a UTF-8 character split between two pieces is held until its end arrives.
#[derive(Debug, Default)]
pub struct Stream {
    carry: Vec<u8>,
    keep_lines: bool,
    /// Only bytes that are not UTF-8 are changed ([`push_bytes_raw`]).
    raw: bool,
}

impl Stream {
    pub fn new(keep_lines: bool) -> Stream {
        Stream {
            carry: Vec::new(),
            keep_lines,
            raw: false,
        }
    }

    /// A stream that changes only the bytes that are not UTF-8.
    pub fn raw() -> Stream {
        Stream {
            raw: true,
            ..Stream::default()
        }
    }

    fn put(&self, out: &mut Vec<u8>, b: &[u8]) {
        if self.raw {
            push_bytes_raw(out, b);
        } else {
            push_bytes(out, b, self.keep_lines);
        }
    }

    /// Appends the escaped form of `piece` (and of what was held from the last one).
    pub fn push(&mut self, out: &mut Vec<u8>, piece: &[u8]) {
        let mut joined;
        let data: &[u8] = if self.carry.is_empty() {
            piece
        } else {
            joined = std::mem::take(&mut self.carry);
            joined.extend_from_slice(piece);
            &joined
        };
        // An incomplete character at the very end waits for the next piece.
        let end = data.len() - incomplete_tail(data);
        self.put(out, &data[..end]);
        self.carry = data[end..].to_vec();
    }

    /// Appends what is still held (an incomplete character at the end of the input).
    pub fn finish(&mut self, out: &mut Vec<u8>) {
        let rest = std::mem::take(&mut self.carry);
        self.put(out, &rest);
    }
}

/// How many bytes at the end of `data` begin a UTF-8 character that is not complete.
fn incomplete_tail(data: &[u8]) -> usize {
    for back in 1..=data.len().min(3) {
        let b = data[data.len() - back];
        if b & 0xc0 == 0x80 {
            continue;
        }
        let need = match b {
            0xf0.. => 4,
            0xe0.. => 3,
            0xc0.. => 2,
            _ => 1,
        };
        return if need > back { back } else { 0 };
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_escaped_and_clean_text_borrowed() {
        assert!(matches!(text("plain → text"), Cow::Borrowed(_)));
        assert_eq!(text("a\u{1b}]0;PWNED\u{7}b"), "a\\x1b]0;PWNED\\x07b");
        assert_eq!(text("a\nb\r\tc\u{7f}"), "a\\nb\\r\\tc\\x7f");
        assert_eq!(text("csi\u{9b}31m rtl\u{202e}x"), "csi\\u{9b}31m rtl\\u{202e}x");
        let mut out = Vec::new();
        push_lines(&mut out, "one\n\ttwo\u{1b}[2J");
        assert_eq!(out, b"one\n\ttwo\\x1b[2J");
        assert_eq!(bytes(b"a\xffb\x1b"), "a\\xffb\\x1b");
    }

    #[test]
    fn keys_round_trip() {
        let keys: [&[u8]; 7] = [
            b"cache:posts:id:1",
            b"cache:\xff\xfe:x",
            b"cache:a\\b",
            b"cache:a\\xff",
            b"cache:\x00\x1b[31m\r\n",
            "cache:é→\u{9b}\u{202e}".as_bytes(),
            b"\\",
        ];
        for k in keys {
            let shown = key(k);
            assert!(!shown.bytes().any(|b| b < 0x20 || b == 0x7f), "{shown}");
            assert_eq!(parse_key(&shown), k, "{shown}");
        }
        assert_eq!(key(b"cache:\xff"), "cache:\\xff");
        assert_eq!(key(b"a\\b"), "a\\\\b");
        // A lone backslash that starts no escape is kept.
        assert_eq!(parse_key("a\\b\\x4"), b"a\\b\\x4");
        // As a glob: the escapes of the key form give bytes, other backslashes stay.
        assert_eq!(parse_pattern("bin:\\xff*"), b"bin:\xff*");
        assert_eq!(parse_pattern("a\\\\xff\\*\\x2a\\n"), b"a\\\\xff\\*\\*\n");
    }

    #[test]
    fn a_stream_cut_inside_characters_matches_the_whole() {
        let data = "é→\u{1b}x\u{9b}y".as_bytes().repeat(3);
        let mut whole = Vec::new();
        push_bytes(&mut whole, &data, true);
        for cut in 1..data.len() {
            let mut s = Stream::new(true);
            let mut out = Vec::new();
            for piece in data.chunks(cut) {
                s.push(&mut out, piece);
            }
            s.finish(&mut out);
            assert_eq!(out, whole, "pieces of {cut}");
        }
    }
}
