/*
 * store.c - creating, opening and unlocking a store; reading the roster and
 * single records at HEAD.
 *
 * Opening reads only local files and the branch tip; keys stay locked until
 * ccm_store_unlock, which decrypts the identity (Argon2id when protected) and
 * opens the group key sealed to this member at HEAD.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "store_private.h"

static int git_ready;

int ccm_store_global_init(void)
{
    if (!git_ready) {
        if (git_libgit2_init() < 0) {
            return ccm_git_error("cannot initialise libgit2");
        }
        /* Every object read is hashed and checked against its id (libgit2's
         * default, made explicit): the pack writer (store/odb/packfile.c) indexes
         * copied objects under the ids they were read by. */
        if (git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 1) < 0) {
            return ccm_git_error("cannot initialise libgit2");
        }
        git_ready = 1;
    }
    return ccm_crypto_init();
}

/* The roster of a new group: its first member, an admin, and the
 * commitment to the first group key. */
static json_t *first_roster(const char *member, const ccm_identity *id, const ccm_groupkey *gk,
                            uint64_t now_ms)
{
    char *sign = ccm_ssh_pubkey_format(ccm_identity_sign_pk(id));
    char *box = ccm_base64_encode(ccm_identity_box_pk(id), CCM_BOX_PK_BYTES);
    uint8_t cmt[CCM_KEY_COMMITMENT_BYTES];
    char *cmt64;
    char at[32];
    json_t *r = NULL;

    ccm_groupkey_commitment(cmt, gk);
    cmt64 = ccm_base64_encode(cmt, sizeof(cmt));
    ccm_stamp_format(at, now_ms << 16);
    if (sign && box && cmt64) {
        r = json_pack("{s:i, s:i, s:{s:s}, s:[{s:s, s:s, s:s, s:s, s:s, s:s}]}", "format",
                      CCM_HISTORY_FORMAT, "epoch", 1, "commitments", "1", cmt64, "members", "name",
                      member, "role", "admin", "sign_key", sign, "box_key", box, "since", at,
                      "added_by", member);
    }
    free(cmt64);
    free(sign);
    free(box);
    return r;
}

int ccm_store_write_local(const char *dir, const char *member)
{
    json_t *doc = json_pack("{s:i, s:s}", "format", 1, "member", member);
    char *text = doc ? json_dumps(doc, JSON_SORT_KEYS | JSON_INDENT(2)) : NULL;
    char *path = ccm_path_join(dir, "local.json");
    int rc = (text && path) ? ccm_file_write(path, (const uint8_t *)text, strlen(text), 0600)
                            : ccm_error_set(CCM_ERROR, "out of memory");
    json_decref(doc);
    free(text);
    free(path);
    return rc;
}

/* Builds the first commit: roster, the founder's first stamp and the group
 * key sealed to the founder. */
static int first_commit(ccm_store *s, const ccm_groupkey *gk)
{
    git_oid roster_oid, key_oid, tree_oid, commit_oid, stamps_oid;
    git_tree *tree = NULL;
    uint8_t *sealed = NULL;
    size_t sealed_len = 0;
    char key_path[128];
    git_tree_update up[3];
    json_t *stamps = NULL;
    uint64_t stamp = ccm_hlc_next(0, ccm_clock_now_ms());
    int rc;

    if ((rc = ccm_roster_write(&roster_oid, s->repo, s->roster)) < 0 ||
        (rc = ccm_stamps_with(&stamps, NULL, s->member, stamp)) < 0 ||
        (rc = ccm_stamps_write(&stamps_oid, s->repo, stamps)) < 0) {
        goto done;
    }
    if ((rc = ccm_groupkey_seal(&sealed, &sealed_len, gk, ccm_identity_box_pk(s->id))) < 0) {
        goto done;
    }
    if (git_blob_create_from_buffer(&key_oid, s->repo, sealed, sealed_len) < 0) {
        rc = ccm_git_error("cannot write group key");
        goto done;
    }
    snprintf(key_path, sizeof(key_path), CCM_KEYS_DIR "/1/%s", s->member);
    up[0] =
        (git_tree_update){GIT_TREE_UPDATE_UPSERT, roster_oid, GIT_FILEMODE_BLOB, CCM_ROSTER_PATH};
    up[1] = (git_tree_update){GIT_TREE_UPDATE_UPSERT, key_oid, GIT_FILEMODE_BLOB, key_path};
    up[2] =
        (git_tree_update){GIT_TREE_UPDATE_UPSERT, stamps_oid, GIT_FILEMODE_BLOB, CCM_STAMPS_PATH};
    if (git_tree_create_updated(&tree_oid, s->repo, NULL, 3, up) < 0 ||
        git_tree_lookup(&tree, s->repo, &tree_oid) < 0) {
        rc = ccm_git_error("cannot write tree");
        goto done;
    }
    if ((rc = ccm_store_commit_signed(&commit_oid, s, s->repo, tree, NULL, 0)) < 0) {
        goto done;
    }
    if ((rc = ccm_store_move_branch(s, NULL, &commit_oid)) == CCM_OK) {
        rc = ccm_store_clock_save(s, stamp);
    }
done:
    json_decref(stamps);
    free(sealed);
    git_tree_free(tree);
    return rc;
}

int ccm_store_write_identity(const char *dir, const ccm_identity *id, const char *pass,
                             size_t pass_len)
{
    uint8_t *locked = NULL;
    size_t len = 0;
    char *path = ccm_path_join(dir, "identity");
    int rc = path ? ccm_identity_lock(&locked, &len, id, pass, pass_len)
                  : ccm_error_set(CCM_ERROR, "out of memory");

    if (rc == CCM_OK) {
        rc = ccm_file_write(path, locked, len, 0600);
    }
    if (locked) {
        sodium_memzero(locked, len);
    }
    free(locked);
    free(path);
    return rc;
}

int ccm_store_init(const char *dir, const char *member, const char *pass, size_t pass_len)
{
    ccm_store *s = NULL;
    ccm_groupkey *gk = NULL;
    git_repository_init_options opts;
    int created = 0, rc;

    if ((rc = ccm_store_global_init()) < 0 || (rc = ccm_schema_check_member_name(member)) < 0) {
        return rc;
    }
    if (!ccm_dir_is_empty_or_absent(dir)) {
        return ccm_error_set(CCM_EINVALID, "'%s' already exists and is not empty", dir);
    }
    if ((rc = ccm_mkdir_p(dir)) < 0) {
        return rc;
    }
    created = 1;
    if (!(s = calloc(1, sizeof(*s))) || !(s->dir = strdup(dir)) || !(s->member = strdup(member)) ||
        !(s->git_dir = ccm_path_join(dir, "repo"))) {
        rc = ccm_error_set(CCM_ERROR, "out of memory");
        goto done;
    }
    if ((rc = ccm_identity_generate(&s->id)) < 0 ||
        (rc = ccm_store_write_identity(dir, s->id, pass, pass_len)) < 0) {
        goto done;
    }
    git_repository_init_options_init(&opts, GIT_REPOSITORY_INIT_OPTIONS_VERSION);
    opts.flags = GIT_REPOSITORY_INIT_BARE | GIT_REPOSITORY_INIT_MKPATH;
    opts.initial_head = "main";
    if (git_repository_init_ext(&s->repo, s->git_dir, &opts) < 0) {
        rc = ccm_git_error("cannot create repository");
        goto done;
    }
    if ((rc = ccm_groupkey_generate(&gk, 1)) < 0) {
        goto done;
    }
    if (!(s->roster = first_roster(member, s->id, gk, ccm_clock_now_ms()))) {
        rc = ccm_error_set(CCM_ERROR, "out of memory");
        goto done;
    }
    if ((rc = first_commit(s, gk)) < 0) {
        goto done;
    }
    rc = ccm_store_write_local(dir, member);
done:
    if (rc < 0 && created) {
        ccm_remove_tree(dir);
    }
    ccm_groupkey_free(gk);
    ccm_store_free(s);
    return rc;
}

static int read_local(ccm_store *s)
{
    char *path = ccm_path_join(s->dir, "local.json");
    uint8_t *buf = NULL;
    size_t len = 0;
    json_t *doc = NULL;
    const char *member;
    int rc;

    if (!path) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    rc = ccm_file_read(&buf, &len, path);
    if (rc == CCM_ENOTFOUND) {
        rc = ccm_error_set(CCM_ENOTFOUND,
                           "no store at '%s' (create one with 'ccmsync init' or 'ccmsync join', "
                           "or name it with -C DIR or CCMSYNC_STORE)",
                           s->dir);
    }
    if (rc < 0) {
        goto done;
    }
    doc = json_loadb((const char *)buf, len, 0, NULL);
    member = json_string_value(json_object_get(doc, "member"));
    if (!member || ccm_schema_check_member_name(member) < 0) {
        rc = ccm_error_set(CCM_ERROR, "'%s' is damaged", path);
        goto done;
    }
    if (!(s->member = strdup(member))) {
        rc = ccm_error_set(CCM_ERROR, "out of memory");
    }
done:
    json_decref(doc);
    free(buf);
    free(path);
    return rc;
}

/* Re-reads HEAD: the commit id and the roster at it. */
static int refresh_head(ccm_store *s)
{
    git_commit *head = NULL;
    git_tree *tree = NULL;
    json_t *roster = NULL;
    json_int_t epoch;
    int rc;

    if ((rc = ccm_store_head_commit(&head, s)) < 0) {
        return rc;
    }
    if (!head) {
        return ccm_error_set(CCM_ERROR, "store '%s' has no history", s->dir);
    }
    git_oid_tostr(s->head, sizeof(s->head), git_commit_id(head));
    if (git_commit_tree(&tree, head) < 0) {
        rc = ccm_git_error("cannot read tree");
        goto done;
    }
    if ((rc = ccm_store_read_roster(&roster, s->repo, tree)) < 0) {
        goto done;
    }
    epoch = json_integer_value(json_object_get(roster, "epoch"));
    if (epoch < 1 || epoch >= CCM_MAX_EPOCHS) {
        rc = ccm_error_set(CCM_EVERIFY, "roster names invalid epoch");
        goto done;
    }
    json_decref(s->roster);
    s->roster = roster;
    roster = NULL;
    s->epoch = (uint32_t)epoch;
    if (s->id && (rc = ccm_store_load_key_with(s, tree, s->roster, s->epoch)) == CCM_OK) {
        ccm_store_promote_key(s, s->epoch, s->roster);
    } else if (s->id && rc == CCM_EDENIED) {
        /* Not admitted (yet), or removed: the identity is unlocked, reading
         * records fails later with CCM_EDENIED; syncing still works. */
        ccm_error_clear();
        rc = CCM_OK;
    }
done:
    json_decref(roster);
    git_tree_free(tree);
    git_commit_free(head);
    return rc;
}

int ccm_store_open(ccm_store **out, const char *dir)
{
    ccm_store *s = NULL;
    char *idpath = NULL;
    int rc;

    *out = NULL;
    if ((rc = ccm_store_global_init()) < 0) {
        return rc;
    }
    if (!(s = calloc(1, sizeof(*s))) || !(s->dir = strdup(dir)) ||
        !(s->git_dir = ccm_path_join(dir, "repo")) || !(idpath = ccm_path_join(dir, "identity"))) {
        rc = ccm_error_set(CCM_ERROR, "out of memory");
        goto done;
    }
    if ((rc = read_local(s)) < 0) {
        goto done;
    }
    if ((rc = ccm_file_read(&s->identity_file, &s->identity_len, idpath)) < 0) {
        goto done;
    }
    if (git_repository_open_bare(&s->repo, s->git_dir) < 0) {
        rc = ccm_git_error("cannot open repository");
        goto done;
    }
    rc = refresh_head(s);
done:
    free(idpath);
    if (rc < 0) {
        ccm_store_free(s);
    } else {
        *out = s;
    }
    return rc;
}

int ccm_store_needs_passphrase(const ccm_store *s)
{
    return ccm_identity_needs_passphrase(s->identity_file, s->identity_len) == 1;
}

int ccm_store_unlock(ccm_store *s, const char *pass, size_t pass_len)
{
    int rc;

    if (s->id) {
        return CCM_OK;
    }
    rc = ccm_identity_unlock(&s->id, s->identity_file, s->identity_len, pass, pass_len);
    if (rc < 0) {
        return rc;
    }
    if ((rc = ccm_identity_local_key(&s->local_key, s->id, "ccmsync-cache")) < 0) {
        return rc;
    }
    return refresh_head(s);
}

int ccm_store_refresh(ccm_store *s)
{
    int rc;

    /* Writers start here: none while reads look at the past (view.c). */
    if ((rc = ccm_store_view_refuse_write(s)) < 0) {
        return rc;
    }
    return refresh_head(s);
}

void ccm_store_free_at_exit(ccm_store *s)
{
#ifndef CCM_LEAK_CHECKED
    if (s) {
        s->memo_retired = NULL; /* left to the exit, as compilers leave their trees */
    }
#endif
    ccm_store_free(s);
}

void ccm_store_free(ccm_store *s)
{
    if (!s) {
        return;
    }
    for (uint32_t i = 0; i < s->nkeys; i++) {
        ccm_groupkey_free(s->keys[i]);
    }
    for (size_t i = 0; i < s->nalts; i++) {
        ccm_groupkey_free(s->alts[i]);
    }
    free(s->keys);
    free(s->cmts);
    free(s->alts);
    ccm_identity_free(s->id);
    ccm_secret_free(s->local_key);
    json_decref(s->roster);
    ccm_store_memo_end(s);
    git_repository_free(s->repo);
    free(s->identity_file);
    free(s->dir);
    free(s->git_dir);
    free(s->member);
    free(s);
}

const char *ccm_store_member(const ccm_store *s)
{
    return s->member;
}

git_repository *ccm_store_repo(ccm_store *s)
{
    return s->repo;
}

const char *ccm_store_dir(const ccm_store *s)
{
    return s->dir;
}

const json_t *ccm_store_tip_roster(const ccm_store *s)
{
    return s->roster;
}

uint32_t ccm_store_epoch(const ccm_store *s)
{
    return s->epoch;
}

int ccm_store_can_read(ccm_store *s)
{
    int ok = s->id && ccm_store_key(s, s->epoch);

    ccm_error_clear();
    return ok;
}

int ccm_store_last_unchecked(const ccm_store *s)
{
    return s->unchecked;
}

const ccm_identity *ccm_store_identity(const ccm_store *s)
{
    return s->id;
}

const char *ccm_store_git_dir(const ccm_store *s)
{
    return s->git_dir;
}

void ccm_store_head(char out[41], ccm_store *s)
{
    memcpy(out, s->head, 41);
}

const char *ccm_store_role(const ccm_store *s)
{
    size_t i;
    json_t *m;

    json_array_foreach(json_object_get(s->roster, "members"), i, m)
    {
        const char *name = json_string_value(json_object_get(m, "name"));
        if (name && strcmp(name, s->member) == 0 && !json_object_get(m, "removed")) {
            return json_string_value(json_object_get(m, "role"));
        }
    }
    return NULL;
}

int ccm_store_roster(json_t **out, ccm_store *s)
{
    *out = json_deep_copy(s->roster);
    return *out ? CCM_OK : ccm_error_set(CCM_ERROR, "out of memory");
}

int ccm_store_get(json_t **out, ccm_store *s, const char *kind, const char *id)
{
    char name[65], path[CCM_PATH_MAX];
    git_commit *head = NULL;
    git_tree *tree = NULL;
    git_tree_entry *entry = NULL;
    int rc;

    *out = NULL;
    if (!ccm_store_key(s, s->epoch)) {
        return CCM_EDENIED;
    }
    ccm_record_name(name, s, kind, id);
    ccm_record_path_of_name(path, name);
    /* HEAD, or the commit a view (view.c) reads at. */
    if ((rc = ccm_store_read_commit(&head, s)) < 0) {
        return rc;
    }
    if (!head || git_commit_tree(&tree, head) < 0) {
        rc = ccm_git_error("cannot read tree");
        goto done;
    }
    if (git_tree_entry_bypath(&entry, tree, path) < 0) {
        rc = ccm_error_set(CCM_ENOTFOUND, "no %s '%s'", kind, id);
        goto done;
    }
    rc = ccm_store_decrypt_blob(out, s, s->repo, name, git_tree_entry_id(entry));
done:
    git_tree_entry_free(entry);
    git_tree_free(tree);
    git_commit_free(head);
    return rc;
}

int ccm_store_group(json_t **out, ccm_store *s)
{
    char id[CCM_GROUP_ID_LEN + 1];
    json_t *admins = json_array(), *doc = NULL;
    const json_t *m;
    size_t i;
    int rc;

    *out = NULL;
    if (!admins) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    if ((rc = ccm_roster_group_id(id, s->roster)) < 0) {
        json_decref(admins);
        return rc;
    }
    json_array_foreach(json_object_get(s->roster, "members"), i, m)
    {
        uint8_t pk[32];
        char fp[64];
        if (!ccm_roster_is_admin(m) ||
            ccm_ssh_pubkey_parse(pk, json_string_value(json_object_get(m, "sign_key"))) < 0) {
            continue;
        }
        ccm_ssh_fingerprint(fp, pk);
        json_array_append_new(
            admins, json_pack("{s:O, s:s}", "name", json_object_get(m, "name"), "fingerprint", fp));
    }
    doc = json_pack("{s:s, s:o, s:O}", "group", id, "admins", admins, "founder",
                    json_object_get(ccm_roster_founder(s->roster), "name"));
    if (!doc) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    *out = doc;
    return CCM_OK;
}

int ccm_store_freshness(json_t **out, ccm_store *s)
{
    git_commit *head = NULL;
    git_tree *tree = NULL;
    json_t *stamps = NULL, *members = json_object(), *m;
    size_t i;
    int rc;

    *out = NULL;
    if (!members) {
        return ccm_error_set(CCM_ERROR, "out of memory");
    }
    if ((rc = ccm_store_head_commit(&head, s)) < 0 || !head || git_commit_tree(&tree, head) < 0 ||
        (rc = ccm_stamps_read(&stamps, s->repo, tree)) < 0) {
        rc = rc < 0 ? rc : ccm_git_error("cannot read the branch tip");
        goto done;
    }
    json_array_foreach(json_object_get(s->roster, "members"), i, m)
    {
        const char *name = json_string_value(json_object_get(m, "name"));
        uint64_t last = ccm_stamps_get(stamps, name);
        char at[32];
        ccm_stamp_format(at, last);
        json_object_set_new(members, name,
                            json_pack("{s:O, s:o, s:b}", "role", json_object_get(m, "role"),
                                      "last_commit", last ? json_string(at) : json_null(),
                                      "removed", json_object_get(m, "removed") != NULL));
    }
    *out = json_pack("{s:i, s:O}", "epoch", (int)s->epoch, "members", members);
    rc = *out ? CCM_OK : ccm_error_set(CCM_ERROR, "out of memory");
done:
    json_decref(members);
    json_decref(stamps);
    git_tree_free(tree);
    git_commit_free(head);
    return rc;
}
