/*
 * forge_world.c - the world of forge_mutate.h: a small group with a real
 * history, made through the library as its members would make it (joins,
 * edits in commits of their own, concurrent edits merged by sync, a
 * removal), and the forgers that write on it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <git2/sys/odb_backend.h>

#include "forge_world.h"
#include "sync/sync.h"

const char *const ccm_fm_names[FM_SIGNERS] = {"Peru", "Norway", "Malawi", "Chile", "Ghost"};

enum { ED_ASSIGN, ED_ADD, ED_REMOVE, ED_DELETE };

#define TRY(x)                                                                                     \
    do {                                                                                           \
        if ((rc = (x)) < 0) {                                                                      \
            goto done;                                                                             \
        }                                                                                          \
    } while (0)

static int open_store(ccm_store **s, const char *dir, const char *name)
{
    char path[1024];
    int rc;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    if ((rc = ccm_store_open(s, path)) < 0) {
        return rc;
    }
    rc = ccm_store_unlock(*s, NULL, 0);
    return rc == CCM_EDENIED ? CCM_OK : rc;
}

static int sync_origin(ccm_store *s)
{
    ccm_sync_result r;
    int rc = ccm_sync_run(&r, s, "origin", NULL, NULL);

    ccm_sync_result_free(&r);
    return rc;
}

/* One commit by `s` making one change to one record. */
static int edit(ccm_store *s, const char *kind, const char *id, int op, const char *field,
                const char *value)
{
    ccm_txn *t = NULL;
    json_t *rec = NULL;
    uint64_t stamp;
    int rc;

    TRY(ccm_txn_begin(&t, s));
    if ((rc = ccm_txn_get(&rec, t, kind, id)) == CCM_ENOTFOUND) {
        ccm_error_clear();
        rc = (rec = ccm_record_new(kind, id)) ? CCM_OK : CCM_ERROR;
    }
    TRY(rc);
    stamp = ccm_txn_stamp(t);
    switch (op) {
    case ED_ASSIGN:
        TRY(ccm_record_assign(rec, field, value, stamp, ccm_store_member(s)));
        break;
    case ED_ADD:
        TRY(ccm_record_set_add(rec, field, value, stamp, ccm_store_member(s)));
        break;
    case ED_REMOVE:
        TRY(ccm_record_set_remove(rec, field, value, stamp, ccm_store_member(s)));
        break;
    default:
        TRY(ccm_record_delete(rec, stamp, ccm_store_member(s)));
        break;
    }
    TRY(ccm_txn_put(t, rec));
    rc = ccm_txn_commit(t);
done:
    json_decref(rec);
    ccm_txn_free(t);
    return rc;
}

/* A new activity (type and date) in one commit. */
static int new_activity(ccm_store *s, const char *id, const char *type, const char *date)
{
    ccm_txn *t = NULL;
    json_t *rec = ccm_record_new("activity", id);
    uint64_t stamp;
    int rc;

    if (!rec) {
        return CCM_ERROR;
    }
    TRY(ccm_txn_begin(&t, s));
    stamp = ccm_txn_stamp(t);
    TRY(ccm_record_assign(rec, "type", type, stamp, ccm_store_member(s)));
    TRY(ccm_record_assign(rec, "date", date, stamp, ccm_store_member(s)));
    TRY(ccm_txn_put(t, rec));
    rc = ccm_txn_commit(t);
done:
    json_decref(rec);
    ccm_txn_free(t);
    return rc;
}

/* Peru founds the group on dir/hub.git; the others join; everyone synced. */
static int found(ccm_store **st, const char *dir)
{
    static const char *const roles[] = {"admin", "editor", "editor", "reader"};
    char path[1024], hub[1024], *req = NULL;
    int rc;

    snprintf(path, sizeof(path), "%s/Peru", dir);
    snprintf(hub, sizeof(hub), "%s/hub.git", dir);
    TRY(ccm_store_init(path, "Peru", NULL, 0));
    TRY(open_store(&st[0], dir, "Peru"));
    TRY(ccm_sync_remote_add(st[0], "origin", hub));
    TRY(sync_origin(st[0]));
    for (int i = 1; i < FM_SIGNERS; i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, ccm_fm_names[i]);
        TRY(ccm_sync_join(&req, path, hub, ccm_fm_names[i], NULL, 0, NULL));
        rc = CCM_OK;
        if (i < 4) { /* Ghost joins and is never added */
            rc = ccm_store_member_add(st[0], req, roles[i]);
        }
        free(req);
        req = NULL;
        TRY(rc);
        TRY(sync_origin(st[0]));
        TRY(open_store(&st[i], dir, ccm_fm_names[i]));
        if (i < 4) {
            TRY(sync_origin(st[i]));
        }
    }
done:
    free(req);
    return rc;
}

/* The history: edits by all, concurrent ones merged, Malawi removed. */
static int history(ccm_store **st, ccm_fm *w)
{
    ccm_store *peru = st[0], *nor = st[1], *mwi = st[2];
    int rc;

    TRY(edit(peru, "state", "LAO", ED_ASSIGN, "status", "signatory"));
    TRY(edit(peru, "state", "LAO", ED_ADD, "targets", "apmbc"));
    TRY(edit(peru, "state", "LAO", ED_ADD, "targets", "ccw"));
    TRY(edit(peru, "state", "LAO", ED_ADD, "lead", "Peru"));
    TRY(sync_origin(peru));
    TRY(sync_origin(nor));
    TRY(new_activity(nor, w->acts[0], "bilateral", "2025-03-06"));
    TRY(edit(nor, "activity", w->acts[0], ED_ASSIGN, "summary", "met the desk officer\nin Oslo"));
    TRY(edit(nor, "activity", w->acts[0], ED_ADD, "states", "LAO"));
    TRY(edit(nor, "state", "NOR", ED_ASSIGN, "next_step", "call Oslo"));
    TRY(sync_origin(nor));
    TRY(sync_origin(mwi));
    TRY(edit(mwi, "state", "LAO", ED_ASSIGN, "next_step", "from Malawi"));
    TRY(sync_origin(peru));
    TRY(edit(peru, "state", "LAO", ED_ASSIGN, "next_step", "from Peru"));
    TRY(edit(peru, "state", "LAO", ED_REMOVE, "targets", "ccw"));
    TRY(sync_origin(peru));
    TRY(sync_origin(mwi)); /* merges: two values of next_step */
    TRY(edit(mwi, "state", "MWI", ED_ASSIGN, "status", "party"));
    TRY(edit(mwi, "state", "LAO", ED_ADD, "survey_reasons", "cost"));
    TRY(sync_origin(mwi));
    TRY(sync_origin(nor));
    TRY(edit(nor, "activity", w->acts[0], ED_ASSIGN, "status", "done"));
    TRY(edit(nor, "activity", w->acts[0], ED_ADD, "by", "Norway"));
    TRY(new_activity(nor, w->acts[1], "survey", "2025-04-01"));
    TRY(edit(nor, "activity", w->acts[1], ED_DELETE, NULL, NULL));
    TRY(sync_origin(nor));
    TRY(sync_origin(peru));
    TRY(ccm_store_member_remove(peru, "Malawi"));
    TRY(sync_origin(peru));
    TRY(sync_origin(nor));
    TRY(edit(nor, "state", "LAO", ED_ASSIGN, "priority", "low"));
    TRY(edit(nor, "activity", w->acts[0], ED_ADD, "states", "NOR"));
    TRY(sync_origin(nor));
    TRY(sync_origin(peru));
    TRY(edit(peru, "state", "NOR", ED_ASSIGN, "region", "Europe"));
    TRY(edit(peru, "state", "PER", ED_ASSIGN, "name", "Peru"));
    TRY(sync_origin(peru));
    TRY(sync_origin(st[3]));
    TRY(sync_origin(mwi));
    rc = ccm_store_refresh(peru);
done:
    return rc;
}

/* ---- the in-memory object backend ------------------------------------------- */

/* Objects a run writes, dropped after it. (libgit2's mempack hands objects
 * back without the NUL after their data that its other backends add and
 * git_commit_extract_signature relies on.) */
typedef struct fm_obj {
    struct fm_obj *next;
    git_oid id;
    git_object_t type;
    size_t len;
    unsigned char data[];
} fm_obj;

struct fm_mem {
    git_odb_backend parent;
    fm_obj *objs;
};

static fm_obj *mem_find(struct fm_mem *m, const git_oid *id)
{
    for (fm_obj *o = m->objs; o; o = o->next) {
        if (git_oid_equal(&o->id, id)) {
            return o;
        }
    }
    return NULL;
}

static int mem_write(git_odb_backend *b, const git_oid *id, const void *data, size_t len,
                     git_object_t type)
{
    struct fm_mem *m = (struct fm_mem *)b;
    fm_obj *o;

    if (mem_find(m, id)) {
        return 0;
    }
    if (!(o = malloc(sizeof(*o) + len))) {
        git_error_set_str(GIT_ERROR_NOMEMORY, "out of memory");
        return -1;
    }
    o->id = *id;
    o->type = type;
    o->len = len;
    memcpy(o->data, data, len);
    o->next = m->objs;
    m->objs = o;
    return 0;
}

static int mem_read(void **out, size_t *len, git_object_t *type, git_odb_backend *b,
                    const git_oid *id)
{
    fm_obj *o = mem_find((struct fm_mem *)b, id);
    unsigned char *d;

    if (!o) {
        return GIT_ENOTFOUND;
    }
    if (!(d = git_odb_backend_data_alloc(b, o->len + 1))) {
        return -1;
    }
    memcpy(d, o->data, o->len);
    d[o->len] = 0;
    *out = d;
    *len = o->len;
    *type = o->type;
    return 0;
}

static int mem_read_header(size_t *len, git_object_t *type, git_odb_backend *b, const git_oid *id)
{
    fm_obj *o = mem_find((struct fm_mem *)b, id);

    if (!o) {
        return GIT_ENOTFOUND;
    }
    *len = o->len;
    *type = o->type;
    return 0;
}

static int mem_exists(git_odb_backend *b, const git_oid *id)
{
    return mem_find((struct fm_mem *)b, id) != NULL;
}

void ccm_fm_mem_reset(ccm_fm *w)
{
    while (w->mem && w->mem->objs) {
        fm_obj *o = w->mem->objs;
        w->mem->objs = o->next;
        free(o);
    }
}

static void mem_free(git_odb_backend *b)
{
    struct fm_mem *m = (struct fm_mem *)b;

    while (m->objs) {
        fm_obj *o = m->objs;
        m->objs = o->next;
        free(o);
    }
    free(m);
}

static int mem_new(struct fm_mem **out)
{
    struct fm_mem *m = calloc(1, sizeof(*m));

    if (!m || git_odb_init_backend(&m->parent, GIT_ODB_BACKEND_VERSION) < 0) {
        free(m);
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    m->parent.write = mem_write;
    m->parent.read = mem_read;
    m->parent.read_header = mem_read_header;
    m->parent.exists = mem_exists;
    m->parent.free = mem_free;
    *out = m;
    return CCM_OK;
}

static int collect_commits(ccm_fm *w)
{
    git_revwalk *walk = NULL;
    git_oid head, oid;
    size_t cap = 0;
    int rc = CCM_OK;

    if (git_reference_name_to_id(&head, w->judge->repo, "refs/heads/main") < 0 ||
        git_revwalk_new(&walk, w->judge->repo) < 0 ||
        git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL) < 0 || git_revwalk_push(walk, &head) < 0) {
        git_revwalk_free(walk);
        return ccm_error_set(CCM_ERROR, "cannot walk the history");
    }
    while (rc == CCM_OK && git_revwalk_next(&oid, walk) == 0) {
        if ((rc = ccm_grow(&w->commits, &cap, w->ncommits, sizeof(git_oid), 64)) == CCM_OK) {
            w->commits[w->ncommits++] = oid;
        }
    }
    git_revwalk_free(walk);
    return rc;
}

int ccm_fm_build(ccm_fm **out, const char *dir)
{
    ccm_fm *w = calloc(1, sizeof(*w));
    ccm_store *st[FM_SIGNERS] = {NULL};
    git_odb *odb = NULL;
    int rc;

    *out = NULL;
    if (!w || !(w->dir = strdup(dir))) {
        free(w);
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    snprintf(w->acts[0], sizeof(w->acts[0]), "a1b2c3d4e5f60718");
    snprintf(w->acts[1], sizeof(w->acts[1]), "0f1e2d3c4b5a6978");
    w->nacts = 2;
    mkdir(dir, 0700);
    TRY(found(st, dir));
    TRY(history(st, w));
    w->judge = st[0];
    st[0] = NULL;
    TRY(collect_commits(w));
    for (int i = 0; i < FM_SIGNERS; i++) {
        char path[1024];
        ccm_store_free(st[i]);
        st[i] = NULL;
        snprintf(path, sizeof(path), "%s/%s", dir, ccm_fm_names[i]);
        TRY(ccm_forge_open(&w->forge[i], path));
        ccm_forge_use_repo(w->forge[i], w->judge->repo);
    }
    if ((rc = mem_new(&w->mem)) < 0) {
        goto done;
    }
    if (git_repository_odb(&odb, w->judge->repo) < 0 ||
        git_odb_add_backend(odb, &w->mem->parent, 1000) < 0) {
        mem_free(&w->mem->parent);
        w->mem = NULL;
        rc = ccm_error_set(CCM_ERROR, "cannot add an in-memory object database");
        goto done;
    }
    rc = ccm_fm_keys_snapshot(w);
done:
    git_odb_free(odb);
    for (int i = 0; i < FM_SIGNERS; i++) {
        ccm_store_free(st[i]);
    }
    if (rc < 0) {
        ccm_fm_free(w);
    } else {
        *out = w;
    }
    return rc;
}

void ccm_fm_free(ccm_fm *w)
{
    if (!w) {
        return;
    }
    for (int i = 0; i < FM_SIGNERS; i++) {
        ccm_forge_free(w->forge[i]);
    }
    if (w->judge && w->keys) {
        ccm_fm_keys_restore(w);
    }
    ccm_store_free(w->judge);
    free(w->commits);
    free(w->keys);
    free(w->cmts);
    free(w->alts);
    free(w->dir);
    free(w);
}

size_t ccm_fm_commits(const ccm_fm *w)
{
    return w->ncommits;
}

int ccm_fm_keys_snapshot(ccm_fm *w)
{
    ccm_store *s = w->judge;

    w->nkeys = s->nkeys;
    w->nalts = s->nalts;
    w->keys = calloc(s->nkeys + 1, sizeof(*w->keys));
    w->cmts = calloc(s->nkeys + 1, sizeof(*w->cmts));
    w->alts = calloc(s->nalts + 1, sizeof(*w->alts));
    if (!w->keys || !w->cmts || !w->alts) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    if (s->nkeys) {
        memcpy(w->keys, s->keys, s->nkeys * sizeof(*w->keys));
        memcpy(w->cmts, s->cmts, s->nkeys * sizeof(*w->cmts));
    }
    if (s->nalts) {
        memcpy(w->alts, s->alts, s->nalts * sizeof(*w->alts));
    }
    return CCM_OK;
}

static int known_key(const ccm_fm *w, const ccm_groupkey *k)
{
    for (uint32_t e = 0; e < w->nkeys; e++) {
        if (w->keys[e] == k) {
            return 1;
        }
    }
    for (size_t i = 0; i < w->nalts; i++) {
        if (w->alts[i] == k) {
            return 1;
        }
    }
    return 0;
}

void ccm_fm_keys_restore(ccm_fm *w)
{
    ccm_store *s = w->judge;

    for (uint32_t e = 0; e < s->nkeys; e++) {
        if (s->keys[e] && !known_key(w, s->keys[e])) {
            ccm_groupkey_free(s->keys[e]);
        }
        s->keys[e] = e < w->nkeys ? w->keys[e] : NULL;
        if (e < w->nkeys) {
            memcpy(s->cmts[e], w->cmts[e], sizeof(s->cmts[e]));
        } else {
            memset(s->cmts[e], 0, sizeof(s->cmts[e]));
        }
    }
    for (size_t i = 0; i < s->nalts; i++) {
        if (!known_key(w, s->alts[i])) {
            ccm_groupkey_free(s->alts[i]);
        }
    }
    if (w->nalts) {
        memcpy(s->alts, w->alts, w->nalts * sizeof(*w->alts));
    }
    s->nalts = w->nalts;
}
