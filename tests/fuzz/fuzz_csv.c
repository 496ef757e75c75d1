/*
 * fuzz_csv.c - the RFC 4180 reader of `import` (store/csv.c): rows are read
 * until the end or an error and must never crash or loop. Every row has at
 * least one cell and consumes input. The rows read, written back with every
 * cell quoted, read back to the same cells, up to carriage returns (the
 * reader may turn a CRLF inside a quoted cell into LF, and "\r\r\n" into
 * "\r\n", so CRs are left out of the comparison).
 */
#include "fuzz_common.h"

#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/csv.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_setup();
    return 0;
}

struct out {
    char *p;
    size_t len, cap;
};

static void out_bytes(struct out *o, const char *s, size_t n)
{
    if (o->len + n + 1 > o->cap) {
        size_t cap = o->cap ? o->cap : 256;
        while (cap < o->len + n + 1) {
            cap *= 2;
        }
        if (!(o->p = realloc(o->p, cap))) {
            abort();
        }
        o->cap = cap;
    }
    memcpy(o->p + o->len, s, n);
    o->len += n;
}

/* Appends a row with every cell quoted and quotes doubled. */
static void out_row(struct out *o, char **cells, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        out_bytes(o, i ? ",\"" : "\"", i ? 2 : 1);
        for (const char *c = cells[i]; *c; c++) {
            out_bytes(o, c, 1);
            if (*c == '"') {
                out_bytes(o, "\"", 1);
            }
        }
        out_bytes(o, "\"", 1);
    }
    out_bytes(o, "\r\n", 2);
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ccm_csv csv, again;
    struct out o = {NULL, 0, 0};
    char **cells = NULL, **cells2 = NULL;
    size_t n = 0, n2 = 0, rows = 0;
    int rc;

    ccm_csv_init(&csv, (const char *)data, size);
    for (;;) {
        const char *before = csv.p;
        rc = ccm_csv_row(&csv, &cells, &n);
        FUZZ_CHECK(rc == 1 || rc == 0 || rc == CCM_EINVALID);
        if (rc != 1) {
            FUZZ_CHECK(cells == NULL && n == 0);
            break;
        }
        FUZZ_CHECK(n >= 1 && cells != NULL && csv.p > before);
        FUZZ_CHECK(csv.p <= (const char *)data + size);
        FUZZ_CHECK(++rows <= size);
        out_row(&o, cells, n);
        ccm_csv_row_free(cells, n);
    }

    /* Read back what was written: the same rows, then the end. */
    ccm_csv_init(&csv, (const char *)data, size);
    ccm_csv_init(&again, o.p ? o.p : "", o.len);
    for (size_t r = 0; r < rows; r++) {
        FUZZ_CHECK(ccm_csv_row(&csv, &cells, &n) == 1);
        FUZZ_CHECK(ccm_csv_row(&again, &cells2, &n2) == 1);
        FUZZ_CHECK(n == n2);
        for (size_t i = 0; i < n; i++) {
            FUZZ_CHECK(same_but_cr(cells[i], cells2[i]));
        }
        ccm_csv_row_free(cells, n);
        ccm_csv_row_free(cells2, n2);
    }
    FUZZ_CHECK(ccm_csv_row(&again, &cells2, &n2) == 0);
    free(o.p);
    ccm_error_clear();
    return 0;
}
