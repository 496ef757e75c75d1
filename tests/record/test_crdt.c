/*
 * test_crdt.c - unit tests of the record CRDT (store/record/crdt*.c): what each
 * operation does to a document, the merge cases one at a
 * time (supersede, concurrent conflicts, add-wins sets, tombstone, revival
 * of a deleted record: revive.c) and the arguments each refuses. Hostile documents are in
 * test_crdt_validate.c, the algebraic laws in test_crdt_laws.c, the views in test_record_view.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "store/record/record.h"

#include "tests/support/crdt_support.h"

/* Asserts the effective value of a scalar field (NULL: absent or cleared). */
static void assert_value(const json_t *rec, const char *field, const char *want)
{
    json_t *v = ccm_record_field_value(rec, field);

    if (want == NULL) {
        assert_null(v);
        return;
    }
    assert_true(json_is_string(v));
    assert_string_equal(json_string_value(v), want);
    json_decref(v);
}

/* Number of entries of a register field. */
static size_t entries(const json_t *rec, const char *field)
{
    return json_array_size(
        json_object_get(json_object_get(json_object_get(rec, "fields"), field), "r"));
}

static void test_crdt_new__is_empty_valid_and_canonical(void **state_)
{
    json_t *rec = state();

    (void)state_;
    assert_doc(rec, "{'fields':{},'id':'LAO','kind':'state','v':1}");
    assert_int_equal(ccm_record_validate(rec), 0);
    assert_int_equal(ccm_record_max_stamp(rec), 0);
    assert_false(ccm_record_is_deleted(rec));
    json_decref(rec);
}

static void test_crdt_new__rejects_unknown_kind_and_bad_id(void **state_)
{
    (void)state_;
    assert_null(ccm_record_new("planet", "LAO"));
    assert_int_equal(ccm_error_code(), CCM_EINVALID);
    assert_null(ccm_record_new(NULL, "LAO"));
    assert_null(ccm_record_new("state", NULL));
    assert_null(ccm_record_new("state", ""));
    assert_null(ccm_record_new("state", "a/b"));
    assert_null(ccm_record_new("state", "a\nb"));
    assert_int_equal(ccm_error_code(), CCM_EINVALID);
}

static void test_crdt_assign__sets_the_value(void **state_)
{
    json_t *rec = state();

    (void)state_;
    assert_int_equal(ccm_record_assign(rec, "name", "Laos", ST(1000, 0), "alice"), 0);
    assert_value(rec, "name", "Laos");
    assert_doc(rec, "{'fields':{'name':{'r':[{'m':'alice','s':65536000,'v':'Laos',"
                    "'vv':{'alice':65536000}}]}},'id':'LAO','kind':'state','v':1}");
    assert_int_equal(ccm_record_validate(rec), 0);
    json_decref(rec);
}

static void test_crdt_assign__later_assignment_supersedes(void **state_)
{
    json_t *rec = state();

    (void)state_;
    assert_int_equal(ccm_record_assign(rec, "status", "signatory", ST(10, 0), "alice"), 0);
    assert_int_equal(ccm_record_assign(rec, "status", "party", ST(20, 0), "bob"), 0);
    assert_value(rec, "status", "party");
    assert_int_equal(entries(rec, "status"), 1);
    assert_doc(json_object_get(json_object_get(rec, "fields"), "status"),
               "{'r':[{'m':'bob','s':1310720,'v':'party','vv':{'alice':655360,'bob':1310720}}]}");
    json_decref(rec);
}

static void test_crdt_assign__concurrent_keeps_loser_until_superseded(void **state_)
{
    json_t *base = state(), *a, *b, *j, *later, *back;

    (void)state_;
    a = copy(base);
    b = copy(base);
    assert_int_equal(ccm_record_assign(a, "status", "party", ST(10, 0), "alice"), 0);
    assert_int_equal(ccm_record_assign(b, "status", "signatory", ST(5, 0), "bob"), 0);
    j = join(a, b);
    assert_value(j, "status", "party"); /* greatest (s, m) wins */
    assert_int_equal(entries(j, "status"), 2);
    assert_string_equal(
        json_string_value(json_object_get(
            json_array_get(
                json_object_get(json_object_get(json_object_get(j, "fields"), "status"), "r"), 1),
            "v")),
        "signatory");

    /* carol has seen both: her assignment supersedes both, even with a smaller stamp */
    later = copy(j);
    assert_int_equal(ccm_record_assign(later, "status", "withdrawn", ST(3, 0), "carol"), 0);
    assert_int_equal(entries(later, "status"), 1);
    back = join(later, a);
    assert_value(back, "status", "withdrawn");
    assert_int_equal(entries(back, "status"), 1);
    json_decref(back);
    back = join(b, later);
    assert_same(back, later);
    json_decref(back);
    json_decref(later);
    json_decref(j);
    json_decref(a);
    json_decref(b);
    json_decref(base);
}

static void test_crdt_assign__null_clears_the_field(void **state_)
{
    json_t *rec = state();

    (void)state_;
    assert_int_equal(ccm_record_assign(rec, "region", "Asia", ST(1, 0), "alice"), 0);
    assert_int_equal(ccm_record_assign(rec, "region", NULL, ST(2, 0), "alice"), 0);
    assert_value(rec, "region", NULL);
    assert_int_equal(entries(rec, "region"), 1);
    assert_true(json_is_null(json_object_get(
        json_array_get(
            json_object_get(json_object_get(json_object_get(rec, "fields"), "region"), "r"), 0),
        "v")));
    assert_int_equal(ccm_record_validate(rec), 0);
    json_decref(rec);
}

static void test_crdt_assign__rejects_a_set_field(void **state_)
{
    json_t *rec = state();
    char *before;

    (void)state_;
    assert_int_equal(ccm_record_set_add(rec, "targets", "ccw", ST(1, 0), "alice"), 0);
    before = canon(rec);
    assert_int_equal(ccm_record_assign(rec, "targets", "x", ST(2, 0), "alice"), CCM_EINVALID);
    assert_doc(rec, before);
    free(before);
    json_decref(rec);
}

static void test_crdt_assign__rejects_a_stamp_not_after_the_members_last(void **state_)
{
    json_t *rec = state();
    char *before;

    (void)state_;
    assert_int_equal(ccm_record_assign(rec, "name", "a", ST(10, 0), "alice"), 0);
    before = canon(rec);
    assert_int_equal(ccm_record_assign(rec, "name", "b", ST(9, 0), "alice"), CCM_EINVALID);
    assert_doc(rec, before);
    /* One commit has one stamp: assigning again at that stamp replaces its
     * own assignment. */
    assert_int_equal(ccm_record_assign(rec, "name", "b", ST(10, 0), "alice"), 0);
    assert_value(rec, "name", "b");
    assert_int_equal(json_array_size(json_object_get(
                         json_object_get(json_object_get(rec, "fields"), "name"), "r")),
                     1);
    assert_int_equal(ccm_record_assign(rec, "name", "a", ST(10, 0), "alice"), 0);
    assert_doc(rec, before);
    assert_int_equal(ccm_record_assign(rec, "name", "b", ST(9, 0), "bob"), 0);
    free(before);
    json_decref(rec);
}

static void test_crdt_assign__rejects_bad_arguments(void **state_)
{
    json_t *rec = state(), *bad = load("{'v':1}");

    (void)state_;
    assert_int_equal(ccm_record_assign(rec, "Name", "a", ST(1, 0), "alice"), CCM_EINVALID);
    assert_int_equal(ccm_record_assign(rec, NULL, "a", ST(1, 0), "alice"), CCM_EINVALID);
    assert_int_equal(ccm_record_assign(rec, "name", "a", ST(1, 0), ""), CCM_EINVALID);
    assert_int_equal(ccm_record_assign(rec, "name", "a", ST(1, 0), NULL), CCM_EINVALID);
    assert_int_equal(ccm_record_assign(rec, "name", "a", UINT64_MAX, "alice"), CCM_EINVALID);
    assert_int_equal(ccm_record_assign(rec, "name", "\xff", ST(1, 0), "alice"), CCM_EINVALID);
    assert_int_equal(ccm_record_assign(bad, "name", "a", ST(1, 0), "alice"), CCM_EVERIFY);
    assert_int_equal(ccm_record_delete(bad, ST(1, 0), "alice"), CCM_EVERIFY);
    assert_int_equal(ccm_record_set_add(bad, "lead", "a", ST(1, 0), "alice"), CCM_EVERIFY);
    assert_doc(rec, "{'fields':{},'id':'LAO','kind':'state','v':1}");
    json_decref(bad);
    json_decref(rec);
}

/* Asserts the effective value of a set field, elements comma-separated
 * ("" for absent). */
static void assert_set(const json_t *rec, const char *field, const char *want)
{
    json_t *v = ccm_record_field_value(rec, field);
    char got[256] = "";
    size_t i;

    if (v != NULL) {
        assert_true(json_is_array(v));
        assert_true(json_array_size(v) > 0);
    }
    for (i = 0; i < json_array_size(v); i++) {
        if (i > 0) {
            strcat(got, ",");
        }
        strcat(got, json_string_value(json_array_get(v, i)));
    }
    assert_string_equal(got, want);
    json_decref(v);
}

static void test_crdt_set__add_and_remove(void **state_)
{
    json_t *rec = state();

    (void)state_;
    assert_int_equal(ccm_record_set_add(rec, "targets", "ccw", ST(1, 0), "alice"), 0);
    assert_int_equal(ccm_record_set_add(rec, "targets", "apmbc", ST(2, 0), "alice"), 0);
    assert_set(rec, "targets", "apmbc,ccw");
    assert_int_equal(ccm_record_set_remove(rec, "targets", "ccw", ST(3, 0), "bob"), 0);
    assert_set(rec, "targets", "apmbc");
    assert_doc(json_object_get(json_object_get(rec, "fields"), "targets"),
               "{'set':{'apmbc':{'a':[[131072,'alice']],'r':[]},"
               "'ccw':{'a':[],'r':[[65536,'alice']]}},'u':[196608,'bob']}");
    assert_int_equal(ccm_record_set_remove(rec, "targets", "apmbc", ST(4, 0), "bob"), 0);
    assert_set(rec, "targets", "");
    assert_int_equal(ccm_record_set_add(rec, "targets", "ccw", ST(5, 0), "alice"), 0);
    assert_set(rec, "targets", "ccw");
    assert_int_equal(ccm_record_validate(rec), 0);
    json_decref(rec);
}

static void test_crdt_set__concurrent_add_wins_over_remove(void **state_)
{
    json_t *base = state(), *a, *b, *j;

    (void)state_;
    assert_int_equal(ccm_record_set_add(base, "lead", "alice", ST(1, 0), "alice"), 0);
    a = copy(base);
    b = copy(base);
    assert_int_equal(ccm_record_set_remove(a, "lead", "alice", ST(9, 0), "bob"), 0);
    assert_int_equal(ccm_record_set_add(b, "lead", "alice", ST(5, 0), "carol"), 0);
    j = join(a, b);
    assert_set(j, "lead", "alice");
    json_decref(j);
    j = join(b, a);
    assert_set(j, "lead", "alice");
    json_decref(j);
    json_decref(a);
    json_decref(b);
    json_decref(base);
}

static void test_crdt_set__remove_of_unobserved_add_keeps_elem(void **state_)
{
    json_t *base = state(), *a, *b, *j;

    (void)state_;
    assert_int_equal(ccm_record_set_add(base, "targets", "ccw", ST(1, 0), "alice"), 0);
    a = copy(base);
    b = copy(base);
    /* b removes what it saw; a re-adds concurrently: b never saw that tag */
    assert_int_equal(ccm_record_set_add(a, "targets", "ccw", ST(2, 0), "alice"), 0);
    assert_int_equal(ccm_record_set_remove(b, "targets", "ccw", ST(3, 0), "bob"), 0);
    assert_set(b, "targets", "");
    j = join(a, b);
    assert_set(j, "targets", "ccw");
    json_decref(j);
    json_decref(a);
    json_decref(b);
    /* a remove on a replica that never saw the element at all */
    a = copy(base);
    b = state();
    assert_int_equal(ccm_record_set_remove(b, "targets", "ccw", ST(4, 0), "bob"), 0);
    j = join(b, a);
    assert_set(j, "targets", "ccw");
    json_decref(j);
    json_decref(a);
    json_decref(b);
    json_decref(base);
}

static void test_crdt_set__remove_of_absent_elem_only_bumps_u(void **state_)
{
    json_t *rec = state();

    (void)state_;
    assert_int_equal(ccm_record_set_remove(rec, "targets", "ccw", ST(7, 0), "bob"), 0);
    assert_doc(json_object_get(json_object_get(rec, "fields"), "targets"),
               "{'set':{},'u':[458752,'bob']}");
    assert_set(rec, "targets", "");
    assert_int_equal(ccm_record_set_add(rec, "targets", "ccw", ST(8, 0), "alice"), 0);
    assert_int_equal(ccm_record_set_remove(rec, "targets", "apmbc", ST(6, 0), "carol"), 0);
    /* "u" keeps the greatest (s, m) */
    assert_doc(json_object_get(json_object_get(json_object_get(rec, "fields"), "targets"), "u"),
               "[524288,'alice']");
    assert_int_equal(ccm_record_validate(rec), 0);
    json_decref(rec);
}

static void test_crdt_set__rejects_scalar_field_reused_tag_and_bad_elem(void **state_)
{
    json_t *rec = state();
    char *before;

    (void)state_;
    assert_int_equal(ccm_record_assign(rec, "name", "Laos", ST(1, 0), "alice"), 0);
    assert_int_equal(ccm_record_set_add(rec, "lead", "bob", ST(2, 0), "alice"), 0);
    assert_int_equal(ccm_record_set_remove(rec, "lead", "bob", ST(3, 0), "alice"), 0);
    before = canon(rec);
    assert_int_equal(ccm_record_set_add(rec, "name", "x", ST(4, 0), "alice"), CCM_EINVALID);
    assert_int_equal(ccm_record_set_remove(rec, "name", "x", ST(4, 0), "alice"), CCM_EINVALID);
    assert_int_equal(ccm_record_set_add(rec, "lead", "bob", ST(2, 0), "alice"), CCM_EINVALID);
    assert_int_equal(ccm_record_set_add(rec, "lead", "", ST(5, 0), "alice"), CCM_EINVALID);
    assert_int_equal(ccm_record_set_add(rec, "lead", NULL, ST(5, 0), "alice"), CCM_EINVALID);
    assert_int_equal(ccm_record_set_add(rec, "lead", "a\nb", ST(5, 0), "alice"), CCM_EINVALID);
    assert_int_equal(ccm_record_set_add(rec, "lead", "\xc3(", ST(5, 0), "alice"), CCM_EINVALID);
    assert_int_equal(ccm_record_set_remove(rec, "lead", "", ST(5, 0), "alice"), CCM_EINVALID);
    assert_doc(rec, before);
    free(before);
    json_decref(rec);
}

static void test_crdt_delete__sets_the_tombstone(void **state_)
{
    json_t *rec = state(), *old, *j;

    (void)state_;
    assert_int_equal(ccm_record_assign(rec, "name", "Laos", ST(1, 0), "alice"), 0);
    old = copy(rec);
    assert_int_equal(ccm_record_delete(rec, ST(2, 0), "bob"), 0);
    assert_true(ccm_record_is_deleted(rec));
    assert_int_equal(ccm_record_validate(rec), 0);
    assert_doc(json_object_get(rec, "rm"),
               "{'r':[{'m':'bob','s':131072,'v':'1','vv':{'bob':131072}}]}");
    /* a concurrent field change does not undo the deletion */
    assert_int_equal(ccm_record_assign(old, "name", "Lao PDR", ST(3, 0), "alice"), 0);
    j = join(old, rec);
    assert_true(ccm_record_is_deleted(j));
    assert_value(j, "name", "Lao PDR");
    json_decref(j);
    assert_false(ccm_record_is_deleted(old));
    assert_int_equal(ccm_record_delete(rec, ST(1, 0), "bob"), CCM_EINVALID);
    assert_int_equal(ccm_record_delete(rec, ST(2, 0), "bob"), 0); /* the same commit again */
    json_decref(old);
    json_decref(rec);
}

static void test_crdt_join__rejects_different_records(void **state_)
{
    json_t *lao = state(), *nor = ccm_record_new("state", "NOR"), *act = NULL, *out = NULL;

    (void)state_;
    act = ccm_record_new("activity", "LAO");
    assert_int_equal(ccm_record_join(&out, lao, nor), CCM_EVERIFY);
    assert_null(out);
    assert_int_equal(ccm_record_join(&out, lao, act), CCM_EVERIFY);
    assert_null(out);
    json_decref(act);
    json_decref(nor);
    json_decref(lao);
}

static void test_crdt_join__shares_nothing_with_its_inputs(void **state_)
{
    json_t *a = state(), *b = state(), *j;
    char *before;

    (void)state_;
    assert_int_equal(ccm_record_assign(a, "name", "Laos", ST(1, 0), "alice"), 0);
    assert_int_equal(ccm_record_set_add(b, "lead", "bob", ST(2, 0), "bob"), 0);
    j = join(a, b);
    before = canon(j);
    assert_int_equal(ccm_record_set_add(b, "lead", "carol", ST(3, 0), "bob"), 0);
    assert_int_equal(ccm_record_assign(a, "name", "Lao", ST(4, 0), "alice"), 0);
    assert_doc(j, before);
    free(before);
    json_decref(j);
    json_decref(a);
    json_decref(b);
}

/* Checks the three laws on three documents, in every order. */
static void test_record_undelete__revives_with_the_old_fields(void **state)
{
    json_t *rec = ccm_record_new("state", "IND"), *v, *copy, *joined = NULL;
    uint64_t st = (uint64_t)1 << 40;
    (void)state;

    assert_int_equal(ccm_record_assign(rec, "status", "party", st + 1, "Peru"), CCM_OK);
    assert_int_equal(ccm_record_delete(rec, st + 2, "Peru"), CCM_OK);
    assert_true(ccm_record_is_deleted(rec));
    copy = json_deep_copy(rec); /* a replica that saw only the deletion */
    assert_int_equal(ccm_record_undelete(rec, st + 3, "Norway"), CCM_OK);
    assert_false(ccm_record_is_deleted(rec));
    assert_int_equal(ccm_record_validate(rec), CCM_OK);
    v = ccm_record_field_value(rec, "status");
    assert_string_equal(json_string_value(v), "party");
    json_decref(v);
    /* The revival supersedes the deletion it saw, whatever the merge order. */
    assert_int_equal(ccm_record_join(&joined, copy, rec), CCM_OK);
    assert_false(ccm_record_is_deleted(joined));
    json_decref(joined);
    /* A member's stamps must increase, as for every assignment (the same
     * stamp is the same commit: it may assign again). */
    assert_int_equal(ccm_record_undelete(rec, st + 1, "Norway"), CCM_EINVALID);
    assert_int_equal(ccm_record_undelete(rec, st + 3, "Norway"), CCM_OK);
    json_decref(copy);
    json_decref(rec);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crdt_new__is_empty_valid_and_canonical),
        cmocka_unit_test(test_crdt_new__rejects_unknown_kind_and_bad_id),
        cmocka_unit_test(test_crdt_assign__sets_the_value),
        cmocka_unit_test(test_crdt_assign__later_assignment_supersedes),
        cmocka_unit_test(test_crdt_assign__concurrent_keeps_loser_until_superseded),
        cmocka_unit_test(test_crdt_assign__null_clears_the_field),
        cmocka_unit_test(test_crdt_assign__rejects_a_set_field),
        cmocka_unit_test(test_crdt_assign__rejects_a_stamp_not_after_the_members_last),
        cmocka_unit_test(test_crdt_assign__rejects_bad_arguments),
        cmocka_unit_test(test_crdt_set__add_and_remove),
        cmocka_unit_test(test_crdt_set__concurrent_add_wins_over_remove),
        cmocka_unit_test(test_crdt_set__remove_of_unobserved_add_keeps_elem),
        cmocka_unit_test(test_crdt_set__remove_of_absent_elem_only_bumps_u),
        cmocka_unit_test(test_crdt_set__rejects_scalar_field_reused_tag_and_bad_elem),
        cmocka_unit_test(test_crdt_delete__sets_the_tombstone),
        cmocka_unit_test(test_crdt_join__rejects_different_records),
        cmocka_unit_test(test_crdt_join__shares_nothing_with_its_inputs),
        cmocka_unit_test(test_record_undelete__revives_with_the_old_fields),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
