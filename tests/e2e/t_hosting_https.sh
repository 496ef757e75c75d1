#!/usr/bin/env bash
# t_hosting_https.sh - a hub behind https with a password, as on a forge or
# a self-hosted server: lighttpd with TLS (a CA and certificate made by this
# test with openssl, trusted by no system store) and basic authentication in
# front of git http-backend, on 127.0.0.1 and a free port, stopped by PID.
#
# - the certificate is refused (exit 5) until the CA is given, and trusted
#   through http.sslCAInfo in the user's git config or GIT_SSL_CAINFO;
# - credentials come from a git credential helper configured in the test's
#   HOME (a small script that logs what git asks of it): `get` once per
#   command, `store` (approve) after a transfer that worked, `erase`
#   (reject) when the server refused them; the helper is told protocol,
#   host and path; the password is never written to the store;
# - a wrong password exits 5 within a few seconds with one line, after one
#   `get` (no loop); no credentials at all, stdin not a terminal: exit 5
#   at once, no prompt waited on;
# - a token in CCMSYNC_HTTPS_TOKEN (with CCMSYNC_HTTPS_USER), right and
#   wrong;
# - join over https, and no store left when it fails;
# - a remote URL holding a password is refused (exit 2), and not repeated;
# - https_proxy and http.proxy are honoured (a CONNECT proxy of this test
#   sees the tunnel; a dead proxy is exit 5).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/servers.sh"

PASSWORD="open sesame"
printf 'alice:%s\n' "$PASSWORD" >"$T/users"
mkdir -p "$T/srv"
hub_init "$T/srv/hub.git"
start_lighttpd_tls "$T/srv" "$T/users"
URL="$HTTPS_URL/hub.git"

# The credential helper: answers `get` from $T/cred, logs every action and
# what it was told (protocol/host/path lines) to $T/helper.log.
cat >"$T/helper.sh" <<EOF
#!/bin/sh
input=\$(cat)
echo "\$1 \$(printf '%s\n' "\$input" | grep -E '^(protocol|host|path)=' | tr '\n' ' ')" >>"$T/helper.log"
if [ "\$1" = get ] && [ -f "$T/cred" ]; then cat "$T/cred"; fi
exit 0
EOF
chmod +x "$T/helper.sh"

# new_home NAME [git config lines...] : prints a fresh HOME with a
# ~/.gitconfig of the given "key value" lines.
new_home() {
    local h="$T/home-$1" line
    shift
    mkdir -p "$h"
    : >"$h/.gitconfig"
    for line in "$@"; do
        git config -f "$h/.gitconfig" "${line%% *}" "${line#* }"
    done
    echo "$h"
}

# as HOME CMD... : runs CMD with that HOME and its ~/.gitconfig (git reads
# GIT_CONFIG_GLOBAL, which lib.sh points at /dev/null; libgit2 reads HOME).
as() {
    local h=$1
    shift
    HOME="$h" GIT_CONFIG_GLOBAL="$h/.gitconfig" "$@"
}

# helper_count ACTION : how many times the helper was asked ACTION.
helper_count() {
    if [[ -f "$T/helper.log" ]]; then
        grep -c "^$1 " "$T/helper.log" || true
    else
        echo 0
    fi
}

hub_main() {
    git --git-dir="$T/srv/hub.git" rev-parse --verify -q refs/heads/main || true
}

# timed CMD... : run, and ELAPSED the wall time in ms.
timed() {
    local t0=${EPOCHREALTIME/./}
    run "$@"
    ELAPSED=$(((${EPOCHREALTIME/./} - t0) / 1000))
}

printf 'username=alice\npassword=%s\n' "$PASSWORD" >"$T/cred"
HP=$(new_home peru "credential.helper $T/helper.sh" "http.sslCAInfo $HTTPS_CA" \
    "credential.useHttpPath true")
HN=$(new_home noca "credential.helper $T/helper.sh")

expect_ok as "$HP" ccm -C "$T/peru" init --member Peru
expect_ok as "$HP" ccm -C "$T/peru" state set IDN status=signatory

# ---- URLs with a password are refused -------------------------------------------

before=$(store_fingerprint "$T/peru")
expect_exit 2 as "$HP" ccm -C "$T/peru" remote add origin "https://alice:hunter2@localhost:$HTTPS_PORT/git/hub.git"
expect_stderr_one_line "holds a password" "credential helper"
expect_not_contains "$ERR" "hunter2" "the password is not repeated"
expect_unchanged "$T/peru" "$before" "a URL with a password"
expect_ok as "$HP" ccm -C "$T/peru" remote add origin "$URL"

# ---- the server's certificate ----------------------------------------------------

before=$(store_fingerprint "$T/peru")
expect_exit 5 as "$HN" ccm -C "$T/peru" sync
expect_stderr_one_line "TLS certificate of localhost" "not trusted" "http.sslCAInfo"
expect_unchanged "$T/peru" "$before" "an untrusted certificate"
expect_eq "$(hub_main)" "" "nothing reached the hub"
expect_eq "$(helper_count get)" 0 "no credentials given to an untrusted server"

# ---- credentials from the helper; the CA from ~/.gitconfig -----------------------

expect_ok as "$HP" ccm -C "$T/peru" sync
expect_eq "$(hub_main)" "$(head_of "$T/peru")" "pushed over https"
expect_eq "$(helper_count get)" 1 "one fill for fetch and push"
expect_eq "$(helper_count store)" 1 "approved after it worked"
expect_eq "$(helper_count erase)" 0 "nothing rejected"
check "the helper was told protocol, host and path (useHttpPath)" \
    grep -qF "get protocol=https host=localhost:$HTTPS_PORT path=git/hub.git" "$T/helper.log"
check "the password is nowhere in the store" test -z "$(grep -rlF "$PASSWORD" "$T/peru" || true)"
check "the store's config has no credentials" test -z "$(grep -iE 'password|alice' "$T/peru/repo/config" || true)"

# GIT_SSL_CAINFO instead of the config
expect_ok env GIT_SSL_CAINFO="$HTTPS_CA" HOME="$HN" GIT_CONFIG_GLOBAL="$HN/.gitconfig" \
    "$CCMSYNC_BIN" -C "$T/peru" sync
expect_exit 5 env GIT_SSL_CAINFO="$T/no-such-ca.pem" HOME="$HN" GIT_CONFIG_GLOBAL="$HN/.gitconfig" \
    "$CCMSYNC_BIN" -C "$T/peru" sync
expect_stderr_one_line "cannot use the certificate authorities of GIT_SSL_CAINFO '$T/no-such-ca.pem'"

# ---- join over https ---------------------------------------------------------------

expect_ok as "$HP" ccm -C "$T/norway" join "$URL" --member Norway
expect_eq "$(head_of "$T/norway")" "$(hub_main)" "Norway cloned the hub"
expect_ok as "$HP" ccm -C "$T/peru" member add "$OUT" --role editor
expect_ok as "$HP" ccm -C "$T/peru" sync
expect_ok as "$HP" ccm -C "$T/norway" sync
expect_eq "$(head_of "$T/norway")" "$(head_of "$T/peru")" "same head"

# ---- a wrong password ------------------------------------------------------------------

printf 'username=alice\npassword=wrong\n' >"$T/cred"
: >"$T/helper.log"
expect_ok as "$HP" ccm -C "$T/peru" state set IDN status=party
before=$(store_fingerprint "$T/peru")
hub_before=$(hub_main)
timed as "$HP" ccm -C "$T/peru" sync </dev/null
expect_eq "$RC" 5 "a wrong password exits 5"
expect_stderr_one_line "refused the user name and password from git's credential helper"
check "promptly ($ELAPSED ms)" test "$ELAPSED" -lt 10000
echo "measured: a wrong password (credential helper) exits 5 after $ELAPSED ms"
expect_eq "$(helper_count get)" 1 "asked once, no loop"
expect_eq "$(helper_count erase)" 1 "rejected"
expect_eq "$(helper_count store)" 0 "not approved"
expect_unchanged "$T/peru" "$before" "a wrong password"
expect_eq "$(hub_main)" "$hub_before" "a wrong password moves nothing on the hub"
timed as "$HP" ccm -C "$T/chile" join "$URL" --member Chile </dev/null
expect_eq "$RC" 5 "a join with a wrong password exits 5"
check "no store after a refused join" test ! -e "$T/chile"

# ---- no credentials at all, nobody at a terminal -------------------------------------

HX=$(new_home nocred "http.sslCAInfo $HTTPS_CA")
timed as "$HX" ccm -C "$T/peru" sync </dev/null
expect_eq "$RC" 5 "no credentials exits 5"
expect_stderr_one_line "asks for a user name and password or token" "CCMSYNC_HTTPS_TOKEN"
check "without waiting on a prompt ($ELAPSED ms)" test "$ELAPSED" -lt 10000
echo "measured: no credentials, stdin not a terminal: exit 5 after $ELAPSED ms"
expect_unchanged "$T/peru" "$before" "no credentials"

# ---- git's own `store` helper, and git's prompt on a terminal -------------------------------

HS=$(new_home store "credential.helper store" "http.sslCAInfo $HTTPS_CA")
run_tty "Username for 'https://localhost:$HTTPS_PORT': |Password for 'https://alice@localhost:$HTTPS_PORT': " \
    "alice|$PASSWORD" env HOME="$HS" GIT_CONFIG_GLOBAL="$HS/.gitconfig" "$CCMSYNC_BIN" -C "$T/peru" sync
expect_eq "$RC" 0 "sync after git asked on the terminal: $OUT"
expect_not_contains "$OUT" "$PASSWORD" "the password is not echoed"
check "approved: git's store helper kept the credentials" \
    grep -qF "https://alice:open%20sesame@localhost" "$HS/.git-credentials"
expect_eq "$(hub_main)" "$(head_of "$T/peru")" "pushed with the typed password"
expect_ok as "$HS" ccm -C "$T/peru" sync </dev/null # no terminal: the stored ones
printf 'https://alice:stale@localhost:%s\n' "$HTTPS_PORT" >"$HS/.git-credentials"
expect_exit 5 as "$HS" ccm -C "$T/peru" sync </dev/null
expect_stderr_one_line "refused the user name and password"
check "rejected: git's store helper forgot them" test ! -s "$HS/.git-credentials"

# ---- a token in the environment -----------------------------------------------------------

timed env CCMSYNC_HTTPS_USER=alice CCMSYNC_HTTPS_TOKEN=nope HOME="$HX" \
    GIT_CONFIG_GLOBAL="$HX/.gitconfig" "$CCMSYNC_BIN" -C "$T/peru" sync
expect_eq "$RC" 5 "a wrong token exits 5"
expect_stderr_one_line "refused the token in CCMSYNC_HTTPS_TOKEN for user 'alice'"
check "promptly ($ELAPSED ms)" test "$ELAPSED" -lt 10000
echo "measured: a wrong token exits 5 after $ELAPSED ms"
expect_ok env CCMSYNC_HTTPS_USER=alice CCMSYNC_HTTPS_TOKEN="$PASSWORD" HOME="$HX" \
    GIT_CONFIG_GLOBAL="$HX/.gitconfig" "$CCMSYNC_BIN" -C "$T/peru" sync
expect_eq "$(hub_main)" "$(head_of "$T/peru")" "pushed with the token"

# ---- proxies ------------------------------------------------------------------------------

printf 'username=alice\npassword=%s\n' "$PASSWORD" >"$T/cred"
start_connect_proxy
expect_ok as "$HP" ccm -C "$T/peru" state set IDN last_contact=2025-03-12
expect_ok env https_proxy="http://127.0.0.1:$PROXY_PORT" HOME="$HP" \
    GIT_CONFIG_GLOBAL="$HP/.gitconfig" "$CCMSYNC_BIN" -C "$T/peru" sync
check "the sync went through the proxy" grep -qF "CONNECT localhost:$HTTPS_PORT" "$T/proxy/log"
expect_eq "$(hub_main)" "$(head_of "$T/peru")" "pushed through the proxy"
dead=$(free_port)
expect_exit 5 env https_proxy="http://127.0.0.1:$dead" HOME="$HP" \
    GIT_CONFIG_GLOBAL="$HP/.gitconfig" "$CCMSYNC_BIN" -C "$T/peru" sync
expect_stderr_one_line "cannot reach remote 'origin'"
HY=$(new_home proxied "credential.helper $T/helper.sh" "http.sslCAInfo $HTTPS_CA" \
    "http.proxy http://127.0.0.1:$dead")
expect_exit 5 as "$HY" ccm -C "$T/peru" sync
expect_stderr_one_line "cannot reach remote 'origin'"

done_testing
