/* perfkit/report.h — analyse a command benchmark and write it out.
 *
 * pk_bench_report_new() turns raw runs into everything a writer shows: a
 * summary per figure and command, outlier counts, and the comparison of every
 * command against the reference (ratio with bootstrap CI, p-value, verdict).
 * The writers only format: terminal text, perfkit JSON (schema
 * "perfkit/bench/v1", with every raw sample), hyperfine's JSON export schema,
 * CSV and Markdown. Writers write to a FILE* the caller opened.
 *
 * Thread-safety: a report is immutable after creation; writers may run
 * concurrently on distinct FILE*s. */
#ifndef PERFKIT_REPORT_H
#define PERFKIT_REPORT_H

#include <stdbool.h>
#include <stdio.h>
#include "perfkit/cmdbench.h"
#include "perfkit/machine.h"
#include "perfkit/stats.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pk_report_opts {
    size_t reference;          /* index of the command others are compared to (0) */
    pk_compare_opts compare;   /* alpha, threshold, method, bootstrap */
} pk_report_opts;

void pk_report_opts_init(pk_report_opts *o);

/* One figure of one command. */
typedef struct pk_figure {
    bool measured;        /* false: not supported / not measured here */
    pk_summary s;         /* valid when measured */
} pk_figure;

typedef struct pk_cmd_report {
    const pk_cmd_result *res;        /* borrowed from the benchmark result */
    pk_figure fig[PK_METRIC_COUNT];  /* indexed by pk_metric */
    bool has_comparison;             /* false for the reference or too few runs */
    pk_comparison cmp;               /* primary figure against the reference */
} pk_cmd_report;

typedef struct pk_bench_report {
    const pk_cmdbench_result *bench; /* borrowed; must outlive the report */
    pk_cmd_report *cmds;             /* n = bench->n_cmds */
    pk_metric primary;               /* PK_METRIC_WALL or PK_METRIC_INSTRUCTIONS */
    size_t reference;
    pk_compare_opts compare;
    pk_machine machine;
} pk_bench_report;

/* Analyse b. On PK_OK *out owns the report (pk_bench_report_free). Commands
 * with no measured run get no figures. Errors: PK_EINVAL (reference out of
 * range, bad compare options), PK_ENOMEM. */
pk_err pk_bench_report_new(const pk_cmdbench_result *b, const pk_report_opts *o,
                           pk_bench_report **out);
void   pk_bench_report_free(pk_bench_report *r);   /* NULL is a no-op */

typedef struct pk_text_opts {
    bool color;       /* ANSI colours (caller decides: TTY and no NO_COLOR) */
    bool ascii;       /* "us" instead of "µs", "+-" instead of "±" */
} pk_text_opts;

/* Human report: per command mean ± σ, median, min…max, user/sys, peak RSS,
 * counters ("not supported" where so), outlier warning; then the comparison
 * block. Errors: PK_EIO when writing fails. */
pk_err pk_report_write_text(FILE *f, const pk_bench_report *r, const pk_text_opts *o);

/* perfkit JSON: {"schema":"perfkit/bench/v1", "perfkit_version", "machine",
 * "options"..., "results":[{command, parameters, summaries per figure, raw
 * samples per run, failure}], "comparisons":[...]}. Errors: PK_EIO, PK_ENOMEM. */
pk_err pk_report_write_json(FILE *f, const pk_bench_report *r);

/* hyperfine's --export-json schema: {"results":[{command, mean, stddev, median,
 * user, system, min, max, times, exit_codes, parameters?}]} with times in
 * seconds, plus a "machine" object hyperfine readers ignore. */
pk_err pk_report_write_hyperfine_json(FILE *f, const pk_bench_report *r);

/* CSV, one row per command, header as hyperfine's --export-csv plus perfkit
 * columns (median_rss_bytes, ...). RFC 4180 quoting. */
pk_err pk_report_write_csv(FILE *f, const pk_bench_report *r);

/* Markdown table (hyperfine-compatible columns: Command, Mean, Min, Max,
 * Relative) plus a verdict column, and a machine line below it. */
pk_err pk_report_write_markdown(FILE *f, const pk_bench_report *r);

#ifdef __cplusplus
}
#endif
#endif
