#!/usr/bin/env bash
# t_report.sh - `ccmsync report` end to end: the three formats, on stdout and
# into a file (whole or not at all), the options and their errors (exit 2,
# nothing written), a member who cannot read the records (exit 3), notes and
# removed activities never in any format; and the HTML report rendered in
# headless Chromium (Debian's `chromium`): it loads with no request leaving
# the page (the browser's network log has none, and the same check catches a
# page that does fetch something), its charts are in the DOM, and a
# screenshot of it is a picture of the expected size.
#
# Chromium runs with a profile folder of its own in the scratch folder, and
# with host resolution mapped to nothing (--host-resolver-rules), so that
# neither the page nor the browser's own background services reach any
# address; every run is bounded by `timeout`.
. "$(dirname "$0")/lib.sh"

S="$T/peru"
new_store "$S" Peru
expect_ok ccm -C "$S" seed
expect_ok ccm -C "$S" activity add --type bilateral --date 2025-03-12 states=IDN,JAM by=Peru \
    status=done 'summary=Meeting with the Permanent Missions'
expect_ok ccm -C "$S" activity add --type side-event --date 2025-03-27 by=Peru status=done \
    'summary=Side event in Geneva'
expect_ok ccm -C "$S" activity add --type survey --date 2025-02-24 states=IDN status=done \
    'summary=REMOVED-ACTIVITY'
removed=$OUT
expect_ok ccm -C "$S" activity rm "$removed"
expect_ok ccm -C "$S" state set IDN survey_reasons=security,cost 'next_step=Call <back> | soon'
printf 'SECRET-BODY of the read-out\n' >"$T/body.txt"
expect_ok ccm -C "$S" note add --on IDN --to Peru --title SECRET-TITLE <"$T/body.txt"

# ---- formats ------------------------------------------------------------------------

run ccm -C "$S" report
expect_eq "$RC" 0 "report prints Markdown by default"
expect_match "$OUT" '^# Universalization of the Convention on Cluster Munitions' "a Markdown heading"
expect_contains "$OUT" "| Indonesia (IDN) | apmbc, signatory | yes (1) | Peru | 2025-03-12 |" \
    "outreach row computed from the done activity (the removed one does not count)"
expect_contains "$OUT" "Call \\<back\\> \\| soon" "record text is escaped in Markdown"
expect_contains "$OUT" "Vanuatu: acceded 2025-09-05" "the new State Party's evidence, from the seeded facts"
md=$OUT

run ccm -C "$S" --json report
expect_json 'd["format"] == "ccmsync-report-1" and d["period"] == {"since": "2024-12-01", "until": "2025-09-30", "work_plan": True} and d["activities"]["counted"]["done"] == 2 and d["activities"]["counted"]["planned"] == 10 and d["outreach"]["contacted"] == 2 and d["outreach"]["targets"] == 13' \
    "--json report is the model"
expect_json '[r for r in d["survey"]["reasons"] if r["reason"] == "security"][0]["states"] == ["IDN"]' \
    "survey reasons counted"
expect_json '[o["assessment"] for o in d["outputs"]] == ["evidence", "evidence", "evidence", "evidence"]' \
    "every expected output has evidence in this store"
json=$OUT
run ccm -C "$S" report --format json
expect_eq "$OUT" "$json" "--format json prints the same document"

# ---- --at: the report as the records stood at a past commit ----------------------
then=$(git --git-dir="$S/repo" rev-parse main)
admit_name "$S" Norway # a member who joined after `then`: not in the report as it stood then
expect_ok ccm -C "$S" activity add --type ipu --date 2025-04-02 states=KEN by=Peru status=done \
    'summary=Meeting with the IPU'
expect_ok ccm -C "$S" state set KEN survey_reasons+=capacity
run ccm -C "$S" --json report
expect_json 'd["activities"]["counted"]["done"] == 3 and d["outreach"]["contacted"] == 3' \
    "after the new activity: three done, three target states contacted"
expect_json '"Norway" in [m["member"] for m in d["activities"]["by_implementer"]]' \
    "a member who joined since is among the implementers now"
run ccm -C "$S" --json report --at "$then"
expect_eq "$OUT" "$json" "report --at COMMIT gives the report as it stood then, byte for byte"
run ccm -C "$S" --json report --at "${then:0:10}"
expect_eq "$OUT" "$json" "report --at takes a commit prefix"
expect_exit 2 ccm -C "$S" report --at 1999-13-40
expect_stderr_one_line "1999-13-40"

run ccm -C "$S" report --format html
expect_match "$OUT" '^<!DOCTYPE html>' "--format html prints one page"

for f in "$md" "$json" "$OUT"; do
    expect_not_contains "$f" "SECRET" "a note's title or body never appears in a report"
    expect_not_contains "$f" "REMOVED-ACTIVITY" "a removed activity never appears in a report"
    expect_not_contains "$f" "$removed" "nor its id"
done

# into files: the format from the extension, the path printed
run ccm -C "$S" report -o "$T/out/r.html"
expect_exit 2 ccm -C "$S" report -o "$T/no-such-folder/r.html"
expect_stderr_one_line "cannot write '$T/no-such-folder/r.html'"
check "nothing is left behind" test ! -e "$T/no-such-folder"
mkdir -p "$T/out"
run ccm -C "$S" report -o "$T/out/r.html"
expect_eq "$OUT" "wrote the report (html) to $T/out/r.html" "report -o says where"
run ccm -C "$S" report -o "$T/out/r.json"
expect_eq "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["format"])' "$T/out/r.json")" \
    ccmsync-report-1 ".json gives JSON"
run ccm -C "$S" report -o "$T/out/r.md" --since 2025-03-01 --until 2025-03-31
expect_contains "$(cat "$T/out/r.md")" "Period: 2025-03-01 to 2025-03-31" "the period is stated"
expect_contains "$(cat "$T/out/r.md")" "3 activities in the period: 2 done, 1 planned" "and bounds the activities"
run ccm -C "$S" --json report --format md -o "$T/out/x.txt"
expect_json 'd == {"path": "'"$T/out/x.txt"'", "format": "md"}' "--json report -o prints where it wrote"
check "no temporary file is left" test "$(find "$T/out" -name '*.XXXXXX' -o -name '*.??????' | wc -l)" -eq 0

# ---- errors ----------------------------------------------------------------------------

before=$(store_fingerprint "$S")
for bad in "--format pdf:unknown report format 'pdf' (md, html, json)" \
    "--since 2025-13-01:invalid date '2025-13-01' for '--since' (YYYY-MM-DD)" \
    "--until yesterday:invalid date 'yesterday' for '--until'" \
    "--since 2025-06-01 --until 2025-01-01:--since 2025-06-01 is after --until 2025-01-01" \
    "--frob:unexpected argument '--frob'" \
    "--format:unexpected argument '--format'"; do
    # shellcheck disable=SC2086 # the options are split into words on purpose
    expect_exit 2 ccm -C "$S" report ${bad%%:*}
    expect_stderr_one_line "${bad#*:}"
    expect_stdout_empty
done
expect_exit 2 ccm -C "$S" --json report --format html
expect_stderr_one_line "give -o FILE"
expect_unchanged "$S" "$before" "a refused report writes nothing"

# A member not admitted yet cannot read the records: exit 3, nothing printed.
expect_ok ccm -C "$S" remote add origin "$T/hub.git"
expect_ok ccm -C "$S" sync
run ccm -C "$T/newcomer" join "$T/hub.git" --member Malawi
expect_exit 3 ccm -C "$T/newcomer" report
expect_stdout_empty
expect_exit 3 ccm -C "$T/newcomer" report -o "$T/newcomer.html"
check "no report file for a member who cannot read" test ! -e "$T/newcomer.html"

# ---- the HTML report in headless Chromium ------------------------------------------------

CHROMIUM=$(command -v chromium || true)
if [[ -z "$CHROMIUM" ]]; then
    LAST_CMD=""
    fail "chromium is not installed: the HTML report cannot be checked in a browser (run scripts/setup, or apt-get install chromium)"
    done_testing
fi

# browser OUTFILE ARGS... : one bounded headless run with a fresh profile;
# its network log goes to $T/net.json.
browser() {
    local out=$1
    shift
    rm -rf "$T/chromium-profile" "$T/net.json"
    timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --disable-extensions --disable-default-apps --disable-domain-reliability --no-pings \
        --host-resolver-rules='MAP * ~NOTFOUND' --user-data-dir="$T/chromium-profile" \
        --log-net-log="$T/net.json" "$@" >"$out" 2>"$T/chromium.err"
}

# page_requests : the requests the page itself made (those whose network
# isolation key is the file:// page; the browser's own are not the page's).
page_requests() {
    python3 - "$T/net.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
types = {v: k for k, v in d["constants"]["logEventTypes"].items()}
for e in d["events"]:
    p = e.get("params") or {}
    if types.get(e["type"]) == "URL_REQUEST_START_JOB" and "url" in p \
            and p.get("network_isolation_key", "").startswith("file://"):
        print(p["url"])
EOF
}

REPORT="$T/out/r.html"
for pat in '://' 'src=' 'href=' 'url(' '@import' '<script' '<link' '<img' '<iframe'; do
    check "the HTML report holds no '$pat'" bash -c "! grep -qF -- '$pat' '$REPORT'"
done

browser "$T/dom.html" --dump-dom "file://$REPORT"
expect_eq "$?" 0 "chromium loads the report"
dom=$(cat "$T/dom.html")
expect_contains "$dom" "Expected outputs" "the page rendered its sections"
expect_eq "$(grep -o '<svg class="chart"' "$T/dom.html" | wc -l)" 6 "the six charts are in the DOM"
expect_eq "$(grep -o '<rect ' "$T/dom.html" | wc -l | awk '{print ($1 > 20)}')" 1 "the charts have bars"
check "the browser wrote its network log" test -s "$T/net.json"
expect_eq "$(page_requests)" "" "loading the report requested nothing"

# The same check catches a page that does fetch something.
printf '<!DOCTYPE html><html><body><img src="http://127.0.0.1:1/x.png"></body></html>\n' \
    >"$T/fetching.html"
browser "$T/dom2.html" --dump-dom "file://$T/fetching.html"
expect_eq "$(page_requests)" "http://127.0.0.1:1/x.png" "a page that fetches is caught"

browser "$T/shot.out" --hide-scrollbars --window-size=1000,1400 --screenshot="$T/shot.png" \
    "file://$REPORT"
check "chromium takes a screenshot" test -s "$T/shot.png"
expect_eq "$(python3 -c '
import struct, sys
b = open(sys.argv[1], "rb").read(24)
print(b[:8] == b"\x89PNG\r\n\x1a\n", *struct.unpack(">II", b[16:24]))' "$T/shot.png")" \
    "True 1000 1400" "the screenshot is a 1000x1400 PNG"
expect_eq "$(page_requests)" "" "the screenshot's load requested nothing either"

done_testing
