#!/usr/bin/env bash
# Benchmark: `polycache logs` against pino-pretty (npm) and fblog (crates.io) on one
# generated pino-shaped log, colour off, output to /dev/null. Prints seconds, GiB/s and
# ratios, and polycache's peak memory. Not run by `cargo test`.
#
#   benches/logs.sh                 # 1 GiB log (generated once, kept in $BENCH_DIR)
#   SIZE_MB=100 benches/logs.sh     # a quick run
#
# pino-pretty and `fblog -d` are slow: they are timed on a PINO_MB prefix of the file
# (default: the whole file up to 100 MB) and their throughput is compared, which is fair
# for line-by-line tools.
# Tools are installed on first use under $CACHE_ROOT (default ~/.cache/polycache-bench).
set -euo pipefail
cd "$(dirname "$0")/.."

SIZE_MB=${SIZE_MB:-1024}
PINO_MB=${PINO_MB:-$(( SIZE_MB < 100 ? SIZE_MB : 100 ))}
BENCH_DIR=${BENCH_DIR:-/tmp/polycache-bench}
CACHE_ROOT=${CACHE_ROOT:-$HOME/.cache/polycache-bench}
mkdir -p "$BENCH_DIR" "$CACHE_ROOT"
export NO_COLOR=1

log() { echo "bench: $*" >&2; }

if [ ! -x /usr/bin/time ]; then
  log "installing GNU time"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null \
    || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null; }
fi
FBLOG="$CACHE_ROOT/fblog/bin/fblog"
if [ ! -x "$FBLOG" ]; then
  log "installing fblog into $CACHE_ROOT/fblog"
  cargo install fblog --locked --quiet --root "$CACHE_ROOT/fblog"
fi
PINO_PRETTY="$CACHE_ROOT/npm/node_modules/.bin/pino-pretty"
if [ ! -x "$PINO_PRETTY" ]; then
  log "installing pino-pretty into $CACHE_ROOT/npm"
  mkdir -p "$CACHE_ROOT/npm"
  (cd "$CACHE_ROOT/npm" && { [ -f package.json ] || npm init -y >/dev/null; } && npm install --silent pino-pretty@13)
fi

log "building polycache (release)"
cargo build --release --quiet
POLYCACHE="$PWD/target/release/polycache"

FILE="$BENCH_DIR/pino-${SIZE_MB}mb.json"
if [ ! -s "$FILE" ]; then
  log "generating $FILE"
  python3 benches/gen-pino-log.py "$SIZE_MB" > "$FILE.tmp" && mv "$FILE.tmp" "$FILE"
fi
PREFIX="$BENCH_DIR/pino-${SIZE_MB}mb-prefix-${PINO_MB}mb.json"
if [ ! -s "$PREFIX" ]; then
  head -c $(( PINO_MB * 1024 * 1024 )) "$FILE" | sed '$d' > "$PREFIX"
fi
BYTES=$(stat -c %s "$FILE")
PBYTES=$(stat -c %s "$PREFIX")

# Warm the page cache so every tool reads from memory.
cat "$FILE" > /dev/null

# run NAME BYTES CMD...: times CMD (stdout to /dev/null), records seconds and max RSS.
declare -A SECS RSS SIZE
run() {
  local name=$1 bytes=$2
  shift 2
  local t0 t1 tf
  tf=$(mktemp)
  t0=$(date +%s.%N)
  /usr/bin/time -f '%M' -o "$tf" "$@" > /dev/null
  t1=$(date +%s.%N)
  SECS[$name]=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
  RSS[$name]=$(tail -1 "$tf")
  SIZE[$name]=$bytes
  rm -f "$tf"
  log "$(printf '%-28s %8.2f s' "$name" "${SECS[$name]}")"
}

run "polycache logs" "$BYTES" "$POLYCACHE" logs --color never "$FILE"
run "polycache logs --errors" "$BYTES" "$POLYCACHE" logs --color never --errors "$FILE"
run "polycache logs --json --errors" "$BYTES" "$POLYCACHE" logs --json --errors "$FILE"
# fblog has no colour switch: its default templates without the colour helpers.
FB_MAIN='{{fixed_size 19 fblog_timestamp}} {{uppercase (fixed_size 5 fblog_level)}}:{{#if fblog_prefix}} {{fblog_prefix}}{{/if}} {{fblog_message}}'
FB_ADD='{{min_size 25 key}}: {{value}}'
run "fblog" "$BYTES" "$FBLOG" --main-line-format "$FB_MAIN" --additional-value-format "$FB_ADD" "$FILE"
run "fblog -d (all fields)" "$PBYTES" "$FBLOG" -d --main-line-format "$FB_MAIN" --additional-value-format "$FB_ADD" "$PREFIX"
run "pino-pretty" "$PBYTES" sh -c "'$PINO_PRETTY' --colorize false < '$PREFIX'"

gibs() { awk -v b="${SIZE[$1]}" -v s="${SECS[$1]}" 'BEGIN { printf "%.4f", b / 1073741824 / s }'; }
base=$(gibs "polycache logs")
echo
echo "polycache logs benchmark: $(date -u +%Y-%m-%d), $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')), $(uname -m)"
echo "file: $(( BYTES / 1048576 )) MiB, $(wc -l < "$FILE") lines; pino-pretty and fblog -d timed on a $(( PBYTES / 1048576 )) MiB prefix"
echo
printf '| %-30s | %9s | %7s | %17s | %10s |\n' tool seconds GiB/s "polycache logs is" "max RSS MB"
printf '|%s|%s|%s|%s|%s|\n' "--------------------------------" "-----------" "---------" "-------------------" "------------"
for name in "polycache logs" "polycache logs --errors" "polycache logs --json --errors" "fblog" "fblog -d (all fields)" "pino-pretty"; do
  g=$(gibs "$name")
  case $name in
    polycache*) ratio="-" ;;
    *) ratio=$(awk -v a="$base" -v b="$g" 'BEGIN { printf "%.1fx faster", a / b }') ;;
  esac
  printf '| %-30s | %9.2f | %7.3f | %17s | %10d |\n' "$name" "${SECS[$name]}" "$g" "$ratio" "$(( ${RSS[$name]} / 1024 ))"
done
echo
errs=$(gibs "polycache logs --errors")
ratio() { awk -v a="$1" -v b="$(gibs "$2")" 'BEGIN { printf "%.1f", a / b }'; }
echo "polycache logs (pretty): $(ratio "$base" pino-pretty)x pino-pretty (goal 20x), $(ratio "$base" fblog)x fblog (goal 8x)"
echo "polycache logs --errors: ${errs} GiB/s (goal 1), $(ratio "$errs" fblog)x fblog"
echo "polycache peak memory: $(( ${RSS[polycache logs]} / 1024 )) MB pretty, $(( ${RSS[polycache logs --errors]} / 1024 )) MB --errors (goal < 100 MB)"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine slows every tool)"
