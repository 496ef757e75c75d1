/*
 * cmd_export.c - export: every record this member can read, as one JSON
 * document in a deterministic order (states, then activities, each sorted by
 * id, keys sorted), so that replicas that have seen the same changes print
 * the same bytes. Removed activities are left out (the log keeps them).
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

#define EXPORT_FORMAT "ccmsync-export-1"

static int add_kind(json_t *doc, ccm_cli *cli, const char *kind, const char *key)
{
    json_t *recs = NULL, *arr = json_array(), *rec;
    size_t i;
    int rc;

    if (!arr) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    if ((rc = ccm_store_list(&recs, cli->store, kind)) < 0) {
        json_decref(arr);
        return rc;
    }
    json_array_foreach(recs, i, rec)
    {
        if (!ccm_record_is_deleted(rec)) {
            json_array_append_new(arr, ccm_cli_view(rec));
        }
    }
    json_decref(recs);
    json_object_set_new(doc, key, arr);
    return CCM_OK;
}

int ccm_cmd_export(ccm_cli *cli, int argc, char **argv)
{
    json_t *doc;
    int rc;

    if (argc != 0) {
        return ccm_usage(cli, "unexpected argument '%s'", argv[0]);
    }
    doc = json_pack("{s:{s:s}}", "meta", "format", EXPORT_FORMAT);
    if (!doc) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    if ((rc = add_kind(doc, cli, "state", "states")) == CCM_OK &&
        (rc = add_kind(doc, cli, "activity", "activities")) == CCM_OK) {
        rc = ccm_print_json(doc);
    }
    json_decref(doc);
    return rc;
}
