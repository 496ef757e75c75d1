/*
 * json_same.h - what the tests of the canonical reader
 * (tests/record/test_json_load.c, tests/fuzz/fuzz_json_load.c) compare it
 * with: strict equality of two jansson values (same types: an integer is
 * not a real, unlike json_equal's numbers in some versions; same string
 * bytes including NULs, same keys, same array order), the nesting of a
 * document, keys with a NUL (jansson's parser reads none), and whether
 * bytes are a document's canonical text. Include after
 * "store/record/record.h".
 */
#ifndef CCM_TEST_JSON_SAME_H
#define CCM_TEST_JSON_SAME_H

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static inline int json_same(const json_t *a, const json_t *b)
{
    const char *k;
    json_t *v;

    if (json_typeof(a) != json_typeof(b)) {
        return 0;
    }
    switch (json_typeof(a)) {
    case JSON_OBJECT:
        if (json_object_size(a) != json_object_size(b)) {
            return 0;
        }
        json_object_foreach((json_t *)a, k, v)
        {
            const json_t *w =
                json_object_getn(b, k, json_object_iter_key_len(json_object_key_to_iter(k)));
            if (!w || !json_same(v, w)) {
                return 0;
            }
        }
        return 1;
    case JSON_ARRAY:
        if (json_array_size(a) != json_array_size(b)) {
            return 0;
        }
        for (size_t i = 0; i < json_array_size(a); i++) {
            if (!json_same(json_array_get(a, i), json_array_get(b, i))) {
                return 0;
            }
        }
        return 1;
    case JSON_STRING:
        return json_string_length(a) == json_string_length(b) &&
               memcmp(json_string_value(a), json_string_value(b), json_string_length(a)) == 0;
    case JSON_INTEGER:
        return json_integer_value(a) == json_integer_value(b);
    case JSON_REAL:
        return json_real_value(a) == json_real_value(b);
    default:
        return 1;
    }
}

/* Containers nested in j, j included (0 for a scalar). */
static inline int json_depth(const json_t *j)
{
    const char *k;
    size_t i;
    json_t *v;
    int d = 0, e;

    if (json_is_object(j)) {
        json_object_foreach((json_t *)j, k, v)
        {
            d = (e = json_depth(v)) > d ? e : d;
        }
        return d + 1;
    }
    if (json_is_array(j)) {
        json_array_foreach(j, i, v)
        {
            d = (e = json_depth(v)) > d ? e : d;
        }
        return d + 1;
    }
    return 0;
}

/* 1 if some key in j holds a NUL byte. */
static inline int json_has_nul_key(const json_t *j)
{
    const char *k;
    size_t i, klen;
    json_t *v;

    if (json_is_object(j)) {
        json_object_keylen_foreach((json_t *)j, k, klen, v)
        {
            if (strlen(k) != klen || json_has_nul_key(v)) {
                return 1;
            }
        }
    }
    json_array_foreach(j, i, v)
    {
        if (json_has_nul_key(v)) {
            return 1;
        }
    }
    return 0;
}

/* 1 if the `len` bytes at buf are the canonical text of j. */
static inline int json_is_canon_of(const json_t *j, const char *buf, size_t len)
{
    size_t n = 0;
    char *text = ccm_json_canon(j, &n);
    int same = text && n == len && memcmp(text, buf, len) == 0;

    free(text);
    return same;
}

#endif
