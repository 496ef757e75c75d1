/*
 * hlc.c - the stamps of the hybrid logical clock (record.h): unix
 * milliseconds shifted left by 16 bits plus a logical counter, so they order
 * like wall time when clocks behave and stay strictly increasing per member
 * when they do not. Arithmetic and formatting only: the wall clock itself is
 * read by the store (store/clock.c) and handed in.
 */
#include "record.h"

#include <stdio.h>
#include <time.h>

/* Milliseconds that still fit when shifted left by 16 bits. */
#define HLC_MS_MAX (UINT64_MAX >> 16)

uint64_t ccm_hlc_next(uint64_t last, uint64_t now_ms)
{
    uint64_t wall = now_ms > HLC_MS_MAX ? HLC_MS_MAX << 16 : now_ms << 16;
    uint64_t next = last == UINT64_MAX ? last : last + 1;

    return wall > next ? wall : next;
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
