/*
 * memo.c - records already decrypted during one sync, by blob id and name.
 *
 * A merging sync opens the incoming version of each record twice: once to
 * verify the incoming commits, once to join it with ours. With the memo on,
 * the second open reuses the first. A hit needs the same blob id *and* the
 * same record name: the name is the envelope's associated data, so a blob
 * opened under one name proves nothing about another.
 *
 * Records handed out from the memo are shared: callers must not change them
 * while the memo is on (the sync paths only read, join into new documents,
 * and write). At most CCM_MEMO_MAX records are kept.
 *
 * Freeing them is not free: a large merge's incoming records are a quarter
 * of a million jansson values, a visible share of a sync's time to free
 * one by one (docs/architecture.md, "Sync"). A sync retires its
 * memo instead, and the command line, which exits right after, never pays
 * for it (ccm_store_free_at_exit).
 */
#include <stdlib.h>
#include <string.h>

#include "store_private.h"

#define CCM_MEMO_MAX 8192

typedef struct {
    char name[CCM_NAME_LEN + 1];
    json_t *rec;
} memo_entry;

struct ccm_memo {
    ccm_oidmap map;
    memo_entry *entries;
    size_t n;
};

void ccm_store_memo_begin(ccm_store *s)
{
    ccm_store_memo_end(s);
    s->memo = calloc(1, sizeof(*s->memo)); /* NULL: no memo, every open decrypts */
}

static void memo_free(struct ccm_memo *m)
{
    if (!m) {
        return;
    }
    for (size_t i = 0; i < m->n; i++) {
        json_decref(m->entries[i].rec);
    }
    ccm_oidmap_free(&m->map);
    free(m->entries);
    free(m);
}

void ccm_store_memo_end(ccm_store *s)
{
    memo_free(s->memo);
    memo_free(s->memo_retired);
    s->memo = s->memo_retired = NULL;
}

void ccm_store_memo_retire(ccm_store *s)
{
    memo_free(s->memo_retired);
    s->memo_retired = s->memo;
    s->memo = NULL;
}

json_t *ccm_store_memo_get(ccm_store *s, const char *name, const git_oid *oid)
{
    memo_entry *e = s->memo ? ccm_oidmap_get(&s->memo->map, oid) : NULL;
    return e && strcmp(e->name, name) == 0 ? json_incref(e->rec) : NULL;
}

void ccm_store_memo_put(ccm_store *s, const char *name, const git_oid *oid, json_t *rec)
{
    memo_entry *e;

    if (!s->memo || s->memo->n == CCM_MEMO_MAX || strlen(name) != CCM_NAME_LEN ||
        ccm_oidmap_get(&s->memo->map, oid)) {
        return;
    }
    /* The map points into the entries, so they are allocated once, at the
     * first record, never moved. */
    if (!s->memo->entries && !(s->memo->entries = malloc(CCM_MEMO_MAX * sizeof(memo_entry)))) {
        return;
    }
    e = &s->memo->entries[s->memo->n];
    memcpy(e->name, name, CCM_NAME_LEN + 1);
    if (ccm_oidmap_put(&s->memo->map, oid, e) < 0) {
        ccm_error_clear(); /* the memo is an optimisation only */
        return;
    }
    e->rec = json_incref(rec);
    s->memo->n++;
}
