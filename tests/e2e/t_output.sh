#!/usr/bin/env bash
# t_output.sh - output for people: tables with a header row, fitted to the
# width ($COLUMNS, else the terminal's, else 120 columns on a pipe) with a
# mark where a value is cut, set columns aligned; colour (a bold header)
# only on a terminal and never with NO_COLOR; values escaped (newline, tab,
# U+202E fed through a multi-line field) in every listing while --json
# keeps them exact, and a note's body keeping its lines.
. "$(dirname "$0")/lib.sh"

S="$T/store"
new_store "$S"
admit_name "$S" Norway
unset COLUMNS

expect_ok ccm -C "$S" state set LAO status=signatory targets=signatory,ccw,apmbc lead=Peru,Norway
expect_ok ccm -C "$S" state set IDN status=signatory targets=ccw priority=high
expect_ok ccm -C "$S" state set GBR status=party

# ---- tables -----------------------------------------------------------------------------------

expect_ok ccm -C "$S" state list
expect_eq "$(head -n 1 "$T/.out" | tr -s ' ')" "id name status priority targets lead last_activity" \
    "a header row naming the fields"
# Every row's columns start where the header's do (set columns aligned).
col() { # col LINE WORD : the offset of WORD in LINE
    local line=$1 w=$2
    local pre=${line%%"$w"*}
    echo "${#pre}"
}
header=$(sed -n 1p "$T/.out")
line=$(grep '^LAO' "$T/.out")
expect_eq "${line:$(col "$header" targets):20}" "apmbc, ccw, signator" "the set column starts under its header"
line=$(grep '^IDN' "$T/.out")
expect_eq "${line:$(col "$header" targets):3}" "ccw" "in every row"
expect_eq "${line:$(col "$header" priority):4}" "high"
expect_not_contains "$OUT" "…" "nothing cut at 120 columns (a pipe)"
check "no line wider than 120 on a pipe" test "$(awk '{ if (length > m) m = length } END { print m }' "$T/.out")" -le 120
check "no trailing blanks" test -z "$(grep ' $' "$T/.out")"

COLUMNS=60 expect_ok ccm -C "$S" state list
expect_contains "$OUT" "…" "a cut value is marked"
expect_contains "$OUT" "LAO" "ids are never cut"
check "COLUMNS=60: no line wider than 60 columns" \
    test "$(python3 -c 'import sys; print(max(len(l.rstrip("\n")) for l in open(sys.argv[1], encoding="utf-8")))' "$T/.out")" -le 60
expect_contains "$(head -n 1 "$T/.out")" "id" "the header stays"

# ---- colour: a terminal only, never with NO_COLOR ---------------------------------------------

on_tty() { # on_tty CMD... : with a terminal as stdout (script(1)); sets RC, OUT
    local cmd="" a
    for a in "$@"; do cmd+=" $(printf '%q' "$a")"; done
    run script -qec "$cmd" /dev/null
}
(unset NO_COLOR; TERM=xterm COLUMNS=100 on_tty "$CCMSYNC_BIN" -C "$S" state list
    printf '%s' "$OUT" >"$T/tty.out")
expect_contains "$(cat "$T/tty.out")" $'\033[1mid' "a bold header on a terminal"
(TERM=xterm NO_COLOR=1 COLUMNS=100 on_tty "$CCMSYNC_BIN" -C "$S" state list
    printf '%s' "$OUT" >"$T/nocolor.out")
expect_not_contains "$(cat "$T/nocolor.out")" $'\033' "NO_COLOR: no escape sequence at all"
expect_contains "$(cat "$T/nocolor.out")" "last_activity"
(unset NO_COLOR; TERM=dumb COLUMNS=100 on_tty "$CCMSYNC_BIN" -C "$S" state list
    printf '%s' "$OUT" >"$T/dumb.out")
expect_not_contains "$(cat "$T/dumb.out")" $'\033' "TERM=dumb: no colour"
expect_ok ccm -C "$S" state list
expect_not_contains "$OUT" $'\033' "no colour on a pipe"
# On a terminal without COLUMNS, the terminal's width is used.
(unset COLUMNS NO_COLOR; on_tty sh -c "stty cols 50 2>/dev/null; $(printf '%q' "$CCMSYNC_BIN") -C $(printf '%q' "$S") state list"
    printf '%s' "$OUT" >"$T/narrow.out")
check "a 50-column terminal: no line wider" test "$(python3 -c '
import re, sys
t = re.sub(r"\x1b\[[0-9;]*m", "", open(sys.argv[1], encoding="utf-8").read())
print(max(len(l) for l in t.replace("\r", "").split("\n")))' "$T/narrow.out")" -le 50

# ---- values escaped, --json exact --------------------------------------------------------------

RLO=$(printf '\342\200\256')
VALUE=$'first line\n\tsecond '"$RLO"'txt.exe'
expect_ok ccm -C "$S" state set LAO "survey_comment=$VALUE" "next_step=call ${RLO}gnp.exe"
for cmd in "state show LAO" "log LAO" "blame LAO" "search second"; do
    # shellcheck disable=SC2086
    expect_ok ccm -C "$S" $cmd
    expect_contains "$OUT" 'first line\n\tsecond \u202etxt.exe' "$cmd: newline, tab and U+202E escaped"
    expect_not_contains "$OUT" "$RLO" "$cmd: no raw U+202E"
done
expect_ok ccm -C "$S" state list --columns id,next_step
expect_contains "$OUT" 'call \u202egnp.exe' "state list: escaped in a table"
A=$(ccm -C "$S" activity add --type bilateral --date 2025-03-12 "summary=$VALUE")
expect_ok ccm -C "$S" activity list
expect_contains "$OUT" 'first line\n\tsecond \u202etxt.exe' "activity list"
check "activity list: one line per activity" test "$(wc -l <"$T/.out")" -eq 2
expect_ok ccm -C "$S" activity show "$A"
expect_contains "$OUT" 'first line\n\tsecond \u202etxt.exe' "activity show"
expect_ok ccm -C "$S" --json state show LAO
expect_json 'd["fields"]["survey_comment"] == "first line\n\tsecond \u202etxt.exe"' "--json is exact"
expect_ok ccm -C "$S" --json search second
expect_json 'd[0]["value"] == "first line\n\tsecond \u202etxt.exe"' "--json search is exact"
run ccm -C "$S" note add --on LAO --to Norway --title 'Read-out' <<<"$VALUE"
expect_eq "$RC" 0
NOTE=$OUT
expect_ok ccm -C "$S" note show "$NOTE"
expect_contains "$OUT" $'first line\n\tsecond \\u202etxt.exe' \
    "note show: the body keeps its lines and tabs, U+202E escaped"
expect_ok ccm -C "$S" --json note show "$NOTE"
expect_json 'd["fields"]["body"] == "first line\n\tsecond \u202etxt.exe\n"'
expect_ok ccm -C "$S" member list
expect_contains "$OUT" "Norway" "member list"

done_testing
