
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
            cand --color 'When to use colour; NO_COLOR in the environment means never for `auto`'
            cand --json 'Print machine-readable JSON instead of tables'
            cand -v 'Say more (repeat for even more)'
            cand --verbose 'Say more (repeat for even more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand demo 'Start here: the whole flow once, on two nodes of its own'
            cand doctor 'Start here on a real setup: check it piece by piece'
            cand config 'Show every setting and where it came from (secrets masked)'
            cand check 'Check the platform''s source against the cache checklist'
            cand top 'The whole cache, live, on one screen'
            cand logs 'Read the cache log: readable lines, filters, follow, stats'
            cand completions 'Print a shell completion script'
            cand man 'Print the man page, or write one per subcommand'
            cand serve 'Run a reference Polymech cache node'
            cand invalidate 'Invalidate cache types on the local server and mirrors'
            cand graph 'Show the dependency cascade of a type, or the whole graph'
            cand tail 'Follow the SSE stream of the local server and mirrors'
            cand redis 'See and manage the cache in Redis: stats, keys, values, watch'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'polycache;demo'= {
            cand --delay-ms 'Rehearsal: both nodes wait this many milliseconds before answering each invalidation'
            cand --env-file 'Read settings from this file instead of searching for `.env`'
            cand --color 'When to use colour; NO_COLOR in the environment means never for `auto`'
            cand --keep 'Leave both nodes running after the walkthrough, until Ctrl-C'
            cand --json 'Print machine-readable JSON instead of tables'
            cand -v 'Say more (repeat for even more)'
            cand --verbose 'Say more (repeat for even more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'polycache;doctor'= {
            cand --stream-timeout 'How long to wait for each stream''s heartbeat'
            cand --timeout 'How long to wait for each server'
            cand --url 'Base URL of the local server [env: POLYCACHE_URL]'
            cand --mirrors 'Comma-separated mirror base URLs [env: CACHE_MIRRORS]'
            cand --cacert 'Also trust this PEM certificate authority for https servers, beside the built-in roots (e.g. the CA file `serve --dev --self-signed` prints) [env: POLYCACHE_CACERT]'
            cand --redis-url 'Redis of the server-side cache [env: REDIS_URL]'
            cand --cache-prefix 'Prefix of cache keys in Redis [env: CACHE_PREFIX]'
            cand --log-file 'The cache log file [env: CACHE_LOG]'
            cand --graph 'The dependency graph''s `.ts` or `.json` file'
            cand --env-file 'Read settings from this file instead of searching for `.env`'
            cand --color 'When to use colour; NO_COLOR in the environment means never for `auto`'
            cand --json 'Print machine-readable JSON instead of tables'
            cand -v 'Say more (repeat for even more)'
            cand --verbose 'Say more (repeat for even more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'polycache;config'= {
            cand --url 'Base URL of the local server [env: POLYCACHE_URL]'
            cand --mirrors 'Comma-separated mirror base URLs [env: CACHE_MIRRORS]'
            cand --cacert 'Also trust this PEM certificate authority for https servers, beside the built-in roots (e.g. the CA file `serve --dev --self-signed` prints) [env: POLYCACHE_CACERT]'
            cand --redis-url 'Redis of the server-side cache [env: REDIS_URL]'
            cand --cache-prefix 'Prefix of cache keys in Redis [env: CACHE_PREFIX]'
            cand --log-file 'The cache log file [env: CACHE_LOG]'
            cand --env-file 'Read settings from this file instead of searching for `.env`'
            cand --color 'When to use colour; NO_COLOR in the environment means never for `auto`'
            cand --json 'Print machine-readable JSON instead of tables'
            cand -v 'Say more (repeat for even more)'
            cand --verbose 'Say more (repeat for even more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'polycache;check'= {
            cand --root 'The platform''s checkout [default: the nearest directory up with server/src/cache.ts]'
            cand --server-dir 'The server''s sources, searched for appCache calls; its cache.ts is the graph [default: ROOT/server/src]'
            cand --invalidator 'The component that handles app-update events [default: ROOT/src/components/StreamInvalidator.tsx]'
            cand --format 'How findings are written (--json is the JSON report)'
            cand --graph 'The dependency graph''s `.ts` or `.json` file'
            cand --env-file 'Read settings from this file instead of searching for `.env`'
            cand --color 'When to use colour; NO_COLOR in the environment means never for `auto`'
            cand --json 'Print machine-readable JSON instead of tables'
            cand -v 'Say more (repeat for even more)'
            cand --verbose 'Say more (repeat for even more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'polycache;top'= {
            cand --redis-every 'How often Redis is scanned'
            cand --health-every 'How often health is asked'
            cand --wait 'With --once: how long to wait for answers'
            cand --url 'Base URL of the local server [env: POLYCACHE_URL]'
            cand --mirrors 'Comma-separated mirror base URLs [env: CACHE_MIRRORS]'
            cand --cacert 'Also trust this PEM certificate authority for https servers, beside the built-in roots (e.g. the CA file `serve --dev --self-signed` prints) [env: POLYCACHE_CACERT]'
            cand --redis-url 'Redis of the server-side cache [env: REDIS_URL]'
            cand --cache-prefix 'Prefix of cache keys in Redis [env: CACHE_PREFIX]'
            cand --log-file 'The cache log file [env: CACHE_LOG]'
            cand --graph 'The dependency graph''s `.ts` or `.json` file'
            cand --env-file 'Read settings from this file instead of searching for `.env`'
            cand --color 'When to use colour; NO_COLOR in the environment means never for `auto`'
            cand --once 'Print one snapshot and exit'
            cand --json 'Print machine-readable JSON instead of tables'
            cand -v 'Say more (repeat for even more)'
            cand --verbose 'Say more (repeat for even more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'polycache;logs'= {
            cand --level 'Only entries at this level or above'
            cand --since 'Only entries at or after this (2h, a date)'
            cand --until 'Only entries at or before this (same forms as --since)'
            cand --grep 'Only entries whose msg matches this regex'
            cand --field 'Only entries whose field equals the value'
            cand -n 'Only the last N matching entries'
            cand --tail 'Only the last N matching entries'
            cand --count 'Stop after N events (log entries for `logs`), exit 0'
            cand --timeout 'Stop after this long'
            cand --log-file 'The cache log file [env: CACHE_LOG]'
            cand --env-file 'Read settings from this file instead of searching for `.env`'
            cand --color 'When to use colour; NO_COLOR in the environment means never for `auto`'
            cand --rotated 'Read the rotated files too, as one log'
            cand --errors 'Only errors: level error (50) and fatal (60)'
            cand --mirror 'Only mirror entries'
            cand -f 'Keep reading as the file grows (tail -f)'
            cand --follow 'Keep reading as the file grows (tail -f)'
            cand --from-start 'With --follow: read the whole file first'
            cand --stats 'A summary instead of lines'
            cand --utc 'Show times in UTC instead of the local zone'
            cand --no-pager 'Do not use the pager'
            cand --json 'Print machine-readable JSON instead of tables'
            cand -v 'Say more (repeat for even more)'
            cand --verbose 'Say more (repeat for even more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'polycache;completions'= {
            cand --dir 'Write the scripts for every supported shell into this directory instead'
            cand --graph 'The dependency graph''s `.ts` or `.json` file'
            cand --env-file 'Read settings from this file instead of searching for `.env`'
            cand --color 'When to use colour; NO_COLOR in the environment means never for `auto`'
            cand --json 'Print machine-readable JSON instead of tables'
            cand -v 'Say more (repeat for even more)'
            cand --verbose 'Say more (repeat for even more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'polycache;man'= {
            cand --dir 'Write `polycache.1` and one page per subcommand into this directory'
            cand --env-file 'Read settings from this file instead of searching for `.env`'
            cand --color 'When to use colour; NO_COLOR in the environment means never for `auto`'
            cand --json 'Print machine-readable JSON instead of tables'
            cand -v 'Say more (repeat for even more)'
            cand --verbose 'Say more (repeat for even more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'polycache;serve'= {
            cand --port 'Port to listen on [default: 3333]'
            cand --bind 'Address to listen on [default: 127.0.0.1]'
            cand --store 'In this process, or in Redis [default: memory]'
            cand --ping-interval 'The stream''s heartbeat interval'
            cand --state 'Keep the stream''s events across restarts'
            cand --log-level 'The lowest level logged [default: info]'
            cand --first-event-id 'Number the events from N'
            cand --shutdown-grace 'How long to finish broadcasts when stopping'
            cand --drain 'Serve this long, not ready, when stopping'
            cand --cors-origin 'Let pages of this origin use the API'
            cand --sse-retry 'The reconnect delay asked of browsers'
            cand --max-clients 'At most N stream clients'
            cand --max-clients-per-ip 'At most N stream clients per address'
            cand --trust-proxy 'A proxy whose X-Forwarded-For is trusted'
            cand --metrics 'Who may read /metrics'
            cand --tls-cert 'Serve HTTPS with this PEM certificate'
            cand --tls-key 'The PEM private key of --tls-cert'
            cand --bus 'Share invalidations through a Redis Stream'
            cand --bus-maxlen 'Entries the bus stream keeps'
            cand --inject-503 'Rehearsal: answer the first N invalidations with 503'
            cand --delay-ms 'Rehearsal: wait this many milliseconds before answering each invalidation'
            cand --mirrors 'Comma-separated mirror base URLs [env: CACHE_MIRRORS]'
            cand --cacert 'Also trust this PEM certificate authority for https servers, beside the built-in roots (e.g. the CA file `serve --dev --self-signed` prints) [env: POLYCACHE_CACERT]'
            cand --redis-url 'Redis of the server-side cache [env: REDIS_URL]'
            cand --cache-prefix 'Prefix of cache keys in Redis [env: CACHE_PREFIX]'
            cand --log-file 'The cache log file [env: CACHE_LOG]'
            cand --graph 'The dependency graph''s `.ts` or `.json` file'
            cand --env-file 'Read settings from this file instead of searching for `.env`'
            cand --color 'When to use colour; NO_COLOR in the environment means never for `auto`'
            cand --dev 'A throwaway account and JWT secret'
            cand --demo-data 'A few entries per type to start with'
            cand --public-entries 'Anyone may list the cached keys'
            cand --allow-insecure 'Allow credentials over http:// off loopback'
            cand --self-signed 'With --dev: HTTPS with a throwaway CA'
            cand --no-notify 'Rehearsal: accept invalidations but never announce them on the stream'
            cand --json 'Print machine-readable JSON instead of tables'
            cand -v 'Say more (repeat for even more)'
            cand --verbose 'Say more (repeat for even more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'polycache;invalidate'= {
            cand --only 'Only this base URL (repeat for several)'
            cand --id 'The entity id, passed on to the SSE event'
            cand --verify-timeout 'How long --verify waits'
            cand --concurrency 'Targets asked at the same time'
            cand --retries 'Retries per request'
            cand --timeout 'Deadline per target'
            cand --url 'Base URL of the local server [env: POLYCACHE_URL]'
            cand --mirrors 'Comma-separated mirror base URLs [env: CACHE_MIRRORS]'
            cand --cacert 'Also trust this PEM certificate authority for https servers, beside the built-in roots (e.g. the CA file `serve --dev --self-signed` prints) [env: POLYCACHE_CACERT]'
            cand --graph 'The dependency graph''s `.ts` or `.json` file'
            cand --invalidator 'The component that handles app-update events, to show what browsers reset [default: src/components/StreamInvalidator.tsx, searching up from the working directory]'
            cand --env-file 'Read settings from this file instead of searching for `.env`'
            cand --color 'When to use colour; NO_COLOR in the environment means never for `auto`'
            cand --mirror 'The local server and every mirror'
            cand --via-server 'Local server broadcasts to its mirrors'
            cand --dry-run 'Show the requests; send nothing'
            cand --verify 'Check each target''s stream announces it'
            cand --allow-insecure 'Allow credentials over http:// off loopback'
            cand --json 'Print machine-readable JSON instead of tables'
            cand -v 'Say more (repeat for even more)'
            cand --verbose 'Say more (repeat for even more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'polycache;graph'= {
            cand --format 'Output format; dot and mermaid draw the whole graph with the type''s cascade highlighted'
            cand --graph 'The dependency graph''s `.ts` or `.json` file'
            cand --invalidator 'The component that handles app-update events, to show what browsers reset [default: src/components/StreamInvalidator.tsx, searching up from the working directory]'
            cand --env-file 'Read settings from this file instead of searching for `.env`'
            cand --color 'When to use colour; NO_COLOR in the environment means never for `auto`'
            cand --json 'Print machine-readable JSON instead of tables'
            cand -v 'Say more (repeat for even more)'
            cand --verbose 'Say more (repeat for even more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'polycache;tail'= {
            cand --only 'Only this base URL (repeat for several)'
            cand --count 'Stop after N events (log entries for `logs`), exit 0'
            cand --timeout 'Stop after this long'
            cand --since-id 'Replay the events after this id first'
            cand --url 'Base URL of the local server [env: POLYCACHE_URL]'
            cand --mirrors 'Comma-separated mirror base URLs [env: CACHE_MIRRORS]'
            cand --cacert 'Also trust this PEM certificate authority for https servers, beside the built-in roots (e.g. the CA file `serve --dev --self-signed` prints) [env: POLYCACHE_CACERT]'
            cand --redis-url 'Redis of the server-side cache [env: REDIS_URL]'
            cand --cache-prefix 'Prefix of cache keys in Redis [env: CACHE_PREFIX]'
            cand --graph 'The dependency graph''s `.ts` or `.json` file'
            cand --invalidator 'The component that handles app-update events, to show what browsers reset [default: src/components/StreamInvalidator.tsx, searching up from the working directory]'
            cand --type 'Only events of this type (aliases work; repeat for several)'
            cand --env-file 'Read settings from this file instead of searching for `.env`'
            cand --color 'When to use colour; NO_COLOR in the environment means never for `auto`'
            cand --mirror 'The local server and every mirror'
            cand --bus 'Follow the bus in Redis instead of a stream'
            cand --json 'Print machine-readable JSON instead of tables'
            cand -v 'Say more (repeat for even more)'
            cand --verbose 'Say more (repeat for even more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'polycache;redis'= {
            cand --redis-url 'Redis of the server-side cache [env: REDIS_URL]'
            cand --cache-prefix 'Prefix of cache keys in Redis [env: CACHE_PREFIX]'
            cand --graph 'The dependency graph''s `.ts` or `.json` file'
            cand --env-file 'Read settings from this file instead of searching for `.env`'
            cand --color 'When to use colour; NO_COLOR in the environment means never for `auto`'
            cand --json 'Print machine-readable JSON instead of tables'
            cand -v 'Say more (repeat for even more)'
            cand --verbose 'Say more (repeat for even more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand stats 'Keys, memory, largest key and TTLs per type, from one SCAN pass'
            cand get 'Print one key''s value: JSON pretty-printed, hashes, lists, sets and sorted sets natively'
            cand watch 'Show sets, expiries and deletions under the prefix live (keyspace notifications)'
            cand keys 'List keys with their Redis type, TTL, memory and encoding, sorted by key'
            cand del 'Delete the keys of a type (and with --cascade, of every type its invalidation clears)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'polycache;redis;stats'= {
            cand --redis-url 'Redis of the server-side cache [env: REDIS_URL]'
            cand --cache-prefix 'Prefix of cache keys in Redis [env: CACHE_PREFIX]'
            cand --graph 'The dependency graph''s `.ts` or `.json` file'
            cand --env-file 'Read settings from this file instead of searching for `.env`'
            cand --color 'When to use colour; NO_COLOR in the environment means never for `auto`'
            cand --json 'Print machine-readable JSON instead of tables'
            cand -v 'Say more (repeat for even more)'
            cand --verbose 'Say more (repeat for even more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'polycache;redis;get'= {
            cand --max-bytes 'Do not read values bigger than this (bytes; K, M, G suffixes are powers of 1024)'
            cand --redis-url 'Redis of the server-side cache [env: REDIS_URL]'
            cand --cache-prefix 'Prefix of cache keys in Redis [env: CACHE_PREFIX]'
            cand --graph 'The dependency graph''s `.ts` or `.json` file'
            cand --env-file 'Read settings from this file instead of searching for `.env`'
            cand --color 'When to use colour; NO_COLOR in the environment means never for `auto`'
            cand --json 'Print machine-readable JSON instead of tables'
            cand -v 'Say more (repeat for even more)'
            cand --verbose 'Say more (repeat for even more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'polycache;redis;watch'= {
            cand --count 'Stop after N events (log entries for `logs`), exit 0'
            cand --timeout 'Stop after this long'
            cand --redis-url 'Redis of the server-side cache [env: REDIS_URL]'
            cand --cache-prefix 'Prefix of cache keys in Redis [env: CACHE_PREFIX]'
            cand --graph 'The dependency graph''s `.ts` or `.json` file'
            cand --env-file 'Read settings from this file instead of searching for `.env`'
            cand --color 'When to use colour; NO_COLOR in the environment means never for `auto`'
            cand --enable-notifications 'Turn keyspace notifications on (CONFIG SET notify-keyspace-events, adding KA) when they are off, for as long as the watch runs; the old setting is put back when it ends'
            cand --json 'Print machine-readable JSON instead of tables'
            cand -v 'Say more (repeat for even more)'
            cand --verbose 'Say more (repeat for even more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'polycache;redis;keys'= {
            cand --limit 'Show at most N keys (the first N by name); 0 for all'
            cand --type 'Only keys of this type (aliases such as `post` work; `(other)` for keys outside the layout)'
            cand --redis-url 'Redis of the server-side cache [env: REDIS_URL]'
            cand --cache-prefix 'Prefix of cache keys in Redis [env: CACHE_PREFIX]'
            cand --graph 'The dependency graph''s `.ts` or `.json` file'
            cand --env-file 'Read settings from this file instead of searching for `.env`'
            cand --color 'When to use colour; NO_COLOR in the environment means never for `auto`'
            cand --json 'Print machine-readable JSON instead of tables'
            cand -v 'Say more (repeat for even more)'
            cand --verbose 'Say more (repeat for even more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'polycache;redis;del'= {
            cand --type 'The type whose keys to delete (aliases such as `picture` work)'
            cand --redis-url 'Redis of the server-side cache [env: REDIS_URL]'
            cand --cache-prefix 'Prefix of cache keys in Redis [env: CACHE_PREFIX]'
            cand --graph 'The dependency graph''s `.ts` or `.json` file'
            cand --env-file 'Read settings from this file instead of searching for `.env`'
            cand --color 'When to use colour; NO_COLOR in the environment means never for `auto`'
            cand --cascade 'Also delete the keys of every type that invalidating TYPE clears'
            cand --dry-run 'List the keys that would be deleted; delete nothing'
            cand -y 'Do not ask for confirmation (required without a terminal)'
            cand --yes 'Do not ask for confirmation (required without a terminal)'
            cand --json 'Print machine-readable JSON instead of tables'
            cand -v 'Say more (repeat for even more)'
            cand --verbose 'Say more (repeat for even more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'polycache;redis;help'= {
            cand stats 'Keys, memory, largest key and TTLs per type, from one SCAN pass'
            cand get 'Print one key''s value: JSON pretty-printed, hashes, lists, sets and sorted sets natively'
            cand watch 'Show sets, expiries and deletions under the prefix live (keyspace notifications)'
            cand keys 'List keys with their Redis type, TTL, memory and encoding, sorted by key'
            cand del 'Delete the keys of a type (and with --cascade, of every type its invalidation clears)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'polycache;redis;help;stats'= {
        }
        &'polycache;redis;help;get'= {
        }
        &'polycache;redis;help;watch'= {
        }
        &'polycache;redis;help;keys'= {
        }
        &'polycache;redis;help;del'= {
        }
        &'polycache;redis;help;help'= {
        }
        &'polycache;help'= {
            cand demo 'Start here: the whole flow once, on two nodes of its own'
            cand doctor 'Start here on a real setup: check it piece by piece'
            cand config 'Show every setting and where it came from (secrets masked)'
            cand check 'Check the platform''s source against the cache checklist'
            cand top 'The whole cache, live, on one screen'
            cand logs 'Read the cache log: readable lines, filters, follow, stats'
            cand completions 'Print a shell completion script'
            cand man 'Print the man page, or write one per subcommand'
            cand serve 'Run a reference Polymech cache node'
            cand invalidate 'Invalidate cache types on the local server and mirrors'
            cand graph 'Show the dependency cascade of a type, or the whole graph'
            cand tail 'Follow the SSE stream of the local server and mirrors'
            cand redis 'See and manage the cache in Redis: stats, keys, values, watch'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'polycache;help;demo'= {
        }
        &'polycache;help;doctor'= {
        }
        &'polycache;help;config'= {
        }
        &'polycache;help;check'= {
        }
        &'polycache;help;top'= {
        }
        &'polycache;help;logs'= {
        }
        &'polycache;help;completions'= {
        }
        &'polycache;help;man'= {
        }
        &'polycache;help;serve'= {
        }
        &'polycache;help;invalidate'= {
        }
        &'polycache;help;graph'= {
        }
        &'polycache;help;tail'= {
        }
        &'polycache;help;redis'= {
            cand stats 'Keys, memory, largest key and TTLs per type, from one SCAN pass'
            cand get 'Print one key''s value: JSON pretty-printed, hashes, lists, sets and sorted sets natively'
            cand watch 'Show sets, expiries and deletions under the prefix live (keyspace notifications)'
            cand keys 'List keys with their Redis type, TTL, memory and encoding, sorted by key'
            cand del 'Delete the keys of a type (and with --cascade, of every type its invalidation clears)'
        }
        &'polycache;help;redis;stats'= {
        }
        &'polycache;help;redis;get'= {
        }
        &'polycache;help;redis;watch'= {
        }
        &'polycache;help;redis;keys'= {
        }
        &'polycache;help;redis;del'= {
        }
        &'polycache;help;help'= {
        }
    ]
    $completions[$command]
}
