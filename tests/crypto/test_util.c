/*
 * test_util.c - libsodium set-up, random hex, secret buffers, and base64
 * decoding checked against libsodium's strict decoder (its own vectors are
 * in tests/base/test_codec.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "crypto/crypto.h"

static int setup(void **state)
{
    (void)state;
    return ccm_crypto_init();
}

static void test_util__init_is_idempotent(void **state)
{
    (void)state;
    assert_int_equal(ccm_crypto_init(), CCM_OK);
    assert_int_equal(ccm_crypto_init(), CCM_OK);
}

/* splitmix64, seeded: the same strings every run */
static uint64_t rng = 20250101;
static uint64_t rnd(void)
{
    uint64_t z = (rng += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Base64 is crypto/base/codec.c's, on the C library alone; the keys,
 * capsules and signatures it decodes were checked by libsodium's strict
 * decoder before. Both must decide alike on every text: valid encodings,
 * and each of them mangled (a character replaced by one of the alphabet,
 * '=', '-', a space or a NUL; cut; extended). */
static void test_base64__decodes_as_libsodium_strict_original(void **state)
{
    static const char pool[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
                               "=- \0";
    uint8_t in[40], a[40], b[40];
    char text[64];
    (void)state;

    for (int round = 0; round < 20000; round++) {
        size_t n = rnd() % sizeof(in), cap = rnd() % 2 ? sizeof(a) : rnd() % (n + 1);
        for (size_t i = 0; i < n; i++) {
            in[i] = (uint8_t)rnd();
        }
        char *enc = ccm_base64_encode(in, n);
        assert_non_null(enc);
        size_t len = strlen(enc);
        assert_true(len < sizeof(text) - 2);
        memcpy(text, enc, len + 1);
        free(enc);
        switch (rnd() % 4) {
        case 0:
            break;
        case 1:
            if (len) {
                text[rnd() % len] = pool[rnd() % (sizeof(pool) - 1)];
            }
            break;
        case 2:
            len = len ? (size_t)(rnd() % len) : 0;
            break;
        default:
            text[len++] = pool[rnd() % (sizeof(pool) - 1)];
            break;
        }
        size_t sodium_len = 0;
        int sodium_ok = sodium_base642bin(a, cap, text, len, NULL, &sodium_len, NULL,
                                          sodium_base64_VARIANT_ORIGINAL) == 0;
        long ours = ccm_base64_decode(b, cap, text, len);
        if (sodium_ok != (ours >= 0)) {
            fail_msg("'%.*s' (cap %zu): libsodium %s, ours %ld", (int)len, text, cap,
                     sodium_ok ? "accepts" : "refuses", ours);
        }
        if (sodium_ok) {
            assert_int_equal(ours, (long)sodium_len);
            assert_memory_equal(a, b, sodium_len);
        }
    }
}

static void test_random_hex__is_lowercase_hex_of_requested_length(void **state)
{
    (void)state;
    char a[201], b[201];
    memset(a, 'Z', sizeof(a));
    ccm_crypto_random_hex(a, 100);
    ccm_crypto_random_hex(b, 100);
    assert_int_equal(strlen(a), 200);
    assert_int_equal(strspn(a, "0123456789abcdef"), 200);
    assert_string_not_equal(a, b);
    char small[3] = "ZZZ";
    ccm_crypto_random_hex(small, 1);
    assert_int_equal(strlen(small), 2);
}

static void test_secret__alloc_is_writable_and_free_is_null_safe(void **state)
{
    (void)state;
    uint8_t *s = ccm_secret_alloc(100);
    assert_non_null(s);
    memset(s, 0xab, 100);
    assert_int_equal(s[99], 0xab);
    ccm_secret_free(s);
    ccm_secret_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_util__init_is_idempotent),
        cmocka_unit_test(test_base64__decodes_as_libsodium_strict_original),
        cmocka_unit_test(test_random_hex__is_lowercase_hex_of_requested_length),
        cmocka_unit_test(test_secret__alloc_is_writable_and_free_is_null_safe),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
