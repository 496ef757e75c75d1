/*
 * groupkey.c - the group's symmetric keys for one epoch and their
 * distribution to members.
 *
 * A group key is a 32-byte record key (replaced on every rotation) and a
 * 32-byte index key (fixed for the group's life). Working subkeys are derived
 * once with crypto_kdf: "ccmrecrd" (envelope AEAD) and "ccmnonce" (synthetic
 * nonces) from the record key, "ccmindex" (record names) from the index key.
 * All of it lives in one sodium_malloc'ed block.
 *
 * Sealed form: crypto_box_seal to the member's X25519 public key of
 *   u32 epoch (big-endian) || record key[32] || index key[32]
 * i.e. exactly SEALED_LEN bytes; anything else is malformed.
 */
#include "crypto_private.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#define PLAIN_LEN (4 + 2 * CCM_KEY_BYTES)
#define SEALED_LEN (crypto_box_SEALBYTES + PLAIN_LEN)

struct keys {
    uint8_t record[CCM_KEY_BYTES];
    uint8_t index[CCM_KEY_BYTES];
    uint8_t enc[CCM_KEY_BYTES];   /* kdf(record, "ccmrecrd") */
    uint8_t nonce[CCM_KEY_BYTES]; /* kdf(record, "ccmnonce") */
    uint8_t name[CCM_KEY_BYTES];  /* kdf(index, "ccmindex") */
};

struct ccm_groupkey {
    uint32_t epoch;
    struct keys *k; /* sodium_malloc */
};

/* Allocates a group key of `epoch` with uninitialised keys; NULL on OOM
 * (error set). */
static ccm_groupkey *groupkey_alloc(uint32_t epoch)
{
    ccm_groupkey *gk = calloc(1, sizeof(*gk));
    if (gk == NULL) {
        ccm_error_set(CCM_ERROR, "out of memory");
        return NULL;
    }
    gk->k = ccm_secret_alloc(sizeof(*gk->k));
    if (gk->k == NULL) {
        free(gk);
        ccm_error_set(CCM_ERROR, "cannot allocate secure memory");
        return NULL;
    }
    gk->epoch = epoch;
    return gk;
}

/* Fills the subkeys from the record and index keys already in place. */
static void derive_subkeys(ccm_groupkey *gk)
{
    struct keys *k = gk->k;
    crypto_kdf_derive_from_key(k->enc, CCM_KEY_BYTES, 1, "ccmrecrd", k->record);
    crypto_kdf_derive_from_key(k->nonce, CCM_KEY_BYTES, 1, "ccmnonce", k->record);
    crypto_kdf_derive_from_key(k->name, CCM_KEY_BYTES, 1, "ccmindex", k->index);
}

int ccm_groupkey_generate(ccm_groupkey **out, uint32_t epoch)
{
    *out = NULL;
    ccm_groupkey *gk = groupkey_alloc(epoch);
    if (gk == NULL) {
        return CCM_ERROR;
    }
    crypto_kdf_keygen(gk->k->record);
    crypto_kdf_keygen(gk->k->index);
    derive_subkeys(gk);
    *out = gk;
    return CCM_OK;
}

int ccm_groupkey_rotate(ccm_groupkey **out, const ccm_groupkey *prev)
{
    *out = NULL;
    if (prev->epoch == UINT32_MAX) {
        return ccm_error_set(CCM_EINVALID, "group key epoch %u cannot be rotated further",
                             prev->epoch);
    }
    ccm_groupkey *gk = groupkey_alloc(prev->epoch + 1);
    if (gk == NULL) {
        return CCM_ERROR;
    }
    crypto_kdf_keygen(gk->k->record);
    memcpy(gk->k->index, prev->k->index, CCM_KEY_BYTES);
    derive_subkeys(gk);
    *out = gk;
    return CCM_OK;
}

uint32_t ccm_groupkey_epoch(const ccm_groupkey *gk)
{
    return gk->epoch;
}

void ccm_groupkey_free(ccm_groupkey *gk)
{
    if (gk == NULL) {
        return;
    }
    ccm_secret_free(gk->k);
    free(gk);
}

const uint8_t *ccm_groupkey__enc_key(const ccm_groupkey *gk)
{
    return gk->k->enc;
}

const uint8_t *ccm_groupkey__nonce_key(const ccm_groupkey *gk)
{
    return gk->k->nonce;
}

int ccm_groupkey_seal(uint8_t **out, size_t *out_len, const ccm_groupkey *gk,
                      const uint8_t box_pk[32])
{
    *out = NULL;
    *out_len = 0;
    uint8_t *plain = ccm_secret_alloc(PLAIN_LEN);
    uint8_t *sealed = malloc(SEALED_LEN);
    if (plain == NULL || sealed == NULL) {
        ccm_secret_free(plain);
        free(sealed);
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    ccm_put_be32(plain, gk->epoch);
    memcpy(plain + 4, gk->k->record, CCM_KEY_BYTES);
    memcpy(plain + 4 + CCM_KEY_BYTES, gk->k->index, CCM_KEY_BYTES);
    int rc = crypto_box_seal(sealed, plain, PLAIN_LEN, box_pk);
    ccm_secret_free(plain);
    if (rc != 0) {
        free(sealed);
        return ccm_error_set(CCM_EINVALID, "cannot seal the group key to this public key");
    }
    *out = sealed;
    *out_len = SEALED_LEN;
    return CCM_OK;
}

int ccm_groupkey_open(ccm_groupkey **out, const uint8_t *buf, size_t len, const ccm_identity *id)
{
    *out = NULL;
    if (buf == NULL || len != SEALED_LEN) {
        return ccm_error_set(CCM_EVERIFY, "malformed sealed group key (%zu bytes, expected %d)",
                             len, (int)SEALED_LEN);
    }
    uint8_t *plain = ccm_secret_alloc(PLAIN_LEN);
    if (plain == NULL) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    int err = CCM_OK;
    if (crypto_box_seal_open(plain, buf, len, ccm_identity_box_pk(id), ccm_identity__box_sk(id)) !=
        0) {
        err = ccm_error_set(CCM_EDENIED, "group key not sealed to this member");
    } else {
        ccm_groupkey *gk = groupkey_alloc(ccm_get_be32(plain));
        if (gk == NULL) {
            err = CCM_ERROR;
        } else {
            memcpy(gk->k->record, plain + 4, CCM_KEY_BYTES);
            memcpy(gk->k->index, plain + 4 + CCM_KEY_BYTES, CCM_KEY_BYTES);
            derive_subkeys(gk);
            *out = gk;
        }
    }
    ccm_secret_free(plain);
    return err;
}

void ccm_groupkey_commitment(uint8_t out[CCM_KEY_COMMITMENT_BYTES], const ccm_groupkey *gk)
{
    static const uint8_t label[] = "ccmsync group key commitment v1";
    crypto_generichash_state st;
    uint8_t epoch[4];

    ccm_put_be32(epoch, gk->epoch);
    crypto_generichash_init(&st, NULL, 0, CCM_KEY_COMMITMENT_BYTES);
    crypto_generichash_update(&st, label, sizeof(label));
    crypto_generichash_update(&st, epoch, sizeof(epoch));
    crypto_generichash_update(&st, gk->k->record, CCM_KEY_BYTES);
    crypto_generichash_update(&st, gk->k->index, CCM_KEY_BYTES);
    crypto_generichash_final(&st, out, CCM_KEY_COMMITMENT_BYTES);
}

size_t ccm_groupkey_sealed_size(void)
{
    return SEALED_LEN;
}

void ccm_groupkey_record_name(char out[65], const ccm_groupkey *gk, const char *kind,
                              const char *id)
{
    crypto_generichash_state st;
    uint8_t hash[32];

    crypto_generichash_init(&st, gk->k->name, CCM_KEY_BYTES, sizeof(hash));
    crypto_generichash_update(&st, (const uint8_t *)kind, strlen(kind) + 1); /* with NUL */
    crypto_generichash_update(&st, (const uint8_t *)id, strlen(id));
    crypto_generichash_final(&st, hash, sizeof(hash));
    ccm_hex_encode(out, hash, sizeof(hash));
}
