/*
 * stamps.c - the stamps of a commit's tree (stamps.json): for every member,
 * the stamp of their latest commit in the commit's history.
 *
 * Every commit that changes something (every commit but a merge) carries
 * exactly one stamp, shared by every entry, tag and tombstone it adds, and
 * raises its member's line here to that stamp, which must be greater than
 * the line before: a member's stamps increase along their history, so
 * (member, stamp) names one commit, and an entry names the commit that made
 * it. A merge's stamps are the pointwise maximum of its parents'. The
 * member names and times here are public by design, like the roster's.
 *
 * The blob is canonical JSON, {"MEMBER": STAMP, ...} with sorted keys and no
 * spaces, so that replicas that merge the same histories write the same
 * blob.
 */
#include <stdlib.h>
#include <string.h>

#include "store_private.h"

int ccm_stamps_validate(const json_t *stamps)
{
    const char *name;
    json_t *v;

    if (!json_is_object(stamps) || json_object_size(stamps) == 0 ||
        json_object_size(stamps) > CCM_MAX_MEMBERS) {
        return ccm_error_set(CCM_EVERIFY, "malformed %s", CCM_STAMPS_PATH);
    }
    json_object_foreach((json_t *)stamps, name, v)
    {
        if (ccm_schema_check_member_name(name) < 0 || !json_is_integer(v) ||
            json_integer_value(v) <= 0) {
            return ccm_error_set(CCM_EVERIFY, "malformed %s", CCM_STAMPS_PATH);
        }
    }
    return CCM_OK;
}

uint64_t ccm_stamps_get(const json_t *stamps, const char *member)
{
    json_int_t v = json_integer_value(json_object_get(stamps, member));

    return v > 0 ? (uint64_t)v : 0;
}

uint64_t ccm_stamps_max(const json_t *stamps, uint64_t below)
{
    const char *name;
    json_t *v;
    uint64_t m = 0;

    json_object_foreach((json_t *)stamps, name, v)
    {
        uint64_t s = (uint64_t)json_integer_value(v);
        if (s > m && s < below) {
            m = s;
        }
    }
    return m;
}

int ccm_stamps_read(json_t **out, git_repository *repo, const git_tree *tree)
{
    const git_tree_entry *e = git_tree_entry_byname(tree, CCM_STAMPS_PATH);
    git_blob *blob = NULL;
    json_error_t jerr;
    int rc = CCM_OK;

    *out = NULL;
    if (!e) {
        return ccm_error_set(CCM_EVERIFY,
                             "commit has no %s (a history made by an earlier "
                             "ccmsync: export it with that version and import it)",
                             CCM_STAMPS_PATH);
    }
    if (git_tree_entry_type(e) != GIT_OBJECT_BLOB ||
        git_tree_entry_filemode(e) != GIT_FILEMODE_BLOB) {
        return ccm_error_set(CCM_EVERIFY, "%s is not a regular file", CCM_STAMPS_PATH);
    }
    if (git_blob_lookup(&blob, repo, git_tree_entry_id(e)) < 0) {
        return ccm_git_error("cannot read stamps");
    }
    if (git_blob_rawsize(blob) > 64 * CCM_MAX_MEMBERS + 2) {
        rc = ccm_error_set(CCM_EVERIFY, "%s is too large", CCM_STAMPS_PATH);
        goto done;
    }
    *out = json_loadb(git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob),
                      JSON_REJECT_DUPLICATES, &jerr);
    if (!*out || (rc = ccm_stamps_validate(*out)) < 0) {
        json_decref(*out);
        *out = NULL;
        rc = ccm_error_set(CCM_EVERIFY, "malformed %s", CCM_STAMPS_PATH);
    }
done:
    git_blob_free(blob);
    return rc;
}

int ccm_stamps_write(git_oid *oid, git_repository *repo, const json_t *stamps)
{
    char *text = json_dumps(stamps, JSON_SORT_KEYS | JSON_COMPACT);
    int rc = CCM_OK;

    if (!text) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    if (git_blob_create_from_buffer(oid, repo, text, strlen(text)) < 0) {
        rc = ccm_git_error("cannot write stamps");
    }
    free(text);
    return rc;
}

int ccm_stamps_with(json_t **out, const json_t *stamps, const char *member, uint64_t stamp)
{
    *out = stamps ? json_copy((json_t *)stamps) : json_object();
    if (!*out || json_object_set_new(*out, member, json_integer((json_int_t)stamp)) < 0) {
        json_decref(*out);
        *out = NULL;
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    return CCM_OK;
}

int ccm_stamps_merge(json_t **out, const json_t *a, const json_t *b)
{
    const char *name;
    json_t *v;

    if (!(*out = json_copy((json_t *)a))) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    json_object_foreach((json_t *)b, name, v)
    {
        if (ccm_stamps_get(*out, name) < (uint64_t)json_integer_value(v) &&
            json_object_set(*out, name, v) < 0) {
            json_decref(*out);
            *out = NULL;
            return ccm_error_set(CCM_ERROR, "out of memory");
        }
    }
    return CCM_OK;
}
