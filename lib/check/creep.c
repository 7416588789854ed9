/* creep.c — the gate's creep warning: a slowdown that built up over runs.
 *
 * The regression item compares this run with one baseline run, so five
 * commits of +1.5% each pass one by one while the benchmark ends up 7%
 * slower. Here, after evaluation, each regression item's history is read
 * back: the last CREEP_WINDOW runs of the benchmark on the branch of its
 * baseline run and on this machine (the baseline policy's own choice, so a
 * laptop never mixes with CI), with this run's statistic appended. E-Divisive
 * (pk_stats_changepoints, default options) finds the change points; the
 * chain of change points at the end of the history that each shift the
 * figure for the worse by no more than the regression threshold is a creep
 * when together they add up past it (medians before the first and after the
 * last differ by more than the threshold) and the run-to-run step at its
 * start stayed below it too (one large step is what the regression item
 * itself judges, and a step the gate already passed or failed is not news). Warnings never change the verdict. A history the
 * store cannot read gives no warning rather than a failed gate; only
 * running out of memory fails. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "check/check_int.h"
#include "core/buf.h"
#include "perfkit/alloc.h"
#include "perfkit/figure.h"

enum {
    CREEP_WINDOW = 30,   /* runs of history the detector sees, this one added */
    CREEP_SCAN = 300,    /* runs of the store looked through to fill it */
};

void pk__check_warnings_free(pk_check_report *r)
{
    for (size_t i = 0; r && i < r->n_warnings; i++) {
        pk_check_warning *w = &r->warnings[i];
        pk_free(w->kind);
        pk_free(w->benchmark);
        pk_free(w->figure);
        pk_free(w->stat);
        pk_free(w->message);
    }
    if (r) {
        pk_free(r->warnings);
        r->warnings = NULL;
        r->n_warnings = 0;
    }
}

/* The regression threshold of figure in the benchmark name (its config
 * entry's policy, else the defaults), as evaluate.c applies it. */
static double threshold_of(const pk__check_owners *owners, const char *name,
                           const char *figure)
{
    pk_policy def;
    pk_policy_init(&def);
    const pk_cfg_bench *cb = pk__check_owner(owners, name);
    const pk_policy *pol = cb ? &cb->policy : &def;
    pk_compare_opts co;
    pk__check_compare_opts(pol, &co);
    pk_figure_compare_opts(figure, &co);
    return co.threshold;
}

typedef struct runlist {
    pk_run_meta *v;   /* newest first */
    size_t n;
} runlist;

static const pk_run_meta *find_run(const runlist *rl, int64_t id)
{
    for (size_t i = 0; i < rl->n; i++)
        if (rl->v[i].id == id)
            return &rl->v[i];
    return NULL;
}

/* The points of it's benchmark on branch and fingerprint fp, the last
 * CREEP_WINDOW - 1 of them, oldest first, into pts[0..*n). */
static pk_err window(pk_store *st, const pk_check_item *it, const runlist *rl,
                     const char *branch, const char *fp, pk_history_point **pts, size_t *n)
{
    *n = 0;
    pk_err e = pk_store_history(st, it->benchmark, it->figure, it->stat, CREEP_SCAN, pts, n);
    if (e != PK_OK)
        return e;
    size_t k = 0;
    for (size_t i = 0; i < *n; i++) {
        const pk_run_meta *m = find_run(rl, (*pts)[i].run_id);
        if (m && strcmp(m->branch, branch) == 0 && strcmp(m->fingerprint, fp) == 0)
            (*pts)[k++] = (*pts)[i];
    }
    size_t keep = k < CREEP_WINDOW - 1 ? k : CREEP_WINDOW - 1;
    if (keep)
        memmove(*pts, *pts + (k - keep), keep * sizeof **pts);
    *n = keep;
    return PK_OK;
}

static pk_err add_warning(pk_check_report *r, size_t *cap, const pk_check_item *it,
                          const pk_check_warning *w, const char *commit)
{
    if (PK__PUSH_ROOM(r->warnings, r->n_warnings, *cap) != PK_OK)
        return PK_ENOMEM;
    char msg[512], since[64];
    if (commit[0])
        snprintf(since, sizeof since, "commit %.7s (run #%lld)", commit, (long long)w->since_run);
    else
        snprintf(since, sizeof since, "run #%lld", (long long)w->since_run);
    snprintf(msg, sizeof msg,
             "%s %s crept %+.1f%% over the last %zu runs, since %s, each step below the %.0f%% "
             "threshold (change point p = %.2g)",
             it->figure, it->stat, w->magnitude * 100.0, w->runs, since, w->threshold * 100.0,
             w->p_value);
    pk_check_warning *dst = &r->warnings[r->n_warnings];
    *dst = *w;
    dst->kind = pk_strdup("creep");
    dst->benchmark = pk_strdup(it->benchmark);
    dst->figure = pk_strdup(it->figure);
    dst->stat = pk_strdup(it->stat);
    dst->message = pk_strdup(msg);
    r->n_warnings++;   /* freed with the report, whatever failed below */
    if (!dst->kind || !dst->benchmark || !dst->figure || !dst->stat || !dst->message)
        return PK_ENOMEM;
    return PK_OK;
}

/* The creep of one regression item, if any, into w (w->runs 0: none). */
static pk_err judge(const pk_history_point *pts, size_t n, double current, bool higher,
                    double threshold, pk_check_warning *w, char *commit, size_t len)
{
    memset(w, 0, sizeof *w);
    double *v = pk_reallocarray(NULL, n + 1, sizeof *v);
    if (!v)
        return PK_ENOMEM;
    for (size_t i = 0; i < n; i++)
        v[i] = pts[i].value;
    v[n] = current;
    pk_changepoint *cp = NULL;
    size_t nc = 0;
    pk_err e = pk_stats_changepoints(v, n + 1, NULL, &cp, &nc);
    /* A creep is a chain of change points at the end of the history, each a
     * shift for the worse no larger than the threshold, that adds up past
     * it: from the level before the chain's first change point to the
     * level after its last. A long ramp gives several such points. */
    size_t first = nc;
    double sign = higher ? -1.0 : 1.0;
    while (first > 0 && isfinite(cp[first - 1].magnitude) &&
           sign * cp[first - 1].magnitude > 0.0 && sign * cp[first - 1].magnitude <= threshold)
        first--;
    if (e == PK_OK && first < nc && cp[first].before > 0.0) {
        const pk_changepoint *head = &cp[first], *last = &cp[nc - 1];
        double total = last->after / head->before - 1.0;
        double prev = v[head->index - 1];
        double step = prev != 0.0 ? v[head->index] / prev - 1.0 : NAN;
        if (isfinite(total) && sign * total > threshold && isfinite(step) &&
            sign * step <= threshold && head->index < n + 1) {
            w->magnitude = total;
            w->threshold = threshold;
            w->p_value = head->p_value;
            for (size_t k = first + 1; k < nc; k++)   /* the weakest link of the chain */
                if (cp[k].p_value > w->p_value)
                    w->p_value = cp[k].p_value;
            w->since_run = head->index < n ? pts[head->index].run_id : 0;
            const char *cm = head->index < n ? pts[head->index].commit : "";
            snprintf(w->since_commit, sizeof w->since_commit, "%s", cm);
            snprintf(commit, len, "%s", cm);
            w->runs = n + 1 - head->index;
        }
    }
    pk_free(cp);
    pk_free(v);
    return e == PK_ENOMEM ? e : PK_OK;
}

pk_err pk__check_creep(pk_store *st, const pk_config *c, const pk_run_meta *meta,
                       pk_check_report *r)
{
    if (!st || !meta || !r)
        return PK_OK;
    runlist rl = {NULL, 0};
    pk_err e = pk_store_list_runs(st, CREEP_SCAN, &rl.v, &rl.n);
    if (e != PK_OK)
        return e == PK_ENOMEM ? e : PK_OK;
    size_t cap = r->n_warnings;
    pk__check_owners owners;
    e = pk__check_owners_init(&owners, c);
    for (size_t i = 0; e == PK_OK && i < r->n_items; i++) {
        const pk_check_item *it = &r->items[i];
        if (it->kind != PK_ITEM_REGRESSION || !isfinite(it->current) ||
            (!it->baseline_run && it->mode != PK_CHECK_MODE_HISTORY))
            continue;
        /* the baseline's branch: its run's, or for a window (no one run)
         * the baseline policy's: the baseline branch, else this run's */
        const pk_run_meta *base = it->baseline_run ? find_run(&rl, it->baseline_run) : NULL;
        if (it->baseline_run && !base)
            continue;   /* an old pinned run: outside the window anyway */
        const char *branch = base ? base->branch : c && c->baseline_branch ? c->baseline_branch
                                                                            : "main";
        pk_history_point *pts = NULL;
        size_t n = 0;
        e = window(st, it, &rl, branch, meta->fingerprint, &pts, &n);
        if (e == PK_OK && n == 0 && !base && strcmp(branch, meta->branch) != 0) {
            pk_free(pts);
            pts = NULL;
            e = window(st, it, &rl, meta->branch, meta->fingerprint, &pts, &n);
        }
        pk_check_warning w;
        char commit[41] = "";
        if (e == PK_OK)
            e = judge(pts, n, it->current,
                      pk_figure_direction(it->figure) == PK_HIGHER_IS_BETTER,
                      threshold_of(&owners, it->benchmark, it->figure), &w, commit,
                      sizeof commit);
        pk_free(pts);
        if (e == PK_OK && w.runs)
            e = add_warning(r, &cap, it, &w, commit);
        if (e != PK_OK && e != PK_ENOMEM)
            e = PK_OK;   /* a history it cannot read: no warning */
    }
    pk__check_owners_free(&owners);
    pk_free(rl.v);
    return e;
}
