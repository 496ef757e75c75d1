#!/usr/bin/env bash
# links_pure.sh SANITIZED BINARY... - the record module is pure: its unit
# tests (tests/record/test_*.c, linked to ccm_record and cmocka only) load
# neither libgit2, libsodium nor a thread library, and call nothing of
# theirs. A record file that used one would already fail to link (ccm_record
# links jansson and ccm_base alone); this checks the binaries themselves,
# which also covers pthreads, whose functions live in glibc's libc and so
# are no link error.
#
# SANITIZED=1: an ASan build, whose runtime (linked into each binary) wraps
# pthread_create: the thread symbols are not checked there.
set -uo pipefail

[ $# -ge 2 ] || {
    echo "usage: $0 SANITIZED BINARY..." >&2
    exit 2
}
sanitized=$1
shift
failed=0
checked=0
for bin in "$@"; do
    needed=$(readelf -d "$bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
    if ! grep -q '^libc\.so' <<<"$needed"; then
        echo "FAIL: $bin: no libc among its libraries (is readelf reading it?): $needed"
        failed=1
    fi
    if bad=$(grep -E '^lib(git2|sodium|pthread|mbedtls|ssh2)' <<<"$needed"); then
        echo "FAIL: $bin loads $(tr '\n' ' ' <<<"$bad")"
        failed=1
    fi
    undefined=$(nm -D --undefined-only "$bin" | awk '{print $NF}')
    pattern='^(git_|sodium_|crypto_|randombytes_)'
    [ "$sanitized" = 1 ] || pattern='^(git_|sodium_|crypto_|randombytes_|pthread_create|thrd_create)'
    if bad=$(grep -E "$pattern" <<<"$undefined"); then
        echo "FAIL: $bin calls $(tr '\n' ' ' <<<"$bad")"
        failed=1
    fi
    checked=$((checked + 1))
done
echo "$checked record test binaries checked: $([ $failed = 0 ] && echo pure || echo NOT pure)"
exit $failed
