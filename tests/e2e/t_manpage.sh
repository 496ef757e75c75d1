#!/usr/bin/env bash
# t_manpage.sh - the manual page (docs/ccmsync.1, or CCM_MANPAGE) is true to
# the binary and the code: every command of `ccmsync help` with its exact
# usage line, every global option, every exit status of cli/cli.h with the
# meaning `help` gives it, every environment variable the code reads
# (getenv), the version of `--version`; and it renders with man(1) and
# passes mandoc's lint without a warning.
. "$(dirname "$0")/lib.sh"

SRC=$(cd "$(dirname "$0")/../.." && pwd -P)
PAGE=${CCM_MANPAGE:-$SRC/docs/ccmsync.1}
check "man page $PAGE exists" test -f "$PAGE"
for tool in man mandoc; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        fail "'$tool' is not installed (scripts/setup installs it)"
    fi
done

# ---- renders without warnings ---------------------------------------------------------------

# man-db, non-interactively (no pager), groff's warnings on.
expect_ok env MANWIDTH=80 MANPAGER=cat PAGER=cat man --warnings -l "$PAGE"
expect_eq "$ERR" "" "man --warnings -l prints no warning"
RENDERED=$OUT
check "the rendered page is not empty" test "$(printf '%s\n' "$RENDERED" | wc -l)" -gt 300
expect_ok env LC_ALL=C.UTF-8 MANWIDTH=80 MANPAGER=cat man --warnings -E UTF-8 -l "$PAGE"
expect_eq "$ERR" "" "man --warnings -E UTF-8 prints no warning"
expect_ok mandoc -T lint -W all "$PAGE"
expect_eq "$OUT$ERR" "" "mandoc -T lint -W all finds nothing"

# The rendered text with every run of white space made one space (lines
# wrap wherever the width puts them).
FLAT=$(printf '%s\n' "$RENDERED" | tr -s ' \n\t' '   ')
# has_line TEXT ERE WHAT : some line of TEXT matches ERE. (A here-string,
# not a pipe: grep -q stops at the first match, and under pipefail a
# printf still writing would fail the check.)
has_line() {
    if grep -qE -- "$2" <<<"$1"; then
        pass
    else
        fail "$3: no line matches /$2/"
    fi
}
# section NAME : the rendered text of one section (up to the next heading).
section() {
    printf '%s\n' "$RENDERED" | awk -v s="$1" '
        /^[A-Z][A-Z ,]*$/ { on = ($0 == s); next }
        on { print }'
}

# ---- every command with its exact usage ----------------------------------------------------

expect_ok ccm help
HELP=$OUT
ncmd=0
while IFS= read -r usage; do
    ncmd=$((ncmd + 1))
    want="ccmsync $(printf '%s' "$usage" | tr -s ' ' ' ')"
    expect_contains "$FLAT" "$want" "the man page gives the usage of '${usage%% [[-]*}'"
done < <(printf '%s\n' "$HELP" | sed -n 's/^usage: ccmsync \[-C DIR\] \[--json\] //p')
check "ccmsync help lists the commands (found $ncmd)" test "$ncmd" -ge 30
COMMANDS=$(section COMMANDS)
while IFS= read -r name; do
    has_line "$COMMANDS" "^       ccmsync $name( |$)" "'$name' has its entry under COMMANDS"
done < <(printf '%s\n' "$HELP" | sed -n 's/^usage: ccmsync \[-C DIR\] \[--json\] \([a-z]*\( [a-z][a-z]*\)\{0,1\}\).*/\1/p')

# ---- global options ---------------------------------------------------------------------------

OPTIONS=$(section OPTIONS)
for opt in $(printf '%s\n' "$HELP" | sed -n 's/^  \(-[-a-zA-Z]*\) .*/\1/p') --version --help; do
    has_line "$OPTIONS" "^       (-[-a-zA-Z]+, )*$opt( |,|$)" "global option $opt is described"
done

# ---- exit statuses ----------------------------------------------------------------------------

EXIT=$(section "EXIT STATUS")
codes=$(sed -n 's/^ *CCM_EXIT_[A-Z_]* = \([0-9]*\),.*/\1/p' "$SRC/cli/cli.h")
check "cli/cli.h defines the exit statuses" test -n "$codes"
for code in $codes; do
    has_line "$EXIT" "^       $code +[A-Z]" "exit status $code is described"
done
# `help` names each status; the page describes it with the same words.
helpexit=$(printf '%s\n' "$HELP" | sed -n '/^Exit status:/,/\.$/p' | tr -s ' \n' '  ')
for pair in "1:runtime error" "2:usage or validation error" "3:not permitted" \
    "4:verification failed" "5:remote unreachable"; do
    expect_contains "$helpexit" "${pair%%:*} ${pair#*:}" "help gives status ${pair%%:*}"
    expect_match "$(printf '%s\n' "$EXIT" | tr -s ' \n' '  ' | tr '[:upper:]' '[:lower:]')" \
        " ${pair%%:*} ${pair#*:}" "the page gives status ${pair%%:*} as '${pair#*:}'"
done

# ---- environment --------------------------------------------------------------------------------

ENVIRONMENT=$(section ENVIRONMENT)
vars=$(grep -rhoE 'getenv\("[A-Za-z_][A-Za-z0-9_]*"\)' "$SRC/cli" "$SRC/store" "$SRC/sync" \
    "$SRC/crypto" | sed 's/getenv("\(.*\)")/\1/' | sort -u)
check "the code reads CCMSYNC_STORE" grep -qx CCMSYNC_STORE <<<"$vars"
for var in $vars CCMSYNC_TODAY NO_COLOR; do
    has_line "$ENVIRONMENT" "^       ([A-Za-z_]+, )*$var(,| |$)" "environment variable $var is described"
done

# ---- version --------------------------------------------------------------------------------------

expect_ok ccm --version
expect_match "$OUT" '^ccmsync [0-9]+\.[0-9]+\.[0-9]+$' "--version prints ccmsync X.Y.Z"
th=$(sed -n 's/^\.TH CCMSYNC 1 [0-9-]* "\(ccmsync [^"]*\)".*/\1/p' "$PAGE")
expect_eq "$th" "$OUT" "the page's .TH names the version of --version"

# ---- the test itself fails on a page missing a command ------------------------------------------

grep -v '^\.B "ccmsync member remove"$' "$PAGE" >"$T/cut.1"
run env MANWIDTH=80 MANPAGER=cat man -l "$T/cut.1"
cut=$(printf '%s\n' "$OUT" | tr -s ' \n\t' '   ')
expect_not_contains "$cut" "ccmsync member remove NAME" "a page without member remove lacks its usage"

done_testing
