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

/* The default threshold of a noisy figure in paired mode (perfkit check
 * --pair), 2%: base and candidate share every block, so drift between
 * invocations cancels and a smaller change is measurable
 * (bench/gate_quality.sh --trials 20: 0 false alarms in 20 A/A checks
 * under load, 3%, 5% and 10% slowdowns found 20/20 each at 2%; at 5% a 5%
 * change was found 21 times in 40, as it must be about half). */
#define PK_DEFAULT_PAIRED_THRESHOLD 0.02

/* The default threshold of an exact count (instructions) in paired mode:
 * 0.01%. The two sides run from two trees in different directories, and a
 * program's start-up can differ by a few instructions between them (seen
 * here: an A/A pair of 1.336 M instructions judged "+0.0% regressed" once
 * in a CI run); a real change of the code is far above it. */
#define PK_DEFAULT_PAIRED_EXACT_THRESHOLD 0.0001

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

/* The verdict rule every comparison uses, for a comparison whose ratio,
 * ratio_ci and p_value are set: SLOWER / FASTER only when significant
 * (p_value < o->alpha), beyond o->threshold, and with a confidence interval
 * of the ratio that excludes 1; else SAME. Pure; thread-safe. */
pk_verdict pk_stats_verdict(const pk_comparison *r, const pk_compare_opts *o);

/* "faster", "slower", "no significant difference". Never NULL. */
const char *pk_verdict_name(pk_verdict v);

/* ---- change points -------------------------------------------------------
 * Where a series' distribution shifted: E-Divisive with means (Matteson &
 * James 2014; the method of MongoDB's CI and Apache Otava), nonparametric
 * (energy distance, exponent 1) and for several change points. Each round
 * splits the segment of the series that differs most between its two parts
 * (both at least min_size long) and keeps the split when a permutation test
 * (observations shuffled within each current segment, `permutations`
 * draws from the seeded pk_rng) gives p <= alpha; the first round that does
 * not ends the search. Deterministic: a series and the options give the
 * same answer on every machine. Cost: O(n^2) per round and permutation, so
 * (changes + 1) x (permutations + 1) x n^2 at worst — 0.2 s for n = 1000
 * and one change with the defaults (bench/gate_stats.sh); meant for histories of up to
 * a few thousand runs. The p-value cannot go below 1/(permutations + 1)
 * (0.005 with the default 199): an alpha below that finds nothing. */
typedef struct pk_changepoint_opts {
    double alpha;           /* significance per round, default 0.01 */
    size_t permutations;    /* draws per round, >= 1; default 199 */
    size_t min_size;        /* shortest segment, >= 2; default 3 */
    size_t max_changes;     /* stop after this many; 0 (default): no limit */
    uint64_t seed;          /* default 0x5eed */
} pk_changepoint_opts;

void pk_changepoint_opts_init(pk_changepoint_opts *o);

typedef struct pk_changepoint {
    size_t index;           /* first point of the new segment: x[index-1] is
                               the last one before the change */
    double before, after;   /* medians of the segments either side (up to the
                               neighbouring change points) */
    double magnitude;       /* after / before - 1; NaN when before is 0 */
    double p_value;         /* of the permutation test that accepted it */
    double statistic;       /* the energy statistic Q of the split */
} pk_changepoint;

/* Change points of x[0..n-1] in ascending index order. o NULL uses the
 * defaults. On PK_OK *out (caller pk_free()s it; NULL when *n_out is 0)
 * holds *n_out change points. A series shorter than 2 x min_size, and a
 * constant one, have none. Errors: PK_EINVAL (NULL out / n_out, x NULL
 * with n > 0, a NaN, alpha outside (0,1), permutations 0, min_size < 2),
 * PK_ENOMEM (then nothing is returned). */
pk_err pk_stats_changepoints(const double *x, size_t n, const pk_changepoint_opts *o,
                             pk_changepoint **out, size_t *n_out);

/* ---- a run against earlier runs: between-run drift ----------------------- */

/* Samples of two invocations are not exchangeable: the machine's speed drifts
 * between them by more than the spread inside either, so a within-run test
 * calls every drift significant. pk_stats_drift judges one run-level
 * statistic x (a run's median, say) against the same statistic of k earlier
 * runs, on the log scale (changes are relative), with the earlier runs'
 * spread as the noise:
 *   y_i = log runs[i]; m = median(y); no run is left out of the spread
 *     (slow, loaded runs are the drift itself);
 *   s = max(sample SD of the kept y_i, o->floor);
 *   against the window (o->ref 0): T = (log x - m) / (s sqrt(1 + pi/(2k)))
 *     — a new run minus the sample median of k runs, whose variance is
 *     about pi/(2k) s^2 under normal run effects;
 *   against one run (o->ref > 0, a pinned or named run): T = (log x -
 *     log ref) / (s sqrt 2) — two single runs;
 *   p_value = P(|T_{k-1}| >= |T|), Student's t with k-1 df (exact for the
 *     classical prediction interval with the mean; with the median centre
 *     simulated at 4.3-4.8% for alpha 0.05, k = 3..20, normal run effects:
 *     bench/gate_stats.sh);
 *   lo, hi: the 1 - alpha interval of the ratio x / ref, (x / ref) *
 *     exp(-+ t_{1-alpha/2, k-1} * scale): it excludes 1 exactly when
 *     p < alpha.
 * When s is 0 (identical runs, no floor) any difference has p 0, none p 1.
 * Does not allocate beyond a copy of runs. Errors: PK_EINVAL (NULL, k < 2, a
 * value or x <= 0 or NaN, alpha outside (0,1), floor or ref < 0),
 * PK_ENOMEM. */
typedef struct pk_drift_opts {
    double alpha;      /* two-sided level; 0.05 */
    double ref;        /* 0: against the window's centre; > 0: against this
                          single run's statistic */
    double floor;      /* lower bound of s, log scale (e.g. the current
                          statistic's own standard error); 0 */
} pk_drift_opts;

void pk_drift_opts_init(pk_drift_opts *o);

typedef struct pk_drift {
    size_t n;          /* runs in the spread */
    double centre;     /* exp(m): the robust centre of all k runs */
    double ref;        /* what x is judged against: centre or o->ref */
    double spread;     /* s: the run-to-run SD of the log statistic (about
                          the relative SD), floored */
    double ratio;      /* x / ref */
    double t, df, p_value;
    double lo, hi;     /* the 1 - alpha interval of the ratio */
} pk_drift;

pk_err pk_stats_drift(const double *runs, size_t k, double x, const pk_drift_opts *o,
                      pk_drift *out);

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
