#!/usr/bin/env bash
# t_time_travel.sh - "what did we know on 1 March?": --at DATE|COMMIT on
# state show, state list, activity show, activity list, export (JSON and
# CSV) and search reads the records as of the last commit of the branch's
# first-parent history at or before the end of that day (UTC), or as of a
# commit named by a unique prefix; the same commit as stock git's
# rev-list --first-parent --before; computed fields at that time; months
# and relative days; refusals; and the present untouched afterwards.
#
# The history is written at past dates with CCMSYNC_CLOCK_OFFSET (seconds
# added to the clock of ccmsync's writes).
. "$(dirname "$0")/lib.sh"

S="$T/store"
# at DATE_TIME CMD... : runs CMD with the clock at DATE_TIME (UTC).
at() {
    local when=$1
    shift
    CCMSYNC_CLOCK_OFFSET=$(($(date -u -d "$when" +%s) - $(date -u +%s))) "$@"
}
at "2025-01-05 09:00" expect_ok ccm -C "$S" init --member Peru
at "2025-01-10 12:00" expect_ok ccm -C "$S" state set LAO status=signatory priority=high
A1=$(at "2025-01-10 12:05" ccm -C "$S" activity add --type bilateral --date 2025-02-01 \
    states=LAO status=planned summary='first meeting')
at "2025-03-01 12:00" expect_ok ccm -C "$S" activity set "$A1" status=done
at "2025-03-01 12:01" expect_ok ccm -C "$S" state set LAO priority=medium
at "2025-03-01 12:02" expect_ok ccm -C "$S" state set KEN status=signatory
at "2025-03-01 18:00" expect_ok ccm -C "$S" state set LAO region=Asia
C_MAR1=$(head_of "$S")
A2=$(at "2025-04-15 10:00" ccm -C "$S" activity add --type survey --date 2025-04-15 states=KEN \
    status=done summary='survey reply')
at "2025-04-15 10:01" expect_ok ccm -C "$S" state set LAO status=party
at "2025-04-15 10:02" expect_ok ccm -C "$S" state rm KEN
expect_ok ccm -C "$S" state set NOR status=party
HEAD=$(head_of "$S")

# The commit a date names is stock git's answer too.
for day in 2025-01-10 2025-02-28 2025-03-01 2025-04-14 2025-04-15; do
    want=$(git --git-dir="$S/repo" rev-list -1 --first-parent --before="$day 23:59:59 +0000" main)
    expect_ok ccm -C "$S" state list --at "$day"
    expect_contains "$(head -n 1 "$T/.out")" "as of commit ${want:0:10}" \
        "--at $day: the last first-parent commit at or before the end of the day"
done
expect_eq "$C_MAR1" "$(git --git-dir="$S/repo" rev-list -1 --first-parent \
    --before="2025-03-01 23:59:59 +0000" main)"

# ---- state show / state list ------------------------------------------------------------

expect_ok ccm -C "$S" --json state show LAO --at 2025-01-31
expect_json 'd["fields"]["status"] == "signatory" and d["fields"]["priority"] == "high"
    and "region" not in d["fields"]' "state show --at: the fields as they were"
expect_json '"last_activity" not in d["fields"]' "last_activity as it was (the activity was planned)"
expect_ok ccm -C "$S" --json state show LAO --at 2025-03-01
expect_json 'd["fields"]["priority"] == "medium" and d["fields"]["region"] == "Asia"
    and d["fields"]["last_activity"] == "2025-02-01"' \
    "--at a day includes its last commit (18:00 UTC); last_activity computed then"
expect_ok ccm -C "$S" --json state show LAO --at 2025-03
expect_json 'd["fields"]["status"] == "signatory" and d["fields"]["region"] == "Asia"' \
    "--at a month: its last day"
expect_ok ccm -C "$S" state show LAO --at "${C_MAR1:0:8}"
expect_contains "$OUT" "as of commit ${C_MAR1:0:10}" "--at COMMIT prefix"
expect_match "$OUT" "status +signatory" "state show --at COMMIT"
expect_ok ccm -C "$S" --json state list --at 2025-03-02
expect_json '[x["id"] for x in d] == ["KEN", "LAO"]' "state list --at: KEN existed, NOR did not"
expect_ok ccm -C "$S" --json state list --at 2025-04-30 --where status=party
expect_json '[x["id"] for x in d] == ["LAO"]' "--at with --where"
expect_exit 1 ccm -C "$S" state show KEN --at 2025-04-15
expect_stderr_one_line "removed"
expect_ok ccm -C "$S" --json state show KEN --at 2025-04-14
expect_json 'd["fields"]["status"] == "signatory" and "last_activity" not in d["fields"]'
export CCMSYNC_TODAY=2025-03-02
expect_ok ccm -C "$S" --json state show LAO --at -1d
expect_json 'd["fields"]["region"] == "Asia"' "--at a relative day"
unset CCMSYNC_TODAY

# ---- activity list / show, export, search ----------------------------------------------------

expect_ok ccm -C "$S" --json activity list --at 2025-01-31
expect_json '[(x["id"], x["fields"]["status"]) for x in d] == [("'"$A1"'", "planned")]' \
    "activity list --at"
expect_ok ccm -C "$S" --json activity list --at 2025-04-15 --status done
expect_json '[x["id"] for x in d] == ["'"$A1"'", "'"$A2"'"]'
expect_ok ccm -C "$S" --json activity show "$A1" --at 2025-02-15
expect_json 'd["fields"]["status"] == "planned"' "activity show --at"
expect_exit 1 ccm -C "$S" activity show "$A2" --at 2025-03-31
expect_stderr_one_line "$A2"
expect_ok ccm -C "$S" export --at 2025-03-01
expect_json '[x["id"] for x in d["states"]] == ["KEN", "LAO"]
    and by_id(d["states"], "LAO")["fields"]["priority"] == "medium" and len(d["activities"]) == 1' \
    "export --at"
expect_ok ccm -C "$S" export --format csv --kind state --at 2025-01-31
expect_eq "$(sed -n 2p "$T/.out" | cut -d, -f1-3)" "LAO,Lao People's Democratic Republic,signatory" \
    "CSV export --at"
expect_eq "$(wc -l <"$T/.out")" 2 "one state then"
expect_ok ccm -C "$S" --json search survey --at 2025-03-31
expect_json 'd == []' "search --at: the survey was not there yet"
expect_ok ccm -C "$S" --json search survey --at 2025-04-15
expect_json '[h["id"] for h in d] == ["'"$A2"'", "'"$A2"'"]'

# ---- refusals ------------------------------------------------------------------------------------

before=$(store_fingerprint "$S")
expect_exit 2 ccm -C "$S" state list --at 2024-12-31
expect_stderr_one_line "no commit on or before 2024-12-31" "history starts on 2025-01-05"
expect_exit 2 ccm -C "$S" state list --at deadbeef
expect_stderr_one_line "no commit 'deadbeef'"
expect_exit 2 ccm -C "$S" state list --at yesterday
expect_stderr_one_line "--at" "YYYY-MM-DD"
expect_exit 2 ccm -C "$S" state list --at 2025-02-30
expect_exit 2 ccm -C "$S" state list --at
expect_stderr_one_line "--at"
expect_exit 2 ccm -C "$S" state list --at 2025-03-01 --at 2025-04-01
expect_stderr_one_line "twice"
expect_exit 2 ccm -C "$S" state set LAO status=withdrawn --at 2025-03-01
expect_unchanged "$S" "$before" "nothing is written around --at"
# A commit in the repository but not in the branch's history is refused.
blob=$(git --git-dir="$S/repo" hash-object -w --stdin <<<"x")
tree=$(git --git-dir="$S/repo" mktree <<<"100644 blob $blob	x")
stray=$(GIT_AUTHOR_DATE=2025-03-01T00:00:00Z GIT_COMMITTER_DATE=2025-03-01T00:00:00Z \
    git --git-dir="$S/repo" commit-tree "$tree" -m stray)
expect_exit 2 ccm -C "$S" state list --at "$stray"
expect_stderr_one_line "no commit '$stray' in this store's history"

# ---- the present is untouched ------------------------------------------------------------------

expect_ok ccm -C "$S" --json state list
expect_json '[(x["id"], x["fields"]["status"]) for x in d] == [("LAO", "party"), ("NOR", "party")]' \
    "after reads in the past, the present (the cache follows HEAD)"
expect_ok ccm -C "$S" --json state show LAO --at "$HEAD"
expect_json 'd["fields"]["status"] == "party"' "--at HEAD is the present"
expect_ok ccm -C "$S" state set LAO next_step=call
expect_ok ccm -C "$S" --json state list
expect_json 'by_id(d, "LAO")["fields"]["next_step"] == "call"'
expect_ok ccm -C "$S" verify

done_testing
