/*
 * report_acts.c - the activity sections of the report model: the counted
 * activities by work-plan activity (1-11), by month against the work plan's
 * timeline, and by implementer; and the survey of reasons (docs/report.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "report_private.h"

/* The work plan's "Timeline of Activities", month by month; the months of
 * its overarching activities are December 2024 to September 2025. */
static const struct {
    const char *month;
    const char *item;
} TIMELINE[] = {
    {"2024-12", "First meeting of the Informal Working Group on Universalization"},
    {"2024-12", "Outreach during the BWC Meeting of States Parties"},
    {"2025-01", "Meeting with the ISU and the 13MSP Presidency to plan the work ahead"},
    {"2025-02", "Second meeting of the Informal Working Group on Universalization"},
    {"2025-02", "Meeting with the Secretary of the IPU"},
    {"2025-03", "Meetings with target states"},
    {"2025-04", "Third meeting of the Informal Working Group on Universalization"},
    {"2025-04", "Meetings with target states"},
    {"2025-06", "Fourth meeting of the Informal Working Group on Universalization"},
    {"2025-06", "Preparation of the universalization segment of the 13MSP Progress Report"},
};
#define PLAN_FIRST_MONTH "2024-12"
#define PLAN_LAST_MONTH "2025-09"

/* Past this many months, only months with activities or plan items are
 * listed (a stray date in another century makes no thousand-row table). */
#define MAX_MONTHS 120

static json_t *with_counts(json_t *entry, json_t *counts)
{
    if (entry && counts) {
        json_object_update(entry, counts);
    }
    json_decref(counts);
    return entry;
}

/* One pass over the activities: type -> counts; then the schema's types in
 * order, each with its plan number and title. */
static json_t *by_plan_activity(const ccm_report_ctx *x)
{
    json_t *types = ccm_report_enum("activity", "type"), *counts = json_object(),
           *out = json_array(), *t, *a;
    size_t i, k;

    json_array_foreach(types, k, t)
    {
        json_object_set_new(counts, json_string_value(t), ccm_report_counts());
    }
    json_array_foreach(x->acts, i, a)
    {
        const char *type = ccm_report_str(a, "type");
        json_t *c = type ? json_object_get(counts, type) : NULL;
        if (c) {
            ccm_report_count(c, ccm_report_str(a, "status"));
        }
    }
    json_array_foreach(types, k, t)
    {
        const char *type = json_string_value(t);
        int number = ccm_report_plan_number(type);
        json_array_append_new(
            out, with_counts(json_pack("{s:o, s:s, s:s}", "number",
                                       number ? json_integer(number) : json_null(), "type", type,
                                       "title", ccm_report_plan_title(type)),
                             json_incref(json_object_get(counts, type))));
    }
    json_decref(counts);
    json_decref(types);
    return out;
}

static void next_month(char m[8])
{
    unsigned y = 0, mo = 0;

    sscanf(m, "%4u-%2u", &y, &mo);
    if (++mo > 12) {
        mo = 1;
        y++;
    }
    if (y > 9999 || mo > 12) {
        memcpy(m, "9999-99", 8); /* past every month: ends the walk */
        return;
    }
    snprintf(m, 8, "%04u-%02u", y % 10000u, mo % 100u);
}

static json_t *plan_items(const char *month)
{
    json_t *items = json_array();
    for (size_t i = 0; i < sizeof(TIMELINE) / sizeof(TIMELINE[0]); i++) {
        if (strcmp(TIMELINE[i].month, month) == 0) {
            json_array_append_new(items, json_string(TIMELINE[i].item));
        }
    }
    return items;
}

/* The months listed: from the period's first month (or the earlier of the
 * plan's first and the first activity's) to its last (or the later of the
 * plan's last and the last activity's). */
static void month_span(const ccm_report_ctx *x, char lo[8], char hi[8])
{
    const json_t *first = json_array_get(x->acts, 0);
    const json_t *last = json_array_get(x->acts, json_array_size(x->acts) - 1);
    const ccm_report_period *p = x->period;

    snprintf(lo, 8, "%.7s", p->since ? p->since : PLAN_FIRST_MONTH);
    snprintf(hi, 8, "%.7s", p->until ? p->until : PLAN_LAST_MONTH);
    if (!p->since && first && strncmp(ccm_report_str(first, "date"), lo, 7) < 0) {
        snprintf(lo, 8, "%.7s", ccm_report_str(first, "date"));
    }
    if (!p->until && last && strncmp(ccm_report_str(last, "date"), hi, 7) > 0) {
        snprintf(hi, 8, "%.7s", ccm_report_str(last, "date"));
    }
    if (strcmp(hi, lo) < 0) { /* one side open and beyond the plan */
        if (p->since) {
            memcpy(hi, lo, 8);
        } else {
            memcpy(lo, hi, 8);
        }
    }
}

static json_t *by_month(const ccm_report_ctx *x)
{
    json_t *counts = json_object(), *out = json_array(), *a;
    char lo[8], hi[8], m[8];
    size_t i, span = 0;

    json_array_foreach(x->acts, i, a)
    {
        char key[8];
        json_t *c;
        snprintf(key, sizeof(key), "%.7s", ccm_report_str(a, "date"));
        if (!(c = json_object_get(counts, key))) {
            json_object_set_new(counts, key, c = ccm_report_counts());
        }
        ccm_report_count(c, ccm_report_str(a, "status"));
    }
    month_span(x, lo, hi);
    for (memcpy(m, lo, 8); strcmp(m, hi) <= 0 && span <= MAX_MONTHS; next_month(m)) {
        span++;
    }
    for (memcpy(m, lo, 8); strcmp(m, hi) <= 0; next_month(m)) {
        json_t *items = plan_items(m), *c = json_object_get(counts, m);
        int in_plan = strcmp(m, PLAN_FIRST_MONTH) >= 0 && strcmp(m, PLAN_LAST_MONTH) <= 0;
        if (span > MAX_MONTHS && !c && json_array_size(items) == 0) {
            json_decref(items);
            continue;
        }
        json_array_append_new(out, with_counts(json_pack("{s:s, s:b, s:o}", "month", m, "in_plan",
                                                         in_plan, "plan", items),
                                               c ? json_deep_copy(c) : ccm_report_counts()));
    }
    json_decref(counts);
    return out;
}

/* Every member of the group (with zero counts too) and every name found in
 * `by`, sorted; then the activities whose `by` is empty (member null). One
 * pass over the activities: name -> counts. */
static json_t *by_implementer(const ccm_report_ctx *x)
{
    json_t *counts = json_object(), *names = json_array(), *out = json_array();
    json_t *unset = ccm_report_counts(), *a, *n;
    size_t i, k;

    json_array_foreach(x->members, k, n)
    {
        json_object_set_new(counts, json_string_value(n), ccm_report_counts());
    }
    json_array_foreach(x->acts, i, a)
    {
        const json_t *by = ccm_report_set(a, "by");
        const char *status = ccm_report_str(a, "status");
        if (json_array_size(by) == 0) {
            ccm_report_count(unset, status);
        }
        json_array_foreach(by, k, n)
        {
            const char *name = json_string_value(n);
            json_t *c;
            if (!name) {
                continue;
            }
            if (!(c = json_object_get(counts, name))) {
                json_object_set_new(counts, name, c = ccm_report_counts());
            }
            ccm_report_count(c, status);
        }
    }
    {
        const char *name;
        json_t *c;
        json_object_foreach(counts, name, c)
        {
            json_array_append_new(names, json_string(name));
        }
    }
    ccm_report_sort(names);
    json_array_foreach(names, k, n)
    {
        const char *name = json_string_value(n);
        json_array_append_new(out, with_counts(json_pack("{s:O, s:b}", "member", n, "in_group",
                                                         ccm_report_has(x->members, name)),
                                               json_incref(json_object_get(counts, name))));
    }
    json_array_append_new(out,
                          with_counts(json_pack("{s:n, s:b}", "member", "in_group", 0), unset));
    json_decref(names);
    json_decref(counts);
    return out;
}

json_t *ccm_report_activities(const ccm_report_ctx *x)
{
    json_t *status = ccm_report_counts(), *a;
    size_t i;

    json_array_foreach(x->acts, i, a)
    {
        ccm_report_count(status, ccm_report_str(a, "status"));
    }
    return json_pack("{s:o, s:o, s:o, s:o}", "counted", status, "by_plan_activity",
                     by_plan_activity(x), "by_month", by_month(x), "by_implementer",
                     by_implementer(x));
}

/* Reasons as recorded on the states now (not bounded by the period: a
 * reason carries no date); survey activities counted in the period. */
json_t *ccm_report_survey(const ccm_report_ctx *x)
{
    json_t *reasons = ccm_report_enum("state", "survey_reasons"), *out = json_array(), *r, *v, *a;
    json_t *acts = ccm_report_counts();
    size_t i, k, with = 0, targets_with = 0, targets = 0;

    json_array_foreach(reasons, k, r)
    {
        json_t *ids = json_array();
        json_array_foreach(x->states, i, v)
        {
            if (ccm_report_has(ccm_report_set(v, "survey_reasons"), json_string_value(r))) {
                json_array_append(ids, json_object_get(v, "id"));
            }
        }
        json_array_append_new(out, json_pack("{s:O, s:I, s:o}", "reason", r, "count",
                                             (json_int_t)json_array_size(ids), "states", ids));
    }
    json_array_foreach(x->states, i, v)
    {
        int has = json_array_size(ccm_report_set(v, "survey_reasons")) > 0;
        int target = json_array_size(ccm_report_set(v, "targets")) > 0;
        with += has;
        targets += target;
        targets_with += has && target;
    }
    json_array_foreach(x->acts, i, a)
    {
        const char *type = ccm_report_str(a, "type");
        if (type && strcmp(type, "survey") == 0) {
            ccm_report_count(acts, ccm_report_str(a, "status"));
        }
    }
    json_decref(reasons);
    return json_pack("{s:I, s:I, s:I, s:o, s:o}", "states_with_reasons", (json_int_t)with,
                     "target_states", (json_int_t)targets, "target_states_with_reasons",
                     (json_int_t)targets_with, "reasons", out, "survey_activities", acts);
}
