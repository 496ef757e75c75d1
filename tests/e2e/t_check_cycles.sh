#!/usr/bin/env bash
# t_check_cycles.sh - scripts/check-cycles, no circle between files: it
# passes on this build's object files, and fails, naming the files and the
# symbols that close the circle, on a copy of them where store/cache_derived.c
# calls back into store/cache.c (the circle this check was written after).
. "$(dirname "$0")/lib.sh"

SRC=$(cd "$(dirname "$0")/../.." && pwd)
CHECK="$SRC/scripts/check-cycles"
BUILD=$(cd "$(dirname "$CCMSYNC_BIN")" && pwd)

expect_ok "$CHECK" "$BUILD"
expect_contains "$OUT" "no circle between them" "this build's files call each other in one direction"

# A copy of the libraries' object files, one of them replaced.
mkdir -p "$T/b/CMakeFiles"
cp -a "$BUILD"/CMakeFiles/ccm_*.dir "$T/b/CMakeFiles/"
cat >"$T/derived.c" <<'C'
struct ccm_cache;
struct ccm_store;
int ccm_cache_load(struct ccm_cache *c, struct ccm_store *s, int want);
int ccm_cache_count_activity(void *done_dates, const char *doc, int sign)
{
    (void)done_dates, (void)doc, (void)sign;
    return ccm_cache_load(0, 0, 0);
}
C
expect_ok cc -c -o "$T/b/CMakeFiles/ccm_store.dir/store/cache_derived.c.o" "$T/derived.c"
run "$CHECK" "$T/b"
expect_eq "$RC" 1 "a circle fails the check"
expect_contains "$OUT" "circle between store/cache.c, store/cache_derived.c" "it names the files"
expect_contains "$OUT" "store/cache_derived.c -> store/cache.c (ccm_cache_load)" \
    "it names the symbol that closes the circle"

run "$CHECK" "$T/nothing-built-here"
expect_eq "$RC" 2 "a folder without a build is an error, not a pass"

done_testing
