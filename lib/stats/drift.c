/* drift.c — one run's statistic against earlier runs' (between-run noise).
 *
 * The unpaired gate compares a run with history. Within-run samples cannot
 * tell a change from the machine's drift between invocations, so the noise
 * used here is the spread of run-level statistics (one number per earlier
 * run), on the log scale. The centre is their median (one bad run is not the
 * baseline); the scale is the sample SD of all of them. No run is left out
 * of the scale: on a shared machine the slow, loaded runs are the drift the
 * gate must not mistake for a change (rejecting them as outliers measured
 * 17 false alarms in 40 A/A checks in bench/gate_quality.sh). The reference
 * distribution is Student's t with k-1 df, the classical prediction
 * interval for a new observation. Reference: Hahn & Meeker, Statistical
 * Intervals (1991), ch. 4 (prediction intervals). */
#include "perfkit/stats.h"

#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "perfkit/alloc.h"
#include "stats/stats_int.h"

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

/* Median and sample SD of the log values y[0..k-1]; y + k is scratch. */
static void centre_spread(double *y, size_t k, double *m, double *sd)
{
    double *d = y + k;
    memcpy(d, y, k * sizeof *y);
    *m = pk__stats_median_inplace(d, k);
    double mean = pk__stats_mean(y, k);
    *sd = sqrt(pk__stats_variance(y, k, mean));
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
    centre_spread(y, k, &m, &sd);
    pk_free(y);
    out->n = k;
    out->centre = exp(m);
    out->ref = o->ref > 0 ? o->ref : out->centre;
    out->spread = sd > o->floor ? sd : o->floor;
    out->ratio = x / out->ref;
    out->df = (double)(k - 1);
    double scale = out->spread * (o->ref > 0 ? sqrt(2.0)
                                             : sqrt(1.0 + M_PI / (2.0 * (double)k)));
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
