/*
 * pack_support.h - helpers shared by the pack tests (odb/test_pack.c,
 * odb/test_copy.c): the pack files of a bare repository, and the object ids
 * `git verify-pack -v` lists for one of them. Include after <cmocka.h>,
 * <git2.h> and tests/support/tmpdir.h.
 */
#ifndef CCM_TEST_PACK_SUPPORT_H
#define CCM_TEST_PACK_SUPPORT_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#define CCM_TEST_MAX_PACKS 64

/* The *.pack file names (no folder) of <git_dir>/objects/pack. */
typedef struct {
    char names[CCM_TEST_MAX_PACKS][96];
    size_t n;
} ccm_test_packs;

static inline int ccm_test_ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

static inline void ccm_test_list_packs(ccm_test_packs *out, const char *git_dir)
{
    char path[1024];
    DIR *d;
    struct dirent *e;

    memset(out, 0, sizeof(*out));
    snprintf(path, sizeof(path), "%s/objects/pack", git_dir);
    if (!(d = opendir(path))) {
        return;
    }
    while ((e = readdir(d))) {
        if (ccm_test_ends_with(e->d_name, ".pack")) {
            assert_true(out->n < CCM_TEST_MAX_PACKS);
            assert_true(strlen(e->d_name) < sizeof(out->names[0]));
            strcpy(out->names[out->n++], e->d_name);
        }
    }
    closedir(d);
}

/* Every entry of <git_dir>/objects/pack but . and .. (temporary files too). */
static inline size_t ccm_test_pack_dir_entries(const char *git_dir)
{
    char path[1024];
    DIR *d;
    struct dirent *e;
    size_t n = 0;

    snprintf(path, sizeof(path), "%s/objects/pack", git_dir);
    if (!(d = opendir(path))) {
        return 0;
    }
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
            n++;
        }
    }
    closedir(d);
    return n;
}

/* The one pack of `after` that `before` does not have (asserts there is
 * exactly one). */
static inline const char *ccm_test_new_pack(const ccm_test_packs *before,
                                            const ccm_test_packs *after)
{
    const char *found = NULL;

    for (size_t i = 0; i < after->n; i++) {
        int old = 0;
        for (size_t j = 0; j < before->n; j++) {
            old |= strcmp(after->names[i], before->names[j]) == 0;
        }
        if (!old) {
            assert_null(found);
            found = after->names[i];
        }
    }
    assert_non_null(found);
    return found;
}

static inline int ccm_test_have_git(void)
{
    return system("git --version >/dev/null 2>&1") == 0;
}

/* Runs `git verify-pack -v` on the index of pack `name` in git_dir; returns
 * its exit status, and the object ids it lists in *ids (malloc'd, *n). */
static inline int ccm_test_verify_pack(const char *git_dir, const char *name, git_oid **ids,
                                       size_t *n)
{
    char cmd[2048], line[512], idx[1024];
    size_t cap = 0, len = strlen(name);
    FILE *p;
    int status;

    *ids = NULL;
    *n = 0;
    assert_true(ccm_test_ends_with(name, ".pack") && len < 200);
    snprintf(idx, sizeof(idx), "%s/objects/pack/%.*s.idx", git_dir, (int)(len - 5), name);
    snprintf(cmd, sizeof(cmd), "git --git-dir='%s' verify-pack -v '%s' 2>&1", git_dir, idx);
    assert_non_null(p = popen(cmd, "r"));
    while (fgets(line, sizeof(line), p)) {
        git_oid id;
        if (strlen(line) > GIT_OID_HEXSZ && line[GIT_OID_HEXSZ] == ' ' &&
            git_oid_fromstrn(&id, line, GIT_OID_HEXSZ) == 0) {
            if (*n == cap) {
                cap = cap ? cap * 2 : 64;
                assert_non_null(*ids = realloc(*ids, cap * sizeof(**ids)));
            }
            (*ids)[(*n)++] = id;
        }
    }
    status = pclose(p);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static inline int ccm_test_oid_cmp(const void *a, const void *b)
{
    return git_oid_cmp(a, b);
}

/* Sorts ids and drops duplicates; returns the new count. */
static inline size_t ccm_test_oids_sort_unique(git_oid *ids, size_t n)
{
    size_t k = 0;

    if (n == 0) {
        return 0;
    }
    qsort(ids, n, sizeof(*ids), ccm_test_oid_cmp);
    for (size_t i = 1; i < n; i++) {
        if (!git_oid_equal(&ids[i], &ids[k])) {
            ids[++k] = ids[i];
        }
    }
    return k + 1;
}

/* Asserts that two lists hold the same ids, each without duplicates (the
 * lists are left as they are). */
static inline void ccm_test_assert_same_oids(const git_oid *a, size_t na, const git_oid *b,
                                             size_t nb)
{
    git_oid *sa = malloc((na ? na : 1) * sizeof(*sa)), *sb = malloc((nb ? nb : 1) * sizeof(*sb));

    assert_non_null(sa);
    assert_non_null(sb);
    memcpy(sa, a, na * sizeof(*sa));
    memcpy(sb, b, nb * sizeof(*sb));
    assert_int_equal(ccm_test_oids_sort_unique(sa, na), na);
    assert_int_equal(ccm_test_oids_sort_unique(sb, nb), nb);
    assert_int_equal(na, nb);
    for (size_t i = 0; i < na; i++) {
        assert_true(git_oid_equal(&sa[i], &sb[i]));
    }
    free(sa);
    free(sb);
}

#endif
