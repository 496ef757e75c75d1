/*
 * clock.c - the wall clock the store stamps its commits with; record.h's
 * ccm_hlc_next turns a reading into a stamp.
 */
#include <stdlib.h>
#include <time.h>

#include "store.h"

/* CCMSYNC_CLOCK_OFFSET: seconds added to the wall clock (may be negative).
 * For a machine whose clock is known to be wrong, and for tests of clock
 * skew; unset or unparsable means 0. */
static int64_t clock_offset_ms(void)
{
    const char *v = getenv("CCMSYNC_CLOCK_OFFSET");
    char *end = NULL;
    long long secs;

    if (!v || !*v) {
        return 0;
    }
    secs = strtoll(v, &end, 10);
    if (*end || secs > 100LL * 365 * 86400 || secs < -100LL * 365 * 86400) {
        return 0;
    }
    return (int64_t)secs * 1000;
}

uint64_t ccm_clock_now_ms(void)
{
    struct timespec ts;
    int64_t ms;

    if (clock_gettime(CLOCK_REALTIME, &ts) != 0 || ts.tv_sec < 0) {
        return 0;
    }
    ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + clock_offset_ms();
    return ms > 0 ? (uint64_t)ms : 0;
}
