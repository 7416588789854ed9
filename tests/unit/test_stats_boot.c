/* Unit tests for lib/stats randomness and resampling: the xoshiro256** /
 * splitmix64 generator, bounded draws, and bootstrap confidence intervals
 * (reproducibility, coverage, ratio intervals). */
#include <criterion/criterion.h>
#include <math.h>
#include "perfkit/stats.h"
#include "fault.h"
#include "randdata.h"

Test(stats_rng, seed_is_splitmix64)
{
    /* splitmix64 from state 0 yields 0xe220a8397b1dcdaf first (Vigna's
     * reference splitmix64.c); xoshiro256** output of the next step is
     * rotl(s1 * 5, 7) * 9. */
    pk_rng r;
    pk_rng_seed(&r, 0);
    cr_assert_eq(r.s[0], UINT64_C(0xe220a8397b1dcdaf));
    uint64_t s1 = r.s[1] * 5;
    uint64_t want = ((s1 << 7) | (s1 >> 57)) * 9;
    cr_assert_eq(pk_rng_next(&r), want);
}

Test(stats_rng, same_seed_same_stream)
{
    pk_rng a, b, c;
    pk_rng_seed(&a, 12345);
    pk_rng_seed(&b, 12345);
    pk_rng_seed(&c, 12346);
    int differ = 0;
    for (int i = 0; i < 1000; i++) {
        uint64_t x = pk_rng_next(&a);
        cr_assert_eq(x, pk_rng_next(&b));
        differ += x != pk_rng_next(&c);
    }
    cr_assert_gt(differ, 990);
}

Test(stats_rng, below_is_in_range_and_roughly_uniform)
{
    pk_rng r;
    pk_rng_seed(&r, 7);
    enum { K = 10, N = 100000 };
    size_t count[K] = {0};
    for (int i = 0; i < N; i++) {
        uint64_t v = pk_rng_below(&r, K);
        cr_assert_lt(v, K);
        count[v]++;
    }
    double chi2 = 0.0, e = (double)N / K;
    for (int k = 0; k < K; k++)
        chi2 += (count[k] - e) * (count[k] - e) / e;
    /* chi-square with 9 df: P(chi2 > 27.88) = 0.001 */
    cr_assert_lt(chi2, 27.88, "chi2 = %g", chi2);

    cr_assert_eq(pk_rng_below(&r, 1), 0);
    uint64_t big = (UINT64_C(1) << 63) + 1;   /* worst case for rejection */
    for (int i = 0; i < 1000; i++)
        cr_assert_lt(pk_rng_below(&r, big), big);
}

Test(stats_rng, double_in_unit_interval)
{
    pk_rng r;
    pk_rng_seed(&r, 99);
    double s = 0.0;
    for (int i = 0; i < 100000; i++) {
        double d = pk_rng_double(&r);
        cr_assert(d >= 0.0 && d < 1.0);
        s += d;
    }
    cr_assert_lt(fabs(s / 100000 - 0.5), 0.005);
}

Test(stats_boot, opts_defaults)
{
    pk_bootstrap_opts o;
    pk_bootstrap_opts_init(&o);
    cr_assert_eq(o.resamples, 10000);
    cr_assert_eq(o.confidence, 0.95);
    cr_assert_eq(o.seed, 0x5eed);
}

Test(stats_boot, same_seed_same_interval)
{
    double x[40];
    fill_normal(x, 40, 1, 50.0, 4.0);
    pk_bootstrap_opts o;
    pk_bootstrap_opts_init(&o);
    o.resamples = 2000;
    for (int stat = PK_STAT_MEAN; stat <= PK_STAT_MEDIAN; stat++) {
        pk_ci a, b, c;
        cr_assert_eq(pk_stats_bootstrap_ci(x, 40, (pk_statistic)stat, &o, &a), PK_OK);
        cr_assert_eq(pk_stats_bootstrap_ci(x, 40, (pk_statistic)stat, &o, &b), PK_OK);
        cr_assert_eq(a.lo, b.lo);
        cr_assert_eq(a.hi, b.hi);
        cr_assert_eq(a.estimate, b.estimate);
        o.seed++;
        cr_assert_eq(pk_stats_bootstrap_ci(x, 40, (pk_statistic)stat, &o, &c), PK_OK);
        o.seed--;
        cr_assert(c.lo != a.lo || c.hi != a.hi);
        cr_assert(a.lo <= a.estimate && a.estimate <= a.hi);
    }
}

Test(stats_boot, null_opts_use_defaults)
{
    double x[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    pk_bootstrap_opts o;
    pk_bootstrap_opts_init(&o);
    pk_ci a, b;
    cr_assert_eq(pk_stats_bootstrap_ci(x, 10, PK_STAT_MEAN, NULL, &a), PK_OK);
    cr_assert_eq(pk_stats_bootstrap_ci(x, 10, PK_STAT_MEAN, &o, &b), PK_OK);
    cr_assert_eq(a.lo, b.lo);
    cr_assert_eq(a.hi, b.hi);
    cr_assert_eq(a.estimate, 5.5);
}

Test(stats_boot, estimates_are_the_sample_statistic)
{
    double x[] = {9, 1, 5, 3, 7, 100};
    pk_bootstrap_opts o;
    pk_bootstrap_opts_init(&o);
    o.resamples = 100;
    pk_ci ci;
    cr_assert_eq(pk_stats_bootstrap_ci(x, 6, PK_STAT_MEDIAN, &o, &ci), PK_OK);
    cr_assert_eq(ci.estimate, 6.0);
    cr_assert_eq(pk_stats_bootstrap_ci(x, 6, PK_STAT_MEAN, &o, &ci), PK_OK);
    cr_assert_float_eq(ci.estimate, 125.0 / 6.0, 1e-12);
    cr_assert(ci.lo >= 1.0 && ci.hi <= 100.0);
}

Test(stats_boot, constant_sample_gives_point_interval)
{
    double x[] = {4, 4, 4, 4, 4};
    pk_ci ci;
    cr_assert_eq(pk_stats_bootstrap_ci(x, 5, PK_STAT_MEDIAN, NULL, &ci), PK_OK);
    cr_assert_eq(ci.lo, 4.0);
    cr_assert_eq(ci.hi, 4.0);
    double one = 3.0;
    cr_assert_eq(pk_stats_bootstrap_ci(&one, 1, PK_STAT_MEAN, NULL, &ci), PK_OK);
    cr_assert_eq(ci.lo, 3.0);
    cr_assert_eq(ci.hi, 3.0);
}

Test(stats_boot, interval_contains_true_mean_most_of_the_time)
{
    /* 200 independent N(100, 10) samples of 30: a 95% percentile interval
     * should cover 100 roughly 93-95% of the time (it runs slightly narrow
     * at n = 30). */
    enum { TRIALS = 200, N = 30 };
    pk_bootstrap_opts o;
    pk_bootstrap_opts_init(&o);
    o.resamples = 1000;
    int covered = 0;
    double x[N];
    for (int t = 0; t < TRIALS; t++) {
        fill_normal(x, N, 1000 + (uint64_t)t, 100.0, 10.0);
        o.seed = (uint64_t)t;
        pk_ci ci;
        cr_assert_eq(pk_stats_bootstrap_ci(x, N, PK_STAT_MEAN, &o, &ci), PK_OK);
        covered += ci.lo <= 100.0 && 100.0 <= ci.hi;
        cr_assert_lt(ci.hi - ci.lo, 20.0);
    }
    cr_assert(covered >= 170 && covered <= 200, "covered %d of %d", covered, TRIALS);
}

Test(stats_boot, ratio_interval_around_true_ratio)
{
    double a[60], b[60];
    fill_normal(a, 60, 11, 100.0, 2.0);
    fill_normal(b, 60, 12, 120.0, 2.0);
    for (int stat = PK_STAT_MEAN; stat <= PK_STAT_MEDIAN; stat++) {
        pk_ci ci;
        cr_assert_eq(pk_stats_bootstrap_ratio_ci(a, 60, b, 60, (pk_statistic)stat, NULL, &ci),
                     PK_OK);
        cr_assert(ci.lo < 1.2 && 1.2 < ci.hi, "[%g, %g]", ci.lo, ci.hi);
        cr_assert(ci.lo > 1.18 && ci.hi < 1.22, "[%g, %g]", ci.lo, ci.hi);
        cr_assert(ci.lo <= ci.estimate && ci.estimate <= ci.hi);
    }
    /* estimate is exactly mean(b) / mean(a) for a simple case */
    const double c[] = {1, 2, 3}, d[] = {4, 4, 4};
    pk_ci ci;
    cr_assert_eq(pk_stats_bootstrap_ratio_ci(c, 3, d, 3, PK_STAT_MEAN, NULL, &ci), PK_OK);
    cr_assert_eq(ci.estimate, 2.0);
    cr_assert(ci.lo >= 4.0 / 3.0 && ci.hi <= 4.0);
}

Test(stats_boot, ratio_zero_denominator_resamples_are_unbounded)
{
    /* mean(a) != 0, but a resample of a single 0 gives an infinite ratio */
    const double a[] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, b[] = {5, 6};
    pk_bootstrap_opts o;
    pk_bootstrap_opts_init(&o);
    o.resamples = 500;
    pk_ci ci;
    cr_assert_eq(pk_stats_bootstrap_ratio_ci(a, 10, b, 2, PK_STAT_MEAN, &o, &ci), PK_OK);
    cr_assert_float_eq(ci.estimate, 55.0, 1e-12);
    cr_assert(isinf(ci.hi) && ci.hi > 0);
    cr_assert(!isnan(ci.lo));
}

/* Constant samples (instruction counts, a run's RSS) need no resampling: the
 * interval is the point, computed without allocating. */
Test(stats_boot, constant_samples_give_a_point_interval)
{
    const double a[] = {100, 100, 100}, b[] = {101, 101, 101, 101};
    pk_ci ci;
    fault_arm(-1);
    pk_err e = pk_stats_bootstrap_ratio_ci(a, 3, b, 4, PK_STAT_MEDIAN, NULL, &ci);
    fault_disarm();
    cr_assert_eq(e, PK_OK);
    cr_assert_eq(fault_requests(), 0);
    cr_assert_float_eq(ci.estimate, 1.01, 1e-12);
    cr_assert_eq(ci.lo, ci.estimate);
    cr_assert_eq(ci.hi, ci.estimate);
    const double z[] = {0, 0};
    cr_assert_eq(pk_stats_bootstrap_ratio_ci(z, 2, b, 4, PK_STAT_MEAN, NULL, &ci), PK_EINVAL);
}
