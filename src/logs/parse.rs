//! One pino line to a borrowed view of its top-level fields.
//!
//! The view holds byte spans into the line (and, for the rare key written with escapes, into
//! a reusable pool), so parsing allocates nothing once the [`Scratch`] has warmed up. Values
//! stay raw JSON text; they are decoded only when something looks at them.

use serde::de::{self, DeserializeSeed, MapAccess, Visitor};
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
        let base = line.as_ptr() as usize;
        let mut de = serde_json::Deserializer::from_str(line);
        let seed = Collect {
            fields: &mut self.fields,
            known: &mut self.known,
            pool: &mut self.pool,
            base,
        };
        if seed.deserialize(&mut de).is_err() || de.end().is_err() {
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
        Some(inner) if !inner.contains('\\') => inner,
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

/// Collects the top-level fields of an object without decoding their values.
struct Collect<'s> {
    fields: &'s mut Vec<Field>,
    known: &'s mut [u32; KNOWN.len()],
    pool: &'s mut String,
    base: usize,
}

impl<'de> DeserializeSeed<'de> for Collect<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Collect<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some((key, which)) = map.next_key_seed(KeySeed {
            pool: self.pool,
            base: self.base,
        })? {
            let value: &'de RawValue = map.next_value()?;
            let s = value.get().as_ptr() as usize - self.base;
            let value = (s as u32, (s + value.get().len()) as u32);
            let known = match which {
                Some(k) => {
                    let slot = &mut self.known[k as usize];
                    if *slot == u32::MAX {
                        *slot = self.fields.len() as u32;
                    }
                    true
                }
                None => false,
            };
            self.fields.push(Field { key, value, known });
        }
        Ok(())
    }
}

struct KeySeed<'s> {
    pool: &'s mut String,
    base: usize,
}

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = (Span, Option<Known>);
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed<'_> {
    type Value = (Span, Option<Known>);
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a key")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        let s = v.as_ptr() as usize - self.base;
        Ok((Span::Line(s as u32, (s + v.len()) as u32), Known::of(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        let s = self.pool.len();
        self.pool.push_str(v);
        Ok((Span::Pool(s as u32, self.pool.len() as u32), Known::of(v)))
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

    #[test]
    fn non_objects_are_raw() {
        let mut sc = Scratch::default();
        for line in ["garbage", "42", "[1]", r#"{"msg":"half"#, r#"{"a":1} trailing"#] {
            assert!(matches!(sc.parse(line), Parsed::Raw), "{line}");
        }
    }
}
