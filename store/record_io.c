/*
 * record_io.c - moving records between documents and git blobs: naming them
 * (keyed hashes), sealing them in envelopes, opening and checking them, and
 * the group keys of each epoch that this takes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_private.h"

const ccm_groupkey *ccm_store_key(ccm_store *s, uint32_t epoch)
{
    if (epoch < s->nkeys && s->keys[epoch]) {
        return s->keys[epoch];
    }
    if (epoch == s->epoch) {
        ccm_error_set(CCM_EDENIED,
                      "no key for this data: member '%s' has not been admitted (hand 'ccmsync "
                      "whoami --request' to an admin, then sync) or was removed",
                      s->member);
    } else {
        ccm_error_set(CCM_EDENIED, "no key for this data: member '%s' has no group key of epoch %u",
                      s->member, (unsigned)epoch);
    }
    return NULL;
}

const ccm_groupkey *ccm_store_key_loaded(const ccm_store *s, const uint8_t *env, size_t len)
{
    uint32_t epoch;

    if (ccm_envelope_epoch(&epoch, env, len) < 0) {
        ccm_error_clear();
        return NULL;
    }
    return epoch < s->nkeys ? s->keys[epoch] : NULL;
}

int ccm_store_load_key(ccm_store *s, const git_tree *tree, uint32_t epoch)
{
    char path[128];
    git_tree_entry *entry = NULL;
    git_blob *blob = NULL;
    ccm_groupkey *gk = NULL;
    int rc;

    if (epoch == 0 || epoch >= CCM_MAX_EPOCHS) {
        return ccm_error_set(CCM_EVERIFY, "invalid key epoch %u", (unsigned)epoch);
    }
    if (epoch < s->nkeys && s->keys[epoch]) {
        return CCM_OK;
    }
    snprintf(path, sizeof(path), CCM_KEYS_DIR "/%u/%s", (unsigned)epoch, s->member);
    if (git_tree_entry_bypath(&entry, tree, path) < 0) {
        return ccm_error_set(CCM_EDENIED,
                             "no group key for member '%s' (not yet admitted or removed: hand "
                             "'ccmsync whoami --request' to an admin, then sync)",
                             s->member);
    }
    if (git_blob_lookup(&blob, s->repo, git_tree_entry_id(entry)) < 0) {
        rc = ccm_git_error("cannot read group key");
        goto done;
    }
    rc = ccm_groupkey_open(&gk, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob), s->id);
    if (rc < 0) {
        goto done;
    }
    if (ccm_groupkey_epoch(gk) != epoch) {
        rc = ccm_error_set(CCM_EVERIFY, "group key at '%s' is of epoch %u", path,
                           (unsigned)ccm_groupkey_epoch(gk));
        goto done;
    }
    if (epoch >= s->nkeys) {
        uint32_t n = epoch + 8;
        ccm_groupkey **k = realloc(s->keys, n * sizeof(*k));
        if (!k) {
            rc = ccm_error_set(CCM_ERROR, "out of memory");
            goto done;
        }
        memset(k + s->nkeys, 0, (n - s->nkeys) * sizeof(*k));
        s->keys = k;
        s->nkeys = n;
    }
    s->keys[epoch] = gk;
    gk = NULL;
    rc = CCM_OK;
done:
    ccm_groupkey_free(gk);
    git_blob_free(blob);
    git_tree_entry_free(entry);
    return rc;
}

void ccm_record_name(char name[65], const ccm_store *s, const char *kind, const char *id)
{
    /* Every epoch's key carries the same index key: any loaded one will do.
     * Callers check that a key is available before naming records. */
    for (uint32_t e = s->nkeys; e-- > 0;) {
        if (s->keys[e]) {
            ccm_groupkey_record_name(name, s->keys[e], kind, id);
            return;
        }
    }
    memset(name, '0', CCM_NAME_LEN);
    name[CCM_NAME_LEN] = 0;
}

void ccm_record_path_of_name(char path[80], const char *name)
{
    snprintf(path, CCM_PATH_MAX, CCM_RECORDS_DIR "/%.2s/%.2s/%s", name, name + 2, name + 4);
}

int ccm_store_open_record(json_t **out, ccm_store *s, const char *name, const uint8_t *env,
                          size_t len)
{
    uint32_t epoch;
    const ccm_groupkey *gk;
    int rc;

    *out = NULL;
    if ((rc = ccm_envelope_epoch(&epoch, env, len)) < 0) {
        return rc;
    }
    if (!(gk = ccm_store_key(s, epoch))) {
        /* Records keep the epoch they were written under until rewritten:
         * older keys are loaded from HEAD when first needed. */
        git_commit *head = NULL;
        git_tree *tree = NULL;
        int loaded = ccm_store_head_commit(&head, s) == CCM_OK && head &&
                     git_commit_tree(&tree, head) == 0 &&
                     ccm_store_load_key(s, tree, epoch) == CCM_OK;
        git_tree_free(tree);
        git_commit_free(head);
        if (!loaded || !(gk = ccm_store_key(s, epoch))) {
            return CCM_EDENIED;
        }
        ccm_error_clear();
    }
    return ccm_store_open_record_key(out, s, gk, name, env, len);
}

int ccm_store_open_record_key(json_t **out, const ccm_store *s, const ccm_groupkey *gk,
                              const char *name, const uint8_t *env, size_t len)
{
    uint8_t *pt = NULL;
    size_t pt_len = 0;
    json_t *rec = NULL;
    json_error_t jerr;
    char check[65];
    int rc;

    *out = NULL;
    rc = ccm_envelope_open(&pt, &pt_len, gk, (const uint8_t *)name, CCM_NAME_LEN, env, len);
    if (rc < 0) {
        return rc;
    }
    rec = ccm_json_load((const char *)pt, pt_len, &jerr);
    ccm_wipe_free(pt, pt_len);
    if (!rec) {
        return ccm_error_set(CCM_EVERIFY, "record %.12s: malformed JSON: %s", name, jerr.text);
    }
    if ((rc = ccm_record_validate(rec)) < 0) {
        json_decref(rec);
        char prefix[32];
        snprintf(prefix, sizeof(prefix), "record %.12s", name);
        return ccm_error_wrap(CCM_EVERIFY, prefix);
    }
    ccm_record_name(check, s, json_string_value(json_object_get(rec, "kind")),
                    json_string_value(json_object_get(rec, "id")));
    if (strcmp(check, name) != 0) {
        json_decref(rec);
        return ccm_error_set(CCM_EVERIFY, "record %.12s is stored under another record's name",
                             name);
    }
    *out = rec;
    return CCM_OK;
}

int ccm_store_open_blob(json_t **out, ccm_store *s, git_repository *repo, const char *name,
                        const git_oid *oid)
{
    git_blob *blob = NULL;
    int rc;

    if ((*out = ccm_store_memo_get(s, name, oid))) {
        return CCM_OK;
    }
    if (git_blob_lookup(&blob, repo, oid) < 0) {
        return ccm_git_error("cannot read record");
    }
    rc = ccm_store_open_record(out, s, name, git_blob_rawcontent(blob),
                               (size_t)git_blob_rawsize(blob));
    git_blob_free(blob);
    if (rc == CCM_OK) {
        ccm_store_memo_put(s, name, oid, *out);
    }
    return rc;
}

int ccm_store_write_text(git_oid *oid, ccm_store *s, git_repository *repo, const char *name,
                         const char *text, size_t len)
{
    uint8_t *env = NULL;
    size_t env_len = 0;
    const ccm_groupkey *gk = ccm_store_key(s, s->epoch);
    int rc;

    if (!gk) {
        return CCM_EDENIED;
    }
    rc = ccm_envelope_seal(&env, &env_len, gk, (const uint8_t *)name, CCM_NAME_LEN,
                           (const uint8_t *)text, len);
    if (rc < 0) {
        return rc;
    }
    if (git_blob_create_from_buffer(oid, repo, env, env_len) < 0) {
        rc = ccm_git_error("cannot write record");
    }
    free(env);
    return rc;
}

int ccm_store_write_record(git_oid *oid, char *name_out, ccm_store *s, git_repository *repo,
                           const json_t *rec)
{
    char name[65];
    char *pt;
    size_t len;
    int rc;

    if (!ccm_store_key(s, s->epoch)) {
        return CCM_EDENIED;
    }
    ccm_record_name(name, s, json_string_value(json_object_get(rec, "kind")),
                    json_string_value(json_object_get(rec, "id")));
    if (!(pt = ccm_json_canon(rec, &len))) {
        return ccm_error_set(CCM_ERROR, "cannot serialise record");
    }
    rc = ccm_store_write_text(oid, s, repo, name, pt, len);
    ccm_wipe_free(pt, len);
    if (name_out) {
        memcpy(name_out, name, 65);
    }
    return rc;
}
