/*
 * forge.c - the attacker's toolkit of forge.h: a member's keys and the store
 * library, used to write commits the command line never would.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "forge.h"

struct ccm_forge {
    ccm_store *s;
    git_oid parents[2];
    size_t nparents;
    git_tree *base;
    git_tree_update *up;
    char **paths;
    size_t n, cap;
    json_t *staged;      /* path -> blob id hex, or null when removed */
    git_repository *own; /* the store's repository while another is used */
};

int ccm_forge_open(ccm_forge **out, const char *dir)
{
    ccm_forge *f = calloc(1, sizeof(*f));
    const char *pass = getenv("CCMSYNC_PASSPHRASE");
    int rc;

    *out = NULL;
    if (!f || !(f->staged = json_object())) {
        free(f);
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    if ((rc = ccm_store_open(&f->s, dir)) < 0 ||
        (rc = ccm_store_unlock(f->s, pass, pass ? strlen(pass) : 0)) < 0) {
        ccm_forge_free(f);
        return rc;
    }
    *out = f;
    return CCM_OK;
}

static void reset(ccm_forge *f)
{
    for (size_t i = 0; i < f->n; i++) {
        free(f->paths[i]);
    }
    f->n = 0;
    git_tree_free(f->base);
    f->base = NULL;
    json_object_clear(f->staged);
}

void ccm_forge_free(ccm_forge *f)
{
    if (!f) {
        return;
    }
    reset(f);
    ccm_forge_use_repo(f, NULL);
    free(f->paths);
    free(f->up);
    json_decref(f->staged);
    ccm_store_free(f->s);
    free(f);
}

ccm_store *ccm_forge_store(ccm_forge *f)
{
    return f->s;
}

void ccm_forge_use_repo(ccm_forge *f, git_repository *repo)
{
    reset(f);
    if (!f->s) {
        return;
    }
    if (!f->own) {
        f->own = f->s->repo;
    }
    f->s->repo = repo ? repo : f->own;
    if (!repo) {
        f->own = NULL;
    }
}

int ccm_forge_begin(ccm_forge *f, const git_oid *p1, const git_oid *p2)
{
    git_commit *a = NULL, *b = NULL;
    git_oid tree;
    int rc = CCM_OK;

    reset(f);
    f->parents[0] = *p1;
    f->nparents = 1;
    if (git_commit_lookup(&a, f->s->repo, p1) < 0) {
        return ccm_git_error("cannot read the parent");
    }
    if (p2) {
        f->parents[1] = *p2;
        f->nparents = 2;
        if (git_commit_lookup(&b, f->s->repo, p2) < 0) {
            rc = ccm_git_error("cannot read the second parent");
        } else {
            rc = ccm_merge_trees(&tree, f->s, f->s->repo, NULL, a, b, NULL, 0);
            if (rc == CCM_EDENIED) {
                /* No key to merge the records (a removed member's store):
                 * the membership merged, p1's records as they are. */
                ccm_error_clear();
                rc =
                    ccm_merge_trees(&tree, f->s, f->s->repo, NULL, a, b, NULL, CCM_MERGE_META_ONLY);
            }
            if (rc == CCM_OK && git_tree_lookup(&f->base, f->s->repo, &tree) < 0) {
                rc = ccm_git_error("cannot read the merged tree");
            }
        }
    } else if (git_commit_tree(&f->base, a) < 0) {
        rc = ccm_git_error("cannot read the parent's tree");
    }
    git_commit_free(a);
    git_commit_free(b);
    return rc;
}

/* The blob at a path of the tree being edited (staged edits first). */
static int current(git_oid *out, ccm_forge *f, const char *path)
{
    const json_t *st = json_object_get(f->staged, path);
    git_tree_entry *e = NULL;

    if (st) {
        return json_is_string(st) && git_oid_fromstr(out, json_string_value(st)) == 0
                   ? CCM_OK
                   : CCM_ENOTFOUND;
    }
    if (git_tree_entry_bypath(&e, f->base, path) < 0) {
        git_error_clear();
        return CCM_ENOTFOUND;
    }
    *out = *git_tree_entry_id(e);
    git_tree_entry_free(e);
    return CCM_OK;
}

int ccm_forge_blob(git_oid *out, ccm_forge *f, const char *path)
{
    return current(out, f, path);
}

static int read_json(json_t **out, ccm_forge *f, const char *path)
{
    git_oid id;
    git_blob *b = NULL;

    *out = NULL;
    if (current(&id, f, path) < 0 || git_blob_lookup(&b, f->s->repo, &id) < 0) {
        return ccm_error_set(CCM_ENOTFOUND, "no %s", path);
    }
    *out = json_loadb(git_blob_rawcontent(b), (size_t)git_blob_rawsize(b), 0, NULL);
    git_blob_free(b);
    return *out ? CCM_OK : ccm_error_set(CCM_EVERIFY, "malformed %s", path);
}

int ccm_forge_roster(json_t **out, ccm_forge *f)
{
    return read_json(out, f, CCM_ROSTER_PATH);
}

int ccm_forge_stamps(json_t **out, ccm_forge *f)
{
    return read_json(out, f, CCM_STAMPS_PATH);
}

void ccm_forge_record_path(char path[80], ccm_forge *f, const char *kind, const char *id)
{
    char name[65];

    ccm_record_name(name, f->s, kind, id);
    ccm_record_path_of_name(path, name);
}

int ccm_forge_record(json_t **out, ccm_forge *f, const char *kind, const char *id)
{
    char name[65], path[CCM_PATH_MAX];
    git_oid oid;

    *out = NULL;
    ccm_record_name(name, f->s, kind, id);
    ccm_record_path_of_name(path, name);
    if (current(&oid, f, path) < 0) {
        return CCM_ENOTFOUND;
    }
    return ccm_store_decrypt_blob(out, f->s, f->s->repo, name, &oid);
}

int ccm_forge_load_keys(ccm_forge *f)
{
    json_t *roster = NULL;
    const char *e;
    json_t *v;
    int n = 0;

    if (ccm_forge_roster(&roster, f) < 0) {
        ccm_error_clear();
        return 0;
    }
    json_object_foreach(json_object_get(roster, "commitments"), e, v)
    {
        (void)v;
        n += ccm_store_load_key_with(f->s, f->base, roster, (uint32_t)strtoul(e, NULL, 10)) ==
             CCM_OK;
    }
    ccm_error_clear();
    json_decref(roster);
    return n;
}

int ccm_forge_put_raw(ccm_forge *f, const char *path, const void *data, size_t len, int mode)
{
    git_oid oid;
    char hex[GIT_OID_HEXSZ + 1];
    int rc;

    if (data && git_blob_create_from_buffer(&oid, f->s->repo, data, len) < 0) {
        return ccm_git_error("cannot write blob");
    }
    if (!data) {
        memset(&oid, 0, sizeof(oid));
    }
    git_oid_tostr(hex, sizeof(hex), &oid);
    json_object_set_new(f->staged, path, data ? json_string(hex) : json_null());
    /* A path written again: its last write stands (one update per path);
     * removing a path the base does not have undoes its writes. */
    if (!data) {
        git_tree_entry *e = NULL;
        int in_base = git_tree_entry_bypath(&e, f->base, path) == 0;
        git_tree_entry_free(e);
        git_error_clear();
        if (!in_base) {
            for (size_t i = 0; i < f->n; i++) {
                if (strcmp(f->paths[i], path) == 0) {
                    free(f->paths[i]);
                    f->paths[i] = f->paths[f->n - 1];
                    f->up[i] = f->up[f->n - 1];
                    f->up[i].path = f->paths[i];
                    f->n--;
                    break;
                }
            }
            return CCM_OK;
        }
    }
    for (size_t i = 0; i < f->n; i++) {
        if (strcmp(f->paths[i], path) == 0) {
            f->up[i] = (git_tree_update){data ? GIT_TREE_UPDATE_UPSERT : GIT_TREE_UPDATE_REMOVE,
                                         oid, (git_filemode_t)mode, f->paths[i]};
            return CCM_OK;
        }
    }
    if ((rc = ccm_grow(&f->up, &f->cap, f->n, sizeof(*f->up), 16)) < 0) {
        return rc;
    }
    {
        char **p = realloc(f->paths, f->cap * sizeof(*p));
        if (!p) {
            return ccm_error_set(CCM_ERROR, "out of memory");
        }
        f->paths = p;
    }
    if (!(f->paths[f->n] = strdup(path))) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    f->up[f->n] = (git_tree_update){data ? GIT_TREE_UPDATE_UPSERT : GIT_TREE_UPDATE_REMOVE, oid,
                                    (git_filemode_t)mode, f->paths[f->n]};
    f->n++;
    return CCM_OK;
}

int ccm_forge_put_record(ccm_forge *f, const json_t *rec, uint32_t epoch)
{
    char name[65], path[CCM_PATH_MAX];
    const ccm_groupkey *gk;
    json_t *roster = NULL;
    uint8_t *env = NULL;
    size_t len = 0;
    char *pt;
    int rc;

    if (!epoch) {
        if ((rc = ccm_forge_roster(&roster, f)) < 0) {
            return rc;
        }
        epoch = (uint32_t)json_integer_value(json_object_get(roster, "epoch"));
        json_decref(roster);
    }
    ccm_store_load_key(f->s, f->base, epoch);
    ccm_error_clear();
    if (!(gk = ccm_store_key(f->s, epoch))) {
        return CCM_EDENIED;
    }
    ccm_record_name(name, f->s, json_string_value(json_object_get(rec, "kind")),
                    json_string_value(json_object_get(rec, "id")));
    ccm_record_path_of_name(path, name);
    if (!(pt = json_dumps(rec, JSON_SORT_KEYS | JSON_COMPACT))) {
        return ccm_error_set(CCM_ERROR, "cannot serialise");
    }
    rc = ccm_envelope_seal(&env, &len, gk, (const uint8_t *)name, CCM_NAME_LEN, (const uint8_t *)pt,
                           strlen(pt));
    free(pt);
    if (rc == CCM_OK) {
        rc = ccm_forge_put_raw(f, path, env, len, GIT_FILEMODE_BLOB);
    }
    free(env);
    return rc;
}

static int put_json(ccm_forge *f, const char *path, const json_t *doc, size_t flags)
{
    char *text = json_dumps(doc, flags);
    int rc;

    if (!text) {
        return ccm_error_set(CCM_ERROR, "cannot serialise");
    }
    rc = ccm_forge_put_raw(f, path, text, strlen(text), GIT_FILEMODE_BLOB);
    free(text);
    return rc;
}

int ccm_forge_set_roster(ccm_forge *f, const json_t *roster)
{
    return put_json(f, CCM_ROSTER_PATH, roster, JSON_SORT_KEYS | JSON_INDENT(1));
}

int ccm_forge_set_stamps(ccm_forge *f, const json_t *stamps)
{
    return put_json(f, CCM_STAMPS_PATH, stamps, JSON_SORT_KEYS | JSON_COMPACT);
}

uint64_t ccm_forge_next_stamp(ccm_forge *f)
{
    json_t *stamps = NULL;
    uint64_t last = 0;

    if (ccm_forge_stamps(&stamps, f) == CCM_OK) {
        last = ccm_stamps_max(stamps, UINT64_MAX);
    }
    json_decref(stamps);
    return ccm_hlc_next(last, ccm_clock_now_ms());
}

int ccm_forge_bump(ccm_forge *f, uint64_t stamp)
{
    json_t *stamps = NULL;
    int rc;

    if ((rc = ccm_forge_stamps(&stamps, f)) == CCM_OK) {
        json_object_set_new(stamps, ccm_store_member(f->s), json_integer((json_int_t)stamp));
        rc = ccm_forge_set_stamps(f, stamps);
    }
    json_decref(stamps);
    return rc;
}

int ccm_forge_blob_at(git_oid *out, ccm_forge *f, const git_oid *commit, const char *path)
{
    git_commit *c = NULL;
    git_tree *t = NULL;
    git_tree_entry *e = NULL;
    int rc = CCM_ENOTFOUND;

    if (git_commit_lookup(&c, f->s->repo, commit) == 0 && git_commit_tree(&t, c) == 0 &&
        git_tree_entry_bypath(&e, t, path) == 0) {
        *out = *git_tree_entry_id(e);
        rc = CCM_OK;
    }
    git_error_clear();
    git_tree_entry_free(e);
    git_tree_free(t);
    git_commit_free(c);
    return rc;
}

int ccm_forge_own_key(ccm_forge *f, const json_t *roster, uint32_t epoch, int all,
                      char **commitment)
{
    ccm_groupkey *gk = NULL;
    const ccm_groupkey *any = ccm_store_key(f->s, f->s->epoch);
    uint8_t cmt[CCM_KEY_COMMITMENT_BYTES];
    const json_t *m;
    size_t i;
    int rc;

    *commitment = NULL;
    if (!any) {
        return CCM_EDENIED;
    }
    /* rotate() keeps the index key: a key that names records as the group's
     * does. It makes the epoch after the one this member holds last. */
    if ((rc = ccm_groupkey_rotate(&gk, any)) < 0) {
        return rc;
    }
    if (ccm_groupkey_epoch(gk) != epoch) {
        ccm_groupkey_free(gk);
        return ccm_error_set(CCM_EINVALID, "can forge a key of epoch %u only",
                             (unsigned)ccm_groupkey_epoch(any) + 1);
    }
    json_array_foreach(json_object_get(roster, "members"), i, m)
    {
        uint8_t box[32], *sealed = NULL;
        size_t len = 0;
        char path[160];
        const char *b64 = json_string_value(json_object_get(m, "box_key"));
        if ((!all && json_object_get(m, "removed")) || !b64 ||
            ccm_base64_decode(box, 32, b64, strlen(b64)) != 32) {
            continue;
        }
        if ((rc = ccm_groupkey_seal(&sealed, &len, gk, box)) < 0) {
            break;
        }
        snprintf(path, sizeof(path), CCM_KEYS_DIR "/%u/%s", (unsigned)epoch,
                 json_string_value(json_object_get(m, "name")));
        rc = ccm_forge_put_raw(f, path, sealed, len, GIT_FILEMODE_BLOB);
        free(sealed);
        if (rc < 0) {
            break;
        }
    }
    ccm_groupkey_commitment(cmt, gk);
    ccm_groupkey_free(gk);
    if (rc == CCM_OK && !(*commitment = ccm_base64_encode(cmt, sizeof(cmt)))) {
        rc = ccm_error_set(CCM_ERROR, "out of memory");
    }
    return rc;
}

int ccm_forge_commit(git_oid *out, ccm_forge *f, const char *author)
{
    git_signature *who = NULL;
    git_buf buf = {0};
    git_oid tree_id;
    git_tree *tree = NULL;
    git_commit *parents[2] = {NULL, NULL};
    char email[96], *armored = NULL;
    size_t alen;
    int rc = CCM_OK;

    author = author ? author : ccm_store_member(f->s);
    snprintf(email, sizeof(email), "%s@ccmsync.invalid", author);
    for (size_t i = 0; i < f->nparents; i++) {
        if (git_commit_lookup(&parents[i], f->s->repo, &f->parents[i]) < 0) {
            rc = ccm_git_error("cannot read a parent");
            goto done;
        }
    }
    if (git_tree_create_updated(&tree_id, f->s->repo, f->base, f->n, f->up) < 0 ||
        git_tree_lookup(&tree, f->s->repo, &tree_id) < 0 ||
        git_signature_new(&who, author, email, (git_time_t)(ccm_clock_now_ms() / 1000), 0) < 0 ||
        git_commit_create_buffer(&buf, f->s->repo, who, who, NULL, CCM_COMMIT_MESSAGE, tree,
                                 f->nparents, (const git_commit **)parents) < 0) {
        rc = ccm_git_error("cannot write the forged commit");
        goto done;
    }
    if ((rc = ccm_sshsig_sign(&armored, ccm_store_identity(f->s), CCM_SIG_NAMESPACE,
                              (const uint8_t *)buf.ptr, buf.size)) < 0) {
        goto done;
    }
    alen = strlen(armored);
    while (alen > 0 && armored[alen - 1] == '\n') {
        armored[--alen] = 0;
    }
    if (git_commit_create_with_signature(out, f->s->repo, buf.ptr, armored, "gpgsig") < 0) {
        rc = ccm_git_error("cannot write the forged commit");
    }
done:
    free(armored);
    git_buf_dispose(&buf);
    git_signature_free(who);
    git_tree_free(tree);
    git_commit_free(parents[0]);
    git_commit_free(parents[1]);
    return rc;
}
