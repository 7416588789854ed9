/* perfkit/report.h — analyse a command benchmark and write it out.
 *
 * pk_bench_report_new() turns raw runs into everything a writer shows: a
 * summary per figure and command, outlier counts, and the comparison of every
 * command against the reference (ratio with bootstrap CI, p-value, verdict).
 * One writer per kind of report behind the format table of format.h: a
 * benchmark (pk_bench_report_write: terminal text, perfkit JSON with every
 * raw sample, hyperfine's JSON export schema, CSV, Markdown) and a size
 * report (pk_size_write: text, JSON). Writers only format; they write to a
 * FILE* the caller opened and decide nothing.
 *
 * Thread-safety: a report is immutable after creation; writers may run
 * concurrently on distinct FILE*s. */
#ifndef PERFKIT_REPORT_H
#define PERFKIT_REPORT_H

#include <stdbool.h>
#include <stdio.h>
#include "perfkit/api.h"
#include "perfkit/cmdbench.h"
#include "perfkit/figure.h"
#include "perfkit/format.h"
#include "perfkit/machine.h"
#include "perfkit/size.h"
#include "perfkit/stats.h"

PK_BEGIN_DECLS

typedef struct pk_report_opts {
    size_t reference;          /* index of the command others are compared to (0) */
    pk_compare_opts compare;   /* alpha, threshold, method, bootstrap */
} pk_report_opts;

/* Defaults: reference 0, pk_compare_opts_init() with threshold
 * PK_THRESHOLD_AUTO — the primary figure's default from the figure table:
 * PK_DEFAULT_THRESHOLD (5%) for wall time, 0 for instruction counts. */
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
    pk_compare_opts compare;         /* as used: the table's threshold and test
                                        filled in (pk_figure_compare_opts) */
    pk_machine machine;
} pk_bench_report;

/* Analyse b. On PK_OK *out owns the report (pk_bench_report_free). Commands
 * with no measured run get no figures. The primary figure is wall time, or
 * instructions when b->measure is PK_MEASURE_INSTRUCTIONS; what o leaves to
 * the figure table is filled in for it (pk_figure_compare_opts: threshold
 * PK_THRESHOLD_AUTO becomes 5% for wall, 0 for instructions; instructions
 * use PK_TEST_EXACT unless o asks for PK_TEST_WELCH). Commands with >= 2 runs are
 * compared with a reference that has >= 2 runs; a comparison the statistics
 * reject (a zero baseline) is simply absent. The machine is read here.
 * Errors: PK_EINVAL (NULL, reference out of range, bad compare options),
 * PK_ENOMEM. On error *out is NULL and nothing leaks. */
pk_err pk_bench_report_new(const pk_cmdbench_result *b, const pk_report_opts *o,
                           pk_bench_report **out);
void   pk_bench_report_free(pk_bench_report *r);   /* NULL is a no-op */

/* Write r in format fmt, the one writer interface of a command benchmark
 * (format.h), from a table of writers:
 *
 *   PK_FORMAT_TEXT            the human report: per command mean ± σ,
 *                             median, min…max, user/sys, peak RSS, counters
 *                             ("not supported" where so), outlier warning;
 *                             then the comparison block. o->color adds ANSI
 *                             colour, o->ascii writes "us", "+-", "x" for
 *                             "µs", "±", "×".
 *   PK_FORMAT_JSON            perfkit JSON: {"schema":"perfkit/bench/v1",
 *       perfkit_version, started (ISO-8601 UTC), started_unix_ns, machine{..,
 *       fingerprint}, measure, primary, instructions_source, interrupted,
 *       failed, counters_supported[], "results":[{name, command,
 *       parameters{name: value}, n_runs, failed, n_failures, failure{run,
 *       warmup, exit_code, signal, timed_out, stderr_tail} or null,
 *       summary{wall, user, sys, rss, minflt, majflt, nvcsw, nivcsw,
 *       instructions, counters{<perf name>: ..}}, runs[{wall_ns, ..,
 *       exit_code, signal, timed_out, instructions, counters{<perf name>: int
 *       or null}}]}], "comparisons":[{name, reference, figure, ratio, ci_lo,
 *       ci_hi, confidence, p_value, verdict, alpha, threshold, method}]}. A
 *       summary is {n, mean, stddev, median, min, max, mad, q1, q3,
 *       outliers{..}} or null when the figure was not measured; raw samples
 *       are exact JSON integers. Counters are nested because "instructions"
 *       names both a figure and a counter.
 *   PK_FORMAT_HYPERFINE_JSON  hyperfine's --export-json schema: {"results":
 *       [{command, mean, stddev, median, user, system, min, max, times,
 *       exit_codes, parameters?}]} with times in seconds, plus a "machine"
 *       object hyperfine readers ignore. As hyperfine: stddev is null for a
 *       single run, an exit code is null for a signalled run, parameters
 *       appear only for a scan. Commands without a measured run are left out.
 *   PK_FORMAT_CSV             one row per command with a measured run:
 *       hyperfine's --export-csv columns (command,mean,stddev,median,user,
 *       system,min,max in seconds, then parameter_<name> per scan parameter),
 *       then n_runs, median_rss_bytes, max_rss_bytes, verdict ("reference", a
 *       pk_verdict_name, or empty when not compared) and ratio. RFC 4180
 *       quoting, LF line ends as hyperfine.
 *   PK_FORMAT_MARKDOWN        a table with hyperfine's columns (Command, Mean,
 *       Min, Max, Relative) plus a verdict column, and a machine line below
 *       it. Relative is against the reference (not the fastest, as
 *       hyperfine); in instructions mode the columns hold exact instruction
 *       counts.
 *
 * o may be NULL (no colour, UTF-8). Errors: PK_EINVAL (NULL f or r),
 * PK_ENOTSUP (a format a benchmark has no writer for: JUnit), PK_EIO
 * (writing failed), PK_ENOMEM. */
pk_err pk_bench_report_write(FILE *f, const pk_bench_report *r, pk_format fmt,
                             const pk_write_opts *o);

/* Write a size report (size.h) in format fmt:
 *
 *   PK_FORMAT_TEXT   a table, one row per file and a column per compression
 *                    of r->mask (sizes in binary units), a "total" row for
 *                    more than one file; then one line per budget: "ok
 *                    gzip=100KB: 3 files within (largest 81.2 KiB, 83% of
 *                    the limit)" or "FAIL gzip=1KB: 1 of 2 files over" and
 *                    a line per file over it with exact bytes and the
 *                    excess. o->color colours ok green and FAIL red.
 *   PK_FORMAT_JSON   {"schema": "perfkit/size/v1", perfkit_version,
 *                    compression{<name>: settings} for each compression
 *                    shown but raw, files[{path, <compression>: bytes}],
 *                    budgets[{compression, limit (as written), limit_bytes,
 *                    ok, over[{path, bytes}]}], ok} — exact integers.
 *
 * Errors: PK_EINVAL (NULL f or r), PK_ENOTSUP (another format), PK_EIO,
 * PK_ENOMEM. */
pk_err pk_size_write(FILE *f, const pk_size_report *r, pk_format fmt, const pk_write_opts *o);

PK_END_DECLS
#endif
