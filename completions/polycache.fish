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
complete -c polycache -n "__fish_polycache_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c polycache -n "__fish_polycache_needs_command" -s V -l version -d 'Print version'
complete -c polycache -n "__fish_polycache_needs_command" -f -a "demo" -d 'Start here: the whole flow once, on two nodes of its own'
complete -c polycache -n "__fish_polycache_needs_command" -f -a "doctor" -d 'Start here on a real setup: check it piece by piece'
complete -c polycache -n "__fish_polycache_needs_command" -f -a "config" -d 'Show every setting and where it came from (secrets masked)'
complete -c polycache -n "__fish_polycache_needs_command" -f -a "check" -d 'Check the platform\'s source against the cache checklist'
complete -c polycache -n "__fish_polycache_needs_command" -f -a "top" -d 'The whole cache, live, on one screen'
complete -c polycache -n "__fish_polycache_needs_command" -f -a "logs" -d 'Read the cache log: readable lines, filters, follow, stats'
complete -c polycache -n "__fish_polycache_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c polycache -n "__fish_polycache_needs_command" -f -a "man" -d 'Print the man page, or write one per subcommand'
complete -c polycache -n "__fish_polycache_needs_command" -f -a "serve" -d 'Run a reference Polymech cache node'
complete -c polycache -n "__fish_polycache_needs_command" -f -a "invalidate" -d 'Invalidate cache types on the local server and mirrors'
complete -c polycache -n "__fish_polycache_needs_command" -f -a "graph" -d 'Show the dependency cascade of a type, or the whole graph'
complete -c polycache -n "__fish_polycache_needs_command" -f -a "tail" -d 'Follow the SSE stream of the local server and mirrors'
complete -c polycache -n "__fish_polycache_needs_command" -f -a "redis" -d 'See and manage the cache in Redis: stats, keys, values, watch'
complete -c polycache -n "__fish_polycache_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c polycache -n "__fish_polycache_using_subcommand demo" -l delay-ms -d 'Rehearsal: both nodes wait this many milliseconds before answering each invalidation' -r
complete -c polycache -n "__fish_polycache_using_subcommand demo" -l env-file -d 'Read settings from this file instead of searching for `.env`' -r -F
complete -c polycache -n "__fish_polycache_using_subcommand demo" -l color -d 'When to use colour; NO_COLOR in the environment means never for `auto`' -r -f -a "auto\t''
always\t''
never\t''"
complete -c polycache -n "__fish_polycache_using_subcommand demo" -l keep -d 'Leave both nodes running after the walkthrough, until Ctrl-C'
complete -c polycache -n "__fish_polycache_using_subcommand demo" -l json -d 'Print machine-readable JSON instead of tables'
complete -c polycache -n "__fish_polycache_using_subcommand demo" -s v -l verbose -d 'Say more (repeat for even more)'
complete -c polycache -n "__fish_polycache_using_subcommand demo" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c polycache -n "__fish_polycache_using_subcommand doctor" -l stream-timeout -d 'How long to wait for each stream\'s heartbeat' -r
complete -c polycache -n "__fish_polycache_using_subcommand doctor" -l timeout -d 'How long to wait for each server' -r
complete -c polycache -n "__fish_polycache_using_subcommand doctor" -l url -d 'Base URL of the local server [env: POLYCACHE_URL]' -r
complete -c polycache -n "__fish_polycache_using_subcommand doctor" -l mirrors -d 'Comma-separated mirror base URLs [env: CACHE_MIRRORS]' -r
complete -c polycache -n "__fish_polycache_using_subcommand doctor" -l cacert -d 'Also trust this PEM certificate authority for https servers, beside the built-in roots (e.g. the CA file `serve --dev --self-signed` prints) [env: POLYCACHE_CACERT]' -r
complete -c polycache -n "__fish_polycache_using_subcommand doctor" -l redis-url -d 'Redis of the server-side cache [env: REDIS_URL]' -r
complete -c polycache -n "__fish_polycache_using_subcommand doctor" -l cache-prefix -d 'Prefix of cache keys in Redis [env: CACHE_PREFIX]' -r
complete -c polycache -n "__fish_polycache_using_subcommand doctor" -l log-file -d 'The cache log file [env: CACHE_LOG]' -r
complete -c polycache -n "__fish_polycache_using_subcommand doctor" -l graph -d 'The dependency graph\'s `.ts` or `.json` file' -r -F
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
complete -c polycache -n "__fish_polycache_using_subcommand config" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c polycache -n "__fish_polycache_using_subcommand check" -l root -d 'The platform\'s checkout [default: the nearest directory up with server/src/cache.ts]' -r -F
complete -c polycache -n "__fish_polycache_using_subcommand check" -l server-dir -d 'The server\'s sources, searched for appCache calls; its cache.ts is the graph [default: ROOT/server/src]' -r -F
complete -c polycache -n "__fish_polycache_using_subcommand check" -l invalidator -d 'The component that handles app-update events [default: ROOT/src/components/StreamInvalidator.tsx]' -r -F
complete -c polycache -n "__fish_polycache_using_subcommand check" -l format -d 'How findings are written (--json is the JSON report)' -r -f -a "human\t'Each finding with its source line underlined, for people'
compact\t'One line per finding: file:line:col: kind: message'
github\t'GitHub Actions workflow commands: annotations on the lines'
sarif\t'SARIF 2.1.0 JSON, for code scanning'"
complete -c polycache -n "__fish_polycache_using_subcommand check" -l graph -d 'The dependency graph\'s `.ts` or `.json` file' -r -F
complete -c polycache -n "__fish_polycache_using_subcommand check" -l env-file -d 'Read settings from this file instead of searching for `.env`' -r -F
complete -c polycache -n "__fish_polycache_using_subcommand check" -l color -d 'When to use colour; NO_COLOR in the environment means never for `auto`' -r -f -a "auto\t''
always\t''
never\t''"
complete -c polycache -n "__fish_polycache_using_subcommand check" -l json -d 'Print machine-readable JSON instead of tables'
complete -c polycache -n "__fish_polycache_using_subcommand check" -s v -l verbose -d 'Say more (repeat for even more)'
complete -c polycache -n "__fish_polycache_using_subcommand check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c polycache -n "__fish_polycache_using_subcommand top" -l redis-every -d 'How often Redis is scanned' -r
complete -c polycache -n "__fish_polycache_using_subcommand top" -l health-every -d 'How often health is asked' -r
complete -c polycache -n "__fish_polycache_using_subcommand top" -l wait -d 'With --once: how long to wait for answers' -r
complete -c polycache -n "__fish_polycache_using_subcommand top" -l url -d 'Base URL of the local server [env: POLYCACHE_URL]' -r
complete -c polycache -n "__fish_polycache_using_subcommand top" -l mirrors -d 'Comma-separated mirror base URLs [env: CACHE_MIRRORS]' -r
complete -c polycache -n "__fish_polycache_using_subcommand top" -l cacert -d 'Also trust this PEM certificate authority for https servers, beside the built-in roots (e.g. the CA file `serve --dev --self-signed` prints) [env: POLYCACHE_CACERT]' -r
complete -c polycache -n "__fish_polycache_using_subcommand top" -l redis-url -d 'Redis of the server-side cache [env: REDIS_URL]' -r
complete -c polycache -n "__fish_polycache_using_subcommand top" -l cache-prefix -d 'Prefix of cache keys in Redis [env: CACHE_PREFIX]' -r
complete -c polycache -n "__fish_polycache_using_subcommand top" -l log-file -d 'The cache log file [env: CACHE_LOG]' -r
complete -c polycache -n "__fish_polycache_using_subcommand top" -l graph -d 'The dependency graph\'s `.ts` or `.json` file' -r -F
complete -c polycache -n "__fish_polycache_using_subcommand top" -l env-file -d 'Read settings from this file instead of searching for `.env`' -r -F
complete -c polycache -n "__fish_polycache_using_subcommand top" -l color -d 'When to use colour; NO_COLOR in the environment means never for `auto`' -r -f -a "auto\t''
always\t''
never\t''"
complete -c polycache -n "__fish_polycache_using_subcommand top" -l once -d 'Print one snapshot and exit'
complete -c polycache -n "__fish_polycache_using_subcommand top" -l json -d 'Print machine-readable JSON instead of tables'
complete -c polycache -n "__fish_polycache_using_subcommand top" -s v -l verbose -d 'Say more (repeat for even more)'
complete -c polycache -n "__fish_polycache_using_subcommand top" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c polycache -n "__fish_polycache_using_subcommand logs" -l level -d 'Only entries at this level or above' -r
complete -c polycache -n "__fish_polycache_using_subcommand logs" -l since -d 'Only entries at or after this (2h, a date)' -r
complete -c polycache -n "__fish_polycache_using_subcommand logs" -l until -d 'Only entries at or before this (same forms as --since)' -r
complete -c polycache -n "__fish_polycache_using_subcommand logs" -l grep -d 'Only entries whose msg matches this regex' -r
complete -c polycache -n "__fish_polycache_using_subcommand logs" -l field -d 'Only entries whose field equals the value' -r
complete -c polycache -n "__fish_polycache_using_subcommand logs" -s n -l tail -d 'Only the last N matching entries' -r
complete -c polycache -n "__fish_polycache_using_subcommand logs" -l count -d 'Stop after N events (log entries for `logs`), exit 0' -r
complete -c polycache -n "__fish_polycache_using_subcommand logs" -l timeout -d 'Stop after this long' -r
complete -c polycache -n "__fish_polycache_using_subcommand logs" -l log-file -d 'The cache log file [env: CACHE_LOG]' -r
complete -c polycache -n "__fish_polycache_using_subcommand logs" -l env-file -d 'Read settings from this file instead of searching for `.env`' -r -F
complete -c polycache -n "__fish_polycache_using_subcommand logs" -l color -d 'When to use colour; NO_COLOR in the environment means never for `auto`' -r -f -a "auto\t''
always\t''
never\t''"
complete -c polycache -n "__fish_polycache_using_subcommand logs" -l rotated -d 'Read the rotated files too, as one log'
complete -c polycache -n "__fish_polycache_using_subcommand logs" -l errors -d 'Only errors: level error (50) and fatal (60)'
complete -c polycache -n "__fish_polycache_using_subcommand logs" -l mirror -d 'Only mirror entries'
complete -c polycache -n "__fish_polycache_using_subcommand logs" -s f -l follow -d 'Keep reading as the file grows (tail -f)'
complete -c polycache -n "__fish_polycache_using_subcommand logs" -l from-start -d 'With --follow: read the whole file first'
complete -c polycache -n "__fish_polycache_using_subcommand logs" -l stats -d 'A summary instead of lines'
complete -c polycache -n "__fish_polycache_using_subcommand logs" -l utc -d 'Show times in UTC instead of the local zone'
complete -c polycache -n "__fish_polycache_using_subcommand logs" -l no-pager -d 'Do not use the pager'
complete -c polycache -n "__fish_polycache_using_subcommand logs" -l json -d 'Print machine-readable JSON instead of tables'
complete -c polycache -n "__fish_polycache_using_subcommand logs" -s v -l verbose -d 'Say more (repeat for even more)'
complete -c polycache -n "__fish_polycache_using_subcommand logs" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c polycache -n "__fish_polycache_using_subcommand completions" -l dir -d 'Write the scripts for every supported shell into this directory instead' -r -F
complete -c polycache -n "__fish_polycache_using_subcommand completions" -l graph -d 'The dependency graph\'s `.ts` or `.json` file' -r -F
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
complete -c polycache -n "__fish_polycache_using_subcommand man" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c polycache -n "__fish_polycache_using_subcommand serve" -l port -d 'Port to listen on [default: 3333]' -r
complete -c polycache -n "__fish_polycache_using_subcommand serve" -l bind -d 'Address to listen on [default: 127.0.0.1]' -r
complete -c polycache -n "__fish_polycache_using_subcommand serve" -l store -d 'In this process, or in Redis [default: memory]' -r -f -a "memory\t''
redis\t''"
complete -c polycache -n "__fish_polycache_using_subcommand serve" -l ping-interval -d 'The stream\'s heartbeat interval' -r
complete -c polycache -n "__fish_polycache_using_subcommand serve" -l state -d 'Keep the stream\'s events across restarts' -r -F
complete -c polycache -n "__fish_polycache_using_subcommand serve" -l log-level -d 'The lowest level logged [default: info]' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''"
complete -c polycache -n "__fish_polycache_using_subcommand serve" -l first-event-id -d 'Number the events from N' -r
complete -c polycache -n "__fish_polycache_using_subcommand serve" -l shutdown-grace -d 'How long to finish broadcasts when stopping' -r
complete -c polycache -n "__fish_polycache_using_subcommand serve" -l drain -d 'Serve this long, not ready, when stopping' -r
complete -c polycache -n "__fish_polycache_using_subcommand serve" -l cors-origin -d 'Let pages of this origin use the API' -r
complete -c polycache -n "__fish_polycache_using_subcommand serve" -l sse-retry -d 'The reconnect delay asked of browsers' -r
complete -c polycache -n "__fish_polycache_using_subcommand serve" -l max-clients -d 'At most N stream clients' -r
complete -c polycache -n "__fish_polycache_using_subcommand serve" -l max-clients-per-ip -d 'At most N stream clients per address' -r
complete -c polycache -n "__fish_polycache_using_subcommand serve" -l trust-proxy -d 'A proxy whose X-Forwarded-For is trusted' -r
complete -c polycache -n "__fish_polycache_using_subcommand serve" -l metrics -d 'Who may read /metrics' -r -f -a "public\t'Anyone who can reach the node (the default: it holds no secrets)'
token\t'Only with a token of this node\'s accounts (`Authorization: Bearer`)'
off\t'Not served (404)'"
complete -c polycache -n "__fish_polycache_using_subcommand serve" -l tls-cert -d 'Serve HTTPS with this PEM certificate' -r -F
complete -c polycache -n "__fish_polycache_using_subcommand serve" -l tls-key -d 'The PEM private key of --tls-cert' -r -F
complete -c polycache -n "__fish_polycache_using_subcommand serve" -l bus -d 'Share invalidations through a Redis Stream' -r -f -a "redis\t'A Redis Stream at REDIS_URL'"
complete -c polycache -n "__fish_polycache_using_subcommand serve" -l bus-maxlen -d 'Entries the bus stream keeps' -r
complete -c polycache -n "__fish_polycache_using_subcommand serve" -l inject-503 -d 'Rehearsal: answer the first N invalidations with 503' -r
complete -c polycache -n "__fish_polycache_using_subcommand serve" -l delay-ms -d 'Rehearsal: wait this many milliseconds before answering each invalidation' -r
complete -c polycache -n "__fish_polycache_using_subcommand serve" -l mirrors -d 'Comma-separated mirror base URLs [env: CACHE_MIRRORS]' -r
complete -c polycache -n "__fish_polycache_using_subcommand serve" -l cacert -d 'Also trust this PEM certificate authority for https servers, beside the built-in roots (e.g. the CA file `serve --dev --self-signed` prints) [env: POLYCACHE_CACERT]' -r
complete -c polycache -n "__fish_polycache_using_subcommand serve" -l redis-url -d 'Redis of the server-side cache [env: REDIS_URL]' -r
complete -c polycache -n "__fish_polycache_using_subcommand serve" -l cache-prefix -d 'Prefix of cache keys in Redis [env: CACHE_PREFIX]' -r
complete -c polycache -n "__fish_polycache_using_subcommand serve" -l log-file -d 'The cache log file [env: CACHE_LOG]' -r
complete -c polycache -n "__fish_polycache_using_subcommand serve" -l graph -d 'The dependency graph\'s `.ts` or `.json` file' -r -F
complete -c polycache -n "__fish_polycache_using_subcommand serve" -l env-file -d 'Read settings from this file instead of searching for `.env`' -r -F
complete -c polycache -n "__fish_polycache_using_subcommand serve" -l color -d 'When to use colour; NO_COLOR in the environment means never for `auto`' -r -f -a "auto\t''
always\t''
never\t''"
complete -c polycache -n "__fish_polycache_using_subcommand serve" -l dev -d 'A throwaway account and JWT secret'
complete -c polycache -n "__fish_polycache_using_subcommand serve" -l demo-data -d 'A few entries per type to start with'
complete -c polycache -n "__fish_polycache_using_subcommand serve" -l public-entries -d 'Anyone may list the cached keys'
complete -c polycache -n "__fish_polycache_using_subcommand serve" -l allow-insecure -d 'Allow credentials over http:// off loopback'
complete -c polycache -n "__fish_polycache_using_subcommand serve" -l self-signed -d 'With --dev: HTTPS with a throwaway CA'
complete -c polycache -n "__fish_polycache_using_subcommand serve" -l no-notify -d 'Rehearsal: accept invalidations but never announce them on the stream'
complete -c polycache -n "__fish_polycache_using_subcommand serve" -l json -d 'Print machine-readable JSON instead of tables'
complete -c polycache -n "__fish_polycache_using_subcommand serve" -s v -l verbose -d 'Say more (repeat for even more)'
complete -c polycache -n "__fish_polycache_using_subcommand serve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c polycache -n "__fish_polycache_using_subcommand invalidate" -l only -d 'Only this base URL (repeat for several)' -r
complete -c polycache -n "__fish_polycache_using_subcommand invalidate" -l id -d 'The entity id, passed on to the SSE event' -r
complete -c polycache -n "__fish_polycache_using_subcommand invalidate" -l verify-timeout -d 'How long --verify waits' -r
complete -c polycache -n "__fish_polycache_using_subcommand invalidate" -l concurrency -d 'Targets asked at the same time' -r
complete -c polycache -n "__fish_polycache_using_subcommand invalidate" -l retries -d 'Retries per request' -r
complete -c polycache -n "__fish_polycache_using_subcommand invalidate" -l timeout -d 'Deadline per target' -r
complete -c polycache -n "__fish_polycache_using_subcommand invalidate" -l url -d 'Base URL of the local server [env: POLYCACHE_URL]' -r
complete -c polycache -n "__fish_polycache_using_subcommand invalidate" -l mirrors -d 'Comma-separated mirror base URLs [env: CACHE_MIRRORS]' -r
complete -c polycache -n "__fish_polycache_using_subcommand invalidate" -l cacert -d 'Also trust this PEM certificate authority for https servers, beside the built-in roots (e.g. the CA file `serve --dev --self-signed` prints) [env: POLYCACHE_CACERT]' -r
complete -c polycache -n "__fish_polycache_using_subcommand invalidate" -l graph -d 'The dependency graph\'s `.ts` or `.json` file' -r -F
complete -c polycache -n "__fish_polycache_using_subcommand invalidate" -l invalidator -d 'The component that handles app-update events, to show what browsers reset [default: src/components/StreamInvalidator.tsx, searching up from the working directory]' -r -F
complete -c polycache -n "__fish_polycache_using_subcommand invalidate" -l env-file -d 'Read settings from this file instead of searching for `.env`' -r -F
complete -c polycache -n "__fish_polycache_using_subcommand invalidate" -l color -d 'When to use colour; NO_COLOR in the environment means never for `auto`' -r -f -a "auto\t''
always\t''
never\t''"
complete -c polycache -n "__fish_polycache_using_subcommand invalidate" -l mirror -d 'The local server and every mirror'
complete -c polycache -n "__fish_polycache_using_subcommand invalidate" -l via-server -d 'Local server broadcasts to its mirrors'
complete -c polycache -n "__fish_polycache_using_subcommand invalidate" -l dry-run -d 'Show the requests; send nothing'
complete -c polycache -n "__fish_polycache_using_subcommand invalidate" -l verify -d 'Check each target\'s stream announces it'
complete -c polycache -n "__fish_polycache_using_subcommand invalidate" -l allow-insecure -d 'Allow credentials over http:// off loopback'
complete -c polycache -n "__fish_polycache_using_subcommand invalidate" -l json -d 'Print machine-readable JSON instead of tables'
complete -c polycache -n "__fish_polycache_using_subcommand invalidate" -s v -l verbose -d 'Say more (repeat for even more)'
complete -c polycache -n "__fish_polycache_using_subcommand invalidate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c polycache -n "__fish_polycache_using_subcommand graph" -l format -d 'Output format; dot and mermaid draw the whole graph with the type\'s cascade highlighted' -r -f -a "tree\t''
dot\t''
mermaid\t''
json\t''"
complete -c polycache -n "__fish_polycache_using_subcommand graph" -l graph -d 'The dependency graph\'s `.ts` or `.json` file' -r -F
complete -c polycache -n "__fish_polycache_using_subcommand graph" -l invalidator -d 'The component that handles app-update events, to show what browsers reset [default: src/components/StreamInvalidator.tsx, searching up from the working directory]' -r -F
complete -c polycache -n "__fish_polycache_using_subcommand graph" -l env-file -d 'Read settings from this file instead of searching for `.env`' -r -F
complete -c polycache -n "__fish_polycache_using_subcommand graph" -l color -d 'When to use colour; NO_COLOR in the environment means never for `auto`' -r -f -a "auto\t''
always\t''
never\t''"
complete -c polycache -n "__fish_polycache_using_subcommand graph" -l json -d 'Print machine-readable JSON instead of tables'
complete -c polycache -n "__fish_polycache_using_subcommand graph" -s v -l verbose -d 'Say more (repeat for even more)'
complete -c polycache -n "__fish_polycache_using_subcommand graph" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c polycache -n "__fish_polycache_using_subcommand tail" -l only -d 'Only this base URL (repeat for several)' -r
complete -c polycache -n "__fish_polycache_using_subcommand tail" -l count -d 'Stop after N events (log entries for `logs`), exit 0' -r
complete -c polycache -n "__fish_polycache_using_subcommand tail" -l timeout -d 'Stop after this long' -r
complete -c polycache -n "__fish_polycache_using_subcommand tail" -l since-id -d 'Replay the events after this id first' -r
complete -c polycache -n "__fish_polycache_using_subcommand tail" -l url -d 'Base URL of the local server [env: POLYCACHE_URL]' -r
complete -c polycache -n "__fish_polycache_using_subcommand tail" -l mirrors -d 'Comma-separated mirror base URLs [env: CACHE_MIRRORS]' -r
complete -c polycache -n "__fish_polycache_using_subcommand tail" -l cacert -d 'Also trust this PEM certificate authority for https servers, beside the built-in roots (e.g. the CA file `serve --dev --self-signed` prints) [env: POLYCACHE_CACERT]' -r
complete -c polycache -n "__fish_polycache_using_subcommand tail" -l redis-url -d 'Redis of the server-side cache [env: REDIS_URL]' -r
complete -c polycache -n "__fish_polycache_using_subcommand tail" -l cache-prefix -d 'Prefix of cache keys in Redis [env: CACHE_PREFIX]' -r
complete -c polycache -n "__fish_polycache_using_subcommand tail" -l graph -d 'The dependency graph\'s `.ts` or `.json` file' -r -F
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
complete -c polycache -n "__fish_polycache_using_subcommand tail" -l mirror -d 'The local server and every mirror'
complete -c polycache -n "__fish_polycache_using_subcommand tail" -l bus -d 'Follow the bus in Redis instead of a stream'
complete -c polycache -n "__fish_polycache_using_subcommand tail" -l json -d 'Print machine-readable JSON instead of tables'
complete -c polycache -n "__fish_polycache_using_subcommand tail" -s v -l verbose -d 'Say more (repeat for even more)'
complete -c polycache -n "__fish_polycache_using_subcommand tail" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c polycache -n "__fish_polycache_using_subcommand redis; and not __fish_seen_subcommand_from stats get watch keys del help" -l redis-url -d 'Redis of the server-side cache [env: REDIS_URL]' -r
complete -c polycache -n "__fish_polycache_using_subcommand redis; and not __fish_seen_subcommand_from stats get watch keys del help" -l cache-prefix -d 'Prefix of cache keys in Redis [env: CACHE_PREFIX]' -r
complete -c polycache -n "__fish_polycache_using_subcommand redis; and not __fish_seen_subcommand_from stats get watch keys del help" -l graph -d 'The dependency graph\'s `.ts` or `.json` file' -r -F
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
complete -c polycache -n "__fish_polycache_using_subcommand redis; and __fish_seen_subcommand_from stats" -l graph -d 'The dependency graph\'s `.ts` or `.json` file' -r -F
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
complete -c polycache -n "__fish_polycache_using_subcommand redis; and __fish_seen_subcommand_from get" -l graph -d 'The dependency graph\'s `.ts` or `.json` file' -r -F
complete -c polycache -n "__fish_polycache_using_subcommand redis; and __fish_seen_subcommand_from get" -l env-file -d 'Read settings from this file instead of searching for `.env`' -r -F
complete -c polycache -n "__fish_polycache_using_subcommand redis; and __fish_seen_subcommand_from get" -l color -d 'When to use colour; NO_COLOR in the environment means never for `auto`' -r -f -a "auto\t''
always\t''
never\t''"
complete -c polycache -n "__fish_polycache_using_subcommand redis; and __fish_seen_subcommand_from get" -l json -d 'Print machine-readable JSON instead of tables'
complete -c polycache -n "__fish_polycache_using_subcommand redis; and __fish_seen_subcommand_from get" -s v -l verbose -d 'Say more (repeat for even more)'
complete -c polycache -n "__fish_polycache_using_subcommand redis; and __fish_seen_subcommand_from get" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c polycache -n "__fish_polycache_using_subcommand redis; and __fish_seen_subcommand_from watch" -l count -d 'Stop after N events (log entries for `logs`), exit 0' -r
complete -c polycache -n "__fish_polycache_using_subcommand redis; and __fish_seen_subcommand_from watch" -l timeout -d 'Stop after this long' -r
complete -c polycache -n "__fish_polycache_using_subcommand redis; and __fish_seen_subcommand_from watch" -l redis-url -d 'Redis of the server-side cache [env: REDIS_URL]' -r
complete -c polycache -n "__fish_polycache_using_subcommand redis; and __fish_seen_subcommand_from watch" -l cache-prefix -d 'Prefix of cache keys in Redis [env: CACHE_PREFIX]' -r
complete -c polycache -n "__fish_polycache_using_subcommand redis; and __fish_seen_subcommand_from watch" -l graph -d 'The dependency graph\'s `.ts` or `.json` file' -r -F
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
complete -c polycache -n "__fish_polycache_using_subcommand redis; and __fish_seen_subcommand_from keys" -l graph -d 'The dependency graph\'s `.ts` or `.json` file' -r -F
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
complete -c polycache -n "__fish_polycache_using_subcommand redis; and __fish_seen_subcommand_from del" -l graph -d 'The dependency graph\'s `.ts` or `.json` file' -r -F
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
complete -c polycache -n "__fish_polycache_using_subcommand help; and not __fish_seen_subcommand_from demo doctor config check top logs completions man serve invalidate graph tail redis help" -f -a "demo" -d 'Start here: the whole flow once, on two nodes of its own'
complete -c polycache -n "__fish_polycache_using_subcommand help; and not __fish_seen_subcommand_from demo doctor config check top logs completions man serve invalidate graph tail redis help" -f -a "doctor" -d 'Start here on a real setup: check it piece by piece'
complete -c polycache -n "__fish_polycache_using_subcommand help; and not __fish_seen_subcommand_from demo doctor config check top logs completions man serve invalidate graph tail redis help" -f -a "config" -d 'Show every setting and where it came from (secrets masked)'
complete -c polycache -n "__fish_polycache_using_subcommand help; and not __fish_seen_subcommand_from demo doctor config check top logs completions man serve invalidate graph tail redis help" -f -a "check" -d 'Check the platform\'s source against the cache checklist'
complete -c polycache -n "__fish_polycache_using_subcommand help; and not __fish_seen_subcommand_from demo doctor config check top logs completions man serve invalidate graph tail redis help" -f -a "top" -d 'The whole cache, live, on one screen'
complete -c polycache -n "__fish_polycache_using_subcommand help; and not __fish_seen_subcommand_from demo doctor config check top logs completions man serve invalidate graph tail redis help" -f -a "logs" -d 'Read the cache log: readable lines, filters, follow, stats'
complete -c polycache -n "__fish_polycache_using_subcommand help; and not __fish_seen_subcommand_from demo doctor config check top logs completions man serve invalidate graph tail redis help" -f -a "completions" -d 'Print a shell completion script'
complete -c polycache -n "__fish_polycache_using_subcommand help; and not __fish_seen_subcommand_from demo doctor config check top logs completions man serve invalidate graph tail redis help" -f -a "man" -d 'Print the man page, or write one per subcommand'
complete -c polycache -n "__fish_polycache_using_subcommand help; and not __fish_seen_subcommand_from demo doctor config check top logs completions man serve invalidate graph tail redis help" -f -a "serve" -d 'Run a reference Polymech cache node'
complete -c polycache -n "__fish_polycache_using_subcommand help; and not __fish_seen_subcommand_from demo doctor config check top logs completions man serve invalidate graph tail redis help" -f -a "invalidate" -d 'Invalidate cache types on the local server and mirrors'
complete -c polycache -n "__fish_polycache_using_subcommand help; and not __fish_seen_subcommand_from demo doctor config check top logs completions man serve invalidate graph tail redis help" -f -a "graph" -d 'Show the dependency cascade of a type, or the whole graph'
complete -c polycache -n "__fish_polycache_using_subcommand help; and not __fish_seen_subcommand_from demo doctor config check top logs completions man serve invalidate graph tail redis help" -f -a "tail" -d 'Follow the SSE stream of the local server and mirrors'
complete -c polycache -n "__fish_polycache_using_subcommand help; and not __fish_seen_subcommand_from demo doctor config check top logs completions man serve invalidate graph tail redis help" -f -a "redis" -d 'See and manage the cache in Redis: stats, keys, values, watch'
complete -c polycache -n "__fish_polycache_using_subcommand help; and not __fish_seen_subcommand_from demo doctor config check top logs completions man serve invalidate graph tail redis help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c polycache -n "__fish_polycache_using_subcommand help; and __fish_seen_subcommand_from redis" -f -a "stats" -d 'Keys, memory, largest key and TTLs per type, from one SCAN pass'
complete -c polycache -n "__fish_polycache_using_subcommand help; and __fish_seen_subcommand_from redis" -f -a "get" -d 'Print one key\'s value: JSON pretty-printed, hashes, lists, sets and sorted sets natively'
complete -c polycache -n "__fish_polycache_using_subcommand help; and __fish_seen_subcommand_from redis" -f -a "watch" -d 'Show sets, expiries and deletions under the prefix live (keyspace notifications)'
complete -c polycache -n "__fish_polycache_using_subcommand help; and __fish_seen_subcommand_from redis" -f -a "keys" -d 'List keys with their Redis type, TTL, memory and encoding, sorted by key'
complete -c polycache -n "__fish_polycache_using_subcommand help; and __fish_seen_subcommand_from redis" -f -a "del" -d 'Delete the keys of a type (and with --cascade, of every type its invalidation clears)'
