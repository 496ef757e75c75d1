/*
 * fuzz_import.c - the import parser (store/import.c) on arbitrary bytes:
 * the first byte picks the name the document comes with (0: a .json file,
 * 1: a .csv file, anything else: none, so the text decides), the rest is
 * the document. Must never crash or leak. A document accepted holds only
 * states with a valid ISO code and activities with 16 hex digits, a new
 * activity only with a type and a date set, and operations on valid field
 * names that are neither "id" nor computed; a document refused leaves the
 * import empty, with a message starting "import: " (the command line
 * escapes what it quotes of the input before printing it).
 */
#include "fuzz_common.h"

#include <stdlib.h>
#include <string.h>

#include "store/store.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_setup();
    return 0;
}

/* 1 if the record sets `field`. */
static int sets(const ccm_import_record *r, const char *field)
{
    for (size_t i = 0; i < r->ops.n; i++) {
        if (r->ops.ops[i].op == CCM_FIELD_SET && strcmp(r->ops.ops[i].field, field) == 0) {
            return 1;
        }
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const names[] = {"fuzz.json", "fuzz.csv"};
    ccm_import imp;
    const char *name;
    char *text;
    int rc;

    if (size == 0) {
        return 0;
    }
    name = data[0] < 2 ? names[data[0]] : NULL;
    text = fuzz_cstr(data + 1, size - 1);
    rc = ccm_import_parse(&imp, name, text, size - 1);
    FUZZ_CHECK(rc == CCM_OK || rc == CCM_EINVALID);
    if (rc == CCM_OK) {
        for (size_t i = 0; i < imp.n; i++) {
            const ccm_import_record *r = &imp.records[i];
            FUZZ_CHECK(strcmp(r->kind, "state") == 0 || strcmp(r->kind, "activity") == 0);
            FUZZ_CHECK(ccm_schema_check_record_id(r->kind, r->id) == CCM_OK);
            FUZZ_CHECK(!r->is_new ||
                       (strcmp(r->kind, "activity") == 0 && sets(r, "type") && sets(r, "date")));
            for (size_t j = 0; j < r->ops.n; j++) {
                const ccm_field_op *op = &r->ops.ops[j];
                FUZZ_CHECK(ccm_schema_check_field_name(op->field) == CCM_OK);
                FUZZ_CHECK(strcmp(op->field, "id") != 0);
                FUZZ_CHECK(!ccm_field_is_computed(r->kind, op->field));
                FUZZ_CHECK((op->op == CCM_FIELD_CLEAR) == (op->value == NULL));
            }
        }
    } else {
        FUZZ_CHECK(imp.n == 0 && imp.records == NULL);
        FUZZ_CHECK(strncmp(ccm_error_last(), "import: ", 8) == 0);
    }
    ccm_import_free(&imp);
    free(text);
    ccm_error_clear();
    return 0;
}
