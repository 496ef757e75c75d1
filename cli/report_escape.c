/*
 * report_escape.c - record text into the report's Markdown and HTML.
 *
 * Record values are whatever members typed (or a hostile member crafted), so
 * nothing passes as markup: in HTML the five special characters become
 * entities; in Markdown the punctuation that would start markup is
 * backslash-escaped (CommonMark allows it before any ASCII punctuation) and a
 * value stays on one line, so it cannot end a table row. In both, control
 * characters and the bidirectional controls that reorder what a reader sees
 * (U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069) never pass: line
 * breaks and tabs become spaces, the others U+FFFD.
 */
#include <string.h>

#include "report.h"

#define REPLACEMENT "\xEF\xBF\xBD" /* U+FFFD */

/* The length of a bidirectional control at p (0 if none). */
static size_t bidi_len(const unsigned char *p)
{
    if (p[0] == 0xD8 && p[1] == 0x9C) {
        return 2; /* U+061C */
    }
    if (p[0] == 0xE2 && p[1] == 0x80 &&
        (p[2] == 0x8E || p[2] == 0x8F || (p[2] >= 0xAA && p[2] <= 0xAE))) {
        return 3; /* U+200E, U+200F, U+202A..U+202E */
    }
    if (p[0] == 0xE2 && p[1] == 0x81 && p[2] >= 0xA6 && p[2] <= 0xA9) {
        return 3; /* U+2066..U+2069 */
    }
    return 0;
}

void ccm_report_put(FILE *f, const char *text, ccm_escape mode)
{
    const unsigned char *p = (const unsigned char *)text;

    while (p && *p) {
        size_t n;
        unsigned char c = *p;
        if (c == '\n' || c == '\r' || c == '\t') {
            fputc(' ', f);
            p++;
        } else if (c < 0x20 || c == 0x7F) {
            fputs(REPLACEMENT, f);
            p++;
        } else if (c == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F) {
            fputs(REPLACEMENT, f); /* C1 controls */
            p += 2;
        } else if ((n = bidi_len(p)) > 0) {
            fputs(REPLACEMENT, f);
            p += n;
        } else if (mode == CCM_ESC_HTML && strchr("&<>\"'", c)) {
            fputs(c == '&'   ? "&amp;"
                  : c == '<' ? "&lt;"
                  : c == '>' ? "&gt;"
                  : c == '"' ? "&quot;"
                             : "&#39;",
                  f);
            p++;
        } else if (mode == CCM_ESC_MD && strchr("\\`*_[]<>|#~!", c)) {
            fputc('\\', f);
            fputc(c, f);
            p++;
        } else {
            fputc(c, f);
            p++;
        }
    }
}
