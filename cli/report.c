/*
 * report.c - the report model: what is read from the store, the period, the
 * states by status and target category, and the outreach to every target
 * state. The activity sections are in report_acts.c, the expected outputs in
 * report_outputs.c, the helpers they share in report_values.c;
 * docs/report.md defines each number.
 *
 * The model is computed from the records alone (and the period): the same
 * records give the same bytes, whoever computes them and whenever.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "report_private.h"

/* ---- reading ----------------------------------------------------------------- */

void ccm_report_input_free(ccm_report_input *in)
{
    if (!in) {
        return;
    }
    json_decref(in->states);
    json_decref(in->activities);
    json_decref(in->status_log);
    json_decref(in->members);
    memset(in, 0, sizeof(*in));
}

/* 1 if a state's status field holds, or once held, a value whose history
 * the expected outputs read (party, withdrawing, withdrawn). */
static int status_matters(const json_t *rec)
{
    json_t *v = ccm_record_field_value(rec, "status");
    const char *s = json_string_value(v);
    int yes = s && (strcmp(s, "party") == 0 || strcmp(s, "withdrawing") == 0 ||
                    strcmp(s, "withdrawn") == 0);

    json_decref(v);
    return yes;
}

/* Appends the status changes of one state to in->status_log. */
static int collect_status_log(ccm_report_input *in, ccm_store *s, const char *id)
{
    json_t *log = NULL, *e;
    size_t i;
    int rc;

    if ((rc = ccm_store_log(&log, s, "state", id, NULL, 0)) < 0) {
        return rc;
    }
    json_array_foreach(log, i, e)
    {
        const char *field = json_string_value(json_object_get(e, "field"));
        if (field && strcmp(field, "status") == 0) {
            json_array_append(in->status_log, e);
        }
    }
    json_decref(log);
    return CCM_OK;
}

/* The fields of an activity the report reads. */
static const char *const ACTIVITY_FIELDS[] = {"type", "date",    "status", "states",
                                              "by",   "summary", NULL};

typedef struct {
    ccm_report_input *in;
    ccm_store *s;
} collect_ctx;

/* A state that is not removed: its view (with the ISO name as default),
 * and the history of its status when the expected outputs read it. */
static int collect_state(const json_t *rec, void *payload)
{
    collect_ctx *c = payload;
    json_t *view;
    int rc;

    if (ccm_record_is_deleted(rec)) {
        return CCM_OK;
    }
    if (status_matters(rec) &&
        (rc = collect_status_log(c->in, c->s, json_string_value(json_object_get(rec, "id")))) < 0) {
        return rc;
    }
    if (!(view = ccm_cli_view(rec)) || json_array_append_new(c->in->states, view) < 0) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    return CCM_OK;
}

/* An activity that is not removed: a view of the fields the report reads
 * only, so that a store of any size needs little memory. */
static int collect_activity(const json_t *rec, void *payload)
{
    collect_ctx *c = payload;
    json_t *fields, *view;

    if (ccm_record_is_deleted(rec)) {
        return CCM_OK;
    }
    if (!(fields = json_object())) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    for (const char *const *f = ACTIVITY_FIELDS; *f; f++) {
        json_t *v = ccm_record_field_value(rec, *f);
        if (v) {
            json_object_set_new(fields, *f, v);
        }
    }
    view = json_pack("{s:O, s:s, s:o}", "id", json_object_get(rec, "id"), "kind", "activity",
                     "fields", fields);
    if (!view || json_array_append_new(c->in->activities, view) < 0) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    return CCM_OK;
}

int ccm_report_collect(ccm_report_input *in, ccm_store *s)
{
    collect_ctx c = {in, s};
    json_t *roster = NULL, *m;
    size_t i;
    int rc;

    memset(in, 0, sizeof(*in));
    if (!(in->states = json_array()) || !(in->activities = json_array()) ||
        !(in->status_log = json_array()) || !(in->members = json_array())) {
        rc = ccm_error_set(CCM_ERROR, "out of memory");
        goto done;
    }
    if ((rc = ccm_store_foreach(s, "state", NULL, collect_state, &c)) < 0 ||
        (rc = ccm_store_foreach(s, "activity", NULL, collect_activity, &c)) < 0 ||
        (rc = ccm_store_view_roster(&roster, s)) < 0) {
        goto done;
    }
    json_array_foreach(json_object_get(roster, "members"), i, m)
    {
        if (!json_object_get(m, "removed")) {
            json_array_append(in->members, json_object_get(m, "name"));
        }
    }
    {
        /* The commit the records are read at: the view's under --at. */
        int64_t when = 0;
        if (ccm_store_view(in->commit, &when, s) < 0 || !in->commit[0]) {
            ccm_error_clear();
            ccm_store_head(in->commit, s);
        }
    }
done:
    json_decref(roster);
    if (rc < 0) {
        ccm_report_input_free(in);
    }
    return rc;
}

/* ---- states --------------------------------------------------------------------- */

/* The plan's wording of each target category. */
static const char *target_label(const char *t)
{
    static const char *const labels[][2] = {
        {"signatory", "Signatories yet to complete ratification"},
        {"apmbc", "Mine Ban Convention parties not yet in the CCM, or interested"},
        {"withdrawing", "State Party that initiated withdrawal"},
        {"ccw", "Parties to CCW Amended Protocol II and Protocol V"},
        {"unga-yes", "Vote for the UNGA First Committee resolution on the CCM"},
        {"interim-steps",
         "Unilateral declarations, voluntary transparency reports or interim steps"},
    };
    for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
        if (strcmp(labels[i][0], t) == 0) {
            return labels[i][1];
        }
    }
    return t;
}

static json_t *states_section(const ccm_report_ctx *x)
{
    json_t *statuses = ccm_report_enum("state", "status");
    json_t *targets = ccm_report_enum("state", "targets");
    json_t *by_status = json_array(), *by_target = json_array(), *none = json_array(), *st, *v;
    size_t i, k, ntargets = 0;

    json_array_foreach(statuses, k, st)
    {
        json_t *ids = json_array();
        json_array_foreach(x->states, i, v)
        {
            const char *s = ccm_report_str(v, "status");
            if (s && strcmp(s, json_string_value(st)) == 0) {
                json_array_append(ids, json_object_get(v, "id"));
            }
        }
        json_array_append_new(by_status,
                              json_pack("{s:O, s:I, s:o}", "status", st, "count",
                                        (json_int_t)json_array_size(ids), "states", ids));
    }
    json_array_foreach(x->states, i, v)
    {
        const char *s = ccm_report_str(v, "status");
        if (!s || !ccm_report_has(statuses, s)) {
            json_array_append(none, json_object_get(v, "id"));
        }
        ntargets += json_array_size(ccm_report_set(v, "targets")) > 0;
    }
    json_array_append_new(by_status, json_pack("{s:n, s:I, s:o}", "status", "count",
                                               (json_int_t)json_array_size(none), "states", none));
    json_array_foreach(targets, k, st)
    {
        json_t *ids = json_array();
        json_array_foreach(x->states, i, v)
        {
            if (ccm_report_has(ccm_report_set(v, "targets"), json_string_value(st))) {
                json_array_append(ids, json_object_get(v, "id"));
            }
        }
        json_array_append_new(by_target,
                              json_pack("{s:O, s:s, s:I, s:o}", "target", st, "label",
                                        target_label(json_string_value(st)), "count",
                                        (json_int_t)json_array_size(ids), "states", ids));
    }
    json_decref(statuses);
    json_decref(targets);
    return json_pack("{s:I, s:I, s:o, s:o}", "total", (json_int_t)json_array_size(x->states),
                     "targets", (json_int_t)ntargets, "by_status", by_status, "by_target",
                     by_target);
}

/* ---- outreach ------------------------------------------------------------------- */

/* One target state's row: the done activities naming it give whether it was
 * contacted, by whom and when last; the first planned one is the next. */
static json_t *outreach_row(const ccm_report_ctx *x, const json_t *v)
{
    const char *id = json_string_value(json_object_get(v, "id"));
    const json_t *lead = ccm_report_set(v, "lead");
    json_t *acts = json_object_get(x->by_state, id), *a, *by = json_array();
    const json_t *next = NULL;
    const char *last = NULL;
    size_t i, done = 0;

    json_array_foreach(acts, i, a)
    {
        const char *status = ccm_report_str(a, "status");
        if (status && strcmp(status, "done") == 0) {
            done++;
            ccm_report_union(by, ccm_report_set(a, "by"));
            last = ccm_report_str(a, "date"); /* activities are in date order */
        } else if (status && strcmp(status, "planned") == 0 && !next) {
            next = a;
        }
    }
    ccm_report_sort(by);
    return json_pack(
        "{s:s, s:s?, s:s?, s:s?, s:O, s:o, s:b, s:I, s:o, s:s?, s:s?, s:s?, s:o}", "id", id, "name",
        ccm_report_str(v, "name"), "status", ccm_report_str(v, "status"), "priority",
        ccm_report_str(v, "priority"), "targets", ccm_report_set(v, "targets"), "lead",
        lead ? json_incref((json_t *)lead) : json_array(), "contacted", done > 0, "done_activities",
        (json_int_t)done, "by", by, "last_contact", last, "recorded_last_contact",
        ccm_report_str(v, "last_contact"), "next_step", ccm_report_str(v, "next_step"),
        "next_planned",
        next ? json_pack("{s:O, s:s?, s:s?, s:s?}", "id", json_object_get(next, "id"), "date",
                         ccm_report_str(next, "date"), "type", ccm_report_str(next, "type"),
                         "summary", ccm_report_str(next, "summary"))
             : json_null());
}

static json_t *outreach_section(const ccm_report_ctx *x)
{
    json_t *rows = json_array(), *cover = json_array(),
           *targets = ccm_report_enum("state", "targets");
    json_t *v, *t;
    size_t i, k, contacted = 0;

    json_array_foreach(x->states, i, v)
    {
        json_t *row;
        if (json_array_size(ccm_report_set(v, "targets")) == 0) {
            continue;
        }
        if (!(row = outreach_row(x, v))) {
            json_decref(rows);
            rows = NULL;
            break;
        }
        contacted += json_is_true(json_object_get(row, "contacted"));
        json_array_append_new(rows, row);
    }
    json_array_foreach(targets, k, t)
    {
        size_t n = 0, c = 0;
        json_array_foreach(rows, i, v)
        {
            if (ccm_report_has(json_object_get(v, "targets"), json_string_value(t))) {
                n++;
                c += json_is_true(json_object_get(v, "contacted"));
            }
        }
        json_array_append_new(cover, json_pack("{s:O, s:I, s:I}", "target", t, "states",
                                               (json_int_t)n, "contacted", (json_int_t)c));
    }
    json_decref(targets);
    return json_pack("{s:I, s:I, s:I, s:o, s:o}", "targets", (json_int_t)json_array_size(rows),
                     "contacted", (json_int_t)contacted, "not_contacted",
                     (json_int_t)(json_array_size(rows) - contacted), "by_target", cover, "states",
                     rows);
}

/* ---- the model ---------------------------------------------------------------------- */

static int cmp_by_id(const void *a, const void *b)
{
    return strcmp(json_string_value(json_object_get(*(json_t *const *)a, "id")),
                  json_string_value(json_object_get(*(json_t *const *)b, "id")));
}

static int cmp_by_date(const void *a, const void *b)
{
    int c = strcmp(ccm_report_str(*(json_t *const *)a, "date"),
                   ccm_report_str(*(json_t *const *)b, "date"));
    return c ? c : cmp_by_id(a, b);
}

/* The views of the records of `kind` that are not removed, sorted; for
 * activities only those dated in the period (the others counted). An
 * element is a record document (it has "v"), viewed here, or already a
 * view (what ccm_report_collect gives). */
static json_t *prepare(const json_t *recs, const char *kind, const ccm_report_period *p,
                       size_t *outside, size_t *undated)
{
    size_t n = json_array_size(recs), k = 0, i;
    json_t **v = calloc(n + 1, sizeof(*v)), *rec, *out;
    int acts = strcmp(kind, "activity") == 0;

    if (!v) {
        return NULL;
    }
    json_array_foreach(recs, i, rec)
    {
        const char *rk = json_string_value(json_object_get(rec, "kind"));
        int is_doc = json_object_get(rec, "v") != NULL;
        json_t *view;
        if (!rk || strcmp(rk, kind) != 0 || !json_is_string(json_object_get(rec, "id")) ||
            (is_doc && ccm_record_is_deleted(rec))) {
            continue;
        }
        if (!(view = is_doc ? ccm_cli_view(rec) : json_incref(rec))) {
            continue;
        }
        if (acts && !ccm_report_is_date(ccm_report_str(view, "date"))) {
            (*undated)++;
            json_decref(view);
            continue;
        }
        if (acts && !ccm_report_in_period(p, ccm_report_str(view, "date"))) {
            (*outside)++;
            json_decref(view);
            continue;
        }
        v[k++] = view;
    }
    qsort(v, k, sizeof(*v), acts ? cmp_by_date : cmp_by_id);
    out = json_array();
    for (i = 0; i < k; i++) {
        json_array_append_new(out, v[i]);
    }
    free(v);
    return out;
}

/* state id -> the counted activities naming it, in date order. */
static json_t *index_by_state(const json_t *acts)
{
    json_t *idx = json_object(), *a, *s;
    size_t i, k;

    json_array_foreach(acts, i, a)
    {
        json_array_foreach(ccm_report_set(a, "states"), k, s)
        {
            const char *id = json_string_value(s);
            json_t *list = json_object_get(idx, id);
            if (!list) {
                json_object_set_new(idx, id, list = json_array());
            }
            json_array_append(list, a);
        }
    }
    return idx;
}

int ccm_report_build(json_t **out, const ccm_report_input *in, const ccm_report_period *period)
{
    ccm_report_ctx x = {period, NULL, NULL, NULL, in->status_log, in->members};
    json_t *model = NULL, *states = NULL, *outreach = NULL, *acts = NULL, *survey = NULL,
           *outputs = NULL;
    size_t outside = 0, undated = 0, ignored = 0;
    int rc = CCM_OK;

    *out = NULL;
    if (!(x.states = prepare(in->states, "state", period, &ignored, &ignored)) ||
        !(x.acts = prepare(in->activities, "activity", period, &outside, &undated)) ||
        !(x.by_state = index_by_state(x.acts)) || !(states = states_section(&x)) ||
        !(outreach = outreach_section(&x)) || !(acts = ccm_report_activities(&x)) ||
        !(survey = ccm_report_survey(&x)) || !(outputs = ccm_report_outputs(&x))) {
        rc = ccm_error_set(CCM_ERROR, "out of memory");
        goto done;
    }
    json_object_set_new(acts, "outside_period", json_integer((json_int_t)outside));
    json_object_set_new(acts, "undated", json_integer((json_int_t)undated));
    model =
        json_pack("{s:s, s:s, s:{s:s?, s:s?, s:b}, s:O, s:O, s:O, s:O, s:O}", "format",
                  CCM_REPORT_FORMAT, "commit", in->commit, "period", "since", period->since,
                  "until", period->until, "work_plan", period->is_plan, "states", states,
                  "outreach", outreach, "activities", acts, "survey", survey, "outputs", outputs);
    if (!model) {
        rc = ccm_error_set(CCM_ERROR, "out of memory");
        goto done;
    }
    *out = model;
done:
    json_decref(states);
    json_decref(outreach);
    json_decref(acts);
    json_decref(survey);
    json_decref(outputs);
    json_decref(x.states);
    json_decref(x.acts);
    json_decref(x.by_state);
    return rc;
}
