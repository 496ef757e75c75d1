/*
 * cmd_activity.c - activity add / set / show / rm / list.
 *
 * Activity ids are 16 random lowercase hex digits, assigned by `add`; every
 * other command accepts any unique prefix.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "query.h"

#define ACTIVITY_ID_LEN 16

int ccm_cmd_activity_add(ccm_cli *cli, int argc, char **argv)
{
    const char *type = NULL, *date = NULL;
    char **fields = calloc((size_t)argc + 3, sizeof(*fields));
    char *type_arg = NULL, *date_arg = NULL, id[ACTIVITY_ID_LEN + 1], day[11];
    int nf = 0, rc;

    if (!fields) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--type") == 0 && i + 1 < argc) {
            type = argv[++i];
        } else if (strcmp(argv[i], "--date") == 0 && i + 1 < argc) {
            date = argv[++i];
        } else if (argv[i][0] == '-') {
            rc = ccm_usage(cli, "unknown option '%s'", argv[i]);
            goto done;
        } else {
            fields[nf++ + 2] = argv[i];
        }
    }
    if (!type || !date) {
        rc = ccm_usage(cli, "missing %s", !type ? "--type T" : "--date D");
        goto done;
    }
    if ((rc = ccm_schema_check_value("activity", "type", type)) < 0 ||
        (rc = ccm_date_day(day, date, "--date")) < 0) {
        goto done;
    }
    date = day;
    if (!(type_arg = malloc(strlen(type) + 6)) || !(date_arg = malloc(strlen(date) + 6))) {
        rc = ccm_error_set(CCM_ERROR, "out of memory");
        goto done;
    }
    sprintf(type_arg, "type=%s", type);
    sprintf(date_arg, "date=%s", date);
    fields[0] = type_arg;
    fields[1] = date_arg;
    ccm_crypto_random_hex(id, ACTIVITY_ID_LEN / 2);
    rc = ccm_cli_update_record(cli, "activity", id, nf + 2, fields,
                               CCM_UPDATE_CREATE | CCM_UPDATE_QUIET);
    if (rc == CCM_OK && cli->json) {
        json_t *doc = json_pack("{s:s}", "id", id);
        rc = ccm_print_json(doc);
        json_decref(doc);
    } else if (rc == CCM_OK) {
        printf("%s\n", id);
    }
done:
    free(type_arg);
    free(date_arg);
    free(fields);
    return rc;
}

int ccm_cmd_activity_set(ccm_cli *cli, int argc, char **argv)
{
    char *id = NULL;
    int rc;

    if (argc < 1) {
        return ccm_usage(cli, "missing activity id");
    }
    if ((rc = ccm_cli_hex_id(&id, cli, "activity", argv[0])) == CCM_OK) {
        rc = ccm_cli_update_record(cli, "activity", id, argc - 1, argv + 1, 0);
    }
    free(id);
    return rc;
}

int ccm_cmd_activity_show(ccm_cli *cli, int argc, char **argv)
{
    char *id = NULL;
    int rc;

    if (argc != 1) {
        return ccm_usage(cli, argc ? "too many arguments" : "missing activity id");
    }
    if ((rc = ccm_cli_hex_id(&id, cli, "activity", argv[0])) == CCM_OK) {
        rc = ccm_cli_show_record(cli, "activity", id);
    }
    free(id);
    return rc;
}

int ccm_cmd_activity_rm(ccm_cli *cli, int argc, char **argv)
{
    char *id = NULL;
    ccm_txn *txn = NULL;
    json_t *rec = NULL;
    int rc;

    if (argc != 1) {
        return ccm_usage(cli, argc ? "too many arguments" : "missing activity id");
    }
    if ((rc = ccm_cli_hex_id(&id, cli, "activity", argv[0])) < 0 ||
        (rc = ccm_txn_begin(&txn, cli->store)) < 0 ||
        (rc = ccm_txn_get(&rec, txn, "activity", id)) < 0) {
        goto done;
    }
    if (ccm_record_is_deleted(rec)) {
        rc = ccm_error_set(CCM_ENOTFOUND, "activity '%s' was already removed", id);
        goto done;
    }
    if ((rc = ccm_record_delete(rec, ccm_txn_stamp(txn), ccm_store_member(cli->store))) < 0 ||
        (rc = ccm_txn_put(txn, rec)) < 0 || (rc = ccm_txn_commit(txn)) < 0) {
        goto done;
    }
    if (cli->json) {
        json_t *doc = json_pack("{s:s, s:b}", "id", id, "removed", 1);
        rc = ccm_print_json(doc);
        json_decref(doc);
    } else {
        printf("removed activity %s\n", id);
    }
done:
    json_decref(rec);
    ccm_txn_free(txn);
    free(id);
    return rc;
}

int ccm_cmd_activity_list(ccm_cli *cli, int argc, char **argv)
{
    ccm_query q = {.kind = "activity"};
    json_t *roster = NULL;
    char up[4];
    int rc;

    if ((rc = ccm_store_roster(&roster, cli->store)) < 0) {
        return rc;
    }
    for (int a = 0; a < argc && rc == CCM_OK; a++) {
        const char *opt = argv[a], *v = a + 1 < argc ? argv[a + 1] : NULL;
        if (!v || opt[0] != '-') {
            rc = ccm_usage(cli, "unexpected argument '%s'", opt);
            break;
        }
        a++;
        if (strcmp(opt, "--state") == 0) {
            if ((rc = ccm_cli_state_id(up, v)) == CCM_OK) {
                rc = ccm_query_option(&q, "states", Q_EQ, up, roster);
            }
        } else if (strcmp(opt, "--type") == 0) {
            rc = ccm_query_option(&q, "type", Q_EQ, v, roster);
        } else if (strcmp(opt, "--status") == 0) {
            rc = ccm_query_option(&q, "status", Q_EQ, v, roster);
        } else if (strcmp(opt, "--by") == 0) {
            rc = ccm_query_option(&q, "by", Q_EQ, v, roster);
        } else if (strcmp(opt, "--since") == 0) {
            rc = ccm_query_option(&q, "date", Q_GE, v, roster);
        } else if (strcmp(opt, "--until") == 0) {
            rc = ccm_query_option(&q, "date", Q_LE, v, roster);
        } else if (strcmp(opt, "--where") == 0) {
            rc = ccm_query_where(&q, v, roster);
        } else if (strcmp(opt, "--sort") == 0) {
            rc = ccm_query_sort(&q, v);
        } else if (strcmp(opt, "--columns") == 0) {
            rc = ccm_query_columns(&q, v);
        } else {
            rc = ccm_usage(cli,
                           "unknown option '%s' (--state ID, --type T, --status S, --by M, "
                           "--since D, --until D, --where F<op>V, --sort F[:desc], "
                           "--columns F,...)",
                           opt);
        }
    }
    if (rc == CCM_OK) {
        rc = ccm_cli_list(cli, &q);
    }
    ccm_query_free(&q);
    json_decref(roster);
    return rc;
}
