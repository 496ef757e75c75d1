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

int ccm_roster_commitment(uint8_t out[CCM_KEY_COMMITMENT_BYTES], const json_t *roster,
                          uint32_t epoch)
{
    char key[16];
    const char *b64;

    snprintf(key, sizeof(key), "%u", (unsigned)epoch);
    b64 = json_string_value(json_object_get(json_object_get(roster, "commitments"), key));
    return b64 && ccm_base64_decode(out, CCM_KEY_COMMITMENT_BYTES, b64, strlen(b64)) ==
                      CCM_KEY_COMMITMENT_BYTES;
}

/* Makes room for keys[epoch]. */
static int keys_reserve(ccm_store *s, uint32_t epoch)
{
    uint32_t n = epoch + 8;
    ccm_groupkey **k;
    uint8_t(*c)[CCM_KEY_COMMITMENT_BYTES];

    if (epoch < s->nkeys) {
        return CCM_OK;
    }
    if (!(k = realloc(s->keys, n * sizeof(*k)))) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    s->keys = k;
    if (!(c = realloc(s->cmts, n * sizeof(*c)))) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    s->cmts = c;
    memset(k + s->nkeys, 0, (n - s->nkeys) * sizeof(*k));
    memset(c + s->nkeys, 0, (n - s->nkeys) * sizeof(*c));
    s->nkeys = n;
    return CCM_OK;
}

/* The loaded key of `epoch` with commitment `cmt` (primary or alternate). */
static const ccm_groupkey *key_with(const ccm_store *s, uint32_t epoch,
                                    const uint8_t cmt[CCM_KEY_COMMITMENT_BYTES])
{
    uint8_t c[CCM_KEY_COMMITMENT_BYTES];

    if (epoch < s->nkeys && s->keys[epoch] && memcmp(s->cmts[epoch], cmt, sizeof(c)) == 0) {
        return s->keys[epoch];
    }
    for (size_t i = 0; i < s->nalts; i++) {
        if (ccm_groupkey_epoch(s->alts[i]) == epoch) {
            ccm_groupkey_commitment(c, s->alts[i]);
            if (memcmp(c, cmt, sizeof(c)) == 0) {
                return s->alts[i];
            }
        }
    }
    return NULL;
}

const ccm_groupkey *ccm_store_key_for(ccm_store *s, uint32_t epoch, const json_t *roster)
{
    uint8_t cmt[CCM_KEY_COMMITMENT_BYTES];

    return ccm_roster_commitment(cmt, roster, epoch) ? key_with(s, epoch, cmt) : NULL;
}

/* Keeps gk (taken) as the key of its epoch, or as an alternate. */
static int keep_key(ccm_store *s, ccm_groupkey *gk, const uint8_t cmt[CCM_KEY_COMMITMENT_BYTES])
{
    uint32_t epoch = ccm_groupkey_epoch(gk);
    ccm_groupkey **a;
    int rc;

    if ((rc = keys_reserve(s, epoch)) < 0) {
        ccm_groupkey_free(gk);
        return rc;
    }
    if (!s->keys[epoch]) {
        s->keys[epoch] = gk;
        memcpy(s->cmts[epoch], cmt, CCM_KEY_COMMITMENT_BYTES);
        return CCM_OK;
    }
    if (!(a = realloc(s->alts, (s->nalts + 1) * sizeof(*a)))) {
        ccm_groupkey_free(gk);
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    s->alts = a;
    s->alts[s->nalts++] = gk;
    return CCM_OK;
}

int ccm_store_load_key_with(ccm_store *s, const git_tree *tree, const json_t *roster,
                            uint32_t epoch)
{
    char path[128];
    uint8_t want[CCM_KEY_COMMITMENT_BYTES], got[CCM_KEY_COMMITMENT_BYTES];
    git_tree_entry *entry = NULL;
    git_blob *blob = NULL;
    ccm_groupkey *gk = NULL;
    json_t *own = NULL;
    int rc;

    if (epoch == 0 || epoch >= CCM_MAX_EPOCHS) {
        return ccm_error_set(CCM_EVERIFY, "invalid key epoch %u", (unsigned)epoch);
    }
    if (!roster) {
        if ((rc = ccm_store_read_roster(&own, s->repo, tree)) < 0) {
            return rc;
        }
        roster = own;
    }
    if (!ccm_roster_commitment(want, roster, epoch)) {
        rc = ccm_error_set(CCM_EVERIFY, "the roster publishes no key commitment for epoch %u",
                           (unsigned)epoch);
        goto done;
    }
    if (key_with(s, epoch, want)) {
        rc = CCM_OK;
        goto done;
    }
    snprintf(path, sizeof(path), CCM_KEYS_DIR "/%u/%s", (unsigned)epoch, s->member);
    if (git_tree_entry_bypath(&entry, tree, path) < 0) {
        rc = ccm_error_set(CCM_EDENIED,
                           "no group key for member '%s' (not yet admitted or removed: hand "
                           "'ccmsync whoami --request' to an admin, then sync)",
                           s->member);
        goto done;
    }
    if (git_blob_lookup(&blob, s->repo, git_tree_entry_id(entry)) < 0) {
        rc = ccm_git_error("cannot read group key");
        goto done;
    }
    rc = ccm_groupkey_open(&gk, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob), s->id);
    if (rc < 0) {
        goto done;
    }
    ccm_groupkey_commitment(got, gk);
    if (ccm_groupkey_epoch(gk) != epoch || memcmp(got, want, sizeof(got)) != 0) {
        rc = ccm_error_set(CCM_EVERIFY,
                           "the group key of epoch %u sealed to '%s' is not the one the roster "
                           "publishes (an admin sealed a wrong key: ask another admin to remove "
                           "and re-add you)",
                           (unsigned)epoch, s->member);
        goto done;
    }
    rc = keep_key(s, gk, got);
    gk = NULL;
done:
    ccm_groupkey_free(gk);
    git_blob_free(blob);
    git_tree_entry_free(entry);
    json_decref(own);
    return rc;
}

int ccm_store_load_key(ccm_store *s, const git_tree *tree, uint32_t epoch)
{
    return ccm_store_load_key_with(s, tree, NULL, epoch);
}

/* Makes the key of `epoch` that `roster` publishes the primary one. */
void ccm_store_promote_key(ccm_store *s, uint32_t epoch, const json_t *roster)
{
    uint8_t cmt[CCM_KEY_COMMITMENT_BYTES];

    if (epoch >= s->nkeys || !s->keys[epoch] || !ccm_roster_commitment(cmt, roster, epoch) ||
        memcmp(s->cmts[epoch], cmt, sizeof(cmt)) == 0) {
        return;
    }
    for (size_t i = 0; i < s->nalts; i++) {
        uint8_t c[CCM_KEY_COMMITMENT_BYTES];
        if (ccm_groupkey_epoch(s->alts[i]) != epoch) {
            continue;
        }
        ccm_groupkey_commitment(c, s->alts[i]);
        if (memcmp(c, cmt, sizeof(c)) == 0) {
            ccm_groupkey *old = s->keys[epoch];
            s->keys[epoch] = s->alts[i];
            memcpy(s->cmts[epoch], c, sizeof(c));
            s->alts[i] = old;
            return;
        }
    }
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

int ccm_store_decrypt_record(json_t **out, ccm_store *s, const char *name, const uint8_t *env,
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
    rc = ccm_store_decrypt_record_key(out, s, gk, name, env, len);
    for (size_t i = 0; rc == CCM_EVERIFY && i < s->nalts; i++) {
        /* Another key of the same epoch (two admins rotated at once). */
        if (ccm_groupkey_epoch(s->alts[i]) == epoch &&
            ccm_store_decrypt_record_key(out, s, s->alts[i], name, env, len) == CCM_OK) {
            ccm_error_clear();
            rc = CCM_OK;
        }
    }
    return rc;
}

int ccm_store_decrypt_record_key(json_t **out, const ccm_store *s, const ccm_groupkey *gk,
                                 const char *name, const uint8_t *env, size_t len)
{
    uint8_t *pt = NULL;
    size_t pt_len = 0;
    json_t *rec = NULL;
    json_error_t jerr;
    char check[65];
    int rc;

    *out = NULL;
    if (len > CCM_RECORD_BYTES_MAX + CCM_ENVELOPE_HEADER + 16) {
        return ccm_error_set(CCM_EVERIFY, "record %.12s is larger than %d bytes", name,
                             CCM_RECORD_BYTES_MAX);
    }
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

int ccm_store_decrypt_blob(json_t **out, ccm_store *s, git_repository *repo, const char *name,
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
    rc = ccm_store_decrypt_record(out, s, name, git_blob_rawcontent(blob),
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
