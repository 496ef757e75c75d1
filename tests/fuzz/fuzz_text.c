/*
 * fuzz_text.c - what the command line does with record values and typed
 * conditions (cli/text.c, cli/csv.c, cli/query.c, store/dates.c), on
 * arbitrary bytes. The first byte picks the options, the rest is the text.
 *
 * Invariants: the escaped text is well-formed UTF-8 holding no control
 * character (newline and tab only in multi-line mode), no C1 control, no
 * line or paragraph separator and no bidirectional embedding, override or
 * isolate; cut to a width it is no wider and starts as the escaped text
 * does; a CSV cell written by export reads back as the same text (up to
 * carriage returns, see fuzz_csv.c); --where and date parsing never crash
 * and leave nothing behind on a refusal.
 */
#include "fuzz_common.h"

#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/csv.h"
#include "cli/query.h"
#include "cli/text.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_setup();
    setenv("CCMSYNC_TODAY", "2025-06-30", 1);
    return 0;
}

/* Decodes the escaped text, checking what may appear in it. */
static void check_escaped(const unsigned char *p, int multiline)
{
    while (*p) {
        uint32_t cp;
        size_t n;
        if (p[0] < 0x80) {
            cp = p[0], n = 1;
        } else if ((p[0] & 0xe0) == 0xc0) {
            cp = p[0] & 0x1f, n = 2;
        } else if ((p[0] & 0xf0) == 0xe0) {
            cp = p[0] & 0x0f, n = 3;
        } else {
            FUZZ_CHECK((p[0] & 0xf8) == 0xf0);
            cp = p[0] & 0x07, n = 4;
        }
        for (size_t i = 1; i < n; i++) {
            FUZZ_CHECK((p[i] & 0xc0) == 0x80);
            cp = (cp << 6) | (p[i] & 0x3f);
        }
        FUZZ_CHECK(cp >= 0x20 || (multiline && (cp == '\n' || cp == '\t')));
        FUZZ_CHECK(cp != 0x7f && !(cp >= 0x80 && cp <= 0x9f));
        FUZZ_CHECK(!(cp >= 0x2028 && cp <= 0x202e) && !(cp >= 0x2066 && cp <= 0x2069));
        p += n;
    }
}

/* 1 if a and b are equal once every '\r' is left out. */
static int same_but_cr(const char *a, const char *b)
{
    for (;;) {
        while (*a == '\r') {
            a++;
        }
        while (*b == '\r') {
            b++;
        }
        if (*a != *b) {
            return 0;
        }
        if (*a == '\0') {
            return 1;
        }
        a++;
        b++;
    }
}

static void check_csv_cell(const char *text)
{
    char *buf = NULL, **cells = NULL;
    size_t len = 0, n = 0;
    FILE *f = open_memstream(&buf, &len);
    ccm_csv csv;

    FUZZ_CHECK(f != NULL);
    fputs("x,", f); /* a first cell, as in export: no byte order mark to strip */
    ccm_csv_put_cell(f, text);
    fputs("\r\n", f);
    fclose(f);
    ccm_csv_init(&csv, buf, len);
    FUZZ_CHECK(ccm_csv_row(&csv, &cells, &n) == 1);
    FUZZ_CHECK(n == 2 && strcmp(cells[0], "x") == 0);
    FUZZ_CHECK(same_but_cr(cells[1], text));
    ccm_csv_row_free(cells, n);
    FUZZ_CHECK(ccm_csv_row(&csv, &cells, &n) == 0);
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text, *esc, *fit;
    ccm_query q = {0};
    ccm_days days;
    size_t width;
    int multiline;

    if (size < 1) {
        return 0;
    }
    multiline = data[0] & 1;
    width = data[0] >> 1;
    if (!(text = malloc(size))) {
        abort();
    }
    memcpy(text, data + 1, size - 1);
    text[size - 1] = 0; /* values are C strings: stop at the first NUL */

    FUZZ_CHECK((esc = ccm_text_escape(text, multiline)) != NULL);
    check_escaped((const unsigned char *)esc, multiline);
    if (!multiline) {
        FUZZ_CHECK((fit = ccm_text_fit(esc, width)) != NULL);
        FUZZ_CHECK(ccm_text_width(fit) <= width);
        if (strcmp(fit, esc) != 0) {
            size_t keep = strlen(fit) - (width ? strlen(CCM_TEXT_CUT) : 0);
            FUZZ_CHECK(strncmp(fit, esc, keep) == 0);
        }
        free(fit);
    }
    free(esc);

    check_csv_cell(text);

    q.kind = data[0] & 2 ? "activity" : "state";
    if (ccm_query_where(&q, text, NULL) == CCM_OK) {
        FUZZ_CHECK(q.nconds == 1);
    } else {
        FUZZ_CHECK(q.nconds == 0);
    }
    ccm_query_free(&q);
    if (ccm_date_parse(&days, text, "fuzz") == CCM_OK) {
        FUZZ_CHECK(strlen(days.lo) == 10 && strcmp(days.lo, days.hi) <= 0);
    }
    free(text);
    ccm_error_clear();
    return 0;
}
