#!/usr/bin/env bash
# t_concurrency.sh - processes writing one store at the same time lose
# nothing (every write is one commit on top of the others), and a held lock
# makes writers wait, or give up after CCMSYNC_LOCK_TIMEOUT with exit 1.
. "$(dirname "$0")/lib.sh"

if ! command -v flock >/dev/null 2>&1; then
    echo "e2e t_concurrency needs flock (util-linux)" >&2
    exit 1
fi

S="$T/store"
new_store "$S"
expect_ok ccm -C "$S" activity add --type iwg-meeting --date 2025-03-03
SHARED=$OUT
base=$(commits "$S")

# The elements writers add to the shared activity's `states` set: distinct
# state codes (LAO excluded: the activities listed by state are counted).
CODES=(AFG ALB DZA AND AGO ATG ARG ARM AUS AUT AZE BHS BHR BGD BRB BLR BEL BLZ BEN BTN
    BOL BIH BWA BRA BRN BGR BFA BDI CPV KHM CMR CAN CAF TCD CHL CHN COL COM COG CRI
    CIV HRV CUB CYP CZE DNK DJI DMA DOM ECU EGY SLV GNQ ERI EST SWZ ETH FJI FIN FRA
    GAB GMB GEO DEU GHA GRC GRD GTM GIN GNB GUY HTI HND HUN ISL IND)
CODES_PY="[$(printf '"%s",' "${CODES[@]}")]"
# code ROUND K I : the element writer K adds at its I-th write of a round
# (round 1: 2 writers x 8 writes, elements 0-15; round 2: 4 x 15, 16-75).
code() {
    if [[ $1 == 1 ]]; then echo "${CODES[$((($2 - 1) * 8 + $3 - 1))]}"; else
        echo "${CODES[$((16 + ($2 - 1) * 15 + $3 - 1))]}"; fi
}

# writer K N : N activity adds and N state sets on LAO (fields f_K_I), then
# N set additions to the shared activity's `states`; records ids and failures.
writer() {
    local k=$1 n=$2 i id
    for ((i = 1; i <= n; i++)); do
        if id=$(ccm -C "$S" activity add --type bilateral --date "2025-04-$(printf %02d "$i")" \
            states=LAO summary="w$k-$i" 2>>"$T/w$k.err"); then
            echo "$id" >>"$T/ids.$k"
        else
            echo "activity add $k $i failed" >>"$T/failures"
        fi
        ccm -C "$S" state set LAO "f_${k}_$i=v$k.$i" >/dev/null 2>>"$T/w$k.err" ||
            echo "state set $k $i failed" >>"$T/failures"
        ccm -C "$S" activity set "$SHARED" "states+=$(code "$ROUND" "$k" "$i")" >/dev/null \
            2>>"$T/w$k.err" ||
            echo "activity set $k $i failed" >>"$T/failures"
    done
}

# ---- two writers ----------------------------------------------------------------

: >"$T/failures"
ROUND=1
writer 1 8 &
writer 2 8 &
wait
expect_eq "$(cat "$T/failures")" "" "no write of two concurrent writers failed"
expect_eq "$(cat "$T"/w*.err)" "" "concurrent writers print no error"
expect_eq "$(commits "$S")" $((base + 2 * 8 * 3)) "two writers: one commit per write"
expect_ok ccm -C "$S" --json state show LAO
expect_json 'all(d["fields"].get("f_%d_%d" % (k, i)) == "v%d.%d" % (k, i)
    for k in (1, 2) for i in range(1, 9))' "two writers: every state field is there"
expect_ok ccm -C "$S" --json activity show "$SHARED"
expect_json 'd["fields"]["states"] == sorted('"$CODES_PY"'[0:16])' \
    "two writers: every concurrent set addition is there"

# ---- four writers ----------------------------------------------------------------

expect_ok ccm -C "$S" state set LAO "f_1_1=" "f_2_1="
rm -f "$T"/ids.* "$T"/w*.err
: >"$T/failures"
base=$(commits "$S")
ROUND=2
for k in 1 2 3 4; do writer "$k" 15 & done
wait
expect_eq "$(cat "$T/failures")" "" "no write of four concurrent writers failed"
expect_eq "$(cat "$T"/w*.err)" "" "concurrent writers print no error"
expect_eq "$(commits "$S")" $((base + 4 * 15 * 3)) "four writers: one commit per write"
expect_eq "$(cat "$T"/ids.* | sort -u | wc -l)" 60 "60 distinct activity ids were printed"

expect_ok ccm -C "$S" --json activity list --state LAO
expect_json 'len(d) == 60 + 16' "every activity is listed (60 now, 16 before)"
cat "$T"/ids.* | sort >"$T/ids.all"
jq_out '"\n".join(sorted(x["id"] for x in d))' >"$T/listed"
check "every printed id is listed" test -z "$(comm -23 "$T/ids.all" "$T/listed")"
expect_json 'sorted(x["fields"]["summary"] for x in d if x["fields"]["summary"].startswith("w") and
    x["fields"]["date"] >= "2025-04-01") == sorted(["w%d-%d" % (k, i) for k in (1, 2, 3, 4)
    for i in range(1, 16)] + ["w%d-%d" % (k, i) for k in (1, 2) for i in range(1, 9)])' \
    "each activity holds its own fields"

expect_ok ccm -C "$S" --json state show LAO
expect_json 'all(d["fields"].get("f_%d_%d" % (k, i)) == "v%d.%d" % (k, i)
    for k in (1, 2, 3, 4) for i in range(1, 16))' "four writers: all 60 state fields are there"
expect_json 'len([f for f in d["fields"] if f.startswith("f_")]) == 60' \
    "exactly the 60 fields of this round (f_1_1 and f_2_1 were cleared, then set again)"
expect_ok ccm -C "$S" --json activity show "$SHARED"
expect_json 'd["fields"]["states"] == sorted('"$CODES_PY"') and len(set('"$CODES_PY"')) == 76' \
    "four writers: all 76 set additions are there"
expect_ok ccm -C "$S" verify
expect_ok git --git-dir="$S/repo" fsck --strict --no-dangling
expect_eq "$(git --git-dir="$S/repo" rev-list --min-parents=2 --count main)" 0 \
    "the history is linear (each write on top of the last)"

# ---- a held lock ------------------------------------------------------------------

rm -f "$T/held"
flock "$S/lock" -c "touch '$T/held'; sleep 4" &
HOLDER=$!
i=0
while [[ ! -e "$T/held" && $i -lt 200 ]]; do sleep 0.05; i=$((i + 1)); done
t_held=$(date +%s%N)
check "the lock holder has the lock" test -e "$T/held"

before=$(store_fingerprint "$S")
n=$(commits "$S")
t0=$(date +%s%N)
expect_exit 1 env CCMSYNC_LOCK_TIMEOUT=1 "$CCMSYNC_BIN" -C "$S" state set LAO region=busy
t1=$(date +%s%N)
expect_stderr_one_line "busy"
expect_stdout_empty
expect_unchanged "$S" "$before" "a write that timed out on the lock"
check "the timed-out writer waited about CCMSYNC_LOCK_TIMEOUT (>= 0.9 s)" \
    test $(((t1 - t0) / 1000000)) -ge 900

# Readers do not wait for the lock.
expect_ok ccm -C "$S" --json state show LAO
expect_json '"region" not in d["fields"]'
check "the lock is still held while the reader ran" kill -0 "$HOLDER"

# A writer with the default timeout waits for the holder, then succeeds.
expect_ok ccm -C "$S" --json state set LAO region=after-wait
t2=$(date +%s%N)
expect_json 'd["fields"]["region"] == "after-wait"'
check "the waiting writer finished only after the holder released the lock (4 s)" \
    test $(((t2 - t_held) / 1000000)) -ge 3500
expect_eq "$(commits "$S")" $((n + 1)) "the waiting write is one commit"
wait "$HOLDER"
expect_ok ccm -C "$S" verify

done_testing
