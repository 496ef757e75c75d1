/*
 * iso3166.h - the ISO 3166-1 table that the build generates from the
 * iso-codes data (cmake/gen_iso3166.cmake writes iso3166.c in the build
 * directory). Private to the record module; schema_iso.c looks codes up in
 * it, everyone else goes through ccm_schema_check_state_id and
 * ccm_schema_iso_name (record.h).
 */
#ifndef CCM_ISO3166_H
#define CCM_ISO3166_H

#include <stddef.h>

struct ccm_iso3166 {
    const char *alpha3; /* three upper-case ASCII letters */
    const char *name;   /* the ISO name, UTF-8 */
};

/* Sorted by alpha3 (strcmp order), no duplicates. */
extern const struct ccm_iso3166 ccm_iso3166_table[];
extern const size_t ccm_iso3166_count;

#endif
