/* Unit tests for lib/stats error paths: every invalid argument is PK_EINVAL,
 * and failing each allocation in turn ends in PK_ENOMEM with nothing leaked
 * (fault injection through pk_set_allocator). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include "perfkit/alloc.h"
#include "perfkit/stats.h"
#include "fault.h"

static const double X[] = {3, 1, 4, 1, 5, 9, 2, 6};
static const double Y[] = {2, 7, 1, 8, 2, 8};

Test(stats_errors, percentile_and_summary)
{
    double v;
    pk_summary s;
    const double nan_x[] = {1, NAN, 3};
    cr_assert_eq(pk_stats_percentile(X, 0, 50, &v), PK_EINVAL);
    cr_assert_eq(pk_stats_percentile(NULL, 3, 50, &v), PK_EINVAL);
    cr_assert_eq(pk_stats_percentile(X, 3, 50, NULL), PK_EINVAL);
    cr_assert_eq(pk_stats_percentile(X, 3, -0.1, &v), PK_EINVAL);
    cr_assert_eq(pk_stats_percentile(X, 3, 100.1, &v), PK_EINVAL);
    cr_assert_eq(pk_stats_percentile(X, 3, NAN, &v), PK_EINVAL);
    cr_assert_eq(pk_stats_percentile_sorted(X, 0, 50, &v), PK_EINVAL);
    cr_assert_eq(pk_stats_percentile_sorted(NULL, 1, 50, &v), PK_EINVAL);
    cr_assert_eq(pk_stats_percentile_sorted(X, 1, 50, NULL), PK_EINVAL);
    cr_assert_eq(pk_stats_percentile_sorted(X, 1, 101, &v), PK_EINVAL);
    cr_assert_eq(pk_stats_summarize(X, 0, &s), PK_EINVAL);
    cr_assert_eq(pk_stats_summarize(NULL, 3, &s), PK_EINVAL);
    cr_assert_eq(pk_stats_summarize(X, 3, NULL), PK_EINVAL);
    cr_assert_eq(pk_stats_summarize(nan_x, 3, &s), PK_EINVAL);
    cr_assert_eq(pk_stats_percentile(X, 8, 0, &v), PK_OK);
    cr_assert_eq(v, 1.0);
    cr_assert_eq(pk_stats_percentile(X, 8, 100, &v), PK_OK);
    cr_assert_eq(v, 9.0);
}

Test(stats_errors, bootstrap)
{
    pk_bootstrap_opts o;
    pk_ci ci;
    const double zero[] = {0, 0, 0}, nan_x[] = {NAN};
    pk_bootstrap_opts_init(&o);
    cr_assert_eq(pk_stats_bootstrap_ci(X, 0, PK_STAT_MEAN, &o, &ci), PK_EINVAL);
    cr_assert_eq(pk_stats_bootstrap_ci(NULL, 3, PK_STAT_MEAN, &o, &ci), PK_EINVAL);
    cr_assert_eq(pk_stats_bootstrap_ci(X, 3, PK_STAT_MEAN, &o, NULL), PK_EINVAL);
    cr_assert_eq(pk_stats_bootstrap_ci(X, 3, (pk_statistic)7, &o, &ci), PK_EINVAL);
    cr_assert_eq(pk_stats_bootstrap_ci(nan_x, 1, PK_STAT_MEAN, &o, &ci), PK_EINVAL);
    o.resamples = 0;
    cr_assert_eq(pk_stats_bootstrap_ci(X, 3, PK_STAT_MEAN, &o, &ci), PK_EINVAL);
    pk_bootstrap_opts_init(&o);
    o.confidence = 1.0;
    cr_assert_eq(pk_stats_bootstrap_ci(X, 3, PK_STAT_MEAN, &o, &ci), PK_EINVAL);
    o.confidence = 0.0;
    cr_assert_eq(pk_stats_bootstrap_ci(X, 3, PK_STAT_MEAN, &o, &ci), PK_EINVAL);
    o.confidence = NAN;
    cr_assert_eq(pk_stats_bootstrap_ratio_ci(X, 3, Y, 3, PK_STAT_MEAN, &o, &ci), PK_EINVAL);
    pk_bootstrap_opts_init(&o);
    cr_assert_eq(pk_stats_bootstrap_ratio_ci(X, 0, Y, 3, PK_STAT_MEAN, &o, &ci), PK_EINVAL);
    cr_assert_eq(pk_stats_bootstrap_ratio_ci(X, 3, Y, 0, PK_STAT_MEAN, &o, &ci), PK_EINVAL);
    cr_assert_eq(pk_stats_bootstrap_ratio_ci(X, 3, NULL, 3, PK_STAT_MEAN, &o, &ci), PK_EINVAL);
    cr_assert_eq(pk_stats_bootstrap_ratio_ci(zero, 3, Y, 3, PK_STAT_MEAN, &o, &ci), PK_EINVAL);
    cr_assert_eq(pk_stats_bootstrap_ratio_ci(zero, 3, Y, 3, PK_STAT_MEDIAN, &o, &ci),
                 PK_EINVAL);
    cr_assert_eq(pk_stats_bootstrap_ratio_ci(X, 3, nan_x, 1, PK_STAT_MEAN, &o, &ci),
                 PK_EINVAL);
}

Test(stats_errors, tests)
{
    pk_test_result t;
    const double nan_x[] = {1, NAN};
    cr_assert_eq(pk_stats_mann_whitney(X, 0, Y, 3, &t), PK_EINVAL);
    cr_assert_eq(pk_stats_mann_whitney(X, 3, Y, 0, &t), PK_EINVAL);
    cr_assert_eq(pk_stats_mann_whitney(NULL, 3, Y, 3, &t), PK_EINVAL);
    cr_assert_eq(pk_stats_mann_whitney(X, 3, Y, 3, NULL), PK_EINVAL);
    cr_assert_eq(pk_stats_mann_whitney(X, 3, nan_x, 2, &t), PK_EINVAL);
    cr_assert_eq(pk_stats_welch(X, 1, Y, 3, &t), PK_EINVAL);
    cr_assert_eq(pk_stats_welch(X, 3, Y, 1, &t), PK_EINVAL);
    cr_assert_eq(pk_stats_welch(X, 3, NULL, 3, &t), PK_EINVAL);
    cr_assert_eq(pk_stats_welch(X, 3, Y, 3, NULL), PK_EINVAL);
    cr_assert_eq(pk_stats_welch(nan_x, 2, Y, 3, &t), PK_EINVAL);
    /* one observation each is a valid (if powerless) Mann-Whitney test */
    cr_assert_eq(pk_stats_mann_whitney(X, 1, Y, 1, &t), PK_OK);
    cr_assert_eq(t.p_value, 1.0);
}

Test(stats_errors, compare)
{
    pk_compare_opts o;
    pk_comparison c;
    const double zero[] = {-1, 1}, nan_x[] = {NAN, 1};
    pk_compare_opts_init(&o);
    cr_assert_eq(pk_stats_compare(X, 0, Y, 3, &o, &c), PK_EINVAL);
    cr_assert_eq(pk_stats_compare(X, 3, Y, 0, &o, &c), PK_EINVAL);
    cr_assert_eq(pk_stats_compare(NULL, 3, Y, 3, &o, &c), PK_EINVAL);
    cr_assert_eq(pk_stats_compare(X, 3, NULL, 3, &o, &c), PK_EINVAL);
    cr_assert_eq(pk_stats_compare(X, 3, Y, 3, &o, NULL), PK_EINVAL);
    cr_assert_eq(pk_stats_compare(zero, 2, Y, 3, &o, &c), PK_EINVAL);
    cr_assert_eq(pk_stats_compare(nan_x, 2, Y, 3, &o, &c), PK_EINVAL);
    o.alpha = 0.0;
    cr_assert_eq(pk_stats_compare(X, 3, Y, 3, &o, &c), PK_EINVAL);
    o.alpha = 1.0;
    cr_assert_eq(pk_stats_compare(X, 3, Y, 3, &o, &c), PK_EINVAL);
    o.alpha = NAN;
    cr_assert_eq(pk_stats_compare(X, 3, Y, 3, &o, &c), PK_EINVAL);
    pk_compare_opts_init(&o);
    o.threshold = -0.01;
    cr_assert_eq(pk_stats_compare(X, 3, Y, 3, &o, &c), PK_EINVAL);
    o.threshold = NAN;
    cr_assert_eq(pk_stats_compare(X, 3, Y, 3, &o, &c), PK_EINVAL);
    pk_compare_opts_init(&o);
    o.method = (pk_test_method)9;
    cr_assert_eq(pk_stats_compare(X, 3, Y, 3, &o, &c), PK_EINVAL);
    o.method = PK_TEST_WELCH;   /* Welch needs two values per sample */
    cr_assert_eq(pk_stats_compare(X, 1, Y, 3, &o, &c), PK_EINVAL);
    o.method = PK_TEST_MANN_WHITNEY;
    o.boot.resamples = 0;
    cr_assert_eq(pk_stats_compare(X, 3, Y, 3, &o, &c), PK_EINVAL);
}

/* ---- fault injection ------------------------------------------------------ */

typedef pk_err (*stats_call)(void);

static pk_err call_percentile(void)
{
    double v;
    return pk_stats_percentile(X, 8, 30, &v);
}

static pk_err call_summary(void)
{
    pk_summary s;
    return pk_stats_summarize(X, 8, &s);
}

static pk_err call_boot(void)
{
    pk_bootstrap_opts o;
    pk_bootstrap_opts_init(&o);
    o.resamples = 50;
    pk_ci ci;
    return pk_stats_bootstrap_ci(X, 8, PK_STAT_MEDIAN, &o, &ci);
}

static pk_err call_ratio(void)
{
    pk_bootstrap_opts o;
    pk_bootstrap_opts_init(&o);
    o.resamples = 50;
    pk_ci ci;
    return pk_stats_bootstrap_ratio_ci(X, 8, Y, 6, PK_STAT_MEAN, &o, &ci);
}

static pk_err call_mw_exact(void)
{
    const double a[] = {1.5, 2.5, 3.5}, b[] = {3, 4, 5, 6};
    pk_test_result t;
    pk_err e = pk_stats_mann_whitney(a, 3, b, 4, &t);
    cr_assert(e != PK_OK || t.exact);
    return e;
}

static pk_err call_mw_asym(void)
{
    pk_test_result t;
    return pk_stats_mann_whitney(X, 8, Y, 6, &t);   /* ties: asymptotic */
}

static pk_err call_compare(void)
{
    const double a[] = {10, 11, 12, 10.5, 11.5}, b[] = {13, 14, 15, 13.5, 14.5};
    pk_compare_opts o;
    pk_compare_opts_init(&o);
    o.boot.resamples = 50;
    pk_comparison c;
    return pk_stats_compare(a, 5, b, 5, &o, &c);
}

/* Fail allocation 0, 1, 2, ... of call in turn until it succeeds; every
 * failure must be a clean PK_ENOMEM with no block left allocated. Returns
 * how many allocations a successful call made. */
static long fail_each(stats_call call, const char *name)
{
    for (long k = 0; k < 100; k++) {
        fault_arm(k);
        pk_err e = call();
        cr_assert_eq(fault_live(), 0, "%s leaked %ld blocks failing allocation %ld", name, fault_live(), k);
        if (e == PK_OK) {
            cr_assert_eq(fault_requests(), k, "%s ignored a failed allocation", name);
            fault_disarm();
            return fault_requests();
        }
        cr_assert_eq(e, PK_ENOMEM, "%s: failing allocation %ld gave %d", name, k, e);
    }
    cr_assert_fail("%s never succeeded", name);
    return -1;
}

Test(stats_errors, every_allocation_failure_is_enomem_without_leak)
{
    cr_assert_eq(fail_each(call_percentile, "percentile"), 1);
    cr_assert_eq(fail_each(call_summary, "summarize"), 1);
    cr_assert_eq(fail_each(call_boot, "bootstrap_ci"), 1);
    cr_assert_eq(fail_each(call_ratio, "bootstrap_ratio_ci"), 1);
    cr_assert_eq(fail_each(call_mw_exact, "mann_whitney exact"), 2);
    cr_assert_eq(fail_each(call_mw_asym, "mann_whitney asymptotic"), 1);
    /* two medians + exact Mann-Whitney (2) + bootstrap (1) */
    cr_assert_eq(fail_each(call_compare, "compare"), 5);
}

Test(stats_errors, pure_functions_do_not_allocate)
{
    fault_arm(0);
    pk_test_result t;
    double v;
    const double s[] = {1, 2, 3};
    cr_assert_eq(pk_stats_welch(X, 8, Y, 6, &t), PK_OK);
    cr_assert_eq(pk_stats_percentile_sorted(s, 3, 50, &v), PK_OK);
    pk_compare_opts o;
    pk_compare_opts_init(&o);
    o.method = PK_TEST_EXACT;
    o.boot.resamples = 10;
    pk_comparison c;
    cr_assert_eq(pk_stats_compare(X, 8, Y, 6, &o, &c), PK_ENOMEM);   /* bootstrap only */
    cr_assert_eq(fault_requests(), 1);
    fault_disarm();
}
