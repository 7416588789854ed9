/* Unit tests for lib/result/resultset.c and lib/run/cmdbench_result.c. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "fault.h"
#include "perfkit/alloc.h"
#include "perfkit/cmdbench.h"
#include "perfkit/resultset.h"

Test(resultset, add_find_put_get)
{
    pk_resultset *rs;
    pk_bench_data *b;
    cr_assert_eq(pk_resultset_new(&rs), PK_OK);
    cr_assert_eq(pk_resultset_add(rs, "sort", &b), PK_OK);
    const double w[] = {3, 1, 2};
    cr_assert_eq(pk_bench_data_put(b, "wall", PK_UNIT_DURATION, w, 3), PK_OK);
    cr_assert_eq(pk_bench_data_set_primary(b, "wall"), PK_OK);
    cr_assert_eq(pk_resultset_add(rs, "sort", NULL), PK_EINVAL);   /* duplicate */
    cr_assert_eq(pk_resultset_add(rs, "", NULL), PK_EINVAL);
    cr_assert_eq(pk_resultset_add(rs, "other", NULL), PK_OK);
    b = pk_resultset_find(rs, "sort");
    cr_assert_not_null(b);
    const pk_series *s = pk_bench_data_get(b, "wall");
    cr_assert_eq(s->n, 3);
    cr_assert_eq(s->samples[0], 3);
    cr_assert_str_eq(b->primary, "wall");
    const double w2[] = {5};
    cr_assert_eq(pk_bench_data_put(b, "wall", PK_UNIT_DURATION, w2, 1), PK_OK);   /* replace */
    cr_assert_eq(b->n_series, 1);
    cr_assert_eq(pk_bench_data_get(b, "wall")->samples[0], 5);
    const double bad[] = {1, NAN};
    cr_assert_eq(pk_bench_data_put(b, "x", PK_UNIT_COUNT, bad, 2), PK_EINVAL);
    cr_assert_eq(pk_bench_data_put(b, "x", PK_UNIT_COUNT, w, 0), PK_EINVAL);
    cr_assert_null(pk_resultset_find(rs, "nope"));
    cr_assert_null(pk_bench_data_get(b, "nope"));
    pk_resultset_free(rs);
    pk_resultset_free(NULL);
}

Test(resultset, statistics)
{
    pk_series s = {.figure = "wall", .kind = PK_UNIT_DURATION,
                   .samples = (double[]){1, 2, 3, 4, 100}, .n = 5};
    double v;
    cr_assert_eq(pk_series_stat(&s, "mean", &v), PK_OK);
    cr_assert_float_eq(v, 22.0, 1e-12);
    cr_assert_eq(pk_series_stat(&s, "median", &v), PK_OK);
    cr_assert_float_eq(v, 3.0, 1e-12);
    cr_assert_eq(pk_series_stat(&s, "max", &v), PK_OK);
    cr_assert_float_eq(v, 100.0, 1e-12);
    cr_assert_eq(pk_series_stat(&s, "min", &v), PK_OK);
    cr_assert_float_eq(v, 1.0, 1e-12);
    cr_assert_eq(pk_series_stat(&s, "p75", &v), PK_OK);   /* type 7: h = 3 → x[3] */
    cr_assert_float_eq(v, 4.0, 1e-12);
    cr_assert_eq(pk_series_stat(&s, "p87.5", &v), PK_OK); /* h = 3.5 → 52 */
    cr_assert_float_eq(v, 52.0, 1e-12);
    cr_assert_eq(pk_series_stat(&s, "mad", &v), PK_OK);
    cr_assert_float_eq(v, 1.0, 1e-12);
    cr_assert(pk_series_stat_valid("p99.9"));
    cr_assert(pk_series_stat_valid("p0"));
    cr_assert_not(pk_series_stat_valid("p101"));
    cr_assert_not(pk_series_stat_valid("p"));
    cr_assert_not(pk_series_stat_valid("p9x"));
    cr_assert_not(pk_series_stat_valid("average"));
    cr_assert_eq(pk_series_stat(&s, "average", &v), PK_EINVAL);
}

Test(resultset, from_cmdbench)
{
    pk_run_result runs[2];
    memset(runs, 0, sizeof runs);
    for (int i = 0; i < 2; i++) {
        runs[i].wall_ns = 1000 + (uint64_t)i;
        runs[i].max_rss_bytes = 4096;
        runs[i].counters_ok = 1u << PK_CTR_TASK_CLOCK;
        runs[i].counters[PK_CTR_TASK_CLOCK] = 900;
    }
    pk_cmd_result c = {.name = "true", .command = "true", .runs = runs, .n_runs = 2};
    pk_cmdbench_result r = {.cmds = &c, .n_cmds = 1, .measure = PK_MEASURE_TIME};
    pk_resultset *rs;
    cr_assert_eq(pk_resultset_new(&rs), PK_OK);
    const char *names[] = {"t"};
    cr_assert_eq(pk_resultset_add_cmdbench(rs, &r, names), PK_OK);
    pk_bench_data *b = pk_resultset_find(rs, "t");
    cr_assert_not_null(b);
    cr_assert_str_eq(b->primary, "wall");
    cr_assert_eq(pk_bench_data_get(b, "wall")->samples[1], 1001);
    cr_assert_eq(pk_bench_data_get(b, "rss")->kind, PK_UNIT_SIZE);
    cr_assert_eq(pk_bench_data_get(b, "task-clock")->kind, PK_UNIT_DURATION);
    cr_assert_null(pk_bench_data_get(b, "cycles"), "unsupported counters are absent, not 0");
    cr_assert_null(pk_bench_data_get(b, "instructions"));
    cr_assert_null(b->error);
    pk_resultset_free(rs);

    c.failed = true;
    c.failed_run = 2;
    c.failure.exit_code = 3;
    cr_assert_eq(pk_resultset_new(&rs), PK_OK);
    cr_assert_eq(pk_resultset_add_cmdbench(rs, &r, NULL), PK_OK);
    cr_assert_str_eq(rs->benches[0].name, "true");
    cr_assert_str_eq(rs->benches[0].error, "run 2 failed with exit code 3");
    pk_resultset_free(rs);
}

Test(resultset, allocation_failures_are_clean)
{
    const double w[] = {1, 2, 3};
    for (long k = 0; k < 50; k++) {
        pk_resultset *rs = NULL;
        pk_bench_data *b = NULL;
        fault_arm(k);
        pk_err e = pk_resultset_new(&rs);
        if (e == PK_OK)
            e = pk_resultset_add(rs, "a", &b);
        if (e == PK_OK)
            e = pk_bench_data_put(b, "wall", PK_UNIT_DURATION, w, 3);
        if (e == PK_OK)
            e = pk_bench_data_set_primary(b, "wall");
        pk_resultset_free(rs);
        fault_disarm();
        cr_assert_eq(fault_live(), 0, "leak failing allocation %ld", k);
        if (e == PK_OK)
            return;
        cr_assert_eq(e, PK_ENOMEM);
    }
    cr_assert_fail("never succeeded");
}

/* 10^5 names through the index: each found at its own position, misses
 * missing, duplicates refused; truncate drops the last ones from the index
 * too; a reader that lowers n for a while gets a correct answer. */
Test(resultset, many_names_truncate_and_a_lowered_n, .timeout = 30)
{
    enum { N = 100000 };
    pk_resultset *rs;
    cr_assert_eq(pk_resultset_new(&rs), PK_OK);
    char name[32];
    for (int i = 0; i < N; i++) {
        snprintf(name, sizeof name, "bench/%d", i);
        cr_assert_eq(pk_resultset_add(rs, name, NULL), PK_OK);
    }
    cr_assert_eq(pk_resultset_add(rs, "bench/77", NULL), PK_EINVAL, "a duplicate");
    for (int i = 0; i < N; i++) {
        snprintf(name, sizeof name, "bench/%d", i);
        pk_bench_data *b = pk_resultset_find(rs, name);
        cr_assert_eq(b, &rs->benches[i], "%s", name);
    }
    cr_assert_null(pk_resultset_find(rs, "bench/"));
    cr_assert_null(pk_resultset_find(rs, "bench/100000"));

    pk_resultset_truncate(rs, N - 10);
    cr_assert_eq(rs->n, N - 10);
    cr_assert_null(pk_resultset_find(rs, "bench/99995"));
    cr_assert_not_null(pk_resultset_find(rs, "bench/99989"));
    cr_assert_eq(pk_resultset_add(rs, "bench/99995", NULL), PK_OK, "free again");
    cr_assert_eq(rs->benches[N - 10].name[6], '9');
    pk_resultset_truncate(rs, rs->n + 5);   /* beyond n: nothing */
    cr_assert_eq(rs->n, N - 9);

    size_t n = rs->n;
    rs->n = 3;   /* readers may look at a prefix */
    cr_assert_null(pk_resultset_find(rs, "bench/5"));
    cr_assert_eq(pk_resultset_find(rs, "bench/2"), &rs->benches[2]);
    rs->n = n;
    cr_assert_eq(pk_resultset_find(rs, "bench/5"), &rs->benches[5]);
    pk_resultset_truncate(rs, 0);
    cr_assert_eq(rs->n, 0);
    cr_assert_null(pk_resultset_find(rs, "bench/2"));
    cr_assert_eq(pk_resultset_add(rs, "bench/2", NULL), PK_OK);
    pk_resultset_free(rs);
    pk_resultset_truncate(NULL, 0);
}

/* Adding fails cleanly at every allocation, with 40 benchmarks already in
 * the set (the index grows): the set is unchanged and still finds them. */
Test(resultset, add_failures_leave_the_set_unchanged)
{
    for (long k = 0;; k++) {
        pk_resultset *rs;
        char name[32];
        fault_arm(k);
        if (pk_resultset_new(&rs) != PK_OK) {
            fault_disarm();
            continue;
        }
        pk_err e = PK_OK;
        int added = 0;
        for (int i = 0; i < 40 && e == PK_OK; i++) {
            snprintf(name, sizeof name, "b%d", i);
            if ((e = pk_resultset_add(rs, name, NULL)) == PK_OK)
                added++;
        }
        fault_state.fail_at = -1;   /* counting on, failing no more */
        cr_assert(e == PK_OK || e == PK_ENOMEM);
        cr_assert_eq(rs->n, (size_t)added);
        for (int i = 0; i < 40; i++) {
            snprintf(name, sizeof name, "b%d", i);
            pk_bench_data *b = pk_resultset_find(rs, name);
            cr_assert_eq(b != NULL, i < added, "%s", name);
        }
        if (e != PK_OK) {   /* and it goes on where it stopped */
            snprintf(name, sizeof name, "b%d", added);
            cr_assert_eq(pk_resultset_add(rs, name, NULL), PK_OK);
            cr_assert_not_null(pk_resultset_find(rs, name));
        }
        pk_resultset_free(rs);
        fault_disarm();
        cr_assert_eq(fault_live(), 0, "leak failing allocation %ld", k);
        if (e == PK_OK)
            break;
    }
}
