/*
 * suggest.c - catching typos before they are written (see store.h): a field
 * name one or two edits from a field the schema defines is refused with
 * "did you mean ...?", and member names (lead, by, log --member) must be
 * members of the group, past members being accepted with a warning by the
 * callers.
 *
 * Distance is the optimal string alignment distance: insertions, deletions,
 * substitutions and transpositions of two adjacent characters each count
 * one edit ("statuss", "stauts" and "satus" are one edit from "status").
 * Short names allow one edit only, so that a new two-letter field is not
 * taken for a typo of "by"; a known name extended by '_' or digits
 * ("region2", "status_2024") is taken as a new field.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"

#define NAME_MAX 64

size_t ccm_edit_distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    size_t d[NAME_MAX + 2][NAME_MAX + 2];

    if (n > NAME_MAX || m > NAME_MAX) {
        return n > m ? n : m; /* names are at most 64 characters: far apart */
    }
    for (size_t i = 0; i <= n; i++) {
        d[i][0] = i;
    }
    for (size_t j = 0; j <= m; j++) {
        d[0][j] = j;
    }
    for (size_t i = 1; i <= n; i++) {
        for (size_t j = 1; j <= m; j++) {
            size_t cost = a[i - 1] != b[j - 1];
            size_t best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best) {
                best = d[i][j - 1] + 1;
            }
            if (d[i - 1][j - 1] + cost < best) {
                best = d[i - 1][j - 1] + cost;
            }
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < best) {
                best = d[i - 2][j - 2] + 1;
            }
            d[i][j] = best;
        }
    }
    return d[n][m];
}

const char *ccm_suggest(const char *word, const char *const *known)
{
    const char *best = NULL;
    size_t best_d = (size_t)-1;

    for (size_t i = 0; known[i]; i++) {
        size_t d = ccm_edit_distance(word, known[i]);
        size_t limit = strlen(known[i]) <= 4 ? 1 : 2;
        if (d == 0) {
            return NULL;
        }
        if (d <= limit && d < best_d) {
            best = known[i];
            best_d = d;
        }
    }
    return best;
}

static const char *const state_fields[] = {
    "name",           "status",         "targets",      "region",    "priority",      "lead",
    "survey_reasons", "survey_comment", "last_contact", "next_step", "last_activity", NULL,
};
static const char *const activity_fields[] = {
    "type", "date", "status", "states", "by", "summary", "outcome", "follow_up", NULL,
};
static const char *const no_fields[] = {NULL};

const char *const *ccm_known_fields(const char *kind)
{
    return strcmp(kind, "state") == 0      ? state_fields
           : strcmp(kind, "activity") == 0 ? activity_fields
                                           : no_fields;
}

int ccm_field_is_computed(const char *kind, const char *field)
{
    return strcmp(kind, "state") == 0 && strcmp(field, "last_activity") == 0;
}

int ccm_check_field_typo(const char *kind, const char *field, const json_t *in_use, int with_id)
{
    const char *const *known = ccm_known_fields(kind);
    const char *near;

    if ((with_id && strcmp(field, "id") == 0) || json_object_get(in_use, field)) {
        return CCM_OK;
    }
    if (!(near = ccm_suggest(field, known))) {
        return CCM_OK;
    }
    /* A known name extended by '_' or digits is a new field of its own
     * ("region2", "status_2024"), not a typo. */
    if (strncmp(field, near, strlen(near)) == 0 && strchr("_0123456789", field[strlen(near)]) &&
        field[strlen(near)]) {
        return CCM_OK;
    }
    return ccm_error_set(CCM_EINVALID,
                         "unknown %s field '%s': did you mean '%s'? (a new field's name must "
                         "differ from it by more than a typo)",
                         kind, field, near);
}

int ccm_check_member(const json_t *roster, const char *name, int *past)
{
    const json_t *members = json_object_get(roster, "members"), *m;
    const char *names[256];
    char list[1024];
    size_t i, n = 0, len = 0;
    const char *near;

    if (past) {
        *past = 0;
    }
    json_array_foreach(members, i, m)
    {
        const char *mn = json_string_value(json_object_get(m, "name"));
        if (mn && strcmp(mn, name) == 0) {
            if (past) {
                *past = json_object_get(m, "removed") != NULL;
            }
            return CCM_OK;
        }
        if (mn && n < 255) {
            names[n++] = mn;
        }
    }
    names[n] = NULL;
    list[0] = 0;
    for (i = 0; i < n && len < sizeof(list); i++) {
        len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s", i ? ", " : "", names[i]);
    }
    near = ccm_suggest(name, names);
    if (near) {
        return ccm_error_set(CCM_EINVALID,
                             "'%s' is not a member of the group: did you mean '%s'? (members: "
                             "%s)",
                             name, near, list);
    }
    return ccm_error_set(CCM_EINVALID, "'%s' is not a member of the group (members: %s)", name,
                         list);
}
