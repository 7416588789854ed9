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
    PK_FORMAT_COUNT
} pk_format;

typedef struct pk_write_opts {
    bool color;     /* ANSI colour in text output */
    bool verbose;   /* every row, not only failures and changes */
    bool ascii;     /* text output in ASCII: "us", "+-", "x" for "µs", "±", "×" */
} pk_write_opts;

/* "text", "json", "markdown", "junit", "csv", "hyperfine-json"; "unknown"
 * for anything else. Never NULL. */
const char *pk_format_name(pk_format f);

/* The format named name (as pk_format_name). Errors: PK_EINVAL. */
pk_err pk_format_parse(const char *name, pk_format *out);

PK_END_DECLS
#endif
