//! Which entries to show: `--errors`, `--level`, `--since`/`--until`, `--grep`, `--field`,
//! `--mirror`. Most lines are rejected from their first bytes, before any parse.

use memchr::memmem;
use regex::Regex;

use super::parse::{self, Record};

#[derive(Debug, thiserror::Error)]
pub enum FilterError {
    #[error("invalid --field `{input}`: expected key=value")]
    Field { input: String },
    #[error("invalid {flag} `{input}`: expected a duration (30s, 15m, 2h, 7d) or a timestamp")]
    Time { flag: &'static str, input: String },
    #[error("invalid --grep regex `{input}`: {reason}")]
    Regex { input: String, reason: String },
    #[error("invalid --level `{input}`")]
    Level { input: String },
}

/// `--field key=value`: a top-level field whose value (a string's content, or a number's
/// text) equals `value`.
#[derive(Debug)]
pub struct FieldMatch {
    pub key: String,
    pub value: String,
    /// Searches the line for the value's bytes first; only for values that JSON writes as is.
    finder: Option<memmem::Finder<'static>>,
}

impl FieldMatch {
    pub fn new(key: &str, value: &str) -> FieldMatch {
        let plain = value
            .bytes()
            .all(|b| (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\' && b != b'/');
        FieldMatch {
            key: key.to_string(),
            value: value.to_string(),
            finder: (plain && !value.is_empty()).then(|| memmem::Finder::new(value.as_bytes()).into_owned()),
        }
    }

    /// Parses `key=value`.
    pub fn parse(input: &str) -> Result<FieldMatch, FilterError> {
        match input.split_once('=') {
            Some((k, v)) if !k.trim().is_empty() => Ok(FieldMatch::new(k.trim(), v)),
            _ => Err(FilterError::Field {
                input: input.to_string(),
            }),
        }
    }
}

/// Every condition an entry must meet (all of them).
#[derive(Debug, Default)]
pub struct Filter {
    pub min_level: Option<u32>,
    /// Epoch ms, inclusive.
    pub since: Option<i64>,
    /// Epoch ms, inclusive.
    pub until: Option<i64>,
    /// On `msg` (on the whole text of a line that is not JSON).
    pub grep: Option<Regex>,
    pub fields: Vec<FieldMatch>,
}

impl Filter {
    /// True when nothing is filtered out.
    pub fn is_empty(&self) -> bool {
        self.min_level.is_none()
            && self.since.is_none()
            && self.until.is_none()
            && self.grep.is_none()
            && self.fields.is_empty()
    }

    /// Whether a line that is not a JSON object passes: only when no condition needs a field.
    pub fn accepts_raw(&self, line: &[u8]) -> bool {
        if self.min_level.is_some() || self.since.is_some() || self.until.is_some() || !self.fields.is_empty() {
            return false;
        }
        match &self.grep {
            Some(re) => re.is_match(&String::from_utf8_lossy(line)),
            None => true,
        }
    }

    /// A cheap look at the raw bytes: false means the line cannot match (true means maybe).
    pub fn prefilter(&self, line: &[u8]) -> bool {
        if self.min_level.is_some() || self.since.is_some() || self.until.is_some() {
            let (level, time) = quick_head(line);
            if let (Some(min), Some(l)) = (self.min_level, level)
                && l < min
            {
                return false;
            }
            if let Some(t) = time
                && !self.time_ok(t)
            {
                return false;
            }
        }
        self.fields
            .iter()
            .all(|f| f.finder.as_ref().is_none_or(|fi| fi.find(line).is_some()))
    }

    fn time_ok(&self, t: i64) -> bool {
        self.since.is_none_or(|s| t >= s) && self.until.is_none_or(|u| t <= u)
    }

    /// The full check on a parsed entry. `buf` is scratch space for unescaping.
    pub fn accepts(&self, rec: &Record, buf: &mut String) -> bool {
        if let Some(min) = self.min_level
            && rec.level.is_none_or(|l| l < min)
        {
            return false;
        }
        if self.since.is_some() || self.until.is_some() {
            match rec.time {
                Some(t) if self.time_ok(t) => {}
                _ => return false,
            }
        }
        for f in &self.fields {
            match rec.text(&f.key, buf) {
                Some(v) if v == f.value => {}
                _ => return false,
            }
        }
        if let Some(re) = &self.grep {
            match rec.text("msg", buf) {
                Some(m) if re.is_match(m) => {}
                _ => return false,
            }
        }
        true
    }
}

/// Level and time read straight from the head of a pino line, `{"level":30,"time":17...`,
/// without parsing the rest; `None` for what is not there in that exact shape (the full
/// parse decides then).
pub fn quick_head(line: &[u8]) -> (Option<u32>, Option<i64>) {
    let Some(rest) = line.strip_prefix(b"{\"level\":") else {
        return (None, None);
    };
    let (level, rest) = if let Some(r) = rest.strip_prefix(b"\"") {
        match memchr::memchr(b'"', r) {
            Some(end) => (
                std::str::from_utf8(&r[..end]).ok().and_then(parse::level_of_label),
                &r[end + 1..],
            ),
            None => return (None, None),
        }
    } else {
        let (n, used) = digits(rest);
        if used == 0 || matches!(rest.get(used), Some(b'.' | b'e' | b'E')) {
            return (None, None);
        }
        (u32::try_from(n).ok(), &rest[used..])
    };
    let time = rest.strip_prefix(b",\"time\":").and_then(|r| {
        let (n, used) = digits(r);
        (used > 0 && used < 19 && matches!(r.get(used), Some(b',' | b'}'))).then_some(n as i64)
    });
    (level, time)
}

fn digits(b: &[u8]) -> (u64, usize) {
    let mut n: u64 = 0;
    let mut i = 0;
    while i < b.len() && i < 19 && b[i].is_ascii_digit() {
        n = n * 10 + u64::from(b[i] - b'0');
        i += 1;
    }
    (n, i)
}

/// `--level`: a label (`warn`) or a number (`40`).
pub fn parse_level(input: &str) -> Result<u32, FilterError> {
    parse::level_of_label(input).ok_or_else(|| FilterError::Level {
        input: input.to_string(),
    })
}

/// `--since` / `--until`: a duration back from `now_ms` (`30s`, `15m`, `2h`, `7d`, `1w`),
/// epoch milliseconds, an RFC 3339 timestamp, or a local `YYYY-MM-DD[ HH:MM[:SS]]`.
pub fn parse_time(flag: &'static str, input: &str, now_ms: i64) -> Result<i64, FilterError> {
    use chrono::{Local, NaiveDate, NaiveDateTime, TimeZone};
    let bad = || FilterError::Time {
        flag,
        input: input.to_string(),
    };
    let s = input.trim();
    if let Some(unit) = s.chars().last().filter(|c| c.is_ascii_alphabetic()) {
        let num = &s[..s.len() - unit.len_utf8()];
        if let Ok(n) = num.parse::<f64>() {
            let ms = match unit {
                's' => 1_000.0,
                'm' => 60_000.0,
                'h' => 3_600_000.0,
                'd' => 86_400_000.0,
                'w' => 7.0 * 86_400_000.0,
                _ => return Err(bad()),
            };
            if n < 0.0 || !n.is_finite() {
                return Err(bad());
            }
            return Ok(now_ms - (n * ms) as i64);
        }
    }
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse::<i64>().map_err(|_| bad());
    }
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Ok(t.timestamp_millis());
    }
    let local = |n: NaiveDateTime| Local.from_local_datetime(&n).earliest().map(|t| t.timestamp_millis());
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(n) = NaiveDateTime::parse_from_str(s, fmt) {
            return local(n).ok_or_else(bad);
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return d.and_hms_opt(0, 0, 0).and_then(local).ok_or_else(bad);
    }
    Err(bad())
}

/// `--grep`.
pub fn parse_regex(input: &str) -> Result<Regex, FilterError> {
    Regex::new(input).map_err(|e| FilterError::Regex {
        input: input.to_string(),
        reason: e.to_string().lines().last().unwrap_or("").trim().to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quick_head_reads_pino_heads_only() {
        assert_eq!(
            quick_head(br#"{"level":50,"time":1700000000000,"x":1}"#),
            (Some(50), Some(1700000000000))
        );
        assert_eq!(quick_head(br#"{"level":"warn","time":"2023"}"#), (Some(40), None));
        assert_eq!(quick_head(br#"{"time":1,"level":50}"#), (None, None));
        assert_eq!(quick_head(br#"{"level":3.5,"time":1}"#), (None, None));
    }

    #[test]
    fn times_and_durations() {
        let now = 1_700_000_000_000;
        assert_eq!(parse_time("--since", "15m", now).unwrap(), now - 900_000);
        assert_eq!(parse_time("--since", "2h", now).unwrap(), now - 7_200_000);
        assert_eq!(parse_time("--since", "1700000000123", now).unwrap(), 1_700_000_000_123);
        assert_eq!(
            parse_time("--since", "2023-11-14T22:13:20.123Z", now).unwrap(),
            1_700_000_000_123
        );
        assert!(parse_time("--since", "yesterday", now).is_err());
        assert!(parse_time("--since", "5x", now).is_err());
    }

    #[test]
    fn fields_need_a_key() {
        assert!(FieldMatch::parse("module=mirror").is_ok());
        assert!(FieldMatch::parse("a=").is_ok());
        assert!(FieldMatch::parse("=x").is_err());
        assert!(FieldMatch::parse("nokey").is_err());
    }
}
