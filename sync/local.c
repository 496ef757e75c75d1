/*
 * local.c - transfers with a remote that is a path or a file:// URL (a USB
 * stick, a shared folder, another member's store), without libgit2's
 * transport.
 *
 * libgit2's local transport builds a pack on the sending side with its pack
 * builder: a delta search and zlib at the default level over every object,
 * then indexes it on the receiving side, inflating and hashing every object
 * again. Ciphertext neither deltifies nor compresses, so here the objects the
 * receiving side lacks are found by a walk that stops at the first commit or
 * tree it already has, read from the sending side and written to the
 * receiving side as one pack of whole objects with its index
 * (store/packwrite.c). Each object is filed under the id it was read by;
 * libgit2 hashes every object it reads and refuses one whose bytes do not
 * match its id (strict hash verification, set on in store.c), so an object
 * the sender forged never lands under the id that was asked for.
 *
 * "It already has it" is decided by the object's presence: objects are
 * written with everything they point to (packs whole, loose objects children
 * first), so a tree or commit that is present is present with its closure.
 */
#include <stdlib.h>
#include <string.h>

#include "../store/store_private.h" /* SHA-1 and the pack writer: until store/odb/ */
#include "sync_private.h"

#define PROGRESS_EVERY 256

typedef struct {
    git_repository *from, *to_repo;
    git_odb *to;
    ccm_oidmap seen;
    git_oid *list;
    size_t n, cap;
    const char *what;  /* "remote" or "store", for errors */
    const char *phase; /* "fetch" or "push", for progress */
    ccm_transfer *t;
} copy_ctx;

static int wanted(copy_ctx *c, const git_oid *id)
{
    return !ccm_oidmap_get(&c->seen, id) &&
           !git_odb_exists_ext(c->to, id, GIT_ODB_LOOKUP_NO_REFRESH);
}

static int want(copy_ctx *c, const git_oid *id)
{
    int rc;

    if ((rc = ccm_grow(&c->list, &c->cap, c->n, sizeof(*c->list), 256)) < 0 ||
        (rc = ccm_oidmap_put(&c->seen, id, c)) < 0) {
        return rc;
    }
    c->list[c->n++] = *id;
    return CCM_OK;
}

static int missing(const char *what, const git_oid *id)
{
    char hex[GIT_OID_HEXSZ + 1];
    git_oid_tostr(hex, sizeof(hex), id);
    return ccm_error_set(CCM_EVERIFY, "the %s is damaged: object %s is missing or unreadable", what,
                         hex);
}

static int want_tree(copy_ctx *c, const git_oid *id, int depth)
{
    git_tree *tree = NULL;
    int rc;

    if (!wanted(c, id)) {
        return CCM_OK;
    }
    if (depth > 64) {
        return ccm_error_set(CCM_EVERIFY, "the %s holds trees nested too deep", c->what);
    }
    if ((rc = want(c, id)) < 0) {
        return rc;
    }
    if (git_tree_lookup(&tree, c->from, id) < 0) {
        return missing(c->what, id);
    }
    for (size_t i = 0, n = git_tree_entrycount(tree); i < n && rc == CCM_OK; i++) {
        const git_tree_entry *e = git_tree_entry_byindex(tree, i);
        const git_oid *eid = git_tree_entry_id(e);
        switch (git_tree_entry_type(e)) {
        case GIT_OBJECT_TREE:
            rc = want_tree(c, eid, depth + 1);
            break;
        case GIT_OBJECT_BLOB:
            rc = wanted(c, eid) ? want(c, eid) : CCM_OK;
            break;
        default:
            rc = ccm_error_set(CCM_EVERIFY, "the %s holds an unexpected tree entry", c->what);
        }
    }
    git_tree_free(tree);
    return rc;
}

/* Commits from tip back to the first one `to` has; each with its tree. */
static int want_history(copy_ctx *c, const git_oid *tip)
{
    git_oid *stack = NULL;
    size_t n = 0, cap = 0;
    int rc = CCM_OK;

    if (!wanted(c, tip)) {
        return CCM_OK;
    }
    if ((rc = ccm_grow(&stack, &cap, n, sizeof(*stack), 16)) < 0) {
        return rc;
    }
    stack[n++] = *tip;
    while (n > 0 && rc == CCM_OK) {
        git_oid id = stack[--n];
        git_commit *commit = NULL;
        if (!wanted(c, &id)) {
            continue;
        }
        if ((rc = want(c, &id)) < 0) {
            break;
        }
        if (git_commit_lookup(&commit, c->from, &id) < 0) {
            rc = missing(c->what, &id);
            break;
        }
        rc = want_tree(c, git_commit_tree_id(commit), 0);
        for (unsigned i = 0; i < git_commit_parentcount(commit) && rc == CCM_OK; i++) {
            if ((rc = ccm_grow(&stack, &cap, n, sizeof(*stack), 16)) == CCM_OK) {
                stack[n++] = *git_commit_parent_id(commit, i);
            }
        }
        git_commit_free(commit);
    }
    free(stack);
    return rc;
}

static int write_objects(copy_ctx *c)
{
    git_odb *from = NULL;
    ccm_packw w;
    size_t bytes = 0;
    int rc;

    if (c->n == 0) {
        return CCM_OK;
    }
    if (c->n > UINT32_MAX) {
        return ccm_error_set(CCM_ERROR, "too many objects to transfer");
    }
    if (git_repository_odb(&from, c->from) < 0) {
        return ccm_git_error("cannot read objects");
    }
    rc = ccm_packw_start(&w, c->to_repo, (uint32_t)c->n);
    for (size_t i = 0; i < c->n && rc == CCM_OK; i++) {
        git_odb_object *o = NULL;
        if (git_odb_read(&o, from, &c->list[i]) < 0) {
            rc = missing(c->what, &c->list[i]);
            break;
        }
        bytes += git_odb_object_size(o);
        rc = ccm_packw_add(&w, &c->list[i], git_odb_object_type(o), git_odb_object_data(o),
                           git_odb_object_size(o));
        git_odb_object_free(o);
        if (c->t && c->t->fn && ((i + 1) % PROGRESS_EVERY == 0 || i + 1 == c->n)) {
            c->t->fn(c->phase, i + 1, c->n, bytes, c->t->payload);
        }
    }
    if (rc == CCM_OK) {
        rc = ccm_packw_commit(&w);
    }
    ccm_packw_free(&w);
    git_odb_free(from);
    return rc;
}

int ccm_sync_copy_objects(git_repository *from, git_repository *to, const git_oid *tip,
                          const char *what, const char *phase, ccm_transfer *t)
{
    copy_ctx c = {from, to, NULL, {0}, NULL, 0, 0, what, phase, t};
    int rc;

    if (git_repository_odb(&c.to, to) < 0) {
        return ccm_git_error("cannot write objects");
    }
    if ((rc = want_history(&c, tip)) == CCM_OK) {
        rc = write_objects(&c);
    }
    git_odb_free(c.to);
    ccm_oidmap_free(&c.seen);
    free(c.list);
    return rc;
}
