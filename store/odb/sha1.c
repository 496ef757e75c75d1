/*
 * sha1.c - SHA-1 (FIPS 180-4) of any bytes, in portable C, where libgit2
 * offers none in its API: the checksums that close the pack files written
 * here and their indexes (packfile.c), and the HMAC-SHA1 of the host names
 * OpenSSH hashes in known_hosts (sync/known_hosts.c). Object ids are
 * libgit2's (git_odb_hash, with its collision detection). Nothing secret or
 * signed depends on it.
 */
#include <string.h>

#include "odb.h"

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

static void sha1_blocks(uint32_t h[5], const uint8_t *p, size_t n)
{
    for (; n > 0; n--, p += 64) {
        sha1_block(h, p);
    }
}

void ccm_sha1_init(ccm_sha1 *c)
{
    static const uint32_t iv[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
    memcpy(c->h, iv, sizeof(iv));
    c->len = 0;
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
        sha1_blocks(c->h, c->buf, 1);
    }
    sha1_blocks(c->h, p, n / 64);
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
