/* workers_demo.c — a pk_workers pool doing real work: a parallel sum, then
 * parallel file hashing with the bounded-concurrency reader.
 *
 *   workers_demo [FILE...]
 *
 * 1. Sums mix(i) for i < 2^24 (a 64-bit integer hash: CPU work) in 256
 *    chunk tasks embedded in an array (no allocation per task), waits for
 *    the group and checks the total against a sequential loop.
 * 2. Reads the FILEs (at most 4 at once) with pk_workers_read_files, then
 *    hashes each one (FNV-1a 64) in a task of its own, and prints
 *    "HASH  BYTES  FILE" in the order given, or the file's error.
 * 3. Prints the pool's statistics. Exits 1 when a file failed.
 *
 * Build: cc -o workers_demo workers_demo.c $(pkg-config --cflags --libs perfkit) */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "perfkit/alloc.h"
#include "perfkit/workers.h"

#define N (UINT64_C(1) << 24)
#define CHUNKS 256

static uint64_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= UINT64_C(0xff51afd7ed558ccd);
    x ^= x >> 33;
    x *= UINT64_C(0xc4ceb9fe1a85ec53);
    return x ^ (x >> 33);
}

typedef struct chunk {
    pk_task task;       /* the pool's node, embedded */
    uint64_t lo, hi, sum;
} chunk;

static void sum_chunk(pk_task *t)
{
    chunk *c = PK_TASK_OWNER(t, chunk, task);
    uint64_t s = 0;
    for (uint64_t i = c->lo; i < c->hi; i++)
        s += mix(i);
    c->sum = s;
}

typedef struct file_job {
    pk_task task;
    const pk_read_result *in;
    uint64_t hash;
} file_job;

static void hash_file(pk_task *t)
{
    file_job *j = PK_TASK_OWNER(t, file_job, task);
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    for (size_t i = 0; i < j->in->len; i++)
        h = (h ^ (unsigned char)j->in->data[i]) * UINT64_C(0x100000001b3);
    j->hash = h;
}

int main(int argc, char **argv)
{
    pk_workers *w;
    pk_err e = pk_workers_new(NULL, &w);   /* one worker per CPU */
    if (e != PK_OK) {
        fprintf(stderr, "workers_demo: %s\n", pk_strerror(e));
        return 2;
    }

    static chunk chunks[CHUNKS];
    pk_workers_group g;
    pk_workers_group_init(&g);
    for (int i = 0; i < CHUNKS; i++) {
        pk_task_init(&chunks[i].task, sum_chunk);
        chunks[i].lo = N / CHUNKS * (uint64_t)i;
        chunks[i].hi = N / CHUNKS * (uint64_t)(i + 1);
        pk_workers_submit(w, &g, &chunks[i].task);
    }
    pk_workers_wait_all(w, &g);
    uint64_t par = 0, seq = 0;
    for (int i = 0; i < CHUNKS; i++)
        par += chunks[i].sum;
    for (uint64_t i = 0; i < N; i++)
        seq += mix(i);
    printf("sum of mix(i), i < 2^24: %016" PRIx64 " in %d tasks, %s the sequential loop\n", par,
           CHUNKS, par == seq ? "equal to" : "DIFFERENT FROM");

    int rc = par == seq ? 0 : 1;
    size_t n = (size_t)(argc - 1);
    if (n) {
        pk_read_result *res = calloc(n, sizeof *res);
        file_job *jobs = calloc(n, sizeof *jobs);
        if (!res || !jobs)
            return 2;
        pk_workers_read_files(w, (const char *const *)argv + 1, n, 4, 0, res);
        pk_workers_group_init(&g);
        for (size_t i = 0; i < n; i++) {
            if (res[i].err != PK_OK)
                continue;
            jobs[i].in = &res[i];
            pk_task_init(&jobs[i].task, hash_file);
            pk_workers_submit(w, &g, &jobs[i].task);
        }
        pk_workers_wait_all(w, &g);
        for (size_t i = 0; i < n; i++) {
            if (res[i].err != PK_OK) {
                printf("error             %8s  %s: %s\n", "-", argv[i + 1],
                       res[i].sys_errno ? strerror(res[i].sys_errno) : pk_strerror(res[i].err));
                rc = 1;
            } else {
                printf("%016" PRIx64 "  %8zu  %s\n", jobs[i].hash, res[i].len, argv[i + 1]);
            }
        }
        pk_workers_read_results_free(res, n);
        free(res);
        free(jobs);
    }

    pk_workers_stats s;
    pk_workers_stats_get(w, &s);
    printf("pool: %u threads, %" PRIu64 " tasks run, %" PRIu64 " stolen, %" PRIu64 " parks\n",
           s.threads, s.run, s.steals, s.parks);
    pk_workers_free(w);
    return rc;
}
