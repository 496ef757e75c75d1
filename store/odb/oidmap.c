/*
 * oidmap.c - a hash map from object id to pointer (open addressing, linear
 * probing). Object ids are SHA-1 output, so their first bytes are already a
 * good hash. libgit2 has one, but not in its public API.
 */
#include <stdlib.h>
#include <string.h>

#include "odb.h"
#include "../../crypto/base/base.h"

static size_t slot_of(const ccm_oidmap *m, const git_oid *id)
{
    size_t h;
    memcpy(&h, id->id, sizeof(h));
    return h & (m->cap - 1);
}

static int grow(ccm_oidmap *m)
{
    size_t cap = m->cap ? m->cap * 2 : 256;
    ccm_oidmap_entry *old = m->slots, *slots = calloc(cap, sizeof(*slots));
    size_t oldcap = m->cap;

    if (!slots) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    m->slots = slots;
    m->cap = cap;
    for (size_t i = 0; i < oldcap; i++) {
        if (old[i].used) {
            size_t j = slot_of(m, &old[i].id);
            while (slots[j].used) {
                j = (j + 1) & (cap - 1);
            }
            slots[j] = old[i];
        }
    }
    free(old);
    return CCM_OK;
}

void *ccm_oidmap_get(const ccm_oidmap *m, const git_oid *id)
{
    if (!m->cap) {
        return NULL;
    }
    for (size_t j = slot_of(m, id);; j = (j + 1) & (m->cap - 1)) {
        if (!m->slots[j].used) {
            return NULL;
        }
        if (git_oid_equal(&m->slots[j].id, id)) {
            return m->slots[j].value;
        }
    }
}

int ccm_oidmap_put(ccm_oidmap *m, const git_oid *id, void *value)
{
    size_t j;
    int rc;

    if ((m->n + 1) * 2 > m->cap && (rc = grow(m)) < 0) {
        return rc;
    }
    for (j = slot_of(m, id); m->slots[j].used; j = (j + 1) & (m->cap - 1)) {
        if (git_oid_equal(&m->slots[j].id, id)) {
            m->slots[j].value = value;
            return CCM_OK;
        }
    }
    m->slots[j].used = 1;
    m->slots[j].id = *id;
    m->slots[j].value = value;
    m->n++;
    return CCM_OK;
}

void ccm_oidmap_free(ccm_oidmap *m)
{
    free(m->slots);
    memset(m, 0, sizeof(*m));
}
