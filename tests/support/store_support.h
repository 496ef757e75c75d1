/*
 * store_support.h - helpers shared by the store and sync tests. Include after
 * <cmocka.h> and "store/store.h".
 */
#ifndef CCM_TEST_STORE_SUPPORT_H
#define CCM_TEST_STORE_SUPPORT_H

/* Assigns one scalar field of a state in its own transaction (one commit),
 * creating the state if needed. No role check: tests use it to forge. */
static inline void ccm_test_set_field(ccm_store *s, const char *id, const char *field,
                                      const char *value)
{
    ccm_txn *t = NULL;
    json_t *rec = NULL;

    assert_int_equal(ccm_txn_begin(&t, s), CCM_OK);
    if (ccm_txn_get(&rec, t, "state", id) == CCM_ENOTFOUND) {
        rec = ccm_record_new("state", id);
    }
    assert_non_null(rec);
    assert_int_equal(ccm_record_assign(rec, field, value, ccm_txn_stamp(t), ccm_store_member(s)),
                     CCM_OK);
    assert_int_equal(ccm_txn_put(t, rec), CCM_OK);
    assert_int_equal(ccm_txn_commit(t), CCM_OK);
    ccm_txn_free(t);
    json_decref(rec);
}

/* Opens the store at `dir` and unlocks it (no passphrase), or fails the test. */
static inline ccm_store *ccm_test_open_unlocked(const char *dir)
{
    ccm_store *s = NULL;

    assert_int_equal(ccm_store_open(&s, dir), CCM_OK);
    assert_int_equal(ccm_store_unlock(s, NULL, 0), CCM_OK);
    return s;
}

/* Opens the store at `dir` and tries to unlock it: a member without the
 * group key (a newcomer, a removed member) stays as the unlock left it. */
static inline ccm_store *ccm_test_open_any(const char *dir)
{
    ccm_store *s = NULL;

    assert_int_equal(ccm_store_open(&s, dir), CCM_OK);
    (void)ccm_store_unlock(s, NULL, 0); /* may fail: the caller looks at what it can read */
    ccm_error_clear();
    return s;
}

/* Founds a group in `dir` with member `member` (no passphrase), then opens
 * and unlocks its store, or fails the test. */
static inline ccm_store *ccm_test_init_open(const char *dir, const char *member)
{
    assert_int_equal(ccm_store_init(dir, member, NULL, 0), CCM_OK);
    return ccm_test_open_unlocked(dir);
}

#endif
