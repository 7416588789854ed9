/* wait_cost.c — what the cancellable wait costs a run, against a bare wait4.
 *
 * perfkit's runner waits for a child in ppoll on the child's pidfd and the
 * cancel eventfd (so a SIGTERM to perfkit stops the child at once, see
 * docs/guarantees.md), where a bare loop blocks in wait4. This program
 * spawns PROGRAM (default /bin/true, no shell) N times per variant, the
 * variants interleaved run by run so the machine's drift hits them alike,
 * and prints each variant's median and quartiles of spawn..reap wall time:
 *   wait4          posix_spawn, wait4 (the floor's wait)
 *   setpgid        the child in its own process group (POSIX_SPAWN_SETPGROUP)
 *   perfkit        setpgid + pidfd_open + ppoll(pidfd, eventfd) + wait4,
 *                  the pidfd closed after the clock read, as the runner does
 *
 *   cc -O2 -o wait_cost bench/wait_cost.c && ./wait_cost [N [PROGRAM]]
 *
 * Not part of the Makefile. */
#define _GNU_SOURCE
#include <poll.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

enum { VARIANTS = 3 };
static const char *const names[VARIANTS] = {"wait4", "setpgid", "perfkit"};

static double now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 3000;
    char *prog = argc > 2 ? argv[2] : "/bin/true";
    char *args[] = {prog, NULL};
    double *t[VARIANTS];
    posix_spawnattr_t attr[VARIANTS];
    int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    for (int k = 0; k < VARIANTS; k++) {
        t[k] = calloc(n ? n : 1, sizeof *t[k]);
        posix_spawnattr_init(&attr[k]);
        if (k > 0)
            posix_spawnattr_setflags(&attr[k], POSIX_SPAWN_SETPGROUP);
    }
    for (size_t i = 0; i < n; i++) {
        for (int k = 0; k < VARIANTS; k++) {
            pid_t pid;
            int st;
            struct rusage ru;
            double t0 = now_ns();
            if (posix_spawn(&pid, prog, NULL, &attr[k], args, environ) != 0) {
                perror(prog);
                return 1;
            }
            int pidfd = -1;
            if (k == 2) {
                pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
                struct pollfd p[2] = {{.fd = pidfd, .events = POLLIN},
                                      {.fd = efd, .events = POLLIN}};
                ppoll(p, 2, NULL, NULL);
            }
            wait4(pid, &st, 0, &ru);
            t[k][i] = now_ns() - t0;
            if (pidfd >= 0)
                close(pidfd);
        }
    }
    printf("%zu runs of %s per variant, interleaved\n", n, prog);
    for (int k = 0; k < VARIANTS; k++) {
        qsort(t[k], n, sizeof *t[k], cmp);
        printf("%-8s median %7.1f us   quartiles %7.1f … %7.1f us\n", names[k],
               t[k][n / 2] / 1e3, t[k][n / 4] / 1e3, t[k][3 * n / 4] / 1e3);
    }
    return 0;
}
