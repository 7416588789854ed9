/* pkgdemo.c — the smallest program using an installed libperfkit, built
 * with `pkg-config --cflags --libs perfkit` (make installcheck does). It
 * summarizes a sample and compares two with the library's verdict. */
#include <perfkit/perfkit.h>
#include <stdio.h>

int main(void)
{
    const double base[] = {10.1, 10.3, 9.9, 10.0, 10.2, 10.1, 9.8, 10.0};
    const double cand[] = {12.2, 12.0, 12.4, 11.9, 12.1, 12.3, 12.0, 12.2};
    pk_summary s;
    pk_comparison c;
    if (pk_stats_summarize(base, 8, &s) != PK_OK ||
        pk_stats_compare(base, 8, cand, 8, NULL, &c) != PK_OK)
        return 1;
    printf("perfkit %s: baseline median %.2f, candidate %.2fx: %s (p = %.2g)\n", pk_version(),
           s.median, c.ratio, pk_verdict_name(c.verdict), c.p_value);
    return c.verdict == PK_VERDICT_SLOWER ? 0 : 1;
}
