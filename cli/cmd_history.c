/*
 * cmd_history.c - log, blame and verify: who changed what, when, and whether
 * the history can be trusted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "query.h"
#include "text.h"

static void print_log_value(const json_t *v)
{
    size_t i;
    json_t *e;

    if (json_is_null(v)) {
        fputs("-", stdout);
    } else if (json_is_string(v)) {
        fputc('\'', stdout);
        ccm_text_put(stdout, json_string_value(v));
        fputc('\'', stdout);
    } else {
        fputc('[', stdout);
        json_array_foreach(v, i, e)
        {
            fputs(i ? ", " : "", stdout);
            ccm_text_put(stdout, json_string_value(e));
        }
        fputc(']', stdout);
    }
}

int ccm_cmd_log(ccm_cli *cli, int argc, char **argv)
{
    const char *member = NULL, *since = NULL, *kind = NULL, *rec_arg = NULL;
    char *id = NULL;
    uint64_t since_ms = 0;
    json_t *log = NULL, *e;
    size_t i;
    int rc;

    for (int a = 0; a < argc; a++) {
        if (strcmp(argv[a], "--member") == 0 && a + 1 < argc) {
            member = argv[++a];
        } else if (strcmp(argv[a], "--since") == 0 && a + 1 < argc) {
            since = argv[++a];
        } else if (argv[a][0] != '-' && !rec_arg) {
            rec_arg = argv[a];
        } else {
            return ccm_usage(cli, "unexpected argument '%s'", argv[a]);
        }
    }
    if (member) {
        /* A name that never was a member is a typo: say so (exit 2). */
        json_t *roster = NULL;
        if ((rc = ccm_schema_check_member_name(member)) < 0 ||
            (rc = ccm_store_roster(&roster, cli->store)) < 0 ||
            (rc = ccm_check_member(roster, member, NULL)) < 0) {
            json_decref(roster);
            return rc;
        }
        json_decref(roster);
    }
    if ((since && (rc = ccm_parse_date_ms(&since_ms, since, "--since")) < 0) ||
        (rec_arg && (rc = ccm_cli_record_arg(&kind, &id, cli, rec_arg)) < 0)) {
        return rc;
    }
    if ((rc = ccm_store_log(&log, cli->store, kind, id, member, since_ms)) < 0) {
        goto done;
    }
    if (cli->json) {
        rc = ccm_print_json(log);
        goto done;
    }
    json_array_foreach(log, i, e)
    {
        char *who = ccm_text_escape(json_string_value(json_object_get(e, "member")), 0);
        char *rec = ccm_text_escape(json_string_value(json_object_get(e, "record")), 0);
        char *field = ccm_text_escape(json_string_value(json_object_get(e, "field")), 0);
        printf("%.10s %s %-10s %-16s %-14s ", json_string_value(json_object_get(e, "commit")),
               json_string_value(json_object_get(e, "at")), who ? who : "", rec ? rec : "",
               field ? field : "");
        free(who);
        free(rec);
        free(field);
        print_log_value(json_object_get(e, "old"));
        fputs(" -> ", stdout);
        print_log_value(json_object_get(e, "new"));
        fputc('\n', stdout);
    }
done:
    json_decref(log);
    free(id);
    return rc;
}

int ccm_cmd_blame(ccm_cli *cli, int argc, char **argv)
{
    const char *kind;
    char *id = NULL;
    json_t *rec = NULL, *blame = NULL, *doc = NULL, *v;
    const char *field;
    int rc;

    if (argc != 1) {
        return ccm_usage(cli, argc ? "too many arguments" : "missing record id");
    }
    if ((rc = ccm_cli_record_arg(&kind, &id, cli, argv[0])) < 0 ||
        (rc = ccm_store_get(&rec, cli->store, kind, id)) < 0) {
        goto done;
    }
    blame = ccm_record_blame(rec);
    if (cli->json) {
        doc = json_pack("{s:s, s:s, s:O}", "id", id, "kind", kind, "fields", blame);
        rc = ccm_print_json(doc);
        goto done;
    }
    printf("%s %s\n", kind, id);
    json_object_foreach(blame, field, v)
    {
        char *by = ccm_text_escape(json_string_value(json_object_get(v, "by")), 0);
        printf("  %-15s %-20s %-24s ", field, by ? by : "",
               json_string_value(json_object_get(v, "at")));
        free(by);
        print_log_value(json_object_get(v, "value"));
        fputc('\n', stdout);
    }
done:
    json_decref(doc);
    json_decref(blame);
    json_decref(rec);
    free(id);
    return rc;
}

int ccm_cmd_verify(ccm_cli *cli, int argc, char **argv)
{
    char head[41];
    int rc;

    (void)argv;
    if (argc != 0) {
        return ccm_usage(cli, "unexpected argument '%s'", argv[0]);
    }
    json_t *warnings = json_array(), *w;
    size_t i;

    if ((rc = ccm_store_verify(cli->store, warnings)) < 0) {
        json_decref(warnings);
        return rc;
    }
    ccm_store_head(head, cli->store);
    json_array_foreach(warnings, i, w)
    {
        ccm_text_warning(stderr, json_string_value(w));
    }
    if (cli->json) {
        json_t *doc = json_pack("{s:b, s:s, s:O}", "ok", 1, "head", head, "warnings", warnings);
        rc = ccm_print_json(doc);
        json_decref(doc);
    } else {
        printf("history verified up to %s\n", head);
    }
    json_decref(warnings);
    return rc;
}
