#!/usr/bin/env bash
# Benchmark: `polycache check` on a generated platform checkout of 5,000 TS/TSX files
# (about 50 MB) against ripgrep finding the same call sites, the floor for reading the
# files at all. Prints files, bytes, call sites, the median of RUNS wall-clock times and the
# ratio, and the CPU time of each (on a shared machine the wall clock includes waiting for
# a core). Not run by `cargo test`.
#
#   benches/check.sh                    # 5,000 files of 10 KB
#   FILES=1000 benches/check.sh         # a quick run
#   BASELINE=/path/to/old/polycache benches/check.sh   # and against another build, side by side
#
# Two trees: "typical", where one file in five calls appCache (only those are parsed), and
# "every file", where each one does (every file is parsed). The page cache is warm.
# ripgrep comes from Debian's package (apt-get install ripgrep).
set -euo pipefail
cd "$(dirname "$0")/.."

FILES=${FILES:-5000}
KB=${KB:-10}
RUNS=${RUNS:-5}
BENCH_DIR=${BENCH_DIR:-/tmp/polycache-bench}
mkdir -p "$BENCH_DIR"
export NO_COLOR=1

log() { echo "bench: $*" >&2; }

if ! command -v rg >/dev/null; then
  log "installing ripgrep"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ripgrep >/dev/null \
    || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ripgrep >/dev/null; }
fi

if [ ! -x /usr/bin/time ]; then
  log "installing GNU time"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null \
    || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null; }
fi

log "building polycache (release)"
cargo build --release --quiet
POLYCACHE="${CARGO_TARGET_DIR:-$PWD/target}/release/polycache"
BASE_ROWS=()

# The median wall-clock time of RUNS runs of a command, in milliseconds.
median_ms() {
  local times=()
  for _ in $(seq "$RUNS"); do
    local t0 t1
    t0=$(date +%s%N)
    "$@" >/dev/null 2>&1 || true
    t1=$(date +%s%N)
    times+=($(( (t1 - t0) / 1000000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p"
}

# CPU time (user + system) of one run, in milliseconds: what the work costs when the
# machine is shared and wall-clock time is not.
cpu_ms() {
  /usr/bin/time -f '%U %S' -o "$BENCH_DIR/time.txt" "$@" >/dev/null 2>&1 || true
  tail -n 1 "$BENCH_DIR/time.txt" | awk '{printf "%d\n", ($1 + $2) * 1000}'
}

echo "polycache check vs ripgrep: $FILES generated files of ~$KB KB, median of $RUNS runs, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-12s %7s %8s %7s %10s %8s %14s %8s %13s %10s\n' tree files MB calls "check ms" "rg ms" "check -j1 ms" ratio "check cpu ms" "rg cpu ms"
for every in 5 1; do
  name=$([ "$every" = 1 ] && echo "every file" || echo "typical")
  TREE="$BENCH_DIR/platform-$FILES-$KB-$every"
  if [ ! -f "$TREE/.done" ]; then
    log "generating $TREE"
    python3 benches/gen-platform.py "$TREE" "$FILES" "$KB" "$every"
    touch "$TREE/.done"
  fi
  SRC="$TREE/server/src"
  # Warm the page cache.
  find "$SRC" -type f -exec cat {} + >/dev/null
  nfiles=$(find "$SRC" -type f \( -name '*.ts' -o -name '*.tsx' \) | wc -l)
  bytes=$(find "$SRC" -type f -printf '%s\n' | awk '{s+=$1} END {print s}')
  # The generated tree has findings on purpose (typos, run-time types): exit code 3.
  calls=$({ "$POLYCACHE" check --root "$TREE" --json || true; } | python3 -c 'import json,sys; print(json.load(sys.stdin)["callSites"])')
  rg_calls=$(rg -c 'appCache\.(invalidate|notify)\(' "$SRC" | awk -F: '{s+=$NF} END {print s}')
  if [ "$calls" != "$rg_calls" ]; then
    log "call sites differ: check found $calls, rg $rg_calls"
  fi
  check_ms=$(median_ms "$POLYCACHE" check --root "$TREE" --json)
  check1_ms=$(RAYON_NUM_THREADS=1 median_ms "$POLYCACHE" check --root "$TREE" --json)
  rg_ms=$(median_ms rg -n 'appCache\.(invalidate|notify)\(' "$SRC")
  ratio=$(python3 -c "print(f'{$check_ms / max($rg_ms, 1):.1f}x')")
  check_cpu=$(cpu_ms "$POLYCACHE" check --root "$TREE" --json)
  rg_cpu=$(cpu_ms rg -n 'appCache\.(invalidate|notify)\(' "$SRC")
  printf '%-12s %7s %8.1f %7s %10s %8s %14s %8s %13s %10s\n' "$name" "$nfiles" "$(python3 -c "print($bytes/1e6)")" "$calls" "$check_ms" "$rg_ms" "$check1_ms" "$ratio" "$check_cpu" "$rg_cpu"
  if [ -n "${BASELINE:-}" ]; then
    # Another build on the same tree, its runs interleaved with this one's.
    base_ms=$(median_ms "$BASELINE" check --root "$TREE" --json)
    again_ms=$(median_ms "$POLYCACHE" check --root "$TREE" --json)
    base_cpu=$(cpu_ms "$BASELINE" check --root "$TREE" --json)
    again_cpu=$(cpu_ms "$POLYCACHE" check --root "$TREE" --json)
    BASE_ROWS+=("$(printf '%-12s %10s %12s %8s %13s %15s %8s' "$name" "$(( (check_ms + again_ms) / 2 ))" "$base_ms" \
      "$(python3 -c "print(f'{($check_ms + $again_ms) / 2 / max($base_ms, 1):.2f}x')")" "$(( (check_cpu + again_cpu) / 2 ))" "$base_cpu" \
      "$(python3 -c "print(f'{($check_cpu + $again_cpu) / 2 / max($base_cpu, 1):.2f}x')")")")
  fi
done
if [ -n "${BASELINE:-}" ]; then
  echo
  echo "against the baseline build $BASELINE ($("$BASELINE" --version 2>/dev/null | head -1)):"
  printf '%-12s %10s %12s %8s %13s %15s %8s\n' tree "check ms" "baseline ms" ratio "check cpu ms" "baseline cpu ms" "cpu ratio"
  printf '%s\n' "${BASE_ROWS[@]}"
fi
