/*
 * fuzz_envelope.c - the record envelope (crypto/envelope.c) on arbitrary
 * bytes: reading the epoch and opening under a fixed group key and record
 * identity must never crash. Then the input is sealed as a plaintext and
 * must open back to itself; sealing is deterministic (synthetic nonce); the
 * envelope is bound to its record identity, its key epoch and every byte.
 */
#include "fuzz_common.h"

#include <stdlib.h>
#include <string.h>

#define ID ((const uint8_t *)FUZZ_RECORD_IDENTITY)
#define ID_LEN FUZZ_RECORD_IDENTITY_LEN

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_setup();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const ccm_groupkey *gk = fuzz_groupkey();
    uint8_t *pt = NULL, *env = NULL, *env2 = NULL;
    size_t pt_len = 0, env_len = 0, env2_len = 0;
    uint32_t epoch = 0;
    int rc;

    /* The input as an envelope. */
    rc = ccm_envelope_epoch(&epoch, data, size);
    FUZZ_CHECK(rc == CCM_OK || rc == CCM_EVERIFY);
    rc = ccm_envelope_open(&pt, &pt_len, gk, ID, ID_LEN, data, size);
    FUZZ_CHECK(rc == CCM_OK || rc == CCM_EVERIFY);
    if (rc == CCM_OK) {
        FUZZ_CHECK(pt != NULL && pt[pt_len] == '\0');
        FUZZ_CHECK(size == CCM_ENVELOPE_HEADER + pt_len + 16);
        FUZZ_CHECK(epoch == ccm_groupkey_epoch(gk));
    } else {
        FUZZ_CHECK(pt == NULL && pt_len == 0);
    }
    free(pt);
    pt = NULL;

    /* The input as a plaintext: seal, then open gives it back. */
    rc = ccm_envelope_seal(&env, &env_len, gk, ID, ID_LEN, data, size);
    FUZZ_CHECK(rc == CCM_OK);
    FUZZ_CHECK(env_len == CCM_ENVELOPE_HEADER + size + 16);
    rc = ccm_envelope_epoch(&epoch, env, env_len);
    FUZZ_CHECK(rc == CCM_OK && epoch == ccm_groupkey_epoch(gk));
    rc = ccm_envelope_open(&pt, &pt_len, gk, ID, ID_LEN, env, env_len);
    FUZZ_CHECK(rc == CCM_OK);
    FUZZ_CHECK(pt_len == size && (size == 0 || memcmp(pt, data, size) == 0));
    free(pt);
    pt = NULL;

    /* Deterministic: equal (record, plaintext) give equal envelopes. */
    rc = ccm_envelope_seal(&env2, &env2_len, gk, ID, ID_LEN, data, size);
    FUZZ_CHECK(rc == CCM_OK && env2_len == env_len && memcmp(env, env2, env_len) == 0);
    free(env2);

    /* Bound to the record: another identity does not open it. */
    rc = ccm_envelope_open(&pt, &pt_len, gk, (const uint8_t *)FUZZ_OTHER_IDENTITY,
                           FUZZ_OTHER_IDENTITY_LEN, env, env_len);
    FUZZ_CHECK(rc == CCM_EVERIFY && pt == NULL);

    /* Any flipped bit is detected (the position depends on the input). */
    size_t pos = size > 0 ? (data[0] * 131u + size) % env_len : 0;
    env[pos] ^= (uint8_t)(1u << (size % 8));
    rc = ccm_envelope_open(&pt, &pt_len, gk, ID, ID_LEN, env, env_len);
    FUZZ_CHECK(rc == CCM_EVERIFY && pt == NULL);
    free(env);
    ccm_error_clear();
    return 0;
}
