#!/usr/bin/env bash
# t_sync_hostile.sh - a hostile hub: commits pushed to it with plain git that
# the group's rules forbid are refused by `ccmsync sync`: exit 4, one line on
# stderr naming the bad commit, the member's store unchanged (refs, HEAD,
# export) and still verifying, and the hub's branch given the member's own
# history in place of the refused tip, so that the refusal blocks nobody.
# Over a path remote, and once over git:// (git daemon).
#
# The hostile commits: (a) unsigned; (b) signed by a key outside the roster;
# (c) a roster change (self-promotion) signed by an editor; (c2) a new sealed
# key under keys/ signed by an editor; (c3) a roster change signed by a
# non-member; (d) a record blob replaced by garbage, signed by a non-member;
# (d2) the same signed by an editor; (d3) a record deleted, (d4) a record's
# ciphertext with a byte flipped, (d5) a record's blob swapped for another
# record's, each signed by an editor; (e) signed by a reader; (f) signed by
# an editor but authored as the admin; (g) a valid editor commit followed by
# an unsigned one (the whole sync is refused, naming the second); (h) a merge
# by an editor whose roster is not the merge of its parents'; (i) the hub's
# branch replaced by another group's history.
#
# Members' keys as git signing keys: a store made with --no-passphrase keeps
# the Ed25519 seed in the clear in its `identity` file (crypto/identity.c:
# "CCMID\x01", flag 0, seed[32], x25519 sk[32]); with the public key of
# `whoami --json` that makes an OpenSSH private key file, which stock git
# (gpg.format=ssh) signs commits with. A control commit signed that way by an
# editor, changing nothing forbidden, is accepted: so each refusal below is
# for the rule it breaks, not for the way the signature was made.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/servers.sh"
unset CCMSYNC_PASSPHRASE # every store here is made with --no-passphrase

if ! command -v ssh-keygen >/dev/null 2>&1; then
    _servers_abort "ssh-keygen (openssh-client) is needed to sign commits with SSH keys"
fi

SRV="$T/srv"
HUB="$SRV/hub.git"
mkdir -p "$SRV"
hub_init "$HUB"
start_git_daemon "$SRV"
H=(git --git-dir="$HUB")

# ---- helpers --------------------------------------------------------------------

# refs_of STORE : the store's refs and HEAD (not the remote-tracking refs:
# they follow the hub, which a refused sync gives this store's history).
refs_of() {
    git --git-dir="$1/repo" for-each-ref --format='%(refname) %(objectname)' | grep -v ' *refs/remotes/'
    git --git-dir="$1/repo" symbolic-ref HEAD
}

# snapshot STORE : refs, HEAD and the export.
snapshot() {
    refs_of "$1"
    ccm -C "$1" export || echo "export failed: $?"
}

# ssh_key_of STORE FILE : the store's member signing key as an OpenSSH
# private key file (see the header).
ssh_key_of() {
    local pub
    pub=$(ccm -C "$1" --json whoami | python3 -c 'import json, sys; print(json.load(sys.stdin)["sign_key"])')
    python3 - "$1/identity" "$pub" "$2" <<'EOF'
import base64, os, struct, sys
ident = open(sys.argv[1], "rb").read()
if len(ident) != 71 or ident[:7] != b"CCMID\x01\x00":
    sys.exit("%s: not a plain (--no-passphrase) identity file" % sys.argv[1])
seed = ident[7:39]
blob = base64.b64decode(sys.argv[2].split()[1])
def sstr(b):
    return struct.pack(">I", len(b)) + b
n = struct.unpack(">I", blob[:4])[0]
kind, rest = blob[4:4 + n], blob[4 + n:]
pk = rest[4:4 + struct.unpack(">I", rest[:4])[0]]
assert kind == b"ssh-ed25519" and len(pk) == 32
priv = struct.pack(">II", 0x5eed5eed, 0x5eed5eed) + sstr(kind) + sstr(pk) + sstr(seed + pk) + sstr(b"e2e")
pad = 1
while len(priv) % 8:
    priv += bytes([pad])
    pad += 1
body = (b"openssh-key-v1\0" + sstr(b"none") + sstr(b"none") + sstr(b"") + struct.pack(">I", 1)
        + sstr(blob) + sstr(priv))
b64 = base64.b64encode(body).decode()
fd = os.open(sys.argv[3], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
os.write(fd, ("-----BEGIN OPENSSH PRIVATE KEY-----\n"
              + "\n".join(b64[i:i + 70] for i in range(0, len(b64), 70))
              + "\n-----END OPENSSH PRIVATE KEY-----\n").encode())
EOF
}

# craft TREE PARENTS AUTHOR KEYFILE : a commit in the hub (message "ccmsync",
# like the tool's) with the PARENTS (space-separated), authored and committed
# as AUTHOR, signed with KEYFILE by stock git (unsigned if KEYFILE is empty);
# prints its id.
craft() {
    local tree=$1 author=$3 key=$4 p
    local -a sign=() parents=()
    for p in $2; do parents+=(-p "$p"); done
    if [[ -n "$key" ]]; then
        sign=(-c gpg.format=ssh -c user.signingkey="$key" commit-tree -S)
    else
        sign=(commit-tree)
    fi
    GIT_AUTHOR_NAME="$author" GIT_AUTHOR_EMAIL="$author@ccmsync.invalid" \
        GIT_COMMITTER_NAME="$author" GIT_COMMITTER_EMAIL="$author@ccmsync.invalid" \
        "${H[@]}" "${sign[@]}" "$tree" "${parents[@]}" -m ccmsync
}

# tree_with BASE PATH BLOB|"" : BASE's tree with PATH set to BLOB (removed if
# BLOB is empty); prints the new tree's id.
tree_with() {
    local base=$1 path=$2 blob=$3 tree
    rm -f "$T/craft.index"
    GIT_INDEX_FILE="$T/craft.index" "${H[@]}" read-tree "$base" || return 1
    if [[ -n "$blob" ]]; then
        GIT_INDEX_FILE="$T/craft.index" "${H[@]}" update-index --add --cacheinfo \
            "100644,$blob,$path" || return 1
    else
        printf '0 %s\t%s\n' 0000000000000000000000000000000000000000 "$path" |
            GIT_INDEX_FILE="$T/craft.index" "${H[@]}" update-index --index-info || return 1
    fi
    tree=$(GIT_INDEX_FILE="$T/craft.index" "${H[@]}" write-tree) || return 1
    # A crafted tree that is not different would test nothing.
    if [[ "$tree" == "$("${H[@]}" rev-parse "$base^{tree}")" ]]; then
        echo "tree_with: $path unchanged" >&2
        return 1
    fi
    echo "$tree"
}

# blob_of TEXT : writes TEXT as a blob in the hub; prints its id.
blob_of() {
    printf '%s' "$1" | "${H[@]}" hash-object -w --stdin
}

# refused WHAT BAD STORE [REMOTE [NAMED [KEEP]]] : with the hub's main at
# BAD, STORE's sync (of REMOTE, default origin) exits 4 naming the bad commit
# (NAMED, default BAD) once, on one stderr line, and changes nothing of the
# store (unless KEEP=keep: valid commits below BAD are taken); `verify`
# still passes; the hub's main then holds STORE's head in place of BAD (for
# another group's history: left alone). Puts the hub back at $GOOD after.
refused() {
    local what=$1 bad=$2 s=$3 remote=${4:-origin} named=${5:-$2} keep=${6:-} before rest
    "${H[@]}" update-ref refs/heads/main "$bad"
    before=$(snapshot "$s")
    expect_exit 4 ccm -C "$s" sync "$remote"
    expect_stderr_one_line "$named"
    REFUSED_ERR=$ERR
    rest=${ERR#*"$named"}
    expect_not_contains "$rest" "$named" "$what: the error names the commit once"
    if [[ "$keep" != keep ]]; then
        expect_eq "$(snapshot "$s")" "$before" "$what: the refused sync left $(basename "$s")'s store unchanged"
    fi
    check "$what: the bad commit is reachable from no ref of $(basename "$s")" \
        test -z "$(git --git-dir="$s/repo" for-each-ref --contains "$bad" 2>/dev/null)"
    if [[ "$named" == "$bad" ]]; then
        expect_eq "$("${H[@]}" rev-parse main)" "$(head_of "$s")" \
            "$what: the hub's branch now holds $(basename "$s")'s history, not the refused tip"
        expect_contains "$ERR" "holds this replica's history" "$what: the error says the tip was replaced"
    else
        expect_eq "$("${H[@]}" rev-parse main)" "$bad" "$what: an unrelated history is left alone"
    fi
    expect_ok ccm -C "$s" verify
    "${H[@]}" update-ref refs/heads/main "$GOOD"
}

# noop_tree COMMIT MEMBER : COMMIT's tree with MEMBER's stamp raised (the
# smallest valid change a member can sign); prints the tree id.
noop_tree() {
    local stamps
    stamps=$("${H[@]}" cat-file blob "$1:stamps.json" | python3 -c '
import json, sys
s = json.load(sys.stdin)
s[sys.argv[1]] = max(s.values()) + 1
sys.stdout.write(json.dumps(s, sort_keys=True, separators=(",", ":")))' "$2" |
        "${H[@]}" hash-object -w --stdin)
    tree_with "$1" stamps.json "$stamps"
}

# ---- the group -------------------------------------------------------------------------

P="$T/peru" N="$T/norway" M="$T/malawi" R="$T/isu"
expect_ok ccm -C "$P" init --member Peru --no-passphrase
expect_ok ccm -C "$P" remote add origin "$HUB"
expect_ok ccm -C "$P" state set LAO status=signatory priority=high lead+=Peru region=Asia
expect_ok ccm -C "$P" activity add --type bilateral --date 2025-01-15 states=LAO summary=first-contact
expect_ok ccm -C "$P" sync
for who in "$N:Norway:editor" "$M:Malawi:editor" "$R:ISU:reader"; do
    IFS=: read -r dir name role <<<"$who"
    expect_ok ccm -C "$dir" join "$HUB" --member "$name" --no-passphrase
    expect_ok ccm -C "$P" member add "$OUT" --role "$role"
done
expect_ok ccm -C "$P" sync
for s in "$N" "$M" "$R"; do expect_ok ccm -C "$s" sync; done
expect_ok ccm -C "$N" remote add daemon "$GIT_DAEMON_URL/hub.git"
expect_ok ccm -C "$N" state set LAO next_step=visit
expect_ok ccm -C "$N" sync daemon
for s in "$P" "$M" "$R"; do expect_ok ccm -C "$s" sync; done
run ccm -C "$M" --json state show LAO
expect_json 'd["fields"]["next_step"] == "visit" and d["fields"]["region"] == "Asia"' \
    "Malawi reads what Peru and Norway wrote"

ssh_key_of "$N" "$T/norway.key"
ssh_key_of "$R" "$T/isu.key"
ssh-keygen -q -t ed25519 -N '' -C mallory -f "$T/mallory.key"
check "Norway's converted key is the one of whoami" \
    test "$(ssh-keygen -y -f "$T/norway.key" | cut -d' ' -f1,2)" = "$(ccm -C "$N" --json whoami | python3 -c 'import json, sys; print(json.load(sys.stdin)["sign_key"])')"

# Control: a commit made with stock git, signed with an editor's converted key,
# changing nothing forbidden (it raises Norway's stamp, which every commit
# must), is accepted by every member.
BASE=$("${H[@]}" rev-parse main)
CTRL=$(craft "$(noop_tree "$BASE" Norway)" "$BASE" Norway "$T/norway.key")
"${H[@]}" update-ref refs/heads/main "$CTRL"
expect_ok ccm -C "$M" sync
expect_eq "$(head_of "$M")" "$CTRL" "control: a valid editor commit made by stock git is accepted"
for s in "$P" "$N" "$R"; do expect_ok ccm -C "$s" sync; done
expect_ok ccm -C "$M" member list --allowed-signers
cp "$T/.out" "$T/signers"
expect_ok "${H[@]}" -c gpg.format=ssh -c gpg.ssh.allowedSignersFile="$T/signers" verify-commit "$CTRL"
GOOD=$("${H[@]}" rev-parse main)
expect_eq "$GOOD" "$CTRL" "the hub is at the control commit"

# ---- hostile commits on top of main ----------------------------------------------------------

ROSTER_BLOB=$("${H[@]}" rev-parse "$GOOD:roster.json")
REC_PATH=$("${H[@]}" ls-tree -r --name-only "$GOOD" | grep '^r/' | sed -n 1p)
REC2_PATH=$("${H[@]}" ls-tree -r --name-only "$GOOD" | grep '^r/' | sed -n 2p)
check "the hub has two record blobs" test -n "$REC_PATH" -a -n "$REC2_PATH"

# (a) unsigned.
A=$(craft "$(noop_tree "$GOOD" Norway)" "$GOOD" Norway "")
refused "(a) unsigned commit" "$A" "$M"

# (b) signed by a key that is not in the roster, claiming to be Norway.
B=$(craft "$(noop_tree "$GOOD" Norway)" "$GOOD" Norway "$T/mallory.key")
refused "(b) non-member signature" "$B" "$M"

# (c) an editor promotes themself to admin: a roster change by a non-admin.
"${H[@]}" cat-file blob "$ROSTER_BLOB" | python3 -c '
import json, sys
r = json.load(sys.stdin)
n = [m for m in r["members"] if m["name"] == "Norway"]
assert n and n[0]["role"] == "editor", r
n[0]["role"] = "admin"
json.dump(r, sys.stdout, indent=1, sort_keys=True)
print()' >"$T/roster.promoted"
check "the promoted roster differs from the hub's" \
    test "$("${H[@]}" hash-object "$T/roster.promoted")" != "$ROSTER_BLOB"
C=$(craft "$(tree_with "$GOOD" roster.json "$("${H[@]}" hash-object -w "$T/roster.promoted")")" \
    "$GOOD" Norway "$T/norway.key")
expect_ok "${H[@]}" -c gpg.format=ssh -c gpg.ssh.allowedSignersFile="$T/signers" verify-commit "$C"
refused "(c) roster change signed by an editor" "$C" "$M"
expect_contains "$REFUSED_ERR" "admin" "(c) the refusal says an admin was needed"

# (c2) an editor seals a group key to an outsider: keys/ changed by a non-admin.
C2=$(craft "$(tree_with "$GOOD" keys/1/Mallory "$(blob_of "sealed-for-mallory")")" \
    "$GOOD" Norway "$T/norway.key")
refused "(c2) keys/ change signed by an editor" "$C2" "$M"

# (c3) a non-member adds themself to the roster as admin.
"${H[@]}" cat-file blob "$ROSTER_BLOB" | python3 -c '
import json, sys
r = json.load(sys.stdin)
m = dict(r["members"][0])
m.update(name="Mallory", role="admin", sign_key=sys.argv[1], added_by="Peru")
r["members"].append(m)
json.dump(r, sys.stdout, indent=1, sort_keys=True)
print()' "$(cut -d' ' -f1,2 "$T/mallory.key.pub")" >"$T/roster.mallory"
C3=$(craft "$(tree_with "$GOOD" roster.json "$("${H[@]}" hash-object -w "$T/roster.mallory")")" \
    "$GOOD" Mallory "$T/mallory.key")
refused "(c3) roster change signed by a non-member" "$C3" "$M"

# (d) a record blob replaced by garbage, signed by a non-member.
GARBAGE=$(head -c 300 /dev/urandom | "${H[@]}" hash-object -w --stdin)
D=$(craft "$(tree_with "$GOOD" "$REC_PATH" "$GARBAGE")" "$GOOD" Mallory "$T/mallory.key")
refused "(d) garbage record signed by a non-member" "$D" "$M"

# (d2) the same garbage, signed by an editor: the record does not decrypt.
D2=$(craft "$(tree_with "$GOOD" "$REC_PATH" "$GARBAGE")" "$GOOD" Norway "$T/norway.key")
expect_ok "${H[@]}" -c gpg.format=ssh -c gpg.ssh.allowedSignersFile="$T/signers" verify-commit "$D2"
refused "(d2) garbage record signed by an editor" "$D2" "$M"

# (d3) a record deleted from the tree, signed by an editor.
D3=$(craft "$(tree_with "$GOOD" "$REC_PATH" "")" "$GOOD" Norway "$T/norway.key")
refused "(d3) record deleted by an editor" "$D3" "$M"

# (d4) a record's ciphertext with one byte flipped, signed by an editor.
"${H[@]}" cat-file blob "$GOOD:$REC_PATH" | python3 -c '
import sys
b = bytearray(sys.stdin.buffer.read())
b[len(b) // 2] ^= 0x01
sys.stdout.buffer.write(b)' >"$T/flipped"
D4=$(craft "$(tree_with "$GOOD" "$REC_PATH" "$("${H[@]}" hash-object -w "$T/flipped")")" \
    "$GOOD" Norway "$T/norway.key")
refused "(d4) record with a flipped byte signed by an editor" "$D4" "$M"

# (d5) another record's ciphertext moved to this record's path, signed by an
# editor (ciphertexts are bound to their record).
D5=$(craft "$(tree_with "$GOOD" "$REC_PATH" "$("${H[@]}" rev-parse "$GOOD:$REC2_PATH")")" \
    "$GOOD" Norway "$T/norway.key")
refused "(d5) record blob swapped, signed by an editor" "$D5" "$M"

# (e) signed by a reader.
E=$(craft "$(noop_tree "$GOOD" ISU)" "$GOOD" ISU "$T/isu.key")
expect_ok "${H[@]}" -c gpg.format=ssh -c gpg.ssh.allowedSignersFile="$T/signers" verify-commit "$E"
refused "(e) commit signed by a reader" "$E" "$M"
expect_contains "$REFUSED_ERR" "reader" "(e) the refusal names the role"

# (f) signed by the editor Norway, authored as the admin Peru.
F=$(craft "$(noop_tree "$GOOD" Peru)" "$GOOD" Peru "$T/norway.key")
refused "(f) editor's signature under the admin's name" "$F" "$M"

# (g) a valid editor commit, then an unsigned one: the good one is taken,
# the bad one refused, and the hub given the good history back.
G1=$(craft "$(noop_tree "$GOOD" Norway)" "$GOOD" Norway "$T/norway.key")
G2=$(craft "$(noop_tree "$G1" Malawi)" "$G1" Malawi "")
refused "(g) good then unsigned" "$G2" "$P" origin "$G2" keep
expect_not_contains "$REFUSED_ERR" "$G1" "(g) the error names the bad commit, not the good one before it"
expect_eq "$(head_of "$P")" "$G1" "(g) the valid commit below the refused one was taken"
GOOD=$G1
for s in "$N" "$M" "$R"; do expect_ok ccm -C "$s" sync; done

# (h) a merge signed by an editor, of the last good commit and a valid side
# commit, whose roster promotes the editor: not the merge of its parents'.
SIDE=$(craft "$(noop_tree "$BASE" Norway)" "$BASE" Norway "$T/norway.key")
HM=$(craft "$(tree_with "$GOOD" roster.json "$("${H[@]}" hash-object -w "$T/roster.promoted")")" \
    "$GOOD $SIDE" Norway "$T/norway.key")
expect_eq "$("${H[@]}" rev-list --parents -n 1 "$HM")" "$HM $GOOD $SIDE" "(h) the crafted merge has two parents"
refused "(h) merge changing the roster, by an editor" "$HM" "$M" origin "$HM" keep
expect_contains "$REFUSED_ERR" "membership" "(h) the refusal says the merge changed the membership"
check "(h) the valid side commit under the refused merge was taken" \
    git --git-dir="$M/repo" merge-base --is-ancestor "$SIDE" main
GOOD=$(head_of "$M")
"${H[@]}" update-ref refs/heads/main "$GOOD"
for s in "$P" "$N" "$R"; do expect_ok ccm -C "$s" sync; done

# (i) the hub's branch replaced by another group's history (Mallory's own
# group, made with ccmsync).
expect_ok ccm -C "$T/mallory" init --member Mallory --no-passphrase
expect_ok ccm -C "$T/mallory" state set LAO next_step=mallory-was-here
"${H[@]}" fetch -q "$T/mallory/repo" +refs/heads/main:refs/e2e/mallory
I=$("${H[@]}" rev-parse refs/e2e/mallory)
"${H[@]}" update-ref -d refs/e2e/mallory
I_ROOT=$("${H[@]}" rev-list --max-parents=0 "$I")
refused "(i) another group's history" "$I" "$M" origin "$I_ROOT"
run ccm -C "$M" --json state show LAO
expect_json 'd["fields"].get("next_step") != "mallory-was-here"' "(i) nothing of the other group is read"

# Over git:// (git daemon): an unsigned commit, fetched by Norway. (Made on
# the hub's current history: one that went back to an older one would also,
# rightly, draw a warning that the remote was rewound.)
A_NOW=$(craft "$(noop_tree "$GOOD" Norway)" "$GOOD" Norway "")
refused "(a) over git://" "$A_NOW" "$N" daemon
# Over git://: a roster change by an editor.
C_NOW=$(craft "$(tree_with "$GOOD" roster.json "$("${H[@]}" hash-object -w "$T/roster.promoted")")" \
    "$GOOD" Norway "$T/norway.key")
refused "(c) over git://" "$C_NOW" "$N" daemon

# ---- after all that, the group carries on -------------------------------------------------------

expect_eq "$("${H[@]}" rev-parse main)" "$GOOD" "the hub is back at the last good commit"
expect_ok ccm -C "$M" state set LAO next_step=carry-on
expect_ok ccm -C "$M" sync
expect_ok ccm -C "$N" sync daemon
expect_ok ccm -C "$P" sync
run ccm -C "$P" --json state show LAO
expect_json 'd["fields"]["next_step"] == "carry-on"' "after the refusals, syncing works again"
for s in "$P" "$N" "$M"; do expect_ok ccm -C "$s" verify; done
run ccm -C "$P" --json member list
expect_json 'sorted((m["name"], m["role"]) for m in d) == [("ISU", "reader"), ("Malawi", "editor"), ("Norway", "editor"), ("Peru", "admin")]' \
    "the roster is untouched (no Mallory, Norway still an editor)"

done_testing
