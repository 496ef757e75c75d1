#!/usr/bin/env bash
# t_secrecy.sh - the store leaks no plaintext: not in any file of the store
# folder, not in any git object (loose, packed by an import, or repacked by
# git gc), not in tree paths, refs or commit messages. Member names and public
# keys may appear (docs/security.md allows them); record contents, field names and
# state codes may not. The passphrase and the secret identity stay out of git.
. "$(dirname "$0")/lib.sh"

export CCMSYNC_PASSPHRASE="pass-PHRASE-91c2e"
S="$T/store"
G=(git --git-dir="$S/repo")
new_store "$S"
admit_name "$S" Norway # lead names members

# ---- records with distinctive markers in every kind of field -------------------

expect_ok ccm -C "$S" state set IDN status=signatory targets=interim-steps,unga-yes \
    survey_reasons=stockpile,alliances survey_comment='MARKER-7f3a survey comment' \
    'next_step=MARKER-next-4b1d' secret_marker_field=MARKER-user-9e2c \
    region=MARKER-region-51aa name=MARKER-name-c0de last_contact=2025-04-17 \
    lead+=Norway priority=high
expect_ok ccm -C "$S" state set KEN status=withdrawing targets=withdrawing \
    survey_reasons+=legislation another_private_field=MARKER-user-2-aa11
expect_ok ccm -C "$S" activity add --type model-legislation --date 2025-06-09 states=IDN,KEN \
    by=Peru summary=MARKER-summary-33ff outcome=MARKER-outcome-77aa \
    follow_up=MARKER-follow-0b0b custom_activity_field=MARKER-act-field-1234
expect_ok ccm -C "$S" activity add --type regional-workshop --date 2025-07-21 states=KEN \
    summary=MARKER-removed-6d6d
RM=$OUT
expect_ok ccm -C "$S" activity rm "$RM"
expect_ok ccm -C "$S" state set IDN survey_comment='MARKER-7f3a second version'

# A bulk import (>= 16 records goes straight into a pack file) and a CSV import.
python3 - "$T/bulk.json" <<'EOF'
import json, sys
acts = [{"fields": {"type": "cmc-icrc", "date": "2025-08-%02d" % (i % 28 + 1),
                    "states": ["PHL", "IRQ"], "summary": "MARKER-bulk-%04d" % i,
                    "bulk_private_field": "MARKER-bulkfield-e5e5"}} for i in range(300)]
states = [{"id": "IRQ", "fields": {"survey_comment": "MARKER-import-state-8c8c",
                                   "targets": ["ccw"]}}]
json.dump({"states": states, "activities": acts}, open(sys.argv[1], "w"))
EOF
expect_ok ccm -C "$S" import "$T/bulk.json"
printf 'id,status,csv_private_field\nPHL,party,MARKER-csv-9a9a\n' >"$T/states.csv"
expect_ok ccm -C "$S" import "$T/states.csv"

# Plain-text markers: long enough never to occur by chance in random bytes.
MARKERS=(MARKER- 7f3a\ survey survey_reasons survey_comment next_step secret_marker_field
    another_private_field custom_activity_field bulk_private_field csv_private_field
    last_contact follow_up interim-steps unga-yes stockpile alliances legislation
    withdrawing model-legislation regional-workshop cmc-icrc 2025-04-17 2025-06-09
    '"IDN"' '"KEN"' '"IRQ"' '"PHL"' '"state"' '"activity"' '"fields"'
    "$CCMSYNC_PASSPHRASE")

# Positive control: every marker but the passphrase and the JSON key words is
# really in the records (else the checks below would prove nothing).
expect_ok ccm -C "$S" export
for m in MARKER-7f3a MARKER-next-4b1d MARKER-user-9e2c MARKER-region-51aa MARKER-name-c0de \
    MARKER-user-2-aa11 MARKER-summary-33ff MARKER-act-field-1234 MARKER-bulk-0299 \
    MARKER-bulkfield-e5e5 MARKER-import-state-8c8c MARKER-csv-9a9a survey_reasons \
    secret_marker_field interim-steps 2025-04-17 '"IDN"' '"KEN"' '"IRQ"' '"PHL"'; do
    expect_contains "$OUT" "$m" "the records hold the marker (positive control)"
done
expect_ok ccm -C "$S" --json log "$RM"
expect_contains "$OUT" "MARKER-removed-6d6d" "the removed activity's text is in the log (positive control)"

# scan_store WHEN : every check of this test, on the store as it is now.
scan_store() {
    local when=$1 m hits paths

    # 1. Every file of the store folder, binary files included.
    for m in "${MARKERS[@]}" MARKER-removed-6d6d; do
        hits=$(grep -r -a -l -F -e "$m" "$S" || true)
        expect_eq "$hits" "" "$when: '$m' in plain text in store files"
    done

    # 2. Every git object, decompressed (loose and packed): plain, hex or
    #    base64-encoded markers.
    "${G[@]}" cat-file --batch-all-objects --batch >"$T/objects.dump"
    check "$when: the object dump is not empty" test -s "$T/objects.dump"
    check "$when: member names and public keys may appear (the dump holds the roster)" \
        grep -a -q -F -e '"Peru"' "$T/objects.dump"
    check "$when: the dump holds public keys" grep -a -q -F -e 'ssh-ed25519 AAAA' "$T/objects.dump"
    run python3 - "$T/objects.dump" "$S/identity" "${MARKERS[@]}" MARKER-removed-6d6d \
        MARKER-summary-33ff MARKER-bulkfield-e5e5 <<'EOF'
import base64, sys
data = open(sys.argv[1], "rb").read()
ident = open(sys.argv[2], "rb").read()
bad = []
for m in sys.argv[3:]:
    mb = m.encode()
    forms = {"plain": [mb], "hex": [mb.hex().encode(), mb.hex().upper().encode()]}
    if len(mb) >= 12:
        cores = []
        for k in range(3):
            for enc in (base64.b64encode, base64.urlsafe_b64encode):
                s = enc(b"\0" * k + mb)
                s = s[4 if k else 0:len(s) - 4]
                if len(s) >= 8:
                    cores.append(s)
        forms["base64"] = cores
    for name, variants in forms.items():
        if any(v in data for v in variants):
            bad.append("%s (%s)" % (m, name))
# The identity file (the sealed secret keys) never enters git, not even in part.
mid = ident[len(ident) // 2 - 16:len(ident) // 2 + 16]
if len(mid) == 32 and mid in data:
    bad.append("bytes of the identity file")
print("\n".join(bad))
sys.exit(1 if bad else 0)
EOF
    expect_eq "$RC" 0 "$when: git objects hold plaintext, encoded markers or the identity: $OUT"

    # 3. Tree paths of every commit, refs and commit messages: no state codes,
    #    record kinds or field names, in any case.
    paths=$("${G[@]}" rev-list --objects --all | cut -s -d' ' -f2- | sort -u)
    check "$when: the history has record paths" test -n "$paths"
    for m in idn ken irq phl state activit survey next_step secret marker lead region; do
        expect_not_contains "${paths,,}" "$m" "$when: tree paths name '$m'"
    done
    paths=$("${G[@]}" for-each-ref --format='%(refname)')
    for m in idn ken irq phl state activit; do
        expect_not_contains "${paths,,}" "$m" "$when: ref names name '$m'"
    done
    msgs=$("${G[@]}" log --format='%an %ae %cn %ce%n%B' main)
    for m in idn ken irq phl lao marker survey next_step secret_marker state activit; do
        expect_not_contains "${msgs,,}" "$m" "$when: commit messages or authors name '$m'"
    done
    # Commit headers (without the signature armour, which is base64).
    "${G[@]}" rev-list main | while read -r c; do
        "${G[@]}" cat-file commit "$c" | sed '/^gpgsig /,/END SSH SIGNATURE/d'
    done >"$T/headers.txt"
    for m in '"IDN"' IDN KEN IRQ PHL MARKER survey; do
        check "$when: commit headers name '$m'" not_grep "$m" "$T/headers.txt"
    done
}

# shellcheck disable=SC2317 # called through check
not_grep() { ! grep -a -q -F -e "$1" "$2"; }

scan_store "loose objects and import pack"
# shellcheck disable=SC2317 # called through check
has_pack() { compgen -G "$S/repo/objects/pack/*.pack" >/dev/null; }
check "the import wrote a pack file" has_pack

# Again after git gc (everything delta-compressed into packs).
"${G[@]}" gc --quiet --aggressive --prune=now
check "git gc left packs only" test -z "$(find "$S/repo/objects" -path '*/objects/[0-9a-f][0-9a-f]/*' -type f)"
scan_store "after git gc"

# The store still works from packs.
expect_ok ccm -C "$S" verify
expect_ok ccm -C "$S" --json state show IDN
expect_json 'd["fields"]["survey_comment"] == "MARKER-7f3a second version"' "store readable after gc"

# A passphrase-protected identity: the passphrase never lands anywhere and the
# wrong one does not open it.
hits=$(grep -r -a -l -F -e "$CCMSYNC_PASSPHRASE" "$S" "$HOME" || true)
expect_eq "$hits" "" "the passphrase is stored nowhere"
expect_exit 3 env CCMSYNC_PASSPHRASE=pass-phrase-91c2e "$CCMSYNC_BIN" -C "$S" export
expect_stdout_empty

done_testing
