/*
 * cmd_state.c - state set / show / list.
 *
 * State ids are ISO 3166-1 alpha-3 codes, accepted in any case and stored in
 * upper case.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Applies FIELD arguments to one record of `kind` in one commit and prints
 * the result (unless CCM_UPDATE_QUIET); CCM_UPDATE_CREATE creates the record
 * when it does not exist. */
int ccm_cli_update_record(ccm_cli *cli, const char *kind, const char *id, int argc, char **argv,
                          int flags)
{
    ccm_field_ops ops = {0};
    ccm_txn *txn = NULL;
    json_t *rec = NULL, *view = NULL;
    int rc;

    if (argc == 0) {
        return ccm_usage(cli, "no field to change");
    }
    if ((rc = ccm_field_ops_parse(&ops, kind, argc, argv)) < 0) {
        return rc;
    }
    if ((rc = ccm_txn_begin(&txn, cli->store)) < 0) {
        goto done;
    }
    rc = ccm_txn_get(&rec, txn, kind, id);
    if (rc == CCM_ENOTFOUND && (flags & CCM_UPDATE_CREATE)) {
        ccm_error_clear();
        rc = (rec = ccm_record_new(kind, id)) ? CCM_OK : CCM_EINVALID;
    }
    if (rc < 0) {
        goto done;
    }
    if (ccm_record_is_deleted(rec)) {
        rc = ccm_error_set(CCM_ENOTFOUND, "%s '%s' was removed", kind, id);
        goto done;
    }
    if ((rc = ccm_field_ops_apply(rec, &ops, txn, ccm_store_member(cli->store))) < 0 ||
        (rc = ccm_txn_put(txn, rec)) < 0 || (rc = ccm_txn_commit(txn)) < 0) {
        goto done;
    }
    if (!(flags & CCM_UPDATE_QUIET)) {
        view = ccm_cli_view(rec);
        if (cli->json) {
            rc = ccm_print_json(view);
        } else {
            ccm_print_record(view);
        }
    }
done:
    json_decref(view);
    json_decref(rec);
    ccm_txn_free(txn);
    ccm_field_ops_free(&ops);
    return rc;
}

int ccm_cmd_state_set(ccm_cli *cli, int argc, char **argv)
{
    char id[4];
    int rc;

    if (argc < 1) {
        return ccm_usage(cli, "missing state code");
    }
    if ((rc = ccm_cli_state_id(id, argv[0])) < 0) {
        return rc;
    }
    return ccm_cli_update_record(cli, "state", id, argc - 1, argv + 1, CCM_UPDATE_CREATE);
}

int ccm_cli_show_record(ccm_cli *cli, const char *kind, const char *id)
{
    json_t *rec = NULL, *view = NULL;
    int rc;

    if ((rc = ccm_store_get(&rec, cli->store, kind, id)) < 0) {
        return rc;
    }
    if (ccm_record_is_deleted(rec)) {
        json_decref(rec);
        return ccm_error_set(CCM_ENOTFOUND, "%s '%s' was removed (see 'ccmsync log %s')", kind, id,
                             id);
    }
    view = ccm_cli_view(rec);
    if (cli->json) {
        rc = ccm_print_json(view);
    } else {
        ccm_print_record(view);
    }
    json_decref(view);
    json_decref(rec);
    return rc;
}

int ccm_cmd_state_show(ccm_cli *cli, int argc, char **argv)
{
    char id[4];
    int rc;

    if (argc != 1) {
        return ccm_usage(cli, argc ? "too many arguments" : "missing state code");
    }
    if ((rc = ccm_cli_state_id(id, argv[0])) < 0) {
        return rc;
    }
    return ccm_cli_show_record(cli, "state", id);
}

/* One --where F=V filter: a scalar equal to V, or a set holding V. */
static int matches(const json_t *fields, const char *field, const char *value)
{
    json_t *v = json_object_get(fields, field), *e;
    size_t i;

    if (json_is_string(v)) {
        return strcmp(json_string_value(v), value) == 0;
    }
    json_array_foreach(v, i, e)
    {
        if (strcmp(json_string_value(e), value) == 0) {
            return 1;
        }
    }
    return 0;
}

int ccm_cmd_state_list(ccm_cli *cli, int argc, char **argv)
{
    const char *wf[32], *wv[32];
    char *copies[32];
    size_t nw = 0, i;
    json_t *recs = NULL, *out = NULL, *rec;
    int rc = CCM_OK;

    for (int a = 0; a < argc; a++) {
        const char *opt = argv[a], *field = NULL, *value;
        if (a + 1 >= argc || nw == 32) {
            return ccm_usage(cli, "unexpected argument '%s'", opt);
        }
        value = argv[++a];
        if (strcmp(opt, "--target") == 0) {
            field = "targets";
        } else if (strcmp(opt, "--status") == 0) {
            field = "status";
        } else if (strcmp(opt, "--where") == 0) {
            char *eq = strchr(value, '=');
            if (!eq) {
                rc = ccm_usage(cli, "--where needs FIELD=VALUE, not '%s'", value);
                goto done;
            }
            copies[nw] = strndup(value, (size_t)(eq - value));
            field = copies[nw];
            value = eq + 1;
            if (!field || (rc = ccm_schema_check_field_name(field)) < 0) {
                nw++;
                goto done;
            }
        } else {
            return ccm_usage(cli, "unknown option '%s' (--target C, --status S, --where F=V)", opt);
        }
        if (strcmp(opt, "--where") != 0) {
            copies[nw] = NULL;
        }
        wf[nw] = field;
        wv[nw] = value;
        nw++;
        rc = ccm_schema_field_type("state", field) == CCM_FT_SET
                 ? ccm_schema_check_elem("state", field, value)
                 : ccm_schema_check_value("state", field, value);
        if (rc < 0) {
            goto done;
        }
    }
    if ((rc = ccm_store_list(&recs, cli->store, "state")) < 0) {
        goto done;
    }
    out = json_array();
    json_array_foreach(recs, i, rec)
    {
        json_t *view = ccm_cli_view(rec);
        int ok = !ccm_record_is_deleted(rec);
        for (size_t k = 0; k < nw && ok; k++) {
            ok = matches(json_object_get(view, "fields"), wf[k], wv[k]);
        }
        if (ok) {
            json_array_append(out, view);
        }
        json_decref(view);
    }
    if (cli->json) {
        rc = ccm_print_json(out);
    } else {
        ccm_print_record_list(out, "state");
    }
done:
    for (size_t k = 0; k < nw; k++) {
        free(copies[k]);
    }
    json_decref(out);
    json_decref(recs);
    return rc;
}
