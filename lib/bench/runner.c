/* runner.c — choose iteration counts, repeat, aggregate.
 *
 * Design (Google Benchmark's BenchmarkRunner): an instance is invoked with
 * 1 iteration, then with a count predicted from the timed real time —
 * min_time·1.4/elapsed times the last count, at most 10× (10× outright while
 * the elapsed time is under a tenth of the target) — until the timed real
 * time reaches min_time. A warm-up runs the same growth against warmup_s and
 * is discarded; its last count seeds the measured search. Repetitions after
 * the first reuse the first one's count. With more than one repetition the
 * rows are followed by mean, median, stddev (n-1), cv (stddev/mean) and p95
 * (type 7) rows over the repetitions that did not fail.
 * Reference: benchmark/src/benchmark_runner.cc (v1.7.1). */
#include "bench/bench_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "core/buf.h"
#include "core/clock.h"
#include "perfkit/alloc.h"
#include "perfkit/stats.h"

void pk_bench_opts_init(pk_bench_opts *o)
{
    memset(o, 0, sizeof *o);
    o->min_time_s = 0.5;
    o->warmup_s = 0.1;
    o->repetitions = 1;
    o->max_iterations = 1000000000;
    o->count_allocs = true;
    o->executable = "";
}

static void row_clear(pk_bench_row *w)
{
    pk_free(w->name);
    pk_free(w->run_name);
    for (size_t i = 0; i < w->n_counters; i++)
        pk_free(w->counters[i].name);
    pk_free(w->counters);
    pk_free(w->error);
}

void pk_bench_results_free(pk_bench_results *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++)
        row_clear(&r->rows[i]);
    pk_free(r->rows);
    pk_free(r->executable);
    pk_free(r);
}

static uint64_t predict(uint64_t iters, double elapsed_s, double target_s, uint64_t max)
{
    double mult = target_s * 1.4 / (elapsed_s > 1e-9 ? elapsed_s : 1e-9);
    if (elapsed_s / target_s <= 0.1 || mult > 10.0)
        mult = 10.0;
    double next = mult * (double)iters;
    if (next < (double)iters + 1.0)
        next = (double)iters + 1.0;
    return next >= (double)max ? max : (uint64_t)llround(next);
}

static double wall_s(void)
{
    return (double)pk__clock_ns(PK__CLOCK_MONO) * 1e-9;
}

/* Grow iters until one invocation's timed real time reaches target_s (or the
 * invocations' wall time, pauses included, passes 5·target_s: a benchmark
 * that pauses most of the time must still end). r holds the last run. */
static void search(const pk__bench_instance *in, const pk_bench_opts *o, double target_s,
                   uint64_t *iters, pk__bench_run *r)
{
    double t0 = wall_s();
    for (;;) {
        pk__bench_invoke(in, *iters, o->count_allocs, r);
        double s = r->real_ns * 1e-9;
        if (r->error || r->oom || s >= target_s || *iters >= o->max_iterations ||
            wall_s() - t0 >= 5 * target_s)
            return;
        *iters = predict(*iters, s, target_s, o->max_iterations);
        pk__bench_run_clear(r);
    }
}

static pk_err push_row(pk_bench_results *res, size_t *cap, pk_bench_row **out)
{
    if (PK__PUSH_ROOM(res->rows, res->n, *cap) != PK_OK)
        return PK_ENOMEM;
    *out = memset(&res->rows[res->n++], 0, sizeof **out);
    return PK_OK;
}

static pk_err row_from_run(pk_bench_row *w, const pk__bench_instance *in, const pk__bench_run *r,
                           unsigned reps, unsigned rep)
{
    w->name = pk_strdup(in->name);
    w->run_name = pk_strdup(in->name);
    if (!w->name || !w->run_name)
        return PK_ENOMEM;
    w->type = PK_BENCH_ITERATION;
    w->family_index = in->family_index;
    w->instance_index = in->instance_index;
    w->repetitions = reps;
    w->repetition_index = rep;
    w->bytes_per_second = w->items_per_second = NAN;
    w->allocs_per_iter = w->alloc_bytes_per_iter = NAN;
    if (r->error) {
        w->error = pk_strdup(r->error);
        return w->error ? PK_OK : PK_ENOMEM;
    }
    double n = (double)r->iterations;
    w->iterations = r->iterations;
    w->real_ns = r->real_ns / n;
    w->cpu_ns = r->cpu_ns / n;
    double secs = (r->cpu_ns > 0 ? r->cpu_ns : r->real_ns) * 1e-9;
    if (r->bytes >= 0 && secs > 0)
        w->bytes_per_second = r->bytes * n / secs;
    if (r->items >= 0 && secs > 0)
        w->items_per_second = r->items * n / secs;
    if (r->alloc) {
        w->allocs_per_iter = (double)r->allocs / n;
        w->alloc_bytes_per_iter = (double)r->alloc_bytes / n;
    }
    if (r->n_counters) {
        w->counters = pk_calloc(r->n_counters, sizeof *w->counters);
        if (!w->counters)
            return PK_ENOMEM;
        for (size_t i = 0; i < r->n_counters; i++) {
            w->counters[i].value = r->counters[i].value;
            if (!(w->counters[i].name = pk_strdup(r->counters[i].name)))
                return PK_ENOMEM;
            w->n_counters = i + 1;
        }
    }
    return PK_OK;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Statistic k (0 mean, 1 median, 2 stddev, 3 cv, 4 p95) of x[0..n-1], n >= 2;
 * sorts x. NAN in, NAN out. */
static double stat(double *x, size_t n, int k)
{
    double sum = 0, ss = 0;
    for (size_t i = 0; i < n; i++)
        sum += x[i];
    double mean = sum / (double)n;
    for (size_t i = 0; i < n; i++)
        ss += (x[i] - mean) * (x[i] - mean);
    double sd = sqrt(ss / (double)(n - 1));
    if (isnan(mean))
        return NAN;
    qsort(x, n, sizeof *x, cmp_double);
    double p = NAN;
    switch (k) {
    case 0: return mean;
    case 1: pk_stats_percentile_sorted(x, n, 50, &p); return p;
    case 2: return sd;
    case 3: return mean != 0 ? sd / mean : NAN;
    default: pk_stats_percentile_sorted(x, n, 95, &p); return p;
    }
}

static const char *const agg_names[] = {"mean", "median", "stddev", "cv", "p95"};

/* Append the aggregate rows over rows[first..first+n) of one instance. */
static pk_err aggregate(pk_bench_results *res, size_t *cap, size_t first, size_t n)
{
    size_t ok = 0;
    for (size_t i = first; i < first + n; i++)
        ok += res->rows[i].error == NULL;
    if (ok < 2)
        return PK_OK;
    double *x = pk_calloc(ok, sizeof *x);
    if (!x)
        return PK_ENOMEM;
    pk_err e = PK_OK;
    for (int k = 0; k < 5 && e == PK_OK; k++) {
        pk_bench_row *w;
        if ((e = push_row(res, cap, &w)) != PK_OK)
            break;
        const pk_bench_row *src = &res->rows[first];
        while (src->error)
            src++;
        size_t len = strlen(src->run_name) + strlen(agg_names[k]) + 2;
        w->run_name = pk_strdup(src->run_name);
        w->name = pk_malloc(len);
        if (!w->name || !w->run_name) {
            e = PK_ENOMEM;
            break;
        }
        snprintf(w->name, len, "%s_%s", src->run_name, agg_names[k]);
        w->type = PK_BENCH_AGGREGATE;
        w->aggregate = agg_names[k];
        w->family_index = src->family_index;
        w->instance_index = src->instance_index;
        w->repetitions = src->repetitions;
        w->iterations = ok;
#define PK__AGG(field)                                                 \
    do {                                                               \
        size_t m = 0;                                                  \
        for (size_t i = first; i < first + n; i++)                     \
            if (!res->rows[i].error)                                   \
                x[m++] = res->rows[i].field;                           \
        w->field = stat(x, m, k);                                      \
    } while (0)
        PK__AGG(real_ns);
        PK__AGG(cpu_ns);
        PK__AGG(bytes_per_second);
        PK__AGG(items_per_second);
        PK__AGG(allocs_per_iter);
        PK__AGG(alloc_bytes_per_iter);
#undef PK__AGG
        if (src->n_counters) {
            if (!(w->counters = pk_calloc(src->n_counters, sizeof *w->counters))) {
                e = PK_ENOMEM;
                break;
            }
            for (size_t c = 0; c < src->n_counters; c++) {
                size_t m = 0;
                for (size_t i = first; i < first + n; i++) {
                    const pk_bench_row *q = &res->rows[i];
                    if (!q->error)
                        x[m++] = c < q->n_counters ? q->counters[c].value : NAN;
                }
                w->counters[c].value = stat(x, m, k);
                if (!(w->counters[c].name = pk_strdup(src->counters[c].name))) {
                    e = PK_ENOMEM;
                    break;
                }
                w->n_counters = c + 1;
            }
        }
    }
    pk_free(x);
    return e;
}

static pk_err run_instance(const pk__bench_instance *in, const pk_bench_opts *o,
                           pk_bench_results *res, size_t *cap)
{
    pk__bench_run r;
    uint64_t iters = 1;
    if (o->warmup_s > 0) {
        search(in, o, o->warmup_s, &iters, &r);
        bool stop = r.error || r.oom;
        if (!stop) {
            double s = r.real_ns * 1e-9;
            if (s < o->min_time_s)
                iters = predict(iters, s, o->min_time_s, o->max_iterations);
        }
        if (r.oom) {
            pk__bench_run_clear(&r);
            return PK_ENOMEM;
        }
        if (!stop)
            pk__bench_run_clear(&r);
        else
            goto report_one;   /* the warm-up failed: report its error once */
    }
    size_t first = res->n;
    for (unsigned rep = 0; rep < o->repetitions; rep++) {
        if (rep == 0)
            search(in, o, o->min_time_s, &iters, &r);
        else
            pk__bench_invoke(in, iters, o->count_allocs, &r);
        if (r.oom) {
            pk__bench_run_clear(&r);
            return PK_ENOMEM;
        }
        pk_bench_row *w;
        pk_err e = push_row(res, cap, &w);
        if (e == PK_OK)
            e = row_from_run(w, in, &r, o->repetitions, rep);
        pk__bench_run_clear(&r);
        if (e != PK_OK)
            return e;
    }
    return o->repetitions > 1 ? aggregate(res, cap, first, o->repetitions) : PK_OK;

report_one:;
    pk_bench_row *w;
    pk_err e = push_row(res, cap, &w);
    if (e == PK_OK)
        e = row_from_run(w, in, &r, o->repetitions, 0);
    pk__bench_run_clear(&r);
    return e;
}

pk_err pk_bench_run_all(const pk_bench_opts *o, pk_bench_results **out, pk_diag *diag)
{
    pk_bench_opts def;
    if (!out)
        return PK_EINVAL;
    *out = NULL;
    if (!o) {
        pk_bench_opts_init(&def);
        o = &def;
    }
    if (!(o->min_time_s >= 0) || !(o->warmup_s >= 0) || o->repetitions == 0 ||
        o->max_iterations == 0) {
        pk_diag_set(diag, "", 0, 0, "invalid options: min_time and warmup must be >= 0, "
                    "repetitions and max_iterations >= 1");
        return PK_EINVAL;
    }
    pk__bench_instance *v;
    size_t n, cap = 0;
    pk_err e = pk__bench_instances(o->filter, &v, &n, diag);
    if (e != PK_OK)
        return e;
    pk_bench_results *res = pk_calloc(1, sizeof *res);
    if (!res || !(res->executable = pk_strdup(o->executable ? o->executable : ""))) {
        pk_free(res);
        pk_free(v);
        return PK_ENOMEM;
    }
    res->min_time_s = o->min_time_s;
    res->allocs_available = o->count_allocs && pk__bench_alloc_source() != NULL;
    for (size_t i = 0; i < n && e == PK_OK; i++)
        e = run_instance(&v[i], o, res, &cap);
    pk_free(v);
    if (e != PK_OK) {
        pk_bench_results_free(res);
        return e;
    }
    *out = res;
    return PK_OK;
}
