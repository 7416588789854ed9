/* recommend.c — plain-words advice from the last sample and the RSS trend:
 * the common ways a process runs out of something. Thresholds are fixed
 * here (one table of rules below), stated in monitor.h. */
#include <stdarg.h>
#include <stdio.h>

#include "perfkit/monitor.h"

typedef struct rec_out {
    char *buf;
    size_t len, used;
    const char **out;
    size_t cap, n;
} rec_out;

__attribute__((format(printf, 2, 3)))
static void say(rec_out *r, const char *fmt, ...)
{
    if (r->n >= r->cap || r->used >= r->len)
        return;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(r->buf + r->used, r->len - r->used, fmt, ap);
    va_end(ap);
    if (k < 0 || (size_t)k >= r->len - r->used)
        return;   /* no room: left out rather than cut */
    r->out[r->n++] = r->buf + r->used;
    r->used += (size_t)k + 1;
}

size_t pk_monitor_recommend(const pk_monitor_sample *x, const pk_monitor_trend_result *rss,
                            unsigned ncpu, char *buf, size_t len, const char **out,
                            size_t cap)
{
    rec_out r = {buf, len, 0, out, cap, 0};
    if (!x || !buf || !out)
        return 0;
    if (pk_monitor_has(x, PK_MON_FD_USE) && x->v[PK_MON_FD_USE] >= 80)
        say(&r, "file descriptors near the limit: %.0f of %.0f open (%.0f%%) — raise "
                "`ulimit -n` (LimitNOFILE= under systemd) or look for descriptors never "
                "closed",
            x->v[PK_MON_FDS], x->v[PK_MON_FD_LIMIT], x->v[PK_MON_FD_USE]);
    if (pk_monitor_has(x, PK_MON_CPU) && pk_monitor_has(x, PK_MON_THREADS)) {
        double cores = x->v[PK_MON_THREADS];
        if (ncpu && cores > ncpu)
            cores = ncpu;
        if (x->v[PK_MON_CPU] >= 95 * cores)
            say(&r, "CPU saturated: %.0f%% with %.0f thread(s)%s — profile it "
                    "(`perfkit record`) or spread the work over more threads",
                x->v[PK_MON_CPU], x->v[PK_MON_THREADS],
                ncpu && x->v[PK_MON_THREADS] >= ncpu ? " on every core" : "");
    }
    if (pk_monitor_has(x, PK_MON_CGROUP_MEMORY_USE) && x->v[PK_MON_CGROUP_MEMORY_USE] >= 90)
        say(&r, "memory near the cgroup limit: %.0f%% of memory.max — the OOM killer is "
                "next; raise the limit or cut the working set",
            x->v[PK_MON_CGROUP_MEMORY_USE]);
    if ((pk_monitor_has(x, PK_MON_SWAP) && x->v[PK_MON_SWAP] > 0) ||
        (pk_monitor_has(x, PK_MON_MAJOR_FAULT_RATE) && x->v[PK_MON_MAJOR_FAULT_RATE] >= 10))
        say(&r, "swap activity: %.0f bytes swapped out, %.1f major faults/s — the machine "
                "or cgroup is short of memory",
            pk_monitor_has(x, PK_MON_SWAP) ? x->v[PK_MON_SWAP] : 0.0,
            pk_monitor_has(x, PK_MON_MAJOR_FAULT_RATE) ? x->v[PK_MON_MAJOR_FAULT_RATE] : 0.0);
    if (pk_monitor_has(x, PK_MON_PSI_MEMORY) && x->v[PK_MON_PSI_MEMORY] >= 10)
        say(&r, "memory pressure: tasks stalled on memory %.1f%% of the last 10 s",
            x->v[PK_MON_PSI_MEMORY]);
    if (rss && pk_monitor_leak_suspected(rss, 30, 1 << 20))
        say(&r, "leak suspected: RSS grows %.2f MiB/min (%.2f..%.2f at 95%%) over %.0f s — "
                "`perfkit mem` shows the call sites that keep memory",
            rss->slope * 60 / 1048576, rss->lo * 60 / 1048576, rss->hi * 60 / 1048576,
            rss->span_s);
    return r.n;
}
