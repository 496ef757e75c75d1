#!/usr/bin/env bash
# t_notes_roles.sh - notes reach only their recipients (exit 3 for others,
# readable after `note share`, never exported, no plaintext anywhere); roles:
# a reader cannot write (exit 3) but syncs; an editor cannot change the
# membership (exit 3); `member remove` leaves the removed member's store able
# to fetch but not to read what is written afterwards (exit 3, no plaintext).
. "$(dirname "$0")/lib.sh"
unset CCMSYNC_PASSPHRASE

HUB="$T/hub.git"
P="$T/peru" N="$T/norway" M="$T/malawi" R="$T/reader"
expect_ok ccm -C "$P" init --member Peru --no-passphrase
expect_ok ccm -C "$P" remote add origin "$HUB"
expect_ok ccm -C "$P" state set IDN status=signatory
expect_ok ccm -C "$P" sync
for who in "$N:Norway:editor" "$M:Malawi:editor" "$R:ISU:reader"; do
    IFS=: read -r dir name role <<<"$who"
    expect_ok ccm -C "$dir" join "$HUB" --member "$name" --no-passphrase
    expect_ok ccm -C "$P" member add "$OUT" --role "$role"
done
expect_ok ccm -C "$P" sync
for d in "$N" "$M" "$R"; do expect_ok ccm -C "$d" sync; done

# ---- notes ----------------------------------------------------------------------
run ccm -C "$P" --json note add --on IDN --to Norway --title "NOTE-TITLE-MARK" \
    <<<"The minister hinted at a decision. NOTE-BODY-MARK"
expect_eq "$RC" 0 "note add succeeds"
expect_json 'set(d) == {"id"} and HEX16.match(d["id"])' "note add prints {\"id\"}"
NOTE=$(jq_out 'd["id"]')
expect_ok ccm -C "$P" sync
for d in "$N" "$M" "$R"; do expect_ok ccm -C "$d" sync; done

run ccm -C "$N" --json note show "${NOTE:0:6}"
expect_eq "$RC" 0 "a recipient reads the note by prefix"
expect_json 'd["fields"]["title"] == "NOTE-TITLE-MARK" and "NOTE-BODY-MARK" in d["fields"]["body"] and d["fields"]["to"] == ["Norway", "Peru"] and d["kind"] == "note"'
run ccm -C "$M" note show "$NOTE"
expect_eq "$RC" 3 "a non-recipient gets exit 3"
expect_stderr_one_line
expect_not_contains "$ERR" "NOTE-TITLE-MARK" "the refusal shows no title"
run ccm -C "$M" --json note list
expect_eq "$RC" 0 "note list works for a non-recipient"
expect_json 'd == []' "a non-recipient lists no note"
run ccm -C "$M" export
expect_not_contains "$OUT" "NOTE-" "export of a non-recipient holds nothing of the note"
run ccm -C "$N" export
expect_not_contains "$OUT" "NOTE-" "notes are never exported, even for recipients"
run ccm -C "$M" note share "$NOTE" --to Malawi
expect_eq "$RC" 3 "a non-recipient cannot share"
expect_ok ccm -C "$N" note share "$NOTE" --to Malawi
expect_ok ccm -C "$N" sync
expect_ok ccm -C "$M" sync
run ccm -C "$M" --json note show "$NOTE"
expect_eq "$RC" 0 "after note share the new recipient reads it"
expect_json '"NOTE-BODY-MARK" in d["fields"]["body"] and "Malawi" in d["fields"]["to"]'
run ccm -C "$P" note add --on XXX --to Norway --title t <<<"x"
expect_eq "$RC" 2 "note on an unknown state code: exit 2"
run ccm -C "$P" note add --on IDN --to Nobody --title t <<<"x"
expect_eq "$RC" 2 "note to a non-member: exit 2"
for d in "$P" "$N" "$M" "$R" "$HUB"; do
    if grep -raq -e NOTE-TITLE-MARK -e NOTE-BODY-MARK "$d"; then
        fail "plaintext of the note found under $d"
    else
        pass
    fi
done
if git --git-dir="$HUB" cat-file --batch-all-objects --batch | grep -aq -e NOTE-BODY-MARK -e NOTE-TITLE-MARK; then
    fail "plaintext of the note in the hub's objects"
else
    pass
fi

# ---- roles ------------------------------------------------------------------------
FP=$(store_fingerprint "$R")
run ccm -C "$R" state set IDN priority=high
expect_eq "$RC" 3 "a reader cannot write"
expect_stderr_one_line
expect_contains "$ERR" "reader"
expect_unchanged "$R" "$FP" "the refused write wrote nothing"
run ccm -C "$R" --json state show IDN
expect_eq "$RC" 0 "a reader reads"
expect_ok ccm -C "$R" sync
run ccm -C "$N" member add "$(ccm -C "$R" whoami --request)"
expect_eq "$RC" 3 "an editor cannot change the membership"
run ccm -C "$N" member remove Malawi
expect_eq "$RC" 3 "an editor cannot remove a member"

# ---- removal ------------------------------------------------------------------------
expect_ok ccm -C "$P" member remove Malawi
run ccm -C "$P" --json member list
expect_json 'any(m["name"] == "Malawi" and m["removed"] for m in d)' "member list shows the removal"
expect_ok ccm -C "$P" state set IDN next_step=AFTER-REMOVAL-MARK
expect_ok ccm -C "$P" sync
expect_ok ccm -C "$M" sync
expect_stderr_one_line "'Malawi' is removed from the group (by Peru)"
run ccm -C "$M" state show IDN
expect_not_contains "$OUT" "AFTER-REMOVAL-MARK" "the removed member's store cannot read new data"
if grep -raq AFTER-REMOVAL-MARK "$M" ||
    git --git-dir="$M/repo" cat-file --batch-all-objects --batch | grep -aq AFTER-REMOVAL-MARK; then
    fail "plaintext written after the removal found in the removed member's store"
else
    pass
fi
expect_ok ccm -C "$N" sync
run ccm -C "$N" --json state show IDN
expect_json 'd["fields"]["next_step"] == "AFTER-REMOVAL-MARK"' "remaining members read it"
expect_ok ccm -C "$N" verify
run ccm -C "$P" member remove Peru
expect_eq "$RC" 2 "the last admin cannot be removed"

# stock git still verifies every commit, the removed member's earlier ones too
expect_ok ccm -C "$P" member list --allowed-signers
cp "$T/.out" "$T/signers"
bad=0
for c in $(git --git-dir="$HUB" rev-list main); do
    git --git-dir="$HUB" -c gpg.format=ssh -c gpg.ssh.allowedSignersFile="$T/signers" \
        verify-commit "$c" >/dev/null 2>&1 || bad=$((bad + 1))
done
expect_eq "$bad" 0 "git verify-commit accepts every commit on the hub"
done_testing
