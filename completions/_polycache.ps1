
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
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Base URL of the local server [env: POLYCACHE_URL]')
            [CompletionResult]::new('--mirrors', '--mirrors', [CompletionResultType]::ParameterName, 'Comma-separated mirror base URLs [env: CACHE_MIRRORS]')
            [CompletionResult]::new('--redis-url', '--redis-url', [CompletionResultType]::ParameterName, 'Redis of the server-side cache [env: REDIS_URL]')
            [CompletionResult]::new('--cache-prefix', '--cache-prefix', [CompletionResultType]::ParameterName, 'Prefix of cache keys in Redis [env: CACHE_PREFIX]')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'The cache log file [env: CACHE_LOG]')
            [CompletionResult]::new('--graph', '--graph', [CompletionResultType]::ParameterName, 'Read the dependency graph from this `.ts` or `.json` file instead of searching for `server/src/cache.ts`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour; NO_COLOR in the environment means never for `auto`')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more (repeat for even more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more (repeat for even more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Show every setting, its value and where it came from (secrets masked)')
            [CompletionResult]::new('graph', 'graph', [CompletionResultType]::ParameterValue, 'Show the dependency cascade of a type, or the whole graph')
            [CompletionResult]::new('logs', 'logs', [CompletionResultType]::ParameterValue, 'Read the cache log (pino NDJSON): readable lines, filters, follow, stats')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'polycache;config' {
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Read settings from this file instead of searching for `.env`')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Base URL of the local server [env: POLYCACHE_URL]')
            [CompletionResult]::new('--mirrors', '--mirrors', [CompletionResultType]::ParameterName, 'Comma-separated mirror base URLs [env: CACHE_MIRRORS]')
            [CompletionResult]::new('--redis-url', '--redis-url', [CompletionResultType]::ParameterName, 'Redis of the server-side cache [env: REDIS_URL]')
            [CompletionResult]::new('--cache-prefix', '--cache-prefix', [CompletionResultType]::ParameterName, 'Prefix of cache keys in Redis [env: CACHE_PREFIX]')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'The cache log file [env: CACHE_LOG]')
            [CompletionResult]::new('--graph', '--graph', [CompletionResultType]::ParameterName, 'Read the dependency graph from this `.ts` or `.json` file instead of searching for `server/src/cache.ts`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour; NO_COLOR in the environment means never for `auto`')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more (repeat for even more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more (repeat for even more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'polycache;graph' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format; dot and mermaid draw the whole graph with the type''s cascade highlighted')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Read settings from this file instead of searching for `.env`')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Base URL of the local server [env: POLYCACHE_URL]')
            [CompletionResult]::new('--mirrors', '--mirrors', [CompletionResultType]::ParameterName, 'Comma-separated mirror base URLs [env: CACHE_MIRRORS]')
            [CompletionResult]::new('--redis-url', '--redis-url', [CompletionResultType]::ParameterName, 'Redis of the server-side cache [env: REDIS_URL]')
            [CompletionResult]::new('--cache-prefix', '--cache-prefix', [CompletionResultType]::ParameterName, 'Prefix of cache keys in Redis [env: CACHE_PREFIX]')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'The cache log file [env: CACHE_LOG]')
            [CompletionResult]::new('--graph', '--graph', [CompletionResultType]::ParameterName, 'Read the dependency graph from this `.ts` or `.json` file instead of searching for `server/src/cache.ts`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour; NO_COLOR in the environment means never for `auto`')
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
            [CompletionResult]::new('--tail', '--tail', [CompletionResultType]::ParameterName, 'Only the last N matching entries, read backwards from the end of the file')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Read settings from this file instead of searching for `.env`')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Base URL of the local server [env: POLYCACHE_URL]')
            [CompletionResult]::new('--mirrors', '--mirrors', [CompletionResultType]::ParameterName, 'Comma-separated mirror base URLs [env: CACHE_MIRRORS]')
            [CompletionResult]::new('--redis-url', '--redis-url', [CompletionResultType]::ParameterName, 'Redis of the server-side cache [env: REDIS_URL]')
            [CompletionResult]::new('--cache-prefix', '--cache-prefix', [CompletionResultType]::ParameterName, 'Prefix of cache keys in Redis [env: CACHE_PREFIX]')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'The cache log file [env: CACHE_LOG]')
            [CompletionResult]::new('--graph', '--graph', [CompletionResultType]::ParameterName, 'Read the dependency graph from this `.ts` or `.json` file instead of searching for `server/src/cache.ts`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour; NO_COLOR in the environment means never for `auto`')
            [CompletionResult]::new('--errors', '--errors', [CompletionResultType]::ParameterName, 'Only errors: level error (50) and fatal (60)')
            [CompletionResult]::new('--mirror', '--mirror', [CompletionResultType]::ParameterName, 'Only mirror entries (shorthand for --field module=mirror)')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Keep reading as the file grows; survives rotation (replaced or truncated). Starts at the beginning, or with the last --tail N entries. Ctrl-C stops')
            [CompletionResult]::new('--follow', '--follow', [CompletionResultType]::ParameterName, 'Keep reading as the file grows; survives rotation (replaced or truncated). Starts at the beginning, or with the last --tail N entries. Ctrl-C stops')
            [CompletionResult]::new('--stats', '--stats', [CompletionResultType]::ParameterName, 'Print a summary instead of lines: entries by level and module, and per mirror target successes, failures, error messages, p50/p95/max durationMs, first and last time')
            [CompletionResult]::new('--utc', '--utc', [CompletionResultType]::ParameterName, 'Show times in UTC instead of the local zone')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more (repeat for even more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more (repeat for even more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'polycache;completions' {
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'Write the scripts for every supported shell into this directory instead')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Read settings from this file instead of searching for `.env`')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Base URL of the local server [env: POLYCACHE_URL]')
            [CompletionResult]::new('--mirrors', '--mirrors', [CompletionResultType]::ParameterName, 'Comma-separated mirror base URLs [env: CACHE_MIRRORS]')
            [CompletionResult]::new('--redis-url', '--redis-url', [CompletionResultType]::ParameterName, 'Redis of the server-side cache [env: REDIS_URL]')
            [CompletionResult]::new('--cache-prefix', '--cache-prefix', [CompletionResultType]::ParameterName, 'Prefix of cache keys in Redis [env: CACHE_PREFIX]')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'The cache log file [env: CACHE_LOG]')
            [CompletionResult]::new('--graph', '--graph', [CompletionResultType]::ParameterName, 'Read the dependency graph from this `.ts` or `.json` file instead of searching for `server/src/cache.ts`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour; NO_COLOR in the environment means never for `auto`')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more (repeat for even more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more (repeat for even more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'polycache;help' {
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Show every setting, its value and where it came from (secrets masked)')
            [CompletionResult]::new('graph', 'graph', [CompletionResultType]::ParameterValue, 'Show the dependency cascade of a type, or the whole graph')
            [CompletionResult]::new('logs', 'logs', [CompletionResultType]::ParameterValue, 'Read the cache log (pino NDJSON): readable lines, filters, follow, stats')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'polycache;help;config' {
            break
        }
        'polycache;help;graph' {
            break
        }
        'polycache;help;logs' {
            break
        }
        'polycache;help;completions' {
            break
        }
        'polycache;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
