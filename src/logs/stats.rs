//! `--stats`: entries by level and module, and per mirror target its successes, failures,
//! error messages, durations and first/last time. Partial stats of chunks merge in any order.

use std::collections::BTreeMap;

use serde::Serialize;

use super::parse::{self, Record};

/// Counts gathered over the entries that passed the filters.
#[derive(Debug, Default, Clone)]
pub struct Stats {
    pub entries: u64,
    pub not_json: u64,
    pub levels: BTreeMap<u32, u64>,
    pub modules: BTreeMap<String, u64>,
    pub targets: BTreeMap<String, TargetStats>,
    pub first: Option<i64>,
    pub last: Option<i64>,
}

/// One mirror target.
#[derive(Debug, Default, Clone)]
pub struct TargetStats {
    pub entries: u64,
    pub successes: u64,
    pub failures: u64,
    /// Failure messages (the err's message, else msg) and how often each was seen.
    pub errors: BTreeMap<String, u64>,
    /// durationMs values (as f64 bits: non-negative floats order like their bits) and counts:
    /// exact percentiles in memory bounded by the number of distinct durations.
    pub durations: BTreeMap<u64, u64>,
    pub first: Option<i64>,
    pub last: Option<i64>,
}

/// Distinct failure messages kept per target; the rest are counted together, so messages
/// that carry ids cannot make memory grow with the file.
pub const MAX_MESSAGES: usize = 50;
const OTHER_MESSAGES: &str = "(other messages)";

fn add_message(errors: &mut BTreeMap<String, u64>, message: String, count: u64) {
    let key = if errors.contains_key(&message) || errors.len() < MAX_MESSAGES {
        message
    } else {
        OTHER_MESSAGES.to_string()
    };
    *errors.entry(key).or_default() += count;
}

fn widen(first: &mut Option<i64>, last: &mut Option<i64>, t: Option<i64>) {
    if let Some(t) = t {
        *first = Some(first.map_or(t, |f| f.min(t)));
        *last = Some(last.map_or(t, |l| l.max(t)));
    }
}

impl Stats {
    pub fn add(&mut self, rec: &Record, buf: &mut String) {
        self.entries += 1;
        *self.levels.entry(rec.level.unwrap_or(0)).or_default() += 1;
        widen(&mut self.first, &mut self.last, rec.time);
        let module = rec.text("module", buf).unwrap_or("");
        if let Some(m) = self.modules.get_mut(module) {
            *m += 1;
        } else {
            self.modules.insert(module.to_string(), 1);
        }
        if module != "mirror" {
            return;
        }
        let Some(target) = rec.text("target", buf) else { return };
        if !self.targets.contains_key(target) {
            self.targets.insert(target.to_string(), TargetStats::default());
        }
        let Some(t) = self.targets.get_mut(target) else { return };
        t.entries += 1;
        widen(&mut t.first, &mut t.last, rec.time);
        if let Some(d) = rec.duration_ms().filter(|d| *d >= 0.0) {
            *t.durations.entry(d.to_bits()).or_default() += 1;
        }
        let status: Option<u32> = rec.text("status", buf).and_then(|s| s.parse().ok());
        let failed = rec.level.is_some_and(|l| l >= parse::ERROR) || rec.get("err").is_some();
        if failed {
            t.failures += 1;
            let mut errbuf = String::new();
            let message = rec
                .get("err")
                .and_then(|raw| {
                    let mut sc = parse::Scratch::default();
                    match sc.parse(raw) {
                        parse::Parsed::Record(e) => e.text("message", &mut errbuf).map(str::to_string),
                        parse::Parsed::Raw => Some(parse::text_of_raw(raw, &mut errbuf).to_string()),
                    }
                })
                .or_else(|| rec.text("msg", buf).map(str::to_string))
                .unwrap_or_default();
            add_message(&mut t.errors, message, 1);
        } else if status.is_some_and(|s| (200..400).contains(&s)) {
            t.successes += 1;
        }
    }

    pub fn merge(&mut self, other: Stats) {
        self.entries += other.entries;
        self.not_json += other.not_json;
        for (k, v) in other.levels {
            *self.levels.entry(k).or_default() += v;
        }
        for (k, v) in other.modules {
            *self.modules.entry(k).or_default() += v;
        }
        widen(&mut self.first, &mut self.last, other.first);
        widen(&mut self.first, &mut self.last, other.last);
        for (k, o) in other.targets {
            let t = self.targets.entry(k).or_default();
            t.entries += o.entries;
            t.successes += o.successes;
            t.failures += o.failures;
            for (m, c) in o.errors {
                add_message(&mut t.errors, m, c);
            }
            for (d, c) in o.durations {
                *t.durations.entry(d).or_default() += c;
            }
            widen(&mut t.first, &mut t.last, o.first);
            widen(&mut t.first, &mut t.last, o.last);
        }
    }

    /// The summary as plain values for rendering.
    pub fn report(&self) -> LogReport {
        let levels = self
            .levels
            .iter()
            .map(|(l, c)| LevelCount {
                level: match parse::level_label(*l) {
                    Some(name) => name.to_string(),
                    None if *l == 0 => "(none)".to_string(),
                    None => l.to_string(),
                },
                count: *c,
            })
            .collect();
        let modules = self
            .modules
            .iter()
            .map(|(m, c)| ModuleCount {
                module: if m.is_empty() { "(none)".to_string() } else { m.clone() },
                count: *c,
            })
            .collect();
        let mirrors = self
            .targets
            .iter()
            .map(|(name, t)| {
                let mut errors: Vec<ErrorCount> = t
                    .errors
                    .iter()
                    .map(|(m, c)| ErrorCount {
                        message: m.clone(),
                        count: *c,
                    })
                    .collect();
                errors.sort_by(|a, b| b.count.cmp(&a.count).then(a.message.cmp(&b.message)));
                MirrorReport {
                    target: name.clone(),
                    name: None,
                    entries: t.entries,
                    successes: t.successes,
                    failures: t.failures,
                    errors,
                    duration_ms: Durations::of(&t.durations),
                    span: Span::of(t.first, t.last),
                }
            })
            .collect();
        LogReport {
            entries: self.entries,
            not_json: self.not_json,
            span: Span::of(self.first, self.last),
            utc: false,
            levels,
            modules,
            mirrors,
        }
    }
}

/// RFC 3339 in UTC with milliseconds.
pub fn iso(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
        .unwrap_or_else(|| ms.to_string())
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LogReport {
    pub entries: u64,
    pub not_json: u64,
    #[serde(flatten)]
    pub span: Span,
    /// People see times in UTC (`--utc`) instead of the local zone.
    #[serde(skip)]
    pub utc: bool,
    pub levels: Vec<LevelCount>,
    pub modules: Vec<ModuleCount>,
    pub mirrors: Vec<MirrorReport>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LevelCount {
    pub level: String,
    pub count: u64,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ModuleCount {
    pub module: String,
    pub count: u64,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorCount {
    pub message: String,
    pub count: u64,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MirrorReport {
    pub target: String,
    /// The name POLYCACHE_NAMES gives the target, when it names it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub entries: u64,
    pub successes: u64,
    pub failures: u64,
    pub errors: Vec<ErrorCount>,
    pub duration_ms: Option<Durations>,
    #[serde(flatten)]
    pub span: Span,
}

/// The first and last time of what was counted: RFC 3339 in UTC for scripts (`first`,
/// `last`), epoch ms for people's form of a time.
#[derive(Debug, Serialize, Default)]
pub struct Span {
    pub first: Option<String>,
    pub last: Option<String>,
    #[serde(skip)]
    pub first_ms: Option<i64>,
    #[serde(skip)]
    pub last_ms: Option<i64>,
}

impl Span {
    fn of(first: Option<i64>, last: Option<i64>) -> Span {
        Span {
            first: first.map(iso),
            last: last.map(iso),
            first_ms: first,
            last_ms: last,
        }
    }
}

/// Nearest-rank percentiles.
#[derive(Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Durations {
    pub count: u64,
    pub p50: f64,
    pub p95: f64,
    pub max: f64,
}

impl Durations {
    fn of(hist: &BTreeMap<u64, u64>) -> Option<Durations> {
        let count: u64 = hist.values().sum();
        if count == 0 {
            return None;
        }
        let rank = |p: f64| {
            let want = ((p * count as f64).ceil() as u64).max(1);
            let mut seen = 0;
            for (bits, c) in hist {
                seen += c;
                if seen >= want {
                    return f64::from_bits(*bits);
                }
            }
            0.0
        };
        Some(Durations {
            count,
            p50: rank(0.50),
            p95: rank(0.95),
            max: hist.keys().next_back().map(|b| f64::from_bits(*b)).unwrap_or(0.0),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failure_messages_are_bounded() {
        let mut m = BTreeMap::new();
        for i in 0..1000 {
            add_message(&mut m, format!("request {i} failed"), 1);
        }
        assert_eq!(m.len(), MAX_MESSAGES + 1);
        assert_eq!(m[OTHER_MESSAGES], 1000 - MAX_MESSAGES as u64);
        assert_eq!(m.values().sum::<u64>(), 1000);
    }

    #[test]
    fn nearest_rank_percentiles() {
        let mut h = BTreeMap::new();
        for d in [41.0f64, 55.0, 38.0, 120.0, 47.0] {
            *h.entry(d.to_bits()).or_default() += 1;
        }
        let d = Durations::of(&h).unwrap();
        assert_eq!((d.p50, d.p95, d.max, d.count), (47.0, 120.0, 120.0, 5));
    }
}
