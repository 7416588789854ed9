/* text.c — the human report on a terminal, hyperfine's layout made richer.
 *
 *   Benchmark 1: sleep 0.1
 *     Time (mean ± σ):     101.2 ms ±   0.4 ms    [User: 0.5 ms, System: 0.3 ms]
 *     Range (min … max):   100.6 ms … 102.0 ms    30 runs   median 101.1 ms
 *     Peak RSS:            1.9 MiB (max 2.0 MiB)   page faults 85 minor, 0 major
 *     Counters:            task-clock 0.61 ms, context-switches 1, ...
 *                          not supported: cycles, instructions, ...
 *   Summary
 *     sleep 0.1 (reference)
 *       sleep 0.11   1.10 × slower   [95% CI 1.09 … 1.11]   p = 1.2e-11   → slower
 *
 * Mean and σ share the mean's unit; instruction counts are exact integers
 * with thousands separators. A figure that was not measured reads "not
 * supported", never 0. Failures show the run, the cause and the stderr tail.
 * Names, commands and the stderr tail are untrusted text: they are written
 * through pk_termsafe (termsafe.h), control characters as visible escapes.
 * ANSI colour only when asked; ascii mode swaps ± σ … × → — µ for ASCII.
 * pk_write_opts.time_unit fixes the unit of the time lines (-u ms), .sort
 * orders the summary's comparisons. With a shell, a first line names it and
 * the start-up time taken off every run (hyperfine's correction). */
#include "report/report_int.h"

#include <math.h>
#include <signal.h>
#include <string.h>
#include "perfkit/alloc.h"
#include "perfkit/termsafe.h"
#include "perfkit/units.h"

#define LABEL_WIDTH 21   /* display columns of "Time (mean ± σ):     " */
#define WRAP_COLUMN 100

typedef struct out {
    FILE *f;
    bool color, ascii;
    pk_time_unit unit;   /* forced unit of the time lines, or AUTO */
} out;

/* ANSI sequences, empty without colour. */
static const char *sgr(const out *o, const char *code)
{
    return o->color ? code : "";
}
#define BOLD "\033[1m"
#define GREEN "\033[32m"
#define BLUE "\033[34m"
#define CYAN "\033[36m"
#define MAGENTA "\033[35m"
#define YELLOW "\033[33m"
#define RED "\033[31m"
#define DIM "\033[2m"
#define RESET "\033[0m"

/* Typographic symbols and their ASCII stand-ins. */
static const char *sym(const out *o, const char *utf8, const char *ascii)
{
    return o->ascii ? ascii : utf8;
}
#define PM(o) sym(o, "±", "+-")
#define SIGMA(o) sym(o, "σ", "sd")
#define ELLIPSIS(o) sym(o, "…", "...")
#define TIMES(o) sym(o, "×", "x")
#define ARROW(o) sym(o, "→", "->")
#define DASH(o) sym(o, "—", "--")

/* "  <label>" padded to the value column. */
static void label(const out *o, const char *text)
{
    fprintf(o->f, "  %s", text);
    size_t w = pk__report_width(text);
    pk__report_pad(o->f, w < LABEL_WIDTH ? LABEL_WIDTH - w : 1);
}

/* s right-aligned in w columns, wrapped in colour c. */
static void right(const out *o, const char *s, size_t w, const char *c)
{
    size_t sw = pk__report_width(s);
    pk__report_pad(o->f, sw < w ? w - sw : 0);
    fprintf(o->f, "%s%s%s", sgr(o, c), s, sgr(o, RESET));
}

/* A unit chosen from one value, applied to several ("101.2 ms ± 0.4 ms"). */
typedef struct dunit {
    const char *name;
    double ns;
    int prec;
} dunit;

static dunit unit_for(const out *o, double ns)
{
    static const double forced[] = {
        [PK_TIME_UNIT_US] = 1e3, [PK_TIME_UNIT_MS] = 1e6, [PK_TIME_UNIT_S] = 1e9};
    dunit u = {"ns", 1, 0};
    double a = fabs(ns);
    /* a forced unit (-u) is picked as if the value were one of it */
    double pick = o->unit > PK_TIME_UNIT_AUTO && o->unit <= PK_TIME_UNIT_S ? forced[o->unit] : a;
    if (pick >= 1e9)
        u = (dunit){"s", 1e9, 3};
    else if (pick >= 1e6)
        u = (dunit){"ms", 1e6, 1};
    else if (pick >= 1e3)
        u = (dunit){o->ascii ? "us" : "µs", 1e3, 1};
    double v = a / u.ns;
    if (u.ns > 1 && u.ns < 1e9)
        u.prec = v >= 100 ? 1 : v >= 10 ? 2 : 3;
    return u;
}

static char *fmt_in(double ns, dunit u, char *buf, size_t len)
{
    snprintf(buf, len, "%.*f %s", u.prec, ns / u.ns, u.name);
    return buf;
}

static char *fmt_count(double v, char *buf, size_t len)
{
    return pk__report_fmt_thousands(v > 0 ? (uint64_t)llround(v) : 0, buf, len);
}

static void time_lines(const out *o, const pk_bench_report *r, size_t i)
{
    const pk_summary *w = pk__report_fig(r, i, PK_METRIC_WALL);
    const pk_summary *us = pk__report_fig(r, i, PK_METRIC_USER);
    const pk_summary *sy = pk__report_fig(r, i, PK_METRIC_SYS);
    char a[48], b[48], lbl[48];
    if (!w)
        return;
    /* a mean under 1 µs (0 after the shell correction): the unit of user or
     * sys, so that they do not read "194547 ns" */
    double scale = w->mean;
    if (scale < 1e3)
        scale = fmax(scale, fmax(us ? us->mean : 0, sy ? sy->mean : 0));
    dunit u = unit_for(o, scale);
    snprintf(lbl, sizeof lbl, "Time (mean %s %s):", PM(o), SIGMA(o));
    label(o, lbl);
    right(o, fmt_in(w->mean, u, a, sizeof a), 8, BOLD GREEN);
    fprintf(o->f, " %s ", PM(o));
    right(o, fmt_in(w->stddev, u, a, sizeof a), 8, GREEN);
    if (us && sy) {
        fprintf(o->f, "    [User: %s%s%s, ", sgr(o, BLUE), fmt_in(us->mean, u, a, sizeof a),
                sgr(o, RESET));
        fprintf(o->f, "System: %s%s%s]", sgr(o, BLUE), fmt_in(sy->mean, u, b, sizeof b),
                sgr(o, RESET));
    }
    fputc('\n', o->f);
    snprintf(lbl, sizeof lbl, "Range (min %s max):", ELLIPSIS(o));
    label(o, lbl);
    right(o, fmt_in(w->min, u, a, sizeof a), 8, CYAN);
    fprintf(o->f, " %s ", ELLIPSIS(o));
    right(o, fmt_in(w->max, u, a, sizeof a), 8, MAGENTA);
    fprintf(o->f, "    %zu run%s   median %s\n", w->n, w->n == 1 ? "" : "s",
            fmt_in(w->median, u, b, sizeof b));
}

/* Instructions as exact integers, from counter or cachegrind. */
static void instr_lines(const out *o, const pk_bench_report *r, size_t i, bool primary)
{
    const pk_summary *s = pk__report_fig(r, i, PK_METRIC_INSTRUCTIONS);
    const char *src = pk__report_instr_source_name(r->bench->instr_source);
    char a[40], b[40], lbl[48];
    if (!s)
        return;
    snprintf(lbl, sizeof lbl, "Instructions (mean %s %s):", PM(o), SIGMA(o));
    label(o, primary ? lbl : "Instructions:");
    fprintf(o->f, "%s%s%s %s %s", sgr(o, primary ? BOLD GREEN : ""),
            fmt_count(s->mean, a, sizeof a), sgr(o, primary ? RESET : ""), PM(o),
            fmt_count(s->stddev, b, sizeof b));
    if (src)
        fprintf(o->f, "    [%s]", src);
    fputc('\n', o->f);
    if (!primary)
        return;
    snprintf(lbl, sizeof lbl, "Range (min %s max):", ELLIPSIS(o));
    label(o, lbl);
    fprintf(o->f, "%s %s ", fmt_count(s->min, a, sizeof a), ELLIPSIS(o));
    fprintf(o->f, "%s    %zu run%s\n", fmt_count(s->max, b, sizeof b), s->n,
            s->n == 1 ? "" : "s");
    if (r->bench->instr_source == PK_INSTR_CACHEGRIND) {
        label(o, "");
        fputs("Note: runs are under valgrind; time, RSS and counters below describe that\n",
              o->f);
    }
}

static void rss_line(const out *o, const pk_bench_report *r, size_t i)
{
    const pk_summary *rss = pk__report_fig(r, i, PK_METRIC_RSS);
    const pk_summary *mi = pk__report_fig(r, i, PK_METRIC_MINFLT);
    const pk_summary *ma = pk__report_fig(r, i, PK_METRIC_MAJFLT);
    char a[32], b[32];
    if (!rss)
        return;
    label(o, "Peak RSS:");
    const pk_cmd_result *c = r->cmds[i].res;
    uint64_t floor = 0;
    for (size_t k = 0; k < c->n_runs; k++)
        if (c->runs[k].rss_floor_bytes > floor)
            floor = c->runs[k].rss_floor_bytes;
    if (floor && rss->max <= (double)floor + 65536.0)   /* never above perfkit's own size */
        fprintf(o->f, "%s %s (perfkit's own size at spawn: the measurement floor)",
                o->ascii ? "<=" : "\xe2\x89\xa4", pk_units_format_size(rss->max, a, sizeof a));
    else
        fprintf(o->f, "%s (max %s)", pk_units_format_size(rss->median, a, sizeof a),
                pk_units_format_size(rss->max, b, sizeof b));
    if (mi && ma)
        fprintf(o->f, "   page faults %s minor, %s major", fmt_count(mi->mean, a, sizeof a),
                fmt_count(ma->mean, b, sizeof b));
    fputc('\n', o->f);
}

/* Appends item to the current counters line, wrapping at WRAP_COLUMN. */
static void ctr_item(const out *o, size_t *col, bool *first, const char *item)
{
    size_t w = pk__report_width(item);
    if (!*first && *col + 2 + w > WRAP_COLUMN) {
        fputs(",\n", o->f);
        pk__report_pad(o->f, 2 + LABEL_WIDTH);
        *col = 2 + LABEL_WIDTH;
    } else if (!*first) {
        fputs(", ", o->f);
        *col += 2;
    }
    fputs(item, o->f);
    *col += w;
    *first = false;
}

static void counter_lines(const out *o, const pk_bench_report *r, size_t i)
{
    char item[96], v[48];
    size_t col = 2 + LABEL_WIDTH, n_missing = 0;
    bool first = true;
    label(o, "Counters:");
    for (int c = 0; c < PK_CTR_COUNT; c++) {
        const pk_summary *s = pk__report_fig(r, i, (pk_metric)(PK_METRIC_COUNTER0 + c));
        if (!s) {
            n_missing++;
            continue;
        }
        if (c == PK_CTR_TASK_CLOCK)
            pk_units_format_duration(s->mean, o->ascii, v, sizeof v);
        else if (s->mean < 1e6)
            fmt_count(s->mean, v, sizeof v);
        else
            pk_units_format_count(s->mean, v, sizeof v);
        snprintf(item, sizeof item, "%s %s", pk_counter_name((pk_counter)c), v);
        ctr_item(o, &col, &first, item);
    }
    if (n_missing) {
        if (!first) {
            fputc('\n', o->f);
            pk__report_pad(o->f, 2 + LABEL_WIDTH);
            col = 2 + LABEL_WIDTH;
        }
        fprintf(o->f, "%snot supported: ", sgr(o, DIM));
        col += 15;
        first = true;
        for (int c = 0; c < PK_CTR_COUNT; c++)
            if (!pk__report_fig(r, i, (pk_metric)(PK_METRIC_COUNTER0 + c)))
                ctr_item(o, &col, &first, pk_counter_name((pk_counter)c));
        fputs(sgr(o, RESET), o->f);
    }
    fputc('\n', o->f);
}

static void warnings(const out *o, const pk_bench_report *r, size_t i)
{
    const pk_summary *s = pk__report_fig(r, i, r->primary);
    const pk_cmd_result *c = r->cmds[i].res;
    if (s) {
        const pk_outliers *x = &s->outliers;
        size_t mild = x->low_mild + x->high_mild, severe = x->low_severe + x->high_severe;
        if (mild || severe) {
            fprintf(o->f, "  %sWarning:%s ", sgr(o, YELLOW), sgr(o, RESET));
            if (mild)
                fprintf(o->f, "%zu mild", mild);
            if (mild && severe)
                fputs(" and ", o->f);
            if (severe)
                fprintf(o->f, "%zu severe", severe);
            fprintf(o->f, " outlier%s (Tukey fences) %s results may be affected by other "
                    "activity.\n", mild + severe == 1 ? "" : "s", DASH(o));
        }
    }
    if (c->n_failures)
        fprintf(o->f, "  %sWarning:%s %zu of %zu run%s failed (non-zero exit, signal or "
                "timeout) and %s kept (--ignore-failure).\n", sgr(o, YELLOW), sgr(o, RESET),
                c->n_failures, c->n_runs, c->n_runs == 1 ? "" : "s",
                c->n_failures == 1 ? "was" : "were");
}

/* The stderr tail, indented, line by line, each made terminal-safe. */
static void stderr_tail(const out *o, const char *t)
{
    if (!t || !*t)
        return;
    size_t n = strlen(t);
    while (n && (t[n - 1] == '\n' || t[n - 1] == '\r'))
        n--;
    fputs("  stderr (tail):\n", o->f);
    for (size_t k = 0; k <= n;) {
        size_t len = strcspn(t + k, "\n");
        if (k + len > n)
            len = n - k;
        char *line = pk_strndup(t + k, len);
        fputs("    ", o->f);
        pk_termsafe_fputs(line ? line : "(out of memory)", o->f);
        fputc('\n', o->f);
        pk_free(line);
        k += len + 1;
    }
}

static void failure(const out *o, const pk_cmd_result *c)
{
    const pk_run_result *x = &c->failure;
    char run[64];
    snprintf(run, sizeof run, "%s %zu", c->failed_in_warmup ? "warm-up run" : "run",
             c->failed_run);
    fprintf(o->f, "  %sCommand failed at %s ", sgr(o, BOLD RED), run);
    if (x->timed_out) {
        fputs("(timed out)", o->f);
    } else if (x->term_signal) {
        const char *abbrev = sigabbrev_np(x->term_signal);
        fprintf(o->f, "(killed by signal %d", x->term_signal);
        if (abbrev)
            fprintf(o->f, ", SIG%s", abbrev);
        fputc(')', o->f);
    } else {
        fprintf(o->f, "with exit code %d", x->exit_code);
    }
    fprintf(o->f, "%s\n", sgr(o, RESET));
    stderr_tail(o, c->stderr_tail);
}

static void command_block(const out *o, const pk_bench_report *r, size_t i)
{
    const pk_cmd_result *c = r->cmds[i].res;
    bool instr = r->primary == PK_METRIC_INSTRUCTIONS;
    fprintf(o->f, "%sBenchmark %zu:%s ", sgr(o, BOLD), i + 1, sgr(o, RESET));
    pk_termsafe_fputs(pk__report_cmd_name(c), o->f);
    fputc('\n', o->f);
    if (pk__report_fig(r, i, PK_METRIC_WALL)) {
        if (instr)
            instr_lines(o, r, i, true);
        time_lines(o, r, i);
        if (!instr)
            instr_lines(o, r, i, false);
        if (instr && !pk__report_fig(r, i, PK_METRIC_INSTRUCTIONS)) {
            label(o, "Instructions:");
            fputs("not supported\n", o->f);
        }
        rss_line(o, r, i);
        counter_lines(o, r, i);
        warnings(o, r, i);
    } else if (!c->failed) {
        fputs("  no measured runs\n", o->f);
    }
    if (c->failed)
        failure(o, c);
    if (r->bench->interrupted)
        fprintf(o->f, "  %sinterrupted: partial results (%zu run%s)%s\n", sgr(o, YELLOW),
                c->n_runs, c->n_runs == 1 ? "" : "s", sgr(o, RESET));
    fputc('\n', o->f);
}

/* Red for a change for the worse, green for the better: the figure table
 * says which way is which. */
static const char *verdict_color(const pk_bench_report *r, pk_verdict v)
{
    pk_change ch = pk_figure_change(pk_metric_name(r->primary), v);
    return ch == PK_CHANGE_WORSE ? BOLD RED : ch == PK_CHANGE_BETTER ? BOLD GREEN : "";
}

/* "sleep 0.11   1.10 × slower   [95% CI 1.09 … 1.11]   p = 1.2e-11   → slower" */
static void comparison_line(const out *o, const pk_bench_report *r, size_t i, size_t name_w)
{
    const pk_cmd_report *cr = &r->cmds[i];
    const char *name = pk__report_cmd_name(cr->res);
    fputs("    ", o->f);
    pk_termsafe_fputs(name, o->f);
    size_t w = pk__report_safe_width(name);
    pk__report_pad(o->f, w < name_w ? name_w - w : 0);
    if (!cr->has_comparison) {
        fprintf(o->f, "   not compared (%s)\n", cr->res->n_runs < 2
                ? "fewer than 2 runs" : "figure not measured on both");
        return;
    }
    const pk_comparison *c = &cr->cmp;
    pk__report_relative rel;
    pk__report_relative_of(r, i, &rel);   /* compared: always there */
    int prec = rel.prec;
    fprintf(o->f, "   %5.*f %s %s   [%.0f%% CI %.*f %s %.*f]   ", prec, rel.factor, TIMES(o),
            rel.slower ? "slower" : "faster", r->compare.boot.confidence * 100, prec, rel.lo,
            ELLIPSIS(o), prec, rel.hi);
    if (r->compare.method == PK_TEST_EXACT)
        fputs(c->p_value < r->compare.alpha ? "ranges disjoint" : "ranges overlap", o->f);
    else
        fprintf(o->f, "p = %-8.2g", c->p_value);
    fprintf(o->f, "   %s %s%s%s\n", ARROW(o), sgr(o, verdict_color(r, c->verdict)),
            pk_verdict_name(c->verdict), sgr(o, RESET));
}

static pk_err summary_block(const out *o, const pk_bench_report *r, const pk_write_opts *opts)
{
    size_t n = r->bench->n_cmds, name_w = 0;
    if (n < 2)
        return PK_OK;
    size_t *order = pk__report_order(r, opts);
    if (!order)
        return PK_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        size_t w = pk__report_safe_width(pk__report_cmd_name(r->cmds[i].res));
        if (i != r->reference && w > name_w)
            name_w = w;
    }
    if (name_w > 40)
        name_w = 40;
    fprintf(o->f, "%sSummary%s (%s, ratio of %s, %s, alpha %.2g, threshold %.3g%%)\n",
            sgr(o, BOLD), sgr(o, RESET), pk_metric_name(r->primary),
            r->compare.method == PK_TEST_MANN_WHITNEY ? "medians" : "means",
            pk__report_method_name(r->compare.method), r->compare.alpha,
            r->compare.threshold * 100);
    fprintf(o->f, "  %s", sgr(o, CYAN));
    pk_termsafe_fputs(pk__report_cmd_name(r->cmds[r->reference].res), o->f);
    fprintf(o->f, "%s (reference)\n", sgr(o, RESET));
    for (size_t k = 0; k < n; k++)
        if (order[k] != r->reference)
            comparison_line(o, r, order[k], name_w);
    pk_free(order);
    return PK_OK;
}

/* With a shell: which one, and the start-up time taken off every run. */
static void shell_line(const out *o, const pk_bench_report *r)
{
    const pk_cmdbench_result *b = r->bench;
    const pk_shell_correction *c = &b->shell_correction;
    char w[48], u[48], s[48];
    if (!b->shell)
        return;
    fprintf(o->f, "%sShell:%s ", sgr(o, BOLD), sgr(o, RESET));
    pk_termsafe_fputs(b->shell, o->f);
    if (c->applied) {
        fprintf(o->f, " %s times corrected for the shell's start-up, %s (user %s, system %s: "
                "the mean of %zu runs of `", DASH(o),
                pk_units_format_duration((double)c->wall_ns, o->ascii, w, sizeof w),
                pk_units_format_duration((double)c->user_ns, o->ascii, u, sizeof u),
                pk_units_format_duration((double)c->sys_ns, o->ascii, s, sizeof s), c->runs);
        pk_termsafe_fputs(b->shell, o->f);
        fputs(" -c ''`)", o->f);
    } else {
        fprintf(o->f, " %s times include the shell's start-up", DASH(o));
    }
    fputs("\n\n", o->f);
}

pk_err pk__report_bench_text(FILE *f, const pk_bench_report *r, const pk_write_opts *opts)
{
    if (!f || !r)
        return PK_EINVAL;
    out o = {f, opts && opts->color, opts && opts->ascii,
             opts ? opts->time_unit : PK_TIME_UNIT_AUTO};
    shell_line(&o, r);
    for (size_t i = 0; i < r->bench->n_cmds; i++)
        command_block(&o, r, i);
    pk_err e = summary_block(&o, r, opts);
    if (e != PK_OK)
        return e;
    return fflush(f) == EOF || ferror(f) ? PK_EIO : PK_OK;
}
