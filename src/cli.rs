//! Every flag and subcommand of polycache, with its help text, in one place.

use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand, ValueEnum};

const ABOUT: &str = "Inspect and control the Polymech platform's cache: invalidations, mirrors, the SSE stream, Redis keys and the cache log.";

/// The end of every subcommand's `-h`: short help keeps to one screen, `--help` has the rest.
const MORE: &str = "Examples and every option in detail: --help";

/// The end of `polycache -h`.
const AFTER_SHORT_HELP: &str = "\
Settings come from .env, the environment, then flags (`polycache config` shows them).
Start with `polycache demo`; exit codes and more: --help";

const AFTER_HELP: &str = "\
Configuration is read from .env (the nearest one from the working directory up to the
repository root, or --env-file), then the environment, then flags; later wins.
Run `polycache config` to see every setting and where it came from.

Exit codes: 0 ok, 1 error (or every target failed), 2 usage (bad flag, unknown type),
3 partial failure (some targets failed, some succeeded; `check`: findings), 4 authentication
failed.";

#[derive(Debug, Parser)]
#[command(name = "polycache", version = crate::VERSION, about = ABOUT, after_help = AFTER_SHORT_HELP, after_long_help = AFTER_HELP)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Command,
}

/// Flags every subcommand accepts, listed under their own heading in every `--help`. The
/// settings flags a command reads are its own (see [`ServerArgs`] and the groups after it),
/// so that a flag a command would ignore is a usage error instead.
#[derive(Debug, Args, Clone)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// Read settings from this file instead of searching for `.env`.
    #[arg(long, global = true, hide_short_help = true, value_name = "PATH")]
    pub env_file: Option<PathBuf>,

    /// Print machine-readable JSON instead of tables.
    #[arg(long, global = true)]
    pub json: bool,

    /// When to use colour; NO_COLOR in the environment means never for `auto`.
    #[arg(long, global = true, hide_short_help = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

    /// Say more (repeat for even more).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

pub use crate::style::ColorChoice;
/// A settings override from a flag: the variable, the flag's name, the value.
pub type Override = (&'static str, &'static str, String);

fn push_override(out: &mut Vec<Override>, name: &'static str, flag: &'static str, value: &Option<String>) {
    if let Some(v) = value {
        out.push((name, flag, v.clone()));
    }
}

/// The local server and its mirrors, for the commands that talk to them.
#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Server options")]
pub struct ServerArgs {
    /// Base URL of the local server [env: POLYCACHE_URL]
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,

    #[command(flatten)]
    pub mirrors: MirrorsArgs,
}

/// The mirrors and the certificate authority to reach them: what `serve` needs of the
/// server options (its own address is --bind/--port, not POLYCACHE_URL).
#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Server options")]
pub struct MirrorsArgs {
    /// Comma-separated mirror base URLs [env: CACHE_MIRRORS]
    #[arg(long, value_name = "URLS")]
    pub mirrors: Option<String>,

    /// Also trust this PEM certificate authority for https servers, beside the built-in
    /// roots (e.g. the CA file `serve --dev --self-signed` prints) [env: POLYCACHE_CACERT]
    #[arg(long, value_name = "FILE", hide_short_help = true)]
    pub cacert: Option<String>,
}

/// Where the cache lives in Redis. `global` so that `redis`'s subcommands take them after
/// their own name too (`redis stats --redis-url URL`); it reaches no further than the
/// command that includes the group.
#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Redis options")]
pub struct RedisUrlArgs {
    /// Redis of the server-side cache [env: REDIS_URL]
    #[arg(long, global = true, value_name = "URL")]
    pub redis_url: Option<String>,

    /// Prefix of cache keys in Redis [env: CACHE_PREFIX]
    #[arg(long, global = true, value_name = "PREFIX", hide_short_help = true)]
    pub cache_prefix: Option<String>,
}

/// The cache log.
#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Log options")]
pub struct LogFileArgs {
    /// The cache log file [env: CACHE_LOG]
    #[arg(long, value_name = "PATH")]
    pub log_file: Option<String>,
}

/// The dependency graph; `global` for `redis`'s subcommands, as [`RedisUrlArgs`].
#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Graph options")]
pub struct GraphFileArgs {
    /// The dependency graph's `.ts` or `.json` file.
    ///
    /// Without it, `server/src/cache.ts` is searched for from the working directory up,
    /// else the built-in graph is used.
    #[arg(long, global = true, value_name = "FILE", hide_short_help = true)]
    pub graph: Option<PathBuf>,
}

/// The browser half of the cascade: the component that turns `app-update` events into React
/// Query resets.
#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Graph options")]
pub struct InvalidatorArgs {
    /// The component that handles app-update events, to show what browsers reset [default:
    /// src/components/StreamInvalidator.tsx, searching up from the working directory]
    #[arg(long, value_name = "FILE", hide_short_help = true)]
    pub invalidator: Option<PathBuf>,
}

/// How long a streaming command follows (`tail`, `redis watch`): the one exit rule of
/// [`crate::follow`].
#[derive(Debug, Args, Clone, Default)]
pub struct FollowArgs {
    /// Stop after N events (log entries for `logs`), exit 0.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub count: Option<u64>,

    /// Stop after this long.
    ///
    /// e.g. 30s, 500ms, 2m; a bare number is seconds. Exits 1 if --count was given and not
    /// reached.
    #[arg(long, value_parser = crate::duration::parse_positive, value_name = "DURATION")]
    pub timeout: Option<std::time::Duration>,
}

impl FollowArgs {
    pub fn limits(&self) -> crate::follow::FollowLimits {
        crate::follow::FollowLimits {
            count: self.count,
            timeout: self.timeout,
        }
    }
}

impl ServerArgs {
    fn overrides(&self, out: &mut Vec<Override>) {
        push_override(out, "POLYCACHE_URL", "--url", &self.url);
        self.mirrors.overrides(out);
    }
}

impl MirrorsArgs {
    fn overrides(&self, out: &mut Vec<Override>) {
        push_override(out, "CACHE_MIRRORS", "--mirrors", &self.mirrors);
        push_override(out, "POLYCACHE_CACERT", "--cacert", &self.cacert);
    }
}

impl RedisUrlArgs {
    fn overrides(&self, out: &mut Vec<Override>) {
        push_override(out, "REDIS_URL", "--redis-url", &self.redis_url);
        push_override(out, "CACHE_PREFIX", "--cache-prefix", &self.cache_prefix);
    }
}

impl ServeArgs {
    /// The serve settings that can also come from the environment (POLYCACHE_PORT, ...).
    fn overrides(&self, out: &mut Vec<Override>) {
        push_override(out, "POLYCACHE_PORT", "--port", &self.port.map(|p| p.to_string()));
        push_override(out, "POLYCACHE_BIND", "--bind", &self.bind);
        let store = self.store.map(|s| match s {
            StoreChoice::Memory => "memory".to_string(),
            StoreChoice::Redis => "redis".to_string(),
        });
        push_override(out, "POLYCACHE_STORE", "--store", &store);
        push_override(out, "POLYCACHE_BUS", "--bus", &self.bus.map(|_| "redis".to_string()));
        let path = |p: &Option<PathBuf>| p.as_ref().map(|p| p.display().to_string());
        push_override(out, "POLYCACHE_TLS_CERT", "--tls-cert", &path(&self.tls_cert));
        push_override(out, "POLYCACHE_TLS_KEY", "--tls-key", &path(&self.tls_key));
        push_override(out, "POLYCACHE_STATE", "--state", &path(&self.state));
        push_override(out, "POLYCACHE_LOG_LEVEL", "--log-level", &self.log_level);
    }
}

impl LogFileArgs {
    fn overrides(&self, out: &mut Vec<Override>) {
        push_override(out, "CACHE_LOG", "--log-file", &self.log_file);
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start here: the whole flow once, on two nodes of its own.
    #[command(
        long_about = "Run the cache flow end to end with nothing but this binary: no Redis, no .env, \
no network beyond 127.0.0.1.\n\n\
In this one process it starts two reference nodes on free loopback ports, \"local\" (which \
mirrors to production) and \"production\", each with an in-memory store filled with demo \
entries, a throwaway account and a cache log in a temporary directory, and follows both SSE \
streams. Then it narrates, step by step and with real figures: the graph cascade of \
`pictures`; the entries on each node; `invalidate pictures --mirror --verify` and its table; \
the app-update events on both streams with their propagation times; the entries left on each \
node; an invalidation `--via-server` that the local node broadcasts to production itself, and \
the mirror lines of the local node's log. Every step is checked (✓ or ✗ with the reason).\n\n\
The throwaway account is written to an env file (mode 0600) in the temporary directory, which \
is removed when the demo ends unless --keep; the commands to repeat the flow by hand use \
`--env-file` so no password is printed. --keep leaves both nodes running until Ctrl-C.\n\n\
Exit codes: 0 every step checked out, 1 otherwise.",
        after_help = MORE,
        after_long_help = "Examples:\n  polycache demo\n  polycache demo --keep        # then try the printed commands in another terminal\n  polycache demo --json | jq '.steps[] | {title, ok}'"
    )]
    Demo(DemoArgs),

    /// Start here on a real setup: check it piece by piece.
    #[command(
        long_about = "Check, in order, everything polycache depends on, and print one row per check \
(✓ passed, ✗ failed, ! worth a look) with a one-line hint for each failure:\n\n\
  .env found (and which one); every CACHE_MIRRORS entry valid; the local server and each \
mirror reachable (GET /api/health, else the stream endpoint) with the latency; login on each \
(the token's expiry is shown, never the token); each stream delivers a heartbeat or an event \
within --stream-timeout; Redis reachable and how many keys are under CACHE_PREFIX; the graph's \
source and that it is acyclic; the cache log exists, its size, and its errors of the last hour.\n\n\
Independent checks run at the same time; the table is printed in the order above.\n\n\
Exit codes: 0 every check passed (! rows do not fail), 3 some check failed.",
        after_help = MORE,
        after_long_help = "Examples:\n  polycache doctor\n  polycache doctor --stream-timeout 20s   # wait for a heartbeat (serve pings every 15 s)\n  polycache --env-file deploy/.env.production doctor\n  polycache doctor --json | jq '.checks[] | select(.status == \"fail\")'"
    )]
    Doctor(DoctorArgs),

    /// Show every setting and where it came from (secrets masked).
    #[command(
        after_help = MORE,
        after_long_help = "Examples:\n  polycache config\n  polycache config --json\n  polycache --env-file deploy/.env.production config\n  polycache config --url http://127.0.0.1:3334"
    )]
    Config(ConfigArgs),

    /// Show the dependency cascade of a type, or the whole graph.
    #[command(
        long_about = "Show the dependency graph of cache types.\n\n\
With a TYPE, prints what the type is built from (\"invalidated by\") and what invalidating it \
clears, in clearing order. Without one, prints the whole graph.\n\n\
The graph is read from --graph FILE, else from server/src/cache.ts found by searching up from \
the working directory, else the platform's built-in default; the output names the source.\n\n\
The server sends one app-update for the type, although it clears the whole cascade. When the \
platform's StreamInvalidator.tsx is found (--invalidator FILE, else src/components/ searching up), \
a TYPE's answer also shows the browser half: the React Query keys browsers reset on that event, \
with the line of the case, and marks every type the server clears whose own keys they do not \
reset as stale in browsers (polycache check reports the same as findings).",
        after_help = MORE,
        after_long_help = "Examples:\n  polycache graph feed\n  polycache graph post            # alias of posts\n  polycache graph pictures --invalidator web/src/StreamInvalidator.tsx\n  polycache graph pictures --format dot | dot -Tsvg > graph.svg\n  polycache graph --format mermaid\n  polycache graph --graph server/src/cache.ts --json"
    )]
    Graph(GraphArgs),

    /// Check the platform's source against the cache checklist.
    #[command(
        long_about = "Verify, from the platform's TypeScript source, the checklist for adding a mirrored \
cache type, and report every miss with file:line:column:\n\n\
  1. every appCache.invalidate(...) / appCache.notify(...) call under server/src names a type of \
the graph or its singular alias (did you mean ...); calls whose type is known only at run time are \
listed as not checkable;\n\
  2. src/components/StreamInvalidator.tsx handles every type of the graph and its singular alias \
(the mirror sends `posts`, CRUD routes notify `post`), and no name the graph does not know;\n\
  3. a type and its alias reset the same React Query keys there (when both keys are literal);\n\
  4. the graph has no cycle and no dependency that is a misspelt or singular type.\n\n\
The files are parsed as TypeScript/TSX: string constants, enums, `as const`, `satisfies`, spreads \
and imported constants are followed. StreamInvalidator is read in the shapes real code uses: \
switch/case on the event's type, if (type === ...), arrays or Sets of names with includes/has, \
`type in OBJECT`, and object or Map lookups keyed by the type (HANDLERS[type]).\n\n\
The root is --root, else the nearest directory above the working directory that has \
server/src/cache.ts. --server-dir and --invalidator change the layout; --graph reads the graph \
from another file.\n\n\
Each finding is shown as file:line:col, its kind and message, and the source line with the \
finding underlined. --format compact writes one line per finding (file:line:col: kind: message), \
--format github GitHub Actions workflow commands (annotations on the pull request), --format \
sarif a SARIF 2.1.0 log for code-scanning tools; --json is the JSON report.\n\n\
Exit codes: 0 nothing to fix, 3 findings, 1 a file could not be read or parsed (in every format).",
        after_help = MORE,
        after_long_help = "Examples:\n  polycache check\n  polycache check --root ~/src/polymech\n  polycache check --format compact | grep unknownType\n  polycache check --format github          # in a GitHub Actions step\n  polycache check --format sarif > check.sarif\n  polycache check --json | jq '.findings[] | \"\\(.file):\\(.line):\\(.column) \\(.message)\"'\n  polycache check --server-dir api/src --invalidator web/src/StreamInvalidator.tsx"
    )]
    Check(CheckArgs),

    /// Invalidate cache types on the local server and mirrors.
    #[command(
        long_about = "Invalidate cache types (PROTOCOL section 3).\n\n\
By default only the local server (POLYCACHE_URL) is asked, with `mirror: false`. --mirror asks \
the local server and every CACHE_MIRRORS target directly, each with `mirror: false`, concurrently. \
--only asks just the named base URLs. --via-server sends `mirror: true` to the local server and \
lets it broadcast to its own mirrors.\n\n\
Types are resolved through the dependency graph (`post` means `posts`); the table shows what \
each server says it cleared. Connect errors, timeouts and 5xx answers are retried with backoff; \
4xx answers are not. A 2xx whose body is not `{\"success\": true, ...}` is a failure. Requests \
carry a password or a token, so a redirect is never followed: a 3xx is that target's failure, \
naming where it pointed.\n\n\
--timeout bounds everything one target is asked (login, invalidations, retries; default 10s): \
a target that accepts the connection but never answers is reported when it runs out, naming \
the step, while the others finish as usual. Connecting is given at most 3 s.\n\n\
--verify subscribes to every target's SSE stream before sending and waits for that target's \
`app-update` of the type: a target that accepts the invalidation but never tells its visitors \
is reported as failed.\n\n\
Exit codes: 0 every target succeeded, 3 some succeeded and some failed (or did not stream \
with --verify), 1 nothing succeeded, 4 authentication failed everywhere, 2 unknown type, no \
mirrors for --mirror, or every target refused as plain http to another machine (use https:// \
or --allow-insecure).",
        after_help = MORE,
        after_long_help = "Examples:\n  polycache invalidate posts\n  polycache invalidate post pages --id 42\n  polycache invalidate pictures --mirror --verify\n  polycache invalidate feed --only https://staging.example.com --only https://service.polymech.info\n  polycache invalidate posts --via-server\n  polycache invalidate types --mirror --dry-run\n  polycache invalidate posts --mirror --json | jq '.results[] | select(.ok | not)'"
    )]
    Invalidate(InvalidateArgs),

    /// Follow the SSE stream of the local server and mirrors.
    #[command(
        long_about = "Follow the SSE stream (PROTOCOL section 4) and print one line per event: local \
time, target (when following several), event name, stream id, type, entity id, action, and the \
cascade the type triggers according to the graph. Unknown event names are shown, not dropped.\n\n\
A dropped stream is reconnected with backoff and `Last-Event-ID`, so the server replays what \
was missed; disconnects and resumes are announced on stderr. When the server no longer holds \
what was missed (or never issued the id), it says so with a `stream-reset` event, which tail \
prints as a gap line (an object with `gap: true` with a running `gaps` count in --json) whatever \
the --type filter; gaps do not count towards --count. Heartbeats (`: ping`) are counted \
and shown on stderr with -v.\n\n\
--count N exits 0 once N events have been printed; --timeout D stops after D, exiting 1 if \
--count was given and not reached (0 otherwise).\n\n\
When the platform's StreamInvalidator.tsx is found (--invalidator FILE, else \
src/components/ searching up), -v adds a line under each app-update: the React Query keys \
browsers reset on it and the types the server clears that browsers keep (stale in browsers); \
--json carries the same as `browsers`.",
        after_help = MORE,
        after_long_help = "Examples:\n  polycache tail\n  polycache tail --mirror              # every deployment, merged in arrival order\n  polycache tail --type posts --type pages -v\n  polycache tail --since-id 120        # replay what the server still holds after id 120\n  polycache tail --count 1 --timeout 30s && echo \"an invalidation arrived\"\n  polycache tail --json | jq -r 'select(.type == \"posts\") | .received'\n  polycache tail --bus                 # every instance's invalidations, from Redis"
    )]
    Tail(TailArgs),
    /// The whole cache, live, on one screen.
    #[command(
        long_about = "A full-screen view of the cache for an incident, built from what the other \
commands read, with nothing new asked of the servers:\n\n\
  targets: the local server, every mirror (named by POLYCACHE_NAMES) and the bus when the \
local node is on one: stream state (live, reconnecting since, down with the reason), last event \
id and its age, events per minute, the health round trip and SSE clients;\n\
  invalidations: one row per type seen, with its count in the last 1, 5 and 15 minutes on each \
target, the last action and entity id, and what it clears; a type the local stream showed but a \
mirror did not within 10 s is marked `missed` there;\n\
  propagation: local invalidations matched by type and time on each mirror's stream: p50, p99 \
and max over 5 minutes, and a sparkline;\n\
  the log's last warnings and errors (when CACHE_LOG is readable) and Redis keys and memory per \
type (when REDIS_URL is set), refreshed every --redis-every in the background.\n\n\
Keys: q or Ctrl-C quit, p pause, arrows select a type, Enter shows its cascade, / filters, s \
sorts, i invalidates the selected type after a y/n question (the same run as `invalidate`), ? help.\n\n\
top needs a terminal; --once prints one snapshot as tables (or --json) and exits, anywhere.",
        after_help = MORE,
        after_long_help = "Examples:\n  polycache top\n  polycache top --redis-every 30s\n  polycache top --once\n  polycache top --once --json | jq '.propagation'\n  polycache tail --mirror --json     # the same events as a stream, for scripts"
    )]
    Top(TopArgs),
    /// See and manage the cache in Redis: stats, keys, values, watch.
    #[command(
        long_about = "See and manage what the cache holds in Redis (REDIS_URL, keys under CACHE_PREFIX).\n\n\
Keys follow `{CACHE_PREFIX}{type}:{rest}` (e.g. cache:posts:id:42) and are grouped by type; keys \
under the prefix that do not follow the layout are grouped as `(other)`. Every listing is one SCAN \
pass (never KEYS) with the per-key calls pipelined; on a Redis Cluster every master is scanned.",
        after_help = MORE,
        after_long_help = "Examples:\n  polycache redis stats\n  polycache redis keys --type post --limit 20\n  polycache redis get cache:posts:list\n  polycache redis del --type pictures --cascade --dry-run\n  polycache redis watch --count 10"
    )]
    Redis(RedisArgs),
    /// Read the cache log: readable lines, filters, follow, stats.
    #[command(
        long_about = "Read the cache log: one readable line per entry (time, level, module/type, \
target, status, duration, msg, then the other fields), an err's message with its stack \
indented below. Lines that are not JSON objects are shown dim as they are.\n\n\
FILE defaults to CACHE_LOG (--log-file); `-` reads standard input; several files are merged \
by time, each line after the name of its file (a `file` field in --json). On a terminal the \
readable lines go through a pager (POLYCACHE_PAGER, else PAGER, else `less -R`, with LESS=FRX \
unless LESS is set; empty or `cat` for none), except with --follow or from a pipe; --no-pager \
writes straight to the terminal. Filters combine (all must hold). Times are shown in the local zone (TZ), or UTC \
with --utc. pid and hostname are left out of the readable line; --json keeps every byte.",
        after_help = MORE,
        after_long_help = "Examples:\n  polycache logs                              # the whole CACHE_LOG\n  polycache logs --errors --since 2h\n  polycache logs --mirror --field type=posts --tail 20\n  polycache logs --grep 'invalidat(ed|ion)' server/logs/cache.json\n  polycache logs --follow --level warn\n  polycache logs --stats --since 1d\n  polycache logs --errors --json | jq .err.message\n  polycache logs old.json cache.json          # merged by time\n  polycache logs --rotated --since 1d         # CACHE_LOG and cache.json.1, cache.json.2.gz, ...\n  polycache logs -v --errors /var/log/polymech/   # the rotated set in a directory\n  tail -f cache.json | polycache logs -"
    )]
    Logs(LogsArgs),

    /// Print a shell completion script.
    #[command(
        long_about = "Print a shell completion script.\n\n\
Besides commands and flags, the bash, zsh and fish scripts complete cache type names and their \
aliases wherever a command takes a type (invalidate, graph, tail --type, redis keys/del --type). \
The names are those of the graph at the time the script is made: --graph FILE, else \
server/src/cache.ts found from the working directory, else the built-in default; make the \
script again when the graph changes.",
        after_help = MORE,
        after_long_help = "Examples:\n  polycache completions bash > ~/.local/share/bash-completion/completions/polycache\n  polycache completions zsh > ~/.zfunc/_polycache\n  polycache completions fish > ~/.config/fish/completions/polycache.fish\n  polycache completions zsh --graph ~/src/polymech/server/src/cache.ts > ~/.zfunc/_polycache\n  polycache completions --dir completions   # write all of them"
    )]
    Completions(CompletionsArgs),

    /// Print the man page, or write one per subcommand.
    #[command(
        after_help = MORE,
        after_long_help = "Examples:\n  polycache man | man -l -\n  polycache man --dir man   # write polycache.1, polycache-graph.1, ..."
    )]
    Man(ManArgs),
    /// Run a reference Polymech cache node.
    #[command(
        long_about = "Run a reference Polymech cache node (the server side of the protocol).\n\n\
It answers login (POLYCACHE_AUTH_PATH and the Supabase-shaped /auth/v1/token), invalidation \
(POLYCACHE_INVALIDATE_PATH: clears the type's cascade from its store, notifies SSE clients, and \
broadcasts to its own mirrors with mirror:false), the SSE stream (POLYCACHE_STREAM_PATH) and \
GET /api/health, and GET / (a live page of the stream's events, the entries and the \
connected clients). The stream opens with a `retry:` line (--sse-retry) and a `: connected` \
comment. CORS: the public routes answer every origin; the authenticated ones only --cors-origin. \
HTTPS with --tls-cert/--tls-key, or --dev --self-signed, offers HTTP/2 by ALPN, so a browser \
holds any number of streams on one connection. Sandbox extensions: GET /api/cache/entries lists the cached keys by type, \
PUT /api/cache/entries/{type}/{rest} seeds one (authenticated).\n\n\
Accounts come from SERVICE_EMAIL/SERVICE_PASSWORD and TEST_EMAIL/TEST_PASSWORD; tokens are \
HS256 JWTs signed with JWT_SECRET (1 h). The node logs in to its mirrors with the same \
accounts. Every cache and mirror action is appended to CACHE_LOG (pino NDJSON). Only the \
startup banner and fatal errors go to stdout/stderr. SIGINT/SIGTERM stop it gracefully.",
        after_help = MORE,
        after_long_help = "Examples:\n  polycache serve --dev --demo-data\n  polycache serve --dev --demo-data --cors-origin http://localhost:5173   # a frontend dev server\n  polycache serve --dev --self-signed        # HTTPS + HTTP/2 on loopback\n  polycache serve --tls-cert cert.pem --tls-key key.pem --bind 0.0.0.0 --port 443\n  JWT_SECRET=change-me SERVICE_EMAIL=svc@example.com SERVICE_PASSWORD=pw polycache serve --port 3333\n  polycache serve --port 3334 --store redis --mirrors http://127.0.0.1:3333\n  polycache serve --bind 0.0.0.0 --log-file /var/log/polycache/cache.json"
    )]
    Serve(ServeArgs),
}

/// `config` shows every setting, so it takes every settings flag.
#[derive(Debug, Args)]
pub struct ConfigArgs {
    #[command(flatten)]
    pub server: ServerArgs,

    #[command(flatten)]
    pub redis: RedisUrlArgs,

    #[command(flatten)]
    pub log: LogFileArgs,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Leave both nodes running after the walkthrough, until Ctrl-C.
    #[arg(long)]
    pub keep: bool,

    /// Rehearsal: both nodes wait this many milliseconds before answering each invalidation.
    #[arg(long, hide = true, default_value_t = 0, value_name = "MS")]
    pub delay_ms: u64,
}

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// How long to wait for each stream's heartbeat.
    ///
    /// A stream that opens but stays silent that long is reported with `!` (serve pings
    /// every 15 s by default).
    #[arg(long, default_value = "5s", value_parser = parse_duration, value_name = "DURATION")]
    pub stream_timeout: std::time::Duration,

    /// How long to wait for each server.
    ///
    /// For health and login.
    #[arg(long, default_value = "5s", value_parser = parse_duration, value_name = "DURATION")]
    pub timeout: std::time::Duration,

    #[command(flatten)]
    pub server: ServerArgs,

    #[command(flatten)]
    pub redis: RedisUrlArgs,

    #[command(flatten)]
    pub log: LogFileArgs,

    #[command(flatten)]
    pub graph_file: GraphFileArgs,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Port to listen on [default: 3333].
    ///
    /// 0 picks a free one [env: POLYCACHE_PORT]
    #[arg(long, value_name = "PORT")]
    pub port: Option<u16>,

    /// Address to listen on [default: 127.0.0.1].
    ///
    /// Use 0.0.0.0 to accept other machines [env: POLYCACHE_BIND]
    #[arg(long, value_name = "ADDR")]
    pub bind: Option<String>,

    /// In this process, or in Redis [default: memory].
    ///
    /// Redis is REDIS_URL, keys CACHE_PREFIX{type}:{rest} [env: POLYCACHE_STORE]
    #[arg(hide_possible_values = true, long, value_enum, value_name = "STORE")]
    pub store: Option<StoreChoice>,

    /// A throwaway account and JWT secret.
    ///
    /// A random JWT secret (unless JWT_SECRET is set) and a throwaway account, written to
    /// an env file only you can read (mode 0600; the banner shows its path, never the
    /// password) and removed when the node stops.
    #[arg(long)]
    pub dev: bool,

    /// A few entries per type to start with.
    ///
    /// {type}:list, {type}:id:1 and {type}:id:2 for every type.
    #[arg(long)]
    pub demo_data: bool,

    /// Anyone may list the cached keys.
    ///
    /// GET /api/cache/entries without the admin token; by default only --dev nodes allow
    /// it.
    #[arg(hide_short_help = true, long)]
    pub public_entries: bool,

    /// The stream's heartbeat interval.
    ///
    /// The `: ping` comment on the SSE stream (e.g. 15s, 500ms, 1m).
    #[arg(hide_short_help = true, long, default_value = "15s", value_parser = parse_duration, value_name = "DURATION")]
    pub ping_interval: std::time::Duration,

    /// Allow credentials over http:// off loopback.
    ///
    /// Lets the mirror broadcast send credentials over plain http:// to mirrors that are
    /// not loopback.
    #[arg(hide_short_help = true, long)]
    pub allow_insecure: bool,

    /// Keep the stream's events across restarts.
    ///
    /// The ids and the replay buffer, in this file, so that clients reconnecting with Last-
    /// Event-ID after a restart get what they missed [env: POLYCACHE_STATE]
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,

    /// The lowest level logged [default: info].
    ///
    /// trace, debug, info, warn, error or fatal (pino's levels) [env: POLYCACHE_LOG_LEVEL]
    #[arg(hide_possible_values = true, long, value_name = "LEVEL", value_parser = ["trace", "debug", "info", "warn", "error", "fatal"])]
    pub log_level: Option<String>,

    /// Number the events from N.
    ///
    /// Without it and without --state a node starts its ids from the clock, so that a
    /// client resuming with an id from before a restart gets a stream-reset instead of
    /// another event under the same id; a fixed start gives the same ids on every run
    /// (reproducible examples and tests), at that cost.
    #[arg(hide_short_help = true, long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub first_event_id: Option<u64>,

    /// How long to finish broadcasts when stopping.
    ///
    /// On SIGINT/SIGTERM: each mirror invalidation still unanswered then is abandoned with
    /// a warn line in the log.
    #[arg(hide_short_help = true, long, default_value = "10s", value_parser = parse_duration, value_name = "DURATION")]
    pub shutdown_grace: std::time::Duration,

    /// Serve this long, not ready, when stopping.
    ///
    /// On SIGINT/SIGTERM, /readyz answers 503 that long before the node stops, so that a
    /// load balancer or Kubernetes takes it out first.
    #[arg(hide_short_help = true, long, value_parser = parse_duration, value_name = "DURATION")]
    pub drain: Option<std::time::Duration>,
    /// Let pages of this origin use the API.
    ///
    /// Login and invalidate, with credentials; repeat or separate with commas. The stream,
    /// health, the entries listing and the page answer every origin anyway [env:
    /// POLYCACHE_CORS_ORIGINS]
    #[arg(long, value_name = "ORIGIN", value_delimiter = ',')]
    pub cors_origin: Vec<String>,

    /// The reconnect delay asked of browsers.
    ///
    /// The stream's opening `retry:` line.
    #[arg(hide_short_help = true, long, default_value = "2s", value_parser = parse_duration, value_name = "DURATION")]
    pub sse_retry: std::time::Duration,

    /// At most N stream clients.
    ///
    /// More are answered 503 with Retry-After (browsers' EventSource tries again).
    #[arg(hide_short_help = true, long, value_name = "N")]
    pub max_clients: Option<usize>,

    /// At most N stream clients per address.
    ///
    /// More from one address are answered 503 with Retry-After.
    #[arg(hide_short_help = true, long, value_name = "N")]
    pub max_clients_per_ip: Option<usize>,

    /// A proxy whose X-Forwarded-For is trusted.
    ///
    /// nginx or a load balancer, whose X-Forwarded-For names the client for the per-address
    /// limits; requests from other peers are taken at their address.
    #[arg(hide_short_help = true, long, value_name = "IP", value_delimiter = ',')]
    pub trust_proxy: Vec<std::net::IpAddr>,

    /// Who may read /metrics.
    ///
    /// The Prometheus metrics at GET /metrics: anyone (public), only with a token of this
    /// node's accounts (token), or nobody (off).
    #[arg(
        hide_possible_values = true,
        long,
        value_enum,
        default_value = "public",
        value_name = "ACCESS"
    )]
    pub metrics: crate::server::metrics::Access,

    /// Serve HTTPS with this PEM certificate.
    ///
    /// A PEM chain; HTTP/2 and HTTP/1.1 by ALPN [env: POLYCACHE_TLS_CERT]
    #[arg(long, value_name = "FILE")]
    pub tls_cert: Option<PathBuf>,

    /// The PEM private key of --tls-cert.
    ///
    /// [env: POLYCACHE_TLS_KEY]
    #[arg(long, value_name = "FILE")]
    pub tls_key: Option<PathBuf>,

    /// With --dev: HTTPS with a throwaway CA.
    ///
    /// HTTPS (HTTP/2) with a certificate for localhost, 127.0.0.1 and ::1 from a throwaway
    /// certificate authority, whose certificate is written beside the dev env file (trust
    /// it with --cacert or in a browser profile) and removed when the node stops.
    #[arg(long, requires = "dev")]
    pub self_signed: bool,
    /// Share invalidations through a Redis Stream.
    ///
    /// With the other instances of this deployment, through the Redis Stream at REDIS_URL,
    /// key CACHE_PREFIX + `bus` (a standalone Redis or a Redis Cluster). Each node appends
    /// what it applies and applies what the others append; SSE event ids become stream
    /// entry ids, so a client can resume on any instance [env: POLYCACHE_BUS]
    #[arg(hide_possible_values = true, long, value_enum, value_name = "KIND")]
    pub bus: Option<BusChoice>,

    /// Entries the bus stream keeps.
    ///
    /// XADD MAXLEN ~ N: older entries are trimmed, and a client resuming before them gets a
    /// stream-reset.
    #[arg(hide_short_help = true, long, default_value_t = crate::bus::DEFAULT_MAXLEN, value_parser = clap::value_parser!(u64).range(100..), value_name = "N")]
    pub bus_maxlen: u64,

    /// Rehearsal: answer the first N invalidations with 503.
    #[arg(long, hide = true, default_value_t = 0, value_name = "N")]
    pub inject_503: u64,

    /// Rehearsal: accept invalidations but never announce them on the stream.
    #[arg(long, hide = true)]
    pub no_notify: bool,

    /// Rehearsal: wait this many milliseconds before answering each invalidation.
    #[arg(long, hide = true, default_value_t = 0, value_name = "MS")]
    pub delay_ms: u64,

    #[command(flatten)]
    pub mirrors: MirrorsArgs,

    #[command(flatten)]
    pub redis: RedisUrlArgs,

    #[command(flatten)]
    pub log: LogFileArgs,

    #[command(flatten)]
    pub graph_file: GraphFileArgs,
}

impl Command {
    /// The settings overrides of the flags this command took, for
    /// [`crate::config::LoadOptions`].
    pub fn overrides(&self) -> Vec<Override> {
        let mut out = Vec::new();
        match self {
            Command::Config(a) => {
                a.server.overrides(&mut out);
                a.redis.overrides(&mut out);
                a.log.overrides(&mut out);
            }
            Command::Doctor(a) => {
                a.server.overrides(&mut out);
                a.redis.overrides(&mut out);
                a.log.overrides(&mut out);
            }
            Command::Invalidate(a) => a.server.overrides(&mut out),
            Command::Tail(a) => {
                a.server.overrides(&mut out);
                a.redis.overrides(&mut out);
            }
            Command::Top(a) => {
                a.server.overrides(&mut out);
                a.redis.overrides(&mut out);
                a.log.overrides(&mut out);
            }
            Command::Redis(a) => a.redis.overrides(&mut out),
            Command::Logs(a) => a.log.overrides(&mut out),
            Command::Serve(a) => {
                a.mirrors.overrides(&mut out);
                a.redis.overrides(&mut out);
                a.log.overrides(&mut out);
                a.overrides(&mut out);
            }
            Command::Demo(_) | Command::Graph(_) | Command::Check(_) | Command::Completions(_) | Command::Man(_) => {}
        }
        out
    }

    /// The graph file `--graph` names, for the commands that read the graph.
    pub fn graph_file(&self) -> Option<&Path> {
        let g = match self {
            Command::Doctor(a) => &a.graph_file,
            Command::Serve(a) => &a.graph_file,
            Command::Check(a) => &a.graph_file,
            Command::Graph(a) => &a.graph_file,
            Command::Invalidate(a) => &a.graph_file,
            Command::Tail(a) => &a.graph_file,
            Command::Top(a) => &a.graph_file,
            Command::Redis(a) => &a.graph_file,
            Command::Completions(a) => &a.graph_file,
            Command::Config(_) | Command::Demo(_) | Command::Logs(_) | Command::Man(_) => return None,
        };
        g.graph.as_deref()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BusChoice {
    /// A Redis Stream at REDIS_URL.
    Redis,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StoreChoice {
    Memory,
    Redis,
}

/// The hint for a flag the subcommand `sub` does not take: why `invalidate --bus` cannot
/// be, or which commands do take the flag (`logs --url`: the servers are `tail`'s and
/// `invalidate`'s), instead of clap's tip about `-- --url`.
pub fn unknown_flag_hint(cli: &clap::Command, sub: &str, flag: &str) -> Option<String> {
    if sub == "invalidate" && flag == "--bus" {
        return Some(
            "invalidations are not written to the bus directly: a node clears its own store, appends the entry and \
notifies its clients, and the other nodes apply it from there; send it to any node of the deployment \
(`polycache invalidate TYPE --url URL`) and watch it spread with `polycache tail --bus`"
                .to_string(),
        );
    }
    let name = flag.trim_start_matches('-').split('=').next().unwrap_or("");
    if name.is_empty() || !flag.starts_with("--") {
        return None;
    }
    let mut takes = Vec::new();
    for c in cli.get_subcommands() {
        let mut visit = |c: &clap::Command, path: String| {
            if c.get_arguments()
                .any(|a| a.get_long() == Some(name) && !a.is_hide_set())
            {
                takes.push(path);
            }
        };
        visit(c, c.get_name().to_string());
        for inner in c.get_subcommands() {
            visit(inner, format!("{} {}", c.get_name(), inner.get_name()));
        }
    }
    takes.retain(|t| t != sub);
    match takes.as_slice() {
        [] => None,
        _ => Some(format!(
            "`--{name}` is a flag of `polycache {}`, not of `polycache {sub}`; see `polycache {sub} --help`",
            takes.join("`, `polycache ")
        )),
    }
}

/// Parses `15s`, `500ms`, `2m` or a plain number of seconds.
pub fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    crate::duration::parse_positive(s)
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The platform's checkout [default: the nearest directory up with server/src/cache.ts]
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,

    /// The server's sources, searched for appCache calls; its cache.ts is the graph
    /// [default: ROOT/server/src]
    #[arg(long, value_name = "DIR")]
    pub server_dir: Option<PathBuf>,

    /// The component that handles app-update events
    /// [default: ROOT/src/components/StreamInvalidator.tsx]
    #[arg(long, value_name = "FILE")]
    pub invalidator: Option<PathBuf>,

    /// How findings are written (--json is the JSON report)
    #[arg(long, value_enum, default_value_t = CheckFormat::Human)]
    pub format: CheckFormat,

    #[command(flatten)]
    pub graph_file: GraphFileArgs,
}

/// `check --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CheckFormat {
    /// Each finding with its source line underlined, for people
    Human,
    /// One line per finding: file:line:col: kind: message
    Compact,
    /// GitHub Actions workflow commands: annotations on the lines
    Github,
    /// SARIF 2.1.0 JSON, for code scanning
    Sarif,
}

#[derive(Debug, Args)]
pub struct GraphArgs {
    /// The type to show (singular aliases such as `post` work too).
    pub r#type: Option<String>,

    /// Output format; dot and mermaid draw the whole graph with the type's cascade highlighted.
    #[arg(long, value_enum, default_value_t = GraphFormat::Tree)]
    pub format: GraphFormat,

    #[command(flatten)]
    pub graph_file: GraphFileArgs,

    #[command(flatten)]
    pub invalidator: InvalidatorArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    Tree,
    Dot,
    Mermaid,
    Json,
}

/// Which servers a command talks to: the local one by default.
#[derive(Debug, Args, Clone, Default)]
pub struct TargetArgs {
    /// The local server and every mirror.
    ///
    /// The mirrors are the CACHE_MIRRORS targets (--mirrors), each asked directly with
    /// `mirror: false`.
    #[arg(long, conflicts_with = "only")]
    pub mirror: bool,

    /// Only this base URL (repeat for several).
    ///
    /// Several may also be separated with commas.
    #[arg(long, value_name = "URL", value_delimiter = ',')]
    pub only: Vec<String>,
}

#[derive(Debug, Args)]
pub struct InvalidateArgs {
    /// The types to invalidate (aliases such as `post` work too).
    #[arg(required = true, value_name = "TYPE")]
    pub types: Vec<String>,

    #[command(flatten)]
    pub targets: TargetArgs,

    /// The entity id, passed on to the SSE event.
    ///
    /// Sent as the invalidation's `id`; browsers receive it in the `app-update` event.
    #[arg(long, value_name = "ID")]
    pub id: Option<String>,

    /// Local server broadcasts to its mirrors.
    ///
    /// Sends `mirror: true` to the local server only; it asks its own mirrors.
    #[arg(long, conflicts_with_all = ["mirror", "only"])]
    pub via_server: bool,

    /// Show the requests; send nothing.
    ///
    /// Prints each request and what it clears, on the server and (when
    /// StreamInvalidator.tsx is found) in browsers.
    #[arg(long)]
    pub dry_run: bool,

    /// Check each target's stream announces it.
    ///
    /// Subscribes to each target's stream first, then fails a target that answers 200 but
    /// never tells its visitors.
    #[arg(long)]
    pub verify: bool,

    /// How long --verify waits.
    ///
    /// For each target's event (e.g. 10s, 500ms, 2m).
    #[arg(long, value_parser = crate::duration::parse, default_value = "10s", value_name = "DURATION")]
    pub verify_timeout: std::time::Duration,

    /// Targets asked at the same time.
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u32).range(1..=1024), value_name = "N")]
    pub concurrency: u32,

    /// Retries per request.
    ///
    /// After a connect error, a timeout or a 5xx answer.
    #[arg(long, default_value_t = 2, value_name = "N")]
    pub retries: u32,

    /// Deadline per target.
    ///
    /// Everything one target is asked: login, invalidations and retries (e.g. 10s, 2s, 1m).
    #[arg(long, value_parser = crate::duration::parse_positive, default_value = "10s", value_name = "DURATION")]
    pub timeout: std::time::Duration,

    /// Allow credentials over http:// off loopback.
    ///
    /// Credentials never travel over plain http:// to a host that is not loopback without
    /// it.
    #[arg(long)]
    pub allow_insecure: bool,

    #[command(flatten)]
    pub server: ServerArgs,

    #[command(flatten)]
    pub graph_file: GraphFileArgs,

    #[command(flatten)]
    pub invalidator: InvalidatorArgs,
}

#[derive(Debug, Args)]
pub struct TailArgs {
    #[command(flatten)]
    pub targets: TargetArgs,

    /// Only events of this type (aliases work; repeat for several).
    #[arg(long = "type", value_name = "TYPE")]
    pub types: Vec<String>,

    #[command(flatten)]
    pub follow: FollowArgs,

    /// Replay the events after this id first.
    ///
    /// Sent as Last-Event-ID. Ids are opaque: `17` on a single node, `1764643200000-0` on
    /// the bus.
    #[arg(long, value_name = "ID")]
    pub since_id: Option<String>,

    /// Follow the bus in Redis instead of a stream.
    ///
    /// The invalidation bus straight from Redis (REDIS_URL, key CACHE_PREFIX + `bus`)
    /// instead of a server's SSE stream: which node applied what, with the cascade it
    /// cleared. --since-id takes a stream entry id.
    #[arg(long, conflicts_with_all = ["mirror", "only"])]
    pub bus: bool,

    #[command(flatten)]
    pub server: ServerArgs,

    #[command(flatten)]
    pub redis: RedisUrlArgs,

    #[command(flatten)]
    pub graph_file: GraphFileArgs,

    #[command(flatten)]
    pub invalidator: InvalidatorArgs,
}

#[derive(Debug, Args)]
pub struct TopArgs {
    /// Print one snapshot and exit.
    ///
    /// Tables, or --json, after the targets' first answers.
    #[arg(long)]
    pub once: bool,

    /// How often Redis is scanned.
    ///
    /// For the keys and memory per type, in the background.
    #[arg(long, value_parser = parse_duration, default_value = "10s", value_name = "DURATION")]
    pub redis_every: std::time::Duration,

    /// How often health is asked.
    #[arg(long, value_parser = parse_duration, default_value = "5s", value_name = "DURATION")]
    pub health_every: std::time::Duration,

    /// With --once: how long to wait for answers.
    ///
    /// For the targets' first answers.
    #[arg(long, value_parser = parse_duration, default_value = "3s", value_name = "DURATION")]
    pub wait: std::time::Duration,

    #[command(flatten)]
    pub server: ServerArgs,

    #[command(flatten)]
    pub redis: RedisUrlArgs,

    #[command(flatten)]
    pub log: LogFileArgs,

    #[command(flatten)]
    pub graph_file: GraphFileArgs,
}

#[derive(Debug, Args)]
pub struct LogsArgs {
    /// Log files, `-` or a directory [default: CACHE_LOG]
    ///
    /// `-` reads standard input; several files are merged by time; a directory reads the
    /// log in it with its rotated files (as --rotated).
    #[arg(value_name = "FILE")]
    pub files: Vec<String>,

    /// Read the rotated files too, as one log.
    ///
    /// Oldest first: logrotate's cache.json.1, cache.json.2.gz, ... and pino-roll's
    /// cache.1.json, cache.2.json, ... (compressed or not). A file whose time range lies
    /// outside --since/--until is skipped without being read; -v names each file read or
    /// skipped.
    #[arg(long)]
    pub rotated: bool,

    /// Only errors: level error (50) and fatal (60).
    #[arg(long)]
    pub errors: bool,

    /// Only entries at this level or above.
    ///
    /// trace, debug, info, warn, error, fatal, or a number.
    #[arg(long, value_name = "LEVEL")]
    pub level: Option<String>,

    /// Only entries at or after this (2h, a date).
    ///
    /// A duration back from now (30s, 15m, 2h, 7d, 1w), epoch milliseconds, an RFC 3339
    /// timestamp, or a local `YYYY-MM-DD[ HH:MM[:SS]]`.
    #[arg(long, value_name = "WHEN")]
    pub since: Option<String>,

    /// Only entries at or before this (same forms as --since).
    #[arg(long, value_name = "WHEN")]
    pub until: Option<String>,

    /// Only entries whose msg matches this regex.
    ///
    /// Rust regex syntax.
    #[arg(long, value_name = "REGEX")]
    pub grep: Option<String>,

    /// Only entries whose field equals the value.
    ///
    /// KEY is a top-level field; VALUE a string's text or a number as written. Repeat to
    /// require several.
    #[arg(long, value_name = "KEY=VALUE")]
    pub field: Vec<String>,

    /// Only mirror entries.
    ///
    /// Shorthand for --field module=mirror.
    #[arg(long)]
    pub mirror: bool,

    /// Only the last N matching entries.
    ///
    /// Read backwards from the end of the file.
    #[arg(short = 'n', long, value_name = "N")]
    pub tail: Option<usize>,

    /// Keep reading as the file grows (tail -f).
    ///
    /// Survives rotation (replaced or truncated). Starts with the last 10 entries (-n N for
    /// another number), or at the beginning with --from-start. Ctrl-C stops.
    #[arg(short, long)]
    pub follow: bool,

    #[command(flatten)]
    pub limits: FollowArgs,

    /// With --follow: read the whole file first.
    ///
    /// Instead of its last entries.
    #[arg(long, requires = "follow", conflicts_with = "tail")]
    pub from_start: bool,

    /// A summary instead of lines.
    ///
    /// Entries by level and module, and per mirror target successes, failures, error
    /// messages, p50/p95/max durationMs, first and last time.
    #[arg(long, conflicts_with = "follow")]
    pub stats: bool,

    /// Show times in UTC instead of the local zone.
    #[arg(long)]
    pub utc: bool,

    /// Do not use the pager.
    ///
    /// The pager is $POLYCACHE_PAGER, else $PAGER, else `less -R`; empty or `cat` for none.
    #[arg(long)]
    pub no_pager: bool,

    #[command(flatten)]
    pub log: LogFileArgs,
}

#[derive(Debug, Args)]
pub struct RedisArgs {
    #[command(subcommand)]
    pub command: RedisCommand,

    #[command(flatten)]
    pub redis: RedisUrlArgs,

    #[command(flatten)]
    pub graph_file: GraphFileArgs,
}

#[derive(Debug, Subcommand)]
pub enum RedisCommand {
    /// Keys, memory, largest key and TTLs per type, from one SCAN pass.
    #[command(
        long_about = "Keys, memory, largest key and TTLs per type, from one SCAN pass over {CACHE_PREFIX}*.\n\n\
Per type: how many keys, their total MEMORY USAGE, the largest key, the TTL spread \
(min/median/max) of the keys that have one, and how many have none. Types the dependency \
graph knows are listed even with 0 keys, so an emptied type shows as 0.",
        after_help = MORE,
        after_long_help = "Examples:\n  polycache redis stats\n  polycache redis stats --json | jq '.types[] | select(.keys > 0)'\n  polycache redis stats --redis-url redis://:secret@cache.internal:6379/0"
    )]
    Stats,

    /// List keys with their Redis type, TTL, memory and encoding, sorted by key.
    #[command(
        long_about = "List keys with their Redis type, TTL, memory and encoding, sorted by key.\n\n\
PATTERN is a Redis glob (`*`, `?`, `[abc]`); when it does not start with CACHE_PREFIX it is taken \
relative to it, so `posts:id:*` means `cache:posts:id:*`.\n\n\
Key names are shown with control characters and bytes that are not UTF-8 escaped (`\\xNN`, \
`\\n`; a backslash as `\\\\`), the form `redis get` and `redis del` accept back; in PATTERN too, `\\xNN` is a byte and \
`\\n`, `\\r`, `\\t` those characters, so a printed key is a pattern that matches it. With \
--json a key is its exact text, or that escaped form when it is not UTF-8.",
        after_help = MORE,
        after_long_help = "Examples:\n  polycache redis keys\n  polycache redis keys --type post\n  polycache redis keys 'pages:slug:*' --limit 0\n  polycache redis keys --type '(other)' --json"
    )]
    Keys(RedisKeysArgs),

    /// Print one key's value: JSON pretty-printed, hashes, lists, sets and sorted sets natively.
    #[command(
        long_about = "Print one key's value: JSON strings pretty-printed, hash fields, list items, set and \
sorted-set members natively. The key's type, TTL and size go to stderr so stdout is the value alone.\n\n\
A KEY without CACHE_PREFIX is looked up with it when it does not exist as typed. Values over \
--max-bytes are not read: the command says how big the value is and exits 1. Strings over 1 MiB \
are read and shown in pieces, so memory stays small whatever their size.\n\n\
Keys are named as `redis keys` prints them: control characters and bytes that are not UTF-8 \
as `\\xNN` (one per byte), newline, CR and tab as `\\n`, `\\r`, `\\t`, and a backslash as \
`\\\\`. A backslash that starts none of these stays a backslash. Everything shown from \
Redis has its control characters escaped, so a key or value cannot drive the terminal.",
        after_help = MORE,
        after_long_help = "Examples:\n  polycache redis get cache:posts:list\n  polycache redis get posts:id:42          # prefix added\n  polycache redis get 'cache:posts:\\xff\\xfe'  # a key that is not UTF-8\n  polycache redis get cache:feed:home --max-bytes 10M\n  polycache redis get cache:posts:list --json"
    )]
    Get(RedisGetArgs),

    /// Delete the keys of a type (and with --cascade, of every type its invalidation clears).
    #[command(
        long_about = "Delete the keys of a type, and with --cascade the keys of every type its invalidation \
clears (see `polycache graph TYPE`), with UNLINK in batches. Reports how many keys were removed per type.\n\n\
Without --yes it asks for confirmation on a terminal; without a terminal it refuses (exit 2), so a \
script must say --yes. --dry-run lists the keys that would go and deletes nothing.\n\n\
Instead of a type, KEY... names keys one by one, as `redis keys` prints them (`\\xNN` for a \
byte that is not UTF-8 or a control character, `\\\\` for a backslash; see `redis get --help`).",
        after_help = MORE,
        after_long_help = "Examples:\n  polycache redis del --type pictures --cascade --dry-run\n  polycache redis del 'cache:posts:\\xff' --yes\n  polycache redis del --type picture --cascade --yes\n  polycache redis del --type feed"
    )]
    Del(RedisDelArgs),

    /// Show sets, expiries and deletions under the prefix live (keyspace notifications).
    #[command(
        long_about = "Show sets, expiries and deletions under the prefix live, from Redis keyspace \
notifications (`__keyspace@<db>__:{CACHE_PREFIX}*`).\n\n\
Notifications are off by default in Redis. When `notify-keyspace-events` does not deliver them, the \
command says how to turn them on and exits 1 without touching the server, unless \
--enable-notifications is given (which adds `KA` to the setting).",
        after_help = MORE,
        after_long_help = "Examples:\n  polycache redis watch\n  polycache redis watch --enable-notifications\n  polycache redis watch --count 5 --timeout 30s --json"
    )]
    Watch(RedisWatchArgs),
}

#[derive(Debug, Args)]
pub struct RedisKeysArgs {
    /// Redis glob over key names, relative to CACHE_PREFIX unless it starts with it (`\xNN` is
    /// a byte, as keys are printed).
    pub pattern: Option<String>,

    /// Only keys of this type (aliases such as `post` work; `(other)` for keys outside the layout).
    #[arg(long = "type", value_name = "TYPE")]
    pub r#type: Option<String>,

    /// Show at most N keys (the first N by name); 0 for all.
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pub limit: usize,
}

#[derive(Debug, Args)]
pub struct RedisGetArgs {
    /// The key as `redis keys` prints it (CACHE_PREFIX is added when the key does not exist
    /// as typed; `\xff` is a byte that is not UTF-8).
    pub key: String,

    /// Do not read values bigger than this (bytes; K, M, G suffixes are powers of 1024).
    #[arg(long, value_name = "SIZE", default_value = "1M", value_parser = parse_size)]
    pub max_bytes: u64,
}

#[derive(Debug, Args)]
pub struct RedisDelArgs {
    /// The type whose keys to delete (aliases such as `picture` work).
    #[arg(
        long = "type",
        value_name = "TYPE",
        required_unless_present = "keys",
        conflicts_with = "keys"
    )]
    pub r#type: Option<String>,

    /// Delete these keys instead of a type's, named as `redis keys` prints them (`\xff` for
    /// a byte that is not UTF-8, `\\` for a backslash).
    #[arg(value_name = "KEY", conflicts_with = "cascade")]
    pub keys: Vec<String>,

    /// Also delete the keys of every type that invalidating TYPE clears.
    #[arg(long)]
    pub cascade: bool,

    /// List the keys that would be deleted; delete nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// Do not ask for confirmation (required without a terminal).
    #[arg(long, short = 'y')]
    pub yes: bool,
}

#[derive(Debug, Args)]
pub struct RedisWatchArgs {
    #[command(flatten)]
    pub follow: FollowArgs,

    /// Turn keyspace notifications on (CONFIG SET notify-keyspace-events, adding KA) when they are
    /// off, for as long as the watch runs; the old setting is put back when it ends.
    #[arg(long)]
    pub enable_notifications: bool,
}

/// `1048576`, `512K`, `1M`, `2G` (powers of 1024; `KB`/`KiB`/`MB`/`MiB`... accepted too).
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: u64 = num
        .parse()
        .map_err(|_| format!("`{s}` is not a size (e.g. 1048576, 512K, 1M)"))?;
    let mult: u64 = match unit.trim().to_ascii_uppercase().as_str() {
        "" | "B" => 1,
        "K" | "KB" | "KIB" => 1 << 10,
        "M" | "MB" | "MIB" => 1 << 20,
        "G" | "GB" | "GIB" => 1 << 30,
        _ => return Err(format!("`{s}` has an unknown unit (use K, M or G)")),
    };
    n.checked_mul(mult).ok_or_else(|| format!("`{s}` is too big"))
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to generate for.
    #[arg(value_enum, required_unless_present = "dir")]
    pub shell: Option<clap_complete::Shell>,

    /// Write the scripts for every supported shell into this directory instead.
    #[arg(long, value_name = "DIR", conflicts_with = "shell")]
    pub dir: Option<PathBuf>,

    #[command(flatten)]
    pub graph_file: GraphFileArgs,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write `polycache.1` and one page per subcommand into this directory.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_in_powers_of_1024() {
        assert_eq!(parse_size("1048576"), Ok(1 << 20));
        assert_eq!(parse_size("512K"), Ok(512 << 10));
        assert_eq!(parse_size("1M"), Ok(1 << 20));
        assert_eq!(parse_size("2mib"), Ok(2 << 20));
        assert_eq!(parse_size("71B"), Ok(71));
        assert!(parse_size("1.5M").is_err());
        assert!(parse_size("12X").is_err());
    }

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        use clap::Parser;
        Cli::try_parse_from(std::iter::once("polycache").chain(args.iter().copied()))
    }

    /// clap's own consistency checks of every command, flag, group and default.
    #[test]
    fn the_command_line_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }

    #[test]
    fn global_flags_work_before_and_after_the_command() {
        for args in [&["--json", "graph"][..], &["graph", "--json"]] {
            let cli = parse(args).unwrap();
            assert!(cli.global.json, "{args:?}");
        }
    }

    #[test]
    fn the_graph_file_is_global_for_every_command_that_reads_the_graph() {
        let cli = parse(&["tail", "--graph", "g.json"]).unwrap();
        assert_eq!(cli.command.graph_file(), Some(Path::new("g.json")));
        let cli = parse(&["redis", "keys", "--graph", "g.json"]).unwrap();
        assert_eq!(cli.command.graph_file(), Some(Path::new("g.json")));
    }

    #[test]
    fn the_invalidator_group_is_shared_by_graph_tail_and_invalidate() {
        for args in [
            &["graph", "posts", "--invalidator", "S.tsx"][..],
            &["tail", "--invalidator", "S.tsx"],
            &["invalidate", "posts", "--dry-run", "--invalidator", "S.tsx"],
        ] {
            let cli = parse(args).unwrap();
            let flag = match &cli.command {
                Command::Graph(a) => &a.invalidator,
                Command::Tail(a) => &a.invalidator,
                Command::Invalidate(a) => &a.invalidator,
                _ => unreachable!(),
            };
            assert_eq!(flag.invalidator.as_deref(), Some(Path::new("S.tsx")), "{args:?}");
        }
        assert!(parse(&["logs", "--invalidator", "S.tsx"]).is_err());
    }

    #[test]
    fn logs_rotated_goes_with_follow_tail_and_the_window() {
        let cli = parse(&["logs", "--rotated", "-f", "-n", "5", "--since", "1d", "cache.json"]).unwrap();
        let Command::Logs(a) = &cli.command else { unreachable!() };
        assert!(a.rotated && a.follow);
        assert_eq!(a.tail, Some(5));
        assert!(parse(&["logs", "--rotated", "--stats", "--until", "2h"]).is_ok());
    }

    #[test]
    fn conflicting_target_flags_are_usage_errors() {
        assert!(parse(&["invalidate", "posts", "--via-server", "--mirror"]).is_err());
        assert!(parse(&["tail", "--bus", "--mirror"]).is_err());
        assert!(parse(&["invalidate", "posts", "--concurrency", "0"]).is_err());
        assert!(parse(&["invalidate"]).is_err(), "a type is required");
    }
}
