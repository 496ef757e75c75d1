/*
 * fuzz_request.c - the one-line join request (crypto/request.c), which a
 * newcomer pastes to an admin: ccm_request_parse on the input as a
 * NUL-terminated string must never crash, and a name it returns is at most
 * 64 bytes. When the input could be a name (1 to 64 bytes without space or
 * NUL), a request formatted for it by the fixed identity parses back to the
 * same name and keys.
 */
#include "fuzz_common.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_setup();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *line = fuzz_cstr(data, size), *req = NULL;
    char name[65];
    uint8_t sign_pk[32], box_pk[32];
    int rc;

    memset(name, 0x5a, sizeof(name));
    rc = ccm_request_parse(name, sign_pk, box_pk, line);
    FUZZ_CHECK(rc == CCM_OK || rc == CCM_EINVALID || rc == CCM_EVERIFY);
    if (rc == CCM_OK) {
        FUZZ_CHECK(memchr(name, '\0', sizeof(name)) != NULL);
        FUZZ_CHECK(strlen(name) >= 1 && strchr(name, ' ') == NULL);
    }

    /* Round trip for a name-like input. */
    if (size >= 1 && size <= 64 && memchr(data, '\0', size) == NULL &&
        memchr(data, ' ', size) == NULL) {
        const ccm_identity *id = fuzz_identity();
        rc = ccm_request_format(&req, id, line);
        FUZZ_CHECK(rc == CCM_OK && req != NULL);
        rc = ccm_request_parse(name, sign_pk, box_pk, req);
        FUZZ_CHECK(rc == CCM_OK);
        FUZZ_CHECK(strcmp(name, line) == 0);
        FUZZ_CHECK(memcmp(sign_pk, ccm_identity_sign_pk(id), 32) == 0);
        FUZZ_CHECK(memcmp(box_pk, ccm_identity_box_pk(id), 32) == 0);
        /* Altering the name breaks the signature. */
        char *p = strchr(req, ' ') + 1;
        *p = *p == 'x' ? 'y' : 'x';
        rc = ccm_request_parse(name, sign_pk, box_pk, req);
        FUZZ_CHECK(rc == CCM_EVERIFY);
        free(req);
    }
    free(line);
    ccm_error_clear();
    return 0;
}
