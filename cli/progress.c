/*
 * progress.c - progress of a transfer on a terminal (objects and bytes), at
 * most ten updates a second; nothing on pipes. Used by sync and join.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"

void ccm_progress(const char *what, size_t done, size_t total, size_t bytes, void *payload)
{
    ccm_progress_line *p = payload;
    struct timespec now;
    int finished = total > 0 && done == total;

    clock_gettime(CLOCK_MONOTONIC, &now);
    if (total == 0 || (finished && !p->open && strcmp(p->what, what) == 0)) {
        return; /* nothing to count yet, or this phase's last line is out */
    }
    if (!finished &&
        (now.tv_sec - p->last.tv_sec) * 1000 + (now.tv_nsec - p->last.tv_nsec) / 1000000 < 100) {
        return;
    }
    p->last = now;
    snprintf(p->what, sizeof(p->what), "%s", what);
    fprintf(stderr, "\r%s: %zu/%zu objects, %.1f KiB%s", what, done, total, bytes / 1024.0,
            finished ? "\n" : "");
    p->open = !finished;
}

/* Ends a progress line cut short (so that an error starts a line). */
void ccm_progress_end(ccm_progress_line *p)
{
    if (p->open) {
        fputc('\n', stderr);
        p->open = 0;
    }
}
