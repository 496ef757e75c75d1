/*
 * report_html.c - the report model as one self-contained, printable HTML
 * page: inline CSS, inline SVG charts (svg.c), no script, no font, image or
 * link to fetch (a Content-Security-Policy forbids every fetch besides), and
 * every record value escaped (report_escape.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "report_private.h"

static const char CSS[] =
    "body{font-family:'DejaVu Sans',Arial,Helvetica,sans-serif;color:#1a202c;max-width:62rem;"
    "margin:1.5rem auto;padding:0 1rem;line-height:1.4;font-size:14px}"
    "h1{font-size:1.55rem;margin:0 0 .3rem}"
    "h2{font-size:1.2rem;border-bottom:2px solid #2b6cb0;padding-bottom:.15rem;margin:1.8rem 0 "
    ".6rem}"
    "h3{font-size:1rem;margin:0 0 .3rem}"
    "p.meta{color:#4a5568;margin:.2rem 0}"
    "table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem;font-size:.82rem}"
    "th,td{border:1px solid #cbd5e0;padding:.2rem .4rem;text-align:left;vertical-align:top}"
    "th{background:#edf2f7}td.n,th.n{text-align:right;white-space:nowrap}"
    ".cards{display:flex;gap:.6rem;flex-wrap:wrap;margin:1rem 0}"
    ".card{flex:1 1 10rem;border:1px solid #cbd5e0;border-radius:4px;padding:.4rem .7rem}"
    ".card b{display:block;font-size:1.45rem}"
    ".out{border-left:6px solid #a0aec0;background:#f7fafc;padding:.4rem .8rem;margin:.7rem 0}"
    ".out.evidence{border-color:#2f855a}.out.contrary{border-color:#c53030}"
    ".out.none{border-color:#d69e2e}.out ul{margin:.3rem 0}"
    ".tag{font-weight:bold}.evidence .tag{color:#276749}.contrary .tag{color:#c53030}"
    ".none .tag{color:#975a16}td.no{color:#c53030;font-weight:bold}"
    "figure{margin:.6rem 0 1rem}figcaption{font-size:.8rem;color:#4a5568}"
    "svg.chart{max-width:100%;height:auto;display:block}"
    "svg .grid{stroke:#e2e8f0;stroke-width:1}svg text{font-size:11px;fill:#2d3748}"
    "svg .tick,svg .val{font-size:10px;fill:#4a5568}"
    "footer{margin-top:2rem;color:#4a5568;font-size:.8rem;border-top:1px solid #cbd5e0}"
    "@media print{body{margin:0;max-width:none;font-size:10.5px}h2{break-after:avoid}"
    "table,svg,.out,.cards{break-inside:avoid}@page{size:A4;margin:14mm}}";

/* The four counters of activities, in the order the charts stack them. */
static const char *const COUNT_KEYS[] = {"done", "planned", "cancelled", "unset"};
static const char *const COUNT_NAMES[] = {"Done", "Planned", "Cancelled", "No status"};
static const char *const COUNT_COLORS[] = {"#2b6cb0", "#90cdf4", "#a0aec0", "#f6e05e"};

static void put(FILE *f, const char *s)
{
    ccm_report_put(f, s, CCM_ESC_HTML);
}

static void put_list(FILE *f, const json_t *arr)
{
    size_t i;
    json_t *e;

    if (json_array_size(arr) == 0) {
        fputs("&ndash;", f);
    }
    json_array_foreach(arr, i, e)
    {
        fputs(i ? ", " : "", f);
        put(f, json_string_value(e));
    }
}

static void counts_cells(FILE *f, const json_t *c)
{
    for (size_t k = 0; k < 4; k++) {
        fprintf(f, "<td class=\"n\">%lld</td>", ccm_report_int(c, COUNT_KEYS[k]));
    }
    fprintf(f, "<td class=\"n\">%lld</td></tr>\n", ccm_report_int(c, "total"));
}

static const char COUNTS_HEAD[] = "<th class=\"n\">Done</th><th class=\"n\">Planned</th>"
                                  "<th class=\"n\">Cancelled</th><th class=\"n\">No status</th>"
                                  "<th class=\"n\">Total</th></tr>\n";

/* A stacked chart of the activity counters of each entry of `arr`, labelled
 * by label(entry). */
static int counts_chart(FILE *f, const char *title, int vertical, const json_t *arr,
                        void (*label)(char *, size_t, const json_t *))
{
    size_t n = json_array_size(arr), i;
    char **labels = calloc(n + 1, sizeof(*labels));
    double *values = calloc(n * 4 + 1, sizeof(*values));
    ccm_svg_chart c = {title, vertical, n, NULL, 4, COUNT_NAMES, COUNT_COLORS, values};
    int rc = CCM_OK;

    for (i = 0; labels && values && i < n; i++) {
        const json_t *e = json_array_get(arr, i);
        if (!(labels[i] = malloc(160))) {
            break;
        }
        label(labels[i], 160, e);
        for (size_t k = 0; k < 4; k++) {
            values[i * 4 + k] = (double)ccm_report_int(e, COUNT_KEYS[k]);
        }
    }
    if (!labels || !values || i < n) {
        rc = ccm_error_set(CCM_ERROR, "out of memory");
    } else {
        c.cats = (const char *const *)labels;
        rc = ccm_svg_bar_chart(f, &c);
    }
    for (i = 0; labels && i < n; i++) {
        free(labels[i]);
    }
    free(labels);
    free(values);
    return rc;
}

static void label_plan(char *out, size_t cap, const json_t *e)
{
    const json_t *n = json_object_get(e, "number");
    const char *type = json_string_value(json_object_get(e, "type"));

    if (json_is_integer(n)) {
        snprintf(out, cap, "%lld %s", (long long)json_integer_value(n), type);
    } else {
        snprintf(out, cap, "%s (unnumbered)", type);
    }
}

static void label_month(char *out, size_t cap, const json_t *e)
{
    char m[24];
    ccm_report_month_label(m, json_string_value(json_object_get(e, "month")), 1);
    snprintf(out, cap, "%s", m);
}

static void label_member(char *out, size_t cap, const json_t *e)
{
    const char *who = json_string_value(json_object_get(e, "member"));
    snprintf(out, cap, "%s", who ? who : "(not recorded)");
}

/* A one-series chart of the "count" of each entry, labelled by `key`. */
static int count_chart(FILE *f, const char *title, const json_t *arr, const char *key,
                       const char *none_label, const char *color)
{
    size_t n = json_array_size(arr), i;
    const char **labels = calloc(n + 1, sizeof(*labels));
    double *values = calloc(n + 1, sizeof(*values));
    const char *series[] = {"States"}, *colors[] = {color};
    ccm_svg_chart c = {title, 0, n, labels, 1, series, colors, values};
    int rc;

    if (!labels || !values) {
        free(labels);
        free(values);
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    for (i = 0; i < n; i++) {
        const json_t *e = json_array_get(arr, i);
        const char *l = json_string_value(json_object_get(e, key));
        labels[i] = l ? l : none_label;
        values[i] = (double)ccm_report_int(e, "count");
    }
    rc = ccm_svg_bar_chart(f, &c);
    free(labels);
    free(values);
    return rc;
}

static void header(FILE *f, const json_t *m)
{
    const json_t *p = json_object_get(m, "period"), *o = json_object_get(m, "outreach");
    const json_t *c = json_object_get(json_object_get(m, "activities"), "counted");
    const json_t *outs = json_object_get(m, "outputs");
    const char *since = json_string_value(json_object_get(p, "since"));
    const char *until = json_string_value(json_object_get(p, "until"));
    const char *commit = json_string_value(json_object_get(m, "commit"));

    fputs("<header><h1>Universalization of the Convention on Cluster Munitions: progress "
          "report</h1>\n<p class=\"meta\">The universalization segment of the Meeting of States "
          "Parties progress report, computed from the records of the group implementing the Work "
          "Plan on the Universalization of the CCM 2024&ndash;2025.</p>\n",
          f);
    fprintf(f, "<p class=\"meta\">Period: <b>%s</b> to <b>%s</b>%s",
            since ? since : "the first record", until ? until : "the last record",
            json_is_true(json_object_get(p, "work_plan")) ? " (the work plan's period)" : "");
    if (commit && *commit) {
        fprintf(f, ". Records as of commit <code>%.12s</code>", commit);
    }
    fputs(".</p></header>\n<div class=\"cards\">", f);
    fprintf(f,
            "<div class=\"card\"><b>%lld / %lld</b>target States contacted</div>"
            "<div class=\"card\"><b>%lld / %lld</b>activities done in the period</div>"
            "<div class=\"card\"><b>%zu</b>new States Parties in the period</div>"
            "<div class=\"card\"><b>%lld</b>withdrawal announcements in the period</div></div>\n",
            ccm_report_int(o, "contacted"), ccm_report_int(o, "targets"), ccm_report_int(c, "done"),
            ccm_report_int(c, "total"),
            json_array_size(json_object_get(json_array_get(outs, 1), "states")),
            ccm_report_int(json_array_get(outs, 0), "announced_in_period"));
}

static void outputs(FILE *f, const json_t *m)
{
    const json_t *o, *e;
    size_t i, k;

    fputs("<section id=\"outputs\"><h2>Expected outputs</h2>\n", f);
    json_array_foreach(json_object_get(m, "outputs"), i, o)
    {
        const char *a = json_string_value(json_object_get(o, "assessment"));
        fputs("<div class=\"out ", f);
        put(f, a);
        fprintf(f, "\"><h3>%lld. ", ccm_report_int(o, "number"));
        put(f, json_string_value(json_object_get(o, "title")));
        fprintf(f, "</h3><p><span class=\"tag\">%s.</span> ", ccm_report_assessment_label(a));
        put(f, json_string_value(json_object_get(o, "summary")));
        fputs(".</p>", f);
        if (json_array_size(json_object_get(o, "evidence"))) {
            fputs("<ul>", f);
            json_array_foreach(json_object_get(o, "evidence"), k, e)
            {
                if (k == CCM_REPORT_EVIDENCE_SHOWN) {
                    fprintf(f, "<li>&hellip; and %zu more (in the JSON report)</li>",
                            json_array_size(json_object_get(o, "evidence")) - k);
                    break;
                }
                fputs("<li>", f);
                put(f, json_string_value(e));
                fputs("</li>", f);
            }
            fputs("</ul>", f);
        }
        fputs("</div>\n", f);
    }
    fputs("</section>\n", f);
}

static int states(FILE *f, const json_t *m)
{
    const json_t *s = json_object_get(m, "states"), *o = json_object_get(m, "outreach"), *e;
    size_t i, n = json_array_size(json_object_get(o, "by_target"));
    const char **labels = calloc(n + 1, sizeof(*labels));
    double *values = calloc(n * 2 + 1, sizeof(*values));
    const char *series[] = {"Contacted", "Not contacted"}, *colors[] = {"#2f855a", "#ed8936"};
    ccm_svg_chart cover = {"Target States contacted in the period, by target category",
                           0,
                           n,
                           labels,
                           2,
                           series,
                           colors,
                           values};
    int rc;

    fprintf(f,
            "<section id=\"states\"><h2>States by status and target category</h2>\n"
            "<p>%lld States are recorded, %lld of them target States of the work plan.</p>\n",
            ccm_report_int(s, "total"), ccm_report_int(s, "targets"));
    if ((rc = count_chart(f, "States by status", json_object_get(s, "by_status"), "status",
                          "(not recorded)", "#2b6cb0")) < 0) {
        goto done;
    }
    fputs("<table><tr><th>Status</th><th class=\"n\">States</th><th>Which</th></tr>\n", f);
    json_array_foreach(json_object_get(s, "by_status"), i, e)
    {
        const char *st = json_string_value(json_object_get(e, "status"));
        fputs("<tr><td>", f);
        put(f, st ? st : "(not recorded)");
        fprintf(f, "</td><td class=\"n\">%lld</td><td>", ccm_report_int(e, "count"));
        put_list(f, json_object_get(e, "states"));
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n", f);
    if (!labels || !values) {
        rc = ccm_error_set(CCM_ERROR, "out of memory");
        goto done;
    }
    json_array_foreach(json_object_get(o, "by_target"), i, e)
    {
        labels[i] = json_string_value(json_object_get(e, "target"));
        values[i * 2] = (double)ccm_report_int(e, "contacted");
        values[i * 2 + 1] = (double)(ccm_report_int(e, "states") - ccm_report_int(e, "contacted"));
    }
    if ((rc = ccm_svg_bar_chart(f, &cover)) < 0) {
        goto done;
    }
    fputs("<table><tr><th>Target category</th><th class=\"n\">States</th>"
          "<th class=\"n\">Contacted</th><th>Which</th></tr>\n",
          f);
    json_array_foreach(json_object_get(s, "by_target"), i, e)
    {
        fputs("<tr><td>", f);
        put(f, json_string_value(json_object_get(e, "label")));
        fputs(" (<code>", f);
        put(f, json_string_value(json_object_get(e, "target")));
        fprintf(f, "</code>)</td><td class=\"n\">%lld</td><td class=\"n\">%lld</td><td>",
                ccm_report_int(e, "count"),
                ccm_report_int(json_array_get(json_object_get(o, "by_target"), i), "contacted"));
        put_list(f, json_object_get(e, "states"));
        fputs("</td></tr>\n", f);
    }
    fputs("</table></section>\n", f);
done:
    free(labels);
    free(values);
    return rc;
}

static void outreach(FILE *f, const json_t *m)
{
    const json_t *o = json_object_get(m, "outreach"), *r;
    size_t i;

    fprintf(f,
            "<section id=\"outreach\"><h2>Outreach to target States</h2>\n<p>%lld of %lld target "
            "States were contacted in the period (an activity done with them); %lld were "
            "not.</p>\n<table><tr><th>State</th><th>Targets</th><th>Contacted</th><th>By</th>"
            "<th>Last contact</th><th>Next step</th></tr>\n",
            ccm_report_int(o, "contacted"), ccm_report_int(o, "targets"),
            ccm_report_int(o, "not_contacted"));
    json_array_foreach(json_object_get(o, "states"), i, r)
    {
        const char *last = json_string_value(json_object_get(r, "last_contact"));
        const char *rec = json_string_value(json_object_get(r, "recorded_last_contact"));
        const char *next = json_string_value(json_object_get(r, "next_step"));
        const json_t *np = json_object_get(r, "next_planned");
        fputs("<tr><td>", f);
        put(f, json_string_value(json_object_get(r, "name")));
        fprintf(f, " (%s)</td><td>", json_string_value(json_object_get(r, "id")));
        put_list(f, json_object_get(r, "targets"));
        if (json_is_true(json_object_get(r, "contacted"))) {
            fprintf(f, "</td><td>yes (%lld)</td><td>", ccm_report_int(r, "done_activities"));
        } else {
            fputs("</td><td class=\"no\">no</td><td>", f);
        }
        put_list(f, json_object_get(r, "by"));
        fprintf(f, "</td><td>%s", last ? last : "&ndash;");
        if (rec && (!last || strcmp(rec, last) != 0)) {
            fputs(" (the record says ", f);
            put(f, rec);
            fputs(")", f);
        }
        fputs("</td><td>", f);
        put(f, next);
        if (json_is_object(np)) {
            fprintf(f, "%splanned %s ", next ? "; " : "",
                    json_string_value(json_object_get(np, "date")));
            put(f, json_string_value(json_object_get(np, "type")));
        } else if (!next) {
            fputs("&ndash;", f);
        }
        fputs("</td></tr>\n", f);
    }
    fputs("</table></section>\n", f);
}

static int activities(FILE *f, const json_t *m)
{
    const json_t *a = json_object_get(m, "activities"), *c = json_object_get(a, "counted"), *e;
    size_t i, k;
    int rc;

    fprintf(f,
            "<section id=\"activities\"><h2>Activities by work-plan activity</h2>\n<p>%lld "
            "activities in the period: %lld done, %lld planned, %lld cancelled, %lld without a "
            "status. %lld activities dated outside the period are not counted.</p>\n",
            ccm_report_int(c, "total"), ccm_report_int(c, "done"), ccm_report_int(c, "planned"),
            ccm_report_int(c, "cancelled"), ccm_report_int(c, "unset"),
            ccm_report_int(a, "outside_period"));
    if ((rc = counts_chart(f, "Activities by work-plan activity", 0,
                           json_object_get(a, "by_plan_activity"), label_plan)) < 0) {
        return rc;
    }
    fprintf(f, "<table><tr><th class=\"n\">#</th><th>Activity</th>%s", COUNTS_HEAD);
    json_array_foreach(json_object_get(a, "by_plan_activity"), i, e)
    {
        const json_t *n = json_object_get(e, "number");
        if (json_is_integer(n)) {
            fprintf(f, "<tr><td class=\"n\">%lld</td><td>", (long long)json_integer_value(n));
        } else {
            fputs("<tr><td class=\"n\">&ndash;</td><td>", f);
        }
        put(f, json_string_value(json_object_get(e, "title")));
        fputs(" (<code>", f);
        put(f, json_string_value(json_object_get(e, "type")));
        fputs("</code>)</td>", f);
        counts_cells(f, e);
    }
    fputs("</table></section>\n<section id=\"months\"><h2>Activities by month, against the work "
          "plan's timeline</h2>\n",
          f);
    if ((rc = counts_chart(f, "Activities by month: done, planned, cancelled", 1,
                           json_object_get(a, "by_month"), label_month)) < 0) {
        return rc;
    }
    fprintf(f, "<table><tr><th>Month</th><th>Work plan</th>%s", COUNTS_HEAD);
    json_array_foreach(json_object_get(a, "by_month"), i, e)
    {
        char label[24];
        const json_t *items = json_object_get(e, "plan"), *it;
        ccm_report_month_label(label, json_string_value(json_object_get(e, "month")), 0);
        fprintf(f, "<tr><td>%s</td><td>", label);
        json_array_foreach(items, k, it)
        {
            fputs(k ? "<br>" : "", f);
            put(f, json_string_value(it));
        }
        if (!json_array_size(items)) {
            fputs(json_is_true(json_object_get(e, "in_plan")) ? "<i>(overarching activities)</i>"
                                                              : "&ndash;",
                  f);
        }
        fputs("</td>", f);
        counts_cells(f, e);
    }
    fputs("</table></section>\n<section id=\"implementers\"><h2>Activities by "
          "implementer</h2>\n<p>An activity with several implementers counts for each of "
          "them.</p>\n",
          f);
    /* The row of activities without implementers, only when there are some. */
    json_t *impl = json_array();
    json_array_foreach(json_object_get(a, "by_implementer"), i, e)
    {
        if (json_string_value(json_object_get(e, "member")) || ccm_report_int(e, "total") > 0) {
            json_array_append(impl, (json_t *)e);
        }
    }
    if ((rc = counts_chart(f, "Activities by implementer", 0, impl, label_member)) < 0) {
        json_decref(impl);
        return rc;
    }
    fprintf(f, "<table><tr><th>Implementer</th>%s", COUNTS_HEAD);
    json_array_foreach(impl, i, e)
    {
        const char *who = json_string_value(json_object_get(e, "member"));
        fputs("<tr><td>", f);
        put(f, who ? who : "(not recorded)");
        fputs(who && !json_is_true(json_object_get(e, "in_group")) ? " (not a member)" : "", f);
        fputs("</td>", f);
        counts_cells(f, e);
    }
    json_decref(impl);
    fputs("</table></section>\n", f);
    return CCM_OK;
}

static int survey(FILE *f, const json_t *m)
{
    const json_t *s = json_object_get(m, "survey"), *sa = json_object_get(s, "survey_activities");
    const json_t *e;
    size_t i;
    int rc;

    fprintf(f,
            "<section id=\"survey\"><h2>Survey: reasons for not joining</h2>\n<p>Reasons are "
            "recorded for %lld State(s) (%lld of %lld target States). Survey activities in the "
            "period: %lld done, %lld planned.</p>\n",
            ccm_report_int(s, "states_with_reasons"),
            ccm_report_int(s, "target_states_with_reasons"), ccm_report_int(s, "target_states"),
            ccm_report_int(sa, "done"), ccm_report_int(sa, "planned"));
    if ((rc = count_chart(f, "Reasons for not joining, by number of States",
                          json_object_get(s, "reasons"), "reason", "", "#805ad5")) < 0) {
        return rc;
    }
    fputs("<table><tr><th>Reason</th><th class=\"n\">States</th><th>Which</th></tr>\n", f);
    json_array_foreach(json_object_get(s, "reasons"), i, e)
    {
        fputs("<tr><td>", f);
        put(f, json_string_value(json_object_get(e, "reason")));
        fprintf(f, "</td><td class=\"n\">%lld</td><td>", ccm_report_int(e, "count"));
        put_list(f, json_object_get(e, "states"));
        fputs("</td></tr>\n", f);
    }
    fputs("</table></section>\n", f);
    return CCM_OK;
}

int ccm_report_html(FILE *f, const json_t *model)
{
    int rc;

    fprintf(f,
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
            "style-src 'unsafe-inline'\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            "<title>Universalization of the CCM: progress report</title>\n<style>%s</style>\n"
            "</head>\n<body>\n",
            CSS);
    header(f, model);
    outputs(f, model);
    if ((rc = states(f, model)) < 0) {
        return rc;
    }
    outreach(f, model);
    if ((rc = activities(f, model)) < 0 || (rc = survey(f, model)) < 0) {
        return rc;
    }
    fputs("<footer><p>Computed by ccmsync from the group's shared records (states and "
          "activities; notes never appear). A target State counts as contacted when an activity "
          "done in the period names it; its last contact is the date of the latest such "
          "activity.</p></footer>\n</body>\n</html>\n",
          f);
    return ferror(f) ? ccm_error_set(CCM_ERROR, "cannot write the report") : CCM_OK;
}
