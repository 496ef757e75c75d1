#!/usr/bin/env bash
# t_notes_view.sh - notes as a member meets them: a note on any valid state
# code (no record needed) or on an existing activity; an empty body refused;
# on a terminal the body is written in $EDITOR (else $VISUAL; neither: a
# refusal with a hint), the file it used removed; state show and activity
# show list the notes the member can read (id, title, author) and count the
# others; note list --on.
. "$(dirname "$0")/lib.sh"
unset CCMSYNC_PASSPHRASE

HUB="$T/hub.git"
P="$T/peru" N="$T/norway"
expect_ok ccm -C "$P" init --member Peru --no-passphrase
expect_ok ccm -C "$P" remote add origin "$HUB"
expect_ok ccm -C "$P" sync
expect_ok ccm -C "$N" join "$HUB" --member Norway --no-passphrase
expect_ok ccm -C "$P" member add "$OUT"
expect_ok ccm -C "$P" sync
expect_ok ccm -C "$N" sync

# ---- --on: any valid state code, an existing activity ----------------------------------

expect_exit 1 ccm -C "$P" state show LAO
run ccm -C "$P" --json note add --on lao --to Norway --title "Before any record" <<<"LAO body"
expect_eq "$RC" 0 "a note on a state code without a record"
NOTE1=$(jq_out 'd["id"]')
expect_ok ccm -C "$P" --json note list --on LAO
expect_json '[(x["id"], x["fields"]["on"], x["fields"]["title"]) for x in d]
    == [("'"$NOTE1"'", "state:LAO", "Before any record")]' "note list --on STATE"
expect_ok ccm -C "$P" --json note list --on IDN
expect_json 'd == []' "note list --on another state: none"

before=$(store_fingerprint "$P")
run ccm -C "$P" note add --on XXX --to Norway --title t <<<"x"
expect_eq "$RC" 2 "an unknown state code: exit 2"
expect_stderr_one_line "XXX"
run ccm -C "$P" note add --on 0123456789abcdef --to Norway --title t <<<"x"
expect_eq "$RC" 1 "an activity id that does not exist: exit 1"
expect_stderr_one_line "0123456789abcdef"
A=$(ccm -C "$P" activity add --type bilateral --date 2025-03-12 states=LAO)
ARM=$(ccm -C "$P" activity add --type ipu --date 2025-03-13)
expect_ok ccm -C "$P" activity rm "$ARM"
before=$(store_fingerprint "$P")
run ccm -C "$P" note add --on "$ARM" --to Norway --title t <<<"x"
expect_eq "$RC" 2 "a removed activity: exit 2"
expect_stderr_one_line "removed"

# ---- empty bodies and bad titles -----------------------------------------------------------

for body in "" "   " $'\n\n\t\n'; do
    run ccm -C "$P" note add --on LAO --to Norway --title t <<<"$body"
    expect_eq "$RC" 2 "an empty or blank body is refused"
    expect_stderr_one_line "empty note body"
done
run ccm -C "$P" note add --on LAO --to Norway --title t </dev/null
expect_eq "$RC" 2 "no body at all is refused"
run ccm -C "$P" note add --on LAO --to Norway --title $'two\nlines' <<<"x"
expect_eq "$RC" 2 "a title is one line"
expect_stderr_one_line "title"
expect_unchanged "$P" "$before" "refused notes write nothing"

# ---- the editor, on a terminal ---------------------------------------------------------------

# on_tty CMD... : runs CMD with a terminal as stdin and stdout (script(1)).
on_tty() {
    local cmd="" a
    for a in "$@"; do cmd+=" $(printf '%q' "$a")"; done
    run script -qec "$cmd" /dev/null
    OUT=${OUT//$'\r'/}
}
cat >"$T/ed.sh" <<'EOF'
#!/bin/sh
# A scripted editor: records its arguments and the file's folder, writes a body.
echo "$@" >"${0%/*}/ed.args"
printf 'Line one from the editor\nline two\n' >"$2"
EOF
chmod +x "$T/ed.sh"
n=$(commits "$P")
EDITOR="$T/ed.sh --wait" on_tty "$CCMSYNC_BIN" -C "$P" note add --on "$A" --to Norway --title "From the editor"
expect_eq "$RC" 0 "note add on a terminal opens the editor"
NOTE2=$(printf '%s\n' "$OUT" | tail -n 1)
expect_match "$NOTE2" '^[0-9a-f]{16}$' "and prints the new id"
expect_eq "$(commits "$P")" $((n + 1)) "one commit"
expect_ok ccm -C "$P" --json note show "$NOTE2"
expect_json 'd["fields"]["body"] == "Line one from the editor\nline two\n" and d["fields"]["on"] == "activity:'"$A"'"' \
    "the body is what the editor saved"
expect_match "$(cat "$T/ed.args")" "^--wait $P/note-[A-Za-z0-9]{6}\.txt$" \
    "the editor (with its options) edits a file in the store's own folder"
check "the editor's file is removed" test -z "$(find "$P" -maxdepth 1 -name 'note-*')"

cat >"$T/visual.sh" <<'EOF'
#!/bin/sh
printf 'Written with VISUAL\n' >"$1"
EOF
chmod +x "$T/visual.sh"
(unset EDITOR; VISUAL="$T/visual.sh" on_tty "$CCMSYNC_BIN" -C "$P" --json note add --on LAO --to Norway --title V
    echo "$RC" >"$T/rc.visual"; printf '%s' "$OUT" >"$T/out.visual")
expect_eq "$(cat "$T/rc.visual")" 0 "VISUAL when EDITOR is unset"
NOTE3=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$T/out.visual")
expect_ok ccm -C "$P" --json note show "$NOTE3"
expect_json 'd["fields"]["body"] == "Written with VISUAL\n"'

before=$(store_fingerprint "$P")
(unset EDITOR VISUAL; on_tty "$CCMSYNC_BIN" -C "$P" note add --on LAO --to Norway --title none
    echo "$RC" >"$T/rc.none"; printf '%s' "$OUT" >"$T/out.none")
expect_eq "$(cat "$T/rc.none")" 2 "no editor on a terminal: exit 2"
expect_contains "$(cat "$T/out.none")" "set EDITOR (or VISUAL)" "with a hint"
printf '#!/bin/sh\nexit 1\n' >"$T/fail.sh"
chmod +x "$T/fail.sh"
EDITOR="$T/fail.sh" on_tty "$CCMSYNC_BIN" -C "$P" note add --on LAO --to Norway --title fails
expect_eq "$RC" 1 "a failing editor: exit 1"
expect_contains "$OUT" "nothing written"
printf '#!/bin/sh\n: >"$1"\n' >"$T/empty.sh"
chmod +x "$T/empty.sh"
EDITOR="$T/empty.sh" on_tty "$CCMSYNC_BIN" -C "$P" note add --on LAO --to Norway --title empty
expect_eq "$RC" 2 "an empty body saved in the editor is refused"
expect_unchanged "$P" "$before" "no note written"
check "no editor file is left behind" test -z "$(find "$P" -maxdepth 1 -name 'note-*')"

# ---- notes on state show and activity show ---------------------------------------------------

expect_ok ccm -C "$P" sync
expect_ok ccm -C "$N" sync
run ccm -C "$N" --json note add --on LAO --to Norway --title "Norway only" <<<"private"
expect_eq "$RC" 0
NOTE4=$(jq_out 'd["id"]')
expect_ok ccm -C "$N" sync
expect_ok ccm -C "$P" sync
expect_ok ccm -C "$P" state set LAO status=signatory
expect_ok ccm -C "$P" sync
expect_ok ccm -C "$N" sync
expect_ok ccm -C "$P" state show LAO
expect_contains "$OUT" "notes:" "state show has a notes section"
expect_contains "$OUT" "$NOTE1  Before any record  (by Peru)" "a readable note: id, title, author"
expect_contains "$OUT" "$NOTE3  V  (by Peru)"
expect_contains "$OUT" "and 1 note you cannot read" "the others are counted"
expect_not_contains "$OUT" "Norway only" "an unreadable note's title is not shown"
expect_not_contains "$OUT" "$NOTE2" "a note on an activity is not listed on the state"
expect_ok ccm -C "$N" state show LAO
expect_contains "$OUT" "$NOTE4  Norway only  (by Norway)"
expect_contains "$OUT" "$NOTE1  Before any record  (by Peru)" "Norway reads the notes sent to him"
expect_not_contains "$OUT" "cannot read" "Norway can read all three"
expect_ok ccm -C "$P" activity show "$A"
expect_contains "$OUT" "$NOTE2  From the editor  (by Peru)" "activity show lists its notes"
expect_ok ccm -C "$P" --json state show LAO
expect_json 'sorted(d) == ["conflicts", "fields", "id", "kind", "meta"]' \
    "--json state show keeps the documented shape (notes: note list --on)"
expect_ok ccm -C "$P" state set KEN status=party
expect_ok ccm -C "$P" state show KEN
expect_not_contains "$OUT" "notes:" "no notes section without notes"

done_testing
