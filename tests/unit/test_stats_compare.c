/* Unit tests for pk_stats_compare: the faster / slower / same verdict under
 * each test method, options defaults and verdict names. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>
#include "perfkit/stats.h"
#include "randdata.h"

static pk_compare_opts opts(pk_test_method m)
{
    pk_compare_opts o;
    pk_compare_opts_init(&o);
    o.method = m;
    o.boot.resamples = 2000;   /* keep the suite fast */
    return o;
}

Test(stats_compare, opts_defaults_and_names)
{
    pk_compare_opts o;
    memset(&o, 0xff, sizeof o);
    pk_compare_opts_init(&o);
    cr_assert_eq(o.alpha, 0.05);
    cr_assert_eq(o.threshold, PK_DEFAULT_THRESHOLD);
    cr_assert_eq(PK_DEFAULT_THRESHOLD, 0.05);
    cr_assert_eq(o.method, PK_TEST_MANN_WHITNEY);
    cr_assert_eq(o.boot.resamples, 10000);
    cr_assert_eq(o.boot.confidence, 0.95);
    cr_assert_eq(o.boot.seed, 0x5eed);
    cr_assert_str_eq(pk_verdict_name(PK_VERDICT_FASTER), "faster");
    cr_assert_str_eq(pk_verdict_name(PK_VERDICT_SLOWER), "slower");
    cr_assert_str_eq(pk_verdict_name(PK_VERDICT_SAME), "no significant difference");
    cr_assert_not_null(pk_verdict_name((pk_verdict)42));
}

Test(stats_compare, identical_samples_are_same)
{
    double x[30];
    fill_normal(x, 30, 3, 100.0, 3.0);
    for (int m = PK_TEST_MANN_WHITNEY; m <= PK_TEST_EXACT; m++) {
        pk_compare_opts o = opts((pk_test_method)m);
        pk_comparison c;
        cr_assert_eq(pk_stats_compare(x, 30, x, 30, &o, &c), PK_OK);
        cr_assert_eq(c.verdict, PK_VERDICT_SAME, "method %d", m);
        cr_assert_eq(c.ratio, 1.0);
        cr_assert_eq(c.ratio_ci.estimate, 1.0);
        cr_assert(c.ratio_ci.lo <= 1.0 && c.ratio_ci.hi >= 1.0);
        cr_assert_gt(c.p_value, 0.9);
    }
}

Test(stats_compare, twenty_percent_slower_low_noise)
{
    double base[30], cand[30];
    fill_normal(base, 30, 4, 100.0, 1.0);
    fill_normal(cand, 30, 5, 120.0, 1.0);
    for (int m = PK_TEST_MANN_WHITNEY; m <= PK_TEST_EXACT; m++) {
        pk_compare_opts o = opts((pk_test_method)m);
        pk_comparison c;
        cr_assert_eq(pk_stats_compare(base, 30, cand, 30, &o, &c), PK_OK);
        cr_assert_eq(c.verdict, PK_VERDICT_SLOWER, "method %d", m);
        /* medians (Mann-Whitney) vary more than means: a wider bound */
        double tol = m == PK_TEST_MANN_WHITNEY ? 0.015 : 0.01;
        cr_assert_eq(c.statistic, m == PK_TEST_MANN_WHITNEY ? PK_STAT_MEDIAN : PK_STAT_MEAN);
        cr_assert(fabs(c.ratio - 1.2) < tol);
        cr_assert(c.ratio_ci.lo > 1.2 - tol && c.ratio_ci.hi < 1.2 + tol);
        cr_assert_lt(c.p_value, 1e-6);
        /* and the other way round */
        cr_assert_eq(pk_stats_compare(cand, 30, base, 30, &o, &c), PK_OK);
        cr_assert_eq(c.verdict, PK_VERDICT_FASTER, "method %d", m);
        cr_assert(fabs(c.ratio - 1.0 / 1.2) < 0.01);
    }
}

Test(stats_compare, five_percent_inside_heavy_noise_is_same)
{
    double base[12], cand[12];
    fill_normal(base, 12, 6, 100.0, 30.0);
    fill_normal(cand, 12, 7, 105.0, 30.0);
    for (int m = PK_TEST_MANN_WHITNEY; m <= PK_TEST_WELCH; m++) {
        pk_compare_opts o = opts((pk_test_method)m);
        pk_comparison c;
        cr_assert_eq(pk_stats_compare(base, 12, cand, 12, &o, &c), PK_OK);
        cr_assert_eq(c.verdict, PK_VERDICT_SAME, "method %d ratio %g p %g", m, c.ratio,
                     c.p_value);
        cr_assert_gt(c.p_value, 0.05);
        cr_assert(c.ratio_ci.lo < 1.0 && c.ratio_ci.hi > 1.0);
    }
}

Test(stats_compare, significant_but_below_threshold_is_same)
{
    double base[50], cand[50];
    fill_normal(base, 50, 8, 100.0, 0.1);
    fill_normal(cand, 50, 9, 101.0, 0.1);   /* 1% slower, very clear */
    pk_compare_opts o = opts(PK_TEST_MANN_WHITNEY);
    pk_comparison c;
    cr_assert_eq(pk_stats_compare(base, 50, cand, 50, &o, &c), PK_OK);
    cr_assert_lt(c.p_value, 1e-10);
    cr_assert_eq(c.verdict, PK_VERDICT_SAME);
    o.threshold = 0.005;
    cr_assert_eq(pk_stats_compare(base, 50, cand, 50, &o, &c), PK_OK);
    cr_assert_eq(c.verdict, PK_VERDICT_SLOWER);
}

Test(stats_compare, exact_method_disjoint_constants)
{
    const double base[] = {1000, 1000, 1000, 1000, 1000};
    const double cand[] = {1001, 1001, 1001};
    pk_compare_opts o = opts(PK_TEST_EXACT);
    o.threshold = 0.0;
    pk_comparison c;
    cr_assert_eq(pk_stats_compare(base, 5, cand, 3, &o, &c), PK_OK);
    cr_assert_eq(c.verdict, PK_VERDICT_SLOWER);
    cr_assert_eq(c.p_value, 0.0);
    cr_assert_eq(c.ratio, 1.001);
    cr_assert_eq(c.ratio_ci.lo, 1.001);
    cr_assert_eq(c.ratio_ci.hi, 1.001);
    cr_assert_eq(pk_stats_compare(cand, 3, base, 5, &o, &c), PK_OK);
    cr_assert_eq(c.verdict, PK_VERDICT_FASTER);

    /* one shared value makes the ranges overlap: not significant */
    const double over[] = {1000, 1001, 1001};
    cr_assert_eq(pk_stats_compare(base, 5, over, 3, &o, &c), PK_OK);
    cr_assert_eq(c.p_value, 1.0);
    cr_assert_eq(c.verdict, PK_VERDICT_SAME);

    /* the default 2% threshold still applies to EXACT */
    o.threshold = 0.02;
    cr_assert_eq(pk_stats_compare(base, 5, cand, 3, &o, &c), PK_OK);
    cr_assert_eq(c.verdict, PK_VERDICT_SAME);
}

Test(stats_compare, mann_whitney_small_samples_use_exact_test)
{
    /* 5 vs 5 fully separated: exact two-sided p = 2/252 < 0.05 */
    const double base[] = {10.0, 10.1, 10.2, 10.3, 10.4};
    const double cand[] = {12.0, 12.1, 12.2, 12.3, 12.4};
    pk_compare_opts o = opts(PK_TEST_MANN_WHITNEY);
    pk_comparison c;
    cr_assert_eq(pk_stats_compare(base, 5, cand, 5, &o, &c), PK_OK);
    cr_assert_float_eq(c.p_value, 2.0 / 252.0, 1e-15);
    cr_assert_eq(c.verdict, PK_VERDICT_SLOWER);
    /* 3 vs 3 can never reach p < 0.05 (min p = 0.1): SAME however large */
    cr_assert_eq(pk_stats_compare(base, 3, cand, 3, &o, &c), PK_OK);
    cr_assert_float_eq(c.p_value, 0.1, 1e-15);
    cr_assert_eq(c.verdict, PK_VERDICT_SAME);
}

Test(stats_compare, null_opts_use_defaults)
{
    double base[20], cand[20];
    fill_normal(base, 20, 10, 50.0, 0.5);
    fill_normal(cand, 20, 11, 40.0, 0.5);
    pk_comparison c;
    cr_assert_eq(pk_stats_compare(base, 20, cand, 20, NULL, &c), PK_OK);
    cr_assert_eq(c.verdict, PK_VERDICT_FASTER);
}

/* Two outliers must not make the printed ratio contradict the verdict: under
 * Mann-Whitney the ratio is of medians, so an A/A pair with two 3x outliers
 * reads ~1.00 and "no significant difference" (the mean ratio would say 1.2). */
Test(stats_compare, outliers_do_not_move_the_rank_ratio)
{
    double base[20], cand[20];
    fill_normal(base, 20, 11, 100.0, 1.0);
    fill_normal(cand, 20, 12, 100.0, 1.0);
    cand[3] = cand[17] = 300.0;
    pk_compare_opts o = opts(PK_TEST_MANN_WHITNEY);
    pk_comparison c;
    cr_assert_eq(pk_stats_compare(base, 20, cand, 20, &o, &c), PK_OK);
    cr_assert_eq(c.verdict, PK_VERDICT_SAME);
    cr_assert(fabs(c.ratio - 1.0) < 0.02, "ratio %g", c.ratio);
    cr_assert_lt(c.ratio_ci.lo, 1.0);
    cr_assert_gt(c.ratio_ci.hi, 1.0);
}

/* Zero against zero (sys time of a tiny program) is "the same", not an error. */
Test(stats_compare, zero_against_zero_is_the_same)
{
    const double z1[] = {0, 0, 0, 0}, z2[] = {0, 0, 0};
    pk_compare_opts o = opts(PK_TEST_MANN_WHITNEY);
    pk_comparison c;
    cr_assert_eq(pk_stats_compare(z1, 4, z2, 3, &o, &c), PK_OK);
    cr_assert_eq(c.verdict, PK_VERDICT_SAME);
    cr_assert_eq(c.ratio, 1.0);
    cr_assert_eq(c.p_value, 1.0);
}
