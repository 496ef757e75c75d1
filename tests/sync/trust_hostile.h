/*
 * trust_hostile.h - what the attacker of test_trust_property.c does
 * (included by it once, after its helpers): commits forged with
 * tests/support/forge.c, each checked to be refused by verification and
 * then forced onto a hub with plain git; a hub rewound; and, after her
 * removal, valid commits on her stale history forced onto a hub.
 */
#ifndef CCM_TEST_TRUST_HOSTILE_H
#define CCM_TEST_TRUST_HOSTILE_H

static git_repository *hub_open(world *w, int hub)
{
    git_repository *r = NULL;

    CHECK(git_repository_open_bare(&r, w->hub[hub]) == 0, "open hub %d", hub + 1);
    return r;
}

/* The hub's tip (0 if it has none). */
static int hub_tip(world *w, int hub, git_oid *out)
{
    git_repository *r = hub_open(w, hub);
    int found = git_reference_name_to_id(out, r, CCM_BRANCH) == 0;

    git_error_clear();
    git_repository_free(r);
    return found;
}

/* Forces the hub's branch to `tip` (objects from the attacker's store), as
 * plain git would: a hub checks nothing. */
static void hub_force(world *w, int hub, const git_oid *tip, git_repository *from)
{
    git_repository *r = hub_open(w, hub);
    git_reference *ref = NULL;
    ccm_transfer t = {NULL, NULL, "", NULL};

    CHECK(!from || ccm_odb_copy_reachable(from, r, tip, "store", "push", t.fn, t.payload) == CCM_OK,
          "copy to hub: %s", ccm_error_last());
    CHECK(git_reference_create(&ref, r, CCM_BRANCH, tip, 1, "forced") == 0, "force hub");
    trace("hub%d forced to %s", hub + 1, hex10(tip));
    git_reference_free(ref);
    git_repository_free(r);
}

/* Copies the hub's history into the attacker's store (no ref moves). */
static int hub_fetch_x(world *w, int hub, git_oid *tip)
{
    git_repository *r;
    ccm_transfer t = {NULL, NULL, "", NULL};

    if (!hub_tip(w, hub, tip) || model_is_forged(w, tip)) {
        return 0;
    }
    r = hub_open(w, hub);
    CHECK(ccm_odb_copy_reachable(r, xstore(w)->repo, tip, "remote", "fetch", t.fn, t.payload) ==
              CCM_OK,
          "fetch hub: %s", ccm_error_last());
    git_repository_free(r);
    return 1;
}

/* A forged commit: verification must refuse it (checked by Peru's store,
 * which holds every key); then it goes onto a hub. */
static void forged(world *w, const git_oid *id, int kind)
{
    ccm_store *judge = w->m[0].s;
    ccm_transfer t = {NULL, NULL, "", NULL};
    git_commit *c = NULL;
    char hex[41];
    int rc;

    git_oid_tostr(hex, sizeof(hex), id);
    trace("forged %s commit %.10s", kHostileNames[kind], hex);
    CHECK(ccm_odb_copy_reachable(xstore(w)->repo, judge->repo, id, "store", "fetch", t.fn,
                                 t.payload) == CCM_OK,
          "copy: %s", ccm_error_last());
    CHECK(git_commit_lookup(&c, judge->repo, id) == 0, "lookup");
    rc = ccm_store_verify_commit(judge, judge->repo, c, NULL);
    git_commit_free(c);
    CHECK(rc == CCM_EVERIFY, "the forged %s commit %s was not refused (%d: %s)",
          kHostileNames[kind], hex, rc, rc ? ccm_error_last() : "accepted");
    ccm_error_clear();
    CHECK(ccm_grow(&w->forged, &w->capforged, w->nforged, sizeof(git_oid), 16) == CCM_OK, "oom");
    w->forged[w->nforged++] = *id;
    w->hostile[kind]++;
    hub_force(w, (int)pick(2), id, xstore(w)->repo);
}

/* A record of the tree being forged that the attacker can read. */
static json_t *x_record(world *w, char *kind, char *id)
{
    json_t *rec = NULL;

    for (int i = 0; i < 16; i++) {
        int act = w->nacts > 0 && pick(2);
        const char *k = act ? "activity" : "state";
        const char *d = act ? w->acts[pick((size_t)w->nacts)] : kStates[pick(COUNT(kStates))];
        if (ccm_forge_record(&rec, w->xf, k, d) == CCM_OK) {
            strcpy(kind, k);
            strcpy(id, d);
            return rec;
        }
        ccm_error_clear();
    }
    return NULL;
}

static const char *honest_name(world *w)
{
    int i = (int)pick((size_t)w->n - 1);
    return w->m[i < w->x ? i : i + 1].name;
}

static void hostile_value(char *buf, size_t cap, world *w)
{
    snprintf(buf, cap, "HOSTILE %d", ++w->counter);
}

/* Entries attributed to an honest member, or stamped off the commit's stamp. */
static void forge_attribution(world *w, const git_oid *base)
{
    char kind[16], id[24], value[64];
    json_t *rec;
    uint64_t stamp;
    int v = (int)pick(3), rc;

    CHECK(ccm_forge_begin(w->xf, base, NULL) == CCM_OK, "begin: %s", ccm_error_last());
    stamp = ccm_forge_next_stamp(w->xf);
    if (!(rec = x_record(w, kind, id))) {
        rec = ccm_record_new("state", kStates[pick(COUNT(kStates))]);
    }
    hostile_value(value, sizeof(value), w);
    if (v == 0) {
        rc = ccm_record_assign(rec, "next_step", value, stamp, honest_name(w));
    } else if (v == 1) {
        rc = ccm_record_set_add(rec, "lead", w->m[w->x].name, stamp, honest_name(w));
    } else {
        rc = ccm_record_assign(rec, "next_step", value, stamp + 1 + pick(1000), w->m[w->x].name);
    }
    CHECK(rc == CCM_OK, "forge: %s", ccm_error_last());
    CHECK(ccm_forge_put_record(w->xf, rec, 0) == CCM_OK && ccm_forge_bump(w->xf, stamp) == CCM_OK,
          "put: %s", ccm_error_last());
    json_decref(rec);
    {
        git_oid id_out;
        CHECK(ccm_forge_commit(&id_out, w->xf, NULL) == CCM_OK, "commit: %s", ccm_error_last());
        forged(w, &id_out, v == 2 ? H_STAMP : H_ATTRIB);
    }
}

/* A field, a set element or the tombstone dropped (with a legal-looking
 * change alongside, half the time). */
static void forge_drop(world *w, const git_oid *base)
{
    char kind[16], id[24], value[64];
    json_t *rec, *fields;
    uint64_t stamp;
    const char *name;
    json_t *f;
    git_oid out;
    int done = 0;

    CHECK(ccm_forge_begin(w->xf, base, NULL) == CCM_OK, "begin: %s", ccm_error_last());
    stamp = ccm_forge_next_stamp(w->xf);
    if (!(rec = x_record(w, kind, id))) {
        return;
    }
    fields = json_object_get(rec, "fields");
    if (pick(2)) {
        /* A legal-looking assignment, on a field not dropped below. */
        hostile_value(value, sizeof(value), w);
        ccm_record_assign(rec, "legal_looking", value, stamp, w->m[w->x].name);
        ccm_error_clear();
    }
    if (pick(2) && json_object_get(rec, "rm")) {
        json_object_del(rec, "rm");
        done = 1;
    }
    json_object_foreach(fields, name, f)
    {
        json_t *set = json_object_get(f, "set");
        if (done || strcmp(name, "legal_looking") == 0) {
            continue;
        }
        if (set && json_object_size(set) > 0 && pick(2)) {
            json_object_del(set, json_object_iter_key(json_object_iter(set)));
            done = 1;
        } else if (pick(2)) {
            json_object_del(fields, name);
            done = 1;
            break;
        }
    }
    if (!done) {
        json_object_foreach(fields, name, f)
        {
            if (strcmp(name, "legal_looking") != 0) {
                json_object_del(fields, name);
                break;
            }
        }
    }
    CHECK(ccm_forge_put_record(w->xf, rec, 0) == CCM_OK && ccm_forge_bump(w->xf, stamp) == CCM_OK,
          "put: %s", ccm_error_last());
    json_decref(rec);
    CHECK(ccm_forge_commit(&out, w->xf, NULL) == CCM_OK, "commit: %s", ccm_error_last());
    forged(w, &out, H_DROP);
}

/* The first record that differs between two trees (ccm_tree_diff). */
typedef struct {
    char name[CCM_NAME_LEN + 1];
    git_oid old;
    int found;
} older;

static int older_version(const char *name, const git_oid *old_oid, const git_oid *new_oid,
                         void *payload)
{
    older *o = payload;

    if (!o->found && old_oid && new_oid) {
        snprintf(o->name, sizeof(o->name), "%s", name);
        o->old = *old_oid;
        o->found = 1;
    }
    return CCM_OK;
}

/* A record rolled back to an older ciphertext of its own path. */
static void forge_rollback(world *w, const git_oid *base)
{
    git_repository *repo = xstore(w)->repo;
    git_oid cur = *base, out;
    git_commit *c = NULL, *bc = NULL;
    git_tree *t = NULL, *bt = NULL;
    git_blob *blob = NULL;
    older o;
    char path[CCM_PATH_MAX];

    memset(&o, 0, sizeof(o));
    CHECK(git_commit_lookup(&bc, repo, base) == 0 && git_commit_tree(&bt, bc) == 0, "base");
    for (int depth = 0; depth < 60 && !o.found; depth++) {
        int stop = git_commit_lookup(&c, repo, &cur) < 0 || git_commit_parentcount(c) == 0;
        if (!stop) {
            cur = *git_commit_parent_id(c, (unsigned)pick(git_commit_parentcount(c)));
        }
        git_commit_free(c);
        c = NULL;
        if (stop) {
            break;
        }
        CHECK(git_commit_lookup(&c, repo, &cur) == 0 && git_commit_tree(&t, c) == 0, "tree");
        CHECK(ccm_tree_diff(repo, t, bt, older_version, &o) == CCM_OK, "diff");
        git_tree_free(t);
        git_commit_free(c);
        t = NULL;
        c = NULL;
    }
    git_tree_free(bt);
    git_commit_free(bc);
    if (!o.found) {
        forge_drop(w, base);
        return;
    }
    CHECK(ccm_forge_begin(w->xf, base, NULL) == CCM_OK, "begin: %s", ccm_error_last());
    ccm_record_path_of_name(path, o.name);
    CHECK(git_blob_lookup(&blob, repo, &o.old) == 0, "old blob");
    CHECK(ccm_forge_put_raw(w->xf, path, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob),
                            GIT_FILEMODE_BLOB) == CCM_OK,
          "put");
    git_blob_free(blob);
    if (pick(3)) {
        CHECK(ccm_forge_bump(w->xf, ccm_forge_next_stamp(w->xf)) == CCM_OK, "bump");
    }
    CHECK(ccm_forge_commit(&out, w->xf, NULL) == CCM_OK, "commit: %s", ccm_error_last());
    forged(w, &out, H_ROLLBACK);
}

/* Sealed keys replaced by garbage, a symlink or removed; keys added with
 * no membership change. */
static void tamper_keys(world *w, uint32_t epoch)
{
    uint8_t junk[256];
    char path[128];
    size_t len = ccm_groupkey_sealed_size();

    for (size_t i = 0; i < sizeof(junk); i++) {
        junk[i] = (uint8_t)rnd();
    }
    switch (pick(4)) {
    case 0:
        snprintf(path, sizeof(path), "keys/1/%s", honest_name(w));
        CHECK(ccm_forge_put_raw(w->xf, path, junk, len, GIT_FILEMODE_BLOB) == CCM_OK, "put");
        break;
    case 1:
        snprintf(path, sizeof(path), "keys/%u/%s", (unsigned)epoch, honest_name(w));
        CHECK(ccm_forge_put_raw(w->xf, path, "../../roster.json", 17, GIT_FILEMODE_LINK) == CCM_OK,
              "put");
        break;
    case 2:
        snprintf(path, sizeof(path), "keys/%u/Ghost", (unsigned)epoch);
        CHECK(ccm_forge_put_raw(w->xf, path, junk, len, GIT_FILEMODE_BLOB) == CCM_OK, "put");
        break;
    default:
        /* Every member has a key of epoch 1 (a newcomer gets every epoch). */
        snprintf(path, sizeof(path), "keys/1/%s", honest_name(w));
        CHECK(ccm_forge_put_raw(w->xf, path, NULL, 0, GIT_FILEMODE_BLOB) == CCM_OK, "put");
        break;
    }
}

static uint32_t forge_epoch(world *w)
{
    json_t *roster = NULL;
    uint32_t e;

    CHECK(ccm_forge_roster(&roster, w->xf) == CCM_OK, "roster");
    e = (uint32_t)json_integer_value(json_object_get(roster, "epoch"));
    json_decref(roster);
    return e;
}

static void forge_keys(world *w, const git_oid *base)
{
    git_oid out;

    CHECK(ccm_forge_begin(w->xf, base, NULL) == CCM_OK, "begin: %s", ccm_error_last());
    tamper_keys(w, forge_epoch(w));
    if (pick(2)) {
        CHECK(ccm_forge_bump(w->xf, ccm_forge_next_stamp(w->xf)) == CCM_OK, "bump");
    }
    CHECK(ccm_forge_commit(&out, w->xf, NULL) == CCM_OK, "commit: %s", ccm_error_last());
    forged(w, &out, H_KEYS);
}

/* A puppet admin in the roster (added by `by`). */
static void add_puppet(world *w, json_t *roster, const char *by)
{
    json_t *p = json_deep_copy(ccm_roster_member(roster, w->m[w->x].name));

    json_object_set_new(p, "name", json_string("Puppet"));
    json_object_set_new(p, "role", json_string("admin"));
    json_object_set_new(p, "added_by", json_string(by));
    json_object_del(p, "removed");
    json_object_del(p, "removed_by");
    json_array_append_new(json_object_get(roster, "members"), p);
    CHECK(ccm_roster_canonicalise(roster) == CCM_OK, "canonicalise");
}

/* An editor's roster change, or an admin's change that no rule allows. */
static void forge_roster(world *w, const git_oid *base)
{
    json_t *roster = NULL;
    git_oid out;
    int v = (int)pick(3);

    CHECK(ccm_forge_begin(w->xf, base, NULL) == CCM_OK, "begin: %s", ccm_error_last());
    CHECK(ccm_forge_roster(&roster, w->xf) == CCM_OK, "roster");
    if (v == 0 && !w->x_admin) {
        json_object_set_new((json_t *)ccm_roster_member(roster, w->m[w->x].name), "role",
                            json_string("admin"));
    } else if (v == 0) {
        json_object_set_new((json_t *)ccm_roster_member(roster, "Peru"), "role",
                            json_string("reader"));
    } else if (v == 1) {
        add_puppet(w, roster, w->x_admin ? "Peru" : w->m[w->x].name);
    } else {
        json_t *victim = (json_t *)ccm_roster_member(roster, honest_name(w));
        json_object_set_new(victim, "removed", json_string("2025-01-01T00:00:00.000Z"));
        json_object_set_new(victim, "removed_by", json_string(w->m[w->x].name));
    }
    CHECK(ccm_forge_set_roster(w->xf, roster) == CCM_OK, "set roster");
    json_decref(roster);
    CHECK(ccm_forge_bump(w->xf, ccm_forge_next_stamp(w->xf)) == CCM_OK, "bump");
    CHECK(ccm_forge_commit(&out, w->xf, NULL) == CCM_OK, "commit: %s", ccm_error_last());
    forged(w, &out, H_ROSTER);
}

/* A valid commit by the attacker on an older commit of her history (a side
 * branch): an assignment at her next stamp, recorded in the model. It
 * must pass verification. 0 if her history is too short. */
static int forge_side_commit(world *w, git_oid *out)
{
    git_oid base;
    git_commit *c = NULL;
    char kind[16], id[24], value[64], field[24];
    json_t *rec;
    uint64_t stamp;
    size_t first = w->nops;
    ccm_transfer t = {NULL, NULL, "", NULL};
    int rc;

    head_of(&base, xstore(w));
    for (int back = 1 + (int)pick(3); back > 0; back--) {
        int ok =
            git_commit_lookup(&c, xstore(w)->repo, &base) == 0 && git_commit_parentcount(c) > 0;
        if (ok) {
            base = *git_commit_parent_id(c, 0);
        }
        git_commit_free(c);
        c = NULL;
        if (!ok) {
            return 0;
        }
    }
    CHECK(ccm_forge_begin(w->xf, &base, NULL) == CCM_OK, "begin: %s", ccm_error_last());
    {
        json_t *roster = NULL;
        int member;
        CHECK(ccm_forge_roster(&roster, w->xf) == CCM_OK, "roster");
        member = ccm_roster_may_write(ccm_roster_member(roster, w->m[w->x].name));
        json_decref(roster);
        if (!member) {
            return 0; /* before she joined */
        }
    }
    stamp = ccm_forge_next_stamp(w->xf);
    if (!(rec = x_record(w, kind, id))) {
        /* Any state, or one not there yet. */
        strcpy(kind, "state");
        for (size_t i = 0; i < COUNT(kStates) && !rec; i++) {
            strcpy(id, kStates[i]);
            if (ccm_forge_record(&rec, w->xf, kind, id) == CCM_ENOTFOUND) {
                rec = ccm_record_new(kind, id);
            }
            ccm_error_clear();
        }
        CHECK(rec != NULL, "no record to write");
    }
    /* A field of its own: the register join lets a member's later stamp
     * supersede their earlier ones, so two forks of hers on one field would
     * not be two values (the model follows histories, not stamps). */
    text_value(value, sizeof(value), w, w->x, "side");
    snprintf(field, sizeof(field), "side_%d", w->counter);
    model_add_op(w, w->x, OP_ASSIGN, kind, id, field, value, stamp);
    CHECK(ccm_record_assign(rec, field, value, stamp, w->m[w->x].name) == CCM_OK &&
              ccm_forge_put_record(w->xf, rec, 0) == CCM_OK &&
              ccm_forge_bump(w->xf, stamp) == CCM_OK &&
              ccm_forge_commit(out, w->xf, NULL) == CCM_OK,
          "side commit: %s", ccm_error_last());
    json_decref(rec);
    model_committed(w, first, out, &base, xstore(w)->repo);
    /* A legal commit forged outside the command line passes. */
    CHECK(ccm_odb_copy_reachable(xstore(w)->repo, w->m[0].s->repo, out, "store", "fetch", t.fn,
                                 t.payload) == CCM_OK &&
              git_commit_lookup(&c, w->m[0].s->repo, out) == 0,
          "copy");
    rc = ccm_store_verify_commit(w->m[0].s, w->m[0].s->repo, c, NULL);
    git_commit_free(c);
    CHECK(rc == CCM_OK, "the attacker's valid side commit is refused: %s", ccm_error_last());
    w->nedits++;
    return 1;
}

/* The attacker keeps her valid side commit in her own history (an honest
 * merge), so that her syncs deliver it as they deliver her other edits. */
static void keep_side_commit(world *w, const git_oid *side)
{
    git_oid head, merged;

    head_of(&head, xstore(w));
    CHECK(ccm_store_merge_commit(&merged, xstore(w), &head, side, NULL) == CCM_OK &&
              ccm_store_move_branch(xstore(w), &head, &merged) == CCM_OK,
          "merge side commit: %s", ccm_error_last());
}

/* A merge of two unrelated tips the attacker holds (her head, the hubs',
 * or a valid side branch of hers), tampered with. 0 if there is none. */
static int forge_merge(world *w)
{
    git_oid tips[4], out;
    int n = 0, a = -1, b = -1, kind, side = 0, v;
    char k[16], id[24], value[64], path[80];
    json_t *rec;

    head_of(&tips[n++], xstore(w));
    for (int h = 0; h < 2; h++) {
        n += hub_fetch_x(w, h, &tips[n]);
    }
    for (int i = 0; i < n && a < 0; i++) {
        for (int j = i + 1; j < n && a < 0; j++) {
            if (!is_ancestor(xstore(w)->repo, &tips[i], &tips[j]) &&
                !is_ancestor(xstore(w)->repo, &tips[j], &tips[i])) {
                a = i;
                b = j;
            }
        }
    }
    if (a < 0) {
        if (!forge_side_commit(w, &tips[n])) {
            return 0;
        }
        a = 0;
        b = n++;
        side = 1;
    }
    if (pick(2)) {
        int t = a;
        a = b;
        b = t;
    }
    CHECK(ccm_forge_begin(w->xf, &tips[a], &tips[b]) == CCM_OK, "merge: %s", ccm_error_last());
    v = (int)pick(5);
    rec = NULL;
    if (v < 2 && !(rec = x_record(w, k, id))) {
        v = 4;
    }
    switch (v) {
    case 0:
        json_decref(rec);
        ccm_forge_record_path(path, w->xf, k, id);
        CHECK(ccm_forge_put_raw(w->xf, path, NULL, 0, GIT_FILEMODE_BLOB) == CCM_OK, "drop");
        kind = H_MERGE_DROP;
        break;
    case 1:
        hostile_value(value, sizeof(value), w);
        CHECK(ccm_record_assign(rec, "next_step", value, ccm_forge_next_stamp(w->xf),
                                w->m[w->x].name) == CCM_OK,
              "assign: %s", ccm_error_last());
        CHECK(ccm_forge_put_record(w->xf, rec, 0) == CCM_OK, "put");
        json_decref(rec);
        kind = H_MERGE_ENTRY;
        break;
    case 2: {
        json_t *roster = NULL;
        CHECK(ccm_forge_roster(&roster, w->xf) == CCM_OK, "roster");
        add_puppet(w, roster, w->m[w->x].name);
        CHECK(ccm_forge_set_roster(w->xf, roster) == CCM_OK, "set roster");
        json_decref(roster);
        kind = H_MERGE_ROSTER;
        break;
    }
    case 3:
        tamper_keys(w, forge_epoch(w));
        kind = H_MERGE_KEYS;
        break;
    default:
        CHECK(ccm_forge_bump(w->xf, ccm_forge_next_stamp(w->xf)) == CCM_OK, "bump");
        kind = H_MERGE_STAMPS;
        break;
    }
    CHECK(ccm_forge_commit(&out, w->xf, NULL) == CCM_OK, "commit: %s", ccm_error_last());
    forged(w, &out, kind);
    if (side) {
        keep_side_commit(w, &tips[n - 1]);
    }
    return 1;
}

/* A hub set back to an older commit of its own. */
static void rewind_hub(world *w)
{
    int hub = (int)pick(2);
    git_repository *r = hub_open(w, hub);
    git_commit *c = NULL;
    git_oid tip;

    if (git_reference_name_to_id(&tip, r, CCM_BRANCH) == 0 && git_commit_lookup(&c, r, &tip) == 0 &&
        git_commit_parentcount(c) > 0) {
        git_oid back = *git_commit_parent_id(c, 0);
        git_repository_free(r);
        r = NULL;
        hub_force(w, hub, &back, NULL);
        w->hostile[H_REWIND]++;
    }
    git_error_clear();
    git_commit_free(c);
    git_repository_free(r);
}

/* After her removal: valid commits on her stale history, forced onto a hub
 * (they must be left out wherever they meet the removal). */
static void late_commits(world *w)
{
    git_oid head;

    if (w->x_admin && !w->puppet_added && pick(3) == 0) {
        CHECK(ccm_store_member_add(xstore(w), w->puppet_req, "admin") == CCM_OK, "puppet: %s",
              ccm_error_last());
        w->puppet_added = 1;
        w->hostile[H_LATE_ADD]++;
    } else if (w->x_admin && !w->late_victim && pick(3) == 0 &&
               !getenv("CCM_PROPERTY_NO_LATE_REMOVAL")) {
        /* She removes an honest member: void, her removal did not see it. */
        int v = 1 + (int)pick((size_t)w->n - 2);
        w->late_victim = v < w->x ? v : v + 1;
        trace("the removed attacker removes %s", w->m[w->late_victim].name);
        CHECK(ccm_store_member_remove(xstore(w), w->m[w->late_victim].name) == CCM_OK,
              "late removal: %s", ccm_error_last());
        w->hostile[H_LATE_REMOVE]++;
    } else {
        random_edit(w, w->x, "late");
        w->hostile[H_LATE]++;
    }
    head_of(&head, xstore(w));
    hub_force(w, (int)pick(2), &head, xstore(w)->repo);
}

static void hostile(world *w)
{
    git_oid base;
    int r;

    if (w->removed && pick(100) < 35) {
        late_commits(w);
        return;
    }
    if (!w->removed && pick(2)) {
        do_sync(w, w->x, (int)pick(2));
    }
    head_of(&base, xstore(w));
    r = (int)pick(100);
    if (r < 20) {
        forge_attribution(w, &base);
    } else if (r < 32) {
        forge_drop(w, &base);
    } else if (r < 44) {
        forge_rollback(w, &base);
    } else if (r < 56) {
        forge_keys(w, &base);
    } else if (r < 68) {
        forge_roster(w, &base);
    } else if (r < 94) {
        if (w->removed || !forge_merge(w)) {
            forge_attribution(w, &base);
        }
    } else {
        rewind_hub(w);
    }
}

#endif
