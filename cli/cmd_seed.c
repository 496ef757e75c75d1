/*
 * cmd_seed.c - `ccmsync seed`: the public reference facts and the work
 * plan's timeline (cli/seed_data.json, embedded at build time), written as
 * ordinary signed changes in one commit through the import path.
 *
 * Every record carries its source in the text field `source`. Each activity
 * of the data has a `key`; its id is derived from it (the first 16 hex
 * digits of BLAKE2b over "ccmsync-seed\0" KEY), so every member who seeds
 * names the same activity with the same id, and seeding twice finds it.
 * Seeding never overwrites: a field a member has set keeps its value, a set
 * only gains the elements it lacks, an activity that exists (or was
 * removed) is left alone; a second run changes nothing and writes no
 * commit.
 */
#include <stdio.h>
#include <string.h>
#include <sodium.h>

#include "cli.h"
#include "seed_data.h"

#define SEED_ID_CONTEXT "ccmsync-seed"

void ccm_cli_seed_activity_id(char out[17], const char *key)
{
    unsigned char h[8];
    crypto_generichash_state st;

    crypto_generichash_init(&st, NULL, 0, sizeof(h));
    crypto_generichash_update(&st, (const unsigned char *)SEED_ID_CONTEXT,
                              sizeof(SEED_ID_CONTEXT)); /* with its NUL */
    crypto_generichash_update(&st, (const unsigned char *)key, strlen(key));
    crypto_generichash_final(&st, h, sizeof(h));
    sodium_bin2hex(out, 17, h, sizeof(h));
}

/* The embedded data as an import document: each activity's key becomes its
 * id. */
static int seed_document(json_t **out)
{
    json_error_t err;
    json_t *doc =
        json_loadb((const char *)ccm_seed_data, ccm_seed_data_len, JSON_REJECT_DUPLICATES, &err);
    json_t *a;
    size_t i;

    *out = NULL;
    if (!doc) {
        return ccm_error_set(CCM_ERROR, "the embedded seed data is malformed (line %d: %s)",
                             err.line, err.text);
    }
    json_array_foreach(json_object_get(doc, "activities"), i, a)
    {
        const char *key = json_string_value(json_object_get(a, "key"));
        char id[17];
        if (!key) {
            json_decref(doc);
            return ccm_error_set(CCM_ERROR, "the embedded seed data has an activity without key");
        }
        ccm_cli_seed_activity_id(id, key);
        json_object_set_new(a, "id", json_string(id));
    }
    *out = doc;
    return CCM_OK;
}

int ccm_cmd_seed(ccm_cli *cli, int argc, char **argv)
{
    json_t *doc = NULL;
    ccm_import imp = {0};
    size_t nstates = 0, nacts = 0;
    char head[41];
    int rc;

    if (argc != 0) {
        return ccm_usage(cli, "unexpected argument '%s'", argv[0]);
    }
    if ((rc = seed_document(&doc)) < 0 || (rc = ccm_import_doc(&imp, doc)) < 0 ||
        (rc = ccm_import_write(&nstates, &nacts, cli->store, &imp, CCM_IMPORT_FILL)) < 0) {
        goto done;
    }
    ccm_store_head(head, cli->store);
    if (cli->json) {
        json_t *out = json_pack("{s:I, s:I, s:s}", "states", (json_int_t)nstates, "activities",
                                (json_int_t)nacts, "commit", head);
        rc = ccm_print_json(out);
        json_decref(out);
    } else if (nstates + nacts == 0) {
        printf("nothing to add: the reference facts and the work plan's timeline are already "
               "recorded\n");
    } else {
        printf("seeded %zu states and %zu planned activities in commit %.10s; each record names "
               "its source in the field 'source'\n",
               nstates, nacts, head);
    }
done:
    ccm_import_free(&imp);
    json_decref(doc);
    return rc;
}
