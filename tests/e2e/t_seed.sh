#!/usr/bin/env bash
# t_seed.sh - `ccmsync seed` loads the public reference facts (the 12
# signatories, Lithuania's withdrawal, the recent ratifications and
# accessions, the Mine Ban Convention parties), each with its source, and the
# work plan's timeline as planned activities, as one ordinary signed commit;
# it never overwrites what a member recorded; a second run adds nothing and
# writes no commit; every member who seeds gets the same activity ids, so
# seeding on two replicas and syncing does not duplicate the timeline; a
# reader cannot seed.
. "$(dirname "$0")/lib.sh"

S="$T/peru"
new_store "$S" Peru
expect_ok ccm -C "$S" state set IDN priority=high status=party 'next_step=Our own words'
c0=$(commits "$S")

run ccm -C "$S" --json seed
expect_json 'd["states"] == 16 and d["activities"] == 10 and re.match("^[0-9a-f]{40}$", d["commit"])' \
    "seed writes 16 states and 10 activities"
expect_eq "$(commits "$S")" "$((c0 + 1))" "in one commit"
expect_eq "$(jq_out 'd["commit"]')" "$(head_of "$S")" "the commit it names is the head"
expect_ok ccm -C "$S" verify

run ccm -C "$S" --json state list --target signatory
expect_json 'sorted(s["id"] for s in d) == ["AGO", "CAF", "COD", "CYP", "DJI", "HTI", "IDN", "JAM", "KEN", "LBR", "TZA", "UGA"]' \
    "the 12 signatories that had not ratified are targets"
expect_json 'all(s["fields"].get("source") for s in d)' "each with its source"
run ccm -C "$S" --json state list --target apmbc
expect_json 'sorted(s["id"] for s in d) == ["HTI", "IDN", "JAM"]' "Haiti, Indonesia, Jamaica: Mine Ban Convention parties"
run ccm -C "$S" --json state show CYP
expect_json 'd["fields"]["signed"] == "2009-09-23" and d["fields"]["status"] == "signatory" and "Monitor" in d["fields"]["source"]' \
    "Cyprus: signed 2009-09-23, with its source"
run ccm -C "$S" --json state show LTU
expect_json 'd["fields"]["status"] == "withdrawn" and d["fields"]["targets"] == ["withdrawing"] and d["fields"]["withdrawal_deposited"] == "2024-09-06" and d["fields"]["withdrawal_effective"] == "2025-03-06" and d["fields"]["withdrawal_voted"] == "2024-07-18"' \
    "Lithuania's withdrawal, with its dates"
for x in "NGA:ratified:2023-02-28" "SSD:acceded:2023-08-03" "VUT:acceded:2025-09-05"; do
    IFS=: read -r id field date <<<"$x"
    run ccm -C "$S" --json state show "$id"
    expect_json 'd["fields"]["status"] == "party" and d["fields"]["'"$field"'"] == "'"$date"'" and d["fields"]["source"]' \
        "$id: party, $field $date, with its source"
done

# What the member had recorded stays; the facts only fill what was empty.
run ccm -C "$S" --json state show IDN
expect_json 'd["fields"]["status"] == "party" and d["fields"]["priority"] == "high" and d["fields"]["next_step"] == "Our own words" and d["fields"]["signed"] == "2008-12-03" and d["fields"]["targets"] == ["apmbc", "signatory"]' \
    "seed never overwrites a member's value"

run ccm -C "$S" --json activity list
expect_json 'len(d) == 10 and all(a["fields"]["status"] == "planned" and "by" not in a["fields"] and "illustrative" in a["fields"]["source"] for a in d)' \
    "the timeline: 10 planned activities, the day marked illustrative, 'by' left to the members"
expect_json 'sorted(a["fields"]["date"][:7] for a in d) == ["2024-12", "2024-12", "2025-01", "2025-02", "2025-02", "2025-03", "2025-04", "2025-04", "2025-06", "2025-06"]' \
    "one activity per item of the plan's timeline, in its month"
expect_json 'sorted(a["fields"]["type"] for a in d) == ["bilateral", "bilateral", "bilateral", "ipu", "iwg-meeting", "iwg-meeting", "iwg-meeting", "iwg-meeting", "other", "other"]' \
    "with plausible types"
ids=$(jq_out '",".join(sorted(a["id"] for a in d))')

# Idempotent: nothing to add, no commit.
c1=$(commits "$S")
run ccm -C "$S" seed
expect_eq "$RC" 0 "seed again"
expect_contains "$OUT" "nothing to add" "a second seed says there is nothing to add"
expect_eq "$(commits "$S")" "$c1" "and writes no commit"
run ccm -C "$S" --json seed
expect_json 'd["states"] == 0 and d["activities"] == 0' "--json seed counts nothing the second time"

# A seeded activity the members changed or removed stays as they left it.
first=${ids%%,*}
expect_ok ccm -C "$S" activity set "$first" status=done by=Peru
second=$(echo "$ids" | cut -d, -f2)
expect_ok ccm -C "$S" activity rm "$second"
expect_ok ccm -C "$S" seed
run ccm -C "$S" --json activity show "$first"
expect_json 'd["fields"]["status"] == "done"' "seed does not reset an activity the members updated"
expect_exit 1 ccm -C "$S" activity show "$second"
run ccm -C "$S" --json activity list
expect_json 'len(d) == 9' "nor bring back one they removed"

# Another group seeds the same ids: the ids come from the data.
O="$T/other"
new_store "$O" Norway
expect_ok ccm -C "$O" seed
run ccm -C "$O" --json activity list
expect_eq "$(jq_out '",".join(sorted(a["id"] for a in d))')" "$ids" "every member's seed names the same activities"

# Two members of one group who both seed, then sync: no duplicates.
H="$T/hub.git"
A="$T/a"
B="$T/b"
new_store "$A" Peru
expect_ok ccm -C "$A" remote add origin "$H"
expect_ok ccm -C "$A" sync
expect_ok ccm -C "$B" join "$H" --member Norway
expect_ok ccm -C "$A" member add "$OUT" --role editor
expect_ok ccm -C "$A" sync
expect_ok ccm -C "$B" sync
expect_ok ccm -C "$A" seed
expect_ok ccm -C "$B" seed
expect_ok ccm -C "$A" sync
expect_ok ccm -C "$B" sync
expect_ok ccm -C "$A" sync
run ccm -C "$A" --json activity list
expect_json 'len(d) == 10' "both seeded and synced: still 10 activities"
expect_eq "$(ccm -C "$A" export)" "$(ccm -C "$B" export)" "and the same records on both"

# A reader cannot seed.
R="$T/reader"
expect_ok ccm -C "$R" join "$H" --member Malawi
expect_ok ccm -C "$A" member add "$OUT" --role reader
expect_ok ccm -C "$A" sync
expect_ok ccm -C "$R" sync
expect_exit 3 ccm -C "$R" seed
expect_stderr_one_line "reader"
expect_exit 2 ccm -C "$A" seed extra
expect_stderr_one_line "unexpected argument 'extra'"
done_testing
