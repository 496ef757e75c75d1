/*
 * https_auth.c - credentials and certificates for http(s) remotes.
 *
 * Credentials come from CCMSYNC_HTTPS_TOKEN (with CCMSYNC_HTTPS_USER, else
 * the URL's user, else "ccmsync": forges accept any user name with a
 * token), else from git's own credential helpers: `git credential fill`
 * runs with an explicit description (protocol, host, path, user if the URL
 * has one), from "/" so that no repository's config takes part, with
 * GIT_TERMINAL_PROMPT=0 when stdin is not a terminal, and a time limit then,
 * so it never waits on a prompt nobody sees. After a transfer that worked,
 * `git credential approve`; when the server refuses them, `git credential
 * reject` and the command ends: libgit2 asks again after each refusal, and
 * a second request in one connection is that refusal. Credentials are held
 * in sodium_malloc'ed memory for the command and never written anywhere by
 * ccmsync.
 *
 * Certificates: libgit2 checks them against the system's authorities; a
 * server with its own authority is trusted through GIT_SSL_CAINFO /
 * GIT_SSL_CAPATH or http.sslCAInfo / http.sslCAPath, as git does (libgit2
 * does not read those itself).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sync_private.h"

#define SECRET_MAX 8192
#define HELPER_TIMEOUT_MS 30000 /* when nobody is at a terminal */

/* Sets *out to a sodium_malloc'ed copy of [s, s+n). */
static int secret_dup(char **out, const char *s, size_t n)
{
    if (n >= SECRET_MAX || !(*out = ccm_secret_alloc(n + 1))) {
        return -1;
    }
    memcpy(*out, s, n);
    (*out)[n] = 0;
    return 0;
}

int ccm_credential_parse(char **user, char **pass, const char *text, size_t len)
{
    const char *p = text, *end = text + len;

    *user = *pass = NULL;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p)), *stop = nl ? nl : end;
        char **slot = NULL;
        size_t skip = 0;
        if ((size_t)(stop - p) >= 9 && memcmp(p, "username=", 9) == 0) {
            slot = user;
            skip = 9;
        } else if ((size_t)(stop - p) >= 9 && memcmp(p, "password=", 9) == 0) {
            slot = pass;
            skip = 9;
        }
        if (slot) {
            ccm_secret_free(*slot);
            *slot = NULL;
            if (secret_dup(slot, p + skip, (size_t)(stop - p) - skip) < 0) {
                break;
            }
        }
        p = nl ? nl + 1 : end;
    }
    if (!*user || !*pass) {
        ccm_secret_free(*user);
        ccm_secret_free(*pass);
        *user = *pass = NULL;
        return -1;
    }
    return 0;
}

static long elapsed_ms(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (long)(t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

/* Runs `git credential <action>` with `input` on its stdin; its stdout (at
 * most cap-1 bytes, NUL-terminated) into out when out is not NULL. Returns
 * its exit status, or -1 if it could not run or ran out of time. */
static int run_git_credential(const char *action, const char *input, char *out, size_t cap,
                              size_t *outlen)
{
    int in[2] = {-1, -1}, res[2] = {-1, -1}, status = 0, interactive = isatty(0), rc = -1;
    struct sigaction ignore, old;
    struct timespec t0;
    size_t n = 0, left = strlen(input);
    pid_t pid;

    if (outlen) {
        *outlen = 0;
    }
    if (pipe(in) < 0 || pipe(res) < 0) {
        goto done;
    }
    for (int i = 0; i < 2; i++) {
        fcntl(in[i], F_SETFD, FD_CLOEXEC);
        fcntl(res[i], F_SETFD, FD_CLOEXEC);
    }
    if ((pid = fork()) < 0) {
        goto done;
    }
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
        if (dup2(in[0], 0) < 0 || dup2(res[1], 1) < 0 || (null >= 0 && dup2(null, 2) < 0) ||
            chdir("/") != 0) {
            _exit(127);
        }
        unsetenv("GIT_DIR");
        unsetenv("GIT_WORK_TREE");
        if (!interactive) {
            putenv("GIT_TERMINAL_PROMPT=0");
        }
        execlp("git", "git", "credential", action, (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    close(res[1]);
    in[0] = res[1] = -1;
    memset(&ignore, 0, sizeof(ignore));
    ignore.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &ignore, &old); /* a helper may exit before reading */
    while (left > 0) {
        ssize_t w = write(in[1], input, left);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            break;
        }
        input += w;
        left -= (size_t)w;
    }
    sigaction(SIGPIPE, &old, NULL);
    close(in[1]);
    in[1] = -1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        struct pollfd pfd = {res[0], POLLIN, 0};
        char sink[256];
        long wait = interactive ? -1 : HELPER_TIMEOUT_MS - elapsed_ms(&t0);
        ssize_t r;
        if (!interactive && wait <= 0) {
            kill(pid, SIGKILL); /* our own child, by its PID */
            waitpid(pid, NULL, 0);
            goto done;
        }
        if (poll(&pfd, 1, (int)wait) < 0) {
            if (errno == EINTR) {
                continue;
            }
            break;
        }
        if (pfd.revents == 0) {
            continue;
        }
        r = out && n + 1 < cap ? read(res[0], out + n, cap - 1 - n)
                               : read(res[0], sink, sizeof(sink));
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r <= 0) {
            break;
        }
        if (out && n + 1 < cap) {
            n += (size_t)r;
        }
    }
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    if (out) {
        out[n] = 0;
    }
    if (outlen) {
        *outlen = n;
    }
done:
    for (int i = 0; i < 2; i++) {
        if (in[i] >= 0) {
            close(in[i]);
        }
        if (res[i] >= 0) {
            close(res[i]);
        }
    }
    return rc;
}

/* The description plus username and password, for approve and reject. */
static void tell_helper(ccm_auth *a, const char *action)
{
    size_t cap = strlen(a->desc) + strlen(a->user) + strlen(a->pass) + 32;
    char *input = ccm_secret_alloc(cap);

    if (!input) {
        return;
    }
    snprintf(input, cap, "%susername=%s\npassword=%s\n", a->desc, a->user, a->pass);
    run_git_credential(action, input, NULL, 0, NULL);
    ccm_secret_free(input);
}

static void forget(ccm_auth *a)
{
    ccm_secret_free(a->user);
    ccm_secret_free(a->pass);
    a->user = a->pass = NULL;
    a->source = CCM_CRED_NONE;
}

/* "https://host[:port]" for messages. */
static void server_name(char *out, size_t cap, const ccm_auth *a)
{
    if (a->url.port) {
        snprintf(out, cap, "%s://%s:%d", a->url.scheme, a->url.host, a->url.port);
    } else {
        snprintf(out, cap, "%s://%s", a->url.scheme, a->url.host);
    }
}

static int from_variable(ccm_auth *a)
{
    const char *token = getenv("CCMSYNC_HTTPS_TOKEN"), *user = getenv("CCMSYNC_HTTPS_USER");

    if (!token || !*token) {
        return -1;
    }
    if (!user || !*user) {
        user = a->url.user && *a->url.user ? a->url.user : "ccmsync";
    }
    if (secret_dup(&a->user, user, strlen(user)) < 0 ||
        secret_dup(&a->pass, token, strlen(token)) < 0) {
        forget(a);
        return -1;
    }
    a->source = CCM_CRED_VARIABLE;
    return 0;
}

static int from_helper(ccm_auth *a)
{
    char *answer = ccm_secret_alloc(SECRET_MAX);
    size_t n = 0;
    int rc = -1;

    if (!answer) {
        return -1;
    }
    if (run_git_credential("fill", a->desc, answer, SECRET_MAX, &n) == 0 &&
        ccm_credential_parse(&a->user, &a->pass, answer, n) == 0) {
        a->source = CCM_CRED_HELPER;
        rc = 0;
    }
    ccm_secret_free(answer);
    return rc;
}

int ccm_https_auth_credential(git_credential **out, ccm_auth *a, unsigned int allowed)
{
    char server[600];

    server_name(server, sizeof(server), a);
    if (!(allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT)) {
        ccm_auth_reason(
            a,
            "%s asks for a kind of authentication ccmsync does not support (only a user "
            "name with a password or token)",
            server);
        return GIT_EAUTH;
    }
    if (++a->calls > 1) {
        if (a->source == CCM_CRED_HELPER) {
            tell_helper(a, "reject");
            ccm_auth_reason(a,
                            "%s refused the user name and password from git's credential helper "
                            "(authentication failed; the helper was told to forget them)",
                            server);
        } else {
            ccm_auth_reason(
                a,
                "%s refused the token in CCMSYNC_HTTPS_TOKEN for user '%s' (authentication "
                "failed)",
                server, a->user ? a->user : "");
        }
        forget(a);
        return GIT_EAUTH;
    }
    if (a->source == CCM_CRED_NONE && from_variable(a) < 0 && from_helper(a) < 0) {
        ccm_auth_reason(
            a,
            "%s asks for a user name and password or token, and none was found: configure "
            "a git credential helper (git config --global credential.helper ...) or set "
            "CCMSYNC_HTTPS_TOKEN",
            server);
        return GIT_EAUTH;
    }
    return git_credential_userpass_plaintext_new(out, a->user, a->pass);
}

void ccm_https_auth_approve(ccm_auth *a)
{
    if (a->source == CCM_CRED_HELPER && a->calls > 0 && !a->approved) {
        tell_helper(a, "approve");
        a->approved = 1;
    }
}

/* A value for git credential's description: no line breaks. */
static int desc_safe(const char *s)
{
    return !s || (!strchr(s, '\n') && !strchr(s, '\r'));
}

int ccm_https_auth_prepare(ccm_auth *a, git_repository *repo)
{
    const char *file = getenv("GIT_SSL_CAINFO"), *dir = getenv("GIT_SSL_CAPATH"), *what;
    git_config *cfg = NULL, *snap = NULL;
    git_buf cafile = {0}, cadir = {0};
    size_t cap;
    int rc = CCM_OK;

    if (file && !*file) {
        file = NULL;
    }
    if (dir && !*dir) {
        dir = NULL;
    }
    what = file ? "GIT_SSL_CAINFO" : "GIT_SSL_CAPATH";
    if (!file && !dir &&
        (repo ? git_repository_config_snapshot(&snap, repo)
              : (git_config_open_default(&cfg) < 0 ? -1 : git_config_snapshot(&snap, cfg))) == 0) {
        if (git_config_get_path(&cafile, snap, "http.sslCAInfo") == 0) {
            file = cafile.ptr;
        }
        if (git_config_get_path(&cadir, snap, "http.sslCAPath") == 0) {
            dir = cadir.ptr;
        }
        what = file ? "http.sslCAInfo" : "http.sslCAPath";
    }
    git_error_clear();
    if ((file || dir) && git_libgit2_opts(GIT_OPT_SET_SSL_CERT_LOCATIONS, file, dir) < 0) {
        rc = ccm_error_set(
            CCM_EUNREACHABLE, "cannot use the certificate authorities of %s '%s': %s", what,
            file ? file : dir, git_error_last() ? git_error_last()->message : "unreadable");
        goto done;
    }
    if (!desc_safe(a->url.host) || !desc_safe(a->url.path) || !desc_safe(a->url.user)) {
        rc = ccm_error_set(CCM_EINVALID, "a remote URL cannot hold line breaks");
        goto done;
    }
    cap = strlen(a->url.host) + strlen(a->url.path) + (a->url.user ? strlen(a->url.user) : 0) + 80;
    if (!(a->desc = malloc(cap))) {
        rc = ccm_error_set(CCM_ERROR, "out of memory");
        goto done;
    }
    {
        int v6 = strchr(a->url.host, ':') != NULL;
        char port[16] = "";
        if (a->url.port) {
            snprintf(port, sizeof(port), ":%d", a->url.port);
        }
        snprintf(a->desc, cap, "protocol=%s\nhost=%s%s%s%s\npath=%s\n", a->url.scheme,
                 v6 ? "[" : "", a->url.host, v6 ? "]" : "", port,
                 a->url.path + (a->url.path[0] == '/'));
        if (a->url.user) {
            size_t used = strlen(a->desc);
            snprintf(a->desc + used, cap - used, "username=%s\n", a->url.user);
        }
    }
done:
    git_buf_dispose(&cafile);
    git_buf_dispose(&cadir);
    git_config_free(snap);
    git_config_free(cfg);
    return rc;
}
