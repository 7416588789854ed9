/* perfkit/run.h — spawn one process and measure it.
 *
 * A pk_runner owns what every run shares (the /dev/null and stderr-capture
 * descriptors, the perf_event counters) so that a run costs posix_spawn +
 * wait4 and a handful of syscalls, nothing more. Per-run figures come from
 * wait4's rusage of that one child (never a high-water mark over all
 * children) and from perf_event counters that are enabled only around it.
 *
 * Thread-safety: a pk_runner is used by one thread at a time. */
#ifndef PERFKIT_RUN_H
#define PERFKIT_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "perfkit/api.h"
#include "perfkit/error.h"

PK_BEGIN_DECLS

/* perf_event counters. Software ones work everywhere perf_event_open is
 * allowed; hardware ones are often missing in VMs and are then reported as not
 * supported (bit clear in pk_run_result.counters_ok), never as zero. */
typedef enum pk_counter {
    PK_CTR_TASK_CLOCK = 0,      /* ns of CPU time */
    PK_CTR_CONTEXT_SWITCHES,
    PK_CTR_CPU_MIGRATIONS,
    PK_CTR_PAGE_FAULTS,
    PK_CTR_CYCLES,
    PK_CTR_INSTRUCTIONS,
    PK_CTR_BRANCHES,
    PK_CTR_BRANCH_MISSES,
    PK_CTR_CACHE_MISSES,
    PK_CTR_COUNT
} pk_counter;

/* "task-clock", "context-switches", ... as perf names them. Never NULL. */
const char *pk_counter_name(pk_counter c);
/* PK_CTR_COUNT when name is unknown. */
pk_counter pk_counter_from_name(const char *name);

typedef enum pk_output_mode {
    PK_OUTPUT_NULL = 0,   /* stdout to /dev/null (default) */
    PK_OUTPUT_PIPE,       /* stdout to a pipe that perfkit drains and drops */
    PK_OUTPUT_INHERIT,    /* stdout left as perfkit's own */
    PK_OUTPUT_FILE,       /* stdout appended to output_path */
} pk_output_mode;

typedef enum pk_instr_source {
    PK_INSTR_NONE = 0,        /* do not count instructions specially */
    PK_INSTR_AUTO,            /* hardware counter if supported, else cachegrind */
    PK_INSTR_HARDWARE,        /* hardware counter only (PK_ENOTSUP if missing) */
    PK_INSTR_CACHEGRIND,      /* valgrind --tool=cachegrind --cache-sim=no */
} pk_instr_source;
/* With cachegrind every run of the runner executes under valgrind: its
 * instructions are exact and repeatable, but wall, rusage and counters then
 * describe valgrind hosting the program (tens of times slower), so measure
 * time with a separate runner. Counter figures always include perfkit's own
 * spawn/reap path between enabling and disabling them (a few hundred
 * instructions, a few microseconds of task-clock). */

typedef struct pk_run_opts {
    pk_output_mode output;
    const char *output_path;     /* PK_OUTPUT_FILE only; borrowed */
    const char *input_path;      /* stdin from this file; NULL: /dev/null; borrowed */
    uint64_t timeout_ms;         /* per run; 0: none. At the timeout the
                                    child's process group gets SIGKILL */
    bool counters;               /* open perf_event counters (default true) */
    pk_instr_source instructions;/* default PK_INSTR_NONE */
    size_t stderr_tail_bytes;    /* stderr bytes kept for failure reports, default 2048 */
    bool stderr_inherit;         /* let the child's stderr through (default false:
                                    captured for the failure tail, not shown) */
    bool heap;                   /* appended: run each command under perfkit
                                    mem's interposer (libperfkit-mem.so, found
                                    as pk_mem_find_preload says; PK_ENOENT
                                    from pk_runner_new without it) and report
                                    its heap figures (pk_run_result.heap_ok).
                                    The process the command starts is
                                    measured, not the programs it execs or
                                    forks (with a shell: the shell) */
} pk_run_opts;

void pk_run_opts_init(pk_run_opts *o);

typedef struct pk_run_result {
    int exit_code;          /* exit status, or -1 when killed by a signal */
    int term_signal;        /* signal that ended it, 0 if it exited */
    bool timed_out;         /* killed by perfkit after timeout_ms */
    uint64_t wall_ns;       /* monotonic, spawn to reap */
    uint64_t user_ns, sys_ns;
    uint64_t max_rss_bytes; /* peak resident set of this child */
    uint64_t minflt, majflt;
    uint64_t nvcsw, nivcsw; /* voluntary / involuntary context switches */
    uint64_t counters[PK_CTR_COUNT];
    uint32_t counters_ok;   /* bit (1u << c) set when counters[c] was measured */
    bool instructions_ok;   /* instructions measured (counter or cachegrind) */
    uint64_t instructions;  /* valid when instructions_ok */
    uint64_t rss_floor_bytes; /* perfkit's own resident size when it spawned
                               this run (0: unknown). exec() starts a child's
                               peak RSS at the spawning process's resident
                               size (posix_spawn shares perfkit's memory until
                               exec), so max_rss_bytes at or below this floor
                               only says "at most this much". perfkit resets
                               its own peak before each spawn, so the floor is
                               its current size, not its past peak. */
    bool heap_ok;           /* appended: pk_run_opts.heap and the interposer
                               wrote a complete event file */
    uint64_t heap_peak;     /* the most bytes allocated at once */
    uint64_t heap_leaked;   /* bytes still allocated at exit */
    uint64_t allocs_count;  /* allocations (a realloc counts one) */
    uint64_t allocs_bytes;  /* bytes the allocations asked for */
} pk_run_result;

/* true when r ended with exit code 0 and was not signalled or timed out. */
bool pk_run_succeeded(const pk_run_result *r);

typedef struct pk_runner pk_runner;

/* Create a runner. Opens /dev/null, the stderr capture and (when
 * o->counters) the perf_event counters; counters the machine lacks are simply
 * not supported, not an error. o NULL uses the defaults. On PK_OK *out owns the
 * runner; on error *out is NULL. Errors: PK_EINVAL, PK_ENOMEM, PK_EIO,
 * PK_ENOENT (input_path or valgrind missing), PK_EPERM (output_path not
 * writable), PK_ENOTSUP (PK_INSTR_HARDWARE without the counter). */
pk_err pk_runner_new(const pk_run_opts *o, pk_runner **out);
void   pk_runner_free(pk_runner *r);   /* NULL is a no-op */

/* Bit mask (1u << pk_counter) of counters this runner can measure. */
uint32_t pk_runner_counters_supported(const pk_runner *r);

/* Where instructions come from on this runner: PK_INSTR_HARDWARE,
 * PK_INSTR_CACHEGRIND, or PK_INSTR_NONE. */
pk_instr_source pk_runner_instr_source(const pk_runner *r);

/* Run argv (argv[0] searched in PATH, no shell) once and measure it into *res.
 * The child leads a process group of its own: at the timeout the whole
 * group gets SIGKILL. A command that fails (non-zero exit, signal, timeout)
 * is still PK_OK: look at res. Errors: PK_EINVAL (also an argument list the
 * kernel refuses as too long, E2BIG: pk_runner_last_error gives the sizes and
 * the limit), PK_ENOENT / PK_EPERM (program missing or not executable),
 * PK_EIO (spawn or wait failed), PK_EINTR (a cancel request,
 * perfkit/cancel.h: the child was not started, or was stopped and reaped;
 * res says how it ended). */
pk_err pk_runner_run(pk_runner *r, char *const argv[], pk_run_result *res);

/* pk_runner_run with the child started in directory cwd (NULL: ours). The
 * child changes directory after the fork (posix_spawn's chdir file
 * action); the calling process never does. A relative argv[0] with a '/'
 * is resolved against cwd, as the child would see it. Errors: those of
 * pk_runner_run; a cwd that does not exist fails the spawn (PK_ENOENT). */
pk_err pk_runner_run_in(pk_runner *r, const char *cwd, char *const argv[], pk_run_result *res);

/* Up to len-1 bytes from the end of the stderr of the last run, NUL-terminated
 * into buf. Returns the number of bytes written (0 when stderr is inherited). */
size_t pk_runner_stderr_tail(pk_runner *r, char *buf, size_t len);

/* Detailed message for the last error of r (static storage inside r; valid
 * until the next call on r). Never NULL. */
const char *pk_runner_last_error(const pk_runner *r);

/* Resolve prog like execvp would (PATH search when it has no '/') and check it
 * is an executable regular file. On PK_OK *path_out (may be NULL) receives a
 * copy the caller frees with pk_free(). Errors: PK_ENOENT, PK_EPERM, PK_ENOMEM. */
pk_err pk_run_resolve(const char *prog, char **path_out);

PK_END_DECLS
#endif
