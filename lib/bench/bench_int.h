/* bench_int.h — private to lib/bench: registry instances and the run record
 * behind a pk_bench_state. */
#ifndef PERFKIT_BENCH_INT_H
#define PERFKIT_BENCH_INT_H

#include <regex.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include "perfkit/bench.h"

/* One runnable instance of a registered definition. */
typedef struct pk__bench_instance {
    const pk_bench_def *def;
    char name[256];
    bool has_arg;
    int64_t arg;
    size_t family_index, instance_index;
} pk__bench_instance;

/* Every instance matching filter (NULL: all), in registration order; *out is
 * pk_malloc'd (NULL when *n is 0). Errors: PK_EINVAL (bad regex: diag),
 * PK_ENOMEM. */
pk_err pk__bench_instances(const char *filter, pk__bench_instance **out, size_t *n,
                           pk_diag *diag);

/* Expand the arguments of def into args[PK_BENCH_MAX_ARGS]; *n 0 means no
 * argument. Errors: PK_EINVAL. */
pk_err pk__bench_def_args(const pk_bench_def *def, int64_t *args, size_t *n);

/* What one invocation of a benchmark function measured. */
typedef struct pk__bench_run {
    const pk__bench_instance *inst;
    uint64_t iterations;
    int phase;                    /* 0 not started, 1 running, 2 done */
    bool paused;
    int64_t t_real, t_cpu;          /* clock start of the running stretch, ns */
    double real_ns, cpu_ns;       /* accumulated timed time */
    double bytes, items;          /* per iteration; < 0 unset */
    const pk_bench_alloc_stats *alloc;  /* NULL: not counting */
    pk_bench_alloc_stats alloc_start;
    uint64_t allocs, alloc_bytes; /* accumulated over the timed region */
    pk_bench_counter_value counters[PK_BENCH_MAX_COUNTERS];
    size_t n_counters;
    char *error;                  /* pk_malloc'd */
    bool oom;                     /* a counter name or error could not be copied */
} pk__bench_run;

/* Run inst once with n iterations (setup / teardown around it) into *r,
 * which the caller releases with pk__bench_run_clear. */
void pk__bench_invoke(const pk__bench_instance *inst, uint64_t n, bool count_allocs,
                      pk__bench_run *r);
void pk__bench_run_clear(pk__bench_run *r);

/* Allocation counters when libperfkit-alloccount.a is linked, else NULL. */
const pk_bench_alloc_stats *pk__bench_alloc_source(void);

#endif
