/* metrics_bench.c — hot-path cost of a metrics update: perfkit vs peers.
 *
 *   metrics_bench IMPL OP THREADS [TARGET_MS]
 *     IMPL     perfkit | mutex | pcc (pcc only when built with -DWITH_PCC)
 *     OP       counter (inc) | histogram (observe)
 *     THREADS  1.. threads updating the SAME metric child at once
 *     TARGET_MS  wall time to aim each timed loop at (default 200)
 *
 * Prints one line: IMPL OP THREADS ITERS NS_PER_OP MOPS
 *   ITERS      updates per thread
 *   NS_PER_OP  mean over threads of (thread's loop time / ITERS): what one
 *              update costs the calling thread
 *   MOPS       all threads' updates / (last end - first start), in 10^6/s
 *
 * The three implementations do the same job: one counter child, one
 * histogram child with the same 11 classic bounds, no labels looked up on
 * the hot path (perfkit: child handle; pcc: NULL label values, its fastest
 * path). The mutex baseline is what one writes by hand: a pthread mutex
 * around a uint64 / a linear bucket search + sum + count. Every update is an
 * out-of-line call (the baseline is noinline) so none is folded into the
 * loop. Histogram values cycle through 1024 log-uniform values in
 * [1e-4, 20) so bucket searches see every bucket.
 *
 * Each thread does one warm-up update before the start barrier (perfkit
 * allocates a thread's cell on its first update). The iteration count is
 * calibrated once, single-threaded, to ~TARGET_MS. */
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "perfkit/metrics.h"
#ifdef WITH_PCC
#include <prom.h>
#endif

#define NVALUES 1024
static double values[NVALUES];
static const double bounds[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
#define NBOUNDS (sizeof bounds / sizeof bounds[0])

/* ---- mutex baseline ---------------------------------------------------------- */

static struct {
    pthread_mutex_t mu;
    uint64_t count;
} mcounter = {PTHREAD_MUTEX_INITIALIZER, 0};

static struct {
    pthread_mutex_t mu;
    uint64_t buckets[NBOUNDS + 1];
    uint64_t count;
    double sum;
} mhist = {PTHREAD_MUTEX_INITIALIZER, {0}, 0, 0};

__attribute__((noinline)) static void mutex_counter_inc(void)
{
    pthread_mutex_lock(&mcounter.mu);
    mcounter.count++;
    pthread_mutex_unlock(&mcounter.mu);
}

__attribute__((noinline)) static void mutex_hist_observe(double v)
{
    size_t i = 0;
    while (i < NBOUNDS && v > bounds[i])
        i++;
    pthread_mutex_lock(&mhist.mu);
    mhist.buckets[i]++;
    mhist.count++;
    mhist.sum += v;
    pthread_mutex_unlock(&mhist.mu);
}

/* ---- the implementations behind one loop -------------------------------------- */

enum impl { PERFKIT, MUTEX, PCC };
enum op { COUNTER, HISTOGRAM };

static enum impl impl;
static enum op op;
static pk_metrics_counter *pk_c;
static pk_metrics_histogram *pk_h;
#ifdef WITH_PCC
static prom_counter_t *pcc_c;
static prom_histogram_t *pcc_h;
#endif

static void run_loop(uint64_t iters)
{
    switch (impl * 2 + op) {
    case PERFKIT * 2 + COUNTER:
        for (uint64_t i = 0; i < iters; i++)
            pk_metrics_counter_inc(pk_c);
        break;
    case PERFKIT * 2 + HISTOGRAM:
        for (uint64_t i = 0; i < iters; i++)
            pk_metrics_histogram_observe(pk_h, values[i & (NVALUES - 1)]);
        break;
    case MUTEX * 2 + COUNTER:
        for (uint64_t i = 0; i < iters; i++)
            mutex_counter_inc();
        break;
    case MUTEX * 2 + HISTOGRAM:
        for (uint64_t i = 0; i < iters; i++)
            mutex_hist_observe(values[i & (NVALUES - 1)]);
        break;
#ifdef WITH_PCC
    case PCC * 2 + COUNTER:
        for (uint64_t i = 0; i < iters; i++)
            prom_counter_inc(pcc_c, NULL);
        break;
    case PCC * 2 + HISTOGRAM:
        for (uint64_t i = 0; i < iters; i++)
            prom_histogram_observe(pcc_h, values[i & (NVALUES - 1)], NULL);
        break;
#endif
    default:
        break;
    }
}

static uint64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static pthread_barrier_t start_line;
static uint64_t iters;

struct span {
    pthread_t tid;
    uint64_t t0, t1;
};

static void *thread_main(void *arg)
{
    struct span *s = arg;
    run_loop(1);   /* first update from this thread: perfkit allocates its cell */
    pthread_barrier_wait(&start_line);
    s->t0 = now_ns();
    run_loop(iters);
    s->t1 = now_ns();
    return NULL;
}

static void die(const char *msg)
{
    fprintf(stderr, "metrics_bench: %s\n", msg);
    exit(2);
}

static void setup(void)
{
    for (int i = 0; i < NVALUES; i++)   /* log-uniform in [1e-4, 20), fixed order */
        values[i] = 1e-4 * pow(2e5, (double)((i * 617) % NVALUES) / NVALUES);
    if (impl == PERFKIT) {
        pk_metrics_registry *r;
        pk_metrics_family *fc, *fh;
        if (pk_metrics_registry_new(&r) ||
            pk_metrics_counter_family(r, "bench_total", "Bench.", NULL, 0, &fc) ||
            pk_metrics_histogram_family(r, "bench_seconds", "Bench.", NULL, 0, bounds, NBOUNDS,
                                        &fh) ||
            pk_metrics_counter_get(fc, NULL, &pk_c) || pk_metrics_histogram_get(fh, NULL, &pk_h))
            die("perfkit setup failed");
        /* the registry lives until exit */
    }
#ifdef WITH_PCC
    if (impl == PCC) {
        pcc_c = prom_counter_new("bench_total", "Bench.", 0, NULL);
        prom_histogram_buckets_t *b = prom_histogram_buckets_new(
            NBOUNDS, bounds[0], bounds[1], bounds[2], bounds[3], bounds[4], bounds[5],
            bounds[6], bounds[7], bounds[8], bounds[9], bounds[10]);
        pcc_h = b ? prom_histogram_new("bench_seconds", "Bench.", b, 0, NULL) : NULL;
        if (!pcc_c || !pcc_h)
            die("prometheus-client-c setup failed");
    }
#endif
}

int main(int argc, char **argv)
{
    if (argc < 4 || argc > 5)
        die("usage: metrics_bench perfkit|mutex|pcc counter|histogram THREADS [TARGET_MS]");
    if (!strcmp(argv[1], "perfkit"))
        impl = PERFKIT;
    else if (!strcmp(argv[1], "mutex"))
        impl = MUTEX;
    else if (!strcmp(argv[1], "pcc")) {
#ifndef WITH_PCC
        die("built without prometheus-client-c (-DWITH_PCC)");
#endif
        impl = PCC;
    } else
        die("unknown implementation");
    if (!strcmp(argv[2], "counter"))
        op = COUNTER;
    else if (!strcmp(argv[2], "histogram"))
        op = HISTOGRAM;
    else
        die("unknown operation");
    int nthreads = atoi(argv[3]);
    double target_ms = argc > 4 ? atof(argv[4]) : 200;
    if (nthreads < 1 || nthreads > 64 || !(target_ms > 0))
        die("bad THREADS or TARGET_MS");
    setup();

    /* calibrate single-threaded: grow until a loop takes >= 20 ms, then scale */
    uint64_t n = 1000, t, made = 0;
    for (;;) {
        uint64_t t0 = now_ns();
        run_loop(n);
        made += n;
        t = now_ns() - t0;
        if (t >= 20000000u || n >= (1u << 30))
            break;
        n *= 4;
    }
    iters = (uint64_t)((double)n * target_ms * 1e6 / (double)t);
    if (iters < 1000)
        iters = 1000;

    struct span spans[64];
    pthread_barrier_init(&start_line, NULL, (unsigned)nthreads);
    for (int i = 0; i < nthreads; i++)
        if (pthread_create(&spans[i].tid, NULL, thread_main, &spans[i]))
            die("pthread_create failed");
    for (int i = 0; i < nthreads; i++)
        pthread_join(spans[i].tid, NULL);
    uint64_t first = UINT64_MAX, last = 0;
    double ns = 0;
    for (int i = 0; i < nthreads; i++) {
        first = spans[i].t0 < first ? spans[i].t0 : first;
        last = spans[i].t1 > last ? spans[i].t1 : last;
        ns += (double)(spans[i].t1 - spans[i].t0) / (double)iters;
    }
    ns /= nthreads;
    double mops = (double)iters * nthreads / ((double)(last - first) / 1e9) / 1e6;

    /* sanity: every update was counted */
    made += (iters + 1) * (uint64_t)nthreads;
    double want = (double)made, got = -1;
    if (impl == PERFKIT)
        got = op == COUNTER ? pk_metrics_counter_value(pk_c)
                            : (double)pk_metrics_histogram_count(pk_h);
    else if (impl == MUTEX)
        got = op == COUNTER ? (double)mcounter.count : (double)mhist.count;
    if (got >= 0 && got != want) {
        fprintf(stderr, "metrics_bench: lost updates: %.0f counted, %.0f made\n", got, want);
        return 1;
    }
    printf("%s %s %d %llu %.3f %.1f\n", argv[1], argv[2], nthreads, (unsigned long long)iters,
           ns, mops);
    return 0;
}
