/* store_util.h — fixtures for the history store tests (header-only): a fresh
 * temporary directory per test, run metadata and result sets whose samples
 * are a function of a seed (so a loaded run can be checked exactly), whole
 * file snapshots. */
#ifndef PK_TEST_STORE_UTIL_H
#define PK_TEST_STORE_UTIL_H

#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <unistd.h>
#include "perfkit/alloc.h"
#include "perfkit/store.h"

static char tmpdir[64];
static char dbpath[1024];
static char pg_dbname[64];   /* the test's own database (PostgreSQL runs) */

/* PERFKIT_TEST_STORE=postgres://... runs the store tests on PostgreSQL
 * (tests/pg.sh starts a server; `make test` does both): dbpath is then the
 * URL of a database made for the one test and dropped after it. */
static inline const char *store_pg_url(void)
{
    const char *u = getenv("PERFKIT_TEST_STORE");
    return u && u[0] ? u : NULL;
}

static inline bool store_is_pg(void)
{
    return store_pg_url() != NULL;
}

/* Skip a test that is about SQLite files (journals, directories, bytes). */
#define STORE_SQLITE_ONLY(why)                                   \
    do {                                                         \
        if (store_is_pg())                                       \
            cr_skip_test("SQLite only: %s", why);                \
    } while (0)

/* base (a URL) with its database name replaced by db, into out[len]. */
static inline void pg_url_with_db(const char *base, const char *db, char *out, size_t len)
{
    const char *auth = strstr(base, "://");
    auth = auth ? auth + 3 : base;
    size_t a = strcspn(auth, "/?");
    const char *rest = auth + a;
    if (*rest == '/')
        rest += strcspn(rest, "?");
    snprintf(out, len, "%.*s/%s%s", (int)(auth + a - base), base, db, rest);
}

/* Run SQL on the server of the test URL, in database db (NULL: the URL's). */
static inline void pg_sql(const char *db, const char *sql)
{
    char url[1024];
    if (db)
        pg_url_with_db(store_pg_url(), db, url, sizeof url);
    PGconn *c = PQconnectdb(db ? url : store_pg_url());
    cr_assert_eq(PQstatus(c), CONNECTION_OK, "%s", PQerrorMessage(c));
    PGresult *r = PQexec(c, sql);
    cr_assert(PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK,
              "%s: %s", sql, PQerrorMessage(c));
    PQclear(r);
    PQfinish(c);
}

static inline void store_setup(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/pk-store-XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
    snprintf(dbpath, sizeof dbpath, "%s/.perfkit/history.db", tmpdir);
    if (store_is_pg()) {
        char sql[128];
        snprintf(pg_dbname, sizeof pg_dbname, "pk_t_%ld_%.12s", (long)getpid(), tmpdir + 14);
        for (char *p = pg_dbname; *p; p++)
            if (*p >= 'A' && *p <= 'Z')
                *p = (char)(*p - 'A' + 'a');
        snprintf(sql, sizeof sql, "CREATE DATABASE %s", pg_dbname);
        pg_sql(NULL, sql);
        pg_url_with_db(store_pg_url(), pg_dbname, dbpath, sizeof dbpath);
    }
}

static inline void store_teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", tmpdir);
    if (store_is_pg() && pg_dbname[0]) {
        snprintf(cmd, sizeof cmd, "DROP DATABASE IF EXISTS %s WITH (FORCE)", pg_dbname);
        pg_sql(NULL, cmd);
    }
}

/* Run SQL text on the file at path with SQLite itself (to damage or
 * downgrade a history behind the store's back). */
static inline void store_sql(const char *path, const char *text)
{
    if (store_is_pg() && strncmp(path, "postgres", 8) == 0) {
        char sql[4096];
        snprintf(sql, sizeof sql, "SET search_path = perfkit; %s", text);
        pg_sql(pg_dbname, sql);
        return;
    }
    sqlite3 *db = NULL;
    cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
    char *err = NULL;
    cr_assert_eq(sqlite3_exec(db, text, NULL, NULL, &err), SQLITE_OK, "%s", err);
    sqlite3_close(db);
}

static inline pk_store *open_store(const char *path)
{
    pk_store *s = NULL;
    pk_diag d;
    pk_err e = pk_store_open(path, NULL, &s, &d);
    cr_assert_eq(e, PK_OK, "open %s: %s (%s)", path, pk_strerror(e), d.message);
    return s;
}

static inline pk_run_meta make_meta(const char *commit, const char *branch, const char *fp)
{
    pk_run_meta m;
    memset(&m, 0, sizeof m);
    m.started_unix_ns = 1700000000000000000LL;
    snprintf(m.commit, sizeof m.commit, "%s", commit);
    snprintf(m.branch, sizeof m.branch, "%s", branch);
    snprintf(m.perfkit_version, sizeof m.perfkit_version, "0.1.0");
    snprintf(m.machine.cpu_model, sizeof m.machine.cpu_model, "Test CPU @ 3.0GHz");
    m.machine.cores = 8;
    snprintf(m.machine.kernel, sizeof m.machine.kernel, "Linux 6.1.0");
    snprintf(m.machine.arch, sizeof m.machine.arch, "x86_64");
    snprintf(m.machine.hostname, sizeof m.machine.hostname, "ci-runner-1");
    m.machine.mem_bytes = 17179869184ULL;
    snprintf(m.fingerprint, sizeof m.fingerprint, "%s", fp);
    snprintf(m.config_hash, sizeof m.config_hash, "00ff00ff00ff00ff");
    return m;
}

/* Sample i of series `fig` of benchmark `b` in a set made with seed. */
static inline double sample_of(uint64_t seed, int b, int fig, int i)
{
    return (double)(seed * 1000003u + (uint64_t)b * 7919u + (uint64_t)fig * 104729u) /
               3.0 + (double)i * 0.1;
}

/* A set of nb benchmarks "bench0".. each with series wall (duration) and
 * rss (size) of n samples from sample_of(seed, ...). */
static inline pk_resultset *make_rs(uint64_t seed, int nb, int n)
{
    pk_resultset *rs = NULL;
    cr_assert_eq(pk_resultset_new(&rs), PK_OK);
    double *x = calloc((size_t)n, sizeof *x);
    for (int b = 0; b < nb; b++) {
        char name[32];
        pk_bench_data *bd = NULL;
        snprintf(name, sizeof name, "bench%d", b);
        cr_assert_eq(pk_resultset_add(rs, name, &bd), PK_OK);
        for (int f = 0; f < 2; f++) {
            for (int i = 0; i < n; i++)
                x[i] = sample_of(seed, b, f, i);
            cr_assert_eq(pk_bench_data_put(bd, f ? "rss" : "wall",
                                           f ? PK_UNIT_SIZE : PK_UNIT_DURATION, x, (size_t)n),
                         PK_OK);
        }
        cr_assert_eq(pk_bench_data_set_primary(bd, "wall"), PK_OK);
    }
    free(x);
    return rs;
}

/* true when rs is exactly make_rs(seed, nb, n). */
static inline bool rs_matches(const pk_resultset *rs, uint64_t seed, int nb, int n)
{
    if (!rs || rs->n != (size_t)nb)
        return false;
    for (int b = 0; b < nb; b++) {
        const pk_bench_data *bd = &rs->benches[b];
        char name[32];
        snprintf(name, sizeof name, "bench%d", b);
        if (strcmp(bd->name, name) != 0 || bd->n_series != 2 || !bd->primary ||
            strcmp(bd->primary, "wall") != 0)
            return false;
        for (int f = 0; f < 2; f++) {
            const pk_series *s = pk_bench_data_get(bd, f ? "rss" : "wall");
            if (!s || s->n != (size_t)n || s->kind != (f ? PK_UNIT_SIZE : PK_UNIT_DURATION))
                return false;
            for (int i = 0; i < n; i++)
                if (s->samples[i] != sample_of(seed, b, f, i))
                    return false;
        }
    }
    return true;
}

/* Whole contents of path (caller frees); *len its size. NULL if unreadable. */
static inline unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *buf = malloc(n > 0 ? (size_t)n : 1);
    *len = fread(buf, 1, (size_t)n, f);
    fclose(f);
    return buf;
}

#endif
