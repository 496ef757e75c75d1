/*
 * cmd_state.c - state set / show / rm / list, and the update and show of
 * records that activities share.
 *
 * State ids are ISO 3166-1 alpha-3 codes, accepted in any case and stored in
 * upper case. `state rm` leaves a tombstone (the log keeps the history);
 * `state set` on a removed state brings it back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "query.h"
#include "text.h"

/* Applies FIELD arguments to one record of `kind` in one commit and prints
 * the result (unless CCM_UPDATE_QUIET); CCM_UPDATE_CREATE creates the record
 * when it does not exist. Everything is checked before anything is written:
 * values (store/fields.c), field names that look like typos (the record's own
 * fields are accepted), and the members named in lead/by. A removed state
 * that is set again comes back with the fields it had. */
int ccm_cli_update_record(ccm_cli *cli, const char *kind, const char *id, int argc, char **argv,
                          int flags)
{
    ccm_field_ops ops = {0};
    ccm_txn *txn = NULL;
    json_t *rec = NULL, *view = NULL, *roster = NULL, *warnings = json_array(), *w;
    size_t i;
    int rc, revived = 0;

    if (argc == 0) {
        json_decref(warnings);
        return ccm_usage(cli, "no field to change");
    }
    if ((rc = ccm_field_ops_parse(&ops, kind, argc, argv)) < 0 ||
        (rc = ccm_store_roster(&roster, cli->store)) < 0) {
        goto done;
    }
    if ((rc = ccm_txn_begin(&txn, cli->store)) < 0) {
        goto done;
    }
    rc = ccm_txn_get(&rec, txn, kind, id);
    if (rc == CCM_ENOTFOUND && (flags & CCM_UPDATE_CREATE)) {
        ccm_error_clear();
        rc = (rec = ccm_record_new(kind, id)) ? CCM_OK : CCM_EINVALID;
    }
    if (rc < 0) {
        goto done;
    }
    rc = ccm_field_ops_check(&ops, kind, json_object_get(rec, "fields"), roster, 1, warnings);
    json_array_foreach(warnings, i, w)
    {
        ccm_text_warning(stderr, json_string_value(w));
    }
    if (rc < 0) {
        goto done;
    }
    if (ccm_record_is_deleted(rec)) {
        if (strcmp(kind, "state") != 0) {
            rc = ccm_error_set(CCM_ENOTFOUND, "%s '%s' was removed", kind, id);
            goto done;
        }
        if ((rc = ccm_record_undelete(rec, ccm_txn_stamp(txn), ccm_store_member(cli->store))) < 0) {
            goto done;
        }
        revived = 1;
    }
    if ((rc = ccm_field_ops_apply(rec, &ops, txn, ccm_store_member(cli->store))) < 0 ||
        (rc = ccm_txn_put(txn, rec)) < 0 || (rc = ccm_txn_commit(txn)) < 0) {
        goto done;
    }
    if (revived) {
        fprintf(stderr,
                "ccmsync: state '%s' had been removed: it is back, with its earlier "
                "fields\n",
                id);
    }
    if (!(flags & CCM_UPDATE_QUIET)) {
        view = ccm_cli_view(rec);
        if (cli->json) {
            rc = ccm_print_json(view);
        } else {
            ccm_print_record(view);
        }
    }
done:
    json_decref(view);
    json_decref(rec);
    json_decref(roster);
    json_decref(warnings);
    ccm_txn_free(txn);
    ccm_field_ops_free(&ops);
    return rc;
}

int ccm_cmd_state_set(ccm_cli *cli, int argc, char **argv)
{
    char id[4];
    int rc;

    if (argc < 1) {
        return ccm_usage(cli, "missing state code");
    }
    if ((rc = ccm_cli_state_id(id, argv[0])) < 0) {
        return rc;
    }
    return ccm_cli_update_record(cli, "state", id, argc - 1, argv + 1, CCM_UPDATE_CREATE);
}

int ccm_cli_show_record(ccm_cli *cli, const char *kind, const char *id)
{
    json_t *rec = NULL, *view = NULL, *map = NULL, *notes = NULL, *n;
    size_t hidden = 0, i;
    int rc;

    if ((rc = ccm_store_get(&rec, cli->store, kind, id)) < 0) {
        return rc;
    }
    if (ccm_record_is_deleted(rec)) {
        json_decref(rec);
        return ccm_error_set(CCM_ENOTFOUND, "%s '%s' was removed (see 'ccmsync log %s')", kind, id,
                             id);
    }
    if (strcmp(kind, "state") == 0 && (rc = ccm_last_activity_map(&map, cli, id)) < 0) {
        goto done;
    }
    view = ccm_cli_view_computed(rec, map);
    if (cli->json) {
        rc = ccm_print_json(view);
        goto done;
    }
    if ((rc = ccm_store_notes(&notes, &hidden, cli->store, kind, id, 0)) < 0) {
        goto done;
    }
    ccm_cli_print_at(cli);
    ccm_print_record(view);
    if (json_array_size(notes) || hidden) {
        printf("notes:\n");
    }
    json_array_foreach(notes, i, n)
    {
        json_t *f = json_object_get(n, "fields");
        printf("  %s  ", json_string_value(json_object_get(n, "id")));
        ccm_text_put(stdout, json_string_value(json_object_get(f, "title")));
        printf("  (by ");
        ccm_text_put(stdout, json_string_value(json_object_get(f, "author")));
        printf(")\n");
    }
    if (hidden) {
        printf("  %s%zu note%s you cannot read\n", json_array_size(notes) ? "and " : "", hidden,
               hidden == 1 ? "" : "s");
    }
done:
    json_decref(notes);
    json_decref(view);
    json_decref(map);
    json_decref(rec);
    return rc;
}

int ccm_cmd_state_show(ccm_cli *cli, int argc, char **argv)
{
    char id[4];
    int rc;

    if (argc != 1) {
        return ccm_usage(cli, argc ? "too many arguments" : "missing state code");
    }
    if ((rc = ccm_cli_state_id(id, argv[0])) < 0) {
        return rc;
    }
    return ccm_cli_show_record(cli, "state", id);
}

int ccm_cmd_state_rm(ccm_cli *cli, int argc, char **argv)
{
    char id[4];
    int rc;

    if (argc != 1) {
        return ccm_usage(cli, argc ? "too many arguments" : "missing state code");
    }
    if ((rc = ccm_cli_state_id(id, argv[0])) == CCM_OK &&
        (rc = ccm_cli_remove_record(cli, "state", id)) == CCM_OK && !cli->json) {
        printf("removed state %s (its history stays in the log; 'state set %s ...' brings it "
               "back)\n",
               id, id);
    }
    return rc;
}

int ccm_cmd_state_list(ccm_cli *cli, int argc, char **argv)
{
    static const ccm_list_opt opts[] = {
        {"--target", "targets", Q_EQ, 0},
        {"--status", "status", Q_EQ, 0},
        {"--lead", "lead", Q_EQ, 0},
        {NULL, NULL, Q_EQ, 0},
    };

    return ccm_cli_list_command(cli, "state", opts,
                                "--target C, --status S, --lead M, --where F<op>V, "
                                "--sort F[:desc], --columns F,...",
                                argc, argv);
}
