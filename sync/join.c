/*
 * join.c - a new member's store, cloned from the group's remote.
 *
 * The clone is bare; its remote `origin` is the URL given. The store over it
 * is made and its whole history verified by store/newcomer.c before it is
 * kept; any failure removes the folder again.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sync_private.h"

/* Fetches the group's branch, refs/heads/main, by name: a hub's HEAD may
 * name another branch (a plain `git init --bare` makes HEAD point to
 * refs/heads/master), and ccmsync never reads it. Network hubs get the
 * credentials and host checks of connect.c. */
static int clone_repo(const char *git_dir, const char *url, ccm_transfer *t)
{
    git_repository_init_options iopts;
    git_fetch_options fopts;
    git_repository *repo = NULL;
    const char *reach = url;
    git_remote *remote = NULL;
    git_reference *ref = NULL;
    char *specs[1] = {"+" CCM_BRANCH ":" CCM_TRACKING_PREFIX "origin/main"};
    git_strarray refspecs = {specs, 1};
    git_oid head;
    int rc = CCM_OK;

    git_repository_init_options_init(&iopts, GIT_REPOSITORY_INIT_OPTIONS_VERSION);
    iopts.flags = GIT_REPOSITORY_INIT_BARE | GIT_REPOSITORY_INIT_MKPATH;
    iopts.initial_head = "main";
    if (git_repository_init_ext(&repo, git_dir, &iopts) < 0) {
        return ccm_git_error("cannot create the store's repository");
    }
    git_fetch_options_init(&fopts, GIT_FETCH_OPTIONS_VERSION);
    fopts.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
    fopts.update_fetchhead = 0;
    if (!ccm_sync_is_local(url) &&
        (rc = ccm_sync_connect_begin(t, NULL, url, NULL, &fopts.callbacks, &fopts.proxy_opts,
                                     &reach)) < 0) {
        goto done;
    }
    fopts.callbacks.transfer_progress = ccm_transfer_fetch_progress;
    fopts.callbacks.payload = t;
    if (git_remote_create_anonymous(&remote, repo, reach) < 0 ||
        git_remote_fetch(remote, &refspecs, &fopts, NULL) < 0) {
        rc = ccm_sync_connect_fail(t, "cannot clone '%s'", url);
        goto done;
    }
    ccm_sync_connect_ok(t);
    if (git_reference_name_to_id(&head, repo, CCM_TRACKING_PREFIX "origin/main") < 0) {
        rc = ccm_error_set(CCM_EINVALID,
                           "'%s' holds no group yet (an admin creates one with "
                           "'ccmsync init', adds this remote and syncs)",
                           url);
        goto done;
    }
    if (git_reference_create(&ref, repo, CCM_BRANCH, &head, 1, "ccmsync join") < 0) {
        rc = ccm_git_error("cannot create the store's branch");
        goto done;
    }
    rc = ccm_sync_remote_create(repo, "origin", url);
done:
    git_reference_free(ref);
    git_remote_free(remote);
    git_repository_free(repo);
    return rc;
}

/* Removes what a failed join wrote into a folder that existed (empty)
 * before it, best effort: the folder itself stays, as the user made it. */
static void empty_folder(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;

    while (d && (e = readdir(d))) {
        char *p;
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
            !(p = ccm_path_join(dir, e->d_name))) {
            continue;
        }
        ccm_remove_tree(p);
        free(p);
    }
    if (d) {
        closedir(d);
    }
}

int ccm_sync_join(char **request, const char *dir, const char *url, const char *member,
                  const char *pass, size_t pass_len, const char *expect)
{
    return ccm_sync_join_progress(request, dir, url, member, pass, pass_len, expect, NULL, NULL);
}

int ccm_sync_join_progress(char **request, const char *dir, const char *url, const char *member,
                           const char *pass, size_t pass_len, const char *expect,
                           ccm_progress_fn progress, void *payload)
{
    char *git_dir = NULL, *abs = NULL;
    ccm_transfer t = {progress, payload, "", NULL};
    int created = 0, existed, rc;

    *request = NULL;
    if ((rc = ccm_store_global_init()) < 0 || (rc = ccm_schema_check_member_name(member)) < 0 ||
        (rc = ccm_sync_url_check(url)) < 0) {
        return rc;
    }
    if (!ccm_dir_is_empty_or_absent(dir)) {
        return ccm_error_set(CCM_EINVALID, "'%s' already exists and is not empty", dir);
    }
    if (ccm_sync_is_local(url) && !strstr(url, "://") && url[0] != '/') {
        char cwd[4096];
        if (!getcwd(cwd, sizeof(cwd)) || !(abs = ccm_path_join(cwd, url))) {
            return ccm_error_set(CCM_ERROR, "cannot resolve '%s'", url);
        }
        url = abs;
    }
    existed = access(dir, F_OK) == 0; /* an empty folder the user made: kept */
    if ((rc = ccm_mkdir_p(dir)) < 0) {
        goto done;
    }
    created = 1;
    if (!(git_dir = ccm_path_join(dir, "repo"))) {
        rc = ccm_error_set(CCM_ERROR, "out of memory");
        goto done;
    }
    if ((rc = clone_repo(git_dir, url, &t)) == CCM_OK) {
        rc = ccm_store_init_newcomer(request, dir, member, pass, pass_len, expect, url);
    }
done:
    if (rc < 0 && created) {
        if (existed) {
            empty_folder(dir);
        } else {
            ccm_remove_tree(dir);
        }
    }
    ccm_transfer_dispose(&t);
    free(git_dir);
    free(abs);
    return rc;
}
