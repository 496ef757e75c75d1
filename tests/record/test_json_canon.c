/*
 * test_json_canon.c - the canonical text of a document
 * (store/record/json_canon.c), as docs/record-format.md defines it: fixed
 * vectors pinned to their exact bytes (escapes, UTF-8, integers, key order,
 * a whole record), the refusals (not UTF-8, reals, scalars, cycles), and
 * random documents whose text reads back as the same document and is its
 * own canonical text.
 *
 * The PRNG seed is fixed so that a run is reproducible; CCM_SEED=N tries
 * another, and a failure prints the seed that replays it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/record/record.h"
#include "tests/support/seed_support.h"

#define RANDOM_DOCS 20000
#define RECORD_DOCS 2000
#define MAX_DEPTH 6

static int setup_seed(void **state)
{
    (void)state;
    seed_start(0x63636d73796e63ull); /* fixed: a run is reproducible */
    return 0;
}

/* The text of doc, with its length checked against strlen (no NUL inside). */
static char *canon_of(const json_t *doc)
{
    size_t len = (size_t)-1;
    char *got = ccm_json_canon(doc, &len);

    if (got) {
        CHECK(strlen(got) == len, "NUL inside the output of length %zu", len);
    } else {
        CHECK(len == 0, "refused, yet length %zu", len);
    }
    return got;
}

/* A written document reads back as itself (jansson's parser), and its text
 * is the canonical text of what it reads back as. Returns 1 if doc was
 * written, 0 if refused. */
static int check_reads_back(const json_t *doc)
{
    char *text = canon_of(doc), *again;
    json_error_t err;
    json_t *back;

    if (!text) {
        return 0;
    }
    back = json_loads(text, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &err);
    CHECK(back != NULL, "'%s' does not parse: %s", text, err.text);
    CHECK(json_equal(back, doc), "'%s' reads back as another document", text);
    again = canon_of(back);
    CHECK(again != NULL && strcmp(again, text) == 0, "not canonical:\n  %s\n  %s", text,
          again ? again : "(refused)");
    free(again);
    json_decref(back);
    free(text);
    return 1;
}

/* Asserts that doc is written as `want` (with ' for "). Consumes doc. */
static void assert_canon(json_t *doc, const char *want)
{
    char *w = strdup(want), *p, *got;
    size_t len;

    assert_non_null(doc);
    assert_non_null(w);
    for (p = w; *p; p++) {
        if (*p == '\'') {
            *p = '"';
        }
    }
    got = ccm_json_canon(doc, &len);
    assert_non_null(got);
    assert_string_equal(got, w);
    assert_int_equal(len, strlen(w));
    free(got);
    free(w);
    json_decref(doc);
}

/* Asserts that doc is refused with an error naming `why`. Consumes doc. */
static void assert_refused(json_t *doc, const char *why)
{
    size_t len = 7;

    ccm_error_clear();
    assert_null(ccm_json_canon(doc, &len));
    assert_int_equal(len, 0);
    assert_int_equal(ccm_error_code(), CCM_ERROR);
    if (!strstr(ccm_error_last(), why)) {
        fail_msg("error '%s' does not say '%s'", ccm_error_last(), why);
    }
    json_decref(doc);
}

static json_t *one_string(const char *s, size_t n)
{
    json_t *a = json_array();

    json_array_append_new(a, json_stringn(s, n));
    assert_int_equal(json_array_size(a), 1);
    return a;
}

static json_t *one_raw_string(const char *s, size_t n)
{
    json_t *a = json_array();

    json_array_append_new(a, json_stringn_nocheck(s, n));
    return a;
}

static void test_json_canon__escapes_control_quote_and_backslash_only(void **state)
{
    char s[64];
    size_t n = 0;
    int c;

    (void)state;
    for (c = 0; c < 0x20; c++) {
        s[n++] = (char)c;
    }
    memcpy(s + n, "\"\\/\x7f~ ", 6);
    n += 6;
    assert_canon(one_string(s, n), "[\"\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007"
                                   "\\b\\t\\n\\u000B\\f\\r\\u000E\\u000F"
                                   "\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017"
                                   "\\u0018\\u0019\\u001A\\u001B\\u001C\\u001D\\u001E\\u001F"
                                   "\\\"\\\\/\x7f~ \"]");
    /* each alone, between plain bytes */
    for (c = 0; c < 0x20; c++) {
        static const char short_escape[0x20] = {
            [0x08] = 'b', [0x09] = 't', [0x0a] = 'n', [0x0c] = 'f', [0x0d] = 'r'};
        char one[3] = {'a', (char)c, 'b'}, want[16];

        if (short_escape[c]) {
            snprintf(want, sizeof(want), "['a\\%cb']", short_escape[c]);
        } else {
            snprintf(want, sizeof(want), "['a\\u%04Xb']", (unsigned)c);
        }
        assert_canon(one_string(one, 3), want);
    }
    assert_canon(one_string("", 0), "['']");
    assert_canon(one_string("plain text", 10), "['plain text']");
}

static void test_json_canon__copies_utf8_raw(void **state)
{
    /* e-acute, euro, G clef (4 bytes), U+10FFFF, U+FFFF, U+0080, U+07FF */
    static const char s[] = "\xc3\xa9\xe2\x82\xac\xf0\x9d\x84\x9e\xf4\x8f\xbf\xbf"
                            "\xef\xbf\xbf\xc2\x80\xdf\xbf";

    (void)state;
    assert_canon(one_string(s, sizeof(s) - 1), "['\xc3\xa9\xe2\x82\xac\xf0\x9d\x84\x9e"
                                               "\xf4\x8f\xbf\xbf\xef\xbf\xbf\xc2\x80\xdf\xbf']");
    assert_canon(one_string("\xe2\x82\xac\n\xe2\x82\xac", 7), "['\xe2\x82\xac\\n\xe2\x82\xac']");
}

static void test_json_canon__escapes_embedded_nul(void **state)
{
    json_t *o = json_object();

    (void)state;
    assert_canon(one_string("a\0b", 3), "['a\\u0000b']");
    assert_canon(one_string("\0", 1), "['\\u0000']");
    json_object_setn_new(o, "k\0", 2, json_stringn("\0\0", 2));
    json_object_setn_new(o, "k", 1, json_true());
    assert_canon(o, "{'k':true,'k\\u0000':'\\u0000\\u0000'}");
}

static void test_json_canon__writes_integers_in_decimal(void **state)
{
    static const json_int_t v[] = {
        LLONG_MIN,
        LLONG_MIN + 1,
        LLONG_MAX,
        0,
        -1,
        1,
        9,
        10,
        99,
        100,
        -9,
        -10,
        -99,
        -100,
        1000000000000000000ll,
        999999999999999999ll,
        -1000000000000000000ll,
    };
    json_t *a = json_array();
    char want[512] = "[", *p = want + 1;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        json_array_append_new(a, json_integer(v[i]));
        p += sprintf(p, "%s%lld", i ? "," : "", (long long)v[i]);
    }
    strcpy(p, "]");
    assert_string_equal(want, "[-9223372036854775808,-9223372036854775807,9223372036854775807,"
                              "0,-1,1,9,10,99,100,-9,-10,-99,-100,1000000000000000000,"
                              "999999999999999999,-1000000000000000000]");
    assert_canon(a, want);
}

static void test_json_canon__writes_literals_and_empty_containers(void **state)
{
    (void)state;
    assert_canon(json_object(), "{}");
    assert_canon(json_array(), "[]");
    assert_canon(json_pack("{s{}s[]s[[]{}[[]]{s{}}]}", "a", "b", "c", "d"),
                 "{'a':{},'b':[],'c':[[],{},[[]],{'d':{}}]}");
    assert_canon(json_pack("[bbn{sbsn}]", 1, 0, "x", 0, "y"),
                 "[true,false,null,{'x':false,'y':null}]");
}

/* Records hold integers only: a real has no canonical text. */
static void test_json_canon__refuses_reals(void **state)
{
    (void)state;
    assert_refused(json_pack("[f]", 1.5), "real number");
    assert_refused(json_pack("[i{s[f]}]", 1, "x", 100.0), "real number");
}

static void test_json_canon__sorts_keys_by_bytes_then_length(void **state)
{
    static const char *const keys[] = {"b", "ab", "", "a", "\xc3\xa9", "z", "A", "aa", "a b"};
    json_t *o = json_object(), *big = json_object();
    char key[24], want[64 * 12] = "{", *p = want + 1;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        json_object_set_new(o, keys[i], json_integer((json_int_t)i));
    }
    assert_canon(o, "{'':2,'A':6,'a':3,'a b':8,'aa':7,'ab':1,'b':0,'z':5,'\xc3\xa9':4}");

    /* more keys than the insertion sort takes, inserted in reverse */
    for (i = 60; i-- > 0;) {
        snprintf(key, sizeof(key), "k%02zu", i);
        json_object_set_new(big, key, json_integer((json_int_t)i));
    }
    for (i = 0; i < 60; i++) {
        p += sprintf(p, "%s\"k%02zu\":%zu", i ? "," : "", i, i);
    }
    strcpy(p, "}");
    assert_canon(big, want);
    /* and in order already (as a record read back from its text has them) */
    big = json_object();
    for (i = 0; i < 60; i++) {
        snprintf(key, sizeof(key), "k%02zu", i);
        json_object_set_new(big, key, json_integer((json_int_t)i));
    }
    assert_canon(big, want);
}

/* Byte sequences that are not UTF-8. */
static const char *const not_utf8[] = {
    "\xff",             /* never in UTF-8 */
    "\x80",             /* a stray continuation byte */
    "\xc0\x80",         /* U+0000 overlong */
    "\xc1\xbf",         /* U+007F overlong */
    "\xe0\x9f\xbf",     /* U+07FF overlong */
    "\xe0\x80\x80",     /* U+0000 overlong */
    "\xf0\x8f\xbf\xbf", /* U+FFFF overlong */
    "\xed\xa0\x80",     /* surrogate U+D800 */
    "\xed\xbf\xbf",     /* surrogate U+DFFF */
    "\xf4\x90\x80\x80", /* U+110000 */
    "\xf5\x80\x80\x80", /* lead byte past U+10FFFF */
    "\xf7\xbf\xbf\xbf", /* lead byte past U+10FFFF */
    "\xf8",             /* five-byte lead */
    "\xfe",             /* never in UTF-8 */
    "\xc3",             /* cut short: 1 of 2 */
    "\xe2\x82",         /* cut short: 2 of 3 */
    "\xf0\x9d\x84",     /* cut short: 3 of 4 */
    "\xf0\x8f\xbf",     /* cut short and overlong */
    "\xf4\x90",         /* cut short and too high */
    "\xf5",             /* cut short and too high */
    "\xc2",             /* cut short: 1 of 2 */
    "\xc3\x28",         /* continuation byte missing */
    "\xc2\xc0",         /* continuation byte missing */
};

static void test_json_canon__refuses_strings_not_utf8(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(not_utf8) / sizeof(not_utf8[0]); i++) {
        char s[16];
        size_t n = strlen(not_utf8[i]);

        snprintf(s, sizeof(s), "ok\n%s", not_utf8[i]);
        assert_refused(one_raw_string(not_utf8[i], n), "string that is not UTF-8");
        assert_refused(one_raw_string(s, n + 3), "string that is not UTF-8");
        assert_refused(json_pack("{s{so}}", "a", "b", json_stringn_nocheck(s, n + 3)),
                       "string that is not UTF-8");
    }
}

/* A key that is not UTF-8 is refused too, wherever it is: the format has no
 * text for it (jansson 2.14 writes such a key cut short, unterminated, and
 * carries on). */
static void test_json_canon__refuses_keys_not_utf8(void **state)
{
    json_t *o;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(not_utf8) / sizeof(not_utf8[0]); i++) {
        o = json_object();
        json_object_set_new_nocheck(o, not_utf8[i], json_true());
        json_object_set_new(o, "0\t", json_false());
        assert_refused(o, "key that is not UTF-8");
    }
    o = json_object();
    json_object_set_new_nocheck(o,
                                "a\x01\xff"
                                "b",
                                json_integer(1));
    json_object_set_new(o, "z", json_integer(2));
    assert_refused(o, "key that is not UTF-8");
    o = json_object();
    json_object_set_new_nocheck(o, "\x01x\"y\xc3", json_integer(1));
    assert_refused(json_pack("{s{so}}", "fields", "f", o), "key that is not UTF-8");
}

static void test_json_canon__refuses_scalars_and_cycles(void **state)
{
    json_t *a, *b;
    size_t len = 3;

    (void)state;
    assert_null(ccm_json_canon(NULL, &len));
    assert_int_equal(len, 0);
    assert_refused(json_integer(1), "not an object or an array");
    assert_refused(json_string("x"), "not an object or an array");
    assert_refused(json_null(), "not an object or an array");
    /* a cycle through two arrays, and one through an array and an object */
    a = json_array();
    b = json_array();
    json_array_append(a, b);
    json_array_append(b, a);
    assert_null(ccm_json_canon(a, NULL));
    assert_non_null(strstr(ccm_error_last(), "contains itself"));
    json_array_clear(b);
    json_decref(b);
    b = json_object();
    json_object_set(b, "up", a);
    json_array_clear(a);
    json_array_append_new(a, b);
    assert_null(ccm_json_canon(a, NULL));
    assert_non_null(strstr(ccm_error_last(), "contains itself"));
    json_object_clear(b);
    json_decref(a);
    /* and one through objects only */
    a = json_object();
    b = json_object();
    json_object_set(a, "down", b);
    json_object_set(b, "up", a);
    assert_null(ccm_json_canon(a, NULL));
    assert_non_null(strstr(ccm_error_last(), "contains itself"));
    json_object_clear(b);
    json_decref(b);
    json_decref(a);
}

static void test_json_canon__shared_subtrees_are_not_cycles(void **state)
{
    json_t *leaf = json_pack("{s[i]}", "x", 1);
    json_t *doc = json_pack("{sOsOs[OO]}", "a", leaf, "b", leaf, "c", leaf, leaf);

    (void)state;
    json_decref(leaf);
    assert_canon(doc, "{'a':{'x':[1]},'b':{'x':[1]},'c':[{'x':[1]},{'x':[1]}]}");
}

/* A record as the record API builds it, every part of the shape present:
 * registers with a concurrent value and a cleared one, a set with an
 * element removed, the tombstone register, text with escapes and UTF-8.
 * The expected bytes are docs/record-format.md's example. */
static void test_json_canon__writes_a_record_as_the_format_says(void **state)
{
    const uint64_t t = (uint64_t)1741255200000ull << 16; /* 2025-03-06T10:00:00Z */
    json_t *rec = ccm_record_new("state", "CIV"), *other;
    json_t *joined = NULL;

    (void)state;
    assert_non_null(rec);
    assert_int_equal(
        ccm_record_assign(rec, "name", "C\xc3\xb4te d\xe2\x80\x99Ivoire", t + 1, "Peru"), CCM_OK);
    assert_int_equal(ccm_record_assign(rec, "status", "signatory", t + 1, "Peru"), CCM_OK);
    assert_int_equal(ccm_record_set_add(rec, "targets", "apmbc", t + 1, "Peru"), CCM_OK);
    assert_int_equal(ccm_record_set_add(rec, "targets", "ccw", t + 1, "Peru"), CCM_OK);
    assert_int_equal(ccm_record_set_remove(rec, "targets", "ccw", t + 2, "Peru"), CCM_OK);
    assert_int_equal(ccm_record_assign(rec, "region", NULL, t + 2, "Peru"), CCM_OK);
    other = json_deep_copy(rec);
    assert_int_equal(
        ccm_record_assign(rec, "next_step", "call \"MFA\"\n\tthen write", t + 3, "Peru"), CCM_OK);
    assert_int_equal(ccm_record_assign(other, "status", "party", t + 4, "Norway"), CCM_OK);
    assert_int_equal(ccm_record_delete(other, t + 5, "Norway"), CCM_OK);
    assert_int_equal(ccm_record_join(&joined, rec, other), CCM_OK);
    assert_canon(joined, "{'fields':{"
                         "'name':{'r':[{'m':'Peru','s':114114900787200001,'v':'C\xc3\xb4te "
                         "d\xe2\x80\x99Ivoire','vv':{'Peru':114114900787200001}}]},"
                         "'next_step':{'r':[{'m':'Peru','s':114114900787200003,"
                         "'v':'call \\'MFA\\'\\n\\tthen write','vv':{'Peru':114114900787200003}}]},"
                         "'region':{'r':[{'m':'Peru','s':114114900787200002,'v':null,"
                         "'vv':{'Peru':114114900787200002}}]},"
                         "'status':{'r':[{'m':'Norway','s':114114900787200004,'v':'party',"
                         "'vv':{'Norway':114114900787200004,'Peru':114114900787200001}}]},"
                         "'targets':{'set':{'apmbc':{'a':[[114114900787200001,'Peru']],'r':[]},"
                         "'ccw':{'a':[],'r':[[114114900787200001,'Peru']]}},"
                         "'u':[114114900787200002,'Peru']}},"
                         "'id':'CIV','kind':'state',"
                         "'rm':{'r':[{'m':'Norway','s':114114900787200005,'v':'1',"
                         "'vv':{'Norway':114114900787200005}}]},'v':1}");
    json_decref(rec);
    json_decref(other);
}

/* A random string: plain ASCII, escapes, NUL and UTF-8 of every length;
 * with `raw`, random bytes that may not be UTF-8 at all. */
static size_t random_string(char *s, size_t cap, int raw)
{
    static const char special[] = "\"\\/\x7f\b\f\n\r\t";
    size_t n = 0, len = pick(pick(4) == 0 ? 40 : 10);
    uint32_t cp;

    while (n < len && n + 4 < cap) {
        if (raw) {
            s[n++] = (char)pick(256);
            continue;
        }
        switch (pick(8)) {
        case 0:
            s[n++] = (char)pick(0x20);
            break;
        case 1:
            s[n++] = special[pick(sizeof(special) - 1)];
            break;
        case 2:
            cp = 0x80 + (uint32_t)pick(0x800 - 0x80);
            s[n++] = (char)(0xc0 | cp >> 6);
            s[n++] = (char)(0x80 | (cp & 0x3f));
            break;
        case 3:
            do {
                cp = 0x800 + (uint32_t)pick(0x10000 - 0x800);
            } while (cp >= 0xd800 && cp <= 0xdfff);
            s[n++] = (char)(0xe0 | cp >> 12);
            s[n++] = (char)(0x80 | (cp >> 6 & 0x3f));
            s[n++] = (char)(0x80 | (cp & 0x3f));
            break;
        case 4:
            cp = 0x10000 + (uint32_t)pick(0x110000 - 0x10000);
            s[n++] = (char)(0xf0 | cp >> 18);
            s[n++] = (char)(0x80 | (cp >> 12 & 0x3f));
            s[n++] = (char)(0x80 | (cp >> 6 & 0x3f));
            s[n++] = (char)(0x80 | (cp & 0x3f));
            break;
        default:
            s[n++] = (char)(0x20 + pick(0x5f));
            break;
        }
    }
    return n;
}

static json_int_t random_integer(void)
{
    static const json_int_t edges[] = {LLONG_MIN,     LLONG_MAX,    0, -1, 1,
                                       LLONG_MIN + 1, LLONG_MAX - 1};
    json_int_t p = 1;
    size_t k;

    switch (pick(5)) {
    case 0:
        return edges[pick(sizeof(edges) / sizeof(edges[0]))];
    case 1:
        for (k = pick(19); k > 0; k--) {
            p *= 10;
        }
        return (pick(2) ? p : -p) - (json_int_t)pick(2);
    case 2:
        return (json_int_t)pick(2000) - 1000;
    default:
        return (json_int_t)rnd();
    }
}

/* Keys drawn from a small set often, so that prefixes and collisions of
 * keys occur; and from random strings, now and then not UTF-8. */
static void random_key(json_t *obj, json_t *value, int *raw_used)
{
    static const char *const common[] = {"a",         "ab", "abc", "b", "",  "A", "\xc3\xa9",
                                         "a\xc3\xa9", "v",  "vv",  "s", "m", "r"};
    char s[64];
    size_t n;

    if (pick(3) == 0) {
        json_object_set_new(obj, common[pick(sizeof(common) / sizeof(common[0]))], value);
        return;
    }
    n = random_string(s, sizeof(s), pick(60) == 0);
    for (size_t i = 0; i < n; i++) {
        s[i] = s[i] ? s[i] : '\x01'; /* jansson reads no key with a NUL back */
    }
    if (json_object_setn(obj, s, n, value) == 0) {
        json_decref(value);
    } else {
        *raw_used = 1; /* not UTF-8: only the _nocheck setter takes it */
        json_object_setn_new_nocheck(obj, s, n, value);
    }
}

static json_t *random_value(int depth, int max_depth, int *raw_used)
{
    char s[64];
    size_t i, n;
    json_t *c;

    if (depth < max_depth && (depth == 0 || pick(3) == 0)) {
        n = pick(depth == 0 ? 8 : 6);
        c = pick(2) ? json_object() : json_array();
        for (i = 0; i < n; i++) {
            json_t *v = random_value(depth + 1, max_depth, raw_used);

            if (json_is_object(c)) {
                random_key(c, v, raw_used);
            } else {
                json_array_append_new(c, v);
            }
        }
        return c;
    }
    switch (pick(9)) {
    case 0:
        return json_true();
    case 1:
        return json_false();
    case 2:
        return json_null();
    case 3:
    case 4:
        return json_integer(random_integer());
    case 5:
        if (pick(80) == 0) {
            n = random_string(s, sizeof(s), 1);
            *raw_used = 1;
            return json_stringn_nocheck(s, n);
        }
        /* fall through */
    default:
        n = random_string(s, sizeof(s), 0);
        c = json_stringn(s, n);
        assert_non_null(c);
        return c;
    }
}

static void test_json_canon__random_documents_read_back_the_same(void **state)
{
    size_t i, written = 0, refused = 0, with_raw = 0, deep = 0;

    (void)state;
    for (i = 0; i < RANDOM_DOCS; i++) {
        int raw = 0, max_depth = 1 + (int)pick(MAX_DEPTH);
        json_t *doc = random_value(0, max_depth, &raw);
        json_t *shared = random_value(1, 3, &raw);

        /* now and then a subtree shared by two places */
        if (pick(10) == 0) {
            if (json_is_object(doc)) {
                json_object_set(doc, "shared1", shared);
                json_object_set(doc, "shared2", shared);
            } else {
                json_array_append(doc, shared);
                json_array_append(doc, shared);
            }
        }
        json_decref(shared);
        if (check_reads_back(doc)) {
            written++;
        } else {
            refused++;
            CHECK(raw, "a document of UTF-8 only refused: %s", ccm_error_last());
        }
        with_raw += raw != 0;
        deep += max_depth == MAX_DEPTH;
        json_decref(doc);
    }
    /* the generator reached what it is meant to: most documents written,
     * some refused, some with bytes that are not UTF-8, the full depth */
    CHECK(written > RANDOM_DOCS / 2, "only %zu documents written", written);
    CHECK(refused > 0 && with_raw > refused, "%zu refused, %zu with raw bytes", refused, with_raw);
    CHECK(deep > RANDOM_DOCS / 10, "only %zu documents of depth %d", deep, MAX_DEPTH);
}

/* A record of our shape: {"v":1,"kind":"state","id":"PE","fields":{"f01":
 * {"r":[{"s":123,"m":"A","v":"text","vv":{"A":123,"B":45}}]}}}, with many
 * fields, some with concurrent entries. */
static json_t *random_record(void)
{
    static const char *const members[] = {"Peru", "Norway", "Malawi", "alice", "B"};
    static const char *const kinds[] = {"state", "activity", "note"};
    json_t *fields = json_object(), *rec;
    size_t f, e, m, nfields = 10 + pick(40);
    char name[16], text[64];

    for (f = 0; f < nfields; f++) {
        json_t *r = json_array();
        size_t nentries = 1 + (pick(4) == 0 ? pick(3) : 0);

        for (e = 0; e < nentries; e++) {
            json_t *vv = json_object(), *v;

            for (m = pick(5); m > 0; m--) {
                json_object_set_new(vv, members[pick(5)], json_integer((json_int_t)(rnd() >> 17)));
            }
            v = json_stringn(text, random_string(text, sizeof(text), 0));
            json_array_append_new(r, json_pack("{sIsssoso}", "s", (json_int_t)(rnd() >> 17), "m",
                                               members[pick(5)], "v", v, "vv", vv));
        }
        snprintf(name, sizeof(name), "f%02zu", pick(100));
        json_object_set_new(fields, name, json_pack("{so}", "r", r));
    }
    rec = json_pack("{sissssso}", "v", 1, "kind", kinds[pick(3)], "id", "PE", "fields", fields);
    assert_non_null(rec);
    return rec;
}

static void test_json_canon__record_shaped_documents_read_back_the_same(void **state)
{
    json_t *rec =
        json_pack("{sisssss{s{s[{sisssss{sisi}}]}}}", "v", 1, "kind", "state", "id", "PE", "fields",
                  "f01", "r", "s", 123, "m", "A", "v", "text", "vv", "A", 123, "B", 45);
    size_t i;

    (void)state;
    assert_canon(rec,
                 "{'fields':{'f01':{'r':[{'m':'A','s':123,'v':'text','vv':{'A':123,'B':45}}]}},"
                 "'id':'PE','kind':'state','v':1}");
    for (i = 0; i < RECORD_DOCS; i++) {
        rec = random_record();
        CHECK(check_reads_back(rec) == 1, "record refused: %s", ccm_error_last());
        json_decref(rec);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_canon__escapes_control_quote_and_backslash_only),
        cmocka_unit_test(test_json_canon__copies_utf8_raw),
        cmocka_unit_test(test_json_canon__escapes_embedded_nul),
        cmocka_unit_test(test_json_canon__writes_integers_in_decimal),
        cmocka_unit_test(test_json_canon__writes_literals_and_empty_containers),
        cmocka_unit_test(test_json_canon__refuses_reals),
        cmocka_unit_test(test_json_canon__sorts_keys_by_bytes_then_length),
        cmocka_unit_test(test_json_canon__refuses_strings_not_utf8),
        cmocka_unit_test(test_json_canon__refuses_keys_not_utf8),
        cmocka_unit_test(test_json_canon__refuses_scalars_and_cycles),
        cmocka_unit_test(test_json_canon__shared_subtrees_are_not_cycles),
        cmocka_unit_test(test_json_canon__writes_a_record_as_the_format_says),
        cmocka_unit_test_setup(test_json_canon__random_documents_read_back_the_same, setup_seed),
        cmocka_unit_test_setup(test_json_canon__record_shaped_documents_read_back_the_same,
                               setup_seed),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
