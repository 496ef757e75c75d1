/*
 * test_fs.c - the file helpers (crypto/base/fs.c): paths joined, whole
 * files and streams read, files written atomically with their mode, folders created with
 * their parents, told empty, removed with everything in them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/base/base.h"
#include "tests/support/tmpdir.h"

static char root[512];

static int setup(void **state)
{
    (void)state;
    ccm_test_mkdtemp(root, sizeof(root), "ccm-base-fs-");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    return ccm_test_rmdir(root);
}

static char *at(const char *name)
{
    char *p = ccm_path_join(root, name);
    assert_non_null(p);
    return p;
}

static void test_path_join__puts_one_slash_between(void **state)
{
    (void)state;
    char *p = ccm_path_join("/a/b", "c.json");
    assert_string_equal(p, "/a/b/c.json");
    free(p);
}

static void test_file__write_then_read_gives_the_bytes_and_the_mode(void **state)
{
    static const uint8_t data[] = {'a', 0, 'b', '\n', 0xff};
    char *path = at("f");
    uint8_t *buf = NULL;
    size_t len = 0;
    struct stat st;
    (void)state;

    assert_int_equal(ccm_file_write(path, data, sizeof(data), 0600), CCM_OK);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(ccm_file_read(&buf, &len, path), CCM_OK);
    assert_int_equal(len, sizeof(data));
    assert_memory_equal(buf, data, sizeof(data));
    assert_int_equal(buf[len], 0); /* NUL-terminated for text */
    free(buf);

    /* a second write replaces the file whole and leaves no temporary */
    assert_int_equal(ccm_file_write(path, (const uint8_t *)"xy", 2, 0600), CCM_OK);
    assert_int_equal(ccm_file_read(&buf, &len, path), CCM_OK);
    assert_int_equal(len, 2);
    assert_memory_equal(buf, "xy", 2);
    free(buf);
    assert_true(ccm_dir_is_empty_or_absent(root) == 0);
    assert_int_equal(unlink(path), 0);
    assert_true(ccm_dir_is_empty_or_absent(root));
    free(path);
}

static void test_file__read_of_a_missing_file_is_not_found(void **state)
{
    char *path = at("missing");
    uint8_t *buf = (uint8_t *)"x";
    size_t len = 9;
    (void)state;
    assert_int_equal(ccm_file_read(&buf, &len, path), CCM_ENOTFOUND);
    assert_null(buf);
    assert_int_equal(len, 0);
    assert_non_null(strstr(ccm_error_last(), "does not exist"));
    free(path);
}

static void test_file__read_of_a_folder_fails(void **state)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    (void)state;
    assert_int_equal(ccm_file_read(&buf, &len, root), CCM_ERROR);
    assert_non_null(strstr(ccm_error_last(), "not a regular file"));
}

static void test_file__write_into_a_missing_folder_fails_and_names_it(void **state)
{
    char *path = at("no/such/f");
    (void)state;
    assert_int_equal(ccm_file_write(path, (const uint8_t *)"x", 1, 0600), CCM_ERROR);
    assert_non_null(strstr(ccm_error_last(), "cannot write"));
    free(path);
}

static void test_mkdir_p__creates_parents_and_accepts_existing(void **state)
{
    char *deep = at("a/b/c"), *top = at("a");
    struct stat st;
    (void)state;
    assert_true(ccm_dir_is_empty_or_absent(deep));
    assert_int_equal(ccm_mkdir_p(deep), CCM_OK);
    assert_int_equal(stat(deep, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(st.st_mode & 0777, 0700);
    assert_int_equal(ccm_mkdir_p(deep), CCM_OK); /* again: fine */
    assert_true(ccm_dir_is_empty_or_absent(deep));
    assert_false(ccm_dir_is_empty_or_absent(top));

    ccm_remove_tree(top);
    assert_int_equal(stat(top, &st), -1);
    assert_true(ccm_dir_is_empty_or_absent(top));
    free(deep);
    free(top);
}

static void test_mkdir_p__fails_under_a_file(void **state)
{
    char *file = at("plain"), *under = at("plain/sub");
    (void)state;
    assert_int_equal(ccm_file_write(file, (const uint8_t *)"x", 1, 0600), CCM_OK);
    assert_int_equal(ccm_mkdir_p(under), CCM_ERROR);
    assert_non_null(strstr(ccm_error_last(), "cannot create"));
    unlink(file);
    free(file);
    free(under);
}

static void test_wipe_free__is_null_safe(void **state)
{
    (void)state;
    char *p = malloc(16);
    assert_non_null(p);
    memset(p, 's', 16);
    ccm_wipe_free(p, 16);
    ccm_wipe_free(NULL, 0);
}

static void test_file_map__gives_the_bytes_and_survives_a_rewrite(void **state)
{
    char *path = at("mapped");
    const uint8_t data[] = "the mapped bytes";
    const uint8_t *map = NULL;
    size_t len = 0;
    (void)state;

    assert_int_equal(ccm_file_write(path, data, sizeof(data), 0600), CCM_OK);
    assert_int_equal(ccm_file_map(&map, &len, path), CCM_OK);
    assert_int_equal(len, sizeof(data));
    assert_memory_equal(map, data, sizeof(data));
    /* ccm_file_write replaces the file: the mapping keeps the old bytes */
    assert_int_equal(ccm_file_write(path, (const uint8_t *)"other", 5, 0600), CCM_OK);
    assert_memory_equal(map, data, sizeof(data));
    ccm_file_unmap(map, len);
    ccm_file_unmap(NULL, 0);
    assert_int_equal(unlink(path), 0);
    free(path);
}

static void test_file_map__refuses_missing_empty_and_folders(void **state)
{
    char *missing = at("not-there"), *empty = at("empty");
    const uint8_t *map = (const uint8_t *)"x";
    size_t len = 7;
    (void)state;

    assert_int_equal(ccm_file_map(&map, &len, missing), CCM_ENOTFOUND);
    assert_null(map);
    assert_int_equal(len, 0);
    assert_int_equal(ccm_file_write(empty, (const uint8_t *)"", 0, 0600), CCM_OK);
    assert_int_equal(ccm_file_map(&map, &len, empty), CCM_ERROR);
    assert_non_null(strstr(ccm_error_last(), "empty"));
    assert_int_equal(ccm_file_map(&map, &len, root), CCM_ERROR);
    assert_null(map);
    assert_int_equal(unlink(empty), 0);
    free(missing);
    free(empty);
}

/* A stream of n bytes (a file in the test's folder: fmemopen is not C11). */
static FILE *stream_of(size_t n)
{
    char *path = at("stream");
    FILE *f = fopen(path, "w+b");
    free(path);
    assert_non_null(f);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(fputc('a' + (int)(i % 26), f), 'a' + (int)(i % 26));
    }
    rewind(f);
    return f;
}

static void test_stream_read__reads_to_the_end_across_growth(void **state)
{
    (void)state;
    FILE *f = stream_of(10000); /* more than the first 4096-byte buffer */
    char *buf = NULL;
    size_t len = 0;

    assert_int_equal(ccm_stream_read(&buf, &len, f, 1 << 20), CCM_OK);
    assert_int_equal(len, 10000);
    assert_int_equal(buf[9999], 'a' + 9999 % 26);
    assert_int_equal(buf[len], 0);
    free(buf);
    fclose(f);
}

static void test_stream_read__stops_one_byte_past_max(void **state)
{
    (void)state;
    FILE *f = stream_of(10000);
    char *buf = NULL;
    size_t len = 0;

    assert_int_equal(ccm_stream_read(&buf, &len, f, 4095), CCM_OK);
    assert_int_equal(len, 4096); /* > max: the caller says "too long" */
    assert_int_equal(buf[len], 0);
    free(buf);
    rewind(f);
    assert_int_equal(ccm_stream_read(&buf, &len, f, 10000), CCM_OK);
    assert_int_equal(len, 10000); /* exactly max is not too long */
    free(buf);
    fclose(f);
}

static void test_stream_read__empty_stream_gives_an_empty_string(void **state)
{
    (void)state;
    FILE *f = stream_of(0);
    char *buf = NULL;
    size_t len = 1;

    assert_int_equal(ccm_stream_read(&buf, &len, f, 100), CCM_OK);
    assert_int_equal(len, 0);
    assert_string_equal(buf, "");
    free(buf);
    fclose(f);
}

static void test_stream_read__a_read_error_is_reported(void **state)
{
    (void)state;
    FILE *f = fopen(root, "rb"); /* a folder: fopen succeeds, reading fails */
    char *buf = (char *)1;
    size_t len = 1;

    assert_non_null(f);
    assert_int_equal(ccm_stream_read(&buf, &len, f, 100), CCM_ERROR);
    assert_null(buf);
    assert_int_equal(len, 0);
    assert_non_null(strstr(ccm_error_last(), "directory"));
    fclose(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_path_join__puts_one_slash_between),
        cmocka_unit_test(test_file__write_then_read_gives_the_bytes_and_the_mode),
        cmocka_unit_test(test_file__read_of_a_missing_file_is_not_found),
        cmocka_unit_test(test_file__read_of_a_folder_fails),
        cmocka_unit_test(test_file__write_into_a_missing_folder_fails_and_names_it),
        cmocka_unit_test(test_mkdir_p__creates_parents_and_accepts_existing),
        cmocka_unit_test(test_mkdir_p__fails_under_a_file),
        cmocka_unit_test(test_wipe_free__is_null_safe),
        cmocka_unit_test(test_file_map__gives_the_bytes_and_survives_a_rewrite),
        cmocka_unit_test(test_file_map__refuses_missing_empty_and_folders),
        cmocka_unit_test(test_stream_read__reads_to_the_end_across_growth),
        cmocka_unit_test(test_stream_read__stops_one_byte_past_max),
        cmocka_unit_test(test_stream_read__empty_stream_gives_an_empty_string),
        cmocka_unit_test(test_stream_read__a_read_error_is_reported),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
