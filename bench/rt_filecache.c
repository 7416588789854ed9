/* rt_filecache.c — the driver of bench/rt_filecache.sh: the tiered file
 * cache's hit paths, its hashing, and its crash test.
 *
 *   rt_filecache mem DIR [ROUNDS]      memory hit (trust window: no stat), ns/get
 *   rt_filecache memstat DIR [ROUNDS]  memory hit validated by stat (trust_ns 0)
 *   rt_filecache disk DIR [ROUNDS]     disk hit, memory tier off, 4 KiB values
 *                                      (64 entries round robin, page-cached)
 *   rt_filecache hash FILE             seconds for pk_filecache_hash_file(FILE)
 *   rt_filecache mkfile FILE MIB       write MIB MiB of pseudo-random bytes
 *   rt_filecache crash DIR KILLS       writers killed with SIGKILL at random
 *                                      moments; after each, every get is a miss
 *                                      or exact; prints the tally
 * Timed modes print one line: `<mode> <median ns per op> <min> <max>` over
 * ROUNDS [7] rounds of ~100 ms. Built by the script with cc -O2 against
 * $BUILD/libperfkit.a. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "perfkit/perfkit.h"

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void die(const char *what, pk_err e)
{
    fprintf(stderr, "rt_filecache: %s: %s\n", what, pk_strerror(e));
    exit(1);
}

static void write_src(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
        perror(path);
        exit(1);
    }
}

enum { NKEYS = 64, VAL = 4096 };

static int timed(const char *mode, const char *dir, int rounds)
{
    char src[512], cache[512], kind[NKEYS][16];
    snprintf(src, sizeof src, "%s/src.c", dir);
    snprintf(cache, sizeof cache, "%s/cache-%s", dir, mode);
    write_src(src, "int main(void) { return 0; }\n");
    sleep(2);   /* let the file's timestamps settle past racy_ns (1 s) */
    pk_filecache_opts o;
    pk_filecache_opts_init(&o);
    int nkeys = 1;
    if (strcmp(mode, "mem") == 0)
        o.trust_ns = 3600LL * 1000000000;
    else if (strcmp(mode, "disk") == 0) {
        o.max_mem_bytes = 0;
        nkeys = NKEYS;
    }
    pk_filecache *fc;
    pk_err e = pk_filecache_open(cache, &o, &fc);
    if (e)
        die("open", e);
    static char val[VAL];
    memset(val, 'v', sizeof val);
    for (int k = 0; k < nkeys; k++) {
        snprintf(kind[k], sizeof kind[k], "k%d", k);
        if ((e = pk_filecache_put(fc, src, kind[k], val, sizeof val, NULL, 0)))
            die("put", e);
    }
    /* calibrate ~100 ms per round */
    long n = 1000;
    for (;;) {
        double t0 = now_s();
        for (long i = 0; i < n; i++) {
            const void *v;
            size_t len;
            if ((e = pk_filecache_get(fc, src, kind[i % nkeys], &v, &len)))
                die("get", e);
            pk_filecache_release(fc, v);
        }
        double dt = now_s() - t0;
        if (dt > 0.05) {
            n = (long)((double)n * 0.1 / dt) + 1;
            break;
        }
        n *= 4;
    }
    double ns[64];
    if (rounds > 64)
        rounds = 64;
    for (int r = 0; r < rounds; r++) {
        double t0 = now_s();
        for (long i = 0; i < n; i++) {
            const void *v;
            size_t len;
            if ((e = pk_filecache_get(fc, src, kind[i % nkeys], &v, &len)))
                die("get", e);
            pk_filecache_release(fc, v);
        }
        ns[r] = (now_s() - t0) * 1e9 / (double)n;
    }
    pk_filecache_stats st;
    pk_filecache_stats_get(fc, &st);
    pk_filecache_close(fc);
    qsort(ns, (size_t)rounds, sizeof ns[0], cmp_d);
    printf("%s %.1f %.1f %.1f  (%ld gets/round; mem_hits %llu disk_hits %llu rehashes %llu)\n", mode,
           ns[rounds / 2], ns[0], ns[rounds - 1], n, (unsigned long long)st.mem_hits,
           (unsigned long long)st.disk_hits, (unsigned long long)st.rehashes);
    return 0;
}

static int mkfile(const char *path, long mib)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        return 1;
    }
    static uint64_t buf[1 << 17];   /* 1 MiB */
    uint64_t x = 88172645463325252ULL;
    for (long m = 0; m < mib; m++) {
        for (size_t i = 0; i < sizeof buf / sizeof buf[0]; i++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            buf[i] = x;
        }
        if (fwrite(buf, 1, sizeof buf, f) != sizeof buf) {
            perror(path);
            return 1;
        }
    }
    return fclose(f) != 0;
}

static int hash(const char *path)
{
    pk_filecache_hash h;
    double t0 = now_s();
    pk_err e = pk_filecache_hash_file(path, &h);
    double dt = now_s() - t0;
    if (e)
        die("hash", e);
    printf("hash %.6f %016llx%016llx\n", dt, (unsigned long long)h.hi, (unsigned long long)h.lo);
    return 0;
}

/* ---- crash test ------------------------------------------------------------------ */

enum { NSRC = 4 };

static size_t make_payload(unsigned char *buf, uint32_t idx, uint64_t seed)
{
    size_t len = 24 + (size_t)(seed % 60000);
    uint64_t x = seed | 1, l = len;
    memcpy(buf, &idx, 4);
    memcpy(buf + 8, &seed, 8);
    memcpy(buf + 16, &l, 8);
    for (size_t i = 24; i < len; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        buf[i] = (unsigned char)x;
    }
    return len;
}

static int crash(const char *dir, int kills)
{
    char src[NSRC][512], cache[512];
    snprintf(cache, sizeof cache, "%s/cache-crash", dir);
    for (int i = 0; i < NSRC; i++) {
        snprintf(src[i], sizeof src[i], "%s/s%d.c", dir, i);
        write_src(src[i], src[i]);
    }
    pk_filecache_opts o;
    pk_filecache_opts_init(&o);
    o.max_disk_bytes = 256 * 1024;
    static unsigned char buf[70000], want[70000];
    long hits = 0, misses = 0, corrupt = 0, writes_seen = 0;
    srand(4242);
    for (int round = 0; round < kills; round++) {
        pid_t pid = fork();
        if (pid == 0) {
            pk_filecache *fc;
            if (pk_filecache_open(cache, &o, &fc) != PK_OK)
                _exit(2);
            for (uint64_t k = 1;; k++) {
                uint32_t idx = (uint32_t)((k + (uint64_t)round) % NSRC);
                size_t len = make_payload(buf, idx, (uint64_t)round * 1000003u + k * 7919u);
                if (pk_filecache_put(fc, src[idx], "blob", buf, len, NULL, 0) != PK_OK)
                    _exit(3);
            }
        }
        usleep((useconds_t)(rand() % 4000));
        kill(pid, SIGKILL);
        int status;
        waitpid(pid, &status, 0);
        if (!WIFSIGNALED(status)) {
            fprintf(stderr, "rt_filecache: writer exited with %d\n", status);
            return 1;
        }
        pk_filecache *fc;
        pk_err e = pk_filecache_open(cache, &o, &fc);
        if (e)
            die("open", e);
        for (uint32_t i = 0; i < NSRC; i++) {
            const void *v;
            size_t n;
            e = pk_filecache_get(fc, src[i], "blob", &v, &n);
            if (e == PK_ENOENT) {
                misses++;
                continue;
            }
            if (e)
                die("get", e);
            uint32_t idx;
            uint64_t seed;
            memcpy(&idx, v, 4);
            memcpy(&seed, (const char *)v + 8, 8);
            if (n < 24 || idx != i || make_payload(want, i, seed) != n || memcmp(want, v, n) != 0)
                corrupt++;
            else
                hits++;
            pk_filecache_release(fc, v);
        }
        pk_filecache_stats st;
        pk_filecache_stats_get(fc, &st);
        writes_seen += (long)st.corrupt;   /* torn files found (and removed) */
        pk_filecache_close(fc);
    }
    printf("crash %d kills, %ld gets hit exact, %ld missed, %ld corrupted hits, %ld torn files seen\n",
           kills, hits, misses, corrupt, writes_seen);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && (!strcmp(argv[1], "mem") || !strcmp(argv[1], "memstat") ||
                      !strcmp(argv[1], "disk")))
        return timed(argv[1], argv[2], argc > 3 ? atoi(argv[3]) : 7);
    if (argc == 3 && !strcmp(argv[1], "hash"))
        return hash(argv[2]);
    if (argc == 4 && !strcmp(argv[1], "mkfile"))
        return mkfile(argv[2], atol(argv[3]));
    if (argc == 4 && !strcmp(argv[1], "crash"))
        return crash(argv[2], atoi(argv[3]));
    fprintf(stderr, "usage: rt_filecache mem|memstat|disk DIR [ROUNDS] | hash FILE | "
                    "mkfile FILE MIB | crash DIR KILLS\n");
    return 2;
}
