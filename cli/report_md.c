/*
 * report_md.c - the report model as Markdown, for editing into the progress
 * report: a heading per section, tables in the pipe form most editors and
 * converters read, every record value escaped (report_escape.c).
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "report_private.h"

/* Writes a text escaped for a Markdown table cell or line. */
static void put(FILE *f, const char *s)
{
    ccm_report_put(f, s, CCM_ESC_MD);
}

/* Writes the strings of an array, separated by ", " ("-" if empty). */
static void put_list(FILE *f, const json_t *arr)
{
    size_t i;
    json_t *e;

    if (json_array_size(arr) == 0) {
        fputs("-", f);
    }
    json_array_foreach(arr, i, e)
    {
        fputs(i ? ", " : "", f);
        put(f, json_string_value(e));
    }
}

static void counts_cells(FILE *f, const json_t *c)
{
    fprintf(f, " %lld | %lld | %lld | %lld | %lld |\n", ccm_report_int(c, "done"),
            ccm_report_int(c, "planned"), ccm_report_int(c, "cancelled"),
            ccm_report_int(c, "unset"), ccm_report_int(c, "total"));
}

static void header(FILE *f, const json_t *m)
{
    const json_t *p = json_object_get(m, "period");
    const char *since = json_string_value(json_object_get(p, "since"));
    const char *until = json_string_value(json_object_get(p, "until"));
    const char *commit = json_string_value(json_object_get(m, "commit"));

    fputs("# Universalization of the Convention on Cluster Munitions: progress report\n\n"
          "The universalization segment of the Meeting of States Parties progress report, "
          "computed from the records of the group implementing the Work Plan on the "
          "Universalization of the CCM 2024-2025.\n\n",
          f);
    fprintf(f, "- Period: %s to %s%s\n", since ? since : "the first record",
            until ? until : "the last record",
            json_is_true(json_object_get(p, "work_plan")) ? " (the work plan's period)" : "");
    if (commit && *commit) {
        fprintf(f, "- Records as of commit `%.12s`\n", commit);
    }
    fputs("\n", f);
}

static void outputs(FILE *f, const json_t *m)
{
    const json_t *o, *e;
    size_t i, k;

    fputs("## Expected outputs\n\n", f);
    json_array_foreach(json_object_get(m, "outputs"), i, o)
    {
        fprintf(f, "### %lld. ", ccm_report_int(o, "number"));
        put(f, json_string_value(json_object_get(o, "title")));
        fprintf(f, "\n\n**%s.** ",
                ccm_report_assessment_label(json_string_value(json_object_get(o, "assessment"))));
        put(f, json_string_value(json_object_get(o, "summary")));
        fputs(".\n\n", f);
        json_array_foreach(json_object_get(o, "evidence"), k, e)
        {
            if (k == CCM_REPORT_EVIDENCE_SHOWN) {
                fprintf(f, "- ... and %zu more (in the JSON report)\n",
                        json_array_size(json_object_get(o, "evidence")) - k);
                break;
            }
            fputs("- ", f);
            put(f, json_string_value(e));
            fputs("\n", f);
        }
        if (json_array_size(json_object_get(o, "evidence"))) {
            fputs("\n", f);
        }
    }
}

static void states(FILE *f, const json_t *m)
{
    const json_t *s = json_object_get(m, "states"), *o = json_object_get(m, "outreach"), *e, *c;
    size_t i;

    fprintf(f,
            "## States by status and target category\n\n%lld States are recorded, %lld of "
            "them target States of the work plan.\n\n| Status | States | Which |\n|---|---:|---|\n",
            ccm_report_int(s, "total"), ccm_report_int(s, "targets"));
    json_array_foreach(json_object_get(s, "by_status"), i, e)
    {
        const char *st = json_string_value(json_object_get(e, "status"));
        fputs("| ", f);
        put(f, st ? st : "(not recorded)");
        fprintf(f, " | %lld | ", ccm_report_int(e, "count"));
        put_list(f, json_object_get(e, "states"));
        fputs(" |\n", f);
    }
    fputs("\n| Target category | States | Contacted | Which |\n|---|---:|---:|---|\n", f);
    json_array_foreach(json_object_get(s, "by_target"), i, e)
    {
        c = json_array_get(json_object_get(o, "by_target"), i);
        fputs("| ", f);
        put(f, json_string_value(json_object_get(e, "label")));
        fputs(" (`", f);
        put(f, json_string_value(json_object_get(e, "target")));
        fprintf(f, "`) | %lld | %lld | ", ccm_report_int(e, "count"),
                ccm_report_int(c, "contacted"));
        put_list(f, json_object_get(e, "states"));
        fputs(" |\n", f);
    }
    fputs("\n", f);
}

static void outreach(FILE *f, const json_t *m)
{
    const json_t *o = json_object_get(m, "outreach"), *r;
    size_t i;

    fprintf(f,
            "## Outreach to target States\n\n%lld of %lld target States were contacted in the "
            "period (an activity done with them); %lld were not.\n\n"
            "| State | Targets | Contacted | By | Last contact | Next step |\n"
            "|---|---|---|---|---|---|\n",
            ccm_report_int(o, "contacted"), ccm_report_int(o, "targets"),
            ccm_report_int(o, "not_contacted"));
    json_array_foreach(json_object_get(o, "states"), i, r)
    {
        const char *last = json_string_value(json_object_get(r, "last_contact"));
        const char *rec = json_string_value(json_object_get(r, "recorded_last_contact"));
        const char *next = json_string_value(json_object_get(r, "next_step"));
        const json_t *np = json_object_get(r, "next_planned");
        fputs("| ", f);
        put(f, json_string_value(json_object_get(r, "name")));
        fprintf(f, " (%s) | ", json_string_value(json_object_get(r, "id")));
        put_list(f, json_object_get(r, "targets"));
        if (json_is_true(json_object_get(r, "contacted"))) {
            fprintf(f, " | yes (%lld) | ", ccm_report_int(r, "done_activities"));
        } else {
            fputs(" | **no** | ", f);
        }
        put_list(f, json_object_get(r, "by"));
        fprintf(f, " | %s", last ? last : "-");
        if (rec && (!last || strcmp(rec, last) != 0)) {
            fputs(" (the record says ", f);
            put(f, rec);
            fputs(")", f);
        }
        fputs(" | ", f);
        put(f, next);
        if (json_is_object(np)) {
            fprintf(f, "%splanned %s ", next ? "; " : "",
                    json_string_value(json_object_get(np, "date")));
            put(f, json_string_value(json_object_get(np, "type")));
        } else if (!next) {
            fputs("-", f);
        }
        fputs(" |\n", f);
    }
    fputs("\n", f);
}

static void activities(FILE *f, const json_t *m)
{
    const json_t *a = json_object_get(m, "activities"), *c = json_object_get(a, "counted"), *e;
    size_t i, k;

    fprintf(f,
            "## Activities by work-plan activity\n\n%lld activities in the period: %lld done, "
            "%lld planned, %lld cancelled, %lld without a status. %lld activities dated outside "
            "the period are not counted.\n\n"
            "| # | Activity | Done | Planned | Cancelled | No status | Total |\n"
            "|---:|---|---:|---:|---:|---:|---:|\n",
            ccm_report_int(c, "total"), ccm_report_int(c, "done"), ccm_report_int(c, "planned"),
            ccm_report_int(c, "cancelled"), ccm_report_int(c, "unset"),
            ccm_report_int(a, "outside_period"));
    json_array_foreach(json_object_get(a, "by_plan_activity"), i, e)
    {
        json_t *n = json_object_get(e, "number");
        if (json_is_integer(n)) {
            fprintf(f, "| %lld | ", (long long)json_integer_value(n));
        } else {
            fputs("| - | ", f);
        }
        put(f, json_string_value(json_object_get(e, "title")));
        fputs(" (`", f);
        put(f, json_string_value(json_object_get(e, "type")));
        fputs("`) |", f);
        counts_cells(f, e);
    }
    fputs("\n## Activities by month, against the work plan's timeline\n\n"
          "| Month | Work plan | Done | Planned | Cancelled | No status | Total |\n"
          "|---|---|---:|---:|---:|---:|---:|\n",
          f);
    json_array_foreach(json_object_get(a, "by_month"), i, e)
    {
        char label[24];
        const json_t *items = json_object_get(e, "plan"), *it;
        ccm_report_month_label(label, json_string_value(json_object_get(e, "month")), 0);
        fprintf(f, "| %s | ", label);
        json_array_foreach(items, k, it)
        {
            fputs(k ? "; " : "", f);
            put(f, json_string_value(it));
        }
        if (!json_array_size(items)) {
            fputs(json_is_true(json_object_get(e, "in_plan")) ? "(overarching activities)" : "-",
                  f);
        }
        fputs(" |", f);
        counts_cells(f, e);
    }
    fputs("\n## Activities by implementer\n\n"
          "An activity with several implementers counts for each of them.\n\n"
          "| Implementer | Done | Planned | Cancelled | No status | Total |\n"
          "|---|---:|---:|---:|---:|---:|\n",
          f);
    json_array_foreach(json_object_get(a, "by_implementer"), i, e)
    {
        const char *who = json_string_value(json_object_get(e, "member"));
        if (!who && ccm_report_int(e, "total") == 0) {
            continue; /* every activity names its implementers */
        }
        fputs("| ", f);
        put(f, who ? who : "(not recorded)");
        fputs(who && !json_is_true(json_object_get(e, "in_group")) ? " (not a member)" : "", f);
        fputs(" |", f);
        counts_cells(f, e);
    }
    fputs("\n", f);
}

static void survey(FILE *f, const json_t *m)
{
    const json_t *s = json_object_get(m, "survey"), *sa = json_object_get(s, "survey_activities");
    const json_t *e;
    size_t i;

    fprintf(f,
            "## Survey: reasons for not joining\n\nReasons are recorded for %lld State(s) (%lld of "
            "%lld target States). Survey activities in the period: %lld done, %lld planned.\n\n"
            "| Reason | States | Which |\n|---|---:|---|\n",
            ccm_report_int(s, "states_with_reasons"),
            ccm_report_int(s, "target_states_with_reasons"), ccm_report_int(s, "target_states"),
            ccm_report_int(sa, "done"), ccm_report_int(sa, "planned"));
    json_array_foreach(json_object_get(s, "reasons"), i, e)
    {
        fputs("| ", f);
        put(f, json_string_value(json_object_get(e, "reason")));
        fprintf(f, " | %lld | ", ccm_report_int(e, "count"));
        put_list(f, json_object_get(e, "states"));
        fputs(" |\n", f);
    }
    fputs("\n", f);
}

int ccm_report_md(FILE *f, const json_t *model)
{
    header(f, model);
    outputs(f, model);
    states(f, model);
    outreach(f, model);
    activities(f, model);
    survey(f, model);
    fputs("---\n\nComputed by ccmsync from the group's shared records (states and activities; "
          "notes never appear). A target State counts as contacted when an activity done in the "
          "period names it; its last contact is the date of the latest such activity.\n",
          f);
    return ferror(f) ? ccm_error_set(CCM_ERROR, "cannot write the report") : CCM_OK;
}
