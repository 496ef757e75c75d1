/*
 * test_import.c - import (store/import.c), one rule each: the JSON shape
 * (states and activities arrays of objects, other keys ignored, duplicate
 * keys and malformed text refused), ids (a state's ISO code; an activity's
 * 16 hex digits, or none for a new activity, which needs a type and a
 * date), field values (a string, an array of strings without commas, null;
 * checked as field operations, date forms included; computed fields
 * skipped), CSV (states with `id` first, activities with an `id` column
 * anywhere else or none, ';' in set cells, empty cells left alone, cell
 * counts, the header), JSON or CSV told by the name or the text, every
 * refusal one line naming where; then against the group (typos refused,
 * names outside it accepted with warnings returned as data) and in a store
 * (one commit, unknown activity ids, fill-only writes).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "store/store.h"
#include "tests/support/store_support.h"
#include "tests/support/tmpdir.h"

#define ACT_ID "0123456789abcdef"

/* Parses `text` named `name`, which must be accepted. */
static void parse_ok(ccm_import *imp, const char *name, const char *text)
{
    int rc = ccm_import_parse(imp, name, text, strlen(text));

    if (rc != CCM_OK) {
        fail_msg("refused: %s", ccm_error_last());
    }
}

/* 1 if `text` matches `pattern`, where '*' stands for any run of bytes. */
static int matches(const char *pattern, const char *text)
{
    if (!*pattern) {
        return !*text;
    }
    if (*pattern == '*') {
        for (const char *t = text;; t++) {
            if (matches(pattern + 1, t)) {
                return 1;
            }
            if (!*t) {
                return 0;
            }
        }
    }
    return *pattern == *text && matches(pattern + 1, text + 1);
}

/* Parses `text`, which must be refused with CCM_EINVALID and a one-line
 * message matching `msg` ('*': anything), leaving the import empty. */
static void parse_refused(const char *name, const char *text, const char *msg)
{
    ccm_import imp = {(ccm_import_record *)1, 99, 99};

    assert_int_equal(ccm_import_parse(&imp, name, text, strlen(text)), CCM_EINVALID);
    assert_null(imp.records);
    assert_int_equal(imp.n, 0);
    assert_null(strchr(ccm_error_last(), '\n'));
    if (!matches(msg, ccm_error_last())) {
        fail_msg("message '%s', expected '%s'", ccm_error_last(), msg);
    }
}

/* The operation on `field` of a record, or NULL. */
static const ccm_field_op *op_on(const ccm_import_record *r, const char *field)
{
    for (size_t i = 0; i < r->ops.n; i++) {
        if (strcmp(r->ops.ops[i].field, field) == 0) {
            return &r->ops.ops[i];
        }
    }
    return NULL;
}

static void expect_op(const ccm_import_record *r, const char *field, ccm_field_op_kind kind,
                      const char *value)
{
    const ccm_field_op *op = op_on(r, field);

    if (!op) {
        fail_msg("no operation on '%s'", field);
    }
    assert_int_equal(op->op, kind);
    if (value) {
        assert_string_equal(op->value, value);
    } else {
        assert_null(op->value);
    }
}

/* ---- JSON ------------------------------------------------------------------ */

static void test_import_json__states_and_activities_in_order(void **state)
{
    ccm_import imp;

    (void)state;
    parse_ok(&imp, "x.json",
             "{\"meta\": {\"v\": 1}, \"activities\": [{\"fields\": {\"type\": \"ipu\", "
             "\"date\": \"2025-03-06\"}}, {\"id\": \"" ACT_ID "\", \"fields\": {}, "
             "\"meta\": {}, \"conflicts\": {}}], \"states\": [{\"id\": \"LAO\", \"fields\": "
             "{\"status\": \"party\"}}, {\"id\": \"NOR\"}]}");
    assert_int_equal(imp.n, 4);
    /* States first, then activities, each in the document's order. */
    assert_string_equal(imp.records[0].kind, "state");
    assert_string_equal(imp.records[0].id, "LAO");
    expect_op(&imp.records[0], "status", CCM_FIELD_SET, "party");
    assert_string_equal(imp.records[1].id, "NOR");
    assert_int_equal(imp.records[1].ops.n, 0);
    assert_string_equal(imp.records[2].kind, "activity");
    assert_int_equal(imp.records[2].is_new, 1);
    assert_int_equal(strlen(imp.records[2].id), 16);
    assert_int_equal(strspn(imp.records[2].id, "0123456789abcdef"), 16);
    assert_string_equal(imp.records[3].id, ACT_ID);
    assert_int_equal(imp.records[3].is_new, 0);
    ccm_import_free(&imp);
    ccm_import_free(&imp); /* twice is harmless */
    ccm_import_free(NULL);
}

static void test_import_json__the_document_shape_is_checked(void **state)
{
    (void)state;
    parse_refused("x.json", "[]", "import: the JSON document is not an object");
    parse_refused(NULL, " {\"states\": [{\"id\": \"LAO\"}]} []",
                  "import: malformed JSON at line 1: *");
    parse_refused("x.json", "{\"states\": [", "import: malformed JSON at line 1: *");
    parse_refused("x.json", "{\"states\": [], \"states\": []}",
                  "import: malformed JSON at line 1: duplicate object key*");
    parse_refused("x.json", "{\"states\": {}}", "import: 'states' must be an array");
    parse_refused("x.json", "{\"activities\": 3}", "import: 'activities' must be an array");
    parse_refused("x.json", "{\"states\": [{\"id\": \"LAO\"}, 7]}",
                  "import: states[1]: not an object");
    parse_refused("x.json", "{\"states\": [{\"id\": \"LAO\", \"fields\": []}]}",
                  "import: states[0]: 'fields' must be an object");
}

static void test_import_json__ids(void **state)
{
    ccm_import imp;

    (void)state;
    parse_refused("x.json", "{\"states\": [{\"fields\": {}}]}",
                  "import: states[0]: missing 'id' (an ISO 3166-1 alpha-3 code)");
    parse_refused("x.json", "{\"states\": [{\"id\": \"XXX\"}]}", "import: states[0]: *XXX*");
    parse_refused("x.json", "{\"states\": [{\"id\": \"lao\"}]}", "import: states[0]: *");
    parse_refused("x.json", "{\"activities\": [{\"id\": \"0123\"}]}",
                  "import: activities[0]: invalid activity id (16 hex digits, or leave it out)");
    parse_refused("x.json", "{\"activities\": [{\"id\": \"0123456789ABCDEF\"}]}",
                  "import: activities[0]: invalid activity id*");
    parse_refused("x.json", "{\"activities\": [{\"id\": 5}]}",
                  "import: activities[0]: invalid activity id*");
    /* null is no id: a new activity. */
    parse_ok(&imp, NULL,
             "{\"activities\": [{\"id\": null, \"fields\": {\"type\": \"ipu\", \"date\": "
             "\"2025-01-01\"}}]}");
    assert_int_equal(imp.records[0].is_new, 1);
    ccm_import_free(&imp);
}

static void test_import_json__a_new_activity_needs_type_and_date(void **state)
{
    ccm_import imp;

    (void)state;
    parse_refused("x.json",
                  "{\"activities\": [{\"fields\": {\"type\": \"ipu\", \"date\": \"2025-01-01\"}},"
                  " {\"fields\": {\"type\": \"ipu\"}}]}",
                  "import: activity 2: a new activity needs 'type' and 'date'");
    parse_refused("x.json", "{\"activities\": [{\"fields\": {\"date\": \"2025-01-01\"}}]}",
                  "import: activity 1: a new activity needs 'type' and 'date'");
    /* An activity with an id may change one field (if it exists: see the
     * store tests). */
    parse_ok(&imp, "x.json",
             "{\"activities\": [{\"id\": \"" ACT_ID "\", \"fields\": {\"summary\": \"s\"}}]}");
    ccm_import_free(&imp);
}

static void test_import_json__values_are_strings_arrays_or_null(void **state)
{
    ccm_import imp;

    (void)state;
    parse_ok(&imp, "x.json",
             "{\"states\": [{\"id\": \"LAO\", \"fields\": {\"region\": \"Asia, South-East\", "
             "\"targets\": [\"apmbc\", \"ccw\"], \"lead\": [], \"status\": null, "
             "\"priority\": \"\", \"last_activity\": \"2020-01-01\"}}]}");
    expect_op(&imp.records[0], "region", CCM_FIELD_SET, "Asia, South-East");
    expect_op(&imp.records[0], "targets", CCM_FIELD_SET, "apmbc,ccw");
    expect_op(&imp.records[0], "lead", CCM_FIELD_CLEAR, NULL);
    expect_op(&imp.records[0], "status", CCM_FIELD_CLEAR, NULL);
    expect_op(&imp.records[0], "priority", CCM_FIELD_CLEAR, NULL);
    /* A computed field, as `state list --json` prints it, is skipped. */
    assert_null(op_on(&imp.records[0], "last_activity"));
    assert_int_equal(imp.records[0].ops.n, 5);
    ccm_import_free(&imp);
    parse_refused("x.json", "{\"states\": [{\"id\": \"LAO\", \"fields\": {\"region\": 5}}]}",
                  "import: states[0]: 'region' must be a string, an array of strings or null");
    parse_refused("x.json",
                  "{\"states\": [{\"id\": \"LAO\", \"fields\": {\"targets\": [\"ccw\", 1]}}]}",
                  "import: states[0]: 'targets' holds a non-string element");
    parse_refused("x.json",
                  "{\"states\": [{\"id\": \"LAO\", \"fields\": {\"lead\": [\"Peru, Norway\"]}}]}",
                  "import: states[0]: 'lead' element 'Peru, Norway' contains a comma");
}

static void test_import_json__values_are_checked_as_field_operations(void **state)
{
    ccm_import imp;

    (void)state;
    parse_refused("x.json",
                  "{\"states\": [{\"id\": \"LAO\"}, {\"id\": \"NOR\", \"fields\": {\"status\": "
                  "\"bogus\"}}]}",
                  "import: states[1]: *bogus*party, signatory*");
    parse_refused("x.json", "{\"states\": [{\"id\": \"LAO\", \"fields\": {\"Bad-Name\": \"x\"}}]}",
                  "import: states[0]: *Bad-Name*");
    parse_refused("x.json", "{\"states\": [{\"id\": \"LAO\", \"fields\": {\"id\": \"NOR\"}}]}",
                  "import: states[0]: 'id' cannot be changed");
    parse_refused("x.json",
                  "{\"activities\": [{\"id\": \"" ACT_ID "\", \"fields\": {\"states\": "
                  "[\"XXX\"]}}]}",
                  "import: activities[0]: *XXX*");
    parse_refused("x.json",
                  "{\"activities\": [{\"fields\": {\"type\": \"ipu\", \"date\": \"2025-01-32\"}}]}",
                  "import: activities[0]: *2025-01-32*");
    parse_refused("x.json", "{\"activities\": [{\"fields\": {\"type\": \"ipu\", \"date\": null}}]}",
                  "import: activities[0]: *date*");
    /* Date forms are the day they name; state codes in any case. */
    setenv("CCMSYNC_TODAY", "2025-03-01", 1);
    parse_ok(&imp, "x.json",
             "{\"activities\": [{\"fields\": {\"type\": \"ipu\", \"date\": \"-1d\", "
             "\"states\": [\"lao\", \"NOR\"]}}]}");
    unsetenv("CCMSYNC_TODAY");
    expect_op(&imp.records[0], "date", CCM_FIELD_SET, "2025-02-28");
    expect_op(&imp.records[0], "states", CCM_FIELD_SET, "LAO,NOR");
    ccm_import_free(&imp);
}

/* ---- CSV ------------------------------------------------------------------- */

static void test_import_csv__states_with_id_first(void **state)
{
    ccm_import imp;

    (void)state;
    parse_ok(&imp, "s.csv",
             "\xEF\xBB\xBFid,status,targets,region,next_step\r\n"
             "NOR,party,,\"Europe, \"\"Nordic\"\"\",\r\n"
             "MWI,party,interim-steps;unga-yes,Africa,\"call\nthen write\"\r\n");
    assert_int_equal(imp.n, 2);
    assert_string_equal(imp.records[0].kind, "state");
    assert_string_equal(imp.records[0].id, "NOR");
    /* Empty cells leave the field alone: no operation. */
    assert_int_equal(imp.records[0].ops.n, 2);
    expect_op(&imp.records[0], "region", CCM_FIELD_SET, "Europe, \"Nordic\"");
    expect_op(&imp.records[1], "targets", CCM_FIELD_SET, "interim-steps,unga-yes");
    expect_op(&imp.records[1], "next_step", CCM_FIELD_SET, "call\nthen write");
    ccm_import_free(&imp);
}

static void test_import_csv__activities_with_or_without_an_id_column(void **state)
{
    ccm_import imp;

    (void)state;
    parse_ok(&imp, "a.csv",
             "type,date,states,by,summary,id\n"
             "ipu,2025-09-02,NOR,,IPU assembly,\n"
             "bilateral,2025-09-03,MWI;KEN,Peru,,"
             "" ACT_ID "\n");
    assert_int_equal(imp.n, 2);
    assert_string_equal(imp.records[0].kind, "activity");
    assert_int_equal(imp.records[0].is_new, 1);
    assert_int_equal(imp.records[0].ops.n, 4);
    assert_string_equal(imp.records[1].id, ACT_ID);
    assert_int_equal(imp.records[1].is_new, 0);
    expect_op(&imp.records[1], "states", CCM_FIELD_SET, "MWI,KEN");
    assert_null(op_on(&imp.records[1], "id"));
    ccm_import_free(&imp);
    parse_refused("a.csv", "type,summary\nipu,no date\n",
                  "import: activity 1: a new activity needs 'type' and 'date'");
}

static void test_import_csv__rows_and_header_are_checked(void **state)
{
    (void)state;
    parse_refused("s.csv", "", "import: empty CSV file");
    parse_refused("s.csv", "\n\r\n", "import: empty CSV file");
    parse_refused("s.csv", "id,status\nLAO,party\nNOR\n",
                  "import: line 3: 1 cells, but the header has 2");
    parse_refused("s.csv", "id,status\nLAO,party,high\n",
                  "import: line 2: 3 cells, but the header has 2");
    parse_refused("s.csv", "id,status\nLAO,bogus\n", "import: line 2: *bogus*party, signatory*");
    parse_refused("s.csv", "id,Status\nLAO,party\n", "import: header column 2: *Status*");
    parse_refused("s.csv", "id,status,id\n",
                  "import: header column 3: 'id' appears twice in "
                  "the header");
    parse_refused("a.csv", "type,id,date,id\n",
                  "import: header column 4: 'id' appears twice in the header");
    parse_refused("s.csv", "id,status\nXXX,party\n", "import: line 2: *XXX*");
    parse_refused("s.csv", "id,status\n\"LAO,party\n", "import: unterminated quoted CSV cell");
}

static void test_import__json_or_csv_by_name_then_by_text(void **state)
{
    const char *csv = "id,status\nLAO,party\n", *json = "  \n{\"states\": [{\"id\": \"LAO\"}]}";
    ccm_import imp;

    (void)state;
    parse_ok(&imp, "-", csv);
    assert_int_equal(imp.n, 1);
    ccm_import_free(&imp);
    parse_ok(&imp, NULL, json);
    assert_int_equal(imp.n, 1);
    ccm_import_free(&imp);
    parse_ok(&imp, "export.txt", json);
    ccm_import_free(&imp);
    /* The name wins over the text. */
    parse_refused("states.json", csv, "import: malformed JSON at line 1: *");
    parse_refused("states.csv", json, "import: *");
}

/* ---- against the group ----------------------------------------------------- */

static void test_import_check__typos_refused_names_outside_the_group_warned(void **state)
{
    json_t *roster = json_pack("{s:[{s:s},{s:s, s:s}]}", "members", "name", "Peru", "name",
                               "Malawi", "removed", "2025-01-01T00:00:00Z");
    json_t *warnings = json_array();
    ccm_import imp;

    (void)state;
    parse_ok(&imp, "x.json",
             "{\"states\": [{\"id\": \"LAO\", \"fields\": {\"lead\": [\"Peru\", \"Nobody\"]}},"
             " {\"id\": \"NOR\", \"fields\": {\"lead\": [\"Nobody\", \"Malawi\"]}}],"
             " \"activities\": [{\"id\": \"" ACT_ID "\", \"fields\": {\"by\": [\"Other\"]}}]}");
    assert_int_equal(ccm_import_check(&imp, roster, warnings), CCM_OK);
    assert_int_equal(json_array_size(warnings), 3);
    assert_string_equal(json_string_value(json_array_get(warnings, 0)),
                        "'Nobody' is not a member of the group");
    assert_string_equal(json_string_value(json_array_get(warnings, 1)),
                        "'Malawi' is a past member of the group (removed)");
    assert_string_equal(json_string_value(json_array_get(warnings, 2)),
                        "'Other' is not a member of the group");
    ccm_import_free(&imp);
    json_array_clear(warnings);
    parse_ok(&imp, "s.csv", "id,lead,statuss\nLAO,Nobody,party\n");
    assert_int_equal(ccm_import_check(&imp, roster, warnings), CCM_EINVALID);
    assert_non_null(strstr(ccm_error_last(), "import: record 1: unknown state field 'statuss': "
                                             "did you mean 'status'?"));
    ccm_import_free(&imp);
    json_decref(warnings);
    json_decref(roster);
}

/* ---- in a store ------------------------------------------------------------ */

static char base_dir[640], dir[700];

static ccm_store *store_setup(void)
{
    ccm_test_mkdtemp(base_dir, sizeof(base_dir), "import");
    snprintf(dir, sizeof(dir), "%s/s", base_dir);
    return ccm_test_init_open(dir, "Peru");
}

static void store_teardown(ccm_store *s)
{
    ccm_store_free(s);
    assert_int_equal(ccm_test_rmdir(base_dir), 0);
}

/* Parses and writes `json` (flags); returns the code of the write. */
static int import_json(ccm_store *s, const char *json, int flags, size_t *ns, size_t *na)
{
    ccm_import imp;
    int rc;

    parse_ok(&imp, "x.json", json);
    rc = ccm_import_write(ns, na, s, &imp, flags);
    ccm_import_free(&imp);
    return rc;
}

static char *field_of(ccm_store *s, const char *kind, const char *id, const char *field)
{
    json_t *rec = NULL, *v;
    char *out = NULL;

    assert_int_equal(ccm_store_get(&rec, s, kind, id), CCM_OK);
    v = ccm_record_field_value(rec, field);
    if (v) {
        out = json_is_string(v) ? strdup(json_string_value(v)) : json_dumps(v, JSON_COMPACT);
    }
    json_decref(v);
    json_decref(rec);
    return out;
}

static void expect_field(ccm_store *s, const char *kind, const char *id, const char *field,
                         const char *value)
{
    char *v = field_of(s, kind, id, field);

    if (!value) {
        assert_null(v);
    } else {
        assert_non_null(v);
        assert_string_equal(v, value);
    }
    free(v);
}

static void test_import_write__one_commit_counting_what_changed(void **state)
{
    ccm_store *s = store_setup();
    char h0[41], h1[41];
    size_t ns = 9, na = 9;

    (void)state;
    ccm_store_head(h0, s);
    assert_int_equal(import_json(s,
                                 "{\"states\": [{\"id\": \"LAO\", \"fields\": {\"status\": "
                                 "\"party\", \"targets\": [\"ccw\", \"apmbc\"]}}, {\"id\": "
                                 "\"NOR\"}], \"activities\": [{\"id\": \"" ACT_ID
                                 "\", \"fields\": {\"type\": \"ipu\", \"date\": "
                                 "\"2025-03-06\", \"states\": [\"LAO\"]}}]}",
                                 0, &ns, &na),
                     CCM_OK);
    ccm_store_head(h1, s);
    assert_int_equal(ns, 2);
    assert_int_equal(na, 1);
    assert_string_not_equal(h0, h1);
    expect_field(s, "state", "LAO", "status", "party");
    expect_field(s, "state", "LAO", "targets", "[\"apmbc\",\"ccw\"]");
    expect_field(s, "activity", ACT_ID, "states", "[\"LAO\"]");
    /* A second import replaces sets and clears with null. */
    assert_int_equal(import_json(s,
                                 "{\"states\": [{\"id\": \"LAO\", \"fields\": {\"status\": "
                                 "null, \"targets\": [\"ccw\"]}}]}",
                                 0, &ns, &na),
                     CCM_OK);
    assert_int_equal(ns, 1);
    assert_int_equal(na, 0);
    expect_field(s, "state", "LAO", "status", NULL);
    expect_field(s, "state", "LAO", "targets", "[\"ccw\"]");
    store_teardown(s);
}

static void test_import_write__an_unknown_activity_id_is_a_new_activity(void **state)
{
    ccm_store *s = store_setup();
    char h0[41], h1[41];
    size_t ns = 0, na = 0;

    (void)state;
    ccm_store_head(h0, s);
    assert_int_equal(import_json(s,
                                 "{\"states\": [{\"id\": \"LAO\", \"fields\": {\"status\": "
                                 "\"party\"}}], \"activities\": [{\"id\": \"" ACT_ID
                                 "\", \"fields\": {\"summary\": \"no type\"}}]}",
                                 0, &ns, &na),
                     CCM_EINVALID);
    assert_string_equal(ccm_error_last(),
                        "import: activity '" ACT_ID "' is new and needs 'type' and 'date'");
    ccm_store_head(h1, s);
    assert_string_equal(h0, h1); /* nothing written, the state neither */
    store_teardown(s);
}

static void test_import_write__fill_only_adds_what_is_missing(void **state)
{
    ccm_store *s = store_setup();
    const char *fill = "{\"states\": [{\"id\": \"LAO\", \"fields\": {\"status\": \"signatory\", "
                       "\"region\": \"Asia\", \"targets\": [\"ccw\", \"apmbc\"]}}, {\"id\": "
                       "\"NOR\", \"fields\": {\"status\": \"party\"}}], \"activities\": [{\"id\": "
                       "\"" ACT_ID "\", \"fields\": {\"type\": \"ipu\", \"date\": \"2025-03-06\", "
                       "\"summary\": \"from the seed\"}}]}";
    char h0[41], h1[41];
    size_t ns = 0, na = 0;
    ccm_txn *t = NULL;
    json_t *rec = NULL;

    (void)state;
    assert_int_equal(import_json(s,
                                 "{\"states\": [{\"id\": \"LAO\", \"fields\": {\"status\": "
                                 "\"party\", \"targets\": [\"ccw\"]}}, {\"id\": \"NOR\"}], "
                                 "\"activities\": [{\"id\": \"" ACT_ID
                                 "\", \"fields\": {\"type\": \"bilateral\", \"date\": "
                                 "\"2025-01-01\"}}]}",
                                 0, &ns, &na),
                     CCM_OK);
    /* NOR removed: a removed record is left alone. */
    assert_int_equal(ccm_txn_begin(&t, s), CCM_OK);
    assert_int_equal(ccm_txn_get(&rec, t, "state", "NOR"), CCM_OK);
    assert_int_equal(ccm_record_delete(rec, ccm_txn_stamp(t), "Peru"), CCM_OK);
    assert_int_equal(ccm_txn_put(t, rec), CCM_OK);
    assert_int_equal(ccm_txn_commit(t), CCM_OK);
    ccm_txn_free(t);
    json_decref(rec);

    assert_int_equal(import_json(s, fill, CCM_IMPORT_FILL, &ns, &na), CCM_OK);
    assert_int_equal(ns, 1);
    assert_int_equal(na, 0);
    expect_field(s, "state", "LAO", "status", "party"); /* kept */
    expect_field(s, "state", "LAO", "region", "Asia");  /* added */
    expect_field(s, "state", "LAO", "targets", "[\"apmbc\",\"ccw\"]");
    expect_field(s, "state", "NOR", "status", NULL);
    expect_field(s, "activity", ACT_ID, "type", "bilateral");
    expect_field(s, "activity", ACT_ID, "summary", NULL);
    /* Again: nothing is missing any more, nothing is written. */
    ccm_store_head(h0, s);
    assert_int_equal(import_json(s, fill, CCM_IMPORT_FILL, &ns, &na), CCM_OK);
    ccm_store_head(h1, s);
    assert_int_equal(ns + na, 0);
    assert_string_equal(h0, h1);
    store_teardown(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_import_json__states_and_activities_in_order),
        cmocka_unit_test(test_import_json__the_document_shape_is_checked),
        cmocka_unit_test(test_import_json__ids),
        cmocka_unit_test(test_import_json__a_new_activity_needs_type_and_date),
        cmocka_unit_test(test_import_json__values_are_strings_arrays_or_null),
        cmocka_unit_test(test_import_json__values_are_checked_as_field_operations),
        cmocka_unit_test(test_import_csv__states_with_id_first),
        cmocka_unit_test(test_import_csv__activities_with_or_without_an_id_column),
        cmocka_unit_test(test_import_csv__rows_and_header_are_checked),
        cmocka_unit_test(test_import__json_or_csv_by_name_then_by_text),
        cmocka_unit_test(test_import_check__typos_refused_names_outside_the_group_warned),
        cmocka_unit_test(test_import_write__one_commit_counting_what_changed),
        cmocka_unit_test(test_import_write__an_unknown_activity_id_is_a_new_activity),
        cmocka_unit_test(test_import_write__fill_only_adds_what_is_missing),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
