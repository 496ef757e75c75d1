/*
 * records.c - listing records with their computed fields: a state's
 * last_activity (the date of the latest done activity with that state,
 * derived from the activities by the store's cache, never stored in the
 * records), the filters,
 * order and columns of a query, and the tables people read.
 *
 * last_contact stays a stored field that members set by hand (a call that
 * was never logged as an activity); last_activity is derived from the log.
 * Lists show last_activity by default; state show shows both.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "query.h"
#include "text.h"

int ccm_last_activity_map(json_t **out, ccm_cli *cli, const char *only)
{
    json_t *all = NULL, *one;
    int rc;

    *out = NULL;
    /* Kept up to date by the store's cache (store/cache_derived.c): no
     * activity is read here. */
    if ((rc = ccm_store_last_activity(&all, cli->store)) < 0) {
        return rc;
    }
    if (!only) {
        *out = all;
        return CCM_OK;
    }
    one = json_object();
    if (!one || (json_object_get(all, only) &&
                 json_object_set(one, only, json_object_get(all, only)) < 0)) {
        json_decref(one);
        json_decref(all);
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    json_decref(all);
    *out = one;
    return CCM_OK;
}

json_t *ccm_cli_view_computed(const json_t *rec, const json_t *map)
{
    json_t *view = ccm_cli_view(rec);
    const char *kind = json_string_value(json_object_get(rec, "kind"));
    json_t *last = json_object_get(map, json_string_value(json_object_get(rec, "id")));

    if (view && kind && strcmp(kind, "state") == 0 && last) {
        json_object_set(json_object_get(view, "fields"), "last_activity", last);
    }
    return view;
}

/* A field's value as one cell: a string, a set joined by ", ", or NULL. */
static char *cell_text(const json_t *view, const char *field)
{
    const json_t *v = strcmp(field, "id") == 0
                          ? json_object_get(view, "id")
                          : json_object_get(json_object_get(view, "fields"), field);
    size_t i, len = 0;
    json_t *e;
    char *s;

    if (json_is_string(v)) {
        return strdup(json_string_value(v));
    }
    if (!json_is_array(v) || json_array_size(v) == 0) {
        return NULL;
    }
    json_array_foreach(v, i, e)
    {
        len += strlen(json_string_value(e)) + 2;
    }
    if (!(s = malloc(len + 1))) {
        return NULL;
    }
    len = 0;
    json_array_foreach(v, i, e)
    {
        len += (size_t)sprintf(s + len, "%s%s", i ? ", " : "", json_string_value(e));
    }
    return s;
}

static const char *const state_columns[] = {
    "id", "name", "status", "priority", "targets", "lead", "last_activity", NULL,
};
static const char *const activity_columns[] = {
    "id", "date", "type", "status", "states", "by", "summary", NULL,
};

int ccm_print_table(const json_t *views, const char *kind, const ccm_query *q)
{
    const char *const *defaults = strcmp(kind, "state") == 0 ? state_columns : activity_columns;
    const char **cols = NULL;
    int *flags = NULL, rc;
    size_t n = 0, i;
    ccm_table t = {0};
    json_t *view;
    char **cells = NULL;

    if (q && q->ncolumns) {
        n = q->ncolumns;
    } else {
        while (defaults[n]) {
            n++;
        }
    }
    if (!(cols = calloc(n + 1, sizeof(*cols))) || !(flags = calloc(n + 1, sizeof(*flags))) ||
        !(cells = calloc(n + 1, sizeof(*cells)))) {
        rc = ccm_error_set(CCM_ERROR, "out of memory");
        goto done;
    }
    for (i = 0; i < n; i++) {
        cols[i] = q && q->ncolumns ? q->columns[i] : defaults[i];
        flags[i] = strcmp(cols[i], "id") == 0 ||
                           ccm_schema_field_type(kind, cols[i]) == CCM_FT_DATE ||
                           ccm_field_is_computed(kind, cols[i])
                       ? CCM_COL_KEEP
                       : 0;
    }
    if ((rc = ccm_table_init(&t, n, cols, flags)) < 0) {
        goto done;
    }
    json_array_foreach(views, i, view)
    {
        for (size_t k = 0; k < n; k++) {
            cells[k] = cell_text(view, cols[k]);
        }
        rc = ccm_table_add(&t, (const char *const *)cells);
        for (size_t k = 0; k < n; k++) {
            free(cells[k]);
            cells[k] = NULL;
        }
        if (rc < 0) {
            goto done;
        }
    }
    ccm_table_print(stdout, &t, ccm_term_width(), ccm_term_colour());
done:
    ccm_table_free(&t);
    free(cols);
    free(flags);
    free(cells);
    return rc;
}

void ccm_cli_print_at(ccm_cli *cli)
{
    char commit[41], when[32] = "";
    int64_t t = 0;
    time_t secs;
    struct tm tm;

    if (cli->json || ccm_store_view(commit, &t, cli->store) < 0 || !*commit) {
        ccm_error_clear();
        return;
    }
    secs = (time_t)t;
    strftime(when, sizeof(when), "%Y-%m-%d %H:%M UTC", gmtime_r(&secs, &tm));
    printf("as of commit %.10s (%s)\n", commit, when);
}

/* last_activity reads every done activity: computed only when the output
 * shows it (JSON, the default columns, or --columns naming it) or the query
 * filters or sorts on it. */
static int needs_last_activity(const ccm_cli *cli, const ccm_query *q)
{
    size_t i;
    int named = 0;

    if (strcmp(q->kind, "state") != 0) {
        return 0;
    }
    if (cli->json || q->ncolumns == 0) {
        return 1;
    }
    for (i = 0; i < q->ncolumns; i++) {
        named |= ccm_field_is_computed(q->kind, q->columns[i]);
    }
    for (i = 0; i < q->nconds; i++) {
        named |= ccm_field_is_computed(q->kind, q->conds[i].field);
    }
    for (i = 0; i < q->nkeys; i++) {
        named |= ccm_field_is_computed(q->kind, q->keys[i].field);
    }
    return named;
}

int ccm_cli_list(ccm_cli *cli, ccm_query *q)
{
    json_t *recs = NULL, *map = NULL, *in_use = json_object(), *out = json_array(), *rec;
    json_t **views = NULL;
    const char *needle_state = NULL, *name;
    char needle[16];
    size_t i, n = 0;
    int rc;

    if (!in_use || !out) {
        rc = ccm_error_set(CCM_ERROR, "out of memory");
        goto done;
    }
    /* An activity list restricted to one state reads only the activities
     * whose text holds its code. */
    for (i = 0; i < q->nconds; i++) {
        if (strcmp(q->kind, "activity") == 0 && strcmp(q->conds[i].field, "states") == 0 &&
            q->conds[i].op == Q_EQ && *q->conds[i].value) {
            needle_state = q->conds[i].value;
        }
    }
    snprintf(needle, sizeof(needle), "\"%.3s\"", needle_state ? needle_state : "");
    if ((rc = ccm_store_list_matching(&recs, cli->store, q->kind, needle_state ? needle : NULL)) <
            0 ||
        (needs_last_activity(cli, q) && (rc = ccm_last_activity_map(&map, cli, NULL)) < 0)) {
        goto done;
    }
    if (!(views = calloc(json_array_size(recs) + 1, sizeof(*views)))) {
        rc = ccm_error_set(CCM_ERROR, "out of memory");
        goto done;
    }
    json_array_foreach(recs, i, rec)
    {
        json_t *view, *v;
        if (ccm_record_is_deleted(rec)) {
            continue;
        }
        if (!(view = ccm_cli_view_computed(rec, map))) {
            rc = ccm_error_set(CCM_ERROR, "out of memory");
            goto done;
        }
        json_object_foreach(json_object_get(view, "fields"), name, v)
        {
            json_object_set_new(in_use, name, json_true());
        }
        views[n++] = view;
    }
    if ((rc = ccm_query_check_fields(q, in_use)) < 0) {
        goto done;
    }
    ccm_query_sort_views(q, views, n);
    for (i = 0; i < n; i++) {
        if (ccm_query_match(q, views[i]) && json_array_append(out, views[i]) < 0) {
            rc = ccm_error_set(CCM_ERROR, "out of memory");
            goto done;
        }
    }
    if (cli->json) {
        rc = ccm_print_json(out);
    } else {
        ccm_cli_print_at(cli);
        if (json_array_size(out) == 0) {
            printf("no %s%s\n", strcmp(q->kind, "state") == 0 ? "states" : "activities",
                   q->nconds ? " match" : " yet");
        } else {
            rc = ccm_print_table(out, q->kind, q);
        }
    }
done:
    for (i = 0; i < n; i++) {
        json_decref(views[i]);
    }
    free(views);
    json_decref(out);
    json_decref(in_use);
    json_decref(map);
    json_decref(recs);
    return rc;
}

int ccm_cli_list_command(ccm_cli *cli, const char *kind, const ccm_list_opt *opts,
                         const char *accepted, int argc, char **argv)
{
    ccm_query q = {.kind = kind};
    json_t *roster = NULL;
    int rc;

    if ((rc = ccm_store_roster(&roster, cli->store)) < 0) {
        return rc;
    }
    for (int a = 0; a < argc && rc == CCM_OK; a++) {
        const char *opt = argv[a], *v = a + 1 < argc ? argv[a + 1] : NULL;
        const ccm_list_opt *o = opts;
        char up[4];
        if (!v || opt[0] != '-') {
            rc = ccm_usage(cli, "unexpected argument '%s'", opt);
            break;
        }
        a++;
        while (o->opt && strcmp(opt, o->opt) != 0) {
            o++;
        }
        if (o->opt && o->state_code) {
            if ((rc = ccm_cli_state_id(up, v)) == CCM_OK) {
                rc = ccm_query_option(&q, o->field, o->op, up, roster);
            }
        } else if (o->opt) {
            rc = ccm_query_option(&q, o->field, o->op, v, roster);
        } else if (strcmp(opt, "--where") == 0) {
            rc = ccm_query_where(&q, v, roster);
        } else if (strcmp(opt, "--sort") == 0) {
            rc = ccm_query_sort(&q, v);
        } else if (strcmp(opt, "--columns") == 0) {
            rc = ccm_query_columns(&q, v);
        } else {
            rc = ccm_usage(cli, "unknown option '%s' (%s)", opt, accepted);
        }
    }
    if (rc == CCM_OK) {
        rc = ccm_cli_list(cli, &q);
    }
    ccm_query_free(&q);
    json_decref(roster);
    return rc;
}

int ccm_cli_remove_record(ccm_cli *cli, const char *kind, const char *id)
{
    ccm_txn *txn = NULL;
    json_t *rec = NULL;
    int rc;

    if ((rc = ccm_txn_begin(&txn, cli->store)) < 0 || (rc = ccm_txn_get(&rec, txn, kind, id)) < 0) {
        goto done;
    }
    if (ccm_record_is_deleted(rec)) {
        rc = ccm_error_set(CCM_ENOTFOUND, "%s '%s' was already removed", kind, id);
        goto done;
    }
    if ((rc = ccm_record_delete(rec, ccm_txn_stamp(txn), ccm_store_member(cli->store))) < 0 ||
        (rc = ccm_txn_put(txn, rec)) < 0 || (rc = ccm_txn_commit(txn)) < 0) {
        goto done;
    }
    if (cli->json) {
        json_t *doc = json_pack("{s:s, s:b}", "id", id, "removed", 1);
        rc = ccm_print_json(doc);
        json_decref(doc);
    }
done:
    json_decref(rec);
    ccm_txn_free(txn);
    return rc;
}
