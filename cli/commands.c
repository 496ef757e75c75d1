/*
 * commands.c - the command table, sorted by name: name, handler, flags,
 * usage, summary and help. Handlers live in cli/cmd_<topic>.c.
 */
#include "cli.h"

#define STORE CMD_NEEDS_STORE
#define KEY (CMD_NEEDS_STORE | CMD_NEEDS_KEY)
#define WRITE (CMD_NEEDS_STORE | CMD_NEEDS_KEY | CMD_WRITES)
#define READ_AT (CMD_NEEDS_STORE | CMD_NEEDS_KEY | CMD_AT)

/* The help of the query options, shared by state list and activity list. */
#define QUERY_HELP                                                                                 \
    "--where F<op>V (repeatable, all must hold): op = != < <= > >= ~ (contains, any case).\n"      \
    "  A set field: F=V holds V, F!=V does not, F~V has an element containing V.\n"                \
    "  F= : F is absent or empty; F!= : F is present. An absent field orders first.\n"             \
    "  Dates: YYYY-MM-DD, YYYY-MM (the whole month), today, -Nd, +Nd (days from today;\n"          \
    "  CCMSYNC_TODAY=YYYY-MM-DD fixes today). Enums order as listed (high, medium, low).\n"        \
    "--sort F[:desc] (repeatable; ties by id), --columns F,F,... (the table's columns).\n"         \
    "--at DATE|COMMIT: the records as they stood at the end of that day (UTC) or at that\n"        \
    "  commit of this store's history."

const ccm_cmd ccm_commands[] = {
    {"activity add", ccm_cmd_activity_add, WRITE, "activity add --type T --date D [FIELD...]",
     "record a new activity and print its id",
     "T is one of bilateral, survey, side-event, iwg-meeting, embassy, regional-workshop,\n"
     "model-legislation, ipu, cmc-icrc, treaty-event, regional-org, other; D is YYYY-MM-DD,\n"
     "today, -Nd or +Nd. FIELD: field=value, field=, field+=item, field-=item (states, by\n"
     "are sets; by names members of the group)."},
    {"activity list", ccm_cmd_activity_list, READ_AT,
     "activity list [--state ID] [--type T] [--status S] [--by M] [--since D] [--until D] "
     "[--where F<op>V]... [--sort F[:desc]] [--columns F,...] [--at DATE|COMMIT]",
     "list activities (by date), filtered and sorted",
     "--since D and --until D are inclusive; a month counts from its first day as --since\n"
     "and to its last as --until.\n" QUERY_HELP},
    {"activity rm", ccm_cmd_activity_rm, WRITE, "activity rm ID",
     "remove an activity (a tombstone: the log still shows it)", NULL},
    {"activity set", ccm_cmd_activity_set, WRITE, "activity set ID FIELD...",
     "change fields of an activity (ID: any unique prefix)", NULL},
    {"activity show", ccm_cmd_activity_show, READ_AT, "activity show ID [--at DATE|COMMIT]",
     "show one activity and the notes on it", NULL},
    {"blame", ccm_cmd_blame, KEY, "blame ID",
     "for each field: value, member and time of the assignment that holds", NULL},
    {"demo", ccm_cmd_demo, 0, "demo [DIR]",
     "run a self-contained scenario on embedded sample data (in DIR or a temporary folder)", NULL},
    {"export", ccm_cmd_export, READ_AT,
     "export [--format json|csv] [--kind state|activity] [-o PATH] [--at DATE|COMMIT]",
     "every record this member can read, in a deterministic order (JSON or CSV)",
     "JSON (the default): one document on stdout, or in the file PATH.\n"
     "CSV: -o DIR writes DIR/states.csv and DIR/activities.csv; --kind K prints that\n"
     "kind's file on stdout. RFC 4180 quoting, a header row of field names, set fields\n"
     "joined by ';' (as import reads them); an activity's id is its last column."},
    {"import", ccm_cmd_import, WRITE, "import FILE",
     "bulk load states and activities from JSON or CSV, as one commit",
     "JSON: {\"states\": [{\"id\", \"fields\"}], \"activities\": [{\"id\"?, \"fields\"}]} (an "
     "export imports).\n"
     "CSV: a header row of field names; 'id' first for states, otherwise activities;\n"
     "set cells separated by ';'. FILE '-' reads standard input."},
    {"init", ccm_cmd_init, 0, "init --member NAME [--no-passphrase]",
     "create a new store and group; NAME is its first admin", NULL},
    {"join", ccm_cmd_join, 0, "join URL --member NAME [--no-passphrase] [--expect FINGERPRINT]",
     "create a store cloned from the group's remote (its 'origin') and print a join request",
     "Prints the group's id and its admins' key fingerprints: compare them with the\n"
     "admins out of band. --expect pins the founder's fingerprint (exit 4 and nothing\n"
     "kept if it differs). Hand the printed line to an admin, who runs 'ccmsync member\n"
     "add LINE' and syncs; after your next sync you can read the group's records."},
    {"log", ccm_cmd_log, KEY, "log [ID] [--member M] [--since D]",
     "field-level change history: commit, member, time, record, field, old -> new", NULL},
    {"member add", ccm_cmd_member_add, KEY,
     "member add REQUEST [--role admin|editor|reader] [--expect FINGERPRINT]",
     "admit the member of a join request (admins only; default role editor)",
     "Prints the requester's name and signing key fingerprint before writing: compare it\n"
     "with the requester out of band. With --expect, a different key is refused (exit 4)."},
    {"member list", ccm_cmd_member_list, STORE, "member list [--allowed-signers]",
     "members, roles and key fingerprints; or git's allowed-signers lines",
     "git -c gpg.format=ssh -c gpg.ssh.allowedSignersFile=FILE verify-commit C\n"
     "verifies any commit with the lines of --allowed-signers in FILE."},
    {"member remove", ccm_cmd_member_remove, KEY, "member remove NAME",
     "revoke a member (admins only): rotates the group key",
     "From then on everything written uses a new key the removed member does not have;\n"
     "what they already had stays theirs. Their commits dated after the removal are refused."},
    {"note add", ccm_cmd_note_add, WRITE, "note add --on ID --to NAME[,NAME] --title T",
     "add a sensitive note readable only by its recipients (and you)",
     "ID is a state code (a record for it need not exist yet) or an activity id. The body\n"
     "is read from standard input; on a terminal, $EDITOR (else $VISUAL) opens to write it.\n"
     "An empty body is refused. Members who are not recipients see neither title nor\n"
     "body; the git server sees nothing of it. Notes are never exported."},
    {"note list", ccm_cmd_note_list, KEY, "note list [--on ID]",
     "list the notes addressed to you (on one state or activity)", NULL},
    {"note share", ccm_cmd_note_share, WRITE, "note share ID --to NAME",
     "give another member access to a note you can read", NULL},
    {"note show", ccm_cmd_note_show, KEY, "note show ID",
     "show a note addressed to you (exit 3 if it is not)", NULL},
    {"remote add", ccm_cmd_remote_add, STORE, "remote add NAME URL",
     "add a remote: a path (USB stick, shared folder), file://, git://, http(s)://, ssh://",
     "A local path that does not exist yet, in a folder that does, or an empty folder, becomes\n"
     "a new hub (a bare repository) on the first sync, which says so. A path whose folder\n"
     "does not exist (a USB stick that is not mounted) is refused with exit 5."},
    {"remote list", ccm_cmd_remote_list, STORE, "remote list", "list remotes", NULL},
    {"remote remove", ccm_cmd_remote_remove, STORE, "remote remove NAME", "forget a remote", NULL},
    {"report", ccm_cmd_report, READ_AT,
     "report [--format md|html|json] [-o FILE] [--since D] [--until D] [--at DATE|COMMIT]",
     "the universalization segment of the MSP progress report, computed from the records",
     "States by status and target category; outreach to every target State (contacted or\n"
     "not, by whom, last contact, next step); activities by work-plan activity 1-11, by month\n"
     "against the plan's timeline and by implementer; survey reasons; the four expected\n"
     "outputs with their evidence. Notes never appear.\n"
     "Activities counted: dated from --since to --until (YYYY-MM-DD, both included); with\n"
     "neither, the work plan's period, 2024-12-01 to 2025-09-30.\n"
     "FORMAT: md (default), html (one self-contained page with charts), json (default with\n"
     "--json); with -o FILE and no --format, taken from FILE's extension.\n"
     "--at: the records as they stood then (a date, or a commit of this store's history)."},
    {"search", ccm_cmd_search, READ_AT, "search TEXT [--at DATE|COMMIT]",
     "every state, activity and readable note containing TEXT (any case): kind, id, field",
     "Notes you cannot read are never searched."},
    {"seed", ccm_cmd_seed, WRITE, "seed",
     "load the public reference facts and the work plan's timeline, as one signed commit",
     "The 12 signatories that had not ratified, Lithuania's withdrawal, the recent\n"
     "ratifications and accessions, the Mine Ban Convention parties among the signatories,\n"
     "each with its source; and the work plan's timeline as planned activities. Values\n"
     "already recorded are never overwritten; running it again adds nothing."},
    {"state list", ccm_cmd_state_list, READ_AT,
     "state list [--target C] [--status S] [--lead M] [--where F<op>V]... [--sort F[:desc]] "
     "[--columns F,...] [--at DATE|COMMIT]",
     "list states, filtered and sorted",
     "last_activity is computed: the date of the latest done activity with the state.\n"
     "Example: state list --status signatory --where last_activity<-180d\n" QUERY_HELP},
    {"state rm", ccm_cmd_state_rm, WRITE, "state rm ID",
     "remove a state record (a tombstone: the log keeps it; 'state set' brings it back)", NULL},
    {"state set", ccm_cmd_state_set, WRITE, "state set ID FIELD...",
     "create or change a state record (ID: ISO 3166-1 alpha-3)",
     "FIELD: field=value, field=, field+=item, field-=item.\n"
     "status: party, signatory, non-party, withdrawing, withdrawn; priority: high, medium, low;\n"
     "targets, lead, survey_reasons are sets (lead names members); last_contact is YYYY-MM-DD\n"
     "(or today, -Nd). A new field name a typo away from a known one is refused."},
    {"state show", ccm_cmd_state_show, READ_AT, "state show ID [--at DATE|COMMIT]",
     "show one state (last_contact as set, last_activity computed) and the notes on it", NULL},
    {"status", ccm_cmd_status, STORE, "status", "unsynced local changes and last sync, per remote",
     NULL},
    {"sync", ccm_cmd_sync, KEY, "sync [REMOTE]",
     "fetch, verify, merge and push (default remote: origin)",
     "Refuses, with exit 4 and no local change, incoming history with a commit that is\n"
     "unsigned, signed by a non-member, a reader or a removed member, or that changes the\n"
     "membership without an admin. Exit 5 if the remote cannot be reached."},
    {"verify", ccm_cmd_verify, KEY, "verify",
     "check every commit's signature and every record; exit 4 naming the first bad commit", NULL},
    {"whoami", ccm_cmd_whoami, KEY, "whoami [--request]",
     "member name and key fingerprints; --request prints the join request line", NULL},
};

const size_t ccm_ncommands = sizeof(ccm_commands) / sizeof(ccm_commands[0]);
