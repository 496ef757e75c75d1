/*
 * forge_world.h - the world of forge_mutate.h as its two files share it:
 * forge_world.c builds the group and its history, forge_mutate.c forges
 * and judges one commit on it.
 */
#ifndef CCM_TEST_FORGE_WORLD_H
#define CCM_TEST_FORGE_WORLD_H

#include "forge.h"
#include "forge_mutate.h"

#define FM_SIGNERS 5
#define FM_MAX_ACTS 16

/* The five, in the order of the signer byte. */
extern const char *const ccm_fm_names[FM_SIGNERS];

struct ccm_fm {
    char *dir;
    ccm_store *judge;             /* Peru's: every key */
    ccm_forge *forge[FM_SIGNERS]; /* each reading and writing the judge's repository */
    struct fm_mem *mem;           /* the judge's in-memory object backend (its odb owns it) */
    git_oid *commits;             /* the history, newest first */
    size_t ncommits;
    char acts[FM_MAX_ACTS][24]; /* activity ids of the history */
    size_t nacts;
    /* The judge's keys before a run, put back after it (a run may load
     * keys a forged tree seals to the judge). */
    ccm_groupkey **keys;
    uint8_t (*cmts)[CCM_KEY_COMMITMENT_BYTES];
    uint32_t nkeys;
    ccm_groupkey **alts;
    size_t nalts;
};

/* Drops the objects written since the last reset (forge_world.c). */
void ccm_fm_mem_reset(ccm_fm *w);

/* Takes and puts back the judge's keys (forge_world.c). */
int ccm_fm_keys_snapshot(ccm_fm *w);
void ccm_fm_keys_restore(ccm_fm *w);

#endif
