// microbench_gb.cc — the functions of microbench_pk.c for Google Benchmark
// (libbenchmark-dev); bench/microbench.sh compares the two. Same bodies,
// names and arguments; GB's two loop forms stand in for perfkit's two.
#include <benchmark/benchmark.h>
#include <cstdint>
#include <cstdlib>
#include <cstring>

static void BM_empty_loop(benchmark::State &state)   // GB's KeepRunning form
{
    while (state.KeepRunning()) {
    }
}
BENCHMARK(BM_empty_loop);

static void BM_empty_batch(benchmark::State &state)  // GB's range-for form
{
    for (auto _ : state) {
    }
}
BENCHMARK(BM_empty_batch);

static void BM_clobber_loop(benchmark::State &state)
{
    while (state.KeepRunning())
        benchmark::ClobberMemory();
}
BENCHMARK(BM_clobber_loop);

static void BM_clobber_batch(benchmark::State &state)
{
    for (auto _ : state)
        benchmark::ClobberMemory();
}
BENCHMARK(BM_clobber_batch);

static void BM_hash_loop(benchmark::State &state)
{
    uint64_t x = 0x9e3779b97f4a7c15u;
    while (state.KeepRunning()) {
        x ^= x >> 31;
        x *= 0xbf58476d1ce4e5b9u;
        benchmark::DoNotOptimize(x);
    }
}
BENCHMARK(BM_hash_loop);

static void BM_hash(benchmark::State &state)
{
    uint64_t x = 0x9e3779b97f4a7c15u;
    for (auto _ : state) {
        x ^= x >> 31;
        x *= 0xbf58476d1ce4e5b9u;
        benchmark::DoNotOptimize(x);
    }
}
BENCHMARK(BM_hash);

static void BM_memcpy(benchmark::State &state)
{
    size_t n = static_cast<size_t>(state.range(0));
    // 64-byte aligned: malloc alignment differs between the two programs
    size_t cap = (n + 63) / 64 * 64;
    char *src = static_cast<char *>(aligned_alloc(64, cap)), *dst = static_cast<char *>(aligned_alloc(64, cap));
    memset(src, 'x', n);
    for (auto _ : state) {
        memcpy(dst, src, n);
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(n));
    free(src);
    free(dst);
}
BENCHMARK(BM_memcpy)->Arg(64)->Arg(4096);

static int cmp_int(const void *a, const void *b)
{
    int x = *static_cast<const int *>(a), y = *static_cast<const int *>(b);
    return (x > y) - (x < y);
}

static void BM_qsort(benchmark::State &state)
{
    size_t n = static_cast<size_t>(state.range(0));
    int *in = static_cast<int *>(malloc(n * sizeof *in)), *v = static_cast<int *>(malloc(n * sizeof *v));
    uint32_t seed = 1;
    for (size_t i = 0; i < n; i++)
        in[i] = static_cast<int>(seed = seed * 1664525u + 1013904223u);
    for (auto _ : state) {
        memcpy(v, in, n * sizeof *v);
        qsort(v, n, sizeof *v, cmp_int);
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(n));
    free(in);
    free(v);
}
BENCHMARK(BM_qsort)->Arg(512);

BENCHMARK_MAIN();
