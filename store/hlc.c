/*
 * hlc.c - the hybrid logical clock of store.h: stamps are unix milliseconds
 * shifted left by 16 bits plus a logical counter, so they order like wall
 * time when clocks behave and stay strictly increasing per member when they
 * do not. The only files here that read the clock or format time.
 */
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* Milliseconds that still fit when shifted left by 16 bits. */
#define HLC_MS_MAX (UINT64_MAX >> 16)

uint64_t ccm_hlc_next(uint64_t last, uint64_t now_ms)
{
    uint64_t wall = now_ms > HLC_MS_MAX ? HLC_MS_MAX << 16 : now_ms << 16;
    uint64_t next = last == UINT64_MAX ? last : last + 1;

    return wall > next ? wall : next;
}

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

void ccm_stamp_format(char out[32], uint64_t stamp)
{
    uint64_t ms = CCM_STAMP_MS(stamp);
    time_t secs = (time_t)(ms / 1000u);
    struct tm tm;

    if ((uint64_t)secs != ms / 1000u || gmtime_r(&secs, &tm) == NULL || tm.tm_year + 1900 > 9999) {
        /* Past year 9999: not representable in RFC 3339; the largest time is. */
        snprintf(out, 32, "9999-12-31T23:59:59.999Z");
        return;
    }
    /* "YYYY-MM-DDTHH:MM:SS" is 19 bytes for years 0 to 9999. */
    if (strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm) != 19) {
        snprintf(out, 32, "9999-12-31T23:59:59.999Z");
        return;
    }
    snprintf(out + 19, 32 - 19, ".%03uZ", (unsigned)(ms % 1000u));
}
