/* monknown — programs with known resource use for perfkit monitor's
 * correctness tests and benchmark. It does its work, writes the truth
 * (measured by itself, not from what perfkit reads) to READY as
 * "key value" lines, then waits to be killed (at most 600 s):
 *
 *   monknown alloc MIB READY     MIB MiB in 10 steps, every page touched;
 *                                base_rss (its RSS before) and alloc_bytes
 *   monknown fds N READY         N more open fds; base_fds and fds (the total)
 *   monknown burn MS READY       1.5 cores (one thread spinning, one at half
 *                                duty) until MS ms of CPU; cpu_seconds from
 *                                getrusage once both threads have stopped
 *   monknown write BYTES READY   BYTES written to a file in 1 MiB writes;
 *                                base_wchar and wrote
 *   monknown idle FDS THREADS READY  FDS open fds and THREADS sleeping
 *                                threads (the benchmark's subject) */
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static long count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    long n = -1;   /* the directory's own fd */
    if (!d)
        return -1;
    while (readdir(d))
        n++;
    closedir(d);
    return n - 2;  /* . and .. */
}

static unsigned long long io_field(const char *key)
{
    FILE *f = fopen("/proc/self/io", "r");
    char line[128];
    unsigned long long v = 0;
    size_t kl = strlen(key);
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, key, kl))
            v = strtoull(line + kl, NULL, 10);
    if (f)
        fclose(f);
    return v;
}

static long rss_bytes(void)
{
    long size, res;
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f || fscanf(f, "%ld %ld", &size, &res) != 2)
        return -1;
    fclose(f);
    return res * sysconf(_SC_PAGESIZE);
}

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static volatile int stop_burn;
volatile unsigned long sink;   /* the spin's work, kept */
static double burn_target;

static void *half_duty(void *arg)
{
    (void)arg;
    while (!stop_burn) {
        struct timespec t0, t;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        do
            clock_gettime(CLOCK_MONOTONIC, &t);
        while ((t.tv_sec - t0.tv_sec) * 1000000000L + (t.tv_nsec - t0.tv_nsec) < 5000000L);
        nanosleep(&(struct timespec){0, 5000000L}, NULL);
    }
    return NULL;
}

static void *sleeper(void *arg)
{
    (void)arg;
    for (;;)
        pause();
    return NULL;
}

static void ready(const char *path, const char *text)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f || fputs(text, f) < 0 || fclose(f) != 0 || rename(tmp, path) != 0) {
        perror(path);
        exit(1);
    }
}

int main(int argc, char **argv)
{
    char out[512];
    if (argc < 4) {
        fprintf(stderr, "usage: monknown alloc|fds|burn|write|idle N [M] READY\n");
        return 2;
    }
    const char *mode = argv[1], *path = argv[argc - 1];
    long n = atol(argv[2]);
    if (!strcmp(mode, "alloc")) {
        long base = rss_bytes();
        size_t step = (size_t)n * 1048576 / 10;
        static char *blocks[10];   /* kept: the memory stays resident */
        for (int i = 0; i < 10; i++) {
            char *p = blocks[i] = malloc(step);
            if (!p)
                return 1;
            for (size_t k = 0; k < step; k += 4096)
                p[k] = 1;
            nanosleep(&(struct timespec){0, 20000000L}, NULL);
        }
        snprintf(out, sizeof out, "base_rss %ld\nalloc_bytes %zu\n", base, step * 10);
    } else if (!strcmp(mode, "fds")) {
        long base = count_fds();
        for (long i = 0; i < n; i++)
            if (open("/dev/null", O_RDONLY) < 0)
                return 1;
        snprintf(out, sizeof out, "base_fds %ld\nfds %ld\n", base, count_fds());
    } else if (!strcmp(mode, "burn")) {
        pthread_t t;
        burn_target = (double)n / 1000;
        if (pthread_create(&t, NULL, half_duty, NULL) != 0)
            return 1;
        while (cpu_now() < burn_target)
            for (int i = 0; i < 100000; i++)
                sink += (unsigned long)i;
        stop_burn = 1;
        pthread_join(t, NULL);
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        double cpu = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                     (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
        snprintf(out, sizeof out, "cpu_seconds %.6f\n", cpu);
    } else if (!strcmp(mode, "write")) {
        unsigned long long base = io_field("wchar:");
        char tmpl[] = "monknown.XXXXXX";
        int fd = mkstemp(tmpl);
        static char buf[1048576];
        memset(buf, 'x', sizeof buf);
        if (fd < 0)
            return 1;
        unlink(tmpl);
        for (long left = n; left > 0;) {
            size_t k = left < (long)sizeof buf ? (size_t)left : sizeof buf;
            ssize_t w = write(fd, buf, k);
            if (w <= 0)
                return 1;
            left -= w;
        }
        close(fd);
        snprintf(out, sizeof out, "base_wchar %llu\nwrote %ld\n", base, n);
    } else if (!strcmp(mode, "idle") && argc == 5) {
        for (long i = 0; i < n; i++)
            if (open("/dev/null", O_RDONLY) < 0)
                return 1;
        for (long i = 0, th = atol(argv[3]); i < th; i++) {
            pthread_t t;
            if (pthread_create(&t, NULL, sleeper, NULL) != 0)
                return 1;
        }
        snprintf(out, sizeof out, "fds %ld\n", count_fds());
    } else {
        fprintf(stderr, "monknown: unknown mode %s\n", mode);
        return 2;
    }
    ready(path, out);
    alarm(600);
    for (;;)
        pause();
}
