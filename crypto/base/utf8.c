/*
 * utf8.c - the one UTF-8 decoder of ccmsync: the schema's text checks and
 * quoting, the canonical JSON writer, and the terminal's width counting all
 * read code points through it, so they agree on what UTF-8 is (Unicode's
 * well-formed sequences: no overlong forms, no surrogates, nothing past
 * U+10FFFF).
 */
#include "base.h"

size_t ccm_utf8_decode(const unsigned char *p, size_t avail, uint32_t *cp)
{
    uint32_t c, min;
    size_t n;

    if (avail == 0) {
        return 0;
    }
    c = p[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if (c >= 0xC2 && c <= 0xDF) {
        n = 2, c &= 0x1F, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3, c &= 0x0F, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4, c &= 0x07, min = 0x10000;
    } else {
        return 0; /* a continuation byte, or a lead byte of an overlong form */
    }
    if (n > avail) {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80) {
            return 0;
        }
        c = (c << 6) | (p[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) {
        return 0;
    }
    *cp = c;
    return n;
}
