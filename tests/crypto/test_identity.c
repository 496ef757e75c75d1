/*
 * test_identity.c - key generation, the identity file (plain and
 * passphrase-protected), its resistance to corrupted input, Ed25519
 * signatures and local keys.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"

#define PASS "correct horse battery staple"
#define PLAIN_LEN 71      /* magic 6, flags 1, secrets 64 */
#define PROTECTED_LEN 143 /* magic 6, flags 1, 8 + 8 + 16 + 24, 64 + 16 */

static int setup(void **state)
{
    (void)state;
    return ccm_crypto_init();
}

/* Asserts that `b` holds the same keys as `a` and can sign for it. */
static void assert_same_identity(const ccm_identity *a, const ccm_identity *b)
{
    uint8_t sig[64];
    assert_memory_equal(ccm_identity_sign_pk(a), ccm_identity_sign_pk(b), 32);
    assert_memory_equal(ccm_identity_box_pk(a), ccm_identity_box_pk(b), 32);
    ccm_identity_sign(sig, b, (const uint8_t *)"m", 1);
    assert_int_equal(ccm_crypto_verify(sig, ccm_identity_sign_pk(a), (const uint8_t *)"m", 1),
                     CCM_OK);
}

static void test_identity__generate_makes_distinct_keys(void **state)
{
    (void)state;
    ccm_identity *a, *b;
    assert_int_equal(ccm_identity_generate(&a), CCM_OK);
    assert_int_equal(ccm_identity_generate(&b), CCM_OK);
    assert_memory_not_equal(ccm_identity_sign_pk(a), ccm_identity_sign_pk(b), 32);
    assert_memory_not_equal(ccm_identity_box_pk(a), ccm_identity_box_pk(b), 32);
    assert_memory_not_equal(ccm_identity_sign_pk(a), ccm_identity_box_pk(a), 32);
    ccm_identity_free(a);
    ccm_identity_free(b);
    ccm_identity_free(NULL);
}

static void test_identity__plain_lock_unlock_round_trips(void **state)
{
    (void)state;
    ccm_identity *id, *back;
    uint8_t *buf;
    size_t len;
    assert_int_equal(ccm_identity_generate(&id), CCM_OK);
    assert_int_equal(ccm_identity_lock(&buf, &len, id, NULL, 0), CCM_OK);
    assert_int_equal(len, PLAIN_LEN);
    assert_memory_equal(buf, "CCMID\x01\x00", 7);
    assert_int_equal(ccm_identity_needs_passphrase(buf, len), 0);
    assert_int_equal(ccm_identity_unlock(&back, buf, len, NULL, 0), CCM_OK);
    assert_same_identity(id, back);
    ccm_identity_free(back);
    free(buf);
    ccm_identity_free(id);
}

static void test_identity__passphrase_lock_unlock_round_trips(void **state)
{
    (void)state;
    ccm_identity *id, *back;
    uint8_t *buf, *buf2;
    size_t len, len2;
    assert_int_equal(ccm_identity_generate(&id), CCM_OK);
    assert_int_equal(ccm_identity_lock(&buf, &len, id, PASS, strlen(PASS)), CCM_OK);
    assert_int_equal(len, PROTECTED_LEN);
    assert_memory_equal(buf, "CCMID\x01\x01", 7);
    assert_int_equal(ccm_identity_needs_passphrase(buf, len), 1);
    assert_int_equal(ccm_identity_unlock(&back, buf, len, PASS, strlen(PASS)), CCM_OK);
    assert_same_identity(id, back);
    /* fresh salt and nonce every time */
    assert_int_equal(ccm_identity_lock(&buf2, &len2, id, PASS, strlen(PASS)), CCM_OK);
    assert_memory_not_equal(buf, buf2, len);
    ccm_identity_free(back);
    free(buf);
    free(buf2);
    ccm_identity_free(id);
}

static void test_identity__protected_file_hides_the_secrets(void **state)
{
    (void)state;
    ccm_identity *id;
    uint8_t *plain, *prot;
    size_t plain_len, prot_len;
    assert_int_equal(ccm_identity_generate(&id), CCM_OK);
    assert_int_equal(ccm_identity_lock(&plain, &plain_len, id, NULL, 0), CCM_OK);
    assert_int_equal(ccm_identity_lock(&prot, &prot_len, id, PASS, strlen(PASS)), CCM_OK);
    for (size_t i = 0; i + 8 <= prot_len; i++) { /* no 8-byte run of the secrets */
        for (size_t j = 7; j + 8 <= plain_len; j++) {
            assert_memory_not_equal(prot + i, plain + j, 8);
        }
    }
    free(plain);
    free(prot);
    ccm_identity_free(id);
}

static void test_identity__wrong_passphrase_is_epassphrase(void **state)
{
    (void)state;
    ccm_identity *id, *back = (ccm_identity *)1;
    uint8_t *buf;
    size_t len;
    assert_int_equal(ccm_identity_generate(&id), CCM_OK);
    assert_int_equal(ccm_identity_lock(&buf, &len, id, PASS, strlen(PASS)), CCM_OK);
    assert_int_equal(ccm_identity_unlock(&back, buf, len, "wrong", 5), CCM_EPASSPHRASE);
    assert_null(back);
    assert_string_equal(ccm_error_last(), "wrong passphrase");
    /* a prefix of the right one is still wrong */
    assert_int_equal(ccm_identity_unlock(&back, buf, len, PASS, strlen(PASS) - 1), CCM_EPASSPHRASE);
    free(buf);
    ccm_identity_free(id);
}

static void test_identity__missing_passphrase_is_epassphrase(void **state)
{
    (void)state;
    ccm_identity *id, *back;
    uint8_t *buf;
    size_t len;
    assert_int_equal(ccm_identity_generate(&id), CCM_OK);
    assert_int_equal(ccm_identity_lock(&buf, &len, id, PASS, strlen(PASS)), CCM_OK);
    assert_int_equal(ccm_identity_unlock(&back, buf, len, NULL, 0), CCM_EPASSPHRASE);
    assert_string_equal(ccm_error_last(), "passphrase required");
    assert_int_equal(ccm_identity_unlock(&back, buf, len, "", 0), CCM_EPASSPHRASE);
    assert_string_equal(ccm_error_last(), "passphrase required");
    free(buf);
    ccm_identity_free(id);
}

static void test_identity__lock_rejects_empty_passphrase(void **state)
{
    (void)state;
    ccm_identity *id;
    uint8_t *buf;
    size_t len;
    assert_int_equal(ccm_identity_generate(&id), CCM_OK);
    assert_int_equal(ccm_identity_lock(&buf, &len, id, "", 0), CCM_EINVALID);
    assert_null(buf);
    ccm_identity_free(id);
}

static void test_identity__rejects_non_identity_files(void **state)
{
    (void)state;
    ccm_identity *back;
    static const uint8_t junk[] = "not an identity file at all, just some text of some length";
    assert_int_equal(ccm_identity_unlock(&back, junk, sizeof(junk), NULL, 0), CCM_EINVALID);
    assert_int_equal(ccm_identity_needs_passphrase(junk, sizeof(junk)), CCM_EINVALID);
    assert_int_equal(ccm_identity_needs_passphrase(NULL, 0), CCM_EINVALID);
    assert_int_equal(ccm_identity_unlock(&back, (const uint8_t *)"", 0, NULL, 0), CCM_EINVALID);
}

/* Locks a fresh identity; with or without passphrase. */
static void locked(uint8_t **buf, size_t *len, ccm_identity **id, int with_pass)
{
    assert_int_equal(ccm_identity_generate(id), CCM_OK);
    assert_int_equal(
        ccm_identity_lock(buf, len, *id, with_pass ? PASS : NULL, with_pass ? strlen(PASS) : 0),
        CCM_OK);
}

static void test_identity__rejects_every_truncation(void **state)
{
    (void)state;
    for (int with_pass = 0; with_pass <= 1; with_pass++) {
        ccm_identity *id, *back;
        uint8_t *buf;
        size_t len;
        locked(&buf, &len, &id, with_pass);
        for (size_t n = 0; n < len; n++) {
            uint8_t *copy = malloc(n ? n : 1); /* exact size, so ASan sees overreads */
            memcpy(copy, buf, n);
            assert_int_equal(ccm_identity_unlock(&back, copy, n, PASS, strlen(PASS)), CCM_EINVALID);
            assert_int_equal(ccm_identity_needs_passphrase(copy, n), CCM_EINVALID);
            free(copy);
        }
        /* and one byte too many */
        uint8_t *longer = calloc(1, len + 1);
        memcpy(longer, buf, len);
        assert_int_equal(ccm_identity_unlock(&back, longer, len + 1, PASS, strlen(PASS)),
                         CCM_EINVALID);
        free(longer);
        free(buf);
        ccm_identity_free(id);
    }
}

static void test_identity__protected_file_rejects_every_flipped_byte(void **state)
{
    (void)state;
    ccm_identity *id, *back;
    uint8_t *buf;
    size_t len;
    locked(&buf, &len, &id, 1);
    for (size_t i = 0; i < len; i++) {
        buf[i] ^= 0x01;
        back = NULL;
        int rc = ccm_identity_unlock(&back, buf, len, PASS, strlen(PASS));
        if (rc != CCM_EINVALID && rc != CCM_EPASSPHRASE) {
            fail_msg("flipping byte %zu gave %d (%s)", i, rc, ccm_error_last());
        }
        assert_null(back);
        buf[i] ^= 0x01;
    }
    assert_int_equal(ccm_identity_unlock(&back, buf, len, PASS, strlen(PASS)), CCM_OK);
    ccm_identity_free(back);
    free(buf);
    ccm_identity_free(id);
}

static void test_identity__plain_file_survives_every_flipped_byte(void **state)
{
    (void)state;
    ccm_identity *id, *back;
    uint8_t *buf;
    size_t len;
    locked(&buf, &len, &id, 0);
    for (size_t i = 0; i < len; i++) {
        buf[i] ^= 0x10; /* not a bit X25519 clamps */
        int rc = ccm_identity_unlock(&back, buf, len, NULL, 0);
        if (i < 7) {
            assert_int_equal(rc, CCM_EINVALID); /* magic and flags */
        } else {
            /* unauthenticated by design: a different, consistent identity */
            assert_int_equal(rc, CCM_OK);
            const uint8_t *want = i < 39 ? ccm_identity_sign_pk(id) : ccm_identity_box_pk(id);
            const uint8_t *got = i < 39 ? ccm_identity_sign_pk(back) : ccm_identity_box_pk(back);
            assert_memory_not_equal(want, got, 32);
            ccm_identity_free(back);
        }
        buf[i] ^= 0x10; /* not a bit X25519 clamps */
    }
    free(buf);
    ccm_identity_free(id);
}

/* Writes a big-endian u64 at p. */
static void put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8) {
        p[i] = (uint8_t)v;
    }
}

static void test_identity__rejects_absurd_kdf_parameters(void **state)
{
    (void)state;
    ccm_identity *id, *back;
    uint8_t *buf;
    size_t len;
    static const uint64_t bad[][2] = {
        {16, 65536 * 1024},       {UINT64_MAX, 65536 * 1024},
        {0, 65536 * 1024},        {2, (1ULL << 30) + 1},
        {2, UINT64_MAX},          {2, 0},
        {UINT64_MAX, UINT64_MAX},
    };
    locked(&buf, &len, &id, 1);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        put_u64(buf + 7, bad[i][0]);
        put_u64(buf + 15, bad[i][1]);
        assert_int_equal(ccm_identity_unlock(&back, buf, len, PASS, strlen(PASS)), CCM_EINVALID);
    }
    free(buf);
    ccm_identity_free(id);
}

static void test_identity__signature_verifies_only_for_its_message_and_key(void **state)
{
    (void)state;
    ccm_identity *a, *b;
    uint8_t sig[64];
    const uint8_t *msg = (const uint8_t *)"tree abc\n";
    assert_int_equal(ccm_identity_generate(&a), CCM_OK);
    assert_int_equal(ccm_identity_generate(&b), CCM_OK);
    ccm_identity_sign(sig, a, msg, 9);
    assert_int_equal(ccm_crypto_verify(sig, ccm_identity_sign_pk(a), msg, 9), CCM_OK);
    assert_int_equal(ccm_crypto_verify(sig, ccm_identity_sign_pk(b), msg, 9), CCM_EVERIFY);
    assert_int_equal(ccm_crypto_verify(sig, ccm_identity_sign_pk(a), msg, 8), CCM_EVERIFY);
    sig[10] ^= 1;
    assert_int_equal(ccm_crypto_verify(sig, ccm_identity_sign_pk(a), msg, 9), CCM_EVERIFY);
    ccm_identity_free(a);
    ccm_identity_free(b);
}

static void test_identity__local_key_is_stable_and_separated_by_purpose(void **state)
{
    (void)state;
    ccm_identity *a, *a2, *b;
    uint8_t *k1, *k2, *k3, *k4, *buf;
    size_t len;
    assert_int_equal(ccm_identity_generate(&a), CCM_OK);
    assert_int_equal(ccm_identity_generate(&b), CCM_OK);
    assert_int_equal(ccm_identity_lock(&buf, &len, a, NULL, 0), CCM_OK);
    assert_int_equal(ccm_identity_unlock(&a2, buf, len, NULL, 0), CCM_OK);
    assert_int_equal(ccm_identity_local_key(&k1, a, "cache"), CCM_OK);
    assert_int_equal(ccm_identity_local_key(&k2, a2, "cache"), CCM_OK);
    assert_int_equal(ccm_identity_local_key(&k3, a, "other"), CCM_OK);
    assert_int_equal(ccm_identity_local_key(&k4, b, "cache"), CCM_OK);
    assert_memory_equal(k1, k2, 32);
    assert_memory_not_equal(k1, k3, 32);
    assert_memory_not_equal(k1, k4, 32);
    ccm_secret_free(k1);
    ccm_secret_free(k2);
    ccm_secret_free(k3);
    ccm_secret_free(k4);
    free(buf);
    ccm_identity_free(a);
    ccm_identity_free(a2);
    ccm_identity_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_identity__generate_makes_distinct_keys),
        cmocka_unit_test(test_identity__plain_lock_unlock_round_trips),
        cmocka_unit_test(test_identity__passphrase_lock_unlock_round_trips),
        cmocka_unit_test(test_identity__protected_file_hides_the_secrets),
        cmocka_unit_test(test_identity__wrong_passphrase_is_epassphrase),
        cmocka_unit_test(test_identity__missing_passphrase_is_epassphrase),
        cmocka_unit_test(test_identity__lock_rejects_empty_passphrase),
        cmocka_unit_test(test_identity__rejects_non_identity_files),
        cmocka_unit_test(test_identity__rejects_every_truncation),
        cmocka_unit_test(test_identity__protected_file_rejects_every_flipped_byte),
        cmocka_unit_test(test_identity__plain_file_survives_every_flipped_byte),
        cmocka_unit_test(test_identity__rejects_absurd_kdf_parameters),
        cmocka_unit_test(test_identity__signature_verifies_only_for_its_message_and_key),
        cmocka_unit_test(test_identity__local_key_is_stable_and_separated_by_purpose),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
