/* summary.c — percentiles, Tukey outlier fences and the one-call summary.
 *
 * Design: a summary sorts one private copy of the sample; quartiles, median
 * and fences read it directly, then the same buffer is overwritten with the
 * absolute deviations from the median to get the MAD (one allocation).
 * Percentiles are Hyndman & Fan type 7, the numpy/R default.
 * References: R. J. Hyndman, Y. Fan, "Sample Quantiles in Statistical
 * Packages", The American Statistician 50(4), 1996; J. W. Tukey,
 * "Exploratory Data Analysis", 1977 (fences). */
#include "perfkit/stats.h"

#include <math.h>
#include <string.h>
#include "perfkit/alloc.h"
#include "stats/stats_int.h"

static int p_ok(double p)
{
    return p >= 0.0 && p <= 100.0;   /* false for NaN */
}

pk_err pk_stats_percentile_sorted(const double *sorted, size_t n, double p, double *out)
{
    if (!sorted || !out || n == 0 || !p_ok(p))
        return PK_EINVAL;
    *out = pk__stats_pct(sorted, n, p);
    return PK_OK;
}

pk_err pk_stats_percentile(const double *x, size_t n, double p, double *out)
{
    if (!x || !out || n == 0 || !p_ok(p))
        return PK_EINVAL;
    double *s;
    pk_err e = pk__stats_sorted_copy(x, n, &s);
    if (e)
        return e;
    *out = pk__stats_pct(s, n, p);
    pk_free(s);
    return PK_OK;
}

static void outliers(const double *sorted, size_t n, double q1, double q3, pk_outliers *o)
{
    double iqr = q3 - q1;
    memset(o, 0, sizeof *o);
    o->fence_low_mild = q1 - 1.5 * iqr;
    o->fence_high_mild = q3 + 1.5 * iqr;
    o->fence_low_severe = q1 - 3.0 * iqr;
    o->fence_high_severe = q3 + 3.0 * iqr;
    for (size_t i = 0; i < n; i++) {
        double v = sorted[i];
        if (v < o->fence_low_severe)
            o->low_severe++;
        else if (v < o->fence_low_mild)
            o->low_mild++;
        else if (v > o->fence_high_severe)
            o->high_severe++;
        else if (v > o->fence_high_mild)
            o->high_mild++;
    }
}

pk_err pk_stats_summarize(const double *x, size_t n, pk_summary *out)
{
    if (!x || !out || n == 0 || pk__stats_has_nan(x, n))
        return PK_EINVAL;
    double *s;
    pk_err e = pk__stats_sorted_copy(x, n, &s);
    if (e)
        return e;

    pk_summary r;
    memset(&r, 0, sizeof r);
    r.n = n;
    r.mean = pk__stats_mean(s, n);
    r.stddev = sqrt(pk__stats_variance(s, n, r.mean));
    r.min = s[0];
    r.max = s[n - 1];
    r.median = pk__stats_pct(s, n, 50.0);
    r.q1 = pk__stats_pct(s, n, 25.0);
    r.q3 = pk__stats_pct(s, n, 75.0);
    outliers(s, n, r.q1, r.q3, &r.outliers);

    for (size_t i = 0; i < n; i++)
        s[i] = fabs(s[i] - r.median);
    r.mad = pk__stats_median_inplace(s, n);

    pk_free(s);
    *out = r;
    return PK_OK;
}
