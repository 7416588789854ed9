/* gate_quality_prog.c — the program under test of bench/gate_quality.sh.
 *
 *   prog long     runs WORK_LONG steps  (the script calibrates it to ~20 ms)
 *   prog short    runs WORK_SHORT steps (~2 ms, spawn cost included)
 *
 * The script copies this file into a scratch git repository as prog.c and
 * commits it on `main` and on candidate branches whose only change is the
 * two loop-count constants below, grown so that a run takes 3, 5, 10%
 * longer (the loop grows a little more, since the process start-up stays
 * the same); the A/A candidate changes a comment only. The loop is the
 * 64-bit LCG of cpu20.c: no memory traffic, no I/O, nothing the compiler
 * can fold away. Built in the scratch repository with `cc -O2 -o prog
 * prog.c`; not part of the Makefile. */
#include <stdint.h>
#include <string.h>

#define WORK_LONG 2000000ull   /* replaced by the script */
#define WORK_SHORT 200000ull   /* replaced by the script */

int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    uint64_t n;
    if (strcmp(argv[1], "long") == 0)
        n = WORK_LONG;
    else if (strcmp(argv[1], "short") == 0)
        n = WORK_SHORT;
    else
        return 2;
    uint64_t x = 1;
    for (uint64_t i = 0; i < n; i++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        __asm__ volatile("" : "+r"(x));   /* keep every step */
    }
    return (int)(x & 0);   /* always 0, but depends on x */
}
