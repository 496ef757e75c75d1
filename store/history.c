/*
 * history.c - the field-level audit trail: for each commit, which record
 * fields it changed, from what to what, and who made the assignment.
 *
 * A commit with one parent (or none) is compared with its parent, record by
 * record (treediff.c), and every field whose effective value differs is one
 * log entry, attributed to the member and stamp of the assignment that now
 * holds. Merge commits make no assignment of their own (the join only
 * combines assignments already made), so each change appears once, at the
 * commit that made it. Tombstones appear as the pseudo-field "(deleted)".
 * Commits whose effects the membership leaves out (a removed member's that
 * the removal did not see; sync reports them) changed nothing and are not
 * listed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_private.h"
#include "cache.h"

#define DELETED_FIELD "(deleted)"

typedef struct {
    ccm_store *s;
    json_t *out;
    const char *commit;           /* hex id of the commit being compared */
    const char *member;           /* filter, or NULL */
    char since[32];               /* RFC 3339 lower bound, or "" */
    const git_tree *tree, *ptree; /* the commit's and its parent's */
    json_t *left_out;             /* commits whose effects do not stand */
} log_ctx;

static json_t *deleted_value(const json_t *rec)
{
    return rec && ccm_record_is_deleted(rec) ? json_string("yes") : json_null();
}

/* Appends one entry if it passes the filters. Steals old_v and new_v. */
static int emit(log_ctx *ctx, const json_t *rec, const char *field, json_t *old_v, json_t *new_v,
                const char *by, const char *at)
{
    json_t *e;

    if ((ctx->member && strcmp(ctx->member, by) != 0) ||
        (ctx->since[0] && strcmp(at, ctx->since) < 0)) {
        json_decref(old_v);
        json_decref(new_v);
        return CCM_OK;
    }
    e = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o}", "commit", ctx->commit, "member", by, "at",
                  at, "record", json_string_value(json_object_get(rec, "id")), "field", field,
                  "old", old_v, "new", new_v);
    if (!e || json_array_append_new(ctx->out, e) < 0) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    return CCM_OK;
}

/* Compares two versions of one record (either may be NULL) field by field. */
static int diff_records(log_ctx *ctx, const json_t *old_rec, const json_t *new_rec)
{
    json_t *names = json_object(), *blame = NULL, *v;
    const json_t *any = new_rec ? new_rec : old_rec;
    const char *field;
    int rc = CCM_OK;

    if (!names) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    json_object_foreach(json_object_get(old_rec, "fields"), field, v)
    {
        json_object_set(names, field, json_null());
    }
    json_object_foreach(json_object_get(new_rec, "fields"), field, v)
    {
        json_object_set(names, field, json_null());
    }
    blame = new_rec ? ccm_record_blame(new_rec) : json_object();
    json_object_foreach(names, field, v)
    {
        json_t *o = old_rec ? ccm_record_field_value(old_rec, field) : NULL;
        json_t *n = new_rec ? ccm_record_field_value(new_rec, field) : NULL;
        json_t *who = json_object_get(blame, field);
        if (!o) {
            o = json_null();
        }
        if (!n) {
            n = json_null();
        }
        if (json_equal(o, n) || !who) {
            json_decref(o);
            json_decref(n);
            continue;
        }
        rc = emit(ctx, any, field, o, n, json_string_value(json_object_get(who, "by")),
                  json_string_value(json_object_get(who, "at")));
        if (rc < 0) {
            break;
        }
    }
    if (rc == CCM_OK && new_rec &&
        ccm_record_is_deleted(new_rec) != (old_rec && ccm_record_is_deleted(old_rec))) {
        const json_t *rm = json_array_get(json_object_get(json_object_get(new_rec, "rm"), "r"), 0);
        char at[32];
        ccm_stamp_format(at, (uint64_t)json_integer_value(json_object_get(rm, "s")));
        rc = emit(ctx, any, DELETED_FIELD, deleted_value(old_rec), deleted_value(new_rec),
                  json_string_value(json_object_get(rm, "m")), at);
    }
    json_decref(blame);
    json_decref(names);
    return rc;
}

/* 1 if `tree` publishes another key for `epoch` than the history kept (the
 * side of a removal that did not stand: its commits are not applied). */
static int epoch_dropped(ccm_store *s, const git_tree *tree, uint32_t epoch)
{
    uint8_t here[CCM_KEY_COMMITMENT_BYTES], kept[CCM_KEY_COMMITMENT_BYTES];
    json_t *roster = NULL;
    int dropped = 0;

    if (ccm_store_read_roster(&roster, s->repo, tree) == CCM_OK) {
        dropped = ccm_roster_commitment(here, roster, epoch) &&
                  (!ccm_roster_commitment(kept, s->roster, epoch) ||
                   memcmp(here, kept, sizeof(here)) != 0);
    }
    ccm_error_clear();
    json_decref(roster);
    return dropped;
}

/* A record version as the commit holding it (in `tree`) wrote it. It may be
 * sealed under a key of its epoch that the history did not keep (written on
 * the side of a removal that did not stand): opened with that key if this
 * member holds it, else *out is NULL and *skip set. */
static int open_version(json_t **out, int *skip, log_ctx *ctx, const char *name, const git_oid *oid,
                        const git_tree *tree)
{
    git_blob *b = NULL;
    uint32_t epoch = 0;
    int rc = ccm_store_decrypt_blob(out, ctx->s, ctx->s->repo, name, oid);

    if ((rc != CCM_EVERIFY && rc != CCM_EDENIED) || git_blob_lookup(&b, ctx->s->repo, oid) < 0 ||
        ccm_envelope_epoch(&epoch, git_blob_rawcontent(b), (size_t)git_blob_rawsize(b)) < 0 ||
        !epoch_dropped(ctx->s, tree, epoch)) {
        git_blob_free(b);
        return rc;
    }
    git_blob_free(b);
    if (ccm_store_load_key(ctx->s, tree, epoch) == CCM_OK &&
        ccm_store_decrypt_blob(out, ctx->s, ctx->s->repo, name, oid) == CCM_OK) {
        ccm_error_clear();
        return CCM_OK;
    }
    ccm_error_clear();
    *skip = 1;
    return CCM_OK;
}

static int log_change(const char *name, const git_oid *old_oid, const git_oid *new_oid,
                      void *payload)
{
    log_ctx *ctx = payload;
    json_t *old_rec = NULL, *new_rec = NULL;
    int rc = CCM_OK, skip = 0;

    if ((old_oid && (rc = open_version(&old_rec, &skip, ctx, name, old_oid, ctx->ptree)) < 0) ||
        (new_oid && (rc = open_version(&new_rec, &skip, ctx, name, new_oid, ctx->tree)) < 0) ||
        skip) {
        goto done;
    }
    rc = diff_records(ctx, old_rec, new_rec);
done:
    json_decref(old_rec);
    json_decref(new_rec);
    return rc;
}

/* The blob of one record in a commit's tree (zeroed oid and 0 if absent). */
static int record_oid(git_oid *out, const git_tree *tree, const char *path)
{
    git_tree_entry *e = NULL;

    if (!tree || git_tree_entry_bypath(&e, tree, path) < 0) {
        return 0;
    }
    *out = *git_tree_entry_id(e);
    git_tree_entry_free(e);
    return 1;
}

static int log_commit(log_ctx *ctx, git_commit *commit, const char *name)
{
    git_commit *parent = NULL;
    git_tree *tree = NULL, *ptree = NULL;
    int rc = CCM_OK;

    if (git_commit_parentcount(commit) > 1) {
        return CCM_OK;
    }
    if (git_commit_tree(&tree, commit) < 0 ||
        (git_commit_parentcount(commit) == 1 &&
         (git_commit_parent(&parent, commit, 0) < 0 || git_commit_tree(&ptree, parent) < 0))) {
        rc = ccm_git_error("cannot read commit");
        goto done;
    }
    ctx->tree = tree;
    ctx->ptree = ptree;
    if (name) {
        char path[CCM_PATH_MAX];
        git_oid a, b;
        int has_a, has_b;
        ccm_record_path_of_name(path, name);
        has_a = record_oid(&a, ptree, path);
        has_b = record_oid(&b, tree, path);
        if (has_a != has_b || (has_a && !git_oid_equal(&a, &b))) {
            rc = log_change(name, has_a ? &a : NULL, has_b ? &b : NULL, ctx);
        }
    } else {
        rc = ccm_tree_diff(ctx->s->repo, ptree, tree, log_change, ctx);
    }
done:
    git_tree_free(ptree);
    git_tree_free(tree);
    git_commit_free(parent);
    return rc;
}

int ccm_store_log(json_t **out, ccm_store *s, const char *kind, const char *id, const char *member,
                  uint64_t since_ms)
{
    log_ctx ctx = {s, NULL, NULL, member, "", NULL, NULL, NULL};
    git_commit *head = NULL;
    git_revwalk *walk = NULL;
    char name[65], hex[41];
    git_oid oid;
    int rc = CCM_OK;

    *out = NULL;
    if (!ccm_store_key(s, s->epoch)) {
        return CCM_EDENIED;
    }
    if (id) {
        ccm_record_name(name, s, kind, id);
    }
    if (since_ms) {
        ccm_stamp_format(ctx.since, since_ms << 16);
    }
    if (!(ctx.out = json_array())) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    if (git_revwalk_new(&walk, s->repo) < 0 ||
        git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME) < 0 ||
        git_oid_fromstr(&oid, ccm_store_read_head(s)) < 0 || git_revwalk_push(walk, &oid) < 0 ||
        git_commit_lookup(&head, s->repo, &oid) < 0) {
        rc = ccm_git_error("cannot walk history");
        goto done;
    }
    if ((rc = ccm_history_left_out(&ctx.left_out, s, head)) < 0) {
        goto done;
    }
    while (rc == CCM_OK && git_revwalk_next(&oid, walk) == 0) {
        git_commit *commit = NULL;
        if (git_commit_lookup(&commit, s->repo, &oid) < 0) {
            rc = ccm_git_error("cannot read commit");
            break;
        }
        git_oid_tostr(hex, sizeof(hex), &oid);
        ctx.commit = hex;
        if (!json_object_get(ctx.left_out, hex)) {
            rc = log_commit(&ctx, commit, id ? name : NULL);
        }
        git_commit_free(commit);
    }
done:
    git_commit_free(head);
    json_decref(ctx.left_out);
    git_revwalk_free(walk);
    if (rc < 0) {
        json_decref(ctx.out);
        return rc;
    }
    *out = ctx.out;
    return CCM_OK;
}
