/*
 * ids.c - record ids as people type them: state codes in any case (stored
 * upper case), and activity or note ids as any unique prefix of their 16 hex
 * digits (resolved through the store's cache).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define HEX_ID_LEN 16

int ccm_cli_state_id(char buf[4], const char *arg)
{
    if (strlen(arg) != 3) {
        return ccm_schema_check_state_id(arg);
    }
    for (size_t i = 0; i < 3; i++) {
        buf[i] = (char)toupper((unsigned char)arg[i]);
    }
    buf[3] = 0;
    return ccm_schema_check_state_id(buf);
}

int ccm_cli_hex_id(char **full, ccm_cli *cli, const char *kind, const char *arg)
{
    size_t n = strlen(arg);

    *full = NULL;
    if (n == 0 || n > HEX_ID_LEN || strspn(arg, "0123456789abcdef") != n) {
        return ccm_error_set(CCM_EINVALID,
                             "invalid %s id '%s' (up to %d hex digits, as printed by '%s add')",
                             kind, arg, HEX_ID_LEN, kind);
    }
    if (n == HEX_ID_LEN) {
        *full = strdup(arg);
        return *full ? CCM_OK : ccm_error_set(CCM_ERROR, "out of memory");
    }
    return ccm_store_resolve(full, cli->store, kind, arg);
}

int ccm_cli_record_arg(const char **kind, char **id, ccm_cli *cli, const char *arg)
{
    char up[4];
    int rc;

    *id = NULL;
    if (strlen(arg) == 3 && isalpha((unsigned char)arg[0]) && isalpha((unsigned char)arg[1]) &&
        isalpha((unsigned char)arg[2])) {
        if ((rc = ccm_cli_state_id(up, arg)) < 0) {
            return rc;
        }
        *kind = "state";
        *id = strdup(up);
        return *id ? CCM_OK : ccm_error_set(CCM_ERROR, "out of memory");
    }
    if (strlen(arg) == 0 || strlen(arg) > HEX_ID_LEN ||
        strspn(arg, "0123456789abcdef") != strlen(arg)) {
        return ccm_error_set(CCM_EINVALID,
                             "invalid record id '%s' (a state code such as LAO, or an activity "
                             "id)",
                             arg);
    }
    *kind = "activity";
    return ccm_cli_hex_id(id, cli, "activity", arg);
}
