/*
 * packwrite.c - writes a git pack file of whole objects and its index
 * straight into a repository's objects/pack.
 *
 * Why not libgit2's pack builder and indexer: the builder searches for
 * deltas and deflates every object at zlib's default level, and the indexer
 * then inflates and hashes every object again. ccmsync's records are
 * ciphertext, which neither deltifies nor compresses, and every object
 * written here has an id libgit2 already computed from its bytes (on write,
 * or on read with strict hash verification, which is on). On a merging sync
 * that work was more than half of the time. Here each object is a zlib
 * stream of "stored" (uncompressed) blocks, which costs a copy and an
 * Adler-32, and the index is written from the ids at hand.
 *
 * Format (git's Documentation/gitformat-pack.txt):
 *   .pack: "PACK", version 2, object count; per object a type-and-size
 *          header and the zlib stream; the SHA-1 of all that.
 *   .idx:  version 2: "\377tOc", 2, a 256-entry fan-out, the sorted ids, the
 *          CRC-32 of each packed object, 31-bit offsets (larger ones in a
 *          64-bit table), the pack's SHA-1, the SHA-1 of the index.
 * Both are written to temporary files, then renamed: the pack first, the
 * index last, since readers only see a pack once its index is there.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "odb.h"
#include "../../crypto/crypto.h"

#define PACKW_CHUNK (1u << 20)
#define STORED_MAX 65535u

typedef struct {
    git_oid id;
    uint64_t offset;
    uint32_t crc;
} packw_entry;

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

uint32_t ccm_adler32(const void *data, size_t n)
{
    const uint8_t *p = data;
    uint32_t a = 1, b = 0;

    while (n > 0) {
        /* 5552 bytes is the most that cannot overflow b before the modulo. */
        size_t k = n < 5552 ? n : 5552;
        n -= k;
        while (k--) {
            a += *p++;
            b += a;
        }
        a %= 65521;
        b %= 65521;
    }
    return b << 16 | a;
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t k = write(fd, p, n);
        if (k < 0 && errno == EINTR) {
            continue;
        }
        if (k <= 0) {
            return ccm_error_set(CCM_ERROR, "cannot write pack: %s", strerror(errno));
        }
        p += k;
        n -= (size_t)k;
    }
    return CCM_OK;
}

static int packw_flush(ccm_packw *w)
{
    int rc = write_all(w->fd, w->buf, w->len);
    w->len = 0;
    return rc;
}

/* Appends to the pack: hashed, counted in the offset and the object's CRC. */
static int packw_put(ccm_packw *w, const void *data, size_t n)
{
    const uint8_t *p = data;
    int rc;

    ccm_sha1_update(&w->sha, p, n);
    w->crc = ccm_crc32(w->crc, p, n);
    w->offset += n;
    while (n > 0) {
        size_t take = PACKW_CHUNK - w->len < n ? PACKW_CHUNK - w->len : n;
        memcpy(w->buf + w->len, p, take);
        w->len += take;
        p += take;
        n -= take;
        if (w->len == PACKW_CHUNK && (rc = packw_flush(w)) < 0) {
            return rc;
        }
    }
    return CCM_OK;
}

/* Creates <dir>/<tmpl> (tmpl ending in XXXXXX) into path (PATH_MAX bytes). */
static int temp_file(char *path, int *fd, const char *dir, const char *tmpl)
{
    if ((size_t)snprintf(path, PATH_MAX, "%s/%s", dir, tmpl) >= PATH_MAX) {
        path[0] = 0;
        return ccm_error_set(CCM_ERROR, "cannot create a pack in '%s': path too long", dir);
    }
    if ((*fd = mkstemp(path)) < 0) {
        path[0] = 0;
        return ccm_error_set(CCM_ERROR, "cannot create a pack in '%s': %s", dir, strerror(errno));
    }
    return CCM_OK;
}

int ccm_packw_start(ccm_packw *w, git_repository *repo, uint32_t count)
{
    uint8_t hdr[12] = {'P', 'A', 'C', 'K'};
    git_buf objects = {0};
    int rc;

    memset(w, 0, sizeof(*w));
    w->fd = -1;
    w->left = count;
    w->repo = repo;
    ccm_sha1_init(&w->sha);
    if (git_repository_item_path(&objects, repo, GIT_REPOSITORY_ITEM_OBJECTS) < 0) {
        return ccm_git_error("cannot find the objects folder");
    }
    rc = snprintf(w->dir, sizeof(w->dir), "%s/pack", objects.ptr);
    git_buf_dispose(&objects);
    if (rc < 0 || (size_t)rc >= sizeof(w->dir)) {
        return ccm_error_set(CCM_ERROR, "cannot write a pack: path too long");
    }
    if (!(w->buf = malloc(PACKW_CHUNK)) ||
        !(w->entries = malloc((count ? count : 1) * sizeof(packw_entry)))) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    if (mkdir(w->dir, 0777) < 0 && errno != EEXIST) {
        return ccm_error_set(CCM_ERROR, "cannot create '%s': %s", w->dir, strerror(errno));
    }
    if ((rc = temp_file(w->tmp_pack, &w->fd, w->dir, "tmp_pack_XXXXXX")) < 0) {
        return rc;
    }
    put_be32(hdr + 4, 2);
    put_be32(hdr + 8, count);
    return packw_put(w, hdr, sizeof(hdr));
}

int ccm_packw_add(ccm_packw *w, const git_oid *id, git_object_t type, const void *data, size_t n)
{
    uint8_t hdr[16], blk[5], sum[4];
    const uint8_t *p = data;
    size_t h = 0, size = n, total = n;
    packw_entry *e;
    int rc;

    if (w->left == 0) {
        return ccm_error_set(CCM_ERROR, "pack: more objects than announced");
    }
    if (type < GIT_OBJECT_COMMIT || type > GIT_OBJECT_TAG) {
        return ccm_error_set(CCM_ERROR, "pack: object of unexpected type %d", (int)type);
    }
    w->left--;
    e = &((packw_entry *)w->entries)[w->n++];
    e->id = *id;
    e->offset = w->offset;
    w->crc = 0;
    /* type and size: 3 bits of type, then the size 4 + 7k bits at a time */
    hdr[h] = (uint8_t)(((unsigned)type & 7) << 4 | (size & 15));
    size >>= 4;
    while (size) {
        hdr[h++] |= 0x80;
        hdr[h] = (uint8_t)(size & 0x7f);
        size >>= 7;
    }
    h++;
    /* zlib header: deflate, 32K window, no dictionary, "fastest" level */
    hdr[h++] = 0x78;
    hdr[h++] = 0x01;
    if ((rc = packw_put(w, hdr, h)) < 0) {
        return rc;
    }
    do {
        size_t take = n < STORED_MAX ? n : STORED_MAX;
        blk[0] = take == n; /* BFINAL on the last block, BTYPE 00 (stored) */
        blk[1] = (uint8_t)take;
        blk[2] = (uint8_t)(take >> 8);
        blk[3] = (uint8_t)~take;
        blk[4] = (uint8_t)(~take >> 8);
        if ((rc = packw_put(w, blk, 5)) < 0 || (rc = packw_put(w, p, take)) < 0) {
            return rc;
        }
        p += take;
        n -= take;
    } while (n > 0);
    put_be32(sum, ccm_adler32(data, total));
    if ((rc = packw_put(w, sum, 4)) < 0) {
        return rc;
    }
    e->crc = w->crc;
    return CCM_OK;
}

static int entry_cmp(const void *a, const void *b)
{
    return git_oid_cmp(&((const packw_entry *)a)->id, &((const packw_entry *)b)->id);
}

/* The .idx of the entries (sorted by id), into a temporary file. */
static int write_index(ccm_packw *w, const uint8_t pack_sha[20], char *tmp)
{
    packw_entry *es = w->entries;
    uint32_t fan[256] = {0}, nlarge = 0;
    uint8_t word[8], sha[20];
    int fd = -1, rc;

    /* The pack is closed; its buffer now stages the index. */
    w->len = 0;
    ccm_sha1_init(&w->sha);
    if ((rc = temp_file(tmp, &fd, w->dir, "tmp_idx_XXXXXX")) < 0) {
        return rc;
    }
    w->fd = fd;
#define IDX_PUT(p, n)                                                                              \
    do {                                                                                           \
        if ((rc = packw_put(w, (p), (n))) < 0)                                                     \
            goto done;                                                                             \
    } while (0)
    IDX_PUT("\377tOc\0\0\0\2", 8);
    for (size_t i = 0; i < w->n; i++) {
        fan[es[i].id.id[0]]++;
    }
    for (int i = 0, sum = 0; i < 256; i++) {
        sum += (int)fan[i];
        put_be32(word, (uint32_t)sum);
        IDX_PUT(word, 4);
    }
    for (size_t i = 0; i < w->n; i++) {
        IDX_PUT(es[i].id.id, GIT_OID_RAWSZ);
    }
    for (size_t i = 0; i < w->n; i++) {
        put_be32(word, es[i].crc);
        IDX_PUT(word, 4);
    }
    for (size_t i = 0; i < w->n; i++) {
        uint32_t v = es[i].offset < 0x80000000u ? (uint32_t)es[i].offset : 0x80000000u | nlarge++;
        put_be32(word, v);
        IDX_PUT(word, 4);
    }
    for (size_t i = 0; i < w->n; i++) {
        if (es[i].offset >= 0x80000000u) {
            put_be32(word, (uint32_t)(es[i].offset >> 32));
            put_be32(word + 4, (uint32_t)es[i].offset);
            IDX_PUT(word, 8);
        }
    }
    IDX_PUT(pack_sha, 20);
#undef IDX_PUT
    ccm_sha1_final(&w->sha, sha);
    if ((rc = packw_put(w, sha, 20)) == CCM_OK && (rc = packw_flush(w)) == CCM_OK &&
        fchmod(fd, 0444) < 0) {
        rc = ccm_error_set(CCM_ERROR, "cannot write pack index: %s", strerror(errno));
    }
done:
    w->fd = -1;
    if (close(fd) < 0 && rc == CCM_OK) {
        rc = ccm_error_set(CCM_ERROR, "cannot write pack index: %s", strerror(errno));
    }
    return rc;
}

int ccm_packw_commit(ccm_packw *w)
{
    uint8_t sha[20];
    char hex[GIT_OID_HEXSZ + 1], pack[PATH_MAX], idx[PATH_MAX];
    git_oid as_oid;
    git_odb *odb = NULL;
    int rc;

    if (w->left != 0) {
        return ccm_error_set(CCM_ERROR, "pack: fewer objects than announced");
    }
    ccm_sha1_final(&w->sha, sha);
    if ((rc = write_all(w->fd, w->buf, w->len)) < 0 || (rc = write_all(w->fd, sha, 20)) < 0) {
        return rc;
    }
    w->len = 0;
    if (fchmod(w->fd, 0444) < 0 || close(w->fd) < 0) {
        w->fd = -1;
        return ccm_error_set(CCM_ERROR, "cannot write pack: %s", strerror(errno));
    }
    w->fd = -1;
    qsort(w->entries, w->n, sizeof(packw_entry), entry_cmp);
    for (size_t i = 1; i < w->n; i++) {
        if (git_oid_equal(&((packw_entry *)w->entries)[i - 1].id,
                          &((packw_entry *)w->entries)[i].id)) {
            return ccm_error_set(CCM_ERROR, "pack: the same object twice");
        }
    }
    if ((rc = write_index(w, sha, w->tmp_idx)) < 0) {
        return rc;
    }
    git_oid_fromraw(&as_oid, sha);
    git_oid_tostr(hex, sizeof(hex), &as_oid);
    if (snprintf(pack, sizeof(pack), "%s/pack-%s.pack", w->dir, hex) >= (int)sizeof(pack) ||
        snprintf(idx, sizeof(idx), "%s/pack-%s.idx", w->dir, hex) >= (int)sizeof(idx)) {
        rc = ccm_error_set(CCM_ERROR, "cannot write pack: path too long");
    } else if (rename(w->tmp_pack, pack) < 0 || rename(w->tmp_idx, idx) < 0) {
        rc = ccm_error_set(CCM_ERROR, "cannot write pack: %s", strerror(errno));
    } else {
        w->tmp_pack[0] = w->tmp_idx[0] = 0;
        /* Let this process's handles see the new pack now. */
        if (git_repository_odb(&odb, w->repo) == 0) {
            git_odb_refresh(odb);
            git_odb_free(odb);
        }
    }
    return rc;
}

void ccm_packw_free(ccm_packw *w)
{
    if (w->fd >= 0) {
        close(w->fd);
    }
    if (w->tmp_pack[0]) {
        unlink(w->tmp_pack);
    }
    if (w->tmp_idx[0]) {
        unlink(w->tmp_idx);
    }
    free(w->buf);
    free(w->entries);
    memset(w, 0, sizeof(*w));
    w->fd = -1;
}
