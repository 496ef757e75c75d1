/*
 * report.h - the universalization segment of the Meeting of States Parties
 * progress report (README, "Report").
 *
 * Three steps, each testable alone: ccm_report_collect reads what the report
 * may use from a store (states, activities, the history of states' status,
 * the group's members; never a note); ccm_report_build computes the report
 * from that, as one JSON document (the model: report.c, report_acts.c,
 * report_outputs.c); ccm_report_md and ccm_report_html render a model
 * (report_md.c, report_html.c, with the charts of svg.c). docs/report.md
 * defines every number of the model and its JSON shape.
 */
#ifndef CCM_CLI_REPORT_H
#define CCM_CLI_REPORT_H

#include <stdio.h>
#include <jansson.h>

#include "../store/store.h"

#define CCM_REPORT_FORMAT "ccmsync-report-1"

/* The work plan's period, December 2024 - September 2025: the report's
 * period when neither --since nor --until is given. */
#define CCM_REPORT_PLAN_SINCE "2024-12-01"
#define CCM_REPORT_PLAN_UNTIL "2025-09-30"

/* What a report is computed from. Each array is a new reference. States
 * and activities are record documents (removed ones may be among them), or
 * the views of those that are not removed ({"id", "kind", "fields"}, as
 * ccm_report_collect gives them). */
typedef struct {
    json_t *states;     /* state records or views */
    json_t *activities; /* activity records or views */
    json_t *status_log; /* ccm_store_log entries ({"record","field","old","new","at"}) */
    json_t *members;    /* the names of the group's current members */
    char commit[41];    /* the commit the records were read at, or "" */
} ccm_report_input;

/* The activities counted: dated from `since` to `until`, both included
 * (YYYY-MM-DD; NULL leaves that side open). */
typedef struct {
    const char *since;
    const char *until;
    int is_plan; /* 1 when this is the work plan's period, taken by default */
} ccm_report_period;

/* Reads from `s`, one record at a time: the views of the states and of the
 * activities that are not removed (of an activity, only the fields the
 * report reads), the history of the status of every state whose status is
 * party, withdrawing or withdrawn, the current members and the head commit.
 * Notes are never read. CCM_EDENIED when this member holds no key for the
 * records. Free with ccm_report_input_free. */
int ccm_report_collect(ccm_report_input *in, ccm_store *s);
void ccm_report_input_free(ccm_report_input *in); /* NULL-safe, zeroes *in */

/* Computes the report model (new reference in *out). Records of another
 * kind than expected and removed records are left out, whatever `in` holds.
 * The model depends on nothing but `in` and `period`. */
int ccm_report_build(json_t **out, const ccm_report_input *in, const ccm_report_period *period);

/* Writes the model as Markdown, or as one self-contained HTML page (inline
 * CSS and SVG, no script, nothing fetched). CCM_ERROR if `f` fails. */
int ccm_report_md(FILE *f, const json_t *model);
int ccm_report_html(FILE *f, const json_t *model);

/* ---- text escaping (report_escape.c) ----------------------------------- */

typedef enum {
    CCM_ESC_MD,   /* a Markdown table cell or line: punctuation escaped, one line */
    CCM_ESC_HTML, /* HTML text or attribute value (also inside inline SVG) */
} ccm_escape;

/* Writes `text` escaped for `mode`. Control characters and bidirectional
 * overrides never pass: line breaks and tabs become spaces, the others
 * U+FFFD. NULL writes nothing. */
void ccm_report_put(FILE *f, const char *text, ccm_escape mode);

/* ---- charts (svg.c) --------------------------------------------------------- */

/* A bar chart: one bar per category, each bar a stack of the series'
 * values (drawn left to right, or bottom to top), with a legend when there
 * are several series and the total at the end of each bar. */
typedef struct {
    const char *title;         /* for <title> and aria-label */
    int vertical;              /* 1: columns (e.g. months), 0: rows */
    size_t ncat;               /* categories */
    const char *const *cats;   /* their labels */
    size_t nser;               /* series, at most 8 */
    const char *const *series; /* their names (legend) */
    const char *const *colors; /* their fill colours (#rrggbb) */
    const double *values;      /* ncat * nser, values[cat * nser + series] >= 0 */
} ccm_svg_chart;

/* Writes the chart as an inline <svg> element in a <figure> captioned with
 * the title (text escaped). */
int ccm_svg_bar_chart(FILE *f, const ccm_svg_chart *chart);

#endif
