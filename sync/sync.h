/*
 * sync.h - the group over git remotes: remotes, join, membership changes,
 * and sync (fetch, verify, merge, push).
 *
 * A remote is any URL libgit2 understands: a path or file:// URL (a USB
 * stick, a shared folder), git://, http(s)://, ssh://. Local-path remotes
 * are created (bare) on first sync, if their parent folder exists, and get a
 * compare-and-swap of their own, since libgit2 updates their refs
 * unconditionally.
 *
 * Nothing here prints: progress goes to a callback the caller provides.
 */
#ifndef CCM_SYNC_H
#define CCM_SYNC_H

#include <stddef.h>

#include "../store/store.h"

/* ---- remotes --------------------------------------------------------------- */

typedef struct {
    char *name;
    char *url;
    char *last_sync; /* RFC 3339 of the last successful sync, or NULL */
    size_t unsynced; /* local commits the remote has not seen (as of the last fetch) */
} ccm_remote_info;

/* CCM_EINVALID if the name is not [A-Za-z0-9._-]{1,64} or already taken. */
int ccm_sync_remote_add(ccm_store *s, const char *name, const char *url);
int ccm_sync_remote_remove(ccm_store *s, const char *name);

/* 1 if a sync with `url` would create a new hub there: a path or file://
 * URL naming a folder that does not exist (in a folder that does) or an
 * empty folder. */
int ccm_sync_remote_is_new_hub(const char *url);

/* The remotes, sorted by name; free with ccm_sync_remote_list_free. */
int ccm_sync_remote_list(ccm_remote_info **out, size_t *n, ccm_store *s);
void ccm_sync_remote_list_free(ccm_remote_info *list, size_t n);

/* ---- sync ------------------------------------------------------------------ */

/* Progress of a transfer: `what` is "fetch" or "push"; total may be 0. */
typedef void (*ccm_progress_fn)(const char *what, size_t done, size_t total, size_t bytes,
                                void *payload);

typedef struct {
    size_t incoming;  /* new commits fetched and verified */
    int fast_forward; /* the local branch moved to the remote's */
    int merged;       /* a merge commit was written */
    int pushed;       /* the remote moved to our head */
    int rounds;       /* fetch-merge-push rounds (the remote moved meanwhile) */
    char head[41];    /* local head afterwards */
    char **warnings;  /* e.g. changes stamped in the future */
    size_t nwarnings;
} ccm_sync_result;

void ccm_sync_result_free(ccm_sync_result *r);

/* Fetches `remote`, verifies every new commit (refusing the whole sync with
 * CCM_EVERIFY and no local change on any failure), merges (fast-forward, or
 * a signed merge commit joining records changed on both sides), and pushes;
 * if the remote moved meanwhile, goes round again (at most 5 times).
 * CCM_EUNREACHABLE if the remote cannot be reached. Holds the store's write
 * lock throughout. */
int ccm_sync_run(ccm_sync_result *out, ccm_store *s, const char *remote, ccm_progress_fn progress,
                 void *payload);

/* ---- joining and membership ------------------------------------------------- */

/* Creates a store in `dir` by cloning `url` (which becomes `origin`) and
 * verifying its whole history, with a new identity for `member`. The member
 * can read once an admin has added them and both have synced. *request is
 * the join request line to hand to an admin (caller frees). */
int ccm_sync_join(char **request, const char *dir, const char *url, const char *member,
                  const char *pass, size_t pass_len);

/* Admits the member of a join request with `role` (admin, editor, reader):
 * records their keys and role in the roster and seals every group key epoch
 * to them, in one signed commit. Admins only (CCM_EDENIED otherwise);
 * CCM_EINVALID for a malformed request or a name taken by another key. */
int ccm_sync_member_add(ccm_store *s, const char *request, const char *role);

/* Removes a member (admins only; not the last admin): marks them removed in
 * the roster and starts a new group key epoch sealed to the remaining
 * members only, so nothing written from then on can be read by the removed
 * member. What they already had stays theirs. One signed commit. */
int ccm_sync_member_remove(ccm_store *s, const char *name);

#endif
