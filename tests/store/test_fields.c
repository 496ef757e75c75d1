/*
 * test_fields.c - field operations (store/fields.c): field=value, field=,
 * field+=item and field-=item are parsed and validated in full before
 * anything is written, with one-line messages naming the problem; applied to
 * a record in a real (uncommitted) transaction, a set assignment replaces the
 * set, an empty one empties it, and removing an absent element changes
 * nothing. Checked against the records and the roster before writing, a
 * typo of a known field is refused unless the record uses that name, and
 * lead/by names outside the group are refused (strict) or come back as
 * warnings, once per name, as do past members.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "store/store.h"

/* ---- helpers: parsing ---------------------------------------------------- */

/* Parses the NULL-terminated arguments into *ops; returns the code. */
static int parse_args(ccm_field_ops *ops, const char *kind, const char *const *args)
{
    char *argv[16];
    int argc = 0;

    while (args[argc]) {
        assert_true(argc < 16);
        argv[argc] = (char *)args[argc];
        argc++;
    }
    return ccm_field_ops_parse(ops, kind, argc, argv);
}

/* Parses one argument that must be accepted and checks the single op. */
static void expect_op(const char *kind, const char *arg, ccm_field_op_kind op, const char *field,
                      const char *value)
{
    const char *args[] = {arg, NULL};
    ccm_field_ops ops = {0};

    assert_int_equal(parse_args(&ops, kind, args), CCM_OK);
    assert_int_equal(ops.n, 1);
    assert_int_equal(ops.ops[0].op, op);
    assert_string_equal(ops.ops[0].field, field);
    if (value) {
        assert_non_null(ops.ops[0].value);
        assert_string_equal(ops.ops[0].value, value);
    } else {
        assert_null(ops.ops[0].value);
    }
    ccm_field_ops_free(&ops);
}

/* Parses one argument that must be refused with CCM_EINVALID, a message
 * containing each of the NULL-terminated fragments, and nothing left in
 * *ops. */
static void expect_rejected(const char *kind, const char *arg, ...)
{
    const char *args[] = {arg, NULL};
    ccm_field_ops ops = {0};
    const char *frag;
    va_list ap;

    ccm_error_clear();
    assert_int_equal(parse_args(&ops, kind, args), CCM_EINVALID);
    assert_int_equal(ops.n, 0);
    assert_null(ops.ops);
    assert_int_equal(ccm_error_code(), CCM_EINVALID);
    if (strchr(ccm_error_last(), '\n')) {
        fail_msg("message for '%s' is not one line: \"%s\"", arg, ccm_error_last());
    }
    va_start(ap, arg);
    while ((frag = va_arg(ap, const char *)) != NULL) {
        if (!strstr(ccm_error_last(), frag)) {
            fail_msg("message for '%s' is \"%s\"; expected it to contain \"%s\"", arg,
                     ccm_error_last(), frag);
        }
    }
    va_end(ap);
}

/* ---- parsing: accepted forms ----------------------------------------------- */

static void test_fields_parse__set_scalar(void **state)
{
    (void)state;
    expect_op("state", "status=party", CCM_FIELD_SET, "status", "party");
    expect_op("state", "priority=high", CCM_FIELD_SET, "priority", "high");
    expect_op("state", "last_contact=2024-02-29", CCM_FIELD_SET, "last_contact", "2024-02-29");
    expect_op("activity", "type=bilateral", CCM_FIELD_SET, "type", "bilateral");
    expect_op("activity", "status=done", CCM_FIELD_SET, "status", "done");
}

static void test_fields_parse__empty_value_clears(void **state)
{
    (void)state;
    expect_op("state", "status=", CCM_FIELD_CLEAR, "status", NULL);
    expect_op("state", "targets=", CCM_FIELD_CLEAR, "targets", NULL);
    expect_op("activity", "summary=", CCM_FIELD_CLEAR, "summary", NULL);
}

static void test_fields_parse__add_and_remove_on_sets(void **state)
{
    (void)state;
    expect_op("state", "targets+=apmbc", CCM_FIELD_ADD, "targets", "apmbc");
    expect_op("state", "targets-=ccw", CCM_FIELD_REMOVE, "targets", "ccw");
    expect_op("state", "lead+=Peru", CCM_FIELD_ADD, "lead", "Peru");
    expect_op("state", "lead-=Absent", CCM_FIELD_REMOVE, "lead", "Absent");
    expect_op("activity", "states+=LAO", CCM_FIELD_ADD, "states", "LAO");
    expect_op("activity", "by-=Norway", CCM_FIELD_REMOVE, "by", "Norway");
}

static void test_fields_parse__comma_list_for_set_fields(void **state)
{
    (void)state;
    expect_op("state", "targets=apmbc,ccw", CCM_FIELD_SET, "targets", "apmbc,ccw");
    expect_op("state", "survey_reasons=cost,capacity,other", CCM_FIELD_SET, "survey_reasons",
              "cost,capacity,other");
    expect_op("activity", "states=LAO,NOR,PER", CCM_FIELD_SET, "states", "LAO,NOR,PER");
}

static void test_fields_parse__comma_in_a_scalar_is_text(void **state)
{
    (void)state;
    expect_op("state", "next_step=call, then visit", CCM_FIELD_SET, "next_step",
              "call, then visit");
}

static void test_fields_parse__value_may_contain_equals_signs(void **state)
{
    (void)state;
    expect_op("activity", "summary=a=b+=c-=d", CCM_FIELD_SET, "summary", "a=b+=c-=d");
}

static void test_fields_parse__user_defined_field_is_text(void **state)
{
    (void)state;
    expect_op("state", "capital_2=Vientiane", CCM_FIELD_SET, "capital_2", "Vientiane");
}

static void test_fields_parse__keeps_every_argument_in_order(void **state)
{
    const char *args[] = {"status=party", "targets+=ccw", "lead-=Peru", "region=", NULL};
    ccm_field_ops ops = {0};

    (void)state;
    assert_int_equal(parse_args(&ops, "state", args), CCM_OK);
    assert_int_equal(ops.n, 4);
    assert_int_equal(ops.ops[0].op, CCM_FIELD_SET);
    assert_string_equal(ops.ops[0].field, "status");
    assert_int_equal(ops.ops[1].op, CCM_FIELD_ADD);
    assert_string_equal(ops.ops[1].field, "targets");
    assert_int_equal(ops.ops[2].op, CCM_FIELD_REMOVE);
    assert_string_equal(ops.ops[2].field, "lead");
    assert_int_equal(ops.ops[3].op, CCM_FIELD_CLEAR);
    assert_string_equal(ops.ops[3].field, "region");
    ccm_field_ops_free(&ops);
    assert_int_equal(ops.n, 0);
    assert_null(ops.ops);
    ccm_field_ops_free(&ops); /* twice is harmless */
}

static void test_fields_parse__no_arguments_is_empty(void **state)
{
    const char *args[] = {NULL};
    ccm_field_ops ops = {0};

    (void)state;
    assert_int_equal(parse_args(&ops, "state", args), CCM_OK);
    assert_int_equal(ops.n, 0);
    ccm_field_ops_free(&ops);
}

static void test_fields_parse__field_name_of_64_characters_is_the_limit(void **state)
{
    char name64[65], arg64[80], arg65[80];

    (void)state;
    memset(name64, 'a', 64);
    name64[64] = 0;
    snprintf(arg64, sizeof(arg64), "%s=x", name64);
    snprintf(arg65, sizeof(arg65), "a%s=x", name64);
    expect_op("state", arg64, CCM_FIELD_SET, name64, "x");
    expect_rejected("state", arg65, "invalid field name", NULL);
}

/* ---- parsing: rejections ----------------------------------------------------- */

static void test_fields_parse__rejects_upper_case_field_name(void **state)
{
    (void)state;
    expect_rejected("state", "Foo=1", "invalid field name 'Foo'", NULL);
    expect_rejected("state", "Status+=x", "invalid field name 'Status'", NULL);
}

static void test_fields_parse__rejects_field_name_starting_with_a_digit(void **state)
{
    (void)state;
    expect_rejected("state", "1x=1", "invalid field name '1x'", NULL);
}

static void test_fields_parse__rejects_dash_in_field_name(void **state)
{
    (void)state;
    expect_rejected("state", "a-b=1", "invalid field name 'a-b'", NULL);
    expect_rejected("state", "a-b+=1", "invalid field name 'a-b'", NULL);
}

static void test_fields_parse__rejects_empty_field_name(void **state)
{
    (void)state;
    expect_rejected("state", "=x", "invalid field name ''", NULL);
    expect_rejected("state", "+=x", "invalid field name ''", NULL);
}

static void test_fields_parse__rejects_argument_without_equals(void **state)
{
    (void)state;
    expect_rejected("state", "noequals", "'noequals'", "field=value", "field+=item", NULL);
    expect_rejected("state", "", "invalid field argument", NULL);
}

static void test_fields_parse__rejects_add_on_scalar(void **state)
{
    (void)state;
    expect_rejected("state", "status+=party", "'status' is not a set field", NULL);
    expect_rejected("state", "last_contact-=2024-01-01", "'last_contact' is not a set field", NULL);
    expect_rejected("activity", "summary+=x", "'summary' is not a set field", NULL);
}

static void test_fields_parse__rejects_unknown_enum_value_listing_accepted_ones(void **state)
{
    (void)state;
    expect_rejected("state", "status=bogus", "'bogus'",
                    "party, signatory, non-party, withdrawing, withdrawn", NULL);
    expect_rejected("state", "priority=urgent", "'urgent'", "high, medium, low", NULL);
    expect_rejected("activity", "type=party", "'party'", "bilateral, survey", NULL);
    /* the accepted values depend on the kind */
    expect_rejected("activity", "status=party", "'party'", "planned, done, cancelled", NULL);
}

static void test_fields_parse__rejects_unknown_element_in_a_comma_list(void **state)
{
    (void)state;
    expect_rejected("state", "targets=apmbc,bogus", "'bogus'", "apmbc", "ccw", NULL);
    expect_rejected("state", "targets+=bogus", "'bogus'", "apmbc", NULL);
    expect_rejected("state", "targets+=", "apmbc", NULL);
    expect_rejected("state", "lead=Peru,no way", "'no way'", NULL);
}

static void test_fields_parse__rejects_bad_date(void **state)
{
    (void)state;
    expect_rejected("state", "last_contact=2025-02-30", "'2025-02-30'", "last_contact", NULL);
    expect_rejected("state", "last_contact=yesterday", "'yesterday'", "YYYY-MM-DD", NULL);
    expect_rejected("activity", "date=2024-13-01", "'2024-13-01'", NULL);
}

static void test_fields_parse__rejects_unknown_iso_code_in_activity_states(void **state)
{
    (void)state;
    expect_rejected("activity", "states=LAO,XYZ", "'XYZ'", "ISO 3166-1", NULL);
    expect_rejected("activity", "states-=ZZZ", "'ZZZ'", NULL);
}

static void test_fields_parse__rejects_changing_id(void **state)
{
    (void)state;
    expect_rejected("state", "id=x", "'id'", NULL);
    expect_rejected("activity", "id=", "'id'", NULL);
}

static void test_fields_parse__rejects_the_whole_list_for_one_bad_argument(void **state)
{
    const char *args[] = {"status=party", "targets+=ccw", "Foo=1", "region=Asia", NULL};
    ccm_field_ops ops = {0};

    (void)state;
    assert_int_equal(parse_args(&ops, "state", args), CCM_EINVALID);
    assert_int_equal(ops.n, 0);
    assert_null(ops.ops);
    assert_non_null(strstr(ccm_error_last(), "'Foo'"));
}

static void test_fields_parse__rejects_control_characters_in_text(void **state)
{
    (void)state;
    expect_rejected("state",
                    "next_step=a\x01"
                    "b",
                    "next_step", NULL);
}

static void test_fields_parse__message_stays_on_one_line(void **state)
{
    (void)state;
    /* expect_rejected checks that the message has no newline */
    expect_rejected("state", "status=par\nty", "status", NULL);
    expect_rejected("state", "Fo\no=1", "invalid field name", NULL);
    expect_rejected("state", "no\nequals", "invalid field argument", NULL);
}

/* ---- checking against the records and the roster ----------------------------- */

static json_t *roster_of_three(void)
{
    return json_pack("{s:[{s:s},{s:s},{s:s, s:s}]}", "members", "name", "Peru", "name", "Norway",
                     "name", "Malawi", "removed", "2025-01-01T00:00:00Z");
}

/* Parses the NULL-terminated arguments, which must be accepted, and checks
 * them; returns the code of the check. */
static int check_args(const char *kind, const char *const *args, const json_t *in_use,
                      const json_t *roster, int strict, json_t *warnings)
{
    ccm_field_ops ops = {0};
    int rc;

    assert_int_equal(parse_args(&ops, kind, args), CCM_OK);
    rc = ccm_field_ops_check(&ops, kind, in_use, roster, strict, warnings);
    ccm_field_ops_free(&ops);
    return rc;
}

static void test_fields_check__a_typo_of_a_known_field_is_refused_unless_in_use(void **state)
{
    const char *args[] = {"statuss=party", NULL};
    json_t *in_use = json_pack("{s:s}", "statuss", "x");

    (void)state;
    assert_int_equal(check_args("state", args, NULL, NULL, 1, NULL), CCM_EINVALID);
    assert_non_null(strstr(ccm_error_last(), "did you mean 'status'?"));
    assert_int_equal(check_args("state", args, in_use, NULL, 1, NULL), CCM_OK);
    json_decref(in_use);
}

static void test_fields_check__names_outside_the_group_come_back_as_warnings(void **state)
{
    const char *args[] = {"lead=Nobody,Peru", "lead+=Nobody", "lead+=Malawi", "next_step=Nobody",
                          NULL};
    const char *by[] = {"by+=Nobody", "by+=Other", NULL};
    json_t *roster = roster_of_three(), *warnings = json_array();

    (void)state;
    assert_int_equal(check_args("state", args, NULL, roster, 0, warnings), CCM_OK);
    assert_int_equal(json_array_size(warnings), 2);
    assert_string_equal(json_string_value(json_array_get(warnings, 0)),
                        "'Nobody' is not a member of the group");
    assert_string_equal(json_string_value(json_array_get(warnings, 1)),
                        "'Malawi' is a past member of the group (removed)");
    /* Once per name, across calls sharing the array. */
    assert_int_equal(check_args("activity", by, NULL, roster, 0, warnings), CCM_OK);
    assert_int_equal(json_array_size(warnings), 3);
    assert_string_equal(json_string_value(json_array_get(warnings, 2)),
                        "'Other' is not a member of the group");
    /* No array: no warnings kept, same result. */
    assert_int_equal(check_args("state", args, NULL, roster, 0, NULL), CCM_OK);
    json_decref(warnings);
    json_decref(roster);
}

static void test_fields_check__strict_refuses_names_outside_the_group(void **state)
{
    const char *nobody[] = {"lead+=Nobody", NULL}, *typo[] = {"lead+=Nrway", NULL};
    const char *past[] = {"lead+=Malawi", NULL};
    json_t *roster = roster_of_three(), *warnings = json_array();

    (void)state;
    assert_int_equal(check_args("state", nobody, NULL, roster, 1, warnings), CCM_EINVALID);
    assert_string_equal(ccm_error_last(),
                        "'Nobody' is not a member of the group (members: Peru, Norway, Malawi)");
    assert_int_equal(check_args("state", typo, NULL, roster, 1, warnings), CCM_EINVALID);
    assert_non_null(strstr(ccm_error_last(), "did you mean 'Norway'?"));
    assert_int_equal(json_array_size(warnings), 0);
    /* A past member is accepted, with a warning, even when strict. */
    assert_int_equal(check_args("state", past, NULL, roster, 1, warnings), CCM_OK);
    assert_int_equal(json_array_size(warnings), 1);
    json_decref(warnings);
    json_decref(roster);
}

/* ---- applying, in a real transaction that is never committed --------------- */

static char base_dir[640];
static char store_dir[700];
static ccm_store *store;

static int group_setup(void **state)
{
    const char *base = getenv("CCM_TEST_TMP");
    char tmpl[600];

    (void)state;
    if (base && *base) {
        mkdir(base, 0700);
    }
    snprintf(tmpl, sizeof(tmpl), "%s/store-fields-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(tmpl)) {
        return -1;
    }
    snprintf(base_dir, sizeof(base_dir), "%s", tmpl);
    snprintf(store_dir, sizeof(store_dir), "%s/s", tmpl);
    setenv("CCMSYNC_LOCK_TIMEOUT", "2", 1);
    if (ccm_store_init(store_dir, "Peru", NULL, 0) != CCM_OK ||
        ccm_store_open(&store, store_dir) != CCM_OK || ccm_store_unlock(store, NULL, 0) != CCM_OK) {
        return -1;
    }
    return 0;
}

static int group_teardown(void **state)
{
    char cmd[800];

    (void)state;
    ccm_store_free(store);
    store = NULL;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base_dir);
    return system(cmd) == 0 ? 0 : -1;
}

typedef struct {
    ccm_txn *txn;
    json_t *rec;
} apply_ctx;

static int apply_setup(void **state)
{
    apply_ctx *c = calloc(1, sizeof(*c));

    if (!c || ccm_txn_begin(&c->txn, store) != CCM_OK ||
        !(c->rec = ccm_record_new("state", "LAO"))) {
        if (c) {
            ccm_txn_free(c->txn);
        }
        free(c);
        return -1;
    }
    *state = c;
    return 0;
}

static int apply_teardown(void **state)
{
    apply_ctx *c = *state;

    json_decref(c->rec);
    ccm_txn_free(c->txn); /* no commit: discards everything */
    free(c);
    return 0;
}

/* Parses and applies the NULL-terminated arguments to c->rec. */
static void apply(apply_ctx *c, const char *const *args)
{
    ccm_field_ops ops = {0};

    assert_int_equal(parse_args(&ops, json_string_value(json_object_get(c->rec, "kind")), args),
                     CCM_OK);
    assert_int_equal(ccm_field_ops_apply(c->rec, &ops, c->txn, "Peru"), CCM_OK);
    ccm_field_ops_free(&ops);
    assert_int_equal(ccm_record_validate(c->rec), CCM_OK);
}

static void apply1(apply_ctx *c, const char *arg)
{
    const char *args[] = {arg, NULL};
    apply(c, args);
}

/* Checks a set field's elements (sorted, NULL-terminated); an empty list
 * also accepts an absent field. */
static void expect_set(const json_t *rec, const char *field, const char *const *elems)
{
    json_t *v = ccm_record_field_value(rec, field);
    size_t n = 0;

    while (elems[n]) {
        n++;
    }
    if (n == 0 && v == NULL) {
        return;
    }
    assert_non_null(v);
    assert_true(json_is_array(v));
    if (json_array_size(v) != n) {
        char *dump = json_dumps(v, JSON_COMPACT);
        fail_msg("'%s' is %s; expected %zu elements", field, dump ? dump : "?", n);
    }
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(json_string_value(json_array_get(v, i)), elems[i]);
    }
    json_decref(v);
}

static void expect_scalar(const json_t *rec, const char *field, const char *value)
{
    json_t *v = ccm_record_field_value(rec, field);

    if (!value) {
        assert_null(v);
        return;
    }
    assert_non_null(v);
    assert_true(json_is_string(v));
    assert_string_equal(json_string_value(v), value);
    json_decref(v);
}

static void test_fields_apply__sets_and_clears_a_scalar(void **state)
{
    apply_ctx *c = *state;

    apply1(c, "status=party");
    expect_scalar(c->rec, "status", "party");
    apply1(c, "status=signatory");
    expect_scalar(c->rec, "status", "signatory");
    apply1(c, "status=");
    expect_scalar(c->rec, "status", NULL);
}

static void test_fields_apply__set_assignment_replaces_the_set(void **state)
{
    apply_ctx *c = *state;
    const char *first[] = {"apmbc", "ccw", NULL};
    const char *second[] = {"ccw", "signatory", NULL};

    apply1(c, "targets=apmbc,ccw");
    expect_set(c->rec, "targets", first);
    apply1(c, "targets=ccw,signatory");
    expect_set(c->rec, "targets", second);
}

static void test_fields_apply__empty_set_assignment_empties_the_set(void **state)
{
    apply_ctx *c = *state;
    const char *two[] = {"apmbc", "ccw", NULL};
    const char *none[] = {NULL};

    apply1(c, "targets=apmbc,ccw");
    expect_set(c->rec, "targets", two);
    apply1(c, "targets=");
    expect_set(c->rec, "targets", none);
}

static void test_fields_apply__add_and_remove_elements(void **state)
{
    apply_ctx *c = *state;
    const char *args[] = {"lead+=Peru", "lead+=Norway", "lead+=Chile", "lead-=Norway", NULL};
    const char *left[] = {"Chile", "Peru", NULL};

    apply(c, args);
    expect_set(c->rec, "lead", left);
}

static void test_fields_apply__adding_a_present_element_keeps_one(void **state)
{
    apply_ctx *c = *state;
    const char *one[] = {"ccw", NULL};

    apply1(c, "targets+=ccw");
    apply1(c, "targets+=ccw");
    expect_set(c->rec, "targets", one);
}

static void test_fields_apply__removing_an_absent_element_changes_nothing(void **state)
{
    apply_ctx *c = *state;
    const char *one[] = {"Peru", NULL};
    json_t *before;

    apply1(c, "lead+=Peru");
    before = json_deep_copy(c->rec);
    assert_non_null(before);
    apply1(c, "lead-=Absent");
    expect_set(c->rec, "lead", one);
    /* not even a new stamp: the document is the same */
    assert_true(json_equal(before, c->rec));
    apply1(c, "targets-=ccw"); /* a set never touched */
    assert_true(json_equal(before, c->rec));
    json_decref(before);
}

static void test_fields_apply__reassigning_the_same_set_changes_nothing(void **state)
{
    apply_ctx *c = *state;
    json_t *before;

    apply1(c, "targets=apmbc,ccw");
    before = json_deep_copy(c->rec);
    assert_non_null(before);
    apply1(c, "targets=ccw,apmbc");
    assert_true(json_equal(before, c->rec));
    json_decref(before);
}

static void test_fields_apply__operations_apply_in_order(void **state)
{
    apply_ctx *c = *state;
    const char *args[] = {"targets=apmbc,ccw",
                          "targets-=apmbc",
                          "targets+=unga-yes",
                          "status=party",
                          "status=",
                          "priority=low",
                          NULL};
    const char *left[] = {"ccw", "unga-yes", NULL};

    apply(c, args);
    expect_set(c->rec, "targets", left);
    expect_scalar(c->rec, "status", NULL);
    expect_scalar(c->rec, "priority", "low");
}

static void test_fields_apply__stamps_changes_with_the_member(void **state)
{
    apply_ctx *c = *state;
    json_t *blame;

    apply1(c, "status=party");
    apply1(c, "lead+=Norway");
    blame = ccm_record_blame(c->rec);
    assert_non_null(blame);
    assert_string_equal(json_string_value(json_object_get(json_object_get(blame, "status"), "by")),
                        "Peru");
    assert_string_equal(json_string_value(json_object_get(json_object_get(blame, "lead"), "by")),
                        "Peru");
    assert_true(ccm_record_max_stamp(c->rec) > 0);
    json_decref(blame);
}

static void test_fields_apply__works_on_activity_sets(void **state)
{
    apply_ctx *c = *state;
    const char *states[] = {"NOR", "PER", NULL};

    json_decref(c->rec);
    c->rec = ccm_record_new("activity", "0123abcd");
    assert_non_null(c->rec);
    apply1(c, "states=LAO,NOR");
    apply1(c, "states=PER,NOR");
    expect_set(c->rec, "states", states);
}

int main(void)
{
    const struct CMUnitTest parse_tests[] = {
        cmocka_unit_test(test_fields_parse__set_scalar),
        cmocka_unit_test(test_fields_parse__empty_value_clears),
        cmocka_unit_test(test_fields_parse__add_and_remove_on_sets),
        cmocka_unit_test(test_fields_parse__comma_list_for_set_fields),
        cmocka_unit_test(test_fields_parse__comma_in_a_scalar_is_text),
        cmocka_unit_test(test_fields_parse__value_may_contain_equals_signs),
        cmocka_unit_test(test_fields_parse__user_defined_field_is_text),
        cmocka_unit_test(test_fields_parse__keeps_every_argument_in_order),
        cmocka_unit_test(test_fields_parse__no_arguments_is_empty),
        cmocka_unit_test(test_fields_parse__field_name_of_64_characters_is_the_limit),
        cmocka_unit_test(test_fields_parse__rejects_upper_case_field_name),
        cmocka_unit_test(test_fields_parse__rejects_field_name_starting_with_a_digit),
        cmocka_unit_test(test_fields_parse__rejects_dash_in_field_name),
        cmocka_unit_test(test_fields_parse__rejects_empty_field_name),
        cmocka_unit_test(test_fields_parse__rejects_argument_without_equals),
        cmocka_unit_test(test_fields_parse__rejects_add_on_scalar),
        cmocka_unit_test(test_fields_parse__rejects_unknown_enum_value_listing_accepted_ones),
        cmocka_unit_test(test_fields_parse__rejects_unknown_element_in_a_comma_list),
        cmocka_unit_test(test_fields_parse__rejects_bad_date),
        cmocka_unit_test(test_fields_parse__rejects_unknown_iso_code_in_activity_states),
        cmocka_unit_test(test_fields_parse__rejects_changing_id),
        cmocka_unit_test(test_fields_parse__rejects_the_whole_list_for_one_bad_argument),
        cmocka_unit_test(test_fields_parse__rejects_control_characters_in_text),
        cmocka_unit_test(test_fields_parse__message_stays_on_one_line),
    };
    const struct CMUnitTest apply_tests[] = {
        cmocka_unit_test_setup_teardown(test_fields_apply__sets_and_clears_a_scalar, apply_setup,
                                        apply_teardown),
        cmocka_unit_test_setup_teardown(test_fields_apply__set_assignment_replaces_the_set,
                                        apply_setup, apply_teardown),
        cmocka_unit_test_setup_teardown(test_fields_apply__empty_set_assignment_empties_the_set,
                                        apply_setup, apply_teardown),
        cmocka_unit_test_setup_teardown(test_fields_apply__add_and_remove_elements, apply_setup,
                                        apply_teardown),
        cmocka_unit_test_setup_teardown(test_fields_apply__adding_a_present_element_keeps_one,
                                        apply_setup, apply_teardown),
        cmocka_unit_test_setup_teardown(
            test_fields_apply__removing_an_absent_element_changes_nothing, apply_setup,
            apply_teardown),
        cmocka_unit_test_setup_teardown(test_fields_apply__reassigning_the_same_set_changes_nothing,
                                        apply_setup, apply_teardown),
        cmocka_unit_test_setup_teardown(test_fields_apply__operations_apply_in_order, apply_setup,
                                        apply_teardown),
        cmocka_unit_test_setup_teardown(test_fields_apply__stamps_changes_with_the_member,
                                        apply_setup, apply_teardown),
        cmocka_unit_test_setup_teardown(test_fields_apply__works_on_activity_sets, apply_setup,
                                        apply_teardown),
    };
    const struct CMUnitTest check_tests[] = {
        cmocka_unit_test(test_fields_check__a_typo_of_a_known_field_is_refused_unless_in_use),
        cmocka_unit_test(test_fields_check__names_outside_the_group_come_back_as_warnings),
        cmocka_unit_test(test_fields_check__strict_refuses_names_outside_the_group),
    };
    int failed = cmocka_run_group_tests_name("fields_parse", parse_tests, NULL, NULL);
    failed += cmocka_run_group_tests_name("fields_check", check_tests, NULL, NULL);
    failed += cmocka_run_group_tests_name("fields_apply", apply_tests, group_setup, group_teardown);
    return failed;
}
