/* rt_workers.c — pk_workers against libuv's threadpool (uv_queue_work),
 * one measurement per run (bench/rt_workers.sh runs it repeatedly).
 *
 *   rt_workers IMPL TEST THREADS MS
 *     IMPL    pk | uv | raw (sum only: plain pthreads, a static share each)
 *     TEST    batch  submit 1000 empty tasks one call each from this
 *                    thread, wait for all; repeated for ~MS ms; prints ns
 *                    per task (the workers stay busy between batches)
 *             batchapi  (pk only) the same 1000 in one
 *                    pk_workers_submit_batch call, wait for all
 *             spawn  (pk only) the same 1000 submits made from inside a
 *                    running task (the worker's own deque), waited for there
 *             serial one task, wait for it, repeat: the round trip
 *             wake   the pool idle (2 ms sleep between samples, so workers
 *                    have parked), then submit one task: ns from the submit
 *                    to the task's start; median of the samples
 *             wakespin  the same after 20 us idle (pk's workers still spin)
 *                    (pk also prints wakecall/wakespincall: the submit call's
 *                    own median duration, i.e. the futex wake system call)
 *             sum    sum mix(i) for i < 2^25 in 256 chunk tasks, 5 times; prints
 *                    the median ms
 *     THREADS workers (libuv: UV_THREADPOOL_SIZE)
 * Prints: RESULT IMPL TEST THREADS VALUE UNIT */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#include "perfkit/workers.h"

#define BATCH 1000
#define CHUNKS 256
#define SUM_N (UINT64_C(1) << 25)
#define SUM_RUNS 5

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static uint64_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= UINT64_C(0xff51afd7ed558ccd);
    x ^= x >> 33;
    x *= UINT64_C(0xc4ceb9fe1a85ec53);
    return x ^ (x >> 33);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static _Atomic int64_t started_at;

/* Idle time before a wake sample: 2 ms asleep (the workers park), or 20 us
 * of busy waiting (within pk's default 50 us spin). */
static void gap(int spin)
{
    if (!spin) {
        usleep(2000);
        return;
    }
    int64_t end = now_ns() + 20000;
    while (now_ns() < end)
        ;
}
static volatile uint64_t sink;

/* ---- perfkit ------------------------------------------------------------------- */

typedef struct pk_job {
    pk_task task;
    uint64_t lo, hi, sum;
} pk_job;

static void pk_empty(pk_task *t) { (void)t; }
static void pk_stamp(pk_task *t)
{
    (void)t;
    atomic_store(&started_at, now_ns());
}
static void pk_sum(pk_task *t)
{
    pk_job *j = PK_TASK_OWNER(t, pk_job, task);
    uint64_t s = 0;
    for (uint64_t i = j->lo; i < j->hi; i++)
        s += mix(i);
    j->sum = s;
}

static pk_task pk_tasks[BATCH];
static pk_workers *pk_w;

static void pk_batch(pk_workers_group *g)
{
    for (int i = 0; i < BATCH; i++)
        pk_workers_submit(pk_w, g, &pk_tasks[i]);
    pk_workers_wait_all(pk_w, g);
}

/* The same 1000 through the batch API: one push, one group update. */
static pk_task *pk_task_ptrs[BATCH];
static void pk_batch_api(pk_workers_group *g)
{
    pk_workers_submit_batch(pk_w, g, pk_task_ptrs, BATCH);
    pk_workers_wait_all(pk_w, g);
}

static void pk_spawner(pk_task *t)
{
    (void)t;
    pk_workers_group g;
    pk_workers_group_init(&g);
    pk_batch(&g);
}

static int run_pk(const char *test, unsigned threads, double ms)
{
    pk_workers_opts o;
    pk_workers_opts_init(&o);
    o.min_threads = threads;
    if (pk_workers_new(&o, &pk_w) != PK_OK)
        return 2;
    for (int i = 0; i < BATCH; i++) {
        pk_task_init(&pk_tasks[i], pk_empty);
        pk_task_ptrs[i] = &pk_tasks[i];
    }
    pk_workers_group g;
    pk_workers_group_init(&g);
    if (!strcmp(test, "batch") || !strcmp(test, "spawn") || !strcmp(test, "batchapi")) {
        int spawn = !strcmp(test, "spawn"), api = !strcmp(test, "batchapi");
        pk_task root;
        pk_task_init(&root, pk_spawner);
        for (int i = 0; i < 20; i++)   /* warm-up */
            pk_batch(&g);
        long n = 0;
        int64_t t0 = now_ns(), end = t0 + (int64_t)(ms * 1e6);
        while (now_ns() < end) {
            if (spawn) {
                pk_workers_submit(pk_w, NULL, &root);
                pk_workers_wait(pk_w, &root);
            } else if (api) {
                pk_batch_api(&g);
            } else {
                pk_batch(&g);
            }
            n++;
        }
        printf("RESULT pk %s %u %.2f ns/task\n", test, threads,
               (double)(now_ns() - t0) / ((double)n * BATCH));
    } else if (!strcmp(test, "serial")) {
        long n = 0;
        int64_t t0 = now_ns(), end = t0 + (int64_t)(ms * 1e6);
        while (now_ns() < end) {
            pk_workers_submit(pk_w, NULL, &pk_tasks[0]);
            pk_workers_wait(pk_w, &pk_tasks[0]);
            n++;
        }
        printf("RESULT pk serial %u %.1f ns/roundtrip\n", threads, (double)(now_ns() - t0) / (double)n);
    } else if (!strcmp(test, "wake") || !strcmp(test, "wakespin")) {
        int spin = !strcmp(test, "wakespin");
        int k = spin ? (int)(ms * 20) + 1 : (int)(ms / 2.2) + 1;
        int64_t *lat = calloc((size_t)k, sizeof *lat), *sub = calloc((size_t)k, sizeof *sub);
        pk_task t;
        pk_task_init(&t, pk_stamp);
        for (int i = 0; i < k; i++) {
            gap(spin);
            int64_t t0 = now_ns();
            pk_workers_submit(pk_w, NULL, &t);
            sub[i] = now_ns() - t0;   /* the submit call: with a parked worker, its futex wake */
            pk_workers_wait(pk_w, &t);
            lat[i] = atomic_load(&started_at) - t0;
        }
        qsort(lat, (size_t)k, sizeof *lat, cmp_i64);
        qsort(sub, (size_t)k, sizeof *sub, cmp_i64);
        int64_t smid = sub[k / 2];
        printf("RESULT pk %scall %u %.1f ns\n", test, threads, (double)smid);
        free(sub);
        int64_t mid = lat[k / 2];
        printf("RESULT pk %s %u %.1f ns\n", test, threads, (double)mid);
        free(lat);
    } else if (!strcmp(test, "sum")) {
        static pk_job jobs[CHUNKS];
        int64_t t[SUM_RUNS];
        for (int r = 0; r < SUM_RUNS; r++) {
            int64_t t0 = now_ns();
            for (int i = 0; i < CHUNKS; i++) {
                pk_task_init(&jobs[i].task, pk_sum);
                jobs[i].lo = SUM_N / CHUNKS * (uint64_t)i;
                jobs[i].hi = SUM_N / CHUNKS * (uint64_t)(i + 1);
                pk_workers_submit(pk_w, &g, &jobs[i].task);
            }
            pk_workers_wait_all(pk_w, &g);
            uint64_t s = 0;
            for (int i = 0; i < CHUNKS; i++)
                s += jobs[i].sum;
            sink = s;
            t[r] = now_ns() - t0;
        }
        qsort(t, SUM_RUNS, sizeof *t, cmp_i64);
        int64_t mid = t[SUM_RUNS / 2];
        printf("RESULT pk sum %u %.2f ms\n", threads, (double)mid / 1e6);
    } else {
        return 2;
    }
    pk_workers_free(pk_w);
    return 0;
}

/* ---- libuv ------------------------------------------------------------------------ */

typedef struct uv_job {
    uv_work_t req;
    uint64_t lo, hi, sum;
} uv_job;

static uv_work_t uv_reqs[BATCH];
static long uv_done;

static void uv_empty(uv_work_t *r) { (void)r; }
static void uv_stamp(uv_work_t *r)
{
    (void)r;
    atomic_store(&started_at, now_ns());
}
static void uv_sum(uv_work_t *r)
{
    uv_job *j = (uv_job *)r;
    uint64_t s = 0;
    for (uint64_t i = j->lo; i < j->hi; i++)
        s += mix(i);
    j->sum = s;
}
static void uv_after(uv_work_t *r, int status)
{
    (void)r;
    (void)status;
    uv_done++;
}

static void uv_batch(uv_loop_t *loop)
{
    for (int i = 0; i < BATCH; i++)
        uv_queue_work(loop, &uv_reqs[i], uv_empty, uv_after);
    uv_run(loop, UV_RUN_DEFAULT);
}

static int run_uv(const char *test, unsigned threads, double ms)
{
    char env[16];
    snprintf(env, sizeof env, "%u", threads);
    setenv("UV_THREADPOOL_SIZE", env, 1);
    uv_loop_t *loop = uv_default_loop();
    if (!strcmp(test, "batch")) {
        for (int i = 0; i < 20; i++)
            uv_batch(loop);
        long n = 0;
        int64_t t0 = now_ns(), end = t0 + (int64_t)(ms * 1e6);
        while (now_ns() < end) {
            uv_batch(loop);
            n++;
        }
        printf("RESULT uv batch %u %.2f ns/task\n", threads,
               (double)(now_ns() - t0) / ((double)n * BATCH));
    } else if (!strcmp(test, "serial")) {
        long n = 0;
        int64_t t0 = now_ns(), end = t0 + (int64_t)(ms * 1e6);
        while (now_ns() < end) {
            uv_queue_work(loop, &uv_reqs[0], uv_empty, uv_after);
            uv_run(loop, UV_RUN_DEFAULT);
            n++;
        }
        printf("RESULT uv serial %u %.1f ns/roundtrip\n", threads, (double)(now_ns() - t0) / (double)n);
    } else if (!strcmp(test, "wake") || !strcmp(test, "wakespin")) {
        int spin = !strcmp(test, "wakespin");
        int k = spin ? (int)(ms * 20) + 1 : (int)(ms / 2.2) + 1;
        int64_t *lat = calloc((size_t)k, sizeof *lat);
        uv_queue_work(loop, &uv_reqs[0], uv_empty, uv_after);   /* start the pool */
        uv_run(loop, UV_RUN_DEFAULT);
        for (int i = 0; i < k; i++) {
            gap(spin);
            int64_t t0 = now_ns();
            uv_queue_work(loop, &uv_reqs[0], uv_stamp, uv_after);
            uv_run(loop, UV_RUN_DEFAULT);
            lat[i] = atomic_load(&started_at) - t0;
        }
        qsort(lat, (size_t)k, sizeof *lat, cmp_i64);
        int64_t mid = lat[k / 2];
        printf("RESULT uv %s %u %.1f ns\n", test, threads, (double)mid);
        free(lat);
    } else if (!strcmp(test, "sum")) {
        static uv_job jobs[CHUNKS];
        uv_queue_work(loop, &uv_reqs[0], uv_empty, uv_after);   /* start the pool */
        uv_run(loop, UV_RUN_DEFAULT);
        int64_t t[SUM_RUNS];
        for (int r = 0; r < SUM_RUNS; r++) {
            int64_t t0 = now_ns();
            for (int i = 0; i < CHUNKS; i++) {
                jobs[i].lo = SUM_N / CHUNKS * (uint64_t)i;
                jobs[i].hi = SUM_N / CHUNKS * (uint64_t)(i + 1);
                uv_queue_work(loop, &jobs[i].req, uv_sum, uv_after);
            }
            uv_run(loop, UV_RUN_DEFAULT);
            uint64_t s = 0;
            for (int i = 0; i < CHUNKS; i++)
                s += jobs[i].sum;
            sink = s;
            t[r] = now_ns() - t0;
        }
        qsort(t, SUM_RUNS, sizeof *t, cmp_i64);
        int64_t mid = t[SUM_RUNS / 2];
        printf("RESULT uv sum %u %.2f ms\n", threads, (double)mid / 1e6);
    } else {
        return 2;
    }
    uv_loop_close(loop);
    return 0;
}

/* ---- plain threads: the machine's own ceiling for the sum --------------------- */

typedef struct raw_arg {
    uint64_t lo, hi, sum;
} raw_arg;

static void *raw_sum(void *p)
{
    raw_arg *a = p;
    uint64_t s = 0;
    for (uint64_t i = a->lo; i < a->hi; i++)
        s += mix(i);
    a->sum = s;
    return NULL;
}

/* THREADS pthreads, each a static share of the range, created per run. */
static int run_raw(unsigned threads)
{
    int64_t t[SUM_RUNS];
    pthread_t th[64];
    raw_arg a[64];
    if (threads < 1 || threads > 64)
        return 2;
    for (int r = 0; r < SUM_RUNS; r++) {
        int64_t t0 = now_ns();
        for (unsigned i = 0; i < threads; i++) {
            a[i] = (raw_arg){SUM_N / threads * i, SUM_N / threads * (i + 1), 0};
            pthread_create(&th[i], NULL, raw_sum, &a[i]);
        }
        uint64_t s = 0;
        for (unsigned i = 0; i < threads; i++) {
            pthread_join(th[i], NULL);
            s += a[i].sum;
        }
        sink = s;
        t[r] = now_ns() - t0;
    }
    qsort(t, SUM_RUNS, sizeof *t, cmp_i64);
    int64_t mid = t[SUM_RUNS / 2];
    printf("RESULT raw sum %u %.2f ms\n", threads, (double)mid / 1e6);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: rt_workers pk|uv|raw batch|batchapi|spawn|serial|wake|wakespin|sum THREADS MS\n");
        return 2;
    }
    unsigned threads = (unsigned)atoi(argv[3]);
    double ms = atof(argv[4]);
    if (!strcmp(argv[1], "pk"))
        return run_pk(argv[2], threads, ms);
    if (!strcmp(argv[1], "uv"))
        return run_uv(argv[2], threads, ms);
    if (!strcmp(argv[1], "raw") && !strcmp(argv[2], "sum"))
        return run_raw(threads);
    return 2;
}
