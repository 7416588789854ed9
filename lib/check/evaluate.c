/* evaluate.c — judge a run: budgets, regressions against a baseline, sizes.
 *
 * For every configured benchmark and every result it produced ("name" or
 * "name/inner"): each budget gives a budget item, a maximum or a minimum
 * (config.h) widened by the tolerance in the lenient direction; the primary
 * figure and every budgeted figure give a regression item against the
 * baseline's same figure. The figure table (figure.h) decides how a figure
 * is judged: pk_figure_compare_opts fills in the default threshold and the
 * exact test for instruction counts, and pk_figure_change reads the
 * verdict with the figure's direction — a larger rate is IMPROVED, a larger
 * time REGRESSED. A change beyond the threshold that is not significant is
 * INCONCLUSIVE: the benchmark is too noisy to say, which is worth showing
 * but not failing on. Against history (baselines with a window) a noisy
 * figure is judged by its run-to-run drift, unpaired.c; without a window
 * two runs are compared by a within-run test (mode RUNS). With no config (perfkit compare), every benchmark of
 * the current set is compared on every figure it shares with the baseline. A
 * report with no item fails: an empty import or a filter that left nothing
 * must not read as a passing gate. The run's metadata comes in with the
 * options, so the report is complete when it leaves here. Sizes ("size:"
 * results) are judged twice: against their budgets, and, like any figure,
 * against the baseline run — exactly, being deterministic (figure table).
 * A baseline of 0 has no ratio: from_zero judges the change by significance
 * alone and the writers say "was 0". */
#include "perfkit/check.h"

#include <stdbool.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "check/check_int.h"
#include "check/profile_int.h"
#include "core/buf.h"
#include "core/file.h"
#include "perfkit/alloc.h"
#include "perfkit/figure.h"

typedef struct builder {
    pk_check_report *r;
    size_t cap;
} builder;

static pk_check_item *new_item(builder *bd, pk_check_kind kind, const char *bench,
                               const char *figure, const char *stat)
{
    pk_check_report *r = bd->r;
    if (PK__PUSH_ROOM(r->items, r->n_items, bd->cap) != PK_OK)
        return NULL;
    pk_check_item *it = &r->items[r->n_items];
    memset(it, 0, sizeof *it);
    it->kind = kind;
    it->benchmark = pk_strdup(bench);
    it->figure = pk_strdup(figure ? figure : "");
    it->stat = pk_strdup(stat ? stat : "");
    if (!it->benchmark || !it->figure || !it->stat) {
        pk_free(it->benchmark);
        pk_free(it->figure);
        pk_free(it->stat);
        return NULL;
    }
    r->n_items++;
    return it;
}

static pk_err set_note(pk_check_item *it, const char *fmt, const char *a, const char *b)
{
    char buf[512];
    snprintf(buf, sizeof buf, fmt, a, b);
    it->note = pk_strdup(buf);
    return it->note ? PK_OK : PK_ENOMEM;
}

/* Whether every "rss" sample of b sits at perfkit's own size at spawn (the
 * floor, see pk_run_result.rss_floor_bytes), i.e. says only "at most". */
static bool rss_at_floor(const pk_bench_data *b, const pk_series *rss, double *floor)
{
    const pk_series *f = pk_bench_data_get(b, PK_RSS_FLOOR_FIGURE);
    if (!f || !rss)
        return false;
    double fmax = 0, rmax = 0;
    for (size_t i = 0; i < f->n; i++)
        fmax = f->samples[i] > fmax ? f->samples[i] : fmax;
    for (size_t i = 0; i < rss->n; i++)
        rmax = rss->samples[i] > rmax ? rss->samples[i] : rmax;
    *floor = fmax;
    return rmax <= fmax + 65536.0;   /* a page table's worth of slack */
}

static pk_err budget_items(builder *bd, const pk_cfg_bench *cb, const pk_bench_data *b)
{
    for (size_t k = 0; k < cb->n_budgets; k++) {
        const pk_budget *bg = &cb->budgets[k];
        pk_check_item *it = new_item(bd, PK_ITEM_BUDGET, b->name, bg->figure, bg->stat);
        if (!it)
            return PK_ENOMEM;
        it->pos = bg->pos;
        it->bound = bg->bound;
        it->limit = bg->bound == PK_BOUND_MIN ? bg->limit * (1.0 - cb->tolerance)
                                              : bg->limit * (1.0 + cb->tolerance);
        it->unit = bg->kind;
        it->limit_text = pk_strdup(bg->text);
        if (!it->limit_text)
            return PK_ENOMEM;
        const pk_series *s = pk_bench_data_get(b, bg->figure);
        if (!s) {
            it->status = PK_CHECK_NOT_MEASURABLE;
            pk_counter ctr = pk_counter_from_name(bg->figure);
            bool hw = ctr != PK_CTR_COUNT && ctr >= PK_CTR_CYCLES;
            pk_err e = set_note(it, hw ? "`%s` is not measurable here: this machine has no "
                                         "hardware counters (a VM?)%s"
                                       : "`%s` is not reported by this benchmark%s",
                                bg->figure, "");
            if (e != PK_OK)
                return e;
            continue;
        }
        it->n_current = s->n;
        pk_err e = pk_series_stat(s, bg->stat, &it->current);
        if (e != PK_OK)
            return e;
        bool broken = it->bound == PK_BOUND_MIN ? it->current < it->limit
                                                : it->current > it->limit;
        it->status = broken ? PK_CHECK_OVER_BUDGET : PK_CHECK_PASS;
        double floor;
        if (broken && it->bound == PK_BOUND_MAX && strcmp(bg->figure, "rss") == 0 &&
            rss_at_floor(b, s, &floor)) {
            char fl[32];
            pk_units_format_size(floor, fl, sizeof fl);
            it->status = PK_CHECK_NOT_MEASURABLE;
            e = set_note(it, "`rss` reads perfkit's own size at spawn (%s), above the "
                             "budget: a peak this small cannot be measured here%s",
                         fl, "");
            if (e != PK_OK)
                return e;
        }
    }
    return PK_OK;
}

/* What a benchmark's regression items are judged against. */
typedef struct basis {
    const pk_resultset *set;      /* the baseline run: pinned, named, or the
                                     window's newest; NULL: none */
    int64_t run;
    const pk_check_window *win;   /* NULL: two runs (mode RUNS) */
} basis;

/* Whether cur differs from base beyond chance, without a ratio (a baseline
 * of 0): exact figures when their ranges do not overlap, noisy ones by the
 * rank test at co->alpha. p receives the test's p-value (exact: 0 or 1). */
static pk_err significant(const pk_series *base, const pk_series *cur,
                          const pk_compare_opts *co, bool *sig, double *p)
{
    double bmin = base->samples[0], bmax = bmin, cmin = cur->samples[0], cmax = cmin;
    for (size_t i = 1; i < base->n; i++) {
        bmin = fmin(bmin, base->samples[i]);
        bmax = fmax(bmax, base->samples[i]);
    }
    for (size_t i = 1; i < cur->n; i++) {
        cmin = fmin(cmin, cur->samples[i]);
        cmax = fmax(cmax, cur->samples[i]);
    }
    if (co->method == PK_TEST_EXACT) {
        *sig = cmin > bmax || cmax < bmin;
        *p = *sig ? 0 : 1;
        return PK_OK;
    }
    pk_test_result t;
    pk_err e = pk_stats_mann_whitney(base->samples, base->n, cur->samples, cur->n, &t);
    if (e != PK_OK)
        return e;
    *p = t.p_value;
    *sig = t.p_value < co->alpha;
    return PK_OK;
}

/* it against a baseline statistic of 0 (it->current is not 0): a change
 * with no ratio, "was 0" in every writer (check.h). Significant: the
 * direction decides, as pk__check_set_status does for a ratio; else
 * INCONCLUSIVE (beyond any threshold, not significant). */
static pk_err from_zero(pk_check_item *it, const pk_series *base, const pk_series *cur,
                        const pk_compare_opts *co)
{
    bool sig = false;
    double p = 1;
    pk_err e = significant(base, cur, co, &sig, &p);
    if (e == PK_ENOMEM)
        return e;
    it->has_cmp = false;   /* no ratio, no interval: nothing to print as one */
    it->cmp.p_value = p;
    it->cmp.verdict = !sig ? PK_VERDICT_SAME
                           : it->current > 0 ? PK_VERDICT_SLOWER : PK_VERDICT_FASTER;
    pk_change ch = pk_figure_change(it->figure, it->cmp.verdict);
    it->status = ch == PK_CHANGE_WORSE    ? PK_CHECK_REGRESSED
                 : ch == PK_CHANGE_BETTER ? PK_CHECK_IMPROVED
                                          : PK_CHECK_INCONCLUSIVE;
    if (it->status != PK_CHECK_INCONCLUSIVE)
        return PK_OK;
    char pv[32];
    snprintf(pv, sizeof pv, "%.2g", p);
    return set_note(it, "was 0: no ratio to a baseline of 0, and the change is not "
                        "significant (p = %s)%s", pv, "");
}

static pk_err regression_item(builder *bd, pk_check_kind kind, const char *name,
                              const pk_bench_data *b, const char *figure,
                              const pk_policy *pol, const basis *bs)
{
    const pk_resultset *base_set = bs->set;
    int64_t run = bs->run;
    const pk_series *cur = pk_bench_data_get(b, figure);
    if (!cur)
        return PK_OK;   /* the budget item already says it is not measurable */
    pk_compare_opts co;
    pk__check_compare_opts(pol, &co);
    pk_figure_compare_opts(figure, &co);   /* the table's threshold, exact counts */
    const char *stat = co.method == PK_TEST_MANN_WHITNEY ? "median" : "mean";
    pk_check_item *it = new_item(bd, kind, name, figure, stat);
    if (!it)
        return PK_ENOMEM;
    it->unit = cur->kind;
    it->n_current = cur->n;
    pk_err e = pk_series_stat(cur, stat, &it->current);
    if (e != PK_OK)
        return e;
    const pk_bench_data *bb = base_set ? pk_resultset_find(base_set, b->name) : NULL;
    const pk_series *base = bb ? pk_bench_data_get(bb, figure) : NULL;
    if (!base) {
        it->status = PK_CHECK_NO_BASELINE;   /* a note only when it is not obvious */
        return bb ? set_note(it, "the baseline run has no `%s`%s", figure, "") : PK_OK;
    }
    it->baseline_run = run;
    it->pinned = bs->win && bs->win->pinned;
    it->mode = PK_CHECK_MODE_HISTORY;
    it->n_baseline = base->n;
    if ((e = pk_series_stat(base, stat, &it->baseline)) != PK_OK)
        return e;
    double fc, fb;
    if (strcmp(figure, "rss") == 0 && rss_at_floor(b, cur, &fc) && rss_at_floor(bb, base, &fb)) {
        char fl[32];
        pk_units_format_size(fc > fb ? fc : fb, fl, sizeof fl);
        it->status = PK_CHECK_PASS;   /* both sides only say "at most the floor" */
        return set_note(it, "at perfkit's measurement floor (%s) in both runs: the program's "
                            "own peak is below it%s", fl, "");
    }
    it->mode = bs->win ? PK_CHECK_MODE_HISTORY : PK_CHECK_MODE_RUNS;
    if (bs->win && co.method != PK_TEST_EXACT)   /* noisy: judged by the drift */
        return pk__check_unpaired(it, cur, base, &co, bs->win);
    if (it->baseline == 0 && it->current != 0 && base->n && cur->n)
        return from_zero(it, base, cur, &co);   /* no ratio: "was 0" */
    e = pk_stats_compare(base->samples, base->n, cur->samples, cur->n, &co, &it->cmp);
    if (e == PK_ENOMEM)
        return e;
    if (e != PK_OK) {
        it->status = PK_CHECK_INCONCLUSIVE;
        return set_note(it, "cannot compare: %s%s", pk_strerror(e),
                        co.method == PK_TEST_WELCH ? " (Welch needs 2 runs on each side)" : "");
    }
    it->has_cmp = true;
    pk__check_set_status(it, co.threshold);
    return PK_OK;
}

/* Paired mode: figure of b against the same figure of bb, the base side
 * measured in this job; sample i of each came from block i. Exact figures
 * (instruction counts) compare exactly as in history mode; noisy ones by
 * pk_stats_paired_compare on the per-block ratios. */
static pk_err paired_item(builder *bd, const pk_bench_data *b, const char *figure,
                          const pk_policy *pol, const pk_bench_data *bb, int64_t run)
{
    const pk_series *cur = pk_bench_data_get(b, figure);
    if (!cur)
        return PK_OK;   /* the budget item already says it is not measurable */
    pk_compare_opts co;
    pk__check_compare_opts(pol, &co);
    pk_figure_paired_compare_opts(figure, &co);   /* 2% by default: drift cancels */
    bool exact = co.method == PK_TEST_EXACT;
    const char *stat = exact ? "mean" : "median";
    pk_check_item *it = new_item(bd, PK_ITEM_REGRESSION, b->name, figure, stat);
    if (!it)
        return PK_ENOMEM;
    it->unit = cur->kind;
    it->n_current = cur->n;
    it->mode = PK_CHECK_MODE_PAIRED;
    pk_err e = pk_series_stat(cur, stat, &it->current);
    if (e != PK_OK)
        return e;
    const pk_series *base = pk_bench_data_get(bb, figure);
    if (!base) {
        it->status = PK_CHECK_NO_BASELINE;
        it->mode = PK_CHECK_MODE_NONE;
        return set_note(it, "the base side of the paired run has no `%s`%s", figure, "");
    }
    it->baseline_run = run;
    it->n_baseline = base->n;
    if ((e = pk_series_stat(base, stat, &it->baseline)) != PK_OK)
        return e;
    size_t n = cur->n < base->n ? cur->n : base->n;
    if (it->baseline == 0 && it->current != 0 && base->n && cur->n)
        return from_zero(it, base, cur, &co);   /* no ratio: "was 0" */
    if (exact)
        e = pk_stats_compare(base->samples, base->n, cur->samples, cur->n, &co, &it->cmp);
    else
        e = pk_stats_paired_compare(base->samples, cur->samples, n, &co, &it->cmp);
    if (e == PK_ENOMEM)
        return e;
    if (e != PK_OK) {
        it->status = PK_CHECK_INCONCLUSIVE;
        return set_note(it, "cannot compare the pairs: %s%s", pk_strerror(e), "");
    }
    it->has_cmp = true;
    pk__check_set_status(it, co.threshold);
    /* the exact signed-rank test of m pairs cannot go below p = 2 / 2^m */
    if (!exact && n < 30 && 2.0 / (double)(1u << n) >= co.alpha) {
        char what[96];
        snprintf(what, sizeof what, "%zu pairs", n);
        return set_note(it, "only %s: too few for the signed-rank test to reach p < alpha "
                            "(raise runs or repetitions)%s", what, "");
    }
    return PK_OK;
}

/* Which comparison judges b: the pairing when the base side has it. */
typedef struct judge {
    basis hist;                     /* history's baseline */
    const pk_bench_data *paired;    /* the base side of this job, or NULL */
    int64_t paired_run;
    const char *unpaired_note;      /* paired mode, b not paired: why */
    const char *base_error;         /* ... and the base side's error, if it failed */
} judge;

static pk_err judge_figure(builder *bd, const pk_bench_data *b, const char *figure,
                           const pk_policy *pol, const judge *j)
{
    if (j->paired)
        return paired_item(bd, b, figure, pol, j->paired, j->paired_run);
    size_t before = bd->r->n_items;
    pk_err e = regression_item(bd, PK_ITEM_REGRESSION, b->name, b, figure, pol, &j->hist);
    if (e == PK_OK && j->unpaired_note && bd->r->n_items > before) {
        /* why it is not paired comes first; history's own note follows */
        pk_check_item *it = &bd->r->items[bd->r->n_items - 1];
        char *had = it->note;
        it->note = NULL;
        char why[600];
        snprintf(why, sizeof why, j->base_error ? "%s (%s)" : "%s%s", j->unpaired_note,
                 j->base_error ? j->base_error : "");
        e = set_note(it, had ? "%s: judged against history; %s" : "%s: judged against "
                     "history%s", why, had ? had : "");
        pk_free(had);
    }
    return e;
}

static pk_err bench_items(builder *bd, const pk_cfg_bench *cb, const pk_bench_data *b,
                          const judge *how)
{
    if (b->error) {
        pk_check_item *it = new_item(bd, PK_ITEM_BUDGET, b->name, "", "");
        if (!it)
            return PK_ENOMEM;
        it->status = PK_CHECK_ERROR;
        it->elapsed_s = (double)b->elapsed_ns / 1e9;
        it->note = pk_strdup(b->error);
        if (it->note && b->stderr_tail && !(it->stderr_tail = pk_strdup(b->stderr_tail)))
            return PK_ENOMEM;
        return it->note ? PK_OK : PK_ENOMEM;
    }
    pk_err e = PK_OK;
    if (cb)
        e = budget_items(bd, cb, b);
    pk_policy def;
    pk_policy_init(&def);
    const pk_policy *pol = cb ? &cb->policy : &def;
    if (e == PK_OK && b->primary)
        e = judge_figure(bd, b, b->primary, pol, how);
    for (size_t k = 0; cb && e == PK_OK && k < cb->n_budgets; k++) {
        const char *fig = cb->budgets[k].figure;
        bool seen = b->primary && strcmp(fig, b->primary) == 0;
        for (size_t j = 0; j < k && !seen; j++)
            seen = strcmp(cb->budgets[j].figure, fig) == 0;
        if (!seen)
            e = judge_figure(bd, b, fig, pol, how);
    }
    /* without a config (compare), every figure the two runs share */
    for (size_t k = 0; !cb && e == PK_OK && k < b->n_series; k++)
        if ((!b->primary || strcmp(b->series[k].figure, b->primary) != 0) &&
            strcmp(b->series[k].figure, PK_RSS_FLOOR_FIGURE) != 0)
            e = judge_figure(bd, b, b->series[k].figure, pol, how);
    return e;
}

/* The sizes of file b ("size:<path>") against the baseline run's: one size
 * regression item per compression measured, judged by the figure table
 * (sizes are exact: threshold 0, any change is real). */
static pk_err size_changes(builder *bd, const pk_bench_data *b, const basis *bs)
{
    pk_policy def;
    pk_policy_init(&def);
    pk_err e = PK_OK;
    for (size_t k = 0; e == PK_OK && k < b->n_series; k++) {
        const char *fig = b->series[k].figure;
        if (pk_compression_from_name(fig) != PK_SIZE_COUNT)
            e = regression_item(bd, PK_ITEM_SIZE_REGRESSION, b->name + 5, b, fig, &def, bs);
    }
    return e;
}

static pk_err size_items(builder *bd, const pk_config *c, const pk_resultset *cur)
{
    for (size_t i = 0; i < c->n_sizes; i++) {
        const pk_size_budget *sb = &c->sizes[i];
        for (size_t j = 0; j < cur->n; j++) {
            const pk_bench_data *b = &cur->benches[j];
            if (strncmp(b->name, "size:", 5) != 0 || !pk__glob_match(sb->pattern, b->name + 5))
                continue;
            for (int k = 0; k < PK_SIZE_COUNT; k++) {
                if (!sb->has[k])
                    continue;
                const char *cname = pk_compression_name((pk_compression)k);
                const pk_series *s = pk_bench_data_get(b, cname);
                pk_check_item *it = new_item(bd, PK_ITEM_SIZE, b->name + 5, cname, "size");
                if (!it)
                    return PK_ENOMEM;
                it->pos = sb->pos;
                it->unit = PK_UNIT_SIZE;
                it->limit = sb->limit[k];
                it->limit_text = pk_strdup(sb->text[k]);
                if (!it->limit_text)
                    return PK_ENOMEM;
                if (!s) {
                    it->status = PK_CHECK_NOT_MEASURABLE;
                    continue;
                }
                it->current = s->samples[0];
                it->n_current = 1;
                it->status = it->current > it->limit ? PK_CHECK_OVER_BUDGET : PK_CHECK_PASS;
            }
        }
    }
    return PK_OK;
}

void pk_check_report_free(pk_check_report *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n_items; i++) {
        pk_check_item *it = &r->items[i];
        pk_free(it->benchmark);
        pk_free(it->figure);
        pk_free(it->stat);
        pk_free(it->limit_text);
        pk_free(it->note);
        pk_free(it->stderr_tail);
    }
    pk_free(r->items);
    pk__check_warnings_free(r);
    pk__check_profiles_free(r);
    pk_free(r);
}

pk_err pk_check_evaluate(const pk_config *c, const pk_resultset *current,
                         const pk_check_baselines *baselines, const pk_check_opts *o,
                         pk_check_report **out)
{
    if (!current || !out)
        return PK_EINVAL;
    *out = NULL;
    builder bd = {pk_calloc(1, sizeof *bd.r), 0};
    if (!bd.r)
        return PK_ENOMEM;
    bd.r->strict = o && o->strict;
    if (o && o->run)
        bd.r->run = *o->run;
    if (c)
        snprintf(bd.r->config_path, sizeof bd.r->config_path, "%s", c->path);
    pk__check_owners owners;
    pk_err e = pk__check_owners_init(&owners, c);
    for (size_t j = 0; j < current->n && e == PK_OK; j++) {
        const pk_bench_data *b = &current->benches[j];
        basis hist = {
            .set = baselines && baselines->sets ? baselines->sets[j] : NULL,
            .run = baselines && baselines->run_ids ? baselines->run_ids[j] : 0,
            .win = baselines && baselines->windows ? &baselines->windows[j] : NULL,
        };
        if (strncmp(b->name, "size:", 5) == 0) {
            e = size_changes(&bd, b, &hist);   /* never paired: against history */
            continue;
        }
        const pk_cfg_bench *cb = pk__check_owner(&owners, b->name);
        if (c && !cb)
            continue;   /* not from this config */
        judge jd = {
            .hist = hist,
        };
        const pk_resultset *pr = baselines ? baselines->paired : NULL;
        if (pr) {
            const pk_bench_data *pb = pk_resultset_find(pr, b->name);
            if (pb && !pb->error) {
                jd.paired = pb;
                jd.paired_run = baselines->paired_run;
            } else if (pb) {
                jd.unpaired_note = "the base side of the paired run failed";
                jd.base_error = pb->error;
            } else {
                jd.unpaired_note = cb && cb->kind == PK_BENCH_IMPORT
                    ? "imports cannot be paired"
                    : "not in the base tree (a new benchmark?)";
            }
        }
        size_t first = bd.r->n_items;
        e = bench_items(&bd, cb, b, &jd);
        for (size_t k = first; k < bd.r->n_items; k++)
            bd.r->items[k].elapsed_s = (double)b->elapsed_ns / 1e9;
    }
    pk__check_owners_free(&owners);
    if (e == PK_OK && c)
        e = size_items(&bd, c, current);
    if (e != PK_OK) {
        pk_check_report_free(bd.r);
        return e;
    }
    pk_check_report *r = bd.r;
    r->failed = r->n_items == 0;   /* a gate that checked nothing never passes */
    for (size_t i = 0; i < r->n_items; i++) {
        pk_check_status s = r->items[i].status;
        r->count[s]++;
        if (pk_check_status_fails(s, r->strict))
            r->failed = true;
    }
    *out = r;
    return PK_OK;
}
