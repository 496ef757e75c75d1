#!/usr/bin/env bash
# t_trust_hub.sh - trust by effect, the hub and identities:
#   - attack 8, one refused commit blocks the group: a commit every replica
#     refuses on the hub's tip, above a valid one. The first member to sync
#     exits 4 but keeps the valid commit, pushes its own unpushed work and
#     gives the hub its history in place of the refused tip; the next
#     members' syncs exit 0 and get everyone's work;
#   - attack 10, a withholding hub: it never serves Peru's removal of Malawi
#     to Norway, who writes under the old key (readable by Malawi: the
#     documented limit); Norway's `status` shows Peru's newest commit as the
#     one before the removal (what lets her notice); once the hub serves the removal, her
#     edit is sealed again under the new key and Malawi cannot open it; a
#     hub that goes back to an older key epoch, or rewinds at all, draws a
#     warning from a member who saw more, whose sync gives it back;
#   - attack 9, nothing to compare out of band: `join` prints the group's id
#     and its admins' fingerprints, and with `--expect` a wrong founder (a
#     hub seeded with a fake group whose admin is named "Peru") is exit 4 and
#     no store is kept; `member add` prints the requester's name and
#     fingerprint before writing, and a swapped join request is exit 4 with
#     nothing written; `whoami` prints one's own fingerprint.
. "$(dirname "$0")/lib.sh"
unset CCMSYNC_PASSPHRASE # every store here is made with --no-passphrase

HUB="$T/hub.git"
P="$T/peru" N="$T/norway" M="$T/malawi"
expect_ok ccm -C "$P" init --member Peru --no-passphrase
expect_ok ccm -C "$P" remote add origin "$HUB" # created by the first sync
expect_ok ccm -C "$P" state set LAO status=signatory priority=high region=Asia next_step=visit
expect_ok ccm -C "$P" sync
run ccm -C "$P" --json member list
PERU_FP=$(jq_out 'd[0]["fingerprint"]')
expect_match "$PERU_FP" '^SHA256:[A-Za-z0-9+/]{43}$' "Peru's fingerprint"

# ---- attack 9: identities out of band ----------------------------------------------------------------

# join shows the group and its admins.
expect_ok ccm -C "$N" join "$HUB" --member Norway --no-passphrase --expect "$PERU_FP"
N_REQ=$OUT
expect_match "$ERR" "Group [0-9a-f]{16}, founded by Peru\\." "(9) join names the group and its founder"
GROUP=$(grep -o 'Group [0-9a-f]\{16\}' <<<"$ERR")
expect_match "$ERR" $'\n  Peru +SHA256:' "(9) join lists the admin Peru"
expect_contains "$ERR" "$PERU_FP" "(9) with his fingerprint"
# whoami and member add show the same fingerprint of Norway.
expect_ok ccm -C "$N" whoami
N_FP=$(grep -o 'SHA256:[A-Za-z0-9+/]\{43\}' <<<"$OUT" | head -n 1)
expect_match "$N_FP" '^SHA256:' "(9) whoami prints Norway's fingerprint"
# A swapped request: Mallory's, in Norway's name.
expect_ok ccm -C "$T/mallory-as-norway" join "$HUB" --member Norway --no-passphrase
SWAPPED=$OUT
FP=$(store_fingerprint "$P")
expect_exit 4 ccm -C "$P" member add "$SWAPPED" --expect "$N_FP"
expect_contains "$ERR" "Request from 'Norway', signing key SHA256:" "(9) member add names the requester and the key before writing"
expect_contains "$ERR" "not the expected $N_FP: not added" "(9) a swapped request is refused"
expect_unchanged "$P" "$FP" "(9) a swapped request wrote nothing"
expect_exit 2 ccm -C "$P" member add "$N_REQ" --expect SHA256:short
expect_stderr_one_line "invalid fingerprint"
expect_unchanged "$P" "$FP" "(9) a malformed --expect wrote nothing"
expect_ok ccm -C "$P" member add "$N_REQ" --expect "$N_FP"
expect_eq "$(head -n 1 "$T/.err")" "Request from 'Norway', signing key $N_FP, to be added as editor." \
    "(9) member add prints Norway's own fingerprint"
expect_ok ccm -C "$P" sync
expect_ok ccm -C "$N" sync
# A second member: the same group id; a wrong --expect keeps nothing.
expect_exit 4 ccm -C "$M" join "$HUB" --member Malawi --no-passphrase --expect "$N_FP"
expect_contains "$ERR" "not the expected $N_FP" "(9) a wrong --expect is refused"
check "(9) a refused join keeps no store" test ! -e "$M"
expect_ok ccm -C "$M" join "$HUB" --member Malawi --no-passphrase
expect_contains "$ERR" "$GROUP, founded by Peru" "(9) another member sees the same group id"
expect_ok ccm -C "$P" member add "$OUT"
for s in "$P" "$N" "$M"; do expect_ok ccm -C "$s" sync; done
# A hub seeded with a fake group whose admin is named "Peru".
expect_ok ccm -C "$T/mallory" init --member Peru --no-passphrase
expect_ok ccm -C "$T/mallory" remote add origin "$T/fake.git"
expect_ok ccm -C "$T/mallory" sync
expect_exit 4 ccm -C "$T/fooled" join "$T/fake.git" --member Norway --no-passphrase --expect "$PERU_FP"
expect_contains "$ERR" "founder 'Peru' has key SHA256:" "(9) the fake Peru's key is named"
expect_contains "$ERR" "not the expected $PERU_FP" "(9) the fake group is caught by --expect"
check "(9) no store is kept from the fake group" test ! -e "$T/fooled"
expect_ok ccm -C "$T/unwary" join "$T/fake.git" --member Norway --no-passphrase
expect_match "$ERR" "founded by Peru" "(9) the fake group also says Peru"
expect_not_contains "$ERR" "$PERU_FP" "(9) but not with Peru's fingerprint"
expect_not_contains "$ERR" "$GROUP" "(9) nor with the group's id"

# ---- attack 8: one refused commit does not block the group ------------------------------------------

expect_ok ccm -C "$N" state set LAO survey_comment=norway-valid
expect_ok ccm -C "$N" sync
V=$(head_of "$N")
BAD=$(forge "$N" record "$V" state LAO --set next_step=in-peru-name --as Peru)
hub_set "$HUB" "$BAD" "$N"
expect_ok ccm -C "$P" state set LAO priority=medium # Peru's unpushed work
L=$(head_of "$P")
expect_refused --keeps "(8) the refused tip" "$HUB" "$BAD" "$P" "attributed to 'Peru'"
check "(8) Peru took Norway's valid commit" git --git-dir="$P/repo" merge-base --is-ancestor "$V" main
check "(8) Peru's unpushed work is on the hub" git --git-dir="$HUB" merge-base --is-ancestor "$L" main
expect_ok ccm -C "$M" state set LAO last_contact=2025-05-05 # Malawi's unpushed work
expect_ok ccm -C "$M" sync
expect_not_contains "$ERR" "refused" "(8) Malawi syncs without a refusal"
expect_ok ccm -C "$N" sync
expect_ok ccm -C "$P" sync
for s in "$P" "$N" "$M"; do
    run ccm -C "$s" --json state show LAO
    expect_json 'd["fields"]["survey_comment"] == "norway-valid" and d["fields"]["priority"] == "medium" and d["meta"]["priority"]["by"] == "Peru" and d["fields"]["last_contact"] == "2025-05-05" and d["fields"]["next_step"] == "visit"' \
        "(8) $(basename "$s") has everyone's work, nothing in Peru's name"
done
same_exports "$P" "$N" "$M"

# ---- attack 8, for a newcomer: a forged merge on the hub when she joins --------------------------------
# A member not admitted yet cannot open records, so she cannot check a
# merge's records: she joins while the hub's tip is Norway's merge with an
# entry of its own. She must neither bring it back to the hub (blocking the
# others again) nor keep it once admitted.

for s in "$P" "$N" "$M"; do expect_ok ccm -C "$s" sync; done
expect_ok ccm -C "$N" state set LAO survey_comment=norway-again
NV=$(head_of "$N")
git --git-dir="$N/repo" fetch -q "$HUB" "+main:refs/e2e/hub"
XM=$(forge "$N" merge "$(hub_tip "$HUB")" "$NV" --add state LAO next_step from-the-merge)
hub_set "$HUB" "$XM" "$N"
C="$T/cmc" C2="$T/icrc"
expect_ok ccm -C "$C" join "$HUB" --member CMC --no-passphrase
C_REQ=$OUT
expect_ok ccm -C "$C2" join "$HUB" --member ICRC --no-passphrase
C2_REQ=$OUT
expect_refused --keeps "(8) the forged merge, refused by Peru" "$HUB" "$XM" "$P" \
    "merge's records are not the merge of its parents'"
GOOD=$(hub_tip "$HUB")
run ccm -C "$C" sync # not admitted yet
expect_eq "$(hub_tip "$HUB")" "$GOOD" "(8) the newcomer's sync puts nothing on the hub"
check "(8) the newcomer no longer holds the forged merge" \
    test -z "$(git --git-dir="$C/repo" for-each-ref --contains "$XM" refs/heads)"
expect_ok ccm -C "$M" sync
expect_not_contains "$ERR" "refused" "(8) Malawi's sync refuses nothing after the newcomer's"
expect_ok ccm -C "$P" member add "$C_REQ"
expect_ok ccm -C "$P" member add "$C2_REQ"
expect_ok ccm -C "$P" sync
for s in "$C" "$C2"; do # CMC synced before her admission, ICRC did not
    expect_ok ccm -C "$s" sync
    expect_contains "$OUT" "admitted" "(8) $(basename "$s") is admitted"
    run ccm -C "$s" --json state show LAO
    expect_json 'd["fields"]["survey_comment"] == "norway-again" and d["fields"]["next_step"] != "from-the-merge"' \
        "(8) $(basename "$s") has Norway's commit, not her forged merge"
    expect_ok ccm -C "$s" verify
    expect_ok ccm -C "$s" sync
done
for s in "$P" "$N" "$M"; do expect_ok ccm -C "$s" sync; done
same_exports "$P" "$C" "$C2" "$M"

# ---- attack 10: a withholding hub -----------------------------------------------------------------------

# peru_newest STORE : Peru's newest commit as STORE's `status --json` shows it.
peru_newest() {
    run ccm -C "$1" --json status
    jq_out 'd["members"]["Peru"]["last_commit"]'
}
for s in "$P" "$N" "$M"; do expect_ok ccm -C "$s" sync; done
BEFORE=$(hub_tip "$HUB")
PERU_LAST=$(peru_newest "$P")
expect_match "$PERU_LAST" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T' "Peru's newest commit, as his own status shows it"
expect_eq "$(peru_newest "$N")" "$PERU_LAST" "(10) Norway's status shows Peru's newest commit"
expect_ok ccm -C "$P" member remove Malawi
expect_ok ccm -C "$P" sync
REMOVAL=$(hub_tip "$HUB")
git --git-dir="$HUB" update-ref refs/heads/main "$BEFORE" # the hub withholds the removal
expect_ok ccm -C "$N" sync
expect_eq "$ERR" "" "(10) nothing warns Norway, who never saw the removal"
run ccm -C "$N" --json status
expect_json 'd["epoch"] == 1 and d["members"]["Malawi"]["removed"] is False' "(10) Norway still holds key epoch 1"
expect_eq "$(peru_newest "$N")" "$PERU_LAST" \
    "(10) what lets Norway notice: her status still shows Peru's commit before the removal as his newest"
expect_ok ccm -C "$N" state set LAO next_step=withheld-write
expect_ok ccm -C "$N" sync
WITHHELD=$(head_of "$N")
git --git-dir="$M/repo" fetch -q "$HUB" "+main:refs/e2e/hub"
expect_ok forge "$M" read "$WITHHELD" state LAO
expect_contains "$OUT" '"v":"withheld-write"' \
    "(10) the documented limit: Malawi reads what Norway wrote under the withheld key"
# The hub serves the removal again (Peru syncs).
expect_ok ccm -C "$P" sync
expect_contains "$ERR" "warning: remote 'origin' went back to key epoch 1 after holding epoch 2" \
    "(10) Peru is warned that the hub went back to an older key epoch"
check "(10) the hub holds the removal again" git --git-dir="$HUB" merge-base --is-ancestor "$REMOVAL" main
expect_ok ccm -C "$N" sync
run ccm -C "$N" --json status
expect_json 'd["epoch"] == 2 and d["members"]["Malawi"]["removed"] is True and d["members"]["Peru"]["last_commit"] > "'"$PERU_LAST"'"' \
    "(10) Norway now holds the removal, and a newer commit of Peru's"
run ccm -C "$N" --json state show LAO
expect_json 'd["fields"]["next_step"] == "withheld-write" and d["meta"]["next_step"]["by"] == "Norway"' \
    "(10) Norway's edit is kept"
TIP=$(hub_tip "$HUB")
git --git-dir="$M/repo" fetch -q "$HUB" "+main:refs/e2e/hub"
expect_exit 3 forge "$M" read "$TIP" state LAO --keys-from "$WITHHELD"
expect_contains "$ERR" "sealed under key epoch 2" "(10) the merged LAO is sealed again: Malawi cannot open it"
# A member who saw the removal is warned when the hub goes back before it.
git --git-dir="$HUB" update-ref refs/heads/main "$WITHHELD"
expect_ok ccm -C "$N" sync
expect_contains "$ERR" "warning: remote 'origin' went back to key epoch 1 after holding epoch 2" \
    "(10) Norway is warned that the hub went back to an older key epoch"
expect_eq "$(hub_tip "$HUB")" "$(head_of "$N")" "(10) Norway's sync gave the hub her history back"
# Any rewind draws a warning.
expect_ok ccm -C "$P" sync
expect_ok ccm -C "$P" state set LAO next_step=latest
expect_ok ccm -C "$P" sync
git --git-dir="$HUB" update-ref refs/heads/main "$(hub_tip "$HUB")~1"
expect_ok ccm -C "$P" sync
expect_contains "$ERR" "warning: remote 'origin' no longer holds what it held at the last sync" \
    "(10) Peru is warned that the hub was rewound"
expect_eq "$(hub_tip "$HUB")" "$(head_of "$P")" "(10) Peru's sync gave the hub his history back"

# ---- status: each member's newest commit ------------------------------------------------------------------

expect_ok ccm -C "$N" sync
expect_ok ccm -C "$N" status
expect_match "$OUT" "key epoch 2" "status shows the key epoch"
expect_match "$OUT" "Peru +admin +[0-9-]+T" "status shows Peru's newest commit"
expect_match "$OUT" "Malawi +editor +[0-9-]+T[^ ]+ \\(removed\\)" "status marks Malawi removed"
for s in "$P" "$N"; do expect_ok ccm -C "$s" verify; done
same_exports "$P" "$N"

done_testing
