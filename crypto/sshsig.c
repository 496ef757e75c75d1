/*
 * sshsig.c - OpenSSH key formats and SSH signatures (SSHSIG), the format
 * git writes and checks with gpg.format=ssh (see OpenSSH PROTOCOL.sshsig).
 *
 * Wire strings are a u32 big-endian length followed by that many bytes.
 *   public key blob = string "ssh-ed25519" || string pk[32]
 *   signed data     = "SSHSIG" || string namespace || string reserved ("")
 *                     || string "sha512" || string SHA512(message)
 *   signature blob  = "SSHSIG" || u32 1 || string public key blob
 *                     || string namespace || string reserved ("")
 *                     || string "sha512"
 *                     || string (string "ssh-ed25519" || string sig[64])
 * The signature blob travels as base64 between BEGIN/END SSH SIGNATURE
 * lines, wrapped at 70 columns. Everything read by the verifier is untrusted
 * and is bounds-checked field by field; only version 1, ssh-ed25519 and
 * sha512 are accepted.
 */
#include "crypto_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#define KEY_TYPE "ssh-ed25519"
#define HASH_ALG "sha512"
#define SIG_MAGIC "SSHSIG"
#define SIG_MAGIC_LEN 6
#define BLOB_LEN (4 + 11 + 4 + 32)
#define ARMOR_BEGIN "-----BEGIN SSH SIGNATURE-----"
#define ARMOR_END "-----END SSH SIGNATURE-----"
#define ARMOR_WRAP 70

/* A growable output buffer; `oom` sticks once an allocation failed. */
struct wbuf {
    uint8_t *p;
    size_t len, cap;
    int oom;
};

static void w_bytes(struct wbuf *b, const void *data, size_t n)
{
    if (b->oom) {
        return;
    }
    if (n > b->cap - b->len) {
        size_t cap = b->cap ? b->cap : 128;
        while (cap - b->len < n) {
            cap *= 2;
        }
        uint8_t *p = realloc(b->p, cap);
        if (p == NULL) {
            b->oom = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, data, n);
    b->len += n;
}

static void w_u32(struct wbuf *b, uint32_t v)
{
    uint8_t be[4];
    ccm_put_be32(be, v);
    w_bytes(b, be, 4);
}

static void w_string(struct wbuf *b, const void *data, size_t n)
{
    w_u32(b, (uint32_t)n);
    w_bytes(b, data, n);
}

/* A cursor over untrusted bytes: each read checks the remaining length and
 * returns 0 on success, -1 if the input is too short. */
struct rbuf {
    const uint8_t *p;
    size_t left;
};

static int r_bytes(struct rbuf *r, const uint8_t **data, size_t n)
{
    if (n > r->left) {
        return -1;
    }
    *data = r->p;
    r->p += n;
    r->left -= n;
    return 0;
}

static int r_string(struct rbuf *r, const uint8_t **data, size_t *n)
{
    const uint8_t *be;
    if (r_bytes(r, &be, 4) != 0) {
        return -1;
    }
    *n = ccm_get_be32(be);
    return r_bytes(r, data, *n);
}

/* 1 if the n bytes at `data` are exactly the C string `s`. */
static int str_eq(const uint8_t *data, size_t n, const char *s)
{
    return n == strlen(s) && memcmp(data, s, n) == 0;
}

static void pubkey_blob(uint8_t blob[BLOB_LEN], const uint8_t pk[32])
{
    ccm_put_be32(blob, 11);
    memcpy(blob + 4, KEY_TYPE, 11);
    ccm_put_be32(blob + 15, 32);
    memcpy(blob + 19, pk, 32);
}

/* Extracts the Ed25519 key from a public key blob; -1 unless the blob is
 * exactly string "ssh-ed25519" || string pk[32]. */
static int pubkey_unblob(uint8_t pk[32], const uint8_t *blob, size_t len)
{
    struct rbuf r = {blob, len};
    const uint8_t *type, *key;
    size_t type_len, key_len;

    if (r_string(&r, &type, &type_len) != 0 || !str_eq(type, type_len, KEY_TYPE) ||
        r_string(&r, &key, &key_len) != 0 || key_len != 32 || r.left != 0) {
        return -1;
    }
    memcpy(pk, key, 32);
    return 0;
}

char *ccm_ssh_pubkey_format(const uint8_t pk[32])
{
    uint8_t blob[BLOB_LEN];
    pubkey_blob(blob, pk);
    char *b64 = ccm_base64_encode(blob, sizeof(blob));
    size_t n = b64 != NULL ? sizeof(KEY_TYPE) + strlen(b64) + 1 : 0;
    char *line = n > 0 ? malloc(n) : NULL;
    if (line != NULL) {
        snprintf(line, n, "%s %s", KEY_TYPE, b64);
    }
    free(b64);
    return line;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int ccm_ssh_pubkey_parse(uint8_t pk[32], const char *text)
{
    uint8_t blob[64];
    size_t tlen = strlen(KEY_TYPE);

    if (text == NULL) {
        return ccm_error_set(CCM_EINVALID, "malformed ssh public key");
    }
    while (is_space(*text)) {
        text++;
    }
    if (strncmp(text, KEY_TYPE, tlen) != 0 || (text[tlen] != ' ' && text[tlen] != '\t')) {
        return ccm_error_set(CCM_EINVALID, "not an ssh-ed25519 public key");
    }
    text += tlen;
    while (*text == ' ' || *text == '\t') {
        text++;
    }
    size_t n = 0;
    while (text[n] != '\0' && !is_space(text[n])) {
        n++;
    }
    long blen = ccm_base64_decode(blob, sizeof(blob), text, n);
    if (blen < 0 || pubkey_unblob(pk, blob, (size_t)blen) != 0) {
        return ccm_error_set(CCM_EINVALID, "malformed ssh-ed25519 public key");
    }
    return CCM_OK; /* anything after the key is a comment */
}

void ccm_ssh_fingerprint(char out[64], const uint8_t pk[32])
{
    uint8_t blob[BLOB_LEN], hash[crypto_hash_sha256_BYTES];
    char b64[sodium_base64_ENCODED_LEN(crypto_hash_sha256_BYTES,
                                       sodium_base64_VARIANT_ORIGINAL_NO_PADDING)];

    pubkey_blob(blob, pk);
    crypto_hash_sha256(hash, blob, sizeof(blob));
    sodium_bin2base64(b64, sizeof(b64), hash, sizeof(hash),
                      sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
    memcpy(out, "SHA256:", 7);
    memcpy(out + 7, b64, strlen(b64) + 1); /* 43 + 1 bytes: fits in 64 */
}

/* Appends the data that is actually signed (see the top of the file). */
static void signed_data(struct wbuf *b, const uint8_t *ns, size_t ns_len,
                        const uint8_t hash[crypto_hash_sha512_BYTES])
{
    w_bytes(b, SIG_MAGIC, SIG_MAGIC_LEN);
    w_string(b, ns, ns_len);
    w_string(b, "", 0);
    w_string(b, HASH_ALG, strlen(HASH_ALG));
    w_string(b, hash, crypto_hash_sha512_BYTES);
}

/* Base64 of `blob` between the armour lines, wrapped as ssh-keygen does.
 * NULL on OOM. */
static char *armor(const uint8_t *blob, size_t len)
{
    char *b64 = ccm_base64_encode(blob, len);
    if (b64 == NULL) {
        return NULL;
    }
    size_t n = strlen(b64);
    size_t cap = sizeof(ARMOR_BEGIN) + n + n / ARMOR_WRAP + 1 + sizeof(ARMOR_END) + 1;
    char *out = malloc(cap), *p = out;
    if (out != NULL) {
        memcpy(p, ARMOR_BEGIN "\n", sizeof(ARMOR_BEGIN));
        p += sizeof(ARMOR_BEGIN);
        for (size_t i = 0; i < n; i += ARMOR_WRAP) {
            size_t k = n - i < ARMOR_WRAP ? n - i : ARMOR_WRAP;
            memcpy(p, b64 + i, k);
            p += k;
            *p++ = '\n';
        }
        memcpy(p, ARMOR_END "\n", sizeof(ARMOR_END) + 1); /* with the NUL */
    }
    free(b64);
    return out;
}

int ccm_sshsig_sign(char **armored, const ccm_identity *id, const char *ns, const uint8_t *msg,
                    size_t len)
{
    int err = CCM_ERROR;
    uint8_t hash[crypto_hash_sha512_BYTES], sig[crypto_sign_BYTES], blob[BLOB_LEN];
    struct wbuf tbs = {0}, inner = {0}, out = {0};

    *armored = NULL;
    if (ns == NULL || ns[0] == '\0') {
        return ccm_error_set(CCM_EINVALID, "empty signature namespace");
    }
    crypto_hash_sha512(hash, msg, len);
    signed_data(&tbs, (const uint8_t *)ns, strlen(ns), hash);
    if (tbs.oom) {
        goto oom;
    }
    ccm_identity_sign(sig, id, tbs.p, tbs.len);

    w_string(&inner, KEY_TYPE, strlen(KEY_TYPE));
    w_string(&inner, sig, sizeof(sig));
    pubkey_blob(blob, ccm_identity_sign_pk(id));
    w_bytes(&out, SIG_MAGIC, SIG_MAGIC_LEN);
    w_u32(&out, 1);
    w_string(&out, blob, sizeof(blob));
    w_string(&out, ns, strlen(ns));
    w_string(&out, "", 0);
    w_string(&out, HASH_ALG, strlen(HASH_ALG));
    w_string(&out, inner.p, inner.len);
    if (inner.oom || out.oom || (*armored = armor(out.p, out.len)) == NULL) {
        goto oom;
    }
    err = CCM_OK;
    goto done;
oom:
    err = ccm_error_set(CCM_ERROR, "out of memory");
done:
    free(tbs.p);
    free(inner.p);
    free(out.p);
    return err;
}

/* Finds `needle` in the n bytes at `hay`; NULL if absent. */
static const char *find(const char *hay, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; k <= n && i <= n - k; i++) {
        if (memcmp(hay + i, needle, k) == 0) {
            return hay + i;
        }
    }
    return NULL;
}

/* Strips the armour (tolerating CR, blank lines and surrounding whitespace)
 * and decodes the base64 between the markers into a malloc'ed *blob.
 * CCM_EVERIFY if malformed, CCM_ERROR on OOM (error set). */
static int dearmor(uint8_t **blob, size_t *blob_len, const char *text, size_t len)
{
    const char *end = text + len;
    size_t bl = strlen(ARMOR_BEGIN);

    *blob = NULL;
    while (text < end && is_space(*text)) {
        text++;
    }
    if ((size_t)(end - text) < bl || memcmp(text, ARMOR_BEGIN, bl) != 0) {
        return ccm_error_set(CCM_EVERIFY, "ssh signature armour: missing begin line");
    }
    text += bl;
    const char *stop = find(text, (size_t)(end - text), ARMOR_END);
    if (stop == NULL) {
        return ccm_error_set(CCM_EVERIFY, "ssh signature armour: missing end line");
    }
    for (const char *p = stop + strlen(ARMOR_END); p < end; p++) {
        if (!is_space(*p)) {
            return ccm_error_set(CCM_EVERIFY, "ssh signature armour: data after end line");
        }
    }
    size_t n = (size_t)(stop - text);
    char *b64 = malloc(n + 1);
    uint8_t *out = malloc(n / 4 * 3 + 1);
    size_t k = 0;
    long dec = -1;
    if (b64 == NULL || out == NULL) {
        free(b64);
        free(out);
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        if (!is_space(text[i])) {
            b64[k++] = text[i];
        }
    }
    if (k > 0) {
        dec = ccm_base64_decode(out, n / 4 * 3 + 1, b64, k);
    }
    free(b64);
    if (dec < 0) {
        free(out);
        return ccm_error_set(CCM_EVERIFY, "ssh signature armour: invalid base64");
    }
    *blob = out;
    *blob_len = (size_t)dec;
    return CCM_OK;
}

/* Parses a decoded signature blob and checks it over `msg` in namespace
 * `ns`; on success stores the signer's key in `signer`. CCM_EVERIFY or
 * CCM_ERROR (error set). */
static int check_blob(uint8_t signer[32], const uint8_t *blob, size_t blen, const char *ns,
                      const uint8_t *msg, size_t len)
{
    struct rbuf r = {blob, blen}, rs;
    const uint8_t *p, *key, *sns, *rsv, *alg, *sigb, *type, *sig;
    size_t key_len, sns_len, rsv_len, alg_len, sigb_len, type_len, sig_len;
    uint8_t pk[32], hash[crypto_hash_sha512_BYTES];

    if (r_bytes(&r, &p, SIG_MAGIC_LEN) != 0 || memcmp(p, SIG_MAGIC, SIG_MAGIC_LEN) != 0) {
        return ccm_error_set(CCM_EVERIFY, "not an ssh signature");
    }
    if (r_bytes(&r, &p, 4) != 0 || ccm_get_be32(p) != 1) {
        return ccm_error_set(CCM_EVERIFY, "unsupported ssh signature version");
    }
    if (r_string(&r, &key, &key_len) != 0 || r_string(&r, &sns, &sns_len) != 0 ||
        r_string(&r, &rsv, &rsv_len) != 0 || r_string(&r, &alg, &alg_len) != 0 ||
        r_string(&r, &sigb, &sigb_len) != 0) {
        return ccm_error_set(CCM_EVERIFY, "truncated ssh signature");
    }
    if (r.left != 0) {
        return ccm_error_set(CCM_EVERIFY, "trailing data after ssh signature");
    }
    if (pubkey_unblob(pk, key, key_len) != 0) {
        return ccm_error_set(CCM_EVERIFY, "ssh signature key is not ssh-ed25519");
    }
    if (!str_eq(sns, sns_len, ns)) {
        return ccm_error_set(CCM_EVERIFY, "ssh signature is not for namespace '%s'", ns);
    }
    if (rsv_len != 0) {
        return ccm_error_set(CCM_EVERIFY, "ssh signature has a non-empty reserved field");
    }
    if (!str_eq(alg, alg_len, HASH_ALG)) {
        return ccm_error_set(CCM_EVERIFY, "ssh signature hash is not sha512");
    }
    rs = (struct rbuf){sigb, sigb_len};
    if (r_string(&rs, &type, &type_len) != 0 || !str_eq(type, type_len, KEY_TYPE) ||
        r_string(&rs, &sig, &sig_len) != 0 || sig_len != crypto_sign_BYTES || rs.left != 0) {
        return ccm_error_set(CCM_EVERIFY, "ssh signature is not a well-formed ssh-ed25519 one");
    }

    struct wbuf tbs = {0};
    crypto_hash_sha512(hash, msg, len);
    signed_data(&tbs, sns, sns_len, hash);
    if (tbs.oom) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    int ok = crypto_sign_verify_detached(sig, tbs.p, tbs.len, pk) == 0;
    free(tbs.p);
    if (!ok) {
        return ccm_error_set(CCM_EVERIFY, "bad ssh signature");
    }
    memcpy(signer, pk, 32);
    return CCM_OK;
}

int ccm_sshsig_verify(uint8_t signer[32], const char *armored, size_t armored_len, const char *ns,
                      const uint8_t *msg, size_t len)
{
    uint8_t *blob = NULL;
    size_t blen = 0;

    if (armored == NULL || ns == NULL || ns[0] == '\0') {
        return ccm_error_set(CCM_EVERIFY, "no ssh signature or namespace to check");
    }
    int err = dearmor(&blob, &blen, armored, armored_len);
    if (err == CCM_OK) {
        err = check_blob(signer, blob, blen, ns, msg, len);
    }
    free(blob);
    return err;
}
