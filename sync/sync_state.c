/*
 * sync_state.c - the local record of syncs (sync.json in the store's
 * folder: when each remote was last synced) and what a remote's status
 * shows from it: the last sync and the commits not yet synced. Local-only:
 * it never leaves the machine, and losing it loses nothing but those dates.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sync_private.h"

static json_t *state_load(ccm_store *s)
{
    char *path = ccm_path_join(ccm_store_dir(s), "sync.json");
    uint8_t *buf = NULL;
    size_t len = 0;
    json_t *doc = NULL;

    if (path && ccm_file_read(&buf, &len, path) == CCM_OK) {
        doc = json_loadb((const char *)buf, len, 0, NULL);
    }
    free(buf);
    free(path);
    ccm_error_clear();
    if (!json_is_object(doc)) {
        json_decref(doc);
        doc = json_object();
    }
    return doc;
}

static void state_save(ccm_store *s, json_t *doc)
{
    char *path = ccm_path_join(ccm_store_dir(s), "sync.json");
    char *text = json_dumps(doc, JSON_SORT_KEYS | JSON_INDENT(2));

    if (path && text) {
        ccm_file_write(path, (const uint8_t *)text, strlen(text), 0600);
    }
    free(path);
    free(text);
}

void ccm_sync_record(ccm_store *s, const char *remote)
{
    json_t *doc = state_load(s);
    char at[32];

    ccm_stamp_format(at, ccm_clock_now_ms() << 16);
    json_object_set_new(doc, remote, json_pack("{s:s}", "last_sync", at));
    state_save(s, doc);
    json_decref(doc);
}

void ccm_sync_forget(ccm_store *s, const char *remote)
{
    json_t *doc = state_load(s);
    char ref[160];
    git_reference *r = NULL;

    json_object_del(doc, remote);
    state_save(s, doc);
    json_decref(doc);
    snprintf(ref, sizeof(ref), CCM_TRACKING_PREFIX "%s/main", remote);
    if (git_reference_lookup(&r, ccm_store_repo(s), ref) == 0) {
        git_reference_delete(r);
        git_reference_free(r);
    }
}

void ccm_sync_remote_state(ccm_store *s, ccm_remote_info *info)
{
    json_t *doc = state_load(s);
    const char *at =
        json_string_value(json_object_get(json_object_get(doc, info->name), "last_sync"));
    char ref[160];
    git_oid head, seen;
    git_revwalk *w = NULL;

    info->last_sync = at ? strdup(at) : NULL;
    info->unsynced = 0;
    snprintf(ref, sizeof(ref), CCM_TRACKING_PREFIX "%s/main", info->name);
    if (git_reference_name_to_id(&head, ccm_store_repo(s), CCM_BRANCH) == 0 &&
        git_revwalk_new(&w, ccm_store_repo(s)) == 0 && git_revwalk_push(w, &head) == 0) {
        git_oid oid;
        if (git_reference_name_to_id(&seen, ccm_store_repo(s), ref) == 0) {
            git_revwalk_hide(w, &seen);
        }
        while (git_revwalk_next(&oid, w) == 0) {
            info->unsynced++;
        }
    }
    git_revwalk_free(w);
    json_decref(doc);
}
