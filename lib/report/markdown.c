/* markdown.c — a pull-request-comment table, hyperfine's columns plus a verdict.
 *
 *   | Command | Mean [ms] | Min [ms] | Max [ms] | Relative (medians) | Verdict |
 *   |:---|---:|---:|---:|---:|:---|
 *   | `sleep 0.1` | 101.2 ± 0.4 | 100.6 | 102.0 | 1.00 | reference |
 *   | `sleep 0.11` | 111.3 ± 0.5 | 110.6 | 112.1 | 1.10 × slower [95% CI 1.09 … 1.11] | slower
 *     (p = 1.2e-11) |   (one line)
 *
 * The unit is --time-unit's (pk_write_opts) or follows hyperfine (chosen from
 * the first command: s with 3 decimals, ms or µs with 1); the rows go in
 * the order pk_write_opts.sort asks for. "Relative" is the text Summary's
 * factor against the reference — the comparison's ratio (of medians under
 * Mann-Whitney) with its bootstrap CI, "1.10 × slower" or "2.00 × faster" —
 * from one function (pk__report_relative_of), not hyperfine's mean / mean:
 * two ratios of one pair of commands that disagree are a trap. The verdict
 * is the statistical comparison. In instructions mode the figures are
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

/* The Summary's factor (pk__report_relative_of), so the table and the text
 * report never disagree: "1.10 × slower [95% CI 1.09 … 1.11]". */
static void relative_cell(FILE *f, const pk_bench_report *r, size_t i)
{
    pk__report_relative rel;
    if (i == r->reference) {
        fputs(" 1.00 |", f);
        return;
    }
    if (!pk__report_relative_of(r, i, &rel)) {
        fputs(" |", f);
        return;
    }
    fprintf(f, " %.*f × %s", rel.prec, rel.factor, rel.slower ? "slower" : "faster");
    if (rel.compared)
        fprintf(f, " [%.0f%% CI %.*f … %.*f]", r->compare.boot.confidence * 100, rel.prec,
                rel.lo, rel.prec, rel.hi);
    fputs(" |", f);
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
    /* the statistic the ratio compares: the mean column is not always it */
    const char *stat = r->compare.method == PK_TEST_MANN_WHITNEY ? "medians" : "means";
    if (instr)
        fprintf(f, "| Command | Instructions | Min | Max | Relative (%s) | Verdict |\n", stat);
    else
        fprintf(f,
                "| Command | Mean [%s] | Min [%s] | Max [%s] | Relative (%s) | Verdict |\n",
                u.name, u.name, u.name, stat);
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
        relative_cell(f, r, i);
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
