/*
 * cache.c - the local cache of decrypted records behind listing commands and
 * id prefixes, kept up to date (its file format: cache_file.c; what it
 * derives: cache_derived.c; the listings it answers: listing.c).
 *
 * The cache reflects one commit. When HEAD has moved, only the records that
 * differ between the two trees are decrypted (treediff.c) and merged into
 * it; a missing or unreadable cache is rebuilt from the tree. Large commits
 * (imports) bring it forward directly, with the records they just wrote.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"

#define ACTIVITY 1 /* ccm_cache_kinds[1] */

/* An owned entry for a record, from its canonical text. */
static int entry_of(ccm_cache_entry *e, const char *name, const git_oid *oid, const char *kind,
                    const char *id, const char *doc)
{
    memset(e, 0, sizeof(*e));
    memcpy(e->name, name, CCM_NAME_LEN + 1);
    e->oid = *oid;
    e->kind = ccm_cache_kind(kind);
    e->id = strdup(id ? id : "");
    e->doc = strdup(doc ? doc : "");
    e->owned = CCM_CACHE_OWNS_ID | CCM_CACHE_OWNS_DOC;
    if (e->kind < 0 || !e->id || !e->doc) {
        ccm_cache_entry_clear(e);
        return ccm_error_set(CCM_ERROR, "cannot cache record %.12s", name);
    }
    return CCM_OK;
}

/* Changes gathered from a tree diff, in name order: kind -1 is a deletion. */
typedef struct {
    ccm_store *s;
    ccm_cache changes;
} collect;

static int collect_change(const char *name, const git_oid *old_oid, const git_oid *new_oid,
                          void *payload)
{
    collect *col = payload;
    ccm_cache_entry e = {0};
    json_t *rec = NULL;
    char *doc;
    int rc;

    (void)old_oid;
    e.kind = -1;
    if (new_oid) {
        if ((rc = ccm_store_decrypt_blob(&rec, col->s, col->s->repo, name, new_oid)) < 0) {
            return rc;
        }
        doc = ccm_json_canon(rec, NULL);
        rc = entry_of(&e, name, new_oid, json_string_value(json_object_get(rec, "kind")),
                      json_string_value(json_object_get(rec, "id")), doc);
        free(doc);
        json_decref(rec);
        if (rc < 0) {
            return rc;
        }
    } else {
        memcpy(e.name, name, CCM_NAME_LEN + 1);
    }
    if ((rc = ccm_cache_push(&col->changes, &e)) < 0) {
        ccm_cache_entry_clear(&e);
    }
    return rc;
}

/* Merges sorted changes into the sorted cache; takes the changes' entries. */
static int cache_apply(ccm_cache *c, ccm_cache *changes)
{
    ccm_cache out = {0};
    size_t i = 0, j = 0;
    int rc = CCM_OK;

    while (rc == CCM_OK && (i < c->n || j < changes->n)) {
        int cmp = i >= c->n ? 1 : j >= changes->n ? -1 : strcmp(c->e[i].name, changes->e[j].name);
        if (cmp < 0) {
            rc = ccm_cache_push(&out, &c->e[i++]);
            continue;
        }
        if (cmp == 0) {
            if (c->e[i].kind == ACTIVITY && c->e[i].doc) {
                rc = ccm_cache_count_activity(c->done_dates, c->e[i].doc, -1);
            }
            ccm_cache_entry_clear(&c->e[i++]);
        }
        if (rc == CCM_OK && changes->e[j].kind >= 0) {
            if (changes->e[j].kind == ACTIVITY) {
                rc = ccm_cache_count_activity(c->done_dates, changes->e[j].doc, 1);
            }
            if (rc == CCM_OK) {
                rc = ccm_cache_push(&out, &changes->e[j]);
            }
        }
        j++;
    }
    if (rc < 0) {
        free(out.e);
        return rc;
    }
    free(c->e);
    c->e = out.e;
    c->n = out.n;
    c->cap = out.cap;
    free(changes->e);
    changes->e = NULL;
    changes->n = changes->cap = 0;
    return CCM_OK;
}

static int tree_of(git_tree **out, git_repository *repo, const char *commit_hex)
{
    git_oid oid;
    git_commit *commit = NULL;
    int rc = CCM_OK;

    *out = NULL;
    if (!*commit_hex) {
        return CCM_OK;
    }
    if (git_oid_fromstr(&oid, commit_hex) < 0 || git_commit_lookup(&commit, repo, &oid) < 0 ||
        git_commit_tree(out, commit) < 0) {
        rc = ccm_git_error("cannot read tree");
    }
    git_commit_free(commit);
    return rc;
}

/* Brings a fully loaded cache to commit `target` (hex) without saving. */
static int cache_advance(ccm_cache *c, ccm_store *s, const char *target)
{
    git_tree *from = NULL, *to = NULL;
    collect col;
    int rc;

    memset(&col, 0, sizeof(col));
    col.s = s;
    if (tree_of(&from, s->repo, c->head) < 0) {
        /* The cached commit is gone (history rewritten): rebuild. */
        ccm_error_clear();
        ccm_cache_clear(c);
        c->loaded = CCM_CACHE_ALL;
        if (!(c->done_dates = json_object())) {
            return ccm_error_set(CCM_ERROR, "out of memory");
        }
    }
    if ((rc = tree_of(&to, s->repo, target)) < 0 ||
        (rc = ccm_tree_diff(s->repo, from, to, collect_change, &col)) < 0 ||
        (rc = cache_apply(c, &col.changes)) < 0) {
        goto done;
    }
    snprintf(c->head, sizeof(c->head), "%s", target);
done:
    ccm_cache_clear(&col.changes);
    git_tree_free(from);
    git_tree_free(to);
    return rc;
}

/* Loads the cache at HEAD with the documents of the kinds in `want`. Under
 * a view (view.c) it is brought to the viewed commit in memory only: the
 * file keeps following HEAD. */
int ccm_cache_load(ccm_cache *c, ccm_store *s, int want)
{
    const char *target = ccm_store_read_head(s);
    int rc;

    if (!ccm_store_key(s, s->epoch)) {
        return CCM_EDENIED;
    }
    ccm_cache_read(c, s, want);
    if (strcmp(c->head, target) == 0) {
        return CCM_OK;
    }
    if (c->loaded != CCM_CACHE_ALL) {
        ccm_cache_clear(c);
        ccm_cache_read(c, s, CCM_CACHE_ALL);
    }
    if ((rc = cache_advance(c, s, target)) < 0 ||
        (target == s->head && (rc = ccm_cache_save(c, s)) < 0)) {
        ccm_cache_clear(c);
    }
    return rc;
}

static int entry_cmp(const void *a, const void *b)
{
    return strcmp(((const ccm_cache_entry *)a)->name, ((const ccm_cache_entry *)b)->name);
}

void ccm_cache_after_commit(ccm_store *s, const char *old_head, json_t *staged, const git_oid *oids)
{
    ccm_cache c, changes = {0};
    const char *name;
    json_t *v;
    size_t n = 0, total = json_object_size(staged);

    ccm_cache_read(&c, s, CCM_CACHE_ALL);
    /* A cache behind the commit before this one (or none, in a new store)
     * is first brought to it: cheap, since this commit's records are the
     * bulk and they are in hand. */
    if ((strcmp(c.head, old_head) != 0 && cache_advance(&c, s, old_head) < 0) ||
        !(changes.e = calloc(total + 1, sizeof(*changes.e)))) {
        ccm_cache_clear(&c);
        ccm_error_clear();
        return;
    }
    json_object_foreach(staged, name, v)
    {
        if (entry_of(&changes.e[n], name, &oids[n], json_string_value(json_object_get(v, "k")),
                     json_string_value(json_object_get(v, "i")),
                     json_string_value(json_object_get(v, "t"))) < 0) {
            break;
        }
        n++;
    }
    changes.n = changes.cap = n;
    if (n == total) {
        /* json objects are unordered: sort the changes by name. */
        qsort(changes.e, n, sizeof(*changes.e), entry_cmp);
        if (cache_apply(&c, &changes) == CCM_OK) {
            memcpy(c.head, s->head, sizeof(c.head));
            ccm_cache_save(&c, s);
        }
    }
    ccm_cache_clear(&changes);
    ccm_cache_clear(&c);
    ccm_error_clear();
}
