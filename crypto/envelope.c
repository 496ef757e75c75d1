/*
 * envelope.c - the record envelope (see crypto.h for the layout) and the
 * sealed form of local-only files.
 *
 * Records: XChaCha20-Poly1305 under the group key's "ccmrecrd" subkey, with
 * a synthetic nonce (BLAKE2b-192 keyed by the "ccmnonce" subkey over
 * u32 identity_len || identity || plaintext) and associated data
 *   "ccmsync-record" NUL version epoch(u32) identity
 * so a blob is bound to its record and its key epoch, and equal (record,
 * plaintext) pairs produce equal blobs.
 *
 * Local files: byte 1 || nonce[24] (random) || ciphertext + tag, with the
 * caller's string as associated data.
 */
#include "crypto_private.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#define AD_PREFIX "ccmsync-record" /* followed by its NUL */
#define AD_PREFIX_LEN sizeof(AD_PREFIX)
#define TAG_LEN crypto_aead_xchacha20poly1305_ietf_ABYTES
#define NONCE_LEN crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define LOCAL_VERSION 1
#define LOCAL_HEADER (1 + NONCE_LEN)

/* Builds the associated data of a record envelope into a malloc'ed buffer;
 * NULL on OOM. */
static uint8_t *record_ad(size_t *ad_len, uint32_t epoch, const uint8_t *identity,
                          size_t identity_len)
{
    *ad_len = AD_PREFIX_LEN + 1 + 4 + identity_len;
    uint8_t *ad = malloc(*ad_len);
    if (ad == NULL) {
        return NULL;
    }
    memcpy(ad, AD_PREFIX, AD_PREFIX_LEN);
    ad[AD_PREFIX_LEN] = CCM_ENVELOPE_VERSION;
    ccm_put_be32(ad + AD_PREFIX_LEN + 1, epoch);
    if (identity_len > 0) {
        memcpy(ad + AD_PREFIX_LEN + 5, identity, identity_len);
    }
    return ad;
}

int ccm_envelope_seal(uint8_t **out, size_t *out_len, const ccm_groupkey *gk,
                      const uint8_t *identity, size_t identity_len, const uint8_t *pt,
                      size_t pt_len)
{
    crypto_generichash_state st;
    uint8_t len_be[4];
    size_t ad_len;

    *out = NULL;
    *out_len = 0;
    if (identity_len > UINT32_MAX || pt_len > SIZE_MAX - CCM_ENVELOPE_HEADER - TAG_LEN ||
        (identity_len > 0 && identity == NULL) || (pt_len > 0 && pt == NULL)) {
        return ccm_error_set(CCM_EINVALID, "record too large to seal");
    }
    uint32_t epoch = ccm_groupkey_epoch(gk);
    size_t len = CCM_ENVELOPE_HEADER + pt_len + TAG_LEN;
    uint8_t *env = malloc(len);
    uint8_t *ad = record_ad(&ad_len, epoch, identity, identity_len);
    if (env == NULL || ad == NULL) {
        free(env);
        free(ad);
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    env[0] = CCM_ENVELOPE_VERSION;
    ccm_put_be32(env + 1, epoch);
    uint8_t *nonce = env + 5;

    ccm_put_be32(len_be, (uint32_t)identity_len);
    crypto_generichash_init(&st, ccm_groupkey__nonce_key(gk), CCM_KEY_BYTES, NONCE_LEN);
    crypto_generichash_update(&st, len_be, 4);
    crypto_generichash_update(&st, identity, identity_len);
    crypto_generichash_update(&st, pt, pt_len);
    crypto_generichash_final(&st, nonce, NONCE_LEN);

    crypto_aead_xchacha20poly1305_ietf_encrypt(env + CCM_ENVELOPE_HEADER, NULL, pt, pt_len, ad,
                                               ad_len, NULL, nonce, ccm_groupkey__enc_key(gk));
    free(ad);
    *out = env;
    *out_len = len;
    return CCM_OK;
}

int ccm_envelope_epoch(uint32_t *epoch, const uint8_t *env, size_t len)
{
    *epoch = 0;
    if (env == NULL || len < CCM_ENVELOPE_HEADER + TAG_LEN) {
        return ccm_error_set(CCM_EVERIFY, "truncated record envelope (%zu bytes)", len);
    }
    if (env[0] != CCM_ENVELOPE_VERSION) {
        return ccm_error_set(CCM_EVERIFY, "unsupported record envelope version %u",
                             (unsigned)env[0]);
    }
    *epoch = ccm_get_be32(env + 1);
    return CCM_OK;
}

int ccm_envelope_open(uint8_t **pt, size_t *pt_len, const ccm_groupkey *gk, const uint8_t *identity,
                      size_t identity_len, const uint8_t *env, size_t len)
{
    uint32_t epoch;
    size_t ad_len;

    *pt = NULL;
    *pt_len = 0;
    int err = ccm_envelope_epoch(&epoch, env, len);
    if (err != CCM_OK) {
        return err;
    }
    if (epoch != ccm_groupkey_epoch(gk)) {
        return ccm_error_set(CCM_EVERIFY, "record sealed under key epoch %u, have epoch %u",
                             (unsigned)epoch, (unsigned)ccm_groupkey_epoch(gk));
    }
    if (identity_len > UINT32_MAX || (identity_len > 0 && identity == NULL)) {
        return ccm_error_set(CCM_EVERIFY, "invalid record identity");
    }
    size_t n = len - CCM_ENVELOPE_HEADER - TAG_LEN;
    uint8_t *out = malloc(n + 1);
    uint8_t *ad = record_ad(&ad_len, epoch, identity, identity_len);
    if (out == NULL || ad == NULL) {
        free(out);
        free(ad);
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(out, NULL, NULL, env + CCM_ENVELOPE_HEADER,
                                                   len - CCM_ENVELOPE_HEADER, ad, ad_len, env + 5,
                                                   ccm_groupkey__enc_key(gk)) != 0) {
        free(out);
        free(ad);
        return ccm_error_set(CCM_EVERIFY, "record envelope failed authentication "
                                          "(tampered with or bound to another record)");
    }
    free(ad);
    out[n] = '\0';
    *pt = out;
    *pt_len = n;
    return CCM_OK;
}

int ccm_local_seal(uint8_t **out, size_t *out_len, const uint8_t key[32], const char *ad,
                   const uint8_t *pt, size_t pt_len)
{
    *out = NULL;
    *out_len = 0;
    if (pt_len > SIZE_MAX - LOCAL_HEADER - TAG_LEN || (pt_len > 0 && pt == NULL)) {
        return ccm_error_set(CCM_EINVALID, "local data too large to seal");
    }
    size_t len = LOCAL_HEADER + pt_len + TAG_LEN;
    uint8_t *buf = malloc(len);
    if (buf == NULL) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    buf[0] = LOCAL_VERSION;
    randombytes_buf(buf + 1, NONCE_LEN);
    crypto_aead_xchacha20poly1305_ietf_encrypt(buf + LOCAL_HEADER, NULL, pt, pt_len,
                                               (const uint8_t *)ad, ad ? strlen(ad) : 0, NULL,
                                               buf + 1, key);
    *out = buf;
    *out_len = len;
    return CCM_OK;
}

int ccm_local_open(uint8_t **pt, size_t *pt_len, const uint8_t key[32], const char *ad,
                   const uint8_t *ct, size_t ct_len)
{
    *pt = NULL;
    *pt_len = 0;
    if (ct == NULL || ct_len < LOCAL_HEADER + TAG_LEN) {
        return ccm_error_set(CCM_EVERIFY, "truncated local file (%zu bytes)", ct_len);
    }
    if (ct[0] != LOCAL_VERSION) {
        return ccm_error_set(CCM_EVERIFY, "unsupported local file version %u", (unsigned)ct[0]);
    }
    size_t n = ct_len - LOCAL_HEADER - TAG_LEN;
    uint8_t *out = malloc(n + 1);
    if (out == NULL) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(out, NULL, NULL, ct + LOCAL_HEADER,
                                                   ct_len - LOCAL_HEADER, (const uint8_t *)ad,
                                                   ad ? strlen(ad) : 0, ct + 1, key) != 0) {
        free(out);
        return ccm_error_set(CCM_EVERIFY, "local file failed authentication (tampered with, "
                                          "or another key or purpose)");
    }
    out[n] = '\0';
    *pt = out;
    *pt_len = n;
    return CCM_OK;
}
