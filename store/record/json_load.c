/*
 * json_load.c - parsing a decrypted record: what jansson's
 * json_loadb(buf, len, JSON_REJECT_DUPLICATES, err) does, faster.
 *
 * Every record the store opens is parsed, and in a large merge jansson's
 * parser was the largest single cost (about a quarter of the CPU): it reads
 * its input a byte at a time through a stream, copies each token into a
 * growing buffer, and looks every key up twice. This parser scans the buffer
 * in place, copies plain strings in one go, and detects a duplicate key by
 * the object's size not growing when the key is set. It builds the same
 * jansson values.
 *
 * The input is untrusted (another member wrote it), so it accepts exactly
 * what json_loadb accepts with that flag, and builds the same values:
 *  - one object or array, with only ' ', \t, \n and \r around it;
 *  - strings of valid UTF-8 (no overlong forms, surrogates or code points
 *    above U+10FFFF), no unescaped byte below 0x20, escapes \" \\ \/ \b \f
 *    \n \r \t and \uXXXX (surrogate pairs combined; a lone or reversed
 *    surrogate is refused), and no U+0000 in values or keys;
 *  - numbers by JSON's grammar; without '.', 'e' or 'E' an integer that must
 *    fit json_int_t, otherwise a real that must not overflow;
 *  - true, false, null; no duplicate key in an object;
 *  - at most JSON_PARSER_MAX_DEPTH levels of values (a scalar counts as a
 *    level, as in jansson).
 * tests/record/test_json_load.c checks the decision and the value against
 * jansson itself on known inputs and on random and mangled documents, and
 * tests/fuzz/fuzz_json_load.c does so on arbitrary bytes. The error texts
 * are our own.
 */
#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"

typedef struct {
    const unsigned char *p, *start, *end;
    json_error_t *err;
    int depth;
} loader;

static json_t *value(loader *l);
static json_t *scalar_or_container(loader *l);

static int fail(loader *l, const char *what)
{
    size_t pos = (size_t)(l->p - l->start);
    int line = 1, col = 0;

    for (const unsigned char *q = l->start; q < l->p; q++) {
        if (*q == '\n') {
            line++;
            col = 0;
        } else {
            col++;
        }
    }
    if (l->err) {
        l->err->line = line;
        l->err->column = col;
        l->err->position = (int)pos;
        snprintf(l->err->source, sizeof(l->err->source), "<buffer>");
        snprintf(l->err->text, sizeof(l->err->text), "%s at position %zu", what, pos);
    }
    return -1;
}

static void skip_ws(loader *l)
{
    while (l->p < l->end && (*l->p == ' ' || *l->p == '\t' || *l->p == '\n' || *l->p == '\r')) {
        l->p++;
    }
}

/* jansson reads one character past a number or a literal and puts it back;
 * a NUL byte put back that way is lost (its stream takes a NUL in its
 * one-character buffer for "empty"), so one NUL right after a number,
 * true, false or null is skipped. Anywhere else a NUL is refused. */
static void skip_one_nul(loader *l)
{
    if (l->p < l->end && *l->p == 0) {
        l->p++;
    }
}

static int hex4(const unsigned char *p, uint32_t *out)
{
    uint32_t v = 0;

    for (int i = 0; i < 4; i++) {
        unsigned char c = p[i];
        v <<= 4;
        if (c >= '0' && c <= '9') {
            v |= (uint32_t)(c - '0');
        } else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') {
            v |= (uint32_t)((c | 0x20) - 'a' + 10);
        } else {
            return -1;
        }
    }
    *out = v;
    return 0;
}

static size_t utf8_put(char *o, uint32_t cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | cp >> 6);
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | cp >> 12);
        o[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | cp >> 18);
    o[1] = (char)(0x80 | (cp >> 12 & 0x3F));
    o[2] = (char)(0x80 | (cp >> 6 & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Decodes the escapes of a string already checked by `string` (raw bytes
 * [p, q)); out has room for q - p bytes. 0, or -1 (at *bad) on a surrogate
 * that does not pair, or on U+0000 (or on a malformed \u escape, which
 * `string` has already refused: checked all the same). */
static int unescape(char *out, size_t *len, const unsigned char *p, const unsigned char *q,
                    const unsigned char **bad)
{
    size_t n = 0;

    while (p < q) {
        uint32_t cp, lo;
        if (*p != '\\') {
            out[n++] = (char)*p++;
            continue;
        }
        *bad = p;
        switch (p[1]) {
        case 'b':
            out[n++] = '\b';
            break;
        case 'f':
            out[n++] = '\f';
            break;
        case 'n':
            out[n++] = '\n';
            break;
        case 'r':
            out[n++] = '\r';
            break;
        case 't':
            out[n++] = '\t';
            break;
        case 'u':
            if (hex4(p + 2, &cp) < 0) {
                return -1;
            }
            if (cp >= 0xDC00 && cp <= 0xDFFF) {
                return -1;
            }
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                if (q - p < 12 || p[6] != '\\' || p[7] != 'u') {
                    return -1;
                }
                if (hex4(p + 8, &lo) < 0) {
                    return -1;
                }
                if (lo < 0xDC00 || lo > 0xDFFF) {
                    return -1;
                }
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                p += 6;
            } else if (cp == 0) {
                return -1;
            }
            n += utf8_put(out + n, cp);
            p += 6;
            continue;
        default: /* " \ / */
            out[n++] = (char)p[1];
            break;
        }
        p += 2;
    }
    *len = n;
    return 0;
}

/* A string at l->p (the opening quote): its bytes, unescaped, in *out (a
 * pointer into the input when there is no escape, else *buf, which the
 * caller frees). */
static int string(loader *l, const char **out, size_t *len, char **buf)
{
    const unsigned char *s = ++l->p, *p = s, *bad = NULL;
    int escaped = 0;

    *buf = NULL;
    for (;;) {
        while (p < l->end && *p >= 0x20 && *p < 0x80 && *p != '"' && *p != '\\') {
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
            escaped = 1;
            if (l->end - p < 2) {
                l->p = p;
                return fail(l, "unterminated string");
            }
            if (p[1] == 'u') {
                uint32_t cp;
                if (l->end - p < 6 || hex4(p + 2, &cp) < 0) {
                    l->p = p;
                    return fail(l, "invalid \\u escape");
                }
                p += 6;
            } else if (strchr("\"\\/bfnrt", p[1]) && p[1]) {
                p += 2;
            } else {
                l->p = p;
                return fail(l, "invalid escape");
            }
        } else if (*p < 0x20) {
            l->p = p;
            return fail(l, "control character in a string");
        } else {
            uint32_t cp;
            size_t n = ccm_utf8_decode(p, (size_t)(l->end - p), &cp);
            if (n == 0) {
                l->p = p;
                return fail(l, "invalid UTF-8");
            }
            p += n;
        }
    }
    l->p = p + 1;
    if (!escaped) {
        *out = (const char *)s;
        *len = (size_t)(p - s);
        return 0;
    }
    if (!(*buf = malloc((size_t)(p - s) + 1))) {
        return fail(l, "out of memory");
    }
    if (unescape(*buf, len, s, p, &bad) < 0) {
        free(*buf);
        *buf = NULL;
        l->p = bad;
        return fail(l, "invalid \\u escape (surrogate or U+0000)");
    }
    *out = *buf;
    return 0;
}

static json_t *number(loader *l)
{
    const unsigned char *s = l->p, *p = s;
    int real = 0, neg = 0;

    if (*p == '-') {
        neg = 1;
        p++;
    }
    if (p < l->end && *p == '0') {
        p++;
    } else if (p < l->end && *p >= '1' && *p <= '9') {
        while (p < l->end && *p >= '0' && *p <= '9') {
            p++;
        }
    } else {
        l->p = p;
        fail(l, "invalid number");
        return NULL;
    }
    if (p < l->end && *p == '.') {
        real = 1;
        if (++p == l->end || *p < '0' || *p > '9') {
            l->p = p;
            fail(l, "invalid number");
            return NULL;
        }
        while (p < l->end && *p >= '0' && *p <= '9') {
            p++;
        }
    }
    if (p < l->end && (*p == 'e' || *p == 'E')) {
        real = 1;
        if (++p < l->end && (*p == '+' || *p == '-')) {
            p++;
        }
        if (p == l->end || *p < '0' || *p > '9') {
            l->p = p;
            fail(l, "invalid number");
            return NULL;
        }
        while (p < l->end && *p >= '0' && *p <= '9') {
            p++;
        }
    }
    l->p = p;
    skip_one_nul(l);
    if (!real) {
        /* |value| accumulated as unsigned; json_int_t is long long */
        unsigned long long v = 0, lim = neg ? (unsigned long long)LLONG_MAX + 1 : LLONG_MAX;
        for (const unsigned char *q = s + neg; q < p; q++) {
            unsigned d = (unsigned)(*q - '0');
            if (v > (lim - d) / 10) {
                l->p = s;
                fail(l, neg ? "too big negative integer" : "too big integer");
                return NULL;
            }
            v = v * 10 + d;
        }
        return json_integer(neg ? (json_int_t)(0 - v) : (json_int_t)v);
    }
    {
        char tmp[128], *text = tmp, *end;
        size_t n = (size_t)(p - s);
        char point = *localeconv()->decimal_point;
        double d;
        json_t *r;
        if (n >= sizeof(tmp) && !(text = malloc(n + 1))) {
            fail(l, "out of memory");
            return NULL;
        }
        memcpy(text, s, n);
        text[n] = 0;
        if (point != '.' && (end = strchr(text, '.'))) {
            *end = point; /* strtod reads the locale's decimal point */
        }
        errno = 0;
        d = strtod(text, &end);
        if (text != tmp) {
            free(text);
        }
        if ((d == HUGE_VAL || d == -HUGE_VAL) && errno == ERANGE) {
            l->p = s;
            fail(l, "real number overflow");
            return NULL;
        }
        if (!(r = json_real(d))) {
            fail(l, "out of memory");
        }
        return r;
    }
}

/* After the opening bracket of a container: 1 if the container closes at
 * once (and is consumed), 0 if an element follows. */
static int opened_empty(loader *l, char close)
{
    l->p++;
    skip_ws(l);
    if (l->p < l->end && *l->p == close) {
        l->p++;
        return 1;
    }
    return 0;
}

/* After an element: 1 if a ',' announces another (consumed), 0 if the
 * container closes (consumed), -1 on anything else. */
static int next_element(loader *l, char close)
{
    skip_ws(l);
    if (l->p < l->end && *l->p == ',') {
        l->p++;
        skip_ws(l);
        return 1;
    }
    if (l->p < l->end && *l->p == close) {
        l->p++;
        return 0;
    }
    return fail(l, close == '}' ? "',' or '}' expected" : "',' or ']' expected");
}

static json_t *object(loader *l)
{
    json_t *obj = json_object();
    int more = 1;

    if (!obj) {
        fail(l, "out of memory");
        return NULL;
    }
    if (opened_empty(l, '}')) {
        return obj;
    }
    while (more > 0) {
        const char *key;
        const unsigned char *at;
        char *buf;
        size_t klen, size;
        json_t *v;
        if (l->p == l->end || *l->p != '"') {
            fail(l, "string or '}' expected");
            break;
        }
        at = l->p;
        if (string(l, &key, &klen, &buf) < 0) {
            break;
        }
        skip_ws(l);
        if (l->p == l->end || *l->p != ':') {
            free(buf);
            fail(l, "':' expected");
            break;
        }
        l->p++;
        skip_ws(l);
        if (!(v = value(l))) {
            free(buf);
            break;
        }
        size = json_object_size(obj);
        if (json_object_setn_new_nocheck(obj, key, klen, v) < 0) {
            free(buf);
            fail(l, "out of memory");
            break;
        }
        free(buf);
        if (json_object_size(obj) == size) { /* set replaced a value: a duplicate */
            l->p = at;
            fail(l, "duplicate object key");
            break;
        }
        if ((more = next_element(l, '}')) == 0) {
            return obj;
        }
    }
    json_decref(obj);
    return NULL;
}

static json_t *array(loader *l)
{
    json_t *arr = json_array();
    int more = 1;

    if (!arr) {
        fail(l, "out of memory");
        return NULL;
    }
    if (opened_empty(l, ']')) {
        return arr;
    }
    while (more > 0) {
        json_t *v = value(l);
        if (!v) {
            break;
        }
        if (json_array_append_new(arr, v) < 0) {
            fail(l, "out of memory");
            break;
        }
        if ((more = next_element(l, ']')) == 0) {
            return arr;
        }
    }
    json_decref(arr);
    return NULL;
}

static json_t *word(loader *l, const char *w, size_t n, json_t *v)
{
    if ((size_t)(l->end - l->p) >= n && memcmp(l->p, w, n) == 0) {
        l->p += n;
        skip_one_nul(l);
        return v;
    }
    fail(l, "invalid token");
    return NULL;
}

/* A value at l->p (no whitespace before it). Like jansson, every value
 * counts for the depth, scalars included. */
static json_t *value(loader *l)
{
    json_t *v;

    if (l->p == l->end) {
        fail(l, "unexpected end of input");
        return NULL;
    }
    if (++l->depth > JSON_PARSER_MAX_DEPTH) {
        fail(l, "maximum parsing depth reached");
        return NULL;
    }
    v = scalar_or_container(l);
    l->depth--;
    return v;
}

static json_t *scalar_or_container(loader *l)
{
    json_t *v;

    switch (*l->p) {
    case '{':
        return object(l);
    case '[':
        return array(l);
    case '"': {
        const char *s;
        char *buf;
        size_t len;
        const unsigned char *at = l->p;
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

    skip_ws(&l);
    if (l.p == l.end || (*l.p != '{' && *l.p != '[')) {
        fail(&l, "'[' or '{' expected");
        return NULL;
    }
    if (!(doc = value(&l))) {
        return NULL;
    }
    skip_ws(&l);
    if (l.p != l.end) {
        json_decref(doc);
        fail(&l, "end of input expected");
        return NULL;
    }
    return doc;
}
