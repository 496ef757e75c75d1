/*
 * forge_mutate.c - one forged commit from a string of bytes (forge_mutate.h):
 * the changes, each labelled legal or breaking a rule, and the verifier's
 * judgement.
 *
 * Labels must not lie in either direction, so changes never undo each
 * other: a record changed in a way that breaks a rule is not touched again
 * ("frozen"), nor are roster.json, keys/ and stamps.json after a change to
 * them; a change that makes no difference is not counted. Records are read
 * with the verifier's keys and written with the signer's (a signer without
 * the key makes no record change).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "forge_world.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_OPS 8
#define MAX_SLOTS 32

/* ---- what may be written ---------------------------------------------------- */

typedef struct {
    const char *field;
    int set;
    const char *const *values;
    size_t n;
} fdef;

static const char *const kText[] = {"call the minister", "follow up\nnext week",
                                    "Vientiane \xe2\x80\x94 \xc3\xa9t\xc3\xa9", "50% done"};
static const char *const kStateStatus[] = {"party", "signatory", "non-party", "withdrawing",
                                           "withdrawn"};
static const char *const kPriority[] = {"high", "medium", "low"};
static const char *const kLine[] = {"Lao PDR", "C\xc3\xb4te d'Ivoire", "South-East Asia"};
static const char *const kDates[] = {"2025-03-01", "2024-02-29", "2025-12-31"};
static const char *const kTargets[] = {"signatory", "apmbc",    "withdrawing",
                                       "ccw",       "unga-yes", "interim-steps"};
static const char *const kMembers[] = {"Peru", "Norway", "Malawi", "Chile"};
static const char *const kReasons[] = {"security", "cost", "other"};
static const char *const kActStatus[] = {"planned", "done", "cancelled"};
static const char *const kTypes[] = {"bilateral", "survey", "side-event", "other"};
static const char *const kIso[] = {"LAO", "NOR", "PER", "MWI", "CHL", "KEN"};
static const char *const kNewStates[] = {"KEN", "BRA", "FJI", "NPL"};
static const char *const kRoles[] = {"admin", "editor", "reader"};

static const fdef kStateFields[] = {
    {"next_step", 0, kText, N(kText)},
    {"priority", 0, kPriority, N(kPriority)},
    {"status", 0, kStateStatus, N(kStateStatus)},
    {"name", 0, kLine, N(kLine)},
    {"region", 0, kLine, N(kLine)},
    {"last_contact", 0, kDates, N(kDates)},
    {"contact_notes", 0, kText, N(kText)},
    {"targets", 1, kTargets, N(kTargets)},
    {"lead", 1, kMembers, N(kMembers)},
    {"survey_reasons", 1, kReasons, N(kReasons)},
};
static const fdef kActFields[] = {
    {"summary", 0, kText, N(kText)},          {"outcome", 0, kText, N(kText)},
    {"status", 0, kActStatus, N(kActStatus)}, {"type", 0, kTypes, N(kTypes)},
    {"date", 0, kDates, N(kDates)},           {"states", 1, kIso, N(kIso)},
    {"by", 1, kMembers, N(kMembers)},
};

/* Values the schema refuses, for (kind, field). */
typedef struct {
    const char *kind, *field, *value;
    int set;
} badval;
static const badval kBad[] = {
    {"state", "priority", "urgent", 0},
    {"state", "status", "maybe", 0},
    {"state", "last_contact", "2025-02-30", 0},
    {"state", "name", "Lao\nPDR", 0},
    {"state", "name", "x\x1b[31mred", 0},
    {"state", "region",
     "\xe2\x80\xae"
     "aisA",
     0},
    {"state", "name", "tab\there", 0},
    {"state", "next_step", "bell\x07 rings", 0},
    {"state", "targets", "bogus", 1},
    {"state", "lead", "no spaces allowed", 1},
    {"activity", "type", "party", 0},
    {"activity", "date", "2025-13-01", 0},
    {"activity", "states", "XXX", 1},
    {"activity", "summary", "\x1b]0;title\x07", 0},
};

/* ---- one run ------------------------------------------------------------------ */

typedef struct {
    char kind[12], id[24], name[CCM_NAME_LEN + 1], path[CCM_PATH_MAX];
    json_t *base; /* the version before this run's changes, or NULL */
    git_oid blob; /* its blob */
    int has_blob, frozen;
} slot;

typedef struct {
    ccm_fm *w;
    ccm_forge *f;
    int who;
    const char *signer;
    int merge, admin;
    uint64_t stamp;
    git_oid p1;
    slot slots[MAX_SLOTS];
    size_t nslots;
    int records, membership, roster_done, keys_done, stamps_done;
    ccm_fm_result *res;
    const uint8_t *in;
    size_t n, at;
} run;

static unsigned next(run *r)
{
    return r->at < r->n ? r->in[r->at++] : 0;
}

static void broken(run *r, const char *why)
{
    if (!r->res->breaks) {
        snprintf(r->res->why, sizeof(r->res->why), "%s", why);
    }
    r->res->breaks = 1;
}

/* A change was made: legal, or breaking a rule (any change to a merge). */
static void changed(run *r, int breaking, const char *why)
{
    if (r->merge) {
        breaking = 1;
        why = "a merge with a change of its own";
    }
    if (breaking) {
        r->res->breaking++;
        broken(r, why);
    } else {
        r->res->legal++;
    }
}

static slot *slot_of(run *r, const char *kind, const char *id)
{
    slot *sl;

    for (size_t i = 0; i < r->nslots; i++) {
        if (strcmp(r->slots[i].kind, kind) == 0 && strcmp(r->slots[i].id, id) == 0) {
            return &r->slots[i];
        }
    }
    if (r->nslots == MAX_SLOTS) {
        return NULL;
    }
    sl = &r->slots[r->nslots++];
    memset(sl, 0, sizeof(*sl));
    snprintf(sl->kind, sizeof(sl->kind), "%s", kind);
    snprintf(sl->id, sizeof(sl->id), "%s", id);
    ccm_record_name(sl->name, r->w->judge, kind, id);
    ccm_record_path_of_name(sl->path, sl->name);
    sl->has_blob = ccm_forge_blob(&sl->blob, r->f, sl->path) == CCM_OK;
    if (sl->has_blob && ccm_store_decrypt_blob(&sl->base, r->w->judge, r->w->judge->repo, sl->name,
                                               &sl->blob) < 0) {
        sl->frozen = 1; /* unreadable: nothing to change it from */
    }
    ccm_error_clear();
    return sl;
}

static slot *pick_record(run *r, unsigned b)
{
    size_t n = N(kIso) + r->w->nacts, i = b % n;

    return i < N(kIso) ? slot_of(r, "state", kIso[i])
                       : slot_of(r, "activity", r->w->acts[i - N(kIso)]);
}

/* The version to change (new reference): staged, else the base; with
 * `create`, a new record if there is none. NULL if frozen or absent. */
static json_t *current(run *r, slot *sl, int create)
{
    git_oid oid;
    json_t *rec = NULL;

    if (!sl || sl->frozen) {
        return NULL;
    }
    if (ccm_forge_blob(&oid, r->f, sl->path) == CCM_OK) {
        json_t *got = NULL;
        if (ccm_store_decrypt_blob(&got, r->w->judge, r->w->judge->repo, sl->name, &oid) ==
            CCM_OK) {
            rec = json_deep_copy(got); /* the store may share what it opened */
        }
        json_decref(got);
    } else if (create) {
        rec = ccm_record_new(sl->kind, sl->id);
    }
    ccm_error_clear();
    return rec;
}

/* Writes the changed record (sealed with the signer's key); counts it if it
 * differs from what was there. */
static int put(run *r, slot *sl, json_t *rec, int breaking, const char *why)
{
    git_oid before, after;
    int had = ccm_forge_blob(&before, r->f, sl->path) == CCM_OK, rc;

    rc = ccm_forge_put_record(r->f, rec, 0);
    json_decref(rec);
    ccm_error_clear();
    if (rc < 0 || ccm_forge_blob(&after, r->f, sl->path) < 0 ||
        (had && git_oid_equal(&before, &after))) {
        return 0;
    }
    r->records = 1;
    changed(r, breaking, why);
    if (breaking) {
        sl->frozen = 1;
    }
    return 1;
}

static const fdef *field_of(const char *kind, unsigned b, int set)
{
    const fdef *t = strcmp(kind, "state") == 0 ? kStateFields : kActFields;
    size_t n = strcmp(kind, "state") == 0 ? N(kStateFields) : N(kActFields), k = 0, seen = 0;

    for (size_t i = 0; i < n; i++) {
        k += t[i].set == set;
    }
    for (size_t i = 0; i < n; i++) {
        if (t[i].set == set && seen++ == b % k) {
            return &t[i];
        }
    }
    return NULL;
}

static const char *other_member(run *r, unsigned b)
{
    const char *m = ccm_fm_names[b % FM_SIGNERS];
    return strcmp(m, r->signer) != 0 ? m : ccm_fm_names[(b + 1) % FM_SIGNERS];
}

/* The i-th field name of a record (NULL if none). */
static const char *nth_field(const json_t *rec, unsigned i)
{
    const json_t *fields = json_object_get(rec, "fields");
    size_t n = json_object_size(fields), k = 0;
    const char *name;
    json_t *f;

    if (n == 0) {
        return NULL;
    }
    json_object_foreach((json_t *)fields, name, f)
    {
        if (k++ == i % n) {
            return name;
        }
    }
    return NULL;
}

#include "forge_mutate_ops.h"

/* ---- the run ------------------------------------------------------------------ */

/* The stamps: raised to the commit's stamp (legal), or not. */
static void stamps(run *r, unsigned policy)
{
    json_t *st = NULL;
    uint64_t prev;

    if (ccm_forge_stamps(&st, r->f) < 0) {
        ccm_error_clear();
        return;
    }
    prev = ccm_stamps_get(st, r->signer);
    json_decref(st);
    if (r->merge) {
        if (policy >= 2 && policy <= 4) {
            ccm_forge_bump(r->f, r->stamp);
            broken(r, "a merge that changes the stamps");
        }
        return;
    }
    if (policy == 1) {
        broken(r, "the signer's stamp not raised");
        return;
    }
    if (policy == 4) {
        if (prev) {
            ccm_forge_bump(r->f, prev);
        }
        broken(r, "the signer's stamp not raised");
        return;
    }
    ccm_forge_bump(r->f, r->stamp);
    if (policy == 2 || policy == 3) {
        if (ccm_forge_stamps(&st, r->f) == CCM_OK) {
            const char *o = policy == 2 ? other_member(r, 1) : "Puppet";
            json_object_set_new(st, o, json_integer((json_int_t)r->stamp + 1));
            ccm_forge_set_stamps(r->f, st);
            json_decref(st);
        }
        broken(r, policy == 2 ? "another member's stamp changed" : "a stamp for a non-member");
        r->stamps_done = 1;
    }
}

static void apply(run *r, unsigned op)
{
    switch (op % FM_OP_COUNT) {
    case FM_OP_ASSIGN:
        op_assign(r);
        break;
    case FM_OP_SET_ADD:
        op_set(r, 1);
        break;
    case FM_OP_SET_REMOVE:
        op_set(r, 0);
        break;
    case FM_OP_NEW_ACT:
        op_new_act(r, 1);
        break;
    case FM_OP_DELETE:
        op_delete(r);
        break;
    case FM_OP_CLEAR:
        op_clear(r);
        break;
    case FM_OP_NEW_STATE:
        op_new_state(r);
        break;
    case FM_OP_REMOVE:
        op_remove(r);
        break;
    case FM_OP_ADD_GHOST:
        op_add_ghost(r);
        break;
    case FM_OP_ATTRIBUTE:
        op_attribute(r);
        break;
    case FM_OP_OFF_STAMP:
        op_off_stamp(r);
        break;
    case FM_OP_DROP_FIELD:
        op_drop_field(r);
        break;
    case FM_OP_DROP_ELEM:
        op_drop_elem(r);
        break;
    case FM_OP_DROP_TAG:
        op_drop_tag(r);
        break;
    case FM_OP_VV:
        op_vv(r);
        break;
    case FM_OP_BAD_VALUE:
        op_bad_value(r);
        break;
    case FM_OP_SWITCH:
        op_switch(r);
        break;
    case FM_OP_TWO_ENTRIES:
        op_two_entries(r);
        break;
    case FM_OP_CHANGE_OLD:
        op_change_old(r);
        break;
    case FM_OP_CLEAR_REQ:
        op_clear_required(r);
        break;
    case FM_OP_ACT_NO_DATE:
        op_new_act(r, 0);
        break;
    case FM_OP_FOREIGN_TAG:
        op_foreign_tag(r);
        break;
    case FM_OP_FAKE_REMOVE:
        op_fake_remove(r);
        break;
    case FM_OP_DELETE_PATH:
        op_delete_path(r);
        break;
    case FM_OP_ROLLBACK:
        op_rollback(r);
        break;
    case FM_OP_SWAP:
        op_swap(r);
        break;
    case FM_OP_GARBAGE:
        op_garbage(r);
        break;
    case FM_OP_MODE:
        op_mode(r);
        break;
    case FM_OP_EXTRA:
        op_extra(r);
        break;
    case FM_OP_KEYS:
        op_keys(r);
        break;
    case FM_OP_ROSTER:
        op_roster(r);
        break;
    default:
        op_stamps(r);
        break;
    }
}

int ccm_fm_run(ccm_fm *w, const uint8_t *data, size_t size, ccm_fm_result *res)
{
    run r;
    unsigned flags;
    json_t *roster = NULL;
    const char *author;
    git_oid id, p2;
    git_commit *c = NULL;
    int rc;

    memset(&r, 0, sizeof(r));
    memset(res, 0, sizeof(*res));
    r.w = w;
    r.res = res;
    r.in = data;
    r.n = size;
    r.who = (int)(next(&r) % FM_SIGNERS);
    r.f = w->forge[r.who];
    r.signer = ccm_fm_names[r.who];
    r.p1 = w->commits[next(&r) % w->ncommits];
    flags = next(&r);
    if (flags & 1) {
        p2 = w->commits[next(&r) % w->ncommits];
        r.merge = !git_oid_equal(&r.p1, &p2);
    }
    if (r.merge && ccm_forge_begin(r.f, &r.p1, &p2) < 0) {
        r.merge = 0; /* the signer cannot compute that merge (no key): one parent */
        ccm_error_clear();
    }
    res->merge = r.merge;
    if (!r.merge && (rc = ccm_forge_begin(r.f, &r.p1, NULL)) < 0) {
        goto done;
    }
    if ((rc = ccm_forge_roster(&roster, r.f)) < 0) {
        goto done;
    }
    r.admin = ccm_roster_is_admin(ccm_roster_member(roster, r.signer));
    if (!ccm_roster_may_write(ccm_roster_member(roster, r.signer))) {
        broken(&r, "the signer may not write");
    }
    json_decref(roster);
    roster = NULL;
    r.stamp = ccm_forge_next_stamp(r.f);
    stamps(&r, (flags >> 1) & 7);
    for (int k = 0; k < MAX_OPS && r.at < r.n; k++) {
        apply(&r, next(&r));
    }
    if (r.membership && r.records) {
        broken(&r, "a membership change that changes records");
    }
    author = r.signer;
    if (flags & 0x10) {
        author = other_member(&r, 2);
        broken(&r, "authored under another member's name");
    }
    if ((rc = ccm_forge_commit(&id, r.f, author)) < 0 ||
        git_commit_lookup(&c, w->judge->repo, &id) < 0) {
        rc = rc < 0 ? rc : ccm_error_set(CCM_ERROR, "cannot read the forged commit");
        goto done;
    }
    res->verdict = ccm_store_verify_commit(w->judge, w->judge->repo, c, NULL);
    if (res->verdict < 0) {
        snprintf(res->error, sizeof(res->error), "%s", ccm_error_last());
    }
done:
    git_commit_free(c);
    json_decref(roster);
    for (size_t i = 0; i < r.nslots; i++) {
        json_decref(r.slots[i].base);
    }
    ccm_fm_mem_reset(w);
    ccm_fm_keys_restore(w);
    if (rc == CCM_OK) {
        ccm_error_clear();
    }
    return rc;
}
