
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
            cand completions 'Print a shell completion script'
            cand man 'Print the man page (roff), or write one page per subcommand into a directory'
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
        &'polycache;man'= {
            cand --dir 'Write `polycache.1` and one page per subcommand into this directory'
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
            cand completions 'Print a shell completion script'
            cand man 'Print the man page (roff), or write one page per subcommand into a directory'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'polycache;help;config'= {
        }
        &'polycache;help;graph'= {
        }
        &'polycache;help;completions'= {
        }
        &'polycache;help;man'= {
        }
        &'polycache;help;help'= {
        }
    ]
    $completions[$command]
}
