/* drift.c — one run's statistic against earlier runs' (between-run noise).
 *
 * The unpaired gate compares a run with history. Within-run samples cannot
 * tell a change from the machine's drift between invocations, so the noise
 * used here is the spread of run-level statistics (one number per earlier
 * run), on the log scale. The centre is their median (one bad run is not the
 * baseline); the scale is their sample SD, with far outliers (5 robust SDs,
 * only when there are at least 6 runs: with fewer the MAD is too unstable
 * to reject on) left out; the reference distribution is Student's t with
 * k'-1 df, the classical prediction interval for a new observation.
 * Reference: Hahn & Meeker, Statistical Intervals (1991), ch. 4 (prediction
 * intervals); Hampel (1974) for the MAD rejection rule. */
#include "perfkit/stats.h"

#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "perfkit/alloc.h"
#include "stats/stats_int.h"

#define REJECT_MIN_RUNS 6
#define REJECT_MADS 5.0
#define MAD_TO_SD 1.4826

void pk_drift_opts_init(pk_drift_opts *o)
{
    if (!o)
        return;
    o->alpha = 0.05;
    o->ref = 0;
    o->floor = 0;
}

/* The t quantile q with P(|T_df| >= q) = p (two-sided), by bisection. */
static double t_quantile2(double p, double df)
{
    double lo = 0, hi = 1;
    while (pk__stats_t_p2(hi, df) > p && hi < 1e12)
        hi *= 2;
    for (int i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
        double mid = 0.5 * (lo + hi);
        if (pk__stats_t_p2(mid, df) > p)
            lo = mid;
        else
            hi = mid;
    }
    return 0.5 * (lo + hi);
}

static bool valid(const double *runs, size_t k, double x, const pk_drift_opts *o)
{
    if (!runs || k < 2 || !(x > 0) || isinf(x) || !(o->alpha > 0 && o->alpha < 1) ||
        !(o->floor >= 0) || !(o->ref >= 0) || isinf(o->ref))
        return false;
    for (size_t i = 0; i < k; i++)
        if (!(runs[i] > 0) || isinf(runs[i]))
            return false;
    return true;
}

/* Median and SD of the kept log values y[0..k-1]; y is reordered. */
static void centre_spread(double *y, size_t k, double *m, double *sd, size_t *kept)
{
    double *d = y + k;   /* scratch: the absolute deviations */
    memcpy(d, y, k * sizeof *y);
    *m = pk__stats_median_inplace(d, k);
    size_t n = k;
    if (k >= REJECT_MIN_RUNS) {
        for (size_t i = 0; i < k; i++)
            d[i] = fabs(y[i] - *m);
        double mad = MAD_TO_SD * pk__stats_median_inplace(d, k);
        n = 0;
        for (size_t i = 0; i < k; i++)
            if (mad == 0 || fabs(y[i] - *m) <= REJECT_MADS * mad)
                y[n++] = y[i];
    }
    double mean = pk__stats_mean(y, n);
    *sd = sqrt(pk__stats_variance(y, n, mean));
    *kept = n;
}

pk_err pk_stats_drift(const double *runs, size_t k, double x, const pk_drift_opts *o,
                      pk_drift *out)
{
    pk_drift_opts def;
    if (!o) {
        pk_drift_opts_init(&def);
        o = &def;
    }
    if (!out || !valid(runs, k, x, o))
        return PK_EINVAL;
    memset(out, 0, sizeof *out);
    double *y = pk_malloc(2 * k * sizeof *y);
    if (!y)
        return PK_ENOMEM;
    for (size_t i = 0; i < k; i++)
        y[i] = log(runs[i]);
    double m, sd;
    size_t kept;
    centre_spread(y, k, &m, &sd, &kept);
    pk_free(y);
    if (kept < 2) {   /* cannot happen: the median's half stays */
        kept = k;
        sd = 0;
    }
    out->n = kept;
    out->rejected = k - kept;
    out->centre = exp(m);
    out->ref = o->ref > 0 ? o->ref : out->centre;
    out->spread = sd > o->floor ? sd : o->floor;
    out->ratio = x / out->ref;
    out->df = (double)(kept - 1);
    double scale = out->spread * (o->ref > 0 ? sqrt(2.0)
                                             : sqrt(1.0 + M_PI / (2.0 * (double)kept)));
    double diff = log(x) - log(out->ref);
    if (scale > 0) {
        out->t = diff / scale;
        out->p_value = pk__stats_t_p2(out->t, out->df);
    } else {
        out->t = diff == 0 ? 0 : diff > 0 ? INFINITY : -INFINITY;
        out->p_value = diff == 0 ? 1.0 : 0.0;
    }
    double q = t_quantile2(o->alpha, out->df);
    out->lo = out->ratio * exp(-q * scale);
    out->hi = out->ratio * exp(q * scale);
    return PK_OK;
}
