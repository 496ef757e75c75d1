/*
 * csv.h - a small RFC 4180 reader for `import` (quoted cells, doubled quotes,
 * CRLF or LF line ends, newlines inside quotes) and the cell writer of
 * `export --format csv`.
 */
#ifndef CCM_CLI_CSV_H
#define CCM_CLI_CSV_H

#include <stddef.h>
#include <stdio.h>

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

/* Writes one cell: as it is, or between double quotes (inner quotes
 * doubled) when it holds a comma, a quote, a CR or LF, or starts or ends
 * with a space. Exact: ccm_csv_row reads back the same text, apart from CRLF
 * inside a cell, which it reads as LF. */
void ccm_csv_put_cell(FILE *f, const char *s);

#endif
