#!/usr/bin/env bash
# t_sync_transports.sh - `ccmsync sync` over real git transports: a plain
# path, file://, git:// (git daemon) and smart http:// (lighttpd running
# git-http-backend), each on 127.0.0.1 and a free port.
#
# For each transport: Peru forms a group on a hub reached through it, Norway
# and Malawi join through the same URL and are admitted; then all three edit
# the same state offline (the same field concurrently, different fields, a
# set add against an observed remove, one activity each) and sync in a mixed
# order until quiescent. Checked: `export` byte-identical everywhere; the
# winner of each concurrent assignment is the same everywhere and the losers
# are under `conflicts`; the add-wins set; every other edit present; the hub
# passes `git fsck`; `ccmsync verify` passes; stock `git verify-commit`
# accepts every commit on the hub with `member list --allowed-signers`.
# Then: members syncing at the same moment through the same hub lose
# nothing; a hub rewound (update-ref) or force-pushed to an older commit is
# restored by the next sync with nothing lost. Last: an unreachable remote
# (nothing listening on a git:// port, a path the HTTP server does not
# serve, a stopped daemon) is exit 5 with a one-line error and no change.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/servers.sh"
unset CCMSYNC_PASSPHRASE # every store here is made with --no-passphrase

if ! command -v ssh-keygen >/dev/null 2>&1; then
    _servers_abort "ssh-keygen (openssh-client) is needed for git verify-commit"
fi
require_http_server

SRV="$T/srv"
mkdir -p "$SRV"
hub_init "$SRV/hub-git.git"
hub_init "$SRV/hub-http.git"
start_git_daemon "$SRV"
start_lighttpd "$SRV"

# ---- helpers --------------------------------------------------------------------

# refs_of STORE : the store's refs and HEAD (what a sync may move).
refs_of() {
    git --git-dir="$1/repo" for-each-ref --format='%(refname) %(objectname)'
    git --git-dir="$1/repo" symbolic-ref HEAD
}

# hub_main HUBDIR : the hub's branch tip.
hub_main() {
    git --git-dir="$1" rev-parse --verify -q refs/heads/main
}

# sync_in_order WHAT STORE... : each store syncs (must succeed), in order.
sync_in_order() {
    local what=$1 s
    shift
    for s in "$@"; do
        run ccm -C "$s" sync
        if [[ "$RC" == 0 ]]; then pass; else fail "$what: sync of $(basename "$s") exited $RC"; fi
    done
}

# exports_identical WHAT STORE... : `export` of every store is byte-identical;
# the first store's export is left in $T/export.first.
exports_identical() {
    local what=$1 s first=""
    shift
    for s in "$@"; do
        run ccm -C "$s" export
        if [[ "$RC" != 0 || ! -s "$T/.out" ]]; then
            fail "$what: export of $(basename "$s") failed"
            continue
        fi
        cp "$T/.out" "$T/export.$(basename "$s")"
        if [[ -z "$first" ]]; then
            first=$s
            cp "$T/export.$(basename "$s")" "$T/export.first"
        elif cmp -s "$T/export.first" "$T/export.$(basename "$s")"; then
            pass
        else
            fail "$what: export of $(basename "$s") differs from $(basename "$first"): $(diff "$T/export.first" "$T/export.$(basename "$s")" | head -20 | tr '\n' ' ')"
        fi
    done
}

# heads_equal WHAT HUBDIR STORE... : every store's branch is the hub's.
heads_equal() {
    local what=$1 hub=$2 s h
    shift 2
    h=$(hub_main "$hub")
    for s in "$@"; do
        expect_eq "$(head_of "$s")" "$h" "$what: $(basename "$s") is at the hub's head"
    done
}

# ---- one transport ------------------------------------------------------------------

# scenario NAME URL HUBDIR ORDER1 ORDER2 : the whole story over one transport.
# ORDER1/ORDER2: the members' initials (P N M) in the order of the two rounds
# of syncs after the offline edits.
scenario() {
    local name=$1 url=$2 hub=$3 order1=$4 order2=$5
    local P="$T/$name/peru" N="$T/$name/norway" M="$T/$name/malawi"
    local -A dir=([P]="$P" [N]="$N" [M]="$M")
    local s c who req i k old new rl
    local -a all=("$P" "$N" "$M") o1=() o2=()
    for c in $order1; do o1+=("${dir[$c]}"); done
    for c in $order2; do o2+=("${dir[$c]}"); done
    mkdir -p "$T/$name"

    # -- forming the group over this transport --
    expect_ok ccm -C "$P" init --member Peru --no-passphrase
    expect_ok ccm -C "$P" remote add origin "$url"
    expect_ok ccm -C "$P" state set KEN status=signatory priority=low lead+=Peru \
        targets=ccw,signatory next_step=initial
    expect_ok ccm -C "$P" sync
    check "$name: the hub exists after the first sync" test -n "$(hub_main "$hub")"
    expect_eq "$(hub_main "$hub")" "$(head_of "$P")" "$name: the first sync pushed Peru's history"
    for who in Norway:"$N" Malawi:"$M"; do
        expect_ok ccm -C "${who#*:}" join "$url" --member "${who%%:*}" --no-passphrase
        req=$OUT
        expect_match "$req" '^ccmsync-join-[^[:space:]]' "$name: join prints the request line"
        expect_eq "$(printf '%s\n' "$req" | wc -l)" 1 "$name: the join request is one line"
        run ccm -C "${who#*:}" state show KEN
        expect_eq "$RC" 3 "$name: ${who%%:*} cannot read before being admitted"
        expect_ok ccm -C "$P" member add "$req"
    done
    sync_in_order "$name: admission" "$P" "$N" "$M"
    for s in "$N" "$M"; do
        run ccm -C "$s" --json state show KEN
        expect_eq "$RC" 0 "$name: $(basename "$s") reads after admission"
        expect_json 'd["fields"]["lead"] == ["Peru"] and d["fields"]["targets"] == ["ccw", "signatory"] and d["fields"]["priority"] == "low"' \
            "$name: $(basename "$s") sees the group's state"
    done

    # -- offline edits, in this order of wall-clock time --
    expect_ok ccm -C "$P" state set KEN priority=high region=PeruRegion lead+=Norway next_step=P-step
    expect_ok ccm -C "$P" activity add --type bilateral --date 2025-01-10 states=KEN summary=peru-act
    # Norway saw Peru in lead and ccw in targets and removes both.
    expect_ok ccm -C "$N" state set KEN priority=medium last_contact=2025-02-03 lead-=Peru \
        targets-=ccw next_step=N-step
    expect_ok ccm -C "$N" activity add --type embassy --date 2025-02-03 states=KEN summary=norway-act
    # Malawi adds Peru again, concurrently with Norway's removal: add wins.
    expect_ok ccm -C "$M" state set KEN lead+=Peru survey_comment=MalawiComment next_step=M-step
    expect_ok ccm -C "$M" activity add --type survey --date 2025-03-01 states=KEN summary=malawi-act

    sync_in_order "$name: round 1 ($order1)" "${o1[@]}"
    sync_in_order "$name: round 2 ($order2)" "${o2[@]}"
    heads_equal "$name: quiescent after two rounds" "$hub" "${all[@]}"
    new=$(hub_main "$hub")
    sync_in_order "$name: round 3" "${all[@]}"
    expect_eq "$(hub_main "$hub")" "$new" "$name: a sync after quiescence moves nothing"
    heads_equal "$name: still quiescent" "$hub" "${all[@]}"

    # -- convergence --
    # The detailed checks on Peru's replica; the others must show exactly the
    # same (fields, meta, conflicts, activities: export and state show).
    exports_identical "$name: after the mixed-order syncs" "${all[@]}"
    for s in "$N" "$M" "$P"; do
        run ccm -C "$s" --json state show KEN
        cp "$T/.out" "$T/ken.$(basename "$s")"
        expect_eq "$RC" 0 "$name: state show KEN on $(basename "$s")"
        if [[ "$s" != "$P" ]]; then
            continue
        fi
        expect_json 'd["fields"]["priority"] == "medium" and d["meta"]["priority"]["by"] == "Norway"' \
            "$name/$(basename "$s"): the later concurrent priority (Norway's) wins"
        expect_json '[(c["value"], c["by"]) for c in d["conflicts"].get("priority", [])] == [("high", "Peru")]' \
            "$name/$(basename "$s"): Peru's losing priority is under conflicts"
        expect_json 'all(d["meta"]["priority"]["at"] >= c["at"] for c in d["conflicts"]["priority"])' \
            "$name/$(basename "$s"): the priority winner has the greatest stamp"
        expect_json 'd["fields"]["next_step"] == "M-step" and d["meta"]["next_step"]["by"] == "Malawi"' \
            "$name/$(basename "$s"): three concurrent next_step: the last (Malawi's) wins"
        expect_json 'sorted((c["value"], c["by"]) for c in d["conflicts"].get("next_step", [])) == [("N-step", "Norway"), ("P-step", "Peru")]' \
            "$name/$(basename "$s"): both losing next_step values are under conflicts"
        expect_json 'set(d["conflicts"]) == {"priority", "next_step"}' \
            "$name/$(basename "$s"): no other field has conflicts"
        expect_json 'd["fields"]["region"] == "PeruRegion" and d["fields"]["last_contact"] == "2025-02-03" and d["fields"]["survey_comment"] == "MalawiComment" and d["fields"]["status"] == "signatory"' \
            "$name/$(basename "$s"): edits of different fields are all present"
        expect_json 'd["fields"]["lead"] == ["Norway", "Peru"]' \
            "$name/$(basename "$s"): lead: Norway's observed remove of Peru loses to Malawi's concurrent add; Peru's add of Norway kept"
        expect_json 'd["fields"]["targets"] == ["signatory"]' \
            "$name/$(basename "$s"): targets: an observed remove with no concurrent add holds"
        run ccm -C "$s" --json activity list --state KEN
        expect_json 'sorted(a["fields"]["summary"] for a in d) == ["malawi-act", "norway-act", "peru-act"]' \
            "$name/$(basename "$s"): every member's activity survives"
    done
    for s in "$N" "$M"; do
        expect_eq "$(cat "$T/ken.$(basename "$s")")" "$(cat "$T/ken.peru")" \
            "$name: state show KEN (fields, meta, conflicts) on $(basename "$s") is Peru's"
    done

    # -- the hub is sound git; the history verifies, with ccmsync and with stock git --
    expect_ok git --git-dir="$hub" fsck --strict --no-dangling
    expect_eq "$OUT$ERR" "" "$name: git fsck --strict on the hub reports nothing"
    for s in "${all[@]}"; do
        expect_ok ccm -C "$s" verify
    done
    expect_ok ccm -C "$P" member list --allowed-signers
    cp "$T/.out" "$T/$name/signers"
    expect_eq "$(grep -c . "$T/$name/signers")" 3 "$name: three allowed signers"
    for s in "$N" "$M"; do
        expect_ok ccm -C "$s" member list --allowed-signers
        expect_eq "$OUT" "$(cat "$T/$name/signers")" "$name: $(basename "$s") has the same allowed signers"
    done
    i=0
    for c in $(git --git-dir="$hub" rev-list main); do
        run git --git-dir="$hub" -c gpg.format=ssh -c gpg.ssh.allowedSignersFile="$T/$name/signers" \
            verify-commit "$c"
        if [[ "$RC" == 0 && "$ERR" == *'Good "git" signature for '* ]]; then
            pass
        else
            fail "$name: git verify-commit $c on the hub"
        fi
        i=$((i + 1))
    done
    expect_eq "$(git --git-dir="$hub" rev-list --count main)" "$i" "$name: every hub commit was checked"
    check "$name: the hub history has merges (the concurrent edits were merged)" \
        test "$(git --git-dir="$hub" rev-list --min-parents=2 --count main)" -ge 1

    # -- syncs at the same moment, through the same hub --
    for k in 1 2 3; do
        local -a racers=()
        case $k in
        1) racers=("$N" "$M") ;;
        2) racers=("$P" "$N") ;;
        3) racers=("$P" "$N" "$M") ;;
        esac
        for s in "${racers[@]}"; do
            expect_ok ccm -C "$s" state set KEN "race_${k}_$(basename "$s")=v$k"
            expect_ok ccm -C "$s" activity add --type other --date 2025-04-0$k \
                summary="race-$k-$(basename "$s")"
        done
        rm -f "$T/go"
        local -a pids=()
        for s in "${racers[@]}"; do
            (
                while [[ ! -e "$T/go" ]]; do sleep 0.01; done
                rc=0
                "$CCMSYNC_BIN" -C "$s" sync >"$T/race.out.$(basename "$s")" \
                    2>"$T/race.err.$(basename "$s")" || rc=$?
                echo "$rc" >"$T/race.rc.$(basename "$s")"
            ) &
            pids+=($!)
        done
        touch "$T/go"
        wait "${pids[@]}"
        for s in "${racers[@]}"; do
            expect_eq "$(cat "$T/race.rc.$(basename "$s")")" 0 \
                "$name: race $k: $(basename "$s")'s concurrent sync succeeds (stderr: $(cat "$T/race.err.$(basename "$s")"))"
        done
        sync_in_order "$name: after race $k" "${racers[@]}" "${all[@]}"
        heads_equal "$name: after race $k" "$hub" "${all[@]}"
        rl=$(for r in "${racers[@]}"; do printf '(%d, "%s"), ' "$k" "$(basename "$r")"; done)
        # Checked on the last racer's replica; the others have its export.
        for s in "${racers[@]: -1}"; do
            run ccm -C "$s" --json state show KEN
            expect_json 'all(d["fields"].get("race_%d_%s" % (k, w)) == "v%d" % k for (k, w) in ['"$rl"'])' \
                "$name: race $k: every racer's edit reached $(basename "$s")"
            run ccm -C "$s" --json activity list
            expect_json 'set("race-%d-%s" % (k, w) for (k, w) in ['"$rl"']) <= set(a["fields"].get("summary") for a in d)' \
                "$name: race $k: every racer's activity reached $(basename "$s")"
        done
        exports_identical "$name: after race $k" "${all[@]}"
    done
    expect_ok ccm -C "$N" verify
    expect_ok git --git-dir="$hub" fsck --strict --no-dangling

    # -- a hub rewound to an older commit --
    new=$(hub_main "$hub")
    old=$(git --git-dir="$hub" rev-parse "main~3")
    exports_identical "$name: before the rewind" "${all[@]}"
    cp "$T/export.first" "$T/$name/export.before"
    git --git-dir="$hub" update-ref refs/heads/main "$old"
    expect_eq "$(hub_main "$hub")" "$old" "$name: the hub was rewound"
    expect_ok ccm -C "$M" sync
    expect_eq "$(hub_main "$hub")" "$new" "$name: after a rewind, the next sync restores the hub's head"
    sync_in_order "$name: after the rewind" "$P" "$N"
    heads_equal "$name: after the rewind" "$hub" "${all[@]}"
    exports_identical "$name: after the rewind" "${all[@]}"
    check "$name: the rewind lost nothing (exports unchanged)" cmp -s "$T/export.first" "$T/$name/export.before"

    # -- a hub force-pushed (over this transport) to an older commit --
    expect_ok git clone -q --bare "$url" "$T/$name/mallory.git"
    expect_ok git --git-dir="$T/$name/mallory.git" push -q --force "$url" "$old:refs/heads/main"
    expect_eq "$(hub_main "$hub")" "$old" "$name: the hub was force-pushed to an older commit"
    expect_ok ccm -C "$P" state set KEN next_step=after-force-push
    expect_ok ccm -C "$P" sync
    check "$name: after a force-push, the next sync puts the newer commits back on the hub" \
        git --git-dir="$hub" merge-base --is-ancestor "$new" refs/heads/main
    expect_eq "$(hub_main "$hub")" "$(head_of "$P")" "$name: the hub is at Peru's head"
    sync_in_order "$name: after the force-push" "$N" "$M"
    heads_equal "$name: after the force-push" "$hub" "${all[@]}"
    exports_identical "$name: after the force-push" "${all[@]}"
    python3 -c '
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
ka = [s for s in a["states"] if s["id"] == "KEN"][0]
kb = [s for s in b["states"] if s["id"] == "KEN"][0]
assert kb["fields"]["next_step"] == "after-force-push", kb["fields"]
del ka["fields"]["next_step"], kb["fields"]["next_step"]
assert ka["fields"] == kb["fields"], (ka["fields"], kb["fields"])
assert a["activities"] == b["activities"]
assert [s for s in a["states"] if s["id"] != "KEN"] == [s for s in b["states"] if s["id"] != "KEN"]
' "$T/$name/export.before" "$T/export.first" 2>"$T/.err" && pass ||
        fail "$name: after the force-push, everything from before is still there, plus Peru's edit: $(cat "$T/.err")"
    expect_ok ccm -C "$M" verify
    expect_ok git --git-dir="$hub" fsck --strict --no-dangling
}

# ---- the four transports ------------------------------------------------------------

# The local-path hubs do not exist yet: the first sync creates them (bare), in
# a folder that exists (a missing parent folder is refused: t_first_contact.sh).
mkdir -p "$T/hubs"
scenario path "$T/hubs/path-hub.git" "$T/hubs/path-hub.git" "P N M" "M P N"
scenario file "file://$T/hubs/file-hub.git" "$T/hubs/file-hub.git" "N M P" "P M N"
scenario git "$GIT_DAEMON_URL/hub-git.git" "$SRV/hub-git.git" "M N P" "N P M"
scenario http "$HTTPD_URL/hub-http.git" "$SRV/hub-http.git" "M P N" "P N M"

# ---- unreachable remotes ------------------------------------------------------------------

S="$T/git/peru"
DEAD=$(free_port)
check "nothing listens on the dead port $DEAD" bash -c "! (exec 3<>/dev/tcp/127.0.0.1/$DEAD) 2>/dev/null"
expect_ok ccm -C "$S" remote add dead-git "git://127.0.0.1:$DEAD/hub-git.git"
expect_ok ccm -C "$S" remote add dead-http "$HTTPD_URL/no-such-hub.git"
expect_ok ccm -C "$S" remote add dead-http2 "http://127.0.0.1:$HTTPD_PORT/not-served/hub-http.git"
before=$(refs_of "$S")
for r in dead-git dead-http dead-http2; do
    expect_exit 5 ccm -C "$S" sync "$r"
    expect_stderr_one_line "'$r'"
    expect_stdout_empty
done
expect_eq "$(refs_of "$S")" "$before" "the failed syncs moved no ref"

expect_exit 5 ccm -C "$T/never" join "git://127.0.0.1:$DEAD/hub-git.git" --member Iraq --no-passphrase
expect_stderr_one_line
expect_stdout_empty
expect_exit 5 ccm -C "$T/never2" join "$HTTPD_URL/no-such-hub.git" --member Iraq --no-passphrase
expect_stderr_one_line
expect_stdout_empty
# The failed join can be retried in the same place once the URL is right.
expect_ok ccm -C "$T/never2" join "$HTTPD_URL/hub-http.git" --member Iraq --no-passphrase
expect_match "$OUT" '^ccmsync-join-' "a join retried after exit 5 prints its request"

# A server that went away: the git transport's own hub, daemon stopped.
stop_git_daemon
check "the stopped daemon no longer listens" bash -c "! (exec 3<>/dev/tcp/127.0.0.1/$GIT_DAEMON_PORT) 2>/dev/null"
expect_ok ccm -C "$S" state set KEN next_step=offline-edit
before=$(refs_of "$S")
expect_exit 5 ccm -C "$S" sync
expect_stderr_one_line "'origin'" "git://127.0.0.1:$GIT_DAEMON_PORT"
expect_eq "$(refs_of "$S")" "$before" "a sync to a stopped server moved no ref"
run ccm -C "$S" --json state show KEN
expect_json 'd["fields"]["next_step"] == "offline-edit"' "the offline edit is still there"

done_testing
