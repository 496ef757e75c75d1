/*
 * test_codec.c - bytes as text (crypto/base/codec.c): lowercase hex,
 * base64 on RFC 4648's vectors, and strict decoding (padding required,
 * canonical last character, nothing else in the text); big-endian integers
 * (base.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "crypto/base/base.h"

static void test_hex__is_lowercase_two_digits_a_byte(void **state)
{
    static const uint8_t in[] = {0x00, 0x01, 0x7f, 0x80, 0xab, 0xff};
    char out[2 * sizeof(in) + 1];
    (void)state;
    memset(out, 'Z', sizeof(out));
    ccm_hex_encode(out, in, sizeof(in));
    assert_string_equal(out, "00017f80abff");
    ccm_hex_encode(out, in, 0);
    assert_string_equal(out, "");
}

static void test_base64__encodes_rfc4648_vectors_with_padding(void **state)
{
    static const char *const want[] = {"",         "Zg==",     "Zm8=",    "Zm9v",
                                       "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
    (void)state;
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

static void test_base64__round_trips_every_byte(void **state)
{
    uint8_t in[256], out[256];
    (void)state;
    for (size_t i = 0; i < sizeof(in); i++) {
        in[i] = (uint8_t)(255 - i);
    }
    for (size_t n = 0; n <= sizeof(in); n += 37) {
        char *b64 = ccm_base64_encode(in, n);
        assert_non_null(b64);
        assert_int_equal(strlen(b64), (n + 2) / 3 * 4);
        assert_int_equal(ccm_base64_decode(out, sizeof(out), b64, strlen(b64)), (long)n);
        assert_memory_equal(in, out, n);
        free(b64);
    }
    char *b64 = ccm_base64_encode(in, sizeof(in));
    assert_non_null(strchr(b64, '/')); /* original alphabet, not url-safe */
    assert_non_null(strchr(b64, '+'));
    free(b64);
}

static void test_base64__decode_rejects_malformed_input(void **state)
{
    uint8_t out[16];
    (void)state;
    assert_int_equal(ccm_base64_decode(out, sizeof(out), "Zg", 2), -1);        /* no padding */
    assert_int_equal(ccm_base64_decode(out, sizeof(out), "Zg=", 3), -1);       /* half padded */
    assert_int_equal(ccm_base64_decode(out, sizeof(out), "Zm8==", 5), -1);     /* one too many */
    assert_int_equal(ccm_base64_decode(out, sizeof(out), "Z===", 4), -1);      /* lone char */
    assert_int_equal(ccm_base64_decode(out, sizeof(out), "Zh==", 4), -1);      /* bits left */
    assert_int_equal(ccm_base64_decode(out, sizeof(out), "Zm9=", 4), -1);      /* bits left */
    assert_int_equal(ccm_base64_decode(out, sizeof(out), "Zm9v!", 5), -1);     /* bad char */
    assert_int_equal(ccm_base64_decode(out, sizeof(out), "Zm9-", 4), -1);      /* url-safe */
    assert_int_equal(ccm_base64_decode(out, sizeof(out), "Zm9v YmFy", 9), -1); /* space */
    assert_int_equal(ccm_base64_decode(out, sizeof(out), "Zm9vYg==x", 9), -1); /* trailing */
    assert_int_equal(ccm_base64_decode(out, sizeof(out), "Zg==Zg==", 8), -1);  /* two texts */
    assert_int_equal(ccm_base64_decode(out, sizeof(out), "Zm9v=", 5), -1);     /* padding */
    assert_int_equal(ccm_base64_decode(out, 2, "Zm9v", 4), -1);                /* too big */
    assert_int_equal(ccm_base64_decode(out, 0, "", 0), 0);
}

static void test_base64__decode_honours_text_len(void **state)
{
    uint8_t out[16];
    (void)state;
    assert_int_equal(ccm_base64_decode(out, sizeof(out), "Zm9vGARBAGE", 4), 3);
    assert_memory_equal(out, "foo", 3);
}

static void test_be32__writes_and_reads_most_significant_first(void **state)
{
    uint8_t b[4];
    (void)state;
    ccm_put_be32(b, 0x01020304u);
    assert_memory_equal(b, "\x01\x02\x03\x04", 4);
    assert_int_equal(ccm_get_be32(b), 0x01020304u);
    ccm_put_be32(b, 0xfffffffeu);
    assert_int_equal(ccm_get_be32(b), 0xfffffffeu);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hex__is_lowercase_two_digits_a_byte),
        cmocka_unit_test(test_base64__encodes_rfc4648_vectors_with_padding),
        cmocka_unit_test(test_base64__round_trips_every_byte),
        cmocka_unit_test(test_base64__decode_rejects_malformed_input),
        cmocka_unit_test(test_base64__decode_honours_text_len),
        cmocka_unit_test(test_be32__writes_and_reads_most_significant_first),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
