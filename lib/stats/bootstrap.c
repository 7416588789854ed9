/* bootstrap.c — percentile-bootstrap confidence intervals of a mean or
 * median, and of the ratio of two such statistics.
 *
 * Design: draw `resamples` resamples with replacement from a pk_rng seeded
 * with opts.seed, evaluate the statistic on each (mean: running sum; median:
 * quickselect on a scratch buffer), sort the replicates and read the interval
 * as their type-7 percentiles at (1-c)/2 and (1+c)/2. One allocation holds
 * replicates and scratch, so a seed and an input fix the result exactly.
 * Reference: B. Efron, R. Tibshirani, "An Introduction to the Bootstrap",
 * Chapman & Hall 1993, ch. 13 (percentile interval). */
#include "perfkit/stats.h"

#include <stdbool.h>

#include <math.h>
#include <string.h>
#include "perfkit/alloc.h"
#include "stats/stats_int.h"

void pk_bootstrap_opts_init(pk_bootstrap_opts *o)
{
    o->resamples = 10000;
    o->confidence = 0.95;
    o->seed = 0x5eed;
}

static int opts_ok(const pk_bootstrap_opts *o)
{
    return o->resamples > 0 && o->confidence > 0.0 && o->confidence < 1.0;
}

static int stat_ok(pk_statistic s)
{
    return s == PK_STAT_MEAN || s == PK_STAT_MEDIAN;
}

/* stat of the full sample x; scratch holds n doubles. */
static double stat_of(const double *x, size_t n, pk_statistic stat, double *scratch)
{
    if (stat == PK_STAT_MEAN)
        return pk__stats_mean(x, n);
    memcpy(scratch, x, n * sizeof *x);
    return pk__stats_median_inplace(scratch, n);
}

/* stat of one resample of x drawn with r; scratch holds n doubles. */
static double stat_resample(const double *x, size_t n, pk_statistic stat, pk_rng *r,
                            double *scratch)
{
    if (stat == PK_STAT_MEAN) {
        double s = 0.0;
        for (size_t i = 0; i < n; i++)
            s += x[pk_rng_below(r, n)];
        return s / (double)n;
    }
    for (size_t i = 0; i < n; i++)
        scratch[i] = x[pk_rng_below(r, n)];
    return pk__stats_median_inplace(scratch, n);
}

/* Sort reps and read the percentile interval at confidence c. */
static void interval(double *reps, size_t k, double c, pk_ci *out)
{
    pk__stats_sort(reps, k);
    double tail = (1.0 - c) / 2.0 * 100.0;
    out->lo = pk__stats_pct(reps, k, tail);
    out->hi = pk__stats_pct(reps, k, 100.0 - tail);
}

/* One buffer: k replicates followed by m scratch doubles. */
static double *buffer(size_t k, size_t m)
{
    if (k > (size_t)-1 - m)
        return NULL;
    return pk_reallocarray(NULL, k + m, sizeof(double));
}

pk_err pk_stats_bootstrap_ci(const double *x, size_t n, pk_statistic stat,
                             const pk_bootstrap_opts *o, pk_ci *out)
{
    pk_bootstrap_opts def;
    if (!o) {
        pk_bootstrap_opts_init(&def);
        o = &def;
    }
    if (!x || !out || n == 0 || !stat_ok(stat) || !opts_ok(o) || pk__stats_has_nan(x, n))
        return PK_EINVAL;
    double *reps = buffer(o->resamples, n);
    if (!reps)
        return PK_ENOMEM;
    double *scratch = reps + o->resamples;

    pk_rng r;
    pk_rng_seed(&r, o->seed);
    for (size_t i = 0; i < o->resamples; i++)
        reps[i] = stat_resample(x, n, stat, &r, scratch);

    pk_ci ci;
    ci.estimate = stat_of(x, n, stat, scratch);
    interval(reps, o->resamples, o->confidence, &ci);
    pk_free(reps);
    *out = ci;
    return PK_OK;
}

/* num / den where a zero denominator reads as an unbounded ratio (±inf by
 * the sign of num, +inf for 0/0) so replicates stay totally ordered. */
static double ratio(double num, double den)
{
    if (den == 0.0)
        return num < 0.0 ? -INFINITY : INFINITY;
    return num / den;
}

static bool constant(const double *x, size_t n)
{
    for (size_t i = 1; i < n; i++)
        if (x[i] != x[0])
            return false;
    return true;
}

pk_err pk_stats_bootstrap_ratio_ci(const double *a, size_t na, const double *b, size_t nb,
                                   pk_statistic stat, const pk_bootstrap_opts *o, pk_ci *out)
{
    pk_bootstrap_opts def;
    if (!o) {
        pk_bootstrap_opts_init(&def);
        o = &def;
    }
    if (!a || !b || !out || na == 0 || nb == 0 || !stat_ok(stat) || !opts_ok(o) ||
        pk__stats_has_nan(a, na) || pk__stats_has_nan(b, nb))
        return PK_EINVAL;
    if (constant(a, na) && constant(b, nb)) {
        /* every resample gives the same ratio (deterministic figures such as
         * instruction counts or a run's RSS): skip the resampling */
        if (a[0] == 0.0)
            return PK_EINVAL;
        out->estimate = out->lo = out->hi = b[0] / a[0];
        return PK_OK;
    }
    double *reps = buffer(o->resamples, na > nb ? na : nb);
    if (!reps)
        return PK_ENOMEM;
    double *scratch = reps + o->resamples;

    pk_ci ci;
    double sa = stat_of(a, na, stat, scratch);
    if (sa == 0.0) {
        pk_free(reps);
        return PK_EINVAL;
    }
    ci.estimate = stat_of(b, nb, stat, scratch) / sa;

    pk_rng r;
    pk_rng_seed(&r, o->seed);
    for (size_t i = 0; i < o->resamples; i++) {
        double ra = stat_resample(a, na, stat, &r, scratch);
        double rb = stat_resample(b, nb, stat, &r, scratch);
        reps[i] = ratio(rb, ra);
    }
    interval(reps, o->resamples, o->confidence, &ci);
    pk_free(reps);
    *out = ci;
    return PK_OK;
}
