/*
 * cli.h - what the command handlers of cli/ share: the invocation context,
 * option parsing helpers, output, and the mapping of error codes to exit
 * statuses. Only cli/ prints or exits.
 */
#ifndef CCM_CLI_H
#define CCM_CLI_H

#include <stdio.h>
#include <time.h>
#include <jansson.h>

#include "../store/store.h"

/* Exit statuses (docs/ccmsync.1, EXIT STATUS). */
enum {
    CCM_EXIT_OK = 0,
    CCM_EXIT_RUNTIME = 1,
    CCM_EXIT_USAGE = 2,
    CCM_EXIT_DENIED = 3,
    CCM_EXIT_VERIFY = 4,
    CCM_EXIT_UNREACHABLE = 5,
};

/* Command flags. */
#define CMD_NEEDS_STORE 0x1 /* opens the store */
#define CMD_NEEDS_KEY 0x2   /* unlocks it (passphrase) */
#define CMD_WRITES 0x4      /* needs a role that may write */
#define CMD_AT 0x8          /* takes --at DATE|COMMIT: reads the records as they stood then */

typedef struct ccm_cli {
    const char *store_dir; /* -C, $CCMSYNC_STORE, XDG default */
    const char *pass_file; /* --passphrase-file */
    int json;              /* --json */
    ccm_store *store;      /* opened for CMD_NEEDS_STORE */
    const char *cmd_name;  /* for messages and help */
    const char *cmd_usage; /* its usage line (ccm_usage) */
    /* Runs a whole command line as main() would (the dispatcher, run.c):
     * how the demo runs its steps. */
    int (*run)(int argc, char **argv);
    const char *at; /* --at DATE|COMMIT of a CMD_AT command, or NULL */
} ccm_cli;

typedef int (*ccm_cmd_fn)(ccm_cli *cli, int argc, char **argv);

typedef struct {
    const char *name;
    ccm_cmd_fn fn;
    int flags;
    const char *usage;   /* "state set ID FIELD..." */
    const char *summary; /* one line */
    const char *help;    /* details, may be NULL */
} ccm_cmd;

/* The command table (sorted by name) and its size. */
extern const ccm_cmd ccm_commands[];
extern const size_t ccm_ncommands;

/* Maps a CCM_* code to the exit status. */
int ccm_exit_status(int code);

/* Sets a usage error naming the command's usage line; returns CCM_EINVALID. */
int ccm_usage(ccm_cli *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prints the help of a command (name like "state set") to stdout. */
void ccm_print_help(const char *name);

/* Reads the passphrase: $CCMSYNC_PASSPHRASE, else --passphrase-file, else a
 * prompt on the terminal (twice when `confirm`). The result is in
 * sodium_malloc'ed memory: free it with ccm_secret_free. *len excludes the
 * NUL. CCM_EINVALID if none can be had (no terminal). */
int ccm_passphrase_get(char **out, size_t *len, ccm_cli *cli, int confirm);

/* Asks the terminal (/dev/tty) for a secret, echo off: the line without its
 * newline into buf (at most cap-1 bytes); its length, or -1 without a
 * terminal. The prompt of ssh key passphrases (ccm_sync_set_prompt). */
long ccm_cli_prompt_secret(char *buf, size_t cap, const char *question);

/* Opens (and, with `unlock`, unlocks) the store of cli->store_dir. */
int ccm_cli_open_store(ccm_cli *cli, int unlock);

/* The command line a member types next, for the store of this invocation:
 * "ccmsync COMMAND", with "-C DIR" unless DIR is the default store. */
void ccm_cli_next_command(char *out, size_t cap, const ccm_cli *cli, const char *command);

/* The default store folder: $CCMSYNC_STORE, $XDG_DATA_HOME/ccmsync,
 * ~/.local/share/ccmsync (in buf); NULL if none is set (usage.c). */
const char *ccm_cli_default_store(char *buf, size_t cap);

/* Refuses writes by members whose role is reader (exit 3). */
int ccm_cli_check_write(ccm_cli *cli);

/* ---- progress of transfers (cli/progress.c) ------------------------------- */

typedef struct {
    struct timespec last;
    int open; /* a line without its newline yet */
    char what[8];
} ccm_progress_line;

/* A ccm_progress_fn: objects and bytes on stderr, at most ten updates a
 * second (payload: a zeroed ccm_progress_line). Pass it only when stderr is
 * a terminal. */
void ccm_progress(const char *what, size_t done, size_t total, size_t bytes, void *payload);
/* Ends a progress line cut short, so that an error starts a line. */
void ccm_progress_end(ccm_progress_line *p);

/* ---- records (cli/cmd_state.c) ----------------------------------------- */

#define CCM_UPDATE_CREATE 0x1 /* create the record when absent */
#define CCM_UPDATE_QUIET 0x2  /* print nothing */

/* Applies FIELD arguments to one record in one commit and prints it. */
int ccm_cli_update_record(ccm_cli *cli, const char *kind, const char *id, int argc, char **argv,
                          int flags);

/* ---- seed (cli/cmd_seed.c) -------------------------------------------------- */

/* The id `seed` gives the activity of its data with this key (16 lowercase
 * hex digits + NUL): the same on every member's machine (cli/cmd_seed.c). */
void ccm_cli_seed_activity_id(char out[17], const char *key);

/* ---- ids (cli/ids.c) ------------------------------------------------------ */

/* Upper-cases and validates a state code into buf (CCM_EINVALID if unknown). */
int ccm_cli_state_id(char buf[4], const char *arg);

/* An activity or note id, or any unique prefix of it, into *full (caller
 * frees): CCM_EINVALID if malformed or ambiguous, CCM_ENOTFOUND if none. */
int ccm_cli_hex_id(char **full, ccm_cli *cli, const char *kind, const char *arg);

/* Resolves a record argument: a state code (any case) or an activity id or
 * unique prefix. *kind is static; *id is allocated (caller frees). */
int ccm_cli_record_arg(const char **kind, char **id, ccm_cli *cli, const char *arg);

/* Prints one record with its computed fields and, for people, the notes
 * on it (exit 1 if absent or removed). */
int ccm_cli_show_record(ccm_cli *cli, const char *kind, const char *id);

/* Sets the store's view for --at DATE|COMMIT: a date form of
 * ccm_date_parse (a month means its last day) or a commit id prefix. */
int ccm_cli_view_at(ccm_cli *cli, const char *at);

/* ---- output (cli/output.c) --------------------------------------------- */

/* Prints a JSON document to stdout (indented, newline-terminated). */
int ccm_print_json(const json_t *doc);

/* The documented JSON view of a record, with state defaults (name from ISO 3166-1). */
json_t *ccm_cli_view(const json_t *rec);

/* Prints a record view for people. */
void ccm_print_record(const json_t *view);

/* Wipes and frees a NUL-terminated string that held sensitive text. */
void ccm_wipe_text(char *text);

/* Parses a date form (YYYY-MM-DD, YYYY-MM, today, -Nd, +Nd; a month counts
 * from its first day) into unix milliseconds at 00:00 UTC. */
int ccm_parse_date_ms(uint64_t *out, const char *date, const char *what);

/* ---- commands ------------------------------------------------------------ */

int ccm_cmd_init(ccm_cli *cli, int argc, char **argv);
int ccm_cmd_whoami(ccm_cli *cli, int argc, char **argv);
int ccm_cmd_member_list(ccm_cli *cli, int argc, char **argv);
int ccm_cmd_state_set(ccm_cli *cli, int argc, char **argv);
int ccm_cmd_state_show(ccm_cli *cli, int argc, char **argv);
int ccm_cmd_state_list(ccm_cli *cli, int argc, char **argv);
int ccm_cmd_state_rm(ccm_cli *cli, int argc, char **argv);
int ccm_cmd_search(ccm_cli *cli, int argc, char **argv);
int ccm_cmd_activity_add(ccm_cli *cli, int argc, char **argv);
int ccm_cmd_activity_set(ccm_cli *cli, int argc, char **argv);
int ccm_cmd_activity_show(ccm_cli *cli, int argc, char **argv);
int ccm_cmd_activity_rm(ccm_cli *cli, int argc, char **argv);
int ccm_cmd_activity_list(ccm_cli *cli, int argc, char **argv);
int ccm_cmd_log(ccm_cli *cli, int argc, char **argv);
int ccm_cmd_blame(ccm_cli *cli, int argc, char **argv);
int ccm_cmd_export(ccm_cli *cli, int argc, char **argv);
int ccm_cmd_import(ccm_cli *cli, int argc, char **argv);
int ccm_cmd_verify(ccm_cli *cli, int argc, char **argv);
int ccm_cmd_demo(ccm_cli *cli, int argc, char **argv);
int ccm_cmd_join(ccm_cli *cli, int argc, char **argv);
int ccm_cmd_note_add(ccm_cli *cli, int argc, char **argv);
int ccm_cmd_note_list(ccm_cli *cli, int argc, char **argv);
int ccm_cmd_note_share(ccm_cli *cli, int argc, char **argv);
int ccm_cmd_note_show(ccm_cli *cli, int argc, char **argv);
int ccm_cmd_member_add(ccm_cli *cli, int argc, char **argv);
int ccm_cmd_member_remove(ccm_cli *cli, int argc, char **argv);
int ccm_cmd_remote_add(ccm_cli *cli, int argc, char **argv);
int ccm_cmd_remote_list(ccm_cli *cli, int argc, char **argv);
int ccm_cmd_remote_remove(ccm_cli *cli, int argc, char **argv);
int ccm_cmd_status(ccm_cli *cli, int argc, char **argv);
int ccm_cmd_sync(ccm_cli *cli, int argc, char **argv);
int ccm_cmd_report(ccm_cli *cli, int argc, char **argv);
int ccm_cmd_seed(ccm_cli *cli, int argc, char **argv);

/* Runs the command line (global options, then a command). Returns the exit
 * status. Used by main() and by `demo`, which drives the same code paths. */
int ccm_cli_run(int argc, char **argv);

#endif
