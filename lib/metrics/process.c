/* process.c — the standard process_* metrics, read from /proc at exposition.
 *
 * Same names and meanings as the Prometheus client libraries
 * (https://prometheus.io/docs/instrumenting/writing_clientlibs/#process-metrics):
 * CPU time is utime + stime of /proc/self/stat in clock ticks; the start time
 * is /proc/stat's btime plus starttime ticks; memory is vsize and rss pages;
 * open fds are the entries of /proc/self/fd; max fds the soft RLIMIT_NOFILE.
 * What cannot be read is left out of the output (never shown as 0). */
#include "metrics/metrics_int.h"

#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

const struct pkm_proc_def pk__metrics_proc_defs[PKM_PROC_N] = {
    {"process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", PKM_COUNTER},
    {"process_resident_memory_bytes", "Resident memory size in bytes.", PKM_GAUGE},
    {"process_virtual_memory_bytes", "Virtual memory size in bytes.", PKM_GAUGE},
    {"process_open_fds", "Number of open file descriptors.", PKM_GAUGE},
    {"process_max_fds", "Maximum number of open file descriptors.", PKM_GAUGE},
    {"process_start_time_seconds", "Start time of the process since unix epoch in seconds.",
     PKM_GAUGE},
    {"process_threads", "Number of OS threads in the process.", PKM_GAUGE},
};

enum { CPU, RSS, VSZ, OPEN_FDS, MAX_FDS, START, THREADS };

/* Read a small /proc file into buf (NUL-terminated); length or -1. */
static ssize_t slurp(const char *path, char *buf, size_t cap)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    size_t n = 0;
    while (n + 1 < cap) {
        ssize_t k = read(fd, buf + n, cap - 1 - n);
        if (k < 0) {
            close(fd);
            return -1;
        }
        if (k == 0)
            break;
        n += (size_t)k;
    }
    close(fd);
    buf[n] = '\0';
    return (ssize_t)n;
}

static double boot_time(void)
{
    char buf[8192];
    if (slurp("/proc/stat", buf, sizeof buf) < 0)
        return -1;
    const char *p = strstr(buf, "\nbtime ");
    if (!p)
        return -1;
    return strtod(p + 7, NULL);
}

void pk__metrics_proc_read(double val[PKM_PROC_N], bool ok[PKM_PROC_N])
{
    for (int i = 0; i < PKM_PROC_N; i++) {
        ok[i] = false;
        val[i] = 0;
    }
    char buf[1024];
    long tck = sysconf(_SC_CLK_TCK), page = sysconf(_SC_PAGESIZE);
    if (slurp("/proc/self/stat", buf, sizeof buf) > 0 && tck > 0 && page > 0) {
        /* fields after "pid (comm)"; comm may hold spaces and parentheses */
        char *p = strrchr(buf, ')');
        unsigned long long f[64] = {0};
        int n = 0;
        if (p) {
            p++;
            /* field 3 is the state letter: skip it */
            while (*p == ' ')
                p++;
            if (*p)
                p++;
            for (n = 4; n < 64 && *p; n++) {
                char *end;
                f[n] = strtoull(p, &end, 10);
                if (end == p)
                    break;
                p = end;
            }
        }
        if (n > 24) {   /* 14 utime 15 stime 20 num_threads 22 starttime 23 vsize 24 rss */
            val[CPU] = (double)(f[14] + f[15]) / (double)tck;
            ok[CPU] = true;
            val[THREADS] = (double)f[20];
            ok[THREADS] = true;
            val[VSZ] = (double)f[23];
            ok[VSZ] = true;
            val[RSS] = (double)f[24] * (double)page;
            ok[RSS] = true;
            double bt = boot_time();
            if (bt > 0) {
                val[START] = bt + (double)f[22] / (double)tck;
                ok[START] = true;
            }
        }
    }
    DIR *d = opendir("/proc/self/fd");
    if (d) {
        long n = 0;
        struct dirent *e;
        while ((e = readdir(d)))
            if (e->d_name[0] != '.')
                n++;
        closedir(d);
        val[OPEN_FDS] = (double)(n > 0 ? n - 1 : 0);   /* not the one opendir holds */
        ok[OPEN_FDS] = true;
    }
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
        val[MAX_FDS] = rl.rlim_cur == RLIM_INFINITY ? HUGE_VAL : (double)rl.rlim_cur;
        ok[MAX_FDS] = true;
    }
}
