/*
 * fuzz_capsule.c - the small sealed and signed formats of crypto/ that come
 * from other members or from the remote, all on the same input:
 *   - a note key capsule (base64, crypto_box_seal) opened with the fixed
 *     identity, and a sealed note (base64) opened with the fixed note key;
 *   - a sealed group key (raw bytes) opened with the fixed identity;
 *   - an identity file (raw bytes) unlocked with a fixed passphrase;
 *   - an SSH signature armour verified over a fixed message;
 *   - an "ssh-ed25519 ..." public key line.
 * None may crash; each result is checked against its contract, and the
 * input sealed as a note opens back to itself.
 *
 * Argon2id cost: an identity file names its own key derivation parameters.
 * ccm_identity_unlock must refuse out-of-range ones quickly, so those files
 * go in as they are (the fuzzer's -timeout catches a slow refusal). Files
 * whose parameters are accepted but costly (up to 1 GiB and 15 passes, by
 * design) are unlocked with the cheapest parameters patched in instead, at
 * any length: same parsing, and authentication then fails.
 */
#include "fuzz_common.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

/* A protected identity file: magic[6] flags u64 opslimit u64 memlimit ... */
#define PARAMS_END 23
#define CHEAP_OPS 2ULL
#define CHEAP_MEM (64ULL * 1024)

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_setup();
    return 0;
}

static uint64_t get_u64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) {
        v = (v << 8) | p[i];
    }
    return v;
}

static void put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--) {
        p[i] = (uint8_t)v;
        v >>= 8;
    }
}

static void fuzz_identity_unlock(const uint8_t *data, size_t size)
{
    uint8_t *buf = malloc(size ? size : 1);
    ccm_identity *id = NULL;
    int rc;

    if (buf == NULL) {
        abort();
    }
    if (size > 0) {
        memcpy(buf, data, size);
    }
    if (size >= PARAMS_END && memcmp(buf, "CCMID\x01\x01", 7) == 0) {
        uint64_t ops = get_u64(buf + 7), mem = get_u64(buf + 15);
        int accepted = ops >= crypto_pwhash_OPSLIMIT_MIN && ops < 16 &&
                       mem >= crypto_pwhash_MEMLIMIT_MIN && mem <= 1024ULL * 1024 * 1024;
        if (accepted && (ops > CHEAP_OPS || mem > CHEAP_MEM)) {
            put_u64(buf + 7, crypto_pwhash_OPSLIMIT_MIN);
            put_u64(buf + 15, crypto_pwhash_MEMLIMIT_MIN);
        }
    }
    rc = ccm_identity_needs_passphrase(buf, size);
    FUZZ_CHECK(rc == 0 || rc == 1 || rc == CCM_EINVALID);
    int needs = rc;
    rc = ccm_identity_unlock(&id, buf, size, FUZZ_PASSPHRASE, strlen(FUZZ_PASSPHRASE));
    FUZZ_CHECK(rc == CCM_OK || rc == CCM_EINVALID || rc == CCM_EPASSPHRASE);
    FUZZ_CHECK((rc == CCM_OK) == (id != NULL));
    FUZZ_CHECK(needs != CCM_EINVALID || rc == CCM_EINVALID);
    if (id != NULL) {
        /* What unlocks, locks again to a file that unlocks to the same keys. */
        uint8_t *file = NULL;
        size_t len = 0;
        ccm_identity *again = NULL;
        FUZZ_CHECK(ccm_identity_lock(&file, &len, id, NULL, 0) == CCM_OK);
        FUZZ_CHECK(ccm_identity_unlock(&again, file, len, NULL, 0) == CCM_OK);
        FUZZ_CHECK(memcmp(ccm_identity_sign_pk(id), ccm_identity_sign_pk(again), 32) == 0);
        FUZZ_CHECK(memcmp(ccm_identity_box_pk(id), ccm_identity_box_pk(again), 32) == 0);
        ccm_identity_free(again);
        free(file);
    }
    /* Without a passphrase a protected file is refused before Argon2id. */
    ccm_identity_free(id);
    id = NULL;
    rc = ccm_identity_unlock(&id, buf, size, NULL, 0);
    FUZZ_CHECK(needs != 1 || rc == CCM_EPASSPHRASE);
    ccm_identity_free(id);
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const ccm_identity *me = fuzz_identity();
    char *text = fuzz_cstr(data, size), *sealed = NULL;
    uint8_t *key = NULL, *pt = NULL, signer[32], pk[32];
    ccm_groupkey *gk = NULL;
    size_t len = 0;
    int rc;

    /* A note key capsule. */
    rc = ccm_notekey_open(&key, text, me);
    FUZZ_CHECK(rc == CCM_OK || rc == CCM_EVERIFY || rc == CCM_EDENIED);
    FUZZ_CHECK((rc == CCM_OK) == (key != NULL));
    ccm_secret_free(key);

    /* A sealed note. */
    rc = ccm_note_open(&pt, &len, fuzz_notekey(), FUZZ_NOTE_ID, text);
    FUZZ_CHECK(rc == CCM_OK || rc == CCM_EVERIFY);
    FUZZ_CHECK((rc == CCM_OK) == (pt != NULL));
    if (pt != NULL) {
        FUZZ_CHECK(pt[len] == '\0');
    }
    free(pt);
    pt = NULL;

    /* The input as a note: seal, then open gives it back; another note id
     * does not open it. */
    FUZZ_CHECK(ccm_note_seal(&sealed, fuzz_notekey(), FUZZ_NOTE_ID, data, size) == CCM_OK);
    FUZZ_CHECK(ccm_note_open(&pt, &len, fuzz_notekey(), FUZZ_NOTE_ID, sealed) == CCM_OK);
    FUZZ_CHECK(len == size && (size == 0 || memcmp(pt, data, size) == 0));
    free(pt);
    pt = NULL;
    FUZZ_CHECK(ccm_note_open(&pt, &len, fuzz_notekey(), "n-other", sealed) == CCM_EVERIFY);
    FUZZ_CHECK(pt == NULL);
    free(sealed);

    /* A sealed group key. */
    rc = ccm_groupkey_open(&gk, data, size, me);
    FUZZ_CHECK(rc == CCM_OK || rc == CCM_EVERIFY || rc == CCM_EDENIED);
    FUZZ_CHECK((rc == CCM_OK) == (gk != NULL));
    if (gk != NULL) {
        char name[65];
        ccm_groupkey_record_name(name, gk, "state", "LAO");
        FUZZ_CHECK(strlen(name) == 64);
    }
    ccm_groupkey_free(gk);

    /* An identity file. */
    fuzz_identity_unlock(data, size);

    /* An SSH signature over the fixed message. */
    rc = ccm_sshsig_verify(signer, (const char *)data, size, FUZZ_SIG_NS,
                           (const uint8_t *)FUZZ_SIG_MSG, strlen(FUZZ_SIG_MSG));
    FUZZ_CHECK(rc == CCM_OK || rc == CCM_EVERIFY);
    rc = ccm_sshsig_verify(signer, text, strlen(text), "file", (const uint8_t *)FUZZ_SIG_MSG,
                           strlen(FUZZ_SIG_MSG));
    FUZZ_CHECK(rc == CCM_OK || rc == CCM_EVERIFY);

    /* An OpenSSH public key line; what parses formats back to a key line
     * that parses to the same key. */
    rc = ccm_ssh_pubkey_parse(pk, text);
    FUZZ_CHECK(rc == CCM_OK || rc == CCM_EINVALID);
    if (rc == CCM_OK) {
        uint8_t pk2[32];
        char fp[64], *line = ccm_ssh_pubkey_format(pk);
        FUZZ_CHECK(line != NULL && ccm_ssh_pubkey_parse(pk2, line) == CCM_OK);
        FUZZ_CHECK(memcmp(pk, pk2, 32) == 0);
        ccm_ssh_fingerprint(fp, pk);
        FUZZ_CHECK(strncmp(fp, "SHA256:", 7) == 0 && strlen(fp) == 50);
        free(line);
    }
    free(text);
    ccm_error_clear();
    return 0;
}
