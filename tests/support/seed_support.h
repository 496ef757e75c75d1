/*
 * seed_support.h - the seeded PRNG of the property tests: splitmix64, a
 * seed from CCM_SEED (or the test's own default), and CHECK, which fails
 * naming the seed that replays the failure. Include after <cmocka.h>.
 */
#ifndef CCM_TEST_SEED_SUPPORT_H
#define CCM_TEST_SEED_SUPPORT_H

#include <stdint.h>
#include <stdlib.h>

static uint64_t seed;
static uint64_t rng;

/* Fails the test, naming the seed that replays it. */
#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            print_error("seed %llu (replay with CCM_SEED=%llu)\n", (unsigned long long)seed,       \
                        (unsigned long long)seed);                                                 \
            fail_msg(__VA_ARGS__);                                                                 \
        }                                                                                          \
    } while (0)

/* Starts the PRNG: from CCM_SEED if set, else from `fallback` (chosen once
 * per process, so every test of a run replays with the same seed). */
static inline void seed_start(uint64_t fallback)
{
    const char *env = getenv("CCM_SEED");

    if (seed == 0) {
        seed = env != NULL ? strtoull(env, NULL, 0) : fallback;
    }
    rng = seed;
}

/* splitmix64 */
static inline uint64_t rnd(void)
{
    uint64_t z = (rng += 0x9e3779b97f4a7c15ull);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static inline size_t pick(size_t n)
{
    return (size_t)(rnd() % n);
}

#endif
