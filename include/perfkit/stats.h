/* perfkit/stats.h — statistics over samples of measurements.
 *
 * Summaries, percentiles, Tukey outliers, seeded bootstrap confidence
 * intervals, Mann-Whitney U and Welch's t-test, and the comparison verdict
 * (faster / slower / no significant difference) every perfkit gate uses.
 *
 * Conventions: samples are arrays of double, never modified (functions that
 * need order work on a private sorted copy). n = 0 is PK_EINVAL unless stated.
 * Thread-safety: every function is safe on distinct outputs; a pk_rng must not
 * be shared between threads without a lock. */
#ifndef PERFKIT_STATS_H
#define PERFKIT_STATS_H

#include <stddef.h>
#include <stdint.h>
#include "perfkit/api.h"
#include "perfkit/error.h"

PK_BEGIN_DECLS

/* ---- percentiles --------------------------------------------------------
 * Interpolation rule: linear between closest ranks, "type 7" of Hyndman & Fan
 * (the default of numpy.percentile and R's quantile): with the sample sorted
 * ascending as x[0..n-1], h = (n-1)·p/100, result = x[⌊h⌋] + (h-⌊h⌋)·(x[⌊h⌋+1]-x[⌊h⌋]).
 * p is in [0, 100]. */

/* Percentile of an already sorted sample. Errors: PK_EINVAL (n = 0, p outside
 * [0,100], NULL). */
pk_err pk_stats_percentile_sorted(const double *sorted, size_t n, double p, double *out);

/* Percentile of an unsorted sample (sorts a private copy). Errors: PK_EINVAL,
 * PK_ENOMEM. */
pk_err pk_stats_percentile(const double *x, size_t n, double p, double *out);

/* ---- outliers (Tukey fences) --------------------------------------------
 * With quartiles q1, q3 (type 7) and IQR = q3 - q1: a value is a mild outlier
 * when outside [q1 - 1.5·IQR, q3 + 1.5·IQR] but inside the 3·IQR fences, and a
 * severe outlier when outside [q1 - 3·IQR, q3 + 3·IQR]. */
typedef struct pk_outliers {
    size_t low_mild, high_mild;      /* mild outliers below / above */
    size_t low_severe, high_severe;  /* severe outliers below / above */
    double fence_low_mild, fence_high_mild;
    double fence_low_severe, fence_high_severe;
} pk_outliers;

/* ---- summary ------------------------------------------------------------ */
typedef struct pk_summary {
    size_t n;
    double mean;
    double stddev;   /* sample standard deviation (n-1 denominator); 0 when n = 1 */
    double min, max;
    double median;
    double mad;      /* median absolute deviation from the median, unscaled */
    double q1, q3;   /* 25th and 75th percentiles (type 7) */
    pk_outliers outliers;
} pk_summary;

/* Summarize x[0..n-1] into *out. Errors: PK_EINVAL (n = 0, NULL, a NaN in x),
 * PK_ENOMEM. */
pk_err pk_stats_summarize(const double *x, size_t n, pk_summary *out);

/* ---- random numbers -----------------------------------------------------
 * xoshiro256** seeded through splitmix64: the same seed gives the same stream
 * on every machine, so bootstrap intervals are reproducible. */
typedef struct pk_rng {
    uint64_t s[4];
} pk_rng;

void     pk_rng_seed(pk_rng *r, uint64_t seed);
uint64_t pk_rng_next(pk_rng *r);
/* Uniform integer in [0, n) without modulo bias; n > 0 (n = 0 returns 0). */
uint64_t pk_rng_below(pk_rng *r, uint64_t n);
/* Uniform double in [0, 1). */
double   pk_rng_double(pk_rng *r);

/* ---- bootstrap confidence intervals ------------------------------------- */
typedef enum pk_statistic {
    PK_STAT_MEAN = 0,
    PK_STAT_MEDIAN = 1,
} pk_statistic;

typedef struct pk_bootstrap_opts {
    size_t resamples;   /* default 10000 */
    double confidence;  /* default 0.95 */
    uint64_t seed;      /* default 0x5eed */
} pk_bootstrap_opts;

void pk_bootstrap_opts_init(pk_bootstrap_opts *o);

/* A point estimate with its interval [lo, hi]. */
typedef struct pk_ci {
    double estimate;
    double lo, hi;
} pk_ci;

/* Percentile-bootstrap interval of stat over x. o NULL uses the defaults;
 * resamples >= 1 and 0 < confidence < 1. estimate is stat(x).
 * Errors: PK_EINVAL (also a NaN in x), PK_ENOMEM. */
pk_err pk_stats_bootstrap_ci(const double *x, size_t n, pk_statistic stat,
                             const pk_bootstrap_opts *o, pk_ci *out);

/* Percentile-bootstrap interval of stat(b) / stat(a), resampling a and b
 * independently. A resample whose stat(a) is 0 counts as an infinite ratio,
 * so a bound may be ±INFINITY. Errors: PK_EINVAL (also when stat(a) is 0),
 * PK_ENOMEM. */
pk_err pk_stats_bootstrap_ratio_ci(const double *a, size_t na, const double *b, size_t nb,
                                   pk_statistic stat, const pk_bootstrap_opts *o, pk_ci *out);

/* ---- two-sample tests (two-sided) ---------------------------------------- */
typedef struct pk_test_result {
    double statistic;  /* Mann-Whitney: U of sample a; Welch: t */
    double df;         /* Welch: Welch-Satterthwaite degrees of freedom; else 0 */
    double p_value;    /* two-sided */
    int exact;         /* 1 when the p-value comes from the exact distribution */
} pk_test_result;

/* Mann-Whitney U, the same rule as scipy.stats.mannwhitneyu(method="auto"):
 * exact distribution when there are no ties and either sample has at most 8
 * values; otherwise the normal approximation with tie correction and
 * continuity correction. Two deliberate departures from scipy: when every
 * value is tied the p-value is 1 (scipy: NaN), and an exact case needing more
 * than 2^22 distribution terms (only with a sample of millions) uses the
 * normal approximation (exact = 0). Errors: PK_EINVAL (an empty sample, NULL,
 * a NaN), PK_ENOMEM. */
pk_err pk_stats_mann_whitney(const double *a, size_t na, const double *b, size_t nb,
                             pk_test_result *out);

/* Welch's unequal-variance t-test (na, nb >= 2), t = (mean a - mean b) / se as
 * scipy.stats.ttest_ind(a, b, equal_var=False). When both variances are 0 the
 * p-value is 1 for equal means and 0 otherwise (t is 0 or ±INFINITY, df is
 * na + nb - 2). Does not allocate. Errors: PK_EINVAL (also a NaN). */
pk_err pk_stats_welch(const double *a, size_t na, const double *b, size_t nb,
                      pk_test_result *out);

/* ---- comparison verdict -------------------------------------------------- */
typedef enum pk_verdict {
    PK_VERDICT_SAME = 0,     /* no significant difference */
    PK_VERDICT_FASTER = 1,   /* candidate smaller than baseline */
    PK_VERDICT_SLOWER = 2,   /* candidate larger than baseline */
} pk_verdict;

typedef enum pk_test_method {
    PK_TEST_MANN_WHITNEY = 0,
    PK_TEST_WELCH = 1,
    PK_TEST_EXACT = 2,   /* deterministic figures (instruction counts): any
                            difference between disjoint ranges counts */
} pk_test_method;

/* The smallest relative change that counts for a noisy figure: 5%. The one
 * default threshold of perfkit (figure.h: every noisy figure's row; exact
 * counts get 0), here so that pk_compare_opts_init() agrees with it. */
#define PK_DEFAULT_THRESHOLD 0.05

typedef struct pk_compare_opts {
    double alpha;        /* significance level, default 0.05 */
    double threshold;    /* minimum relative effect, default
                            PK_DEFAULT_THRESHOLD (5%) */
    pk_test_method method;  /* default PK_TEST_MANN_WHITNEY */
    pk_bootstrap_opts boot;
} pk_compare_opts;

void pk_compare_opts_init(pk_compare_opts *o);

typedef struct pk_comparison {
    double ratio;        /* statistic(candidate) / statistic(baseline) */
    pk_ci ratio_ci;      /* bootstrap CI of that ratio (estimate == ratio), from
                            opts.boot; a verdict needs it to exclude 1 */
    double p_value;      /* of the chosen test; for EXACT 0 when the ranges are
                            disjoint, 1 otherwise */
    pk_verdict verdict;
    pk_statistic statistic;  /* what the ratio compares: the median for
                                Mann-Whitney (a rank test, robust to outliers,
                                so ratio and verdict tell the same story), the
                                mean for Welch and EXACT */
} pk_comparison;

/* Verdict of candidate against baseline. The verdict says only which way
 * the statistic moved — FASTER: smaller, SLOWER: larger, named for times —
 * and whether that is better depends on the figure: pk_figure_change()
 * (figure.h) reads it with the figure's direction (a larger rate is better).
 *   SLOWER  when the test is significant (p < alpha), ratio > 1 + threshold
 *           and the bootstrap CI of the ratio lies above 1;
 *   FASTER  when the test is significant, ratio < 1 - threshold and the CI
 *           lies below 1;
 *   SAME    otherwise ("1.05x slower" inside the noise reads SAME).
 * For PK_TEST_EXACT "significant" means the two samples' ranges do not overlap.
 * When both statistics are 0 the result is SAME with ratio 1 and p = 1.
 * Errors: PK_EINVAL (empty samples, alpha outside (0,1), threshold < 0, a
 * baseline statistic of 0 against a non-zero candidate, a NaN, an unknown
 * method, invalid boot options, fewer than 2 values per sample for WELCH),
 * PK_ENOMEM. */
pk_err pk_stats_compare(const double *baseline, size_t nb, const double *candidate, size_t nc,
                        const pk_compare_opts *o, pk_comparison *out);

/* "faster", "slower", "no significant difference". Never NULL. */
const char *pk_verdict_name(pk_verdict v);

/* ---- paired tests (baseline and candidate measured in the same job) -------- */

/* Wilcoxon signed-rank test (two-sided) of d[0..n-1] against a centre of 0,
 * scipy.stats.wilcoxon(d) with its defaults (zero_method="wilcox",
 * correction=False, method="auto"): zeros are dropped; with m non-zero
 * differences the p-value is exact when m <= 50 and no |d| is tied and no
 * zero was dropped, else the normal approximation with the tie correction
 * (no continuity correction). statistic is min(R+, R-) as scipy reports it.
 * Departures from scipy: every difference zero gives p = 1 (scipy: an
 * error); ties or zeros with m <= 50 use the normal approximation (scipy
 * 1.10 keeps the exact path with ties, warns and switches with zeros).
 * Errors: PK_EINVAL (n = 0, NULL, a NaN), PK_ENOMEM. */
pk_err pk_stats_wilcoxon(const double *d, size_t n, pk_test_result *out);

/* Paired verdict: baseline[i] and candidate[i] were measured side by side
 * (block i of an interleaved run). On the log ratios l_i = log(c_i / b_i):
 * p_value from pk_stats_wilcoxon, ratio = exp(median l) (statistic
 * PK_STAT_MEDIAN), ratio_ci the percentile bootstrap (o->boot, pairs
 * resampled) of that median, exponentiated. The verdict rule is
 * pk_stats_compare's: SLOWER when p < alpha, ratio > 1 + threshold and the
 * CI lies above 1; FASTER mirrored; else SAME. o->method is ignored (an
 * exact figure is compared with pk_stats_compare, PK_TEST_EXACT). A pair of
 * zeros reads as no change. o NULL: defaults. Errors: PK_EINVAL (n = 0,
 * NULL, a NaN, a negative or infinite value, a zero against a non-zero,
 * alpha outside (0,1), threshold < 0, bad boot options), PK_ENOMEM. */
pk_err pk_stats_paired_compare(const double *baseline, const double *candidate, size_t n,
                               const pk_compare_opts *o, pk_comparison *out);

PK_END_DECLS
#endif
