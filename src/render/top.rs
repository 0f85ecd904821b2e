//! `top --once` for people: the snapshot as the house tables (`render::table`, which
//! never cuts a word).

use super::table;
use crate::duration::human;
use crate::output::Render;
use crate::style::Style;

use crate::top::model::{Snapshot, StreamState};

fn ms(v: Option<u64>) -> String {
    v.map(|v| human(std::time::Duration::from_millis(v)))
        .unwrap_or_else(|| "-".into())
}

impl Render for Snapshot {
    fn human(&self, style: Style) -> String {
        let mut out = String::new();
        let mut t = table(
            style,
            &[
                "target", "stream", "last id", "age", "ev/min", "health", "clients", "note",
            ],
        );
        for x in &self.targets {
            let (stream, note) = match &x.link {
                StreamState::Connecting => ("connecting".to_string(), String::new()),
                StreamState::Live { .. } => ("live".to_string(), String::new()),
                StreamState::Reconnecting { reason, .. } => ("reconnecting".to_string(), reason.clone()),
                StreamState::Down { reason, .. } => ("down".to_string(), reason.clone()),
            };
            let note = if note.is_empty() {
                x.health_error.clone().unwrap_or_default()
            } else {
                note
            };
            t.add_row(vec![
                x.name.clone(),
                stream,
                x.last_event_id.clone().unwrap_or_else(|| "-".into()),
                ms(x.last_event_age_ms),
                x.events_per_minute.to_string(),
                ms(x.health_ms),
                x.clients.map(|c| c.to_string()).unwrap_or_else(|| "-".into()),
                note,
            ]);
        }
        out.push_str(&format!("{t}\n"));
        if self.types.is_empty() {
            out.push_str("no invalidation seen\n");
        } else {
            let mut header = vec!["type".to_string()];
            header.extend(self.targets.iter().map(|t| format!("{} 1m/5m/15m", t.name)));
            header.extend(["last".to_string(), "id".to_string(), "clears".to_string()]);
            let h: Vec<&str> = header.iter().map(String::as_str).collect();
            let mut t = table(style, &h);
            for ty in &self.types {
                let mut row = vec![ty.name.clone()];
                row.extend(ty.targets.iter().map(|c| {
                    let n = format!("{}/{}/{}", c.last1m, c.last5m, c.last15m);
                    if c.missed { format!("{n} missed") } else { n }
                }));
                row.push(ty.last_action.clone().unwrap_or_default());
                row.push(ty.last_id.clone().unwrap_or_default());
                row.push(ty.clears.join(" "));
                t.add_row(row);
            }
            out.push_str(&format!("{t}\n"));
        }
        if !self.propagation.is_empty() {
            let mut t = table(style, &["mirror", "n", "p50", "p99", "max"]);
            for p in &self.propagation {
                let f = p.figures;
                t.add_row(vec![
                    p.mirror.clone(),
                    f.map_or(0, |f| f.count).to_string(),
                    ms(f.map(|f| f.p50_ms)),
                    ms(f.map(|f| f.p99_ms)),
                    ms(f.map(|f| f.max_ms)),
                ]);
            }
            out.push_str(&format!("{t}\n"));
        }
        if let Some(log) = &self.log {
            out.push_str("log, last warnings and errors:\n");
            for l in log {
                out.push_str(&format!("  {l}\n"));
            }
        }
        if let Some(r) = &self.redis {
            match &r.error {
                Some(e) => out.push_str(&format!("redis: {e}\n")),
                None => {
                    let mut t = table(style, &["type", "keys", "memory"]);
                    for row in &r.types {
                        t.add_row(vec![row.kind.clone(), row.keys.to_string(), row.memory.to_string()]);
                    }
                    out.push_str(&format!("{t}\n"));
                }
            }
        }
        out
    }
}
