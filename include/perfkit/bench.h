/* perfkit/bench.h — in-process microbenchmarks in plain C (Google Benchmark's
 * model, C17, no static constructors of C++).
 *
 *     static void bm_memcpy(pk_bench_state *st)
 *     {
 *         size_t n = (size_t)pk_bench_arg(st, 0);
 *         char *src = calloc(n, 1), *dst = malloc(n);      // not timed
 *         while (pk_bench_loop(st))
 *             memcpy(dst, src, n);
 *         pk_bench_set_bytes(st, (double)n);
 *         free(src); free(dst);
 *     }
 *     PK_BENCHMARK_RANGE(bm_memcpy, 8, 8 << 10);   // bm_memcpy/8 ... bm_memcpy/8192
 *     PK_BENCH_MAIN()
 *
 * Model: a definition (name, function, optional setup/teardown, arguments)
 * expands to instances, one per argument ("bm_memcpy/64"). The runner calls an
 * instance's function once per attempt with an iteration count N it chooses;
 * the function runs its body N times inside pk_bench_loop(), which starts the
 * clock on its first call and stops it when the N iterations are done. Code
 * before and after the loop is not timed. The count grows from 1 (at most 10×
 * per attempt, as Google Benchmark) until the timed real time reaches
 * min_time; later repetitions reuse that count. Times are CLOCK_MONOTONIC
 * (real) and CLOCK_PROCESS_CPUTIME_ID (cpu), reported per iteration.
 *
 * Output: a console table and Google Benchmark's JSON schema (so `perfkit
 * check` and any tool reading GB JSON take perfkit benchmark programs as
 * they are); pk_bench_main() also accepts GB's --benchmark_* flags.
 *
 * Thread-safety: the registry and pk_bench_run_all() are not thread-safe (one
 * runner per process). A pk_bench_state belongs to the thread running it. */
#ifndef PERFKIT_BENCH_H
#define PERFKIT_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "perfkit/api.h"
#include "perfkit/diag.h"
#include "perfkit/error.h"

PK_BEGIN_DECLS

/* ---- the state a benchmark function receives ------------------------------
 * Only pk__left is touched inline (by pk_bench_loop); everything else is
 * private to lib/bench and read through the functions below. */
typedef struct pk_bench_state {
    uint64_t pk__left;          /* iterations left in the running batch (private) */
    struct pk__bench_run *pk__run;  /* private */
} pk_bench_state;

typedef void (*pk_bench_fn)(pk_bench_state *st);

/* Out-of-line half of pk_bench_loop: the first call starts the clock and
 * returns true (N >= 1 iterations to go); the call after the last iteration
 * stops the clock and returns false. Not for direct use. */
bool pk__bench_loop_slow(pk_bench_state *st);

/* The body loop: `while (pk_bench_loop(st)) { ... }` runs the body exactly
 * the number of iterations the runner chose. Per iteration it costs one
 * decrement of st->pk__left and a branch; the counter lives in *st, so a
 * body with a memory clobber (PK_DO_NOT_OPTIMIZE) also reloads and stores
 * it — pk_bench_iterations() keeps the counter in a register instead. */
static inline bool pk_bench_loop(pk_bench_state *st)
{
    if (__builtin_expect(st->pk__left != 0, 1)) {
        st->pk__left--;
        return true;
    }
    return pk__bench_loop_slow(st);
}

/* Batch form: starts the clock and returns the number of iterations to run:
 *     for (uint64_t i = pk_bench_iterations(st); i--;) { ... }
 * The clock stops when the function returns (or at a later pk_bench_loop()
 * call, which then returns false). Call it at most once per invocation. */
uint64_t pk_bench_iterations(pk_bench_state *st);

/* The batch form as a statement head, GB's `for (auto _ : state)`:
 *     PK_BENCH_LOOP(st) { ... }
 * Same cost as the range-for (the counter is a local); for bodies of a few
 * ns it is cheaper than pk_bench_loop() when the body clobbers memory. */
#define PK_BENCH_LOOP(st) for (uint64_t pk__n = pk_bench_iterations(st); pk__n != 0; pk__n--)

/* Exclude a stretch of the body from the timed region (setup of the next
 * iteration, a check). Each pair costs two clock reads of each clock (about a
 * microsecond in a VM): use them when the excluded work is much longer. */
void pk_bench_pause_timing(pk_bench_state *st);
void pk_bench_resume_timing(pk_bench_state *st);

/* The instance's i-th argument (0 for the first); 0 when it has none. */
int64_t pk_bench_arg(const pk_bench_state *st, size_t i);

/* The iteration count of this invocation. */
uint64_t pk_bench_max_iterations(const pk_bench_state *st);

/* Throughput: bytes / items processed per iteration. Reported as
 * bytes_per_second / items_per_second = value × iterations / cpu seconds
 * (Google Benchmark's definition). May be called anywhere in the function. */
void pk_bench_set_bytes(pk_bench_state *st, double bytes_per_iteration);
void pk_bench_set_items(pk_bench_state *st, double items_per_iteration);

/* A user counter, reported as given (name copied; the last value set in an
 * invocation wins). More than PK_BENCH_MAX_COUNTERS names marks the run as
 * failed; a name (or an error message below) that cannot be copied makes
 * pk_bench_run_all() return PK_ENOMEM. */
#define PK_BENCH_MAX_COUNTERS 16
void pk_bench_counter(pk_bench_state *st, const char *name, double value);

/* End this instance with an error (message copied): the loop stops at its
 * next check and the run is reported with "error_occurred". */
void pk_bench_skip_with_error(pk_bench_state *st, const char *message);

/* ---- keeping the compiler honest ------------------------------------------
 * pk_do_not_optimize(p) / PK_DO_NOT_OPTIMIZE(lvalue): the value is used and
 * may have been changed, as Google Benchmark's DoNotOptimize, so its
 * computation cannot be removed; any scalar or pointer lvalue works.
 * pk_clobber_memory(): every memory write before it must happen. */
#define PK_DO_NOT_OPTIMIZE(x) __asm__ volatile("" : "+r,m"(x) : : "memory")
static inline void pk_do_not_optimize(const void *p)
{
    __asm__ volatile("" : : "r,m"(p) : "memory");
}
static inline void pk_clobber_memory(void)
{
    __asm__ volatile("" : : : "memory");
}

/* ---- definitions and registration ----------------------------------------- */
#define PK_BENCH_MAX_ARGS 64

typedef struct pk_bench_def {
    const char *name;        /* family name; instances are "name" or "name/arg" */
    pk_bench_fn fn;          /* required */
    pk_bench_fn setup;       /* optional: before each invocation, not timed */
    pk_bench_fn teardown;    /* optional: after each invocation, not timed */
    const int64_t *args;     /* explicit argument list (borrowed), n_args values */
    size_t n_args;
    int64_t range_lo, range_hi;  /* when range_hi > 0 and n_args = 0: lo, then
                                    the powers of range_mult in (lo, hi), then hi
                                    (Google Benchmark's Range(lo, hi)) */
    int64_t range_mult;      /* 0 means 8 */
} pk_bench_def;

/* A registry node. PK_BENCHMARK* macros allocate one statically so
 * registration before main() allocates nothing. */
typedef struct pk_bench_node {
    const pk_bench_def *def;
    struct pk_bench_node *next;   /* private */
    bool owned;                   /* private: allocated by pk_bench_register */
} pk_bench_node;

/* Append node (static storage) to the registry; used by the macros. */
void pk__bench_register_node(pk_bench_node *node);

/* Register def (borrowed: it and its args must outlive the registry, e.g. a
 * static table). Errors: PK_EINVAL (NULL def, name or fn, empty name, a name
 * already registered, more than PK_BENCH_MAX_ARGS instances, range_lo < 0,
 * range_hi < range_lo, range_mult < 2 when given), PK_ENOMEM. */
pk_err pk_bench_register(const pk_bench_def *def);

/* Forget every registration (static nodes are unlinked, others freed). */
void pk_bench_registry_clear(void);

#define PK__BENCH_CTOR(fn, ...)                                                 \
    static const pk_bench_def pk__bench_def_##fn = {#fn, fn, __VA_ARGS__};      \
    static pk_bench_node pk__bench_node_##fn = {&pk__bench_def_##fn, NULL, false}; \
    __attribute__((constructor)) static void pk__bench_ctor_##fn(void)          \
    {                                                                           \
        pk__bench_register_node(&pk__bench_node_##fn);                          \
    }                                                                           \
    struct pk__bench_semicolon_##fn

/* PK_BENCHMARK(fn);                      one instance named "fn"
 * PK_BENCHMARK_ARGS(fn, 8, 64, 512);     fn/8, fn/64, fn/512
 * PK_BENCHMARK_RANGE(fn, 8, 8 << 10);    fn/8, fn/64, fn/512, fn/4096, fn/8192
 * PK_BENCHMARK_RANGE_MULT(fn, 1, 100, 10);
 * PK_BENCHMARK_SETUP(fn, setup, teardown);  setup/teardown may be NULL */
#define PK_BENCHMARK(fn) PK__BENCH_CTOR(fn, NULL, NULL, NULL, 0, 0, 0, 0)
#define PK_BENCHMARK_SETUP(fn, setup, teardown) \
    PK__BENCH_CTOR(fn, setup, teardown, NULL, 0, 0, 0, 0)
#define PK_BENCHMARK_ARGS(fn, ...)                                              \
    static const int64_t pk__bench_args_##fn[] = {__VA_ARGS__};                 \
    PK__BENCH_CTOR(fn, NULL, NULL, pk__bench_args_##fn,                         \
                   sizeof pk__bench_args_##fn / sizeof pk__bench_args_##fn[0], 0, 0, 0)
#define PK_BENCHMARK_RANGE(fn, lo, hi) PK__BENCH_CTOR(fn, NULL, NULL, NULL, 0, lo, hi, 8)
#define PK_BENCHMARK_RANGE_MULT(fn, lo, hi, mult) \
    PK__BENCH_CTOR(fn, NULL, NULL, NULL, 0, lo, hi, mult)

/* ---- running ---------------------------------------------------------------- */
typedef struct pk_bench_opts {
    double min_time_s;       /* timed real time to reach per run; default 0.5 */
    double warmup_s;         /* untimed warm-up per instance; default 0.1, 0 none */
    unsigned repetitions;    /* default 1; > 1 adds mean/median/stddev/cv/p95 rows */
    const char *filter;      /* POSIX extended regex on instance names; NULL all */
    uint64_t max_iterations; /* default 1000000000 */
    bool count_allocs;       /* default true: report allocations per iteration
                                when libperfkit-alloccount.a is linked */
    const char *executable;  /* shown in the JSON context; default "" */
} pk_bench_opts;

void pk_bench_opts_init(pk_bench_opts *o);

typedef enum pk_bench_row_type {
    PK_BENCH_ITERATION = 0,
    PK_BENCH_AGGREGATE = 1,
} pk_bench_row_type;

typedef struct pk_bench_counter_value {
    char *name;              /* owned */
    double value;
} pk_bench_counter_value;

/* One row of results: a repetition (ITERATION) or an aggregate over them. */
typedef struct pk_bench_row {
    char *name;              /* owned: run_name, plus "_mean" etc. for aggregates */
    char *run_name;          /* owned: the instance name */
    pk_bench_row_type type;
    const char *aggregate;   /* static: "mean", "median", "stddev", "cv", "p95"; NULL */
    size_t family_index, instance_index;
    unsigned repetitions, repetition_index;
    uint64_t iterations;     /* aggregates: the number of repetitions */
    double real_ns, cpu_ns;  /* per iteration; cv rows: a fraction */
    double bytes_per_second; /* NAN when not set */
    double items_per_second; /* NAN when not set */
    double allocs_per_iter;  /* NAN when not counted / not available */
    double alloc_bytes_per_iter; /* NAN likewise */
    pk_bench_counter_value *counters;  /* owned, n_counters */
    size_t n_counters;
    char *error;             /* owned; non-NULL when the run failed */
} pk_bench_row;

typedef struct pk_bench_results {
    pk_bench_row *rows;
    size_t n;
    bool allocs_available;   /* libperfkit-alloccount.a was linked */
    char *executable;        /* owned */
    double min_time_s;
} pk_bench_results;

/* Run every registered instance matching o->filter (o NULL: defaults), in
 * registration order. On PK_OK *out owns the results (free with
 * pk_bench_results_free); a failing benchmark is a row with error set, not an
 * error of the call. Errors: PK_EINVAL (bad options, a filter that is not a
 * valid regex: message in diag), PK_ENOMEM. */
pk_err pk_bench_run_all(const pk_bench_opts *o, pk_bench_results **out, pk_diag *diag);
void   pk_bench_results_free(pk_bench_results *r);   /* NULL is a no-op */

/* Instance names matching filter (NULL: all), one per line, into f.
 * Errors: PK_EINVAL (bad regex, message in diag), PK_EIO, PK_ENOMEM. */
pk_err pk_bench_list(FILE *f, const char *filter, pk_diag *diag);

/* Google Benchmark's console table (Benchmark, Time, CPU, Iterations,
 * UserCounters...) and JSON ({"context": {...}, "benchmarks": [...]}, the
 * schema of benchmark/src/json_reporter.cc 1.7). Errors: PK_EIO. */
pk_err pk_bench_write_console(FILE *f, const pk_bench_results *r);
pk_err pk_bench_write_json(FILE *f, const pk_bench_results *r);

/* ---- allocation counting -----------------------------------------------------
 * Defined only by build/libperfkit-alloccount.a (preload/alloc_count.c), an
 * interposer of malloc & co. over glibc's; libperfkit references it weakly.
 * Returns the calling thread's counters, or NULL when counting is off. */
typedef struct pk_bench_alloc_stats {
    uint64_t allocs;         /* malloc, calloc, realloc, aligned allocations */
    uint64_t frees;
    uint64_t bytes;          /* bytes requested */
} pk_bench_alloc_stats;

const pk_bench_alloc_stats *pk_bench_alloc_counters(void);

/* ---- the program's main ---------------------------------------------------------
 * Parses flags, runs, writes; returns the exit status: 0 ok, 1 a benchmark
 * failed, 2 bad flags (message on err), 3 internal error. Results go to out,
 * messages to err; PK_BENCH_MAIN() passes stdout and stderr, so the library
 * itself never picks the terminal.
 * Flags: --filter=REGEX --min-time=0.5s --warmup=0.1s --repetitions=N
 * --format=console|json --out=FILE --out-format=console|json --list --help,
 * and Google Benchmark's --benchmark_filter, _min_time, _repetitions,
 * _format, _out, _out_format, _list_tests. */
int pk_bench_main(int argc, char **argv, FILE *out, FILE *err);

#define PK_BENCH_MAIN()                                   \
    int main(int argc, char **argv)                       \
    {                                                     \
        return pk_bench_main(argc, argv, stdout, stderr); \
    }

PK_END_DECLS
#endif
