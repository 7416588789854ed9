/* report_fixture.h — hand-built benchmark results for lib/report's tests
 * (test_report.c, test_report_markup.c): command A runs NRUNS × ~10 ms, B
 * ~12 ms, C ~10 ms, software counters only; no process is run. */
#ifndef PK_TEST_REPORT_FIXTURE_H
#define PK_TEST_REPORT_FIXTURE_H

#include <criterion/criterion.h>
#include <string.h>

#include "perfkit/report.h"
#include "capture.h"

#define NRUNS 10
#define BIG_FLT 9007199254740993ull   /* 2^53 + 1: not exact as a double */

/* Counters this fake machine supports: the software ones. */
#define SW_CTRS ((1u << PK_CTR_TASK_CLOCK) | (1u << PK_CTR_CONTEXT_SWITCHES) | \
                 (1u << PK_CTR_CPU_MIGRATIONS) | (1u << PK_CTR_PAGE_FAULTS))

typedef struct fixture {
    pk_cmdbench_result b;
    pk_cmd_result cmds[3];
    pk_run_result runs[3][NRUNS];
} fixture;

static inline void fill_runs(pk_run_result *r, size_t n, uint64_t base_ns)
{
    for (size_t i = 0; i < n; i++) {
        memset(&r[i], 0, sizeof r[i]);
        r[i].wall_ns = base_ns + (i % 5) * 10000 + (i * 7919) % 3000;
        r[i].user_ns = 500000 + i;
        r[i].sys_ns = 300000;
        r[i].max_rss_bytes = 2000000 + i * 4096;
        r[i].minflt = 85;
        r[i].nvcsw = 1;
        r[i].counters[PK_CTR_TASK_CLOCK] = 610000;
        r[i].counters[PK_CTR_CONTEXT_SWITCHES] = 1;
        r[i].counters[PK_CTR_PAGE_FAULTS] = 85;
        r[i].counters[PK_CTR_CYCLES] = 0;   /* unsupported: must never show */
        r[i].counters_ok = SW_CTRS;
        r[i].instructions = 1000000 + (base_ns > 11000000 ? 100000 : 0);
        r[i].instructions_ok = true;
    }
}

/* n commands (2 or 3): A "sleep 0.01" ~10 ms, B `say "hi", world | x` ~12 ms,
 * C ~10 ms. */
static inline void fixture_init(fixture *fx, size_t n)
{
    static char *names[3] = {"sleep 0.01", "say \"hi\", world | x", "third"};
    static const uint64_t base[3] = {10000000, 12000000, 10000000};
    memset(fx, 0, sizeof *fx);
    for (size_t c = 0; c < n; c++) {
        fill_runs(fx->runs[c], NRUNS, base[c]);
        fx->cmds[c].name = names[c];
        fx->cmds[c].command = names[c];
        fx->cmds[c].runs = fx->runs[c];
        fx->cmds[c].n_runs = NRUNS;
    }
    fx->b.cmds = fx->cmds;
    fx->b.n_cmds = n;
    fx->b.measure = PK_MEASURE_TIME;
    fx->b.counters_supported = SW_CTRS;
    fx->b.started_unix_ns = 1700000000123000000ull;
}

static inline pk_bench_report *report_of(const fixture *fx)
{
    pk_bench_report *r = NULL;
    cr_assert_eq(pk_bench_report_new(&fx->b, NULL, &r), PK_OK);
    cr_assert_not_null(r);
    return r;
}

/* r written in format fmt, as a NUL-terminated string the caller frees. */
static inline char *render(pk_format fmt, const pk_bench_report *r)
{
    capture c;
    cr_assert_eq(pk_bench_report_write(capture_begin(&c), r, fmt, NULL), PK_OK);
    return capture_end(&c);
}
#endif
