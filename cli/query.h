/*
 * query.h - questions asked of the records in one command: date forms
 * (cli/dates.c), --where conditions, --sort keys and --columns
 * (cli/query.c), the computed field last_activity (cli/records.c), and the
 * typo checks of field and member names (cli/suggest.c). The parsing and
 * matching parts are pure and unit-tested (tests/cli/test_query.c).
 */
#ifndef CCM_CLI_QUERY_H
#define CCM_CLI_QUERY_H

#include <jansson.h>

#include "cli.h"

/* ---- dates (cli/dates.c) ------------------------------------------------ */

/* A day or a span of days, YYYY-MM-DD each (lo == hi for one day). */
typedef struct {
    char lo[11], hi[11];
} ccm_days;

/* Today (UTC) as YYYY-MM-DD, or $CCMSYNC_TODAY when set (CCM_EINVALID if
 * that is not a YYYY-MM-DD date). */
int ccm_date_today(char out[11]);

/* A date argument: YYYY-MM-DD; YYYY-MM (the month: lo its first day, hi its
 * last); "today"; -Nd or +Nd (N days before or after today). CCM_EINVALID
 * naming `what` and the accepted forms. */
int ccm_date_parse(ccm_days *out, const char *arg, const char *what);

/* One day: a form of ccm_date_parse that is not a month. */
int ccm_date_day(char out[11], const char *arg, const char *what);

/* N days after (negative: before) YYYY-MM-DD `day`, into out; CCM_EINVALID
 * when the result leaves the years 1900-2999. */
int ccm_date_add(char out[11], const char *day, long n);

/* ---- typos (cli/suggest.c) ------------------------------------------------ */

/* The optimal string alignment distance (Levenshtein with transpositions of
 * adjacent characters) between a and b. */
size_t ccm_edit_distance(const char *a, const char *b);

/* The entry of the NULL-terminated `known` closest to `word` if it is near
 * enough to be a typo of it (1 edit for names of up to 4 characters, 2 for
 * longer ones) and not `word` itself; else NULL. */
const char *ccm_suggest(const char *word, const char *const *known);

/* The fields the schema defines for a kind, computed ones included
 * (NULL-terminated, static). */
const char *const *ccm_known_fields(const char *kind);

/* 1 if `field` is computed from other records (last_activity of a state). */
int ccm_field_is_computed(const char *kind, const char *field);

/* Refuses (CCM_EINVALID, "did you mean ...?") a field name that is not one
 * of the kind's known fields (or "id" when `with_id`) but is a typo of one.
 * Names in `in_use` (an object whose keys are field names, or NULL) are
 * accepted as they are. */
int ccm_check_field_typo(const char *kind, const char *field, const json_t *in_use, int with_id);

/* Checks a member name against the roster: CCM_OK for an active member;
 * for a removed one CCM_OK with *past set (when past is non-NULL);
 * CCM_EINVALID naming the members (and the closest one) otherwise. */
int ccm_check_member(const json_t *roster, const char *name, int *past);

/* ---- conditions, sort keys, columns (cli/query.c) ------------------------ */

typedef enum { Q_EQ, Q_NE, Q_LT, Q_LE, Q_GT, Q_GE, Q_HAS } ccm_qop;

typedef struct {
    char *field;
    ccm_qop op;
    char *value;   /* as typed (state codes upper-cased), "" for F= and F!= */
    ccm_days days; /* for a date field and an ordering or equality operator */
    int is_date;
} ccm_cond;

typedef struct {
    char *field;
    int desc;
} ccm_sortkey;

typedef struct {
    const char *kind;
    ccm_cond *conds;
    size_t nconds;
    ccm_sortkey *keys;
    size_t nkeys;
    char **columns; /* NULL: the default columns */
    size_t ncolumns;
} ccm_query;

/* Parses "FIELD<op>VALUE" (op: = != < <= > >= ~) and checks VALUE against
 * the field: a date form for date fields, an accepted value for enums, a
 * state code for an activity's states; ordering operators are refused on
 * set fields. `roster` (or NULL) checks lead/by names. */
int ccm_query_where(ccm_query *q, const char *arg, const json_t *roster);

/* Adds the condition FIELD<op>VALUE built from an option such as
 * --status S (op Q_EQ) or --since D (op Q_GE). */
int ccm_query_option(ccm_query *q, const char *field, ccm_qop op, const char *value,
                     const json_t *roster);

/* Parses "FIELD[:asc|:desc]" and appends it as a sort key. */
int ccm_query_sort(ccm_query *q, const char *arg);

/* Parses "F,F,..." as the columns to show. */
int ccm_query_columns(ccm_query *q, const char *arg);

/* Checks every field name of the query for typos (see
 * ccm_check_field_typo), fields in use in the records accepted. */
int ccm_query_check_fields(const ccm_query *q, const json_t *in_use);

/* 1 if the record view (its "id" and "fields") meets every condition. */
int ccm_query_match(const ccm_query *q, const json_t *view);

/* Sorts views by the query's keys, then by the default order of the kind
 * (states: id; activities: date, then id), then by id: stable and
 * deterministic. */
void ccm_query_sort_views(const ccm_query *q, json_t **views, size_t n);

/* Orders two values of a field of `kind` (a string, a sorted array of
 * strings, or NULL/empty when absent): an absent date first ("never"), any
 * other absent value last; enums in the order of their accepted values,
 * anything else by bytes. */
int ccm_query_value_cmp(const char *kind, const char *field, const json_t *a, const json_t *b);

void ccm_query_free(ccm_query *q);

/* ---- records with computed fields (cli/records.c) ----------------------- */

/* {STATE: YYYY-MM-DD}: the date of the latest done activity (not removed)
 * whose states hold that state; `only` (or NULL) restricts it to one state.
 * Reads at the store's view. New reference in *out. */
int ccm_last_activity_map(json_t **out, ccm_cli *cli, const char *only);

/* The record view of ccm_cli_view plus computed fields (a state's
 * last_activity from `map`, when it has one). New reference. */
json_t *ccm_cli_view_computed(const json_t *rec, const json_t *map);

/* Prints the records of `views` as a table for people: the query's columns,
 * else the kind's default ones. */
int ccm_print_table(const json_t *views, const char *kind, const ccm_query *q);

/* Lists the records of q->kind that meet the query, in its order: a JSON
 * array of views with --json, else a table (with a line naming the viewed
 * commit under --at). Field names are checked for typos first. */
int ccm_cli_list(ccm_cli *cli, ccm_query *q);

/* Under --at, prints "as of commit C (date)" for people (nothing with
 * --json or without a view). */
void ccm_cli_print_at(ccm_cli *cli);

#endif
