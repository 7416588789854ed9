/* markdown.c — a pull-request-comment table, hyperfine's columns plus a verdict.
 *
 *   | Command | Mean [ms] | Min [ms] | Max [ms] | Relative | Verdict |
 *   |:---|---:|---:|---:|---:|:---|
 *   | `sleep 0.1` | 101.2 ± 0.4 | 100.6 | 102.0 | 1.00 | reference |
 *
 * The unit is --time-unit's (pk_write_opts) or follows hyperfine (chosen from
 * the first command: s with 3 decimals, ms or µs with 1); the rows go in
 * the order pk_write_opts.sort asks for. "Relative"
 * is mean / mean of the reference with hyperfine's propagated ± error; the
 * verdict is the statistical comparison. In instructions mode the figures are
 * exact instruction counts. Commands go in backticks with `|` escaped. A
 * machine line follows the table. */
#include "report/report_int.h"

#include <math.h>
#include <string.h>
#include "perfkit/alloc.h"

/* Inline code span of s: `s`, or `` s `` when s holds a backtick; '|'
 * escaped, line breaks as spaces. */
static void code_span(FILE *f, const char *s)
{
    const char *fence = strchr(s, '`') ? "``" : "`";
    const char *pad = fence[1] ? " " : "";
    fprintf(f, "%s%s", fence, pad);
    for (; *s; s++) {
        if (*s == '|')
            fputs("\\|", f);
        else if (*s == '\n' || *s == '\r')
            fputc(' ', f);
        else
            fputc(*s, f);
    }
    fprintf(f, "%s%s", pad, fence);
}

typedef pk__report_tunit unit;

static void fig_cells(FILE *f, const pk_summary *s, bool instr, unit u)
{
    if (instr) {
        char mean[40], min[40], max[40], sd[40];
        pk__report_fmt_thousands((uint64_t)llround(s->mean), mean, sizeof mean);
        pk__report_fmt_thousands((uint64_t)llround(s->stddev), sd, sizeof sd);
        pk__report_fmt_thousands((uint64_t)llround(s->min), min, sizeof min);
        pk__report_fmt_thousands((uint64_t)llround(s->max), max, sizeof max);
        if (s->n > 1)
            fprintf(f, " %s ± %s | %s | %s |", mean, sd, min, max);
        else
            fprintf(f, " %s | %s | %s |", mean, min, max);
        return;
    }
    if (s->n > 1)
        fprintf(f, " %.*f ± %.*f |", u.prec, s->mean / u.ns, u.prec, s->stddev / u.ns);
    else
        fprintf(f, " %.*f |", u.prec, s->mean / u.ns);
    fprintf(f, " %.*f | %.*f |", u.prec, s->min / u.ns, u.prec, s->max / u.ns);
}

static void relative_cell(FILE *f, const pk_bench_report *r, size_t i, const pk_summary *s)
{
    const pk_summary *ref = pk__report_fig(r, r->reference, r->primary);
    if (!ref || ref->mean == 0) {
        fputs(" |", f);
        return;
    }
    double rel = s->mean / ref->mean;
    if (i == r->reference || s->n < 2 || ref->n < 2 || s->mean == 0) {
        fprintf(f, " %.2f |", rel);
        return;
    }
    double err = rel * sqrt(pow(s->stddev / s->mean, 2) + pow(ref->stddev / ref->mean, 2));
    fprintf(f, " %.2f ± %.2f |", rel, err);
}

static void verdict_cell(FILE *f, const pk_bench_report *r, size_t i)
{
    const pk_cmd_report *cr = &r->cmds[i];
    if (i == r->reference)
        fputs(" reference |\n", f);
    else if (cr->has_comparison && r->compare.method == PK_TEST_EXACT)
        fprintf(f, " %s |\n", pk_verdict_name(cr->cmp.verdict));
    else if (cr->has_comparison)
        fprintf(f, " %s (p = %.2g) |\n", pk_verdict_name(cr->cmp.verdict), cr->cmp.p_value);
    else
        fputs(" not compared |\n", f);
}

pk_err pk__report_bench_markdown(FILE *f, const pk_bench_report *r, const pk_write_opts *o)
{
    if (!f || !r)
        return PK_EINVAL;
    size_t *order = pk__report_order(r, o);
    if (!order)
        return PK_ENOMEM;
    bool instr = r->primary == PK_METRIC_INSTRUCTIONS;
    unit u = pk__report_table_unit(r, o);
    if (instr)
        fputs("| Command | Instructions | Min | Max | Relative | Verdict |\n", f);
    else
        fprintf(f, "| Command | Mean [%s] | Min [%s] | Max [%s] | Relative | Verdict |\n",
                u.name, u.name, u.name);
    fputs("|:---|---:|---:|---:|---:|:---|\n", f);
    for (size_t k = 0; k < r->bench->n_cmds; k++) {
        size_t i = order[k];
        const pk_summary *s = pk__report_fig(r, i, r->primary);
        fputs("| ", f);
        code_span(f, pk__report_cmd_name(r->cmds[i].res));
        fputs(" |", f);
        if (!s) {
            fputs(" n/a | n/a | n/a | | ", f);
            fputs(r->cmds[i].res->failed ? "failed |\n" : "no runs |\n", f);
            continue;
        }
        fig_cells(f, s, instr, u);
        relative_cell(f, r, i, s);
        verdict_cell(f, r, i);
    }
    pk_free(order);
    char machine[512];
    const char *src = pk__report_instr_source_name(r->bench->instr_source);
    fprintf(f, "\nMachine: %s; perfkit %s", pk__report_machine_line(&r->machine, machine,
                                                                  sizeof machine), pk_version());
    if (instr && src)
        fprintf(f, "; instructions from %s", src);
    fputs(".\n", f);
    return fflush(f) == EOF || ferror(f) ? PK_EIO : PK_OK;
}
