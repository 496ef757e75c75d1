#!/usr/bin/env bash
# bench/ab.sh OLD NEW [N] - the commands of `make bench` (bench/run.sh) timed
# for two builds of ccmsync, alternating run by run on the same stores, so
# that a machine whose load drifts favours neither (whole runs of run.sh, one
# after the other, differ by more than a change does on a shared machine).
#
# Imports: a fresh store per run at each size of BENCH_SCALES (default
# "1000 10000", N always added), BENCH_IMPORTS runs per binary (default 3).
# Then, on one store of N activities (default 100000) imported by OLD, each
# everyday command of run.sh's operations table BENCH_REPS times per binary
# (default 11; 3 for commands over a second), the order OLD/NEW swapped every
# run. Prints per command the median wall time and the median CPU time (user
# + system) of each build, in ms, and NEW / OLD of both. Writes nothing but
# its temporary folder, removed at the end (BENCH_KEEP=1 keeps it).
#
#   bench/ab.sh build-before/ccmsync build/ccmsync 100000
set -u

[ $# -ge 2 ] && [ $# -le 3 ] || {
    echo "usage: $0 OLD NEW [N]" >&2
    exit 2
}
HERE=$(cd "$(dirname "$0")" && pwd)
N=${3:-100000}
REPS=${BENCH_REPS:-11}
IMPORTS=${BENCH_IMPORTS:-3}
X=${BENCH_STATE:-LAO}
SEED=${BENCH_SEED:-20250101}
ISO=/usr/share/iso-codes/json/iso_3166-1.json
case $N in '' | *[!0-9]* | 0)
    echo "$0: N must be a positive number" >&2
    exit 2
    ;;
esac
[ -r "$ISO" ] || {
    echo "$0: $ISO is missing (Debian package iso-codes)" >&2
    exit 2
}
T=$(mktemp -d "${TMPDIR:-/tmp}/ccmsync-ab.XXXXXX") || exit 1
cleanup() { [ "${BENCH_KEEP:-0}" = 1 ] && echo "ab: kept $T" >&2 || rm -rf "$T"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
for b in "$1" "$2"; do
    [ -x "$b" ] || {
        echo "$0: '$b' is not an executable" >&2
        exit 2
    }
done
OLD=$1 NEW=$2
cp "$OLD" "$T/old" && cp "$NEW" "$T/new" || exit 1 # private copies: builds may be redone meanwhile

TIMEFORMAT='%3U %3S'
OUT=$T/times # label build wall_ms cpu_ms
ITER=0
# timed LABEL BUILD CMD...: one run of CMD, appended to $OUT; stops on failure.
timed() {
    local label=$1 build=$2 t0 t1 rc
    shift 2
    t0=${EPOCHREALTIME/[.,]/}
    { time "$@" >/dev/null 2>"$T/err"; } 2>"$T/cpu"
    rc=$?
    t1=${EPOCHREALTIME/[.,]/}
    if [ $rc -ne 0 ]; then
        echo "ab: $label ($build) failed: $(head -c 300 "$T/err")" >&2
        exit 1
    fi
    awk -v l="$label" -v b="$build" -v w=$((t1 - t0)) '{ printf "%s\t%s\t%.2f\t%.1f\n", l, b, w / 1000, ($1 + $2) * 1000 }' \
        "$T/cpu" >>"$OUT"
}

# ----- imports ----------------------------------------------------------------
SCALES=
for s in ${BENCH_SCALES:-1000 10000}; do
    [ "$s" -lt "$N" ] && SCALES="$SCALES $s"
done
SCALES="$SCALES $N"
for n in $SCALES; do
    awk -f "$HERE/gen.awk" -v n="$n" -v seed="$SEED" "$ISO" >"$T/data-$n.json" || exit 1
    for ((i = 0; i < IMPORTS; i++)); do
        for b in $([ $((i % 2)) = 0 ] && echo old new || echo new old); do
            rm -rf "$T/imp"
            "$T/$b" -C "$T/imp" init --member Peru --no-passphrase >/dev/null 2>&1 || exit 1
            timed "import $n" "$b" "$T/$b" -C "$T/imp" import "$T/data-$n.json"
        done
    done
    echo "ab: imports of $n done" >&2
done

# ----- everyday commands on the store of N ------------------------------------
S=$T/store
"$T/old" -C "$S" init --member Peru --no-passphrase >/dev/null 2>&1 &&
    "$T/old" -C "$S" import "$T/data-$N.json" >/dev/null 2>&1 || exit 1
AID=$("$T/old" -C "$S" --json activity list --state "$X" | grep -o '"id": *"[0-9a-f]\{16\}"' |
    head -n 1 | grep -o '[0-9a-f]\{16\}')
APRE=${AID:0:6}

# Each: label, then the command line after `ccmsync -C STORE` ($ITER gives new
# values to writes); "after-write:" runs a state set first, untimed.
ops=(
    "state show $X|state show $X"
    "state set $X next_step=...|state set $X next_step=ab-\$ITER"
    "activity add|activity add --type bilateral --date 2025-05-05 states=$X summary=ab-\$ITER"
    "activity show (full id)|activity show $AID"
    "activity show (6-digit prefix)|activity show $APRE"
    "activity list --state $X|activity list --state $X"
    "state list|state list"
    "state list, first after a write|after-write:state list"
    "activity list --state $X, first after a write|after-write:activity list --state $X"
    "log $X|log $X"
    "export|export"
    "verify|verify"
    "log (whole history)|log"
    "whoami (start-up floor)|whoami"
)
for op in "${ops[@]}"; do
    label=${op%%|*} cmd=${op#*|} pre=0 reps=$REPS
    case $cmd in after-write:*) pre=1 cmd=${cmd#after-write:} ;; esac
    ITER=$((ITER + 1))
    eval "set -- $cmd"
    "$T/new" -C "$S" "$@" >/dev/null 2>&1 # warm-ups; the second's time decides the runs
    t0=${EPOCHREALTIME/[.,]/}
    "$T/old" -C "$S" "$@" >/dev/null 2>&1
    [ $((${EPOCHREALTIME/[.,]/} - t0)) -gt 1000000 ] && reps=3
    for ((i = 0; i < reps; i++)); do
        for b in $([ $((i % 2)) = 0 ] && echo old new || echo new old); do
            ITER=$((ITER + 1))
            [ $pre = 1 ] && { "$T/old" -C "$S" state set "$X" "next_step=ab-pre-$ITER" >/dev/null || exit 1; }
            eval "set -- $cmd"
            timed "$label" "$b" "$T/$b" -C "$S" "$@"
        done
    done
    echo "ab: $label done" >&2
done

python3 - "$OUT" "$OLD" "$NEW" "$N" <<'EOF'
import collections, math, statistics, sys
rows = collections.defaultdict(lambda: collections.defaultdict(list))
order = []
for line in open(sys.argv[1]):
    label, build, wall, cpu = line.rstrip("\n").split("\t")
    if label not in order:
        order.append(label)
    rows[label][build].append((float(wall), float(cpu)))
print("OLD %s\nNEW %s\nN = %s; medians in ms; runs per build in brackets" % tuple(sys.argv[2:5]))
print("%-46s %9s %9s %7s  %9s %9s %7s" % ("", "wall OLD", "wall NEW", "NEW/OLD", "cpu OLD", "cpu NEW", "NEW/OLD"))
logs = []
for label in order:
    o, n = rows[label]["old"], rows[label]["new"]
    wo, wn = statistics.median(w for w, _ in o), statistics.median(w for w, _ in n)
    co, cn = statistics.median(c for _, c in o), statistics.median(c for _, c in n)
    logs.append(math.log(wn / wo))
    print("%-46s %9.1f %9.1f %7.3f  %9.1f %9.1f %7.3f" % ("%s [%d]" % (label[:41], len(o)), wo, wn, wn / wo,
          co, cn, cn / co if co else float("nan")))
print("geometric mean of the wall ratios: %.3f" % math.exp(sum(logs) / len(logs)))
EOF
