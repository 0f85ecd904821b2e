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

    /// Read the cache log (pino NDJSON): readable lines, filters, follow, stats.
    #[command(
        long_about = "Read the cache log: one readable line per entry (time, level, module/type, \
target, status, duration, msg, then the other fields), an err's message with its stack \
indented below. Lines that are not JSON objects are shown dim as they are.\n\n\
FILE defaults to CACHE_LOG (--log-file); `-` reads standard input; several files are merged \
by time. Filters combine (all must hold). Times are shown in the local zone (TZ), or UTC \
with --utc. pid and hostname are left out of the readable line; --json keeps every byte.",
        after_help = "Examples:\n  polycache logs                              # the whole CACHE_LOG\n  polycache logs --errors --since 2h\n  polycache logs --mirror --field type=posts --tail 20\n  polycache logs --grep 'invalidat(ed|ion)' server/logs/cache.json\n  polycache logs --follow --level warn\n  polycache logs --stats --since 1d\n  polycache logs --errors --json | jq .err.message\n  polycache logs old.json cache.json          # merged by time\n  tail -f cache.json | polycache logs -"
    )]
    Logs(LogsArgs),

    /// Print a shell completion script.
    #[command(
        after_help = "Examples:\n  polycache completions bash > ~/.local/share/bash-completion/completions/polycache\n  polycache completions zsh > ~/.zfunc/_polycache\n  polycache completions fish > ~/.config/fish/completions/polycache.fish\n  polycache completions --dir completions   # write all of them"
    )]
    Completions(CompletionsArgs),
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
pub struct LogsArgs {
    /// Log files (`-` for standard input); several are merged by time [default: CACHE_LOG]
    #[arg(value_name = "FILE")]
    pub files: Vec<String>,

    /// Only errors: level error (50) and fatal (60).
    #[arg(long)]
    pub errors: bool,

    /// Only entries at this level or above: trace, debug, info, warn, error, fatal, or a number.
    #[arg(long, value_name = "LEVEL")]
    pub level: Option<String>,

    /// Only entries at or after this: a duration back from now (30s, 15m, 2h, 7d, 1w), epoch
    /// milliseconds, an RFC 3339 timestamp, or a local `YYYY-MM-DD[ HH:MM[:SS]]`.
    #[arg(long, value_name = "WHEN")]
    pub since: Option<String>,

    /// Only entries at or before this (same forms as --since).
    #[arg(long, value_name = "WHEN")]
    pub until: Option<String>,

    /// Only entries whose msg matches this regular expression (Rust regex syntax).
    #[arg(long, value_name = "REGEX")]
    pub grep: Option<String>,

    /// Only entries whose top-level field equals the value (a string's text or a number as
    /// written); repeat to require several.
    #[arg(long, value_name = "KEY=VALUE")]
    pub field: Vec<String>,

    /// Only mirror entries (shorthand for --field module=mirror).
    #[arg(long)]
    pub mirror: bool,

    /// Only the last N matching entries, read backwards from the end of the file.
    #[arg(long, value_name = "N")]
    pub tail: Option<usize>,

    /// Keep reading as the file grows; survives rotation (replaced or truncated). Starts at the
    /// beginning, or with the last --tail N entries. Ctrl-C stops.
    #[arg(short, long)]
    pub follow: bool,

    /// Print a summary instead of lines: entries by level and module, and per mirror target
    /// successes, failures, error messages, p50/p95/max durationMs, first and last time.
    #[arg(long, conflicts_with = "follow")]
    pub stats: bool,

    /// Show times in UTC instead of the local zone.
    #[arg(long)]
    pub utc: bool,
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
