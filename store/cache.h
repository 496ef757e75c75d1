/*
 * cache.h - the store's internal hook into the local record cache (private
 * to store/).
 */
#ifndef CCM_STORE_CACHE_H
#define CCM_STORE_CACHE_H

#include "store_private.h"

/* Called for each record that differs between two trees, in name order:
 * old/new is NULL where the record is absent on that side. */
typedef int (*ccm_tree_diff_cb)(const char *name, const git_oid *old_oid, const git_oid *new_oid,
                                void *payload);

/* Walks the record trees of two commit trees (either may be NULL: empty),
 * descending only into subtrees that differ. */
int ccm_tree_diff(git_repository *repo, const git_tree *a, const git_tree *b, ccm_tree_diff_cb cb,
                  void *payload);

/* After a commit from old_head: if the cache was at old_head, applies the
 * staged records (name -> document; oids[i] is the blob of the i-th record in
 * json_object_foreach order) and saves it at the new HEAD. Failures are
 * ignored: the next listing rebuilds what it needs. */
void ccm_cache_after_commit(ccm_store *s, const char *old_head, json_t *staged,
                            const git_oid *oids);

#endif
