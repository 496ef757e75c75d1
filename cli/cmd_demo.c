/*
 * cmd_demo.c - `ccmsync demo [DIR]`: a self-contained walk-through on the
 * embedded sample data, driving the same command code a user runs.
 *
 * Peru creates the group and a hub remote (a folder); Norway and Malawi join
 * and are admitted; all three edit the same state offline (concurrently, on
 * the same and on different fields) and log activities; they sync in a mixed
 * order; the demo shows the converged record with the concurrent value that
 * lost, the activity log, a note only two of them can read, the audit trail
 * of the state, and a verification.
 * It needs no network, no input and no passphrase (--no-passphrase).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "cli.h"
#include "demo_data.h"

/* Runs one ccmsync command line against the store `who` (a folder in
 * `base`), echoing it as the member would type it. */
static int step(const char *base, const char *who, const char *title, const char *const *args,
                char *capture, size_t cap, const char *input)
{
    char store[4096], *argv[40];
    int argc = 0, rc, saved_in = -1;

    snprintf(store, sizeof(store), "%s/%s", base, who);
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
        printf(strchr(argv[i], ' ') ? " '%s'" : " %s", argv[i]);
    }
    if (input) {
        printf(" < %s", strrchr(input, '/') ? strrchr(input, '/') + 1 : input);
    }
    printf("\n");
    fflush(stdout);
    if (input) {
        /* The command reads its input (a note's body) from this file, as a
         * member would pipe it. */
        int fd = open(input, O_RDONLY);
        if (fd < 0 || (saved_in = dup(0)) < 0 || dup2(fd, 0) < 0) {
            if (fd >= 0) {
                close(fd);
            }
            return ccm_error_set(CCM_ERROR, "cannot read '%s'", input);
        }
        close(fd);
        clearerr(stdin);
    }
    if (capture) {
        /* The join request goes to a file, as a member would copy it. */
        char path[4200];
        FILE *f;
        int saved = dup(1), fd;
        snprintf(path, sizeof(path), "%s/%s.request", base, who);
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd < 0 || saved < 0) {
            return ccm_error_set(CCM_ERROR, "cannot write '%s'", path);
        }
        dup2(fd, 1);
        close(fd);
        rc = ccm_cli_run(argc, argv);
        fflush(stdout);
        dup2(saved, 1);
        close(saved);
        capture[0] = 0;
        if ((f = fopen(path, "r"))) {
            if (fgets(capture, (int)cap, f)) {
                capture[strcspn(capture, "\n")] = 0;
            }
            fclose(f);
        }
        printf("%s\n", capture);
    } else {
        rc = ccm_cli_run(argc, argv);
    }
    fflush(stdout);
    if (saved_in >= 0) {
        dup2(saved_in, 0);
        close(saved_in);
        clearerr(stdin);
    }
    return rc == 0 ? CCM_OK : ccm_error_set(CCM_ERROR, "demo step failed (exit %d)", rc);
}

#define STEP(who, title, ...)                                                                      \
    do {                                                                                           \
        const char *const a_[] = {__VA_ARGS__, NULL};                                              \
        if ((rc = step(base, who, title, a_, NULL, 0, NULL)) < 0) {                                \
            goto done;                                                                             \
        }                                                                                          \
    } while (0)

#define JOIN(who, member)                                                                          \
    do {                                                                                           \
        const char *const a_[] = {"join", hub, "--member", member, "--no-passphrase", NULL};       \
        if ((rc = step(base, who, NULL, a_, request, sizeof(request), NULL)) < 0) {                \
            goto done;                                                                             \
        }                                                                                          \
    } while (0)

int ccm_cmd_demo(ccm_cli *cli, int argc, char **argv)
{
    char tmpl[] = "/tmp/ccmsync-demo-XXXXXX", *base = NULL, data[4200], hub[4200], request[1024];
    FILE *f;
    int rc = CCM_OK;

    if (argc > 1) {
        return ccm_usage(cli, "too many arguments");
    }
    if (argc == 1) {
        base = strdup(argv[0]);
    } else if (mkdtemp(tmpl)) {
        base = strdup(tmpl);
    }
    if (!base) {
        return ccm_error_set(CCM_ERROR, "cannot create a demo folder");
    }
    if (argc == 1 && mkdir(base, 0700) < 0 && errno != EEXIST) {
        rc = ccm_error_set(CCM_ERROR, "cannot create '%s': %s", base, strerror(errno));
        goto done;
    }
    snprintf(data, sizeof(data), "%s/sample-states.json", base);
    snprintf(hub, sizeof(hub), "%s/hub.git", base);
    if (access(hub, F_OK) == 0) {
        rc = ccm_error_set(CCM_EINVALID, "'%s' already holds a demo; give another DIR", base);
        goto done;
    }
    if (!(f = fopen(data, "w")) || fputs(ccm_demo_states, f) < 0 || fclose(f) != 0) {
        rc = ccm_error_set(CCM_ERROR, "cannot write '%s'", data);
        goto done;
    }
    printf("ccmsync demo in %s: a hub remote (hub.git) and three members' stores.\n"
           "Sample states from ../shared/reference/ccm-facts.md; activities are illustrative.\n",
           base);

    STEP("peru", "Peru creates the group, imports the sample states, shares them on the hub",
         "init", "--member", "Peru", "--no-passphrase");
    STEP("peru", NULL, "import", data);
    STEP("peru", NULL, "remote", "add", "origin", hub);
    STEP("peru", NULL, "sync");

    printf("\n== Norway and Malawi join; Peru admits them\n");
    JOIN("norway", "Norway");
    STEP("peru", NULL, "member", "add", request, "--role", "editor");
    JOIN("malawi", "Malawi");
    STEP("peru", NULL, "member", "add", request, "--role", "editor");
    STEP("peru", NULL, "sync");
    STEP("norway", NULL, "sync");
    STEP("malawi", NULL, "sync");

    STEP("peru", "Offline: all three edit Indonesia at once; each logs an activity", "state", "set",
         "IDN", "priority=high", "lead+=Peru", "last_contact=2025-03-12");
    STEP("norway", NULL, "state", "set", "IDN", "priority=medium", "lead+=Norway",
         "next_step=Raise at the bilateral consultations");
    STEP("malawi", NULL, "state", "set", "IDN", "survey_reasons+=priorities",
         "survey_comment=Survey reply expected before the 13MSP");
    STEP("peru", NULL, "activity", "add", "--type", "bilateral", "--date", "2025-03-12",
         "states=IDN", "by=Peru", "status=done",
         "summary=Meeting with the Permanent Mission in Geneva");
    STEP("norway", NULL, "activity", "add", "--type", "iwg-meeting", "--date", "2025-04-08",
         "by=Norway,Peru", "status=done", "summary=Third meeting of the Informal Working Group");
    STEP("malawi", NULL, "activity", "add", "--type", "regional-workshop", "--date", "2025-06-17",
         "states=KEN,TZA,UGA", "by=Malawi", "status=planned",
         "summary=Regional workshop on ratification (Africa)");

    snprintf(data, sizeof(data), "%s/note.txt", base);
    if (!(f = fopen(data, "w")) ||
        fputs("Illustrative: the delegation said ratification is on the parliament's agenda;\n"
              "they asked that this stay between Peru and Norway until they announce it.\n",
              f) < 0 ||
        fclose(f) != 0) {
        rc = ccm_error_set(CCM_ERROR, "cannot write '%s'", data);
        goto done;
    }
    {
        const char *const a_[] = {"note", "add",    "--on",    "IDN",
                                  "--to", "Norway", "--title", "Read-out of the Geneva meeting",
                                  NULL};
        if ((rc = step(base, "peru", "Peru writes a sensitive note for Peru and Norway only", a_,
                       request, sizeof(request), data)) < 0) {
            goto done;
        }
    }

    STEP("malawi", "They reconnect and sync, in a mixed order", "sync");
    STEP("peru", NULL, "sync");
    STEP("norway", NULL, "sync");
    STEP("malawi", NULL, "sync");
    STEP("peru", NULL, "sync");

    STEP("norway",
         "Converged: every member sees the same record (the losing concurrent value "
         "stays visible)",
         "state", "show", "IDN");
    STEP("malawi", NULL, "activity", "list");
    STEP("norway", "The note: Norway reads it; Malawi, not a recipient, sees no note", "note",
         "show", request);
    STEP("malawi", NULL, "note", "list");
    STEP("peru", "Audit trail of Indonesia: who changed what, when, from what to what", "log",
         "IDN");
    STEP("malawi", "Every member verifies the whole history", "verify");
    printf("\nThe stores are in %s; compare: ccmsync -C %s/peru export | md5sum (and norway, "
           "malawi)\n",
           base, base);
done:
    free(base);
    return rc;
}
