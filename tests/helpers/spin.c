/* spin — burn CPU for perfkit's tests and benchmarks.
 *   spin ITERATIONS     fixed work: ITERATIONS steps of a 64-bit LCG, so the
 *                       instruction count is deterministic (a "5% slower"
 *                       variant is simply 1.05x the iterations)
 *   spin --ms N         busy until N ms of this process's CPU time have passed */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int main(int argc, char **argv)
{
    volatile uint64_t sink;
    uint64_t x = 1;
    if (argc == 3 && strcmp(argv[1], "--ms") == 0) {
        uint64_t end = cpu_ns() + strtoull(argv[2], NULL, 10) * 1000000u;
        while (cpu_ns() < end)
            for (int i = 0; i < 10000; i++)
                x = x * 6364136223846793005u + 1442695040888963407u;
    } else if (argc == 2) {
        uint64_t n = strtoull(argv[1], NULL, 10);
        for (uint64_t i = 0; i < n; i++)
            x = x * 6364136223846793005u + 1442695040888963407u;
    } else {
        fprintf(stderr, "usage: spin ITERATIONS | spin --ms N\n");
        return 2;
    }
    sink = x;
    (void)sink;
    return 0;
}
