# lib.sh - shared helpers of the end-to-end tests (sourced by tests/e2e/t_*.sh).
#
# Environment:
#   CCMSYNC_BIN        the ccmsync binary under test (required)
#   CCMFORGE_BIN       tests/support's forging tool (for the helper `forge`)
#   CCM_TEST_TMP       where per-test scratch folders go (default /tmp)
#   CCM_E2E_KEEP=1     keep the scratch folder after the test (its path is printed)
#   CCM_E2E_KEEP_GOING=1  count failed assertions and carry on instead of
#                      stopping at the first one (the script still exits 1)
#
# Every assertion helper counts one check; `done_testing` prints the summary
# line "N passed, M failed" and sets the exit status. A failure prints
# "FAIL: <what>" with the script line, the command, its exit status and stderr.
#
# Tools: bash, git (with ssh-keygen for verify-commit), python3 (JSON checks),
# sha256sum, and for some tests flock and setsid (util-linux).

set -euo pipefail
set -E

if [[ -z "${CCMSYNC_BIN:-}" ]]; then
    echo "CCMSYNC_BIN must name the ccmsync binary" >&2
    exit 1
fi
case "$CCMSYNC_BIN" in
/*) ;;
*) CCMSYNC_BIN="$PWD/$CCMSYNC_BIN" ;;
esac
if [[ ! -x "$CCMSYNC_BIN" ]]; then
    echo "CCMSYNC_BIN '$CCMSYNC_BIN' is not an executable file" >&2
    exit 1
fi
for tool in git python3 sha256sum; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "e2e tests need '$tool' on PATH" >&2
        exit 1
    fi
done
export CCMSYNC_BIN

TEST_NAME=$(basename "$0" .sh)
mkdir -p "${CCM_TEST_TMP:-/tmp}"
T=$(mktemp -d "${CCM_TEST_TMP:-/tmp}/$TEST_NAME.XXXXXX")
T=$(cd "$T" && pwd -P)

PASSED=0
FAILED=0
FINISHED=0

_cleanup() {
    local rc=$?
    local pids
    pids=$(jobs -p) || true
    for p in $pids; do
        kill "$p" 2>/dev/null || true
    done
    wait 2>/dev/null || true
    if [[ $FINISHED -eq 0 ]]; then
        echo "ABORTED: unexpected error (exit $rc) near line ${_ERR_LINE:-?} of $TEST_NAME" >&2
        echo "$PASSED passed, $((FAILED + 1)) failed"
        rc=1
    fi
    if [[ "${CCM_E2E_KEEP:-}" == 1 ]]; then
        echo "scratch folder kept: $T" >&2
    else
        rm -rf "$T"
    fi
    exit "$rc"
}
trap _cleanup EXIT
trap '_ERR_LINE=$LINENO' ERR

# A clean, predictable environment: no user configuration of git or ccmsync.
export HOME="$T/home"
mkdir -p "$HOME"
unset CCMSYNC_STORE XDG_DATA_HOME CCMSYNC_LOCK_TIMEOUT CCMSYNC_PASSPHRASE
# No proxy, agent or credentials of the user's own: the servers are local.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY no_proxy NO_PROXY SSH_AUTH_SOCK \
    CCMSYNC_SSH_PASSPHRASE CCMSYNC_HTTPS_TOKEN CCMSYNC_HTTPS_USER GIT_SSL_CAINFO GIT_SSL_CAPATH
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export GIT_AUTHOR_NAME=Mallory GIT_AUTHOR_EMAIL=mallory@example.invalid
export GIT_COMMITTER_NAME=Mallory GIT_COMMITTER_EMAIL=mallory@example.invalid
export LC_ALL=C
# The passphrase of the stores the tests create (see new_store).
export CCMSYNC_PASSPHRASE="e2e-passphrase"

# ccm ARGS... : runs the binary under test.
ccm() {
    "$CCMSYNC_BIN" "$@"
}

# ---- running commands ---------------------------------------------------

# run CMD... : runs CMD without stopping the script; sets RC, and OUT / ERR
# (stdout / stderr, trailing newlines removed). The raw output stays in the
# files $T/.out and $T/.err.
# shellcheck disable=SC2034 # OUT, ERR, RC are for the test scripts
run() {
    "$@" >"$T/.out" 2>"$T/.err" && RC=0 || RC=$?
    OUT=$(cat "$T/.out")
    ERR=$(cat "$T/.err")
    LAST_CMD="$*"
}

_PY_TTY='
import os, pty, select, sys, termios, time
prompts = [p.encode() for p in sys.argv[1].split("|") if p]
answers = [a.encode() for a in sys.argv[2].split("|")]
argv = sys.argv[3:]
pid, fd = pty.fork()
if pid == 0:
    try:
        os.execvp(argv[0], argv)
    finally:
        os._exit(127)
out, seen, start, deadline = b"", None, 0, time.time() + 60
while True:
    if time.time() > deadline:
        os.kill(pid, 9)  # our own child, by its PID
        os.waitpid(pid, 0)
        sys.stdout.buffer.write(out + b"\n[run_tty: killed after 60 s]\n")
        sys.exit(124)
    if prompts and prompts[0] in out[start:]:
        seen = seen or time.time()
        # type once the prompt has turned echo off (and flushed what was
        # typed before), or after 0.3 s for a prompt that keeps echo on
        if not termios.tcgetattr(fd)[3] & termios.ECHO or time.time() - seen > 0.3:
            os.write(fd, answers.pop(0) + b"\n")
            start = out.index(prompts.pop(0), start) + 1
            seen = None
    ready, _, _ = select.select([fd], [], [], 0.05)
    if ready:
        try:
            data = os.read(fd, 4096)
        except OSError:
            data = b""
        if not data:
            break
        out += data
_, status = os.waitpid(pid, 0)
sys.stdout.buffer.write(out.replace(b"\r", b""))
sys.exit(os.waitstatus_to_exitcode(status))
'

# run_tty PROMPTS ANSWERS CMD... : runs CMD on a pseudo-terminal of its own
# (stdin, stdout and stderr are that terminal, its controlling one). PROMPTS
# and ANSWERS are lists separated by '|': once the next prompt has appeared
# (and turned echo off, or 0.3 s passed), its answer and Enter are typed.
# Sets RC and OUT (everything CMD wrote, on one stream); at most 60 s.
# shellcheck disable=SC2034
run_tty() {
    python3 -c "$_PY_TTY" "$@" >"$T/.out" 2>"$T/.err" && RC=0 || RC=$?
    OUT=$(cat "$T/.out")
    ERR=$(cat "$T/.err")
    LAST_CMD="(on a terminal) ${*:3}"
}

# ---- assertions -----------------------------------------------------------

_caller_line() {
    # The line of the test script that called the assertion.
    local i
    for ((i = 1; i < ${#BASH_SOURCE[@]}; i++)); do
        if [[ "${BASH_SOURCE[$i]}" != "${BASH_SOURCE[0]}" ]]; then
            echo "${BASH_LINENO[$((i - 1))]}"
            return
        fi
    done
    echo "?"
}

pass() {
    PASSED=$((PASSED + 1))
}

# fail MESSAGE : reports a failed assertion; stops unless CCM_E2E_KEEP_GOING=1.
fail() {
    FAILED=$((FAILED + 1))
    {
        echo "FAIL ($TEST_NAME line $(_caller_line)): $1"
        if [[ -n "${LAST_CMD:-}" ]]; then
            echo "  last command: $LAST_CMD"
            echo "  exit status:  ${RC:-?}"
            echo "  stderr:       $(head -c 2000 "$T/.err" 2>/dev/null || true)"
        fi
    } >&2
    if [[ "${CCM_E2E_KEEP_GOING:-}" != 1 ]]; then
        FINISHED=1
        echo "$PASSED passed, $FAILED failed"
        exit 1
    fi
}

# check DESCRIPTION CMD... : CMD must succeed (a generic assertion).
check() {
    local what=$1
    shift
    if "$@"; then pass; else fail "$what"; fi
}

# expect_exit CODE CMD... : runs CMD (see run) and checks its exit status.
expect_exit() {
    local code=$1
    shift
    run "$@"
    if [[ "$RC" == "$code" ]]; then
        pass
    else
        fail "expected exit $code, got $RC from: $*"
    fi
}

# expect_ok CMD... : expect_exit 0.
expect_ok() {
    expect_exit 0 "$@"
}

# expect_eq ACTUAL EXPECTED [WHAT]
expect_eq() {
    if [[ "$1" == "$2" ]]; then
        pass
    else
        fail "${3:-values differ}: expected '$2', got '$1'"
    fi
}

# expect_ne ACTUAL UNEXPECTED [WHAT]
expect_ne() {
    if [[ "$1" != "$2" ]]; then
        pass
    else
        fail "${3:-values should differ}: both are '$1'"
    fi
}

# expect_contains HAYSTACK NEEDLE [WHAT]
expect_contains() {
    if [[ "$1" == *"$2"* ]]; then
        pass
    else
        fail "${3:-text lacks an expected part}: '$2' not in '$(printf %s "$1" | head -c 1500)'"
    fi
}

# expect_not_contains HAYSTACK NEEDLE [WHAT]
expect_not_contains() {
    if [[ "$1" != *"$2"* ]]; then
        pass
    else
        fail "${3:-text has an unexpected part}: '$2' found in '$(printf %s "$1" | head -c 1500)'"
    fi
}

# expect_match TEXT ERE [WHAT] : TEXT matches the extended regular expression.
expect_match() {
    if [[ "$1" =~ $2 ]]; then
        pass
    else
        fail "${3:-text does not match}: '$(printf %s "$1" | head -c 1500)' !~ /$2/"
    fi
}

# expect_stderr_one_line [NEEDLE...] : the last command's stderr is exactly one
# line, "ccmsync: ...", containing every NEEDLE.
expect_stderr_one_line() {
    local lines
    lines=$(wc -l <"$T/.err")
    if [[ "$lines" -ne 1 || "$(tail -c 1 "$T/.err" | od -An -c | tr -d ' ')" != '\n' ]]; then
        fail "stderr should be exactly one line, got $lines line(s): '$(head -c 1500 "$T/.err")'"
        return 0
    fi
    if [[ "$ERR" != "ccmsync: "* ]]; then
        fail "stderr should start with 'ccmsync: ', got '$ERR'"
        return 0
    fi
    local n
    for n in "$@"; do
        if [[ "$ERR" != *"$n"* ]]; then
            fail "stderr should name '$n': '$ERR'"
            return 0
        fi
    done
    pass
}

# expect_stdout_empty : the last command printed nothing on stdout.
expect_stdout_empty() {
    if [[ ! -s "$T/.out" ]]; then
        pass
    else
        fail "stdout should be empty, got '$(head -c 500 "$T/.out")'"
    fi
}

# ---- JSON (python3) -------------------------------------------------------

_PY_JSON='
import json, re, sys
src = open(sys.argv[1], encoding="utf-8").read()
try:
    d = json.loads(src)
except ValueError as e:
    print("not exactly one JSON document: %s" % e, file=sys.stderr)
    sys.exit(3)
HEX16 = re.compile(r"^[0-9a-f]{16}$")
HEX40 = re.compile(r"^[0-9a-f]{40}$")
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
def by_id(arr, i):
    return [x for x in arr if x.get("id") == i][0]
v = eval("(" + sys.argv[2] + "\n)")
if sys.argv[3] == "print":
    print(v if isinstance(v, str) else json.dumps(v, sort_keys=True, ensure_ascii=False))
else:
    sys.exit(0 if v else 1)
'

# json_file FILE EXPR : prints EXPR (python; the document is `d`) evaluated on
# the JSON document in FILE: strings raw, other values as compact JSON.
json_file() {
    python3 -c "$_PY_JSON" "$1" "$2" print
}

# jq_out EXPR : json_file on the last command's stdout.
jq_out() {
    json_file "$T/.out" "$1"
}

# expect_json EXPR [WHAT] : the last command's stdout is exactly one JSON
# document `d` for which the python expression EXPR is true. Helpers in
# scope: re, json, HEX16, HEX40, RFC3339, by_id(array, id).
expect_json() {
    local err
    if err=$(python3 -c "$_PY_JSON" "$T/.out" "$1" check 2>&1); then
        pass
    else
        fail "${2:-JSON check failed}: $1 ${err:+($err)} on: $(head -c 1500 "$T/.out")"
    fi
}

# ---- stores -----------------------------------------------------------------

# new_store DIR [MEMBER] : a new store (passphrase $CCMSYNC_PASSPHRASE).
new_store() {
    expect_ok ccm -C "$1" init --member "${2:-Peru}"
}

# admit_name STORE NAME [ROLE] : admits NAME (default role editor) to the
# group of STORE, with the join request of a throwaway store of its own, so
# that lead/by may name it (they must name members).
admit_name() {
    local d="$T/.members/$2" req
    ccm -C "$d" init --member "$2" --no-passphrase >/dev/null
    req=$(ccm -C "$d" whoami --request)
    expect_ok ccm -C "$1" member add "$req" --role "${3:-editor}"
}

# commits STORE : number of commits on the store's branch.
commits() {
    git --git-dir="$1/repo" rev-list --count main
}

# head_of STORE : the branch tip.
head_of() {
    git --git-dir="$1/repo" rev-parse main
}

# store_fingerprint DIR : a hash of the git refs, every file of the repository,
# and the store's own files (identity, local.json, clock): it changes whenever
# anything is written to the store (the lock file and the read cache aside).
store_fingerprint() {
    local d=$1
    {
        git --git-dir="$d/repo" for-each-ref --format='%(refname) %(objectname)' 2>&1 || true
        git --git-dir="$d/repo" symbolic-ref HEAD 2>&1 || true
        (cd "$d" && find repo identity local.json clock -type f 2>/dev/null | LC_ALL=C sort |
            xargs -r sha256sum) || true
    } | sha256sum | cut -d' ' -f1
}

# expect_unchanged STORE FINGERPRINT [WHAT] : nothing was written.
expect_unchanged() {
    local now
    now=$(store_fingerprint "$1")
    if [[ "$now" == "$2" ]]; then
        pass
    else
        fail "${3:-the store changed} (nothing should have been written)"
    fi
}

# ---- groups, hubs and forged commits (the t_trust_* tests) ------------------

# add_member ADMIN HUB DIR NAME [ROLE] : DIR joins the group at HUB as NAME
# (--no-passphrase); ADMIN adds it (default editor) and syncs; DIR syncs.
add_member() {
    expect_ok ccm -C "$3" join "$2" --member "$4" --no-passphrase
    expect_ok ccm -C "$1" member add "$OUT" --role "${5:-editor}"
    expect_ok ccm -C "$1" sync
    expect_ok ccm -C "$3" sync
}

# forge STORE COMMAND ARGS... : tests/support/ccmforge ($CCMFORGE_BIN) writes
# one commit signed by STORE's member and prints its id, moving no ref (see
# its header). Used as X=$(forge ...): a failure aborts the test.
forge() {
    if [[ -z "${CCMFORGE_BIN:-}" || ! -x "$CCMFORGE_BIN" ]]; then
        echo "CCMFORGE_BIN must name the ccmforge tool (built in tests/)" >&2
        return 1
    fi
    "$CCMFORGE_BIN" "$@"
}

# hub_set HUB COMMIT STORE : the hub's main forced to COMMIT, pushed from
# STORE's repository with plain git (what a hostile member or hub does).
hub_set() {
    git --git-dir="$3/repo" push -q -f "$1" "$2:refs/heads/main"
}

# hub_tip HUB : the hub's main.
hub_tip() {
    git --git-dir="$1" rev-parse main
}

# expect_refused [--keeps] WHAT HUB COMMIT STORE [REASON...] : with the
# hub's main at COMMIT, STORE's sync exits 4 with one stderr line naming
# COMMIT as refused (and every REASON); STORE's records are unchanged (with
# --keeps: valid commits below COMMIT may be taken), COMMIT is on none of
# its refs, the hub's main now is STORE's head, and STORE still verifies.
# (Put COMMIT on the hub first, e.g. with hub_set.) The sync's stdout and
# stderr are left in REFUSED_OUT and REFUSED_ERR.
expect_refused() {
    local keeps=0 what hub bad s before
    if [[ "$1" == --keeps ]]; then
        keeps=1
        shift
    fi
    what=$1 hub=$2 bad=$3 s=$4
    shift 4
    before=$(ccm -C "$s" export)
    expect_exit 4 ccm -C "$s" sync
    REFUSED_OUT=$OUT REFUSED_ERR=$ERR
    expect_stderr_one_line "commit $bad" "refused" "$@"
    if [[ $keeps == 0 ]]; then
        expect_eq "$(ccm -C "$s" export)" "$before" "$what: $(basename "$s")'s records are unchanged"
    fi
    check "$what: the refused commit is on none of $(basename "$s")'s refs" \
        test -z "$(git --git-dir="$s/repo" for-each-ref --contains "$bad" 2>/dev/null)"
    expect_eq "$(hub_tip "$hub")" "$(head_of "$s")" \
        "$what: the hub's branch now holds $(basename "$s")'s history"
    expect_ok ccm -C "$s" verify
}

# same_exports STORE... : every store exports the same bytes as the first.
same_exports() {
    local first s
    first=$(ccm -C "$1" export)
    for s in "${@:2}"; do
        expect_eq "$(ccm -C "$s" export)" "$first" "$(basename "$s") and $(basename "$1") export the same"
    done
}

# ---- end --------------------------------------------------------------------

# done_testing : prints "N passed, M failed" and exits (1 if any failed).
done_testing() {
    FINISHED=1
    echo "$PASSED passed, $FAILED failed"
    if [[ $FAILED -ne 0 ]]; then
        exit 1
    fi
    exit 0
}
