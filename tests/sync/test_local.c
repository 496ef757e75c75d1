/*
 * test_local.c - object transfer with a local remote (sync/local.c): only
 * the objects the receiving side lacks are copied, as one pack; copying again
 * copies nothing; progress reaches its total; a damaged or forged source is
 * refused with CCM_EVERIFY and leaves nothing behind.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <git2.h>

#include "store/store_private.h"
#include "sync/sync_private.h"
#include "tests/support/tmpdir.h"
#include "tests/support/pack_support.h"

static char base[640];

static int group_setup(void **state)
{
    (void)state;
    return git_libgit2_init() > 0 ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    git_libgit2_shutdown();
    return 0;
}

static int setup(void **state)
{
    (void)state;
    ccm_test_mkdtemp(base, sizeof(base), "local");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    return ccm_test_rmdir(base);
}

static void path_of(char *out, size_t cap, const char *name)
{
    snprintf(out, cap, "%s/%s", base, name);
}

static git_repository *init_bare(const char *name)
{
    char dir[800];
    git_repository *r = NULL;
    path_of(dir, sizeof(dir), name);
    assert_int_equal(git_repository_init(&r, dir, 1), 0);
    return r;
}

static git_repository *open_bare(const char *name)
{
    char dir[800];
    git_repository *r = NULL;
    path_of(dir, sizeof(dir), name);
    assert_int_equal(git_repository_open_bare(&r, dir), 0);
    return r;
}

/* ---- a history like a store's: r/ab/cd/<name> blobs and roster.json ------ */

static void record_path(char *out, size_t cap, int i)
{
    char name[16];
    snprintf(name, sizeof(name), "%08x", (unsigned)i * 2654435761u);
    snprintf(out, cap, "r/%.2s/%.2s/%s", name, name + 2, name);
}

/* The blob of record i at a version: of various sizes. */
static size_t record_data(char *out, size_t cap, int i, int version)
{
    int n = snprintf(out, cap, "record %d version %d %.*s", i, version, i % 97,
                     "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
                     "0123456789abcdef0123456789abcdef");
    assert_true(n > 0 && (size_t)n < cap);
    return (size_t)n;
}

static void record_blob(git_oid *id, git_repository *repo, int i, int version)
{
    char data[200];
    size_t n = record_data(data, sizeof(data), i, version);
    assert_int_equal(git_blob_create_from_buffer(id, repo, data, n), 0);
}

typedef struct {
    int first, last; /* records [first, last) at `version` */
    int version;
} change;

/* A commit on `parent` (NULL: a root commit) that writes the given records
 * and a new roster.json; every object is written loose. */
static void commit_changes(git_oid *out, git_repository *repo, const git_oid *parent,
                           const change *ch, size_t nch, const char *roster)
{
    git_tree_update *ups;
    char(*paths)[64];
    size_t n = 0, cap = 1;
    git_commit *pc = NULL;
    git_tree *baseline = NULL, *tree = NULL;
    git_signature *sig = NULL;
    git_oid tree_id;

    for (size_t k = 0; k < nch; k++) {
        cap += (size_t)(ch[k].last - ch[k].first);
    }
    assert_non_null(ups = calloc(cap, sizeof(*ups)));
    assert_non_null(paths = calloc(cap, sizeof(*paths)));
    for (size_t k = 0; k < nch; k++) {
        for (int i = ch[k].first; i < ch[k].last; i++) {
            record_path(paths[n], sizeof(paths[n]), i);
            record_blob(&ups[n].id, repo, i, ch[k].version);
            ups[n].action = GIT_TREE_UPDATE_UPSERT;
            ups[n].filemode = GIT_FILEMODE_BLOB;
            ups[n].path = paths[n];
            n++;
        }
    }
    assert_int_equal(git_blob_create_from_buffer(&ups[n].id, repo, roster, strlen(roster)), 0);
    ups[n].action = GIT_TREE_UPDATE_UPSERT;
    ups[n].filemode = GIT_FILEMODE_BLOB;
    ups[n].path = "roster.json";
    n++;
    if (parent) {
        assert_int_equal(git_commit_lookup(&pc, repo, parent), 0);
        assert_int_equal(git_commit_tree(&baseline, pc), 0);
    }
    assert_int_equal(git_tree_create_updated(&tree_id, repo, baseline, n, ups), 0);
    assert_int_equal(git_tree_lookup(&tree, repo, &tree_id), 0);
    assert_int_equal(git_signature_new(&sig, "T", "t@example.org", 1700000000, 0), 0);
    assert_int_equal(git_commit_create(out, repo, NULL, sig, sig, NULL, "ccmsync\n", tree,
                                       parent ? 1 : 0, (const git_commit **)&pc),
                     0);
    git_signature_free(sig);
    git_tree_free(tree);
    git_tree_free(baseline);
    git_commit_free(pc);
    free(paths);
    free(ups);
}

/* Repo "a.git": three commits, the last one with 300 new records. */
static void make_history(git_oid tips[3])
{
    git_repository *a = init_bare("a.git");
    const change c1[] = {{0, 20, 1}};
    const change c2[] = {{3, 4, 2}, {7, 8, 2}, {11, 12, 2}, {20, 25, 1}};
    const change c3[] = {{0, 1, 3}, {25, 325, 1}};

    commit_changes(&tips[0], a, NULL, c1, 1, "{\"members\":[\"Peru\"]}");
    commit_changes(&tips[1], a, &tips[0], c2, 4, "{\"members\":[\"Peru\",\"Norway\"]}");
    commit_changes(&tips[2], a, &tips[1], c3, 2, "{\"members\":[\"Peru\",\"Norway\",\"Malawi\"]}");
    git_repository_free(a);
}

/* ---- what is reachable, found with libgit2 alone ------------------------- */

typedef struct {
    git_oid *ids;
    size_t n, cap;
} oid_list;

static void list_add(oid_list *l, const git_oid *id)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 256;
        assert_non_null(l->ids = realloc(l->ids, l->cap * sizeof(*l->ids)));
    }
    l->ids[l->n++] = *id;
}

static int walk_cb(const char *root, const git_tree_entry *e, void *payload)
{
    (void)root;
    list_add(payload, git_tree_entry_id(e));
    return 0;
}

/* Every commit, tree and blob reachable from tip, each once. */
static void reachable(oid_list *out, git_repository *repo, const git_oid *tip)
{
    git_revwalk *w = NULL;
    git_oid id;

    memset(out, 0, sizeof(*out));
    assert_int_equal(git_revwalk_new(&w, repo), 0);
    assert_int_equal(git_revwalk_push(w, tip), 0);
    while (git_revwalk_next(&id, w) == 0) {
        git_commit *c = NULL;
        git_tree *t = NULL;
        assert_int_equal(git_commit_lookup(&c, repo, &id), 0);
        list_add(out, &id);
        list_add(out, git_commit_tree_id(c));
        assert_int_equal(git_commit_tree(&t, c), 0);
        assert_int_equal(git_tree_walk(t, GIT_TREEWALK_PRE, walk_cb, out), 0);
        git_tree_free(t);
        git_commit_free(c);
    }
    git_revwalk_free(w);
    out->n = ccm_test_oids_sort_unique(out->ids, out->n);
}

/* The ids of `all` that `repo` lacks, and the sum of their sizes. */
static void lacking(oid_list *out, size_t *bytes, const oid_list *all, git_repository *from,
                    git_repository *repo)
{
    git_odb *odb = NULL, *src = NULL;

    memset(out, 0, sizeof(*out));
    *bytes = 0;
    assert_int_equal(git_repository_odb(&odb, repo), 0);
    assert_int_equal(git_repository_odb(&src, from), 0);
    for (size_t i = 0; i < all->n; i++) {
        if (!git_odb_exists(odb, &all->ids[i])) {
            size_t len;
            git_object_t type;
            assert_int_equal(git_odb_read_header(&len, &type, src, &all->ids[i]), 0);
            *bytes += len;
            list_add(out, &all->ids[i]);
        }
    }
    git_odb_free(src);
    git_odb_free(odb);
}

/* Every id readable in `repo`, its bytes hashing to its id; with no_refresh,
 * as the handle already knows it. */
static void assert_all_readable(git_repository *repo, const oid_list *l, int no_refresh)
{
    git_odb *odb = NULL;

    assert_int_equal(git_repository_odb(&odb, repo), 0);
    for (size_t i = 0; i < l->n; i++) {
        git_odb_object *o = NULL;
        git_oid id;
        if (no_refresh) {
            assert_true(git_odb_exists_ext(odb, &l->ids[i], GIT_ODB_LOOKUP_NO_REFRESH));
        }
        assert_int_equal(git_odb_read(&o, odb, &l->ids[i]), 0);
        assert_int_equal(git_odb_hash(&id, git_odb_object_data(o), git_odb_object_size(o),
                                      git_odb_object_type(o)),
                         0);
        assert_true(git_oid_equal(&id, &l->ids[i]));
        git_odb_object_free(o);
    }
    git_odb_free(odb);
}

/* Asserts the pack `name` of repo `repo_name` holds exactly `want`. */
static void assert_pack_holds(const char *repo_name, const char *name, const oid_list *want)
{
    char dir[800];
    git_oid *listed = NULL;
    size_t n = 0;

    if (!ccm_test_have_git()) {
        return;
    }
    path_of(dir, sizeof(dir), repo_name);
    assert_int_equal(ccm_test_verify_pack(dir, name, &listed, &n), 0);
    ccm_test_assert_same_oids(listed, n, want->ids, want->n);
    free(listed);
}

static size_t loose_count(const char *repo_name)
{
    char cmd[1024];
    FILE *p;
    int n = -1;

    snprintf(cmd, sizeof(cmd),
             "find '%s/%s/objects' -type f -path '*/objects/[0-9a-f][0-9a-f]/*' | wc -l", base,
             repo_name);
    assert_non_null(p = popen(cmd, "r"));
    assert_int_equal(fscanf(p, "%d", &n), 1);
    pclose(p);
    assert_true(n >= 0);
    return (size_t)n;
}

static void packs_of(ccm_test_packs *out, const char *repo_name)
{
    char dir[800];
    path_of(dir, sizeof(dir), repo_name);
    ccm_test_list_packs(out, dir);
}

static size_t pack_dir_entries(const char *repo_name)
{
    char dir[800];
    path_of(dir, sizeof(dir), repo_name);
    return ccm_test_pack_dir_entries(dir);
}

/* ---- progress --------------------------------------------------------------- */

typedef struct {
    int calls;
    int bad_phase;
    int not_increasing;
    size_t done, total, bytes;
} progress;

static void on_progress(const char *what, size_t done, size_t total, size_t bytes, void *payload)
{
    progress *p = payload;
    if (strcmp(what, "fetch") != 0) {
        p->bad_phase++;
    }
    if (p->calls > 0 && (done <= p->done || total != p->total || bytes < p->bytes)) {
        p->not_increasing++;
    }
    p->calls++;
    p->done = done;
    p->total = total;
    p->bytes = bytes;
}

/* ---- tests ------------------------------------------------------------------ */

static void test_copy__only_what_is_missing_as_one_pack(void **state)
{
    git_oid tips[3];
    git_repository *a, *b;
    oid_list first, all, missing;
    size_t bytes;
    ccm_test_packs before, after;
    progress pr = {0};
    ccm_transfer t = {on_progress, &pr, "", NULL};
    (void)state;

    make_history(tips);
    a = open_bare("a.git");
    b = init_bare("b.git");

    /* B gets the first commit: one pack of exactly its closure */
    reachable(&first, a, &tips[0]);
    assert_int_equal(ccm_sync_copy_objects(a, b, &tips[0], "remote", "fetch", NULL), CCM_OK);
    packs_of(&after, "b.git");
    assert_int_equal(after.n, 1);
    assert_int_equal(pack_dir_entries("b.git"), 2); /* .pack and .idx, no temporary file */
    assert_int_equal(loose_count("b.git"), 0);
    assert_pack_holds("b.git", after.names[0], &first);
    assert_all_readable(b, &first, 1);

    /* then the tip: only what B lacks (less than the whole history) */
    reachable(&all, a, &tips[2]);
    lacking(&missing, &bytes, &all, a, b);
    assert_true(missing.n > 300 && missing.n < all.n);
    assert_int_equal(missing.n + first.n, all.n); /* B lacked everything but the first commit */
    before = after;
    assert_int_equal(ccm_sync_copy_objects(a, b, &tips[2], "remote", "fetch", &t), CCM_OK);
    packs_of(&after, "b.git");
    assert_int_equal(after.n, 2);
    assert_int_equal(pack_dir_entries("b.git"), 4);
    assert_pack_holds("b.git", ccm_test_new_pack(&before, &after), &missing);

    /* progress: one call per 256 objects and one at the end, which is the total */
    assert_int_equal(pr.calls, (int)((missing.n + 255) / 256));
    assert_int_equal(pr.bad_phase, 0);
    assert_int_equal(pr.not_increasing, 0);
    assert_int_equal(pr.done, missing.n);
    assert_int_equal(pr.total, missing.n);
    assert_int_equal(pr.bytes, bytes);

    /* everything is there, for this handle at once and for a fresh one */
    assert_all_readable(b, &all, 1);
    git_repository_free(b);
    b = open_bare("b.git");
    assert_all_readable(b, &all, 0);
    {
        oid_list in_b;
        reachable(&in_b, b, &tips[2]);
        assert_int_equal(in_b.n, all.n);
        assert_memory_equal(in_b.ids, all.ids, all.n * sizeof(*all.ids));
        free(in_b.ids);
    }
    git_repository_free(b);
    git_repository_free(a);
    free(first.ids);
    free(all.ids);
    free(missing.ids);
}

static void test_copy__again_copies_nothing(void **state)
{
    git_oid tips[3];
    git_repository *a, *b;
    ccm_test_packs before, after;
    progress pr = {0};
    ccm_transfer t = {on_progress, &pr, "", NULL};
    (void)state;

    make_history(tips);
    a = open_bare("a.git");
    b = init_bare("b.git");
    assert_int_equal(ccm_sync_copy_objects(a, b, &tips[2], "remote", "fetch", &t), CCM_OK);
    assert_true(pr.calls > 0);
    packs_of(&before, "b.git");
    assert_int_equal(before.n, 1);

    /* the same handle: the tip and its ancestors are all there already */
    for (int i = 2; i >= 0; i--) {
        memset(&pr, 0, sizeof(pr));
        assert_int_equal(ccm_sync_copy_objects(a, b, &tips[i], "remote", "fetch", &t), CCM_OK);
        assert_int_equal(pr.calls, 0);
    }
    /* a fresh handle */
    git_repository_free(b);
    b = open_bare("b.git");
    memset(&pr, 0, sizeof(pr));
    assert_int_equal(ccm_sync_copy_objects(a, b, &tips[2], "remote", "fetch", &t), CCM_OK);
    assert_int_equal(pr.calls, 0);
    packs_of(&after, "b.git");
    assert_int_equal(after.n, 1);
    assert_string_equal(after.names[0], before.names[0]);
    assert_int_equal(pack_dir_entries("b.git"), 2);
    assert_int_equal(loose_count("b.git"), 0);

    /* and no progress callback, or none at all, is fine */
    {
        git_repository *c = init_bare("c.git");
        ccm_transfer quiet = {NULL, NULL, "", NULL};
        assert_int_equal(ccm_sync_copy_objects(a, c, &tips[1], "store", "push", &quiet), CCM_OK);
        assert_int_equal(ccm_sync_copy_objects(a, c, &tips[2], "store", "push", NULL), CCM_OK);
        packs_of(&after, "c.git");
        assert_int_equal(after.n, 2);
        git_repository_free(c);
    }
    git_repository_free(b);
    git_repository_free(a);
}

/* The loose file of object `id` in repo `repo_name`. */
static void loose_path(char *out, size_t cap, const char *repo_name, const git_oid *id)
{
    char hex[GIT_OID_HEXSZ + 1];
    git_oid_tostr(hex, sizeof(hex), id);
    snprintf(out, cap, "%s/%s/objects/%.2s/%s", base, repo_name, hex, hex + 2);
}

/* The blob of record i at version v, as created by make_history. */
static void blob_id_of(git_oid *id, int i, int version)
{
    char data[200];
    size_t n = record_data(data, sizeof(data), i, version);
    assert_int_equal(git_odb_hash(id, data, n, GIT_OBJECT_BLOB), 0);
}

/* Copies the tip of "a.git" into a new repo `to`: CCM_EVERIFY naming
 * `culprit`, and nothing left in `to`. */
static void assert_copy_refused(const char *to, const git_oid *tip, const git_oid *culprit,
                                const char *what)
{
    git_repository *a = open_bare("a.git"), *r = init_bare(to);
    char hex[GIT_OID_HEXSZ + 1], want[64];
    ccm_test_packs packs;

    git_oid_tostr(hex, sizeof(hex), culprit);
    snprintf(want, sizeof(want), "the %s is damaged", what);
    assert_int_equal(ccm_sync_copy_objects(a, r, tip, what, "fetch", NULL), CCM_EVERIFY);
    assert_int_equal(ccm_error_code(), CCM_EVERIFY);
    assert_non_null(strstr(ccm_error_last(), hex));
    assert_non_null(strstr(ccm_error_last(), want));
    packs_of(&packs, to);
    assert_int_equal(packs.n, 0);
    assert_int_equal(pack_dir_entries(to), 0);
    assert_int_equal(loose_count(to), 0);
    git_repository_free(r);
    git_repository_free(a);
}

static void test_copy__damaged_source_is_refused(void **state)
{
    git_oid tips[3], blob, tree;
    char path[1024], saved[1100];
    (void)state;

    make_history(tips);

    /* a blob of the last commit is gone */
    blob_id_of(&blob, 100, 1);
    loose_path(path, sizeof(path), "a.git", &blob);
    assert_int_equal(unlink(path), 0);
    assert_copy_refused("e1.git", &tips[2], &blob, "remote");
    assert_copy_refused("e2.git", &tips[2], &blob, "store");
    /* a copy of what is older than that blob still works */
    {
        git_repository *a = open_bare("a.git"), *r = init_bare("e3.git");
        assert_int_equal(ccm_sync_copy_objects(a, r, &tips[1], "remote", "fetch", NULL), CCM_OK);
        git_repository_free(r);
        git_repository_free(a);
    }

    /* a tree (the last commit's root) is gone */
    {
        git_repository *a = open_bare("a.git");
        git_commit *c = NULL;
        assert_int_equal(git_commit_lookup(&c, a, &tips[2]), 0);
        tree = *git_commit_tree_id(c);
        git_commit_free(c);
        git_repository_free(a);
    }
    loose_path(path, sizeof(path), "a.git", &tree);
    snprintf(saved, sizeof(saved), "%s.saved", path);
    assert_int_equal(rename(path, saved), 0);
    assert_copy_refused("e4.git", &tips[2], &tree, "remote");
    assert_int_equal(rename(saved, path), 0);

    /* a parent commit is gone */
    loose_path(path, sizeof(path), "a.git", &tips[0]);
    assert_int_equal(unlink(path), 0);
    assert_copy_refused("e5.git", &tips[1], &tips[0], "remote");
}

/* An object whose file holds another object (its bytes hash to another id)
 * is refused as well: nothing lands under the id that was asked for. */
static void test_copy__forged_object_is_refused(void **state)
{
    git_oid tips[3], victim, other;
    char vpath[1024], opath[1024];
    FILE *in, *out;
    uint8_t buf[4096];
    size_t n;
    (void)state;

    make_history(tips);
    blob_id_of(&victim, 200, 1);
    blob_id_of(&other, 201, 1);
    loose_path(vpath, sizeof(vpath), "a.git", &victim);
    loose_path(opath, sizeof(opath), "a.git", &other);
    assert_int_equal(unlink(vpath), 0);
    assert_non_null(in = fopen(opath, "rb"));
    assert_non_null(out = fopen(vpath, "wb"));
    while ((n = fread(buf, 1, sizeof(buf), in)) > 0) {
        assert_int_equal(fwrite(buf, 1, n, out), n);
    }
    fclose(in);
    assert_int_equal(fclose(out), 0);
    assert_copy_refused("e.git", &tips[2], &victim, "remote");
}

/* A root commit whose tree holds d/d/.../d/x, `depth` trees below the root. */
static void nested_commit(git_oid *out, git_repository *repo, const git_signature *sig,
                          const git_oid *blob, int depth)
{
    git_treebuilder *tb = NULL;
    git_tree *t = NULL;
    git_oid tree;

    assert_int_equal(git_treebuilder_new(&tb, repo, NULL), 0);
    assert_int_equal(git_treebuilder_insert(NULL, tb, "x", blob, GIT_FILEMODE_BLOB), 0);
    assert_int_equal(git_treebuilder_write(&tree, tb), 0);
    git_treebuilder_free(tb);
    for (int i = 0; i < depth; i++) {
        assert_int_equal(git_treebuilder_new(&tb, repo, NULL), 0);
        assert_int_equal(git_treebuilder_insert(NULL, tb, "d", &tree, GIT_FILEMODE_TREE), 0);
        assert_int_equal(git_treebuilder_write(&tree, tb), 0);
        git_treebuilder_free(tb);
    }
    assert_int_equal(git_tree_lookup(&t, repo, &tree), 0);
    assert_int_equal(git_commit_create(out, repo, NULL, sig, sig, NULL, "deep\n", t, 0, NULL), 0);
    git_tree_free(t);
}

/* Trees nested beyond reason, and tree entries that are neither trees nor
 * blobs (submodules), are refused. */
static void test_copy__deep_trees_and_gitlinks_are_refused(void **state)
{
    git_repository *a = init_bare("a.git"), *r;
    git_signature *sig = NULL;
    git_oid blob, tree, deep_ok, too_deep, with_link;
    (void)state;

    assert_int_equal(git_signature_new(&sig, "T", "t@example.org", 1700000000, 0), 0);
    assert_int_equal(git_blob_create_from_buffer(&blob, a, "x", 1), 0);
    nested_commit(&deep_ok, a, sig, &blob, 20);
    nested_commit(&too_deep, a, sig, &blob, 200);
    {
        git_treebuilder *tb = NULL;
        git_tree *t = NULL;
        assert_int_equal(git_treebuilder_new(&tb, a, NULL), 0);
        assert_int_equal(git_treebuilder_insert(NULL, tb, "x", &blob, GIT_FILEMODE_BLOB), 0);
        assert_int_equal(git_treebuilder_insert(NULL, tb, "sub", &deep_ok, GIT_FILEMODE_COMMIT), 0);
        assert_int_equal(git_treebuilder_write(&tree, tb), 0);
        git_treebuilder_free(tb);
        assert_int_equal(git_tree_lookup(&t, a, &tree), 0);
        assert_int_equal(
            git_commit_create(&with_link, a, NULL, sig, sig, NULL, "link\n", t, 0, NULL), 0);
        git_tree_free(t);
    }
    git_signature_free(sig);

    r = init_bare("r.git");
    assert_int_equal(ccm_sync_copy_objects(a, r, &deep_ok, "remote", "fetch", NULL), CCM_OK);
    {
        oid_list all;
        reachable(&all, a, &deep_ok);
        assert_int_equal(all.n, 1 + 21 + 1); /* the commit, 21 trees, the blob */
        assert_all_readable(r, &all, 1);
        free(all.ids);
    }
    git_repository_free(r);

    r = init_bare("r2.git");
    assert_int_equal(ccm_sync_copy_objects(a, r, &too_deep, "remote", "fetch", NULL), CCM_EVERIFY);
    assert_non_null(strstr(ccm_error_last(), "nested too deep"));
    assert_int_equal(pack_dir_entries("r2.git"), 0);
    git_repository_free(r);

    r = init_bare("r3.git");
    assert_int_equal(ccm_sync_copy_objects(a, r, &with_link, "remote", "fetch", NULL), CCM_EVERIFY);
    assert_non_null(strstr(ccm_error_last(), "unexpected tree entry"));
    assert_int_equal(pack_dir_entries("r3.git"), 0);
    git_repository_free(r);
    git_repository_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_copy__only_what_is_missing_as_one_pack, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_copy__again_copies_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_copy__damaged_source_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_copy__forged_object_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_copy__deep_trees_and_gitlinks_are_refused, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
