/* microbench_pk.c — the functions of microbench_gb.cc, written for perfkit's
 * microbenchmarks (bench/microbench.sh compares the two). Keep both files in
 * step: same bodies, same names, same arguments, and the matching loop form:
 * *_loop use pk_bench_loop() against GB's KeepRunning() (a counter in
 * memory), the others PK_BENCH_LOOP / pk_bench_iterations() against GB's
 * range-for (a counter in a register). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "perfkit/bench.h"

/* Harness overhead: an empty body, in each loop form. */
static void BM_empty_loop(pk_bench_state *st)
{
    while (pk_bench_loop(st)) {
    }
}
PK_BENCHMARK(BM_empty_loop);

static void BM_empty_batch(pk_bench_state *st)
{
    for (uint64_t i = pk_bench_iterations(st); i--;) {
    }
}
PK_BENCHMARK(BM_empty_batch);

/* An empty body that the compiler must keep (a memory clobber per iteration). */
static void BM_clobber_loop(pk_bench_state *st)
{
    while (pk_bench_loop(st))
        pk_clobber_memory();
}
PK_BENCHMARK(BM_clobber_loop);

static void BM_clobber_batch(pk_bench_state *st)
{
    for (uint64_t i = pk_bench_iterations(st); i--;)
        pk_clobber_memory();
}
PK_BENCHMARK(BM_clobber_batch);

/* A few ns of dependent arithmetic, in both loop forms. */
static void BM_hash_loop(pk_bench_state *st)
{
    uint64_t x = 0x9e3779b97f4a7c15u;
    while (pk_bench_loop(st)) {
        x ^= x >> 31;
        x *= 0xbf58476d1ce4e5b9u;
        PK_DO_NOT_OPTIMIZE(x);
    }
}
PK_BENCHMARK(BM_hash_loop);

static void BM_hash(pk_bench_state *st)
{
    uint64_t x = 0x9e3779b97f4a7c15u;
    PK_BENCH_LOOP(st) {
        x ^= x >> 31;
        x *= 0xbf58476d1ce4e5b9u;
        PK_DO_NOT_OPTIMIZE(x);
    }
}
PK_BENCHMARK(BM_hash);

static void BM_memcpy(pk_bench_state *st)
{
    size_t n = (size_t)pk_bench_arg(st, 0);
    /* 64-byte aligned: malloc alignment differs between the two programs */
    char *src = aligned_alloc(64, (n + 63) / 64 * 64), *dst = aligned_alloc(64, (n + 63) / 64 * 64);
    memset(src, 'x', n);
    PK_BENCH_LOOP(st) {
        memcpy(dst, src, n);
        pk_clobber_memory();
    }
    pk_bench_set_bytes(st, (double)n);
    free(src);
    free(dst);
}
PK_BENCHMARK_ARGS(BM_memcpy, 64, 4096);

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* Copy a fixed shuffled array and sort it: all timed. */
static void BM_qsort(pk_bench_state *st)
{
    size_t n = (size_t)pk_bench_arg(st, 0);
    int *in = malloc(n * sizeof *in), *v = malloc(n * sizeof *v);
    uint32_t seed = 1;
    for (size_t i = 0; i < n; i++)
        in[i] = (int)(seed = seed * 1664525u + 1013904223u);
    PK_BENCH_LOOP(st) {
        memcpy(v, in, n * sizeof *v);
        qsort(v, n, sizeof *v, cmp_int);
        pk_clobber_memory();
    }
    pk_bench_set_items(st, (double)n);
    free(in);
    free(v);
}
PK_BENCHMARK_ARGS(BM_qsort, 512);

PK_BENCH_MAIN()
