/* changepoint.c — multiple change points of a series: E-Divisive with means.
 *
 * Design: hierarchical bisection on the energy statistic with exponent 1.
 * For a segment split at tau into X (m points) and Y (k points),
 *   Q = m·k/(m+k) · (2/(m·k)·Σ|x−y| − Σ_{i<j}|x_i−x_j|/C(m,2) − Σ_{i<j}|y_i−y_j|/C(k,2)),
 * computed for every admissible tau of a segment in one O(L²) sweep (no
 * distance matrix: row sums are recomputed as tau moves). Each round splits
 * the segment with the largest Q; a permutation test (observations shuffled
 * within each current segment, the same maximum taken) gives its p-value
 * (1 + #{Q_perm ≥ Q}) / (R + 1). Rounds stop at the first p > alpha. The
 * split is the simplified one of MongoDB's signal_processing_algorithms and
 * Apache Otava/Hunter (the segment's end is kept, no second search over
 * kappa). Permutations draw from the seeded pk_rng, so a series gives the
 * same change points on every machine; a test that cannot reach alpha any
 * more stops drawing (early exit, only ever for the rejected round).
 * References: D. S. Matteson, N. A. James, "A Nonparametric Approach for
 * Multiple Change Point Analysis of Multivariate Data", JASA 109(505), 2014;
 * D. Daly et al., "The Use of Change Point Detection to Identify Software
 * Performance Regressions in a Continuous Integration System", ICPE 2020. */
#include "perfkit/stats.h"

#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "perfkit/alloc.h"
#include "stats/stats_int.h"

void pk_changepoint_opts_init(pk_changepoint_opts *o)
{
    if (!o)
        return;
    memset(o, 0, sizeof *o);
    o->alpha = 0.01;
    o->permutations = 199;
    o->min_size = 3;
    o->seed = 0x5eed;
}

/* The best split of x[0..L) with both parts >= min: its offset into *tau
 * and its Q (0 and -1 when the segment cannot be split). */
static double best_split(const double *x, size_t L, size_t min, size_t *tau)
{
    *tau = 0;
    if (L < 2 * min)
        return -1.0;
    double wx = 0.0, wy = 0.0, b = 0.0, best = -1.0;
    for (size_t i = 0; i < L; i++)
        for (size_t j = i + 1; j < L; j++)
            wy += fabs(x[i] - x[j]);
    for (size_t t = 0; t + min <= L; t++) {
        if (t >= min) {
            double m = (double)t, k = (double)(L - t);
            double e = 2.0 * b / (m * k) - (m > 1 ? 2.0 * wx / (m * (m - 1)) : 0.0) -
                       (k > 1 ? 2.0 * wy / (k * (k - 1)) : 0.0);
            double q = m * k / (m + k) * e;
            if (q > best) {
                best = q;
                *tau = t;
            }
        }
        /* x[t] moves from Y to X */
        double left = 0.0, right = 0.0;
        for (size_t i = 0; i < t; i++)
            left += fabs(x[i] - x[t]);
        for (size_t j = t + 1; j < L; j++)
            right += fabs(x[t] - x[j]);
        wx += left;
        wy -= right;
        b += right - left;
    }
    return best;
}

/* The segment bounds of cuts[0..nc) (sorted) over n points: segment s is
 * [lo(s), hi(s)). */
static size_t seg_lo(const size_t *cuts, size_t s)
{
    return s ? cuts[s - 1] : 0;
}

static size_t seg_hi(const size_t *cuts, size_t nc, size_t s, size_t n)
{
    return s < nc ? cuts[s] : n;
}

/* Largest Q over the segments of x between cuts; *seg and *tau (absolute)
 * say where. -1 when no segment can be split. */
static double round_max(const double *x, size_t n, const size_t *cuts, size_t nc, size_t min,
                        size_t *seg, size_t *tau)
{
    double best = -1.0;
    for (size_t s = 0; s <= nc; s++) {
        size_t lo = seg_lo(cuts, s), t;
        double q = best_split(x + lo, seg_hi(cuts, nc, s, n) - lo, min, &t);
        if (q > best) {
            best = q;
            *seg = s;
            *tau = lo + t;
        }
    }
    return best;
}

static void shuffle(double *x, size_t n, pk_rng *r)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)pk_rng_below(r, i);
        double t = x[i - 1];
        x[i - 1] = x[j];
        x[j] = t;
    }
}

/* p-value of the round's maximum q by permutation within segments; work
 * holds n doubles. */
static double permutation_p(const double *x, size_t n, const size_t *cuts, size_t nc,
                            const pk_changepoint_opts *o, double q, pk_rng *r, double *work)
{
    size_t hits = 0, stop = (size_t)floor(o->alpha * (double)(o->permutations + 1));
    /* Q of a permuted series equal to the observed one up to rounding is a
     * tie, not a smaller value (a constant series gives Q = 0 everywhere). */
    double tol = 1e-9 * fabs(q);
    size_t done = 0;
    for (; done < o->permutations; done++) {
        memcpy(work, x, n * sizeof *work);
        for (size_t s = 0; s <= nc; s++) {
            size_t lo = seg_lo(cuts, s);
            shuffle(work + lo, seg_hi(cuts, nc, s, n) - lo, r);
        }
        size_t sg, t;
        if (round_max(work, n, cuts, nc, o->min_size, &sg, &t) >= q - tol)
            hits++;
        if (hits >= stop)
            return 1.0;   /* (1 + hits)/(R + 1) > alpha whatever follows */
    }
    return (double)(1 + hits) / (double)(o->permutations + 1);
}

static double median_of(const double *x, size_t n, double *work)
{
    memcpy(work, x, n * sizeof *work);
    return pk__stats_median_inplace(work, n);
}

/* Magnitude of each change: median after / median before − 1 between the
 * neighbouring change points (NaN when the median before is 0). */
static void magnitudes(const double *x, size_t n, pk_changepoint *cp, size_t nc, double *work)
{
    for (size_t i = 0; i < nc; i++) {
        size_t lo = i ? cp[i - 1].index : 0, at = cp[i].index;
        size_t hi = i + 1 < nc ? cp[i + 1].index : n;
        double before = median_of(x + lo, at - lo, work);
        double after = median_of(x + at, hi - at, work);
        cp[i].before = before;
        cp[i].after = after;
        cp[i].magnitude = before != 0.0 ? after / before - 1.0 : NAN;
    }
}

static bool opts_ok(const pk_changepoint_opts *o)
{
    return o->alpha > 0.0 && o->alpha < 1.0 && o->permutations >= 1 && o->min_size >= 2;
}

/* Insert v into the sorted cuts[0..*nc), cp alongside. */
static void insert(size_t *cuts, pk_changepoint *cp, size_t *nc, size_t v, double p, double q)
{
    size_t i = *nc;
    while (i > 0 && cuts[i - 1] > v) {
        cuts[i] = cuts[i - 1];
        cp[i] = cp[i - 1];
        i--;
    }
    cuts[i] = v;
    memset(&cp[i], 0, sizeof cp[i]);
    cp[i].index = v;
    cp[i].p_value = p;
    cp[i].statistic = q;
    (*nc)++;
}

pk_err pk_stats_changepoints(const double *x, size_t n, const pk_changepoint_opts *o,
                             pk_changepoint **out, size_t *n_out)
{
    if (out)
        *out = NULL;
    if (n_out)
        *n_out = 0;
    pk_changepoint_opts def;
    if (!o) {
        pk_changepoint_opts_init(&def);
        o = &def;
    }
    if ((!x && n) || !out || !n_out || !opts_ok(o) || (x && pk__stats_has_nan(x, n)))
        return PK_EINVAL;
    size_t most = n / o->min_size;   /* at most this many segments */
    if (o->max_changes && o->max_changes + 1 < most)
        most = o->max_changes + 1;
    if (n < 2 * o->min_size)
        return PK_OK;
    size_t *cuts = pk_reallocarray(NULL, most, sizeof *cuts);
    pk_changepoint *cp = pk_calloc(most, sizeof *cp);
    double *work = pk_reallocarray(NULL, n, sizeof *work);
    if (!cuts || !cp || !work) {
        pk_free(cuts);
        pk_free(cp);
        pk_free(work);
        return PK_ENOMEM;
    }
    pk_rng r;
    pk_rng_seed(&r, o->seed);
    size_t nc = 0;
    while (nc + 1 < most) {
        size_t seg = 0, tau = 0;
        double q = round_max(x, n, cuts, nc, o->min_size, &seg, &tau);
        if (q <= 0.0)
            break;   /* nothing to split, or nothing differs */
        double p = permutation_p(x, n, cuts, nc, o, q, &r, work);
        if (p > o->alpha)
            break;
        insert(cuts, cp, &nc, tau, p, q);
    }
    pk_free(cuts);
    if (nc == 0) {
        pk_free(cp);
        pk_free(work);
        return PK_OK;
    }
    magnitudes(x, n, cp, nc, work);
    pk_free(work);
    *out = cp;
    *n_out = nc;
    return PK_OK;
}
