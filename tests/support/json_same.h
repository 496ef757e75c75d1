/*
 * json_same.h - strict equality of two jansson values for the parser tests
 * (tests/record/test_json_load.c, tests/fuzz/fuzz_json_load.c): same types
 * (an integer is not a real, unlike json_equal's numbers in some versions),
 * same string bytes including NULs, same keys, same array order.
 */
#ifndef CCM_TEST_JSON_SAME_H
#define CCM_TEST_JSON_SAME_H

#include <jansson.h>
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

#endif
