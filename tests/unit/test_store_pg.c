/* Unit tests for the PostgreSQL history backend's own cases, against a
 * real server (PERFKIT_TEST_STORE=postgres://..., started by
 * tests/run-store-pg.sh, which `make test` runs): a database of another
 * program is refused and left untouched, a "perfkit" schema without our
 * marker and a newer schema are refused, an unreachable server and wrong
 * credentials are clear one-line errors that never show the password, a
 * writer holding the lock past the timeout is PK_EBUSY,
 * read-only opens of a fresh database find no history, and pk_store_copy
 * moves runs, profiles and pins SQLite → PostgreSQL → SQLite exactly and
 * idempotently. The shared suite (test_store*.c) runs here too. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include "perfkit/store.h"
#include "store_util.h"

static void pg_setup(void)
{
    if (!store_pg_url())
        cr_skip_test("PERFKIT_TEST_STORE is not set: tests/run-store-pg.sh starts a server");
    store_setup();
}

TestSuite(store_pg, .init = pg_setup, .fini = store_teardown, .timeout = 120);

/* A one-row listing of the database's tables and the count of perfkit's. */
static void table_list(char *out, size_t len)
{
    char url[1024];
    pg_url_with_db(store_pg_url(), pg_dbname, url, sizeof url);
    PGconn *c = PQconnectdb(url);
    cr_assert_eq(PQstatus(c), CONNECTION_OK);
    PGresult *r = PQexec(c, "SELECT coalesce(string_agg(table_schema || '.' || table_name || "
                            "'=' || (xpath('/row/c/text()', query_to_xml('SELECT count(*) AS c "
                            "FROM ' || table_schema || '.' || table_name, false, true, "
                            "'')))[1]::text, ',' ORDER BY 1), '') FROM information_schema.tables "
                            "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')");
    cr_assert_eq(PQresultStatus(r), PGRES_TUPLES_OK, "%s", PQerrorMessage(c));
    snprintf(out, len, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    PQfinish(c);
}

static void refused(pk_err want, const char *says)
{
    char before[2048], after[2048];
    table_list(before, sizeof before);
    pk_store_opts o;
    pk_store_opts_init(&o);
    for (int ro = 0; ro < 2; ro++) {
        pk_store *s = (pk_store *)1;
        pk_diag dg;
        o.read_only = ro;
        cr_assert_eq(pk_store_open(dbpath, &o, &s, &dg), want, "%s", dg.message);
        cr_assert_null(s);
        cr_assert(strstr(dg.message, says), "message: %s", dg.message);
        cr_assert(strstr(dg.message, "refusing to touch it"), "message: %s", dg.message);
        cr_assert_null(strchr(dg.message, '\n'));
    }
    table_list(after, sizeof after);
    cr_assert_str_eq(before, after, "the database was modified");
}

Test(store_pg, another_programs_database_is_refused_untouched)
{
    pg_sql(pg_dbname, "CREATE TABLE users(id int PRIMARY KEY, name text);"
                      "INSERT INTO users VALUES (1, 'ada'), (2, 'bob')");
    refused(PK_ECORRUPT, "tables of another program, such as public.users");
    /* a schema named perfkit with a meta table that is not ours */
    pg_sql(pg_dbname, "DROP TABLE users; CREATE SCHEMA perfkit;"
                      "CREATE TABLE perfkit.meta(key text, value text);"
                      "INSERT INTO perfkit.meta VALUES ('application', 'someone-else')");
    refused(PK_ECORRUPT, "no perfkit marker");
}

Test(store_pg, newer_schema_is_refused)
{
    pk_store *s = open_store(dbpath);
    pk_resultset *rs = make_rs(1, 1, 3);
    pk_run_meta m = make_meta("", "main", "f");
    cr_assert_eq(pk_store_put_run(s, &m, rs), PK_OK);
    pk_store_close(s);
    pk_resultset_free(rs);
    pg_sql(pg_dbname, "UPDATE perfkit.meta SET value = '99' WHERE key = 'schema_version'");
    refused(PK_ECORRUPT, "written by a newer perfkit");
}

Test(store_pg, fresh_database_has_no_history_until_created)
{
    pk_store_opts o;
    pk_store_opts_init(&o);
    o.read_only = true;
    pk_store *s = NULL;
    pk_diag dg;
    cr_assert_eq(pk_store_open(dbpath, &o, &s, &dg), PK_ENOENT, "%s", dg.message);
    o.read_only = false;
    o.create = false;
    cr_assert_eq(pk_store_open(dbpath, &o, &s, &dg), PK_ENOENT, "%s", dg.message);
    char tables[2048];
    table_list(tables, sizeof tables);
    cr_assert_str_eq(tables, "");   /* nothing created */
    s = open_store(dbpath);         /* create: the schema appears */
    cr_assert(strstr(pk_store_name(s), ":***@"), "%s", pk_store_name(s));   /* no password */
    pk_store_close(s);
    table_list(tables, sizeof tables);
    cr_assert(strstr(tables, "perfkit.meta=2"), "%s", tables);
    cr_assert(strstr(tables, "perfkit.runs=0"), "%s", tables);
    o.read_only = true;
    cr_assert_eq(pk_store_open(dbpath, &o, &s, &dg), PK_OK, "%s", dg.message);
    pk_resultset *rs = make_rs(2, 1, 3);
    pk_run_meta m = make_meta("", "", "");
    cr_assert_eq(pk_store_put_run(s, &m, rs), PK_EPERM, "%s", pk_store_last_error(s));
    pk_resultset_free(rs);
    pk_store_close(s);
}

Test(store_pg, unreachable_server_and_wrong_password)
{
    pk_store *s = (pk_store *)1;
    pk_diag dg;
    /* nothing listens on this socket directory */
    char url[1024];
    snprintf(url, sizeof url, "postgres://perfkit:s3cret@/perfkit?host=%s&port=1", tmpdir);
    cr_assert_eq(pk_store_open(url, NULL, &s, &dg), PK_EIO, "%s", dg.message);
    cr_assert_null(s);
    cr_assert(strstr(dg.message, "cannot reach the history server"), "%s", dg.message);
    cr_assert_null(strstr(dg.message, "s3cret"), "%s", dg.message);
    cr_assert_null(strchr(dg.message, '\n'));
    /* the right server, a wrong password (in the URL and as a parameter) */
    const char *good = store_pg_url();
    const char *colon = strchr(strstr(good, "://") + 3, ':');
    const char *at = strchr(good, '@');
    cr_assert(colon && at && colon < at);
    snprintf(url, sizeof url, "%.*s:wr0ng%s", (int)(colon - good), good, at);
    cr_assert_eq(pk_store_open(url, NULL, &s, &dg), PK_EPERM, "%s", dg.message);
    cr_assert(strstr(dg.message, "refused the credentials"), "%s", dg.message);
    cr_assert_null(strstr(dg.message, "wr0ng"), "%s", dg.message);
    snprintf(url, sizeof url, "%.*s%s&password=wr0ng", (int)(colon - good), good, at);
    cr_assert_eq(pk_store_open(url, NULL, &s, &dg), PK_EPERM, "%s", dg.message);
    cr_assert_null(strstr(dg.message, "wr0ng"), "%s", dg.message);
    /* a database that does not exist */
    pg_url_with_db(good, "no_such_db", url, sizeof url);
    cr_assert_eq(pk_store_open(url, NULL, &s, &dg), PK_EINVAL, "%s", dg.message);
    cr_assert(strstr(dg.message, "does not exist"), "%s", dg.message);
}

Test(store_pg, a_url_libpq_cannot_parse_is_einval)
{
    const char *bad[] = {"postgresql://%zz", "postgres://u@/db?bogus=1",
                         "postgres://u@/db?sslmode=bogus", "postgres://[::1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        pk_store *s = (pk_store *)1;
        pk_diag dg;
        cr_assert_eq(pk_store_open(bad[i], NULL, &s, &dg), PK_EINVAL, "%s: %s", bad[i],
                     dg.message);
        cr_assert_null(s);
        cr_assert(strstr(dg.message, "is not a valid PostgreSQL URL"), "%s", dg.message);
    }
}

/* Text that is not UTF-8 (git allows any bytes in a branch name; SQLite
 * keeps them) is refused by the server: stored with its stray bytes as
 * private-use characters, read back as the same bytes, found again by
 * them, and copied from SQLite idempotently and back exactly. */
Test(store_pg, text_that_is_not_utf8_is_stored_and_found)
{
    char lite[256];
    snprintf(lite, sizeof lite, "%s/a.db", tmpdir);
    pk_store *a = open_store(lite), *p = open_store(dbpath);
    const char *branch = "caf\xe9-\xc0\xaf-\xed\xa0\x80";   /* stray, overlong, surrogate */
    for (int i = 0; i < 2; i++) {
        pk_resultset *rs = make_rs((uint64_t)i, 1, 3);
        pk_run_meta m = make_meta("", branch, "f\xff");
        m.started_unix_ns = 1000 + i;
        cr_assert_eq(pk_store_put_run(a, &m, rs), PK_OK, "%s", pk_store_last_error(a));
        cr_assert_eq(pk_store_put_run(p, &m, rs), PK_OK, "%s", pk_store_last_error(p));
        pk_resultset_free(rs);
    }
    int64_t id = 0;
    cr_assert_eq(pk_store_find_baseline(p, "bench0", branch, "f\xff", 0, &id), PK_OK);
    cr_assert_eq(id, 2);
    cr_assert_eq(pk_store_resolve(p, branch, &id), PK_OK, "%s", pk_store_last_error(p));
    cr_assert_eq(id, 2);
    pk_run_meta *runs = NULL;
    size_t n = 0;
    cr_assert_eq(pk_store_list_runs(p, 1, &runs, &n), PK_OK);
    cr_assert_str_eq(runs[0].branch, branch);   /* the same bytes back */
    cr_assert_str_eq(runs[0].fingerprint, "f\xff");
    pk_free(runs);
    pk_store_copy_stats st;
    cr_assert_eq(pk_store_copy(a, p, &st, NULL), PK_OK, "%s", pk_store_last_error(p));
    cr_assert_eq(st.runs_skipped, 2);
    cr_assert_eq(st.runs_copied, 0);
    /* names of benchmarks and figures too, and back into SQLite exactly */
    pk_resultset *rs = NULL;
    pk_bench_data *b = NULL;
    double x[2] = {1, 2};
    cr_assert_eq(pk_resultset_new(&rs), PK_OK);
    cr_assert_eq(pk_resultset_add(rs, "b\xfe", &b), PK_OK);
    cr_assert_eq(pk_bench_data_put(b, "fig\x80", PK_UNIT_COUNT, x, 2), PK_OK);
    pk_run_meta m = make_meta("", branch, "f\xff");
    cr_assert_eq(pk_store_put_run(p, &m, rs), PK_OK, "%s", pk_store_last_error(p));
    pk_resultset_free(rs);
    rs = NULL;
    cr_assert_eq(pk_store_get_run(p, m.id, NULL, &rs), PK_OK);
    cr_assert_str_eq(rs->benches[0].name, "b\xfe");
    cr_assert_not_null(pk_bench_data_get(&rs->benches[0], "fig\x80"));
    pk_resultset_free(rs);
    char **names = NULL;
    size_t nn = 0;
    cr_assert_eq(pk_store_list_benchmarks(p, &names, &nn), PK_OK);
    cr_assert_str_eq(names[nn - 1], "b\xfe");
    pk_store_free_names(names, nn);
    char back[256];
    snprintf(back, sizeof back, "%s/b.db", tmpdir);
    pk_store *c = open_store(back);
    cr_assert_eq(pk_store_copy(p, c, &st, NULL), PK_OK, "%s", pk_store_last_error(c));
    cr_assert_eq(pk_store_copy(a, c, &st, NULL), PK_OK);
    cr_assert_eq(st.runs_skipped, 2, "the bytes came back as they were stored");
    pk_store_close(c);
    pk_store_close(a);
    pk_store_close(p);
}

/* A history with runs of two sets, a failed benchmark, profiles, pins. */
static void fill(pk_store *s)
{
    for (int i = 0; i < 5; i++) {
        pk_resultset *rs = make_rs((uint64_t)i, 2, 7);
        if (i == 3) {
            pk_bench_data *b;
            cr_assert_eq(pk_resultset_add(rs, "broken", &b), PK_OK);
            cr_assert_eq(pk_bench_data_set_error(b, "exit status 2"), PK_OK);
        }
        pk_run_meta m = make_meta(i % 2 ? "aaaa000000000000000000000000000000000000" : "",
                                  i < 3 ? "main" : "topic", i == 4 ? "other" : "f");
        m.started_unix_ns = 1000 + i;
        cr_assert_eq(pk_store_put_run(s, &m, rs), PK_OK, "%s", pk_store_last_error(s));
        pk_resultset_free(rs);
    }
    const char folded[] = "main;work;hot 70\nmain;work;cold 30\n";
    cr_assert_eq(pk_store_put_profile(s, 2, "bench0", "cpu", folded, sizeof folded - 1), PK_OK);
    cr_assert_eq(pk_store_put_profile(s, 5, "bench1", "cpu", folded, 18), PK_OK);
    cr_assert_eq(pk_store_pin(s, 2, "bench1"), PK_OK);
}

/* b holds exactly a's runs (ids may differ: mapped by start time), their
 * profiles and a's pins. */
static void same_history(pk_store *a, pk_store *b)
{
    pk_run_meta *ra, *rb;
    size_t na, nb;
    cr_assert_eq(pk_store_list_runs(a, 0, &ra, &na), PK_OK);
    cr_assert_eq(pk_store_list_runs(b, 0, &rb, &nb), PK_OK);
    cr_assert_eq(na, nb);
    for (size_t i = 0; i < na; i++) {
        cr_assert_eq(ra[i].started_unix_ns, rb[i].started_unix_ns);
        cr_assert_str_eq(ra[i].branch, rb[i].branch);
        cr_assert_str_eq(ra[i].fingerprint, rb[i].fingerprint);
        pk_resultset *x = NULL, *y = NULL;
        cr_assert_eq(pk_store_get_run(a, ra[i].id, NULL, &x), PK_OK);
        cr_assert_eq(pk_store_get_run(b, rb[i].id, NULL, &y), PK_OK);
        cr_assert_eq(x->n, y->n);
        cr_assert(rs_matches(y, (uint64_t)(ra[i].started_unix_ns - 1000), 2, 7) ||
                  ra[i].started_unix_ns == 1003);
        if (x->n == 3)
            cr_assert_str_eq(y->benches[2].error, "exit status 2");
        pk_resultset_free(x);
        pk_resultset_free(y);
    }
    char *f = NULL;
    size_t len = 0;
    int64_t id2 = rb[na - 2].id;   /* the second run */
    cr_assert_eq(pk_store_get_profile(b, id2, "bench0", "cpu", &f, &len), PK_OK,
                 "%s", pk_store_last_error(b));
    cr_assert_str_eq(f, "main;work;hot 70\nmain;work;cold 30\n");
    pk_free(f);
    cr_assert_eq(pk_store_get_profile(b, rb[0].id, "bench1", "cpu", &f, &len), PK_OK);
    cr_assert_eq(len, 18);
    pk_free(f);
    int64_t pin = 0;
    cr_assert_eq(pk_store_pinned(b, "bench1", &pin), PK_OK);
    cr_assert_eq(pin, id2);
    /* the same baseline rules: by branch and fingerprint */
    int64_t ida = 0, idb = 0;
    cr_assert_eq(pk_store_find_baseline(a, "bench0", "topic", "f", 0, &ida), PK_OK);
    cr_assert_eq(pk_store_find_baseline(b, "bench0", "topic", "f", 0, &idb), PK_OK);
    cr_assert_neq(ida, 0);
    cr_assert_eq(ida - ra[na - 1].id, idb - rb[nb - 1].id);
    pk_free(ra);
    pk_free(rb);
}

Test(store_pg, copy_sqlite_to_postgres_and_back_is_exact_and_idempotent)
{
    char lite[256], back[256];
    snprintf(lite, sizeof lite, "%s/a.db", tmpdir);
    snprintf(back, sizeof back, "%s/b.db", tmpdir);
    pk_store *a = open_store(lite), *p = open_store(dbpath);
    fill(a);
    pk_store_copy_stats st;
    pk_store *where = (pk_store *)1;
    cr_assert_eq(pk_store_copy(a, p, &st, &where), PK_OK, "%s", pk_store_last_error(p));
    cr_assert_null(where);
    cr_assert_eq(st.runs_copied, 5);
    cr_assert_eq(st.runs_skipped, 0);
    cr_assert_eq(st.profiles_copied, 2);
    cr_assert_eq(st.pins_copied, 1);
    same_history(a, p);
    /* again: nothing new, and nothing counted as copied */
    cr_assert_eq(pk_store_copy(a, p, &st, NULL), PK_OK);
    cr_assert_eq(st.runs_copied, 0);
    cr_assert_eq(st.runs_skipped, 5);
    cr_assert_eq(st.profiles_copied, 0);
    cr_assert_eq(st.pins_copied, 0);
    same_history(a, p);
    /* back into SQLite, into a history that already has a run of its own */
    pk_store *b = open_store(back);
    pk_resultset *rs = make_rs(77, 1, 2);
    pk_run_meta m = make_meta("", "mine", "g");
    cr_assert_eq(pk_store_put_run(b, &m, rs), PK_OK);
    pk_resultset_free(rs);
    cr_assert_eq(pk_store_copy(p, b, &st, NULL), PK_OK, "%s", pk_store_last_error(b));
    cr_assert_eq(st.runs_copied, 5);
    int64_t first = 0, pin = 0;
    cr_assert_eq(pk_store_resolve(b, "mine", &first), PK_OK);
    cr_assert_eq(first, 1);
    cr_assert_eq(pk_store_pinned(b, "bench1", &pin), PK_OK);
    cr_assert_eq(pin, 3);   /* run 2 of the source, shifted by the run already there */
    cr_assert_eq(pk_store_copy(a, a, &st, &where), PK_EINVAL);
    cr_assert_eq(where, a);
    pk_store_close(a);
    pk_store_close(p);
    pk_store_close(b);
}

Test(store_pg, a_writer_holding_the_lock_is_ebusy_after_the_timeout)
{
    pk_store *s = open_store(dbpath);   /* the schema exists */
    pk_store_close(s);
    char url[1024];
    pg_url_with_db(store_pg_url(), pg_dbname, url, sizeof url);
    PGconn *other = PQconnectdb(url);   /* another runner, mid-store */
    cr_assert_eq(PQstatus(other), CONNECTION_OK);
    PGresult *r = PQexec(other, "BEGIN; SELECT pg_advisory_xact_lock(x'7064686973637700'::bigint)");
    cr_assert_eq(PQresultStatus(r), PGRES_TUPLES_OK, "%s", PQerrorMessage(other));
    PQclear(r);
    pk_store_opts o;
    pk_store_opts_init(&o);
    o.busy_timeout_ms = 200;
    pk_diag dg;
    cr_assert_eq(pk_store_open(dbpath, &o, &s, &dg), PK_OK, "%s", dg.message);
    pk_resultset *rs = make_rs(5, 1, 3);
    pk_run_meta m = make_meta("", "main", "f");
    cr_assert_eq(pk_store_put_run(s, &m, rs), PK_EBUSY, "%s", pk_store_last_error(s));
    cr_assert(strstr(pk_store_last_error(s), "locked by another writer (waited 200 ms)"),
              "%s", pk_store_last_error(s));
    cr_assert_eq(m.id, 0);
    PQclear(PQexec(other, "COMMIT"));   /* the other runner is done: ours goes in */
    cr_assert_eq(pk_store_put_run(s, &m, rs), PK_OK, "%s", pk_store_last_error(s));
    cr_assert_eq(m.id, 1);
    PQfinish(other);
    pk_resultset_free(rs);
    pk_store_close(s);
}
