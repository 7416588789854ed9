/* dashboard.c — what the HTML report shows, read from a history.
 *
 * Only perfkit/store.h and perfkit/check.h are used, so every store
 * backend serves. pk_check_history_new chooses each benchmark's figure
 * (its primary figure in the latest run) and gives the points; the branch
 * filter and the last-N cut apply to those; each point's samples then give
 * the 95% confidence interval of its median by order statistics (the
 * ranks n/2 ± 1.96·√n/2: distribution-free, Conover, "Practical
 * Nonparametric Statistics", 3rd ed., §3.2); change points come from
 * pk_stats_changepoints over the shown values. The latest run's baseline
 * is the store's (pk_store_find_baseline: pinned, else the newest earlier
 * run on the baseline branch on the same machine). */
#include "dashboard/dash_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "perfkit/alloc.h"

void pk_dashboard_opts_init(pk_dashboard_opts *o)
{
    memset(o, 0, sizeof *o);
    o->title = "perfkit report";
    o->last = 30;
    o->stat = "median";
    o->profiles = 8;
}

static void free_bench(pk__dash_bench *b)
{
    pk_free(b->name);
    pk_free(b->figure);
    pk_free(b->pts);
    pk_free(b->cps);
    pk_free(b->latest);
    pk_free(b->base);
    pk_free(b->folded);
    pk_free(b->base_folded);
}

static void free_item(pk__dash_item *it)
{
    pk_free(it->benchmark);
    pk_free(it->figure);
    pk_free(it->stat);
    pk_free(it->limit_text);
}

void pk_dashboard_free(pk_dashboard *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n; i++)
        free_bench(&d->b[i]);
    pk_free(d->b);
    for (size_t i = 0; i < d->n_items; i++)
        free_item(&d->items[i]);
    pk_free(d->items);
    pk_store_free_names(d->branches, d->n_branches);
    pk_store_free_names(d->machines, d->n_machines);
    pk_free(d->title);
    pk_free(d->stat);
    pk_free(d->branch_filter);
    pk_free(d);
}

size_t pk_dashboard_benchmarks(const pk_dashboard *d)
{
    return d ? d->n : 0;
}

/* The index of s in (*list)[0..*n-1], added when missing; (size_t)-1 on
 * ENOMEM. The lists are short (branches, machines): a linear search. */
static size_t intern(char ***list, size_t *n, const char *s)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*list)[i], s) == 0)
            return i;
    char **grown = pk_reallocarray(*list, *n + 1, sizeof *grown);
    if (!grown)
        return (size_t)-1;
    *list = grown;
    if (!(grown[*n] = pk_strdup(s)))
        return (size_t)-1;
    return (*n)++;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int cmp_run_desc(const void *key, const void *elem)
{
    int64_t k = *(const int64_t *)key, id = ((const pk_run_meta *)elem)->id;
    return (k < id) - (k > id);
}

/* The 95% CI of the median of sorted x[0..n-1] by order statistics; NaN
 * for fewer than 6 samples (the interval would be the whole range). */
static void median_ci(const double *x, size_t n, double *lo, double *hi)
{
    *lo = *hi = NAN;
    if (n < 6)
        return;
    double h = 1.96 * sqrt((double)n) / 2;
    double j = floor((double)n / 2 - h), k = ceil(1 + (double)n / 2 + h);
    size_t a = j < 1 ? 1 : (size_t)j, b = k > (double)n ? n : (size_t)k;
    *lo = x[a - 1];
    *hi = x[b - 1];
}

/* The samples of figure in benchmark name of run id, sorted, into *out. */
static pk_err samples_of(pk_store *st, int64_t id, const char *name, const char *figure,
                         double **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    pk_resultset *rs = NULL;
    pk_err e = pk_store_get_bench(st, id, name, &rs);
    if (e == PK_ENOENT)
        return PK_OK;
    if (e != PK_OK)
        return e;
    const pk_bench_data *bd = pk_resultset_find(rs, name);
    const pk_series *s = bd ? pk_bench_data_get(bd, figure) : NULL;
    if (s && s->n) {
        if (!(*out = pk_malloc(s->n * sizeof **out))) {
            pk_resultset_free(rs);
            return PK_ENOMEM;
        }
        memcpy(*out, s->samples, s->n * sizeof **out);
        qsort(*out, s->n, sizeof **out, cmp_double);
        *n = s->n;
    }
    pk_resultset_free(rs);
    return PK_OK;
}

typedef struct collect {
    pk_store *st;
    const pk_dashboard_opts *o;
    pk_dashboard *d;
    pk_run_meta *runs;     /* newest first */
    size_t n_runs;
    pk_diag *diag;
} collect;

static const pk_run_meta *run_of(const collect *c, int64_t id)
{
    return bsearch(&id, c->runs, c->n_runs, sizeof *c->runs, cmp_run_desc);
}

static pk_err fail(collect *c, pk_err e, const char *what)
{
    pk_diag_set(c->diag, "", 0, 0, "%s: %s", what,
                e == PK_ENOMEM ? pk_strerror(e) : pk_store_last_error(c->st));
    return e;
}

/* The stored CPU profile of benchmark name with run id, or none. */
static pk_err profile_of(collect *c, int64_t id, const char *name, char **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    if (id <= 0)
        return PK_OK;
    pk_err e = pk_store_get_profile(c->st, id, name, "cpu", out, len);
    return e == PK_ENOENT ? PK_OK : e;
}

/* The points of series s that pass the branch filter, the last o->last. */
static pk_err points(collect *c, const pk_check_history_series *s, pk__dash_bench *b)
{
    const char *want = c->o->branch;
    size_t keep = 0;
    for (size_t i = 0; i < s->n; i++)
        keep += !want || strcmp(s->rows[i].point.branch, want) == 0;
    size_t skip = c->o->last && keep > c->o->last ? keep - c->o->last : 0;
    if (!(b->pts = pk_calloc(keep ? keep : 1, sizeof *b->pts)))
        return PK_ENOMEM;
    pk_dashboard *d = c->d;
    for (size_t i = 0; i < s->n; i++) {
        const pk_history_point *hp = &s->rows[i].point;
        if (want && strcmp(hp->branch, want) != 0)
            continue;
        if (skip) {
            skip--;
            continue;
        }
        pk__dash_point *p = &b->pts[b->n];
        const pk_run_meta *m = run_of(c, hp->run_id);
        p->run = hp->run_id;
        p->started_unix_ns = hp->started_unix_ns;
        memcpy(p->commit, hp->commit, sizeof p->commit);
        p->value = hp->value;
        p->n = hp->n;
        p->branch = intern(&d->branches, &d->n_branches, hp->branch);
        p->machine = intern(&d->machines, &d->n_machines, m ? m->fingerprint : "");
        if (p->branch == (size_t)-1 || p->machine == (size_t)-1)
            return PK_ENOMEM;
        double *x = NULL;
        size_t nx = 0;
        pk_err e = samples_of(c->st, hp->run_id, b->name, b->figure, &x, &nx);
        if (e != PK_OK)
            return e;
        median_ci(x, nx, &p->lo, &p->hi);
        if (++b->n == keep) {   /* the latest: its samples stay */
            b->latest = x;
            b->n_latest = nx;
        } else {
            pk_free(x);
        }
    }
    return PK_OK;
}

/* The baseline of b's latest run, its samples and both runs' profiles. */
static pk_err baseline(collect *c, pk__dash_bench *b, bool with_profiles)
{
    const pk__dash_point *last = &b->pts[b->n - 1];
    const pk_run_meta *m = run_of(c, last->run);
    const char *fp = m ? m->fingerprint : NULL;
    const char *branch = c->o->config ? c->o->config->baseline_branch : NULL;
    pk_err e = pk_store_find_baseline(c->st, b->name, branch, fp, last->run, &b->base_run);
    if (e == PK_OK && !b->base_run && branch)
        e = pk_store_find_baseline(c->st, b->name, NULL, fp, last->run, &b->base_run);
    if (e == PK_OK && b->base_run)
        e = samples_of(c->st, b->base_run, b->name, b->figure, &b->base, &b->n_base);
    if (e == PK_OK && with_profiles)
        e = profile_of(c, last->run, b->name, &b->folded, &b->folded_len);
    if (e == PK_OK && b->folded)
        e = profile_of(c, b->base_run, b->name, &b->base_folded, &b->base_folded_len);
    return e;
}

static pk_err changes(pk__dash_bench *b)
{
    if (b->n < 6)
        return PK_OK;
    double *v = pk_malloc(b->n * sizeof *v);
    if (!v)
        return PK_ENOMEM;
    for (size_t i = 0; i < b->n; i++)
        v[i] = b->pts[i].value;
    pk_err e = pk_stats_changepoints(v, b->n, NULL, &b->cps, &b->n_cps);
    pk_free(v);
    return e;
}

static pk_err benches(collect *c)
{
    pk_check_history_opts ho;
    pk_check_history_opts_init(&ho);
    ho.stat = c->d->stat;
    ho.limit = c->o->branch ? 0 : c->o->last;
    pk_check_history *h = NULL;
    pk_err e = pk_check_history_new(c->st, &ho, &h, c->diag);
    if (e != PK_OK)
        return e;
    pk_dashboard *d = c->d;
    if (!(d->b = pk_calloc(h->n ? h->n : 1, sizeof *d->b))) {
        pk_check_history_free(h);
        return PK_ENOMEM;
    }
    size_t profiles = c->o->profiles;
    for (size_t i = 0; i < h->n && e == PK_OK; i++) {
        const pk_check_history_series *s = &h->series[i];
        pk__dash_bench *b = &d->b[d->n];
        b->name = pk_strdup(s->benchmark);
        b->figure = pk_strdup(s->figure);
        b->unit = s->unit;
        b->dir = pk_figure_direction(s->figure);
        if (!b->name || !b->figure)
            e = PK_ENOMEM;
        if (e == PK_OK)
            e = points(c, s, b);
        if (e == PK_OK && !b->n) {   /* nothing on the branch asked for */
            free_bench(b);
            memset(b, 0, sizeof *b);
            continue;
        }
        d->n++;
        if (e == PK_OK)
            e = baseline(c, b, profiles > 0);
        if (e == PK_OK && b->folded)
            profiles--;
        if (e == PK_OK)
            e = changes(b);
    }
    pk_check_history_free(h);
    if (e != PK_OK && !c->diag->message[0])
        fail(c, e, "reading the history");
    return e;
}

/* The headroom of a budget item: the share of its limit still unused. */
static double headroom(const pk_check_item *it)
{
    if (it->status == PK_CHECK_NOT_MEASURABLE || it->status == PK_CHECK_ERROR ||
        !isfinite(it->current) || !(it->limit > 0))
        return NAN;
    return it->bound == PK_BOUND_MIN ? (it->current - it->limit) / it->limit
                                     : (it->limit - it->current) / it->limit;
}

/* The items of r the summary lists: all of a check's; of the budgets
 * judged here (budgets_only) the budget and size items. */
static pk_err copy_items(pk_dashboard *d, const pk_check_report *r, bool budgets_only)
{
    d->has_check = true;
    d->check_run = r->run.id;
    memcpy(d->check_commit, r->run.commit, sizeof d->check_commit);
    d->check_failed = budgets_only ? false : r->failed;
    if (!(d->items = pk_calloc(r->n_items ? r->n_items : 1, sizeof *d->items)))
        return PK_ENOMEM;
    for (size_t i = 0; i < r->n_items; i++) {
        const pk_check_item *it = &r->items[i];
        if (budgets_only && it->kind != PK_ITEM_BUDGET && it->kind != PK_ITEM_SIZE)
            continue;
        pk__dash_item *o = &d->items[d->n_items++];
        o->kind = it->kind;
        o->status = it->status;
        o->unit = it->unit;
        o->bound = it->bound;
        o->current = it->current;
        o->limit = it->limit;
        o->baseline = it->baseline;
        o->measured = it->status != PK_CHECK_NOT_MEASURABLE && it->status != PK_CHECK_ERROR;
        o->headroom = it->kind == PK_ITEM_BUDGET || it->kind == PK_ITEM_SIZE ? headroom(it)
                                                                              : NAN;
        o->benchmark = pk_strdup(it->benchmark ? it->benchmark : "");
        o->figure = pk_strdup(it->figure ? it->figure : "");
        o->stat = pk_strdup(it->stat ? it->stat : "");
        o->limit_text = pk_strdup(it->limit_text ? it->limit_text : "");
        if (!o->benchmark || !o->figure || !o->stat || !o->limit_text)
            return PK_ENOMEM;
        if (budgets_only && pk_check_status_fails(it->status, r->strict))
            d->check_failed = true;
    }
    return PK_OK;
}

/* No check given: the config's budgets judged on the latest run shown. */
static pk_err judge_latest(collect *c)
{
    int64_t latest = 0;
    for (size_t i = 0; i < c->d->n; i++) {
        const pk__dash_bench *b = &c->d->b[i];
        if (b->pts[b->n - 1].run > latest)
            latest = b->pts[b->n - 1].run;
    }
    if (!latest)
        return PK_OK;
    pk_run_meta meta;
    pk_resultset *rs = NULL;
    pk_err e = pk_store_get_run(c->st, latest, &meta, &rs);
    if (e != PK_OK)
        return fail(c, e, "reading the latest run");
    pk_check_opts eo;
    pk_check_opts_init(&eo);
    eo.run = &meta;
    pk_check_report *r = NULL;
    e = pk_check_evaluate(c->o->config, rs, NULL, &eo, &r);
    pk_resultset_free(rs);
    if (e == PK_OK)
        e = copy_items(c->d, r, true);
    pk_check_report_free(r);
    return e;
}

pk_err pk_dashboard_new(pk_store *st, const pk_dashboard_opts *o, pk_dashboard **out,
                        pk_diag *diag)
{
    pk_diag scratch;
    if (!diag)
        diag = &scratch;
    diag->message[0] = '\0';
    if (out)
        *out = NULL;
    if (!out || (!st && !(o && o->check))) {
        pk_diag_set(diag, "", 0, 0, "pk_dashboard_new: NULL argument");
        return PK_EINVAL;
    }
    pk_dashboard_opts defaults;
    if (!o) {
        pk_dashboard_opts_init(&defaults);
        o = &defaults;
    }
    const char *stat = o->stat ? o->stat : "median";
    if (!pk_series_stat_valid(stat)) {
        pk_diag_set(diag, "", 0, 0, "unknown statistic `%s` (mean, median, min, max, "
                    "stddev, mad or pN such as p95)", stat);
        return PK_EINVAL;
    }
    pk_dashboard *d = pk_calloc(1, sizeof *d);
    if (!d) {
        pk_diag_set(diag, "", 0, 0, "out of memory");
        return PK_ENOMEM;
    }
    collect c = {.st = st, .o = o, .d = d, .diag = diag};
    d->title = pk_strdup(o->title ? o->title : "perfkit report");
    d->stat = pk_strdup(stat);
    d->branch_filter = o->branch ? pk_strdup(o->branch) : NULL;
    pk_err e = d->title && d->stat && (d->branch_filter || !o->branch) ? PK_OK : PK_ENOMEM;
    if (st && e == PK_OK && (e = pk_store_list_runs(st, 0, &c.runs, &c.n_runs)) != PK_OK)
        fail(&c, e, "listing the runs");
    d->n_runs = c.n_runs;
    if (st && e == PK_OK)
        e = benches(&c);
    if (e == PK_OK && o->branch && c.n_runs && !d->n) {
        pk_diag_set(diag, "", 0, 0, "no run on branch `%s` in history", o->branch);
        e = PK_ENOENT;
    }
    if (e == PK_OK && o->check)
        e = copy_items(d, o->check, false);
    else if (e == PK_OK && o->config)
        e = judge_latest(&c);
    pk_free(c.runs);
    if (e != PK_OK) {
        if (e == PK_ENOMEM && !diag->message[0])
            pk_diag_set(diag, "", 0, 0, "out of memory");
        pk_dashboard_free(d);
        return e;
    }
    *out = d;
    return PK_OK;
}
