
use builtin;
use str;

set edit:completion:arg-completer[polycache] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'polycache'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'polycache'= {
            cand --env-file 'Read settings from this file instead of searching for `.env`'
            cand --url 'Base URL of the local server [env: POLYCACHE_URL]'
            cand --mirrors 'Comma-separated mirror base URLs [env: CACHE_MIRRORS]'
            cand --redis-url 'Redis of the server-side cache [env: REDIS_URL]'
            cand --cache-prefix 'Prefix of cache keys in Redis [env: CACHE_PREFIX]'
            cand --log-file 'The cache log file [env: CACHE_LOG]'
            cand --graph 'Read the dependency graph from this `.ts` or `.json` file instead of searching for `server/src/cache.ts`'
            cand --color 'When to use colour; NO_COLOR in the environment means never for `auto`'
            cand --json 'Print machine-readable JSON instead of tables'
            cand -v 'Say more (repeat for even more)'
            cand --verbose 'Say more (repeat for even more)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand config 'Show every setting, its value and where it came from (secrets masked)'
            cand graph 'Show the dependency cascade of a type, or the whole graph'
            cand logs 'Read the cache log (pino NDJSON): readable lines, filters, follow, stats'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'polycache;config'= {
            cand --env-file 'Read settings from this file instead of searching for `.env`'
            cand --url 'Base URL of the local server [env: POLYCACHE_URL]'
            cand --mirrors 'Comma-separated mirror base URLs [env: CACHE_MIRRORS]'
            cand --redis-url 'Redis of the server-side cache [env: REDIS_URL]'
            cand --cache-prefix 'Prefix of cache keys in Redis [env: CACHE_PREFIX]'
            cand --log-file 'The cache log file [env: CACHE_LOG]'
            cand --graph 'Read the dependency graph from this `.ts` or `.json` file instead of searching for `server/src/cache.ts`'
            cand --color 'When to use colour; NO_COLOR in the environment means never for `auto`'
            cand --json 'Print machine-readable JSON instead of tables'
            cand -v 'Say more (repeat for even more)'
            cand --verbose 'Say more (repeat for even more)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'polycache;graph'= {
            cand --format 'Output format; dot and mermaid draw the whole graph with the type''s cascade highlighted'
            cand --env-file 'Read settings from this file instead of searching for `.env`'
            cand --url 'Base URL of the local server [env: POLYCACHE_URL]'
            cand --mirrors 'Comma-separated mirror base URLs [env: CACHE_MIRRORS]'
            cand --redis-url 'Redis of the server-side cache [env: REDIS_URL]'
            cand --cache-prefix 'Prefix of cache keys in Redis [env: CACHE_PREFIX]'
            cand --log-file 'The cache log file [env: CACHE_LOG]'
            cand --graph 'Read the dependency graph from this `.ts` or `.json` file instead of searching for `server/src/cache.ts`'
            cand --color 'When to use colour; NO_COLOR in the environment means never for `auto`'
            cand --json 'Print machine-readable JSON instead of tables'
            cand -v 'Say more (repeat for even more)'
            cand --verbose 'Say more (repeat for even more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'polycache;logs'= {
            cand --level 'Only entries at this level or above: trace, debug, info, warn, error, fatal, or a number'
            cand --since 'Only entries at or after this: a duration back from now (30s, 15m, 2h, 7d, 1w), epoch milliseconds, an RFC 3339 timestamp, or a local `YYYY-MM-DD[ HH:MM[:SS]]`'
            cand --until 'Only entries at or before this (same forms as --since)'
            cand --grep 'Only entries whose msg matches this regular expression (Rust regex syntax)'
            cand --field 'Only entries whose top-level field equals the value (a string''s text or a number as written); repeat to require several'
            cand --tail 'Only the last N matching entries, read backwards from the end of the file'
            cand --env-file 'Read settings from this file instead of searching for `.env`'
            cand --url 'Base URL of the local server [env: POLYCACHE_URL]'
            cand --mirrors 'Comma-separated mirror base URLs [env: CACHE_MIRRORS]'
            cand --redis-url 'Redis of the server-side cache [env: REDIS_URL]'
            cand --cache-prefix 'Prefix of cache keys in Redis [env: CACHE_PREFIX]'
            cand --log-file 'The cache log file [env: CACHE_LOG]'
            cand --graph 'Read the dependency graph from this `.ts` or `.json` file instead of searching for `server/src/cache.ts`'
            cand --color 'When to use colour; NO_COLOR in the environment means never for `auto`'
            cand --errors 'Only errors: level error (50) and fatal (60)'
            cand --mirror 'Only mirror entries (shorthand for --field module=mirror)'
            cand -f 'Keep reading as the file grows; survives rotation (replaced or truncated). Starts at the beginning, or with the last --tail N entries. Ctrl-C stops'
            cand --follow 'Keep reading as the file grows; survives rotation (replaced or truncated). Starts at the beginning, or with the last --tail N entries. Ctrl-C stops'
            cand --stats 'Print a summary instead of lines: entries by level and module, and per mirror target successes, failures, error messages, p50/p95/max durationMs, first and last time'
            cand --utc 'Show times in UTC instead of the local zone'
            cand --json 'Print machine-readable JSON instead of tables'
            cand -v 'Say more (repeat for even more)'
            cand --verbose 'Say more (repeat for even more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'polycache;completions'= {
            cand --dir 'Write the scripts for every supported shell into this directory instead'
            cand --env-file 'Read settings from this file instead of searching for `.env`'
            cand --url 'Base URL of the local server [env: POLYCACHE_URL]'
            cand --mirrors 'Comma-separated mirror base URLs [env: CACHE_MIRRORS]'
            cand --redis-url 'Redis of the server-side cache [env: REDIS_URL]'
            cand --cache-prefix 'Prefix of cache keys in Redis [env: CACHE_PREFIX]'
            cand --log-file 'The cache log file [env: CACHE_LOG]'
            cand --graph 'Read the dependency graph from this `.ts` or `.json` file instead of searching for `server/src/cache.ts`'
            cand --color 'When to use colour; NO_COLOR in the environment means never for `auto`'
            cand --json 'Print machine-readable JSON instead of tables'
            cand -v 'Say more (repeat for even more)'
            cand --verbose 'Say more (repeat for even more)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'polycache;help'= {
            cand config 'Show every setting, its value and where it came from (secrets masked)'
            cand graph 'Show the dependency cascade of a type, or the whole graph'
            cand logs 'Read the cache log (pino NDJSON): readable lines, filters, follow, stats'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'polycache;help;config'= {
        }
        &'polycache;help;graph'= {
        }
        &'polycache;help;logs'= {
        }
        &'polycache;help;completions'= {
        }
        &'polycache;help;help'= {
        }
    ]
    $completions[$command]
}
