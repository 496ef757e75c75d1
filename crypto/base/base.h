/*
 * base.h - the lowest layer of ccmsync, on the C library alone: the error
 * codes and the last error of the calling thread, growing arrays, whole-file
 * reads and atomic writes, UTF-8 decoding, big-endian integers, hex and
 * base64. Every other module builds on it (crypto/crypto.h includes it), and
 * it includes nothing of theirs.
 *
 * Nothing here prints or exits; failures are reported through
 * ccm_error_set and returned as codes.
 */
#ifndef CCM_BASE_H
#define CCM_BASE_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

/* ---- errors (crypto/base/error.c) ---------------------------------------- */

/* Return codes: 0 ok, named negative codes for expected failures. The CLI
 * maps them to the documented exit statuses (cli/run.c). */
enum {
    CCM_OK = 0,
    CCM_ERROR = -1,        /* runtime failure (exit 1) */
    CCM_EINVALID = -2,     /* usage or validation error (exit 2) */
    CCM_EDENIED = -3,      /* not permitted: no key, wrong role (exit 3) */
    CCM_EVERIFY = -4,      /* signature/integrity failure, tampering (exit 4) */
    CCM_EUNREACHABLE = -5, /* remote unreachable (exit 5) */
    CCM_ENOTFOUND = -6,    /* no such record/store (exit 1) */
    CCM_EPASSPHRASE = -7,  /* wrong passphrase (exit 3) */
    CCM_ELOCKED = -8,      /* store busy past the bounded wait (exit 1) */
};

/* Records the last error: a code and a one-line, lowercase message without a
 * trailing period (git's style). Returns `code` so callers can write
 * `return ccm_error_set(CCM_EINVALID, "unknown field '%s'", f);`. */
int ccm_error_set(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The message of the last error set in this thread ("" if none). Valid until
 * the next ccm_error_set/ccm_error_clear. */
const char *ccm_error_last(void);

/* The code of the last error (CCM_OK if none). */
int ccm_error_code(void);

void ccm_error_clear(void);

/* Re-sets the last error as "<prefix>: <last message>" with `code`; returns
 * `code`. */
int ccm_error_wrap(int code, const char *prefix);

/* ---- arrays (crypto/base/array.c) ----------------------------------------- */

/* Makes room for one more element in the array whose pointer is at `items`
 * (n used, *cap allocated, `size` bytes each): doubles the capacity, starting
 * at `first`. CCM_OK, or CCM_ERROR (out of memory) with the array
 * untouched. */
int ccm_grow(void *items, size_t *cap, size_t n, size_t size, size_t first);

/* ---- files (crypto/base/fs.c) --------------------------------------------- */

/* Joins dir and name with a '/' into a new string (caller frees); NULL on
 * OOM. */
char *ccm_path_join(const char *dir, const char *name);

/* Reads a whole regular file (caller frees *out, which is NUL-terminated;
 * the NUL is not counted in *len). CCM_ENOTFOUND if it does not exist. */
int ccm_file_read(uint8_t **out, size_t *len, const char *path);

/* Reads a stream to its end, or to `max` + 1 bytes, whichever comes first
 * (caller frees *out, NUL-terminated; *len > max says the stream holds more
 * than max; max < SIZE_MAX). CCM_ERROR with the reason (a read error, out of memory); the
 * caller names what it was reading. */
int ccm_stream_read(char **out, size_t *len, FILE *f, size_t max);

/* Maps a whole regular file read-only (ccm_file_unmap releases it): for a
 * large file of which a caller reads a part, only that part is read from
 * disk. Files written by ccm_file_write are replaced, never changed in
 * place, so a mapping stays what it was. CCM_ENOTFOUND if the file does not
 * exist; an empty file is CCM_ERROR (nothing to map). */
int ccm_file_map(const uint8_t **out, size_t *len, const char *path);
void ccm_file_unmap(const uint8_t *p, size_t len); /* NULL-safe */

/* Writes a file atomically (temporary file beside it, fsync, rename) with
 * `mode`. */
int ccm_file_write(const char *path, const uint8_t *buf, size_t len, int mode);

/* Wipes then frees a malloc'ed buffer of `len` bytes holding plaintext
 * (NULL-safe). */
void ccm_wipe_free(void *p, size_t len);

/* Removes a directory tree, best effort (used to undo a failed init). */
void ccm_remove_tree(const char *dir);

/* 1 if `dir` does not exist or holds no entry, 0 otherwise. */
int ccm_dir_is_empty_or_absent(const char *dir);

/* Creates `dir` and its missing parents (mode 0700); an existing folder is
 * fine. */
int ccm_mkdir_p(const char *dir);

/* ---- UTF-8 (crypto/base/utf8.c) -------------------------------------------- */

/* Decodes the code point at p, of which `avail` bytes may be read: its
 * length (1 to 4) with *cp set, or 0 when the bytes there are not one
 * well-formed UTF-8 sequence (overlong forms, surrogates, values past
 * U+10FFFF, a truncated or broken sequence) or avail is 0. A NUL byte is
 * the code point U+0000, of length 1: callers that refuse it say so. */
size_t ccm_utf8_decode(const unsigned char *p, size_t avail, uint32_t *cp);

/* ---- big-endian integers ----------------------------------------------------- */

static inline void ccm_put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static inline uint32_t ccm_get_be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/* ---- hex and base64 (crypto/base/codec.c) ------------------------------------ */

/* Writes 2*len lowercase hex digits of buf and a NUL into out (2*len+1
 * bytes). */
void ccm_hex_encode(char *out, const uint8_t *buf, size_t len);

/* Standard base64 (RFC 4648's alphabet, with padding) of `len` bytes; caller
 * frees. NULL on OOM. */
char *ccm_base64_encode(const uint8_t *buf, size_t len);

/* Decodes exactly `text_len` bytes of standard base64 into `out` (at most
 * `cap` bytes): padding required, the unused bits of the last character
 * zero, nothing else in the text (no whitespace). The number of bytes
 * decoded, or -1 if the text is not that or does not fit. */
long ccm_base64_decode(uint8_t *out, size_t cap, const char *text, size_t text_len);

#endif
