/* unpaired.c — the unpaired verdict: this run against its history.
 *
 * Samples of two invocations are not exchangeable (the machine drifts
 * between them by more than the spread inside either), so no within-run
 * test decides here. Each earlier run of the window (baseline.c) gives one
 * run-level statistic (its median, or mean); pk_stats_drift judges this
 * run's against them: the baseline is their robust centre (or the pinned /
 * named run), the noise their run-to-run spread. A noisy figure REGRESSES
 * only beyond both the threshold and that drift; beyond the threshold but
 * inside the drift it is INCONCLUSIVE. With fewer than PK_CHECK_MIN_HISTORY
 * earlier runs the drift is unknown: beyond the threshold is INCONCLUSIVE
 * and the note says how to get a verdict (--pair, or instruction counts).
 * The model and its assumptions: docs/check.md, "How the gate decides". */
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "perfkit/alloc.h"
#include "perfkit/figure.h"
#include "check/check_int.h"

static pk_err note(pk_check_item *it, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static pk_err note(pk_check_item *it, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    pk_free(it->note);
    it->note = pk_strdup(buf);
    return it->note ? PK_OK : PK_ENOMEM;
}

static const char *branch_of(const pk_check_window *w)
{
    return w->branch[0] ? w->branch : "any branch";
}

/* The standard error of the current statistic on the log scale, from the
 * run's own samples (1.2533 robust SD / sqrt n): the least the run-to-run
 * spread can be, since every run-level statistic carries it. */
static pk_err own_error(const pk_series *cur, double *se)
{
    *se = 0;
    if (cur->n < 2)
        return PK_OK;
    double *y = pk_malloc(cur->n * sizeof *y);
    if (!y)
        return PK_ENOMEM;
    size_t n = 0;
    for (size_t i = 0; i < cur->n; i++)
        if (cur->samples[i] > 0 && isfinite(cur->samples[i]))
            y[n++] = log(cur->samples[i]);
    double med = 0, mad = 0;
    pk_err e = n >= 2 ? pk_stats_percentile(y, n, 50, &med) : PK_OK;
    for (size_t i = 0; e == PK_OK && n >= 2 && i < n; i++)
        y[i] = fabs(y[i] - med);
    if (e == PK_OK && n >= 2)
        e = pk_stats_percentile(y, n, 50, &mad);
    pk_free(y);
    if (e == PK_OK && n >= 2)
        *se = 1.2533 * 1.4826 * mad / sqrt((double)n);
    return e == PK_ENOMEM ? e : PK_OK;
}

/* k >= PK_CHECK_MIN_HISTORY run-level statistics in vals. */
static pk_err drift_verdict(pk_check_item *it, const pk_series *cur, const double *vals,
                            size_t k, const pk_compare_opts *co, const pk_check_window *w)
{
    pk_drift_opts o;
    pk_drift_opts_init(&o);
    o.alpha = co->alpha;
    o.ref = w->fixed ? it->baseline : 0;
    pk_err e = own_error(cur, &o.floor);
    if (e != PK_OK)
        return e;
    pk_drift d;
    if ((e = pk_stats_drift(vals, k, it->current, &o, &d)) != PK_OK)
        return e;
    if (!w->fixed) {
        it->baseline = d.centre;
        it->baseline_run = 0;   /* no one run: the centre of the window */
    }
    it->spread = d.spread;
    it->has_cmp = true;
    it->cmp.ratio = d.ratio;
    it->cmp.ratio_ci = (pk_ci){d.ratio, d.lo, d.hi};
    it->cmp.p_value = d.p_value;
    it->cmp.statistic = strcmp(it->stat, "median") == 0 ? PK_STAT_MEDIAN : PK_STAT_MEAN;
    it->cmp.verdict = pk_stats_verdict(&it->cmp, co);
    pk__check_set_status(it, co->threshold);
    const char *what = w->fixed ? "against the pinned or named run" : "against their median";
    if (it->status == PK_CHECK_INCONCLUSIVE)
        return note(it, "inside the run-to-run drift of the last %zu runs on %s here "
                        "(\xc2\xb1%.1f%% run to run): not significant %s",
                    k, branch_of(w), 100 * d.spread, what);
    if (it->status == PK_CHECK_REGRESSED || it->status == PK_CHECK_IMPROVED)
        return note(it, "beyond the run-to-run drift of the last %zu runs on %s here "
                        "(\xc2\xb1%.1f%% run to run), %s",
                    k, branch_of(w), 100 * d.spread, what);
    return PK_OK;
}

/* Fewer than PK_CHECK_MIN_HISTORY earlier runs (or a statistic of 0, which
 * has no logarithm): the drift is unknown. */
static pk_err few_runs(pk_check_item *it, const pk_series *cur, const pk_series *base,
                       size_t k, const pk_compare_opts *co, const pk_check_window *w)
{
    /* the within-run comparison is shown (ratio, interval, p), never decides */
    pk_err e = pk_stats_compare(base->samples, base->n, cur->samples, cur->n, co, &it->cmp);
    if (e == PK_ENOMEM)
        return e;
    it->has_cmp = e == PK_OK;
    double ratio = it->baseline != 0 ? it->current / it->baseline
                                     : (it->current == 0 ? 1.0 : INFINITY);
    it->status = fabs(ratio - 1.0) > co->threshold ? PK_CHECK_INCONCLUSIVE : PK_CHECK_PASS;
    if (k >= PK_CHECK_MIN_HISTORY)   /* enough runs, but a value of 0 */
        return it->status == PK_CHECK_PASS
                   ? PK_OK
                   : note(it, "a value of 0: the run-to-run drift is judged on the log "
                              "scale, so it cannot be here (the within-run p does not "
                              "decide)");
    char runs[64];
    if (k == 0)
        snprintf(runs, sizeof runs, "no earlier run");
    else
        snprintf(runs, sizeof runs, "only %zu earlier run%s", k, k == 1 ? "" : "s");
    return note(it, "%s on %s on this machine: run-to-run noise unknown (the within-run p "
                    "does not decide) \xe2\x80\x94 use --pair or measure: instructions",
                runs, branch_of(w));
}

pk_err pk__check_unpaired(pk_check_item *it, const pk_series *cur, const pk_series *base,
                          const pk_compare_opts *co, const pk_check_window *w)
{
    it->mode = PK_CHECK_MODE_HISTORY;
    double *vals = pk_malloc((w->n ? w->n : 1) * sizeof *vals);
    if (!vals)
        return PK_ENOMEM;
    size_t k = 0;
    pk_err e = PK_OK;
    for (size_t i = 0; e == PK_OK && i < w->n; i++) {
        const pk_bench_data *bd = w->sets[i] ? pk_resultset_find(w->sets[i], it->benchmark)
                                             : NULL;
        const pk_series *s = bd ? pk_bench_data_get(bd, it->figure) : NULL;
        double v = 0;
        if (s && s->n && (e = pk_series_stat(s, it->stat, &v)) == PK_OK && v > 0 &&
            isfinite(v))
            vals[k++] = v;
        if (e != PK_ENOMEM)
            e = PK_OK;
    }
    it->n_runs = k;
    bool logs = it->current > 0 && isfinite(it->current) && (!w->fixed || it->baseline > 0);
    if (e == PK_OK)
        e = k >= PK_CHECK_MIN_HISTORY && logs ? drift_verdict(it, cur, vals, k, co, w)
                                              : few_runs(it, cur, base, k, co, w);
    pk_free(vals);
    return e;
}
