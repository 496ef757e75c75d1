/*
 * cmd_join.c - join and member add: the two ends of admitting a member, and
 * the identities each side compares out of band before trusting the other
 * (the group's founder and admins for the newcomer; the requester's key for
 * the admin).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "../sync/sync.h"

/* The group's id and admins with their fingerprints, to compare out of
 * band (stderr: stdout carries the request line). *group: the same as JSON. */
static int print_group(ccm_cli *cli, json_t **group)
{
    ccm_store *s = NULL;
    json_t *g = NULL, *a;
    size_t i;
    int rc;

    *group = NULL;
    if ((rc = ccm_store_open(&s, cli->store_dir)) < 0 || (rc = ccm_store_group(&g, s)) < 0) {
        ccm_store_free(s);
        return rc;
    }
    ccm_store_free(s);
    if (!cli->json) {
        fprintf(stderr,
                "Group %s, founded by %s. Its admins (compare these fingerprints with them, out "
                "of band):\n",
                json_string_value(json_object_get(g, "group")),
                json_string_value(json_object_get(g, "founder")));
        json_array_foreach(json_object_get(g, "admins"), i, a)
        {
            fprintf(stderr, "  %-20s %s\n", json_string_value(json_object_get(a, "name")),
                    json_string_value(json_object_get(a, "fingerprint")));
        }
    }
    *group = g;
    return CCM_OK;
}

/* CCM_EINVALID unless `fp` looks like an SSH SHA256 fingerprint. */
static int check_fingerprint_arg(const char *fp)
{
    if (strncmp(fp, "SHA256:", 7) != 0 || strlen(fp) != 50) {
        return ccm_error_set(CCM_EINVALID,
                             "invalid fingerprint '%.80s' (SHA256: and 43 characters, as 'ccmsync "
                             "whoami' prints)",
                             fp);
    }
    return CCM_OK;
}

int ccm_cmd_join(ccm_cli *cli, int argc, char **argv)
{
    const char *member = NULL, *url = NULL, *expect = NULL;
    char *pass = NULL, *request = NULL, next[4200];
    ccm_progress_line line = {{0, 0}, 0, ""};
    json_t *group = NULL;
    size_t len = 0;
    int no_pass = 0, rc;

    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--member") == 0 && i + 1 < argc) {
            member = argv[++i];
        } else if (strcmp(argv[i], "--no-passphrase") == 0) {
            no_pass = 1;
        } else if (strcmp(argv[i], "--expect") == 0 && i + 1 < argc) {
            expect = argv[++i];
        } else if (argv[i][0] != '-' && !url) {
            url = argv[i];
        } else {
            return ccm_usage(cli, "unexpected argument '%s'", argv[i]);
        }
    }
    if (!url || !member) {
        return ccm_usage(cli, "missing %s", !url ? "URL" : "--member NAME");
    }
    if ((rc = ccm_schema_check_member_name(member)) < 0 ||
        (expect && (rc = check_fingerprint_arg(expect)) < 0)) {
        return rc;
    }
    if (!cli->store_dir) {
        return ccm_error_set(CCM_EINVALID, "no store: give -C DIR or set CCMSYNC_STORE");
    }
    if (!no_pass && (rc = ccm_passphrase_get(&pass, &len, cli, 1)) < 0) {
        return rc;
    }
    ccm_sync_set_prompt(ccm_cli_prompt_secret);
    rc = ccm_sync_join_progress(&request, cli->store_dir, url, member, pass, len, expect,
                                isatty(2) ? ccm_progress : NULL, &line);
    ccm_progress_end(&line);
    ccm_secret_free(pass);
    if (rc < 0 || (rc = print_group(cli, &group)) < 0) {
        free(request);
        return rc;
    }
    ccm_cli_next_command(next, sizeof(next), cli, "sync");
    if (cli->json) {
        json_t *doc = json_pack("{s:s, s:s, s:s, s:o, s:s}", "store", cli->store_dir, "member",
                                member, "request", request, "group", group, "next", next);
        rc = ccm_print_json(doc);
        json_decref(doc);
    } else {
        json_decref(group);
        fprintf(stderr,
                "Joined '%s' in '%s'. Hand this line to an admin, who runs 'ccmsync "
                "member add LINE' and syncs; then sync yourself:\n",
                url, cli->store_dir);
        printf("%s\n", request);
        fflush(stdout);
        fprintf(stderr, "Next, once an admin has added you and synced: %s\n", next);
    }
    free(request);
    return rc;
}

int ccm_cmd_member_add(ccm_cli *cli, int argc, char **argv)
{
    const char *request = NULL, *role = "editor", *expect = NULL;
    char name[65], fp[64];
    uint8_t sign_pk[32], box_pk[32];
    int rc;

    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--role") == 0 && i + 1 < argc) {
            role = argv[++i];
        } else if (strcmp(argv[i], "--expect") == 0 && i + 1 < argc) {
            expect = argv[++i];
        } else if (!request) {
            request = argv[i];
        } else {
            return ccm_usage(cli, "unexpected argument '%s' (quote the request line)", argv[i]);
        }
    }
    if (!request) {
        return ccm_usage(cli, "missing REQUEST");
    }
    if (expect && (rc = check_fingerprint_arg(expect)) < 0) {
        return rc;
    }
    /* Who is asking, before anything is written: the name and key to
     * compare with the requester out of band. */
    if ((rc = ccm_request_parse(name, sign_pk, box_pk, request)) < 0) {
        return rc == CCM_EVERIFY
                   ? ccm_error_set(CCM_EINVALID, "join request signature does not verify")
                   : rc;
    }
    ccm_ssh_fingerprint(fp, sign_pk);
    if (!cli->json) {
        fprintf(stderr, "Request from '%s', signing key %s, to be added as %s.\n", name, fp, role);
    }
    if (expect && strcmp(expect, fp) != 0) {
        return ccm_error_set(CCM_EVERIFY,
                             "the request of '%s' has key %s, not the expected %s: not added", name,
                             fp, expect);
    }
    if ((rc = ccm_store_member_add(cli->store, request, role)) < 0) {
        return rc;
    }
    if (cli->json) {
        json_t *doc = json_pack("{s:b, s:s, s:s, s:s}", "added", 1, "role", role, "member", name,
                                "fingerprint", fp);
        rc = ccm_print_json(doc);
        json_decref(doc);
    } else {
        printf("added '%s' (%s) as %s; sync to share the change\n", name, fp, role);
    }
    return rc;
}
