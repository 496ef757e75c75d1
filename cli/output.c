/*
 * output.c - records for people and for tools: the spec's JSON view (with a
 * state's ISO name as the default `name`), and compact text renderings.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

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

/* A field's value as one line of text (sets joined by ", "). */
static void print_value(const json_t *v)
{
    size_t i;
    json_t *e;

    if (json_is_string(v)) {
        fputs(json_string_value(v), stdout);
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
        printf("%s%s", i ? ", " : "", json_string_value(e));
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
    const char *name;

    size_t n = json_object_size(fields), k = 0;
    const char **names = calloc(n + 1, sizeof(*names));

    printf("%s %s\n", json_string_value(json_object_get(view, "kind")),
           json_string_value(json_object_get(view, "id")));
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
        printf("  %-15s ", name);
        print_value(v);
        if (m) {
            printf("    [%s, %s]", json_string_value(json_object_get(m, "by")),
                   json_string_value(json_object_get(m, "at")));
        }
        fputc('\n', stdout);
        json_array_foreach(c, i, x)
        {
            printf("  %-15s   concurrent value lost: ", "");
            print_value(json_object_get(x, "value"));
            printf(" [%s, %s]\n", json_string_value(json_object_get(x, "by")),
                   json_string_value(json_object_get(x, "at")));
        }
    }
    free(names);
}

void ccm_print_record_list(const json_t *views, const char *kind)
{
    size_t i;
    json_t *view;

    json_array_foreach(views, i, view)
    {
        json_t *f = json_object_get(view, "fields");
        const char *id = json_string_value(json_object_get(view, "id"));
        if (strcmp(kind, "state") == 0) {
            printf("%-4s %-34.34s %-11s %-7s ", id, json_string_value(json_object_get(f, "name")),
                   json_string_value(json_object_get(f, "status"))
                       ? json_string_value(json_object_get(f, "status"))
                       : "-",
                   json_string_value(json_object_get(f, "priority"))
                       ? json_string_value(json_object_get(f, "priority"))
                       : "-");
            print_value(json_object_get(f, "targets"));
        } else {
            const char *summary = json_string_value(json_object_get(f, "summary"));
            printf("%s %s %-17s %-9s ", id, json_string_value(json_object_get(f, "date")),
                   json_string_value(json_object_get(f, "type")),
                   json_string_value(json_object_get(f, "status"))
                       ? json_string_value(json_object_get(f, "status"))
                       : "-");
            print_value(json_object_get(f, "states"));
            if (summary) {
                printf("  %.60s", summary);
            }
        }
        fputc('\n', stdout);
    }
}

int ccm_parse_date_ms(uint64_t *out, const char *date, const char *what)
{
    struct tm tm = {0};
    int rc = ccm_schema_check_value("activity", "date", date);

    if (rc < 0) {
        return ccm_error_set(CCM_EINVALID, "invalid date '%s' for '%s' (YYYY-MM-DD)", date, what);
    }
    sscanf(date, "%4d-%2d-%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday);
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    *out = (uint64_t)timegm(&tm) * 1000;
    return CCM_OK;
}

void ccm_wipe_text(char *text)
{
    volatile char *p = text;
    while (p && *p) {
        *p++ = 0;
    }
    free(text);
}
