/*
 * ssh_auth.c - logging in to an ssh remote through libgit2's libssh2
 * transport: where the host really is (ssh config), which keys to offer
 * (ssh-agent first, then the IdentityFile entries or ~/.ssh/id_ed25519,
 * id_ecdsa, id_rsa), their passphrases, and whether the server's host key
 * is the one known_hosts records.
 *
 * libgit2 asks for credentials again after each refusal; each request gets
 * the next candidate, and GIT_EAUTH with a message once none is left, so a
 * refused login ends instead of looping. A passphrase comes from
 * CCMSYNC_SSH_PASSPHRASE or the terminal (through the command line's
 * prompt hook), is asked once per key and command, and lives in
 * sodium_malloc'ed memory only.
 *
 * The host-key check runs at every connection, before any credential is
 * sent; it reads the user's and the system's known_hosts files (libgit2
 * 1.5.1 reads only ~/.ssh/known_hosts, and then lets this callback decide).
 */
#include <errno.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "sync_private.h"

#define PASS_MAX 1024

const char *ccm_sync_home(void)
{
    const char *home = getenv("HOME");
    struct passwd *pw;

    if (home && *home) {
        return home;
    }
    pw = getpwuid(getuid());
    return pw && pw->pw_dir ? pw->pw_dir : "/";
}

static void local_user(char *out, size_t cap)
{
    struct passwd *pw = getpwuid(getuid());
    const char *env = getenv("USER");

    snprintf(out, cap, "%s", pw && pw->pw_name ? pw->pw_name : env && *env ? env : "root");
}

/* A path for messages: "~/..." under the home folder. */
static const char *tilde(char *buf, size_t cap, const char *path)
{
    const char *home = ccm_sync_home();
    size_t n = strlen(home);

    if (n > 1 && strncmp(path, home, n) == 0 && path[n] == '/') {
        snprintf(buf, cap, "~%s", path + n);
        return buf;
    }
    return path;
}

static void append(char *buf, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void append(char *buf, size_t cap, const char *fmt, ...)
{
    size_t used = strlen(buf);
    va_list ap;

    if (used + 2 >= cap) {
        return;
    }
    if (used) {
        buf[used++] = ',';
        buf[used++] = ' ';
        buf[used] = 0;
    }
    va_start(ap, fmt);
    vsnprintf(buf + used, cap - used, fmt, ap);
    va_end(ap);
}

/* Whether SSH_AUTH_SOCK names an agent that answers the phone: libssh2
 * aborts the whole login (rather than trying the next key) when it cannot
 * reach the agent. */
static int agent_reachable(void)
{
    const char *sock = getenv("SSH_AUTH_SOCK");
    struct sockaddr_un sa;
    int fd, ok;

    if (!sock || !*sock || strlen(sock) >= sizeof(sa.sun_path)) {
        return 0;
    }
    memset(&sa, 0, sizeof(sa));
    sa.sun_family = AF_UNIX;
    memcpy(sa.sun_path, sock, strlen(sock));
    if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
        return 0;
    }
    ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
    close(fd);
    return ok;
}

/* Reads a big-endian uint32-prefixed string at *p (of end). */
static int take_string(const uint8_t **p, const uint8_t *end, const uint8_t **s, size_t *n)
{
    uint32_t len;

    if (end - *p < 4) {
        return -1;
    }
    len = (uint32_t)(*p)[0] << 24 | (uint32_t)(*p)[1] << 16 | (uint32_t)(*p)[2] << 8 | (*p)[3];
    if (len > (size_t)(end - *p) - 4) {
        return -1;
    }
    *s = *p + 4;
    *n = len;
    *p += 4 + len;
    return 0;
}

/* An "openssh-key-v1" private key: cipher (encrypted unless "none") and the
 * type of its first public key, both stored in the clear. */
static int inspect_openssh(const char *pem, int *encrypted, char *type, size_t cap)
{
    const char *begin = strstr(pem, "-----BEGIN OPENSSH PRIVATE KEY-----");
    const char *end = strstr(pem, "-----END OPENSSH PRIVATE KEY-----");
    char *b64 = NULL;
    uint8_t *bin = NULL;
    const uint8_t *p, *e, *s;
    size_t n = 0, len;
    long blen;
    int rc = -1;

    if (!begin || !end || end < begin || !(b64 = malloc((size_t)(end - begin) + 1))) {
        return -1;
    }
    for (const char *c = begin + 35; c < end; c++) {
        if (*c != '\n' && *c != '\r' && *c != ' ' && *c != '\t') {
            b64[n++] = *c;
        }
    }
    if (!(bin = malloc(n + 1)) || (blen = ccm_base64_decode(bin, n + 1, b64, n)) < 15 ||
        memcmp(bin, "openssh-key-v1", 15) != 0) {
        goto done;
    }
    p = bin + 15;
    e = bin + blen;
    if (take_string(&p, e, &s, &len) < 0) { /* cipher */
        goto done;
    }
    *encrypted = !(len == 4 && memcmp(s, "none", 4) == 0);
    if (take_string(&p, e, &s, &len) < 0 || take_string(&p, e, &s, &len) < 0 || e - p < 4) {
        goto done; /* kdf name, kdf options, key count */
    }
    p += 4;
    if (take_string(&p, e, &s, &len) == 0 && ccm_ssh_key_type(type, cap, s, len) == 0) {
        rc = 0;
    }
done:
    free(b64);
    free(bin);
    return rc;
}

/* Whether a key file is one libssh2 can use, and whether it is encrypted.
 * -1 (with *why) if it cannot be used. */
static int inspect_key(const char *path, int *encrypted, const char **why)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    char type[128] = "";
    const char *pem;
    int rc = -1;

    *encrypted = 0;
    *why = "not a private key ccmsync can read";
    if (ccm_file_read(&buf, &len, path) < 0) {
        ccm_error_clear();
        *why = "unreadable";
        return -1;
    }
    if (len > 1 << 20 || memchr(buf, 0, len)) {
        goto done;
    }
    {
        uint8_t *z = realloc(buf, len + 1);
        if (!z) {
            goto done;
        }
        buf = z;
        buf[len] = 0;
    }
    pem = (const char *)buf;
    if (strstr(pem, "-----BEGIN OPENSSH PRIVATE KEY-----")) {
        if (inspect_openssh(pem, encrypted, type, sizeof(type)) < 0) {
            goto done;
        }
        if (strcmp(type, "ssh-ed25519") != 0 && strncmp(type, "ecdsa-sha2-nistp", 16) != 0 &&
            strcmp(type, "ssh-rsa") != 0 && strcmp(type, "ssh-dss") != 0) {
            *why = "a key type libssh2 cannot use (security keys are not supported)";
            goto done;
        }
        rc = 0;
    } else if (strstr(pem, "-----BEGIN ENCRYPTED PRIVATE KEY-----")) {
        *encrypted = 1;
        rc = 0;
    } else if (strstr(pem, "-----BEGIN RSA PRIVATE KEY-----") ||
               strstr(pem, "-----BEGIN EC PRIVATE KEY-----") ||
               strstr(pem, "-----BEGIN DSA PRIVATE KEY-----") ||
               strstr(pem, "-----BEGIN PRIVATE KEY-----")) {
        *encrypted = strstr(pem, "Proc-Type: 4,ENCRYPTED") != NULL;
        rc = 0;
    }
done:
    ccm_wipe_free(buf, len);
    return rc;
}

int ccm_ssh_auth_prepare(ccm_auth *a)
{
    const char *home = ccm_sync_home();
    char user[256], path[4096], shown[4096];
    int rc;

    local_user(user, sizeof(user));
    snprintf(path, sizeof(path), "%s/.ssh/config", home);
    snprintf(shown, sizeof(shown), "%s/.ssh", home);
    if ((rc = ccm_ssh_config_load(&a->host, path, a->url.host, shown, home, 0)) < 0 ||
        (rc = ccm_ssh_config_load(&a->host, "/etc/ssh/ssh_config", a->url.host, "/etc/ssh", home,
                                  0)) < 0 ||
        (rc = ccm_ssh_host_finish(&a->host, a->url.host,
                                  a->url.user && *a->url.user ? a->url.user : NULL, a->url.port,
                                  home, user)) < 0) {
        return rc;
    }
    if (!(a->effective = ccm_url_ssh_format(a->host.user, a->host.hostname, a->host.port,
                                            a->url.path, a->url.scp))) {
        return ccm_error_set(CCM_EINVALID, "ssh URL too long");
    }
    a->agent = !a->host.identities_only && agent_reachable();
    if (!(a->keys = calloc(a->host.identity.n + 1, sizeof(*a->keys)))) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    for (size_t i = 0; i < a->host.identity.n; i++) {
        const char *key = a->host.identity.v[i], *why = NULL;
        int encrypted = 0;
        struct stat st;
        if (stat(key, &st) != 0 || !S_ISREG(st.st_mode)) {
            continue; /* no such key: as ssh, silently */
        }
        if (inspect_key(key, &encrypted, &why) < 0) {
            append(a->skipped, sizeof(a->skipped), "%s: %s", tilde(shown, sizeof(shown), key), why);
            continue;
        }
        if (!(a->keys[a->nkeys].path = strdup(key))) {
            return ccm_error_set(CCM_ERROR, "out of memory");
        }
        a->keys[a->nkeys++].encrypted = encrypted;
    }
    a->last_key = -1;
    return CCM_OK;
}

/* The passphrase of key k: CCMSYNC_SSH_PASSPHRASE, else asked on the
 * terminal. -1 if neither. */
static int key_passphrase(ccm_ssh_key *k)
{
    const char *env = getenv("CCMSYNC_SSH_PASSPHRASE");
    char question[4400], shown[4096];
    long n;

    if (!(k->pass = ccm_secret_alloc(PASS_MAX))) {
        return -1;
    }
    if (env && *env && strlen(env) < PASS_MAX) {
        memcpy(k->pass, env, strlen(env) + 1);
        return 0;
    }
    snprintf(question, sizeof(question),
             "Enter passphrase for key '%s': ", tilde(shown, sizeof(shown), k->path));
    n = ccm_sync_prompt(k->pass, PASS_MAX, question);
    if (n <= 0) {
        ccm_secret_free(k->pass);
        k->pass = NULL;
        return -1;
    }
    return 0;
}

int ccm_ssh_auth_credential(git_credential **out, ccm_auth *a, const char *user,
                            unsigned int allowed)
{
    char shown[4096];

    if (allowed & GIT_CREDENTIAL_USERNAME) {
        return git_credential_username_new(out, a->host.user);
    }
    if (!user) {
        user = a->host.user;
    }
    if (!(allowed & GIT_CREDENTIAL_SSH_KEY)) {
        ccm_auth_reason(a,
                        "the ssh server %s does not accept a public key from '%s' (ccmsync logs in "
                        "with ssh keys only)",
                        a->host.hostname, user);
        return GIT_EAUTH;
    }
    while (a->next < a->nkeys + 1) {
        size_t i = a->next++;
        ccm_ssh_key *k;
        if (i == 0) {
            if (!a->agent) {
                continue;
            }
            append(a->tried, sizeof(a->tried), "ssh-agent");
            a->last_key = -1;
            return git_credential_ssh_key_from_agent(out, user);
        }
        k = &a->keys[i - 1];
        if (k->encrypted && !k->pass && key_passphrase(k) < 0) {
            append(a->skipped, sizeof(a->skipped),
                   "%s: needs its passphrase (set CCMSYNC_SSH_PASSPHRASE or run on a terminal)",
                   tilde(shown, sizeof(shown), k->path));
            k->encrypted = 0; /* skipped: do not ask again in this command */
            k->path[0] = 0;
            continue;
        }
        if (!k->path[0]) {
            continue;
        }
        append(a->tried, sizeof(a->tried), "%s", tilde(shown, sizeof(shown), k->path));
        a->last_key = (int)(i - 1);
        return git_credential_ssh_key_new(out, user, NULL, k->path, k->pass);
    }
    if (!a->tried[0]) {
        char looked[600] = "";
        for (size_t j = 0; j < a->host.identity.n; j++) {
            append(looked, sizeof(looked), "%s",
                   tilde(shown, sizeof(shown), a->host.identity.v[j]));
        }
        ccm_auth_reason(a, "no ssh key to offer to %s as '%s' (%s; no usable key among %s%s%s)",
                        a->host.hostname, user,
                        a->host.identities_only ? "IdentitiesOnly"
                                                : "no ssh-agent at SSH_AUTH_SOCK",
                        looked, a->skipped[0] ? "; " : "", a->skipped);
    } else {
        ccm_auth_reason(a,
                        "the ssh server %s refused every key offered for '%s' (%s%s%s): add your "
                        "public key to its authorized_keys",
                        a->host.hostname, user, a->tried, a->skipped[0] ? "; skipped " : "",
                        a->skipped);
    }
    return GIT_EAUTH;
}

static void read_known_hosts(ccm_kh_result *r, const ccm_strlist *files, const char *name,
                             const uint8_t *key, size_t key_len)
{
    char shown[4096];

    for (size_t i = 0; i < files->n; i++) {
        uint8_t *buf = NULL;
        size_t len = 0;
        if (ccm_file_read(&buf, &len, files->v[i]) == CCM_OK) {
            ccm_known_hosts_check(r, (const char *)buf, len,
                                  tilde(shown, sizeof(shown), files->v[i]), name, key, key_len);
        }
        ccm_error_clear();
        free(buf);
    }
}

/* The name of the server in known_hosts: HostKeyAlias, or [host]:port. */
static void known_name(char *out, size_t cap, const ccm_auth *a)
{
    if (a->host.host_key_alias) {
        snprintf(out, cap, "%s", a->host.host_key_alias);
    } else {
        ccm_known_hosts_name(out, cap, a->host.hostname, a->host.port);
    }
}

/* The key types known_hosts lists for the server ("" if none): every entry
 * for it is of another type than a key of type "-". */
static void known_types(char *out, size_t cap, const ccm_auth *a)
{
    static const uint8_t none[] = {0, 0, 0, 1, '-'};
    ccm_kh_result r;
    char name[600];

    memset(&r, 0, sizeof(r));
    known_name(name, sizeof(name), a);
    read_known_hosts(&r, &a->host.user_known_hosts, name, none, sizeof(none));
    read_known_hosts(&r, &a->host.global_known_hosts, name, none, sizeof(none));
    snprintf(out, cap, "%s", r.types);
}

void ccm_ssh_auth_explain(ccm_auth *a, const char *msg)
{
    char shown[4096];

    if (a->reason[0] || !msg) {
        return;
    }
    if ((strstr(msg, "Wrong passphrase") || strstr(msg, "Unable to extract public key")) &&
        a->last_key >= 0) {
        ccm_ssh_key *k = &a->keys[a->last_key];
        ccm_auth_reason(a,
                        k->encrypted ? "wrong passphrase for the ssh key '%s'"
                                     : "libssh2 cannot read the ssh key '%s'",
                        tilde(shown, sizeof(shown), k->path));
        ccm_secret_free(k->pass);
        k->pass = NULL;
    } else if (strstr(msg, "exchange encryption keys") || strstr(msg, "failed to start SSH")) {
        /* libgit2 asks only for the host-key type ~/.ssh/known_hosts lists:
         * a server without one of that type cannot even start a session. */
        char types[160], name[600];
        known_types(types, sizeof(types), a);
        known_name(name, sizeof(name), a);
        if (types[0]) {
            ccm_auth_reason(a,
                            "the ssh server %s offers no host key of the type known_hosts holds "
                            "for it (%s): its keys were replaced, or someone is intercepting the "
                            "connection (man in the middle); refusing. Once its administrator "
                            "confirms the new key, remove the old one with 'ssh-keygen -R \"%s\"'",
                            name, types, name);
        }
    } else if (a->tried[0] && (strstr(msg, "authentication") || strstr(msg, "Failed getting"))) {
        ccm_auth_reason(a,
                        "the ssh server %s refused the keys offered for '%s' (%s) and closed the "
                        "connection: add your public key to its authorized_keys",
                        a->host.hostname, a->host.user, a->tried);
    }
}

int ccm_ssh_auth_hostkey(ccm_auth *a, git_cert *cert)
{
    const git_cert_hostkey *hk = (const git_cert_hostkey *)cert;
    ccm_kh_result r;
    char name[600], fp[64], type[128], shown[4096], scan[700];
    const char *label, *file;

    if (cert->cert_type != GIT_CERT_HOSTKEY_LIBSSH2) {
        return GIT_PASSTHROUGH;
    }
    /* A new ssh connection: offer the credentials from the first again. */
    a->next = 0;
    a->tried[0] = 0;
    a->last_key = -1;
    a->reason[0] = 0;
    if (!(hk->type & GIT_CERT_SSH_RAW) || !hk->hostkey ||
        ccm_ssh_key_type(type, sizeof(type), (const uint8_t *)hk->hostkey, hk->hostkey_len) < 0) {
        ccm_auth_reason(a, "libgit2 did not give the ssh host key of %s", a->host.hostname);
        return GIT_ECERTIFICATE;
    }
    known_name(name, sizeof(name), a);
    memset(&r, 0, sizeof(r));
    read_known_hosts(&r, &a->host.user_known_hosts, name, (const uint8_t *)hk->hostkey,
                     hk->hostkey_len);
    read_known_hosts(&r, &a->host.global_known_hosts, name, (const uint8_t *)hk->hostkey,
                     hk->hostkey_len);
    if (r.status == CCM_KH_MATCH) {
        return 0;
    }
    ccm_ssh_key_fingerprint(fp, sizeof(fp), (const uint8_t *)hk->hostkey, hk->hostkey_len);
    label = ccm_ssh_key_type_label(type);
    file = a->host.user_known_hosts.n ? tilde(shown, sizeof(shown), a->host.user_known_hosts.v[0])
                                      : "~/.ssh/known_hosts";
    if (a->host.port != 22) {
        snprintf(scan, sizeof(scan), "ssh-keyscan -p %d %s >> %s", a->host.port, a->host.hostname,
                 file);
    } else {
        snprintf(scan, sizeof(scan), "ssh-keyscan %s >> %s", a->host.hostname, file);
    }
    switch (r.status) {
    case CCM_KH_REVOKED:
        ccm_auth_reason(
            a, "the ssh host key of %s (%s %s) is marked @revoked in %s; refusing to connect", name,
            label, fp, r.where);
        break;
    case CCM_KH_CHANGED:
        ccm_auth_reason(
            a,
            "the ssh host key of %s has CHANGED (now %s %s; %s holds another): someone may "
            "be intercepting the connection (man in the middle), or the server's key was "
            "replaced; refusing. Once its administrator confirms %s, remove the old key with "
            "'ssh-keygen -R \"%s\"' and add the new one",
            name, label, fp, r.where, fp, name);
        break;
    case CCM_KH_OTHER_TYPE:
        ccm_auth_reason(
            a,
            "the ssh host key of %s is not known (%s %s; known_hosts holds only %s keys for "
            "it): check this fingerprint with the server's administrator, then add the key "
            "with '%s'",
            name, label, fp, r.types, scan);
        break;
    default:
        ccm_auth_reason(
            a,
            "the ssh host key of %s is not known (%s %s): check this fingerprint with the "
            "server's administrator (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub on the "
            "server), then add the key with '%s'",
            name, label, fp, scan);
        break;
    }
    return GIT_ECERTIFICATE;
}
