#!/usr/bin/env bash
# Benchmark: `polycache logs` at production scale, beside hl (pamburus/hl) on the same inputs
# and beside `zcat | grep -F` / `zstdcat | grep -F` for --errors. Prints seconds and ratios.
# Not run by `cargo test`.
#
# The inputs, generated once into $BENCH_DIR: a pino log of SIZE_MB spanning 30 days up to
# the time it is made (benches/gen-pino-log.py), its gzip and zstd forms, and a rotated set
# of 30 daily files (logrotate's names: cache.json, cache.json.1.gz ... cache.json.29.gz),
# all but the newest compressed with gzip.
#
#   benches/logs-scale.sh                   # 10 GiB (the issue's size; needs ~25 GB of disk)
#   SIZE_MB=2048 benches/logs-scale.sh      # what a few minutes allow
#
# The times asked (the last hour, the last day) are counted back from the log's last entry,
# not from the clock, so that a log generated earlier asks the same question.
# Each command runs RUNS times (default 3), page cache warm; the best time is shown.
# hl: $HL, else `hl` on PATH, else $CACHE_ROOT/hl/bin/hl, built on first use from $HL_SRC
# (a checkout of pamburus/hl) or with `cargo install --git`.
set -euo pipefail
cd "$(dirname "$0")/.."

SIZE_MB=${SIZE_MB:-10240}
RUNS=${RUNS:-3}
BENCH_DIR=${BENCH_DIR:-/tmp/polycache-bench}
CACHE_ROOT=${CACHE_ROOT:-$HOME/.cache/polycache-bench}
mkdir -p "$BENCH_DIR" "$CACHE_ROOT"
export NO_COLOR=1

log() { echo "bench: $*" >&2; }

for tool in gzip zstd; do
  command -v "$tool" >/dev/null || { log "installing $tool"; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$tool" >/dev/null; }
done
HL=${HL:-$(command -v hl || true)}
if [ -z "$HL" ] || ! "$HL" --help 2>&1 | grep -q -- '--since'; then
  HL="$CACHE_ROOT/hl/bin/hl"
fi
if [ ! -x "$HL" ]; then
  if [ -n "${HL_SRC:-}" ]; then
    log "building hl from $HL_SRC"
    (cd "$HL_SRC" && CARGO_TARGET_DIR="$CACHE_ROOT/hl-target" cargo build --release --quiet --bin hl)
    mkdir -p "$CACHE_ROOT/hl/bin" && cp "$CACHE_ROOT/hl-target/release/hl" "$HL"
  else
    log "installing hl into $CACHE_ROOT/hl"
    cargo install --locked --quiet --git https://github.com/pamburus/hl --root "$CACHE_ROOT/hl" hl
  fi
fi

log "building polycache (release)"
cargo build --release --quiet
POLYCACHE="$PWD/target/release/polycache"

FILE="$BENCH_DIR/pino-30d-${SIZE_MB}mb.json"
if [ ! -s "$FILE" ]; then
  log "generating $FILE"
  python3 benches/gen-pino-log.py "$SIZE_MB" 30 > "$FILE.tmp" && mv "$FILE.tmp" "$FILE"
fi
[ -s "$FILE.gz" ] || { log "gzip"; gzip -c "$FILE" > "$FILE.gz.tmp" && mv "$FILE.gz.tmp" "$FILE.gz"; }
[ -s "$FILE.zst" ] || { log "zstd"; zstd -q -f -o "$FILE.zst" "$FILE"; }
SET="$BENCH_DIR/rotated-${SIZE_MB}mb"
if [ ! -s "$SET/cache.json.29.gz" ]; then
  log "splitting into 30 daily files in $SET"
  rm -rf "$SET" && mkdir -p "$SET"
  python3 - "$FILE" "$SET" <<'EOF'
import json, sys
src, out = sys.argv[1], sys.argv[2]
DAY = 86_400_000
with open(src, "rb") as f:
    first = json.loads(f.readline())["time"]
files = {}
with open(src, "rb") as f:
    for line in f:
        t = int(line[line.index(b'"time":') + 7:].split(b",", 1)[0])
        k = min(29, max(0, (t - first) // DAY))   # day 0 the oldest
        name = "cache.json" if k == 29 else f"cache.json.{29 - k}"
        if name not in files:
            files[name] = open(f"{out}/{name}", "wb")
        files[name].write(line)
for f in files.values():
    f.close()
EOF
  ls "$SET"/cache.json.* | xargs -P "$(nproc)" -n 1 gzip
fi

# The last entry's time, and the times asked counted back from it.
LAST_MS=$(tail -c 65536 "$FILE" | grep -o '"time":[0-9]*' | tail -1 | cut -d: -f2)
iso() { date -u -d "@$(( $1 / 1000 ))" +%Y-%m-%dT%H:%M:%SZ; }
HOUR_AGO=$(iso $(( LAST_MS - 3600000 )))
DAY_AGO=$(iso $(( LAST_MS - 86400000 )))

# Warm the page cache so every tool reads from memory.
cat "$FILE" "$FILE.gz" "$FILE.zst" "$SET"/* > /dev/null

# run NAME CMD...: the best of RUNS times of CMD (stdout to /dev/null).
declare -A SECS
run() {
  local name=$1 best="" t0 t1 s
  shift
  for _ in $(seq "$RUNS"); do
    t0=$(date +%s.%N)
    "$@" > /dev/null
    t1=$(date +%s.%N)
    s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
    if [ -z "$best" ] || awk -v a="$s" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$s; fi
  done
  SECS[$name]=$best
  log "$(printf '%-52s %8.3f s' "$name" "$best")"
}

# hl reads level names; pino writes numbers: this maps them, as pino does (60 is fatal).
HL_CFG="$BENCH_DIR/hl-pino.toml"
cat > "$HL_CFG" <<'EOF'
[[fields.predefined.level.variants]]
names = ["level"]

[fields.predefined.level.variants.values]
error = [50, 60]
warning = [40]
info = [30]
debug = [20]
trace = [10]
EOF

P() { "$POLYCACHE" logs --color never --no-pager "$@"; }
H() { "$HL" --config "$HL_CFG" --color never --paging never "$@"; }
ROTATED=("$SET"/cache.json.{29..1}.gz "$SET/cache.json")

run "polycache logs --since (last hour), plain" P --since "$HOUR_AGO" "$FILE"
run "hl --since (last hour), plain" H --since "$HOUR_AGO" "$FILE"
run "polycache logs --errors, gzip" P --errors "$FILE.gz"
run "hl --level error, gzip" H --level error "$FILE.gz"
run "zcat | grep -F, gzip" sh -c "zcat '$FILE.gz' | grep -F -e '\"level\":50' -e '\"level\":60'"
run "polycache logs --errors, zstd" P --errors "$FILE.zst"
run "hl --level error, zstd" H --level error "$FILE.zst"
run "zstdcat | grep -F, zstd" sh -c "zstdcat '$FILE.zst' | grep -F -e '\"level\":50' -e '\"level\":60'"
run "polycache logs --rotated --since (last day)" P --rotated --since "$DAY_AGO" "$SET/cache.json"
run "hl --since (last day), the 30 files" H --since "$DAY_AGO" "${ROTATED[@]}"
OPENED=$(P -v --rotated --since "$DAY_AGO" "$SET/cache.json" 2>&1 >/dev/null | grep 'rotated set:' | sed 's/^[^:]*: //')

# The outputs agree (entries shown), or the times mean little.
E_PLAIN=$(P --json --errors "$FILE" | wc -l)
E_GZ=$(P --json --errors "$FILE.gz" | wc -l)
E_GREP=$(zcat "$FILE.gz" | grep -c -F -e '"level":50' -e '"level":60')
E_HL=$(H --level error "$FILE.gz" | grep -c '^[0-9]')

ratio() { awk -v a="${SECS[$1]}" -v b="${SECS[$2]}" 'BEGIN { printf "%.1fx", b / a }'; }
echo
echo "polycache logs at scale: $(date -u +%Y-%m-%d), $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')), $(uname -m), best of $RUNS"
echo "log: $(( $(stat -c %s "$FILE") / 1048576 )) MiB, $(wc -l < "$FILE") lines over 30 days; gzip $(( $(stat -c %s "$FILE.gz") / 1048576 )) MiB, zstd $(( $(stat -c %s "$FILE.zst") / 1048576 )) MiB; rotated set: 30 files, $(( $(du -sb "$SET" | cut -f1) / 1048576 )) MiB"
echo "hl: $("$HL" --version | head -1)"
echo
printf '| %-52s | %8s |\n' command seconds
printf '|%s|%s|\n' "------------------------------------------------------" "----------"
for name in "polycache logs --since (last hour), plain" "hl --since (last hour), plain" \
  "polycache logs --errors, gzip" "hl --level error, gzip" "zcat | grep -F, gzip" \
  "polycache logs --errors, zstd" "hl --level error, zstd" "zstdcat | grep -F, zstd" \
  "polycache logs --rotated --since (last day)" "hl --since (last day), the 30 files"; do
  printf '| %-52s | %8.3f |\n' "$name" "${SECS[$name]}"
done
echo
echo "--since (last hour), plain: $(awk -v s="${SECS[polycache logs --since (last hour), plain]}" 'BEGIN { printf "%.0f ms", s * 1000 }') (goal < 100 ms), $(ratio "polycache logs --since (last hour), plain" "hl --since (last hour), plain") hl"
echo "--errors, gzip: $(ratio "polycache logs --errors, gzip" "zcat | grep -F, gzip") zcat | grep -F (goal >= 1x), $(ratio "polycache logs --errors, gzip" "hl --level error, gzip") hl"
echo "--errors, zstd: $(ratio "polycache logs --errors, zstd" "zstdcat | grep -F, zstd") zstdcat | grep -F (goal >= 1x), $(ratio "polycache logs --errors, zstd" "hl --level error, zstd") hl"
echo "--rotated --since (last day): $(ratio "polycache logs --rotated --since (last day)" "hl --since (last day), the 30 files") hl; $OPENED"
echo "(a ratio is how many times faster polycache is; entries with level >= error: $E_PLAIN plain, $E_GZ gzip, $E_GREP by grep, $E_HL by hl)"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine slows every tool)"
