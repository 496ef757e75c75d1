/*
 * run.c - global options, command lookup and dispatch, error reporting.
 *
 *   ccmsync [-C DIR] [--json] [--passphrase-file F] COMMAND [ARGS...]
 *
 * Commands of two words ("state set") are looked up by their first two
 * arguments. Each handler returns a CCM_* code; this file prints the error
 * ("ccmsync: <message>") and maps the code to its documented exit status (docs/ccmsync.1).
 * `--json` and `--passphrase-file F` are also accepted after the command.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ccm_version.h" /* generated: the version of project() in CMakeLists.txt */
#include "cli.h"
#include "text.h"

int ccm_exit_status(int code)
{
    switch (code) {
    case CCM_OK:
        return CCM_EXIT_OK;
    case CCM_EINVALID:
        return CCM_EXIT_USAGE;
    case CCM_EDENIED:
    case CCM_EPASSPHRASE:
        return CCM_EXIT_DENIED;
    case CCM_EVERIFY:
        return CCM_EXIT_VERIFY;
    case CCM_EUNREACHABLE:
        return CCM_EXIT_UNREACHABLE;
    default:
        return CCM_EXIT_RUNTIME;
    }
}

static const ccm_cmd *find_command(const char *name)
{
    for (size_t i = 0; i < ccm_ncommands; i++) {
        if (strcmp(ccm_commands[i].name, name) == 0) {
            return &ccm_commands[i];
        }
    }
    return NULL;
}

/* Looks up "a b" then "a"; *used is how many arguments named the command. */
static const ccm_cmd *lookup(int argc, char **argv, int *used)
{
    char two[160];
    const ccm_cmd *c;

    if (argc >= 2 && strlen(argv[0]) < 64 && strlen(argv[1]) < 64) {
        snprintf(two, sizeof(two), "%.63s %.63s", argv[0], argv[1]);
        if ((c = find_command(two))) {
            *used = 2;
            return c;
        }
    }
    *used = 1;
    return find_command(argv[0]);
}

/* The first words of commands, for the "unknown command" message. */
static void list_groups(char *out, size_t cap)
{
    size_t len = 0;
    out[0] = 0;
    for (size_t i = 0; i < ccm_ncommands; i++) {
        const char *n = ccm_commands[i].name;
        size_t w = strcspn(n, " ");
        if (i > 0 && strncmp(ccm_commands[i - 1].name, n, w) == 0 &&
            (ccm_commands[i - 1].name[w] == ' ' || ccm_commands[i - 1].name[w] == 0)) {
            continue;
        }
        len += (size_t)snprintf(out + len, len < cap ? cap - len : 0, "%s%.*s", len ? ", " : "",
                                (int)w, n);
    }
}

/* The second words of the commands of a group ("list, set, show" for
 * "state") into out; 0 if `word` names no group. */
static int group_commands(char *out, size_t cap, const char *word)
{
    size_t wl = strlen(word), len = 0;
    int n = 0;

    out[0] = 0;
    for (size_t i = 0; i < ccm_ncommands; i++) {
        const char *c = ccm_commands[i].name;
        if (strncmp(c, word, wl) == 0 && c[wl] == ' ') {
            len += (size_t)snprintf(out + len, len < cap ? cap - len : 0, "%s%s", n ? ", " : "",
                                    c + wl + 1);
            n++;
        }
    }
    return n;
}

static int is_help(const char *arg)
{
    return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0;
}

void ccm_print_help(const char *name)
{
    size_t nlen = strlen(name);
    int any = 0;

    for (size_t i = 0; i < ccm_ncommands; i++) {
        const ccm_cmd *c = &ccm_commands[i];
        if (*name && strncmp(c->name, name, nlen) != 0) {
            continue;
        }
        if (*name && c->name[nlen] != 0 && c->name[nlen] != ' ') {
            continue;
        }
        printf("usage: ccmsync [-C DIR] [--json] %s\n    %s\n", c->usage, c->summary);
        if (c->help && strcmp(c->name, name) == 0) {
            printf("\n%s\n", c->help);
        }
        any++;
    }
    if (any > 1 && *name) {
        printf("\n'ccmsync %s COMMAND --help' describes one command.\n", name);
    }
    if (!*name || !any) {
        printf("\nGlobal options:\n"
               "  -C DIR                 the store (default $CCMSYNC_STORE, else\n"
               "                         $XDG_DATA_HOME/ccmsync, else ~/.local/share/ccmsync)\n"
               "  --json                 print exactly one JSON document on stdout\n"
               "  --passphrase-file F    read the passphrase from F (else\n"
               "                         $CCMSYNC_PASSPHRASE, else a terminal prompt)\n"
               "\nExit status: 0 ok, 1 runtime error, 2 usage or validation error, 3 not\n"
               "permitted, 4 verification failed, 5 remote unreachable.\n"
               "'ccmsync COMMAND --help' describes one command.\n");
    }
}

/* Removes the global options that may follow the command from argv. */
static int strip_globals(ccm_cli *cli, int *argc, char **argv)
{
    int out = 0;
    for (int i = 0; i < *argc; i++) {
        if (strcmp(argv[i], "--") == 0) {
            /* "--" ends the options: what follows is taken as it is. */
            while (++i < *argc) {
                argv[out++] = argv[i];
            }
            break;
        }
        if (strcmp(argv[i], "--json") == 0) {
            cli->json = 1;
        } else if (strcmp(argv[i], "--passphrase-file") == 0) {
            if (i + 1 >= *argc) {
                return ccm_error_set(CCM_EINVALID, "option '--passphrase-file' needs a file");
            }
            cli->pass_file = argv[++i];
        } else {
            argv[out++] = argv[i];
        }
    }
    *argc = out;
    return CCM_OK;
}

/* Takes "--at VALUE" out of a CMD_AT command's arguments (after the
 * `used` words naming it, before any "--") into cli->at. */
static int take_at(ccm_cli *cli, int *argc, char **argv, int used)
{
    int out = used, i = used;

    for (; i < *argc && strcmp(argv[i], "--") != 0; i++) {
        if (strcmp(argv[i], "--at") != 0) {
            argv[out++] = argv[i];
        } else if (i + 1 >= *argc) {
            return ccm_usage(cli, "--at needs a date or a commit (YYYY-MM-DD, YYYY-MM, today, "
                                  "-Nd, or a commit id)");
        } else if (cli->at) {
            return ccm_usage(cli, "--at given twice");
        } else {
            cli->at = argv[++i];
        }
    }
    while (i < *argc) {
        argv[out++] = argv[i++];
    }
    *argc = out;
    return CCM_OK;
}

static int dispatch(ccm_cli *cli, int argc, char **argv)
{
    const ccm_cmd *cmd;
    char groups[512];
    int used, rc;

    if (argc == 0) {
        ccm_print_help("");
        return ccm_error_set(CCM_EINVALID, "no command given");
    }
    if (strcmp(argv[0], "help") == 0 || strcmp(argv[0], "--help") == 0 ||
        strcmp(argv[0], "-h") == 0) {
        char name[64] = "";
        if (argc >= 2) {
            snprintf(name, sizeof(name), "%s%s%s", argv[1], argc >= 3 ? " " : "",
                     argc >= 3 ? argv[2] : "");
        }
        ccm_print_help(name);
        return CCM_OK;
    }
    /* A group's word: "state --help" lists its commands; "state" alone is
     * an incomplete command (exit 2) whose error names them. */
    if (group_commands(groups, sizeof(groups), argv[0]) &&
        (argc == 1 || (is_help(argv[1]) && !lookup(argc, argv, &used)))) {
        if (argc == 1) {
            return ccm_error_set(CCM_EINVALID, "'%s' needs a command: %s (see 'ccmsync %s --help')",
                                 argv[0], groups, argv[0]);
        }
        ccm_print_help(argv[0]);
        return CCM_OK;
    }
    if (!(cmd = lookup(argc, argv, &used))) {
        list_groups(groups, sizeof(groups));
        if (argc >= 2 && find_command(argv[0]) == NULL) {
            char name[64];
            snprintf(name, sizeof(name), "%s ", argv[0]);
            for (size_t i = 0; i < ccm_ncommands; i++) {
                if (strncmp(ccm_commands[i].name, name, strlen(name)) == 0) {
                    return ccm_error_set(CCM_EINVALID,
                                         "unknown command '%s %s' (see 'ccmsync %s "
                                         "--help')",
                                         argv[0], argv[1], argv[0]);
                }
            }
        }
        return ccm_error_set(CCM_EINVALID, "unknown command '%s' (%s)", argv[0], groups);
    }
    cli->cmd_name = cmd->name;
    cli->cmd_usage = cmd->usage;
    for (int i = used; i < argc && strcmp(argv[i], "--") != 0; i++) {
        if (is_help(argv[i])) {
            ccm_print_help(cmd->name);
            return CCM_OK;
        }
    }
    if ((cmd->flags & CMD_AT) && (rc = take_at(cli, &argc, argv, used)) < 0) {
        return rc;
    }
    if (cmd->flags & CMD_NEEDS_STORE) {
        if (!cli->store_dir) {
            return ccm_error_set(CCM_EINVALID, "no store: give -C DIR or set CCMSYNC_STORE");
        }
        if ((rc = ccm_cli_open_store(cli, (cmd->flags & CMD_NEEDS_KEY) != 0)) < 0) {
            return rc;
        }
        if ((cmd->flags & CMD_WRITES) && (rc = ccm_cli_check_write(cli)) < 0) {
            return rc;
        }
        if (cli->at && (rc = ccm_cli_view_at(cli, cli->at)) < 0) {
            return rc;
        }
    }
    return cmd->fn(cli, argc - used, argv + used);
}

/* CCMSYNC_TRACE=1: the library's phase times, on stderr. */
static void print_trace(const char *phase, double ms, void *payload)
{
    (void)payload;
    fprintf(stderr, "ccmsync: trace: %-11s %8.1f ms\n", phase, ms);
}

int ccm_cli_run(int argc, char **argv)
{
    ccm_cli cli = {.run = ccm_cli_run};
    char store_buf[4096];
    const char *trace = getenv("CCMSYNC_TRACE");
    int i = 1, rc;

    ccm_trace_set(trace && *trace && strcmp(trace, "0") != 0 ? print_trace : NULL, NULL);

    for (; i < argc; i++) {
        if (strcmp(argv[i], "-C") == 0) {
            if (i + 1 >= argc) {
                rc = ccm_error_set(CCM_EINVALID, "option '-C' needs a directory");
                goto out;
            }
            cli.store_dir = argv[++i];
        } else if (strcmp(argv[i], "--json") == 0) {
            cli.json = 1;
        } else if (strcmp(argv[i], "--passphrase-file") == 0) {
            if (i + 1 >= argc) {
                rc = ccm_error_set(CCM_EINVALID, "option '--passphrase-file' needs a file");
                goto out;
            }
            cli.pass_file = argv[++i];
        } else if (strcmp(argv[i], "--version") == 0) {
            printf("ccmsync %s\n", CCM_VERSION);
            return CCM_EXIT_OK;
        } else if (argv[i][0] == '-' && strcmp(argv[i], "--help") != 0 &&
                   strcmp(argv[i], "-h") != 0) {
            rc = ccm_error_set(CCM_EINVALID,
                               "unknown option '%s' (-C DIR, --json, --passphrase-file F, "
                               "--version, --help)",
                               argv[i]);
            goto out;
        } else {
            break;
        }
    }
    if (!cli.store_dir) {
        cli.store_dir = ccm_cli_default_store(store_buf, sizeof(store_buf));
    }
    argc -= i;
    argv += i;
    if ((rc = strip_globals(&cli, &argc, argv)) == CCM_OK) {
        rc = dispatch(&cli, argc, argv);
    }
out:
    ccm_store_free_at_exit(cli.store);
    if (rc < 0) {
        /* One line, whatever a value quoted in the message holds. */
        char *msg = ccm_text_escape(*ccm_error_last() ? ccm_error_last() : "failed", 0);
        fflush(stdout);
        fprintf(stderr, "ccmsync: %s\n", msg ? msg : "failed");
        free(msg);
    }
    return ccm_exit_status(rc);
}
