/*
 * ssh_config.c - the entries of ~/.ssh/config (then /etc/ssh/ssh_config)
 * that decide where an ssh remote really is and how to log in, since
 * libgit2's libssh2 transport reads none of them: HostName, User, Port,
 * IdentityFile, IdentitiesOnly, HostKeyAlias, UserKnownHostsFile and
 * GlobalKnownHostsFile, in `Host` blocks matched against the name in the
 * URL, with `Include`.
 *
 * As in OpenSSH: keywords are case-insensitive, "Key value" or
 * "Key=value", arguments may be double-quoted; the first value obtained for
 * a keyword wins (IdentityFile accumulates); a Host line applies when one of
 * its patterns (with * and ?) matches and none of its negated (!) ones does.
 * `Match` blocks are not evaluated: only `Match all` applies. Everything else
 * (ProxyCommand, ProxyJump, ...) is ignored; the README says which.
 */
#include <ctype.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "sync_private.h"

#define MAX_ARGS 64
#define MAX_DEPTH 8

int ccm_strlist_add(ccm_strlist *l, const char *s)
{
    /* room for the string and the NULL after it */
    if (ccm_grow(&l->v, &l->cap, l->n + 1, sizeof(*l->v), 8) < 0) {
        return CCM_ERROR;
    }
    if (!(l->v[l->n] = strdup(s))) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    l->v[++l->n] = NULL;
    return CCM_OK;
}

void ccm_strlist_free(ccm_strlist *l)
{
    for (size_t i = 0; l && i < l->n; i++) {
        free(l->v[i]);
    }
    if (l) {
        free(l->v);
        l->v = NULL;
        l->n = l->cap = 0;
    }
}

void ccm_ssh_host_free(ccm_ssh_host *h)
{
    if (!h) {
        return;
    }
    free(h->hostname);
    free(h->user);
    free(h->host_key_alias);
    ccm_strlist_free(&h->identity);
    ccm_strlist_free(&h->user_known_hosts);
    ccm_strlist_free(&h->global_known_hosts);
    memset(h, 0, sizeof(*h));
}

int ccm_ssh_pattern_match(const char *name, const char *pat)
{
    /* Iterative glob with one backtrack point: '*' any run, '?' one char. */
    const char *star = NULL, *retry = NULL;

    while (*name) {
        if (*pat == '*') {
            star = ++pat;
            retry = name;
        } else if (*pat &&
                   (*pat == '?' || tolower((unsigned char)*pat) == tolower((unsigned char)*name))) {
            pat++;
            name++;
        } else if (star) {
            pat = star;
            name = ++retry;
        } else {
            return 0;
        }
    }
    while (*pat == '*') {
        pat++;
    }
    return *pat == 0;
}

int ccm_ssh_patterns_match(const char *name, char *const *pats, size_t n)
{
    int hit = 0;

    for (size_t i = 0; i < n; i++) {
        if (pats[i][0] == '!') {
            if (ccm_ssh_pattern_match(name, pats[i] + 1)) {
                return 0; /* a negated match vetoes the line */
            }
        } else if (ccm_ssh_pattern_match(name, pats[i])) {
            hit = 1;
        }
    }
    return hit;
}

/* Splits a line into arguments: whitespace-separated, "quoted" allowed, a
 * '#' outside quotes starts a comment. -1 on an unterminated quote. */
static int split_args(char *line, char **argv, int max)
{
    int n = 0;
    char *p = line;

    while (*p) {
        char *out;
        while (*p == ' ' || *p == '\t') {
            p++;
        }
        if (!*p || *p == '#') {
            break;
        }
        if (n == max) {
            return -1;
        }
        argv[n++] = out = p;
        while (*p && *p != ' ' && *p != '\t') {
            if (*p == '"') {
                char *close = strchr(p + 1, '"');
                if (!close) {
                    return -1;
                }
                memmove(out, p + 1, (size_t)(close - p - 1));
                out += close - p - 1;
                p = close + 1;
            } else {
                *out++ = *p++;
            }
        }
        if (*p) {
            p++;
        }
        *out = 0;
    }
    return n;
}

static int set_once(char **slot, const char *value)
{
    if (*slot) {
        return CCM_OK;
    }
    if (!(*slot = strdup(value))) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    return CCM_OK;
}

static int set_files_once(ccm_strlist *l, int *set, char **argv, int argc)
{
    int rc = CCM_OK;

    if (*set) {
        return CCM_OK;
    }
    *set = 1;
    for (int i = 0; i < argc && rc == CCM_OK; i++) {
        if (strcasecmp(argv[i], "none") != 0) {
            rc = ccm_strlist_add(l, argv[i]);
        }
    }
    return rc;
}

static int include(ccm_ssh_host *h, char **argv, int argc, const char *alias, const char *incdir,
                   const char *home, int depth, const char *where)
{
    int rc = CCM_OK;

    if (depth >= MAX_DEPTH) {
        return ccm_error_set(CCM_EINVALID, "%s: Include nested too deeply", where);
    }
    for (int i = 0; i < argc && rc == CCM_OK; i++) {
        char path[4096];
        glob_t g;
        if (strncmp(argv[i], "~/", 2) == 0) {
            snprintf(path, sizeof(path), "%s/%s", home, argv[i] + 2);
        } else if (argv[i][0] == '/') {
            snprintf(path, sizeof(path), "%s", argv[i]);
        } else {
            snprintf(path, sizeof(path), "%s/%s", incdir, argv[i]);
        }
        memset(&g, 0, sizeof(g));
        if (glob(path, 0, NULL, &g) == 0) {
            for (size_t j = 0; j < g.gl_pathc && rc == CCM_OK; j++) {
                rc = ccm_ssh_config_load(h, g.gl_pathv[j], alias, incdir, home, depth + 1);
            }
        }
        globfree(&g);
    }
    return rc;
}

/* One "Keyword args..." line of an active block. */
static int apply(ccm_ssh_host *h, const char *key, char **argv, int argc, const char *alias,
                 const char *incdir, const char *home, int depth, const char *where)
{
    if (strcasecmp(key, "Include") == 0) {
        return include(h, argv, argc, alias, incdir, home, depth, where);
    }
    if (argc < 1) {
        return CCM_OK;
    }
    if (strcasecmp(key, "HostName") == 0) {
        return set_once(&h->hostname, argv[0]);
    }
    if (strcasecmp(key, "User") == 0) {
        return set_once(&h->user, argv[0]);
    }
    if (strcasecmp(key, "HostKeyAlias") == 0) {
        return set_once(&h->host_key_alias, argv[0]);
    }
    if (strcasecmp(key, "Port") == 0) {
        char *end = NULL;
        long v = strtol(argv[0], &end, 10);
        if (*end || v < 1 || v > 65535) {
            return ccm_error_set(CCM_EINVALID, "%s: bad Port '%s' (1 to 65535)", where, argv[0]);
        }
        if (!h->port) {
            h->port = (int)v;
        }
        return CCM_OK;
    }
    if (strcasecmp(key, "IdentityFile") == 0) {
        return ccm_strlist_add(&h->identity, argv[0]);
    }
    if (strcasecmp(key, "IdentitiesOnly") == 0) {
        if (!h->identities_only_set) {
            h->identities_only = strcasecmp(argv[0], "yes") == 0;
            h->identities_only_set = 1;
        }
        return CCM_OK;
    }
    if (strcasecmp(key, "UserKnownHostsFile") == 0) {
        return set_files_once(&h->user_known_hosts, &h->user_known_set, argv, argc);
    }
    if (strcasecmp(key, "GlobalKnownHostsFile") == 0) {
        return set_files_once(&h->global_known_hosts, &h->global_known_set, argv, argc);
    }
    return CCM_OK;
}

int ccm_ssh_config_parse(ccm_ssh_host *h, const char *text, size_t len, const char *file,
                         const char *alias, const char *incdir, const char *home, int depth)
{
    char *copy = strndup(text, len), *line, *save = NULL;
    int active = 1, lineno = 0, rc = CCM_OK;

    if (!copy) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    for (line = copy; line && rc == CCM_OK; line = save) {
        char *argv[MAX_ARGS], *key, where[4200];
        int argc;
        save = strchr(line, '\n');
        if (save) {
            *save++ = 0;
        }
        lineno++;
        line[strcspn(line, "\r")] = 0;
        snprintf(where, sizeof(where), "%s line %d", file, lineno);
        /* "Key=value": the first '=' outside the keyword separates too. */
        key = line + strspn(line, " \t");
        {
            char *eq = key + strcspn(key, " \t=");
            if (*eq == '=') {
                *eq = ' ';
            } else if (*eq) {
                char *after = eq + strspn(eq, " \t");
                if (*after == '=') {
                    *after = ' ';
                }
            }
        }
        if ((argc = split_args(key, argv, MAX_ARGS)) < 0) {
            rc = ccm_error_set(CCM_EINVALID, "%s: unterminated quote or too many arguments", where);
            break;
        }
        if (argc == 0) {
            continue;
        }
        if (strcasecmp(argv[0], "Host") == 0) {
            active = ccm_ssh_patterns_match(alias, argv + 1, (size_t)(argc - 1));
        } else if (strcasecmp(argv[0], "Match") == 0) {
            active = argc == 2 && strcasecmp(argv[1], "all") == 0;
        } else if (active) {
            rc = apply(h, argv[0], argv + 1, argc - 1, alias, incdir, home, depth, where);
        }
    }
    free(copy);
    return rc;
}

int ccm_ssh_config_load(ccm_ssh_host *h, const char *path, const char *alias, const char *incdir,
                        const char *home, int depth)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    int rc = ccm_file_read(&buf, &len, path);

    if (rc == CCM_ENOTFOUND || (rc < 0 && access(path, R_OK) != 0)) {
        ccm_error_clear();
        return CCM_OK; /* no such file, or not ours to read: as ssh */
    }
    if (rc == CCM_OK) {
        rc = ccm_ssh_config_parse(h, (const char *)buf, len, path, alias, incdir, home, depth);
    }
    free(buf);
    return rc;
}

/* Expands ~/ and the %-tokens ssh allows in IdentityFile and known-hosts
 * paths: %% %d (home) %h (host name) %i (uid) %n (name in the URL) %p
 * (port) %r (remote user) %u (local user). */
static int expand(char **out, const char *in, const ccm_ssh_host *h, const char *alias,
                  const char *home, const char *local_user)
{
    char buf[4096];
    size_t at = 0;
    int n = 0;

    *out = NULL;
    if (strncmp(in, "~/", 2) == 0 || strcmp(in, "~") == 0) {
        n = snprintf(buf, sizeof(buf), "%s", home);
        at = (size_t)n;
        in++;
    }
    for (; *in; in++) {
        if (*in != '%') {
            n = snprintf(buf + at, sizeof(buf) - at, "%c", *in);
        } else {
            switch (*++in) {
            case '%':
                n = snprintf(buf + at, sizeof(buf) - at, "%%");
                break;
            case 'd':
                n = snprintf(buf + at, sizeof(buf) - at, "%s", home);
                break;
            case 'h':
                n = snprintf(buf + at, sizeof(buf) - at, "%s", h->hostname);
                break;
            case 'i':
                n = snprintf(buf + at, sizeof(buf) - at, "%u", (unsigned)getuid());
                break;
            case 'n':
                n = snprintf(buf + at, sizeof(buf) - at, "%s", alias);
                break;
            case 'p':
                n = snprintf(buf + at, sizeof(buf) - at, "%d", h->port);
                break;
            case 'r':
                n = snprintf(buf + at, sizeof(buf) - at, "%s", h->user);
                break;
            case 'u':
                n = snprintf(buf + at, sizeof(buf) - at, "%s", local_user);
                break;
            default:
                return ccm_error_set(CCM_EINVALID, "unsupported token '%%%c' in ssh config path",
                                     *in ? *in : ' ');
            }
        }
        if (n < 0 || (size_t)n >= sizeof(buf) - at) {
            return ccm_error_set(CCM_EINVALID, "ssh config path too long");
        }
        at += (size_t)n;
    }
    if (!(*out = strdup(buf))) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    return CCM_OK;
}

static int expand_list(ccm_strlist *l, const ccm_ssh_host *h, const char *alias, const char *home,
                       const char *local_user)
{
    for (size_t i = 0; i < l->n; i++) {
        char *x = NULL;
        int rc = expand(&x, l->v[i], h, alias, home, local_user);
        if (rc < 0) {
            return rc;
        }
        free(l->v[i]);
        l->v[i] = x;
    }
    return CCM_OK;
}

int ccm_ssh_host_finish(ccm_ssh_host *h, const char *alias, const char *url_user, int url_port,
                        const char *home, const char *local_user)
{
    static const char *const keys[] = {"id_ed25519", "id_ecdsa", "id_rsa"};
    char path[4096];
    int rc = CCM_OK;

    /* The URL's user and port win over the config's, as on ssh's command
     * line; HostName may name the alias as %h. */
    if (url_user) {
        free(h->user);
        if (!(h->user = strdup(url_user))) {
            return ccm_error_set(CCM_ERROR, "out of memory");
        }
    }
    if (url_port) {
        h->port = url_port;
    }
    if (!h->port) {
        h->port = 22;
    }
    if ((rc = set_once(&h->user, local_user)) < 0) {
        return rc;
    }
    if (h->hostname) {
        ccm_ssh_host tmp = {0};
        char *x = NULL;
        tmp.hostname = (char *)alias;
        tmp.user = h->user;
        tmp.port = h->port;
        if ((rc = expand(&x, h->hostname, &tmp, alias, home, local_user)) < 0) {
            return rc;
        }
        free(h->hostname);
        h->hostname = x;
    } else if ((rc = set_once(&h->hostname, alias)) < 0) {
        return rc;
    }
    for (size_t i = 0, none = h->identity.n == 0; none && i < sizeof(keys) / sizeof(*keys); i++) {
        snprintf(path, sizeof(path), "%s/.ssh/%s", home, keys[i]);
        if ((rc = ccm_strlist_add(&h->identity, path)) < 0) {
            return rc;
        }
    }
    /* ssh's defaults when the config names no known-hosts files */
    if (!h->user_known_set &&
        ((rc = ccm_strlist_add(&h->user_known_hosts, "~/.ssh/known_hosts")) < 0 ||
         (rc = ccm_strlist_add(&h->user_known_hosts, "~/.ssh/known_hosts2")) < 0)) {
        return rc;
    }
    if (!h->global_known_set &&
        ((rc = ccm_strlist_add(&h->global_known_hosts, "/etc/ssh/ssh_known_hosts")) < 0 ||
         (rc = ccm_strlist_add(&h->global_known_hosts, "/etc/ssh/ssh_known_hosts2")) < 0)) {
        return rc;
    }
    if ((rc = expand_list(&h->identity, h, alias, home, local_user)) < 0 ||
        (rc = expand_list(&h->user_known_hosts, h, alias, home, local_user)) < 0 ||
        (rc = expand_list(&h->global_known_hosts, h, alias, home, local_user)) < 0) {
        return rc;
    }
    return CCM_OK;
}
