//! `polycache serve`: glue between the flags and [`crate::server`], the startup banner, and
//! the signals that stop the node.

use super::Context;
use crate::cli::{ServeArgs, StoreChoice};
use crate::error::{Failure, exit};
use crate::output::Outcome;
use crate::render::serve::Banner;
use crate::server::tls::TlsSource;
use crate::server::{ServeError, ServeOptions, Server, Started, StoreKind};

/// Runs the node until SIGINT or SIGTERM; its banner is the only output.
pub fn run(ctx: &Context, args: &ServeArgs) -> Result<Outcome, Failure> {
    serve(ctx, args).map(|code| Outcome::streamed().code(code))
}

/// A serve setting: its flag, else POLYCACHE_* from the environment or .env, else its
/// default (see `config`), parsed; a bad value names where it came from.
fn setting<T>(
    ctx: &Context,
    name: &str,
    flag: &str,
    parse: impl Fn(&str) -> Option<T>,
    expected: &str,
) -> Result<Option<T>, Failure> {
    let Some(raw) = ctx.settings.get(name).map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    parse(raw).map(Some).ok_or_else(|| {
        Failure::usage(format!(
            "{name} (or {flag}) is `{}`: expected {expected}",
            crate::escape::text(raw)
        ))
        .with_hint(format!(
            "fix it where it is set (`polycache config` shows where), or pass {flag}"
        ))
    })
}

fn serve(ctx: &Context, args: &ServeArgs) -> Result<u8, Failure> {
    let graph = ctx.graph()?;
    let port = setting(
        ctx,
        "POLYCACHE_PORT",
        "--port",
        |v| v.parse::<u16>().ok(),
        "a port from 0 to 65535",
    )?;
    let bind = setting(ctx, "POLYCACHE_BIND", "--bind", |v| Some(v.to_string()), "an address")?;
    let store = setting(
        ctx,
        "POLYCACHE_STORE",
        "--store",
        |v| match v.to_ascii_lowercase().as_str() {
            "memory" => Some(StoreChoice::Memory),
            "redis" => Some(StoreChoice::Redis),
            _ => None,
        },
        "memory or redis",
    )?;
    let bus = setting(
        ctx,
        "POLYCACHE_BUS",
        "--bus",
        |v| v.eq_ignore_ascii_case("redis").then_some(()),
        "redis",
    )?;
    let path = |v: &str| Some(std::path::PathBuf::from(v));
    let tls_cert = setting(ctx, "POLYCACHE_TLS_CERT", "--tls-cert", path, "a file")?;
    let tls_key = setting(ctx, "POLYCACHE_TLS_KEY", "--tls-key", path, "a file")?;
    let state = setting(ctx, "POLYCACHE_STATE", "--state", path, "a file")?;
    if tls_cert.is_some() != tls_key.is_some() {
        return Err(
            Failure::usage("a TLS certificate needs its key, and a key its certificate")
                .with_hint("give both --tls-cert and --tls-key (or POLYCACHE_TLS_CERT and POLYCACHE_TLS_KEY)"),
        );
    }
    if args.self_signed && tls_cert.is_some() {
        return Err(Failure::usage(
            "--self-signed makes its own certificate: drop --tls-cert/--tls-key (or POLYCACHE_TLS_*)",
        ));
    }
    if args.first_event_id.is_some() && (state.is_some() || bus.is_some()) {
        return Err(
            Failure::usage("--first-event-id numbers the events of a node without --state or --bus")
                .with_hint("--state continues from its file, and on the bus ids are stream entry ids"),
        );
    }
    let opts = ServeOptions {
        bind: bind.unwrap_or_else(|| "127.0.0.1".to_string()),
        port: port.unwrap_or(3333),
        store: match store.unwrap_or(StoreChoice::Memory) {
            StoreChoice::Memory => StoreKind::Memory,
            StoreChoice::Redis => StoreKind::Redis,
        },
        dev: args.dev,
        demo_data: args.demo_data,
        public_entries: args.public_entries,
        ping_interval: args.ping_interval,
        allow_insecure: args.allow_insecure,
        state_file: state,
        first_event_id: args.first_event_id,
        bus: bus.map(|_| crate::server::BusOptions {
            maxlen: args.bus_maxlen,
        }),
        faults: crate::server::faults::FaultOptions {
            fail_first: args.inject_503,
            no_notify: args.no_notify,
            delay: std::time::Duration::from_millis(args.delay_ms),
        },
        shutdown_grace: args.shutdown_grace,
        drain: args.drain.unwrap_or_default(),
        cors_origins: args.cors_origin.clone(),
        sse_retry: args.sse_retry,
        metrics: args.metrics,
        max_clients: args.max_clients,
        max_clients_per_ip: args.max_clients_per_ip,
        trust_proxy: args.trust_proxy.clone(),
        tls: match (tls_cert, tls_key) {
            (Some(cert), Some(key)) => Some(TlsSource::Files { cert, key }),
            _ if args.self_signed => Some(TlsSource::SelfSigned),
            _ => None,
        },
    };
    let rt = crate::runtime()?;
    rt.block_on(async {
        // The handlers go in before the port opens: a SIGTERM that comes as soon as the port
        // answers must stop the node cleanly, not kill it by the signal's default action.
        let mut signals = crate::signals::Signals::install();
        let server = Server::bind(&ctx.settings, graph, &opts).await?;
        for w in &server.started.warnings {
            ctx.out.warn(w);
        }
        // The throwaway authority's certificate first: the env file names it.
        let dev_ca = match server.started.tls.as_ref().and_then(|t| t.dev_ca_pem.as_deref()) {
            Some(pem) => Some(replace_private(&dev_file(&server.started, "-ca.pem"), |p| {
                crate::config::write_private(p, pem.as_bytes())
            })?),
            None => None,
        };
        let dev_env = match &server.started.dev_account {
            Some(dev) => Some(write_dev_env(&server.started, dev, dev_ca.as_deref())?),
            None => None,
        };
        // The first line of the node's output: where it listens (one JSON line with --json).
        let mut out = ctx.out.sink();
        let _ = out.item(&Banner {
            started: &server.started,
            dev_env: dev_env.as_deref(),
            dev_ca: dev_ca.as_deref(),
        });
        out.finish()?;
        // Say so when the signal comes: a node that drains or waits for broadcasts is not hung.
        let printer = ctx.out.clone();
        let drain = opts.drain;
        let signal = async move {
            let which = signals.recv().await.name();
            let drain = if drain.is_zero() {
                String::new()
            } else {
                format!("not ready for {}, then ", crate::duration::human(drain))
            };
            printer.status(&format!(
                "{which}: stopping: {drain}closing the streams and finishing mirror broadcasts in flight"
            ));
        };
        let result = server.run(signal).await;
        ctx.out.status("stopped");
        // The throwaway account dies with the node; so does the file that holds it.
        for p in dev_env.iter().chain(dev_ca.iter()) {
            let _ = std::fs::remove_file(p);
        }
        result.map_err(|e| Failure::error(format!("the server stopped with an error: {e}")))?;
        Ok(exit::OK)
    })
}

/// Writes the `--dev` account into an env file that only this user can read, so that the
/// password never has to be shown: `polycache --env-file FILE ...` picks it up.
fn write_dev_env(
    s: &Started,
    dev: &crate::client::Credentials,
    ca: Option<&std::path::Path>,
) -> Result<std::path::PathBuf, Failure> {
    let url = s.base_url();
    let log = s.log_file.display().to_string();
    let ca = ca.map(|c| c.display().to_string());
    let mut vars = vec![
        ("POLYCACHE_URL", url.as_str()),
        ("SERVICE_EMAIL", dev.email.as_str()),
        ("SERVICE_PASSWORD", dev.expose_password()),
        ("CACHE_LOG", log.as_str()),
    ];
    if let Some(ca) = &ca {
        vars.push(("POLYCACHE_CACERT", ca.as_str()));
    }
    let path = dev_file(s, ".env");
    let header = format!(
        "polycache serve --dev: a throwaway account, valid while the node on port {} runs",
        s.addr.port()
    );
    replace_private(&path, |p| crate::config::write_env_file(p, &header, &vars))
}

/// `polycache-dev-PORT{suffix}` in the temporary directory.
fn dev_file(s: &Started, suffix: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("polycache-dev-{}{suffix}", s.addr.port()))
}

/// Writes a private dev file with `write`, replacing a stale one of an earlier node.
fn replace_private(
    path: &std::path::Path,
    write: impl FnOnce(&std::path::Path) -> std::io::Result<()>,
) -> Result<std::path::PathBuf, Failure> {
    let _ = std::fs::remove_file(path);
    write(path).map_err(|e| Failure::error(format!("cannot write the dev file {}: {e}", path.display())))?;
    Ok(path.to_path_buf())
}

impl From<ServeError> for Failure {
    fn from(e: ServeError) -> Failure {
        match e {
            ServeError::Mirrors(e) => Failure::from(e),
            ServeError::CaCert(e) => Failure::from(e),
            ServeError::NoSecret
            | ServeError::Cors(_)
            | ServeError::Tls(_)
            | ServeError::StateWithBus
            | ServeError::LogLevel { .. }
            | ServeError::BadPath { .. } => Failure::of(exit::USAGE, &e),
            _ => Failure::of(exit::ERROR, &e),
        }
    }
}
