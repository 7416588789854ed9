/* sortdemo.c — the bundled example workload: sort N pseudo-random 32-bit keys
 * with qsort() or with an LSD radix sort, so `make example` has two real
 * programs to compare.
 *   usage: sortdemo qsort|radix N */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static void radix_sort(uint32_t *a, uint32_t *tmp, size_t n)
{
    for (int shift = 0; shift < 32; shift += 8) {
        size_t count[257] = {0};
        for (size_t i = 0; i < n; i++)
            count[((a[i] >> shift) & 0xff) + 1]++;
        for (int b = 0; b < 256; b++)
            count[b + 1] += count[b];
        for (size_t i = 0; i < n; i++)
            tmp[count[(a[i] >> shift) & 0xff]++] = a[i];
        memcpy(a, tmp, n * sizeof *a);
    }
}

int main(int argc, char **argv)
{
    if (argc != 3 || (strcmp(argv[1], "qsort") != 0 && strcmp(argv[1], "radix") != 0)) {
        fprintf(stderr, "usage: sortdemo qsort|radix N\n");
        return 2;
    }
    size_t n = strtoul(argv[2], NULL, 10);
    uint32_t *a = malloc(n * sizeof *a), *tmp = malloc(n * sizeof *tmp);
    if (!a || !tmp)
        return 1;
    uint32_t x = 2463534242u;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13; x ^= x >> 17; x ^= x << 5;
        a[i] = x;
    }
    if (argv[1][0] == 'q')
        qsort(a, n, sizeof *a, cmp_u32);
    else
        radix_sort(a, tmp, n);
    for (size_t i = 1; i < n; i++)
        if (a[i - 1] > a[i])
            return 1;
    free(a);
    free(tmp);
    return 0;
}
