/* perfctr.c — perf_event counters that measure exactly one spawned child.
 *
 * Each counter is opened once on the perfkit process itself (pid 0, cpu -1)
 * with inherit=1 and disabled=1, one fd per counter (PERF_FORMAT_GROUP is
 * rejected together with inherit by older kernels). Around a run the runner
 * ENABLEs them right before posix_spawn and DISABLEs them right after wait4:
 * the child inherits the counters at clone time and, when it exits, its
 * counts are folded into ours (perf_event_exit_task runs before the child
 * becomes reapable). Folded child counts live in the event's child_count,
 * which PERF_EVENT_IOC_RESET does not clear, so a run's figure is the
 * difference between two readings, not a reset-and-read. It is the child's
 * figure plus perfkit's own
 * spawn/reap path between ENABLE and DISABLE — a few hundred instructions and
 * a few microseconds of task-clock; nothing of perfkit runs in between since
 * it sleeps in wait4/poll.
 *
 * Kernel events are counted when allowed; with perf_event_paranoid >= 2 and
 * no privilege, the open is retried with exclude_kernel=1 (then user-space
 * only; context-switches may read low since they happen in the kernel).
 * read_format carries TOTAL_TIME_ENABLED|RUNNING: a counter that never ran
 * (multiplexed out) is reported as not measured, one that ran part of the
 * time is scaled like `perf stat` does. Hardware counters that open but count
 * nothing (some VMs) are dropped by a probe at open time.
 * Reference: perf_event_open(2). */
#include <errno.h>
#include <linux/perf_event.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "run_internal.h"

static const struct {
    const char *name;
    uint32_t type;
    uint64_t config;
} ctr_def[PK_CTR_COUNT] = {
    [PK_CTR_TASK_CLOCK]       = {"task-clock", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK},
    [PK_CTR_CONTEXT_SWITCHES] = {"context-switches", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CONTEXT_SWITCHES},
    [PK_CTR_CPU_MIGRATIONS]   = {"cpu-migrations", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_MIGRATIONS},
    [PK_CTR_PAGE_FAULTS]      = {"page-faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS},
    [PK_CTR_CYCLES]           = {"cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES},
    [PK_CTR_INSTRUCTIONS]     = {"instructions", PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS},
    [PK_CTR_BRANCHES]         = {"branches", PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_INSTRUCTIONS},
    [PK_CTR_BRANCH_MISSES]    = {"branch-misses", PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_MISSES},
    [PK_CTR_CACHE_MISSES]     = {"cache-misses", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_MISSES},
};

const char *pk_counter_name(pk_counter c)
{
    if ((unsigned)c >= PK_CTR_COUNT)
        return "unknown";
    return ctr_def[c].name;
}

pk_counter pk_counter_from_name(const char *name)
{
    if (!name)
        return PK_CTR_COUNT;
    for (int c = 0; c < PK_CTR_COUNT; c++)
        if (strcmp(name, ctr_def[c].name) == 0)
            return (pk_counter)c;
    return PK_CTR_COUNT;
}

static int open_one(int c, int exclude_kernel)
{
    struct perf_event_attr a;
    memset(&a, 0, sizeof a);
    a.size = sizeof a;
    a.type = ctr_def[c].type;
    a.config = ctr_def[c].config;
    a.read_format = PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING;
    a.disabled = 1;
    a.inherit = 1;
    a.exclude_hv = 1;
    a.exclude_kernel = exclude_kernel ? 1 : 0;
    return (int)syscall(SYS_perf_event_open, &a, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
}

/* value, time_enabled, time_running; false on a short read. */
static bool read_raw(int fd, uint64_t v[3])
{
    ssize_t n;
    do
        n = read(fd, v, 3 * sizeof(uint64_t));
    while (n < 0 && errno == EINTR);
    return n == (ssize_t)(3 * sizeof(uint64_t));
}

static bool is_hw(int c)
{
    return ctr_def[c].type == PERF_TYPE_HARDWARE;
}

void pk__perfctr_open(pk__perfctr *pc, uint32_t want)
{
    pc->ok = 0;
    for (int c = 0; c < PK_CTR_COUNT; c++) {
        pc->fd[c] = -1;
        if (!(want & (1u << c)))
            continue;
        int fd = open_one(c, 0);
        if (fd < 0 && (errno == EACCES || errno == EPERM))
            fd = open_one(c, 1);
        if (fd < 0)
            continue;
        pc->fd[c] = fd;
        pc->ok |= 1u << c;
    }
    if (!pc->ok)
        return;

    /* Probe: counters must actually run; hardware ones must count something
     * over a small loop (a VM may expose a PMU that always reads 0). */
    pk__perfctr_start(pc);
    volatile uint64_t x = 1;
    for (int i = 0; i < 20000; i++)
        x = x * 6364136223846793005u + 1442695040888963407u;
    pk__perfctr_stop(pc);
    for (int c = 0; c < PK_CTR_COUNT; c++) {
        if (pc->fd[c] < 0)
            continue;
        uint64_t v[3];
        bool good = read_raw(pc->fd[c], v) && v[2] > 0;
        memcpy(pc->base[c], v, sizeof v);
        if (good && is_hw(c) && c != PK_CTR_CACHE_MISSES && c != PK_CTR_BRANCH_MISSES)
            good = v[0] > 0;
        if (!good) {
            close(pc->fd[c]);
            pc->fd[c] = -1;
            pc->ok &= ~(1u << c);
        }
    }
}

void pk__perfctr_close(pk__perfctr *pc)
{
    for (int c = 0; c < PK_CTR_COUNT; c++) {
        if (pc->fd[c] >= 0)
            close(pc->fd[c]);
        pc->fd[c] = -1;
    }
    pc->ok = 0;
}

void pk__perfctr_start(pk__perfctr *pc)
{
    for (int c = 0; c < PK_CTR_COUNT; c++) {
        if (pc->fd[c] < 0)
            continue;
        ioctl(pc->fd[c], PERF_EVENT_IOC_ENABLE, 0);
    }
}

void pk__perfctr_stop(pk__perfctr *pc)
{
    for (int c = 0; c < PK_CTR_COUNT; c++)
        if (pc->fd[c] >= 0)
            ioctl(pc->fd[c], PERF_EVENT_IOC_DISABLE, 0);
}

uint32_t pk__perfctr_read(pk__perfctr *pc, uint64_t vals[PK_CTR_COUNT])
{
    uint32_t ok = 0;
    for (int c = 0; c < PK_CTR_COUNT; c++) {
        vals[c] = 0;
        if (pc->fd[c] < 0)
            continue;
        uint64_t raw[3], v[3];
        if (!read_raw(pc->fd[c], raw))
            continue;
        for (int k = 0; k < 3; k++) {
            v[k] = raw[k] - pc->base[c][k];
            pc->base[c][k] = raw[k];
        }
        if (v[2] == 0)
            continue;
        if (v[2] < v[1])   /* multiplexed: scale to the enabled time */
            v[0] = (uint64_t)((double)v[0] * ((double)v[1] / (double)v[2]));
        vals[c] = v[0];
        ok |= 1u << c;
    }
    return ok;
}
