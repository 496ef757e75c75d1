#!/usr/bin/env bash
# t_records.sh - state and activity records through the command line: every
# field type round trip, --json shapes, filters, log, blame, export, and one
# commit per command.
. "$(dirname "$0")/lib.sh"

# shellcheck disable=SC2317 # called through check
not_cmp() { ! cmp -s "$1" "$2"; }

S="$T/store"
new_store "$S"
expect_eq "$(commits "$S")" 1 "a new store has one commit (the roster)"
# lead and by name members of the group.
admit_name "$S" Norway
admit_name "$S" Malawi

# ---- state: every field type ---------------------------------------------

n=$(commits "$S")
expect_ok ccm -C "$S" state set lao status=signatory priority=high region=Asia \
    last_contact=2025-03-01 targets=signatory,ccw lead+=Peru lead+=Norway \
    survey_reasons+=cost survey_comment='Awaiting cabinet' \
    'next_step=Meet; then = call, é' secret_marker_field=hello
expect_eq "$(commits "$S")" $((n + 1)) "state set makes exactly one commit"
expect_contains "$OUT" "state LAO" "state set prints the record"

expect_ok ccm -C "$S" --json state show LAO
expect_json 'sorted(d) == ["conflicts", "fields", "id", "kind", "meta"]' "state show keys"
expect_json 'd["id"] == "LAO" and d["kind"] == "state" and d["conflicts"] == {}'
expect_json 'd["fields"] == {"name": "Lao People'"'"'s Democratic Republic",
    "status": "signatory", "priority": "high", "region": "Asia",
    "last_contact": "2025-03-01", "targets": ["ccw", "signatory"],
    "lead": ["Norway", "Peru"], "survey_reasons": ["cost"],
    "survey_comment": "Awaiting cabinet", "next_step": "Meet; then = call, é",
    "secret_marker_field": "hello"}' "state fields round trip (lower-case id, defaulted name)"
expect_json 'sorted(d["meta"]) == sorted(set(d["fields"]) - {"name"})' \
    "meta has one entry per assigned field (name is defaulted, not assigned)"
expect_json 'all(sorted(m) == ["at", "by"] and m["by"] == "Peru" and RFC3339.match(m["at"])
    for m in d["meta"].values())' "meta entries are {by: member, at: RFC3339}"
at_lead=$(jq_out 'd["meta"]["lead"]["at"]')

# Text output for people.
expect_ok ccm -C "$S" state show lao
expect_contains "$OUT" "Lao People's Democratic Republic"
expect_contains "$OUT" "ccw, signatory"

# Set operations: add, remove, replace, clear; scalar clear; name override.
n=$(commits "$S")
expect_ok ccm -C "$S" --json state set LAO targets+=apmbc targets-=ccw survey_reasons+=security \
    survey_reasons+=alliances region= name=Laos
expect_eq "$(commits "$S")" $((n + 1)) "one command, one commit (several fields)"
expect_json 'd["fields"]["targets"] == ["apmbc", "signatory"]' "+= and -= on a set"
expect_json 'd["fields"]["survey_reasons"] == ["alliances", "cost", "security"]' \
    "sets are sorted arrays"
expect_json '"region" not in d["fields"]' "region= clears a text field"
expect_json 'd["fields"]["name"] == "Laos"' "name can be overridden"
expect_ok ccm -C "$S" --json state set LAO lead=Malawi,Peru survey_reasons= name=
expect_json 'd["fields"]["lead"] == ["Malawi", "Peru"]' "field=a,b replaces a set"
expect_json '"survey_reasons" not in d["fields"]' "field= empties a set"
expect_json 'd["fields"]["name"] == "Lao People'"'"'s Democratic Republic"' \
    "name= falls back to the ISO name"
expect_ok ccm -C "$S" --json state show LAO
expect_json 'd["fields"]["lead"] == ["Malawi", "Peru"] and "survey_reasons" not in d["fields"]
    and d["fields"]["status"] == "signatory" and d["fields"]["last_contact"] == "2025-03-01"' \
    "changes persist and untouched fields stay"
expect_ok ccm -C "$S" --json state set LAO last_contact=2024-02-29 priority=low status=non-party
expect_json 'd["fields"]["last_contact"] == "2024-02-29" and d["fields"]["priority"] == "low"
    and d["fields"]["status"] == "non-party"' "date (leap day) and enums replace"

# A state set on a new state with only a user-defined field.
expect_ok ccm -C "$S" --json state set KEN meeting_room='B-12, 3rd floor'
expect_json 'd["id"] == "KEN" and d["fields"] == {"name": "Kenya", "meeting_room": "B-12, 3rd floor"}' \
    "user-defined text field on a new state, name defaulted"

# Removing an element that is not there changes nothing: it should not make a
# commit, nor claim in blame/meta that `lead` was assigned again.
expect_ok ccm -C "$S" --json state show LAO
at_lead=$(jq_out 'd["meta"]["lead"]["at"]')
before=$(store_fingerprint "$S")
n=$(commits "$S")
expect_ok ccm -C "$S" --json state set LAO lead-=Nobody
expect_json 'd["fields"]["lead"] == ["Malawi", "Peru"]' "removing an absent element keeps the set"
expect_eq "$(commits "$S")" "$n" "removing an absent set element makes no commit"
expect_ok ccm -C "$S" --json state show LAO
expect_eq "$(jq_out 'd["meta"]["lead"]["at"]')" "$at_lead" \
    "removing an absent set element does not re-stamp the field"
expect_unchanged "$S" "$before" "state set LAO lead-=Nobody (absent element)"

# ---- activities ----------------------------------------------------------

n=$(commits "$S")
expect_ok ccm -C "$S" activity add --type bilateral --date 2025-01-15 states=LAO,KEN by=Peru \
    summary='Met the ambassador, positive' follow_up='send model law'
expect_match "$OUT" '^[0-9a-f]{16}$' "activity add prints a 16-hex id"
A1=$OUT
expect_eq "$(commits "$S")" $((n + 1)) "activity add makes one commit"

expect_ok ccm -C "$S" --json activity add --type survey --date 2025-02-01 states+=IDN status=done
expect_json 'sorted(d) == ["id"] and HEX16.match(d["id"])' '--json activity add prints exactly {"id": ...}'
A2=$(jq_out 'd["id"]')
expect_ne "$A1" "$A2" "activity ids are distinct"

expect_ok ccm -C "$S" activity add --type side-event --date 2025-03-31 states=LAO,IDN status=planned \
    by=Norway,Peru
A3=$OUT
expect_ok ccm -C "$S" activity add --type iwg-meeting --date 2025-04-01
A4=$OUT

expect_ok ccm -C "$S" --json activity show "$A1"
expect_json 'sorted(d) == ["conflicts", "fields", "id", "kind", "meta"]' "activity show keys"
expect_json 'd["id"] == "'"$A1"'" and d["kind"] == "activity" and d["conflicts"] == {}'
expect_json 'd["fields"] == {"type": "bilateral", "date": "2025-01-15", "states": ["KEN", "LAO"],
    "by": ["Peru"], "summary": "Met the ambassador, positive", "follow_up": "send model law"}' \
    "activity fields round trip"
expect_json 'sorted(d["meta"]) == sorted(d["fields"]) and all(m["by"] == "Peru" for m in d["meta"].values())'

# Unique prefixes for set / show / rm.
all_ids="$A1 $A2 $A3 $A4"
unique_prefix() { # shortest prefix of $1 shared with no other id, at least 4
    local id=$1 len other ok
    for ((len = 4; len <= 16; len++)); do
        ok=1
        for other in $all_ids; do
            if [[ "$other" != "$id" && "${other:0:len}" == "${id:0:len}" ]]; then ok=0; fi
        done
        if [[ $ok -eq 1 ]]; then
            echo "${id:0:len}"
            return
        fi
    done
}
P1=$(unique_prefix "$A1")
n=$(commits "$S")
expect_ok ccm -C "$S" --json activity set "$P1" status=done outcome='will sign' follow_up=
expect_json 'd["id"] == "'"$A1"'" and d["fields"]["status"] == "done" and d["fields"]["outcome"] == "will sign"
    and "follow_up" not in d["fields"]' "activity set by unique prefix"
expect_eq "$(commits "$S")" $((n + 1)) "activity set makes one commit"
expect_ok ccm -C "$S" --json activity show "$P1"
expect_json 'd["id"] == "'"$A1"'" and d["fields"]["outcome"] == "will sign"' "activity show by prefix"
expect_ok ccm -C "$S" activity set "$A2" states-=IDN states+=KEN states+=NOR
expect_ok ccm -C "$S" --json activity show "$A2"
expect_json 'd["fields"]["states"] == ["KEN", "NOR"]' "activity set fields: -= and += on states"

# Ambiguous prefix: by the pigeonhole principle, 17 ids share a first digit.
declare -A first=()
for id in $all_ids; do first[${id:0:1}]=$((${first[${id:0:1}]:-0} + 1)); done
amb=""
for k in "${!first[@]}"; do if [[ ${first[$k]} -ge 2 ]]; then amb=$k; fi; done
extra=0
while [[ -z "$amb" ]]; do
    id=$(ccm -C "$S" activity add --type other --date 2024-12-01)
    extra=$((extra + 1))
    all_ids="$all_ids $id"
    first[${id:0:1}]=$((${first[${id:0:1}]:-0} + 1))
    if [[ ${first[${id:0:1}]} -ge 2 ]]; then amb=${id:0:1}; fi
done
check "at most 16 extra activities are needed for a shared first digit" test "$extra" -le 16
before=$(store_fingerprint "$S")
expect_exit 2 ccm -C "$S" activity show "$amb"
expect_stderr_one_line "$amb" "ambiguous"
expect_exit 2 ccm -C "$S" activity set "$amb" status=done
expect_stderr_one_line "ambiguous"
expect_exit 2 ccm -C "$S" activity rm "$amb"
expect_stderr_one_line "ambiguous"
expect_unchanged "$S" "$before" "ambiguous prefixes write nothing"

# rm: a tombstone; show fails, list and export omit it, log keeps it.
P4=$(unique_prefix "$A4")
n=$(commits "$S")
expect_ok ccm -C "$S" activity rm "$P4"
expect_contains "$OUT" "$A4" "activity rm names the full id"
expect_eq "$(commits "$S")" $((n + 1)) "activity rm makes one commit"
expect_exit 1 ccm -C "$S" activity show "$A4"
expect_stderr_one_line "$A4"
expect_exit 1 ccm -C "$S" activity set "$A4" status=done
expect_stderr_one_line "$A4"
expect_ok ccm -C "$S" --json activity list
expect_json 'not any(x["id"] == "'"$A4"'" for x in d)' "activity list omits a removed activity"
expect_json 'any(x["id"] == "'"$A1"'" for x in d)'
expect_ok ccm -C "$S" activity list
expect_not_contains "$OUT" "$A4" "text list omits a removed activity"
expect_ok ccm -C "$S" --json log "$A4"
expect_json 'any(e["field"] == "(deleted)" and e["record"] == "'"$A4"'" for e in d)' \
    "log shows the (deleted) pseudo-field"
expect_json 'any(e["field"] == "type" and e["new"] == "iwg-meeting" for e in d)' \
    "log keeps the removed activity's history"
expect_ok ccm -C "$S" log "$A4"
expect_contains "$OUT" "(deleted)"

# ---- filters -------------------------------------------------------------

expect_ok ccm -C "$S" state set IDN status=signatory targets=signatory,ccw region=Asia
expect_ok ccm -C "$S" state set KEN status=non-party targets=apmbc,unga-yes region=Africa lead+=Norway
expect_ok ccm -C "$S" state set NOR status=party region=Europe
expect_ok ccm -C "$S" state set LAO targets=signatory,apmbc region=Asia

ids() { jq_out '" ".join(x["id"] for x in d)'; }
expect_ok ccm -C "$S" --json state list
expect_eq "$(ids)" "IDN KEN LAO NOR" "state list: every state, sorted by id"
expect_json 'all(sorted(x) == ["conflicts", "fields", "id", "kind", "meta"] for x in d)' \
    "state list items have the state show shape"
expect_ok ccm -C "$S" --json state list --target signatory
expect_eq "$(ids)" "IDN LAO" "state list --target signatory"
expect_ok ccm -C "$S" --json state list --target apmbc
expect_eq "$(ids)" "KEN LAO" "state list --target apmbc"
expect_ok ccm -C "$S" --json state list --status non-party
expect_eq "$(ids)" "KEN LAO" "state list --status non-party"
expect_ok ccm -C "$S" --json state list --status withdrawn
expect_eq "$(jq_out 'len(d)')" 0 "state list --status with no match is []"
expect_ok ccm -C "$S" --json state list --where region=Asia
expect_eq "$(ids)" "IDN LAO" "state list --where region=Asia"
expect_ok ccm -C "$S" --json state list --where lead=Norway
expect_eq "$(ids)" "KEN" "state list --where on a set field"
expect_ok ccm -C "$S" --json state list --where meeting_room='B-12, 3rd floor'
expect_eq "$(ids)" "KEN" "state list --where on a user-defined field"
expect_ok ccm -C "$S" --json state list --target signatory --status non-party
expect_eq "$(ids)" "LAO" "state list filters combine with AND"
expect_ok ccm -C "$S" state list --target signatory
expect_contains "$OUT" "IDN"
expect_not_contains "$OUT" "KEN" "text state list is filtered too"

expect_ok ccm -C "$S" --json activity list
expect_json '[x["fields"]["date"] for x in d] == sorted(x["fields"]["date"] for x in d)' \
    "activity list is ordered by date"
expect_ok ccm -C "$S" --json activity list --state LAO
expect_eq "$(ids)" "$A1 $A3" "activity list --state LAO"
expect_ok ccm -C "$S" --json activity list --state kEn
expect_eq "$(ids)" "$A1 $A2" "activity list --state (any case)"
expect_ok ccm -C "$S" --json activity list --type survey
expect_eq "$(ids)" "$A2" "activity list --type survey"
expect_ok ccm -C "$S" --json activity list --since 2025-02-01 --until 2025-03-31
expect_eq "$(ids)" "$A2 $A3" "activity list --since/--until are inclusive"
expect_ok ccm -C "$S" --json activity list --since 2025-02-02
expect_eq "$(ids)" "$A3" "activity list --since (the removed one stays out)"
expect_ok ccm -C "$S" --json activity list --until 2025-01-15 --state LAO
expect_eq "$(ids)" "$A1" "activity list --until combined with --state"

# ---- log ---------------------------------------------------------------------

expect_ok ccm -C "$S" state set NOR priority=high
c1=$(head_of "$S")
expect_ok ccm -C "$S" state set NOR priority=medium targets+=ccw
c2=$(head_of "$S")
expect_ok ccm -C "$S" --json log NOR
expect_json 'isinstance(d, list) and len(d) >= 4' "log NOR is an array"
expect_json 'all(sorted(e) == ["at", "commit", "field", "member", "new", "old", "record"] for e in d)' \
    "log entries have exactly commit, member, at, record, field, old, new"
expect_json 'all(e["record"] == "NOR" and e["member"] == "Peru" and HEX40.match(e["commit"])
    and RFC3339.match(e["at"]) for e in d)'
expect_json '[(e["old"], e["new"], e["commit"]) for e in d if e["field"] == "priority"]
    == [("high", "medium", "'"$c2"'"), (None, "high", "'"$c1"'")]' \
    "log: priority - -> high -> medium, newest first, with the commits"
expect_json '[(e["old"], e["new"]) for e in d if e["field"] == "targets"] == [(None, ["ccw"])]' \
    "log: a set field's old -> new"
expect_json '[(e["old"], e["new"]) for e in d if e["field"] == "status"] == [(None, "party")]'
expect_ok ccm -C "$S" --json log LAO
expect_json '[(e["old"], e["new"]) for e in d if e["field"] == "status"]
    == [("signatory", "non-party"), (None, "signatory")]' "log LAO: status history"
expect_json '[(e["old"], e["new"]) for e in d if e["field"] == "lead"][0]
    == (["Norway", "Peru"], ["Malawi", "Peru"])' "log LAO: set replacement"
expect_json 'any(e["field"] == "region" and e["old"] == "Asia" and e["new"] is None for e in d)' \
    "log LAO: a cleared field"
expect_ok ccm -C "$S" state set NOR priority=medium
expect_ok ccm -C "$S" --json log NOR
expect_json '[(e["old"], e["new"]) for e in d if e["field"] == "priority"]
    == [("high", "medium"), (None, "high")]' "log: setting the same value again adds no old -> new entry"
expect_ok ccm -C "$S" log NOR
expect_contains "$OUT" "'high' -> 'medium'" "text log shows old -> new"
expect_contains "$OUT" "${c2:0:10}"
expect_ok ccm -C "$S" --json log
expect_json 'set(e["record"] for e in d) >= {"LAO", "KEN", "NOR", "IDN", "'"$A1"'", "'"$A4"'"}' \
    "log without ID covers every record"
expect_ok ccm -C "$S" --json log --member Peru
expect_json 'len(d) > 0 and all(e["member"] == "Peru" for e in d)'
expect_ok ccm -C "$S" --json log --member Norway
expect_eq "$(jq_out 'len(d)')" 0 "log --member of a member without commits is []"
expect_ok ccm -C "$S" --json log --since 2999-01-01
expect_eq "$(jq_out 'len(d)')" 0 "log --since in the future is []"

# ---- blame -------------------------------------------------------------------

expect_ok ccm -C "$S" --json state show NOR
at_prio=$(jq_out 'd["meta"]["priority"]["at"]')
expect_ok ccm -C "$S" --json blame NOR
expect_json 'd["fields"]["priority"]["value"] == "medium" and d["fields"]["priority"]["by"] == "Peru"
    and d["fields"]["priority"]["at"] == "'"$at_prio"'"' "blame: value, member and time that holds"
expect_json 'd["fields"]["targets"]["value"] == ["ccw"] and d["fields"]["status"]["value"] == "party"'
expect_ok ccm -C "$S" blame nor
expect_match "$OUT" "priority +Peru +[0-9T:.Z-]+ +'medium'" "text blame names member and value"

# ---- export --------------------------------------------------------------------

expect_ok ccm -C "$S" export
cp "$T/.out" "$T/export1.json"
expect_ok ccm -C "$S" export
cp "$T/.out" "$T/export2.json"
check "export is deterministic (two runs byte-identical)" cmp -s "$T/export1.json" "$T/export2.json"
expect_json '[x["id"] for x in d["states"]] == ["IDN", "KEN", "LAO", "NOR"]' "export: states by id"
expect_json '[x["id"] for x in d["activities"]] == sorted(x["id"] for x in d["activities"])' \
    "export: activities by id"
expect_json '"'"$A4"'" not in [x["id"] for x in d["activities"]]' "export omits a removed activity"
expect_not_contains "$(cat "$T/export1.json")" "$A4"
expect_json 'by_id(d["states"], "LAO")["fields"]["lead"] == ["Malawi", "Peru"]
    and by_id(d["activities"], "'"$A2"'")["fields"]["states"] == ["KEN", "NOR"]' "export holds the fields"
expect_ok ccm -C "$S" --json export
check "--json export is the same document" cmp -s "$T/export1.json" "$T/.out"
expect_ok ccm -C "$S" state set IDN priority=low
expect_ok ccm -C "$S" export
check "export reflects a new write" not_cmp "$T/export1.json" "$T/.out"

# ---- one command, one commit; reads write nothing -------------------------------

before=$(store_fingerprint "$S")
n=$(commits "$S")
for cmd in "state show LAO" "state list" "activity list" "activity show $A1" "log" "blame LAO" \
    "export" "whoami" "member list" "verify"; do
    # shellcheck disable=SC2086
    expect_ok ccm -C "$S" $cmd
done
expect_eq "$(commits "$S")" "$n" "read commands make no commit"
expect_unchanged "$S" "$before" "read commands"

done_testing
