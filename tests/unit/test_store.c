/* Unit tests for the history store (lib/store): round trips, baselines and
 * pins, references, history, listings, opening. Safety (foreign files,
 * kill -9, concurrency, faults) is in test_store_safety.c. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "perfkit/store.h"
#include "store_util.h"

TestSuite(store, .init = store_setup, .fini = store_teardown, .timeout = 60);

static int64_t put(pk_store *s, const char *commit, const char *branch, const char *fp,
                   const pk_resultset *rs)
{
    pk_run_meta m = make_meta(commit, branch, fp);
    pk_err e = pk_store_put_run(s, &m, rs);
    cr_assert_eq(e, PK_OK, "put_run: %s", pk_store_last_error(s));
    cr_assert_gt(m.id, 0);
    return m.id;
}

/* A set with the named benchmarks, each with a 3-sample wall series. */
static pk_resultset *bench_set(const char *const *names, size_t n, double base)
{
    pk_resultset *rs = NULL;
    cr_assert_eq(pk_resultset_new(&rs), PK_OK);
    for (size_t i = 0; i < n; i++) {
        pk_bench_data *b;
        double x[3] = {base, base + 1, base + 2};
        cr_assert_eq(pk_resultset_add(rs, names[i], &b), PK_OK);
        cr_assert_eq(pk_bench_data_put(b, "wall", PK_UNIT_DURATION, x, 3), PK_OK);
    }
    return rs;
}

Test(store, round_trip_is_exact)
{
    pk_store *s = open_store(dbpath);
    pk_resultset *rs = make_rs(42, 3, 30);
    /* awkward doubles: they must come back bit for bit */
    pk_bench_data *odd;
    const double weird[] = {0.1, -0.0, 5e-324, 1.7976931348623157e308, -1e-310, M_PI,
                            INFINITY, -INFINITY, 1.0 / 3.0, 123456789.123456789};
    size_t nw = sizeof weird / sizeof weird[0];
    cr_assert_eq(pk_resultset_add(rs, "odd/values", &odd), PK_OK);
    cr_assert_eq(pk_bench_data_put(odd, "instructions", PK_UNIT_COUNT, weird, nw), PK_OK);
    cr_assert_eq(pk_bench_data_put(odd, "cpu", PK_UNIT_PERCENT, weird, 1), PK_OK);
    pk_bench_data *failed;
    cr_assert_eq(pk_resultset_add(rs, "failed", &failed), PK_OK);
    cr_assert_eq(pk_bench_data_set_error(failed, "exit status 3"), PK_OK);

    pk_run_meta m = make_meta("0123456789abcdef0123456789abcdef01234567", "main",
                              "aaaaaaaaaaaaaaaa");
    m.dirty = true;
    cr_assert_eq(pk_store_put_run(s, &m, rs), PK_OK, "%s", pk_store_last_error(s));
    cr_assert_eq(m.id, 1);
    pk_store_close(s);

    s = open_store(dbpath);   /* from disk, a fresh handle */
    pk_run_meta got;
    pk_resultset *back = NULL;
    cr_assert_eq(pk_store_get_run(s, m.id, &got, &back), PK_OK, "%s", pk_store_last_error(s));
    cr_assert_eq(got.id, m.id);
    cr_assert_eq(got.started_unix_ns, m.started_unix_ns);
    cr_assert_str_eq(got.commit, m.commit);
    cr_assert_str_eq(got.branch, "main");
    cr_assert(got.dirty);
    cr_assert_str_eq(got.perfkit_version, "0.1.0");
    cr_assert_str_eq(got.machine.cpu_model, m.machine.cpu_model);
    cr_assert_eq(got.machine.cores, 8);
    cr_assert_str_eq(got.machine.kernel, m.machine.kernel);
    cr_assert_str_eq(got.machine.arch, "x86_64");
    cr_assert_str_eq(got.machine.hostname, "ci-runner-1");
    cr_assert_eq(got.machine.mem_bytes, m.machine.mem_bytes);
    cr_assert_str_eq(got.fingerprint, "aaaaaaaaaaaaaaaa");
    cr_assert_str_eq(got.config_hash, m.config_hash);

    cr_assert_eq(back->n, 5);
    back->n = 3;   /* the first three are make_rs's */
    cr_assert(rs_matches(back, 42, 3, 30));
    back->n = 5;
    const pk_bench_data *o = &back->benches[3];
    cr_assert_str_eq(o->name, "odd/values");
    cr_assert_null(o->primary);
    cr_assert_null(o->error);
    const pk_series *ins = pk_bench_data_get(o, "instructions");
    cr_assert_not_null(ins);
    cr_assert_eq(ins->kind, PK_UNIT_COUNT);
    cr_assert_eq(ins->n, nw);
    cr_assert_eq(memcmp(ins->samples, weird, sizeof weird), 0);
    cr_assert_eq(pk_bench_data_get(o, "cpu")->kind, PK_UNIT_PERCENT);
    cr_assert_str_eq(back->benches[4].name, "failed");
    cr_assert_str_eq(back->benches[4].error, "exit status 3");
    cr_assert_eq(back->benches[4].n_series, 0);
    pk_resultset_free(back);

    /* metadata only, and existence only */
    cr_assert_eq(pk_store_get_run(s, m.id, &got, NULL), PK_OK);
    cr_assert_eq(pk_store_get_run(s, m.id, NULL, NULL), PK_OK);
    cr_assert_eq(pk_store_get_run(s, 99, &got, &back), PK_ENOENT);
    cr_assert_null(back);
    cr_assert(strstr(pk_store_last_error(s), "99"));
    pk_resultset_free(rs);
    pk_store_close(s);
}

Test(store, get_bench_loads_one)
{
    pk_store *s = open_store(dbpath);
    pk_resultset *rs = make_rs(7, 4, 5);
    int64_t id = put(s, "", "", "f", rs);
    pk_resultset *one = NULL;
    cr_assert_eq(pk_store_get_bench(s, id, "bench2", &one), PK_OK);
    cr_assert_eq(one->n, 1);
    cr_assert_str_eq(one->benches[0].name, "bench2");
    cr_assert_eq(pk_bench_data_get(&one->benches[0], "rss")->samples[4], sample_of(7, 2, 1, 4));
    pk_resultset_free(one);
    cr_assert_eq(pk_store_get_bench(s, id, "nope", &one), PK_ENOENT);
    cr_assert_null(one);
    cr_assert(strstr(pk_store_last_error(s), "no benchmark 'nope'"));
    cr_assert_eq(pk_store_get_bench(s, id + 1, "bench2", &one), PK_ENOENT);
    cr_assert(strstr(pk_store_last_error(s), "no run"));
    pk_resultset_free(rs);
    pk_store_close(s);
}

Test(store, baseline_selection)
{
    pk_store *s = open_store(dbpath);
    const char *ab[] = {"a", "b"}, *a[] = {"a"};
    pk_resultset *rs_ab = bench_set(ab, 2, 10), *rs_a = bench_set(a, 1, 20);
    int64_t r1 = put(s, "c1", "main", "fpA", rs_ab);   /* 1 */
    int64_t r2 = put(s, "c2", "main", "fpB", rs_ab);   /* 2 */
    int64_t r3 = put(s, "c3", "feature", "fpA", rs_a); /* 3 */
    int64_t r4 = put(s, "c4", "main", "fpA", rs_a);    /* 4 */
    int64_t id;
    cr_assert_eq(pk_store_find_baseline(s, "a", NULL, NULL, 0, &id), PK_OK);
    cr_assert_eq(id, r4);
    cr_assert_eq(pk_store_find_baseline(s, "b", NULL, NULL, 0, &id), PK_OK);
    cr_assert_eq(id, r2);
    cr_assert_eq(pk_store_find_baseline(s, "a", "feature", NULL, 0, &id), PK_OK);
    cr_assert_eq(id, r3);
    cr_assert_eq(pk_store_find_baseline(s, "a", "main", "fpB", 0, &id), PK_OK);
    cr_assert_eq(id, r2);
    cr_assert_eq(pk_store_find_baseline(s, "a", NULL, "fpA", r4, &id), PK_OK);
    cr_assert_eq(id, r3);
    cr_assert_eq(pk_store_find_baseline(s, "b", "main", "fpA", 0, &id), PK_OK);
    cr_assert_eq(id, r1);
    cr_assert_eq(pk_store_find_baseline(s, "a", "main", NULL, r1, &id), PK_OK);
    cr_assert_eq(id, 0);
    cr_assert_eq(pk_store_find_baseline(s, "zzz", NULL, NULL, 0, &id), PK_OK);
    cr_assert_eq(id, 0);
    cr_assert_eq(pk_store_find_baseline(s, "b", "nobranch", NULL, 0, &id), PK_OK);
    cr_assert_eq(id, 0);

    /* a run where the benchmark failed is no baseline */
    pk_resultset *bad = bench_set(a, 1, 30);
    cr_assert_eq(pk_bench_data_set_error(&bad->benches[0], "crashed"), PK_OK);
    int64_t r5 = put(s, "c5", "main", "fpA", bad);
    cr_assert_eq(pk_store_find_baseline(s, "a", "main", "fpA", 0, &id), PK_OK);
    cr_assert_eq(id, r4);

    /* a pin beats the search, whatever branch or fingerprint ... */
    cr_assert_eq(pk_store_pin(s, r1, "a"), PK_OK, "%s", pk_store_last_error(s));
    cr_assert_eq(pk_store_find_baseline(s, "a", "feature", "fpZ", 0, &id), PK_OK);
    cr_assert_eq(id, r1);
    cr_assert_eq(pk_store_find_baseline(s, "a", NULL, NULL, r5, &id), PK_OK);
    cr_assert_eq(id, r1);
    /* ... but only when it is older than before_id */
    cr_assert_eq(pk_store_find_baseline(s, "a", NULL, NULL, r1, &id), PK_OK);
    cr_assert_eq(id, 0);
    cr_assert_eq(pk_store_find_baseline(s, "b", NULL, NULL, 0, &id), PK_OK);
    cr_assert_eq(id, r2);   /* pins are per benchmark */
    /* re-pinning replaces */
    cr_assert_eq(pk_store_pin(s, r3, "a"), PK_OK);
    cr_assert_eq(pk_store_find_baseline(s, "a", "main", NULL, 0, &id), PK_OK);
    cr_assert_eq(id, r3);
    cr_assert_eq(pk_store_unpin(s, "a"), PK_OK);
    cr_assert_eq(pk_store_find_baseline(s, "a", "main", NULL, 0, &id), PK_OK);
    cr_assert_eq(id, r4);
    cr_assert_eq(pk_store_unpin(s, "a"), PK_ENOENT);

    /* pin every benchmark of a run, unpin all */
    cr_assert_eq(pk_store_pin(s, r1, NULL), PK_OK);
    cr_assert_eq(pk_store_find_baseline(s, "a", NULL, NULL, 0, &id), PK_OK);
    cr_assert_eq(id, r1);
    cr_assert_eq(pk_store_find_baseline(s, "b", NULL, NULL, 0, &id), PK_OK);
    cr_assert_eq(id, r1);
    cr_assert_eq(pk_store_unpin(s, NULL), PK_OK);
    cr_assert_eq(pk_store_find_baseline(s, "b", NULL, NULL, 0, &id), PK_OK);
    cr_assert_eq(id, r2);
    cr_assert_eq(pk_store_unpin(s, NULL), PK_OK);

    /* pin errors */
    cr_assert_eq(pk_store_pin(s, 999, "a"), PK_ENOENT);
    cr_assert_eq(pk_store_pin(s, r3, "b"), PK_ENOENT);
    cr_assert(strstr(pk_store_last_error(s), "no benchmark 'b'"));
    pk_resultset *none = NULL;
    cr_assert_eq(pk_resultset_new(&none), PK_OK);
    int64_t empty = put(s, "c6", "main", "fpA", none);
    cr_assert_eq(pk_store_pin(s, empty, NULL), PK_ENOENT);
    pk_resultset_free(none);
    pk_resultset_free(bad);
    pk_resultset_free(rs_ab);
    pk_resultset_free(rs_a);
    pk_store_close(s);
}

Test(store, resolve_references)
{
    pk_store *s = open_store(dbpath);
    int64_t id;
    cr_assert_eq(pk_store_resolve(s, "latest", &id), PK_ENOENT);
    const char *a[] = {"a"};
    pk_resultset *rs = bench_set(a, 1, 1);
    int64_t r1 = put(s, "abcd1234aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "main", "f", rs);
    int64_t r2 = put(s, "abcd5678bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "main", "f", rs);
    int64_t r3 = put(s, "abcd1234aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "topic/x", "f", rs);
    int64_t r4 = put(s, "ffff0000cccccccccccccccccccccccccccccccc", "main", "f", rs);

    cr_assert_eq(pk_store_resolve(s, "2", &id), PK_OK);
    cr_assert_eq(id, r2);
    cr_assert_eq(pk_store_resolve(s, "latest", &id), PK_OK);
    cr_assert_eq(id, r4);
    cr_assert_eq(pk_store_resolve(s, "abcd1", &id), PK_OK);
    cr_assert_eq(id, r3);   /* most recent run of that commit */
    cr_assert_eq(pk_store_resolve(s, "ABCD5678", &id), PK_OK);
    cr_assert_eq(id, r2);
    cr_assert_eq(pk_store_resolve(s, "abcd1234aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", &id), PK_OK);
    cr_assert_eq(id, r3);
    cr_assert_eq(pk_store_resolve(s, "abcd", &id), PK_EINVAL);
    cr_assert_eq(id, 0);
    cr_assert(strstr(pk_store_last_error(s), "ambiguous"), "%s", pk_store_last_error(s));
    cr_assert_eq(pk_store_resolve(s, "main", &id), PK_OK);
    cr_assert_eq(id, r4);
    cr_assert_eq(pk_store_resolve(s, "topic/x", &id), PK_OK);
    cr_assert_eq(id, r3);
    cr_assert_eq(pk_store_resolve(s, "1", &id), PK_OK);
    cr_assert_eq(id, r1);
    cr_assert_eq(pk_store_resolve(s, "77", &id), PK_ENOENT);
    cr_assert_eq(pk_store_resolve(s, "nosuch", &id), PK_ENOENT);
    cr_assert(strstr(pk_store_last_error(s), "nosuch"));
    cr_assert_eq(pk_store_resolve(s, "beef", &id), PK_ENOENT);
    cr_assert_eq(pk_store_resolve(s, "", &id), PK_EINVAL);
    pk_resultset_free(rs);
    pk_store_close(s);
}

Test(store, history_values_order_and_limit)
{
    pk_store *s = open_store(dbpath);
    const char *ab[] = {"a", "b"}, *b[] = {"b"};
    for (int i = 0; i < 6; i++) {
        pk_resultset *rs = bench_set(i == 2 ? b : ab, i == 2 ? 1 : 2, 100.0 * i);
        pk_run_meta m = make_meta(i % 2 ? "c0dd" : "e7e7", "main", "f");
        m.started_unix_ns = 1000 + i;
        m.dirty = i == 5;
        cr_assert_eq(pk_store_put_run(s, &m, rs), PK_OK);
        pk_resultset_free(rs);
    }
    pk_history_point *p = NULL;
    size_t n = 0;
    cr_assert_eq(pk_store_history(s, "a", "wall", "median", 0, &p, &n), PK_OK);
    cr_assert_eq(n, 5);   /* run 3 has no "a" */
    const int64_t ids[] = {1, 2, 4, 5, 6};
    for (size_t i = 0; i < n; i++) {
        cr_assert_eq(p[i].run_id, ids[i]);
        cr_assert_eq(p[i].started_unix_ns, 1000 + ids[i] - 1);
        cr_assert_eq(p[i].value, 100.0 * (double)(ids[i] - 1) + 1.0);
        cr_assert_eq(p[i].n, 3);
    }
    cr_assert_str_eq(p[4].commit, "c0dd");
    cr_assert(p[4].dirty && !p[3].dirty);
    cr_assert_str_eq(p[4].branch, "main");
    pk_free(p);
    cr_assert_eq(pk_store_history(s, "a", "wall", "max", 2, &p, &n), PK_OK);
    cr_assert_eq(n, 2);
    cr_assert_eq(p[0].run_id, 5);   /* the last two, oldest first */
    cr_assert_eq(p[1].run_id, 6);
    cr_assert_eq(p[1].value, 502.0);
    pk_free(p);
    cr_assert_eq(pk_store_history(s, "a", "wall", "p0", 1, &p, &n), PK_OK);
    cr_assert_eq(n, 1);
    cr_assert_eq(p[0].value, 500.0);
    pk_free(p);
    cr_assert_eq(pk_store_history(s, "a", "rss", "mean", 0, &p, &n), PK_OK);
    cr_assert_eq(n, 0);
    pk_free(p);
    cr_assert_eq(pk_store_history(s, "a", "wall", "average", 0, &p, &n), PK_EINVAL);
    cr_assert_null(p);
    cr_assert(strstr(pk_store_last_error(s), "average"));
    pk_store_close(s);
}

Test(store, listings)
{
    pk_store *s = open_store(dbpath);
    char **names = NULL;
    size_t n = 99;
    cr_assert_eq(pk_store_list_benchmarks(s, &names, &n), PK_OK);
    cr_assert_eq(n, 0);
    pk_store_free_names(names, n);
    pk_run_meta *runs = NULL;
    cr_assert_eq(pk_store_list_runs(s, 0, &runs, &n), PK_OK);
    cr_assert_eq(n, 0);
    pk_free(runs);

    const char *s1[] = {"zeta", "alpha"}, *s2[] = {"mid", "alpha", "Beta"};
    pk_resultset *a = bench_set(s1, 2, 1), *b = bench_set(s2, 3, 1);
    put(s, "", "one", "f", a);
    put(s, "", "two", "f", b);
    put(s, "", "three", "f", a);
    cr_assert_eq(pk_store_list_benchmarks(s, &names, &n), PK_OK);
    cr_assert_eq(n, 4);
    const char *want[] = {"Beta", "alpha", "mid", "zeta"};   /* byte order */
    for (size_t i = 0; i < n; i++)
        cr_assert_str_eq(names[i], want[i]);
    pk_store_free_names(names, n);

    cr_assert_eq(pk_store_list_runs(s, 0, &runs, &n), PK_OK);
    cr_assert_eq(n, 3);
    cr_assert_eq(runs[0].id, 3);
    cr_assert_str_eq(runs[0].branch, "three");
    cr_assert_eq(runs[2].id, 1);
    cr_assert_str_eq(runs[2].machine.hostname, "ci-runner-1");
    pk_free(runs);
    cr_assert_eq(pk_store_list_runs(s, 2, &runs, &n), PK_OK);
    cr_assert_eq(n, 2);
    cr_assert_eq(runs[1].id, 2);
    pk_free(runs);
    pk_resultset_free(a);
    pk_resultset_free(b);
    pk_store_close(s);
}

Test(store, open_modes)
{
    pk_diag dg;
    const char *msg = dg.message;
    pk_store *s = (pk_store *)1;
    pk_store_opts o;
    pk_store_opts_init(&o);
    cr_assert_eq(o.busy_timeout_ms, 10000);
    cr_assert(o.create && !o.read_only);

    cr_assert(pk_store_is_url("postgres://ci@db/perf"));
    cr_assert(pk_store_is_url("postgresql://db/perf"));
    cr_assert(!pk_store_is_url("postgres.db") && !pk_store_is_url(NULL));
    STORE_SQLITE_ONLY("files and directories");

    o.read_only = true;
    cr_assert_eq(pk_store_open(dbpath, &o, &s, &dg), PK_ENOENT);
    cr_assert_null(s);
    cr_assert(strstr(msg, "no history"), "%s", msg);
    struct stat st;
    cr_assert_neq(stat(dbpath, &st), 0, "read-only open must not create the file");
    o.read_only = false;
    o.create = false;
    cr_assert_eq(pk_store_open(dbpath, &o, &s, &dg), PK_ENOENT);

    /* create makes the directories; the history persists */
    char deep[256];
    snprintf(deep, sizeof deep, "%s/a/b/c/h.db", tmpdir);
    s = open_store(deep);
    pk_resultset *rs = make_rs(3, 1, 4);
    pk_run_meta m = make_meta("", "", "");
    cr_assert_eq(pk_store_put_run(s, &m, rs), PK_OK);
    pk_store_close(s);

    o.create = true;
    o.read_only = true;
    cr_assert_eq(pk_store_open(deep, &o, &s, &dg), PK_OK, "%s", msg);
    cr_assert_str_eq(dg.message, "");   /* a success clears the diagnostic */
    pk_resultset *back = NULL;
    cr_assert_eq(pk_store_get_run(s, m.id, NULL, &back), PK_OK);
    cr_assert(rs_matches(back, 3, 1, 4));
    pk_resultset_free(back);
    cr_assert_eq(pk_store_put_run(s, &m, rs), PK_EPERM, "%s", pk_store_last_error(s));
    pk_store_close(s);

    /* a relative path with no directory part */
    cr_assert_eq(chdir(tmpdir), 0);
    s = open_store("plain.db");
    pk_store_close(s);
    cr_assert_eq(stat("plain.db", &st), 0);

    /* an empty file (touch) becomes a history */
    snprintf(deep, sizeof deep, "%s/empty.db", tmpdir);
    fclose(fopen(deep, "w"));
    s = open_store(deep);
    pk_store_close(s);
    pk_resultset_free(rs);

    cr_assert_eq(pk_store_open("", NULL, &s, &dg), PK_EINVAL);
    cr_assert_eq(pk_store_open(tmpdir, NULL, &s, &dg), PK_ECORRUPT);   /* a directory: not a history */
    cr_assert_str_eq(dg.file, "");   /* the message names the history itself */
    cr_assert(strstr(dg.message, tmpdir), "%s", dg.message);
    cr_assert_str_eq(pk_store_last_error(NULL), "no history store (NULL handle)");
}

Test(store, put_is_atomic_on_error)
{
    pk_store *s = open_store(dbpath);
    pk_resultset *rs = make_rs(1, 3, 4);
    int64_t first = put(s, "", "", "", rs);
    /* duplicate benchmark names violate UNIQUE(run_id, benchmark) on the
     * third insert: nothing of the run may remain */
    char *saved = rs->benches[2].name;
    rs->benches[2].name = rs->benches[0].name;
    pk_run_meta m = make_meta("", "", "");
    cr_assert_eq(pk_store_put_run(s, &m, rs), PK_EINVAL);
    cr_assert_eq(m.id, 0);
    rs->benches[2].name = saved;
    pk_run_meta *runs;
    size_t n;
    cr_assert_eq(pk_store_list_runs(s, 0, &runs, &n), PK_OK);
    cr_assert_eq(n, 1);
    pk_free(runs);
    /* the handle still works and ids continue */
    int64_t next = put(s, "", "", "", rs);
    cr_assert_gt(next, first);
    pk_resultset *back;
    cr_assert_eq(pk_store_get_run(s, next, NULL, &back), PK_OK);
    cr_assert(rs_matches(back, 1, 3, 4));
    pk_resultset_free(back);
    pk_resultset_free(rs);
    pk_store_close(s);
}
