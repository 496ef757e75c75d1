/*
 * fuzz_verify.c - the rule every replica applies to incoming commits
 * (ccm_store_verify_commit, trust by effect), fuzzed with forged commits.
 *
 * Once per process, a small group with a real history is built in a
 * temporary folder (tests/support/forge_world.c: five members, concurrent
 * edits merged, a removal). Each input is decoded into one forged commit on
 * a commit of that history, or on the honest merge of two
 * (tests/support/forge_mutate.h: the signer, the parents, the stamps, the
 * author and up to eight changes, each labelled legal or breaking a rule),
 * which the verifier (the founder's store, holding every key) then judges.
 *
 * Invariants: nothing crashes (ASan, UBSan); a commit with anything that
 * breaks a rule never passes. Commits with only legal changes mostly pass:
 * how many did is printed at exit, and tests/sync/test_forge_mutate.c
 * asserts that legal forged commits do pass, so that this oracle is not
 * met by refusing everything.
 */
#include "fuzz_common.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <git2.h>

#include "store/store.h"
#include "tests/support/forge_mutate.h"

static ccm_fm *g_world;
static char g_dir[512];
static size_t g_runs, g_legal, g_legal_ok, g_breaking;

static void cleanup(void)
{
    char cmd[600];

    fprintf(stderr,
            "fuzz_verify: %zu commits: %zu break a rule (all refused), %zu legal (%zu passed)\n",
            g_runs, g_breaking, g_legal, g_legal_ok);
    ccm_fm_free(g_world);
    g_world = NULL;
    if (g_dir[0]) {
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", g_dir);
        if (system(cmd) != 0) {
            fprintf(stderr, "fuzz_verify: cannot remove %s\n", g_dir);
        }
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    const char *tmp = getenv("TMPDIR");
    char world[600];

    (void)argc;
    (void)argv;
    snprintf(g_dir, sizeof(g_dir), "%s/ccmsync-fuzz-verify.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(g_dir)) {
        perror("fuzz_verify: mkdtemp");
        abort();
    }
    snprintf(world, sizeof(world), "%s/world", g_dir);
    if (ccm_fm_build(&g_world, world) != CCM_OK) {
        fprintf(stderr, "fuzz_verify: cannot build the history: %s\n", ccm_error_last());
        abort();
    }
    /* Nothing kept from one input to the next: libFuzzer's leak check runs
     * on every input whose allocations outlive it, and libgit2's object
     * cache would make that every input. */
    git_libgit2_opts(GIT_OPT_ENABLE_CACHING, 0);
    atexit(cleanup);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ccm_fm_result res;

    if (ccm_fm_run(g_world, data, size, &res) != CCM_OK) {
        ccm_error_clear(); /* the forging itself failed: nothing to judge */
        return 0;
    }
    g_runs++;
    if (res.breaks) {
        g_breaking++;
        if (res.verdict == CCM_OK) {
            fprintf(stderr, "fuzz_verify: a commit that breaks a rule passed: %s\n", res.why);
        }
        FUZZ_CHECK(res.verdict != CCM_OK);
    } else {
        g_legal++;
        g_legal_ok += res.verdict == CCM_OK;
    }
    return 0;
}
