/*
 * test_groupkey.c - group keys: sealing to members, rotation and epochs,
 * and record names.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"

#define SEALED_LEN (48 + 4 + 64)

static ccm_identity *alice, *bob;

static int setup(void **state)
{
    (void)state;
    return ccm_crypto_init() || ccm_identity_generate(&alice) || ccm_identity_generate(&bob);
}

static int teardown(void **state)
{
    (void)state;
    ccm_identity_free(alice);
    ccm_identity_free(bob);
    return 0;
}

/* 1 if an envelope sealed under `a` opens under `b` (same keys). */
static int same_record_key(const ccm_groupkey *a, const ccm_groupkey *b)
{
    uint8_t *env, *pt;
    size_t env_len, pt_len;
    assert_int_equal(
        ccm_envelope_seal(&env, &env_len, a, (const uint8_t *)"k\0i", 3, (const uint8_t *)"x", 1),
        CCM_OK);
    int rc = ccm_envelope_open(&pt, &pt_len, b, (const uint8_t *)"k\0i", 3, env, env_len);
    free(env);
    free(pt);
    return rc == CCM_OK;
}

static void test_groupkey__seal_open_round_trips(void **state)
{
    (void)state;
    ccm_groupkey *gk, *back;
    uint8_t *sealed;
    size_t len;
    char n1[65], n2[65];
    assert_int_equal(ccm_groupkey_generate(&gk, 7), CCM_OK);
    assert_int_equal(ccm_groupkey_seal(&sealed, &len, gk, ccm_identity_box_pk(alice)), CCM_OK);
    assert_int_equal(len, SEALED_LEN);
    assert_int_equal(ccm_groupkey_open(&back, sealed, len, alice), CCM_OK);
    assert_int_equal(ccm_groupkey_epoch(back), 7);
    ccm_groupkey_record_name(n1, gk, "state", "LAO");
    ccm_groupkey_record_name(n2, back, "state", "LAO");
    assert_string_equal(n1, n2);
    assert_true(same_record_key(gk, back));
    ccm_groupkey_free(back);
    ccm_groupkey_free(gk);
    ccm_groupkey_free(NULL);
    free(sealed);
}

static void test_groupkey__open_by_another_member_is_denied(void **state)
{
    (void)state;
    ccm_groupkey *gk, *back = (ccm_groupkey *)1;
    uint8_t *sealed;
    size_t len;
    assert_int_equal(ccm_groupkey_generate(&gk, 1), CCM_OK);
    assert_int_equal(ccm_groupkey_seal(&sealed, &len, gk, ccm_identity_box_pk(alice)), CCM_OK);
    assert_int_equal(ccm_groupkey_open(&back, sealed, len, bob), CCM_EDENIED);
    assert_null(back);
    assert_string_equal(ccm_error_last(), "group key not sealed to this member");
    ccm_groupkey_free(gk);
    free(sealed);
}

static void test_groupkey__open_rejects_wrong_length_as_malformed(void **state)
{
    (void)state;
    ccm_groupkey *gk, *back;
    uint8_t *sealed;
    size_t len;
    assert_int_equal(ccm_groupkey_generate(&gk, 1), CCM_OK);
    assert_int_equal(ccm_groupkey_seal(&sealed, &len, gk, ccm_identity_box_pk(alice)), CCM_OK);
    for (size_t n = 0; n < len; n++) {
        uint8_t *cut = malloc(n ? n : 1);
        memcpy(cut, sealed, n);
        assert_int_equal(ccm_groupkey_open(&back, cut, n, alice), CCM_EVERIFY);
        free(cut);
    }
    uint8_t *longer = calloc(1, len + 1);
    memcpy(longer, sealed, len);
    assert_int_equal(ccm_groupkey_open(&back, longer, len + 1, alice), CCM_EVERIFY);
    free(longer);
    ccm_groupkey_free(gk);
    free(sealed);
}

static void test_groupkey__open_rejects_every_flipped_byte(void **state)
{
    (void)state;
    ccm_groupkey *gk, *back;
    uint8_t *sealed;
    size_t len;
    assert_int_equal(ccm_groupkey_generate(&gk, 1), CCM_OK);
    assert_int_equal(ccm_groupkey_seal(&sealed, &len, gk, ccm_identity_box_pk(alice)), CCM_OK);
    for (size_t i = 0; i < len; i++) {
        sealed[i] ^= 0x01;
        back = NULL;
        assert_int_not_equal(ccm_groupkey_open(&back, sealed, len, alice), CCM_OK);
        assert_null(back);
        sealed[i] ^= 0x01;
    }
    ccm_groupkey_free(gk);
    free(sealed);
}

static void test_groupkey__rotate_keeps_index_key_and_bumps_epoch(void **state)
{
    (void)state;
    ccm_groupkey *gk, *next;
    char n1[65], n2[65];
    assert_int_equal(ccm_groupkey_generate(&gk, 3), CCM_OK);
    assert_int_equal(ccm_groupkey_rotate(&next, gk), CCM_OK);
    assert_int_equal(ccm_groupkey_epoch(next), 4);
    ccm_groupkey_record_name(n1, gk, "state", "LAO");
    ccm_groupkey_record_name(n2, next, "state", "LAO");
    assert_string_equal(n1, n2);
    assert_false(same_record_key(gk, next)); /* epoch differs: refused */
    ccm_groupkey_free(next);
    ccm_groupkey_free(gk);
}

static void test_groupkey__rotate_changes_record_key(void **state)
{
    (void)state;
    ccm_groupkey *gk, *next;
    uint8_t *e1, *e2;
    size_t l1, l2;
    const uint8_t *id = (const uint8_t *)"state\0LAO", *pt = (const uint8_t *)"{}";
    assert_int_equal(ccm_groupkey_generate(&gk, 3), CCM_OK);
    assert_int_equal(ccm_groupkey_rotate(&next, gk), CCM_OK);
    assert_int_equal(ccm_envelope_seal(&e1, &l1, gk, id, 9, pt, 2), CCM_OK);
    assert_int_equal(ccm_envelope_seal(&e2, &l2, next, id, 9, pt, 2), CCM_OK);
    /* the synthetic nonce depends on the record key only, not the epoch */
    assert_memory_not_equal(e1 + 5, e2 + 5, 24);
    free(e1);
    free(e2);
    ccm_groupkey_free(next);
    ccm_groupkey_free(gk);
}

static void test_groupkey__rotate_refuses_to_wrap_the_epoch(void **state)
{
    (void)state;
    ccm_groupkey *gk, *next = (ccm_groupkey *)1;
    assert_int_equal(ccm_groupkey_generate(&gk, UINT32_MAX), CCM_OK);
    assert_int_equal(ccm_groupkey_rotate(&next, gk), CCM_EINVALID);
    assert_null(next);
    ccm_groupkey_free(gk);
}

static void test_groupkey__record_name_is_keyed_lowercase_hex(void **state)
{
    (void)state;
    ccm_groupkey *gk, *other;
    char a[65], b[65], c[65], d[65], e[65];
    assert_int_equal(ccm_groupkey_generate(&gk, 1), CCM_OK);
    assert_int_equal(ccm_groupkey_generate(&other, 1), CCM_OK);
    ccm_groupkey_record_name(a, gk, "state", "LAO");
    ccm_groupkey_record_name(b, gk, "state", "LAO");
    ccm_groupkey_record_name(c, gk, "stateL", "AO"); /* the NUL separates kind from id */
    ccm_groupkey_record_name(d, gk, "note", "LAO");
    ccm_groupkey_record_name(e, other, "state", "LAO");
    assert_int_equal(strlen(a), 64);
    assert_int_equal(strspn(a, "0123456789abcdef"), 64);
    assert_string_equal(a, b);
    assert_string_not_equal(a, c);
    assert_string_not_equal(a, d);
    assert_string_not_equal(a, e);
    ccm_groupkey_free(gk);
    ccm_groupkey_free(other);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_groupkey__seal_open_round_trips),
        cmocka_unit_test(test_groupkey__open_by_another_member_is_denied),
        cmocka_unit_test(test_groupkey__open_rejects_wrong_length_as_malformed),
        cmocka_unit_test(test_groupkey__open_rejects_every_flipped_byte),
        cmocka_unit_test(test_groupkey__rotate_keeps_index_key_and_bumps_epoch),
        cmocka_unit_test(test_groupkey__rotate_changes_record_key),
        cmocka_unit_test(test_groupkey__rotate_refuses_to_wrap_the_epoch),
        cmocka_unit_test(test_groupkey__record_name_is_keyed_lowercase_hex),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
