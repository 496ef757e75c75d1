/*
 * tmpdir.h - a scratch folder per test, under $CCM_TEST_TMP (else /tmp),
 * removed afterwards. Include after <cmocka.h>.
 */
#ifndef CCM_TEST_TMPDIR_H
#define CCM_TEST_TMPDIR_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

/* Creates <tmp>/<prefix>XXXXXX into out (cap bytes). */
static inline void ccm_test_mkdtemp(char *out, size_t cap, const char *prefix)
{
    const char *tmp = getenv("CCM_TEST_TMP");

    if (tmp) {
        mkdir(tmp, 0700);
    }
    snprintf(out, cap, "%s/%sXXXXXX", tmp ? tmp : "/tmp", prefix);
    assert_non_null(mkdtemp(out));
}

/* Removes a scratch folder; 0 on success (cmocka teardown convention). */
static inline int ccm_test_rmdir(const char *dir)
{
    char cmd[1024];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

#endif
