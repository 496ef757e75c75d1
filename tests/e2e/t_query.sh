#!/usr/bin/env bash
# t_query.sh - questions answered in one command: state list and activity
# list with --where (every operator), --status, --target, --lead, --by,
# --state, --type, --since/--until (days, months, relative days), --sort,
# --columns; the computed last_activity (listed, sorted, filtered, never
# stored or settable); the coordinators' two questions of the issue; search.
# Today is fixed with CCMSYNC_TODAY.
. "$(dirname "$0")/lib.sh"

export CCMSYNC_TODAY=2025-06-30
S="$T/store"
new_store "$S"
admit_name "$S" Norway
admit_name "$S" Malawi

expect_ok ccm -C "$S" state set IDN status=signatory targets=signatory,apmbc priority=high \
    lead=Peru region=Asia-Pacific last_contact=2025-06-20
expect_ok ccm -C "$S" state set KEN status=signatory targets=signatory priority=low lead=Norway \
    region=Africa
expect_ok ccm -C "$S" state set LAO status=non-party targets=apmbc region=Asia
expect_ok ccm -C "$S" state set NOR status=party priority=medium region=Europe
expect_ok ccm -C "$S" state set AGO status=signatory targets=signatory region=Africa
add() { # add DATE TYPE STATUS FIELD... : prints the new id
    ccm -C "$S" activity add --date "$1" --type "$2" status="$3" "${@:4}"
}
A1=$(add 2025-05-20 bilateral done states=IDN by=Peru summary='Met the mission in Geneva')
A2=$(add 2024-11-15 embassy done states=KEN by=Norway)
A3=$(add 2025-07-10 survey planned states=LAO,KEN by=Malawi summary='Survey follow-up')
A4=$(add 2025-07-28 side-event planned states=IDN by=Norway,Peru)
A5=$(add 2025-08-05 iwg-meeting planned by=Peru)
A6=$(add 2025-06-01 bilateral cancelled states=AGO by=Peru)
A7=$(add 2024-10-01 regional-workshop done states=KEN by=Malawi)
for a in A1 A2 A3 A4 A5 A6 A7; do
    check "activity $a was added" test -n "${!a}"
done

ids() { jq_out '" ".join(x["id"] for x in d)'; }
sl() { expect_ok ccm -C "$S" --json state list "$@"; }
al() { expect_ok ccm -C "$S" --json activity list "$@"; }

# ---- the two questions of the issue ------------------------------------------------

# "Which signatories have had no contact for six months?" (-180d is 2025-01-01;
# AGO's only activity was cancelled: never contacted.)
sl --status signatory --where 'last_activity<-180d'
expect_eq "$(ids)" "AGO KEN" "signatories without a done activity for 180 days (never included)"
# "What is planned next month?"
al --status planned --since 2025-07 --until 2025-07
expect_eq "$(ids)" "$A3 $A4" "planned activities of July (a month as --since and --until)"
al --status planned --where date=2025-07
expect_eq "$(ids)" "$A3 $A4" "--where date=MONTH is any day of the month"
al --status planned --since +1d --until +31d
expect_eq "$(ids)" "$A3 $A4" "relative days from today"

# ---- last_activity: computed from done activities ----------------------------------------

sl
expect_json 'by_id(d, "IDN")["fields"]["last_activity"] == "2025-05-20"
    and by_id(d, "KEN")["fields"]["last_activity"] == "2024-11-15"' \
    "last_activity: the latest done activity with the state"
expect_json '"last_activity" not in by_id(d, "AGO")["fields"] and "last_activity" not in by_id(d, "LAO")["fields"]' \
    "no done activity (planned and cancelled ones do not count): no last_activity"
expect_json '"last_activity" not in by_id(d, "IDN")["meta"]' "last_activity has no meta: it is not stored"
expect_ok ccm -C "$S" export
expect_not_contains "$OUT" "last_activity" "export holds the records, not computed fields"
expect_ok ccm -C "$S" state show IDN
expect_match "$OUT" "last_activity +2025-05-20 +\(computed" "state show shows last_activity, marked computed"
expect_match "$OUT" "last_contact +2025-06-20 +\[Peru" "state show shows the stored last_contact too"
before=$(store_fingerprint "$S")
expect_exit 2 ccm -C "$S" state set IDN last_activity=2025-01-01
expect_stderr_one_line "last_activity" "computed"
expect_unchanged "$S" "$before" "setting a computed field"
# Marking a planned activity done moves it.
expect_ok ccm -C "$S" activity set "$A3" status=done
sl --where 'last_activity>=2025-07'
expect_eq "$(ids)" "KEN LAO" "an activity marked done updates last_activity"
expect_ok ccm -C "$S" activity set "$A3" status=planned
# A removed activity no longer counts.
expect_ok ccm -C "$S" activity rm "$A1"
expect_ok ccm -C "$S" --json state show IDN
expect_json '"last_activity" not in d["fields"]' "a removed activity does not count"

# ---- --where, every operator ---------------------------------------------------------

sl --where status=signatory
expect_eq "$(ids)" "AGO IDN KEN" "="
sl --where status!=signatory
expect_eq "$(ids)" "LAO NOR" "!="
sl --where 'priority<=medium'
expect_eq "$(ids)" "IDN NOR" "<= on an enum (high, medium, low); absent does not match"
sl --where 'priority>high'
expect_eq "$(ids)" "KEN NOR" ">"
sl --where 'region<Asia-'
expect_eq "$(ids)" "AGO KEN LAO" "< on text (bytes)"
sl --where 'region>=Asia'
expect_eq "$(ids)" "IDN LAO NOR" ">="
sl --where 'region~asia'
expect_eq "$(ids)" "IDN LAO" "~ contains, ignoring case"
sl --where targets=apmbc
expect_eq "$(ids)" "IDN LAO" "= on a set: holds the element"
sl --where targets!=signatory
expect_eq "$(ids)" "LAO NOR" "!= on a set: does not hold it"
sl --where targets=
expect_eq "$(ids)" "NOR" "F= : absent or empty"
sl --where priority!=
expect_eq "$(ids)" "IDN KEN NOR" "F!= : present"
sl --where 'targets~SIG'
expect_eq "$(ids)" "AGO IDN KEN" "~ on a set: an element contains it"
sl --where region=Africa --where status=signatory --where priority=
expect_eq "$(ids)" "AGO" "repeated --where: all must hold"
sl --where 'last_contact>=2025-06'
expect_eq "$(ids)" "IDN" "a stored date field compared with a month"
sl --where meeting_room=x
expect_eq "$(ids)" "" "an unknown field (not a typo) matches nothing, exit 0"
sl --target signatory --status signatory --lead Norway
expect_eq "$(ids)" "KEN" "--target, --status and --lead together"

# ---- activity options ---------------------------------------------------------------------

al --by Peru
expect_eq "$(ids)" "$A6 $A4 $A5" "--by (activities by date)"
al --by Norway --status planned
expect_eq "$(ids)" "$A4" "--by with --status"
al --state kEn
expect_eq "$(ids)" "$A7 $A2 $A3" "--state (any case)"
al --type bilateral
expect_eq "$(ids)" "$A6" "--type"
al --since 2025-06-01 --until 2025-07-10
expect_eq "$(ids)" "$A6 $A3" "--since/--until inclusive"
al --until 2024-12
expect_eq "$(ids)" "$A7 $A2" "--until MONTH: to its last day"
al --since today
expect_eq "$(ids)" "$A3 $A4 $A5" "--since today"
al --where 'states~la' --where 'by=Malawi'
expect_eq "$(ids)" "$A3" "--where on an activity's sets"
al --where 'date>+30d'
expect_eq "$(ids)" "$A5" "a relative day in --where"

# ---- --sort and --columns ----------------------------------------------------------------

sl --sort last_activity
expect_eq "$(ids)" "AGO IDN LAO NOR KEN" "--sort last_activity: never first (ties by id), then oldest"
sl --sort last_activity:desc
expect_eq "$(ids)" "KEN AGO IDN LAO NOR" "--sort FIELD:desc"
sl --sort priority
expect_eq "$(ids)" "IDN NOR KEN AGO LAO" "--sort on an enum: listed order, absent last"
sl --sort region:desc --sort id
expect_eq "$(ids)" "NOR IDN LAO AGO KEN" "two keys, the second breaking ties"
al --sort type --columns id,type
expect_eq "$(ids)" "$A6 $A3 $A4 $A5 $A2 $A7" "--sort on an activity enum: the order of the work plan's list"
expect_ok ccm -C "$S" state list --columns id,last_activity,lead --sort last_activity:desc
expect_eq "$(head -n 1 "$T/.out" | tr -s ' ')" "id last_activity lead" "--columns picks the table's columns"
expect_eq "$(sed -n 2p "$T/.out" | tr -s ' ')" "KEN 2024-11-15 Norway" "rows in --sort order"
expect_eq "$(wc -l <"$T/.out")" 6 "a header row and one row per state"
expect_ok ccm -C "$S" activity list --columns id,summary --state LAO
expect_eq "$(sed -n 2p "$T/.out" | tr -s ' ')" "$A3 Survey follow-up"
expect_ok ccm -C "$S" activity list
expect_not_contains "$OUT" "(null)" "no (null) for absent fields"
expect_match "$OUT" "$A5 +2025-08-05 +iwg-meeting +planned +- +Peru +-" "absent fields shown as -"

# ---- refused: each with exit 2, one line naming what is accepted ---------------------------

before=$(store_fingerprint "$S")
refuse() { # refuse NEEDLE CMD...
    local needle=$1
    shift
    expect_exit 2 "$@"
    expect_stderr_one_line "$needle"
    expect_stdout_empty
}
refuse "did you mean 'status'?" ccm -C "$S" state list --where statuss=party
refuse "did you mean 'last_activity'?" ccm -C "$S" state list --sort last_activty
refuse "did you mean 'priority'?" ccm -C "$S" state list --columns id,prority
refuse "= != < <= > >= ~" ccm -C "$S" state list --where region
refuse "party, signatory" ccm -C "$S" state list --where status=partyy
refuse "is a set" ccm -C "$S" state list --where 'targets<ccw'
refuse "YYYY-MM" ccm -C "$S" state list --where 'last_activity<sixmonths'
refuse "YYYY-MM" ccm -C "$S" activity list --since 2025-13
refuse "YYYY-MM" ccm -C "$S" activity list --until -6m
refuse "desc" ccm -C "$S" state list --sort priority:down
refuse "Nrway" ccm -C "$S" activity list --by Nrway
refuse "did you mean 'Norway'?" ccm -C "$S" state list --lead Nrway
refuse "planned, done, cancelled" ccm -C "$S" activity list --status finished
refuse "--where" ccm -C "$S" state list --bogus x
expect_unchanged "$S" "$before" "queries write nothing"
CCMSYNC_TODAY=2025-02-30 expect_exit 2 ccm -C "$S" activity list --since today
expect_stderr_one_line "CCMSYNC_TODAY"

# ---- dates in values: today and relative days are stored as the day -------------------------

expect_ok ccm -C "$S" --json state set NOR last_contact=today
expect_json 'd["fields"]["last_contact"] == "2025-06-30"' "last_contact=today"
expect_ok ccm -C "$S" --json activity add --type ipu --date +14d
A8=$(jq_out 'd["id"]')
expect_ok ccm -C "$S" --json activity show "$A8"
expect_json 'd["fields"]["date"] == "2025-07-14"' "activity add --date +14d"
expect_exit 2 ccm -C "$S" activity add --type ipu --date 2025-07
expect_stderr_one_line "month"

# ---- search ------------------------------------------------------------------------------------

expect_ok ccm -C "$S" --json search SURVEY
expect_json 'd == [{"kind": "activity", "id": "'"$A3"'", "field": "summary", "value": "Survey follow-up"},
    {"kind": "activity", "id": "'"$A3"'", "field": "type", "value": "survey"}]' \
    "search: one hit per matching field, any case"
expect_ok ccm -C "$S" --json search afric
expect_json '[(h["kind"], h["id"], h["field"]) for h in d] == [("state", "AGO", "region"),
    ("state", "KEN", "region")]' "search states"
expect_json 'all(h["kind"] != "activity" or h["id"] != "'"$A1"'" for h in d)'
expect_ok ccm -C "$S" search geneva
expect_contains "$OUT" "nothing you can read contains 'geneva'" "a removed activity is not searched"
expect_ok ccm -C "$S" search follow
expect_match "$OUT" "activity +$A3 +summary +Survey follow-up" "search text: kind, id, field, value"
expect_ok ccm -C "$S" search kEn
expect_contains "$OUT" "state    KEN " "search matches ids"
expect_exit 2 ccm -C "$S" search
expect_stderr_one_line "TEXT"

done_testing
