/*
 * sha1.c - SHA-1 (FIPS 180-4), for the one place ccmsync needs it outside
 * libgit2: the trailer of the pack files it writes itself (packwrite.c).
 * Object ids are still computed by libgit2, which also checks this trailer
 * when it indexes the pack. Not used for anything secret or signed.
 *
 * On x86-64 processors with the SHA extensions the blocks go through them
 * (about four times faster), chosen at run time; elsewhere, portable C.
 */
#include <stdio.h>
#include <string.h>

#include "odb.h"
#include "../../crypto/crypto.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define CCM_SHA1_NI 1
#include <cpuid.h>
#include <immintrin.h>
#endif

#define ROL(x, n) (((x) << (n)) | ((x) >> (32 - (n))))

/* One 64-byte block; the 80-word schedule is kept as a rolling window of 16
 * words, and the rounds are unrolled with the variables renamed instead of
 * shifted. */
#define W(i) w[(i)&15]
#define SCHED(i) (W(i) = ROL(W((i) + 13) ^ W((i) + 8) ^ W((i) + 2) ^ W(i), 1))
#define F1(b, c, d) ((((c) ^ (d)) & (b)) ^ (d))
#define F2(b, c, d) ((b) ^ (c) ^ (d))
#define F3(b, c, d) (((b) & (c)) | (((b) | (c)) & (d)))
#define R(a, b, c, d, e, f, k, x)                                                                  \
    do {                                                                                           \
        e += ROL(a, 5) + f(b, c, d) + (k) + (x);                                                   \
        b = ROL(b, 30);                                                                            \
    } while (0)
#define R5(f, k, i, x)                                                                             \
    do {                                                                                           \
        R(a, b, c, d, e, f, k, x(i));                                                              \
        R(e, a, b, c, d, f, k, x((i) + 1));                                                        \
        R(d, e, a, b, c, f, k, x((i) + 2));                                                        \
        R(c, d, e, a, b, f, k, x((i) + 3));                                                        \
        R(b, c, d, e, a, f, k, x((i) + 4));                                                        \
    } while (0)

static void sha1_block(uint32_t h[5], const uint8_t *p)
{
    uint32_t w[16], a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];

    for (int i = 0; i < 16; i++) {
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
               (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    }
    R5(F1, 0x5A827999, 0, W);
    R5(F1, 0x5A827999, 5, W);
    R5(F1, 0x5A827999, 10, W);
    R(a, b, c, d, e, F1, 0x5A827999, W(15));
    R(e, a, b, c, d, F1, 0x5A827999, SCHED(16));
    R(d, e, a, b, c, F1, 0x5A827999, SCHED(17));
    R(c, d, e, a, b, F1, 0x5A827999, SCHED(18));
    R(b, c, d, e, a, F1, 0x5A827999, SCHED(19));
    for (int i = 20; i < 40; i += 5) {
        R5(F2, 0x6ED9EBA1, i, SCHED);
    }
    for (int i = 40; i < 60; i += 5) {
        R5(F3, 0x8F1BBCDC, i, SCHED);
    }
    for (int i = 60; i < 80; i += 5) {
        R5(F2, 0xCA62C1D6, i, SCHED);
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
}

#ifdef CCM_SHA1_NI
/* Four rounds: group g of 20 (rounds 4g..4g+3). w[g & 3] is W for this
 * group; `prev` holds A from before the previous group's rounds. */
#define NI_GROUP(g)                                                                                \
    do {                                                                                           \
        if ((g) >= 4) {                                                                            \
            w[(g)&3] = _mm_sha1msg2_epu32(                                                         \
                _mm_xor_si128(_mm_sha1msg1_epu32(w[(g)&3], w[((g) + 1) & 3]), w[((g) + 2) & 3]),   \
                w[((g) + 3) & 3]);                                                                 \
        }                                                                                          \
        e1 = (g) == 0 ? _mm_add_epi32(e0, w[0]) : _mm_sha1nexte_epu32(prev, w[(g)&3]);             \
        prev = abcd;                                                                               \
        abcd = _mm_sha1rnds4_epu32(abcd, e1, (g) / 5);                                             \
    } while (0)

__attribute__((target("sha,sse4.1"))) static void sha1_blocks_ni(uint32_t h[5], const uint8_t *p,
                                                                 size_t n)
{
    const __m128i swap = _mm_set_epi64x(0x0001020304050607LL, 0x08090a0b0c0d0e0fLL);
    __m128i abcd = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)(const void *)h), 0x1B);
    __m128i e0 = _mm_set_epi32((int)h[4], 0, 0, 0);

    for (; n > 0; n--, p += 64) {
        __m128i w[4], e1, prev = abcd, abcd0 = abcd, e_in = e0;
        for (int i = 0; i < 4; i++) {
            w[i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(const void *)(p + 16 * i)),
                                    swap);
        }
        NI_GROUP(0);
        NI_GROUP(1);
        NI_GROUP(2);
        NI_GROUP(3);
        NI_GROUP(4);
        NI_GROUP(5);
        NI_GROUP(6);
        NI_GROUP(7);
        NI_GROUP(8);
        NI_GROUP(9);
        NI_GROUP(10);
        NI_GROUP(11);
        NI_GROUP(12);
        NI_GROUP(13);
        NI_GROUP(14);
        NI_GROUP(15);
        NI_GROUP(16);
        NI_GROUP(17);
        NI_GROUP(18);
        NI_GROUP(19);
        e0 = _mm_sha1nexte_epu32(prev, e_in);
        abcd = _mm_add_epi32(abcd, abcd0);
    }
    _mm_storeu_si128((__m128i *)(void *)h, _mm_shuffle_epi32(abcd, 0x1B));
    h[4] = (uint32_t)_mm_extract_epi32(e0, 3);
}

static int probe_sha_ni(void)
{
    unsigned a, b, c, d;

    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_SSSE3) || !(c & bit_SSE4_1)) {
        return 0;
    }
    return __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & bit_SHA);
}

/* Probed once: under a hypervisor each cpuid is a trap costing tens of
 * microseconds, more than hashing a record. */
static int have_sha_ni(void)
{
    static _Atomic int known = -1;
    int v = known;

    if (v < 0) {
        known = v = probe_sha_ni();
    }
    return v;
}
#endif

static void sha1_blocks(const ccm_sha1 *c, uint32_t h[5], const uint8_t *p, size_t n)
{
#ifdef CCM_SHA1_NI
    if (c->ni) {
        sha1_blocks_ni(h, p, n);
        return;
    }
#endif
    (void)c;
    for (; n > 0; n--, p += 64) {
        sha1_block(h, p);
    }
}

void ccm_sha1_init(ccm_sha1 *c)
{
    static const uint32_t iv[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
    memcpy(c->h, iv, sizeof(iv));
    c->len = 0;
#ifdef CCM_SHA1_NI
    c->ni = have_sha_ni();
#else
    c->ni = 0;
#endif
}

void ccm_sha1_update(ccm_sha1 *c, const void *data, size_t n)
{
    const uint8_t *p = data;
    size_t used = (size_t)(c->len % 64);

    c->len += n;
    if (used) {
        size_t take = 64 - used < n ? 64 - used : n;
        memcpy(c->buf + used, p, take);
        p += take;
        n -= take;
        if (used + take < 64) {
            return;
        }
        sha1_blocks(c, c->h, c->buf, 1);
    }
    sha1_blocks(c, c->h, p, n / 64);
    p += n / 64 * 64;
    n %= 64;
    memcpy(c->buf, p, n);
}

void ccm_sha1_final(ccm_sha1 *c, uint8_t out[20])
{
    uint64_t bits = c->len * 8;
    uint8_t pad[72] = {0x80};
    size_t used = (size_t)(c->len % 64);
    size_t padn = (used < 56 ? 56 : 120) - used;

    for (int i = 0; i < 8; i++) {
        pad[padn + (size_t)i] = (uint8_t)(bits >> (56 - 8 * i));
    }
    ccm_sha1_update(c, pad, padn + 8);
    for (int i = 0; i < 5; i++) {
        out[4 * i] = (uint8_t)(c->h[i] >> 24);
        out[4 * i + 1] = (uint8_t)(c->h[i] >> 16);
        out[4 * i + 2] = (uint8_t)(c->h[i] >> 8);
        out[4 * i + 3] = (uint8_t)c->h[i];
    }
}

void ccm_object_id(git_oid *out, git_object_t type, const void *data, size_t len)
{
    char hdr[64];
    int n = snprintf(hdr, sizeof(hdr), "%s %zu", git_object_type2string(type), len);
    ccm_sha1 c;

    ccm_sha1_init(&c);
    ccm_sha1_update(&c, hdr, (size_t)n + 1); /* with the NUL */
    ccm_sha1_update(&c, data, len);
    ccm_sha1_final(&c, out->id);
}
