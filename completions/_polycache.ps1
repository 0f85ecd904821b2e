
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
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('demo', 'demo', [CompletionResultType]::ParameterValue, 'Start here: the whole flow once, on two nodes of its own')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Start here on a real setup: check it piece by piece')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Show every setting and where it came from (secrets masked)')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Check the platform''s source against the cache checklist')
            [CompletionResult]::new('top', 'top', [CompletionResultType]::ParameterValue, 'The whole cache, live, on one screen')
            [CompletionResult]::new('logs', 'logs', [CompletionResultType]::ParameterValue, 'Read the cache log: readable lines, filters, follow, stats')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the man page, or write one per subcommand')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Run a reference Polymech cache node')
            [CompletionResult]::new('invalidate', 'invalidate', [CompletionResultType]::ParameterValue, 'Invalidate cache types on the local server and mirrors')
            [CompletionResult]::new('graph', 'graph', [CompletionResultType]::ParameterValue, 'Show the dependency cascade of a type, or the whole graph')
            [CompletionResult]::new('tail', 'tail', [CompletionResultType]::ParameterValue, 'Follow the SSE stream of the local server and mirrors')
            [CompletionResult]::new('redis', 'redis', [CompletionResultType]::ParameterValue, 'See and manage the cache in Redis: stats, keys, values, watch')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'polycache;demo' {
            [CompletionResult]::new('--delay-ms', '--delay-ms', [CompletionResultType]::ParameterName, 'Rehearsal: both nodes wait this many milliseconds before answering each invalidation')
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
            [CompletionResult]::new('--stream-timeout', '--stream-timeout', [CompletionResultType]::ParameterName, 'How long to wait for each stream''s heartbeat')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to wait for each server')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Base URL of the local server [env: POLYCACHE_URL]')
            [CompletionResult]::new('--mirrors', '--mirrors', [CompletionResultType]::ParameterName, 'Comma-separated mirror base URLs [env: CACHE_MIRRORS]')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Also trust this PEM certificate authority for https servers, beside the built-in roots (e.g. the CA file `serve --dev --self-signed` prints) [env: POLYCACHE_CACERT]')
            [CompletionResult]::new('--redis-url', '--redis-url', [CompletionResultType]::ParameterName, 'Redis of the server-side cache [env: REDIS_URL]')
            [CompletionResult]::new('--cache-prefix', '--cache-prefix', [CompletionResultType]::ParameterName, 'Prefix of cache keys in Redis [env: CACHE_PREFIX]')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'The cache log file [env: CACHE_LOG]')
            [CompletionResult]::new('--graph', '--graph', [CompletionResultType]::ParameterName, 'The dependency graph''s `.ts` or `.json` file')
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
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'polycache;check' {
            [CompletionResult]::new('--root', '--root', [CompletionResultType]::ParameterName, 'The platform''s checkout [default: the nearest directory up with server/src/cache.ts]')
            [CompletionResult]::new('--server-dir', '--server-dir', [CompletionResultType]::ParameterName, 'The server''s sources, searched for appCache calls; its cache.ts is the graph [default: ROOT/server/src]')
            [CompletionResult]::new('--invalidator', '--invalidator', [CompletionResultType]::ParameterName, 'The component that handles app-update events [default: ROOT/src/components/StreamInvalidator.tsx]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'How findings are written (--json is the JSON report)')
            [CompletionResult]::new('--graph', '--graph', [CompletionResultType]::ParameterName, 'The dependency graph''s `.ts` or `.json` file')
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
            [CompletionResult]::new('--redis-every', '--redis-every', [CompletionResultType]::ParameterName, 'How often Redis is scanned')
            [CompletionResult]::new('--health-every', '--health-every', [CompletionResultType]::ParameterName, 'How often health is asked')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'With --once: how long to wait for answers')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Base URL of the local server [env: POLYCACHE_URL]')
            [CompletionResult]::new('--mirrors', '--mirrors', [CompletionResultType]::ParameterName, 'Comma-separated mirror base URLs [env: CACHE_MIRRORS]')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Also trust this PEM certificate authority for https servers, beside the built-in roots (e.g. the CA file `serve --dev --self-signed` prints) [env: POLYCACHE_CACERT]')
            [CompletionResult]::new('--redis-url', '--redis-url', [CompletionResultType]::ParameterName, 'Redis of the server-side cache [env: REDIS_URL]')
            [CompletionResult]::new('--cache-prefix', '--cache-prefix', [CompletionResultType]::ParameterName, 'Prefix of cache keys in Redis [env: CACHE_PREFIX]')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'The cache log file [env: CACHE_LOG]')
            [CompletionResult]::new('--graph', '--graph', [CompletionResultType]::ParameterName, 'The dependency graph''s `.ts` or `.json` file')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Read settings from this file instead of searching for `.env`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour; NO_COLOR in the environment means never for `auto`')
            [CompletionResult]::new('--once', '--once', [CompletionResultType]::ParameterName, 'Print one snapshot and exit')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more (repeat for even more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more (repeat for even more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'polycache;logs' {
            [CompletionResult]::new('--level', '--level', [CompletionResultType]::ParameterName, 'Only entries at this level or above')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Only entries at or after this (2h, a date)')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'Only entries at or before this (same forms as --since)')
            [CompletionResult]::new('--grep', '--grep', [CompletionResultType]::ParameterName, 'Only entries whose msg matches this regex')
            [CompletionResult]::new('--field', '--field', [CompletionResultType]::ParameterName, 'Only entries whose field equals the value')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Only the last N matching entries')
            [CompletionResult]::new('--tail', '--tail', [CompletionResultType]::ParameterName, 'Only the last N matching entries')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'Stop after N events (log entries for `logs`), exit 0')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Stop after this long')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'The cache log file [env: CACHE_LOG]')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Read settings from this file instead of searching for `.env`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour; NO_COLOR in the environment means never for `auto`')
            [CompletionResult]::new('--rotated', '--rotated', [CompletionResultType]::ParameterName, 'Read the rotated files too, as one log')
            [CompletionResult]::new('--errors', '--errors', [CompletionResultType]::ParameterName, 'Only errors: level error (50) and fatal (60)')
            [CompletionResult]::new('--mirror', '--mirror', [CompletionResultType]::ParameterName, 'Only mirror entries')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Keep reading as the file grows (tail -f)')
            [CompletionResult]::new('--follow', '--follow', [CompletionResultType]::ParameterName, 'Keep reading as the file grows (tail -f)')
            [CompletionResult]::new('--from-start', '--from-start', [CompletionResultType]::ParameterName, 'With --follow: read the whole file first')
            [CompletionResult]::new('--stats', '--stats', [CompletionResultType]::ParameterName, 'A summary instead of lines')
            [CompletionResult]::new('--utc', '--utc', [CompletionResultType]::ParameterName, 'Show times in UTC instead of the local zone')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Do not use the pager')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more (repeat for even more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more (repeat for even more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'polycache;completions' {
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'Write the scripts for every supported shell into this directory instead')
            [CompletionResult]::new('--graph', '--graph', [CompletionResultType]::ParameterName, 'The dependency graph''s `.ts` or `.json` file')
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
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'polycache;serve' {
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Port to listen on [default: 3333]')
            [CompletionResult]::new('--bind', '--bind', [CompletionResultType]::ParameterName, 'Address to listen on [default: 127.0.0.1]')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'In this process, or in Redis [default: memory]')
            [CompletionResult]::new('--ping-interval', '--ping-interval', [CompletionResultType]::ParameterName, 'The stream''s heartbeat interval')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Keep the stream''s events across restarts')
            [CompletionResult]::new('--log-level', '--log-level', [CompletionResultType]::ParameterName, 'The lowest level logged [default: info]')
            [CompletionResult]::new('--first-event-id', '--first-event-id', [CompletionResultType]::ParameterName, 'Number the events from N')
            [CompletionResult]::new('--shutdown-grace', '--shutdown-grace', [CompletionResultType]::ParameterName, 'How long to finish broadcasts when stopping')
            [CompletionResult]::new('--drain', '--drain', [CompletionResultType]::ParameterName, 'Serve this long, not ready, when stopping')
            [CompletionResult]::new('--cors-origin', '--cors-origin', [CompletionResultType]::ParameterName, 'Let pages of this origin use the API')
            [CompletionResult]::new('--sse-retry', '--sse-retry', [CompletionResultType]::ParameterName, 'The reconnect delay asked of browsers')
            [CompletionResult]::new('--max-clients', '--max-clients', [CompletionResultType]::ParameterName, 'At most N stream clients')
            [CompletionResult]::new('--max-clients-per-ip', '--max-clients-per-ip', [CompletionResultType]::ParameterName, 'At most N stream clients per address')
            [CompletionResult]::new('--trust-proxy', '--trust-proxy', [CompletionResultType]::ParameterName, 'A proxy whose X-Forwarded-For is trusted')
            [CompletionResult]::new('--metrics', '--metrics', [CompletionResultType]::ParameterName, 'Who may read /metrics')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Serve HTTPS with this PEM certificate')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'The PEM private key of --tls-cert')
            [CompletionResult]::new('--bus', '--bus', [CompletionResultType]::ParameterName, 'Share invalidations through a Redis Stream')
            [CompletionResult]::new('--bus-maxlen', '--bus-maxlen', [CompletionResultType]::ParameterName, 'Entries the bus stream keeps')
            [CompletionResult]::new('--inject-503', '--inject-503', [CompletionResultType]::ParameterName, 'Rehearsal: answer the first N invalidations with 503')
            [CompletionResult]::new('--delay-ms', '--delay-ms', [CompletionResultType]::ParameterName, 'Rehearsal: wait this many milliseconds before answering each invalidation')
            [CompletionResult]::new('--mirrors', '--mirrors', [CompletionResultType]::ParameterName, 'Comma-separated mirror base URLs [env: CACHE_MIRRORS]')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Also trust this PEM certificate authority for https servers, beside the built-in roots (e.g. the CA file `serve --dev --self-signed` prints) [env: POLYCACHE_CACERT]')
            [CompletionResult]::new('--redis-url', '--redis-url', [CompletionResultType]::ParameterName, 'Redis of the server-side cache [env: REDIS_URL]')
            [CompletionResult]::new('--cache-prefix', '--cache-prefix', [CompletionResultType]::ParameterName, 'Prefix of cache keys in Redis [env: CACHE_PREFIX]')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'The cache log file [env: CACHE_LOG]')
            [CompletionResult]::new('--graph', '--graph', [CompletionResultType]::ParameterName, 'The dependency graph''s `.ts` or `.json` file')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Read settings from this file instead of searching for `.env`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour; NO_COLOR in the environment means never for `auto`')
            [CompletionResult]::new('--dev', '--dev', [CompletionResultType]::ParameterName, 'A throwaway account and JWT secret')
            [CompletionResult]::new('--demo-data', '--demo-data', [CompletionResultType]::ParameterName, 'A few entries per type to start with')
            [CompletionResult]::new('--public-entries', '--public-entries', [CompletionResultType]::ParameterName, 'Anyone may list the cached keys')
            [CompletionResult]::new('--allow-insecure', '--allow-insecure', [CompletionResultType]::ParameterName, 'Allow credentials over http:// off loopback')
            [CompletionResult]::new('--self-signed', '--self-signed', [CompletionResultType]::ParameterName, 'With --dev: HTTPS with a throwaway CA')
            [CompletionResult]::new('--no-notify', '--no-notify', [CompletionResultType]::ParameterName, 'Rehearsal: accept invalidations but never announce them on the stream')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more (repeat for even more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more (repeat for even more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'polycache;invalidate' {
            [CompletionResult]::new('--only', '--only', [CompletionResultType]::ParameterName, 'Only this base URL (repeat for several)')
            [CompletionResult]::new('--id', '--id', [CompletionResultType]::ParameterName, 'The entity id, passed on to the SSE event')
            [CompletionResult]::new('--verify-timeout', '--verify-timeout', [CompletionResultType]::ParameterName, 'How long --verify waits')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Targets asked at the same time')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries per request')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Deadline per target')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Base URL of the local server [env: POLYCACHE_URL]')
            [CompletionResult]::new('--mirrors', '--mirrors', [CompletionResultType]::ParameterName, 'Comma-separated mirror base URLs [env: CACHE_MIRRORS]')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Also trust this PEM certificate authority for https servers, beside the built-in roots (e.g. the CA file `serve --dev --self-signed` prints) [env: POLYCACHE_CACERT]')
            [CompletionResult]::new('--graph', '--graph', [CompletionResultType]::ParameterName, 'The dependency graph''s `.ts` or `.json` file')
            [CompletionResult]::new('--invalidator', '--invalidator', [CompletionResultType]::ParameterName, 'The component that handles app-update events, to show what browsers reset [default: src/components/StreamInvalidator.tsx, searching up from the working directory]')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Read settings from this file instead of searching for `.env`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour; NO_COLOR in the environment means never for `auto`')
            [CompletionResult]::new('--mirror', '--mirror', [CompletionResultType]::ParameterName, 'The local server and every mirror')
            [CompletionResult]::new('--via-server', '--via-server', [CompletionResultType]::ParameterName, 'Local server broadcasts to its mirrors')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show the requests; send nothing')
            [CompletionResult]::new('--verify', '--verify', [CompletionResultType]::ParameterName, 'Check each target''s stream announces it')
            [CompletionResult]::new('--allow-insecure', '--allow-insecure', [CompletionResultType]::ParameterName, 'Allow credentials over http:// off loopback')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more (repeat for even more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more (repeat for even more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'polycache;graph' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format; dot and mermaid draw the whole graph with the type''s cascade highlighted')
            [CompletionResult]::new('--graph', '--graph', [CompletionResultType]::ParameterName, 'The dependency graph''s `.ts` or `.json` file')
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
            [CompletionResult]::new('--only', '--only', [CompletionResultType]::ParameterName, 'Only this base URL (repeat for several)')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'Stop after N events (log entries for `logs`), exit 0')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Stop after this long')
            [CompletionResult]::new('--since-id', '--since-id', [CompletionResultType]::ParameterName, 'Replay the events after this id first')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Base URL of the local server [env: POLYCACHE_URL]')
            [CompletionResult]::new('--mirrors', '--mirrors', [CompletionResultType]::ParameterName, 'Comma-separated mirror base URLs [env: CACHE_MIRRORS]')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Also trust this PEM certificate authority for https servers, beside the built-in roots (e.g. the CA file `serve --dev --self-signed` prints) [env: POLYCACHE_CACERT]')
            [CompletionResult]::new('--redis-url', '--redis-url', [CompletionResultType]::ParameterName, 'Redis of the server-side cache [env: REDIS_URL]')
            [CompletionResult]::new('--cache-prefix', '--cache-prefix', [CompletionResultType]::ParameterName, 'Prefix of cache keys in Redis [env: CACHE_PREFIX]')
            [CompletionResult]::new('--graph', '--graph', [CompletionResultType]::ParameterName, 'The dependency graph''s `.ts` or `.json` file')
            [CompletionResult]::new('--invalidator', '--invalidator', [CompletionResultType]::ParameterName, 'The component that handles app-update events, to show what browsers reset [default: src/components/StreamInvalidator.tsx, searching up from the working directory]')
            [CompletionResult]::new('--type', '--type', [CompletionResultType]::ParameterName, 'Only events of this type (aliases work; repeat for several)')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Read settings from this file instead of searching for `.env`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour; NO_COLOR in the environment means never for `auto`')
            [CompletionResult]::new('--mirror', '--mirror', [CompletionResultType]::ParameterName, 'The local server and every mirror')
            [CompletionResult]::new('--bus', '--bus', [CompletionResultType]::ParameterName, 'Follow the bus in Redis instead of a stream')
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
            [CompletionResult]::new('--graph', '--graph', [CompletionResultType]::ParameterName, 'The dependency graph''s `.ts` or `.json` file')
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
            [CompletionResult]::new('--graph', '--graph', [CompletionResultType]::ParameterName, 'The dependency graph''s `.ts` or `.json` file')
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
            [CompletionResult]::new('--graph', '--graph', [CompletionResultType]::ParameterName, 'The dependency graph''s `.ts` or `.json` file')
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
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'Stop after N events (log entries for `logs`), exit 0')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Stop after this long')
            [CompletionResult]::new('--redis-url', '--redis-url', [CompletionResultType]::ParameterName, 'Redis of the server-side cache [env: REDIS_URL]')
            [CompletionResult]::new('--cache-prefix', '--cache-prefix', [CompletionResultType]::ParameterName, 'Prefix of cache keys in Redis [env: CACHE_PREFIX]')
            [CompletionResult]::new('--graph', '--graph', [CompletionResultType]::ParameterName, 'The dependency graph''s `.ts` or `.json` file')
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
            [CompletionResult]::new('--graph', '--graph', [CompletionResultType]::ParameterName, 'The dependency graph''s `.ts` or `.json` file')
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
            [CompletionResult]::new('--graph', '--graph', [CompletionResultType]::ParameterName, 'The dependency graph''s `.ts` or `.json` file')
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
            [CompletionResult]::new('demo', 'demo', [CompletionResultType]::ParameterValue, 'Start here: the whole flow once, on two nodes of its own')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Start here on a real setup: check it piece by piece')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Show every setting and where it came from (secrets masked)')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Check the platform''s source against the cache checklist')
            [CompletionResult]::new('top', 'top', [CompletionResultType]::ParameterValue, 'The whole cache, live, on one screen')
            [CompletionResult]::new('logs', 'logs', [CompletionResultType]::ParameterValue, 'Read the cache log: readable lines, filters, follow, stats')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the man page, or write one per subcommand')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Run a reference Polymech cache node')
            [CompletionResult]::new('invalidate', 'invalidate', [CompletionResultType]::ParameterValue, 'Invalidate cache types on the local server and mirrors')
            [CompletionResult]::new('graph', 'graph', [CompletionResultType]::ParameterValue, 'Show the dependency cascade of a type, or the whole graph')
            [CompletionResult]::new('tail', 'tail', [CompletionResultType]::ParameterValue, 'Follow the SSE stream of the local server and mirrors')
            [CompletionResult]::new('redis', 'redis', [CompletionResultType]::ParameterValue, 'See and manage the cache in Redis: stats, keys, values, watch')
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
