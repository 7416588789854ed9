/* test_metrics_hist.c — log-linear histograms: percentiles against exact
 * order statistics, exact classic `le` counts (also on a bound), the
 * log-linear `le` exposition, zero / negative / overflow / NaN values. */
#include <criterion/criterion.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "perfkit/alloc.h"
#include "perfkit/metrics.h"
#include "perfkit/stats.h"
#include "randdata.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* nearest rank, as the contract defines it */
static double exact_percentile(const double *sorted, size_t n, double p)
{
    double want = p / 100.0 * (double)n;
    size_t rank = (size_t)ceil(want);
    if (rank < 1)
        rank = 1;
    return sorted[rank - 1];
}

static pk_metrics_histogram *new_hist(pk_metrics_registry **r, const double *bounds, size_t nb)
{
    cr_assert_eq(pk_metrics_registry_new(r), PK_OK);
    pk_metrics_family *f;
    cr_assert_eq(pk_metrics_histogram_family(*r, "h", "H.", NULL, 0, bounds, nb, &f), PK_OK);
    pk_metrics_histogram *h;
    cr_assert_eq(pk_metrics_histogram_get(f, NULL, &h), PK_OK);
    return h;
}

static void check_percentiles(double *x, size_t n)
{
    pk_metrics_registry *r;
    pk_metrics_histogram *h = new_hist(&r, NULL, 0);
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        pk_metrics_histogram_observe(h, x[i]);
        sum += x[i];
    }
    qsort(x, n, sizeof *x, cmp_double);
    cr_expect_eq(pk_metrics_histogram_count(h), n);
    cr_expect(fabs(pk_metrics_histogram_sum(h) - sum) <= 1e-9 * fabs(sum));
    static const double ps[] = {0, 0.1, 1, 5, 10, 25, 50, 75, 90, 95, 99, 99.9, 99.99, 100};
    for (size_t i = 0; i < sizeof ps / sizeof ps[0]; i++) {
        double got, want = exact_percentile(x, n, ps[i]);
        cr_assert_eq(pk_metrics_histogram_percentile(h, ps[i], &got), PK_OK);
        cr_expect(fabs(got - want) <= 0.01 * fabs(want), "p%g: got %.9g want %.9g", ps[i], got,
                  want);
    }
    pk_metrics_registry_free(r);
}

Test(metrics_hist, percentiles_lognormal)
{
    size_t n = 100000;
    double *x = malloc(n * sizeof *x);
    fill_normal(x, n, 42, -7, 2.5);   /* lognormal around 1 ms, wide */
    for (size_t i = 0; i < n; i++)
        x[i] = exp(x[i]);
    check_percentiles(x, n);
    free(x);
}

Test(metrics_hist, percentiles_uniform)
{
    size_t n = 100000;
    double *x = malloc(n * sizeof *x);
    pk_rng g;
    pk_rng_seed(&g, 7);
    for (size_t i = 0; i < n; i++)
        x[i] = 1.0 + 9999.0 * pk_rng_double(&g);
    check_percentiles(x, n);
    free(x);
}

Test(metrics_hist, percentile_errors_and_edges)
{
    pk_metrics_registry *r;
    pk_metrics_histogram *h = new_hist(&r, NULL, 0);
    double v;
    cr_expect_eq(pk_metrics_histogram_percentile(h, 50, &v), PK_EINVAL);   /* empty */
    pk_metrics_histogram_observe(h, -5);   /* negatives: not in percentiles */
    cr_expect_eq(pk_metrics_histogram_percentile(h, 50, &v), PK_EINVAL);
    pk_metrics_histogram_observe(h, 0);
    pk_metrics_histogram_observe(h, 3e15);   /* overflow bucket */
    pk_metrics_histogram_observe(h, 2e15);
    pk_metrics_histogram_observe(h, NAN);    /* ignored */
    cr_expect_eq(pk_metrics_histogram_count(h), 4);
    cr_expect_eq(pk_metrics_histogram_percentile(h, -1, &v), PK_EINVAL);
    cr_expect_eq(pk_metrics_histogram_percentile(h, 100.5, &v), PK_EINVAL);
    cr_expect_eq(pk_metrics_histogram_percentile(h, NAN, &v), PK_EINVAL);
    cr_assert_eq(pk_metrics_histogram_percentile(h, 0, &v), PK_OK);
    cr_expect_eq(v, 0);
    cr_assert_eq(pk_metrics_histogram_percentile(h, 100, &v), PK_OK);
    cr_expect_eq(v, 3e15);
    /* a value just inside the range: 2^50 exactly */
    pk_metrics_histogram_observe(h, 1125899906842624.0);
    cr_expect_eq(pk_metrics_histogram_count(h), 5);
    pk_metrics_registry_free(r);
}

/* count of `name{...le="B"} N` lines: N for bound text B */
static long bucket(const char *text, const char *le)
{
    char pat[96];
    snprintf(pat, sizeof pat, "h_bucket{le=\"%s\"} ", le);
    const char *p = strstr(text, pat);
    cr_assert(p, "no bucket le=%s in\n%s", le, text);
    return strtol(p + strlen(pat), NULL, 10);
}

Test(metrics_hist, classic_bounds_exact_on_bound)
{
    double bounds[] = {-1, 0, 0.1, 0.3, 1, 1.0000001, 10, 20, 30, 40, 50, 60};
    pk_metrics_registry *r;
    pk_metrics_histogram *h = new_hist(&r, bounds, 12);
    double obs[] = {-1, -0.5, 0, 0.1, 0.1, 0.1 + 0.2 /* 0.30000000000000004 > 0.3 */, 0.3,
                    1, 1.00000005, 10, 10.000000000000002, 60, 61, INFINITY};
    for (size_t i = 0; i < sizeof obs / sizeof obs[0]; i++)
        pk_metrics_histogram_observe(h, obs[i]);
    char *s;
    size_t n;
    cr_assert_eq(pk_metrics_render(r, PK_METRICS_PROMETHEUS, &s, &n), PK_OK);
    cr_expect_eq(bucket(s, "-1"), 1);
    cr_expect_eq(bucket(s, "0"), 3);
    cr_expect_eq(bucket(s, "0.1"), 5);
    cr_expect_eq(bucket(s, "0.3"), 6);
    cr_expect_eq(bucket(s, "1"), 8);
    cr_expect_eq(bucket(s, "1.0000001"), 9);
    cr_expect_eq(bucket(s, "10"), 10);
    cr_expect_eq(bucket(s, "20"), 11);
    cr_expect_eq(bucket(s, "50"), 11);
    cr_expect_eq(bucket(s, "60"), 12);
    cr_expect_eq(bucket(s, "+Inf"), 14);
    cr_expect(strstr(s, "\nh_count 14\n"));
    pk_free(s);
    /* OpenMetrics: negative bound -> no _sum/_count */
    cr_assert_eq(pk_metrics_render(r, PK_METRICS_OPENMETRICS, &s, &n), PK_OK);
    cr_expect_null(strstr(s, "h_sum"));
    cr_expect_null(strstr(s, "h_count"));
    pk_free(s);
    pk_metrics_registry_free(r);
}

Test(metrics_hist, many_bounds_binary_search)
{
    double bounds[30];
    for (int i = 0; i < 30; i++)
        bounds[i] = i + 1;   /* 1..30 */
    pk_metrics_registry *r;
    pk_metrics_histogram *h = new_hist(&r, bounds, 30);
    for (int v = 0; v <= 3100; v++)
        pk_metrics_histogram_observe(h, v / 100.0);   /* 0, 0.01, ..., 31 */
    char *s;
    size_t n;
    cr_assert_eq(pk_metrics_render(r, PK_METRICS_PROMETHEUS, &s, &n), PK_OK);
    for (int i = 1; i <= 30; i++) {
        char le[16];
        snprintf(le, sizeof le, "%d", i);
        cr_expect_eq(bucket(s, le), i * 100 + 1, "le=%d", i);   /* v <= i, inclusive */
    }
    cr_expect_eq(bucket(s, "+Inf"), 3101);
    pk_free(s);
    pk_metrics_registry_free(r);
}

/* Without bounds the le values are bucket upper edges; a value exactly on an
 * edge counts at that edge (buckets are (lo, hi]). */
Test(metrics_hist, loglinear_le_edges_inclusive)
{
    pk_metrics_registry *r;
    pk_metrics_histogram *h = new_hist(&r, NULL, 0);
    pk_metrics_histogram_observe(h, 1);          /* edge: (0.9921875, 1] */
    pk_metrics_histogram_observe(h, 1.0078125);  /* edge: (1, 1.0078125] */
    pk_metrics_histogram_observe(h, 1.004);
    pk_metrics_histogram_observe(h, 1000);
    pk_metrics_histogram_observe(h, 0);
    pk_metrics_histogram_observe(h, -2);
    char *s;
    size_t n;
    cr_assert_eq(pk_metrics_render(r, PK_METRICS_PROMETHEUS, &s, &n), PK_OK);
    cr_expect_eq(bucket(s, "9.313225746154785e-10"), 2);   /* 2^-30: zero + negatives */
    cr_expect_eq(bucket(s, "1"), 3);
    cr_expect_eq(bucket(s, "1.0078125"), 5);
    cr_expect_eq(bucket(s, "1000"), 6);
    cr_expect_eq(bucket(s, "+Inf"), 6);
    cr_expect(strstr(s, "\nh_sum 1001.0118125\n"), "%s", s);
    cr_expect(strstr(s, "\nh_count 6\n"));
    pk_free(s);
    /* OpenMetrics: a negative observation drops _sum and _count */
    cr_assert_eq(pk_metrics_render(r, PK_METRICS_OPENMETRICS, &s, &n), PK_OK);
    cr_expect_null(strstr(s, "h_sum"));
    pk_free(s);
    pk_metrics_registry_free(r);
}

/* Every power of two in range, exposed edges strictly ascending and each
 * value counted at or below the first edge >= it. */
Test(metrics_hist, loglinear_full_range)
{
    pk_metrics_registry *r;
    pk_metrics_histogram *h = new_hist(&r, NULL, 0);
    size_t k = 0;
    for (double v = 1e-9; v < 1e15; v *= 1.37, k++)
        pk_metrics_histogram_observe(h, v);
    char *s;
    size_t n;
    cr_assert_eq(pk_metrics_render(r, PK_METRICS_PROMETHEUS, &s, &n), PK_OK);
    double prev_le = -INFINITY;
    long prev_c = 0;
    size_t lines = 0;
    for (const char *p = strstr(s, "h_bucket{le=\""); p; p = strstr(p + 1, "h_bucket{le=\"")) {
        const char *q = p + strlen("h_bucket{le=\"");
        if (*q == '+')
            break;
        double le = strtod(q, NULL);
        long c = strtol(strchr(q, ' ') + 1, NULL, 10);
        cr_expect_gt(le, prev_le);
        cr_expect_eq(c, prev_c + 1);   /* one value per bucket at this spacing */
        prev_le = le;
        prev_c = c;
        lines++;
    }
    cr_expect_eq(lines, k);
    cr_expect_eq(bucket(s, "+Inf"), (long)k);
    pk_free(s);
    pk_metrics_registry_free(r);
}

static size_t alloc_bytes;

static void *counting_alloc(void *ud, void *p, size_t n)
{
    (void)ud;
    if (n == 0) {
        free(p);
        return NULL;
    }
    alloc_bytes += n;   /* fresh blocks and resizes: an upper bound */
    return realloc(p, n);
}

/* Two threads' worth of a histogram that sees one octave of values costs a
 * few KiB, not the 80 KiB a dense bucket array would. */
static void *observe_octave(void *arg)
{
    for (int i = 0; i < 1000; i++)
        pk_metrics_histogram_observe(arg, 1.0 + i / 1000.0);
    return NULL;
}

Test(metrics_hist, memory_is_lazy)
{
    pk_set_allocator(counting_alloc, NULL);
    pk_metrics_registry *r;
    pk_metrics_histogram *h = new_hist(&r, NULL, 0);
    size_t before = alloc_bytes;
    pthread_t t;
    pthread_create(&t, NULL, observe_octave, h);
    pthread_join(t, NULL);
    observe_octave(h);
    size_t used = alloc_bytes - before;
    cr_expect_lt(used, 8 * 1024, "%zu bytes for 2 threads", used);
    double v;
    cr_assert_eq(pk_metrics_histogram_percentile(h, 50, &v), PK_OK);
    cr_expect(fabs(v - 1.4995) < 0.01 * 1.4995, "%g", v);
    pk_metrics_registry_free(r);
    pk_set_allocator(NULL, NULL);
}
