/*
 * array.c - growing a heap array by doubling, the one loop every list of
 * the modules above needs.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base.h"

int ccm_grow(void *items, size_t *cap, size_t n, size_t size, size_t first)
{
    void *old, *p;
    size_t c;

    if (n < *cap) {
        return CCM_OK;
    }
    c = *cap ? *cap * 2 : first;
    if (c <= *cap || c > SIZE_MAX / size) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    /* `items` is the address of a pointer of any object type: read and
     * written through memcpy, not through a (void **). */
    memcpy(&old, items, sizeof(old));
    if (!(p = realloc(old, c * size))) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    memcpy(items, &p, sizeof(p));
    *cap = c;
    return CCM_OK;
}
