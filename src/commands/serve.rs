//! `polycache serve`: glue between the flags and [`crate::server`], the startup banner, and
//! the signals that stop the node.

use super::Context;
use crate::cli::{ServeArgs, StoreChoice};
use crate::error::{Failure, exit};
use crate::server::{ServeError, ServeOptions, Server, Started, StoreKind};

pub fn run(ctx: &Context, args: &ServeArgs) -> Result<u8, Failure> {
    let graph = ctx.graph()?;
    let opts = ServeOptions {
        bind: args.bind.clone(),
        port: args.port,
        store: match args.store {
            StoreChoice::Memory => StoreKind::Memory,
            StoreChoice::Redis => StoreKind::Redis,
        },
        dev: args.dev,
        demo_data: args.demo_data,
        ping_interval: args.ping_interval,
        allow_insecure: args.allow_insecure,
    };
    let rt = crate::runtime()?;
    rt.block_on(async {
        let server = Server::bind(&ctx.settings, graph, &opts).await?;
        for w in &server.started.warnings {
            eprintln!("{} {w}", ctx.style.yellow("warning:"));
        }
        let text = if ctx.global.json {
            banner_json(&server.started)
        } else {
            banner(&server.started, ctx)
        };
        crate::print(&text)?;
        server
            .run(shutdown_signal())
            .await
            .map_err(|e| Failure::error(format!("the server stopped with an error: {e}")))?;
        Ok(exit::OK)
    })
}

/// SIGINT (Ctrl-C) or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

/// The banner as one JSON line, for scripts that start a node and read where it listens.
fn banner_json(s: &Started) -> String {
    let v = serde_json::json!({
        "listening": format!("http://{}", s.addr),
        "port": s.addr.port(),
        "store": s.store,
        "graph": s.graph,
        "mirrors": s.mirrors,
        "log": s.log_file.display().to_string(),
        "accounts": s.accounts,
        "demoEntries": s.demo_entries,
        "paths": {"auth": s.paths.auth, "invalidate": s.paths.invalidate, "stream": s.paths.stream},
        "dev": s.dev_account.as_ref().map(|d| serde_json::json!({"email": d.email, "password": d.expose_password()})),
    });
    format!("{v}\n")
}

fn banner(s: &Started, ctx: &Context) -> String {
    let st = ctx.style;
    let base = format!("http://{}", s.addr);
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
    if let Some(dev) = &s.dev_account {
        out += &format!(
            "\n{} random JWT secret (unless JWT_SECRET is set) and a throwaway account:\n  email:    {}\n  password: {}\n\n  TOKEN=$(curl -s {base}{auth} -H 'content-type: application/json' \\\n    -d '{{\"email\":\"{}\",\"password\":\"{}\"}}' | sed 's/.*\"token\":\"\\([^\"]*\\)\".*/\\1/')\n  curl -s {base}{inv} -H \"authorization: Bearer $TOKEN\" -H 'content-type: application/json' -d '{{\"type\":\"posts\"}}'\n  curl -N {base}{stream}\n",
            st.yellow("dev mode:"),
            dev.email,
            dev.expose_password(),
            dev.email,
            dev.expose_password(),
            auth = s.paths.auth,
            inv = s.paths.invalidate,
            stream = s.paths.stream,
        );
    }
    out
}

impl From<ServeError> for Failure {
    fn from(e: ServeError) -> Failure {
        let message = e.to_string();
        match e {
            ServeError::NoSecret => Failure::usage(message).with_hint(
                "set JWT_SECRET (for example `JWT_SECRET=$(openssl rand -hex 32)`) in the environment or .env, or pass --dev for a throwaway secret and account",
            ),
            ServeError::Bind { .. } => {
                Failure::error(message).with_hint("pick another --port, or stop the process that holds this one")
            }
            ServeError::Store(_) => Failure::error(message)
                .with_hint("start redis-server or point REDIS_URL (or --redis-url) at it, or use --store memory"),
            ServeError::Log { .. } => {
                Failure::error(message).with_hint("point CACHE_LOG (or --log-file) at a writable path")
            }
            ServeError::Mirrors(e) => Failure::from(e),
            ServeError::BadPath { name, .. } => {
                Failure::usage(message).with_hint(format!("set {name} to a path such as /api/cache/invalidate"))
            }
        }
    }
}
