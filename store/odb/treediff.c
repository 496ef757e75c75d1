/*
 * treediff.c - the records that differ between two trees.
 *
 * libgit2's tree-to-tree diff visits every entry; this walk compares the two
 * sorted entry lists of each level and descends only into subtrees whose ids
 * differ, so a diff costs O(changes x depth), not O(records).
 */
#include <string.h>

#include "odb.h"
#include "../../crypto/base/base.h"

/* Compares two entry names in git's tree order for names of equal kind:
 * record trees only hold fixed-width hex names, so strcmp is that order. */
static int entry_cmp(const git_tree_entry *a, const git_tree_entry *b)
{
    return strcmp(git_tree_entry_name(a), git_tree_entry_name(b));
}

static int walk(git_repository *repo, const git_tree *a, const git_tree *b, int depth, char *name,
                size_t at, ccm_tree_diff_cb cb, void *payload);

/* One side's entry changed (or exists on one side only): descend or report. */
static int visit(git_repository *repo, const git_tree_entry *ea, const git_tree_entry *eb,
                 int depth, char *name, size_t at, ccm_tree_diff_cb cb, void *payload)
{
    const git_tree_entry *e = ea ? ea : eb;
    const char *part = git_tree_entry_name(e);
    size_t len = strlen(part);
    git_tree *ta = NULL, *tb = NULL;
    int rc;

    /* r/ab/cd/<60 hex>: two fan-out levels of two lowercase hex digits,
     * then the rest of the name; folders are folders, records regular
     * files: nothing else may hide there. */
    if (len != (depth < 2 ? 2 : CCM_NAME_LEN - 4) || strspn(part, "0123456789abcdef") != len) {
        return ccm_error_set(CCM_EVERIFY, "unexpected entry '%.80s' in the record tree", part);
    }
    memcpy(name + at, part, len);
    name[at + len] = 0;
    if (depth < 2) {
        if ((ea && git_tree_entry_filemode(ea) != GIT_FILEMODE_TREE) ||
            (eb && git_tree_entry_filemode(eb) != GIT_FILEMODE_TREE)) {
            return ccm_error_set(CCM_EVERIFY, "unexpected blob '%s' in the record tree", name);
        }
        if ((ea && git_tree_lookup(&ta, repo, git_tree_entry_id(ea)) < 0) ||
            (eb && git_tree_lookup(&tb, repo, git_tree_entry_id(eb)) < 0)) {
            git_tree_free(ta);
            return ccm_git_error("cannot read tree");
        }
        rc = walk(repo, ta, tb, depth + 1, name, at + len, cb, payload);
        git_tree_free(ta);
        git_tree_free(tb);
        return rc;
    }
    if ((ea && git_tree_entry_filemode(ea) != GIT_FILEMODE_BLOB) ||
        (eb && git_tree_entry_filemode(eb) != GIT_FILEMODE_BLOB)) {
        return ccm_error_set(CCM_EVERIFY, "unexpected entry '%s' in the record tree", name);
    }
    return cb(name, ea ? git_tree_entry_id(ea) : NULL, eb ? git_tree_entry_id(eb) : NULL, payload);
}

static int walk(git_repository *repo, const git_tree *a, const git_tree *b, int depth, char *name,
                size_t at, ccm_tree_diff_cb cb, void *payload)
{
    size_t na = a ? git_tree_entrycount(a) : 0, nb = b ? git_tree_entrycount(b) : 0;
    size_t i = 0, j = 0;
    int rc = CCM_OK;

    while (rc == CCM_OK && (i < na || j < nb)) {
        const git_tree_entry *ea = i < na ? git_tree_entry_byindex(a, i) : NULL;
        const git_tree_entry *eb = j < nb ? git_tree_entry_byindex(b, j) : NULL;
        int c = !ea ? 1 : !eb ? -1 : entry_cmp(ea, eb);

        if (c < 0) {
            rc = visit(repo, ea, NULL, depth, name, at, cb, payload);
            i++;
        } else if (c > 0) {
            rc = visit(repo, NULL, eb, depth, name, at, cb, payload);
            j++;
        } else {
            if (!git_oid_equal(git_tree_entry_id(ea), git_tree_entry_id(eb)) ||
                git_tree_entry_filemode(ea) != git_tree_entry_filemode(eb)) {
                rc = visit(repo, ea, eb, depth, name, at, cb, payload);
            }
            i++;
            j++;
        }
    }
    return rc;
}

/* The record subtree "r" of a commit tree, or NULL if there is none. */
static int records_tree(git_tree **out, git_repository *repo, const git_tree *root)
{
    const git_tree_entry *e;

    *out = NULL;
    if (!root || !(e = git_tree_entry_byname(root, CCM_RECORDS_DIR))) {
        return CCM_OK;
    }
    if (git_tree_entry_filemode(e) != GIT_FILEMODE_TREE) {
        return ccm_error_set(CCM_EVERIFY, "'%s' is not a tree", CCM_RECORDS_DIR);
    }
    if (git_tree_lookup(out, repo, git_tree_entry_id(e)) < 0) {
        return ccm_git_error("cannot read tree");
    }
    return CCM_OK;
}

int ccm_tree_diff(git_repository *repo, const git_tree *a, const git_tree *b, ccm_tree_diff_cb cb,
                  void *payload)
{
    git_tree *ra = NULL, *rb = NULL;
    char name[CCM_NAME_LEN + 1];
    int rc;

    if ((rc = records_tree(&ra, repo, a)) < 0 || (rc = records_tree(&rb, repo, b)) < 0) {
        git_tree_free(ra);
        return rc;
    }
    if (!(ra && rb && git_oid_equal(git_tree_id(ra), git_tree_id(rb)))) {
        rc = walk(repo, ra, rb, 0, name, 0, cb, payload);
    }
    git_tree_free(ra);
    git_tree_free(rb);
    return rc;
}
