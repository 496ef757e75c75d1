/*
 * test_pack.c - the pieces of the store's own pack writing: SHA-1 (the pack
 * trailer), the object-id map, the pack writer (checked byte by byte, read
 * back through libgit2 and checked by stock git), and bulk writes through a
 * second handle that packs exactly the new objects.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>
#include <git2.h>

#include "crypto/crypto.h"
#include "store/odb/odb.h"
#include "tests/support/tmpdir.h"
#include "tests/support/pack_support.h"

static char base[640];
static char git_dir[700];

static int group_setup(void **state)
{
    (void)state;
    return git_libgit2_init() > 0 ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    git_libgit2_shutdown();
    return 0;
}

static int setup(void **state)
{
    git_repository *repo = NULL;
    (void)state;
    ccm_test_mkdtemp(base, sizeof(base), "pack");
    snprintf(git_dir, sizeof(git_dir), "%s/repo.git", base);
    assert_int_equal(git_repository_init(&repo, git_dir, 1), 0);
    git_repository_free(repo);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    return ccm_test_rmdir(base);
}

/* Deterministic bytes (xorshift), different for each seed. */
static void fill_random(uint8_t *p, size_t n, uint64_t seed)
{
    uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        p[i] = (uint8_t)(x >> 24);
    }
}

static void to_hex(char out[41], const uint8_t d[20])
{
    for (int i = 0; i < 20; i++) {
        snprintf(out + 2 * i, 3, "%02x", d[i]);
    }
}

/* SHA-1 of data fed in pieces of `chunk` bytes (0: all at once), as hex. */
static void sha1_hex(char out[41], const void *data, size_t n, size_t chunk)
{
    ccm_sha1 c;
    uint8_t d[20];
    const uint8_t *p = data;

    ccm_sha1_init(&c);
    if (chunk == 0) {
        ccm_sha1_update(&c, p, n);
    } else {
        for (size_t off = 0; off < n; off += chunk) {
            ccm_sha1_update(&c, p + off, n - off < chunk ? n - off : chunk);
        }
    }
    ccm_sha1_final(&c, d);
    to_hex(out, d);
}

/* ---- SHA-1 ---------------------------------------------------------------- */

static void test_sha1__fips_test_vectors(void **state)
{
    static const char *abc448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    char hex[41];
    uint8_t *million;
    (void)state;

    sha1_hex(hex, "", 0, 0);
    assert_string_equal(hex, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    sha1_hex(hex, "abc", 3, 0);
    assert_string_equal(hex, "a9993e364706816aba3e25717850c26c9cd0d89d");
    sha1_hex(hex, abc448, strlen(abc448), 0);
    assert_string_equal(hex, "84983e441c3bd26ebaae4aa1f95129e5e54670f1");

    assert_non_null(million = malloc(1000000));
    memset(million, 'a', 1000000);
    sha1_hex(hex, million, 1000000, 0);
    assert_string_equal(hex, "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
    sha1_hex(hex, million, 1000000, 1000);
    assert_string_equal(hex, "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
    sha1_hex(hex, million, 1000000, 7);
    assert_string_equal(hex, "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
    free(million);
}

static void test_sha1__chunking_does_not_change_the_digest(void **state)
{
    static const size_t chunks[] = {1,  2,  3,   7,   55,  56,  57,  63,
                                    64, 65, 119, 120, 127, 128, 129, 1000};
    const size_t n = 4099;
    uint8_t *data;
    char whole[41], pieces[41];
    (void)state;

    assert_non_null(data = malloc(n));
    fill_random(data, n, 1);
    sha1_hex(whole, data, n, 0);
    for (size_t i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
        sha1_hex(pieces, data, n, chunks[i]);
        assert_string_equal(pieces, whole);
    }

    /* irregular pieces, including empty updates */
    {
        static const size_t steps[] = {0, 1, 63, 0, 64, 65, 3, 127, 200, 1};
        ccm_sha1 c;
        uint8_t d[20];
        size_t off = 0, k = 0;
        ccm_sha1_init(&c);
        while (off < n) {
            size_t take = steps[k++ % (sizeof(steps) / sizeof(steps[0]))];
            take = take < n - off ? take : n - off;
            ccm_sha1_update(&c, data + off, take);
            off += take;
        }
        ccm_sha1_final(&c, d);
        to_hex(pieces, d);
        assert_string_equal(pieces, whole);
    }
    free(data);
}

/* Against libgit2's SHA-1: a blob's id is the SHA-1 of "blob <n>\0" and the
 * data, for every length around the padding boundaries. */
static void test_sha1__agrees_with_libgit2_for_every_length(void **state)
{
    uint8_t data[600], d[20];
    char hdr[32], mine[41], theirs[41];
    (void)state;

    fill_random(data, sizeof(data), 2);
    for (size_t n = 0; n <= sizeof(data); n++) {
        ccm_sha1 c;
        git_oid id;
        int h = snprintf(hdr, sizeof(hdr), "blob %zu", n);
        ccm_sha1_init(&c);
        ccm_sha1_update(&c, hdr, (size_t)h + 1); /* with the NUL */
        ccm_sha1_update(&c, data, n);
        ccm_sha1_final(&c, d);
        to_hex(mine, d);
        assert_int_equal(git_odb_hash(&id, data, n, GIT_OBJECT_BLOB), 0);
        git_oid_tostr(theirs, sizeof(theirs), &id);
        assert_string_equal(mine, theirs);
    }
}

/* ---- Adler-32 and CRC-32, bit by bit: the oracles of the pack checks ---- */

static uint32_t adler_reference(const uint8_t *p, size_t n)
{
    uint32_t a = 1, b = 0;
    for (size_t i = 0; i < n; i++) {
        a = (a + p[i]) % 65521;
        b = (b + a) % 65521;
    }
    return b << 16 | a;
}

static uint32_t crc_reference(uint32_t crc, const uint8_t *p, size_t n)
{
    crc = ~crc;
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int k = 0; k < 8; k++) {
            crc = crc & 1 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
        }
    }
    return ~crc;
}

/* ---- oidmap --------------------------------------------------------------- */

static void oid_of(git_oid *id, uint32_t i, uint32_t salt)
{
    char s[32];
    int n = snprintf(s, sizeof(s), "%u/%u", salt, i);
    assert_int_equal(git_odb_hash(id, s, (size_t)n, GIT_OBJECT_BLOB), 0);
}

static void test_oidmap__put_get_overwrite_free(void **state)
{
    enum { N = 10000 };
    ccm_oidmap m = {0};
    static int values[N], others[N];
    git_oid id;
    (void)state;

    oid_of(&id, 0, 0);
    assert_null(ccm_oidmap_get(&m, &id)); /* empty map */
    for (uint32_t i = 0; i < N; i++) {
        oid_of(&id, i, 0);
        assert_int_equal(ccm_oidmap_put(&m, &id, &values[i]), CCM_OK);
    }
    assert_int_equal(m.n, N);
    for (uint32_t i = 0; i < N; i++) {
        oid_of(&id, i, 0);
        assert_ptr_equal(ccm_oidmap_get(&m, &id), &values[i]);
        oid_of(&id, i, 1); /* never put */
        assert_null(ccm_oidmap_get(&m, &id));
    }
    /* overwrite every third: the count does not change */
    for (uint32_t i = 0; i < N; i += 3) {
        oid_of(&id, i, 0);
        assert_int_equal(ccm_oidmap_put(&m, &id, &others[i]), CCM_OK);
    }
    assert_int_equal(m.n, N);
    for (uint32_t i = 0; i < N; i++) {
        oid_of(&id, i, 0);
        assert_ptr_equal(ccm_oidmap_get(&m, &id), i % 3 == 0 ? &others[i] : &values[i]);
    }
    ccm_oidmap_free(&m);
    assert_null(m.slots);
    assert_int_equal(m.n, 0);
    assert_int_equal(m.cap, 0);
    oid_of(&id, 1, 0);
    assert_null(ccm_oidmap_get(&m, &id));
    /* usable again after free */
    assert_int_equal(ccm_oidmap_put(&m, &id, &values[1]), CCM_OK);
    assert_ptr_equal(ccm_oidmap_get(&m, &id), &values[1]);
    assert_int_equal(m.n, 1);
    ccm_oidmap_free(&m);
}

/* Id number i: most hash to the last slot of any table (so lookups probe
 * and wrap around the end); those of the puts that grow the table (powers of
 * two) hash elsewhere, and never to slot 0. */
static void colliding_id(git_oid *id, int i)
{
    size_t h = SIZE_MAX;

    if (i > 0 && (i & (i - 1)) == 0) {
        h = (size_t)i * 17 + 5;
    }
    memset(id->id, 0xff, sizeof(id->id));
    memcpy(id->id, &h, sizeof(h));
    id->id[18] = (unsigned char)(i >> 8);
    id->id[19] = (unsigned char)i;
}

static void test_oidmap__colliding_ids_probe_and_wrap(void **state)
{
    enum { N = 700 };
    ccm_oidmap m = {0};
    static int values[N];
    git_oid id;
    (void)state;

    /* every id findable after every put, the ones that grew the table too */
    for (int i = 0; i < N; i++) {
        colliding_id(&id, i);
        assert_int_equal(ccm_oidmap_put(&m, &id, &values[i]), CCM_OK);
        for (int j = 0; j <= i; j++) {
            colliding_id(&id, j);
            assert_ptr_equal(ccm_oidmap_get(&m, &id), &values[j]);
        }
    }
    assert_int_equal(m.n, N);
    memset(id.id, 0xff, sizeof(id.id));
    id.id[17] = 0; /* same slot, absent */
    assert_null(ccm_oidmap_get(&m, &id));
    ccm_oidmap_free(&m);
}

/* ---- ccm_packfile -------------------------------------------------------- */

typedef struct {
    git_object_t type;
    uint8_t *data;
    size_t len;
    git_oid id;
} obj;

static void obj_set(obj *o, git_object_t type, uint8_t *data, size_t len)
{
    o->type = type;
    o->data = data;
    o->len = len;
    assert_int_equal(git_odb_hash(&o->id, data, len, type), 0);
}

/* Blobs of the given sizes, then a tree of them, then a commit of the tree. */
static size_t make_objects(obj *objs, const size_t *sizes, size_t nsizes)
{
    size_t n = 0, tlen = 0;
    uint8_t *tree;
    char hex[41], *commit;

    for (size_t i = 0; i < nsizes; i++) {
        uint8_t *d = malloc(sizes[i] ? sizes[i] : 1);
        assert_non_null(d);
        fill_random(d, sizes[i], 100 + i);
        obj_set(&objs[n++], GIT_OBJECT_BLOB, d, sizes[i]);
    }
    /* entries "b00".."bNN" are in git's order already */
    assert_non_null(tree = malloc(nsizes * 32));
    for (size_t i = 0; i < nsizes; i++) {
        tlen += (size_t)sprintf((char *)tree + tlen, "100644 b%02zu", i) + 1;
        memcpy(tree + tlen, objs[i].id.id, 20);
        tlen += 20;
    }
    obj_set(&objs[n++], GIT_OBJECT_TREE, tree, tlen);
    git_oid_tostr(hex, sizeof(hex), &objs[n - 1].id);
    assert_non_null(commit = malloc(256));
    snprintf(commit, 256,
             "tree %s\nauthor T <t@example.org> 1700000000 +0000\n"
             "committer T <t@example.org> 1700000000 +0000\n\npacked\n",
             hex);
    obj_set(&objs[n++], GIT_OBJECT_COMMIT, (uint8_t *)commit, strlen(commit));
    return n;
}

static void free_objects(obj *objs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(objs[i].data);
    }
}

static void assert_readable(git_odb *odb, const obj *o)
{
    git_odb_object *r = NULL;
    assert_int_equal(git_odb_read(&r, odb, &o->id), 0);
    assert_int_equal(git_odb_object_type(r), o->type);
    assert_int_equal(git_odb_object_size(r), o->len);
    if (o->len) {
        assert_memory_equal(git_odb_object_data(r), o->data, o->len);
    }
    git_odb_object_free(r);
}

static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf;
    long n;

    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    assert_true((n = ftell(f)) >= 0);
    rewind(f);
    assert_non_null(buf = malloc((size_t)n + 1));
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void sha1_of(uint8_t out[20], const uint8_t *p, size_t n)
{
    ccm_sha1 c;
    ccm_sha1_init(&c);
    ccm_sha1_update(&c, p, n);
    ccm_sha1_final(&c, out);
}

/* Parses one packed object at `off` (a whole object in stored zlib blocks)
 * and checks it is `o`; returns the offset after it. */
static size_t check_packed_object(const uint8_t *pack, size_t end, size_t off, const obj *o)
{
    size_t size, shift = 4, got = 0;
    uint8_t c = pack[off++];

    assert_int_equal((c >> 4) & 7, o->type);
    size = c & 15;
    while (c & 0x80) {
        assert_true(off < end);
        c = pack[off++];
        size |= (size_t)(c & 0x7f) << shift;
        shift += 7;
    }
    assert_int_equal(size, o->len);
    assert_int_equal((pack[off] << 8 | pack[off + 1]) % 31, 0); /* zlib header check */
    assert_int_equal(pack[off] & 0x0f, 8);                      /* deflate */
    off += 2;
    for (;;) {
        uint8_t hdr = pack[off];
        size_t len = pack[off + 1] | (size_t)pack[off + 2] << 8;
        size_t nlen = pack[off + 3] | (size_t)pack[off + 4] << 8;
        assert_int_equal(hdr & 6, 0); /* stored */
        assert_int_equal(len ^ nlen, 0xffff);
        off += 5;
        assert_true(off + len <= end && got + len <= o->len);
        if (len) {
            assert_memory_equal(pack + off, o->data + got, len);
        }
        got += len;
        off += len;
        if (hdr & 1) {
            break;
        }
    }
    assert_int_equal(got, o->len);
    assert_int_equal(be32(pack + off), adler_reference(o->data, o->len));
    return off + 4;
}

typedef struct {
    size_t start, end;
} span;

static int span_cmp(const void *a, const void *b)
{
    size_t x = ((const span *)a)->start, y = ((const span *)b)->start;
    return x < y ? -1 : x > y;
}

/* Checks pack `name` and its index byte by byte: header, each object where
 * the index says, the CRCs, the fan-out, the order, both trailers. */
static void check_pack_and_index(const char *name, const obj *objs, size_t n)
{
    char path[1024];
    size_t plen, ilen, len = strlen(name);
    uint8_t *pack, *idx, sha[20];
    const uint8_t *fan, *ids, *crcs, *offs;
    span *spans;

    snprintf(path, sizeof(path), "%s/objects/pack/%s", git_dir, name);
    pack = read_file(path, &plen);
    snprintf(path, sizeof(path), "%s/objects/pack/%.*s.idx", git_dir, (int)(len - 5), name);
    idx = read_file(path, &ilen);

    assert_true(plen >= 32);
    assert_memory_equal(pack, "PACK\0\0\0\2", 8);
    assert_int_equal(be32(pack + 8), n);
    sha1_of(sha, pack, plen - 20);
    assert_memory_equal(pack + plen - 20, sha, 20);
    {
        char hex[41], want[100];
        to_hex(hex, sha);
        snprintf(want, sizeof(want), "pack-%s.pack", hex);
        assert_string_equal(name, want);
    }

    assert_int_equal(ilen, 8 + 256 * 4 + n * (20 + 4 + 4) + 40); /* no offset >= 2^31 */
    assert_memory_equal(idx, "\377tOc\0\0\0\2", 8);
    fan = idx + 8;
    ids = fan + 256 * 4;
    crcs = ids + n * 20;
    offs = crcs + n * 4;
    assert_memory_equal(offs + n * 4, pack + plen - 20, 20);
    sha1_of(sha, idx, ilen - 20);
    assert_memory_equal(idx + ilen - 20, sha, 20);
    for (int b = 0; b < 256; b++) {
        uint32_t below = 0;
        for (size_t i = 0; i < n; i++) {
            below += objs[i].id.id[0] <= b;
        }
        assert_int_equal(be32(fan + 4 * b), below);
    }
    assert_non_null(spans = calloc(n, sizeof(*spans)));
    for (size_t i = 0; i < n; i++) {
        const obj *o = NULL;
        size_t off = be32(offs + 4 * i), next;
        if (i > 0) {
            assert_true(memcmp(ids + 20 * (i - 1), ids + 20 * i, 20) < 0);
        }
        for (size_t j = 0; j < n; j++) {
            if (memcmp(objs[j].id.id, ids + 20 * i, 20) == 0) {
                o = &objs[j];
            }
        }
        assert_non_null(o);
        assert_true(off >= 12 && off < plen - 20);
        next = check_packed_object(pack, plen - 20, off, o);
        assert_int_equal(be32(crcs + 4 * i), crc_reference(0, pack + off, next - off));
        spans[i].start = off;
        spans[i].end = next;
    }
    /* the objects tile the pack: no gaps, no overlaps */
    qsort(spans, n, sizeof(*spans), span_cmp);
    assert_int_equal(spans[0].start, 12);
    for (size_t i = 1; i < n; i++) {
        assert_int_equal(spans[i].start, spans[i - 1].end);
    }
    assert_int_equal(spans[n - 1].end, plen - 20);
    free(spans);
    free(pack);
    free(idx);
}

static void test_packfile__objects_read_back_through_libgit2_and_git(void **state)
{
    /* 2500001: one object across the writer's 1 MiB buffer */
    static const size_t sizes[] = {0,     1,     15,    16,     127,    128,    2047,   2048,
                                   65534, 65535, 65536, 131070, 131071, 131072, 200000, 2500001};
    enum { NS = sizeof(sizes) / sizeof(sizes[0]) };
    obj objs[NS + 2];
    size_t n = make_objects(objs, sizes, NS);
    git_repository *repo = NULL;
    git_odb *odb = NULL;
    git_commit *commit = NULL;
    ccm_packfile *w = NULL;
    ccm_test_packs packs;
    git_oid *listed = NULL, expect[NS + 2];
    size_t nlisted = 0;
    (void)state;

    assert_int_equal(git_repository_open_bare(&repo, git_dir), 0);
    assert_int_equal(git_repository_odb(&odb, repo), 0);
    assert_false(git_odb_exists(odb, &objs[0].id));
    assert_int_equal(ccm_packfile_new(&w, repo, (uint32_t)n), CCM_OK);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(ccm_packfile_add(w, &objs[i].id, objs[i].type, objs[i].data, objs[i].len),
                         CCM_OK);
    }
    assert_int_equal(ccm_packfile_commit(w), CCM_OK);
    ccm_packfile_free(w);
    /* the writing handle sees the pack at once, without a refresh on lookup */
    for (size_t i = 0; i < n; i++) {
        assert_true(git_odb_exists_ext(odb, &objs[i].id, GIT_ODB_LOOKUP_NO_REFRESH));
        assert_readable(odb, &objs[i]);
    }
    git_odb_free(odb);
    git_repository_free(repo);

    /* one pack and its index, nothing else; both well formed */
    ccm_test_list_packs(&packs, git_dir);
    assert_int_equal(packs.n, 1);
    assert_int_equal(ccm_test_pack_dir_entries(git_dir), 2);
    check_pack_and_index(packs.names[0], objs, n);

    /* a fresh handle reads them, and parses tree and commit */
    assert_int_equal(git_repository_open_bare(&repo, git_dir), 0);
    assert_int_equal(git_repository_odb(&odb, repo), 0);
    for (size_t i = 0; i < n; i++) {
        assert_readable(odb, &objs[i]);
    }
    assert_int_equal(git_commit_lookup(&commit, repo, &objs[n - 1].id), 0);
    assert_true(git_oid_equal(git_commit_tree_id(commit), &objs[n - 2].id));
    assert_string_equal(git_commit_message(commit), "packed\n");
    git_commit_free(commit);
    git_odb_free(odb);
    git_repository_free(repo);

    /* stock git agrees (verify-pack also rebuilds the index and compares) */
    if (ccm_test_have_git()) {
        assert_int_equal(ccm_test_verify_pack(git_dir, packs.names[0], &listed, &nlisted), 0);
        for (size_t i = 0; i < n; i++) {
            expect[i] = objs[i].id;
        }
        ccm_test_assert_same_oids(listed, nlisted, expect, n);
        free(listed);
    }
    free_objects(objs, n);
}

static void oid_blob(git_oid *id, const char *s)
{
    assert_int_equal(git_odb_hash(id, s, strlen(s), GIT_OBJECT_BLOB), 0);
}

static void test_packfile__refuses_miscounted_duplicated_or_untyped_objects(void **state)
{
    git_repository *repo = NULL;
    git_odb *odb = NULL;
    git_oid one, two;
    ccm_packfile *w = NULL;
    ccm_test_packs packs;
    (void)state;

    oid_blob(&one, "one");
    oid_blob(&two, "two");
    assert_int_equal(git_repository_open_bare(&repo, git_dir), 0);
    assert_int_equal(git_repository_odb(&odb, repo), 0);

    /* fewer than announced */
    assert_int_equal(ccm_packfile_new(&w, repo, 3), CCM_OK);
    assert_int_equal(ccm_packfile_add(w, &one, GIT_OBJECT_BLOB, "one", 3), CCM_OK);
    assert_int_equal(ccm_packfile_add(w, &two, GIT_OBJECT_BLOB, "two", 3), CCM_OK);
    assert_true(ccm_packfile_commit(w) < 0);
    assert_non_null(strstr(ccm_error_last(), "fewer"));
    ccm_packfile_free(w);

    /* more than announced */
    assert_int_equal(ccm_packfile_new(&w, repo, 1), CCM_OK);
    assert_int_equal(ccm_packfile_add(w, &one, GIT_OBJECT_BLOB, "one", 3), CCM_OK);
    assert_true(ccm_packfile_add(w, &two, GIT_OBJECT_BLOB, "two", 3) < 0);
    assert_non_null(strstr(ccm_error_last(), "more"));
    ccm_packfile_free(w);

    /* the same object twice */
    assert_int_equal(ccm_packfile_new(&w, repo, 2), CCM_OK);
    assert_int_equal(ccm_packfile_add(w, &one, GIT_OBJECT_BLOB, "one", 3), CCM_OK);
    assert_int_equal(ccm_packfile_add(w, &one, GIT_OBJECT_BLOB, "one", 3), CCM_OK);
    assert_true(ccm_packfile_commit(w) < 0);
    assert_non_null(strstr(ccm_error_last(), "twice"));
    ccm_packfile_free(w);

    /* a delta or invalid type is refused and does not use up the count */
    assert_int_equal(ccm_packfile_new(&w, repo, 1), CCM_OK);
    assert_true(ccm_packfile_add(w, &one, GIT_OBJECT_OFS_DELTA, "one", 3) < 0);
    assert_true(ccm_packfile_add(w, &one, GIT_OBJECT_INVALID, "one", 3) < 0);
    assert_true(ccm_packfile_add(w, &one, (git_object_t)5, "one", 3) < 0);
    assert_int_equal(ccm_packfile_add(w, &one, GIT_OBJECT_BLOB, "one", 3), CCM_OK);
    assert_int_equal(ccm_packfile_commit(w), CCM_OK);
    ccm_packfile_free(w);
    assert_true(git_odb_exists(odb, &one));
    assert_false(git_odb_exists(odb, &two));

    ccm_packfile_free(NULL);

    /* only that last pack exists, and no temporary file was left behind */
    ccm_test_list_packs(&packs, git_dir);
    assert_int_equal(packs.n, 1);
    assert_int_equal(ccm_test_pack_dir_entries(git_dir), 2);

    /* a start that fails (objects/pack is not a folder) is freed cleanly */
    {
        char pack_dir[800], away[820];
        FILE *f;
        snprintf(pack_dir, sizeof(pack_dir), "%s/objects/pack", git_dir);
        snprintf(away, sizeof(away), "%s.away", pack_dir);
        assert_int_equal(rename(pack_dir, away), 0);
        assert_non_null(f = fopen(pack_dir, "w"));
        fclose(f);
        assert_true(ccm_packfile_new(&w, repo, 1) < 0);
        assert_null(w);
        assert_int_equal(unlink(pack_dir), 0);
        assert_int_equal(rename(away, pack_dir), 0);
    }
    git_odb_free(odb);
    git_repository_free(repo);
}

/* ---- ccm_odb_batch -------------------------------------------------------- */

static void blob_data(char *out, size_t cap, const char *kind, int i)
{
    snprintf(out, cap, "%s blob number %d", kind, i);
}

static size_t loose_count(void)
{
    char cmd[1024];
    FILE *p;
    int n = -1;

    snprintf(cmd, sizeof(cmd),
             "find '%s/objects' -type f -path '*/objects/[0-9a-f][0-9a-f]/*' | wc -l", git_dir);
    assert_non_null(p = popen(cmd, "r"));
    assert_int_equal(fscanf(p, "%d", &n), 1);
    pclose(p);
    assert_true(n >= 0);
    return (size_t)n;
}

static void test_batch__flush_writes_exactly_the_new_objects(void **state)
{
    enum { OLD = 5, NEW = 20 };
    git_repository *repo = NULL;
    git_odb *odb = NULL;
    git_treebuilder *tb = NULL;
    git_tree *tree = NULL;
    git_commit *parent = NULL;
    git_signature *sig = NULL;
    git_repository *main_repo = NULL;
    git_odb *main_odb = NULL;
    git_oid old_ids[OLD + 2], new_ids[NEW + 2], id, *listed = NULL;
    size_t nnew = 0, nlisted = 0, loose_before;
    char data[64], name[16];
    ccm_odb_batch p;
    ccm_test_packs packs;
    (void)state;

    /* the existing objects: blobs, a tree and a commit, all loose */
    assert_int_equal(git_repository_open_bare(&repo, git_dir), 0);
    assert_int_equal(git_signature_new(&sig, "T", "t@example.org", 1700000000, 0), 0);
    assert_int_equal(git_treebuilder_new(&tb, repo, NULL), 0);
    for (int i = 0; i < OLD; i++) {
        blob_data(data, sizeof(data), "old", i);
        assert_int_equal(git_blob_create_from_buffer(&old_ids[i], repo, data, strlen(data)), 0);
        snprintf(name, sizeof(name), "o%d", i);
        assert_int_equal(git_treebuilder_insert(NULL, tb, name, &old_ids[i], GIT_FILEMODE_BLOB), 0);
    }
    assert_int_equal(git_treebuilder_write(&old_ids[OLD], tb), 0);
    git_treebuilder_free(tb);
    assert_int_equal(git_tree_lookup(&tree, repo, &old_ids[OLD]), 0);
    assert_int_equal(
        git_commit_create(&old_ids[OLD + 1], repo, NULL, sig, sig, NULL, "old\n", tree, 0, NULL),
        0);
    git_tree_free(tree);
    git_repository_free(repo);
    loose_before = loose_count();
    assert_int_equal(loose_before, OLD + 2);

    assert_int_equal(git_repository_open_bare(&main_repo, git_dir), 0);
    assert_int_equal(git_repository_odb(&main_odb, main_repo), 0);
    assert_int_equal(ccm_odb_batch_start(&p, main_repo), CCM_OK);
    assert_int_equal(ccm_odb_batch_count(&p), 0);
    /* new blobs (one empty), each written twice; and an old blob again */
    assert_int_equal(git_treebuilder_new(&tb, p.repo, NULL), 0);
    for (int i = 0; i < NEW; i++) {
        blob_data(data, sizeof(data), "new", i);
        size_t len = i == 0 ? 0 : strlen(data);
        assert_int_equal(git_blob_create_from_buffer(&new_ids[nnew], p.repo, data, len), 0);
        assert_int_equal(git_blob_create_from_buffer(&id, p.repo, data, len), 0);
        assert_true(git_oid_equal(&id, &new_ids[nnew]));
        snprintf(name, sizeof(name), "n%02d", i);
        assert_int_equal(git_treebuilder_insert(NULL, tb, name, &id, GIT_FILEMODE_BLOB), 0);
        nnew++;
    }
    assert_int_equal(ccm_odb_batch_count(&p), NEW);
    blob_data(data, sizeof(data), "old", 2);
    assert_int_equal(git_blob_create_from_buffer(&id, p.repo, data, strlen(data)), 0);
    assert_true(git_oid_equal(&id, &old_ids[2]));
    assert_int_equal(git_treebuilder_insert(NULL, tb, "o2", &id, GIT_FILEMODE_BLOB), 0);
    assert_int_equal(ccm_odb_batch_count(&p), NEW);
    /* a tree and a commit on top of the old one */
    assert_int_equal(git_treebuilder_write(&new_ids[nnew++], tb), 0);
    git_treebuilder_free(tb);
    assert_int_equal(git_tree_lookup(&tree, p.repo, &new_ids[nnew - 1]), 0);
    assert_int_equal(git_commit_lookup(&parent, p.repo, &old_ids[OLD + 1]), 0);
    assert_int_equal(git_commit_create(&new_ids[nnew++], p.repo, NULL, sig, sig, NULL, "new\n",
                                       tree, 1, (const git_commit **)&parent),
                     0);
    git_commit_free(parent);
    git_tree_free(tree);
    assert_int_equal(ccm_odb_batch_count(&p), NEW + 2);

    /* nothing on disk yet; everything readable through the handle */
    ccm_test_list_packs(&packs, git_dir);
    assert_int_equal(packs.n, 0);
    assert_int_equal(loose_count(), loose_before);
    assert_int_equal(git_repository_open_bare(&repo, git_dir), 0);
    assert_int_equal(git_repository_odb(&odb, repo), 0);
    assert_false(git_odb_exists(odb, &new_ids[0]));
    git_odb_free(odb);
    git_repository_free(repo);
    for (size_t i = 0; i < nnew; i++) {
        git_odb_object *o = NULL;
        assert_int_equal(git_odb_read(&o, p.odb, &new_ids[i]), 0);
        git_odb_object_free(o);
    }

    /* the caller's handle does not see them before the flush */
    assert_false(git_odb_exists_ext(main_odb, &new_ids[0], GIT_ODB_LOOKUP_NO_REFRESH));
    assert_int_equal(ccm_odb_batch_flush(&p), CCM_OK);
    ccm_odb_batch_end(&p);
    assert_null(p.repo);
    ccm_odb_batch_end(&p); /* NULL-safe once ended */
    /* and sees all of them after it, with no refresh of its own */
    for (size_t i = 0; i < nnew; i++) {
        assert_true(git_odb_exists_ext(main_odb, &new_ids[i], GIT_ODB_LOOKUP_NO_REFRESH));
    }
    git_odb_free(main_odb);
    git_repository_free(main_repo);

    /* one pack, holding the new objects and only those; no new loose files */
    ccm_test_list_packs(&packs, git_dir);
    assert_int_equal(packs.n, 1);
    assert_int_equal(loose_count(), loose_before);
    if (ccm_test_have_git()) {
        assert_int_equal(ccm_test_verify_pack(git_dir, packs.names[0], &listed, &nlisted), 0);
        ccm_test_assert_same_oids(listed, nlisted, new_ids, nnew);
        free(listed);
    }

    /* a fresh handle reads old and new, the new commit with its parent */
    assert_int_equal(git_repository_open_bare(&repo, git_dir), 0);
    assert_int_equal(git_repository_odb(&odb, repo), 0);
    for (size_t i = 0; i < nnew; i++) {
        git_odb_object *o = NULL;
        assert_int_equal(git_odb_read(&o, odb, &new_ids[i]), 0);
        assert_int_equal(git_odb_hash(&id, git_odb_object_data(o), git_odb_object_size(o),
                                      git_odb_object_type(o)),
                         0);
        assert_true(git_oid_equal(&id, &new_ids[i]));
        git_odb_object_free(o);
    }
    for (size_t i = 0; i < OLD + 2; i++) {
        assert_true(git_odb_exists(odb, &old_ids[i]));
    }
    {
        git_commit *c = NULL;
        assert_int_equal(git_commit_lookup(&c, repo, &new_ids[nnew - 1]), 0);
        assert_int_equal(git_commit_parentcount(c), 1);
        assert_true(git_oid_equal(git_commit_parent_id(c, 0), &old_ids[OLD + 1]));
        assert_true(git_oid_equal(git_commit_tree_id(c), &new_ids[nnew - 2]));
        git_commit_free(c);
    }
    git_odb_free(odb);
    git_repository_free(repo);
    git_signature_free(sig);
}

/* Objects put with their id: in the pack, readable; one already in the
 * repository is not put again. */
static void test_batch__put_adds_only_objects_the_repository_lacks(void **state)
{
    git_repository *repo = NULL;
    git_odb *odb = NULL;
    git_oid old_id, ids[3], *listed = NULL;
    size_t nlisted = 0;
    char data[64];
    ccm_odb_batch p;
    ccm_test_packs packs;
    (void)state;

    assert_int_equal(git_repository_open_bare(&repo, git_dir), 0);
    assert_int_equal(git_blob_create_from_buffer(&old_id, repo, "old", 3), 0);
    assert_int_equal(ccm_odb_batch_start(&p, repo), CCM_OK);
    for (int i = 0; i < 3; i++) {
        blob_data(data, sizeof(data), "put", i);
        assert_int_equal(git_odb_hash(&ids[i], data, strlen(data), GIT_OBJECT_BLOB), 0);
        assert_int_equal(ccm_odb_batch_put(&p, &ids[i], GIT_OBJECT_BLOB, data, strlen(data)),
                         CCM_OK);
    }
    assert_int_equal(ccm_odb_batch_put(&p, &old_id, GIT_OBJECT_BLOB, "old", 3), CCM_OK);
    assert_int_equal(ccm_odb_batch_count(&p), 3);
    assert_int_equal(ccm_odb_batch_flush(&p), CCM_OK);
    ccm_odb_batch_end(&p);

    ccm_test_list_packs(&packs, git_dir);
    assert_int_equal(packs.n, 1);
    if (ccm_test_have_git()) {
        assert_int_equal(ccm_test_verify_pack(git_dir, packs.names[0], &listed, &nlisted), 0);
        ccm_test_assert_same_oids(listed, nlisted, ids, 3);
        free(listed);
    }
    assert_int_equal(git_repository_odb(&odb, repo), 0);
    for (int i = 0; i < 3; i++) {
        git_odb_object *o = NULL;
        blob_data(data, sizeof(data), "put", i);
        assert_int_equal(git_odb_read(&o, odb, &ids[i]), 0);
        assert_int_equal(git_odb_object_size(o), strlen(data));
        assert_memory_equal(git_odb_object_data(o), data, strlen(data));
        git_odb_object_free(o);
    }
    git_odb_free(odb);
    git_repository_free(repo);
}

static void test_batch__nothing_written_means_no_pack(void **state)
{
    git_repository *repo = NULL;
    ccm_odb_batch p;
    ccm_test_packs packs;
    (void)state;

    memset(&p, 0, sizeof(p));
    assert_int_equal(ccm_odb_batch_count(&p), 0);
    ccm_odb_batch_end(&p); /* zeroed: NULL-safe */

    assert_int_equal(git_repository_open_bare(&repo, git_dir), 0);
    assert_int_equal(ccm_odb_batch_start(&p, repo), CCM_OK);
    assert_int_equal(ccm_odb_batch_flush(&p), CCM_OK);
    ccm_odb_batch_end(&p);
    git_repository_free(repo);
    ccm_test_list_packs(&packs, git_dir);
    assert_int_equal(packs.n, 0);
    assert_int_equal(loose_count(), 0);
}

/* A batch that cannot start (the repository is gone) says why and is left
 * zeroed, so that ending it is harmless. */
static void test_batch__failed_start_is_zeroed(void **state)
{
    git_repository *repo = NULL;
    ccm_odb_batch p;
    char away[800];
    (void)state;

    assert_int_equal(git_repository_open_bare(&repo, git_dir), 0);
    snprintf(away, sizeof(away), "%s.away", git_dir);
    assert_int_equal(rename(git_dir, away), 0);
    memset(&p, 0xff, sizeof(p));
    assert_int_equal(ccm_odb_batch_start(&p, repo), CCM_ERROR);
    assert_non_null(strstr(ccm_error_last(), "cannot prepare pack"));
    assert_null(p.repo);
    assert_null(p.odb);
    assert_null(p.mem);
    assert_int_equal(ccm_odb_batch_count(&p), 0);
    ccm_odb_batch_end(&p);
    assert_int_equal(rename(away, git_dir), 0);
    git_repository_free(repo);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sha1__fips_test_vectors),
        cmocka_unit_test(test_sha1__chunking_does_not_change_the_digest),
        cmocka_unit_test(test_sha1__agrees_with_libgit2_for_every_length),
        cmocka_unit_test(test_oidmap__put_get_overwrite_free),
        cmocka_unit_test(test_oidmap__colliding_ids_probe_and_wrap),
        cmocka_unit_test_setup_teardown(test_packfile__objects_read_back_through_libgit2_and_git,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_packfile__refuses_miscounted_duplicated_or_untyped_objects, setup, teardown),
        cmocka_unit_test_setup_teardown(test_batch__flush_writes_exactly_the_new_objects, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_batch__put_adds_only_objects_the_repository_lacks,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_batch__nothing_written_means_no_pack, setup, teardown),
        cmocka_unit_test_setup_teardown(test_batch__failed_start_is_zeroed, setup, teardown),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
