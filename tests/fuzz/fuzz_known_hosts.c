/*
 * fuzz_known_hosts.c - what ccmsync parses on its way to an ssh server
 * (sync/known_hosts.c, sync/ssh_config.c, sync/url.c): the host key blob the
 * server sends (untrusted), and known_hosts and ssh config text (the user's,
 * but written by hand and by tools ccmsync does not control).
 *
 * The input is a key blob, a 0xff byte, then text used as a known_hosts
 * file, as an ssh config and as a remote URL. Invariants: the verdict is
 * one of the five; a matching key's type parses; a config that parses
 * finishes with a host name, a user and a port in range; a URL that parses
 * has a host unless it is a path. The seeds in corpus/known_hosts/ are
 * written by hand (the key and hashed line of tests/sync/test_known_hosts.c).
 */
#include "fuzz_common.h"

#include <stdlib.h>
#include <string.h>

#include "sync/sync_private.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_setup();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *sep = memchr(data, 0xff, size);
    const uint8_t *key = data;
    size_t key_len = sep ? (size_t)(sep - data) : 0;
    const char *text = sep ? (const char *)sep + 1 : (const char *)data;
    size_t len = sep ? size - key_len - 1 : size;
    char type[128], name[300], *url = NULL;
    ccm_kh_result r;
    ccm_ssh_host h;
    ccm_url u;

    memset(&r, 0, sizeof(r));
    ccm_known_hosts_name(name, sizeof(name), "hub.example.org", 2222);
    ccm_known_hosts_check(&r, text, len, "fuzz", name, key, key_len);
    FUZZ_CHECK(r.status >= CCM_KH_UNKNOWN && r.status <= CCM_KH_REVOKED);
    if (r.status == CCM_KH_MATCH || r.status == CCM_KH_CHANGED) {
        FUZZ_CHECK(ccm_ssh_key_type(type, sizeof(type), key, key_len) == 0);
    }

    memset(&h, 0, sizeof(h));
    if (ccm_ssh_config_parse(&h, text, len, "fuzz", "hub", "/nonexistent", "/home/me", 0) ==
            CCM_OK &&
        ccm_ssh_host_finish(&h, "hub", NULL, 0, "/home/me", "me") == CCM_OK) {
        FUZZ_CHECK(h.hostname && h.user && h.port >= 1 && h.port <= 65535);
    }
    ccm_ssh_host_free(&h);
    ccm_error_clear();

    if ((url = strndup(text, len)) && ccm_url_parse(&u, url) == 0) {
        FUZZ_CHECK(u.path && (!u.scheme || strcmp(u.scheme, "file") == 0 || (u.host && *u.host)));
        ccm_url_free(&u);
    }
    free(url);
    return 0;
}
