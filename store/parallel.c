/*
 * parallel.c - a parallel for over independent items, on every core.
 *
 * Used where a sync spends its time on pure work per record (decrypting,
 * parsing, checking, joining, sealing) that touches neither git nor the
 * store: verify.c and merge_parallel.c. Callers keep everything else on their
 * own thread and in a fixed order, so results never depend on scheduling.
 *
 * CCMSYNC_THREADS=N sets the number of threads (default: the online CPUs,
 * at most CCM_MAX_THREADS); 1 runs everything on the calling thread.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "store_private.h"

#define CCM_MAX_THREADS 8

typedef struct {
    void (*fn)(void *ctx, size_t i);
    void *ctx;
    size_t n;
    atomic_size_t next;
} pfor;

unsigned ccm_parallel_threads(void)
{
    const char *e = getenv("CCMSYNC_THREADS");
    long n = e && *e ? strtol(e, NULL, 10) : sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > CCM_MAX_THREADS ? CCM_MAX_THREADS : (unsigned)n;
}

static void *worker(void *arg)
{
    pfor *p = arg;

    for (;;) {
        size_t i = atomic_fetch_add(&p->next, 1);
        if (i >= p->n) {
            return NULL;
        }
        p->fn(p->ctx, i);
    }
}

void ccm_parallel_for(size_t n, void (*fn)(void *ctx, size_t i), void *ctx)
{
    pthread_t tid[CCM_MAX_THREADS];
    unsigned threads = ccm_parallel_threads(), started = 0;
    pfor p = {fn, ctx, n, 0};

    if (threads > n) {
        threads = (unsigned)n;
    }
    /* A thread that cannot start leaves its share to the others. */
    while (started + 1 < threads && pthread_create(&tid[started], NULL, worker, &p) == 0) {
        started++;
    }
    worker(&p); /* the calling thread works too */
    for (unsigned i = 0; i < started; i++) {
        pthread_join(tid[i], NULL);
    }
}
