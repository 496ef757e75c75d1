/*
 * newcomer.c - a new member's store over the group's history, once the
 * layer above has cloned it into <dir>/repo: a new identity, the local
 * settings, and the whole history verified (signatures and membership; no
 * key yet to read records), with the founder pinned when asked.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_private.h"

/* The founder's signing key fingerprint must be `expect`. */
static int check_founder(const ccm_store *s, const char *expect)
{
    const json_t *f = ccm_roster_founder(s->roster);
    uint8_t pk[32];
    char fp[64];

    if (!f || ccm_ssh_pubkey_parse(pk, json_string_value(json_object_get(f, "sign_key"))) < 0) {
        return ccm_error_set(CCM_EVERIFY, "the group names no founder");
    }
    ccm_ssh_fingerprint(fp, pk);
    if (strcmp(fp, expect) != 0) {
        return ccm_error_set(CCM_EVERIFY,
                             "the group's founder '%s' has key %s, not the expected %s: this is "
                             "not the group you were told of (nothing kept)",
                             json_string_value(json_object_get(f, "name")), fp, expect);
    }
    return CCM_OK;
}

int ccm_store_init_newcomer(char **request, const char *dir, const char *member, const char *pass,
                            size_t pass_len, const char *expect, const char *url)
{
    ccm_identity *id = NULL;
    ccm_store *s = NULL;
    int rc;

    *request = NULL;
    if ((rc = ccm_identity_generate(&id)) < 0 ||
        (rc = ccm_store_write_identity(dir, id, pass, pass_len)) < 0 ||
        (rc = ccm_store_write_local(dir, member)) < 0) {
        goto done;
    }
    rc = ccm_store_open(&s, dir);
    if (rc == CCM_ERROR && strstr(ccm_error_last(), "no history")) {
        rc = ccm_error_set(CCM_EINVALID,
                           "'%s' holds no group yet (an admin creates one with "
                           "'ccmsync init', adds this remote and syncs)",
                           url);
    }
    if (rc < 0 || (rc = ccm_store_verify(s, NULL)) < 0 ||
        (expect && (rc = check_founder(s, expect)) < 0)) {
        goto done;
    }
    if (ccm_roster_member(s->roster, member)) {
        rc = ccm_error_set(CCM_EINVALID,
                           "a member named '%s' is already in this group; choose "
                           "another name",
                           member);
        goto done;
    }
    rc = ccm_request_format(request, id, member);
done:
    ccm_store_free(s);
    ccm_identity_free(id);
    return rc;
}
