/*
 * schema.c - the record schema: kinds, field names and types, and the
 * validation of values before they enter a record (the fields are listed
 * for users in docs/ccmsync.1; the document's shape is
 * docs/record-format.md's).
 *
 * Each kind has a small table of known fields; every other valid field name
 * is user-defined text. An enum's accepted values are kept once, as the
 * ", "-separated string that error messages and ccm_schema_accepted show, and
 * membership is checked against that string. Set elements are enum members,
 * ISO 3166-1 alpha-3 codes (looked up in schema_iso.c) or member names.
 *
 * Pure functions over static data: no allocation, no I/O. Failures are
 * CCM_EINVALID with a one-line message in git's style that names the field,
 * the value and what would have been accepted.
 */
#include <stdint.h>
#include <string.h>

#include "record.h"

#define NAME_MAX_LEN 64
#define TEXT_MAX_LEN 65536
#define CAPSULE_BYTES CCM_SCHEMA_CAPSULE_BYTES

/* What the elements of a set field are. */
enum elem_kind {
    ELEM_NONE = 0, /* not a set */
    ELEM_ENUM,
    ELEM_STATE,
    ELEM_MEMBER,
    ELEM_CAPSULE, /* a note key sealed to a member: "NAME:base64" */
};

/* Flags of a field: text that may hold newlines and tabs (summaries,
 * bodies); a field no write may clear. Every other text is one line: no
 * control character and no bidirectional override, which nobody types into
 * a name or a date and which could only serve to disguise output. */
#define F_MULTI 0x1
#define F_REQUIRED 0x2

struct field {
    const char *name;
    ccm_field_type type;
    enum elem_kind elem;
    const char *noun;     /* enum or enum-set: "unknown <noun> '<value>'" */
    const char *accepted; /* enum or enum-set: ", "-separated values */
    int flags;
};

static const struct field state_fields[] = {
    {"name", CCM_FT_TEXT, ELEM_NONE, NULL, NULL, 0},
    {"status", CCM_FT_ENUM, ELEM_NONE, "status",
     "party, signatory, non-party, withdrawing, withdrawn", 0},
    {"targets", CCM_FT_SET, ELEM_ENUM, "target",
     "signatory, apmbc, withdrawing, ccw, unga-yes, interim-steps", 0},
    {"region", CCM_FT_TEXT, ELEM_NONE, NULL, NULL, 0},
    {"priority", CCM_FT_ENUM, ELEM_NONE, "priority", "high, medium, low", 0},
    {"lead", CCM_FT_SET, ELEM_MEMBER, NULL, NULL, 0},
    {"survey_reasons", CCM_FT_SET, ELEM_ENUM, "survey reason",
     "security, alliances, stockpile, cost, legislation, capacity, priorities, regional, other", 0},
    {"survey_comment", CCM_FT_TEXT, ELEM_NONE, NULL, NULL, F_MULTI},
    {"last_contact", CCM_FT_DATE, ELEM_NONE, NULL, NULL, 0},
    {"next_step", CCM_FT_TEXT, ELEM_NONE, NULL, NULL, F_MULTI},
    {NULL, CCM_FT_TEXT, ELEM_NONE, NULL, NULL, F_MULTI},
};

static const struct field activity_fields[] = {
    {"type", CCM_FT_ENUM, ELEM_NONE, "type",
     "bilateral, survey, side-event, iwg-meeting, embassy, regional-workshop, model-legislation, "
     "ipu, cmc-icrc, treaty-event, regional-org, other",
     F_REQUIRED},
    {"date", CCM_FT_DATE, ELEM_NONE, NULL, NULL, F_REQUIRED},
    {"status", CCM_FT_ENUM, ELEM_NONE, "status", "planned, done, cancelled", 0},
    {"states", CCM_FT_SET, ELEM_STATE, NULL, NULL, 0},
    {"by", CCM_FT_SET, ELEM_MEMBER, NULL, NULL, 0},
    {"summary", CCM_FT_TEXT, ELEM_NONE, NULL, NULL, F_MULTI},
    {"outcome", CCM_FT_TEXT, ELEM_NONE, NULL, NULL, F_MULTI},
    {"follow_up", CCM_FT_TEXT, ELEM_NONE, NULL, NULL, F_MULTI},
    {NULL, CCM_FT_TEXT, ELEM_NONE, NULL, NULL, F_MULTI},
};

/* A note record: where it is attached, its author, its recipients, the note
 * key sealed to each of them, and the title and body sealed under that key
 * ("title" and "body" are checked here before they are sealed). */
static const struct field note_fields[] = {
    {"on", CCM_FT_TEXT, ELEM_NONE, NULL, NULL, F_REQUIRED},
    {"author", CCM_FT_TEXT, ELEM_NONE, NULL, NULL, F_REQUIRED},
    {"sealed", CCM_FT_TEXT, ELEM_NONE, NULL, NULL, F_REQUIRED},
    {"to", CCM_FT_SET, ELEM_MEMBER, NULL, NULL, 0},
    {"keys", CCM_FT_SET, ELEM_CAPSULE, NULL, NULL, 0},
    {"title", CCM_FT_TEXT, ELEM_NONE, NULL, NULL, 0},
    {"body", CCM_FT_TEXT, ELEM_NONE, NULL, NULL, F_MULTI},
    {NULL, CCM_FT_TEXT, ELEM_NONE, NULL, NULL, F_MULTI},
};

static const struct field user_field = {NULL, CCM_FT_TEXT, ELEM_NONE, NULL, NULL, F_MULTI};

#define KINDS "state, activity, note"

/* ---- quoting untrusted input in messages -------------------------------- */

/* Room for a quoted value: QUOTE_MAX bytes, one escape, "..." and NUL. */
#define QUOTE_MAX 64
#define QUOTE_CAP (QUOTE_MAX + 8)

/* C0, DEL and C1 control characters. */
static int is_control(uint32_t cp)
{
    return cp < 0x20 || (cp >= 0x7F && cp < 0xA0);
}

/* Copies `s` into `out` for display between quotes in a one-line message:
 * control characters and bytes that are not UTF-8 become \xNN, and long
 * values are cut with "...". */
static const char *quote(char out[QUOTE_CAP], const char *s)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    size_t o = 0;

    while (*p) {
        uint32_t cp = 0;
        size_t n = ccm_utf8_decode(p, strnlen((const char *)p, 4), &cp);
        int escape = n == 0 || is_control(cp);
        if (o + (escape ? 4 : n) > QUOTE_MAX) {
            memcpy(out + o, "...", 3);
            o += 3;
            break;
        }
        if (escape) {
            out[o++] = '\\';
            out[o++] = 'x';
            out[o++] = hex[*p >> 4];
            out[o++] = hex[*p & 0xF];
            p++;
        } else {
            memcpy(out + o, p, n);
            o += n;
            p += n;
        }
    }
    out[o] = '\0';
    return out;
}

/* ASCII classes (not <ctype.h>: names must not depend on the locale). */
static int is_lower(char c)
{
    return c >= 'a' && c <= 'z';
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int is_alnum(char c)
{
    return is_lower(c) || is_digit(c) || (c >= 'A' && c <= 'Z');
}

/* ---- kinds and fields ------------------------------------------------------ */

static const struct field *kind_fields(const char *kind)
{
    if (kind == NULL) {
        return NULL;
    } else if (strcmp(kind, "state") == 0) {
        return state_fields;
    } else if (strcmp(kind, "activity") == 0) {
        return activity_fields;
    } else if (strcmp(kind, "note") == 0) {
        return note_fields;
    }
    return NULL;
}

/* The schema entry of a field; user-defined fields (and any field of an
 * unknown kind) get the text entry. */
static const struct field *find_field(const char *kind, const char *name)
{
    const struct field *f = kind_fields(kind);

    for (; f != NULL && f->name != NULL && name != NULL; f++) {
        if (strcmp(f->name, name) == 0) {
            return f;
        }
    }
    return &user_field;
}

int ccm_schema_is_kind(const char *kind)
{
    return kind_fields(kind) != NULL;
}

static int check_kind(const char *kind)
{
    char q[QUOTE_CAP];

    if (!ccm_schema_is_kind(kind)) {
        return ccm_error_set(CCM_EINVALID, "unknown record kind '%s' (" KINDS ")", quote(q, kind));
    }
    return 0;
}

int ccm_schema_check_field_name(const char *name)
{
    char q[QUOTE_CAP];
    size_t i = 0;

    if (name != NULL && is_lower(name[0])) {
        for (i = 1; i < NAME_MAX_LEN; i++) {
            if (!(is_lower(name[i]) || is_digit(name[i]) || name[i] == '_')) {
                break;
            }
        }
        if (name[i] == '\0') {
            return 0;
        }
    }
    return ccm_error_set(CCM_EINVALID,
                         "invalid field name '%s' ([a-z][a-z0-9_]*, at most 64 characters)",
                         quote(q, name));
}

ccm_field_type ccm_schema_field_type(const char *kind, const char *field)
{
    return find_field(kind, field)->type;
}

int ccm_schema_is_defined(const char *kind, const char *field)
{
    return ccm_schema_is_kind(kind) && find_field(kind, field)->name != NULL;
}

const char *ccm_schema_accepted(const char *kind, const char *field)
{
    return find_field(kind, field)->accepted;
}

/* ---- values ---------------------------------------------------------------- */

/* 1 if `value` is one of the ", "-separated words of `accepted`. */
static int in_list(const char *accepted, const char *value)
{
    size_t len = strlen(value);
    const char *p = accepted;

    while (*p) {
        size_t n = strcspn(p, ",");
        if (n == len && memcmp(p, value, n) == 0) {
            return 1;
        }
        p += n;
        while (*p == ',' || *p == ' ') {
            p++;
        }
    }
    return 0;
}

static int check_enum(const struct field *f, const char *value)
{
    char q[QUOTE_CAP];

    if (value != NULL && value[0] != '\0' && in_list(f->accepted, value)) {
        return 0;
    }
    return ccm_error_set(CCM_EINVALID, "unknown %s '%s' (%s)", f->noun, quote(q, value),
                         f->accepted);
}

static int is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int digits(const char *s, size_t n)
{
    int v = 0;

    for (size_t i = 0; i < n; i++) {
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* A calendar date YYYY-MM-DD, years 1900 to 2999. */
static int check_date(const char *field, const char *value)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    char q[QUOTE_CAP];
    const char *why = "YYYY-MM-DD";
    int y, m, d;

    if (value == NULL || strlen(value) != 10 || value[4] != '-' || value[7] != '-') {
        goto bad;
    }
    for (size_t i = 0; i < 10; i++) {
        if (i != 4 && i != 7 && !is_digit(value[i])) {
            goto bad;
        }
    }
    y = digits(value, 4);
    m = digits(value + 5, 2);
    d = digits(value + 8, 2);
    if (y < 1900 || y > 2999) {
        why = "years 1900 to 2999";
    } else if (m < 1 || m > 12) {
        why = "no such month";
    } else if (d < 1 || d > days[m - 1] + (m == 2 && is_leap(y))) {
        why = "no such day";
    } else {
        return 0;
    }
bad:
    return ccm_error_set(CCM_EINVALID, "invalid date '%s' for '%s' (%s)", quote(q, value), field,
                         why);
}

/* Bidirectional overrides and isolates (U+202A..U+202E, U+2066..U+2069):
 * they reorder what a terminal shows after them. */
static int is_bidi_control(uint32_t cp)
{
    return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

/* UTF-8 without NUL, at most TEXT_MAX_LEN bytes. Multi-line text (F_MULTI)
 * may hold newlines and tabs and no other control character; one-line text
 * holds no control character and no bidirectional override. */
static int check_text(const struct field *f, const char *field, const char *value)
{
    const unsigned char *p = (const unsigned char *)value;
    size_t len = strlen(value);
    int multi = (f->flags & F_MULTI) != 0;

    if (len > TEXT_MAX_LEN) {
        return ccm_error_set(CCM_EINVALID, "'%s' is too long (at most %d bytes)", field,
                             TEXT_MAX_LEN);
    }
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t n = ccm_utf8_decode(p + i, len - i, &cp);
        if (n == 0) {
            return ccm_error_set(CCM_EINVALID,
                                 "invalid text for '%s' (not valid UTF-8 at byte %zu)", field, i);
        }
        if (is_control(cp) && !(multi && (cp == '\n' || cp == '\t'))) {
            return ccm_error_set(CCM_EINVALID,
                                 "invalid text for '%s' (control character U+%04X at byte %zu; "
                                 "%s)",
                                 field, (unsigned)cp, i,
                                 multi ? "only newline and tab are allowed"
                                       : "one line of text: no newline, tab or control character");
        }
        if (!multi && is_bidi_control(cp)) {
            return ccm_error_set(CCM_EINVALID,
                                 "invalid text for '%s' (bidirectional override U+%04X at byte "
                                 "%zu; one line of text)",
                                 field, (unsigned)cp, i);
        }
        i += n;
    }
    return 0;
}

const char *const *ccm_schema_required_fields(const char *kind)
{
    static const char *const activity[] = {"type", "date", NULL};
    static const char *const note[] = {"on", "author", "sealed", NULL};

    if (kind && strcmp(kind, "activity") == 0) {
        return activity;
    }
    if (kind && strcmp(kind, "note") == 0) {
        return note;
    }
    return NULL;
}

int ccm_schema_check_record_id(const char *kind, const char *id)
{
    char q[QUOTE_CAP];
    int rc;

    if ((rc = check_kind(kind)) != 0) {
        return rc;
    }
    if (strcmp(kind, "state") == 0) {
        return ccm_schema_check_state_id(id);
    }
    if (id && strlen(id) == CCM_RECORD_HEX_ID_LEN &&
        strspn(id, "0123456789abcdef") == CCM_RECORD_HEX_ID_LEN) {
        return 0;
    }
    return ccm_error_set(CCM_EINVALID, "invalid %s id '%s' (%d lowercase hex digits)", kind,
                         quote(q, id), CCM_RECORD_HEX_ID_LEN);
}

int ccm_schema_elem_is_member(const char *kind, const char *field)
{
    return find_field(kind, field)->elem == ELEM_MEMBER;
}

int ccm_schema_is_required(const char *kind, const char *field)
{
    return (find_field(kind, field)->flags & F_REQUIRED) != 0;
}

int ccm_schema_is_multiline(const char *kind, const char *field)
{
    return (find_field(kind, field)->flags & F_MULTI) != 0;
}

int ccm_schema_check_value(const char *kind, const char *field, const char *value)
{
    const struct field *f;
    int rc;

    if ((rc = check_kind(kind)) != 0 || (rc = ccm_schema_check_field_name(field)) != 0) {
        return rc;
    }
    f = find_field(kind, field);
    if (f->type == CCM_FT_SET) {
        return ccm_error_set(CCM_EINVALID,
                             "'%s' is a set, not a single value (add or remove elements)", field);
    }
    if (value == NULL) {
        if (f->flags & F_REQUIRED) {
            return ccm_error_set(CCM_EINVALID, "'%s' of a%s %s cannot be cleared (it is required)",
                                 field, kind[0] == 'a' ? "n" : "", kind);
        }
        return 0;
    }
    switch (f->type) {
    case CCM_FT_ENUM:
        return check_enum(f, value);
    case CCM_FT_DATE:
        return check_date(field, value);
    default:
        return check_text(f, field, value);
    }
}

/* A note key sealed to a member: "NAME:BASE64" of a sealed 32-byte key. */
static int check_capsule(const char *field, const char *elem)
{
    char name[NAME_MAX_LEN + 1], q[QUOTE_CAP];
    const char *colon = elem ? strchr(elem, ':') : NULL;
    uint8_t raw[CAPSULE_BYTES + 1];
    size_t n = colon ? (size_t)(colon - elem) : 0;

    if (colon && n > 0 && n <= NAME_MAX_LEN) {
        memcpy(name, elem, n);
        name[n] = '\0';
        if (ccm_schema_check_member_name(name) == 0 &&
            ccm_base64_decode(raw, sizeof(raw), colon + 1, strlen(colon + 1)) == CAPSULE_BYTES) {
            return 0;
        }
    }
    return ccm_error_set(CCM_EINVALID, "invalid element '%s' of '%s' (MEMBER:sealed key)",
                         quote(q, elem), field);
}

int ccm_schema_check_elem(const char *kind, const char *field, const char *elem)
{
    const struct field *f;
    int rc;

    if ((rc = check_kind(kind)) != 0 || (rc = ccm_schema_check_field_name(field)) != 0) {
        return rc;
    }
    f = find_field(kind, field);
    switch (f->elem) {
    case ELEM_ENUM:
        return check_enum(f, elem);
    case ELEM_STATE:
        return ccm_schema_check_state_id(elem);
    case ELEM_MEMBER:
        return ccm_schema_check_member_name(elem);
    case ELEM_CAPSULE:
        return check_capsule(field, elem);
    default:
        return ccm_error_set(CCM_EINVALID, "'%s' is a single value, not a set", field);
    }
}

int ccm_schema_check_member_name(const char *name)
{
    char q[QUOTE_CAP];
    size_t i = 0;

    if (name != NULL && is_alnum(name[0])) {
        for (i = 1; i < NAME_MAX_LEN; i++) {
            char c = name[i];
            if (!(is_alnum(c) || c == '.' || c == '_' || c == '-')) {
                break;
            }
        }
        if (name[i] == '\0') {
            return 0;
        }
    }
    return ccm_error_set(CCM_EINVALID,
                         "invalid member name '%s' (letters, digits, '.', '_', '-'; at most 64; "
                         "starting with a letter or digit)",
                         quote(q, name));
}

/* ---- state codes (the table lookup is in schema_iso.c) -------------------- */

int ccm_schema_check_state_id(const char *code)
{
    char q[QUOTE_CAP];

    if (ccm_schema_iso_name(code) != NULL) {
        return 0;
    }
    return ccm_error_set(CCM_EINVALID,
                         "unknown state code '%s' (ISO 3166-1 alpha-3, e.g. LAO, NOR)",
                         quote(q, code));
}
