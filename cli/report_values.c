/*
 * report_values.c - the helpers the report's sections share (report.c,
 * report_acts.c, report_outputs.c): a view's field values and sets, dates
 * and periods, counts, sorted sets, a field's accepted values, the work
 * plan's activity numbers and titles, and the labels of months and
 * assessments.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "report_private.h"

const char *ccm_report_str(const json_t *view, const char *field)
{
    return json_string_value(json_object_get(json_object_get(view, "fields"), field));
}

const json_t *ccm_report_set(const json_t *view, const char *field)
{
    const json_t *v = json_object_get(json_object_get(view, "fields"), field);
    return json_is_array(v) ? v : NULL;
}

int ccm_report_has(const json_t *set, const char *s)
{
    size_t i;
    json_t *e;

    json_array_foreach(set, i, e)
    {
        if (json_is_string(e) && strcmp(json_string_value(e), s) == 0) {
            return 1;
        }
    }
    return 0;
}

int ccm_report_is_date(const char *s)
{
    int ok;

    if (!s || strlen(s) != 10) {
        return 0;
    }
    ok = ccm_schema_check_value("activity", "date", s) == CCM_OK;
    ccm_error_clear();
    return ok;
}

int ccm_report_in_period(const ccm_report_period *p, const char *date)
{
    return date && (!p->since || strcmp(date, p->since) >= 0) &&
           (!p->until || strcmp(date, p->until) <= 0);
}

json_t *ccm_report_counts(void)
{
    return json_pack("{s:i, s:i, s:i, s:i, s:i}", "total", 0, "done", 0, "planned", 0, "cancelled",
                     0, "unset", 0);
}

static void bump(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    json_integer_set(v, json_integer_value(v) + 1);
}

void ccm_report_count(json_t *counts, const char *status)
{
    bump(counts, "total");
    if (status && (strcmp(status, "done") == 0 || strcmp(status, "planned") == 0 ||
                   strcmp(status, "cancelled") == 0)) {
        bump(counts, status);
    } else {
        bump(counts, "unset");
    }
}

void ccm_report_union(json_t *acc, const json_t *set)
{
    size_t i;
    json_t *e;

    json_array_foreach(set, i, e)
    {
        if (json_is_string(e) && !ccm_report_has(acc, json_string_value(e))) {
            json_array_append(acc, e);
        }
    }
}

static int cmp_json_str(const void *a, const void *b)
{
    return strcmp(json_string_value(*(json_t *const *)a), json_string_value(*(json_t *const *)b));
}

void ccm_report_sort(json_t *arr)
{
    size_t n = json_array_size(arr), i;
    json_t **v = calloc(n + 1, sizeof(*v));

    if (!v) {
        return;
    }
    for (i = 0; i < n; i++) {
        v[i] = json_incref(json_array_get(arr, i));
    }
    qsort(v, n, sizeof(*v), cmp_json_str);
    for (i = 0; i < n; i++) {
        json_array_set_new(arr, i, v[i]);
    }
    free(v);
}

json_t *ccm_report_enum(const char *kind, const char *field)
{
    const char *acc = ccm_schema_accepted(kind, field), *p = acc;
    json_t *out = json_array();

    while (out && p && *p) {
        size_t n = strcspn(p, ",");
        json_array_append_new(out, json_stringn(p, n));
        p += n;
        p += strspn(p, ", ");
    }
    return out;
}

/* The work plan's activities 1-11 (the "Activities" of the plan), in the
 * order of the activity types of the schema. */
static const struct {
    const char *type;
    int number;
    const char *title;
} PLAN[] = {
    {"bilateral", 1,
     "Bilateral exchanges with the Permanent Missions in Geneva of signatory States, and at "
     "other disarmament meetings"},
    {"survey", 2, "Survey of States not party on the reasons why they have not ratified"},
    {"side-event", 3, "Side events or speaking slots on the CCM at disarmament meetings"},
    {"iwg-meeting", 4, "Informal Working Group on Universalization"},
    {"embassy", 5,
     "Bilateral embassies and multilateral delegations; ratification raised in political and "
     "high-level meetings"},
    {"regional-workshop", 6, "Regional workshops on ratification, with the Presidency and the ISU"},
    {"model-legislation", 7,
     "Model legislation, with the Thematic Coordinator on National Implementation Measures"},
    {"ipu", 8, "Legislators of States not party, through the Inter-Parliamentary Union"},
    {"cmc-icrc", 9, "With the CMC and the ICRC in their universalization efforts and toolkits"},
    {"treaty-event", 10, "The CCM at the treaty events of the UN Office of Legal Affairs"},
    {"regional-org", 11, "Regional organisations: awareness and joint outreach"},
    {"other", 0, "Other activities (not a numbered activity of the work plan)"},
};

int ccm_report_plan_number(const char *type)
{
    for (size_t i = 0; type && i < sizeof(PLAN) / sizeof(PLAN[0]); i++) {
        if (strcmp(PLAN[i].type, type) == 0) {
            return PLAN[i].number;
        }
    }
    return 0;
}

const char *ccm_report_plan_title(const char *type)
{
    for (size_t i = 0; type && i < sizeof(PLAN) / sizeof(PLAN[0]); i++) {
        if (strcmp(PLAN[i].type, type) == 0) {
            return PLAN[i].title;
        }
    }
    return PLAN[sizeof(PLAN) / sizeof(PLAN[0]) - 1].title;
}

void ccm_report_month_label(char out[24], const char *month, int abbrev)
{
    static const char *const names[] = {"January",   "February", "March",    "April",
                                        "May",       "June",     "July",     "August",
                                        "September", "October",  "November", "December"};
    unsigned y = 0, m = 0;

    if (sscanf(month, "%4u-%2u", &y, &m) != 2 || m < 1 || m > 12) {
        snprintf(out, 24, "%.23s", month);
    } else if (abbrev) {
        snprintf(out, 24, "%.3s %02u", names[m - 1], y % 100);
    } else {
        snprintf(out, 24, "%s %u", names[m - 1], y % 10000);
    }
}

const char *ccm_report_assessment_label(const char *assessment)
{
    if (assessment && strcmp(assessment, "evidence") == 0) {
        return "Evidence recorded";
    }
    if (assessment && strcmp(assessment, "contrary") == 0) {
        return "Not met";
    }
    return "No evidence yet";
}

long long ccm_report_int(const json_t *obj, const char *key)
{
    return (long long)json_integer_value(json_object_get(obj, key));
}
