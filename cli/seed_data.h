/*
 * seed_data.h - the data of `ccmsync seed` (cli/seed_data.json), embedded
 * at build time by cmake/embed.cmake.
 */
#ifndef CCM_CLI_SEED_DATA_H
#define CCM_CLI_SEED_DATA_H

#include <stddef.h>

/* The bytes of cli/seed_data.json, NUL-terminated; the length without the
 * NUL. */
extern const unsigned char ccm_seed_data[];
extern const size_t ccm_seed_data_len;

#endif
