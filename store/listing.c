/*
 * listing.c - what the cache answers: records of a kind one at a time, in id
 * order (optionally pre-filtered on their text), an id prefix resolved, and
 * each state's last activity (cache_derived.c keeps the dates).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"

static int cmp_entry_id(const void *a, const void *b)
{
    return strcmp((*(ccm_cache_entry *const *)a)->id, (*(ccm_cache_entry *const *)b)->id);
}

int ccm_store_foreach(ccm_store *s, const char *kind, const char *needle, ccm_record_fn fn,
                      void *payload)
{
    ccm_cache c;
    ccm_cache_entry **order = NULL;
    size_t n = 0;
    int k = ccm_cache_kind(kind), rc;

    if (k < 0) {
        return ccm_error_set(CCM_EINVALID, "unknown record kind '%s'", kind);
    }
    if ((rc = ccm_cache_load(&c, s, 1 << k)) < 0) {
        return rc;
    }
    if (!(order = calloc(c.n + 1, sizeof(*order)))) {
        ccm_cache_clear(&c);
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    for (size_t i = 0; i < c.n; i++) {
        if (c.e[i].kind == k && (!needle || strstr(c.e[i].doc, needle))) {
            order[n++] = &c.e[i];
        }
    }
    qsort(order, n, sizeof(*order), cmp_entry_id);
    for (size_t i = 0; i < n && rc == CCM_OK; i++) {
        /* The canonical reader (store/record/json_load.c): about three
         * times faster than jansson's parser on a large listing. */
        json_t *rec = ccm_json_load(order[i]->doc, strlen(order[i]->doc), NULL);
        rc = rec ? fn(rec, payload)
                 : ccm_error_set(CCM_ERROR, "damaged cache entry %.12s", order[i]->name);
        json_decref(rec);
    }
    free(order);
    ccm_cache_clear(&c);
    return rc;
}

static int append(const json_t *rec, void *payload)
{
    return json_array_append((json_t *)payload, (json_t *)rec) < 0
               ? ccm_error_set(CCM_ERROR, "out of memory")
               : CCM_OK;
}

int ccm_store_list_matching(json_t **out, ccm_store *s, const char *kind, const char *needle)
{
    json_t *arr = json_array();
    int rc;

    *out = NULL;
    if (!arr) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    if ((rc = ccm_store_foreach(s, kind, needle, append, arr)) < 0) {
        json_decref(arr);
        return rc;
    }
    *out = arr;
    return CCM_OK;
}

int ccm_store_list(json_t **out, ccm_store *s, const char *kind)
{
    return ccm_store_list_matching(out, s, kind, NULL);
}

int ccm_store_resolve(char **full, ccm_store *s, const char *kind, const char *prefix)
{
    ccm_cache c;
    const char *found = NULL;
    size_t plen = strlen(prefix), matches = 0;
    int k = ccm_cache_kind(kind), rc;

    *full = NULL;
    if ((rc = ccm_cache_load(&c, s, 0)) < 0) { /* the index alone */
        return rc;
    }
    for (size_t i = 0; i < c.n; i++) {
        if (c.e[i].kind == k && strncmp(c.e[i].id, prefix, plen) == 0) {
            found = c.e[i].id;
            if (strcmp(c.e[i].id, prefix) == 0) { /* an exact id wins */
                matches = 1;
                break;
            }
            matches++;
        }
    }
    if (matches == 0) {
        rc = ccm_error_set(CCM_ENOTFOUND, "no %s '%s'", kind, prefix);
    } else if (matches > 1) {
        rc = ccm_error_set(CCM_EINVALID, "%s id '%s' is ambiguous (%zu matches; give more digits)",
                           kind, prefix, matches);
    } else if (!(*full = strdup(found))) {
        rc = ccm_error_set(CCM_ERROR, "out of memory");
    }
    ccm_cache_clear(&c);
    return rc;
}

int ccm_store_last_activity(json_t **out, ccm_store *s)
{
    ccm_cache c;
    const char *state, *date;
    json_t *dates, *n, *map = json_object();
    int rc;

    *out = NULL;
    if (!map) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    if ((rc = ccm_cache_load(&c, s, 0)) < 0) {
        json_decref(map);
        return rc;
    }
    json_object_foreach(c.done_dates, state, dates)
    {
        const char *last = NULL;
        json_object_foreach(dates, date, n)
        {
            if (!last || strcmp(date, last) > 0) {
                last = date;
            }
        }
        if (last && json_object_set_new(map, state, json_string(last)) < 0) {
            rc = ccm_error_set(CCM_ERROR, "out of memory");
            break;
        }
    }
    ccm_cache_clear(&c);
    if (rc < 0) {
        json_decref(map);
        return rc;
    }
    *out = map;
    return CCM_OK;
}
