/*
 * dates.c - the date forms people type (see store.h): a day
 * (YYYY-MM-DD), a month (YYYY-MM), "today", and days relative to today
 * (-180d, +30d). Today is the UTC date, or $CCMSYNC_TODAY when set (for
 * scripts and tests that need a fixed today).
 *
 * Days are counted with the proleptic Gregorian calendar's day numbers
 * (days_from_civil / civil_from_days), so no time zone or clock enters
 * apart from today itself.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store.h"

#define FORMS "YYYY-MM-DD, YYYY-MM, today, -Nd or +Nd"
#define MAX_DAYS 400000L /* about 1,100 years: past any valid date */

/* Day number of y-m-d, 0 on 1970-01-01. */
static long days_from_civil(long y, long m, long d)
{
    long era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(long z, long *y, long *m, long *d)
{
    long era, doe, yoe, doy, mp;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yoe + era * 400 + (*m <= 2);
}

static int valid_day(const char *s)
{
    int rc = ccm_schema_check_value("activity", "date", s);
    if (rc < 0) {
        ccm_error_clear();
    }
    return rc == CCM_OK;
}

int ccm_date_add(char out[11], const char *day, long n)
{
    long y, m, d;

    if (!valid_day(day) || n > MAX_DAYS || n < -MAX_DAYS) {
        return ccm_error_set(CCM_EINVALID, "date out of range (years 1900 to 2999)");
    }
    sscanf(day, "%4ld-%2ld-%2ld", &y, &m, &d);
    civil_from_days(days_from_civil(y, m, d) + n, &y, &m, &d);
    if (y < 1900 || y > 2999) {
        return ccm_error_set(CCM_EINVALID, "date out of range (years 1900 to 2999)");
    }
    snprintf(out, 11, "%04ld-%02ld-%02ld", y, m, d);
    return CCM_OK;
}

int ccm_date_today(char out[11])
{
    const char *env = getenv("CCMSYNC_TODAY");
    time_t now;
    struct tm tm;

    if (env && *env) {
        if (!valid_day(env)) {
            return ccm_error_set(CCM_EINVALID,
                                 "CCMSYNC_TODAY='%.20s' is not a date (YYYY-MM-DD, years 1900 to "
                                 "2999)",
                                 env);
        }
        snprintf(out, 11, "%s", env);
        return CCM_OK;
    }
    now = time(NULL);
    strftime(out, 11, "%Y-%m-%d", gmtime_r(&now, &tm));
    return CCM_OK;
}

/* YYYY-MM: its first and last days. */
static int month(ccm_days *out, const char *arg)
{
    long y, m, d;

    if (strlen(arg) != 7 || arg[4] != '-' || strspn(arg, "0123456789") != 4 ||
        strspn(arg + 5, "0123456789") != 2) {
        return 0;
    }
    snprintf(out->lo, sizeof(out->lo), "%.7s-01", arg);
    if (!valid_day(out->lo)) {
        return 0;
    }
    sscanf(arg, "%4ld-%2ld", &y, &m);
    /* The last day: the day before the first of the next month. */
    civil_from_days(days_from_civil(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1) - 1, &y, &m, &d);
    snprintf(out->hi, sizeof(out->hi), "%04ld-%02ld-%02ld", y, m, d);
    return 1;
}

int ccm_date_parse(ccm_days *out, const char *arg, const char *what)
{
    char today[11];
    int rc;

    if (valid_day(arg)) {
        snprintf(out->lo, sizeof(out->lo), "%s", arg);
        memcpy(out->hi, out->lo, sizeof(out->hi));
        return CCM_OK;
    }
    if (month(out, arg)) {
        return CCM_OK;
    }
    if (strcmp(arg, "today") == 0 || ((arg[0] == '-' || arg[0] == '+') && arg[1] >= '0' &&
                                      arg[1] <= '9' && arg[strlen(arg) - 1] == 'd')) {
        long n = 0;
        if (arg[0] != 't') {
            char *end = NULL;
            n = strtol(arg + 1, &end, 10);
            if (*end != 'd' || end[1] || n > MAX_DAYS) {
                goto bad;
            }
            n = arg[0] == '-' ? -n : n;
        }
        if ((rc = ccm_date_today(today)) < 0) {
            return rc;
        }
        if (ccm_date_add(out->lo, today, n) < 0) {
            goto bad;
        }
        memcpy(out->hi, out->lo, sizeof(out->hi));
        return CCM_OK;
    }
bad:
    return ccm_error_set(CCM_EINVALID, "invalid date '%.40s' for %s (%s; years 1900 to 2999)", arg,
                         what, FORMS);
}

int ccm_date_day(char out[11], const char *arg, const char *what)
{
    ccm_days d;
    int rc;

    if ((rc = ccm_date_parse(&d, arg, what)) < 0) {
        return rc;
    }
    if (strcmp(d.lo, d.hi) != 0) {
        return ccm_error_set(CCM_EINVALID,
                             "'%.40s' is a month: %s needs a day (YYYY-MM-DD, today, -Nd or +Nd)",
                             arg, what);
    }
    memcpy(out, d.lo, 11);
    return CCM_OK;
}
