/* Unit tests for profiles stored with runs (pk_store_put_profile /
 * pk_store_get_profile): exact round trip, replace, per kind and benchmark,
 * absent answers PK_ENOENT, damage answers PK_ECORRUPT, a schema-1 history
 * is upgraded read-write and read as it is read-only. */
#include <criterion/criterion.h>
#include <sqlite3.h>
#include <string.h>
#include "perfkit/store.h"
#include "store_util.h"

TestSuite(store_profile, .init = store_setup, .fini = store_teardown, .timeout = 60);

static int64_t one_run(pk_store *s)
{
    pk_resultset *rs = make_rs(1, 1, 3);
    pk_run_meta m = make_meta("", "main", "fp");
    cr_assert_eq(pk_store_put_run(s, &m, rs), PK_OK);
    pk_resultset_free(rs);
    return m.id;
}

static const char FOLDED[] = "prog;main;hot_a 700\nprog;main;hot_b 300\n";

Test(store_profile, round_trip_is_exact)
{
    pk_store *s = open_store(dbpath);
    int64_t id = one_run(s);
    cr_assert_eq(pk_store_put_profile(s, id, "bench0", "cpu", FOLDED, strlen(FOLDED)), PK_OK);
    char *text = NULL;
    size_t len = 0;
    cr_assert_eq(pk_store_get_profile(s, id, "bench0", "cpu", &text, &len), PK_OK);
    cr_assert_eq(len, strlen(FOLDED));
    cr_assert_str_eq(text, FOLDED);
    pk_free(text);
    /* another kind or benchmark is another profile */
    cr_assert_eq(pk_store_get_profile(s, id, "bench0", "alloc", &text, &len), PK_ENOENT);
    cr_assert_null(text);
    cr_assert_eq(pk_store_get_profile(s, id, "bench1", "cpu", &text, &len), PK_ENOENT);
    cr_assert(strstr(pk_store_last_error(s), "no cpu profile of 'bench1'"));
    /* a second put replaces the first */
    cr_assert_eq(pk_store_put_profile(s, id, "bench0", "cpu", "x 1\n", 4), PK_OK);
    cr_assert_eq(pk_store_get_profile(s, id, "bench0", "cpu", &text, &len), PK_OK);
    cr_assert_str_eq(text, "x 1\n");
    pk_free(text);
    pk_store_close(s);
}

Test(store_profile, large_profiles_compress)
{
    STORE_SQLITE_ONLY("reads the file");
    pk_store *s = open_store(dbpath);
    int64_t id = one_run(s);
    size_t n = 0, cap = 4 << 20;
    char *big = malloc(cap);
    for (int i = 0; n + 128 < cap; i++)
        n += (size_t)snprintf(big + n, cap - n, "prog;main;parse;lex_%d;next_token %d\n", i % 97,
                              i);
    cr_assert_eq(pk_store_put_profile(s, id, "b", "cpu", big, n), PK_OK);
    char *back = NULL;
    size_t len = 0;
    cr_assert_eq(pk_store_get_profile(s, id, "b", "cpu", &back, &len), PK_OK);
    cr_assert_eq(len, n);
    cr_assert(memcmp(back, big, n) == 0);
    pk_free(back);
    pk_store_close(s);
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    cr_assert_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
    cr_assert_eq(sqlite3_prepare_v2(db, "SELECT length(data), size FROM profiles", -1, &st, NULL),
                 SQLITE_OK);
    cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
    cr_assert_lt(sqlite3_column_int64(st, 0) * 4, sqlite3_column_int64(st, 1),
                 "stored %lld bytes for %lld", sqlite3_column_int64(st, 0),
                 sqlite3_column_int64(st, 1));
    sqlite3_finalize(st);
    sqlite3_close(db);
    free(big);
}

Test(store_profile, bad_arguments_and_missing_runs)
{
    pk_store *s = open_store(dbpath);
    int64_t id = one_run(s);
    cr_assert_eq(pk_store_put_profile(s, id + 1, "b", "cpu", "a 1\n", 4), PK_ENOENT);
    cr_assert(strstr(pk_store_last_error(s), "no run"));
    cr_assert_eq(pk_store_put_profile(s, id, "", "cpu", "a 1\n", 4), PK_EINVAL);
    cr_assert_eq(pk_store_put_profile(s, id, "b", NULL, "a 1\n", 4), PK_EINVAL);
    cr_assert_eq(pk_store_put_profile(NULL, id, "b", "cpu", "a 1\n", 4), PK_EINVAL);
    char *t = NULL;
    size_t len;
    cr_assert_eq(pk_store_get_profile(s, id, "b", "cpu", NULL, &len), PK_EINVAL);
    cr_assert_eq(pk_store_get_profile(s, id, "b", "cpu", &t, &len), PK_ENOENT);
    pk_store_close(s);
}

Test(store_profile, damage_is_ecorrupt)
{
    STORE_SQLITE_ONLY("SQLite blob literals");
    pk_store *s = open_store(dbpath);
    int64_t id = one_run(s);
    cr_assert_eq(pk_store_put_profile(s, id, "b", "cpu", FOLDED, strlen(FOLDED)), PK_OK);
    pk_store_close(s);
    store_sql(dbpath, "UPDATE profiles SET data = x'789c0102'");
    s = open_store(dbpath);
    char *t = NULL;
    size_t len;
    cr_assert_eq(pk_store_get_profile(s, id, "b", "cpu", &t, &len), PK_ECORRUPT);
    cr_assert_null(t);
    cr_assert(strstr(pk_store_last_error(s), "damaged"));
    pk_store_close(s);
    store_sql(dbpath, "DELETE FROM profiles; INSERT INTO profiles VALUES(1, 'b', 'cpu', 99, x'')");
    s = open_store(dbpath);
    cr_assert_eq(pk_store_get_profile(s, id, "b", "cpu", &t, &len), PK_ECORRUPT);
    pk_store_close(s);
}

Test(store_profile, schema_1_is_upgraded_or_read_as_is)
{
    STORE_SQLITE_ONLY("SQLite schema 1");
    pk_store *s = open_store(dbpath);
    int64_t id = one_run(s);
    pk_store_close(s);
    /* make it a history of the first schema, as perfkit before profiles wrote it */
    store_sql(dbpath, "DROP TABLE profiles; PRAGMA user_version=1;");
    pk_store_opts o;
    pk_store_opts_init(&o);
    o.read_only = true;
    pk_diag d;
    cr_assert_eq(pk_store_open(dbpath, &o, &s, &d), PK_OK, "%s", d.message);
    char *t = NULL;
    size_t len;
    cr_assert_eq(pk_store_get_profile(s, id, "b", "cpu", &t, &len), PK_ENOENT);
    pk_resultset *rs = NULL;
    cr_assert_eq(pk_store_get_run(s, id, NULL, &rs), PK_OK);
    pk_resultset_free(rs);
    pk_store_close(s);
    /* read-write: upgraded in place, the run kept, profiles stored */
    s = open_store(dbpath);
    cr_assert_eq(pk_store_put_profile(s, id, "b", "cpu", FOLDED, strlen(FOLDED)), PK_OK);
    cr_assert_eq(pk_store_get_profile(s, id, "b", "cpu", &t, &len), PK_OK);
    pk_free(t);
    pk_store_close(s);
}

Test(store_profile, a_deleted_run_takes_its_profiles)
{
    STORE_SQLITE_ONLY("reads the file");
    pk_store *s = open_store(dbpath);
    int64_t id = one_run(s);
    cr_assert_eq(pk_store_put_profile(s, id, "b", "cpu", FOLDED, strlen(FOLDED)), PK_OK);
    pk_store_close(s);
    store_sql(dbpath, "PRAGMA foreign_keys=ON; DELETE FROM runs;");
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    cr_assert_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
    cr_assert_eq(sqlite3_prepare_v2(db, "SELECT count(*) FROM profiles", -1, &st, NULL),
                 SQLITE_OK);
    cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
    cr_assert_eq(sqlite3_column_int64(st, 0), 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
}
