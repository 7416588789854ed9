// profcpp.cc — perfkit record's C++ test program: its hot functions have
// mangled names (a function template in a namespace, a const method), so
// the recording shows whether they are demangled. Like profhot.c, the
// loops are in the hot functions themselves (samples land there) and each
// first calls enter() (not a leaf: the frame-pointer walk keeps main).
// ns::hot<int> runs 7 units for every 3 of ns::Worker::step: 70% / 30% of
// the instructions. Usage: profcpp [ROUNDS] (default 200).
#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace {
constexpr std::uint64_t UNIT = 100000;
std::uint64_t sink;

__attribute__((noinline)) std::uint64_t enter(std::uint64_t x)
{
    __asm__ volatile("" : "+r"(x));
    return x;
}
}  // namespace

namespace ns {
template <typename T> __attribute__((noinline)) std::uint64_t hot(T x)
{
    std::uint64_t v = enter(static_cast<std::uint64_t>(x));
    for (std::uint64_t i = 0; i < 7 * UNIT; i++) {
        v = v * 6364136223846793005ULL + 1442695040888963407ULL;
        __asm__ volatile("" : "+r"(v));
    }
    return v;
}

struct Worker {
    __attribute__((noinline)) std::uint64_t step(std::uint64_t x) const
    {
        x = enter(x);
        for (std::uint64_t i = 0; i < 3 * UNIT; i++) {
            x = x * 6364136223846793005ULL + 1442695040888963407ULL;
            __asm__ volatile("" : "+r"(x));
        }
        return x;
    }
};
}  // namespace ns

int main(int argc, char **argv)
{
    long rounds = argc > 1 ? std::strtol(argv[1], nullptr, 10) : 200;
    ns::Worker w;
    std::uint64_t x = 1;
    for (long r = 0; r < rounds; r++)
        x = w.step(ns::hot<int>(static_cast<int>(x)));
    sink = x;
    std::printf("%llu\n", static_cast<unsigned long long>(sink & 0xff));
    return 0;
}
