#!/usr/bin/env bash
# t_bad_input.sh - every kind of bad input gets its documented exit status, ONE
# line "ccmsync: ..." on stderr naming the bad part (and, for validation, the
# accepted values), nothing on stdout, and no change to the store.
. "$(dirname "$0")/lib.sh"

S="$T/store"
new_store "$S"
expect_ok ccm -C "$S" state set LAO status=signatory targets=signatory lead+=Peru
expect_ok ccm -C "$S" activity add --type bilateral --date 2025-01-15 states=LAO
ACT=$OUT

# refuse CODE NEEDLES CMD... : CMD exits CODE, prints one "ccmsync: " line on
# stderr that contains every '|'-separated part of NEEDLES, prints nothing on
# stdout, and leaves the store unchanged.
refuse() {
    local code=$1 needles=$2 before ns=()
    shift 2
    before=$(store_fingerprint "$S")
    expect_exit "$code" "$@"
    if [[ -n "$needles" ]]; then IFS='|' read -ra ns <<<"$needles"; fi
    expect_stderr_one_line "${ns[@]}"
    expect_stdout_empty
    expect_unchanged "$S" "$before" "$*"
}

# ---- commands and options ---------------------------------------------------

refuse 2 "frobnicate|state|activity" ccm -C "$S" frobnicate
refuse 2 "state frob" ccm -C "$S" state frob LAO
refuse 2 "activity launch" ccm -C "$S" activity launch
refuse 2 "--bogus" ccm -C "$S" --bogus state list
refuse 2 "-C" ccm -C
refuse 2 "--bogus|--target" ccm -C "$S" state list --bogus x
refuse 2 "--bogus" ccm -C "$S" activity list --bogus x
refuse 2 "--frob" ccm -C "$S" activity add --type bilateral --date 2025-01-01 --frob
refuse 2 "--bogus" ccm -C "$S" state set LAO --bogus
refuse 2 "extra" ccm -C "$S" verify extra
refuse 2 "" ccm -C "$S" state show LAO KEN

# ---- field arguments ----------------------------------------------------------

refuse 2 "status*" ccm -C "$S" state set LAO 'status*=party'
refuse 2 "region~" ccm -C "$S" state set LAO 'region~=x'
refuse 2 "lead++=Peru" ccm -C "$S" state set LAO 'lead++=Peru'
refuse 2 "regionAsia" ccm -C "$S" state set LAO regionAsia
refuse 2 "Foo|[a-z][a-z0-9_]*" ccm -C "$S" state set LAO Foo=1
refuse 2 "1x|[a-z][a-z0-9_]*" ccm -C "$S" state set LAO 1x=1
refuse 2 "a-b|[a-z][a-z0-9_]*" ccm -C "$S" state set LAO a-b=1
refuse 2 "Foo" ccm -C "$S" activity set "$ACT" Foo=1
refuse 2 "'id'" ccm -C "$S" state set LAO id=KEN
refuse 2 "no field" ccm -C "$S" state set LAO
refuse 2 "no field" ccm -C "$S" activity set "$ACT"
refuse 2 "status|not a set" ccm -C "$S" state set LAO status+=party
refuse 2 "region|not a set" ccm -C "$S" state set LAO region-=Asia
refuse 2 "summary|not a set" ccm -C "$S" activity set "$ACT" summary+=x

# ---- enumerations: the message lists the accepted values -----------------------

refuse 2 "bogus|party, signatory, non-party, withdrawing, withdrawn" \
    ccm -C "$S" state set LAO status=bogus
refuse 2 "urgent|high, medium, low" ccm -C "$S" state set LAO priority=urgent
refuse 2 "bogus|signatory, apmbc, withdrawing, ccw, unga-yes, interim-steps" \
    ccm -C "$S" state set LAO targets+=bogus
refuse 2 "nato|signatory, apmbc" ccm -C "$S" state set LAO targets=ccw,nato
refuse 2 "bogus|security, alliances, stockpile, cost, legislation, capacity, priorities, regional, other" \
    ccm -C "$S" state set LAO survey_reasons=cost,bogus
refuse 2 "party|bilateral, survey, side-event" \
    ccm -C "$S" activity add --type party --date 2025-01-01
refuse 2 "meeting|bilateral, survey" ccm -C "$S" activity set "$ACT" type=meeting
refuse 2 "finished|planned, done, cancelled" ccm -C "$S" activity set "$ACT" status=finished
refuse 2 "finished|planned, done, cancelled" \
    ccm -C "$S" activity add --type survey --date 2025-01-01 status=finished
refuse 2 "XXX" ccm -C "$S" activity set "$ACT" states+=XXX
refuse 2 "Bad Name" ccm -C "$S" state set LAO 'lead+=Bad Name'
# A valid field next to an invalid one is not written either.
refuse 2 "bogus|party, signatory" ccm -C "$S" state set LAO region=Asia status=bogus
refuse 2 "bogus|party, signatory" ccm -C "$S" state set KEN region=Africa status=bogus
expect_exit 1 ccm -C "$S" state show KEN
check "a rejected state set creates no record" test "$RC" -eq 1

# ---- dates ----------------------------------------------------------------------

refuse 2 "2025-13-01|last_contact" ccm -C "$S" state set LAO last_contact=2025-13-01
refuse 2 "2025-02-30|last_contact" ccm -C "$S" state set LAO last_contact=2025-02-30
refuse 2 "2023-02-29" ccm -C "$S" state set LAO last_contact=2023-02-29
refuse 2 "20250101|YYYY-MM-DD" ccm -C "$S" state set LAO last_contact=20250101
refuse 2 "2025-1-5" ccm -C "$S" state set LAO last_contact=2025-1-5
refuse 2 "2025-13-01" ccm -C "$S" activity add --type survey --date 2025-13-01
refuse 2 "yesterday" ccm -C "$S" activity set "$ACT" date=yesterday
refuse 2 "2025-02-30" ccm -C "$S" activity list --since 2025-02-30
refuse 2 "20250101" ccm -C "$S" activity list --until 20250101
refuse 2 "20250101" ccm -C "$S" log --since 20250101

# ---- state codes ------------------------------------------------------------------

refuse 2 "XXX|ISO 3166-1" ccm -C "$S" state set XXX region=x
refuse 2 "LA|ISO 3166-1" ccm -C "$S" state set LA region=x
refuse 2 "12|ISO 3166-1" ccm -C "$S" state set 12 region=x
refuse 2 "LAOS" ccm -C "$S" state set LAOS region=x
refuse 2 "XXX" ccm -C "$S" state show XXX
refuse 2 "XXX" ccm -C "$S" activity list --state XXX
refuse 2 "XXX" ccm -C "$S" blame XXX
refuse 2 "XXX" ccm -C "$S" log XXX

# ---- filters ----------------------------------------------------------------------

refuse 2 "bogus|party, signatory" ccm -C "$S" state list --status bogus
refuse 2 "bogus|signatory, apmbc" ccm -C "$S" state list --target bogus
refuse 2 "Foo" ccm -C "$S" state list --where Foo=1
refuse 2 "region|FIELD<op>VALUE|= != < <= > >= ~" ccm -C "$S" state list --where region
refuse 2 "meeting|bilateral, survey" ccm -C "$S" activity list --type meeting

# ---- activity commands ------------------------------------------------------------

refuse 2 "--type" ccm -C "$S" activity add --date 2025-01-01
refuse 2 "--date" ccm -C "$S" activity add --type survey
refuse 2 "--type" ccm -C "$S" activity add
refuse 2 "xyz" ccm -C "$S" activity show xyz
refuse 2 "ABCD" ccm -C "$S" activity show ABCD
refuse 2 "0123456789abcdef0" ccm -C "$S" activity show 0123456789abcdef0
refuse 2 "${ACT:0:4}-" ccm -C "$S" activity set "${ACT:0:4}-" status=done
refuse 2 "g123" ccm -C "$S" activity rm g123

# ---- import -------------------------------------------------------------------------

refuse 2 "$T/missing.json" ccm -C "$S" import "$T/missing.json"
printf '{"states": [{"id": "KEN", "fields": {"status": "party"}},\n' >"$T/truncated.json"
refuse 2 "JSON" ccm -C "$S" import "$T/truncated.json"
printf '{"states": [}\n' >"$T/garbage.json"
refuse 2 "JSON" ccm -C "$S" import "$T/garbage.json"
python3 - "$T/deep.json" <<'EOF'
import json, sys
codes = ["KEN", "NOR", "PER", "MWI", "IRQ", "IDN", "PHL", "BRA"]
states = [{"id": c, "fields": {"status": "non-party", "region": "R"}} for c in codes]
states[5]["fields"]["status"] = "bogus"
acts = [{"fields": {"type": "survey", "date": "2025-01-02", "states": ["KEN"]}}]
json.dump({"states": states, "activities": acts}, open(sys.argv[1], "w"), indent=1)
EOF
refuse 2 "states[5]|status|bogus|party, signatory" ccm -C "$S" import "$T/deep.json"
python3 - "$T/deepact.json" <<'EOF'
import json, sys
acts = [{"fields": {"type": "survey", "date": "2025-01-0%d" % (i + 1)}} for i in range(4)]
acts[2]["fields"]["states"] = ["KEN", "XXX"]
json.dump({"activities": acts}, open(sys.argv[1], "w"))
EOF
refuse 2 "activities[2]|XXX" ccm -C "$S" import "$T/deepact.json"
printf '{"activities": [{"fields": {"summary": "no type, no date"}}]}\n' >"$T/notype.json"
refuse 2 "type|date" ccm -C "$S" import "$T/notype.json"
printf '{"states": [{"id": "XXX", "fields": {}}]}\n' >"$T/badid.json"
refuse 2 "XXX" ccm -C "$S" import "$T/badid.json"
printf 'id,status,region\nKEN,party,Africa\nNOR,bogus,Europe\n' >"$T/badcell.csv"
refuse 2 "line 3|bogus|party, signatory" ccm -C "$S" import "$T/badcell.csv"
printf 'id,status,region\nKEN,party,Africa\nNOR,party\n' >"$T/columns.csv"
refuse 2 "line 3" ccm -C "$S" import "$T/columns.csv"
printf 'id,status,region\nKEN,party,Africa\nNOR,party,"Europe\n' >"$T/quote.csv"
refuse 2 "unterminated" ccm -C "$S" import "$T/quote.csv"
printf 'id,Status\nKEN,party\n' >"$T/header.csv"
refuse 2 "Status" ccm -C "$S" import "$T/header.csv"
printf 'type,date,states\nsurvey,2025-01-01,KEN;NOR\nsurvey,2025-01-32,KEN\n' >"$T/actdate.csv"
refuse 2 "line 3|2025-01-32" ccm -C "$S" import "$T/actdate.csv"
refuse 2 "" ccm -C "$S" import
expect_exit 1 ccm -C "$S" state show KEN
check "no rejected import created KEN" test "$RC" -eq 1

# ---- passphrase -----------------------------------------------------------------------

refuse 3 "passphrase" env CCMSYNC_PASSPHRASE=wrong "$CCMSYNC_BIN" -C "$S" state show LAO
refuse 3 "passphrase" env CCMSYNC_PASSPHRASE=wrong "$CCMSYNC_BIN" -C "$S" state set LAO region=x
refuse 3 "passphrase" env CCMSYNC_PASSPHRASE=wrong "$CCMSYNC_BIN" -C "$S" \
    activity add --type survey --date 2025-01-01
printf 'wrong\n' >"$T/wrong.pass"
refuse 3 "passphrase" env -u CCMSYNC_PASSPHRASE "$CCMSYNC_BIN" -C "$S" \
    --passphrase-file "$T/wrong.pass" state list
refuse 2 "$T/nopass" env -u CCMSYNC_PASSPHRASE "$CCMSYNC_BIN" -C "$S" \
    --passphrase-file "$T/nopass" state list
printf '%s\n' "$CCMSYNC_PASSPHRASE" >"$T/right.pass"
expect_ok env -u CCMSYNC_PASSPHRASE "$CCMSYNC_BIN" -C "$S" --passphrase-file "$T/right.pass" \
    --json state show LAO
expect_json 'd["id"] == "LAO"' "--passphrase-file with the right passphrase works"
if command -v setsid >/dev/null 2>&1 && setsid -w true 2>/dev/null; then
    # No passphrase and no controlling terminal: a usage error, not a hang.
    refuse 2 "CCMSYNC_PASSPHRASE|--passphrase-file" env -u CCMSYNC_PASSPHRASE \
        setsid -w "$CCMSYNC_BIN" -C "$S" state list </dev/null
else
    echo "note: setsid -w is not available; skipped the no-terminal passphrase case" >&2
fi

# ---- stores -------------------------------------------------------------------------------

expect_exit 1 ccm -C "$T/nowhere" state list
expect_stderr_one_line "$T/nowhere" "ccmsync init"
check "a command on a missing store creates nothing" test ! -e "$T/nowhere"
expect_exit 1 ccm -C "$T/nowhere" state set LAO region=x
expect_stderr_one_line "$T/nowhere" "init"
check "a write on a missing store creates nothing" test ! -e "$T/nowhere"
# init on an existing store refuses and keeps it.
refuse 2 "$S|already exists" ccm -C "$S" init --member Norway
expect_ok ccm -C "$S" --json state show LAO
expect_json 'd["fields"]["lead"] == ["Peru"] and d["fields"]["status"] == "signatory"' \
    "the store survived every refused command"

done_testing
