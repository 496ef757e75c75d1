/*
 * cmd_note.c - note add / show / list / share: sensitive diplomatic notes,
 * readable only by their recipients.
 *
 * A note is a record of kind "note" (inside the group-key envelope like any
 * record) whose fields are: "on" (the state or activity it is attached to,
 * "state:LAO" or "activity:<id>"), "author", "to" (a set of recipients),
 * "keys" (a set of "NAME:capsule", the note key sealed to each recipient)
 * and "sealed" (title and body encrypted under the note key). Members who
 * are not recipients see that a note exists, its attachment and recipients,
 * but neither title nor body. Notes are never exported or reported.
 *
 * The body comes from standard input, or from the member's editor when
 * standard input is a terminal; a body of nothing but white space is
 * refused. A note may be attached to any valid state code, whether or not a
 * record exists for that state yet, or to an existing activity.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "editor.h"
#include "text.h"

#define BODY_MAX 65536

/* The active member of the roster named `name`, or NULL. */
static const json_t *active_member(const json_t *roster, const char *name)
{
    size_t i;
    const json_t *m;

    json_array_foreach(json_object_get(roster, "members"), i, m)
    {
        if (strcmp(json_string_value(json_object_get(m, "name")), name) == 0 &&
            !json_object_get(m, "removed")) {
            return m;
        }
    }
    return NULL;
}

/* A recipient's capsule: the note key sealed to their box key. */
static int capsule_for(char **elem, const json_t *roster, const char *name, const uint8_t *key)
{
    const json_t *m = active_member(roster, name);
    const char *b64 = json_string_value(json_object_get(m, "box_key"));
    uint8_t box[32];
    char *capsule = NULL;
    int rc;

    *elem = NULL;
    if (!m) {
        return ccm_error_set(CCM_EINVALID,
                             "'%s' is not a member of the group (see 'ccmsync member "
                             "list')",
                             name);
    }
    if (!b64 || ccm_base64_decode(box, 32, b64, strlen(b64)) != 32) {
        return ccm_error_set(CCM_EVERIFY, "malformed box key for '%s' in the roster", name);
    }
    if ((rc = ccm_notekey_seal(&capsule, key, box)) < 0) {
        return rc;
    }
    if (!(*elem = malloc(strlen(name) + strlen(capsule) + 2))) {
        free(capsule);
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    sprintf(*elem, "%s:%s", name, capsule);
    free(capsule);
    return CCM_OK;
}

/* Opens this member's capsule of a note: CCM_EDENIED if not a recipient. */
static int open_key(uint8_t **key, ccm_cli *cli, const json_t *note)
{
    json_t *keys = ccm_record_field_value(note, "keys"), *e;
    const char *me = ccm_store_member(cli->store);
    const char *id = json_string_value(json_object_get(note, "id"));
    size_t i, n = strlen(me);
    int rc = CCM_EDENIED;

    *key = NULL;
    json_array_foreach(keys, i, e)
    {
        const char *v = json_string_value(e);
        if (strncmp(v, me, n) == 0 && v[n] == ':') {
            rc = ccm_notekey_open(key, v + n + 1, ccm_store_identity(cli->store));
            break;
        }
    }
    json_decref(keys);
    if (rc == CCM_EDENIED) {
        return ccm_error_set(CCM_EDENIED,
                             "'%s' is not a recipient of note %s (a recipient can run 'ccmsync "
                             "note share %s --to %s')",
                             me, id, id, me);
    }
    return rc;
}

/* The spec-shaped view of a note with its title (and body) decrypted. */
static int note_view(json_t **out, ccm_cli *cli, const json_t *note, int with_body)
{
    const char *id = json_string_value(json_object_get(note, "id"));
    json_t *view = NULL, *fields, *payload = NULL, *sealed;
    uint8_t *key = NULL, *pt = NULL;
    size_t len = 0;
    int rc;

    *out = NULL;
    if ((rc = open_key(&key, cli, note)) < 0) {
        return rc;
    }
    sealed = ccm_record_field_value(note, "sealed");
    rc = json_is_string(sealed) ? ccm_note_open(&pt, &len, key, id, json_string_value(sealed))
                                : ccm_error_set(CCM_EVERIFY, "note %s has no content", id);
    json_decref(sealed);
    ccm_secret_free(key);
    if (rc < 0) {
        return rc;
    }
    payload = json_loadb((const char *)pt, len, 0, NULL);
    free(pt);
    if (!json_is_string(json_object_get(payload, "title")) ||
        !json_is_string(json_object_get(payload, "body"))) {
        json_decref(payload);
        return ccm_error_set(CCM_EVERIFY, "note %s is malformed", id);
    }
    view = ccm_record_view(note);
    fields = json_object_get(view, "fields");
    json_object_del(fields, "keys");
    json_object_del(fields, "sealed");
    json_object_set(fields, "title", json_object_get(payload, "title"));
    if (with_body) {
        json_object_set(fields, "body", json_object_get(payload, "body"));
    }
    json_object_del(json_object_get(view, "meta"), "keys");
    json_object_del(json_object_get(view, "meta"), "sealed");
    json_decref(payload);
    *out = view;
    return CCM_OK;
}

static int read_body(char **out)
{
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);

    if (!buf) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    for (size_t r; (r = fread(buf + n, 1, cap - n - 1, stdin)) > 0;) {
        n += r;
        if (n > BODY_MAX) {
            free(buf);
            return ccm_error_set(CCM_EINVALID, "note body is too long (at most %d bytes)",
                                 BODY_MAX);
        }
        if (n + 1 == cap) {
            char *g = realloc(buf, cap *= 2);
            if (!g) {
                free(buf);
                return ccm_error_set(CCM_ERROR, "out of memory");
            }
            buf = g;
        }
    }
    buf[n] = 0;
    *out = buf;
    return CCM_OK;
}

/* 1 if text holds nothing but white space. */
static int is_blank(const char *text)
{
    for (; *text; text++) {
        if (!isspace((unsigned char)*text)) {
            return 0;
        }
    }
    return 1;
}

/* Splits NAME[,NAME] into the recipients object (author included). */
static int recipients(json_t *to, const char *list, const char *author)
{
    char *copy = strdup(list), *save = NULL;
    int rc = CCM_OK;

    if (!copy) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    json_object_set_new(to, author, json_true());
    for (char *n = strtok_r(copy, ",", &save); n && rc == CCM_OK; n = strtok_r(NULL, ",", &save)) {
        if ((rc = ccm_schema_check_member_name(n)) == CCM_OK) {
            json_object_set_new(to, n, json_true());
        }
    }
    free(copy);
    return rc;
}

static int parse_add(ccm_cli *cli, int argc, char **argv, const char **on, const char **to,
                     const char **title)
{
    for (int i = 0; i < argc; i++) {
        const char **slot = strcmp(argv[i], "--on") == 0      ? on
                            : strcmp(argv[i], "--to") == 0    ? to
                            : strcmp(argv[i], "--title") == 0 ? title
                                                              : NULL;
        if (!slot || i + 1 >= argc) {
            return ccm_usage(cli, "unexpected argument '%s'", argv[i]);
        }
        *slot = argv[++i];
    }
    if (!*on || !*to || !*title) {
        return ccm_usage(cli, "missing %s", !*on ? "--on ID" : !*to ? "--to NAME" : "--title T");
    }
    return CCM_OK;
}

int ccm_cmd_note_add(ccm_cli *cli, int argc, char **argv)
{
    const char *on = NULL, *to_arg = NULL, *title = NULL, *kind, *me = ccm_store_member(cli->store);
    char *target = NULL, *body = NULL, *text = NULL, *sealed = NULL, attach[64], id[17];
    json_t *to = json_object(), *roster = NULL, *rec = NULL, *payload = NULL, *v;
    uint8_t *key = NULL;
    ccm_txn *txn = NULL;
    const char *name;
    int rc;

    if ((rc = parse_add(cli, argc, argv, &on, &to_arg, &title)) < 0 ||
        (rc = ccm_schema_check_value("note", "title", title)) < 0 ||
        (rc = ccm_cli_record_arg(&kind, &target, cli, on)) < 0 ||
        (rc = recipients(to, to_arg, me)) < 0 || (rc = ccm_store_roster(&roster, cli->store)) < 0) {
        goto done;
    }
    if (!*title) {
        rc = ccm_error_set(CCM_EINVALID, "empty note title");
        goto done;
    }
    json_object_foreach(to, name, v)
    {
        if (!active_member(roster, name)) {
            rc = ccm_error_set(CCM_EINVALID,
                               "'%s' is not a member of the group (see 'ccmsync "
                               "member list')",
                               name);
            goto done;
        }
    }
    if (strcmp(kind, "activity") == 0) {
        /* A state code needs no record; an activity must exist. */
        if ((rc = ccm_store_get(&rec, cli->store, kind, target)) < 0) {
            goto done;
        }
        if (ccm_record_is_deleted(rec)) {
            rc = ccm_error_set(CCM_EINVALID, "activity '%s' was removed", target);
            goto done;
        }
        json_decref(rec);
        rec = NULL;
    }
    rc = isatty(STDIN_FILENO) ? ccm_editor_edit(&body, cli->store_dir, BODY_MAX) : read_body(&body);
    if (rc < 0 || (rc = ccm_schema_check_value("note", "body", body)) < 0) {
        goto done;
    }
    if (is_blank(body)) {
        rc = ccm_error_set(CCM_EINVALID, "empty note body: nothing written");
        goto done;
    }
    snprintf(attach, sizeof(attach), "%s:%s", kind, target);
    ccm_crypto_random_hex(id, 8);
    payload = json_pack("{s:s, s:s}", "title", title, "body", body);
    if (!payload || !(text = json_dumps(payload, JSON_COMPACT | JSON_SORT_KEYS)) ||
        (rc = ccm_notekey_generate(&key)) < 0 ||
        (rc = ccm_note_seal(&sealed, key, id, (const uint8_t *)text, strlen(text))) < 0) {
        rc = rc < 0 ? rc : ccm_error_set(CCM_ERROR, "out of memory");
        goto done;
    }
    if ((rc = ccm_txn_begin(&txn, cli->store)) < 0 || !(rec = ccm_record_new("note", id))) {
        rc = rc < 0 ? rc : CCM_EINVALID;
        goto done;
    }
    if ((rc = ccm_record_assign(rec, "on", attach, ccm_txn_stamp(txn), me)) < 0 ||
        (rc = ccm_record_assign(rec, "author", me, ccm_txn_stamp(txn), me)) < 0 ||
        (rc = ccm_record_assign(rec, "sealed", sealed, ccm_txn_stamp(txn), me)) < 0) {
        goto done;
    }
    json_object_foreach(to, name, v)
    {
        char *elem = NULL;
        if ((rc = capsule_for(&elem, roster, name, key)) < 0 ||
            (rc = ccm_record_set_add(rec, "to", name, ccm_txn_stamp(txn), me)) < 0 ||
            (rc = ccm_record_set_add(rec, "keys", elem, ccm_txn_stamp(txn), me)) < 0) {
            free(elem);
            goto done;
        }
        free(elem);
    }
    if ((rc = ccm_txn_put(txn, rec)) < 0 || (rc = ccm_txn_commit(txn)) < 0) {
        goto done;
    }
    if (cli->json) {
        json_t *doc = json_pack("{s:s}", "id", id);
        rc = ccm_print_json(doc);
        json_decref(doc);
    } else {
        printf("%s\n", id);
    }
done:
    ccm_txn_free(txn);
    ccm_secret_free(key);
    if (text) {
        ccm_wipe_text(text);
    }
    if (body) {
        ccm_wipe_text(body);
    }
    free(sealed);
    free(target);
    json_decref(payload);
    json_decref(rec);
    json_decref(roster);
    json_decref(to);
    return rc;
}

/* Resolves a note id (or unique prefix) and reads it. */
static int get_note(json_t **out, ccm_cli *cli, const char *arg)
{
    char *id = NULL;
    int rc;

    *out = NULL;
    if ((rc = ccm_cli_hex_id(&id, cli, "note", arg)) == CCM_OK) {
        rc = ccm_store_get(out, cli->store, "note", id);
    }
    free(id);
    return rc;
}

int ccm_cli_note_body(json_t **out, ccm_cli *cli, const char *id)
{
    json_t *note = NULL;
    int rc;

    *out = NULL;
    if ((rc = ccm_store_get(&note, cli->store, "note", id)) == CCM_OK) {
        rc = note_view(out, cli, note, 1);
    }
    json_decref(note);
    return rc;
}

int ccm_cmd_note_show(ccm_cli *cli, int argc, char **argv)
{
    json_t *note = NULL, *view = NULL;
    int rc;

    if (argc != 1) {
        return ccm_usage(cli, argc ? "too many arguments" : "missing note id");
    }
    if ((rc = get_note(&note, cli, argv[0])) < 0 || (rc = note_view(&view, cli, note, 1)) < 0) {
        goto done;
    }
    if (cli->json) {
        rc = ccm_print_json(view);
    } else {
        json_t *f = json_object_get(view, "fields");
        char *body = ccm_text_escape(json_string_value(json_object_get(f, "body")), 1);
        printf("note %s on ", json_string_value(json_object_get(view, "id")));
        ccm_text_put(stdout, json_string_value(json_object_get(f, "on")));
        printf(" by ");
        ccm_text_put(stdout, json_string_value(json_object_get(f, "author")));
        printf("\nto: ");
        {
            size_t i;
            json_t *e;
            json_array_foreach(json_object_get(f, "to"), i, e)
            {
                fputs(i ? ", " : "", stdout);
                ccm_text_put(stdout, json_string_value(e));
            }
        }
        printf("\ntitle: ");
        ccm_text_put(stdout, json_string_value(json_object_get(f, "title")));
        /* The body is multi-line text: its lines are kept, anything else
         * that would drive the terminal is escaped. */
        printf("\n\n%s\n", body ? body : "");
        if (body) {
            ccm_wipe_text(body);
        }
    }
done:
    json_decref(view);
    json_decref(note);
    return rc;
}

/* Calls fn for every note attached to "KIND:ID" (attach NULL: every note),
 * with its view (title, no body) or NULL when this member cannot read it. */
typedef int (*note_fn)(json_t *view, void *payload);

typedef struct {
    ccm_cli *cli;
    const char *attach;
    note_fn fn;
    void *payload;
} notes_ctx;

static int each_note(const json_t *note, void *payload)
{
    notes_ctx *x = payload;
    json_t *on = ccm_record_field_value(note, "on"), *view = NULL;
    int rc = CCM_OK;

    if (x->attach && !(json_is_string(on) && strcmp(json_string_value(on), x->attach) == 0)) {
        goto done;
    }
    rc = note_view(&view, x->cli, note, 0);
    if (rc == CCM_EDENIED) {
        ccm_error_clear();
        rc = x->fn(NULL, x->payload);
    } else if (rc == CCM_OK) {
        rc = x->fn(view, x->payload);
    }
done:
    json_decref(view);
    json_decref(on);
    return rc;
}

static int foreach_note(ccm_cli *cli, const char *kind, const char *id, note_fn fn, void *payload)
{
    char attach[64];
    notes_ctx x = {cli, NULL, fn, payload};

    if (kind) {
        snprintf(attach, sizeof(attach), "%s:%s", kind, id);
        x.attach = attach;
    }
    return ccm_store_foreach(cli->store, "note", x.attach, each_note, &x);
}

typedef struct {
    json_t *readable;
    size_t hidden;
} gather_ctx;

static int gather(json_t *view, void *payload)
{
    gather_ctx *g = payload;

    if (!view) {
        g->hidden++;
        return CCM_OK;
    }
    return json_array_append(g->readable, view) < 0 ? ccm_error_set(CCM_ERROR, "out of memory")
                                                    : CCM_OK;
}

int ccm_cli_notes_on(ccm_cli *cli, const char *kind, const char *id, json_t **readable,
                     size_t *hidden)
{
    gather_ctx g = {json_array(), 0};
    int rc;

    *readable = NULL;
    *hidden = 0;
    if (!g.readable) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    if ((rc = foreach_note(cli, kind, id, gather, &g)) < 0) {
        json_decref(g.readable);
        return rc;
    }
    *readable = g.readable;
    *hidden = g.hidden;
    return CCM_OK;
}

int ccm_cmd_note_list(ccm_cli *cli, int argc, char **argv)
{
    json_t *out = NULL, *v;
    const char *kind = NULL;
    char *id = NULL;
    size_t i, hidden = 0;
    int rc;

    if (argc == 2 && strcmp(argv[0], "--on") == 0) {
        if ((rc = ccm_cli_record_arg(&kind, &id, cli, argv[1])) < 0) {
            return rc;
        }
    } else if (argc != 0) {
        return ccm_usage(cli, "unexpected argument '%s'", argv[0]);
    }
    if ((rc = ccm_cli_notes_on(cli, kind, id, &out, &hidden)) < 0) {
        free(id);
        return rc;
    }
    if (cli->json) {
        rc = ccm_print_json(out);
    } else {
        if (json_array_size(out) == 0) {
            printf("no notes addressed to you");
            if (hidden) {
                printf(" (%zu addressed to others)", hidden);
            }
            printf("\n");
        }
        json_array_foreach(out, i, v)
        {
            json_t *f = json_object_get(v, "fields");
            char *on = ccm_text_escape(json_string_value(json_object_get(f, "on")), 0);
            char *author = ccm_text_escape(json_string_value(json_object_get(f, "author")), 0);
            printf("%s %-22s %-10s ", json_string_value(json_object_get(v, "id")), on ? on : "",
                   author ? author : "");
            ccm_text_put(stdout, json_string_value(json_object_get(f, "title")));
            fputc('\n', stdout);
            free(on);
            free(author);
        }
    }
    json_decref(out);
    free(id);
    return rc;
}

int ccm_cmd_note_share(ccm_cli *cli, int argc, char **argv)
{
    const char *to = NULL, *me = ccm_store_member(cli->store);
    json_t *note = NULL, *roster = NULL, *rec = NULL, *cur = NULL;
    uint8_t *key = NULL;
    char *elem = NULL;
    ccm_txn *txn = NULL;
    int rc;

    if (argc != 3 || strcmp(argv[1], "--to") != 0) {
        return ccm_usage(cli, "expected ID --to NAME");
    }
    to = argv[2];
    if ((rc = ccm_schema_check_member_name(to)) < 0 || (rc = get_note(&note, cli, argv[0])) < 0 ||
        (rc = open_key(&key, cli, note)) < 0 || (rc = ccm_store_roster(&roster, cli->store)) < 0 ||
        (rc = capsule_for(&elem, roster, to, key)) < 0) {
        goto done;
    }
    if ((rc = ccm_txn_begin(&txn, cli->store)) < 0 ||
        (rc = ccm_txn_get(&rec, txn, "note", json_string_value(json_object_get(note, "id")))) < 0) {
        goto done;
    }
    cur = ccm_record_field_value(rec, "to");
    {
        size_t i;
        json_t *e;
        json_array_foreach(cur, i, e)
        {
            if (strcmp(json_string_value(e), to) == 0) {
                rc = ccm_error_set(CCM_EINVALID, "'%s' is already a recipient", to);
                goto done;
            }
        }
    }
    if ((rc = ccm_record_set_add(rec, "to", to, ccm_txn_stamp(txn), me)) < 0 ||
        (rc = ccm_record_set_add(rec, "keys", elem, ccm_txn_stamp(txn), me)) < 0 ||
        (rc = ccm_txn_put(txn, rec)) < 0 || (rc = ccm_txn_commit(txn)) < 0) {
        goto done;
    }
    if (cli->json) {
        json_t *doc = json_pack("{s:O, s:s}", "id", json_object_get(note, "id"), "shared_with", to);
        rc = ccm_print_json(doc);
        json_decref(doc);
    } else {
        printf("shared note %s with %s\n", json_string_value(json_object_get(note, "id")), to);
    }
done:
    ccm_txn_free(txn);
    ccm_secret_free(key);
    free(elem);
    json_decref(cur);
    json_decref(rec);
    json_decref(roster);
    json_decref(note);
    return rc;
}
