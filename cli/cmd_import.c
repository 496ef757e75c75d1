/*
 * cmd_import.c - import FILE: reads the file (or standard input for "-"),
 * hands it to the store's import (store/import.c: the JSON and CSV formats,
 * every validation, the one commit), prints the warnings it returns and what
 * it wrote.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "text.h"

static int read_input(char **out, size_t *len, const char *path)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    int rc;

    *out = NULL;
    if (!f) {
        return ccm_error_set(CCM_EINVALID, "cannot read import file '%s'", path);
    }
    rc = ccm_stream_read(out, len, f, SIZE_MAX - 1);
    if (f != stdin) {
        fclose(f);
    }
    if (rc < 0) {
        char why[256];
        snprintf(why, sizeof(why), "%s", ccm_error_last());
        return ccm_error_set(CCM_EINVALID, "cannot read import file '%s': %s", path, why);
    }
    return CCM_OK;
}

int ccm_cmd_import(ccm_cli *cli, int argc, char **argv)
{
    char *text = NULL, head[41];
    size_t len = 0, nstates = 0, nacts = 0, i;
    json_t *roster = NULL, *warnings = json_array(), *w;
    ccm_import imp = {0};
    int rc;

    if (argc != 1) {
        json_decref(warnings);
        return ccm_usage(cli, argc ? "too many arguments" : "missing FILE");
    }
    if (!warnings) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    if ((rc = read_input(&text, &len, argv[0])) < 0 ||
        (rc = ccm_import_parse(&imp, argv[0], text, len)) < 0 ||
        (rc = ccm_store_roster(&roster, cli->store)) < 0) {
        goto done;
    }
    rc = ccm_import_check(&imp, roster, warnings);
    json_array_foreach(warnings, i, w)
    {
        ccm_text_warning(stderr, json_string_value(w));
    }
    if (rc < 0 || (rc = ccm_import_write(&nstates, &nacts, cli->store, &imp, 0)) < 0) {
        goto done;
    }
    ccm_store_head(head, cli->store);
    if (cli->json) {
        json_t *doc = json_pack("{s:I, s:I, s:s}", "states", (json_int_t)nstates, "activities",
                                (json_int_t)nacts, "commit", head);
        rc = ccm_print_json(doc);
        json_decref(doc);
    } else {
        printf("imported %zu states and %zu activities in commit %.10s\n", nstates, nacts, head);
    }
done:
    ccm_import_free(&imp);
    json_decref(roster);
    json_decref(warnings);
    free(text);
    return rc;
}
