/*
 * test_run.c - the command line (cli/run.c) driven in-process through
 * ccm_cli_run, with stdout and stderr captured in temporary files: exit
 * statuses, usage and help text, the one-line "ccmsync: " error messages, a
 * round trip through a real store, and the mapping of every CCM_* code to
 * its documented exit status.
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

static char base_dir[640];
static char store_dir[700];

/* Fails with both captured streams shown. */
static void expect_status(int got, int want)
{
    if (got != want) {
        fail_msg("exit status %d, expected %d\n--- stdout:\n%s--- stderr:\n%s", got, want,
                 cli_out ? cli_out : "", cli_err ? cli_err : "");
    }
}

static void expect_contains(const char *text, const char *frag)
{
    if (!strstr(text, frag)) {
        fail_msg("expected \"%s\" in:\n%s", frag, text);
    }
}

/* stderr is exactly one line "ccmsync: MESSAGE\n". */
static void expect_one_error_line(void)
{
    size_t len = strlen(cli_err);

    if (strncmp(cli_err, "ccmsync: ", 9) != 0 || len < 11 || cli_err[len - 1] != '\n' ||
        strchr(cli_err, '\n') != cli_err + len - 1) {
        fail_msg("stderr is not one 'ccmsync: ' line:\n%s", cli_err);
    }
}

static int setup(void **state)
{
    const char *base = getenv("CCM_TEST_TMP");
    char tmpl[600], nostore[800];

    (void)state;
    if (base && *base) {
        mkdir(base, 0700);
    }
    snprintf(tmpl, sizeof(tmpl), "%s/cli-run-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(tmpl)) {
        return -1;
    }
    snprintf(base_dir, sizeof(base_dir), "%s", tmpl);
    snprintf(store_dir, sizeof(store_dir), "%s/s", tmpl);
    /* Nothing of the environment leaks in: no passphrase, and a default
     * store that does not exist. */
    snprintf(nostore, sizeof(nostore), "%s/no-store", tmpl);
    unsetenv("CCMSYNC_PASSPHRASE");
    setenv("CCMSYNC_STORE", nostore, 1);
    setenv("CCMSYNC_LOCK_TIMEOUT", "5", 1);
    return 0;
}

static int teardown(void **state)
{
    char cmd[800];

    (void)state;
    cli_capture_free();
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base_dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void init_store(void)
{
    expect_status(cli_run("-C", store_dir, "init", "--member", "Peru", "--no-passphrase", NULL),
                  CCM_EXIT_OK);
    assert_string_equal(cli_err, "");
}

/* Parses stdout as exactly one JSON document (new reference). */
static json_t *stdout_json(void)
{
    json_error_t e;
    json_t *doc = json_loads(cli_out, 0, &e);

    if (!doc) {
        fail_msg("stdout is not one JSON document (%s, line %d):\n%s", e.text, e.line, cli_out);
    }
    return doc;
}

static const char *view_field(const json_t *view, const char *field)
{
    return json_string_value(json_object_get(json_object_get(view, "fields"), field));
}

/* ---- usage errors ------------------------------------------------------------- */

static void test_run__no_command_is_a_usage_error(void **state)
{
    (void)state;
    expect_status(cli_run(NULL), CCM_EXIT_USAGE);
    expect_one_error_line();
    expect_contains(cli_err, "no command");
    expect_contains(cli_out, "usage: ccmsync");
}

static void test_run__unknown_command_lists_the_command_groups(void **state)
{
    char *list, *save = NULL, *open, *close_paren;
    size_t seen = 0;

    (void)state;
    expect_status(cli_run("frob", NULL), CCM_EXIT_USAGE);
    expect_one_error_line();
    expect_contains(cli_err, "unknown command 'frob'");
    assert_string_equal(cli_out, "");

    /* The parenthesised list names every first word of the command table,
     * once each. */
    open = strchr(cli_err, '(');
    close_paren = open ? strchr(open, ')') : NULL;
    assert_non_null(close_paren);
    list = strndup(open + 1, (size_t)(close_paren - open - 1));
    assert_non_null(list);
    for (char *w = strtok_r(list, ", ", &save); w; w = strtok_r(NULL, ", ", &save)) {
        int known = 0;
        for (size_t i = 0; i < ccm_ncommands; i++) {
            const char *n = ccm_commands[i].name;
            size_t wl = strcspn(n, " ");
            known |= strlen(w) == wl && strncmp(n, w, wl) == 0;
        }
        if (!known) {
            fail_msg("'%s' in the list is not a command group: %s", w, cli_err);
        }
        seen++;
    }
    free(list);
    for (size_t i = 0; i < ccm_ncommands; i++) {
        const char *n = ccm_commands[i].name;
        char word[64];
        snprintf(word, sizeof(word), "%.*s", (int)strcspn(n, " "), n);
        {
            /* as a whole word of the list, exactly once */
            const char *p = open + 1;
            int count = 0;
            size_t wl = strlen(word);
            while ((p = strstr(p, word)) && p < close_paren) {
                if ((p[-1] == '(' || p[-1] == ' ') && (p[wl] == ',' || p[wl] == ')')) {
                    count++;
                }
                p += wl;
            }
            if (count != 1) {
                fail_msg("group '%s' appears %d times in: %s", word, count, cli_err);
            }
        }
    }
    assert_true(seen >= 10);
}

static void test_run__unknown_subcommand_points_to_the_group_help(void **state)
{
    (void)state;
    expect_status(cli_run("state", "frob", NULL), CCM_EXIT_USAGE);
    expect_one_error_line();
    expect_contains(cli_err, "'state frob'");
    expect_contains(cli_err, "ccmsync state --help");
    assert_string_equal(cli_out, "");
}

static void test_run__group_word_alone_is_a_usage_error(void **state)
{
    (void)state;
    expect_status(cli_run("state", NULL), CCM_EXIT_USAGE);
    expect_one_error_line();
    expect_contains(cli_err, "'state'");
}

static void test_run__unknown_global_option_is_a_usage_error(void **state)
{
    (void)state;
    expect_status(cli_run("--frob", "state", "show", "LAO", NULL), CCM_EXIT_USAGE);
    expect_one_error_line();
    expect_contains(cli_err, "unknown option '--frob'");
    expect_contains(cli_err, "-C DIR");
    assert_string_equal(cli_out, "");
}

static void test_run__option_without_its_value_is_a_usage_error(void **state)
{
    (void)state;
    expect_status(cli_run("-C", NULL), CCM_EXIT_USAGE);
    expect_one_error_line();
    expect_contains(cli_err, "'-C'");
    expect_status(cli_run("--passphrase-file", NULL), CCM_EXIT_USAGE);
    expect_one_error_line();
    expect_contains(cli_err, "'--passphrase-file'");
}

static void test_run__missing_arguments_name_the_usage_line(void **state)
{
    (void)state;
    init_store();
    expect_status(cli_run("-C", store_dir, "state", "set", "LAO", NULL), CCM_EXIT_USAGE);
    expect_one_error_line();
    expect_contains(cli_err, "usage: ccmsync state set ID FIELD...");
    expect_status(cli_run("-C", store_dir, "state", "show", NULL), CCM_EXIT_USAGE);
    expect_one_error_line();
    expect_contains(cli_err, "usage: ccmsync state show ID");
}

static void test_run__error_for_an_argument_with_a_newline_is_one_line(void **state)
{
    (void)state;
    expect_status(cli_run("fr\nob", NULL), CCM_EXIT_USAGE);
    expect_one_error_line();
    expect_status(cli_run("--fr\nob", NULL), CCM_EXIT_USAGE);
    expect_one_error_line();
    expect_status(cli_run("state", "fr\nob", NULL), CCM_EXIT_USAGE);
    expect_one_error_line();
}

/* ---- help and version ----------------------------------------------------------- */

static void test_run__help_prints_usage_on_stdout(void **state)
{
    (void)state;
    expect_status(cli_run("--help", NULL), CCM_EXIT_OK);
    assert_string_equal(cli_err, "");
    expect_contains(cli_out, "usage: ccmsync [-C DIR] [--json] state set ID FIELD...");
    expect_contains(cli_out, "usage: ccmsync [-C DIR] [--json] init --member NAME");
    expect_contains(cli_out, "Global options");
    expect_contains(cli_out, "Exit status");

    expect_status(cli_run("-h", NULL), CCM_EXIT_OK);
    expect_contains(cli_out, "Global options");
    expect_status(cli_run("help", NULL), CCM_EXIT_OK);
    expect_contains(cli_out, "Global options");
}

static void test_run__command_help_prints_its_usage_and_details(void **state)
{
    (void)state;
    /* no store exists: help must not need one */
    expect_status(cli_run("state", "set", "--help", NULL), CCM_EXIT_OK);
    assert_string_equal(cli_err, "");
    expect_contains(cli_out, "usage: ccmsync [-C DIR] [--json] state set ID FIELD...");
    expect_contains(cli_out, "party, signatory");
    assert_null(strstr(cli_out, "state show"));
    assert_null(strstr(cli_out, "activity"));

    expect_status(cli_run("state", "set", "LAO", "status=party", "-h", NULL), CCM_EXIT_OK);
    expect_contains(cli_out, "state set ID FIELD...");
}

static void test_run__help_of_a_group_lists_its_commands(void **state)
{
    (void)state;
    expect_status(cli_run("help", "state", NULL), CCM_EXIT_OK);
    assert_string_equal(cli_err, "");
    expect_contains(cli_out, "state set ID");
    expect_contains(cli_out, "state show ID");
    expect_contains(cli_out, "state list");
    assert_null(strstr(cli_out, "--json] status"));

    expect_status(cli_run("help", "state", "set", NULL), CCM_EXIT_OK);
    expect_contains(cli_out, "state set ID");
    assert_null(strstr(cli_out, "state show"));
}

static void test_run__version_prints_one_line(void **state)
{
    (void)state;
    expect_status(cli_run("--version", NULL), CCM_EXIT_OK);
    assert_string_equal(cli_err, "");
    assert_true(strncmp(cli_out, "ccmsync ", 8) == 0);
    assert_true(strlen(cli_out) > 9);
    assert_ptr_equal(strchr(cli_out, '\n'), cli_out + strlen(cli_out) - 1);
}

/* ---- store commands --------------------------------------------------------------- */

static void test_run__missing_store_points_to_init(void **state)
{
    (void)state;
    expect_status(cli_run("-C", "/nonexistent/ccmsync-test", "state", "show", "LAO", NULL),
                  CCM_EXIT_RUNTIME);
    expect_one_error_line();
    expect_contains(cli_err, "ccmsync init");
    assert_string_equal(cli_out, "");

    /* the default store ($CCMSYNC_STORE) is used without -C */
    expect_status(cli_run("state", "show", "LAO", NULL), CCM_EXIT_RUNTIME);
    expect_one_error_line();
    expect_contains(cli_err, "ccmsync init");
}

static void test_run__set_then_show_as_json(void **state)
{
    json_t *view;

    (void)state;
    init_store();
    expect_contains(cli_out, "Peru");

    expect_status(cli_run("-C", store_dir, "state", "set", "LAO", "status=party", NULL),
                  CCM_EXIT_OK);
    assert_string_equal(cli_err, "");

    expect_status(cli_run("-C", store_dir, "--json", "state", "show", "LAO", NULL), CCM_EXIT_OK);
    assert_string_equal(cli_err, "");
    view = stdout_json();
    assert_string_equal(json_string_value(json_object_get(view, "id")), "LAO");
    assert_string_equal(json_string_value(json_object_get(view, "kind")), "state");
    assert_non_null(view_field(view, "status"));
    assert_string_equal(view_field(view, "status"), "party");
    assert_non_null(view_field(view, "name")); /* the ISO 3166-1 default */
    /* the documented shape: conflicts is an empty object when there are none */
    assert_true(json_is_object(json_object_get(view, "conflicts")));
    assert_int_equal(json_object_size(json_object_get(view, "conflicts")), 0);
    assert_true(json_is_object(json_object_get(view, "meta")));
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(json_object_get(view, "meta"), "status"), "by")),
                        "Peru");
    json_decref(view);
}

static void test_run__json_after_the_command_and_lower_case_id(void **state)
{
    json_t *view, *want;

    (void)state;
    init_store();
    expect_status(cli_run("-C", store_dir, "state", "set", "lao", "targets=apmbc,ccw", NULL),
                  CCM_EXIT_OK);
    expect_status(cli_run("-C", store_dir, "state", "show", "lao", "--json", NULL), CCM_EXIT_OK);
    view = stdout_json();
    assert_string_equal(json_string_value(json_object_get(view, "id")), "LAO");
    want = json_pack("[ss]", "apmbc", "ccw");
    assert_true(json_equal(json_object_get(json_object_get(view, "fields"), "targets"), want));
    json_decref(want);
    json_decref(view);
}

static void test_run__set_with_json_prints_the_record(void **state)
{
    json_t *view;

    (void)state;
    init_store();
    expect_status(cli_run("-C", store_dir, "--json", "state", "set", "NOR", "priority=high",
                          "region=Europe", NULL),
                  CCM_EXIT_OK);
    view = stdout_json();
    assert_string_equal(view_field(view, "priority"), "high");
    assert_string_equal(view_field(view, "region"), "Europe");
    json_decref(view);
}

static void test_run__invalid_value_is_one_error_line_and_changes_nothing(void **state)
{
    json_t *view;

    (void)state;
    init_store();
    expect_status(cli_run("-C", store_dir, "state", "set", "LAO", "status=party", NULL),
                  CCM_EXIT_OK);

    expect_status(cli_run("-C", store_dir, "state", "set", "LAO", "status=bogus", NULL),
                  CCM_EXIT_USAGE);
    expect_one_error_line();
    expect_contains(cli_err, "party, signatory");
    expect_contains(cli_err, "'bogus'");
    assert_string_equal(cli_out, "");

    /* validated before anything is written: the good argument is not applied */
    expect_status(
        cli_run("-C", store_dir, "state", "set", "LAO", "priority=high", "status=bogus", NULL),
        CCM_EXIT_USAGE);
    expect_one_error_line();

    expect_status(cli_run("-C", store_dir, "--json", "state", "show", "LAO", NULL), CCM_EXIT_OK);
    view = stdout_json();
    assert_string_equal(view_field(view, "status"), "party");
    assert_null(view_field(view, "priority"));
    json_decref(view);
}

static void test_run__unknown_state_code_is_a_usage_error(void **state)
{
    (void)state;
    init_store();
    expect_status(cli_run("-C", store_dir, "state", "set", "XYZ", "status=party", NULL),
                  CCM_EXIT_USAGE);
    expect_one_error_line();
    expect_contains(cli_err, "'XYZ'");
}

static void test_run__showing_an_absent_record_is_a_runtime_error(void **state)
{
    (void)state;
    init_store();
    expect_status(cli_run("-C", store_dir, "state", "show", "NOR", NULL), CCM_EXIT_RUNTIME);
    expect_one_error_line();
    assert_string_equal(cli_out, "");
}

static void test_run__init_refuses_an_existing_store(void **state)
{
    (void)state;
    init_store();
    expect_status(cli_run("-C", store_dir, "init", "--member", "Chile", "--no-passphrase", NULL),
                  CCM_EXIT_USAGE);
    expect_one_error_line();
}

static void test_run__double_dash_ends_the_options(void **state)
{
    json_t *view;

    (void)state;
    init_store();
    /* after "--", "--json" is no global option; the command gets the rest */
    expect_status(cli_run("-C", store_dir, "state", "set", "LAO", "--", "status=party", NULL),
                  CCM_EXIT_OK);
    expect_status(cli_run("-C", store_dir, "--json", "state", "show", "LAO", NULL), CCM_EXIT_OK);
    view = stdout_json();
    assert_string_equal(view_field(view, "status"), "party");
    json_decref(view);
}

static void test_run__wrong_passphrase_is_not_permitted(void **state)
{
    (void)state;
    setenv("CCMSYNC_PASSPHRASE", "right horse battery", 1);
    expect_status(cli_run("-C", store_dir, "init", "--member", "Norway", NULL), CCM_EXIT_OK);
    expect_status(cli_run("-C", store_dir, "state", "set", "NOR", "status=party", NULL),
                  CCM_EXIT_OK);
    setenv("CCMSYNC_PASSPHRASE", "wrong horse battery", 1);
    expect_status(cli_run("-C", store_dir, "state", "show", "NOR", NULL), CCM_EXIT_DENIED);
    unsetenv("CCMSYNC_PASSPHRASE");
    expect_one_error_line();
    assert_string_equal(cli_out, "");
}

/* ---- exit statuses ---------------------------------------------------------------- */

static void test_exit_status__maps_every_code(void **state)
{
    (void)state;
    assert_int_equal(ccm_exit_status(CCM_OK), 0);
    assert_int_equal(ccm_exit_status(CCM_ERROR), 1);
    assert_int_equal(ccm_exit_status(CCM_EINVALID), 2);
    assert_int_equal(ccm_exit_status(CCM_EDENIED), 3);
    assert_int_equal(ccm_exit_status(CCM_EVERIFY), 4);
    assert_int_equal(ccm_exit_status(CCM_EUNREACHABLE), 5);
    assert_int_equal(ccm_exit_status(CCM_ENOTFOUND), 1);
    assert_int_equal(ccm_exit_status(CCM_EPASSPHRASE), 3);
    assert_int_equal(ccm_exit_status(CCM_ELOCKED), 1);
    /* codes without a meaning of their own are runtime errors */
    assert_int_equal(ccm_exit_status(-99), 1);
    assert_int_equal(ccm_exit_status(-100000), 1);
}

static void test_exit_status__named_constants_match_the_spec(void **state)
{
    (void)state;
    assert_int_equal(CCM_EXIT_OK, 0);
    assert_int_equal(CCM_EXIT_RUNTIME, 1);
    assert_int_equal(CCM_EXIT_USAGE, 2);
    assert_int_equal(CCM_EXIT_DENIED, 3);
    assert_int_equal(CCM_EXIT_VERIFY, 4);
    assert_int_equal(CCM_EXIT_UNREACHABLE, 5);
}

static void test_commands__table_is_sorted_and_complete(void **state)
{
    (void)state;
    assert_true(ccm_ncommands > 0);
    for (size_t i = 0; i < ccm_ncommands; i++) {
        const ccm_cmd *c = &ccm_commands[i];
        assert_non_null(c->fn);
        assert_non_null(c->usage);
        assert_non_null(c->summary);
        /* the usage line starts with the command's name */
        assert_int_equal(strncmp(c->usage, c->name, strlen(c->name)), 0);
        if (i > 0 && strcmp(ccm_commands[i - 1].name, c->name) >= 0) {
            fail_msg("'%s' is not after '%s'", c->name, ccm_commands[i - 1].name);
        }
    }
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_run__no_command_is_a_usage_error),
        T(test_run__unknown_command_lists_the_command_groups),
        T(test_run__unknown_subcommand_points_to_the_group_help),
        T(test_run__group_word_alone_is_a_usage_error),
        T(test_run__unknown_global_option_is_a_usage_error),
        T(test_run__option_without_its_value_is_a_usage_error),
        T(test_run__missing_arguments_name_the_usage_line),
        T(test_run__help_prints_usage_on_stdout),
        T(test_run__command_help_prints_its_usage_and_details),
        T(test_run__help_of_a_group_lists_its_commands),
        T(test_run__version_prints_one_line),
        T(test_run__missing_store_points_to_init),
        T(test_run__set_then_show_as_json),
        T(test_run__json_after_the_command_and_lower_case_id),
        T(test_run__set_with_json_prints_the_record),
        T(test_run__invalid_value_is_one_error_line_and_changes_nothing),
        T(test_run__unknown_state_code_is_a_usage_error),
        T(test_run__showing_an_absent_record_is_a_runtime_error),
        T(test_run__init_refuses_an_existing_store),
        T(test_run__error_for_an_argument_with_a_newline_is_one_line),
        T(test_run__double_dash_ends_the_options),
        T(test_run__wrong_passphrase_is_not_permitted),
        cmocka_unit_test(test_exit_status__maps_every_code),
        cmocka_unit_test(test_exit_status__named_constants_match_the_spec),
        cmocka_unit_test(test_commands__table_is_sorted_and_complete),
    };
    return cmocka_run_group_tests_name("run", tests, NULL, NULL);
}
