#!/usr/bin/env bash
# t_first_contact.sh - what a new group meets first.
#
# - A hub made with a plain `git init --bare` (HEAD -> refs/heads/master,
#   while ccmsync pushes refs/heads/main), reached as a path, a file:// URL,
#   over git:// (git daemon) and over smart http:// (lighttpd): the first
#   sync fills it, `join` works through it, the admitted member reads; for
#   path and file:// hubs the first sync points the hub's HEAD at main, so
#   that stock `git clone` checks out the group's branch; git:// and http://
#   hubs keep the HEAD their server gave them (the push protocol cannot move
#   it) and join works all the same.
# - A path remote whose parent folder does not exist (a USB stick that is not
#   mounted) is refused with exit 5, a one-line message asking whether the
#   stick is mounted, and nothing written anywhere; a new hub, at a path in a
#   folder that exists or in an empty folder, is announced in so many words.
# - `ccmsync GROUP --help`, `GROUP -h` and `help GROUP` print the group's
#   commands (exit 0); `ccmsync GROUP` alone is a usage error (exit 2) whose
#   one line names them.
# - `init` and `join` end by saying the next command to run.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/servers.sh"
unset CCMSYNC_PASSPHRASE # every store here is made with --no-passphrase

SRV="$T/srv"
mkdir -p "$SRV"

# plain_hub DIR : a bare repository as most people make one: no
# --initial-branch, no configuration (HEAD -> refs/heads/master).
plain_hub() {
    git init -q --bare "$1"
    git --git-dir="$1" config http.receivepack true
}

for h in path file git http; do
    plain_hub "$SRV/plain-$h.git"
    expect_eq "$(git --git-dir="$SRV/plain-$h.git" symbolic-ref HEAD)" refs/heads/master \
        "a plain bare hub's HEAD names master"
done
start_git_daemon "$SRV"
start_lighttpd "$SRV"

# ---- init says what comes next --------------------------------------------------

run ccm -C "$T/init-demo" init --member Peru --no-passphrase
expect_eq "$RC" 0 "init succeeds"
expect_contains "$OUT" "Next:" "init says what comes next"
expect_contains "$OUT" "ccmsync -C $T/init-demo remote add origin URL" \
    "init names the command that adds a hub, for this store"
expect_contains "$OUT" "ccmsync -C $T/init-demo sync" "init names the sync that follows"
run env CCMSYNC_STORE="$T/init-env" "$CCMSYNC_BIN" init --member Peru --no-passphrase
expect_contains "$OUT" "    ccmsync remote add origin URL" \
    "with the store from CCMSYNC_STORE, the next command needs no -C"
run ccm -C "$T/init-json" --json init --member Peru --no-passphrase
expect_json 'd["next"] == ["ccmsync -C %s remote add origin URL" % d["store"], "ccmsync -C %s sync" % d["store"]]' \
    "--json init gives the next commands"

# ---- plain `git init --bare` hubs over four transports ---------------------------

# hub_case NAME URL HUBDIR HEAD_AFTER
hub_case() {
    local name=$1 url=$2 hub=$3 head_after=$4
    local P="$T/$name/peru" N="$T/$name/norway"
    expect_ok ccm -C "$P" init --member Peru --no-passphrase
    expect_ok ccm -C "$P" state set IDN status=signatory targets+=apmbc
    expect_ok ccm -C "$P" remote add origin "$url"
    expect_ok ccm -C "$P" sync
    expect_eq "$(git --git-dir="$hub" rev-parse -q --verify refs/heads/main)" "$(head_of "$P")" \
        "$name: the first sync pushed the group's branch main"
    expect_eq "$(git --git-dir="$hub" symbolic-ref HEAD)" "$head_after" \
        "$name: the hub's HEAD after the first sync"
    run ccm -C "$N" join "$url" --member Norway --no-passphrase
    expect_eq "$RC" 0 "$name: join works through a hub whose HEAD names master ($ERR)"
    expect_match "$OUT" '^ccmsync-join-1 Norway ' "$name: join prints the request"
    expect_contains "$ERR" "Next, once an admin has added you and synced: ccmsync -C $N sync" \
        "$name: join says the next command"
    expect_eq "$(git --git-dir="$N/repo" rev-parse main)" "$(head_of "$P")" \
        "$name: the new store holds the group's history"
    expect_ok ccm -C "$P" member add "$OUT"
    expect_ok ccm -C "$P" sync
    expect_ok ccm -C "$N" sync
    run ccm -C "$N" --json state show IDN
    expect_json 'd["fields"]["targets"] == ["apmbc"]' "$name: the admitted member reads the records"
}

hub_case path "$SRV/plain-path.git" "$SRV/plain-path.git" refs/heads/main
hub_case file "file://$SRV/plain-file.git" "$SRV/plain-file.git" refs/heads/main
hub_case git "$GIT_DAEMON_URL/plain-git.git" "$SRV/plain-git.git" refs/heads/master
hub_case http "$HTTPD_URL/plain-http.git" "$SRV/plain-http.git" refs/heads/master

expect_ok git clone -q "$SRV/plain-path.git" "$T/stock-clone"
expect_eq "$(git -C "$T/stock-clone" rev-parse HEAD)" "$(head_of "$T/path/peru")" \
    "stock git clones the path hub onto the group's branch"

# A hub with nothing in it yet: join says so.
plain_hub "$SRV/empty.git"
expect_exit 2 ccm -C "$T/empty-join" join "$SRV/empty.git" --member Norway --no-passphrase
expect_stderr_one_line "holds no group yet"
check "a failed join leaves no store behind" test ! -e "$T/empty-join"
mkdir "$T/made-by-user"
expect_exit 2 ccm -C "$T/made-by-user" join "$SRV/empty.git" --member Norway --no-passphrase
check "a failed join into an empty folder the user made keeps the folder" test -d "$T/made-by-user"
expect_eq "$(ls -A "$T/made-by-user")" "" "... and leaves nothing in it"

# ---- the USB stick that is not mounted ---------------------------------------------

S="$T/path/peru"
expect_ok ccm -C "$S" remote add usb "$T/media/usb/ccm.git"
before=$(store_fingerprint "$S")
expect_exit 5 ccm -C "$S" sync usb
expect_stderr_one_line "cannot reach remote 'usb': $T/media/usb does not exist" \
    "(is the USB stick mounted?)"
expect_stdout_empty
expect_unchanged "$S" "$before" "a refused sync to an unmounted stick writes nothing in the store"
check "nothing is created where the stick should be" test ! -e "$T/media"
run ccm -C "$S" --json status
expect_json '[r for r in d["remotes"] if r["name"] == "usb"][0]["last_sync"] is None' \
    "the refused sync is not recorded as a sync"

# The stick is mounted (its folder exists): the hub is created and said so.
mkdir -p "$T/media/usb"
run ccm -C "$S" sync usb
expect_eq "$RC" 0 "sync once the stick is there"
expect_contains "$OUT" "created a new hub at $T/media/usb/ccm.git" "a new hub is announced"
expect_eq "$(git --git-dir="$T/media/usb/ccm.git" symbolic-ref HEAD)" refs/heads/main \
    "the new hub's HEAD names main"
run ccm -C "$S" sync usb
expect_not_contains "$OUT" "created a new hub" "the next sync creates nothing"

# An existing empty folder becomes a hub, and that is said too.
mkdir -p "$T/shared-drive"
expect_ok ccm -C "$S" remote add drive "file://$T/shared-drive"
run ccm -C "$S" --json sync drive
expect_json 'd["created_hub"] is True and d["pushed"] is True' "--json sync says a hub was created"
run ccm -C "$S" --json sync drive
expect_json 'd["created_hub"] is False' "and not the second time"
expect_eq "$(git --git-dir="$T/shared-drive" rev-parse main)" "$(head_of "$S")" \
    "the empty folder holds the group's branch"

# A folder that holds something else is not taken over.
mkdir -p "$T/photos"
echo holiday >"$T/photos/beach.jpg"
expect_ok ccm -C "$S" remote add photos "$T/photos"
expect_exit 5 ccm -C "$S" sync photos
expect_stderr_one_line "'$T/photos'"
check "the folder's content is untouched" test "$(ls "$T/photos")" = beach.jpg

# ---- help forms -------------------------------------------------------------------

declare -A GROUP_CMDS=(
    [state]="list rm set show"
    [activity]="add list rm set show"
    [note]="add list share show"
    [member]="add list remove"
    [remote]="add list remove"
)
for g in "${!GROUP_CMDS[@]}"; do
    for form in "$g --help" "$g -h" "help $g"; do
        # shellcheck disable=SC2086 # the form is split into words on purpose
        run ccm $form
        expect_eq "$RC" 0 "'ccmsync $form' exits 0"
        expect_eq "$ERR" "" "'ccmsync $form' prints nothing on stderr"
        for c in ${GROUP_CMDS[$g]}; do
            expect_contains "$OUT" "usage: ccmsync [-C DIR] [--json] $g $c" \
                "'ccmsync $form' lists '$g $c'"
        done
    done
    expect_exit 2 ccm "$g"
    expect_stderr_one_line "'$g' needs a command: ${GROUP_CMDS[$g]// /, }" "ccmsync $g --help"
    expect_stdout_empty
done
run ccm state set --help
expect_contains "$OUT" "party, signatory" "one command's help still gives its details"

done_testing
