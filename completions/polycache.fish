# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_polycache_global_optspecs
    string join \n env-file= url= mirrors= redis-url= cache-prefix= log-file= graph= json color= v/verbose h/help V/version
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
complete -c polycache -n "__fish_polycache_needs_command" -l url -d 'Base URL of the local server [env: POLYCACHE_URL]' -r
complete -c polycache -n "__fish_polycache_needs_command" -l mirrors -d 'Comma-separated mirror base URLs [env: CACHE_MIRRORS]' -r
complete -c polycache -n "__fish_polycache_needs_command" -l redis-url -d 'Redis of the server-side cache [env: REDIS_URL]' -r
complete -c polycache -n "__fish_polycache_needs_command" -l cache-prefix -d 'Prefix of cache keys in Redis [env: CACHE_PREFIX]' -r
complete -c polycache -n "__fish_polycache_needs_command" -l log-file -d 'The cache log file [env: CACHE_LOG]' -r
complete -c polycache -n "__fish_polycache_needs_command" -l graph -d 'Read the dependency graph from this `.ts` or `.json` file instead of searching for `server/src/cache.ts`' -r -F
complete -c polycache -n "__fish_polycache_needs_command" -l color -d 'When to use colour; NO_COLOR in the environment means never for `auto`' -r -f -a "auto\t''
always\t''
never\t''"
complete -c polycache -n "__fish_polycache_needs_command" -l json -d 'Print machine-readable JSON instead of tables'
complete -c polycache -n "__fish_polycache_needs_command" -s v -l verbose -d 'Say more (repeat for even more)'
complete -c polycache -n "__fish_polycache_needs_command" -s h -l help -d 'Print help'
complete -c polycache -n "__fish_polycache_needs_command" -s V -l version -d 'Print version'
complete -c polycache -n "__fish_polycache_needs_command" -f -a "config" -d 'Show every setting, its value and where it came from (secrets masked)'
complete -c polycache -n "__fish_polycache_needs_command" -f -a "graph" -d 'Show the dependency cascade of a type, or the whole graph'
complete -c polycache -n "__fish_polycache_needs_command" -f -a "logs" -d 'Read the cache log (pino NDJSON): readable lines, filters, follow, stats'
complete -c polycache -n "__fish_polycache_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c polycache -n "__fish_polycache_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c polycache -n "__fish_polycache_using_subcommand config" -l env-file -d 'Read settings from this file instead of searching for `.env`' -r -F
complete -c polycache -n "__fish_polycache_using_subcommand config" -l url -d 'Base URL of the local server [env: POLYCACHE_URL]' -r
complete -c polycache -n "__fish_polycache_using_subcommand config" -l mirrors -d 'Comma-separated mirror base URLs [env: CACHE_MIRRORS]' -r
complete -c polycache -n "__fish_polycache_using_subcommand config" -l redis-url -d 'Redis of the server-side cache [env: REDIS_URL]' -r
complete -c polycache -n "__fish_polycache_using_subcommand config" -l cache-prefix -d 'Prefix of cache keys in Redis [env: CACHE_PREFIX]' -r
complete -c polycache -n "__fish_polycache_using_subcommand config" -l log-file -d 'The cache log file [env: CACHE_LOG]' -r
complete -c polycache -n "__fish_polycache_using_subcommand config" -l graph -d 'Read the dependency graph from this `.ts` or `.json` file instead of searching for `server/src/cache.ts`' -r -F
complete -c polycache -n "__fish_polycache_using_subcommand config" -l color -d 'When to use colour; NO_COLOR in the environment means never for `auto`' -r -f -a "auto\t''
always\t''
never\t''"
complete -c polycache -n "__fish_polycache_using_subcommand config" -l json -d 'Print machine-readable JSON instead of tables'
complete -c polycache -n "__fish_polycache_using_subcommand config" -s v -l verbose -d 'Say more (repeat for even more)'
complete -c polycache -n "__fish_polycache_using_subcommand config" -s h -l help -d 'Print help'
complete -c polycache -n "__fish_polycache_using_subcommand graph" -l format -d 'Output format; dot and mermaid draw the whole graph with the type\'s cascade highlighted' -r -f -a "tree\t''
dot\t''
mermaid\t''
json\t''"
complete -c polycache -n "__fish_polycache_using_subcommand graph" -l env-file -d 'Read settings from this file instead of searching for `.env`' -r -F
complete -c polycache -n "__fish_polycache_using_subcommand graph" -l url -d 'Base URL of the local server [env: POLYCACHE_URL]' -r
complete -c polycache -n "__fish_polycache_using_subcommand graph" -l mirrors -d 'Comma-separated mirror base URLs [env: CACHE_MIRRORS]' -r
complete -c polycache -n "__fish_polycache_using_subcommand graph" -l redis-url -d 'Redis of the server-side cache [env: REDIS_URL]' -r
complete -c polycache -n "__fish_polycache_using_subcommand graph" -l cache-prefix -d 'Prefix of cache keys in Redis [env: CACHE_PREFIX]' -r
complete -c polycache -n "__fish_polycache_using_subcommand graph" -l log-file -d 'The cache log file [env: CACHE_LOG]' -r
complete -c polycache -n "__fish_polycache_using_subcommand graph" -l graph -d 'Read the dependency graph from this `.ts` or `.json` file instead of searching for `server/src/cache.ts`' -r -F
complete -c polycache -n "__fish_polycache_using_subcommand graph" -l color -d 'When to use colour; NO_COLOR in the environment means never for `auto`' -r -f -a "auto\t''
always\t''
never\t''"
complete -c polycache -n "__fish_polycache_using_subcommand graph" -l json -d 'Print machine-readable JSON instead of tables'
complete -c polycache -n "__fish_polycache_using_subcommand graph" -s v -l verbose -d 'Say more (repeat for even more)'
complete -c polycache -n "__fish_polycache_using_subcommand graph" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c polycache -n "__fish_polycache_using_subcommand logs" -l level -d 'Only entries at this level or above: trace, debug, info, warn, error, fatal, or a number' -r
complete -c polycache -n "__fish_polycache_using_subcommand logs" -l since -d 'Only entries at or after this: a duration back from now (30s, 15m, 2h, 7d, 1w), epoch milliseconds, an RFC 3339 timestamp, or a local `YYYY-MM-DD[ HH:MM[:SS]]`' -r
complete -c polycache -n "__fish_polycache_using_subcommand logs" -l until -d 'Only entries at or before this (same forms as --since)' -r
complete -c polycache -n "__fish_polycache_using_subcommand logs" -l grep -d 'Only entries whose msg matches this regular expression (Rust regex syntax)' -r
complete -c polycache -n "__fish_polycache_using_subcommand logs" -l field -d 'Only entries whose top-level field equals the value (a string\'s text or a number as written); repeat to require several' -r
complete -c polycache -n "__fish_polycache_using_subcommand logs" -l tail -d 'Only the last N matching entries, read backwards from the end of the file' -r
complete -c polycache -n "__fish_polycache_using_subcommand logs" -l env-file -d 'Read settings from this file instead of searching for `.env`' -r -F
complete -c polycache -n "__fish_polycache_using_subcommand logs" -l url -d 'Base URL of the local server [env: POLYCACHE_URL]' -r
complete -c polycache -n "__fish_polycache_using_subcommand logs" -l mirrors -d 'Comma-separated mirror base URLs [env: CACHE_MIRRORS]' -r
complete -c polycache -n "__fish_polycache_using_subcommand logs" -l redis-url -d 'Redis of the server-side cache [env: REDIS_URL]' -r
complete -c polycache -n "__fish_polycache_using_subcommand logs" -l cache-prefix -d 'Prefix of cache keys in Redis [env: CACHE_PREFIX]' -r
complete -c polycache -n "__fish_polycache_using_subcommand logs" -l log-file -d 'The cache log file [env: CACHE_LOG]' -r
complete -c polycache -n "__fish_polycache_using_subcommand logs" -l graph -d 'Read the dependency graph from this `.ts` or `.json` file instead of searching for `server/src/cache.ts`' -r -F
complete -c polycache -n "__fish_polycache_using_subcommand logs" -l color -d 'When to use colour; NO_COLOR in the environment means never for `auto`' -r -f -a "auto\t''
always\t''
never\t''"
complete -c polycache -n "__fish_polycache_using_subcommand logs" -l errors -d 'Only errors: level error (50) and fatal (60)'
complete -c polycache -n "__fish_polycache_using_subcommand logs" -l mirror -d 'Only mirror entries (shorthand for --field module=mirror)'
complete -c polycache -n "__fish_polycache_using_subcommand logs" -s f -l follow -d 'Keep reading as the file grows; survives rotation (replaced or truncated). Starts at the beginning, or with the last --tail N entries. Ctrl-C stops'
complete -c polycache -n "__fish_polycache_using_subcommand logs" -l stats -d 'Print a summary instead of lines: entries by level and module, and per mirror target successes, failures, error messages, p50/p95/max durationMs, first and last time'
complete -c polycache -n "__fish_polycache_using_subcommand logs" -l utc -d 'Show times in UTC instead of the local zone'
complete -c polycache -n "__fish_polycache_using_subcommand logs" -l json -d 'Print machine-readable JSON instead of tables'
complete -c polycache -n "__fish_polycache_using_subcommand logs" -s v -l verbose -d 'Say more (repeat for even more)'
complete -c polycache -n "__fish_polycache_using_subcommand logs" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c polycache -n "__fish_polycache_using_subcommand completions" -l dir -d 'Write the scripts for every supported shell into this directory instead' -r -F
complete -c polycache -n "__fish_polycache_using_subcommand completions" -l env-file -d 'Read settings from this file instead of searching for `.env`' -r -F
complete -c polycache -n "__fish_polycache_using_subcommand completions" -l url -d 'Base URL of the local server [env: POLYCACHE_URL]' -r
complete -c polycache -n "__fish_polycache_using_subcommand completions" -l mirrors -d 'Comma-separated mirror base URLs [env: CACHE_MIRRORS]' -r
complete -c polycache -n "__fish_polycache_using_subcommand completions" -l redis-url -d 'Redis of the server-side cache [env: REDIS_URL]' -r
complete -c polycache -n "__fish_polycache_using_subcommand completions" -l cache-prefix -d 'Prefix of cache keys in Redis [env: CACHE_PREFIX]' -r
complete -c polycache -n "__fish_polycache_using_subcommand completions" -l log-file -d 'The cache log file [env: CACHE_LOG]' -r
complete -c polycache -n "__fish_polycache_using_subcommand completions" -l graph -d 'Read the dependency graph from this `.ts` or `.json` file instead of searching for `server/src/cache.ts`' -r -F
complete -c polycache -n "__fish_polycache_using_subcommand completions" -l color -d 'When to use colour; NO_COLOR in the environment means never for `auto`' -r -f -a "auto\t''
always\t''
never\t''"
complete -c polycache -n "__fish_polycache_using_subcommand completions" -l json -d 'Print machine-readable JSON instead of tables'
complete -c polycache -n "__fish_polycache_using_subcommand completions" -s v -l verbose -d 'Say more (repeat for even more)'
complete -c polycache -n "__fish_polycache_using_subcommand completions" -s h -l help -d 'Print help'
complete -c polycache -n "__fish_polycache_using_subcommand help; and not __fish_seen_subcommand_from config graph logs completions help" -f -a "config" -d 'Show every setting, its value and where it came from (secrets masked)'
complete -c polycache -n "__fish_polycache_using_subcommand help; and not __fish_seen_subcommand_from config graph logs completions help" -f -a "graph" -d 'Show the dependency cascade of a type, or the whole graph'
complete -c polycache -n "__fish_polycache_using_subcommand help; and not __fish_seen_subcommand_from config graph logs completions help" -f -a "logs" -d 'Read the cache log (pino NDJSON): readable lines, filters, follow, stats'
complete -c polycache -n "__fish_polycache_using_subcommand help; and not __fish_seen_subcommand_from config graph logs completions help" -f -a "completions" -d 'Print a shell completion script'
complete -c polycache -n "__fish_polycache_using_subcommand help; and not __fish_seen_subcommand_from config graph logs completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
