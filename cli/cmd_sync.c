/*
 * cmd_sync.c - member remove, remote add/list/remove, sync, status.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "text.h"
#include "../sync/sync.h"

int ccm_cmd_member_remove(ccm_cli *cli, int argc, char **argv)
{
    int rc;

    if (argc != 1) {
        return ccm_usage(cli, argc ? "too many arguments" : "missing NAME");
    }
    if ((rc = ccm_store_member_remove(cli->store, argv[0])) < 0) {
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

/* With --json, a command that otherwise prints nothing prints this object. */
static int print_done(ccm_cli *cli, json_t *doc)
{
    int rc = CCM_OK;

    if (cli->json) {
        rc = doc ? ccm_print_json(doc) : ccm_error_set(CCM_ERROR, "out of memory");
    }
    json_decref(doc);
    return rc;
}

int ccm_cmd_remote_add(ccm_cli *cli, int argc, char **argv)
{
    int rc;

    if (argc != 2) {
        return ccm_usage(cli, argc < 2 ? "missing NAME or URL" : "too many arguments");
    }
    if ((rc = ccm_sync_remote_add(cli->store, argv[0], argv[1])) < 0) {
        return rc;
    }
    return print_done(cli,
                      json_pack("{s:s, s:s, s:b}", "remote", argv[0], "url", argv[1], "added", 1));
}

int ccm_cmd_remote_remove(ccm_cli *cli, int argc, char **argv)
{
    int rc;

    if (argc != 1) {
        return ccm_usage(cli, argc < 1 ? "missing NAME" : "too many arguments");
    }
    if ((rc = ccm_sync_remote_remove(cli->store, argv[0])) < 0) {
        return rc;
    }
    return print_done(cli, json_pack("{s:s, s:b}", "remote", argv[0], "removed", 1));
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
            printf("%-12s ", list[i].name);
            ccm_text_put(stdout, list[i].url);
            fputc('\n', stdout);
        }
    }
    ccm_sync_remote_list_free(list, n);
    return rc;
}

int ccm_cmd_status(ccm_cli *cli, int argc, char **argv)
{
    json_t *fresh = NULL;
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
    if ((rc = ccm_store_freshness(&fresh, cli->store)) < 0) {
        ccm_sync_remote_list_free(list, n);
        return rc;
    }
    if (cli->json) {
        json_t *arr = json_array(), *doc;
        for (size_t i = 0; i < n; i++) {
            json_array_append_new(arr, remote_json(&list[i]));
        }
        doc = json_pack("{s:s, s:s, s:o, s:O, s:O}", "member", ccm_store_member(cli->store), "head",
                        head, "remotes", arr, "epoch", json_object_get(fresh, "epoch"), "members",
                        json_object_get(fresh, "members"));
        rc = ccm_print_json(doc);
        json_decref(doc);
    } else {
        const char *name;
        json_t *m;
        printf("member %s, head %.10s, key epoch %lld\n", ccm_store_member(cli->store), head,
               (long long)json_integer_value(json_object_get(fresh, "epoch")));
        if (n == 0) {
            printf("no remotes (add one with 'ccmsync remote add NAME URL')\n");
        }
        for (size_t i = 0; i < n; i++) {
            printf("%-12s %zu unsynced local commit%s, last sync %s\n", list[i].name,
                   list[i].unsynced, list[i].unsynced == 1 ? "" : "s",
                   list[i].last_sync ? list[i].last_sync : "never");
        }
        printf("newest commit held of each member (one long silent may be out of reach, or a "
               "hub may be withholding their work):\n");
        json_object_foreach(json_object_get(fresh, "members"), name, m)
        {
            const char *last = json_string_value(json_object_get(m, "last_commit"));
            printf("  %-20s %-7s %s%s\n", name, json_string_value(json_object_get(m, "role")),
                   last ? last : "none yet",
                   json_is_true(json_object_get(m, "removed")) ? " (removed)" : "");
        }
    }
    json_decref(fresh);
    ccm_sync_remote_list_free(list, n);
    return rc;
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
    ccm_progress_line line = {{0, 0}, 0, ""};
    char *url = NULL;
    int rc, new_hub;

    if (argc > 1) {
        return ccm_usage(cli, "too many arguments");
    }
    /* A path remote that is absent (in a folder that exists) or an empty
     * folder becomes a new hub: said in so many words. */
    url = remote_url(cli, remote);
    new_hub = url && ccm_sync_remote_is_new_hub(url);
    ccm_sync_set_prompt(ccm_cli_prompt_secret);
    rc = ccm_sync_run(&res, cli->store, remote, isatty(2) ? ccm_progress : NULL, &line);
    ccm_progress_end(&line);
    for (size_t i = 0; i < res.nwarnings; i++) {
        ccm_text_warning(stderr, res.warnings[i]);
    }
    new_hub = new_hub && rc == CCM_OK;
    if (rc == CCM_OK && cli->json) {
        json_t *warnings = json_array(), *left = json_object(), *pending = json_array(), *doc;
        for (size_t i = 0; i < res.nwarnings; i++) {
            json_array_append_new(warnings, json_string(res.warnings[i]));
        }
        for (size_t i = 0; i < res.nleft_out; i++) {
            json_object_set_new(left, res.left_out[i].member,
                                json_integer((json_int_t)res.left_out[i].commits));
        }
        for (size_t i = 0; i < res.npending_merged; i++) {
            json_array_append_new(pending, json_string(res.pending_merged[i]));
        }
        doc =
            json_pack("{s:s, s:s, s:I, s:b, s:b, s:b, s:i, s:o, s:o, s:b, s:b, s:o}", "remote",
                      remote, "head", res.head, "incoming", (json_int_t)res.incoming,
                      "fast_forward", res.fast_forward, "merged", res.merged, "pushed", res.pushed,
                      "rounds", res.rounds, "warnings", warnings, "left_out", left, "admitted",
                      res.admitted, "created_hub", new_hub, "pending_merged", pending);
        rc = ccm_print_json(doc);
        json_decref(doc);
    } else if (!cli->json) {
        for (size_t i = 0; i < res.nleft_out; i++) {
            printf("%zu commit%s by %s after their removal %s not applied\n",
                   res.left_out[i].commits, res.left_out[i].commits == 1 ? "" : "s",
                   res.left_out[i].member, res.left_out[i].commits == 1 ? "was" : "were");
        }
        for (size_t i = 0; i < res.npending_merged; i++) {
            printf("merged the history %s left on %s (they could not merge it themselves)\n",
                   res.pending_merged[i], remote);
        }
        if (rc == CCM_OK && res.admitted) {
            printf("admitted: this member can now read the group's records (the whole history "
                   "was verified again)\n");
        }
        if (rc == CCM_OK && new_hub) {
            printf("created a new hub at %s (other members join with 'ccmsync join %s --member "
                   "NAME')\n",
                   url, url);
        }
        if (rc == CCM_OK) {
            printf("synced with %s: %zu new commit%s%s%s%s; head %.10s\n", remote, res.incoming,
                   res.incoming == 1 ? "" : "s", res.fast_forward ? ", fast-forward" : "",
                   res.merged ? ", merged" : "", res.pushed ? ", pushed" : "", res.head);
        }
    }
    ccm_sync_result_free(&res);
    free(url);
    return rc;
}
