/*
 * fuzz_record.c - record documents (store/record/crdt*.c, record_view.c) from
 * untrusted bytes, as every decrypted record is: parse, ccm_record_validate,
 * and on a valid document the views, the join and the local operations.
 *
 * The input is one JSON document, or two or three separated by 0xff bytes
 * (which never occur in UTF-8 JSON). Invariants, checked canonically
 * (JSON_SORT_KEYS | JSON_COMPACT):
 *   - a valid document is canonical: join(x, x) == x;
 *   - what join returns is valid (the store writes it back);
 *   - join(a, b) == join(b, a) for two versions of one record, and
 *     join(join(a, b), a) == join(a, b);
 *   - join(join(a, b), c) == join(a, join(b, c)) for three;
 *   - records of different kind or id do not join;
 *   - a local operation after every stamp in x gives a valid y with
 *     join(x, y) == y (operations only move up the lattice).
 */
#include "fuzz_common.h"

#include <stdlib.h>
#include <string.h>

#include "store/record/record.h"

/* Parsed by jansson, a superset of what the store reads (only canonical
 * text, ccm_json_load), so that mutated inputs still reach the validator;
 * NUL bytes in strings included: the validator promises to reject those
 * itself. */
#define LOAD_FLAGS (JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL)
#define CANON (JSON_SORT_KEYS | JSON_COMPACT)
#define MEMBER "zz-fuzz"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_setup();
    return 0;
}

/* 1 if two documents serialise to the same canonical bytes. */
static int same(const json_t *a, const json_t *b)
{
    char *sa = json_dumps(a, CANON), *sb = json_dumps(b, CANON);
    int eq = sa != NULL && sb != NULL && strcmp(sa, sb) == 0;
    if (!eq && sa != NULL && sb != NULL) {
        fprintf(stderr, "fuzz: documents differ:\n  %s\n  %s\n", sa, sb);
    }
    free(sa);
    free(sb);
    return eq;
}

/* join(x, y) must be y (y is x after a local operation). */
static void check_inflation(const json_t *x, const json_t *y)
{
    json_t *j = NULL;

    FUZZ_CHECK(ccm_record_validate(y) == 0);
    FUZZ_CHECK(ccm_record_join(&j, x, y) == 0);
    FUZZ_CHECK(same(j, y));
    json_decref(j);
}

/* Local operations on a valid record, stamped after everything in it. */
static void check_operations(const json_t *x)
{
    uint64_t max = ccm_record_max_stamp(x);
    const json_t *fields = json_object_get(x, "fields");
    static const char *const spare[] = {"targets", "lead", "fuzz_set", "fuzz_set_2", NULL};
    const char *set_field = NULL, *name, *elem = NULL;
    json_t *y, *f;
    int rc;

    if (max >= (uint64_t)INT64_MAX - 8) {
        return;
    }
    /* A set field of x (and one of its elements) if there is one. */
    json_object_foreach((json_t *)fields, name, f)
    {
        if (json_object_get(f, "set") != NULL) {
            const char *e;
            json_t *v;
            set_field = name;
            json_object_foreach(json_object_get(f, "set"), e, v)
            {
                elem = e;
                break;
            }
            break;
        }
    }
    /* Else a field name x does not use: the add creates the set. */
    for (size_t i = 0; set_field == NULL && spare[i] != NULL; i++) {
        if (json_object_get(fields, spare[i]) == NULL) {
            set_field = spare[i];
        }
    }

    y = json_deep_copy(x);
    rc = ccm_record_assign(y, "next_step", "fuzz value", max + 1, MEMBER);
    FUZZ_CHECK(rc == 0 || rc == CCM_EINVALID);
    if (rc == 0) {
        json_t *v = ccm_record_field_value(y, "next_step");
        FUZZ_CHECK(json_is_string(v) && strcmp(json_string_value(v), "fuzz value") == 0);
        json_decref(v);
        check_inflation(x, y);
        rc = ccm_record_assign(y, "next_step", NULL, max + 2, MEMBER);
        FUZZ_CHECK(rc == 0 && ccm_record_field_value(y, "next_step") == NULL);
        check_inflation(x, y);
    }
    json_decref(y);

    if (set_field != NULL) {
        y = json_deep_copy(x);
        FUZZ_CHECK(ccm_record_set_add(y, set_field, "fuzz-elem", max + 1, MEMBER) == 0);
        check_inflation(x, y);
        if (elem != NULL) {
            FUZZ_CHECK(ccm_record_set_remove(y, set_field, elem, max + 2, MEMBER) == 0);
            check_inflation(x, y);
        }
        json_decref(y);
    }

    y = json_deep_copy(x);
    FUZZ_CHECK(ccm_record_delete(y, max + 1, MEMBER) == 0);
    FUZZ_CHECK(ccm_record_is_deleted(y) == 1);
    check_inflation(x, y);
    json_decref(y);
}

/* Everything that reads one valid document. */
static void check_one(const json_t *x)
{
    json_t *view = ccm_record_view(x), *blame = ccm_record_blame(x), *j = NULL, *f;
    const char *name;

    FUZZ_CHECK(view != NULL && blame != NULL);
    json_object_foreach(json_object_get(x, "fields"), name, f)
    {
        json_t *v = ccm_record_field_value(x, name);
        json_t *shown = json_object_get(json_object_get(view, "fields"), name);
        FUZZ_CHECK(v == NULL ? shown == NULL : json_equal(v, shown));
        FUZZ_CHECK(json_object_get(blame, name) != NULL);
        json_decref(v);
    }
    (void)ccm_record_is_deleted(x);
    json_decref(view);
    json_decref(blame);

    /* Idempotence: a valid document is its own join. */
    FUZZ_CHECK(ccm_record_join(&j, x, x) == 0);
    FUZZ_CHECK(same(j, x));
    json_decref(j);

    check_operations(x);
}

static int same_record(const json_t *a, const json_t *b)
{
    return json_equal(json_object_get(a, "kind"), json_object_get(b, "kind")) &&
           json_equal(json_object_get(a, "id"), json_object_get(b, "id"));
}

/* Two valid documents. */
static void check_two(const json_t *a, const json_t *b)
{
    json_t *ab = NULL, *ba = NULL, *aba = NULL, *abab = NULL;
    int rc = ccm_record_join(&ab, a, b);

    if (!same_record(a, b)) {
        FUZZ_CHECK(rc == CCM_EVERIFY && ab == NULL);
        FUZZ_CHECK(ccm_record_join(&ba, b, a) == CCM_EVERIFY && ba == NULL);
        return;
    }
    FUZZ_CHECK(rc == 0);
    FUZZ_CHECK(ccm_record_join(&ba, b, a) == 0);
    FUZZ_CHECK(same(ab, ba)); /* commutative */
    FUZZ_CHECK(ccm_record_validate(ab) == 0);
    FUZZ_CHECK(ccm_record_join(&aba, ab, a) == 0);
    FUZZ_CHECK(same(aba, ab)); /* absorbs what it joined */
    FUZZ_CHECK(ccm_record_join(&abab, ab, ab) == 0);
    FUZZ_CHECK(same(abab, ab));
    json_decref(ab);
    json_decref(ba);
    json_decref(aba);
    json_decref(abab);
}

/* Three valid versions of one record (pairwise checked already). */
static void check_three(const json_t *a, const json_t *b, const json_t *c)
{
    json_t *ab = NULL, *bc = NULL, *ab_c = NULL, *a_bc = NULL;

    FUZZ_CHECK(ccm_record_join(&ab, a, b) == 0 && ccm_record_join(&bc, b, c) == 0);
    FUZZ_CHECK(ccm_record_join(&ab_c, ab, c) == 0 && ccm_record_join(&a_bc, a, bc) == 0);
    FUZZ_CHECK(same(ab_c, a_bc)); /* associative */
    json_decref(ab);
    json_decref(bc);
    json_decref(ab_c);
    json_decref(a_bc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *doc[3] = {NULL, NULL, NULL};
    int valid[3] = {0, 0, 0};
    size_t n = 0, start = 0;

    /* Up to three documents separated by 0xff (a third 0xff stays in the
     * last document, which then does not parse). */
    while (n < 3) {
        const uint8_t *sep = n < 2 ? memchr(data + start, 0xff, size - start) : NULL;
        size_t end = sep ? (size_t)(sep - data) : size;
        doc[n] = json_loadb((const char *)data + start, end - start, LOAD_FLAGS, NULL);
        n++;
        if (!sep) {
            break;
        }
        start = end + 1;
    }
    for (size_t i = 0; i < n; i++) {
        int rc;
        /* Tolerates any shape, valid or not. */
        (void)ccm_record_max_stamp(doc[i]);
        if (doc[i] == NULL) {
            continue;
        }
        rc = ccm_record_validate(doc[i]);
        FUZZ_CHECK(rc == 0 || rc == CCM_EVERIFY);
        valid[i] = rc == 0;
        if (valid[i]) {
            check_one(doc[i]);
        } else if (i == 0) {
            json_t *j = NULL;
            FUZZ_CHECK(ccm_record_view(doc[i]) == NULL && ccm_record_blame(doc[i]) == NULL);
            FUZZ_CHECK(ccm_record_join(&j, doc[i], doc[i]) == CCM_EVERIFY && j == NULL);
        }
    }
    for (size_t i = 0; i < n; i++) {
        for (size_t j = i + 1; j < n; j++) {
            if (valid[i] && valid[j]) {
                check_two(doc[i], doc[j]);
            }
        }
    }
    if (n == 3 && valid[0] && valid[1] && valid[2] && same_record(doc[0], doc[1]) &&
        same_record(doc[1], doc[2])) {
        check_three(doc[0], doc[1], doc[2]);
    }
    for (size_t i = 0; i < n; i++) {
        json_decref(doc[i]);
    }
    ccm_error_clear();
    return 0;
}
