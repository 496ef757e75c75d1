/*
 * json_load.c - reading a canonical text back (docs/record-format.md): the
 * inverse of ccm_json_canon, refusing every other text. Every record the
 * store decrypts and every entry of its cache is read here, so a text is
 * accepted only when it is the one canonical text of the document it holds:
 * re-serialising what this returns gives back the input byte for byte, and
 * two replicas never hold one record in two encodings.
 *
 * The rules are the writer's, checked as the text is scanned in place:
 *  - an object or an array, no whitespace anywhere outside strings,
 *    nothing after it, containers nested at most CANON_DEPTH_MAX deep;
 *  - object keys strictly ascending (bytewise, a key before the longer keys
 *    it begins), which also rules out a key twice;
 *  - strings of well-formed UTF-8 (ccm_utf8_decode); '"' and '\\' escaped
 *    as \" and \\, the control characters below 0x20 escaped as \b \f \n
 *    \r \t or \u00XX (upper-case hex) and never raw, no other escape;
 *  - integers in decimal without a leading zero, '+' or "-0", within
 *    json_int_t; no fraction or exponent (records hold no reals);
 *  - true, false, null.
 * U+0000 is read like any control character (\u0000): record validation,
 * not the syntax, refuses it in records.
 *
 * Faster than jansson's json_loadb and a check that the text is canonical
 * (bench/record_parse.c): no byte stream, plain strings copied in one go,
 * no key looked up for duplicates. Its tests (tests/record/test_json_load.c)
 * and fuzz target (tests/fuzz/fuzz_json_load.c) check that what it accepts
 * is canonical and that it accepts every canonical text jansson reads.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"

/* Containers nested deeper are refused (a record needs 7). */
#define CANON_DEPTH_MAX 64

typedef struct {
    const unsigned char *p, *start, *end;
    json_error_t *err;
    int depth;
} loader;

static json_t *value(loader *l);

/* Records `what` at the current position in l->err; returns -1. The text
 * is one line: the column is the position. */
static int fail(loader *l, const char *what)
{
    size_t pos = (size_t)(l->p - l->start);

    if (l->err) {
        l->err->line = 1;
        l->err->column = pos > INT_MAX ? INT_MAX : (int)pos;
        l->err->position = pos > INT_MAX ? INT_MAX : (int)pos;
        snprintf(l->err->source, sizeof(l->err->source), "<buffer>");
        snprintf(l->err->text, sizeof(l->err->text), "%s at position %zu", what, pos);
    }
    return -1;
}

static int hex_upper(unsigned char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* The byte an escape at p (the backslash, 2 or 6 bytes available) stands
 * for and its length, or 0 if the writer would not write it. */
static size_t escape(const unsigned char *p, size_t avail, char *out)
{
    int hi, lo;

    if (avail < 2) {
        return 0;
    }
    switch (p[1]) {
    case '"':
    case '\\':
        *out = (char)p[1];
        return 2;
    case 'b':
        *out = '\b';
        return 2;
    case 'f':
        *out = '\f';
        return 2;
    case 'n':
        *out = '\n';
        return 2;
    case 'r':
        *out = '\r';
        return 2;
    case 't':
        *out = '\t';
        return 2;
    case 'u':
        /* \u00XX for a control character without a short escape */
        if (avail < 6 || p[2] != '0' || p[3] != '0' || (hi = hex_upper(p[4])) < 0 || hi > 1 ||
            (lo = hex_upper(p[5])) < 0) {
            return 0;
        }
        *out = (char)(hi << 4 | lo);
        if (*out == '\b' || *out == '\f' || *out == '\n' || *out == '\r' || *out == '\t') {
            return 0;
        }
        return 6;
    default:
        return 0;
    }
}

/* A string at l->p (the opening quote): its bytes, unescaped, in *out (a
 * pointer into the input when there is no escape, else *buf, which the
 * caller frees). */
static int string(loader *l, const char **out, size_t *len, char **buf)
{
    const unsigned char *s = ++l->p, *p = s;
    size_t n = 0, k;
    uint32_t cp;
    char c;
    int escaped = 0;

    *buf = NULL;
    for (;;) {
        while (p < l->end && *p >= 0x20 && *p != '"' && *p != '\\' && *p < 0x80) {
            p++;
        }
        if (p == l->end) {
            l->p = p;
            return fail(l, "unterminated string");
        }
        if (*p == '"') {
            break;
        }
        if (*p == '\\') {
            if (!(k = escape(p, (size_t)(l->end - p), &c))) {
                l->p = p;
                return fail(l, "an escape the canonical text does not use");
            }
            escaped = 1;
            p += k;
        } else if (*p < 0x20) {
            l->p = p;
            return fail(l, "an unescaped control character");
        } else if ((k = ccm_utf8_decode(p, (size_t)(l->end - p), &cp)) == 0) {
            l->p = p;
            return fail(l, "invalid UTF-8");
        } else {
            p += k;
        }
    }
    l->p = p + 1;
    if (!escaped) {
        *out = (const char *)s;
        *len = (size_t)(p - s);
        return 0;
    }
    /* every escape stands for one byte */
    if (!(*buf = malloc((size_t)(p - s) + 1))) {
        return fail(l, "out of memory");
    }
    for (const unsigned char *q = s; q < p;) {
        if (*q == '\\') {
            q += escape(q, (size_t)(p - q), &(*buf)[n++]);
        } else {
            (*buf)[n++] = (char)*q++;
        }
    }
    *out = *buf;
    *len = n;
    return 0;
}

static json_t *number(loader *l)
{
    const unsigned char *s = l->p, *p = s, *digits;
    unsigned long long v = 0, lim;
    int neg = 0;
    json_t *j;

    if (*p == '-') {
        neg = 1;
        p++;
    }
    digits = p;
    while (p < l->end && *p >= '0' && *p <= '9') {
        p++;
    }
    if (p == digits || (*digits == '0' && (p - digits > 1 || neg))) {
        l->p = digits;
        fail(l, p == digits ? "invalid number" : "a leading zero or -0");
        return NULL;
    }
    if (p < l->end && (*p == '.' || *p == 'e' || *p == 'E')) {
        l->p = p;
        fail(l, "a fraction or exponent (integers only)");
        return NULL;
    }
    /* |value| accumulated as unsigned; json_int_t is long long */
    lim = neg ? (unsigned long long)LLONG_MAX + 1 : LLONG_MAX;
    for (const unsigned char *q = digits; q < p; q++) {
        unsigned d = (unsigned)(*q - '0');
        if (v > (lim - d) / 10) {
            fail(l, "an integer out of range");
            return NULL;
        }
        v = v * 10 + d;
    }
    l->p = p;
    if (!(j = json_integer(neg ? (json_int_t)(0 - v) : (json_int_t)v))) {
        fail(l, "out of memory");
    }
    return j;
}

/* Orders keys as the writer sorts them: bytes, then length. */
static int key_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
    int r = memcmp(a, b, alen < blen ? alen : blen);

    return r ? r : (alen > blen) - (alen < blen);
}

static json_t *object(loader *l)
{
    json_t *obj = json_object();
    const char *prev = NULL;
    char *prev_buf = NULL;
    size_t prev_len = 0;

    if (!obj) {
        fail(l, "out of memory");
        return NULL;
    }
    if (++l->p < l->end && *l->p == '}') {
        l->p++;
        return obj;
    }
    for (;;) {
        const unsigned char *at = l->p;
        const char *key;
        char *buf;
        size_t klen;
        json_t *v;

        if (l->p == l->end || *l->p != '"') {
            fail(l, "a key or '}' expected");
            break;
        }
        if (string(l, &key, &klen, &buf) < 0) {
            break;
        }
        if (prev && key_cmp(prev, prev_len, key, klen) >= 0) {
            free(buf);
            l->p = at;
            fail(l, "a key out of order or twice");
            break;
        }
        free(prev_buf);
        prev = key, prev_len = klen, prev_buf = buf;
        if (l->p == l->end || *l->p != ':') {
            fail(l, "':' expected");
            break;
        }
        l->p++;
        if (!(v = value(l))) {
            break;
        }
        if (json_object_setn_new_nocheck(obj, key, klen, v) < 0) {
            fail(l, "out of memory");
            break;
        }
        if (l->p < l->end && *l->p == ',') {
            l->p++;
            continue;
        }
        if (l->p < l->end && *l->p == '}') {
            l->p++;
            free(prev_buf);
            return obj;
        }
        fail(l, "',' or '}' expected");
        break;
    }
    free(prev_buf);
    json_decref(obj);
    return NULL;
}

static json_t *array(loader *l)
{
    json_t *arr = json_array();

    if (!arr) {
        fail(l, "out of memory");
        return NULL;
    }
    if (++l->p < l->end && *l->p == ']') {
        l->p++;
        return arr;
    }
    for (;;) {
        json_t *v = value(l);

        if (!v) {
            break;
        }
        if (json_array_append_new(arr, v) < 0) {
            fail(l, "out of memory");
            break;
        }
        if (l->p < l->end && *l->p == ',') {
            l->p++;
            continue;
        }
        if (l->p < l->end && *l->p == ']') {
            l->p++;
            return arr;
        }
        fail(l, "',' or ']' expected");
        break;
    }
    json_decref(arr);
    return NULL;
}

static json_t *word(loader *l, const char *w, size_t n, json_t *v)
{
    if ((size_t)(l->end - l->p) >= n && memcmp(l->p, w, n) == 0) {
        l->p += n;
        return v;
    }
    fail(l, "invalid token");
    return NULL;
}

/* A container at l->p, one level deeper. */
static json_t *container(loader *l)
{
    json_t *v;

    if (++l->depth > CANON_DEPTH_MAX) {
        fail(l, "nested too deep");
        return NULL;
    }
    v = *l->p == '{' ? object(l) : array(l);
    l->depth--;
    return v;
}

/* A value at l->p. */
static json_t *value(loader *l)
{
    json_t *v;

    if (l->p == l->end) {
        fail(l, "unexpected end of input");
        return NULL;
    }
    switch (*l->p) {
    case '{':
    case '[':
        return container(l);
    case '"': {
        const unsigned char *at = l->p;
        const char *s;
        char *buf;
        size_t len;
        if (string(l, &s, &len, &buf) < 0) {
            return NULL;
        }
        if (!(v = json_stringn_nocheck(s, len))) {
            l->p = at;
            fail(l, "out of memory");
        }
        free(buf);
        return v;
    }
    case 't':
        return word(l, "true", 4, json_true());
    case 'f':
        return word(l, "false", 5, json_false());
    case 'n':
        return word(l, "null", 4, json_null());
    default:
        if (*l->p == '-' || (*l->p >= '0' && *l->p <= '9')) {
            return number(l);
        }
        fail(l, "invalid token");
        return NULL;
    }
}

json_t *ccm_json_load(const char *buf, size_t len, json_error_t *err)
{
    loader l = {(const unsigned char *)buf, (const unsigned char *)buf,
                (const unsigned char *)buf + len, err, 0};
    json_t *doc;

    if (l.p == l.end || (*l.p != '{' && *l.p != '[')) {
        fail(&l, "'{' or '[' expected");
        return NULL;
    }
    if (!(doc = container(&l))) {
        return NULL;
    }
    if (l.p != l.end) {
        json_decref(doc);
        fail(&l, "end of input expected");
        return NULL;
    }
    return doc;
}
