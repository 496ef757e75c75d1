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

/* Prints one record's view as a compact line of the array (a comma before
 * all but the first). */
typedef struct {
    size_t n;
} export_ctx;

static int print_one(const json_t *rec, void *payload)
{
    export_ctx *x = payload;
    json_t *view;
    int rc = CCM_OK;

    if (ccm_record_is_deleted(rec)) {
        return CCM_OK;
    }
    if (!(view = ccm_cli_view(rec))) {
        return ccm_error_set(CCM_ERROR, "cannot render a record");
    }
    fputs(x->n++ ? ",\n  " : "\n  ", stdout);
    if (json_dumpf(view, stdout, JSON_SORT_KEYS | JSON_COMPACT) < 0) {
        rc = ccm_error_set(CCM_ERROR, "cannot write output");
    }
    json_decref(view);
    return rc;
}

static int print_kind(ccm_cli *cli, const char *key, const char *kind)
{
    export_ctx x = {0};
    int rc;

    printf("\"%s\": [", key);
    rc = ccm_store_foreach(cli->store, kind, NULL, print_one, &x);
    printf("%s]", x.n ? "\n" : "");
    return rc;
}

/* The document is streamed, one record at a time, with the top-level keys
 * in sorted order and each record compact on its own line: the same bytes
 * for the same records, whatever the store's size. */
int ccm_cmd_export(ccm_cli *cli, int argc, char **argv)
{
    int rc;

    if (argc != 0) {
        return ccm_usage(cli, "unexpected argument '%s'", argv[0]);
    }
    fputs("{", stdout);
    if ((rc = print_kind(cli, "activities", "activity")) == CCM_OK) {
        printf(",\n\"meta\": {\"format\": \"%s\"},\n", EXPORT_FORMAT);
        rc = print_kind(cli, "states", "state");
    }
    fputs("}\n", stdout);
    if (fflush(stdout) != 0 && rc == CCM_OK) {
        rc = ccm_error_set(CCM_ERROR, "cannot write output");
    }
    return rc;
}
