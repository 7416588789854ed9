/* expose.c — Prometheus text 0.0.4 and OpenMetrics 1.0 exposition.
 *
 * Specs: https://prometheus.io/docs/instrumenting/exposition_formats/ and
 * https://github.com/OpenObservability/OpenMetrics/blob/main/specification/OpenMetrics.md
 * The whole registry is rendered under its mutex into one growable buffer
 * (an allocation failure is remembered and reported once at the end).
 * Numbers: integers exactly (counts as uint64), other values in the shortest
 * form that reads back to the same double, +Inf / -Inf / NaN. Counters: the
 * registered name in 0.0.4; OpenMetrics names the family without `_total`
 * and the sample with it. `_created` samples are not exposed. Histograms
 * with classic bounds expose exact per-bound counts; without, every
 * non-empty log-linear bucket's upper edge is an `le` bound. In OpenMetrics
 * a histogram that saw negative values (or has a negative bound) omits _sum
 * and _count, as the spec requires. */
#include "metrics/metrics_int.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/buf.h"
#include "perfkit/alloc.h"

/* The output: a pk__buf whose first allocation failure sticks (every later
 * put is skipped; render reports PK_ENOMEM once). */
struct buf {
    pk__buf b;
    bool oom;
};

static void put(struct buf *b, const char *s, size_t n)
{
    if (!b->oom && pk__buf_add(&b->b, s, n) != PK_OK)
        b->oom = true;
}

static void puts_(struct buf *b, const char *s)
{
    put(b, s, strlen(s));
}

static void putc_(struct buf *b, char c)
{
    put(b, &c, 1);
}

/* Escape \ and newline, and " too when quote is set (label values, and
 * OpenMetrics HELP). */
static void put_escaped(struct buf *b, const char *s, bool quote)
{
    const char *run = s;
    for (; *s; s++) {
        const char *rep = *s == '\\' ? "\\\\" : *s == '\n' ? "\\n"
                        : (quote && *s == '"') ? "\\\"" : NULL;
        if (rep) {
            put(b, run, (size_t)(s - run));
            puts_(b, rep);
            run = s + 1;
        }
    }
    put(b, run, (size_t)(s - run));
}

/* Shortest round-trip text of v (%.15g, else 16, else 17 digits); integral
 * values below 2^53 without exponent. Locale-proof: ',' becomes '.'. */
static void fmt_double(char out[40], double v)
{
    if (isnan(v)) {
        snprintf(out, 40, "NaN");
        return;
    }
    if (isinf(v)) {
        snprintf(out, 40, "%s", v > 0 ? "+Inf" : "-Inf");
        return;
    }
    if (v == floor(v) && fabs(v) < 9007199254740992.0) {
        snprintf(out, 40, "%.0f", v == 0 ? 0.0 : v);   /* no "-0" */
        return;
    }
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(out, 40, "%.*g", prec, v);
        for (char *p = out; *p; p++)
            if (*p == ',')
                *p = '.';
        if (strtod(out, NULL) == v || prec == 17)
            break;
    }
}

static void put_double(struct buf *b, double v)
{
    char s[40];
    fmt_double(s, v);
    puts_(b, s);
}

static void put_u64(struct buf *b, uint64_t v)
{
    char s[24];
    snprintf(s, sizeof s, "%" PRIu64, v);
    puts_(b, s);
}

/* {a="x",b="y"[,le="..."]} — nothing when there are no labels and no le */
static void put_labels(struct buf *b, const struct pkm_child *ch, const char *le)
{
    const pk_metrics_family *f = ch->fam;
    if (!f->n_labels && !le)
        return;
    putc_(b, '{');
    for (size_t i = 0; i < f->n_labels; i++) {
        if (i)
            putc_(b, ',');
        puts_(b, f->labels[i]);
        puts_(b, "=\"");
        put_escaped(b, ch->values[i], true);
        putc_(b, '"');
    }
    if (le) {
        if (f->n_labels)
            putc_(b, ',');
        puts_(b, "le=\"");
        puts_(b, le);
        putc_(b, '"');
    }
    putc_(b, '}');
}

static void sample_start(struct buf *b, const char *name, const char *suffix,
                         const struct pkm_child *ch, const char *le)
{
    puts_(b, name);
    puts_(b, suffix);
    put_labels(b, ch, le);
    putc_(b, ' ');
}

static void put_bucket(struct buf *b, const pk_metrics_family *f, const struct pkm_child *ch,
                       double le, uint64_t cum)
{
    char s[40];
    fmt_double(s, le);
    sample_start(b, f->name, "_bucket", ch, s);
    put_u64(b, cum);
    putc_(b, '\n');
}

static void write_histogram(struct buf *b, const pk_metrics_family *f,
                            const pk_metrics_histogram *h, bool om)
{
    struct pkm_hist_sum t;
    pk__metrics_hist_totals(h, &t);
    uint64_t fb = atomic_load_explicit(&h->fb_count, memory_order_relaxed);
    uint64_t cum = 0, total;
    if (f->n_bounds) {
        for (size_t i = 0; i < f->n_bounds; i++) {
            cum += pk__metrics_hist_bound_count(h, i);
            put_bucket(b, f, &h->ch, f->bounds[i], cum);
        }
        total = cum + pk__metrics_hist_bound_count(h, f->n_bounds) + fb;
    } else {
        cum = t.neg + t.zero;   /* negatives are <= every bound */
        if (cum)
            put_bucket(b, f, &h->ch, pkm_u2d(PKM_ZERO_BITS), cum);
        for (unsigned e = 0; e < PKM_NEXP; e++) {
            if (!pk__metrics_hist_exp_used(h, e))
                continue;
            for (unsigned s = 0; s < PKM_SUB; s++) {
                uint64_t n = pk__metrics_hist_bucket(h, e * PKM_SUB + s);
                if (n) {
                    cum += n;
                    put_bucket(b, f, &h->ch, pk__metrics_hist_upper(e * PKM_SUB + s), cum);
                }
            }
        }
        total = cum + t.over + t.lost + fb;
    }
    sample_start(b, f->name, "_bucket", &h->ch, "+Inf");
    put_u64(b, total);
    putc_(b, '\n');
    bool negative = t.neg > 0 || (f->n_bounds && f->bounds[0] < 0);
    if (om && negative)
        return;
    sample_start(b, f->name, "_sum", &h->ch, NULL);
    put_double(b, t.sum);
    putc_(b, '\n');
    sample_start(b, f->name, "_count", &h->ch, NULL);
    put_u64(b, total);
    putc_(b, '\n');
}

static void write_family(struct buf *b, const pk_metrics_family *f, bool om,
                         const double *proc_val, const bool *proc_ok)
{
    static const char *const type_name[] = {"counter", "gauge", "histogram", "gauge"};
    const char *fname = om ? f->om_name : f->name;
    puts_(b, "# HELP ");
    puts_(b, fname);
    putc_(b, ' ');
    put_escaped(b, f->help, om);
    puts_(b, "\n# TYPE ");
    puts_(b, fname);
    putc_(b, ' ');
    puts_(b, type_name[f->type]);
    putc_(b, '\n');
    /* counter sample: the registered name in 0.0.4, family + _total in OM */
    const char *cname = om ? f->om_name : f->name;
    const char *csuf = om ? "_total" : "";
    if (f->kind == PKM_PROCESS) {
        if (!proc_ok[f->proc])
            return;
        static const struct pkm_child none = {0};
        struct pkm_child ch = none;
        ch.fam = (pk_metrics_family *)f;
        if (f->type == PKM_COUNTER)
            sample_start(b, cname, csuf, &ch, NULL);
        else
            sample_start(b, f->name, "", &ch, NULL);
        put_double(b, proc_val[f->proc]);
        putc_(b, '\n');
        return;
    }
    for (size_t i = 0; i < f->n_kids; i++) {
        const struct pkm_child *ch = f->kids[i];
        if (f->kind == PKM_COUNTER) {
            uint64_t n;
            double d;
            pk__metrics_counter_total((const pk_metrics_counter *)ch, &n, &d);
            sample_start(b, cname, csuf, ch, NULL);
            if (d == 0)
                put_u64(b, n);
            else
                put_double(b, (double)n + d);
            putc_(b, '\n');
        } else if (f->kind == PKM_GAUGE) {
            sample_start(b, f->name, "", ch, NULL);
            put_double(b, pk_metrics_gauge_value((const pk_metrics_gauge *)ch));
            putc_(b, '\n');
        } else {
            write_histogram(b, f, (const pk_metrics_histogram *)ch, om);
        }
    }
}

pk_err pk_metrics_render(pk_metrics_registry *r, pk_metrics_format fmt, char **out, size_t *len)
{
    if (out)
        *out = NULL;
    if (len)
        *len = 0;
    if (!r || !out || (fmt != PK_METRICS_PROMETHEUS && fmt != PK_METRICS_OPENMETRICS))
        return PK_EINVAL;
    bool om = fmt == PK_METRICS_OPENMETRICS;
    struct buf b = {0};
    /* one allocation for a typical registry; an empty one renders as "" */
    if (pk__grow((void **)&b.b.data, &b.b.cap, 4096, 1) != PK_OK)
        b.oom = true;
    else
        b.b.data[0] = '\0';
    double pv[PKM_PROC_N] = {0};
    bool pok[PKM_PROC_N] = {0};
    bool proc_read = false;
    pthread_mutex_lock(&r->mu);
    for (const pk_metrics_family *f = r->head; f && !b.oom; f = f->next) {
        if (f->kind == PKM_PROCESS && !proc_read) {
            pk__metrics_proc_read(pv, pok);
            proc_read = true;
        }
        write_family(&b, f, om, pv, pok);
    }
    pthread_mutex_unlock(&r->mu);
    if (om)
        puts_(&b, "# EOF\n");
    if (b.oom) {
        pk__buf_free(&b.b);
        return PK_ENOMEM;
    }
    if (len)
        *len = b.b.len;
    *out = b.b.data;
    return PK_OK;
}

pk_err pk_metrics_write(pk_metrics_registry *r, pk_metrics_format fmt, FILE *f)
{
    if (!f)
        return PK_EINVAL;
    char *s;
    size_t n;
    pk_err rc = pk_metrics_render(r, fmt, &s, &n);
    if (rc != PK_OK)
        return rc;
    bool ok = fwrite(s, 1, n, f) == n && fflush(f) == 0;
    pk_free(s);
    return ok ? PK_OK : PK_EIO;
}
