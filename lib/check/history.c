/* history.c — benchmarks over the runs of a history (`perfkit history`).
 *
 * Which figure a benchmark is followed by (the one asked for, else the
 * primary figure of its latest run), the statistic per run from the store
 * (pk_store_history), and how each run moved from the one before: the
 * relative change, marked when it exceeds the threshold in the figure's
 * worse or better direction (figure.h: a time going up is slower, a rate
 * going up is faster). The writers in lib/report only print what is decided
 * here. Listing every benchmark skips those without a point of their figure
 * rather than failing on one odd benchmark. With opts.changes the shown
 * values also get their change points (E-Divisive, lib/stats/changepoint.c),
 * each with the runs and commits either side and the direction the figure
 * reads it in. */
#include "perfkit/check.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "perfkit/alloc.h"
#include "perfkit/figure.h"

void pk_check_history_opts_init(pk_check_history_opts *o)
{
    if (!o)
        return;
    memset(o, 0, sizeof *o);
    o->stat = "median";
    o->limit = 30;
    o->threshold = PK_DEFAULT_THRESHOLD;
}

static void series_free(pk_check_history_series *s)
{
    pk_free(s->benchmark);
    pk_free(s->figure);
    pk_free(s->rows);
    pk_free(s->changes);
}

void pk_check_history_free(pk_check_history *h)
{
    if (!h)
        return;
    for (size_t i = 0; i < h->n; i++)
        series_free(&h->series[i]);
    pk_free(h->series);
    pk_free(h->stat);
    pk_free(h);
}

/* The figure to follow name by (o->figure, else the primary figure of its
 * latest run, else its first figure, else "wall") into fig, and its unit. */
static void pick_figure(pk_store *st, const pk_check_history_opts *o, const char *name,
                        char *fig, size_t len, pk_unit_kind *unit)
{
    snprintf(fig, len, "%s", o->figure ? o->figure : "wall");
    *unit = pk_figure_kind(fig);
    int64_t id = 0;
    pk_resultset *rs = NULL;
    if (pk_store_find_baseline(st, name, NULL, NULL, 0, &id) != PK_OK || !id ||
        pk_store_get_bench(st, id, name, &rs) != PK_OK)
        return;
    const pk_bench_data *b = rs->n ? &rs->benches[0] : NULL;
    if (b && !o->figure) {
        if (b->primary)
            snprintf(fig, len, "%s", b->primary);
        else if (b->n_series)
            snprintf(fig, len, "%s", b->series[0].figure);
    }
    const pk_series *s = b ? pk_bench_data_get(b, fig) : NULL;
    if (s)
        *unit = s->kind;
    pk_resultset_free(rs);
}

/* change and mark of each row against the row before. */
static void judge(pk_check_history_series *s, double threshold)
{
    bool higher = pk_figure_direction(s->figure) == PK_HIGHER_IS_BETTER;
    for (size_t i = 0; i < s->n; i++) {
        pk_check_history_row *r = &s->rows[i];
        r->change = NAN;
        r->mark = PK_VERDICT_SAME;
        double prev = i ? s->rows[i - 1].point.value : 0;
        if (prev == 0)
            continue;
        r->change = r->point.value / prev - 1.0;
        double worse = higher ? -r->change : r->change;
        if (worse > threshold)
            r->mark = PK_VERDICT_SLOWER;
        else if (worse < -threshold)
            r->mark = PK_VERDICT_FASTER;
    }
}

/* The change points of s's values into s->changes. */
static pk_err find_changes(pk_check_history_series *s)
{
    double *v = pk_reallocarray(NULL, s->n, sizeof *v);
    if (!v)
        return PK_ENOMEM;
    for (size_t i = 0; i < s->n; i++)
        v[i] = s->rows[i].point.value;
    pk_changepoint *cp = NULL;
    size_t nc = 0;
    pk_err e = pk_stats_changepoints(v, s->n, NULL, &cp, &nc);
    pk_free(v);
    if (e != PK_OK || !nc)
        return e == PK_EINVAL ? PK_OK : e;   /* a NaN statistic: no change points */
    s->changes = pk_calloc(nc, sizeof *s->changes);
    if (!s->changes) {
        pk_free(cp);
        return PK_ENOMEM;
    }
    bool higher = pk_figure_direction(s->figure) == PK_HIGHER_IS_BETTER;
    for (size_t i = 0; i < nc; i++) {
        pk_check_history_change *c = &s->changes[i];
        const pk_history_point *a = &s->rows[cp[i].index - 1].point;
        const pk_history_point *b = &s->rows[cp[i].index].point;
        c->row = cp[i].index;
        c->run_before = a->run_id;
        c->run_at = b->run_id;
        snprintf(c->commit_before, sizeof c->commit_before, "%s", a->commit);
        snprintf(c->commit_at, sizeof c->commit_at, "%s", b->commit);
        c->before = cp[i].before;
        c->after = cp[i].after;
        c->magnitude = cp[i].magnitude;
        c->p_value = cp[i].p_value;
        bool up = c->after > c->before;
        c->mark = up != higher ? PK_VERDICT_SLOWER : PK_VERDICT_FASTER;
    }
    s->n_changes = nc;
    pk_free(cp);
    return PK_OK;
}

/* The series of benchmark name into s; *found false when it has no point of
 * its figure (s then holds nothing). */
static pk_err load(pk_store *st, const pk_check_history_opts *o, const char *name,
                   pk_check_history_series *s, bool *found)
{
    char fig[128];
    memset(s, 0, sizeof *s);
    *found = false;
    pick_figure(st, o, name, fig, sizeof fig, &s->unit);
    pk_history_point *pts = NULL;
    size_t n = 0;
    pk_err e = pk_store_history(st, name, fig, o->stat, o->limit, &pts, &n);
    if (e == PK_OK && n) {
        s->benchmark = pk_strdup(name);
        s->figure = pk_strdup(fig);
        s->rows = pk_calloc(n, sizeof *s->rows);
        if (!s->benchmark || !s->figure || !s->rows)
            e = PK_ENOMEM;
    }
    if (e == PK_OK && n) {
        for (size_t i = 0; i < n; i++)
            s->rows[i].point = pts[i];
        s->n = n;
        judge(s, o->threshold);
        *found = true;
        if (o->changes)
            e = find_changes(s);
    }
    pk_free(pts);
    if (e != PK_OK)
        series_free(s);
    return e;
}

static pk_err fail(pk_store *st, pk_err e, pk_diag *diag)
{
    if (e == PK_ENOMEM)
        pk_diag_set(diag, NULL, 0, 0, "out of memory reading the history");
    else
        pk_diag_set(diag, NULL, 0, 0, "%s", pk_store_last_error(st));
    return e;
}

static pk_err one(pk_store *st, const pk_check_history_opts *o, pk_check_history *h,
                  pk_diag *diag)
{
    h->series = pk_calloc(1, sizeof *h->series);
    if (!h->series)
        return fail(st, PK_ENOMEM, diag);
    bool found;
    pk_err e = load(st, o, o->benchmark, &h->series[0], &found);
    if (e != PK_OK)
        return fail(st, e, diag);
    if (!found) {
        const char *hint = NULL;
        char **names = NULL;
        size_t nn = 0;
        if (pk_store_list_benchmarks(st, &names, &nn) == PK_OK)
            hint = pk_diag_suggest(o->benchmark, (const char *const *)names, nn);
        if (hint && strcmp(hint, o->benchmark) == 0)
            hint = NULL;   /* the benchmark is there; the figure is not */
        pk_diag_set(diag, NULL, 0, 0, "no runs of `%s`%s%s in history%s%s%s", o->benchmark,
                    o->figure ? " with " : "", o->figure ? o->figure : "",
                    hint ? " \xe2\x80\x94 did you mean `" : "", hint ? hint : "",
                    hint ? "`?" : "");
        pk_store_free_names(names, nn);
        return PK_ENOENT;
    }
    h->n = 1;
    return PK_OK;
}

static pk_err all(pk_store *st, const pk_check_history_opts *o, pk_check_history *h,
                  pk_diag *diag)
{
    char **names = NULL;
    size_t nn = 0;
    pk_err e = pk_store_list_benchmarks(st, &names, &nn);
    if (e != PK_OK)
        return fail(st, e, diag);
    h->series = pk_calloc(nn ? nn : 1, sizeof *h->series);
    if (!h->series)
        e = PK_ENOMEM;
    for (size_t i = 0; e == PK_OK && i < nn; i++) {
        bool found;
        e = load(st, o, names[i], &h->series[h->n], &found);
        if (e == PK_OK)
            h->n += found;
        else if (e != PK_ENOMEM)
            e = PK_OK;   /* one benchmark the store cannot summarize: left out */
    }
    pk_store_free_names(names, nn);
    return e == PK_OK ? PK_OK : fail(st, e, diag);
}

pk_err pk_check_history_new(pk_store *st, const pk_check_history_opts *o,
                            pk_check_history **out, pk_diag *diag)
{
    if (out)
        *out = NULL;
    pk_check_history_opts def;
    if (!o) {
        pk_check_history_opts_init(&def);
        o = &def;
    }
    if (!st || !out || !o->stat) {
        pk_diag_set(diag, NULL, 0, 0, "pk_check_history_new: NULL argument");
        return PK_EINVAL;
    }
    if (!pk_series_stat_valid(o->stat)) {
        pk_diag_set(diag, NULL, 0, 0,
                    "unknown statistic `%s`: use mean, median, min, max, stddev, mad or pN",
                    o->stat);
        return PK_EINVAL;
    }
    pk_check_history *h = pk_calloc(1, sizeof *h);
    if (!h || !(h->stat = pk_strdup(o->stat))) {
        pk_free(h);
        pk_diag_set(diag, NULL, 0, 0, "out of memory reading the history");
        return PK_ENOMEM;
    }
    h->single = o->benchmark != NULL;
    h->threshold = o->threshold;
    h->changes = o->changes;
    pk_err e = h->single ? one(st, o, h, diag) : all(st, o, h, diag);
    if (e != PK_OK) {
        pk_check_history_free(h);
        return e;
    }
    *out = h;
    return PK_OK;
}
