#!/usr/bin/env bash
# bench/sync_replay.sh N REPS BIN [BIN...] - B's merging sync of sync_bench.sh,
# replayed REPS times per binary from one snapshot (hub and B restored before
# each run), the binaries interleaved run by run so that a drifting machine
# favours none of them. Prints, per binary, the median and minimum of each
# CCMSYNC_TRACE phase, their sum, the whole command and its CPU time (user +
# system, every thread), in ms; then each binary's medians over the first's.
# For comparing two builds of a change; sync_bench.sh is the benchmark.
#
#   bench/sync_replay.sh 10000 11 build-before/ccmsync build/ccmsync
set -euo pipefail

if [ $# -lt 3 ]; then
    echo "usage: $0 N REPS BIN [BIN...]" >&2
    exit 2
fi
n=$1 reps=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
iso=/usr/share/iso-codes/json/iso_3166-1.json
T=$(mktemp -d "${TMPDIR:-/tmp}/ccmsync-replay.XXXXXX")
trap 'rm -rf "$T"' EXIT
bins=()
for b in "$@"; do # private copies: the build folders may be rebuilt meanwhile
    cp "$b" "$T/bin${#bins[@]}" && bins+=("$T/bin${#bins[@]}")
done

python3 "$here/sync_gen.py" --n "$n" --seed "${BENCH_SEED:-20250101}" --iso "$iso" \
    --out "$T/data" >/dev/null
ccm() { "${bins[0]}" -C "$T/$1" "${@:2}"; }
ccm A init --member A --no-passphrase >/dev/null 2>&1
ccm A remote add origin "$T/hub"
ccm A sync >/dev/null
req=$(ccm B join "$T/hub" --member B --no-passphrase 2>/dev/null)
ccm A member add "$req" >/dev/null
ccm A sync >/dev/null && ccm B sync >/dev/null
ccm A import "$T/data/import-A.json" >/dev/null && ccm B import "$T/data/import-B.json" >/dev/null
ccm A sync >/dev/null
cp -a "$T/hub" "$T/hub.snap" && cp -a "$T/B" "$T/B.snap"

TIMEFORMAT='%3U %3S'
for ((i = 0; i < reps; i++)); do
    for k in "${!bins[@]}"; do
        rm -rf "$T/hub" "$T/B" && cp -a "$T/hub.snap" "$T/hub" && cp -a "$T/B.snap" "$T/B"
        t0=${EPOCHREALTIME/[.,]/}
        { time CCMSYNC_TRACE=1 "${bins[$k]}" -C "$T/B" sync >/dev/null 2>"$T/trace"; } 2>"$T/cpu"
        t1=${EPOCHREALTIME/[.,]/}
        cpu=$(awk '{ printf "%.1f", ($1 + $2) * 1000 }' "$T/cpu")
        awk -v k="$k" -v tot=$((t1 - t0)) -v cpu="$cpu" '$1 == "ccmsync:" && $2 == "trace:" { printf "%s %s %s\n", k, $3, $4 }
            END { printf "%s command %.3f\n%s cpu %s\n", k, tot / 1000, k, cpu }' "$T/trace"
    done
done | python3 -c '
import sys, statistics, collections
names = sys.argv[1:]
d = collections.defaultdict(lambda: collections.defaultdict(list))
for line in sys.stdin:
    k, phase, ms = line.split()
    d[int(k)][phase].append(float(ms))
for k, name in enumerate(names):
    ph = d[k]
    runs = len(ph["command"])
    sums = [sum(ph[p][i] for p in ("fetch", "verify", "merge", "push")) for i in range(runs)]
    ph["SUM"] = sums
    keys = [p for p in ph if p not in ("command", "cpu")] + ["command", "cpu"]
    print(name + ": " + "  ".join("%s %.1f/%.1f" % (p, statistics.median(ph[p]), min(ph[p])) for p in keys))
print("(median/min ms over %d runs each; cpu: user + system)" % runs)
for k, name in enumerate(names[1:], 1):
    print(name + " / " + names[0] + ": " + "  ".join("%s %.3f" % (p, statistics.median(d[k][p]) / statistics.median(d[0][p]))
          for p in ("fetch", "verify", "merge", "push", "SUM", "command", "cpu")))' "$@"
