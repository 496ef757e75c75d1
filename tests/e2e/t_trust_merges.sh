#!/usr/bin/env bash
# t_trust_merges.sh - trust by effect, merges and forks: a merge commit is
# exactly the deterministic merge of its parents, and a member's forks of
# her own chain converge on every replica. An editor (Norway) forges with
# her own keys (ccmforge):
#   - a merge that drops a record, a merge adding an entry of its own, a
#     merge adding a record of its own: refused (the valid parent below is
#     taken); the record and values stay as the honest merge has them;
#   - a refused commit hidden below an honest-looking merge: both refused,
#     the other valid parent taken;
#   - forks of her own chain (her store copied to a second machine, both
#     writing; and two forged commits on one parent): every replica, in
#     either sync order, ends with the same export, both edits of different
#     fields kept, log naming Norway for both, the merge the same tree
#     whichever parent is first;
#   - equivocation, two commits by Norway on one parent with the same stamp
#     and different values of one field: accepted where each is alone,
#     merged the same way everywhere (same export, same tree in both
#     orders), the value shown named as Norway's;
#   - forks each within the limits whose merge is not (last: a known bug).
# Afterwards the honest members still sync through that hub.
. "$(dirname "$0")/lib.sh"
unset CCMSYNC_PASSPHRASE # every store here is made with --no-passphrase

HUB="$T/hub.git"
P="$T/peru" N="$T/norway" M="$T/malawi"
expect_ok ccm -C "$P" init --member Peru --no-passphrase
expect_ok ccm -C "$P" remote add origin "$HUB" # created by the first sync
expect_ok ccm -C "$P" state set LAO status=signatory priority=high region=Asia next_step=visit
expect_ok ccm -C "$P" activity add --type bilateral --date 2025-01-15 states=LAO summary=first-contact
ACT=$OUT
expect_ok ccm -C "$P" sync
add_member "$P" "$HUB" "$N" Norway
add_member "$P" "$HUB" "$M" Malawi
for s in "$N" "$M" "$P"; do expect_ok ccm -C "$s" sync; done

show() {
    run ccm -C "$1" --json state show "$2"
    expect_json "$3" "$4"
}

# fetch_hub STORE : the hub's main into STORE's repository (refs/e2e/hub),
# with plain git, as a forger prepares a merge without ccmsync's sync.
fetch_hub() {
    git --git-dir="$1/repo" fetch -q "$HUB" "+main:refs/e2e/hub"
}

# ---- merges that are not the merge of their parents --------------------------------------------

# Peru writes and syncs; Norway writes without syncing (each time anew),
# then forges a merge of the hub's tip and her own commit.
expect_ok ccm -C "$P" activity add --type embassy --date 2025-02-01 states=LAO summary=embassy-visit
ACT2=$OUT
expect_ok ccm -C "$P" sync

# merge_attack WHAT VICTIM MERGE-ARGS... : Norway's merge of the hub's tip
# and a new commit of hers, tampered with; refused by VICTIM, which takes
# her commit.
MERGES=0
merge_attack() {
    local what=$1 victim=$2 x
    shift 2
    MERGES=$((MERGES + 1))
    expect_ok ccm -C "$N" state set LAO "survey_comment=from-norway-$MERGES"
    NV=$(head_of "$N")
    fetch_hub "$N"
    TIP=$(hub_tip "$HUB")
    x=$(forge "$N" merge "$TIP" "$NV" "$@")
    expect_eq "$(git --git-dir="$N/repo" rev-list --parents -n 1 "$x")" "$x $TIP $NV" "$what: a merge of the tip and Norway's commit"
    hub_set "$HUB" "$x" "$N"
    expect_refused --keeps "$what" "$HUB" "$x" "$victim" "merge's records are not the merge of its parents'"
    check "$what: Norway's valid commit below is taken" \
        git --git-dir="$victim/repo" merge-base --is-ancestor "$NV" main
}
merge_attack "a merge that drops Peru's activity" "$M" --drop activity "$ACT2"
run ccm -C "$M" --json activity show "$ACT2"
expect_json 'd["fields"]["summary"] == "embassy-visit" and d["meta"]["summary"]["by"] == "Peru"' \
    "the dropped activity is still there for Malawi"
merge_attack "a merge adding an entry of its own" "$P" --add state LAO next_step from-the-merge
merge_attack "a merge adding a record of its own" "$M" --add state KHM status signatory
for s in "$P" "$M"; do
    expect_ok ccm -C "$s" sync
    show "$s" LAO 'd["fields"]["next_step"] == "visit" and d["meta"]["next_step"]["by"] == "Peru" and d["fields"]["survey_comment"] == "from-norway-3" and d["meta"]["survey_comment"]["by"] == "Norway"' \
        "$(basename "$s"): Norway's commits are in, nothing of her merges"
    expect_exit 1 ccm -C "$s" state show KHM
    run ccm -C "$s" --json activity list
    expect_json 'sorted(a["id"] for a in d) == sorted(["'"$ACT"'", "'"$ACT2"'"])' "$(basename "$s"): both of Peru's activities"
done

# A refused commit hidden below an honest merge: Norway's commit in Peru's
# name, and the true merge of it with Malawi's valid commit.
for s in "$N" "$M" "$P"; do expect_ok ccm -C "$s" sync; done
expect_ok ccm -C "$M" state set LAO priority=medium
MV=$(head_of "$M")
git --git-dir="$N/repo" fetch -q "$M/repo" "+main:refs/e2e/malawi"
BAD=$(forge "$N" record "$(hub_tip "$HUB")" state LAO --set next_step=in-peru-name --as Peru)
HM=$(forge "$N" merge "$MV" "$BAD")
hub_set "$HUB" "$HM" "$N"
expect_refused --keeps "an honest merge over a commit in Peru's name" "$HUB" "$BAD" "$P" \
    "attributed to 'Peru'"
check "the merge built on it is taken by no one" \
    test -z "$(git --git-dir="$P/repo" for-each-ref --contains "$HM")"
check "Malawi's valid commit is taken" git --git-dir="$P/repo" merge-base --is-ancestor "$MV" main
show "$P" LAO 'd["fields"]["priority"] == "medium" and d["meta"]["priority"]["by"] == "Malawi" and d["fields"]["next_step"] == "visit"' \
    "Peru: Malawi's edit, nothing in Peru's name"
for s in "$N" "$M" "$P"; do expect_ok ccm -C "$s" sync; done

# ---- forks of a member's own chain ---------------------------------------------------------------

# Norway's store copied to a second machine; both write; each reaches
# another member first.
N2="$T/norway-laptop"
cp -a "$N" "$N2"
expect_ok ccm -C "$N" state set LAO next_step=from-desktop last_contact=2025-04-01
expect_ok ccm -C "$N2" state set LAO next_step=from-laptop
expect_ok ccm -C "$N2" state set LAO targets+=apmbc
expect_ok ccm -C "$N" sync
expect_ok ccm -C "$P" sync
expect_ok ccm -C "$N2" sync # merges the desktop's commit with the laptop's
expect_ok ccm -C "$M" sync
expect_ok ccm -C "$P" sync
for s in "$N" "$N2" "$M"; do expect_ok ccm -C "$s" sync; done
same_exports "$P" "$M" "$N" "$N2"
show "$M" LAO 'd["fields"]["next_step"] == "from-laptop" and d["meta"]["next_step"]["by"] == "Norway" and d["fields"]["last_contact"] == "2025-04-01" and d["fields"]["targets"] == ["apmbc"] and d["conflicts"] == {}' \
    "(fork) the later of Norway's two values of next_step holds, her other edits too"
run ccm -C "$M" --json log LAO
expect_json 'sorted(e["new"] for e in d if e["field"] == "next_step" and e["member"] == "Norway") == ["from-desktop", "from-laptop"]' \
    "(fork) log names Norway for both machines' values"

# Two forged commits on one parent, different fields and stamps.
TIP=$(hub_tip "$HUB")
F1=$(forge "$N" record "$TIP" state LAO --set region=South-East-Asia)
F2=$(forge "$N" record "$TIP" state LAO --add targets=ccw)
hub_set "$HUB" "$F1" "$N"
expect_ok ccm -C "$P" sync
hub_set "$HUB" "$F2" "$N"
expect_ok ccm -C "$M" sync
expect_ok ccm -C "$P" sync
expect_contains "$ERR" "no longer holds what it held at the last sync" \
    "(fork) Peru is warned that the hub dropped the commit it held"
for s in "$M" "$N"; do expect_ok ccm -C "$s" sync; done
same_exports "$P" "$M" "$N"
show "$N" LAO 'd["fields"]["region"] == "South-East-Asia" and d["fields"]["targets"] == ["apmbc", "ccw"] and d["meta"]["region"]["by"] == "Norway"' \
    "(fork) both forked edits are kept"
A=$(forge "$P" merge "$F1" "$F2")
B=$(forge "$P" merge "$F2" "$F1")
expect_eq "$(git --git-dir="$P/repo" rev-parse "$A^{tree}")" "$(git --git-dir="$P/repo" rev-parse "$B^{tree}")" \
    "(fork) the merge of the two forks is the same tree in either order"

# ---- equivocation: two commits by Norway with the same stamp ---------------------------------------

TIP=$(hub_tip "$HUB")
S=$(($(date +%s%3N) << 16))
E1=$(forge "$N" record "$TIP" state LAO --set next_step=alpha --set survey_comment=alpha-comment --stamp "$S")
E2=$(forge "$N" record "$TIP" state LAO --set next_step=beta --set outcome_note=beta-note --stamp "$S")
hub_set "$HUB" "$E1" "$N"
expect_ok ccm -C "$P" sync
show "$P" LAO 'd["fields"]["next_step"] == "alpha"' "(equivocation) Peru first holds alpha"
hub_set "$HUB" "$E2" "$N"
expect_ok ccm -C "$M" sync
show "$M" LAO 'd["fields"]["next_step"] == "beta"' "(equivocation) Malawi first holds beta"
expect_ok ccm -C "$P" sync
for s in "$M" "$N" "$P"; do expect_ok ccm -C "$s" sync; done
same_exports "$P" "$M" "$N"
show "$M" LAO 'd["fields"]["next_step"] in ("alpha", "beta") and d["meta"]["next_step"]["by"] == "Norway" and d["fields"]["survey_comment"] == "alpha-comment" and d["fields"]["outcome_note"] == "beta-note"' \
    "(equivocation) one of Norway's values, named as hers; her other edits of both commits kept"
A=$(forge "$P" merge "$E1" "$E2")
B=$(forge "$P" merge "$E2" "$E1")
expect_eq "$(git --git-dir="$P/repo" rev-parse "$A^{tree}")" "$(git --git-dir="$P/repo" rev-parse "$B^{tree}")" \
    "(equivocation) the merge is the same tree in either order"
run ccm -C "$P" --json log LAO
expect_json 'sorted(e["new"] for e in d if e["field"] == "next_step" and e["commit"] in ("'"$E1"'", "'"$E2"'")) == ["alpha", "beta"]' \
    "(equivocation) log shows both commits' values, by Norway"
for s in "$P" "$M" "$N"; do expect_ok ccm -C "$s" verify; done

# ---- the group carries on ---------------------------------------------------------------------------

expect_ok ccm -C "$M" state set LAO next_step=carry-on
expect_ok ccm -C "$M" sync
for s in "$P" "$N"; do
    expect_ok ccm -C "$s" sync
    show "$s" LAO 'd["fields"]["next_step"] == "carry-on" and d["meta"]["next_step"]["by"] == "Malawi"' \
        "a later edit by Malawi reaches $(basename "$s") through the same hub"
done

# ---- forks cannot make a record that no one can open -------------------------------------------------
# Limits bound what one commit adds (new fields, new set elements); a
# single-value field keeps one value per member, and the join keeps at most
# 4,096 fields and 4,096 elements of a set, however many forks of one
# member's chain merge. So five forks of Norway's chain, each adding 1,000
# elements to `lead`, and two adding fields and values, leave a record every
# honest member still reads and writes.
TIP=$(hub_tip "$HUB")
for k in 1 2 3 4 5; do
    LA=()
    for i in $(seq 1 1000); do
        LA+=(--add "lead=Fork$k-$i")
    done
    FK=$(forge "$N" record "$TIP" state LAO "${LA[@]}")
    hub_set "$HUB" "$FK" "$N"
    expect_ok ccm -C "$P" sync
done
show "$P" LAO 'len(d["fields"]["lead"]) == 4096 and d["fields"]["lead"][0] == "Fork1-1"' \
    "five forks of 1,000 lead elements, merged: the record keeps 4,096 of them and stays readable"
expect_ok ccm -C "$M" sync
same_exports "$P" "$M"
TIP=$(hub_tip "$HUB")
git --git-dir="$N/repo" fetch -q "$HUB" "+main:refs/e2e/hub"
FX=() FY=()
for i in $(seq 1 60); do
    FX+=(--set "fork_a_$i=a$i")
    FY+=(--set "fork_b_$i=b$i")
done
FA=$(forge "$N" record "$TIP" state LAO "${FX[@]}" --set region=fork-a)
FB=$(forge "$N" record "$TIP" state LAO "${FY[@]}" --set region=fork-b)
hub_set "$HUB" "$FA" "$N"
expect_ok ccm -C "$P" sync
hub_set "$HUB" "$FB" "$N"
expect_ok ccm -C "$M" sync
expect_ok ccm -C "$P" sync
expect_ok ccm -C "$M" sync
expect_ok ccm -C "$P" sync
show "$P" LAO 'd["fields"]["fork_a_60"] == "a60" and d["fields"]["fork_b_60"] == "b60" and len(d["conflicts"].get("region", [])) == 0' \
    "the forks merge: every field of both, one value of region (the later fork's), no conflict between Norway and Norway"
expect_ok ccm -C "$P" state set LAO next_step=after-the-forks
expect_ok ccm -C "$P" sync
expect_ok ccm -C "$M" sync
show "$M" LAO 'd["fields"]["next_step"] == "after-the-forks"' "honest members keep reading and writing the record"
same_exports "$P" "$M"

done_testing
