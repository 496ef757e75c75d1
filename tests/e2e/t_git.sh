#!/usr/bin/env bash
# t_git.sh - the store's repository is plain, valid git: fsck --strict is
# clean, stock git verifies every commit's SSH signature with the lines of
# `member list --allowed-signers`, and `ccmsync verify` passes on a clean
# history but exits 4, naming the commit, on an unsigned commit or a record
# blob moved to another record's path.
. "$(dirname "$0")/lib.sh"

if ! command -v ssh-keygen >/dev/null 2>&1; then
    echo "e2e t_git needs ssh-keygen (openssh-client) for git verify-commit" >&2
    exit 1
fi

S="$T/store"
G=(git --git-dir="$S/repo")
new_store "$S"
expect_ok ccm -C "$S" state set LAO status=signatory region=LaoRegion targets=signatory
LAO_PATH=$("${G[@]}" diff-tree -r --name-only --no-commit-id main~1 main | grep '^r/' || true)
check "state set LAO wrote exactly one record path" test "$(printf '%s\n' "$LAO_PATH" | wc -l)" -eq 1 -a -n "$LAO_PATH"
expect_ok ccm -C "$S" state set KEN status=non-party region=KenRegion
KEN_PATH=$("${G[@]}" diff-tree -r --name-only --no-commit-id main~1 main | grep '^r/' || true)
check "state set KEN wrote one other record path" test -n "$KEN_PATH" -a "$KEN_PATH" != "$LAO_PATH"
expect_ok ccm -C "$S" activity add --type bilateral --date 2025-01-15 states=LAO,KEN
ACT=$OUT
expect_ok ccm -C "$S" activity set "$ACT" status=done
expect_ok ccm -C "$S" activity add --type survey --date 2025-02-01
expect_ok ccm -C "$S" activity rm "$OUT"
printf '{"states": [{"id": "NOR", "fields": {"status": "party"}}]}\n' >"$T/i.json"
expect_ok ccm -C "$S" import "$T/i.json"
expect_eq "$(commits "$S")" 8 "init + 7 writes = 8 commits"

# ---- plain git agrees ------------------------------------------------------------

expect_ok "${G[@]}" fsck --strict --no-dangling
expect_eq "$OUT$ERR" "" "git fsck --strict reports nothing"
expect_eq "$("${G[@]}" symbolic-ref HEAD)" refs/heads/main "HEAD names main"

expect_ok ccm -C "$S" member list --allowed-signers
cp "$T/.out" "$T/allowed_signers"
expect_match "$OUT" '^Peru namespaces="git" ssh-ed25519 AAAA[A-Za-z0-9+/=]+$' \
    "allowed-signers: one line for the only member"
expect_ok ccm -C "$S" --json whoami
expect_contains "$(cat "$T/allowed_signers")" "$(jq_out 'd["sign_key"]')" \
    "allowed-signers holds whoami's sign key"

verified=0
for c in $("${G[@]}" rev-list main); do
    expect_ok "${G[@]}" -c gpg.format=ssh -c gpg.ssh.allowedSignersFile="$T/allowed_signers" \
        verify-commit "$c"
    expect_contains "$ERR" 'Good "git" signature for Peru' "verify-commit $c"
    verified=$((verified + 1))
done
expect_eq "$verified" 8 "stock git verified every commit"
# The check can fail: an allowed-signers file with another key refuses them.
ssh-keygen -q -t ed25519 -N '' -C other -f "$T/otherkey"
printf 'Peru namespaces="git" %s\n' "$(cut -d' ' -f1,2 "$T/otherkey.pub")" >"$T/other_signers"
expect_exit 1 "${G[@]}" -c gpg.format=ssh -c gpg.ssh.allowedSignersFile="$T/other_signers" \
    verify-commit main

expect_ok ccm -C "$S" verify
expect_contains "$OUT" "$(head_of "$S")" "verify names the head it verified"
expect_ok ccm -C "$S" --json verify
expect_json 'd["ok"] is True and d["head"] == "'"$(head_of "$S")"'"'

# ---- tampering ----------------------------------------------------------------------

# 1. An unsigned commit on top (same tree: no record changed at all).
T1="$T/tampered1"
cp -a "$S" "$T1"
G1=(git --git-dir="$T1/repo")
C1=$("${G1[@]}" commit-tree "main^{tree}" -p main -m "innocent")
"${G1[@]}" update-ref refs/heads/main "$C1"
expect_exit 4 ccm -C "$T1" verify
expect_stderr_one_line "$C1"
expect_stdout_empty
expect_exit 4 ccm -C "$T1" --json verify
expect_stderr_one_line "$C1"
expect_stdout_empty

# 2. A commit that signs nothing but swaps a record blob: LAO's path now holds
#    KEN's ciphertext. verify names the commit; reading LAO must not show KEN.
T2="$T/tampered2"
cp -a "$S" "$T2"
G2=(git --git-dir="$T2/repo")
KEN_BLOB=$("${G2[@]}" rev-parse "main:$KEN_PATH")
export GIT_INDEX_FILE="$T/swap.index"
"${G2[@]}" read-tree main
"${G2[@]}" update-index --cacheinfo "100644,$KEN_BLOB,$LAO_PATH"
TREE2=$("${G2[@]}" write-tree)
unset GIT_INDEX_FILE
C2=$("${G2[@]}" commit-tree "$TREE2" -p main -m "swap")
"${G2[@]}" update-ref refs/heads/main "$C2"
expect_exit 4 ccm -C "$T2" verify
expect_stderr_one_line "$C2"
run ccm -C "$T2" --json state show LAO
check "state show of a swapped record fails" test "$RC" -ne 0
expect_not_contains "$OUT" "KenRegion" "a swapped blob is never shown as another record"
expect_stderr_one_line

# 3. A commit in the middle of the history replaced: rewrite main~2 unsigned
#    and replay the later commits on top (also unsigned); verify names one of
#    the unsigned commits, and certainly not a good one.
T3="$T/tampered3"
cp -a "$S" "$T3"
G3=(git --git-dir="$T3/repo")
mapfile -t ORIG < <("${G3[@]}" rev-list --reverse main)
parent=${ORIG[4]}
new=()
for c in "${ORIG[@]:5}"; do
    parent=$("${G3[@]}" commit-tree "$c^{tree}" -p "$parent" -m rewritten)
    new+=("$parent")
done
"${G3[@]}" update-ref refs/heads/main "$parent"
expect_exit 4 ccm -C "$T3" verify
expect_stderr_one_line
named=0
for c in "${new[@]}"; do if [[ "$ERR" == *"$c"* ]]; then named=1; fi; done
expect_eq "$named" 1 "verify names one of the rewritten commits"

# 4. A signed commit whose signature no longer matches: change its message
#    but keep the gpgsig header.
T4="$T/tampered4"
cp -a "$S" "$T4"
G4=(git --git-dir="$T4/repo")
"${G4[@]}" cat-file commit main | sed '$s/$/ (edited)/' >"$T/edited.commit"
check "the edited commit keeps its signature header" grep -q '^gpgsig ' "$T/edited.commit"
C4=$("${G4[@]}" hash-object -t commit -w --literally "$T/edited.commit")
"${G4[@]}" update-ref refs/heads/main "$C4"
expect_exit 1 "${G4[@]}" -c gpg.format=ssh -c gpg.ssh.allowedSignersFile="$T/allowed_signers" \
    verify-commit "$C4"
expect_exit 4 ccm -C "$T4" verify
expect_stderr_one_line "$C4"

# The untouched store still verifies.
expect_ok ccm -C "$S" verify
expect_ok "${G[@]}" fsck --strict --no-dangling

done_testing
