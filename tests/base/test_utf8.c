/*
 * test_utf8.c - the one UTF-8 decoder (crypto/base/utf8.c): every length of
 * well-formed sequence with its code point, and each way bytes fail to be
 * one (overlong forms, surrogates, past U+10FFFF, stray continuation bytes,
 * truncation, a broken continuation).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "crypto/base/base.h"

static size_t decode(const char *s, size_t avail, uint32_t *cp)
{
    return ccm_utf8_decode((const unsigned char *)s, avail, cp);
}

static void test_utf8__decodes_each_length_with_its_code_point(void **state)
{
    static const struct {
        const char *bytes;
        size_t len;
        uint32_t cp;
    } ok[] = {
        {"A", 1, 0x41},
        {"\x7f", 1, 0x7f},
        {"\xc2\x80", 2, 0x80},
        {"\xc3\xb4", 2, 0xf4}, /* ô */
        {"\xdf\xbf", 2, 0x7ff},
        {"\xe0\xa0\x80", 3, 0x800},
        {"\xe2\x80\xae", 3, 0x202e}, /* RIGHT-TO-LEFT OVERRIDE */
        {"\xed\x9f\xbf", 3, 0xd7ff},
        {"\xee\x80\x80", 3, 0xe000},
        {"\xef\xbf\xbf", 3, 0xffff},
        {"\xf0\x90\x80\x80", 4, 0x10000},
        {"\xf0\x9f\x98\x80", 4, 0x1f600},
        {"\xf4\x8f\xbf\xbf", 4, 0x10ffff},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        uint32_t cp = 0xdeadbeef;
        assert_int_equal(decode(ok[i].bytes, strlen(ok[i].bytes), &cp), ok[i].len);
        assert_int_equal(cp, ok[i].cp);
        /* trailing bytes are not read into the code point */
        char more[8] = {0};
        memcpy(more, ok[i].bytes, ok[i].len);
        more[ok[i].len] = 'z';
        assert_int_equal(decode(more, ok[i].len + 1, &cp), ok[i].len);
        assert_int_equal(cp, ok[i].cp);
    }
}

static void test_utf8__nul_is_a_code_point_of_one_byte(void **state)
{
    uint32_t cp = 1;
    (void)state;
    assert_int_equal(ccm_utf8_decode((const unsigned char *)"\0x", 2, &cp), 1);
    assert_int_equal(cp, 0);
}

static void test_utf8__refuses_what_is_not_one_sequence(void **state)
{
    static const char *const bad[] = {
        "\x80",             /* a continuation byte alone */
        "\xbf",             /* another */
        "\xc0\x80",         /* overlong NUL */
        "\xc1\xbf",         /* overlong 0x7f */
        "\xe0\x9f\xbf",     /* overlong 0x7ff */
        "\xf0\x8f\xbf\xbf", /* overlong 0xffff */
        "\xed\xa0\x80",     /* U+D800, a surrogate */
        "\xed\xbf\xbf",     /* U+DFFF */
        "\xf4\x90\x80\x80", /* U+110000 */
        "\xf5\x80\x80\x80", /* lead byte past F4 */
        "\xff",             /* never in UTF-8 */
        "\xc3(",            /* a broken continuation */
        "\xe2\x80(",        /* broken at the third byte */
        "\xf0\x9f\x98(",    /* broken at the fourth byte */
    };
    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        uint32_t cp = 7;
        assert_int_equal(decode(bad[i], strlen(bad[i]), &cp), 0);
        assert_int_equal(cp, 7); /* untouched */
    }
}

static void test_utf8__refuses_a_sequence_cut_by_the_end(void **state)
{
    uint32_t cp;
    (void)state;
    assert_int_equal(decode("\xf0\x9f\x98\x80", 3, &cp), 0);
    assert_int_equal(decode("\xe2\x80\xae", 2, &cp), 0);
    assert_int_equal(decode("\xc3\xb4", 1, &cp), 0);
    assert_int_equal(decode("A", 0, &cp), 0);
    /* a NUL terminator stops a sequence too: it is not a continuation byte */
    assert_int_equal(decode("\xc3", 2, &cp), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8__decodes_each_length_with_its_code_point),
        cmocka_unit_test(test_utf8__nul_is_a_code_point_of_one_byte),
        cmocka_unit_test(test_utf8__refuses_what_is_not_one_sequence),
        cmocka_unit_test(test_utf8__refuses_a_sequence_cut_by_the_end),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
