/*
 * forge.h - what an attacker who is (or was) a member can write: commits
 * signed with their own keys whose trees are whatever they like, built
 * with the store library directly, never through the command line's
 * checks. The adversarial tests (tests/e2e/t_trust_*.sh through the
 * ccmforge tool, the property test and the verify fuzzer) use it to show
 * that every replica refuses or leaves out what such commits try to do.
 *
 * A forge session starts from one parent (the tree to change) or two (the
 * honest merge of them, to tamper with), edits the tree freely, and ends
 * with one commit signed by the store's member, authored under any name.
 * Nothing here moves a ref.
 */
#ifndef CCM_TEST_FORGE_H
#define CCM_TEST_FORGE_H

#include "store/store_private.h"

typedef struct ccm_forge ccm_forge;

/* Opens and unlocks (no passphrase, or $CCMSYNC_PASSPHRASE) a store. */
int ccm_forge_open(ccm_forge **out, const char *dir);
void ccm_forge_free(ccm_forge *f);
ccm_store *ccm_forge_store(ccm_forge *f);

/* Starts from `p1`'s tree, or, with p2, from the honest merge of p1 and p2
 * (the tree verification expects), to be tampered with. A member without
 * the key the merged records need (removed meanwhile) starts from the
 * merged membership with p1's records as they are. */
int ccm_forge_begin(ccm_forge *f, const git_oid *p1, const git_oid *p2);

/* The tree being edited: a record (decrypted with any key this member
 * holds; CCM_ENOTFOUND if absent), the roster, the stamps. New references. */
int ccm_forge_record(json_t **out, ccm_forge *f, const char *kind, const char *id);
int ccm_forge_roster(json_t **out, ccm_forge *f);
int ccm_forge_stamps(json_t **out, ccm_forge *f);

/* Loads every key of the tree being edited that is sealed to this member
 * and matches its epoch's commitment (what a reader of that tree holds);
 * the keys the store held already stay. Returns how many were loaded. */
int ccm_forge_load_keys(ccm_forge *f);

/* Puts a record (any document; sealed under the roster's epoch, or under
 * `epoch` if non-zero, with a key this member holds). */
int ccm_forge_put_record(ccm_forge *f, const json_t *rec, uint32_t epoch);

/* Puts raw bytes at a path (any mode: GIT_FILEMODE_BLOB, _LINK, ...), or
 * removes a path (data NULL). */
int ccm_forge_put_raw(ccm_forge *f, const char *path, const void *data, size_t len, int mode);

int ccm_forge_set_roster(ccm_forge *f, const json_t *roster);
int ccm_forge_set_stamps(ccm_forge *f, const json_t *stamps);

/* The stamp an honest commit by this member would carry now, and stamps
 * with this member raised to it (what every honest commit does). */
uint64_t ccm_forge_next_stamp(ccm_forge *f);
int ccm_forge_bump(ccm_forge *f, uint64_t stamp);

/* Path of a record in the tree (80 bytes). */
void ccm_forge_record_path(char path[80], ccm_forge *f, const char *kind, const char *id);

/* The blob id at a path of the tree being edited (staged edits first;
 * CCM_ENOTFOUND if absent). */
int ccm_forge_blob(git_oid *out, ccm_forge *f, const char *path);

/* The blob id at a path of a commit's tree (CCM_ENOTFOUND if absent). */
int ccm_forge_blob_at(git_oid *out, ccm_forge *f, const git_oid *commit, const char *path);

/* A fresh group key of `epoch` (same index key as the group's), sealed to
 * every member of `roster` (removed ones too when `all`): the paths
 * keys/<epoch>/<name> are set, and *commitment (base64, caller frees) is
 * its commitment. */
int ccm_forge_own_key(ccm_forge *f, const json_t *roster, uint32_t epoch, int all,
                      char **commitment);

/* Reads from and writes into `repo` (borrowed, outliving the session)
 * instead of the store's own repository: several forgers then share one
 * object database, e.g. the verifier's with an in-memory backend (the
 * verify fuzzer). NULL goes back to the store's own. */
void ccm_forge_use_repo(ccm_forge *f, git_repository *repo);

/* Writes the tree and one commit with the parents given to begin, signed
 * with this member's key, authored and committed as `author` (NULL: the
 * member). */
int ccm_forge_commit(git_oid *out, ccm_forge *f, const char *author);

#endif
