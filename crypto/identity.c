/*
 * identity.c - a member's key pairs (Ed25519 to sign, X25519 to receive
 * sealed group keys) and their storage at rest.
 *
 * Serialised identity ("identity file"), all integers big-endian:
 *
 *   byte[6]  magic "CCMID\x01"
 *   byte     flags: 0 = plain, 1 = argon2id
 *   plain:
 *     byte[64] ed25519 seed (32) || x25519 secret key (32)
 *   argon2id:
 *     u64      opslimit  (Argon2id13, libsodium INTERACTIVE when written)
 *     u64      memlimit  (bytes)
 *     byte[16] salt
 *     byte[24] nonce
 *     byte[80] XChaCha20-Poly1305 (IETF) ciphertext + tag of the same 64
 *              bytes, under the Argon2id-derived key, with every header byte
 *              above (magic .. nonce) as associated data
 *
 * Public keys are not stored: they are recomputed from the secrets on
 * unlock. The parameters read back are untrusted and bounded before use, so
 * a hostile file cannot make Argon2id run for hours or allocate gigabytes.
 */
#include "crypto_private.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#define MAGIC "CCMID\x01"
#define MAGIC_LEN 6
#define FLAG_PLAIN 0
#define FLAG_ARGON2ID 1
#define SECRET_LEN 64 /* seed || x25519 sk */
#define SALT_LEN 16
#define NONCE_LEN 24
#define PLAIN_LEN (MAGIC_LEN + 1 + SECRET_LEN)
#define PROTECTED_HDR (MAGIC_LEN + 1 + 8 + 8 + SALT_LEN + NONCE_LEN)
#define PROTECTED_LEN (PROTECTED_HDR + SECRET_LEN + 16)
#define MAX_OPSLIMIT 16ULL                   /* exclusive */
#define MAX_MEMLIMIT (1024ULL * 1024 * 1024) /* inclusive */

/* The secret halves, kept together in one sodium_malloc'ed block. */
struct secrets {
    uint8_t sign_sk[crypto_sign_SECRETKEYBYTES]; /* seed || pk */
    uint8_t box_sk[crypto_box_SECRETKEYBYTES];
};

struct ccm_identity {
    uint8_t sign_pk[crypto_sign_PUBLICKEYBYTES];
    uint8_t box_pk[crypto_box_PUBLICKEYBYTES];
    struct secrets *sk; /* sodium_malloc */
};

static void put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--) {
        p[i] = (uint8_t)v;
        v >>= 8;
    }
}

static uint64_t get_u64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) {
        v = (v << 8) | p[i];
    }
    return v;
}

/* Allocates an identity with an uninitialised secret block; NULL on OOM
 * (error set). */
static ccm_identity *identity_alloc(void)
{
    ccm_identity *id = calloc(1, sizeof(*id));
    if (id == NULL) {
        ccm_error_set(CCM_ERROR, "out of memory");
        return NULL;
    }
    id->sk = ccm_secret_alloc(sizeof(*id->sk));
    if (id->sk == NULL) {
        free(id);
        ccm_error_set(CCM_ERROR, "cannot allocate secure memory");
        return NULL;
    }
    return id;
}

int ccm_identity_generate(ccm_identity **out)
{
    *out = NULL;
    ccm_identity *id = identity_alloc();
    if (id == NULL) {
        return CCM_ERROR;
    }
    crypto_sign_keypair(id->sign_pk, id->sk->sign_sk);
    crypto_box_keypair(id->box_pk, id->sk->box_sk);
    *out = id;
    return CCM_OK;
}

void ccm_identity_free(ccm_identity *id)
{
    if (id == NULL) {
        return;
    }
    ccm_secret_free(id->sk);
    free(id);
}

const uint8_t *ccm_identity_sign_pk(const ccm_identity *id)
{
    return id->sign_pk;
}

const uint8_t *ccm_identity_box_pk(const ccm_identity *id)
{
    return id->box_pk;
}

const uint8_t *ccm_identity__box_sk(const ccm_identity *id)
{
    return id->sk->box_sk;
}

/* Derives the 32-byte file key from a passphrase into `key` (secure memory).
 * CCM_ERROR if Argon2id fails (out of memory). */
static int derive_key(uint8_t *key, const char *pass, size_t pass_len, const uint8_t *salt,
                      uint64_t ops, uint64_t mem)
{
    if (crypto_pwhash(key, crypto_aead_xchacha20poly1305_ietf_KEYBYTES, pass, pass_len, salt, ops,
                      (size_t)mem, crypto_pwhash_ALG_ARGON2ID13) != 0) {
        return ccm_error_set(CCM_ERROR, "cannot derive a key from the passphrase (out of memory)");
    }
    return CCM_OK;
}

int ccm_identity_lock(uint8_t **out, size_t *out_len, const ccm_identity *id, const char *pass,
                      size_t pass_len)
{
    int err = CCM_ERROR;
    uint8_t *buf = NULL, *plain = NULL, *key = NULL;
    int protect = pass != NULL;
    size_t len = protect ? PROTECTED_LEN : PLAIN_LEN;

    *out = NULL;
    *out_len = 0;
    if (protect && pass_len == 0) {
        return ccm_error_set(CCM_EINVALID, "empty passphrase");
    }
    buf = malloc(len);
    plain = ccm_secret_alloc(SECRET_LEN);
    key = ccm_secret_alloc(crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
    if (buf == NULL || plain == NULL || key == NULL) {
        err = ccm_error_set(CCM_ERROR, "out of memory");
        goto done;
    }
    crypto_sign_ed25519_sk_to_seed(plain, id->sk->sign_sk);
    memcpy(plain + 32, id->sk->box_sk, 32);
    memcpy(buf, MAGIC, MAGIC_LEN);
    if (!protect) {
        buf[MAGIC_LEN] = FLAG_PLAIN;
        memcpy(buf + MAGIC_LEN + 1, plain, SECRET_LEN);
    } else {
        uint8_t *p = buf + MAGIC_LEN;
        uint64_t ops = crypto_pwhash_OPSLIMIT_INTERACTIVE;
        uint64_t mem = crypto_pwhash_MEMLIMIT_INTERACTIVE;
        *p++ = FLAG_ARGON2ID;
        put_u64(p, ops);
        put_u64(p + 8, mem);
        p += 16;
        uint8_t *salt = p, *nonce = p + SALT_LEN;
        randombytes_buf(salt, SALT_LEN);
        randombytes_buf(nonce, NONCE_LEN);
        err = derive_key(key, pass, pass_len, salt, ops, mem);
        if (err != CCM_OK) {
            goto done;
        }
        crypto_aead_xchacha20poly1305_ietf_encrypt(buf + PROTECTED_HDR, NULL, plain, SECRET_LEN,
                                                   buf, PROTECTED_HDR, NULL, nonce, key);
    }
    *out = buf;
    *out_len = len;
    buf = NULL;
    err = CCM_OK;
done:
    if (buf != NULL) {
        sodium_memzero(buf, len);
        free(buf);
    }
    ccm_secret_free(plain);
    ccm_secret_free(key);
    return err;
}

/* Checks magic, flags and the exact length of the format the flags name.
 * Returns the flag or CCM_EINVALID (error set). */
static int parse_kind(const uint8_t *buf, size_t len)
{
    if (buf == NULL || len < MAGIC_LEN + 1 || memcmp(buf, MAGIC, MAGIC_LEN) != 0) {
        return ccm_error_set(CCM_EINVALID, "not a ccmsync identity file");
    }
    int flags = buf[MAGIC_LEN];
    if (flags == FLAG_PLAIN && len == PLAIN_LEN) {
        return FLAG_PLAIN;
    }
    if (flags == FLAG_ARGON2ID && len == PROTECTED_LEN) {
        return FLAG_ARGON2ID;
    }
    if (flags != FLAG_PLAIN && flags != FLAG_ARGON2ID) {
        return ccm_error_set(CCM_EINVALID, "unsupported identity file format %d", flags);
    }
    return ccm_error_set(CCM_EINVALID, "truncated or oversized identity file (%zu bytes)", len);
}

int ccm_identity_needs_passphrase(const uint8_t *buf, size_t len)
{
    int kind = parse_kind(buf, len);
    if (kind < 0) {
        return kind;
    }
    return kind == FLAG_ARGON2ID;
}

/* Decrypts the secrets of a protected file into `plain` (SECRET_LEN bytes of
 * secure memory). CCM_EPASSPHRASE, CCM_EINVALID or CCM_ERROR (error set). */
static int decrypt_secrets(uint8_t *plain, const uint8_t *buf, const char *pass, size_t pass_len)
{
    const uint8_t *p = buf + MAGIC_LEN + 1;
    uint64_t ops = get_u64(p), mem = get_u64(p + 8);
    const uint8_t *salt = p + 16, *nonce = p + 16 + SALT_LEN;

    if (pass == NULL || pass_len == 0) {
        return ccm_error_set(CCM_EPASSPHRASE, "passphrase required");
    }
    if (ops < crypto_pwhash_OPSLIMIT_MIN || ops >= MAX_OPSLIMIT ||
        mem < crypto_pwhash_MEMLIMIT_MIN || mem > MAX_MEMLIMIT) {
        return ccm_error_set(CCM_EINVALID,
                             "identity file has unreasonable key derivation parameters "
                             "(opslimit %llu, memlimit %llu)",
                             (unsigned long long)ops, (unsigned long long)mem);
    }
    uint8_t *key = ccm_secret_alloc(crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
    if (key == NULL) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    int err = derive_key(key, pass, pass_len, salt, ops, mem);
    if (err == CCM_OK && crypto_aead_xchacha20poly1305_ietf_decrypt(
                             plain, NULL, NULL, buf + PROTECTED_HDR, SECRET_LEN + 16, buf,
                             PROTECTED_HDR, nonce, key) != 0) {
        err = ccm_error_set(CCM_EPASSPHRASE, "wrong passphrase");
    }
    ccm_secret_free(key);
    return err;
}

int ccm_identity_unlock(ccm_identity **out, const uint8_t *buf, size_t len, const char *pass,
                        size_t pass_len)
{
    int err = CCM_ERROR;
    uint8_t *plain = NULL;
    ccm_identity *id = NULL;

    *out = NULL;
    int kind = parse_kind(buf, len);
    if (kind < 0) {
        return kind;
    }
    plain = ccm_secret_alloc(SECRET_LEN);
    if (plain == NULL) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    if (kind == FLAG_PLAIN) {
        memcpy(plain, buf + MAGIC_LEN + 1, SECRET_LEN);
    } else if ((err = decrypt_secrets(plain, buf, pass, pass_len)) != CCM_OK) {
        goto done;
    }
    if ((id = identity_alloc()) == NULL) {
        err = CCM_ERROR;
        goto done;
    }
    crypto_sign_seed_keypair(id->sign_pk, id->sk->sign_sk, plain);
    memcpy(id->sk->box_sk, plain + 32, 32);
    crypto_scalarmult_base(id->box_pk, id->sk->box_sk);
    *out = id;
    err = CCM_OK;
done:
    ccm_secret_free(plain);
    return err;
}

void ccm_identity_sign(uint8_t sig[64], const ccm_identity *id, const uint8_t *msg, size_t len)
{
    crypto_sign_detached(sig, NULL, msg, len, id->sk->sign_sk);
}

int ccm_crypto_verify(const uint8_t sig[64], const uint8_t pk[32], const uint8_t *msg, size_t len)
{
    if (crypto_sign_verify_detached(sig, msg, len, pk) != 0) {
        return ccm_error_set(CCM_EVERIFY, "bad signature");
    }
    return CCM_OK;
}

int ccm_identity_local_key(uint8_t **out, const ccm_identity *id, const char *purpose)
{
    static const char domain[] = "ccmsync-local-key"; /* hashed with its NUL */
    crypto_generichash_state st;

    *out = NULL;
    if (purpose == NULL || purpose[0] == '\0') {
        return ccm_error_set(CCM_EINVALID, "local key needs a purpose");
    }
    uint8_t *key = ccm_secret_alloc(CCM_KEY_BYTES);
    if (key == NULL) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    /* BLAKE2b-256 keyed by the X25519 secret over domain NUL purpose. */
    crypto_generichash_init(&st, id->sk->box_sk, crypto_box_SECRETKEYBYTES, CCM_KEY_BYTES);
    crypto_generichash_update(&st, (const uint8_t *)domain, sizeof(domain));
    crypto_generichash_update(&st, (const uint8_t *)purpose, strlen(purpose));
    crypto_generichash_final(&st, key, CCM_KEY_BYTES);
    sodium_memzero(&st, sizeof(st));
    *out = key;
    return CCM_OK;
}
