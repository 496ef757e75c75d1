/*
 * report_outputs.c - the work plan's four expected outputs, each with the
 * evidence the records hold for it, or an honest "no evidence yet":
 *
 *   1 no other withdrawal announcement      states withdrawing or withdrawn,
 *                                           and when they announced it
 *   2 at least one new State Party          states party that joined in the
 *                                           period
 *   3 reasons understood                    survey reasons recorded, survey
 *                                           activities done
 *   4 awareness raised                      side events, regional workshops,
 *                                           IPU, treaty events, regional
 *                                           organisations done
 *
 * Dates of events come from the state's own date fields when it has them
 * (ratified, acceded, withdrawal_voted, withdrawal_deposited: what `seed`
 * records), otherwise from the history of its status field: when the record
 * was changed to that status. docs/report.md states each rule.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "report_private.h"

#define EVIDENCE "evidence"
#define CONTRARY "contrary"
#define NONE "none"

/* The earliest calendar date among the fields (NULL if none); *which is
 * the field it came from. */
static const char *earliest(const json_t *v, const char *const *fields, const char **which)
{
    const char *best = NULL;

    *which = NULL;
    for (; *fields; fields++) {
        const char *d = ccm_report_str(v, *fields);
        if (ccm_report_is_date(d) && (!best || strcmp(d, best) < 0)) {
            best = d;
            *which = *fields;
        }
    }
    return best;
}

static int in_list(const char *s, const char *const *list)
{
    for (; s && *list; list++) {
        if (strcmp(s, *list) == 0) {
            return 1;
        }
    }
    return 0;
}

/* The date (into out) of the latest change of state `id`'s status to one of
 * `to`, from a status not among them, made within the period; 0 if none. */
static int changed_in_period(const ccm_report_ctx *x, const char *id, const char *const *to,
                             char out[11])
{
    const json_t *e;
    size_t i;
    int found = 0;

    out[0] = 0;
    json_array_foreach(x->log, i, e)
    {
        const char *rec = json_string_value(json_object_get(e, "record"));
        const char *field = json_string_value(json_object_get(e, "field"));
        const char *at = json_string_value(json_object_get(e, "at"));
        char day[11];
        if (!rec || !field || !at || strlen(at) < 10 || strcmp(rec, id) != 0 ||
            strcmp(field, "status") != 0 ||
            !in_list(json_string_value(json_object_get(e, "new")), to) ||
            in_list(json_string_value(json_object_get(e, "old")), to)) {
            continue;
        }
        snprintf(day, sizeof(day), "%.10s", at);
        if (ccm_report_in_period(x->period, day) && strcmp(day, out) > 0) {
            memcpy(out, day, sizeof(day));
            found = 1;
        }
    }
    return found;
}

static const char *name_of(const json_t *v)
{
    const char *n = ccm_report_str(v, "name");
    return n ? n : json_string_value(json_object_get(v, "id"));
}

static json_t *output(int number, const char *key, const char *title, const char *assessment,
                      json_t *summary, json_t *evidence)
{
    return json_pack("{s:i, s:s, s:s, s:s, s:o, s:o}", "number", number, "key", key, "title", title,
                     "assessment", assessment, "summary", summary, "evidence", evidence);
}

/* ---- 1: no other withdrawal announcement ------------------------------------- */

static json_t *no_withdrawal(const ccm_report_ctx *x)
{
    static const char *const statuses[] = {"withdrawing", "withdrawn", NULL};
    static const char *const announce[] = {"withdrawal_voted", "withdrawal_deposited", NULL};
    json_t *known = json_array(), *evidence = json_array(), *v, *o;
    size_t i, in_period = 0;

    json_array_foreach(x->states, i, v)
    {
        const char *status = ccm_report_str(v, "status"), *which, *ann, *eff;
        char changed[11];
        int recorded, now;
        if (!in_list(status, statuses)) {
            continue;
        }
        ann = earliest(v, announce, &which);
        eff = ccm_report_str(v, "withdrawal_effective");
        eff = ccm_report_is_date(eff) ? eff : NULL;
        recorded =
            changed_in_period(x, json_string_value(json_object_get(v, "id")), statuses, changed);
        now = ann ? ccm_report_in_period(x->period, ann) : recorded;
        in_period += now;
        json_array_append_new(
            known, json_pack("{s:O, s:s, s:s, s:s?, s:s?, s:s?, s:s?, s:b}", "id",
                             json_object_get(v, "id"), "name", name_of(v), "status", status,
                             "announced", ann, "announced_field", which, "effective", eff,
                             "status_recorded", recorded ? changed : NULL, "in_period", now));
        if (ann) {
            json_array_append_new(
                evidence, json_sprintf("%s (%s): withdrawal announced %s%s%s%s", name_of(v), status,
                                       ann, now ? ", in the period" : ", before the period",
                                       eff ? "; effective " : "", eff ? eff : ""));
        } else {
            json_array_append_new(
                evidence,
                recorded
                    ? json_sprintf("%s: recorded as %s on %s, in the period", name_of(v), status,
                                   changed)
                    : json_sprintf("%s: %s; no date of the announcement recorded, and its status "
                                   "was not changed in the period",
                                   name_of(v), status));
        }
    }
    o = output(1, "no-further-withdrawal",
               "No other withdrawal announcement prior to or during the 13MSP",
               in_period ? CONTRARY : EVIDENCE,
               in_period ? json_sprintf("%zu withdrawal announcement%s in the period", in_period,
                                        in_period == 1 ? "" : "s")
               : json_array_size(known)
                   ? json_sprintf("No new withdrawal announcement in the period; %zu earlier "
                                  "withdrawal%s recorded",
                                  json_array_size(known), json_array_size(known) == 1 ? "" : "s")
                   : json_string("No State is recorded as withdrawing or withdrawn"),
               evidence);
    json_object_set_new(o, "withdrawals", known);
    json_object_set_new(o, "announced_in_period", json_integer((json_int_t)in_period));
    return o;
}

/* ---- 2: at least one new State Party ------------------------------------------ */

static json_t *new_party(const ccm_report_ctx *x)
{
    static const char *const party[] = {"party", NULL};
    static const char *const joined[] = {"ratified", "acceded", NULL};
    json_t *states = json_array(), *evidence = json_array(), *v, *o;
    size_t i, n;

    json_array_foreach(x->states, i, v)
    {
        const char *status = ccm_report_str(v, "status"), *which, *date;
        char changed[11];
        if (!in_list(status, party)) {
            continue;
        }
        if ((date = earliest(v, joined, &which))) {
            if (!ccm_report_in_period(x->period, date)) {
                continue;
            }
        } else if (changed_in_period(x, json_string_value(json_object_get(v, "id")), party,
                                     changed)) {
            date = changed;
            which = "recorded";
        } else {
            continue;
        }
        json_array_append_new(states,
                              json_pack("{s:O, s:s, s:s, s:s}", "id", json_object_get(v, "id"),
                                        "name", name_of(v), "date", date, "how", which));
        json_array_append_new(
            evidence, strcmp(which, "recorded") == 0
                          ? json_sprintf("%s: recorded as State Party on %s", name_of(v), date)
                          : json_sprintf("%s: %s %s", name_of(v), which, date));
    }
    n = json_array_size(states);
    o = output(2, "new-state-party", "At least one new State Party by the 13MSP",
               n ? EVIDENCE : NONE,
               n ? json_sprintf("%zu new State%s Party in the period", n, n == 1 ? "" : "s")
                 : json_string("No State is recorded as joining in the period"),
               evidence);
    json_object_set_new(o, "states", states);
    return o;
}

/* ---- 3: reasons understood ------------------------------------------------------- */

/* Sorts reasons by count, most cited first; ties keep the schema's order. */
static void by_count_desc(json_t **r, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        json_t *x = r[i];
        json_int_t c = json_integer_value(json_object_get(x, "count"));
        size_t k = i;
        for (; k > 0 && json_integer_value(json_object_get(r[k - 1], "count")) < c; k--) {
            r[k] = r[k - 1];
        }
        r[k] = x;
    }
}

static json_t *reasons_understood(const ccm_report_ctx *x, const json_t *survey)
{
    const json_t *reasons = json_object_get(survey, "reasons");
    size_t with = (size_t)json_integer_value(json_object_get(survey, "states_with_reasons"));
    size_t targets = (size_t)json_integer_value(json_object_get(survey, "target_states"));
    size_t twith =
        (size_t)json_integer_value(json_object_get(survey, "target_states_with_reasons"));
    size_t done = (size_t)json_integer_value(
        json_object_get(json_object_get(survey, "survey_activities"), "done"));
    json_t *evidence = json_array(),
           **cited = calloc(json_array_size(reasons) + 1, sizeof(json_t *));
    json_t *r;
    size_t i, n = 0;
    char line[1024];
    size_t len = 0;

    (void)x;
    if (!cited) {
        json_decref(evidence);
        return NULL;
    }
    json_array_foreach(reasons, i, r)
    {
        if (json_integer_value(json_object_get(r, "count")) > 0) {
            cited[n++] = r;
        }
    }
    by_count_desc(cited, n);
    if (with) {
        json_array_append_new(evidence,
                              json_sprintf("Reasons recorded for %zu State%s (%zu of %zu target "
                                           "States)",
                                           with, with == 1 ? "" : "s", twith, targets));
        line[0] = 0;
        for (i = 0; i < n && len < sizeof(line); i++) {
            len +=
                (size_t)snprintf(line + len, sizeof(line) - len, "%s%s %lld", i ? ", " : "",
                                 json_string_value(json_object_get(cited[i], "reason")),
                                 (long long)json_integer_value(json_object_get(cited[i], "count")));
        }
        json_array_append_new(evidence, json_sprintf("Reasons cited: %s", line));
    }
    if (done) {
        json_array_append_new(evidence, json_sprintf("%zu survey activit%s done in the period",
                                                     done, done == 1 ? "y" : "ies"));
    }
    free(cited);
    return output(3, "reasons-understood",
                  "Fact-based understanding of the reasons why some States do not ratify",
                  with || done ? EVIDENCE : NONE,
                  with || done
                      ? json_sprintf("Reasons recorded for %zu State%s; %zu survey activit%s done",
                                     with, with == 1 ? "" : "s", done, done == 1 ? "y" : "ies")
                      : json_string("No survey reason is recorded and no survey activity was done "
                                    "in the period"),
                  evidence);
}

/* ---- 4: awareness raised ------------------------------------------------------------ */

/* Activities that reach beyond the delegations: side events (3), regional
 * workshops (6), the IPU (8), treaty events (10), regional organisations
 * (11). */
static const char *const AWARENESS[] = {"side-event",   "regional-workshop", "ipu",
                                        "treaty-event", "regional-org",      NULL};

static json_t *awareness(const ccm_report_ctx *x)
{
    json_t *acts = json_array(), *evidence = json_array(), *a, *o;
    size_t i, n;

    json_array_foreach(x->acts, i, a)
    {
        const char *type = ccm_report_str(a, "type"), *status = ccm_report_str(a, "status");
        const char *summary = ccm_report_str(a, "summary");
        if (!in_list(type, AWARENESS) || !status || strcmp(status, "done") != 0) {
            continue;
        }
        json_array_append_new(acts, json_pack("{s:O, s:s, s:s, s:i, s:s?}", "id",
                                              json_object_get(a, "id"), "date",
                                              ccm_report_str(a, "date"), "type", type, "number",
                                              ccm_report_plan_number(type), "summary", summary));
        json_array_append_new(evidence,
                              json_sprintf("%s %s (activity %d)%s%s", ccm_report_str(a, "date"),
                                           type, ccm_report_plan_number(type), summary ? ": " : "",
                                           summary ? summary : ""));
    }
    n = json_array_size(acts);
    o = output(
        4, "awareness-raised", "Awareness raising of the Convention among the broader public",
        n ? EVIDENCE : NONE,
        n ? json_sprintf("%zu awareness activit%s done in the period", n, n == 1 ? "y" : "ies")
          : json_string("No side event, regional workshop, IPU, treaty event or "
                        "regional organisation activity was done in the period"),
        evidence);
    json_object_set_new(o, "activities", acts);
    return o;
}

json_t *ccm_report_outputs(const ccm_report_ctx *x)
{
    json_t *survey = ccm_report_survey(x), *out;

    if (!survey) {
        return NULL;
    }
    out = json_pack("[o, o, o, o]", no_withdrawal(x), new_party(x), reasons_understood(x, survey),
                    awareness(x));
    json_decref(survey);
    return out;
}
