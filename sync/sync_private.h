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

/* CCMSYNC_TRACE=1: prints the time since *t0 for `phase` on stderr, then
 * sets *t0 to now (sync.c). */
void ccm_sync_trace(const char *phase, struct timespec *t0);

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
 * absent). CCM_ELOCKED if the remote moved, CCM_EUNREACHABLE. */
int ccm_sync_push(ccm_store *s, git_remote *remote, const git_oid *ours, const git_oid *expected,
                  ccm_transfer *t);

/* Merges commit `theirs` into `ours` (neither an ancestor of the other):
 * records changed on both sides since the merge base are joined; roster and
 * keys are merged. *out is the new signed merge commit (not on any ref). */
int ccm_sync_merge(git_oid *out, ccm_store *s, const git_oid *ours, const git_oid *theirs);

/* Records changed on both sides of a merge, joined on worker threads
 * (joins.c). Add the jobs, then run: for each job in the order added, either
 * emit gets the sealed join (to write as a blob), or redo is asked to do that
 * job on the calling thread (a key not loaded yet, or an error to report). */
typedef struct ccm_joins ccm_joins;
typedef int (*ccm_joins_emit_fn)(void *ctx, const char *name, const git_oid *id, const uint8_t *env,
                                 size_t len);
typedef int (*ccm_joins_redo_fn)(void *ctx, const char *name, const git_oid *ours,
                                 const git_oid *theirs);
int ccm_joins_add(ccm_joins **js, const char *name, const git_oid *ours, const git_oid *theirs);
int ccm_joins_run(ccm_joins *js, ccm_store *s, ccm_joins_emit_fn emit, ccm_joins_redo_fn redo,
                  void *ctx);
void ccm_joins_free(ccm_joins *js);

/* Fills last_sync/unsynced of a remote from local state. */
void ccm_sync_remote_state(ccm_store *s, ccm_remote_info *info);

/* Records a successful sync with a remote (time), or forgets a remote. */
void ccm_sync_record(ccm_store *s, const char *remote);
void ccm_sync_forget(ccm_store *s, const char *remote);

#endif
