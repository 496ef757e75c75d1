/*
 * test_ssh_config.c - resolving an ssh remote's host through ~/.ssh/config
 * text (sync/ssh_config.c): Host blocks with patterns and negations, the
 * first value winning, IdentityFile accumulating, "Key=value", quotes,
 * Match, Include, the URL's user and port over the config's, defaults, and
 * ~ and %-tokens.
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
#include "tests/support/tmpdir.h"

/* Resolves alias through config text as ssh would with "ssh [user@]alias". */
static void resolve(ccm_ssh_host *h, const char *text, const char *alias, const char *url_user,
                    int url_port)
{
    memset(h, 0, sizeof(*h));
    assert_int_equal(ccm_ssh_config_parse(h, text, strlen(text), "config", alias, "/home/me/.ssh",
                                          "/home/me", 0),
                     CCM_OK);
    assert_int_equal(ccm_ssh_host_finish(h, alias, url_user, url_port, "/home/me", "me"), CCM_OK);
}

static const char *config = "# my servers\n"
                            "Host hub hub-backup\n"
                            "    HostName ccm.example.org\n"
                            "    User git\n"
                            "    Port 2222\n"
                            "    IdentityFile ~/.ssh/ccm_ed25519\n"
                            "\n"
                            "Host *.example.org !secret.example.org\n"
                            "    User web\n"
                            "    IdentityFile %d/.ssh/%r@%h\n"
                            "\n"
                            "Host *\n"
                            "    User fallback\n"
                            "    Port 2200\n"
                            "    IdentityFile ~/.ssh/all\n";

static void test_ssh_config__an_alias_gives_host_user_port_and_keys(void **state)
{
    ccm_ssh_host h;

    (void)state;
    resolve(&h, config, "hub", NULL, 0);
    assert_string_equal(h.hostname, "ccm.example.org");
    assert_string_equal(h.user, "git");
    assert_int_equal(h.port, 2222); /* the first value obtained wins */
    assert_int_equal(h.identity.n, 2);
    assert_string_equal(h.identity.v[0], "/home/me/.ssh/ccm_ed25519");
    assert_string_equal(h.identity.v[1], "/home/me/.ssh/all");
    assert_int_equal(h.user_known_hosts.n, 2);
    assert_string_equal(h.user_known_hosts.v[0], "/home/me/.ssh/known_hosts");
    assert_string_equal(h.global_known_hosts.v[0], "/etc/ssh/ssh_known_hosts");
    ccm_ssh_host_free(&h);

    resolve(&h, config, "hub-backup", NULL, 0);
    assert_string_equal(h.hostname, "ccm.example.org");
    ccm_ssh_host_free(&h);
}

static void test_ssh_config__patterns_negations_and_tokens(void **state)
{
    ccm_ssh_host h;

    (void)state;
    resolve(&h, config, "www.example.org", NULL, 0);
    assert_string_equal(h.hostname, "www.example.org"); /* no HostName: the name itself */
    assert_string_equal(h.user, "web");
    assert_int_equal(h.port, 2200);
    assert_string_equal(h.identity.v[0], "/home/me/.ssh/web@www.example.org");
    ccm_ssh_host_free(&h);

    resolve(&h, config, "secret.example.org", NULL, 0);
    assert_string_equal(h.user, "fallback"); /* the negated pattern vetoes the block */
    ccm_ssh_host_free(&h);

    assert_true(ccm_ssh_pattern_match("HUB1.example.org", "hub?.EXAMPLE.org"));
    assert_true(ccm_ssh_pattern_match("a.b.c", "*.c"));
    assert_true(ccm_ssh_pattern_match("abc", "a*b*c"));
    assert_false(ccm_ssh_pattern_match("ab", "a?b"));
    assert_false(ccm_ssh_pattern_match("abcd", "a*c"));
}

static void test_ssh_config__the_urls_user_and_port_win(void **state)
{
    ccm_ssh_host h;

    (void)state;
    resolve(&h, config, "hub", "alice", 2022);
    assert_string_equal(h.user, "alice");
    assert_int_equal(h.port, 2022);
    ccm_ssh_host_free(&h);
}

static void test_ssh_config__no_entry_gives_ssh_defaults(void **state)
{
    ccm_ssh_host h;

    (void)state;
    resolve(&h, "", "10.1.2.3", NULL, 0);
    assert_string_equal(h.hostname, "10.1.2.3");
    assert_string_equal(h.user, "me");
    assert_int_equal(h.port, 22);
    assert_int_equal(h.identity.n, 3);
    assert_string_equal(h.identity.v[0], "/home/me/.ssh/id_ed25519");
    assert_string_equal(h.identity.v[1], "/home/me/.ssh/id_ecdsa");
    assert_string_equal(h.identity.v[2], "/home/me/.ssh/id_rsa");
    assert_int_equal(h.identities_only, 0);
    ccm_ssh_host_free(&h);
}

static void test_ssh_config__syntax_variants(void **state)
{
    ccm_ssh_host h;
    const char *text = "Host=hub\n"
                       "  hostname = \"ccm server.example.org\"\r\n"
                       "  PORT=2022 # trailing comment\n"
                       "\tIdentitiesOnly yes\n"
                       "  IdentityFile \"~/.ssh/my key\"\n"
                       "  UserKnownHostsFile ~/.ssh/hub_hosts /dev/null\n"
                       "  GlobalKnownHostsFile none\n"
                       "  HostKeyAlias ccm-hub\n"
                       "  HostName %h.other\n"
                       "  ProxyJump nobody\n";

    (void)state;
    resolve(&h, text, "hub", NULL, 0);
    assert_string_equal(h.hostname, "ccm server.example.org");
    assert_int_equal(h.port, 2022);
    assert_int_equal(h.identities_only, 1);
    assert_string_equal(h.identity.v[0], "/home/me/.ssh/my key");
    assert_int_equal(h.user_known_hosts.n, 2);
    assert_string_equal(h.user_known_hosts.v[0], "/home/me/.ssh/hub_hosts");
    assert_int_equal(h.global_known_hosts.n, 0);
    assert_string_equal(h.host_key_alias, "ccm-hub");
    ccm_ssh_host_free(&h);

    /* %h in HostName is the name given */
    resolve(&h, "Host hub\n HostName %h.example.org\n", "hub", NULL, 0);
    assert_string_equal(h.hostname, "hub.example.org");
    ccm_ssh_host_free(&h);
}

static void test_ssh_config__match_blocks_apply_only_when_all(void **state)
{
    ccm_ssh_host h;

    (void)state;
    resolve(&h, "Match host hub exec false\n User no\nMatch all\n User yes\n", "hub", NULL, 0);
    assert_string_equal(h.user, "yes");
    ccm_ssh_host_free(&h);
}

static void test_ssh_config__bad_lines_are_refused(void **state)
{
    ccm_ssh_host h;
    const char *bad[] = {"Host hub\n Port 99999\n", "Host hub\n Port x\n",
                         "Host hub\n HostName \"unterminated\n"};

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
        memset(&h, 0, sizeof(h));
        assert_int_equal(
            ccm_ssh_config_parse(&h, bad[i], strlen(bad[i]), "cfg", "hub", "/x", "/home/me", 0),
            CCM_EINVALID);
        assert_non_null(strstr(ccm_error_last(), "cfg line 2"));
        ccm_ssh_host_free(&h);
    }
    /* values in a block that does not apply are not read */
    memset(&h, 0, sizeof(h));
    assert_int_equal(
        ccm_ssh_config_parse(&h, "Host other\n Port x\n", 19, "cfg", "hub", "/x", "/home/me", 0),
        CCM_OK);
    ccm_ssh_host_free(&h);
    /* unknown tokens */
    memset(&h, 0, sizeof(h));
    assert_int_equal(
        ccm_ssh_config_parse(&h, "IdentityFile ~/%Z\n", 18, "cfg", "hub", "/x", "/home/me", 0),
        CCM_OK);
    assert_int_equal(ccm_ssh_host_finish(&h, "hub", NULL, 0, "/home/me", "me"), CCM_EINVALID);
    ccm_ssh_host_free(&h);
}

static void test_ssh_config__include_reads_other_files_in_place(void **state)
{
    char dir[512], path[700], top[1200];
    FILE *f;
    ccm_ssh_host h;

    (void)state;
    ccm_test_mkdtemp(dir, sizeof(dir), "sshcfg");
    snprintf(path, sizeof(path), "%s/conf.d", dir);
    assert_int_equal(ccm_mkdir_p(path), CCM_OK);
    snprintf(path, sizeof(path), "%s/conf.d/hub.conf", dir);
    assert_non_null(f = fopen(path, "w"));
    fputs("Host hub\n  HostName included.example.org\n  Port 2201\n", f);
    fclose(f);
    snprintf(top, sizeof(top), "Host other\n  Include conf.d/*.conf\nHost *\n  Port 9\n");
    /* an Include inside a block that does not apply reads nothing */
    memset(&h, 0, sizeof(h));
    assert_int_equal(ccm_ssh_config_parse(&h, top, strlen(top), "cfg", "hub", dir, "/h", 0), 0);
    assert_null(h.hostname);
    assert_int_equal(h.port, 9);
    ccm_ssh_host_free(&h);
    snprintf(top, sizeof(top), "Include conf.d/*.conf\nHost *\n  Port 9\n");
    memset(&h, 0, sizeof(h));
    assert_int_equal(ccm_ssh_config_parse(&h, top, strlen(top), "cfg", "hub", dir, "/h", 0), 0);
    assert_string_equal(h.hostname, "included.example.org");
    assert_int_equal(h.port, 2201);
    ccm_ssh_host_free(&h);
    /* a file including itself stops */
    snprintf(path, sizeof(path), "%s/loop", dir);
    assert_non_null(f = fopen(path, "w"));
    fputs("Include loop\n", f);
    fclose(f);
    memset(&h, 0, sizeof(h));
    assert_int_equal(ccm_ssh_config_load(&h, path, "hub", dir, "/h", 0), CCM_EINVALID);
    ccm_ssh_host_free(&h);
    /* a missing file is no error */
    snprintf(path, sizeof(path), "%s/none", dir);
    memset(&h, 0, sizeof(h));
    assert_int_equal(ccm_ssh_config_load(&h, path, "hub", dir, "/h", 0), CCM_OK);
    ccm_ssh_host_free(&h);
    ccm_test_rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ssh_config__an_alias_gives_host_user_port_and_keys),
        cmocka_unit_test(test_ssh_config__patterns_negations_and_tokens),
        cmocka_unit_test(test_ssh_config__the_urls_user_and_port_win),
        cmocka_unit_test(test_ssh_config__no_entry_gives_ssh_defaults),
        cmocka_unit_test(test_ssh_config__syntax_variants),
        cmocka_unit_test(test_ssh_config__match_blocks_apply_only_when_all),
        cmocka_unit_test(test_ssh_config__bad_lines_are_refused),
        cmocka_unit_test(test_ssh_config__include_reads_other_files_in_place),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
