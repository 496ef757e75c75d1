/*
 * request.c - the one-line join request a newcomer hands to an admin:
 *
 *   ccmsync-join-1 NAME SIGN_PK BOX_PK SIG
 *
 * SIGN_PK and BOX_PK are the base64 of the member's Ed25519 and X25519
 * public keys and SIG the base64 of an Ed25519 signature, by SIGN_PK, of
 * "ccmsync-join-1 NAME SIGN_PK BOX_PK": it proves that whoever asks holds the
 * signing key and binds the box key to it, so the line cannot be altered in
 * transit without detection (who the person is remains for the admin to
 * check, e.g. by comparing fingerprints).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"

#define REQUEST_TAG "ccmsync-join-1"
#define REQUEST_MAX 512

int ccm_request_format(char **out, const ccm_identity *id, const char *name)
{
    char *sign = ccm_base64_encode(ccm_identity_sign_pk(id), CCM_SIGN_PK_BYTES);
    char *box = ccm_base64_encode(ccm_identity_box_pk(id), CCM_BOX_PK_BYTES);
    char *sigb = NULL, *line = NULL;
    uint8_t sig[64];
    int rc = CCM_OK;
    size_t cap;

    *out = NULL;
    if (!sign || !box || !(line = malloc(REQUEST_MAX))) {
        rc = ccm_error_set(CCM_ERROR, "out of memory");
        goto done;
    }
    snprintf(line, REQUEST_MAX, REQUEST_TAG " %s %s %s", name, sign, box);
    ccm_identity_sign(sig, id, (const uint8_t *)line, strlen(line));
    if (!(sigb = ccm_base64_encode(sig, sizeof(sig)))) {
        rc = ccm_error_set(CCM_ERROR, "out of memory");
        goto done;
    }
    cap = strlen(line);
    snprintf(line + cap, REQUEST_MAX - cap, " %s", sigb);
    *out = line;
    line = NULL;
done:
    free(line);
    free(sign);
    free(box);
    free(sigb);
    return rc;
}

int ccm_request_parse(char name[65], uint8_t sign_pk[32], uint8_t box_pk[32], const char *line)
{
    char copy[REQUEST_MAX], signed_text[REQUEST_MAX], *words[6], *save = NULL;
    uint8_t sig[64];
    size_t n = 0, len = strlen(line);
    const char *bad = "expected 'ccmsync-join-1 NAME SIGN_KEY BOX_KEY SIGNATURE', as printed "
                      "by 'ccmsync whoami --request'";

    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r' || line[len - 1] == ' ')) {
        len--;
    }
    if (len == 0 || len >= sizeof(copy)) {
        return ccm_error_set(CCM_EINVALID, "malformed join request (%s)", bad);
    }
    memcpy(copy, line, len);
    copy[len] = 0;
    for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
        if (n == 5) {
            return ccm_error_set(CCM_EINVALID, "malformed join request (%s)", bad);
        }
        words[n++] = w;
    }
    if (n != 5 || strcmp(words[0], REQUEST_TAG) != 0 || strlen(words[1]) > 64 ||
        ccm_base64_decode(sign_pk, 32, words[2], strlen(words[2])) != 32 ||
        ccm_base64_decode(box_pk, 32, words[3], strlen(words[3])) != 32 ||
        ccm_base64_decode(sig, 64, words[4], strlen(words[4])) != 64) {
        return ccm_error_set(CCM_EINVALID, "malformed join request (%s)", bad);
    }
    /* The signed text is the line up to the signature, single-spaced. */
    snprintf(signed_text, sizeof(signed_text), REQUEST_TAG " %s %s %s", words[1], words[2],
             words[3]);
    if (ccm_crypto_verify(sig, sign_pk, (const uint8_t *)signed_text, strlen(signed_text)) < 0) {
        return ccm_error_set(CCM_EVERIFY, "join request signature does not verify");
    }
    strcpy(name, words[1]);
    return CCM_OK;
}
