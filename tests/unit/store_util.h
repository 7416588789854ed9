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
#include "perfkit/alloc.h"
#include "perfkit/store.h"

static char tmpdir[64];
static char dbpath[128];

static inline void store_setup(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/pk-store-XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
    snprintf(dbpath, sizeof dbpath, "%s/.perfkit/history.db", tmpdir);
}

static inline void store_teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", tmpdir);
}

/* Run SQL text on the file at path with SQLite itself (to damage or
 * downgrade a history behind the store's back). */
static inline void store_sql(const char *path, const char *text)
{
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
