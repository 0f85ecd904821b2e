//! Human durations on the command line: `10s`, `500ms`, `2m`, `1h`, `1m30s`, or a bare
//! number of seconds. One parser for every flag that takes a duration, so they all accept
//! the same spellings; usable directly as a clap `value_parser`.

use std::time::Duration;

/// Parses `500ms`, `10s`, `2m`, `1h`, `1m30s`, `1.5s` or `10` (seconds).
pub fn parse(s: &str) -> Result<Duration, String> {
    let text = s.trim();
    if text.is_empty() {
        return Err("empty duration; write e.g. 10s, 500ms or 2m".to_string());
    }
    if let Ok(secs) = text.parse::<f64>() {
        return from_secs(secs, s);
    }
    let mut total = 0f64;
    let mut rest = text;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if num_len == 0 {
            return Err(bad(s));
        }
        let value: f64 = rest[..num_len].parse().map_err(|_| bad(s))?;
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let factor = match &rest[..unit_len] {
            "ms" => 0.001,
            "s" | "sec" | "secs" => 1.0,
            "m" | "min" | "mins" => 60.0,
            "h" | "hr" | "hrs" => 3600.0,
            _ => return Err(bad(s)),
        };
        rest = &rest[unit_len..];
        total += value * factor;
    }
    from_secs(total, s)
}

/// Like [`parse`], for intervals that must not be zero (a zero tick interval panics).
pub fn parse_positive(s: &str) -> Result<Duration, String> {
    let d = parse(s)?;
    if d.is_zero() {
        return Err(format!("`{}` must be greater than zero", s.trim()));
    }
    Ok(d)
}

/// Formats a duration the way people read latencies, the one way every human output
/// writes time: `<1ms`, `87ms`, `1.2s`, `12s`, `2m05s`.
pub fn human(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms < 1.0 {
        "<1ms".to_string()
    } else if ms < 999.5 {
        format!("{}ms", ms.round() as u64)
    } else if ms < 9_950.0 {
        format!("{:.1}s", ms / 1000.0)
    } else if ms < 59_500.0 {
        format!("{}s", (ms / 1000.0).round() as u64)
    } else {
        let secs = d.as_secs_f64().round() as u64;
        format!("{}m{:02}s", secs / 60, secs % 60)
    }
}

fn from_secs(secs: f64, original: &str) -> Result<Duration, String> {
    if !secs.is_finite() || !(0.0..=366.0 * 86_400.0).contains(&secs) {
        return Err(format!("duration `{original}` is out of range"));
    }
    Ok(Duration::from_secs_f64(secs))
}

fn bad(s: &str) -> String {
    format!("cannot read `{s}` as a duration; write e.g. 10s, 500ms, 2m or 1m30s")
}

/// `850ms`, `42s`, `59m 12s`, `3h 5m`, `2d 4h`.
pub fn fmt_ttl(ms: i64) -> String {
    if ms < 1000 {
        return format!("{ms}ms");
    }
    let s = ms / 1000;
    let (d, h, m, s) = (s / 86_400, s % 86_400 / 3600, s % 3600 / 60, s % 60);
    match (d, h, m) {
        (0, 0, 0) => format!("{s}s"),
        (0, 0, _) => format!("{m}m {s}s"),
        (0, _, _) => format!("{h}h {m}m"),
        _ => format!("{d}d {h}h"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_usual_spellings() {
        assert_eq!(parse("10s"), Ok(Duration::from_secs(10)));
        assert_eq!(parse("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse("1m30s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse("7"), Ok(Duration::from_secs(7)));
        assert_eq!(parse(" 3s "), Ok(Duration::from_secs(3)));
    }

    #[test]
    fn rejects_what_it_cannot_read_and_says_how_to_write_it() {
        for s in ["", "s", "10x", "ten seconds", "-1s", "1e400"] {
            let err = parse(s).unwrap_err();
            assert!(err.contains("duration"), "{s}: {err}");
        }
        assert!(parse("10x").unwrap_err().contains("10s, 500ms"));
    }

    #[test]
    fn positive_refuses_zero() {
        assert!(parse_positive("0s").unwrap_err().contains("greater than zero"));
        assert_eq!(parse_positive("15s"), Ok(Duration::from_secs(15)));
    }

    #[test]
    fn human_picks_a_readable_unit() {
        assert_eq!(human(Duration::from_millis(87)), "87ms");
        assert_eq!(human(Duration::from_millis(999)), "999ms");
        assert_eq!(human(Duration::from_millis(1250)), "1.2s");
        assert_eq!(human(Duration::from_millis(9_960)), "10s");
        assert_eq!(human(Duration::from_secs(10)), "10s");
        assert_eq!(human(Duration::from_secs(125)), "2m05s");
        assert_eq!(human(Duration::from_micros(500)), "<1ms");
        assert_eq!(human(Duration::ZERO), "<1ms");
    }
}
