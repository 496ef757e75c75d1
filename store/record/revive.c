/*
 * revive.c - bringing a deleted record back (`state set` on a removed
 * state): the tombstone register "rm" takes "0" through the same assignment
 * a deletion makes, so its version vector supersedes the deletion it saw and
 * a member's stamps keep increasing. A concurrent deletion the reviver did
 * not see stays a concurrent entry and the greater (stamp, member) wins, as
 * for any register.
 */
#include "record.h"

int ccm_record_undelete(json_t *rec, uint64_t stamp, const char *member)
{
    json_t *entry;
    int rc;

    /* The deletion builds the superseding entry {"v": "1", "s", "m", "vv"};
     * only its value differs. */
    if ((rc = ccm_record_delete(rec, stamp, member)) != CCM_OK) {
        return rc;
    }
    entry = json_array_get(json_object_get(json_object_get(rec, "rm"), "r"), 0);
    if (!entry || json_object_set_new(entry, "v", json_string("0")) != 0) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    return CCM_OK;
}
