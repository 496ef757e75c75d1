/*
 * cache_derived.c - what the cache derives from the records and keeps up to
 * date with them: for each state, the dates of the done activities with it
 * (a count per date), so that a state's last activity is known without
 * reading every activity. Each activity that enters, changes or leaves the
 * cache adds or takes away its contribution (cache.c), so keeping it costs
 * what the change costs.
 */
#include <string.h>

#include "cache.h"

/* The winning value of a register field of a validated record, or NULL. */
static const char *winner(const json_t *rec, const char *field)
{
    const json_t *r = json_object_get(json_object_get(json_object_get(rec, "fields"), field), "r");
    return json_string_value(json_object_get(json_array_get(r, 0), "v"));
}

/* 1 if some add tag of a set element was not removed. */
static int present(const json_t *tags)
{
    const json_t *a = json_object_get(tags, "a"), *r = json_object_get(tags, "r"), *t, *u;
    size_t i, j;

    json_array_foreach(a, i, t)
    {
        int removed = 0;
        json_array_foreach(r, j, u)
        {
            removed |= json_equal(t, u);
        }
        if (!removed) {
            return 1;
        }
    }
    return 0;
}

int ccm_cache_count_activity(json_t *done_dates, const char *doc, int sign)
{
    json_t *rec = ccm_json_load(doc, strlen(doc), NULL), *tags;
    const char *status, *date, *state;
    int rc = CCM_OK;

    if (!rec) {
        return ccm_error_set(CCM_ERROR, "damaged cache entry");
    }
    status = winner(rec, "status");
    date = winner(rec, "date");
    if (!status || strcmp(status, "done") != 0 || !date || ccm_record_is_deleted(rec)) {
        json_decref(rec);
        return CCM_OK;
    }
    json_object_foreach(
        json_object_get(json_object_get(json_object_get(rec, "fields"), "states"), "set"), state,
        tags)
    {
        json_t *dates, *n;
        json_int_t count;
        if (!present(tags)) {
            continue;
        }
        if (!(dates = json_object_get(done_dates, state))) {
            if (json_object_set_new(done_dates, state, json_object()) < 0) {
                rc = ccm_error_set(CCM_ERROR, "out of memory");
                break;
            }
            dates = json_object_get(done_dates, state);
        }
        n = json_object_get(dates, date);
        count = json_integer_value(n) + sign;
        if (count <= 0) {
            json_object_del(dates, date);
            if (json_object_size(dates) == 0) {
                json_object_del(done_dates, state);
            }
        } else if (json_object_set_new(dates, date, json_integer(count)) < 0) {
            rc = ccm_error_set(CCM_ERROR, "out of memory");
            break;
        }
    }
    json_decref(rec);
    return rc;
}
