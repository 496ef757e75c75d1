/*
 * cmd_activity.c - activity add / set / show / rm / list.
 *
 * Activity ids are 16 random lowercase hex digits, assigned by `add`; every
 * other command accepts any unique prefix.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "query.h"

#define ACTIVITY_ID_LEN 16

int ccm_cmd_activity_add(ccm_cli *cli, int argc, char **argv)
{
    const char *type = NULL, *date = NULL;
    char **fields = calloc((size_t)argc + 3, sizeof(*fields));
    char *type_arg = NULL, *date_arg = NULL, id[ACTIVITY_ID_LEN + 1], day[11];
    int nf = 0, rc;

    if (!fields) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--type") == 0 && i + 1 < argc) {
            type = argv[++i];
        } else if (strcmp(argv[i], "--date") == 0 && i + 1 < argc) {
            date = argv[++i];
        } else if (argv[i][0] == '-') {
            rc = ccm_usage(cli, "unknown option '%s'", argv[i]);
            goto done;
        } else {
            fields[nf++ + 2] = argv[i];
        }
    }
    if (!type || !date) {
        rc = ccm_usage(cli, "missing %s", !type ? "--type T" : "--date D");
        goto done;
    }
    if ((rc = ccm_schema_check_value("activity", "type", type)) < 0 ||
        (rc = ccm_date_day(day, date, "--date")) < 0) {
        goto done;
    }
    date = day;
    if (!(type_arg = malloc(strlen(type) + 6)) || !(date_arg = malloc(strlen(date) + 6))) {
        rc = ccm_error_set(CCM_ERROR, "out of memory");
        goto done;
    }
    sprintf(type_arg, "type=%s", type);
    sprintf(date_arg, "date=%s", date);
    fields[0] = type_arg;
    fields[1] = date_arg;
    ccm_crypto_random_hex(id, ACTIVITY_ID_LEN / 2);
    rc = ccm_cli_update_record(cli, "activity", id, nf + 2, fields,
                               CCM_UPDATE_CREATE | CCM_UPDATE_QUIET);
    if (rc == CCM_OK && cli->json) {
        json_t *doc = json_pack("{s:s}", "id", id);
        rc = ccm_print_json(doc);
        json_decref(doc);
    } else if (rc == CCM_OK) {
        printf("%s\n", id);
    }
done:
    free(type_arg);
    free(date_arg);
    free(fields);
    return rc;
}

int ccm_cmd_activity_set(ccm_cli *cli, int argc, char **argv)
{
    char *id = NULL;
    int rc;

    if (argc < 1) {
        return ccm_usage(cli, "missing activity id");
    }
    if ((rc = ccm_cli_hex_id(&id, cli, "activity", argv[0])) == CCM_OK) {
        rc = ccm_cli_update_record(cli, "activity", id, argc - 1, argv + 1, 0);
    }
    free(id);
    return rc;
}

int ccm_cmd_activity_show(ccm_cli *cli, int argc, char **argv)
{
    char *id = NULL;
    int rc;

    if (argc != 1) {
        return ccm_usage(cli, argc ? "too many arguments" : "missing activity id");
    }
    if ((rc = ccm_cli_hex_id(&id, cli, "activity", argv[0])) == CCM_OK) {
        rc = ccm_cli_show_record(cli, "activity", id);
    }
    free(id);
    return rc;
}

int ccm_cmd_activity_rm(ccm_cli *cli, int argc, char **argv)
{
    char *id = NULL;
    int rc;

    if (argc != 1) {
        return ccm_usage(cli, argc ? "too many arguments" : "missing activity id");
    }
    if ((rc = ccm_cli_hex_id(&id, cli, "activity", argv[0])) == CCM_OK &&
        (rc = ccm_cli_remove_record(cli, "activity", id)) == CCM_OK && !cli->json) {
        printf("removed activity %s\n", id);
    }
    free(id);
    return rc;
}

int ccm_cmd_activity_list(ccm_cli *cli, int argc, char **argv)
{
    static const ccm_list_opt opts[] = {
        {"--state", "states", Q_EQ, 1},  {"--type", "type", Q_EQ, 0},
        {"--status", "status", Q_EQ, 0}, {"--by", "by", Q_EQ, 0},
        {"--since", "date", Q_GE, 0},    {"--until", "date", Q_LE, 0},
        {NULL, NULL, Q_EQ, 0},
    };

    return ccm_cli_list_command(cli, "activity", opts,
                                "--state ID, --type T, --status S, --by M, --since D, "
                                "--until D, --where F<op>V, --sort F[:desc], --columns F,...",
                                argc, argv);
}
