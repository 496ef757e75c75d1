#!/usr/bin/env bash
# t_json_all.sh - with --json, every command prints exactly one JSON
# document on stdout (parsed by python's json module), including those that
# print nothing for people (remote add, remote remove) and the ones whose
# text is not JSON (member list --allowed-signers, export -o). The list of
# commands comes from `ccmsync help`, so that a command added later and not
# covered here fails this test.
. "$(dirname "$0")/lib.sh"
unset CCMSYNC_PASSPHRASE

declare -A covered=()
# js WHAT CMD... : CMD (run with --json) succeeds and prints one JSON document
# for which the python expression WHAT... is true; marks the command covered.
js() {
    local expr=$1
    shift
    expect_ok "$@"
    expect_json "$expr" "--json $*: one JSON document"
}
cover() { covered["$*"]=1; }

HUB="$T/hub.git" P="$T/peru" N="$T/norway" M="$T/malawi"
js 'd["member"] == "Peru"' ccm -C "$P" --json init --member Peru --no-passphrase
cover init
js 'd["remote"] == "origin" and d["url"] == "'"$HUB"'"' ccm -C "$P" --json remote add origin "$HUB"
cover remote add
js 'isinstance(d, list) and d[0]["name"] == "origin"' ccm -C "$P" --json remote list
cover remote list
js 'd["remote"] == "extra" and d["removed"] is True' \
    sh -c "\"\$CCMSYNC_BIN\" -C '$P' remote add extra /nowhere && \"\$CCMSYNC_BIN\" -C '$P' --json remote remove extra"
cover remote remove
js 'd["pushed"] is True' ccm -C "$P" --json sync
cover sync
js 'd["member"] == "Norway" and d["request"].startswith("ccmsync-join")' \
    ccm -C "$N" --json join "$HUB" --member Norway --no-passphrase
cover join
REQ=$(jq_out 'd["request"]')
js 'd["added"] is True' ccm -C "$P" --json member add "$REQ"
cover member add
expect_ok ccm -C "$M" join "$HUB" --member Malawi --no-passphrase
js 'd["added"] is True' ccm -C "$P" --json member add "$OUT"
js 'd["removed"] is True' ccm -C "$P" --json member remove Malawi
cover member remove
js 'len(d) == 3' ccm -C "$P" --json member list
js 'len(d) == 3 and all(" namespaces=\"git\"" in x for x in d)' \
    ccm -C "$P" --json member list --allowed-signers
cover member list
js 'd["member"] == "Peru" and d["role"] == "admin"' ccm -C "$P" --json whoami
js 'd["member"] == "Peru"' ccm -C "$P" --json whoami --request
cover whoami

js 'd["id"] == "LAO"' ccm -C "$P" --json state set LAO status=signatory
cover state set
js 'd["id"] == "LAO"' ccm -C "$P" --json state show LAO
cover state show
js 'len(d) == 1' ccm -C "$P" --json state list --sort status --columns id
cover state list
expect_ok ccm -C "$P" state set IND status=party
js 'd == {"id": "IND", "removed": True}' ccm -C "$P" --json state rm IND
cover state rm
js 'HEX16.match(d["id"])' ccm -C "$P" --json activity add --type bilateral --date 2025-03-12 states=LAO
cover activity add
A=$(jq_out 'd["id"]')
js 'd["id"] == "'"$A"'"' ccm -C "$P" --json activity set "$A" status=done
cover activity set
js 'd["id"] == "'"$A"'"' ccm -C "$P" --json activity show "$A"
cover activity show
js 'len(d) == 1' ccm -C "$P" --json activity list --status done
cover activity list
B=$(ccm -C "$P" activity add --type ipu --date 2025-01-01)
js 'd == {"id": "'"$B"'", "removed": True}' ccm -C "$P" --json activity rm "$B"
cover activity rm
run ccm -C "$P" --json note add --on LAO --to Norway --title T <<<"body"
expect_eq "$RC" 0
expect_json 'HEX16.match(d["id"])' "--json note add"
cover note add
NOTE=$(jq_out 'd["id"]')
js 'd["fields"]["body"] == "body\n"' ccm -C "$P" --json note show "$NOTE"
cover note show
js 'len(d) == 1' ccm -C "$P" --json note list --on LAO
cover note list
expect_ok ccm -C "$P" sync
expect_ok ccm -C "$N" sync
expect_ok ccm -C "$T/malawi2" join "$HUB" --member Malawi2 --no-passphrase
expect_ok ccm -C "$P" member add "$OUT"
js 'd["shared_with"] == "Malawi2"' ccm -C "$P" --json note share "$NOTE" --to Malawi2
cover note share
js 'len(d) > 0' ccm -C "$P" --json log LAO
cover log
js 'd["id"] == "LAO"' ccm -C "$P" --json blame LAO
cover blame
js 'd["ok"] is True' ccm -C "$P" --json verify
cover verify
js 'd["member"] == "Peru"' ccm -C "$P" --json status
cover status
js 'len(d["states"]) == 1' ccm -C "$P" --json export
js 'd["states"] == 1' ccm -C "$P" --json export --format csv -o "$T/csv"
js 'd["states"] == 1' ccm -C "$P" --json export -o "$T/export.json"
cover export
js 'd["states"] == 1' ccm -C "$P" --json import "$T/csv/states.csv"
cover import
js 'd[0]["kind"] == "state"' ccm -C "$P" --json search signatory
cover search

# Every command of `ccmsync help` is covered above, apart from those another
# part of the work owns and tests (demo, report, seed: their own --json).
expect_ok ccm help
sed -n 's/^usage: ccmsync \[-C DIR\] \[--json\] //p' "$T/.out" |
    awk '{ c = $1; if ($2 ~ /^[a-z]+$/) c = c " " $2; print c }' | sort -u >"$T/commands"
check "help lists the commands" test "$(wc -l <"$T/commands")" -ge 25
while read -r c; do
    case "$c" in
    demo | report | seed) continue ;;
    esac
    check "--json of '$c' is tested here" test -n "${covered[$c]:-}"
done <"$T/commands"

done_testing
