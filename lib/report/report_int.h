/* report_int.h — helpers shared by the lib/report writers (module-private).
 *
 * Names carry the pk__report_ prefix; nothing here is part of the public API. */
#ifndef PERFKIT_REPORT_INT_H
#define PERFKIT_REPORT_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "perfkit/report.h"

/* The bench writers behind pk_bench_report_write (one per format). f and r
 * are not NULL; o may be NULL. Errors: as pk_bench_report_write. */
pk_err pk__report_bench_text(FILE *f, const pk_bench_report *r, const pk_write_opts *o);
pk_err pk__report_bench_json(FILE *f, const pk_bench_report *r, const pk_write_opts *o);
pk_err pk__report_bench_hyperfine(FILE *f, const pk_bench_report *r, const pk_write_opts *o);
pk_err pk__report_bench_csv(FILE *f, const pk_bench_report *r, const pk_write_opts *o);
pk_err pk__report_bench_markdown(FILE *f, const pk_bench_report *r, const pk_write_opts *o);
pk_err pk__report_bench_asciidoc(FILE *f, const pk_bench_report *r, const pk_write_opts *o);
pk_err pk__report_bench_orgmode(FILE *f, const pk_bench_report *r, const pk_write_opts *o);

/* The time unit of a table (markup.c): o's time_unit, else hyperfine's rule
 * on the first command with a wall time: µs below 1 ms, ms below 1 s, else s
 * (1, 1 and 3 decimals). o may be NULL. */
typedef struct pk__report_tunit {
    const char *name;   /* "µs", "ms", "s" */
    double ns;          /* ns per unit */
    int prec;           /* decimals */
} pk__report_tunit;
pk__report_tunit pk__report_table_unit(const pk_bench_report *r, const pk_write_opts *o);

/* The command indices in o's sort order (o may be NULL: input order); the
 * caller frees it with pk_free. NULL on ENOMEM. */
size_t *pk__report_order(const pk_bench_report *r, const pk_write_opts *o);

/* The size writers behind pk_size_write. */
pk_err pk__report_size_text(FILE *f, const pk_size_report *r, const pk_write_opts *o);
pk_err pk__report_size_json(FILE *f, const pk_size_report *r, const pk_write_opts *o);

/* The command's display name: its name, else its command text, else "". */
const char *pk__report_cmd_name(const pk_cmd_result *c);

/* The figure f of command i when measured, else NULL. */
const pk_summary *pk__report_fig(const pk_bench_report *r, size_t i, pk_metric f);

/* Shortest fixed-point decimal (no exponent) that reads back as exactly v,
 * the way Rust's f64 Display (and so hyperfine's CSV) prints: 0.1, 0, 12.5.
 * Non-finite values give "". Returns buf. */
char *pk__report_fmt_double(double v, char *buf, size_t len);

/* v with thousands separators: 1234567 → "1,234,567". Returns buf. */
char *pk__report_fmt_thousands(uint64_t v, char *buf, size_t len);

/* How command i compares with the reference, the one way every writer
 * states it (the text Summary, the Markdown "Relative" column): the
 * comparison's ratio (cmp.ratio: medians under Mann-Whitney, means
 * otherwise) as a factor >= 1, "slower" when the ratio is >= 1, else
 * "faster" (factor = 1 / ratio), with its CI turned the same way. */
typedef struct pk__report_relative {
    double factor;    /* >= 1 (inf when one side's statistic is 0) */
    double lo, hi;    /* the CI of the factor; NaN when not compared */
    double ratio;     /* command / reference, as compared */
    bool slower;      /* ratio >= 1 */
    bool compared;    /* a comparison stands behind it (cr->has_comparison);
                         else the point ratio of the same statistic of the
                         two summaries (one run each, say), without a CI */
    int prec;         /* decimals to print: 3 below 1.05 (a 0.4% change must
                         not read "1.00"), else 2 */
} pk__report_relative;

/* Fill *out for command i (not the reference). false when there is no
 * ratio: a side not measured, or the reference's statistic 0 without a
 * comparison. */
bool pk__report_relative_of(const pk_bench_report *r, size_t i, pk__report_relative *out);

/* "time" / "instructions". */
const char *pk__report_measure_name(pk_measure m);
/* "mann-whitney", "welch", "exact". */
const char *pk__report_method_name(pk_test_method m);
/* "hardware counter", "cachegrind", or NULL for PK_INSTR_NONE / AUTO. */
const char *pk__report_instr_source_name(pk_instr_source s);

/* One line describing the machine: "Intel … (8 cores), Linux 6.1, x86_64,
 * 16.0 GiB RAM, load 0.10 0.20 0.30". Returns buf. */
char *pk__report_machine_line(const pk_machine *m, char *buf, size_t len);

/* Display columns of s once made terminal-safe (termsafe.h), as
 * pk__report_width counts them. */
size_t pk__report_safe_width(const char *s);

/* Display columns of UTF-8 text s (one per code point), for aligning the
 * terminal writers' columns. */
size_t pk__report_width(const char *s);
/* n spaces to f. */
void pk__report_pad(FILE *f, size_t n);

/* JSON helpers (jansson). Each returns a new reference or NULL on ENOMEM.
 * Non-finite doubles become null; integers above INT64_MAX become reals. */
json_t *pk__report_json_real(double v);
json_t *pk__report_json_u64(uint64_t v);
/* A JSON string of s (NULL gives null). Bytes that are not valid UTF-8 are
 * replaced by '?' so that any command line can be exported. */
json_t *pk__report_json_str(const char *s);
/* The "machine" object common to the perfkit and hyperfine exports. */
json_t *pk__report_machine_json(const pk_machine *m);
/* obj[key] = v, stealing v; a NULL v (failed allocation) fails. Returns 0 on
 * success, -1 on failure. */
int pk__report_json_set(json_t *obj, const char *key, json_t *v);
/* Append v to arr stealing it; -1 on failure. */
int pk__report_json_push(json_t *arr, json_t *v);

/* Dump root to f (2-space indent, insertion order, trailing newline) and
 * release it. Errors: PK_ENOMEM when root is NULL, PK_EIO on write errors. */
pk_err pk__report_json_dump(FILE *f, json_t *root);

#endif
