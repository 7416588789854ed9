/* Unit tests for the unpaired gate (lib/check/baseline.c window,
 * lib/check/unpaired.c, lib/stats/drift.c, pk_store_recent): histories are
 * built by storing result sets with known values, so every verdict is exact
 * whatever the machine's load. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "perfkit/check.h"
#include "store_util.h"

TestSuite(unpaired, .init = store_setup, .fini = store_teardown);

/* One benchmark "b": 7 wall samples around wall_ms (±0.3%, a fixed
 * spread) and 3 identical instruction counts; error: it failed instead. */
static pk_resultset *bench_rs(double wall_ms, double insns, const char *error)
{
    pk_resultset *rs = NULL;
    pk_bench_data *bd = NULL;
    cr_assert_eq(pk_resultset_new(&rs), PK_OK);
    cr_assert_eq(pk_resultset_add(rs, "b", &bd), PK_OK);
    if (error) {
        cr_assert_eq(pk_bench_data_set_error(bd, error), PK_OK);
        return rs;
    }
    double w[7], in[3] = {insns, insns, insns};
    for (int j = 0; j < 7; j++)
        w[j] = wall_ms * 1e6 * (1.0 + (j - 3) / 1000.0);
    cr_assert_eq(pk_bench_data_put(bd, "wall", PK_UNIT_DURATION, w, 7), PK_OK);
    cr_assert_eq(pk_bench_data_put(bd, "instructions", PK_UNIT_COUNT, in, 3), PK_OK);
    cr_assert_eq(pk_bench_data_set_primary(bd, "wall"), PK_OK);
    return rs;
}

static int64_t put(pk_store *st, const char *branch, const char *fp, double wall_ms,
                   double insns)
{
    pk_run_meta m = make_meta("abc123", branch, fp);
    pk_resultset *rs = bench_rs(wall_ms, insns, NULL);
    cr_assert_eq(pk_store_put_run(st, &m, rs), PK_OK);
    pk_resultset_free(rs);
    return m.id;
}

/* This run (wall_ms, insns on main, fp "fp") judged by the gate's policy
 * over st; windows false: the same baselines without their windows (the
 * old two-run comparison). */
static pk_check_report *judge(pk_store *st, const pk_config *c, double wall_ms, double insns,
                              bool windows)
{
    pk_resultset *cur = bench_rs(wall_ms, insns, NULL);
    pk_run_meta m = make_meta("def456", "main", "fp");
    pk_check_baseline_set *b = NULL;
    pk_diag d;
    cr_assert_eq(pk_check_find_baselines(st, c, cur, &m, NULL, &b, &d), PK_OK, "%s",
                 d.message);
    pk_check_baselines v = pk_check_baseline_set_view(b);
    if (!windows)
        v.windows = NULL;
    pk_check_report *r = NULL;
    cr_assert_eq(pk_check_evaluate(NULL, cur, &v, NULL, &r), PK_OK);
    pk_check_baseline_set_free(b);
    pk_resultset_free(cur);
    return r;
}

static const pk_check_item *item(const pk_check_report *r, const char *figure)
{
    for (size_t i = 0; i < r->n_items; i++)
        if (r->items[i].kind == PK_ITEM_REGRESSION && strcmp(r->items[i].figure, figure) == 0)
            return &r->items[i];
    cr_assert_fail("no regression item for %s", figure);
    return NULL;
}

Test(unpaired, one_bad_run_is_not_the_baseline)
{
    /* four runs near 19.3 ms, then a bad run #5 at 419.9 ms: the next check
     * of 19.3 ms once read "-68.5% improved" against run #5 alone */
    pk_store *st = open_store(dbpath);
    double runs[] = {19.3, 19.5, 19.1, 19.4, 419.9};
    for (int i = 0; i < 5; i++)
        put(st, "main", "fp", runs[i], 1000);
    pk_check_report *r = judge(st, NULL, 19.3, 1000, true);
    const pk_check_item *it = item(r, "wall");
    cr_assert_eq(it->status, PK_CHECK_PASS, "%s", it->note ? it->note : "");
    cr_assert_eq(it->mode, PK_CHECK_MODE_HISTORY);
    cr_assert_eq(it->n_runs, 5);
    cr_assert_eq(it->baseline_run, 0);
    cr_assert_float_eq(it->baseline, 19.4e6, 1e3);   /* the median of the five runs */
    pk_check_report_free(r);
    /* the two-run comparison with the newest run called it an improvement */
    r = judge(st, NULL, 19.3, 1000, false);
    cr_assert_eq(item(r, "wall")->status, PK_CHECK_IMPROVED);
    cr_assert_eq(item(r, "wall")->mode, PK_CHECK_MODE_RUNS);
    pk_check_report_free(r);
    pk_store_close(st);
}

Test(unpaired, drift_within_the_band_is_inconclusive)
{
    /* runs drifting ±8% between invocations, each with a tight ±0.3% spread */
    pk_store *st = open_store(dbpath);
    double runs[] = {10.0, 10.9, 9.4, 10.8, 9.5, 11.0, 10.1, 9.3};
    for (int i = 0; i < 8; i++)
        put(st, "main", "fp", runs[i], 1000);
    pk_check_report *r = judge(st, NULL, 10.9, 1000, true);   /* +8% on the median */
    const pk_check_item *it = item(r, "wall");
    cr_assert_eq(it->status, PK_CHECK_INCONCLUSIVE);
    cr_assert_gt(it->spread, 0.05);
    cr_assert_not_null(strstr(it->note, "inside the run-to-run drift of the last 8 runs on main"),
                       "%s", it->note);
    cr_assert_not(r->failed);
    pk_check_report_free(r);
    /* the within-run test against the newest run (9.3 ms) said "regressed" */
    r = judge(st, NULL, 10.9, 1000, false);
    cr_assert_eq(item(r, "wall")->status, PK_CHECK_REGRESSED);
    pk_check_report_free(r);
    pk_store_close(st);
}

Test(unpaired, a_shift_beyond_band_and_threshold_regresses)
{
    pk_store *st = open_store(dbpath);
    double runs[] = {10.0, 10.1, 9.9, 10.05, 9.95, 10.02};
    for (int i = 0; i < 6; i++)
        put(st, "main", "fp", runs[i], 1000);
    pk_check_report *r = judge(st, NULL, 12.0, 1000, true);
    const pk_check_item *it = item(r, "wall");
    cr_assert_eq(it->status, PK_CHECK_REGRESSED);
    cr_assert(it->has_cmp);
    cr_assert_lt(it->cmp.p_value, 0.05);
    cr_assert_gt(it->cmp.ratio_ci.lo, 1.0);
    cr_assert_not_null(strstr(it->note, "beyond the run-to-run drift"), "%s", it->note);
    cr_assert(r->failed);
    pk_check_report_free(r);
    r = judge(st, NULL, 8.0, 1000, true);
    cr_assert_eq(item(r, "wall")->status, PK_CHECK_IMPROVED);
    pk_check_report_free(r);
    /* inside the threshold: pass, even where the drift is tiny */
    r = judge(st, NULL, 10.3, 1000, true);
    cr_assert_eq(item(r, "wall")->status, PK_CHECK_PASS);
    pk_check_report_free(r);
    pk_store_close(st);
}

Test(unpaired, too_little_history_says_so)
{
    pk_store *st = open_store(dbpath);
    put(st, "main", "fp", 10.0, 1000);
    pk_check_report *r = judge(st, NULL, 20.0, 1000, true);   /* twice the time */
    const pk_check_item *it = item(r, "wall");
    cr_assert_eq(it->status, PK_CHECK_INCONCLUSIVE);
    cr_assert_eq(it->n_runs, 1);
    cr_assert_eq(it->baseline_run, 1);
    cr_assert_not_null(strstr(it->note, "only 1 earlier run on main on this machine: "
                                        "run-to-run noise unknown"), "%s", it->note);
    cr_assert_not_null(strstr(it->note, "use --pair or measure: instructions"));
    cr_assert_not(r->failed);
    pk_check_report_free(r);
    r = judge(st, NULL, 10.2, 1000, true);
    cr_assert_eq(item(r, "wall")->status, PK_CHECK_PASS);
    pk_check_report_free(r);
    pk_store_close(st);
}

Test(unpaired, instructions_regress_exactly_with_one_run)
{
    pk_store *st = open_store(dbpath);
    put(st, "main", "fp", 10.0, 1000);
    pk_check_report *r = judge(st, NULL, 10.0, 1001, true);
    const pk_check_item *it = item(r, "instructions");
    cr_assert_eq(it->status, PK_CHECK_REGRESSED);
    cr_assert_eq(it->mode, PK_CHECK_MODE_HISTORY);
    cr_assert_eq(it->baseline_run, 1);
    cr_assert(r->failed);
    pk_check_report_free(r);
    pk_store_close(st);
}

Test(unpaired, a_pin_wins_and_the_window_gives_the_noise)
{
    pk_store *st = open_store(dbpath);
    int64_t pin = put(st, "release", "fp", 10.0, 1000);
    for (int i = 0; i < 5; i++)
        put(st, "main", "fp", 12.0 * (1.0 + (i - 2) / 1000.0), 1000);
    pk_check_report *r = judge(st, NULL, 12.0, 1000, true);
    cr_assert_eq(item(r, "wall")->status, PK_CHECK_PASS);   /* main's window: 12 ms */
    pk_check_report_free(r);
    cr_assert_eq(pk_store_pin(st, pin, "b"), PK_OK);
    r = judge(st, NULL, 12.0, 1000, true);
    const pk_check_item *it = item(r, "wall");
    cr_assert_eq(it->baseline_run, pin);
    cr_assert_float_eq(it->baseline, 10.0e6, 1.0);
    cr_assert_eq(it->n_runs, 5);
    cr_assert_eq(it->status, PK_CHECK_REGRESSED, "%s", it->note);
    pk_check_report_free(r);
    pk_store_close(st);
}

Test(unpaired, the_window_skips_failed_runs_and_other_machines)
{
    pk_store *st = open_store(dbpath);
    for (int i = 0; i < 3; i++)
        put(st, "main", "fp", 10.0, 1000);
    for (int i = 0; i < 3; i++)
        put(st, "main", "laptop", 30.0, 1000);
    pk_run_meta m = make_meta("abc123", "main", "fp");
    pk_resultset *bad = bench_rs(0, 0, "exit status 1");
    cr_assert_eq(pk_store_put_run(st, &m, bad), PK_OK);
    pk_resultset_free(bad);
    int64_t ids[10];
    size_t n = 99;
    cr_assert_eq(pk_store_recent(st, "b", "main", "fp", 0, 10, ids, &n), PK_OK);
    cr_assert_eq(n, 3);
    cr_assert_eq(ids[0], 3);
    cr_assert_eq(ids[2], 1);
    cr_assert_eq(pk_store_recent(st, "b", "main", "fp", 3, 10, ids, &n), PK_OK);
    cr_assert_eq(n, 2);   /* before run 3 */
    cr_assert_eq(pk_store_recent(st, "b", NULL, NULL, 0, 4, ids, &n), PK_OK);
    cr_assert_eq(n, 4);
    cr_assert_eq(ids[0], 6);
    pk_check_report *r = judge(st, NULL, 10.0, 1000, true);
    cr_assert_eq(item(r, "wall")->n_runs, 3);
    cr_assert_eq(item(r, "wall")->status, PK_CHECK_PASS);
    pk_check_report_free(r);
    pk_store_close(st);
}

Test(unpaired, the_window_size_comes_from_the_policy)
{
    pk_store *st = open_store(dbpath);
    for (int i = 0; i < 6; i++)
        put(st, "main", "fp", 10.0, 1000);
    const char *yml = "version: 1\nregression: { window: 4 }\n"
                      "benchmarks:\n  b:\n    import: x.json\n";
    pk_config *c = NULL;
    pk_diag d;
    cr_assert_eq(pk_config_parse(yml, strlen(yml), "perfkit.yml", &c, &d), PK_OK, "%s",
                 d.message);
    cr_assert_eq(c->policy.window, 4);
    pk_check_report *r = judge(st, c, 10.0, 1000, true);
    cr_assert_eq(item(r, "wall")->n_runs, 4);
    pk_check_report_free(r);
    pk_config_free(c);
    const char *bad = "version: 1\nregression: { window: 0 }\nbenchmarks:\n  b:\n"
                      "    import: x.json\n";
    cr_assert_eq(pk_config_parse(bad, strlen(bad), "perfkit.yml", &c, &d), PK_EPARSE);
    cr_assert_not_null(strstr(d.message, "`window` must be a whole number"), "%s", d.message);
    pk_store_close(st);
}

/* ---- pk_stats_drift ------------------------------------------------------- */

Test(unpaired, drift_statistic_matches_the_formula)
{
    double runs[] = {1.0, exp(0.1), exp(-0.1)};   /* median 0, SD 0.1 (log scale) */
    pk_drift d;
    cr_assert_eq(pk_stats_drift(runs, 3, exp(0.5), NULL, &d), PK_OK);
    double t = 0.5 / (0.1 * sqrt(1.0 + M_PI / 6.0));
    cr_assert_float_eq(d.t, t, 1e-9);
    cr_assert_float_eq(d.df, 2.0, 0);
    cr_assert_float_eq(d.p_value, 1.0 - t / sqrt(t * t + 2.0), 1e-9);   /* t with 2 df */
    cr_assert_float_eq(d.centre, 1.0, 1e-12);
    cr_assert_gt(d.p_value, 0.05);
    cr_assert_lt(d.lo, 1.0);   /* the interval holds 1 exactly when p >= alpha */
    pk_drift_opts o;
    pk_drift_opts_init(&o);
    o.ref = exp(-0.1);   /* against one run: sqrt 2 */
    cr_assert_eq(pk_stats_drift(runs, 3, exp(0.7), &o, &d), PK_OK);
    cr_assert_float_eq(d.t, 0.8 / (0.1 * sqrt(2.0)), 1e-9);
    cr_assert_lt(d.p_value, 0.05);
    cr_assert_gt(d.lo, 1.0);
}

Test(unpaired, drift_edge_cases)
{
    double same[] = {2.0, 2.0, 2.0};
    pk_drift d;
    cr_assert_eq(pk_stats_drift(same, 3, 2.0, NULL, &d), PK_OK);
    cr_assert_float_eq(d.p_value, 1.0, 0);
    cr_assert_eq(pk_stats_drift(same, 3, 2.2, NULL, &d), PK_OK);
    cr_assert_float_eq(d.p_value, 0.0, 0);
    /* a slow, loaded run is drift, not an outlier: it widens the noise, so
     * a loaded run now is not "significant" */
    double loaded[] = {1.0, 1.01, 0.99, 1.0, 1.02, 0.98, 3.0};
    cr_assert_eq(pk_stats_drift(loaded, 7, 1.0, NULL, &d), PK_OK);
    cr_assert_eq(d.n, 7);
    cr_assert_gt(d.spread, 0.3);
    cr_assert_eq(pk_stats_drift(loaded, 7, 2.5, NULL, &d), PK_OK);
    cr_assert_gt(d.p_value, 0.05);
    double bad[] = {1.0, -1.0, 2.0};
    cr_assert_eq(pk_stats_drift(bad, 3, 1.0, NULL, &d), PK_EINVAL);
    cr_assert_eq(pk_stats_drift(same, 1, 1.0, NULL, &d), PK_EINVAL);
    cr_assert_eq(pk_stats_drift(same, 3, 0.0, NULL, &d), PK_EINVAL);
    cr_assert_eq(pk_stats_drift(same, 3, NAN, NULL, &d), PK_EINVAL);
}
