/*
 * gen_corpus.c - writes the seed corpora of tests/fuzz/corpus/ (a few valid
 * inputs per target) from the fixed keys of fuzz_common.c. Not a fuzzer.
 *
 *   fuzz_gen_corpus sealkey     prints a fresh group key (epoch 1) sealed to
 *                               the fixed identity, as a C initializer for
 *                               FUZZ_SEALED_GROUPKEY_BYTES in fuzz_common.c
 *   fuzz_gen_corpus corpus DIR  writes DIR/<target>/<seed> for every target
 *
 * The seeds only need to be regenerated when a format changes; the envelope
 * and capsule seeds decrypt only under the fixed keys.
 */
#include "fuzz_common.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>

#include "store/store.h"
#include "tests/support/forge_mutate.h"

static const char *g_dir;

static void die(const char *what)
{
    fprintf(stderr, "gen_corpus: %s: %s\n", what, ccm_error_last());
    exit(1);
}

static void put(const char *target, const char *name, const void *buf, size_t len)
{
    char path[4096];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", g_dir, target);
    if (mkdir(path, 0755) < 0 && errno != EEXIST) {
        perror(path);
        exit(1);
    }
    snprintf(path, sizeof(path), "%s/%s/%s", g_dir, target, name);
    if (!(f = fopen(path, "wb")) || fwrite(buf, 1, len, f) != len || fclose(f) != 0) {
        perror(path);
        exit(1);
    }
}

static void put_str(const char *target, const char *name, const char *s)
{
    put(target, name, s, strlen(s));
}

/* Two documents joined by a 0xff byte (how the record and roster targets
 * split their input). */
static void put_pair(const char *target, const char *name, const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    char *buf = malloc(la + 1 + lb);
    memcpy(buf, a, la);
    buf[la] = (char)0xff;
    memcpy(buf + la + 1, b, lb);
    put(target, name, buf, la + 1 + lb);
    free(buf);
}

static char *canon(const json_t *doc)
{
    char *s = json_dumps(doc, JSON_SORT_KEYS | JSON_COMPACT);
    if (!s) {
        die("json_dumps");
    }
    return s;
}

/* 2025-03-06T10:00:00Z plus `min` minutes, as a stamp. */
static uint64_t stamp(unsigned min)
{
    return ccm_hlc_next(0, 1741255200000ULL + (uint64_t)min * 60000);
}

#define OK(x)                                                                                      \
    do {                                                                                           \
        if ((x) != 0) {                                                                            \
            die(#x);                                                                               \
        }                                                                                          \
    } while (0)

static void gen_record(void)
{
    json_t *s = ccm_record_new("state", "LAO"), *a = ccm_record_new("activity", "a1b2c3d4");
    json_t *n = ccm_record_new("note", FUZZ_NOTE_ID);
    char *t;

    OK(ccm_record_assign(s, "status", "signatory", stamp(1), "alice"));
    OK(ccm_record_assign(s, "priority", "high", stamp(2), "alice"));
    OK(ccm_record_assign(s, "last_contact", "2025-03-01", stamp(3), "alice"));
    OK(ccm_record_set_add(s, "targets", "apmbc", stamp(4), "alice"));
    OK(ccm_record_set_add(s, "targets", "ccw", stamp(5), "alice"));
    OK(ccm_record_set_remove(s, "targets", "ccw", stamp(6), "alice"));
    OK(ccm_record_set_add(s, "lead", "alice", stamp(7), "alice"));
    OK(ccm_record_assign(s, "next_step", NULL, stamp(8), "alice"));
    put_str("record", "state", t = canon(s));
    free(t);

    OK(ccm_record_assign(a, "type", "bilateral", stamp(1), "bob"));
    OK(ccm_record_assign(a, "date", "2025-03-06", stamp(2), "bob"));
    OK(ccm_record_set_add(a, "states", "LAO", stamp(3), "bob"));
    OK(ccm_record_set_add(a, "by", "bob", stamp(4), "bob"));
    OK(ccm_record_assign(a, "summary", "met the \"desk\"\nofficer \xc3\xa9", stamp(5), "bob"));
    OK(ccm_record_delete(a, stamp(6), "bob"));
    put_str("record", "activity_deleted", t = canon(a));
    free(t);

    OK(ccm_record_assign(n, "title", "t", stamp(1), "carol"));
    put_str("record", "note", t = canon(n));
    free(t);

    /* Concurrent edits of one record: the join shows conflicts. */
    json_t *x = json_deep_copy(s), *y = json_deep_copy(s);
    char *tx, *ty;
    OK(ccm_record_assign(x, "status", "party", stamp(10), "alice"));
    OK(ccm_record_set_add(x, "targets", "ccw", stamp(11), "alice"));
    OK(ccm_record_assign(y, "status", "withdrawn", stamp(10), "bob"));
    OK(ccm_record_set_remove(y, "targets", "apmbc", stamp(12), "bob"));
    OK(ccm_record_set_add(y, "lead", "bob", stamp(13), "bob"));
    OK(ccm_record_delete(y, stamp(14), "bob"));
    put_pair("record", "pair_concurrent", tx = canon(x), ty = canon(y));

    /* A third concurrent version, for the associativity check. */
    json_t *z = json_deep_copy(s);
    char *tz, *txy;
    OK(ccm_record_assign(z, "status", "non-party", stamp(15), "carol"));
    OK(ccm_record_set_add(z, "targets", "unga-yes", stamp(15), "carol"));
    txy = malloc(strlen(tx) + 1 + strlen(ty) + 1);
    sprintf(txy, "%s\xff%s", tx, ty);
    put_pair("record", "triple_concurrent", txy, tz = canon(z));
    free(txy);
    free(tz);
    json_decref(z);
    free(tx);
    free(ty);
    json_decref(x);
    json_decref(y);
    json_decref(s);
    json_decref(a);
    json_decref(n);
}

static json_t *member(const char *name, const char *role, const uint8_t *sign_pk,
                      const uint8_t *box_pk, const char *since)
{
    char *sign = ccm_ssh_pubkey_format(sign_pk), *box = ccm_base64_encode(box_pk, 32);
    json_t *m = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "name", name, "role", role, "sign_key",
                          sign, "box_key", box, "since", since, "added_by", "alice");
    free(sign);
    free(box);
    return m;
}

static void gen_roster(void)
{
    const ccm_identity *id = fuzz_identity();
    uint8_t pk2[32], pk3[32];
    char *ta, *tb;

    for (int i = 0; i < 32; i++) {
        pk2[i] = (uint8_t)(i * 3 + 1);
        pk3[i] = (uint8_t)(200 - i);
    }
    json_t *a = json_pack("{s:i, s:i, s:[o, o]}", "format", 1, "epoch", 1, "members",
                          member("alice", "admin", ccm_identity_sign_pk(id),
                                 ccm_identity_box_pk(id), "2025-03-06T10:00:00.000Z"),
                          member("bob", "editor", pk2, pk3, "2025-03-06T11:00:00.000Z"));
    json_t *b = json_deep_copy(a);
    json_t *bob = json_array_get(json_object_get(b, "members"), 1);
    json_object_set_new(bob, "removed", json_string("2025-03-07T09:00:00.000Z"));
    json_object_set_new(bob, "removed_by", json_string("alice"));
    json_array_append_new(json_object_get(b, "members"),
                          member("carol", "reader", pk3, pk2, "2025-03-07T09:00:00.000Z"));
    json_object_set_new(b, "epoch", json_integer(2));
    put_str("roster", "one", ta = canon(a));
    put_pair("roster", "pair_removal", ta, tb = canon(b));
    free(ta);
    free(tb);
    json_decref(a);
    json_decref(b);
}

static void gen_envelope(void)
{
    const char *pt = "{\"fields\":{},\"id\":\"LAO\",\"kind\":\"state\",\"v\":1}";
    uint8_t *env = NULL;
    size_t len = 0;

    OK(ccm_envelope_seal(&env, &len, fuzz_groupkey(), (const uint8_t *)FUZZ_RECORD_IDENTITY,
                         FUZZ_RECORD_IDENTITY_LEN, (const uint8_t *)pt, strlen(pt)));
    put("envelope", "record", env, len);
    free(env);
    OK(ccm_envelope_seal(&env, &len, fuzz_groupkey(), (const uint8_t *)FUZZ_RECORD_IDENTITY,
                         FUZZ_RECORD_IDENTITY_LEN, NULL, 0));
    put("envelope", "empty", env, len);
    env[1] = 0x7f; /* another epoch */
    put("envelope", "other_epoch", env, len);
    free(env);
}

static void gen_request(void)
{
    char *line = NULL, *nl;

    OK(ccm_request_format(&line, fuzz_identity(), "alice"));
    put_str("request", "alice", line);
    nl = malloc(strlen(line) + 3);
    sprintf(nl, "%s\r\n", line);
    put_str("request", "alice_crlf", nl);
    free(nl);
    free(line);
    put_str("request", "name_only", "Bob.Smith-2");
}

static void gen_capsule(void)
{
    const ccm_identity *id = fuzz_identity();
    uint8_t file[71];
    char *s = NULL;

    OK(ccm_notekey_seal(&s, fuzz_notekey(), ccm_identity_box_pk(id)));
    put_str("capsule", "notekey_capsule", s);
    free(s);
    OK(ccm_note_seal(&s, fuzz_notekey(), FUZZ_NOTE_ID, (const uint8_t *)"{\"title\":\"t\"}", 13));
    put_str("capsule", "note", s);
    free(s);
    put("capsule", "sealed_groupkey", fuzz_sealed_groupkey, sizeof(fuzz_sealed_groupkey));
    put("capsule", "identity_plain", file, fuzz_identity_file(file));
    OK(ccm_sshsig_sign(&s, id, FUZZ_SIG_NS, (const uint8_t *)FUZZ_SIG_MSG, strlen(FUZZ_SIG_MSG)));
    put_str("capsule", "sshsig", s);
    free(s);
    s = ccm_ssh_pubkey_format(ccm_identity_sign_pk(id));
    put_str("capsule", "ssh_pubkey", s);
    free(s);

    /* A protected identity file with the cheapest Argon2id parameters the
     * format accepts (ccm_identity_lock writes INTERACTIVE ones, too slow to
     * fuzz), laid out as crypto/identity.c reads it. */
    uint8_t prot[143], key[32]; /* 63-byte header, 64 + 16 ciphertext */
    uint64_t ops = crypto_pwhash_OPSLIMIT_MIN, mem = crypto_pwhash_MEMLIMIT_MIN;
    memcpy(prot, "CCMID\x01", 6);
    prot[6] = 1;
    for (int i = 7; i >= 0; i--) {
        prot[7 + i] = (uint8_t)ops;
        prot[15 + i] = (uint8_t)mem;
        ops >>= 8;
        mem >>= 8;
    }
    for (int i = 0; i < 16 + 24; i++) {
        prot[23 + i] = (uint8_t)(i * 11);
    }
    if (crypto_pwhash(key, 32, FUZZ_PASSPHRASE, strlen(FUZZ_PASSPHRASE), prot + 23,
                      crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN,
                      crypto_pwhash_ALG_ARGON2ID13) != 0) {
        die("crypto_pwhash");
    }
    crypto_aead_xchacha20poly1305_ietf_encrypt(prot + 63, NULL, file + 7, 64, prot, 63, NULL,
                                               prot + 39, key);
    put("capsule", "identity_protected", prot, sizeof(prot));
}

static void gen_csv(void)
{
    put_str("csv", "states",
            "id,status,targets,lead,name\r\n"
            "LAO,signatory,apmbc;ccw,alice,\"Lao \"\"PDR\"\"\"\r\n"
            "\r\n"
            "LBR,party,,,\"multi\nline\"\r\n");
    put_str("csv", "activities",
            "\xEF\xBB\xBFtype,date,states,summary\n"
            "bilateral,2025-03-06,\"LAO,LBR\",\"a, b\"\n"
            "survey,2025-03-07,USA,\n");
}

/* The import target: a byte naming the document (0: .json, 1: .csv, 2:
 * none), then the document. */
static void put_doc(const char *name, char how, const char *doc)
{
    size_t n = strlen(doc);
    char *buf = malloc(n + 1);

    if (!buf) {
        die("malloc");
    }
    buf[0] = how;
    memcpy(buf + 1, doc, n);
    put("import", name, buf, n + 1);
    free(buf);
}

static void gen_import_docs(void)
{
    put_doc("json", 0,
            "{\"meta\": {}, \"states\": [{\"id\": \"LAO\", \"fields\": {\"status\": "
            "\"party\", \"targets\": [\"apmbc\", \"ccw\"], \"lead\": null, "
            "\"last_activity\": \"2025-01-01\"}}], \"activities\": [{\"fields\": "
            "{\"type\": \"survey\", \"date\": \"-3d\", \"states\": [\"lao\"]}}, "
            "{\"id\": \"0123456789abcdef\", \"fields\": {\"summary\": \"a\\nb\"}}]}");
    put_doc("csv_states", 1,
            "\xEF\xBB\xBFid,status,targets,lead\r\n"
            "LAO,signatory,apmbc;ccw,alice\r\n"
            "LBR,,,\r\n");
    put_doc("csv_activities", 2,
            "type,date,states,summary,id\n"
            "bilateral,2025-03-06,LAO;LBR,\"a, \"\"b\"\"\",\n"
            "survey,2025-03-07,USA,,0123456789abcdef\n");
}

/* The text target: an options byte (bit 0: multi-line, bit 1: activity
 * conditions, the rest: a width), then a value or a condition. */
static void put_text(const char *name, unsigned char options, const char *text)
{
    char buf[256];
    size_t n = strlen(text);

    buf[0] = (char)options;
    memcpy(buf + 1, text, n);
    put("text", name, buf, n + 1);
}

static void gen_text(void)
{
    put_text("escapes", 0x28,
             "Evil\x1b]0;x\x07 \rname\xe2\x80\xae"
             "gpj.exe \xff");
    put_text("multiline", 0x29, "line one\n\tline two\xe2\x81\xa6\xc2\x85");
    put_text("wide", 0x10, "C\xc3\xb4te d'Ivoire \xe6\x97\xa5\xe6\x9c\xac, \"quoted\"");
    put_text("where_date", 0x02, "date<=2025-03");
    put_text("where_set", 0x00, "targets!=apmbc");
    put_text("relative", 0x00, "-180d");
}

static void put_args(const char *name, const char *const *args, size_t n)
{
    char buf[1024];
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        size_t k = strlen(args[i]);
        memcpy(buf + len, args[i], k);
        len += k;
        if (i + 1 < n) {
            buf[len++] = '\0';
        }
    }
    put("import_json", name, buf, len);
}

static void gen_import(void)
{
    static const char *const state[] = {"status=party",
                                        "targets=apmbc,ccw",
                                        "lead+=alice",
                                        "lead-=bob",
                                        "last_contact=2025-03-06",
                                        "name=",
                                        "region=South-East Asia"};
    static const char *const activity[] = {"type=bilateral", "date=2025-02-28", "states+=LAO",
                                           "by=alice,bob",   "summary=x",       "custom_1=y"};
    put_args("state", state, sizeof(state) / sizeof(*state));
    put_args("activity", activity, sizeof(activity) / sizeof(*activity));
}

/* Forged commits (tests/support/forge_mutate.h): legal ones by each role,
 * a merge, and one per kind of rule broken. */
static void gen_verify(void)
{
    static const struct {
        const char *name;
        uint8_t in[12];
        size_t n;
    } seeds[] = {
        {"legal_assign", {0, 0, 0, FM_OP_ASSIGN, 0, 1, 0}, 7},
        {"legal_activity", {1, 0, 0, FM_OP_NEW_ACT, 1, 2, 3, FM_OP_SET_REMOVE, 0, 0, 1}, 11},
        {"legal_delete_clear", {0, 0, 0, FM_OP_DELETE, 7, FM_OP_CLEAR, 1, 0}, 8},
        {"legal_remove", {0, 0, 0, FM_OP_REMOVE, 1}, 5},
        {"legal_add", {0, 0, 0, FM_OP_ADD_GHOST, 1}, 5},
        {"legal_merge", {1, 0, 1, 3}, 4},
        {"attribution", {1, 0, 0, FM_OP_ATTRIBUTE, 0, 0, 0}, 7},
        {"drop_field", {1, 0, 0, FM_OP_ASSIGN, 0, 0, 0, FM_OP_DROP_FIELD, 0, 0}, 10},
        {"reader", {3, 0, 0, FM_OP_ASSIGN, 0, 0, 0}, 7},
        {"not_stamped", {1, 0, 2}, 3},
        {"merge_edit", {1, 0, 1, 3, FM_OP_ASSIGN, 0, 0, 0}, 8},
        {"rollback", {0, 0, 0, FM_OP_ROLLBACK, 0, 0}, 6},
        {"keys", {1, 0, 0, FM_OP_KEYS, 0, 0, 0}, 7},
        {"roster", {0, 0, 0, FM_OP_ROSTER, 1, 2}, 6},
        {"bad_value", {1, 0, 0, FM_OP_BAD_VALUE, 4, 0}, 6},
    };
    for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
        put("verify", seeds[i].name, seeds[i].in, seeds[i].n);
    }
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "sealkey") == 0) {
        uint8_t file[71], *sealed = NULL;
        size_t len = 0;
        ccm_identity *id = NULL;
        ccm_groupkey *gk = NULL;
        OK(ccm_crypto_init());
        OK(ccm_identity_unlock(&id, file, fuzz_identity_file(file), NULL, 0));
        OK(ccm_groupkey_generate(&gk, 1));
        OK(ccm_groupkey_seal(&sealed, &len, gk, ccm_identity_box_pk(id)));
        for (size_t i = 0; i < len; i++) {
            printf("0x%02x,%s", sealed[i], i % 12 == 11 ? "\n" : " ");
        }
        printf("\n");
        free(sealed);
        ccm_groupkey_free(gk);
        ccm_identity_free(id);
        return 0;
    }
    if (argc != 3 || strcmp(argv[1], "corpus") != 0) {
        fprintf(stderr, "usage: fuzz_gen_corpus sealkey | corpus DIR\n");
        return 2;
    }
    g_dir = argv[2];
    if (mkdir(g_dir, 0755) < 0 && errno != EEXIST) {
        perror(g_dir);
        return 1;
    }
    fuzz_setup();
    gen_record();
    gen_roster();
    gen_envelope();
    gen_request();
    gen_capsule();
    gen_csv();
    gen_import();
    gen_import_docs();
    gen_text();
    gen_verify();
    return 0;
}
