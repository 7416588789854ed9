/* sample.c — building blocks over a sample of doubles: sorting, moments,
 * type-7 percentiles and a selection-based median.
 *
 * Design: everything here works on caller-provided memory; only
 * pk__stats_sorted_copy allocates (through pk_malloc). Moments are two-pass
 * (mean with a correction pass, then squared deviations) so that samples with
 * a large common offset — nanosecond timestamps — keep their precision.
 * Median selection is Hoare-partition quickselect with a median-of-three
 * pivot (Hoare 1961, "Algorithm 65: FIND"). */
#include "stats/stats_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "perfkit/alloc.h"

int pk__stats_has_nan(const double *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (isnan(x[i]))
            return 1;
    return 0;
}

int pk__stats_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void pk__stats_sort(double *x, size_t n)
{
    if (n > 1)
        qsort(x, n, sizeof *x, pk__stats_cmp_double);
}

pk_err pk__stats_sorted_copy(const double *x, size_t n, double **out)
{
    *out = NULL;
    double *c = pk_reallocarray(NULL, n ? n : 1, sizeof *c);
    if (!c)
        return PK_ENOMEM;
    if (n)
        memcpy(c, x, n * sizeof *c);
    pk__stats_sort(c, n);
    *out = c;
    return PK_OK;
}

double pk__stats_mean(const double *x, size_t n)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
        s += x[i];
    double m = s / (double)n;
    if (!isfinite(m))
        return m;
    double c = 0.0;   /* second pass removes most of the rounding of the first */
    for (size_t i = 0; i < n; i++)
        c += x[i] - m;
    return m + c / (double)n;
}

double pk__stats_variance(const double *x, size_t n, double mean)
{
    if (n < 2)
        return 0.0;
    double s = 0.0;
    for (size_t i = 0; i < n; i++) {
        double d = x[i] - mean;
        s += d * d;
    }
    return s / (double)(n - 1);
}

double pk__stats_pct(const double *sorted, size_t n, double p)
{
    double h = (double)(n - 1) * (p / 100.0);
    double fl = floor(h);
    size_t lo = (size_t)fl;
    if (lo >= n - 1)
        return sorted[n - 1];
    double a = sorted[lo], b = sorted[lo + 1], t = h - fl;
    if (t == 0.0 || a == b)
        return a;
    if (isinf(a) || isinf(b))   /* keep -inf..+inf from becoming NaN */
        return t < 0.5 ? a : b;
    /* numpy's lerp: interpolate from the nearer end, so p = 100·k/(n-1)
     * lands exactly on a sample and results match numpy bit for bit. */
    return t < 0.5 ? a + (b - a) * t : b - (b - a) * (1.0 - t);
}

static void swap(double *a, double *b)
{
    double t = *a;
    *a = *b;
    *b = t;
}

/* Reorder x so that x[k] is the k-th smallest, everything before it <= x[k]
 * and everything after it >= x[k]. */
static void select_kth(double *x, size_t n, size_t k)
{
    size_t lo = 0, hi = n - 1;
    while (hi > lo) {
        size_t mid = lo + (hi - lo) / 2;
        if (x[mid] < x[lo]) swap(&x[mid], &x[lo]);
        if (x[hi] < x[lo]) swap(&x[hi], &x[lo]);
        if (x[hi] < x[mid]) swap(&x[hi], &x[mid]);
        double pivot = x[mid];
        size_t i = lo, j = hi;
        for (;;) {             /* Hoare partition around the pivot value */
            while (x[i] < pivot) i++;
            while (x[j] > pivot) j--;
            if (i >= j)
                break;
            swap(&x[i], &x[j]);
            i++;
            j--;
        }
        /* now x[lo..j] <= pivot <= x[j+1..hi] */
        if (k <= j)
            hi = j;
        else
            lo = j + 1;
    }
}

double pk__stats_median_inplace(double *x, size_t n)
{
    size_t k = n / 2;
    select_kth(x, n, k);
    if (n % 2)
        return x[k];
    double below = x[0];   /* largest of x[0..k-1] */
    for (size_t i = 1; i < k; i++)
        if (x[i] > below)
            below = x[i];
    return below + (x[k] - below) / 2.0;
}
