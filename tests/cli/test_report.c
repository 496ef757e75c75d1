/*
 * test_report.c - the report (cli/report*.c, cli/svg.c): each section's
 * numbers on a known set of records, for the work plan's period and for
 * other bounds; removed records, records of another kind and notes never
 * reaching the model; the Markdown and HTML renderings escaping what records
 * hold; the charts; and, through a real store and the command line, that
 * neither a note's title nor its body ever appears in any format.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "cli/cli.h"
#include "cli/report.h"
#include "cli/report_private.h"
#include "tests/support/tmpdir.h"

/* ---- a known set of records ----------------------------------------------------- */

static uint64_t next_stamp = (uint64_t)1700000000000 << 16;

/* A record from "field=value" and "field+=a,b" (set) specs, NULL-ended. */
static json_t *rec(const char *kind, const char *id, const char *const *spec)
{
    json_t *r = ccm_record_new(kind, id);

    assert_non_null(r);
    for (; *spec; spec++) {
        const char *eq = strchr(*spec, '=');
        char field[64];
        assert_non_null(eq);
        if (eq > *spec && eq[-1] == '+') {
            char *list = strdup(eq + 1), *save = NULL;
            snprintf(field, sizeof(field), "%.*s", (int)(eq - 1 - *spec), *spec);
            for (char *e = strtok_r(list, ",", &save); e; e = strtok_r(NULL, ",", &save)) {
                assert_int_equal(ccm_record_set_add(r, field, e, next_stamp++, "Peru"), CCM_OK);
            }
            free(list);
        } else {
            snprintf(field, sizeof(field), "%.*s", (int)(eq - *spec), *spec);
            assert_int_equal(ccm_record_assign(r, field, eq + 1, next_stamp++, "Peru"), CCM_OK);
        }
    }
    return r;
}

#define ADD(arr, kind, id, ...)                                                                    \
    do {                                                                                           \
        const char *const s_[] = {__VA_ARGS__, NULL};                                              \
        json_array_append_new(arr, rec(kind, id, s_));                                             \
    } while (0)

#define DELETED(arr, kind, id, ...)                                                                \
    do {                                                                                           \
        const char *const s_[] = {__VA_ARGS__, NULL};                                              \
        json_t *r_ = rec(kind, id, s_);                                                            \
        assert_int_equal(ccm_record_delete(r_, next_stamp++, "Peru"), CCM_OK);                     \
        json_array_append_new(arr, r_);                                                            \
    } while (0)

static void status_change(json_t *log, const char *id, const char *old, const char *new_,
                          const char *at)
{
    json_array_append_new(log, json_pack("{s:s, s:s, s:s, s:s, s:s?, s:s, s:s}", "commit",
                                         "0000000000000000000000000000000000000000", "member",
                                         "Peru", "record", id, "field", "status", "old", old, "new",
                                         new_, "at", at));
}

/* The fixture described in docs/report.md terms: 9 states (and a removed
 * one), 12 activities (and a removed one, and a note), 4 members. */
static void fixture(ccm_report_input *in)
{
    memset(in, 0, sizeof(*in));
    in->states = json_array();
    in->activities = json_array();
    in->status_log = json_array();
    in->members = json_pack("[s,s,s,s]", "Peru", "Norway", "Malawi", "Iraq");
    strcpy(in->commit, "abcdef0123456789abcdef0123456789abcdef01");

    ADD(in->states, "state", "AGO", "status=signatory", "targets+=signatory", "lead+=Malawi",
        "survey_reasons+=capacity,priorities", "last_contact=2025-01-01", "next_step=Workshop");
    ADD(in->states, "state", "KEN", "status=signatory", "targets+=signatory,ccw",
        "survey_reasons+=capacity");
    ADD(in->states, "state", "IDN", "status=signatory", "targets+=apmbc,signatory");
    ADD(in->states, "state", "LTU", "status=withdrawn", "targets+=withdrawing",
        "withdrawal_voted=2024-07-18", "withdrawal_deposited=2024-09-06",
        "withdrawal_effective=2025-03-06");
    ADD(in->states, "state", "VUT", "status=party", "acceded=2025-09-05");
    ADD(in->states, "state", "NGA", "status=party", "ratified=2023-02-28");
    ADD(in->states, "state", "FRA", "status=party");
    ADD(in->states, "state", "DEU", "status=party");
    ADD(in->states, "state", "NOR", "region=Europe");
    DELETED(in->states, "state", "CAF", "status=signatory", "targets+=signatory");

    ADD(in->activities, "activity", "a100000000000001", "type=iwg-meeting", "date=2024-12-10",
        "status=done", "by+=Norway,Peru");
    ADD(in->activities, "activity", "a100000000000002", "type=bilateral", "date=2025-01-15",
        "status=done", "states+=AGO,KEN", "by+=Peru");
    ADD(in->activities, "activity", "a100000000000003", "type=bilateral", "date=2025-03-20",
        "status=done", "states+=AGO", "by+=Norway");
    ADD(in->activities, "activity", "a100000000000004", "type=side-event", "date=2025-03-25",
        "status=done", "by+=Norway", "summary=Side event in Geneva");
    ADD(in->activities, "activity", "a100000000000005", "type=regional-workshop", "date=2025-06-17",
        "status=planned", "states+=KEN", "by+=Malawi");
    ADD(in->activities, "activity", "a100000000000006", "type=survey", "date=2025-02-10",
        "status=done", "states+=AGO,KEN", "by+=Norway");
    ADD(in->activities, "activity", "a100000000000007", "type=ipu", "date=2025-04-01",
        "status=cancelled", "by+=Peru");
    ADD(in->activities, "activity", "a100000000000008", "type=other", "date=2025-05-05");
    ADD(in->activities, "activity", "a100000000000009", "type=bilateral", "date=2026-01-10",
        "status=done", "states+=IDN", "by+=Peru");
    DELETED(in->activities, "activity", "a10000000000000a", "type=bilateral", "date=2025-02-01",
            "status=done", "states+=IDN", "by+=Peru", "summary=REMOVED-ACTIVITY");
    ADD(in->activities, "activity", "a10000000000000b", "type=treaty-event", "date=2024-11-30",
        "status=done", "by+=Peru");
    ADD(in->activities, "activity", "a10000000000000c", "type=treaty-event", "date=2025-09-30",
        "status=done", "by+=Peru");
    /* A note handed in by mistake: not an activity, never read. */
    ADD(in->activities, "note", "a10000000000000d", "title=NOTE-TITLE", "on=state:IDN");

    status_change(in->status_log, "FRA", "non-party", "party", "2025-05-10T10:00:00.000Z");
    status_change(in->status_log, "DEU", NULL, "party", "2023-01-01T00:00:00.000Z");
    status_change(in->status_log, "VUT", "non-party", "party", "2026-11-01T09:00:00.000Z");
}

static json_t *build(const ccm_report_input *in, const char *since, const char *until)
{
    ccm_report_period p = {since, until, 0};
    json_t *model = NULL;

    if (!since && !until) {
        p = (ccm_report_period){CCM_REPORT_PLAN_SINCE, CCM_REPORT_PLAN_UNTIL, 1};
    }
    assert_int_equal(ccm_report_build(&model, in, &p), CCM_OK);
    assert_non_null(model);
    return model;
}

/* ---- path helpers ------------------------------------------------------------------- */

/* The element of `arr` whose `key` is `value` (NULL value: a JSON null). */
static const json_t *find(const json_t *arr, const char *key, const char *value)
{
    size_t i;
    json_t *e;

    json_array_foreach(arr, i, e)
    {
        const json_t *v = json_object_get(e, key);
        if ((!value && json_is_null(v)) ||
            (value && json_is_string(v) && strcmp(json_string_value(v), value) == 0)) {
            return e;
        }
    }
    fail_msg("no element with %s = %s", key, value ? value : "null");
    return NULL;
}

static long long num(const json_t *obj, const char *key)
{
    const json_t *v = json_object_get(obj, key);
    if (!json_is_integer(v)) {
        fail_msg("'%s' is not an integer", key);
    }
    return (long long)json_integer_value(v);
}

static const char *str(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

/* The strings of an array joined by ",". */
static const char *joined(const json_t *arr)
{
    static char buf[512];
    size_t i, len = 0;
    json_t *e;

    buf[0] = 0;
    json_array_foreach(arr, i, e)
    {
        len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s", i ? "," : "",
                                json_string_value(e));
    }
    return buf;
}

static void expect_counts(const json_t *c, long long total, long long done, long long planned,
                          long long cancelled, long long unset)
{
    assert_int_equal(num(c, "total"), total);
    assert_int_equal(num(c, "done"), done);
    assert_int_equal(num(c, "planned"), planned);
    assert_int_equal(num(c, "cancelled"), cancelled);
    assert_int_equal(num(c, "unset"), unset);
}

static char *dump(const json_t *model)
{
    char *s = json_dumps(model, JSON_SORT_KEYS);
    assert_non_null(s);
    return s;
}

/* ---- the sections on the work plan's period -------------------------------------------- */

static void test_report__states_by_status_and_target(void **state)
{
    ccm_report_input in;
    json_t *m, *s;

    (void)state;
    fixture(&in);
    m = build(&in, NULL, NULL);
    s = json_object_get(m, "states");
    assert_int_equal(num(s, "total"), 9);
    assert_int_equal(num(s, "targets"), 4);
    assert_string_equal(
        joined(json_object_get(find(json_object_get(s, "by_status"), "status", "party"), "states")),
        "DEU,FRA,NGA,VUT");
    assert_string_equal(
        joined(json_object_get(find(json_object_get(s, "by_status"), "status", "signatory"),
                               "states")),
        "AGO,IDN,KEN");
    assert_int_equal(num(find(json_object_get(s, "by_status"), "status", "non-party"), "count"), 0);
    assert_int_equal(num(find(json_object_get(s, "by_status"), "status", "withdrawn"), "count"), 1);
    assert_string_equal(
        joined(json_object_get(find(json_object_get(s, "by_status"), "status", NULL), "states")),
        "NOR");
    assert_int_equal(json_array_size(json_object_get(s, "by_status")), 6);
    assert_string_equal(
        joined(json_object_get(find(json_object_get(s, "by_target"), "target", "signatory"),
                               "states")),
        "AGO,IDN,KEN");
    assert_int_equal(num(find(json_object_get(s, "by_target"), "target", "ccw"), "count"), 1);
    assert_int_equal(num(find(json_object_get(s, "by_target"), "target", "unga-yes"), "count"), 0);
    assert_int_equal(json_array_size(json_object_get(s, "by_target")), 6);
    json_decref(m);
    ccm_report_input_free(&in);
}

static void test_report__outreach_is_computed_from_done_activities(void **state)
{
    ccm_report_input in;
    json_t *m, *o, *rows;
    const json_t *ago, *ken, *idn, *ltu;

    (void)state;
    fixture(&in);
    m = build(&in, NULL, NULL);
    o = json_object_get(m, "outreach");
    rows = json_object_get(o, "states");
    assert_int_equal(num(o, "targets"), 4);
    assert_int_equal(num(o, "contacted"), 2);
    assert_int_equal(num(o, "not_contacted"), 2);
    assert_string_equal(str(json_array_get(rows, 0), "id"), "AGO"); /* sorted by id */

    ago = find(rows, "id", "AGO");
    assert_true(json_is_true(json_object_get(ago, "contacted")));
    assert_int_equal(num(ago, "done_activities"), 3);
    assert_string_equal(joined(json_object_get(ago, "by")), "Norway,Peru");
    assert_string_equal(str(ago, "last_contact"), "2025-03-20");
    /* the stored field is shown apart, never taken for the computed one */
    assert_string_equal(str(ago, "recorded_last_contact"), "2025-01-01");
    assert_string_equal(str(ago, "next_step"), "Workshop");
    assert_string_equal(joined(json_object_get(ago, "lead")), "Malawi");

    ken = find(rows, "id", "KEN");
    assert_int_equal(num(ken, "done_activities"), 2);
    assert_string_equal(str(ken, "last_contact"), "2025-02-10");
    assert_string_equal(str(json_object_get(ken, "next_planned"), "date"), "2025-06-17");
    assert_string_equal(str(json_object_get(ken, "next_planned"), "id"), "a100000000000005");

    /* IDN: its only activities are outside the period or removed */
    idn = find(rows, "id", "IDN");
    assert_false(json_is_true(json_object_get(idn, "contacted")));
    assert_true(json_is_null(json_object_get(idn, "last_contact")));
    assert_int_equal(json_array_size(json_object_get(idn, "by")), 0);
    ltu = find(rows, "id", "LTU");
    assert_false(json_is_true(json_object_get(ltu, "contacted")));

    assert_int_equal(num(find(json_object_get(o, "by_target"), "target", "signatory"), "states"),
                     3);
    assert_int_equal(num(find(json_object_get(o, "by_target"), "target", "signatory"), "contacted"),
                     2);
    assert_int_equal(num(find(json_object_get(o, "by_target"), "target", "ccw"), "contacted"), 1);
    assert_int_equal(num(find(json_object_get(o, "by_target"), "target", "apmbc"), "contacted"), 0);
    json_decref(m);
    ccm_report_input_free(&in);
}

static void test_report__activities_by_plan_activity_month_and_implementer(void **state)
{
    ccm_report_input in;
    json_t *m, *a, *plan, *months, *impl;
    const json_t *e;

    (void)state;
    fixture(&in);
    m = build(&in, NULL, NULL);
    a = json_object_get(m, "activities");
    expect_counts(json_object_get(a, "counted"), 9, 6, 1, 1, 1);
    assert_int_equal(num(a, "outside_period"), 2); /* 2024-11-30 and 2026-01-10 */
    assert_int_equal(num(a, "undated"), 0);

    plan = json_object_get(a, "by_plan_activity");
    assert_int_equal(json_array_size(plan), 12);
    e = find(plan, "type", "bilateral");
    assert_int_equal(num(e, "number"), 1);
    expect_counts(e, 2, 2, 0, 0, 0);
    expect_counts(find(plan, "type", "survey"), 1, 1, 0, 0, 0);
    assert_int_equal(num(find(plan, "type", "regional-workshop"), "number"), 6);
    expect_counts(find(plan, "type", "regional-workshop"), 1, 0, 1, 0, 0);
    expect_counts(find(plan, "type", "ipu"), 1, 0, 0, 1, 0);
    assert_int_equal(num(find(plan, "type", "treaty-event"), "number"), 10);
    expect_counts(find(plan, "type", "treaty-event"), 1, 1, 0, 0, 0);
    assert_int_equal(num(find(plan, "type", "regional-org"), "number"), 11);
    assert_true(json_is_null(json_object_get(find(plan, "type", "other"), "number")));
    expect_counts(find(plan, "type", "other"), 1, 0, 0, 0, 1);

    months = json_object_get(a, "by_month");
    assert_int_equal(json_array_size(months), 10); /* December 2024 to September 2025 */
    assert_string_equal(str(json_array_get(months, 0), "month"), "2024-12");
    assert_string_equal(str(json_array_get(months, 9), "month"), "2025-09");
    expect_counts(find(months, "month", "2024-12"), 1, 1, 0, 0, 0);
    expect_counts(find(months, "month", "2025-03"), 2, 2, 0, 0, 0);
    expect_counts(find(months, "month", "2025-04"), 1, 0, 0, 1, 0);
    expect_counts(find(months, "month", "2025-06"), 1, 0, 1, 0, 0);
    expect_counts(find(months, "month", "2025-07"), 0, 0, 0, 0, 0);
    expect_counts(find(months, "month", "2025-09"), 1, 1, 0, 0, 0); /* the last day counts */
    assert_string_equal(joined(json_object_get(find(months, "month", "2025-03"), "plan")),
                        "Meetings with target states");
    assert_int_equal(json_array_size(json_object_get(find(months, "month", "2024-12"), "plan")), 2);
    assert_int_equal(json_array_size(json_object_get(find(months, "month", "2025-05"), "plan")), 0);
    assert_true(json_is_true(json_object_get(find(months, "month", "2025-05"), "in_plan")));

    impl = json_object_get(a, "by_implementer");
    assert_int_equal(json_array_size(impl), 5);
    expect_counts(find(impl, "member", "Iraq"), 0, 0, 0, 0, 0); /* a member with nothing yet */
    expect_counts(find(impl, "member", "Malawi"), 1, 0, 1, 0, 0);
    expect_counts(find(impl, "member", "Norway"), 4, 4, 0, 0, 0);
    expect_counts(find(impl, "member", "Peru"), 4, 3, 0, 1, 0);
    expect_counts(find(impl, "member", NULL), 1, 0, 0, 0, 1);
    assert_string_equal(str(json_array_get(impl, 0), "member"), "Iraq"); /* sorted */
    json_decref(m);
    ccm_report_input_free(&in);
}

static void test_report__survey_reasons_are_counted(void **state)
{
    ccm_report_input in;
    json_t *m, *s, *reasons;

    (void)state;
    fixture(&in);
    m = build(&in, NULL, NULL);
    s = json_object_get(m, "survey");
    reasons = json_object_get(s, "reasons");
    assert_int_equal(json_array_size(reasons), 9);
    assert_string_equal(joined(json_object_get(find(reasons, "reason", "capacity"), "states")),
                        "AGO,KEN");
    assert_int_equal(num(find(reasons, "reason", "priorities"), "count"), 1);
    assert_int_equal(num(find(reasons, "reason", "security"), "count"), 0);
    assert_int_equal(num(s, "states_with_reasons"), 2);
    assert_int_equal(num(s, "target_states"), 4);
    assert_int_equal(num(s, "target_states_with_reasons"), 2);
    expect_counts(json_object_get(s, "survey_activities"), 1, 1, 0, 0, 0);
    json_decref(m);
    ccm_report_input_free(&in);
}

static void test_report__expected_outputs_with_their_evidence(void **state)
{
    ccm_report_input in;
    json_t *m, *outs;
    const json_t *o, *w;

    (void)state;
    fixture(&in);
    m = build(&in, NULL, NULL);
    outs = json_object_get(m, "outputs");
    assert_int_equal(json_array_size(outs), 4);

    o = find(outs, "key", "no-further-withdrawal");
    assert_int_equal(num(o, "number"), 1);
    assert_string_equal(str(o, "assessment"), "evidence");
    assert_int_equal(num(o, "announced_in_period"), 0);
    w = find(json_object_get(o, "withdrawals"), "id", "LTU");
    assert_string_equal(str(w, "announced"), "2024-07-18");
    assert_string_equal(str(w, "announced_field"), "withdrawal_voted");
    assert_string_equal(str(w, "effective"), "2025-03-06");
    assert_false(json_is_true(json_object_get(w, "in_period")));
    assert_non_null(
        strstr(json_string_value(json_array_get(json_object_get(o, "evidence"), 0)), "Lithuania"));

    o = find(outs, "key", "new-state-party");
    assert_string_equal(str(o, "assessment"), "evidence");
    assert_int_equal(json_array_size(json_object_get(o, "states")), 2);
    /* FRA has no date field: its status history says it became party in May */
    assert_string_equal(str(find(json_object_get(o, "states"), "id", "FRA"), "date"), "2025-05-10");
    assert_string_equal(str(find(json_object_get(o, "states"), "id", "FRA"), "how"), "recorded");
    /* VUT's own date wins over when the record was changed (2026) */
    assert_string_equal(str(find(json_object_get(o, "states"), "id", "VUT"), "date"), "2025-09-05");
    assert_string_equal(str(find(json_object_get(o, "states"), "id", "VUT"), "how"), "acceded");

    o = find(outs, "key", "reasons-understood");
    assert_string_equal(str(o, "assessment"), "evidence");
    assert_non_null(strstr(json_string_value(json_array_get(json_object_get(o, "evidence"), 1)),
                           "capacity 2, priorities 1"));

    o = find(outs, "key", "awareness-raised");
    assert_string_equal(str(o, "assessment"), "evidence");
    assert_int_equal(json_array_size(json_object_get(o, "activities")), 2);
    assert_string_equal(str(json_array_get(json_object_get(o, "activities"), 0), "type"),
                        "side-event");
    assert_string_equal(str(json_array_get(json_object_get(o, "activities"), 1), "type"),
                        "treaty-event");
    json_decref(m);
    ccm_report_input_free(&in);
}

static void test_report__a_withdrawal_announced_in_the_period_is_not_met(void **state)
{
    ccm_report_input in;
    json_t *m;
    const json_t *o, *w;

    (void)state;
    fixture(&in);
    ADD(in.states, "state", "BLR", "status=withdrawing");
    status_change(in.status_log, "BLR", "party", "withdrawing", "2025-04-02T08:00:00.000Z");
    m = build(&in, NULL, NULL);
    o = find(json_object_get(m, "outputs"), "key", "no-further-withdrawal");
    assert_string_equal(str(o, "assessment"), "contrary");
    assert_int_equal(num(o, "announced_in_period"), 1);
    w = find(json_object_get(o, "withdrawals"), "id", "BLR");
    assert_true(json_is_true(json_object_get(w, "in_period")));
    assert_string_equal(str(w, "status_recorded"), "2025-04-02");
    json_decref(m);
    ccm_report_input_free(&in);
}

/* ---- other periods ------------------------------------------------------------------ */

static void test_report__since_and_until_bound_the_activities_counted(void **state)
{
    ccm_report_input in;
    json_t *m, *a;
    const json_t *ago;

    (void)state;
    fixture(&in);
    m = build(&in, "2025-03-01", "2025-03-31");
    a = json_object_get(m, "activities");
    expect_counts(json_object_get(a, "counted"), 2, 2, 0, 0, 0);
    assert_int_equal(num(a, "outside_period"), 9);
    assert_int_equal(json_array_size(json_object_get(a, "by_month")), 1);
    assert_false(json_is_true(json_object_get(json_object_get(m, "period"), "work_plan")));
    assert_string_equal(str(json_object_get(m, "period"), "since"), "2025-03-01");
    ago = find(json_object_get(json_object_get(m, "outreach"), "states"), "id", "AGO");
    assert_int_equal(num(ago, "done_activities"), 1);
    assert_string_equal(joined(json_object_get(ago, "by")), "Norway");
    assert_int_equal(num(json_object_get(m, "outreach"), "contacted"), 1);
    assert_string_equal(
        str(find(json_object_get(m, "outputs"), "key", "new-state-party"), "assessment"), "none");
    assert_int_equal(
        json_array_size(json_object_get(
            find(json_object_get(m, "outputs"), "key", "awareness-raised"), "activities")),
        1);
    json_decref(m);

    /* open at the end: the months run to the last activity */
    m = build(&in, "2026-01-01", NULL);
    a = json_object_get(m, "activities");
    expect_counts(json_object_get(a, "counted"), 1, 1, 0, 0, 0);
    assert_int_equal(json_array_size(json_object_get(a, "by_month")), 1);
    assert_string_equal(str(json_array_get(json_object_get(a, "by_month"), 0), "month"), "2026-01");
    assert_true(json_is_true(json_object_get(
        find(json_object_get(json_object_get(m, "outreach"), "states"), "id", "IDN"),
        "contacted")));
    assert_true(json_is_null(json_object_get(json_object_get(m, "period"), "until")));
    json_decref(m);

    /* open at the start: Lithuania's announcement falls in it */
    m = build(&in, NULL, "2024-12-31");
    a = json_object_get(m, "activities");
    expect_counts(json_object_get(a, "counted"), 2, 2, 0, 0, 0);
    assert_string_equal(str(json_array_get(json_object_get(a, "by_month"), 0), "month"), "2024-11");
    assert_int_equal(json_array_size(json_object_get(a, "by_month")), 2);
    assert_string_equal(
        str(find(json_object_get(m, "outputs"), "key", "no-further-withdrawal"), "assessment"),
        "contrary");
    json_decref(m);
    ccm_report_input_free(&in);
}

static void test_report__removed_records_and_notes_never_reach_the_model(void **state)
{
    ccm_report_input in;
    json_t *m;
    char *text;

    (void)state;
    fixture(&in);
    m = build(&in, NULL, NULL);
    text = dump(m);
    assert_null(strstr(text, "CAF"));              /* a removed state */
    assert_null(strstr(text, "a10000000000000a")); /* a removed activity */
    assert_null(strstr(text, "REMOVED-ACTIVITY"));
    assert_null(strstr(text, "a10000000000000d")); /* a note among the activities */
    assert_null(strstr(text, "NOTE-TITLE"));
    free(text);
    json_decref(m);
    ccm_report_input_free(&in);
}

static void test_report__the_model_depends_on_the_records_only(void **state)
{
    ccm_report_input in, again;
    json_t *a, *b;
    char *ta, *tb;

    (void)state;
    fixture(&in);
    fixture(&again);
    /* the same records in another order give the same bytes */
    {
        json_t *rev = json_array();
        for (size_t i = json_array_size(again.activities); i-- > 0;) {
            json_array_append(rev, json_array_get(again.activities, i));
        }
        json_decref(again.activities);
        again.activities = rev;
    }
    a = build(&in, NULL, NULL);
    b = build(&again, NULL, NULL);
    ta = dump(a);
    tb = dump(b);
    assert_string_equal(ta, tb);
    free(ta);
    free(tb);
    json_decref(a);
    json_decref(b);
    ccm_report_input_free(&in);
    ccm_report_input_free(&again);
}

static void test_report__every_activity_type_has_its_plan_number(void **state)
{
    static const char *const types[] = {"bilateral",         "survey",       "side-event",
                                        "iwg-meeting",       "embassy",      "regional-workshop",
                                        "model-legislation", "ipu",          "cmc-icrc",
                                        "treaty-event",      "regional-org", "other"};

    (void)state;
    for (int i = 0; i < 12; i++) {
        assert_int_equal(ccm_report_plan_number(types[i]), i < 11 ? i + 1 : 0);
    }
    assert_non_null(strstr(ccm_report_plan_title("ipu"), "Inter-Parliamentary Union"));
    assert_non_null(strstr(ccm_report_plan_title("no-such-type"), "not a numbered"));
}

/* ---- rendering --------------------------------------------------------------------------- */

static char *render(int html, const json_t *model)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    assert_non_null(f);
    assert_int_equal(html ? ccm_report_html(f, model) : ccm_report_md(f, model), CCM_OK);
    fclose(f);
    return buf;
}

static void test_report__escaping_keeps_record_text_inert(void **state)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    (void)state;
    ccm_report_put(f, "a<b>&\"'|\n\x1b[31m\xe2\x80\xaex", CCM_ESC_HTML);
    fclose(f);
    assert_string_equal(buf, "a&lt;b&gt;&amp;&quot;&#39;| \xef\xbf\xbd[31m\xef\xbf\xbdx");
    free(buf);
    f = open_memstream(&buf, &len);
    ccm_report_put(f, "x|y*z_<i>\ttab\r\nnext \xc2\x85\xd8\x9c\xe2\x81\xa6.", CCM_ESC_MD);
    fclose(f);
    assert_string_equal(buf, "x\\|y\\*z\\_\\<i\\> tab  next \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd.");
    free(buf);
}

static void test_report__markdown_and_html_show_the_numbers_and_escape_values(void **state)
{
    ccm_report_input in;
    json_t *m;
    char *md, *html;

    (void)state;
    fixture(&in);
    ADD(in.states, "state", "JAM", "name=Jam<script>alert(1)</script>|x", "targets+=signatory",
        "next_step=Call \x1b]0;pwned\x07 back");
    m = build(&in, NULL, NULL);
    md = render(0, m);
    html = render(1, m);

    assert_non_null(strstr(md, "## Outreach to target States"));
    assert_non_null(strstr(md, "2 of 5 target States were contacted"));
    assert_non_null(strstr(md, "| Angola (AGO) | signatory | yes (3) | Norway, Peru | 2025-03-20 "
                               "(the record says 2025-01-01) | Workshop |"));
    assert_non_null(strstr(md, "| Kenya (KEN) | ccw, signatory | yes (2) | Norway, Peru | "
                               "2025-02-10 | planned 2025-06-17 regional-workshop |"));
    assert_non_null(strstr(md, "| 1 | Bilateral exchanges"));
    assert_non_null(strstr(md, "| March 2025 | Meetings with target states | 2 | 0 | 0 | 0 | 2 |"));
    assert_non_null(strstr(md, "| Peru | 3 | 0 | 1 | 0 | 4 |"));
    assert_non_null(strstr(md, "| (not recorded) | 0 | 0 | 0 | 1 | 1 |"));
    assert_non_null(
        strstr(md, "### 2. At least one new State Party by the 13MSP\n\n**Evidence recorded.**"));
    assert_non_null(strstr(md, "Jam\\<script\\>alert(1)\\</script\\>\\|x"));
    assert_null(strstr(md, "<script>"));
    assert_null(strstr(md, "\x1b"));

    assert_non_null(strstr(html, "<!DOCTYPE html>"));
    assert_non_null(strstr(html, "Content-Security-Policy"));
    assert_non_null(strstr(html, "Jam&lt;script&gt;alert(1)&lt;/script&gt;|x"));
    assert_null(strstr(html, "<script"));
    assert_null(strstr(html, "\x1b"));
    assert_null(strstr(html, "\x07"));
    assert_null(strstr(html, "://")); /* nothing to fetch, not even a namespace URL */
    assert_null(strstr(html, "http:"));
    assert_null(strstr(html, "src="));
    assert_null(strstr(html, "href="));
    assert_null(strstr(html, "url("));
    assert_null(strstr(html, "@import"));
    {
        /* one chart per section: status, coverage, plan activities, months,
         * implementers, reasons */
        int charts = 0;
        for (const char *p = html; (p = strstr(p, "<svg ")); p++) {
            charts++;
        }
        assert_int_equal(charts, 6);
    }
    assert_non_null(strstr(html, "<td class=\"n\">3</td>"));
    free(md);
    free(html);
    json_decref(m);
    ccm_report_input_free(&in);
}

static void test_report__long_evidence_lists_are_cut_in_md_and_html_only(void **state)
{
    ccm_report_input in;
    json_t *m;
    char *md, *html, id[17];

    (void)state;
    fixture(&in);
    for (int i = 0; i < 30; i++) {
        snprintf(id, sizeof(id), "b1%014d", i);
        ADD(in.activities, "activity", id, "type=side-event", "date=2025-05-20", "status=done");
    }
    m = build(&in, NULL, NULL);
    /* the model keeps all 32 awareness activities */
    assert_int_equal(
        json_array_size(json_object_get(
            find(json_object_get(m, "outputs"), "key", "awareness-raised"), "evidence")),
        32);
    md = render(0, m);
    html = render(1, m);
    assert_non_null(strstr(md, "- ... and 7 more (in the JSON report)\n"));
    assert_non_null(strstr(html, "<li>&hellip; and 7 more (in the JSON report)</li>"));
    free(md);
    free(html);
    json_decref(m);
    ccm_report_input_free(&in);
}

static void test_report__charts_stack_series_and_cut_long_labels(void **state)
{
    const char *cats[] = {"short", "a label much longer than twenty-eight characters", "<b>"};
    const char *series[] = {"Done", "Planned"}, *colors[] = {"#000000", "#ffffff"};
    const double values[] = {2, 1, 0, 0, 5, 0};
    ccm_svg_chart c = {"T<itle>", 0, 3, cats, 2, series, colors, values};
    char *buf = NULL;
    size_t len = 0;
    int rects = 0;
    FILE *f = open_memstream(&buf, &len);

    (void)state;
    assert_int_equal(ccm_svg_bar_chart(f, &c), CCM_OK);
    fclose(f);
    for (const char *p = buf; (p = strstr(p, "<rect ")); p++) {
        rects++;
    }
    assert_int_equal(rects, 2 + 3); /* legend + the non-zero values */
    assert_non_null(strstr(buf, "<title>T&lt;itle&gt;</title>"));
    assert_non_null(strstr(buf, "a label much longer than twe\xe2\x80\xa6"));
    assert_non_null(strstr(buf, "&lt;b&gt;"));
    assert_non_null(strstr(buf, ">3</text>")); /* the total of the first bar */
    assert_non_null(strstr(buf, "<figcaption>T&lt;itle&gt;</figcaption>"));
    free(buf);
    c.nser = 0;
    f = open_memstream(&buf, &len);
    assert_int_equal(ccm_svg_bar_chart(f, &c), CCM_ERROR);
    fclose(f);
    free(buf);
}

/* ---- through a real store and the command line ---------------------------------------- */

static char base_dir[600];

static int run_cli(const char *out_path, const char *in_path, const char *const *args)
{
    char *argv[32];
    int argc = 0, saved_out = dup(1), saved_in = -1, rc;
    FILE *fo = fopen(out_path, "w");

    assert_non_null(fo);
    argv[argc++] = "ccmsync";
    for (; *args; args++) {
        argv[argc++] = (char *)*args;
    }
    argv[argc] = NULL;
    fflush(stdout);
    dup2(fileno(fo), 1);
    if (in_path) {
        FILE *fi = fopen(in_path, "r");
        assert_non_null(fi);
        saved_in = dup(0);
        dup2(fileno(fi), 0);
        fclose(fi);
    }
    rc = ccm_cli_run(argc, argv);
    fflush(stdout);
    dup2(saved_out, 1);
    close(saved_out);
    if (saved_in >= 0) {
        dup2(saved_in, 0);
        close(saved_in);
        clearerr(stdin);
    }
    fclose(fo);
    return rc;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    char *buf = calloc(1, 1 << 20);
    size_t n;

    assert_non_null(f);
    assert_non_null(buf);
    n = fread(buf, 1, (1 << 20) - 1, f);
    buf[n] = 0;
    fclose(f);
    return buf;
}

#define CLI(out, in, ...)                                                                          \
    do {                                                                                           \
        const char *const a_[] = {"-C", store, __VA_ARGS__, NULL};                                 \
        assert_int_equal(run_cli(out, in, a_), 0);                                                 \
    } while (0)

static void test_report__a_store_s_notes_and_removed_records_never_appear(void **state)
{
    char store[700], out[700], body[700], id[64];
    ccm_store *s = NULL;
    ccm_report_input in;
    json_t *m;
    char *text;

    (void)state;
    ccm_test_mkdtemp(base_dir, sizeof(base_dir), "report-");
    snprintf(store, sizeof(store), "%s/s", base_dir);
    snprintf(out, sizeof(out), "%s/out", base_dir);
    snprintf(body, sizeof(body), "%s/body", base_dir);
    CLI(out, NULL, "init", "--member", "Peru", "--no-passphrase");
    CLI(out, NULL, "state", "set", "AGO", "status=signatory", "targets+=signatory");
    CLI(out, NULL, "activity", "add", "--type", "bilateral", "--date", "2025-03-12", "states=AGO",
        "by=Peru", "status=done");
    CLI(out, NULL, "activity", "add", "--type", "survey", "--date", "2025-03-13", "states=AGO",
        "status=done", "summary=REMOVED-SURVEY");
    text = slurp(out);
    snprintf(id, sizeof(id), "%.16s", text);
    free(text);
    CLI(out, NULL, "activity", "rm", id);
    {
        FILE *f = fopen(body, "w");
        fputs("SECRET-BODY of the note\n", f);
        fclose(f);
    }
    CLI(out, body, "note", "add", "--on", "AGO", "--to", "Peru", "--title", "SECRET-TITLE");

    /* the collected input holds no note and the model no removed record */
    assert_int_equal(ccm_store_open(&s, store), CCM_OK);
    assert_int_equal(ccm_store_unlock(s, NULL, 0), CCM_OK);
    assert_int_equal(ccm_report_collect(&in, s), CCM_OK);
    assert_int_equal(json_array_size(in.states), 1);
    /* the removed activity is not collected; of the other, only what the
     * report reads */
    assert_int_equal(json_array_size(in.activities), 1);
    text = dump(in.activities);
    assert_null(strstr(text, id));
    assert_non_null(strstr(text, "\"type\": \"bilateral\""));
    assert_null(strstr(text, "\"meta\""));
    free(text);
    assert_string_equal(joined(in.members), "Peru");
    assert_int_equal(strlen(in.commit), 40);
    {
        ccm_report_period p = {CCM_REPORT_PLAN_SINCE, CCM_REPORT_PLAN_UNTIL, 1};
        assert_int_equal(ccm_report_build(&m, &in, &p), CCM_OK);
    }
    expect_counts(json_object_get(json_object_get(m, "activities"), "counted"), 1, 1, 0, 0, 0);
    assert_int_equal(num(json_object_get(m, "outreach"), "contacted"), 1);
    text = dump(m);
    assert_null(strstr(text, "SECRET"));
    assert_null(strstr(text, "REMOVED-SURVEY"));
    assert_null(strstr(text, id));
    free(text);
    json_decref(m);
    ccm_report_input_free(&in);
    ccm_store_free(s);

    /* every format, from the command line */
    for (int i = 0; i < 3; i++) {
        const char *fmt = i == 0 ? "md" : i == 1 ? "html" : "json";
        CLI(out, NULL, "report", "--format", fmt);
        text = slurp(out);
        assert_non_null(strstr(text, "AGO"));
        assert_null(strstr(text, "SECRET"));
        assert_null(strstr(text, "REMOVED-SURVEY"));
        free(text);
    }
    ccm_test_rmdir(base_dir);
}

int main(void)
{
#define T(f) cmocka_unit_test(f)
    const struct CMUnitTest tests[] = {
        T(test_report__states_by_status_and_target),
        T(test_report__outreach_is_computed_from_done_activities),
        T(test_report__activities_by_plan_activity_month_and_implementer),
        T(test_report__survey_reasons_are_counted),
        T(test_report__expected_outputs_with_their_evidence),
        T(test_report__a_withdrawal_announced_in_the_period_is_not_met),
        T(test_report__since_and_until_bound_the_activities_counted),
        T(test_report__removed_records_and_notes_never_reach_the_model),
        T(test_report__the_model_depends_on_the_records_only),
        T(test_report__every_activity_type_has_its_plan_number),
        T(test_report__escaping_keeps_record_text_inert),
        T(test_report__markdown_and_html_show_the_numbers_and_escape_values),
        T(test_report__long_evidence_lists_are_cut_in_md_and_html_only),
        T(test_report__charts_stack_series_and_cut_long_labels),
        T(test_report__a_store_s_notes_and_removed_records_never_appear),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
