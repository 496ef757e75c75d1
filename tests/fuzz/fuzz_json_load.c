/*
 * fuzz_json_load.c - the record parser (store/record/json_load.c) against jansson
 * on arbitrary bytes: ccm_json_load must accept exactly what
 * json_loadb(JSON_REJECT_DUPLICATES) accepts, and build the same value.
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
    json_error_t e1, e2;
    json_t *want = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &e1);
    json_t *got = ccm_json_load((const char *)data, size, &e2);

    FUZZ_CHECK((want == NULL) == (got == NULL));
    FUZZ_CHECK(!want || json_same(want, got));
    json_decref(want);
    json_decref(got);
    return 0;
}
