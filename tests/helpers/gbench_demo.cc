// gbench_demo.cc — a tiny Google Benchmark program for perfkit's tests:
// one plain benchmark, one with user counters and bytes processed, one
// that reports an error, one whose counter is always 0 (with repetitions
// Google Benchmark 1.7.1 writes a bare NaN, not JSON, for its cv). Build: g++ -O2 gbench_demo.cc -lbenchmark
// -lbenchmark_main -lpthread.
#include <benchmark/benchmark.h>
#include <cstring>
#include <vector>

static void BM_Sum(benchmark::State &state)
{
    std::vector<int> v(static_cast<size_t>(state.range(0)), 1);
    for (auto _ : state) {
        long s = 0;
        for (int x : v)
            s += x;
        benchmark::DoNotOptimize(s);
    }
}
BENCHMARK(BM_Sum)->Arg(64)->Arg(512);

static void BM_Copy(benchmark::State &state)
{
    std::vector<char> a(4096, 'x'), b(4096);
    for (auto _ : state) {
        std::memcpy(b.data(), a.data(), a.size());
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * 4096);
    state.counters["items"] = 42;
    state.counters["rate"] = benchmark::Counter(1, benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Copy)->Unit(benchmark::kMicrosecond);

static void BM_Fails(benchmark::State &state)
{
    for (auto _ : state)
        state.SkipWithError("no input file");
}
BENCHMARK(BM_Fails);

static void BM_Zero(benchmark::State &state)
{
    long n = 0;
    for (auto _ : state)
        benchmark::DoNotOptimize(n += 1);
    state.counters["errors"] = 0;
}
BENCHMARK(BM_Zero);
