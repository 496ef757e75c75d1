/*
 * text.h - text for people (cli/text.c): record values made safe for a
 * terminal, display widths, values cut to a width with a mark, tables fitted
 * to the terminal, and whether to use colour. Pure functions apart from the
 * terminal probes, so they are unit-tested (tests/cli/test_text.c).
 */
#ifndef CCM_CLI_TEXT_H
#define CCM_CLI_TEXT_H

#include <stddef.h>
#include <stdio.h>

/* The mark at the end of a value cut to fit a column (one column wide). */
#define CCM_TEXT_CUT "\xe2\x80\xa6" /* U+2026 HORIZONTAL ELLIPSIS */

/* Width of human output when stdout is not a terminal and COLUMNS is unset. */
#define CCM_TEXT_PIPE_WIDTH 120

/* A copy of `s` that a terminal displays as plain text (caller frees; NULL
 * on OOM): control characters as \n \r \t \xHH (C0 and DEL) or \u0085 (C1),
 * the bidirectional embeddings, overrides and isolates U+202A-202E and
 * U+2066-2069 as \u202e, bytes that are not UTF-8 as \xHH. With `multiline`,
 * newlines and tabs are kept (a note body shown by note show). */
char *ccm_text_escape(const char *s, int multiline);

/* Display columns of UTF-8 text without control characters (escaped text):
 * combining marks count 0, East Asian wide and emoji 2, others 1. */
size_t ccm_text_width(const char *s);

/* A copy of `s` cut to at most `width` display columns, ending with
 * CCM_TEXT_CUT when something was cut (caller frees; NULL on OOM). */
char *ccm_text_fit(const char *s, size_t width);

/* Prints `s` escaped (one line) to f. */
void ccm_text_put(FILE *f, const char *s);

/* Prints "ccmsync: warning: MSG" on one line to f, MSG escaped: warnings
 * quote names and values that may come from another member. */
void ccm_text_warning(FILE *f, const char *msg);

/* The width to fit human output to: $COLUMNS when it is a number >= 20,
 * else the terminal's width when stdout is one, else CCM_TEXT_PIPE_WIDTH. */
size_t ccm_term_width(void);

/* 1 if stdout is a terminal, $NO_COLOR is unset or empty and $TERM is not
 * "dumb". */
int ccm_term_colour(void);

/* ---- tables ---------------------------------------------------------------- */

#define CCM_COL_KEEP 0x1 /* never cut (ids, dates) */

typedef struct {
    size_t ncols, nrows, cap;
    char **headers; /* escaped */
    int *flags;
    char **cells; /* nrows * ncols, escaped, owned */
} ccm_table;

/* A table with `ncols` columns named by `headers` and their CCM_COL_*
 * flags (may be NULL). CCM_OK or CCM_ERROR (OOM). */
int ccm_table_init(ccm_table *t, size_t ncols, const char *const *headers, const int *flags);

/* Adds a row of `ncols` values (NULL: "-"), escaped here. */
int ccm_table_add(ccm_table *t, const char *const *values);

/* Column widths: natural[i] is column i's widest value, min[i] the least it
 * may shrink to; the columns and their 2-space gaps get at most `total`
 * columns by shrinking the widest columns first. When even the minimums do
 * not fit, they are used. */
void ccm_table_layout(size_t *widths, const size_t *natural, const size_t *min, size_t n,
                      size_t total);

/* Prints the header row and the rows, fitted to `width` columns; with
 * `colour`, the header is bold. The last column is not padded. */
void ccm_table_print(FILE *f, const ccm_table *t, size_t width, int colour);

void ccm_table_free(ccm_table *t);

#endif
