/*
 * url.c - the remote URLs ccmsync reaches through the network: their kind,
 * user, host, port and path, the scp-like form `[user@]host:path` git
 * accepts for ssh, and the ssh:// URL handed to libgit2 once the host has
 * been resolved through ~/.ssh/config.
 *
 * The scp-like form is recognised as git does: no "://", and a ':' before
 * any '/' ("./a:b" and "/mnt/a:b" stay paths). Its path is relative to the
 * login's home directory unless it starts with '/'; the ssh:// URL we build
 * says so with a leading "/~/", which git's upload-pack and receive-pack
 * expand.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sync_private.h"

void ccm_url_free(ccm_url *u)
{
    if (!u) {
        return;
    }
    free(u->scheme);
    free(u->user);
    free(u->host);
    free(u->path);
    if (u->password) {
        ccm_wipe_free(u->password, strlen(u->password));
    }
    memset(u, 0, sizeof(*u));
}

/* Length of a URL scheme followed by "://" at the start of s, or 0. */
static size_t scheme_len(const char *s)
{
    size_t n = 0;

    if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z'))) {
        return 0;
    }
    n = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-");
    return strncmp(s + n, "://", 3) == 0 ? n : 0;
}

int ccm_url_is_scp(const char *url)
{
    const char *colon, *slash;

    if (scheme_len(url) || url[0] == '/' || url[0] == '.' || url[0] == ':') {
        return 0;
    }
    colon = strchr(url, ':');
    /* "[host:port]:path" and "user@[::1]:path": the colon after ']'. */
    if (colon && strchr(url, '[') && strchr(url, '[') < colon) {
        const char *close = strchr(url, ']');
        colon = close ? strchr(close, ':') : NULL;
    }
    slash = strchr(url, '/');
    return colon && (!slash || colon < slash);
}

static int hex_digit(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* Decodes %XX escapes of [s, s+n) into a new string; NULL if malformed or
 * if it would hold a NUL. */
static char *pct_decode(const char *s, size_t n)
{
    char *out = malloc(n + 1), *o = out;

    for (size_t i = 0; out && i < n; i++) {
        int hi, lo;
        if (s[i] != '%') {
            *o++ = s[i];
            continue;
        }
        if (i + 2 >= n || (hi = hex_digit(s[i + 1])) < 0 || (lo = hex_digit(s[i + 2])) < 0 ||
            hi * 16 + lo == 0) {
            free(out);
            return NULL;
        }
        *o++ = (char)(hi * 16 + lo);
        i += 2;
    }
    if (out) {
        *o = 0;
    }
    return out;
}

/* Splits "[user[:password]@]host[:port]" (authority) into u. */
static int parse_authority(ccm_url *u, const char *a, size_t n)
{
    const char *at = NULL, *host, *end = a + n, *port = NULL;

    for (const char *p = a; p < end; p++) {
        if (*p == '@') {
            at = p; /* the last '@': user names may hold one, encoded or not */
        }
    }
    if (at) {
        const char *colon = memchr(a, ':', (size_t)(at - a));
        if (colon) {
            if (!(u->user = pct_decode(a, (size_t)(colon - a))) ||
                !(u->password = pct_decode(colon + 1, (size_t)(at - colon - 1)))) {
                return -1;
            }
        } else if (!(u->user = pct_decode(a, (size_t)(at - a)))) {
            return -1;
        }
        host = at + 1;
    } else {
        host = a;
    }
    if (host < end && *host == '[') {
        const char *close = memchr(host, ']', (size_t)(end - host));
        if (!close) {
            return -1;
        }
        /* git's "[host:port]:path" (one colon inside) or an IPv6 literal */
        const char *in = memchr(host + 1, ':', (size_t)(close - host - 1));
        if (in && !memchr(in + 1, ':', (size_t)(close - in - 1))) {
            u->host = strndup(host + 1, (size_t)(in - host - 1));
            port = in + 1;
            end = close;
        } else {
            u->host = strndup(host + 1, (size_t)(close - host - 1));
            port = close + 1 < end && close[1] == ':' ? close + 2 : NULL;
            if (!port && close + 1 != end) {
                return -1;
            }
        }
    } else {
        const char *colon = memchr(host, ':', (size_t)(end - host));
        u->host = strndup(host, (size_t)((colon ? colon : end) - host));
        port = colon ? colon + 1 : NULL;
    }
    if (!u->host || !*u->host) {
        return -1;
    }
    if (port && port < end) {
        char *stop = NULL;
        long v;
        v = strtol(port, &stop, 10);
        if (stop != end || v < 1 || v > 65535) {
            return -1;
        }
        u->port = (int)v;
    }
    return 0;
}

int ccm_url_parse(ccm_url *u, const char *url)
{
    size_t sn = scheme_len(url);
    int rc = -1;

    memset(u, 0, sizeof(*u));
    if (strchr(url, '\n') || strchr(url, '\r') || strchr(url, ' ')) {
        goto done;
    }
    if (sn) {
        const char *auth = url + sn + 3, *slash = strchr(auth, '/');
        if (!(u->scheme = strndup(url, sn))) {
            goto done;
        }
        for (char *p = u->scheme; *p; p++) {
            *p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
        }
        if (strcmp(u->scheme, "git+ssh") == 0 || strcmp(u->scheme, "ssh+git") == 0) {
            strcpy(u->scheme, "ssh");
        }
        if (strcmp(u->scheme, "file") == 0) {
            rc = (u->path = strdup(auth)) ? 0 : -1;
            goto done;
        }
        if (parse_authority(u, auth, slash ? (size_t)(slash - auth) : strlen(auth)) < 0 ||
            !(u->path = strdup(slash ? slash : "/"))) {
            goto done;
        }
        rc = 0;
    } else if (ccm_url_is_scp(url)) {
        const char *colon = strchr(url, ':');
        if (strchr(url, '[') && strchr(url, '[') < colon) {
            colon = strchr(strchr(url, ']'), ':');
        }
        if (!(u->scheme = strdup("ssh")) || parse_authority(u, url, (size_t)(colon - url)) < 0 ||
            u->password || !colon[1] || !(u->path = strdup(colon + 1))) {
            goto done;
        }
        u->scp = 1;
        rc = 0;
    } else {
        rc = (u->path = strdup(url)) ? 0 : -1;
    }
done:
    if (rc < 0) {
        ccm_url_free(u);
    }
    return rc;
}

/* Appends s to buf (cap), percent-encoding what a URL user name cannot
 * hold as is. -1 if it does not fit. */
static int put_encoded(char *buf, size_t cap, size_t *at, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        int plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '.' || c == '_' || c == '~';
        int n = plain ? snprintf(buf + *at, cap - *at, "%c", c)
                      : snprintf(buf + *at, cap - *at, "%%%02X", c);
        if (n < 0 || (size_t)n >= cap - *at) {
            return -1;
        }
        *at += (size_t)n;
    }
    return 0;
}

char *ccm_url_ssh_format(const char *user, const char *host, int port, const char *path, int scp)
{
    char buf[4096];
    size_t at = 0;
    int n;

    n = snprintf(buf, sizeof(buf), "ssh://");
    at = (size_t)n;
    if (user && *user) {
        if (put_encoded(buf, sizeof(buf), &at, user) < 0 || at + 1 >= sizeof(buf)) {
            return NULL;
        }
        buf[at++] = '@';
    }
    n = snprintf(buf + at, sizeof(buf) - at, strchr(host, ':') ? "[%s]" : "%s", host);
    if (n < 0 || (size_t)n >= sizeof(buf) - at) {
        return NULL;
    }
    at += (size_t)n;
    if (port > 0 && port != 22) {
        n = snprintf(buf + at, sizeof(buf) - at, ":%d", port);
        at += (size_t)n;
    }
    /* scp-like paths: "/abs" stays, "~/x" and "rel" are under the home. */
    if (!scp || path[0] == '/') {
        n = snprintf(buf + at, sizeof(buf) - at, "%s", path);
    } else if (path[0] == '~') {
        n = snprintf(buf + at, sizeof(buf) - at, "/%s", path);
    } else {
        n = snprintf(buf + at, sizeof(buf) - at, "/~/%s", path);
    }
    if (n < 0 || (size_t)n >= sizeof(buf) - at) {
        return NULL;
    }
    return strdup(buf);
}

/* A path or a file:// URL: a remote on this machine, copied by ccmsync itself
 * (store/odb/copy.c) rather than through a libgit2 transport. */
int ccm_sync_is_local(const char *url)
{
    return strncmp(url, "file://", 7) == 0 || (!strstr(url, "://") && !ccm_url_is_scp(url));
}

const char *ccm_sync_local_path(const char *url)
{
    return strncmp(url, "file://", 7) == 0 ? url + 7 : url;
}
