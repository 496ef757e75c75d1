/*
 * test_sshsig_interop.c - SSHSIG against the stock tools: ssh-keygen -Y
 * verify accepts our signatures, we accept ssh-keygen -Y sign's, our
 * fingerprints and key lines match ssh-keygen's, and git verify-commit
 * accepts a commit we signed. Each test runs in a fresh temporary directory
 * (under $CCM_TEST_TMP, else /tmp) and is skipped only when a tool is absent.
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "crypto/crypto.h"

#define MSG "tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n\nhello\n"
#define MSG_LEN (sizeof(MSG) - 1)

static ccm_identity *ident;
static char tmpdir[1024];

static int setup(void **state)
{
    (void)state;
    return ccm_crypto_init() || ccm_identity_generate(&ident);
}

static int teardown(void **state)
{
    (void)state;
    ccm_identity_free(ident);
    return 0;
}

/* ---- helpers: temp files and tools ---- */

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(p);
}

static int make_tmpdir(void **state)
{
    (void)state;
    const char *base = getenv("CCM_TEST_TMP");
    if (base == NULL || base[0] == '\0') {
        base = "/tmp";
    }
    mkdir(base, 0700); /* may exist */
    snprintf(tmpdir, sizeof(tmpdir), "%s/ccm-sshsig-XXXXXX", base);
    return mkdtemp(tmpdir) == NULL || strchr(tmpdir, '\'') != NULL;
}

static int remove_tmpdir(void **state)
{
    (void)state;
    nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    return 0;
}

static void tpath(char out[1100], const char *name)
{
    snprintf(out, 1100, "%s/%s", tmpdir, name);
}

static void write_file(const char *name, const void *data, size_t len)
{
    char p[1100];
    tpath(p, name);
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

/* Reads a whole temp file, NUL-terminated; caller frees. */
static char *read_file(const char *name, size_t *len)
{
    char p[1100];
    tpath(p, name);
    FILE *f = fopen(p, "rb");
    assert_non_null(f);
    char *buf = calloc(1, 65536);
    *len = fread(buf, 1, 65535, f);
    fclose(f);
    return buf;
}

/* Runs a shell command (in the temp dir) and returns its exit status. */
__attribute__((format(printf, 1, 2))) static int run(const char *fmt, ...)
{
    char cmd[8192];
    int n = snprintf(cmd, sizeof(cmd), "cd '%s' && ", tmpdir);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd + n, sizeof(cmd) - (size_t)n, fmt, ap);
    va_end(ap);
    int rc = system(cmd);
    return rc != -1 && WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static void need_tool(const char *tool)
{
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", tool);
    if (system(cmd) != 0) {
        skip();
    }
}

static char *sign(const char *ns, const char *msg, size_t len)
{
    char *arm = NULL;
    assert_int_equal(ccm_sshsig_sign(&arm, ident, ns, (const uint8_t *)msg, len), CCM_OK);
    return arm;
}

/* ---- interoperability with stock tools ---- */

static void write_allowed_signers(void)
{
    char *key = ccm_ssh_pubkey_format(ccm_identity_sign_pk(ident)), line[256];
    int n = snprintf(line, sizeof(line), "principal@example.org %s\n", key);
    write_file("allowed", line, (size_t)n);
    free(key);
}

static void test_sshsig__ssh_keygen_verifies_our_signature(void **state)
{
    (void)state;
    need_tool("ssh-keygen");
    char *arm = sign("git", MSG, MSG_LEN);
    write_file("msg", MSG, MSG_LEN);
    write_file("msg.sig", arm, strlen(arm));
    write_allowed_signers();
    assert_int_equal(run("ssh-keygen -Y verify -f allowed -I principal@example.org -n git "
                         "-s msg.sig < msg > out 2>&1"),
                     0);
    /* and the same command does fail when it should */
    write_file("other", MSG "x", MSG_LEN + 1);
    assert_int_not_equal(run("ssh-keygen -Y verify -f allowed -I principal@example.org -n git "
                             "-s msg.sig < other > out 2>&1"),
                         0);
    assert_int_not_equal(run("ssh-keygen -Y verify -f allowed -I principal@example.org -n file "
                             "-s msg.sig < msg > out 2>&1"),
                         0);
    free(arm);
}

static void test_sshsig__verifies_ssh_keygen_signature(void **state)
{
    (void)state;
    need_tool("ssh-keygen");
    uint8_t pk[32], signer[32];
    size_t len;
    write_file("msg", MSG, MSG_LEN);
    assert_int_equal(run("ssh-keygen -q -t ed25519 -N '' -C me@example.org -f key >out 2>&1"), 0);
    assert_int_equal(run("ssh-keygen -Y sign -f key -n git msg >out 2>&1"), 0);
    char *pub = read_file("key.pub", &len);
    assert_int_equal(ccm_ssh_pubkey_parse(pk, pub), CCM_OK);
    char *sig = read_file("msg.sig", &len);
    assert_int_equal(ccm_sshsig_verify(signer, sig, len, "git", (const uint8_t *)MSG, MSG_LEN),
                     CCM_OK);
    assert_memory_equal(signer, pk, 32);
    assert_int_equal(ccm_sshsig_verify(signer, sig, len, "file", (const uint8_t *)MSG, MSG_LEN),
                     CCM_EVERIFY);
    /* our formatting of that key is ssh-keygen's, minus the comment */
    char *ours = ccm_ssh_pubkey_format(pk);
    assert_memory_equal(pub, ours, strlen(ours));
    assert_int_equal(pub[strlen(ours)], ' ');
    free(ours);
    free(sig);
    free(pub);
}

static void test_ssh_fingerprint__matches_ssh_keygen(void **state)
{
    (void)state;
    need_tool("ssh-keygen");
    uint8_t pk[32];
    size_t len;
    char fp[64], want[128];
    assert_int_equal(run("ssh-keygen -q -t ed25519 -N '' -C me -f key >out 2>&1"), 0);
    assert_int_equal(run("ssh-keygen -lf key.pub > fp"), 0);
    char *pub = read_file("key.pub", &len), *out = read_file("fp", &len);
    assert_int_equal(sscanf(out, "256 %127s", want), 1);
    assert_int_equal(ccm_ssh_pubkey_parse(pk, pub), CCM_OK);
    ccm_ssh_fingerprint(fp, pk);
    assert_string_equal(fp, want);
    free(pub);
    free(out);
}

#define VERIFY_COMMIT                                                                              \
    "%s git -C repo -c gpg.format=ssh -c gpg.ssh.allowedSignersFile='%s/allowed' "                 \
    "verify-commit $(cat sha) > out 2>&1"

static void test_sshsig__git_verify_commit_accepts_our_signature(void **state)
{
    (void)state;
    need_tool("ssh-keygen");
    need_tool("git");
    static const char head[] = "tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n"
                               "author A U Thor <a@example.org> 1700000000 +0000\n"
                               "committer A U Thor <a@example.org> 1700000000 +0000\n";
    static const char body[] = "\nsigned by ccmsync\n";
    char payload[512], commit[4096], *q = commit;
    snprintf(payload, sizeof(payload), "%s%s", head, body);
    char *arm = sign("git", payload, strlen(payload));
    q += sprintf(q, "%sgpgsig", head);
    for (const char *p = arm; *p; p++) { /* continuation lines start with a space */
        if (p == arm || p[-1] == '\n') {
            *q++ = ' ';
        }
        *q++ = *p;
    }
    sprintf(q, "%s", body);
    write_file("commit", commit, strlen(commit));
    write_allowed_signers();
    char env[1200];
    snprintf(env, sizeof(env), "GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null HOME='%s'",
             tmpdir);
    assert_int_equal(run("%s git init -q repo && %s git -C repo hash-object -t tree -w /dev/null "
                         ">/dev/null && %s git -C repo hash-object -t commit -w '%s/commit' > sha",
                         env, env, env, tmpdir),
                     0);
    assert_int_equal(run(VERIFY_COMMIT, env, tmpdir), 0);
    /* a tampered commit must fail the same check */
    char *t = strstr(commit, "signed by");
    t[0] = 'S';
    write_file("commit", commit, strlen(commit));
    assert_int_equal(run("%s git -C repo hash-object -t commit -w '%s/commit' > sha", env, tmpdir),
                     0);
    assert_int_not_equal(run(VERIFY_COMMIT, env, tmpdir), 0);
    free(arm);
}

#define TMP(f) cmocka_unit_test_setup_teardown(f, make_tmpdir, remove_tmpdir)

int main(void)
{
    const struct CMUnitTest tests[] = {
        TMP(test_sshsig__ssh_keygen_verifies_our_signature),
        TMP(test_sshsig__verifies_ssh_keygen_signature),
        TMP(test_ssh_fingerprint__matches_ssh_keygen),
        TMP(test_sshsig__git_verify_commit_accepts_our_signature),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
