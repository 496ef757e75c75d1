/*
 * crdt_support.h - helpers shared by the CRDT tests (tests/record/test_crdt*.c):
 * canonical serialisation, documents written with ' for ", joins that must
 * succeed. Include after <cmocka.h> and "store/record/record.h".
 */
#ifndef CCM_TEST_CRDT_SUPPORT_H
#define CCM_TEST_CRDT_SUPPORT_H

#include <stdlib.h>
#include <string.h>

/* A stamp at `ms` milliseconds with logical counter `n`. */
#define ST(ms, n) (((uint64_t)(ms) << 16) | (uint64_t)(n))

/* The canonical serialisation (caller frees). */
static inline char *canon(const json_t *j)
{
    char *s = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT | JSON_ENCODE_ANY);

    assert_non_null(s);
    return s;
}

static inline void assert_same(const json_t *a, const json_t *b)
{
    char *x = canon(a), *y = canon(b);

    assert_string_equal(x, y);
    free(x);
    free(y);
}

/* Asserts that j serialises canonically to `want`, written with ' for ". */
static inline void assert_doc(const json_t *j, const char *want)
{
    char *got = canon(j), *w = strdup(want), *p;

    for (p = w; *p; p++) {
        if (*p == '\'') {
            *p = '"';
        }
    }
    assert_string_equal(got, w);
    free(got);
    free(w);
}

/* Parses JSON written with ' for " (NUL escapes allowed). */
static inline json_t *load(const char *text)
{
    char *t = strdup(text), *p;
    json_error_t err;
    json_t *j;

    for (p = t; *p; p++) {
        if (*p == '\'') {
            *p = '"';
        }
    }
    j = json_loads(t, JSON_ALLOW_NUL | JSON_DECODE_ANY, &err);
    if (j == NULL) {
        fail_msg("cannot parse %s: %s", t, err.text);
    }
    free(t);
    return j;
}

/* ccm_record_join, which must succeed, checked against
 * ccm_record_join_shared (the merge's join): same bytes, and neither join
 * changes its inputs. */
static inline json_t *join(const json_t *a, const json_t *b)
{
    json_t *out = NULL, *shared = NULL;
    char *ca = canon(a), *cb = canon(b), *xa, *xb;

    assert_int_equal(ccm_record_join(&out, a, b), 0);
    assert_int_equal(ccm_record_validate(out), 0);
    assert_int_equal(ccm_record_join_shared(&shared, a, b), 0);
    assert_same(out, shared);
    json_decref(shared);
    xa = canon(a);
    xb = canon(b);
    assert_string_equal(ca, xa);
    assert_string_equal(cb, xb);
    free(ca);
    free(cb);
    free(xa);
    free(xb);
    return out;
}

static inline json_t *copy(const json_t *j)
{
    json_t *c = json_deep_copy(j);

    assert_non_null(c);
    return c;
}

static inline json_t *state(void)
{
    json_t *rec = ccm_record_new("state", "LAO");

    assert_non_null(rec);
    return rec;
}

#endif
