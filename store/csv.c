/*
 * csv.c - the RFC 4180 reader behind `import` (see store.h): quoted cells,
 * doubled quotes, CRLF or LF line ends, newlines inside quotes, a UTF-8 byte
 * order mark skipped. The cell writer of `export --format csv` is
 * cli/csv.c.
 */
#include <stdlib.h>
#include <string.h>

#include "store.h"

void ccm_csv_init(ccm_csv *csv, const char *text, size_t len)
{
    csv->p = text;
    csv->end = text + len;
    /* A UTF-8 byte order mark, as spreadsheets write, is not part of the data. */
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
        csv->p += 3;
    }
}

void ccm_csv_row_free(char **cells, size_t n)
{
    for (size_t i = 0; cells && i < n; i++) {
        free(cells[i]);
    }
    free(cells);
}

/* Doubles a cell buffer; frees it on failure. */
static int grow(char **s, size_t *cap)
{
    char *g = realloc(*s, *cap * 2);
    if (!g) {
        free(*s);
        *s = NULL;
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    *s = g;
    *cap *= 2;
    return CCM_OK;
}

/* Reads one cell at csv->p into a new string. */
static int read_cell(ccm_csv *csv, char **out)
{
    const char *p = csv->p;
    size_t cap = 32, n = 0;
    char *s = malloc(cap);

    if (!s) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    if (p < csv->end && *p == '"') {
        for (p++;; p++) {
            if (p >= csv->end) {
                free(s);
                return ccm_error_set(CCM_EINVALID, "import: unterminated quoted CSV cell");
            }
            if (*p == '"') {
                if (p + 1 < csv->end && p[1] == '"') {
                    p++;
                } else {
                    p++;
                    break;
                }
            }
            if (*p == '\r' && p + 1 < csv->end && p[1] == '\n') {
                continue; /* a CRLF line break inside a cell is kept as LF */
            }
            if (n + 2 > cap && grow(&s, &cap) < 0) {
                return CCM_ERROR;
            }
            s[n++] = *p;
        }
        if (p < csv->end && *p != ',' && *p != '\n' && *p != '\r') {
            free(s);
            return ccm_error_set(CCM_EINVALID, "import: text after a closing quote in CSV");
        }
    } else {
        while (p < csv->end && *p != ',' && *p != '\n' && *p != '\r') {
            if (n + 2 > cap && grow(&s, &cap) < 0) {
                return CCM_ERROR;
            }
            s[n++] = *p++;
        }
    }
    s[n] = 0;
    csv->p = p;
    *out = s;
    return CCM_OK;
}

int ccm_csv_row(ccm_csv *csv, char ***cells, size_t *n)
{
    size_t cap = 0;
    char **row = NULL;
    int rc;

    *cells = NULL;
    *n = 0;
    while (csv->p < csv->end && (*csv->p == '\n' || *csv->p == '\r')) {
        csv->p++;
    }
    if (csv->p >= csv->end) {
        return 0;
    }
    for (;;) {
        if ((rc = ccm_grow(&row, &cap, *n, sizeof(*row), 8)) < 0) {
            ccm_csv_row_free(row, *n);
            *n = 0;
            return rc;
        }
        if ((rc = read_cell(csv, &row[*n])) < 0) {
            ccm_csv_row_free(row, *n);
            *n = 0;
            return rc;
        }
        (*n)++;
        if (csv->p < csv->end && *csv->p == ',') {
            csv->p++;
            continue;
        }
        break;
    }
    if (csv->p < csv->end && *csv->p == '\r') {
        csv->p++;
    }
    if (csv->p < csv->end && *csv->p == '\n') {
        csv->p++;
    }
    *cells = row;
    return 1;
}
