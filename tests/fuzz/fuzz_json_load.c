/*
 * fuzz_json_load.c - the canonical reader (store/record/json_load.c) on
 * arbitrary bytes, against its definition (docs/record-format.md): what
 * ccm_json_load accepts is the canonical text of what it returns, byte for
 * byte; and when jansson (duplicate keys refused, NUL allowed) reads the
 * bytes into a document, nested at most 64 deep, whose canonical text they
 * are, ccm_json_load accepts them too, with the same values.
 */
#include "fuzz_common.h"

#include "store/record/record.h"
#include "tests/support/json_same.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_setup();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *buf = (const char *)data;
    json_error_t e1, e2;
    json_t *want = json_loadb(buf, size, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &e1);
    json_t *got = ccm_json_load(buf, size, &e2);
    int canonical = want && json_depth(want) <= 64 && json_is_canon_of(want, buf, size);

    FUZZ_CHECK(!got || json_is_canon_of(got, buf, size));
    FUZZ_CHECK(!got || canonical || (!want && json_has_nul_key(got)));
    FUZZ_CHECK(got || !canonical);
    FUZZ_CHECK(!got || !want || json_same(want, got));
    json_decref(want);
    json_decref(got);
    return 0;
}
