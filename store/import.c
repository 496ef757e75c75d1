/*
 * import.c - bulk loads, validated in full and written as one commit (see
 * store.h); cli/cmd_import.c reads the file and prints.
 *
 * JSON: {"states": [{"id", "fields"}], "activities": [{"id"?, "fields"}]};
 * other keys (such as "meta", or a record's "meta"/"conflicts") are ignored,
 * so an export imports. A field value is a string, an array of strings for a
 * set field (replacing the set), or null (clearing it).
 *
 * CSV (RFC 4180, a name ending in .csv, or content not starting with '{'):
 * a header row of field names. With `id` as the first column the rows are
 * states, otherwise activities, whose `id` column (anywhere but first, as
 * `export --format csv` writes it last) holds an activity's id (an empty
 * cell: a new activity). An empty cell leaves the field alone; set cells
 * list elements separated by ';' or ','.
 *
 * Every value becomes a field operation (store/fields.c), so that import
 * validates exactly as `state set` and `activity set` do. Computed fields
 * (a state's last_activity) are skipped, so that what `state list --json`
 * prints imports. Field names that are typos of known ones are refused;
 * names in lead/by that are not members are accepted with a warning (an
 * import brings data from elsewhere: a backup, a spreadsheet).
 *
 * Everything is validated before anything is written: one bad value anywhere
 * rejects the whole document, naming where it is.
 *
 * `seed` writes its data through the same path (ccm_import_doc), with
 * CCM_IMPORT_FILL: nothing a member recorded is overwritten.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_private.h"

/* A new record at the end of the import (zeroed). */
static ccm_import_record *add_record(ccm_import *imp)
{
    if (ccm_grow(&imp->records, &imp->cap, imp->n, sizeof(*imp->records), 64) < 0) {
        return NULL;
    }
    memset(&imp->records[imp->n], 0, sizeof(*imp->records));
    return &imp->records[imp->n++];
}

void ccm_import_free(ccm_import *imp)
{
    for (size_t i = 0; imp && i < imp->n; i++) {
        ccm_field_ops_free(&imp->records[i].ops);
    }
    if (imp) {
        free(imp->records);
        memset(imp, 0, sizeof(*imp));
    }
}

/* Re-sets the last error with the location in the file prefixed. */
static int located(const char *where)
{
    char msg[1024];
    int code = ccm_error_code();

    snprintf(msg, sizeof(msg), "import: %s: %s", where, ccm_error_last());
    return ccm_error_set(code ? code : CCM_EINVALID, "%s", msg);
}

/* Builds the argument strings for one field and hands them to the common
 * parser, so import validates exactly as the command line does. */
static int field_arg(char **out, const char *name, const json_t *v)
{
    size_t len = strlen(name) + 2, i;
    json_t *e;
    char *s;

    if (json_is_null(v)) {
        len += 0;
    } else if (json_is_string(v)) {
        len += strlen(json_string_value(v));
    } else if (json_is_array(v)) {
        json_array_foreach(v, i, e)
        {
            if (!json_is_string(e)) {
                return ccm_error_set(CCM_EINVALID, "'%s' holds a non-string element", name);
            }
            len += strlen(json_string_value(e)) + 1;
        }
    } else {
        return ccm_error_set(CCM_EINVALID, "'%s' must be a string, an array of strings or null",
                             name);
    }
    if (!(s = malloc(len + 1))) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    len = (size_t)sprintf(s, "%s=", name);
    if (json_is_string(v)) {
        strcpy(s + len, json_string_value(v));
    }
    json_array_foreach(v, i, e)
    {
        const char *x = json_string_value(e);
        if (strchr(x, ',')) {
            free(s);
            return ccm_error_set(CCM_EINVALID, "'%s' element '%s' contains a comma", name, x);
        }
        len += (size_t)sprintf(s + len, "%s%s", i ? "," : "", x);
    }
    *out = s;
    return CCM_OK;
}

/* The field operations of a record's "fields" (an object, or NULL: none). */
static int ops_from_object(ccm_field_ops *ops, const char *kind, const json_t *fields)
{
    size_t n = json_object_size(fields), k = 0;
    char **args = calloc(n + 1, sizeof(*args));
    const char *name;
    json_t *v;
    int rc = CCM_OK;

    if (!args) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    json_object_foreach((json_t *)fields, name, v)
    {
        if (ccm_field_is_computed(kind, name)) {
            continue;
        }
        if ((rc = ccm_schema_check_field_name(name)) < 0 ||
            (rc = field_arg(&args[k], name, v)) < 0) {
            break;
        }
        k++;
    }
    if (rc == CCM_OK) {
        rc = ccm_field_ops_parse(ops, kind, (int)k, args);
    }
    for (size_t i = 0; i < k; i++) {
        free(args[i]);
    }
    free(args);
    return rc;
}

static int has_field(const ccm_field_ops *ops, const char *name)
{
    for (size_t i = 0; i < ops->n; i++) {
        if (strcmp(ops->ops[i].field, name) == 0 && ops->ops[i].op == CCM_FIELD_SET) {
            return 1;
        }
    }
    return 0;
}

/* Validates one record's id into it->id. */
static int record_id(ccm_import_record *it, const json_t *id)
{
    const char *s = json_string_value(id);

    if (strcmp(it->kind, "state") == 0) {
        if (!s) {
            return ccm_error_set(CCM_EINVALID, "missing 'id' (an ISO 3166-1 alpha-3 code)");
        }
        if (ccm_schema_check_state_id(s) < 0) {
            return CCM_EINVALID;
        }
        strcpy(it->id, s);
        return CCM_OK;
    }
    if (!id || json_is_null(id)) {
        ccm_crypto_random_hex(it->id, 8);
        it->is_new = 1;
        return CCM_OK;
    }
    if (!s || strlen(s) != 16 || strspn(s, "0123456789abcdef") != 16) {
        return ccm_error_set(CCM_EINVALID, "invalid activity id (16 hex digits, or leave it out)");
    }
    strcpy(it->id, s);
    return CCM_OK;
}

static int load_json_kind(ccm_import *b, const json_t *doc, const char *key, const char *kind)
{
    const json_t *arr = json_object_get(doc, key), *rec;
    char where[64];
    size_t i;

    if (!arr) {
        return CCM_OK;
    }
    if (!json_is_array(arr)) {
        return ccm_error_set(CCM_EINVALID, "import: '%s' must be an array", key);
    }
    json_array_foreach(arr, i, rec)
    {
        ccm_import_record *it = add_record(b);
        const json_t *fields = json_object_get(rec, "fields");
        snprintf(where, sizeof(where), "%s[%zu]", key, i);
        if (!it) {
            return ccm_error_set(CCM_ERROR, "out of memory");
        }
        it->kind = kind;
        if (!json_is_object(rec)) {
            ccm_error_set(CCM_EINVALID, "not an object");
            return located(where);
        }
        if (fields && !json_is_object(fields)) {
            ccm_error_set(CCM_EINVALID, "'fields' must be an object");
            return located(where);
        }
        if (record_id(it, json_object_get(rec, "id")) < 0 ||
            ops_from_object(&it->ops, kind, fields) < 0) {
            return located(where);
        }
    }
    return CCM_OK;
}

static int load_doc(ccm_import *b, const json_t *doc)
{
    int rc;

    if (!json_is_object(doc)) {
        return ccm_error_set(CCM_EINVALID, "import: not an object");
    }
    if ((rc = load_json_kind(b, doc, "states", "state")) == CCM_OK) {
        rc = load_json_kind(b, doc, "activities", "activity");
    }
    return rc;
}

static int load_json(ccm_import *b, const char *text, size_t len)
{
    json_error_t jerr;
    json_t *doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    int rc;

    if (!doc) {
        return ccm_error_set(CCM_EINVALID, "import: malformed JSON at line %d: %s", jerr.line,
                             jerr.text);
    }
    if (!json_is_object(doc)) {
        json_decref(doc);
        return ccm_error_set(CCM_EINVALID, "import: the JSON document is not an object");
    }
    rc = load_doc(b, doc);
    json_decref(doc);
    return rc;
}

static int load_csv(ccm_import *b, const char *text, size_t len)
{
    ccm_csv csv;
    char **header = NULL, **row = NULL, where[64];
    size_t nh = 0, nr = 0, line = 1;
    long idcol = -1;
    int rc, states;

    ccm_csv_init(&csv, text, len);
    if ((rc = ccm_csv_row(&csv, &header, &nh)) <= 0) {
        return rc < 0 ? rc : ccm_error_set(CCM_EINVALID, "import: empty CSV file");
    }
    states = strcmp(header[0], "id") == 0;
    for (size_t i = states ? 1 : 0; i < nh; i++) {
        if (strcmp(header[i], "id") == 0 && idcol < 0 && !states) {
            idcol = (long)i; /* an activity's id */
            continue;
        }
        if (ccm_schema_check_field_name(header[i]) < 0 || strcmp(header[i], "id") == 0) {
            snprintf(where, sizeof(where), "header column %zu", i + 1);
            rc = strcmp(header[i], "id") == 0
                     ? ccm_error_set(CCM_EINVALID, "'id' appears twice in the header")
                     : CCM_EINVALID;
            rc = located(where);
            goto done;
        }
    }
    while ((rc = ccm_csv_row(&csv, &row, &nr)) > 0) {
        json_t *fields = json_object();
        ccm_import_record *it = add_record(b);
        line++;
        snprintf(where, sizeof(where), "line %zu", line);
        if (!it || !fields) {
            json_decref(fields);
            rc = ccm_error_set(CCM_ERROR, "out of memory");
            goto done;
        }
        it->kind = states ? "state" : "activity";
        if (nr != nh) {
            json_decref(fields);
            ccm_error_set(CCM_EINVALID, "%zu cells, but the header has %zu", nr, nh);
            rc = located(where);
            goto done;
        }
        for (size_t i = states ? 1 : 0; i < nh; i++) {
            if (!row[i][0] || (long)i == idcol) {
                continue;
            }
            if (ccm_schema_field_type(it->kind, header[i]) == CCM_FT_SET) {
                for (char *c = row[i]; *c; c++) {
                    *c = *c == ';' ? ',' : *c;
                }
            }
            json_object_set_new(fields, header[i], json_string(row[i]));
        }
        {
            json_t *id = states                        ? json_string(row[0])
                         : idcol >= 0 && row[idcol][0] ? json_string(row[idcol])
                                                       : NULL;
            rc = record_id(it, id);
            json_decref(id);
        }
        if (rc == CCM_OK) {
            rc = ops_from_object(&it->ops, it->kind, fields);
        }
        json_decref(fields);
        ccm_csv_row_free(row, nr);
        row = NULL;
        if (rc < 0) {
            rc = located(where);
            goto done;
        }
    }
done:
    ccm_csv_row_free(header, nh);
    ccm_csv_row_free(row, nr);
    return rc < 0 ? rc : CCM_OK;
}

/* 1 if the document is CSV: by its name (.csv, .json), else by its text
 * (JSON starts with '{'). */
static int is_csv(const char *name, const char *text, size_t len)
{
    size_t n = name ? strlen(name) : 0, i = 0;

    if (n > 4 && strcmp(name + n - 4, ".csv") == 0) {
        return 1;
    }
    if (n > 5 && strcmp(name + n - 5, ".json") == 0) {
        return 0;
    }
    while (i < len && strchr(" \t\r\n", text[i]) && text[i]) {
        i++;
    }
    return i == len || text[i] != '{';
}

/* A new activity needs a type and a date. */
static int check_new(const ccm_import *imp)
{
    for (size_t i = 0; i < imp->n; i++) {
        const ccm_import_record *it = &imp->records[i];
        if (it->is_new && (!has_field(&it->ops, "type") || !has_field(&it->ops, "date"))) {
            return ccm_error_set(CCM_EINVALID,
                                 "import: activity %zu: a new activity needs 'type' "
                                 "and 'date'",
                                 i + 1);
        }
    }
    return CCM_OK;
}

/* Keeps *out on success, empties it on failure. */
static int loaded(ccm_import *out, int rc)
{
    if (rc == CCM_OK) {
        rc = check_new(out);
    }
    if (rc < 0) {
        ccm_import_free(out);
    }
    return rc;
}

int ccm_import_parse(ccm_import *out, const char *name, const char *text, size_t len)
{
    memset(out, 0, sizeof(*out));
    return loaded(out,
                  is_csv(name, text, len) ? load_csv(out, text, len) : load_json(out, text, len));
}

int ccm_import_doc(ccm_import *out, const json_t *doc)
{
    memset(out, 0, sizeof(*out));
    return loaded(out, load_doc(out, doc));
}

int ccm_import_check(const ccm_import *imp, const json_t *roster, json_t *warnings)
{
    char where[64];
    int rc = CCM_OK;

    for (size_t i = 0; i < imp->n && rc == CCM_OK; i++) {
        rc = ccm_field_ops_check(&imp->records[i].ops, imp->records[i].kind, NULL, roster, 0,
                                 warnings);
        if (rc < 0) {
            snprintf(where, sizeof(where), "record %zu", i + 1);
            rc = located(where);
        }
    }
    return rc;
}

/* CCM_IMPORT_FILL: applies only what the record lacks (a scalar field that
 * holds no value, the elements a set lacks); *changed tells whether it
 * applied anything. Never clears or replaces. */
static int apply_fill(json_t *rec, const ccm_field_ops *ops, ccm_txn *txn, const char *member,
                      int *changed)
{
    const char *kind = json_string_value(json_object_get(rec, "kind"));
    int rc = CCM_OK;

    for (size_t i = 0; i < ops->n && rc == CCM_OK; i++) {
        const ccm_field_op *op = &ops->ops[i];
        if (op->op != CCM_FIELD_SET) {
            continue;
        }
        if (ccm_schema_field_type(kind, op->field) == CCM_FT_SET) {
            char *copy = strdup(op->value), *save = NULL;
            if (!copy) {
                return ccm_error_set(CCM_ERROR, "out of memory");
            }
            for (char *e = strtok_r(copy, ",", &save); e && rc == CCM_OK;
                 e = strtok_r(NULL, ",", &save)) {
                if (!ccm_record_set_holds(rec, op->field, e)) {
                    rc = ccm_record_set_add(rec, op->field, e, ccm_txn_stamp(txn), member);
                    *changed = 1;
                }
            }
            free(copy);
        } else {
            json_t *cur = ccm_record_field_value(rec, op->field);
            if (!cur) {
                rc = ccm_record_assign(rec, op->field, op->value, ccm_txn_stamp(txn), member);
                *changed = 1;
            }
            json_decref(cur);
        }
    }
    return rc;
}

int ccm_import_write(size_t *nstates, size_t *nacts, ccm_store *s, const ccm_import *imp, int flags)
{
    ccm_txn *txn = NULL;
    const char *member = ccm_store_member(s);
    int rc;

    *nstates = *nacts = 0;
    if ((rc = ccm_txn_begin(&txn, s)) < 0) {
        return rc;
    }
    for (size_t i = 0; i < imp->n && rc == CCM_OK; i++) {
        const ccm_import_record *it = &imp->records[i];
        json_t *rec = NULL;
        int changed = 1;
        rc = it->is_new ? CCM_ENOTFOUND : ccm_txn_get(&rec, txn, it->kind, it->id);
        if (rc == CCM_OK && (flags & CCM_IMPORT_FILL) &&
            (strcmp(it->kind, "activity") == 0 || ccm_record_is_deleted(rec))) {
            json_decref(rec); /* an activity that exists, a removed record: left as they are */
            continue;
        }
        if (rc == CCM_ENOTFOUND && !it->is_new && strcmp(it->kind, "activity") == 0 &&
            (!has_field(&it->ops, "type") || !has_field(&it->ops, "date"))) {
            /* An id this store does not know yet is a new activity too. */
            rc = ccm_error_set(CCM_EINVALID,
                               "import: activity '%s' is new and needs 'type' and "
                               "'date'",
                               it->id);
            break;
        }
        if (rc == CCM_ENOTFOUND) {
            ccm_error_clear();
            rc = (rec = ccm_record_new(it->kind, it->id))
                     ? CCM_OK
                     : ccm_error_set(CCM_ERROR, "out of memory");
        }
        if (rc == CCM_OK) {
            changed = 0;
            rc = (flags & CCM_IMPORT_FILL) ? apply_fill(rec, &it->ops, txn, member, &changed)
                                           : ccm_field_ops_apply(rec, &it->ops, txn, member);
            changed |= !(flags & CCM_IMPORT_FILL);
        }
        if (rc == CCM_OK && changed) {
            rc = ccm_txn_put(txn, rec);
            *(strcmp(it->kind, "state") == 0 ? nstates : nacts) += 1;
        }
        json_decref(rec);
    }
    if (rc == CCM_OK) {
        rc = ccm_txn_commit(txn);
    }
    ccm_txn_free(txn);
    return rc;
}
