/*
 * cmd_sync.c - join, member add, remote add/list/remove, sync, status.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "../sync/sync.h"

int ccm_cmd_join(ccm_cli *cli, int argc, char **argv)
{
    const char *member = NULL, *url = NULL;
    char *pass = NULL, *request = NULL;
    size_t len = 0;
    int no_pass = 0, rc;

    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--member") == 0 && i + 1 < argc) {
            member = argv[++i];
        } else if (strcmp(argv[i], "--no-passphrase") == 0) {
            no_pass = 1;
        } else if (argv[i][0] != '-' && !url) {
            url = argv[i];
        } else {
            return ccm_usage(cli, "unexpected argument '%s'", argv[i]);
        }
    }
    if (!url || !member) {
        return ccm_usage(cli, "missing %s", !url ? "URL" : "--member NAME");
    }
    if ((rc = ccm_schema_check_member_name(member)) < 0) {
        return rc;
    }
    if (!cli->store_dir) {
        return ccm_error_set(CCM_EINVALID, "no store: give -C DIR or set CCMSYNC_STORE");
    }
    if (!no_pass && (rc = ccm_passphrase_get(&pass, &len, cli, 1)) < 0) {
        return rc;
    }
    rc = ccm_sync_join(&request, cli->store_dir, url, member, pass, len);
    ccm_secret_free(pass);
    if (rc < 0) {
        return rc;
    }
    if (cli->json) {
        char next[4200];
        json_t *doc;
        ccm_cli_next_command(next, sizeof(next), cli, "sync");
        doc = json_pack("{s:s, s:s, s:s, s:s}", "store", cli->store_dir, "member", member,
                        "request", request, "next", next);
        rc = ccm_print_json(doc);
        json_decref(doc);
    } else {
        char next[4200];
        fprintf(stderr,
                "Joined '%s' in '%s'. Hand this line to an admin, who runs 'ccmsync "
                "member add LINE' and syncs; then sync yourself:\n",
                url, cli->store_dir);
        printf("%s\n", request);
        fflush(stdout);
        ccm_cli_next_command(next, sizeof(next), cli, "sync");
        fprintf(stderr, "Next, once an admin has added you and synced: %s\n", next);
    }
    free(request);
    return rc;
}

int ccm_cmd_member_add(ccm_cli *cli, int argc, char **argv)
{
    const char *request = NULL, *role = "editor";
    int rc;

    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--role") == 0 && i + 1 < argc) {
            role = argv[++i];
        } else if (!request) {
            request = argv[i];
        } else {
            return ccm_usage(cli, "unexpected argument '%s' (quote the request line)", argv[i]);
        }
    }
    if (!request) {
        return ccm_usage(cli, "missing REQUEST");
    }
    if ((rc = ccm_sync_member_add(cli->store, request, role)) < 0) {
        return rc;
    }
    if (cli->json) {
        json_t *doc = json_pack("{s:b, s:s}", "added", 1, "role", role);
        rc = ccm_print_json(doc);
        json_decref(doc);
    } else {
        printf("added a member as %s; sync to share the change\n", role);
    }
    return rc;
}

int ccm_cmd_member_remove(ccm_cli *cli, int argc, char **argv)
{
    int rc;

    if (argc != 1) {
        return ccm_usage(cli, argc ? "too many arguments" : "missing NAME");
    }
    if ((rc = ccm_sync_member_remove(cli->store, argv[0])) < 0) {
        return rc;
    }
    if (cli->json) {
        json_t *doc = json_pack("{s:s, s:b}", "member", argv[0], "removed", 1);
        rc = ccm_print_json(doc);
        json_decref(doc);
    } else {
        printf("removed '%s'; the group key was rotated; sync to share the change\n", argv[0]);
    }
    return rc;
}

int ccm_cmd_remote_add(ccm_cli *cli, int argc, char **argv)
{
    if (argc != 2) {
        return ccm_usage(cli, argc < 2 ? "missing NAME or URL" : "too many arguments");
    }
    return ccm_sync_remote_add(cli->store, argv[0], argv[1]);
}

int ccm_cmd_remote_remove(ccm_cli *cli, int argc, char **argv)
{
    if (argc != 1) {
        return ccm_usage(cli, argc < 1 ? "missing NAME" : "too many arguments");
    }
    return ccm_sync_remote_remove(cli->store, argv[0]);
}

static json_t *remote_json(const ccm_remote_info *r)
{
    return json_pack("{s:s, s:s, s:I, s:o}", "name", r->name, "url", r->url, "unsynced",
                     (json_int_t)r->unsynced, "last_sync",
                     r->last_sync ? json_string(r->last_sync) : json_null());
}

int ccm_cmd_remote_list(ccm_cli *cli, int argc, char **argv)
{
    ccm_remote_info *list = NULL;
    size_t n = 0;
    int rc;

    if (argc != 0) {
        return ccm_usage(cli, "unexpected argument '%s'", argv[0]);
    }
    if ((rc = ccm_sync_remote_list(&list, &n, cli->store)) < 0) {
        return rc;
    }
    if (cli->json) {
        json_t *arr = json_array();
        for (size_t i = 0; i < n; i++) {
            json_array_append_new(arr, remote_json(&list[i]));
        }
        rc = ccm_print_json(arr);
        json_decref(arr);
    } else {
        for (size_t i = 0; i < n; i++) {
            printf("%-12s %s\n", list[i].name, list[i].url);
        }
    }
    ccm_sync_remote_list_free(list, n);
    return rc;
}

int ccm_cmd_status(ccm_cli *cli, int argc, char **argv)
{
    ccm_remote_info *list = NULL;
    size_t n = 0;
    char head[41];
    int rc;

    if (argc != 0) {
        return ccm_usage(cli, "unexpected argument '%s'", argv[0]);
    }
    if ((rc = ccm_sync_remote_list(&list, &n, cli->store)) < 0) {
        return rc;
    }
    ccm_store_head(head, cli->store);
    if (cli->json) {
        json_t *arr = json_array(), *doc;
        for (size_t i = 0; i < n; i++) {
            json_array_append_new(arr, remote_json(&list[i]));
        }
        doc = json_pack("{s:s, s:s, s:o}", "member", ccm_store_member(cli->store), "head", head,
                        "remotes", arr);
        rc = ccm_print_json(doc);
        json_decref(doc);
    } else {
        printf("member %s, head %.10s\n", ccm_store_member(cli->store), head);
        if (n == 0) {
            printf("no remotes (add one with 'ccmsync remote add NAME URL')\n");
        }
        for (size_t i = 0; i < n; i++) {
            printf("%-12s %zu unsynced local commit%s, last sync %s\n", list[i].name,
                   list[i].unsynced, list[i].unsynced == 1 ? "" : "s",
                   list[i].last_sync ? list[i].last_sync : "never");
        }
    }
    ccm_sync_remote_list_free(list, n);
    return rc;
}

/* Progress on a terminal, at most ten updates a second; nothing on pipes. */
static void progress(const char *what, size_t done, size_t total, size_t bytes, void *payload)
{
    struct timespec *last = payload, now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    if (done != total &&
        (now.tv_sec - last->tv_sec) * 1000 + (now.tv_nsec - last->tv_nsec) / 1000000 < 100) {
        return;
    }
    *last = now;
    fprintf(stderr, "\r%s: %zu/%zu objects, %.1f KiB%s", what, done, total, bytes / 1024.0,
            done == total ? "\n" : "");
}

/* The URL of a remote (caller frees), or NULL. */
static char *remote_url(ccm_cli *cli, const char *name)
{
    ccm_remote_info *list = NULL;
    size_t n = 0;
    char *url = NULL;

    if (ccm_sync_remote_list(&list, &n, cli->store) < 0) {
        ccm_error_clear();
        return NULL;
    }
    for (size_t i = 0; i < n && !url; i++) {
        if (strcmp(list[i].name, name) == 0) {
            url = strdup(list[i].url);
        }
    }
    ccm_sync_remote_list_free(list, n);
    return url;
}

int ccm_cmd_sync(ccm_cli *cli, int argc, char **argv)
{
    const char *remote = argc > 0 ? argv[0] : "origin";
    ccm_sync_result res;
    struct timespec last = {0, 0};
    char *url = NULL;
    int rc, new_hub;

    if (argc > 1) {
        return ccm_usage(cli, "too many arguments");
    }
    /* A path remote that is absent (in a folder that exists) or an empty
     * folder becomes a new hub: said in so many words. */
    url = remote_url(cli, remote);
    new_hub = url && ccm_sync_remote_is_new_hub(url);
    rc = ccm_sync_run(&res, cli->store, remote, isatty(2) ? progress : NULL, &last);
    for (size_t i = 0; i < res.nwarnings; i++) {
        fprintf(stderr, "ccmsync: warning: %s\n", res.warnings[i]);
    }
    new_hub = new_hub && rc == CCM_OK;
    if (rc == CCM_OK && cli->json) {
        json_t *warnings = json_array(), *doc;
        for (size_t i = 0; i < res.nwarnings; i++) {
            json_array_append_new(warnings, json_string(res.warnings[i]));
        }
        doc = json_pack("{s:s, s:s, s:I, s:b, s:b, s:b, s:i, s:o, s:b}", "remote", remote, "head",
                        res.head, "incoming", (json_int_t)res.incoming, "fast_forward",
                        res.fast_forward, "merged", res.merged, "pushed", res.pushed, "rounds",
                        res.rounds, "warnings", warnings, "created_hub", new_hub);
        rc = ccm_print_json(doc);
        json_decref(doc);
    } else if (rc == CCM_OK) {
        if (new_hub) {
            printf("created a new hub at %s (other members join with 'ccmsync join %s --member "
                   "NAME')\n",
                   url, url);
        }
        printf("synced with %s: %zu new commit%s%s%s%s; head %.10s\n", remote, res.incoming,
               res.incoming == 1 ? "" : "s", res.fast_forward ? ", fast-forward" : "",
               res.merged ? ", merged" : "", res.pushed ? ", pushed" : "", res.head);
    }
    ccm_sync_result_free(&res);
    free(url);
    return rc;
}
