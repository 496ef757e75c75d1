#!/usr/bin/env bash
# t_typos.sh - typos caught before anything is written: a field name one or
# two edits from a known field ("did you mean"), members in lead/by that
# are not in the group (listed), a past member (accepted with a warning),
# log --member with a name that never was a member, required fields
# cleared; a state created by mistake removed with state rm (the log keeps
# it; state set brings it back); import's field names and member names.
. "$(dirname "$0")/lib.sh"

S="$T/store"
new_store "$S"
admit_name "$S" Norway
admit_name "$S" Malawi
expect_ok ccm -C "$S" state set LAO status=signatory lead=Peru
A=$(ccm -C "$S" activity add --type bilateral --date 2025-03-12 states=LAO by=Peru)

# refuse NEEDLE... -- CMD... : exit 2, one line naming each NEEDLE, nothing written.
refuse() {
    local needles=()
    while [[ $1 != -- ]]; do
        needles+=("$1")
        shift
    done
    shift
    local before
    before=$(store_fingerprint "$S")
    expect_exit 2 "$@"
    expect_stderr_one_line "${needles[@]}"
    expect_unchanged "$S" "$before" "$*"
}

# ---- field names -------------------------------------------------------------------------

refuse "statuss" "did you mean 'status'?" -- ccm -C "$S" state set AGO statuss=party
refuse "did you mean 'priority'?" -- ccm -C "$S" state set LAO prority=high
refuse "did you mean 'survey_reasons'?" -- ccm -C "$S" state set LAO survey_reason+=cost
refuse "did you mean 'last_contact'?" -- ccm -C "$S" state set LAO last_contcat=2025-01-01
refuse "did you mean 'summary'?" -- ccm -C "$S" activity set "$A" summry=x
refuse "did you mean 'states'?" -- ccm -C "$S" activity add --type ipu --date 2025-01-01 staets=LAO
refuse "did you mean 'by'?" -- ccm -C "$S" activity set "$A" byy=Peru
expect_exit 1 ccm -C "$S" state show AGO
expect_stderr_one_line "AGO"
# A genuinely new field needs no flag; nor a known name with a suffix.
expect_ok ccm -C "$S" --json state set LAO meeting_room=B-12 region2=Mekong status_2024=signatory
expect_json 'd["fields"]["meeting_room"] == "B-12" and d["fields"]["region2"] == "Mekong"
    and d["fields"]["status_2024"] == "signatory"' "new field names are accepted as they are"
expect_ok ccm -C "$S" --json activity set "$A" venue=Geneva
expect_json 'd["fields"]["venue"] == "Geneva"'

# ---- members -------------------------------------------------------------------------------

refuse "'Nrway' is not a member" "did you mean 'Norway'?" "Malawi, Norway, Peru" -- \
    ccm -C "$S" state set LAO lead+=Nrway
refuse "'ISU' is not a member" "Malawi, Norway, Peru" -- ccm -C "$S" activity set "$A" by=Peru,ISU
refuse "'Somebody' is not a member" -- \
    ccm -C "$S" activity add --type ipu --date 2025-01-01 by=Somebody
expect_ok ccm -C "$S" --json state set LAO lead+=Norway
expect_json 'd["fields"]["lead"] == ["Norway", "Peru"]' "members are accepted"
expect_eq "$ERR" "" "no warning for active members"
# Removing a name that is not a member is not refused: it cleans up.
expect_ok ccm -C "$S" state set LAO lead-=Nobody

# A past member: accepted, with a warning.
expect_ok ccm -C "$S" member remove Malawi
expect_ok ccm -C "$S" --json state set LAO lead+=Malawi
expect_json 'd["fields"]["lead"] == ["Malawi", "Norway", "Peru"]' "a past member is accepted"
expect_eq "$ERR" "ccmsync: warning: 'Malawi' is a past member of the group (removed)" \
    "a past member is named in a warning on stderr"

# log --member: a name that never was a member is a typo.
refuse "'Nrway' is not a member" "did you mean 'Norway'?" -- ccm -C "$S" log --member Nrway
expect_ok ccm -C "$S" --json log --member Malawi
expect_json 'd == []' "log --member of a past member who wrote nothing: [] (exit 0)"
expect_ok ccm -C "$S" --json log --member Peru
expect_json 'len(d) > 0 and all(e["member"] == "Peru" for e in d)'

# ---- required fields -----------------------------------------------------------------------

refuse "'date' of an activity cannot be cleared" -- ccm -C "$S" activity set "$A" date=
refuse "'type' of an activity cannot be cleared" -- ccm -C "$S" activity set "$A" type= date=
refuse "'date'" -- ccm -C "$S" activity set "$A" summary=ok date=
expect_ok ccm -C "$S" --json activity show "$A"
expect_json 'd["fields"]["date"] == "2025-03-12" and d["fields"]["type"] == "bilateral"'
expect_ok ccm -C "$S" activity set "$A" status=done status=
expect_ok ccm -C "$S" activity list
expect_not_contains "$OUT" "(null)" "an activity without status lists no (null)"

# ---- state rm: a state created by mistake ----------------------------------------------------

expect_ok ccm -C "$S" state set IND status=signatory priority=high
n=$(commits "$S")
expect_ok ccm -C "$S" state rm ind
expect_contains "$OUT" "removed state IND"
expect_eq "$(commits "$S")" $((n + 1)) "state rm is one commit"
expect_exit 1 ccm -C "$S" state show IND
expect_stderr_one_line "IND" "removed"
expect_ok ccm -C "$S" --json state list
expect_json '"IND" not in [x["id"] for x in d]' "state list omits a removed state"
expect_ok ccm -C "$S" export
expect_not_contains "$OUT" '"IND"' "export omits a removed state"
expect_ok ccm -C "$S" --json log IND
expect_json 'any(e["field"] == "(deleted)" and e["new"] == "yes" for e in d)
    and any(e["field"] == "priority" and e["new"] == "high" for e in d)' \
    "the log keeps the removed state and its history"
expect_exit 1 ccm -C "$S" state rm IND
expect_stderr_one_line "already removed"
expect_exit 1 ccm -C "$S" state rm PER
expect_stderr_one_line "PER"
refuse "XXX" -- ccm -C "$S" state rm XXX
# state set on a removed state brings it back, with its earlier fields.
expect_ok ccm -C "$S" --json state set IND region=Asia
expect_json 'd["fields"]["status"] == "signatory" and d["fields"]["region"] == "Asia"' \
    "state set revives a removed state with its fields"
expect_contains "$ERR" "had been removed" "the revival is said"
expect_ok ccm -C "$S" --json state list
expect_json '"IND" in [x["id"] for x in d]'
expect_ok ccm -C "$S" --json log IND
expect_json '[(e["old"], e["new"]) for e in d if e["field"] == "(deleted)"] == [("yes", None), (None, "yes")]' \
    "the log shows the removal and the revival"
expect_ok ccm -C "$S" verify

# ---- import ----------------------------------------------------------------------------------

printf 'id,statuss\nKEN,party\n' >"$T/typo.csv"
refuse "import" "did you mean 'status'?" -- ccm -C "$S" import "$T/typo.csv"
printf 'type,date,by\nipu,2025-01-01,ISU;Peru\n' >"$T/acts.csv"
expect_ok ccm -C "$S" import "$T/acts.csv"
expect_contains "$ERR" "warning: 'ISU' is not a member of the group" \
    "import accepts names outside the group with a warning"

done_testing
