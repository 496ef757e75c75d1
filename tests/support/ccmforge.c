/*
 * ccmforge.c - the forging tool of the adversarial end-to-end tests: writes
 * one commit the command line never would, signed with the keys of the
 * member whose store it is given, and prints its id. It moves no ref: the
 * tests put the commit on a hub with plain git, as an attacker would.
 *
 *   ccmforge STORE record PARENT KIND ID [OPTIONS] [OPS...]
 *       a change of one record, with raw CRDT operations (no schema check):
 *       --set F=V  --clear F  --add F=E  --remove F=E  --delete
 *       --entries F N   F holds N concurrent values (forged vectors)
 *       --big F BYTES   F holds a value of BYTES bytes
 *       --as M          entries attributed to M
 *       --stamp S       the operations' stamp (default: the next honest one)
 *       --no-bump       stamps.json left as it was
 *       --epoch E       sealed under key epoch E
 *       --author A      the commit authored as A
 *   ccmforge STORE rollback PARENT KIND ID OLDCOMMIT   the record's blob of OLDCOMMIT
 *   ccmforge STORE keys PARENT garbage|symlink|plain MEMBER
 *       the sealed key of MEMBER for the current epoch replaced
 *   ccmforge STORE rotate PARENT        a key epoch of this member's own,
 *       sealed to every member (removed ones too), roster epoch and
 *       commitment to match, no removal (the next epoch; or the roster's
 *       own, replaced, when this member never had its key)
 *   ccmforge STORE roster PARENT add-admin NAME SIGN_KEY BOX_KEY | remove NAME
 *       | readd NAME | promote NAME
 *   ccmforge STORE merge P1 P2 [--drop KIND ID] [--add KIND ID F V]
 *       [--rotate] [--promote NAME] [--remove NAME] [--keys-garbage MEMBER]
 *       the honest merge of P1 and P2, tampered with (a member without the
 *       key to merge the records: the merged membership, P1's records)
 *   ccmforge STORE empty PARENT [--stamp S] [--author A]
 * Exit 0 and the commit id on stdout, or 1 and a message on stderr.
 *
 *   ccmforge STORE read COMMIT KIND ID [--keys-from REV]...
 *       what this member can read: the record at COMMIT as JSON, opened with
 *       any key its store holds, COMMIT seals to it, or (--keys-from) the
 *       commit REV sealed to it; exit 3 if none opens it, 1 if there is no
 *       such record. Writes nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/support/forge.h"

static int die(const char *what)
{
    fprintf(stderr, "ccmforge: %s%s%s\n", what, *ccm_error_last() ? ": " : "", ccm_error_last());
    return 1;
}

static int oid_arg(git_oid *out, ccm_forge *f, const char *rev)
{
    git_object *o = NULL;
    int rc = git_revparse_single(&o, ccm_forge_store(f)->repo, rev);

    if (rc < 0) {
        return ccm_error_set(CCM_EINVALID, "unknown commit '%s'", rev);
    }
    *out = *git_object_id(o);
    git_object_free(o);
    return CCM_OK;
}

/* A register with n concurrent entries none of which supersedes another:
 * each by its own (made-up) member, seeing only itself. */
static json_t *many_entries(int n, uint64_t stamp)
{
    json_t *r = json_array();

    for (int i = n; i-- > 0;) {
        char m[32];
        snprintf(m, sizeof(m), "m%06d", i);
        json_array_append_new(r, json_pack("{s:s, s:I, s:s, s:{s:I}}", "v", m, "s",
                                           (json_int_t)stamp, "m", m, "vv", m, (json_int_t)stamp));
    }
    return json_pack("{s:o}", "r", r);
}

static int cmd_record(ccm_forge *f, int argc, char **argv)
{
    git_oid parent, id;
    const char *kind = argv[1], *rid = argv[2], *as = ccm_store_member(ccm_forge_store(f));
    const char *author = NULL;
    uint64_t stamp = 0;
    uint32_t epoch = 0;
    int bump = 1, rc;
    json_t *rec = NULL;

    if (argc < 3 || oid_arg(&parent, f, argv[0]) < 0 || ccm_forge_begin(f, &parent, NULL) < 0) {
        return die("record PARENT KIND ID");
    }
    for (int i = 3; i < argc; i++) {
        if (strcmp(argv[i], "--as") == 0 && i + 1 < argc) {
            as = argv[++i];
        } else if (strcmp(argv[i], "--stamp") == 0 && i + 1 < argc) {
            stamp = strtoull(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--no-bump") == 0) {
            bump = 0;
        } else if (strcmp(argv[i], "--epoch") == 0 && i + 1 < argc) {
            epoch = (uint32_t)strtoul(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--author") == 0 && i + 1 < argc) {
            author = argv[++i];
        }
    }
    if (!stamp) {
        stamp = ccm_forge_next_stamp(f);
    }
    if (ccm_forge_record(&rec, f, kind, rid) < 0 && !(rec = ccm_record_new(kind, rid))) {
        return die("cannot make the record");
    }
    ccm_error_clear();
    for (int i = 3; i < argc; i++) {
        char *arg = i + 1 < argc ? argv[i + 1] : NULL, *eq = arg ? strchr(arg, '=') : NULL;
        rc = CCM_OK;
        if (strcmp(argv[i], "--set") == 0 && eq) {
            *eq = 0;
            rc = ccm_record_assign(rec, arg, eq + 1, stamp, as);
            i++;
        } else if (strcmp(argv[i], "--clear") == 0 && arg) {
            rc = ccm_record_assign(rec, arg, NULL, stamp, as);
            i++;
        } else if (strcmp(argv[i], "--add") == 0 && eq) {
            *eq = 0;
            rc = ccm_record_set_add(rec, arg, eq + 1, stamp, as);
            i++;
        } else if (strcmp(argv[i], "--remove") == 0 && eq) {
            *eq = 0;
            rc = ccm_record_set_remove(rec, arg, eq + 1, stamp, as);
            i++;
        } else if (strcmp(argv[i], "--delete") == 0) {
            rc = ccm_record_delete(rec, stamp, as);
        } else if (strcmp(argv[i], "--entries") == 0 && i + 2 < argc) {
            json_object_set_new(json_object_get(rec, "fields"), argv[i + 1],
                                many_entries(atoi(argv[i + 2]), stamp));
            i += 2;
        } else if (strcmp(argv[i], "--big") == 0 && i + 2 < argc) {
            size_t n = strtoull(argv[i + 2], NULL, 10);
            char *big = malloc(n + 1);
            if (!big) {
                return die("out of memory");
            }
            memset(big, 'x', n);
            big[n] = 0;
            rc = ccm_record_assign(rec, argv[i + 1], big, stamp, as);
            free(big);
            i += 2;
        }
        if (rc < 0) {
            return die(argv[i]);
        }
    }
    if ((rc = ccm_forge_put_record(f, rec, epoch)) < 0 || (bump && ccm_forge_bump(f, stamp) < 0) ||
        ccm_forge_commit(&id, f, author) < 0) {
        json_decref(rec);
        return die("cannot write the commit");
    }
    json_decref(rec);
    printf("%s\n", git_oid_tostr_s(&id));
    return 0;
}

/* What this member can read of a record at a commit: every key it ever
 * held (its store's) and every key of that commit sealed to it. */
static int cmd_read(ccm_forge *f, int argc, char **argv)
{
    git_oid commit, blob;
    char path[CCM_PATH_MAX];
    json_t *rec = NULL;
    git_blob *b = NULL;
    uint32_t epoch = 0;
    char *text;

    if (argc < 3 || oid_arg(&commit, f, argv[0]) < 0) {
        return die("read COMMIT KIND ID [--keys-from REV]...");
    }
    for (int i = 3; i < argc; i++) {
        git_oid from;
        if (strcmp(argv[i], "--keys-from") != 0 || i + 1 >= argc ||
            oid_arg(&from, f, argv[++i]) < 0 || ccm_forge_begin(f, &from, NULL) < 0) {
            return die("read COMMIT KIND ID [--keys-from REV]...");
        }
        ccm_forge_load_keys(f);
    }
    if (ccm_forge_begin(f, &commit, NULL) < 0) {
        return die("read COMMIT KIND ID");
    }
    ccm_forge_load_keys(f);
    ccm_forge_record_path(path, f, argv[1], argv[2]);
    if (ccm_forge_blob_at(&blob, f, &commit, path) < 0) {
        fprintf(stderr, "ccmforge: no record %s/%s at that commit (or no key to name it)\n",
                argv[1], argv[2]);
        return 1;
    }
    if (ccm_forge_record(&rec, f, argv[1], argv[2]) < 0) {
        if (git_blob_lookup(&b, ccm_forge_store(f)->repo, &blob) == 0) {
            ccm_envelope_epoch(&epoch, git_blob_rawcontent(b), (size_t)git_blob_rawsize(b));
        }
        git_blob_free(b);
        fprintf(stderr, "ccmforge: cannot read %s/%s: sealed under key epoch %u (%s)\n", argv[1],
                argv[2], (unsigned)epoch, ccm_error_last());
        return 3;
    }
    text = json_dumps(rec, JSON_SORT_KEYS | JSON_COMPACT);
    json_decref(rec);
    if (!text) {
        return die("out of memory");
    }
    printf("%s\n", text);
    free(text);
    return 0;
}

static int cmd_rollback(ccm_forge *f, int argc, char **argv)
{
    git_oid parent, old, blob, id;
    char path[CCM_PATH_MAX];
    git_blob *b = NULL;

    if (argc != 4 || oid_arg(&parent, f, argv[0]) < 0 || oid_arg(&old, f, argv[3]) < 0 ||
        ccm_forge_begin(f, &parent, NULL) < 0) {
        return die("rollback PARENT KIND ID OLDCOMMIT");
    }
    ccm_forge_record_path(path, f, argv[1], argv[2]);
    if (ccm_forge_blob_at(&blob, f, &old, path) < 0 ||
        git_blob_lookup(&b, ccm_forge_store(f)->repo, &blob) < 0 ||
        ccm_forge_put_raw(f, path, git_blob_rawcontent(b), (size_t)git_blob_rawsize(b),
                          GIT_FILEMODE_BLOB) < 0 ||
        ccm_forge_bump(f, ccm_forge_next_stamp(f)) < 0 || ccm_forge_commit(&id, f, NULL) < 0) {
        git_blob_free(b);
        return die("cannot roll back");
    }
    git_blob_free(b);
    printf("%s\n", git_oid_tostr_s(&id));
    return 0;
}

/* keys/<epoch>/<member> replaced by garbage, a symlink, or the plaintext
 * group key (what a careless or hostile writer could leave there). */
static int tamper_key(ccm_forge *f, const char *mode, const char *member)
{
    json_t *roster = NULL;
    char path[160];
    uint8_t junk[200];
    int rc;

    if ((rc = ccm_forge_roster(&roster, f)) < 0) {
        return rc;
    }
    snprintf(path, sizeof(path), CCM_KEYS_DIR "/%lld/%s",
             (long long)json_integer_value(json_object_get(roster, "epoch")), member);
    json_decref(roster);
    for (size_t i = 0; i < sizeof(junk); i++) {
        junk[i] = (uint8_t)(i * 37 + 11);
    }
    if (strcmp(mode, "garbage") == 0) {
        return ccm_forge_put_raw(f, path, junk, ccm_groupkey_sealed_size(), GIT_FILEMODE_BLOB);
    }
    if (strcmp(mode, "symlink") == 0) {
        return ccm_forge_put_raw(f, path, "../../roster.json", 17, GIT_FILEMODE_LINK);
    }
    if (strcmp(mode, "plain") == 0) {
        return ccm_forge_put_raw(f, path, "the group key, in the clear", 27, GIT_FILEMODE_BLOB);
    }
    return ccm_error_set(CCM_EINVALID, "unknown key tampering '%s'", mode);
}

/* A key epoch of this member's own, sealed to every member (removed ones
 * too), the roster's commitment following: the epoch after the roster's,
 * or, when this member lacks the roster's epoch (removed meanwhile), that
 * epoch, replacing its sealed keys. */
static int own_rotation(ccm_forge *f)
{
    json_t *roster = NULL;
    char *cmt = NULL, e[16];
    uint32_t epoch, held = ccm_forge_store(f)->epoch;
    int rc;

    if ((rc = ccm_forge_roster(&roster, f)) < 0) {
        return rc;
    }
    epoch = (uint32_t)json_integer_value(json_object_get(roster, "epoch"));
    epoch = held == epoch ? epoch + 1 : epoch;
    if ((rc = ccm_forge_own_key(f, roster, epoch, 1, &cmt)) == CCM_OK) {
        snprintf(e, sizeof(e), "%u", (unsigned)epoch);
        json_object_set_new(roster, "epoch", json_integer(epoch));
        json_object_set_new(json_object_get(roster, "commitments"), e, json_string(cmt));
        rc = ccm_forge_set_roster(f, roster);
    }
    free(cmt);
    json_decref(roster);
    return rc;
}

static int roster_change(ccm_forge *f, int argc, char **argv)
{
    json_t *roster = NULL, *m;
    int rc;

    if ((rc = ccm_forge_roster(&roster, f)) < 0) {
        return rc;
    }
    m = argc > 1 ? (json_t *)ccm_roster_member(roster, argv[1]) : NULL;
    if (strcmp(argv[0], "add-admin") == 0 && argc == 4) {
        char at[32];
        ccm_stamp_format(at, ccm_clock_now_ms() << 16);
        json_array_append_new(json_object_get(roster, "members"),
                              json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "name", argv[1], "role",
                                        "admin", "sign_key", argv[2], "box_key", argv[3], "since",
                                        at, "added_by", ccm_store_member(ccm_forge_store(f))));
    } else if (strcmp(argv[0], "remove") == 0 && m) {
        json_object_set_new(m, "removed", json_string("2020-01-01T00:00:00.000Z"));
        json_object_set_new(m, "removed_by", json_string(ccm_store_member(ccm_forge_store(f))));
    } else if (strcmp(argv[0], "readd") == 0 && m) {
        json_object_del(m, "removed");
        json_object_del(m, "removed_by");
    } else if (strcmp(argv[0], "promote") == 0 && m) {
        json_object_set_new(m, "role", json_string("admin"));
    } else {
        json_decref(roster);
        return ccm_error_set(CCM_EINVALID, "unknown roster change '%s'", argv[0]);
    }
    rc = ccm_roster_canonicalise(roster);
    if (rc == CCM_OK) {
        rc = ccm_forge_set_roster(f, roster);
    }
    json_decref(roster);
    return rc;
}

static int cmd_simple(ccm_forge *f, const char *cmd, int argc, char **argv)
{
    git_oid parent, id;
    uint64_t stamp = 0;
    const char *author = NULL;
    int rc = CCM_OK;

    if (argc < 1 || oid_arg(&parent, f, argv[0]) < 0 || ccm_forge_begin(f, &parent, NULL) < 0) {
        return die(cmd);
    }
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--stamp") == 0 && i + 1 < argc) {
            stamp = strtoull(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--author") == 0 && i + 1 < argc) {
            author = argv[++i];
        }
    }
    if (strcmp(cmd, "keys") == 0) {
        rc = argc >= 3 ? tamper_key(f, argv[1], argv[2]) : ccm_error_set(CCM_EINVALID, "usage");
    } else if (strcmp(cmd, "rotate") == 0) {
        rc = own_rotation(f);
    } else if (strcmp(cmd, "roster") == 0) {
        rc =
            argc >= 3 ? roster_change(f, argc - 1, argv + 1) : ccm_error_set(CCM_EINVALID, "usage");
    }
    if (rc < 0 || ccm_forge_bump(f, stamp ? stamp : ccm_forge_next_stamp(f)) < 0 ||
        ccm_forge_commit(&id, f, author) < 0) {
        return die(cmd);
    }
    printf("%s\n", git_oid_tostr_s(&id));
    return 0;
}

static int cmd_merge(ccm_forge *f, int argc, char **argv)
{
    git_oid a, b, id;
    int rc = CCM_OK;

    if (argc < 2 || oid_arg(&a, f, argv[0]) < 0 || oid_arg(&b, f, argv[1]) < 0 ||
        ccm_forge_begin(f, &a, &b) < 0) {
        return die("merge P1 P2");
    }
    for (int i = 2; i < argc && rc == CCM_OK; i++) {
        if (strcmp(argv[i], "--drop") == 0 && i + 2 < argc) {
            char path[CCM_PATH_MAX];
            ccm_forge_record_path(path, f, argv[i + 1], argv[i + 2]);
            rc = ccm_forge_put_raw(f, path, NULL, 0, GIT_FILEMODE_BLOB);
            i += 2;
        } else if (strcmp(argv[i], "--add") == 0 && i + 4 < argc) {
            json_t *rec = NULL;
            if (ccm_forge_record(&rec, f, argv[i + 1], argv[i + 2]) < 0) {
                rec = ccm_record_new(argv[i + 1], argv[i + 2]);
            }
            ccm_error_clear();
            if ((rc = ccm_record_assign(rec, argv[i + 3], argv[i + 4], ccm_forge_next_stamp(f),
                                        ccm_store_member(ccm_forge_store(f)))) == CCM_OK) {
                rc = ccm_forge_put_record(f, rec, 0);
            }
            json_decref(rec);
            i += 4;
        } else if (strcmp(argv[i], "--rotate") == 0) {
            rc = own_rotation(f);
        } else if ((strcmp(argv[i], "--promote") == 0 || strcmp(argv[i], "--remove") == 0) &&
                   i + 1 < argc) {
            char *args[2] = {argv[i] + 2, argv[i + 1]};
            rc = roster_change(f, 2, args);
            i++;
        } else if (strcmp(argv[i], "--keys-garbage") == 0 && i + 1 < argc) {
            rc = tamper_key(f, "garbage", argv[++i]);
        } else {
            rc = ccm_error_set(CCM_EINVALID, "unknown merge tampering '%s'", argv[i]);
        }
    }
    if (rc < 0 || ccm_forge_commit(&id, f, NULL) < 0) {
        return die("merge");
    }
    printf("%s\n", git_oid_tostr_s(&id));
    return 0;
}

int main(int argc, char **argv)
{
    ccm_forge *f = NULL;
    int rc;

    if (argc < 4) {
        fprintf(stderr,
                "usage: ccmforge STORE COMMAND PARENT ... (see tests/support/ccmforge.c)\n");
        return 2;
    }
    if (ccm_forge_open(&f, argv[1]) < 0) {
        return die("cannot open the store");
    }
    if (strcmp(argv[2], "record") == 0) {
        rc = cmd_record(f, argc - 3, argv + 3);
    } else if (strcmp(argv[2], "rollback") == 0) {
        rc = cmd_rollback(f, argc - 3, argv + 3);
    } else if (strcmp(argv[2], "read") == 0) {
        rc = cmd_read(f, argc - 3, argv + 3);
    } else if (strcmp(argv[2], "merge") == 0) {
        rc = cmd_merge(f, argc - 3, argv + 3);
    } else if (strcmp(argv[2], "keys") == 0 || strcmp(argv[2], "rotate") == 0 ||
               strcmp(argv[2], "roster") == 0 || strcmp(argv[2], "empty") == 0) {
        rc = cmd_simple(f, argv[2], argc - 3, argv + 3);
    } else {
        fprintf(stderr, "ccmforge: unknown command '%s'\n", argv[2]);
        rc = 2;
    }
    ccm_forge_free(f);
    return rc;
}
