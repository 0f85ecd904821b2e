//! The pretty line: one line per entry, then an `err`'s message and indented stack.
//!
//! ```text
//! 2026-11-26 10:37:59.662 ERROR mirror/posts → https://mirror-us.polymech.test 0 5000ms  mirror invalidation failed  attempt=3
//!   Error: connect ETIMEDOUT 203.0.113.9:443  code=ETIMEDOUT
//!       at connect (/srv/app/mirror.js:19:10)
//! ```
//!
//! Everything is appended to a caller's byte buffer; nothing is allocated per line once the
//! [`FormatState`] buffers have grown.

use chrono::{Local, Offset, TimeZone};

use super::parse::{self, Known, Parsed, Record, Scratch};
use crate::escape;
use crate::style::Style;

const DIM: &str = "2";
const RED: &str = "31";
const GREEN: &str = "32";
const YELLOW: &str = "33";
const BLUE: &str = "34";
const MAGENTA: &str = "35";
const CYAN: &str = "36";
const BOLD: &str = "1";
const BOLD_RED: &str = "1;31";

/// How entries look; shared by every thread.
#[derive(Debug, Clone, Copy)]
pub struct Formatter {
    pub style: Style,
    /// Print times in UTC instead of the local zone.
    pub utc: bool,
}

/// Per-thread buffers and the cached UTC offset of the local zone.
#[derive(Debug, Default)]
pub struct FormatState {
    err: Scratch,
    text: String,
    text2: String,
    /// The 15-minute slot whose offset is cached, and the offset in ms.
    zone_slot: Option<(i64, i64)>,
    /// The last stamp written and its second: entries come many to a second.
    stamp: [u8; 23],
    stamp_second: Option<i64>,
}

impl Formatter {
    /// Appends the pretty form of a parsed entry.
    pub fn record(&self, rec: &Record, st: &mut FormatState, out: &mut Vec<u8>) {
        let s = self.style;
        if let Some(t) = rec.time {
            let local = t + self.offset(t, st);
            let second = local.div_euclid(1000);
            if st.stamp_second == Some(second) {
                let ms = local.rem_euclid(1000) as u32;
                st.stamp[20] = b'0' + (ms / 100) as u8;
                st.stamp[21] = b'0' + (ms / 10 % 10) as u8;
                st.stamp[22] = b'0' + (ms % 10) as u8;
            } else {
                write_stamp(local, &mut st.stamp);
                st.stamp_second = Some(second);
            }
            s.paint_into(out, DIM, &st.stamp);
            out.push(b' ');
        }
        let (label, colour): (&[u8], &str) = match rec.level {
            Some(parse::TRACE) => (b"TRACE", DIM),
            Some(parse::DEBUG) => (b"DEBUG", BLUE),
            Some(parse::INFO) => (b"INFO ", GREEN),
            Some(parse::WARN) => (b"WARN ", YELLOW),
            Some(parse::ERROR) => (b"ERROR", RED),
            Some(parse::FATAL) => (b"FATAL", BOLD_RED),
            Some(_) | None => (b"", ""),
        };
        if label.is_empty() {
            let mut l = Vec::with_capacity(8);
            match rec.level {
                Some(n) => l.extend_from_slice(format!("L{n:<4}").as_bytes()),
                None => l.extend_from_slice(b"?    "),
            }
            out.extend_from_slice(&l);
        } else {
            s.paint_into(out, colour, label);
        }
        let head_start = out.len();
        let module = rec.known(Known::Module);
        let ty = rec.known(Known::Type);
        if module.is_some() || ty.is_some() {
            out.push(b' ');
            if let Some(m) = module {
                paint(s, out, CYAN, parse::text_of_raw(m, &mut st.text));
            }
            if let Some(t) = ty {
                if module.is_some() {
                    out.push(b'/');
                }
                paint(s, out, MAGENTA, parse::text_of_raw(t, &mut st.text));
            }
        }
        if let Some(t) = rec.known(Known::Target) {
            out.extend_from_slice(" → ".as_bytes());
            paint(s, out, BLUE, parse::text_of_raw(t, &mut st.text));
        }
        // A status of `null` (no answer at all) is no status: the message says what happened.
        if let Some(raw) = rec.known(Known::Status).filter(|r| r.trim() != "null") {
            let text = parse::text_of_raw(raw, &mut st.text);
            let code: Option<u32> = text.parse().ok();
            let colour = match code {
                Some(200..=399) => GREEN,
                Some(_) => RED,
                None => "",
            };
            out.push(b' ');
            paint(s, out, colour, text);
        }
        if let Some(raw) = rec.known(Known::DurationMs) {
            let text = parse::text_of_raw(raw, &mut st.text);
            out.push(b' ');
            let colour = match s.color && rec.duration_ms().is_some_and(|d| d >= 1000.0) {
                true => YELLOW,
                false => DIM,
            };
            s.start(out, colour);
            escape::push(out, text);
            out.extend_from_slice(b"ms");
            s.end(out, colour);
        }
        if let Some(raw) = rec.known(Known::Msg) {
            // Two spaces set the message apart from a head of module, target and status.
            out.extend_from_slice(if out.len() > head_start { b"  " } else { b" " });
            let msg = parse::text_of_raw(raw, &mut st.text);
            let important = rec.level.is_some_and(|l| l >= parse::ERROR);
            paint(s, out, if important { BOLD } else { "" }, msg);
        }
        let mut first = true;
        // The other fields; pid and hostname repeat on every line and are left out.
        for (k, v) in rec.others() {
            out.extend_from_slice(if first { b"  " } else { b" " });
            first = false;
            self.field(k, v, &mut st.text, out);
        }
        out.push(b'\n');
        if let Some(err) = rec.known(Known::Err) {
            self.err(err, st, out);
        }
    }

    fn field(&self, key: &str, raw: &str, buf: &mut String, out: &mut Vec<u8>) {
        self.style.start(out, DIM);
        escape::push(out, key);
        out.push(b'=');
        self.style.end(out, DIM);
        if raw.starts_with('"') {
            let text = parse::text_of_raw(raw, buf);
            let bare = !text.is_empty() && !text.bytes().any(|b| b <= b' ' || b == b'"' || b == b'=' || b == 0x7f);
            escape::push(out, if bare { text } else { raw });
        } else {
            escape::push(out, raw);
        }
    }

    /// `err`: its message (with its other fields), then its stack indented below.
    fn err(&self, raw: &str, st: &mut FormatState, out: &mut Vec<u8>) {
        let s = self.style;
        let rec = match st.err.parse(raw) {
            Parsed::Record(r) => r,
            Parsed::Raw => {
                out.extend_from_slice(b"  ");
                paint(s, out, RED, parse::text_of_raw(raw, &mut st.text));
                out.push(b'\n');
                return;
            }
        };
        let ty = rec.text("type", &mut st.text2).unwrap_or("Error").to_string();
        let message = rec.text("message", &mut st.text).unwrap_or("");
        let head_len = ty.len() + 2 + message.len();
        let mut head = String::with_capacity(head_len);
        head.push_str(&ty);
        head.push_str(": ");
        head.push_str(message);
        let stack = rec.text("stack", &mut st.text2).unwrap_or("");
        let mut lines = stack.lines().peekable();
        let head_in_stack = lines
            .peek()
            .is_some_and(|l| *l == head || (!l.starts_with(' ') && !l.is_empty()));
        out.extend_from_slice(b"  ");
        match lines.peek() {
            Some(first) if head_in_stack => paint(s, out, RED, first),
            _ => paint(s, out, RED, &head),
        }
        if head_in_stack {
            lines.next();
        }
        for (k, v) in rec.fields() {
            if matches!(k, "type" | "message" | "stack") {
                continue;
            }
            out.push(b' ');
            let mut tmp = String::new();
            self.field(k, v, &mut tmp, out);
        }
        out.push(b'\n');
        for line in lines {
            out.extend_from_slice(b"  ");
            paint(s, out, DIM, line);
            out.push(b'\n');
        }
    }

    /// Appends a line that is not a JSON object, dim, with control characters and bytes
    /// that are not UTF-8 escaped.
    pub fn raw(&self, line: &[u8], out: &mut Vec<u8>) {
        self.style.start(out, DIM);
        escape::push_bytes(out, line, false);
        self.style.end(out, DIM);
        out.push(b'\n');
    }

    /// Appends a line that was too long to hold: its first bytes, then how many more.
    pub fn cut(&self, head: &[u8], more: u64, out: &mut Vec<u8>) {
        self.style.start(out, DIM);
        escape::push_bytes(out, head, false);
        self.style.end(out, DIM);
        out.extend_from_slice(format!(" … (+{more} bytes)\n").as_bytes());
    }

    /// The local zone's offset at `t` in ms, cached per 15 minutes (zones change offsets on
    /// quarter hours at the finest).
    fn offset(&self, t: i64, st: &mut FormatState) -> i64 {
        if self.utc {
            return 0;
        }
        let slot = t.div_euclid(900_000);
        if let Some((s, off)) = st.zone_slot
            && s == slot
        {
            return off;
        }
        let off = local_offset(t);
        st.zone_slot = Some((slot, off));
        off
    }
}

/// Appends outside text in a colour, its control characters escaped.
fn paint(s: Style, out: &mut Vec<u8>, colour: &str, text: &str) {
    s.start(out, colour);
    escape::push(out, text);
    s.end(out, colour);
}

/// The local zone's offset from UTC at epoch ms `t`, in ms (0 where the zone cannot say).
fn local_offset(t: i64) -> i64 {
    Local
        .timestamp_millis_opt(t)
        .single()
        .map(|d| i64::from(d.offset().fix().local_minus_utc()) * 1000)
        .unwrap_or(0)
}

/// The one form of a time in human output, as the log lines show it: `YYYY-MM-DD
/// HH:MM:SS.mmm` in the local zone, or in UTC (`--utc`).
pub fn human_time(ms: i64, utc: bool) -> String {
    let off = if utc { 0 } else { local_offset(ms) };
    let mut out = [0u8; 23];
    write_stamp(ms.saturating_add(off), &mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// `YYYY-MM-DD HH:MM:SS.mmm` of epoch ms already shifted to the wanted zone.
pub fn write_stamp(ms: i64, out: &mut [u8; 23]) {
    let days = ms.div_euclid(86_400_000);
    let in_day = ms.rem_euclid(86_400_000);
    let (y, m, d) = civil_from_days(days);
    let y = y.clamp(0, 9999) as u32;
    let put = |out: &mut [u8; 23], at: usize, v: u32, width: usize| {
        let mut v = v;
        for i in (0..width).rev() {
            out[at + i] = b'0' + (v % 10) as u8;
            v /= 10;
        }
    };
    put(out, 0, y, 4);
    out[4] = b'-';
    put(out, 5, m, 2);
    out[7] = b'-';
    put(out, 8, d, 2);
    out[10] = b' ';
    let secs = (in_day / 1000) as u32;
    put(out, 11, secs / 3600, 2);
    out[13] = b':';
    put(out, 14, secs / 60 % 60, 2);
    out[16] = b':';
    put(out, 17, secs % 60, 2);
    out[19] = b'.';
    put(out, 20, (in_day % 1000) as u32, 3);
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_match_chrono() {
        for ms in [0i64, 1_700_000_000_123, 951_782_400_000, 4_102_444_799_999, -86_400_001] {
            let mut b = [0u8; 23];
            write_stamp(ms, &mut b);
            let want = chrono::DateTime::from_timestamp_millis(ms)
                .unwrap()
                .format("%Y-%m-%d %H:%M:%S%.3f")
                .to_string();
            assert_eq!(std::str::from_utf8(&b).unwrap(), want);
        }
    }

    #[test]
    fn pretty_line_with_err_and_stack() {
        let f = Formatter {
            style: Style::plain(),
            utc: true,
        };
        let line = r#"{"level":50,"time":1700000000123,"pid":1,"hostname":"h","module":"mirror","type":"posts","target":"https://m","status":502,"durationMs":640,"attempt":3,"note":"two words","err":{"type":"Error","message":"bad","stack":"Error: bad\n    at f (a.js:1:2)","code":"E1"},"msg":"failed"}"#;
        let mut sc = Scratch::default();
        let Parsed::Record(rec) = sc.parse(line) else { panic!() };
        let mut st = FormatState::default();
        let mut out = Vec::new();
        f.record(&rec, &mut st, &mut out);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "2023-11-14 22:13:20.123 ERROR mirror/posts → https://m 502 640ms  failed  attempt=3 note=\"two words\"\n  Error: bad code=E1\n      at f (a.js:1:2)\n"
        );
    }
}
