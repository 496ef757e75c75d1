/*
 * test_text.c - text for people (cli/text.c): control characters, C1
 * controls, bidirectional overrides and isolates and malformed UTF-8 are
 * escaped (newlines and tabs kept only in multi-line mode); display widths
 * of wide and combining characters; cutting with a mark; table layout under
 * a width, header row, escaping in cells, no padding after the last column.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cli/cli.h"
#include "cli/text.h"

static void expect_escape(const char *in, int multiline, const char *want)
{
    char *got = ccm_text_escape(in, multiline);
    assert_non_null(got);
    assert_string_equal(got, want);
    free(got);
}

static void test_escape__controls_and_bidi_become_visible(void **state)
{
    (void)state;
    expect_escape("plain text, é and 日本", 0, "plain text, é and 日本");
    expect_escape("a\x1b[31mred", 0, "a\\x1b[31mred");
    expect_escape("line\r\nnext\ttab", 0, "line\\r\\nnext\\ttab");
    expect_escape("nul\x01 del\x7f", 0, "nul\\x01 del\\x7f");
    expect_escape("rlo\xe2\x80\xae"
                  "txt.exe",
                  0, "rlo\\u202etxt.exe");
    expect_escape("\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad", 0,
                  "\\u202a\\u202b\\u202c\\u202d");
    expect_escape("iso\xe2\x81\xa6\xe2\x81\xa7\xe2\x81\xa8\xe2\x81\xa9", 0,
                  "iso\\u2066\\u2067\\u2068\\u2069");
    expect_escape("c1\xc2\x85\xc2\x9b", 0, "c1\\u0085\\u009b");
    expect_escape("sep\xe2\x80\xa8", 0, "sep\\u2028");
    /* Marks that are not overrides stay: Arabic and Hebrew text uses them. */
    expect_escape("\xe2\x80\x8f", 0, "\xe2\x80\x8f");
    expect_escape("", 0, "");
    expect_escape(NULL, 0, "");
}

static void test_escape__malformed_utf8_is_shown_as_bytes(void **state)
{
    (void)state;
    expect_escape("bad\xff\xfe", 0, "bad\\xff\\xfe");
    expect_escape("overlong\xc0\xaf", 0, "overlong\\xc0\\xaf");
    expect_escape("surrogate\xed\xa0\x80", 0, "surrogate\\xed\\xa0\\x80");
    expect_escape("cut\xe2\x80", 0, "cut\\xe2\\x80");
}

static void test_escape__multiline_keeps_lines_and_tabs_only(void **state)
{
    (void)state;
    expect_escape("one\ntwo\tthree", 1, "one\ntwo\tthree");
    expect_escape("one\r\ntwo\x1b]0;title\x07", 1, "one\\r\ntwo\\x1b]0;title\\x07");
    expect_escape("\xe2\x80\xae"
                  "evil",
                  1, "\\u202eevil");
}

static void test_width__counts_columns(void **state)
{
    (void)state;
    assert_int_equal(ccm_text_width(""), 0);
    assert_int_equal(ccm_text_width("abc"), 3);
    assert_int_equal(ccm_text_width("Côte d'Ivoire"), 13);
    assert_int_equal(ccm_text_width("e\xcc\x81"), 1); /* e + combining acute */
    assert_int_equal(ccm_text_width("日本"), 4);
    assert_int_equal(ccm_text_width("\xf0\x9f\x98\x80"), 2); /* an emoji */
}

static void test_fit__cuts_with_a_mark(void **state)
{
    char *s;
    (void)state;
    s = ccm_text_fit("Lao People's Democratic Republic", 10);
    assert_string_equal(s, "Lao Peopl" CCM_TEXT_CUT);
    assert_int_equal(ccm_text_width(s), 10);
    free(s);
    s = ccm_text_fit("short", 10);
    assert_string_equal(s, "short");
    free(s);
    s = ccm_text_fit("exactly10!", 10);
    assert_string_equal(s, "exactly10!");
    free(s);
    /* Never inside a character, and wide characters count twice. */
    s = ccm_text_fit("日本語です", 5);
    assert_string_equal(s, "日本" CCM_TEXT_CUT);
    free(s);
    s = ccm_text_fit("éééé", 3);
    assert_string_equal(s, "éé" CCM_TEXT_CUT);
    free(s);
    s = ccm_text_fit("abc", 0);
    assert_string_equal(s, "");
    free(s);
}

static void test_layout__shrinks_the_widest_first(void **state)
{
    size_t natural[3] = {3, 40, 20}, min[3] = {3, 6, 6}, w[3];
    (void)state;
    /* Everything fits: natural widths (3 + 40 + 20 + 2 gaps of 2). */
    ccm_table_layout(w, natural, min, 3, 67);
    assert_int_equal(w[0], 3);
    assert_int_equal(w[1], 40);
    assert_int_equal(w[2], 20);
    /* 20 columns too many: the widest gives them up. */
    ccm_table_layout(w, natural, min, 3, 47);
    assert_int_equal(w[0] + w[1] + w[2] + 4, 47);
    assert_int_equal(w[0], 3);
    assert_int_equal(w[1], 20);
    assert_int_equal(w[2], 20);
    /* Further: both shrink evenly, the kept column never. */
    ccm_table_layout(w, natural, min, 3, 27);
    assert_int_equal(w[0], 3);
    assert_int_equal(w[1], 10);
    assert_int_equal(w[2], 10);
    /* Below the minimums: the minimums. */
    ccm_table_layout(w, natural, min, 3, 5);
    assert_int_equal(w[0], 3);
    assert_int_equal(w[1], 6);
    assert_int_equal(w[2], 6);
}

static char *print_table(const ccm_table *t, size_t width, int colour)
{
    FILE *f = tmpfile();
    long len;
    char *buf;

    assert_non_null(f);
    ccm_table_print(f, t, width, colour);
    len = ftell(f);
    rewind(f);
    buf = calloc((size_t)len + 1, 1);
    assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
    fclose(f);
    return buf;
}

static void test_warning__one_escaped_line(void **state)
{
    FILE *f = tmpfile();
    char buf[256] = "";
    (void)state;

    assert_non_null(f);
    ccm_text_warning(f, "'\x1b[2JPeru\nccmsync: fake' is not a member of the group");
    rewind(f);
    assert_int_equal(fread(buf, 1, sizeof(buf) - 1, f) > 0, 1);
    fclose(f);
    assert_string_equal(buf, "ccmsync: warning: '\\x1b[2JPeru\\nccmsync: fake' is not a member "
                             "of the group\n");
}

static void test_table__header_cut_mark_and_escapes(void **state)
{
    const char *headers[] = {"id", "name", "targets"};
    const int flags[] = {CCM_COL_KEEP, 0, 0};
    const char *r1[] = {"LAO", "Lao People's Democratic Republic", "ccw, signatory"};
    const char *r2[] = {"IDN",
                        "Evil\x1b[2J\xe2\x80\xae"
                        "name",
                        NULL};
    ccm_table t;
    char *out;
    (void)state;

    assert_int_equal(ccm_table_init(&t, 3, headers, flags), CCM_OK);
    assert_int_equal(ccm_table_add(&t, r1), CCM_OK);
    assert_int_equal(ccm_table_add(&t, r2), CCM_OK);

    out = print_table(&t, 200, 0);
    assert_string_equal(out, "id   name                              targets\n"
                             "LAO  Lao People's Democratic Republic  ccw, signatory\n"
                             "IDN  Evil\\x1b[2J\\u202ename             -\n");
    free(out);

    /* 30 columns: the name column is cut, with the mark; no line is wider. */
    out = print_table(&t, 30, 0);
    assert_non_null(strstr(out, CCM_TEXT_CUT));
    for (char *line = out, *nl; (nl = strchr(line, '\n')); line = nl + 1) {
        *nl = 0;
        assert_true(ccm_text_width(line) <= 30);
        assert_true(nl == line || nl[-1] != ' '); /* no trailing padding */
    }
    free(out);

    out = print_table(&t, 200, 1);
    assert_memory_equal(out, "\033[1mid", 6);
    assert_non_null(strstr(out, "\033[0m\n"));
    free(out);
    ccm_table_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escape__controls_and_bidi_become_visible),
        cmocka_unit_test(test_escape__malformed_utf8_is_shown_as_bytes),
        cmocka_unit_test(test_escape__multiline_keeps_lines_and_tabs_only),
        cmocka_unit_test(test_width__counts_columns),
        cmocka_unit_test(test_fit__cuts_with_a_mark),
        cmocka_unit_test(test_layout__shrinks_the_widest_first),
        cmocka_unit_test(test_table__header_cut_mark_and_escapes),
        cmocka_unit_test(test_warning__one_escaped_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
