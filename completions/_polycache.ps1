
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'polycache' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'polycache'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'polycache' {
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Read settings from this file instead of searching for `.env`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour; NO_COLOR in the environment means never for `auto`')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more (repeat for even more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more (repeat for even more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('demo', 'demo', [CompletionResultType]::ParameterValue, 'Start here: watch the whole flow once: two nodes, a mirrored invalidation, the streams and the log')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Start here on a real setup: check it piece by piece: .env, mirrors, servers, login, stream, Redis, graph, log')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Show every setting, its value and where it came from (secrets masked)')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Verify the platform''s checklist for cache types from its source: calls, StreamInvalidator, graph')
            [CompletionResult]::new('top', 'top', [CompletionResultType]::ParameterValue, 'The whole cache, live, on one screen: targets, invalidations, propagation, log, Redis')
            [CompletionResult]::new('logs', 'logs', [CompletionResultType]::ParameterValue, 'Read the cache log (pino NDJSON): readable lines, filters, follow, stats')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the man page (roff), or write one page per subcommand into a directory')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Run a reference Polymech cache node: login, invalidation, SSE stream, mirrors')
            [CompletionResult]::new('invalidate', 'invalidate', [CompletionResultType]::ParameterValue, 'Invalidate cache types on the local server, on mirrors, or on chosen targets')
            [CompletionResult]::new('graph', 'graph', [CompletionResultType]::ParameterValue, 'Show the dependency cascade of a type, or the whole graph')
            [CompletionResult]::new('tail', 'tail', [CompletionResultType]::ParameterValue, 'Follow the SSE stream of the local server, mirrors or chosen targets')
            [CompletionResult]::new('redis', 'redis', [CompletionResultType]::ParameterValue, 'See and manage what the cache holds in Redis: stats, keys, values, deletion, live events')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'polycache;demo' {
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Read settings from this file instead of searching for `.env`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour; NO_COLOR in the environment means never for `auto`')
            [CompletionResult]::new('--keep', '--keep', [CompletionResultType]::ParameterName, 'Leave both nodes running after the walkthrough, until Ctrl-C')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more (repeat for even more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more (repeat for even more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'polycache;doctor' {
            [CompletionResult]::new('--stream-timeout', '--stream-timeout', [CompletionResultType]::ParameterName, 'How long to wait for a heartbeat or an event on each stream; a stream that opens but stays silent that long is reported with `!` (serve pings every 15 s by default)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to wait for each server to answer (health, login)')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Base URL of the local server [env: POLYCACHE_URL]')
            [CompletionResult]::new('--mirrors', '--mirrors', [CompletionResultType]::ParameterName, 'Comma-separated mirror base URLs [env: CACHE_MIRRORS]')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Also trust this PEM certificate authority for https servers, beside the built-in roots (e.g. the CA file `serve --dev --self-signed` prints) [env: POLYCACHE_CACERT]')
            [CompletionResult]::new('--redis-url', '--redis-url', [CompletionResultType]::ParameterName, 'Redis of the server-side cache [env: REDIS_URL]')
            [CompletionResult]::new('--cache-prefix', '--cache-prefix', [CompletionResultType]::ParameterName, 'Prefix of cache keys in Redis [env: CACHE_PREFIX]')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'The cache log file [env: CACHE_LOG]')
            [CompletionResult]::new('--graph', '--graph', [CompletionResultType]::ParameterName, 'Read the dependency graph from this `.ts` or `.json` file instead of searching for `server/src/cache.ts`')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Read settings from this file instead of searching for `.env`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour; NO_COLOR in the environment means never for `auto`')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more (repeat for even more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more (repeat for even more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'polycache;config' {
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Base URL of the local server [env: POLYCACHE_URL]')
            [CompletionResult]::new('--mirrors', '--mirrors', [CompletionResultType]::ParameterName, 'Comma-separated mirror base URLs [env: CACHE_MIRRORS]')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Also trust this PEM certificate authority for https servers, beside the built-in roots (e.g. the CA file `serve --dev --self-signed` prints) [env: POLYCACHE_CACERT]')
            [CompletionResult]::new('--redis-url', '--redis-url', [CompletionResultType]::ParameterName, 'Redis of the server-side cache [env: REDIS_URL]')
            [CompletionResult]::new('--cache-prefix', '--cache-prefix', [CompletionResultType]::ParameterName, 'Prefix of cache keys in Redis [env: CACHE_PREFIX]')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'The cache log file [env: CACHE_LOG]')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Read settings from this file instead of searching for `.env`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour; NO_COLOR in the environment means never for `auto`')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more (repeat for even more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more (repeat for even more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'polycache;check' {
            [CompletionResult]::new('--root', '--root', [CompletionResultType]::ParameterName, 'The platform''s checkout [default: the nearest directory up with server/src/cache.ts]')
            [CompletionResult]::new('--server-dir', '--server-dir', [CompletionResultType]::ParameterName, 'The server''s sources, searched for appCache calls; its cache.ts is the graph [default: ROOT/server/src]')
            [CompletionResult]::new('--invalidator', '--invalidator', [CompletionResultType]::ParameterName, 'The component that handles app-update events [default: ROOT/src/components/StreamInvalidator.tsx]')
            [CompletionResult]::new('--graph', '--graph', [CompletionResultType]::ParameterName, 'Read the dependency graph from this `.ts` or `.json` file instead of searching for `server/src/cache.ts`')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Read settings from this file instead of searching for `.env`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour; NO_COLOR in the environment means never for `auto`')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more (repeat for even more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more (repeat for even more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'polycache;top' {
            [CompletionResult]::new('--redis-every', '--redis-every', [CompletionResultType]::ParameterName, 'How often Redis is scanned for the keys and memory per type (in the background)')
            [CompletionResult]::new('--health-every', '--health-every', [CompletionResultType]::ParameterName, 'How often each target''s health is asked')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'With --once: how long to wait for the targets'' first answers')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Base URL of the local server [env: POLYCACHE_URL]')
            [CompletionResult]::new('--mirrors', '--mirrors', [CompletionResultType]::ParameterName, 'Comma-separated mirror base URLs [env: CACHE_MIRRORS]')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Also trust this PEM certificate authority for https servers, beside the built-in roots (e.g. the CA file `serve --dev --self-signed` prints) [env: POLYCACHE_CACERT]')
            [CompletionResult]::new('--redis-url', '--redis-url', [CompletionResultType]::ParameterName, 'Redis of the server-side cache [env: REDIS_URL]')
            [CompletionResult]::new('--cache-prefix', '--cache-prefix', [CompletionResultType]::ParameterName, 'Prefix of cache keys in Redis [env: CACHE_PREFIX]')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'The cache log file [env: CACHE_LOG]')
            [CompletionResult]::new('--graph', '--graph', [CompletionResultType]::ParameterName, 'Read the dependency graph from this `.ts` or `.json` file instead of searching for `server/src/cache.ts`')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Read settings from this file instead of searching for `.env`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour; NO_COLOR in the environment means never for `auto`')
            [CompletionResult]::new('--once', '--once', [CompletionResultType]::ParameterName, 'Print one snapshot (tables, or --json) after the first answers, and exit')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more (repeat for even more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more (repeat for even more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'polycache;logs' {
            [CompletionResult]::new('--level', '--level', [CompletionResultType]::ParameterName, 'Only entries at this level or above: trace, debug, info, warn, error, fatal, or a number')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Only entries at or after this: a duration back from now (30s, 15m, 2h, 7d, 1w), epoch milliseconds, an RFC 3339 timestamp, or a local `YYYY-MM-DD[ HH:MM[:SS]]`')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'Only entries at or before this (same forms as --since)')
            [CompletionResult]::new('--grep', '--grep', [CompletionResultType]::ParameterName, 'Only entries whose msg matches this regular expression (Rust regex syntax)')
            [CompletionResult]::new('--field', '--field', [CompletionResultType]::ParameterName, 'Only entries whose top-level field equals the value (a string''s text or a number as written); repeat to require several')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Only the last N matching entries, read backwards from the end of the file')
            [CompletionResult]::new('--tail', '--tail', [CompletionResultType]::ParameterName, 'Only the last N matching entries, read backwards from the end of the file')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'The cache log file [env: CACHE_LOG]')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Read settings from this file instead of searching for `.env`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour; NO_COLOR in the environment means never for `auto`')
            [CompletionResult]::new('--rotated', '--rotated', [CompletionResultType]::ParameterName, 'Read the log together with its rotated siblings, oldest first, as one log: logrotate''s cache.json.1, cache.json.2.gz, ... and pino-roll''s cache.1.json, cache.2.json, ... (compressed or not). A file whose time range lies outside --since/--until is skipped without being read; -v names each file read or skipped')
            [CompletionResult]::new('--errors', '--errors', [CompletionResultType]::ParameterName, 'Only errors: level error (50) and fatal (60)')
            [CompletionResult]::new('--mirror', '--mirror', [CompletionResultType]::ParameterName, 'Only mirror entries (shorthand for --field module=mirror)')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Keep reading as the file grows, like `tail -f`; survives rotation (replaced or truncated). Starts with the last 10 entries (-n N for another number), or at the beginning with --from-start. Ctrl-C stops')
            [CompletionResult]::new('--follow', '--follow', [CompletionResultType]::ParameterName, 'Keep reading as the file grows, like `tail -f`; survives rotation (replaced or truncated). Starts with the last 10 entries (-n N for another number), or at the beginning with --from-start. Ctrl-C stops')
            [CompletionResult]::new('--from-start', '--from-start', [CompletionResultType]::ParameterName, 'With --follow: read the whole file first instead of its last entries')
            [CompletionResult]::new('--stats', '--stats', [CompletionResultType]::ParameterName, 'Print a summary instead of lines: entries by level and module, and per mirror target successes, failures, error messages, p50/p95/max durationMs, first and last time')
            [CompletionResult]::new('--utc', '--utc', [CompletionResultType]::ParameterName, 'Show times in UTC instead of the local zone')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Write straight to the terminal instead of through the pager ($POLYCACHE_PAGER, else $PAGER, else `less -R`; empty or `cat` for none)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more (repeat for even more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more (repeat for even more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'polycache;completions' {
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'Write the scripts for every supported shell into this directory instead')
            [CompletionResult]::new('--graph', '--graph', [CompletionResultType]::ParameterName, 'Read the dependency graph from this `.ts` or `.json` file instead of searching for `server/src/cache.ts`')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Read settings from this file instead of searching for `.env`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour; NO_COLOR in the environment means never for `auto`')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more (repeat for even more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more (repeat for even more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'polycache;man' {
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'Write `polycache.1` and one page per subcommand into this directory')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Read settings from this file instead of searching for `.env`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour; NO_COLOR in the environment means never for `auto`')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more (repeat for even more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more (repeat for even more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'polycache;serve' {
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'TCP port to listen on (0 picks a free one) [env: POLYCACHE_PORT] [default: 3333]')
            [CompletionResult]::new('--bind', '--bind', [CompletionResultType]::ParameterName, 'Address to listen on; use 0.0.0.0 to accept other machines [env: POLYCACHE_BIND] [default: 127.0.0.1]')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where the cache lives: in this process, or in Redis at REDIS_URL (keys CACHE_PREFIX{type}:{rest}) [env: POLYCACHE_STORE] [default: memory]')
            [CompletionResult]::new('--ping-interval', '--ping-interval', [CompletionResultType]::ParameterName, 'Interval of the `: ping` heartbeat on the SSE stream (e.g. 15s, 500ms, 1m)')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Keep the stream''s events (ids and the replay buffer) in this file, so that clients reconnecting with Last-Event-ID after a restart get what they missed [env: POLYCACHE_STATE]')
            [CompletionResult]::new('--log-level', '--log-level', [CompletionResultType]::ParameterName, 'The lowest level written to the cache log: trace, debug, info, warn, error or fatal (pino''s) [env: POLYCACHE_LOG_LEVEL] [default: info]')
            [CompletionResult]::new('--first-event-id', '--first-event-id', [CompletionResultType]::ParameterName, 'Number the stream''s events from N instead of from the clock. Without --state a node starts its ids from the clock, so that a client resuming with an id from before a restart gets a stream-reset instead of another event under the same id; a fixed start gives the same ids on every run (reproducible examples and tests), at that cost')
            [CompletionResult]::new('--shutdown-grace', '--shutdown-grace', [CompletionResultType]::ParameterName, 'On SIGINT/SIGTERM, how long to wait for mirror broadcasts still in flight; each mirror invalidation still unanswered then is abandoned with a warn line in the log')
            [CompletionResult]::new('--drain', '--drain', [CompletionResultType]::ParameterName, 'On SIGINT/SIGTERM, keep serving this long with /readyz answering 503 before stopping, so that a load balancer or Kubernetes takes the node out first')
            [CompletionResult]::new('--cors-origin', '--cors-origin', [CompletionResultType]::ParameterName, 'Let pages from this origin use the authenticated API (login, invalidate), with credentials; repeat or separate with commas. The stream, health, the entries listing and the page answer every origin anyway [env: POLYCACHE_CORS_ORIGINS]')
            [CompletionResult]::new('--sse-retry', '--sse-retry', [CompletionResultType]::ParameterName, 'The reconnect delay the stream asks browsers to use (its opening `retry:` line)')
            [CompletionResult]::new('--max-clients', '--max-clients', [CompletionResultType]::ParameterName, 'At most this many stream clients at once; more are answered 503 with Retry-After (browsers'' EventSource tries again)')
            [CompletionResult]::new('--max-clients-per-ip', '--max-clients-per-ip', [CompletionResultType]::ParameterName, 'At most this many stream clients from one address at once (503 with Retry-After)')
            [CompletionResult]::new('--trust-proxy', '--trust-proxy', [CompletionResultType]::ParameterName, 'A proxy (nginx, a load balancer) whose X-Forwarded-For names the client, for the per-address limits; requests from other peers are taken at their address')
            [CompletionResult]::new('--metrics', '--metrics', [CompletionResultType]::ParameterName, 'Who may read the Prometheus metrics at GET /metrics: anyone (public), only with a token of this node''s accounts (token), or nobody (off)')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Serve HTTPS with this PEM certificate (chain); HTTP/2 and HTTP/1.1 by ALPN [env: POLYCACHE_TLS_CERT]')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'The PEM private key of --tls-cert [env: POLYCACHE_TLS_KEY]')
            [CompletionResult]::new('--bus', '--bus', [CompletionResultType]::ParameterName, 'Share invalidations with the other instances of this deployment through a Redis Stream at REDIS_URL, key CACHE_PREFIX + `bus` (a standalone Redis or a Redis Cluster). Each node appends what it applies and applies what the others append; SSE event ids become stream entry ids, so a client can resume on any instance [env: POLYCACHE_BUS]')
            [CompletionResult]::new('--bus-maxlen', '--bus-maxlen', [CompletionResultType]::ParameterName, 'Entries the bus stream keeps (XADD MAXLEN ~ N); older ones are trimmed, and a client resuming before them gets a stream-reset')
            [CompletionResult]::new('--inject-503', '--inject-503', [CompletionResultType]::ParameterName, 'Rehearsal: answer the first N invalidations with 503')
            [CompletionResult]::new('--delay-ms', '--delay-ms', [CompletionResultType]::ParameterName, 'Rehearsal: wait this many milliseconds before answering each invalidation')
            [CompletionResult]::new('--mirrors', '--mirrors', [CompletionResultType]::ParameterName, 'Comma-separated mirror base URLs [env: CACHE_MIRRORS]')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Also trust this PEM certificate authority for https servers, beside the built-in roots (e.g. the CA file `serve --dev --self-signed` prints) [env: POLYCACHE_CACERT]')
            [CompletionResult]::new('--redis-url', '--redis-url', [CompletionResultType]::ParameterName, 'Redis of the server-side cache [env: REDIS_URL]')
            [CompletionResult]::new('--cache-prefix', '--cache-prefix', [CompletionResultType]::ParameterName, 'Prefix of cache keys in Redis [env: CACHE_PREFIX]')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'The cache log file [env: CACHE_LOG]')
            [CompletionResult]::new('--graph', '--graph', [CompletionResultType]::ParameterName, 'Read the dependency graph from this `.ts` or `.json` file instead of searching for `server/src/cache.ts`')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Read settings from this file instead of searching for `.env`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour; NO_COLOR in the environment means never for `auto`')
            [CompletionResult]::new('--dev', '--dev', [CompletionResultType]::ParameterName, 'Development mode: a random JWT secret (unless JWT_SECRET is set) and a throwaway account, written to an env file only you can read (mode 0600; the banner shows its path, never the password) and removed when the node stops')
            [CompletionResult]::new('--demo-data', '--demo-data', [CompletionResultType]::ParameterName, 'Fill the store with a few entries per type ({type}:list, {type}:id:1, {type}:id:2)')
            [CompletionResult]::new('--public-entries', '--public-entries', [CompletionResultType]::ParameterName, 'Let anyone read GET /api/cache/entries (every cached key) without the admin token; by default only --dev nodes do')
            [CompletionResult]::new('--allow-insecure', '--allow-insecure', [CompletionResultType]::ParameterName, 'Let the mirror broadcast send credentials over plain http:// to non-loopback mirrors')
            [CompletionResult]::new('--self-signed', '--self-signed', [CompletionResultType]::ParameterName, 'With --dev: serve HTTPS (HTTP/2) with a throwaway certificate authority and a certificate for localhost, 127.0.0.1 and ::1; the authority''s certificate is written beside the dev env file (trust it with --cacert or in a browser profile) and removed when the node stops')
            [CompletionResult]::new('--no-notify', '--no-notify', [CompletionResultType]::ParameterName, 'Rehearsal: accept invalidations but never announce them on the stream')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more (repeat for even more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more (repeat for even more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'polycache;invalidate' {
            [CompletionResult]::new('--only', '--only', [CompletionResultType]::ParameterName, 'Only this base URL (repeat, or separate with commas, for several)')
            [CompletionResult]::new('--id', '--id', [CompletionResultType]::ParameterName, 'The entity id, passed on to the SSE notification')
            [CompletionResult]::new('--verify-timeout', '--verify-timeout', [CompletionResultType]::ParameterName, 'How long --verify waits for each target''s event (e.g. 10s, 500ms, 2m)')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'How many targets are asked at the same time')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries per request after a connect error, a timeout or a 5xx answer')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Deadline for everything one target is asked: login, invalidations and retries (e.g. 10s, 2s, 1m)')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Base URL of the local server [env: POLYCACHE_URL]')
            [CompletionResult]::new('--mirrors', '--mirrors', [CompletionResultType]::ParameterName, 'Comma-separated mirror base URLs [env: CACHE_MIRRORS]')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Also trust this PEM certificate authority for https servers, beside the built-in roots (e.g. the CA file `serve --dev --self-signed` prints) [env: POLYCACHE_CACERT]')
            [CompletionResult]::new('--graph', '--graph', [CompletionResultType]::ParameterName, 'Read the dependency graph from this `.ts` or `.json` file instead of searching for `server/src/cache.ts`')
            [CompletionResult]::new('--invalidator', '--invalidator', [CompletionResultType]::ParameterName, 'The component that handles app-update events, to show what browsers reset [default: src/components/StreamInvalidator.tsx, searching up from the working directory]')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Read settings from this file instead of searching for `.env`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour; NO_COLOR in the environment means never for `auto`')
            [CompletionResult]::new('--mirror', '--mirror', [CompletionResultType]::ParameterName, 'The local server and every CACHE_MIRRORS target')
            [CompletionResult]::new('--via-server', '--via-server', [CompletionResultType]::ParameterName, 'Send `mirror: true` to the local server and let it broadcast to its own mirrors')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the requests that would be sent and what they clear (on the server and, when StreamInvalidator.tsx is found, in browsers); send nothing')
            [CompletionResult]::new('--verify', '--verify', [CompletionResultType]::ParameterName, 'Subscribe to each target''s stream first and check that it announces the invalidation')
            [CompletionResult]::new('--allow-insecure', '--allow-insecure', [CompletionResultType]::ParameterName, 'Allow sending credentials over plain http:// to a host that is not loopback')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more (repeat for even more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more (repeat for even more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'polycache;graph' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format; dot and mermaid draw the whole graph with the type''s cascade highlighted')
            [CompletionResult]::new('--graph', '--graph', [CompletionResultType]::ParameterName, 'Read the dependency graph from this `.ts` or `.json` file instead of searching for `server/src/cache.ts`')
            [CompletionResult]::new('--invalidator', '--invalidator', [CompletionResultType]::ParameterName, 'The component that handles app-update events, to show what browsers reset [default: src/components/StreamInvalidator.tsx, searching up from the working directory]')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Read settings from this file instead of searching for `.env`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour; NO_COLOR in the environment means never for `auto`')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more (repeat for even more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more (repeat for even more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'polycache;tail' {
            [CompletionResult]::new('--only', '--only', [CompletionResultType]::ParameterName, 'Only this base URL (repeat, or separate with commas, for several)')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'Stop after N events, exit 0')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Stop after this long (e.g. 30s, 500ms, 2m; a bare number is seconds); exit 1 if --count was given and not reached')
            [CompletionResult]::new('--since-id', '--since-id', [CompletionResultType]::ParameterName, 'Ask the server to replay the events after this id first (sent as Last-Event-ID). Ids are opaque: `17` on a single node, `1764643200000-0` on the bus')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Base URL of the local server [env: POLYCACHE_URL]')
            [CompletionResult]::new('--mirrors', '--mirrors', [CompletionResultType]::ParameterName, 'Comma-separated mirror base URLs [env: CACHE_MIRRORS]')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Also trust this PEM certificate authority for https servers, beside the built-in roots (e.g. the CA file `serve --dev --self-signed` prints) [env: POLYCACHE_CACERT]')
            [CompletionResult]::new('--redis-url', '--redis-url', [CompletionResultType]::ParameterName, 'Redis of the server-side cache [env: REDIS_URL]')
            [CompletionResult]::new('--cache-prefix', '--cache-prefix', [CompletionResultType]::ParameterName, 'Prefix of cache keys in Redis [env: CACHE_PREFIX]')
            [CompletionResult]::new('--graph', '--graph', [CompletionResultType]::ParameterName, 'Read the dependency graph from this `.ts` or `.json` file instead of searching for `server/src/cache.ts`')
            [CompletionResult]::new('--invalidator', '--invalidator', [CompletionResultType]::ParameterName, 'The component that handles app-update events, to show what browsers reset [default: src/components/StreamInvalidator.tsx, searching up from the working directory]')
            [CompletionResult]::new('--type', '--type', [CompletionResultType]::ParameterName, 'Only events of this type (aliases work; repeat for several)')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Read settings from this file instead of searching for `.env`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour; NO_COLOR in the environment means never for `auto`')
            [CompletionResult]::new('--mirror', '--mirror', [CompletionResultType]::ParameterName, 'The local server and every CACHE_MIRRORS target')
            [CompletionResult]::new('--bus', '--bus', [CompletionResultType]::ParameterName, 'Follow the invalidation bus straight from Redis (REDIS_URL, key CACHE_PREFIX + `bus`) instead of a server''s SSE stream: which node applied what, with the cascade it cleared. --since-id takes a stream entry id')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more (repeat for even more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more (repeat for even more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'polycache;redis' {
            [CompletionResult]::new('--redis-url', '--redis-url', [CompletionResultType]::ParameterName, 'Redis of the server-side cache [env: REDIS_URL]')
            [CompletionResult]::new('--cache-prefix', '--cache-prefix', [CompletionResultType]::ParameterName, 'Prefix of cache keys in Redis [env: CACHE_PREFIX]')
            [CompletionResult]::new('--graph', '--graph', [CompletionResultType]::ParameterName, 'Read the dependency graph from this `.ts` or `.json` file instead of searching for `server/src/cache.ts`')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Read settings from this file instead of searching for `.env`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour; NO_COLOR in the environment means never for `auto`')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more (repeat for even more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more (repeat for even more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('stats', 'stats', [CompletionResultType]::ParameterValue, 'Keys, memory, largest key and TTLs per type, from one SCAN pass')
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'Print one key''s value: JSON pretty-printed, hashes, lists, sets and sorted sets natively')
            [CompletionResult]::new('watch', 'watch', [CompletionResultType]::ParameterValue, 'Show sets, expiries and deletions under the prefix live (keyspace notifications)')
            [CompletionResult]::new('keys', 'keys', [CompletionResultType]::ParameterValue, 'List keys with their Redis type, TTL, memory and encoding, sorted by key')
            [CompletionResult]::new('del', 'del', [CompletionResultType]::ParameterValue, 'Delete the keys of a type (and with --cascade, of every type its invalidation clears)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'polycache;redis;stats' {
            [CompletionResult]::new('--redis-url', '--redis-url', [CompletionResultType]::ParameterName, 'Redis of the server-side cache [env: REDIS_URL]')
            [CompletionResult]::new('--cache-prefix', '--cache-prefix', [CompletionResultType]::ParameterName, 'Prefix of cache keys in Redis [env: CACHE_PREFIX]')
            [CompletionResult]::new('--graph', '--graph', [CompletionResultType]::ParameterName, 'Read the dependency graph from this `.ts` or `.json` file instead of searching for `server/src/cache.ts`')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Read settings from this file instead of searching for `.env`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour; NO_COLOR in the environment means never for `auto`')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more (repeat for even more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more (repeat for even more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'polycache;redis;get' {
            [CompletionResult]::new('--max-bytes', '--max-bytes', [CompletionResultType]::ParameterName, 'Do not read values bigger than this (bytes; K, M, G suffixes are powers of 1024)')
            [CompletionResult]::new('--redis-url', '--redis-url', [CompletionResultType]::ParameterName, 'Redis of the server-side cache [env: REDIS_URL]')
            [CompletionResult]::new('--cache-prefix', '--cache-prefix', [CompletionResultType]::ParameterName, 'Prefix of cache keys in Redis [env: CACHE_PREFIX]')
            [CompletionResult]::new('--graph', '--graph', [CompletionResultType]::ParameterName, 'Read the dependency graph from this `.ts` or `.json` file instead of searching for `server/src/cache.ts`')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Read settings from this file instead of searching for `.env`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour; NO_COLOR in the environment means never for `auto`')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more (repeat for even more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more (repeat for even more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'polycache;redis;watch' {
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'Stop after N events, exit 0')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Stop after this long (e.g. 30s, 500ms, 2m; a bare number is seconds); exit 1 if --count was given and not reached')
            [CompletionResult]::new('--redis-url', '--redis-url', [CompletionResultType]::ParameterName, 'Redis of the server-side cache [env: REDIS_URL]')
            [CompletionResult]::new('--cache-prefix', '--cache-prefix', [CompletionResultType]::ParameterName, 'Prefix of cache keys in Redis [env: CACHE_PREFIX]')
            [CompletionResult]::new('--graph', '--graph', [CompletionResultType]::ParameterName, 'Read the dependency graph from this `.ts` or `.json` file instead of searching for `server/src/cache.ts`')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Read settings from this file instead of searching for `.env`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour; NO_COLOR in the environment means never for `auto`')
            [CompletionResult]::new('--enable-notifications', '--enable-notifications', [CompletionResultType]::ParameterName, 'Turn keyspace notifications on (CONFIG SET notify-keyspace-events, adding KA) when they are off, for as long as the watch runs; the old setting is put back when it ends')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more (repeat for even more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more (repeat for even more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'polycache;redis;keys' {
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Show at most N keys (the first N by name); 0 for all')
            [CompletionResult]::new('--type', '--type', [CompletionResultType]::ParameterName, 'Only keys of this type (aliases such as `post` work; `(other)` for keys outside the layout)')
            [CompletionResult]::new('--redis-url', '--redis-url', [CompletionResultType]::ParameterName, 'Redis of the server-side cache [env: REDIS_URL]')
            [CompletionResult]::new('--cache-prefix', '--cache-prefix', [CompletionResultType]::ParameterName, 'Prefix of cache keys in Redis [env: CACHE_PREFIX]')
            [CompletionResult]::new('--graph', '--graph', [CompletionResultType]::ParameterName, 'Read the dependency graph from this `.ts` or `.json` file instead of searching for `server/src/cache.ts`')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Read settings from this file instead of searching for `.env`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour; NO_COLOR in the environment means never for `auto`')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more (repeat for even more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more (repeat for even more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'polycache;redis;del' {
            [CompletionResult]::new('--type', '--type', [CompletionResultType]::ParameterName, 'The type whose keys to delete (aliases such as `picture` work)')
            [CompletionResult]::new('--redis-url', '--redis-url', [CompletionResultType]::ParameterName, 'Redis of the server-side cache [env: REDIS_URL]')
            [CompletionResult]::new('--cache-prefix', '--cache-prefix', [CompletionResultType]::ParameterName, 'Prefix of cache keys in Redis [env: CACHE_PREFIX]')
            [CompletionResult]::new('--graph', '--graph', [CompletionResultType]::ParameterName, 'Read the dependency graph from this `.ts` or `.json` file instead of searching for `server/src/cache.ts`')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Read settings from this file instead of searching for `.env`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour; NO_COLOR in the environment means never for `auto`')
            [CompletionResult]::new('--cascade', '--cascade', [CompletionResultType]::ParameterName, 'Also delete the keys of every type that invalidating TYPE clears')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'List the keys that would be deleted; delete nothing')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required without a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required without a terminal)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more (repeat for even more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more (repeat for even more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'polycache;redis;help' {
            [CompletionResult]::new('stats', 'stats', [CompletionResultType]::ParameterValue, 'Keys, memory, largest key and TTLs per type, from one SCAN pass')
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'Print one key''s value: JSON pretty-printed, hashes, lists, sets and sorted sets natively')
            [CompletionResult]::new('watch', 'watch', [CompletionResultType]::ParameterValue, 'Show sets, expiries and deletions under the prefix live (keyspace notifications)')
            [CompletionResult]::new('keys', 'keys', [CompletionResultType]::ParameterValue, 'List keys with their Redis type, TTL, memory and encoding, sorted by key')
            [CompletionResult]::new('del', 'del', [CompletionResultType]::ParameterValue, 'Delete the keys of a type (and with --cascade, of every type its invalidation clears)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'polycache;redis;help;stats' {
            break
        }
        'polycache;redis;help;get' {
            break
        }
        'polycache;redis;help;watch' {
            break
        }
        'polycache;redis;help;keys' {
            break
        }
        'polycache;redis;help;del' {
            break
        }
        'polycache;redis;help;help' {
            break
        }
        'polycache;help' {
            [CompletionResult]::new('demo', 'demo', [CompletionResultType]::ParameterValue, 'Start here: watch the whole flow once: two nodes, a mirrored invalidation, the streams and the log')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Start here on a real setup: check it piece by piece: .env, mirrors, servers, login, stream, Redis, graph, log')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Show every setting, its value and where it came from (secrets masked)')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Verify the platform''s checklist for cache types from its source: calls, StreamInvalidator, graph')
            [CompletionResult]::new('top', 'top', [CompletionResultType]::ParameterValue, 'The whole cache, live, on one screen: targets, invalidations, propagation, log, Redis')
            [CompletionResult]::new('logs', 'logs', [CompletionResultType]::ParameterValue, 'Read the cache log (pino NDJSON): readable lines, filters, follow, stats')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the man page (roff), or write one page per subcommand into a directory')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Run a reference Polymech cache node: login, invalidation, SSE stream, mirrors')
            [CompletionResult]::new('invalidate', 'invalidate', [CompletionResultType]::ParameterValue, 'Invalidate cache types on the local server, on mirrors, or on chosen targets')
            [CompletionResult]::new('graph', 'graph', [CompletionResultType]::ParameterValue, 'Show the dependency cascade of a type, or the whole graph')
            [CompletionResult]::new('tail', 'tail', [CompletionResultType]::ParameterValue, 'Follow the SSE stream of the local server, mirrors or chosen targets')
            [CompletionResult]::new('redis', 'redis', [CompletionResultType]::ParameterValue, 'See and manage what the cache holds in Redis: stats, keys, values, deletion, live events')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'polycache;help;demo' {
            break
        }
        'polycache;help;doctor' {
            break
        }
        'polycache;help;config' {
            break
        }
        'polycache;help;check' {
            break
        }
        'polycache;help;top' {
            break
        }
        'polycache;help;logs' {
            break
        }
        'polycache;help;completions' {
            break
        }
        'polycache;help;man' {
            break
        }
        'polycache;help;serve' {
            break
        }
        'polycache;help;invalidate' {
            break
        }
        'polycache;help;graph' {
            break
        }
        'polycache;help;tail' {
            break
        }
        'polycache;help;redis' {
            [CompletionResult]::new('stats', 'stats', [CompletionResultType]::ParameterValue, 'Keys, memory, largest key and TTLs per type, from one SCAN pass')
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'Print one key''s value: JSON pretty-printed, hashes, lists, sets and sorted sets natively')
            [CompletionResult]::new('watch', 'watch', [CompletionResultType]::ParameterValue, 'Show sets, expiries and deletions under the prefix live (keyspace notifications)')
            [CompletionResult]::new('keys', 'keys', [CompletionResultType]::ParameterValue, 'List keys with their Redis type, TTL, memory and encoding, sorted by key')
            [CompletionResult]::new('del', 'del', [CompletionResultType]::ParameterValue, 'Delete the keys of a type (and with --cascade, of every type its invalidation clears)')
            break
        }
        'polycache;help;redis;stats' {
            break
        }
        'polycache;help;redis;get' {
            break
        }
        'polycache;help;redis;watch' {
            break
        }
        'polycache;help;redis;keys' {
            break
        }
        'polycache;help;redis;del' {
            break
        }
        'polycache;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
