/*
 * test_url.c - remote URLs (sync/url.c, connect.c): the scp-like form git
 * accepts for ssh and what stays a local path, ssh:// URLs with user and
 * port, the ssh:// URL handed to libgit2, URLs refused when added (a
 * password, malformed), and the answer of `git credential fill`.
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

static void test_url__scp_like_form_is_ssh_and_paths_stay_paths(void **state)
{
    const char *scp[] = {"me@hub:srv/ccm.git", "hub:ccm.git",        "hub:/srv/ccm.git",
                         "me@[::1]:ccm.git",   "[hub:2222]:ccm.git", "git@forge.example:org/ccm"};
    const char *local[] = {"/media/usb/ccm.git",  "./a:b",       "../x:y", "dir/a:b", "ccm.git",
                           "file:///srv/ccm.git", "ssh://hub/x", ":x"};

    (void)state;
    for (size_t i = 0; i < sizeof(scp) / sizeof(*scp); i++) {
        assert_true(ccm_url_is_scp(scp[i]));
        assert_false(ccm_sync_is_local(scp[i]));
    }
    for (size_t i = 0; i < sizeof(local) / sizeof(*local); i++) {
        assert_false(ccm_url_is_scp(local[i]));
    }
    assert_true(ccm_sync_is_local("/media/usb/ccm.git"));
    assert_true(ccm_sync_is_local("dir/a:b"));
    assert_false(ccm_sync_is_local("https://forge.example/org/ccm.git"));
}

static void test_url__parts_of_scp_like_urls(void **state)
{
    ccm_url u;

    (void)state;
    assert_int_equal(ccm_url_parse(&u, "me@hub:srv/ccm.git"), 0);
    assert_string_equal(u.scheme, "ssh");
    assert_string_equal(u.user, "me");
    assert_string_equal(u.host, "hub");
    assert_int_equal(u.port, 0);
    assert_string_equal(u.path, "srv/ccm.git");
    assert_int_equal(u.scp, 1);
    ccm_url_free(&u);

    assert_int_equal(ccm_url_parse(&u, "[hub.example:2222]:/srv/ccm.git"), 0);
    assert_null(u.user);
    assert_string_equal(u.host, "hub.example");
    assert_int_equal(u.port, 2222);
    assert_string_equal(u.path, "/srv/ccm.git");
    ccm_url_free(&u);

    assert_int_equal(ccm_url_parse(&u, "me@[::1]:ccm.git"), 0);
    assert_string_equal(u.host, "::1");
    assert_int_equal(u.port, 0);
    ccm_url_free(&u);

    assert_int_equal(ccm_url_parse(&u, "me@hub:"), -1); /* no path */
    assert_int_equal(ccm_url_parse(&u, "@hub:x"), 0);
    assert_string_equal(u.user, "");
    ccm_url_free(&u);
}

static void test_url__parts_of_ssh_and_https_urls(void **state)
{
    ccm_url u;

    (void)state;
    assert_int_equal(ccm_url_parse(&u, "ssh://me@127.0.0.1:2222/srv/ccm.git"), 0);
    assert_string_equal(u.scheme, "ssh");
    assert_string_equal(u.user, "me");
    assert_string_equal(u.host, "127.0.0.1");
    assert_int_equal(u.port, 2222);
    assert_string_equal(u.path, "/srv/ccm.git");
    assert_int_equal(u.scp, 0);
    ccm_url_free(&u);

    assert_int_equal(ccm_url_parse(&u, "GIT+SSH://hub/x"), 0);
    assert_string_equal(u.scheme, "ssh");
    assert_null(u.user);
    ccm_url_free(&u);

    assert_int_equal(ccm_url_parse(&u, "https://a%40b:p%3Ass@forge.example/org/ccm.git"), 0);
    assert_string_equal(u.scheme, "https");
    assert_string_equal(u.user, "a@b");
    assert_string_equal(u.password, "p:ss");
    assert_string_equal(u.host, "forge.example");
    assert_string_equal(u.path, "/org/ccm.git");
    ccm_url_free(&u);

    assert_int_equal(ccm_url_parse(&u, "ssh://[::1]:22/x"), 0);
    assert_string_equal(u.host, "::1");
    assert_int_equal(u.port, 22);
    ccm_url_free(&u);

    const char *bad[] = {"ssh://hub:0/x",  "ssh://hub:70000/x", "ssh://hub:2x/x",   "ssh:///x",
                         "ssh://me@/x",    "https://a%zz@h/x",  "https://a%00@h/x", "ssh://hub/a b",
                         "ssh://hub/a\nb", "ssh://[::1/x"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
        assert_int_equal(ccm_url_parse(&u, bad[i]), -1);
    }
}

static void test_url__the_ssh_url_handed_to_libgit2(void **state)
{
    char *s;

    (void)state;
    s = ccm_url_ssh_format("me", "127.0.0.1", 2222, "/srv/ccm.git", 0);
    assert_string_equal(s, "ssh://me@127.0.0.1:2222/srv/ccm.git");
    free(s);
    s = ccm_url_ssh_format("me", "hub.example", 22, "srv/ccm.git", 1);
    assert_string_equal(s, "ssh://me@hub.example/~/srv/ccm.git"); /* under the home */
    free(s);
    s = ccm_url_ssh_format("me", "hub.example", 22, "~/ccm.git", 1);
    assert_string_equal(s, "ssh://me@hub.example/~/ccm.git");
    free(s);
    s = ccm_url_ssh_format("me", "hub.example", 2200, "/srv/ccm.git", 1);
    assert_string_equal(s, "ssh://me@hub.example:2200/srv/ccm.git");
    free(s);
    s = ccm_url_ssh_format("a@b c", "::1", 0, "/x", 0);
    assert_string_equal(s, "ssh://a%40b%20c@[::1]/x");
    free(s);
}

static void test_url__urls_refused_when_added(void **state)
{
    (void)state;
    assert_int_equal(ccm_sync_url_check("https://me:secret@forge.example/ccm.git"), CCM_EINVALID);
    assert_null(strstr(ccm_error_last(), "secret")); /* never repeated */
    assert_non_null(strstr(ccm_error_last(), "credential helper"));
    assert_int_equal(ccm_sync_url_check("ssh://hub:99999/x"), CCM_EINVALID);
    assert_non_null(strstr(ccm_error_last(), "malformed remote URL"));
    assert_int_equal(ccm_sync_url_check("https://me@forge.example/ccm.git"), CCM_OK);
    assert_int_equal(ccm_sync_url_check("me@hub:ccm.git"), CCM_OK);
    assert_int_equal(ccm_sync_url_check("/media/usb/ccm.git"), CCM_OK);
}

static void test_url__git_credential_fill_answer(void **state)
{
    char *user = NULL, *pass = NULL;
    const char *answer = "protocol=https\nhost=h\nusername=alice\npassword=s3 cr=et\n";

    (void)state;
    assert_int_equal(ccm_credential_parse(&user, &pass, answer, strlen(answer)), 0);
    assert_string_equal(user, "alice");
    assert_string_equal(pass, "s3 cr=et");
    ccm_secret_free(user);
    ccm_secret_free(pass);
    /* the last line may lack its newline; a missing password is no answer */
    assert_int_equal(ccm_credential_parse(&user, &pass, "username=a\npassword=b", 21), 0);
    assert_string_equal(pass, "b");
    ccm_secret_free(user);
    ccm_secret_free(pass);
    assert_int_equal(ccm_credential_parse(&user, &pass, "username=a\n", 11), -1);
    assert_null(user);
    assert_null(pass);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_url__scp_like_form_is_ssh_and_paths_stay_paths),
        cmocka_unit_test(test_url__parts_of_scp_like_urls),
        cmocka_unit_test(test_url__parts_of_ssh_and_https_urls),
        cmocka_unit_test(test_url__the_ssh_url_handed_to_libgit2),
        cmocka_unit_test(test_url__urls_refused_when_added),
        cmocka_unit_test(test_url__git_credential_fill_answer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
