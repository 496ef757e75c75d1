/*
 * test_util.c - base64 (RFC 4648 vectors, strict decoding), random hex and
 * secret buffers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

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

static void test_base64__encodes_rfc4648_vectors_with_padding(void **state)
{
    (void)state;
    static const char *const want[] = {"",         "Zg==",     "Zm8=",    "Zm9v",
                                       "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
    for (size_t n = 0; n <= 6; n++) {
        char *b64 = ccm_base64_encode((const uint8_t *)"foobar", n);
        assert_non_null(b64);
        assert_string_equal(b64, want[n]);
        uint8_t out[8];
        long got = ccm_base64_decode(out, sizeof(out), b64, strlen(b64));
        assert_int_equal(got, (long)n);
        assert_memory_equal(out, "foobar", n);
        free(b64);
    }
}

static void test_base64__round_trips_binary(void **state)
{
    (void)state;
    uint8_t in[256], out[256];
    for (size_t i = 0; i < sizeof(in); i++) {
        in[i] = (uint8_t)(255 - i);
    }
    char *b64 = ccm_base64_encode(in, sizeof(in));
    assert_non_null(b64);
    assert_non_null(strchr(b64, '/')); /* original alphabet, not url-safe */
    assert_int_equal(ccm_base64_decode(out, sizeof(out), b64, strlen(b64)), 256);
    assert_memory_equal(in, out, sizeof(in));
    free(b64);
}

static void test_base64__decode_rejects_malformed_input(void **state)
{
    (void)state;
    uint8_t out[16];
    assert_int_equal(ccm_base64_decode(out, sizeof(out), "Zg", 2), -1);        /* no padding */
    assert_int_equal(ccm_base64_decode(out, sizeof(out), "Zm9v!", 5), -1);     /* bad char */
    assert_int_equal(ccm_base64_decode(out, sizeof(out), "Zm9-", 4), -1);      /* url-safe */
    assert_int_equal(ccm_base64_decode(out, sizeof(out), "Zm9vYg==x", 9), -1); /* trailing */
    assert_int_equal(ccm_base64_decode(out, 2, "Zm9v", 4), -1);                /* too big */
}

static void test_base64__decode_honours_text_len(void **state)
{
    (void)state;
    uint8_t out[16];
    assert_int_equal(ccm_base64_decode(out, sizeof(out), "Zm9vGARBAGE", 4), 3);
    assert_memory_equal(out, "foo", 3);
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
        cmocka_unit_test(test_base64__encodes_rfc4648_vectors_with_padding),
        cmocka_unit_test(test_base64__round_trips_binary),
        cmocka_unit_test(test_base64__decode_rejects_malformed_input),
        cmocka_unit_test(test_base64__decode_honours_text_len),
        cmocka_unit_test(test_random_hex__is_lowercase_hex_of_requested_length),
        cmocka_unit_test(test_secret__alloc_is_writable_and_free_is_null_safe),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
