/*
 * cmd_member.c - init, whoami and member list: the group and this member.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "text.h"

int ccm_cmd_init(ccm_cli *cli, int argc, char **argv)
{
    const char *member = NULL;
    int no_pass = 0, rc;
    char *pass = NULL, next[4200], then[4200], record[4200], seed[4200];
    size_t len = 0;

    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--member") == 0 && i + 1 < argc) {
            member = argv[++i];
        } else if (strcmp(argv[i], "--no-passphrase") == 0) {
            no_pass = 1;
        } else {
            return ccm_usage(cli, "unexpected argument '%s'", argv[i]);
        }
    }
    if (!member) {
        return ccm_usage(cli, "missing --member NAME");
    }
    if ((rc = ccm_schema_check_member_name(member)) < 0) {
        return rc;
    }
    if (!cli->store_dir) {
        return ccm_error_set(CCM_EINVALID, "no store: give -C DIR or set CCMSYNC_STORE");
    }
    if (!no_pass && (rc = ccm_passphrase_get(&pass, &len, cli, 1)) < 0) {
        return rc;
    }
    rc = ccm_store_init(cli->store_dir, member, pass, len);
    ccm_secret_free(pass);
    if (rc < 0) {
        return rc;
    }
    ccm_cli_next_command(next, sizeof(next), cli, "remote add origin URL");
    ccm_cli_next_command(then, sizeof(then), cli, "sync");
    ccm_cli_next_command(record, sizeof(record), cli, "state set ID FIELD...");
    ccm_cli_next_command(seed, sizeof(seed), cli, "seed");
    if (cli->json) {
        json_t *doc = json_pack("{s:s, s:s, s:s, s:[s,s]}", "store", cli->store_dir, "member",
                                member, "role", "admin", "next", next, then);
        rc = ccm_print_json(doc);
        json_decref(doc);
        return rc;
    }
    printf("Created a new group in '%s'; '%s' is its first admin.\n"
           "Next: share it through a hub (a folder on a USB stick or shared drive, or a git\n"
           "server) with\n    %s\n    %s\n"
           "and start recording with\n    %s\n"
           "or load the public reference facts and the work plan's timeline with\n    %s\n",
           cli->store_dir, member, next, then, record, seed);
    return CCM_OK;
}

int ccm_cmd_whoami(ccm_cli *cli, int argc, char **argv)
{
    const ccm_identity *id = ccm_store_identity(cli->store);
    const char *role = ccm_store_role(cli->store);
    char *sign = NULL, *box = NULL, *req = NULL, fp_sign[64], fp_box[64];
    int only_request = 0, rc;

    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--request") == 0) {
            only_request = 1;
        } else {
            return ccm_usage(cli, "unexpected argument '%s'", argv[i]);
        }
    }
    sign = ccm_ssh_pubkey_format(ccm_identity_sign_pk(id));
    box = ccm_base64_encode(ccm_identity_box_pk(id), CCM_BOX_PK_BYTES);
    if (!sign || !box) {
        rc = ccm_error_set(CCM_ERROR, "out of memory");
        goto done;
    }
    if ((rc = ccm_request_format(&req, id, ccm_store_member(cli->store))) < 0) {
        goto done;
    }
    if (cli->json) {
        json_t *doc = json_pack("{s:s, s:o, s:s, s:s, s:s}", "member", ccm_store_member(cli->store),
                                "role", role ? json_string(role) : json_null(), "sign_key", sign,
                                "box_key", box, "request", req);
        rc = ccm_print_json(doc);
        json_decref(doc);
        goto done;
    }
    if (only_request) {
        printf("%s\n", req);
        goto done;
    }
    ccm_ssh_fingerprint(fp_sign, ccm_identity_sign_pk(id));
    ccm_ssh_fingerprint(fp_box, ccm_identity_box_pk(id));
    printf("member:   %s\nrole:     %s\nsign key: %s\n          %s\nbox key:  %s\n          %s\n",
           ccm_store_member(cli->store), role ? role : "(not admitted yet)", sign, fp_sign, box,
           fp_box);
done:
    free(sign);
    free(box);
    free(req);
    return rc;
}

int ccm_cmd_member_list(ccm_cli *cli, int argc, char **argv)
{
    json_t *roster = NULL, *members, *m, *out = NULL;
    int signers = 0, rc;
    size_t i;

    for (int a = 0; a < argc; a++) {
        if (strcmp(argv[a], "--allowed-signers") == 0) {
            signers = 1;
        } else {
            return ccm_usage(cli, "unexpected argument '%s'", argv[a]);
        }
    }
    if ((rc = ccm_store_roster(&roster, cli->store)) < 0) {
        return rc;
    }
    members = json_object_get(roster, "members");
    if (signers) {
        /* git's allowed-signers format: principal, options, key. With
         * --json, the same lines as an array of strings. */
        out = json_array();
        json_array_foreach(members, i, m)
        {
            /* Every member ever, removed ones too, without a validity bound:
             * a removed member's commits that the removal did not see stay
             * in the history (not applied, whatever their dates), and stock
             * git must still find every commit's signature good. What a
             * commit may do is for 'ccmsync verify' to judge, not its date. */
            char line[1024];
            snprintf(line, sizeof(line), "%s namespaces=\"git\" %s",
                     json_string_value(json_object_get(m, "name")),
                     json_string_value(json_object_get(m, "sign_key")));
            if (cli->json) {
                json_array_append_new(out, json_string(line));
            } else {
                ccm_text_put(stdout, line);
                fputc('\n', stdout);
            }
        }
        if (cli->json) {
            rc = ccm_print_json(out);
        }
        goto done;
    }
    out = json_array();
    json_array_foreach(members, i, m)
    {
        uint8_t pk[32];
        char fp[64] = "";
        if (ccm_ssh_pubkey_parse(pk, json_string_value(json_object_get(m, "sign_key"))) == 0) {
            ccm_ssh_fingerprint(fp, pk);
        }
        const char *removed = json_string_value(json_object_get(m, "removed"));
        json_array_append_new(
            out,
            json_pack("{s:O, s:O, s:O, s:s, s:o}", "name", json_object_get(m, "name"), "role",
                      json_object_get(m, "role"), "sign_key", json_object_get(m, "sign_key"),
                      "fingerprint", fp, "removed", removed ? json_string(removed) : json_null()));
        if (!cli->json) {
            char *name = ccm_text_escape(json_string_value(json_object_get(m, "name")), 0);
            char *role = ccm_text_escape(json_string_value(json_object_get(m, "role")), 0);
            char *when = removed ? ccm_text_escape(removed, 0) : NULL;
            printf("%-16s %-7s %s%s%s\n", name ? name : "", role ? role : "", fp,
                   removed ? "  removed " : "", when ? when : "");
            free(name);
            free(role);
            free(when);
        }
    }
    if (cli->json) {
        rc = ccm_print_json(out);
    }
done:
    json_decref(out);
    json_decref(roster);
    return rc;
}
