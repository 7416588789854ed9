/* core/proc.h — run a short helper program and keep what it said; wait for
 * any child the library started, honouring the deadline and a cancel
 * request. (Internal toolkit; see core/buf.h.)
 *
 * For the git and build commands the library runs itself (git info, paired
 * mode's base tree): argv through posix_spawnp, no shell, stdin from
 * /dev/null, stdout and stderr into memory files, waited for. Measured
 * programs go through lib/run instead; both wait with pk__proc_reap. Every
 * child leads a process group of its own (perfkit/cancel.h says why).
 * Thread-safety: safe; the caller's SIGCHLD disposition must let waitpid
 * see the child. */
#ifndef PK_CORE_PROC_H
#define PK_CORE_PROC_H

#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>
#include "perfkit/error.h"

#define PK__PROC_TAIL 480

typedef struct pk__proc_out {
    int status;                    /* exit status; -1 when signalled */
    char out[PATH_MAX];            /* first line of stdout (a path may be that long) */
    char tail[PK__PROC_TAIL + 1];  /* end of stderr (of stdout when stderr is empty) */
} pk__proc_out;

/* Run argv (argv[0] searched in PATH) in cwd (NULL: ours) and wait for it.
 * PK_OK when it ran (look at r->status); PK_ENOENT when the program is
 * missing; PK_EIO / PK_ENOMEM when it could not be started or waited for;
 * PK_EINTR when a cancel request (perfkit/cancel.h) came before or during
 * the run (the child, if started, was stopped and reaped). */
pk_err pk__proc_run(char *const argv[], const char *cwd, pk__proc_out *r);

/* How pk__proc_reap waits, and how the wait ended. */
typedef struct pk__proc_wait {
    uint64_t deadline_ns;   /* on pk__clock_ns(PK__CLOCK_MONO); 0: none. At
                               the deadline the child's group gets SIGKILL */
    int drain_fd;           /* -1, or a non-blocking pipe read dry into
                               drain_buf whenever it is readable (a child
                               writing to it never blocks) and at the end */
    char *drain_buf;
    size_t drain_len;
    bool timed_out;         /* out: the deadline killed the child */
    int cancelled;          /* out: the signal a cancel request sent the
                               child's group; 0 when none came */
    uint64_t reaped_ns;     /* out: pk__clock_ns(PK__CLOCK_MONO) right after
                               the reap, before the pidfd is closed and the
                               pipe drained: the end of a timed window */
} pk__proc_wait;

/* Wait for child pid, the leader of its own process group, and reap it
 * (wait4: *status, and *ru when not NULL). Sleeps in ppoll on the child's
 * pidfd (every 10 ms a WNOWAIT check where pidfd_open is missing), the
 * drain pipe and the cancel eventfd. On a cancel request the child's group
 * gets the request's signal, then SIGKILL after PK_CANCEL_GRACE_MS or a
 * second request, and what is left of the group gets SIGKILL once the child
 * has exited (perfkit/cancel.h). Returns 0, or the errno of a failed wait4
 * (the child is then not reaped). */
int pk__proc_reap(pid_t pid, pk__proc_wait *w, int *status, struct rusage *ru);

/* The cancel request's state (core/cancel.c). pk__cancel_fd: an eventfd
 * that is readable once a request was made (created on the first call; -1
 * when it cannot be, and waits then check every 10 ms). */
int pk__cancel_fd(void);
unsigned pk__cancel_count(void);

/* true when *stop (a caller's stop flag, may be NULL) is set or a cancel
 * request was made: the one test every "stop between runs" check uses. */
bool pk__stopped(const volatile sig_atomic_t *stop);

#endif
