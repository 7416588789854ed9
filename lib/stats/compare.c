/* compare.c — the verdict every perfkit gate uses: is the candidate faster,
 * slower, or not significantly different from the baseline?
 *
 * Design: a change counts only when it is both large (the ratio leaves
 * [1 - threshold, 1 + threshold]) and significant (the chosen test's p-value
 * is below alpha; for deterministic figures the two ranges must not
 * overlap), and the bootstrap interval of the ratio must exclude 1 so the
 * verdict never contradicts the interval printed beside it. The ratio compares medians under Mann-Whitney — a rank test
 * answers "is one typically larger", which two outliers in a mean would
 * contradict in print — and means under Welch and EXACT. The bootstrap CI of
 * the ratio is reported alongside so readers see the uncertainty.
 * References: DESIGN.md "Verdicts are statistics, not vibes"; see
 * mannwhitney.c, welch.c and bootstrap.c for the methods. */
#include "perfkit/stats.h"

#include <math.h>
#include <stdbool.h>
#include "stats/stats_int.h"

void pk_compare_opts_init(pk_compare_opts *o)
{
    o->alpha = 0.05;
    o->threshold = PK_DEFAULT_THRESHOLD;
    o->method = PK_TEST_MANN_WHITNEY;
    pk_bootstrap_opts_init(&o->boot);
}

const char *pk_verdict_name(pk_verdict v)
{
    switch (v) {
    case PK_VERDICT_SAME:   return "no significant difference";
    case PK_VERDICT_FASTER: return "faster";
    case PK_VERDICT_SLOWER: return "slower";
    }
    return "unknown verdict";
}

static void range(const double *x, size_t n, double *lo, double *hi)
{
    *lo = *hi = x[0];
    for (size_t i = 1; i < n; i++) {
        if (x[i] < *lo) *lo = x[i];
        if (x[i] > *hi) *hi = x[i];
    }
}

/* p-value of the chosen method; Errors: PK_EINVAL, PK_ENOMEM. */
static pk_err p_value(const double *b, size_t nb, const double *c, size_t nc,
                      pk_test_method m, double *p)
{
    pk_test_result t;
    pk_err e;
    switch (m) {
    case PK_TEST_MANN_WHITNEY:
        e = pk_stats_mann_whitney(b, nb, c, nc, &t);
        break;
    case PK_TEST_WELCH:
        e = pk_stats_welch(b, nb, c, nc, &t);
        break;
    case PK_TEST_EXACT: {
        double blo, bhi, clo, chi;
        range(b, nb, &blo, &bhi);
        range(c, nc, &clo, &chi);
        *p = (bhi < clo || chi < blo) ? 0.0 : 1.0;
        return PK_OK;
    }
    default:
        return PK_EINVAL;
    }
    if (e)
        return e;
    *p = t.p_value;
    return PK_OK;
}

pk_err pk_stats_compare(const double *baseline, size_t nb, const double *candidate, size_t nc,
                        const pk_compare_opts *o, pk_comparison *out)
{
    pk_compare_opts def;
    if (!o) {
        pk_compare_opts_init(&def);
        o = &def;
    }
    if (!baseline || !candidate || !out || nb == 0 || nc == 0 ||
        !(o->alpha > 0.0 && o->alpha < 1.0) || !(o->threshold >= 0.0) ||
        pk__stats_has_nan(baseline, nb) || pk__stats_has_nan(candidate, nc))
        return PK_EINVAL;
    if (o->method != PK_TEST_MANN_WHITNEY && o->method != PK_TEST_WELCH &&
        o->method != PK_TEST_EXACT)
        return PK_EINVAL;
    pk_comparison r;
    r.statistic = o->method == PK_TEST_MANN_WHITNEY ? PK_STAT_MEDIAN : PK_STAT_MEAN;
    double sb, sc;
    pk_err e;
    if (r.statistic == PK_STAT_MEDIAN) {
        if ((e = pk_stats_percentile(baseline, nb, 50.0, &sb)) != PK_OK ||
            (e = pk_stats_percentile(candidate, nc, 50.0, &sc)) != PK_OK)
            return e;
    } else {
        sb = pk__stats_mean(baseline, nb);
        sc = pk__stats_mean(candidate, nc);
    }
    if (sb == 0.0 && sc == 0.0) {
        /* nothing then, nothing now (e.g. sys time of a tiny program): the
         * same, whatever the samples' spread */
        r.ratio = 1.0;
        r.ratio_ci = (pk_ci){1.0, 1.0, 1.0};
        r.p_value = 1.0;
        r.verdict = PK_VERDICT_SAME;
        *out = r;
        return PK_OK;
    }
    if (sb == 0.0)
        return PK_EINVAL;
    r.ratio = sc / sb;
    e = p_value(baseline, nb, candidate, nc, o->method, &r.p_value);
    if (e)
        return e;
    e = pk_stats_bootstrap_ratio_ci(baseline, nb, candidate, nc, r.statistic, &o->boot,
                                    &r.ratio_ci);
    if (e)
        return e;
    r.ratio_ci.estimate = r.ratio;   /* same figure, whatever rounding */

    /* A verdict must agree with what is printed next to it: significant by
     * the test, beyond the threshold, and a confidence interval of the ratio
     * that does not include 1 (a rank test can reach p < alpha while the
     * median's interval still touches 1 — then the change is too unsure). */
    r.verdict = pk_stats_verdict(&r, o);
    *out = r;
    return PK_OK;
}

pk_verdict pk_stats_verdict(const pk_comparison *r, const pk_compare_opts *o)
{
    bool significant = r->p_value < o->alpha;
    if (significant && r->ratio > 1.0 + o->threshold && r->ratio_ci.lo > 1.0)
        return PK_VERDICT_SLOWER;
    if (significant && r->ratio < 1.0 - o->threshold && r->ratio_ci.hi < 1.0)
        return PK_VERDICT_FASTER;
    return PK_VERDICT_SAME;
}
