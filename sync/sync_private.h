/*
 * sync_private.h - what the files of sync/ share: transfers, the merge, and
 * the local record of past syncs.
 */
#ifndef CCM_SYNC_PRIVATE_H
#define CCM_SYNC_PRIVATE_H

#include "../store/store_git.h"
#include "sync.h"

#include <time.h>

#define CCM_INCOMING_PREFIX "refs/ccmsync/incoming/"
#define CCM_TRACKING_PREFIX "refs/remotes/"
#define CCM_PENDING_PREFIX "refs/ccmsync/pending/"       /* on a remote: pending.c */
#define CCM_PENDING_IN_PREFIX "refs/ccmsync/pending-in/" /* their local quarantine */
#define CCM_PENDING_MAX 64                               /* pending histories looked at */
#define CCM_SYNC_ROUNDS 5

typedef struct ccm_auth ccm_auth;

/* State of one transfer, handed to libgit2's callbacks. */
typedef struct {
    ccm_progress_fn fn;
    void *payload;
    char rejected[256]; /* a push status from the server, if any */
    ccm_auth *auth;     /* credentials and host-key state of a network remote,
                           kept for the whole command (connect.c) */
} ccm_transfer;

/* ---- network remotes --------------------------------------------------------
 * url.c, ssh_config.c, known_hosts.c: pure parsing and matching;
 * ssh_auth.c, https_auth.c: libgit2's credential and certificate callbacks;
 * connect.c: what fetch, push and clone call around a transfer. */

/* A parsed remote URL. */
typedef struct {
    char *scheme;   /* lower case ("ssh" for scp-like and git+ssh); NULL for a path */
    char *user;     /* decoded; NULL if absent */
    char *password; /* decoded; NULL if absent (wiped when freed) */
    char *host;     /* without [brackets] */
    int port;       /* 0: the scheme's default */
    char *path;     /* from the first '/' of a URL; as written after ':' (scp-like); a path */
    int scp;        /* written [user@]host:path */
} ccm_url;

/* Parses url (-1 if malformed: no host, bad port, bad %-escape, spaces or
 * line breaks). Free with ccm_url_free (NULL-safe, wipes the password). */
int ccm_url_parse(ccm_url *out, const char *url);
void ccm_url_free(ccm_url *u);

/* 1 if url is git's scp-like ssh form: no "scheme://", a ':' before any '/'. */
int ccm_url_is_scp(const char *url);

/* "ssh://user@host[:port]/path" (user percent-encoded, port left out when
 * 22); an scp-like relative or ~ path becomes "/~/path". NULL if too long. */
char *ccm_url_ssh_format(const char *user, const char *host, int port, const char *path, int scp);

/* A growable NULL-terminated list of strings. */
typedef struct {
    char **v;
    size_t n, cap; /* n strings, then NULL; cap allocated (ccm_grow) */
} ccm_strlist;
int ccm_strlist_add(ccm_strlist *l, const char *s);
void ccm_strlist_free(ccm_strlist *l);

/* What ~/.ssh/config says about one host (ssh_config.c). */
typedef struct {
    char *hostname;       /* HostName (%h expanded); after finish: the host to reach */
    char *user;           /* User; after finish: the login */
    char *host_key_alias; /* HostKeyAlias: the name looked up in known_hosts */
    int port;             /* Port (0 unset); after finish: the port */
    int identities_only, identities_only_set;
    ccm_strlist identity; /* IdentityFile, in order; after finish: expanded, or the defaults */
    ccm_strlist user_known_hosts, global_known_hosts; /* after finish: expanded, or defaults */
    int user_known_set, global_known_set;
} ccm_ssh_host;

/* ssh's pattern match: '*' any run, '?' one character, case-insensitive. */
int ccm_ssh_pattern_match(const char *name, const char *pattern);

/* 1 if one pattern matches and no "!pattern" does. */
int ccm_ssh_patterns_match(const char *name, char *const *patterns, size_t n);

/* Applies config text for the host named `alias` in the URL: first value
 * wins, IdentityFile accumulates; Include paths are relative to `incdir`;
 * `file` names the text in errors. CCM_EINVALID on a malformed line we use. */
int ccm_ssh_config_parse(ccm_ssh_host *h, const char *text, size_t len, const char *file,
                         const char *alias, const char *incdir, const char *home, int depth);

/* The same from a file; a missing or unreadable file applies nothing. */
int ccm_ssh_config_load(ccm_ssh_host *h, const char *path, const char *alias, const char *incdir,
                        const char *home, int depth);

/* Completes h after every file: the URL's user and port win; defaults (the
 * local user, port 22, ~/.ssh/id_ed25519, id_ecdsa, id_rsa, ssh's known-hosts
 * files); ~ and %-tokens expanded. */
int ccm_ssh_host_finish(ccm_ssh_host *h, const char *alias, const char *url_user, int url_port,
                        const char *home, const char *local_user);
void ccm_ssh_host_free(ccm_ssh_host *h);

/* Verdicts of known_hosts, in increasing precedence (known_hosts.c). */
enum { CCM_KH_UNKNOWN, CCM_KH_OTHER_TYPE, CCM_KH_CHANGED, CCM_KH_MATCH, CCM_KH_REVOKED };
typedef struct {
    int status;      /* the highest verdict seen so far: zero-initialise, then check each file */
    char where[600]; /* "FILE line N" of the entry behind CHANGED or REVOKED */
    char types[160]; /* labels of the other key types known for the host (OTHER_TYPE) */
} ccm_kh_result;

/* The name known_hosts uses: "host", or "[host]:port" off port 22. */
void ccm_known_hosts_name(char *out, size_t cap, const char *host, int port);

/* Checks the text of one known_hosts file (named `file` in r->where) for
 * `name` and the key blob offered (ssh wire format), raising r->status. */
void ccm_known_hosts_check(ccm_kh_result *r, const char *text, size_t len, const char *file,
                           const char *name, const uint8_t *key, size_t key_len);

/* The type name inside a key blob ("ssh-ed25519"); -1 if malformed. */
int ccm_ssh_key_type(char *out, size_t cap, const uint8_t *key, size_t len);

/* How ssh-keygen names a key type: "ED25519", "ECDSA", "RSA" (else the type). */
const char *ccm_ssh_key_type_label(const char *type);

/* "SHA256:<unpadded base64>" of a key blob, as ssh-keygen -l prints it. */
void ccm_ssh_key_fingerprint(char *out, size_t cap, const uint8_t *key, size_t len);

/* One ssh key file offered to the server (ssh_auth.c). */
typedef struct {
    char *path;
    int encrypted; /* needs a passphrase */
    char *pass;    /* sodium_malloc'ed once asked for, kept for the command */
} ccm_ssh_key;

/* Credentials and host-key state of a network remote for one command. */
struct ccm_auth {
    char *configured;  /* the remote's URL as configured */
    ccm_url url;       /* ... parsed */
    char *effective;   /* the URL handed to libgit2 */
    char reason[1500]; /* why ccmsync refused or gave up on the last connection */
    int tls_refused;   /* the last TLS certificate was not valid */
    int calls;         /* credential requests in the current connection */
    /* ssh */
    ccm_ssh_host host; /* resolved: hostname, user, port, keys, known_hosts files */
    int agent;         /* offer ssh-agent's keys first */
    ccm_ssh_key *keys;
    size_t nkeys;
    size_t next;       /* next candidate in this connection (agent first) */
    int last_key;      /* index of the key file last offered, -1 for none */
    char tried[600];   /* what was offered, for the message */
    char skipped[600]; /* keys left out, and why */
    /* https */
    char *desc;   /* "protocol=..\nhost=..\npath=..\n" for git credential */
    char *user;   /* sodium_malloc'ed */
    char *pass;   /* sodium_malloc'ed */
    int source;   /* CCM_CRED_NONE, _VARIABLE, _HELPER */
    int approved; /* git credential approve ran */
};

enum { CCM_CRED_NONE, CCM_CRED_VARIABLE, CCM_CRED_HELPER };

/* Sets a->reason (cut to fit; prompt.c). */
void ccm_auth_reason(ccm_auth *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* $HOME (as libgit2 reads it), else the password database's. */
const char *ccm_sync_home(void);

/* ssh_auth.c: resolves the host through the ssh config and lists the keys
 * to offer; sets a->effective. */
int ccm_ssh_auth_prepare(ccm_auth *a);

/* libgit2's credential callback for ssh: ssh-agent, then each key file;
 * GIT_EAUTH (a->reason set) once none is left. */
int ccm_ssh_auth_credential(git_credential **out, ccm_auth *a, const char *user,
                            unsigned int allowed);

/* libgit2's certificate callback for ssh: 0 if the host key is in a
 * known_hosts file; -1 with a->reason otherwise. */
int ccm_ssh_auth_hostkey(ccm_auth *a, git_cert *cert);

/* Explains a failed ssh connection in a->reason, if we can say more than
 * libgit2 (a wrong passphrase, keys refused). */
void ccm_ssh_auth_explain(ccm_auth *a, const char *git_message);

/* https_auth.c: applies the CA file or folder (GIT_SSL_CAINFO/CAPATH,
 * http.sslCAInfo/sslCAPath from repo's config, or the user's if repo is
 * NULL) and prepares the description for git credential. */
int ccm_https_auth_prepare(ccm_auth *a, git_repository *repo);

/* libgit2's credential callback for http(s): a token from
 * CCMSYNC_HTTPS_TOKEN, else `git credential fill`; the second request in
 * one connection means they were refused: `git credential reject`, then
 * GIT_EAUTH with a->reason. */
int ccm_https_auth_credential(git_credential **out, ccm_auth *a, unsigned int allowed);

/* `git credential approve` once, after a transfer that used a helper's
 * credentials succeeded. */
void ccm_https_auth_approve(ccm_auth *a);

/* Parses `git credential fill` output (key=value lines): username and
 * password into sodium_malloc'ed strings. -1 if either is missing. */
int ccm_credential_parse(char **user, char **pass, const char *text, size_t len);

/* Asks the terminal for a secret through the hook the command line set
 * (ccm_sync_set_prompt); -1 if none, or stdin is not a terminal (prompt.c). */
long ccm_sync_prompt(char *buf, size_t cap, const char *question);

/* connect.c: libgit2's fetch and clone progress, passed on to the
 * transfer's callback (payload: the ccm_transfer). */
int ccm_transfer_fetch_progress(const git_indexer_progress *stats, void *payload);

/* connect.c: CCM_EINVALID for a network URL we cannot parse or one that
 * holds a password (it would be kept in the store's config). */
int ccm_sync_url_check(const char *url);

/* connect.c: before a libgit2 transfer with `url` (fetch, push, clone):
 * sets up t->auth once per command, fills cb (credentials, certificate
 * check, payload t) and proxy (http.proxy, https_proxy...); points
 * `remote` (if any) at the URL to reach; *effective is that URL (owned by
 * t->auth). CCM_EUNREACHABLE or CCM_EINVALID on a bad ssh config. */
int ccm_sync_connect_begin(ccm_transfer *t, git_repository *repo, const char *url,
                           git_remote *remote, git_remote_callbacks *cb, git_proxy_options *proxy,
                           const char **effective);

/* After a successful transfer: approves the credentials used. */
void ccm_sync_connect_ok(ccm_transfer *t);

/* After a failed transfer: CCM_EUNREACHABLE with "<context>: <why>", the
 * why being ours (host key, credentials) or libgit2's. */
int ccm_sync_connect_fail(ccm_transfer *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Frees t->auth (wiping secrets). */
void ccm_transfer_dispose(ccm_transfer *t);

/* Creates a remote without a fetch refspec (see remote.c). */
int ccm_sync_remote_create(git_repository *repo, const char *name, const char *url);

/* 1 if the URL is a path or file:// URL; its path (url.c). */
int ccm_sync_is_local(const char *url);
const char *ccm_sync_local_path(const char *url);

/* Fetches the remote's branch into refs/ccmsync/incoming/<name>;
 * *has_theirs is 0 if the remote has no branch yet. CCM_EUNREACHABLE.
 * `remote` should be anonymous (git_remote_create_anonymous): a named remote's
 * configured refspecs would make libgit2 update remote-tracking refs before
 * the history is verified. */
int ccm_sync_fetch(git_oid *theirs, int *has_theirs, ccm_store *s, const char *name,
                   git_remote *remote, ccm_transfer *t);

/* Deletes the quarantine ref of a remote. */
void ccm_sync_drop_incoming(ccm_store *s, const char *remote);

/* Pushes `ours` to the remote's branch, expected to be at `expected` (NULL:
 * absent); with `replace`, ours need not descend from it (the remote's tip
 * was refused). CCM_ELOCKED if the remote moved, CCM_EUNREACHABLE. */
int ccm_sync_push(ccm_store *s, git_remote *remote, const git_oid *ours, const git_oid *expected,
                  int replace, ccm_transfer *t);

/* What a fetch brought, verified commit by commit (incoming.c). */
typedef struct {
    git_oid *heads; /* the kept commits with no kept child among the new ones, oldest first
                       (integrated newest first: one may hold an older one) */
    size_t nheads, capheads;
    size_t kept, refused; /* new commits kept, refused (themselves or their ancestors) */
    git_oid *held_ids;    /* new commits held back: records this member cannot check */
    size_t held, capheld;
    int tip_held;     /* the remote's tip is one of them */
    int unrelated;    /* the remote holds another history */
    char first[41];   /* the first refused commit */
    char by[65];      /* its author */
    char reason[256]; /* why */
} ccm_incoming;
int ccm_sync_verify_incoming(ccm_incoming *in, ccm_store *s, const git_oid *theirs,
                             const git_oid *ours, json_t *warnings);
void ccm_incoming_free(ccm_incoming *in);

/* ---- pending histories (pending.c) -------------------------------------------
 * A member who cannot make a merge (records sealed under a key it never
 * held) leaves its history on the remote for one who can. */
typedef struct {
    char member[65];
    git_oid tip;
} ccm_pending;

/* 1 if `member` may name a pending ref. */
int ccm_pending_name_ok(const char *member);
/* Deletes the local quarantine of a remote's pending refs. */
void ccm_pending_drop(ccm_store *s, const char *remote);
/* Copies a local-path remote's pending refs (at most CCM_PENDING_MAX) into
 * the quarantine; one that cannot be copied is skipped. */
int ccm_pending_fetch_local(ccm_store *s, git_repository *from, const char *remote,
                            ccm_transfer *t);
/* The quarantined pending histories of a remote left by members of
 * `roster`, removed ones too: a member removed in one view of a contested
 * removal may be the one whose removal stands (caller frees *out). */
int ccm_pending_list(ccm_pending **out, size_t *n, ccm_store *s, const char *remote,
                     const json_t *roster);
/* Leaves this member's branch (at `head`) on the remote as its pending
 * history, or deletes that ref. */
int ccm_pending_leave(ccm_store *s, git_remote *remote, const git_oid *head, ccm_transfer *t);
int ccm_pending_clear(ccm_store *s, git_remote *remote, ccm_transfer *t);

/* Fills last_sync/unsynced of a remote from local state (sync_state.c). */
void ccm_sync_remote_state(ccm_store *s, ccm_remote_info *info);

/* Records a successful sync with a remote (time), or forgets a remote. */
void ccm_sync_record(ccm_store *s, const char *remote);
void ccm_sync_forget(ccm_store *s, const char *remote);

#endif
