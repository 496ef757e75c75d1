#!/usr/bin/env bash
# t_trust_records.sh - trust by effect, records: an editor (Norway) who
# writes commits with her own keys and the store library (ccmforge), never
# through the command line's checks, and puts them on the hub with plain
# git. Every honest replica refuses what she may not do, and what the
# honest members then see is checked, not only exit codes:
#   - entries, set tags and tombstones in another member's name, a commit
#     authored under another name (attack 4): refused; show/log/blame still
#     name only the real authors;
#   - an entry stamped in 2100 (attack 4): accepted with a warning, shown as
#     Norway's, and the next edit of that field by Peru wins as usual;
#     stamps that do not rise for the signer: refused;
#   - a record rolled back to an older ciphertext (attack 5): refused;
#   - values the schema forbids (attack 6): ESC, BEL, CR, a newline or a
#     bidirectional override in a one-line field, unknown enums, dates,
#     target categories and state codes, an activity without its type or
#     with its type cleared: refused;
#   - limits (attack 7): 8,000 concurrent values in one field, a large
#     value (4 MiB), 1,025 set elements: refused within a time bound, the hub
#     given the honest history back;
#   - values the schema allows in free-text fields (newline, tab, U+202E)
#     reach human output escaped, --json exact (attack 6).
# Each refusal leaves the victim's records unchanged and the hub holding the
# victim's history; afterwards the group still syncs through that hub.
. "$(dirname "$0")/lib.sh"
unset CCMSYNC_PASSPHRASE # every store here is made with --no-passphrase

HUB="$T/hub.git"
P="$T/peru" N="$T/norway" M="$T/malawi" R="$T/isu"
expect_ok ccm -C "$P" init --member Peru --no-passphrase
expect_ok ccm -C "$P" remote add origin "$HUB" # created by the first sync
expect_ok ccm -C "$P" state set LAO status=signatory priority=high region=Asia next_step=visit
expect_ok ccm -C "$P" activity add --type bilateral --date 2025-01-15 states=LAO summary=first-contact
ACT=$OUT
expect_ok ccm -C "$P" sync
add_member "$P" "$HUB" "$N" Norway
add_member "$P" "$HUB" "$M" Malawi
add_member "$P" "$HUB" "$R" ISU reader
for s in "$N" "$M" "$R" "$P"; do expect_ok ccm -C "$s" sync; done
GOOD=$(hub_tip "$HUB")

# shown STORE EXPR [WHAT] : `--json state show LAO` on STORE satisfies EXPR.
shown() {
    run ccm -C "$1" --json state show LAO
    expect_json "$2" "${3:-LAO as $(basename "$1") sees it}"
}

# attack WHAT VICTIM REASON FORGE-ARGS... : Norway forges a commit on the
# hub's tip (ccmforge NORWAY FORGE-ARGS with the tip as parent), puts it on
# the hub; VICTIM refuses it for REASON (expect_refused).
attack() {
    local what=$1 victim=$2 reason=$3 kind=$4 x
    shift 4
    x=$(forge "$N" "$kind" "$(hub_tip "$HUB")" "$@")
    hub_set "$HUB" "$x" "$N"
    expect_refused "$what" "$HUB" "$x" "$victim" "$reason"
}

# ---- attack 4: another member's name -------------------------------------------

attack "(4) an entry in Peru's name" "$M" "attributed to 'Peru'" \
    record state LAO --set next_step=forged-by-norway --as Peru
attack "(4) a set tag in Peru's name" "$R" "added by another member" \
    record state LAO --add targets=ccw --as Peru
attack "(4) a tombstone in Peru's name" "$P" "attributed to 'Peru'" \
    record state LAO --delete --as Peru
attack "(4) a commit authored as Peru, signed by Norway" "$M" "authored as 'Peru'" \
    record state LAO --set next_step=forged-by-norway --author Peru
shown "$M" 'd["fields"]["next_step"] == "visit" and d["meta"]["next_step"]["by"] == "Peru" and d["fields"].get("targets") is None' \
    "(4) Malawi still sees Peru's value, by Peru, and no target"
run ccm -C "$M" --json log LAO
expect_json 'sorted(set(e["member"] for e in d)) == ["Peru"] and not any(e["new"] == "forged-by-norway" for e in d)' \
    "(4) log names Peru alone, and nothing forged"
run ccm -C "$R" --json blame LAO
expect_json 'all(f["by"] == "Peru" for f in d["fields"].values()) and d["fields"]["next_step"]["value"] == "visit"' \
    "(4) blame names Peru for every field"
for s in "$P" "$N" "$M" "$R"; do
    expect_ok ccm -C "$s" sync
    expect_eq "$(head_of "$s")" "$GOOD" "(4) $(basename "$s") is at the last honest commit"
done

# ---- attack 4: a stamp far in the future ------------------------------------------

FUTURE=$((4102444800000 << 16)) # 2100-01-01T00:00:00Z as a clock stamp
X=$(forge "$N" record "$GOOD" state LAO --set next_step=from-2100 --stamp "$FUTURE")
hub_set "$HUB" "$X" "$N"
expect_ok ccm -C "$M" sync
expect_contains "$ERR" "warning: commit ${X:0:10} by Norway is stamped 2100-01-01" \
    "(4) a change stamped in 2100 is accepted with a warning naming it"
shown "$M" 'd["fields"]["next_step"] == "from-2100" and d["meta"]["next_step"] == {"by": "Norway", "at": "2100-01-01T00:00:00.000Z"}' \
    "(4) the far-future value is shown as Norway's"
expect_ok ccm -C "$P" sync
expect_ok ccm -C "$P" state set LAO next_step=after-2100
expect_ok ccm -C "$P" sync
expect_ok ccm -C "$M" sync
shown "$M" 'd["fields"]["next_step"] == "after-2100" and d["meta"]["next_step"]["by"] == "Peru" and d["conflicts"] == {}' \
    "(4) Peru's next edit of the field Norway stamped in 2100 wins, no conflict"
run ccm -C "$M" --json log LAO
expect_json '[(e["member"], e["old"], e["new"]) for e in d if e["field"] == "next_step"][:2] == [("Peru", "from-2100", "after-2100"), ("Norway", "visit", "from-2100")]' \
    "(4) log: Norway set from-2100, then Peru replaced it"
run ccm -C "$M" --json blame LAO
expect_json 'd["fields"]["next_step"]["by"] == "Peru"' "(4) blame names Peru"
# Norway's own stamps must rise: not raised at all, or back to now.
expect_ok ccm -C "$N" sync
attack "(4) stamps.json not raised for the signer" "$P" "did not stamp the commit after their last one" \
    record state LAO --set region=Asia-x --no-bump
attack "(4) a stamp below the signer's last one (2100)" "$M" "did not stamp the commit after their last one" \
    record state LAO --set region=Asia-x --stamp "$(($(date +%s%3N) << 16))"
# Norway's next honest edit carries a stamp after 2100 and is taken by all.
expect_ok ccm -C "$N" state set LAO region=South-East-Asia
expect_ok ccm -C "$N" sync
for s in "$P" "$M" "$R"; do expect_ok ccm -C "$s" sync; done
shown "$R" 'd["fields"]["region"] == "South-East-Asia" and d["meta"]["region"]["by"] == "Norway"' \
    "(4) Norway's honest edit after her 2100 stamp syncs"

# ---- attack 5: a record rolled back ---------------------------------------------------

BEFORE_COMMENT=$GOOD # LAO without survey_comment, with next_step=visit
expect_ok ccm -C "$N" state set LAO survey_comment=will-ratify
expect_ok ccm -C "$N" sync
WITH_COMMENT=$(head_of "$N") # LAO with survey_comment, next_step=after-2100
expect_ok ccm -C "$N" state set LAO next_step=workshop
expect_ok ccm -C "$N" sync
for s in "$P" "$M" "$R"; do expect_ok ccm -C "$s" sync; done
attack "(5) LAO rolled back to a version without survey_comment" "$M" "'survey_comment': dropped" \
    rollback state LAO "$BEFORE_COMMENT"
attack "(5) LAO rolled back to an older value of next_step" "$P" "'next_step'" \
    rollback state LAO "$WITH_COMMENT"
shown "$M" 'd["fields"]["survey_comment"] == "will-ratify" and d["fields"]["next_step"] == "workshop"' \
    "(5) nothing was rolled back for Malawi"
shown "$P" 'd["fields"]["survey_comment"] == "will-ratify" and d["fields"]["next_step"] == "workshop"' \
    "(5) nothing was rolled back for Peru"

# ---- attack 6: values the schema forbids --------------------------------------------------

RLO=$'\xe2\x80\xae' LRI=$'\xe2\x81\xa6' # U+202E, U+2066 in UTF-8
attack "(6) ESC in a free-text field" "$M" "U+001B" \
    record state LAO --set next_step=$'go\e[2J\e[31mnow'
attack "(6) BEL in a user-defined field" "$R" "U+0007" \
    record state LAO --set custom=$'ding\a'
attack "(6) CR in a free-text field" "$P" "U+000D" \
    record state LAO --set next_step=$'visit\rhidden'
attack "(6) a newline in a one-line field" "$M" "U+000A" \
    record state LAO --set region=$'Asia\n  status          party'
attack "(6) U+202E in a one-line field" "$R" "U+202E" \
    record state LAO --set "region=Asia${RLO}tsaE"
attack "(6) U+2066 in the name" "$P" "U+2066" \
    record state LAO --set "name=Lao${LRI}PDR"
attack "(6) an unknown status" "$M" "unknown status 'bogus'" \
    record state LAO --set status=bogus
attack "(6) an impossible date" "$R" "invalid date '2025-13-45'" \
    record state LAO --set last_contact=2025-13-45
attack "(6) an unknown target category" "$P" "unknown target 'bogus'" \
    record state LAO --add targets=bogus
attack "(6) a state code outside ISO 3166-1" "$M" "unknown state code 'XXX'" \
    record state XXX --set region=nowhere
attack "(6) a new activity without type and date" "$R" "a new activity needs it" \
    record activity 00112233aabbccdd --set summary=typeless
attack "(6) an activity's type cleared" "$P" "cannot be cleared" \
    record activity "$ACT" --clear type
# The command line refuses the same in one-line fields (nothing written).
FP=$(store_fingerprint "$N")
expect_exit 2 ccm -C "$N" state set LAO "region=Asia${RLO}tsaE"
expect_stderr_one_line "U+202E" "region"
expect_exit 2 ccm -C "$N" state set LAO region=$'Asia\n  status          party'
expect_stderr_one_line "U+000A" "region"
expect_exit 2 ccm -C "$N" state set LAO next_step=$'go\e[2J'
expect_stderr_one_line "U+001B" "next_step"
expect_unchanged "$N" "$FP" "(6) the command line wrote nothing"

# ---- attack 7: limits, refused in bounded time -------------------------------------------------

# refused_within SECONDS WHAT VICTIM REASON FORGE-ARGS... : attack, and all
# the victim does (its refusing sync, two exports and a verify) took at most
# SECONDS.
refused_within() {
    local limit=$1 what=$2 victim=$3 reason=$4 kind=$5 x t0 ms
    shift 5
    x=$(forge "$N" "$kind" "$(hub_tip "$HUB")" "$@")
    hub_set "$HUB" "$x" "$N"
    t0=$(date +%s%N)
    expect_refused "$what" "$HUB" "$x" "$victim" "$reason"
    ms=$((($(date +%s%N) - t0) / 1000000))
    check "$what: refused in ${ms} ms (at most ${limit} s)" test "$ms" -le $((limit * 1000))
}
refused_within 10 "(7) 8,000 concurrent values in one field" "$M" "more than 1000 concurrent values" \
    record state LAO --entries next_step 8000
refused_within 10 "(7) a 4 MiB value" "$R" "too long (at most 65536 bytes)" \
    record state LAO --big next_step 4194304
MANY=()
for i in $(seq 1 1025); do MANY+=(--add "lead=Member$i"); done
refused_within 10 "(7) 1,025 elements in one set" "$P" "more than 1024 elements" \
    record state LAO "${MANY[@]}"

# ---- after all that, the group carries on through the same hub ---------------------------------

expect_eq "$(hub_tip "$HUB")" "$(head_of "$P")" "the hub holds Peru's (honest) history"
expect_ok ccm -C "$M" state set LAO next_step=carry-on
expect_ok ccm -C "$M" sync
for s in "$P" "$N" "$R"; do expect_ok ccm -C "$s" sync; done
for s in "$P" "$N" "$M" "$R"; do
    shown "$s" 'd["fields"]["next_step"] == "carry-on" and d["meta"]["next_step"]["by"] == "Malawi"' \
        "a later edit by Malawi reaches $(basename "$s") through that hub"
    expect_ok ccm -C "$s" verify
done
same_exports "$P" "$N" "$M" "$R"
run ccm -C "$P" --json member list
expect_json 'sorted((m["name"], m["role"], m["removed"]) for m in d) == [("ISU", "reader", None), ("Malawi", "editor", None), ("Norway", "editor", None), ("Peru", "admin", None)]' \
    "the roster is unchanged"

# ---- attack 6: what the schema allows in free text reaches the terminal escaped ------------------
# Checked last, every assertion made (CCM_E2E_KEEP_GOING): the command line
# on main does not escape human output yet (at the time of writing: the
# escaping of every output path is another branch's work), so these fail
# until it lands. --json stays exact.
CCM_E2E_KEEP_GOING=1

VALUE=$'line one\nFAKE  status          party\tend'"${RLO}"'desrever'
X=$(forge "$N" record "$(hub_tip "$HUB")" state LAO --set "next_step=$VALUE")
hub_set "$HUB" "$X" "$N"
expect_ok ccm -C "$M" sync
run ccm -C "$M" --json state show LAO
check "(6) --json gives the free-text value exactly" \
    test "$(jq_out 'd["fields"]["next_step"]')" = "$VALUE"
expect_ok ccm -C "$M" activity add --type side-event --date 2025-06-01 states=LAO \
    "summary=two${RLO}lines"$'\nFAKE 2025-06-01 bilateral'
expect_ok ccm -C "$M" sync

# raw_free WHAT : the last command's stdout holds no raw control character
# but newlines between lines, no bidirectional override, no forged line.
raw_free() {
    local bad
    bad=$(LC_ALL=C grep -c $'[\x01-\x08\x0b-\x1f\x7f]\|\xe2\x80[\xaa-\xae]\|\xe2\x81[\xa6-\xa9]' "$T/.out" || true)
    expect_eq "$bad" 0 "$1: no raw control character or bidirectional override reaches the terminal"
    expect_eq "$(grep -c '^FAKE' "$T/.out" || true)" 0 "$1: no line forged by a newline inside a value"
}
expect_ok ccm -C "$M" state show LAO
raw_free "(6) state show"
expect_ok ccm -C "$M" state list
raw_free "(6) state list"
expect_ok ccm -C "$M" log LAO
raw_free "(6) log"
expect_ok ccm -C "$M" blame LAO
raw_free "(6) blame"
expect_ok ccm -C "$M" activity list
raw_free "(6) activity list"

done_testing
