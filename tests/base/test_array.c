/*
 * test_array.c - ccm_grow (crypto/base/array.c): room is made only when
 * the array is full, the capacity starts at `first` and doubles, the
 * elements stay, and a size that would overflow is refused with the array
 * untouched.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>

#include "crypto/base/base.h"

static void test_grow__starts_at_first_then_doubles_keeping_elements(void **state)
{
    int *v = NULL;
    size_t n = 0, cap = 0;
    (void)state;

    for (int i = 0; i < 100; i++) {
        size_t before = cap;
        assert_int_equal(ccm_grow(&v, &cap, n, sizeof(*v), 4), CCM_OK);
        if (n < before) {
            assert_int_equal(cap, before); /* room already there */
        } else {
            assert_int_equal(cap, before ? before * 2 : 4);
        }
        v[n++] = i;
    }
    assert_int_equal(cap, 128);
    for (int i = 0; i < 100; i++) {
        assert_int_equal(v[i], i);
    }
    free(v);
}

static void test_grow__refuses_an_overflowing_size(void **state)
{
    char *v = malloc(8);
    char *const kept = v;
    size_t cap = 8;
    (void)state;

    assert_non_null(v);
    assert_int_equal(ccm_grow(&v, &cap, 8, SIZE_MAX / 8, 1), CCM_ERROR);
    assert_string_equal(ccm_error_last(), "out of memory");
    assert_ptr_equal(v, kept);
    assert_int_equal(cap, 8);
    free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grow__starts_at_first_then_doubles_keeping_elements),
        cmocka_unit_test(test_grow__refuses_an_overflowing_size),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
