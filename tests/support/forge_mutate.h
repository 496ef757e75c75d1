/*
 * forge_mutate.h - forged commits built from a string of bytes over a real
 * history, for the verify fuzzer (tests/fuzz/fuzz_verify.c) and its
 * companion unit test (tests/sync/test_forge_mutate.c).
 *
 * A world is a small group with a real history, made through the library:
 * Peru (founder, admin), Norway (editor), Malawi (editor, removed by Peru
 * part way), Chile (reader) and Ghost (joined, never added), with states
 * and activities edited concurrently and merged. Peru's store is the
 * verifier: it holds every key. Every forger reads from and writes into
 * the verifier's repository, whose new objects go to memory and are
 * dropped after each run.
 *
 * A run decodes the bytes into one commit, by one of the five, on one
 * commit of the history (or on the honest merge of two), and a few
 * changes, each labelled: legal (what the signer may do: an assignment,
 * set addition or removal, new activity or deletion at the commit's stamp,
 * an admin's removal or addition of a member done right) or breaking a
 * rule (entries attributed to another member or stamped off the commit's
 * stamp, version vectors, values outside the schema, fields, elements and
 * tags dropped, register/set switched, required fields cleared, records
 * deleted, rolled back, swapped, garbage, modes, extra tree entries,
 * keys/, roster and stamps.json edits, anything done to a merge). The
 * signer (not a member, a reader, removed), the author name and the
 * stamps may break a rule too. Then the verifier judges the commit.
 *
 * The bytes: [signer] [parent] [flags] [second parent if a merge] then
 * changes, each [opcode] and up to 3 argument bytes (FM_OP_*), missing
 * bytes read as 0. signer: 0 Peru, 1 Norway, 2 Malawi, 3 Chile, 4 Ghost
 * (mod 5). parent: index of a commit, newest first (mod the count). flags:
 * bit 0 a merge; bits 1-3 the stamps (0, 5-7 raised to the commit's stamp
 * for a single parent, untouched for a merge; 1 untouched; 2 another
 * member's changed; 3 a new name's added; 4 the signer's not raised);
 * bit 4 authored under another member's name.
 */
#ifndef CCM_TEST_FORGE_MUTATE_H
#define CCM_TEST_FORGE_MUTATE_H

#include <stddef.h>
#include <stdint.h>

enum {
    FM_OP_ASSIGN,      /* legal: record, field, value */
    FM_OP_SET_ADD,     /* legal: record, field, element */
    FM_OP_SET_REMOVE,  /* legal: record, field, element */
    FM_OP_NEW_ACT,     /* legal: type, date, id */
    FM_OP_DELETE,      /* legal: record */
    FM_OP_CLEAR,       /* legal: record, field */
    FM_OP_NEW_STATE,   /* legal: state, value */
    FM_OP_REMOVE,      /* legal for an admin, alone: member */
    FM_OP_ADD_GHOST,   /* legal for an admin, alone: role */
    FM_OP_ATTRIBUTE,   /* breaks: record, field, member */
    FM_OP_OFF_STAMP,   /* breaks: record, field, delta */
    FM_OP_DROP_FIELD,  /* breaks: record, index */
    FM_OP_DROP_ELEM,   /* breaks: record, index */
    FM_OP_DROP_TAG,    /* breaks: record, index, add/remove */
    FM_OP_VV,          /* breaks: record, field */
    FM_OP_BAD_VALUE,   /* breaks: record, which */
    FM_OP_SWITCH,      /* breaks: record, index */
    FM_OP_TWO_ENTRIES, /* breaks: record, field, member */
    FM_OP_CHANGE_OLD,  /* breaks: record, index */
    FM_OP_CLEAR_REQ,   /* breaks: record, which */
    FM_OP_ACT_NO_DATE, /* breaks: id */
    FM_OP_FOREIGN_TAG, /* breaks: record, field, element */
    FM_OP_FAKE_REMOVE, /* breaks: record, index, member */
    FM_OP_DELETE_PATH, /* breaks: record */
    FM_OP_ROLLBACK,    /* breaks: record, depth */
    FM_OP_SWAP,        /* breaks: record, other record */
    FM_OP_GARBAGE,     /* breaks: record or new path, length */
    FM_OP_MODE,        /* breaks: record, mode */
    FM_OP_EXTRA,       /* breaks: which entry */
    FM_OP_KEYS,        /* breaks: variant, member */
    FM_OP_ROSTER,      /* breaks: variant, member */
    FM_OP_STAMPS,      /* breaks: variant, member */
    FM_OP_COUNT
};

typedef struct ccm_fm ccm_fm;

/* Builds the world in `dir` (absent or empty). CCM_OK or the error. */
int ccm_fm_build(ccm_fm **out, const char *dir);
void ccm_fm_free(ccm_fm *w);

/* The number of commits of the history. */
size_t ccm_fm_commits(const ccm_fm *w);

typedef struct {
    int merge;              /* two parents */
    size_t legal, breaking; /* changes of each kind made */
    int breaks;             /* a change, the signer, the author or the stamps break a rule */
    char why[128];          /* the first rule broken */
    int verdict;            /* what verification said (CCM_OK: accepted) */
    char error[256];        /* its message */
} ccm_fm_result;

/* Forges the commit `data` describes and has the verifier judge it.
 * CCM_OK (with *res filled), or an error of the forging itself. */
int ccm_fm_run(ccm_fm *w, const uint8_t *data, size_t size, ccm_fm_result *res);

#endif
