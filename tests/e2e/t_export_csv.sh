#!/usr/bin/env bash
# t_export_csv.sh - export --format csv: states.csv and activities.csv in a
# folder (-o DIR) or one kind on stdout (--kind); a header row (id first for
# states, last for activities; the schema's fields in order, then the
# user-defined ones sorted); RFC 4180 quoting read back by python's csv
# module; set fields joined by ';'; removed records left out; the round
# trip export -> import -> export reproduces the files byte for byte; JSON
# export to a file; refusals.
. "$(dirname "$0")/lib.sh"

S="$T/store"
new_store "$S"
admit_name "$S" Norway
expect_ok ccm -C "$S" state set LAO status=signatory targets=signatory,ccw lead=Peru,Norway \
    'next_step=Call, then "write"' $'survey_comment=line one\nline two' region=' Asia ' zz_custom=1
expect_ok ccm -C "$S" state set CIV status=party name="Côte d'Ivoire (custom)" priority=low
expect_ok ccm -C "$S" state set IND status=non-party
expect_ok ccm -C "$S" state rm IND
A1=$(ccm -C "$S" activity add --type bilateral --date 2025-03-12 states=LAO,CIV by=Peru \
    status=done 'summary=Met, agreed "next steps"' venue=Geneva)
A2=$(ccm -C "$S" activity add --type survey --date 2025-01-02)
A3=$(ccm -C "$S" activity add --type ipu --date 2025-01-03)
expect_ok ccm -C "$S" activity rm "$A3"

# ---- files in a folder -----------------------------------------------------------------------

expect_ok ccm -C "$S" export --format csv -o "$T/csv"
expect_contains "$OUT" "exported 2 states and 2 activities to $T/csv/states.csv $T/csv/activities.csv"
check "states.csv written" test -s "$T/csv/states.csv"
check "activities.csv written" test -s "$T/csv/activities.csv"
expect_eq "$(head -n 1 "$T/csv/states.csv")" \
    $'id,name,status,targets,region,priority,lead,survey_reasons,survey_comment,last_contact,next_step,zz_custom\r' \
    "states.csv header: id, the schema's fields in order, user-defined ones (CRLF line ends)"
expect_eq "$(head -n 1 "$T/csv/activities.csv")" \
    $'type,date,status,states,by,summary,outcome,follow_up,venue,id\r' \
    "activities.csv header: the schema's fields, user-defined ones, id last"
python3 - "$T/csv" "$A1" "$A2" >"$T/py.out" 2>&1 <<'EOF' && pass || fail "CSV read back by python's csv module: $(cat "$T/py.out")"
import csv, sys
d, a1, a2 = sys.argv[1:4]
states = list(csv.DictReader(open(d + "/states.csv", newline="", encoding="utf-8")))
assert [r["id"] for r in states] == ["CIV", "LAO"], states
lao = states[1]
assert lao["targets"] == "ccw;signatory", lao
assert lao["lead"] == "Norway;Peru", lao
assert lao["next_step"] == 'Call, then "write"', lao
assert lao["survey_comment"] == "line one\nline two", lao
assert lao["region"] == " Asia ", lao
assert lao["name"] == "Lao People's Democratic Republic" and lao["zz_custom"] == "1", lao
assert lao["priority"] == "" and lao["last_contact"] == "", lao
assert states[0]["name"] == "Côte d'Ivoire (custom)", states[0]
acts = list(csv.DictReader(open(d + "/activities.csv", newline="", encoding="utf-8")))
assert [r["id"] for r in acts] == sorted([a1, a2]), acts
x = [r for r in acts if r["id"] == a1][0]
assert x["states"] == "CIV;LAO" and x["by"] == "Peru" and x["summary"] == 'Met, agreed "next steps"', x
assert x["venue"] == "Geneva" and x["status"] == "done", x
EOF
expect_not_contains "$(cat "$T/csv/states.csv")" "IND" "a removed state is left out"
expect_not_contains "$(cat "$T/csv/activities.csv")" "$A3" "a removed activity is left out"
expect_not_contains "$(cat "$T/csv/states.csv")" "last_activity" "computed fields are not exported"

# ---- one kind on stdout ------------------------------------------------------------------------

expect_ok ccm -C "$S" export --format csv --kind state
check "--kind state on stdout is states.csv" cmp -s "$T/.out" "$T/csv/states.csv"
expect_ok ccm -C "$S" export --format csv --kind activity
check "--kind activity on stdout is activities.csv" cmp -s "$T/.out" "$T/csv/activities.csv"
expect_ok ccm -C "$S" --json export --format csv --kind activity -o "$T/only"
expect_json 'd["files"] == ["'"$T/only/activities.csv"'"] and d["activities"] == 2' \
    "--json with -o: one document naming the files"
check "only that kind's file" test ! -e "$T/only/states.csv"

# ---- round trip ----------------------------------------------------------------------------------

S2="$T/store2"
new_store "$S2" Norway
expect_ok ccm -C "$S2" import "$T/csv/states.csv"
expect_ok ccm -C "$S2" import "$T/csv/activities.csv"
expect_contains "$ERR" "warning: 'Peru' is not a member" \
    "names outside the new group are warned about, not refused"
expect_ok ccm -C "$S2" export --format csv -o "$T/csv2"
check "export -> import -> export: states.csv identical" cmp -s "$T/csv/states.csv" "$T/csv2/states.csv"
check "export -> import -> export: activities.csv identical (ids kept)" \
    cmp -s "$T/csv/activities.csv" "$T/csv2/activities.csv"
# Importing the same files again changes nothing (the ids are known).
expect_ok ccm -C "$S2" import "$T/csv/activities.csv"
expect_ok ccm -C "$S2" --json activity list
expect_json 'len(d) == 2' "re-importing activities.csv adds no activity"

# ---- JSON to a file; refusals -------------------------------------------------------------------

expect_ok ccm -C "$S" export
cp "$T/.out" "$T/stdout.json"
expect_ok ccm -C "$S" export -o "$T/file.json"
check "export -o FILE writes the JSON document" cmp -s "$T/stdout.json" "$T/file.json"
expect_ok ccm -C "$S" --json export -o "$T/file2.json"
expect_json 'd["files"] == ["'"$T/file2.json"'"] and d["states"] == 2 and d["activities"] == 2'
before=$(store_fingerprint "$S")
for args in "--format csv" "--format xml" "--kind state" "--format csv --kind country" \
    "--format csv --bogus"; do
    # shellcheck disable=SC2086
    expect_exit 2 ccm -C "$S" export $args
    expect_stderr_one_line
done
expect_exit 2 ccm -C "$S" --json export --format csv --kind state
expect_stderr_one_line "-o DIR"
expect_unchanged "$S" "$before" "export writes nothing to the store"

done_testing
