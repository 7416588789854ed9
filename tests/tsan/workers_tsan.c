/* workers_tsan.c — pk_workers under ThreadSanitizer (a standalone driver, as
 * cache_tsan.c). `make tsan` builds it against the library compiled with
 * -fsanitize=thread.
 *
 * A dynamic pool (1..4 workers, 1 ms idle timeout so workers retire and
 * start again all the time, registered metrics) takes, at once: two outside
 * threads submitting single tasks and batches into groups and cancelling
 * some of them, a fork-join tree whose tasks submit and wait inside the
 * pool, and a thread reading statistics. Every task adds its id to a sum:
 * at the end the sum of the tasks that ran plus the ids of the ones dropped
 * must be exactly the sum of all ids, and no task may run twice. Exits 0
 * when the counts hold (TSan itself exits non-zero on a race with
 * halt_on_error=1). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>

#include "perfkit/workers.h"

enum { BATCH = 64, PER_THREAD = 300 * BATCH };

typedef struct job {
    pk_task task;
    long id;
    atomic_int runs;
} job;

static atomic_long ran_sum, dropped_sum, twice;
static atomic_int done_submitting;

static void job_fn(pk_task *t)
{
    job *j = PK_TASK_OWNER(t, job, task);
    if (atomic_fetch_add(&j->runs, 1))
        atomic_fetch_add(&twice, 1);
    atomic_fetch_add(&ran_sum, j->id);
}

typedef struct sub_arg {
    pk_workers *w;
    job *jobs;
    long base;
} sub_arg;

static void *submitter(void *p)
{
    sub_arg *a = p;
    pk_workers_group g;
    for (long i = 0; i < PER_THREAD; i += BATCH) {
        pk_workers_group_init(&g);
        pk_task *ts[BATCH];
        for (long k = 0; k < BATCH; k++) {
            job *j = &a->jobs[i + k];
            j->id = a->base + i + k + 1;
            atomic_init(&j->runs, 0);
            pk_task_init(&j->task, job_fn);
            ts[k] = &j->task;
        }
        if ((i / BATCH) % 2)
            pk_workers_submit_batch(a->w, &g, ts, BATCH);
        else
            for (long k = 0; k < BATCH; k++)
                pk_workers_submit(a->w, &g, ts[k]);
        if ((i / BATCH) % 7 == 3)
            pk_workers_group_cancel(&g);
        else
            for (long k = 0; k < BATCH; k += 5)
                pk_workers_cancel(ts[k]);
        pk_workers_wait_all(a->w, &g);
        for (long k = 0; k < BATCH; k++) {
            job *j = &a->jobs[i + k];
            pk_err e = pk_workers_wait(a->w, &j->task);
            if ((e == PK_OK) != (atomic_load(&j->runs) == 1))
                atomic_fetch_add(&twice, 1);
            if (e == PK_EINTR)
                atomic_fetch_add(&dropped_sum, j->id);
        }
        if ((i / BATCH) % 50 == 0)
            usleep(3000);   /* let workers park and retire */
    }
    return NULL;
}

typedef struct tree {
    pk_task task;
    pk_workers *w;
    int depth;
    long leaves;
} tree;

static void tree_fn(pk_task *t)
{
    tree *n = PK_TASK_OWNER(t, tree, task);
    if (n->depth == 0) {
        n->leaves = 1;
        return;
    }
    tree a = {.w = n->w, .depth = n->depth - 1}, b = {.w = n->w, .depth = n->depth - 1};
    pk_task_init(&a.task, tree_fn);
    pk_task_init(&b.task, tree_fn);
    pk_workers_group g;
    pk_workers_group_init(&g);
    pk_workers_submit(n->w, &g, &a.task);
    pk_workers_submit(n->w, &g, &b.task);
    pk_workers_wait_all(n->w, &g);
    n->leaves = a.leaves + b.leaves;
}

static void *stats_reader(void *p)
{
    pk_workers *w = p;
    while (!atomic_load(&done_submitting)) {
        pk_workers_stats s;
        pk_workers_stats_get(w, &s);
        usleep(200);
    }
    return NULL;
}

int main(void)
{
    static job jobs[2][PER_THREAD];
    pk_workers_opts o;
    pk_workers_opts_init(&o);
    o.min_threads = 1;
    o.max_threads = 4;
    o.idle_ms = 1;
    o.spin_us = 2;
    o.deque_capacity = 16;   /* overflow into the injection stack too */
    pk_workers *w;
    pk_metrics_registry *r;
    if (pk_workers_new(&o, &w) != PK_OK || pk_metrics_registry_new(&r) != PK_OK ||
        pk_workers_register_metrics(w, r, "tsan_pool") != PK_OK)
        return 2;
    pthread_t th[3];
    sub_arg a[2] = {{w, jobs[0], 0}, {w, jobs[1], PER_THREAD}};
    pthread_create(&th[0], NULL, submitter, &a[0]);
    pthread_create(&th[1], NULL, submitter, &a[1]);
    pthread_create(&th[2], NULL, stats_reader, w);
    long leaves = 0;
    for (int rep = 0; rep < 5; rep++) {
        tree root = {.w = w, .depth = 10};
        pk_task_init(&root.task, tree_fn);
        pk_workers_submit(w, NULL, &root.task);
        pk_workers_wait(w, &root.task);
        leaves += root.leaves;
    }
    pthread_join(th[0], NULL);
    pthread_join(th[1], NULL);
    atomic_store(&done_submitting, 1);
    pthread_join(th[2], NULL);
    pk_workers_stats s;
    pk_workers_stats_get(w, &s);
    long n = 2L * PER_THREAD, want = n * (n + 1) / 2;
    long got = atomic_load(&ran_sum) + atomic_load(&dropped_sum);
    int ok = got == want && atomic_load(&twice) == 0 && leaves == 5L * 1024;
    printf("workers_tsan: %ld tasks (%llu run, %llu dropped), sum %s, %llu steals, %llu parks, "
           "%llu started, %llu retired, tree leaves %ld: %s\n",
           n, (unsigned long long)s.run, (unsigned long long)s.cancelled,
           got == want ? "exact" : "WRONG", (unsigned long long)s.steals,
           (unsigned long long)s.parks, (unsigned long long)s.started,
           (unsigned long long)s.retired, leaves, ok ? "ok" : "FAILED");
    pk_workers_free(w);
    pk_metrics_registry_free(r);
    return ok ? 0 : 1;
}
