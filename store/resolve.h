/*
 * resolve.h - what resolve.c (the membership of a merged history) and
 * replay.c (records replayed without the commits it leaves out) share.
 * Private to store/.
 */
#ifndef CCM_STORE_RESOLVE_H
#define CCM_STORE_RESOLVE_H

#include "store_private.h"

/* One commit of the merged history. */
typedef struct {
    git_oid id;
    git_oid parent; /* first parent (zero for the root) */
    unsigned nparents;
    char author[65];
    int excluded;  /* its effects are left out */
    int contested; /* left out or applied otherwise than by a side's own view:
                      the records it touched are replayed */
} ccm_hcommit;

enum { CCM_OP_ROOT, CCM_OP_ADD, CCM_OP_REMOVE };
enum { CCM_OP_UNDECIDED, CCM_OP_ACCEPTED, CCM_OP_VOID };

/* One membership change: a non-merge commit whose roster differs from its
 * parent's. */
typedef struct {
    git_oid commit;
    char signer[65];
    char target[65];
    int kind, state;
    json_t *roster; /* the commit's roster (owned) */
    uint32_t epoch; /* its epoch */
} ccm_hop;

struct ccm_history {
    ccm_store *s;
    git_repository *repo;
    ccm_hcommit *commits;
    size_t ncommits, capc;
    ccm_oidmap index; /* commit id -> ccm_hcommit* */
    ccm_hop *ops;
    size_t nops, capo;
    json_t *depth;        /* member -> seniority (0 for the founder) */
    json_t *roster;       /* resolved */
    json_t *keys;         /* "keys/E/NAME" -> blob id hex, resolved */
    json_t *epoch_trees;  /* "E" -> tree id hex of the rotation that stands */
    json_t *left_out;     /* member -> count of non-merge commits left out */
    json_t *touched;      /* record name -> true */
    json_t *touched_list; /* the same names, in order */
    int resealing;
};

/* The records touched by left-out commits, and what the merge reports
 * (replay.c). */
int ccm_history_collect_touched(ccm_history *h);

#endif
