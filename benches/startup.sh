#!/usr/bin/env bash
# TUI start-up and memory through a real pseudo-terminal (120×40): the time
# from spawning `gridbook --data DIR` to the first frame that shows data, the
# time until `/` and a query show their results, and the peak RSS (VmHWM)
# with those results on screen. Medians of RUNS runs after one untimed run
# (`examples/startup.rs` does the measuring; it says what it waits for).
#
#   GRIDBOOK_BENCH_DATA=DIR benches/startup.sh          # a store made by `gridbook gen`
#   BIN=path/to/gridbook GRIDBOOK_BENCH_DATA=DIR benches/startup.sh   # time another build
#   benches/startup.sh                                  # generates 1k and 100k stores
#
# Environment: GRIDBOOK_BENCH_DATA (one or more data directories separated
# by `:`; default: generate `--households 1000` and `--households 100000`
# with seed 7), RUNS (default 5), BIN (a gridbook binary; default this
# tree's release build), INDEX (`saved`, the default: a `find` saves the
# lookup index before the runs, as after any `find`; `none`: no saved index,
# the TUI builds it), MARKER, QUERY, COLS, ROWS (see the example).
#
# Every run works on a copy of the store made here (opening may write: sled
# snapshots, a migration, files saved beside the store); the store given is
# never written. The config directory is a fresh one with `backups = 0`: the
# first start of a day also writes a full backup, which is not timed here.
set -euo pipefail

cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
INDEX=${INDEX:-saved}

if [ -n "${BIN:-}" ]; then
    BIN=$(realpath "$BIN")
else
    cargo build --release --quiet
    BIN=$PWD/target/release/gridbook
fi
cargo build --release --quiet --example startup
PROBE=$PWD/target/release/examples/startup

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

if [ -n "${GRIDBOOK_BENCH_DATA:-}" ]; then
    IFS=: read -r -a STORES <<<"$GRIDBOOK_BENCH_DATA"
else
    STORES=()
    for n in 1000 100000; do
        echo "generating a $n-household store…" >&2
        "$BIN" --data "$WORK/gen-$n" gen --households "$n" --seed 7 >&2
        STORES+=("$WORK/gen-$n")
    done
fi

for src in "${STORES[@]}"; do
    copy="$WORK/copy"
    rm -rf "$copy"
    cp -r "$src" "$copy"
    rm -f "$copy/lookup.idx"
    if [ "$INDEX" = saved ]; then
        GRIDBOOK_CONFIG="$WORK/no-config" "$BIN" --data "$copy" find zs --limit 1 >/dev/null
    fi
    echo "== $src ($(du -sh "$copy/store" | cut -f1) on disk, index: $INDEX, load:$(uptime | sed 's/.*load average://'))"
    # With INDEX=none every run builds the index: the TUI puts back only
    # an index it was given.
    "$PROBE" "$BIN" "$copy" "$RUNS"
    echo "   load after:$(uptime | sed 's/.*load average://')"
done
