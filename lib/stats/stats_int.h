/* stats_int.h — helpers shared by the files of lib/stats (module-private).
 *
 * Not part of the public API: names carry the pk__stats_ prefix and may change
 * at any time. Nothing here allocates except pk__stats_sorted_copy. */
#ifndef PERFKIT_STATS_INT_H
#define PERFKIT_STATS_INT_H

#include <stddef.h>
#include "perfkit/error.h"

/* 1 when x[0..n-1] holds a NaN. */
int pk__stats_has_nan(const double *x, size_t n);

/* qsort comparator for doubles, ascending (no NaN expected). */
int pk__stats_cmp_double(const void *a, const void *b);

/* Sort x[0..n-1] ascending in place. */
void pk__stats_sort(double *x, size_t n);

/* On PK_OK *out is a new ascending copy of x (caller pk_free()s it).
 * Errors: PK_ENOMEM (then *out is NULL). */
pk_err pk__stats_sorted_copy(const double *x, size_t n, double **out);

/* Arithmetic mean and sample variance (n-1 denominator; 0 when n = 1),
 * two-pass for accuracy. n > 0. */
double pk__stats_mean(const double *x, size_t n);
double pk__stats_variance(const double *x, size_t n, double mean);

/* Type-7 percentile of an ascending sample; n > 0, p in [0, 100]. */
double pk__stats_pct(const double *sorted, size_t n, double p);

/* Median of x[0..n-1], reordering x (quickselect, expected O(n)). n > 0. */
double pk__stats_median_inplace(double *x, size_t n);

/* Upper tail of the standard normal, P(Z > z). */
double pk__stats_norm_sf(double z);

/* Two-sided p-value of Student's t: P(|T| >= |t|) with df > 0 degrees of
 * freedom. */
double pk__stats_t_p2(double t, double df);

/* Regularized incomplete beta I_x(a, b), a, b > 0, x in [0, 1]. */
double pk__stats_betainc(double a, double b, double x);

#endif
