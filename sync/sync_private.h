/*
 * sync_private.h - what the files of sync/ share: transfers, the merge, and
 * the local record of past syncs.
 */
#ifndef CCM_SYNC_PRIVATE_H
#define CCM_SYNC_PRIVATE_H

#include "../store/store_private.h"
#include "sync.h"

#include <time.h>

#define CCM_INCOMING_PREFIX "refs/ccmsync/incoming/"
#define CCM_TRACKING_PREFIX "refs/remotes/"
#define CCM_SYNC_ROUNDS 5

/* CCMSYNC_TRACE=1: phase times (store/trace.c). */
#define ccm_sync_trace ccm_store_trace

/* State of one transfer, handed to libgit2's callbacks. */
typedef struct {
    ccm_progress_fn fn;
    void *payload;
    char rejected[256]; /* a push status from the server, if any */
} ccm_transfer;

/* Creates a remote without a fetch refspec (see remote.c). */
int ccm_sync_remote_create(git_repository *repo, const char *name, const char *url);

/* 1 if the URL is a path or file:// URL; its path. */
int ccm_sync_is_local(const char *url);
const char *ccm_sync_local_path(const char *url);

/* Fetches the remote's branch into refs/ccmsync/incoming/<name>;
 * *has_theirs is 0 if the remote has no branch yet. CCM_EUNREACHABLE.
 * `remote` should be anonymous (git_remote_create_anonymous): a named remote's
 * configured refspecs would make libgit2 update remote-tracking refs before
 * the history is verified. */
int ccm_sync_fetch(git_oid *theirs, int *has_theirs, ccm_store *s, const char *name,
                   git_remote *remote, ccm_transfer *t);

/* Copies into `to` every object reachable from commit `tip` in `from` that
 * `to` lacks, as one pack (local.c). `what` names `from` in errors ("remote",
 * "store"): a missing or unreadable object there is CCM_EVERIFY. `phase`
 * ("fetch", "push") is passed to the progress callback. */
int ccm_sync_copy_objects(git_repository *from, git_repository *to, const git_oid *tip,
                          const char *what, const char *phase, ccm_transfer *t);

/* Deletes the quarantine ref of a remote. */
void ccm_sync_drop_incoming(ccm_store *s, const char *remote);

/* Pushes `ours` to the remote's branch, expected to be at `expected` (NULL:
 * absent); with `replace`, ours need not descend from it (the remote's tip
 * was refused). CCM_ELOCKED if the remote moved, CCM_EUNREACHABLE. */
int ccm_sync_push(ccm_store *s, git_remote *remote, const git_oid *ours, const git_oid *expected,
                  int replace, ccm_transfer *t);

/* Merges commit `theirs` into `ours` (neither an ancestor of the other):
 * the deterministic merge of store/merge.c, committed as a signed merge
 * commit (not on any ref) whose id is *out. `info` (may be NULL) tells what
 * the merge left out. */
int ccm_sync_merge(git_oid *out, ccm_store *s, const git_oid *ours, const git_oid *theirs,
                   ccm_merge_info *info);

/* What a fetch brought, verified commit by commit (incoming.c). */
typedef struct {
    git_oid *heads; /* the kept commits with no kept child among the new ones */
    size_t nheads, capheads;
    size_t kept, refused; /* new commits kept, refused (themselves or their ancestors) */
    int unrelated;        /* the remote holds another history */
    char first[41];       /* the first refused commit */
    char by[65];          /* its author */
    char reason[256];     /* why */
} ccm_incoming;
int ccm_sync_verify_incoming(ccm_incoming *in, ccm_store *s, const git_oid *theirs,
                             const git_oid *ours, json_t *warnings);
void ccm_incoming_free(ccm_incoming *in);

/* Fills last_sync/unsynced of a remote from local state. */
void ccm_sync_remote_state(ccm_store *s, ccm_remote_info *info);

/* Records a successful sync with a remote (time), or forgets a remote. */
void ccm_sync_record(ccm_store *s, const char *remote);
void ccm_sync_forget(ccm_store *s, const char *remote);

#endif
