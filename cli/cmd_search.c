/*
 * cmd_search.c - search TEXT: every state, activity and note this member can
 * read that contains TEXT, ignoring ASCII case; one hit per field that
 * matches (its kind, id and field name, and the value around the match).
 *
 * Records are searched in their documented JSON view (a state's default name included,
 * removed records left out), ids too. Notes are searched in their title and
 * body only when this member is a recipient: the sealed content of the
 * others is never opened, so nothing of it can leak through a hit.
 * Order: states, activities, notes, each by id, fields by name.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "query.h"
#include "text.h"

#define EXCERPT 60 /* bytes of context either side of a match */

typedef struct {
    ccm_cli *cli;
    const char *text;
    json_t *hits;
} search_ctx;

/* The offset of the first case-insensitive (ASCII) match, or -1. */
static long find_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle);

    for (const char *p = hay; *p; p++) {
        size_t i = 0;
        while (i < n && p[i] && tolower((unsigned char)p[i]) == tolower((unsigned char)needle[i])) {
            i++;
        }
        if (i == n) {
            return (long)(p - hay);
        }
    }
    return -1;
}

static int add_hit(search_ctx *x, const char *kind, const char *id, const char *field,
                   const json_t *value)
{
    json_t *hit =
        json_pack("{s:s, s:s, s:s, s:O}", "kind", kind, "id", id, "field", field, "value", value);

    if (!hit || json_array_append_new(x->hits, hit) < 0) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    return CCM_OK;
}

static int value_matches(const json_t *v, const char *text)
{
    size_t i;
    json_t *e;

    if (json_is_string(v)) {
        return find_ci(json_string_value(v), text) >= 0;
    }
    json_array_foreach(v, i, e)
    {
        if (find_ci(json_string_value(e), text) >= 0) {
            return 1;
        }
    }
    return 0;
}

/* Adds a hit for the id and for every matching field of a view. */
static int search_view(search_ctx *x, const json_t *view, const char *kind)
{
    const char *id = json_string_value(json_object_get(view, "id")), *name;
    json_t *fields = json_object_get(view, "fields"), *v, *names = json_array();
    size_t i;
    int rc = CCM_OK;

    if (!names) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    if (find_ci(id, x->text) >= 0) {
        rc = add_hit(x, kind, id, "id", json_object_get(view, "id"));
    }
    json_object_foreach(fields, name, v)
    {
        json_array_append_new(names, json_string(name));
    }
    /* Fields in name order: sort the names (few per record). */
    for (i = 1; i < json_array_size(names); i++) {
        for (size_t j = i; j > 0 && strcmp(json_string_value(json_array_get(names, j - 1)),
                                           json_string_value(json_array_get(names, j))) > 0;
             j--) {
            json_t *a = json_incref(json_array_get(names, j - 1));
            json_array_set(names, j - 1, json_array_get(names, j));
            json_array_set_new(names, j, a);
        }
    }
    for (i = 0; i < json_array_size(names) && rc == CCM_OK; i++) {
        name = json_string_value(json_array_get(names, i));
        v = json_object_get(fields, name);
        if (value_matches(v, x->text)) {
            rc = add_hit(x, kind, id, name, v);
        }
    }
    json_decref(names);
    return rc;
}

static int search_record(const json_t *rec, void *payload)
{
    search_ctx *x = payload;
    json_t *view;
    int rc;

    if (ccm_record_is_deleted(rec)) {
        return CCM_OK;
    }
    if (!(view = ccm_cli_view(rec))) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    rc = search_view(x, view, json_string_value(json_object_get(rec, "kind")));
    json_decref(view);
    return rc;
}

static int search_notes(search_ctx *x)
{
    json_t *notes = NULL, *note;
    size_t i, hidden = 0;
    int rc;

    /* Only the notes this member can open; their bodies are searched too. */
    if ((rc = ccm_store_notes(&notes, &hidden, x->cli->store, NULL, NULL, 1)) < 0) {
        return rc;
    }
    json_array_foreach(notes, i, note)
    {
        if ((rc = search_view(x, note, "note")) < 0) {
            break;
        }
    }
    json_decref(notes);
    return rc;
}

/* One line for people: kind, id, field, and the value around the match. */
static void print_hit(const json_t *hit, const char *text)
{
    const json_t *v = json_object_get(hit, "value");
    char *joined = NULL, *esc;
    const char *s = json_string_value(v);
    long at;
    size_t from, len;

    if (json_is_array(v)) {
        size_t i, n = 0;
        json_t *e;
        json_array_foreach(v, i, e)
        {
            n += strlen(json_string_value(e)) + 2;
        }
        if ((joined = calloc(n + 1, 1))) {
            json_array_foreach(v, i, e)
            {
                strcat(strcat(joined, i ? ", " : ""), json_string_value(e));
            }
        }
        s = joined;
    }
    s = s ? s : "";
    at = find_ci(s, text);
    from = at > EXCERPT ? (size_t)at - EXCERPT : 0;
    while (from > 0 && ((unsigned char)s[from] & 0xc0) == 0x80) {
        from--; /* not inside a UTF-8 sequence */
    }
    len = strlen(s + from);
    len = len > 2 * EXCERPT + strlen(text) ? 2 * EXCERPT + strlen(text) : len;
    while (len > 0 && s[from + len] && ((unsigned char)s[from + len] & 0xc0) == 0x80) {
        len--;
    }
    {
        char *part = strndup(s + from, len);
        esc = ccm_text_escape(part ? part : "", 0);
        free(part);
    }
    printf("%-8s %-16s %-15s %s%s%s\n", json_string_value(json_object_get(hit, "kind")),
           json_string_value(json_object_get(hit, "id")),
           json_string_value(json_object_get(hit, "field")), from ? CCM_TEXT_CUT : "",
           esc ? esc : "", from + len < strlen(s) ? CCM_TEXT_CUT : "");
    free(esc);
    free(joined);
}

int ccm_cmd_search(ccm_cli *cli, int argc, char **argv)
{
    search_ctx x = {cli, NULL, json_array()};
    json_t *hit;
    size_t i;
    int rc;

    if (!x.hits) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    if (argc != 1 || !*argv[0]) {
        json_decref(x.hits);
        return ccm_usage(cli, argc > 1 ? "too many arguments (quote TEXT)" : "missing TEXT");
    }
    x.text = argv[0];
    if ((rc = ccm_store_foreach(cli->store, "state", NULL, search_record, &x)) < 0 ||
        (rc = ccm_store_foreach(cli->store, "activity", NULL, search_record, &x)) < 0 ||
        (rc = search_notes(&x)) < 0) {
        goto done;
    }
    if (cli->json) {
        rc = ccm_print_json(x.hits);
        goto done;
    }
    ccm_cli_print_at(cli);
    if (json_array_size(x.hits) == 0) {
        printf("nothing you can read contains '");
        ccm_text_put(stdout, x.text);
        printf("'\n");
    }
    json_array_foreach(x.hits, i, hit)
    {
        print_hit(hit, x.text);
    }
done:
    json_decref(x.hits);
    return rc;
}
