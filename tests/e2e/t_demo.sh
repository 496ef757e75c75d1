#!/usr/bin/env bash
# t_demo.sh - `ccmsync demo DIR` runs without network or input and leaves
# three converged stores: identical exports, a record with a concurrent value
# that lost, a note that Norway can read and Malawi cannot, a verified history.
. "$(dirname "$0")/lib.sh"
unset CCMSYNC_PASSPHRASE

run ccm demo "$T/demo" </dev/null
expect_eq "$RC" 0 "the demo runs to the end"
expect_contains "$OUT" "concurrent value lost" "the demo shows a losing concurrent value"
expect_contains "$OUT" "history verified" "the demo verifies the history"
E1=$(ccm -C "$T/demo/peru" export)
E2=$(ccm -C "$T/demo/norway" export)
E3=$(ccm -C "$T/demo/malawi" export)
expect_eq "$E2" "$E1" "Norway's export equals Peru's"
expect_eq "$E3" "$E1" "Malawi's export equals Peru's"
run ccm -C "$T/demo/norway" --json note list
expect_json 'len(d) == 1 and d[0]["fields"]["to"] == ["Norway", "Peru"]' "Norway reads the note"
run ccm -C "$T/demo/malawi" --json note list
expect_json 'd == []' "Malawi does not"
run ccm demo "$T/demo" </dev/null
expect_eq "$RC" 2 "a second demo in the same folder is refused"
done_testing
