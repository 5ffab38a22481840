#!/usr/bin/env bash
# Whole-process `gridbook find QUERY` against `fzf --filter QUERY` over the same
# residents as text lines (name, address, phone).
#
#   benches/find_vs_fzf.sh                 # generates a 100k-household store
#   GRIDBOOK_BENCH_DATA=DIR benches/find_vs_fzf.sh   # reuses a store made by `gridbook gen`
#
# Environment: EVENTS (activity events when generating, default 0: lookup
# reads none, but they make the store, and opening it, bigger), RUNS (default 10).
#
# `find` is timed twice: answering from the lookup index saved beside the
# store (the usual case: any `find` saves it), and with that index removed
# before every run (building it from the store, as after a write). `find`
# writes that index into the data directory (a store given with
# GRIDBOOK_BENCH_DATA gets one). Peak RSS comes from `/usr/bin/time -v`.
set -euo pipefail

cd "$(dirname "$0")/.."
RUNS=${RUNS:-10}
EVENTS=${EVENTS:-0}
QUERIES=("1381" "欧阳" "2-501" "zs" "zs 5")

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
rm -f "$DATA/lookup.idx"
echo "store: $(du -sh "$DATA/store" | cut -f1) on disk" >&2

LINES="$WORK/lines.txt"
GRIDBOOK_BENCH_DATA="$DATA" GRIDBOOK_LOOKUP_DUMP="$LINES" cargo bench --quiet --bench lookup >/dev/null
echo "lines: $(wc -l <"$LINES") in $(du -h "$LINES" | cut -f1)" >&2

export GRIDBOOK_CONFIG="$WORK/no-config"

# Median wall time of a command in milliseconds; $2, when given, runs
# before each timed run (untimed with hyperfine, `--prepare`).
time_ms() {
    if command -v hyperfine >/dev/null 2>&1; then
        local prep=()
        [ -n "${2:-}" ] && prep=(--prepare "$2")
        hyperfine --style none --warmup 1 --runs "$RUNS" "${prep[@]}" --export-json "$WORK/h.json" "$1" >/dev/null 2>&1
        python3 -c 'import json,sys; print(round(json.load(open(sys.argv[1]))["results"][0]["median"]*1000, 1))' "$WORK/h.json"
    else
        [ -n "${2:-}" ] && bash -c "$2"
        bash -c "$1" >/dev/null 2>&1 || true
        local times=() start end
        for _ in $(seq "$RUNS"); do
            [ -n "${2:-}" ] && bash -c "$2"
            start=$(date +%s%N)
            bash -c "$1" >/dev/null 2>&1 || true
            end=$(date +%s%N)
            times+=($(((end - start) / 1000000)))
        done
        printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
    fi
}

# Peak resident memory of one run, in MB.
peak_mb() {
    if [ -x /usr/bin/time ]; then
        /usr/bin/time -v bash -c "$1" 2>&1 >/dev/null | awk -F': ' '/Maximum resident/ {printf "%.0f", $2 / 1024}'
    else
        echo "-"
    fi
}

FIND="$BIN --data '$DATA' find"
DROP="rm -f '$DATA/lookup.idx'"
# The first run saves the index.
bash -c "$FIND zs --limit 20" >/dev/null
echo "index: $(du -h "$DATA/lookup.idx" | cut -f1)" >&2

printf '%-8s %10s %10s %7s %12s %7s %9s %9s\n' query "find (ms)" "fzf (ms)" ratio "no idx (ms)" ratio "RSS (MB)" "no idx"
for q in "${QUERIES[@]}"; do
    f=$(time_ms "$FIND '$q' --limit 20")
    z=$(time_ms "fzf --filter '$q' <'$LINES' | head -n 20")
    s=$(time_ms "$FIND '$q' --limit 20" "$DROP")
    m=$(peak_mb "$FIND '$q' --limit 20")
    bash -c "$DROP"
    ms=$(peak_mb "$FIND '$q' --limit 20")
    r1=$(python3 -c "print(f'{$f / max($z, 0.1):.2f}')")
    r2=$(python3 -c "print(f'{$s / max($z, 0.1):.1f}')")
    # Padded by display width, so a Chinese query lines up with the rest.
    qp=$(python3 -c 'import sys, unicodedata as u; q = sys.argv[1]; w = sum(2 if u.east_asian_width(c) in "WF" else 1 for c in q); print(q + " " * max(0, 8 - w))' "$q")
    printf '%s %10s %10s %7s %12s %7s %9s %9s\n' "$qp" "$f" "$z" "$r1" "$s" "$r2" "$m" "$ms"
done
