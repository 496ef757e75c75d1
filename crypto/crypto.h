/*
 * crypto.h - member identities, passphrase-protected secret keys, group keys
 * and their epochs, the record envelope (AEAD), and commit signatures in
 * git's SSH signature format (SSHSIG).
 *
 * libsodium only; no I/O beyond the buffers a caller hands in. Every secret
 * lives in sodium_malloc'ed memory and is wiped when freed. Nothing here
 * prints or exits.
 */
#ifndef CCM_CRYPTO_H
#define CCM_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "base/base.h" /* error codes, files, UTF-8, hex and base64 */

/* ---- setup and helpers ----------------------------------------------- */

/* Initialises libsodium. Safe to call more than once. */
int ccm_crypto_init(void);

/* Fills `out` with 2*nbytes lowercase hex digits of fresh randomness and a
 * terminating NUL; `out` must hold 2*nbytes+1 bytes. */
void ccm_crypto_random_hex(char *out, size_t nbytes);

#define CCM_SIGN_PK_BYTES 32
#define CCM_BOX_PK_BYTES 32
#define CCM_KEY_BYTES 32

/* ---- identities -------------------------------------------------------- */

/* A member's key pairs: Ed25519 for signing commits and requests, X25519 for
 * receiving sealed keys. The secret halves live in sodium_malloc'ed memory. */
typedef struct ccm_identity ccm_identity;

int ccm_identity_generate(ccm_identity **out);
void ccm_identity_free(ccm_identity *id); /* NULL-safe; wipes secrets */

/* Borrowed pointers to the 32-byte public keys, valid while `id` lives. */
const uint8_t *ccm_identity_sign_pk(const ccm_identity *id);
const uint8_t *ccm_identity_box_pk(const ccm_identity *id);

/* Serialises the secret keys for storage at rest. With a passphrase
 * (pass != NULL, pass_len > 0) they are encrypted with XChaCha20-Poly1305
 * under a key derived by Argon2id (libsodium's INTERACTIVE limits, parameters
 * stored in the file). With pass == NULL the keys are stored unencrypted
 * ("--no-passphrase": the store is protected by other means). Caller frees
 * *out with free(). */
int ccm_identity_lock(uint8_t **out, size_t *out_len, const ccm_identity *id, const char *pass,
                      size_t pass_len);

/* Reverses ccm_identity_lock. CCM_EPASSPHRASE if the passphrase is wrong (or
 * missing for a protected file), CCM_EINVALID if `buf` is not an identity
 * file. */
int ccm_identity_unlock(ccm_identity **out, const uint8_t *buf, size_t len, const char *pass,
                        size_t pass_len);

/* 1 if the serialised identity needs a passphrase, 0 if not, CCM_EINVALID if
 * `buf` is not an identity file. */
int ccm_identity_needs_passphrase(const uint8_t *buf, size_t len);

/* Detached Ed25519 signature of `msg` (64 bytes into sig). */
void ccm_identity_sign(uint8_t sig[64], const ccm_identity *id, const uint8_t *msg, size_t len);

/* 0 if `sig` is a valid Ed25519 signature of msg by pk, CCM_EVERIFY if not. */
int ccm_crypto_verify(const uint8_t sig[64], const uint8_t pk[32], const uint8_t *msg, size_t len);

/* A key derived from the member's secret box key for local-only data (the
 * cache): 32 bytes into a sodium_malloc'ed buffer the caller frees with
 * ccm_secret_free. */
int ccm_identity_local_key(uint8_t **out, const ccm_identity *id, const char *purpose);

/* Frees a sodium_malloc'ed secret buffer (NULL-safe). */
void ccm_secret_free(void *secret);

/* Generic secret buffer: sodium_malloc(len), locked and guarded. */
void *ccm_secret_alloc(size_t len);

/* ---- SSH key formats ----------------------------------------------------- */

/* "ssh-ed25519 AAAA..." (OpenSSH public key line, no comment). Caller frees. */
char *ccm_ssh_pubkey_format(const uint8_t pk[32]);

/* Parses "ssh-ed25519 BASE64 [comment]"; CCM_EINVALID if malformed. */
int ccm_ssh_pubkey_parse(uint8_t pk[32], const char *text);

/* OpenSSH fingerprint "SHA256:<base64 without padding>" of an Ed25519 public
 * key; `out` must hold at least 64 bytes. */
void ccm_ssh_fingerprint(char out[64], const uint8_t pk[32]);

/* ---- SSH signatures (SSHSIG), as git's gpg.format=ssh expects ------------ */

/* Signs `msg` in the SSHSIG format (hash sha512, namespace `ns`, e.g. "git")
 * and returns the ASCII armour ("-----BEGIN SSH SIGNATURE-----\n...\n-----END
 * SSH SIGNATURE-----\n", base64 wrapped at 70 columns as ssh-keygen does).
 * Caller frees *armored. */
int ccm_sshsig_sign(char **armored, const ccm_identity *id, const char *ns, const uint8_t *msg,
                    size_t len);

/* Verifies an armoured SSHSIG over `msg` in namespace `ns` and returns the
 * signer's Ed25519 public key in `signer`. CCM_EVERIFY on any failure
 * (malformed armour, wrong namespace or algorithm, bad signature). The caller
 * decides whether the signer is allowed. */
int ccm_sshsig_verify(uint8_t signer[32], const char *armored, size_t armored_len, const char *ns,
                      const uint8_t *msg, size_t len);

/* ---- group keys ------------------------------------------------------------ */

/* The group's symmetric key material for one epoch: a 32-byte record key
 * (rotated by member removal) plus a 32-byte index key that is fixed for the
 * life of the group (it names records in the tree, so rotating it would
 * rename every record). Subkeys for encryption, synthetic nonces and paths
 * are derived with crypto_kdf. */
typedef struct ccm_groupkey ccm_groupkey;

int ccm_groupkey_generate(ccm_groupkey **out, uint32_t epoch);

/* A new epoch (epoch+1) with a fresh record key and the same index key. */
int ccm_groupkey_rotate(ccm_groupkey **out, const ccm_groupkey *prev);

uint32_t ccm_groupkey_epoch(const ccm_groupkey *gk);
void ccm_groupkey_free(ccm_groupkey *gk); /* NULL-safe; wipes */

/* Seals the group key (epoch, record key, index key) to a member's X25519
 * public key (crypto_box_seal). Caller frees *out with free(). */
int ccm_groupkey_seal(uint8_t **out, size_t *out_len, const ccm_groupkey *gk,
                      const uint8_t box_pk[32]);

/* Opens a sealed group key with the member's identity. CCM_EDENIED if it was
 * not sealed to this member, CCM_EVERIFY if malformed. */
int ccm_groupkey_open(ccm_groupkey **out, const uint8_t *buf, size_t len, const ccm_identity *id);

/* A public commitment to a group key (BLAKE2b-256 of a fixed label, the
 * epoch and both keys): published in the roster, so that a member can check
 * that the key an admin sealed to them is the group's, and replicas can tell
 * two keys of one epoch apart. Reveals nothing of the key. */
#define CCM_KEY_COMMITMENT_BYTES 32
void ccm_groupkey_commitment(uint8_t out[CCM_KEY_COMMITMENT_BYTES], const ccm_groupkey *gk);

/* The size of every sealed group key (ccm_groupkey_seal's output). */
size_t ccm_groupkey_sealed_size(void);

/* The tree name of a record: 64 lowercase hex digits of a BLAKE2b-256 keyed
 * by the index key over "<kind>\0<id>". Reveals neither kind nor id. */
void ccm_groupkey_record_name(char out[65], const ccm_groupkey *gk, const char *kind,
                              const char *id);

/* ---- record envelope ------------------------------------------------------- */

/* Envelope layout (all integers big-endian):
 *   byte    version (1)
 *   u32     key epoch
 *   byte[24] nonce
 *   byte[]  XChaCha20-Poly1305 ciphertext + 16-byte tag
 * Associated data: "ccmsync-record" NUL version epoch identity, where
 * `identity` names the record (e.g. "state\0LAO"), so a ciphertext cannot be
 * moved to another record or replayed under another epoch.
 * The nonce is synthetic: BLAKE2b keyed by a nonce subkey over identity and
 * plaintext, so equal (record, plaintext) pairs encrypt identically (replicas
 * that join to the same record write the same blob) and nothing else
 * repeats. */
#define CCM_ENVELOPE_VERSION 1
#define CCM_ENVELOPE_HEADER 29 /* 1 + 4 + 24 */

int ccm_envelope_seal(uint8_t **out, size_t *out_len, const ccm_groupkey *gk,
                      const uint8_t *identity, size_t identity_len, const uint8_t *pt,
                      size_t pt_len);

/* Reads the epoch of an envelope without decrypting it. CCM_EVERIFY if the
 * buffer is not a version-1 envelope; *epoch is then 0. */
int ccm_envelope_epoch(uint32_t *epoch, const uint8_t *env, size_t len);

/* Decrypts an envelope. CCM_EVERIFY if it is malformed, tampered with, bound
 * to another identity, or of another epoch than gk's. Caller frees *pt with
 * free(); *pt is NUL-terminated for convenience (not counted in pt_len). */
int ccm_envelope_open(uint8_t **pt, size_t *pt_len, const ccm_groupkey *gk, const uint8_t *identity,
                      size_t identity_len, const uint8_t *env, size_t len);

/* ---- local secret files (the cache) ----------------------------------------- */

/* Authenticated encryption of local-only data under a 32-byte local key
 * (XChaCha20-Poly1305, random nonce, `ad` bound). Caller frees *out. */
int ccm_local_seal(uint8_t **out, size_t *out_len, const uint8_t key[32], const char *ad,
                   const uint8_t *pt, size_t pt_len);
int ccm_local_open(uint8_t **pt, size_t *pt_len, const uint8_t key[32], const char *ad,
                   const uint8_t *ct, size_t ct_len);

/* ---- notes (crypto/notekey.c) ------------------------------------------------ */

/* Bytes of a sealed note key (crypto_box_seal of 32 bytes), before base64. */
#define CCM_NOTEKEY_CAPSULE_BYTES (48 + 32)

/* A fresh random note key (32 bytes, sodium_malloc'ed; ccm_secret_free). */
int ccm_notekey_generate(uint8_t **key);

/* The note key sealed to a recipient's X25519 key, as base64 (caller frees). */
int ccm_notekey_seal(char **capsule, const uint8_t key[32], const uint8_t box_pk[32]);

/* Opens a capsule with the member's identity: CCM_EDENIED if it was sealed
 * to someone else, CCM_EVERIFY if malformed. *key as from generate. */
int ccm_notekey_open(uint8_t **key, const char *capsule, const ccm_identity *id);

/* Encrypts/decrypts a note's payload under its key, bound to the note id;
 * the sealed form is base64. CCM_EVERIFY if it does not decrypt. */
int ccm_note_seal(char **out, const uint8_t key[32], const char *note_id, const uint8_t *pt,
                  size_t len);
int ccm_note_open(uint8_t **pt, size_t *len, const uint8_t key[32], const char *note_id,
                  const char *sealed);

/* ---- join requests (crypto/request.c) ------------------------------------ */

/* The one-line join request of a member:
 * "ccmsync-join-1 NAME SIGN_PK BOX_PK SIG" (base64 keys, SIG an Ed25519
 * signature of the line before it). Caller frees *out. */
int ccm_request_format(char **out, const ccm_identity *id, const char *name);

/* Parses and checks a join request: CCM_EINVALID if malformed, CCM_EVERIFY
 * if the signature does not verify. name receives at most 64 bytes + NUL;
 * the caller validates it as a member name. */
int ccm_request_parse(char name[65], uint8_t sign_pk[32], uint8_t box_pk[32], const char *line);

#endif
