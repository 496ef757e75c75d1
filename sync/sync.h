/*
 * sync.h - the group over git remotes: remotes, join,
 * and sync (fetch, verify, merge, push).
 *
 * A remote is any URL libgit2 understands: a path or file:// URL (a USB
 * stick, a shared folder), git://, http(s)://, ssh:// and the scp-like
 * user@host:path. Local-path remotes are created (bare) on first sync, if
 * their parent folder exists, and get a compare-and-swap of their own, since
 * libgit2 updates their refs unconditionally. Network remotes get
 * credentials (ssh keys, git's credential helpers), host-key and certificate
 * checks (see ccm_sync_set_prompt).
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

/* A member some of whose commits a merge left out (strong removal). */
typedef struct {
    char member[65];
    size_t commits;
} ccm_left_out;

typedef struct {
    size_t incoming;  /* new commits fetched, verified and kept */
    int fast_forward; /* the local branch moved to the remote's */
    int merged;       /* a merge commit was written */
    int pushed;       /* the remote moved to our head */
    int replaced;     /* the remote's tip (refused, or a removed member's late work this
                         member cannot check) was replaced by our history */
    int admitted;     /* the key arrived: the whole history was verified again */
    int rounds;       /* fetch-merge-push rounds (the remote moved meanwhile) */
    char head[41];    /* local head afterwards */
    char **warnings;  /* e.g. changes stamped in the future */
    size_t nwarnings;
    ccm_left_out *left_out; /* commits not applied: a removed member's */
    size_t nleft_out;
    size_t refused;              /* incoming commits refused (and those built on them) */
    char refused_commit[41];     /* the first refused */
    char refused_by[65];         /* its author */
    char refused_reason[256];    /* why */
    int left_pending;            /* this member could not merge (records sealed under a key it
                                    never held): its history is left on the remote for another */
    char pending_merged[16][65]; /* members whose histories left on the remote were merged here */
    size_t npending_merged;
} ccm_sync_result;

void ccm_sync_result_free(ccm_sync_result *r);

/* Fetches `remote`, verifies every new commit (trust by effect), merges
 * what it keeps (fast-forward, or a signed merge commit: the deterministic
 * merge, which leaves out what a removed member did after the removal and
 * reports it in left_out), and pushes; if the remote moved meanwhile, goes
 * round again (at most 5 times). Commits it refuses, and those built on
 * them, are not taken; the remote's tip, if refused, is replaced by this
 * replica's history (compare-and-swap), and the result is CCM_EVERIFY
 * naming the first refused commit, with *out filled as for a success. A
 * remote holding an unrelated history is refused and left alone.
 * CCM_EUNREACHABLE if the remote cannot be reached. Holds the store's write
 * lock throughout. */
int ccm_sync_run(ccm_sync_result *out, ccm_store *s, const char *remote, ccm_progress_fn progress,
                 void *payload);

/* ---- credentials ------------------------------------------------------------ */

/* Asks the person at the terminal for a secret, echo off: at most cap-1
 * bytes and a NUL into buf; returns the length, or -1 if nobody can be
 * asked. `question` ends with ": ". */
typedef long (*ccm_prompt_fn)(char *buf, size_t cap, const char *question);

/* Sets the process-wide prompt for the passphrase of an ssh key (used only
 * when stdin is a terminal and CCMSYNC_SSH_PASSPHRASE is unset; NULL: never
 * ask). Remotes over ssh log in with ssh-agent's keys, then the key files
 * of ~/.ssh/config or ~/.ssh/id_ed25519, id_ecdsa, id_rsa, after checking
 * the host key against known_hosts; https remotes use CCMSYNC_HTTPS_TOKEN
 * or git's credential helpers. */
void ccm_sync_set_prompt(ccm_prompt_fn fn);

/* ---- joining and membership ------------------------------------------------- */

/* Creates a store in `dir` by cloning `url` (which becomes `origin`) and
 * verifying its whole history, with a new identity for `member`. The member
 * can read once an admin has added them and both have synced. *request is
 * the join request line to hand to an admin (caller frees). With `expect`
 * (an SSH fingerprint, "SHA256:..."), the group's founder must have that
 * signing key (CCM_EVERIFY otherwise, nothing kept). */
int ccm_sync_join(char **request, const char *dir, const char *url, const char *member,
                  const char *pass, size_t pass_len, const char *expect);

/* ccm_sync_join with the clone's progress reported to `progress` ("fetch"). */
int ccm_sync_join_progress(char **request, const char *dir, const char *url, const char *member,
                           const char *pass, size_t pass_len, const char *expect,
                           ccm_progress_fn progress, void *payload);

#endif
