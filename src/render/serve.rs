//! The banner of `polycache serve`: where the node listens and what it serves.

use std::path::Path;

use crate::output::Line;
use crate::server::Started;
use crate::style::Style;

/// The first line(s) a node prints: one JSON object with `--json`, for scripts that start
/// a node and read where it listens.
pub struct Banner<'a> {
    pub started: &'a Started,
    pub dev_env: Option<&'a Path>,
    pub dev_ca: Option<&'a Path>,
}

impl Line for Banner<'_> {
    fn ndjson(&self) -> String {
        banner_json(self.started, self.dev_env, self.dev_ca)
    }
    fn human(&self, st: Style) -> String {
        let mut text = banner(self.started, self.dev_env, self.dev_ca, st);
        if text.ends_with('\n') {
            text.pop();
        }
        text
    }
}

/// The banner as one JSON line, for scripts that start a node and read where it listens.
fn banner_json(s: &Started, dev_env: Option<&Path>, dev_ca: Option<&Path>) -> String {
    let v = serde_json::json!({
        "listening": s.base_url(),
        "port": s.addr.port(),
        "store": s.store,
        "graph": s.graph,
        "mirrors": s.mirrors,
        "log": s.log_file.display().to_string(),
        "accounts": s.accounts,
        "demoEntries": s.demo_entries,
        "bus": s.bus.as_ref().map(|b| serde_json::json!({"key": b.key, "node": b.node, "url": b.url, "cluster": b.cluster})),
        "paths": {"auth": s.paths.auth, "invalidate": s.paths.invalidate, "stream": s.paths.stream},
        "dev": s.dev_account.as_ref().map(|d| serde_json::json!({
            "email": d.email,
            "envFile": dev_env.map(|p| p.display().to_string()),
        })),
        "corsOrigins": s.cors_origins,
        "tls": s.tls.as_ref().map(|t| serde_json::json!({
            "alpn": t.alpn,
            "certificate": t.certificate,
            "caFile": dev_ca.map(|p| p.display().to_string()),
        })),
    });
    v.to_string()
}

fn banner(s: &Started, dev_env: Option<&Path>, dev_ca: Option<&Path>, st: Style) -> String {
    let base = s.base_url();
    let mut out = format!(
        "{} listening on {}\n",
        st.bold(&format!("polycache serve {}", env!("CARGO_PKG_VERSION"))),
        st.cyan(&base)
    );
    let line = |k: &str, v: &str| format!("  {:<10} {v}\n", format!("{k}:"));
    out += &line("store", s.store);
    out += &line("graph", &s.graph);
    let mirrors = if s.mirrors.is_empty() {
        "(none)".to_string()
    } else {
        s.mirrors.join(", ")
    };
    out += &line("mirrors", &mirrors);
    out += &line("log", &s.log_file.display().to_string());
    let accounts = if s.accounts.is_empty() {
        "(none)".to_string()
    } else {
        s.accounts.join(", ")
    };
    out += &line("accounts", &accounts);
    if let Some(b) = &s.bus {
        let kind = if b.cluster { "Redis Cluster" } else { "Redis" };
        out += &line(
            "bus",
            &format!("stream {} on {kind} {} as node {}", b.key, b.url, b.node),
        );
    }
    if s.demo_entries > 0 {
        out += &line("demo data", &format!("{} entries", s.demo_entries));
    }
    out += &line(
        "endpoints",
        &format!(
            "POST {} · POST {} · GET {} · GET /api/health · GET /api/cache/entries",
            s.paths.auth, s.paths.invalidate, s.paths.stream
        ),
    );
    out += &line("page", &format!("{base}/  (live events, entries, clients)"));
    let cors = match s.cors_origins.is_empty() {
        true => "stream, health, entries, page: any origin; API: none (--cors-origin)".to_string(),
        false => format!(
            "stream, health, entries, page: any origin; API: {}",
            s.cors_origins.join(", ")
        ),
    };
    out += &line("cors", &cors);
    if let Some(t) = &s.tls {
        out += &line(
            "tls",
            &format!("{} (ALPN), certificate {}", t.alpn.join(", "), t.certificate),
        );
    }
    if let Some(ca) = dev_ca {
        out += &line(
            "dev CA",
            &format!("{}  (trust it: --cacert, or a browser profile)", ca.display()),
        );
    }
    if let (Some(dev), Some(env)) = (&s.dev_account, dev_env) {
        let env = env.display();
        out += &format!(
            "\n{} a random JWT secret (unless JWT_SECRET is set) and a throwaway account {}.\n\
             Its password is in {env} (readable by you only, removed when the node stops):\n\
             \n  polycache --env-file {env} invalidate posts --verify\n  polycache --env-file {env} tail\n  curl -N {cacert}{base}{stream}\n",
            st.yellow("dev mode:"),
            dev.email,
            stream = s.paths.stream,
            cacert = dev_ca.map(|p| format!("--cacert {} ", p.display())).unwrap_or_default(),
        );
    }
    out
}
