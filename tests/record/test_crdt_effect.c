/*
 * test_crdt_effect.c - what one commit may make of a record
 * (store/record/crdt_effect.c): every honest operation at the commit's stamp
 * passes; each way a member could forge a version (another's name, another
 * stamp, a vector claiming more than was seen, a roll-back, a dropped field,
 * element or tag, a type switch, a value the schema refuses, a required field
 * cleared, someone else's note) is refused, naming the record and field. And
 * the effect of a commit (ccm_record_effect), joined with the rest, gives the
 * version back.
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

#define S1 ST(1000, 0)
#define S2 ST(2000, 0)
#define S3 ST(3000, 0)

static void assert_value_is(const json_t *rec, const char *field, const char *want)
{
    json_t *v = ccm_record_field_value(rec, field);
    assert_string_equal(json_string_value(v), want);
    json_decref(v);
}

static void assert_ok(const json_t *old, const json_t *neu, const char *m, uint64_t s)
{
    if (ccm_record_check_effect(old, neu, m, s, NULL) != CCM_OK) {
        fail_msg("refused: %s", ccm_error_last());
    }
}

static void assert_refused(const json_t *old, const json_t *neu, const char *m, uint64_t s,
                           const char *why)
{
    assert_int_equal(ccm_record_check_effect(old, neu, m, s, NULL), CCM_EVERIFY);
    if (why && !strstr(ccm_error_last(), why)) {
        fail_msg("message '%s' lacks '%s'", ccm_error_last(), why);
    }
    assert_null(strchr(ccm_error_last(), '\n'));
}

/* LAO as Peru left it at S1: status, a target, a lead. */
static json_t *lao(void)
{
    json_t *r = ccm_record_new("state", "LAO");
    assert_non_null(r);
    assert_int_equal(ccm_record_assign(r, "status", "signatory", S1, "Peru"), 0);
    assert_int_equal(ccm_record_set_add(r, "targets", "apmbc", S1, "Peru"), 0);
    assert_int_equal(ccm_record_set_add(r, "lead", "Peru", S1, "Peru"), 0);
    return r;
}

static void test_effect__honest_operations_pass(void **state)
{
    json_t *old = lao(), *neu;
    (void)state;
    assert_ok(NULL, old, "Peru", S1); /* a new record */
    neu = copy(old);
    assert_int_equal(ccm_record_assign(neu, "status", "party", S2, "Norway"), 0);
    assert_int_equal(ccm_record_assign(neu, "region", "Asia", S2, "Norway"), 0);
    assert_int_equal(ccm_record_set_add(neu, "targets", "ccw", S2, "Norway"), 0);
    assert_int_equal(ccm_record_set_remove(neu, "targets", "apmbc", S2, "Norway"), 0);
    assert_int_equal(ccm_record_assign(neu, "next_step", "line 1\nline 2", S2, "Norway"), 0);
    assert_ok(old, neu, "Norway", S2);
    json_decref(neu);
    neu = copy(old);
    assert_int_equal(ccm_record_assign(neu, "status", NULL, S2, "Norway"), 0); /* cleared */
    assert_int_equal(ccm_record_delete(neu, S2, "Norway"), 0);
    assert_ok(old, neu, "Norway", S2);
    assert_ok(old, old, "Norway", S2); /* unchanged */
    json_decref(neu);
    json_decref(old);
}

static void test_effect__attribution_and_stamp_are_the_commits(void **state)
{
    json_t *old = lao(), *neu = copy(old);
    (void)state;
    assert_int_equal(ccm_record_assign(neu, "status", "party", S2, "Peru"), 0);
    assert_refused(old, neu, "Norway", S2, "attributed to 'Peru'"); /* Norway writes as Peru */
    assert_refused(old, neu, "Peru", S3, "another stamp");          /* not the commit's stamp */
    json_decref(neu);
    neu = copy(old);
    assert_int_equal(ccm_record_set_add(neu, "targets", "ccw", S2, "Peru"), 0);
    assert_refused(old, neu, "Norway", S2, "added by another");
    json_decref(neu);
    json_decref(old);
}

static void test_effect__a_vector_claiming_more_than_was_seen_is_refused(void **state)
{
    json_t *old = lao(), *neu = copy(old), *e;
    (void)state;
    assert_int_equal(ccm_record_assign(neu, "status", "party", S2, "Norway"), 0);
    e = json_array_get(
        json_object_get(json_object_get(json_object_get(neu, "fields"), "status"), "r"), 0);
    /* Peru's component pushed far ahead: Peru's next edit would be refused. */
    json_object_set_new(json_object_get(e, "vv"), "Peru", json_integer((json_int_t)ST(9e12, 0)));
    assert_refused(old, neu, "Norway", S2, "version vector");
    json_decref(neu);
    json_decref(old);
}

static void test_effect__nothing_is_dropped_or_rolled_back(void **state)
{
    json_t *old = lao(), *neu, *v1 = lao(), *v2;
    (void)state;
    /* a field dropped */
    neu = copy(old);
    json_object_del(json_object_get(neu, "fields"), "lead");
    assert_refused(old, neu, "Peru", S2, "dropped");
    json_decref(neu);
    /* a set element dropped */
    neu = copy(old);
    json_object_del(
        json_object_get(json_object_get(json_object_get(neu, "fields"), "targets"), "set"),
        "apmbc");
    assert_refused(old, neu, "Peru", S2, "disappeared");
    json_decref(neu);
    /* the older version put back (a roll-back) */
    v2 = copy(v1);
    assert_int_equal(ccm_record_assign(v2, "status", "party", S2, "Norway"), 0);
    assert_int_equal(ccm_record_set_remove(v2, "targets", "apmbc", S2, "Norway"), 0);
    assert_refused(v2, v1, "Norway", S3, NULL);
    /* a removal undone */
    neu = copy(v2);
    assert_int_equal(ccm_record_set_add(neu, "targets", "apmbc", S3, "Norway"), 0);
    assert_ok(v2, neu, "Norway", S3); /* adding again is fine: a new tag */
    json_object_set_new(
        json_object_get(
            json_object_get(json_object_get(json_object_get(neu, "fields"), "targets"), "set"),
            "apmbc"),
        "r", json_array());
    assert_refused(v2, neu, "Norway", S3, "removal was undone");
    json_decref(neu);
    json_decref(v1);
    json_decref(v2);
    json_decref(old);
}

static void test_effect__schema_and_types_are_checked(void **state)
{
    json_t *old = lao(), *neu;
    (void)state;
    neu = copy(old);
    assert_int_equal(ccm_record_assign(neu, "status", "bogus", S2, "Norway"), 0);
    assert_refused(old, neu, "Norway", S2, "unknown status 'bogus'");
    json_decref(neu);
    neu = copy(old);
    assert_int_equal(ccm_record_assign(neu, "region", "Asia\x1b[2J", S2, "Norway"), 0);
    assert_refused(old, neu, "Norway", S2, "control character");
    json_decref(neu);
    neu = copy(old);
    assert_int_equal(ccm_record_assign(neu, "name", "Laos\nFake line", S2, "Norway"), 0);
    assert_refused(old, neu, "Norway", S2, "one line");
    json_decref(neu);
    neu = copy(old);
    assert_int_equal(ccm_record_set_add(neu, "targets", "friends", S2, "Norway"), 0);
    assert_refused(old, neu, "Norway", S2, "unknown target 'friends'");
    json_decref(neu);
    /* a set field written as a single value */
    neu = ccm_record_new("state", "LAO");
    assert_int_equal(ccm_record_assign(neu, "lead", "Peru", S2, "Norway"), 0);
    assert_refused(NULL, neu, "Norway", S2, "is a set in the schema");
    json_decref(neu);
    /* an id that is not an ISO code */
    neu = ccm_record_new("state", "XXX");
    assert_int_equal(ccm_record_assign(neu, "status", "party", S2, "Norway"), 0);
    assert_refused(NULL, neu, "Norway", S2, "unknown state code");
    json_decref(neu);
    json_decref(old);
}

static void test_effect__note_recipients_are_members(void **state)
{
    json_t *old = lao(), *neu = copy(old), *note = ccm_record_new("note", "0123456789abcdef"),
           *members = json_pack("{s:b, s:b}", "Peru", 1, "Norway", 1);
    (void)state;
    /* a lead may be a coordinator not in the group yet */
    assert_int_equal(ccm_record_set_add(neu, "lead", "Mallory", S2, "Norway"), 0);
    assert_int_equal(ccm_record_check_effect(old, neu, "Norway", S2, members), CCM_OK);
    /* a note's recipient may not */
    assert_int_equal(ccm_record_assign(note, "on", "state/LAO", S2, "Norway"), 0);
    assert_int_equal(ccm_record_assign(note, "author", "Norway", S2, "Norway"), 0);
    assert_int_equal(ccm_record_assign(note, "sealed", "x", S2, "Norway"), 0);
    assert_int_equal(ccm_record_set_add(note, "to", "Norway", S2, "Norway"), 0);
    assert_int_equal(ccm_record_check_effect(NULL, note, "Norway", S2, members), CCM_OK);
    assert_int_equal(ccm_record_set_add(note, "to", "Mallory", S2, "Norway"), 0);
    assert_int_equal(ccm_record_check_effect(NULL, note, "Norway", S2, members), CCM_EVERIFY);
    assert_non_null(strstr(ccm_error_last(), "'Mallory' was never a member"));
    json_decref(note);
    json_decref(neu);
    json_decref(members);
    json_decref(old);
}

static void test_effect__one_commit_adds_a_bounded_amount(void **state)
{
    json_t *old = lao(), *neu = copy(old), *n = NULL;
    char f[32];
    (void)state;
    for (int i = 0; i <= CCM_COMMIT_NEW_FIELDS_MAX; i++) {
        snprintf(f, sizeof(f), "extra_%d", i);
        assert_int_equal(ccm_record_assign(neu, f, "x", S2, "Norway"), 0);
    }
    assert_refused(old, neu, "Norway", S2, "fields added by one commit");
    json_decref(neu);
    /* A register keeps one value per member: forks of one member's chain
     * cannot grow it. */
    neu = copy(old);
    n = copy(old);
    assert_int_equal(ccm_record_assign(neu, "region", "fork-a", S2, "Norway"), 0);
    assert_int_equal(ccm_record_assign(n, "region", "fork-b", S3, "Norway"), 0);
    {
        json_t *j = join(neu, n), *r;
        r = json_object_get(json_object_get(json_object_get(j, "fields"), "region"), "r");
        assert_int_equal(json_array_size(r), 1);
        assert_value_is(j, "region", "fork-b");
        json_decref(j);
    }
    json_decref(n);
    json_decref(neu);
    json_decref(old);
}

static void test_effect__required_fields_stay(void **state)
{
    json_t *a = ccm_record_new("activity", "0123456789abcdef"), *b;
    (void)state;
    assert_int_equal(ccm_record_assign(a, "type", "bilateral", S1, "Peru"), 0);
    assert_refused(NULL, a, "Peru", S1, "needs it"); /* no date */
    assert_int_equal(ccm_record_assign(a, "date", "2025-03-01", S1, "Peru"), 0);
    assert_ok(NULL, a, "Peru", S1);
    b = copy(a);
    assert_int_equal(ccm_record_assign(b, "date", NULL, S2, "Norway"), 0);
    assert_refused(a, b, "Norway", S2, "cannot be cleared");
    json_decref(b);
    json_decref(a);
}

static json_t *note(void)
{
    json_t *n = ccm_record_new("note", "00000000000000aa");
    assert_int_equal(ccm_record_assign(n, "on", "state:LAO", S1, "Peru"), 0);
    assert_int_equal(ccm_record_assign(n, "author", "Peru", S1, "Peru"), 0);
    assert_int_equal(ccm_record_assign(n, "sealed", "c2VhbGVk", S1, "Peru"), 0);
    assert_int_equal(ccm_record_set_add(n, "to", "Peru", S1, "Peru"), 0);
    assert_int_equal(ccm_record_set_add(n, "to", "Norway", S1, "Peru"), 0);
    return n;
}

static void test_effect__only_authors_and_recipients_change_notes(void **state)
{
    json_t *old = note(), *neu;
    (void)state;
    assert_ok(NULL, old, "Peru", S1);
    assert_refused(NULL, old, "Malawi", S1, NULL); /* authored as Peru by Malawi */
    neu = copy(old);
    assert_int_equal(ccm_record_assign(neu, "sealed", "b3RoZXI=", S2, "Malawi"), 0);
    assert_refused(old, neu, "Malawi", S2, "only the note's author");
    json_decref(neu);
    neu = copy(old);
    assert_int_equal(ccm_record_set_add(neu, "to", "Malawi", S2, "Malawi"), 0);
    assert_refused(old, neu, "Malawi", S2, "not a recipient");
    json_decref(neu);
    neu = copy(old);
    assert_int_equal(ccm_record_set_add(neu, "to", "Malawi", S2, "Norway"), 0);
    assert_ok(old, neu, "Norway", S2); /* a recipient shares */
    json_decref(neu);
    neu = copy(old);
    assert_int_equal(ccm_record_set_remove(neu, "to", "Norway", S2, "Peru"), 0);
    assert_refused(old, neu, "Peru", S2, "never removed");
    json_decref(neu);
    json_decref(old);
}

/* The join of every commit's effect gives the last version back, and a
 * version whose one commit is left out comes back to the one before. */
static void test_effect__effects_replay_to_the_version(void **state)
{
    json_t *v1 = lao(), *v2 = copy(v1), *v3, *e1 = NULL, *e2 = NULL, *e3 = NULL, *j = NULL,
           *k = NULL;
    (void)state;
    assert_int_equal(ccm_record_assign(v2, "status", "party", S2, "Norway"), 0);
    assert_int_equal(ccm_record_set_remove(v2, "targets", "apmbc", S2, "Norway"), 0);
    v3 = copy(v2);
    assert_int_equal(ccm_record_assign(v3, "region", "Asia", S3, "Peru"), 0);
    assert_int_equal(ccm_record_effect(&e1, NULL, v1), CCM_OK);
    assert_int_equal(ccm_record_effect(&e2, v1, v2), CCM_OK);
    assert_int_equal(ccm_record_effect(&e3, v2, v3), CCM_OK);
    assert_int_equal(ccm_record_join(&j, e1, e2), CCM_OK);
    assert_int_equal(ccm_record_join(&k, j, e3), CCM_OK);
    assert_same(k, v3);
    json_decref(k);
    /* Norway's commit left out: status and the target come back */
    assert_int_equal(ccm_record_join(&k, e1, e3), CCM_OK);
    {
        json_t *st = ccm_record_field_value(k, "status"),
               *tg = ccm_record_field_value(k, "targets");
        assert_string_equal(json_string_value(st), "signatory");
        assert_string_equal(json_string_value(json_array_get(tg, 0)), "apmbc");
        json_decref(st);
        json_decref(tg);
    }
    json_decref(k);
    json_decref(j);
    json_decref(e1);
    json_decref(e2);
    json_decref(e3);
    json_decref(v1);
    json_decref(v2);
    json_decref(v3);
}

/* One commit has one stamp: it may assign a field twice, add an element
 * twice, remove and add it back; an older stamp may not re-add what a
 * later commit removed. */
static void test_effect__one_stamp_per_commit_operations(void **state)
{
    json_t *old = lao(), *neu = copy(old), *tg;
    (void)state;
    assert_int_equal(ccm_record_assign(neu, "region", "A", S2, "Norway"), 0);
    assert_int_equal(ccm_record_assign(neu, "region", "B", S2, "Norway"), 0);
    assert_int_equal(ccm_record_set_add(neu, "targets", "ccw", S2, "Norway"), 0);
    assert_int_equal(ccm_record_set_add(neu, "targets", "ccw", S2, "Norway"), 0);
    assert_int_equal(ccm_record_set_remove(neu, "targets", "ccw", S2, "Norway"), 0);
    assert_int_equal(ccm_record_set_add(neu, "targets", "ccw", S2, "Norway"), 0);
    assert_ok(old, neu, "Norway", S2);
    tg = ccm_record_field_value(neu, "targets");
    assert_int_equal(json_array_size(tg), 2);
    json_decref(tg);
    assert_int_equal(ccm_record_set_remove(neu, "targets", "apmbc", S3, "Peru"), 0);
    assert_int_equal(ccm_record_set_add(neu, "targets", "apmbc", S1, "Peru"), CCM_EINVALID);
    json_decref(neu);
    json_decref(old);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_effect__honest_operations_pass),
        cmocka_unit_test(test_effect__attribution_and_stamp_are_the_commits),
        cmocka_unit_test(test_effect__a_vector_claiming_more_than_was_seen_is_refused),
        cmocka_unit_test(test_effect__nothing_is_dropped_or_rolled_back),
        cmocka_unit_test(test_effect__schema_and_types_are_checked),
        cmocka_unit_test(test_effect__required_fields_stay),
        cmocka_unit_test(test_effect__note_recipients_are_members),
        cmocka_unit_test(test_effect__one_commit_adds_a_bounded_amount),
        cmocka_unit_test(test_effect__only_authors_and_recipients_change_notes),
        cmocka_unit_test(test_effect__effects_replay_to_the_version),
        cmocka_unit_test(test_effect__one_stamp_per_commit_operations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
