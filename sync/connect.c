/*
 * connect.c - what fetch, push and clone do around a libgit2 transfer to a
 * network remote: libgit2's credential and certificate callbacks (handed
 * to ssh_auth.c or https_auth.c), the proxy (http.proxy,
 * remote.<name>.proxy, https_proxy/http_proxy and no_proxy, which libgit2
 * reads itself once asked to), the URL actually reached (an ssh host
 * resolved through ~/.ssh/config), and the one-line reason when it fails.
 *
 * The state (ccm_auth) lives in the ccm_transfer of one command, so that a
 * sync's fetch and push ask for a passphrase or run the credential helper
 * once; ccm_transfer_dispose wipes it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sync_private.h"

int ccm_transfer_fetch_progress(const git_indexer_progress *stats, void *payload)
{
    ccm_transfer *t = payload;
    if (t->fn) {
        t->fn("fetch", stats->received_objects, stats->total_objects, stats->received_bytes,
              t->payload);
    }
    return 0;
}

static int is_ssh(const ccm_auth *a)
{
    return a->url.scheme && strcmp(a->url.scheme, "ssh") == 0;
}

static int is_http(const ccm_auth *a)
{
    return a->url.scheme &&
           (strcmp(a->url.scheme, "https") == 0 || strcmp(a->url.scheme, "http") == 0);
}

int ccm_sync_url_check(const char *url)
{
    ccm_url u;
    int rc = CCM_OK;

    if (ccm_sync_is_local(url)) {
        return CCM_OK;
    }
    if (ccm_url_parse(&u, url) < 0 || !u.scheme) {
        return ccm_error_set(CCM_EINVALID,
                             "malformed remote URL '%s' (a path, file://, git://, http(s)://, "
                             "ssh://[user@]host[:port]/path or [user@]host:path)",
                             url);
    }
    if (u.password) {
        /* the URL is not repeated: it holds the password */
        rc = ccm_error_set(CCM_EINVALID,
                           "the remote URL holds a password, which would be kept in the store's "
                           "configuration: leave it out and use a git credential helper or "
                           "CCMSYNC_HTTPS_TOKEN");
    }
    ccm_url_free(&u);
    return rc;
}

static int on_credentials(git_credential **out, const char *url, const char *user,
                          unsigned int allowed, void *payload)
{
    ccm_transfer *t = payload;
    ccm_auth *a = t->auth;

    (void)url;
    if (!a) {
        return GIT_PASSTHROUGH;
    }
    if (is_ssh(a)) {
        return ccm_ssh_auth_credential(out, a, user, allowed);
    }
    if (is_http(a)) {
        return ccm_https_auth_credential(out, a, allowed);
    }
    ccm_auth_reason(
        a, "the remote asks for credentials, which ccmsync gives over ssh and http(s) only");
    return GIT_EAUTH;
}

static int on_certificate(git_cert *cert, int valid, const char *host, void *payload)
{
    ccm_transfer *t = payload;
    ccm_auth *a = t->auth;

    if (!a) {
        return valid ? 0 : GIT_ECERTIFICATE;
    }
    if (cert->cert_type == GIT_CERT_HOSTKEY_LIBSSH2) {
        return ccm_ssh_auth_hostkey(a, cert);
    }
    if (!valid) {
        ccm_auth_reason(a,
                        "the TLS certificate of %s is not trusted: for a server with its own "
                        "certificate authority, give its CA file with 'git config --global "
                        "http.sslCAInfo FILE' or GIT_SSL_CAINFO",
                        host);
        a->tls_refused = 1;
    }
    return GIT_PASSTHROUGH; /* libgit2's own verdict stands */
}

int ccm_sync_connect_begin(ccm_transfer *t, git_repository *repo, const char *url,
                           git_remote *remote, git_remote_callbacks *cb, git_proxy_options *proxy,
                           const char **effective)
{
    ccm_auth *a = t->auth;
    int rc = CCM_OK;

    /* Once pointed at the URL to reach, the remote reports that one. */
    if (a && strcmp(a->configured, url) != 0 && strcmp(a->effective, url) != 0) {
        ccm_transfer_dispose(t);
        a = NULL;
    }
    if (!a) {
        if (!(a = calloc(1, sizeof(*a))) || !(a->configured = strdup(url))) {
            free(a);
            return ccm_error_set(CCM_ERROR, "out of memory");
        }
        t->auth = a;
        if (ccm_url_parse(&a->url, url) < 0 || !a->url.scheme) {
            rc = ccm_sync_url_check(url);
            rc = rc < 0 ? rc : ccm_error_set(CCM_EINVALID, "malformed remote URL '%s'", url);
        } else if (is_ssh(a)) {
            rc = ccm_ssh_auth_prepare(a);
        } else if (is_http(a)) {
            rc = ccm_https_auth_prepare(a, repo);
        }
        if (rc == CCM_OK && !a->effective && !(a->effective = strdup(url))) {
            rc = ccm_error_set(CCM_ERROR, "out of memory");
        }
        if (rc < 0) {
            ccm_transfer_dispose(t);
            return rc;
        }
    }
    a->calls = 0;
    a->next = 0;
    a->tried[0] = 0;
    a->reason[0] = 0;
    a->tls_refused = 0;
    cb->credentials = on_credentials;
    cb->certificate_check = on_certificate;
    cb->payload = t;
    if (proxy) {
        proxy->type = GIT_PROXY_AUTO;
        proxy->certificate_check = on_certificate;
        proxy->payload = t;
    }
    if (remote && strcmp(a->effective, url) != 0 &&
        (git_remote_set_instance_url(remote, a->effective) < 0 ||
         git_remote_set_instance_pushurl(remote, a->effective) < 0)) {
        return ccm_git_error("cannot set the remote's URL");
    }
    if (effective) {
        *effective = a->effective;
    }
    return CCM_OK;
}

void ccm_sync_connect_ok(ccm_transfer *t)
{
    if (t->auth && is_http(t->auth)) {
        ccm_https_auth_approve(t->auth);
    }
}

/* Copies msg into out on one line (line breaks become spaces, trailing
 * blanks and periods go). */
static void one_line(char *out, size_t cap, const char *msg)
{
    size_t n;

    snprintf(out, cap, "%s", msg);
    for (char *p = out; *p; p++) {
        if (*p == '\n' || *p == '\r' || *p == '\t') {
            *p = ' ';
        }
    }
    n = strlen(out);
    while (n > 0 && (out[n - 1] == ' ' || out[n - 1] == '.')) {
        out[--n] = 0;
    }
}

int ccm_sync_connect_fail(ccm_transfer *t, const char *fmt, ...)
{
    ccm_auth *a = t->auth;
    const git_error *e = git_error_last();
    char context[1200], msg[1200];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(context, sizeof(context), fmt, ap);
    va_end(ap);
    one_line(msg, sizeof(msg), e && e->message ? e->message : "failed");
    if (a && is_ssh(a)) {
        ccm_ssh_auth_explain(a, msg);
    }
    if (a && a->reason[0]) {
        if (a->tls_refused) {
            return ccm_error_set(CCM_EUNREACHABLE, "%s: %s (%s)", context, a->reason, msg);
        }
        return ccm_error_set(CCM_EUNREACHABLE, "%s: %s", context, a->reason);
    }
    return ccm_error_set(CCM_EUNREACHABLE, "%s: %s", context, msg);
}

void ccm_transfer_dispose(ccm_transfer *t)
{
    ccm_auth *a = t ? t->auth : NULL;

    if (!a) {
        return;
    }
    for (size_t i = 0; i < a->nkeys; i++) {
        free(a->keys[i].path);
        ccm_secret_free(a->keys[i].pass);
    }
    free(a->keys);
    ccm_secret_free(a->user);
    ccm_secret_free(a->pass);
    ccm_ssh_host_free(&a->host);
    ccm_url_free(&a->url);
    free(a->desc);
    free(a->effective);
    free(a->configured);
    free(a);
    t->auth = NULL;
}
