#!/usr/bin/env bash
# Team sync at scale: 10 laptops × 1,000 new entries each merged into a big
# laptop's estate through a folder office, then a sync with nothing new.
#
#   benches/sync.sh                      # 100,000 households (the generator takes minutes)
#   HOUSEHOLDS=5000 benches/sync.sh      # smaller
#   ESTATE=DIR benches/sync.sh           # copy a data directory `gen` made instead of generating
#
# Environment: SMALL (`copy`, the default, or `sync`: how the small
# laptops get the estate), HOUSEHOLDS (default 100000), LAPTOPS (default 10), ENTRIES
# (per laptop, default 1000), RUNS (timed runs of each sync, default 3),
# LOCAL (entries the big laptop writes after the small laptops' writes, for
# the second "receive" row, default 10), BIN (a gridbook binary to time
# instead of building this tree's release binary), ESTATE (a data directory
# made by `gridbook gen --households HOUSEHOLDS --seed 7`, copied, never
# written), WRITER (`example`, the default, or `cli`), WRITE (a built
# sync_writer example to use).
#
# The small laptops start from the estate, so what they log names
# households and buildings that exist. With SMALL=copy (the default) each
# is a copy of the big laptop's data directory after its first sync, its
# `sync` folder deleted and set up under its own name, as an office sets
# up laptops (README, "Setting up many laptops from one"): `sync init`
# keeps the copy's empty outbox and gives it a device id of its own. With
# SMALL=sync each `sync init`s on an empty store and receives the estate
# in its first sync. The end of the run checks that the entries come from
# as many devices as there are laptops.
#
# The entries are 80% visits, 15% problems, 5% patrols, spread over the
# estate's households and buildings, each laptop writing as a different
# member. WRITER=example writes each laptop's entries in one process
# (examples/sync_writer.rs: the operations of `gridbook log
# visit|problem|patrol`, one commit per entry); WRITER=cli runs one
# `gridbook log` process per entry (at 100k each opens the store).
#
# The receiving sync is timed from a copy of the big laptop and of the
# office made before it, restored before each run (`--prepare`), so every
# run receives the same 10 batches. "local writes first" is the same sync
# after the big laptop logged LOCAL visits of its own: the received entries
# then sort before local ones in the agreed order and the merge replays.
set -euo pipefail

cd "$(dirname "$0")/.."
HOUSEHOLDS=${HOUSEHOLDS:-100000}
LAPTOPS=${LAPTOPS:-10}
ENTRIES=${ENTRIES:-1000}
RUNS=${RUNS:-3}
LOCAL=${LOCAL:-10}
WRITER=${WRITER:-example}
SMALL=${SMALL:-copy}

if [ -n "${BIN:-}" ]; then
    BIN=$(realpath "$BIN")
else
    cargo build --release --quiet
    BIN=$PWD/target/release/gridbook
fi
if [ "$WRITER" = example ] && [ -z "${WRITE:-}" ]; then
    cargo build --release --quiet --example sync_writer
    WRITE=$PWD/target/release/examples/sync_writer
fi
[ -n "${WRITE:-}" ] && WRITE=$(realpath "$WRITE")
[ -n "${ESTATE:-}" ] && ESTATE=$(realpath "$ESTATE")
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export GRIDBOOK_CONFIG="$WORK/config"
# No daily backups: each is a whole dump, written by a laptop's first write
# of the day (the big laptop's falls in its first sync, never in a timed
# run); at 100k they would double the disk the copies take.
mkdir -p "$GRIDBOOK_CONFIG"
echo 'backups = 0' >"$GRIDBOOK_CONFIG/config.toml"
cd "$WORK"

# Seconds (one decimal) a command took, run once.
once() {
    local start end
    start=$(date +%s%N)
    "$@" >/dev/null
    end=$(date +%s%N)
    python3 -c "print(f'{($end - $start) / 1e9:.1f}')"
}

if [ -n "${ESTATE:-}" ]; then
    echo "copying the estate in $ESTATE…" >&2
    mkdir big
    cp -a "$ESTATE/store" big/
    t_gen=copied
else
    echo "generating $HOUSEHOLDS households (seed 7)…" >&2
    t_gen=$(once "$BIN" --data big gen --households "$HOUSEHOLDS" --seed 7)
fi
"$BIN" --data big office init "$WORK/office.git" --key-out "$WORK/key" >/dev/null
"$BIN" --data big sync init --office "$WORK/office.git" --key "$WORK/key" --device-name big >/dev/null
echo "big laptop's first sync (sends the estate)…" >&2
t_first=$(once "$BIN" --data big sync)
echo "big laptop's first sync: $t_first s" >&2

# Households as `area/building/unit-room`, buildings as `area/building`, and
# members' phones (to write as), from the estate itself.
"$BIN" --data big export --format csv --out csv >/dev/null 2>&1
python3 - csv/roster.csv >households.txt <<'EOF'
import csv, sys
seen = set()
with open(sys.argv[1], encoding="utf-8-sig") as f:
    for r in csv.DictReader(f):
        a = f"{r['area']}/{r['building']}/{r['unit']}-{r['room']}"
        if a not in seen:
            seen.add(a)
            print(a)
EOF
rm -rf csv
cut -d/ -f1,2 households.txt | sort -u >buildings.txt
"$BIN" --data big report workload | grep -oE '1[3-9][0-9]{9}' | sort -u >phones.txt
echo "$(wc -l <households.txt) households, $(wc -l <buildings.txt) buildings, $(wc -l <phones.txt) members" >&2

mapfile -t HH <households.txt
mapfile -t BL <buildings.txt
mapfile -t PH <phones.txt
CATS=(repair blocked-drain hygiene safety other)

# Log one laptop's entries (argument: its number).
log_entries() {
    local l=$1 d="lap$1" me=${PH[$(($1 % ${#PH[@]}))]} i k b kind
    if [ "$WRITER" = example ]; then
        "$WRITE" "$d" "$me" "$l" "$ENTRIES" households.txt buildings.txt
        return
    fi
    for i in $(seq 0 $((ENTRIES - 1))); do
        k=$(((l * 7919 + i * 104729) % ${#HH[@]}))
        case $((i % 20)) in
            0 | 1 | 2)
                "$BIN" --data "$d" --as "$me" log problem --zone "${HH[$k]}" \
                    --category "${CATS[$((i % ${#CATS[@]}))]}" --note "bench $l-$i" >/dev/null
                ;;
            3)
                b=$((k % ${#BL[@]}))
                kind=hygiene
                [ $((i % 40)) = 3 ] && kind=security
                "$BIN" --data "$d" --as "$me" log patrol --zone "${BL[$b]}" --kind "$kind" >/dev/null
                ;;
            *)
                "$BIN" --data "$d" --as "$me" log visit --household "${HH[$k]}" >/dev/null
                ;;
        esac
    done
}

# Each laptop gets the estate, logs its entries offline, then syncs
# (sending its batch and receiving the batches of the laptops before it),
# one laptop after another; the big laptop has received nothing meanwhile,
# so it still receives all of them at the end. SMALL=copy: each is a copy
# of the big laptop's data directory, just synced, set up under its own
# name; SMALL=sync: each receives the estate in its first sync. A laptop's
# directory is deleted once it has synced (at 100k each copy takes about
# 1.6 GB).
t_small_first=0
t_log=0
small_syncs=()
for l in $(seq 1 "$LAPTOPS"); do
    start=$(date +%s%N)
    if [ "$SMALL" = copy ]; then
        cp -a big "lap$l"
        rm -rf "lap$l/sync"
    fi
    "$BIN" --data "lap$l" sync init --office "$WORK/office.git" --key "$WORK/key" --device-name "lap-$l" >/dev/null
    "$BIN" --data "lap$l" sync >/dev/null
    end=$(date +%s%N)
    t_small_first=$(python3 -c "print($t_small_first + ($end - $start) / 1e9)")
    echo "laptop $l: set up in $(python3 -c "print(f'{($end - $start) / 1e9:.1f}')") s; logging $ENTRIES entries…" >&2
    start=$(date +%s%N)
    log_entries "$l"
    end=$(date +%s%N)
    t_log=$(python3 -c "print($t_log + ($end - $start) / 1e9)")
    start=$(date +%s%N)
    line=$("$BIN" --data "lap$l" sync)
    end=$(date +%s%N)
    small_syncs+=("$(python3 -c "print(f'{($end - $start) / 1e9:.2f}')") s: $line")
    echo "laptop $l: ${small_syncs[-1]}" >&2
    rm -rf "lap$l"
done

# The receiving sync, from copies restored before each run.
cp -a big big.snap
cp -a office.git office.snap
restore='rm -rf big office.git && cp -a big.snap big && cp -a office.snap office.git'

# Mean and min wall time in seconds of `sync` after a prepare command, and
# the summary line of the last run.
time_sync() {
    local prep=$1
    if command -v hyperfine >/dev/null 2>&1; then
        hyperfine --style none --runs "$RUNS" --prepare "$prep" \
            --export-json h.json "'$BIN' --data big sync" >/dev/null 2>&1
        python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.2f %.2f" % (r["mean"], r["min"]))' h.json
    else
        local sum=0 min="" s
        for _ in $(seq "$RUNS"); do
            bash -c "$prep"
            s=$(once "$BIN" --data big sync)
            sum=$(python3 -c "print($sum + $s)")
            min=$(python3 -c "print(min(${min:-$s}, $s))")
        done
        python3 -c "print(f'{$sum / $RUNS:.2f} {$min:.2f}')"
    fi
}

echo "timing the big laptop's receiving sync…" >&2
recv=$(time_sync "$restore")
echo "received (mean, min): $recv" >&2
bash -c "$restore"
summary=$("$BIN" --data big sync)
me=${PH[0]}
local_prep="$restore && for i in \$(seq $LOCAL); do '$BIN' --data big --as '$me' log visit --household '${HH[0]}' >/dev/null; done"
recv_local=$(time_sync "$local_prep")
bash -c "$local_prep"
summary_local=$("$BIN" --data big sync)
echo "timing a sync with nothing new…" >&2
if command -v hyperfine >/dev/null 2>&1; then
    hyperfine --style none --warmup 1 --runs "$RUNS" --export-json h.json "'$BIN' --data big sync" >/dev/null 2>&1
    idle=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.2f %.2f" % (r["mean"], r["min"]))' h.json)
else
    idle=$(time_sync true)
fi
summary_idle=$("$BIN" --data big sync)
# Every small laptop wrote as a device of its own: the entries received
# carry LAPTOPS distinct device ids, none the big laptop's.
devices=$("$BIN" --data big export | python3 -c '
import json, sys
d = json.load(sys.stdin)
seen = {}
for s in d["stamps"]:
    seen.setdefault(s["device"], 0)
    seen[s["device"]] += 1
print(sum(1 for n in seen.values()))')
expected=$((LAPTOPS + (LOCAL > 0 ? 1 : 0)))
if [ "$devices" -lt "$expected" ]; then
    echo "the store holds entries of $devices devices, not $expected (the laptops and, with LOCAL, the big one): copies shared a device" >&2
    exit 1
fi

echo
echo "$HOUSEHOLDS households; $LAPTOPS laptops × $ENTRIES entries; store $(du -sh big | cut -f1), office $(du -sh office.git | cut -f1)"
echo "received: $summary"
echo "received after $LOCAL local writes: $summary_local"
echo "nothing new: $summary_idle"
echo "small laptops' syncs, in turn:"
printf '  %s\n' "${small_syncs[@]}"
printf '%-44s %10s %10s\n' step "mean (s)" "min (s)"
printf '%-44s %10s %10s\n' "gen (once)" "$t_gen" -
printf '%-44s %10s %10s\n' "big laptop's first sync (once)" "$t_first" -
printf '%-44s %10s %10s\n' "small laptop set up, $SMALL (mean of $LAPTOPS)" "$(python3 -c "print(f'{$t_small_first / $LAPTOPS:.1f}')")" -
printf '%-44s %10s %10s\n' "log one entry, $WRITER (mean of $((LAPTOPS * ENTRIES)))" "$(python3 -c "print(f'{$t_log / ($LAPTOPS * $ENTRIES):.3f}')")" -
printf '%-44s %10s %10s\n' "big receives $((LAPTOPS * ENTRIES))" $recv
printf '%-44s %10s %10s\n' "big receives $((LAPTOPS * ENTRIES)), $LOCAL local writes first" $recv_local
printf '%-44s %10s %10s\n' "sync with nothing new" $idle
