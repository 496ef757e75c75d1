/*
 * resolve.c - the membership of a merged history whose two sides disagree
 * about a removal: strong removal, decided from the history alone.
 *
 * Every membership change of the history (a member added, a member removed)
 * is a non-merge commit by an admin. A change stands unless its signer was
 * removed by a removal that stands and that did not see it (the change is
 * not among the removal's ancestors), or its signer never became a member
 * (their addition did not stand). That makes standing depend on standing:
 * changes are decided as soon as what threatens them is decided; when only
 * cycles are left (two admins removing each other concurrently), the
 * change of the most senior signer stands (seniority: the founder first,
 * then the members each admin added, by depth, then by name; the commit id
 * last), and the rest follows. The group always keeps an admin: if the
 * removals that stand would leave none, the one removing the most senior
 * admin is dropped and everything is decided again.
 *
 * Then:
 *   - a member removed by removals that stand keeps only the commits those
 *     removals saw (their ancestors); every other commit of theirs is left
 *     out, whatever its date; a member whose addition did not stand keeps
 *     none;
 *   - the roster is rebuilt from the changes that stand: each member's entry
 *     from the addition that stands, removals from the removal that stands
 *     (the most senior remover's, when several do);
 *   - of the key epochs, those created by removals that stand (one per epoch
 *     number: the most senior remover's); their sealed keys, and the ones
 *     additions that stand sealed with those keys, are kept; the others are
 *     dropped, and records sealed under a dropped key are sealed again.
 * Decisions depend on the commit graph and the rosters only, never on when
 * or where the commits arrived.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resolve.h"

/* ---- do the two sides disagree? ---------------------------------------- */

static int removal_of(const json_t *roster, const char *name, const char **by, const char **at)
{
    const json_t *m = ccm_roster_member(roster, name);

    *by = json_string_value(json_object_get(m, "removed_by"));
    *at = json_string_value(json_object_get(m, "removed"));
    return m != NULL;
}

static int disagree(const json_t *ra, const json_t *rb)
{
    const json_t *m;
    const char *e;
    json_t *v;
    size_t i;

    json_array_foreach(json_object_get(ra, "members"), i, m)
    {
        const char *name = json_string_value(json_object_get(m, "name"));
        const char *by1, *at1, *by2, *at2;
        removal_of(ra, name, &by1, &at1);
        if (!removal_of(rb, name, &by2, &at2)) {
            continue; /* added on one side only: nothing of theirs on the other */
        }
        if (!by1 != !by2 || (by1 && (strcmp(by1, by2) != 0 || strcmp(at1, at2) != 0)) ||
            strcmp(json_string_value(json_object_get(m, "sign_key")),
                   json_string_value(json_object_get(ccm_roster_member(rb, name), "sign_key"))) !=
                0) {
            return 1;
        }
    }
    json_object_foreach(json_object_get(ra, "commitments"), e, v)
    {
        const json_t *w = json_object_get(json_object_get(rb, "commitments"), e);
        if (w && !json_equal(v, w)) {
            return 1;
        }
    }
    return 0;
}

int ccm_history_needed(ccm_store *s, const git_tree *a, const git_tree *b)
{
    json_t *ra = NULL, *rb = NULL;
    int rc;

    if ((rc = ccm_store_read_roster(&ra, s->repo, a)) == CCM_OK &&
        (rc = ccm_store_read_roster(&rb, s->repo, b)) == CCM_OK) {
        rc = disagree(ra, rb) || disagree(rb, ra);
    }
    json_decref(ra);
    json_decref(rb);
    return rc;
}

/* ---- the history ------------------------------------------------------------ */

void ccm_history_free(ccm_history *h)
{
    if (!h) {
        return;
    }
    for (size_t i = 0; i < h->nops; i++) {
        json_decref(h->ops[i].roster);
    }
    free(h->ops);
    free(h->commits);
    ccm_oidmap_free(&h->index);
    json_decref(h->depth);
    json_decref(h->roster);
    json_decref(h->keys);
    json_decref(h->epoch_trees);
    json_decref(h->left_out);
    json_decref(h->touched);
    json_decref(h->touched_list);
    free(h);
}

static const git_oid *roster_id(const git_tree *t)
{
    const git_tree_entry *e = git_tree_entry_byname(t, CCM_ROSTER_PATH);
    return e ? git_tree_entry_id(e) : NULL;
}

/* The membership change a non-merge commit makes (none if its roster is
 * its parent's): appended to h->ops. */
static int scan_op(ccm_history *h, const git_commit *c)
{
    git_commit *p = NULL;
    git_tree *t = NULL, *pt = NULL;
    json_t *r = NULL, *pr = NULL;
    ccm_hop op;
    const json_t *m;
    size_t i;
    int rc = CCM_OK;

    memset(&op, 0, sizeof(op));
    if (git_commit_tree(&t, c) < 0 ||
        (git_commit_parentcount(c) == 1 &&
         (git_commit_parent(&p, c, 0) < 0 || git_commit_tree(&pt, p) < 0))) {
        rc = ccm_git_error("cannot read history");
        goto done;
    }
    if (pt && git_oid_equal(roster_id(t), roster_id(pt))) {
        goto done;
    }
    if ((rc = ccm_store_read_roster(&r, h->repo, t)) < 0 ||
        (pt && (rc = ccm_store_read_roster(&pr, h->repo, pt)) < 0)) {
        goto done;
    }
    op.commit = *git_commit_id(c);
    snprintf(op.signer, sizeof(op.signer), "%s", git_commit_author(c)->name);
    op.epoch = (uint32_t)json_integer_value(json_object_get(r, "epoch"));
    op.kind = pt ? CCM_OP_ADD : CCM_OP_ROOT;
    json_array_foreach(json_object_get(r, "members"), i, m)
    {
        const char *name = json_string_value(json_object_get(m, "name"));
        const json_t *was = pr ? ccm_roster_member(pr, name) : NULL;
        if (!pr || !was) {
            snprintf(op.target, sizeof(op.target), "%s", name);
        } else if (json_object_get(m, "removed") && !json_object_get(was, "removed")) {
            snprintf(op.target, sizeof(op.target), "%s", name);
            op.kind = CCM_OP_REMOVE;
        }
    }
    if ((rc = ccm_grow(&h->ops, &h->capo, h->nops, sizeof(*h->ops), 16)) < 0) {
        goto done;
    }
    op.roster = r;
    r = NULL;
    op.state = op.kind == CCM_OP_ROOT ? CCM_OP_ACCEPTED : CCM_OP_UNDECIDED;
    h->ops[h->nops++] = op;
done:
    json_decref(r);
    json_decref(pr);
    git_tree_free(t);
    git_tree_free(pt);
    git_commit_free(p);
    return rc;
}

/* Every commit of the history below a and b, and its membership changes. */
static int scan(ccm_history *h, const git_commit *a, const git_commit *b)
{
    git_revwalk *walk = NULL;
    git_oid oid;
    int rc = CCM_OK;

    if (git_revwalk_new(&walk, h->repo) < 0 ||
        git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE) < 0 ||
        git_revwalk_push(walk, git_commit_id(a)) < 0 ||
        git_revwalk_push(walk, git_commit_id(b)) < 0) {
        git_revwalk_free(walk);
        return ccm_git_error("cannot walk history");
    }
    while (rc == CCM_OK && git_revwalk_next(&oid, walk) == 0) {
        git_commit *c = NULL;
        ccm_hcommit *hc;
        if (git_commit_lookup(&c, h->repo, &oid) < 0) {
            rc = ccm_git_error("cannot read history");
            break;
        }
        if ((rc = ccm_grow(&h->commits, &h->capc, h->ncommits, sizeof(*h->commits), 1024)) == 0) {
            hc = &h->commits[h->ncommits++];
            memset(hc, 0, sizeof(*hc));
            hc->id = oid;
            hc->nparents = git_commit_parentcount(c);
            if (hc->nparents > 0) {
                hc->parent = *git_commit_parent_id(c, 0);
            }
            snprintf(hc->author, sizeof(hc->author), "%s", git_commit_author(c)->name);
            if (hc->nparents <= 1) {
                rc = scan_op(h, c);
            }
        }
        git_commit_free(c);
    }
    git_revwalk_free(walk);
    for (size_t i = 0; rc == CCM_OK && i < h->ncommits; i++) {
        rc = ccm_oidmap_put(&h->index, &h->commits[i].id, &h->commits[i]);
    }
    return rc;
}

/* ---- deciding which changes stand ------------------------------------------ */

static int is_ancestor(ccm_history *h, const git_oid *anc, const git_oid *of)
{
    return git_oid_equal(anc, of) || git_graph_descendant_of(h->repo, of, anc) == 1;
}

/* Seniority: the founder 0, each addition one more than its adder's (the
 * least of an added member's additions). */
static void seniority(ccm_history *h)
{
    int changed = 1;

    for (size_t i = 0; i < h->nops; i++) {
        if (h->ops[i].kind == CCM_OP_ROOT) {
            json_object_set_new(h->depth, h->ops[i].target, json_integer(0));
        }
    }
    while (changed) {
        changed = 0;
        for (size_t i = 0; i < h->nops; i++) {
            const ccm_hop *op = &h->ops[i];
            json_t *d = json_object_get(h->depth, op->signer), *cur;
            if (op->kind != CCM_OP_ADD || !d) {
                continue;
            }
            cur = json_object_get(h->depth, op->target);
            if (!cur || json_integer_value(cur) > json_integer_value(d) + 1) {
                json_object_set_new(h->depth, op->target, json_integer(json_integer_value(d) + 1));
                changed = 1;
            }
        }
    }
}

/* -1 if member x is more senior than y, 1 if less, 0 if the same. */
static int senior_cmp(ccm_history *h, const char *x, const char *y)
{
    json_int_t dx = json_integer_value(json_object_get(h->depth, x));
    json_int_t dy = json_integer_value(json_object_get(h->depth, y));
    int c;

    if (!json_object_get(h->depth, x)) {
        dx = CCM_MAX_MEMBERS + 1;
    }
    if (!json_object_get(h->depth, y)) {
        dy = CCM_MAX_MEMBERS + 1;
    }
    if (dx != dy) {
        return dx < dy ? -1 : 1;
    }
    c = strcmp(x, y);
    return (c > 0) - (c < 0);
}

/* Orders two changes: the more senior signer first, then the commit id. */
static int op_cmp(ccm_history *h, const ccm_hop *a, const ccm_hop *b)
{
    int c = senior_cmp(h, a->signer, b->signer);
    return c ? c : git_oid_cmp(&a->commit, &b->commit);
}

/* What decides a change now: CCM_OP_ACCEPTED, CCM_OP_VOID, or
 * CCM_OP_UNDECIDED if it has to wait. */
static int decide(ccm_history *h, const ccm_hop *op)
{
    int waiting = 0, member = 0;

    for (size_t i = 0; i < h->nops; i++) {
        const ccm_hop *x = &h->ops[i];
        if ((x->kind == CCM_OP_ADD || x->kind == CCM_OP_ROOT) &&
            strcmp(x->target, op->signer) == 0) {
            if (x->state == CCM_OP_ACCEPTED) {
                member = 1;
            } else if (x->state == CCM_OP_UNDECIDED) {
                waiting = 1;
            }
        }
    }
    if (!member) {
        return waiting ? CCM_OP_UNDECIDED : CCM_OP_VOID;
    }
    for (size_t i = 0; i < h->nops; i++) {
        const ccm_hop *x = &h->ops[i];
        if (x->kind != CCM_OP_REMOVE || strcmp(x->target, op->signer) != 0 ||
            is_ancestor(h, &op->commit, &x->commit)) {
            continue;
        }
        if (x->state == CCM_OP_ACCEPTED) {
            return CCM_OP_VOID;
        }
        if (x->state == CCM_OP_UNDECIDED) {
            waiting = 1;
        }
    }
    return waiting ? CCM_OP_UNDECIDED : CCM_OP_ACCEPTED;
}

static int is_forced(const json_t *forced, const ccm_hop *op)
{
    char hex[GIT_OID_HEXSZ + 1];

    git_oid_tostr(hex, sizeof(hex), &op->commit);
    return json_object_get(forced, hex) != NULL;
}

static void decide_all(ccm_history *h, const json_t *forced)
{
    for (size_t i = 0; i < h->nops; i++) {
        if (h->ops[i].kind != CCM_OP_ROOT) {
            h->ops[i].state = CCM_OP_UNDECIDED;
        }
    }
    for (;;) {
        int progress = 0, left = 0;
        ccm_hop *pick = NULL;
        for (size_t i = 0; i < h->nops; i++) {
            ccm_hop *op = &h->ops[i];
            int st;
            if (op->state != CCM_OP_UNDECIDED) {
                continue;
            }
            st = op->kind == CCM_OP_REMOVE && is_forced(forced, op) ? CCM_OP_VOID : decide(h, op);
            if (st != CCM_OP_UNDECIDED) {
                op->state = st;
                progress = 1;
            } else {
                left = 1;
                if (!pick || op_cmp(h, op, pick) < 0) {
                    pick = op;
                }
            }
        }
        if (!left) {
            break;
        }
        if (!progress) {
            pick->state = CCM_OP_ACCEPTED; /* a cycle: the most senior signer's stands */
        }
    }
}

/* ---- what stands ---------------------------------------------------------- */

/* The change that stands for a member among several (additions of one
 * name, removals of one member, rotations to one epoch): the most senior
 * signer's, then the least commit id. */
static const ccm_hop *winner(ccm_history *h, int kind, const char *target, uint32_t epoch)
{
    const ccm_hop *best = NULL;

    for (size_t i = 0; i < h->nops; i++) {
        const ccm_hop *op = &h->ops[i];
        if (op->state != CCM_OP_ACCEPTED || op->kind != kind ||
            (target && strcmp(op->target, target) != 0) || (epoch && op->epoch != epoch)) {
            continue;
        }
        if (!best || op_cmp(h, op, best) < 0) {
            best = op;
        }
    }
    return best;
}

static int build_roster(ccm_history *h)
{
    const ccm_hop *root = NULL;
    json_t *members = json_array(), *commitments = json_object(), *entry;
    uint32_t epoch = 1;
    int rc = CCM_OK;

    if (!members || !commitments) {
        rc = ccm_error_set(CCM_ERROR, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < h->nops; i++) {
        if (h->ops[i].kind == CCM_OP_ROOT) {
            root = &h->ops[i];
        }
    }
    if (!root) {
        rc = ccm_error_set(CCM_EVERIFY, "the history has no founding commit");
        goto done;
    }
    json_object_set(commitments, "1",
                    json_object_get(json_object_get(root->roster, "commitments"), "1"));
    /* A copy: the removals below mark entries, and the roster is rebuilt
     * for every decision round (the root's own must stay as it was). */
    if (!(entry = json_deep_copy(ccm_roster_member(root->roster, root->target))) ||
        json_array_append_new(members, entry) < 0) {
        rc = ccm_error_set(CCM_ERROR, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < h->nops; i++) {
        const ccm_hop *op = &h->ops[i], *w;
        if (op->kind != CCM_OP_ADD || op->state != CCM_OP_ACCEPTED ||
            (w = winner(h, CCM_OP_ADD, op->target, 0)) != op) {
            continue;
        }
        if (!(entry = json_deep_copy(ccm_roster_member(op->roster, op->target)))) {
            rc = ccm_error_set(CCM_ERROR, "out of memory");
            goto done;
        }
        json_object_del(entry, "removed");
        json_object_del(entry, "removed_by");
        json_array_append_new(members, entry);
    }
    for (size_t i = 0; i < json_array_size(members); i++) {
        json_t *m = json_array_get(members, i);
        const ccm_hop *w =
            winner(h, CCM_OP_REMOVE, json_string_value(json_object_get(m, "name")), 0);
        const json_t *e = w ? ccm_roster_member(w->roster, w->target) : NULL;
        if (e) {
            json_object_set(m, "removed", json_object_get(e, "removed"));
            json_object_set(m, "removed_by", json_object_get(e, "removed_by"));
        }
    }
    for (size_t i = 0; i < h->nops; i++) {
        const ccm_hop *op = &h->ops[i];
        char e[16], hex[GIT_OID_HEXSZ + 1];
        git_commit *c = NULL;
        if (op->kind != CCM_OP_REMOVE || op->state != CCM_OP_ACCEPTED ||
            winner(h, CCM_OP_REMOVE, NULL, op->epoch) != op) {
            continue;
        }
        snprintf(e, sizeof(e), "%u", (unsigned)op->epoch);
        json_object_set(commitments, e,
                        json_object_get(json_object_get(op->roster, "commitments"), e));
        if (git_commit_lookup(&c, h->repo, &op->commit) == 0) {
            git_oid_tostr(hex, sizeof(hex), git_commit_tree_id(c));
            json_object_set_new(h->epoch_trees, e, json_string(hex));
            git_commit_free(c);
        }
        epoch = op->epoch > epoch ? op->epoch : epoch;
    }
    h->roster = json_pack("{s:i, s:i, s:O, s:O}", "format", CCM_HISTORY_FORMAT, "epoch", (int)epoch,
                          "commitments", commitments, "members", members);
    if (!h->roster || (rc = ccm_roster_canonicalise(h->roster)) < 0) {
        rc = rc < 0 ? rc : ccm_error_set(CCM_ERROR, "out of memory");
    }
done:
    json_decref(members);
    json_decref(commitments);
    return rc;
}

/* The sealed keys that stand: those the changes that stand added, for the
 * epochs that stand, sealed with the key that stands (an addition made on
 * the side of a rotation that did not stand sealed another key). */
static int build_keys(ccm_history *h)
{
    int rc = CCM_OK;

    for (size_t i = 0; i < h->nops && rc == CCM_OK; i++) {
        const ccm_hop *op = &h->ops[i];
        git_commit *c = NULL, *p = NULL;
        git_tree *t = NULL, *pt = NULL, *k = NULL, *pk = NULL;
        if (op->state != CCM_OP_ACCEPTED ||
            (op->kind == CCM_OP_REMOVE && winner(h, CCM_OP_REMOVE, NULL, op->epoch) != op)) {
            continue;
        }
        if (git_commit_lookup(&c, h->repo, &op->commit) < 0 || git_commit_tree(&t, c) < 0 ||
            (op->kind != CCM_OP_ROOT &&
             (git_commit_parent(&p, c, 0) < 0 || git_commit_tree(&pt, p) < 0))) {
            rc = ccm_git_error("cannot read history");
        }
        if (rc == CCM_OK) {
            const git_tree_entry *ke = git_tree_entry_byname(t, CCM_KEYS_DIR);
            const git_tree_entry *pke = pt ? git_tree_entry_byname(pt, CCM_KEYS_DIR) : NULL;
            if ((ke && git_tree_lookup(&k, h->repo, git_tree_entry_id(ke)) < 0) ||
                (pke && git_tree_lookup(&pk, h->repo, git_tree_entry_id(pke)) < 0)) {
                rc = ccm_git_error("cannot read keys");
            }
        }
        for (size_t e = 0; rc == CCM_OK && k && e < git_tree_entrycount(k); e++) {
            const git_tree_entry *ee = git_tree_entry_byindex(k, e);
            const char *epoch = git_tree_entry_name(ee);
            const git_tree_entry *pee = pk ? git_tree_entry_byname(pk, epoch) : NULL;
            const json_t *want = json_object_get(json_object_get(h->roster, "commitments"), epoch);
            const json_t *have = json_object_get(json_object_get(op->roster, "commitments"), epoch);
            git_tree *et = NULL, *pet = NULL;
            if (!want || !json_equal(want, have)) {
                continue; /* an epoch that does not stand, or another key of it */
            }
            if (git_tree_lookup(&et, h->repo, git_tree_entry_id(ee)) < 0 ||
                (pee && git_tree_lookup(&pet, h->repo, git_tree_entry_id(pee)) < 0)) {
                git_tree_free(et);
                rc = ccm_git_error("cannot read keys");
                break;
            }
            for (size_t j = 0; j < git_tree_entrycount(et); j++) {
                const git_tree_entry *m = git_tree_entry_byindex(et, j);
                char path[256], hex[GIT_OID_HEXSZ + 1];
                if (pet && git_tree_entry_byname(pet, git_tree_entry_name(m))) {
                    continue; /* not this change's */
                }
                snprintf(path, sizeof(path), CCM_KEYS_DIR "/%s/%s", epoch, git_tree_entry_name(m));
                git_oid_tostr(hex, sizeof(hex), git_tree_entry_id(m));
                if (!json_object_get(h->keys, path)) {
                    json_object_set_new(h->keys, path, json_string(hex));
                }
            }
            git_tree_free(et);
            git_tree_free(pet);
        }
        git_tree_free(k);
        git_tree_free(pk);
        git_tree_free(t);
        git_tree_free(pt);
        git_commit_free(c);
        git_commit_free(p);
    }
    return rc;
}

/* Marks the commits whose effects are left out, and counts them. */
static int mark_excluded(ccm_history *h)
{
    const char *name;
    json_t *d;
    int rc = CCM_OK;

    /* Every author of the history that is not a member as resolved. */
    for (size_t i = 0; i < h->ncommits; i++) {
        const json_t *m = ccm_roster_member(h->roster, h->commits[i].author);
        if (!m) {
            h->commits[i].excluded = 1;
        }
    }
    json_object_foreach(h->depth, name, d)
    {
        const json_t *m = ccm_roster_member(h->roster, name);
        ccm_oidmap seen = {0};
        git_revwalk *walk = NULL;
        git_oid oid;
        if (!m || ccm_roster_is_active(m)) {
            continue;
        }
        if (git_revwalk_new(&walk, h->repo) < 0) {
            rc = ccm_git_error("cannot walk history");
            break;
        }
        for (size_t i = 0; i < h->nops; i++) {
            if (h->ops[i].kind == CCM_OP_REMOVE && h->ops[i].state == CCM_OP_ACCEPTED &&
                strcmp(h->ops[i].target, name) == 0) {
                git_revwalk_push(walk, &h->ops[i].commit);
            }
        }
        while (rc == CCM_OK && git_revwalk_next(&oid, walk) == 0) {
            rc = ccm_oidmap_put(&seen, &oid, (void *)1);
        }
        for (size_t i = 0; rc == CCM_OK && i < h->ncommits; i++) {
            if (strcmp(h->commits[i].author, name) == 0 &&
                !ccm_oidmap_get(&seen, &h->commits[i].id)) {
                h->commits[i].excluded = 1;
            }
        }
        git_revwalk_free(walk);
        ccm_oidmap_free(&seen);
    }
    for (size_t i = 0; rc == CCM_OK && i < h->ncommits; i++) {
        const ccm_hcommit *c = &h->commits[i];
        if (c->excluded && c->nparents <= 1) {
            json_int_t n = json_integer_value(json_object_get(h->left_out, c->author));
            json_object_set_new(h->left_out, c->author, json_integer(n + 1));
        }
    }
    return rc;
}

/* Marks the commits whose effects the merge's view and a side's own view
 * judge differently: left out here but applied on that side (their effects
 * are in that side's records), or applied here but left out on that side
 * (a removal that stood there turns out void: their effects must come back).
 * Only the records such commits touched differ from what a plain merge of
 * the two sides gives; they are replayed. A record whose every version
 * agrees is never opened: a member need not hold the key of every epoch a
 * side went through, only of what it merges. */
static int mark_differing(ccm_history *h, const ccm_history *side)
{
    for (size_t i = 0; i < side->ncommits; i++) {
        ccm_hcommit *c = ccm_oidmap_get(&h->index, &side->commits[i].id);
        if (c && c->excluded != side->commits[i].excluded) {
            c->contested = 1;
        }
    }
    return CCM_OK;
}

/* Keys of every epoch both sides hold, so records sealed under any of them
 * open (those of a dropped epoch or of a rotation that did not stand are
 * sealed again). */
static void load_side_keys(ccm_history *h, const git_commit *c)
{
    git_tree *t = NULL;
    json_t *r = NULL;
    const char *e;
    json_t *v;

    if (!h->s->id || git_commit_tree(&t, c) < 0 || ccm_store_read_roster(&r, h->repo, t) < 0) {
        goto done;
    }
    json_object_foreach(json_object_get(r, "commitments"), e, v)
    {
        (void)v;
        ccm_store_load_key_with(h->s, t, r, (uint32_t)strtoul(e, NULL, 10));
    }
done:
    ccm_error_clear();
    json_decref(r);
    git_tree_free(t);
}

/* The membership and the commits left out of the history below a and b. */
static int resolve_core(ccm_history **out, ccm_store *s, const git_commit *a, const git_commit *b)
{
    ccm_history *h = calloc(1, sizeof(*h));
    json_t *forced = json_object();
    int rc;

    *out = NULL;
    if (!h || !forced || !(h->depth = json_object()) || !(h->keys = json_object()) ||
        !(h->epoch_trees = json_object()) || !(h->left_out = json_object()) ||
        !(h->touched = json_object()) || !(h->touched_list = json_array())) {
        json_decref(forced);
        ccm_history_free(h);
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    h->s = s;
    h->repo = s->repo;
    if ((rc = scan(h, a, b)) < 0) {
        goto done;
    }
    seniority(h);
    for (;;) {
        const ccm_hop *drop = NULL;
        decide_all(h, forced);
        json_decref(h->roster);
        h->roster = NULL;
        if ((rc = build_roster(h)) < 0) {
            goto done;
        }
        if (ccm_roster_active_admins(h->roster) > 0) {
            break;
        }
        /* No admin left: drop the removal of the most senior admin. */
        for (size_t i = 0; i < h->nops; i++) {
            const ccm_hop *op = &h->ops[i];
            const json_t *t = ccm_roster_member(op->roster, op->target);
            const char *role = json_string_value(json_object_get(t, "role"));
            if (op->kind == CCM_OP_REMOVE && op->state == CCM_OP_ACCEPTED && role &&
                strcmp(role, "admin") == 0 &&
                (!drop || senior_cmp(h, op->target, drop->target) < 0 ||
                 (senior_cmp(h, op->target, drop->target) == 0 &&
                  git_oid_cmp(&op->commit, &drop->commit) < 0))) {
                drop = op;
            }
        }
        if (!drop) {
            rc = ccm_error_set(CCM_EVERIFY, "the history leaves the group without an admin");
            goto done;
        }
        {
            char hex[GIT_OID_HEXSZ + 1];
            git_oid_tostr(hex, sizeof(hex), &drop->commit);
            json_object_set_new(forced, hex, json_true());
        }
    }
    if ((rc = build_keys(h)) < 0 || (rc = mark_excluded(h)) < 0) {
        goto done;
    }
done:
    json_decref(forced);
    if (rc < 0) {
        ccm_history_free(h);
    } else {
        *out = h;
    }
    return rc;
}

int ccm_history_resolve(ccm_history **out, ccm_store *s, const git_commit *a, const git_commit *b)
{
    ccm_history *h = NULL, *va = NULL, *vb = NULL;
    int rc;

    *out = NULL;
    /* The merge's view, and each side's own: what each side's records hold. */
    if ((rc = resolve_core(&h, s, a, b)) < 0 || (rc = resolve_core(&va, s, a, a)) < 0 ||
        (rc = resolve_core(&vb, s, b, b)) < 0 || (rc = mark_differing(h, va)) < 0 ||
        (rc = mark_differing(h, vb)) < 0 || (rc = ccm_history_collect_touched(h)) < 0) {
        goto done;
    }
    load_side_keys(h, a);
    load_side_keys(h, b);
    h->resealing = 1;
    *out = h;
    h = NULL;
done:
    ccm_history_free(h);
    ccm_history_free(va);
    ccm_history_free(vb);
    return rc;
}

int ccm_history_roster(json_t **out, ccm_history *h)
{
    *out = json_deep_copy(h->roster);
    return *out ? CCM_OK : ccm_error_set(CCM_ERROR, "out of memory");
}

int ccm_history_keys(json_t **out, ccm_history *h)
{
    *out = json_deep_copy(h->keys);
    return *out ? CCM_OK : ccm_error_set(CCM_ERROR, "out of memory");
}

const ccm_groupkey *ccm_history_epoch_key(ccm_history *h, ccm_store *s, uint32_t epoch)
{
    char e[16];
    const char *hex;
    git_oid id;
    git_tree *t = NULL;

    snprintf(e, sizeof(e), "%u", (unsigned)epoch);
    if ((hex = json_string_value(json_object_get(h->epoch_trees, e))) &&
        git_oid_fromstr(&id, hex) == 0 && git_tree_lookup(&t, h->repo, &id) == 0) {
        ccm_store_load_key_with(s, t, NULL, epoch);
        git_tree_free(t);
    } else {
        /* Epoch 1, or one both sides agree on: any side's tree has it. */
        for (size_t i = 0; i < h->nops; i++) {
            git_commit *c = NULL;
            if (h->ops[i].state == CCM_OP_ACCEPTED && h->ops[i].epoch >= epoch &&
                git_commit_lookup(&c, h->repo, &h->ops[i].commit) == 0 &&
                git_commit_tree(&t, c) == 0) {
                ccm_store_load_key_with(s, t, h->roster, epoch);
            }
            git_tree_free(t);
            t = NULL;
            git_commit_free(c);
            if (ccm_store_key_for(s, epoch, h->roster)) {
                break;
            }
        }
    }
    ccm_error_clear();
    return ccm_store_key_for(s, epoch, h->roster);
}

int ccm_history_resealing(const ccm_history *h)
{
    return h->resealing;
}

int ccm_history_key_ok(ccm_history *h, const ccm_groupkey *key, const char *name,
                       const uint8_t *env, size_t len)
{
    uint32_t epoch = 0;
    uint8_t *pt = NULL;
    size_t pt_len = 0;
    int ok;

    (void)h;
    if (ccm_envelope_epoch(&epoch, env, len) < 0 || epoch != ccm_groupkey_epoch(key)) {
        ccm_error_clear();
        return 0;
    }
    ok = ccm_envelope_open(&pt, &pt_len, key, (const uint8_t *)name, CCM_NAME_LEN, env, len) ==
         CCM_OK;
    if (pt) {
        ccm_wipe_free(pt, pt_len);
    }
    ccm_error_clear();
    return ok;
}

int ccm_history_info(ccm_history *h, ccm_merge_info *info)
{
    json_decref(info->left_out);
    json_decref(info->excluded);
    info->left_out = json_object_size(h->left_out) ? json_deep_copy(h->left_out) : NULL;
    if (!(info->excluded = json_object())) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    for (size_t i = 0; i < h->ncommits; i++) {
        char hex[GIT_OID_HEXSZ + 1];
        if (h->commits[i].excluded) {
            git_oid_tostr(hex, sizeof(hex), &h->commits[i].id);
            if (json_object_set_new(info->excluded, hex, json_true()) < 0) {
                return ccm_error_set(CCM_ERROR, "out of memory");
            }
        }
    }
    return CCM_OK;
}

int ccm_history_left_out(json_t **out, ccm_store *s, const git_commit *head)
{
    git_tree *t = NULL;
    json_t *roster = NULL, *set = json_object();
    ccm_history *h = NULL;
    const json_t *m;
    size_t i;
    int removals = 0, rc;

    *out = NULL;
    if (!set) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    if (git_commit_tree(&t, head) < 0) {
        rc = ccm_git_error("cannot read commit");
        goto done;
    }
    if ((rc = ccm_store_read_roster(&roster, s->repo, t)) < 0) {
        goto done;
    }
    json_array_foreach(json_object_get(roster, "members"), i, m)
    {
        removals |= json_object_get(m, "removed") != NULL;
    }
    /* Without a removal no commit is left out: skip the walk. */
    if (removals && (rc = resolve_core(&h, s, head, head)) == CCM_OK) {
        for (i = 0; rc == CCM_OK && i < h->ncommits; i++) {
            char hex[GIT_OID_HEXSZ + 1];
            if (h->commits[i].excluded) {
                git_oid_tostr(hex, sizeof(hex), &h->commits[i].id);
                if (json_object_set_new(set, hex, json_true()) < 0) {
                    rc = ccm_error_set(CCM_ERROR, "out of memory");
                }
            }
        }
    }
done:
    ccm_history_free(h);
    json_decref(roster);
    git_tree_free(t);
    if (rc < 0) {
        json_decref(set);
        return rc;
    }
    *out = set;
    return CCM_OK;
}

int ccm_history_member_info(json_t **out, ccm_merge_info *info, ccm_store *s, const git_commit *a,
                            const git_commit *b, const char *member)
{
    ccm_history *h = NULL;
    const json_t *m;
    int rc;

    *out = NULL;
    if ((rc = resolve_core(&h, s, a, b)) < 0) {
        return rc;
    }
    if ((m = ccm_roster_member(h->roster, member)) && !(*out = json_deep_copy(m))) {
        rc = ccm_error_set(CCM_ERROR, "out of memory");
    }
    if (rc == CCM_OK && info) {
        rc = ccm_history_info(h, info);
    }
    ccm_history_free(h);
    return rc;
}

int ccm_history_member(json_t **out, ccm_store *s, const git_commit *a, const git_commit *b,
                       const char *member)
{
    return ccm_history_member_info(out, NULL, s, a, b, member);
}
