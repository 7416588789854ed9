/* cmdbench_result.c — a `perfkit bench` result into the result model: one
 * benchmark per command, one series per figure measured in every run
 * (pk_cmd_result_metric), never zeros for what was not measured. perfkit's
 * own resident size at each spawn goes along as the "rss_floor" series. */
#include "perfkit/cmdbench.h"

#include <stdio.h>

#include "perfkit/alloc.h"
#include "perfkit/figure.h"

/* One benchmark from one command of a `perfkit bench` result. */
static pk_err add_cmd(pk_resultset *rs, const pk_cmdbench_result *r, const pk_cmd_result *c,
                      const char *name)
{
    pk_bench_data *b;
    pk_err e = pk_resultset_add(rs, name, &b);
    if (e != PK_OK)
        return e;
    double *buf = pk_reallocarray(NULL, c->n_runs ? c->n_runs : 1, sizeof *buf);
    if (!buf)
        return PK_ENOMEM;
    for (int m = 0; m < PK_METRIC_COUNT && e == PK_OK; m++) {
        size_t n = c->n_runs ? pk_cmd_result_metric(c, (pk_metric)m, buf) : 0;
        if (!n)
            continue;   /* not measured here: absent, never zeros */
        const char *fig = pk_metric_name((pk_metric)m);
        if (m >= PK_METRIC_COUNTER0 && pk_bench_data_get(b, fig))
            continue;   /* the instructions counter duplicates "instructions" */
        e = pk_bench_data_put(b, fig, pk_figure_kind(fig), buf, n);
    }
    /* perfkit's own size at each spawn: the floor under "rss" (run.h) */
    size_t nf = 0;
    for (size_t k = 0; e == PK_OK && k < c->n_runs; k++)
        if (c->runs[k].rss_floor_bytes)
            buf[nf++] = (double)c->runs[k].rss_floor_bytes;
    if (e == PK_OK && nf == c->n_runs && nf && pk_bench_data_get(b, "rss"))
        e = pk_bench_data_put(b, PK_RSS_FLOOR_FIGURE, PK_UNIT_SIZE, buf, nf);
    pk_free(buf);
    if (e == PK_OK)
        e = pk_bench_data_set_primary(b, r->measure == PK_MEASURE_INSTRUCTIONS ? "instructions"
                                         : r->measure == PK_MEASURE_HEAP       ? "heap.peak"
                                                                                : "wall");
    if (e == PK_OK && c->failed) {
        char msg[256];
        if (c->failure.timed_out)
            snprintf(msg, sizeof msg, "run %zu timed out", c->failed_run);
        else if (c->failure.term_signal)
            snprintf(msg, sizeof msg, "run %zu was killed by signal %d", c->failed_run,
                     c->failure.term_signal);
        else
            snprintf(msg, sizeof msg, "%s %zu failed with exit code %d",
                     c->failed_in_warmup ? "warm-up run" : "run", c->failed_run,
                     c->failure.exit_code);
        e = pk_bench_data_set_error(b, msg);
        if (e == PK_OK && c->stderr_tail && *c->stderr_tail)
            e = pk_bench_data_set_stderr_tail(b, c->stderr_tail);
    }
    return e;
}

pk_err pk_resultset_add_cmdbench(pk_resultset *rs, const pk_cmdbench_result *r,
                                 const char *const *names)
{
    if (!rs || !r)
        return PK_EINVAL;
    for (size_t i = 0; i < r->n_cmds; i++) {
        const char *name = names ? names[i] : r->cmds[i].name;
        pk_err e = add_cmd(rs, r, &r->cmds[i], name);
        if (e != PK_OK)
            return e;
    }
    return PK_OK;
}
