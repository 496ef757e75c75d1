/*
 * json_canon.c - the canonical text of a document, as docs/record-format.md
 * defines it: keys sorted bytewise, no whitespace, the fewest escapes,
 * integers in decimal. It is the one writer of record plaintexts: records
 * are hashed, encrypted and compared as this text, so equal documents are
 * equal bytes on every replica and every version of ccmsync.
 *
 * For every document the format accepts, the text is also what jansson's
 * json_dumps(doc, JSON_SORT_KEYS | JSON_COMPACT) writes; this file is
 * faster (the merge serialises every record it joins): integers converted
 * by hand, keys sorted in one scratch array shared by the whole document,
 * one buffer grown by doubling, no callbacks. tests/record/test_json_canon.c
 * pins the text on fixed vectors.
 *
 * Refused (NULL, with an error set): anything but an object or an array at
 * the top; a string or an object key that is not UTF-8 (only jansson's
 * _nocheck setters make one); a real number (records hold integers only);
 * a container inside itself.
 *
 * Reads the document only, so one document may be written by several threads
 * at once.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"

#define CANON_INVALID (-1) /* not a document of the format (error set) */
#define CANON_NOMEM (-2)

typedef struct {
    const char *key;
    size_t len;
    json_t *value;
} canon_key;

typedef struct {
    char *p;
    size_t len, cap;
    canon_key *keys; /* the keys of the objects being written, outermost first */
    size_t nkeys, keycap;
} canon_out;

/* The containers being written, innermost first: a cycle is a container
 * found among its own ancestors. */
typedef struct canon_frame {
    const json_t *json;
    const struct canon_frame *up;
} canon_frame;

/* What a byte means inside a string: 0 copied as is, 1 escaped, 2 the
 * first byte of a multi-byte sequence (or not UTF-8 at all). */
static const unsigned char byte_class[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
};

static const char digit_pairs[] = "00010203040506070809"
                                  "10111213141516171819"
                                  "20212223242526272829"
                                  "30313233343536373839"
                                  "40414243444546474849"
                                  "50515253545556575859"
                                  "60616263646566676869"
                                  "70717273747576777879"
                                  "80818283848586878889"
                                  "90919293949596979899";

_Static_assert(sizeof(json_int_t) <= sizeof(unsigned long long), "json_int_t wider than 64 bits");

/* Room for n more bytes. The text is a record's plaintext: a bigger buffer
 * is a fresh copy and the old one is wiped, never left to realloc. */
static int reserve(canon_out *o, size_t n)
{
    size_t cap = o->cap ? o->cap : 8192;
    char *p;

    while (cap - o->len < n) {
        if (cap > SIZE_MAX / 2) {
            return CANON_NOMEM;
        }
        cap *= 2;
    }
    if (cap == o->cap) {
        return 0;
    }
    if (!(p = malloc(cap))) {
        return CANON_NOMEM;
    }
    if (o->p) {
        memcpy(p, o->p, o->len);
        ccm_wipe_free(o->p, o->cap);
    }
    o->p = p;
    o->cap = cap;
    return 0;
}

static int put_bytes(canon_out *o, const char *s, size_t n)
{
    if (reserve(o, n)) {
        return CANON_NOMEM;
    }
    memcpy(o->p + o->len, s, n);
    o->len += n;
    return 0;
}

static inline int put_char(canon_out *o, char c)
{
    if (o->len == o->cap && reserve(o, 1)) {
        return CANON_NOMEM;
    }
    o->p[o->len++] = c;
    return 0;
}

/* A quoted string: '"' and '\\' escaped with a backslash, the control
 * characters below 0x20 as \b \f \n \r \t or \u00XX (upper-case hex),
 * every other code point as its UTF-8 bytes ('/' and DEL included). Bytes
 * are copied in runs between escapes. CANON_INVALID (the caller says which
 * string) on bytes that are not UTF-8. */
static int put_string(canon_out *o, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *p = (const unsigned char *)s, *end = p + n, *run = p;
    size_t k;
    uint32_t cp;
    char *w;

    /* the quotes and every byte unescaped; each escape reserves its own room */
    if (n > SIZE_MAX - 2 || reserve(o, n + 2)) {
        return CANON_NOMEM;
    }
    o->p[o->len++] = '"';
    while (p < end) {
        switch (byte_class[*p]) {
        case 0:
            p++;
            continue;
        case 2:
            if (!(k = ccm_utf8_decode(p, (size_t)(end - p), &cp))) {
                return CANON_INVALID;
            }
            p += k;
            continue;
        default:
            break;
        }
        memcpy(o->p + o->len, run, (size_t)(p - run));
        o->len += (size_t)(p - run);
        if (reserve(o, 6 + (size_t)(end - p))) {
            return CANON_NOMEM;
        }
        w = o->p + o->len;
        w[0] = '\\';
        k = 2;
        switch (*p) {
        case '"':
        case '\\':
            w[1] = (char)*p;
            break;
        case '\b':
            w[1] = 'b';
            break;
        case '\f':
            w[1] = 'f';
            break;
        case '\n':
            w[1] = 'n';
            break;
        case '\r':
            w[1] = 'r';
            break;
        case '\t':
            w[1] = 't';
            break;
        default:
            memcpy(w + 1, "u00", 3);
            w[4] = hex[*p >> 4];
            w[5] = hex[*p & 0xf];
            k = 6;
            break;
        }
        o->len += k;
        run = ++p;
    }
    memcpy(o->p + o->len, run, (size_t)(p - run));
    o->len += (size_t)(p - run);
    o->p[o->len++] = '"';
    return 0;
}

/* "%lld" (JSON_INTEGER_FORMAT), two digits at a time. */
static int put_integer(canon_out *o, json_int_t v)
{
    char tmp[24], *q = tmp + sizeof(tmp);
    unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
    unsigned d;

    while (u >= 100) {
        d = (unsigned)(u % 100) * 2;
        u /= 100;
        *--q = digit_pairs[d + 1];
        *--q = digit_pairs[d];
    }
    if (u >= 10) {
        d = (unsigned)u * 2;
        *--q = digit_pairs[d + 1];
        *--q = digit_pairs[d];
    } else {
        *--q = (char)('0' + u);
    }
    if (v < 0) {
        *--q = '-';
    }
    return put_bytes(o, q, (size_t)(tmp + sizeof(tmp) - q));
}

static int is_ancestor(const json_t *json, const canon_frame *up)
{
    for (; up; up = up->up) {
        if (up->json == json) {
            ccm_error_set(CCM_ERROR, "cannot serialise a document that contains itself");
            return 1;
        }
    }
    return 0;
}

/* Keys in bytewise order, a key before the longer keys it begins. */
static int key_cmp(const void *a, const void *b)
{
    const canon_key *x = a, *y = b;
    int r = memcmp(x->key, y->key, x->len < y->len ? x->len : y->len);

    return r ? r : (x->len > y->len) - (x->len < y->len);
}

/* Keys often come in order already (a record read back from its canonical
 * text keeps it): checked first, then sorted by insertion if few. */
static void sort_keys(canon_key *k, size_t n)
{
    size_t i, j;
    canon_key t;

    for (i = 1; i < n && key_cmp(&k[i - 1], &k[i]) < 0; i++) {
    }
    if (i == n) {
        return;
    }
    if (n > 16) {
        qsort(k, n, sizeof(*k), key_cmp);
        return;
    }
    for (i = 1; i < n; i++) {
        t = k[i];
        for (j = i; j > 0 && key_cmp(&k[j - 1], &t) > 0; j--) {
            k[j] = k[j - 1];
        }
        k[j] = t;
    }
}

static int put_value(canon_out *o, const json_t *json, const canon_frame *up);

static int put_array(canon_out *o, const json_t *json, const canon_frame *up)
{
    canon_frame here = {json, up};
    size_t i, n = json_array_size(json);
    int rc;

    if (is_ancestor(json, up)) {
        return CANON_INVALID;
    }
    if ((rc = put_char(o, '['))) {
        return rc;
    }
    for (i = 0; i < n; i++) {
        if (i > 0 && (rc = put_char(o, ','))) {
            return rc;
        }
        if ((rc = put_value(o, json_array_get(json, i), &here))) {
            return rc;
        }
    }
    return put_char(o, ']');
}

static int put_object(canon_out *o, const json_t *json, const canon_frame *up)
{
    canon_frame here = {json, up};
    size_t base = o->nkeys, i;
    canon_key k;
    void *it;
    int rc;

    if (is_ancestor(json, up)) {
        return CANON_INVALID;
    }
    for (it = json_object_iter((json_t *)json); it;
         it = json_object_iter_next((json_t *)json, it)) {
        if (o->nkeys == o->keycap &&
            ccm_grow(&o->keys, &o->keycap, o->nkeys, sizeof(*o->keys), 64) != CCM_OK) {
            return CANON_NOMEM;
        }
        o->keys[o->nkeys++] = (canon_key){json_object_iter_key(it), json_object_iter_key_len(it),
                                          json_object_iter_value(it)};
    }
    if (o->nkeys - base > 1) {
        sort_keys(o->keys + base, o->nkeys - base);
    }
    rc = put_char(o, '{');
    /* o->keys may move while a value is written: index it, keep no pointer */
    for (i = base; rc == 0 && i < o->nkeys; i++) {
        k = o->keys[i];
        if (i > base) {
            rc = put_char(o, ',');
        }
        if (rc == 0 && (rc = put_string(o, k.key, k.len)) == CANON_INVALID) {
            ccm_error_set(CCM_ERROR, "cannot serialise a key that is not UTF-8");
        }
        if (rc == 0) {
            rc = put_char(o, ':');
        }
        if (rc == 0) {
            rc = put_value(o, k.value, &here);
        }
    }
    o->nkeys = base;
    return rc ? rc : put_char(o, '}');
}

static int put_value(canon_out *o, const json_t *json, const canon_frame *up)
{
    int rc;

    switch (json_typeof(json)) {
    case JSON_OBJECT:
        return put_object(o, json, up);
    case JSON_ARRAY:
        return put_array(o, json, up);
    case JSON_STRING:
        rc = put_string(o, json_string_value(json), json_string_length(json));
        if (rc == CANON_INVALID) {
            ccm_error_set(CCM_ERROR, "cannot serialise a string that is not UTF-8");
        }
        return rc;
    case JSON_INTEGER:
        return put_integer(o, json_integer_value(json));
    case JSON_REAL:
        ccm_error_set(CCM_ERROR, "cannot serialise a real number (records hold integers only)");
        return CANON_INVALID;
    case JSON_TRUE:
        return put_bytes(o, "true", 4);
    case JSON_FALSE:
        return put_bytes(o, "false", 5);
    case JSON_NULL:
        return put_bytes(o, "null", 4);
    }
    return CANON_INVALID;
}

char *ccm_json_canon(const json_t *doc, size_t *len)
{
    canon_out o = {0};
    int rc;

    if (len) {
        *len = 0;
    }
    if (!json_is_object(doc) && !json_is_array(doc)) {
        ccm_error_set(CCM_ERROR, "cannot serialise: not an object or an array");
        return NULL;
    }
    if ((rc = put_value(&o, doc, NULL)) == 0) {
        rc = put_char(&o, '\0');
    }
    free(o.keys);
    if (rc) {
        if (o.p) {
            ccm_wipe_free(o.p, o.cap);
        }
        return NULL;
    }
    if (len) {
        *len = o.len - 1;
    }
    return o.p;
}
