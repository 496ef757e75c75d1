/*
 * member.c - membership changes, admins only, each one signed commit:
 * `member add` records the newcomer's keys and role in the roster and seals
 * every group key epoch to them (so they can read the group's whole history).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store_private.h"

static int valid_role(const char *role)
{
    return strcmp(role, "admin") == 0 || strcmp(role, "editor") == 0 || strcmp(role, "reader") == 0;
}

/* The roster entry of a newcomer. */
static json_t *new_member(const char *name, const char *role, const uint8_t sign_pk[32],
                          const uint8_t box_pk[32], const char *by)
{
    char *sign = ccm_ssh_pubkey_format(sign_pk);
    char *box = ccm_base64_encode(box_pk, 32);
    char at[32];
    json_t *m = NULL;

    ccm_stamp_format(at, ccm_clock_now_ms() << 16);
    if (sign && box) {
        m = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "name", name, "role", role, "sign_key",
                      sign, "box_key", box, "since", at, "added_by", by);
    }
    free(sign);
    free(box);
    return m;
}

/* Seals every epoch's group key that this admin holds to box_pk. */
static int seal_all(git_tree_update *up, char (*paths)[128], size_t *n, ccm_store *s,
                    const git_tree *tree, const char *name, const uint8_t box_pk[32])
{
    for (uint32_t e = 1; e <= s->epoch; e++) {
        uint8_t *sealed = NULL;
        size_t len = 0;
        git_oid oid;
        const ccm_groupkey *gk;
        int rc;
        if ((rc = ccm_store_load_key_with(s, tree, s->roster, e)) < 0) {
            return rc;
        }
        if (!(gk = ccm_store_key_for(s, e, s->roster))) {
            return ccm_error_set(CCM_EDENIED, "no group key of epoch %u", (unsigned)e);
        }
        if ((rc = ccm_groupkey_seal(&sealed, &len, gk, box_pk)) < 0) {
            return rc;
        }
        rc = git_blob_create_from_buffer(&oid, s->repo, sealed, len) < 0
                 ? ccm_git_error("cannot write group key")
                 : CCM_OK;
        free(sealed);
        if (rc < 0) {
            return rc;
        }
        snprintf(paths[*n], 128, CCM_KEYS_DIR "/%u/%s", (unsigned)e, name);
        up[*n] = (git_tree_update){GIT_TREE_UPDATE_UPSERT, oid, GIT_FILEMODE_BLOB, paths[*n]};
        (*n)++;
    }
    return CCM_OK;
}

/* Writes the new roster with the given sealed keys as one signed commit on
 * top of `head`, with this member's next stamp, and moves the branch
 * (compare-and-swap). `up` has room for two more entries. */
static int commit_membership(ccm_store *s, git_commit *head, git_tree *tree, git_tree_update *up,
                             size_t n, const json_t *roster)
{
    git_oid roster_oid, tree_oid, commit_oid, stamps_oid;
    git_tree *new_tree = NULL;
    const git_commit *parents[1] = {head};
    json_t *stamps = NULL, *next = NULL;
    uint64_t last = ccm_store_clock_load(s), stamp;
    int rc;

    if ((rc = ccm_roster_write(&roster_oid, s->repo, roster)) < 0 ||
        (rc = ccm_stamps_read(&stamps, s->repo, tree)) < 0) {
        goto done;
    }
    if (ccm_stamps_get(stamps, s->member) > last) {
        last = ccm_stamps_get(stamps, s->member);
    }
    if (ccm_stamps_max(stamps, (ccm_clock_now_ms() + CCM_FUTURE_MS + 1) << 16) > last) {
        last = ccm_stamps_max(stamps, (ccm_clock_now_ms() + CCM_FUTURE_MS + 1) << 16);
    }
    stamp = ccm_hlc_next(last, ccm_clock_now_ms());
    if ((rc = ccm_stamps_with(&next, stamps, s->member, stamp)) < 0 ||
        (rc = ccm_stamps_write(&stamps_oid, s->repo, next)) < 0) {
        goto done;
    }
    up[n++] =
        (git_tree_update){GIT_TREE_UPDATE_UPSERT, roster_oid, GIT_FILEMODE_BLOB, CCM_ROSTER_PATH};
    up[n++] =
        (git_tree_update){GIT_TREE_UPDATE_UPSERT, stamps_oid, GIT_FILEMODE_BLOB, CCM_STAMPS_PATH};
    if (git_tree_create_updated(&tree_oid, s->repo, tree, n, up) < 0 ||
        git_tree_lookup(&new_tree, s->repo, &tree_oid) < 0) {
        rc = ccm_git_error("cannot write tree");
        goto done;
    }
    if ((rc = ccm_store_commit_signed(&commit_oid, s, s->repo, new_tree, parents, 1)) == CCM_OK &&
        (rc = ccm_store_move_branch(s, git_commit_id(head), &commit_oid)) == CCM_OK) {
        if (ccm_store_clock_save(s, stamp) < 0) {
            ccm_error_clear(); /* stamps.json keeps the next stamp after this one */
        }
        rc = ccm_store_refresh(s);
    }
done:
    json_decref(stamps);
    json_decref(next);
    git_tree_free(new_tree);
    return rc;
}

int ccm_store_member_add(ccm_store *s, const char *request, const char *role)
{
    char name[65];
    uint8_t sign_pk[32], box_pk[32];
    git_commit *head = NULL;
    git_tree *tree = NULL;
    git_tree_update *up = NULL;
    char(*paths)[128] = NULL;
    json_t *roster = NULL, *entry;
    const json_t *me, *existing;
    size_t n = 0;
    int lock = -1, rc;

    if (!valid_role(role)) {
        return ccm_error_set(CCM_EINVALID, "unknown role '%s' (admin, editor, reader)", role);
    }
    if ((rc = ccm_request_parse(name, sign_pk, box_pk, request)) < 0 ||
        (rc = ccm_schema_check_member_name(name)) < 0) {
        return rc == CCM_EVERIFY ? ccm_error_set(CCM_EINVALID, "%s",
                                                 "join request signature "
                                                 "does not verify")
                                 : rc;
    }
    if ((rc = ccm_store_lock_take(&lock, s->dir)) < 0 || (rc = ccm_store_refresh(s)) < 0 ||
        (rc = ccm_store_check_tip(s)) < 0) {
        goto done;
    }
    me = ccm_roster_member(s->roster, s->member);
    if (!ccm_roster_is_admin(me)) {
        rc = ccm_error_set(CCM_EDENIED, "only admins can add members ('%s' is %s)", s->member,
                           me ? json_string_value(json_object_get(me, "role")) : "not a member");
        goto done;
    }
    if ((existing = ccm_roster_member(s->roster, name))) {
        rc = ccm_error_set(CCM_EINVALID, "'%s' is already a member%s", name,
                           ccm_roster_is_active(existing) ? "" : " (removed)");
        goto done;
    }
    if (!(roster = json_deep_copy(s->roster)) ||
        !(entry = new_member(name, role, sign_pk, box_pk, s->member)) ||
        json_array_append_new(json_object_get(roster, "members"), entry) < 0 ||
        (rc = ccm_roster_canonicalise(roster)) < 0) {
        rc = rc < 0 ? rc : ccm_error_set(CCM_ERROR, "out of memory");
        goto done;
    }
    if ((rc = ccm_store_head_commit(&head, s)) < 0 || git_commit_tree(&tree, head) < 0) {
        rc = rc < 0 ? rc : ccm_git_error("cannot read tree");
        goto done;
    }
    if (!(up = calloc(s->epoch + 2, sizeof(*up))) ||
        !(paths = calloc(s->epoch + 2, sizeof(*paths)))) {
        rc = ccm_error_set(CCM_ERROR, "out of memory");
        goto done;
    }
    if ((rc = seal_all(up, paths, &n, s, tree, name, box_pk)) == CCM_OK) {
        rc = commit_membership(s, head, tree, up, n, roster);
    }
done:
    if (lock >= 0) {
        close(lock);
    }
    free(paths);
    free(up);
    json_decref(roster);
    git_tree_free(tree);
    git_commit_free(head);
    return rc;
}

/* Seals the new epoch's key to every active member of `roster`. */
static int seal_epoch(git_tree_update *up, char (*paths)[128], size_t *n, ccm_store *s,
                      const json_t *roster, const ccm_groupkey *gk)
{
    size_t i;
    const json_t *m;

    json_array_foreach(json_object_get(roster, "members"), i, m)
    {
        uint8_t box[32], *sealed = NULL;
        size_t len = 0;
        git_oid oid;
        const char *b64 = json_string_value(json_object_get(m, "box_key"));
        int rc;
        if (!ccm_roster_is_active(m)) {
            continue;
        }
        if (!b64 || ccm_base64_decode(box, 32, b64, strlen(b64)) != 32) {
            return ccm_error_set(CCM_EVERIFY, "malformed box key in the roster");
        }
        if ((rc = ccm_groupkey_seal(&sealed, &len, gk, box)) < 0) {
            return rc;
        }
        rc = git_blob_create_from_buffer(&oid, s->repo, sealed, len) < 0
                 ? ccm_git_error("cannot write group key")
                 : CCM_OK;
        free(sealed);
        if (rc < 0) {
            return rc;
        }
        snprintf(paths[*n], 128, CCM_KEYS_DIR "/%u/%s", (unsigned)ccm_groupkey_epoch(gk),
                 json_string_value(json_object_get(m, "name")));
        up[*n] = (git_tree_update){GIT_TREE_UPDATE_UPSERT, oid, GIT_FILEMODE_BLOB, paths[*n]};
        (*n)++;
    }
    return CCM_OK;
}

int ccm_store_member_remove(ccm_store *s, const char *name)
{
    git_commit *head = NULL;
    git_tree *tree = NULL;
    git_tree_update *up = NULL;
    char(*paths)[128] = NULL, at[32];
    json_t *roster = NULL, *target;
    const json_t *me;
    ccm_groupkey *gk = NULL;
    size_t n = 0, members;
    int lock = -1, rc;

    if ((rc = ccm_schema_check_member_name(name)) < 0) {
        return rc;
    }
    if ((rc = ccm_store_lock_take(&lock, s->dir)) < 0 || (rc = ccm_store_refresh(s)) < 0 ||
        (rc = ccm_store_check_tip(s)) < 0) {
        goto done;
    }
    me = ccm_roster_member(s->roster, s->member);
    if (!ccm_roster_is_admin(me)) {
        rc = ccm_error_set(CCM_EDENIED, "only admins can remove members ('%s' is %s)", s->member,
                           me ? json_string_value(json_object_get(me, "role")) : "not a member");
        goto done;
    }
    if (!(roster = json_deep_copy(s->roster))) {
        rc = ccm_error_set(CCM_ERROR, "out of memory");
        goto done;
    }
    target = (json_t *)ccm_roster_member(roster, name);
    if (!ccm_roster_is_active(target)) {
        rc = ccm_error_set(CCM_EINVALID, "'%s' is not a member%s", name, target ? " any more" : "");
        goto done;
    }
    if (ccm_roster_is_admin(target) && ccm_roster_active_admins(roster) == 1) {
        rc = ccm_error_set(CCM_EINVALID, "'%s' is the last admin; add another admin first", name);
        goto done;
    }
    if (!ccm_store_key(s, s->epoch)) {
        rc = CCM_EDENIED;
        goto done;
    }
    ccm_stamp_format(at, ccm_clock_now_ms() << 16);
    json_object_set_new(target, "removed", json_string(at));
    json_object_set_new(target, "removed_by", json_string(s->member));
    if ((rc = ccm_groupkey_rotate(&gk, s->keys[s->epoch])) < 0) {
        goto done;
    }
    json_object_set_new(roster, "epoch", json_integer(ccm_groupkey_epoch(gk)));
    {
        uint8_t cmt[CCM_KEY_COMMITMENT_BYTES];
        char e[16], *b64;
        ccm_groupkey_commitment(cmt, gk);
        snprintf(e, sizeof(e), "%u", (unsigned)ccm_groupkey_epoch(gk));
        if (!(b64 = ccm_base64_encode(cmt, sizeof(cmt))) ||
            json_object_set_new(json_object_get(roster, "commitments"), e, json_string(b64)) < 0) {
            free(b64);
            rc = ccm_error_set(CCM_ERROR, "out of memory");
            goto done;
        }
        free(b64);
    }
    members = json_array_size(json_object_get(roster, "members"));
    if ((rc = ccm_store_head_commit(&head, s)) < 0 || git_commit_tree(&tree, head) < 0) {
        rc = rc < 0 ? rc : ccm_git_error("cannot read tree");
        goto done;
    }
    if (!(up = calloc(members + 3, sizeof(*up))) ||
        !(paths = calloc(members + 3, sizeof(*paths)))) {
        rc = ccm_error_set(CCM_ERROR, "out of memory");
        goto done;
    }
    if ((rc = seal_epoch(up, paths, &n, s, roster, gk)) == CCM_OK) {
        rc = commit_membership(s, head, tree, up, n, roster);
    }
done:
    if (lock >= 0) {
        close(lock);
    }
    ccm_groupkey_free(gk);
    free(paths);
    free(up);
    json_decref(roster);
    git_tree_free(tree);
    git_commit_free(head);
    return rc;
}
