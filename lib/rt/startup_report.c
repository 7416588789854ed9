/* startup_report.c — what a startup run leaves behind: per-step times and
 * status, totals, the critical path, a text table and metrics.
 *
 * The critical path is the longest chain of dependencies by measured
 * duration (cancelled steps weigh 0): one pass over the checker's
 * topological order, cp(v) = dur(v) + max over v's dependencies cp(d),
 * keeping the argmax to walk the chain back. It is the lower bound of the
 * startup at unbounded width; the run's wall time minus it is what the
 * width (or the scheduler) cost. */
#include "startup_int.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "perfkit/alloc.h"

const char *pk_startup_status_name(pk_startup_status s)
{
    switch (s) {
    case PK_STARTUP_PENDING: return "pending";
    case PK_STARTUP_OK: return "ok";
    case PK_STARTUP_FAILED: return "failed";
    case PK_STARTUP_TIMEDOUT: return "timed out";
    case PK_STARTUP_CANCELLED: return "cancelled";
    }
    return "unknown";
}

static int64_t dur(const pk__startup_step *s)
{
    return s->start_ns >= 0 && s->end_ns >= s->start_ns ? s->end_ns - s->start_ns : 0;
}

void pk__startup_critical(pk_startup *g)
{
    uint32_t n = g->n;
    int64_t *cp = pk_calloc(n ? n : 1, sizeof *cp);
    uint32_t *pred = pk_calloc(n ? n : 1, sizeof *pred);
    g->crit = pk_calloc(n ? n : 1, sizeof *g->crit);
    if (!cp || !pred || !g->crit || n == 0)
        goto out;
    uint32_t best = 0;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t v = g->topo[k];
        const pk__startup_step *s = &g->steps[v];
        int64_t m = -1;
        pred[v] = UINT32_MAX;
        for (uint32_t j = 0; j < s->n_deps; j++)
            if (cp[s->deps[j]] > m) {
                m = cp[s->deps[j]];
                pred[v] = s->deps[j];
            }
        cp[v] = (m < 0 ? 0 : m) + dur(s);
        if (cp[v] > cp[best] || (cp[v] == cp[best] && v < best))
            best = v;
    }
    g->crit_ns = cp[best];
    uint32_t len = 0;
    for (uint32_t v = best; v != UINT32_MAX; v = pred[v])
        len++;
    g->n_crit = len;
    for (uint32_t v = best; v != UINT32_MAX; v = pred[v]) {
        g->crit[--len] = v;
        g->steps[v].crit = 1;
    }
out:
    pk_free(cp);
    pk_free(pred);
}

size_t pk_startup_count(const pk_startup *g)
{
    return g ? g->n : 0;
}

size_t pk_startup_stragglers(const pk_startup *g)
{
    return g ? atomic_load(&((pk_startup *)g)->stragglers) : 0;
}

pk_err pk_startup_step_get(const pk_startup *g, pk_startup_id step, pk_startup_step_info *out)
{
    if (!g || !out || step >= g->n)
        return PK_EINVAL;
    const pk__startup_step *s = &g->steps[step];
    memset(out, 0, sizeof *out);
    out->name = s->name;
    out->status = s->status;
    out->err = s->err;
    out->message = s->msg ? s->msg : "";
    out->start_ns = s->start_ns >= 0 ? s->start_ns - g->t0 : -1;
    out->end_ns = s->start_ns >= 0 ? s->end_ns - g->t0 : -1;
    out->duration_ns = dur(s);
    out->runner = s->runner;
    out->critical = s->crit != 0;
    return PK_OK;
}

pk_err pk_startup_summary_get(const pk_startup *g, pk_startup_summary *out)
{
    if (!g || !out)
        return PK_EINVAL;
    memset(out, 0, sizeof *out);
    out->steps = g->n;
    for (uint32_t i = 0; i < g->n; i++) {
        const pk__startup_step *s = &g->steps[i];
        out->ok += s->status == PK_STARTUP_OK;
        out->failed += s->status == PK_STARTUP_FAILED;
        out->timed_out += s->status == PK_STARTUP_TIMEDOUT;
        out->cancelled += s->status == PK_STARTUP_CANCELLED;
        out->busy_ns += dur(s);
        if (s->start_ns >= 0 && s->end_ns - g->t0 > out->wall_ns)
            out->wall_ns = s->end_ns - g->t0;
    }
    out->critical_ns = g->crit_ns;
    out->critical_steps = g->n_crit;
    return PK_OK;
}

pk_err pk_startup_critical_path(const pk_startup *g, pk_startup_id *ids, size_t cap, size_t *n)
{
    if (!g || !n || (!ids && cap > 0))
        return PK_EINVAL;
    *n = g->n_crit;
    for (size_t i = 0; i < cap && i < g->n_crit; i++)
        ids[i] = g->crit[i];
    return PK_OK;
}

/* ---- the text table ------------------------------------------------------------------- */

typedef struct row {
    int64_t start;
    uint32_t id;
} row;

static int row_cmp(const void *a, const void *b)
{
    const row *x = a, *y = b;
    int64_t sx = x->start < 0 ? INT64_MAX : x->start, sy = y->start < 0 ? INT64_MAX : y->start;
    if (sx != sy)
        return sx < sy ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

static double ms(int64_t ns) { return (double)ns / 1e6; }

pk_err pk_startup_write_report(const pk_startup *g, FILE *f)
{
    if (!g || !f)
        return PK_EINVAL;
    row *rows = pk_calloc(g->n ? g->n : 1, sizeof *rows);
    if (!rows)
        return PK_ENOMEM;
    size_t w = 4;
    for (uint32_t i = 0; i < g->n; i++) {
        rows[i].start = g->steps[i].start_ns;
        rows[i].id = i;
        size_t l = strlen(g->steps[i].name);
        if (l > w)
            w = l < 40 ? l : 40;
    }
    qsort(rows, g->n, sizeof *rows, row_cmp);
    fprintf(f, "%-*s  %-9s  %10s  %10s  %10s  %6s  %s\n", (int)w, "step", "status", "start ms",
            "end ms", "took ms", "runner", "critical");
    for (uint32_t k = 0; k < g->n; k++) {
        pk_startup_step_info in;
        if (pk_startup_step_get(g, rows[k].id, &in) != PK_OK)
            continue;
        if (in.start_ns < 0)
            fprintf(f, "%-*s  %-9s  %10s  %10s  %10s  %6s\n", (int)w, in.name,
                    pk_startup_status_name(in.status), "-", "-", "-", "-");
        else
            fprintf(f, "%-*s  %-9s  %10.3f  %10.3f  %10.3f  %6u%s\n", (int)w, in.name,
                    pk_startup_status_name(in.status), ms(in.start_ns), ms(in.end_ns),
                    ms(in.duration_ns), in.runner, in.critical ? "  *" : "");
        if (in.message[0])
            fprintf(f, "%-*s  ^ %s\n", (int)w, "", in.message);
    }
    pk_free(rows);
    pk_startup_summary s;
    (void)pk_startup_summary_get(g, &s);
    fprintf(f, "%zu steps: %zu ok, %zu failed, %zu timed out, %zu cancelled; wall %.3f ms, "
               "busy %.3f ms, critical path %.3f ms\n",
            s.steps, s.ok, s.failed, s.timed_out, s.cancelled, ms(s.wall_ns), ms(s.busy_ns),
            ms(s.critical_ns));
    fputs("critical path: ", f);
    for (uint32_t k = 0; k < g->n_crit; k++)
        fprintf(f, "%s%s", k ? " -> " : "", g->steps[g->crit[k]].name);
    fprintf(f, "%s(%.3f ms)\n", g->n_crit ? " " : "", ms(g->crit_ns));
    if (fflush(f) != 0 || ferror(f))
        return PK_EIO;
    return PK_OK;
}

/* ---- metrics ------------------------------------------------------------------------------ */

static pk_err family(pk_metrics_registry *r, const char *prefix, const char *suffix,
                     const char *help, size_t nl, pk_metrics_family **out)
{
    char name[256];
    if ((size_t)snprintf(name, sizeof name, "%s_%s", prefix, suffix) >= sizeof name)
        return PK_EINVAL;
    static const char *const labels[] = {"step"};
    return pk_metrics_gauge_family(r, name, help, nl ? labels : NULL, nl, out);
}

static pk_err set(pk_metrics_family *f, const char *step, double v)
{
    pk_metrics_gauge *gg;
    const char *vals[] = {step};
    pk_err e = pk_metrics_gauge_get(f, step ? vals : NULL, &gg);
    if (e == PK_OK)
        pk_metrics_gauge_set(gg, v);
    return e;
}

pk_err pk_startup_export_metrics(const pk_startup *g, pk_metrics_registry *r, const char *prefix)
{
    if (!g || !r || !prefix)
        return PK_EINVAL;
    pk_metrics_family *fd, *fs, *fo, *ft, *fc;
    pk_err e = family(r, prefix, "step_duration_seconds", "Startup step duration", 1, &fd);
    if (e == PK_OK)
        e = family(r, prefix, "step_start_seconds", "Startup step start since the run's start", 1, &fs);
    if (e == PK_OK)
        e = family(r, prefix, "step_ok", "1 if the startup step succeeded, else 0", 1, &fo);
    if (e == PK_OK)
        e = family(r, prefix, "duration_seconds", "Startup wall time", 0, &ft);
    if (e == PK_OK)
        e = family(r, prefix, "critical_path_seconds", "Startup critical path length", 0, &fc);
    for (uint32_t i = 0; e == PK_OK && i < g->n; i++) {
        pk_startup_step_info in;
        if (pk_startup_step_get(g, i, &in) != PK_OK)
            continue;
        e = set(fd, in.name, (double)in.duration_ns / 1e9);
        if (e == PK_OK && in.start_ns >= 0)
            e = set(fs, in.name, (double)in.start_ns / 1e9);
        if (e == PK_OK)
            e = set(fo, in.name, in.status == PK_STARTUP_OK);
    }
    pk_startup_summary s;
    (void)pk_startup_summary_get(g, &s);
    if (e == PK_OK)
        e = set(ft, NULL, (double)s.wall_ns / 1e9);
    if (e == PK_OK)
        e = set(fc, NULL, (double)s.critical_ns / 1e9);
    return e;
}
