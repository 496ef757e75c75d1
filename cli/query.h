/*
 * query.h - questions asked of the records in one command: --where
 * conditions, --sort keys and --columns (cli/query.c) and the computed field
 * last_activity (cli/records.c), on the store's date forms and typo checks
 * (store.h). The parsing and matching parts are pure and unit-tested
 * (tests/cli/test_query.c).
 */
#ifndef CCM_CLI_QUERY_H
#define CCM_CLI_QUERY_H

#include <jansson.h>

#include "cli.h"

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
    size_t cap_conds, cap_keys, cap_columns; /* allocated (ccm_grow) */
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

/* An option of a list command: `opt VALUE` filters `field` with `op`
 * (state_code: VALUE is a state code, checked and upper-cased first). */
typedef struct {
    const char *opt, *field;
    ccm_qop op;
    int state_code;
} ccm_list_opt;

/* A list command: parses `--OPT VALUE` pairs (the kind's `opts`, then
 * --where, --sort and --columns, which every list takes; `accepted` names
 * them all for the usage error) into a query on `kind`, then lists it
 * (ccm_cli_list). */
int ccm_cli_list_command(ccm_cli *cli, const char *kind, const ccm_list_opt *opts,
                         const char *accepted, int argc, char **argv);

/* Removes record kind/id in one commit (a tombstone: the log keeps it);
 * under --json prints {"id","removed":true}, else nothing: the caller says
 * it for people. CCM_ENOTFOUND if it was already removed. */
int ccm_cli_remove_record(ccm_cli *cli, const char *kind, const char *id);

/* Lists the records of q->kind that meet the query, in its order: a JSON
 * array of views with --json, else a table (with a line naming the viewed
 * commit under --at). Field names are checked for typos first. */
int ccm_cli_list(ccm_cli *cli, ccm_query *q);

/* Under --at, prints "as of commit C (date)" for people (nothing with
 * --json or without a view). */
void ccm_cli_print_at(ccm_cli *cli);

#endif
