/*
 * test_forge_mutate.c - the companion of the verify fuzzer
 * (tests/fuzz/fuzz_verify.c), on the same mutation engine
 * (tests/support/forge_mutate.h): commits whose changes are all legal do
 * pass verification (so the fuzzer's oracle, "nothing that breaks a rule
 * passes", is not met by refusing everything), commits that break a rule
 * do not, and on a few hundred random inputs the two stay apart.
 *
 * CCM_SEED=N replays the random inputs of one run (the seed is printed);
 * CCM_FORGE_MUTATE_RUNS=N sets their number (default 300).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store/store.h"
#include "tests/support/forge_mutate.h"
#include "tests/support/seed_support.h"
#include "tests/support/tmpdir.h"

static char base[700];
static ccm_fm *world;

static int setup(void **state)
{
    char dir[800];

    (void)state;
    seed_start(((uint64_t)time(NULL) << 20) ^ (uint64_t)getpid());
    ccm_test_mkdtemp(base, sizeof(base), "forgemut");
    snprintf(dir, sizeof(dir), "%s/world", base);
    if (ccm_fm_build(&world, dir) != CCM_OK) {
        fprintf(stderr, "building the world: %s\n", ccm_error_last());
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    ccm_fm_free(world);
    world = NULL;
    return ccm_test_rmdir(base);
}

static void forge(ccm_fm_result *res, const uint8_t *in, size_t n)
{
    if (ccm_fm_run(world, in, n, res) != CCM_OK) {
        fail_msg("forging failed: %s", ccm_error_last());
    }
}

/* Forges, and asserts that the commit is labelled legal and passes. */
static void legal_passes(const char *what, const uint8_t *in, size_t n, size_t changes)
{
    ccm_fm_result res;

    forge(&res, in, n);
    if (res.breaks || res.breaking || res.legal < changes) {
        fail_msg("%s: not the legal commit meant (%zu legal, %zu breaking changes: %s)", what,
                 res.legal, res.breaking, res.why);
    }
    if (res.verdict != CCM_OK) {
        fail_msg("%s: a legal commit was refused: %s", what, res.error);
    }
}

/* Forges, and asserts that the commit breaks a rule and is refused. */
static void breaking_refused(const char *what, const uint8_t *in, size_t n)
{
    ccm_fm_result res;

    forge(&res, in, n);
    if (!res.breaks) {
        fail_msg("%s: meant to break a rule, labelled legal", what);
    }
    if (res.verdict == CCM_OK) {
        fail_msg("%s: breaks a rule (%s) and passed", what, res.why);
    }
}

/* A parent index (newest first) on which `signer` may write, found by
 * trying: Malawi was removed part way. */
static uint8_t parent_for(uint8_t signer)
{
    for (size_t i = 0; i < ccm_fm_commits(world) && i < 256; i++) {
        uint8_t in[] = {signer, (uint8_t)i, 0};
        ccm_fm_result res;
        forge(&res, in, sizeof(in));
        if (!res.breaks && res.verdict == CCM_OK) {
            return (uint8_t)i;
        }
    }
    fail_msg("no commit on which signer %u may write", signer);
    return 0;
}

static void test_forge_mutate__legal_commits_pass(void **state)
{
    uint8_t mwi;
    (void)state;

    {
        uint8_t in[] = {0, 0, 0, FM_OP_ASSIGN, 0, 1, 0};
        legal_passes("Peru assigns a priority", in, sizeof(in), 1);
    }
    {
        uint8_t in[] = {1, 0, 0, FM_OP_SET_ADD, 6, 0, 2, FM_OP_ASSIGN, 6, 0, 1};
        legal_passes("Norway edits an activity twice", in, sizeof(in), 2);
    }
    {
        uint8_t in[] = {1, 0, 0, FM_OP_NEW_ACT, 1, 2, 3, FM_OP_SET_REMOVE, 0, 0, 1};
        legal_passes("Norway adds an activity and removes a target", in, sizeof(in), 2);
    }
    {
        uint8_t in[] = {0, 0, 0, FM_OP_DELETE, 7, FM_OP_CLEAR, 1, 0, FM_OP_NEW_STATE, 1, 3, 0};
        legal_passes("Peru deletes, clears and creates", in, sizeof(in), 3);
    }
    {
        uint8_t in[] = {1, 0, 0};
        legal_passes("Norway's empty commit", in, sizeof(in), 0);
    }
    {
        uint8_t in[] = {0, 0, 0, FM_OP_REMOVE, 1};
        legal_passes("Peru removes Norway", in, sizeof(in), 1);
    }
    {
        uint8_t in[] = {0, 0, 0, FM_OP_ADD_GHOST, 1};
        legal_passes("Peru adds Ghost as an editor", in, sizeof(in), 1);
    }
    {
        uint8_t in[] = {1, 0, 1, 3};
        legal_passes("Norway merges two commits", in, sizeof(in), 0);
    }
    mwi = parent_for(2);
    {
        uint8_t in[] = {2, mwi, 0, FM_OP_ASSIGN, 1, 0, 0};
        legal_passes("Malawi edits before her removal", in, sizeof(in), 1);
    }
}

static void test_forge_mutate__breaking_commits_are_refused(void **state)
{
    (void)state;
    {
        uint8_t in[] = {1, 0, 0, FM_OP_ATTRIBUTE, 0, 0, 0};
        breaking_refused("an entry in Peru's name", in, sizeof(in));
    }
    {
        uint8_t in[] = {1, 0, 0, FM_OP_ASSIGN, 0, 0, 0, FM_OP_DROP_FIELD, 0, 0};
        breaking_refused("a legal edit and a dropped field", in, sizeof(in));
    }
    {
        uint8_t in[] = {3, 0, 0, FM_OP_ASSIGN, 0, 0, 0};
        breaking_refused("a reader's edit", in, sizeof(in));
    }
    {
        uint8_t in[] = {4, 0, 0};
        breaking_refused("a non-member's empty commit", in, sizeof(in));
    }
    {
        uint8_t in[] = {1, 0, 2};
        breaking_refused("a commit not stamped", in, sizeof(in));
    }
    {
        uint8_t in[] = {1, 0, 1, 3, FM_OP_ASSIGN, 0, 0, 0};
        breaking_refused("a merge with an edit of its own", in, sizeof(in));
    }
    {
        uint8_t in[] = {0, 0, 0, FM_OP_ROLLBACK, 0, 0};
        breaking_refused("a record rolled back", in, sizeof(in));
    }
    {
        uint8_t in[] = {1, 0, 0, FM_OP_KEYS, 0, 0, 0};
        breaking_refused("a sealed key replaced", in, sizeof(in));
    }
    {
        uint8_t in[] = {0, 0, 0, FM_OP_ASSIGN, 0, 0, 0, FM_OP_REMOVE, 1};
        breaking_refused("a removal that changes records", in, sizeof(in));
    }
}

/* Random inputs: nothing that breaks a rule passes, and most legal ones do. */
static void test_forge_mutate__random_inputs_stay_apart(void **state)
{
    size_t legal = 0, legal_ok = 0, breaking = 0, shown = 0;
    const char *env = getenv("CCM_FORGE_MUTATE_RUNS");
    int runs = env ? atoi(env) : 300;
    (void)state;

    print_message("seed %llu (replay with CCM_SEED=%llu)\n", (unsigned long long)seed,
                  (unsigned long long)seed);
    for (int i = 0; i < runs; i++) {
        uint8_t in[24];
        size_t n = 3 + pick(sizeof(in) - 3);
        ccm_fm_result res;
        for (size_t k = 0; k < n; k++) {
            in[k] = (uint8_t)rnd();
        }
        if (i % 3 != 0) {
            /* Peru or Norway on a recent commit, stamps raised, under their
             * own name, legal changes only (and a breaking one, every
             * other time, at the end). */
            in[0] = (uint8_t)(pick(2) * 6);
            in[1] = (uint8_t)pick(4);
            in[2] = (uint8_t)(rnd() & 0xe0);
            for (size_t k = 3; k < n; k += 4) {
                in[k] = (uint8_t)(pick(FM_OP_REMOVE) + FM_OP_COUNT * pick(4));
            }
            if (i % 3 == 2 && n >= 7) {
                in[n - 4] = (uint8_t)(FM_OP_ATTRIBUTE + pick(FM_OP_COUNT - FM_OP_ATTRIBUTE));
            }
        }
        forge(&res, in, n);
        if (res.breaks) {
            breaking++;
            CHECK(res.verdict != CCM_OK, "input %d breaks a rule (%s) and passed (merge %d)", i,
                  res.why, res.merge);
        } else {
            legal++;
            legal_ok += res.verdict == CCM_OK;
            if (res.verdict != CCM_OK && shown++ < 5) {
                char hex[3 * sizeof(in) + 1];
                for (size_t k = 0; k < n; k++) {
                    snprintf(hex + 3 * k, 4, "%02x ", in[k]);
                }
                print_message("legal input %d refused: %s (input %s)\n", i, res.error, hex);
            }
        }
    }
    print_message("%zu inputs: %zu break a rule (all refused), %zu legal (%zu pass)\n",
                  legal + breaking, breaking, legal, legal_ok);
    CHECK(legal * 4 >= (size_t)runs,
          "only %zu of %d random inputs are legal: the oracle is barely "
          "exercised",
          legal, runs);
    CHECK(legal_ok * 10 >= legal * 9, "%zu of %zu legal inputs were refused", legal - legal_ok,
          legal);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forge_mutate__legal_commits_pass),
        cmocka_unit_test(test_forge_mutate__breaking_commits_are_refused),
        cmocka_unit_test(test_forge_mutate__random_inputs_stay_apart),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
