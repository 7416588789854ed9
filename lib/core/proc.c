/* proc.c — run a helper program, keep its first line and its last words;
 * wait for any child of the library (core/proc.h).
 *
 * Output goes to memory files (memfd), so a chatty child never blocks on a
 * full pipe and nothing touches the file system; the child is always reaped.
 * Waiting: ppoll on the child's pidfd (pidfd_open, Linux 5.3) beside the
 * cancel eventfd (core/cancel.c) and the output pipe, so a deadline, a
 * cancel request and the child's exit each wake the wait at once, with no
 * window between checking the request and sleeping. The child is only
 * reaped at the very end: until then its pid, and so its process group id,
 * cannot be reused, and signalling -pid can reach no stranger. */
#include "core/proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/file.h"
#include "perfkit/cancel.h"

extern char **environ;

#define CHECK_NS 10000000u   /* without pidfd or eventfd: look every 10 ms */
#define SLICE_NS 20000000u   /* grace period: see a second request within 20 ms */

/* The last len-1 bytes of memory file fd into buf. */
static void read_tail(int fd, char *buf, size_t len)
{
    buf[0] = '\0';
    off_t size = lseek(fd, 0, SEEK_END);
    if (size <= 0)
        return;
    size_t want = (size_t)size < len - 1 ? (size_t)size : len - 1;
    ssize_t n = pread(fd, buf, want, size - (off_t)want);
    buf[n > 0 ? n : 0] = '\0';
    size_t l = strlen(buf);
    while (l && (buf[l - 1] == '\n' || buf[l - 1] == ' '))
        buf[--l] = '\0';
}

/* CLOCK_MONOTONIC itself, not the replaceable clock: a kill deadline must
 * follow real time even while a test fakes the clock. */
static uint64_t system_mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void drain(const pk__proc_wait *w)
{
    if (w->drain_fd >= 0)
        while (read(w->drain_fd, w->drain_buf, w->drain_len) > 0)
            ;
}

/* Sleep until pid has exited (true), or timeout_ns has passed, a signal
 * arrived or — with cfd >= 0 — a cancel request was made (false); the
 * output pipe is drained on the way. Never reaps (WNOWAIT). */
static bool wait_exit(pid_t pid, int pidfd, int cfd, const pk__proc_wait *w, uint64_t timeout_ns)
{
    if (pidfd < 0) {
        siginfo_t si;
        si.si_pid = 0;
        int r = waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT);
        if ((r == 0 && si.si_pid == pid) || (r < 0 && errno == ECHILD))
            return true;   /* ECHILD: reaped already (SIGCHLD ignored); wait4 says so */
    }
    if ((pidfd < 0 || cfd < 0) && timeout_ns > CHECK_NS)
        timeout_ns = CHECK_NS;
    struct pollfd p[3];
    nfds_t n = 0;
    if (pidfd >= 0)
        p[n++] = (struct pollfd){.fd = pidfd, .events = POLLIN};
    nfds_t out = n;
    if (w->drain_fd >= 0)
        p[n++] = (struct pollfd){.fd = w->drain_fd, .events = POLLIN};
    if (cfd >= 0)
        p[n++] = (struct pollfd){.fd = cfd, .events = POLLIN};
    struct timespec ts = {.tv_sec = (time_t)(timeout_ns / 1000000000u),
                          .tv_nsec = (long)(timeout_ns % 1000000000u)};
    int k = ppoll(p, n, timeout_ns == UINT64_MAX ? NULL : &ts, NULL);
    if (k <= 0)
        return false;   /* timeout, a signal (EINTR) or a transient error: look again */
    if (w->drain_fd >= 0 && p[out].revents)
        drain(w);
    return pidfd >= 0 && p[0].revents;
}

/* The cancel path: sig to the group, a grace period, then SIGKILL for
 * whatever of the group is left (the leader is not reaped yet: -pid is
 * still its group). */
static void stop_group(pid_t pid, int pidfd, const pk__proc_wait *w, int sig)
{
    if (kill(-pid, sig) != 0)
        kill(pid, sig);   /* it left its group: the leader at least */
    uint64_t end = system_mono_ns() + (uint64_t)PK_CANCEL_GRACE_MS * 1000000u;
    bool gone = false;
    while (!gone && pk__cancel_count() < 2) {
        uint64_t now = system_mono_ns();
        if (now >= end)
            break;
        gone = wait_exit(pid, pidfd, -1, w, end - now < SLICE_NS ? end - now : SLICE_NS);
    }
    kill(-pid, SIGKILL);
    if (!gone)
        kill(pid, SIGKILL);
}

int pk__proc_reap(pid_t pid, pk__proc_wait *w, int *status, struct rusage *ru)
{
    w->timed_out = false;
    w->cancelled = 0;
    int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    int cfd = pk__cancel_fd();
    for (;;) {
        int sig = pk_cancel_signal();
        if (sig) {
            w->cancelled = sig;
            stop_group(pid, pidfd, w, sig);
            break;
        }
        uint64_t left = UINT64_MAX;
        if (w->deadline_ns) {
            uint64_t now = (uint64_t)pk__clock_ns(PK__CLOCK_MONO);
            if (now >= w->deadline_ns) {
                kill(-pid, SIGKILL);
                kill(pid, SIGKILL);
                w->timed_out = true;
                break;
            }
            left = w->deadline_ns - now;
        }
        if (wait_exit(pid, pidfd, cfd, w, left))
            break;
    }
    int rc = 0;
    int st = 0;
    while (wait4(pid, &st, 0, ru) < 0) {
        if (errno != EINTR) {
            rc = errno;
            break;
        }
    }
    w->reaped_ns = (uint64_t)pk__clock_ns(PK__CLOCK_MONO);
    *status = st;
    if (pidfd >= 0)
        close(pidfd);
    drain(w);
    return rc;
}

pk_err pk__proc_run(char *const argv[], const char *cwd, pk__proc_out *r)
{
    memset(r, 0, sizeof *r);
    if (pk_cancel_signal())
        return PK_EINTR;
    int out = memfd_create("perfkit-proc-out", MFD_CLOEXEC);
    int err = memfd_create("perfkit-proc-err", MFD_CLOEXEC);
    pk_err e = PK_OK;
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    bool fa_ok = false, attr_ok = false;
    if (out < 0 || err < 0 || posix_spawn_file_actions_init(&fa) != 0) {
        e = pk__err_from_errno(errno);
        goto done;
    }
    fa_ok = true;
    int rc = posix_spawnattr_init(&attr);
    attr_ok = rc == 0;
    sigset_t none;
    sigemptyset(&none);
    if (rc == 0)   /* its own process group (pgid 0: a new one), no blocked signals */
        rc = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK);
    if (rc == 0)
        rc = posix_spawnattr_setsigmask(&attr, &none);
    if (rc == 0)
        rc = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    if (rc == 0)
        rc = posix_spawn_file_actions_adddup2(&fa, out, 1);
    if (rc == 0)
        rc = posix_spawn_file_actions_adddup2(&fa, err, 2);
    if (rc == 0 && cwd)
        rc = posix_spawn_file_actions_addchdir_np(&fa, cwd);
    pid_t pid;
    if (rc == 0)
        rc = posix_spawnp(&pid, argv[0], &fa, &attr, argv, environ);
    if (rc != 0) {
        e = rc == ENOENT ? PK_ENOENT : pk__err_from_errno(rc);
        goto done;
    }
    int st = 0;
    pk__proc_wait w = {.drain_fd = -1};
    if (pk__proc_reap(pid, &w, &st, NULL) != 0) {
        e = PK_EIO;
        goto done;
    }
    r->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    if (w.cancelled) {
        e = PK_EINTR;
        goto done;
    }
    char line[sizeof r->out];
    ssize_t n = pread(out, line, sizeof line - 1, 0);
    line[n > 0 ? n : 0] = '\0';
    line[strcspn(line, "\n")] = '\0';
    memcpy(r->out, line, sizeof line);
    read_tail(err, r->tail, sizeof r->tail);
    if (!r->tail[0])
        read_tail(out, r->tail, sizeof r->tail);
done:
    if (fa_ok)
        posix_spawn_file_actions_destroy(&fa);
    if (attr_ok)
        posix_spawnattr_destroy(&attr);
    if (out >= 0)
        close(out);
    if (err >= 0)
        close(err);
    return e;
}
