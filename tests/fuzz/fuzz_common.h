/*
 * fuzz_common.h - what the libFuzzer targets of tests/fuzz share: the
 * entry-point prototypes (the build uses -Wmissing-prototypes -Werror), an
 * invariant check that traps, and fixed key material so that every process
 * (and the seed generator, gen_corpus.c) sees the same identity, group key
 * and note key. The keys are test constants, never used outside tests/fuzz.
 */
#ifndef CCM_FUZZ_COMMON_H
#define CCM_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "crypto/crypto.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An invariant of the code under test: report it and trap (libFuzzer then
 * saves the input as a crash). */
#define FUZZ_CHECK(cond)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz invariant violated: %s (%s:%d)\n", #cond, __FILE__, __LINE__);   \
            __builtin_trap();                                                                      \
        }                                                                                          \
    } while (0)

/* The record identity the envelope target binds to ("state" NUL "LAO"). */
#define FUZZ_RECORD_IDENTITY "state\0LAO"
#define FUZZ_RECORD_IDENTITY_LEN 9
#define FUZZ_OTHER_IDENTITY "state\0LBR"
#define FUZZ_OTHER_IDENTITY_LEN 9

/* The passphrase of protected identity files, the note id of sealed notes,
 * and the namespace and message of SSH signatures in the capsule target. */
#define FUZZ_PASSPHRASE "fuzz-passphrase"
#define FUZZ_NOTE_ID "n-0123456789abcdef"
#define FUZZ_SIG_NS "git"
#define FUZZ_SIG_MSG "tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nccmsync\n"

/* Sets up libsodium and the fixed keys; aborts on failure. Idempotent. */
void fuzz_setup(void);

/* The fixed identity (its plain identity file is fuzz_identity_file), the
 * group key of epoch 1 sealed to it, and a 32-byte note key. */
const ccm_identity *fuzz_identity(void);
const ccm_groupkey *fuzz_groupkey(void);
const uint8_t *fuzz_notekey(void);

/* The plain (unprotected) identity file of fuzz_identity, 71 bytes. */
size_t fuzz_identity_file(uint8_t out[71]);

/* The sealed group key (crypto_box_seal to fuzz_identity), 116 bytes. */
extern const uint8_t fuzz_sealed_groupkey[116];

/* A NUL-terminated copy of the input (malloc'ed; aborts on OOM). */
char *fuzz_cstr(const uint8_t *data, size_t size);

#endif
