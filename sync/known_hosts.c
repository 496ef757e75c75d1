/*
 * known_hosts.c - OpenSSH known_hosts files, read to judge an ssh server's
 * host key: plain host patterns (comma-separated, * and ?, ! to exclude),
 * hashed names ("|1|salt|hash": HMAC-SHA1 of the name under the salt, as
 * ssh-keygen -H writes them), "[host]:port" for servers off port 22, and
 * the @revoked marker (@cert-authority lines are skipped: ccmsync checks
 * plain keys only).
 *
 * The verdict for a key offered by a host: it matches an entry; the host
 * has an entry of the same key type with another key (changed: a possible
 * man in the middle); the host is known only with keys of other types; or
 * the host is unknown. A revoked key is refused whatever else matches.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../store/store_private.h" /* SHA-1 and the pack writer: until store/odb/ */
#include "sync_private.h"

void ccm_known_hosts_name(char *out, size_t cap, const char *host, int port)
{
    if (port > 0 && port != 22) {
        snprintf(out, cap, "[%s]:%d", host, port);
    } else {
        snprintf(out, cap, "%s", host);
    }
}

int ccm_ssh_key_type(char *out, size_t cap, const uint8_t *key, size_t len)
{
    uint32_t n;

    if (len < 4) {
        return -1;
    }
    n = (uint32_t)key[0] << 24 | (uint32_t)key[1] << 16 | (uint32_t)key[2] << 8 | key[3];
    if (n == 0 || n > len - 4 || n >= cap || memchr(key + 4, 0, n)) {
        return -1;
    }
    memcpy(out, key + 4, n);
    out[n] = 0;
    return 0;
}

const char *ccm_ssh_key_type_label(const char *type)
{
    if (strcmp(type, "ssh-ed25519") == 0) {
        return "ED25519";
    }
    if (strncmp(type, "ecdsa-sha2-", 11) == 0) {
        return "ECDSA";
    }
    if (strcmp(type, "ssh-rsa") == 0) {
        return "RSA";
    }
    if (strcmp(type, "ssh-dss") == 0) {
        return "DSA";
    }
    return type;
}

void ccm_ssh_key_fingerprint(char *out, size_t cap, const uint8_t *key, size_t len)
{
    uint8_t h[crypto_hash_sha256_BYTES];
    char b64[sodium_base64_ENCODED_LEN(crypto_hash_sha256_BYTES,
                                       sodium_base64_VARIANT_ORIGINAL_NO_PADDING)];

    crypto_hash_sha256(h, key, len);
    sodium_bin2base64(b64, sizeof(b64), h, sizeof(h), sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
    snprintf(out, cap, "SHA256:%s", b64);
}

/* HMAC-SHA1 (RFC 2104) with a key of at most 64 bytes. */
static void hmac_sha1(uint8_t out[20], const uint8_t *key, size_t klen, const char *msg,
                      size_t mlen)
{
    uint8_t pad[64], inner[20];
    ccm_sha1 c;

    for (int round = 0; round < 2; round++) {
        memset(pad, round ? 0x5c : 0x36, sizeof(pad));
        for (size_t i = 0; i < klen && i < sizeof(pad); i++) {
            pad[i] ^= key[i];
        }
        ccm_sha1_init(&c);
        ccm_sha1_update(&c, pad, sizeof(pad));
        if (round == 0) {
            ccm_sha1_update(&c, msg, mlen);
            ccm_sha1_final(&c, inner);
        } else {
            ccm_sha1_update(&c, inner, sizeof(inner));
            ccm_sha1_final(&c, out);
        }
    }
}

/* A "|1|salt|hash" field names `name`. */
static int hashed_matches(const char *field, const char *name)
{
    const char *salt = field + 3, *bar = strchr(salt, '|');
    uint8_t s[64], h[64], mac[20];
    long sn, hn;

    if (!bar) {
        return 0;
    }
    sn = ccm_base64_decode(s, sizeof(s), salt, (size_t)(bar - salt));
    hn = ccm_base64_decode(h, sizeof(h), bar + 1, strlen(bar + 1));
    if (sn <= 0 || hn != 20) {
        return 0;
    }
    hmac_sha1(mac, s, (size_t)sn, name, strlen(name));
    return sodium_memcmp(mac, h, 20) == 0;
}

/* The host field (patterns or a hashed name) names `name`. */
static int host_field_matches(char *field, const char *name)
{
    char *pats[64], *save = NULL;
    size_t n = 0;

    if (strncmp(field, "|1|", 3) == 0) {
        return hashed_matches(field, name);
    }
    for (char *p = strtok_r(field, ",", &save); p && n < 64; p = strtok_r(NULL, ",", &save)) {
        pats[n++] = p;
    }
    return ccm_ssh_patterns_match(name, pats, n);
}

static void add_type(ccm_kh_result *r, const char *type)
{
    const char *label = ccm_ssh_key_type_label(type);
    size_t used = strlen(r->types);

    if (strstr(r->types, label)) {
        return;
    }
    snprintf(r->types + used, sizeof(r->types) - used, "%s%s", used ? ", " : "", label);
}

static void note(ccm_kh_result *r, int status, const char *file, int line)
{
    if (status > r->status) {
        r->status = status;
        if (status == CCM_KH_CHANGED || status == CCM_KH_REVOKED) {
            snprintf(r->where, sizeof(r->where), "%s line %d", file, line);
        }
    }
}

void ccm_known_hosts_check(ccm_kh_result *r, const char *text, size_t len, const char *file,
                           const char *name, const uint8_t *key, size_t key_len)
{
    char *copy = strndup(text, len), *line, *next;
    char offered[128];
    int lineno = 0;

    if (!copy || ccm_ssh_key_type(offered, sizeof(offered), key, key_len) < 0) {
        free(copy);
        return;
    }
    for (line = copy; line; line = next) {
        char *f[4] = {NULL}, *save = NULL, type[128];
        uint8_t *blob = NULL;
        long blen;
        int revoked = 0, nf = 0;

        next = strchr(line, '\n');
        if (next) {
            *next++ = 0;
        }
        lineno++;
        line[strcspn(line, "\r")] = 0;
        for (char *p = strtok_r(line, " \t", &save); p && nf < 4;
             p = strtok_r(NULL, " \t", &save)) {
            f[nf++] = p;
        }
        if (nf == 0 || f[0][0] == '#') {
            continue;
        }
        if (f[0][0] == '@') {
            if (strcmp(f[0], "@revoked") != 0) {
                continue; /* @cert-authority, or a marker we do not know */
            }
            revoked = 1;
            memmove(f, f + 1, 3 * sizeof(*f));
            f[3] = NULL;
            nf--;
        }
        if (nf < 3 || !(blob = malloc(strlen(f[2]) + 1))) {
            continue;
        }
        blen = ccm_base64_decode(blob, strlen(f[2]) + 1, f[2], strlen(f[2]));
        if (blen > 0 && ccm_ssh_key_type(type, sizeof(type), blob, (size_t)blen) == 0 &&
            host_field_matches(f[0], name)) {
            int same = (size_t)blen == key_len && memcmp(blob, key, key_len) == 0;
            if (revoked) {
                if (same) {
                    note(r, CCM_KH_REVOKED, file, lineno);
                }
            } else if (strcmp(type, offered) != 0) {
                add_type(r, type);
                note(r, CCM_KH_OTHER_TYPE, file, lineno);
            } else {
                note(r, same ? CCM_KH_MATCH : CCM_KH_CHANGED, file, lineno);
            }
        }
        free(blob);
    }
    free(copy);
}
