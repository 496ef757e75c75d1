/*
 * util.c - libsodium set-up and the small helpers every other file leans on:
 * random hex identifiers and guarded secret buffers (sodium_malloc: locked,
 * surrounded by guard pages, wiped on free). Hex and base64 themselves are
 * crypto/base/codec.c's.
 */
#include "crypto.h"

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
        ccm_hex_encode(out, chunk, n);
        out += 2 * n;
        nbytes -= n;
    }
    *out = '\0';
    sodium_memzero(chunk, sizeof(chunk));
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
