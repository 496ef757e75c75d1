/*
 * test_json_load.c - ccm_json_load (store/record/json_load.c) reads the
 * canonical text of a document and nothing else (docs/record-format.md):
 * what it accepts is ccm_json_canon's text of what it returns, byte for
 * byte; it accepts every text that jansson reads (duplicates refused) into
 * a document whose canonical text that is, and builds the same values. Known
 * inputs pinned to their decision, then random documents written by the
 * canonical writer and by jansson with random flags, and the same mangled
 * byte by byte.
 *
 * The PRNG seed is fixed so that a run is reproducible; CCM_SEED=N tries
 * another, and a failure prints the seed that replays it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/record/record.h"
#include "tests/support/json_same.h"
#include "tests/support/seed_support.h"

#define RANDOM_DOCS 4000
#define MANGLES 12

static int setup_seed(void **state)
{
    (void)state;
    seed_start(0x6a736f6e6c6f6164ull); /* fixed: a run is reproducible */
    return 0;
}

/* ccm_json_load on `len` bytes against its definition: what it accepts is
 * the canonical text of what it returns; jansson (NUL allowed, duplicates
 * refused) reading a document whose canonical text the bytes are, nested
 * at most 64 deep, means it must accept, with the same values. Returns 1 if
 * it accepted. */
static int check(const char *buf, size_t len)
{
    json_error_t e1, e2;
    json_t *got = ccm_json_load(buf, len, &e2);
    json_t *want = json_loadb(buf, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &e1);
    int canonical = want && json_depth(want) <= 64 && json_is_canon_of(want, buf, len);
    int shown = (int)(len < 300 ? len : 300);

    if (got) {
        CHECK(json_is_canon_of(got, buf, len), "accepted '%.*s', which is not canonical", shown,
              buf);
        CHECK(canonical || (!want && json_has_nul_key(got)),
              "accepted '%.*s', which jansson reads as another document (%s)", shown, buf,
              want ? "-" : e1.text);
    } else {
        CHECK(!canonical, "refused the canonical text '%.*s' (%s)", shown, buf, e2.text);
    }
    if (got && want) {
        CHECK(json_same(want, got), "different values for '%.*s'", shown, buf);
    }
    json_decref(want);
    json_decref(got);
    return got != NULL;
}

static void expect(const char *text, size_t len, int accepted)
{
    int ok = check(text, len);
    CHECK(ok == accepted, "'%.*s' should be %s", (int)len, text, accepted ? "accepted" : "refused");
}

#define ACCEPT(s) expect(s, sizeof(s) - 1, 1)
#define REFUSE(s) expect(s, sizeof(s) - 1, 0)

static void test_json_load__structure(void **state)
{
    (void)state;
    ACCEPT("{}");
    ACCEPT("[]");
    ACCEPT("[1,2,[3,{\"a\":[]}]]");
    ACCEPT("{\"a\":1,\"b\":{\"c\":[true,false,null]}}");
    ACCEPT("{\"a\":1,\"b\":{\"a\":1}}");
    ACCEPT("{\"\":1}");
    REFUSE("");
    REFUSE("1");
    REFUSE("\"s\"");
    REFUSE("true");
    REFUSE("{} {}");
    REFUSE("{}x");
    REFUSE("{}\0");
    REFUSE("\0{}");
    REFUSE("[1,]");
    REFUSE("[,1]");
    REFUSE("[1 2]");
    REFUSE("{\"a\":1,}");
    REFUSE("{\"a\":}");
    REFUSE("{1:2}");
    REFUSE("[");
    REFUSE("{\"a\":[}");
    REFUSE("[truex]");
    REFUSE("[tru]");
    REFUSE("[nul]");
    REFUSE("[True]");
    REFUSE("[\xc3\xa9]");
    /* jansson's quirk, not ours: a NUL after a number or a literal */
    REFUSE("[1\0]");
    REFUSE("[true\0]");
}

/* No whitespace anywhere outside strings: one text per document. */
static void test_json_load__refuses_whitespace(void **state)
{
    (void)state;
    REFUSE(" {}");
    REFUSE("{} ");
    REFUSE("{}\n");
    REFUSE("{ }");
    REFUSE("[1, 2]");
    REFUSE("{\"a\": 1}");
    REFUSE("{\"a\" :1}");
    REFUSE("\t[]");
    REFUSE("[\r]");
    ACCEPT("[\" \\t\\n \"]");
}

/* Keys strictly ascending, bytewise, a key before the longer keys it
 * begins: out of order or twice is refused. */
static void test_json_load__keys_in_canonical_order_only(void **state)
{
    (void)state;
    ACCEPT("{\"\":0,\"A\":1,\"a\":2,\"a b\":3,\"aa\":4,\"b\":5,\"\xc3\xa9\":6}");
    REFUSE("{\"b\":1,\"a\":2}");
    REFUSE("{\"aa\":1,\"a\":2}");
    REFUSE("{\"a\":1,\"A\":2}");
    REFUSE("{\"\xc3\xa9\":1,\"z\":2}");
    REFUSE("{\"a\":1,\"a\":2}");
    REFUSE("{\"\":1,\"\":2}");
    REFUSE("{\"a\":1,\"b\":{\"c\":1,\"c\":1}}");
    /* an escaped key sorts by its bytes: "\n" (0x0A) before "a" */
    ACCEPT("{\"\\n\":1,\"a\":2}");
    REFUSE("{\"a\":1,\"\\n\":2}");
}

static void test_json_load__strings(void **state)
{
    (void)state;
    ACCEPT("[\"plain\",\"\",\"caf\xc3\xa9\",\"\xe2\x82\xac\",\"\xf0\x9f\x98\x80\",\"\x7f\",\"/\"]");
    ACCEPT("[\"\\\"\\\\\\b\\f\\n\\r\\t\"]");
    ACCEPT("[\"\\u0001\\u001F\\u000B\\u001B\"]");
    ACCEPT("[\"a\\u0000b\"]"); /* U+0000 is syntax like any control character */
    ACCEPT("{\"a\\u0000b\":1}");
    /* escapes the writer does not write */
    REFUSE("[\"\\/\"]");
    REFUSE("[\"\\u0041\"]");
    REFUSE("[\"\\u00e9\"]");
    REFUSE("[\"\\u00E9\"]");
    REFUSE("[\"\\u001b\"]"); /* lower-case hex */
    REFUSE("[\"\\u000A\"]"); /* \n has its short escape */
    REFUSE("[\"\\u0009\"]");
    REFUSE("[\"\\u20AC\"]");
    REFUSE("[\"\\uD83D\\uDE00\"]");
    REFUSE("[\"\\u12\"]");
    REFUSE("[\"\\x\"]");
    REFUSE("[\"\\'\"]");
    REFUSE("[\"\\");
    REFUSE("[\"\\u00");
    REFUSE("[\"abc");
    /* control characters never raw */
    REFUSE("[\"a\nb\"]");
    REFUSE("[\"a\tb\"]");
    REFUSE("[\"a\0b\"]");
    REFUSE("[\"\x1f\"]");
    /* not UTF-8 */
    REFUSE("[\"\xc0\xaf\"]");         /* overlong */
    REFUSE("[\"\xe0\x80\xaf\"]");     /* overlong */
    REFUSE("[\"\xed\xa0\x80\"]");     /* surrogate */
    REFUSE("[\"\xf4\x90\x80\x80\"]"); /* above U+10FFFF */
    REFUSE("[\"\xf5\x80\x80\x80\"]");
    REFUSE("[\"\x80\"]");
    REFUSE("[\"\xc3\"]");
    REFUSE("[\"\xe2\x82\"]");
    REFUSE("[\"\xff\"]");
}

static void test_json_load__integers_only_in_decimal(void **state)
{
    (void)state;
    ACCEPT("[0,1,-1,10,123456789,-100]");
    ACCEPT("[9223372036854775807,-9223372036854775808]");
    REFUSE("[9223372036854775808]");
    REFUSE("[-9223372036854775809]");
    REFUSE("[99999999999999999999999]");
    REFUSE("[-0]");
    REFUSE("[01]");
    REFUSE("[-01]");
    REFUSE("[00]");
    REFUSE("[-]");
    REFUSE("[+1]");
    /* reals: records hold none, and the writer writes none */
    REFUSE("[0.5]");
    REFUSE("[1.0]");
    REFUSE("[1e3]");
    REFUSE("[1E3]");
    REFUSE("[-0.0]");
    REFUSE("[.5]");
    REFUSE("[1.]");
    REFUSE("[0x10]");
    REFUSE("[NaN]");
    REFUSE("[Infinity]");
    REFUSE("[1,-]");
}

/* Containers nest at most 64 deep; scalars do not count. */
static void test_json_load__depth_counts_containers(void **state)
{
    enum { MAX = 64 };
    static char buf[2 * (MAX + 2) + 8];
    (void)state;

    for (int depth = MAX - 1; depth <= MAX + 1; depth++) {
        for (int scalar = 0; scalar <= 1; scalar++) {
            size_t n = 0;
            for (int i = 0; i < depth; i++) {
                buf[n++] = '[';
            }
            if (scalar) {
                buf[n++] = '7';
            }
            for (int i = 0; i < depth; i++) {
                buf[n++] = ']';
            }
            expect(buf, n, depth <= MAX);
        }
    }
}

/* ---- random documents ------------------------------------------------- */

static json_t *random_value(int depth);

static json_t *random_string(void)
{
    static const char *const pieces[] = {
        "a", "key",  "\"",  "\\", "/", "\n", "\x01", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80",
        " ", "\x7f", "u00", "\t"};
    char buf[64];
    size_t n = 0, parts = pick(5);

    for (size_t i = 0; i < parts; i++) {
        const char *p = pieces[pick(sizeof(pieces) / sizeof(pieces[0]))];
        size_t len = strlen(p);
        if (n + len < sizeof(buf)) {
            memcpy(buf + n, p, len);
            n += len;
        }
    }
    if (pick(40) == 0 && n + 1 < sizeof(buf)) {
        buf[n++] = '\0'; /* written as \u0000 */
    }
    return json_stringn(buf, n);
}

static json_t *random_value(int depth)
{
    switch (pick(depth > 4 ? 6 : 8)) {
    case 0:
        return random_string();
    case 1:
        return json_integer((json_int_t)rnd());
    case 2:
        return json_integer((json_int_t)pick(1000) - 500);
    case 3: /* now and then a real: no canonical text */
        return pick(10) ? json_integer((json_int_t)rnd() >> pick(60))
                        : json_real((double)(json_int_t)rnd() / (double)(1 + pick(1u << 20)));
    case 4:
        return pick(2) ? json_true() : json_false();
    case 5:
        return json_null();
    case 6: {
        json_t *a = json_array();
        for (size_t i = 0, n = pick(5); i < n; i++) {
            json_array_append_new(a, random_value(depth + 1));
        }
        return a;
    }
    default: {
        json_t *o = json_object();
        for (size_t i = 0, n = pick(5); i < n; i++) {
            json_t *k = random_string();
            json_object_setn_new_nocheck(o, json_string_value(k), json_string_length(k),
                                         random_value(depth + 1));
            json_decref(k);
        }
        return o;
    }
    }
}

static const unsigned char interesting[] = {'"',  '\\', '{',  '}',  '[',  ']',  ',',  ':',  '0',
                                            '1',  '9',  '-',  '+',  '.',  'e',  'E',  'u',  'D',
                                            'n',  't',  ' ',  '\n', 0x00, 0x01, 0x1f, 0x7f, 0x80,
                                            0xbf, 0xc0, 0xc3, 0xe0, 0xed, 0xf0, 0xf4, 0xf5, 0xff};

static void mangle(char *buf, size_t *len, size_t cap)
{
    size_t at = *len ? pick(*len) : 0;
    unsigned char c = interesting[pick(sizeof(interesting))];

    switch (pick(5)) {
    case 0: /* replace */
        if (*len) {
            buf[at] = (char)c;
        }
        break;
    case 1: /* insert */
        if (*len + 1 < cap) {
            memmove(buf + at + 1, buf + at, *len - at);
            buf[at] = (char)c;
            ++*len;
        }
        break;
    case 2: /* delete */
        if (*len) {
            memmove(buf + at, buf + at + 1, *len - at - 1);
            --*len;
        }
        break;
    case 3: /* truncate */
        *len = at;
        break;
    default: /* flip a bit */
        if (*len) {
            buf[at] = (char)(buf[at] ^ (1 << pick(8)));
        }
    }
}

static void test_json_load__random_and_mangled_documents(void **state)
{
    static const size_t flags[] = {JSON_COMPACT, JSON_INDENT(2), JSON_ENSURE_ASCII,
                                   JSON_COMPACT | JSON_ENSURE_ASCII | JSON_SORT_KEYS,
                                   JSON_INDENT(1) | JSON_ESCAPE_SLASH};
    size_t accepted = 0, refused = 0;
    (void)state;

    for (int d = 0; d < RANDOM_DOCS; d++) {
        json_t *doc = pick(2) ? json_array() : json_object();
        char *text, buf[4096];
        size_t len;
        for (size_t i = 0, n = 1 + pick(6); i < n; i++) {
            json_t *v = random_value(1);
            if (json_is_array(doc)) {
                json_array_append_new(doc, v);
            } else {
                char key[8];
                snprintf(key, sizeof(key), "k%zu", pick(8));
                json_object_set_new(doc, key, v);
            }
        }
        /* mostly the canonical text, else jansson's with random flags */
        text = pick(3) ? ccm_json_canon(doc, NULL)
                       : json_dumps(doc, flags[pick(sizeof(flags) / sizeof(flags[0]))]);
        json_decref(doc);
        if (!text) {
            continue; /* a real (not canonical), or a key that is not UTF-8 */
        }
        len = strlen(text);
        if (len >= sizeof(buf)) {
            free(text);
            continue;
        }
        memcpy(buf, text, len);
        free(text);
        check(buf, len) ? accepted++ : refused++;
        for (int m = 0; m < MANGLES; m++) {
            mangle(buf, &len, sizeof(buf));
            check(buf, len) ? accepted++ : refused++;
        }
    }
    /* the generator must reach both sides of the decision */
    CHECK(accepted > RANDOM_DOCS / 2 && refused > RANDOM_DOCS, "accepted %zu, refused %zu",
          accepted, refused);
}

/* Records as the store writes them: accepted, the same values. */
static void test_json_load__records(void **state)
{
    (void)state;
    ACCEPT("{\"fields\":{\"f01\":{\"r\":[{\"m\":\"A\",\"s\":123,\"v\":\"text\",\"vv\":{\"A\":123,"
           "\"B\":45}}]},\"tags\":{\"set\":{\"x\":{\"a\":[[8,\"a\"]],\"r\":[[90,\"b\"]]}},\"u\":[9,"
           "\"c\"]}},\"id\":\"PE\",\"kind\":\"state\",\"v\":1}");
    for (int i = 0; i < 500; i++) {
        json_t *rec =
            json_pack("{s:i, s:s, s:s, s:{}}", "v", 1, "kind", "state", "id", "PE", "fields");
        json_t *fields = json_object_get(rec, "fields");
        char *text, name[8];
        for (size_t f = 0, n = 1 + pick(40); f < n; f++) {
            snprintf(name, sizeof(name), "f%02zu", f);
            json_object_set_new(fields, name,
                                json_pack("{s:[{s:o, s:I, s:s, s:{s:I}}]}", "r", "v",
                                          random_string(), "s", (json_int_t)(rnd() >> 1), "m",
                                          pick(2) ? "A" : "B", "vv", "A",
                                          (json_int_t)(rnd() >> 2)));
        }
        text = ccm_json_canon(rec, NULL);
        json_decref(rec);
        CHECK(text != NULL, "a record refused: %s", ccm_error_last());
        CHECK(check(text, strlen(text)), "a record's canonical text refused: %s", text);
        free(text);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_load__structure),
        cmocka_unit_test(test_json_load__refuses_whitespace),
        cmocka_unit_test(test_json_load__keys_in_canonical_order_only),
        cmocka_unit_test(test_json_load__strings),
        cmocka_unit_test(test_json_load__integers_only_in_decimal),
        cmocka_unit_test(test_json_load__depth_counts_containers),
        cmocka_unit_test_setup(test_json_load__random_and_mangled_documents, setup_seed),
        cmocka_unit_test_setup(test_json_load__records, setup_seed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
