/*
 * codec.c - bytes as text: lowercase hex, and standard base64 (RFC 4648's
 * "original" alphabet, with padding, as OpenSSH keys and signature armour
 * and the roster's keys use it). Decoding is strict, so that one byte
 * string has exactly one accepted text: padding required, the unused bits
 * of the last character zero, no whitespace or other byte anywhere.
 */
#include <limits.h>
#include <stdlib.h>

#include "base.h"

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void ccm_hex_encode(char *out, const uint8_t *buf, size_t len)
{
    static const char hex[] = "0123456789abcdef";

    for (size_t i = 0; i < len; i++) {
        out[2 * i] = hex[buf[i] >> 4];
        out[2 * i + 1] = hex[buf[i] & 0xf];
    }
    out[2 * len] = '\0';
}

char *ccm_base64_encode(const uint8_t *buf, size_t len)
{
    size_t groups = len / 3 + (len % 3 != 0), o = 0, i;
    char *out;

    if (groups > (SIZE_MAX - 1) / 4 || !(out = malloc(groups * 4 + 1))) {
        return NULL;
    }
    for (i = 0; i + 3 <= len; i += 3) {
        uint32_t v = (uint32_t)buf[i] << 16 | (uint32_t)buf[i + 1] << 8 | buf[i + 2];
        out[o++] = b64_alphabet[v >> 18];
        out[o++] = b64_alphabet[v >> 12 & 0x3f];
        out[o++] = b64_alphabet[v >> 6 & 0x3f];
        out[o++] = b64_alphabet[v & 0x3f];
    }
    if (len - i == 1) {
        uint32_t v = (uint32_t)buf[i] << 16;
        out[o++] = b64_alphabet[v >> 18];
        out[o++] = b64_alphabet[v >> 12 & 0x3f];
        out[o++] = '=';
        out[o++] = '=';
    } else if (len - i == 2) {
        uint32_t v = (uint32_t)buf[i] << 16 | (uint32_t)buf[i + 1] << 8;
        out[o++] = b64_alphabet[v >> 18];
        out[o++] = b64_alphabet[v >> 12 & 0x3f];
        out[o++] = b64_alphabet[v >> 6 & 0x3f];
        out[o++] = '=';
    }
    out[o] = '\0';
    return out;
}

/* The value of a base64 character, or -1. */
static int b64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }
    if (c == '+') {
        return 62;
    }
    if (c == '/') {
        return 63;
    }
    return -1;
}

long ccm_base64_decode(uint8_t *out, size_t cap, const char *text, size_t text_len)
{
    const unsigned char *t = (const unsigned char *)text;
    uint32_t acc = 0;
    unsigned bits = 0; /* bits in acc not written out yet: 0, 2, 4 or 6 */
    size_t i = 0, n = 0, pad;
    int d;

    for (; i < text_len && (d = b64_value(t[i])) >= 0; i++) {
        acc = (acc << 6 | (uint32_t)d) & 0xfff;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (n >= cap) {
                return -1;
            }
            out[n++] = (uint8_t)(acc >> bits);
        }
    }
    /* After the last full group: nothing left over (no padding), 4 bits
     * (one byte of the group, "=="), 2 bits (two bytes, "="); 6 bits is
     * a lone character. The bits left over must be zero. */
    if (bits > 4 || (acc & ((1u << bits) - 1)) != 0) {
        return -1;
    }
    for (pad = bits / 2; pad > 0; pad--, i++) {
        if (i >= text_len || t[i] != '=') {
            return -1;
        }
    }
    if (i != text_len || n > (size_t)LONG_MAX) {
        return -1;
    }
    return (long)n;
}
