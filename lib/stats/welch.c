/* welch.c — Welch's unequal-variance two-sample t-test, two-sided.
 *
 * Design: t = (mean_a - mean_b) / sqrt(va/na + vb/nb) with sample variances,
 * degrees of freedom by Welch-Satterthwaite, p = P(|T_df| >= |t|) from the
 * regularized incomplete beta (special.c). Same sign convention and result
 * as scipy.stats.ttest_ind(a, b, equal_var=False).
 * References: B. L. Welch, Biometrika 34(1/2), 1947; F. E. Satterthwaite,
 * Biometrics Bulletin 2(6), 1946. */
#include "perfkit/stats.h"

#include <math.h>
#include "stats/stats_int.h"

pk_err pk_stats_welch(const double *a, size_t na, const double *b, size_t nb,
                      pk_test_result *out)
{
    if (!a || !b || !out || na < 2 || nb < 2 || pk__stats_has_nan(a, na) ||
        pk__stats_has_nan(b, nb))
        return PK_EINVAL;
    double ma = pk__stats_mean(a, na), mb = pk__stats_mean(b, nb);
    double sa = pk__stats_variance(a, na, ma) / (double)na;
    double sb = pk__stats_variance(b, nb, mb) / (double)nb;
    pk_test_result r = {.statistic = 0.0, .df = 0.0, .p_value = 1.0, .exact = 0};

    if (sa + sb == 0.0) {
        /* Both samples constant: the difference is certain, or there is none.
         * df degenerates to 0/0; report the pooled na + nb - 2 instead. */
        r.df = (double)(na + nb - 2);
        if (ma != mb) {
            r.statistic = ma > mb ? INFINITY : -INFINITY;
            r.p_value = 0.0;
        }
        *out = r;
        return PK_OK;
    }
    r.statistic = (ma - mb) / sqrt(sa + sb);
    r.df = (sa + sb) * (sa + sb) /
           (sa * sa / (double)(na - 1) + sb * sb / (double)(nb - 1));
    r.p_value = pk__stats_t_p2(r.statistic, r.df);
    *out = r;
    return PK_OK;
}
