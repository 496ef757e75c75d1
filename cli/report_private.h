/*
 * report_private.h - what the files of the report model share: the prepared
 * records, field accessors, status counters and the work plan's tables.
 */
#ifndef CCM_CLI_REPORT_PRIVATE_H
#define CCM_CLI_REPORT_PRIVATE_H

#include "report.h"

/* The records a model is computed from, prepared by ccm_report_build. */
typedef struct {
    const ccm_report_period *period;
    json_t *states;        /* views of the states (not removed), sorted by id */
    json_t *acts;          /* views of the counted activities, by date then id */
    json_t *by_state;      /* state id -> array of the counted activities naming it */
    const json_t *log;     /* status changes (ccm_report_input.status_log) */
    const json_t *members; /* the group's current members */
} ccm_report_ctx;

/* A field of a record view: its text (NULL if absent or not text), or its
 * set (NULL if absent or not a set). */
const char *ccm_report_str(const json_t *view, const char *field);
const json_t *ccm_report_set(const json_t *view, const char *field);

/* 1 if the array of strings holds `s`. */
int ccm_report_has(const json_t *set, const char *s);

/* 1 if `s` is a calendar date YYYY-MM-DD. */
int ccm_report_is_date(const char *s);

/* 1 if the date (YYYY-MM-DD) lies in the period. */
int ccm_report_in_period(const ccm_report_period *p, const char *date);

/* {"total","done","planned","cancelled","unset"}, all 0 (new reference),
 * and counting one activity of the given status (NULL: unset) into it. */
json_t *ccm_report_counts(void);
void ccm_report_count(json_t *counts, const char *status);

/* Adds the strings of `set` that `acc` lacks; ccm_report_sort sorts an
 * array of strings in place. */
void ccm_report_union(json_t *acc, const json_t *set);
void ccm_report_sort(json_t *arr);

/* The words of an enum's accepted values (ccm_schema_accepted), as an
 * array of strings (new reference). */
json_t *ccm_report_enum(const char *kind, const char *field);

/* The work plan's numbered activity (1-11) for an activity type, and its
 * title; 0 and the title of "other" for a type the plan does not number. */
int ccm_report_plan_number(const char *type);
const char *ccm_report_plan_title(const char *type);

/* "March 2025" (or "Mar 25" with `abbrev`) for "2025-03". */
void ccm_report_month_label(char out[24], const char *month, int abbrev);

/* How an expected output's assessment reads: "Evidence recorded",
 * "Not met", "No evidence yet". */
const char *ccm_report_assessment_label(const char *assessment);

/* The Markdown and HTML list at most this many evidence lines of an
 * output, then say how many more the JSON report holds. */
#define CCM_REPORT_EVIDENCE_SHOWN 25

/* An integer member of an object (0 if absent). */
long long ccm_report_int(const json_t *obj, const char *key);

/* The sections (new references, NULL when out of memory). */
json_t *ccm_report_activities(const ccm_report_ctx *x);
json_t *ccm_report_survey(const ccm_report_ctx *x);
json_t *ccm_report_outputs(const ccm_report_ctx *x);

#endif
