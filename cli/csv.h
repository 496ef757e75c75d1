/*
 * csv.h - the cell writer of `export --format csv`, the inverse of the
 * store's RFC 4180 reader (ccm_csv_row in store/store.h).
 */
#ifndef CCM_CLI_CSV_H
#define CCM_CLI_CSV_H

#include <stddef.h>
#include <stdio.h>

#include "../store/store.h"

/* Writes one cell: as it is, or between double quotes (inner quotes
 * doubled) when it holds a comma, a quote, a CR or LF, or starts or ends
 * with a space. Exact: ccm_csv_row reads back the same text, apart from CRLF
 * inside a cell, which it reads as LF. */
void ccm_csv_put_cell(FILE *f, const char *s);

#endif
