/*
 * record_parse.c - the cost of reading a record's plaintext, two ways, in
 * one process (`make bench-record`; not a test):
 *   own      the record module's canonical reader (ccm_json_load: the text
 *            is checked canonical as it is scanned) and ccm_record_validate;
 *   jansson  jansson's json_loadb (duplicate keys refused), the check that the
 *            canonical text of what it built is the plaintext byte for byte
 *            (ccm_json_canon, memcmp), and ccm_record_validate;
 * and, for the local cache's listings (no validation), ccm_json_load
 * against json_loadb alone (no check either).
 *
 *   record_parse [STATES ACTIVITIES ROUNDS]     (default 249 5000 15)
 *
 * The records are built with the record API, as ccmsync writes them: states
 * with the fields an import gives them (status, region, priority, targets,
 * lead, survey reasons, last contact, next step), a third of them edited
 * since by other members; activities (type, date, status, 1-3 states, 1-2
 * members, a summary of about 80 characters); and, for comparison with the
 * sync benchmark (bench/SYNC.md), contested states: 40 fields each written
 * concurrently by 10 members, as a large merge leaves them. Each round times
 * every way over every record, the ways interleaved so that a busy machine
 * slows them alike; the table gives the median round, per record, and the
 * ratio jansson / own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/record/record.h"

static const char *const members[] = {"Peru", "Norway", "Malawi", "Philippines", "Lao-PDR",
                                      "Iraq", "ISU",    "ICRC",   "CMC",         "IWG"};
#define NMEMBERS 10

static uint64_t rng = 20250101;

static uint64_t rnd(void)
{
    uint64_t z = (rng += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static size_t pick(size_t n)
{
    return (size_t)(rnd() % n);
}

static void die(const char *what)
{
    fprintf(stderr, "record_parse: %s: %s\n", what, ccm_error_last());
    exit(1);
}

/* Words for summaries and next steps. */
static void sentence(char *out, size_t len)
{
    static const char *const words[] = {
        "meeting", "with",    "the",        "ministry", "of",    "foreign", "affairs",
        "on",      "cluster", "munition",   "stocks",   "and",   "the",     "treaty",
        "follow",  "up",      "ambassador", "visit",    "draft", "note",    "agreed"};
    size_t n = 0;

    out[0] = '\0';
    while (n + 12 < len) {
        n += (size_t)snprintf(out + n, len - n, "%s%s", n ? " " : "",
                              words[pick(sizeof(words) / sizeof(words[0]))]);
    }
}

static void state_id(char out[4])
{
    /* any three upper-case letters the schema knows: try until one is */
    do {
        for (int i = 0; i < 3; i++) {
            out[i] = (char)('A' + pick(26));
        }
        out[3] = '\0';
    } while (!ccm_schema_iso_name(out));
}

static uint64_t stamp = (uint64_t)1741255200000ull << 16;

static void assign(json_t *rec, const char *field, const char *value, const char *member)
{
    if (ccm_record_assign(rec, field, value, ++stamp, member) != CCM_OK) {
        die("assign");
    }
}

static void add(json_t *rec, const char *field, const char *elem, const char *member)
{
    if (ccm_record_set_add(rec, field, elem, ++stamp, member) != CCM_OK) {
        die("add");
    }
}

static json_t *a_state(size_t i)
{
    static const char *const statuses[] = {"party", "signatory", "non-party"};
    static const char *const targets[] = {"signatory", "apmbc", "ccw", "unga-yes"};
    static const char *const reasons[] = {"security", "stockpile", "cost", "capacity"};
    char id[4], text[160], date[16];
    const char *by = members[pick(NMEMBERS)];
    json_t *rec;

    (void)i;
    state_id(id);
    if (!(rec = ccm_record_new("state", id))) {
        die("new state");
    }
    assign(rec, "name", ccm_schema_iso_name(id), by);
    assign(rec, "status", statuses[pick(3)], by);
    assign(rec, "region", "Asia", by);
    assign(rec, "priority", pick(2) ? "high" : "medium", by);
    for (size_t k = 1 + pick(3); k > 0; k--) {
        add(rec, "targets", targets[pick(4)], by);
    }
    add(rec, "lead", members[pick(NMEMBERS)], by);
    for (size_t k = 1 + pick(3); k > 0; k--) {
        add(rec, "survey_reasons", reasons[pick(4)], by);
    }
    snprintf(date, sizeof(date), "2025-%02zu-%02zu", 1 + pick(9), 1 + pick(28));
    assign(rec, "last_contact", date, by);
    sentence(text, 100);
    assign(rec, "next_step", text, by);
    if (pick(3) == 0) { /* edited since by someone else */
        const char *other = members[pick(NMEMBERS)];
        sentence(text, 100);
        assign(rec, "next_step", text, other);
        assign(rec, "status", statuses[pick(3)], other);
    }
    return rec;
}

static json_t *an_activity(size_t i)
{
    static const char *const types[] = {"bilateral", "survey", "side-event", "embassy"};
    static const char *const statuses[] = {"planned", "done", "cancelled"};
    char id[CCM_RECORD_HEX_ID_LEN + 1], state[4], text[120], date[16];
    const char *by = members[pick(NMEMBERS)];
    json_t *rec;

    snprintf(id, sizeof(id), "%016llx", (unsigned long long)i * 0x9e3779b97f4aull + 1);
    if (!(rec = ccm_record_new("activity", id))) {
        die("new activity");
    }
    assign(rec, "type", types[pick(4)], by);
    snprintf(date, sizeof(date), "2025-%02zu-%02zu", 1 + pick(9), 1 + pick(28));
    assign(rec, "date", date, by);
    assign(rec, "status", statuses[pick(3)], by);
    for (size_t k = 1 + pick(3); k > 0; k--) {
        state_id(state);
        add(rec, "states", state, by);
    }
    for (size_t k = 1 + pick(2); k > 0; k--) {
        add(rec, "by", members[pick(NMEMBERS)], by);
    }
    sentence(text, 90);
    assign(rec, "summary", text, by);
    return rec;
}

/* 40 user fields, each written by every member concurrently: the join
 * keeps all ten values. */
static json_t *a_contested_state(size_t i)
{
    char id[4], field[8], text[32];
    json_t *acc = NULL;

    (void)i;
    state_id(id);
    for (size_t m = 0; m < NMEMBERS; m++) {
        json_t *rec = ccm_record_new("state", id), *joined = NULL;
        if (!rec) {
            die("new state");
        }
        for (size_t f = 1; f <= 40; f++) {
            snprintf(field, sizeof(field), "f%02zu", f);
            sentence(text, 24);
            assign(rec, field, text, members[m]);
        }
        if (acc && ccm_record_join(&joined, acc, rec) != CCM_OK) {
            die("join");
        }
        json_decref(acc);
        acc = joined ? joined : rec;
        if (joined) {
            json_decref(rec);
        }
    }
    return acc;
}

typedef struct {
    char **text;
    size_t *len;
    size_t n, bytes;
} corpus;

static void make_corpus(corpus *c, size_t n, json_t *(*make)(size_t))
{
    c->text = calloc(n, sizeof(*c->text));
    c->len = calloc(n, sizeof(*c->len));
    c->n = n;
    c->bytes = 0;
    if (!c->text || !c->len) {
        die("out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        json_t *rec = make(i);
        if (!(c->text[i] = ccm_json_canon(rec, &c->len[i]))) {
            die("canon");
        }
        c->bytes += c->len[i];
        json_decref(rec);
    }
}

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

enum way { OWN, JANSSON_CHECKED, OWN_PARSE, JANSSON_PARSE, NWAYS };

/* One pass of `way` over the corpus; returns microseconds. */
static double pass(const corpus *c, enum way way)
{
    double t0 = now_us();

    for (size_t i = 0; i < c->n; i++) {
        json_t *rec;
        if (way == OWN || way == OWN_PARSE) {
            rec = ccm_json_load(c->text[i], c->len[i], NULL);
        } else {
            rec = json_loadb(c->text[i], c->len[i], JSON_REJECT_DUPLICATES, NULL);
        }
        if (!rec) {
            die("parse");
        }
        if (way == JANSSON_CHECKED) {
            size_t len = 0;
            char *again = ccm_json_canon(rec, &len);
            if (!again || len != c->len[i] || memcmp(again, c->text[i], len) != 0) {
                die("not canonical");
            }
            free(again);
        }
        if ((way == OWN || way == JANSSON_CHECKED) && ccm_record_validate(rec) != CCM_OK) {
            die("validate");
        }
        json_decref(rec);
    }
    return now_us() - t0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void run(const char *name, const corpus *c, int rounds)
{
    double *t[NWAYS], med[NWAYS];

    for (int w = 0; w < NWAYS; w++) {
        if (!(t[w] = calloc((size_t)rounds, sizeof(double)))) {
            die("out of memory");
        }
        pass(c, (enum way)w); /* warm-up */
    }
    for (int r = 0; r < rounds; r++) {
        for (int w = 0; w < NWAYS; w++) {
            t[w][r] = pass(c, (enum way)w);
        }
    }
    for (int w = 0; w < NWAYS; w++) {
        qsort(t[w], (size_t)rounds, sizeof(double), cmp_double);
        med[w] = t[w][rounds / 2] / (double)c->n;
        free(t[w]);
    }
    printf("%-18s %7zu %8zu | %8.2f %8.2f %7.2fx | %8.2f %8.2f %7.2fx\n", name, c->n,
           c->bytes / c->n, med[OWN], med[JANSSON_CHECKED], med[JANSSON_CHECKED] / med[OWN],
           med[OWN_PARSE], med[JANSSON_PARSE], med[JANSSON_PARSE] / med[OWN_PARSE]);
}

static void corpus_free(corpus *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free(c->text[i]);
    }
    free(c->text);
    free(c->len);
}

int main(int argc, char **argv)
{
    size_t nstates = 249, nacts = 5000;
    int rounds = 15;
    corpus states, acts, contested;

    if (argc != 1 && argc != 4) {
        fprintf(stderr, "usage: %s [STATES ACTIVITIES ROUNDS]\n", argv[0]);
        return 2;
    }
    if (argc == 4) {
        nstates = strtoul(argv[1], NULL, 10);
        nacts = strtoul(argv[2], NULL, 10);
        rounds = atoi(argv[3]);
        if (nstates == 0 || nacts == 0 || rounds <= 0) {
            fprintf(stderr, "record_parse: STATES, ACTIVITIES and ROUNDS must be positive\n");
            return 2;
        }
    }
    make_corpus(&states, nstates, a_state);
    make_corpus(&acts, nacts, an_activity);
    make_corpus(&contested, nstates, a_contested_state);
    printf("median of %d rounds, microseconds per record; decrypted: parse and validate\n"
           "(jansson: and check the text canonical), as every record decrypted; listing: parse\n"
           "only, as the cache's listings\n\n",
           rounds);
    printf("%-18s %7s %8s | %-26s | %-26s\n", "", "", "", "decrypted", "listing");
    printf("%-18s %7s %8s | %8s %8s %8s | %8s %8s %8s\n", "records", "n", "bytes", "own", "jansson",
           "ratio", "own", "jansson", "ratio");
    run("states", &states, rounds);
    run("activities", &acts, rounds);
    run("contested states", &contested, rounds);
    corpus_free(&states);
    corpus_free(&acts);
    corpus_free(&contested);
    return 0;
}
