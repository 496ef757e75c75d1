/*
 * cache.c - the local cache of decrypted records behind listing commands.
 *
 * One file, <store>/cache, sealed with a key derived from the member's
 * secret key (so it is as unreadable as the repository to anyone else). It
 * holds the commit it reflects and, sorted by record name, one line per
 * record: "<name> <blob id> <kind> <id>\t<canonical JSON>\n". When HEAD has
 * moved, only the records that differ between the two trees are decrypted
 * (treediff.c); a missing or unreadable cache is rebuilt from the tree.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_private.h"
#include "cache.h"

#define CACHE_AD "ccmsync-cache-1"
#define CACHE_MAGIC "ccmsync-cache 1 "

typedef struct {
    char name[CCM_NAME_LEN + 1];
    git_oid oid;
    const char *kind;
    char *id;
    char *doc;
    int owned; /* id and doc were malloc'ed (else they point into buf) */
} entry;

typedef struct {
    char head[41];
    entry *e;
    size_t n, cap;
    uint8_t *buf; /* the decrypted file the loaded entries point into */
    size_t buf_len;
} cache;

static void entry_clear(entry *e)
{
    if (e->owned) {
        free(e->id);
        free(e->doc);
    }
}

static void cache_clear(cache *c)
{
    for (size_t i = 0; i < c->n; i++) {
        entry_clear(&c->e[i]);
    }
    free(c->e);
    ccm_wipe_free(c->buf, c->buf_len);
    memset(c, 0, sizeof(*c));
}

static int cache_push(cache *c, const entry *e)
{
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 256;
        entry *n = realloc(c->e, cap * sizeof(*n));
        if (!n) {
            return ccm_error_set(CCM_ERROR, "out of memory");
        }
        c->e = n;
        c->cap = cap;
    }
    c->e[c->n++] = *e;
    return CCM_OK;
}

static const char *kind_intern(const char *kind)
{
    static const char *kinds[] = {"state", "activity", "note"};
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        if (strcmp(kind, kinds[i]) == 0) {
            return kinds[i];
        }
    }
    return NULL;
}

/* Parses the decrypted cache; any inconsistency discards it all. */
static int cache_parse(cache *c)
{
    char *p = (char *)c->buf, *end = p + c->buf_len, *nl;

    if (c->buf_len < strlen(CACHE_MAGIC) + 41 || memcmp(p, CACHE_MAGIC, strlen(CACHE_MAGIC))) {
        return CCM_ERROR;
    }
    p += strlen(CACHE_MAGIC);
    memcpy(c->head, p, 40);
    c->head[40] = 0;
    if (p[40] != '\n') {
        return CCM_ERROR;
    }
    p += 41;
    for (; p < end; p = nl + 1) {
        entry e = {0};
        char *tab, *sp1, *sp2, *sp3;
        if (!(nl = memchr(p, '\n', (size_t)(end - p))) || !(tab = memchr(p, '\t', nl - p))) {
            return CCM_ERROR;
        }
        *nl = 0;
        *tab = 0;
        if (!(sp1 = strchr(p, ' ')) || !(sp2 = strchr(sp1 + 1, ' ')) ||
            !(sp3 = strchr(sp2 + 1, ' '))) {
            return CCM_ERROR;
        }
        *sp1 = *sp2 = *sp3 = 0;
        if (sp1 - p != CCM_NAME_LEN || git_oid_fromstr(&e.oid, sp1 + 1) < 0 ||
            !(e.kind = kind_intern(sp2 + 1))) {
            return CCM_ERROR;
        }
        memcpy(e.name, p, CCM_NAME_LEN + 1);
        e.id = sp3 + 1;
        e.doc = tab + 1;
        if (c->n && strcmp(c->e[c->n - 1].name, e.name) >= 0) {
            return CCM_ERROR;
        }
        if (cache_push(c, &e) < 0) {
            return CCM_ERROR;
        }
    }
    return CCM_OK;
}

static void cache_read(cache *c, ccm_store *s)
{
    char *path = ccm_path_join(s->dir, "cache");
    uint8_t *sealed = NULL;
    size_t len = 0;

    memset(c, 0, sizeof(*c));
    if (path && ccm_file_read(&sealed, &len, path) == CCM_OK &&
        ccm_local_open(&c->buf, &c->buf_len, s->local_key, CACHE_AD, sealed, len) == CCM_OK &&
        cache_parse(c) == CCM_OK) {
        free(sealed);
        free(path);
        return;
    }
    ccm_error_clear();
    cache_clear(c);
    free(sealed);
    free(path);
}

static int cache_save(cache *c, ccm_store *s)
{
    size_t cap = strlen(CACHE_MAGIC) + 42, len = 0;
    char *pt, *path = NULL;
    uint8_t *sealed = NULL;
    size_t sealed_len = 0;
    int rc;

    for (size_t i = 0; i < c->n; i++) {
        cap +=
            CCM_NAME_LEN + 41 + strlen(c->e[i].kind) + strlen(c->e[i].id) + strlen(c->e[i].doc) + 5;
    }
    if (!(pt = malloc(cap))) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    len += (size_t)sprintf(pt, CACHE_MAGIC "%s\n", c->head);
    for (size_t i = 0; i < c->n; i++) {
        char oid[41];
        git_oid_tostr(oid, sizeof(oid), &c->e[i].oid);
        len += (size_t)sprintf(pt + len, "%s %s %s %s\t%s\n", c->e[i].name, oid, c->e[i].kind,
                               c->e[i].id, c->e[i].doc);
    }
    rc = ccm_local_seal(&sealed, &sealed_len, s->local_key, CACHE_AD, (uint8_t *)pt, len);
    ccm_wipe_free(pt, cap);
    if (rc == CCM_OK) {
        path = ccm_path_join(s->dir, "cache");
        rc = path ? ccm_file_write(path, sealed, sealed_len, 0600)
                  : ccm_error_set(CCM_ERROR, "out of memory");
    }
    free(path);
    free(sealed);
    return rc;
}

/* An owned entry for a record document. */
static int entry_of(entry *e, const char *name, const git_oid *oid, const json_t *rec)
{
    memset(e, 0, sizeof(*e));
    memcpy(e->name, name, CCM_NAME_LEN + 1);
    e->oid = *oid;
    e->kind = kind_intern(json_string_value(json_object_get(rec, "kind")));
    e->id = strdup(json_string_value(json_object_get(rec, "id")));
    e->doc = json_dumps(rec, CCM_JSON_CANON);
    e->owned = 1;
    if (!e->kind || !e->id || !e->doc) {
        entry_clear(e);
        return ccm_error_set(CCM_ERROR, "cannot cache record %.12s", name);
    }
    return CCM_OK;
}

/* Changes gathered from a tree diff, in name order: an entry with a NULL
 * kind is a deletion. */
typedef struct {
    ccm_store *s;
    cache changes;
} collect;

static int collect_change(const char *name, const git_oid *old_oid, const git_oid *new_oid,
                          void *payload)
{
    collect *col = payload;
    entry e = {0};
    json_t *rec = NULL;
    int rc;

    (void)old_oid;
    if (new_oid) {
        if ((rc = ccm_store_open_blob(&rec, col->s, col->s->repo, name, new_oid)) < 0) {
            return rc;
        }
        rc = entry_of(&e, name, new_oid, rec);
        json_decref(rec);
        if (rc < 0) {
            return rc;
        }
    } else {
        memcpy(e.name, name, CCM_NAME_LEN + 1);
    }
    if ((rc = cache_push(&col->changes, &e)) < 0) {
        entry_clear(&e);
    }
    return rc;
}

/* Merges sorted changes into the sorted cache. Takes the changes' entries. */
static int cache_apply(cache *c, cache *changes)
{
    cache out = {0};
    size_t i = 0, j = 0;
    int rc = CCM_OK;

    while (rc == CCM_OK && (i < c->n || j < changes->n)) {
        int cmp = i >= c->n ? 1 : j >= changes->n ? -1 : strcmp(c->e[i].name, changes->e[j].name);
        if (cmp < 0) {
            rc = cache_push(&out, &c->e[i++]);
            continue;
        }
        if (cmp == 0) {
            entry_clear(&c->e[i++]);
        }
        if (changes->e[j].kind) {
            rc = cache_push(&out, &changes->e[j]);
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
    memset(changes, 0, sizeof(*changes));
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

/* Brings a loaded cache to HEAD, saving it if it changed. */
static int cache_update(cache *c, ccm_store *s)
{
    git_tree *from = NULL, *to = NULL;
    collect col = {s, {{0}, NULL, 0, 0, NULL, 0}};
    int rc;

    if (strcmp(c->head, s->head) == 0) {
        return CCM_OK;
    }
    if (tree_of(&from, s->repo, c->head) < 0) {
        /* The cached commit is gone (history rewritten): rebuild. */
        ccm_error_clear();
        cache_clear(c);
    }
    if ((rc = tree_of(&to, s->repo, s->head)) < 0) {
        goto done;
    }
    if ((rc = ccm_tree_diff(s->repo, from, to, collect_change, &col)) < 0 ||
        (rc = cache_apply(c, &col.changes)) < 0) {
        goto done;
    }
    memcpy(c->head, s->head, sizeof(c->head));
    rc = cache_save(c, s);
done:
    cache_clear(&col.changes);
    git_tree_free(from);
    git_tree_free(to);
    return rc;
}

static int cache_load(cache *c, ccm_store *s)
{
    int rc;

    if (!ccm_store_key(s, s->epoch)) {
        return CCM_EDENIED;
    }
    cache_read(c, s);
    if ((rc = cache_update(c, s)) < 0) {
        cache_clear(c);
    }
    return rc;
}

static int entry_cmp(const void *a, const void *b)
{
    return strcmp(((const entry *)a)->name, ((const entry *)b)->name);
}

void ccm_cache_after_commit(ccm_store *s, const char *old_head, json_t *staged, const git_oid *oids)
{
    cache c, changes = {0};
    const char *name;
    json_t *rec;
    size_t n = 0;
    entry *sorted;

    cache_read(&c, s);
    if (strcmp(c.head, old_head) != 0 ||
        !(sorted = calloc(json_object_size(staged) + 1, sizeof(*sorted)))) {
        cache_clear(&c);
        return;
    }
    json_object_foreach(staged, name, rec)
    {
        if (entry_of(&sorted[n], name, &oids[n], rec) < 0) {
            break;
        }
        n++;
    }
    if (n == json_object_size(staged)) {
        /* json objects are unordered: sort the changes by name. */
        qsort(sorted, n, sizeof(*sorted), entry_cmp);
        changes.e = sorted;
        changes.n = changes.cap = n;
        if (cache_apply(&c, &changes) == CCM_OK) {
            memcpy(c.head, s->head, sizeof(c.head));
            cache_save(&c, s);
        }
    }
    cache_clear(&changes);
    cache_clear(&c);
    ccm_error_clear();
}

static int cmp_by_id(const void *a, const void *b)
{
    const json_t *ra = *(json_t *const *)a, *rb = *(json_t *const *)b;
    return strcmp(json_string_value(json_object_get(ra, "id")),
                  json_string_value(json_object_get(rb, "id")));
}

int ccm_store_list_matching(json_t **out, ccm_store *s, const char *kind, const char *needle)
{
    cache c;
    json_t **recs = NULL;
    size_t n = 0;
    int rc;

    *out = NULL;
    if ((rc = cache_load(&c, s)) < 0) {
        return rc;
    }
    if (!(recs = calloc(c.n + 1, sizeof(*recs)))) {
        rc = ccm_error_set(CCM_ERROR, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < c.n; i++) {
        if (strcmp(c.e[i].kind, kind) != 0 || (needle && !strstr(c.e[i].doc, needle))) {
            continue;
        }
        if (!(recs[n] = json_loads(c.e[i].doc, 0, NULL))) {
            rc = ccm_error_set(CCM_ERROR, "damaged cache entry %.12s", c.e[i].name);
            goto done;
        }
        n++;
    }
    qsort(recs, n, sizeof(*recs), cmp_by_id);
    if (!(*out = json_array())) {
        rc = ccm_error_set(CCM_ERROR, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(*out, recs[i]);
        recs[i] = NULL;
    }
done:
    for (size_t i = 0; recs && i < n; i++) {
        json_decref(recs[i]);
    }
    free(recs);
    cache_clear(&c);
    return rc;
}

int ccm_store_list(json_t **out, ccm_store *s, const char *kind)
{
    return ccm_store_list_matching(out, s, kind, NULL);
}

int ccm_store_resolve(char **full, ccm_store *s, const char *kind, const char *prefix)
{
    cache c;
    const char *found = NULL;
    size_t plen = strlen(prefix), matches = 0;
    int rc;

    *full = NULL;
    if ((rc = cache_load(&c, s)) < 0) {
        return rc;
    }
    for (size_t i = 0; i < c.n; i++) {
        if (strcmp(c.e[i].kind, kind) == 0 && strncmp(c.e[i].id, prefix, plen) == 0) {
            if (strcmp(c.e[i].id, prefix) == 0) { /* an exact id wins */
                found = c.e[i].id;
                matches = 1;
                break;
            }
            found = c.e[i].id;
            matches++;
        }
    }
    if (matches == 0) {
        rc = ccm_error_set(CCM_ENOTFOUND, "no %s '%s'", kind, prefix);
    } else if (matches > 1) {
        rc = ccm_error_set(CCM_EINVALID, "%s id '%s' is ambiguous (%zu matches; give more digits)",
                           kind, prefix, matches);
    } else if (!(*full = strdup(found))) {
        rc = ccm_error_set(CCM_ERROR, "out of memory");
    }
    cache_clear(&c);
    return rc;
}
