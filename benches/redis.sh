#!/usr/bin/env bash
# Benchmark: `polycache redis stats` over 1,000,000 cache keys versus the peer tools, in one
# run on one dedicated redis-server:
#   - redis-cli --scan --pattern 'cache:*' | wc -l   (only lists keys; SCAN COUNT 10)
#   - redis-cli --memkeys --pattern 'cache:*'        (SCAN COUNT 10 + TYPE/MEMORY USAGE per key)
# stats does more per key than the plain scan (PTTL and MEMORY USAGE, grouped per type with
# TTL median), with one SCAN pass of COUNT 1000 and the per-key calls pipelined. Besides the
# wall time, the CPU time redis-server spent serving each tool is printed: stats is bound by it.
#
# Usage: benches/redis.sh [KEYS [ROUNDS]]   (default 1000000 keys, 1 round; needs redis-server,
# redis-cli, python3, bc). Each round times the three tools one after the other on the same data;
# more rounds show how much a busy machine moves the figures.
# The redis-server is started on a free loopback port without persistence and stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

N="${1:-1000000}"
ROUNDS="${2:-1}"
for tool in redis-server redis-cli python3; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is required" >&2; exit 1; }
done

echo "bench: building polycache (release)" >&2
cargo build --release --quiet
POLYCACHE="$PWD/target/release/polycache"

WORK="$(mktemp -d)"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
redis-server --port "$PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$WORK" \
  --daemonize yes --pidfile "$WORK/redis.pid" --logfile "$WORK/redis.log"
cleanup() {
  redis-cli -p "$PORT" shutdown nosave >/dev/null 2>&1 || true
  if [ -f "$WORK/redis.pid" ]; then kill "$(cat "$WORK/redis.pid")" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
for _ in $(seq 100); do redis-cli -p "$PORT" ping >/dev/null 2>&1 && break; sleep 0.05; done

echo "bench: loading $N keys in the PROTOCOL layout (plus 20,000 foreign keys)" >&2
t0=$(date +%s.%N)
python3 - "$N" <<'EOF' | redis-cli -p "$PORT" --pipe >/dev/null
import json, random, sys
random.seed(7)
n = int(sys.argv[1])
out = sys.stdout.buffer
def resp(*args):
    parts = [b"*%d\r\n" % len(args)]
    for a in args:
        b = a if isinstance(a, bytes) else str(a).encode()
        parts.append(b"$%d\r\n%s\r\n" % (len(b), b))
    return b"".join(parts)
words = "cache invalidation mirror feed post page picture category translation type".split()
def body(i):
    # JSON of about 100-300 bytes
    k = random.randint(2, 14)
    return json.dumps({"id": i, "title": " ".join(random.choices(words, k=k)),
                       "tags": random.choices(words, k=k % 5 + 1), "updated": 1764000000 + i},
                      separators=(",", ":")).encode()
# type mix: (share, key pattern, redis type)
mix = [(0.40, "cache:posts:id:%d", "string"), (0.15, "cache:pages:slug:page-%d", "string"),
       (0.20, "cache:pictures:id:%d", "string"), (0.10, "cache:feed:user:%d", "string"),
       (0.05, "cache:categories:id:%d", "string"), (0.05, "cache:translations:%d", "hash"),
       (0.05, "cache:posts:list:page:%d", "list")]
buf = []
i = 0
for share, pattern, kind in mix:
    for _ in range(int(n * share)):
        key = pattern % i
        if kind == "string":
            buf.append(resp(b"SET", key, body(i)))
        elif kind == "hash":
            buf.append(resp(b"HSET", key, b"de", body(i), b"fr", body(i + 1)))
        else:
            buf.append(resp(b"RPUSH", key, body(i), body(i + 1)))
        if random.random() < 0.85:  # most keys have a TTL
            buf.append(resp(b"EXPIRE", key, random.randint(600, 86400)))
        i += 1
        if len(buf) >= 10000:
            out.write(b"".join(buf)); buf.clear()
while i < n:  # rounding remainder
    buf.append(resp(b"SET", "cache:feed:home:%d" % i, body(i))); i += 1
for j in range(20000):
    buf.append(resp(b"SET", "session:%d" % j, b"user"))
out.write(b"".join(buf))
EOF
t1=$(date +%s.%N)
DBSIZE=$(redis-cli -p "$PORT" dbsize)
printf 'loaded %s keys in %.1f s (dbsize %s)\n' "$N" "$(echo "$t1 - $t0" | bc)" "$DBSIZE"

RPID=$(cat "$WORK/redis.pid")
TCK=$(getconf CLK_TCK)
server_cpu() { awk '{print $14 + $15}' "/proc/$RPID/stat"; }
secs() { # run "$@", print elapsed seconds on stdout, its output to $WORK/out, server CPU to $WORK/cpu
  local a b c0 c1
  c0=$(server_cpu)
  a=$(date +%s.%N)
  "$@" >"$WORK/out" 2>&1
  b=$(date +%s.%N)
  c1=$(server_cpu)
  echo "scale=2; ($c1 - $c0) / $TCK" | bc >"$WORK/cpu"
  echo "scale=2; ($b - $a) / 1" | bc
}

echo
echo "machine: $(nproc) cores; redis-server $(redis-server --version | grep -oE 'v=[0-9.]+' | cut -d= -f2); redis-cli $(redis-cli --version | cut -d' ' -f2)"
for round in $(seq "$ROUNDS"); do
  STATS=$(secs "$POLYCACHE" --json redis stats --redis-url "redis://127.0.0.1:$PORT")
  STATS_CPU=$(cat "$WORK/cpu")
  STATS_KEYS=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["total"]["keys"])' "$WORK/out")
  SCAN=$(secs sh -c "redis-cli -p $PORT --scan --pattern 'cache:*' | wc -l")
  SCAN_CPU=$(cat "$WORK/cpu")
  SCAN_KEYS=$(tr -d ' ' <"$WORK/out")
  MEMKEYS=$(secs redis-cli -p "$PORT" --memkeys --pattern 'cache:*')
  MEMKEYS_CPU=$(cat "$WORK/cpu")
  MEMKEYS_KEYS=$(grep -oE 'Sampled [0-9]+ keys' "$WORK/out" | head -1 | grep -oE '[0-9]+' || echo '?')

  echo
  echo "round $round/$ROUNDS (load average $(cut -d' ' -f1-3 /proc/loadavg))"
  printf '%-48s %8s %18s %10s\n' "" "wall" "redis-server CPU" "keys"
  printf '%-48s %7ss %17ss %10s\n' "polycache redis stats" "$STATS" "$STATS_CPU" "$STATS_KEYS"
  printf '%-48s %7ss %17ss %10s\n' "redis-cli --scan --pattern 'cache:*' | wc -l" "$SCAN" "$SCAN_CPU" "$SCAN_KEYS"
  printf '%-48s %7ss %17ss %10s\n' "redis-cli --memkeys --pattern 'cache:*'" "$MEMKEYS" "$MEMKEYS_CPU" "$MEMKEYS_KEYS"
  printf 'stats vs plain scan:  %.2fx faster (goal > 1x)\n' "$(echo "$SCAN / $STATS" | bc -l)"
  printf 'stats vs --memkeys:   %.2fx faster (goal >= 5x)\n' "$(echo "$MEMKEYS / $STATS" | bc -l)"
done
