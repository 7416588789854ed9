/* inputs_scale.c — how long perfkit takes to read a big input, and how much
 * memory: a perfkit.yml with many benchmarks, an import with many results.
 *
 * usage: inputs_scale parse FILE [REPEAT]    pk_config_load (YAML → benchmarks)
 *        inputs_scale config FILE [REPEAT]   pk_config_load + pk_config_validate
 *                                            (which also looks up every program)
 *        inputs_scale import FILE [REPEAT]   pk_ingest_file (format detected)
 *
 * Runs the call REPEAT times (default 3) in this process and prints, one
 * "key value" line each: n (benchmarks read), median_s and min_s (wall time
 * per call, CLOCK_MONOTONIC), and maxrss_kib (peak resident size of the
 * process, getrusage). bench/inputs_scale.sh drives it; it builds against
 * any libperfkit, so the same file measures an older perfkit too. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include "perfkit/perfkit.h"

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* One call; the number of benchmarks it read. Exits on error. */
static size_t once(const char *mode, const char *file)
{
    pk_diag d;
    memset(&d, 0, sizeof d);
    char msg[1400];
    size_t n = 0;
    pk_err e;
    if (strcmp(mode, "import") != 0) {
        pk_config *c = NULL;
        e = pk_config_load(file, &c, &d);
        if (e == PK_OK && strcmp(mode, "config") == 0)
            e = pk_config_validate(c, &d);
        if (c)
            n = c->n_benches;
        pk_config_free(c);
    } else {
        pk_resultset *rs = NULL;
        e = pk_resultset_new(&rs);
        if (e == PK_OK)
            e = pk_ingest_file(file, PK_IMPORT_AUTO, NULL, rs, &d);
        if (rs)
            n = rs->n;
        pk_resultset_free(rs);
    }
    if (e != PK_OK) {
        fprintf(stderr, "inputs_scale: %s: %s\n", pk_strerror(e),
                pk_diag_format(&d, msg, sizeof msg));
        exit(1);
    }
    return n;
}

int main(int argc, char **argv)
{
    if (argc < 3 ||
        (strcmp(argv[1], "parse") && strcmp(argv[1], "config") && strcmp(argv[1], "import"))) {
        fprintf(stderr, "usage: inputs_scale parse|config|import FILE [REPEAT]\n");
        return 2;
    }
    int repeat = argc > 3 ? atoi(argv[3]) : 3;
    if (repeat < 1 || repeat > 1000)
        repeat = 3;
    double t[1000];
    size_t n = 0;
    for (int i = 0; i < repeat; i++) {
        double t0 = now_s();
        n = once(argv[1], argv[2]);
        t[i] = now_s() - t0;
    }
    qsort(t, (size_t)repeat, sizeof t[0], cmp_d);
    double med = repeat % 2 ? t[repeat / 2] : (t[repeat / 2 - 1] + t[repeat / 2]) / 2;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("n %zu\nmedian_s %.4f\nmin_s %.4f\nmaxrss_kib %ld\n", n, med, t[0], ru.ru_maxrss);
    return 0;
}
