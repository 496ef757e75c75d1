#!/usr/bin/env bash
# t_hosting_ssh.sh - a hub on an ssh server: a real OpenSSH sshd started by
# this test on 127.0.0.1 (its own config, host key and authorized_keys in
# the test's folder, a free port, running as the current user, stopped by
# PID), reached as users do, each with a HOME of their own:
#
# - an unknown host key is refused (exit 5) with its SHA256 fingerprint and
#   the ssh-keyscan command that adds it, nothing written (no ref moved, no
#   store created); that command, run as printed, lets the next sync in;
# - Peru syncs with a key file (~/.ssh/id_ed25519); Norway joins and syncs
#   with ssh-agent only (an agent of this test); without the agent Norway has
#   no key to offer (exit 5);
# - a passphrase-protected key: refused without its passphrase when nobody
#   is at a terminal, refused with a wrong one, used with CCMSYNC_SSH_PASSPHRASE
#   and when typed at a terminal prompt; never written to the store;
# - a ~/.ssh/config alias (HostName, Port, User, IdentityFile,
#   IdentitiesOnly) in the scp-like form `alias:/path` and as ssh://alias/path,
#   with hashed known_hosts; the remote keeps the alias;
# - a key known only through GlobalKnownHostsFile (the system's file);
# - a changed host key refused as a possible man in the middle (exit 5),
#   nothing written, also when known_hosts holds only a key of a type the
#   server does not offer; a key the server does not accept refused (exit 5);
# - progress of a join on a terminal, none on a pipe.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/servers.sh"

require_sshd
# Under LeakSanitizer: the slow unwinder, so that the leak of Debian's libgit2
# 1.5.1 in every ssh connection is recognised (see tests/lsan.supp).
if [[ -n "${LSAN_OPTIONS:-}" ]]; then
    export ASAN_OPTIONS="${ASAN_OPTIONS:-}:fast_unwind_on_malloc=0"
fi
PASS="correct horse battery"
K="$T/keys"
mkdir -p "$K" "$T/srv"
chmod 700 "$K"
for k in plain agent stranger; do
    ssh-keygen -q -t ed25519 -N '' -C "$k" -f "$K/$k"
done
ssh-keygen -q -t ed25519 -N "$PASS" -C locked -f "$K/locked"
ssh-keygen -q -t ed25519 -N '' -C impostor-host -f "$K/impostor_host"
ssh-keygen -q -t ecdsa -N '' -C impostor-ecdsa -f "$K/impostor_ecdsa"
cat "$K/plain.pub" "$K/agent.pub" "$K/locked.pub" >"$K/authorized_keys"
hub_init "$T/srv/hub.git"
start_sshd "$K/authorized_keys"
P=$SSHD_PORT
URL="ssh://$SSH_TEST_USER@127.0.0.1:$P$T/srv/hub.git"
HOST_FP=$(ssh-keygen -lf "$SSHD_HOST_KEY" | cut -d' ' -f2)
HOST_LINE="[127.0.0.1]:$P $(cut -d' ' -f1,2 "$SSHD_HOST_KEY")"

# ---- helpers ----------------------------------------------------------------

# new_home NAME [KEY] : prints a fresh HOME for one user, with ~/.ssh, and
# KEY (a file of $K) as ~/.ssh/id_ed25519.
new_home() {
    local h="$T/home-$1"
    mkdir -p "$h/.ssh"
    chmod 700 "$h/.ssh"
    if [[ -n "${2:-}" ]]; then
        install -m 600 "$K/$2" "$h/.ssh/id_ed25519"
    fi
    echo "$h"
}

# as HOME CMD... : runs CMD with that HOME.
as() {
    local h=$1
    shift
    HOME="$h" "$@"
}

# hub_main : the hub's branch tip (empty if none).
hub_main() {
    git --git-dir="$T/srv/hub.git" rev-parse --verify -q refs/heads/main || true
}

# state_status STORE HOME : the status of IDN as the store shows it.
state_status() {
    as "$2" ccm -C "$1" --json state show IDN | python3 -c 'import json,sys; print(json.load(sys.stdin)["fields"]["status"])'
}

# ---- an unknown host ----------------------------------------------------------

HP=$(new_home peru plain) # no known_hosts yet
expect_ok as "$HP" ccm -C "$T/peru" init --member Peru
expect_ok as "$HP" ccm -C "$T/peru" remote add origin "$URL"
expect_ok as "$HP" ccm -C "$T/peru" state set IDN status=signatory
before=$(store_fingerprint "$T/peru")
expect_exit 5 as "$HP" ccm -C "$T/peru" sync
expect_stderr_one_line "not known" "ED25519 $HOST_FP" \
    "'ssh-keyscan -p $P 127.0.0.1 >> ~/.ssh/known_hosts'"
unknown_err=$ERR
expect_unchanged "$T/peru" "$before" "a refused host key"
expect_eq "$(hub_main)" "" "nothing reached the hub"
expect_exit 5 as "$HP" ccm -C "$T/nobody" join "$URL" --member Norway
expect_stderr_one_line "cannot clone" "not known" "$HOST_FP"
check "a refused join creates no store" test ! -e "$T/nobody"

# The command in the message, run as printed, trusts the host.
scan=$(sed -n "s/.*then add the key with '\(ssh-keyscan [^']*\)'.*/\1/p" <<<"$unknown_err")
expect_ne "$scan" "" "the message gives a command"
HOME="$HP" bash -c "$scan" 2>/dev/null
check "the command added the host key" grep -qF "$(cut -d' ' -f2 "$SSHD_HOST_KEY")" "$HP/.ssh/known_hosts"

# ---- a key file, then ssh-agent ----------------------------------------------

expect_ok as "$HP" ccm -C "$T/peru" sync
expect_eq "$(hub_main)" "$(head_of "$T/peru")" "Peru's history is on the hub"
expect_not_contains "$ERR" "objects" "no progress on a pipe"
check "sshd accepted Peru's key file" grep -q "Accepted publickey.*$(ssh-keygen -lf "$K/plain.pub" | cut -d' ' -f2)" "$T/sshd/sshd.log"

HN=$(new_home norway) # no key files: the agent's key only
echo "$HOST_LINE" >"$HN/.ssh/known_hosts"
start_ssh_agent
ssh-add -q "$K/agent" 2>/dev/null
expect_exit 5 env -u SSH_AUTH_SOCK HOME="$HN" "$CCMSYNC_BIN" -C "$T/norway" join "$URL" --member Norway
expect_stderr_one_line "no ssh key to offer" "no ssh-agent"
check "no store without a key" test ! -e "$T/norway"
expect_ok as "$HN" ccm -C "$T/norway" join "$URL" --member Norway
request=$OUT
expect_ok as "$HP" ccm -C "$T/peru" member add "$request" --role editor
expect_ok as "$HP" ccm -C "$T/peru" sync
expect_ok as "$HN" ccm -C "$T/norway" sync
expect_eq "$(state_status "$T/norway" "$HN")" "signatory" "Norway reads Peru's record"
expect_ok as "$HN" ccm -C "$T/norway" state set IDN status=party
expect_ok as "$HN" ccm -C "$T/norway" sync
expect_ok as "$HP" ccm -C "$T/peru" sync
expect_eq "$(state_status "$T/peru" "$HP")" "party" "Peru reads Norway's edit"
expect_eq "$(head_of "$T/peru")" "$(head_of "$T/norway")" "same head"
check "sshd accepted the agent's key" grep -q "Accepted publickey.*$(ssh-keygen -lf "$K/agent.pub" | cut -d' ' -f2)" "$T/sshd/sshd.log"
stop_ssh_agent

# ---- a passphrase-protected key ----------------------------------------------

HL=$(new_home locked locked)
echo "$HOST_LINE" >"$HL/.ssh/known_hosts"
expect_ok as "$HL" ccm -C "$T/peru" state set IDN last_contact=2025-03-12
before=$(store_fingerprint "$T/peru")
hub_before=$(hub_main)
expect_exit 5 as "$HL" ccm -C "$T/peru" sync
expect_stderr_one_line "needs its passphrase" "CCMSYNC_SSH_PASSPHRASE" "~/.ssh/id_ed25519"
expect_unchanged "$T/peru" "$before" "no passphrase"
expect_exit 5 env CCMSYNC_SSH_PASSPHRASE=wrong HOME="$HL" "$CCMSYNC_BIN" -C "$T/peru" sync
expect_stderr_one_line "wrong passphrase for the ssh key '~/.ssh/id_ed25519'"
expect_eq "$(hub_main)" "$hub_before" "a wrong passphrase moves nothing"
expect_ok env CCMSYNC_SSH_PASSPHRASE="$PASS" HOME="$HL" "$CCMSYNC_BIN" -C "$T/peru" sync
expect_eq "$(hub_main)" "$(head_of "$T/peru")" "pushed with the unlocked key"
expect_ok as "$HL" ccm -C "$T/peru" state set IDN last_contact=2025-03-13
run_tty "Enter passphrase for key" "$PASS" env HOME="$HL" "$CCMSYNC_BIN" -C "$T/peru" sync
expect_eq "$RC" 0 "sync with the passphrase typed at the prompt: $OUT"
expect_contains "$OUT" "Enter passphrase for key '~/.ssh/id_ed25519': "
expect_not_contains "$OUT" "$PASS" "the passphrase is not echoed"
expect_eq "$(hub_main)" "$(head_of "$T/peru")" "pushed after the prompt"
check "the passphrase is nowhere in the store" test -z "$(grep -rlF "$PASS" "$T/peru" || true)"

# ---- a ~/.ssh/config alias, hashed known_hosts, the scp-like form ------------

HC=$(new_home alias)
install -m 600 "$K/plain" "$HC/.ssh/hub_key"
cat >"$HC/.ssh/config" <<EOF
# the group's hub
Host ccmhub
    HostName 127.0.0.1
    Port $P
    User $SSH_TEST_USER
    IdentityFile ~/.ssh/hub_key
    IdentitiesOnly yes
EOF
echo "$HOST_LINE" >"$HC/.ssh/known_hosts"
ssh-keygen -q -H -f "$HC/.ssh/known_hosts" >/dev/null 2>&1
rm -f "$HC/.ssh/known_hosts.old"
check "known_hosts is hashed" grep -q '^|1|' "$HC/.ssh/known_hosts"
check "and names no host in clear" test -z "$(grep -F 127.0.0.1 "$HC/.ssh/known_hosts" || true)"
expect_ok as "$HC" ccm -C "$T/malawi" join "ccmhub:$T/srv/hub.git" --member Malawi
expect_ok as "$HC" ccm -C "$T/malawi" remote list
expect_contains "$OUT" "ccmhub:$T/srv/hub.git" "the remote keeps the alias"
expect_ok as "$HC" ccm -C "$T/malawi" sync
expect_ok as "$HC" ccm -C "$T/malawi" remote add byurl "ssh://ccmhub$T/srv/hub.git"
expect_ok as "$HC" ccm -C "$T/malawi" sync byurl
expect_eq "$(head_of "$T/malawi")" "$(hub_main)" "Malawi has the hub's history"

# ---- the system's known_hosts (GlobalKnownHostsFile) -------------------------

HG=$(new_home global plain)
echo "$HOST_LINE" >"$T/ssh_known_hosts"
printf 'Host *\n    GlobalKnownHostsFile %s\n' "$T/ssh_known_hosts" >"$HG/.ssh/config"
expect_ok as "$HG" ccm -C "$T/peru" sync

# ---- a changed host key, a key the server refuses ------------------------------

HX=$(new_home changed plain)
echo "[127.0.0.1]:$P $(cut -d' ' -f1,2 "$K/impostor_host.pub")" >"$HX/.ssh/known_hosts"
expect_ok as "$HP" ccm -C "$T/peru" state set IDN last_contact=2025-04-01
before=$(store_fingerprint "$T/peru")
hub_before=$(hub_main)
expect_exit 5 as "$HX" ccm -C "$T/peru" sync
expect_stderr_one_line "has CHANGED" "man in the middle" "ED25519 $HOST_FP" \
    "~/.ssh/known_hosts line 1" "ssh-keygen -R"
expect_unchanged "$T/peru" "$before" "a changed host key"
expect_eq "$(hub_main)" "$hub_before" "a changed host key moves nothing on the hub"
expect_exit 5 as "$HX" ccm -C "$T/nobody" join "$URL" --member Chile
expect_stderr_one_line "has CHANGED"
check "no store after a changed host key" test ! -e "$T/nobody"
# known with a key of another type only: libgit2 asks the server for that
# type, which it does not have (its key was replaced, or it is another)
echo "[127.0.0.1]:$P $(cut -d' ' -f1,2 "$K/impostor_ecdsa.pub")" >"$HX/.ssh/known_hosts"
expect_exit 5 as "$HX" ccm -C "$T/peru" sync
expect_stderr_one_line "offers no host key of the type known_hosts holds for it (ECDSA)" \
    "man in the middle"
expect_unchanged "$T/peru" "$before" "a host without the known key type"

HS=$(new_home stranger stranger)
echo "$HOST_LINE" >"$HS/.ssh/known_hosts"
expect_exit 5 as "$HS" ccm -C "$T/peru" sync
expect_stderr_one_line "refused every key" "~/.ssh/id_ed25519" "authorized_keys"
expect_unchanged "$T/peru" "$before" "a refused key"

# ---- progress on a terminal ----------------------------------------------------

run_tty "" "" env HOME="$HC" "$CCMSYNC_BIN" -C "$T/chile" join "ccmhub:$T/srv/hub.git" --member Chile
expect_eq "$RC" 0 "join on a terminal: $OUT"
expect_match "$OUT" "fetch: [0-9]+/[0-9]+ objects, [0-9.]+ KiB" "progress of the clone"

done_testing
