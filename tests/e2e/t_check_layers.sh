#!/usr/bin/env bash
# t_check_layers.sh - scripts/check-layers, the module boundaries: it passes
# on the source tree, and fails, naming the file, the line and the rule, on
# a copy of it with one include that breaks a rule: a lower layer including
# a higher one, a module including another's private header, the record
# module including libgit2's header.
. "$(dirname "$0")/lib.sh"

SRC=$(cd "$(dirname "$0")/../.." && pwd)
CHECK="$SRC/scripts/check-layers"

expect_ok "$CHECK" "$SRC"
expect_contains "$OUT" "every include within the layers" "the source tree keeps its layers"

# copy_tree DIR : the product's folders copied to DIR.
copy_tree() {
    mkdir -p "$1"
    cp -a "$SRC/crypto" "$SRC/store" "$SRC/sync" "$SRC/cli" "$1/"
}

# broken WHAT FILE LINE REASON... : a copy with LINE added at the top of
# FILE fails the check, naming FILE and every REASON.
broken() {
    local what=$1 file=$2 line=$3 d
    shift 3
    d=$(mktemp -d "$T/tree.XXXXXX")
    copy_tree "$d"
    { echo "$line"; cat "$d/$file"; } >"$d/$file.new" && mv "$d/$file.new" "$d/$file"
    run "$CHECK" "$d"
    expect_eq "$RC" 1 "($what) the check fails"
    expect_contains "$OUT" "$file:1:" "($what) it names the file and line"
    for r in "$@"; do
        expect_contains "$OUT" "$r" "($what) it says why"
    done
}

broken "a lower layer includes a higher one" store/store.c '#include "../sync/sync.h"' \
    "the store module includes" "of the sync module, a higher layer"
broken "a private header of another module" cli/run.c '#include "../store/store_private.h"' \
    "a private header of the store module"
broken "the crypto layer reaches the store" crypto/envelope.c '#include "../store/store.h"' \
    "the crypto module includes"
if [[ -d "$SRC/store/record" ]]; then
    f=$(cd "$SRC" && ls store/record/*.c | head -1)
    broken "the record module includes libgit2" "$f" '#include <git2.h>' \
        "the record module includes <git2.h>, a library it must not use"
fi

done_testing
