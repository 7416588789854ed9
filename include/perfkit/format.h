/* perfkit/format.h — the output formats of lib/report's one writer
 * interface.
 *
 * Every kind of report (a command benchmark, a gate verdict, sizes, ...) is
 * written with pk_<kind>_write(FILE *, const <report> *, pk_format,
 * const pk_write_opts *), a table from format to writer. A format a kind does
 * not have answers PK_ENOTSUP; a new format (HTML) is one more row.
 * Thread-safety: every function here is safe. */
#ifndef PERFKIT_FORMAT_H
#define PERFKIT_FORMAT_H

#include <stdbool.h>
#include "perfkit/api.h"
#include "perfkit/error.h"

PK_BEGIN_DECLS

typedef enum pk_format {
    PK_FORMAT_TEXT = 0,        /* the terminal table */
    PK_FORMAT_JSON,            /* perfkit's JSON, "schema": "perfkit/<kind>/v1" */
    PK_FORMAT_MARKDOWN,        /* a pull-request comment */
    PK_FORMAT_JUNIT,           /* JUnit XML, one testcase per verdict */
    PK_FORMAT_CSV,             /* one row per benchmark */
    PK_FORMAT_HYPERFINE_JSON,  /* hyperfine's --export-json schema */
    PK_FORMAT_ASCIIDOC,        /* hyperfine's --export-asciidoc table */
    PK_FORMAT_ORGMODE,         /* hyperfine's --export-orgmode table */
    PK_FORMAT_COUNT
} pk_format;

/* The unit of the durations a writer shows (hyperfine's --time-unit). */
typedef enum pk_time_unit {
    PK_TIME_UNIT_AUTO = 0,     /* the writer picks one from the values */
    PK_TIME_UNIT_US,           /* microseconds */
    PK_TIME_UNIT_MS,           /* milliseconds */
    PK_TIME_UNIT_S,            /* seconds */
} pk_time_unit;

/* The order of the commands in a table (hyperfine's --sort). */
typedef enum pk_sort_order {
    PK_SORT_INPUT = 0,         /* as the commands were given */
    PK_SORT_MEAN,              /* by the mean of the primary figure, smallest first */
} pk_sort_order;

/* Zero-initialise and set the fields you need: every zero is the default. */
typedef struct pk_write_opts {
    bool color;     /* ANSI colour in text output */
    bool verbose;   /* every row, not only failures and changes */
    bool ascii;     /* text output in ASCII: "us", "+-", "x" for "µs", "±", "×" */
    pk_time_unit time_unit;  /* durations in the text report and the Markdown,
                                AsciiDoc and org-mode tables; JSON and CSV keep
                                their own units (ns, s) whatever it says */
    pk_sort_order sort;      /* rows of the Markdown, AsciiDoc and org-mode
                                tables and the comparisons of the text summary */
} pk_write_opts;

/* The unit named name: hyperfine's "microsecond", "millisecond", "second",
 * or "us" ("µs"), "ms", "s". Errors: PK_EINVAL (NULL or another name). */
pk_err pk_time_unit_parse(const char *name, pk_time_unit *out);

/* The order named name: hyperfine's "auto" and "command" (both
 * PK_SORT_INPUT) or "mean-time" (PK_SORT_MEAN). Errors: PK_EINVAL. */
pk_err pk_sort_order_parse(const char *name, pk_sort_order *out);

/* "text", "json", "markdown", "junit", "csv", "hyperfine-json", "asciidoc",
 * "orgmode"; "unknown"
 * for anything else. Never NULL. */
const char *pk_format_name(pk_format f);

/* The format named name (as pk_format_name). Errors: PK_EINVAL. */
pk_err pk_format_parse(const char *name, pk_format *out);

PK_END_DECLS
#endif
