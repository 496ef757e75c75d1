/*
 * trace.c - CCMSYNC_TRACE=1: the wall time of each phase of a sync or a
 * merge on stderr, for developers measuring where the time goes. The one
 * place a library module writes to stderr.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store_private.h"

void ccm_store_trace(const char *phase, struct timespec *t0)
{
    static int on = -1;
    struct timespec t1;

    if (on < 0) {
        const char *e = getenv("CCMSYNC_TRACE");
        on = e && *e && strcmp(e, "0") != 0;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (on) {
        fprintf(stderr, "ccmsync: trace: %-11s %8.1f ms\n", phase,
                (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6);
    }
    *t0 = t1;
}
