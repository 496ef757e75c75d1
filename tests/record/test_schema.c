/*
 * test_schema.c - the record schema (store/record/schema.c):
 * kinds, field types, enum values, dates, field and member names, ISO 3166-1
 * codes, text rules, and error messages that name the accepted values.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "store/record/record.h"
#include "store/record/iso3166.h"

/* ---- helpers -------------------------------------------------------------- */

#define assert_ok(expr) assert_int_equal((expr), 0)

/* Asserts that `rc` is CCM_EINVALID and that the message contains `want`. */
static void assert_invalid(int rc, const char *want)
{
    assert_int_equal(rc, CCM_EINVALID);
    assert_int_equal(ccm_error_code(), CCM_EINVALID);
    if (want != NULL && strstr(ccm_error_last(), want) == NULL) {
        fail_msg("message '%s' lacks '%s'", ccm_error_last(), want);
    }
    assert_null(strchr(ccm_error_last(), '\n'));
}

static void assert_message(const char *want)
{
    assert_string_equal(ccm_error_last(), want);
}

static int check(const char *kind, const char *field, int is_set, const char *value)
{
    return is_set ? ccm_schema_check_elem(kind, field, value)
                  : ccm_schema_check_value(kind, field, value);
}

/* Every value of an enum (or enum-set) field is accepted; near misses are
 * rejected with a message naming every accepted value. */
static void check_enum(const char *kind, const char *field, int is_set, const char *const *values,
                       const char *near_miss, const char *accepted)
{
    const char *misses[] = {near_miss, "", "bogus", "non", "party,", "high, medium", NULL};
    char buf[128];

    assert_int_equal(ccm_schema_field_type(kind, field), is_set ? CCM_FT_SET : CCM_FT_ENUM);
    assert_non_null(ccm_schema_accepted(kind, field));
    assert_string_equal(ccm_schema_accepted(kind, field), accepted);

    for (size_t i = 0; values[i] != NULL; i++) {
        assert_ok(check(kind, field, is_set, values[i]));
        assert_non_null(strstr(accepted, values[i]));
        /* near misses of each value: a trailing space, upper case, a prefix */
        snprintf(buf, sizeof buf, "%s ", values[i]);
        assert_invalid(check(kind, field, is_set, buf), accepted);
        snprintf(buf, sizeof buf, "%s", values[i]);
        buf[0] = (char)(buf[0] - 'a' + 'A');
        assert_invalid(check(kind, field, is_set, buf), accepted);
        snprintf(buf, sizeof buf, "%.*s", (int)strlen(values[i]) - 1, values[i]);
        assert_invalid(check(kind, field, is_set, buf), accepted);
    }
    for (size_t j = 0; misses[j] != NULL; j++) {
        assert_invalid(check(kind, field, is_set, misses[j]), accepted);
        for (size_t i = 0; values[i] != NULL; i++) {
            assert_non_null(strstr(ccm_error_last(), values[i]));
        }
    }
}

/* ---- kinds and field types ------------------------------------------------ */

static void test_schema__knows_the_three_kinds(void **state)
{
    (void)state;
    assert_true(ccm_schema_is_kind("state"));
    assert_true(ccm_schema_is_kind("activity"));
    assert_true(ccm_schema_is_kind("note"));
    assert_false(ccm_schema_is_kind("State"));
    assert_false(ccm_schema_is_kind("states"));
    assert_false(ccm_schema_is_kind(""));
    assert_false(ccm_schema_is_kind(NULL));
}

static void test_schema__rejects_unknown_kind(void **state)
{
    (void)state;
    assert_invalid(ccm_schema_check_value("country", "name", "x"), "state, activity, note");
    assert_message("unknown record kind 'country' (state, activity, note)");
    assert_invalid(ccm_schema_check_elem(NULL, "targets", "ccw"), "state, activity, note");
}

static void test_schema__field_types_follow_the_spec(void **state)
{
    static const struct {
        const char *kind, *field;
        ccm_field_type type;
    } cases[] = {
        {"state", "name", CCM_FT_TEXT},
        {"state", "status", CCM_FT_ENUM},
        {"state", "targets", CCM_FT_SET},
        {"state", "region", CCM_FT_TEXT},
        {"state", "priority", CCM_FT_ENUM},
        {"state", "lead", CCM_FT_SET},
        {"state", "survey_reasons", CCM_FT_SET},
        {"state", "survey_comment", CCM_FT_TEXT},
        {"state", "last_contact", CCM_FT_DATE},
        {"state", "next_step", CCM_FT_TEXT},
        {"activity", "type", CCM_FT_ENUM},
        {"activity", "date", CCM_FT_DATE},
        {"activity", "status", CCM_FT_ENUM},
        {"activity", "states", CCM_FT_SET},
        {"activity", "by", CCM_FT_SET},
        {"activity", "summary", CCM_FT_TEXT},
        {"activity", "outcome", CCM_FT_TEXT},
        {"activity", "follow_up", CCM_FT_TEXT},
        {"note", "on", CCM_FT_TEXT},
        {"note", "title", CCM_FT_TEXT},
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(ccm_schema_field_type(cases[i].kind, cases[i].field), cases[i].type);
    }
}

static void test_schema__other_fields_are_text(void **state)
{
    (void)state;
    assert_int_equal(ccm_schema_field_type("state", "contact_person"), CCM_FT_TEXT);
    assert_int_equal(ccm_schema_field_type("state", "date"), CCM_FT_TEXT);       /* activity's */
    assert_int_equal(ccm_schema_field_type("state", "type"), CCM_FT_TEXT);       /* activity's */
    assert_int_equal(ccm_schema_field_type("activity", "targets"), CCM_FT_TEXT); /* state's */
    assert_int_equal(ccm_schema_field_type("activity", "last_contact"), CCM_FT_TEXT);
    assert_int_equal(ccm_schema_field_type("note", "status"), CCM_FT_TEXT);
    assert_ok(ccm_schema_check_value("state", "contact_person", "Ms. X, +856 21 000"));
    assert_ok(ccm_schema_check_value("activity", "venue", "Vientiane"));
    assert_ok(ccm_schema_check_value("note", "title", "Meeting with the MFA"));
    assert_ok(ccm_schema_check_value("note", "on", "LAO"));
}

/* ---- enums ------------------------------------------------------------------ */

static void test_schema__accepts_each_state_status(void **state)
{
    static const char *const values[] = {"party",       "signatory", "non-party",
                                         "withdrawing", "withdrawn", NULL};
    (void)state;
    check_enum("state", "status", 0, values, "non_party",
               "party, signatory, non-party, withdrawing, withdrawn");
}

static void test_schema__rejects_unknown_status(void **state)
{
    (void)state;
    assert_invalid(ccm_schema_check_value("state", "status", "bogus"),
                   "party, signatory, non-party, withdrawing, withdrawn");
    assert_message("unknown status 'bogus' (party, signatory, non-party, withdrawing, withdrawn)");
    assert_invalid(ccm_schema_check_value("state", "status", "Party"), "party, signatory");
    assert_invalid(ccm_schema_check_value("state", "status", "planned"), "non-party");
    assert_invalid(ccm_schema_check_value("activity", "status", "party"), NULL);
    assert_message("unknown status 'party' (planned, done, cancelled)");
}

static void test_schema__accepts_each_state_priority(void **state)
{
    static const char *const values[] = {"high", "medium", "low", NULL};
    (void)state;
    check_enum("state", "priority", 0, values, "hi", "high, medium, low");
    assert_invalid(ccm_schema_check_value("state", "priority", "urgent"), NULL);
    assert_message("unknown priority 'urgent' (high, medium, low)");
}

static void test_schema__accepts_each_activity_type(void **state)
{
    static const char *const values[] = {"bilateral",
                                         "survey",
                                         "side-event",
                                         "iwg-meeting",
                                         "embassy",
                                         "regional-workshop",
                                         "model-legislation",
                                         "ipu",
                                         "cmc-icrc",
                                         "treaty-event",
                                         "regional-org",
                                         "other",
                                         NULL};
    (void)state;
    check_enum("activity", "type", 0, values, "side_event",
               "bilateral, survey, side-event, iwg-meeting, embassy, regional-workshop, "
               "model-legislation, ipu, cmc-icrc, treaty-event, regional-org, other");
}

static void test_schema__accepts_each_activity_status(void **state)
{
    static const char *const values[] = {"planned", "done", "cancelled", NULL};
    (void)state;
    check_enum("activity", "status", 0, values, "canceled", "planned, done, cancelled");
}

static void test_schema__accepts_each_target(void **state)
{
    static const char *const values[] = {"signatory", "apmbc",         "withdrawing", "ccw",
                                         "unga-yes",  "interim-steps", NULL};
    (void)state;
    check_enum("state", "targets", 1, values, "unga_yes",
               "signatory, apmbc, withdrawing, ccw, unga-yes, interim-steps");
    assert_invalid(ccm_schema_check_elem("state", "targets", "party"), NULL);
    assert_message("unknown target 'party' (signatory, apmbc, withdrawing, ccw, unga-yes, "
                   "interim-steps)");
}

static void test_schema__accepts_each_survey_reason(void **state)
{
    static const char *const values[] = {"security",    "alliances", "stockpile",  "cost",
                                         "legislation", "capacity",  "priorities", "regional",
                                         "other",       NULL};
    (void)state;
    check_enum("state", "survey_reasons", 1, values, "alliance",
               "security, alliances, stockpile, cost, legislation, capacity, priorities, "
               "regional, other");
}

static void test_schema__accepted_is_null_for_non_enums(void **state)
{
    (void)state;
    assert_null(ccm_schema_accepted("state", "name"));
    assert_null(ccm_schema_accepted("state", "lead"));
    assert_null(ccm_schema_accepted("state", "last_contact"));
    assert_null(ccm_schema_accepted("state", "whatever"));
    assert_null(ccm_schema_accepted("activity", "states"));
    assert_null(ccm_schema_accepted("activity", "by"));
    assert_null(ccm_schema_accepted("activity", "targets"));
    assert_null(ccm_schema_accepted("note", "status"));
    assert_null(ccm_schema_accepted("bogus", "status"));
    assert_null(ccm_schema_accepted(NULL, NULL));
}

/* ---- dates -------------------------------------------------------------------- */

static void test_schema__accepts_calendar_dates(void **state)
{
    static const char *const ok[] = {"2025-01-01", "2025-12-31", "2025-04-30", "1900-01-01",
                                     "2999-12-31", "2025-03-06", NULL};
    (void)state;
    for (size_t i = 0; ok[i] != NULL; i++) {
        assert_ok(ccm_schema_check_value("activity", "date", ok[i]));
        assert_ok(ccm_schema_check_value("state", "last_contact", ok[i]));
    }
}

static void test_schema__knows_leap_years(void **state)
{
    (void)state;
    assert_ok(ccm_schema_check_value("activity", "date", "2024-02-29"));
    assert_ok(ccm_schema_check_value("activity", "date", "2000-02-29"));
    assert_ok(ccm_schema_check_value("activity", "date", "2025-02-28"));
    assert_invalid(ccm_schema_check_value("activity", "date", "2025-02-29"), "no such day");
    assert_message("invalid date '2025-02-29' for 'date' (no such day)");
    assert_invalid(ccm_schema_check_value("activity", "date", "1900-02-29"), "no such day");
    assert_invalid(ccm_schema_check_value("activity", "date", "2100-02-29"), "no such day");
    assert_invalid(ccm_schema_check_value("activity", "date", "2024-02-30"), "no such day");
}

static void test_schema__rejects_malformed_dates(void **state)
{
    static const char *const bad[] = {
        "2025-1-01",  "2025-01-01x", "x",        "",         " 2025-01-01",          "2025/01/01",
        "+025-01-01", "2025-01-1a",  "20250101", "25-01-01", "2025-01-01T00:00:00Z", NULL};
    (void)state;
    for (size_t i = 0; bad[i] != NULL; i++) {
        assert_invalid(ccm_schema_check_value("state", "last_contact", bad[i]), "(YYYY-MM-DD)");
    }
    assert_invalid(ccm_schema_check_value("state", "last_contact", "x"), NULL);
    assert_message("invalid date 'x' for 'last_contact' (YYYY-MM-DD)");
    assert_invalid(ccm_schema_check_value("activity", "date", "2025-1-01"), NULL);
    assert_message("invalid date '2025-1-01' for 'date' (YYYY-MM-DD)");
}

static void test_schema__rejects_impossible_dates(void **state)
{
    (void)state;
    assert_invalid(ccm_schema_check_value("activity", "date", "2025-02-30"), NULL);
    assert_message("invalid date '2025-02-30' for 'date' (no such day)");
    assert_invalid(ccm_schema_check_value("activity", "date", "2025-04-31"), "no such day");
    assert_invalid(ccm_schema_check_value("activity", "date", "2025-01-00"), "no such day");
    assert_invalid(ccm_schema_check_value("activity", "date", "2025-01-32"), "no such day");
    assert_invalid(ccm_schema_check_value("activity", "date", "2025-13-01"), "no such month");
    assert_invalid(ccm_schema_check_value("activity", "date", "2025-00-10"), "no such month");
    assert_invalid(ccm_schema_check_value("activity", "date", "1899-12-31"), "1900 to 2999");
    assert_invalid(ccm_schema_check_value("activity", "date", "3000-01-01"), "1900 to 2999");
    assert_invalid(ccm_schema_check_value("activity", "date", "0000-01-01"), "1900 to 2999");
}

/* ---- field and member names ---------------------------------------------------- */

static void test_schema__accepts_valid_field_names(void **state)
{
    char name[65];
    (void)state;
    assert_ok(ccm_schema_check_field_name("a"));
    assert_ok(ccm_schema_check_field_name("status"));
    assert_ok(ccm_schema_check_field_name("follow_up"));
    assert_ok(ccm_schema_check_field_name("x9_"));
    memset(name, 'a', 64);
    name[64] = '\0';
    assert_ok(ccm_schema_check_field_name(name));
}

static void test_schema__rejects_invalid_field_names(void **state)
{
    static const char *const bad[] = {"Foo", "",     "1a", "_a",  "a-b", "a b",
                                      "a.b", "fooB", "é",  "a\n", NULL};
    char name[66];
    (void)state;
    for (size_t i = 0; bad[i] != NULL; i++) {
        assert_invalid(ccm_schema_check_field_name(bad[i]), "([a-z][a-z0-9_]*, at most 64");
    }
    assert_invalid(ccm_schema_check_field_name("Foo"), NULL);
    assert_message("invalid field name 'Foo' ([a-z][a-z0-9_]*, at most 64 characters)");
    assert_invalid(ccm_schema_check_field_name(NULL), "[a-z]");
    memset(name, 'a', 65);
    name[65] = '\0';
    assert_invalid(ccm_schema_check_field_name(name), "at most 64 characters");
    /* the value checks refuse bad field names first */
    assert_invalid(ccm_schema_check_value("state", "Status", "party"), "invalid field name");
    assert_invalid(ccm_schema_check_elem("state", "Targets", "ccw"), "invalid field name");
}

static void test_schema__accepts_valid_member_names(void **state)
{
    static const char *const ok[] = {"alice", "Bob", "9lives", "j.doe", "m_x-2", "A", "a.", NULL};
    char name[65];
    (void)state;
    for (size_t i = 0; ok[i] != NULL; i++) {
        assert_ok(ccm_schema_check_member_name(ok[i]));
    }
    memset(name, 'm', 64);
    name[64] = '\0';
    assert_ok(ccm_schema_check_member_name(name));
}

static void test_schema__rejects_invalid_member_names(void **state)
{
    static const char *const bad[] = {"a b", "",      ".a",   "-a",  "_a", "a/b",
                                      "a@b", "élise", "a\tb", "a,b", NULL};
    char name[66];
    (void)state;
    for (size_t i = 0; bad[i] != NULL; i++) {
        assert_invalid(ccm_schema_check_member_name(bad[i]),
                       "(letters, digits, '.', '_', '-'; at most 64; starting with a letter or "
                       "digit)");
    }
    assert_invalid(ccm_schema_check_member_name("a b"), NULL);
    assert_message("invalid member name 'a b' (letters, digits, '.', '_', '-'; at most 64; "
                   "starting with a letter or digit)");
    assert_invalid(ccm_schema_check_member_name(NULL), "letters, digits");
    memset(name, 'm', 65);
    name[65] = '\0';
    assert_invalid(ccm_schema_check_member_name(name), "at most 64");
}

static void test_schema__lead_and_by_are_member_names(void **state)
{
    (void)state;
    assert_ok(ccm_schema_check_elem("state", "lead", "alice"));
    assert_ok(ccm_schema_check_elem("activity", "by", "bob.k"));
    assert_invalid(ccm_schema_check_elem("state", "lead", "a b"), "invalid member name 'a b'");
    assert_invalid(ccm_schema_check_elem("activity", "by", "-x"), "starting with a letter");
}

/* ---- ISO 3166-1 ------------------------------------------------------------------ */

static void test_schema__knows_iso_codes(void **state)
{
    static const struct {
        const char *code, *name;
    } cases[] = {
        {"LAO", "Lao People's Democratic Republic"},
        {"NOR", "Norway"},
        {"PER", "Peru"},
        {"MWI", "Malawi"},
        {"PHL", "Philippines"},
        {"IRQ", "Iraq"},
        {"LTU", "Lithuania"},
        {"ABW", "Aruba"},
        {"ZWE", "Zimbabwe"},
        {"CIV", "C\xc3\xb4te d'Ivoire"},
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_ok(ccm_schema_check_state_id(cases[i].code));
        assert_non_null(ccm_schema_iso_name(cases[i].code));
        assert_string_equal(ccm_schema_iso_name(cases[i].code), cases[i].name);
        assert_ok(ccm_schema_check_elem("activity", "states", cases[i].code));
    }
}

static void test_schema__rejects_unknown_state_codes(void **state)
{
    static const char *const bad[] = {"lao", "XXX", "LA",  "LAOS", "",     "Lao",
                                      "L4O", "AAA", "ZZZ", " LAO", "LAO ", NULL};
    (void)state;
    for (size_t i = 0; bad[i] != NULL; i++) {
        assert_invalid(ccm_schema_check_state_id(bad[i]), "(ISO 3166-1 alpha-3, e.g. LAO, NOR)");
        assert_null(ccm_schema_iso_name(bad[i]));
        assert_invalid(ccm_schema_check_elem("activity", "states", bad[i]), "ISO 3166-1");
    }
    assert_invalid(ccm_schema_check_state_id("XXX"), NULL);
    assert_message("unknown state code 'XXX' (ISO 3166-1 alpha-3, e.g. LAO, NOR)");
    assert_invalid(ccm_schema_check_state_id("lao"), NULL);
    assert_message("unknown state code 'lao' (ISO 3166-1 alpha-3, e.g. LAO, NOR)");
    assert_invalid(ccm_schema_check_state_id(NULL), "ISO 3166-1");
    assert_null(ccm_schema_iso_name(NULL));
}

static void test_schema__iso_table_has_249_sorted_entries(void **state)
{
    (void)state;
    assert_int_equal(ccm_iso3166_count, 249);
    for (size_t i = 0; i < ccm_iso3166_count; i++) {
        const char *c = ccm_iso3166_table[i].alpha3;
        assert_int_equal(strlen(c), 3);
        for (size_t j = 0; j < 3; j++) {
            assert_true(c[j] >= 'A' && c[j] <= 'Z');
        }
        assert_true(ccm_iso3166_table[i].name[0] != '\0');
        assert_ok(ccm_schema_check_value("state", "name", ccm_iso3166_table[i].name));
        if (i > 0) {
            assert_true(strcmp(ccm_iso3166_table[i - 1].alpha3, c) < 0);
        }
        assert_ptr_equal(ccm_schema_iso_name(c), ccm_iso3166_table[i].name);
    }
}

/* ---- text ------------------------------------------------------------------------ */

static void test_schema__text_accepts_utf8_newline_and_tab(void **state)
{
    (void)state;
    assert_ok(ccm_schema_check_value("activity", "summary", ""));
    assert_ok(ccm_schema_check_value("activity", "summary", "line one\nline two\tand a tab"));
    assert_ok(ccm_schema_check_value("state", "name", "T\xc3\xbcrkiye"));
    assert_ok(ccm_schema_check_value("state", "region", "\xe6\x9d\xb1\xe5\x8d\x97\xe4\xba\x9e"));
    assert_ok(ccm_schema_check_value("state", "next_step", "call \xf0\x9f\x93\x9e"));
    assert_ok(ccm_schema_check_value("state", "survey_comment", "\xef\xbf\xbd U+FFFD"));
    assert_ok(ccm_schema_check_value("state", "x", "\xf4\x8f\xbf\xbf")); /* U+10FFFF */
}

static void test_schema__text_rejects_invalid_utf8(void **state)
{
    static const char *const bad[] = {
        "\xff",             /* never valid */
        "abc\x80",          /* lone continuation byte */
        "\xc0\x80",         /* overlong NUL */
        "\xe0\x80\xaf",     /* overlong '/' */
        "\xed\xa0\x80",     /* surrogate U+D800 */
        "\xf4\x90\x80\x80", /* beyond U+10FFFF */
        "\xc3",             /* truncated */
        "\xe2\x82",         /* truncated */
        "caf\xe9",          /* Latin-1 */
        NULL,
    };
    (void)state;
    for (size_t i = 0; bad[i] != NULL; i++) {
        assert_invalid(ccm_schema_check_value("activity", "summary", bad[i]), "UTF-8");
    }
    assert_invalid(ccm_schema_check_value("activity", "summary", "caf\xe9"), NULL);
    assert_message("invalid text for 'summary' (not valid UTF-8 at byte 3)");
}

static void test_schema__text_rejects_control_characters(void **state)
{
    static const char *const bad[] = {"a\x01",      "a\rb", "\x1b[31m", "del\x7f",
                                      "c1\xc2\x85", "\x0b", NULL};
    (void)state;
    for (size_t i = 0; bad[i] != NULL; i++) {
        assert_invalid(ccm_schema_check_value("activity", "summary", bad[i]),
                       "only newline and tab are allowed");
        assert_non_null(strstr(ccm_error_last(), "control character"));
        assert_invalid(ccm_schema_check_value("state", "region", bad[i]), "one line of text");
    }
    assert_invalid(ccm_schema_check_value("activity", "summary", "a\rb"), NULL);
    assert_message("invalid text for 'summary' (control character U+000D at byte 1; only "
                   "newline and tab are allowed)");
}

static void test_schema__one_line_text_refuses_newlines_tabs_and_overrides(void **state)
{
    static const char *const one_line[][2] = {{"state", "name"},  {"state", "region"},
                                              {"note", "title"},  {"note", "on"},
                                              {"note", "author"}, {NULL, NULL}};
    (void)state;
    for (size_t i = 0; one_line[i][0] != NULL; i++) {
        const char *k = one_line[i][0], *f = one_line[i][1];
        assert_false(ccm_schema_is_multiline(k, f));
        assert_invalid(ccm_schema_check_value(k, f, "Peru\nNorway"), "one line of text");
        assert_invalid(ccm_schema_check_value(k, f, "a\tb"), "one line of text");
        /* U+202E RIGHT-TO-LEFT OVERRIDE, U+2066 LEFT-TO-RIGHT ISOLATE */
        assert_invalid(ccm_schema_check_value(k, f, "abc\xe2\x80\xaexyz"),
                       "bidirectional override U+202E");
        assert_invalid(ccm_schema_check_value(k, f, "\xe2\x81\xa6x"),
                       "bidirectional override U+2066");
        /* U+200F RIGHT-TO-LEFT MARK and Arabic letters are ordinary text */
        assert_ok(ccm_schema_check_value(k, f, "\xd8\xa7\xe2\x80\x8f"));
    }
    /* Multi-line text keeps newlines and tabs, and may hold overrides (they
     * are escaped when printed). */
    assert_true(ccm_schema_is_multiline("activity", "summary"));
    assert_true(ccm_schema_is_multiline("state", "my_notes"));
    assert_ok(ccm_schema_check_value("activity", "outcome", "line 1\n\tline 2"));
    assert_ok(ccm_schema_check_value("note", "body", "a\nb"));
    assert_ok(ccm_schema_check_value("state", "survey_comment", "x\xe2\x80\xaey"));
}

static void test_schema__required_fields_cannot_be_cleared(void **state)
{
    (void)state;
    assert_true(ccm_schema_is_required("activity", "type"));
    assert_true(ccm_schema_is_required("activity", "date"));
    assert_true(ccm_schema_is_required("note", "sealed"));
    assert_false(ccm_schema_is_required("activity", "summary"));
    assert_false(ccm_schema_is_required("state", "status"));
    assert_invalid(ccm_schema_check_value("activity", "date", NULL), "cannot be cleared");
    assert_message("'date' of an activity cannot be cleared (it is required)");
    assert_ok(ccm_schema_check_value("activity", "summary", NULL));
}

static void test_schema__note_keys_are_member_capsules(void **state)
{
    char good[200];
    (void)state;
    char b64[109];
    /* 80 bytes in base64: 107 characters and one '=' */
    memset(b64, 'A', 107);
    b64[107] = '=';
    b64[108] = 0;
    snprintf(good, sizeof(good), "Peru:%s", b64);
    assert_int_equal(ccm_schema_field_type("note", "keys"), CCM_FT_SET);
    assert_int_equal(ccm_schema_field_type("note", "to"), CCM_FT_SET);
    assert_ok(ccm_schema_check_elem("note", "keys", good));
    assert_invalid(ccm_schema_check_elem("note", "keys", "Peru:AAAA"), "MEMBER:sealed key");
    assert_invalid(ccm_schema_check_elem("note", "keys", good + 5), "MEMBER:sealed key");
    assert_invalid(ccm_schema_check_elem("note", "to", "no one"), "invalid member name");
    assert_ok(ccm_schema_check_elem("note", "to", "Norway"));
}

static void test_schema__text_is_at_most_64_kib(void **state)
{
    char *big = malloc(65538);
    (void)state;
    assert_non_null(big);
    memset(big, 'x', 65537);
    big[65536] = '\0';
    assert_ok(ccm_schema_check_value("activity", "summary", big));
    big[65536] = 'x';
    big[65537] = '\0';
    assert_invalid(ccm_schema_check_value("activity", "summary", big), NULL);
    assert_message("'summary' is too long (at most 65536 bytes)");
    free(big);
}

/* ---- scalars, sets, clearing ------------------------------------------------------ */

static void test_schema__clearing_a_scalar_is_allowed(void **state)
{
    (void)state;
    assert_ok(ccm_schema_check_value("state", "status", NULL));
    assert_ok(ccm_schema_check_value("state", "last_contact", NULL));
    assert_ok(ccm_schema_check_value("state", "region", NULL));
    assert_ok(ccm_schema_check_value("activity", "custom", NULL));
}

static void test_schema__sets_and_scalars_are_not_interchangeable(void **state)
{
    (void)state;
    assert_invalid(ccm_schema_check_value("state", "targets", "ccw"), "'targets' is a set");
    assert_invalid(ccm_schema_check_value("state", "targets", NULL), "'targets' is a set");
    assert_invalid(ccm_schema_check_value("activity", "states", "LAO"), "'states' is a set");
    assert_invalid(ccm_schema_check_value("activity", "by", "alice"), "'by' is a set");
    assert_invalid(ccm_schema_check_elem("state", "status", "party"), "'status' is a single value");
    assert_invalid(ccm_schema_check_elem("state", "notes", "x"), "'notes' is a single value");
    assert_invalid(ccm_schema_check_elem("activity", "date", "2025-01-01"), "not a set");
}

static void test_schema__messages_are_one_line(void **state)
{
    char big[200];
    (void)state;
    assert_invalid(ccm_schema_check_value("state", "status", "a\nb"), NULL);
    assert_message(
        "unknown status 'a\\x0ab' (party, signatory, non-party, withdrawing, withdrawn)");
    assert_invalid(ccm_schema_check_member_name("\xff\x1b"), NULL);
    assert_non_null(strstr(ccm_error_last(), "'\\xff\\x1b'"));
    memset(big, 'z', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_invalid(ccm_schema_check_state_id(big), "...'");
    assert_true(strlen(ccm_error_last()) < 160);
    assert_invalid(ccm_schema_check_value("activity", "type", big), "bilateral");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_schema__knows_the_three_kinds),
        cmocka_unit_test(test_schema__rejects_unknown_kind),
        cmocka_unit_test(test_schema__field_types_follow_the_spec),
        cmocka_unit_test(test_schema__other_fields_are_text),
        cmocka_unit_test(test_schema__accepts_each_state_status),
        cmocka_unit_test(test_schema__rejects_unknown_status),
        cmocka_unit_test(test_schema__accepts_each_state_priority),
        cmocka_unit_test(test_schema__accepts_each_activity_type),
        cmocka_unit_test(test_schema__accepts_each_activity_status),
        cmocka_unit_test(test_schema__accepts_each_target),
        cmocka_unit_test(test_schema__accepts_each_survey_reason),
        cmocka_unit_test(test_schema__accepted_is_null_for_non_enums),
        cmocka_unit_test(test_schema__accepts_calendar_dates),
        cmocka_unit_test(test_schema__knows_leap_years),
        cmocka_unit_test(test_schema__rejects_malformed_dates),
        cmocka_unit_test(test_schema__rejects_impossible_dates),
        cmocka_unit_test(test_schema__accepts_valid_field_names),
        cmocka_unit_test(test_schema__rejects_invalid_field_names),
        cmocka_unit_test(test_schema__accepts_valid_member_names),
        cmocka_unit_test(test_schema__rejects_invalid_member_names),
        cmocka_unit_test(test_schema__lead_and_by_are_member_names),
        cmocka_unit_test(test_schema__knows_iso_codes),
        cmocka_unit_test(test_schema__rejects_unknown_state_codes),
        cmocka_unit_test(test_schema__iso_table_has_249_sorted_entries),
        cmocka_unit_test(test_schema__text_accepts_utf8_newline_and_tab),
        cmocka_unit_test(test_schema__text_rejects_invalid_utf8),
        cmocka_unit_test(test_schema__text_rejects_control_characters),
        cmocka_unit_test(test_schema__one_line_text_refuses_newlines_tabs_and_overrides),
        cmocka_unit_test(test_schema__required_fields_cannot_be_cleared),
        cmocka_unit_test(test_schema__note_keys_are_member_capsules),
        cmocka_unit_test(test_schema__text_is_at_most_64_kib),
        cmocka_unit_test(test_schema__clearing_a_scalar_is_allowed),
        cmocka_unit_test(test_schema__sets_and_scalars_are_not_interchangeable),
        cmocka_unit_test(test_schema__messages_are_one_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
