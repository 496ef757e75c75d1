/*
 * util.c - libsodium set-up and the small helpers every other file leans on:
 * random hex identifiers, standard base64 (the "original" alphabet, with
 * padding, as OpenSSH and PEM-style armour use it), and guarded secret
 * buffers (sodium_malloc: locked, surrounded by guard pages, wiped on free).
 */
#include "crypto.h"

#include <limits.h>
#include <stdlib.h>

#include <sodium.h>

int ccm_crypto_init(void)
{
    if (sodium_init() < 0) {
        return ccm_error_set(CCM_ERROR, "cannot initialise libsodium");
    }
    return CCM_OK;
}

void ccm_crypto_random_hex(char *out, size_t nbytes)
{
    uint8_t chunk[32];

    /* In chunks, so that any nbytes works without a large stack buffer. */
    while (nbytes > 0) {
        size_t n = nbytes < sizeof(chunk) ? nbytes : sizeof(chunk);
        randombytes_buf(chunk, n);
        sodium_bin2hex(out, 2 * n + 1, chunk, n);
        out += 2 * n;
        nbytes -= n;
    }
    *out = '\0';
    sodium_memzero(chunk, sizeof(chunk));
}

char *ccm_base64_encode(const uint8_t *buf, size_t len)
{
    if (len > (SIZE_MAX / 4) * 3 - 3) {
        return NULL;
    }
    size_t cap = sodium_base64_encoded_len(len, sodium_base64_VARIANT_ORIGINAL);
    char *out = malloc(cap);
    if (out == NULL) {
        return NULL;
    }
    sodium_bin2base64(out, cap, buf, len, sodium_base64_VARIANT_ORIGINAL);
    return out;
}

long ccm_base64_decode(uint8_t *out, size_t cap, const char *text, size_t text_len)
{
    size_t bin_len = 0;

    /* b64_end == NULL makes libsodium reject trailing garbage; the original
     * variant requires the '=' padding and canonical trailing bits. */
    if (sodium_base642bin(out, cap, text, text_len, NULL, &bin_len, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0) {
        return -1;
    }
    if (bin_len > LONG_MAX) {
        return -1;
    }
    return (long)bin_len;
}

void *ccm_secret_alloc(size_t len)
{
    /* sodium_malloc needs sodium_init (page size, canary); make it safe to
     * call first. */
    if (ccm_crypto_init() != CCM_OK) {
        return NULL;
    }
    return sodium_malloc(len);
}

void ccm_secret_free(void *secret)
{
    sodium_free(secret); /* NULL-safe; wipes before unmapping */
}
