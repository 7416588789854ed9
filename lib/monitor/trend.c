/* trend.c — robust trends of a monitored series: Theil-Sen slope with
 * Sen's confidence interval, and the Mann-Kendall test.
 *
 * The slope is the median of the n(n-1)/2 pairwise slopes (pairs at the
 * same time left out), robust to up to ~29% outliers — a GC pause or a
 * spike does not make a trend. The interval takes the ranks
 * (N -+ z sqrt(Var S)) / 2 of the sorted slopes, Var S = n(n-1)(2n+5)/18
 * (no tie correction); Mann-Kendall's Z = (S -+ 1)/sqrt(Var S).
 * The pairwise slopes live in a buffer sized at new: get never allocates.
 * References: Sen, P.K. (1968) JASA 63:1379-1389; Hollander & Wolfe (1999)
 * Nonparametric Statistical Methods, 2nd ed., §9.4; Mann (1945),
 * Kendall (1975). */
#include <math.h>
#include <stdlib.h>

#include "perfkit/alloc.h"
#include "perfkit/monitor.h"

#define TREND_MAX 600

struct pk_monitor_trend {
    size_t window, n, head;   /* ring: the oldest point at (head - n) mod window */
    int64_t *t;
    double *v;
    double *slopes;           /* window (window - 1) / 2 */
};

pk_err pk_monitor_trend_new(size_t window, pk_monitor_trend **out)
{
    if (!out)
        return PK_EINVAL;
    *out = NULL;
    if (window < 3 || window > TREND_MAX)
        return PK_EINVAL;
    pk_monitor_trend *t = pk_calloc(1, sizeof *t);
    if (!t)
        return PK_ENOMEM;
    t->window = window;
    t->t = pk_calloc(window, sizeof *t->t);
    t->v = pk_calloc(window, sizeof *t->v);
    t->slopes = pk_calloc(window * (window - 1) / 2, sizeof *t->slopes);
    if (!t->t || !t->v || !t->slopes) {
        pk_monitor_trend_free(t);
        return PK_ENOMEM;
    }
    *out = t;
    return PK_OK;
}

void pk_monitor_trend_free(pk_monitor_trend *t)
{
    if (!t)
        return;
    pk_free(t->t);
    pk_free(t->v);
    pk_free(t->slopes);
    pk_free(t);
}

void pk_monitor_trend_add(pk_monitor_trend *t, int64_t t_ns, double v)
{
    if (!t || !isfinite(v))
        return;
    t->t[t->head] = t_ns;
    t->v[t->head] = v;
    t->head = (t->head + 1) % t->window;
    if (t->n < t->window)
        t->n++;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The z with P(|Z| <= z) = conf for a standard normal (bisection on erfc). */
static double z_two_sided(double conf)
{
    double lo = 0, hi = 40;
    for (int i = 0; i < 100; i++) {
        double mid = (lo + hi) / 2;
        if (erfc(mid / sqrt(2.0)) > 1 - conf)
            lo = mid;
        else
            hi = mid;
    }
    return (lo + hi) / 2;
}

pk_err pk_monitor_trend_get(const pk_monitor_trend *t, double confidence,
                            pk_monitor_trend_result *out)
{
    if (!t || !out || !(confidence > 0 && confidence < 1) || t->n < 3)
        return PK_EINVAL;
    size_t n = t->n, first = (t->head + t->window - n) % t->window, m = 0;
    long s = 0;
    int64_t tmin = INT64_MAX, tmax = INT64_MIN;
    for (size_t a = 0; a < n; a++) {
        size_t i = (first + a) % t->window;
        tmin = t->t[i] < tmin ? t->t[i] : tmin;
        tmax = t->t[i] > tmax ? t->t[i] : tmax;
        for (size_t b = a + 1; b < n; b++) {
            size_t j = (first + b) % t->window;
            double dv = t->v[j] - t->v[i];
            s += (dv > 0) - (dv < 0);
            if (t->t[j] == t->t[i])
                continue;
            t->slopes[m++] = dv / ((double)(t->t[j] - t->t[i]) / 1e9);
        }
    }
    if (m == 0)
        return PK_EINVAL;
    qsort(t->slopes, m, sizeof *t->slopes, cmp_double);
    double med = m % 2 ? t->slopes[m / 2] : (t->slopes[m / 2 - 1] + t->slopes[m / 2]) / 2;
    double dn = (double)n;
    double var = dn * (dn - 1) * (2 * dn + 5) / 18;
    double c = z_two_sided(confidence) * sqrt(var);
    double m1 = ((double)m - c) / 2, m2 = ((double)m + c) / 2;
    /* 1-based ranks M1 and M2 + 1, clamped to the slopes there are */
    long lo_rank = lround(m1), hi_rank = lround(m2) + 1;
    lo_rank = lo_rank < 1 ? 1 : lo_rank > (long)m ? (long)m : lo_rank;
    hi_rank = hi_rank < 1 ? 1 : hi_rank > (long)m ? (long)m : hi_rank;
    double z = s > 0 ? ((double)s - 1) / sqrt(var) : s < 0 ? ((double)s + 1) / sqrt(var) : 0;
    out->n = n;
    out->slope = med;
    out->lo = t->slopes[lo_rank - 1];
    out->hi = t->slopes[hi_rank - 1];
    out->p_value = erfc(fabs(z) / sqrt(2.0));
    out->span_s = (double)(tmax - tmin) / 1e9;
    return PK_OK;
}

bool pk_monitor_leak_suspected(const pk_monitor_trend_result *r, double min_span_s,
                               double min_growth)
{
    return r && r->n >= 10 && r->span_s >= min_span_s && r->lo > 0 && r->p_value < 0.01 &&
           r->slope * r->span_s >= min_growth;
}
