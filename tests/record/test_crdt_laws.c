/*
 * test_crdt_laws.c - property tests of the record CRDT on random histories:
 * four replicas (one member each, stamps from the HLC with skewed clocks)
 * apply random assignments, clears, set additions and removals and deletions
 * and merge with each other at random. On states drawn from such histories
 * the join must be commutative, associative and idempotent on the canonical
 * serialisation; replicas that end up having seen everything must agree byte
 * for byte (and so must their views) whatever the order of the last
 * exchanges; and a change made after seeing everything must win everywhere.
 *
 * The PRNG seed is new each run and printed on failure; CCM_SEED=N replays.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store/record/record.h"
#include "tests/support/seed_support.h"

#define NREP 4
#define POOL 48
#define POOL_STEPS 160
#define TRIPLES 300
#define RUNS 12
#define ROUNDS 50

static const char *const members[NREP] = {"alice", "bob", "carol", "dave"};
static const char *const scalars[] = {"name", "status", "region"};
static const char *const sets[] = {"targets", "lead"};
static const char *const elems[] = {"a", "b", "c", "d"};
static const char *const values[] = {"x", "y", "z"};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Seeds the PRNG from CCM_SEED or from the time and pid. */
static int setup_seed(void **state)
{
    (void)state;
    seed_start(((uint64_t)time(NULL) << 20) ^ (uint64_t)getpid());
    return 0;
}

static char *canon(const json_t *j)
{
    char *s = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);

    CHECK(s != NULL, "cannot serialise");
    return s;
}

/* Asserts that a and b serialise to the same bytes. */
static void check_same(const json_t *a, const json_t *b, const char *what)
{
    char *x = canon(a), *y = canon(b);

    CHECK(strcmp(x, y) == 0, "%s:\n  %s\n  %s", what, x, y);
    free(x);
    free(y);
}

/* ccm_record_join, checked against ccm_record_join_shared (the merge's
 * join, which shares unchanged parts with its inputs): same bytes, and
 * neither join changes its inputs. */
static json_t *join(const json_t *a, const json_t *b)
{
    json_t *out = NULL, *shared = NULL;
    char *ca = canon(a), *cb = canon(b), *after;
    int rc = ccm_record_join(&out, a, b);

    CHECK(rc == 0, "join failed: %s", ccm_error_last());
    CHECK(ccm_record_validate(out) == 0, "join output invalid: %s", ccm_error_last());
    CHECK(ccm_record_join_shared(&shared, a, b) == 0, "shared join failed: %s", ccm_error_last());
    check_same(out, shared, "ccm_record_join != ccm_record_join_shared");
    json_decref(shared);
    after = canon(a);
    CHECK(strcmp(ca, after) == 0, "join changed its first input:\n  %s\n  %s", ca, after);
    free(after);
    after = canon(b);
    CHECK(strcmp(cb, after) == 0, "join changed its second input:\n  %s\n  %s", cb, after);
    free(after);
    free(ca);
    free(cb);
    return out;
}

/* Four replicas, one member each, with their HLCs and a shared wall clock
 * that every replica reads with its own skew. */
typedef struct {
    json_t *rec[NREP];
    uint64_t clock[NREP];
    uint64_t now;
} world;

static void world_init(world *w)
{
    int i;

    for (i = 0; i < NREP; i++) {
        w->rec[i] = ccm_record_new("state", "LAO");
        CHECK(w->rec[i] != NULL, "ccm_record_new");
        w->clock[i] = 0;
    }
    w->now = 1000;
}

static void world_free(world *w)
{
    int i;

    for (i = 0; i < NREP; i++) {
        json_decref(w->rec[i]);
    }
}

/* The next stamp of replica r: wall time moves on a little, each replica's
 * clock is off by up to 30 ms, either way. */
static uint64_t next_stamp(world *w, int r)
{
    w->now += pick(3);
    w->clock[r] = ccm_hlc_next(w->clock[r], w->now + (uint64_t)(r * 10) - pick(10));
    return w->clock[r];
}

/* One random local operation on replica r. */
static void random_op(world *w, int r)
{
    json_t *rec = w->rec[r];
    uint64_t s = next_stamp(w, r);
    const char *m = members[r];
    int rc;

    switch (pick(10)) {
    case 0:
    case 1:
    case 2:
    case 3:
        rc = ccm_record_assign(rec, scalars[pick(COUNT(scalars))], values[pick(COUNT(values))], s,
                               m);
        break;
    case 4:
        rc = ccm_record_assign(rec, scalars[pick(COUNT(scalars))], NULL, s, m);
        break;
    case 5:
    case 6:
        rc = ccm_record_set_add(rec, sets[pick(COUNT(sets))], elems[pick(COUNT(elems))], s, m);
        break;
    case 7:
    case 8:
        rc = ccm_record_set_remove(rec, sets[pick(COUNT(sets))], elems[pick(COUNT(elems))], s, m);
        break;
    default:
        rc = pick(3) == 0 ? ccm_record_delete(rec, s, m)
                          : ccm_record_assign(rec, "next_step", values[pick(COUNT(values))], s, m);
        break;
    }
    CHECK(rc == 0, "operation by %s failed: %s", m, ccm_error_last());
    CHECK(ccm_record_validate(rec) == 0, "operation output invalid: %s", ccm_error_last());
}

/* Replica i merges replica j's state (arguments in random order); half of
 * the time its HLC also moves past every stamp it received. */
static void pull(world *w, int i, int j)
{
    json_t *m = pick(2) ? join(w->rec[i], w->rec[j]) : join(w->rec[j], w->rec[i]);
    uint64_t seen = ccm_record_max_stamp(m);

    json_decref(w->rec[i]);
    w->rec[i] = m;
    if (pick(2) && seen > w->clock[i]) {
        w->clock[i] = seen;
    }
}

/* One random step: a local operation, a one-way pull or a two-way sync. */
static void random_step(world *w)
{
    int i = (int)pick(NREP), j = (int)((size_t)i + 1 + pick(NREP - 1)) % NREP;

    switch (pick(4)) {
    case 0:
    case 1:
        random_op(w, i);
        break;
    case 2:
        pull(w, i, j);
        break;
    default:
        pull(w, i, j);
        pull(w, j, i);
        break;
    }
}

/* Every pair syncs both ways once, the pairs in a random order: afterwards
 * every replica has seen every other's state. */
static void sync_all(world *w)
{
    int pairs[NREP * (NREP - 1) / 2][2], n = 0, i, j;

    for (i = 0; i < NREP; i++) {
        for (j = i + 1; j < NREP; j++) {
            pairs[n][0] = i;
            pairs[n][1] = j;
            n++;
        }
    }
    for (i = n - 1; i > 0; i--) {
        int k = (int)pick((size_t)i + 1), a = pairs[i][0], b = pairs[i][1];
        pairs[i][0] = pairs[k][0];
        pairs[i][1] = pairs[k][1];
        pairs[k][0] = a;
        pairs[k][1] = b;
    }
    for (i = 0; i < n; i++) {
        int a = pick(2) ? pairs[i][0] : pairs[i][1],
            b = a == pairs[i][0] ? pairs[i][1] : pairs[i][0];
        pull(w, a, b);
        pull(w, b, a);
    }
}

/* Fills pool[] with states drawn from one random history. */
static void build_pool(json_t *pool[POOL])
{
    world w;
    int n = 0, step;

    world_init(&w);
    for (step = 0; step < POOL_STEPS; step++) {
        json_t *snap;
        size_t slot;
        random_step(&w);
        snap = json_deep_copy(w.rec[pick(NREP)]);
        CHECK(snap != NULL, "out of memory");
        if (n < POOL) {
            pool[n++] = snap;
        } else {
            slot = pick(POOL);
            json_decref(pool[slot]);
            pool[slot] = snap;
        }
    }
    world_free(&w);
}

static void free_pool(json_t *pool[POOL])
{
    int i;

    for (i = 0; i < POOL; i++) {
        json_decref(pool[i]);
    }
}

/* Changes every object and array inside `j` in place. */
static void scribble(json_t *j)
{
    size_t i;
    const char *k;
    json_t *v;

    if (json_is_object(j)) {
        json_object_foreach(j, k, v)
        {
            scribble(v);
        }
        CHECK(json_object_set_new(j, "~scribbled", json_true()) == 0, "oom");
    } else if (json_is_array(j)) {
        json_array_foreach(j, i, v)
        {
            scribble(v);
        }
        CHECK(json_array_append_new(j, json_true()) == 0, "oom");
    }
}

/* Also: ccm_record_join's result is the caller's to change, in place and at
 * any depth, which leaves the inputs as they were. */
static void test_crdt_join__is_commutative(void **state)
{
    json_t *pool[POOL] = {NULL};
    int t;

    (void)state;
    build_pool(pool);
    for (t = 0; t < TRIPLES; t++) {
        const json_t *a = pool[pick(POOL)], *b = pool[pick(POOL)];
        char *ca = canon(a), *cb = canon(b), *xa, *xb;
        json_t *ab = join(a, b), *ba = join(b, a);
        check_same(ab, ba, "join(a, b) != join(b, a)");
        scribble(ab);
        xa = canon(a);
        xb = canon(b);
        CHECK(strcmp(ca, xa) == 0 && strcmp(cb, xb) == 0, "changing a join changed its inputs");
        free(ca);
        free(cb);
        free(xa);
        free(xb);
        json_decref(ab);
        json_decref(ba);
    }
    free_pool(pool);
}

static void test_crdt_join__is_associative(void **state)
{
    json_t *pool[POOL] = {NULL};
    int t;

    (void)state;
    build_pool(pool);
    for (t = 0; t < TRIPLES; t++) {
        const json_t *a = pool[pick(POOL)], *b = pool[pick(POOL)], *c = pool[pick(POOL)];
        json_t *ab = join(a, b), *bc = join(b, c), *l = join(ab, c), *r = join(a, bc);
        json_t *sab = NULL, *sl = NULL;
        check_same(l, r, "join(join(a, b), c) != join(a, join(b, c))");
        /* the merge chains shared joins: a joined record is the next one's input */
        CHECK(ccm_record_join_shared(&sab, a, b) == 0, "%s", ccm_error_last());
        CHECK(ccm_record_join_shared(&sl, sab, c) == 0, "%s", ccm_error_last());
        check_same(sl, r, "shared join(join(a, b), c) != join(a, join(b, c))");
        json_decref(sab);
        json_decref(sl);
        json_decref(ab);
        json_decref(bc);
        json_decref(l);
        json_decref(r);
    }
    free_pool(pool);
}

static void test_crdt_join__is_idempotent(void **state)
{
    json_t *pool[POOL] = {NULL};
    int t;

    (void)state;
    build_pool(pool);
    for (t = 0; t < POOL; t++) {
        json_t *aa = join(pool[t], pool[t]);
        check_same(aa, pool[t], "join(a, a) != a");
        json_decref(aa);
    }
    for (t = 0; t < TRIPLES; t++) {
        const json_t *a = pool[pick(POOL)], *b = pool[pick(POOL)];
        json_t *ab = join(a, b), *abb = join(ab, b);
        check_same(ab, abb, "join(join(a, b), b) != join(a, b)");
        json_decref(ab);
        json_decref(abb);
    }
    free_pool(pool);
}

static void test_crdt_record__random_states_are_canonical(void **state)
{
    json_t *pool[POOL] = {NULL};
    int t;

    (void)state;
    build_pool(pool);
    for (t = 0; t < POOL; t++) {
        char *text = canon(pool[t]);
        json_t *back = json_loads(text, 0, NULL);
        CHECK(back != NULL && ccm_record_validate(back) == 0, "reparsed state invalid: %s", text);
        check_same(back, pool[t], "reparsed state differs");
        json_decref(back);
        free(text);
    }
    free_pool(pool);
}

/* Asserts that the four replicas of each world are byte-identical, across
 * both worlds, and so are their views. */
static void check_converged(world *x, world *y)
{
    json_t *v0 = ccm_record_view(x->rec[0]);
    int i;

    CHECK(v0 != NULL, "view failed: %s", ccm_error_last());
    for (i = 0; i < NREP; i++) {
        json_t *vx = ccm_record_view(x->rec[i]), *vy = ccm_record_view(y->rec[i]);
        CHECK(vx != NULL && vy != NULL, "view failed: %s", ccm_error_last());
        check_same(x->rec[i], x->rec[0], "replicas differ after syncing everything");
        check_same(y->rec[i], x->rec[0], "replicas differ between two sync orders");
        check_same(vx, v0, "views differ after syncing everything");
        check_same(vy, v0, "views differ between two sync orders");
        json_decref(vx);
        json_decref(vy);
    }
    json_decref(v0);
}

/* A copy of a world (states and clocks). */
static void world_copy(world *dst, const world *src)
{
    int i;

    *dst = *src;
    for (i = 0; i < NREP; i++) {
        dst->rec[i] = json_deep_copy(src->rec[i]);
        CHECK(dst->rec[i] != NULL, "out of memory");
    }
}

static void test_crdt_join__replicas_converge_whatever_the_sync_order(void **state)
{
    int run, round;

    (void)state;
    for (run = 0; run < RUNS; run++) {
        world x, y;
        world_init(&x);
        for (round = 0; round < ROUNDS; round++) {
            random_step(&x);
        }
        world_copy(&y, &x);
        sync_all(&x);
        sync_all(&y);
        check_converged(&x, &y);
        world_free(&x);
        world_free(&y);
    }
}

/* Asserts the value, meta and absence of conflicts of a scalar field in
 * every replica's view. */
static void check_winner(world *w, const char *field, const char *value, const char *by)
{
    int i;

    for (i = 0; i < NREP; i++) {
        json_t *view = ccm_record_view(w->rec[i]);
        const json_t *v = json_object_get(json_object_get(view, "fields"), field);
        const json_t *meta = json_object_get(json_object_get(view, "meta"), field);
        CHECK(view != NULL, "view failed: %s", ccm_error_last());
        CHECK(json_is_string(v) && strcmp(json_string_value(v), value) == 0,
              "replica %d lost the last update of '%s'", i, field);
        CHECK(strcmp(json_string_value(json_object_get(meta, "by")), by) == 0,
              "replica %d: '%s' not by %s", i, field, by);
        CHECK(json_object_get(json_object_get(view, "conflicts"), field) == NULL,
              "replica %d: '%s' still has conflicts", i, field);
        json_decref(view);
    }
}

/* 1 if a set field of replica r holds elem. */
static int set_has(const json_t *rec, const char *field, const char *elem)
{
    json_t *v = ccm_record_field_value(rec, field);
    size_t i;
    int found = 0;

    for (i = 0; i < json_array_size(v); i++) {
        found |= strcmp(json_string_value(json_array_get(v, i)), elem) == 0;
    }
    json_decref(v);
    return found;
}

static void test_crdt_assign__after_seeing_everything_wins_everywhere(void **state)
{
    int run, round, i;

    (void)state;
    for (run = 0; run < RUNS; run++) {
        world w;
        int r = (int)pick(NREP);
        const char *field = scalars[pick(COUNT(scalars))], *set = sets[pick(COUNT(sets))];
        const char *elem = elems[pick(COUNT(elems))];
        world_init(&w);
        for (round = 0; round < ROUNDS; round++) {
            random_step(&w);
        }
        sync_all(&w);
        CHECK(ccm_record_assign(w.rec[r], field, "last", next_stamp(&w, r), members[r]) == 0,
              "assign failed: %s", ccm_error_last());
        CHECK(ccm_record_set_add(w.rec[r], set, "new", next_stamp(&w, r), members[r]) == 0,
              "set add failed: %s", ccm_error_last());
        CHECK(ccm_record_set_remove(w.rec[r], set, elem, next_stamp(&w, r), members[r]) == 0,
              "set remove failed: %s", ccm_error_last());
        for (i = 0; i < NREP; i++) {
            if (i != r) {
                pull(&w, i, r);
            }
        }
        check_winner(&w, field, "last", members[r]);
        for (i = 0; i < NREP; i++) {
            CHECK(set_has(w.rec[i], set, "new"), "replica %d lost an addition", i);
            CHECK(!set_has(w.rec[i], set, elem), "replica %d lost a removal", i);
        }
        world_free(&w);
    }
}

/* Forks of one member's chain, each within the per-commit limits, merged:
 * the join keeps the record within its own limits (the schema's fields
 * first, then the smallest names), and the laws still hold at the bound. */
static json_t *fork_rec(int f, size_t nelems, size_t nfields)
{
    json_t *rec = ccm_record_new("state", "LAO"), *lead;
    char name[64];
    uint64_t s = ((uint64_t)(1000 + f) << 16);

    CHECK(ccm_record_assign(rec, "status", "party", s, "alice") == 0, "assign");
    CHECK(ccm_record_set_add(rec, "lead", "zz-real", s, "alice") == 0, "set add");
    /* The elements written directly (each add through the API copies the
     * set): what ccm_record_set_add writes, tag (s, alice). */
    lead = json_object_get(json_object_get(json_object_get(rec, "fields"), "lead"), "set");
    for (size_t i = 0; i < nelems; i++) {
        snprintf(name, sizeof(name), "F%d-%05zu", f, i);
        CHECK(json_object_set_new(
                  lead, name, json_pack("{s:[[I, s]], s:[]}", "a", (json_int_t)s, "alice", "r")) ==
                  0,
              "element");
    }
    CHECK(ccm_record_validate(rec) == 0, "fork record invalid: %s", ccm_error_last());
    for (size_t i = 0; i < nfields; i++) {
        snprintf(name, sizeof(name), "f%d_%05zu", f, i);
        CHECK(ccm_record_assign(rec, name, "v", s, "alice") == 0, "assign");
    }
    return rec;
}

static void test_crdt_join__bounds_what_forks_merged_add_up_to(void **state)
{
    json_t *x = fork_rec(1, 1400, 1400), *y = fork_rec(2, 1400, 1400), *z = fork_rec(3, 1400, 1400);
    json_t *xy = join(x, y), *yz = join(y, z), *l = join(xy, z), *r = join(x, yz);
    json_t *zx = join(z, x), *c = join(zx, y), *again = join(l, l), *lead, *fields;
    (void)state;
    check_same(l, r, "(x.y).z != x.(y.z) at the bound");
    check_same(l, c, "(x.y).z != (z.x).y at the bound");
    check_same(l, again, "not idempotent at the bound");
    fields = json_object_get(l, "fields");
    lead = json_object_get(json_object_get(fields, "lead"), "set");
    assert_int_equal(json_object_size(lead), CCM_SET_ELEMS_MAX);
    assert_int_equal(json_object_size(fields), CCM_RECORD_FIELDS_MAX);
    assert_non_null(json_object_get(lead, "F1-00000")); /* the smallest names stay */
    assert_null(json_object_get(lead, "zz-real"));      /* the largest go */
    assert_non_null(json_object_get(fields, "status")); /* the schema's fields always stay */
    assert_int_equal(ccm_record_validate(l), 0);
    json_decref(again);
    json_decref(c);
    json_decref(zx);
    json_decref(l);
    json_decref(r);
    json_decref(xy);
    json_decref(yz);
    json_decref(x);
    json_decref(y);
    json_decref(z);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_crdt_join__is_commutative, setup_seed),
        cmocka_unit_test_setup(test_crdt_join__is_associative, setup_seed),
        cmocka_unit_test_setup(test_crdt_join__is_idempotent, setup_seed),
        cmocka_unit_test_setup(test_crdt_record__random_states_are_canonical, setup_seed),
        cmocka_unit_test_setup(test_crdt_join__replicas_converge_whatever_the_sync_order,
                               setup_seed),
        cmocka_unit_test_setup(test_crdt_assign__after_seeing_everything_wins_everywhere,
                               setup_seed),
        cmocka_unit_test(test_crdt_join__bounds_what_forks_merged_add_up_to),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
