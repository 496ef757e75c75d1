/*
 * remote.c - remotes (kept in the local repository's config, never shared)
 * and the two transfers of a sync.
 *
 * Fetch writes the remote's branch to a quarantine ref,
 * refs/ccmsync/incoming/<remote>, so nothing the rest of the store reads
 * moves before the incoming history is verified.
 *
 * Push: over git:// and http(s):// the server's receive-pack updates the ref
 * only if it still holds the value we saw; a rejection comes back through
 * push_update_reference and is treated as "the remote moved".
 *
 * A path or file:// URL is not reached through libgit2's transport: the
 * missing objects are copied as one pack of whole objects (store/odb/copy.c), and the
 * branch is moved with git_reference_create_matching, a real
 * compare-and-swap (libgit2's local push would write it unconditionally).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sync_private.h"

static int valid_remote_name(const char *name)
{
    size_t n = strlen(name);
    int valid = 0;

    if (n == 0 || n > 64 ||
        strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                     "0123456789._-") != n ||
        name[0] == '.' || name[0] == '-') {
        return 0;
    }
    return git_remote_name_is_valid(&valid, name) == 0 && valid;
}

int ccm_sync_remote_create(git_repository *repo, const char *name, const char *url)
{
    git_remote *r = NULL;
    git_remote_create_options opts;
    git_config *cfg = NULL;

    git_remote_create_options_init(&opts, GIT_REMOTE_CREATE_OPTIONS_VERSION);
    opts.repository = repo;
    opts.name = name;
    /* No fetch refspec: libgit2 would update refs/remotes/<name>/ through it
     * on every fetch, before the history is verified. ccmsync moves that ref
     * itself, after verification. */
    opts.flags = GIT_REMOTE_CREATE_SKIP_DEFAULT_FETCHSPEC;
    if (git_remote_create_with_opts(&r, url, &opts) < 0) {
        return ccm_error_set(CCM_EINVALID, "cannot add remote '%s': %s", name,
                             git_error_last() ? git_error_last()->message : "invalid URL");
    }
    git_remote_free(r);
    if (git_repository_config(&cfg, repo) == 0) {
        char key[128];
        snprintf(key, sizeof(key), "remote.%s.fetch", name);
        git_config_delete_multivar(cfg, key, ".*");
        git_config_free(cfg);
    }
    git_error_clear();
    return CCM_OK;
}

int ccm_sync_remote_add(ccm_store *s, const char *name, const char *url)
{
    git_remote *r = NULL;
    char *abs = NULL;
    int rc;

    if (!valid_remote_name(name)) {
        return ccm_error_set(
            CCM_EINVALID, "invalid remote name '%s' (letters, digits, '.', '_', '-'; at most 64)",
            name);
    }
    if (!*url) {
        return ccm_error_set(CCM_EINVALID, "empty remote URL");
    }
    if ((rc = ccm_sync_url_check(url)) < 0) {
        return rc;
    }
    if (git_remote_lookup(&r, ccm_store_repo(s), name) == 0) {
        git_remote_free(r);
        return ccm_error_set(CCM_EINVALID, "remote '%s' already exists", name);
    }
    /* A relative path is taken relative to where the command runs. */
    if (ccm_sync_is_local(url) && !strstr(url, "://") && url[0] != '/') {
        char cwd[4096];
        if (!getcwd(cwd, sizeof(cwd)) || !(abs = ccm_path_join(cwd, url))) {
            return ccm_error_set(CCM_ERROR, "cannot resolve '%s'", url);
        }
        url = abs;
    }
    rc = ccm_sync_remote_create(ccm_store_repo(s), name, url);
    free(abs);
    return rc;
}

int ccm_sync_remote_remove(ccm_store *s, const char *name)
{
    git_remote *r = NULL;

    if (git_remote_lookup(&r, ccm_store_repo(s), name) < 0) {
        return ccm_error_set(CCM_EINVALID, "no remote '%s'", name);
    }
    git_remote_free(r);
    if (git_remote_delete(ccm_store_repo(s), name) < 0) {
        return ccm_git_error("cannot remove remote");
    }
    ccm_sync_forget(s, name);
    return CCM_OK;
}

static int on_push_transfer(unsigned int current, unsigned int total, size_t bytes, void *payload)
{
    ccm_transfer *t = payload;
    if (t->fn) {
        t->fn("push", current, total, bytes, t->payload);
    }
    return 0;
}

/* A ref update the server refused: the remote moved (or refused us). */
static int on_update(const char *refname, const char *status, void *payload)
{
    ccm_transfer *t = payload;
    (void)refname;
    if (status) {
        snprintf(t->rejected, sizeof(t->rejected), "%s", status);
    }
    return 0;
}

/* The parent folder of a path (caller frees), "." for a bare name. */
static char *parent_of(const char *path)
{
    char *parent = strdup(path), *slash;
    size_t n = parent ? strlen(parent) : 0;

    while (n > 1 && parent[n - 1] == '/') {
        parent[--n] = 0;
    }
    if (parent && !(slash = strrchr(parent, '/'))) {
        free(parent);
        return strdup(".");
    }
    if (parent) {
        slash[slash == parent ? 1 : 0] = 0;
    }
    return parent;
}

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int ccm_sync_remote_is_new_hub(const char *url)
{
    const char *path = ccm_sync_local_path(url);
    char *parent;
    int fresh;

    if (!ccm_sync_is_local(url)) {
        return 0;
    }
    if (access(path, F_OK) == 0) {
        return is_dir(path) && ccm_dir_is_empty_or_absent(path);
    }
    parent = parent_of(path);
    fresh = parent && is_dir(parent);
    free(parent);
    return fresh;
}

/* Creates a local-path remote as a bare repository (branch main) when it is
 * missing or an empty folder. A path whose parent folder does not exist is a
 * remote out of reach (a USB stick that is not mounted): refused, with
 * nothing created. */
static int ensure_local(const char *name, const char *url)
{
    const char *path = ccm_sync_local_path(url);
    git_repository *repo = NULL;
    git_repository_init_options opts;

    if (!ccm_sync_remote_is_new_hub(url)) {
        char *parent;
        int rc;
        if (access(path, F_OK) == 0) {
            return CCM_OK; /* a repository, or open_local says what it is */
        }
        parent = parent_of(path);
        rc = ccm_error_set(CCM_EUNREACHABLE,
                           "cannot reach remote '%s': %s does not exist (is the USB stick "
                           "mounted?)",
                           name, parent ? parent : path);
        free(parent);
        return rc;
    }
    git_repository_init_options_init(&opts, GIT_REPOSITORY_INIT_OPTIONS_VERSION);
    opts.flags = GIT_REPOSITORY_INIT_BARE | GIT_REPOSITORY_INIT_MKDIR;
    opts.initial_head = "main";
    if (git_repository_init_ext(&repo, path, &opts) < 0) {
        return ccm_error_set(CCM_EUNREACHABLE, "cannot create a new hub at '%s': %s", path,
                             git_error_last() ? git_error_last()->message : "failed");
    }
    git_repository_free(repo);
    return CCM_OK;
}

/* Opens a local-path remote (bare, or the .git of a working copy). */
static int open_local(git_repository **out, const char *url)
{
    if (git_repository_open_ext(out, ccm_sync_local_path(url), GIT_REPOSITORY_OPEN_NO_SEARCH,
                                NULL) < 0) {
        return ccm_error_set(CCM_EUNREACHABLE, "cannot open the remote repository '%s': %s", url,
                             git_error_last() ? git_error_last()->message : "failed");
    }
    return CCM_OK;
}

static int fetch_local(git_oid *theirs, int *has_theirs, ccm_store *s, const char *name,
                       const char *url, const char *ref, ccm_transfer *t)
{
    git_repository *r = NULL;
    git_reference *out = NULL;
    int rc, err;

    if ((rc = ensure_local(name, url)) < 0 || (rc = open_local(&r, url)) < 0) {
        return rc;
    }
    err = git_reference_name_to_id(theirs, r, CCM_BRANCH);
    if (err == GIT_ENOTFOUND) {
        git_repository_free(r);
        return CCM_OK; /* an empty remote */
    }
    if (err < 0) {
        rc = ccm_error_set(CCM_EUNREACHABLE, "cannot read the remote's branch (%s): %s", url,
                           git_error_last() ? git_error_last()->message : "failed");
    } else if ((rc = ccm_odb_copy_reachable(r, ccm_store_repo(s), theirs, "remote", "fetch", t->fn,
                                            t->payload)) == CCM_OK) {
        if (git_reference_create(&out, ccm_store_repo(s), ref, theirs, 1, "ccmsync: fetch") < 0) {
            rc = ccm_git_error("cannot record the fetched branch");
        } else {
            *has_theirs = 1;
            rc = ccm_pending_fetch_local(s, r, name, t);
        }
        git_reference_free(out);
    }
    git_repository_free(r);
    return rc;
}

int ccm_sync_fetch(git_oid *theirs, int *has_theirs, ccm_store *s, const char *name,
                   git_remote *remote, ccm_transfer *t)
{
    git_fetch_options opts;
    char spec[160], pending[200], ref[128];
    char *specs[2] = {spec, pending};
    git_strarray refspecs = {specs, 2};
    const char *url = git_remote_url(remote);
    int rc;

    *has_theirs = 0;
    snprintf(ref, sizeof(ref), CCM_INCOMING_PREFIX "%s", name);
    /* A stale quarantine ref would look like a fetched branch. */
    ccm_sync_drop_incoming(s, name);
    ccm_pending_drop(s, name);
    if (ccm_sync_is_local(url)) {
        return fetch_local(theirs, has_theirs, s, name, url, ref, t);
    }
    snprintf(spec, sizeof(spec), "+" CCM_BRANCH ":%s", ref);
    snprintf(pending, sizeof(pending), "+" CCM_PENDING_PREFIX "*:" CCM_PENDING_IN_PREFIX "%s/*",
             name);
    git_fetch_options_init(&opts, GIT_FETCH_OPTIONS_VERSION);
    if ((rc = ccm_sync_connect_begin(t, ccm_store_repo(s), url, remote, &opts.callbacks,
                                     &opts.proxy_opts, NULL)) < 0) {
        return rc;
    }
    url = t->auth->configured; /* the remote's own now reports the URL reached */
    opts.callbacks.transfer_progress = ccm_transfer_fetch_progress;
    opts.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
    opts.update_fetchhead = 0;
    opts.prune = GIT_FETCH_NO_PRUNE;
    if (git_remote_fetch(remote, &refspecs, &opts, NULL) < 0) {
        return ccm_sync_connect_fail(t, "cannot reach remote '%s' (%s)", name, url);
    }
    ccm_sync_connect_ok(t);
    if (git_reference_name_to_id(theirs, ccm_store_repo(s), ref) == 0) {
        *has_theirs = 1;
    }
    return CCM_OK;
}

void ccm_sync_drop_incoming(ccm_store *s, const char *remote)
{
    char ref[128];
    git_reference *r = NULL;

    snprintf(ref, sizeof(ref), CCM_INCOMING_PREFIX "%s", remote);
    if (git_reference_lookup(&r, ccm_store_repo(s), ref) == 0) {
        git_reference_delete(r);
        git_reference_free(r);
    }
}

/* Moves the local-path remote's branch from `expected` (NULL: absent) to
 * `ours`, whose objects are already there. CCM_ELOCKED if it moved. */
static int local_cas(const char *url, const git_oid *ours, const git_oid *expected)
{
    git_repository *repo = NULL;
    git_reference *ref = NULL;
    int err;

    const char *path = ccm_sync_local_path(url);
    int lock = -1;

    /* Another member's store reached directly (a "pair" remote): take its
     * write lock too, so its own writers are not surprised mid-commit. */
    {
        size_t n = strlen(path);
        char *dir = n > 5 && strcmp(path + n - 5, "/repo") == 0 ? strndup(path, n - 5) : NULL;
        char *local = dir ? ccm_path_join(dir, "local.json") : NULL;
        int rc = CCM_OK;
        if (local && access(local, F_OK) == 0) {
            rc = ccm_store_lock_take(&lock, dir);
        }
        free(local);
        free(dir);
        if (rc < 0) {
            return rc;
        }
    }
    if (open_local(&repo, url) < 0) {
        if (lock >= 0) {
            close(lock);
        }
        return CCM_EUNREACHABLE;
    }
    if (expected) {
        err = git_reference_create_matching(&ref, repo, CCM_BRANCH, ours, 1, expected, "ccmsync");
    } else {
        err = git_reference_create(&ref, repo, CCM_BRANCH, ours, 0, "ccmsync");
    }
    git_reference_free(ref);
    /* A hub made with a plain `git init --bare` has HEAD -> refs/heads/master,
     * a branch that never comes: point it at ours, so that stock git clones
     * it as it is. A HEAD naming a branch that exists is left alone. */
    if (err == 0 && git_repository_head_unborn(repo) == 1) {
        git_repository_set_head(repo, CCM_BRANCH);
    }
    git_repository_free(repo);
    if (lock >= 0) {
        close(lock);
    }
    if (err == GIT_EMODIFIED || err == GIT_EEXISTS || err == GIT_ELOCKED) {
        return ccm_error_set(CCM_ELOCKED, "the remote moved during the push");
    }
    if (err < 0) {
        return ccm_git_error("cannot update the remote");
    }
    return CCM_OK;
}

static int push_local(ccm_store *s, const char *name, const char *url, const git_oid *ours,
                      const git_oid *expected, ccm_transfer *t)
{
    git_repository *r = NULL;
    int rc;

    if ((rc = ensure_local(name, url)) < 0 || (rc = open_local(&r, url)) < 0) {
        return rc;
    }
    rc = ccm_odb_copy_reachable(ccm_store_repo(s), r, ours, "store", "push", t->fn, t->payload);
    git_repository_free(r);
    if (rc < 0) {
        return rc == CCM_EVERIFY ? rc : ccm_error_wrap(CCM_EUNREACHABLE, "cannot push");
    }
    return local_cas(url, ours, expected);
}

/* Replaces a refused tip: a forced push, but only over the tip we saw.
 * The server compares the old value it is sent with the ref (receive-pack's
 * own compare-and-swap); libgit2 sends the value the server advertised on
 * this connection, so that value is checked against `expected` first. */
static int push_replacing(git_remote *remote, const git_oid *expected, git_push_options *opts,
                          git_strarray *refspecs, ccm_transfer *t)
{
    const git_remote_head **heads = NULL;
    size_t n = 0;
    int seen = 0, rc = CCM_OK;

    if (git_remote_connect(remote, GIT_DIRECTION_PUSH, &opts->callbacks, &opts->proxy_opts, NULL) <
            0 ||
        git_remote_ls(&heads, &n, remote) < 0) {
        rc = ccm_error_set(CCM_EUNREACHABLE, "cannot push to '%s': %s", git_remote_url(remote),
                           git_error_last() ? git_error_last()->message : "failed");
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        if (strcmp(heads[i]->name, CCM_BRANCH) == 0) {
            seen = git_oid_equal(&heads[i]->oid, expected) ? 1 : -1;
        }
    }
    if (seen != 1) {
        rc = ccm_error_set(CCM_ELOCKED, "the remote moved during the push");
        goto done;
    }
    if (git_remote_upload(remote, refspecs, opts) < 0) {
        rc = ccm_sync_connect_fail(t, "cannot push to '%s'", git_remote_url(remote));
    } else if (t->rejected[0]) {
        rc = ccm_error_set(CCM_ELOCKED, "the remote refused the update (%s)", t->rejected);
    }
done:
    git_remote_disconnect(remote);
    return rc;
}

int ccm_sync_push(ccm_store *s, git_remote *remote, const git_oid *ours, const git_oid *expected,
                  int replace, ccm_transfer *t)
{
    git_push_options opts;
    char spec[200];
    char *specs[1] = {spec};
    git_strarray refspecs = {specs, 1};
    const char *url = git_remote_url(remote);
    int rc;

    if (ccm_sync_is_local(url)) {
        return push_local(s, git_remote_name(remote) ? git_remote_name(remote) : url, url, ours,
                          expected, t);
    }
    git_push_options_init(&opts, GIT_PUSH_OPTIONS_VERSION);
    if ((rc = ccm_sync_connect_begin(t, ccm_store_repo(s), url, remote, &opts.callbacks,
                                     &opts.proxy_opts, NULL)) < 0) {
        return rc;
    }
    url = t->auth->configured;
    /* Let the pack builder use every core: its delta search is wasted on
     * ciphertext, but runs all the same. */
    opts.pb_parallelism = 0;
    opts.callbacks.push_transfer_progress = on_push_transfer;
    opts.callbacks.push_update_reference = on_update;
    t->rejected[0] = 0;
    if (replace && expected) {
        snprintf(spec, sizeof(spec), "+" CCM_BRANCH ":" CCM_BRANCH);
        return push_replacing(remote, expected, &opts, &refspecs, t);
    }
    snprintf(spec, sizeof(spec), CCM_BRANCH ":" CCM_BRANCH);
    if (git_remote_push(remote, &refspecs, &opts) < 0) {
        const git_error *e = git_error_last();
        /* libgit2 refuses when the remote holds commits we lack: the remote
         * moved since our fetch. */
        if (e &&
            (strstr(e->message, "not present locally") || strstr(e->message, "fast-forward"))) {
            return ccm_error_set(CCM_ELOCKED, "the remote moved during the push");
        }
        return ccm_sync_connect_fail(t, "cannot push to '%s'", url);
    }
    ccm_sync_connect_ok(t);
    if (t->rejected[0]) {
        return ccm_error_set(CCM_ELOCKED, "the remote refused the update (%s)", t->rejected);
    }
    return CCM_OK;
}

int ccm_sync_remote_list(ccm_remote_info **out, size_t *n, ccm_store *s)
{
    git_strarray names = {0};
    ccm_remote_info *list;
    int rc = CCM_OK;

    *out = NULL;
    *n = 0;
    if (git_remote_list(&names, ccm_store_repo(s)) < 0) {
        return ccm_git_error("cannot list remotes");
    }
    if (!(list = calloc(names.count + 1, sizeof(*list)))) {
        git_strarray_dispose(&names);
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    for (size_t i = 0; i < names.count && rc == CCM_OK; i++) {
        git_remote *r = NULL;
        if (git_remote_lookup(&r, ccm_store_repo(s), names.strings[i]) < 0) {
            continue;
        }
        list[*n].name = strdup(names.strings[i]);
        list[*n].url = strdup(git_remote_url(r) ? git_remote_url(r) : "");
        git_remote_free(r);
        if (!list[*n].name || !list[*n].url) {
            rc = ccm_error_set(CCM_ERROR, "out of memory");
        }
        ccm_sync_remote_state(s, &list[*n]);
        (*n)++;
    }
    git_strarray_dispose(&names);
    if (rc < 0) {
        ccm_sync_remote_list_free(list, *n);
        *n = 0;
        return rc;
    }
    *out = list;
    return CCM_OK;
}

void ccm_sync_remote_list_free(ccm_remote_info *list, size_t n)
{
    for (size_t i = 0; list && i < n; i++) {
        free(list[i].name);
        free(list[i].url);
        free(list[i].last_sync);
    }
    free(list);
}
