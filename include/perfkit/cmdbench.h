/* perfkit/cmdbench.h — benchmark whole commands (what `perfkit bench` runs).
 *
 * Pipeline: validate every command (program exists and is executable) before
 * any run → setup → warm-up → measured runs → cleanup. With several commands the
 * measured runs are interleaved in shuffled blocks (each block is a random
 * permutation of the commands that still need runs) so that drift of the
 * machine hits every command alike.
 *
 * Thread-safety: a call runs on the calling thread; results are immutable
 * after return and may be read from any thread. */
#ifndef PERFKIT_CMDBENCH_H
#define PERFKIT_CMDBENCH_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "perfkit/api.h"
#include "perfkit/diag.h"
#include "perfkit/error.h"
#include "perfkit/resultset.h"
#include "perfkit/run.h"

PK_BEGIN_DECLS

typedef enum pk_measure {
    PK_MEASURE_TIME = 0,          /* wall time is the primary figure */
    PK_MEASURE_INSTRUCTIONS = 1,  /* retired instructions are the primary figure */
    PK_MEASURE_HEAP = 2,          /* each run under perfkit mem's interposer
                                     (perfkit/mem.h): heap.peak is the primary
                                     figure, with heap.leaked, allocs.count and
                                     allocs.bytes — exact for a deterministic
                                     program */
} pk_measure;

/* One command to benchmark. All strings are borrowed for the call. */
typedef struct pk_cmdbench_cmd {
    const char *name;       /* display name; NULL: the command text */
    const char *command;    /* split with shell quoting rules (or run by sh -c) */
    const char *prepare;    /* before every run (warm-up too), not measured; may be NULL */
    const char *conclude;   /* after every run, not measured; may be NULL */
    const char *param_name; /* parameter scan: name and value this command was */
    const char *param_value;/*   made with; NULL when not a scan */
    const char *cwd;        /* the directory command, prepare and conclude run
                               in (the child changes to it; perfkit does
                               not); a relative program path with a '/' is
                               found there. NULL: the current directory */
} pk_cmdbench_cmd;

typedef struct pk_cmdbench_progress {
    size_t cmd;            /* index of the command just run */
    size_t done, total;    /* measured runs done / planned over all commands;
                              total is 0 while the pilot runs that decide an
                              automatic run count are going */
    bool warmup;           /* the run was a warm-up */
    const pk_run_result *run;
} pk_cmdbench_progress;

/* The most runs of one command, each of warmup, runs, min_runs and
 * max_runs: a million runs of `true` take minutes and ~200 MB of samples;
 * more is a typo (`runs: 4000000000`), refused before anything runs. An
 * automatic run count never goes above it either. */
#define PK_RUNS_MAX 1000000

typedef struct pk_cmdbench_opts {
    size_t warmup;            /* warm-up runs per command, default 0 */
    size_t runs;              /* exact measured runs per command; 0 = automatic */
    size_t min_runs;          /* automatic: at least (default 10) */
    size_t max_runs;          /* automatic: at most, 0 = unlimited (default 0),
                                 that is PK_RUNS_MAX */
    uint64_t min_time_ns;     /* automatic: aim for this much measured time per
                                 command (default 3 s) */
    const char *setup;        /* once before the runs of all commands; may be NULL */
    const char *cleanup;      /* once after all runs; may be NULL */
    bool shell;               /* run commands through a shell, shell_cmd or
                                 /bin/sh, with -c (default false) */
    bool interleave;          /* default true */
    bool ignore_failure;      /* keep going when a command fails (default false) */
    uint64_t seed;            /* shuffle seed (default: fixed 0x9e3779b97f4a7c15) */
    pk_measure measure;       /* default PK_MEASURE_TIME */
    pk_run_opts run;          /* output, input, timeout, counters */
    void (*progress)(void *ud, const pk_cmdbench_progress *p);  /* may be NULL */
    void *progress_ud;
    const volatile sig_atomic_t *stop;  /* non-zero: stop after the current run
                                           (a cancel request, perfkit/cancel.h,
                                           stops the current run too) */
    bool equal_runs;          /* automatic run count: every command gets the
                                 largest of the commands' counts, so block i
                                 holds run i of each (paired mode); default
                                 false */
    const char *shell_cmd;    /* with shell: the shell as a command line, split
                                 into words with shell quoting rules ("bash",
                                 "/bin/zsh", "bash --norc"); each command runs
                                 as SHELL-WORDS -c CMD. NULL (default): /bin/sh */
    size_t shell_calibration_runs;  /* with shell, in PK_MEASURE_TIME: run
                                 `SHELL -c ''` this many times before the setup
                                 command and subtract the mean wall, user and
                                 sys time of those runs from every measured
                                 run (each clamped at 0), as hyperfine does;
                                 counters, RSS and instructions are left as
                                 measured. 0 (default): no correction. At most
                                 PK_RUNS_MAX; PK_SHELL_CALIBRATION_RUNS is
                                 hyperfine's count */
} pk_cmdbench_opts;

/* How many runs of the bare shell hyperfine averages for its correction. */
#define PK_SHELL_CALIBRATION_RUNS 50

void pk_cmdbench_opts_init(pk_cmdbench_opts *o);

/* The measured runs of one command. */
typedef struct pk_cmd_result {
    char *name;                /* owned copy of the display name */
    char *command;             /* owned copy of the command text */
    char *param_name, *param_value;  /* owned copies or NULL */
    pk_run_result *runs;       /* measured runs in the order they ran */
    size_t n_runs;
    bool failed;               /* a run failed and ignore_failure was off */
    size_t failed_run;         /* 1-based number of the failing measured run
                                  (or warm-up run when failed_in_warmup) */
    bool failed_in_warmup;
    pk_run_result failure;     /* the failing run */
    char *stderr_tail;         /* owned; tail of the failing run's stderr or NULL */
    size_t n_failures;         /* runs that failed (with ignore_failure) */
} pk_cmd_result;

/* The shell's start-up time subtracted from every measured run. */
typedef struct pk_shell_correction {
    bool applied;              /* the runs were corrected */
    size_t runs;               /* runs of `SHELL -c ''` averaged */
    uint64_t wall_ns, user_ns, sys_ns;  /* the means subtracted */
} pk_shell_correction;

typedef struct pk_cmdbench_result {
    pk_cmd_result *cmds;
    size_t n_cmds;
    bool interrupted;          /* the stop flag or a cancel request ended
                                  the benchmark early */
    bool failed;               /* some command failed (see cmds[i].failed) */
    pk_measure measure;
    uint32_t counters_supported;      /* mask as pk_runner_counters_supported */
    pk_instr_source instr_source;     /* where instructions came from */
    uint64_t started_unix_ns;         /* wall-clock start, for exports */
    char *shell;                      /* owned: the shell command line the
                                         commands ran under ("/bin/sh" by
                                         default), NULL without a shell */
    pk_shell_correction shell_correction;  /* all zero when not applied */
} pk_cmdbench_result;

/* Run the benchmark. On PK_OK, PK_EFAIL (a command failed) and PK_EINTR
 * (stopped through o->stop or a cancel request, perfkit/cancel.h: the
 * interrupted run is dropped and the cleanup command does not run) *out owns the results gathered so far — free with
 * pk_cmdbench_result_free(). On any other error *out is NULL and no command
 * has been run. diag (may be NULL) receives a message naming the command
 * whenever the call does not return PK_OK (or PK_EINTR), e.g. "command 2
 * `./nope`: program `./nope` not found" (no file or position: diag->file is
 * ""); on PK_EFAIL it says which command failed and how. A command is quoted
 * whole when it is short and by its first 60 characters and its length
 * otherwise, so the reason after it is never cut off. Errors: PK_EINVAL (no
 * commands, bad options — a count above PK_RUNS_MAX: "runs 4000000000 is
 * more than the limit of 1000000" —, an unparsable command line),
 * PK_ENOENT / PK_EPERM (a program is missing or not executable), PK_ENOMEM,
 * PK_EIO, PK_ENOTSUP (instructions requested but neither counters nor
 * valgrind are available). With o->shell_calibration_runs the shell runs
 * `-c ''` first; a shell that cannot (it exits non-zero) is PK_EINVAL
 * ("cannot measure the shell's start-up: `bash -c ''` failed with exit
 * code 2") before the setup command or any benchmarked command has run. */
pk_err pk_cmdbench_run(const pk_cmdbench_cmd *cmds, size_t n, const pk_cmdbench_opts *o,
                       pk_cmdbench_result **out, pk_diag *diag);
void   pk_cmdbench_result_free(pk_cmdbench_result *r);   /* NULL is a no-op */

/* Figures that can be pulled out of a run as a sample. */
typedef enum pk_metric {
    PK_METRIC_WALL = 0,     /* ns */
    PK_METRIC_USER,         /* ns */
    PK_METRIC_SYS,          /* ns */
    PK_METRIC_RSS,          /* bytes */
    PK_METRIC_MINFLT,
    PK_METRIC_MAJFLT,
    PK_METRIC_NVCSW,
    PK_METRIC_NIVCSW,
    PK_METRIC_INSTRUCTIONS, /* counter or cachegrind */
    PK_METRIC_COUNTER0,     /* PK_METRIC_COUNTER0 + pk_counter */
    PK_METRIC_HEAP_PEAK = PK_METRIC_COUNTER0 + PK_CTR_COUNT,  /* bytes; PK_MEASURE_HEAP */
    PK_METRIC_HEAP_LEAKED,  /* bytes alive at exit */
    PK_METRIC_ALLOCS_COUNT, /* allocations */
    PK_METRIC_ALLOCS_BYTES, /* bytes they asked for */
    PK_METRIC_COUNT
} pk_metric;

/* "wall", "user", "sys", "rss", "minflt", "majflt", "nvcsw", "nivcsw",
 * "instructions", then the counter names. Never NULL. */
const char *pk_metric_name(pk_metric m);

/* Copy metric m of every measured run of r into out[0..r->n_runs-1]. Returns
 * the number written, 0 when m was not measured (counter not supported). */
size_t pk_cmd_result_metric(const pk_cmd_result *r, pk_metric m, double *out);

/* ---- into the result model ---------------------------------------------- */

/* Add every command of a `perfkit bench` result to rs, one benchmark each,
 * named names[i] (or the command's display name when names is NULL): wall,
 * user, sys, rss, minflt, majflt, nvcsw, nivcsw, instructions (when measured)
 * and every supported counter. Primary: wall, or instructions in instructions
 * mode. A failed command gets an error message. Errors: PK_EINVAL,
 * PK_ENOMEM. */
pk_err pk_resultset_add_cmdbench(pk_resultset *rs, const pk_cmdbench_result *r,
                                 const char *const *names);

PK_END_DECLS
#endif
