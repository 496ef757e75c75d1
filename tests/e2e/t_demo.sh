#!/usr/bin/env bash
# t_demo.sh - `ccmsync demo [DIR]` tells the whole story without network or
# input: three converged stores (identical exports, a record with a
# concurrent value that lost, a note Norway reads and Malawi cannot, a
# verified history, the audit trail of one state), the reference facts
# seeded, and the report printed and left as HTML in the demo folder, its
# path printed. Nothing it prints names a path outside its own folder.
# `--json demo` prints exactly one JSON document (the summary), nothing else.
. "$(dirname "$0")/lib.sh"
unset CCMSYNC_PASSPHRASE

# paths_outside DIR : the paths in the last command's stdout and stderr that
# are not in DIR: absolute ones (a token whose first component exists at the
# root of the file system, so that base64 in a join request is no path), and
# any climbing out with "..".
paths_outside() {
    python3 - "$1" "$T/.out" "$T/.err" <<'EOF'
import os, re, sys
base = sys.argv[1]
text = open(sys.argv[2]).read() + open(sys.argv[3]).read()
bad = set()
for m in re.finditer(r"(?<![\w.+/=])(/[\w.+@%~-][^\s'\",;:()]*|\.\./[^\s'\",;:()]*)", text):
    p = m.group(1)
    if p.startswith("/") and not os.path.exists("/" + p.split("/")[1]):
        continue
    if not (p == base or p.startswith(base + "/")):
        bad.add(p)
print("\n".join(sorted(bad)))
EOF
}

run ccm demo "$T/demo" </dev/null
expect_eq "$RC" 0 "the demo runs to the end"
expect_contains "$OUT" "concurrent value lost" "the demo shows a losing concurrent value"
expect_contains "$OUT" "history verified" "the demo verifies the history"
expect_contains "$OUT" "ccmsync seed" "the demo seeds the reference facts"
expect_contains "$OUT" "ccmsync log IDN" "the demo shows the audit trail of one state"
expect_contains "$OUT" "# Universalization of the Convention on Cluster Munitions" \
    "the demo prints the report"
expect_contains "$OUT" "The report is in $T/demo/report.html" "the demo prints the report's path"
expect_contains "$OUT" "Converged: the exports of Peru, Norway and Malawi are the same bytes" \
    "the demo compares the exports"
check "the report is left in the demo folder" test -s "$T/demo/report.html"
expect_match "$(head -c 200 "$T/demo/report.html")" '^<!DOCTYPE html>' "the report is HTML"
expect_eq "$(paths_outside "$T/demo")" "" "nothing printed names a path outside the demo folder"
expect_not_contains "$OUT$ERR" "shared/" "no reference to the team's files"

E1=$(ccm -C "$T/demo/peru" export)
E2=$(ccm -C "$T/demo/norway" export)
E3=$(ccm -C "$T/demo/malawi" export)
expect_eq "$E2" "$E1" "Norway's export equals Peru's"
expect_eq "$E3" "$E1" "Malawi's export equals Peru's"
run ccm -C "$T/demo/norway" --json note list
expect_json 'len(d) == 1 and d[0]["fields"]["to"] == ["Norway", "Peru"]' "Norway reads the note"
run ccm -C "$T/demo/malawi" --json note list
expect_json 'd == []' "Malawi does not"
run ccm -C "$T/demo/malawi" --json state show VUT
expect_json 'd["fields"]["status"] == "party" and d["fields"]["acceded"] == "2025-09-05" and "source" in d["fields"]' \
    "the seeded facts reached every member, with their source"
run ccm -C "$T/demo/peru" --json report
expect_json '[o for o in d["outputs"] if o["key"] == "new-state-party"][0]["states"][0]["id"] == "VUT"' \
    "the report finds the new State Party"
expect_json 'd["outreach"]["contacted"] >= 3 and d["activities"]["counted"]["done"] >= 5' \
    "the report counts the story's outreach and activities"

run ccm demo "$T/demo" </dev/null
expect_eq "$RC" 2 "a second demo in the same folder is refused"
expect_stderr_one_line "already holds a demo"

# --json: one JSON document on stdout, nothing on stderr, the story in demo.log.
run ccm --json demo "$T/jdemo" </dev/null
expect_eq "$RC" 0 "--json demo runs to the end"
expect_eq "$ERR" "" "--json demo prints nothing on stderr"
expect_json 'd["converged"] is True and d["verified"] is True and d["dir"] == "'"$T/jdemo"'" and d["report"] == "'"$T/jdemo/report.html"'" and d["state"]["id"] == "IDN" and d["state"]["conflicts"].get("priority") == 1 and d["state"]["audit_entries"] > 5 and d["note"]["seen_by_malawi"] == 0 and re.match("^[0-9a-f]{64}$", d["export_sha256"])' \
    "--json demo prints one summary document"
check "--json demo leaves the report" test -s "$T/jdemo/report.html"
check "--json demo keeps the story in demo.log" grep -q "concurrent value lost" "$T/jdemo/demo.log"
expect_eq "$(paths_outside "$T/jdemo")" "" "--json demo names no path outside its folder"
expect_eq "$(sha256sum <"$T/jdemo/export-peru.json" | cut -d' ' -f1)" "$(jq_out 'd["export_sha256"]')" \
    "the summary's hash is the hash of the exports"

# Without DIR: a fresh folder in $TMPDIR, and only paths in it are printed.
mkdir -p "$T/tmp"
run env TMPDIR="$T/tmp" "$CCMSYNC_BIN" demo </dev/null
expect_eq "$RC" 0 "demo without DIR runs"
made=$(find "$T/tmp" -mindepth 1 -maxdepth 1 -name 'ccmsync-demo-*' -type d)
expect_match "$made" "^$T/tmp/ccmsync-demo-[A-Za-z0-9]{6}$" "demo made its own folder in TMPDIR"
expect_eq "$(paths_outside "$made")" "" "demo without DIR names no path outside its folder"
check "its report is there" test -s "$made/report.html"
done_testing
