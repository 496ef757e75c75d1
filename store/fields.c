/*
 * fields.c - field operations, as the command line and import write them:
 * parsed and validated in full before anything is written, then applied to
 * a record document with fresh stamps (see store.h).
 *
 *   field=value   set a scalar; for a set field, replace it (comma-separated)
 *   field=        clear (a scalar) or empty (a set)
 *   field+=item   add to a set        field-=item   remove from a set
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"

void ccm_field_ops_free(ccm_field_ops *ops)
{
    for (size_t i = 0; ops && i < ops->n; i++) {
        free(ops->ops[i].field);
        free(ops->ops[i].value);
    }
    if (ops) {
        free(ops->ops);
        ops->ops = NULL;
        ops->n = 0;
    }
}

/* Validates each comma-separated element of a set assignment. */
static int check_elems(const char *kind, const char *field, const char *list)
{
    char *copy = strdup(list), *save = NULL;
    int rc = CCM_OK;

    if (!copy) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    for (char *e = strtok_r(copy, ",", &save); e && rc == CCM_OK; e = strtok_r(NULL, ",", &save)) {
        rc = ccm_schema_check_elem(kind, field, e);
    }
    free(copy);
    return rc;
}

static int parse_one(ccm_field_op *op, const char *kind, const char *arg)
{
    size_t n = strspn(arg, "abcdefghijklmnopqrstuvwxyz0123456789_");
    const char *rest = arg + n;
    char *field, *value = NULL;
    int is_set, upper, rc;

    memset(op, 0, sizeof(*op));
    if (!strchr(arg, '=')) {
        return ccm_error_set(CCM_EINVALID,
                             "invalid field argument '%s' (field=value, field=, field+=item, "
                             "field-=item)",
                             arg);
    }
    if (!(field = strndup(arg, n))) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    if (n > 0 && ccm_schema_check_field_name(field) == CCM_OK &&
        (rest[0] == '+' || rest[0] == '-') && (rest[1] == '+' || rest[1] == '-')) {
        free(field);
        return ccm_error_set(CCM_EINVALID,
                             "invalid operator in '%s' (field=value, field=, field+=item, "
                             "field-=item)",
                             arg);
    }
    if ((rest[0] != '=' && !((rest[0] == '+' || rest[0] == '-') && rest[1] == '=')) ||
        (rc = ccm_schema_check_field_name(field)) < 0) {
        char *bad = strndup(arg, (size_t)(strchr(arg, '=') - arg));
        if (bad && bad[0] && (bad[strlen(bad) - 1] == '+' || bad[strlen(bad) - 1] == '-')) {
            bad[strlen(bad) - 1] = 0;
        }
        rc = ccm_schema_check_field_name(bad ? bad : "");
        free(bad);
        free(field);
        return rc < 0 ? rc : ccm_error_set(CCM_EINVALID, "invalid field argument '%s'", arg);
    }
    if (strcmp(field, "id") == 0) {
        free(field);
        return ccm_error_set(CCM_EINVALID, "'id' cannot be changed");
    }
    if (ccm_field_is_computed(kind, field)) {
        rc = ccm_error_set(CCM_EINVALID,
                           "'%s' is computed (the date of the latest done activity with the "
                           "state) and cannot be set",
                           field);
        free(field);
        return rc;
    }
    op->field = field;
    is_set = ccm_schema_field_type(kind, field) == CCM_FT_SET;
    /* State codes are accepted in any case, as everywhere else. */
    upper = strcmp(kind, "activity") == 0 && strcmp(field, "states") == 0;
    if (!(value = strdup(rest[0] == '=' ? rest + 1 : rest + 2))) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    for (char *c = value; upper && *c; c++) {
        *c = (char)(*c >= 'a' && *c <= 'z' ? *c - 32 : *c);
    }
    if (rest[0] == '=') {
        if (*value == 0) {
            free(value);
            op->op = CCM_FIELD_CLEAR;
            /* Required fields (an activity's type and date) stay set. */
            return is_set ? CCM_OK : ccm_schema_check_value(kind, field, NULL);
        }
        op->op = CCM_FIELD_SET;
        if (ccm_schema_field_type(kind, field) == CCM_FT_DATE &&
            ccm_schema_check_value(kind, field, value) < 0) {
            /* today, -Nd, +Nd are stored as the day they name. */
            char day[11], what[80];
            snprintf(what, sizeof(what), "'%s'", field);
            ccm_error_clear();
            if ((rc = ccm_date_day(day, value, what)) < 0) {
                free(value);
                return rc;
            }
            free(value);
            if (!(value = strdup(day))) {
                return ccm_error_set(CCM_ERROR, "out of memory");
            }
        }
        rc = is_set ? check_elems(kind, field, value) : ccm_schema_check_value(kind, field, value);
    } else {
        op->op = rest[0] == '+' ? CCM_FIELD_ADD : CCM_FIELD_REMOVE;
        rc = is_set ? ccm_schema_check_elem(kind, field, value)
                    : ccm_error_set(CCM_EINVALID, "'%s' is not a set field (use %s=VALUE or %s=)",
                                    field, field, field);
    }
    if (rc < 0) {
        /* "survey_reason+=cost": the typo explains the error better. */
        ccm_check_field_typo(kind, field, NULL, 0);
        free(value);
        return rc;
    }
    op->value = value;
    return CCM_OK;
}

int ccm_field_ops_parse(ccm_field_ops *out, const char *kind, int argc, char **argv)
{
    int rc = CCM_OK;

    out->n = 0;
    if (!(out->ops = calloc((size_t)argc + 1, sizeof(*out->ops)))) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    for (int i = 0; i < argc; i++) {
        rc = parse_one(&out->ops[out->n], kind, argv[i]);
        out->n++;
        if (rc < 0) {
            ccm_field_ops_free(out);
            return rc;
        }
    }
    return CCM_OK;
}

/* Appends the warning "'NAME' WHAT" to `warnings` unless it is there. */
static int warn_once(json_t *warnings, const char *name, const char *what)
{
    char msg[256];
    size_t i;
    json_t *w;

    if (!warnings) {
        return CCM_OK;
    }
    snprintf(msg, sizeof(msg), "'%s' %s", name, what);
    json_array_foreach(warnings, i, w)
    {
        if (strcmp(json_string_value(w), msg) == 0) {
            return CCM_OK;
        }
    }
    return json_array_append_new(warnings, json_string(msg)) < 0
               ? ccm_error_set(CCM_ERROR, "out of memory")
               : CCM_OK;
}

/* Checks the members named by one lead/by operation. */
static int check_members(const ccm_field_op *op, const json_t *roster, int strict, json_t *warnings)
{
    char *copy = strdup(op->value), *save = NULL;
    int rc = CCM_OK, past;

    if (!copy) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    for (char *e = strtok_r(copy, ",", &save); e && rc == CCM_OK; e = strtok_r(NULL, ",", &save)) {
        if ((rc = ccm_check_member(roster, e, &past)) == CCM_OK && past) {
            rc = warn_once(warnings, e, "is a past member of the group (removed)");
        } else if (rc < 0 && !strict) {
            ccm_error_clear();
            rc = warn_once(warnings, e, "is not a member of the group");
        }
    }
    free(copy);
    return rc;
}

int ccm_field_ops_check(const ccm_field_ops *ops, const char *kind, const json_t *in_use,
                        const json_t *roster, int strict, json_t *warnings)
{
    int rc = CCM_OK;

    for (size_t i = 0; i < ops->n && rc == CCM_OK; i++) {
        const ccm_field_op *op = &ops->ops[i];
        int member_field = (strcmp(kind, "state") == 0 && strcmp(op->field, "lead") == 0) ||
                           (strcmp(kind, "activity") == 0 && strcmp(op->field, "by") == 0);
        rc = ccm_check_field_typo(kind, op->field, in_use, 0);
        if (rc == CCM_OK && member_field && roster && op->value &&
            (op->op == CCM_FIELD_SET || op->op == CCM_FIELD_ADD)) {
            rc = check_members(op, roster, strict, warnings);
        }
    }
    return rc;
}

static int in_list(const char *list, const char *elem)
{
    size_t n = strlen(elem);
    for (const char *p = list; p && *p;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (len == n && strncmp(p, elem, n) == 0) {
            return 1;
        }
        p = comma ? comma + 1 : NULL;
    }
    return 0;
}

/* field=a,b: removes the current elements not listed, adds the listed ones
 * not present. field=: removes them all. */
static int replace_set(json_t *rec, const char *field, const char *list, ccm_txn *txn,
                       const char *member)
{
    json_t *cur = ccm_record_field_value(rec, field), *e;
    char *copy = list ? strdup(list) : NULL, *save = NULL;
    size_t i;
    int rc = CCM_OK;

    json_array_foreach(cur, i, e)
    {
        if (!list || !in_list(list, json_string_value(e))) {
            rc =
                ccm_record_set_remove(rec, field, json_string_value(e), ccm_txn_stamp(txn), member);
            if (rc < 0) {
                goto done;
            }
        }
    }
    for (char *x = copy ? strtok_r(copy, ",", &save) : NULL; x; x = strtok_r(NULL, ",", &save)) {
        int present = 0;
        json_array_foreach(cur, i, e)
        {
            present |= strcmp(json_string_value(e), x) == 0;
        }
        if (!present && (rc = ccm_record_set_add(rec, field, x, ccm_txn_stamp(txn), member)) < 0) {
            goto done;
        }
    }
done:
    free(copy);
    json_decref(cur);
    return rc;
}

int ccm_field_ops_apply(json_t *rec, const ccm_field_ops *ops, ccm_txn *txn, const char *member)
{
    const char *kind = json_string_value(json_object_get(rec, "kind"));
    int rc = CCM_OK;

    for (size_t i = 0; i < ops->n && rc == CCM_OK; i++) {
        const ccm_field_op *op = &ops->ops[i];
        int is_set = ccm_schema_field_type(kind, op->field) == CCM_FT_SET;
        switch (op->op) {
        case CCM_FIELD_SET:
        case CCM_FIELD_CLEAR:
            rc = is_set ? replace_set(rec, op->field, op->value, txn, member)
                        : ccm_record_assign(rec, op->field, op->value, ccm_txn_stamp(txn), member);
            break;
        case CCM_FIELD_ADD:
            rc = ccm_record_set_add(rec, op->field, op->value, ccm_txn_stamp(txn), member);
            break;
        case CCM_FIELD_REMOVE:
            /* Removing what is not there changes nothing: no stamp, no commit. */
            if (ccm_record_set_holds(rec, op->field, op->value)) {
                rc = ccm_record_set_remove(rec, op->field, op->value, ccm_txn_stamp(txn), member);
            }
            break;
        }
    }
    return rc;
}
