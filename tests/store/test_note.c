/*
 * test_note.c - the note model (store/note.c): only the author and the
 * recipients read a note's title and body; the author is always a
 * recipient; recipients are active members and only grow (a recipient
 * shares, no one else does, no one is taken off); the title is one line and
 * not empty, the body multi-line and not blank; a member who is not a
 * recipient sees that a note exists, what it is attached to, its author and
 * recipients, never its title or body, not even in the record's plaintext.
 * The records the model writes pass the trust rules every replica applies
 * (ccm_record_check_effect). Then the same in a store: a note on a state
 * code or on an existing activity, one commit per note, the notes of a
 * record listed with those addressed to others counted.
 *
 * Members are identities made here, in a roster written by hand, so that
 * every rule is checked with several members without a group to sync.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "store/store.h"
#include "tests/support/store_support.h"
#include "tests/support/tmpdir.h"

#define STAMP ((uint64_t)1700000000000 << 16)
#define NOTE_ID "0123456789abcdef"
#define TITLE "Visit of the minister TITLE-MARK"
#define BODY "The minister hinted at a decision.\nBODY-MARK on a second line.\n"

/* ---- a group written by hand ----------------------------------------------- */

enum { PERU, NORWAY, MALAWI, GONE, NMEMBERS };
static const char *const names[NMEMBERS] = {"Peru", "Norway", "Malawi", "Gone"};

typedef struct {
    ccm_identity *ids[NMEMBERS];
    json_t *roster; /* Gone was removed */
} group;

static int group_setup(void **state)
{
    group *g = calloc(1, sizeof(*g));
    json_t *members = json_array();

    assert_non_null(g);
    for (int i = 0; i < NMEMBERS; i++) {
        char *box;
        assert_int_equal(ccm_identity_generate(&g->ids[i]), CCM_OK);
        box = ccm_base64_encode(ccm_identity_box_pk(g->ids[i]), 32);
        assert_non_null(box);
        json_array_append_new(members, json_pack("{s:s, s:s, s:s}", "name", names[i], "role",
                                                 i == PERU ? "admin" : "editor", "box_key", box));
        free(box);
    }
    json_object_set_new(json_array_get(members, GONE), "removed", json_true());
    g->roster = json_pack("{s:i, s:o}", "epoch", 1, "members", members);
    *state = g;
    return 0;
}

static int group_teardown(void **state)
{
    group *g = *state;

    for (int i = 0; i < NMEMBERS; i++) {
        ccm_identity_free(g->ids[i]);
    }
    json_decref(g->roster);
    free(g);
    return 0;
}

/* Every member ever in the group, as ccm_record_check_effect takes them. */
static json_t *ever_members(void)
{
    json_t *m = json_object();

    for (int i = 0; i < NMEMBERS; i++) {
        json_object_set_new(m, names[i], json_true());
    }
    return m;
}

/* A note by Peru on LAO to `to` (NULL-terminated), which must be accepted. */
static json_t *peru_note(group *g, const char *const *to)
{
    json_t *rec = NULL;
    size_t n = 0;

    while (to[n]) {
        n++;
    }
    assert_int_equal(
        ccm_note_create(&rec, NOTE_ID, "state:LAO", "Peru", to, n, TITLE, BODY, g->roster, STAMP),
        CCM_OK);
    assert_non_null(rec);
    return rec;
}

/* The sorted recipients of a note as "A,B,C". */
static void recipients_of(char *out, size_t cap, const json_t *note)
{
    json_t *to = ccm_record_field_value(note, "to"), *e;
    size_t i, len = 0;

    out[0] = 0;
    json_array_foreach(to, i, e)
    {
        len += (size_t)snprintf(out + len, cap - len, "%s%s", i ? "," : "", json_string_value(e));
    }
    json_decref(to);
}

static void expect_refused(int rc, int code, const char *fragment)
{
    assert_int_equal(rc, code);
    assert_non_null(strstr(ccm_error_last(), fragment));
    assert_null(strchr(ccm_error_last(), '\n'));
}

/* ---- who reads ------------------------------------------------------------- */

static void test_note_create__the_author_is_always_a_recipient(void **state)
{
    group *g = *state;
    const char *to[] = {"Norway", NULL};
    json_t *rec = peru_note(g, to), *keys = ccm_record_field_value(rec, "keys");
    char got[128];

    recipients_of(got, sizeof(got), rec);
    assert_string_equal(got, "Norway,Peru");
    assert_int_equal(json_array_size(keys), 2);
    assert_int_equal(strncmp(json_string_value(json_array_get(keys, 0)), "Norway:", 7), 0);
    assert_int_equal(strncmp(json_string_value(json_array_get(keys, 1)), "Peru:", 5), 0);
    json_decref(keys);
    json_decref(rec);
}

static void test_note_create__repeated_recipients_count_once(void **state)
{
    group *g = *state;
    const char *to[] = {"Norway", "Peru", "Norway", NULL};
    json_t *rec = peru_note(g, to), *keys = ccm_record_field_value(rec, "keys");
    char got[128];

    recipients_of(got, sizeof(got), rec);
    assert_string_equal(got, "Norway,Peru");
    assert_int_equal(json_array_size(keys), 2);
    json_decref(keys);
    json_decref(rec);
}

static void test_note_view__the_author_and_recipients_read_title_and_body(void **state)
{
    group *g = *state;
    const char *to[] = {"Norway", NULL};
    json_t *rec = peru_note(g, to), *view = NULL;

    for (int who = PERU; who <= NORWAY; who++) {
        assert_int_equal(ccm_note_view(&view, rec, names[who], g->ids[who], 1), CCM_OK);
        assert_string_equal(json_string_value(json_object_get(view, "id")), NOTE_ID);
        assert_string_equal(json_string_value(json_object_get(view, "kind")), "note");
        assert_string_equal(
            json_string_value(json_object_get(json_object_get(view, "fields"), "title")), TITLE);
        assert_string_equal(
            json_string_value(json_object_get(json_object_get(view, "fields"), "body")), BODY);
        json_decref(view);
    }
    /* Without the body: the title only (note lists). */
    assert_int_equal(ccm_note_view(&view, rec, "Norway", g->ids[NORWAY], 0), CCM_OK);
    assert_non_null(json_object_get(json_object_get(view, "fields"), "title"));
    assert_null(json_object_get(json_object_get(view, "fields"), "body"));
    json_decref(view);
    json_decref(rec);
}

static void test_note_view__a_member_who_is_not_a_recipient_is_denied(void **state)
{
    group *g = *state;
    const char *to[] = {"Norway", NULL};
    json_t *rec = peru_note(g, to), *view = NULL;

    expect_refused(ccm_note_view(&view, rec, "Malawi", g->ids[MALAWI], 1), CCM_EDENIED,
                   "'Malawi' is not a recipient of note " NOTE_ID);
    assert_null(view);
    assert_null(strstr(ccm_error_last(), "TITLE-MARK"));
    /* Another member's capsule under one's own name opens nothing either. */
    expect_refused(ccm_note_view(&view, rec, "Norway", g->ids[MALAWI], 1), CCM_EDENIED,
                   "not a recipient");
    assert_null(view);
    json_decref(rec);
}

/* ---- what a member who is not a recipient sees --------------------------- */

static void test_note_public_view__shows_that_a_note_exists_on_what_for_whom(void **state)
{
    group *g = *state;
    const char *to[] = {"Norway", NULL};
    json_t *rec = peru_note(g, to), *view = ccm_note_public_view(rec), *fields;
    char *text = NULL;

    assert_non_null(view);
    fields = json_object_get(view, "fields");
    assert_string_equal(json_string_value(json_object_get(view, "id")), NOTE_ID);
    assert_int_equal(json_object_size(fields), 3);
    assert_string_equal(json_string_value(json_object_get(fields, "on")), "state:LAO");
    assert_string_equal(json_string_value(json_object_get(fields, "author")), "Peru");
    assert_int_equal(json_array_size(json_object_get(fields, "to")), 2);
    assert_null(json_object_get(json_object_get(view, "meta"), "keys"));
    assert_null(json_object_get(json_object_get(view, "meta"), "sealed"));
    text = json_dumps(view, JSON_COMPACT);
    assert_null(strstr(text, "MARK"));
    assert_null(strstr(text, "minister"));
    free(text);
    json_decref(view);
    json_decref(rec);
}

static void test_note_create__title_and_body_are_nowhere_in_the_clear(void **state)
{
    group *g = *state;
    const char *to[] = {"Norway", NULL};
    json_t *rec = peru_note(g, to);
    char *text = json_dumps(rec, JSON_COMPACT);

    /* The record is what the group key encrypts: members who are not
     * recipients decrypt it, so it must hold nothing of title or body. */
    assert_non_null(text);
    assert_null(strstr(text, "TITLE-MARK"));
    assert_null(strstr(text, "BODY-MARK"));
    assert_null(strstr(text, "minister"));
    free(text);
    json_decref(rec);
}

static void test_note_public_view__hides_a_title_written_in_the_clear(void **state)
{
    group *g = *state;
    const char *to[] = {"Norway", NULL};
    json_t *rec = peru_note(g, to), *view = NULL;

    /* A forged note carrying its title as a plain field shows it to no one:
     * the title of a view is the sealed one. */
    assert_int_equal(ccm_record_assign(rec, "title", "FORGED", STAMP + 1, "Peru"), CCM_OK);
    assert_int_equal(ccm_record_assign(rec, "body", "FORGED", STAMP + 1, "Peru"), CCM_OK);
    view = ccm_note_public_view(rec);
    assert_null(json_object_get(json_object_get(view, "fields"), "title"));
    assert_null(json_object_get(json_object_get(view, "fields"), "body"));
    assert_null(json_object_get(json_object_get(view, "meta"), "title"));
    json_decref(view);
    assert_int_equal(ccm_note_view(&view, rec, "Norway", g->ids[NORWAY], 0), CCM_OK);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(view, "fields"), "title")), TITLE);
    assert_null(json_object_get(json_object_get(view, "fields"), "body"));
    json_decref(view);
    json_decref(rec);
}

/* ---- who may be a recipient ------------------------------------------------ */

static void test_note_check__a_recipient_outside_the_group_is_refused(void **state)
{
    group *g = *state;
    const char *nobody[] = {"Norway", "Nobody"}, *gone[] = {"Gone"}, *bad[] = {"two words"};
    json_t *rec = NULL;

    expect_refused(ccm_note_check("Peru", nobody, 2, TITLE, g->roster), CCM_EINVALID,
                   "'Nobody' is not a member of the group");
    expect_refused(ccm_note_check("Peru", gone, 1, TITLE, g->roster), CCM_EINVALID,
                   "'Gone' is not a member of the group");
    assert_int_equal(ccm_note_check("Peru", bad, 1, TITLE, g->roster), CCM_EINVALID);
    assert_non_null(strstr(ccm_error_last(), "two words"));
    expect_refused(ccm_note_create(&rec, NOTE_ID, "state:LAO", "Peru", nobody, 2, TITLE, BODY,
                                   g->roster, STAMP),
                   CCM_EINVALID, "'Nobody' is not a member of the group");
    assert_null(rec);
    /* A removed author writes no note either. */
    expect_refused(ccm_note_check("Gone", NULL, 0, TITLE, g->roster), CCM_EINVALID,
                   "'Gone' is not a member of the group");
    assert_int_equal(ccm_note_check("Peru", nobody, 1, TITLE, g->roster), CCM_OK);
}

/* ---- title and body -------------------------------------------------------- */

static void test_note_check__the_title_is_one_line_and_not_empty(void **state)
{
    group *g = *state;
    const char *to[] = {"Norway"};

    expect_refused(ccm_note_check("Peru", to, 1, "", g->roster), CCM_EINVALID, "empty note title");
    expect_refused(ccm_note_check("Peru", to, 1, NULL, g->roster), CCM_EINVALID,
                   "empty note title");
    assert_int_equal(ccm_note_check("Peru", to, 1, "two\nlines", g->roster), CCM_EINVALID);
    assert_non_null(strstr(ccm_error_last(), "title"));
    assert_int_equal(ccm_note_check("Peru", to, 1, "bell\a", g->roster), CCM_EINVALID);
    assert_int_equal(ccm_note_check("Peru", to, 1, "bidi \xE2\x80\xAE", g->roster), CCM_EINVALID);
    assert_int_equal(ccm_note_check("Peru", to, 1, "Visite à Vientiane, 3 mars", g->roster),
                     CCM_OK);
}

static void test_note_create__the_body_is_multi_line_and_not_blank(void **state)
{
    group *g = *state;
    const char *to[] = {"Norway"};
    const char *multi = "first line\n\n\tindented third line\n";
    json_t *rec = NULL, *view = NULL;

    expect_refused(ccm_note_create(&rec, NOTE_ID, "state:LAO", "Peru", to, 1, TITLE, " \n\t\n",
                                   g->roster, STAMP),
                   CCM_EINVALID, "empty note body: nothing written");
    assert_null(rec);
    expect_refused(
        ccm_note_create(&rec, NOTE_ID, "state:LAO", "Peru", to, 1, TITLE, NULL, g->roster, STAMP),
        CCM_EINVALID, "empty note body");
    /* Lines and tabs, no other control character. */
    assert_int_equal(
        ccm_note_create(&rec, NOTE_ID, "state:LAO", "Peru", to, 1, TITLE, "a\rb", g->roster, STAMP),
        CCM_EINVALID);
    assert_null(rec);
    assert_int_equal(
        ccm_note_create(&rec, NOTE_ID, "state:LAO", "Peru", to, 1, TITLE, multi, g->roster, STAMP),
        CCM_OK);
    assert_int_equal(ccm_note_view(&view, rec, "Norway", g->ids[NORWAY], 1), CCM_OK);
    assert_string_equal(json_string_value(json_object_get(json_object_get(view, "fields"), "body")),
                        multi);
    json_decref(view);
    json_decref(rec);
}

static void test_note_create__the_attachment_is_a_state_or_an_activity(void **state)
{
    group *g = *state;
    const char *bad[] = {"LAO", "state:XXX", "state:lao", "activity:xyz", "note:0123456789abcdef",
                         "",    NULL};
    json_t *rec = NULL;

    for (size_t i = 0; bad[i]; i++) {
        expect_refused(
            ccm_note_create(&rec, NOTE_ID, bad[i], "Peru", NULL, 0, TITLE, BODY, g->roster, STAMP),
            CCM_EINVALID, "invalid note attachment");
        assert_null(rec);
    }
    assert_int_equal(ccm_note_create(&rec, NOTE_ID, "activity:00112233445566aa", "Peru", NULL, 0,
                                     TITLE, BODY, g->roster, STAMP),
                     CCM_OK);
    json_decref(rec);
    expect_refused(ccm_note_create(&rec, "NOTANID", "state:LAO", "Peru", NULL, 0, TITLE, BODY,
                                   g->roster, STAMP),
                   CCM_EINVALID, "invalid note id");
}

/* ---- sharing --------------------------------------------------------------- */

static void test_note_share__a_recipient_shares_and_recipients_only_grow(void **state)
{
    group *g = *state;
    const char *to[] = {"Norway", NULL};
    json_t *rec = peru_note(g, to), *before = json_deep_copy(rec), *view = NULL;
    json_t *members = ever_members();
    char got[128];

    assert_int_equal(ccm_note_share(rec, "Norway", g->ids[NORWAY], "Malawi", g->roster, STAMP + 5),
                     CCM_OK);
    recipients_of(got, sizeof(got), rec);
    assert_string_equal(got, "Malawi,Norway,Peru");
    assert_int_equal(ccm_note_view(&view, rec, "Malawi", g->ids[MALAWI], 1), CCM_OK);
    assert_string_equal(json_string_value(json_object_get(json_object_get(view, "fields"), "body")),
                        BODY);
    json_decref(view);
    /* What the share wrote is what the trust rules let a recipient write. */
    assert_int_equal(ccm_record_check_effect(before, rec, "Norway", STAMP + 5, members), CCM_OK);
    json_decref(members);
    json_decref(before);
    json_decref(rec);
}

static void test_note_share__refusals_leave_the_note_as_it_was(void **state)
{
    group *g = *state;
    const char *to[] = {"Norway", NULL};
    json_t *rec = peru_note(g, to), *before = json_deep_copy(rec);

    expect_refused(ccm_note_share(rec, "Malawi", g->ids[MALAWI], "Malawi", g->roster, STAMP + 5),
                   CCM_EDENIED, "'Malawi' is not a recipient");
    expect_refused(ccm_note_share(rec, "Norway", g->ids[NORWAY], "Peru", g->roster, STAMP + 5),
                   CCM_EINVALID, "'Peru' is already a recipient");
    expect_refused(ccm_note_share(rec, "Norway", g->ids[NORWAY], "Nobody", g->roster, STAMP + 5),
                   CCM_EINVALID, "'Nobody' is not a member of the group");
    expect_refused(ccm_note_share(rec, "Norway", g->ids[NORWAY], "Gone", g->roster, STAMP + 5),
                   CCM_EINVALID, "'Gone' is not a member of the group");
    assert_int_equal(
        ccm_note_share(rec, "Norway", g->ids[NORWAY], "no:colon", g->roster, STAMP + 5),
        CCM_EINVALID);
    assert_true(json_equal(rec, before));
    json_decref(before);
    json_decref(rec);
}

static void test_note_create__passes_the_trust_rules(void **state)
{
    group *g = *state;
    const char *to[] = {"Norway", "Malawi", NULL};
    json_t *rec = peru_note(g, to), *members = ever_members();

    assert_int_equal(ccm_record_validate(rec), CCM_OK);
    assert_int_equal(ccm_record_check_effect(NULL, rec, "Peru", STAMP, members), CCM_OK);
    /* ... and only as its author's. */
    assert_int_equal(ccm_record_check_effect(NULL, rec, "Norway", STAMP, members), CCM_EVERIFY);
    json_decref(members);
    json_decref(rec);
}

/* ---- in a store ------------------------------------------------------------ */

static char base_dir[640], dir[700];

static ccm_store *store_setup(void)
{
    ccm_test_mkdtemp(base_dir, sizeof(base_dir), "note");
    snprintf(dir, sizeof(dir), "%s/s", base_dir);
    return ccm_test_init_open(dir, "Peru");
}

static void store_teardown(ccm_store *s)
{
    ccm_store_free(s);
    assert_int_equal(ccm_test_rmdir(base_dir), 0);
}

/* Writes an activity (removed when `removed`); its id in `id`. */
static void put_activity(ccm_store *s, const char *id, int removed)
{
    ccm_txn *t = NULL;
    json_t *rec = ccm_record_new("activity", id);
    uint64_t st;

    assert_int_equal(ccm_txn_begin(&t, s), CCM_OK);
    st = ccm_txn_stamp(t);
    assert_int_equal(ccm_record_assign(rec, "type", "bilateral", st, "Peru"), CCM_OK);
    assert_int_equal(ccm_record_assign(rec, "date", "2025-03-06", st, "Peru"), CCM_OK);
    if (removed) {
        assert_int_equal(ccm_record_delete(rec, st, "Peru"), CCM_OK);
    }
    assert_int_equal(ccm_txn_put(t, rec), CCM_OK);
    assert_int_equal(ccm_txn_commit(t), CCM_OK);
    ccm_txn_free(t);
    json_decref(rec);
}

static void test_store_note__written_read_and_listed_on_its_record(void **state)
{
    ccm_store *s = store_setup();
    char id[CCM_RECORD_HEX_ID_LEN + 1], head[41], head2[41];
    json_t *view = NULL, *list = NULL;
    size_t hidden = 9;

    (void)state;
    assert_int_equal(ccm_store_note_check(s, "state", "LAO", NULL, 0, TITLE), CCM_OK);
    ccm_store_head(head, s);
    assert_int_equal(ccm_store_note_add(id, s, "state", "LAO", NULL, 0, TITLE, BODY), CCM_OK);
    ccm_store_head(head2, s);
    assert_string_not_equal(head, head2);
    assert_int_equal(strlen(id), CCM_RECORD_HEX_ID_LEN);
    assert_int_equal(ccm_store_note_get(&view, s, id, 1), CCM_OK);
    assert_string_equal(json_string_value(json_object_get(json_object_get(view, "fields"), "body")),
                        BODY);
    json_decref(view);
    assert_int_equal(ccm_store_notes(&list, &hidden, s, "state", "LAO", 0), CCM_OK);
    assert_int_equal(json_array_size(list), 1);
    assert_int_equal(hidden, 0);
    assert_null(json_object_get(json_object_get(json_array_get(list, 0), "fields"), "body"));
    json_decref(list);
    assert_int_equal(ccm_store_notes(&list, &hidden, s, "state", "NOR", 0), CCM_OK);
    assert_int_equal(json_array_size(list), 0);
    json_decref(list);
    assert_int_equal(ccm_store_notes(&list, &hidden, s, NULL, NULL, 1), CCM_OK);
    assert_int_equal(json_array_size(list), 1);
    assert_non_null(json_object_get(json_object_get(json_array_get(list, 0), "fields"), "body"));
    json_decref(list);
    expect_refused(ccm_store_note_share(s, id, "Peru"), CCM_EINVALID,
                   "'Peru' is already a recipient");
    store_teardown(s);
}

static void test_store_note__attached_to_an_activity_that_exists(void **state)
{
    ccm_store *s = store_setup();
    char id[CCM_RECORD_HEX_ID_LEN + 1], head[41], head2[41];

    (void)state;
    put_activity(s, "00112233445566aa", 0);
    put_activity(s, "00112233445566bb", 1);
    assert_int_equal(
        ccm_store_note_add(id, s, "activity", "00112233445566aa", NULL, 0, TITLE, BODY), CCM_OK);
    ccm_store_head(head, s);
    assert_int_equal(ccm_store_note_check(s, "activity", "00112233445566cc", NULL, 0, TITLE),
                     CCM_ENOTFOUND);
    expect_refused(ccm_store_note_check(s, "activity", "00112233445566bb", NULL, 0, TITLE),
                   CCM_EINVALID, "activity '00112233445566bb' was removed");
    expect_refused(ccm_store_note_add(id, s, "activity", "00112233445566bb", NULL, 0, TITLE, BODY),
                   CCM_EINVALID, "was removed");
    assert_int_equal(ccm_store_note_check(s, "note", id, NULL, 0, TITLE), CCM_EINVALID);
    assert_int_equal(ccm_store_note_check(s, "state", "XXX", NULL, 0, TITLE), CCM_EINVALID);
    expect_refused(
        ccm_store_note_add(id, s, "state", "LAO", (const char *[]){"Nobody"}, 1, TITLE, BODY),
        CCM_EINVALID, "'Nobody' is not a member of the group");
    expect_refused(ccm_store_note_add(id, s, "state", "LAO", NULL, 0, TITLE, "\n"), CCM_EINVALID,
                   "empty note body");
    ccm_store_head(head2, s);
    assert_string_equal(head, head2); /* nothing written by the refusals */
    store_teardown(s);
}

static void test_store_note__notes_addressed_to_others_are_counted_not_shown(void **state)
{
    group *g = *state;
    ccm_store *s = store_setup();
    json_t *roster = NULL, *rec = NULL, *list = NULL, *view = NULL;
    const char *to[] = {"Norway"};
    size_t hidden = 0;
    ccm_txn *t = NULL;

    /* Norway's note to Norway alone, in this store of Peru's: Peru's
     * roster with Norway added, as a sync would bring both. */
    assert_int_equal(ccm_store_roster(&roster, s), CCM_OK);
    json_array_append(json_object_get(roster, "members"),
                      json_array_get(json_object_get(g->roster, "members"), NORWAY));
    assert_int_equal(ccm_txn_begin(&t, s), CCM_OK);
    assert_int_equal(ccm_note_create(&rec, NOTE_ID, "state:LAO", "Norway", to, 1, TITLE, BODY,
                                     roster, ccm_txn_stamp(t)),
                     CCM_OK);
    assert_int_equal(ccm_txn_put(t, rec), CCM_OK);
    assert_int_equal(ccm_txn_commit(t), CCM_OK);
    ccm_txn_free(t);
    assert_int_equal(ccm_store_notes(&list, &hidden, s, "state", "LAO", 1), CCM_OK);
    assert_int_equal(json_array_size(list), 0);
    assert_int_equal(hidden, 1);
    json_decref(list);
    expect_refused(ccm_store_note_get(&view, s, NOTE_ID, 1), CCM_EDENIED,
                   "'Peru' is not a recipient of note " NOTE_ID);
    assert_null(view);
    expect_refused(ccm_store_note_share(s, NOTE_ID, "Peru"), CCM_EDENIED, "not a recipient");
    json_decref(rec);
    json_decref(roster);
    store_teardown(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_note_create__the_author_is_always_a_recipient),
        cmocka_unit_test(test_note_create__repeated_recipients_count_once),
        cmocka_unit_test(test_note_view__the_author_and_recipients_read_title_and_body),
        cmocka_unit_test(test_note_view__a_member_who_is_not_a_recipient_is_denied),
        cmocka_unit_test(test_note_public_view__shows_that_a_note_exists_on_what_for_whom),
        cmocka_unit_test(test_note_create__title_and_body_are_nowhere_in_the_clear),
        cmocka_unit_test(test_note_public_view__hides_a_title_written_in_the_clear),
        cmocka_unit_test(test_note_check__a_recipient_outside_the_group_is_refused),
        cmocka_unit_test(test_note_check__the_title_is_one_line_and_not_empty),
        cmocka_unit_test(test_note_create__the_body_is_multi_line_and_not_blank),
        cmocka_unit_test(test_note_create__the_attachment_is_a_state_or_an_activity),
        cmocka_unit_test(test_note_share__a_recipient_shares_and_recipients_only_grow),
        cmocka_unit_test(test_note_share__refusals_leave_the_note_as_it_was),
        cmocka_unit_test(test_note_create__passes_the_trust_rules),
        cmocka_unit_test(test_store_note__written_read_and_listed_on_its_record),
        cmocka_unit_test(test_store_note__attached_to_an_activity_that_exists),
        cmocka_unit_test(test_store_note__notes_addressed_to_others_are_counted_not_shown),
    };

    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
