/*
 * test_envelope.c - the record envelope (layout, determinism, binding to
 * record identity and epoch, tamper detection) and local sealed files.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"

#define ID "state\0LAO"
#define ID_LEN (sizeof(ID) - 1)
#define OTHER "state\0LBR"
#define PT "{\"name\":\"Lao People's Democratic Republic\"}"
#define PT_LEN (sizeof(PT) - 1)

static ccm_groupkey *gk;

static int setup(void **state)
{
    (void)state;
    return ccm_crypto_init() || ccm_groupkey_generate(&gk, 5);
}

static int teardown(void **state)
{
    (void)state;
    ccm_groupkey_free(gk);
    return 0;
}

static uint8_t *seal(size_t *len, const ccm_groupkey *k, const char *id, const char *pt,
                     size_t pt_len)
{
    uint8_t *env = NULL;
    assert_int_equal(
        ccm_envelope_seal(&env, len, k, (const uint8_t *)id, ID_LEN, (const uint8_t *)pt, pt_len),
        CCM_OK);
    return env;
}

/* Opens under gk and identity ID; returns the code, frees any output. */
static int open_rc(const uint8_t *env, size_t len)
{
    uint8_t *pt = (uint8_t *)1;
    size_t pt_len = 1;
    int rc = ccm_envelope_open(&pt, &pt_len, gk, (const uint8_t *)ID, ID_LEN, env, len);
    if (rc != CCM_OK) {
        assert_null(pt);
    }
    free(pt);
    return rc;
}

static void test_envelope__round_trips_with_nul_terminated_plaintext(void **state)
{
    (void)state;
    size_t len, pt_len;
    uint8_t *pt, *env = seal(&len, gk, ID, PT, PT_LEN);
    assert_int_equal(ccm_envelope_open(&pt, &pt_len, gk, (const uint8_t *)ID, ID_LEN, env, len),
                     CCM_OK);
    assert_int_equal(pt_len, PT_LEN);
    assert_memory_equal(pt, PT, PT_LEN);
    assert_int_equal(pt[pt_len], '\0');
    free(pt);
    free(env);
}

static void test_envelope__round_trips_empty_plaintext(void **state)
{
    (void)state;
    size_t len, pt_len;
    uint8_t *pt, *env = seal(&len, gk, ID, "", 0);
    assert_int_equal(len, CCM_ENVELOPE_HEADER + 16);
    assert_int_equal(ccm_envelope_open(&pt, &pt_len, gk, (const uint8_t *)ID, ID_LEN, env, len),
                     CCM_OK);
    assert_int_equal(pt_len, 0);
    assert_int_equal(pt[0], '\0');
    free(pt);
    free(env);
}

static void test_envelope__has_documented_layout(void **state)
{
    (void)state;
    size_t len;
    uint32_t epoch = 0;
    uint8_t *env = seal(&len, gk, ID, PT, PT_LEN);
    assert_int_equal(len, CCM_ENVELOPE_HEADER + PT_LEN + 16);
    assert_int_equal(env[0], CCM_ENVELOPE_VERSION);
    assert_memory_equal(env + 1, "\0\0\0\5", 4);
    assert_int_equal(ccm_envelope_epoch(&epoch, env, len), CCM_OK);
    assert_int_equal(epoch, 5);
    for (size_t i = 0; i + 3 <= len; i++) { /* encrypted */
        assert_memory_not_equal(env + i, "Lao", 3);
    }
    free(env);
}

static void test_envelope__is_deterministic(void **state)
{
    (void)state;
    size_t l1, l2;
    uint8_t *e1 = seal(&l1, gk, ID, PT, PT_LEN), *e2 = seal(&l2, gk, ID, PT, PT_LEN);
    assert_int_equal(l1, l2);
    assert_memory_equal(e1, e2, l1);
    free(e1);
    free(e2);
}

static void test_envelope__nonce_differs_with_identity_or_plaintext(void **state)
{
    (void)state;
    size_t l1, l2, l3;
    uint8_t *e1 = seal(&l1, gk, ID, PT, PT_LEN), *e2 = seal(&l2, gk, OTHER, PT, PT_LEN),
            *e3 = seal(&l3, gk, ID, PT "!", PT_LEN + 1);
    assert_memory_not_equal(e1 + 5, e2 + 5, 24);
    assert_memory_not_equal(e1 + 5, e3 + 5, 24);
    assert_memory_not_equal(e1 + CCM_ENVELOPE_HEADER, e2 + CCM_ENVELOPE_HEADER, PT_LEN);
    free(e1);
    free(e2);
    free(e3);
}

static void test_envelope__rejects_swapped_identity(void **state)
{
    (void)state;
    size_t len, pt_len;
    uint8_t *pt, *env = seal(&len, gk, OTHER, PT, PT_LEN);
    assert_int_equal(open_rc(env, len), CCM_EVERIFY);
    /* and the rightful identity still opens it */
    assert_int_equal(ccm_envelope_open(&pt, &pt_len, gk, (const uint8_t *)OTHER, ID_LEN, env, len),
                     CCM_OK);
    free(pt);
    /* a prefix of the identity is another identity */
    assert_int_equal(
        ccm_envelope_open(&pt, &pt_len, gk, (const uint8_t *)OTHER, ID_LEN - 1, env, len),
        CCM_EVERIFY);
    free(env);
}

static void test_envelope__rejects_other_epoch_naming_both(void **state)
{
    (void)state;
    ccm_groupkey *next;
    size_t len;
    assert_int_equal(ccm_groupkey_rotate(&next, gk), CCM_OK);
    uint8_t *env = seal(&len, next, ID, PT, PT_LEN);
    assert_int_equal(open_rc(env, len), CCM_EVERIFY);
    assert_non_null(strstr(ccm_error_last(), "6"));
    assert_non_null(strstr(ccm_error_last(), "5"));
    /* rewriting the epoch byte to ours does not help: it is bound as AD */
    env[4] = 5;
    assert_int_equal(open_rc(env, len), CCM_EVERIFY);
    free(env);
    ccm_groupkey_free(next);
}

static void test_envelope__rejects_another_group_key(void **state)
{
    (void)state;
    ccm_groupkey *other;
    size_t len;
    assert_int_equal(ccm_groupkey_generate(&other, 5), CCM_OK);
    uint8_t *env = seal(&len, other, ID, PT, PT_LEN);
    assert_int_equal(open_rc(env, len), CCM_EVERIFY);
    free(env);
    ccm_groupkey_free(other);
}

static void test_envelope__rejects_every_flipped_byte(void **state)
{
    (void)state;
    size_t len;
    uint8_t *env = seal(&len, gk, ID, PT, PT_LEN);
    for (size_t i = 0; i < len; i++) {
        for (int bit = 0; bit < 8; bit++) {
            env[i] ^= (uint8_t)(1u << bit);
            if (open_rc(env, len) != CCM_EVERIFY) {
                fail_msg("flipping bit %d of byte %zu was accepted", bit, i);
            }
            env[i] ^= (uint8_t)(1u << bit);
        }
    }
    assert_int_equal(open_rc(env, len), CCM_OK);
    free(env);
}

static void test_envelope__rejects_every_truncation(void **state)
{
    (void)state;
    size_t len;
    uint32_t epoch;
    uint8_t *env = seal(&len, gk, ID, PT, PT_LEN);
    for (size_t n = 0; n < len; n++) {
        uint8_t *cut = malloc(n ? n : 1); /* exact size, so ASan sees overreads */
        memcpy(cut, env, n);
        assert_int_equal(open_rc(cut, n), CCM_EVERIFY);
        if (n < CCM_ENVELOPE_HEADER + 16) {
            epoch = 7;
            assert_int_equal(ccm_envelope_epoch(&epoch, cut, n), CCM_EVERIFY);
            assert_int_equal(epoch, 0); /* defined on failure too */
        }
        free(cut);
    }
    free(env);
}

static void test_envelope__rejects_unknown_version(void **state)
{
    (void)state;
    size_t len;
    uint32_t epoch;
    uint8_t *env = seal(&len, gk, ID, PT, PT_LEN);
    env[0] = 2;
    epoch = 7;
    assert_int_equal(ccm_envelope_epoch(&epoch, env, len), CCM_EVERIFY);
    assert_int_equal(epoch, 0);
    assert_int_equal(open_rc(env, len), CCM_EVERIFY);
    assert_non_null(strstr(ccm_error_last(), "version"));
    free(env);
}

/* ---- local files ---- */

static const uint8_t local_key[32] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11,
                                      12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
                                      23, 24, 25, 26, 27, 28, 29, 30, 31};

static void test_local__round_trips_with_random_nonce(void **state)
{
    (void)state;
    uint8_t *c1, *c2, *pt;
    size_t l1, l2, pt_len;
    assert_int_equal(ccm_local_seal(&c1, &l1, local_key, "cache", (const uint8_t *)PT, PT_LEN),
                     CCM_OK);
    assert_int_equal(ccm_local_seal(&c2, &l2, local_key, "cache", (const uint8_t *)PT, PT_LEN),
                     CCM_OK);
    assert_int_equal(l1, 1 + 24 + PT_LEN + 16);
    assert_int_equal(c1[0], 1);
    assert_memory_not_equal(c1, c2, l1);
    assert_int_equal(ccm_local_open(&pt, &pt_len, local_key, "cache", c1, l1), CCM_OK);
    assert_int_equal(pt_len, PT_LEN);
    assert_memory_equal(pt, PT, PT_LEN);
    assert_int_equal(pt[pt_len], '\0');
    free(pt);
    free(c1);
    free(c2);
}

static void test_local__rejects_other_ad_key_tampering_and_truncation(void **state)
{
    (void)state;
    uint8_t *ct, *pt, other_key[32];
    size_t len, pt_len;
    memcpy(other_key, local_key, 32);
    other_key[0] ^= 1;
    assert_int_equal(ccm_local_seal(&ct, &len, local_key, "cache", (const uint8_t *)PT, PT_LEN),
                     CCM_OK);
    assert_int_equal(ccm_local_open(&pt, &pt_len, local_key, "cachf", ct, len), CCM_EVERIFY);
    assert_int_equal(ccm_local_open(&pt, &pt_len, local_key, NULL, ct, len), CCM_EVERIFY);
    assert_int_equal(ccm_local_open(&pt, &pt_len, other_key, "cache", ct, len), CCM_EVERIFY);
    for (size_t i = 0; i < len; i++) {
        ct[i] ^= 0x01;
        assert_int_equal(ccm_local_open(&pt, &pt_len, local_key, "cache", ct, len), CCM_EVERIFY);
        ct[i] ^= 0x01;
    }
    for (size_t n = 0; n < len; n++) {
        assert_int_equal(ccm_local_open(&pt, &pt_len, local_key, "cache", ct, n), CCM_EVERIFY);
    }
    assert_int_equal(ccm_local_open(&pt, &pt_len, local_key, "cache", ct, len), CCM_OK);
    free(pt);
    free(ct);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_envelope__round_trips_with_nul_terminated_plaintext),
        cmocka_unit_test(test_envelope__round_trips_empty_plaintext),
        cmocka_unit_test(test_envelope__has_documented_layout),
        cmocka_unit_test(test_envelope__is_deterministic),
        cmocka_unit_test(test_envelope__nonce_differs_with_identity_or_plaintext),
        cmocka_unit_test(test_envelope__rejects_swapped_identity),
        cmocka_unit_test(test_envelope__rejects_other_epoch_naming_both),
        cmocka_unit_test(test_envelope__rejects_another_group_key),
        cmocka_unit_test(test_envelope__rejects_every_flipped_byte),
        cmocka_unit_test(test_envelope__rejects_every_truncation),
        cmocka_unit_test(test_envelope__rejects_unknown_version),
        cmocka_unit_test(test_local__round_trips_with_random_nonce),
        cmocka_unit_test(test_local__rejects_other_ad_key_tampering_and_truncation),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
