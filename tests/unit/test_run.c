/* Unit tests for lib/run: runner (spawn + rusage + stderr tail + I/O modes),
 * timeout, perf_event counters, cachegrind instructions, program resolution.
 * Wall-time bounds hold on a loaded machine: a sleep never ends early, and a
 * child's time fits in the time measured around the call; no bound assumes
 * an idle machine (timing claims belong in bench/). Helper
 * programs come from $HELPERS (default build/helpers); tests that need one
 * are skipped when it has not been built. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "perfkit/alloc.h"
#include "perfkit/run.h"
#include "fault.h"

#define MS 1000000ull

static uint64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static pk_runner *mk(const pk_run_opts *o)
{
    pk_runner *r = NULL;
    pk_err e = pk_runner_new(o, &r);
    cr_assert_eq(e, PK_OK, "pk_runner_new: %s (%s)", pk_strerror(e),
                 r ? pk_runner_last_error(r) : "-");
    return r;
}

static pk_run_result run(pk_runner *r, char *const argv[])
{
    pk_run_result res;
    pk_err e = pk_runner_run(r, argv, &res);
    cr_assert_eq(e, PK_OK, "run %s: %s (%s)", argv[0], pk_strerror(e), pk_runner_last_error(r));
    return res;
}

/* Path of helper name in $HELPERS into buf, or NULL when it is not built. */
static const char *helper(const char *name, char *buf, size_t len)
{
    const char *dir = getenv("HELPERS");
    snprintf(buf, len, "%s/%s", dir && *dir ? dir : "build/helpers", name);
    return access(buf, X_OK) == 0 ? buf : NULL;
}

static void tmpname(char *buf, size_t len, const char *tag)
{
    snprintf(buf, len, "/tmp/pk-test-run-%s-%ld", tag, (long)getpid());
}

Test(run, true_exits_zero)
{
    pk_runner *r = mk(NULL);
    char *argv[] = {"true", NULL};
    pk_run_result res = run(r, argv);
    cr_assert_eq(res.exit_code, 0);
    cr_assert_eq(res.term_signal, 0);
    cr_assert(!res.timed_out);
    cr_assert_gt(res.wall_ns, 0);
    cr_assert_gt(res.max_rss_bytes, 0);
    cr_assert(pk_run_succeeded(&res));
    pk_runner_free(r);
}

Test(run, false_exits_one)
{
    pk_runner *r = mk(NULL);
    char *argv[] = {"false", NULL};
    pk_run_result res = run(r, argv);
    cr_assert_eq(res.exit_code, 1);
    cr_assert(!pk_run_succeeded(&res));
    res = run(r, argv);   /* second run goes through the path cache */
    cr_assert_eq(res.exit_code, 1);
    pk_runner_free(r);
}

Test(run, rss_of_64mib_toucher)
{
    char buf[512];
    const char *tm = helper("touchmem", buf, sizeof buf);
    char *hv[] = {(char *)tm, "64", NULL};
    char *pv[] = {"/usr/bin/python3", "-c", "b = bytearray(64 << 20)", NULL};
    if (!tm && access(pv[0], X_OK) != 0)
        cr_skip_test("neither touchmem helper nor python3");
    pk_runner *r = mk(NULL);
    pk_run_result res = run(r, tm ? hv : pv);
    cr_assert_eq(res.exit_code, 0);
    cr_assert_geq(res.max_rss_bytes, 64ull << 20, "rss %llu",
                  (unsigned long long)res.max_rss_bytes);
    cr_assert_gt(res.minflt, 1000);
    pk_runner_free(r);
}

Test(run, sleep_wall_time)
{
    pk_runner *r = mk(NULL);
    char *argv[] = {"sleep", "0.1", NULL};
    uint64_t t0 = now_ns();
    pk_run_result res = run(r, argv);
    uint64_t elapsed = now_ns() - t0;
    cr_assert_eq(res.exit_code, 0);
    /* a sleep never ends early; the child's wall time fits in the call's
     * (no upper bound that assumes an idle machine) */
    cr_assert_geq(res.wall_ns, 95 * MS, "wall %llu", (unsigned long long)res.wall_ns);
    cr_assert_leq(res.wall_ns, elapsed, "wall %llu of %llu elapsed",
                  (unsigned long long)res.wall_ns, (unsigned long long)elapsed);
    cr_assert_lt(res.user_ns + res.sys_ns, 50 * MS);
    pk_runner_free(r);
}

Test(run, timeout_kills)
{
    pk_run_opts o;
    pk_run_opts_init(&o);
    o.timeout_ms = 100;
    pk_runner *r = mk(&o);
    /* The children would run far longer than the test's timeout: only the
     * kill ends them, so no bound on the wall time is needed (or assumed). */
    char *argv[] = {"sleep", "1000", NULL};
    pk_run_result res = run(r, argv);
    cr_assert(res.timed_out);
    cr_assert_eq(res.exit_code, -1);
    cr_assert_eq(res.term_signal, SIGKILL);
    cr_assert_geq(res.wall_ns, 95 * MS);
    cr_assert(!pk_run_succeeded(&res));
    /* A shell's grandchild is in the killed process group too. */
    char *sh[] = {"sh", "-c", "sleep 1000; echo", NULL};
    res = run(r, sh);
    cr_assert(res.timed_out);
    cr_assert_eq(res.term_signal, SIGKILL);
    pk_runner_free(r);
}

Test(run, timeout_not_reached)
{
    pk_run_opts o;
    pk_run_opts_init(&o);
    o.timeout_ms = 5000;
    pk_runner *r = mk(&o);
    char *argv[] = {"sh", "-c", "sleep 0.05; exit 4", NULL};
    pk_run_result res = run(r, argv);
    cr_assert(!res.timed_out);
    cr_assert_eq(res.exit_code, 4);
    cr_assert_geq(res.wall_ns, 45 * MS);
    pk_runner_free(r);
}

Test(run, missing_program_is_enoent)
{
    pk_runner *r = mk(NULL);
    char *argv[] = {"perfkit-no-such-program-xyz", NULL};
    pk_run_result res;
    cr_assert_eq(pk_runner_run(r, argv, &res), PK_ENOENT);
    cr_assert(strstr(pk_runner_last_error(r), "perfkit-no-such-program-xyz"));
    char *abs[] = {"/nonexistent/dir/prog", NULL};
    cr_assert_eq(pk_runner_run(r, abs, &res), PK_ENOENT);
    pk_runner_free(r);
}

Test(run, not_executable_is_eperm)
{
    char path[256];
    tmpname(path, sizeof path, "noexec");
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs("#!/bin/sh\nexit 0\n", f);
    fclose(f);
    chmod(path, 0644);
    pk_runner *r = mk(NULL);
    char *argv[] = {path, NULL};
    pk_run_result res;
    cr_assert_eq(pk_runner_run(r, argv, &res), PK_EPERM);
    char *dir[] = {"/tmp", NULL};
    cr_assert_eq(pk_runner_run(r, dir, &res), PK_EPERM);
    pk_runner_free(r);
    unlink(path);
}

/* Executable bits but no executable format: exec itself fails (ENOEXEC),
 * which is "not executable" (PK_EPERM), not an I/O error. */
Test(run, exec_format_error_is_eperm)
{
    char path[256];
    tmpname(path, sizeof path, "garbage");
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs("\x7f" "ELF but not really\n", f);
    fclose(f);
    chmod(path, 0755);
    pk_runner *r = mk(NULL);
    char *argv[] = {path, NULL};
    pk_run_result res;
    cr_assert_eq(pk_runner_run(r, argv, &res), PK_EPERM, "%s", pk_runner_last_error(r));
    cr_assert(strstr(pk_runner_last_error(r), "cannot run"), "%s", pk_runner_last_error(r));
    pk_runner_free(r);
    unlink(path);
}

Test(run, invalid_arguments)
{
    pk_runner *r = mk(NULL);
    pk_run_result res;
    char *empty[] = {NULL};
    cr_assert_eq(pk_runner_run(r, empty, &res), PK_EINVAL);
    cr_assert_eq(pk_runner_run(r, NULL, &res), PK_EINVAL);
    pk_runner_free(r);
    pk_run_opts o;
    pk_run_opts_init(&o);
    o.output = PK_OUTPUT_FILE;   /* no output_path */
    cr_assert_eq(pk_runner_new(&o, &r), PK_EINVAL);
    cr_assert_null(r);
    cr_assert_eq(pk_runner_new(NULL, NULL), PK_EINVAL);
    pk_runner_free(NULL);
}

Test(run, stderr_tail)
{
    pk_runner *r = mk(NULL);
    char *argv[] = {"sh", "-c", "echo noise >&2; echo boom >&2; exit 3", NULL};
    pk_run_result res = run(r, argv);
    cr_assert_eq(res.exit_code, 3);
    char buf[64];
    size_t n = pk_runner_stderr_tail(r, buf, sizeof buf);
    cr_assert_str_eq(buf, "noise\nboom\n");
    cr_assert_eq(n, 11);
    n = pk_runner_stderr_tail(r, buf, 6);   /* last len-1 bytes */
    cr_assert_str_eq(buf, "boom\n");
    cr_assert_eq(n, 5);
    char *quiet[] = {"true", NULL};
    run(r, quiet);   /* the capture is reset before every run */
    cr_assert_eq(pk_runner_stderr_tail(r, buf, sizeof buf), 0);
    cr_assert_str_eq(buf, "");
    pk_runner_free(r);
}

Test(run, stderr_tail_bytes_limit)
{
    pk_run_opts o;
    pk_run_opts_init(&o);
    o.stderr_tail_bytes = 4;
    pk_runner *r = mk(&o);
    char *argv[] = {"sh", "-c", "printf abcdefgh >&2", NULL};
    run(r, argv);
    char buf[64];
    cr_assert_eq(pk_runner_stderr_tail(r, buf, sizeof buf), 4);
    cr_assert_str_eq(buf, "efgh");
    pk_runner_free(r);
}

Test(run, crash_reports_signal)
{
    char hb[512];
    const char *crash = helper("crash", hb, sizeof hb);
    char *hv[] = {(char *)crash, NULL};
    char *sv[] = {"sh", "-c", "echo crash: about >&2; kill -SEGV $$", NULL};
    pk_runner *r = mk(NULL);
    pk_run_result res = run(r, crash ? hv : sv);
    cr_assert_eq(res.exit_code, -1);
    cr_assert_eq(res.term_signal, SIGSEGV);
    char buf[128];
    pk_runner_stderr_tail(r, buf, sizeof buf);
    cr_assert(strstr(buf, "crash: about"), "tail: %s", buf);
    pk_runner_free(r);
}

Test(run, input_file_feeds_stdin_every_run)
{
    char path[256];
    tmpname(path, sizeof path, "in");
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs("hello\n", f);
    fclose(f);
    pk_run_opts o;
    pk_run_opts_init(&o);
    o.input_path = path;
    pk_runner *r = mk(&o);
    char *argv[] = {"sh", "-c", "read x; test \"$x\" = hello", NULL};
    for (int i = 0; i < 3; i++)
        cr_assert_eq(run(r, argv).exit_code, 0, "run %d", i);
    pk_runner_free(r);
    unlink(path);

    o.input_path = "/nonexistent/input";
    cr_assert_eq(pk_runner_new(&o, &r), PK_ENOENT);
}

Test(run, default_stdin_is_devnull)
{
    pk_runner *r = mk(NULL);
    char *argv[] = {"sh", "-c", "if read x; then exit 1; fi; exit 0", NULL};
    cr_assert_eq(run(r, argv).exit_code, 0);
    pk_runner_free(r);
}

Test(run, output_file_appends)
{
    char path[256];
    tmpname(path, sizeof path, "out");
    unlink(path);
    pk_run_opts o;
    pk_run_opts_init(&o);
    o.output = PK_OUTPUT_FILE;
    o.output_path = path;
    pk_runner *r = mk(&o);
    char *argv[] = {"echo", "hi", NULL};
    run(r, argv);
    run(r, argv);
    pk_runner_free(r);
    r = mk(&o);   /* a new runner appends too */
    run(r, argv);
    pk_runner_free(r);
    char buf[64] = {0};
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    cr_assert_eq(n, 9);
    cr_assert_str_eq(buf, "hi\nhi\nhi\n");
    unlink(path);

    o.output_path = "/nonexistent/dir/out";
    cr_assert_eq(pk_runner_new(&o, &r), PK_ENOENT);
}

Test(run, output_pipe_is_drained)
{
    pk_run_opts o;
    pk_run_opts_init(&o);
    o.output = PK_OUTPUT_PIPE;
    pk_runner *r = mk(&o);
    /* 8 MiB: far more than a pipe holds, so it must be drained meanwhile. */
    char *argv[] = {"head", "-c", "8388608", "/dev/zero", NULL};
    pk_run_result res = run(r, argv);
    cr_assert_eq(res.exit_code, 0);
    res = run(r, argv);
    cr_assert_eq(res.exit_code, 0);
    pk_runner_free(r);

    o.timeout_ms = 100;   /* pipe + deadline together */
    r = mk(&o);
    char *loud[] = {"sh", "-c", "while :; do echo spam; done", NULL};
    res = run(r, loud);   /* endless: only the deadline ends it */
    cr_assert(res.timed_out);
    cr_assert_eq(res.term_signal, SIGKILL);
    pk_runner_free(r);
}

Test(run, counters_task_clock)
{
    pk_runner *r = mk(NULL);
    uint32_t sup = pk_runner_counters_supported(r);
    if (!(sup & (1u << PK_CTR_TASK_CLOCK))) {
        pk_runner_free(r);
        cr_skip_test("perf_event_open not permitted here");
    }
    char *argv[] = {"sh", "-c", "i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done", NULL};
    pk_run_result res = run(r, argv);
    cr_assert(res.counters_ok & (1u << PK_CTR_TASK_CLOCK));
    cr_assert_eq(res.counters_ok & ~sup, 0);
    uint64_t tc = res.counters[PK_CTR_TASK_CLOCK];
    cr_assert_gt(tc, 1 * MS, "task-clock %llu", (unsigned long long)tc);
    /* task-clock is the child's CPU time, close to rusage user+sys. */
    uint64_t cpu = res.user_ns + res.sys_ns;
    cr_assert_lt(tc, cpu + cpu / 2 + 20 * MS);
    cr_assert_gt(tc + 20 * MS, cpu / 2);
    if (res.counters_ok & (1u << PK_CTR_PAGE_FAULTS))
        cr_assert_gt(res.counters[PK_CTR_PAGE_FAULTS], 10);
    for (int c = 0; c < PK_CTR_COUNT; c++)
        if (!(res.counters_ok & (1u << c)))
            cr_assert_eq(res.counters[c], 0, "unsupported %s", pk_counter_name((pk_counter)c));
    pk_runner_free(r);

    pk_run_opts o;
    pk_run_opts_init(&o);
    o.counters = false;
    r = mk(&o);
    cr_assert_eq(pk_runner_counters_supported(r), 0);
    res = run(r, argv);
    cr_assert_eq(res.counters_ok, 0);
    pk_runner_free(r);
}

/* Each run's counters are that run's alone: a busy run followed by `true`
 * must not carry the busy run's task-clock into the second reading (inherited
 * counts survive PERF_EVENT_IOC_RESET, so this once read cumulatively). */
Test(run, counters_are_per_run)
{
    pk_runner *r = mk(NULL);
    if (!(pk_runner_counters_supported(r) & (1u << PK_CTR_TASK_CLOCK))) {
        pk_runner_free(r);
        cr_skip_test("perf_event_open not permitted here");
    }
    char *busy[] = {"sh", "-c", "i=0; while [ $i -lt 50000 ]; do i=$((i+1)); done", NULL};
    char *quick[] = {"true", NULL};
    pk_run_result a = run(r, busy);
    pk_run_result b = run(r, quick);
    cr_assert_gt(a.counters[PK_CTR_TASK_CLOCK], 10 * MS);
    cr_assert_lt(b.counters[PK_CTR_TASK_CLOCK], a.counters[PK_CTR_TASK_CLOCK] / 4,
                 "true: %llu ns after a %llu ns run",
                 (unsigned long long)b.counters[PK_CTR_TASK_CLOCK],
                 (unsigned long long)a.counters[PK_CTR_TASK_CLOCK]);
    pk_runner_free(r);
}

/* exec() charges the child with the outgoing address space's peak RSS, and
 * with posix_spawn that space is perfkit's: a 64 MiB peak of ours in the past
 * must not show up as the peak of a tiny child. */
Test(run, rss_excludes_our_past_peak)
{
    size_t big = 64u << 20;
    char *p = malloc(big);
    cr_assert_not_null(p);
    memset(p, 1, big);
    free(p);   /* above the mmap threshold: returned to the kernel */
    pk_runner *r = mk(NULL);
    char *argv[] = {"true", NULL};
    pk_run_result res = run(r, argv);
    cr_assert_lt(res.max_rss_bytes, 32u << 20, "true reported %llu bytes",
                 (unsigned long long)res.max_rss_bytes);
    pk_runner_free(r);
}

Test(run, counter_names)
{
    for (int c = 0; c < PK_CTR_COUNT; c++)
        cr_assert_eq((int)pk_counter_from_name(pk_counter_name((pk_counter)c)), c);
    cr_assert_str_eq(pk_counter_name(PK_CTR_TASK_CLOCK), "task-clock");
    cr_assert_eq(pk_counter_from_name("bogus"), PK_CTR_COUNT);
    cr_assert_eq(pk_counter_from_name(NULL), PK_CTR_COUNT);
    cr_assert_str_eq(pk_counter_name(PK_CTR_COUNT), "unknown");
}

Test(run, hardware_instructions_or_enotsup)
{
    pk_run_opts o;
    pk_run_opts_init(&o);
    o.counters = false;
    o.instructions = PK_INSTR_HARDWARE;
    pk_runner *r = NULL;
    pk_err e = pk_runner_new(&o, &r);
    if (e == PK_ENOTSUP) {
        cr_assert_null(r);
        return;
    }
    cr_assert_eq(e, PK_OK);
    cr_assert_eq(pk_runner_instr_source(r), PK_INSTR_HARDWARE);
    char *argv[] = {"true", NULL};
    pk_run_result res = run(r, argv);
    cr_assert(res.instructions_ok);
    cr_assert_gt(res.instructions, 1000);
    pk_runner_free(r);
}

Test(run, cachegrind_instructions, .timeout = 120)
{
    if (pk_run_resolve("valgrind", NULL) != PK_OK)
        cr_skip_test("valgrind not installed");
    pk_run_opts o;
    pk_run_opts_init(&o);
    o.instructions = PK_INSTR_CACHEGRIND;
    pk_runner *r = mk(&o);
    cr_assert_eq(pk_runner_instr_source(r), PK_INSTR_CACHEGRIND);
    char *argv[] = {"true", NULL};
    pk_run_result a = run(r, argv);
    pk_run_result b = run(r, argv);
    cr_assert_eq(a.exit_code, 0);
    cr_assert(a.instructions_ok && b.instructions_ok);
    cr_assert_gt(a.instructions, 1000);
    cr_assert_eq(a.instructions, b.instructions);
    char buf[256];
    pk_runner_stderr_tail(r, buf, sizeof buf);
    cr_assert_str_eq(buf, "", "valgrind chatter: %s", buf);
    char *f[] = {"sh", "-c", "exit 5", NULL};   /* exit status passes through */
    pk_run_result c = run(r, f);
    cr_assert_eq(c.exit_code, 5);
    cr_assert(c.instructions_ok);
    cr_assert_gt(c.instructions, a.instructions);
    pk_runner_free(r);
}

Test(run, resolve)
{
    char *p = NULL;
    cr_assert_eq(pk_run_resolve("sh", &p), PK_OK);
    cr_assert_not_null(p);
    cr_assert_eq(p[0], '/');
    cr_assert_eq(access(p, X_OK), 0);
    pk_free(p);
    cr_assert_eq(pk_run_resolve("/bin/sh", NULL), PK_OK);
    cr_assert_eq(pk_run_resolve("perfkit-no-such-program-xyz", &p), PK_ENOENT);
    cr_assert_null(p);
    cr_assert_eq(pk_run_resolve("/tmp", NULL), PK_EPERM);
    cr_assert_eq(pk_run_resolve("/etc/passwd", NULL), PK_EPERM);
    cr_assert_eq(pk_run_resolve("", NULL), PK_ENOENT);
    cr_assert_eq(pk_run_resolve(NULL, NULL), PK_ENOENT);
}

/* Fault injection: failing the n-th allocation anywhere in new + run must
 * end in a clean PK_ENOMEM (ASan catches leaks), never a crash. */
Test(run, allocation_failures_are_clean)
{
    char *argv[] = {"true", NULL};
    bool completed = false;
    for (long fail_at = 0; fail_at < 63 && !completed; fail_at++) {
        fault_arm(fail_at);
        pk_run_opts o;
        pk_run_opts_init(&o);
        o.output = PK_OUTPUT_PIPE;
        pk_runner *r = NULL;
        pk_err e = pk_runner_new(&o, &r);
        if (e == PK_OK) {
            pk_run_result res;
            e = pk_runner_run(r, argv, &res);
            pk_runner_free(r);
            completed = e == PK_OK;
        } else {
            cr_assert_null(r);
        }
        fault_disarm();
        cr_assert(e == PK_OK || e == PK_ENOMEM, "fail_at %ld: %s", fail_at, pk_strerror(e));
    }
    cr_assert(completed);
}
