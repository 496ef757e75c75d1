/*
 * cmd_export.c - export: every record this member can read, in a
 * deterministic order, as one JSON document (the default) or as CSV files
 * for spreadsheets. Removed records are left out (the log keeps them);
 * notes are never exported.
 *
 * JSON: states, then activities, each sorted by id, keys sorted, so that
 * replicas that have seen the same changes print the same bytes.
 *
 * CSV (RFC 4180, CRLF line ends): one file per kind, states.csv and
 * activities.csv, in the folder given by -o DIR, or one kind on stdout with
 * --kind. A header row of field names: for states `id` first, then the
 * schema's fields in the documented order, then the user-defined fields in use,
 * sorted; for activities the schema's fields, the user-defined ones, and
 * `id` last. Set fields are joined by ';', the way import reads them, so an
 * export imports (import reads an activity's id from its `id` column).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "csv.h"
#include "query.h"

#define EXPORT_FORMAT "ccmsync-export-1"

/* ---- JSON ------------------------------------------------------------------ */

typedef struct {
    FILE *f;
    size_t n;
} export_ctx;

/* Prints one record's view as a compact line of the array (a comma before
 * all but the first). */
static int print_one(const json_t *rec, void *payload)
{
    export_ctx *x = payload;
    json_t *view;
    int rc = CCM_OK;

    if (ccm_record_is_deleted(rec)) {
        return CCM_OK;
    }
    if (!(view = ccm_cli_view(rec))) {
        return ccm_error_set(CCM_ERROR, "cannot render a record");
    }
    fputs(x->n++ ? ",\n  " : "\n  ", x->f);
    if (json_dumpf(view, x->f, JSON_SORT_KEYS | JSON_COMPACT) < 0) {
        rc = ccm_error_set(CCM_ERROR, "cannot write output");
    }
    json_decref(view);
    return rc;
}

static int print_kind(ccm_cli *cli, FILE *f, const char *key, const char *kind, size_t *count)
{
    export_ctx x = {f, 0};
    int rc;

    fprintf(f, "\"%s\": [", key);
    rc = ccm_store_foreach(cli->store, kind, NULL, print_one, &x);
    fprintf(f, "%s]", x.n ? "\n" : "");
    *count = x.n;
    return rc;
}

/* The document is streamed, one record at a time, with the top-level keys
 * in sorted order and each record compact on its own line: the same bytes
 * for the same records, whatever the store's size. */
static int export_json(ccm_cli *cli, FILE *f, size_t *nstates, size_t *nacts)
{
    int rc;

    fputs("{", f);
    if ((rc = print_kind(cli, f, "activities", "activity", nacts)) == CCM_OK) {
        fprintf(f, ",\n\"meta\": {\"format\": \"%s\"},\n", EXPORT_FORMAT);
        rc = print_kind(cli, f, "states", "state", nstates);
    }
    fputs("}\n", f);
    return rc;
}

/* ---- CSV ---------------------------------------------------------------------- */

typedef struct {
    const char *kind;
    json_t *extra; /* user-defined field names in use: {NAME: true} */
    const char **cols;
    size_t ncols;
    FILE *f;
    size_t n;
} csv_ctx;

static int gather_fields(const json_t *rec, void *payload)
{
    csv_ctx *x = payload;
    const char *const *known = ccm_known_fields(x->kind);
    const char *name;
    json_t *v, *view;

    if (ccm_record_is_deleted(rec)) {
        return CCM_OK;
    }
    if (!(view = ccm_cli_view(rec))) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    json_object_foreach(json_object_get(view, "fields"), name, v)
    {
        int is_known = 0;
        for (size_t i = 0; known[i]; i++) {
            is_known |= strcmp(known[i], name) == 0;
        }
        if (!is_known) {
            json_object_set_new(x->extra, name, json_true());
        }
    }
    json_decref(view);
    return CCM_OK;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The header: id (states), the schema's stored fields, the extra ones
 * sorted, id (activities). Computed fields are not exported. */
static int csv_columns(csv_ctx *x)
{
    const char *const *known = ccm_known_fields(x->kind);
    size_t nk = 0, first;
    const char *name;
    json_t *v;

    while (known[nk]) {
        nk++;
    }
    if (!(x->cols = calloc(nk + json_object_size(x->extra) + 2, sizeof(*x->cols)))) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    if (strcmp(x->kind, "state") == 0) {
        x->cols[x->ncols++] = "id";
    }
    for (size_t i = 0; i < nk; i++) {
        if (!ccm_field_is_computed(x->kind, known[i])) {
            x->cols[x->ncols++] = known[i];
        }
    }
    first = x->ncols;
    json_object_foreach(x->extra, name, v)
    {
        x->cols[x->ncols++] = name;
    }
    qsort(x->cols + first, x->ncols - first, sizeof(*x->cols), name_cmp);
    if (strcmp(x->kind, "activity") == 0) {
        x->cols[x->ncols++] = "id";
    }
    return CCM_OK;
}

static int write_row(const json_t *rec, void *payload)
{
    csv_ctx *x = payload;
    json_t *view, *fields;

    if (ccm_record_is_deleted(rec)) {
        return CCM_OK;
    }
    if (!(view = ccm_cli_view(rec))) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    fields = json_object_get(view, "fields");
    for (size_t i = 0; i < x->ncols; i++) {
        const json_t *v = strcmp(x->cols[i], "id") == 0 ? json_object_get(view, "id")
                                                        : json_object_get(fields, x->cols[i]);
        if (i) {
            fputc(',', x->f);
        }
        if (json_is_string(v)) {
            ccm_csv_put_cell(x->f, json_string_value(v));
        } else if (json_is_array(v)) {
            size_t k, len = 0;
            json_t *e;
            char *joined;
            json_array_foreach(v, k, e)
            {
                len += strlen(json_string_value(e)) + 1;
            }
            if (!(joined = calloc(len + 1, 1))) {
                json_decref(view);
                return ccm_error_set(CCM_ERROR, "out of memory");
            }
            json_array_foreach(v, k, e)
            {
                strcat(strcat(joined, k ? ";" : ""), json_string_value(e));
            }
            ccm_csv_put_cell(x->f, joined);
            free(joined);
        }
    }
    fputs("\r\n", x->f);
    x->n++;
    json_decref(view);
    return CCM_OK;
}

/* Writes one kind's CSV to f; *count is the number of rows. */
static int export_csv(ccm_cli *cli, FILE *f, const char *kind, size_t *count)
{
    csv_ctx x = {kind, json_object(), NULL, 0, f, 0};
    int rc;

    if (!x.extra) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    if ((rc = ccm_store_foreach(cli->store, kind, NULL, gather_fields, &x)) == CCM_OK &&
        (rc = csv_columns(&x)) == CCM_OK) {
        for (size_t i = 0; i < x.ncols; i++) {
            fputs(i ? "," : "", f);
            ccm_csv_put_cell(f, x.cols[i]);
        }
        fputs("\r\n", f);
        rc = ccm_store_foreach(cli->store, kind, NULL, write_row, &x);
    }
    *count = x.n;
    free(x.cols);
    json_decref(x.extra);
    return rc;
}

/* ---- the command ------------------------------------------------------------------ */

/* Opens path for writing (the caller closes it and checks for errors). */
static int open_out(FILE **f, const char *path)
{
    if (!(*f = fopen(path, "wb"))) {
        return ccm_error_set(CCM_ERROR, "cannot write '%s': %s", path, strerror(errno));
    }
    return CCM_OK;
}

static int close_out(FILE *f, const char *path, int rc)
{
    int bad = ferror(f) || fflush(f) != 0;

    if (f != stdout && fclose(f) != 0) {
        bad = 1;
    }
    if (bad && rc == CCM_OK) {
        rc = ccm_error_set(CCM_ERROR, "cannot write '%s'", path);
    }
    return rc;
}

/* Writes the CSV files of the kinds asked for into dir. */
static int export_csv_files(ccm_cli *cli, const char *dir, const char *only, json_t *files,
                            size_t *nstates, size_t *nacts)
{
    static const char *const kinds[] = {"state", "activity"};
    static const char *const names[] = {"states.csv", "activities.csv"};
    char path[4096];
    FILE *f = NULL;
    int rc = CCM_OK;

    if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
        return ccm_error_set(CCM_ERROR, "cannot create '%s': %s", dir, strerror(errno));
    }
    for (size_t k = 0; k < 2 && rc == CCM_OK; k++) {
        if (only && strcmp(only, kinds[k]) != 0) {
            continue;
        }
        snprintf(path, sizeof(path), "%s/%s", dir, names[k]);
        if ((rc = open_out(&f, path)) < 0) {
            break;
        }
        rc = export_csv(cli, f, kinds[k], k == 0 ? nstates : nacts);
        rc = close_out(f, path, rc);
        json_array_append_new(files, json_string(path));
    }
    return rc;
}

int ccm_cmd_export(ccm_cli *cli, int argc, char **argv)
{
    const char *format = "json", *kind = NULL, *out = NULL;
    size_t nstates = 0, nacts = 0;
    json_t *files = json_array(), *doc;
    FILE *f = stdout;
    int rc = CCM_OK;

    for (int a = 0; a < argc && rc == CCM_OK; a++) {
        const char **slot = strcmp(argv[a], "--format") == 0 ? &format
                            : strcmp(argv[a], "--kind") == 0 ? &kind
                            : strcmp(argv[a], "-o") == 0     ? &out
                                                             : NULL;
        if (!slot || a + 1 >= argc) {
            rc = ccm_usage(cli, "unexpected argument '%s'", argv[a]);
        } else {
            *slot = argv[++a];
        }
    }
    if (rc == CCM_OK && strcmp(format, "json") != 0 && strcmp(format, "csv") != 0) {
        rc = ccm_usage(cli, "unknown format '%s' (json, csv)", format);
    } else if (rc == CCM_OK && kind && strcmp(kind, "state") != 0 &&
               strcmp(kind, "activity") != 0) {
        rc = ccm_usage(cli, "unknown kind '%s' (state, activity)", kind);
    } else if (rc == CCM_OK && kind && strcmp(format, "csv") != 0) {
        rc = ccm_usage(cli, "--kind goes with --format csv");
    } else if (rc == CCM_OK && strcmp(format, "csv") == 0 && !out && !kind) {
        rc = ccm_usage(cli, "CSV is one file per kind: give -o DIR, or --kind state|activity "
                            "for one on standard output");
    } else if (rc == CCM_OK && strcmp(format, "csv") == 0 && !out && cli->json) {
        rc = ccm_usage(cli, "--json prints JSON: give -o DIR to write the CSV files");
    }
    if (rc < 0 || !files) {
        json_decref(files);
        return rc < 0 ? rc : ccm_error_set(CCM_ERROR, "out of memory");
    }
    if (strcmp(format, "csv") == 0 && out) {
        rc = export_csv_files(cli, out, kind, files, &nstates, &nacts);
    } else if (strcmp(format, "csv") == 0) {
        rc = export_csv(cli, stdout, kind, kind[0] == 's' ? &nstates : &nacts);
        rc = close_out(stdout, "standard output", rc);
    } else {
        if (out && (rc = open_out(&f, out)) == CCM_OK) {
            json_array_append_new(files, json_string(out));
        }
        if (rc == CCM_OK) {
            rc = export_json(cli, f, &nstates, &nacts);
            rc = close_out(f, out ? out : "standard output", rc);
        }
    }
    if (rc == CCM_OK && out) {
        /* Files written: say which (stdout held no document). */
        if (cli->json) {
            doc = json_pack("{s:O, s:I, s:I}", "files", files, "states", (json_int_t)nstates,
                            "activities", (json_int_t)nacts);
            rc = doc ? ccm_print_json(doc) : ccm_error_set(CCM_ERROR, "out of memory");
            json_decref(doc);
        } else {
            printf("exported %zu states and %zu activities to", nstates, nacts);
            for (size_t i = 0; i < json_array_size(files); i++) {
                printf(" %s", json_string_value(json_array_get(files, i)));
            }
            printf("\n");
        }
    }
    json_decref(files);
    return rc;
}
