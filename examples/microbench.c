/* microbench.c — a complete microbenchmark program with perfkit/bench.h:
 * an empty loop, an integer hash, memcpy with bytes/s over a range of sizes,
 * and qsort of N ints with items/s and a user counter.
 *
 * Build: cc -O2 microbench.c $(pkg-config --cflags --libs perfkit) -o microbench
 * Run:   ./microbench --filter=memcpy --min-time=0.2s
 *        ./microbench --benchmark_format=json   (Google Benchmark's flags work) */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "perfkit/bench.h"

/* The harness alone: what one iteration of the loop costs. */
static void bm_empty(pk_bench_state *st)
{
    while (pk_bench_loop(st)) {
    }
}
PK_BENCHMARK(bm_empty);

/* A few ns of arithmetic the compiler must keep. */
static void bm_hash(pk_bench_state *st)
{
    uint64_t x = 0x9e3779b97f4a7c15u;
    while (pk_bench_loop(st)) {
        x ^= x >> 31;
        x *= 0xbf58476d1ce4e5b9u;
        PK_DO_NOT_OPTIMIZE(x);
    }
}
PK_BENCHMARK(bm_hash);

/* memcpy of n bytes: 8 B, 64 B, ... 8 KiB; throughput in bytes/s. */
static void bm_memcpy(pk_bench_state *st)
{
    size_t n = (size_t)pk_bench_arg(st, 0);
    char *src = malloc(n), *dst = malloc(n);
    if (!src || !dst) {
        pk_bench_skip_with_error(st, "out of memory");
        free(src);
        free(dst);
        return;
    }
    memset(src, 'x', n);
    while (pk_bench_loop(st)) {
        memcpy(dst, src, n);
        pk_clobber_memory();
    }
    pk_bench_set_bytes(st, (double)n);
    free(src);
    free(dst);
}
PK_BENCHMARK_RANGE(bm_memcpy, 8, 8 << 10);

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* qsort of n pseudo-random ints; refilling the array is not timed. */
static void bm_qsort(pk_bench_state *st)
{
    size_t n = (size_t)pk_bench_arg(st, 0);
    int *v = malloc(n * sizeof *v);
    if (!v) {
        pk_bench_skip_with_error(st, "out of memory");
        return;
    }
    uint32_t seed = 1;
    while (pk_bench_loop(st)) {
        pk_bench_pause_timing(st);
        for (size_t i = 0; i < n; i++)
            v[i] = (int)(seed = seed * 1664525u + 1013904223u);
        pk_bench_resume_timing(st);
        qsort(v, n, sizeof *v, cmp_int);
    }
    pk_bench_set_items(st, (double)n);
    pk_bench_counter(st, "n", (double)n);
    free(v);
}
PK_BENCHMARK_ARGS(bm_qsort, 64, 512, 4096);

PK_BENCH_MAIN()
