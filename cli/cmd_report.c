/*
 * cmd_report.c - `report [--format md|html|json] [-o FILE] [--since D]
 * [--until D]`: the universalization segment of the Meeting of States
 * Parties progress report (report.h), on stdout or into FILE.
 *
 * The format is --format, else the extension of FILE (.html, .htm, .json,
 * anything else Markdown), else JSON under --json and Markdown otherwise.
 * Under --json, stdout is one JSON document: the model itself, or with -o
 * {"path", "format"}; so --json with --format md or html needs -o. A file is
 * written whole or not at all (a temporary file renamed into place).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "report.h"

/* The one place report dates are parsed (YYYY-MM-DD, a calendar date),
 * into out. */
static int report_date(char out[11], const char *arg, const char *what)
{
    if (strlen(arg) != 10 || ccm_schema_check_value("activity", "date", arg) < 0) {
        return ccm_error_set(CCM_EINVALID, "invalid date '%s' for '%s' (YYYY-MM-DD)", arg, what);
    }
    memcpy(out, arg, 11);
    return CCM_OK;
}

static const char *format_of_path(const char *path)
{
    const char *dot = strrchr(path, '.');

    if (dot && (strcmp(dot, ".html") == 0 || strcmp(dot, ".htm") == 0)) {
        return "html";
    }
    return dot && strcmp(dot, ".json") == 0 ? "json" : "md";
}

static int render(FILE *f, const json_t *model, const char *format)
{
    if (strcmp(format, "html") == 0) {
        return ccm_report_html(f, model);
    }
    if (strcmp(format, "md") == 0) {
        return ccm_report_md(f, model);
    }
    if (json_dumpf(model, f, JSON_INDENT(2) | JSON_SORT_KEYS) < 0 || fputc('\n', f) == EOF) {
        return ccm_error_set(CCM_ERROR, "cannot write the report");
    }
    return CCM_OK;
}

/* Writes the report into `path` through a temporary file in its folder. */
static int write_file(const char *path, const json_t *model, const char *format)
{
    size_t n = strlen(path);
    char *tmp = malloc(n + 8);
    FILE *f = NULL;
    int fd, rc;

    if (!tmp) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    memcpy(tmp, path, n);
    memcpy(tmp + n, ".XXXXXX", 8);
    if ((fd = mkstemp(tmp)) < 0 || !(f = fdopen(fd, "w"))) {
        rc = ccm_error_set(CCM_EINVALID, "cannot write '%s': %s", path, strerror(errno));
        if (fd >= 0) {
            close(fd);
            unlink(tmp);
        }
        free(tmp);
        return rc;
    }
    rc = render(f, model, format);
    if (fflush(f) != 0 && rc == CCM_OK) {
        rc = ccm_error_set(CCM_ERROR, "cannot write '%s': %s", path, strerror(errno));
    }
    if (fclose(f) != 0 && rc == CCM_OK) {
        rc = ccm_error_set(CCM_ERROR, "cannot write '%s': %s", path, strerror(errno));
    }
    if (rc == CCM_OK && rename(tmp, path) < 0) {
        rc = ccm_error_set(CCM_ERROR, "cannot write '%s': %s", path, strerror(errno));
    }
    if (rc < 0) {
        unlink(tmp);
    }
    free(tmp);
    return rc;
}

int ccm_cmd_report(ccm_cli *cli, int argc, char **argv)
{
    const char *format = NULL, *path = NULL;
    char since[11] = "", until[11] = "";
    ccm_report_period period = {NULL, NULL, 0};
    ccm_report_input in = {0};
    json_t *model = NULL;
    int rc;

    for (int a = 0; a < argc; a++) {
        const char *opt = argv[a];
        if (a + 1 >= argc || (strcmp(opt, "--format") != 0 && strcmp(opt, "-o") != 0 &&
                              strcmp(opt, "--output") != 0 && strcmp(opt, "--since") != 0 &&
                              strcmp(opt, "--until") != 0)) {
            return ccm_usage(cli, "unexpected argument '%s'", opt);
        }
        const char *v = argv[++a];
        if (strcmp(opt, "--format") == 0) {
            if (strcmp(v, "md") != 0 && strcmp(v, "html") != 0 && strcmp(v, "json") != 0) {
                return ccm_error_set(CCM_EINVALID, "unknown report format '%s' (md, html, json)",
                                     v);
            }
            format = v;
        } else if (strcmp(opt, "--since") == 0) {
            if ((rc = report_date(since, v, "--since")) < 0) {
                return rc;
            }
        } else if (strcmp(opt, "--until") == 0) {
            if ((rc = report_date(until, v, "--until")) < 0) {
                return rc;
            }
        } else if (!*v) {
            return ccm_usage(cli, "option '%s' needs a file name", opt);
        } else {
            path = v;
        }
    }
    if (!format) {
        format = path ? format_of_path(path) : cli->json ? "json" : "md";
    }
    if (cli->json && !path && strcmp(format, "json") != 0) {
        return ccm_error_set(CCM_EINVALID,
                             "--json prints the report as JSON: give -o FILE to write it as %s",
                             format);
    }
    if (*since && *until && strcmp(since, until) > 0) {
        return ccm_error_set(CCM_EINVALID, "--since %s is after --until %s", since, until);
    }
    if (*since || *until) {
        period.since = *since ? since : NULL;
        period.until = *until ? until : NULL;
    } else {
        period = (ccm_report_period){CCM_REPORT_PLAN_SINCE, CCM_REPORT_PLAN_UNTIL, 1};
    }
    /* The records as they stand at HEAD. Time travel (--at DATE|COMMIT)
     * belongs here: one call that points the store at that commit before
     * anything is read. */
    if ((rc = ccm_report_collect(&in, cli->store)) < 0 ||
        (rc = ccm_report_build(&model, &in, &period)) < 0) {
        goto done;
    }
    if (!path) {
        rc = render(stdout, model, format);
        if (fflush(stdout) != 0 && rc == CCM_OK) {
            rc = ccm_error_set(CCM_ERROR, "cannot write the report");
        }
        goto done;
    }
    if ((rc = write_file(path, model, format)) < 0) {
        goto done;
    }
    if (cli->json) {
        json_t *doc = json_pack("{s:s, s:s}", "path", path, "format", format);
        rc = ccm_print_json(doc);
        json_decref(doc);
    } else {
        printf("wrote the report (%s) to %s\n", format, path);
    }
done:
    json_decref(model);
    ccm_report_input_free(&in);
    return rc;
}
