/* memknown — a program with a known heap for perfkit mem's tests: main
 * calls leak_here (1000 bytes, never freed), peak_here (10 blocks of 100000
 * bytes alive at once, then freed: the peak) and churn (50 allocations of
 * 64 bytes, each freed right away: temporaries). Built with frame pointers
 * and without inlining of these functions (Makefile). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *volatile keep;   /* the leak stays reachable only here, then not */

__attribute__((noinline)) static void leak_here(void)
{
    char *p = malloc(1000);
    memset(p, 1, 1000);
    keep = p;
    keep = NULL;
}

__attribute__((noinline)) static void peak_here(void)
{
    char *b[10];
    for (int i = 0; i < 10; i++) {
        b[i] = malloc(100000);
        memset(b[i], 2, 100000);
    }
    for (int i = 0; i < 10; i++)
        free(b[i]);
}

__attribute__((noinline)) static void churn(void)
{
    for (int i = 0; i < 50; i++) {
        char *p = malloc(64);
        memset(p, 3, 64);
        keep = p;
        free(p);
    }
}

int main(void)
{
    leak_here();
    peak_here();
    churn();
    return 0;
}
