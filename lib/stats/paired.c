/* paired.c — paired tests: Wilcoxon signed-rank, and the paired verdict of
 * a candidate against a baseline measured in the same job.
 *
 * Design: a paired run gives, per interleaved block i, one baseline and one
 * candidate measurement taken moments apart, so the machine's drift cancels
 * in their ratio. The verdict works on log ratios l_i = log(c_i / b_i): the
 * Wilcoxon signed-rank test asks whether they are centred on 0 (ranks make
 * it robust to the odd disturbed block), the ratio reported is exp(median
 * l), and its interval a seeded percentile bootstrap of that median over
 * resampled pairs. Wilcoxon: zeros dropped (zero_method="wilcox"), exact
 * null distribution (subset-sum counts of 1..n, O(n³)) when no |d| ties and
 * n <= 50, else the normal approximation with the tie correction and no
 * continuity correction — scipy.stats.wilcoxon's defaults (scipy 1.10).
 * References: F. Wilcoxon, Biometrics Bulletin 1(6), 1945; J. W. Pratt,
 * JASA 54, 1959 (zeros); scipy.stats.wilcoxon (_morestats.py). */
#include "perfkit/stats.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include "perfkit/alloc.h"
#include "stats/stats_int.h"

#define WILCOXON_EXACT_MAX 50

typedef struct sobs {
    double a;    /* |d| */
    int pos;     /* d > 0 */
} sobs;

static int cmp_sobs(const void *x, const void *y)
{
    return pk__stats_cmp_double(&((const sobs *)x)->a, &((const sobs *)y)->a);
}

/* P(R+ <= r) and P(R+ >= r) under H0 for n untied non-zero differences:
 * counts of subsets of {1..n} by their sum, over 2^n. Errors: PK_ENOMEM. */
static pk_err exact_tails(size_t n, double r, double *le, double *ge)
{
    size_t top = n * (n + 1) / 2;
    double *c = pk_calloc(top + 1, sizeof *c);
    if (!c)
        return PK_ENOMEM;
    c[0] = 1.0;
    size_t reach = 0;
    for (size_t k = 1; k <= n; k++) {
        reach += k;
        for (size_t s = reach; s >= k; s--)
            c[s] += c[s - k];
    }
    double total = ldexp(1.0, (int)n), lo = 0.0, hi = 0.0;
    for (size_t s = 0; s <= top; s++) {
        if ((double)s <= r)
            lo += c[s];
        if ((double)s >= r)
            hi += c[s];
    }
    pk_free(c);
    *le = lo / total;
    *ge = hi / total;
    return PK_OK;
}

pk_err pk_stats_wilcoxon(const double *d, size_t n, pk_test_result *out)
{
    if (!d || !out || n == 0 || pk__stats_has_nan(d, n))
        return PK_EINVAL;
    sobs *o = pk_calloc(n, sizeof *o);
    if (!o)
        return PK_ENOMEM;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (d[i] != 0.0)
            o[m++] = (sobs){fabs(d[i]), d[i] > 0.0};
    pk_test_result r = {0.0, 0.0, 1.0, 0};
    if (m == 0) {   /* every difference is zero: no evidence of a shift */
        pk_free(o);
        *out = r;
        return PK_OK;
    }
    qsort(o, m, sizeof *o, cmp_sobs);
    double rplus = 0.0, rminus = 0.0, tie = 0.0;
    for (size_t i = 0; i < m;) {
        size_t j = i + 1;
        while (j < m && o[j].a == o[i].a)
            j++;
        double rank = ((double)i + 1.0 + (double)j) / 2.0, t = (double)(j - i);
        for (size_t k = i; k < j; k++)
            *(o[k].pos ? &rplus : &rminus) += rank;
        tie += t * (t * t - 1.0);
        i = j;
    }
    pk_free(o);
    bool has_zero = m < n;
    r.statistic = rplus < rminus ? rplus : rminus;
    if (m <= WILCOXON_EXACT_MAX && tie == 0.0 && !has_zero) {
        double le, ge;
        pk_err e = exact_tails(m, rplus, &le, &ge);
        if (e != PK_OK)
            return e;
        double p = 2.0 * (le < ge ? le : ge);
        r.p_value = p > 1.0 ? 1.0 : p;
        r.exact = 1;
    } else {
        double mn = (double)m * ((double)m + 1.0) * 0.25;
        double se = (double)m * ((double)m + 1.0) * (2.0 * (double)m + 1.0) - 0.5 * tie;
        se = sqrt(se / 24.0);
        double z = se > 0.0 ? (r.statistic - mn) / se : 0.0;
        double p = 2.0 * pk__stats_norm_sf(fabs(z));
        r.p_value = p > 1.0 ? 1.0 : p;
    }
    *out = r;
    return PK_OK;
}

pk_err pk_stats_paired_compare(const double *baseline, const double *candidate, size_t n,
                               const pk_compare_opts *o, pk_comparison *out)
{
    pk_compare_opts def;
    if (!o) {
        pk_compare_opts_init(&def);
        o = &def;
    }
    if (!baseline || !candidate || !out || n == 0 || !(o->alpha > 0.0 && o->alpha < 1.0) ||
        !(o->threshold >= 0.0) || pk__stats_has_nan(baseline, n) ||
        pk__stats_has_nan(candidate, n))
        return PK_EINVAL;
    double *l = pk_calloc(n * 2, sizeof *l);
    if (!l)
        return PK_ENOMEM;
    pk_err e = PK_OK;
    for (size_t i = 0; i < n && e == PK_OK; i++) {
        double b = baseline[i], c = candidate[i];
        if (b == 0.0 && c == 0.0)
            l[i] = 0.0;   /* nothing then, nothing now: no change */
        else if (b <= 0.0 || c <= 0.0 || !isfinite(b) || !isfinite(c))
            e = PK_EINVAL;
        else
            l[i] = log(c / b);
    }
    pk_comparison r = {.statistic = PK_STAT_MEDIAN};
    pk_test_result t;
    if (e == PK_OK)
        e = pk_stats_wilcoxon(l, n, &t);
    if (e == PK_OK)
        e = pk_stats_bootstrap_ci(l, n, PK_STAT_MEDIAN, &o->boot, &r.ratio_ci);
    if (e == PK_OK) {
        for (size_t i = 0; i < n; i++)
            l[n + i] = l[i];
        r.ratio = exp(pk__stats_median_inplace(l + n, n));
        r.ratio_ci.estimate = r.ratio;
        r.ratio_ci.lo = exp(r.ratio_ci.lo);
        r.ratio_ci.hi = exp(r.ratio_ci.hi);
        r.p_value = t.p_value;
        r.verdict = pk_stats_verdict(&r, o);
        *out = r;
    }
    pk_free(l);
    return e;
}
