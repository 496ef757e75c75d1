/*
 * csv.c - the cell writer behind `export --format csv` (see csv.h); the
 * reader behind `import` is the store's (store/csv.c).
 */
#include <stdio.h>
#include <string.h>

#include "csv.h"

void ccm_csv_put_cell(FILE *f, const char *s)
{
    size_t n = strlen(s);

    if (!strpbrk(s, ",\"\r\n") && !(n && (s[0] == ' ' || s[n - 1] == ' '))) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"') {
            fputc('"', f);
        }
        fputc(*s, f);
    }
    fputc('"', f);
}
