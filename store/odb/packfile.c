/*
 * packfile.c - writes a git pack file of whole objects and its index
 * straight into a repository's objects/pack.
 *
 * Why not libgit2's pack builder and indexer: the builder searches for
 * deltas and deflates every object at zlib's default level, and the indexer
 * (git_indexer, behind git_odb_write_pack) then inflates and hashes every
 * object, and the whole pack, again. ccmsync's records are ciphertext,
 * which neither deltifies nor compresses, and every object written here has
 * an id libgit2 already computed from its bytes (git_odb_hash, a write, or
 * a read with strict hash verification, which is on). Here each object is a
 * zlib stream of "stored" (uncompressed) blocks, which costs a copy and an
 * Adler-32, and the index is written from the ids at hand (bench/ODB.md
 * measures git_indexer against it). zlib computes the checksums (Adler-32
 * of each stream, CRC-32 of each packed object); the SHA-1 that closes pack
 * and index is sha1.c's, libgit2's API having none.
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
#include <zlib.h>

#include "odb.h"
#include "../../crypto/base/base.h"

#define CHUNK (1u << 20)  /* bytes staged before each write(2) */
#define STORED_MAX 65535u /* the most a stored deflate block holds */

typedef struct {
    git_oid id;
    uint64_t offset;
    uint32_t crc;
} entry;

struct ccm_packfile {
    git_repository *repo;
    char dir[PATH_MAX];      /* objects/pack */
    char tmp_pack[PATH_MAX]; /* the temporary files, "" where none */
    char tmp_idx[PATH_MAX];
    int fd; /* the file being written, or -1 */
    ccm_sha1 sha;
    uint8_t *buf; /* CHUNK bytes staged for fd */
    size_t len;
    uint64_t offset; /* bytes of the pack so far */
    uint32_t crc;    /* of the object being added */
    uint32_t left;   /* objects announced and not added yet */
    entry *entries;  /* one per object announced */
    size_t n;        /* entries used */
};

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t k = write(fd, p, n);
        if (k < 0 && errno == EINTR) {
            continue;
        }
        if (k <= 0) {
            return ccm_error_set(CCM_ERROR, "cannot write pack: %s",
                                 k < 0 ? strerror(errno) : "nothing written");
        }
        p += k;
        n -= (size_t)k;
    }
    return CCM_OK;
}

static int flush_buf(ccm_packfile *pf)
{
    int rc = write_all(pf->fd, pf->buf, pf->len);
    pf->len = 0;
    return rc;
}

/* Appends to the file: hashed, counted in the offset and the object's CRC. */
static int put(ccm_packfile *pf, const void *data, size_t n)
{
    const uint8_t *p = data;
    int rc;

    ccm_sha1_update(&pf->sha, p, n);
    pf->crc = (uint32_t)crc32_z(pf->crc, p, n);
    pf->offset += n;
    while (n > 0) {
        size_t take = CHUNK - pf->len < n ? CHUNK - pf->len : n;
        memcpy(pf->buf + pf->len, p, take);
        pf->len += take;
        p += take;
        n -= take;
        if (pf->len == CHUNK && (rc = flush_buf(pf)) < 0) {
            return rc;
        }
    }
    return CCM_OK;
}

/* Creates <dir>/<tmpl> (tmpl ending in XXXXXX) into path (PATH_MAX bytes);
 * path is "" unless it succeeds. */
static int temp_file(char *path, int *fd, const char *dir, const char *tmpl)
{
    if (snprintf(path, PATH_MAX, "%s/%s", dir, tmpl) >= PATH_MAX) {
        path[0] = 0;
        return ccm_error_set(CCM_ERROR, "cannot create a pack in '%s': path too long", dir);
    }
    if ((*fd = mkstemp(path)) < 0) {
        path[0] = 0;
        return ccm_error_set(CCM_ERROR, "cannot create a pack in '%s': %s", dir, strerror(errno));
    }
    return CCM_OK;
}

int ccm_packfile_new(ccm_packfile **out, git_repository *repo, uint32_t count)
{
    uint8_t hdr[12] = {'P', 'A', 'C', 'K'};
    git_buf objects = {0};
    ccm_packfile *pf;
    int rc, n;

    *out = NULL;
    if (!(pf = calloc(1, sizeof(*pf)))) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    pf->fd = -1;
    pf->left = count;
    pf->repo = repo;
    ccm_sha1_init(&pf->sha);
    if (git_repository_item_path(&objects, repo, GIT_REPOSITORY_ITEM_OBJECTS) < 0) {
        rc = ccm_git_error("cannot find the objects folder");
        goto done;
    }
    n = snprintf(pf->dir, sizeof(pf->dir), "%s/pack", objects.ptr);
    git_buf_dispose(&objects);
    if (n < 0 || (size_t)n >= sizeof(pf->dir)) {
        rc = ccm_error_set(CCM_ERROR, "cannot write a pack: path too long");
        goto done;
    }
    if (!(pf->buf = malloc(CHUNK)) ||
        !(pf->entries = calloc(count ? count : 1, sizeof(*pf->entries)))) {
        rc = ccm_error_set(CCM_ERROR, "out of memory");
        goto done;
    }
    if (mkdir(pf->dir, 0777) < 0 && errno != EEXIST) {
        rc = ccm_error_set(CCM_ERROR, "cannot create '%s': %s", pf->dir, strerror(errno));
        goto done;
    }
    if ((rc = temp_file(pf->tmp_pack, &pf->fd, pf->dir, "tmp_pack_XXXXXX")) < 0) {
        goto done;
    }
    put_be32(hdr + 4, 2);
    put_be32(hdr + 8, count);
    rc = put(pf, hdr, sizeof(hdr));
done:
    if (rc < 0) {
        ccm_packfile_free(pf);
        return rc;
    }
    *out = pf;
    return CCM_OK;
}

int ccm_packfile_add(ccm_packfile *pf, const git_oid *id, git_object_t type, const void *data,
                     size_t n)
{
    uint8_t hdr[16], blk[5], sum[4];
    const uint8_t *p = data;
    size_t h = 0, size = n, total = n;
    entry *e;
    int rc;

    if (pf->left == 0) {
        return ccm_error_set(CCM_ERROR, "pack: more objects than announced");
    }
    if (type < GIT_OBJECT_COMMIT || type > GIT_OBJECT_TAG) {
        return ccm_error_set(CCM_ERROR, "pack: object of unexpected type %d", (int)type);
    }
    pf->left--;
    e = &pf->entries[pf->n++];
    e->id = *id;
    e->offset = pf->offset;
    pf->crc = (uint32_t)crc32_z(0, Z_NULL, 0);
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
    if ((rc = put(pf, hdr, h)) < 0) {
        return rc;
    }
    do {
        size_t take = n < STORED_MAX ? n : STORED_MAX;
        blk[0] = take == n; /* BFINAL on the last block, BTYPE 00 (stored) */
        blk[1] = (uint8_t)take;
        blk[2] = (uint8_t)(take >> 8);
        blk[3] = (uint8_t)~take;
        blk[4] = (uint8_t)(~take >> 8);
        if ((rc = put(pf, blk, 5)) < 0 || (rc = put(pf, p, take)) < 0) {
            return rc;
        }
        p += take;
        n -= take;
    } while (n > 0);
    put_be32(sum, (uint32_t)adler32_z(adler32_z(0, Z_NULL, 0), data, total));
    if ((rc = put(pf, sum, 4)) < 0) {
        return rc;
    }
    e->crc = pf->crc;
    return CCM_OK;
}

static int entry_cmp(const void *a, const void *b)
{
    return git_oid_cmp(&((const entry *)a)->id, &((const entry *)b)->id);
}

/* Closes the file being written (pf->fd), read-only; `what` for errors. */
static int close_file(ccm_packfile *pf, const char *what)
{
    int fd = pf->fd, rc = CCM_OK;

    pf->fd = -1;
    if (fchmod(fd, 0444) < 0) {
        rc = ccm_error_set(CCM_ERROR, "cannot write %s: %s", what, strerror(errno));
    }
    if (close(fd) < 0 && rc == CCM_OK) {
        rc = ccm_error_set(CCM_ERROR, "cannot write %s: %s", what, strerror(errno));
    }
    return rc;
}

/* The .idx of the entries (sorted by id), into a temporary file. */
static int write_index(ccm_packfile *pf, const uint8_t pack_sha[20])
{
    const entry *es = pf->entries;
    uint32_t fan[256] = {0}, nlarge = 0;
    uint8_t word[8], sha[20];
    int rc;

    /* The pack is closed; its buffer now stages the index. */
    pf->len = 0;
    ccm_sha1_init(&pf->sha);
    if ((rc = temp_file(pf->tmp_idx, &pf->fd, pf->dir, "tmp_idx_XXXXXX")) < 0) {
        return rc;
    }
#define IDX_PUT(p, n)                                                                              \
    do {                                                                                           \
        if ((rc = put(pf, (p), (n))) < 0)                                                          \
            return rc;                                                                             \
    } while (0)
    IDX_PUT("\377tOc\0\0\0\2", 8);
    for (size_t i = 0; i < pf->n; i++) {
        fan[es[i].id.id[0]]++;
    }
    for (uint32_t i = 0, sum = 0; i < 256; i++) {
        sum += fan[i];
        put_be32(word, sum);
        IDX_PUT(word, 4);
    }
    for (size_t i = 0; i < pf->n; i++) {
        IDX_PUT(es[i].id.id, GIT_OID_RAWSZ);
    }
    for (size_t i = 0; i < pf->n; i++) {
        put_be32(word, es[i].crc);
        IDX_PUT(word, 4);
    }
    for (size_t i = 0; i < pf->n; i++) {
        uint32_t v = es[i].offset < 0x80000000u ? (uint32_t)es[i].offset : 0x80000000u | nlarge++;
        put_be32(word, v);
        IDX_PUT(word, 4);
    }
    for (size_t i = 0; i < pf->n; i++) {
        if (es[i].offset >= 0x80000000u) {
            put_be32(word, (uint32_t)(es[i].offset >> 32));
            put_be32(word + 4, (uint32_t)es[i].offset);
            IDX_PUT(word, 8);
        }
    }
    IDX_PUT(pack_sha, 20);
#undef IDX_PUT
    ccm_sha1_final(&pf->sha, sha);
    if ((rc = put(pf, sha, 20)) < 0 || (rc = flush_buf(pf)) < 0) {
        return rc;
    }
    return close_file(pf, "pack index");
}

int ccm_packfile_commit(ccm_packfile *pf)
{
    uint8_t sha[20];
    char hex[GIT_OID_HEXSZ + 1], pack[PATH_MAX], idx[PATH_MAX];
    git_oid as_oid;
    git_odb *odb = NULL;
    int rc;

    if (pf->left != 0) {
        return ccm_error_set(CCM_ERROR, "pack: fewer objects than announced");
    }
    ccm_sha1_final(&pf->sha, sha);
    if ((rc = flush_buf(pf)) < 0 || (rc = write_all(pf->fd, sha, 20)) < 0 ||
        (rc = close_file(pf, "pack")) < 0) {
        return rc;
    }
    qsort(pf->entries, pf->n, sizeof(*pf->entries), entry_cmp);
    for (size_t i = 1; i < pf->n; i++) {
        if (git_oid_equal(&pf->entries[i - 1].id, &pf->entries[i].id)) {
            return ccm_error_set(CCM_ERROR, "pack: the same object twice");
        }
    }
    if ((rc = write_index(pf, sha)) < 0) {
        return rc;
    }
    git_oid_fromraw(&as_oid, sha);
    git_oid_tostr(hex, sizeof(hex), &as_oid);
    if (snprintf(pack, sizeof(pack), "%s/pack-%s.pack", pf->dir, hex) >= (int)sizeof(pack) ||
        snprintf(idx, sizeof(idx), "%s/pack-%s.idx", pf->dir, hex) >= (int)sizeof(idx)) {
        return ccm_error_set(CCM_ERROR, "cannot write pack: path too long");
    }
    if (rename(pf->tmp_pack, pack) < 0) {
        return ccm_error_set(CCM_ERROR, "cannot write pack: %s", strerror(errno));
    }
    pf->tmp_pack[0] = 0;
    if (rename(pf->tmp_idx, idx) < 0) {
        /* The pack stays: without its index no reader sees it, and a pack of
         * that name is one of the same bytes (named by their hash). */
        return ccm_error_set(CCM_ERROR, "cannot write pack: %s", strerror(errno));
    }
    pf->tmp_idx[0] = 0;
    /* This process's handles on repo see the new pack at once (others
     * rescan objects/pack when they miss an object). */
    if (git_repository_odb(&odb, pf->repo) < 0 || git_odb_refresh(odb) < 0) {
        rc = ccm_git_error("cannot read the new pack");
    }
    git_odb_free(odb);
    return rc;
}

void ccm_packfile_free(ccm_packfile *pf)
{
    if (!pf) {
        return;
    }
    /* Only a pack that was not committed gets here with files open or left:
     * cleanup is best effort, its error already reported. */
    if (pf->fd >= 0) {
        (void)close(pf->fd);
    }
    if (pf->tmp_pack[0]) {
        (void)unlink(pf->tmp_pack);
    }
    if (pf->tmp_idx[0]) {
        (void)unlink(pf->tmp_idx);
    }
    free(pf->buf);
    free(pf->entries);
    free(pf);
}
