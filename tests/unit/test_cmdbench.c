/* Unit tests for lib/run/cmdbench.c: validation before any run, run counts
 * (fixed and automatic), interleaving, failures with partial results, the
 * stop flag, auxiliary commands, fault injection. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "perfkit/alloc.h"
#include "perfkit/cmdbench.h"
#include "fault.h"

static pk_cmdbench_opts opts(size_t runs)
{
    pk_cmdbench_opts o;
    pk_cmdbench_opts_init(&o);
    o.runs = runs;
    return o;
}

static pk_err bench(const pk_cmdbench_cmd *c, size_t n, const pk_cmdbench_opts *o,
                    pk_cmdbench_result **out, char *err)
{
    pk_diag d;
    memset(&d, 'x', sizeof d);   /* the call clears it */
    pk_err e = pk_cmdbench_run(c, n, o, out, &d);
    cr_assert_str_eq(d.file, "");
    size_t len = strnlen(d.message, 255);   /* callers' buffers hold 256 */
    memcpy(err, d.message, len);
    err[len] = '\0';
    return e;
}

Test(cmdbench, diag_is_optional_and_cleared)
{
    pk_cmdbench_cmd c[] = {{.command = "true"}};
    pk_cmdbench_opts o = opts(1);
    pk_cmdbench_result *r;
    cr_assert_eq(pk_cmdbench_run(c, 1, &o, &r, NULL), PK_OK);
    pk_cmdbench_result_free(r);
    char err[256];
    cr_assert_eq(bench(c, 1, &o, &r, err), PK_OK);
    cr_assert_str_eq(err, "");
    pk_cmdbench_result_free(r);
    cr_assert_eq(bench(NULL, 0, &o, &r, err), PK_EINVAL);
    cr_assert_str_eq(err, "no command to benchmark");
    pk_cmdbench_cmd nope[] = {{.command = "./no-such-program"}};
    cr_assert_eq(pk_cmdbench_run(nope, 1, &o, &r, NULL), PK_ENOENT);
    cr_assert_null(r);
}

Test(cmdbench, defaults)
{
    pk_cmdbench_opts o;
    pk_cmdbench_opts_init(&o);
    cr_assert_eq(o.min_runs, 10);
    cr_assert_eq(o.min_time_ns, 3000000000ull);
    cr_assert(o.interleave);
    cr_assert_eq(o.measure, PK_MEASURE_TIME);
    cr_assert_eq(o.run.output, PK_OUTPUT_NULL);
}

Test(cmdbench, fixed_runs_and_copies)
{
    pk_cmdbench_cmd c[] = {{.command = "true"}, {.command = "sleep 0.001", .name = "nap"}};
    pk_cmdbench_opts o = opts(4);
    o.warmup = 2;
    pk_cmdbench_result *r;
    char err[256];
    cr_assert_eq(bench(c, 2, &o, &r, err), PK_OK, "%s", err);
    cr_assert_eq(r->n_cmds, 2);
    cr_assert_eq(r->cmds[0].n_runs, 4);
    cr_assert_eq(r->cmds[1].n_runs, 4);
    cr_assert_str_eq(r->cmds[0].name, "true");
    cr_assert_str_eq(r->cmds[1].name, "nap");
    cr_assert_str_eq(r->cmds[1].command, "sleep 0.001");
    cr_assert(!r->failed && !r->interrupted);
    for (size_t i = 0; i < 4; i++)
        cr_assert_geq(r->cmds[1].runs[i].wall_ns, 1000000);
    cr_assert_gt(r->started_unix_ns, 1600000000ull * 1000000000ull);
    pk_cmdbench_result_free(r);
}

/* The order of measured runs is recorded through the progress callback: with
 * interleaving every block holds each command once, in a shuffled order that
 * is not always the same; without it, all runs of A come before B. */
typedef struct order_log {
    size_t seq[64];
    size_t n;
} order_log;

static void log_progress(void *ud, const pk_cmdbench_progress *p)
{
    order_log *l = ud;
    if (!p->warmup && l->n < 64)
        l->seq[l->n++] = p->cmd;
}

Test(cmdbench, interleaved_blocks)
{
    pk_cmdbench_cmd c[] = {{.command = "true"}, {.command = "true"}};
    pk_cmdbench_opts o = opts(10);
    order_log log = {0};
    o.progress = log_progress;
    o.progress_ud = &log;
    pk_cmdbench_result *r;
    char err[256];
    cr_assert_eq(bench(c, 2, &o, &r, err), PK_OK);
    cr_assert_eq(log.n, 20);
    size_t ab = 0, ba = 0;
    for (size_t b = 0; b < 10; b++) {
        cr_assert_neq(log.seq[2 * b], log.seq[2 * b + 1], "block %zu repeats a command", b);
        if (log.seq[2 * b] == 0)
            ab++;
        else
            ba++;
    }
    cr_assert(ab > 0 && ba > 0, "blocks are never shuffled (%zu AB, %zu BA)", ab, ba);
    pk_cmdbench_result_free(r);

    o.interleave = false;
    log.n = 0;
    cr_assert_eq(bench(c, 2, &o, &r, err), PK_OK);
    for (size_t i = 0; i < 20; i++)
        cr_assert_eq(log.seq[i], i < 10 ? 0u : 1u);
    pk_cmdbench_result_free(r);
}

Test(cmdbench, automatic_run_count)
{
    pk_cmdbench_cmd c[] = {{.command = "sleep 0.02"}};
    pk_cmdbench_opts o = opts(0);
    o.min_runs = 3;
    o.min_time_ns = 200000000ull;   /* 200 ms / ~20 ms per run ≈ 10 runs */
    pk_cmdbench_result *r;
    char err[256];
    cr_assert_eq(bench(c, 1, &o, &r, err), PK_OK);
    cr_assert_geq(r->cmds[0].n_runs, 3);
    cr_assert_leq(r->cmds[0].n_runs, 11);
    pk_cmdbench_result_free(r);

    o.max_runs = 4;
    o.min_time_ns = 10000000000ull;
    cr_assert_eq(bench(c, 1, &o, &r, err), PK_OK);
    cr_assert_eq(r->cmds[0].n_runs, 4);
    pk_cmdbench_result_free(r);
}

Test(cmdbench, validation_before_any_run)
{
    char mark[64], setup[128], err[256];
    snprintf(mark, sizeof mark, "/tmp/pk-cmdbench-%ld", (long)getpid());
    snprintf(setup, sizeof setup, "touch %s", mark);
    pk_cmdbench_cmd c[] = {{.command = "true"}, {.command = "./definitely-missing --x"}};
    pk_cmdbench_opts o = opts(2);
    o.setup = setup;
    pk_cmdbench_result *r = (pk_cmdbench_result *)1;
    cr_assert_eq(bench(c, 2, &o, &r, err), PK_ENOENT);
    cr_assert_null(r);
    cr_assert(strstr(err, "command 2") && strstr(err, "not found"), "%s", err);
    cr_assert_neq(access(mark, F_OK), 0, "setup ran before validation");

    pk_cmdbench_cmd q[] = {{.command = "echo 'open"}};
    cr_assert_eq(bench(q, 1, &o, &r, err), PK_EINVAL);
    cr_assert(strstr(err, "column 6"), "%s", err);
    pk_cmdbench_cmd e[] = {{.command = ""}};
    cr_assert_eq(bench(e, 1, &o, &r, err), PK_EINVAL);
    cr_assert_eq(bench(NULL, 0, &o, &r, err), PK_EINVAL);
    o.runs = 0;
    o.min_runs = 5;
    o.max_runs = 2;
    cr_assert_eq(bench(c, 1, &o, &r, err), PK_EINVAL);
}

/* A count above PK_RUNS_MAX is refused before anything runs: 4000000000
 * runs used to be accepted and fail later with "out of memory". */
Test(cmdbench, counts_over_the_limit_before_any_run)
{
    char mark[64], setup[128], err[256];
    snprintf(mark, sizeof mark, "/tmp/pk-cmdbench-lim-%ld", (long)getpid());
    snprintf(setup, sizeof setup, "touch %s", mark);
    pk_cmdbench_cmd c[] = {{.command = "true"}};
    static const char *const want[4] = {
        "warm-up runs 1000001 is more than the limit of 1000000",
        "runs 4000000000 is more than the limit of 1000000",
        "min runs 1000001 is more than the limit of 1000000",
        "max runs 1000001 is more than the limit of 1000000",
    };
    for (int k = 0; k < 4; k++) {
        pk_cmdbench_opts o = opts(1);
        o.setup = setup;
        size_t *field[4] = {&o.warmup, &o.runs, &o.min_runs, &o.max_runs};
        *field[k] = k == 1 ? 4000000000u : PK_RUNS_MAX + 1;
        if (k >= 2)
            o.runs = 0;
        pk_cmdbench_result *r = (pk_cmdbench_result *)1;
        cr_assert_eq(bench(c, 1, &o, &r, err), PK_EINVAL, "%d", k);
        cr_assert_null(r);
        cr_assert_str_eq(err, want[k]);
        cr_assert_neq(access(mark, F_OK), 0, "setup ran before validation");
    }
    pk_cmdbench_opts o = opts(0);   /* at the limit is fine (max-runs caps the auto count) */
    o.max_runs = PK_RUNS_MAX;
    o.min_runs = 2;
    o.min_time_ns = 1;
    pk_cmdbench_result *r;
    cr_assert_eq(bench(c, 1, &o, &r, err), PK_OK, "%s", err);
    pk_cmdbench_result_free(r);
}

/* The kernel's E2BIG for a 1 MB command: the whole reason, with the sizes,
 * follows a shortened command (before, the command filled the message and
 * the reason was cut off). */
Test(cmdbench, a_too_long_command_says_why_in_full)
{
    size_t big = 1048576;
    char *cmd = malloc(big + 8);
    memcpy(cmd, "echo ", 5);
    memset(cmd + 5, 'a', big);
    cmd[5 + big] = '\0';
    pk_cmdbench_cmd c[] = {{.command = cmd}};
    for (int shell = 0; shell < 2; shell++) {
        pk_cmdbench_opts o = opts(1);
        o.shell = shell;
        pk_cmdbench_result *r = (pk_cmdbench_result *)1;
        pk_diag d;
        cr_assert_eq(pk_cmdbench_run(c, 1, &o, &r, &d), PK_EINVAL);
        cr_assert_null(r);
        const char *m = d.message;
        cr_assert(strncmp(m, "command `echo aaaa", 18) == 0, "%s", m);
        cr_assert(strstr(m, "\xe2\x80\xa6` (1048581 bytes): cannot run `"), "%s", m);
        cr_assert(strstr(m, "argument list too long ("), "%s", m);
        cr_assert(strstr(m, shell ? "one string is 1048581 bytes and Linux allows at most"
                                  : "one string is 1048576 bytes and Linux allows at most"),
                  "%s", m);
        cr_assert_eq(m[strlen(m) - 1], ')', "cut off: %s", m);
        cr_assert_lt(strlen(m), 400, "%s", m);
    }
    free(cmd);
}

Test(cmdbench, failure_keeps_partial_results)
{
    pk_cmdbench_cmd c[] = {{.command = "true"}, {.command = "sh -c 'echo bad >&2; exit 4'"}};
    pk_cmdbench_opts o = opts(5);
    o.interleave = false;
    pk_cmdbench_result *r;
    char err[256];
    cr_assert_eq(bench(c, 2, &o, &r, err), PK_EFAIL);
    cr_assert_not_null(r);
    cr_assert(r->failed);
    cr_assert_eq(r->cmds[0].n_runs, 5);
    cr_assert(r->cmds[1].failed);
    cr_assert_eq(r->cmds[1].failed_run, 1);
    cr_assert_eq(r->cmds[1].failure.exit_code, 4);
    cr_assert_str_eq(r->cmds[1].stderr_tail, "bad\n");
    cr_assert(strstr(err, "exit code 4") && strstr(err, "run 1"), "%s", err);
    pk_cmdbench_result_free(r);

    o.ignore_failure = true;
    cr_assert_eq(bench(c, 2, &o, &r, err), PK_OK);
    cr_assert_eq(r->cmds[1].n_runs, 5);
    cr_assert_eq(r->cmds[1].n_failures, 5);
    cr_assert(!r->cmds[1].failed);
    pk_cmdbench_result_free(r);
}

static volatile sig_atomic_t stop_flag;

static void stop_after_three(void *ud, const pk_cmdbench_progress *p)
{
    (void)ud;
    if (p->done >= 3)
        stop_flag = 1;
}

Test(cmdbench, stop_flag_ends_early)
{
    pk_cmdbench_cmd c[] = {{.command = "true"}};
    pk_cmdbench_opts o = opts(100);
    o.stop = &stop_flag;
    o.progress = stop_after_three;
    pk_cmdbench_result *r;
    char err[256];
    cr_assert_eq(bench(c, 1, &o, &r, err), PK_EINTR);
    cr_assert(r->interrupted);
    cr_assert_eq(r->cmds[0].n_runs, 3);
    pk_cmdbench_result_free(r);
}

Test(cmdbench, auxiliary_commands)
{
    char dir[64], prep[160], setup[160], cleanup[160], path[128];
    snprintf(dir, sizeof dir, "/tmp/pk-cmdbench-aux-%ld", (long)getpid());
    snprintf(setup, sizeof setup, "mkdir -p %s", dir);
    snprintf(prep, sizeof prep, "sh -c 'echo x >> %s/prep'", dir);
    snprintf(cleanup, sizeof cleanup, "touch %s/cleaned", dir);
    pk_cmdbench_cmd c[] = {{.command = "true", .prepare = prep}};
    pk_cmdbench_opts o = opts(3);
    o.warmup = 1;
    o.setup = setup;
    o.cleanup = cleanup;
    pk_cmdbench_result *r;
    char err[256];
    cr_assert_eq(bench(c, 1, &o, &r, err), PK_OK, "%s", err);
    pk_cmdbench_result_free(r);
    snprintf(path, sizeof path, "%s/prep", dir);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f);
    int lines = 0, ch;
    while ((ch = fgetc(f)) != EOF)
        lines += ch == '\n';
    fclose(f);
    cr_assert_eq(lines, 4, "prepare ran %d times", lines);
    snprintf(path, sizeof path, "%s/cleaned", dir);
    cr_assert_eq(access(path, F_OK), 0);

    o.setup = "false";
    cr_assert_eq(bench(c, 1, &o, &r, err), PK_EFAIL);
    cr_assert(strstr(err, "setup command `false` failed with exit code 1"), "%s", err);
    cr_assert_eq(r->cmds[0].n_runs, 0);
    pk_cmdbench_result_free(r);
}

Test(cmdbench, shell_mode)
{
    pk_cmdbench_cmd c[] = {{.command = "test 1 -eq 1 && true"}};
    pk_cmdbench_opts o = opts(2);
    o.shell = true;
    pk_cmdbench_result *r;
    char err[256];
    cr_assert_eq(bench(c, 1, &o, &r, err), PK_OK, "%s", err);
    pk_cmdbench_result_free(r);
}

/* A named shell as a command line (hyperfine's -S "sh -e"): the commands run
 * as its words + -c CMD, the result names it, and without calibration runs
 * nothing is corrected. */
Test(cmdbench, shell_command_line)
{
    pk_cmdbench_cmd c[] = {{.command = "case $- in *e*) exit 0;; esac; exit 7"}};
    pk_cmdbench_opts o = opts(2);
    o.shell = true;
    o.shell_cmd = "sh -e";
    pk_cmdbench_result *r;
    char err[256];
    cr_assert_eq(bench(c, 1, &o, &r, err), PK_OK, "%s", err);   /* -e was passed */
    cr_assert_str_eq(r->shell, "sh -e");
    cr_assert_not(r->shell_correction.applied);
    pk_cmdbench_result_free(r);

    o.shell = false;   /* no shell: none recorded */
    c[0].command = "true";
    cr_assert_eq(bench(c, 1, &o, &r, err), PK_OK, "%s", err);
    cr_assert_null(r->shell);
    pk_cmdbench_result_free(r);

    o.shell = true;   /* a missing shell fails before anything runs */
    o.shell_cmd = "no-such-shell-xyz --norc";
    cr_assert_eq(bench(c, 1, &o, &r, err), PK_ENOENT);
    cr_assert_null(r);
    cr_assert(strstr(err, "shell `no-such-shell-xyz --norc`: program `no-such-shell-xyz` not "
                          "found"), "%s", err);
    o.shell_cmd = "sh 'oops";
    cr_assert_eq(bench(c, 1, &o, &r, err), PK_EINVAL);
    cr_assert(strstr(err, "unterminated quote"), "%s", err);
}

/* hyperfine's correction: the mean of N runs of `SHELL -c ''` is recorded
 * and taken off every measured run (clamped at 0, so never negative). Times
 * are not compared: only that the correction is there, positive, and that
 * no corrected figure exceeds what the run could have been. */
Test(cmdbench, shell_startup_correction)
{
    pk_cmdbench_cmd c[] = {{.command = ":"}};
    pk_cmdbench_opts o = opts(3);
    o.shell = true;
    o.shell_calibration_runs = 5;
    o.run.counters = false;
    pk_cmdbench_result *r;
    char err[256];
    cr_assert_eq(bench(c, 1, &o, &r, err), PK_OK, "%s", err);
    const pk_shell_correction *sc = &r->shell_correction;
    cr_assert(sc->applied);
    cr_assert_eq(sc->runs, 5);
    cr_assert_gt(sc->wall_ns, 0);
    cr_assert_str_eq(r->shell, "/bin/sh");
    cr_assert_eq(r->cmds[0].n_runs, 3);
    for (size_t i = 0; i < 3; i++)   /* unsigned: clamped, not wrapped around */
        cr_assert_lt(r->cmds[0].runs[i].wall_ns, 60ull * 1000000000ull);
    pk_cmdbench_result_free(r);

    o.measure = PK_MEASURE_INSTRUCTIONS;   /* counts are not corrected: no calibration */
    o.runs = 1;
    if (bench(c, 1, &o, &r, err) == PK_OK) {
        cr_assert_not(r->shell_correction.applied);
        pk_cmdbench_result_free(r);
    }
}

/* A "shell" that cannot run `-c ''` is an error before the setup command or
 * any benchmarked command has run. */
Test(cmdbench, shell_that_fails_calibration)
{
    char mark[] = "/tmp/pk_calib_XXXXXX";
    int fd = mkstemp(mark);
    cr_assert_geq(fd, 0);
    close(fd);
    unlink(mark);
    char setup[64];
    snprintf(setup, sizeof setup, "touch %s", mark);
    pk_cmdbench_cmd c[] = {{.command = "true"}};
    pk_cmdbench_opts o = opts(1);
    o.shell = true;
    o.shell_cmd = "false";
    o.shell_calibration_runs = 2;
    o.setup = setup;
    pk_cmdbench_result *r;
    char err[256];
    cr_assert_eq(bench(c, 1, &o, &r, err), PK_EINVAL);
    cr_assert_null(r);
    cr_assert(strstr(err, "cannot measure the shell's start-up: `false -c ''` failed with exit "
                          "code 1; is `false` a shell?"), "%s", err);
    cr_assert_neq(access(mark, F_OK), 0, "the setup command ran");
    o.shell_calibration_runs = PK_RUNS_MAX + 1;
    cr_assert_eq(bench(c, 1, &o, &r, err), PK_EINVAL);
    cr_assert(strstr(err, "more than the limit"), "%s", err);
}

/* Fault injection: fail the n-th allocation and every later one, for every n
 * until the run goes through; each failure must be a clean error with nothing
 * leaked (ASan). */
Test(cmdbench, allocation_failures_are_clean)
{
    pk_cmdbench_cmd c[] = {{.command = "true", .prepare = "true"}, {.command = "true"}};
    pk_cmdbench_opts o = opts(2);
    o.run.counters = false;
    char err[256];
    for (long n = 0; n < 500; n++) {
        fault_arm_from(n);
        pk_cmdbench_result *r = NULL;
        pk_err e = bench(c, 2, &o, &r, err);
        fault_disarm();
        if (e == PK_OK) {
            pk_cmdbench_result_free(r);
            return;
        }
        cr_assert(e == PK_ENOMEM || e == PK_EIO, "n=%ld: %s", n, pk_strerror(e));
        pk_cmdbench_result_free(r);
    }
    cr_assert_fail("never succeeded");
}

/* Shell mode builds {SHELL-WORDS..., "-c", CMD} (and the calibration's
 * {..., "-c", ""}): failing any one of those copies (not only the first)
 * must leave nothing allocated. */
Test(cmdbench, single_allocation_failures_in_shell_mode_are_clean)
{
    pk_cmdbench_cmd c[] = {{.command = "true"}};
    pk_cmdbench_opts o = opts(1);
    o.shell = true;
    o.shell_cmd = "sh -e";
    o.shell_calibration_runs = 1;
    o.run.counters = false;
    char err[256];
    for (long n = 0; n < 500; n++) {
        fault_arm(n);
        pk_cmdbench_result *r = NULL;
        pk_err e = bench(c, 1, &o, &r, err);
        pk_cmdbench_result_free(r);
        fault_disarm();
        cr_assert_eq(fault_live(), 0, "n=%ld leaked %ld blocks", n, fault_live());
        if (e == PK_OK)
            return;
        cr_assert(e == PK_ENOMEM || e == PK_EIO, "n=%ld: %s", n, pk_strerror(e));
    }
    cr_assert_fail("never succeeded");
}

/* Each command starts in its own directory (the child changes to it, not
 * perfkit), and a relative program path is found there: the same
 * `./t.sh` is two different programs in two trees (paired mode). */
Test(cmdbench, commands_run_in_their_cwd)
{
    char a[] = "/tmp/pk_cwd_a_XXXXXX", b[] = "/tmp/pk_cwd_b_XXXXXX";
    cr_assert(mkdtemp(a) && mkdtemp(b));
    char path[128], before[4096], after[4096];
    const char *dirs[] = {a, b};
    for (int i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "%s/t.sh", dirs[i]);
        FILE *f = fopen(path, "w");
        cr_assert(f);
        fprintf(f, "#!/bin/sh\necho %s >> ran.log\n", i ? "b" : "a");
        fclose(f);
        chmod(path, 0755);
    }
    cr_assert(getcwd(before, sizeof before));
    pk_cmdbench_cmd c[] = {{.command = "./t.sh", .cwd = a, .conclude = "./t.sh"},
                           {.command = "./t.sh", .cwd = b}};
    pk_cmdbench_opts o = opts(3);
    pk_cmdbench_result *r;
    char err[256];
    cr_assert_eq(bench(c, 2, &o, &r, err), PK_OK, "%s", err);
    cr_assert(getcwd(after, sizeof after));
    cr_assert_str_eq(before, after);
    for (int i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "%s/ran.log", dirs[i]);
        FILE *f = fopen(path, "r");
        cr_assert(f);
        char line[16];
        int n = 0;
        while (fgets(line, sizeof line, f)) {
            cr_assert_str_eq(line, i ? "b\n" : "a\n");
            n++;
        }
        fclose(f);
        cr_assert_eq(n, i ? 3 : 6);   /* a's conclude runs ./t.sh there too */
        unlink(path);
        snprintf(path, sizeof path, "%s/t.sh", dirs[i]);
        unlink(path);
        rmdir(dirs[i]);
    }
    pk_cmdbench_result_free(r);
    /* a program missing in its directory is found before anything runs */
    pk_cmdbench_cmd m[] = {{.command = "./t.sh", .cwd = "/"}};
    cr_assert_eq(bench(m, 1, &o, &r, err), PK_ENOENT);
    cr_assert(strstr(err, "not found in /"), "%s", err);
}
