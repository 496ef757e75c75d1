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

#endif
