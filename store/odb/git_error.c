/*
 * git_error.c - libgit2's last error turned into ours, for every module that
 * calls libgit2 (this one, the store, sync): "<what>: <libgit2's message>".
 */
#include "odb.h"
#include "../../crypto/base/base.h"

int ccm_git_error(const char *what)
{
    const git_error *e = git_error_last();
    return ccm_error_set(CCM_ERROR, "%s: %s", what, e && e->message ? e->message : "git error");
}
