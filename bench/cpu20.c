/* cpu20.c — a CPU-bound command of adjustable length for bench/.
 *
 *   cpu20 ITERATIONS
 *
 * Runs ITERATIONS steps of a 64-bit LCG that the compiler cannot fold away,
 * touching no memory beyond its stack and doing no I/O: its instruction count
 * is a fixed function of ITERATIONS (a few instructions per step plus the
 * process start-up), so 1.05 x ITERATIONS is 5% more work in any mode. The
 * scripts calibrate ITERATIONS to ~20 ms of wall time on the machine at hand.
 * Built by the bench scripts with `cc -O2`; not part of the Makefile. */
#include <stdint.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    uint64_t n = strtoull(argv[1], NULL, 10), x = 1;
    for (uint64_t i = 0; i < n; i++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        __asm__ volatile("" : "+r"(x));   /* keep every step */
    }
    return (int)(x & 0);   /* always 0, but depends on x */
}
