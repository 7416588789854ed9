/* state.c — what a benchmark function calls: the out-of-line half of
 * pk_bench_loop, pause/resume, arguments, throughput and counters.
 *
 * Design: one invocation runs N iterations between two clock stretches.
 * The clock starts at the first pk_bench_loop() (or pk_bench_iterations())
 * and stops at the pk_bench_loop() after the last iteration, or when the
 * function returns. Each stretch reads CLOCK_PROCESS_CPUTIME_ID outside
 * CLOCK_MONOTONIC, so real time brackets the body as tightly as it can, and
 * snapshots the allocation counters when they are available. The clocks are
 * core/clock.h's (inline; replaceable in tests), read once per stretch. */
#include "bench/bench_int.h"

#include <string.h>
#include "core/clock.h"
#include "perfkit/alloc.h"

/* libperfkit-alloccount.a defines it; without that archive it is NULL. */
extern const pk_bench_alloc_stats *pk_bench_alloc_counters(void) __attribute__((weak));

const pk_bench_alloc_stats *pk__bench_alloc_source(void)
{
    return pk_bench_alloc_counters ? pk_bench_alloc_counters() : NULL;
}

static void clock_start(pk__bench_run *r)
{
    if (r->alloc)
        r->alloc_start = *r->alloc;
    r->t_cpu = pk__clock_ns(PK__CLOCK_CPU);
    r->t_real = pk__clock_ns(PK__CLOCK_MONO);
}

static void clock_stop(pk__bench_run *r)
{
    int64_t real = pk__clock_ns(PK__CLOCK_MONO);
    int64_t cpu = pk__clock_ns(PK__CLOCK_CPU);
    r->real_ns += (double)(real - r->t_real);
    r->cpu_ns += (double)(cpu - r->t_cpu);
    if (r->alloc) {
        r->allocs += r->alloc->allocs - r->alloc_start.allocs;
        r->alloc_bytes += r->alloc->bytes - r->alloc_start.bytes;
    }
}

bool pk__bench_loop_slow(pk_bench_state *st)
{
    pk__bench_run *r = st->pk__run;
    if (r->phase == 0 && !r->error && r->iterations > 0) {
        r->phase = 1;
        st->pk__left = r->iterations - 1;
        clock_start(r);
        return true;
    }
    if (r->phase == 1 && !r->paused)
        clock_stop(r);
    r->phase = 2;
    st->pk__left = 0;
    return false;
}

uint64_t pk_bench_iterations(pk_bench_state *st)
{
    pk__bench_run *r = st->pk__run;
    if (r->phase != 0 || r->error)
        return 0;
    r->phase = 1;
    st->pk__left = 0;
    clock_start(r);
    return r->iterations;
}

void pk_bench_pause_timing(pk_bench_state *st)
{
    pk__bench_run *r = st->pk__run;
    if (r->phase == 1 && !r->paused) {
        clock_stop(r);
        r->paused = true;
    }
}

void pk_bench_resume_timing(pk_bench_state *st)
{
    pk__bench_run *r = st->pk__run;
    if (r->phase == 1 && r->paused) {
        r->paused = false;
        clock_start(r);
    }
}

int64_t pk_bench_arg(const pk_bench_state *st, size_t i)
{
    const pk__bench_instance *in = st->pk__run->inst;
    return i == 0 && in->has_arg ? in->arg : 0;
}

uint64_t pk_bench_max_iterations(const pk_bench_state *st)
{
    return st->pk__run->iterations;
}

void pk_bench_set_bytes(pk_bench_state *st, double bytes_per_iteration)
{
    st->pk__run->bytes = bytes_per_iteration;
}

void pk_bench_set_items(pk_bench_state *st, double items_per_iteration)
{
    st->pk__run->items = items_per_iteration;
}

static void fail(pk__bench_run *r, const char *message)
{
    if (r->error || r->oom)
        return;
    r->error = pk_strdup(message ? message : "skipped");
    r->oom = r->error == NULL;
}

void pk_bench_counter(pk_bench_state *st, const char *name, double value)
{
    pk__bench_run *r = st->pk__run;
    if (!name || !*name)
        return;
    for (size_t i = 0; i < r->n_counters; i++) {
        if (strcmp(r->counters[i].name, name) == 0) {
            r->counters[i].value = value;
            return;
        }
    }
    if (r->n_counters == PK_BENCH_MAX_COUNTERS) {
        fail(r, "too many counters");
        return;
    }
    char *copy = pk_strdup(name);
    if (!copy) {
        r->oom = true;
        return;
    }
    r->counters[r->n_counters].name = copy;
    r->counters[r->n_counters++].value = value;
}

void pk_bench_skip_with_error(pk_bench_state *st, const char *message)
{
    fail(st->pk__run, message);
    st->pk__left = 0;
}

void pk__bench_invoke(const pk__bench_instance *inst, uint64_t n, bool count_allocs,
                      pk__bench_run *r)
{
    memset(r, 0, sizeof *r);
    r->inst = inst;
    r->iterations = n;
    r->bytes = r->items = -1;
    r->alloc = count_allocs ? pk__bench_alloc_source() : NULL;
    pk_bench_state st = {0, r};
    if (inst->def->setup)
        inst->def->setup(&st);
    if (!r->error && !r->oom) {
        st.pk__left = 0;
        inst->def->fn(&st);
        if (r->phase == 1 && !r->paused)
            clock_stop(r);
        if (r->phase == 0 && !r->error)
            fail(r, "the benchmark did not run its loop");
        else if (st.pk__left != 0 && !r->error)
            fail(r, "the benchmark left its loop before the last iteration");
        r->phase = 2;
    }
    if (inst->def->teardown)
        inst->def->teardown(&st);
}

void pk__bench_run_clear(pk__bench_run *r)
{
    for (size_t i = 0; i < r->n_counters; i++)
        pk_free(r->counters[i].name);
    pk_free(r->error);
    r->n_counters = 0;
    r->error = NULL;
}
