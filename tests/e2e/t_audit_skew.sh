#!/usr/bin/env bash
# t_audit_skew.sh - the audit trail through merges: after three members edit
# one state concurrently and a three-way merge, `log` names for each field
# change the member who made it with the right old and new values, once, and
# `blame` names the member of each value that holds. Clock skew: a change
# stamped far in the future is accepted, and `sync` and `verify` warn.
. "$(dirname "$0")/lib.sh"
unset CCMSYNC_PASSPHRASE

HUB="$T/hub.git" P="$T/peru" N="$T/norway" M="$T/malawi"
expect_ok ccm -C "$P" init --member Peru --no-passphrase
expect_ok ccm -C "$P" remote add origin "$HUB"
expect_ok ccm -C "$P" state set LAO status=signatory priority=low
expect_ok ccm -C "$P" sync
for who in "$N:Norway" "$M:Malawi"; do
    IFS=: read -r dir name <<<"$who"
    expect_ok ccm -C "$dir" join "$HUB" --member "$name" --no-passphrase
    expect_ok ccm -C "$P" member add "$OUT"
done
expect_ok ccm -C "$P" sync
expect_ok ccm -C "$N" sync
expect_ok ccm -C "$M" sync

# concurrent, offline: different fields and the same field
expect_ok ccm -C "$P" state set LAO region=Asia
expect_ok ccm -C "$N" state set LAO priority=high
expect_ok ccm -C "$M" state set LAO next_step=call targets+=ccw
expect_ok ccm -C "$N" sync
expect_ok ccm -C "$M" sync # a merge with Norway's
expect_ok ccm -C "$P" sync # a three-way merge
expect_ok ccm -C "$N" sync
expect_ok ccm -C "$M" sync
check "the hub's history holds merges" test "$(git --git-dir="$HUB" rev-list --merges --count main)" -ge 2

run ccm -C "$N" --json log LAO
expect_eq "$RC" 0 "log after the merges"
expect_json 'all(set(e) == {"commit","member","at","record","field","old","new"} for e in d)' \
    "log entries have the documented shape"
expect_json '[(e["member"], e["field"], e["old"], e["new"]) for e in d if e["field"] == "priority"] == [("Norway", "priority", "low", "high"), ("Peru", "priority", None, "low")]' \
    "priority: Norway low -> high, once, then Peru's creation"
expect_json '[(e["member"], e["old"], e["new"]) for e in d if e["field"] == "region"] == [("Peru", None, "Asia")]' \
    "region: Peru's change, once"
expect_json '[(e["member"], e["old"], e["new"]) for e in d if e["field"] == "next_step"] == [("Malawi", None, "call")]' \
    "next_step: Malawi's change, once"
expect_json '[(e["member"], e["new"]) for e in d if e["field"] == "targets"] == [("Malawi", ["ccw"])]' \
    "targets: Malawi's addition"
LOGN=$OUT
run ccm -C "$P" --json log LAO
expect_eq "$OUT" "$LOGN" "every replica reports the same audit trail"
run ccm -C "$P" --json log --member Malawi
expect_json 'd and all(e["member"] == "Malawi" for e in d)' "log --member filters"
run ccm -C "$M" --json blame LAO
expect_json 'd["fields"]["priority"]["by"] == "Norway" and d["fields"]["priority"]["value"] == "high" and d["fields"]["region"]["by"] == "Peru" and d["fields"]["next_step"]["by"] == "Malawi" and d["fields"]["status"]["by"] == "Peru"' \
    "blame names the member of every value that holds"

# clock skew: Malawi's clock is two days ahead
expect_ok env CCMSYNC_CLOCK_OFFSET=172800 "$CCMSYNC_BIN" -C "$M" state set LAO priority=medium
expect_ok env CCMSYNC_CLOCK_OFFSET=172800 "$CCMSYNC_BIN" -C "$M" sync
run ccm -C "$P" sync
expect_eq "$RC" 0 "a change stamped in the future is accepted"
expect_contains "$ERR" "ccmsync: warning:" "sync warns about it"
expect_contains "$ERR" "ahead of this machine's clock"
expect_contains "$ERR" "Malawi"
run ccm -C "$P" --json state show LAO
expect_json 'd["fields"]["priority"] == "medium"' "the future-stamped value is taken"
run ccm -C "$P" verify
expect_eq "$RC" 0 "verify passes"
expect_contains "$ERR" "ahead of this machine's clock" "verify warns too"
run ccm -C "$P" --json verify
expect_json 'd["ok"] is True and len(d["warnings"]) >= 1' "verify --json lists the warnings"
run ccm -C "$N" --json sync
expect_json 'd["warnings"] and d["incoming"] >= 1' "sync --json lists the warnings"
done_testing
