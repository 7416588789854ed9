/* csv.c — one row per command, hyperfine's --export-csv columns first.
 *
 * command,mean,stddev,median,user,system,min,max (seconds, shortest
 * round-trip decimals, as hyperfine prints them), then parameter_<name> for
 * every scan parameter, then perfkit's columns: n_runs, median_rss_bytes,
 * max_rss_bytes, verdict (against the reference; "reference" for it, empty
 * when not compared), ratio. Fields are quoted per RFC 4180 when they hold a
 * comma, quote, CR or LF; lines end in LF like hyperfine's. Commands without a
 * measured run are left out, as in hyperfine's export. */
#include "report/report_int.h"

#include <string.h>
#include "perfkit/alloc.h"

static void field(FILE *f, const char *s, bool first)
{
    if (!first)
        fputc(',', f);
    if (!s)
        return;
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static void num(FILE *f, double v)
{
    char buf[400];
    field(f, pk__report_fmt_double(v, buf, sizeof buf), false);
}

/* Distinct parameter names in order of first appearance; *n set. */
static const char **param_names(const pk_cmdbench_result *b, size_t *n)
{
    const char **names = pk_calloc(b->n_cmds, sizeof *names);
    *n = 0;
    if (!names)
        return NULL;
    for (size_t i = 0; i < b->n_cmds; i++) {
        const char *p = b->cmds[i].param_name;
        size_t k = 0;
        while (p && k < *n && strcmp(names[k], p) != 0)
            k++;
        if (p && k == *n)
            names[(*n)++] = p;
    }
    return names;
}

static void row(FILE *f, const pk_bench_report *r, size_t i, const char **params, size_t np)
{
    const pk_cmd_report *cr = &r->cmds[i];
    const pk_cmd_result *c = cr->res;
    const pk_summary *w = pk__report_fig(r, i, PK_METRIC_WALL);
    const pk_summary *u = pk__report_fig(r, i, PK_METRIC_USER);
    const pk_summary *s = pk__report_fig(r, i, PK_METRIC_SYS);
    const pk_summary *rss = pk__report_fig(r, i, PK_METRIC_RSS);
    char buf[64];

    field(f, pk__report_cmd_name(c), true);
    num(f, w->mean / 1e9);
    num(f, w->stddev / 1e9);
    num(f, w->median / 1e9);
    u ? num(f, u->mean / 1e9) : field(f, NULL, false);
    s ? num(f, s->mean / 1e9) : field(f, NULL, false);
    num(f, w->min / 1e9);
    num(f, w->max / 1e9);
    for (size_t k = 0; k < np; k++) {
        bool mine = c->param_name && strcmp(c->param_name, params[k]) == 0;
        field(f, mine ? c->param_value : NULL, false);
    }
    snprintf(buf, sizeof buf, "%zu", c->n_runs);
    field(f, buf, false);
    rss ? num(f, rss->median) : field(f, NULL, false);
    rss ? num(f, rss->max) : field(f, NULL, false);
    if (i == r->reference) {
        field(f, "reference", false);
        num(f, 1.0);
    } else if (cr->has_comparison) {
        field(f, pk_verdict_name(cr->cmp.verdict), false);
        num(f, cr->cmp.ratio);
    } else {
        field(f, NULL, false);
        field(f, NULL, false);
    }
    fputc('\n', f);
}

pk_err pk__report_bench_csv(FILE *f, const pk_bench_report *r, const pk_write_opts *o)
{
    (void)o;
    if (!f || !r)
        return PK_EINVAL;
    size_t np;
    const char **params = param_names(r->bench, &np);
    if (!params)
        return PK_ENOMEM;
    fputs("command,mean,stddev,median,user,system,min,max", f);
    for (size_t k = 0; k < np; k++) {
        char name[256];
        snprintf(name, sizeof name, "parameter_%s", params[k]);
        field(f, name, false);
    }
    fputs(",n_runs,median_rss_bytes,max_rss_bytes,verdict,ratio\n", f);
    for (size_t i = 0; i < r->bench->n_cmds; i++)
        if (pk__report_fig(r, i, PK_METRIC_WALL))
            row(f, r, i, params, np);
    pk_free(params);
    return fflush(f) == EOF || ferror(f) ? PK_EIO : PK_OK;
}
