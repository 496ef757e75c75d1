/*
 * crypto_private.h - accessors shared between the files of crypto/ and not
 * part of the public contract: the secret halves of an identity and the
 * derived subkeys of a group key. Borrowed pointers into sodium_malloc'ed
 * memory, valid while the owning object lives; never copy them elsewhere.
 */
#ifndef CCM_CRYPTO_PRIVATE_H
#define CCM_CRYPTO_PRIVATE_H

#include "crypto.h"

/* The identity's 32-byte X25519 secret key. */
const uint8_t *ccm_identity__box_sk(const ccm_identity *id);

/* The group key's 32-byte AEAD key for record envelopes (kdf "ccmrecrd"). */
const uint8_t *ccm_groupkey__enc_key(const ccm_groupkey *gk);

/* The group key's 32-byte key for synthetic nonces (kdf "ccmnonce"). */
const uint8_t *ccm_groupkey__nonce_key(const ccm_groupkey *gk);

/* Big-endian integer helpers. */
static inline void ccm__put_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static inline uint32_t ccm__get_u32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

#endif
