/* profhot.c — perfkit record's test program: a known profile.
 *
 * main calls hot_a and hot_b in turn; hot_a runs 7 units of the same loop
 * for every 3 of hot_b, so 70% of the program's instructions — and of its
 * CPU time, the loop being identical — are in hot_a and 30% in hot_b
 * (startup is negligible). The shares are defined by instruction counts,
 * not by time, so they hold on a loaded machine.
 * Usage: profhot [ROUNDS [A_UNITS]] (default 1000 rounds: ~1.5 s of CPU on a
 * 2020s x86-64; A_UNITS, default 7, changes hot_a's share: docs/profile.md's
 * walkthrough makes hot_a twice as slow with 14). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define UNIT 100000

static uint64_t sink;
static uint64_t a_units = 7;

static __attribute__((noinline)) uint64_t spin(uint64_t n, uint64_t x)
{
    for (uint64_t i = 0; i < n; i++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        __asm__ volatile("" : "+r"(x));
    }
    return x;
}

/* A call makes hot_a and hot_b non-leaf functions: gcc 12 omits a leaf's
 * frame pointer even under -mno-omit-leaf-frame-pointer, and the kernel's
 * frame-pointer walk would then skip main. */
static __attribute__((noinline)) uint64_t enter(uint64_t x)
{
    __asm__ volatile("" : "+r"(x));
    return x;
}

__attribute__((noinline)) uint64_t hot_a(uint64_t x);
__attribute__((noinline)) uint64_t hot_b(uint64_t x);

/* The loops are inlined by hand (not calls to spin) so the samples land in
 * hot_a and hot_b themselves: the leaf is the function the test names. */
__attribute__((noinline)) uint64_t hot_a(uint64_t x)
{
    x = enter(x);
    for (uint64_t i = 0; i < a_units * UNIT; i++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        __asm__ volatile("" : "+r"(x));
    }
    return x;
}

__attribute__((noinline)) uint64_t hot_b(uint64_t x)
{
    x = enter(x);
    for (uint64_t i = 0; i < 3 * UNIT; i++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        __asm__ volatile("" : "+r"(x));
    }
    return x;
}

int main(int argc, char **argv)
{
    long rounds = argc > 1 ? strtol(argv[1], NULL, 10) : 1000;
    if (argc > 2)
        a_units = strtoull(argv[2], NULL, 10);
    uint64_t x = spin(10, 1);
    for (long r = 0; r < rounds; r++)
        x = hot_b(hot_a(x));
    sink = x;
    printf("%llu\n", (unsigned long long)(sink & 0xff));
    return 0;
}
