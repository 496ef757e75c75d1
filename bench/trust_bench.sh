#!/usr/bin/env bash
# bench/trust_bench.sh REPS BIN [BIN...] - the cost of verification by
# effect: B's merging sync timed for two workloads, each binary on a state of
# its own (history formats differ between versions), the binaries
# interleaved run by run so that a drifting machine favours none of them.
#
#   edits    sync_bench.sh's workload: A and B each import N random field
#            edits (one commit each; N = TRUST_N, default 100000); B's sync
#            fetches A's import, verifies it, merges, pushes.
#   commits  A and B each make C separate commits (C = TRUST_COMMITS, default
#            1000; `state set` of one field of a random state); B's sync
#            fetches A's C commits, verifies each, merges, pushes.
#
# Prints, per workload and binary, the median and minimum wall time of B's
# whole `sync` command in ms over REPS runs, and each binary's median as a
# ratio to the first binary's. Results also go to bench/out/trust_bench.txt.
#
#   bench/trust_bench.sh 5 /path/to/ccmsync-before build/ccmsync
set -euo pipefail

if [ $# -lt 2 ]; then
    echo "usage: $0 REPS BIN [BIN...]" >&2
    exit 2
fi
reps=$1
shift
here=$(cd "$(dirname "$0")" && pwd)
iso=/usr/share/iso-codes/json/iso_3166-1.json
n=${TRUST_N:-100000}
c=${TRUST_COMMITS:-1000}
T=$(mktemp -d "${TMPDIR:-/tmp}/ccmsync-trust.XXXXXX")
trap 'rm -rf "$T"' EXIT
bins=()
for b in "$@"; do # private copies: the build folders may be rebuilt meanwhile
    cp "$b" "$T/bin${#bins[@]}" && bins+=("$T/bin${#bins[@]}")
done
python3 "$here/sync_gen.py" --n "$n" --seed "${BENCH_SEED:-20250101}" --iso "$iso" \
    --out "$T/data" >/dev/null
mapfile -t codes < <(python3 -c 'import json,sys; print("\n".join(sorted(c["alpha_3"] for c in json.load(open(sys.argv[1]))["3166-1"])))' "$iso")

# group DIR BIN : A and B in a group through DIR/hub.
group() {
    local d=$1 bin=$2 req
    "$bin" -C "$d/A" init --member A --no-passphrase >/dev/null 2>&1
    "$bin" -C "$d/A" remote add origin "$d/hub"
    "$bin" -C "$d/A" sync >/dev/null
    req=$("$bin" -C "$d/B" join "$d/hub" --member B --no-passphrase 2>/dev/null)
    "$bin" -C "$d/A" member add "$req" >/dev/null 2>&1
    "$bin" -C "$d/A" sync >/dev/null && "$bin" -C "$d/B" sync >/dev/null
}

# commits BIN STORE SEED : C separate one-field commits.
commits() {
    local bin=$1 s=$2 i
    RANDOM=$3
    for ((i = 0; i < c; i++)); do
        "$bin" -C "$s" state set "${codes[RANDOM % ${#codes[@]}]}" \
            "f$((RANDOM % 40))=v$RANDOM" >/dev/null
    done
}

for k in "${!bins[@]}"; do
    bin=${bins[$k]}
    d=$T/edits$k
    group "$d" "$bin"
    "$bin" -C "$d/A" import "$T/data/import-A.json" >/dev/null
    "$bin" -C "$d/B" import "$T/data/import-B.json" >/dev/null
    "$bin" -C "$d/A" sync >/dev/null
    cp -a "$d/hub" "$d/hub.snap" && cp -a "$d/B" "$d/B.snap"
    d=$T/commits$k
    group "$d" "$bin"
    commits "$bin" "$d/A" 1
    commits "$bin" "$d/B" 2
    "$bin" -C "$d/A" sync >/dev/null
    cp -a "$d/hub" "$d/hub.snap" && cp -a "$d/B" "$d/B.snap"
done

: >"$T/times"
for ((r = 0; r < reps; r++)); do
    for w in edits commits; do
        for k in "${!bins[@]}"; do
            d=$T/$w$k
            rm -rf "$d/hub" "$d/B" && cp -a "$d/hub.snap" "$d/hub" && cp -a "$d/B.snap" "$d/B"
            t0=$(date +%s%N)
            "${bins[$k]}" -C "$d/B" sync >"$T/out" 2>&1 || {
                cat "$T/out" >&2
                exit 1
            }
            t1=$(date +%s%N)
            echo "$w $k $(((t1 - t0) / 1000))" >>"$T/times"
        done
    done
done

python3 - "$T/times" "$n" "$c" "$@" <<'EOF' | tee "$here/out/trust_bench.txt"
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
n, c, names = sys.argv[2], sys.argv[3], sys.argv[4:]
print("B's merging sync, whole command, ms (median / min over %d runs)" % (len(rows) // (2 * len(names))))
for w, what in (("edits", "%s random field edits each, one import commit" % n),
                ("commits", "%s separate commits each" % c)):
    print("\n%s: %s" % (w, what))
    base = None
    for k, name in enumerate(names):
        t = [int(r[2]) / 1000 for r in rows if r[0] == w and int(r[1]) == k]
        med = statistics.median(t)
        base = base or med
        print("  %-40s %8.1f / %8.1f   x%.2f" % (name, med, min(t), med / base))
EOF
