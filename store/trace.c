/*
 * trace.c - the wall time of each phase of a sync or a merge, for
 * developers measuring where the time goes. The library only reports the
 * phases to the function the caller set (none by default); the command
 * line prints them when CCMSYNC_TRACE=1.
 */
#include <time.h>

#include "store_private.h"

static ccm_trace_fn trace_fn;
static void *trace_payload;

void ccm_trace_set(ccm_trace_fn fn, void *payload)
{
    trace_fn = fn;
    trace_payload = payload;
}

void ccm_trace(const char *phase, struct timespec *t0)
{
    struct timespec t1;

    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (trace_fn) {
        trace_fn(phase,
                 (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6,
                 trace_payload);
    }
    *t0 = t1;
}
