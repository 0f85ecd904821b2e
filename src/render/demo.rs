//! `polycache demo` as people read it: the lines before the first step, each step as it
//! completes (its title, what it shows, its check line), the verdict and the by-hand
//! commands. The walkthrough ([`crate::demo`]) hands over typed steps; the text is made
//! here, with the tables, trees and stream lines the commands themselves print.

use std::path::Path;
use std::time::Duration;

use super::stream::View;
use super::{Style, show, table, tree_text};
use crate::demo::{ByHand, Narration, Place, STEPS, Step, StepData, Summary, VIA_SERVER_TYPE, count, shell_quote};
use crate::duration::human;
use crate::logs::format::Formatter;
use crate::logs::{Engine, Output};
use crate::output::Render;

/// What runs where, before the first step.
pub fn intro(p: &Place, st: Style) -> String {
    format!(
        "{}\n  {:<11} {} (mirrors to production)\n  {:<11} {}\n  {:<11} {}\n  {:<11} {}\n  {:<11} memory, demo entries; account {} (password in the env file only)\n",
        st.bold(&format!(
            "polycache demo: two cache nodes on this machine, up in {}",
            human(p.up_in)
        )),
        p.local_name,
        st.cyan(&p.local),
        p.production_name,
        st.cyan(&p.production),
        "env file",
        p.env_file.display(),
        "log",
        p.local_log.display(),
        "store",
        p.email,
    )
}

/// With `--keep`: where the nodes run, and how to stop them.
pub fn running(p: &Place, st: Style) -> String {
    format!(
        "{} local {} · production {} · log {}\n{}\n",
        st.bold("nodes running:"),
        st.cyan(&p.local),
        st.cyan(&p.production),
        p.local_log.display(),
        st.dim("press Ctrl-C to stop them")
    )
}

/// A step as narrated: its number and title, what it shows, and the check line.
pub fn step(step: &Step, st: Style) -> String {
    let mark = if step.ok {
        st.green(&format!("✓ {}", step.check))
    } else {
        st.red(&format!("✗ {}", step.check))
    };
    let mut text = narration(step, st);
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    format!("\n{}\n{text}{mark}\n", st.bold(&format!("{}. {}", step.n, step.title)))
}

/// The narration above a step's check line.
fn narration(step: &Step, st: Style) -> String {
    match (&step.narration, &step.data) {
        (Narration::Tree(report), _) => tree_text(report, st),
        (Narration::Before { types }, StepData::Entries { local, production }) => {
            let mut t = table(st, &["type", "local", "production"]);
            for ty in types {
                t.add_row(vec![
                    ty.clone(),
                    count(local, ty).to_string(),
                    count(production, ty).to_string(),
                ]);
            }
            format!("{}\n", show(t))
        }
        (Narration::Report, StepData::Invalidation(report)) => report.human(st),
        (
            Narration::Events {
                graph,
                target_width,
                events,
            },
            StepData::Events(figures),
        ) => {
            // As `tail --mirror` shows them.
            let view = View {
                graph: graph.clone(),
                wanted: Vec::new(),
                target_width: *target_width,
                verbose: false,
                style: st,
                browsers: None,
                known: Default::default(),
            };
            let mut text = String::new();
            for (ev, figure) in events.iter().zip(figures) {
                text.push_str(&view.line(ev));
                if let Some(ms) = figure.propagation_ms {
                    text.push_str(&st.dim(&format!("   propagation {}", human(Duration::from_millis(ms)))));
                }
                text.push('\n');
            }
            text
        }
        (
            Narration::After {
                types,
                local: lb,
                production: pb,
            },
            StepData::Cleared {
                local: la,
                production: pa,
                cleared,
                ..
            },
        ) => {
            let mut t = table(st, &["type", "local", "production", ""]);
            for ty in types {
                t.add_row(vec![
                    ty.clone(),
                    format!("{} → {}", count(lb, ty), count(la, ty)),
                    format!("{} → {}", count(pb, ty), count(pa, ty)),
                    if cleared.contains(ty) { "cleared" } else { "kept" }.to_string(),
                ]);
            }
            format!("{}\n", show(t))
        }
        (
            Narration::ViaServer {
                relay,
                entries,
                log_path,
                log,
            },
            StepData::ViaServer { report, .. },
        ) => via_server(report.as_ref(), *relay, *entries, log_path, log.as_deref(), st),
        _ => String::new(),
    }
}

/// Step 6: the report, the relay, production's entries and the local node's mirror entries.
fn via_server(
    report: Option<&crate::client::run::RunReport>,
    relay: Option<Duration>,
    entries: Option<(usize, usize)>,
    log_path: &Path,
    log: Option<&str>,
    st: Style,
) -> String {
    let ty = VIA_SERVER_TYPE;
    let mut text = report.map(|r| r.human(st)).unwrap_or_default();
    if let Some(d) = relay {
        text.push_str(&format!(
            "local announced {ty} on its stream, production {} later (relayed by the local node)\n",
            human(d)
        ));
    }
    if let Some((b, n)) = entries {
        text.push_str(&format!("production's {ty} entries: {b} → {n}\n"));
    }
    text.push_str(&format!(
        "\n{}\n",
        st.bold(&format!(
            "the local node's log, as `polycache logs --mirror` shows it ({}):",
            log_path.display()
        ))
    ));
    if let Some(lines) = log {
        text.push_str(&log_lines(lines, st));
    }
    text
}

/// Log entries (NDJSON) as `polycache logs` shows them.
fn log_lines(ndjson: &str, st: Style) -> String {
    let engine = Engine {
        filter: Default::default(),
        output: Output::Pretty(Formatter { style: st, utc: false }),
    };
    let mut out = Vec::new();
    let mut emit = |b: &[u8]| -> std::io::Result<()> {
        out.extend_from_slice(b);
        Ok(())
    };
    // Reading from memory cannot fail.
    let _ = crate::logs::read::scan(&engine, ndjson.as_bytes(), 1, &mut emit);
    String::from_utf8_lossy(&out).into_owned()
}

impl Render for Summary {
    fn human(&self, st: Style) -> String {
        let failed: Vec<&Step> = self.steps.iter().filter(|s| !s.ok).collect();
        let names = || -> String {
            let names: Vec<String> = failed.iter().map(|s| format!("{}. {}", s.n, s.title)).collect();
            names.join("; ")
        };
        if let Some(at) = self.interrupted_at() {
            // Nothing to do by hand: the nodes are stopped and their files removed.
            let mut line = format!(
                "✗ interrupted at step {at} of {STEPS}, after {} finished; both nodes stopped",
                self.steps.len()
            );
            if !failed.is_empty() {
                line.push_str(&format!("; failed: {}", names()));
            }
            return format!("{}\n", st.red(&line));
        }
        let total = self.steps.len();
        let verdict = if self.ok {
            st.green(&format!(
                "✓ all {total} steps checked out in {}",
                human(Duration::from_millis(self.elapsed_ms))
            ))
        } else {
            st.red(&format!("✗ {} of {total} steps failed: {}", failed.len(), names()))
        };
        format!("{verdict}\n\n{}", by_hand(&self.by_hand, &self.commands, st))
    }
}

/// The same flow by hand: the commands, the env file they use, and what happens to the
/// nodes and their files.
fn by_hand(nodes: &ByHand, commands: &[String], st: Style) -> String {
    let keep = nodes.keep;
    let mut out = format!(
        "{}\n{}\n",
        st.bold("Do it by hand"),
        st.dim(&format!(
            "(the account is in {}, readable only by you; no password is printed)",
            nodes.env_file.display()
        ))
    );
    let notes = ["", "   # in a second terminal", "", "", "", ""];
    for (c, note) in commands.iter().zip(notes) {
        out.push_str(&format!("  {c}{}\n", st.dim(note)));
    }
    if !keep {
        out.push_str(&st.dim(
            "the nodes stop when the demo ends: run `polycache demo --keep` to keep them up and use the env file it names\n",
        ));
    }
    let dir = nodes.env_file.parent().unwrap_or(Path::new("."));
    out.push_str(&st.dim(&if keep {
        format!(
            "the env file and both logs stay in {} (rm -r {} removes them)\n",
            dir.display(),
            shell_quote(&dir.display().to_string())
        )
    } else {
        format!(
            "the env file and both logs in {} are removed when the demo ends (--keep keeps them)\n",
            dir.display()
        )
    }));
    out.push('\n');
    out
}
