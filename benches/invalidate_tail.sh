#!/usr/bin/env bash
# Benchmarks for `polycache invalidate` and `polycache tail` (prints figures; not a test).
#
#  1. invalidate --mirror across MIRRORS (default 50) mirror nodes plus the local one, each
#     answering after DELAY_MS (default 100) ms (`serve --delay-ms`): total wall time against
#     one target's, with curl --parallel on the same targets as the peer.
#  2. tail --json sustained events/s from one node against `curl -N` on the same stream,
#     both reading while a fast invalidation loop (curl --parallel GEN_PARALLEL, keep-alive)
#     publishes EVENTS (default 20000) events.
#
# Only loopback is used. Every process it starts is stopped on exit. Bounded: it ends by itself.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${POLYCACHE_BIN:-$ROOT/target/release/polycache}
MIRRORS=${MIRRORS:-50}
DELAY_MS=${DELAY_MS:-100}
EVENTS=${EVENTS:-20000}
RUNS=${RUNS:-5}
GEN_PARALLEL=${GEN_PARALLEL:-4}

if [ ! -x "$BIN" ]; then
  (cd "$ROOT" && cargo build --release --quiet)
fi

WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

export JWT_SECRET=bench-secret-not-for-production
export SERVICE_EMAIL=bench@polycache.test
export SERVICE_PASSWORD=bench-password
unset POLYCACHE_URL CACHE_MIRRORS POLYCACHE_TOKEN SUPABASE_URL || true
export NO_COLOR=1

now_ms() { date +%s%3N; }

# start_node NAME [serve args...]: starts a node on a free port, prints its base URL.
start_node() {
  local name=$1
  shift
  CACHE_LOG="$WORK/$name.log" "$BIN" serve --port 0 "$@" >"$WORK/$name.out" 2>&1 &
  PIDS+=($!)
  echo "$name"
}

# url_of NAME: waits for the banner and prints the URL it listens on.
url_of() {
  local i
  for i in $(seq 1 500); do
    if grep -q "listening on" "$WORK/$1.out" 2>/dev/null; then
      grep -o "http://127.0.0.1:[0-9]*" "$WORK/$1.out" | head -1
      return
    fi
    sleep 0.02
  done
  echo "node $1 did not start: $(cat "$WORK/$1.out")" >&2
  exit 1
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# time_ms CMD...: wall time of one run in milliseconds (output discarded, exit code ignored).
time_ms() {
  local t0 t1
  t0=$(now_ms)
  "$@" >/dev/null 2>&1 || true
  t1=$(now_ms)
  echo $((t1 - t0))
}

echo "== 1. invalidate --mirror: local + $MIRRORS mirrors, each answering after ${DELAY_MS} ms"
for i in $(seq 0 "$MIRRORS"); do start_node "n$i" --delay-ms "$DELAY_MS" >/dev/null; done
LOCAL=$(url_of n0)
MIRROR_LIST=""
for i in $(seq 1 "$MIRRORS"); do
  u=$(url_of "n$i")
  MIRROR_LIST="${MIRROR_LIST:+$MIRROR_LIST,}$u"
done
TARGETS=$((MIRRORS + 1))

one=$(for _ in $(seq "$RUNS"); do time_ms "$BIN" invalidate posts --url "$LOCAL"; done | median)
all=$(for _ in $(seq "$RUNS"); do
  time_ms "$BIN" invalidate posts --url "$LOCAL" --mirrors "$MIRROR_LIST" --mirror
done | median)
all16=$(for _ in $(seq "$RUNS"); do
  time_ms "$BIN" invalidate posts --url "$LOCAL" --mirrors "$MIRROR_LIST" --mirror --concurrency 16
done | median)
seq1=$(time_ms "$BIN" invalidate posts --url "$LOCAL" --mirrors "$MIRROR_LIST" --mirror --concurrency 1)
# Check that the fan-out really succeeded everywhere (exit code 0, every row ok).
"$BIN" --json invalidate posts --url "$LOCAL" --mirrors "$MIRROR_LIST" --mirror >"$WORK/fanout.json"
okrows=$(python3 -c 'import json,sys; print(sum(r["ok"] for r in json.load(open(sys.argv[1]))["results"]))' "$WORK/fanout.json")

# Peer: curl --parallel with one token (every node shares the bench JWT secret).
TOKEN=$(curl -s -X POST "$LOCAL/api/auth/login" -H 'Content-Type: application/json' \
  -d "{\"email\":\"$SERVICE_EMAIL\",\"password\":\"$SERVICE_PASSWORD\"}" |
  sed -E 's/.*"token":"([^"]+)".*/\1/')
{
  echo "header = \"Authorization: Bearer $TOKEN\""
  echo 'header = "Content-Type: application/json"'
  echo 'data = "{\"type\":\"posts\",\"mirror\":false}"'
  echo "url = \"$LOCAL/api/cache/invalidate\""
  for u in ${MIRROR_LIST//,/ }; do echo "url = \"$u/api/cache/invalidate\""; done
} >"$WORK/curl-fanout.cfg"
curl_one=$(for _ in $(seq "$RUNS"); do
  time_ms curl -s -X POST -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
    -d '{"type":"posts","mirror":false}' "$LOCAL/api/cache/invalidate"
done | median)
curl_all=$(for _ in $(seq "$RUNS"); do
  time_ms curl -s --no-progress-meter --parallel --parallel-max 64 -X POST -K "$WORK/curl-fanout.cfg"
done | median)

printf '  %-52s %6s ms\n' "polycache invalidate, 1 target (median of $RUNS)" "$one"
printf '  %-52s %6s ms  (ratio %.2f)\n' "polycache invalidate --mirror, $TARGETS targets (default)" "$all" \
  "$(echo "$all / $one" | bc -l)"
printf '  %-52s %6s ms  (ratio %.2f)\n' "  same with --concurrency 16" "$all16" "$(echo "$all16 / $one" | bc -l)"
printf '  %-52s %6s ms  (ratio %.2f)\n' "  same with --concurrency 1 (sequential)" "$seq1" "$(echo "$seq1 / $one" | bc -l)"
printf '  %-52s %6s of %s\n' "  rows ok in the --json run" "$okrows" "$TARGETS"
printf '  %-52s %6s ms\n' "curl, 1 target (peer)" "$curl_one"
printf '  %-52s %6s ms  (ratio %.2f)\n' "curl --parallel, $TARGETS targets (peer, no login)" "$curl_all" \
  "$(echo "$curl_all / $curl_one" | bc -l)"

for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
wait 2>/dev/null || true
PIDS=()

echo
echo "== 2. tail --json vs curl -N on one node, $EVENTS events from a keep-alive invalidation loop"
start_node s >/dev/null
URL=$(url_of s)
"$BIN" --json tail --url "$URL" >"$WORK/tail.ndjson" 2>"$WORK/tail.err" &
TAIL_PID=$!
PIDS+=($!)
curl -sN "$URL/api/stream" >"$WORK/curl.sse" &
CURL_PID=$!
PIDS+=($!)
for _ in $(seq 1 500); do
  c=$(curl -s "$URL/api/health" | sed -E 's/.*"clients":([0-9]+).*/\1/')
  [ "$c" -ge 2 ] && break
  sleep 0.02
done
{
  echo "header = \"Authorization: Bearer $TOKEN\""
  echo 'header = "Content-Type: application/json"'
  echo 'data = "{\"type\":\"posts\",\"mirror\":false}"'
  echo 'output = "/dev/null"'
  for _ in $(seq "$EVENTS"); do echo "url = \"$URL/api/cache/invalidate\""; done
} >"$WORK/curl-loop.cfg"
# The token above was issued by another node; every node shares the secret.
t0=$(now_ms)
curl -s --no-progress-meter --parallel --parallel-max "$GEN_PARALLEL" -X POST -K "$WORK/curl-loop.cfg" >/dev/null
t_gen=$(now_ms)
tail_done="" curl_done=""
while [ $(($(now_ms) - t_gen)) -lt 15000 ]; do
  nt=$(wc -l <"$WORK/tail.ndjson")
  nc=$(grep -c '^event: app-update' "$WORK/curl.sse" || true)
  [ -z "$tail_done" ] && [ "$nt" -ge "$EVENTS" ] && tail_done=$(now_ms)
  [ -z "$curl_done" ] && [ "$nc" -ge "$EVENTS" ] && curl_done=$(now_ms)
  [ -n "$tail_done" ] && [ -n "$curl_done" ] && break
  sleep 0.01
done
nt=$(wc -l <"$WORK/tail.ndjson")
nc=$(grep -c '^event: app-update' "$WORK/curl.sse" || true)
bad=$(python3 -c 'import json,sys
n=0
for l in open(sys.argv[1]):
    try: json.loads(l)
    except Exception: n+=1
print(n)' "$WORK/tail.ndjson")
gen_ms=$((t_gen - t0))
# CPU time (user + system) each reader spent, from /proc, in milliseconds.
cpu_ms() { awk -v hz="$(getconf CLK_TCK)" '{print int(($14 + $15) * 1000 / hz)}' "/proc/$1/stat"; }
tail_cpu=$(cpu_ms "$TAIL_PID")
curl_cpu=$(cpu_ms "$CURL_PID")
rate() { if [ -n "$2" ]; then echo "$1 * 1000 / ($2 - $t0)" | bc; else echo "-"; fi; }
printf '  %-40s %7s events in %6s ms = %6s events/s\n' "generator (curl --parallel $GEN_PARALLEL)" "$EVENTS" "$gen_ms" \
  "$(echo "$EVENTS * 1000 / $gen_ms" | bc)"
printf '  %-40s %7s events, all by %6s ms = %6s events/s, CPU %5s ms (bad JSON lines: %s)\n' \
  "polycache tail --json" "$nt" "${tail_done:+$((tail_done - t0))}" "$(rate "$nt" "$tail_done")" "$tail_cpu" "$bad"
printf '  %-40s %7s events, all by %6s ms = %6s events/s, CPU %5s ms\n' "curl -N (peer)" "$nc" \
  "${curl_done:+$((curl_done - t0))}" "$(rate "$nc" "$curl_done")" "$curl_cpu"
if grep -q "disconnected" "$WORK/tail.err"; then
  echo "  note: tail was disconnected during the run:"
  sed 's/^/    /' "$WORK/tail.err"
fi
