/* Unit tests for lib/stats/paired.c: Wilcoxon signed-rank against scipy
 * (tests/ref/paired_ref.py → paired_ref.h), and the paired verdict on
 * synthetic paired samples whose answer is known by construction. */
#include <criterion/criterion.h>
#include <math.h>
#include "fault.h"
#include "paired_ref.h"
#include "perfkit/stats.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static int close_to(double got, double want, double rtol)
{
    return got == want || fabs(got - want) <= 1e-300 + rtol * fabs(want);
}

Test(stats_paired, wilcoxon_matches_scipy)
{
    for (size_t i = 0; i < NELEM(ref_wilcoxon_cases); i++) {
        const ref_wilcoxon *r = &ref_wilcoxon_cases[i];
        pk_test_result t;
        cr_assert_eq(pk_stats_wilcoxon(r->d, r->n, &t), PK_OK, "%s", r->name);
        cr_assert(close_to(t.statistic, r->statistic, 1e-12), "%s statistic: got %.17g want %.17g",
                  r->name, t.statistic, r->statistic);
        cr_assert(close_to(t.p_value, r->p_value, 1e-9), "%s p: got %.17g want %.17g", r->name,
                  t.p_value, r->p_value);
        cr_assert_eq(t.exact, r->exact, "%s exact", r->name);
    }
}

Test(stats_paired, wilcoxon_edges)
{
    double zeros[] = {0, 0, 0};
    pk_test_result t;
    cr_assert_eq(pk_stats_wilcoxon(zeros, 3, &t), PK_OK);
    cr_assert_eq(t.p_value, 1.0);
    double nan[] = {1, NAN};
    cr_assert_eq(pk_stats_wilcoxon(nan, 2, &t), PK_EINVAL);
    cr_assert_eq(pk_stats_wilcoxon(zeros, 0, &t), PK_EINVAL);
    cr_assert_eq(pk_stats_wilcoxon(NULL, 3, &t), PK_EINVAL);
}

/* 30 blocks whose machine speed drifts by a factor up to 2 between blocks;
 * the candidate is `factor` times the baseline in each block, ± 1% noise. */
static void drifting(double factor, double *b, double *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        double speed = 1.0 + 0.5 * sin((double)i * 0.7) + 0.4 * (double)(i % 3);
        double jitter = 1.0 + 0.01 * sin((double)i * 2.3 + 1.0);
        b[i] = 100.0 * speed;
        c[i] = 100.0 * speed * factor * jitter;
    }
}

Test(stats_paired, drift_cancels_and_a_slowdown_shows)
{
    double b[30], c[30];
    pk_compare_opts o;
    pk_compare_opts_init(&o);
    o.threshold = 0.03;
    pk_comparison r;
    drifting(1.0, b, c, 30);
    cr_assert_eq(pk_stats_paired_compare(b, c, 30, &o, &r), PK_OK);
    cr_assert_eq(r.verdict, PK_VERDICT_SAME);
    cr_assert(fabs(r.ratio - 1.0) < 0.02);
    /* the unpaired test sees the same samples as unrelated: no verdict either,
     * but the paired one finds a 5% slowdown under drift of 2x */
    drifting(1.05, b, c, 30);
    cr_assert_eq(pk_stats_paired_compare(b, c, 30, &o, &r), PK_OK);
    cr_assert_eq(r.verdict, PK_VERDICT_SLOWER, "ratio %g p %g", r.ratio, r.p_value);
    cr_assert(r.ratio_ci.lo > 1.0 && r.ratio_ci.lo <= r.ratio && r.ratio <= r.ratio_ci.hi);
    cr_assert(r.p_value < 1e-6);
    cr_assert_eq(r.statistic, PK_STAT_MEDIAN);
    pk_comparison u;
    cr_assert_eq(pk_stats_compare(b, 30, c, 30, &o, &u), PK_OK);
    cr_assert_eq(u.verdict, PK_VERDICT_SAME, "unpaired p %g", u.p_value);
    drifting(0.9, b, c, 30);
    cr_assert_eq(pk_stats_paired_compare(b, c, 30, &o, &r), PK_OK);
    cr_assert_eq(r.verdict, PK_VERDICT_FASTER);
    cr_assert(fabs(r.ratio - 0.9) < 0.01);
    /* beyond significance but within the threshold: the same */
    drifting(1.02, b, c, 30);
    cr_assert_eq(pk_stats_paired_compare(b, c, 30, &o, &r), PK_OK);
    cr_assert(r.p_value < 0.05);
    cr_assert_eq(r.verdict, PK_VERDICT_SAME);
}

Test(stats_paired, zeros_and_errors)
{
    double z[] = {0, 0, 0}, one[] = {1, 1, 1}, neg[] = {1, -1, 1};
    pk_comparison r;
    cr_assert_eq(pk_stats_paired_compare(z, z, 3, NULL, &r), PK_OK);
    cr_assert_eq(r.ratio, 1.0);
    cr_assert_eq(r.verdict, PK_VERDICT_SAME);
    cr_assert_eq(pk_stats_paired_compare(z, one, 3, NULL, &r), PK_EINVAL);
    cr_assert_eq(pk_stats_paired_compare(one, neg, 3, NULL, &r), PK_EINVAL);
    cr_assert_eq(pk_stats_paired_compare(one, one, 0, NULL, &r), PK_EINVAL);
    pk_compare_opts o;
    pk_compare_opts_init(&o);
    o.alpha = 1.5;
    cr_assert_eq(pk_stats_paired_compare(one, one, 3, &o, &r), PK_EINVAL);
}

Test(stats_paired, every_failed_allocation_is_clean)
{
    double b[20], c[20];
    drifting(1.1, b, c, 20);
    pk_compare_opts o;
    pk_compare_opts_init(&o);
    o.boot.resamples = 200;
    for (long k = 0;; k++) {
        pk_comparison r;
        fault_arm(k);
        pk_err e = pk_stats_paired_compare(b, c, 20, &o, &r);
        fault_disarm();
        cr_assert_eq(fault_live(), 0, "leak failing allocation %ld", k);
        if (e == PK_OK)
            break;
        cr_assert_eq(e, PK_ENOMEM);
        cr_assert(k < 100);
    }
}
