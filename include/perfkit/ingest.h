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
 * prefix is NULL or empty). The same name twice in one input (hyperfine
 * true true, or perfkit's own exports of `perfkit bench true true`) is
 * disambiguated in file order: the k-th copy is "<name> #k" ("true",
 * "true #2"; when that name is taken too, the next free k). A name that was
 * in the set before the call is an error: import with a prefix to keep both.
 *
 * What the text may hold:
 *   - a UTF-8 byte order mark at the start (skipped; line:column as an editor
 *     shows them, the mark not counted);
 *   - NaN, Infinity, -Infinity, -NaN as bare tokens (not JSON, but written by
 *     Google Benchmark and Python) wherever a number may be. A NaN is never
 *     a sample: in a time, size or count below it is an error; a Google
 *     Benchmark user counter that is NaN or infinite in a sample row is not
 *     imported (1.7.1 writes NaN for the cv of an always-zero counter).
 * What the values must be (else PK_EPARSE at the value's line:column):
 *   - never NaN, infinite, or infinite once converted to ns (1e308 s);
 *   - never negative: times, memory, iterations, counts (Google Benchmark
 *     user counters excepted: they are the program's own numbers);
 *   - not 0 in every run: elapsed times (hyperfine times and mean, Google
 *     Benchmark real_time and cpu_time, perfkit wall_ns), memory (hyperfine
 *     memory_usage_byte, perfkit max_rss_bytes) and Google Benchmark
 *     iterations — nothing was measured. A single 0 among other values is
 *     kept. CPU times from rusage (hyperfine user/system, perfkit
 *     user_ns/sys_ns) and counts (faults, context switches, instructions,
 *     perf counters, user counters) may be 0 throughout: a short command
 *     can use less CPU than the kernel accounts, and a count of 0 is a
 *     count.
 * An input with no benchmark at all (hyperfine "results": [], Google
 * Benchmark "benchmarks": [] or only complexity rows, perfkit "results": [])
 * is PK_EPARSE "no benchmark results in <name>" at that list.
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
 * "benchmarks"; hyperfine has "results" with "times" (or an empty "results",
 * which pk_ingest_buffer then reports as having no benchmark results). A
 * byte order mark and bare NaN / Infinity are accepted as in
 * pk_ingest_buffer. */
pk_import_format pk_ingest_detect(const char *text, size_t len);

/* Parse text (named name in diagnostics) in format fmt (AUTO: detect) and add
 * its benchmarks to rs. Errors: PK_EPARSE (bad JSON, unknown format, missing
 * or mistyped fields, impossible values, no benchmark, a benchmark name
 * already in rs), PK_ENOMEM. */
pk_err pk_ingest_buffer(const char *text, size_t len, const char *name, pk_import_format fmt,
                        const char *prefix, pk_resultset *rs, pk_diag *diag);

/* The same for the file at path, which must be a regular file of at most
 * 512 MiB: a directory, device (/dev/zero), FIFO or socket is refused
 * before anything is read, and so is a larger file (it would be held whole
 * and parsed into a tree many times its size). Errors: also PK_ENOENT,
 * PK_EPERM, PK_EIO, PK_EINVAL (not a regular file: "is a FIFO, not a
 * regular file"), PK_ERANGE ("600.0 MiB is larger than the 512 MiB limit
 * for imports"). */
pk_err pk_ingest_file(const char *path, pk_import_format fmt, const char *prefix,
                      pk_resultset *rs, pk_diag *diag);

/* Run a Google Benchmark binary with args plus
 * --benchmark_repetitions=N --benchmark_format=json --benchmark_out=<tmp>
 * (stdout discarded, stderr tail kept for errors; repetitions 0 leaves the
 * flag out: the binary's own default), then ingest its output with prefix.
 * The output file is created in $TMPDIR (else /tmp) and removed, also when
 * the run is cancelled. Errors:
 * PK_ENOENT / PK_EPERM (binary), PK_EFAIL (it exited
 * non-zero or was killed; diag carries the stderr tail), PK_EPARSE (its
 * output is not Google Benchmark JSON: diag says "`BIN` did not write Google
 * Benchmark JSON: is it a Google Benchmark binary?" and why — "it exited 0
 * and wrote nothing to --benchmark_out" for /bin/true or a script that
 * prints text), PK_ERANGE (its output is over the 512 MiB limit of imports; diag
 * names the binary), PK_EINTR (a cancel request, perfkit/cancel.h, stopped
 * it), PK_EIO, PK_ENOMEM. */
pk_err pk_ingest_gbench_run(const char *binary, const char *const *args, size_t n_args,
                            size_t repetitions, const char *prefix, pk_resultset *rs,
                            pk_diag *diag);

/* pk_ingest_gbench_run with the binary started in directory cwd (NULL: the
 * current one), as pk_runner_run_in does it: a relative binary path with a
 * '/' resolves against cwd, and so do the binary's own relative paths.
 * Paired mode runs the base tree's binary this way. Errors: those of
 * pk_ingest_gbench_run; a cwd that does not exist is PK_ENOENT. */
pk_err pk_ingest_gbench_run_in(const char *binary, const char *cwd, const char *const *args,
                               size_t n_args, size_t repetitions, const char *prefix,
                               pk_resultset *rs, pk_diag *diag);

PK_END_DECLS
#endif
