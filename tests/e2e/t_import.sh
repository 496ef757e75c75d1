#!/usr/bin/env bash
# t_import.sh - bulk loads: JSON and CSV imports as one commit each, CSV
# quoting and set cells, export | import round trips into a new store, and
# re-importing an export keeps activity ids (no duplicates).
. "$(dirname "$0")/lib.sh"

S="$T/store"
new_store "$S"

# ---- JSON: 20 states and 50 activities in one commit ------------------------------

python3 - "$T/bulk.json" <<'EOF'
import json, sys
codes = ["AGO", "ARG", "BRA", "CHN", "EGY", "FIN", "GRC", "IDN", "IND", "IRN",
         "ISR", "KEN", "KOR", "LAO", "NGA", "PAK", "POL", "ROU", "RUS", "USA"]
statuses = ["party", "signatory", "non-party", "withdrawing", "withdrawn"]
states = [{"id": c, "fields": {"status": statuses[i % 5], "region": "R%d" % (i % 3),
                               "targets": ["signatory", "ccw"] if i % 2 else ["apmbc"],
                               "lead": ["Peru"], "last_contact": "2025-01-%02d" % (i + 1),
                               "survey_reasons": None if i % 4 else ["cost", "security"],
                               "note_field": "state %d" % i}}
          for i, c in enumerate(codes)]
types = ["bilateral", "survey", "side-event", "iwg-meeting", "embassy"]
acts = [{"fields": {"type": types[i % 5], "date": "2025-%02d-%02d" % (i % 12 + 1, i % 28 + 1),
                    "status": "done", "states": [codes[i % 20], codes[(i + 7) % 20]],
                    "by": ["Peru", "Norway"], "summary": "activity %02d, \"quoted\"" % i}}
        for i in range(50)]
json.dump({"meta": {"ignored": True}, "states": states, "activities": acts},
          open(sys.argv[1], "w"), indent=2)
EOF
n=$(commits "$S")
expect_ok ccm -C "$S" --json import "$T/bulk.json"
expect_json 'd["states"] == 20 and d["activities"] == 50' "import counts 20 states and 50 activities"
expect_json 'd["commit"] == "'"$(head_of "$S")"'"' "import names its commit"
expect_eq "$(commits "$S")" $((n + 1)) "a JSON import is exactly one commit"
expect_ok ccm -C "$S" --json state list
expect_json 'len(d) == 20' "20 states imported"
expect_json '{k: v for k, v in by_id(d, "KEN")["fields"].items() if k != "last_activity"}
    == {"name": "Kenya", "status": "signatory", "region": "R2",
    "targets": ["ccw", "signatory"], "lead": ["Peru"], "last_contact": "2025-01-12",
    "note_field": "state 11"}' \
    "an imported state's fields"
# KEN (codes[11]) is in the activities i = 11, 31 (i % 20) and 4, 24, 44
# ((i + 7) % 20), all done: the latest is i = 11, on 2025-12-12.
expect_json 'by_id(d, "KEN")["fields"]["last_activity"] == "2025-12-12"' \
    "last_activity is computed from the imported done activities"
expect_json 'by_id(d, "AGO")["fields"]["survey_reasons"] == ["cost", "security"]
    and "survey_reasons" not in by_id(d, "ARG")["fields"]' "null leaves a set empty"
expect_ok ccm -C "$S" --json activity list
expect_json 'len(d) == 50 and all(HEX16.match(x["id"]) for x in d)' "50 activities with fresh ids"
expect_json 'len(set(x["id"] for x in d)) == 50' "imported activity ids are distinct"
expect_json 'sorted(x["fields"]["summary"] for x in d) == ["activity %02d, \"quoted\"" % i for i in range(50)]'
expect_ok ccm -C "$S" --json activity list --state LAO
expect_json 'len(d) == 5' "imported activities are found by state (LAO: i % 20 == 13 or (i + 7) % 20 == 13)"
expect_ok ccm -C "$S" --json log KEN
expect_json 'len(d) > 0 and all(e["member"] == "Peru" and e["commit"] == "'"$(head_of "$S")"'"
    for e in d)' "the log attributes imported fields to the importer and the import commit"

# ---- CSV: states (id first), quoting, set cells with ';' ---------------------------

# A byte order mark and CRLF line ends, as spreadsheets write them.
{
    printf '\xef\xbb\xbfid,status,targets,region,next_step\r\n'
    printf 'NOR,party,,"Europe, ""Nordic""",\r\n'
    printf 'MWI,party,interim-steps;unga-yes,Africa,"call\nthen write"\r\n'
    printf 'KEN,non-party,signatory;apmbc,,\r\n'
} >"$T/states.csv"
n=$(commits "$S")
expect_ok ccm -C "$S" --json import "$T/states.csv"
expect_json 'd["states"] == 3 and d["activities"] == 0'
expect_eq "$(commits "$S")" $((n + 1)) "a CSV import is one commit"
expect_ok ccm -C "$S" --json state show NOR
expect_json 'd["fields"] == {"name": "Norway", "status": "party", "region": "Europe, \"Nordic\""}' \
    "CSV quoting (comma and doubled quote); empty cells set nothing"
expect_ok ccm -C "$S" --json state show MWI
expect_json 'd["fields"]["targets"] == ["interim-steps", "unga-yes"]' "set cells separated by ';'"
expect_json 'd["fields"]["next_step"] == "call\nthen write"' "a quoted cell may hold a line break"
expect_ok ccm -C "$S" --json state show KEN
expect_json 'd["fields"]["status"] == "non-party" and d["fields"]["targets"] == ["apmbc", "signatory"]
    and d["fields"]["region"] == "R2" and d["fields"]["note_field"] == "state 11"' \
    "CSV import updates an existing state; empty cells leave fields alone"

# ---- CSV: activities (no id column), from standard input ---------------------------

n=$(commits "$S")
before_acts=$(ccm -C "$S" --json activity list | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
expect_ok ccm -C "$S" --json import - <<'EOF'
type,date,states,by,summary,status
regional-workshop,2025-09-01,MWI;KEN,Peru;Malawi,"Lilongwe workshop, day 1",planned
ipu,2025-09-02,NOR,,IPU assembly,
EOF
expect_json 'd["activities"] == 2 and d["states"] == 0' "CSV activities from stdin"
expect_eq "$(commits "$S")" $((n + 1)) "one commit"
expect_ok ccm -C "$S" --json activity list --since 2025-09-01 --until 2025-09-02
expect_json 'len(d) == 2' "the CSV activities are there"
expect_json 'd[0]["fields"] == {"type": "regional-workshop", "date": "2025-09-01",
    "states": ["KEN", "MWI"], "by": ["Malawi", "Peru"], "summary": "Lilongwe workshop, day 1",
    "status": "planned"}' "CSV activity fields (sets with ';')"
expect_json 'd[1]["fields"] == {"type": "ipu", "date": "2025-09-02", "states": ["NOR"],
    "summary": "IPU assembly"}' "CSV activity: empty cells set nothing"
expect_ok ccm -C "$S" --json activity list
expect_eq "$(jq_out 'len(d)')" $((before_acts + 2)) "exactly two activities added"

# An activity with an id the store does not know is new: it needs type and
# date like any other new activity (activity add requires both).
# (On a copy, so that the rest of the test does not depend on the outcome.)
cp -a "$S" "$T/copy"
before=$(store_fingerprint "$T/copy")
printf '{"activities": [{"id": "0123456789abcdef", "fields": {"summary": "no type"}}]}\n' >"$T/newid.json"
expect_exit 2 ccm -C "$T/copy" import "$T/newid.json"
expect_stderr_one_line "type"
expect_unchanged "$T/copy" "$before" "import of a new activity without type and date"

# ---- export | import into a new store -------------------------------------------------

expect_ok ccm -C "$S" activity rm "$(ccm -C "$S" activity list --type ipu --columns id | tail -n 1)"
expect_ok ccm -C "$S" export
cp "$T/.out" "$T/export.json"
S2="$T/store2"
new_store "$S2" Norway
n=$(commits "$S2")
expect_ok ccm -C "$S2" import - <"$T/export.json"
expect_eq "$(commits "$S2")" $((n + 1)) "importing an export is one commit"
expect_ok ccm -C "$S2" export
cp "$T/.out" "$T/export2.json"
# fields_only FILE : the export without meta and conflicts (who and when differ).
fields_only() {
    python3 - "$1" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
for kind in ("states", "activities"):
    for r in d[kind]:
        r.pop("meta"); r.pop("conflicts")
print(json.dumps(d, sort_keys=True, indent=1))
EOF
}
fields_only "$T/export.json" >"$T/f1.json"
fields_only "$T/export2.json" >"$T/f2.json"
check "export | import into a new store reproduces the records" cmp -s "$T/f1.json" "$T/f2.json"
expect_json 'all(m["by"] == "Norway" for r in d["states"] + d["activities"] for m in r["meta"].values())' \
    "the new store attributes the imported fields to its own member (meta of the file ignored)"
expect_json 'len(d["activities"]) == 51 and len(d["states"]) == 22'
expect_not_contains "$(cat "$T/export2.json")" "IPU assembly" "the removed activity did not travel"
expect_ok ccm -C "$S2" verify

# ---- re-importing an export into the same store keeps ids ---------------------------------

n=$(commits "$S")
expect_ok ccm -C "$S" import "$T/export.json"
check "re-importing makes at most one commit" test "$(commits "$S")" -le $((n + 1))
expect_ok ccm -C "$S" export
cp "$T/.out" "$T/export3.json"
fields_only "$T/export3.json" >"$T/f3.json"
check "re-importing an export changes no record and adds none" cmp -s "$T/f1.json" "$T/f3.json"
expect_json 'len(d["activities"]) == 51' "no duplicate activities"
expect_ok ccm -C "$S" --json activity list
expect_json 'len(d) == 51 and len(set(x["id"] for x in d)) == 51'
# The same in the second store: importing its own export again adds nothing.
expect_ok ccm -C "$S2" import "$T/export2.json"
expect_ok ccm -C "$S2" export
fields_only "$T/.out" >"$T/f4.json"
check "second store: re-import keeps ids" cmp -s "$T/f1.json" "$T/f4.json"

# ---- a large import (written as a pack) ------------------------------------------------------

python3 - "$T/large.json" <<'EOF'
import json, sys
acts = [{"fields": {"type": "embassy", "date": "2024-%02d-%02d" % (i % 12 + 1, i % 28 + 1),
                    "states": ["IDN"], "summary": "large %03d" % i}} for i in range(400)]
json.dump({"activities": acts}, open(sys.argv[1], "w"))
EOF
n=$(commits "$S")
expect_ok ccm -C "$S" --json import "$T/large.json"
expect_json 'd["activities"] == 400'
expect_eq "$(commits "$S")" $((n + 1)) "a 400-record import is one commit"
expect_ok ccm -C "$S" --json activity list --type embassy --until 2024-12-31
expect_json 'sorted(x["fields"]["summary"] for x in d) == ["large %03d" % i for i in range(400)]' \
    "all 400 imported activities are listed"
LARGE_ID=$(jq_out 'd[-1]["id"]')
LARGE_SUMMARY=$(jq_out 'd[-1]["fields"]["summary"]')
expect_ok ccm -C "$S" --json activity show "${LARGE_ID:0:8}"
expect_json 'd["id"] == "'"$LARGE_ID"'" and d["fields"]["summary"] == "'"$LARGE_SUMMARY"'"' \
    "an activity of the large import, by prefix"
expect_ok ccm -C "$S" verify
expect_ok git --git-dir="$S/repo" fsck --strict --no-dangling

done_testing
