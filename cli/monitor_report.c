/* monitor_report.c — perfkit monitor's final report: how the run ended,
 * min / median / max / last per figure over the kept samples, totals, the
 * trends (Theil-Sen, 95%) of every level figure — rss, pss, fds and threads
 * always, the others when significant — with the leak check, the alerts that fired and
 * libperfkit's advice (pk_monitor_recommend). */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli.h"
#include "monitor.h"

/* Every level figure, memory first; not the cumulative counters (their
 * slope is the rate figure already trended: read -> read_rate) nor the
 * limits (fd_limit, cgroup_memory_max: settings, not behaviour). The first
 * MON_NALWAYS print always; the rest only when their trend is significant. */
#define MON_NALWAYS 4
const pk_monitor_figure mon_trended[MON_NTRENDED] = {
    PK_MON_RSS, PK_MON_PSS, PK_MON_FDS, PK_MON_THREADS, PK_MON_CPU, PK_MON_CPU_USER,
    PK_MON_CPU_SYS, PK_MON_VSIZE, PK_MON_SWAP, PK_MON_FD_USE, PK_MON_READ_RATE,
    PK_MON_WRITE_RATE, PK_MON_MAJOR_FAULT_RATE, PK_MON_CTXSW_RATE, PK_MON_CGROUP_MEMORY,
    PK_MON_CGROUP_MEMORY_USE, PK_MON_CGROUP_SWAP, PK_MON_PSI_CPU, PK_MON_PSI_MEMORY,
    PK_MON_PSI_IO, PK_MON_PROCESSES};

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

static void report_row(const mon_summary *r, pk_monitor_figure f, double *buf)
{
    size_t n = 0;
    for (size_t i = 0; i < r->series->n; i++)
        if (pk_monitor_has(&r->series->s[i], f))
            buf[n++] = r->series->s[i].v[f];
    if (!n)
        return;
    double last = buf[n - 1];
    qsort(buf, n, sizeof *buf, cmp_double);
    char lo[32], med[32], hi[32], la[32];
    printf("  %-12s %12s %12s %12s %12s\n", pk_monitor_figure_name(f),
           mon_format_value(f, buf[0], lo, sizeof lo),
           mon_format_value(f, buf[n / 2], med, sizeof med),
           mon_format_value(f, buf[n - 1], hi, sizeof hi), mon_format_value(f, last, la, sizeof la));
}

/* A slope per minute in its figure's unit: "120 MiB", "+2.5%", "+3/s", "+1". */
static char *slope_text(pk_monitor_figure f, double v, char *buf, size_t len)
{
    pk_monitor_unit u = pk_monitor_figure_unit(f);
    if (u == PK_MON_UNIT_BYTES || u == PK_MON_UNIT_BYTES_PER_S)
        return mon_format_value(f, v, buf, len);
    snprintf(buf, len, "%+.3g%s", v,
             u == PK_MON_UNIT_PERCENT ? "%" : u == PK_MON_UNIT_PER_S ? "/s" : "");
    return buf;
}

static void report_trends(const mon_summary *r, pk_monitor_trend_result *rss)
{
    bool header = false;
    size_t quiet = 0;
    for (size_t i = 0; i < MON_NTRENDED; i++) {
        pk_monitor_figure f = mon_trended[i];
        pk_monitor_trend_result t;
        if (pk_monitor_trend_get(r->trend[f], 0.95, &t) != PK_OK)
            continue;
        if (f == PK_MON_RSS)
            *rss = t;
        bool up = t.lo > 0 && t.p_value < 0.01, down = t.hi < 0 && t.p_value < 0.01;
        if (i >= MON_NALWAYS && !up && !down) {
            quiet++;
            continue;
        }
        if (!header) {
            printf("trends over the last %zu samples (Theil-Sen slope, 95%% interval):\n", t.n);
            header = true;
        }
        char s[32], lo[32], hi[32];
        double k = 60;
        printf("  %-12s %s/min [%s, %s]  p=%.2g%s\n", pk_monitor_figure_name(f),
               slope_text(f, t.slope * k, s, sizeof s), slope_text(f, t.lo * k, lo, sizeof lo),
               slope_text(f, t.hi * k, hi, sizeof hi), t.p_value,
               (f == PK_MON_RSS || f == PK_MON_PSS) &&
                       pk_monitor_leak_suspected(&t, 30, 1 << 20)
                   ? "  leak suspected"
                   : up ? "  growing" : down ? "  shrinking" : "  steady");
    }
    if (header && quiet)
        printf("  (%zu more figures steady)\n", quiet);
}

int mon_report(const mon_summary *r)
{
    /* to the end of the watch, not the last sample: with -i 10s a process
     * that exits at 3 s exited after 3 s */
    int64_t last_ns = r->series->n ? r->series->s[r->series->n - 1].t_ns : r->t0;
    double span = r->samples ? (double)((r->end_ns > last_ns ? r->end_ns : last_ns) - r->t0) / 1e9 : 0;
    printf("\nperfkit monitor: process %d (%s) %s after %.1f s, %zu samples every %.3g s\n",
           (int)r->pid, r->comm[0] ? r->comm : "?", r->why, span, r->samples, (double)r->interval_ns / 1e9);
    if (!r->series->n)
        return CLI_OK;
    double *buf = malloc(r->series->n * sizeof *buf);
    if (!buf)
        return CLI_INTERNAL;
    printf("  %-12s %12s %12s %12s %12s\n", "figure", "min", "median", "max", "last");
    static const pk_monitor_figure rows[] = {
        PK_MON_CPU, PK_MON_CPU_USER, PK_MON_CPU_SYS, PK_MON_RSS, PK_MON_PSS, PK_MON_VSIZE,
        PK_MON_SWAP, PK_MON_THREADS, PK_MON_FDS, PK_MON_FD_USE, PK_MON_READ_RATE,
        PK_MON_WRITE_RATE, PK_MON_MAJOR_FAULT_RATE, PK_MON_CTXSW_RATE, PK_MON_CGROUP_MEMORY,
        PK_MON_CGROUP_MEMORY_USE, PK_MON_PSI_CPU, PK_MON_PSI_MEMORY, PK_MON_PSI_IO,
        PK_MON_PROCESSES};
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        report_row(r, rows[i], buf);
    free(buf);
    const pk_monitor_sample *last = &r->series->s[r->series->n - 1];
    char a[32], b[32], c[32];
    printf("totals: %.2f s CPU; read %s in %.0f syscalls, wrote %s in %.0f syscalls; "
           "%.0f minor and %.0f major faults; %.0f voluntary and %.0f involuntary context "
           "switches\n",
           last->v[PK_MON_CPU_SECONDS],
           mon_format_value(PK_MON_READ_BYTES, last->v[PK_MON_READ_BYTES], a, sizeof a),
           last->v[PK_MON_READ_SYSCALLS],
           mon_format_value(PK_MON_WRITE_BYTES, last->v[PK_MON_WRITE_BYTES], b, sizeof b),
           last->v[PK_MON_WRITE_SYSCALLS], last->v[PK_MON_MINOR_FAULTS],
           last->v[PK_MON_MAJOR_FAULTS], last->v[PK_MON_CTXSW_VOLUNTARY],
           last->v[PK_MON_CTXSW_INVOLUNTARY]);
    (void)c;
    pk_monitor_trend_result rss = {0};
    report_trends(r, &rss);
    size_t fired[PK_MON_NLEVELS] = {0};
    for (size_t i = 0; i < r->n_events; i++)
        if (r->events[i].kind == PK_MON_FIRE)
            fired[r->events[i].level]++;
    if (pk_monitor_alerts_count(r->alerts))
        printf("alerts: %zu critical, %zu warning, %zu info fired (worst: %s)\n",
               fired[PK_MON_CRITICAL], fired[PK_MON_WARNING], fired[PK_MON_INFO],
               pk_monitor_level_name(pk_monitor_alerts_worst(r->alerts)));
    char text[2048];
    const char *lines[8];
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    size_t n = pk_monitor_recommend(last, rss.n ? &rss : NULL, ncpu > 0 ? (unsigned)ncpu : 0,
                                    text, sizeof text, lines, 8);
    if (n)
        printf("recommendations:\n");
    for (size_t i = 0; i < n; i++)
        printf("  - %s\n", lines[i]);
    return CLI_OK;
}

