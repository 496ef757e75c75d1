#!/usr/bin/env bash
# t_pending.sh - histories left on a hub for another member to merge, over
# git:// (git daemon) and smart http:// (lighttpd + git-http-backend), on
# hubs made with plain `git init --bare`.
#
# For each transport: the founder (Peru) and an admin (CMC) remove each
# other; CMC's side reaches the hub first and Norway writes on it, sealed
# under CMC's new key, which Peru never held. Peru's removal stands but Peru
# cannot make the merge: its sync fails (exit 3, one line saying why) and
# leaves its history under refs/ccmsync/pending/Peru, the hub's branch
# untouched. Norway's next sync merges it (and says so), Peru's next sync
# follows and deletes the ref; all three exports agree, Peru's removal of
# CMC stands, Norway's edit is kept, CMC cannot read what follows.
# Then, on the git:// hub: pending refs are only offers. One named after no
# member, one under a member's name whose commit is forged (attributed to
# Norway, signed by Peru) and a well-formed ref of a member that was already merged are
# ignored or refused with a warning; syncs carry on and write nothing from
# them (the forged commit is made with tests/support/ccmforge).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/servers.sh"
unset CCMSYNC_PASSPHRASE # every store here is made with --no-passphrase

require_http_server
SRV="$T/srv"
mkdir -p "$SRV"
git init -q --bare "$SRV/hub-git.git"
git init -q --bare "$SRV/hub-http.git"
git --git-dir="$SRV/hub-http.git" config http.receivepack true
start_git_daemon "$SRV"
start_lighttpd "$SRV"

# roster_of STORE : sorted "name role removed?" of the store's roster.
roster_of() {
    ccm -C "$1" --json member list |
        python3 -c 'import json,sys; print(sorted((m["name"], m["role"], m["removed"] is not None) for m in json.load(sys.stdin)))'
}

scenario() {
    local what=$1 url=$2 hubdir=$3 d="$T/$1"
    local P="$d/peru" C="$d/cmc" N="$d/norway" cmc_tip
    expect_ok ccm -C "$P" init --member Peru --no-passphrase
    expect_ok ccm -C "$P" remote add origin "$url"
    expect_ok ccm -C "$P" state set LAO status=signatory region=Asia
    expect_ok ccm -C "$P" sync
    add_member "$P" "$url" "$C" CMC admin
    add_member "$P" "$url" "$N" Norway
    for s in "$P" "$C" "$N"; do expect_ok ccm -C "$s" sync; done
    expect_ok ccm -C "$C" member remove Peru
    expect_ok ccm -C "$P" member remove CMC
    expect_ok ccm -C "$C" sync
    expect_ok ccm -C "$N" sync
    expect_ok ccm -C "$N" state set LAO region=Mekong
    expect_ok ccm -C "$N" sync
    cmc_tip=$(git --git-dir="$hubdir" rev-parse refs/heads/main)

    expect_exit 3 ccm -C "$P" sync
    expect_stderr_one_line "never held" "left on remote 'origin'"
    expect_eq "$(git --git-dir="$hubdir" rev-parse refs/heads/main)" "$cmc_tip" \
        "($what) Peru's failed sync leaves the hub's branch alone"
    expect_eq "$(git --git-dir="$hubdir" rev-parse refs/ccmsync/pending/Peru)" "$(head_of "$P")" \
        "($what) Peru's history is left on the hub"
    expect_ok ccm -C "$N" sync
    expect_contains "$OUT" "merged the history Peru left on origin" "($what) Norway merges it"
    expect_ok ccm -C "$N" --json sync
    expect_json 'd["pending_merged"] == []' "($what) once merged, it is not merged again"
    expect_ok ccm -C "$P" sync
    check "($what) Peru's sync deletes its pending ref once the hub holds it" \
        test -z "$(git --git-dir="$hubdir" for-each-ref refs/ccmsync/pending)"
    for s in "$P" "$N"; do
        expect_eq "$(roster_of "$s")" "[('CMC', 'admin', True), ('Norway', 'editor', False), ('Peru', 'admin', False)]" \
            "($what) $(basename "$s"): Peru's removal of CMC stands"
        expect_ok ccm -C "$s" --json state show LAO
        expect_json 'd["fields"]["region"] == "Mekong" and d["meta"]["region"]["by"] == "Norway"' \
            "($what) $(basename "$s"): Norway's edit is kept"
    done
    expect_ok ccm -C "$P" export
    local exp_p=$OUT
    expect_ok ccm -C "$N" export
    expect_eq "$OUT" "$exp_p" "($what) Peru and Norway export the same"
    expect_ok ccm -C "$P" state set LAO next_step=after
    expect_ok ccm -C "$P" sync
    expect_ok ccm -C "$C" sync
    expect_contains "$ERR" "'CMC' is removed from the group (by Peru)" "($what) CMC's sync says it is removed"
    expect_ok ccm -C "$C" --json state show LAO
    expect_json '"next_step" not in d["fields"]' "($what) CMC does not read what Peru wrote after its removal"
    expect_ok ccm -C "$N" sync
    expect_ok ccm -C "$N" verify
}

scenario git "$GIT_DAEMON_URL/hub-git.git" "$SRV/hub-git.git"
scenario http "$HTTPD_URL/hub-http.git" "$SRV/hub-http.git"

# ---- pending refs are only offers ------------------------------------------------------------

HUB="$SRV/hub-git.git"
N="$T/git/norway" P="$T/git/peru"
expect_ok ccm -C "$N" sync
TIP=$(git --git-dir="$HUB" rev-parse refs/heads/main)
# A ref named after no member of the group, and one under a malformed name.
git --git-dir="$HUB" update-ref refs/ccmsync/pending/Stranger "$TIP"
git --git-dir="$HUB" update-ref refs/ccmsync/pending/..bad "$TIP" 2>/dev/null || true
# Under a member's name: a commit on top of the branch whose entries are
# attributed to Norway but signed by Peru (forged attribution).
FORGED=$(forge "$P" record "$TIP" state LAO --set next_step=forged --as Norway)
git --git-dir="$P/repo" push -q "$HUB" "$FORGED:refs/ccmsync/pending/Norway"
check "the hub holds a forged pending history under Norway's name" \
    git --git-dir="$HUB" rev-parse -q --verify refs/ccmsync/pending/Norway
FP=$(store_fingerprint "$P")
run ccm -C "$P" sync
expect_eq "$RC" 0 "a sync past hostile pending refs succeeds"
expect_contains "$ERR" "left on remote 'origin' holds commit" "the forged pending history is refused, with a warning"
expect_eq "$(store_fingerprint "$P")" "$FP" "nothing is written from hostile pending refs"
expect_ok ccm -C "$P" --json state show LAO
expect_json 'd["fields"]["next_step"] == "after"' "the forged value is not taken"

done_testing
