// gbench_sort.cc — a Google Benchmark binary for the bundled example:
// perfkit.yml runs it with JSON output and ingests every repetition.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <vector>

static std::vector<uint32_t> keys(size_t n)
{
    std::vector<uint32_t> v(n);
    uint32_t x = 2463534242u;
    for (auto &k : v) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        k = x;
    }
    return v;
}

static void BM_StdSort(benchmark::State &state)
{
    const auto input = keys(static_cast<size_t>(state.range(0)));
    for (auto _ : state) {
        state.PauseTiming();
        auto v = input;
        state.ResumeTiming();
        std::sort(v.begin(), v.end());
        benchmark::DoNotOptimize(v.data());
    }
    state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_StdSort)->Arg(1 << 10)->Arg(1 << 14);

static void BM_Accumulate(benchmark::State &state)
{
    const auto input = keys(4096);
    for (auto _ : state) {
        uint64_t sum = 0;
        for (auto k : input)
            sum += k;
        benchmark::DoNotOptimize(sum);
    }
    state.SetBytesProcessed(state.iterations() * 4096 * 4);
}
BENCHMARK(BM_Accumulate);

BENCHMARK_MAIN();
