/* markup.c — hyperfine's markup tables (AsciiDoc, org-mode) and what every
 * table writer shares: the time unit and the order of the rows.
 *
 * hyperfine writes one table shape in three markups (src/export/markup.rs):
 * Command, Mean [unit] ("mean ± σ"), Min, Max, Relative; the unit is the
 * --time-unit, else chosen from the first command's mean (µs below 1 ms, ms
 * below 1 s, else s; 1, 1 and 3 decimals); `|` in a command is written `\|`.
 *
 *   AsciiDoc (asciidoc.rs)            org-mode (orgmode.rs)
 *   [cols="<,>,>,>,>"]                | Command  |  Mean [ms] |  ... |
 *   |===                              |--+--+--+--+--|
 *   | Command                         | =sleep 0.1=  |  105.7 ± 1.6 |  ... |
 *   | Mean [ms]                       (cells after the first: " |  " apart)
 *   ...
 *   (a blank line before every row)
 *   |===
 *
 * Each cell of AsciiDoc ends in a blank before the line break, as hyperfine
 * writes it. Relative is perfkit's: the Summary's ratio against the
 * reference (ratio of medians for time, of means for instruction counts), not
 * against the fastest command, ± half the width of its confidence interval; a
 * command without a comparison gets the point ratio of the same statistic,
 * without ±. In instructions mode the columns are exact counts (Instructions, Min, Max). */
#include "report/report_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "perfkit/alloc.h"

pk__report_tunit pk__report_table_unit(const pk_bench_report *r, const pk_write_opts *o)
{
    static const pk__report_tunit us = {"\xc2\xb5s", 1e3, 1}, ms = {"ms", 1e6, 1},
                                  s = {"s", 1e9, 3};
    switch (o ? o->time_unit : PK_TIME_UNIT_AUTO) {
    case PK_TIME_UNIT_US: return us;
    case PK_TIME_UNIT_MS: return ms;
    case PK_TIME_UNIT_S: return s;
    case PK_TIME_UNIT_AUTO: break;
    }
    for (size_t i = 0; i < r->bench->n_cmds; i++) {
        const pk_summary *w = pk__report_fig(r, i, PK_METRIC_WALL);
        if (w)
            return w->mean >= 1e9 ? s : w->mean < 1e6 ? us : ms;
    }
    return ms;
}

typedef struct keyed {
    double key;   /* the primary figure's mean; +inf without one */
    size_t i;
} keyed;

static int by_key(const void *a, const void *b)
{
    const keyed *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;   /* ties keep the input order */
}

size_t *pk__report_order(const pk_bench_report *r, const pk_write_opts *o)
{
    size_t n = r->bench->n_cmds;
    size_t *order = pk_calloc(n ? n : 1, sizeof *order);
    if (!order)
        return NULL;
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    if (!o || o->sort != PK_SORT_MEAN || n < 2)
        return order;
    keyed *k = pk_calloc(n, sizeof *k);
    if (!k) {
        pk_free(order);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        const pk_summary *s = pk__report_fig(r, i, r->primary);
        k[i] = (keyed){s ? s->mean : INFINITY, i};
    }
    qsort(k, n, sizeof *k, by_key);
    for (size_t i = 0; i < n; i++)
        order[i] = k[i].i;
    pk_free(k);
    return order;
}

/* ---- one table, two markups ------------------------------------------------ */

#define NCOLS 5

typedef struct markup {
    bool org;
    FILE *f;
} markup;

static void row(const markup *m, const char *const cells[NCOLS])
{
    if (m->org) {
        fprintf(m->f, "| %s  |", cells[0]);
        for (int c = 1; c < NCOLS; c++)
            fprintf(m->f, "  %s |", cells[c]);
        fputc('\n', m->f);
        return;
    }
    fputc('\n', m->f);
    for (int c = 0; c < NCOLS; c++)
        fprintf(m->f, "| %s \n", cells[c]);
}

/* The command cell: `cmd` (AsciiDoc) or =cmd= (org-mode), `|` as `\|`, line
 * breaks as blanks. The caller frees it with pk_free; NULL on ENOMEM. */
static char *command_cell(const markup *m, const char *name)
{
    char mark = m->org ? '=' : '`';
    size_t len = strlen(name), o = 0;
    char *out = len < SIZE_MAX / 2 - 3 ? pk_malloc(2 * len + 3) : NULL;
    if (!out)
        return NULL;
    out[o++] = mark;
    for (const char *s = name; *s; s++) {
        if (*s == '|')
            out[o++] = '\\';
        out[o++] = *s == '\n' || *s == '\r' ? ' ' : *s;
    }
    out[o++] = mark;
    out[o] = '\0';
    return out;
}

static void value_cells(const pk_summary *s, bool instr, pk__report_tunit u,
                        char cells[NCOLS][128])
{
    if (instr) {
        char mean[40], sd[40];
        pk__report_fmt_thousands((uint64_t)llround(s->mean), mean, sizeof mean);
        pk__report_fmt_thousands((uint64_t)llround(s->stddev), sd, sizeof sd);
        snprintf(cells[1], 128, s->n > 1 ? "%s \xc2\xb1 %s" : "%s", mean, sd);
        pk__report_fmt_thousands((uint64_t)llround(s->min), cells[2], 128);
        pk__report_fmt_thousands((uint64_t)llround(s->max), cells[3], 128);
        return;
    }
    if (s->n > 1)
        snprintf(cells[1], 128, "%.*f \xc2\xb1 %.*f", u.prec, s->mean / u.ns, u.prec,
                 s->stddev / u.ns);
    else
        snprintf(cells[1], 128, "%.*f", u.prec, s->mean / u.ns);
    snprintf(cells[2], 128, "%.*f", u.prec, s->min / u.ns);
    snprintf(cells[3], 128, "%.*f", u.prec, s->max / u.ns);
}

/* The Summary's ratio against the reference (pk__report_relative_of, the
 * one rule every writer follows) as hyperfine prints it, "1.10 ± 0.02" with
 * half the width of its confidence interval; the reference is "1.00". */
static void relative_cell(const pk_bench_report *r, size_t i, char *out)
{
    pk__report_relative rel;
    out[0] = '\0';
    if (i == r->reference) {
        snprintf(out, 128, "1.00");
    } else if (pk__report_relative_of(r, i, &rel) && isfinite(rel.ratio)) {
        const pk_ci *ci = &r->cmds[i].cmp.ratio_ci;
        double half = rel.compared ? (ci->hi - ci->lo) / 2 : NAN;
        if (isfinite(half) && half > 0)
            snprintf(out, 128, "%.2f \xc2\xb1 %.2f", rel.ratio, half);
        else
            snprintf(out, 128, "%.2f", rel.ratio);
    }
}

static pk_err write_table(FILE *f, const pk_bench_report *r, const pk_write_opts *o, bool org)
{
    if (!f || !r)
        return PK_EINVAL;
    size_t *order = pk__report_order(r, o);
    if (!order)
        return PK_ENOMEM;
    markup m = {org, f};
    bool instr = r->primary == PK_METRIC_INSTRUCTIONS;
    pk__report_tunit u = pk__report_table_unit(r, o);
    char cells[NCOLS][128];
    const char *view[NCOLS] = {cells[0], cells[1], cells[2], cells[3], cells[4]};
    snprintf(cells[0], 128, "Command");
    if (instr) {
        snprintf(cells[1], 128, "Instructions");
        snprintf(cells[2], 128, "Min");
        snprintf(cells[3], 128, "Max");
    } else {
        snprintf(cells[1], 128, "Mean [%s]", u.name);
        snprintf(cells[2], 128, "Min [%s]", u.name);
        snprintf(cells[3], 128, "Max [%s]", u.name);
    }
    snprintf(cells[4], 128, "Relative");
    if (!org)
        fputs("[cols=\"<,>,>,>,>\"]\n|===", f);
    row(&m, view);
    if (org)
        fputs("|--+--+--+--+--|\n", f);
    for (size_t k = 0; k < r->bench->n_cmds; k++) {
        size_t i = order[k];
        const pk_summary *s = pk__report_fig(r, i, r->primary);
        char *cmd = command_cell(&m, pk__report_cmd_name(r->cmds[i].res));
        if (!cmd) {
            pk_free(order);
            return PK_ENOMEM;
        }
        view[0] = cmd;
        if (!s) {
            for (int c = 1; c < 4; c++)
                snprintf(cells[c], 128, "n/a");
            snprintf(cells[4], 128, "%s", r->cmds[i].res->failed ? "failed" : "no runs");
        } else {
            value_cells(s, instr, u, cells);
            relative_cell(r, i, cells[4]);
        }
        row(&m, view);
        pk_free(cmd);
    }
    if (!org)
        fputs("|===\n", f);
    pk_free(order);
    return fflush(f) == EOF || ferror(f) ? PK_EIO : PK_OK;
}

pk_err pk__report_bench_asciidoc(FILE *f, const pk_bench_report *r, const pk_write_opts *o)
{
    return write_table(f, r, o, false);
}

pk_err pk__report_bench_orgmode(FILE *f, const pk_bench_report *r, const pk_write_opts *o)
{
    return write_table(f, r, o, true);
}
