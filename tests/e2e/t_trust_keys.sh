#!/usr/bin/env bash
# t_trust_keys.sh - trust by effect, sealed group keys: commits forged with
# a member's own keys (ccmforge) that touch keys/ are refused by every
# honest replica, and what the honest members then see is checked.
#   - attack 3, any editor locks anyone out: an editor's commit replacing
#     Peru's sealed key with garbage, a symlink or a plaintext file, or a
#     merge doing the same: refused; an admin replacing a sealed key, or
#     starting a key epoch without a removal: refused. Peru still reads,
#     writes, verifies, and removes the editor in the end;
#   - notes: a non-recipient adding himself to a note's recipients, a
#     recipient who is not the author moving the note, a recipient removing
#     another: refused; the note stays unreadable to non-recipients;
#   - attack 1, a removed editor keeps reading: from a copy of his store
#     made before his removal, Malawi commits an edit, then a merge of it and
#     the hub's tip, dated an hour before his removal, whose tree replaces
#     the new epoch's sealed keys with a key of his own sealed to everyone:
#     refused; his edit (a valid commit, concurrent with his removal) is
#     taken but not applied, and sync says so; a key epoch of his own on his
#     own pre-removal history: refused. What the group writes afterwards he
#     cannot open, neither with his old store nor with his synced one
#     (ccmforge read: any key his store ever held).
# Afterwards the honest members still sync through that hub.
. "$(dirname "$0")/lib.sh"
unset CCMSYNC_PASSPHRASE # every store here is made with --no-passphrase

HUB="$T/hub.git"
P="$T/peru" I="$T/isu" N="$T/norway" M="$T/malawi"
expect_ok ccm -C "$P" init --member Peru --no-passphrase
expect_ok ccm -C "$P" remote add origin "$HUB" # created by the first sync
expect_ok ccm -C "$P" state set LAO status=signatory priority=high region=Asia
expect_ok ccm -C "$P" sync
add_member "$P" "$HUB" "$I" ISU admin
add_member "$P" "$HUB" "$N" Norway
add_member "$P" "$HUB" "$M" Malawi
for s in "$I" "$N" "$M" "$P"; do expect_ok ccm -C "$s" sync; done

# attack WHAT FORGER VICTIM REASON FORGE-ARGS... : FORGER forges a commit on
# the hub's tip (`ccmforge FORGER CMD TIP ARGS...`), puts it on the hub;
# VICTIM refuses it for REASON (records unchanged unless CMD is a merge,
# whose valid parents are taken).
attack() {
    local what=$1 forger=$2 victim=$3 reason=$4 cmd=$5 x keeps=()
    shift 5
    x=$(forge "$forger" "$cmd" "$(hub_tip "$HUB")" "$@")
    hub_set "$HUB" "$x" "$forger"
    [[ "$cmd" != merge ]] || keeps=(--keeps)
    expect_refused "${keeps[@]}" "$what" "$HUB" "$x" "$victim" "$reason"
}

# peru_can_work WHAT : Peru reads LAO, writes to it and verifies.
peru_can_work() {
    expect_ok ccm -C "$P" state show LAO
    expect_ok ccm -C "$P" state set LAO "next_step=$1"
    expect_ok ccm -C "$P" verify
    expect_ok ccm -C "$P" sync
}

# ---- attack 3: sealed keys tampered with --------------------------------------------------

for how in garbage symlink plain; do
    attack "(3) Norway replaces Peru's sealed key: $how" "$N" "$P" "without being an admin" \
        keys "$how" Peru
done
peru_can_work after-editor-key-tampering
expect_ok ccm -C "$N" sync
expect_ok ccm -C "$N" state set LAO region=Asia-Pacific # not pushed yet
attack "(3) Norway's merge replacing Peru's sealed key with garbage" "$N" "$P" \
    "merge changes the sealed keys" merge "$(head_of "$N")" --keys-garbage Peru
run ccm -C "$P" --json state show LAO
expect_json 'd["fields"]["region"] == "Asia-Pacific" and d["meta"]["region"]["by"] == "Norway"' \
    "(3) the valid edit under Norway's refused merge is taken"
expect_ok ccm -C "$I" sync
for how in garbage symlink plain; do
    attack "(3) the admin ISU replaces Norway's sealed key: $how" "$I" "$N" \
        "keys/1/Norway was replaced or removed" keys "$how" Norway
done
expect_ok ccm -C "$M" sync
attack "(3) the admin ISU starts a key epoch of his own, removing no one" "$I" "$M" \
    "membership changes in one commit" rotate
peru_can_work after-admin-key-tampering
for s in "$I" "$N" "$M"; do
    expect_ok ccm -C "$s" sync
    expect_ok ccm -C "$s" state show LAO
done
run ccm -C "$N" --json state show LAO
expect_json 'd["fields"]["next_step"] == "after-admin-key-tampering"' "(3) Norway reads what Peru wrote"

# ---- notes: who may read, share and change them ----------------------------------------------------

expect_ok ccm -C "$P" note add --on LAO --to Norway --title Sensitive <<<"for Peru and Norway only"
NOTE=$(ccm -C "$P" --json note list | python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["id"])')
expect_ok ccm -C "$P" sync
for s in "$N" "$M" "$I"; do expect_ok ccm -C "$s" sync; done
attack "(notes) Malawi adds himself to a note's recipients" "$M" "$P" \
    "'Malawi' shared a note they are not a recipient of" record note "$NOTE" --add to=Malawi
attack "(notes) Norway, a recipient, moves the note to another state" "$N" "$I" \
    "only the note's author may change it" record note "$NOTE" --set on=state:KHM
attack "(notes) Norway, a recipient, removes Peru from the recipients" "$N" "$M" \
    "recipients are never removed" record note "$NOTE" --remove to=Peru
expect_exit 3 ccm -C "$M" note show "$NOTE"
run ccm -C "$M" --json note list
expect_json 'not any("title" in x.get("fields", {}) for x in d)' "(notes) Malawi's note list shows no title"
expect_ok ccm -C "$M" note list
expect_not_contains "$OUT" "Sensitive" "(notes) nor does it in human output"
expect_ok ccm -C "$N" note show "$NOTE"
expect_contains "$OUT" "for Peru and Norway only" "(notes) Norway reads the note"
for s in "$P" "$I" "$N" "$M"; do expect_ok ccm -C "$s" sync; done

# ---- attack 1: a removed editor's backdated merge with a key of his own -------------------------

MOLD="$T/malawi-before-removal"
cp -a "$M" "$MOLD"
expect_ok ccm -C "$MOLD" state set LAO next_step=malawi-offline survey_comment=malawi-offline
OLD=$(head_of "$MOLD")
expect_ok ccm -C "$P" member remove Malawi
expect_ok ccm -C "$P" sync
REMOVAL=$(head_of "$P")
for s in "$I" "$N"; do expect_ok ccm -C "$s" sync; done
run ccm -C "$N" --json status
expect_json 'd["epoch"] == 2 and d["members"]["Malawi"]["removed"] is True' "(1) Norway holds key epoch 2, Malawi removed"

git --git-dir="$MOLD/repo" fetch -q "$HUB" "+main:refs/e2e/hub"
X=$(CCMSYNC_CLOCK_OFFSET=-3600 forge "$MOLD" merge "$REMOVAL" "$OLD" --rotate)
check "(1) the forged merge is dated before the removal" \
    test "$(git --git-dir="$MOLD/repo" log -1 --format=%ct "$X")" -lt \
    "$(git --git-dir="$P/repo" log -1 --format=%ct "$REMOVAL")"
check "(1) its tree seals a key of Malawi's own to Malawi" \
    git --git-dir="$MOLD/repo" cat-file -e "$X:keys/2/Malawi"
hub_set "$HUB" "$X" "$MOLD"
expect_refused "(1) Malawi's backdated merge with a key of his own" "$HUB" "$X" "$N" \
    "by Malawi" "merge changes the membership"
expect_eq "$REFUSED_OUT" "1 commit by Malawi after their removal was not applied" \
    "(1) Malawi's offline edit, concurrent with his removal, is taken but not applied"
check "(1) Malawi's offline edit is in Norway's history" \
    git --git-dir="$N/repo" merge-base --is-ancestor "$OLD" main
run ccm -C "$N" --json state show LAO
expect_json 'd["fields"]["next_step"] == "after-admin-key-tampering" and "survey_comment" not in d["fields"] and d["meta"]["next_step"]["by"] == "Peru"' \
    "(1) nothing of Malawi's after his removal is applied"
run ccm -C "$N" --json status
expect_json 'd["epoch"] == 2' "(1) Norway's key epoch is still the removal's"
check "(1) the hub holds no key of Malawi's for epoch 2" \
    test -z "$(git --git-dir="$HUB" ls-tree main keys/2/Malawi)"

# His own key epoch on his own pre-removal history: he was never an admin.
X2=$(forge "$MOLD" rotate "$OLD")
hub_set "$HUB" "$X2" "$MOLD"
run ccm -C "$I" sync
expect_eq "$RC" 4 "(1) a key epoch of Malawi's own is refused"
expect_contains "$ERR" "commit $X2 by Malawi refused: 'Malawi' changed the membership without being an admin"
expect_contains "$OUT" "1 commit by Malawi after their removal was not applied"
expect_eq "$(hub_tip "$HUB")" "$(head_of "$I")" "(1) the hub holds ISU's history again"
# A commit he signs on the group's history after his removal.
git --git-dir="$MOLD/repo" fetch -q "$HUB" "+main:refs/e2e/hub"
attack "(1) Malawi's commit on the history that removed him" "$MOLD" "$P" "after their removal" \
    record state LAO --set next_step=still-here --epoch 1

# The group writes on; Malawi cannot open it, with any key he ever held.
for s in "$P" "$I" "$N"; do expect_ok ccm -C "$s" sync; done
expect_ok ccm -C "$N" state set NOR status=party priority=low next_step=after-malawi
expect_ok ccm -C "$N" state set LAO next_step=after-malawi
expect_ok ccm -C "$N" sync
for s in "$P" "$I"; do expect_ok ccm -C "$s" sync; done
TIP=$(hub_tip "$HUB")
git --git-dir="$MOLD/repo" fetch -q "$HUB" "+main:refs/e2e/hub"
for rec in NOR LAO; do
    expect_exit 3 forge "$MOLD" read "$TIP" state "$rec"
    expect_contains "$ERR" "sealed under key epoch 2" "(1) Malawi's old store cannot open $rec as the group wrote it"
done
expect_exit 0 forge "$MOLD" read "$OLD" state LAO
expect_contains "$OUT" '"v":"malawi-offline"' "(control) his old store reads what it could before"
expect_ok ccm -C "$M" sync
expect_contains "$ERR" "'Malawi' is removed from the group (by Peru)" "(1) Malawi's sync says he is removed"
run ccm -C "$M" --json export
expect_not_contains "$OUT" "after-malawi" "(1) Malawi's store holds nothing the group wrote after his removal"
for rec in NOR LAO; do
    expect_exit 3 forge "$M" read "$TIP" state "$rec"
done
for s in "$P" "$I"; do
    run ccm -C "$s" --json state show NOR
    expect_json 'd["fields"]["next_step"] == "after-malawi" and d["meta"]["next_step"]["by"] == "Norway"' \
        "(1) $(basename "$s") reads what Norway wrote after the removal"
done

# ---- the editor who tampered is removed; the group carries on ----------------------------------

expect_ok ccm -C "$P" member remove Norway
expect_ok ccm -C "$P" sync
expect_ok ccm -C "$I" sync
expect_ok ccm -C "$I" state set LAO next_step=without-norway
expect_ok ccm -C "$I" sync
expect_ok ccm -C "$P" sync
expect_ok ccm -C "$N" sync
TIP=$(hub_tip "$HUB")
expect_exit 3 forge "$N" read "$TIP" state LAO
expect_contains "$ERR" "sealed under key epoch 3" "Norway, removed, cannot open what ISU wrote after"
run ccm -C "$P" --json state show LAO
expect_json 'd["fields"]["next_step"] == "without-norway" and d["meta"]["next_step"]["by"] == "ISU"' \
    "Peru reads what ISU wrote"
run ccm -C "$P" --json member list
expect_json 'sorted((m["name"], m["role"], m["removed"] is not None) for m in d) == [("ISU", "admin", False), ("Malawi", "editor", True), ("Norway", "editor", True), ("Peru", "admin", False)]' \
    "the roster: the two removals, nothing else"
for s in "$P" "$I"; do expect_ok ccm -C "$s" verify; done
same_exports "$P" "$I"
run ccm -C "$I" --json status
expect_json 'd["epoch"] == 3' "ISU holds key epoch 3"

done_testing
