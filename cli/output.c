/*
 * output.c - records for people and for tools: the documented JSON view (with a
 * state's ISO name as the default `name`), and compact text renderings.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "query.h"
#include "text.h"

int ccm_print_json(const json_t *doc)
{
    if (json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_SORT_KEYS) < 0) {
        return ccm_error_set(CCM_ERROR, "cannot write output");
    }
    fputc('\n', stdout);
    return CCM_OK;
}

json_t *ccm_cli_view(const json_t *rec)
{
    json_t *view = ccm_record_view(rec);
    const char *kind = json_string_value(json_object_get(rec, "kind"));
    json_t *fields = json_object_get(view, "fields");

    if (view && kind && strcmp(kind, "state") == 0 && !json_object_get(fields, "name")) {
        const char *iso = ccm_schema_iso_name(json_string_value(json_object_get(rec, "id")));
        if (iso) {
            json_object_set_new(fields, "name", json_string(iso));
        }
    }
    return view;
}

/* A field's value as one line of escaped text (sets joined by ", "). */
static void print_value(const json_t *v)
{
    size_t i;
    json_t *e;

    if (json_is_string(v)) {
        ccm_text_put(stdout, json_string_value(v));
        return;
    }
    if (!v) {
        fputs("-", stdout);
        return;
    }
    if (json_is_null(v)) {
        fputs("(cleared)", stdout);
        return;
    }
    json_array_foreach(v, i, e)
    {
        fputs(i ? ", " : "", stdout);
        ccm_text_put(stdout, json_string_value(e));
    }
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void ccm_print_record(const json_t *view)
{
    json_t *fields = json_object_get(view, "fields"), *meta = json_object_get(view, "meta");
    json_t *conflicts = json_object_get(view, "conflicts"), *v;
    const char *name, *kind = json_string_value(json_object_get(view, "kind"));

    size_t n = json_object_size(fields), k = 0;
    const char **names = calloc(n + 1, sizeof(*names));

    ccm_text_put(stdout, kind);
    fputc(' ', stdout);
    ccm_text_put(stdout, json_string_value(json_object_get(view, "id")));
    fputc('\n', stdout);
    if (!names) {
        return;
    }
    json_object_foreach(fields, name, v)
    {
        names[k++] = name;
    }
    qsort(names, n, sizeof(*names), cmp_str);
    for (k = 0; k < n; k++) {
        name = names[k];
        v = json_object_get(fields, name);
        json_t *m = json_object_get(meta, name), *c = json_object_get(conflicts, name), *x;
        size_t i;
        fputs("  ", stdout);
        ccm_text_put(stdout, name);
        for (size_t w = strlen(name); w < 16; w++) {
            fputc(' ', stdout);
        }
        print_value(v);
        if (m) {
            fputs("    [", stdout);
            ccm_text_put(stdout, json_string_value(json_object_get(m, "by")));
            fputs(", ", stdout);
            ccm_text_put(stdout, json_string_value(json_object_get(m, "at")));
            fputc(']', stdout);
        } else if (kind && ccm_field_is_computed(kind, name)) {
            fputs("    (computed: the latest done activity with this state)", stdout);
        }
        fputc('\n', stdout);
        json_array_foreach(c, i, x)
        {
            printf("  %-15s   concurrent value lost: ", "");
            print_value(json_object_get(x, "value"));
            fputs(" [", stdout);
            ccm_text_put(stdout, json_string_value(json_object_get(x, "by")));
            fputs(", ", stdout);
            ccm_text_put(stdout, json_string_value(json_object_get(x, "at")));
            fputs("]\n", stdout);
        }
    }
    free(names);
}

int ccm_parse_date_ms(uint64_t *out, const char *date, const char *what)
{
    struct tm tm = {0};
    ccm_days d;
    int rc;

    if ((rc = ccm_date_parse(&d, date, what)) < 0) {
        return rc;
    }
    sscanf(d.lo, "%4d-%2d-%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday);
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    *out = (uint64_t)timegm(&tm) * 1000;
    return CCM_OK;
}

int ccm_cli_view_at(ccm_cli *cli, const char *at)
{
    size_t n = strlen(at);
    ccm_days d;
    int rc;

    /* A commit id or prefix is hex; every date form has a '-', '+' or a
     * letter outside a-f ("today"). */
    if (n >= 4 && n <= 40 && strspn(at, "0123456789abcdefABCDEF") == n) {
        return ccm_store_view_at(cli->store, at);
    }
    if ((rc = ccm_date_parse(&d, at, "--at")) < 0) {
        return ccm_error_set(CCM_EINVALID,
                             "invalid --at '%.40s' (a date: YYYY-MM-DD, YYYY-MM, today, -Nd; or "
                             "a commit id of at least 4 hex digits)",
                             at);
    }
    return ccm_store_view_at(cli->store, d.hi);
}

void ccm_wipe_text(char *text)
{
    volatile char *p = text;
    while (p && *p) {
        *p++ = 0;
    }
    free(text);
}
