/*
 * crc32.c - CRC-32 (IEEE 802.3, reflected, as zlib's crc32), for the index
 * of the pack files ccmsync writes (packwrite.c: git's .idx holds the CRC of
 * every packed object). Slicing by 8: eight table lookups per 8 bytes.
 */
#include <string.h>

#include "odb.h"
#include "../../crypto/crypto.h"

static uint32_t table[8][256];
static int ready;

static void init_tables(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) {
            c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        }
        table[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; i++) {
        for (int t = 1; t < 8; t++) {
            table[t][i] = (table[t - 1][i] >> 8) ^ table[0][table[t - 1][i] & 0xff];
        }
    }
    ready = 1;
}

uint32_t ccm_crc32(uint32_t crc, const void *data, size_t n)
{
    const uint8_t *p = data;

    if (!ready) {
        init_tables(); /* packs are written by one thread (packwrite.c) */
    }
    crc = ~crc;
    for (; n >= 8; p += 8, n -= 8) {
        uint32_t lo = crc ^ ((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                             (uint32_t)p[3] << 24);
        uint32_t hi =
            (uint32_t)p[4] | (uint32_t)p[5] << 8 | (uint32_t)p[6] << 16 | (uint32_t)p[7] << 24;
        crc = table[7][lo & 0xff] ^ table[6][(lo >> 8) & 0xff] ^ table[5][(lo >> 16) & 0xff] ^
              table[4][lo >> 24] ^ table[3][hi & 0xff] ^ table[2][(hi >> 8) & 0xff] ^
              table[1][(hi >> 16) & 0xff] ^ table[0][hi >> 24];
    }
    while (n--) {
        crc = table[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
    }
    return ~crc;
}
