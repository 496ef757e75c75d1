/*
 * notekey.c - the keys of sensitive notes.
 *
 * Each note has its own random 32-byte key. The title and body are encrypted
 * under it (XChaCha20-Poly1305, the note's id as associated data), and the
 * key is sealed (crypto_box_seal) to each recipient's X25519 key: a capsule.
 * A member who is not a recipient has the group key, and so sees that the
 * note exists, what it is attached to and who may read it, but cannot open
 * any capsule, so sees neither title nor body.
 */
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "crypto.h"
#include "crypto_private.h"

#define CAPSULE_BYTES CCM_NOTEKEY_CAPSULE_BYTES
_Static_assert(CCM_NOTEKEY_CAPSULE_BYTES == crypto_box_SEALBYTES + 32, "capsule size");

int ccm_notekey_generate(uint8_t **key)
{
    if (!(*key = ccm_secret_alloc(32))) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    randombytes_buf(*key, 32);
    return CCM_OK;
}

int ccm_notekey_seal(char **capsule, const uint8_t key[32], const uint8_t box_pk[32])
{
    uint8_t sealed[CAPSULE_BYTES];

    *capsule = NULL;
    if (crypto_box_seal(sealed, key, 32, box_pk) != 0) {
        return ccm_error_set(CCM_ERROR, "cannot seal note key");
    }
    if (!(*capsule = ccm_base64_encode(sealed, sizeof(sealed)))) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    return CCM_OK;
}

int ccm_notekey_open(uint8_t **key, const char *capsule, const ccm_identity *id)
{
    uint8_t sealed[CAPSULE_BYTES + 1];
    long n = ccm_base64_decode(sealed, sizeof(sealed), capsule, strlen(capsule));

    *key = NULL;
    if (n != CAPSULE_BYTES) {
        return ccm_error_set(CCM_EVERIFY, "malformed note key capsule");
    }
    if (!(*key = ccm_secret_alloc(32))) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    if (crypto_box_seal_open(*key, sealed, CAPSULE_BYTES, ccm_identity_box_pk(id),
                             ccm_identity__box_sk(id)) != 0) {
        ccm_secret_free(*key);
        *key = NULL;
        return ccm_error_set(CCM_EDENIED, "note key not sealed to this member");
    }
    return CCM_OK;
}

int ccm_note_seal(char **out, const uint8_t key[32], const char *note_id, const uint8_t *pt,
                  size_t len)
{
    uint8_t *ct = NULL;
    size_t ct_len = 0;
    int rc;

    *out = NULL;
    if ((rc = ccm_local_seal(&ct, &ct_len, key, note_id, pt, len)) < 0) {
        return rc;
    }
    *out = ccm_base64_encode(ct, ct_len);
    free(ct);
    return *out ? CCM_OK : ccm_error_set(CCM_ERROR, "out of memory");
}

int ccm_note_open(uint8_t **pt, size_t *len, const uint8_t key[32], const char *note_id,
                  const char *sealed)
{
    size_t cap = strlen(sealed) / 4 * 3 + 3;
    uint8_t *ct = malloc(cap);
    long n;
    int rc;

    *pt = NULL;
    if (!ct) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    n = ccm_base64_decode(ct, cap, sealed, strlen(sealed));
    if (n < 0) {
        free(ct);
        return ccm_error_set(CCM_EVERIFY, "malformed note");
    }
    rc = ccm_local_open(pt, len, key, note_id, ct, (size_t)n);
    free(ct);
    if (rc < 0) {
        return ccm_error_set(CCM_EVERIFY, "note '%s' does not decrypt (tampered?)", note_id);
    }
    return CCM_OK;
}
