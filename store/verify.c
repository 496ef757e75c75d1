/*
 * verify.c - checking history, ours (`ccmsync verify`) or incoming (sync).
 *
 * For each commit, against the roster of its first parent (its own for the
 * root commit):
 *   - it is signed (SSHSIG, namespace git) by an active member with write
 *     rights (admin or editor), and authored under that member's name;
 *   - the root commit's roster names exactly its signer, as admin;
 *   - a commit with one parent that changes the roster or the sealed keys is
 *     an admin's; a merge's roster is exactly the merge of its parents';
 *   - the tree holds only roster.json, keys/ and r/; no record disappears;
 *   - every record it changes decrypts, parses and sits under its own name
 *     (when this member has the key), and stamps far in the future of the
 *     local clock are reported as warnings (accepted: convergence first).
 * The first failure is reported with the commit's id.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store_private.h"
#include "cache.h"

/* One record a commit changes, opened on a worker thread (parallel.c). */
typedef struct {
    char name[CCM_NAME_LEN + 1];
    git_oid oid;
    git_blob *blob;
    const ccm_groupkey *key; /* NULL: open it on the calling thread */
    json_t *rec;             /* the worker's result; NULL: redo */
} rec_check;

typedef struct {
    ccm_store *s;
    git_repository *repo;
    json_t *warnings;
    const char *commit; /* hex */
    const char *signer;
    int have_key;
    rec_check *checks; /* the records the commit changes, in name order */
    size_t n, cap;
} verify_ctx;

#define CHECK_BATCH 256

int ccm_store_check_signature(ccm_store *s, git_repository *repo, const git_commit *commit,
                              const json_t *roster, const json_t **signer)
{
    git_buf sig = {0}, data = {0};
    uint8_t pk[32];
    const json_t *m;
    const char *author = git_commit_author(commit)->name;
    int rc;

    (void)s;
    *signer = NULL;
    if (git_commit_extract_signature(&sig, &data, repo, (git_oid *)git_commit_id(commit), NULL) <
        0) {
        return ccm_error_set(CCM_EVERIFY, "unsigned");
    }
    rc = ccm_sshsig_verify(pk, sig.ptr, sig.size, CCM_SIG_NAMESPACE, (const uint8_t *)data.ptr,
                           data.size);
    if (rc < 0) {
        rc = ccm_error_wrap(CCM_EVERIFY, "bad signature");
        goto done;
    }
    if (!(m = ccm_roster_member_by_key(roster, pk))) {
        rc = ccm_error_set(CCM_EVERIFY, "signed by a key that is not a member's");
        goto done;
    }
    if (strcmp(json_string_value(json_object_get(m, "name")), author) != 0) {
        rc = ccm_error_set(CCM_EVERIFY, "signed by '%s' but authored as '%s'",
                           json_string_value(json_object_get(m, "name")), author);
        goto done;
    }
    if (!ccm_roster_is_active(m)) {
        rc = ccm_error_set(CCM_EVERIFY, "signed by '%s' after their removal", author);
        goto done;
    }
    if (!ccm_roster_may_write(m)) {
        rc = ccm_error_set(CCM_EVERIFY, "signed by '%s', a %s, who may not write", author,
                           json_string_value(json_object_get(m, "role")));
        goto done;
    }
    *signer = m;
done:
    git_buf_dispose(&sig);
    git_buf_dispose(&data);
    return rc;
}

/* The checks of one opened record: stamps far ahead of our clock. */
static void check_stamps(verify_ctx *v, const json_t *rec)
{
    uint64_t max = ccm_record_max_stamp(rec);

    if (v->warnings && CCM_STAMP_MS(max) > ccm_clock_now_ms() + CCM_FUTURE_MS) {
        char at[32], msg[256];
        ccm_stamp_format(at, max);
        snprintf(msg, sizeof(msg),
                 "commit %.10s by %s: %s '%s' has a change stamped %s, ahead of "
                 "this machine's clock",
                 v->commit, v->signer, json_string_value(json_object_get(rec, "kind")),
                 json_string_value(json_object_get(rec, "id")), at);
        json_array_append_new(v->warnings, json_string(msg));
    }
}

/* One record, entirely on the calling thread (keys loaded as needed). */
static int check_record_here(verify_ctx *v, const char *name, const git_oid *oid)
{
    json_t *rec = NULL;
    int rc = ccm_store_open_blob(&rec, v->s, v->repo, name, oid);

    if (rc == CCM_EDENIED) {
        ccm_error_clear(); /* an epoch this member never had: nothing to check */
        return CCM_OK;
    }
    if (rc < 0) {
        return rc;
    }
    check_stamps(v, rec);
    json_decref(rec);
    return CCM_OK;
}

static int check_record(const char *name, const git_oid *old_oid, const git_oid *new_oid,
                        void *payload)
{
    verify_ctx *v = payload;
    rec_check *c;
    int rc;

    (void)old_oid;
    if (!new_oid) {
        return ccm_error_set(CCM_EVERIFY, "record %.12s was deleted from the tree", name);
    }
    if (!v->have_key) {
        return CCM_OK; /* not admitted yet: signatures and roster only */
    }
    if (strlen(name) != CCM_NAME_LEN) {
        return check_record_here(v, name, new_oid);
    }
    if ((rc = ccm_grow(&v->checks, &v->cap, v->n, sizeof(*v->checks), 64)) < 0) {
        return rc;
    }
    c = &v->checks[v->n++];
    memset(c, 0, sizeof(*c));
    memcpy(c->name, name, CCM_NAME_LEN + 1);
    c->oid = *new_oid;
    return CCM_OK;
}

/* Worker side: decrypt, parse, validate; nothing else is touched. */
static void open_one(void *ctx, size_t i)
{
    verify_ctx *v = ctx;
    rec_check *c = &v->checks[i];

    if (c->key &&
        ccm_store_open_record_key(&c->rec, v->s, c->key, c->name, git_blob_rawcontent(c->blob),
                                  (size_t)git_blob_rawsize(c->blob)) < 0) {
        c->rec = NULL;
        ccm_error_clear(); /* done again on the calling thread, with its message */
    }
}

/* The records collected by check_record, a batch at a time: blobs looked up
 * here, opened on every core, then checked here in name order, so the first
 * failure reported is the same as one thread's. */
static int check_records(verify_ctx *v)
{
    int rc = CCM_OK;

    for (size_t at = 0; at < v->n; at += CHECK_BATCH) {
        size_t n = v->n - at < CHECK_BATCH ? v->n - at : CHECK_BATCH;
        rec_check *cs = v->checks + at;
        verify_ctx batch = *v;

        for (size_t i = 0; i < n && rc == CCM_OK; i++) {
            if (git_blob_lookup(&cs[i].blob, v->repo, &cs[i].oid) == 0) {
                cs[i].key = ccm_store_key_loaded(v->s, git_blob_rawcontent(cs[i].blob),
                                                 (size_t)git_blob_rawsize(cs[i].blob));
            }
        }
        git_error_clear();
        batch.checks = cs;
        ccm_parallel_for(n, open_one, &batch);
        for (size_t i = 0; i < n; i++) {
            rec_check *c = &cs[i];
            if (rc == CCM_OK) {
                if (c->rec) {
                    check_stamps(v, c->rec);
                    ccm_store_memo_put(v->s, c->name, &c->oid, c->rec);
                } else {
                    rc = check_record_here(v, c->name, &c->oid);
                }
            }
            json_decref(c->rec);
            git_blob_free(c->blob);
        }
        if (rc < 0) {
            break;
        }
    }
    return rc;
}

/* The id of a root-level entry of a tree, or NULL. */
static const git_oid *entry_id(const git_tree *tree, const char *name)
{
    const git_tree_entry *e = tree ? git_tree_entry_byname(tree, name) : NULL;
    return e ? git_tree_entry_id(e) : NULL;
}

static int same_entry(const git_tree *a, const git_tree *b, const char *name)
{
    const git_oid *x = entry_id(a, name), *y = entry_id(b, name);
    return (!x && !y) || (x && y && git_oid_equal(x, y));
}

static int check_layout(const git_tree *tree)
{
    for (size_t i = 0; i < git_tree_entrycount(tree); i++) {
        const char *n = git_tree_entry_name(git_tree_entry_byindex(tree, i));
        if (strcmp(n, CCM_ROSTER_PATH) != 0 && strcmp(n, CCM_KEYS_DIR) != 0 &&
            strcmp(n, CCM_RECORDS_DIR) != 0) {
            return ccm_error_set(CCM_EVERIFY, "unexpected entry '%s' in the tree", n);
        }
    }
    return CCM_OK;
}

/* Unix milliseconds of an RFC 3339 UTC time as ccm_stamp_format writes it;
 * 0 if it does not parse. */
static uint64_t parse_time_ms(const char *text)
{
    struct tm tm = {0};
    unsigned ms = 0;
    char z = 0;

    if (!text ||
        sscanf(text, "%4d-%2d-%2dT%2d:%2d:%2d.%3u%c", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
               &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms, &z) != 8 ||
        z != 'Z') {
        return 0;
    }
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return (uint64_t)timegm(&tm) * 1000 + ms;
}

/* A member removed in the authority roster (ours, merged with what comes
 * in) may not sign commits dated after the removal (with five minutes of
 * tolerance for clocks). Commits made concurrently, before it, are kept. */
static int check_removal(ccm_store *s, const git_commit *commit, const char *signer)
{
    const json_t *authority = s->authority ? s->authority : s->roster;
    const json_t *m = ccm_roster_member(authority, signer);
    const char *removed = json_string_value(json_object_get(m, "removed"));
    uint64_t at = parse_time_ms(removed);
    uint64_t when = (uint64_t)git_commit_time(commit) * 1000;

    if (removed && at && when > at + 5 * 60 * 1000) {
        return ccm_error_set(CCM_EVERIFY, "signed by '%s' after their removal at %s", signer,
                             removed);
    }
    return CCM_OK;
}

static int roster_of(json_t **out, git_repository *repo, git_commit *c, git_tree **tree)
{
    if (git_commit_tree(tree, c) < 0) {
        return ccm_git_error("cannot read tree");
    }
    return ccm_store_read_roster(out, repo, *tree);
}

/* The roster rules for a commit with `n` parents. */
static int check_roster(verify_ctx *v, git_commit *commit, const json_t *roster,
                        const git_tree *tree, const json_t *base, const git_tree *ptree,
                        const json_t *signer)
{
    size_t n = git_commit_parentcount(commit);
    json_t *merged = NULL;
    int rc = CCM_OK;

    if (n == 0) {
        const json_t *m = json_array_get(json_object_get(roster, "members"), 0);
        if (json_array_size(json_object_get(roster, "members")) != 1 || m != signer ||
            !ccm_roster_is_admin(m)) {
            return ccm_error_set(CCM_EVERIFY, "the first commit must name its signer, alone, as "
                                              "admin");
        }
        return CCM_OK;
    }
    if (n == 1) {
        if ((!same_entry(tree, ptree, CCM_ROSTER_PATH) || !same_entry(tree, ptree, CCM_KEYS_DIR)) &&
            !ccm_roster_is_admin(signer)) {
            return ccm_error_set(CCM_EVERIFY, "'%s' changed the membership without being an admin",
                                 v->signer);
        }
        return CCM_OK;
    }
    /* A merge: its roster is exactly the merge of its parents' rosters. */
    merged = json_deep_copy(base);
    for (size_t i = 1; i < n && rc == CCM_OK; i++) {
        git_commit *p = NULL;
        git_tree *t = NULL;
        json_t *r = NULL, *m2 = NULL;
        if (git_commit_parent(&p, commit, (unsigned)i) < 0) {
            rc = ccm_git_error("cannot read parent");
        } else if ((rc = roster_of(&r, v->repo, p, &t)) == CCM_OK &&
                   (rc = ccm_roster_merge(&m2, merged, r)) == CCM_OK) {
            json_decref(merged);
            merged = m2;
        }
        json_decref(r);
        git_tree_free(t);
        git_commit_free(p);
    }
    if (rc == CCM_OK && !json_equal(merged, roster)) {
        rc = ccm_error_set(CCM_EVERIFY, "merge changes the membership");
    }
    json_decref(merged);
    return rc;
}

int ccm_store_verify_commit(ccm_store *s, git_repository *repo, git_commit *commit,
                            json_t *warnings)
{
    verify_ctx v = {s, repo, warnings, NULL, NULL, 0, NULL, 0, 0};
    git_commit *parent = NULL;
    git_tree *tree = NULL, *ptree = NULL;
    json_t *roster = NULL, *base = NULL;
    const json_t *signer;
    char hex[41];
    int rc;

    git_oid_tostr(hex, sizeof(hex), git_commit_id(commit));
    v.commit = hex;
    if ((rc = roster_of(&roster, repo, commit, &tree)) < 0) {
        goto done;
    }
    if (git_commit_parentcount(commit) > 0) {
        if (git_commit_parent(&parent, commit, 0) < 0) {
            rc = ccm_git_error("cannot read parent");
            goto done;
        }
        if ((rc = roster_of(&base, repo, parent, &ptree)) < 0) {
            goto done;
        }
    }
    if ((rc = ccm_store_check_signature(s, repo, commit, base ? base : roster, &signer)) < 0) {
        goto done;
    }
    v.signer = json_string_value(json_object_get(signer, "name"));
    if ((rc = check_removal(s, commit, v.signer)) < 0) {
        goto done;
    }
    if ((rc = check_layout(tree)) < 0 ||
        (rc = check_roster(&v, commit, roster, tree, base, ptree, signer)) < 0) {
        goto done;
    }
    if (s->id) {
        json_int_t epoch = json_integer_value(json_object_get(roster, "epoch"));
        v.have_key = epoch > 0 && epoch < CCM_MAX_EPOCHS &&
                     ccm_store_load_key(s, tree, (uint32_t)epoch) == CCM_OK;
    }
    ccm_error_clear();
    if ((rc = ccm_tree_diff(repo, ptree, tree, check_record, &v)) == CCM_OK) {
        rc = check_records(&v);
    }
done:
    free(v.checks);
    json_decref(base);
    json_decref(roster);
    git_tree_free(ptree);
    git_tree_free(tree);
    git_commit_free(parent);
    return rc;
}

int ccm_store_verify_range(ccm_store *s, git_repository *repo, const git_oid *tip,
                           const git_oid *hide, json_t *warnings, size_t *count)
{
    git_revwalk *walk = NULL;
    git_oid oid;
    int rc = CCM_OK;

    if (git_revwalk_new(&walk, repo) < 0 ||
        git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE) < 0 ||
        git_revwalk_push(walk, tip) < 0 || (hide && git_revwalk_hide(walk, hide) < 0)) {
        git_revwalk_free(walk);
        return ccm_git_error("cannot walk history");
    }
    while (git_revwalk_next(&oid, walk) == 0) {
        git_commit *commit = NULL;
        char prefix[64];
        git_oid_tostr(prefix + 7, sizeof(prefix) - 7, &oid);
        memcpy(prefix, "commit ", 7);
        if (git_commit_lookup(&commit, repo, &oid) < 0) {
            rc = ccm_error_set(CCM_EVERIFY, "%s: cannot be read", prefix);
            break; /* not wrapped below: the prefix is in already */
        }
        if (hide && git_commit_parentcount(commit) == 0) {
            rc = ccm_error_set(CCM_EVERIFY, "unrelated history (another group's?)");
        } else {
            rc = ccm_store_verify_commit(s, repo, commit, warnings);
        }
        git_commit_free(commit);
        if (rc < 0) {
            rc = ccm_error_wrap(rc == CCM_EDENIED ? CCM_EDENIED : CCM_EVERIFY, prefix);
            break;
        }
        if (count) {
            (*count)++;
        }
    }
    git_revwalk_free(walk);
    return rc;
}

int ccm_store_verify(ccm_store *s, json_t *warnings)
{
    git_oid head;

    if (git_reference_name_to_id(&head, s->repo, CCM_BRANCH) < 0) {
        return ccm_error_set(CCM_EVERIFY, "no history");
    }
    return ccm_store_verify_range(s, s->repo, &head, NULL, warnings, NULL);
}

int ccm_store_check_tip(ccm_store *s)
{
    git_commit *head = NULL, *parent = NULL;
    git_tree *tree = NULL;
    json_t *roster = NULL;
    const json_t *signer;
    char hex[41];
    int rc;

    if ((rc = ccm_store_head_commit(&head, s)) < 0 || !head) {
        return rc;
    }
    git_oid_tostr(hex, sizeof(hex), git_commit_id(head));
    if (git_commit_parentcount(head) > 0 && git_commit_parent(&parent, head, 0) < 0) {
        rc = ccm_git_error("cannot read parent");
    } else if ((rc = roster_of(&roster, s->repo, parent ? parent : head, &tree)) == CCM_OK &&
               (rc = ccm_store_check_signature(s, s->repo, head, roster, &signer)) < 0) {
        char prefix[160];
        snprintf(prefix, sizeof(prefix),
                 "refusing to write on the branch tip %s (run 'ccmsync verify')", hex);
        rc = ccm_error_wrap(CCM_EVERIFY, prefix);
    }
    json_decref(roster);
    git_tree_free(tree);
    git_commit_free(parent);
    git_commit_free(head);
    return rc;
}
