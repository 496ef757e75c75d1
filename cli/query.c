/*
 * query.c - --where conditions, --sort keys and --columns (see query.h).
 *
 * Semantics (the README's "Questions in one command" says the same):
 *   =  !=       a scalar equal (not equal) to VALUE; a set holding (not
 *               holding) VALUE; F= (empty VALUE) means F is absent or
 *               empty, F!= that it is present
 *   < <= > >=   ordering; refused on set fields
 *   ~           contains VALUE, ignoring ASCII case (a set: some element)
 * Dates compare as days; a month (2025-03) stands for all its days, so
 * date=2025-03 is any day of March, date<2025-03 before March 1 and
 * date<=2025-03 up to March 31. An absent date means "never", earlier than
 * every day: last_activity<-180d includes states with no activity at all,
 * and sorts first. Any other absent field matches no ordering comparison
 * and sorts last, whichever the direction. Enums order as their accepted
 * values are listed (priority: high, medium, low); other text by bytes.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "query.h"

#define OPS "= != < <= > >= ~"

static int is_member_field(const char *kind, const char *field)
{
    return (strcmp(kind, "state") == 0 && strcmp(field, "lead") == 0) ||
           (strcmp(kind, "activity") == 0 && strcmp(field, "by") == 0);
}

/* The type of a field for queries: computed fields included, id as text. */
static ccm_field_type field_type(const char *kind, const char *field)
{
    if (ccm_field_is_computed(kind, field)) {
        return CCM_FT_DATE;
    }
    if (strcmp(field, "id") == 0) {
        return CCM_FT_TEXT;
    }
    return ccm_schema_field_type(kind, field);
}

int ccm_query_option(ccm_query *q, const char *field, ccm_qop op, const char *value,
                     const json_t *roster)
{
    ccm_field_type type = field_type(q->kind, field);
    ccm_cond c = {0};
    char what[96];
    int rc = CCM_OK, ordering = op != Q_EQ && op != Q_NE && op != Q_HAS;

    if (strcmp(field, "id") != 0 && (rc = ccm_schema_check_field_name(field)) < 0) {
        return rc;
    }
    if (!(c.field = strdup(field)) || !(c.value = strdup(value))) {
        rc = ccm_error_set(CCM_ERROR, "out of memory");
        goto done;
    }
    c.op = op;
    if ((strcmp(q->kind, "activity") == 0 && strcmp(field, "states") == 0) ||
        (strcmp(q->kind, "state") == 0 && strcmp(field, "id") == 0)) {
        for (char *p = c.value; *p; p++) {
            *p = (char)toupper((unsigned char)*p);
        }
    }
    snprintf(what, sizeof(what), "'%s'", field);
    if (op == Q_HAS || (!*value && !ordering)) {
        /* ~ takes any text; F= and F!= test presence */
    } else if (type == CCM_FT_SET) {
        if (ordering) {
            rc = ccm_error_set(CCM_EINVALID, "'%s' is a set: compare it with =, != or ~", field);
        } else if (is_member_field(q->kind, field) && roster) {
            rc = ccm_check_member(roster, c.value, NULL);
        } else {
            rc = ccm_schema_check_elem(q->kind, field, c.value);
        }
    } else if (type == CCM_FT_DATE) {
        c.is_date = 1;
        rc = ccm_date_parse(&c.days, value, what);
    } else if (type == CCM_FT_ENUM) {
        rc = ccm_schema_check_value(q->kind, field, value);
    }
    if (rc == CCM_OK &&
        (rc = ccm_grow(&q->conds, &q->cap_conds, q->nconds, sizeof(*q->conds), 4)) == CCM_OK) {
        q->conds[q->nconds++] = c;
        return CCM_OK;
    }
done:
    free(c.field);
    free(c.value);
    return rc;
}

int ccm_query_where(ccm_query *q, const char *arg, const json_t *roster)
{
    static const struct {
        const char *text;
        ccm_qop op;
    } ops[] = {{"!=", Q_NE}, {"<=", Q_LE}, {">=", Q_GE}, {"=", Q_EQ},
               {"<", Q_LT},  {">", Q_GT},  {"~", Q_HAS}};
    size_t n = strspn(arg, "abcdefghijklmnopqrstuvwxyz0123456789_");
    char field[80];

    for (size_t i = 0; n > 0 && n < sizeof(field) && i < sizeof(ops) / sizeof(ops[0]); i++) {
        size_t len = strlen(ops[i].text);
        if (strncmp(arg + n, ops[i].text, len) == 0) {
            memcpy(field, arg, n);
            field[n] = 0;
            return ccm_query_option(q, field, ops[i].op, arg + n + len, roster);
        }
    }
    return ccm_error_set(
        CCM_EINVALID, "invalid condition '%.80s' for --where (FIELD<op>VALUE, op: %s)", arg, OPS);
}

int ccm_query_sort(ccm_query *q, const char *arg)
{
    const char *colon = strchr(arg, ':');
    size_t n = colon ? (size_t)(colon - arg) : strlen(arg);
    ccm_sortkey k = {0};
    int rc;

    if (colon && strcmp(colon, ":desc") != 0 && strcmp(colon, ":asc") != 0) {
        return ccm_error_set(CCM_EINVALID,
                             "invalid sort order in '%.80s' (FIELD, FIELD:asc or FIELD:desc)", arg);
    }
    if (!(k.field = strndup(arg, n))) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    k.desc = colon && strcmp(colon, ":desc") == 0;
    if ((strcmp(k.field, "id") != 0 && (rc = ccm_schema_check_field_name(k.field)) < 0) ||
        (rc = ccm_grow(&q->keys, &q->cap_keys, q->nkeys, sizeof(*q->keys), 4)) < 0) {
        free(k.field);
        return rc;
    }
    q->keys[q->nkeys++] = k;
    return CCM_OK;
}

int ccm_query_columns(ccm_query *q, const char *arg)
{
    char *copy = strdup(arg), *save = NULL;
    int rc = CCM_OK;

    if (!copy) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    for (char *f = strtok_r(copy, ",", &save); f && rc == CCM_OK; f = strtok_r(NULL, ",", &save)) {
        char *dup = NULL;
        if ((strcmp(f, "id") != 0 && (rc = ccm_schema_check_field_name(f)) < 0) ||
            (rc = ccm_grow(&q->columns, &q->cap_columns, q->ncolumns, sizeof(*q->columns), 8)) <
                0) {
            break;
        }
        if (!(dup = strdup(f))) {
            rc = ccm_error_set(CCM_ERROR, "out of memory");
            break;
        }
        q->columns[q->ncolumns++] = dup;
    }
    free(copy);
    if (rc == CCM_OK && q->ncolumns == 0) {
        rc = ccm_error_set(CCM_EINVALID, "--columns needs field names (F,F,...)");
    }
    return rc;
}

int ccm_query_check_fields(const ccm_query *q, const json_t *in_use)
{
    int rc = CCM_OK;

    for (size_t i = 0; i < q->nconds && rc == CCM_OK; i++) {
        rc = ccm_check_field_typo(q->kind, q->conds[i].field, in_use, 1);
    }
    for (size_t i = 0; i < q->nkeys && rc == CCM_OK; i++) {
        rc = ccm_check_field_typo(q->kind, q->keys[i].field, in_use, 1);
    }
    for (size_t i = 0; i < q->ncolumns && rc == CCM_OK; i++) {
        rc = ccm_check_field_typo(q->kind, q->columns[i], in_use, 1);
    }
    return rc;
}

/* ---- matching and ordering --------------------------------------------------- */

/* Position of an enum value among the accepted ones, or -1. */
static int enum_rank(const char *kind, const char *field, const char *value)
{
    const char *acc = ccm_schema_accepted(kind, field), *p = acc;
    size_t n = strlen(value);
    int rank = 0;

    while (p && *p) {
        size_t len = strcspn(p, ",");
        if (len == n && strncmp(p, value, n) == 0) {
            return rank;
        }
        rank++;
        p += len;
        p += strspn(p, ", ");
    }
    return -1;
}

static int str_cmp(const char *kind, const char *field, const char *a, const char *b)
{
    if (field_type(kind, field) == CCM_FT_ENUM) {
        int ra = enum_rank(kind, field, a), rb = enum_rank(kind, field, b);
        if (ra >= 0 && rb >= 0 && ra != rb) {
            return ra < rb ? -1 : 1;
        }
        if ((ra >= 0) != (rb >= 0)) {
            return ra >= 0 ? -1 : 1; /* accepted values before unknown ones */
        }
    }
    return strcmp(a, b);
}

int ccm_query_value_cmp(const char *kind, const char *field, const json_t *a, const json_t *b)
{
    size_t i;

    if (json_is_array(a) && json_array_size(a) == 0) {
        a = NULL;
    }
    if (json_is_array(b) && json_array_size(b) == 0) {
        b = NULL;
    }
    if (!a || !b) {
        int never_first = field_type(kind, field) == CCM_FT_DATE;
        return !a && !b ? 0 : (!a) == never_first ? -1 : 1;
    }
    if (json_is_string(a) && json_is_string(b)) {
        return str_cmp(kind, field, json_string_value(a), json_string_value(b));
    }
    if (json_is_string(a) != json_is_string(b)) {
        return json_is_string(a) ? -1 : 1;
    }
    for (i = 0; i < json_array_size(a) && i < json_array_size(b); i++) {
        int c = str_cmp(kind, field, json_string_value(json_array_get(a, i)),
                        json_string_value(json_array_get(b, i)));
        if (c) {
            return c;
        }
    }
    return json_array_size(a) < json_array_size(b) ? -1 : json_array_size(a) > json_array_size(b);
}

/* The value of a field in a view (a string, an array, or NULL), "id" included. */
static const json_t *get(const json_t *view, const char *field)
{
    if (strcmp(field, "id") == 0) {
        return json_object_get(view, "id");
    }
    return json_object_get(json_object_get(view, "fields"), field);
}

/* strstr ignoring ASCII case. */
static int contains_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle);

    for (; *hay; hay++) {
        size_t i = 0;
        while (i < n && hay[i] &&
               tolower((unsigned char)hay[i]) == tolower((unsigned char)needle[i])) {
            i++;
        }
        if (i == n) {
            return 1;
        }
    }
    return n == 0;
}

static int match_one(const char *kind, const ccm_cond *c, const json_t *v)
{
    const char *s = json_string_value(v);
    size_t i;
    json_t *e;
    int hit = 0, cmp;

    if (json_is_array(v) && json_array_size(v) == 0) {
        v = NULL;
    }
    if (c->op == Q_HAS) {
        if (s) {
            return contains_ci(s, c->value);
        }
        json_array_foreach(v, i, e)
        {
            hit |= contains_ci(json_string_value(e), c->value);
        }
        return hit;
    }
    if (!*c->value && (c->op == Q_EQ || c->op == Q_NE)) {
        return (v == NULL) == (c->op == Q_EQ);
    }
    if (json_is_array(v)) {
        json_array_foreach(v, i, e)
        {
            hit |= strcmp(json_string_value(e), c->value) == 0;
        }
        return c->op == Q_EQ ? hit : c->op == Q_NE ? !hit : 0;
    }
    if (c->is_date) {
        switch (c->op) {
        case Q_EQ:
            return s && strcmp(s, c->days.lo) >= 0 && strcmp(s, c->days.hi) <= 0;
        case Q_NE:
            return !(s && strcmp(s, c->days.lo) >= 0 && strcmp(s, c->days.hi) <= 0);
        case Q_LT:
            return !s || strcmp(s, c->days.lo) < 0;
        case Q_LE:
            return !s || strcmp(s, c->days.hi) <= 0;
        case Q_GT:
            return s && strcmp(s, c->days.hi) > 0;
        default:
            return s && strcmp(s, c->days.lo) >= 0;
        }
    }
    if (!s) {
        return c->op == Q_NE; /* absent: not equal, and not ordered */
    }
    cmp = str_cmp(kind, c->field, s, c->value);
    switch (c->op) {
    case Q_EQ:
        return cmp == 0;
    case Q_NE:
        return cmp != 0;
    case Q_LT:
        return cmp < 0;
    case Q_LE:
        return cmp <= 0;
    case Q_GT:
        return cmp > 0;
    default:
        return cmp >= 0;
    }
}

int ccm_query_match(const ccm_query *q, const json_t *view)
{
    for (size_t i = 0; i < q->nconds; i++) {
        if (!match_one(q->kind, &q->conds[i], get(view, q->conds[i].field))) {
            return 0;
        }
    }
    return 1;
}

static int view_cmp(const ccm_query *q, const json_t *a, const json_t *b)
{
    int c;

    for (size_t i = 0; i < q->nkeys; i++) {
        const char *f = q->keys[i].field;
        const json_t *va = get(a, f), *vb = get(b, f);
        int absent_a = !va || (json_is_array(va) && json_array_size(va) == 0);
        int absent_b = !vb || (json_is_array(vb) && json_array_size(vb) == 0);
        c = ccm_query_value_cmp(q->kind, f, va, vb);
        /* An unknown value stays last whichever the direction; "never"
         * (an absent date) is a value that reverses with it. */
        if (c && absent_a != absent_b && field_type(q->kind, f) != CCM_FT_DATE) {
            return c;
        }
        if (c) {
            return q->keys[i].desc ? -c : c;
        }
    }
    if (strcmp(q->kind, "activity") == 0 &&
        (c = ccm_query_value_cmp(q->kind, "date", get(a, "date"), get(b, "date"))) != 0) {
        return c;
    }
    return ccm_query_value_cmp(q->kind, "id", get(a, "id"), get(b, "id"));
}

/* Merge sort: stable, with the query as context. */
static void merge_sort(const ccm_query *q, json_t **v, json_t **tmp, size_t n)
{
    size_t mid = n / 2, i = 0, j = mid, k = 0;

    if (n < 2) {
        return;
    }
    merge_sort(q, v, tmp, mid);
    merge_sort(q, v + mid, tmp, n - mid);
    while (i < mid || j < n) {
        if (j >= n || (i < mid && view_cmp(q, v[i], v[j]) <= 0)) {
            tmp[k++] = v[i++];
        } else {
            tmp[k++] = v[j++];
        }
    }
    memcpy(v, tmp, n * sizeof(*v));
}

void ccm_query_sort_views(const ccm_query *q, json_t **views, size_t n)
{
    json_t **tmp = calloc(n + 1, sizeof(*tmp));

    if (tmp) {
        merge_sort(q, views, tmp, n);
    }
    free(tmp);
}

void ccm_query_free(ccm_query *q)
{
    for (size_t i = 0; i < q->nconds; i++) {
        free(q->conds[i].field);
        free(q->conds[i].value);
    }
    for (size_t i = 0; i < q->nkeys; i++) {
        free(q->keys[i].field);
    }
    for (size_t i = 0; i < q->ncolumns; i++) {
        free(q->columns[i]);
    }
    free(q->conds);
    free(q->keys);
    free(q->columns);
    q->conds = NULL;
    q->keys = NULL;
    q->columns = NULL;
    q->nconds = q->nkeys = q->ncolumns = 0;
    q->cap_conds = q->cap_keys = q->cap_columns = 0;
}
