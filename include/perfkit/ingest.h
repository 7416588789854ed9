/* perfkit/ingest.h — bring results produced elsewhere into a result set.
 *
 * Formats: perfkit JSON (schema perfkit/bench/v1: every raw run), hyperfine
 * --export-json (times[] per command, seconds → ns; user/system as single
 * means), Google Benchmark JSON (--benchmark_format=json / --benchmark_out:
 * iteration rows become samples of real_time and cpu_time converted from
 * time_unit to ns, plus iterations and every user counter; aggregate rows
 * (mean, median, stddev, cv) are used only when a benchmark has no iteration
 * rows; errored benchmarks ("error_occurred") become failed benchmarks).
 * Every benchmark found is added as "<prefix>/<name>" (or "<name>" when
 * prefix is NULL or empty).
 *
 * Errors in the text are reported with file:line:column (pk_diag) and
 * PK_EPARSE; the result set is left unchanged on any error.
 * Thread-safety: safe on distinct result sets. */
#ifndef PERFKIT_INGEST_H
#define PERFKIT_INGEST_H

#include <stddef.h>
#include <stdint.h>
#include "perfkit/api.h"
#include "perfkit/diag.h"
#include "perfkit/error.h"
#include "perfkit/resultset.h"

PK_BEGIN_DECLS

/* Formats of results produced elsewhere. */
typedef enum pk_import_format {
    PK_IMPORT_AUTO = 0,
    PK_IMPORT_PERFKIT,
    PK_IMPORT_HYPERFINE,
    PK_IMPORT_GBENCH,
} pk_import_format;

/* Which format text is in (PK_IMPORT_AUTO when none matches): perfkit has
 * "schema": "perfkit/bench/v1"; Google Benchmark has "context" and
 * "benchmarks"; hyperfine has "results" with "times". */
pk_import_format pk_ingest_detect(const char *text, size_t len);

/* Parse text (named name in diagnostics) in format fmt (AUTO: detect) and add
 * its benchmarks to rs. Errors: PK_EPARSE (bad JSON, unknown format, missing
 * or mistyped fields, a benchmark name already in rs), PK_ENOMEM. */
pk_err pk_ingest_buffer(const char *text, size_t len, const char *name, pk_import_format fmt,
                        const char *prefix, pk_resultset *rs, pk_diag *diag);

/* The same for the file at path. Errors: also PK_ENOENT, PK_EPERM, PK_EIO. */
pk_err pk_ingest_file(const char *path, pk_import_format fmt, const char *prefix,
                      pk_resultset *rs, pk_diag *diag);

/* Run a Google Benchmark binary with args plus
 * --benchmark_repetitions=N --benchmark_format=json --benchmark_out=<tmp>
 * (stdout discarded, stderr tail kept for errors; repetitions 0 leaves the
 * flag out: the binary's own default), then ingest its output with prefix.
 * The output file is mkstemp'd in $TMPDIR (else /tmp) and removed. Errors: PK_ENOENT / PK_EPERM (binary), PK_EFAIL (it exited
 * non-zero or was killed; diag carries the stderr tail), PK_EPARSE (its
 * output), PK_EIO, PK_ENOMEM. */
pk_err pk_ingest_gbench_run(const char *binary, const char *const *args, size_t n_args,
                            size_t repetitions, const char *prefix, pk_resultset *rs,
                            pk_diag *diag);

PK_END_DECLS
#endif
