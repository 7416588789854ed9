/* floor.c — the measurement floor for `perfkit bench` and hyperfine.
 *
 * The least a command benchmarker can do per run: posix_spawn the command
 * (its program resolved in PATH once, before the runs) with stdin, stdout and
 * stderr on /dev/null (one descriptor opened once and dup2'ed by the spawn),
 * wait4 for it, and read CLOCK_MONOTONIC just before the spawn and just after
 * the reap. No shell, no counters, no pipes, no signal-mask attributes.
 *
 *   floor [-n RUNS] [-w WARMUP] [-s] [-c] [--] PROGRAM [ARG...]
 *
 * Prints one wall time per measured run in ns, one per line; with -s prints
 * "mean_ns stddev_ns n" instead (sample standard deviation, n-1).
 *
 * -c is a diagnostic, not the floor: it adds what perfkit's runner does for
 * its default counters — four software perf_event counters (task-clock,
 * context-switches, cpu-migrations, page-faults) opened once on this process
 * with inherit=1, RESET+ENABLE'd before the clock read that starts a run and
 * DISABLE'd after the one that ends it, read after — so the cost of
 * inherited counters (copied into the child at clone, folded back at exit,
 * switched at every context switch) can be told apart from the rest.
 * Exit 1 if a run fails (non-zero exit or signal), 2 on usage errors.
 * Built by bench/spawn_overhead.sh with `cc -O2`; not part of the Makefile. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/perf_event.h>
#include <math.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* prog as execvp would find it: PATH searched once, here, not per run. */
static char *resolve(const char *prog)
{
    if (strchr(prog, '/'))
        return strdup(prog);
    const char *path = getenv("PATH");
    if (!path || !*path)
        path = "/usr/local/bin:/usr/bin:/bin";
    char buf[4096];
    for (const char *p = path;; ) {
        const char *end = strchr(p, ':');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        snprintf(buf, sizeof buf, "%.*s/%s", (int)len, len ? p : ".", prog);
        if (access(buf, X_OK) == 0)
            return strdup(buf);
        if (!end)
            return NULL;
        p = end + 1;
    }
}

enum { NCTR = 4 };
static int ctr_fd[NCTR] = {-1, -1, -1, -1};

static void counters_open(void)
{
    static const uint64_t cfg[NCTR] = {PERF_COUNT_SW_TASK_CLOCK, PERF_COUNT_SW_CONTEXT_SWITCHES,
                                       PERF_COUNT_SW_CPU_MIGRATIONS, PERF_COUNT_SW_PAGE_FAULTS};
    for (int c = 0; c < NCTR; c++) {
        struct perf_event_attr a;
        memset(&a, 0, sizeof a);
        a.size = sizeof a;
        a.type = PERF_TYPE_SOFTWARE;
        a.config = cfg[c];
        a.read_format = PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING;
        a.disabled = 1;
        a.inherit = 1;
        a.exclude_hv = 1;
        ctr_fd[c] = (int)syscall(SYS_perf_event_open, &a, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
        if (ctr_fd[c] < 0) {
            a.exclude_kernel = 1;
            ctr_fd[c] = (int)syscall(SYS_perf_event_open, &a, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
        }
        if (ctr_fd[c] < 0)
            perror("floor: perf_event_open");
    }
}

static void counters_ioctl(unsigned long req)
{
    for (int c = 0; c < NCTR; c++)
        if (ctr_fd[c] >= 0)
            ioctl(ctr_fd[c], req, 0);
}

static void counters_read(void)
{
    uint64_t v[3];
    for (int c = 0; c < NCTR; c++)
        if (ctr_fd[c] >= 0 && read(ctr_fd[c], v, sizeof v) < 0)
            perror("floor: read counter");
}

static int usage(void)
{
    fputs("usage: floor [-n RUNS] [-w WARMUP] [-s] [-c] [--] PROGRAM [ARG...]\n", stderr);
    return 2;
}

int main(int argc, char **argv)
{
    long runs = 100, warmup = 0;
    int summary = 0, counters = 0, opt;
    while ((opt = getopt(argc, argv, "+n:w:sc")) != -1) {
        switch (opt) {
        case 'n': runs = strtol(optarg, NULL, 10); break;
        case 'w': warmup = strtol(optarg, NULL, 10); break;
        case 's': summary = 1; break;
        case 'c': counters = 1; break;
        default: return usage();
        }
    }
    if (optind >= argc || runs < 1 || warmup < 0)
        return usage();
    char **cmd = argv + optind;
    char *exe = resolve(cmd[0]);
    if (!exe) {
        fprintf(stderr, "floor: %s: not found in PATH\n", cmd[0]);
        return 1;
    }

    int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (devnull < 0) {
        perror("floor: /dev/null");
        return 1;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    for (int fd = 0; fd <= 2; fd++)
        posix_spawn_file_actions_adddup2(&fa, devnull, fd);

    if (counters)
        counters_open();

    uint64_t *t = malloc((size_t)runs * sizeof *t);
    if (!t)
        return 1;
    for (long i = -warmup; i < runs; i++) {
        pid_t pid;
        int status;
        struct rusage ru;
        if (counters) {
            counters_ioctl(PERF_EVENT_IOC_RESET);
            counters_ioctl(PERF_EVENT_IOC_ENABLE);
        }
        uint64_t t0 = now_ns();
        int e = posix_spawn(&pid, exe, &fa, NULL, cmd, environ);
        if (e != 0) {
            fprintf(stderr, "floor: %s: %s\n", cmd[0], strerror(e));
            return 1;
        }
        while (wait4(pid, &status, 0, &ru) < 0)
            ;
        uint64_t t1 = now_ns();
        if (counters) {
            counters_ioctl(PERF_EVENT_IOC_DISABLE);
            counters_read();
        }
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            fprintf(stderr, "floor: %s failed (status 0x%x)\n", cmd[0], status);
            return 1;
        }
        if (i >= 0)
            t[i] = t1 - t0;
    }

    if (!summary) {
        for (long i = 0; i < runs; i++)
            printf("%llu\n", (unsigned long long)t[i]);
        return 0;
    }
    double mean = 0, m2 = 0;
    for (long i = 0; i < runs; i++) {   /* Welford */
        double d = (double)t[i] - mean;
        mean += d / (double)(i + 1);
        m2 += d * ((double)t[i] - mean);
    }
    printf("%.1f %.1f %ld\n", mean, runs > 1 ? sqrt(m2 / (double)(runs - 1)) : 0.0, runs);
    return 0;
}
