/* Unit tests for lib/stats against reference values computed independently
 * with numpy/scipy (tests/ref/stats_ref.py → stats_ref.h): percentiles,
 * summaries, outlier counts, Mann-Whitney U and Welch's t-test. */
#include <criterion/criterion.h>
#include <math.h>
#include "perfkit/stats.h"
#include "stats_ref.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static int close_to(double got, double want, double rtol, double atol)
{
    if (got == want)
        return 1;
    return fabs(got - want) <= atol + rtol * fabs(want);
}

#define assert_close(got, want, rtol, atol, what, name)                         \
    cr_assert(close_to((got), (want), (rtol), (atol)),                          \
              "%s %s: got %.17g want %.17g", (name), (what), (double)(got),     \
              (double)(want))

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

Test(stats_ref, percentiles_match_numpy_type7)
{
    for (size_t i = 0; i < NELEM(ref_summaries); i++) {
        const ref_summary *r = &ref_summaries[i];
        double sorted[256];
        cr_assert(r->n <= NELEM(sorted));
        for (size_t k = 0; k < r->n; k++)
            sorted[k] = r->x[k];
        qsort(sorted, r->n, sizeof(double), cmp);
        for (size_t j = 0; j < REF_NPCTS; j++) {
            double got = NAN, got_sorted = NAN;
            cr_assert_eq(pk_stats_percentile(r->x, r->n, ref_pcts[j], &got), PK_OK);
            cr_assert_eq(pk_stats_percentile_sorted(sorted, r->n, ref_pcts[j], &got_sorted),
                         PK_OK);
            assert_close(got, r->pct[j], 1e-14, 0.0, "percentile", r->name);
            cr_assert_eq(got, got_sorted);
        }
    }
}

Test(stats_ref, summaries_match_numpy)
{
    for (size_t i = 0; i < NELEM(ref_summaries); i++) {
        const ref_summary *r = &ref_summaries[i];
        pk_summary s;
        cr_assert_eq(pk_stats_summarize(r->x, r->n, &s), PK_OK, "%s", r->name);
        cr_assert_eq(s.n, r->n);
        assert_close(s.mean, r->mean, 1e-14, 0.0, "mean", r->name);
        /* offset_ns has stddev ~3 on values ~1.7e9: allow a few ulps of x */
        assert_close(s.stddev, r->stddev, 1e-10, 0.0, "stddev", r->name);
        cr_assert_eq(s.min, r->min, "%s min", r->name);
        cr_assert_eq(s.max, r->max, "%s max", r->name);
        assert_close(s.median, r->median, 1e-15, 0.0, "median", r->name);
        assert_close(s.mad, r->mad, 1e-12, 0.0, "mad", r->name);
        assert_close(s.q1, r->q1, 1e-15, 0.0, "q1", r->name);
        assert_close(s.q3, r->q3, 1e-15, 0.0, "q3", r->name);
        cr_assert_eq(s.outliers.low_mild, r->low_mild, "%s low_mild", r->name);
        cr_assert_eq(s.outliers.high_mild, r->high_mild, "%s high_mild", r->name);
        cr_assert_eq(s.outliers.low_severe, r->low_severe, "%s low_severe", r->name);
        cr_assert_eq(s.outliers.high_severe, r->high_severe, "%s high_severe", r->name);
        double iqr = s.q3 - s.q1;
        assert_close(s.outliers.fence_low_mild, s.q1 - 1.5 * iqr, 0, 0, "fence", r->name);
        assert_close(s.outliers.fence_high_severe, s.q3 + 3 * iqr, 0, 0, "fence", r->name);
    }
}

Test(stats_ref, summary_fixtures_exercise_outliers)
{
    /* guard against a reference regeneration that loses the interesting cases */
    size_t mild = 0, severe = 0;
    for (size_t i = 0; i < NELEM(ref_summaries); i++) {
        mild += ref_summaries[i].low_mild + ref_summaries[i].high_mild;
        severe += ref_summaries[i].low_severe + ref_summaries[i].high_severe;
    }
    cr_assert_gt(mild, 0);
    cr_assert_gt(severe, 0);
}

Test(stats_ref, mann_whitney_matches_scipy)
{
    int exact = 0, asym = 0;
    for (size_t i = 0; i < NELEM(ref_mw); i++) {
        const ref_test *r = &ref_mw[i];
        pk_test_result t;
        cr_assert_eq(pk_stats_mann_whitney(r->a, r->na, r->b, r->nb, &t), PK_OK, "%s",
                     r->name);
        cr_assert_eq(t.statistic, r->statistic, "%s U: got %g want %g", r->name,
                     t.statistic, r->statistic);
        cr_assert_eq(t.exact, r->exact, "%s exact flag", r->name);
        assert_close(t.p_value, r->p_value, 1e-10, 1e-15, "p", r->name);
        cr_assert_eq(t.df, 0.0);
        exact += r->exact;
        asym += !r->exact;
    }
    cr_assert_gt(exact, 3);
    cr_assert_gt(asym, 3);
}

Test(stats_ref, mann_whitney_swapped_samples_mirror)
{
    for (size_t i = 0; i < NELEM(ref_mw); i++) {
        const ref_test *r = &ref_mw[i];
        pk_test_result t, u;
        cr_assert_eq(pk_stats_mann_whitney(r->a, r->na, r->b, r->nb, &t), PK_OK);
        cr_assert_eq(pk_stats_mann_whitney(r->b, r->nb, r->a, r->na, &u), PK_OK);
        cr_assert_eq(t.statistic + u.statistic, (double)r->na * (double)r->nb);
        assert_close(u.p_value, t.p_value, 1e-12, 0.0, "swapped p", r->name);
    }
}

Test(stats_ref, welch_matches_scipy)
{
    for (size_t i = 0; i < NELEM(ref_welch); i++) {
        const ref_test *r = &ref_welch[i];
        pk_test_result t;
        cr_assert_eq(pk_stats_welch(r->a, r->na, r->b, r->nb, &t), PK_OK, "%s", r->name);
        assert_close(t.statistic, r->statistic, 1e-10, 0.0, "t", r->name);
        assert_close(t.df, r->df, 1e-10, 0.0, "df", r->name);
        assert_close(t.p_value, r->p_value, 1e-9, 1e-300, "p", r->name);
        cr_assert_eq(t.exact, 0);
    }
}

Test(stats_ref, welch_constant_samples)
{
    const double a[] = {3, 3, 3}, b[] = {3, 3}, c[] = {4, 4, 4, 4};
    pk_test_result t;
    cr_assert_eq(pk_stats_welch(a, 3, b, 2, &t), PK_OK);
    cr_assert_eq(t.p_value, 1.0);
    cr_assert_eq(t.statistic, 0.0);
    cr_assert_eq(pk_stats_welch(a, 3, c, 4, &t), PK_OK);
    cr_assert_eq(t.p_value, 0.0);
    cr_assert(isinf(t.statistic) && t.statistic < 0);
}

Test(stats_ref, mann_whitney_all_tied_reads_no_difference)
{
    /* scipy returns NaN here (0/0); perfkit reports p = 1 */
    const double a[] = {7, 7, 7, 7, 7, 7, 7, 7, 7, 7}, b[] = {7, 7, 7, 7, 7, 7, 7, 7, 7};
    pk_test_result t;
    cr_assert_eq(pk_stats_mann_whitney(a, 10, b, 9, &t), PK_OK);
    cr_assert_eq(t.p_value, 1.0);
    cr_assert_eq(t.statistic, 45.0);
    cr_assert_eq(t.exact, 0);
}

Test(stats_ref, mann_whitney_exact_is_a_distribution)
{
    /* Σ_u P(U = u) = 1: the p of the most extreme U is 2/C(m+n,m), and the
     * central U gives 1 — checks the DP at both ends for several shapes. */
    for (size_t m = 1; m <= 8; m++) {
        for (size_t n = 1; n <= 12; n++) {
            double a[8], b[12];
            for (size_t i = 0; i < m; i++) a[i] = (double)i;
            for (size_t i = 0; i < n; i++) b[i] = 100.0 + (double)i;
            pk_test_result t;
            cr_assert_eq(pk_stats_mann_whitney(a, m, b, n, &t), PK_OK);
            cr_assert_eq(t.exact, 1);
            double total = 1.0;
            for (size_t i = 1; i <= m; i++)
                total = total * (double)(n + i) / (double)i;
            assert_close(t.p_value, fmin(1.0, 2.0 / total), 1e-12, 0, "extreme p", "grid");
        }
    }
}
