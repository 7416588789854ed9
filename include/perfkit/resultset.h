/* perfkit/resultset.h — benchmark results as named series of raw samples.
 *
 * The one data model `perfkit check` works on, whatever produced the numbers:
 * a command benchmark, a Google Benchmark binary, an imported hyperfine or
 * perfkit JSON file. A result set holds benchmarks; a benchmark holds series;
 * a series is one figure ("wall", "rss", "instructions", "real_time",
 * "bytes_per_second", ...) with its unit kind and every raw sample.
 * History stores and loads result sets; budgets and regressions read them.
 *
 * Figure names used by perfkit itself: wall, user, sys (ns); rss (bytes);
 * minflt, majflt, nvcsw, nivcsw, instructions and the perf counter names
 * (counts; task-clock in ns). Google Benchmark: real_time, cpu_time (ns),
 * iterations and user counters (counts; *_per_second as reported).
 * "rss_floor" (PK_RSS_FLOOR_FIGURE) holds perfkit's own resident size at
 * each spawn: an "rss" sample at or below it means "at most this much" (see
 * pk_run_result.rss_floor_bytes); it is context for rss, not a figure to
 * judge on its own.
 *
 * Ownership: a set owns everything in it; pointers into it (pk_bench_data,
 * pk_series) are borrowed and valid until the set is freed or, for series
 * of one benchmark, until the next add on that benchmark.
 * Cost: a set keeps an index of its names, so pk_resultset_find and
 * pk_resultset_add are O(1) expected (a million benchmarks load in linear
 * time); the fields of pk_resultset are for reading — only the functions
 * below add, rename or remove benchmarks (pk_resultset_truncate drops the
 * last ones), or the index no longer agrees with them.
 * Thread-safety: none; read-only use from several threads is safe. */
#ifndef PERFKIT_RESULTSET_H
#define PERFKIT_RESULTSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "perfkit/api.h"
#include "perfkit/error.h"
#include "perfkit/units.h"

PK_BEGIN_DECLS

#define PK_RSS_FLOOR_FIGURE "rss_floor"

typedef struct pk_series {
    char *figure;         /* owned */
    pk_unit_kind kind;    /* PK_UNIT_DURATION (ns), PK_UNIT_SIZE (bytes), PK_UNIT_COUNT */
    double *samples;      /* owned, n values */
    size_t n;
} pk_series;

typedef struct pk_bench_data {
    char *name;           /* owned, unique within the set */
    char *primary;        /* owned: the figure regressions are judged on first
                             ("wall", "instructions", "real_time"); may be NULL */
    pk_series *series;
    size_t n_series;
    char *error;          /* owned; non-NULL when the benchmark failed to run */
    size_t cap_series;    /* appended: room in series (bookkeeping of
                             pk_bench_data_put; read n_series) */
    char *stderr_tail;    /* appended, owned: with error, the last bytes the
                             failing command wrote to stderr as it wrote
                             them (untrusted text: sanitise before showing);
                             NULL when none. Not kept in history */
    uint64_t elapsed_ns;  /* appended: wall time spent measuring it
                             (pk_check_collect; a config benchmark's time
                             shared evenly by the results it produced); 0
                             when unknown (imports, history). Not kept in
                             history */
} pk_bench_data;

typedef struct pk_resultset_index pk_resultset_index;

typedef struct pk_resultset {
    pk_bench_data *benches;
    size_t n;
    size_t cap;           /* appended: room in benches (bookkeeping of
                             pk_resultset_add; read n) */
    pk_resultset_index *index;   /* appended: name → position (private to
                                    resultset.c; may be NULL) */
} pk_resultset;

/* On PK_OK *out owns an empty set. Errors: PK_ENOMEM. */
pk_err pk_resultset_new(pk_resultset **out);
void   pk_resultset_free(pk_resultset *rs);   /* NULL is a no-op */

/* Add a benchmark named name (copied); *out (may be NULL) borrows it.
 * O(1) amortised. Errors: PK_EINVAL (NULL or empty name, a name already in
 * the set), PK_ENOMEM (the set is unchanged). Invalidates earlier
 * pk_bench_data pointers of rs. */
pk_err pk_resultset_add(pk_resultset *rs, const char *name, pk_bench_data **out);

/* The benchmark named name, or NULL. O(1) expected; allocates nothing. */
pk_bench_data *pk_resultset_find(const pk_resultset *rs, const char *name);

/* Remove and release the benchmarks after the first n (the ones added
 * last), e.g. to undo a reader that failed half-way; n >= rs->n is a no-op.
 * Pointers to the removed benchmarks become invalid. Never fails. */
void pk_resultset_truncate(pk_resultset *rs, size_t n);

/* Add (or replace) series figure of b with a copy of samples[0..n-1].
 * Errors: PK_EINVAL (NULL/empty figure, n == 0, a NaN), PK_ENOMEM. */
pk_err pk_bench_data_put(pk_bench_data *b, const char *figure, pk_unit_kind kind,
                         const double *samples, size_t n);

/* Set b->primary (copied) / b->error (copied). Errors: PK_ENOMEM. */
pk_err pk_bench_data_set_primary(pk_bench_data *b, const char *figure);
pk_err pk_bench_data_set_error(pk_bench_data *b, const char *message);
/* Set b->stderr_tail (copied; NULL clears it). Errors: PK_EINVAL (b NULL),
 * PK_ENOMEM. */
pk_err pk_bench_data_set_stderr_tail(pk_bench_data *b, const char *tail);

/* The series of b named figure, or NULL. */
const pk_series *pk_bench_data_get(const pk_bench_data *b, const char *figure);

/* ---- statistics of a series ------------------------------------------------
 * Statistic names: mean, median, min, max, stddev, mad, and pN for any
 * percentile N in [0, 100] ("p95", "p99.9"), interpolated as in stats.h. */

/* true when name is a statistic this module knows. */
bool pk_series_stat_valid(const char *name);

/* Value of statistic stat over s. Errors: PK_EINVAL (unknown statistic,
 * empty series), PK_ENOMEM. */
pk_err pk_series_stat(const pk_series *s, const char *stat, double *out);

PK_END_DECLS
#endif
