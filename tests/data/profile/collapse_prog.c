/* collapse_prog.c — a small CPU-bound program with a known call tree, recorded
 * with `perf record -e cpu-clock -g` to make the perf script inputs of the
 * collapse tests (tests/data/profile/*.perf.gz). Build:
 *   cc -O1 -g -fno-omit-frame-pointer -fno-inline -o collapse_prog collapse_prog.c -lm */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static volatile double sink;

__attribute__((noinline)) static double leaf_sqrt(int n)
{
    double s = 0;
    for (int i = 1; i < n; i++)
        s += sqrt((double)i);
    return s;
}

__attribute__((noinline)) static double leaf_mul(int n)
{
    double s = 1;
    for (int i = 1; i < n; i++)
        s *= 1.0000001;
    return s;
}

__attribute__((noinline)) static double middle(int n)
{
    return leaf_sqrt(n) + leaf_mul(n / 2);
}

__attribute__((noinline)) static int cmp(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

__attribute__((noinline)) static void sorter(int n)
{
    int *v = malloc((size_t)n * sizeof *v);
    if (!v)
        return;
    for (int i = 0; i < n; i++)
        v[i] = (int)((unsigned)i * 2654435761u % 100000u);
    qsort(v, (size_t)n, sizeof *v, cmp);
    sink += v[n / 2];
    free(v);
}

int main(int argc, char **argv)
{
    int rounds = argc > 1 ? atoi(argv[1]) : 40;
    for (int r = 0; r < rounds; r++) {
        sink += middle(2000000);
        sorter(200000);
    }
    printf("%g\n", sink);
    return 0;
}
