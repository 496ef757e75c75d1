/*
 * text.c - text for people (see text.h): the one place where record values
 * are made safe for a terminal, measured, cut with a mark, and laid out in
 * tables fitted to the terminal's width.
 *
 * Record values come from other members and, through sync, from anyone who
 * can write to the group: an escape sequence or a bidirectional override in
 * a value must not reach the terminal as such (docs/security.md). Every human
 * output path prints values through ccm_text_escape or a table (which
 * escapes); --json output is exact and goes through jansson instead.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli.h"
#include "text.h"

/* Decodes one UTF-8 code point at p (n bytes left) with ccm_utf8_decode:
 * its value and length, or -1 (length 1) when the bytes are not well-formed
 * UTF-8 (overlong forms, surrogates and values past U+10FFFF included). */
static long utf8_next(const unsigned char *p, size_t n, size_t *len)
{
    uint32_t cp;
    size_t k = ccm_utf8_decode(p, n, &cp);

    *len = k ? k : 1;
    return k ? (long)cp : -1;
}

/* Code points shown as \uXXXX: C1 controls, line and paragraph separators,
 * bidirectional embeddings, overrides and isolates. */
static int is_hidden(long cp)
{
    return (cp >= 0x80 && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029 ||
           (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

char *ccm_text_escape(const char *s, int multiline)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    size_t n = strlen((const char *)p), o = 0, len;
    char *out = malloc(n * 6 + 1); /* the longest escape: 6 bytes for 3 */

    if (!out) {
        return NULL;
    }
    for (size_t i = 0; i < n; i += len) {
        long cp = utf8_next(p + i, n - i, &len);
        if (cp < 0) {
            o += (size_t)sprintf(out + o, "\\x%02x", p[i]);
        } else if (cp < 0x20 || cp == 0x7f) {
            if (multiline && (cp == '\n' || cp == '\t')) {
                out[o++] = (char)cp;
            } else if (cp == '\n' || cp == '\r' || cp == '\t') {
                out[o++] = '\\';
                out[o++] = cp == '\n' ? 'n' : cp == '\r' ? 'r' : 't';
            } else {
                o += (size_t)sprintf(out + o, "\\x%02lx", cp);
            }
        } else if (is_hidden(cp)) {
            o += (size_t)sprintf(out + o, "\\u%04lx", cp);
        } else {
            memcpy(out + o, p + i, len);
            o += len;
        }
    }
    out[o] = 0;
    return out;
}

/* Display columns of one printable code point. */
static size_t cp_width(long cp)
{
    static const long zero[][2] = {
        {0x0300, 0x036f}, {0x0483, 0x0489}, {0x0591, 0x05bd}, {0x0610, 0x061a}, {0x064b, 0x065f},
        {0x0670, 0x0670}, {0x06d6, 0x06dc}, {0x06df, 0x06e4}, {0x0e31, 0x0e31}, {0x0e34, 0x0e3a},
        {0x0e47, 0x0e4e}, {0x200b, 0x200f}, {0x20d0, 0x20ff}, {0xfe00, 0xfe0f}, {0xfe20, 0xfe2f},
    };
    static const long wide[][2] = {
        {0x1100, 0x115f},   {0x2e80, 0x303e},   {0x3041, 0x33ff},   {0x3400, 0x4dbf},
        {0x4e00, 0x9fff},   {0xa000, 0xa4cf},   {0xac00, 0xd7a3},   {0xf900, 0xfaff},
        {0xfe30, 0xfe4f},   {0xff00, 0xff60},   {0xffe0, 0xffe6},   {0x1f300, 0x1f64f},
        {0x1f900, 0x1f9ff}, {0x20000, 0x2fffd}, {0x30000, 0x3fffd},
    };
    for (size_t i = 0; i < sizeof(zero) / sizeof(zero[0]); i++) {
        if (cp >= zero[i][0] && cp <= zero[i][1]) {
            return 0;
        }
    }
    for (size_t i = 0; i < sizeof(wide) / sizeof(wide[0]); i++) {
        if (cp >= wide[i][0] && cp <= wide[i][1]) {
            return 2;
        }
    }
    return 1;
}

size_t ccm_text_width(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s), w = 0, len;

    for (size_t i = 0; i < n; i += len) {
        long cp = utf8_next(p + i, n - i, &len);
        w += cp < 0 ? 1 : cp_width(cp);
    }
    return w;
}

char *ccm_text_fit(const char *s, size_t width)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s), w = 0, len, cut = 0, i;
    char *out;

    if (ccm_text_width(s) <= width) {
        return strdup(s);
    }
    /* Keep what fits in width - 1 columns, then the mark. */
    for (i = 0; i < n; i += len) {
        long cp = utf8_next(p + i, n - i, &len);
        size_t cw = cp < 0 ? 1 : cp_width(cp);
        if (w + cw > (width ? width - 1 : 0)) {
            break;
        }
        w += cw;
        cut = i + len;
    }
    if (!(out = malloc(cut + sizeof(CCM_TEXT_CUT)))) {
        return NULL;
    }
    memcpy(out, s, cut);
    strcpy(out + cut, width ? CCM_TEXT_CUT : "");
    return out;
}

void ccm_text_put(FILE *f, const char *s)
{
    char *e = ccm_text_escape(s, 0);
    fputs(e ? e : "?", f);
    free(e);
}

void ccm_text_warning(FILE *f, const char *msg)
{
    fputs("ccmsync: warning: ", f);
    ccm_text_put(f, msg ? msg : "");
    fputc('\n', f);
}

size_t ccm_term_width(void)
{
    const char *v = getenv("COLUMNS");
    struct winsize ws;
    char *end = NULL;
    long n;

    if (v && *v) {
        n = strtol(v, &end, 10);
        if (!*end && n >= 20 && n <= 10000) {
            return (size_t)n;
        }
    }
    if (!isatty(STDOUT_FILENO)) {
        return CCM_TEXT_PIPE_WIDTH;
    }
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20) {
        return ws.ws_col;
    }
    return 80;
}

int ccm_term_colour(void)
{
    const char *no = getenv("NO_COLOR"), *term = getenv("TERM");

    return isatty(STDOUT_FILENO) && !(no && *no) && !(term && strcmp(term, "dumb") == 0);
}

/* ---- tables ---------------------------------------------------------------- */

int ccm_table_init(ccm_table *t, size_t ncols, const char *const *headers, const int *flags)
{
    memset(t, 0, sizeof(*t));
    t->ncols = ncols;
    if (!(t->headers = calloc(ncols + 1, sizeof(*t->headers))) ||
        !(t->flags = calloc(ncols + 1, sizeof(*t->flags)))) {
        ccm_table_free(t);
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    for (size_t i = 0; i < ncols; i++) {
        t->flags[i] = flags ? flags[i] : 0;
        if (!(t->headers[i] = ccm_text_escape(headers[i], 0))) {
            ccm_table_free(t);
            return ccm_error_set(CCM_ERROR, "out of memory");
        }
    }
    return CCM_OK;
}

int ccm_table_add(ccm_table *t, const char *const *values)
{
    if (t->nrows == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 16;
        char **cells = realloc(t->cells, cap * t->ncols * sizeof(*cells) + 1);
        if (!cells) {
            return ccm_error_set(CCM_ERROR, "out of memory");
        }
        t->cells = cells;
        t->cap = cap;
    }
    for (size_t i = 0; i < t->ncols; i++) {
        char *e = ccm_text_escape(values[i] ? values[i] : "-", 0);
        if (!e) {
            for (size_t k = 0; k < i; k++) {
                free(t->cells[t->nrows * t->ncols + k]);
            }
            return ccm_error_set(CCM_ERROR, "out of memory");
        }
        t->cells[t->nrows * t->ncols + i] = e;
    }
    t->nrows++;
    return CCM_OK;
}

void ccm_table_layout(size_t *widths, const size_t *natural, const size_t *min, size_t n,
                      size_t total)
{
    size_t sum = 0, avail = total > 2 * (n ? n - 1 : 0) ? total - 2 * (n ? n - 1 : 0) : 0;

    for (size_t i = 0; i < n; i++) {
        widths[i] = natural[i];
        sum += natural[i];
    }
    while (sum > avail) {
        size_t best = n;
        for (size_t i = 0; i < n; i++) {
            if (widths[i] > min[i] && (best == n || widths[i] > widths[best])) {
                best = i;
            }
        }
        if (best == n) {
            break; /* every column at its minimum */
        }
        widths[best]--;
        sum--;
    }
}

/* Prints one cell fitted to w columns; pads unless it is the last. */
static void put_cell(FILE *f, const char *text, size_t w, int last)
{
    char *fit = ccm_text_fit(text, w);
    size_t used = fit ? ccm_text_width(fit) : 0;

    fputs(fit ? fit : "", f);
    if (!last) {
        for (size_t k = used; k < w + 2; k++) {
            fputc(' ', f);
        }
    }
    free(fit);
}

void ccm_table_print(FILE *f, const ccm_table *t, size_t width, int colour)
{
    size_t n = t->ncols;
    size_t *natural = calloc(n + 1, sizeof(size_t)), *min = calloc(n + 1, sizeof(size_t));
    size_t *widths = calloc(n + 1, sizeof(size_t));

    if (!natural || !min || !widths) {
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        size_t cells = 0;
        for (size_t r = 0; r < t->nrows; r++) {
            size_t w = ccm_text_width(t->cells[r * n + i]);
            cells = w > cells ? w : cells;
        }
        natural[i] = ccm_text_width(t->headers[i]);
        natural[i] = cells > natural[i] ? cells : natural[i];
        /* A kept column (ids, dates) keeps its values whole, its header
         * may be cut; others may go down to three characters and the mark. */
        if (t->flags[i] & CCM_COL_KEEP) {
            min[i] = cells ? cells : natural[i];
        } else {
            min[i] = natural[i] < 4 ? natural[i] : 4;
        }
    }
    ccm_table_layout(widths, natural, min, n, width);
    fputs(colour ? "\033[1m" : "", f);
    for (size_t i = 0; i < n; i++) {
        put_cell(f, t->headers[i], widths[i], i + 1 == n);
    }
    fputs(colour ? "\033[0m\n" : "\n", f);
    for (size_t r = 0; r < t->nrows; r++) {
        for (size_t i = 0; i < n; i++) {
            put_cell(f, t->cells[r * n + i], widths[i], i + 1 == n);
        }
        fputc('\n', f);
    }
done:
    free(natural);
    free(min);
    free(widths);
}

void ccm_table_free(ccm_table *t)
{
    for (size_t i = 0; t->headers && i < t->ncols; i++) {
        free(t->headers[i]);
    }
    for (size_t i = 0; t->cells && i < t->nrows * t->ncols; i++) {
        free(t->cells[i]);
    }
    free(t->headers);
    free(t->flags);
    free(t->cells);
    memset(t, 0, sizeof(*t));
}
