/* metric.c — pull one figure (pk_metric) out of a command's runs as a sample.
 *
 * Pure functions of pk_run_result: wall/user/sys/rss/faults/context switches
 * come from rusage and are always measured; instructions and perf_event
 * counters are measured only when every run says so (instructions_ok, the
 * counters_ok bit). A figure missing from any run is "not measured" as a whole:
 * mixing measured and unmeasured runs would silently report a subset. */
#include "perfkit/cmdbench.h"

static const char *const base_names[PK_METRIC_COUNTER0] = {
    [PK_METRIC_WALL] = "wall",
    [PK_METRIC_USER] = "user",
    [PK_METRIC_SYS] = "sys",
    [PK_METRIC_RSS] = "rss",
    [PK_METRIC_MINFLT] = "minflt",
    [PK_METRIC_MAJFLT] = "majflt",
    [PK_METRIC_NVCSW] = "nvcsw",
    [PK_METRIC_NIVCSW] = "nivcsw",
    [PK_METRIC_INSTRUCTIONS] = "instructions",
};

static const char *const heap_names[] = {"heap.peak", "heap.leaked", "allocs.count",
                                         "allocs.bytes"};

const char *pk_metric_name(pk_metric m)
{
    if ((unsigned)m < PK_METRIC_COUNTER0)
        return base_names[m];
    if ((unsigned)m < PK_METRIC_HEAP_PEAK)
        return pk_counter_name((pk_counter)(m - PK_METRIC_COUNTER0));
    if ((unsigned)m < PK_METRIC_COUNT)
        return heap_names[m - PK_METRIC_HEAP_PEAK];
    return "unknown";
}

/* Whether run x has figure m; value into *v. */
static int run_metric(const pk_run_result *x, pk_metric m, double *v)
{
    switch (m) {
    case PK_METRIC_WALL:   *v = (double)x->wall_ns; return 1;
    case PK_METRIC_USER:   *v = (double)x->user_ns; return 1;
    case PK_METRIC_SYS:    *v = (double)x->sys_ns; return 1;
    case PK_METRIC_RSS:    *v = (double)x->max_rss_bytes; return 1;
    case PK_METRIC_MINFLT: *v = (double)x->minflt; return 1;
    case PK_METRIC_MAJFLT: *v = (double)x->majflt; return 1;
    case PK_METRIC_NVCSW:  *v = (double)x->nvcsw; return 1;
    case PK_METRIC_NIVCSW: *v = (double)x->nivcsw; return 1;
    case PK_METRIC_INSTRUCTIONS:
        *v = (double)x->instructions;
        return x->instructions_ok;
    case PK_METRIC_HEAP_PEAK:    *v = (double)x->heap_peak; return x->heap_ok;
    case PK_METRIC_HEAP_LEAKED:  *v = (double)x->heap_leaked; return x->heap_ok;
    case PK_METRIC_ALLOCS_COUNT: *v = (double)x->allocs_count; return x->heap_ok;
    case PK_METRIC_ALLOCS_BYTES: *v = (double)x->allocs_bytes; return x->heap_ok;
    case PK_METRIC_COUNT:
        return 0;
    default:
        break;
    }
    if ((unsigned)m >= PK_METRIC_HEAP_PEAK)
        return 0;
    unsigned c = (unsigned)m - PK_METRIC_COUNTER0;
    *v = (double)x->counters[c];
    return (x->counters_ok >> c) & 1u;
}

size_t pk_cmd_result_metric(const pk_cmd_result *r, pk_metric m, double *out)
{
    if (!r || !out || !r->runs)
        return 0;
    double v;
    for (size_t i = 0; i < r->n_runs; i++)   /* out untouched when not measured */
        if (!run_metric(&r->runs[i], m, &v))
            return 0;
    for (size_t i = 0; i < r->n_runs; i++)
        run_metric(&r->runs[i], m, &out[i]);
    return r->n_runs;
}
