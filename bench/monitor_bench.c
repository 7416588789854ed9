/* monitor_bench.c — the cost of one full perfkit monitor sample.
 *
 *   monitor_bench PID MS [nopss]
 *
 * Opens a sampler on PID (defaults: PSS from smaps_rollup, cgroup files;
 * "nopss" leaves smaps_rollup out) and calls pk_monitor_sampler_read in a
 * loop for about MS ms of wall time. Prints one line: CPU ns per sample
 * (user + system of this process: what a sample costs, less sensitive to
 * other load than wall time), wall ns per sample, samples, and the fds and
 * threads seen. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "perfkit/monitor.h"

static double now_ns(clockid_t c)
{
    struct timespec ts;
    clock_gettime(c, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
    if (argc < 3)
        return 2;
    pk_monitor_sampler_opts o;
    pk_monitor_sampler_opts_init(&o);
    o.pss = !(argc > 3 && !strcmp(argv[3], "nopss"));
    pk_monitor_sampler *s;
    pk_diag d;
    if (pk_monitor_sampler_new((pid_t)atoi(argv[1]), &o, &s, &d) != PK_OK) {
        fprintf(stderr, "monitor_bench: %s\n", d.message);
        return 1;
    }
    pk_monitor_sample x;
    for (int i = 0; i < 100; i++)   /* warm-up */
        if (pk_monitor_sampler_read(s, &x) != PK_OK)
            return 1;
    double budget = atof(argv[2]) * 1e6, t0 = now_ns(CLOCK_MONOTONIC), t;
    double c0 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
    long n = 0;
    do {
        for (int i = 0; i < 100; i++)
            if (pk_monitor_sampler_read(s, &x) != PK_OK)
                return 1;
        n += 100;
        t = now_ns(CLOCK_MONOTONIC);
    } while (t - t0 < budget);
    double cpu = now_ns(CLOCK_PROCESS_CPUTIME_ID) - c0;
    printf("%.1f %.1f %ld fds=%.0f threads=%.0f\n", cpu / (double)n, (t - t0) / (double)n, n,
           x.v[PK_MON_FDS], x.v[PK_MON_THREADS]);
    pk_monitor_sampler_free(s);
    return 0;
}
