//! One pino line to a borrowed view of its top-level fields.
//!
//! The view holds byte spans into the line (and, for the rare key written with escapes, into
//! a reusable pool), so parsing allocates nothing once the [`Scratch`] has warmed up. Values
//! stay raw JSON text; they are decoded only when something looks at them.

use serde_json::value::RawValue;

/// Reusable buffers for parsing, one per thread.
#[derive(Debug, Default)]
pub struct Scratch {
    fields: Vec<Field>,
    /// Index in `fields` of each [`Known`] key, `u32::MAX` when absent.
    known: [u32; KNOWN.len()],
    /// Keys that were written with escapes, unescaped.
    pool: String,
}

/// A top-level field: where its key and its raw JSON value are.
#[derive(Debug, Clone, Copy)]
struct Field {
    key: Span,
    value: (u32, u32),
    /// One of the [`Known`] keys.
    known: bool,
}

/// The keys pino and the platform give a meaning to, found by index instead of by search.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Known {
    Level,
    Time,
    Msg,
    Module,
    Type,
    Target,
    Status,
    DurationMs,
    Err,
    Pid,
    Hostname,
}

const KNOWN: [&str; 11] = [
    "level",
    "time",
    "msg",
    "module",
    "type",
    "target",
    "status",
    "durationMs",
    "err",
    "pid",
    "hostname",
];

impl Known {
    fn of(key: &str) -> Option<Known> {
        use Known::*;
        // By length first: one comparison for most keys.
        Some(match (key.len(), key) {
            (3, "msg") => Msg,
            (3, "err") => Err,
            (3, "pid") => Pid,
            (4, "time") => Time,
            (4, "type") => Type,
            (5, "level") => Level,
            (6, "module") => Module,
            (6, "target") => Target,
            (6, "status") => Status,
            (8, "hostname") => Hostname,
            (10, "durationMs") => DurationMs,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, Copy)]
enum Span {
    Line(u32, u32),
    Pool(u32, u32),
}

/// Numeric pino levels.
pub const TRACE: u32 = 10;
pub const DEBUG: u32 = 20;
pub const INFO: u32 = 30;
pub const WARN: u32 = 40;
pub const ERROR: u32 = 50;
pub const FATAL: u32 = 60;

/// A parsed line: a JSON object with its well-known fields decoded.
#[derive(Debug)]
pub struct Record<'a> {
    pub line: &'a str,
    fields: &'a [Field],
    known: &'a [u32; KNOWN.len()],
    pool: &'a str,
    /// The level as a number (`"warn"` is 40); `None` when absent or unknown.
    pub level: Option<u32>,
    /// Epoch milliseconds, from a number or an ISO-8601 string.
    pub time: Option<i64>,
}

/// What a line is.
#[derive(Debug)]
pub enum Parsed<'a> {
    Record(Record<'a>),
    /// Not a JSON object: garbage, binary, a half-written line.
    Raw,
}

impl Scratch {
    /// Parses one line (without its newline).
    pub fn parse<'a>(&'a mut self, line: &'a str) -> Parsed<'a> {
        self.fields.clear();
        self.pool.clear();
        self.known = [u32::MAX; KNOWN.len()];
        if !scan_object(line, &mut self.fields, &mut self.known, &mut self.pool) {
            return Parsed::Raw;
        }
        let mut rec = Record {
            line,
            fields: &self.fields,
            known: &self.known,
            pool: &self.pool,
            level: None,
            time: None,
        };
        rec.level = rec.known(Known::Level).and_then(level_of_raw);
        rec.time = rec.known(Known::Time).and_then(time_of_raw);
        Parsed::Record(rec)
    }
}

impl<'a> Record<'a> {
    fn key(&self, f: &Field) -> &'a str {
        match f.key {
            Span::Line(s, e) => &self.line[s as usize..e as usize],
            Span::Pool(s, e) => &self.pool[s as usize..e as usize],
        }
    }

    fn value(&self, f: &Field) -> &'a str {
        &self.line[f.value.0 as usize..f.value.1 as usize]
    }

    /// The raw JSON text of a well-known field.
    pub fn known(&self, k: Known) -> Option<&'a str> {
        let i = self.known[k as usize];
        self.fields.get(i as usize).map(|f| self.value(f))
    }

    /// The raw JSON text of a top-level field (the first one, when a key repeats).
    pub fn get(&self, key: &str) -> Option<&'a str> {
        match Known::of(key) {
            Some(k) => self.known(k),
            None => self.fields.iter().find(|f| self.key(f) == key).map(|f| self.value(f)),
        }
    }

    /// Every top-level field as (key, raw JSON value), in the order written.
    pub fn fields(&self) -> impl Iterator<Item = (&'a str, &'a str)> + '_ {
        self.fields.iter().map(|f| (self.key(f), self.value(f)))
    }

    /// The fields that are not [`Known`], in the order written.
    pub fn others(&self) -> impl Iterator<Item = (&'a str, &'a str)> + '_ {
        self.fields
            .iter()
            .filter(|f| !f.known)
            .map(|f| (self.key(f), self.value(f)))
    }

    /// A string field's content, unescaped into `buf` only when it has escapes; a number
    /// or other value as its raw text.
    pub fn text<'b>(&self, key: &str, buf: &'b mut String) -> Option<&'b str>
    where
        'a: 'b,
    {
        self.get(key).map(|raw| text_of_raw(raw, buf))
    }

    /// `durationMs` as a number (a numeric string is accepted too).
    pub fn duration_ms(&self) -> Option<f64> {
        let raw = self.known(Known::DurationMs)?;
        raw.trim_matches('"').parse::<f64>().ok().filter(|d| d.is_finite())
    }
}

/// The content of a raw JSON value: a string unescaped (in `buf` only when needed), other
/// values as written.
pub fn text_of_raw<'b>(raw: &'b str, buf: &'b mut String) -> &'b str {
    match raw.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
        Some(inner) if memchr::memchr(b'\\', inner.as_bytes()).is_none() => inner,
        Some(inner) => {
            buf.clear();
            unescape(inner, buf);
            buf
        }
        None => raw,
    }
}

/// Unescapes the inside of a JSON string (already validated by the parser).
pub fn unescape(inner: &str, out: &mut String) {
    let mut rest = inner;
    while let Some(i) = rest.find('\\') {
        out.push_str(&rest[..i]);
        let b = rest.as_bytes();
        let Some(&c) = b.get(i + 1) else { break };
        let mut used = 2;
        match c {
            b'n' => out.push('\n'),
            b't' => out.push('\t'),
            b'r' => out.push('\r'),
            b'b' => out.push('\u{8}'),
            b'f' => out.push('\u{c}'),
            b'u' => {
                let hex = |at: usize| rest.get(at..at + 4).and_then(|h| u32::from_str_radix(h, 16).ok());
                let hi = hex(i + 2).unwrap_or(0xFFFD);
                used = 6;
                let ch = if (0xD800..0xDC00).contains(&hi) && rest.get(i + 6..i + 8) == Some("\\u") {
                    match hex(i + 8) {
                        Some(lo) if (0xDC00..0xE000).contains(&lo) => {
                            used = 12;
                            char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
                        }
                        _ => None,
                    }
                } else {
                    char::from_u32(hi)
                };
                out.push(ch.unwrap_or('\u{FFFD}'));
            }
            other => out.push(other as char),
        }
        rest = rest.get(i + used..).unwrap_or("");
    }
    out.push_str(rest);
}

/// A level from its raw JSON: a number, or a label such as `"warn"`.
pub fn level_of_raw(raw: &str) -> Option<u32> {
    if raw.starts_with('"') {
        level_of_label(raw.trim_matches('"'))
    } else if let Ok(l) = raw.parse::<u32>() {
        Some(l)
    } else {
        raw.parse::<f64>()
            .ok()
            .filter(|l| *l >= 0.0 && *l < 1e9)
            .map(|l| l as u32)
    }
}

/// `trace` .. `fatal` (and `warning`), any case, or a number.
pub fn level_of_label(s: &str) -> Option<u32> {
    let l = match s.to_ascii_lowercase().as_str() {
        "trace" => TRACE,
        "debug" => DEBUG,
        "info" => INFO,
        "warn" | "warning" => WARN,
        "error" => ERROR,
        "fatal" => FATAL,
        other => return other.parse().ok(),
    };
    Some(l)
}

/// The label of a level number, for display and stats.
pub fn level_label(level: u32) -> Option<&'static str> {
    Some(match level {
        TRACE => "trace",
        DEBUG => "debug",
        INFO => "info",
        WARN => "warn",
        ERROR => "error",
        FATAL => "fatal",
        _ => return None,
    })
}

/// Epoch milliseconds from raw JSON: a number of milliseconds or an ISO-8601 string.
pub fn time_of_raw(raw: &str) -> Option<i64> {
    if let Some(s) = raw.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
        return chrono::DateTime::parse_from_rfc3339(s)
            .ok()
            .map(|t| t.timestamp_millis());
    }
    if let Ok(n) = raw.parse::<i64>() {
        return Some(n);
    }
    raw.parse::<f64>().ok().filter(|f| f.is_finite()).map(|f| f as i64)
}

/// What may not appear raw in a JSON string: the quote, the backslash, control characters.
static STOP: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 0x20 {
        t[i] = true;
        i += 1;
    }
    t[b'"' as usize] = true;
    t[b'\\' as usize] = true;
    t
};

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\n' | b'\r') {
        i += 1;
    }
    i
}

/// A string starting at `b[start] == '"'`: the index after its closing quote, and whether it
/// has escapes. `None` when it is not a valid JSON string.
fn scan_string(b: &[u8], start: usize) -> Option<(usize, bool)> {
    let mut i = start + 1;
    let mut escaped = false;
    loop {
        while i < b.len() && !STOP[b[i] as usize] {
            i += 1;
        }
        match b.get(i)? {
            b'"' => return Some((i + 1, escaped)),
            b'\\' => {
                escaped = true;
                match b.get(i + 1)? {
                    b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => i += 2,
                    b'u' => {
                        let hex = b.get(i + 2..i + 6)?;
                        if !hex.iter().all(u8::is_ascii_hexdigit) {
                            return None;
                        }
                        i += 6;
                    }
                    _ => return None,
                }
            }
            _ => return None, // a raw control character
        }
    }
}

/// A number starting at `b[i]`: the index after it (JSON's grammar, strictly).
fn scan_number(b: &[u8], mut i: usize) -> Option<usize> {
    let digits = |b: &[u8], mut i: usize| {
        let s = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        (i > s).then_some(i)
    };
    if b.get(i) == Some(&b'-') {
        i += 1;
    }
    match b.get(i)? {
        b'0' => i += 1,
        b'1'..=b'9' => i = digits(b, i)?,
        _ => return None,
    }
    if b.get(i) == Some(&b'.') {
        i = digits(b, i + 1)?;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        i = digits(b, i)?;
    }
    Some(i)
}

/// Any JSON value starting at `line[i]` (not whitespace): the index after it. Nested objects
/// and arrays are checked by serde_json; the top level, where pino puts nearly everything, is
/// scanned here.
fn scan_value(line: &str, i: usize) -> Option<usize> {
    let b = line.as_bytes();
    let lit = |word: &[u8]| b.get(i..i + word.len()).filter(|w| *w == word).map(|_| i + word.len());
    match b.get(i)? {
        b'"' => scan_string(b, i).map(|(end, _)| end),
        b'{' | b'[' => {
            use serde::Deserialize;
            let mut de = serde_json::Deserializer::from_str(&line[i..]);
            let raw = <&RawValue>::deserialize(&mut de).ok()?;
            Some(i + raw.get().len())
        }
        b't' => lit(b"true"),
        b'f' => lit(b"false"),
        b'n' => lit(b"null"),
        b'-' | b'0'..=b'9' => scan_number(b, i),
        _ => None,
    }
}

/// Splits a line holding one JSON object into its top-level fields; false when it is not
/// exactly one JSON object.
fn scan_object(line: &str, fields: &mut Vec<Field>, known: &mut [u32; KNOWN.len()], pool: &mut String) -> bool {
    let b = line.as_bytes();
    let mut i = skip_ws(b, 0);
    if b.get(i) != Some(&b'{') {
        return false;
    }
    i = skip_ws(b, i + 1);
    if b.get(i) == Some(&b'}') {
        return skip_ws(b, i + 1) == b.len();
    }
    loop {
        if b.get(i) != Some(&b'"') {
            return false;
        }
        let Some((key_end, escaped)) = scan_string(b, i) else {
            return false;
        };
        let (key, which) = if escaped {
            let start = pool.len();
            unescape(&line[i + 1..key_end - 1], pool);
            (Span::Pool(start as u32, pool.len() as u32), Known::of(&pool[start..]))
        } else {
            (
                Span::Line(i as u32 + 1, key_end as u32 - 1),
                Known::of(&line[i + 1..key_end - 1]),
            )
        };
        i = skip_ws(b, key_end);
        if b.get(i) != Some(&b':') {
            return false;
        }
        i = skip_ws(b, i + 1);
        let Some(value_end) = scan_value(line, i) else {
            return false;
        };
        if let Some(k) = which
            && known[k as usize] == u32::MAX
        {
            known[k as usize] = fields.len() as u32;
        }
        fields.push(Field {
            key,
            value: (i as u32, value_end as u32),
            known: which.is_some(),
        });
        i = skip_ws(b, value_end);
        match b.get(i) {
            Some(b',') => i = skip_ws(b, i + 1),
            Some(b'}') => return skip_ws(b, i + 1) == b.len(),
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec<'a>(sc: &'a mut Scratch, line: &'a str) -> Record<'a> {
        match sc.parse(line) {
            Parsed::Record(r) => r,
            Parsed::Raw => panic!("not parsed: {line}"),
        }
    }

    #[test]
    fn numbers_and_labels_and_iso_times() {
        let mut sc = Scratch::default();
        let r = rec(&mut sc, r#"{"level":50,"time":1700000000123,"msg":"x"}"#);
        assert_eq!((r.level, r.time), (Some(50), Some(1700000000123)));
        let mut sc = Scratch::default();
        let r = rec(&mut sc, r#"{"level":"warn","time":"2023-11-14T22:13:20.123Z"}"#);
        assert_eq!((r.level, r.time), (Some(40), Some(1700000000123)));
    }

    #[test]
    fn escaped_keys_and_values() {
        let mut sc = Scratch::default();
        let r = rec(
            &mut sc,
            r#"{"a\"b":1,"msg":"line\nnext \u00e9 \ud83d\ude00","n":{"x":[1,2]}}"#,
        );
        assert_eq!(r.get("a\"b"), Some("1"));
        assert_eq!(r.get("n"), Some(r#"{"x":[1,2]}"#));
        let mut buf = String::new();
        assert_eq!(r.text("msg", &mut buf), Some("line\nnext é 😀"));
    }

    /// The scanner agrees with serde_json on what is an object and on every value.
    #[test]
    fn scanner_agrees_with_serde_json() {
        let lines = [
            r#"{}"#,
            r#" { } "#,
            r#"{"a":1,"b":-0.5e+3,"c":true,"d":false,"e":null,"f":"x\"y","g":[1,{"h":[]}],"i":{"j":"k"}}"#,
            r#"{"level":30,"time":1,"msg":"tab\tand \u00e9 and \ud83d\ude00"}"#,
            r#"{ "a" : 1 , "b" : [ 1 , 2 ] }"#,
            r#"{"a":01}"#,
            r#"{"a":1.}"#,
            r#"{"a":-}"#,
            r#"{"a":1e}"#,
            r#"{"a":tru}"#,
            r#"{"a":nul}"#,
            r#"{"a":"\x"}"#,
            r#"{"a":"\u12g4"}"#,
            "{\"a\":\"raw\ttab\"}",
            r#"{"a":1,}"#,
            r#"{,"a":1}"#,
            r#"{"a" 1}"#,
            r#"{"a":1}}"#,
            r#"{"a":{"b":1}"#,
            r#"{"a":[1,2}"#,
            r#"{"a":{"b" 1}}"#,
            r#"{a:1}"#,
            r#"{"a":1"#,
            r#"{"a":"unterminated}"#,
            r#"{"a":1} {"b":2}"#,
            r#"["not","an","object"]"#,
            r#""string""#,
            "",
        ];
        for line in lines {
            let want = serde_json::from_str::<serde_json::Value>(line)
                .ok()
                .filter(|v| v.is_object());
            let mut sc = Scratch::default();
            match (sc.parse(line), want) {
                (Parsed::Raw, None) => {}
                (Parsed::Record(r), Some(serde_json::Value::Object(m))) => {
                    assert_eq!(r.fields().count(), m.len(), "{line}");
                    for (k, raw) in r.fields() {
                        let v: serde_json::Value = serde_json::from_str(raw).expect(raw);
                        assert_eq!(Some(&v), m.get(k), "{line}: {k}");
                    }
                }
                (got, want) => panic!("{line}: scanner {got:?}, serde_json {want:?}"),
            }
        }
    }

    #[test]
    fn non_objects_are_raw() {
        let mut sc = Scratch::default();
        for line in ["garbage", "42", "[1]", r#"{"msg":"half"#, r#"{"a":1} trailing"#] {
            assert!(matches!(sc.parse(line), Parsed::Raw), "{line}");
        }
    }
}
