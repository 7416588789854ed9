/* perfkit/record.h — a sampling CPU profiler: run a command under
 * perf_event_open and turn its samples into folded stacks.
 *
 * pk_record_run forks the command (argv[0] searched in PATH, its own process
 * group), opens one sampling event per CPU that follows the command and every
 * thread and process it starts (inherit, enabled on exec: perfkit's own work
 * before the exec is not sampled), reads the ring buffers until the command
 * exits, and keeps the stacks. Call stacks come from frame pointers
 * (PERF_SAMPLE_CALLCHAIN) or from a copy of the user stack unwound with
 * elfutils' libdwfl (CFI from .eh_frame / .debug_frame). Addresses are
 * named with libdwfl (symbol tables, separate debug files by build-id) and
 * with JIT maps (/tmp/perf-PID.map). Kernel frames are recorded only when
 * asked (opts.kernel): by default samples are of user code only
 * (exclude_kernel), which any user may do for their own commands.
 *
 * Output is folded stacks: "comm;root;...;leaf COUNT" lines sorted by stack
 * (byte order), the format of FlameGraph's stackcollapse-perf.pl, one sample
 * counting 1.
 *
 * Thread-safety: a pk_record is used by one thread at a time; different
 * records are independent (the cancel request, perfkit/cancel.h, stops them
 * all). */
#ifndef PERFKIT_RECORD_H
#define PERFKIT_RECORD_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "perfkit/api.h"
#include "perfkit/error.h"

PK_BEGIN_DECLS

typedef enum pk_record_event {
    PK_RECORD_CPU_CLOCK = 0,  /* software cpu-clock: on-CPU time; works in VMs */
    PK_RECORD_CYCLES = 1,     /* hardware cycles: needs a PMU (PK_ENOTSUP without) */
} pk_record_event;

typedef enum pk_record_callgraph {
    PK_RECORD_FP = 0,         /* frame pointers, walked by the kernel */
    PK_RECORD_DWARF = 1,      /* user stack copy unwound with libdwfl (x86-64) */
} pk_record_callgraph;

typedef struct pk_record_opts {
    pk_record_event event;          /* default PK_RECORD_CPU_CLOCK */
    pk_record_callgraph callgraph;  /* default PK_RECORD_FP */
    uint32_t freq_hz;               /* samples per second of CPU time; default
                                       999, 1..100000 */
    uint32_t stack_bytes;           /* DWARF mode: user stack bytes copied per
                                       sample; default 8192, 512..65528, a
                                       multiple of 8 */
    const volatile sig_atomic_t *stop; /* optional: when *stop becomes non-zero
                                       the command's group gets SIGTERM */
    bool no_inline;                 /* true: do not add the functions inlined
                                       at an address as frames of their own
                                       (saves reading each module's DWARF,
                                       tens of ms for a libc with debug info) */
    bool kernel;                    /* FP mode: sample kernel code too, and
                                       the kernel part of each stack (named
                                       from /proc/kallsyms, "name_[k]"); needs
                                       root or kernel.perf_event_paranoid <= 1
                                       (PK_EPERM otherwise) */
    const char *cwd;                /* the command's working directory; NULL:
                                       the caller's (PK_ENOENT when it cannot
                                       be opened as a directory) */
    const char *input;              /* a file the command reads as its stdin;
                                       NULL: the caller's stdin (PK_ENOENT
                                       when it cannot be opened) */
    bool discard_output;            /* the command's stdout and stderr go to
                                       /dev/null (a gate's report stays
                                       readable); false: the caller's */
    bool no_demangle;               /* true: keep C++ symbols mangled
                                       ("_ZN2ns3hotIiEEmT_"); by default
                                       they read as perf script shows them,
                                       "ns::hot<int>" (no return type nor
                                       parameters), demangled with
                                       libstdc++'s __cxa_demangle loaded at
                                       run time (mangled without it) */
} pk_record_opts;

void pk_record_opts_init(pk_record_opts *o);

/* What a recording cost and saw. */
typedef struct pk_record_stats {
    uint64_t samples;        /* samples kept */
    uint64_t lost;           /* samples the kernel dropped (ring buffer full) */
    uint64_t unwind_failed;  /* DWARF mode: samples whose unwinding stopped at
                                the leaf (kept, one frame deep) */
    uint64_t shallow;        /* samples with a user stack 2 frames deep or less */
    uint64_t perfkit_cpu_ns; /* CPU time (user + sys) perfkit spent, reading
                                and unwinding included */
    uint64_t child_cpu_ns;   /* CPU time of the command and its descendants */
    uint64_t wall_ns;        /* from the fork to the command's exit */
    int exit_status;         /* the command's exit status; 128 + signal when
                                it was killed */
    bool no_frame_pointers;  /* FP mode: most stacks were 2 frames deep or
                                less, the signature of code built without
                                frame pointers: try PK_RECORD_DWARF */
} pk_record_stats;

/* A finished recording. */
typedef struct pk_record pk_record;

/* Record argv (argv[0] searched in PATH, NULL-terminated) until it exits.
 * On PK_OK *out owns the recording (pk_record_free); the command's own exit
 * status is in the stats, a failing command is not an error. On error *out
 * is NULL unless stated, and *msg (when msg is not NULL) receives a
 * message the caller frees with pk_free (NULL when none could be made).
 * Errors: PK_EINVAL (bad options, empty argv); PK_EPERM (perf_event_open
 * refused: the message names kernel.perf_event_paranoid and the fix);
 * PK_ENOTSUP (the event or DWARF mode is not available on this machine);
 * PK_ENOENT (the program was not found); PK_EIO (fork, exec, mmap, wait
 * failed); PK_ENOMEM; PK_EINTR (a cancel request or *stop came: *out still
 * holds what was recorded until then). */
pk_err pk_record_run(const pk_record_opts *o, char *const argv[], pk_record **out, char **msg);

void pk_record_free(pk_record *r);   /* NULL is a no-op */

/* The recording's statistics (borrowed: valid until pk_record_free). */
const pk_record_stats *pk_record_get_stats(const pk_record *r);

/* Distinct folded stacks, in output order, and the i-th of them (i < n):
 * *stack borrowed until pk_record_free, "comm;root;...;leaf". */
size_t pk_record_stack_count(const pk_record *r);
void pk_record_stack_get(const pk_record *r, size_t i, const char **stack, uint64_t *count);

/* Write the folded stacks ("STACK COUNT\n" each) to f. Errors: PK_EIO. */
pk_err pk_record_write_folded(const pk_record *r, FILE *f);

PK_END_DECLS

#endif
