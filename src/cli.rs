//! Every flag and subcommand of polycache, with its help text, in one place.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

const ABOUT: &str = "Inspect and control the Polymech platform's cache: invalidations, mirrors, the SSE stream, Redis keys and the cache log.";

const AFTER_HELP: &str = "\
Configuration is read from .env (the nearest one from the working directory up to the
repository root, or --env-file), then the environment, then flags; later wins.
Run `polycache config` to see every setting and where it came from.

Exit codes: 0 ok, 1 error, 2 usage (bad flag, unknown type), 3 partial failure
(some targets failed), 4 authentication failed.";

#[derive(Debug, Parser)]
#[command(name = "polycache", version, about = ABOUT, after_help = AFTER_HELP)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Command,
}

/// Flags every subcommand accepts.
#[derive(Debug, Args, Clone)]
pub struct GlobalArgs {
    /// Read settings from this file instead of searching for `.env`.
    #[arg(long, global = true, value_name = "PATH")]
    pub env_file: Option<PathBuf>,

    /// Base URL of the local server [env: POLYCACHE_URL]
    #[arg(long, global = true, value_name = "URL")]
    pub url: Option<String>,

    /// Comma-separated mirror base URLs [env: CACHE_MIRRORS]
    #[arg(long, global = true, value_name = "URLS")]
    pub mirrors: Option<String>,

    /// Redis of the server-side cache [env: REDIS_URL]
    #[arg(long, global = true, value_name = "URL")]
    pub redis_url: Option<String>,

    /// Prefix of cache keys in Redis [env: CACHE_PREFIX]
    #[arg(long, global = true, value_name = "PREFIX")]
    pub cache_prefix: Option<String>,

    /// The cache log file [env: CACHE_LOG]
    #[arg(long, global = true, value_name = "PATH")]
    pub log_file: Option<String>,

    /// Read the dependency graph from this `.ts` or `.json` file instead of searching for
    /// `server/src/cache.ts`.
    #[arg(long, global = true, value_name = "FILE")]
    pub graph: Option<PathBuf>,

    /// Print machine-readable JSON instead of tables.
    #[arg(long, global = true)]
    pub json: bool,

    /// When to use colour; NO_COLOR in the environment means never for `auto`.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

    /// Say more (repeat for even more).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show every setting, its value and where it came from (secrets masked).
    #[command(
        after_help = "Examples:\n  polycache config\n  polycache config --json\n  polycache --env-file deploy/.env.production config"
    )]
    Config,

    /// Show the dependency cascade of a type, or the whole graph.
    #[command(
        long_about = "Show the dependency graph of cache types.\n\n\
With a TYPE, prints what the type is built from (\"invalidated by\") and what invalidating it \
clears, in clearing order. Without one, prints the whole graph.\n\n\
The graph is read from --graph FILE, else from server/src/cache.ts found by searching up from \
the working directory, else the platform's built-in default; the output names the source.",
        after_help = "Examples:\n  polycache graph feed\n  polycache graph post            # alias of posts\n  polycache graph pictures --format dot | dot -Tsvg > graph.svg\n  polycache graph --format mermaid\n  polycache graph --graph server/src/cache.ts --json"
    )]
    Graph(GraphArgs),

    /// Print a shell completion script.
    #[command(
        after_help = "Examples:\n  polycache completions bash > ~/.local/share/bash-completion/completions/polycache\n  polycache completions zsh > ~/.zfunc/_polycache\n  polycache completions fish > ~/.config/fish/completions/polycache.fish\n  polycache completions --dir completions   # write all of them"
    )]
    Completions(CompletionsArgs),

    /// Print the man page (roff), or write one page per subcommand into a directory.
    #[command(
        after_help = "Examples:\n  polycache man | man -l -\n  polycache man --dir man   # write polycache.1, polycache-graph.1, ..."
    )]
    Man(ManArgs),
    /// Run a reference Polymech cache node: login, invalidation, SSE stream, mirrors.
    #[command(
        long_about = "Run a reference Polymech cache node (the server side of the protocol).\n\n\
It answers login (POLYCACHE_AUTH_PATH and the Supabase-shaped /auth/v1/token), invalidation \
(POLYCACHE_INVALIDATE_PATH: clears the type's cascade from its store, notifies SSE clients, and \
broadcasts to its own mirrors with mirror:false), the SSE stream (POLYCACHE_STREAM_PATH) and \
GET /api/health. Sandbox extensions: GET /api/cache/entries lists the cached keys by type, \
PUT /api/cache/entries/{type}/{rest} seeds one (authenticated).\n\n\
Accounts come from SERVICE_EMAIL/SERVICE_PASSWORD and TEST_EMAIL/TEST_PASSWORD; tokens are \
HS256 JWTs signed with JWT_SECRET (1 h). The node logs in to its mirrors with the same \
accounts. Every cache and mirror action is appended to CACHE_LOG (pino NDJSON). Only the \
startup banner and fatal errors go to stdout/stderr. SIGINT/SIGTERM stop it gracefully.",
        after_help = "Examples:\n  polycache serve --dev --demo-data\n  JWT_SECRET=change-me SERVICE_EMAIL=svc@example.com SERVICE_PASSWORD=pw polycache serve --port 3333\n  polycache serve --port 3334 --store redis --mirrors http://127.0.0.1:3333\n  polycache serve --bind 0.0.0.0 --log-file /var/log/polycache/cache.json"
    )]
    Serve(ServeArgs),
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// TCP port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 3333, value_name = "PORT")]
    pub port: u16,

    /// Address to listen on; use 0.0.0.0 to accept other machines.
    #[arg(long, default_value = "127.0.0.1", value_name = "ADDR")]
    pub bind: String,

    /// Where the cache lives: in this process, or in Redis at REDIS_URL (keys CACHE_PREFIX{type}:{rest}).
    #[arg(long, value_enum, default_value_t = StoreChoice::Memory, value_name = "STORE")]
    pub store: StoreChoice,

    /// Development mode: a random JWT secret (unless JWT_SECRET is set) and a dev account
    /// whose password is printed on the banner.
    #[arg(long)]
    pub dev: bool,

    /// Fill the store with a few entries per type ({type}:list, {type}:id:1, {type}:id:2).
    #[arg(long)]
    pub demo_data: bool,

    /// Interval of the `: ping` heartbeat on the SSE stream (e.g. 15s, 500ms, 1m).
    #[arg(long, default_value = "15s", value_parser = parse_duration, value_name = "DURATION")]
    pub ping_interval: std::time::Duration,

    /// Let the mirror broadcast send credentials over plain http:// to non-loopback mirrors.
    #[arg(long)]
    pub allow_insecure: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StoreChoice {
    Memory,
    Redis,
}

/// Parses `15s`, `500ms`, `2m` or a plain number of seconds.
pub fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    let s = s.trim();
    let (num, unit) = match s.find(|c: char| !c.is_ascii_digit() && c != '.') {
        Some(i) => s.split_at(i),
        None => (s, "s"),
    };
    let n: f64 = num
        .parse()
        .map_err(|_| format!("`{s}` is not a duration such as 15s, 500ms or 1m"))?;
    let secs = match unit {
        "ms" => n / 1000.0,
        "s" => n,
        "m" => n * 60.0,
        _ => return Err(format!("`{s}`: unknown unit `{unit}`; use ms, s or m")),
    };
    if !secs.is_finite() || secs <= 0.0 {
        return Err(format!("`{s}` must be greater than zero"));
    }
    Ok(std::time::Duration::from_secs_f64(secs))
}

#[derive(Debug, Args)]
pub struct GraphArgs {
    /// The type to show (singular aliases such as `post` work too).
    pub r#type: Option<String>,

    /// Output format; dot and mermaid draw the whole graph with the type's cascade highlighted.
    #[arg(long, value_enum, default_value_t = GraphFormat::Tree)]
    pub format: GraphFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    Tree,
    Dot,
    Mermaid,
    Json,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to generate for.
    #[arg(value_enum, required_unless_present = "dir")]
    pub shell: Option<clap_complete::Shell>,

    /// Write the scripts for every supported shell into this directory instead.
    #[arg(long, value_name = "DIR", conflicts_with = "shell")]
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write `polycache.1` and one page per subcommand into this directory.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

impl GlobalArgs {
    /// Flag overrides for [`crate::config::LoadOptions`].
    pub fn overrides(&self) -> Vec<(&'static str, &'static str, String)> {
        let mut out = Vec::new();
        let pairs: [(&'static str, &'static str, &Option<String>); 5] = [
            ("POLYCACHE_URL", "--url", &self.url),
            ("CACHE_MIRRORS", "--mirrors", &self.mirrors),
            ("REDIS_URL", "--redis-url", &self.redis_url),
            ("CACHE_PREFIX", "--cache-prefix", &self.cache_prefix),
            ("CACHE_LOG", "--log-file", &self.log_file),
        ];
        for (name, flag, value) in pairs {
            if let Some(v) = value {
                out.push((name, flag, v.clone()));
            }
        }
        out
    }
}
