/*
 * fuzz_import_json.c - field operations (store/fields.c), the validation
 * every imported value goes through (the JSON and CSV import paths build
 * these arguments): the input split at
 * NUL bytes is the argument vector, parsed for kinds state, activity and
 * note. Must never crash; a parse that succeeds returns one operation per
 * argument with a valid field name that is not "id", and a value exactly
 * when the operation needs one.
 */
#include "fuzz_common.h"

#include <stdlib.h>
#include <string.h>

#include "store/store.h"

#define MAX_ARGS 64

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_setup();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const kinds[] = {"state", "activity", "note"};
    char *buf = fuzz_cstr(data, size), *argv[MAX_ARGS + 1];
    int argc = 0;

    /* Split on NUL: "a\0b" is {"a", "b"}; an empty input is no argument. */
    for (size_t i = 0; size > 0 && i <= size && argc < MAX_ARGS; i += strlen(buf + i) + 1) {
        argv[argc++] = buf + i;
    }
    argv[argc] = NULL;

    for (size_t k = 0; k < sizeof(kinds) / sizeof(*kinds); k++) {
        ccm_field_ops ops;
        int rc = ccm_field_ops_parse(&ops, kinds[k], argc, argv);
        FUZZ_CHECK(rc == CCM_OK || rc == CCM_EINVALID);
        if (rc == CCM_OK) {
            FUZZ_CHECK(ops.n == (size_t)argc);
            for (size_t i = 0; i < ops.n; i++) {
                const ccm_field_op *op = &ops.ops[i];
                FUZZ_CHECK(op->field != NULL && ccm_schema_check_field_name(op->field) == 0);
                FUZZ_CHECK(strcmp(op->field, "id") != 0);
                FUZZ_CHECK((op->op == CCM_FIELD_CLEAR) == (op->value == NULL));
                FUZZ_CHECK(strncmp(argv[i], op->field, strlen(op->field)) == 0);
            }
        } else {
            FUZZ_CHECK(ops.n == 0 && ops.ops == NULL);
        }
        ccm_field_ops_free(&ops);
    }
    free(buf);
    ccm_error_clear();
    return 0;
}
