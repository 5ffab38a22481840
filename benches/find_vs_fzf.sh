#!/usr/bin/env bash
# Whole-process `gridbook find QUERY` against `fzf --filter QUERY` over the same
# residents as text lines (name, address, phone).
#
#   benches/find_vs_fzf.sh                 # generates a 100k-household store
#   GRIDBOOK_BENCH_DATA=DIR benches/find_vs_fzf.sh   # reuses a store made by `gridbook gen`
#
# Environment: EVENTS (activity events when generating, default 0: lookup
# reads none, but they make the store, and opening it, bigger), RUNS (default 10).
set -euo pipefail

cd "$(dirname "$0")/.."
RUNS=${RUNS:-10}
EVENTS=${EVENTS:-0}
QUERIES=("zs" "zs 5" "1381" "欧阳" "2-501")

if ! command -v fzf >/dev/null 2>&1; then
    echo "fzf not found; trying to install it with apt-get" >&2
    if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
        apt-get install -y -qq fzf >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq fzf >/dev/null 2>&1; } || true
    fi
fi
if ! command -v fzf >/dev/null 2>&1; then
    echo "skipping: fzf is not installed and could not be installed" >&2
    exit 0
fi

cargo build --release --quiet
BIN=target/release/gridbook
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

DATA=${GRIDBOOK_BENCH_DATA:-}
if [ -z "$DATA" ]; then
    DATA="$WORK/data"
    echo "generating a 100k-household store ($EVENTS events)…" >&2
    "$BIN" --data "$DATA" gen --households 100000 --seed 7 --events "$EVENTS" >&2
fi
echo "store: $(du -sh "$DATA" | cut -f1) on disk" >&2

LINES="$WORK/lines.txt"
GRIDBOOK_BENCH_DATA="$DATA" GRIDBOOK_LOOKUP_DUMP="$LINES" cargo bench --quiet --bench lookup >/dev/null
echo "lines: $(wc -l <"$LINES") in $(du -h "$LINES" | cut -f1)" >&2

export GRIDBOOK_CONFIG="$WORK/no-config"

# Mean wall time of a command in milliseconds.
time_ms() {
    if command -v hyperfine >/dev/null 2>&1; then
        hyperfine --style none --warmup 1 --runs "$RUNS" --export-json "$WORK/h.json" "$1" >/dev/null 2>&1
        python3 -c 'import json,sys; print(round(json.load(open(sys.argv[1]))["results"][0]["mean"]*1000, 1))' "$WORK/h.json"
    else
        bash -c "$1" >/dev/null 2>&1 || true
        local start end
        start=$(date +%s%N)
        for _ in $(seq "$RUNS"); do bash -c "$1" >/dev/null 2>&1 || true; done
        end=$(date +%s%N)
        echo $(((end - start) / RUNS / 1000000))
    fi
}

printf '%-8s %12s %12s %8s\n' query "find (ms)" "fzf (ms)" ratio
for q in "${QUERIES[@]}"; do
    f=$(time_ms "$BIN --data '$DATA' find '$q' --limit 20")
    z=$(time_ms "fzf --filter '$q' <'$LINES' | head -n 20")
    ratio=$(python3 -c "print(f'{$f / max($z, 0.1):.1f}')")
    printf '%-8s %12s %12s %8s\n' "$q" "$f" "$z" "$ratio"
done
