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

#define ACTIVITY_ID_LEN 16

int ccm_cmd_activity_add(ccm_cli *cli, int argc, char **argv)
{
    const char *type = NULL, *date = NULL;
    char **fields = calloc((size_t)argc + 3, sizeof(*fields));
    char *type_arg = NULL, *date_arg = NULL, id[ACTIVITY_ID_LEN + 1];
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
        (rc = ccm_schema_check_value("activity", "date", date)) < 0) {
        goto done;
    }
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

static int has_elem(const json_t *set, const char *elem)
{
    size_t i;
    json_t *e;

    json_array_foreach(set, i, e)
    {
        if (strcmp(json_string_value(e), elem) == 0) {
            return 1;
        }
    }
    return 0;
}

/* Orders activities by date, then id. */
static int by_date(const void *a, const void *b)
{
    const json_t *fa = json_object_get(*(json_t *const *)a, "fields");
    const json_t *fb = json_object_get(*(json_t *const *)b, "fields");
    const char *da = json_string_value(json_object_get(fa, "date"));
    const char *db = json_string_value(json_object_get(fb, "date"));
    int c = strcmp(da ? da : "", db ? db : "");

    return c ? c
             : strcmp(json_string_value(json_object_get(*(json_t *const *)a, "id")),
                      json_string_value(json_object_get(*(json_t *const *)b, "id")));
}

int ccm_cmd_activity_list(ccm_cli *cli, int argc, char **argv)
{
    const char *state = NULL, *type = NULL, *since = NULL, *until = NULL;
    char needle[16] = "", up[4] = "";
    json_t *recs = NULL, *out = NULL, *rec, **views = NULL;
    size_t i, n = 0;
    int rc = CCM_OK;

    for (int a = 0; a < argc; a++) {
        const char **slot = strcmp(argv[a], "--state") == 0   ? &state
                            : strcmp(argv[a], "--type") == 0  ? &type
                            : strcmp(argv[a], "--since") == 0 ? &since
                            : strcmp(argv[a], "--until") == 0 ? &until
                                                              : NULL;
        if (!slot || a + 1 >= argc) {
            return ccm_usage(cli, "unexpected argument '%s'", argv[a]);
        }
        *slot = argv[++a];
    }
    if (state) {
        if ((rc = ccm_cli_state_id(up, state)) < 0) {
            return rc;
        }
        snprintf(needle, sizeof(needle), "\"%s\"", up);
    }
    if ((type && (rc = ccm_schema_check_value("activity", "type", type)) < 0) ||
        (since && (rc = ccm_schema_check_value("activity", "date", since)) < 0) ||
        (until && (rc = ccm_schema_check_value("activity", "date", until)) < 0)) {
        return rc;
    }
    if ((rc = ccm_store_list_matching(&recs, cli->store, "activity", state ? needle : NULL)) < 0) {
        return rc;
    }
    if (!(views = calloc(json_array_size(recs) + 1, sizeof(*views)))) {
        rc = ccm_error_set(CCM_ERROR, "out of memory");
        goto done;
    }
    json_array_foreach(recs, i, rec)
    {
        json_t *view, *f;
        const char *d;
        if (ccm_record_is_deleted(rec)) {
            continue;
        }
        view = ccm_cli_view(rec);
        f = json_object_get(view, "fields");
        d = json_string_value(json_object_get(f, "date"));
        if ((state && !has_elem(json_object_get(f, "states"), up)) ||
            (type && strcmp(json_string_value(json_object_get(f, "type"))
                                ? json_string_value(json_object_get(f, "type"))
                                : "",
                            type) != 0) ||
            (since && (!d || strcmp(d, since) < 0)) || (until && (!d || strcmp(d, until) > 0))) {
            json_decref(view);
            continue;
        }
        views[n++] = view;
    }
    qsort(views, n, sizeof(*views), by_date);
    out = json_array();
    for (size_t k = 0; k < n; k++) {
        json_array_append_new(out, views[k]);
    }
    if (cli->json) {
        rc = ccm_print_json(out);
    } else {
        ccm_print_record_list(out, "activity");
    }
done:
    free(views);
    json_decref(out);
    json_decref(recs);
    return rc;
}
