#!/usr/bin/env bash
# t_trust_membership.sh - trust by effect, membership: removal is causal
# ("strong remove"), decided from the history alone, so every honest
# replica ends with the same roster and records whatever the order of its
# syncs, and a removed member can neither take the group over nor keep
# effects of his own in it.
#   - attack 2, a removed admin takes the group over, by his genuine commits
#     made before he saw his removal: ISU, removed by Peru, concurrently
#     adds a puppet admin, who removes Peru; both write. Members who saw
#     only their side follow it meanwhile; once the removal meets them,
#     ISU's and the puppet's commits are left out ("N commits by ISU after
#     their removal were not applied"), the puppet never was a member, and
#     cannot open anything with any key it held, Peru is an admin again;
#   - attack 2, by forged merges: from a copy of his store made before his
#     removal, ISU commits merges of his old tip and the hub's, dated an
#     hour before the removal, that mark Peru removed or promote an editor:
#     refused, as is any commit he signs on the history that removed him;
#   - re-adding a removed member: a forged roster making ISU active again
#     (refused), the command line's join and member add (refused);
#   - concurrent mutual removal of two admins: Peru and Philippines remove
#     each other while each writes, Philippines's side reaching the hub
#     first; the founder's removal stands, Philippines's concurrent work is
#     left out, members who followed her side meanwhile converge with the
#     others, and log and blame still work;
# For each, what honest members see: member list, --json state show (values
# and who is named), whether the removed can read, that exports agree and
# that a later edit still propagates through the same hub.
# (Removals of editors, self-removals and the known bugs: t_trust_removal.sh.)
. "$(dirname "$0")/lib.sh"
unset CCMSYNC_PASSPHRASE # every store here is made with --no-passphrase

HUB="$T/hub.git"
P="$T/peru" I="$T/isu" PH="$T/philippines" N="$T/norway" M="$T/malawi" PUP="$T/puppet"
expect_ok ccm -C "$P" init --member Peru --no-passphrase
expect_ok ccm -C "$P" remote add origin "$HUB" # created by the first sync
expect_ok ccm -C "$P" state set LAO status=signatory priority=high region=Asia next_step=visit
expect_ok ccm -C "$P" sync
add_member "$P" "$HUB" "$I" ISU admin
add_member "$P" "$HUB" "$PH" Philippines admin
add_member "$P" "$HUB" "$N" Norway
add_member "$P" "$HUB" "$M" Malawi
ALL=("$P" "$I" "$PH" "$N" "$M")
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

# ---- attack 2: a removed admin's concurrent puppet admin ---------------------------------------

IOLD="$T/isu-before-removal"
cp -a "$I" "$IOLD" # for the forged merges below
expect_ok ccm -C "$P" member remove ISU # not synced yet: ISU does not see it
REMOVAL=$(head_of "$P")
expect_ok ccm -C "$PUP" join "$HUB" --member Puppet --no-passphrase
expect_ok ccm -C "$I" member add "$OUT" --role admin
expect_ok ccm -C "$I" state set LAO next_step=isu-takes-over
expect_ok ccm -C "$I" sync
expect_ok ccm -C "$PUP" sync
expect_contains "$OUT" "admitted" "the puppet is admitted on ISU's side"
expect_ok ccm -C "$PUP" member remove Peru
expect_ok ccm -C "$PUP" state set LAO priority=low
expect_ok ccm -C "$PUP" sync
# Norway sees only that side for now. (Writing on it too: see the last
# section.)
expect_ok ccm -C "$N" sync
roster_is "$N" '[("ISU", "admin", False), ("Malawi", "editor", False), ("Norway", "editor", False), ("Peru", "admin", True), ("Philippines", "admin", False), ("Puppet", "admin", False)]' \
    "(2) before meeting the removal, Norway follows ISU's side"
show "$N" LAO 'd["fields"]["next_step"] == "isu-takes-over" and d["fields"]["priority"] == "low"' \
    "(2) Norway reads ISU's side meanwhile"
# The removal meets ISU's side.
expect_ok ccm -C "$P" --json sync
# Peru cannot read the puppet's key: it does not build on that side, whose
# late commits are left out, and replaces the hub's tip with its history;
# the members who can read both sides merge them (below).
expect_json 'd["left_out"] == {"ISU": 2, "Puppet": 2} and d["merged"] is False and d["pushed"] is True and any("not applied" in w for w in d["warnings"])' \
    "(2) Peru's sync leaves out ISU's two commits after his removal and the puppet's two"
expect_ok ccm -C "$P" sync
for s in "$N" "$M" "$PH"; do
    expect_ok ccm -C "$s" sync
    roster_is "$s" '[("ISU", "admin", True), ("Malawi", "editor", False), ("Norway", "editor", False), ("Peru", "admin", False), ("Philippines", "admin", False)]' \
        "(2) $(basename "$s"): ISU removed, no puppet, Peru an admin again"
    show "$s" LAO 'd["fields"]["next_step"] == "visit" and d["meta"]["next_step"]["by"] == "Peru" and d["fields"]["priority"] == "high" and d["meta"]["priority"]["by"] == "Peru" and d["conflicts"] == {}' \
        "(2) $(basename "$s"): ISU's and the puppet's values gone, Peru's back"
done
PUP_SIDE=$(head_of "$PUP") # the puppet's side, with every key it ever held
for s in "$I" "$PUP"; do
    expect_ok ccm -C "$s" sync
    expect_contains "$ERR" "$([[ "$s" == "$I" ]] && echo "'ISU' is removed from the group (by Peru)" || echo "'Puppet' is not a member of the group in the remote's history")" \
        "(2) $(basename "$s")'s sync says it is out of the group"
    check "(2) $(basename "$s") does not take the group's history past its removal" \
        bash -c "! git --git-dir='$s/repo' merge-base --is-ancestor '$(hub_tip "$HUB")' main"
done
expect_exit 0 forge "$PUP" read "$PUP_SIDE" state LAO
expect_contains "$OUT" '"v":"isu-takes-over"' "(control) the puppet reads its own side"
expect_exit 3 forge "$PUP" read "$(hub_tip "$HUB")" state LAO --keys-from "$PUP_SIDE"
expect_contains "$ERR" "sealed under key epoch 2" \
    "(2) the puppet cannot open LAO as the group holds it, with any key it ever held"
expect_ok ccm -C "$P" state set LAO next_step=peru-is-admin
expect_ok ccm -C "$P" sync

# ---- attack 2: the removed admin's forged merges ---------------------------------------------------

for s in "${ALL[@]}"; do expect_ok ccm -C "$s" sync; done
git --git-dir="$IOLD/repo" fetch -q "$HUB" "+main:refs/e2e/hub"
TIP=$(hub_tip "$HUB")
X=$(CCMSYNC_CLOCK_OFFSET=-3600 forge "$IOLD" merge "$TIP" "$(head_of "$IOLD")" --remove Peru)
check "(2) the forged merge is dated before the removal" \
    test "$(git --git-dir="$IOLD/repo" log -1 --format=%ct "$X")" -lt \
    "$(git --git-dir="$P/repo" log -1 --format=%ct "$REMOVAL")"
hub_set "$HUB" "$X" "$IOLD"
expect_refused --keeps "(2) ISU's backdated merge marking Peru removed" "$HUB" "$X" "$N" \
    "by ISU" "merge changes the membership"
X=$(CCMSYNC_CLOCK_OFFSET=-3600 forge "$IOLD" merge "$TIP" "$(head_of "$IOLD")" --promote Malawi)
hub_set "$HUB" "$X" "$IOLD"
expect_refused --keeps "(2) ISU's backdated merge promoting Malawi" "$HUB" "$X" "$M" \
    "by ISU" "merge changes the membership"
X=$(forge "$IOLD" roster "$TIP" remove Peru)
hub_set "$HUB" "$X" "$IOLD"
expect_refused "(2) ISU's roster change on the history that removed him" "$HUB" "$X" "$PH" \
    "by ISU" "after their removal"
for s in "$P" "$N" "$M" "$PH"; do
    expect_ok ccm -C "$s" sync
    roster_is "$s" '[("ISU", "admin", True), ("Malawi", "editor", False), ("Norway", "editor", False), ("Peru", "admin", False), ("Philippines", "admin", False)]' \
        "(2) after the forged merges, $(basename "$s")'s roster is unchanged"
done

# ---- re-adding a removed member -------------------------------------------------------------------------

X=$(forge "$P" roster "$(hub_tip "$HUB")" readd ISU)
hub_set "$HUB" "$X" "$P"
expect_refused "a forged roster making ISU active again" "$HUB" "$X" "$M" \
    "by Peru" "'ISU' is changed other than by a removal"
FP=$(store_fingerprint "$P")
expect_exit 2 ccm -C "$T/isu-again" join "$HUB" --member ISU --no-passphrase
expect_stderr_one_line "a member named 'ISU' is already in this group"
check "a refused join keeps no store" test ! -e "$T/isu-again"
expect_ok ccm -C "$I" whoami --request
expect_exit 2 ccm -C "$P" member add "$OUT" --role admin
expect_contains "$ERR" "'ISU' is already a member (removed)" "member add refuses the removed ISU's request"
expect_unchanged "$P" "$FP" "re-adding ISU wrote nothing"
roster_is "$M" '[("ISU", "admin", True), ("Malawi", "editor", False), ("Norway", "editor", False), ("Peru", "admin", False), ("Philippines", "admin", False)]' \
    "ISU stays removed"

# ---- concurrent mutual removal of two admins --------------------------------------------------------

for s in "$P" "$PH" "$N" "$M"; do expect_ok ccm -C "$s" sync; done
expect_ok ccm -C "$PH" member remove Peru
expect_ok ccm -C "$PH" state set LAO next_step=philippines-alone
expect_ok ccm -C "$PH" state set KHM status=signatory priority=medium
expect_ok ccm -C "$P" member remove Philippines
expect_ok ccm -C "$P" state set LAO survey_comment=peru-alone
expect_ok ccm -C "$PH" sync # Philippines's side reaches the hub first
expect_ok ccm -C "$M" sync  # Malawi follows it (writing on it: the last section)
roster_is "$M" '[("ISU", "admin", True), ("Malawi", "editor", False), ("Norway", "editor", False), ("Peru", "admin", True), ("Philippines", "admin", False)]' \
    "(mutual) Malawi first sees Peru removed by Philippines"
show "$M" KHM 'd["fields"]["status"] == "signatory"' "(mutual) Malawi reads Philippines's side meanwhile"
expect_ok ccm -C "$P" sync
expect_contains "$OUT" "3 commits by Philippines after their removal were not applied" \
    "(mutual) Peru's sync leaves out Philippines's removal of Peru and edits"
for s in "$N" "$M" "$P" "$PH"; do expect_ok ccm -C "$s" sync; done
for s in "$P" "$N" "$M"; do
    roster_is "$s" '[("ISU", "admin", True), ("Malawi", "editor", False), ("Norway", "editor", False), ("Peru", "admin", False), ("Philippines", "admin", True)]' \
        "(mutual) $(basename "$s"): the founder's removal stands, Peru is an admin"
    show "$s" LAO 'd["fields"]["next_step"] == "peru-is-admin" and d["meta"]["next_step"]["by"] == "Peru" and d["fields"]["survey_comment"] == "peru-alone" and d["meta"]["survey_comment"]["by"] == "Peru"' \
        "(mutual) $(basename "$s"): Peru's edits, none of Philippines's"
    expect_exit 1 ccm -C "$s" state show KHM
    # Philippines's left-out commits are sealed under her key epoch that
    # did not stand (Peru never held it): the audit trail still works.
    run ccm -C "$s" --json log LAO
    expect_json '[(e["member"], e["new"]) for e in d if e["field"] == "survey_comment"][0] == ("Peru", "peru-alone")' \
        "(mutual) $(basename "$s")'s log of LAO works and shows Peru's edit"
    run ccm -C "$s" --json blame LAO
    expect_json 'd["fields"]["survey_comment"]["by"] == "Peru"' "(mutual) $(basename "$s")'s blame of LAO works"
done
# Philippines's store stays on her side: nothing written since reaches it.
check "(mutual) Philippines's store does not take the group's history past her removal" \
    bash -c "! git --git-dir='$PH/repo' merge-base --is-ancestor '$(hub_tip "$HUB")' main"
run ccm -C "$PH" --json state show LAO
expect_json 'd["fields"].get("next_step") != "peru-is-admin"' "(mutual) Philippines does not read Peru's edits after her removal"
same_exports "$P" "$N" "$M"

# ---- the group carries on --------------------------------------------------------------------------------

expect_ok ccm -C "$N" state set LAO next_step=carry-on
expect_ok ccm -C "$N" sync
expect_ok ccm -C "$P" sync
show "$P" LAO 'd["fields"]["next_step"] == "carry-on" and d["meta"]["next_step"]["by"] == "Norway"' \
    "a later edit by Norway reaches Peru through the same hub"
for s in "$P" "$N"; do expect_ok ccm -C "$s" verify; done
roster_is "$P" '[("ISU", "admin", True), ("Malawi", "editor", False), ("Norway", "editor", False), ("Peru", "admin", False), ("Philippines", "admin", True)]' \
    "the roster: two removals, Peru the admin"

done_testing
