/*
 * test_csv.c - the RFC 4180 reader of `import` (store/csv.c): plain and quoted
 * cells, doubled quotes, newlines inside quotes, LF, CRLF and CR line ends, a
 * UTF-8 byte order mark, blank lines, a last line without a newline, empty
 * cells, and the two malformed cases (unterminated quote, text after a
 * closing quote).
 *
 * Every input is copied into a heap buffer of exactly its length, without a
 * terminating NUL, so that under AddressSanitizer a read past the end fails.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "store/store.h"

typedef struct {
    ccm_csv csv;
    char *buf;
} reader;

static int reader_teardown(void **state)
{
    reader *r = *state;

    if (r) {
        free(r->buf);
        free(r);
    }
    *state = NULL;
    return 0;
}

/* Starts a reader on `len` bytes of `text` (the test state frees it). */
static ccm_csv *open_n(void **state, const char *text, size_t len)
{
    reader *r = *state;

    if (!r) {
        r = calloc(1, sizeof(*r));
        assert_non_null(r);
        *state = r;
    }
    free(r->buf);
    r->buf = malloc(len ? len : 1);
    assert_non_null(r->buf);
    memcpy(r->buf, text, len);
    ccm_csv_init(&r->csv, r->buf, len);
    return &r->csv;
}

static ccm_csv *open_str(void **state, const char *text)
{
    return open_n(state, text, strlen(text));
}

/* Reads the next row and checks its `n` cells (the varargs). */
static void expect_row(ccm_csv *csv, size_t n, ...)
{
    char **cells = NULL;
    size_t got = 99;
    va_list ap;

    assert_int_equal(ccm_csv_row(csv, &cells, &got), 1);
    assert_non_null(cells);
    if (got != n) {
        fail_msg("row has %zu cells (first '%s'); expected %zu", got, got ? cells[0] : "", n);
    }
    va_start(ap, n);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(cells[i], va_arg(ap, const char *));
    }
    va_end(ap);
    ccm_csv_row_free(cells, got);
}

/* The reader is at the end, and stays there. */
static void expect_end(ccm_csv *csv)
{
    for (int i = 0; i < 2; i++) {
        char **cells = (char **)1;
        size_t n = 99;
        assert_int_equal(ccm_csv_row(csv, &cells, &n), 0);
        assert_null(cells);
        assert_int_equal(n, 0);
    }
}

/* The next row is refused with CCM_EINVALID and a message containing `frag`. */
static void expect_invalid(ccm_csv *csv, const char *frag)
{
    char **cells = (char **)1;
    size_t n = 99;

    ccm_error_clear();
    assert_int_equal(ccm_csv_row(csv, &cells, &n), CCM_EINVALID);
    assert_null(cells);
    assert_int_equal(n, 0);
    assert_int_equal(ccm_error_code(), CCM_EINVALID);
    assert_non_null(strstr(ccm_error_last(), frag));
}

static void test_csv_row__splits_simple_rows(void **state)
{
    ccm_csv *csv = open_str(state, "id,status,region\nLAO,party,Asia\nNOR,signatory,Europe\n");

    expect_row(csv, 3, "id", "status", "region");
    expect_row(csv, 3, "LAO", "party", "Asia");
    expect_row(csv, 3, "NOR", "signatory", "Europe");
    expect_end(csv);
}

static void test_csv_row__single_cell_rows(void **state)
{
    ccm_csv *csv = open_str(state, "a\nb\n");

    expect_row(csv, 1, "a");
    expect_row(csv, 1, "b");
    expect_end(csv);
}

static void test_csv_row__keeps_spaces_around_cells(void **state)
{
    ccm_csv *csv = open_str(state, " a , b \n");

    expect_row(csv, 2, " a ", " b ");
    expect_end(csv);
}

static void test_csv_row__quoted_cell_keeps_commas(void **state)
{
    ccm_csv *csv = open_str(state, "\"Lima, Peru\",x,\"a,b,c\"\n");

    expect_row(csv, 3, "Lima, Peru", "x", "a,b,c");
    expect_end(csv);
}

static void test_csv_row__doubled_quotes_become_one(void **state)
{
    ccm_csv *csv = open_str(state, "\"say \"\"hi\"\"\",\"\"\"\",\"a\"\"\"\n");

    expect_row(csv, 3, "say \"hi\"", "\"", "a\"");
    expect_end(csv);
}

static void test_csv_row__newlines_inside_quotes_belong_to_the_cell(void **state)
{
    ccm_csv *csv = open_str(state, "\"line 1\nline 2\",x\n\"a\r\nb\",\"\n\"\ny\n");

    expect_row(csv, 2, "line 1\nline 2", "x");
    expect_row(csv, 2, "a\nb", "\n"); /* a CRLF inside a cell is kept as LF */
    expect_row(csv, 1, "y");
    expect_end(csv);
}

static void test_csv_row__accepts_crlf_line_ends(void **state)
{
    ccm_csv *csv = open_str(state, "a,b\r\nc,\"d\"\r\n,\r\n");

    expect_row(csv, 2, "a", "b");
    expect_row(csv, 2, "c", "d");
    expect_row(csv, 2, "", "");
    expect_end(csv);
}

static void test_csv_row__accepts_lone_cr_line_ends(void **state)
{
    ccm_csv *csv = open_str(state, "a,b\rc\r");

    expect_row(csv, 2, "a", "b");
    expect_row(csv, 1, "c");
    expect_end(csv);
}

static void test_csv_row__skips_a_utf8_bom(void **state)
{
    ccm_csv *csv = open_str(state, "\xEF\xBB\xBFid,name\nLAO,Laos\n");

    expect_row(csv, 2, "id", "name");
    expect_row(csv, 2, "LAO", "Laos");
    expect_end(csv);

    csv = open_str(state, "\xEF\xBB\xBF\"id\"\n");
    expect_row(csv, 1, "id");
    expect_end(csv);
}

static void test_csv_row__bom_only_in_front_is_skipped(void **state)
{
    /* a BOM later in the text is data */
    ccm_csv *csv = open_str(state, "a\n\xEF\xBB\xBF"
                                   "b\n");

    expect_row(csv, 1, "a");
    expect_row(csv, 1,
               "\xEF\xBB\xBF"
               "b");
    expect_end(csv);
}

static void test_csv_row__skips_blank_lines(void **state)
{
    ccm_csv *csv = open_str(state, "\n\r\na,b\n\n\r\n\nc\n\n\n");

    expect_row(csv, 2, "a", "b");
    expect_row(csv, 1, "c");
    expect_end(csv);
}

static void test_csv_row__reads_a_last_line_without_newline(void **state)
{
    ccm_csv *csv = open_str(state, "a,b\nc,d");

    expect_row(csv, 2, "a", "b");
    expect_row(csv, 2, "c", "d");
    expect_end(csv);

    csv = open_str(state, "a\n\"q,\"\"r\"\"\"");
    expect_row(csv, 1, "a");
    expect_row(csv, 1, "q,\"r\"");
    expect_end(csv);

    csv = open_str(state, "x,");
    expect_row(csv, 2, "x", "");
    expect_end(csv);
}

static void test_csv_row__keeps_empty_cells(void **state)
{
    ccm_csv *csv = open_str(state, ",a,,\n\"\",\"\"\n");

    expect_row(csv, 4, "", "a", "", "");
    expect_row(csv, 2, "", "");
    expect_end(csv);
}

static void test_csv_row__empty_input_has_no_rows(void **state)
{
    expect_end(open_n(state, "", 0));
    expect_end(open_str(state, "\xEF\xBB\xBF"));
    expect_end(open_str(state, "\n\r\n\r\n\n"));
}

static void test_csv_row__reads_long_cells_and_wide_rows(void **state)
{
    size_t cell_len = 5000, ncells = 300;
    char *text = malloc(cell_len + 3 + ncells * 2 + 2);
    char **cells = NULL;
    size_t n = 0, o = 0;
    ccm_csv *csv;

    assert_non_null(text);
    text[o++] = '"';
    for (size_t i = 0; i < cell_len; i++) {
        text[o++] = (char)('a' + i % 26);
    }
    text[o++] = '"';
    text[o++] = '\n';
    for (size_t i = 0; i < ncells; i++) {
        text[o++] = (char)('0' + i % 10);
        text[o++] = i + 1 < ncells ? ',' : '\n';
    }
    csv = open_n(state, text, o);

    assert_int_equal(ccm_csv_row(csv, &cells, &n), 1);
    assert_int_equal(n, 1);
    assert_int_equal(strlen(cells[0]), cell_len);
    assert_memory_equal(cells[0], text + 1, cell_len);
    ccm_csv_row_free(cells, n);

    assert_int_equal(ccm_csv_row(csv, &cells, &n), 1);
    assert_int_equal(n, ncells);
    for (size_t i = 0; i < ncells; i++) {
        assert_int_equal(strlen(cells[i]), 1);
        assert_int_equal(cells[i][0], '0' + i % 10);
    }
    ccm_csv_row_free(cells, n);
    expect_end(csv);
    free(text);
}

static void test_csv_row__rejects_an_unterminated_quote(void **state)
{
    expect_invalid(open_str(state, "a,\"bc\nd,e\n"), "unterminated");
    expect_invalid(open_str(state, "\""), "unterminated");
    expect_invalid(open_str(state, "\"abc\"\""), "unterminated");
}

static void test_csv_row__rejects_an_unterminated_quote_after_good_rows(void **state)
{
    ccm_csv *csv = open_str(state, "a,b\n\"c");

    expect_row(csv, 2, "a", "b");
    expect_invalid(csv, "unterminated");
}

static void test_csv_row__rejects_text_after_a_closing_quote(void **state)
{
    expect_invalid(open_str(state, "\"ab\"c,d\n"), "after a closing quote");
    expect_invalid(open_str(state, "x,\"ab\" \n"), "after a closing quote");
    expect_invalid(open_str(state, "x,y,\"a\"\"b\"c"), "after a closing quote");
}

static void test_csv_row_free__is_null_safe(void **state)
{
    (void)state;
    ccm_csv_row_free(NULL, 0);
    ccm_csv_row_free(NULL, 3);
}

#define T(f) cmocka_unit_test_teardown(f, reader_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_csv_row__splits_simple_rows),
        T(test_csv_row__single_cell_rows),
        T(test_csv_row__keeps_spaces_around_cells),
        T(test_csv_row__quoted_cell_keeps_commas),
        T(test_csv_row__doubled_quotes_become_one),
        T(test_csv_row__newlines_inside_quotes_belong_to_the_cell),
        T(test_csv_row__accepts_crlf_line_ends),
        T(test_csv_row__accepts_lone_cr_line_ends),
        T(test_csv_row__skips_a_utf8_bom),
        T(test_csv_row__bom_only_in_front_is_skipped),
        T(test_csv_row__skips_blank_lines),
        T(test_csv_row__reads_a_last_line_without_newline),
        T(test_csv_row__keeps_empty_cells),
        T(test_csv_row__empty_input_has_no_rows),
        T(test_csv_row__reads_long_cells_and_wide_rows),
        T(test_csv_row__rejects_an_unterminated_quote),
        T(test_csv_row__rejects_an_unterminated_quote_after_good_rows),
        T(test_csv_row__rejects_text_after_a_closing_quote),
        T(test_csv_row_free__is_null_safe),
    };
    return cmocka_run_group_tests_name("csv", tests, NULL, NULL);
}
