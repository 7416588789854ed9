/* spans_bench.c — driver for bench/spans.sh: ns per span begin/end pair.
 *
 *   spans_bench PAIRS REPS
 *
 * Modes, interleaved within every repetition so they share the machine's
 * noise, each with 1 and 2 threads (every thread does PAIRS pairs, timed
 * with CLOCK_MONOTONIC around its loop; a repetition's figure is the mean
 * over its threads of ns/pair):
 *   pk     pk_span_begin("work") / pk_span_end() while recording
 *   off    the same calls with recording stopped (the disabled-at-run-time cost)
 *   naive  clock_gettime at begin (pushed on a thread-local stack), at end
 *          clock_gettime then lock a mutex and append {name, begin, end} to a
 *          shared growable vector (realloc doubling), unlock
 * The trace is reset and the vector freed before every repetition, so both
 * pay their allocations. Prints "MODE THREADS median min max" per line in ns,
 * plus the clock in use. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "perfkit/trace.h"

enum { M_PK, M_OFF, M_NAIVE, NMODES };
static const char *mode_names[] = {"pk", "off", "naive"};

static long pairs;

typedef struct span { const char *name; uint64_t begin, end; } span;
static struct { pthread_mutex_t mu; span *v; size_t n, cap; } naive = { PTHREAD_MUTEX_INITIALIZER, NULL, 0, 0 };
static _Thread_local uint64_t naive_stack[64];
static _Thread_local int naive_depth;

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void naive_begin(const char *name)
{
    (void)name;
    naive_stack[naive_depth++] = now_ns();
}

static void naive_end(const char *name)
{
    uint64_t end = now_ns(), begin = naive_stack[--naive_depth];
    pthread_mutex_lock(&naive.mu);
    if (naive.n == naive.cap) {
        size_t nc = naive.cap ? naive.cap * 2 : 1024;
        span *nv = realloc(naive.v, nc * sizeof *nv);
        if (!nv)
            abort();
        naive.v = nv;
        naive.cap = nc;
    }
    naive.v[naive.n++] = (span){ name, begin, end };
    pthread_mutex_unlock(&naive.mu);
}

typedef struct job { int mode; double ns_per_pair; } job;

static void *run(void *arg)
{
    job *j = arg;
    uint64_t t0 = now_ns();
    if (j->mode == M_NAIVE) {
        for (long i = 0; i < pairs; i++) {
            naive_begin("work");
            naive_end("work");
        }
    } else {
        for (long i = 0; i < pairs; i++) {
            pk_span_begin("work");
            pk_span_end();
        }
    }
    j->ns_per_pair = (double)(now_ns() - t0) / (double)pairs;
    return NULL;
}

static double one(int mode, int threads)
{
    pk_trace_reset();
    free(naive.v);
    naive.v = NULL;
    naive.n = naive.cap = 0;
    if (mode == M_PK) {
        pk_trace_opts o;
        pk_trace_opts_init(&o);
        o.max_bytes = (size_t)1 << 30;
        if (getenv("CHUNK"))
            o.chunk_events = (size_t)atol(getenv("CHUNK"));
        if (pk_trace_start(&o) != PK_OK)
            abort();
    }
    pthread_t th[2];
    job jobs[2];
    for (int i = 0; i < threads; i++) {
        jobs[i].mode = mode;
        if (pthread_create(&th[i], NULL, run, &jobs[i]) != 0)
            abort();
    }
    double sum = 0;
    for (int i = 0; i < threads; i++) {
        pthread_join(th[i], NULL);
        sum += jobs[i].ns_per_pair;
    }
    if (mode == M_PK) {
        pk_trace_stop();
        if (pk_trace_dropped() != 0)
            abort();
    }
    return sum / threads;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    pairs = argc > 1 ? atol(argv[1]) : 200000;
    int reps = argc > 2 ? atoi(argv[2]) : 21;
    if (pairs <= 0 || reps <= 0)
        return 2;
    double *res = calloc((size_t)NMODES * 2 * (size_t)reps, sizeof *res);
    if (!res)
        return 1;
    one(M_PK, 1);  /* warm-up: page faults, TSC detection */
    char clk[16];
    snprintf(clk, sizeof clk, "%s", pk_trace_clock_name());
    for (int r = 0; r < reps; r++)
        for (int k = 0; k < NMODES * 2; k++) {
            int m = (k + r) % NMODES, t = 1 + (k / NMODES + r) % 2;  /* rotate the order */
            res[((size_t)m * 2 + (size_t)(t - 1)) * (size_t)reps + (size_t)r] = one(m, t);
        }
    printf("clock %s\npairs %ld\nreps %d\n", clk, pairs, reps);
    for (int m = 0; m < NMODES; m++)
        for (int t = 1; t <= 2; t++) {
            double *v = res + ((size_t)m * 2 + (size_t)(t - 1)) * (size_t)reps;
            qsort(v, (size_t)reps, sizeof *v, cmp);
            printf("%s %d %.2f %.2f %.2f\n", mode_names[m], t, v[reps / 2], v[0], v[reps - 1]);
        }
    pk_trace_reset();
    free(naive.v);
    free(res);
    return 0;
}
