/*
 * cmd_demo.c - `ccmsync demo [DIR]`: a self-contained walk-through, driving
 * the same command code a member runs (README, "Demo").
 *
 * Peru creates the group, loads the public reference facts and the work
 * plan's timeline (`seed`) and illustrative sample records, and shares them
 * on a hub (a folder); Norway and Malawi join and are admitted; all three
 * edit the same state offline (concurrently, on the same and on different
 * fields) and log activities; Peru writes a note for Peru and Norway only;
 * they sync in a mixed order; the demo shows the converged record with the
 * concurrent value that lost, the activity log, the note that Malawi cannot
 * see, the audit trail of the state, a verification, the exports of the
 * three members compared byte for byte, and the report, printed and written
 * as HTML into the demo folder.
 *
 * It needs no network, no input and no passphrase (--no-passphrase). Every
 * file it writes, and every path it prints, is in DIR (or the folder it
 * made in $TMPDIR, else /tmp). With --json, what the steps print goes to DIR/demo.log
 * and stdout is one JSON summary.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sodium.h>

#include "cli.h"
#include "demo_data.h"

#define PATH_CAP 4200

typedef struct {
    char base[PATH_CAP];
    char hub[PATH_CAP + 16];
    int (*run)(int argc, char **argv); /* the dispatcher (ccm_cli.run) */
} demo;

/* Runs one ccmsync command line against the store `who` (a folder in the
 * demo's), echoing it as the member would type it. With `out`, its stdout
 * goes to that file of the demo folder (which the demo then reads); with
 * `in`, its stdin comes from that file, as a member would pipe it. */
/* Points file descriptor `to` (0 or 1) at the file `name` of the demo
 * folder; *saved keeps what it was. */
static int redirect(const demo *d, int to, const char *name, int *saved)
{
    char path[PATH_CAP + 64];
    int fd;

    snprintf(path, sizeof(path), "%s/%s", d->base, name);
    fd = to == 0 ? open(path, O_RDONLY) : open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || (*saved = dup(to)) < 0 || dup2(fd, to) < 0) {
        if (fd >= 0) {
            close(fd);
        }
        return ccm_error_set(CCM_ERROR, "cannot open '%s'", path);
    }
    close(fd);
    return CCM_OK;
}

static void put_back(int to, int *saved)
{
    if (*saved >= 0) {
        dup2(*saved, to);
        close(*saved);
        *saved = -1;
    }
}

/* Runs one ccmsync command line against the store `who` (a folder in the
 * demo's), echoing it as the member would type it. With `out`, its stdout
 * goes to that file of the demo folder (which the demo then reads); with
 * `in`, its stdin comes from that file, as a member would pipe it. */
static int step(const demo *d, const char *who, const char *title, const char *const *args,
                const char *out, const char *in)
{
    char store[PATH_CAP + 16], *argv[40];
    int argc = 0, rc = CCM_OK, saved_in = -1, saved_out = -1;

    snprintf(store, sizeof(store), "%s/%s", d->base, who);
    argv[argc++] = "ccmsync";
    argv[argc++] = "-C";
    argv[argc++] = store;
    for (; *args && argc < 39; args++) {
        argv[argc++] = (char *)*args;
    }
    argv[argc] = NULL;
    if (title) {
        printf("\n== %s\n", title);
    }
    printf("[%s] $ ccmsync", who);
    for (int i = 3; i < argc; i++) {
        printf(strpbrk(argv[i], " '") ? " '%s'" : " %s", argv[i]);
    }
    printf("%s%s%s%s\n", in ? " < " : "", in ? in : "", out ? " > " : "", out ? out : "");
    fflush(stdout);
    if ((in && (rc = redirect(d, 0, in, &saved_in)) < 0) ||
        (out && (rc = redirect(d, 1, out, &saved_out)) < 0)) {
        put_back(0, &saved_in);
        return rc;
    }
    clearerr(stdin);
    rc = d->run(argc, argv);
    fflush(stdout);
    put_back(1, &saved_out);
    put_back(0, &saved_in);
    clearerr(stdin);
    return rc == 0 ? CCM_OK : ccm_error_set(CCM_ERROR, "demo step failed (exit %d)", rc);
}

#define RUN(who, title, out, in, ...)                                                              \
    do {                                                                                           \
        const char *const a_[] = {__VA_ARGS__, NULL};                                              \
        if ((rc = step(d, who, title, a_, out, in)) < 0) {                                         \
            return rc;                                                                             \
        }                                                                                          \
    } while (0)
#define STEP(who, title, ...) RUN(who, title, NULL, NULL, __VA_ARGS__)

/* Writes `text` into the file `name` of the demo folder. */
static int write_text(const demo *d, const char *name, const char *text)
{
    char path[PATH_CAP + 64];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", d->base, name);
    if (!(f = fopen(path, "w")) || fputs(text, f) < 0 || fclose(f) != 0) {
        return ccm_error_set(CCM_ERROR, "cannot write '%s'", path);
    }
    return CCM_OK;
}

/* The file `name` of the demo folder, whole (caller frees), or NULL. */
static char *read_text(const demo *d, const char *name, size_t *len)
{
    char path[PATH_CAP + 64], *buf = NULL;
    FILE *f;
    long n;

    snprintf(path, sizeof(path), "%s/%s", d->base, name);
    if ((f = fopen(path, "rb")) && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
        fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1))) {
        *len = fread(buf, 1, (size_t)n, f);
        buf[*len] = 0;
    }
    if (f) {
        fclose(f);
    }
    return buf;
}

/* A JSON document a step wrote into the demo folder (new reference). */
static json_t *read_json(const demo *d, const char *name)
{
    size_t len = 0;
    char *text = read_text(d, name, &len);
    json_t *doc = text ? json_loadb(text, len, 0, NULL) : NULL;

    free(text);
    return doc;
}

/* A join: the request line goes to a file, as a member would copy it. */
static int join(const demo *d, const char *who, const char *member, char *request, size_t cap)
{
    char file[64];
    const char *const args[] = {"join", d->hub, "--member", member, "--no-passphrase", NULL};
    size_t len = 0;
    char *text;
    int rc;

    snprintf(file, sizeof(file), "%s.request", who);
    if ((rc = step(d, who, NULL, args, file, NULL)) < 0) {
        return rc;
    }
    if (!(text = read_text(d, file, &len))) {
        return ccm_error_set(CCM_ERROR, "cannot read the join request");
    }
    snprintf(request, cap, "%.*s", (int)strcspn(text, "\n"), text);
    free(text);
    printf("%s\n", request);
    return CCM_OK;
}

/* Forming the group, offline edits and the mixed-order syncs. */
static int story(const demo *d)
{
    char request[1024], iwg1[17], ipu[17], data[PATH_CAP + 64];
    int rc;

    ccm_cli_seed_activity_id(iwg1, "timeline 2024-12 iwg-1");
    ccm_cli_seed_activity_id(ipu, "timeline 2025-02 ipu");
    if ((rc = write_text(d, "sample-records.json", ccm_demo_records)) < 0) {
        return rc;
    }
    STEP("peru",
         "Peru creates the group, loads the reference facts and the work plan's timeline, adds "
         "illustrative sample records and shares them on the hub",
         "init", "--member", "Peru", "--no-passphrase");
    STEP("peru", NULL, "seed");
    snprintf(data, sizeof(data), "%s/sample-records.json", d->base);
    STEP("peru", NULL, "import", data);
    STEP("peru", NULL, "remote", "add", "origin", d->hub);
    STEP("peru", NULL, "sync");

    printf("\n== Norway and Malawi join through the hub; Peru admits them\n");
    if ((rc = join(d, "norway", "Norway", request, sizeof(request))) < 0) {
        return rc;
    }
    STEP("peru", NULL, "member", "add", request, "--role", "editor");
    if ((rc = join(d, "malawi", "Malawi", request, sizeof(request))) < 0) {
        return rc;
    }
    STEP("peru", NULL, "member", "add", request, "--role", "editor");
    STEP("peru", NULL, "sync");
    STEP("norway", NULL, "sync");
    STEP("malawi", NULL, "sync");

    STEP("peru", "Offline: all three edit Indonesia at once; each records what was done", "state",
         "set", "IDN", "priority=high", "lead+=Peru", "last_contact=2025-03-12");
    STEP("norway", NULL, "state", "set", "IDN", "priority=medium", "lead+=Norway",
         "next_step=Raise at the bilateral consultations");
    STEP("malawi", NULL, "state", "set", "IDN", "survey_reasons+=priorities",
         "survey_comment=Survey reply expected before the 13MSP");
    STEP("peru", NULL, "activity", "add", "--type", "bilateral", "--date", "2025-03-12",
         "states=IDN", "by=Peru", "status=done",
         "summary=Meeting with the Permanent Mission in Geneva", "source=illustrative");
    STEP("peru", NULL, "activity", "set", iwg1, "status=done", "by=Norway,Peru");
    STEP("norway", NULL, "activity", "add", "--type", "iwg-meeting", "--date", "2025-04-08",
         "by=Norway,Peru", "status=done", "summary=Third meeting of the Informal Working Group",
         "source=illustrative");
    STEP("norway", NULL, "activity", "set", ipu, "status=done", "by=Norway");
    STEP("malawi", NULL, "activity", "add", "--type", "regional-workshop", "--date", "2025-06-17",
         "states=KEN,TZA,UGA", "by=Malawi", "status=planned",
         "summary=Regional workshop on ratification (Africa)", "source=illustrative");

    if ((rc = write_text(d, "note.txt",
                         "Illustrative: the delegation said ratification is on the parliament's "
                         "agenda;\nthey asked that this stay between Peru and Norway until they "
                         "announce it.\n")) < 0) {
        return rc;
    }
    RUN("peru", "Peru writes a sensitive note for Peru and Norway only", "note.id", "note.txt",
        "note", "add", "--on", "IDN", "--to", "Norway", "--title",
        "Read-out of the Geneva meeting");

    STEP("malawi", "They reconnect and sync, in a mixed order", "sync");
    STEP("peru", NULL, "sync");
    STEP("norway", NULL, "sync");
    STEP("malawi", NULL, "sync");
    STEP("peru", NULL, "sync");
    return CCM_OK;
}

/* What every member now sees: records, note, audit trail, verification,
 * exports, and the report. */
static int results(const demo *d, char *note_id, size_t cap, char report[PATH_CAP + 16])
{
    size_t len = 0;
    char *text = read_text(d, "note.id", &len);
    int rc;

    snprintf(note_id, cap, "%.*s", text ? (int)strcspn(text, "\n") : 0, text ? text : "");
    free(text);
    STEP("norway",
         "Converged: every member sees the same record (the losing concurrent value stays "
         "visible)",
         "state", "show", "IDN");
    STEP("malawi", NULL, "activity", "list");
    STEP("norway", "The note: Norway reads it; Malawi, not a recipient, sees no note", "note",
         "show", note_id);
    STEP("malawi", NULL, "note", "list");
    STEP("peru", "Audit trail of Indonesia: who changed what, when, from what to what", "log",
         "IDN");
    STEP("malawi", "Every member verifies the whole history", "verify");
    RUN("peru", "The three exports, compared byte for byte", "export-peru.json", NULL, "export");
    RUN("norway", NULL, "export-norway.json", NULL, "export");
    RUN("malawi", NULL, "export-malawi.json", NULL, "export");
    RUN("norway", NULL, "state-IDN.json", NULL, "--json", "state", "show", "IDN");
    RUN("peru", NULL, "log-IDN.json", NULL, "--json", "log", "IDN");
    RUN("malawi", NULL, "notes-malawi.json", NULL, "--json", "note", "list");
    STEP("norway",
         "The report: the universalization segment of the MSP progress report, from the "
         "records",
         "report");
    snprintf(report, PATH_CAP + 16, "%s/report.html", d->base);
    STEP("norway", NULL, "report", "-o", report);
    return CCM_OK;
}

/* 1 if the three exports are the same bytes; their SHA-256 into hex. */
static int converged(const demo *d, char hex[65])
{
    size_t la = 0, lb = 0, lc = 0;
    char *a = read_text(d, "export-peru.json", &la), *b = read_text(d, "export-norway.json", &lb);
    char *c = read_text(d, "export-malawi.json", &lc);
    unsigned char h[crypto_hash_sha256_BYTES];
    int same =
        a && b && c && la == lb && la == lc && memcmp(a, b, la) == 0 && memcmp(a, c, la) == 0;

    hex[0] = 0;
    if (a) {
        crypto_hash_sha256(h, (const unsigned char *)a, la);
        sodium_bin2hex(hex, 65, h, sizeof(h));
    }
    free(a);
    free(b);
    free(c);
    return same;
}

static int summary_json(const demo *d, const char *report, const char *log)
{
    json_t *state = read_json(d, "state-IDN.json"), *audit = read_json(d, "log-IDN.json");
    json_t *notes = read_json(d, "notes-malawi.json"), *conflicts = json_object(), *v, *doc;
    const char *field;
    char hex[65];
    int same = converged(d, hex), rc;

    json_object_foreach(json_object_get(state, "conflicts"), field, v)
    {
        json_object_set_new(conflicts, field, json_integer((json_int_t)json_array_size(v)));
    }
    doc =
        json_pack("{s:s, s:s, s:[s,s,s], s:b, s:s, s:{s:s, s:o, s:I}, s:{s:[s,s], s:I}, s:b, "
                  "s:s, s:s}",
                  "dir", d->base, "hub", d->hub, "members", "Peru", "Norway", "Malawi", "converged",
                  same, "export_sha256", hex, "state", "id", "IDN", "conflicts", conflicts,
                  "audit_entries", (json_int_t)json_array_size(audit), "note", "recipients",
                  "Norway", "Peru", "seen_by_malawi", (json_int_t)json_array_size(notes),
                  "verified", 1, "report", report, "log", log);
    rc = doc ? ccm_print_json(doc) : ccm_error_set(CCM_ERROR, "out of memory");
    json_decref(doc);
    json_decref(state);
    json_decref(audit);
    json_decref(notes);
    return same || rc < 0 ? rc : ccm_error_set(CCM_ERROR, "the members' exports differ");
}

/* Sends stdout and stderr to `path` (json mode); *saved keeps them. */
static int divert(int saved[2], const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

    fflush(stdout);
    fflush(stderr);
    if (fd < 0 || (saved[0] = dup(1)) < 0 || (saved[1] = dup(2)) < 0 || dup2(fd, 1) < 0 ||
        dup2(fd, 2) < 0) {
        if (fd >= 0) {
            close(fd);
        }
        return ccm_error_set(CCM_ERROR, "cannot write '%s'", path);
    }
    close(fd);
    return CCM_OK;
}

static void restore(int saved[2])
{
    fflush(stdout);
    fflush(stderr);
    for (int i = 0; i < 2; i++) {
        if (saved[i] >= 0) {
            dup2(saved[i], i + 1);
            close(saved[i]);
            saved[i] = -1;
        }
    }
}

int ccm_cmd_demo(ccm_cli *cli, int argc, char **argv)
{
    const char *tmp = getenv("TMPDIR");
    char tmpl[PATH_CAP], note_id[64], report[PATH_CAP + 16] = "", log[PATH_CAP + 16] = "", hex[65];
    demo d;
    int rc, saved[2] = {-1, -1};

    snprintf(tmpl, sizeof(tmpl), "%.4000s/ccmsync-demo-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (argc > 1) {
        return ccm_usage(cli, "too many arguments");
    }
    if (!(d.run = cli->run)) {
        return ccm_error_set(CCM_ERROR, "the demo needs the command dispatcher");
    }
    if (argc == 1 && strlen(argv[0]) >= PATH_CAP - 64) {
        return ccm_error_set(CCM_EINVALID, "demo folder name too long");
    }
    if (argc == 0 && !mkdtemp(tmpl)) {
        return ccm_error_set(CCM_ERROR, "cannot create a demo folder: %s", strerror(errno));
    }
    snprintf(d.base, sizeof(d.base), "%s", argc == 1 ? argv[0] : tmpl);
    snprintf(d.hub, sizeof(d.hub), "%s/hub.git", d.base);
    if (argc == 1 && mkdir(d.base, 0700) < 0 && errno != EEXIST) {
        return ccm_error_set(CCM_ERROR, "cannot create '%s': %s", d.base, strerror(errno));
    }
    if (access(d.hub, F_OK) == 0) {
        return ccm_error_set(CCM_EINVALID, "'%s' already holds a demo; give another DIR", d.base);
    }
    if (cli->json) {
        snprintf(log, sizeof(log), "%s/demo.log", d.base);
        if ((rc = divert(saved, log)) < 0) {
            return rc;
        }
    }
    printf("ccmsync demo in %s: a hub (hub.git) and the stores of three members, Peru, Norway\n"
           "and Malawi. The reference facts come from public sources (each record names its\n"
           "source); leads, priorities, survey reasons, activities and the note are "
           "illustrative.\n",
           d.base);
    if ((rc = story(&d)) == CCM_OK) {
        rc = results(&d, note_id, sizeof(note_id), report);
    }
    if (cli->json) {
        restore(saved);
        return rc < 0 ? rc : summary_json(&d, report, log);
    }
    if (rc < 0) {
        return rc;
    }
    if (!converged(&d, hex)) {
        return ccm_error_set(CCM_ERROR, "the members' exports differ");
    }
    printf("\nConverged: the exports of Peru, Norway and Malawi are the same bytes (SHA-256 "
           "%.16s...).\n"
           "The report is in %s (open it in a browser, or print it).\n"
           "The stores are in %s (peru, norway, malawi), the hub in %s.\n",
           hex, report, d.base, d.hub);
    return CCM_OK;
}
