#!/usr/bin/env bash
# t_completion.sh - the bash completion (scripts/bash-completion/ccmsync, or
# CCM_COMPLETION) without the bash-completion package: it registers itself
# for ccmsync and completes commands (every one of `ccmsync help`),
# subcommands, each command's options (every one of its usage line), the
# schema's values, field names and values, state codes, and the member and
# remote names of the store named by -C or CCMSYNC_STORE (without asking
# for a passphrase).
. "$(dirname "$0")/lib.sh"

SRC=$(cd "$(dirname "$0")/../.." && pwd -P)
COMPLETION=${CCM_COMPLETION:-$SRC/scripts/bash-completion/ccmsync}
# shellcheck source=../../scripts/bash-completion/ccmsync
. "$COMPLETION"
expect_ok complete -p ccmsync
expect_eq "$OUT" "complete -F _ccmsync ccmsync" "the completion is registered for ccmsync"

# comp LINE : completes LINE (the cursor at its end) as bash would, the
# command word being the binary under test; sets REPLY_WORDS (sorted, one
# line each).
comp() {
    local COMP_LINE=$1 COMP_POINT=${#1} COMPREPLY=()
    _ccmsync "$CCMSYNC_BIN" 2>/dev/null
    REPLY_WORDS=$(printf '%s\n' "${COMPREPLY[@]}" | sort)
}
# expect_completion LINE WORD... : completing LINE offers exactly WORD...
expect_completion() {
    local line=$1
    shift
    comp "$line"
    expect_eq "$REPLY_WORDS" "$(printf '%s\n' "$@" | sort)" "completion of '$line'"
}
# expect_offers LINE WORD... : completing LINE offers (at least) WORD...
expect_offers() {
    local line=$1 w
    shift
    comp "$line"
    for w in "$@"; do
        expect_match "$REPLY_WORDS" "(^|$NL)$w($NL|$)" "completion of '$line' offers '$w'"
    done
}
NL=$'\n'

S="$T/store"
new_store "$S"
admit_name "$S" Norway
expect_ok ccm -C "$S" remote add origin "$T/hub.git"
expect_ok ccm -C "$S" remote add stick "$T/stick.git"
export CCMSYNC_STORE=$S
unset CCMSYNC_PASSPHRASE # completing never needs it

# ---- commands and subcommands, from the binary's own help ----------------------------------

expect_ok ccm help
HELP=$OUT
firsts=$(printf '%s\n' "$HELP" | sed -n 's/^usage: ccmsync \[-C DIR\] \[--json\] \([a-z]*\).*/\1/p' |
    sort -u)
comp "ccmsync "
for w in $firsts help; do
    expect_match "$REPLY_WORDS" "(^|$NL)$w($NL|$)" "command '$w' is completed"
done
expect_completion "ccmsync st" state status
expect_completion "ccmsync state " list rm set show
expect_completion "ccmsync --json -C $S note s" share show
expect_completion "ccmsync -" -C --json --passphrase-file --version --help
expect_completion "ccmsync help note " add list share show

# Each command's options: every option of its usage line is offered.
while IFS= read -r usage; do
    name=$(printf '%s\n' "$usage" | sed -n 's/^\([a-z]*\( [a-z][a-z]*\)\{0,1\}\).*/\1/p')
    opts=$(printf '%s\n' "$usage" | { grep -oE '(^|[ [])-(-[a-z-]+|[a-zA-Z])' || true; } |
        tr -d ' [' | sort -u)
    if [[ -n $opts ]]; then
        # shellcheck disable=SC2086 # one option a word
        expect_offers "ccmsync $name -" $opts --json --help
    fi
done < <(printf '%s\n' "$HELP" | sed -n 's/^usage: ccmsync \[-C DIR\] \[--json\] //p')

# ---- values ------------------------------------------------------------------------------

expect_completion "ccmsync state list --status " party signatory non-party withdrawing withdrawn
expect_completion "ccmsync activity list --status " planned "done" cancelled
expect_completion "ccmsync state list --target u" unga-yes
expect_completion "ccmsync activity add --type re" regional-workshop regional-org
expect_completion "ccmsync export --format " json csv
expect_completion "ccmsync export --kind " state activity
expect_completion "ccmsync member add REQ --role " admin editor reader
expect_offers "ccmsync state list --sort la" last_activity last_contact
expect_offers "ccmsync activity list --where su" summary

# Fields before '=' (no space after), values after it (bash keeps what
# precedes the last '=', which breaks words by default).
expect_completion "ccmsync state set LAO st" status=
expect_completion "ccmsync state set LAO status=s" signatory
expect_completion "ccmsync state set LAO targets+=apmbc,c" apmbc,ccw
expect_completion "ccmsync activity add --type ipu --date today s" status= states= summary=
expect_completion "ccmsync activity set 0123 status=c" cancelled

# State codes from the iso-codes data (249 codes).
expect_completion "ccmsync state show LA" LAO
expect_completion "ccmsync blame NO" NOR
expect_completion "ccmsync activity add --type ipu states=ID" IDN
comp "ccmsync state set "
expect_eq "$(printf '%s\n' "$REPLY_WORDS" | wc -l)" 249 "every ISO 3166-1 code is offered"

# Members and remotes of the store, with no passphrase and nothing written.
before=$(store_fingerprint "$S")
expect_completion "ccmsync member remove " Norway Peru
expect_completion "ccmsync note add --on LAO --to N" Norway
expect_completion "ccmsync state set LAO lead+=P" Peru
expect_completion "ccmsync sync " origin stick
expect_completion "ccmsync remote remove s" stick
unset CCMSYNC_STORE
expect_completion "ccmsync -C $S sync o" origin
expect_completion "ccmsync -C $T/none sync " ""
expect_unchanged "$S" "$before" "completing wrote nothing to the store"

# Files and folders.
mkdir -p "$T/files/some dir"
: >"$T/files/records.csv"
expect_completion "ccmsync -C $S import $T/files/rec" "$T/files/records.csv"
expect_completion "ccmsync -C $T/files/so" "$T/files/some dir"

done_testing
