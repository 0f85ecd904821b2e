# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_polycache_global_optspecs
    string join \n env-file= json color= v/verbose h/help V/version
end

function __fish_polycache_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_polycache_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_polycache_using_subcommand
    set -l cmd (__fish_polycache_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c polycache -n "__fish_polycache_needs_command" -l env-file -d 'Read settings from this file instead of searching for `.env`' -r -F
complete -c polycache -n "__fish_polycache_needs_command" -l color -d 'When to use colour; NO_COLOR in the environment means never for `auto`' -r -f -a "auto\t''
always\t''
never\t''"
complete -c polycache -n "__fish_polycache_needs_command" -l json -d 'Print machine-readable JSON instead of tables'
complete -c polycache -n "__fish_polycache_needs_command" -s v -l verbose -d 'Say more (repeat for even more)'
complete -c polycache -n "__fish_polycache_needs_command" -s h -l help -d 'Print help'
complete -c polycache -n "__fish_polycache_needs_command" -s V -l version -d 'Print version'
complete -c polycache -n "__fish_polycache_needs_command" -f -a "demo" -d 'Start here: watch the whole flow once: two nodes, a mirrored invalidation, the streams and the log'
complete -c polycache -n "__fish_polycache_needs_command" -f -a "doctor" -d 'Start here on a real setup: check it piece by piece: .env, mirrors, servers, login, stream, Redis, graph, log'
complete -c polycache -n "__fish_polycache_needs_command" -f -a "config" -d 'Show every setting, its value and where it came from (secrets masked)'
complete -c polycache -n "__fish_polycache_needs_command" -f -a "check" -d 'Verify the platform\'s checklist for cache types from its source: calls, StreamInvalidator, graph'
complete -c polycache -n "__fish_polycache_needs_command" -f -a "top" -d 'The whole cache, live, on one screen: targets, invalidations, propagation, log, Redis'
complete -c polycache -n "__fish_polycache_needs_command" -f -a "logs" -d 'Read the cache log (pino NDJSON): readable lines, filters, follow, stats'
complete -c polycache -n "__fish_polycache_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c polycache -n "__fish_polycache_needs_command" -f -a "man" -d 'Print the man page (roff), or write one page per subcommand into a directory'
complete -c polycache -n "__fish_polycache_needs_command" -f -a "serve" -d 'Run a reference Polymech cache node: login, invalidation, SSE stream, mirrors'
complete -c polycache -n "__fish_polycache_needs_command" -f -a "invalidate" -d 'Invalidate cache types on the local server, on mirrors, or on chosen targets'
complete -c polycache -n "__fish_polycache_needs_command" -f -a "graph" -d 'Show the dependency cascade of a type, or the whole graph'
complete -c polycache -n "__fish_polycache_needs_command" -f -a "tail" -d 'Follow the SSE stream of the local server, mirrors or chosen targets'
complete -c polycache -n "__fish_polycache_needs_command" -f -a "redis" -d 'See and manage what the cache holds in Redis: stats, keys, values, deletion, live events'
complete -c polycache -n "__fish_polycache_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c polycache -n "__fish_polycache_using_subcommand demo" -l env-file -d 'Read settings from this file instead of searching for `.env`' -r -F
complete -c polycache -n "__fish_polycache_using_subcommand demo" -l color -d 'When to use colour; NO_COLOR in the environment means never for `auto`' -r -f -a "auto\t''
always\t''
never\t''"
complete -c polycache -n "__fish_polycache_using_subcommand demo" -l keep -d 'Leave both nodes running after the walkthrough, until Ctrl-C'
complete -c polycache -n "__fish_polycache_using_subcommand demo" -l json -d 'Print machine-readable JSON instead of tables'
complete -c polycache -n "__fish_polycache_using_subcommand demo" -s v -l verbose -d 'Say more (repeat for even more)'
complete -c polycache -n "__fish_polycache_using_subcommand demo" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c polycache -n "__fish_polycache_using_subcommand doctor" -l stream-timeout -d 'How long to wait for a heartbeat or an event on each stream; a stream that opens but stays silent that long is reported with `!` (serve pings every 15 s by default)' -r
complete -c polycache -n "__fish_polycache_using_subcommand doctor" -l timeout -d 'How long to wait for each server to answer (health, login)' -r
complete -c polycache -n "__fish_polycache_using_subcommand doctor" -l url -d 'Base URL of the local server [env: POLYCACHE_URL]' -r
complete -c polycache -n "__fish_polycache_using_subcommand doctor" -l mirrors -d 'Comma-separated mirror base URLs [env: CACHE_MIRRORS]' -r
complete -c polycache -n "__fish_polycache_using_subcommand doctor" -l cacert -d 'Also trust this PEM certificate authority for https servers, beside the built-in roots (e.g. the CA file `serve --dev --self-signed` prints) [env: POLYCACHE_CACERT]' -r
complete -c polycache -n "__fish_polycache_using_subcommand doctor" -l redis-url -d 'Redis of the server-side cache [env: REDIS_URL]' -r
complete -c polycache -n "__fish_polycache_using_subcommand doctor" -l cache-prefix -d 'Prefix of cache keys in Redis [env: CACHE_PREFIX]' -r
complete -c polycache -n "__fish_polycache_using_subcommand doctor" -l log-file -d 'The cache log file [env: CACHE_LOG]' -r
complete -c polycache -n "__fish_polycache_using_subcommand doctor" -l graph -d 'Read the dependency graph from this `.ts` or `.json` file instead of searching for `server/src/cache.ts`' -r -F
complete -c polycache -n "__fish_polycache_using_subcommand doctor" -l env-file -d 'Read settings from this file instead of searching for `.env`' -r -F
complete -c polycache -n "__fish_polycache_using_subcommand doctor" -l color -d 'When to use colour; NO_COLOR in the environment means never for `auto`' -r -f -a "auto\t''
always\t''
never\t''"
complete -c polycache -n "__fish_polycache_using_subcommand doctor" -l json -d 'Print machine-readable JSON instead of tables'
complete -c polycache -n "__fish_polycache_using_subcommand doctor" -s v -l verbose -d 'Say more (repeat for even more)'
complete -c polycache -n "__fish_polycache_using_subcommand doctor" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c polycache -n "__fish_polycache_using_subcommand config" -l url -d 'Base URL of the local server [env: POLYCACHE_URL]' -r
complete -c polycache -n "__fish_polycache_using_subcommand config" -l mirrors -d 'Comma-separated mirror base URLs [env: CACHE_MIRRORS]' -r
complete -c polycache -n "__fish_polycache_using_subcommand config" -l cacert -d 'Also trust this PEM certificate authority for https servers, beside the built-in roots (e.g. the CA file `serve --dev --self-signed` prints) [env: POLYCACHE_CACERT]' -r
complete -c polycache -n "__fish_polycache_using_subcommand config" -l redis-url -d 'Redis of the server-side cache [env: REDIS_URL]' -r
complete -c polycache -n "__fish_polycache_using_subcommand config" -l cache-prefix -d 'Prefix of cache keys in Redis [env: CACHE_PREFIX]' -r
complete -c polycache -n "__fish_polycache_using_subcommand config" -l log-file -d 'The cache log file [env: CACHE_LOG]' -r
complete -c polycache -n "__fish_polycache_using_subcommand config" -l env-file -d 'Read settings from this file instead of searching for `.env`' -r -F
complete -c polycache -n "__fish_polycache_using_subcommand config" -l color -d 'When to use colour; NO_COLOR in the environment means never for `auto`' -r -f -a "auto\t''
always\t''
never\t''"
complete -c polycache -n "__fish_polycache_using_subcommand config" -l json -d 'Print machine-readable JSON instead of tables'
complete -c polycache -n "__fish_polycache_using_subcommand config" -s v -l verbose -d 'Say more (repeat for even more)'
complete -c polycache -n "__fish_polycache_using_subcommand config" -s h -l help -d 'Print help'
complete -c polycache -n "__fish_polycache_using_subcommand check" -l root -d 'The platform\'s checkout [default: the nearest directory up with server/src/cache.ts]' -r -F
complete -c polycache -n "__fish_polycache_using_subcommand check" -l server-dir -d 'The server\'s sources, searched for appCache calls; its cache.ts is the graph [default: ROOT/server/src]' -r -F
complete -c polycache -n "__fish_polycache_using_subcommand check" -l invalidator -d 'The component that handles app-update events [default: ROOT/src/components/StreamInvalidator.tsx]' -r -F
complete -c polycache -n "__fish_polycache_using_subcommand check" -l graph -d 'Read the dependency graph from this `.ts` or `.json` file instead of searching for `server/src/cache.ts`' -r -F
complete -c polycache -n "__fish_polycache_using_subcommand check" -l env-file -d 'Read settings from this file instead of searching for `.env`' -r -F
complete -c polycache -n "__fish_polycache_using_subcommand check" -l color -d 'When to use colour; NO_COLOR in the environment means never for `auto`' -r -f -a "auto\t''
always\t''
never\t''"
complete -c polycache -n "__fish_polycache_using_subcommand check" -l json -d 'Print machine-readable JSON instead of tables'
complete -c polycache -n "__fish_polycache_using_subcommand check" -s v -l verbose -d 'Say more (repeat for even more)'
complete -c polycache -n "__fish_polycache_using_subcommand check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c polycache -n "__fish_polycache_using_subcommand top" -l redis-every -d 'How often Redis is scanned for the keys and memory per type (in the background)' -r
complete -c polycache -n "__fish_polycache_using_subcommand top" -l health-every -d 'How often each target\'s health is asked' -r
complete -c polycache -n "__fish_polycache_using_subcommand top" -l wait -d 'With --once: how long to wait for the targets\' first answers' -r
complete -c polycache -n "__fish_polycache_using_subcommand top" -l url -d 'Base URL of the local server [env: POLYCACHE_URL]' -r
complete -c polycache -n "__fish_polycache_using_subcommand top" -l mirrors -d 'Comma-separated mirror base URLs [env: CACHE_MIRRORS]' -r
complete -c polycache -n "__fish_polycache_using_subcommand top" -l cacert -d 'Also trust this PEM certificate authority for https servers, beside the built-in roots (e.g. the CA file `serve --dev --self-signed` prints) [env: POLYCACHE_CACERT]' -r
complete -c polycache -n "__fish_polycache_using_subcommand top" -l redis-url -d 'Redis of the server-side cache [env: REDIS_URL]' -r
complete -c polycache -n "__fish_polycache_using_subcommand top" -l cache-prefix -d 'Prefix of cache keys in Redis [env: CACHE_PREFIX]' -r
complete -c polycache -n "__fish_polycache_using_subcommand top" -l log-file -d 'The cache log file [env: CACHE_LOG]' -r
complete -c polycache -n "__fish_polycache_using_subcommand top" -l graph -d 'Read the dependency graph from this `.ts` or `.json` file instead of searching for `server/src/cache.ts`' -r -F
complete -c polycache -n "__fish_polycache_using_subcommand top" -l env-file -d 'Read settings from this file instead of searching for `.env`' -r -F
complete -c polycache -n "__fish_polycache_using_subcommand top" -l color -d 'When to use colour; NO_COLOR in the environment means never for `auto`' -r -f -a "auto\t''
always\t''
never\t''"
complete -c polycache -n "__fish_polycache_using_subcommand top" -l once -d 'Print one snapshot (tables, or --json) after the first answers, and exit'
complete -c polycache -n "__fish_polycache_using_subcommand top" -l json -d 'Print machine-readable JSON instead of tables'
complete -c polycache -n "__fish_polycache_using_subcommand top" -s v -l verbose -d 'Say more (repeat for even more)'
complete -c polycache -n "__fish_polycache_using_subcommand top" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c polycache -n "__fish_polycache_using_subcommand logs" -l level -d 'Only entries at this level or above: trace, debug, info, warn, error, fatal, or a number' -r
complete -c polycache -n "__fish_polycache_using_subcommand logs" -l since -d 'Only entries at or after this: a duration back from now (30s, 15m, 2h, 7d, 1w), epoch milliseconds, an RFC 3339 timestamp, or a local `YYYY-MM-DD[ HH:MM[:SS]]`' -r
complete -c polycache -n "__fish_polycache_using_subcommand logs" -l until -d 'Only entries at or before this (same forms as --since)' -r
complete -c polycache -n "__fish_polycache_using_subcommand logs" -l grep -d 'Only entries whose msg matches this regular expression (Rust regex syntax)' -r
complete -c polycache -n "__fish_polycache_using_subcommand logs" -l field -d 'Only entries whose top-level field equals the value (a string\'s text or a number as written); repeat to require several' -r
complete -c polycache -n "__fish_polycache_using_subcommand logs" -s n -l tail -d 'Only the last N matching entries, read backwards from the end of the file' -r
complete -c polycache -n "__fish_polycache_using_subcommand logs" -l log-file -d 'The cache log file [env: CACHE_LOG]' -r
complete -c polycache -n "__fish_polycache_using_subcommand logs" -l env-file -d 'Read settings from this file instead of searching for `.env`' -r -F
complete -c polycache -n "__fish_polycache_using_subcommand logs" -l color -d 'When to use colour; NO_COLOR in the environment means never for `auto`' -r -f -a "auto\t''
always\t''
never\t''"
complete -c polycache -n "__fish_polycache_using_subcommand logs" -l rotated -d 'Read the log together with its rotated siblings, oldest first, as one log: logrotate\'s cache.json.1, cache.json.2.gz, ... and pino-roll\'s cache.1.json, cache.2.json, ... (compressed or not). A file whose time range lies outside --since/--until is skipped without being read; -v names each file read or skipped'
complete -c polycache -n "__fish_polycache_using_subcommand logs" -l errors -d 'Only errors: level error (50) and fatal (60)'
complete -c polycache -n "__fish_polycache_using_subcommand logs" -l mirror -d 'Only mirror entries (shorthand for --field module=mirror)'
complete -c polycache -n "__fish_polycache_using_subcommand logs" -s f -l follow -d 'Keep reading as the file grows, like `tail -f`; survives rotation (replaced or truncated). Starts with the last 10 entries (-n N for another number), or at the beginning with --from-start. Ctrl-C stops'
complete -c polycache -n "__fish_polycache_using_subcommand logs" -l from-start -d 'With --follow: read the whole file first instead of its last entries'
complete -c polycache -n "__fish_polycache_using_subcommand logs" -l stats -d 'Print a summary instead of lines: entries by level and module, and per mirror target successes, failures, error messages, p50/p95/max durationMs, first and last time'
complete -c polycache -n "__fish_polycache_using_subcommand logs" -l utc -d 'Show times in UTC instead of the local zone'
complete -c polycache -n "__fish_polycache_using_subcommand logs" -l no-pager -d 'Write straight to the terminal instead of through the pager ($POLYCACHE_PAGER, else $PAGER, else `less -R`; empty or `cat` for none)'
complete -c polycache -n "__fish_polycache_using_subcommand logs" -l json -d 'Print machine-readable JSON instead of tables'
complete -c polycache -n "__fish_polycache_using_subcommand logs" -s v -l verbose -d 'Say more (repeat for even more)'
complete -c polycache -n "__fish_polycache_using_subcommand logs" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c polycache -n "__fish_polycache_using_subcommand completions" -l dir -d 'Write the scripts for every supported shell into this directory instead' -r -F
complete -c polycache -n "__fish_polycache_using_subcommand completions" -l graph -d 'Read the dependency graph from this `.ts` or `.json` file instead of searching for `server/src/cache.ts`' -r -F
complete -c polycache -n "__fish_polycache_using_subcommand completions" -l env-file -d 'Read settings from this file instead of searching for `.env`' -r -F
complete -c polycache -n "__fish_polycache_using_subcommand completions" -l color -d 'When to use colour; NO_COLOR in the environment means never for `auto`' -r -f -a "auto\t''
always\t''
never\t''"
complete -c polycache -n "__fish_polycache_using_subcommand completions" -l json -d 'Print machine-readable JSON instead of tables'
complete -c polycache -n "__fish_polycache_using_subcommand completions" -s v -l verbose -d 'Say more (repeat for even more)'
complete -c polycache -n "__fish_polycache_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c polycache -n "__fish_polycache_using_subcommand man" -l dir -d 'Write `polycache.1` and one page per subcommand into this directory' -r -F
complete -c polycache -n "__fish_polycache_using_subcommand man" -l env-file -d 'Read settings from this file instead of searching for `.env`' -r -F
complete -c polycache -n "__fish_polycache_using_subcommand man" -l color -d 'When to use colour; NO_COLOR in the environment means never for `auto`' -r -f -a "auto\t''
always\t''
never\t''"
complete -c polycache -n "__fish_polycache_using_subcommand man" -l json -d 'Print machine-readable JSON instead of tables'
complete -c polycache -n "__fish_polycache_using_subcommand man" -s v -l verbose -d 'Say more (repeat for even more)'
complete -c polycache -n "__fish_polycache_using_subcommand man" -s h -l help -d 'Print help'
complete -c polycache -n "__fish_polycache_using_subcommand serve" -l port -d 'TCP port to listen on (0 picks a free one) [env: POLYCACHE_PORT] [default: 3333]' -r
complete -c polycache -n "__fish_polycache_using_subcommand serve" -l bind -d 'Address to listen on; use 0.0.0.0 to accept other machines [env: POLYCACHE_BIND] [default: 127.0.0.1]' -r
complete -c polycache -n "__fish_polycache_using_subcommand serve" -l store -d 'Where the cache lives: in this process, or in Redis at REDIS_URL (keys CACHE_PREFIX{type}:{rest}) [env: POLYCACHE_STORE] [default: memory]' -r -f -a "memory\t''
redis\t''"
complete -c polycache -n "__fish_polycache_using_subcommand serve" -l ping-interval -d 'Interval of the `: ping` heartbeat on the SSE stream (e.g. 15s, 500ms, 1m)' -r
complete -c polycache -n "__fish_polycache_using_subcommand serve" -l state -d 'Keep the stream\'s events (ids and the replay buffer) in this file, so that clients reconnecting with Last-Event-ID after a restart get what they missed [env: POLYCACHE_STATE]' -r -F
complete -c polycache -n "__fish_polycache_using_subcommand serve" -l log-level -d 'The lowest level written to the cache log: trace, debug, info, warn, error or fatal (pino\'s) [env: POLYCACHE_LOG_LEVEL] [default: info]' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''"
complete -c polycache -n "__fish_polycache_using_subcommand serve" -l first-event-id -d 'Number the stream\'s events from N instead of from the clock. Without --state a node starts its ids from the clock, so that a client resuming with an id from before a restart gets a stream-reset instead of another event under the same id; a fixed start gives the same ids on every run (reproducible examples and tests), at that cost' -r
complete -c polycache -n "__fish_polycache_using_subcommand serve" -l shutdown-grace -d 'On SIGINT/SIGTERM, how long to wait for mirror broadcasts still in flight; each mirror invalidation still unanswered then is abandoned with a warn line in the log' -r
complete -c polycache -n "__fish_polycache_using_subcommand serve" -l drain -d 'On SIGINT/SIGTERM, keep serving this long with /readyz answering 503 before stopping, so that a load balancer or Kubernetes takes the node out first' -r
complete -c polycache -n "__fish_polycache_using_subcommand serve" -l cors-origin -d 'Let pages from this origin use the authenticated API (login, invalidate), with credentials; repeat or separate with commas. The stream, health, the entries listing and the page answer every origin anyway [env: POLYCACHE_CORS_ORIGINS]' -r
complete -c polycache -n "__fish_polycache_using_subcommand serve" -l sse-retry -d 'The reconnect delay the stream asks browsers to use (its opening `retry:` line)' -r
complete -c polycache -n "__fish_polycache_using_subcommand serve" -l max-clients -d 'At most this many stream clients at once; more are answered 503 with Retry-After (browsers\' EventSource tries again)' -r
complete -c polycache -n "__fish_polycache_using_subcommand serve" -l max-clients-per-ip -d 'At most this many stream clients from one address at once (503 with Retry-After)' -r
complete -c polycache -n "__fish_polycache_using_subcommand serve" -l trust-proxy -d 'A proxy (nginx, a load balancer) whose X-Forwarded-For names the client, for the per-address limits; requests from other peers are taken at their address' -r
complete -c polycache -n "__fish_polycache_using_subcommand serve" -l metrics -d 'Who may read the Prometheus metrics at GET /metrics: anyone (public), only with a token of this node\'s accounts (token), or nobody (off)' -r -f -a "public\t'Anyone who can reach the node (the default: it holds no secrets)'
token\t'Only with a token of this node\'s accounts (`Authorization: Bearer`)'
off\t'Not served (404)'"
complete -c polycache -n "__fish_polycache_using_subcommand serve" -l tls-cert -d 'Serve HTTPS with this PEM certificate (chain); HTTP/2 and HTTP/1.1 by ALPN [env: POLYCACHE_TLS_CERT]' -r -F
complete -c polycache -n "__fish_polycache_using_subcommand serve" -l tls-key -d 'The PEM private key of --tls-cert [env: POLYCACHE_TLS_KEY]' -r -F
complete -c polycache -n "__fish_polycache_using_subcommand serve" -l bus -d 'Share invalidations with the other instances of this deployment through a Redis Stream at REDIS_URL, key CACHE_PREFIX + `bus` (a standalone Redis or a Redis Cluster). Each node appends what it applies and applies what the others append; SSE event ids become stream entry ids, so a client can resume on any instance [env: POLYCACHE_BUS]' -r -f -a "redis\t'A Redis Stream at REDIS_URL'"
complete -c polycache -n "__fish_polycache_using_subcommand serve" -l bus-maxlen -d 'Entries the bus stream keeps (XADD MAXLEN ~ N); older ones are trimmed, and a client resuming before them gets a stream-reset' -r
complete -c polycache -n "__fish_polycache_using_subcommand serve" -l inject-503 -d 'Rehearsal: answer the first N invalidations with 503' -r
complete -c polycache -n "__fish_polycache_using_subcommand serve" -l delay-ms -d 'Rehearsal: wait this many milliseconds before answering each invalidation' -r
complete -c polycache -n "__fish_polycache_using_subcommand serve" -l mirrors -d 'Comma-separated mirror base URLs [env: CACHE_MIRRORS]' -r
complete -c polycache -n "__fish_polycache_using_subcommand serve" -l cacert -d 'Also trust this PEM certificate authority for https servers, beside the built-in roots (e.g. the CA file `serve --dev --self-signed` prints) [env: POLYCACHE_CACERT]' -r
complete -c polycache -n "__fish_polycache_using_subcommand serve" -l redis-url -d 'Redis of the server-side cache [env: REDIS_URL]' -r
complete -c polycache -n "__fish_polycache_using_subcommand serve" -l cache-prefix -d 'Prefix of cache keys in Redis [env: CACHE_PREFIX]' -r
complete -c polycache -n "__fish_polycache_using_subcommand serve" -l log-file -d 'The cache log file [env: CACHE_LOG]' -r
complete -c polycache -n "__fish_polycache_using_subcommand serve" -l graph -d 'Read the dependency graph from this `.ts` or `.json` file instead of searching for `server/src/cache.ts`' -r -F
complete -c polycache -n "__fish_polycache_using_subcommand serve" -l env-file -d 'Read settings from this file instead of searching for `.env`' -r -F
complete -c polycache -n "__fish_polycache_using_subcommand serve" -l color -d 'When to use colour; NO_COLOR in the environment means never for `auto`' -r -f -a "auto\t''
always\t''
never\t''"
complete -c polycache -n "__fish_polycache_using_subcommand serve" -l dev -d 'Development mode: a random JWT secret (unless JWT_SECRET is set) and a throwaway account, written to an env file only you can read (mode 0600; the banner shows its path, never the password) and removed when the node stops'
complete -c polycache -n "__fish_polycache_using_subcommand serve" -l demo-data -d 'Fill the store with a few entries per type ({type}:list, {type}:id:1, {type}:id:2)'
complete -c polycache -n "__fish_polycache_using_subcommand serve" -l public-entries -d 'Let anyone read GET /api/cache/entries (every cached key) without the admin token; by default only --dev nodes do'
complete -c polycache -n "__fish_polycache_using_subcommand serve" -l allow-insecure -d 'Let the mirror broadcast send credentials over plain http:// to non-loopback mirrors'
complete -c polycache -n "__fish_polycache_using_subcommand serve" -l self-signed -d 'With --dev: serve HTTPS (HTTP/2) with a throwaway certificate authority and a certificate for localhost, 127.0.0.1 and ::1; the authority\'s certificate is written beside the dev env file (trust it with --cacert or in a browser profile) and removed when the node stops'
complete -c polycache -n "__fish_polycache_using_subcommand serve" -l no-notify -d 'Rehearsal: accept invalidations but never announce them on the stream'
complete -c polycache -n "__fish_polycache_using_subcommand serve" -l json -d 'Print machine-readable JSON instead of tables'
complete -c polycache -n "__fish_polycache_using_subcommand serve" -s v -l verbose -d 'Say more (repeat for even more)'
complete -c polycache -n "__fish_polycache_using_subcommand serve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c polycache -n "__fish_polycache_using_subcommand invalidate" -l only -d 'Only this base URL (repeat, or separate with commas, for several)' -r
complete -c polycache -n "__fish_polycache_using_subcommand invalidate" -l id -d 'The entity id, passed on to the SSE notification' -r
complete -c polycache -n "__fish_polycache_using_subcommand invalidate" -l verify-timeout -d 'How long --verify waits for each target\'s event (e.g. 10s, 500ms, 2m)' -r
complete -c polycache -n "__fish_polycache_using_subcommand invalidate" -l concurrency -d 'How many targets are asked at the same time' -r
complete -c polycache -n "__fish_polycache_using_subcommand invalidate" -l retries -d 'Retries per request after a connect error, a timeout or a 5xx answer' -r
complete -c polycache -n "__fish_polycache_using_subcommand invalidate" -l timeout -d 'Deadline for everything one target is asked: login, invalidations and retries (e.g. 10s, 2s, 1m)' -r
complete -c polycache -n "__fish_polycache_using_subcommand invalidate" -l url -d 'Base URL of the local server [env: POLYCACHE_URL]' -r
complete -c polycache -n "__fish_polycache_using_subcommand invalidate" -l mirrors -d 'Comma-separated mirror base URLs [env: CACHE_MIRRORS]' -r
complete -c polycache -n "__fish_polycache_using_subcommand invalidate" -l cacert -d 'Also trust this PEM certificate authority for https servers, beside the built-in roots (e.g. the CA file `serve --dev --self-signed` prints) [env: POLYCACHE_CACERT]' -r
complete -c polycache -n "__fish_polycache_using_subcommand invalidate" -l graph -d 'Read the dependency graph from this `.ts` or `.json` file instead of searching for `server/src/cache.ts`' -r -F
complete -c polycache -n "__fish_polycache_using_subcommand invalidate" -l invalidator -d 'The component that handles app-update events, to show what browsers reset [default: src/components/StreamInvalidator.tsx, searching up from the working directory]' -r -F
complete -c polycache -n "__fish_polycache_using_subcommand invalidate" -l env-file -d 'Read settings from this file instead of searching for `.env`' -r -F
complete -c polycache -n "__fish_polycache_using_subcommand invalidate" -l color -d 'When to use colour; NO_COLOR in the environment means never for `auto`' -r -f -a "auto\t''
always\t''
never\t''"
complete -c polycache -n "__fish_polycache_using_subcommand invalidate" -l mirror -d 'The local server and every CACHE_MIRRORS target'
complete -c polycache -n "__fish_polycache_using_subcommand invalidate" -l via-server -d 'Send `mirror: true` to the local server and let it broadcast to its own mirrors'
complete -c polycache -n "__fish_polycache_using_subcommand invalidate" -l dry-run -d 'Print the requests that would be sent and what they clear (on the server and, when StreamInvalidator.tsx is found, in browsers); send nothing'
complete -c polycache -n "__fish_polycache_using_subcommand invalidate" -l verify -d 'Subscribe to each target\'s stream first and check that it announces the invalidation'
complete -c polycache -n "__fish_polycache_using_subcommand invalidate" -l allow-insecure -d 'Allow sending credentials over plain http:// to a host that is not loopback'
complete -c polycache -n "__fish_polycache_using_subcommand invalidate" -l json -d 'Print machine-readable JSON instead of tables'
complete -c polycache -n "__fish_polycache_using_subcommand invalidate" -s v -l verbose -d 'Say more (repeat for even more)'
complete -c polycache -n "__fish_polycache_using_subcommand invalidate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c polycache -n "__fish_polycache_using_subcommand graph" -l format -d 'Output format; dot and mermaid draw the whole graph with the type\'s cascade highlighted' -r -f -a "tree\t''
dot\t''
mermaid\t''
json\t''"
complete -c polycache -n "__fish_polycache_using_subcommand graph" -l graph -d 'Read the dependency graph from this `.ts` or `.json` file instead of searching for `server/src/cache.ts`' -r -F
complete -c polycache -n "__fish_polycache_using_subcommand graph" -l invalidator -d 'The component that handles app-update events, to show what browsers reset [default: src/components/StreamInvalidator.tsx, searching up from the working directory]' -r -F
complete -c polycache -n "__fish_polycache_using_subcommand graph" -l env-file -d 'Read settings from this file instead of searching for `.env`' -r -F
complete -c polycache -n "__fish_polycache_using_subcommand graph" -l color -d 'When to use colour; NO_COLOR in the environment means never for `auto`' -r -f -a "auto\t''
always\t''
never\t''"
complete -c polycache -n "__fish_polycache_using_subcommand graph" -l json -d 'Print machine-readable JSON instead of tables'
complete -c polycache -n "__fish_polycache_using_subcommand graph" -s v -l verbose -d 'Say more (repeat for even more)'
complete -c polycache -n "__fish_polycache_using_subcommand graph" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c polycache -n "__fish_polycache_using_subcommand tail" -l only -d 'Only this base URL (repeat, or separate with commas, for several)' -r
complete -c polycache -n "__fish_polycache_using_subcommand tail" -l count -d 'Stop after N events, exit 0' -r
complete -c polycache -n "__fish_polycache_using_subcommand tail" -l timeout -d 'Stop after this long (e.g. 30s, 500ms, 2m; a bare number is seconds); exit 1 if --count was given and not reached' -r
complete -c polycache -n "__fish_polycache_using_subcommand tail" -l since-id -d 'Ask the server to replay the events after this id first (sent as Last-Event-ID). Ids are opaque: `17` on a single node, `1764643200000-0` on the bus' -r
complete -c polycache -n "__fish_polycache_using_subcommand tail" -l url -d 'Base URL of the local server [env: POLYCACHE_URL]' -r
complete -c polycache -n "__fish_polycache_using_subcommand tail" -l mirrors -d 'Comma-separated mirror base URLs [env: CACHE_MIRRORS]' -r
complete -c polycache -n "__fish_polycache_using_subcommand tail" -l cacert -d 'Also trust this PEM certificate authority for https servers, beside the built-in roots (e.g. the CA file `serve --dev --self-signed` prints) [env: POLYCACHE_CACERT]' -r
complete -c polycache -n "__fish_polycache_using_subcommand tail" -l redis-url -d 'Redis of the server-side cache [env: REDIS_URL]' -r
complete -c polycache -n "__fish_polycache_using_subcommand tail" -l cache-prefix -d 'Prefix of cache keys in Redis [env: CACHE_PREFIX]' -r
complete -c polycache -n "__fish_polycache_using_subcommand tail" -l graph -d 'Read the dependency graph from this `.ts` or `.json` file instead of searching for `server/src/cache.ts`' -r -F
complete -c polycache -n "__fish_polycache_using_subcommand tail" -l invalidator -d 'The component that handles app-update events, to show what browsers reset [default: src/components/StreamInvalidator.tsx, searching up from the working directory]' -r -F
complete -c polycache -n "__fish_polycache_using_subcommand tail" -l type -d 'Only events of this type (aliases work; repeat for several)' -r -f -a "posts\t'clears posts, feed'
pages\t'clears pages, feed'
categories\t'clears categories, posts, pages, feed'
translations\t'clears translations, pages, feed'
feed\t'clears feed'
auth\t'clears auth'
pictures\t'clears pictures, posts, pages, feed'
types\t'clears types, categories, posts, pages, feed'
post\t'alias of posts'
page\t'alias of pages'
category\t'alias of categories'
translation\t'alias of translations'
picture\t'alias of pictures'
type\t'alias of types'"
complete -c polycache -n "__fish_polycache_using_subcommand tail" -l env-file -d 'Read settings from this file instead of searching for `.env`' -r -F
complete -c polycache -n "__fish_polycache_using_subcommand tail" -l color -d 'When to use colour; NO_COLOR in the environment means never for `auto`' -r -f -a "auto\t''
always\t''
never\t''"
complete -c polycache -n "__fish_polycache_using_subcommand tail" -l mirror -d 'The local server and every CACHE_MIRRORS target'
complete -c polycache -n "__fish_polycache_using_subcommand tail" -l bus -d 'Follow the invalidation bus straight from Redis (REDIS_URL, key CACHE_PREFIX + `bus`) instead of a server\'s SSE stream: which node applied what, with the cascade it cleared. --since-id takes a stream entry id'
complete -c polycache -n "__fish_polycache_using_subcommand tail" -l json -d 'Print machine-readable JSON instead of tables'
complete -c polycache -n "__fish_polycache_using_subcommand tail" -s v -l verbose -d 'Say more (repeat for even more)'
complete -c polycache -n "__fish_polycache_using_subcommand tail" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c polycache -n "__fish_polycache_using_subcommand redis; and not __fish_seen_subcommand_from stats get watch keys del help" -l redis-url -d 'Redis of the server-side cache [env: REDIS_URL]' -r
complete -c polycache -n "__fish_polycache_using_subcommand redis; and not __fish_seen_subcommand_from stats get watch keys del help" -l cache-prefix -d 'Prefix of cache keys in Redis [env: CACHE_PREFIX]' -r
complete -c polycache -n "__fish_polycache_using_subcommand redis; and not __fish_seen_subcommand_from stats get watch keys del help" -l graph -d 'Read the dependency graph from this `.ts` or `.json` file instead of searching for `server/src/cache.ts`' -r -F
complete -c polycache -n "__fish_polycache_using_subcommand redis; and not __fish_seen_subcommand_from stats get watch keys del help" -l env-file -d 'Read settings from this file instead of searching for `.env`' -r -F
complete -c polycache -n "__fish_polycache_using_subcommand redis; and not __fish_seen_subcommand_from stats get watch keys del help" -l color -d 'When to use colour; NO_COLOR in the environment means never for `auto`' -r -f -a "auto\t''
always\t''
never\t''"
complete -c polycache -n "__fish_polycache_using_subcommand redis; and not __fish_seen_subcommand_from stats get watch keys del help" -l json -d 'Print machine-readable JSON instead of tables'
complete -c polycache -n "__fish_polycache_using_subcommand redis; and not __fish_seen_subcommand_from stats get watch keys del help" -s v -l verbose -d 'Say more (repeat for even more)'
complete -c polycache -n "__fish_polycache_using_subcommand redis; and not __fish_seen_subcommand_from stats get watch keys del help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c polycache -n "__fish_polycache_using_subcommand redis; and not __fish_seen_subcommand_from stats get watch keys del help" -f -a "stats" -d 'Keys, memory, largest key and TTLs per type, from one SCAN pass'
complete -c polycache -n "__fish_polycache_using_subcommand redis; and not __fish_seen_subcommand_from stats get watch keys del help" -f -a "get" -d 'Print one key\'s value: JSON pretty-printed, hashes, lists, sets and sorted sets natively'
complete -c polycache -n "__fish_polycache_using_subcommand redis; and not __fish_seen_subcommand_from stats get watch keys del help" -f -a "watch" -d 'Show sets, expiries and deletions under the prefix live (keyspace notifications)'
complete -c polycache -n "__fish_polycache_using_subcommand redis; and not __fish_seen_subcommand_from stats get watch keys del help" -f -a "keys" -d 'List keys with their Redis type, TTL, memory and encoding, sorted by key'
complete -c polycache -n "__fish_polycache_using_subcommand redis; and not __fish_seen_subcommand_from stats get watch keys del help" -f -a "del" -d 'Delete the keys of a type (and with --cascade, of every type its invalidation clears)'
complete -c polycache -n "__fish_polycache_using_subcommand redis; and not __fish_seen_subcommand_from stats get watch keys del help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c polycache -n "__fish_polycache_using_subcommand redis; and __fish_seen_subcommand_from stats" -l redis-url -d 'Redis of the server-side cache [env: REDIS_URL]' -r
complete -c polycache -n "__fish_polycache_using_subcommand redis; and __fish_seen_subcommand_from stats" -l cache-prefix -d 'Prefix of cache keys in Redis [env: CACHE_PREFIX]' -r
complete -c polycache -n "__fish_polycache_using_subcommand redis; and __fish_seen_subcommand_from stats" -l graph -d 'Read the dependency graph from this `.ts` or `.json` file instead of searching for `server/src/cache.ts`' -r -F
complete -c polycache -n "__fish_polycache_using_subcommand redis; and __fish_seen_subcommand_from stats" -l env-file -d 'Read settings from this file instead of searching for `.env`' -r -F
complete -c polycache -n "__fish_polycache_using_subcommand redis; and __fish_seen_subcommand_from stats" -l color -d 'When to use colour; NO_COLOR in the environment means never for `auto`' -r -f -a "auto\t''
always\t''
never\t''"
complete -c polycache -n "__fish_polycache_using_subcommand redis; and __fish_seen_subcommand_from stats" -l json -d 'Print machine-readable JSON instead of tables'
complete -c polycache -n "__fish_polycache_using_subcommand redis; and __fish_seen_subcommand_from stats" -s v -l verbose -d 'Say more (repeat for even more)'
complete -c polycache -n "__fish_polycache_using_subcommand redis; and __fish_seen_subcommand_from stats" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c polycache -n "__fish_polycache_using_subcommand redis; and __fish_seen_subcommand_from get" -l max-bytes -d 'Do not read values bigger than this (bytes; K, M, G suffixes are powers of 1024)' -r
complete -c polycache -n "__fish_polycache_using_subcommand redis; and __fish_seen_subcommand_from get" -l redis-url -d 'Redis of the server-side cache [env: REDIS_URL]' -r
complete -c polycache -n "__fish_polycache_using_subcommand redis; and __fish_seen_subcommand_from get" -l cache-prefix -d 'Prefix of cache keys in Redis [env: CACHE_PREFIX]' -r
complete -c polycache -n "__fish_polycache_using_subcommand redis; and __fish_seen_subcommand_from get" -l graph -d 'Read the dependency graph from this `.ts` or `.json` file instead of searching for `server/src/cache.ts`' -r -F
complete -c polycache -n "__fish_polycache_using_subcommand redis; and __fish_seen_subcommand_from get" -l env-file -d 'Read settings from this file instead of searching for `.env`' -r -F
complete -c polycache -n "__fish_polycache_using_subcommand redis; and __fish_seen_subcommand_from get" -l color -d 'When to use colour; NO_COLOR in the environment means never for `auto`' -r -f -a "auto\t''
always\t''
never\t''"
complete -c polycache -n "__fish_polycache_using_subcommand redis; and __fish_seen_subcommand_from get" -l json -d 'Print machine-readable JSON instead of tables'
complete -c polycache -n "__fish_polycache_using_subcommand redis; and __fish_seen_subcommand_from get" -s v -l verbose -d 'Say more (repeat for even more)'
complete -c polycache -n "__fish_polycache_using_subcommand redis; and __fish_seen_subcommand_from get" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c polycache -n "__fish_polycache_using_subcommand redis; and __fish_seen_subcommand_from watch" -l count -d 'Stop after N events, exit 0' -r
complete -c polycache -n "__fish_polycache_using_subcommand redis; and __fish_seen_subcommand_from watch" -l timeout -d 'Stop after this long (e.g. 30s, 500ms, 2m; a bare number is seconds); exit 1 if --count was given and not reached' -r
complete -c polycache -n "__fish_polycache_using_subcommand redis; and __fish_seen_subcommand_from watch" -l redis-url -d 'Redis of the server-side cache [env: REDIS_URL]' -r
complete -c polycache -n "__fish_polycache_using_subcommand redis; and __fish_seen_subcommand_from watch" -l cache-prefix -d 'Prefix of cache keys in Redis [env: CACHE_PREFIX]' -r
complete -c polycache -n "__fish_polycache_using_subcommand redis; and __fish_seen_subcommand_from watch" -l graph -d 'Read the dependency graph from this `.ts` or `.json` file instead of searching for `server/src/cache.ts`' -r -F
complete -c polycache -n "__fish_polycache_using_subcommand redis; and __fish_seen_subcommand_from watch" -l env-file -d 'Read settings from this file instead of searching for `.env`' -r -F
complete -c polycache -n "__fish_polycache_using_subcommand redis; and __fish_seen_subcommand_from watch" -l color -d 'When to use colour; NO_COLOR in the environment means never for `auto`' -r -f -a "auto\t''
always\t''
never\t''"
complete -c polycache -n "__fish_polycache_using_subcommand redis; and __fish_seen_subcommand_from watch" -l enable-notifications -d 'Turn keyspace notifications on (CONFIG SET notify-keyspace-events, adding KA) when they are off, for as long as the watch runs; the old setting is put back when it ends'
complete -c polycache -n "__fish_polycache_using_subcommand redis; and __fish_seen_subcommand_from watch" -l json -d 'Print machine-readable JSON instead of tables'
complete -c polycache -n "__fish_polycache_using_subcommand redis; and __fish_seen_subcommand_from watch" -s v -l verbose -d 'Say more (repeat for even more)'
complete -c polycache -n "__fish_polycache_using_subcommand redis; and __fish_seen_subcommand_from watch" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c polycache -n "__fish_polycache_using_subcommand redis; and __fish_seen_subcommand_from keys" -l limit -d 'Show at most N keys (the first N by name); 0 for all' -r
complete -c polycache -n "__fish_polycache_using_subcommand redis; and __fish_seen_subcommand_from keys" -l type -d 'Only keys of this type (aliases such as `post` work; `(other)` for keys outside the layout)' -r -f -a "posts\t'clears posts, feed'
pages\t'clears pages, feed'
categories\t'clears categories, posts, pages, feed'
translations\t'clears translations, pages, feed'
feed\t'clears feed'
auth\t'clears auth'
pictures\t'clears pictures, posts, pages, feed'
types\t'clears types, categories, posts, pages, feed'
post\t'alias of posts'
page\t'alias of pages'
category\t'alias of categories'
translation\t'alias of translations'
picture\t'alias of pictures'
type\t'alias of types'"
complete -c polycache -n "__fish_polycache_using_subcommand redis; and __fish_seen_subcommand_from keys" -l redis-url -d 'Redis of the server-side cache [env: REDIS_URL]' -r
complete -c polycache -n "__fish_polycache_using_subcommand redis; and __fish_seen_subcommand_from keys" -l cache-prefix -d 'Prefix of cache keys in Redis [env: CACHE_PREFIX]' -r
complete -c polycache -n "__fish_polycache_using_subcommand redis; and __fish_seen_subcommand_from keys" -l graph -d 'Read the dependency graph from this `.ts` or `.json` file instead of searching for `server/src/cache.ts`' -r -F
complete -c polycache -n "__fish_polycache_using_subcommand redis; and __fish_seen_subcommand_from keys" -l env-file -d 'Read settings from this file instead of searching for `.env`' -r -F
complete -c polycache -n "__fish_polycache_using_subcommand redis; and __fish_seen_subcommand_from keys" -l color -d 'When to use colour; NO_COLOR in the environment means never for `auto`' -r -f -a "auto\t''
always\t''
never\t''"
complete -c polycache -n "__fish_polycache_using_subcommand redis; and __fish_seen_subcommand_from keys" -l json -d 'Print machine-readable JSON instead of tables'
complete -c polycache -n "__fish_polycache_using_subcommand redis; and __fish_seen_subcommand_from keys" -s v -l verbose -d 'Say more (repeat for even more)'
complete -c polycache -n "__fish_polycache_using_subcommand redis; and __fish_seen_subcommand_from keys" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c polycache -n "__fish_polycache_using_subcommand redis; and __fish_seen_subcommand_from del" -l type -d 'The type whose keys to delete (aliases such as `picture` work)' -r -f -a "posts\t'clears posts, feed'
pages\t'clears pages, feed'
categories\t'clears categories, posts, pages, feed'
translations\t'clears translations, pages, feed'
feed\t'clears feed'
auth\t'clears auth'
pictures\t'clears pictures, posts, pages, feed'
types\t'clears types, categories, posts, pages, feed'
post\t'alias of posts'
page\t'alias of pages'
category\t'alias of categories'
translation\t'alias of translations'
picture\t'alias of pictures'
type\t'alias of types'"
complete -c polycache -n "__fish_polycache_using_subcommand redis; and __fish_seen_subcommand_from del" -l redis-url -d 'Redis of the server-side cache [env: REDIS_URL]' -r
complete -c polycache -n "__fish_polycache_using_subcommand redis; and __fish_seen_subcommand_from del" -l cache-prefix -d 'Prefix of cache keys in Redis [env: CACHE_PREFIX]' -r
complete -c polycache -n "__fish_polycache_using_subcommand redis; and __fish_seen_subcommand_from del" -l graph -d 'Read the dependency graph from this `.ts` or `.json` file instead of searching for `server/src/cache.ts`' -r -F
complete -c polycache -n "__fish_polycache_using_subcommand redis; and __fish_seen_subcommand_from del" -l env-file -d 'Read settings from this file instead of searching for `.env`' -r -F
complete -c polycache -n "__fish_polycache_using_subcommand redis; and __fish_seen_subcommand_from del" -l color -d 'When to use colour; NO_COLOR in the environment means never for `auto`' -r -f -a "auto\t''
always\t''
never\t''"
complete -c polycache -n "__fish_polycache_using_subcommand redis; and __fish_seen_subcommand_from del" -l cascade -d 'Also delete the keys of every type that invalidating TYPE clears'
complete -c polycache -n "__fish_polycache_using_subcommand redis; and __fish_seen_subcommand_from del" -l dry-run -d 'List the keys that would be deleted; delete nothing'
complete -c polycache -n "__fish_polycache_using_subcommand redis; and __fish_seen_subcommand_from del" -s y -l yes -d 'Do not ask for confirmation (required without a terminal)'
complete -c polycache -n "__fish_polycache_using_subcommand redis; and __fish_seen_subcommand_from del" -l json -d 'Print machine-readable JSON instead of tables'
complete -c polycache -n "__fish_polycache_using_subcommand redis; and __fish_seen_subcommand_from del" -s v -l verbose -d 'Say more (repeat for even more)'
complete -c polycache -n "__fish_polycache_using_subcommand redis; and __fish_seen_subcommand_from del" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c polycache -n "__fish_polycache_using_subcommand redis; and __fish_seen_subcommand_from help" -f -a "stats" -d 'Keys, memory, largest key and TTLs per type, from one SCAN pass'
complete -c polycache -n "__fish_polycache_using_subcommand redis; and __fish_seen_subcommand_from help" -f -a "get" -d 'Print one key\'s value: JSON pretty-printed, hashes, lists, sets and sorted sets natively'
complete -c polycache -n "__fish_polycache_using_subcommand redis; and __fish_seen_subcommand_from help" -f -a "watch" -d 'Show sets, expiries and deletions under the prefix live (keyspace notifications)'
complete -c polycache -n "__fish_polycache_using_subcommand redis; and __fish_seen_subcommand_from help" -f -a "keys" -d 'List keys with their Redis type, TTL, memory and encoding, sorted by key'
complete -c polycache -n "__fish_polycache_using_subcommand redis; and __fish_seen_subcommand_from help" -f -a "del" -d 'Delete the keys of a type (and with --cascade, of every type its invalidation clears)'
complete -c polycache -n "__fish_polycache_using_subcommand redis; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c polycache -n "__fish_polycache_using_subcommand help; and not __fish_seen_subcommand_from demo doctor config check top logs completions man serve invalidate graph tail redis help" -f -a "demo" -d 'Start here: watch the whole flow once: two nodes, a mirrored invalidation, the streams and the log'
complete -c polycache -n "__fish_polycache_using_subcommand help; and not __fish_seen_subcommand_from demo doctor config check top logs completions man serve invalidate graph tail redis help" -f -a "doctor" -d 'Start here on a real setup: check it piece by piece: .env, mirrors, servers, login, stream, Redis, graph, log'
complete -c polycache -n "__fish_polycache_using_subcommand help; and not __fish_seen_subcommand_from demo doctor config check top logs completions man serve invalidate graph tail redis help" -f -a "config" -d 'Show every setting, its value and where it came from (secrets masked)'
complete -c polycache -n "__fish_polycache_using_subcommand help; and not __fish_seen_subcommand_from demo doctor config check top logs completions man serve invalidate graph tail redis help" -f -a "check" -d 'Verify the platform\'s checklist for cache types from its source: calls, StreamInvalidator, graph'
complete -c polycache -n "__fish_polycache_using_subcommand help; and not __fish_seen_subcommand_from demo doctor config check top logs completions man serve invalidate graph tail redis help" -f -a "top" -d 'The whole cache, live, on one screen: targets, invalidations, propagation, log, Redis'
complete -c polycache -n "__fish_polycache_using_subcommand help; and not __fish_seen_subcommand_from demo doctor config check top logs completions man serve invalidate graph tail redis help" -f -a "logs" -d 'Read the cache log (pino NDJSON): readable lines, filters, follow, stats'
complete -c polycache -n "__fish_polycache_using_subcommand help; and not __fish_seen_subcommand_from demo doctor config check top logs completions man serve invalidate graph tail redis help" -f -a "completions" -d 'Print a shell completion script'
complete -c polycache -n "__fish_polycache_using_subcommand help; and not __fish_seen_subcommand_from demo doctor config check top logs completions man serve invalidate graph tail redis help" -f -a "man" -d 'Print the man page (roff), or write one page per subcommand into a directory'
complete -c polycache -n "__fish_polycache_using_subcommand help; and not __fish_seen_subcommand_from demo doctor config check top logs completions man serve invalidate graph tail redis help" -f -a "serve" -d 'Run a reference Polymech cache node: login, invalidation, SSE stream, mirrors'
complete -c polycache -n "__fish_polycache_using_subcommand help; and not __fish_seen_subcommand_from demo doctor config check top logs completions man serve invalidate graph tail redis help" -f -a "invalidate" -d 'Invalidate cache types on the local server, on mirrors, or on chosen targets'
complete -c polycache -n "__fish_polycache_using_subcommand help; and not __fish_seen_subcommand_from demo doctor config check top logs completions man serve invalidate graph tail redis help" -f -a "graph" -d 'Show the dependency cascade of a type, or the whole graph'
complete -c polycache -n "__fish_polycache_using_subcommand help; and not __fish_seen_subcommand_from demo doctor config check top logs completions man serve invalidate graph tail redis help" -f -a "tail" -d 'Follow the SSE stream of the local server, mirrors or chosen targets'
complete -c polycache -n "__fish_polycache_using_subcommand help; and not __fish_seen_subcommand_from demo doctor config check top logs completions man serve invalidate graph tail redis help" -f -a "redis" -d 'See and manage what the cache holds in Redis: stats, keys, values, deletion, live events'
complete -c polycache -n "__fish_polycache_using_subcommand help; and not __fish_seen_subcommand_from demo doctor config check top logs completions man serve invalidate graph tail redis help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c polycache -n "__fish_polycache_using_subcommand help; and __fish_seen_subcommand_from redis" -f -a "stats" -d 'Keys, memory, largest key and TTLs per type, from one SCAN pass'
complete -c polycache -n "__fish_polycache_using_subcommand help; and __fish_seen_subcommand_from redis" -f -a "get" -d 'Print one key\'s value: JSON pretty-printed, hashes, lists, sets and sorted sets natively'
complete -c polycache -n "__fish_polycache_using_subcommand help; and __fish_seen_subcommand_from redis" -f -a "watch" -d 'Show sets, expiries and deletions under the prefix live (keyspace notifications)'
complete -c polycache -n "__fish_polycache_using_subcommand help; and __fish_seen_subcommand_from redis" -f -a "keys" -d 'List keys with their Redis type, TTL, memory and encoding, sorted by key'
complete -c polycache -n "__fish_polycache_using_subcommand help; and __fish_seen_subcommand_from redis" -f -a "del" -d 'Delete the keys of a type (and with --cascade, of every type its invalidation clears)'
