/* perfkit/cancel.h — stop what libperfkit is running, from a signal handler.
 *
 * libperfkit never installs a signal handler. A program that wants SIGINT,
 * SIGTERM or SIGHUP to end a benchmark promptly and cleanly installs its own
 * and calls pk_cancel_request(sig) from it. From then on, process-wide:
 *
 *  - every child the library is waiting for (a benchmarked command and its
 *    prepare/setup/conclude commands, valgrind in instructions mode, a Google
 *    Benchmark binary, git, paired mode's build) is sent sig in its process
 *    group. Every child the library starts leads a process group of its own,
 *    so the signal reaches the child's descendants too (`sh -c 'a | b'`),
 *    and a terminal's Ctrl-C, which goes to the caller's foreground group,
 *    reaches the child only through this forwarding — exactly once. When the
 *    child is still alive PK_CANCEL_GRACE_MS after the signal (or at once
 *    on a second request) its group gets SIGKILL; once the child has exited,
 *    what is left of its group gets SIGKILL too. The child is reaped and the
 *    call that waited for it removes its temporary files (cachegrind's
 *    output, Google Benchmark's JSON) and returns PK_EINTR;
 *  - no new child is started: the functions that would start one return
 *    PK_EINTR at once;
 *  - the multi-run calls treat it like their stop flag: pk_cmdbench_run
 *    returns PK_EINTR with the runs gathered so far (the interrupted run is
 *    dropped, the cleanup command does not run), pk_check_run returns
 *    PK_EINTR and stores nothing.
 *
 * The request stays in force until pk_cancel_reset(). It is one state for
 * the whole process, as signals are; a per-call `stop` flag (cmdbench.h,
 * check.h) is the cooperative alternative that lets the current run finish.
 * Thread-safety: every function may be called from any thread;
 * pk_cancel_request() and pk_cancel_signal() are also async-signal-safe. */
#ifndef PERFKIT_CANCEL_H
#define PERFKIT_CANCEL_H

#include "perfkit/api.h"

PK_BEGIN_DECLS

/* How long a child may take to exit after the forwarded signal before its
 * process group is sent SIGKILL. */
#define PK_CANCEL_GRACE_MS 2000

/* Request cancellation; sig (1..64) is the signal forwarded to the running
 * children, any other value forwards SIGTERM. Only the first request's
 * signal is kept; a second request (any sig) sends SIGKILL at once instead
 * of waiting for the grace period. Async-signal-safe: a handler may call it
 * (errno is preserved). */
void pk_cancel_request(int sig);

/* The signal of the first request since the start (or the last reset), 0
 * when none. Async-signal-safe. */
int pk_cancel_signal(void);

/* Forget every request, so that the library runs children again. Call it
 * when no request can be in flight (e.g. with the signals blocked): a
 * request racing with the reset may be lost. */
void pk_cancel_reset(void);

PK_END_DECLS
#endif
