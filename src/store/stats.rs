//! `redis stats`: per-type totals folded from described keys, page by page.

use std::collections::HashMap;

use serde::Serialize;

use super::{KeyInfo, OTHER, group_of};

/// TTL spread of a group's keys that have a TTL, in milliseconds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TtlSummary {
    pub min_ms: Option<i64>,
    pub median_ms: Option<i64>,
    pub max_ms: Option<i64>,
}

/// One type's line of `redis stats`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupStats {
    #[serde(rename = "type")]
    pub type_name: String,
    /// Whether the dependency graph knows the type.
    pub known: bool,
    pub keys: u64,
    /// Sum of MEMORY USAGE, bytes.
    pub memory: u64,
    pub largest_key: Option<String>,
    /// The largest key as shown on a terminal ([`crate::escape::key`]).
    #[serde(skip)]
    pub largest_key_shown: Option<String>,
    pub largest_bytes: Option<u64>,
    pub ttl: TtlSummary,
    pub no_ttl: u64,
}

/// The whole answer of `redis stats`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StatsReport {
    pub url: String,
    pub prefix: String,
    pub cluster: bool,
    pub nodes: Vec<String>,
    pub graph: String,
    pub types: Vec<GroupStats>,
    pub total: GroupStats,
    /// The invalidation bus's own keys (`{prefix}bus`, `{prefix}bus:nodes`), shown apart
    /// and counted in no type nor in the total.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub bus: Vec<BusKey>,
}

/// One key of the invalidation bus.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BusKey {
    pub key: String,
    /// Sum of MEMORY USAGE, bytes.
    pub memory: u64,
    /// Entries of the stream (XLEN), when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entries: Option<u64>,
}

#[derive(Default)]
struct Acc {
    keys: u64,
    memory: u64,
    largest: Option<(u64, Vec<u8>)>,
    ttls: Vec<i64>,
    no_ttl: u64,
}

impl Acc {
    fn add(&mut self, k: &KeyInfo) {
        self.keys += 1;
        let m = k.memory.unwrap_or(0);
        self.memory += m;
        if k.memory.is_some() && self.largest.as_ref().is_none_or(|(b, _)| m > *b) {
            self.largest = Some((m, k.key.clone()));
        }
        match k.ttl_ms {
            Some(t) => self.ttls.push(t),
            None if k.persistent => self.no_ttl += 1,
            None => {}
        }
    }

    fn merge(&mut self, other: &Acc) {
        self.keys += other.keys;
        self.memory += other.memory;
        if let Some((b, k)) = &other.largest
            && self.largest.as_ref().is_none_or(|(mine, _)| b > mine)
        {
            self.largest = Some((*b, k.clone()));
        }
        self.ttls.extend_from_slice(&other.ttls);
        self.no_ttl += other.no_ttl;
    }

    fn finish(mut self, name: &str, known: bool) -> GroupStats {
        let ttl = if self.ttls.is_empty() {
            TtlSummary::default()
        } else {
            let n = self.ttls.len();
            let (_, median, _) = self.ttls.select_nth_unstable((n - 1) / 2);
            let median = *median;
            TtlSummary {
                min_ms: self.ttls.iter().min().copied(),
                median_ms: Some(median),
                max_ms: self.ttls.iter().max().copied(),
            }
        };
        GroupStats {
            type_name: name.to_string(),
            known,
            keys: self.keys,
            memory: self.memory,
            largest_bytes: self.largest.as_ref().map(|(b, _)| *b),
            largest_key: self.largest.as_ref().map(|(_, k)| crate::escape::key_json(k)),
            largest_key_shown: self.largest.as_ref().map(|(_, k)| crate::escape::key(k).into_owned()),
            ttl,
            no_ttl: self.no_ttl,
        }
    }
}

/// Folds described keys into per-type totals.
pub struct StatsBuilder {
    prefix: Vec<u8>,
    groups: HashMap<String, Acc>,
    bus: Vec<BusKey>,
}

impl StatsBuilder {
    pub fn new(prefix: &str) -> StatsBuilder {
        StatsBuilder {
            prefix: prefix.as_bytes().to_vec(),
            groups: HashMap::new(),
            bus: Vec::new(),
        }
    }

    pub fn add(&mut self, keys: &[KeyInfo]) {
        let prefix = String::from_utf8_lossy(&self.prefix).into_owned();
        for k in keys {
            if crate::bus::is_bus_key(&k.key, &prefix) {
                self.bus.push(BusKey {
                    key: String::from_utf8_lossy(&k.key).into_owned(),
                    memory: k.memory.unwrap_or(0),
                    entries: None,
                });
                continue;
            }
            let g = group_of(&k.key, &self.prefix).unwrap_or(OTHER);
            match self.groups.get_mut(g) {
                Some(acc) => acc.add(k),
                None => self.groups.entry(g.to_string()).or_default().add(k),
            }
        }
    }

    /// The bus keys seen, by name.
    pub fn take_bus(&mut self) -> Vec<BusKey> {
        let mut v = std::mem::take(&mut self.bus);
        v.sort_by(|a, b| a.key.cmp(&b.key));
        v.dedup_by(|a, b| a.key == b.key);
        v
    }

    /// Per-type lines (the graph's types first, in graph order, listed even when empty;
    /// then other types alphabetically; `(other)` last) and the total.
    pub fn finish(mut self, known: &[String]) -> (Vec<GroupStats>, GroupStats) {
        let mut total = Acc::default();
        for acc in self.groups.values() {
            total.merge(acc);
        }
        let mut out = Vec::new();
        for t in known {
            out.push(self.groups.remove(t).unwrap_or_default().finish(t, true));
        }
        let other = self.groups.remove(OTHER);
        let mut rest: Vec<(String, Acc)> = self.groups.into_iter().collect();
        rest.sort_by(|a, b| a.0.cmp(&b.0));
        for (name, acc) in rest {
            out.push(acc.finish(&name, false));
        }
        if let Some(acc) = other {
            out.push(acc.finish(OTHER, false));
        }
        (out, total.finish("total", false))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(k: &str, ttl: Option<i64>, mem: u64) -> KeyInfo {
        KeyInfo {
            key: k.as_bytes().to_vec(),
            node: 0,
            kind: None,
            ttl_ms: ttl,
            persistent: ttl.is_none(),
            memory: Some(mem),
            encoding: None,
        }
    }

    #[test]
    fn groups_ttls_and_largest() {
        let mut b = StatsBuilder::new("cache:");
        b.add(&[
            key("cache:posts:list", Some(1000), 50),
            key("cache:posts:id:1", Some(3000), 80),
            key("cache:posts:id:2", Some(2000), 70),
            key("cache:posts:id:3", None, 10),
            key("cache:weird", None, 5),
            key("cache:zeta:x", None, 5),
            key("cache:bus", None, 900),
            key("cache:bus:nodes", None, 100),
        ]);
        let bus: Vec<(String, u64)> = b.take_bus().into_iter().map(|k| (k.key, k.memory)).collect();
        assert_eq!(
            bus,
            [("cache:bus".to_string(), 900), ("cache:bus:nodes".to_string(), 100)]
        );
        let (groups, total) = b.finish(&["posts".into(), "pages".into()]);
        let names: Vec<&str> = groups.iter().map(|g| g.type_name.as_str()).collect();
        assert_eq!(names, ["posts", "pages", "zeta", OTHER]);
        let posts = &groups[0];
        assert_eq!((posts.keys, posts.memory, posts.no_ttl), (4, 210, 1));
        assert_eq!(posts.largest_key.as_deref(), Some("cache:posts:id:1"));
        assert_eq!(
            posts.ttl,
            TtlSummary {
                min_ms: Some(1000),
                median_ms: Some(2000),
                max_ms: Some(3000)
            }
        );
        assert_eq!(groups[1].keys, 0);
        assert_eq!((total.keys, total.memory, total.no_ttl), (6, 220, 3));
    }
}
