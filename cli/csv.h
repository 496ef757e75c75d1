/*
 * csv.h - a small RFC 4180 reader for `import`: quoted cells, doubled quotes,
 * CRLF or LF line ends, newlines inside quotes.
 */
#ifndef CCM_CLI_CSV_H
#define CCM_CLI_CSV_H

#include <stddef.h>

typedef struct {
    const char *p, *end;
} ccm_csv;

void ccm_csv_init(ccm_csv *csv, const char *text, size_t len);

/* Reads the next row into *cells (n cells, each malloc'ed; free with
 * ccm_csv_row_free). Returns 1 for a row, 0 at the end, CCM_EINVALID on a
 * malformed row (unterminated quote, text after a closing quote). Blank
 * lines are skipped. */
int ccm_csv_row(ccm_csv *csv, char ***cells, size_t *n);

void ccm_csv_row_free(char **cells, size_t n);

#endif
