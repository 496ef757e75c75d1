/*
 * cmd_demo.c - `ccmsync demo [DIR]`: a self-contained walk-through on the
 * embedded sample data, driving the same command code a user runs.
 *
 * One member (Peru) creates the group's store, imports the sample states,
 * logs work-plan activities, edits a state twice, and then shows the state,
 * the target list, its audit trail and a verification of the history. It
 * needs no network, no input and no passphrase (--no-passphrase).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>
#include <sys/stat.h>

#include "cli.h"
#include "demo_data.h"

/* Runs one ccmsync command line against the demo store, echoing it. */
static int step(const char *dir, const char *title, const char *const *args)
{
    char *argv[32];
    int argc = 0, rc;

    argv[argc++] = "ccmsync";
    argv[argc++] = "-C";
    argv[argc++] = (char *)dir;
    for (; *args && argc < 31; args++) {
        argv[argc++] = (char *)*args;
    }
    argv[argc] = NULL;
    if (title) {
        printf("\n== %s\n", title);
    }
    printf("$ ccmsync");
    for (int i = 3; i < argc; i++) {
        printf(strchr(argv[i], ' ') ? " '%s'" : " %s", argv[i]);
    }
    printf("\n");
    fflush(stdout);
    rc = ccm_cli_run(argc, argv);
    fflush(stdout);
    return rc == 0 ? CCM_OK : ccm_error_set(CCM_ERROR, "demo step failed (exit %d)", rc);
}

#define STEP(title, ...)                                                                           \
    do {                                                                                           \
        const char *const a_[] = {__VA_ARGS__, NULL};                                              \
        if ((rc = step(store, title, a_)) < 0) {                                                   \
            goto done;                                                                             \
        }                                                                                          \
    } while (0)

int ccm_cmd_demo(ccm_cli *cli, int argc, char **argv)
{
    char tmpl[] = "/tmp/ccmsync-demo-XXXXXX", *base = NULL, *store = NULL, *data = NULL;
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
    if (!base || !(store = malloc(strlen(base) + 16)) || !(data = malloc(strlen(base) + 32))) {
        rc = ccm_error_set(CCM_ERROR, "cannot create a demo folder");
        goto done;
    }
    sprintf(store, "%s/peru", base);
    sprintf(data, "%s/sample-states.json", base);
    if (argc == 1 && mkdir(base, 0700) < 0 && errno != EEXIST) {
        rc = ccm_error_set(CCM_ERROR, "cannot create '%s': %s", base, strerror(errno));
        goto done;
    }
    if (access(store, F_OK) == 0) {
        rc = ccm_error_set(CCM_EINVALID, "'%s' already holds a demo; give another DIR", store);
        goto done;
    }
    if (!(f = fopen(data, "w")) || fputs(ccm_demo_states, f) < 0 || fclose(f) != 0) {
        rc = ccm_error_set(CCM_ERROR, "cannot write '%s'", data);
        goto done;
    }
    printf("ccmsync demo in %s (sample data: ../shared/reference/ccm-facts.md; activities are "
           "illustrative)\n",
           base);
    STEP("Peru creates the group's store", "init", "--member", "Peru", "--no-passphrase");
    STEP("Peru imports the sample states", "import", data);
    STEP("Peru logs work-plan activities (dates illustrative)", "activity", "add", "--type",
         "iwg-meeting", "--date", "2024-12-05", "status=done", "by=Peru,Norway",
         "summary=First meeting of the Informal Working Group on Universalization");
    STEP(NULL, "activity", "add", "--type", "bilateral", "--date", "2025-03-12", "states=IDN",
         "by=Peru", "status=done", "summary=Meeting with the Permanent Mission in Geneva");
    STEP(NULL, "activity", "add", "--type", "ipu", "--date", "2025-02-20", "by=Norway",
         "status=planned", "summary=Meeting with the Secretary of the IPU");
    STEP("Peru updates Indonesia after the meeting", "state", "set", "IDN",
         "last_contact=2025-03-12", "lead+=Peru", "survey_reasons+=priorities",
         "next_step=Follow up on the survey reply");
    STEP(NULL, "state", "set", "IDN", "priority=medium", "lead+=Norway");
    STEP("The record, with who set each field and when", "state", "show", "IDN");
    STEP("Signatories still to ratify", "state", "list", "--target", "signatory");
    STEP("Activities involving Indonesia", "activity", "list", "--state", "IDN");
    STEP("Audit trail of Indonesia", "log", "IDN");
    STEP("Every commit is signed; the whole history verifies", "verify");
    printf("\nThe store is in %s/peru; try: ccmsync -C %s/peru export\n", base, base);
done:
    free(base);
    free(store);
    free(data);
    return rc;
}
