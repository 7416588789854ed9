/* test_filecache.c — the tiered file cache (perfkit/filecache.h): hits per
 * tier, invalidation by content (stat fast path, rehash, racy tuples),
 * dependencies, the disk and memory bounds, torn and foreign entry files,
 * writers killed with SIGKILL mid-write, allocation failures, metrics. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <xxhash.h>

#include "core/clock.h"
#include "fault.h"
#include "perfkit/filecache.h"

static char root[64];
static char cdir[128];

static void mk_root(void)
{
    strcpy(root, "/tmp/pkfc-XXXXXX");
    cr_assert_not_null(mkdtemp(root));
    snprintf(cdir, sizeof cdir, "%s/cache", root);
}

static void rm_root(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    (void)system(cmd);
}

static const char *at(const char *name)
{
    static char buf[4][256];
    static int k;
    char *b = buf[k++ & 3];
    snprintf(b, 256, "%s/%s", root, name);
    return b;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f, "%s", path);
    fputs(text, f);
    cr_assert_eq(fclose(f), 0);
}

/* The fake clock: the system clocks shifted by `shift_ns` (tests move time
 * forward to settle stat tuples, or past trust windows). */
static int64_t shift_ns;
static int64_t fake_clock(void *ud, pk__clock_id id)
{
    (void)ud;
    struct timespec ts;
    clock_gettime(id == PK__CLOCK_REAL ? CLOCK_REALTIME : CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec + shift_ns;
}

static void setup(void)
{
    mk_root();
    shift_ns = 0;
    pk__clock_set(fake_clock, NULL);
}

static void teardown(void)
{
    pk__clock_set(NULL, NULL);
    rm_root();
}

TestSuite(filecache, .init = setup, .fini = teardown, .timeout = 60);

static pk_filecache *open_default(void)
{
    pk_filecache *fc;
    cr_assert_eq(pk_filecache_open(cdir, NULL, &fc), PK_OK);
    return fc;
}

/* get must hit with exactly `want`. */
static void expect_hit(pk_filecache *fc, const char *path, const char *kind, const char *want)
{
    const void *v;
    size_t n;
    pk_err e = pk_filecache_get(fc, path, kind, &v, &n);
    cr_assert_eq(e, PK_OK, "get %s/%s: %s (%s)", path, kind, pk_strerror(e),
                 pk_filecache_last_error(fc));
    cr_assert_eq(n, strlen(want));
    cr_assert_eq(memcmp(v, want, n), 0);
    pk_filecache_release(fc, v);
}

static void expect_miss(pk_filecache *fc, const char *path, const char *kind)
{
    const void *v = (const void *)1;
    size_t n = 1;
    cr_assert_eq(pk_filecache_get(fc, path, kind, &v, &n), PK_ENOENT);
    cr_assert_null(v);
    cr_assert_eq(n, 0);
}

static pk_filecache_stats stats(const pk_filecache *fc)
{
    pk_filecache_stats s;
    pk_filecache_stats_get(fc, &s);
    return s;
}

Test(filecache, memory_then_disk_hits)
{
    const char *src = at("a.c");
    write_file(src, "int a;\n");
    pk_filecache *fc = open_default();
    expect_miss(fc, src, "ast");
    cr_assert_eq(pk_filecache_put(fc, src, "ast", "AST(a)", 6, NULL, 0), PK_OK);
    expect_hit(fc, src, "ast", "AST(a)");
    expect_miss(fc, src, "tokens");   /* kinds are separate entries */
    pk_filecache_stats s = stats(fc);
    cr_assert_eq(s.mem_hits, 1);
    cr_assert_eq(s.misses, 2);
    cr_assert_eq(s.puts, 1);
    cr_assert_gt(s.disk_bytes, 6);
    pk_filecache_close(fc);

    fc = open_default();   /* a new handle: the entry comes from disk */
    expect_hit(fc, src, "ast", "AST(a)");
    expect_hit(fc, src, "ast", "AST(a)");
    s = stats(fc);
    cr_assert_eq(s.disk_hits, 1);
    cr_assert_eq(s.mem_hits, 1);
    cr_assert_eq(pk_filecache_remove(fc, src, "ast"), PK_OK);
    expect_miss(fc, src, "ast");
    cr_assert_eq(stats(fc).disk_bytes, 0);
    pk_filecache_close(fc);
}

Test(filecache, content_change_same_size_same_mtime_is_caught)
{
    const char *src = at("a.c");
    write_file(src, "int a = 1;\n");
    struct stat st0;
    cr_assert_eq(stat(src, &st0), 0);
    pk_filecache *fc = open_default();
    cr_assert_eq(pk_filecache_put(fc, src, "ast", "one", 3, NULL, 0), PK_OK);
    write_file(src, "int a = 2;\n");                 /* same size */
    struct timespec t[2] = {st0.st_atim, st0.st_mtim};
    cr_assert_eq(utimensat(AT_FDCWD, src, t, 0), 0);  /* mtime set back */
    expect_miss(fc, src, "ast");
    pk_filecache_stats s = stats(fc);
    cr_assert_eq(s.invalidations, 1);
    cr_assert_geq(s.rehashes, 1);
    pk_filecache_close(fc);
    fc = open_default();
    expect_miss(fc, src, "ast");   /* and gone from disk too */
    pk_filecache_close(fc);
}

Test(filecache, touched_file_rehashes_once_then_fast_path)
{
    const char *src = at("a.c");
    write_file(src, "int a;\n");
    shift_ns = 10LL * 1000000000;   /* the file is 10 s old: its tuple settles */
    pk_filecache *fc = open_default();
    cr_assert_eq(pk_filecache_put(fc, src, "ast", "AST", 3, NULL, 0), PK_OK);
    expect_hit(fc, src, "ast", "AST");
    cr_assert_eq(stats(fc).rehashes, 0, "settled tuple: no hashing");

    struct timespec t[2] = {{1000000, 0}, {1000000, 0}};
    cr_assert_eq(utimensat(AT_FDCWD, src, t, 0), 0);   /* new mtime and ctime, same bytes */
    expect_hit(fc, src, "ast", "AST");
    cr_assert_eq(stats(fc).rehashes, 1);
    expect_hit(fc, src, "ast", "AST");
    cr_assert_eq(stats(fc).rehashes, 1, "the refreshed tuple is used");
    pk_filecache_close(fc);

    fc = open_default();   /* the refreshed tuple was written to disk */
    expect_hit(fc, src, "ast", "AST");
    cr_assert_eq(stats(fc).rehashes, 0);
    cr_assert_eq(stats(fc).disk_hits, 1);
    pk_filecache_close(fc);
}

Test(filecache, racy_tuple_is_always_hashed)
{
    const char *src = at("a.c");
    write_file(src, "int a;\n");   /* written now: within racy_ns */
    pk_filecache *fc = open_default();
    cr_assert_eq(pk_filecache_put(fc, src, "ast", "AST", 3, NULL, 0), PK_OK);
    expect_hit(fc, src, "ast", "AST");
    expect_hit(fc, src, "ast", "AST");
    cr_assert_eq(stats(fc).rehashes, 2);
    pk_filecache_close(fc);
}

Test(filecache, dependencies_invalidate)
{
    const char *src = at("a.c"), *h = at("a.h"), *missing = at("b.h");
    write_file(src, "#include \"a.h\"\n");
    write_file(h, "int x;\n");
    pk_filecache *fc = open_default();
    const char *deps[] = {h, missing};
    cr_assert_eq(pk_filecache_put(fc, src, "pp", "PP", 2, deps, 2), PK_OK);
    expect_hit(fc, src, "pp", "PP");
    write_file(h, "int y;\n");          /* a dependency changed */
    expect_miss(fc, src, "pp");
    cr_assert_eq(stats(fc).invalidations, 1);

    cr_assert_eq(pk_filecache_put(fc, src, "pp", "PP2", 3, deps, 2), PK_OK);
    pk_filecache_close(fc);
    fc = open_default();
    expect_hit(fc, src, "pp", "PP2");   /* deps round-trip through the disk */
    write_file(missing, "");            /* an absent dependency appears */
    expect_miss(fc, src, "pp");
    cr_assert_eq(pk_filecache_put(fc, src, "pp", "PP3", 3, deps, 2), PK_OK);
    cr_assert_eq(unlink(h), 0);         /* a dependency disappears */
    expect_miss(fc, src, "pp");
    cr_assert_eq(unlink(src), 0);
    expect_miss(fc, src, "pp");
    cr_assert_eq(pk_filecache_put(fc, src, "pp", "x", 1, NULL, 0), PK_ENOENT);
    pk_filecache_close(fc);
}

static uint64_t dir_bytes(const char *dir, int *ntmp)
{
    DIR *d = opendir(dir);
    cr_assert_not_null(d);
    uint64_t total = 0;
    struct dirent *de;
    if (ntmp)
        *ntmp = 0;
    while ((de = readdir(d))) {
        char p[512];
        struct stat s;
        snprintf(p, sizeof p, "%.200s/%.255s", dir, de->d_name);
        if (strstr(de->d_name, ".pkfc") && stat(p, &s) == 0)
            total += (uint64_t)s.st_size;
        if (ntmp && strncmp(de->d_name, "tmp-", 4) == 0)
            (*ntmp)++;
    }
    closedir(d);
    return total;
}

Test(filecache, disk_bound_never_exceeded_lru_kept)
{
    pk_filecache_opts o;
    pk_filecache_opts_init(&o);
    o.max_disk_bytes = 64 * 1024;
    o.max_mem_bytes = 0;   /* disk only */
    pk_filecache *fc;
    cr_assert_eq(pk_filecache_open(cdir, &o, &fc), PK_OK);
    const char *src = at("a.c");
    write_file(src, "x");
    static char payload[3000];
    memset(payload, 'p', sizeof payload);
    char kind[32];
    for (int i = 0; i < 200; i++) {
        snprintf(kind, sizeof kind, "k%d", i);
        shift_ns += 2000000000;   /* every put a later LRU time */
        cr_assert_eq(pk_filecache_put(fc, src, kind, payload, 1000 + (size_t)(i * 37) % 2000, NULL, 0),
                     PK_OK);
        if (i % 10 == 0) {   /* keep k0 hot: its hit refreshes its LRU time */
            const void *v;
            size_t n;
            cr_assert_eq(pk_filecache_get(fc, src, "k0", &v, &n), PK_OK, "k0 evicted at %d", i);
            pk_filecache_release(fc, v);
        }
        uint64_t b = dir_bytes(cdir, NULL);
        cr_assert_leq(b, o.max_disk_bytes, "put %d: %llu bytes", i, (unsigned long long)b);
        cr_assert_eq(b, stats(fc).disk_bytes);
    }
    cr_assert_gt(stats(fc).disk_evictions, 100);
    expect_miss(fc, src, "k1");
    cr_assert_eq(pk_filecache_put(fc, src, "big", payload, sizeof payload, NULL, 0), PK_OK);
    static char huge[70000];
    cr_assert_eq(pk_filecache_put(fc, src, "huge", huge, sizeof huge, NULL, 0), PK_ERANGE);
    pk_filecache_close(fc);
}

Test(filecache, memory_bound_and_pinned_values)
{
    pk_filecache_opts o;
    pk_filecache_opts_init(&o);
    o.max_mem_entries = 4;
    pk_filecache *fc;
    cr_assert_eq(pk_filecache_open(cdir, &o, &fc), PK_OK);
    const char *src = at("a.c");
    write_file(src, "x");
    cr_assert_eq(pk_filecache_put(fc, src, "k0", "zero", 4, NULL, 0), PK_OK);
    const void *pinned;
    size_t n;
    cr_assert_eq(pk_filecache_get(fc, src, "k0", &pinned, &n), PK_OK);
    char kind[16];
    for (int i = 1; i < 20; i++) {
        snprintf(kind, sizeof kind, "k%d", i);
        cr_assert_eq(pk_filecache_put(fc, src, kind, kind, strlen(kind), NULL, 0), PK_OK);
        cr_assert_leq(stats(fc).mem_entries, 4);
    }
    cr_assert_eq(memcmp(pinned, "zero", 4), 0, "a pinned value outlives its eviction");
    pk_filecache_release(fc, pinned);
    cr_assert_geq(stats(fc).mem_evictions, 16);
    expect_hit(fc, src, "k0", "zero");   /* from disk */
    cr_assert_eq(stats(fc).disk_hits, 1);
    pk_filecache_close(fc);
}

/* The one entry file in cdir. */
static void entry_path(char *out, size_t cap)
{
    DIR *d = opendir(cdir);
    struct dirent *de;
    out[0] = '\0';
    while ((de = readdir(d)))
        if (strstr(de->d_name, ".pkfc"))
            snprintf(out, cap, "%s/%.40s", cdir, de->d_name);
    closedir(d);
    cr_assert_neq(out[0], '\0');
}

static void damaged_is_miss(void (*damage)(const char *file))
{
    const char *src = at("a.c");
    write_file(src, "int a;\n");
    pk_filecache *fc = open_default();
    cr_assert_eq(pk_filecache_put(fc, src, "ast", "0123456789abcdef", 16, NULL, 0), PK_OK);
    pk_filecache_close(fc);
    char file[256];
    entry_path(file, sizeof file);
    damage(file);
    fc = open_default();
    expect_miss(fc, src, "ast");
    cr_assert_eq(stats(fc).corrupt, 1);
    cr_assert_eq(access(file, F_OK), -1, "a torn file is removed");
    pk_filecache_close(fc);
}

static void truncate_file(const char *f)
{
    struct stat s;
    cr_assert_eq(stat(f, &s), 0);
    cr_assert_eq(truncate(f, s.st_size - 5), 0);
}

static void flip_last(const char *f)
{
    FILE *fp = fopen(f, "r+b");
    fseek(fp, -3, SEEK_END);
    int c = fgetc(fp);
    fseek(fp, -3, SEEK_END);
    fputc(c ^ 0x10, fp);
    fclose(fp);
}

static void flip_header(const char *f)
{
    FILE *fp = fopen(f, "r+b");
    fseek(fp, 5, SEEK_SET);   /* the format version */
    fputc(7, fp);
    fclose(fp);
}

static void foreign(const char *f) { write_file(f, "this is not a perfkit cache entry at all\n"); }

Test(filecache, truncated_entry_is_miss) { damaged_is_miss(truncate_file); }
Test(filecache, flipped_payload_byte_is_miss) { damaged_is_miss(flip_last); }
Test(filecache, other_version_is_miss) { damaged_is_miss(flip_header); }
Test(filecache, foreign_file_is_miss) { damaged_is_miss(foreign); }

/* ---- crash safety: writers killed with SIGKILL at random moments ------------ */

enum { NSRC = 4 };

/* A self-describing payload: (idx, seed, len) then bytes derived from seed. */
static size_t make_payload(unsigned char *buf, uint32_t idx, uint64_t seed)
{
    size_t len = 24 + (size_t)(seed % 60000);
    uint64_t x = seed | 1;
    memcpy(buf, &idx, 4);
    memcpy(buf + 8, &seed, 8);
    uint64_t l = len;
    memcpy(buf + 16, &l, 8);
    for (size_t i = 24; i < len; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        buf[i] = (unsigned char)x;
    }
    return len;
}

static bool payload_ok(const unsigned char *v, size_t n, uint32_t idx)
{
    static unsigned char want[70000];
    if (n < 24)
        return false;
    uint32_t i;
    uint64_t seed;
    memcpy(&i, v, 4);
    memcpy(&seed, v + 8, 8);
    return i == idx && make_payload(want, idx, seed) == n && memcmp(want, v, n) == 0;
}

static void writer(const char *const *srcs, unsigned rnd)
{
    pk_filecache_opts o;
    pk_filecache_opts_init(&o);
    o.max_disk_bytes = 256 * 1024;   /* evictions race with the kills too */
    pk_filecache *fc;
    if (pk_filecache_open(cdir, &o, &fc) != PK_OK)
        _exit(2);
    static unsigned char buf[70000];
    for (uint64_t k = 1;; k++) {
        uint32_t idx = (uint32_t)((k + rnd) % NSRC);
        size_t len = make_payload(buf, idx, (uint64_t)rnd * 1000003u + k * 7919u);
        if (pk_filecache_put(fc, srcs[idx], "blob", buf, len, NULL, 0) != PK_OK)
            _exit(3);
    }
}

Test(filecache, sigkill_during_writes_never_corrupts, .timeout = 120)
{
    const char *srcs[NSRC];
    for (int i = 0; i < NSRC; i++) {
        char name[16];
        snprintf(name, sizeof name, "s%d.c", i);
        srcs[i] = strdup(at(name));
        write_file(srcs[i], name);
    }
    pk__clock_set(NULL, NULL);
    srand(12345);
    int hits = 0, misses = 0;
    for (int round = 0; round < 100; round++) {
        pid_t pid = fork();
        cr_assert_geq(pid, 0);
        if (pid == 0)
            writer(srcs, (unsigned)round);
        usleep((useconds_t)(rand() % 4000));
        kill(pid, SIGKILL);
        int status;
        cr_assert_eq(waitpid(pid, &status, 0), pid);
        cr_assert(WIFSIGNALED(status), "the writer failed: status %d", status);
        pk_filecache *fc = open_default();
        for (uint32_t i = 0; i < NSRC; i++) {
            const void *v;
            size_t n;
            pk_err e = pk_filecache_get(fc, srcs[i], "blob", &v, &n);
            cr_assert(e == PK_OK || e == PK_ENOENT, "round %d: %s", round, pk_strerror(e));
            if (e == PK_OK) {
                cr_assert(payload_ok(v, n, i), "round %d: corrupted hit for %u", round, i);
                pk_filecache_release(fc, v);
                hits++;
            } else {
                misses++;
            }
        }
        cr_assert_eq(stats(fc).corrupt, 0, "a rename never exposes a torn file");
        pk_filecache_close(fc);
    }
    int ntmp;
    (void)dir_bytes(cdir, &ntmp);
    cr_assert_eq(ntmp, 0, "dead writers' temporary files are removed");
    cr_assert_gt(hits, 100, "hits %d misses %d: the test must exercise hits", hits, misses);
    for (int i = 0; i < NSRC; i++)
        free((void *)srcs[i]);
}

/* ---- allocation failures -------------------------------------------------------- */

static pk_err session(void)
{
    const char *src = at("a.c"), *h = at("a.h");
    const char *deps[] = {h};
    pk_filecache *fc;
    pk_err e = pk_filecache_open(cdir, NULL, &fc);
    if (e)
        return e;
    static char big[20000];
    const void *v;
    size_t n;
    if (!(e = pk_filecache_put(fc, src, "ast", big, sizeof big, deps, 1)) &&
        !(e = pk_filecache_get(fc, src, "ast", &v, &n)))
        pk_filecache_release(fc, v);
    pk_filecache_close(fc);
    if (e)
        return e;
    if ((e = pk_filecache_open(cdir, NULL, &fc)))
        return e;
    if (!(e = pk_filecache_get(fc, src, "ast", &v, &n)))
        pk_filecache_release(fc, v);
    pk_filecache_close(fc);
    return e;
}

Test(filecache, allocation_failures_are_clean)
{
    write_file(at("a.c"), "int a;\n");
    write_file(at("a.h"), "int h;\n");
    static char big[300000];   /* hashed through the heap buffer */
    FILE *f = fopen(at("a.c"), "wb");
    fwrite(big, 1, sizeof big, f);
    fclose(f);
    fault_arm(-1);
    cr_assert_eq(session(), PK_OK);
    fault_disarm();
    long n = fault_requests();
    cr_assert_gt(n, 5);
    for (long k = 0; k < n; k++) {
        char cmd[256];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", cdir);
        (void)system(cmd);
        fault_arm(k);
        pk_err e = session();
        fault_disarm();
        cr_assert(e == PK_OK || e == PK_ENOMEM, "failing allocation %ld: %s", k, pk_strerror(e));
        cr_assert_eq(fault_live(), 0, "failing allocation %ld leaks", k);
    }
}

/* ---- hashing and metrics --------------------------------------------------------- */

Test(filecache, hash_file_is_xxh3_128_of_the_bytes)
{
    static char data[600000];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (char)(i * 131 + (i >> 9));
    FILE *f = fopen(at("big"), "wb");
    fwrite(data, 1, sizeof data, f);
    fclose(f);
    pk_filecache_hash h;
    cr_assert_eq(pk_filecache_hash_file(at("big"), &h), PK_OK);
    XXH128_hash_t want = XXH3_128bits(data, sizeof data);
    cr_assert_eq(h.lo, want.low64);
    cr_assert_eq(h.hi, want.high64);
    cr_assert_eq(pk_filecache_hash_file(at("nope"), &h), PK_ENOENT);
    cr_assert_eq(pk_filecache_hash_file(root, &h), PK_EINVAL);
}

Test(filecache, metrics_export)
{
    const char *src = at("a.c");
    write_file(src, "x");
    pk_filecache *fc = open_default();
    expect_miss(fc, src, "k");   /* counted before registration */
    pk_metrics_registry *r;
    cr_assert_eq(pk_metrics_registry_new(&r), PK_OK);
    cr_assert_eq(pk_filecache_register_metrics(fc, r, "app_fc"), PK_OK);
    cr_assert_eq(pk_filecache_register_metrics(fc, r, "app_fc"), PK_EINVAL);
    cr_assert_eq(pk_filecache_put(fc, src, "k", "v", 1, NULL, 0), PK_OK);
    expect_hit(fc, src, "k", "v");
    char *text;
    cr_assert_eq(pk_metrics_render(r, PK_METRICS_PROMETHEUS, &text, NULL), PK_OK);
    cr_assert_not_null(strstr(text, "app_fc_hits_total{tier=\"memory\"} 1\n"), "%s", text);
    cr_assert_not_null(strstr(text, "app_fc_misses_total 1\n"), "%s", text);
    cr_assert_not_null(strstr(text, "app_fc_entries{tier=\"memory\"} 1\n"), "%s", text);
    pk_free(text);
    pk_filecache_close(fc);
    pk_metrics_registry_free(r);
}

Test(filecache, bad_arguments)
{
    pk_filecache *fc = (pk_filecache *)1;
    cr_assert_eq(pk_filecache_open(NULL, NULL, &fc), PK_EINVAL);
    cr_assert_null(fc);
    pk_filecache_opts o;
    pk_filecache_opts_init(&o);
    o.max_disk_bytes = 10;
    cr_assert_eq(pk_filecache_open(cdir, &o, &fc), PK_EINVAL);
    fc = open_default();
    const void *v;
    size_t n;
    cr_assert_eq(pk_filecache_get(fc, NULL, "k", &v, &n), PK_EINVAL);
    cr_assert_eq(pk_filecache_get(fc, "", "k", &v, &n), PK_EINVAL);
    cr_assert_eq(pk_filecache_put(fc, at("a"), "k", NULL, 3, NULL, 0), PK_EINVAL);
    cr_assert_eq(pk_filecache_put(fc, at("a"), "k", "x", 1, NULL, 2), PK_EINVAL);
    pk_filecache_close(fc);
    pk_filecache_close(NULL);
    pk_filecache_release(NULL, NULL);
}
