/*
 * git_error.c - libgit2's last error turned into ours: the one place the
 * store reads git_error_last, so every git failure reads "<what>: <git's
 * message>".
 */
#include "store_private.h"

int ccm_git_error(const char *what)
{
    const git_error *e = git_error_last();
    return ccm_error_set(CCM_ERROR, "%s: %s", what, e && e->message ? e->message : "git error");
}
