#!/usr/bin/env bash
# t_trust_removal.sh - trust by effect, removals (strong removal, decided
# from the history alone), continued from t_trust_membership.sh:
#   - a removed editor's concurrent genuine commits (Malawi, before his
#     removal reached him, one dated a day before it): left out, with the
#     sync's message; what his commits superseded or removed comes back;
#     honest edits made on top of them, or merged by him, stay; his edit
#     the removal saw stays; he cannot read what follows;
#   - concurrent self-removals of the last two admins: the group keeps one
#     (the founder's removal is dropped); when the admin whose removal
#     stands syncs last, she pushes nothing (exit 3) and no one is blocked;
#   - after a removal, log leaves out the changes that did not take effect,
#     and activity list prints no "(null)";
#   - a mutual removal of admins where an honest member wrote on the losing
#     side under a key the winner never held: the winner leaves its history
#     on the hub and the honest member merges it.
# For each, what honest members see: member list, --json state show (values
# and who is named), whether the removed can read, that exports agree and
# that a later edit still propagates through the same hub.
. "$(dirname "$0")/lib.sh"
unset CCMSYNC_PASSPHRASE # every store here is made with --no-passphrase

HUB="$T/hub.git"
P="$T/peru" IQ="$T/iraq" N="$T/norway" M="$T/malawi"
expect_ok ccm -C "$P" init --member Peru --no-passphrase
expect_ok ccm -C "$P" remote add origin "$HUB" # created by the first sync
expect_ok ccm -C "$P" state set LAO status=signatory priority=high region=Asia next_step=visit
expect_ok ccm -C "$P" sync
add_member "$P" "$HUB" "$IQ" Iraq admin
add_member "$P" "$HUB" "$N" Norway
add_member "$P" "$HUB" "$M" Malawi
ALL=("$P" "$IQ" "$N" "$M")
for s in "${ALL[@]}"; do expect_ok ccm -C "$s" sync; done

# show STORE REC EXPR WHAT : `--json state show REC` on STORE satisfies EXPR.
show() {
    run ccm -C "$1" --json state show "$2"
    expect_json "$3" "$4"
}

# roster_is STORE LIST WHAT : STORE's `member list` as sorted (name, role,
# removed?) tuples is LIST (a python literal).
roster_is() {
    run ccm -C "$1" --json member list
    expect_json "sorted((m[\"name\"], m[\"role\"], m[\"removed\"] is not None) for m in d) == $2" "$3"
}

# ---- a removed editor's concurrent commits, with honest edits on top ------------------------------

expect_ok ccm -C "$M" state set LAO survey_reasons+=cost # seen by Peru before he removes Malawi
expect_ok ccm -C "$M" sync
expect_ok ccm -C "$P" state set LAO lead+=Peru
expect_ok ccm -C "$P" sync
expect_ok ccm -C "$M" sync
expect_ok ccm -C "$P" member remove Malawi # not synced yet
RM_MALAWI=$(head_of "$P")
# Dated a day before the removal: dates change nothing.
CCMSYNC_CLOCK_OFFSET=-86400 expect_ok ccm -C "$M" state set LAO priority=medium next_step=malawi-step
check "(editor) Malawi's commit is dated before the removal" \
    test "$(git --git-dir="$M/repo" log -1 --format=%ct main)" -lt \
    "$(git --git-dir="$P/repo" log -1 --format=%ct "$RM_MALAWI")"
expect_ok ccm -C "$M" state set LAO targets+=ccw lead-=Peru
expect_ok ccm -C "$M" activity add --type survey --date 2025-03-03 states=LAO summary=malawi-survey
MACT=$OUT
expect_ok ccm -C "$N" state set LAO region=Indochina # Norway's, merged by Malawi
expect_ok ccm -C "$N" sync
expect_ok ccm -C "$M" sync
check "(editor) Malawi's sync made a merge of Norway's commit" \
    test "$(git --git-dir="$M/repo" rev-list --parents -n 1 main | wc -w)" -eq 3
M_SIDE=$(head_of "$M")
expect_ok ccm -C "$N" sync
expect_ok ccm -C "$N" state set LAO next_step=norway-over-malawi
expect_ok ccm -C "$N" activity set "$MACT" outcome=norway-outcome
expect_ok ccm -C "$N" sync
expect_ok ccm -C "$P" sync
expect_contains "$OUT" "3 commits by Malawi after their removal were not applied" \
    "(editor) Peru's sync says what it left out"
for s in "$N" "$IQ" "$M" "$P"; do expect_ok ccm -C "$s" sync; done
for s in "$P" "$N"; do
    show "$s" LAO 'd["fields"]["priority"] == "high" and d["meta"]["priority"]["by"] == "Peru" and d["fields"]["next_step"] == "norway-over-malawi" and d["meta"]["next_step"]["by"] == "Norway" and "targets" not in d["fields"] and d["conflicts"] == {} and d["fields"]["survey_reasons"] == ["cost"] and d["meta"]["survey_reasons"]["by"] == "Malawi" and d["fields"]["lead"] == ["Peru"] and d["fields"]["region"] == "Indochina" and d["meta"]["region"]["by"] == "Norway"' \
        "(editor) $(basename "$s"): Malawi's values after his removal gone (his earlier one stays), what he replaced or removed back, Norway's edits kept (the one he merged, the one on top)"
    run ccm -C "$s" --json activity show "$MACT"
    expect_json 'd["fields"] == {"outcome": "norway-outcome"} and d["meta"]["outcome"]["by"] == "Norway"' \
        "(editor) $(basename "$s"): of the activity Malawi created, only Norway's edit stands"
done
# Malawi's store stays as it was before his removal reached it; his sync
# says why, and nothing the group wrote since reaches it.
expect_ok ccm -C "$M" sync
expect_contains "$ERR" "'Malawi' is removed from the group (by Peru)" "(editor) Malawi's sync says he is removed"
check "(editor) Malawi's store does not take the group's history past his removal" \
    bash -c "! git --git-dir='$M/repo' merge-base --is-ancestor '$(hub_tip "$HUB")' main"
same_exports "$P" "$N"

# ---- the group carries on --------------------------------------------------------------------------------

expect_ok ccm -C "$N" state set LAO next_step=carry-on
expect_ok ccm -C "$N" sync
expect_ok ccm -C "$P" sync
show "$P" LAO 'd["fields"]["next_step"] == "carry-on" and d["meta"]["next_step"]["by"] == "Norway"' \
    "a later edit by Norway reaches Peru through the same hub"
for s in "$P" "$N"; do expect_ok ccm -C "$s" verify; done
roster_is "$P" '[("Iraq", "admin", False), ("Malawi", "editor", True), ("Norway", "editor", False), ("Peru", "admin", False)]' \
    "the roster: Malawi removed, Peru and Iraq admins"

# ---- concurrent self-removals of the last two admins ------------------------------------------------
# Peru and Iraq, the only admins left, each remove themselves (each allowed:
# the other is still an admin). Both removals together would leave no
# admin: the removal of the most senior admin (Peru, the founder) is
# dropped, Iraq's stands, and nothing else changes.

for s in "$P" "$IQ" "$N"; do expect_ok ccm -C "$s" sync; done
expect_ok ccm -C "$P" member remove Peru
expect_ok ccm -C "$IQ" member remove Iraq
expect_ok ccm -C "$IQ" sync
expect_ok ccm -C "$P" sync
expect_not_contains "$OUT" "by Peru" "(self-removals) nothing of Peru's is left out"
expect_not_contains "$OUT" "by Iraq" "(self-removals) nothing of Iraq's is left out"
for s in "$N" "$P" "$IQ"; do expect_ok ccm -C "$s" sync; done
for s in "$P" "$N"; do
    roster_is "$s" '[("Iraq", "admin", True), ("Malawi", "editor", True), ("Norway", "editor", False), ("Peru", "admin", False)]' \
        "(self-removals) $(basename "$s"): Peru, the founder, stays the admin; Iraq's removal stands"
    run ccm -C "$s" --json status
    expect_json 'd["epoch"] == 3' "(self-removals) $(basename "$s"): the key epoch of Iraq's removal"
    show "$s" LAO 'd["fields"]["status"] == "signatory" and d["meta"]["status"]["by"] == "Peru" and d["fields"]["next_step"] == "carry-on" and d["meta"]["next_step"]["by"] == "Norway"' \
        "(self-removals) $(basename "$s"): every record as it was"
done
expect_ok ccm -C "$P" state set LAO next_step=peru-still-admin
expect_ok ccm -C "$P" sync
expect_ok ccm -C "$N" sync
show "$N" LAO 'd["fields"]["next_step"] == "peru-still-admin" and d["meta"]["next_step"]["by"] == "Peru"' \
    "(self-removals) Peru writes on"
expect_exit 3 ccm -C "$IQ" state show LAO
same_exports "$P" "$N"

# The same, when the admin whose removal stands syncs last (a group of its
# own: A founds it, B is the other admin, C an editor). B's merge of the two
# removals removes B: she cannot sign it (every member would refuse a merge
# by someone it removes), so her sync pushes nothing and says why (exit 3),
# and the others keep syncing without a refusal.
GA="$T/g2-a" GB="$T/g2-b" GC="$T/g2-c" HUB2="$T/hub2.git"
expect_ok ccm -C "$GA" init --member Amina --no-passphrase
expect_ok ccm -C "$GA" remote add origin "$HUB2"
expect_ok ccm -C "$GA" state set NOR status=party
expect_ok ccm -C "$GA" sync
add_member "$GA" "$HUB2" "$GB" Bruno admin
add_member "$GA" "$HUB2" "$GC" Chen
for s in "$GA" "$GB" "$GC"; do expect_ok ccm -C "$s" sync; done
expect_ok ccm -C "$GA" member remove Amina
expect_ok ccm -C "$GB" member remove Bruno
expect_ok ccm -C "$GA" sync
A_TIP=$(hub_tip "$HUB2")
expect_exit 3 ccm -C "$GB" sync
expect_stderr_one_line "Bruno" "removed"
expect_eq "$(hub_tip "$HUB2")" "$A_TIP" "(self-removals, B last) B's sync pushes nothing"
expect_ok ccm -C "$GC" sync
expect_not_contains "$ERR" "refused" "(self-removals, B last) C's sync refuses nothing"
expect_ok ccm -C "$GC" state set NOR priority=high
expect_ok ccm -C "$GC" sync
expect_ok ccm -C "$GC" verify

# ---- what the log and lists show after a removal ----------------------------------------------

# `log` lists the changes that took effect: not those of commits left out
# (Malawi's, after his removal), which would read "Malawi LAO targets - ->
# [ccw]" while LAO has no target and no line says it went away.
LEFT_OUT=$(git --git-dir="$P/repo" rev-list --no-merges --author=Malawi "$M_SIDE" "^$RM_MALAWI" | tr '\n' ' ')
expect_eq "$(wc -w <<<"$LEFT_OUT")" 3 "Malawi's three left-out commits are in the history"
run ccm -C "$P" --json log LAO
expect_json 'not [e for e in d if e["commit"] in "'"$LEFT_OUT"'".split()] and [e for e in d if e["member"] == "Malawi"]' \
    "(editor) log leaves out the left-out commits' changes (and keeps Malawi's earlier ones)"
# An activity whose creation was left out but that an honest member edited
# has no type and date; `activity list` must not print "(null)" for them.
expect_ok ccm -C "$P" activity list
expect_not_contains "$OUT" "(null)" "(editor) activity list prints no (null)"

# An admin (CMC) removes Peru (a key epoch sealed to everyone but Peru)
# while Peru removes CMC; CMC's side reaches the hub first and Norway,
# following it, writes (sealed under CMC's epoch). Peru's removal stands
# (the founder's), so the merge must seal Norway's edit again under the
# epoch that stands; but Peru never held the key it was sealed under, and
# cannot make that merge. Its sync says so (exit 3) and leaves its history
# on the hub (refs/ccmsync/pending/Peru); Norway, who holds both keys,
# merges it at its next sync, and Peru then follows.
CMC="$T/cmc"
add_member "$P" "$HUB" "$CMC" CMC admin
for s in "$P" "$CMC" "$N"; do expect_ok ccm -C "$s" sync; done
expect_ok ccm -C "$CMC" member remove Peru
expect_ok ccm -C "$P" member remove CMC
expect_ok ccm -C "$CMC" sync
expect_ok ccm -C "$N" sync
expect_ok ccm -C "$N" state set LAO region=Mekong
expect_ok ccm -C "$N" sync
CMC_TIP=$(hub_tip "$HUB")
expect_exit 3 ccm -C "$P" sync
expect_stderr_one_line "never held" "left on remote 'origin'"
expect_eq "$(hub_tip "$HUB")" "$CMC_TIP" "(mutual, written on) Peru's sync leaves the hub's branch alone"
expect_eq "$(git --git-dir="$HUB" rev-parse refs/ccmsync/pending/Peru)" "$(head_of "$P")" \
    "(mutual, written on) Peru's history is left on the hub"
expect_ok ccm -C "$N" sync
expect_contains "$OUT" "merged the history Peru left on origin" \
    "(mutual, written on) Norway's sync merges the history Peru left"
expect_contains "$OUT" "1 commit by CMC after their removal was not applied" \
    "(mutual, written on) Norway's merge leaves CMC's removal of Peru out"
expect_ok ccm -C "$P" sync
check "(mutual, written on) Peru's sync deletes the history it left, now merged" \
    test -z "$(git --git-dir="$HUB" for-each-ref refs/ccmsync/pending)"
for s in "$N" "$P"; do
    expect_ok ccm -C "$s" sync
    roster_is "$s" '[("CMC", "admin", True), ("Iraq", "admin", True), ("Malawi", "editor", True), ("Norway", "editor", False), ("Peru", "admin", False)]' \
        "(mutual, written on) $(basename "$s"): the founder's removal stands"
    show "$s" LAO 'd["fields"]["region"] == "Mekong" and d["meta"]["region"]["by"] == "Norway"' \
        "(mutual, written on) $(basename "$s"): Norway's edit made on the losing side is kept"
done
same_exports "$P" "$N"

done_testing
