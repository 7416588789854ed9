/* Unit tests for lib/stats/changepoint.c: E-Divisive change points on fixed
 * series — one step at the right index, nothing in pure noise, two steps,
 * the minimum segment size, constant and short series, determinism, bad
 * options and failed allocations. */
#include <criterion/criterion.h>
#include <math.h>
#include "perfkit/stats.h"
#include "fault.h"
#include "randdata.h"

static pk_changepoint *detect(const double *x, size_t n, const pk_changepoint_opts *o,
                              size_t *nc)
{
    pk_changepoint *cp = NULL;
    cr_assert_eq(pk_stats_changepoints(x, n, o, &cp, nc), PK_OK);
    cr_assert((*nc == 0) == (cp == NULL));
    return cp;
}

Test(stats_changepoint, single_step_found_at_its_index)
{
    double x[40];
    fill_normal(x, 40, 11, 100.0, 1.0);
    for (int i = 25; i < 40; i++)
        x[i] += 5.0;   /* +5% at index 25, noise CV 1% */
    size_t nc;
    pk_changepoint *cp = detect(x, 40, NULL, &nc);
    cr_assert_eq(nc, 1);
    cr_assert_eq(cp[0].index, 25);
    cr_assert_float_eq(cp[0].magnitude, 0.05, 0.01);
    cr_assert_leq(cp[0].p_value, 0.01);
    cr_assert_gt(cp[0].statistic, 0.0);
    cr_assert_float_eq(cp[0].magnitude, cp[0].after / cp[0].before - 1.0, 1e-12);
    pk_free(cp);
}

Test(stats_changepoint, step_down_has_negative_magnitude)
{
    double x[30];
    fill_normal(x, 30, 3, 50.0, 0.5);
    for (int i = 10; i < 30; i++)
        x[i] -= 5.0;
    size_t nc;
    pk_changepoint *cp = detect(x, 30, NULL, &nc);
    cr_assert_eq(nc, 1);
    cr_assert_eq(cp[0].index, 10);
    cr_assert_float_eq(cp[0].magnitude, -0.1, 0.01);
    pk_free(cp);
}

Test(stats_changepoint, pure_noise_has_none)
{
    /* Fixed seeds: the test is exact, not a rate. */
    for (uint64_t seed = 1; seed <= 10; seed++) {
        double x[60];
        fill_normal(x, 60, seed, 10.0, 0.3);
        size_t nc;
        pk_changepoint *cp = detect(x, 60, NULL, &nc);
        cr_assert_eq(nc, 0, "seed %llu: %zu change points in noise", (unsigned long long)seed,
                     nc);
        pk_free(cp);
    }
}

Test(stats_changepoint, two_steps)
{
    double x[60];
    fill_normal(x, 60, 5, 100.0, 1.0);
    for (int i = 20; i < 60; i++)
        x[i] += 6.0;
    for (int i = 40; i < 60; i++)
        x[i] -= 12.0;   /* up 6% then down to 94% */
    size_t nc;
    pk_changepoint *cp = detect(x, 60, NULL, &nc);
    cr_assert_eq(nc, 2);
    cr_assert_eq(cp[0].index, 20);
    cr_assert_eq(cp[1].index, 40);
    cr_assert_gt(cp[0].magnitude, 0.04);
    cr_assert_lt(cp[1].magnitude, -0.09);
    pk_free(cp);
}

Test(stats_changepoint, min_size_bounds_the_segments)
{
    /* A clear step two points from the end: invisible with min_size 3,
     * found with min_size 2. */
    double x[20];
    fill_normal(x, 20, 9, 10.0, 0.1);
    x[18] += 5.0;
    x[19] += 5.0;
    pk_changepoint_opts o;
    pk_changepoint_opts_init(&o);
    size_t nc;
    pk_changepoint *cp = detect(x, 20, &o, &nc);
    for (size_t i = 0; i < nc; i++) {
        cr_assert_geq(cp[i].index, 3);
        cr_assert_leq(cp[i].index, 17);
    }
    pk_free(cp);
    o.min_size = 2;
    cp = detect(x, 20, &o, &nc);
    cr_assert_eq(nc, 1);
    cr_assert_eq(cp[0].index, 18);
    pk_free(cp);
}

Test(stats_changepoint, constant_series_has_none)
{
    double x[50];
    for (int i = 0; i < 50; i++)
        x[i] = 42.0;
    size_t nc;
    pk_changepoint *cp = detect(x, 50, NULL, &nc);
    cr_assert_eq(nc, 0);
    pk_free(cp);
}

Test(stats_changepoint, shorter_than_two_segments_has_none)
{
    double x[5] = {1, 1, 1, 9, 9};
    size_t nc = 99;
    pk_changepoint *cp = detect(x, 5, NULL, &nc);   /* n < 2 * min_size (3) */
    cr_assert_eq(nc, 0);
    cr_assert_eq(pk_stats_changepoints(NULL, 0, NULL, &cp, &nc), PK_OK);
    cr_assert_eq(nc, 0);
    cr_assert_null(cp);
}

Test(stats_changepoint, deterministic_and_max_changes)
{
    double x[60];
    fill_normal(x, 60, 21, 100.0, 1.0);
    for (int i = 20; i < 60; i++)
        x[i] += 5.0;
    for (int i = 40; i < 60; i++)
        x[i] += 5.0;
    size_t na, nb;
    pk_changepoint *a = detect(x, 60, NULL, &na);
    pk_changepoint *b = detect(x, 60, NULL, &nb);
    cr_assert_eq(na, nb);
    for (size_t i = 0; i < na; i++) {
        cr_assert_eq(a[i].index, b[i].index);
        cr_assert_eq(a[i].p_value, b[i].p_value);
    }
    pk_free(a);
    pk_free(b);
    pk_changepoint_opts o;
    pk_changepoint_opts_init(&o);
    o.max_changes = 1;
    a = detect(x, 60, &o, &na);
    cr_assert_eq(na, 1);
    pk_free(a);
}

Test(stats_changepoint, bad_arguments)
{
    double x[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    pk_changepoint *cp;
    size_t nc;
    pk_changepoint_opts o;
    pk_changepoint_opts_init(&o);
    cr_assert_eq(pk_stats_changepoints(x, 10, NULL, NULL, &nc), PK_EINVAL);
    cr_assert_eq(pk_stats_changepoints(x, 10, NULL, &cp, NULL), PK_EINVAL);
    cr_assert_eq(pk_stats_changepoints(NULL, 10, NULL, &cp, &nc), PK_EINVAL);
    o.alpha = 0.0;
    cr_assert_eq(pk_stats_changepoints(x, 10, &o, &cp, &nc), PK_EINVAL);
    pk_changepoint_opts_init(&o);
    o.min_size = 1;
    cr_assert_eq(pk_stats_changepoints(x, 10, &o, &cp, &nc), PK_EINVAL);
    pk_changepoint_opts_init(&o);
    o.permutations = 0;
    cr_assert_eq(pk_stats_changepoints(x, 10, &o, &cp, &nc), PK_EINVAL);
    x[3] = NAN;
    cr_assert_eq(pk_stats_changepoints(x, 10, NULL, &cp, &nc), PK_EINVAL);
    cr_assert_null(cp);
}

Test(stats_changepoint, every_failed_allocation_is_clean)
{
    double x[30];
    fill_normal(x, 30, 4, 10.0, 0.1);
    for (int i = 15; i < 30; i++)
        x[i] += 1.0;
    for (long k = 0;; k++) {
        pk_changepoint *cp = NULL;
        size_t nc = 0;
        fault_arm(k);
        pk_err e = pk_stats_changepoints(x, 30, NULL, &cp, &nc);
        fault_disarm();
        if (e == PK_OK) {
            cr_assert_eq(nc, 1);
            pk_free(cp);
            break;
        }
        cr_assert_eq(e, PK_ENOMEM);
        cr_assert_null(cp);
        cr_assert_eq(fault_live(), 0);
    }
}
