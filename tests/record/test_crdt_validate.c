/*
 * test_crdt_validate.c - the record CRDT facing hostile data: every kind of
 * malformed document is rejected by ccm_record_validate (and so by the join
 * and the views) without a crash; the readers that take unvalidated
 * documents tolerate anything; and the two oddities that well-formed but
 * hostile documents can still carry (same (s, m) with different contents, a
 * field that is a register on one replica and a set on another) are merged
 * so that the join laws hold.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "store/record/record.h"
#include "tests/support/crdt_support.h"

/* Asserts the effective value of a scalar field (NULL: absent or cleared). */
static void test_crdt_is_deleted__tolerates_malformed_documents(void **state_)
{
    json_t *j = load("{'rm':{'r':[{'v':1}]}}");

    (void)state_;
    assert_false(ccm_record_is_deleted(NULL));
    assert_false(ccm_record_is_deleted(j));
    json_decref(j);
    j = load("{'rm':{'r':[{'v':'0'}]}}");
    assert_false(ccm_record_is_deleted(j));
    json_decref(j);
}

/* Documents every one of which ccm_record_validate must reject. E is a valid
 * register entry, H the valid head of a record. */
#define H "'v':1,'kind':'state','id':'LAO'"
#define E "{'v':'x','s':1,'m':'alice','vv':{'alice':1}}"
#define EL(x) "{" H ",'fields':{'targets':{'set':{'ccw':" x "},'u':[1,'alice']}}}"
#define FL(x) "{" H ",'fields':{'name':" x "}}"
static const char *const malformed[] = {
    "[]",
    "'state'",
    "{'kind':'state','id':'LAO','fields':{}}",
    "{'v':2,'kind':'state','id':'LAO','fields':{}}",
    "{'v':'1','kind':'state','id':'LAO','fields':{}}",
    "{'v':1.0,'kind':'state','id':'LAO','fields':{}}",
    "{'v':1,'kind':'planet','id':'LAO','fields':{}}",
    "{'v':1,'kind':null,'id':'LAO','fields':{}}",
    "{'v':1,'kind':'state','fields':{}}",
    "{'v':1,'kind':'state','id':5,'fields':{}}",
    "{'v':1,'kind':'state','id':'','fields':{}}",
    "{'v':1,'kind':'state','id':'../x','fields':{}}",
    "{'v':1,'kind':'state','id':'L\\u0000O','fields':{}}",
    "{" H "}",
    "{" H ",'fields':[]}",
    "{" H ",'fields':{},'extra':1}",
    "{" H ",'fields':{'Name':{'r':[" E "]}}}",
    FL("'Laos'"),
    FL("{}"),
    FL("{'r':[]}"),
    FL("{'r':{}}"),
    FL("{'r':[" E "],'x':1}"),
    FL("{'r':[" E "],'set':{},'u':[1,'alice']}"),
    FL("{'r':[{'v':'x','s':1,'m':'alice'}]}"),
    FL("{'r':[{'s':1,'m':'alice','vv':{'alice':1}}]}"),
    FL("{'r':[{'v':5,'s':1,'m':'alice','vv':{'alice':1}}]}"),
    FL("{'r':[{'v':['x'],'s':1,'m':'alice','vv':{'alice':1}}]}"),
    FL("{'r':[{'v':'a\\u0000b','s':1,'m':'alice','vv':{'alice':1}}]}"),
    FL("{'r':[{'v':'x','s':-1,'m':'alice','vv':{'alice':-1}}]}"),
    FL("{'r':[{'v':'x','s':1.5,'m':'alice','vv':{'alice':1.5}}]}"),
    FL("{'r':[{'v':'x','s':'1','m':'alice','vv':{'alice':1}}]}"),
    FL("{'r':[{'v':'x','s':1,'m':'bad name','vv':{'bad name':1}}]}"),
    FL("{'r':[{'v':'x','s':1,'m':7,'vv':{'alice':1}}]}"),
    FL("{'r':[{'v':'x','s':1,'m':'alice','vv':{}}]}"),
    FL("{'r':[{'v':'x','s':1,'m':'alice','vv':{'bob':1}}]}"),
    FL("{'r':[{'v':'x','s':1,'m':'alice','vv':{'alice':2}}]}"),
    FL("{'r':[{'v':'x','s':1,'m':'alice','vv':{'alice':1,'bob':-3}}]}"),
    FL("{'r':[{'v':'x','s':1,'m':'alice','vv':{'alice':1,'-x':3}}]}"),
    FL("{'r':[{'v':'x','s':1,'m':'alice','vv':[1]}]}"),
    FL("{'r':[{'v':'x','s':1,'m':'alice','vv':{'alice':1},'x':0}]}"),
    FL("{'r':[{'v':'x','s':1,'m':'alice','vv':{'alice':1}},"
       "{'v':'y','s':2,'m':'bob','vv':{'bob':2}}]}"),
    FL("{'r':[" E "," E "]}"),
    FL("{'r':[{'v':'y','s':1,'m':'alice','vv':{'alice':1}}," E "]}"),
    FL("{'r':[{'v':'y','s':2,'m':'bob','vv':{'alice':1,'bob':2}}," E "]}"),
    FL("{'r':[7]}"),
    FL("{'set':{}}"),
    FL("{'set':[],'u':[1,'alice']}"),
    FL("{'set':{},'u':[1]}"),
    FL("{'set':{},'u':[-1,'alice']}"),
    FL("{'set':{},'u':[1,'alice',2]}"),
    FL("{'set':{},'u':{'s':1}}"),
    FL("{'set':{},'u':[1,'alice'],'x':1}"),
    EL("[]"),
    EL("{'a':[[1,'alice']]}"),
    EL("{'a':[[1,'alice']],'r':[],'x':[]}"),
    EL("{'a':[[2,'alice'],[1,'alice']],'r':[]}"),
    EL("{'a':[[1,'bob'],[1,'alice']],'r':[]}"),
    EL("{'a':[[1,'alice'],[1,'alice']],'r':[]}"),
    EL("{'a':[[1,'alice']],'r':[[1,'alice']]}"),
    EL("{'a':[],'r':[]}"),
    EL("{'a':[[1,'']],'r':[]}"),
    EL("{'a':[['1','alice']],'r':[]}"),
    EL("{'a':[[-1,'alice']],'r':[]}"),
    EL("{'a':[[1]],'r':[]}"),
    EL("{'a':[1],'r':[]}"),
    EL("{'a':{},'r':[]}"),
    "{" H ",'fields':{'targets':{'set':{'':{'a':[[1,'alice']],'r':[]}},'u':[1,'alice']}}}",
    "{" H ",'fields':{'targets':{'set':{'a\\u0001':{'a':[[1,'alice']],'r':[]}},"
    "'u':[1,'alice']}}}",
    "{" H ",'fields':{},'rm':1}",
    "{" H ",'fields':{},'rm':{'r':[]}}",
    "{" H ",'fields':{},'rm':{'r':[{'v':'yes','s':1,'m':'alice','vv':{'alice':1}}]}}",
    "{" H ",'fields':{},'rm':{'set':{},'u':[1,'alice']}}",
};

static void test_crdt_validate__rejects_malformed_documents(void **state_)
{
    json_t *good = state(), *out = NULL;
    size_t i;

    (void)state_;
    assert_int_equal(ccm_record_validate(NULL), CCM_EVERIFY);
    for (i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++) {
        json_t *bad = load(malformed[i]);
        if (ccm_record_validate(bad) != CCM_EVERIFY) {
            fail_msg("accepted malformed document %zu: %s", i, malformed[i]);
        }
        assert_int_equal(strncmp(ccm_error_last(), "malformed record", 16), 0);
        assert_int_equal(ccm_record_join(&out, bad, good), CCM_EVERIFY);
        assert_null(out);
        assert_int_equal(ccm_record_join(&out, good, bad), CCM_EVERIFY);
        assert_null(out);
        assert_null(ccm_record_view(bad));
        assert_null(ccm_record_blame(bad));
        assert_null(ccm_record_field_value(bad, "name"));
        (void)ccm_record_max_stamp(bad);
        (void)ccm_record_is_deleted(bad);
        json_decref(bad);
    }
    json_decref(good);
}

static void test_crdt_validate__rejects_keys_with_nul(void **state_)
{
    json_t *rec = load("{" H ",'fields':{}}"), *reg = load("{'r':[" E "]}");

    (void)state_;
    /* the parser refuses such keys; jansson's API does not */
    assert_int_equal(json_object_setn(json_object_get(rec, "fields"), "name\0x", 6, reg), 0);
    assert_int_equal(ccm_record_validate(rec), CCM_EVERIFY);
    json_decref(rec);
    rec = load("{" H ",'fields':{}}");
    assert_int_equal(json_object_setn_new(rec, "v\0", 2, json_integer(1)), 0);
    assert_int_equal(ccm_record_validate(rec), CCM_EVERIFY);
    json_decref(rec);
    rec = load("{" H ",'fields':{'name':{'r':[" E "]}}}");
    assert_int_equal(
        json_object_setn_new(
            json_object_get(
                json_array_get(
                    json_object_get(json_object_get(json_object_get(rec, "fields"), "name"), "r"),
                    0),
                "vv"),
            "bob\0", 4, json_integer(1)),
        0);
    assert_int_equal(ccm_record_validate(rec), CCM_EVERIFY);
    json_decref(rec);
    rec = load(EL("{'a':[[1,'alice']],'r':[]}"));
    assert_int_equal(ccm_record_validate(rec), 0);
    assert_int_equal(
        json_object_setn(
            json_object_get(json_object_get(json_object_get(rec, "fields"), "targets"), "set"),
            "x\0y", 3,
            json_object_get(
                json_object_get(json_object_get(json_object_get(rec, "fields"), "targets"), "set"),
                "ccw")),
        0);
    assert_int_equal(ccm_record_validate(rec), CCM_EVERIFY);
    json_decref(rec);
    json_decref(reg);
}

static void test_crdt_validate__accepts_well_formed_documents(void **state_)
{
    static const char *const good[] = {
        "{" H ",'fields':{}}",
        "{'v':1,'kind':'activity','id':'a1b2.c_d-e','fields':{}}",
        FL("{'r':[" E "]}"),
        FL("{'r':[{'v':null,'s':0,'m':'alice','vv':{'alice':0}}]}"),
        FL("{'r':[{'v':'y','s':2,'m':'bob','vv':{'bob':2}}," E "]}"),
        FL("{'r':[{'v':'y','s':1,'m':'bob','vv':{'bob':1}}," E "]}"),
        FL("{'set':{},'u':[1,'alice']}"),
        EL("{'a':[[1,'alice'],[1,'bob'],[2,'alice']],'r':[[0,'carol']]}"),
        EL("{'a':[],'r':[[0,'carol']]}"),
        "{" H ",'fields':{},'rm':{'r':[{'v':'0','s':1,'m':'alice','vv':{'alice':1}}]}}",
    };
    size_t i;

    (void)state_;
    for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        json_t *rec = load(good[i]), *self;
        if (ccm_record_validate(rec) != 0) {
            fail_msg("rejected document %zu: %s (%s)", i, good[i], ccm_error_last());
        }
        self = join(rec, rec);
        assert_same(self, rec);
        json_decref(self);
        json_decref(rec);
    }
}

static void assert_laws(const json_t *x, const json_t *y, const json_t *z)
{
    const json_t *d[3] = {x, y, z};
    json_t *all = NULL;
    int p;

    for (p = 0; p < 6; p++) {
        const json_t *a = d[p / 2], *b = d[(p / 2 + 1 + p % 2) % 3],
                     *c = d[(p / 2 + 2 - p % 2) % 3];
        json_t *ab = join(a, b), *ba = join(b, a), *l = join(ab, c), *bc = join(b, c),
               *r = join(a, bc), *aa = join(a, a);
        assert_same(ab, ba);
        assert_same(l, r);
        assert_same(aa, a);
        if (all == NULL) {
            all = copy(l);
        }
        assert_same(all, l);
        json_decref(ab);
        json_decref(ba);
        json_decref(l);
        json_decref(bc);
        json_decref(r);
        json_decref(aa);
    }
    json_decref(all);
}

static void test_crdt_join__merges_same_stamp_entries_as_a_lattice(void **state_)
{
    /* same (s, m) with different contents: only hostile data does that */
    json_t *x = load(FL("{'r':[{'v':'x','s':5,'m':'alice','vv':{'alice':5}}]}"));
    json_t *y = load(FL("{'r':[{'v':'y','s':5,'m':'alice','vv':{'alice':5,'bob':3}}]}"));
    json_t *z = load(FL("{'r':[{'v':'z','s':4,'m':'bob','vv':{'bob':4,'carol':9}},"
                        "{'v':null,'s':3,'m':'bob','vv':{'bob':3}}]}"));
    json_t *w = load(FL("{'r':[{'v':null,'s':5,'m':'alice','vv':{'alice':5,'carol':9}}]}"));
    json_t *j, *k;

    (void)state_;
    assert_int_equal(ccm_record_validate(z), CCM_EVERIFY); /* (4, bob) supersedes (3, bob) */
    json_decref(z);
    z = load(FL("{'r':[{'v':'z','s':3,'m':'bob','vv':{'bob':3}}]}"));
    assert_laws(x, y, z);
    assert_laws(x, w, z);
    assert_laws(y, w, x);
    j = join(x, y);
    k = join(j, z);
    /* the greater value; y's vector saw (3, bob), so z is superseded */
    assert_doc(json_object_get(json_object_get(k, "fields"), "name"),
               "{'r':[{'m':'alice','s':5,'v':'y','vv':{'alice':5,'bob':3}}]}");
    json_decref(k);
    json_decref(j);
    json_decref(x);
    json_decref(y);
    json_decref(z);
    json_decref(w);
}

static void test_crdt_join__set_wins_over_register_on_type_clash(void **state_)
{
    json_t *reg = state(), *set = state(), *other = state(), *j, *v;

    (void)state_;
    assert_int_equal(ccm_record_assign(reg, "foo", "x", ST(1, 0), "alice"), 0);
    assert_int_equal(ccm_record_set_add(set, "foo", "y", ST(2, 0), "bob"), 0);
    assert_int_equal(ccm_record_set_add(other, "foo", "z", ST(3, 0), "carol"), 0);
    j = join(reg, set);
    v = ccm_record_field_value(j, "foo");
    assert_doc(v, "['y']");
    json_decref(v);
    json_decref(j);
    assert_laws(reg, set, other);
    json_decref(reg);
    json_decref(set);
    json_decref(other);
}

static void test_crdt_max_stamp__finds_the_greatest_stamp(void **state_)
{
    json_t *rec = load(
        "{" H ",'fields':{'name':{'r':[{'v':'x','s':5,'m':'alice','vv':{'alice':5,'bob':70}}]},"
        "'lead':{'set':{'x':{'a':[[8,'a']],'r':[[90,'b']]}},'u':[9,'c']}},"
        "'rm':{'r':[{'v':'1','s':50,'m':'d','vv':{'d':50}}]}}");
    json_t *junk = load("{'fields':{'x':{'r':[{'s':'9','vv':[1]}],'u':'z','set':[]}},'rm':7}");

    (void)state_;
    assert_int_equal(ccm_record_max_stamp(rec), 90);
    assert_int_equal(ccm_record_max_stamp(NULL), 0);
    assert_int_equal(ccm_record_max_stamp(junk), 0);
    assert_int_equal(ccm_record_assign(rec, "name", "y", ST(1, 0), "bob"), 0);
    assert_int_equal(ccm_record_max_stamp(rec), ST(1, 0));
    json_decref(junk);
    json_decref(rec);
}

/* Found by fuzz_record: two entries whose forged vectors each see the other.
 * The join keeps the greater one instead of emptying the register. */
static void test_crdt_join__a_forged_cycle_keeps_the_greater_entry(void **state)
{
    json_t *a = load("{'v':1,'kind':'state','id':'LAO','fields':{'name':{'r':[{'v':'x','s':10,"
                     "'m':'alice','vv':{'alice':10,'bob':5}}]}}}");
    json_t *b = load("{'v':1,'kind':'state','id':'LAO','fields':{'name':{'r':[{'v':'y','s':5,"
                     "'m':'bob','vv':{'alice':10,'bob':5}}]}}}");
    json_t *ab, *ba;

    (void)state;
    assert_int_equal(ccm_record_validate(a), 0);
    assert_int_equal(ccm_record_validate(b), 0);
    ab = join(a, b); /* join() also asserts the result validates */
    ba = join(b, a);
    assert_same(ab, ba);
    assert_doc(json_object_get(json_object_get(ab, "fields"), "name"),
               "{'r':[{'m':'alice','s':10,'v':'x','vv':{'alice':10,'bob':5}}]}");
    json_decref(ab);
    json_decref(ba);
    json_decref(a);
    json_decref(b);
}

/* Found by fuzz_record: in a forged cycle the kept entry must not absorb a
 * claim to have seen its own member's later stamps (vv[m] stays s). */
static void test_crdt_join__absorbing_keeps_the_own_stamp(void **state)
{
    json_t *a = load("{'v':1,'kind':'state','id':'LAO','fields':{'name':{'r':[{'v':'x','s':10,"
                     "'m':'alice','vv':{'alice':10,'bob':5}}]}}}");
    json_t *b = load("{'v':1,'kind':'state','id':'LAO','fields':{'name':{'r':[{'v':'y','s':5,"
                     "'m':'bob','vv':{'alice':20,'bob':5}}]}}}");
    json_t *ab, *ba;

    (void)state;
    ab = join(a, b); /* join() asserts the result validates */
    ba = join(b, a);
    assert_same(ab, ba);
    assert_doc(json_object_get(json_object_get(ab, "fields"), "name"),
               "{'r':[{'m':'alice','s':10,'v':'x','vv':{'alice':10,'bob':5}}]}");
    json_decref(ab);
    json_decref(ba);
    json_decref(a);
    json_decref(b);
}

/* Found by fuzz_record: forged vectors that are not transitive made the join
 * depend on grouping. Absorbed vectors keep it associative. */
static void test_crdt_join__forged_vectors_stay_associative(void **state)
{
    json_t *a = load("{'v':1,'kind':'state','id':'LAO','fields':{'name':{'r':[{'v':'x','s':10,"
                     "'m':'alice','vv':{'alice':10}}]}}}");
    json_t *b = load("{'v':1,'kind':'state','id':'LAO','fields':{'name':{'r':[{'v':'y','s':20,"
                     "'m':'bob','vv':{'alice':10,'bob':20}}]}}}");
    json_t *c = load("{'v':1,'kind':'state','id':'LAO','fields':{'name':{'r':[{'v':'z','s':30,"
                     "'m':'carol','vv':{'bob':20,'carol':30}}]}}}");
    json_t *ab = join(a, b), *bc = join(b, c), *ab_c = join(ab, c), *a_bc = join(a, bc);

    (void)state;
    assert_same(ab_c, a_bc);
    assert_int_equal(json_array_size(json_object_get(
                         json_object_get(json_object_get(ab_c, "fields"), "name"), "r")),
                     1);
    json_decref(a_bc);
    json_decref(ab_c);
    json_decref(bc);
    json_decref(ab);
    json_decref(c);
    json_decref(b);
    json_decref(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crdt_join__a_forged_cycle_keeps_the_greater_entry),
        cmocka_unit_test(test_crdt_join__forged_vectors_stay_associative),
        cmocka_unit_test(test_crdt_join__absorbing_keeps_the_own_stamp),
        cmocka_unit_test(test_crdt_is_deleted__tolerates_malformed_documents),
        cmocka_unit_test(test_crdt_validate__rejects_malformed_documents),
        cmocka_unit_test(test_crdt_validate__rejects_keys_with_nul),
        cmocka_unit_test(test_crdt_validate__accepts_well_formed_documents),
        cmocka_unit_test(test_crdt_join__merges_same_stamp_entries_as_a_lattice),
        cmocka_unit_test(test_crdt_join__set_wins_over_register_on_type_clash),
        cmocka_unit_test(test_crdt_max_stamp__finds_the_greatest_stamp),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
