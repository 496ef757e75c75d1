/*
 * cache.h - the store's internal hook into the local record cache (private
 * to store/).
 */
#ifndef CCM_STORE_CACHE_H
#define CCM_STORE_CACHE_H

#include "store_private.h"

/* ---- the cache's in-memory form (cache_file.c) ---- */

#define CCM_CACHE_KINDS 3 /* state, activity, note */
#define CCM_CACHE_ALL 7   /* every kind's documents */

extern const char *const ccm_cache_kinds[CCM_CACHE_KINDS];

/* The index of a kind name, or -1. */
int ccm_cache_kind(const char *kind);

/* What an entry owns (freed with it); the rest points into a section. */
#define CCM_CACHE_OWNS_ID 0x1
#define CCM_CACHE_OWNS_DOC 0x2

typedef struct {
    char name[CCM_NAME_LEN + 1];
    git_oid oid;
    int kind;
    char *id;  /* into the index section, or owned (CCM_CACHE_OWNS_ID) */
    char *doc; /* canonical JSON; NULL when its section is not loaded; CCM_CACHE_OWNS_DOC */
    int owned;
} ccm_cache_entry;

typedef struct {
    char head[41];
    ccm_cache_entry *e; /* sorted by name */
    size_t n, cap;
    uint8_t *bufs[1 + CCM_CACHE_KINDS]; /* decrypted sections the entries point into */
    size_t lens[1 + CCM_CACHE_KINDS];
    int loaded; /* bit k: documents of kind k are loaded */
    /* Derived from the activities, kept up to date with them: for each
     * state, the dates of the done activities with it and how many:
     * {STATE: {DATE: COUNT}} (cache_derived.c). */
    json_t *done_dates;
} ccm_cache;

/* An activity's contribution to done_dates added (sign 1) or taken away
 * (sign -1); `doc` is its canonical text. Not done, undated or deleted
 * activities count for nothing. */
int ccm_cache_count_activity(json_t *done_dates, const char *doc, int sign);

/* Reads the cache file, decrypting the index and the sections of the kinds
 * in `want`; a missing or damaged file gives an empty cache. */
void ccm_cache_read(ccm_cache *c, ccm_store *s, int want);

/* Writes the cache (every section must be loaded). */
int ccm_cache_save(ccm_cache *c, ccm_store *s);

void ccm_cache_clear(ccm_cache *c);
void ccm_cache_entry_clear(ccm_cache_entry *e);
int ccm_cache_push(ccm_cache *c, const ccm_cache_entry *e);

/* Loads the cache at HEAD (or the view's commit) with the documents of the
 * kinds in `want` (bits), bringing it up to date (and saving it, at HEAD). */
int ccm_cache_load(ccm_cache *c, ccm_store *s, int want);

/* After a commit from old_head: if the cache was at old_head, applies the
 * staged records (name -> {"k": kind, "i": id, "t": canonical text}; oids[i]
 * is the blob of the i-th record in json_object_foreach order) and saves it
 * at the new HEAD. Failures are ignored: the next listing rebuilds. */
void ccm_cache_after_commit(ccm_store *s, const char *old_head, json_t *staged,
                            const git_oid *oids);

#endif
