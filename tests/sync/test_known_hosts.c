/*
 * test_known_hosts.c - judging an ssh server's host key against known_hosts
 * text (sync/known_hosts.c): plain names and patterns, names hashed by
 * ssh-keygen -H, "[host]:port" for servers off port 22, a changed key, a
 * key of another type, @revoked and @cert-authority lines, and the
 * fingerprint as ssh-keygen prints it. The keys, hashed lines and
 * fingerprints below were made by OpenSSH's ssh-keygen (the oracle).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sync/sync_private.h"

#define K1 "AAAAC3NzaC1lZDI1NTE5AAAAIIdHZYvTx0Cyj/pRQJM/MspXN4yCYrHhFTItIreLPzV9"
#define K2 "AAAAC3NzaC1lZDI1NTE5AAAAILmBQGkayv4g2cUGoXQBzZozyrRK+1YpjVIOUikGak/I"
#define K3                                                                                         \
    "AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBEGwABmJttSnEqZIzKRO4z817ZoiiFgS1MFpXMUM" \
    "55Q9lpMAnO/eALCfzVkWtfirJ+cS9Vc0RHx9Gv5TAI9ogVs="
/* ssh-keygen -H of "example.org" and "[127.0.0.1]:2222", both with K1 */
#define HASHED_EXAMPLE "|1|rkcyDjJD9rPzyqPfKIBCWOENhE0=|j8dvRMVMDTGCpjRvToovqqL5veQ="
#define HASHED_PORT "|1|tpFMwq9aXaah9d2OR6OoTMgYhHg=|ESAFVblvNTqxyPMoVV7wo6Lp/QY="

static uint8_t k1[128], k2[128], k3[256];
static size_t k1_len, k2_len, k3_len;

static int setup(void **state)
{
    (void)state;
    k1_len = (size_t)ccm_base64_decode(k1, sizeof(k1), K1, strlen(K1));
    k2_len = (size_t)ccm_base64_decode(k2, sizeof(k2), K2, strlen(K2));
    k3_len = (size_t)ccm_base64_decode(k3, sizeof(k3), K3, strlen(K3));
    return k1_len == 51 && k2_len == 51 && k3_len > 100 ? 0 : -1;
}

/* The verdict of `text` for (host, port) and the key. */
static int verdict(const char *text, const char *host, int port, const uint8_t *key, size_t len)
{
    ccm_kh_result r;
    char name[300];

    memset(&r, 0, sizeof(r));
    ccm_known_hosts_name(name, sizeof(name), host, port);
    ccm_known_hosts_check(&r, text, strlen(text), "known_hosts", name, key, len);
    return r.status;
}

static void test_known_hosts__plain_names_and_patterns_match(void **state)
{
    (void)state;
    assert_int_equal(verdict("example.org ssh-ed25519 " K1 "\n", "example.org", 22, k1, k1_len),
                     CCM_KH_MATCH);
    assert_int_equal(verdict("EXAMPLE.org ssh-ed25519 " K1, "example.org", 22, k1, k1_len),
                     CCM_KH_MATCH);
    assert_int_equal(verdict("a.org,example.org,10.0.0.1 ssh-ed25519 " K1 " comment\n",
                             "example.org", 22, k1, k1_len),
                     CCM_KH_MATCH);
    assert_int_equal(verdict("*.example.org ssh-ed25519 " K1, "hub.example.org", 22, k1, k1_len),
                     CCM_KH_MATCH);
    assert_int_equal(
        verdict("hub?.example.org ssh-ed25519 " K1, "hub1.example.org", 22, k1, k1_len),
        CCM_KH_MATCH);
    /* a negated pattern vetoes the line */
    assert_int_equal(verdict("*.example.org,!hub.example.org ssh-ed25519 " K1, "hub.example.org",
                             22, k1, k1_len),
                     CCM_KH_UNKNOWN);
    /* comments, blank lines and CRLF are fine */
    assert_int_equal(verdict("# mine\n\n  \r\nexample.org ssh-ed25519 " K1 "\r\n", "example.org",
                             22, k1, k1_len),
                     CCM_KH_MATCH);
    assert_int_equal(verdict("other.org ssh-ed25519 " K1, "example.org", 22, k1, k1_len),
                     CCM_KH_UNKNOWN);
    assert_int_equal(verdict("", "example.org", 22, k1, k1_len), CCM_KH_UNKNOWN);
}

static void test_known_hosts__hashed_names_match_their_host_only(void **state)
{
    (void)state;
    assert_int_equal(verdict(HASHED_EXAMPLE " ssh-ed25519 " K1, "example.org", 22, k1, k1_len),
                     CCM_KH_MATCH);
    assert_int_equal(verdict(HASHED_EXAMPLE " ssh-ed25519 " K1, "example.com", 22, k1, k1_len),
                     CCM_KH_UNKNOWN);
    assert_int_equal(verdict(HASHED_PORT " ssh-ed25519 " K1, "127.0.0.1", 2222, k1, k1_len),
                     CCM_KH_MATCH);
    assert_int_equal(verdict(HASHED_PORT " ssh-ed25519 " K1, "127.0.0.1", 22, k1, k1_len),
                     CCM_KH_UNKNOWN);
    /* hashed, and the key changed */
    assert_int_equal(verdict(HASHED_EXAMPLE " ssh-ed25519 " K1, "example.org", 22, k2, k2_len),
                     CCM_KH_CHANGED);
    /* malformed hashes never match */
    assert_int_equal(
        verdict("|1|rkcyDjJD9rPzyqPfKIBCWOENhE0= ssh-ed25519 " K1, "example.org", 22, k1, k1_len),
        CCM_KH_UNKNOWN);
    assert_int_equal(verdict("|1|!!|!! ssh-ed25519 " K1, "example.org", 22, k1, k1_len),
                     CCM_KH_UNKNOWN);
}

static void test_known_hosts__a_port_other_than_22_needs_the_bracket_form(void **state)
{
    char name[64];

    (void)state;
    ccm_known_hosts_name(name, sizeof(name), "127.0.0.1", 2222);
    assert_string_equal(name, "[127.0.0.1]:2222");
    ccm_known_hosts_name(name, sizeof(name), "127.0.0.1", 22);
    assert_string_equal(name, "127.0.0.1");
    assert_int_equal(verdict("[127.0.0.1]:2222 ssh-ed25519 " K1, "127.0.0.1", 2222, k1, k1_len),
                     CCM_KH_MATCH);
    assert_int_equal(verdict("127.0.0.1 ssh-ed25519 " K1, "127.0.0.1", 2222, k1, k1_len),
                     CCM_KH_UNKNOWN);
    assert_int_equal(verdict("[127.0.0.1]:2222 ssh-ed25519 " K1, "127.0.0.1", 22, k1, k1_len),
                     CCM_KH_UNKNOWN);
    assert_int_equal(verdict("[127.0.0.1]:* ssh-ed25519 " K1, "127.0.0.1", 2200, k1, k1_len),
                     CCM_KH_MATCH);
}

static void test_known_hosts__changed_key_is_not_unknown(void **state)
{
    ccm_kh_result r;
    const char *text = "a.org ssh-ed25519 " K2 "\nexample.org ssh-ed25519 " K2 "\n";

    (void)state;
    memset(&r, 0, sizeof(r));
    ccm_known_hosts_check(&r, text, strlen(text), "/home/u/.ssh/known_hosts", "example.org", k1,
                          k1_len);
    assert_int_equal(r.status, CCM_KH_CHANGED);
    assert_string_equal(r.where, "/home/u/.ssh/known_hosts line 2");
    /* a matching entry elsewhere wins over a stale one, as in ssh */
    ccm_known_hosts_check(&r, "example.org ssh-ed25519 " K1, strlen("example.org ssh-ed25519 " K1),
                          "/etc/ssh/ssh_known_hosts", "example.org", k1, k1_len);
    assert_int_equal(r.status, CCM_KH_MATCH);
}

static void test_known_hosts__a_key_of_another_type_is_reported_as_such(void **state)
{
    ccm_kh_result r;
    const char *text = "example.org ecdsa-sha2-nistp256 " K3 "\n";

    (void)state;
    memset(&r, 0, sizeof(r));
    ccm_known_hosts_check(&r, text, strlen(text), "kh", "example.org", k1, k1_len);
    assert_int_equal(r.status, CCM_KH_OTHER_TYPE);
    assert_string_equal(r.types, "ECDSA");
    /* the ecdsa key itself matches */
    assert_int_equal(verdict(text, "example.org", 22, k3, k3_len), CCM_KH_MATCH);
}

static void test_known_hosts__revoked_keys_are_refused_and_ca_lines_skipped(void **state)
{
    (void)state;
    assert_int_equal(verdict("@revoked * ssh-ed25519 " K1 "\nexample.org ssh-ed25519 " K1,
                             "example.org", 22, k1, k1_len),
                     CCM_KH_REVOKED);
    assert_int_equal(verdict("@revoked * ssh-ed25519 " K2 "\nexample.org ssh-ed25519 " K1,
                             "example.org", 22, k1, k1_len),
                     CCM_KH_MATCH);
    assert_int_equal(
        verdict("@cert-authority *.org ssh-ed25519 " K1, "example.org", 22, k1, k1_len),
        CCM_KH_UNKNOWN);
    /* garbage lines are skipped, not fatal */
    assert_int_equal(verdict("example.org\nexample.org ssh-ed25519 !!!\n@bogus x y z\n"
                             "example.org ssh-ed25519 " K1,
                             "example.org", 22, k1, k1_len),
                     CCM_KH_MATCH);
}

static void test_known_hosts__fingerprints_and_labels_as_ssh_keygen_prints_them(void **state)
{
    char fp[64], type[64];

    (void)state;
    ccm_ssh_key_fingerprint(fp, sizeof(fp), k1, k1_len);
    assert_string_equal(fp, "SHA256:3t66LXVFjaeZyvENAQE360mCMAcBvINSLdiyd3CduF0");
    ccm_ssh_key_fingerprint(fp, sizeof(fp), k3, k3_len);
    assert_string_equal(fp, "SHA256:C7Ixl+ti88wHDusgfM6C8GkVczCyyDt03Q0PboF/zQ4");
    assert_int_equal(ccm_ssh_key_type(type, sizeof(type), k3, k3_len), 0);
    assert_string_equal(type, "ecdsa-sha2-nistp256");
    assert_string_equal(ccm_ssh_key_type_label(type), "ECDSA");
    assert_string_equal(ccm_ssh_key_type_label("ssh-ed25519"), "ED25519");
    assert_int_equal(ccm_ssh_key_type(type, sizeof(type), k1, 3), -1);
    assert_int_equal(ccm_ssh_key_type(type, 5, k1, k1_len), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_hosts__plain_names_and_patterns_match),
        cmocka_unit_test(test_known_hosts__hashed_names_match_their_host_only),
        cmocka_unit_test(test_known_hosts__a_port_other_than_22_needs_the_bracket_form),
        cmocka_unit_test(test_known_hosts__changed_key_is_not_unknown),
        cmocka_unit_test(test_known_hosts__a_key_of_another_type_is_reported_as_such),
        cmocka_unit_test(test_known_hosts__revoked_keys_are_refused_and_ca_lines_skipped),
        cmocka_unit_test(test_known_hosts__fingerprints_and_labels_as_ssh_keygen_prints_them),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
