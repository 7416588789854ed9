/* gate_stats.c — two figures the gate's statistics docs quote, measured on
 * the real code (driver of bench/gate_stats.sh):
 *
 *  1. The false-alarm rate of pk_stats_drift alone (the unpaired gate's test
 *     against a window of k earlier runs) when nothing changed: run-level
 *     log statistics drawn i.i.d. normal (SD 3%), k earlier runs and one
 *     more; the share of p < 0.05. Seeded: the same table on every machine.
 *  2. The cost of pk_stats_changepoints (E-Divisive, default options) on a
 *     1000-run history with one 5% step in 2% noise, and on the 30-run
 *     window the gate's creep check reads: median of 5 timings. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "perfkit/alloc.h"
#include "perfkit/stats.h"

static double normal(pk_rng *r)   /* Box-Muller */
{
    double u = pk_rng_double(r), v = pk_rng_double(r);
    if (u < 1e-300)
        u = 1e-300;
    return sqrt(-2.0 * log(u)) * cos(2.0 * M_PI * v);
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double changepoint_cost(size_t n, pk_rng *r)
{
    double *x = malloc(n * sizeof *x), t[5];
    for (size_t i = 0; i < n; i++)
        x[i] = 100.0 * (i < n / 2 ? 1.0 : 1.05) * (1.0 + 0.02 * normal(r));
    for (int k = 0; k < 5; k++) {
        pk_changepoint *cp = NULL;
        size_t nc = 0;
        double t0 = now_s();
        if (pk_stats_changepoints(x, n, NULL, &cp, &nc) != PK_OK)
            fprintf(stderr, "pk_stats_changepoints failed\n");
        t[k] = now_s() - t0;
        pk_free(cp);
    }
    free(x);
    qsort(t, 5, sizeof *t, by_value);
    return t[2];
}

int main(int argc, char **argv)
{
    int trials = argc > 1 ? atoi(argv[1]) : 20000;
    pk_rng r;
    pk_rng_seed(&r, 0x9a7e);
    printf("1. pk_stats_drift, no change, alpha 0.05, %d windows per k (run SD 3%%)\n", trials);
    printf("   k    false alarms\n");
    static const size_t ks[] = {3, 5, 10, 20};
    for (size_t j = 0; j < sizeof ks / sizeof ks[0]; j++) {
        size_t k = ks[j];
        double runs[20];
        int alarms = 0;
        for (int t = 0; t < trials; t++) {
            for (size_t i = 0; i < k; i++)
                runs[i] = exp(0.03 * normal(&r));
            pk_drift d;
            if (pk_stats_drift(runs, k, exp(0.03 * normal(&r)), NULL, &d) == PK_OK &&
                d.p_value < 0.05)
                alarms++;
        }
        printf("  %2zu    %.1f%%\n", k, 100.0 * alarms / trials);
    }
    printf("2. pk_stats_changepoints, one 5%% step in 2%% noise, median of 5\n");
    printf("   n = 1000: %.3f s\n", changepoint_cost(1000, &r));
    printf("   n = 30:   %.3f ms\n", 1000.0 * changepoint_cost(30, &r));
    return 0;
}
