/* analysis.c — turn a command benchmark's raw runs into a report.
 *
 * For every command and every pk_metric: pull the sample out of the runs
 * (pk_cmd_result_metric) and summarize it (pk_stats_summarize); a figure the
 * machine could not measure stays "not measured", never zero. Then compare the
 * primary figure (wall time, or instructions in deterministic mode) of every
 * command with at least 2 runs against the reference (pk_stats_compare).
 * The figure table decides what the caller left open, as in `perfkit
 * check` (pk_figure_compare_opts): the default threshold (5% for wall time,
 * 0 for instruction counts) and the exact test for deterministic counts
 * unless the caller asked for Welch. */
#include "perfkit/report.h"

#include <math.h>
#include "perfkit/alloc.h"
#include "perfkit/figure.h"

void pk_report_opts_init(pk_report_opts *o)
{
    if (!o)
        return;
    o->reference = 0;
    pk_compare_opts_init(&o->compare);
    o->compare.threshold = PK_THRESHOLD_AUTO;   /* the primary figure's, from the table */
}

static bool compare_opts_valid(const pk_compare_opts *c)
{
    if (!(c->alpha > 0 && c->alpha < 1))
        return false;
    if (!(c->threshold >= 0 && isfinite(c->threshold)) && c->threshold != PK_THRESHOLD_AUTO)
        return false;
    if (c->method != PK_TEST_MANN_WHITNEY && c->method != PK_TEST_WELCH &&
        c->method != PK_TEST_EXACT)
        return false;
    if (!(c->boot.confidence > 0 && c->boot.confidence < 1) || c->boot.resamples == 0)
        return false;
    return true;
}

/* Summarize every figure of command c into cr, using buf (capacity c->n_runs). */
static pk_err analyse_cmd(const pk_cmd_result *c, pk_cmd_report *cr, double *buf)
{
    cr->res = c;
    for (int m = 0; m < PK_METRIC_COUNT; m++) {
        size_t n = pk_cmd_result_metric(c, (pk_metric)m, buf);
        if (n == 0)
            continue;
        pk_err e = pk_stats_summarize(buf, n, &cr->fig[m].s);
        if (e == PK_ENOMEM)
            return e;
        cr->fig[m].measured = (e == PK_OK);
    }
    return PK_OK;
}

pk_err pk_bench_report_new(const pk_cmdbench_result *b, const pk_report_opts *o,
                           pk_bench_report **out)
{
    if (!out)
        return PK_EINVAL;
    *out = NULL;
    pk_report_opts defaults;
    if (!o) {
        pk_report_opts_init(&defaults);
        o = &defaults;
    }
    if (!b || (b->n_cmds && !b->cmds) || o->reference >= b->n_cmds ||
        !compare_opts_valid(&o->compare))
        return PK_EINVAL;

    pk_bench_report *r = pk_calloc(1, sizeof *r);
    if (!r)
        return PK_ENOMEM;
    r->bench = b;
    r->reference = o->reference;
    r->compare = o->compare;
    r->primary = b->measure == PK_MEASURE_INSTRUCTIONS ? PK_METRIC_INSTRUCTIONS : PK_METRIC_WALL;
    pk_figure_compare_opts(pk_metric_name(r->primary), &r->compare);
    (void)pk_machine_get(&r->machine);   /* unreadable fields stay "unknown" */

    size_t max_runs = 0;
    for (size_t i = 0; i < b->n_cmds; i++)
        if (b->cmds[i].n_runs > max_runs)
            max_runs = b->cmds[i].n_runs;

    pk_err e = PK_ENOMEM;
    double *ref = NULL;
    double *buf = NULL;
    r->cmds = pk_calloc(b->n_cmds, sizeof *r->cmds);
    ref = pk_calloc(max_runs, sizeof *ref);
    buf = pk_calloc(max_runs, sizeof *buf);
    if (!r->cmds || !ref || !buf)
        goto fail;

    for (size_t i = 0; i < b->n_cmds; i++)
        if ((e = analyse_cmd(&b->cmds[i], &r->cmds[i], buf)) != PK_OK)
            goto fail;

    size_t n_ref = pk_cmd_result_metric(&b->cmds[r->reference], r->primary, ref);
    for (size_t i = 0; n_ref >= 2 && i < b->n_cmds; i++) {
        if (i == r->reference)
            continue;
        size_t n = pk_cmd_result_metric(&b->cmds[i], r->primary, buf);
        if (n < 2)
            continue;
        pk_cmd_report *cr = &r->cmds[i];
        e = pk_stats_compare(ref, n_ref, buf, n, &r->compare, &cr->cmp);
        if (e == PK_ENOMEM)
            goto fail;
        /* Other errors (a zero baseline) leave this command uncompared. */
        cr->has_comparison = (e == PK_OK);
    }
    pk_free(ref);
    pk_free(buf);
    *out = r;
    return PK_OK;
fail:
    pk_free(ref);
    pk_free(buf);
    pk_bench_report_free(r);
    return e;
}

void pk_bench_report_free(pk_bench_report *r)
{
    if (!r)
        return;
    pk_free(r->cmds);
    pk_free(r);
}
