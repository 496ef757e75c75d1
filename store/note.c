/*
 * note.c - notes: sensitive diplomatic notes, readable only by their
 * recipients. The model and its rules live here; cli/cmd_note.c parses the
 * arguments, reads the body and prints.
 *
 * A note is a record of kind "note" (inside the group-key envelope like any
 * record) whose fields are: "on" (the state or activity it is attached to,
 * "state:LAO" or "activity:<id>"), "author", "to" (a set of recipients, the
 * author always among them), "keys" (a set of "NAME:capsule", the note key
 * sealed to each recipient) and "sealed" (title and body, a JSON object
 * encrypted under the note key and bound to the note's id).
 *
 * Rules: only recipients read the title and body; members who are not
 * recipients see that a note exists, what it is attached to, its author and
 * recipients, never its title or body. A recipient is an active member of
 * the group when added; recipients only grow: a recipient shares the note by
 * sealing the key it opens to one more member, and no one is ever taken off.
 * The title is one line, the body multi-line text; neither may be empty (a
 * body of nothing but white space is empty). A note may be attached to any
 * valid state code, whether or not a record exists for that state yet, or
 * to an existing activity that was not removed.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_private.h"

#define ATTACH_MAX 64 /* "activity:" and 16 hex digits, with room */

/* The fields of a note no view shows: the sealed keys and content, and a
 * title or body that would be written in the clear. */
static const char *const concealed[] = {"keys", "sealed", "title", "body", NULL};

/* The active member of the roster named `name`, or NULL. */
static const json_t *active_member(const json_t *roster, const char *name)
{
    size_t i;
    const json_t *m;

    json_array_foreach(json_object_get(roster, "members"), i, m)
    {
        const char *n = json_string_value(json_object_get(m, "name"));
        if (n && strcmp(n, name) == 0 && !json_object_get(m, "removed")) {
            return m;
        }
    }
    return NULL;
}

static int not_a_member(const char *name)
{
    return ccm_error_set(CCM_EINVALID,
                         "'%s' is not a member of the group (see 'ccmsync member list')", name);
}

/* A recipient's capsule, "NAME:capsule": the note key sealed to their box
 * key. */
static int capsule_for(char **elem, const json_t *roster, const char *name, const uint8_t *key)
{
    const json_t *m = active_member(roster, name);
    const char *b64 = json_string_value(json_object_get(m, "box_key"));
    uint8_t box[32];
    char *capsule = NULL;
    int rc;

    *elem = NULL;
    if (!m) {
        return not_a_member(name);
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

/* Opens `member`'s capsule of a note: CCM_EDENIED if not a recipient. */
static int open_key(uint8_t **key, const json_t *note, const char *member, const ccm_identity *id)
{
    json_t *keys = ccm_record_field_value(note, "keys"), *e;
    const char *nid = json_string_value(json_object_get(note, "id"));
    size_t i, n = strlen(member);
    int rc = CCM_EDENIED;

    *key = NULL;
    json_array_foreach(keys, i, e)
    {
        const char *v = json_string_value(e);
        if (id && v && strncmp(v, member, n) == 0 && v[n] == ':') {
            rc = ccm_notekey_open(key, v + n + 1, id);
            break;
        }
    }
    json_decref(keys);
    if (rc == CCM_EDENIED) {
        return ccm_error_set(CCM_EDENIED,
                             "'%s' is not a recipient of note %s (a recipient can run 'ccmsync "
                             "note share %s --to %s')",
                             member, nid, nid, member);
    }
    return rc;
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

/* The recipients of a new note as {NAME: true}: the author first, then the
 * names of `to` (each a valid member name; repeated ones once). */
static int recipients(json_t **out, const char *author, const char *const *to, size_t nto)
{
    json_t *names = json_object();
    int rc = CCM_OK;

    *out = NULL;
    if (!names || json_object_set_new(names, author, json_true()) < 0) {
        json_decref(names);
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    for (size_t i = 0; i < nto && rc == CCM_OK; i++) {
        if ((rc = ccm_schema_check_member_name(to[i])) == CCM_OK &&
            json_object_set_new(names, to[i], json_true()) < 0) {
            rc = ccm_error_set(CCM_ERROR, "out of memory");
        }
    }
    if (rc < 0) {
        json_decref(names);
        return rc;
    }
    *out = names;
    return CCM_OK;
}

/* The recipients of a new note, checked as ccm_note_check says. */
static int checked_recipients(json_t **out, const char *author, const char *const *to, size_t nto,
                              const char *title, const json_t *roster)
{
    json_t *names = NULL, *v;
    const char *name;
    int rc;

    *out = NULL;
    if ((rc = ccm_schema_check_value("note", "title", title)) < 0 ||
        (rc = recipients(&names, author, to, nto)) < 0) {
        return rc;
    }
    if (!title || !*title) {
        json_decref(names);
        return ccm_error_set(CCM_EINVALID, "empty note title");
    }
    json_object_foreach(names, name, v)
    {
        if (!active_member(roster, name)) {
            rc = not_a_member(name); /* before `name`, a key of `names`, is freed */
            json_decref(names);
            return rc;
        }
    }
    *out = names;
    return CCM_OK;
}

int ccm_note_check(const char *author, const char *const *to, size_t nto, const char *title,
                   const json_t *roster)
{
    json_t *names = NULL;
    int rc = checked_recipients(&names, author, to, nto, title, roster);

    json_decref(names);
    return rc;
}

/* CCM_EINVALID unless `on` is "state:CODE" or "activity:ID". */
static int check_attachment(const char *on)
{
    const char *colon = on ? strchr(on, ':') : NULL;
    char kind[16];

    if (colon && (size_t)(colon - on) < sizeof(kind)) {
        memcpy(kind, on, (size_t)(colon - on));
        kind[colon - on] = 0;
        if ((strcmp(kind, "state") == 0 || strcmp(kind, "activity") == 0) &&
            ccm_schema_check_record_id(kind, colon + 1) == CCM_OK) {
            return CCM_OK;
        }
        ccm_error_clear();
    }
    return ccm_error_set(CCM_EINVALID,
                         "invalid note attachment (state:CODE or activity:ID, not '%.80s')",
                         on ? on : "");
}

/* Title and body, as the JSON text sealed under the note key (caller wipes
 * and frees). */
static int payload_text(char **out, const char *title, const char *body)
{
    json_t *payload = json_pack("{s:s, s:s}", "title", title, "body", body);

    *out = payload ? json_dumps(payload, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(payload);
    return *out ? CCM_OK : ccm_error_set(CCM_ERROR, "out of memory");
}

int ccm_note_create(json_t **out, const char *id, const char *on, const char *author,
                    const char *const *to, size_t nto, const char *title, const char *body,
                    const json_t *roster, uint64_t stamp)
{
    json_t *names = NULL, *rec = NULL, *v;
    char *text = NULL, *sealed = NULL;
    uint8_t *key = NULL;
    const char *name;
    int rc;

    *out = NULL;
    if ((rc = ccm_schema_check_record_id("note", id)) < 0 || (rc = check_attachment(on)) < 0 ||
        (rc = checked_recipients(&names, author, to, nto, title, roster)) < 0 ||
        (rc = ccm_schema_check_value("note", "body", body)) < 0) {
        goto done;
    }
    if (!body || is_blank(body)) {
        rc = ccm_error_set(CCM_EINVALID, "empty note body: nothing written");
        goto done;
    }
    if ((rc = payload_text(&text, title, body)) < 0 || (rc = ccm_notekey_generate(&key)) < 0 ||
        (rc = ccm_note_seal(&sealed, key, id, (const uint8_t *)text, strlen(text))) < 0) {
        goto done;
    }
    if (!(rec = ccm_record_new("note", id))) {
        rc = ccm_error_set(CCM_ERROR, "out of memory");
        goto done;
    }
    if ((rc = ccm_record_assign(rec, "on", on, stamp, author)) < 0 ||
        (rc = ccm_record_assign(rec, "author", author, stamp, author)) < 0 ||
        (rc = ccm_record_assign(rec, "sealed", sealed, stamp, author)) < 0) {
        goto done;
    }
    json_object_foreach(names, name, v)
    {
        char *elem = NULL;
        if ((rc = capsule_for(&elem, roster, name, key)) < 0 ||
            (rc = ccm_record_set_add(rec, "to", name, stamp, author)) < 0 ||
            (rc = ccm_record_set_add(rec, "keys", elem, stamp, author)) < 0) {
            free(elem);
            goto done;
        }
        free(elem);
    }
    *out = rec;
    rec = NULL;
done:
    ccm_secret_free(key);
    if (text) {
        ccm_wipe_free(text, strlen(text));
    }
    free(sealed);
    json_decref(rec);
    json_decref(names);
    return rc;
}

json_t *ccm_note_public_view(const json_t *note)
{
    json_t *view = ccm_record_view(note);

    for (size_t i = 0; view && concealed[i]; i++) {
        json_object_del(json_object_get(view, "fields"), concealed[i]);
        json_object_del(json_object_get(view, "meta"), concealed[i]);
        json_object_del(json_object_get(view, "conflicts"), concealed[i]);
    }
    return view;
}

int ccm_note_view(json_t **out, const json_t *note, const char *member, const ccm_identity *id,
                  int with_body)
{
    const char *nid = json_string_value(json_object_get(note, "id"));
    json_t *view = NULL, *fields, *payload = NULL, *sealed = NULL, *title, *body;
    uint8_t *key = NULL, *pt = NULL;
    size_t len = 0;
    int rc;

    *out = NULL;
    if ((rc = open_key(&key, note, member, id)) < 0) {
        return rc;
    }
    sealed = ccm_record_field_value(note, "sealed");
    rc = json_is_string(sealed) ? ccm_note_open(&pt, &len, key, nid, json_string_value(sealed))
                                : ccm_error_set(CCM_EVERIFY, "note %s has no content", nid);
    if (rc < 0) {
        goto done;
    }
    payload = json_loadb((const char *)pt, len, 0, NULL);
    title = json_object_get(payload, "title");
    body = json_object_get(payload, "body");
    if (!json_is_string(title) || !json_is_string(body)) {
        rc = ccm_error_set(CCM_EVERIFY, "note %s is malformed", nid);
        goto done;
    }
    if (!(view = ccm_note_public_view(note)) || !(fields = json_object_get(view, "fields")) ||
        json_object_set(fields, "title", title) < 0 ||
        (with_body && json_object_set(fields, "body", body) < 0)) {
        rc = ccm_error_set(CCM_ERROR, "out of memory");
        goto done;
    }
    *out = view;
    view = NULL;
done:
    ccm_secret_free(key);
    ccm_wipe_free(pt, len);
    json_decref(payload);
    json_decref(sealed);
    json_decref(view);
    return rc;
}

/* 1 if `name` is among the note's recipients. */
static int is_recipient(const json_t *note, const char *name)
{
    json_t *to = ccm_record_field_value(note, "to"), *e;
    size_t i;
    int found = 0;

    json_array_foreach(to, i, e)
    {
        found |= json_is_string(e) && strcmp(json_string_value(e), name) == 0;
    }
    json_decref(to);
    return found;
}

int ccm_note_share(json_t *note, const char *member, const ccm_identity *id, const char *to,
                   const json_t *roster, uint64_t stamp)
{
    uint8_t *key = NULL;
    char *elem = NULL;
    int rc;

    if ((rc = ccm_schema_check_member_name(to)) < 0 ||
        (rc = open_key(&key, note, member, id)) < 0 ||
        (rc = capsule_for(&elem, roster, to, key)) < 0) {
        goto done;
    }
    if (is_recipient(note, to)) {
        rc = ccm_error_set(CCM_EINVALID, "'%s' is already a recipient", to);
        goto done;
    }
    if ((rc = ccm_record_set_add(note, "to", to, stamp, member)) == CCM_OK) {
        rc = ccm_record_set_add(note, "keys", elem, stamp, member);
    }
done:
    ccm_secret_free(key);
    free(elem);
    return rc;
}

/* ---- in the store ----------------------------------------------------------- */

/* The roster, the recipients checked against it and the attachment "KIND:ID"
 * of a new note by this store's member. */
static int prepare(json_t **roster, char on[ATTACH_MAX], ccm_store *s, const char *kind,
                   const char *target, const char *const *to, size_t nto, const char *title)
{
    json_t *rec = NULL;
    int rc;

    *roster = NULL;
    if ((rc = ccm_store_roster(roster, s)) < 0 ||
        (rc = ccm_note_check(ccm_store_member(s), to, nto, title, *roster)) < 0) {
        goto done;
    }
    if (!kind || (strcmp(kind, "state") != 0 && strcmp(kind, "activity") != 0)) {
        rc = ccm_error_set(CCM_EINVALID, "a note is attached to a state or an activity");
        goto done;
    }
    if ((rc = ccm_schema_check_record_id(kind, target)) < 0) {
        goto done;
    }
    if (strcmp(kind, "activity") == 0) {
        /* A state code needs no record; an activity must exist. */
        if ((rc = ccm_store_get(&rec, s, kind, target)) < 0) {
            goto done;
        }
        if (ccm_record_is_deleted(rec)) {
            rc = ccm_error_set(CCM_EINVALID, "activity '%s' was removed", target);
            goto done;
        }
    }
    snprintf(on, ATTACH_MAX, "%s:%s", kind, target);
done:
    json_decref(rec);
    if (rc < 0) {
        json_decref(*roster);
        *roster = NULL;
    }
    return rc;
}

int ccm_store_note_check(ccm_store *s, const char *kind, const char *target, const char *const *to,
                         size_t nto, const char *title)
{
    json_t *roster = NULL;
    char on[ATTACH_MAX];
    int rc = prepare(&roster, on, s, kind, target, to, nto, title);

    json_decref(roster);
    return rc;
}

int ccm_store_note_add(char id[CCM_RECORD_HEX_ID_LEN + 1], ccm_store *s, const char *kind,
                       const char *target, const char *const *to, size_t nto, const char *title,
                       const char *body)
{
    json_t *roster = NULL, *rec = NULL;
    char on[ATTACH_MAX], nid[CCM_RECORD_HEX_ID_LEN + 1];
    ccm_txn *txn = NULL;
    int rc;

    id[0] = 0;
    if ((rc = prepare(&roster, on, s, kind, target, to, nto, title)) < 0) {
        goto done;
    }
    ccm_crypto_random_hex(nid, CCM_RECORD_HEX_ID_LEN / 2);
    if ((rc = ccm_txn_begin(&txn, s)) < 0 ||
        (rc = ccm_note_create(&rec, nid, on, ccm_store_member(s), to, nto, title, body, roster,
                              ccm_txn_stamp(txn))) < 0 ||
        (rc = ccm_txn_put(txn, rec)) < 0 || (rc = ccm_txn_commit(txn)) < 0) {
        goto done;
    }
    memcpy(id, nid, sizeof(nid));
done:
    ccm_txn_free(txn);
    json_decref(rec);
    json_decref(roster);
    return rc;
}

int ccm_store_note_get(json_t **out, ccm_store *s, const char *id, int with_body)
{
    json_t *note = NULL;
    int rc;

    *out = NULL;
    if ((rc = ccm_store_get(&note, s, "note", id)) == CCM_OK) {
        rc = ccm_note_view(out, note, ccm_store_member(s), ccm_store_identity(s), with_body);
    }
    json_decref(note);
    return rc;
}

int ccm_store_note_share(ccm_store *s, const char *id, const char *to)
{
    json_t *roster = NULL, *rec = NULL;
    ccm_txn *txn = NULL;
    int rc;

    if ((rc = ccm_schema_check_member_name(to)) < 0 || (rc = ccm_store_roster(&roster, s)) < 0 ||
        (rc = ccm_txn_begin(&txn, s)) < 0 || (rc = ccm_txn_get(&rec, txn, "note", id)) < 0) {
        goto done;
    }
    if ((rc = ccm_note_share(rec, ccm_store_member(s), ccm_store_identity(s), to, roster,
                             ccm_txn_stamp(txn))) < 0 ||
        (rc = ccm_txn_put(txn, rec)) < 0 || (rc = ccm_txn_commit(txn)) < 0) {
        goto done;
    }
done:
    ccm_txn_free(txn);
    json_decref(rec);
    json_decref(roster);
    return rc;
}

typedef struct {
    ccm_store *s;
    const char *attach; /* "KIND:ID", or NULL: every note */
    int with_body;
    json_t *readable;
    size_t hidden;
} notes_ctx;

static int each_note(const json_t *note, void *payload)
{
    notes_ctx *x = payload;
    json_t *on = ccm_record_field_value(note, "on"), *view = NULL;
    int rc = CCM_OK;

    if (x->attach && !(json_is_string(on) && strcmp(json_string_value(on), x->attach) == 0)) {
        goto done;
    }
    rc = ccm_note_view(&view, note, ccm_store_member(x->s), ccm_store_identity(x->s), x->with_body);
    if (rc == CCM_EDENIED) {
        ccm_error_clear();
        x->hidden++;
        rc = CCM_OK;
    } else if (rc == CCM_OK && json_array_append(x->readable, view) < 0) {
        rc = ccm_error_set(CCM_ERROR, "out of memory");
    }
done:
    json_decref(view);
    json_decref(on);
    return rc;
}

int ccm_store_notes(json_t **readable, size_t *hidden, ccm_store *s, const char *kind,
                    const char *id, int with_body)
{
    char attach[ATTACH_MAX];
    notes_ctx x = {s, NULL, with_body, json_array(), 0};
    int rc;

    *readable = NULL;
    *hidden = 0;
    if (!x.readable) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    if (kind) {
        snprintf(attach, sizeof(attach), "%s:%s", kind, id);
        x.attach = attach;
    }
    if ((rc = ccm_store_foreach(s, "note", x.attach, each_note, &x)) < 0) {
        json_decref(x.readable);
        return rc;
    }
    *readable = x.readable;
    *hidden = x.hidden;
    return CCM_OK;
}
