/*
 * trust_model.h - the model of test_trust_property.c (included by it once):
 * the world of one seed, every valid edit with what its writer held, and
 * the checks against it (same changes, same bytes; the final state is
 * exactly what the standing edits make; roster and keys untouched by the
 * attacker). Needs <cmocka.h>, seed_support.h and forge.h first.
 */
#ifndef CCM_TEST_TRUST_MODEL_H
#define CCM_TEST_TRUST_MODEL_H

#define MAXMEM 5
#define MAXACT 64

enum { OP_ASSIGN, OP_ADD, OP_REMOVE };

/* The hostile actions, for the summary. */
enum {
    H_ATTRIB,
    H_STAMP,
    H_ROLLBACK,
    H_DROP,
    H_KEYS,
    H_ROSTER,
    H_MERGE_DROP,
    H_MERGE_ENTRY,
    H_MERGE_ROSTER,
    H_MERGE_KEYS,
    H_MERGE_STAMPS,
    H_REWIND,
    H_LATE,
    H_LATE_ADD,
    H_LATE_REMOVE,
    H_COUNT
};
static const char *const kHostileNames[H_COUNT] = {
    "attribution",  "off-stamp",  "rollback",  "drop",         "keys",
    "roster",       "merge-drop", "merge-add", "merge-roster", "merge-keys",
    "merge-stamps", "hub-rewind", "late-edit", "late-puppet",  "late-removal"};

/* One change of a record in a commit. */
typedef struct {
    int type;
    const char *field; /* "rm": the tombstone */
    const char *value; /* assigned value (NULL: cleared), or set element */
} change;

typedef struct {
    const char *name, *role;
    ccm_store *s; /* honest members; the attacker's is the forge's */
} mem;

/* One valid edit. */
typedef struct {
    int who, type;
    char kind[12], id[24], field[24];
    char *value;
    uint64_t stamp;
    git_oid commit;
    int standing; /* its effect must be there (unless superseded) */
    size_t *seen; /* earlier edits of the same field its writer held */
    size_t nseen;
    json_t *observed; /* a removal: the add tags it removed */
} vop;

typedef struct {
    char base[700], hub[2][800];
    mem m[MAXMEM];
    int n, x, x_admin; /* members; m[x] is the attacker, Trudy */
    ccm_forge *xf;
    int removed, remover, puppet_added, late_victim;
    uint32_t removal_epoch;
    char *puppet_req;
    vop *ops;
    size_t nops, capops;
    git_oid *forged;
    size_t nforged, capforged;
    char acts[MAXACT][24];
    int nacts, counter;
    size_t nedits, nsync, nrefused, nleft_out, ndenied, hostile[H_COUNT];
    char summary[400];
} world;

/* CCM_PROPERTY_TRACE=1: every step on stderr, for replaying a seed. */
static void trace(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void trace(const char *fmt, ...)
{
    static int on = -1;
    va_list ap;

    if (on < 0) {
        on = getenv("CCM_PROPERTY_TRACE") != NULL;
    }
    if (on) {
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
    }
}

static const char *hex10(const git_oid *id)
{
    static char buf[4][11];
    static int at;

    at = (at + 1) % 4;
    git_oid_tostr(buf[at], sizeof(buf[at]), id);
    return buf[at];
}

static void head_of(git_oid *out, ccm_store *s)
{
    CHECK(git_reference_name_to_id(out, s->repo, CCM_BRANCH) == 0, "no head");
}

static int is_ancestor(git_repository *repo, const git_oid *anc, const git_oid *of)
{
    int r = git_oid_equal(anc, of) || git_graph_descendant_of(repo, of, anc) == 1;

    git_error_clear();
    return r;
}

static vop *model_add_op(world *w, int who, int type, const char *kind, const char *id,
                         const char *field, const char *value, uint64_t stamp)
{
    vop *op;

    CHECK(ccm_grow(&w->ops, &w->capops, w->nops, sizeof(*w->ops), 64) == CCM_OK, "oom");
    op = &w->ops[w->nops++];
    memset(op, 0, sizeof(*op));
    op->who = who;
    op->type = type;
    snprintf(op->kind, sizeof(op->kind), "%s", kind);
    snprintf(op->id, sizeof(op->id), "%s", id);
    snprintf(op->field, sizeof(op->field), "%s", field);
    op->value = value ? strdup(value) : NULL;
    op->stamp = stamp;
    return op;
}

static int same_field(const vop *a, const vop *b)
{
    return strcmp(a->kind, b->kind) == 0 && strcmp(a->id, b->id) == 0 &&
           strcmp(a->field, b->field) == 0;
}

/* The edits from `first` on were committed as `commit` on top of `before`
 * (the writer's head) in `repo`. */
static void model_committed(world *w, size_t first, const git_oid *commit, const git_oid *before,
                            git_repository *repo)
{
    for (size_t i = first; i < w->nops; i++) {
        vop *op = &w->ops[i];
        trace("  edit #%zu by %s: %s/%s.%s %s '%s' at %llu, commit %s on %s", i, w->m[op->who].name,
              op->kind, op->id, op->field,
              op->type == OP_ASSIGN ? "="
              : op->type == OP_ADD  ? "+="
                                    : "-=",
              op->value ? op->value : "(null)", (unsigned long long)op->stamp, hex10(commit),
              hex10(before));
        op->commit = *commit;
        op->standing = op->who != w->x || !w->removed;
        for (size_t j = 0; j < first; j++) {
            if (same_field(&w->ops[j], op) && is_ancestor(repo, &w->ops[j].commit, before)) {
                op->seen = realloc(op->seen, (op->nseen + 1) * sizeof(size_t));
                CHECK(op->seen != NULL, "oom");
                op->seen[op->nseen++] = j;
            }
        }
    }
}

/* The attacker was removed by a commit on top of `before`: her edits stand
 * only if the removal saw them. */
static void model_removed(world *w, const git_oid *before, git_repository *repo)
{
    for (size_t i = 0; i < w->nops; i++) {
        if (w->ops[i].who == w->x) {
            w->ops[i].standing = is_ancestor(repo, &w->ops[i].commit, before);
            trace("  edit #%zu of the attacker %s", i, w->ops[i].standing ? "stands" : "left out");
        }
    }
    w->removed = 1;
}

static int model_is_forged(const world *w, const git_oid *id)
{
    for (size_t i = 0; i < w->nforged; i++) {
        if (git_oid_equal(&w->forged[i], id)) {
            return 1;
        }
    }
    return 0;
}

static const char *model_hostile_summary(world *w)
{
    size_t at = 0;

    w->summary[0] = 0;
    for (int k = 0; k < H_COUNT; k++) {
        if (w->hostile[k] && at < sizeof(w->summary)) {
            at += (size_t)snprintf(w->summary + at, sizeof(w->summary) - at, " %s %zu",
                                   kHostileNames[k], w->hostile[k]);
        }
    }
    return at ? w->summary : " none";
}

static void model_free(world *w)
{
    for (size_t i = 0; i < w->nops; i++) {
        free(w->ops[i].value);
        free(w->ops[i].seen);
        json_decref(w->ops[i].observed);
    }
    free(w->ops);
    free(w->forged);
    free(w->puppet_req);
    for (int i = 0; i < w->n; i++) {
        ccm_store_free(w->m[i].s);
    }
    ccm_forge_free(w->xf);
}

/* ---- observing replicas ------------------------------------------------------ */

static void head_tree(git_tree **out, ccm_store *s)
{
    git_commit *c = NULL;

    CHECK(ccm_store_head_commit(&c, s) == CCM_OK && c && git_commit_tree(out, c) == 0,
          "cannot read the head of %s", ccm_store_member(s));
    git_commit_free(c);
}

/* Every record (tombstoned ones too, as stored) and the roster, canonical. */
static char *export_of(ccm_store *s)
{
    static const char *const kinds[] = {"activity", "note", "state"};
    json_t *doc = json_object(), *list = NULL, *roster = NULL;
    git_tree *tree = NULL;
    char *text;

    for (size_t k = 0; k < 3; k++) {
        CHECK(ccm_store_list(&list, s, kinds[k]) == CCM_OK, "%s cannot list its %s records: %s",
              ccm_store_member(s), kinds[k], ccm_error_last());
        json_object_set_new(doc, kinds[k], list);
    }
    head_tree(&tree, s);
    CHECK(ccm_store_read_roster(&roster, s->repo, tree) == CCM_OK, "roster");
    json_object_set_new(doc, "roster", roster);
    git_tree_free(tree);
    text = json_dumps(doc, JSON_SORT_KEYS | JSON_COMPACT);
    json_decref(doc);
    CHECK(text != NULL, "dump");
    return text;
}

static int oid_cmp(const void *a, const void *b)
{
    return git_oid_cmp(a, b);
}

/* The non-merge commits a replica holds, sorted. */
static git_oid *changes_of(ccm_store *s, size_t *n)
{
    git_revwalk *walk = NULL;
    git_oid head, oid, *out = NULL;
    size_t cap = 0;

    *n = 0;
    head_of(&head, s);
    CHECK(git_revwalk_new(&walk, s->repo) == 0 && git_revwalk_push(walk, &head) == 0, "walk");
    while (git_revwalk_next(&oid, walk) == 0) {
        git_commit *c = NULL;
        CHECK(git_commit_lookup(&c, s->repo, &oid) == 0, "lookup");
        if (git_commit_parentcount(c) < 2) {
            CHECK(ccm_grow(&out, &cap, *n, sizeof(*out), 64) == CCM_OK, "oom");
            out[(*n)++] = oid;
        }
        git_commit_free(c);
    }
    git_revwalk_free(walk);
    qsort(out, *n, sizeof(*out), oid_cmp);
    return out;
}

/* Honest replicas holding the same changes export the same bytes. */
static void model_check_same_changes(world *w)
{
    git_oid *ch[MAXMEM] = {NULL};
    size_t n[MAXMEM] = {0};

    for (int i = 0; i < w->n; i++) {
        if (i != w->x) {
            ch[i] = changes_of(w->m[i].s, &n[i]);
        }
    }
    for (int i = 0; i < w->n; i++) {
        for (int j = i + 1; j < w->n; j++) {
            git_oid hi, hj;
            char *a, *b;
            if (i == w->x || j == w->x || n[i] != n[j] ||
                memcmp(ch[i], ch[j], n[i] * sizeof(git_oid)) != 0) {
                continue;
            }
            head_of(&hi, w->m[i].s);
            head_of(&hj, w->m[j].s);
            if (git_oid_equal(&hi, &hj)) {
                continue;
            }
            a = export_of(w->m[i].s);
            b = export_of(w->m[j].s);
            CHECK(strcmp(a, b) == 0, "%s and %s hold the same %zu changes but differ:\n%s\n%s",
                  w->m[i].name, w->m[j].name, n[i], a, b);
            free(a);
            free(b);
        }
    }
    for (int i = 0; i < w->n; i++) {
        free(ch[i]);
    }
}

/* ---- the final state against the model ---------------------------------------- */

static int tag_is(const json_t *tag, uint64_t s, const char *m)
{
    return (uint64_t)json_integer_value(json_array_get(tag, 0)) == s &&
           strcmp(json_string_value(json_array_get(tag, 1)), m) == 0;
}

static int tags_hold(const json_t *tags, uint64_t s, const char *m)
{
    size_t i;
    const json_t *t;

    json_array_foreach(tags, i, t)
    {
        if (tag_is(t, s, m)) {
            return 1;
        }
    }
    return 0;
}

/* 1 if standing edit k is superseded: a standing assignment of the same
 * field was written by someone who held it. */
static int superseded(const world *w, size_t k)
{
    for (size_t f = 0; f < w->nops; f++) {
        if (w->ops[f].standing && same_field(&w->ops[f], &w->ops[k])) {
            for (size_t j = 0; j < w->ops[f].nseen; j++) {
                if (w->ops[f].seen[j] == k) {
                    return 1;
                }
            }
        }
    }
    return 0;
}

/* A register: exactly the standing assignments that no standing assignment
 * by a writer who held them superseded (the value and its conflicts). */
static void check_register(world *w, const vop *any, const json_t *reg)
{
    const json_t *r = json_object_get(reg, "r"), *e;
    size_t i;

    for (size_t k = 0; k < w->nops; k++) {
        const vop *op = &w->ops[k];
        if (!op->standing || !same_field(op, any) || superseded(w, k)) {
            continue;
        }
        json_array_foreach(r, i, e)
        {
            if ((uint64_t)json_integer_value(json_object_get(e, "s")) == op->stamp &&
                strcmp(json_string_value(json_object_get(e, "m")), w->m[op->who].name) == 0) {
                break;
            }
        }
        CHECK(i < json_array_size(r), "%s/%s.%s: the value '%s' by %s is lost", op->kind, op->id,
              op->field, op->value ? op->value : "(cleared)", w->m[op->who].name);
        e = json_object_get(json_array_get(r, i), "v");
        CHECK(op->value ? json_is_string(e) && strcmp(json_string_value(e), op->value) == 0
                        : json_is_null(e),
              "%s/%s.%s: the entry of %s holds another value", op->kind, op->id, op->field,
              w->m[op->who].name);
    }
    json_array_foreach(r, i, e)
    {
        size_t k;
        char *text;
        for (k = 0; k < w->nops; k++) {
            const vop *op = &w->ops[k];
            if (op->standing && same_field(op, any) && !superseded(w, k) &&
                (uint64_t)json_integer_value(json_object_get(e, "s")) == op->stamp &&
                strcmp(json_string_value(json_object_get(e, "m")), w->m[op->who].name) == 0) {
                break;
            }
        }
        text = json_dumps(e, JSON_COMPACT);
        CHECK(k < w->nops, "%s/%s.%s holds an entry no standing, unsuperseded edit explains: %s",
              any->kind, any->id, any->field, text);
        free(text);
    }
}

/* Orders (s1, m1) against (s2, m2) as the CRDT does. */
static int key_cmp(uint64_t s1, const char *m1, uint64_t s2, const char *m2)
{
    return s1 != s2 ? (s1 < s2 ? -1 : 1) : strcmp(m1, m2);
}

/* A set: the standing add tags no standing removal observed; removal tags
 * of real additions only; "u" the greatest standing operation. */
static void check_set(world *w, const vop *any, const json_t *f)
{
    const json_t *set = json_object_get(f, "set"), *e, *t, *u = json_object_get(f, "u");
    const char *elem;
    uint64_t us = 0;
    const char *um = "";
    size_t i;

    for (size_t k = 0; k < w->nops; k++) {
        const vop *op = &w->ops[k];
        int removed = 0;
        if (!same_field(op, any) || !op->standing) {
            continue;
        }
        if (key_cmp(op->stamp, w->m[op->who].name, us, um) > 0) {
            us = op->stamp;
            um = w->m[op->who].name;
        }
        if (op->type != OP_ADD) {
            continue;
        }
        for (size_t j = 0; j < w->nops && !removed; j++) {
            removed = w->ops[j].standing && w->ops[j].type == OP_REMOVE &&
                      same_field(&w->ops[j], op) && strcmp(w->ops[j].value, op->value) == 0 &&
                      tags_hold(w->ops[j].observed, op->stamp, w->m[op->who].name);
        }
        e = json_object_get(set, op->value);
        CHECK(removed || tags_hold(json_object_get(e, "a"), op->stamp, w->m[op->who].name),
              "%s/%s.%s: %s's addition of '%s' is lost", op->kind, op->id, op->field,
              w->m[op->who].name, op->value);
        CHECK(!removed || !tags_hold(json_object_get(e, "a"), op->stamp, w->m[op->who].name),
              "%s/%s.%s: %s's addition of '%s' is there although removed", op->kind, op->id,
              op->field, w->m[op->who].name, op->value);
    }
    json_object_foreach((json_t *)set, elem, e)
    {
        for (int ar = 0; ar < 2; ar++) {
            json_array_foreach(json_object_get(e, ar ? "r" : "a"), i, t)
            {
                size_t k;
                for (k = 0; k < w->nops; k++) {
                    const vop *op = &w->ops[k];
                    if (op->type == OP_ADD && (op->standing || ar) && same_field(op, any) &&
                        strcmp(op->value, elem) == 0 && tag_is(t, op->stamp, w->m[op->who].name)) {
                        break;
                    }
                }
                CHECK(k < w->nops, "%s/%s.%s: element '%s' holds a %s tag no %s addition made",
                      any->kind, any->id, any->field, elem, ar ? "removal" : "add",
                      ar ? "valid" : "standing");
            }
        }
    }
    CHECK(tag_is(u, us, um), "%s/%s.%s: \"u\" is not the greatest standing operation (%s)",
          any->kind, any->id, any->field, um);
}

/* One record of the final state against the standing edits of it. */
static void check_record(world *w, const json_t *rec)
{
    const char *kind = json_string_value(json_object_get(rec, "kind"));
    const char *id = json_string_value(json_object_get(rec, "id"));
    const json_t *fields = json_object_get(rec, "fields"), *f;
    const char *name;

    json_object_foreach((json_t *)fields, name, f)
    {
        size_t k;
        for (k = 0; k < w->nops; k++) {
            if (w->ops[k].standing && strcmp(w->ops[k].kind, kind) == 0 &&
                strcmp(w->ops[k].id, id) == 0 && strcmp(w->ops[k].field, name) == 0) {
                break;
            }
        }
        CHECK(k < w->nops, "%s/%s holds field '%s' that no standing edit wrote", kind, id, name);
    }
    if (json_object_get(rec, "rm")) {
        size_t k;
        for (k = 0; k < w->nops; k++) {
            if (w->ops[k].standing && strcmp(w->ops[k].kind, kind) == 0 &&
                strcmp(w->ops[k].id, id) == 0 && strcmp(w->ops[k].field, "rm") == 0) {
                break;
            }
        }
        CHECK(k < w->nops, "%s/%s is deleted by no standing edit", kind, id);
    }
}

static void check_records(world *w, ccm_store *s)
{
    static const char *const kinds[] = {"activity", "note", "state"};
    json_t *all = json_object(), *list = NULL, *rec;
    size_t i;

    for (size_t k = 0; k < 3; k++) {
        CHECK(ccm_store_list(&list, s, kinds[k]) == CCM_OK, "list");
        json_array_foreach(list, i, rec)
        {
            char key[64];
            snprintf(key, sizeof(key), "%s/%s", json_string_value(json_object_get(rec, "kind")),
                     json_string_value(json_object_get(rec, "id")));
            json_object_set(all, key, rec);
            check_record(w, rec);
        }
        json_decref(list);
    }
    for (size_t k = 0; k < w->nops; k++) {
        const vop *op = &w->ops[k];
        char key[64];
        const json_t *f;
        int done = 0;
        for (size_t j = 0; j < k && !done; j++) {
            done = same_field(&w->ops[j], op) && w->ops[j].standing;
        }
        if (!op->standing || done) {
            continue;
        }
        snprintf(key, sizeof(key), "%s/%s", op->kind, op->id);
        rec = json_object_get(all, key);
        CHECK(rec != NULL, "%s is lost (%s wrote its %s)", key, w->m[op->who].name, op->field);
        f = strcmp(op->field, "rm") == 0
                ? json_object_get(rec, "rm")
                : json_object_get(json_object_get(rec, "fields"), op->field);
        if (op->type == OP_ASSIGN) {
            check_register(w, op, f);
        } else {
            CHECK(f != NULL, "%s.%s is lost", key, op->field);
            check_set(w, op, f);
        }
    }
    json_decref(all);
}

/* No puppet, every honest member with their role, the attacker removed
 * exactly when she was; no key sealed to a puppet, none to her after. */
static void check_roster_keys(world *w, ccm_store *s)
{
    git_tree *tree = NULL, *keys = NULL;
    json_t *roster = NULL;
    const json_t *m;
    size_t i;

    head_tree(&tree, s);
    CHECK(ccm_store_read_roster(&roster, s->repo, tree) == CCM_OK, "roster");
    CHECK(json_array_size(json_object_get(roster, "members")) == (size_t)w->n,
          "the roster holds %zu members, not %d",
          json_array_size(json_object_get(roster, "members")), w->n);
    for (int k = 0; k < w->n; k++) {
        m = ccm_roster_member(roster, w->m[k].name);
        CHECK(m != NULL, "%s is not in the roster", w->m[k].name);
        CHECK(strcmp(json_string_value(json_object_get(m, "role")), w->m[k].role) == 0,
              "%s is %s, not %s", w->m[k].name, json_string_value(json_object_get(m, "role")),
              w->m[k].role);
        CHECK(!ccm_roster_is_active(m) == (k == w->x && w->removed), "%s is %s", w->m[k].name,
              ccm_roster_is_active(m) ? "active" : "removed");
    }
    CHECK(git_tree_lookup(&keys, s->repo, git_tree_entry_id(git_tree_entry_byname(tree, "keys"))) ==
              0,
          "keys/");
    for (i = 0; i < git_tree_entrycount(keys); i++) {
        const git_tree_entry *e = git_tree_entry_byindex(keys, i);
        unsigned epoch = (unsigned)strtoul(git_tree_entry_name(e), NULL, 10);
        git_tree *et = NULL;
        CHECK(git_tree_lookup(&et, s->repo, git_tree_entry_id(e)) == 0, "keys/%u", epoch);
        for (size_t j = 0; j < git_tree_entrycount(et); j++) {
            const char *to = git_tree_entry_name(git_tree_entry_byindex(et, j));
            CHECK(ccm_roster_member(roster, to) != NULL, "keys/%u/%s: sealed to a non-member",
                  epoch, to);
            CHECK(!w->removed || strcmp(to, w->m[w->x].name) != 0 || epoch < w->removal_epoch,
                  "keys/%u/%s: sealed to the removed attacker", epoch, to);
        }
        git_tree_free(et);
    }
    git_tree_free(keys);
    git_tree_free(tree);
    json_decref(roster);
}

static void model_check_final(world *w)
{
    char *first = NULL;

    for (int i = 0; i < w->n; i++) {
        char *e;
        if (i == w->x) {
            continue;
        }
        CHECK(ccm_store_verify(w->m[i].s, NULL) == CCM_OK, "%s's verify: %s", w->m[i].name,
              ccm_error_last());
        e = export_of(w->m[i].s);
        if (!first) {
            first = e;
            continue;
        }
        CHECK(strcmp(first, e) == 0, "%s's export differs:\n%s\n%s", w->m[i].name, first, e);
        free(e);
    }
    free(first);
    check_records(w, w->m[0].s);
    check_roster_keys(w, w->m[0].s);
}

#endif
