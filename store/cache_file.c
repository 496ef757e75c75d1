/*
 * cache_file.c - the on-disk form of the local record cache.
 *
 * <store>/cache holds "CCMCACHE3" and then five sealed sections, each a u64
 * (big-endian) length followed by XChaCha20-Poly1305 ciphertext under a key
 * derived from the member's secret key:
 *   0  the index: "<head commit>\n", then one line per record, sorted by
 *      record name: "<name> <blob id> <kind> <id>\n"
 *   1  the canonical JSON of every state, one per line, in index order
 *   2  the same for activities
 *   3  the same for notes
 *   4  what is derived from them (cache_derived.c), as JSON
 * so that resolving an id decrypts only the index, and listing states does
 * not decrypt a hundred thousand activities. Section 4 is read with the
 * index.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"

#define MAGIC "CCMCACHE3"
#define DERIVED (1 + CCM_CACHE_KINDS) /* the section after the kinds */
#define MAGIC_LEN 9

const char *const ccm_cache_kinds[CCM_CACHE_KINDS] = {"state", "activity", "note"};

int ccm_cache_kind(const char *kind)
{
    for (int k = 0; k < CCM_CACHE_KINDS; k++) {
        if (kind && strcmp(kind, ccm_cache_kinds[k]) == 0) {
            return k;
        }
    }
    return -1;
}

void ccm_cache_entry_clear(ccm_cache_entry *e)
{
    if (e->owned & CCM_CACHE_OWNS_ID) {
        free(e->id);
    }
    if (e->owned & CCM_CACHE_OWNS_DOC) {
        free(e->doc);
    }
}

void ccm_cache_clear(ccm_cache *c)
{
    for (size_t i = 0; i < c->n; i++) {
        ccm_cache_entry_clear(&c->e[i]);
    }
    free(c->e);
    for (int i = 0; i <= CCM_CACHE_KINDS; i++) {
        ccm_wipe_free(c->bufs[i], c->lens[i]);
    }
    json_decref(c->done_dates);
    memset(c, 0, sizeof(*c));
}

int ccm_cache_push(ccm_cache *c, const ccm_cache_entry *e)
{
    int rc = ccm_grow(&c->e, &c->cap, c->n, sizeof(*c->e), 256);

    if (rc < 0) {
        return rc;
    }
    c->e[c->n++] = *e;
    return CCM_OK;
}

static void section_ad(char ad[32], int i)
{
    snprintf(ad, 32, "ccmsync-cache-2:%d", i);
}

/* Parses the index section into entries (ids point into the buffer). */
static int parse_index(ccm_cache *c)
{
    char *p = (char *)c->bufs[0], *end = p + c->lens[0], *nl;

    if (c->lens[0] < 41 || p[40] != '\n') {
        return CCM_ERROR;
    }
    memcpy(c->head, p, 40);
    c->head[40] = 0;
    for (p += 41; p < end; p = nl + 1) {
        ccm_cache_entry e = {0};
        char *sp1, *sp2, *sp3;
        if (!(nl = memchr(p, '\n', (size_t)(end - p)))) {
            return CCM_ERROR;
        }
        *nl = 0;
        if (!(sp1 = strchr(p, ' ')) || !(sp2 = strchr(sp1 + 1, ' ')) ||
            !(sp3 = strchr(sp2 + 1, ' '))) {
            return CCM_ERROR;
        }
        *sp1 = *sp2 = *sp3 = 0;
        if (sp1 - p != CCM_NAME_LEN || git_oid_fromstr(&e.oid, sp1 + 1) < 0 ||
            (e.kind = ccm_cache_kind(sp2 + 1)) < 0) {
            return CCM_ERROR;
        }
        memcpy(e.name, p, CCM_NAME_LEN + 1);
        e.id = sp3 + 1;
        if ((c->n && strcmp(c->e[c->n - 1].name, e.name) >= 0) || ccm_cache_push(c, &e) < 0) {
            return CCM_ERROR;
        }
    }
    return CCM_OK;
}

/* Points the entries of kind k at the lines of its decrypted section. */
static int attach_docs(ccm_cache *c, int k)
{
    char *p = (char *)c->bufs[1 + k], *end = p + c->lens[1 + k], *nl;

    for (size_t i = 0; i < c->n; i++) {
        if (c->e[i].kind != k) {
            continue;
        }
        if (p >= end || !(nl = memchr(p, '\n', (size_t)(end - p)))) {
            return CCM_ERROR;
        }
        *nl = 0;
        c->e[i].doc = p;
        p = nl + 1;
    }
    return p == end ? CCM_OK : CCM_ERROR;
}

static int load_sections(ccm_cache *c, ccm_store *s, const uint8_t *file, size_t len, int want)
{
    const uint8_t *p = file + MAGIC_LEN, *end = file + len;
    char ad[32];

    if (len < MAGIC_LEN || memcmp(file, MAGIC, MAGIC_LEN) != 0) {
        return CCM_ERROR;
    }
    for (int i = 0; i <= CCM_CACHE_KINDS; i++) {
        uint64_t n = 0;
        if ((size_t)(end - p) < 8) {
            return CCM_ERROR;
        }
        for (int b = 0; b < 8; b++) {
            n = (n << 8) | p[b];
        }
        p += 8;
        if (n > (uint64_t)(end - p)) {
            return CCM_ERROR;
        }
        if (i == 0 || (want & (1 << (i - 1)))) {
            section_ad(ad, i);
            if (ccm_local_open(&c->bufs[i], &c->lens[i], s->local_key, ad, p, (size_t)n) < 0) {
                return CCM_ERROR;
            }
            if (i == 0 && parse_index(c) < 0) {
                return CCM_ERROR;
            }
            if (i > 0 && attach_docs(c, i - 1) < 0) {
                return CCM_ERROR;
            }
            if (i > 0) {
                c->loaded |= 1 << (i - 1);
            }
        }
        p += n;
    }
    {
        /* The derived section, with the index. */
        uint64_t n = 0;
        uint8_t *pt = NULL;
        size_t pt_len = 0;
        if ((size_t)(end - p) < 8) {
            return CCM_ERROR;
        }
        for (int b = 0; b < 8; b++) {
            n = (n << 8) | p[b];
        }
        p += 8;
        if (n != (uint64_t)(end - p)) {
            return CCM_ERROR;
        }
        section_ad(ad, DERIVED);
        if (ccm_local_open(&pt, &pt_len, s->local_key, ad, p, (size_t)n) < 0) {
            return CCM_ERROR;
        }
        c->done_dates = json_loadb((const char *)pt, pt_len, 0, NULL);
        ccm_wipe_free(pt, pt_len);
        if (!json_is_object(c->done_dates)) {
            return CCM_ERROR;
        }
    }
    return CCM_OK;
}

void ccm_cache_read(ccm_cache *c, ccm_store *s, int want)
{
    char *path = ccm_path_join(s->dir, "cache");
    const uint8_t *file = NULL;
    size_t len = 0;

    /* Mapped, not read: a listing of states touches the index and the
     * states, not the hundred megabytes of activities after them. */
    memset(c, 0, sizeof(*c));
    if (path && ccm_file_map(&file, &len, path) == CCM_OK &&
        load_sections(c, s, file, len, want) == CCM_OK) {
        ccm_file_unmap(file, len);
        free(path);
        return;
    }
    ccm_error_clear();
    ccm_cache_clear(c);
    c->loaded = CCM_CACHE_ALL; /* an empty cache has every section */
    c->done_dates = json_object();
    ccm_file_unmap(file, len);
    free(path);
}

/* Appends a sealed section (u64 length + ciphertext) to out. */
static int put_section(uint8_t **out, size_t *len, size_t *cap, const uint8_t key[32], int i,
                       const char *pt, size_t pt_len)
{
    uint8_t *sealed = NULL;
    size_t n = 0;
    char ad[32];
    int rc;

    section_ad(ad, i);
    if ((rc = ccm_local_seal(&sealed, &n, key, ad, (const uint8_t *)pt, pt_len)) < 0) {
        return rc;
    }
    if (*len + 8 + n > *cap) {
        size_t want = (*len + 8 + n) * 2;
        uint8_t *g = realloc(*out, want);
        if (!g) {
            free(sealed);
            return ccm_error_set(CCM_ERROR, "out of memory");
        }
        *out = g;
        *cap = want;
    }
    for (int b = 7; b >= 0; b--) {
        (*out)[(*len)++] = (uint8_t)((uint64_t)n >> (8 * b));
    }
    memcpy(*out + *len, sealed, n);
    *len += n;
    free(sealed);
    return CCM_OK;
}

int ccm_cache_save(ccm_cache *c, ccm_store *s)
{
    size_t caps[1 + CCM_CACHE_KINDS] = {42}, lens[1 + CCM_CACHE_KINDS] = {0};
    char *pts[1 + CCM_CACHE_KINDS] = {NULL};
    uint8_t *file = NULL;
    size_t flen = MAGIC_LEN, fcap = 0;
    char *path = NULL;
    int rc = CCM_OK;

    if (c->loaded != CCM_CACHE_ALL) {
        return ccm_error_set(CCM_ERROR, "cache not fully loaded");
    }
    for (size_t i = 0; i < c->n; i++) {
        caps[0] += CCM_NAME_LEN + 52 + strlen(c->e[i].id);
        caps[1 + c->e[i].kind] += strlen(c->e[i].doc) + 1;
    }
    for (int i = 0; i <= CCM_CACHE_KINDS; i++) {
        if (!(pts[i] = malloc(caps[i] + 1))) {
            rc = ccm_error_set(CCM_ERROR, "out of memory");
            goto done;
        }
    }
    lens[0] = (size_t)sprintf(pts[0], "%s\n", c->head);
    for (size_t i = 0; i < c->n; i++) {
        const ccm_cache_entry *e = &c->e[i];
        char oid[41];
        size_t dl = strlen(e->doc);
        git_oid_tostr(oid, sizeof(oid), &e->oid);
        lens[0] += (size_t)sprintf(pts[0] + lens[0], "%s %s %s %s\n", e->name, oid,
                                   ccm_cache_kinds[e->kind], e->id);
        memcpy(pts[1 + e->kind] + lens[1 + e->kind], e->doc, dl);
        lens[1 + e->kind] += dl;
        pts[1 + e->kind][lens[1 + e->kind]++] = '\n';
    }
    fcap = MAGIC_LEN + 64 + lens[0] + lens[1] + lens[2] + lens[3] + 4 * 64;
    if (!(file = malloc(fcap))) {
        rc = ccm_error_set(CCM_ERROR, "out of memory");
        goto done;
    }
    memcpy(file, MAGIC, MAGIC_LEN);
    for (int i = 0; i <= CCM_CACHE_KINDS && rc == CCM_OK; i++) {
        rc = put_section(&file, &flen, &fcap, s->local_key, i, pts[i], lens[i]);
    }
    if (rc == CCM_OK) {
        char *derived = json_dumps(c->done_dates, JSON_SORT_KEYS | JSON_COMPACT);
        rc = derived
                 ? put_section(&file, &flen, &fcap, s->local_key, DERIVED, derived, strlen(derived))
                 : ccm_error_set(CCM_ERROR, "out of memory");
        if (derived) {
            ccm_wipe_free(derived, strlen(derived));
        }
    }
    if (rc == CCM_OK) {
        path = ccm_path_join(s->dir, "cache");
        rc = path ? ccm_file_write(path, file, flen, 0600)
                  : ccm_error_set(CCM_ERROR, "out of memory");
    }
done:
    for (int i = 0; i <= CCM_CACHE_KINDS; i++) {
        ccm_wipe_free(pts[i], caps[i] + 1);
    }
    free(file);
    free(path);
    return rc;
}
