
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
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand demo 'Start here: watch the whole flow once: two nodes, a mirrored invalidation, the streams and the log'
            cand doctor 'Start here on a real setup: check it piece by piece: .env, mirrors, servers, login, stream, Redis, graph, log'
            cand config 'Show every setting, its value and where it came from (secrets masked)'
            cand check 'Verify the platform''s checklist for cache types from its source: calls, StreamInvalidator, graph'
            cand top 'The whole cache, live, on one screen: targets, invalidations, propagation, log, Redis'
            cand logs 'Read the cache log (pino NDJSON): readable lines, filters, follow, stats'
            cand completions 'Print a shell completion script'
            cand man 'Print the man page (roff), or write one page per subcommand into a directory'
            cand serve 'Run a reference Polymech cache node: login, invalidation, SSE stream, mirrors'
            cand invalidate 'Invalidate cache types on the local server, on mirrors, or on chosen targets'
            cand graph 'Show the dependency cascade of a type, or the whole graph'
            cand tail 'Follow the SSE stream of the local server, mirrors or chosen targets'
            cand redis 'See and manage what the cache holds in Redis: stats, keys, values, deletion, live events'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'polycache;demo'= {
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
            cand --stream-timeout 'How long to wait for a heartbeat or an event on each stream; a stream that opens but stays silent that long is reported with `!` (serve pings every 15 s by default)'
            cand --timeout 'How long to wait for each server to answer (health, login)'
            cand --url 'Base URL of the local server [env: POLYCACHE_URL]'
            cand --mirrors 'Comma-separated mirror base URLs [env: CACHE_MIRRORS]'
            cand --cacert 'Also trust this PEM certificate authority for https servers, beside the built-in roots (e.g. the CA file `serve --dev --self-signed` prints) [env: POLYCACHE_CACERT]'
            cand --redis-url 'Redis of the server-side cache [env: REDIS_URL]'
            cand --cache-prefix 'Prefix of cache keys in Redis [env: CACHE_PREFIX]'
            cand --log-file 'The cache log file [env: CACHE_LOG]'
            cand --graph 'Read the dependency graph from this `.ts` or `.json` file instead of searching for `server/src/cache.ts`'
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
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'polycache;check'= {
            cand --root 'The platform''s checkout [default: the nearest directory up with server/src/cache.ts]'
            cand --server-dir 'The server''s sources, searched for appCache calls; its cache.ts is the graph [default: ROOT/server/src]'
            cand --invalidator 'The component that handles app-update events [default: ROOT/src/components/StreamInvalidator.tsx]'
            cand --graph 'Read the dependency graph from this `.ts` or `.json` file instead of searching for `server/src/cache.ts`'
            cand --env-file 'Read settings from this file instead of searching for `.env`'
            cand --color 'When to use colour; NO_COLOR in the environment means never for `auto`'
            cand --json 'Print machine-readable JSON instead of tables'
            cand -v 'Say more (repeat for even more)'
            cand --verbose 'Say more (repeat for even more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'polycache;top'= {
            cand --redis-every 'How often Redis is scanned for the keys and memory per type (in the background)'
            cand --health-every 'How often each target''s health is asked'
            cand --wait 'With --once: how long to wait for the targets'' first answers'
            cand --url 'Base URL of the local server [env: POLYCACHE_URL]'
            cand --mirrors 'Comma-separated mirror base URLs [env: CACHE_MIRRORS]'
            cand --cacert 'Also trust this PEM certificate authority for https servers, beside the built-in roots (e.g. the CA file `serve --dev --self-signed` prints) [env: POLYCACHE_CACERT]'
            cand --redis-url 'Redis of the server-side cache [env: REDIS_URL]'
            cand --cache-prefix 'Prefix of cache keys in Redis [env: CACHE_PREFIX]'
            cand --log-file 'The cache log file [env: CACHE_LOG]'
            cand --graph 'Read the dependency graph from this `.ts` or `.json` file instead of searching for `server/src/cache.ts`'
            cand --env-file 'Read settings from this file instead of searching for `.env`'
            cand --color 'When to use colour; NO_COLOR in the environment means never for `auto`'
            cand --once 'Print one snapshot (tables, or --json) after the first answers, and exit'
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
            cand -n 'Only the last N matching entries, read backwards from the end of the file'
            cand --tail 'Only the last N matching entries, read backwards from the end of the file'
            cand --log-file 'The cache log file [env: CACHE_LOG]'
            cand --env-file 'Read settings from this file instead of searching for `.env`'
            cand --color 'When to use colour; NO_COLOR in the environment means never for `auto`'
            cand --rotated 'Read the log together with its rotated siblings, oldest first, as one log: logrotate''s cache.json.1, cache.json.2.gz, ... and pino-roll''s cache.1.json, cache.2.json, ... (compressed or not). A file whose time range lies outside --since/--until is skipped without being read; -v names each file read or skipped'
            cand --errors 'Only errors: level error (50) and fatal (60)'
            cand --mirror 'Only mirror entries (shorthand for --field module=mirror)'
            cand -f 'Keep reading as the file grows, like `tail -f`; survives rotation (replaced or truncated). Starts with the last 10 entries (-n N for another number), or at the beginning with --from-start. Ctrl-C stops'
            cand --follow 'Keep reading as the file grows, like `tail -f`; survives rotation (replaced or truncated). Starts with the last 10 entries (-n N for another number), or at the beginning with --from-start. Ctrl-C stops'
            cand --from-start 'With --follow: read the whole file first instead of its last entries'
            cand --stats 'Print a summary instead of lines: entries by level and module, and per mirror target successes, failures, error messages, p50/p95/max durationMs, first and last time'
            cand --utc 'Show times in UTC instead of the local zone'
            cand --no-pager 'Write straight to the terminal instead of through the pager ($POLYCACHE_PAGER, else $PAGER, else `less -R`; empty or `cat` for none)'
            cand --json 'Print machine-readable JSON instead of tables'
            cand -v 'Say more (repeat for even more)'
            cand --verbose 'Say more (repeat for even more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'polycache;completions'= {
            cand --dir 'Write the scripts for every supported shell into this directory instead'
            cand --graph 'Read the dependency graph from this `.ts` or `.json` file instead of searching for `server/src/cache.ts`'
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
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'polycache;serve'= {
            cand --port 'TCP port to listen on (0 picks a free one) [env: POLYCACHE_PORT] [default: 3333]'
            cand --bind 'Address to listen on; use 0.0.0.0 to accept other machines [env: POLYCACHE_BIND] [default: 127.0.0.1]'
            cand --store 'Where the cache lives: in this process, or in Redis at REDIS_URL (keys CACHE_PREFIX{type}:{rest}) [env: POLYCACHE_STORE] [default: memory]'
            cand --ping-interval 'Interval of the `: ping` heartbeat on the SSE stream (e.g. 15s, 500ms, 1m)'
            cand --state 'Keep the stream''s events (ids and the replay buffer) in this file, so that clients reconnecting with Last-Event-ID after a restart get what they missed [env: POLYCACHE_STATE]'
            cand --log-level 'The lowest level written to the cache log: trace, debug, info, warn, error or fatal (pino''s) [env: POLYCACHE_LOG_LEVEL] [default: info]'
            cand --first-event-id 'Number the stream''s events from N instead of from the clock. Without --state a node starts its ids from the clock, so that a client resuming with an id from before a restart gets a stream-reset instead of another event under the same id; a fixed start gives the same ids on every run (reproducible examples and tests), at that cost'
            cand --shutdown-grace 'On SIGINT/SIGTERM, how long to wait for mirror broadcasts still in flight; each mirror invalidation still unanswered then is abandoned with a warn line in the log'
            cand --drain 'On SIGINT/SIGTERM, keep serving this long with /readyz answering 503 before stopping, so that a load balancer or Kubernetes takes the node out first'
            cand --cors-origin 'Let pages from this origin use the authenticated API (login, invalidate), with credentials; repeat or separate with commas. The stream, health, the entries listing and the page answer every origin anyway [env: POLYCACHE_CORS_ORIGINS]'
            cand --sse-retry 'The reconnect delay the stream asks browsers to use (its opening `retry:` line)'
            cand --max-clients 'At most this many stream clients at once; more are answered 503 with Retry-After (browsers'' EventSource tries again)'
            cand --max-clients-per-ip 'At most this many stream clients from one address at once (503 with Retry-After)'
            cand --trust-proxy 'A proxy (nginx, a load balancer) whose X-Forwarded-For names the client, for the per-address limits; requests from other peers are taken at their address'
            cand --metrics 'Who may read the Prometheus metrics at GET /metrics: anyone (public), only with a token of this node''s accounts (token), or nobody (off)'
            cand --tls-cert 'Serve HTTPS with this PEM certificate (chain); HTTP/2 and HTTP/1.1 by ALPN [env: POLYCACHE_TLS_CERT]'
            cand --tls-key 'The PEM private key of --tls-cert [env: POLYCACHE_TLS_KEY]'
            cand --bus 'Share invalidations with the other instances of this deployment through a Redis Stream at REDIS_URL, key CACHE_PREFIX + `bus` (a standalone Redis or a Redis Cluster). Each node appends what it applies and applies what the others append; SSE event ids become stream entry ids, so a client can resume on any instance [env: POLYCACHE_BUS]'
            cand --bus-maxlen 'Entries the bus stream keeps (XADD MAXLEN ~ N); older ones are trimmed, and a client resuming before them gets a stream-reset'
            cand --inject-503 'Rehearsal: answer the first N invalidations with 503'
            cand --delay-ms 'Rehearsal: wait this many milliseconds before answering each invalidation'
            cand --mirrors 'Comma-separated mirror base URLs [env: CACHE_MIRRORS]'
            cand --cacert 'Also trust this PEM certificate authority for https servers, beside the built-in roots (e.g. the CA file `serve --dev --self-signed` prints) [env: POLYCACHE_CACERT]'
            cand --redis-url 'Redis of the server-side cache [env: REDIS_URL]'
            cand --cache-prefix 'Prefix of cache keys in Redis [env: CACHE_PREFIX]'
            cand --log-file 'The cache log file [env: CACHE_LOG]'
            cand --graph 'Read the dependency graph from this `.ts` or `.json` file instead of searching for `server/src/cache.ts`'
            cand --env-file 'Read settings from this file instead of searching for `.env`'
            cand --color 'When to use colour; NO_COLOR in the environment means never for `auto`'
            cand --dev 'Development mode: a random JWT secret (unless JWT_SECRET is set) and a throwaway account, written to an env file only you can read (mode 0600; the banner shows its path, never the password) and removed when the node stops'
            cand --demo-data 'Fill the store with a few entries per type ({type}:list, {type}:id:1, {type}:id:2)'
            cand --public-entries 'Let anyone read GET /api/cache/entries (every cached key) without the admin token; by default only --dev nodes do'
            cand --allow-insecure 'Let the mirror broadcast send credentials over plain http:// to non-loopback mirrors'
            cand --self-signed 'With --dev: serve HTTPS (HTTP/2) with a throwaway certificate authority and a certificate for localhost, 127.0.0.1 and ::1; the authority''s certificate is written beside the dev env file (trust it with --cacert or in a browser profile) and removed when the node stops'
            cand --no-notify 'Rehearsal: accept invalidations but never announce them on the stream'
            cand --json 'Print machine-readable JSON instead of tables'
            cand -v 'Say more (repeat for even more)'
            cand --verbose 'Say more (repeat for even more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'polycache;invalidate'= {
            cand --only 'Only this base URL (repeat, or separate with commas, for several)'
            cand --id 'The entity id, passed on to the SSE notification'
            cand --verify-timeout 'How long --verify waits for each target''s event (e.g. 10s, 500ms, 2m)'
            cand --concurrency 'How many targets are asked at the same time'
            cand --retries 'Retries per request after a connect error, a timeout or a 5xx answer'
            cand --timeout 'Deadline for everything one target is asked: login, invalidations and retries (e.g. 10s, 2s, 1m)'
            cand --url 'Base URL of the local server [env: POLYCACHE_URL]'
            cand --mirrors 'Comma-separated mirror base URLs [env: CACHE_MIRRORS]'
            cand --cacert 'Also trust this PEM certificate authority for https servers, beside the built-in roots (e.g. the CA file `serve --dev --self-signed` prints) [env: POLYCACHE_CACERT]'
            cand --graph 'Read the dependency graph from this `.ts` or `.json` file instead of searching for `server/src/cache.ts`'
            cand --invalidator 'The component that handles app-update events, to show what browsers reset [default: src/components/StreamInvalidator.tsx, searching up from the working directory]'
            cand --env-file 'Read settings from this file instead of searching for `.env`'
            cand --color 'When to use colour; NO_COLOR in the environment means never for `auto`'
            cand --mirror 'The local server and every CACHE_MIRRORS target'
            cand --via-server 'Send `mirror: true` to the local server and let it broadcast to its own mirrors'
            cand --dry-run 'Print the requests that would be sent and what they clear (on the server and, when StreamInvalidator.tsx is found, in browsers); send nothing'
            cand --verify 'Subscribe to each target''s stream first and check that it announces the invalidation'
            cand --allow-insecure 'Allow sending credentials over plain http:// to a host that is not loopback'
            cand --json 'Print machine-readable JSON instead of tables'
            cand -v 'Say more (repeat for even more)'
            cand --verbose 'Say more (repeat for even more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'polycache;graph'= {
            cand --format 'Output format; dot and mermaid draw the whole graph with the type''s cascade highlighted'
            cand --graph 'Read the dependency graph from this `.ts` or `.json` file instead of searching for `server/src/cache.ts`'
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
            cand --only 'Only this base URL (repeat, or separate with commas, for several)'
            cand --count 'Stop after N events, exit 0'
            cand --timeout 'Stop after this long (e.g. 30s, 500ms, 2m; a bare number is seconds); exit 1 if --count was given and not reached'
            cand --since-id 'Ask the server to replay the events after this id first (sent as Last-Event-ID). Ids are opaque: `17` on a single node, `1764643200000-0` on the bus'
            cand --url 'Base URL of the local server [env: POLYCACHE_URL]'
            cand --mirrors 'Comma-separated mirror base URLs [env: CACHE_MIRRORS]'
            cand --cacert 'Also trust this PEM certificate authority for https servers, beside the built-in roots (e.g. the CA file `serve --dev --self-signed` prints) [env: POLYCACHE_CACERT]'
            cand --redis-url 'Redis of the server-side cache [env: REDIS_URL]'
            cand --cache-prefix 'Prefix of cache keys in Redis [env: CACHE_PREFIX]'
            cand --graph 'Read the dependency graph from this `.ts` or `.json` file instead of searching for `server/src/cache.ts`'
            cand --invalidator 'The component that handles app-update events, to show what browsers reset [default: src/components/StreamInvalidator.tsx, searching up from the working directory]'
            cand --type 'Only events of this type (aliases work; repeat for several)'
            cand --env-file 'Read settings from this file instead of searching for `.env`'
            cand --color 'When to use colour; NO_COLOR in the environment means never for `auto`'
            cand --mirror 'The local server and every CACHE_MIRRORS target'
            cand --bus 'Follow the invalidation bus straight from Redis (REDIS_URL, key CACHE_PREFIX + `bus`) instead of a server''s SSE stream: which node applied what, with the cascade it cleared. --since-id takes a stream entry id'
            cand --json 'Print machine-readable JSON instead of tables'
            cand -v 'Say more (repeat for even more)'
            cand --verbose 'Say more (repeat for even more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'polycache;redis'= {
            cand --redis-url 'Redis of the server-side cache [env: REDIS_URL]'
            cand --cache-prefix 'Prefix of cache keys in Redis [env: CACHE_PREFIX]'
            cand --graph 'Read the dependency graph from this `.ts` or `.json` file instead of searching for `server/src/cache.ts`'
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
            cand --graph 'Read the dependency graph from this `.ts` or `.json` file instead of searching for `server/src/cache.ts`'
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
            cand --graph 'Read the dependency graph from this `.ts` or `.json` file instead of searching for `server/src/cache.ts`'
            cand --env-file 'Read settings from this file instead of searching for `.env`'
            cand --color 'When to use colour; NO_COLOR in the environment means never for `auto`'
            cand --json 'Print machine-readable JSON instead of tables'
            cand -v 'Say more (repeat for even more)'
            cand --verbose 'Say more (repeat for even more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'polycache;redis;watch'= {
            cand --count 'Stop after N events, exit 0'
            cand --timeout 'Stop after this long (e.g. 30s, 500ms, 2m; a bare number is seconds); exit 1 if --count was given and not reached'
            cand --redis-url 'Redis of the server-side cache [env: REDIS_URL]'
            cand --cache-prefix 'Prefix of cache keys in Redis [env: CACHE_PREFIX]'
            cand --graph 'Read the dependency graph from this `.ts` or `.json` file instead of searching for `server/src/cache.ts`'
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
            cand --graph 'Read the dependency graph from this `.ts` or `.json` file instead of searching for `server/src/cache.ts`'
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
            cand --graph 'Read the dependency graph from this `.ts` or `.json` file instead of searching for `server/src/cache.ts`'
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
            cand demo 'Start here: watch the whole flow once: two nodes, a mirrored invalidation, the streams and the log'
            cand doctor 'Start here on a real setup: check it piece by piece: .env, mirrors, servers, login, stream, Redis, graph, log'
            cand config 'Show every setting, its value and where it came from (secrets masked)'
            cand check 'Verify the platform''s checklist for cache types from its source: calls, StreamInvalidator, graph'
            cand top 'The whole cache, live, on one screen: targets, invalidations, propagation, log, Redis'
            cand logs 'Read the cache log (pino NDJSON): readable lines, filters, follow, stats'
            cand completions 'Print a shell completion script'
            cand man 'Print the man page (roff), or write one page per subcommand into a directory'
            cand serve 'Run a reference Polymech cache node: login, invalidation, SSE stream, mirrors'
            cand invalidate 'Invalidate cache types on the local server, on mirrors, or on chosen targets'
            cand graph 'Show the dependency cascade of a type, or the whole graph'
            cand tail 'Follow the SSE stream of the local server, mirrors or chosen targets'
            cand redis 'See and manage what the cache holds in Redis: stats, keys, values, deletion, live events'
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
