/* Unit tests for perfkit/cancel.h: a cancel request stops the child the
 * library waits for (pk_runner_run, the helper runs of core/proc.h), reaches
 * the child's descendants, escalates to SIGKILL, starts no new child, and
 * ends pk_cmdbench_run with the runs gathered so far. Each Criterion test is
 * its own process, so the process-wide request never leaks between tests.
 * No bound assumes an idle machine: a child that is stopped must end before
 * its 30 s sleep would have, and one that ignores the signal cannot end
 * before the grace period. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "core/proc.h"
#include "perfkit/cancel.h"
#include "perfkit/cmdbench.h"
#include "perfkit/run.h"

#define MS 1000000ull

static uint64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static void path(char *buf, size_t len, const char *tag)
{
    snprintf(buf, len, "/tmp/pk-test-cancel-%s-%ld", tag, (long)getpid());
}

static bool exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

/* A process that is gone or a zombie (its parent, maybe init, has not
 * reaped it yet). */
static bool dead(pid_t pid)
{
    char p[64], stat_line[256] = "";
    snprintf(p, sizeof p, "/proc/%ld/stat", (long)pid);
    FILE *f = fopen(p, "r");
    if (!f)
        return true;
    bool zombie = fgets(stat_line, sizeof stat_line, f) && strstr(stat_line, ") Z ");
    fclose(f);
    return zombie;
}

/* Once the file `started` exists (up to 60 s), request `times` cancels. */
typedef struct canceller {
    const char *started;
    int sig, times;
    pthread_t th;
} canceller;

static void *cancel_when_started(void *ud)
{
    canceller *c = ud;
    for (int i = 0; i < 6000 && !exists(c->started); i++)
        usleep(10000);
    for (int i = 0; i < c->times; i++)
        pk_cancel_request(c->sig);
    return NULL;
}

static void start_canceller(canceller *c)
{
    cr_assert_eq(pthread_create(&c->th, NULL, cancel_when_started, c), 0);
}

static pk_runner *mk(void)
{
    pk_run_opts o;
    pk_run_opts_init(&o);
    o.counters = false;
    pk_runner *r = NULL;
    cr_assert_eq(pk_runner_new(&o, &r), PK_OK);
    return r;
}

/* Run `/bin/sh -c SCRIPT` in a runner, SCRIPT being script_fmt with %s the
 * path of a file it touches once started; a thread sends `times` cancel
 * requests of sig once the file exists. The run must end in PK_EINTR;
 * *res says how, *wall_ns how long it took from the start. */
static void run_cancelled(const char *script_fmt, int sig, int times, pk_run_result *res,
                          uint64_t *wall_ns)
{
    char started[128], cmd[400];
    path(started, sizeof started, "started");
    unlink(started);
    snprintf(cmd, sizeof cmd, script_fmt, started);
    char *argv[] = {"/bin/sh", "-c", cmd, NULL};
    pk_runner *r = mk();
    canceller c = {.started = started, .sig = sig, .times = times};
    start_canceller(&c);
    uint64_t t0 = now_ns();
    cr_assert_eq(pk_runner_run(r, argv, res), PK_EINTR);
    *wall_ns = now_ns() - t0;
    pthread_join(c.th, NULL);
    unlink(started);
    pk_runner_free(r);
}

Test(cancel, request_state)
{
    cr_assert_eq(pk_cancel_signal(), 0);
    pk_cancel_request(SIGINT);
    pk_cancel_request(SIGTERM);   /* the first one's signal is kept */
    cr_assert_eq(pk_cancel_signal(), SIGINT);
    cr_assert_eq(pk__cancel_count(), 2);
    pk_cancel_reset();
    cr_assert_eq(pk_cancel_signal(), 0);
    pk_cancel_request(0);   /* not a signal: SIGTERM */
    cr_assert_eq(pk_cancel_signal(), SIGTERM);
    cr_assert(pk__stopped(NULL));
    pk_cancel_reset();
    volatile sig_atomic_t flag = 0;
    cr_assert(!pk__stopped(&flag));
    flag = 1;
    cr_assert(pk__stopped(&flag));
}

Test(cancel, no_child_is_started_after_a_request)
{
    char file[128], cmd[200];
    path(file, sizeof file, "touched");
    unlink(file);
    snprintf(cmd, sizeof cmd, "touch %s", file);
    char *argv[] = {"/bin/sh", "-c", cmd, NULL};
    pk_runner *r = mk();
    pk_run_result res;
    pk_cancel_request(SIGTERM);
    cr_assert_eq(pk_runner_run(r, argv, &res), PK_EINTR);
    cr_assert(strstr(pk_runner_last_error(r), "not started"), "%s", pk_runner_last_error(r));
    pk__proc_out po;
    cr_assert_eq(pk__proc_run(argv, NULL, &po), PK_EINTR);
    cr_assert(!exists(file));
    pk_cancel_reset();   /* and runs work again */
    cr_assert_eq(pk_runner_run(r, argv, &res), PK_OK);
    cr_assert(exists(file));
    unlink(file);
    pk_runner_free(r);
}

Test(cancel, running_child_gets_the_signal, .timeout = 60)
{
    pk_run_result res;
    uint64_t wall;
    run_cancelled("touch %s; exec sleep 30", SIGINT, 1, &res, &wall);
    cr_assert_lt(wall, 25000 * MS, "the sleep was not stopped");
    cr_assert_eq(res.term_signal, SIGINT);
}

/* The shell's background sleep ignores SIGINT (a non-interactive shell's
 * background jobs do): it outlives the shell, and the SIGKILL for what is
 * left of the group must end it. */
Test(cancel, descendants_are_stopped, .timeout = 60)
{
    char started[128], gc[128], cmd[400];
    path(started, sizeof started, "started");
    path(gc, sizeof gc, "grandchild");
    unlink(started);
    unlink(gc);
    snprintf(cmd, sizeof cmd, "sleep 30 & echo $! > %s; touch %s; wait", gc, started);
    char *argv[] = {"/bin/sh", "-c", cmd, NULL};
    pk_runner *r = mk();
    canceller c = {.started = started, .sig = SIGINT, .times = 1};
    start_canceller(&c);
    pk_run_result res;
    cr_assert_eq(pk_runner_run(r, argv, &res), PK_EINTR);
    pthread_join(c.th, NULL);
    FILE *f = fopen(gc, "r");
    cr_assert(f);
    long pid = 0;
    cr_assert_eq(fscanf(f, "%ld", &pid), 1);
    fclose(f);
    bool gone = false;
    for (int i = 0; i < 1000 && !(gone = dead((pid_t)pid)); i++)
        usleep(10000);
    cr_assert(gone, "the background sleep %ld outlived the cancel", pid);
    unlink(started);
    unlink(gc);
    pk_runner_free(r);
}

Test(cancel, ignored_signal_ends_in_sigkill_after_the_grace, .timeout = 60)
{
    pk_run_result res;
    uint64_t wall;
    run_cancelled("trap '' TERM; touch %s; sleep 30; true", SIGTERM, 1, &res, &wall);
    cr_assert_eq(res.term_signal, SIGKILL);
    /* the shell ignored SIGTERM, so it lived through the grace period */
    cr_assert_geq(res.wall_ns, (uint64_t)PK_CANCEL_GRACE_MS * MS);
    cr_assert_lt(res.wall_ns, 25000 * MS);
}

Test(cancel, second_request_kills_at_once, .timeout = 60)
{
    pk_run_result res;
    uint64_t wall;
    run_cancelled("trap '' TERM; touch %s; sleep 30; true", SIGTERM, 2, &res, &wall);
    cr_assert_eq(res.term_signal, SIGKILL);
}

Test(cancel, helper_run_is_stopped, .timeout = 60)
{
    char started[128], cmd[300];
    path(started, sizeof started, "started");
    unlink(started);
    snprintf(cmd, sizeof cmd, "touch %s; exec sleep 30", started);
    char *argv[] = {"/bin/sh", "-c", cmd, NULL};
    canceller c = {.started = started, .sig = SIGHUP, .times = 1};
    start_canceller(&c);
    pk__proc_out po;
    uint64_t t0 = now_ns();
    cr_assert_eq(pk__proc_run(argv, NULL, &po), PK_EINTR);
    cr_assert_lt(now_ns() - t0, 25000 * MS);
    cr_assert_eq(po.status, -1);
    pthread_join(c.th, NULL);
    unlink(started);
}

static void cancel_after_two(void *ud, const pk_cmdbench_progress *p)
{
    (void)ud;
    if (!p->warmup && p->done == 2)
        pk_cancel_request(SIGTERM);
}

Test(cancel, cmdbench_keeps_the_runs_gathered)
{
    pk_cmdbench_opts o;
    pk_cmdbench_opts_init(&o);
    o.runs = 5;
    o.run.counters = false;
    o.progress = cancel_after_two;
    o.cleanup = "false";   /* would fail the benchmark if it ran */
    pk_cmdbench_cmd cmd = {.command = "true"};
    pk_cmdbench_result *res = NULL;
    pk_diag d;
    cr_assert_eq(pk_cmdbench_run(&cmd, 1, &o, &res, &d), PK_EINTR);
    cr_assert(res);
    cr_assert(res->interrupted);
    cr_assert(!res->failed);
    cr_assert_eq(res->cmds[0].n_runs, 2);
    pk_cmdbench_result_free(res);
}
