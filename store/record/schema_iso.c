/*
 * schema_iso.c - ISO 3166-1 alpha-3 lookups for the schema: a binary search
 * of the table the build generates from the iso-codes data (iso3166.h,
 * cmake/gen_iso3166.cmake). State ids and the elements of an activity's
 * "states" are checked here (through ccm_schema_check_state_id in
 * schema.c), and a state's name defaults to its ISO name.
 */
#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "iso3166.h"

static int iso_cmp(const void *key, const void *entry)
{
    return strcmp(key, ((const struct ccm_iso3166 *)entry)->alpha3);
}

const char *ccm_schema_iso_name(const char *alpha3)
{
    const struct ccm_iso3166 *e;

    if (alpha3 == NULL || strlen(alpha3) != 3) {
        return NULL;
    }
    for (size_t i = 0; i < 3; i++) {
        if (alpha3[i] < 'A' || alpha3[i] > 'Z') {
            return NULL;
        }
    }
    e = bsearch(alpha3, ccm_iso3166_table, ccm_iso3166_count, sizeof ccm_iso3166_table[0], iso_cmp);
    return e != NULL ? e->name : NULL;
}
