/*
 * test_sshsig.c - OpenSSH public key lines, fingerprints and SSHSIG: the
 * exact wire layout and strict rejection of malformed or foreign signatures.
 * Interoperability with ssh-keygen and git is in test_sshsig_interop.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "crypto/crypto.h"

#define MSG "tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n\nhello\n"
#define MSG_LEN (sizeof(MSG) - 1)
#define BEGIN "-----BEGIN SSH SIGNATURE-----\n"
#define END "-----END SSH SIGNATURE-----\n"

static ccm_identity *ident;

static int setup(void **state)
{
    (void)state;
    return ccm_crypto_init() || ccm_identity_generate(&ident);
}

static int teardown(void **state)
{
    (void)state;
    ccm_identity_free(ident);
    return 0;
}

/* ---- helpers: signatures ---- */

/* Signs into the caller's *arm (freed by the caller). The pointer is the
 * caller's own variable: a local of this helper, whose address escapes to
 * ccm_sshsig_sign, makes gcc 12 at -O2 take the returned pointer for one to
 * that local once inlined (-Wdangling-pointer). */
static void sign(char **arm, const char *ns, const char *msg, size_t len)
{
    *arm = NULL;
    assert_int_equal(ccm_sshsig_sign(arm, ident, ns, (const uint8_t *)msg, len), CCM_OK);
}

static int verify(uint8_t signer[32], const char *arm, const char *ns)
{
    return ccm_sshsig_verify(signer, arm, strlen(arm), ns, (const uint8_t *)MSG, MSG_LEN);
}

/* Decodes the body of an armoured signature; returns its length. */
static size_t dearmor(uint8_t *out, size_t cap, const char *arm)
{
    char b64[4096];
    size_t k = 0;
    const char *p = arm + strlen(BEGIN), *stop = strstr(arm, END);
    for (; p < stop; p++) {
        if (*p != '\n') {
            b64[k++] = *p;
        }
    }
    long n = ccm_base64_decode(out, cap, b64, k);
    assert_true(n > 0);
    return (size_t)n;
}

/* Armours `len` bytes of `blob` (one long base64 line); caller frees. */
static char *rearmor(const uint8_t *blob, size_t len)
{
    char *b64 = ccm_base64_encode(blob, len);
    char *arm = malloc(strlen(b64) + sizeof(BEGIN) + sizeof(END) + 1);
    sprintf(arm, "%s%s\n%s", BEGIN, b64, END);
    free(b64);
    return arm;
}

static uint8_t *w_str(uint8_t *p, const void *s, size_t n)
{
    p[0] = (uint8_t)(n >> 24);
    p[1] = (uint8_t)(n >> 16);
    p[2] = (uint8_t)(n >> 8);
    p[3] = (uint8_t)n;
    memcpy(p + 4, s, n);
    return p + 4 + n;
}

/* Builds a signature blob by the letter of PROTOCOL.sshsig with the given
 * fields, correctly signed by `ident`; returns its length. */
static size_t build_blob(uint8_t *out, uint32_t version, const char *ktype, const char *ns,
                         const char *reserved, const char *alg)
{
    uint8_t tbs[512], inner[256], pkb[128], hash[64], sig[64], *p = tbs;
    int sha256 = strcmp(alg, "sha256") == 0;
    if (sha256) {
        crypto_hash_sha256(hash, (const uint8_t *)MSG, MSG_LEN);
    } else {
        crypto_hash_sha512(hash, (const uint8_t *)MSG, MSG_LEN);
    }
    memcpy(p, "SSHSIG", 6);
    p = w_str(p + 6, ns, strlen(ns));
    p = w_str(p, reserved, strlen(reserved));
    p = w_str(p, alg, strlen(alg));
    p = w_str(p, hash, sha256 ? 32 : 64);
    ccm_identity_sign(sig, ident, tbs, (size_t)(p - tbs));
    uint8_t *k = w_str(pkb, ktype, strlen(ktype));
    k = w_str(k, ccm_identity_sign_pk(ident), 32);
    uint8_t *s = w_str(inner, ktype, strlen(ktype));
    s = w_str(s, sig, 64);
    p = out;
    memcpy(p, "SSHSIG", 6);
    p[6] = (uint8_t)(version >> 24);
    p[7] = (uint8_t)(version >> 16);
    p[8] = (uint8_t)(version >> 8);
    p[9] = (uint8_t)version;
    p = w_str(p + 10, pkb, (size_t)(k - pkb));
    p = w_str(p, ns, strlen(ns));
    p = w_str(p, reserved, strlen(reserved));
    p = w_str(p, alg, strlen(alg));
    p = w_str(p, inner, (size_t)(s - inner));
    return (size_t)(p - out);
}

/* ---- public key lines and fingerprints ---- */

static void test_ssh_pubkey__format_and_parse_round_trip(void **state)
{
    (void)state;
    uint8_t pk[32];
    char line[256];
    char *s = ccm_ssh_pubkey_format(ccm_identity_sign_pk(ident));
    assert_non_null(s);
    assert_memory_equal(s, "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI", 37);
    assert_int_equal(strlen(s), 12 + 68);
    assert_int_equal(ccm_ssh_pubkey_parse(pk, s), CCM_OK);
    assert_memory_equal(pk, ccm_identity_sign_pk(ident), 32);
    snprintf(line, sizeof(line), "  %s me@example.org\n", s);
    memset(pk, 0, 32);
    assert_int_equal(ccm_ssh_pubkey_parse(pk, line), CCM_OK);
    assert_memory_equal(pk, ccm_identity_sign_pk(ident), 32);
    free(s);
}

static void test_ssh_pubkey__parse_rejects_malformed_lines(void **state)
{
    (void)state;
    uint8_t pk[32], blob[64], *p;
    char *s = ccm_ssh_pubkey_format(ccm_identity_sign_pk(ident)), line[256];
    static const char *const bad[] = {
        "",
        "ssh-ed25519",
        "ssh-ed25519 ",
        "ssh-ed25519 !!!!",
        "ssh-rsa AAAAB3NzaC1yc2E=",
        "ssh-ed25519AAAAC3NzaC1lZDI1NTE5AAAAI",
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(ccm_ssh_pubkey_parse(pk, bad[i]), CCM_EINVALID);
    }
    /* right outer type, base64 of a blob truncated by 3 bytes */
    snprintf(line, sizeof(line), "%.*s", (int)strlen(s) - 4, s);
    assert_int_equal(ccm_ssh_pubkey_parse(pk, line), CCM_EINVALID);
    /* right outer type, wrong type inside the blob */
    p = w_str(blob, "ssh-ed25518", 11);
    p = w_str(p, ccm_identity_sign_pk(ident), 32);
    char *b64 = ccm_base64_encode(blob, (size_t)(p - blob));
    snprintf(line, sizeof(line), "ssh-ed25519 %s", b64);
    assert_int_equal(ccm_ssh_pubkey_parse(pk, line), CCM_EINVALID);
    free(b64);
    free(s);
}

static void test_ssh_fingerprint__has_openssh_shape(void **state)
{
    (void)state;
    char fp[64];
    ccm_ssh_fingerprint(fp, ccm_identity_sign_pk(ident));
    assert_memory_equal(fp, "SHA256:", 7);
    assert_int_equal(strlen(fp), 7 + 43);
    assert_null(strchr(fp, '='));
}

/* ---- signing and verifying ---- */

static void test_sshsig__round_trips_and_names_the_signer(void **state)
{
    (void)state;
    uint8_t signer[32] = {0};
    char *arm = NULL;
    sign(&arm, "git", MSG, MSG_LEN);
    assert_int_equal(verify(signer, arm, "git"), CCM_OK);
    assert_memory_equal(signer, ccm_identity_sign_pk(ident), 32);
    free(arm);
}

static void test_sshsig__blob_follows_protocol_layout(void **state)
{
    (void)state;
    uint8_t want[1024], got[1024];
    size_t want_len = build_blob(want, 1, "ssh-ed25519", "git", "", "sha512");
    char *arm = NULL;
    sign(&arm, "git", MSG, MSG_LEN);
    size_t got_len = dearmor(got, sizeof(got), arm);
    assert_int_equal(got_len, want_len); /* Ed25519 is deterministic */
    assert_memory_equal(got, want, want_len);
    free(arm);
}

static void test_sshsig__armour_is_wrapped_like_ssh_keygen(void **state)
{
    (void)state;
    char *arm = NULL;
    sign(&arm, "git", MSG, MSG_LEN);
    size_t n = strlen(arm);
    assert_memory_equal(arm, BEGIN, strlen(BEGIN));
    assert_string_equal(arm + n - strlen(END), END);
    assert_int_equal(arm[n - strlen(END) - 1], '\n');
    const char *line = arm + strlen(BEGIN), *stop = arm + n - strlen(END);
    while (line < stop) {
        const char *nl = strchr(line, '\n');
        size_t len = (size_t)(nl - line);
        assert_true(len > 0 && len <= 70);
        if (nl + 1 < stop) {
            assert_int_equal(len, 70);
        }
        line = nl + 1;
    }
    free(arm);
}

static void test_sshsig__verify_tolerates_crlf_and_surrounding_whitespace(void **state)
{
    (void)state;
    uint8_t signer[32];
    char *arm = NULL, crlf[2048], *q = crlf;
    sign(&arm, "git", MSG, MSG_LEN);
    q += sprintf(q, " \n\t\r\n");
    for (const char *p = arm; *p; p++) {
        if (*p == '\n') {
            *q++ = '\r';
        }
        *q++ = *p;
    }
    sprintf(q, "\r\n\n  ");
    assert_int_equal(verify(signer, crlf, "git"), CCM_OK);
    free(arm);
}

static void test_sshsig__rejects_wrong_namespace(void **state)
{
    (void)state;
    uint8_t signer[32];
    char *arm = NULL;
    sign(&arm, "file", MSG, MSG_LEN);
    assert_int_equal(verify(signer, arm, "git"), CCM_EVERIFY);
    assert_non_null(strstr(ccm_error_last(), "namespace"));
    assert_int_equal(verify(signer, arm, "gi"), CCM_EVERIFY);
    assert_int_equal(verify(signer, arm, "file"), CCM_OK);
    free(arm);
}

static void test_sshsig__rejects_wrong_message(void **state)
{
    (void)state;
    uint8_t signer[32];
    char *arm = NULL;
    sign(&arm, "git", MSG "x", MSG_LEN + 1);
    assert_int_equal(verify(signer, arm, "git"), CCM_EVERIFY);
    free(arm);
    sign(&arm, "git", MSG, MSG_LEN - 1);
    assert_int_equal(verify(signer, arm, "git"), CCM_EVERIFY);
    free(arm);
}

static void test_sshsig__rejects_every_flipped_blob_byte(void **state)
{
    (void)state;
    uint8_t blob[1024], signer[32];
    char *arm = NULL;
    sign(&arm, "git", MSG, MSG_LEN);
    size_t n = dearmor(blob, sizeof(blob), arm);
    static const uint8_t masks[] = {0x01, 0x80, 0xff};
    for (size_t i = 0; i < n; i++) {
        for (size_t m = 0; m < sizeof(masks); m++) {
            blob[i] ^= masks[m];
            char *bad = rearmor(blob, n);
            if (verify(signer, bad, "git") != CCM_EVERIFY) {
                fail_msg("flipping byte %zu with %#x was accepted", i, masks[m]);
            }
            free(bad);
            blob[i] ^= masks[m];
        }
    }
    char *good = rearmor(blob, n);
    assert_int_equal(verify(signer, good, "git"), CCM_OK);
    free(good);
    free(arm);
}

static void test_sshsig__rejects_truncated_or_extended_blobs(void **state)
{
    (void)state;
    uint8_t blob[1024], signer[32];
    char *arm = NULL;
    sign(&arm, "git", MSG, MSG_LEN);
    size_t n = dearmor(blob, sizeof(blob), arm);
    for (size_t k = 0; k < n; k++) {
        char *bad = rearmor(blob, k);
        assert_int_equal(verify(signer, bad, "git"), CCM_EVERIFY);
        free(bad);
    }
    blob[n] = 0;
    char *longer = rearmor(blob, n + 1);
    assert_int_equal(verify(signer, longer, "git"), CCM_EVERIFY);
    free(longer);
    free(arm);
}

static void test_sshsig__rejects_every_truncated_armour(void **state)
{
    (void)state;
    uint8_t signer[32];
    char *arm = NULL;
    sign(&arm, "git", MSG, MSG_LEN);
    size_t n = strlen(arm);
    for (size_t k = 0; k + 1 < n; k++) { /* dropping only the final newline is fine */
        char *cut = malloc(k ? k : 1);   /* exact size, not NUL-terminated */
        memcpy(cut, arm, k);
        assert_int_equal(ccm_sshsig_verify(signer, cut, k, "git", (const uint8_t *)MSG, MSG_LEN),
                         CCM_EVERIFY);
        free(cut);
    }
    assert_int_equal(ccm_sshsig_verify(signer, arm, n - 1, "git", (const uint8_t *)MSG, MSG_LEN),
                     CCM_OK);
    free(arm);
}

static void test_sshsig__rejects_malformed_armour(void **state)
{
    (void)state;
    uint8_t signer[32];
    char *arm = NULL, buf[2048];
    sign(&arm, "git", MSG, MSG_LEN);
    static const char *const bad[] = {
        "", "hello", BEGIN END, BEGIN "U1NIU0lH\n", BEGIN "U1NI\n" END, "x" BEGIN "U1NIU0lH\n" END};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(verify(signer, bad[i], "git"), CCM_EVERIFY);
    }
    snprintf(buf, sizeof(buf), "%sjunk\n", arm); /* data after the end line */
    assert_int_equal(verify(signer, buf, "git"), CCM_EVERIFY);
    snprintf(buf, sizeof(buf), "%s", arm);
    buf[strlen(BEGIN) + 10] = '*'; /* not base64 */
    assert_int_equal(verify(signer, buf, "git"), CCM_EVERIFY);
    free(arm);
}

static void test_sshsig__rejects_other_versions_algorithms_and_key_types(void **state)
{
    (void)state;
    uint8_t blob[1024], signer[32];
    struct {
        uint32_t version;
        const char *ktype, *reserved, *alg;
    } bad[] = {
        {2, "ssh-ed25519", "", "sha512"},
        {0, "ssh-ed25519", "", "sha512"},
        {1, "ssh-ed25519", "", "sha256"},
        {1, "ssh-ed25519", "x", "sha512"},
        {1, "sk-ssh-ed25519@openssh.com", "", "sha512"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        size_t n =
            build_blob(blob, bad[i].version, bad[i].ktype, "git", bad[i].reserved, bad[i].alg);
        char *arm = rearmor(blob, n);
        assert_int_equal(verify(signer, arm, "git"), CCM_EVERIFY);
        free(arm);
    }
    size_t n = build_blob(blob, 1, "ssh-ed25519", "git", "", "sha512"); /* control */
    char *arm = rearmor(blob, n);
    assert_int_equal(verify(signer, arm, "git"), CCM_OK);
    free(arm);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ssh_pubkey__format_and_parse_round_trip),
        cmocka_unit_test(test_ssh_pubkey__parse_rejects_malformed_lines),
        cmocka_unit_test(test_ssh_fingerprint__has_openssh_shape),
        cmocka_unit_test(test_sshsig__round_trips_and_names_the_signer),
        cmocka_unit_test(test_sshsig__blob_follows_protocol_layout),
        cmocka_unit_test(test_sshsig__armour_is_wrapped_like_ssh_keygen),
        cmocka_unit_test(test_sshsig__verify_tolerates_crlf_and_surrounding_whitespace),
        cmocka_unit_test(test_sshsig__rejects_wrong_namespace),
        cmocka_unit_test(test_sshsig__rejects_wrong_message),
        cmocka_unit_test(test_sshsig__rejects_every_flipped_blob_byte),
        cmocka_unit_test(test_sshsig__rejects_truncated_or_extended_blobs),
        cmocka_unit_test(test_sshsig__rejects_every_truncated_armour),
        cmocka_unit_test(test_sshsig__rejects_malformed_armour),
        cmocka_unit_test(test_sshsig__rejects_other_versions_algorithms_and_key_types),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
