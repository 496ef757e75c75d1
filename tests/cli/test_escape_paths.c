/*
 * test_escape_paths.c - no human output passes a control character or a
 * bidirectional override from a record to the terminal, whatever the path:
 * records forged past the command line's checks (as a hostile writer's
 * commit would bring them: ESC, CR, newline and U+202E in one-line and
 * multi-line fields, in a note's title and body) are shown escaped by
 * state show/list, activity show/list, log, blame, search, note list and
 * note show (whose body keeps its lines), and stay exact under --json.
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

#include "cli/cli.h"
#include "tests/support/cli_capture.h"
#include "tests/support/tmpdir.h"

#define RLO "\xe2\x80\xae"
#define ONE_LINE "Evil\x1b]0;pwned\x07 \rname" RLO "gpj.exe"
#define MULTI "first line\nsecond\x1b[31m red\r" RLO "evil"
#define NOTE_ID "0123456789abcdef"
#define ACT_ID "fedcba9876543210"

static char base_dir[640];
static char store_dir[700];

static void assign(json_t *rec, ccm_txn *t, const char *member, const char *f, const char *v)
{
    assert_int_equal(ccm_record_assign(rec, f, v, ccm_txn_stamp(t), member), CCM_OK);
}

/* A state, an activity and a note whose values hold what the schema
 * refuses on input, written straight through the store. */
static void forge(void)
{
    ccm_store *s = NULL;
    ccm_txn *t = NULL;
    json_t *st, *act, *note, *payload;
    const char *me;
    uint8_t *key = NULL;
    char *text, *sealed = NULL, *capsule = NULL, elem[512];

    assert_int_equal(ccm_store_open(&s, store_dir), CCM_OK);
    assert_int_equal(ccm_store_unlock(s, NULL, 0), CCM_OK);
    me = ccm_store_member(s);
    assert_int_equal(ccm_txn_begin(&t, s), CCM_OK);
    st = ccm_record_new("state", "IDN");
    assign(st, t, me, "name", ONE_LINE);
    assign(st, t, me, "region", ONE_LINE);
    assign(st, t, me, "survey_comment", MULTI);
    assign(st, t, me, "status", "signatory");
    act = ccm_record_new("activity", ACT_ID);
    assign(act, t, me, "type", "bilateral");
    assign(act, t, me, "date", "2025-03-12");
    assign(act, t, me, "status", "done");
    assign(act, t, me, "summary", MULTI);
    assert_int_equal(ccm_record_set_add(act, "states", "IDN", ccm_txn_stamp(t), me), CCM_OK);

    payload = json_pack("{s:s, s:s}", "title", ONE_LINE, "body", MULTI);
    text = json_dumps(payload, JSON_COMPACT | JSON_SORT_KEYS);
    assert_int_equal(ccm_notekey_generate(&key), CCM_OK);
    assert_int_equal(ccm_note_seal(&sealed, key, NOTE_ID, (const uint8_t *)text, strlen(text)),
                     CCM_OK);
    assert_int_equal(ccm_notekey_seal(&capsule, key, ccm_identity_box_pk(ccm_store_identity(s))),
                     CCM_OK);
    snprintf(elem, sizeof(elem), "%s:%s", me, capsule);
    note = ccm_record_new("note", NOTE_ID);
    assign(note, t, me, "on", "state:IDN");
    assign(note, t, me, "author", me);
    assign(note, t, me, "sealed", sealed);
    assert_int_equal(ccm_record_set_add(note, "to", me, ccm_txn_stamp(t), me), CCM_OK);
    assert_int_equal(ccm_record_set_add(note, "keys", elem, ccm_txn_stamp(t), me), CCM_OK);

    assert_int_equal(ccm_txn_put(t, st), CCM_OK);
    assert_int_equal(ccm_txn_put(t, act), CCM_OK);
    assert_int_equal(ccm_txn_put(t, note), CCM_OK);
    assert_int_equal(ccm_txn_commit(t), CCM_OK);
    ccm_txn_free(t);
    ccm_secret_free(key);
    free(text);
    free(sealed);
    free(capsule);
    json_decref(payload);
    json_decref(st);
    json_decref(act);
    json_decref(note);
    ccm_store_free(s);
}

static int setup(void **state)
{
    (void)state;
    ccm_test_mkdtemp(base_dir, sizeof(base_dir), "cli-escape");
    snprintf(store_dir, sizeof(store_dir), "%s/s", base_dir);
    unsetenv("CCMSYNC_PASSPHRASE");
    setenv("COLUMNS", "400", 1); /* no cutting: every escape is visible */
    assert_int_equal(cli_run("-C", store_dir, "init", "--member", "Peru", "--no-passphrase", NULL),
                     0);
    forge();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    cli_capture_free();
    return ccm_test_rmdir(base_dir);
}

/* The last output holds no raw ESC, CR, BEL or U+202E; each escape form the
 * forged values need is there (when `escapes`). */
static void expect_clean(const char *what, int escapes)
{
    if (strchr(cli_out, '\x1b') || strchr(cli_out, '\r') || strchr(cli_out, '\x07') ||
        strstr(cli_out, RLO)) {
        fail_msg("%s printed a raw control character or override:\n%s", what, cli_out);
    }
    if (escapes && (!strstr(cli_out, "\\x1b") || !strstr(cli_out, "\\u202e"))) {
        fail_msg("%s does not show the escapes:\n%s", what, cli_out);
    }
}

static void test_human_output__escapes_every_path(void **state)
{
    static const char *const cmds[][4] = {
        {"state", "show", "IDN", NULL},     {"state", "list", NULL, NULL},
        {"activity", "show", ACT_ID, NULL}, {"activity", "list", NULL, NULL},
        {"log", NULL, NULL, NULL},          {"log", "IDN", NULL, NULL},
        {"blame", "IDN", NULL, NULL},       {"blame", ACT_ID, NULL, NULL},
        {"search", "evil", NULL, NULL},     {"note", "list", NULL, NULL},
        {"note", "show", NOTE_ID, NULL},
    };
    char what[64];
    (void)state;
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
        snprintf(what, sizeof(what), "%s %s", cmds[i][0], cmds[i][1] ? cmds[i][1] : "");
        assert_int_equal(cli_run("-C", store_dir, cmds[i][0], cmds[i][1], cmds[i][2], NULL), 0);
        expect_clean(what, 1);
    }
    /* Multi-line values are one line (\n) everywhere but in a note's body. */
    assert_int_equal(cli_run("-C", store_dir, "state", "show", "IDN", NULL), 0);
    assert_non_null(strstr(cli_out, "first line\\nsecond\\x1b[31m red\\r\\u202eevil"));
    assert_non_null(strstr(cli_out, "Evil\\x1b]0;pwned\\x07 \\rname\\u202egpj.exe"));
    assert_int_equal(cli_run("-C", store_dir, "note", "show", NOTE_ID, NULL), 0);
    assert_non_null(strstr(cli_out, "first line\nsecond\\x1b[31m red\\r\\u202eevil"));
    /* state show names the note (escaped title) on the state. */
    assert_int_equal(cli_run("-C", store_dir, "state", "show", "IDN", NULL), 0);
    assert_non_null(strstr(cli_out, NOTE_ID "  Evil\\x1b]0;pwned"));
}

static void test_json_output__is_exact(void **state)
{
    json_t *doc;
    (void)state;
    assert_int_equal(cli_run("-C", store_dir, "--json", "state", "show", "IDN", NULL), 0);
    assert_non_null(doc = json_loads(cli_out, 0, NULL));
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(doc, "fields"), "survey_comment")),
        MULTI);
    assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "fields"), "name")),
                        ONE_LINE);
    json_decref(doc);
    assert_int_equal(cli_run("-C", store_dir, "--json", "note", "show", NOTE_ID, NULL), 0);
    assert_non_null(doc = json_loads(cli_out, 0, NULL));
    assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "fields"), "body")),
                        MULTI);
    json_decref(doc);
}

static void test_errors__are_one_escaped_line(void **state)
{
    (void)state;
    /* A message quoting what was typed stays one line. */
    assert_int_equal(cli_run("-C", store_dir, "state", "list", "--where", "x\x1b\n=1", NULL), 2);
    assert_null(strchr(cli_err, '\x1b'));
    assert_true(strchr(cli_err, '\n') == cli_err + strlen(cli_err) - 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_human_output__escapes_every_path),
        cmocka_unit_test(test_json_output__is_exact),
        cmocka_unit_test(test_errors__are_one_escaped_line),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
