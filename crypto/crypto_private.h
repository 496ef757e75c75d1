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

#endif
