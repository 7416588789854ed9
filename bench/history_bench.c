/* history_bench.c — the history store at scale, next to a naive JSON-lines
 * history (what github-action-benchmark / bencher-style JSON files amount to).
 *
 * usage: history_bench DIR [RUNS [URL [TIMED]]]   (RUNS default 100000)
 *
 * With URL (a postgres:// history, an empty database) the store is that
 * server instead of DIR/history.db and there is no naive side: the first
 * TIMED runs (default 2000) are stored one pk_store_put_run each and timed,
 * the rest in transactions of 500 runs (pk_store_put_runs) so that 100 000
 * runs load in minutes on a server that fsyncs every commit; the lookups
 * are then the same as SQLite's.
 *
 * perfkit: RUNS pk_store_put_run calls into DIR/history.db, each its own
 * transaction (1 benchmark, series wall and rss of 30 samples; 9 runs in 10 on
 * branch main, 1 on feature, the first on release), then lookups. naive: the same runs appended as
 * one JSON line each to DIR/history.jsonl (open O_APPEND, write, close), and
 * the baseline found by scanning the whole file for the last line with the
 * benchmark, branch and fingerprint (strstr per line, no JSON parsing: the
 * cheapest a scan can be). Prints one "key value" line per figure (µs unless
 * named otherwise); bench/history_store.sh turns them into a table. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "perfkit/perfkit.h"

#define NS 30
static const char *BENCH = "app/startup", *FP = "3f2a9c0d11e4b7a5";

static double now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *x, size_t n)
{
    qsort(x, n, sizeof *x, cmp_d);
    return n % 2 ? x[n / 2] : (x[n / 2 - 1] + x[n / 2]) / 2;
}

static void die(const char *what, pk_store *s, pk_err e)
{
    fprintf(stderr, "history_bench: %s: %s (%s)\n", what, pk_strerror(e),
            s ? pk_store_last_error(s) : "");
    exit(1);
}

/* Deterministic pseudo-random stream (xorshift64*). */
static uint64_t rng_state = 88172645463325252ULL;
static uint64_t rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ULL;
}

/* 9 runs in 10 on main, 1 on feature; the very first on release (the worst
 * case of the baseline walk: every newer result is skipped). */
static const char *branch_of(long i)
{
    return i == 0 ? "release" : i % 10 == 9 ? "feature" : "main";
}

static void fill(long i, double *wall, double *rss)
{
    for (int k = 0; k < NS; k++) {
        wall[k] = 12.5e6 + (double)(rnd() % 1000000) + (double)i;
        rss[k] = 48.0 * 1048576 + (double)(rnd() % 65536) * 16;
    }
}

static void json_line(FILE *f, long i, const char *commit, const double *wall,
                      const double *rss)
{
    fprintf(f, "{\"id\":%ld,\"started_unix_ns\":%ld,\"commit\":\"%s\",\"branch\":\"%s\","
            "\"dirty\":false,\"fingerprint\":\"%s\",\"benchmarks\":[{\"name\":\"%s\","
            "\"wall\":[", i + 1, 1700000000000000000L + i, commit, branch_of(i), FP, BENCH);
    for (int k = 0; k < NS; k++)
        fprintf(f, "%s%.17g", k ? "," : "", wall[k]);
    fputs("],\"rss\":[", f);
    for (int k = 0; k < NS; k++)
        fprintf(f, "%s%.17g", k ? "," : "", rss[k]);
    fputs("]}]}\n", f);
}

/* Naive baseline: the last line before before_id with benchmark, branch, fp. */
static long scan_baseline(const char *path, const char *branch, long before_id)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char want_branch[160], want_bench[160], want_fp[64];
    snprintf(want_branch, sizeof want_branch, "\"branch\":\"%s\"", branch);
    snprintf(want_bench, sizeof want_bench, "{\"name\":\"%s\"", BENCH);
    snprintf(want_fp, sizeof want_fp, "\"fingerprint\":\"%s\"", FP);
    char *line = NULL;
    size_t cap = 0;
    long found = 0;
    while (getline(&line, &cap, f) > 0) {
        long id = strtol(line + 6, NULL, 10);   /* {"id":N */
        if (id < before_id && strstr(line, want_branch) && strstr(line, want_fp) &&
            strstr(line, want_bench))
            found = id;
    }
    free(line);
    fclose(f);
    return found;
}

static long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: history_bench DIR [RUNS]\n");
        return 2;
    }
    long runs = argc > 2 ? atol(argv[2]) : 100000;
    char db[4096], jl[4096];
    snprintf(db, sizeof db, "%s/history.db", argv[1]);
    snprintf(jl, sizeof jl, "%s/history.jsonl", argv[1]);
    const char *url = argc > 3 ? argv[3] : NULL;
    long timed = argc > 4 ? atol(argv[4]) : 2000;
    if (url)
        snprintf(db, sizeof db, "%s", url);
    else
        unlink(db);
    unlink(jl);

    pk_store *s = NULL;
    pk_diag d;
    pk_err e = pk_store_open(db, NULL, &s, &d);
    if (e != PK_OK) {
        fprintf(stderr, "history_bench: %s\n", d.message);
        return 1;
    }
    pk_resultset *rs = NULL;
    pk_bench_data *b = NULL;
    double wall[NS], rss[NS];
    fill(0, wall, rss);
    if (pk_resultset_new(&rs) || pk_resultset_add(rs, BENCH, &b) ||
        pk_bench_data_put(b, "wall", PK_UNIT_DURATION, wall, NS) ||
        pk_bench_data_put(b, "rss", PK_UNIT_SIZE, rss, NS) ||
        pk_bench_data_set_primary(b, "wall"))
        die("result set", NULL, PK_ENOMEM);
    pk_machine mach;
    pk_machine_get(&mach);
    pk_run_meta m;
    memset(&m, 0, sizeof m);
    m.machine = mach;
    snprintf(m.fingerprint, sizeof m.fingerprint, "%s", FP);
    snprintf(m.perfkit_version, sizeof m.perfkit_version, "%s", pk_version());

    double *put_us = malloc((size_t)runs * sizeof *put_us);
    double *app_us = malloc((size_t)runs * sizeof *app_us);
    double t_put = 0, t_app = 0;
    char *buf = NULL;
    size_t buflen = 0;
    enum { BATCH = 500 };
    static pk_run_meta batch[BATCH];
    pk_run_meta *bm[BATCH];
    const pk_resultset *bs[BATCH];
    size_t nb = 0;
    long n_timed = runs;
    for (long i = 0; url && i < runs; i++) {
        if (i < timed) {
            snprintf(m.commit, sizeof m.commit, "%08x%016" PRIx64 "%016" PRIx64,
                     (unsigned)i, rnd(), rnd());
            snprintf(m.branch, sizeof m.branch, "%s", branch_of(i));
            m.started_unix_ns = 1700000000000000000L + i;
            double t0 = now_us();
            if ((e = pk_store_put_run(s, &m, rs)) != PK_OK)
                die("put_run", s, e);
            put_us[i] = now_us() - t0;
            t_put += put_us[i];
            continue;
        }
        batch[nb] = m;
        snprintf(batch[nb].commit, sizeof m.commit, "%08x%016" PRIx64 "%016" PRIx64,
                 (unsigned)i, rnd(), rnd());
        snprintf(batch[nb].branch, sizeof m.branch, "%s", branch_of(i));
        batch[nb].started_unix_ns = 1700000000000000000L + i;
        bm[nb] = &batch[nb];
        bs[nb] = rs;
        if (++nb == BATCH || i == runs - 1) {
            if ((e = pk_store_put_runs(s, bm, bs, nb)) != PK_OK)
                die("put_runs", s, e);
            nb = 0;
        }
    }
    if (url)
        n_timed = timed < runs ? timed : runs;
    for (long i = 0; !url && i < runs; i++) {
        fill(i, wall, rss);
        memcpy(b->series[0].samples, wall, sizeof wall);
        memcpy(b->series[1].samples, rss, sizeof rss);
        snprintf(m.commit, sizeof m.commit, "%08x%016" PRIx64 "%016" PRIx64,
                 (unsigned)i, rnd(), rnd());
        snprintf(m.branch, sizeof m.branch, "%s", branch_of(i));
        m.started_unix_ns = 1700000000000000000L + i;
        double t0 = now_us();
        if ((e = pk_store_put_run(s, &m, rs)) != PK_OK)
            die("put_run", s, e);
        double t1 = now_us();
        /* naive: format the line (not timed), append it with open/write/close */
        FILE *mf = open_memstream(&buf, &buflen);
        json_line(mf, i, m.commit, wall, rss);
        fclose(mf);
        double t2 = now_us();
        int fd = open(jl, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0 || write(fd, buf, buflen) != (ssize_t)buflen || close(fd) != 0)
            die("append", NULL, PK_EIO);
        double t3 = now_us();
        put_us[i] = t1 - t0;
        app_us[i] = t3 - t2;
        t_put += put_us[i];
        t_app += app_us[i];
        free(buf);
        buf = NULL;
    }
    printf("runs %ld\n", runs);
    printf("put_median %.2f\nput_total_s %.2f\nput_timed %ld\n",
           median(put_us, (size_t)n_timed), t_put / 1e6, n_timed);
    if (!url)
        printf("append_median %.2f\nappend_total_s %.2f\n", median(app_us, (size_t)runs),
               t_app / 1e6);

    enum { LOOK = 1000 };
    double *lat = malloc(LOOK * sizeof *lat);
    int64_t id = 0;
    for (int k = 0; k < LOOK; k++) {   /* random before_id, branch main */
        int64_t before = 1 + (int64_t)(rnd() % (uint64_t)runs);
        double t0 = now_us();
        if ((e = pk_store_find_baseline(s, BENCH, "main", FP, before, &id)) != PK_OK)
            die("find_baseline", s, e);
        lat[k] = now_us() - t0;
    }
    printf("baseline_median %.2f\n", median(lat, LOOK));
    for (int k = 0; k < LOOK; k++) {   /* the newest, as perfkit check asks */
        double t0 = now_us();
        if ((e = pk_store_find_baseline(s, BENCH, "feature", FP, 0, &id)) != PK_OK)
            die("find_baseline", s, e);
        lat[k] = now_us() - t0;
    }
    printf("baseline_latest_median %.2f\n", median(lat, LOOK));
    for (int k = 0; k < 20; k++) {
        double t0 = now_us();
        if ((e = pk_store_find_baseline(s, BENCH, "release", FP, 0, &id)) != PK_OK || id != 1)
            die("find_baseline (release)", s, e);
        lat[k] = now_us() - t0;
    }
    printf("baseline_rare_median %.2f\n", median(lat, 20));
    for (int k = 0; k < LOOK; k++) {
        int64_t rid = 1 + (int64_t)(rnd() % (uint64_t)runs);
        pk_resultset *one = NULL;
        double t0 = now_us();
        if ((e = pk_store_get_bench(s, rid, BENCH, &one)) != PK_OK)
            die("get_bench", s, e);
        lat[k] = now_us() - t0;
        pk_resultset_free(one);
    }
    printf("get_bench_median %.2f\n", median(lat, LOOK));
    int reps[2] = {100, 5};
    size_t limits[2] = {100, 0};
    for (int h = 0; h < 2; h++) {
        for (int k = 0; k < reps[h]; k++) {
            pk_history_point *p = NULL;
            size_t n = 0;
            double t0 = now_us();
            if ((e = pk_store_history(s, BENCH, "wall", "median", limits[h], &p, &n)) != PK_OK)
                die("history", s, e);
            lat[k] = now_us() - t0;
            pk_free(p);
        }
        printf("history_%s_median %.2f\n", h ? "all" : "100", median(lat, (size_t)reps[h]));
    }
    for (int k = 0; k < 100; k++) {
        char **names = NULL;
        size_t n = 0;
        double t0 = now_us();
        if ((e = pk_store_list_benchmarks(s, &names, &n)) != PK_OK)
            die("list_benchmarks", s, e);
        lat[k] = now_us() - t0;
        pk_store_free_names(names, n);
    }
    printf("list_benchmarks_median %.2f\n", median(lat, 100));
    pk_store_close(s);
    if (url) {   /* no naive side for a server */
        pk_resultset_free(rs);
        free(put_us);
        free(app_us);
        free(lat);
        return 0;
    }
    printf("db_bytes %ld\n", file_size(db) + file_size(strcat(db, "-wal")));

    /* naive baseline: full scans, 20 of them */
    long found = 0;
    for (int k = 0; k < 20; k++) {
        long before = k == 0 ? runs + 1 : 1 + (long)(rnd() % (uint64_t)runs);
        double t0 = now_us();
        found = scan_baseline(jl, "main", before);
        lat[k] = now_us() - t0;
        if (found < 0)
            die("scan", NULL, PK_EIO);
    }
    printf("scan_baseline_median %.2f\n", median(lat, 20));
    printf("jsonl_bytes %ld\n", file_size(jl));
    pk_resultset_free(rs);
    free(put_us);
    free(app_us);
    free(lat);
    return 0;
}
