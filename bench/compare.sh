#!/usr/bin/env bash
# bench/compare.sh N REPS BIN [BIN...] - the everyday read commands of
# bench/run.sh on one store of the 249 states and N activities (bench/gen.awk),
# timed for each binary in turn, run by run, so that a drifting machine
# favours none of them. Prints the median wall time of each command per
# binary, in ms, and each binary's ratio to the first. For comparing two
# builds of a change on whole commands; run.sh is the benchmark.
#
#   bench/compare.sh 100000 7 build-before/ccmsync build/ccmsync
#
# The store is made (and its cache built) by the first binary; the others
# read the same store and cache. Commands: state list, activity list,
# activity list --state LAO, state show LAO, export, verify.
set -euo pipefail

if [ $# -lt 3 ]; then
    echo "usage: $0 N REPS BIN [BIN...]" >&2
    exit 2
fi
n=$1 reps=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
iso=/usr/share/iso-codes/json/iso_3166-1.json
T=$(mktemp -d "${TMPDIR:-/tmp}/ccmsync-compare.XXXXXX")
trap 'rm -rf "$T"' EXIT
bins=()
for b in "$@"; do # private copies: the build folders may be rebuilt meanwhile
    cp "$b" "$T/bin${#bins[@]}" && bins+=("$T/bin${#bins[@]}")
done

awk -f "$here/gen.awk" -v n="$n" -v seed="${BENCH_SEED:-20250101}" "$iso" >"$T/data.json"
S=$T/store
"${bins[0]}" -C "$S" init --member Peru --no-passphrase >/dev/null
"${bins[0]}" -C "$S" import "$T/data.json" >/dev/null 2>"$T/import.err" # warnings: members
"${bins[0]}" -C "$S" state list >/dev/null # builds the cache

cmds=("state list" "activity list" "activity list --state LAO" "state show LAO" "export"
    "verify")
now() { echo "${EPOCHREALTIME/[.,]/}"; }
for ((c = 0; c < ${#cmds[@]}; c++)); do
    for ((b = 0; b < ${#bins[@]}; b++)); do
        # shellcheck disable=SC2086 # the command's words
        "${bins[$b]}" -C "$S" ${cmds[$c]} >/dev/null # warm-up
        : >"$T/t.$c.$b"
    done
done
for ((i = 0; i < reps; i++)); do
    for ((c = 0; c < ${#cmds[@]}; c++)); do
        for ((b = 0; b < ${#bins[@]}; b++)); do
            t0=$(now)
            # shellcheck disable=SC2086
            "${bins[$b]}" -C "$S" ${cmds[$c]} >/dev/null
            echo $(($(now) - t0)) >>"$T/t.$c.$b"
        done
    done
done

median() { sort -n "$1" | awk '{ v[NR] = $1 } END { printf "%.1f", (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) / 1000 }'; }
printf '%d states, %d activities; median of %d runs, ms\n' 249 "$n" "$reps"
printf '%-28s' "command"
for ((b = 0; b < ${#bins[@]}; b++)); do printf ' %12s' "bin$b"; done
for ((b = 1; b < ${#bins[@]}; b++)); do printf ' %9s' "bin$b/bin0"; done
echo
for ((c = 0; c < ${#cmds[@]}; c++)); do
    printf '%-28s' "${cmds[$c]}"
    m0=$(median "$T/t.$c.0")
    for ((b = 0; b < ${#bins[@]}; b++)); do printf ' %12s' "$(median "$T/t.$c.$b")"; done
    for ((b = 1; b < ${#bins[@]}; b++)); do
        printf ' %8.2fx' "$(awk -v a="$(median "$T/t.$c.$b")" -v z="$m0" 'BEGIN { print a / z }')"
    done
    echo
done
for ((b = 0; b < ${#bins[@]}; b++)); do echo "bin$b: $1"; shift; done
